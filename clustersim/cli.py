"""Command line:
``clustersim run | sweep | allocate | compare | report | validate | calibrate | viz | dask-cluster``
(``--help`` on each).

Bad input (a malformed scenario, a missing file, a bad option) prints one line
naming the file, key, value and what is allowed, and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_BAD_INPUT = 2
MAX_WORKERS = 1024
MAX_REPLICATES = 100_000  # as in experiment files
VIZ_SCENARIO_ENV = (
    "CLUSTERSIM_VIZ_SCENARIO"  # names the scenario file for the dashboard's server process
)


def one_line(text) -> str:
    """``text`` with every character that would break or hide a line (newlines, the other line
    boundaries of str.splitlines such as U+0085, and other unprintables) shown as its escape, so
    that an error is always one line however odd the names in it."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in str(text))


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, status 2, no usage dump
        print(f"clustersim: error: {one_line(message)} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def _folder(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty: name an output folder")
    return Path(text)


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="clustersim", description="Agent-based model of an industrial cluster economy."
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="run one scenario and write its results to a folder")
    run.add_argument("scenario", type=Path, help="scenario TOML file")
    run.add_argument("--out", type=_folder, required=True, help="output folder (created)")
    run.add_argument("--seed", type=_non_negative_int, help="override run.seed")
    run.add_argument(
        "--steps",
        type=_horizon,
        help="override run.horizon: policy quarters simulated after the burn-in",
    )
    run.add_argument("--firms", type=_non_negative_int, help="rescale the initial number of firms")
    run.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    run.add_argument(
        "--panel", action="store_true", help="also write panel.csv: every firm, every quarter"
    )
    run.add_argument("--quiet", action="store_true", help="print nothing but errors")

    sweep = sub.add_parser(
        "sweep", help="run an experiment: packages x parameter points x replicates"
    )
    sweep.add_argument("experiment", type=Path, help="experiment TOML file")
    sweep.add_argument("--out", type=_folder, required=True, help="output folder for the sweep")
    sweep.add_argument(
        "--workers",
        type=_bounded(1, MAX_WORKERS),
        help=f"local worker processes (default: all cores; at most {MAX_WORKERS})",
    )
    sweep.add_argument(
        "--scheduler",
        type=_address,
        help="Dask scheduler address, e.g. tcp://host:8786 (needs clustersim[dask])",
    )
    sweep.add_argument(
        "--resume",
        action="store_true",
        help="finish an interrupted sweep: run only what is missing",
    )
    sweep.add_argument(
        "--replicates",
        type=_bounded(1, MAX_REPLICATES),
        help=f"override the experiment's replicates (1-{MAX_REPLICATES:,})",
    )
    sweep.add_argument(
        "--steps", type=_horizon, help="override the policy horizon (quarters, 1-400)"
    )
    sweep.add_argument(
        "--fresh-histories",
        action="store_true",
        help="run every run from scratch instead of continuing the packages of a replicate from "
        "one shared pre-policy history (same results, slower)",
    )
    sweep.add_argument("--no-progress", action="store_true", help="no progress bar")

    allocate = sub.add_parser(
        "allocate",
        help="the scheme designer: one package per cluster for a budget, on simulated effects",
    )
    allocate.add_argument("experiment", type=Path, help="designer file (national, with [menu])")
    allocate.add_argument(
        "--budget-cr", type=_budget, required=True, help="budget in Rs crore (>= 0)"
    )
    allocate.add_argument("--out", type=_folder, required=True, help="output folder")
    allocate.add_argument(
        "--objective",
        choices=("net_jobs", "npv", "exports"),
        default="net_jobs",
        help="what the allocation maximises (default: net_jobs)",
    )
    allocate.add_argument(
        "--workers",
        type=_bounded(1, MAX_WORKERS),
        help=f"local worker processes (default: all cores; at most {MAX_WORKERS})",
    )
    allocate.add_argument(
        "--scheduler",
        type=_address,
        help="Dask scheduler address, e.g. tcp://host:8786 (needs clustersim[dask])",
    )
    allocate.add_argument(
        "--no-verify",
        action="store_true",
        help="skip simulating the allocations in national markets",
    )
    allocate.add_argument(
        "--verify-products",
        type=lambda text: [p.strip() for p in text.split(",") if p.strip()],
        help="verify only these product markets (archetypes, comma-separated; default: all)",
    )
    allocate.add_argument("--no-progress", action="store_true", help="no progress bar")

    compare = sub.add_parser(
        "compare", help="effects of each package vs the baseline, with CIs, costs and plots"
    )
    compare.add_argument("dir", type=Path, help="a sweep's output folder")
    compare.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="OUTCOME=HALF_WIDTH",
        help="report the replicates needed for this 95 %% CI half-width (repeatable)",
    )
    compare.add_argument("--quiet", action="store_true", help="write the files, print nothing")

    report = sub.add_parser(
        "report", help="one self-contained HTML page of a sweep's comparison, for policy teams"
    )
    report.add_argument("dir", type=Path, help="a sweep's output folder")

    validate = sub.add_parser(
        "validate", help="run every published target and compare (exit 0 whatever the verdicts)"
    )
    validate.add_argument(
        "--out", type=_folder, default=Path("results/validation"), help="output folder"
    )
    validate.add_argument(
        "--replicates", type=_positive_int, default=8, help="replicates per target (default 8)"
    )
    validate.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")

    calibrate = sub.add_parser(
        "calibrate", help="choose free parameters by the simulated method of moments"
    )
    calibrate.add_argument(
        "--evaluations", type=_positive_int, default=40, help="objective evaluations (default 40)"
    )
    calibrate.add_argument(
        "--replicates", type=_positive_int, default=4, help="seeds per evaluation (default 4)"
    )
    calibrate.add_argument(
        "--report", type=Path, default=Path("docs/calibration.md"), help="where to write the report"
    )
    calibrate.add_argument(
        "--block",
        action="append",
        metavar="KEY",
        help="search only this free parameter (repeat for a block; the others keep their defaults)",
    )

    viz = sub.add_parser(
        "viz", help="watch and steer the cluster in Mesa's browser dashboard (needs the viz extra)"
    )
    viz.add_argument("scenario", type=Path, help="scenario TOML file")
    viz.add_argument(
        "--port",
        type=_port,
        default=8765,
        help="port to serve on (default 8765; 0 = any free port)",
    )
    viz.add_argument(
        "--host",
        default="127.0.0.1",
        type=_host,
        help="address to listen on (default 127.0.0.1: this machine only; "
        "0.0.0.0 opens it to the network)",
    )
    viz.add_argument(
        "--allow-host",
        action="append",
        default=[],
        type=_host,
        metavar="NAME",
        help="also answer requests addressed to this host name (repeatable; '*' for any): the "
        "dashboard answers only the names of the address it listens on, against DNS rebinding",
    )

    dask = sub.add_parser(
        "dask-cluster", help="start a local Dask cluster to try --scheduler (Ctrl-C stops it)"
    )
    dask.add_argument(
        "--workers", type=_bounded(1, MAX_WORKERS), default=2, help="worker processes (default 2)"
    )
    dask.add_argument("--port", type=_port, default=8786, help="scheduler port (default 8786)")
    return parser


def _port(text: str) -> int:
    value = _non_negative_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0-65535)")
    return value


def _horizon(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 400:
        raise argparse.ArgumentTypeError(f"{text!r}: allowed a whole number of quarters, 1-400")
    return value


def _bounded(low: int, high: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r}: allowed {low}-{high:,}")
        return value

    return parse


def _address(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty: name a scheduler, e.g. tcp://host:8786")
    return text


def _host(text: str) -> str:
    if not text.strip() or text != text.strip() or any(c.isspace() for c in text):
        raise argparse.ArgumentTypeError(
            f"{text!r}: name an address, e.g. 127.0.0.1 (this machine only) or 0.0.0.0"
        )
    return text


def _budget(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of Rs crore") from None
    if not (value >= 0 and value < float("inf")):
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number >= 0")
    return value


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 1")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from . import commands
    from .experiments.engines import SweepError
    from .inputs.files import ScenarioError

    command = getattr(commands, "cmd_" + args.command.replace("-", "_"))
    try:
        return command(args)
    except (ScenarioError, SweepError, commands.BadOutput) as exc:
        print(f"clustersim: error: {one_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("clustersim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
