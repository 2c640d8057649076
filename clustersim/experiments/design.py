"""An experiment's design: the packages compared with the baseline, the parameter points
sampled, the replicates, and the runs they make (baseline first, in a stable order; replicate r
of every package shares its random streams).  Experiment files are read into a design by
:mod:`clustersim.experiments.experiment_file`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..inputs.files import _fail
from ..inputs.params import PARAMETERS, Prior
from ..inputs.scenario import load_scenario, nest

OUTCOMES = ("productivity", "export_share", "jobs")
SAMPLERS = ("none", "grid", "lhs", "random", "sobol", "morris")
SENSITIVITY_SAMPLERS = ("sobol", "morris")
#: Samplers that can draw from the priors (``parameter_uncertainty``): through each inverse CDF.
PRIOR_SAMPLERS = ("lhs", "random")
BASELINE = "baseline"
#: Largest design a sweep takes: packages x parameter points x replicates.  At a second or more a
#: run, that is weeks of computing on one machine: split such a study into several experiments.
MAX_RUNS = 1_000_000
#: Most parameter points a sampler may draw (a grid's samples ** parameters, Sobol's
#: samples x (parameters + 2), Morris's samples x (parameters + 1)).
MAX_POINTS = 100_000


def point_count(method: str, samples: int, n_parameters: int) -> int:
    """How many parameter points a sampler draws, known before drawing them."""
    return {
        "none": 1,
        "grid": samples**n_parameters,
        "lhs": samples,
        "random": samples,
        "sobol": samples * (n_parameters + 2),
        "morris": samples * (n_parameters + 1),
    }[method]


def check_run_count(
    file, packages: int, points: int, replicates: int, replicates_key: str = "replicates"
) -> None:
    """Refuse a design of more than MAX_RUNS runs (or MAX_POINTS points) before it is planned."""
    if points > MAX_POINTS:
        _fail(
            file,
            "sampler.samples",
            points,
            f"the sampler would draw {points:,} parameter points",
            f"at most {MAX_POINTS:,} points: fewer samples or parameters",
        )
    runs = packages * points * replicates
    if runs > MAX_RUNS:
        _fail(
            file,
            replicates_key,
            replicates,
            f"the design would have {runs:,} runs ({packages} packages x {points:,} parameter "
            f"points x {replicates:,} replicates)",
            f"at most {MAX_RUNS:,} runs: fewer replicates, samples or packages",
        )


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
    #: the national market the run's cluster sells in (its runs step together: one task); "" alone
    market: str = ""

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
            "market": self.market,
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
    #: effect parameters drawn from their declared priors (``parameter_uncertainty``)
    priors: dict[str, Prior] = field(default_factory=dict)

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
        return list(self.iter_runs(replicates))

    def run_count(self) -> int:
        return len(self.packages) * len(self.points) * self.replicates

    def iter_runs(self, replicates: int | None = None, together: bool = False):
        """The runs of :meth:`runs`, one at a time (a design may have a million).  ``together``:
        the packages of each point and replicate one after another (the runs that may share a
        history, see :mod:`clustersim.experiments.histories`), in the same order otherwise."""
        n = replicates or self.replicates
        if together:
            order = (
                (k, i, r)
                for i in range(len(self.points))
                for r in range(n)
                for k in range(len(self.packages))
            )
        else:
            order = (
                (k, i, r)
                for k in range(len(self.packages))
                for i in range(len(self.points))
                for r in range(n)
            )
        for k, i, r in order:
            package, point = self.packages[k], self.points[i]
            yield Run(
                run_id=f"{package.name}__p{i:04d}__r{r:04d}",
                package=package.name,
                point=i,
                replicate=r,
                seed=self.replicate_seed(r, k),
                scenario=str(package.scenario),
                overrides=_merge_overrides(package.overrides, nest(point), self._run_settings()),
                parameters=dict(point),
            )

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
            # only when drawn, so that the fingerprints of sweeps without priors stay as they were
            **({"priors": self.prior_table()} if self.priors else {}),
        }

    def prior_table(self) -> dict[str, dict]:
        """The priors drawn, as experiment.json records them."""
        return {
            key: {
                "distribution": prior.distribution,
                "low": prior.low,
                "high": prior.high,
                "mode": PARAMETERS[key].default,
                "source": prior.source,
            }
            for key, prior in self.priors.items()
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

    def with_overrides(self, overrides: Mapping[str, Any]) -> Experiment:
        """The same design with ``overrides`` (scenario keys, dotted or nested, as
        :func:`clustersim.api.sweep` takes them) applied to every package after its own settings;
        each package's scenario is validated with them, an error naming the argument."""
        from ..inputs.arguments import flatten_overrides

        values, labels = flatten_overrides(overrides)
        packages = []
        for package in self.packages:
            merged = _merge_overrides(package.overrides, nest(values))
            load_scenario(
                package.scenario,
                merged,
                overrides_from=lambda key, name=package.name: labels.get(key, f"{name}: set"),
            )
            packages.append(replace(package, overrides=merged))
        return replace(self, packages=packages)

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
    if experiment.priors:
        return prior_points(experiment)
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


def prior_points(experiment: Experiment) -> list[dict[str, float]]:
    """Joint draws of the [parameters] (uniform on their ranges) and of the priors (through their
    inverse CDFs), one a point, by Latin hypercube or plain random sampling of the unit cube."""
    keys = [*experiment.parameters, *experiment.priors]
    n, seed = experiment.sampler["samples"], experiment.sampler["seed"]
    if experiment.sampler["method"] == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(keys), seed=np.random.default_rng(seed)).random(n)
    else:
        unit = np.random.default_rng(seed).random((n, len(keys)))
    columns = {}
    for j, key in enumerate(keys):
        if key in experiment.priors:
            columns[key] = experiment.priors[key].draw(unit[:, j], PARAMETERS[key].default)
        else:
            low, high = experiment.parameters[key]
            columns[key] = low + unit[:, j] * (high - low)
    return [
        {
            key: int(round(values[i])) if PARAMETERS[key].kind is int else float(values[i])
            for key, values in columns.items()
        }
        for i in range(n)
    ]
