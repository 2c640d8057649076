"""Scenario files that extend others (``extends = "baseline.toml"``): the chain of files is read
and merged, child over parent, and every key remembers the file that set it, so that an error
names that file.  A chain is at most :data:`MAX_EXTENDS` files long and may not loop."""

from __future__ import annotations

from pathlib import Path

from .files import _fail, check_path, read_toml

#: Longest chain of ``extends`` (a file, its parent, its parent's parent, ...).
MAX_EXTENDS = 32


def _merge(parent: dict, child: dict) -> dict:
    out = dict(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _load_chain(path: Path, seen: tuple[Path, ...], named_by=None) -> tuple[dict, dict[str, Path]]:
    """Raw merged table and, per key path, the file that set it last."""
    path = path.resolve()
    if path in seen:
        chain = " -> ".join(p.name for p in (*seen, path))
        _fail(
            path, "extends", path.name, f"inheritance cycle ({chain})", "a chain of files that ends"
        )
    raw = read_toml(path, named_by)
    origin: dict[str, Path] = {}
    parent: dict = {}
    if "extends" in raw:
        ext = check_path(
            raw["extends"], (path, "extends", raw["extends"]), "a path relative to this file"
        )
        if len(seen) + 1 >= MAX_EXTENDS:
            _fail(
                path,
                "extends",
                ext,
                f"a chain of more than {MAX_EXTENDS} files",
                f"at most {MAX_EXTENDS} files, each extending the next",
            )
        parent, origin = _load_chain(path.parent / ext, (*seen, path), (path, "extends", ext))
        # The firm list is relative to the file that names it.
        cluster = parent.get("cluster", {})
        if (
            isinstance(cluster, dict)
            and isinstance(cluster.get("firm_csv"), str)
            and cluster["firm_csv"]
        ):
            cluster["firm_csv"] = str((path.parent / ext).resolve().parent / cluster["firm_csv"])
    own = {k: v for k, v in raw.items() if k != "extends"}
    if isinstance(own.get("interventions"), dict):  # a table here switches the intervention on
        own["interventions"] = {
            name: ({"enabled": True} | table) if isinstance(table, dict) else table
            for name, table in own["interventions"].items()
        }
    cluster = own.get("cluster")
    if (
        isinstance(cluster, dict)
        and isinstance(cluster.get("firm_csv"), str)
        and cluster["firm_csv"]
    ):
        own["cluster"] = dict(cluster, firm_csv=str(path.parent / cluster["firm_csv"]))
    for key in _key_paths(own):
        origin[key] = path
    return _merge(parent, own), origin


def _key_paths(table: dict) -> list[str]:
    """Every dotted key of a table and its sub-tables (files are at most MAX_DEPTH deep)."""
    keys, stack = [], [(table, "")]
    while stack:
        current, prefix = stack.pop()
        for key, value in current.items():
            keys.append(f"{prefix}{key}")
            if isinstance(value, dict):
                stack.append((value, f"{prefix}{key}."))
    return keys
