"""A run's history: its burn-in, which every package that differs only after it shares.

Interventions, export shocks and an in-silico trial act only in the policy period: a scheme or a
shock whose start quarter is s (s >= 0) acts from policy quarter s + 1, a trial treats in the
quarter after its own, and the horizon only says how long the policy period lasts.  Nothing else
of theirs is read during the burn-in (tests/test_histories.py checks every shipped scenario).  So
two runs with the same seed and the same settings otherwise are identical, quarter for quarter, up
to the end of the burn-in: they share a *history*.  A sweep simulates each history once and lets
every package continue from a copy of it (:meth:`ClusterModel.snapshot`,
:meth:`ClusterModel.restore`, :meth:`ClusterModel.continue_as`), which gives byte for byte what a
run from scratch gives.  A package that changes anything else (the archetype, a firm list, a
sampled parameter that is not an intervention's) has a history of its own.
"""

from __future__ import annotations

import gc
import hashlib
import io
import json
import pickle
from typing import Any

#: The settings that act only after the burn-in, as (section, key) of the resolved scenario
#: (key None: the whole section).  They are left out of a history.
POLICY_SETTINGS = (
    ("interventions", None),
    ("trial", None),
    ("market", "shocks"),
    ("run", "horizon"),
)
#: Labels, and the scenario's own seed (a model runs on the seed it is given, see history_key).
LABELS = (("title", None), ("description", None), ("run", "seed"))


def pre_policy_settings(scenario) -> dict[str, Any]:
    """The resolved settings that can change a history: every one but the policy's and labels."""
    settings = scenario.resolved()
    for section, key in POLICY_SETTINGS + LABELS:
        if key is None:
            settings.pop(section)
        else:
            settings[section] = {k: v for k, v in settings[section].items() if k != key}
    return settings


def history_key(scenario, seed: int, n_firms: int | None = None) -> str:
    """Names a history: the pre-policy settings, the seed, the initial firm count given to the
    model (None: the scenario's), the contents of a firm list and the package version.  Runs with
    one key share their history."""
    from .. import __version__

    payload = {
        "settings": pre_policy_settings(scenario),
        "seed": int(seed),
        "n_firms": n_firms,
        "version": __version__,
        "firm_list": _digest_of(scenario.firm_table),
    }
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _digest_of(table) -> str | None:
    if table is None:
        return None
    digest = hashlib.sha256()
    for name in sorted(table):
        column = table[name]
        digest.update(f"{name}:{column.dtype.str}:".encode())
        digest.update(column.tobytes())
    return digest.hexdigest()


# ------------------------------------------------------------------ copying a history
def dumps(model) -> bytes:
    """A model's whole state as bytes (pickle).  Mesa's grid cells are of a class made for their
    grid, which Mesa pickles by making a new class for every cell when loading (slow, and the loaded
    model cannot be pickled again); here each grid's cells are loaded with one class, as Mesa
    builds them."""
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(model)
    return buffer.getvalue()


def loads(snapshot: bytes):
    """The model a :func:`dumps` holds: a new, independent copy each call.  The garbage collector
    waits meanwhile: loading makes many objects and no garbage, and collecting while it does would
    take longer than the loading itself."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(snapshot)
    finally:
        if paused:
            gc.enable()


class _CellClass:
    """Stands for one grid's cell class in a pickle: loaded once per copy, shared by its cells."""

    klass: type | None = None


def _grid_cell(cell_class: _CellClass, parent: type, slots: dict[str, Any]):
    if cell_class.klass is None:
        # as mesa.discrete_space.grid.Grid makes it: a subclass of the cell type, without slots
        cell_class.klass = type("GridCell", (parent,), {"_mesa_properties": set(), "__slots__": ()})
    cell = cell_class.klass.__new__(cell_class.klass)
    for name, value in slots.items():
        setattr(cell, name, value)
    return cell


class _Pickler(pickle.Pickler):
    def __init__(self, *args, **kwargs):
        from mesa.discrete_space.cell import Cell

        super().__init__(*args, **kwargs)
        self.cell_type = Cell
        self.cell_classes: dict[type, _CellClass] = {}

    def reducer_override(self, obj):
        if (
            isinstance(obj, self.cell_type)
            and type(obj) is not self.cell_type
            and type(obj).__name__ == "GridCell"
        ):
            cell_class = self.cell_classes.setdefault(type(obj), _CellClass())
            return _grid_cell, (cell_class, type(obj).__bases__[0], obj.__getstate__()[1])
        return NotImplemented
