"""A firm list: a CSV of real firms (location, workers and, optionally, capital, owner and
certificate) that a scenario can start from instead of a synthetic draw."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from .files import NamedBy, _fail, read_text

FIRM_CSV_COLUMNS = {
    "x": (True, "a whole number of cells inside the grid"),
    "y": (True, "a whole number of cells inside the grid"),
    "workers": (True, "a number of workers >= 0.1"),
    "capital_lakh": (False, "Rs lakh >= 0"),
    "women_owned": (False, "0 or 1"),
    "certified": (False, "0 or 1"),
}


MAX_FIRMS = 200_000
MIN_WORKERS = 0.1  # full-time equivalents; far smaller numbers underflow the firm's accounts
MAX_WORKERS = 100_000
MAX_CAPITAL_LAKH = 1e7


def read_firm_csv(
    path: Path, grid_width: int, named_by: NamedBy | None = None
) -> dict[str, np.ndarray]:
    """Read a firm list; every problem names the file, row and column (and, when the file cannot
    be opened, the scenario and key that name it)."""
    path = Path(path)
    text = read_text(path, named_by, encoding="utf-8-sig")  # -sig: Excel's "CSV UTF-8" has a BOM
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        rows = list(reader)
        header = list(reader.fieldnames or [])
    except csv.Error as exc:
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
                bad = bad or not (MIN_WORKERS <= value <= MAX_WORKERS)
                allowed = f"a number of workers in [{MIN_WORKERS}, {MAX_WORKERS}]"
            elif col == "capital_lakh":
                bad = bad or not (0 <= value <= MAX_CAPITAL_LAKH)
                allowed = f"Rs lakh in [0, {MAX_CAPITAL_LAKH:g}]"
            else:
                bad = bad or value not in (0.0, 1.0)
            if bad:
                _fail(path, f"row {i}, column {col!r}", text, "invalid value", allowed)
            out[col][i - 2] = value
    return out
