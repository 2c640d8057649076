"""Python API for notebooks and scripts: run a scenario or a sweep and get tidy pandas data.

Overrides are the same keys everywhere: ``{"interventions.cfc.capacity_hours": 80000.0}`` (dotted,
as in an experiment's ``set``) or nested tables (``{"interventions": {"cfc": {...}}}``), validated
like a scenario file's values; a bad one raises :class:`clustersim.ScenarioError` naming it
(``argument overrides['interventions.cfc.capacity_hours']: ...``).  Mesa's own tools build
:class:`~clustersim.economy.model.ClusterModel` directly with the same keys (docs/python.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any


def run_scenario(
    scenario: str | Path,
    seed: int | None = None,
    horizon: int | None = None,
    n_firms: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    panel: bool = False,
):
    """Load, validate and run a scenario, as ``clustersim run`` does; return the finished
    :class:`ClusterModel`.  ``seed`` None is the scenario's ``run.seed`` (as on the command line:
    the same call gives the same run); ``horizon`` and ``n_firms`` are ``--steps`` and
    ``--firms``; ``overrides`` set any scenario key."""
    from .economy.model import ClusterModel
    from .inputs.arguments import load_with_overrides

    named = {}
    if horizon is not None:
        named["run.horizon"] = ("horizon", horizon)
    if n_firms is not None:
        named["cluster.n_firms"] = ("n_firms", n_firms)
    if seed is not None:
        named["run.seed"] = ("seed", seed)
    loaded = load_with_overrides(scenario, overrides, named=named)
    model = ClusterModel(loaded, seed=loaded.params.run.seed, n_firms=n_firms, panel=panel)
    model.run()
    return model


def timeseries(model):
    """The model's quarterly series as a pandas DataFrame (columns as in timeseries.csv)."""
    import pandas as pd

    from .economy.reporters import COLUMN_NAMES

    return pd.DataFrame(model.series.rows, columns=list(COLUMN_NAMES))


def sweep(
    experiment: str | Path,
    out: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    replicates: int | None = None,
    horizon: int | None = None,
    progress: bool = False,
    overrides: Mapping[str, Any] | None = None,
    fresh_histories: bool = False,
):
    """Run an experiment file's sweep (either kind); return its manifest
    (one row per run) as a DataFrame.  ``overrides`` (scenario keys) apply to every package of a
    package comparison, the baseline too, after each package's own ``set``.  The packages of a
    replicate continue from one shared pre-policy history; ``fresh_histories=True`` runs each from
    scratch (same results, slower)."""
    from .experiments.engines import start_fork_server
    from .experiments.national import load_any
    from .experiments.sweep import run_sweep

    if scheduler is None:
        start_fork_server()  # the workers' imports overlap reading the experiment
    design = load_any(experiment, replicates=replicates, horizon=horizon)
    if overrides:
        design = design.with_overrides(overrides)
    return run_sweep(
        design,
        out,
        workers=workers,
        scheduler=scheduler,
        resume=resume,
        progress=progress,
        fresh_histories=fresh_histories,
    )


def compare(out: str | Path, targets: dict[str, float] | None = None, write: bool = True):
    """Effects vs the baseline for a finished sweep: a dict of DataFrames
    (``comparison``, ``ranking``, ``pairwise`` (who beats whom, each holistic package's synergy)
    and ``drivers`` (which drawn parameters move them); for Sobol/Morris sweeps, ``sensitivity``;
    with a ``[trial]``, ``trial``: its estimates in each package)."""
    from .analysis.compare import compare as _compare
    from .views.summary import write_comparison

    comparison = _compare(out, targets=targets)
    if write:
        write_comparison(out, comparison)
    return comparison.frames()


def trial(out: str | Path):
    """A sweep's in-silico trial estimated in each package (ANCOVA with its interval and minimum
    detectable effect, difference in means, in levels, logs and per rupee; every run is one
    trial): a DataFrame, or None when the sweep ran no trial.  No baseline is needed."""
    from .experiments.trials import from_sweep

    return from_sweep(out)


def results(out: str | Path):
    """Every finished run's quarterly series of a sweep, as one tidy DataFrame."""
    from .analysis.compare import load_results

    return load_results(out)[0]


def allocate(
    experiment: str | Path,
    budget_cr: float,
    out: str | Path,
    objective: str = "net_jobs",
    workers: int | None = None,
    scheduler: str | None = None,
    verify: bool = True,
    progress: bool = False,
    verify_products: list[str] | None = None,
):
    """The scheme designer (issue 21): one package per cluster of a designer file (a national
    experiment with a [menu]) for ``budget_cr`` Rs crore, maximising ``objective`` (net_jobs, npv
    or exports) on a metamodel fitted to simulated runs; the rules of thumb, the robustness across
    prior draws and, with ``verify``, the allocations simulated in national markets (every
    product market, or those in ``verify_products``).  Runs are
    kept in ``out/design`` and ``out/verification/*`` (resumed when run again).  Writes
    allocation.csv/.md/.png and the tables beside them; returns the
    :class:`~clustersim.analysis.designer.Design`."""
    from .analysis.compare import load_results
    from .analysis.designer import decide, verification_allocations, verification_gap
    from .experiments.allocate import check_request, load_designer, metamodel_design
    from .experiments.engines import start_fork_server
    from .experiments.national import with_allocations
    from .experiments.sweep import run_sweep
    from .views.allocation import write_allocation

    check_request(budget_cr, objective)
    designer = load_designer(experiment)
    out = Path(out)
    if scheduler is None:
        start_fork_server()
    design_folder = out / "design"
    run_sweep(
        metamodel_design(designer),
        design_folder,
        workers=workers,
        scheduler=scheduler,
        resume=True,
        progress=progress,
    )
    series, _ = load_results(design_folder)
    design = decide(designer, series, float(budget_cr), objective)
    if verify_products is not None:
        known = sorted({c.product for c in designer.national.clusters})
        for product in verify_products:
            if product not in known:
                from .inputs.files import _fail

                _fail(None, "--verify-products", product, "no cluster makes it", ", ".join(known))
    if verify:
        arms = with_allocations(
            designer.national, verification_allocations(designer, design), verify_products
        )
        folder = out / "verification" / arms.fingerprint()
        run_sweep(
            arms, folder, workers=workers, scheduler=scheduler, resume=True, progress=progress
        )
        design.verification = verification_gap(
            design, load_results(folder)[0], designer.discount_rate
        )
        design.runs += arms.run_count()
    write_allocation(out, design, designer.national.title)
    return design
