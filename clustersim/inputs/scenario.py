"""Scenario files: read, inherit (``extends``), validate, resolve.

A scenario is a TOML file with sections named after the parameter sections in
:mod:`clustersim.inputs.params`.  Validation is derived from those declarations: an
unknown key, a wrong type or an out-of-range value raises
:class:`~clustersim.inputs.files.ScenarioError` naming the file, the key, the value and
what is allowed.  :func:`check_fields` is the one validation path of every file
clustersim reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .extends import _load_chain, _merge
from .files import ScenarioError, _fail, _shown, _suggest, check_path
from .firm_list import read_firm_csv
from .params import INTERVENTIONS, PARAMETERS, SHOCK_KEYS, Param, Params, resolve, sections

TOP_LEVEL = ("extends", "title", "description")


# ------------------------------------------------------------- validating


def check_value(param: Param, value: Any, file, key: str | None = None) -> Any:
    """Type- and range-check one value against its declaration; return it."""
    key = key or param.key
    kind = param.kind
    if kind is bool:
        ok = isinstance(value, bool)
    elif kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok:
            value = float(value)
            if not np.isfinite(value):
                _fail(file, key, value, "is not a finite number", param.allowed())
    elif kind is list:
        ok = isinstance(value, list) and all(
            isinstance(v, str) and (param.choices is None or v in param.choices) for v in value
        )
        if ok:
            return list(value)
    elif kind is dict:
        ok = isinstance(value, dict)
    else:
        ok = isinstance(value, str)
    if not ok:
        _fail(file, key, value, f"wrong type ({type(value).__name__})", param.allowed())
    if param.choices is not None and kind is str and value not in param.choices:
        _fail(file, key, value, "not a known choice", param.allowed())
    if param.low is not None and not (param.low <= value <= param.high):
        _fail(file, key, value, "out of range", param.allowed())
    return value


def validate(raw: dict, origin: dict[str, Path], default_file: Path) -> dict[str, Any]:
    """Validate a merged raw table; return {section: {name: value}} overrides."""

    def file_of(key: str) -> Path:
        while key and key not in origin:
            key = key.rpartition(".")[0]
        return origin.get(key, default_file)

    known_sections = sections()
    top_sections = sorted({s.split(".")[0] for s in known_sections})
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("title", "description"):
            if not isinstance(value, str):
                _fail(file_of(key), key, value, "wrong type", "a string")
            out[key] = value
            continue
        if key not in top_sections:
            _fail(
                file_of(key),
                key,
                value if not isinstance(value, dict) else "[table]",
                "unknown section" + _suggest(key, top_sections),
                ", ".join([*TOP_LEVEL, *top_sections]),
            )
        if not isinstance(value, dict):
            _fail(file_of(key), key, value, "must be a table", f"[{key}] with keys")
        if key == "interventions":
            for name, table in value.items():
                section = f"interventions.{name}"
                if name not in INTERVENTIONS:
                    _fail(
                        file_of(section),
                        section,
                        "[table]",
                        "unknown intervention" + _suggest(name, INTERVENTIONS),
                        ", ".join(INTERVENTIONS),
                    )
                if not isinstance(table, dict):
                    _fail(
                        file_of(section),
                        section,
                        table,
                        "must be a table",
                        f"[{section}] with keys",
                    )
                table = dict(table)
                enabled = table.pop("enabled", True)
                if not isinstance(enabled, bool):
                    _fail(
                        file_of(section + ".enabled"),
                        section + ".enabled",
                        enabled,
                        "wrong type",
                        "true or false",
                    )
                checked = _check_section(section, table, file_of)
                if enabled:
                    out[section] = checked
            continue
        table = dict(value)
        if key == "market" and "shocks" in table:
            out["shocks"] = _check_shocks(table.pop("shocks"), file_of("market.shocks"))
        out[key] = _check_section(key, table, file_of)
    subvention = out.get("interventions.interest_subvention")
    if subvention is not None:
        finance = resolve({"finance": out.get("finance", {})}).finance
        points = resolve(
            {"interventions.interest_subvention": subvention}
        ).interventions.interest_subvention.rate_points
        if points >= finance.formal_rate:
            _fail(
                file_of("interventions.interest_subvention.rate_points"),
                "interventions.interest_subvention.rate_points",
                points,
                f"must be below finance.formal_rate ({finance.formal_rate})",
                "a subsidy smaller than the interest rate",
            )
    condition = out.get("trial", {}).get("eligible_if", "")
    if condition:
        check_condition(condition, file_of("trial.eligible_if"), "trial.eligible_if")
    tech = resolve({"technology": out.get("technology", {})}).technology
    total = tech.labour_elasticity + tech.capital_elasticity
    if total >= 1.0:
        _fail(
            file_of("technology"),
            "technology.labour_elasticity + capital_elasticity",
            round(total, 6),
            "must be below 1 (decreasing returns keep firm size finite)",
            "a sum < 1",
        )
    markup_room = (tech.demand_elasticity - 1.0) / tech.demand_elasticity
    if tech.materials_share >= markup_room:
        _fail(
            file_of("technology"),
            "technology.materials_share",
            tech.materials_share,
            f"must be below (demand_elasticity - 1) / demand_elasticity = {markup_room:.4g}: "
            "a price covers marginal cost with a markup",
            "a smaller materials share, or a larger demand_elasticity",
        )
    return out


def check_condition(text: str, file, key: str):
    """Parse a condition over the firm table (e.g. ``trial.eligible_if``): the parsed tree, or
    a ScenarioError naming the file, the key, the value and what a condition may contain."""
    from ..economy.firm_table import CONDITION_COLUMNS
    from .conditions import ALLOWED, ConditionError, parse_condition

    try:
        return parse_condition(text, CONDITION_COLUMNS)
    except ConditionError as exc:
        _fail(file, key, text, str(exc), f"{ALLOWED} ({', '.join(CONDITION_COLUMNS)})")


def check_fields(
    table: dict, declarations: dict[str, Param], file, prefix: str = "", fill_defaults: bool = False
) -> dict[str, Any]:
    """The one validation path of every file clustersim reads (scenario sections, experiment and
    national-experiment files): each key of ``table`` must be declared, of the declared type and
    in range; a required field must be there.  ``file`` is the file, or a function from a dotted
    key to the file that set it.  Returns the checked values (with the defaults of keys not
    given when ``fill_defaults``)."""
    file_of = file if callable(file) else (lambda key: file)
    names = list(declarations)
    checked = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if name not in declarations:
            _fail(
                file_of(key),
                key,
                value if not isinstance(value, dict) else "[table]",
                "unknown key" + _suggest(name, names),
                ", ".join(names),
            )
        checked[name] = check_value(declarations[name], value, file_of(key), key)
    for name, param in declarations.items():
        if name in checked:
            continue
        if param.required:
            _fail(
                file_of(f"{prefix}{name}"),
                None,
                None,
                f"{prefix}{name} is missing",
                f"{param.allowed()} ({param.meaning})",
            )
        if fill_defaults:
            checked[name] = (
                list(param.default) if isinstance(param.default, list) else param.default
            )
    return checked


def _check_section(section: str, table: dict, file_of) -> dict[str, Any]:
    declarations = {p.name: p for p in PARAMETERS.values() if p.section == section}
    return check_fields(table, declarations, file_of, prefix=f"{section}.")


def _check_shocks(shocks, file) -> list[dict]:
    if not isinstance(shocks, list):
        _fail(
            file, "market.shocks", shocks, "must be a list of tables", "[[market.shocks]] entries"
        )
    out = []
    for i, shock in enumerate(shocks):
        where = f"market.shocks[{i}]"
        if not isinstance(shock, dict):
            _fail(file, where, shock, "must be a table", ", ".join(SHOCK_KEYS))
        entry = {}
        for name, value in shock.items():
            if name not in SHOCK_KEYS:
                _fail(
                    file,
                    f"{where}.{name}",
                    value,
                    "unknown key" + _suggest(name, SHOCK_KEYS),
                    ", ".join(SHOCK_KEYS),
                )
            entry[name] = check_value(PARAMETERS[f"shock.{name}"], value, file, f"{where}.{name}")
            market = PARAMETERS.get(f"market.{name}")
            if (
                market is not None
                and entry[name] != -1.0
                and not (market.low <= entry[name] <= market.high)
            ):
                _fail(
                    file,
                    f"{where}.{name}",
                    value,
                    "out of range",
                    f"-1 (unchanged) or {market.allowed()}",
                )
        if "quarter" not in entry:
            _fail(
                file, None, None, f"{where}.quarter is missing", "the policy quarter the shock hits"
            )
        out.append(entry)
    return out


# ------------------------------------------------------------------ loading


@dataclass
class Scenario:
    """A validated, fully resolved scenario."""

    path: Path
    values: dict[str, Any]
    params: Params = field(repr=False)
    firm_table: dict[str, np.ndarray] | None = field(default=None, repr=False)

    @property
    def title(self) -> str:
        return self.values.get("title", self.path.stem)

    def resolved(self) -> dict[str, Any]:
        """Every parameter value (defaults filled in), JSON-ready."""
        p = self.params
        out: dict[str, Any] = {
            "title": self.title,
            "description": self.values.get("description", ""),
        }
        for section in sections():
            if section.startswith("interventions."):
                continue
            out[section] = _plain(getattr(p, section))
        out["interventions"] = {
            name: _plain(getattr(p.interventions, name), "enabled")
            for name in p.interventions.switched_on()
        }
        out["market"]["shocks"] = [_plain(s) for s in p.shocks]
        return out


def _plain(settings, *leave_out: str) -> dict[str, Any]:
    """A settings object as a JSON-ready dict (lists, not tuples), without the named fields."""
    return {
        k: list(v) if isinstance(v, tuple) else v
        for k, v in vars(settings).items()
        if k not in leave_out
    }


def nest(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{"section.name": value} -> {section: {name: value}}:
    dotted keys as :func:`load_scenario` takes overrides."""
    out: dict[str, dict[str, Any]] = {}
    for key, value in values.items():
        section, name = key.rsplit(".", 1)
        out.setdefault(section, {})[name] = value
    return out


def load_scenario(
    path: str | Path,
    overrides: dict[str, dict[str, Any]] | None = None,
    overrides_from: str | Callable[[str], str] = "command line",
) -> Scenario:
    """Read, inherit, validate and resolve a scenario file.

    ``overrides`` ({section: {name: value}}, e.g. from the command line) are
    validated like file values and win over them; an error in one names
    ``overrides_from`` where it would name a file (a function of the dotted key
    gives each override its own label).  An override of an
    intervention's settings does not switch it on (only ``enabled = true``
    does): a swept parameter of an intervention a package leaves off stays off.
    """
    path = Path(path)
    raw, origin = _load_chain(path, ())
    if overrides:
        validate(raw, origin, path.resolve())  # the files must be valid on their own
    for section, table in (overrides or {}).items():
        if (
            "." in section
        ):  # interventions.NAME: settings of an intervention switch it on only if they say so
            name = section.split(".", 1)[1]
            switched_on = (
                isinstance(raw.get("interventions"), dict) and name in raw["interventions"]
            )
            table = table if switched_on or "enabled" in table else {"enabled": False} | table
            raw = _merge(raw, {"interventions": {name: table}})
        else:
            raw = _merge(raw, {section: table})
        for name in overrides[section]:
            key = f"{section}.{name}"
            given = Path(overrides_from(key) if callable(overrides_from) else overrides_from)
            origin[key] = given
            while "." in key:  # a new section or intervention is named by the override too
                key = key.rpartition(".")[0]
                origin.setdefault(key, given)
    values = validate(raw, origin, path.resolve())
    params = resolve(values)
    firm_table = None
    if params.cluster.firm_csv:
        named_by = (
            origin.get("cluster.firm_csv", path),
            "cluster.firm_csv",
            params.cluster.firm_csv,
        )
        firm_table = read_firm_csv(Path(params.cluster.firm_csv), params.run.grid_width, named_by)
    firms = len(firm_table["x"]) if firm_table is not None else params.cluster.n_firms
    _check_spillover_field(params, firms, origin, path)
    return Scenario(path=path, values=values, params=params, firm_table=firm_table)


#: Spillovers are computed on the whole grid plus the kernel's reach (4 decay lengths each way),
#: whatever the number of firms: the field may be at most this many cells a side, or
#: 4 x sqrt(firms) for larger clusters, so that the grid never costs more than the firms do.
MAX_FIELD_SIDE = 128


def _check_spillover_field(params: Params, firms: int, origin: dict, path: Path) -> None:
    width, decay = params.run.grid_width, params.technology.spillover_distance
    side = width + 2 * int(np.ceil(4.0 * decay))
    limit = max(MAX_FIELD_SIDE, int(4 * np.sqrt(firms)))
    if side <= limit:
        return
    key, value = "run.grid_width", width
    if "technology.spillover_distance" in origin and "run.grid_width" not in origin:
        key, value = "technology.spillover_distance", decay
    _fail(
        origin.get(key, path),
        key,
        value,
        f"grid_width {width} with spillover_distance {decay:g} needs a spillover field of "
        f"{side} cells a side, too costly for {firms} firms",
        f"grid_width + 8 x spillover_distance <= {limit} for {firms} firms "
        f"(max({MAX_FIELD_SIDE}, 4 x sqrt(firms)))",
    )


def referenced_scenario(file: Path, key: str, value: Any) -> Path:
    """The scenario file another file names (an experiment's baseline or package, a national
    experiment's package or archetype scenario), resolved relative to that file and validated;
    an error names the naming file and key as well as the scenario's own problem."""
    check_path(value, (file, key, value), "a scenario file relative to this file")
    target = (Path(file).parent / value).resolve()
    try:
        load_scenario(target)
    except ScenarioError as exc:
        raise ScenarioError(f"{_shown(file)}: {key} = {value!r}: {exc}") from None
    return target
