"""Experiment files: which packages to compare with which baseline, how many
replicates, which parameters to vary and how to sample them.

An experiment is a TOML file (see ``experiments/*.toml``)::

    title = "Every intervention vs the baseline"
    baseline = "../scenarios/baseline.toml"
    replicates = 20
    seed = 20261122

    [packages]
    cfc = "../scenarios/cfc.toml"                 # a scenario file
    [packages.big_cfc]                            # or a scenario plus overrides
    scenario = "../scenarios/cfc.toml"
    set = { "interventions.cfc.capacity_hours" = 80000.0 }
    [packages.no_guarantee]                       # a package minus one of its interventions
    scenario = "../scenarios/holistic_spv.toml"
    set = { "interventions.credit_guarantee.enabled" = false }

    [sampler]                                     # optional: vary parameters
    method = "lhs"                                # grid, lhs, random, sobol, morris
    samples = 16
    [parameters]
    "technology.cfc_lift" = [0.05, 0.2]

It is validated like a scenario: one clear error naming the file, key, value and
what is allowed (:class:`clustersim.scenario.ScenarioError`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..inputs.params import INTERVENTIONS, PARAMETERS, Param
from ..inputs.scenario import (
    ScenarioError,
    _fail,
    _suggest,
    check_fields,
    load_scenario,
    nest,
    read_toml,
)

OUTCOMES = ("productivity", "export_share", "jobs")
SAMPLERS = ("none", "grid", "lhs", "random", "sobol", "morris")
SENSITIVITY_SAMPLERS = ("sobol", "morris")
BASELINE = "baseline"

#: The fields of an experiment file, declared like model parameters and validated by the same path
#: (:func:`clustersim.inputs.scenario.check_fields`).
FIELDS: dict[str, Param] = {
    p.key: p
    for p in (
        Param("title", "", "-", "label used in outputs"),
        Param("description", "", "-", "what the experiment asks"),
        Param(
            "baseline",
            "",
            "path",
            "the scenario every package is compared with, relative to the experiment file",
            required=True,
        ),
        Param(
            "replicates",
            20,
            "runs",
            "replicates of every package (and parameter point)",
            1,
            100_000,
        ),
        Param(
            "seed",
            1,
            "-",
            "root seed: replicate r of every package uses the same streams",
            0,
            2**63 - 1,
        ),
        Param(
            "common_random_numbers",
            True,
            "-",
            "pair packages by replicate (false: independent seeds, for comparison)",
        ),
        Param(
            "horizon", 0, "quarters", "policy quarters simulated (0 = as in each scenario)", 0, 400
        ),
        Param("burn_in", -1, "quarters", "burn-in quarters (-1 = as in each scenario)", -1, 400),
        Param("n_firms", 0, "firms", "rescale every cluster (0 = as in each scenario)", 0, 200_000),
        Param("discount_rate", 0.08, "per year", "discount rate for NPVs", 0.0, 1.0),
        Param("outcomes", list(OUTCOMES), "-", "outcomes compared: columns of timeseries.csv"),
        Param(
            "packages",
            {},
            "-",
            "the packages compared: name = scenario file, or name = {scenario, set}",
        ),
        Param(
            "sampler", {}, "-", "how parameter points are drawn: a table with method, samples, seed"
        ),
        Param(
            "parameters", {}, "-", 'parameters varied and their ranges: "section.key" = [low, high]'
        ),
        Param(
            "precision",
            {},
            "-",
            "run until the CIs are this tight: outcome = target 95 % CI half-width",
        ),
        Param(
            "max_replicates",
            200,
            "runs",
            "cap when running until a precision is reached",
            1,
            100_000,
        ),
        Param(
            "kind",
            "compare",
            "-",
            "the kind of experiment ('national' files: clustersim/experiments/national.py)",
            choices=("compare", "national"),
        ),
        Param(
            "trial",
            {},
            "-",
            "an in-silico field trial run inside every package "
            "(a [trial] table of docs/parameters.md)",
        ),
    )
}


@dataclass(frozen=True)
class Package:
    name: str
    scenario: Path
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Run:
    """One model run of a sweep: a package at a parameter point and a replicate."""

    run_id: str
    package: str
    point: int
    replicate: int
    seed: int
    scenario: str
    overrides: dict
    parameters: dict

    def to_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "package": self.package,
            "point": self.point,
            "replicate": self.replicate,
            "seed": self.seed,
            "scenario": self.scenario,
            "overrides": self.overrides,
            "parameters": self.parameters,
        }


@dataclass
class Experiment:
    path: Path
    title: str
    description: str
    packages: list[Package]  # baseline first
    replicates: int
    seed: int
    common_random_numbers: bool
    horizon: int
    burn_in: int
    n_firms: int
    discount_rate: float
    outcomes: list[str]
    sampler: dict
    parameters: dict[str, tuple[float, float]]
    precision: dict[str, float]
    max_replicates: int
    points: list[dict[str, float]] = field(default_factory=list)

    @property
    def package_names(self) -> list[str]:
        return [p.name for p in self.packages]

    def replicate_seed(self, replicate: int, package_index: int) -> int:
        """Seed of a replicate.  With common random numbers every package shares it."""
        key = (
            [self.seed, replicate]
            if self.common_random_numbers
            else [self.seed, replicate, package_index + 1]
        )
        return int(np.random.SeedSequence(key).generate_state(1, dtype=np.uint64)[0] >> 1)

    def runs(self, replicates: int | None = None) -> list[Run]:
        """Every run of the design, baseline first, in a stable order."""
        out = []
        for k, package in enumerate(self.packages):
            for i, point in enumerate(self.points):
                for r in range(replicates or self.replicates):
                    overrides = _merge_overrides(
                        package.overrides, nest(point), self._run_settings()
                    )
                    out.append(
                        Run(
                            run_id=f"{package.name}__p{i:04d}__r{r:04d}",
                            package=package.name,
                            point=i,
                            replicate=r,
                            seed=self.replicate_seed(r, k),
                            scenario=str(package.scenario),
                            overrides=overrides,
                            parameters=dict(point),
                        )
                    )
        return out

    def _run_settings(self) -> dict:
        run: dict[str, Any] = {}
        if self.horizon:
            run["horizon"] = self.horizon
        if self.burn_in >= 0:
            run["burn_in"] = self.burn_in
        settings: dict[str, dict] = {"run": run} if run else {}
        if self.n_firms:
            settings["cluster"] = {"n_firms": self.n_firms}
        return settings

    def design(self) -> dict:
        """What defines the results (replicates aside): compared on --resume."""
        return {
            "packages": [[p.name, str(p.scenario), p.overrides] for p in self.packages],
            "seed": self.seed,
            "common_random_numbers": self.common_random_numbers,
            "horizon": self.horizon,
            "burn_in": self.burn_in,
            "n_firms": self.n_firms,
            "points": self.points,
            "parameters": {k: list(v) for k, v in self.parameters.items()},
            "sampler": self.sampler,
        }

    def fingerprint(self) -> str:
        """Hash of the design and of every package's resolved parameters (so editing a scenario file
        between a crash and --resume is caught)."""
        resolved = [
            load_scenario(
                p.scenario, _merge_overrides(p.overrides, self._run_settings())
            ).resolved()
            for p in self.packages
        ]
        payload = json.dumps([self.design(), resolved], sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    @property
    def is_sensitivity(self) -> bool:
        return self.sampler.get("method") in SENSITIVITY_SAMPLERS

    def salib_problem(self) -> dict:
        keys = list(self.parameters)
        return {
            "num_vars": len(keys),
            "names": keys,
            "bounds": [list(self.parameters[k]) for k in keys],
        }


def _merge_overrides(*parts: dict) -> dict:
    out: dict[str, dict] = {}
    for part in parts:
        for section, values in part.items():
            out.setdefault(section, {}).update(values)
    return out


def _dotted_overrides(table: dict, file: Path, where: str) -> dict:
    """{"section.key": value} -> {section: {key: value}},
    each key checked against the declarations."""
    for key, value in table.items():
        switch = re.fullmatch(r"interventions\.(\w+)\.enabled", key)
        if (
            switch and switch.group(1) in INTERVENTIONS
        ):  # switch a scenario's intervention off (or on), as in a scenario file
            if not isinstance(value, bool):
                _fail(file, f"{where}.{key!r}", value, "wrong type", "true or false")
        elif key not in PARAMETERS or key.startswith("shock."):
            _fail(
                file,
                f"{where}.{key!r}",
                value,
                "unknown parameter" + _suggest(key, PARAMETERS),
                "a key of docs/parameters.md, or interventions.NAME.enabled",
            )
    return nest(table)


def load_experiment(
    path: str | Path, replicates: int | None = None, horizon: int | None = None
) -> Experiment:
    """Read and validate an experiment file; every scenario it names is validated too."""
    path = Path(path)
    get = check_fields(read_toml(path), FIELDS, path, fill_defaults=True)
    here = path.parent

    def scenario_path(value, key) -> Path:
        if not isinstance(value, str) or not value:
            _fail(
                path,
                key,
                value,
                "must name a scenario file",
                "a path relative to the experiment file",
            )
        target = (here / value).resolve()
        try:
            load_scenario(target)
        except ScenarioError as exc:
            raise ScenarioError(f"{path}: {key} = {value!r}: {exc}") from None
        return target

    packages = [Package(BASELINE, scenario_path(get["baseline"], "baseline"))]
    for name, spec in get["packages"].items():
        key = f"packages.{name}"
        if name == BASELINE:
            _fail(path, key, spec, "the name 'baseline' is reserved", "another name")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,60}", name):
            _fail(
                path,
                key,
                spec if isinstance(spec, str) else "[table]",
                "not a usable package name",
                "letters, digits, _ and - (it names files)",
            )
        if isinstance(spec, str):
            packages.append(Package(name, scenario_path(spec, key)))
        elif isinstance(spec, dict):
            unknown = set(spec) - {"scenario", "set"}
            if unknown:
                _fail(path, f"{key}.{sorted(unknown)[0]}", "?", "unknown key", "scenario, set")
            overrides = (
                _dotted_overrides(spec.get("set", {}), path, f"{key}.set")
                if isinstance(spec.get("set", {}), dict)
                else _fail(
                    path, f"{key}.set", spec["set"], "must be a table", '{ "section.key" = value }'
                )
            )
            pkg = Package(name, scenario_path(spec.get("scenario"), f"{key}.scenario"), overrides)
            try:
                resolved = load_scenario(pkg.scenario, pkg.overrides, overrides_from="set")
            except ScenarioError as exc:
                raise ScenarioError(f"{path}: {key}: {exc}") from None
            for section, values in overrides.items():
                intervention = section.removeprefix("interventions.")
                if (
                    section != intervention
                    and not getattr(resolved.params.interventions, intervention).enabled
                    and "enabled" not in values
                ):
                    setting = f"{section}.{next(iter(values))}"
                    _fail(
                        path,
                        f"{key}.set.{setting!r}",
                        values[next(iter(values))],
                        f"sets {intervention} but its scenario does not switch it on",
                        f'add "{section}.enabled" = true to switch it on, or drop the setting',
                    )
            packages.append(pkg)
        else:
            _fail(path, key, spec, "wrong type", FIELDS["packages"].meaning)

    if get["kind"] != "compare":
        _fail(
            path,
            "kind",
            get["kind"],
            "not an experiment of this kind",
            "'compare', or 'national' files are read by the national loader",
        )
    if get["trial"]:
        trial = _dotted_overrides({f"trial.{k}": v for k, v in get["trial"].items()}, path, "trial")
        packages = [
            Package(p.name, p.scenario, _merge_overrides(p.overrides, trial)) for p in packages
        ]
        for pkg in packages:
            try:
                load_scenario(pkg.scenario, pkg.overrides, overrides_from="[trial]")
            except ScenarioError as exc:
                raise ScenarioError(f"{path}: {exc}") from None
    outcomes = get["outcomes"]
    from ..economy.reporters import COLUMN_NAMES

    for outcome in outcomes:
        if outcome not in COLUMN_NAMES:
            _fail(
                path,
                "outcomes",
                outcome,
                "not an output column" + _suggest(str(outcome), COLUMN_NAMES),
                ", ".join(COLUMN_NAMES),
            )

    parameters: dict[str, tuple[float, float]] = {}
    for key, bounds in get["parameters"].items():
        where = f"parameters.{key!r}"
        param = PARAMETERS.get(key)
        if param is None or key.startswith("shock.") or param.kind not in (int, float):
            _fail(
                path,
                where,
                bounds,
                "not a numeric model parameter" + _suggest(key, PARAMETERS),
                "a numeric key of docs/parameters.md",
            )
        if (
            not isinstance(bounds, list)
            or len(bounds) != 2
            or not all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds)
        ):
            _fail(
                path, where, bounds, "must be [low, high]", f"two numbers within {param.allowed()}"
            )
        low, high = float(bounds[0]), float(bounds[1])
        if not (param.low <= low < high <= param.high):
            _fail(
                path, where, bounds, "out of range or empty", f"low < high within {param.allowed()}"
            )
        parameters[key] = (low, high)

    for key in parameters:
        intervention = PARAMETERS[key].section.removeprefix("interventions.")
        if intervention in INTERVENTIONS and not any(
            getattr(
                load_scenario(p.scenario, p.overrides).params.interventions, intervention
            ).enabled
            for p in packages
        ):
            _fail(
                path,
                f"parameters.{key!r}",
                list(parameters[key]),
                f"varies {intervention}, which no package switches on (it would change nothing)",
                "a parameter of an intervention that some package switches on",
            )

    sampler = dict(get["sampler"])
    for key in sampler:
        if key not in ("method", "samples", "seed"):
            _fail(path, f"sampler.{key}", sampler[key], "unknown key", "method, samples, seed")
    method = sampler.setdefault("method", "none" if not parameters else "lhs")
    if method not in SAMPLERS:
        _fail(path, "sampler.method", method, "unknown method", ", ".join(SAMPLERS))
    if method != "none" and not parameters:
        _fail(
            path,
            "sampler.method",
            method,
            "needs parameters to vary",
            'a [parameters] table of "section.key" = [low, high]',
        )
    if method == "none" and parameters:
        _fail(
            path,
            "sampler.method",
            method,
            "parameters are given but not sampled",
            ", ".join(SAMPLERS[1:]),
        )
    for key, low, high in (("samples", 1, 100_000), ("seed", 0, 2**63 - 1)):
        value = sampler.setdefault(key, 8 if key == "samples" else 1)
        if not isinstance(value, int) or isinstance(value, bool) or not (low <= value <= high):
            _fail(
                path,
                f"sampler.{key}",
                value,
                "wrong type or out of range",
                f"a whole number in [{low}, {high}]",
            )

    if method == "sobol" and sampler["samples"] < 8:
        _fail(
            path,
            "sampler.samples",
            sampler["samples"],
            "too few for Sobol indices",
            "at least 8 base samples",
        )
    if method == "grid" and sampler["samples"] ** len(parameters) > 100_000:
        _fail(
            path,
            "sampler.samples",
            sampler["samples"],
            f"a grid of {len(parameters)} parameters would have too many points",
            "samples ** (number of parameters) <= 100000",
        )
    precision = {}
    for outcome, target in get["precision"].items():
        if outcome not in outcomes:
            _fail(
                path,
                f"precision.{outcome}",
                target,
                "not one of the experiment's outcomes",
                ", ".join(outcomes),
            )
        if not isinstance(target, (int, float)) or isinstance(target, bool) or target <= 0:
            _fail(
                path,
                f"precision.{outcome}",
                target,
                "must be a positive number",
                "a 95 % CI half-width in the outcome's units",
            )
        precision[outcome] = float(target)

    experiment = Experiment(
        path=path,
        title=get["title"] or path.stem,
        description=get["description"],
        packages=packages,
        replicates=replicates or get["replicates"],
        seed=get["seed"],
        common_random_numbers=get["common_random_numbers"],
        horizon=horizon if horizon is not None else get["horizon"],
        burn_in=get["burn_in"],
        n_firms=get["n_firms"],
        discount_rate=float(get["discount_rate"]),
        outcomes=list(outcomes),
        sampler=sampler,
        parameters=parameters,
        precision=precision,
        max_replicates=get["max_replicates"],
    )
    experiment.points = sample_points(experiment)
    return experiment


def sample_points(experiment: Experiment) -> list[dict[str, float]]:
    """Parameter points of the design ([{}] when nothing is varied)."""
    params = experiment.parameters
    method, n, seed = (
        experiment.sampler["method"],
        experiment.sampler["samples"],
        experiment.sampler["seed"],
    )
    if method == "none":
        return [{}]
    keys = list(params)
    low = np.array([params[k][0] for k in keys])
    high = np.array([params[k][1] for k in keys])
    if method == "grid":
        axes = [np.linspace(lo, hi, n) for lo, hi in zip(low, high, strict=True)]
        unit = None
        matrix = np.array(list(itertools.product(*axes)))
    elif method in ("lhs", "random"):
        if method == "lhs":
            from scipy.stats import qmc

            unit = qmc.LatinHypercube(d=len(keys), seed=np.random.default_rng(seed)).random(n)
        else:
            unit = np.random.default_rng(seed).random((n, len(keys)))
        matrix = low + unit * (high - low)
    elif method == "sobol":
        from SALib.sample import sobol

        matrix = sobol.sample(experiment.salib_problem(), n, calc_second_order=False, seed=seed)
    else:
        from SALib.sample import morris

        matrix = morris.sample(experiment.salib_problem(), n, num_levels=4, seed=seed)
    points = []
    for row in matrix:
        point = {}
        for key, value in zip(keys, row, strict=True):
            point[key] = int(round(value)) if PARAMETERS[key].kind is int else float(value)
        points.append(point)
    return points
