"""A firm list: a CSV of real firms (location, workers and, optionally, capital, owner and
certificate) that a scenario can start from instead of a synthetic draw."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from .files import _fail

FIRM_CSV_COLUMNS = {
    "x": (True, "a whole number of cells inside the grid"),
    "y": (True, "a whole number of cells inside the grid"),
    "workers": (True, "a number of workers > 0"),
    "capital_lakh": (False, "Rs lakh >= 0"),
    "women_owned": (False, "0 or 1"),
    "certified": (False, "0 or 1"),
}


MAX_FIRMS = 200_000
MAX_WORKERS = 100_000
MAX_CAPITAL_LAKH = 1e7


def read_firm_csv(path: Path, grid_width: int) -> dict[str, np.ndarray]:
    """Read a firm list; every problem names the file, row and column."""
    path = Path(path)
    try:
        with open(
            path, newline="", encoding="utf-8-sig"
        ) as fh:  # -sig: Excel's "CSV UTF-8" starts with a BOM
            reader = csv.DictReader(fh)
            rows = list(reader)
            header = list(reader.fieldnames or [])
    except FileNotFoundError:
        _fail(
            path,
            "cluster.firm_csv",
            str(path),
            "file not found",
            "a CSV file relative to the scenario",
        )
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        _fail(path, None, None, f"cannot be read as CSV ({exc})")
    if not rows:
        _fail(path, None, None, "has no firm rows", "a header and at least one firm")
    if len(rows) > MAX_FIRMS:
        _fail(path, None, None, f"has {len(rows)} firm rows", f"at most {MAX_FIRMS}")
    for i, row in enumerate(rows, start=2):
        if None in row:
            _fail(
                path,
                f"row {i}",
                ",".join(map(str, row[None])),
                "has more fields than the header",
                ", ".join(header),
            )
    unknown = [c for c in header if c not in FIRM_CSV_COLUMNS]
    if unknown:
        _fail(path, f"column {unknown[0]!r}", None, "unknown column", ", ".join(FIRM_CSV_COLUMNS))
    for col, (required, allowed) in FIRM_CSV_COLUMNS.items():
        if required and col not in header:
            _fail(path, None, None, f"column {col!r} is missing", allowed)
    out = {c: np.zeros(len(rows)) for c in FIRM_CSV_COLUMNS if c in header}
    for i, row in enumerate(rows, start=2):
        for col in out:
            text = (row.get(col) or "").strip()
            try:
                value = float(text)
            except ValueError:
                value = float("nan")
            allowed = FIRM_CSV_COLUMNS[col][1]
            bad = not np.isfinite(value)
            if col in ("x", "y"):
                bad = bad or value != int(value) or not (0 <= value < grid_width)
                allowed = f"a whole number in [0, {grid_width - 1}]"
            elif col == "workers":
                bad = bad or not (0 < value <= MAX_WORKERS)
                allowed = f"a number of workers in (0, {MAX_WORKERS}]"
            elif col == "capital_lakh":
                bad = bad or not (0 <= value <= MAX_CAPITAL_LAKH)
                allowed = f"Rs lakh in [0, {MAX_CAPITAL_LAKH:g}]"
            else:
                bad = bad or value not in (0.0, 1.0)
            if bad:
                _fail(path, f"row {i}, column {col!r}", text, "invalid value", allowed)
            out[col][i - 2] = value
    return out
