"""Command line: ``clustersim run SCENARIO --out DIR [--seed N] [--steps N] [--firms N]``.

Bad input (a malformed scenario, a missing file, a bad option) prints one line
naming the file, key, value and what is allowed, and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, status 2, no usage dump
        print(f"clustersim: error: {message} (see 'clustersim {self.prog.split()[-1]} --help')", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="clustersim", description="Agent-based model of an industrial cluster economy.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="run one scenario and write its results to a folder")
    run.add_argument("scenario", type=Path, help="scenario TOML file")
    run.add_argument("--out", type=Path, required=True, help="output folder (created)")
    run.add_argument("--seed", type=_non_negative_int, help="override run.seed")
    run.add_argument("--steps", type=_non_negative_int,
                     help="override run.horizon: policy quarters simulated after the burn-in")
    run.add_argument("--firms", type=_non_negative_int, help="rescale the initial number of firms")
    run.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    run.add_argument("--quiet", action="store_true", help="print nothing but errors")
    return parser


def cmd_run(args) -> int:
    t0 = time.perf_counter()
    from .scenario import load_scenario

    overrides: dict = {}
    if args.seed is not None:
        overrides.setdefault("run", {})["seed"] = args.seed
    if args.steps is not None:
        overrides.setdefault("run", {})["horizon"] = args.steps
    if args.firms is not None:
        overrides.setdefault("cluster", {})["n_firms"] = args.firms
    scenario = load_scenario(args.scenario, overrides)
    from . import output
    from .model import ClusterModel

    t_import = time.perf_counter()
    model = ClusterModel(scenario, n_firms=args.firms)
    t_setup = time.perf_counter()
    model.run()
    t_model = time.perf_counter()
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _BadOutput(f"{args.out}: cannot create the output folder ({exc.strerror})") from None
    output.write_timeseries(model, args.out / "timeseries.csv")
    output.write_firms(model, args.out / "firms.csv")
    output.write_flows(model, args.out / "flows.csv")
    output.write_scenario_json(model, args.out / "scenario.json", sys.argv[1:])
    t_csv = time.perf_counter()
    if not args.no_plots:
        from . import plots

        plots.outcomes(model, args.out / "outcomes.png")
        plots.cluster_map(model, args.out / "cluster_map.png")
    t_plots = time.perf_counter()
    if not args.quiet:
        for line in output.summary_lines(model):
            print(line)
        print(f"Wrote {args.out}/: timeseries.csv, firms.csv, flows.csv, scenario.json"
              + ("" if args.no_plots else ", outcomes.png, cluster_map.png"))
        print(f"Time: imports {t_import - t0:.2f} s, set-up {t_setup - t_import:.2f} s, model "
              f"{t_model - t_setup:.2f} s ({model.steps} quarters), CSV {t_csv - t_model:.2f} s, plots {t_plots - t_csv:.2f} s")
    return 0


class _BadOutput(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .scenario import ScenarioError

    try:
        return cmd_run(args)
    except (ScenarioError, _BadOutput) as exc:
        print(f"clustersim: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("clustersim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
