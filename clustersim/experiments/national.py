"""The national experiment: every cluster of a scheme, with and without its package.

An experiment file with ``kind = "national"`` (``experiments/national_200_clusters.toml``)
starts from ``clustersim/data/indian_clusters.csv`` — 69 real clusters at their
published sizes and archetypes — and fills the list to ``total`` clusters with
synthetic ones drawn from the archetypes (labelled ``synthetic``).  Each cluster
is run twice per replicate with the same seed: as it is (its archetype's
scenario) and with the scheme's package, whose facilities and programme budgets
are scaled to the cluster's size — the budget rule: **public money in proportion
to the number of firms** (at most 60 times the package file's sizes, since a
cluster has one CFC and one lab in the model).  The runs use the ordinary sweep
engine (local pool or Dask, resumable); ``clustersim compare`` then writes a
national summary, one row per cluster and a table by state.

With ``market = "national"`` (the default) the clusters that make one product (an archetype)
sell in one national market (:mod:`clustersim.economy.national_market`) and step together, one
task per product, package and replicate: the national effect is the all-treated world against
the none-treated world, and a treated cluster takes sales from the other clusters of its
product.  Each cluster is also run apart (packages ``baseline_apart`` and ``scheme_apart``, the
same seeds), as each would be evaluated alone; the difference between the two is the
displacement between clusters (:mod:`clustersim.analysis.national`).  ``market = "apart"`` runs
only the clusters apart (the design before issue 15).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..inputs.files import ScenarioError, _fail, check_path, read_text, read_toml
from ..inputs.files import _shown as shown
from ..inputs.params import Param
from ..inputs.scenario import check_fields, load_scenario, referenced_scenario
from .design import BASELINE, Experiment, Package, Run, _merge_overrides, check_run_count

DATA = Path(__file__).resolve().parents[1] / "data" / "indian_clusters.csv"
PACKAGE = "scheme"
#: The packages of each design: name -> (is the scheme's package on, does the cluster sell in its
#: national market).  "_apart": the cluster alone, as a single-cluster evaluation would see it.
ARMS = {
    "national": {
        BASELINE: (False, True),
        PACKAGE: (True, True),
        f"{BASELINE}_apart": (False, False),
        f"{PACKAGE}_apart": (True, False),
    },
    "apart": {BASELINE: (False, False), PACKAGE: (True, False)},
}
REFERENCE_FIRMS = 360  # the package file's facilities are sized for a cluster of this many firms
MIN_SCALE, MAX_SCALE = (
    0.05,
    60.0,
)  # one CFC and one lab per cluster: at most 60x the reference (Rs 900 crore of CFC capex)
#: facility sizes and programme budgets that scale with the cluster's size
SCALED = {
    "cfc": ("capacity_hours", "capex_cr", "opex_cr"),
    "testing_lab": ("capacity_tests", "capex_cr", "opex_cr"),
    # the places a quarter of the schemes with a queue (issue 16) scale with the cluster too
    "export_promotion": ("cost_cr", "slots_per_quarter"),
    "facilitation_cell": ("cost_cr",),
    "growth_fund": ("n_firms", "deals_per_quarter"),
    "skills_training": ("seats_per_quarter",),
    "consulting": ("firms_per_quarter",),
    # issue 17: a raw-material bank's depot and stock scale with the cluster; clean production
    # costs per firm, and a link to a port costs what it costs whatever the cluster's size
    "raw_material_bank": ("capacity_cr", "capex_cr", "opex_cr"),
    # issue 17: a workers' hostel is sized to the cluster's workforce; a single window's desk
    # costs what it costs whatever the cluster's size
    "workforce_housing": ("beds", "capex_cr", "opex_cr"),
    # a design centre's designers and building, and a platform cell's onboarding places and staff,
    # scale with the cluster as a CFC and a scheme's queue do; the GI application does not
    "design_centre": ("projects_per_quarter", "capex_cr", "opex_cr"),
    "digital_market": ("onboarding_per_quarter", "cost_cr"),
}
#: The fields of a national-experiment file (validated like every file:
#: clustersim.inputs.scenario.check_fields).
FIELDS: dict[str, Param] = {
    p.key: p
    for p in (
        Param("kind", "national", "-", "this kind of experiment", choices=("national",)),
        Param("title", "", "-", "label used in outputs"),
        Param("description", "", "-", "what the experiment asks"),
        Param(
            "clusters",
            "",
            "path",
            "a CSV of clusters like clustersim/data/indian_clusters.csv (default: that file)",
        ),
        Param(
            "total",
            200,
            "clusters",
            "clusters simulated: the real ones, filled with synthetic ones",
            1,
            2000,
        ),
        Param(
            "archetype_scenarios",
            {},
            "-",
            "scenario file per archetype; 'default' for the others",
            required=True,
        ),
        Param(
            "package",
            "",
            "path",
            "scenario whose interventions are the scheme's package",
            required=True,
        ),
        Param("replicates", 1, "runs", "replicates of every cluster", 1, 10_000),
        Param("seed", 1, "-", "root seed", 0, 2**63 - 1),
        Param(
            "horizon", 0, "quarters", "policy quarters simulated (0 = as in each scenario)", 0, 400
        ),
        Param("burn_in", -1, "quarters", "burn-in quarters (-1 = as in each scenario)", -1, 400),
        Param("synthetic_seed", 1, "-", "seed of the synthetic clusters' draws", 0, 2**63 - 1),
        Param("discount_rate", 0.08, "per year", "discount rate for NPVs", 0.0, 1.0),
        Param(
            "market",
            "national",
            "-",
            "national: the clusters of a product (archetype) share one national market and step "
            "together, and are also run apart; apart: each cluster alone only",
            choices=("national", "apart"),
        ),
        # the scheme designer's tables (clustersim allocate; read by experiments/allocate.py)
        Param("menu", {}, "-", "scheme designer: package name = scenario file"),
        Param("constraints", {}, "-", "scheme designer: the allocation's constraints"),
        Param("metamodel", {}, "-", "scheme designer: the simulated design of its metamodel"),
    )
}


@dataclass(frozen=True)
class Cluster:
    index: int
    name: str
    state: str
    archetype: str
    synthetic: bool
    reliability: str
    n_firms: int
    overrides: dict
    scenario: Path
    scale: float

    @property
    def product(self) -> str:
        """The product market it sells in: its archetype's."""
        return self.archetype


class NationalExperiment(Experiment):
    """An :class:`Experiment` whose design is clusters x {baseline, scheme} x replicates."""

    clusters: list[Cluster]
    market: str  # "national" or "apart"
    #: the scheme designer's allocations (:func:`with_allocations`): arm name -> each cluster's
    #: package overrides (before scaling; {} for nothing); empty for the national experiment
    allocations: dict[str, list[dict]] = {}

    def arm(self, package: str) -> tuple[bool, bool]:
        """(is a package on, does the cluster sell in its national market) for a package name."""
        if package in self.allocations:
            return True, True
        return ARMS[self.market][package]

    def iter_runs(self, replicates: int | None = None, together: bool = True):
        """Every run, one at a time.  Apart, a cluster's packages of a replicate come together (the
        runs that share a history).  In national markets, the runs of a product market (its
        clusters, one package and replicate) come together, one task; then the clusters apart."""
        settings = self._run_settings()

        def run(c: Cluster, r: int, package: Package, market: str = "") -> Run:
            state = np.random.SeedSequence([self.seed, c.index, r]).generate_state(1, np.uint64)
            seed = int(state[0] >> 1)
            treated, _ = self.arm(package.name)
            if package.name in self.allocations:  # each cluster its own package
                scaled = _scale_package(self.allocations[package.name][c.index], c.scale)
            else:
                scaled = _scale_package(self.scheme.overrides if treated else {}, c.scale)
            return Run(
                run_id=f"c{c.index:03d}__{package.name}__r{r:04d}",
                package=package.name,
                point=c.index,
                replicate=r,
                seed=seed,
                scenario=str(c.scenario),
                overrides=_merge_overrides(c.overrides, scaled, settings),
                parameters={"cluster": c.name},
                market=market,
            )

        together_in_market = [p for p in self.packages if self.arm(p.name)[1]]
        alone = [p for p in self.packages if not self.arm(p.name)[1]]
        for r in range(replicates or self.replicates):
            for product, members in self.products().items():
                for package in together_in_market:
                    market = f"{product}__{package.name}__r{r:04d}"
                    yield from (run(c, r, package, market) for c in members)
        for c in self.clusters:
            for r in range(replicates or self.replicates):
                yield from (run(c, r, package) for package in alone)

    @property
    def scheme(self) -> Package:
        return next(p for p in self.packages if p.name == PACKAGE)

    def products(self) -> dict[str, list[Cluster]]:
        """The clusters of each product market, in cluster order (products by their first)."""
        out: dict[str, list[Cluster]] = {}
        for c in self.clusters:
            out.setdefault(c.product, []).append(c)
        return out

    def with_overrides(self, overrides) -> NationalExperiment:
        """Refused: each cluster's settings, and the package's scaling, come from the file."""
        _fail(
            None,
            "argument overrides",
            dict(overrides),
            "a national experiment takes its settings from its file",
            "a package comparison (experiments/*.toml with packages)",
        )

    def design(self) -> dict:
        return {
            **super().design(),
            "clusters": [[c.name, c.n_firms, c.archetype, c.synthetic] for c in self.clusters],
            "market": self.market,
            **({"allocations": self.allocations} if self.allocations else {}),
        }


def with_allocations(
    experiment: NationalExperiment,
    allocations: dict[str, list[dict]],
    products: list[str] | None = None,
) -> NationalExperiment:
    """The national experiment in national markets with one arm per allocation beside the
    baseline: in arm ``name`` cluster ``c`` gets ``allocations[name][c]`` (a package's intervention
    overrides, scaled to its size as the scheme's package is), all clusters of a product stepped
    together.  No clusters apart (the designer's verification).  ``products``: only the product
    markets named (each whole; a cluster keeps its index, so its seed)."""
    import copy

    out = copy.copy(experiment)
    if products is not None:
        out.clusters = [c for c in experiment.clusters if c.product in products]
        out.points = [{"cluster": c.name} for c in out.clusters]
    out.market = "national"
    out.allocations = {name: list(per_cluster) for name, per_cluster in allocations.items()}
    baseline = experiment.packages[0]
    out.packages = [baseline, *(Package(name, baseline.scenario) for name in allocations)]
    return out


def _scale_package(overrides: dict, scale: float) -> dict:
    out = {}
    for section, values in overrides.items():
        name = section.split(".", 1)[1] if section.startswith("interventions.") else None
        values = dict(values)
        for key in SCALED.get(name, ()):
            if key in values:
                scaled = values[key] * scale
                values[key] = max(1, int(round(scaled))) if isinstance(values[key], int) else scaled
        out[section] = values
    return out


def load_any(
    path: str | Path, replicates: int | None = None, horizon: int | None = None
) -> Experiment:
    """Load an experiment file of either kind (package comparison or national)."""
    from .experiment_file import load_experiment

    loader = load_national if is_national(Path(path)) else load_experiment
    return loader(path, replicates=replicates, horizon=horizon)


def is_national(path: Path) -> bool:
    try:
        return read_toml(path).get("kind") == "national"
    except ScenarioError:
        return False


def load_national(
    path: str | Path, replicates: int | None = None, horizon: int | None = None
) -> NationalExperiment:
    path = Path(path)
    raw = read_toml(path)
    get = check_fields(raw, FIELDS, path, fill_defaults=True)
    here = path.parent
    total = get["total"]
    reps = replicates or get["replicates"]
    scenarios = get["archetype_scenarios"]
    default_scenario = scenarios.get("default")
    if default_scenario is None:
        _fail(
            path,
            None,
            None,
            "archetype_scenarios.default is missing",
            "a scenario for archetypes without their own",
        )
    arms = ARMS[get["market"]]
    check_run_count(path, len(arms), total, reps, "--replicates" if replicates else "replicates")
    resolved = {}
    for archetype, file in scenarios.items():
        resolved[archetype] = referenced_scenario(path, f"archetype_scenarios.{archetype}", file)
    package_path = referenced_scenario(path, "package", get["package"])
    package = load_scenario(package_path)
    package_overrides = {
        f"interventions.{name}": {
            "enabled": True,
            **settings,
        }  # every value, so sizes can be scaled
        for name, settings in package.resolved()["interventions"].items()
    }
    if not package_overrides:
        _fail(
            path,
            "package",
            str(package_path),
            "switches on no intervention",
            "a scenario with [interventions.*] tables",
        )
    named_by = (path, "clusters", get["clusters"])
    if get["clusters"]:
        check_path(get["clusters"], named_by, "a CSV file relative to this file")
    data_path = (here / get["clusters"]).resolve() if get["clusters"] else DATA
    clusters = build_clusters(data_path, total, resolved, get["synthetic_seed"], named_by)
    experiment = NationalExperiment(
        path=path,
        title=get["title"] or path.stem,
        description=get["description"],
        packages=[
            Package(arm, package_path, package_overrides)
            if treated
            else Package(arm, resolved["default"])
            for arm, (treated, _) in arms.items()
        ],
        replicates=reps,
        seed=get["seed"],
        common_random_numbers=True,
        horizon=horizon if horizon is not None else get["horizon"],
        burn_in=get["burn_in"],
        n_firms=0,
        discount_rate=float(get["discount_rate"]),
        outcomes=["productivity", "export_share", "jobs"],
        sampler={"method": "none"},
        parameters={},
        precision={},
        max_replicates=reps,
    )
    experiment.clusters = clusters
    experiment.market = get["market"]
    experiment.points = [{"cluster": c.name} for c in clusters]
    return experiment


def _number(text):
    try:
        value = float(text)
    except (TypeError, ValueError):
        return math.nan
    return value if math.isfinite(value) and value > 0 else math.nan


def build_clusters(
    data_path: Path, total: int, scenarios: dict[str, Path], synthetic_seed: int, named_by=None
) -> list[Cluster]:
    """The real clusters with usable figures, then synthetic ones drawn from the archetypes."""
    rows, header = _read_clusters(data_path, named_by)
    clusters: list[Cluster] = []

    def add(
        name, state, archetype, synthetic, reliability, units, workers_per_firm, turnover_per_worker
    ):
        scenario = scenarios.get(archetype, scenarios["default"])
        base = load_scenario(scenario).params.cluster
        n = int(np.clip(round(units), 20, 200_000))
        cluster = {"name": name[:60], "archetype": archetype, "n_firms": n}
        if np.isfinite(workers_per_firm):
            cluster["mean_workers"] = float(workers_per_firm)
        if np.isfinite(turnover_per_worker):
            cluster["turnover_per_worker_lakh"] = float(turnover_per_worker)
        width = int(np.clip(math.ceil(2.2 * math.sqrt(n)), 40, 600))
        overrides = {
            "cluster": {**cluster, "core_spread": float(base.core_spread * width / 40)},
            "run": {"grid_width": width},
        }
        clusters.append(
            Cluster(
                len(clusters),
                name,
                state,
                archetype,
                synthetic,
                reliability,
                n,
                overrides,
                scenario,
                float(np.clip(n / REFERENCE_FIRMS, MIN_SCALE, MAX_SCALE)),
            )
        )

    missing = {"name", "state", "units", "employment", "turnover_inr_cr", "archetype"} - set(header)
    if missing:
        raise ScenarioError(
            f"{shown(data_path)}: missing column(s) {', '.join(sorted(missing))}; "
            "allowed: the columns of clustersim/data/indian_clusters.csv"
        )
    from ..inputs.params import ARCHETYPES

    for i, r in enumerate(rows, start=2):
        if r["archetype"] not in ARCHETYPES:
            raise ScenarioError(
                f"{shown(data_path)}: row {i}, column 'archetype' = {r['archetype']!r}: unknown; "
                f"allowed: {', '.join(ARCHETYPES)}"
            )
    usable = [r for r in rows if np.isfinite(_number(r.get("units")))]
    if not usable:
        raise ScenarioError(
            f"{shown(data_path)}: column 'units' has no number of firms in any row, so none can be "
            "imputed; allowed: a number of firms > 0 in at least one row"
        )
    median_units = {
        a: float(np.median([_number(r["units"]) for r in usable if r["archetype"] == a]))
        for a in {r["archetype"] for r in usable}
    }
    for r in rows[:total]:
        units, employment, turnover = (
            _number(r["units"]),
            _number(r["employment"]),
            _number(r["turnover_inr_cr"]),
        )
        reliability = r.get("reliability", "")
        if not np.isfinite(units):  # blank in the data: the archetype's median, labelled
            units = median_units.get(r["archetype"], float(np.median(list(median_units.values()))))
            reliability += " (units imputed: archetype median)"
        trusted = r.get("reliability", "C").startswith(("A", "B"))
        wpf = employment / units if trusted else math.nan
        wpf = (
            wpf if 2.0 <= wpf <= 150.0 else math.nan
        )  # association figures often count indirect workers
        tpw = turnover * 100 / employment if trusted else math.nan
        tpw = tpw if 0.05 <= tpw <= 200.0 else math.nan
        add(r["name"], r["state"], r["archetype"], False, reliability, units, wpf, tpw)
    rng = np.random.default_rng(synthetic_seed)
    archetypes = [r["archetype"] for r in usable]
    log_units = np.log([_number(r["units"]) for r in usable])
    k = 0
    while len(clusters) < total:
        k += 1
        archetype = archetypes[rng.integers(len(archetypes))]
        units = float(np.exp(rng.normal(np.median(log_units), log_units.std())))
        add(
            f"Synthetic {archetype.replace('_', ' ')} #{k}",
            "synthetic",
            archetype,
            True,
            "synthetic",
            float(np.clip(units, 30, 5000)),
            math.nan,
            math.nan,
        )
    return clusters


def _read_clusters(data_path: Path, named_by) -> tuple[list[dict], list[str]]:
    """The rows and header of a clusters CSV; a row with too few fields is an error."""
    text = read_text(data_path, named_by, encoding="utf-8-sig")
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        rows, header = list(reader), list(reader.fieldnames or [])
    except csv.Error as exc:
        raise ScenarioError(f"{shown(data_path)}: cannot be read as CSV ({exc})") from None
    if not rows:
        raise ScenarioError(
            f"{shown(data_path)}: has no cluster rows; allowed: a header and at least one cluster"
        )
    for i, row in enumerate(rows, start=2):
        if None in row.values():
            raise ScenarioError(
                f"{shown(data_path)}: row {i}: has fewer fields than the header; "
                f"allowed: {', '.join(header)}"
            )
    return rows, header
