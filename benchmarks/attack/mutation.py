"""Mutating TOML files: a value, a key or a table replaced, renamed, dropped or wrapped, or bytes
flipped and cut."""

from __future__ import annotations

import json
import math
import random
import tomllib

INTERESTING = [
    0, -1, 1, 2, 400, 401, 100_001, 10**9, 2**63 - 1, -(2**63), 0.0, -0.0, 1e-300, 1e300,
    math.nan, math.inf, -math.inf, 0.5, "", "x", "\x00", "/dev/zero", "../missing.toml",
    "a" * 3000, True, False, [], [1, 2], ["x"], {}, {"a": 1}, [[[[1]]]],
]  # fmt: skip
#: legitimate but expensive values (covered by the hang and slow-value cases, not fuzzed)
COSTLY = {"n_firms": 2000, "burn_in": 40, "horizon": 40, "replicates": 50, "samples": 50,
          "max_replicates": 50, "grid_width": 100, "total": 3}  # fmt: skip


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def to_toml(table: dict, prefix: str = "") -> str:
    plain = {k: v for k, v in table.items() if not isinstance(v, dict) or not v}
    tables = {k: v for k, v in table.items() if isinstance(v, dict) and v}
    lines = [f"{json.dumps(k)} = {toml_value(v)}" for k, v in plain.items()]
    text = "\n".join(lines) + ("\n" if lines else "")
    for key, sub in tables.items():
        name = f"{prefix}{json.dumps(key)}"
        text += f"[{name}]\n" + to_toml(sub, name + ".")
    return text


def key_paths(table: dict, prefix=()) -> list[tuple]:
    out = []
    for key, value in table.items():
        out.append((*prefix, key))
        if isinstance(value, dict):
            out += key_paths(value, (*prefix, key))
    return out


def mutate(text: str, rng: random.Random) -> bytes:
    """A structural change (a value, a key, a table) or a textual one (bytes flipped, cut)."""
    table = tomllib.loads(text)
    kind = rng.random()
    if kind < 0.65:
        paths = key_paths(table)
        path = rng.choice(paths)
        parent = table
        for key in path[:-1]:
            parent = parent[key]
        choice = rng.random()
        if choice < 0.6:
            value = rng.choice(INTERESTING)
            if path[-1] in COSTLY and isinstance(value, int) and value > COSTLY[path[-1]]:
                value = COSTLY[path[-1]] + 1 if value < 10**6 else value  # keep runs short
            parent[path[-1]] = value
        elif choice < 0.75:
            parent[path[-1] + rng.choice(["z", "_", "s"])] = parent.pop(path[-1])
        elif choice < 0.85:
            del parent[path[-1]]
        else:
            parent[path[-1]] = {"nested": parent[path[-1]]}
        return to_toml(table).encode("utf-8")
    raw = bytearray(text.encode("utf-8"))
    if kind < 0.8:
        for _ in range(rng.randint(1, 4)):
            raw[rng.randrange(len(raw))] = rng.choice(b"[]{}=\"'\\\n\x00\xff\xfe#.,0")
    elif kind < 0.9:
        raw = raw[: rng.randrange(len(raw))]
    else:
        cut = rng.randrange(len(raw))
        raw = (
            raw[:cut]
            + rng.choice([b"\xc3\x28", b"\x00", b"\n[[x]]\n", b"\n[a.b.c.d]\n"])
            + raw[cut:]
        )
    return bytes(raw)
