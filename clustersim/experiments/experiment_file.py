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
what is allowed (:class:`clustersim.inputs.files.ScenarioError`), through the one validation
path of every file (:func:`clustersim.inputs.scenario.check_fields`).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from ..inputs.files import ScenarioError, _fail, _suggest, read_toml
from ..inputs.params import INTERVENTIONS, PARAMETERS, Param, Prior
from ..inputs.scenario import check_fields, load_scenario, nest, referenced_scenario
from .design import (
    BASELINE,
    OUTCOMES,
    PRIOR_SAMPLERS,
    SAMPLERS,
    Experiment,
    Package,
    _merge_overrides,
    check_run_count,
    point_count,
    sample_points,
)

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
        Param(
            "discount_rate",
            0.08,
            "per year",
            "social discount rate for the NPVs of compare (value added, export sales, workers' "
            "earnings, public cost)",
            0.0,
            1.0,
            source="India's social time preference rate: 8 % by the Ramsey rule, 6 % by the "
            "generalised Ramsey rule (Murty, Panda & Joe 2018, IEG Working Paper 388 and their "
            "study for NITI Aayog, Reassessment of National Parameters for Project Appraisal in "
            "India); ADB's Guidelines for the Economic Analysis of Projects (2017) use 9 % (6 % "
            "for social sectors); sensitivity range 6-12 %",
        ),
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
            "parameter_uncertainty",
            False,
            "-",
            "draw the effect parameters of the interventions the packages switch on from their "
            "declared priors (docs/parameters.md) at each sampler point, every package sharing "
            "each draw; [parameters] ranges, if any, are drawn with them (uniform)",
        ),
        Param(
            "calibration_uncertainty",
            False,
            "-",
            "also draw the calibrated parameters from their priors (the values their calibration "
            "moments allow, docs/parameters.md); pre-policy, so each draw has its own history",
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

    def scenario_path(value, key) -> Path:
        return referenced_scenario(path, key, value)

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

    priors = drawn_priors(
        path, packages, parameters, get["parameter_uncertainty"], get["calibration_uncertainty"]
    )
    sampler = dict(get["sampler"])
    for key in sampler:
        if key not in ("method", "samples", "seed"):
            _fail(path, f"sampler.{key}", sampler[key], "unknown key", "method, samples, seed")
    method = sampler.setdefault("method", "none" if not (parameters or priors) else "lhs")
    if method not in SAMPLERS:
        _fail(path, "sampler.method", method, "unknown method", ", ".join(SAMPLERS))
    if priors and method not in PRIOR_SAMPLERS:
        _fail(
            path,
            "sampler.method",
            method,
            "drawing from the priors takes lhs or random",
            ", ".join(PRIOR_SAMPLERS),
        )
    if method != "none" and not (parameters or priors):
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
    reps = replicates or get["replicates"]
    check_run_count(
        path,
        len(packages),
        point_count(method, sampler["samples"], len(parameters) + len(priors)),
        max(reps, get["max_replicates"]) if get["precision"] else reps,
        "--replicates" if replicates else "max_replicates" if get["precision"] else "replicates",
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
        if (
            not isinstance(target, (int, float))
            or isinstance(target, bool)
            or not 0 < target < math.inf
        ):
            _fail(
                path,
                f"precision.{outcome}",
                target,
                "must be a positive number",
                "a finite 95 % CI half-width in the outcome's units",
            )
        precision[outcome] = float(target)

    experiment = Experiment(
        path=path,
        title=get["title"] or path.stem,
        description=get["description"],
        packages=packages,
        replicates=reps,
        seed=get["seed"],
        common_random_numbers=get["common_random_numbers"],
        horizon=horizon if horizon is not None else get["horizon"],
        burn_in=get["burn_in"],
        n_firms=get["n_firms"],
        discount_rate=float(get["discount_rate"]),
        outcomes=list(outcomes),
        sampler=sampler,
        parameters=parameters,
        priors=priors,
        precision=precision,
        max_replicates=get["max_replicates"],
    )
    experiment.points = sample_points(experiment)
    return experiment


def drawn_priors(
    path: Path, packages: list[Package], parameters: dict, effects: bool, calibration: bool
) -> dict[str, Prior]:
    """The priors an experiment draws: with ``effects`` (``parameter_uncertainty``), those of every
    effect parameter of an intervention some package (the baseline included) switches on; with
    ``calibration``, those of the calibrated parameters; never a parameter its [parameters] table
    varies over a range of its own."""
    if not (effects or calibration):
        return {}
    switched_on: set[str] = set()
    for package in packages if effects else ():
        params = load_scenario(package.scenario, package.overrides).params
        switched_on.update(params.interventions.switched_on())
    priors = {
        key: param.prior
        for key, param in PARAMETERS.items()
        if param.prior is not None
        and key not in parameters
        and (
            (calibration and param.prior.calibrated)
            or (effects and switched_on.intersection(param.effect_of))
        )
    }
    if effects and not any(switched_on.intersection(PARAMETERS[k].effect_of) for k in priors):
        _fail(
            path,
            "parameter_uncertainty",
            True,
            "no package switches on an intervention whose effect has a prior",
            "false, or a package with an intervention listed under Priors in docs/parameters.md",
        )
    return priors
