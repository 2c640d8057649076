"""What each command of ``clustersim`` does (the parser and the dispatch are in
:mod:`clustersim.cli`).  A bad input, file or folder raises an error the command line prints in
one line, with exit status 2."""

from __future__ import annotations

import sys
import textwrap
import time
from pathlib import Path

from .cli import VIZ_SCENARIO_ENV


def cmd_sweep(args) -> int:
    from .experiments.engines import start_fork_server
    from .experiments.national import load_any
    from .experiments.store import Store
    from .experiments.sweep import run_sweep

    if not args.scheduler:
        start_fork_server()  # the workers' imports overlap reading the experiment
    experiment = load_any(args.experiment, replicates=args.replicates, horizon=args.steps)
    before = Store(args.out).finished() if args.out.is_dir() else set()
    started = time.perf_counter()
    manifest = run_sweep(
        experiment,
        args.out,
        workers=args.workers,
        scheduler=args.scheduler,
        resume=args.resume,
        progress=not args.no_progress,
        fresh_histories=args.fresh_histories,
    )
    failed = manifest[manifest["status"] != "ok"]
    done = set(manifest.loc[manifest["status"] == "ok", "run_id"])
    ran = len(done - before)
    print(
        f"{ran} runs finished, {len(failed)} failed, in {time.perf_counter() - started:.1f} s"
        + (
            f"; {len(done & before)} had finished before ({len(done)} of "
            f"{experiment.run_count()} runs done)"
            if before
            else ""
        )
        + f"; results in {args.out}/ (next: clustersim compare {args.out})"
    )
    for _, row in failed.head(5).iterrows():
        print(f"  failed {row['run_id']}: {row['error']}")
    return 0


def cmd_allocate(args) -> int:
    from . import api

    _writable_folder(args.out)
    design = api.allocate(
        args.experiment,
        args.budget_cr,
        args.out,
        objective=args.objective,
        workers=args.workers,
        scheduler=args.scheduler,
        verify=not args.no_verify,
        progress=not args.no_progress,
        verify_products=args.verify_products,
    )
    print(
        f"{args.out / 'allocation.md'}: {int((design.choices['optimal'] > 0).sum())} clusters "
        f"given a package, {design.runs:,} runs"
    )
    return 0


def cmd_compare(args) -> int:
    from .analysis.compare import compare
    from .economy.reporters import COLUMN_NAMES
    from .experiments.store import read_sweep_info
    from .views.summary import (
        EFFECT_COLUMNS,
        MONEY_COLUMNS,
        effects_table,
        note_key,
        unchanged_warnings,
        write_comparison,
    )

    targets = {}
    for item in args.target:
        outcome, _, value = item.partition("=")
        try:
            half_width = float(value)
        except ValueError:
            half_width = -1.0
        if outcome not in COLUMN_NAMES or not (1e-9 < half_width < 1e12):
            raise BadOutput(
                f"--target {item!r}: expected OUTCOME=HALF_WIDTH with an output column and a "
                "positive number, e.g. jobs=100"
            )
        targets[outcome] = half_width
    if read_sweep_info(args.dir).get("kind") == "national":
        return _compare_national(args)
    comparison = compare(args.dir, targets=targets)
    write_comparison(args.dir, comparison)
    result = comparison.frames()
    if not args.quiet:
        import pandas as pd

        effects = effects_table(result["comparison"], result["ranking"])
        horizon = int(comparison.series["quarter"].max())
        with pd.option_context(
            "display.width", 250, "display.max_columns", 20, "display.max_colwidth", 60
        ):
            for columns, heading in (
                (
                    EFFECT_COLUMNS,
                    f"Effects at the horizon (policy quarter {horizon}), package "
                    "minus baseline, 95 % CI; jobs in workers, most net jobs first:",
                ),
                (
                    MONEY_COLUMNS,
                    "Over the policy period, and value for money (Rs crore; Rs lakh per job):",
                ),
            ):
                print(heading)
                shown = [c for c in columns if c in effects.columns]
                print(effects[shown].to_string(index=False, justify="left"))
                print()
        for line in note_key(effects.to_numpy().ravel()):
            print(line)
        needed = result["comparison"][result["comparison"]["measure"] == "replicates_needed"]
        for _, row in needed.iterrows():
            print(
                f"replicates needed, {row['package']} / {row['outcome']}: "
                f"{int(row['estimate'])} {row['note']}"
            )
        for note in comparison.notes:
            print(f"missing: {note}")
        for warning in unchanged_warnings(comparison.unchanged, result["comparison"]):
            print(warning)
        if comparison.trial is not None:
            from .experiments.trials import describe, headline

            for _, row in headline(comparison.trial).iterrows():
                print(f"trial, {row['package']}: {describe(row)}")
        print(
            f"Wrote {args.dir}/comparison.csv, ranking.csv, summary.md, forest.png, paths.png"
            + (", sensitivity.csv, sensitivity.png" if "sensitivity" in result else "")
            + (", trial.csv" if "trial" in result else "")
        )
    return 0


def _compare_national(args) -> int:
    from .analysis.national import national_summary
    from .experiments.store import read_sweep_info
    from .views.national_plots import national_figure

    try:
        result = national_summary(args.dir)
    except ValueError as exc:
        raise BadOutput(f"{args.dir}: {exc}") from None
    national_figure(result, args.dir / "national.png", read_sweep_info(args.dir)["title"])
    if not args.quiet:
        print((args.dir / "national_summary.md").read_text(encoding="utf-8"))
        print(
            f"Wrote {args.dir}/national_summary.md, national_summary.csv, national_clusters.csv, "
            "national_by_product.csv, national_by_state.csv, national.png"
        )
    return 0 if len(result["clusters"]) else 2


def cmd_report(args) -> int:
    from .experiments.store import read_sweep_info
    from .views.report import build_report

    if read_sweep_info(args.dir).get("kind") == "national":
        raise BadOutput(
            f"{args.dir}: a national sweep; its summary is national_summary.md (clustersim compare)"
        )
    path = build_report(args.dir)
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
        print(
            textwrap.fill(
                f"published: {r['published']} ({r['source']})",
                width=100,
                initial_indent=" " * 9,
                subsequent_indent=" " * 11,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
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
        raise BadOutput(f"{args.report}: cannot write the report ({exc.strerror})") from None
    from .experiments.calibrate import FREE
    from .inputs.files import ScenarioError

    unknown = [key for key in args.block or () if key not in FREE]
    if unknown:
        raise ScenarioError(
            f"calibrate --block: {unknown[0]!r} is not a free parameter; allowed: {', '.join(FREE)}"
        )
    result = calibrate(
        evaluations=args.evaluations,
        replicates=args.replicates,
        progress=lambda t: print(t, flush=True),
        block=args.block,
    )
    text = report(result)
    try:
        args.report.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadOutput(f"{args.report}: cannot write the report ({exc.strerror})") from None
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
        raise BadOutput(
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
            raise BadOutput(
                f"--host {args.host} --port {args.port}: cannot listen there "
                f"({exc.strerror or exc})"
            ) from None
        port = probe.getsockname()[1]  # --port 0: the free port the system chose
    from .views.serve import ALLOWED_HOSTS_ENV, allowed_hosts

    # No telemetry and no version check: the dashboard is local and must work without a network.
    # Requests naming another host are refused (DNS rebinding): see clustersim.views.serve.
    env = dict(
        os.environ,
        **{
            VIZ_SCENARIO_ENV: str(args.scenario.resolve()),
            "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
            ALLOWED_HOSTS_ENV: ",".join(sorted(allowed_hosts(args.host, args.allow_host))),
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
        "clustersim.views.serve",  # solara, answering only the hosts allowed
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
        raise BadOutput("dask-cluster needs Dask: pip install 'clustersim[dask]'") from None
    import socket

    with socket.socket() as probe:  # a busy port is one line here, not Dask's traceback
        try:
            probe.bind(("127.0.0.1", args.port))
        except OSError as exc:
            raise BadOutput(
                f"--port {args.port}: cannot listen there ({exc.strerror or exc})"
            ) from None
    try:
        cluster = LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            scheduler_port=args.port,
            host="127.0.0.1",
            dashboard_address=None,
        )
    except (RuntimeError, OSError) as exc:
        raise BadOutput(
            f"--port {args.port}: the Dask cluster did not start ({str(exc).splitlines()[0]})"
        ) from None
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
    from .inputs.params import INTERVENTIONS
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
    model = ClusterModel(
        scenario, seed=scenario.params.run.seed, n_firms=args.firms, panel=args.panel
    )
    t_setup = time.perf_counter()
    model.run()
    t_model = time.perf_counter()
    # The same cluster and seed without the package (or, with no package, without the export
    # shocks): the summary's effects and the dashed line of outcomes.png are against it.
    without, lacking = None, output.what_is_compared(scenario.params)
    if lacking and not (args.quiet and args.no_plots):
        if lacking == "package":
            off = {name: {"enabled": False} for name in INTERVENTIONS}
            plain = load_scenario(args.scenario, {**overrides, "interventions": off})
        else:
            market = {**overrides.get("market", {}), "shocks": []}
            plain = load_scenario(args.scenario, {**overrides, "market": market})
        without = ClusterModel(plain, seed=scenario.params.run.seed, n_firms=args.firms)
        without.run()
    t_without = time.perf_counter()
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

            plots.outcomes(
                model,
                args.out / "outcomes.png",
                reference=without,
                reference_label=f"same seed, without the {lacking}" if without else "",
            )
            plots.cluster_map(model, args.out / "cluster_map.png")
    except OSError as exc:
        raise BadOutput(f"{args.out}: cannot write the results ({exc.strerror or exc})") from None
    t_plots = time.perf_counter()
    if not args.quiet:
        for line in output.summary_lines(model, without) + output.trial_lines(model):
            print(line)
        print(
            f"Wrote {args.out}/: timeseries.csv, firms.csv, flows.csv, scenario.json"
            + ("" if args.no_plots else ", outcomes.png, cluster_map.png")
        )
        print(
            f"Time: imports {t_import - t0:.2f} s, set-up {t_setup - t_import:.2f} s, model "
            f"{t_model - t_setup:.2f} s ({model.steps} quarters), "
            + (
                f"the same run without the {lacking} {t_without - t_model:.2f} s, "
                if without is not None
                else ""
            )
            + f"CSV {t_csv - t_without:.2f} s, plots {t_plots - t_csv:.2f} s"
        )
    return 0


class BadOutput(Exception):
    pass


def _writable_folder(out: Path) -> None:
    """Create the output folder and check that files can be written in it."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".clustersim-write-test"
        probe.write_text("", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        raise BadOutput(
            f"{out}: cannot create or write the output folder ({exc.strerror or exc})"
        ) from None
