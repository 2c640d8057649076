"""Command line:
``clustersim run | sweep | compare | report | validate | calibrate | viz | dask-cluster``
(``--help`` on each).

Bad input (a malformed scenario, a missing file, a bad option) prints one line
naming the file, key, value and what is allowed, and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

EXIT_BAD_INPUT = 2
VIZ_SCENARIO_ENV = (
    "CLUSTERSIM_VIZ_SCENARIO"  # names the scenario file for the dashboard's server process
)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, status 2, no usage dump
        print(
            f"clustersim: error: {message} (see 'clustersim {self.prog.split()[-1]} --help')",
            file=sys.stderr,
        )
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
        "--workers", type=_positive_int, help="local worker processes (default: all cores)"
    )
    sweep.add_argument(
        "--scheduler", help="Dask scheduler address, e.g. tcp://host:8786 (needs clustersim[dask])"
    )
    sweep.add_argument(
        "--resume",
        action="store_true",
        help="finish an interrupted sweep: run only what is missing",
    )
    sweep.add_argument(
        "--replicates", type=_positive_int, help="override the experiment's replicates"
    )
    sweep.add_argument(
        "--steps", type=_horizon, help="override the policy horizon (quarters, 1-400)"
    )
    sweep.add_argument("--no-progress", action="store_true", help="no progress bar")

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
        help="address to listen on (default 127.0.0.1: this machine only; "
        "0.0.0.0 opens it to the network)",
    )

    dask = sub.add_parser(
        "dask-cluster", help="start a local Dask cluster to try --scheduler (Ctrl-C stops it)"
    )
    dask.add_argument(
        "--workers", type=_positive_int, default=2, help="worker processes (default 2)"
    )
    dask.add_argument(
        "--port", type=_non_negative_int, default=8786, help="scheduler port (default 8786)"
    )
    return parser


def _port(text: str) -> int:
    value = _non_negative_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0-65535)")
    return value


def _horizon(text: str) -> int:
    value = _non_negative_int(text)
    if not 1 <= value <= 400:
        raise argparse.ArgumentTypeError(f"{text!r} must be between 1 and 400 quarters")
    return value


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 1")
    return value


def cmd_sweep(args) -> int:
    from .experiments.national import load_any
    from .experiments.sweep import run_sweep

    experiment = load_any(args.experiment, replicates=args.replicates, horizon=args.steps)
    started = time.perf_counter()
    manifest = run_sweep(
        experiment,
        args.out,
        workers=args.workers,
        scheduler=args.scheduler,
        resume=args.resume,
        progress=not args.no_progress,
    )
    failed = manifest[manifest["status"] != "ok"] if len(manifest) else manifest
    print(
        f"{len(manifest) - len(failed)} runs finished, {len(failed)} failed, "
        f"in {time.perf_counter() - started:.1f} s; "
        f"results in {args.out}/ (next: clustersim compare {args.out})"
    )
    for _, row in failed.head(5).iterrows():
        print(f"  failed {row['run_id']}: {row['error']}")
    return 0


def cmd_compare(args) -> int:
    from .analysis.compare import compare
    from .economy.reporters import COLUMN_NAMES
    from .views.summary import effects_table, write_comparison

    targets = {}
    for item in args.target:
        outcome, _, value = item.partition("=")
        try:
            half_width = float(value)
        except ValueError:
            half_width = -1.0
        if outcome not in COLUMN_NAMES or not (1e-9 < half_width < 1e12):
            raise _BadOutput(
                f"--target {item!r}: expected OUTCOME=HALF_WIDTH with an output column and a "
                "positive number, e.g. jobs=100"
            )
        targets[outcome] = half_width
    info = _sweep_info(args.dir)
    if info.get("kind") == "national":
        return _compare_national(args)
    try:
        comparison = compare(args.dir, targets=targets)
        write_comparison(args.dir, comparison)
    except (FileNotFoundError, ValueError, KeyError) as exc:
        raise _BadOutput(f"{args.dir}: cannot compare ({type(exc).__name__}: {exc})") from None
    result = comparison.frames()
    if not args.quiet:
        import pandas as pd

        with pd.option_context(
            "display.width", 200, "display.max_columns", 20, "display.max_colwidth", 40
        ):
            print(effects_table(result["comparison"], result["ranking"]).to_string(index=False))
        needed = result["comparison"][result["comparison"]["measure"] == "replicates_needed"]
        for _, row in needed.iterrows():
            print(
                f"replicates needed, {row['package']} / {row['outcome']}: "
                f"{int(row['estimate'])} {row['note']}"
            )
        print(
            f"Wrote {args.dir}/comparison.csv, ranking.csv, summary.md, forest.png, paths.png"
            + (", sensitivity.csv, sensitivity.png" if "sensitivity" in result else "")
        )
    return 0


def _sweep_info(folder: Path) -> dict:
    """A sweep folder's experiment.json, or a one-line error."""
    path = folder / "experiment.json"
    if not path.exists():
        raise _BadOutput(
            f"{folder}: no sweep here (experiment.json is missing); run `clustersim sweep` first"
        )
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise _BadOutput(f"{path}: unreadable ({exc})") from None
    if not isinstance(info, dict) or "packages" not in info or "title" not in info:
        raise _BadOutput(f"{path}: not a clustersim sweep description (no packages or title)")
    return info


def _compare_national(args) -> int:
    from .experiments.national import national_summary

    try:
        result = national_summary(args.dir)
    except (FileNotFoundError, ValueError, KeyError) as exc:
        raise _BadOutput(str(exc)) from None
    if not args.quiet:
        print((args.dir / "national_summary.md").read_text(encoding="utf-8"))
        print(
            f"Wrote {args.dir}/national_summary.md, national_summary.csv, national_clusters.csv, "
            "national_by_state.csv"
        )
    return 0 if len(result["clusters"]) else 2


def cmd_report(args) -> int:
    from .views.report import build_report

    if _sweep_info(args.dir).get("kind") == "national":
        raise _BadOutput(
            f"{args.dir}: a national sweep; its summary is national_summary.md (clustersim compare)"
        )
    try:
        path = build_report(args.dir)
    except (FileNotFoundError, ValueError, KeyError) as exc:
        raise _BadOutput(str(exc)) from None
    print(f"Wrote {path} (self-contained: open it in any browser)")
    return 0


def cmd_validate(args) -> int:
    from .experiments.validate import run_validation

    _writable_folder(args.out)
    started = time.perf_counter()
    table = run_validation(
        replicates=args.replicates,
        out=args.out,
        progress=lambda text: print("  " + text, flush=True),
    )
    for _, r in table.iterrows():
        ci = f" ({r['ci_low']:.3g} to {r['ci_high']:.3g})" if r["ci_low"] == r["ci_low"] else ""
        print(
            f"{'inside ' if r['inside'] else 'MISSED '} {r['target']:<28} {r['kind']:<11} "
            f"simulated {r['simulated']:.3g}{ci}"
            f"  band [{r['band_low']:.3g}, {r['band_high']:.3g}] {r['unit']}"
        )
        print(f"         published: {r['published'][:110]} ({r['source'][:70]})")
    inside = int(table["inside"].sum())
    print(
        f"{inside} of {len(table)} targets inside their band; "
        f"{time.perf_counter() - started:.1f} s. "
        f"Wrote {args.out}/validation.csv, validation.md, validation.png"
    )
    return 1 if args.strict and inside < len(table) else 0


def cmd_calibrate(args) -> int:
    from .experiments.calibrate import calibrate, report

    try:  # check the report can be written before a two-minute search
        args.report.parent.mkdir(parents=True, exist_ok=True)
        with open(args.report, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise _BadOutput(f"{args.report}: cannot write the report ({exc.strerror})") from None
    result = calibrate(
        evaluations=args.evaluations,
        replicates=args.replicates,
        progress=lambda t: print(t, flush=True),
    )
    text = report(result)
    try:
        args.report.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise _BadOutput(f"{args.report}: cannot write the report ({exc.strerror})") from None
    print(text)
    return 0


def cmd_viz(args) -> int:
    """Serve clustersim.views.dashboard with Solara until Ctrl-C
    (this process becomes the server)."""
    import importlib.util
    import os
    import socket

    from .inputs.scenario import load_scenario

    load_scenario(args.scenario)  # a bad file fails here, in one line, not in the browser
    missing = [name for name in ("solara", "altair") if importlib.util.find_spec(name) is None]
    if missing:
        raise _BadOutput(
            f"viz needs the dashboard extra ({', '.join(missing)} missing): "
            "pip install -e '.[viz]' in the repository"
        )
    with (
        socket.socket() as probe
    ):  # a busy port or a bad address is one line here, not a server traceback
        probe.setsockopt(
            socket.SOL_SOCKET, socket.SO_REUSEADDR, 1
        )  # as the server binds: a port in TIME_WAIT is free
        try:
            probe.bind((args.host, args.port))
        except OSError as exc:
            raise _BadOutput(
                f"--host {args.host} --port {args.port}: cannot listen there "
                f"({exc.strerror or exc})"
            ) from None
        port = probe.getsockname()[1]  # --port 0: the free port the system chose
    # No telemetry and no version check: the dashboard is local and must work without a network.
    env = dict(
        os.environ,
        **{
            VIZ_SCENARIO_ENV: str(args.scenario.resolve()),
            "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        },
    )
    env.setdefault(
        "PYTHONWARNINGS", "ignore::UserWarning:solara.server.starlette"
    )  # its https-cookie advice for http://127.0.0.1
    print(
        f"clustersim dashboard for {args.scenario} at http://{args.host}:{port} (Ctrl-C stops it)",
        flush=True,
    )
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        "clustersim.views.dashboard",
        "--host",
        args.host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
        "--log-level",
        "warning",
    ]
    os.execve(
        sys.executable, command, env
    )  # replaced by the server: a signal to this process reaches it


def cmd_dask_cluster(args) -> int:
    try:
        from distributed import LocalCluster
    except ImportError:
        raise _BadOutput("dask-cluster needs Dask: pip install 'clustersim[dask]'") from None
    cluster = LocalCluster(
        n_workers=args.workers,
        threads_per_worker=1,
        scheduler_port=args.port,
        host="127.0.0.1",
        dashboard_address=None,
    )
    print(
        f"Dask scheduler at {cluster.scheduler_address} with {args.workers} workers; "
        f"use: clustersim sweep EXPERIMENT --out DIR --scheduler {cluster.scheduler_address}"
        "   (Ctrl-C stops it)",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    finally:
        cluster.close()


def cmd_run(args) -> int:
    t0 = time.perf_counter()
    from .inputs.scenario import load_scenario

    overrides: dict = {}
    if args.seed is not None:
        overrides.setdefault("run", {})["seed"] = args.seed
    if args.steps is not None:
        overrides.setdefault("run", {})["horizon"] = args.steps
    if args.firms is not None:
        overrides.setdefault("cluster", {})["n_firms"] = args.firms
    scenario = load_scenario(args.scenario, overrides)
    _writable_folder(args.out)  # before the run, so a bad --out costs nothing
    from .economy.model import ClusterModel
    from .views import output

    t_import = time.perf_counter()
    model = ClusterModel(scenario, n_firms=args.firms, panel=args.panel)
    t_setup = time.perf_counter()
    model.run()
    t_model = time.perf_counter()
    try:
        output.write_timeseries(model, args.out / "timeseries.csv")
        output.write_firms(model, args.out / "firms.csv")
        output.write_flows(model, args.out / "flows.csv")
        output.write_scenario_json(model, args.out / "scenario.json", sys.argv[1:])
        if args.panel:
            output.write_panel(model, args.out / "panel.csv")
        t_csv = time.perf_counter()
        if not args.no_plots:
            from .views import plots

            plots.outcomes(model, args.out / "outcomes.png")
            plots.cluster_map(model, args.out / "cluster_map.png")
    except OSError as exc:
        raise _BadOutput(f"{args.out}: cannot write the results ({exc.strerror or exc})") from None
    t_plots = time.perf_counter()
    if not args.quiet:
        for line in output.summary_lines(model):
            print(line)
        print(
            f"Wrote {args.out}/: timeseries.csv, firms.csv, flows.csv, scenario.json"
            + ("" if args.no_plots else ", outcomes.png, cluster_map.png")
        )
        print(
            f"Time: imports {t_import - t0:.2f} s, set-up {t_setup - t_import:.2f} s, model "
            f"{t_model - t_setup:.2f} s ({model.steps} quarters), CSV {t_csv - t_model:.2f} s, "
            f"plots {t_plots - t_csv:.2f} s"
        )
    return 0


class _BadOutput(Exception):
    pass


def _writable_folder(out: Path) -> None:
    """Create the output folder and check that files can be written in it."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".clustersim-write-test"
        probe.write_text("", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        raise _BadOutput(
            f"{out}: cannot create or write the output folder ({exc.strerror or exc})"
        ) from None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .experiments.sweep import SweepError
    from .inputs.scenario import ScenarioError

    commands = {
        "run": cmd_run,
        "sweep": cmd_sweep,
        "compare": cmd_compare,
        "report": cmd_report,
        "validate": cmd_validate,
        "calibrate": cmd_calibrate,
        "viz": cmd_viz,
        "dask-cluster": cmd_dask_cluster,
    }
    try:
        return commands[args.command](args)
    except (ScenarioError, SweepError, _BadOutput) as exc:
        print(f"clustersim: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("clustersim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
