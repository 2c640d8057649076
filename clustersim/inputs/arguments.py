"""Scenario values and seeds given from Python, as Mesa's tools and notebooks pass them.

Overrides are keyword arguments or a dict: dotted keys as in an experiment's ``set`` table
(``"interventions.cfc.capacity_hours": 80000.0``) or nested tables as in a scenario file
(``interventions={"cfc": {"capacity_hours": 80000.0}}``), mixed freely.  They are validated by
:func:`~clustersim.inputs.scenario.load_scenario` like a file's values, and an error names the
argument the value came from where it would name a file::

    argument overrides['interventions.cfc.capacity_hours']: interventions.cfc.capacity_hours =
    -5.0: out of range; allowed: a number in [0.0, 1000000000.0]

A seed is a whole number in the range of ``run.seed``, or None for fresh entropy (Mesa's rule);
:func:`choose_seed` returns the number used, so that a run can always be repeated.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .files import ScenarioError, _fail, _suggest
from .params import PARAMETERS
from .scenario import Scenario, check_value, load_scenario, nest, sections

SEED = PARAMETERS["run.seed"]


def flatten_overrides(
    overrides: Mapping[str, Any], argument: str = "overrides", also: tuple[str, ...] = ()
) -> tuple[dict[str, Any], dict[str, str]]:
    """Dotted keys and nested tables -> ({"section.name": value}, {"section.name": label}), the
    label naming where the value was given (``argument overrides['cluster']['n_firms']``).
    Numpy scalars become Python numbers.  ``also`` names the other arguments of the caller, for
    the suggestion when a key is not a scenario key."""
    values: dict[str, Any] = {}
    labels: dict[str, str] = {}

    def visit(table: Mapping, dotted: str, label: str) -> None:
        for key, value in table.items():
            where = f"{label}[{key!r}]"
            if not isinstance(key, str) or not key:
                _fail(None, where, value, "not a scenario key", "'section.name' strings")
            full = f"{dotted}.{key}" if dotted else key
            if isinstance(value, Mapping):
                visit(value, full, where)
                continue
            if "." not in full:
                known = [*also, *PARAMETERS, *sections()]
                _fail(
                    None,
                    where,
                    value,
                    "not a scenario key" + _suggest(full, known),
                    "'section.name' keys of docs/parameters.md (or tables of them)"
                    + (f", or the arguments {', '.join(also)}" if also else ""),
                )
            if full in values:
                _fail(None, where, value, f"{full} is also given as {labels[full]}", "one value")
            values[full] = value.item() if isinstance(value, np.generic) else value
            labels[full] = where

    visit(overrides, "", f"argument {argument}")
    return values, labels


def load_with_overrides(
    path: str | Path,
    overrides: Mapping[str, Any] | None = None,
    argument: str = "overrides",
    named: Mapping[str, tuple[str, Any]] | None = None,
    also: tuple[str, ...] = (),
) -> Scenario:
    """Load the scenario file ``path`` with ``overrides`` (dotted keys or nested tables) and the
    ``named`` arguments ({"run.horizon": ("horizon", 8)}) applied and validated; an error names
    the argument."""
    values, labels = flatten_overrides(overrides or {}, argument, also)
    for key, (name, value) in (named or {}).items():
        if key in values:
            _fail(None, f"argument {name}", value, f"{key} is also given as {labels[key]}", "one")
        values[key] = value.item() if isinstance(value, np.generic) else value
        labels[key] = f"argument {name}"
    return load_scenario(path, nest(values), overrides_from=labels.__getitem__)


def scenario_of(
    scenario: Scenario | str | Path,
    overrides: Mapping[str, Any],
    n_firms: int | None,
    also: tuple[str, ...] = (),
) -> Scenario:
    """The scenario a model is built from: a loaded :class:`Scenario` as it is, or a scenario
    file with ``overrides`` (and ``n_firms`` as ``cluster.n_firms``, as ``clustersim run --firms``
    sets it)."""
    if isinstance(scenario, Scenario):
        if overrides:
            key = next(iter(overrides))
            _fail(
                None,
                f"argument overrides[{key!r}]",
                overrides[key],
                "a loaded Scenario is already resolved",
                "overrides with a scenario file path (scenario='scenarios/x.toml')",
            )
        return scenario
    if not isinstance(scenario, (str, Path)):
        _fail(
            None,
            "argument scenario",
            scenario,
            f"wrong type ({type(scenario).__name__})",
            "a scenario file path, or a Scenario from clustersim.load_scenario",
        )
    named = {} if n_firms is None else {"cluster.n_firms": ("n_firms", n_firms)}
    return load_with_overrides(scenario, overrides, "overrides", named, also)


def choose_seed(
    rng: Any = None, seed: Any = None, overrides: Mapping[str, Any] | None = None
) -> int:
    """The seed of a run: ``rng``, ``seed`` or a ``run.seed`` among the ``overrides`` (three ways
    to say it, Mesa's and clustersim's: give one), a whole number in ``run.seed``'s range; none
    gives fresh entropy from the operating system.  A scenario file's own ``run.seed`` is the seed
    of the command line and of :func:`clustersim.api.run_scenario`, which pass it here."""
    values, labels = flatten_overrides(overrides or {})
    given = [("argument rng", rng), ("argument seed", seed)]
    if "run.seed" in values:
        given.append((labels["run.seed"], values["run.seed"]))
    given = [(name, value) for name, value in given if value is not None]
    if len(given) > 1:
        (name, value), (other, other_value) = given[:2]
        _fail(None, name, value, f"{other} = {other_value!r} is given too", "one seed")
    if not given:
        return fresh_seed()
    name, value = given[0]
    if isinstance(value, np.integer):
        value = int(value)
    return check_value(SEED, value, None, name)


def fresh_seed() -> int:
    """A seed drawn from the operating system's entropy, in ``run.seed``'s range."""
    return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> 1)


__all__ = [
    "ScenarioError",
    "choose_seed",
    "flatten_overrides",
    "fresh_seed",
    "load_with_overrides",
    "scenario_of",
]
