"""The scheme designer's inputs and runs: which clusters, which menu of packages, which
constraints, and the simulated design that the effects of every cluster x package are estimated
from (issue 21).

A designer file is a national experiment file (``kind = "national"``, its clusters built by
:func:`clustersim.experiments.national.build_clusters`) with three more tables:

- ``[menu]``: package name = scenario file whose interventions are the package ("nothing", no
  intervention, is always on the menu).  Each package's facility sizes and programme budgets are
  scaled to a cluster's firms exactly as the national experiment scales its package
  (:func:`clustersim.experiments.national._scale_package`), so that its cost grows with firms.
- ``[constraints]`` (optional): ``min_state_share``, ``max_cluster_cr``, ``mandatory``,
  ``eligibility_column`` and ``eligibility_min`` (see :data:`CONSTRAINT_FIELDS`).
- ``[metamodel]`` (optional): the simulated design (see :data:`METAMODEL_FIELDS`).

**The design.**  Simulating every cluster x package x replicate x prior draw is far beyond two
cores (200 x 6 x R x D runs, some of 28,000 firms).  Instead representative clusters are
simulated: every archetype at a few sizes (``sizes``, firms), each with every package and
"nothing", with common random numbers (a cell's replicate has one seed whatever the package or
draw, so the packages of a draw share one pre-policy history), ``replicates`` replicates (one
number, or one per size: a small cluster is cheap and its effect per firm noisy, so it gets more),
``draws`` joint draws (Latin hypercube) of the effect parameters of the menu's interventions from
their declared priors, and one more point at the parameters' defaults (the model as the
verification and every other command runs it; it does not enter the expectation, which is the
mean over the prior draws).  :mod:`clustersim.analysis.metamodel` fits the metamodel on these
runs.  The design is an ordinary sweep (local pool or Dask, resumable).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..inputs.files import _fail
from ..inputs.params import PARAMETERS, Param, Prior
from ..inputs.scenario import check_fields, load_scenario, nest, referenced_scenario
from .design import BASELINE, Experiment, Package, Run, _merge_overrides
from .national import (
    PACKAGE,
    REFERENCE_FIRMS,
    NationalExperiment,
    _read_clusters,
    _scale_package,
    load_national,
)

NOTHING = "nothing"
#: Columns of the clusters CSV an eligibility rule may read ("units" is also the firms simulated
#: for a synthetic cluster; the others are blank for synthetic clusters, which are then ineligible).
ELIGIBILITY_COLUMNS = ("units", "employment", "turnover_inr_cr", "exports_inr_cr")
OBJECTIVES = ("net_jobs", "npv", "exports")

CONSTRAINT_FIELDS: dict[str, Param] = {
    p.key: p
    for p in (
        Param(
            "min_state_share",
            0.0,
            "share of budget",
            "each state with a real cluster gets at least this share of the budget (or all its "
            "clusters' dearest packages if that is less)",
            0.0,
            0.05,
        ),
        Param(
            "max_cluster_cr",
            0.0,
            "Rs crore",
            "most public money one cluster may get (0 = no cap)",
            0.0,
            1e6,
        ),
        Param(
            "mandatory",
            "",
            "-",
            "an intervention every package given must contain ('' = none)",
        ),
        Param(
            "eligibility_column",
            "",
            "-",
            "a column of the clusters CSV a cluster must reach eligibility_min in to get a package "
            "('' = every cluster eligible)",
            choices=("", *ELIGIBILITY_COLUMNS),
        ),
        Param(
            "eligibility_min", 0.0, "column's unit", "threshold of eligibility_column", 0.0, 1e12
        ),
    )
}
#: the representative cluster sizes (firms) simulated for every archetype, and the replicates of
#: each (checked apart: lists)
SIZES = [50, 210, 520, 1700, 5000]
REPLICATES = [3, 2, 2, 2, 2]
METAMODEL_FIELDS: dict[str, Param] = {
    p.key: p
    for p in (
        Param("draws", 4, "draws", "joint draws of the menu's effect priors", 1, 200),
        Param("seed", 21, "-", "seed of the design's runs and of the prior draws", 0, 2**63 - 1),
        Param(
            "horizon", 0, "quarters", "policy quarters simulated (0 = as in each scenario)", 0, 400
        ),
    )
}


@dataclass(frozen=True)
class MenuPackage:
    """A package of the menu: its name, scenario file and intervention settings (every value, so
    that sizes can be scaled to a cluster)."""

    name: str
    scenario: Path
    overrides: dict = field(default_factory=dict)

    @property
    def interventions(self) -> tuple[str, ...]:
        return tuple(s.removeprefix("interventions.") for s in self.overrides)

    def for_cluster(self, scale: float) -> dict:
        """The package's overrides for a cluster of ``scale`` times the reference firms."""
        return _scale_package(self.overrides, scale)


@dataclass
class Designer:
    """A designer file read: the clusters (a national experiment), the menu (``nothing`` first),
    the constraints, the metamodel design's settings and the clusters' data columns."""

    path: Path
    national: NationalExperiment
    menu: list[MenuPackage]
    constraints: dict
    metamodel: dict
    data: list[dict]  # per cluster: the ELIGIBILITY_COLUMNS (nan where blank or synthetic)

    @property
    def package_names(self) -> list[str]:
        return [p.name for p in self.menu]

    @property
    def discount_rate(self) -> float:
        return self.national.discount_rate


def load_designer(path: str | Path) -> Designer:
    """Read and validate a designer file; bad input is one ScenarioError naming file/key/value."""
    path = Path(path)
    national = load_national(path)
    from ..inputs.files import read_toml

    raw = read_toml(path)
    menu_table = raw.get("menu", {})
    if not isinstance(menu_table, dict) or not menu_table:
        _fail(
            path,
            "menu",
            menu_table if not isinstance(menu_table, dict) else "[empty table]",
            "the designer needs a menu",
            "a [menu] table of package name = scenario file",
        )
    menu = [MenuPackage(NOTHING, national.packages[0].scenario, {})]
    for name, file in menu_table.items():
        if name == NOTHING or name in (BASELINE, PACKAGE) or not name.replace("_", "").isalnum():
            _fail(
                path,
                f"menu.{name}",
                file,
                "is not a usable package name",
                f"letters, digits and _ other than {NOTHING}, {BASELINE}, {PACKAGE}",
            )
        scenario = referenced_scenario(path, f"menu.{name}", file)
        resolved = load_scenario(scenario).resolved()["interventions"]
        if not resolved:
            _fail(
                path,
                f"menu.{name}",
                file,
                "switches on no intervention",
                "a scenario with [interventions.*] tables",
            )
        overrides = {f"interventions.{k}": {"enabled": True, **v} for k, v in resolved.items()}
        menu.append(MenuPackage(name, scenario, overrides))
    constraints = check_fields(
        _table(raw, "constraints", path), CONSTRAINT_FIELDS, path, "constraints.", True
    )
    mandatory = constraints["mandatory"]
    if mandatory and not any(mandatory in p.interventions for p in menu):
        offered = sorted({i for p in menu for i in p.interventions})
        _fail(
            path,
            "constraints.mandatory",
            mandatory,
            "no package of the menu contains it",
            ", ".join(offered),
        )
    table = dict(_table(raw, "metamodel", path))
    sizes = table.pop("sizes", SIZES)
    replicates = table.pop("replicates", REPLICATES)
    metamodel = check_fields(table, METAMODEL_FIELDS, path, "metamodel.", True)
    if (
        not isinstance(sizes, list)
        or len(sizes) < 2
        or not all(
            isinstance(s, int) and not isinstance(s, bool) and 20 <= s <= 50_000 for s in sizes
        )
        or len(set(sizes)) != len(sizes)
    ):
        _fail(
            path,
            "metamodel.sizes",
            sizes,
            "must be at least two different cluster sizes",
            "a list of whole numbers of firms in [20, 50000]",
        )
    if isinstance(replicates, int) and not isinstance(replicates, bool):
        replicates = [replicates] * len(sizes)
    if (
        not isinstance(replicates, list)
        or len(replicates) != len(sizes)
        or not all(
            isinstance(r, int) and not isinstance(r, bool) and 2 <= r <= 100 for r in replicates
        )
    ):
        _fail(
            path,
            "metamodel.replicates",
            replicates,
            "must be the replicates of every size (at least 2: the fit is checked on held-out "
            "replicates)",
            f"a whole number in [2, 100], or a list of {len(sizes)} such, one per size",
        )
    order = np.argsort(sizes)
    metamodel["sizes"] = [int(sizes[i]) for i in order]
    metamodel["replicates"] = [int(replicates[i]) for i in order]
    data = _cluster_data(national)
    return Designer(path, national, menu, constraints, metamodel, data)


def _table(raw: dict, key: str, path: Path) -> dict:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        _fail(path, key, value, "must be a table", f"a [{key}] table")
    return value


def _cluster_data(national: NationalExperiment) -> list[dict]:
    """The eligibility columns of each cluster: a real cluster's row of the CSV, a synthetic
    cluster's firms as ``units`` and nothing else."""
    from .national import DATA, _number

    path = national.path
    from ..inputs.files import read_toml

    given = read_toml(path).get("clusters", "")
    data_path = (path.parent / given).resolve() if given else DATA
    rows, _ = _read_clusters(data_path, (path, "clusters", given))
    out = []
    for c in national.clusters:
        if c.synthetic:
            out.append(
                {k: (float(c.n_firms) if k == "units" else math.nan) for k in ELIGIBILITY_COLUMNS}
            )
        else:
            row = rows[c.index]
            values = {k: _number(row.get(k)) for k in ELIGIBILITY_COLUMNS}
            values["units"] = float(c.n_firms)  # as simulated (imputed where blank, labelled)
            out.append(values)
    return out


# ------------------------------------------------------------------ the metamodel's design
@dataclass(frozen=True)
class Cell:
    """A representative cluster: an archetype at a size."""

    index: int
    archetype: str
    n_firms: int
    scenario: Path
    overrides: dict
    replicates: int = 2

    @property
    def scale(self) -> float:
        from .national import MAX_SCALE, MIN_SCALE

        return float(np.clip(self.n_firms / REFERENCE_FIRMS, MIN_SCALE, MAX_SCALE))


class DesignExperiment(Experiment):
    """The metamodel's simulated design: cells (archetype x size) x draws as points (the prior
    draws, then the defaults), the menu's packages ("nothing" is the baseline), each cell's
    replicates; a cell's replicate has one seed."""

    cells: list[Cell]
    draws: list[dict]  # one dict of parameter values a draw; the last holds the defaults
    menu: list[MenuPackage]

    @property
    def defaults_draw(self) -> int:
        """The index of the draw at the parameters' defaults (after the prior draws)."""
        return len(self.draws) - 1

    def iter_runs(self, replicates: int | None = None, together: bool = False):
        """Every run; the packages of a point (cell and draw) and replicate one after another
        (they share one history), points in cell order."""
        settings = self._run_settings()
        for i, point in enumerate(self.points):
            cell, draw = self.cells[point["cell"]], point["draw"]
            priors = nest(self.draws[draw]) if self.draws[draw] else {}
            for r in range(replicates or cell.replicates):
                key = [self.seed, cell.index, r]  # common random numbers across packages, draws
                state = np.random.SeedSequence(key).generate_state(1, np.uint64)
                seed = int(state[0] >> 1)
                for package, menu in zip(self.packages, self.menu, strict=True):
                    yield Run(
                        run_id=f"{package.name}__p{i:04d}__r{r:04d}",
                        package=package.name,
                        point=i,
                        replicate=r,
                        seed=seed,
                        scenario=str(cell.scenario),
                        overrides=_merge_overrides(
                            cell.overrides, menu.for_cluster(cell.scale), priors, settings
                        ),
                        parameters=dict(point),
                    )

    def run_count(self) -> int:
        return len(self.packages) * sum(self.cells[p["cell"]].replicates for p in self.points)

    def design(self) -> dict:
        return {
            **super().design(),
            "cells": [[c.archetype, c.n_firms, c.replicates] for c in self.cells],
            "draws": self.draws,
            "menu": [[m.name, str(m.scenario), m.overrides] for m in self.menu],
        }


def menu_priors(menu: list[MenuPackage]) -> dict[str, Prior]:
    """The declared priors of the effect parameters of the menu's interventions (not the
    calibrated parameters': those are the model's, not the interventions')."""
    offered = {i for p in menu for i in p.interventions}
    return {
        key: p.prior
        for key, p in PARAMETERS.items()
        if p.prior is not None and not p.prior.calibrated and offered.intersection(p.effect_of)
    }


def prior_draws(priors: dict[str, Prior], n: int, seed: int) -> list[dict]:
    """``n`` joint draws of the priors by Latin hypercube (each through its inverse CDF)."""
    if not priors:
        return [{}]
    from scipy.stats import qmc

    keys = sorted(priors)
    unit = qmc.LatinHypercube(d=len(keys), seed=np.random.default_rng(seed)).random(n)
    draws = []
    for row in unit:
        draw = {}
        for key, u in zip(keys, row, strict=True):
            value = float(priors[key].draw(u, PARAMETERS[key].default))
            draw[key] = int(round(value)) if PARAMETERS[key].kind is int else value
        draws.append(draw)
    return draws


def metamodel_design(designer: Designer) -> DesignExperiment:
    """The design the metamodel is fitted on: every archetype of the clusters at each size."""
    national, settings = designer.national, designer.metamodel
    archetypes = list(dict.fromkeys(c.archetype for c in national.clusters))
    scenario_of = {c.archetype: c.scenario for c in national.clusters}
    from ..inputs.scenario import load_scenario as load

    cells = []
    for archetype in archetypes:
        base = load(scenario_of[archetype]).params.cluster
        for n, replicates in zip(settings["sizes"], settings["replicates"], strict=True):
            width = int(np.clip(math.ceil(2.2 * math.sqrt(n)), 40, 600))  # as build_clusters
            overrides = {
                "cluster": {
                    "archetype": archetype,
                    "n_firms": int(n),
                    "core_spread": float(base.core_spread * width / 40),
                },
                "run": {"grid_width": width},
            }
            cells.append(
                Cell(len(cells), archetype, int(n), scenario_of[archetype], overrides, replicates)
            )
    priors = menu_priors(designer.menu)
    draws = prior_draws(priors, settings["draws"], settings["seed"]) if priors else []
    draws.append({key: PARAMETERS[key].default for key in sorted(priors)})  # the defaults
    menu = designer.menu
    experiment = DesignExperiment(
        path=designer.path,
        title=f"{national.title}: the designer's metamodel design",
        description="representative clusters x menu x prior draws x replicates",
        packages=[
            Package(BASELINE if m.name == NOTHING else m.name, m.scenario, m.overrides)
            for m in menu
        ],
        replicates=max(settings["replicates"]),
        seed=settings["seed"],
        common_random_numbers=True,
        horizon=settings["horizon"] or national.horizon,
        burn_in=national.burn_in,
        n_firms=0,
        discount_rate=designer.discount_rate,
        outcomes=["productivity", "export_share", "jobs"],
        sampler={"method": "none"},
        parameters={},
        precision={},
        max_replicates=max(settings["replicates"]),
    )
    experiment.cells, experiment.draws, experiment.menu = cells, draws, menu
    experiment.points = [  # a point carries its draw's values (experiment.json's check)
        {"cell": c.index, "draw": d, **draws[d]} for c in cells for d in range(len(draws))
    ]
    experiment.priors = priors
    return experiment


def check_request(budget_cr, objective: str) -> None:
    """The command's own arguments: a budget in Rs crore >= 0, a known objective."""
    if (
        isinstance(budget_cr, bool)
        or not isinstance(budget_cr, (int, float))
        or not math.isfinite(budget_cr)
        or budget_cr < 0
    ):
        _fail(None, "--budget-cr", budget_cr, "is not a budget", "a number of Rs crore >= 0")
    if objective not in OBJECTIVES:
        _fail(None, "--objective", objective, "unknown objective", ", ".join(OBJECTIVES))
