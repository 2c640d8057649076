"""Running an experiment: many model runs, on a local process pool or a Dask cluster.

Nothing is lost:

* each finished run is written at once, atomically (a temporary name, then a
  rename): ``DIR/runs/<run_id>.parquet`` (its quarterly series from the end of
  the burn-in) and ``DIR/firms/<run_id>.parquet`` (firm snapshots at the end of
  the burn-in and at the horizon), and a line is appended to
  ``DIR/manifest.jsonl`` (run id, package, parameters, seed, status, error,
  duration);
* a run that raises is recorded as failed and the sweep goes on; a worker
  process that dies (segfault, out-of-memory kill) loses only its own run: the
  pool is rebuilt and the runs that were in flight are retried one at a time,
  so the culprit is found and recorded;
* ``resume=True`` runs only what has no result file yet, so nothing is done twice.

Each history is simulated once: the runs of a replicate whose packages differ only in what acts
after the burn-in continue from one copy of it (:mod:`clustersim.experiments.histories`), with
results byte-identical to running each from scratch (``fresh_histories=True`` does that).
Results stream to disk as they arrive: the coordinator holds only the tasks in flight, however
many runs the sweep has.  Both engines run the same functions
(:mod:`clustersim.experiments.worker`) and give identical results.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path

from .design import Experiment
from .engines import DaskEngine, LocalEngine, SweepError
from .histories import plan_histories
from .store import Store, WriteError, _json_default, lock_folder, read_sweep_info, write_json

#: What a run's manifest line leaves out (how it is computed, not what it is).
NOT_IN_MANIFEST = ("scenario", "overrides", "market")


# ---------------------------------------------------------------- the sweep
def switched_on_settings(experiment: Experiment) -> dict[str, dict[str, dict]]:
    """Each package's switched-on interventions and their settings, for ``compare`` to find a
    holistic package's parts (a package whose scenario cannot be read has none)."""
    from ..inputs.scenario import load_scenario

    out = {}
    for package in experiment.packages:
        try:
            interventions = load_scenario(package.scenario, package.overrides).params.interventions
        except Exception:  # the run fails with the reason; compare only loses the parts
            interventions = None
        out[package.name] = (
            {
                name: dataclasses.asdict(getattr(interventions, name))
                for name in interventions.switched_on()
            }
            if interventions is not None
            else {}
        )
    return out


def prepare(experiment: Experiment, store: Store, resume: bool) -> None:
    """Check the folder against the experiment and describe the sweep in experiment.json (only
    once the folder's lock is held; on --resume only if the description changed)."""
    info_path = store.out / "experiment.json"
    info = {
        "title": experiment.title,
        "experiment_file": str(experiment.path),
        "fingerprint": experiment.fingerprint(),
        "replicates": experiment.replicates,
        "outcomes": experiment.outcomes,
        "discount_rate": experiment.discount_rate,
        "packages": experiment.package_names,
        "precision": experiment.precision,
        "parameters": {k: list(v) for k, v in experiment.parameters.items()},
        "sampler": experiment.sampler,
        "common_random_numbers": experiment.common_random_numbers,
        "points": experiment.points,
        "interventions": switched_on_settings(experiment),
    }
    if experiment.priors:
        info["priors"] = experiment.prior_table()
    if hasattr(experiment, "clusters"):  # the national experiment
        info.update(
            kind="national",
            clusters=[[c.name, c.n_firms, c.archetype, c.synthetic] for c in experiment.clusters],
            states=[c.state for c in experiment.clusters],
            market=experiment.market,
        )
    info = json.loads(json.dumps(info, default=_json_default))  # as it reads back
    previous = None
    if info_path.exists() or info_path.is_symlink():
        if not resume:
            raise SweepError(
                f"{store.out} already holds a sweep: add --resume to finish it, "
                "or choose another --out"
            )
        previous = read_sweep_info(store.out)
        if previous.get("fingerprint") != info["fingerprint"]:
            raise SweepError(
                f"{store.out} holds a sweep of a different design (packages, seeds, horizon or "
                "parameters changed); only --replicates may change on --resume"
            )
    elif any(p.name != ".sweep.lock" for p in store.out.iterdir()) and not resume:
        raise SweepError(f"{store.out} is not empty: choose a new folder for the sweep")
    try:
        store.runs_dir.mkdir(parents=True, exist_ok=True)
        store.firms_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SweepError(f"{store.out}: cannot create the output folder ({exc.strerror})") from None
    store.remove_temporary_files()
    if info != previous:
        write_json(info_path, info)
    # A run whose file landed but whose manifest line did not (a crash in between) is recorded now.
    manifest = store.read_manifest()
    ok = set(manifest.loc[manifest["status"] == "ok", "run_id"])
    unrecorded = store.finished() - ok
    for run in experiment.iter_runs() if unrecorded else ():
        if run.run_id in unrecorded:
            store.append(
                {
                    **{k: v for k, v in run.to_dict().items() if k not in NOT_IN_MANIFEST},
                    "status": "ok",
                    "error": "",
                    "duration_s": None,
                }
            )


def run_sweep(
    experiment: Experiment,
    out: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = True,
    fresh_histories: bool = False,
):
    """Run every missing run of the experiment; return the manifest as a DataFrame.

    With a ``precision`` table the sweep adds replicates until every package's
    95 % CI half-width (paired, vs the baseline) meets its target, up to
    ``max_replicates``.  ``fresh_histories`` runs every run from scratch instead of
    continuing the runs that share a history from one copy of it (same results, slower).
    """
    engine = (
        DaskEngine(scheduler) if scheduler is not None else LocalEngine(workers)
    )  # an unreachable scheduler fails before any file is written
    store = Store(Path(out))
    try:
        lock = lock_folder(store.out)  # nothing is written before the lock is held
        engine.start()  # workers start while the design is checked
    except BaseException:
        engine.close()
        raise
    try:
        prepare(experiment, store, resume)
        while True:
            finished = store.finished()
            total = experiment.run_count()
            todo = unfinished(experiment.iter_runs(together=True), finished)
            plan = plan_histories(
                todo, engine.workers, share=not fresh_histories, total=total - len(finished)
            )
            _run_batch(engine, store, plan, total, finished, progress, experiment.title)
            needed = replicates_needed_for_precision(experiment, store)
            if needed <= experiment.replicates:
                break
            experiment.replicates = needed
            info = read_sweep_info(store.out)
            write_json(store.out / "experiment.json", {**info, "replicates": needed})
    except WriteError as exc:  # a full disk, say: nothing finished is lost
        raise WriteError(
            f"{exc}; the finished runs are kept: once it can be written, run the sweep again "
            "with --resume"
        ) from None
    finally:
        engine.close()
        lock.unlink(missing_ok=True)
    return store.read_manifest()


def unfinished(runs, finished: set[str]):
    """The runs without a result yet.  A national market with any run unfinished is run whole
    again (its clusters step together); its finished runs' results are the same and are kept as
    they are (:func:`_run_batch`)."""
    for market, group in itertools.groupby(runs, key=lambda run: run.market):
        if not market:
            yield from (run for run in group if run.run_id not in finished)
            continue
        group = list(group)
        if any(run.run_id not in finished for run in group):
            yield from group


def _run_batch(
    engine, store: Store, plan, total: int, finished: set[str], progress: bool, title: str
) -> None:
    plan = iter(plan)
    first = next(plan, None)
    if first is None:
        return
    from tqdm.auto import tqdm  # a widget in notebooks, text in a terminal

    failed = 0
    bar = tqdm(
        total=total,
        initial=min(len(finished), total - 1),
        unit="run",
        desc=_short(title),
        disable=not progress,
        dynamic_ncols=True,
    )
    with bar:
        for result in engine.map(itertools.chain([first], plan)):
            if result["run_id"] in finished:  # a national market's run, computed again with it
                continue
            line = store.save(result)
            failed += line["status"] != "ok"
            bar.set_postfix(failed=failed, engine=engine.name.split(" (")[0], refresh=False)
            bar.update(1)


def _short(title: str, width: int = 40) -> str:
    """The sweep's title for the progress bar: whole words, ``...`` when some are left out."""
    if len(title) <= width:
        return title
    return title[: width - 3].rsplit(" ", 1)[0].rstrip(" ,;:-") + "..."


def replicates_needed_for_precision(experiment: Experiment, store: Store) -> int:
    """Replicates every (package, outcome) with a precision target needs, capped; the
    current count when there is no target."""
    if not experiment.precision or len(experiment.packages) < 2 or not store.finished():
        return experiment.replicates
    from ..analysis.compare import load_results
    from ..analysis.statistics import paired_differences, replicate_unit, replicates_for_half_width

    series, _ = load_results(store.out)
    needed = experiment.replicates
    for outcome, target in experiment.precision.items():
        diffs = paired_differences(series, outcome)
        for _, values in diffs.groupby("package"):
            scale = 100.0 if outcome == "export_share" else 1.0
            n = replicates_for_half_width(
                replicate_unit(values) * scale, target, len(experiment.packages) - 1
            )
            needed = max(needed, n)
    return min(needed, experiment.max_replicates)
