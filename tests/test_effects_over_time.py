"""A package that changes nothing says so, in `run`'s summary and in `compare` (issue 14)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clustersim.analysis.compare import unchanged_packages
from clustersim.economy.reporters import COLUMN_NAMES, ECONOMY_COLUMNS, SCHEME_COLUMNS
from helpers import SCENARIOS, clustersim

QUARTERS = 12


def synthetic_series(effects: dict[str, dict[str, float]], replicates=4, seed=0) -> pd.DataFrame:
    """A sweep's series: a noisy baseline and packages that add a constant ``effects[package]
    [column]`` to the baseline's column in every policy quarter (1..QUARTERS)."""
    rng = np.random.default_rng(seed)
    rows = []
    for replicate in range(replicates):
        base = {c: rng.normal(100.0, 10.0, QUARTERS + 1) for c in COLUMN_NAMES}
        for package, effect in {"baseline": {}, **effects}.items():
            for k, quarter in enumerate(range(QUARTERS + 1)):
                row = {c: base[c][k] for c in COLUMN_NAMES}
                row.update(step=float(quarter), quarter=float(quarter))
                if quarter >= 1:
                    for column, value in effect.items():
                        row[column] += value
                rows.append({"package": package, "point": 0, "replicate": replicate, **row})
    return pd.DataFrame(rows)


def test_a_package_that_moves_only_its_own_cost_and_take_up_changes_nothing():
    assert set(ECONOMY_COLUMNS) | set(SCHEME_COLUMNS) | {"step", "quarter"} == set(COLUMN_NAMES)
    series = synthetic_series(
        {
            "cost_only": {"public_cost_cr": 1.0, "take_up": 0.1},
            "jobs": {"jobs": 1.0},
            "nothing": {},
        }
    )
    # one series moved by a hair in one quarter of one replicate is something
    once = series[series["package"] == "baseline"].assign(package="once")
    once.loc[(once["replicate"] == 0) & (once["quarter"] == 3), "wage"] += 1e-9
    series = pd.concat([series, once], ignore_index=True)
    assert unchanged_packages(series, ["cost_only", "jobs", "nothing", "once"]) == [
        "cost_only",
        "nothing",
    ]


@pytest.fixture(scope="module")
def tiny_comparison(tmp_path_factory):
    """The tiny experiment (a holistic package and a facilitation cell that has no scheme to tell
    firms about) swept and compared: (folder, exit status, stdout, stderr)."""
    from helpers import TINY

    folder = tmp_path_factory.mktemp("tiny")
    path = folder / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    out = folder / "out"
    assert clustersim("sweep", path, "--out", out, "--workers", 1, "--no-progress")[0] == 0
    return (out, *clustersim("compare", out))


def test_compare_says_which_package_changes_nothing(tiny_comparison):
    out, status, stdout, stderr = tiny_comparison
    assert status == 0, stderr
    # the facilitation cell, with no scheme to tell firms about, changes nothing; holistic does
    assert "WARNING: cell changes nothing" in stdout and "holistic changes nothing" not in stdout
    assert "it still costs Rs" in stdout
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "## Packages that change nothing" in summary and "WARNING: cell" in summary


def test_run_says_when_a_package_changes_nothing_and_gives_paired_effects_otherwise(tmp_path):
    small = ("--firms", 30, "--steps", 4, "--no-plots")
    status, stdout, stderr = clustersim(
        "run", SCENARIOS / "facilitation_cell.toml", "--out", tmp_path / "cell", *small
    )
    assert status == 0, stderr
    assert "WARNING: this package changes nothing" in stdout and "it still costs Rs" in stdout
    status, stdout, stderr = clustersim(
        "run", SCENARIOS / "holistic_spv.toml", "--out", tmp_path / "holistic", *small
    )
    assert status == 0, stderr
    assert "changes nothing" not in stdout
    assert "Against the same cluster and seed without the package" in stdout
    assert "job-years" in stdout
    # the baseline has no package: nothing to pair, no extra run
    status, stdout, _ = clustersim(
        "run", SCENARIOS / "baseline.toml", "--out", tmp_path / "base", *small
    )
    assert status == 0 and "without the package" not in stdout and "changes nothing" not in stdout
