"""Effects over time (issue 14, item 5): cumulative effects and NPVs beside the horizon effect; and
a package that changes nothing says so, in `run`'s summary and in `compare`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clustersim.analysis.compare import (
    cumulative_row,
    npv_rows,
    present_value,
    unchanged_packages,
)
from clustersim.analysis.statistics import paired_differences
from clustersim.economy.reporters import COLUMN_NAMES, ECONOMY_COLUMNS, SCHEME_COLUMNS
from clustersim.experiments.experiment_file import FIELDS
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


def test_the_cumulative_effect_of_a_constant_effect_is_the_effect_times_the_quarters():
    series = synthetic_series({"p": {"jobs": 40.0, "value_added": 2.5}})
    jobs = paired_differences(series, "jobs")
    assert np.allclose(jobs["cumulative"], 40.0 * QUARTERS)
    assert np.allclose(jobs["horizon"], 40.0)
    row = cumulative_row("p", "jobs", jobs, "workers", 1)
    # 40 extra jobs for 12 quarters are 120 job-years
    assert row["unit"] == "job-years" and row["estimate"] == pytest.approx(40.0 * QUARTERS / 4)
    va = cumulative_row("p", "value_added", paired_differences(series, "value_added"), "", 1)
    assert va["unit"] == "Rs crore" and va["estimate"] == pytest.approx(2.5 * QUARTERS)


def test_an_npv_at_zero_discount_is_the_undiscounted_sum_and_discounting_is_geometric():
    flows = pd.DataFrame(
        {"point": 0, "replicate": 0, "quarter": np.arange(1, 41), "gain": np.full(40, 3.0)}
    )
    assert present_value(flows, "gain", 0.0).iloc[0] == pytest.approx(3.0 * 40)
    rate = 0.08
    annuity = sum(3.0 / (1 + rate) ** (q / 4) for q in range(1, 41))
    assert present_value(flows, "gain", rate).iloc[0] == pytest.approx(annuity)
    # a gain a year later is worth 1 / (1 + r) of the same gain now
    now = present_value(flows.iloc[[0]], "gain", rate).iloc[0]
    later = present_value(flows.iloc[[4]], "gain", rate).iloc[0]
    assert later / now == pytest.approx(1 / (1 + rate))


def test_npvs_of_a_constant_effect_match_their_closed_form_and_the_net_subtracts_the_cost():
    effects = {"value_added": 2.0, "export_sales": 1.0, "earnings_gain": 0.5}
    series = synthetic_series({"p": effects})
    # the package spends 0.25 crore a quarter: its cumulative cost rises by that each quarter
    mine = series["package"] == "p"
    series.loc[mine, "public_cost_cr"] = 0.25 * series.loc[mine, "quarter"]
    series.loc[~mine, "public_cost_cr"] = 0.0
    rows = {(r["outcome"], r["measure"]): r for r in npv_rows(series, ["p"], 0.0, comparisons=1)}
    for flow, effect in effects.items():
        assert rows[(flow, "npv")]["estimate"] == pytest.approx(effect * QUARTERS)
    assert rows[("public_cost", "npv_public_cost")]["estimate"] == pytest.approx(0.25 * QUARTERS)
    assert rows[("public_cost", "npv_net")]["estimate"] == pytest.approx((2.0 - 0.25) * QUARTERS)
    discounted = {
        (r["outcome"], r["measure"]): r for r in npv_rows(series, ["p"], 0.1, comparisons=1)
    }
    assert discounted[("value_added", "npv")]["estimate"] < 2.0 * QUARTERS
    assert "10.0% a year" in discounted[("value_added", "npv")]["note"]


def test_the_discount_rate_is_declared_once_with_a_source():
    rate = FIELDS["discount_rate"]
    assert 0.0 < rate.default < 0.15 and "Murty" in rate.source


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


def test_compare_reports_cumulative_effects_and_npvs_beside_the_horizon_effect(tiny_comparison):
    out, status, stdout, stderr = tiny_comparison
    assert status == 0, stderr
    assert "job-years" in stdout and "NPV net" in stdout
    table = pd.read_csv(out / "comparison.csv")
    holistic = table[table["package"] == "holistic"].set_index(["outcome", "measure"])
    for key in (
        ("jobs", "cumulative_effect"),
        ("value_added", "cumulative_effect"),
        ("export_sales", "cumulative_effect"),
        ("value_added", "npv"),
        ("export_sales", "npv"),
        ("earnings_gain", "npv"),
        ("public_cost", "npv_public_cost"),
        ("public_cost", "npv_net"),
    ):
        assert np.isfinite(holistic.loc[key, "estimate"]), key
        assert holistic.loc[key, "ci_low"] <= holistic.loc[key, "estimate"], key
    # the net NPV is the value added's less the public cost's, replicate by replicate
    assert holistic.loc[("public_cost", "npv_net"), "estimate"] == pytest.approx(
        holistic.loc[("value_added", "npv"), "estimate"]
        - holistic.loc[("public_cost", "npv_public_cost"), "estimate"],
        abs=1e-3,
    )
    assert "job-years" in (out / "summary.md").read_text(encoding="utf-8")


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
    assert "Effect of the package: against the same cluster and seed without it" in stdout
    assert "job-years" in stdout
    # the baseline has no package: nothing to pair, no extra run
    status, stdout, _ = clustersim(
        "run", SCENARIOS / "baseline.toml", "--out", tmp_path / "base", *small
    )
    assert status == 0 and "without the package" not in stdout and "changes nothing" not in stdout
    # ... and says that its changes over time are not an effect
    assert "These changes are not the effect of anything" in stdout
    # a shock without a package is compared with the same seed without the shock (it hits in
    # quarter 4: eight quarters show it)
    status, stdout, stderr = clustersim(
        "run",
        SCENARIOS / "export_shock_tariff.toml",
        "--out",
        tmp_path / "tariff",
        *("--firms", 30, "--steps", 8, "--no-plots"),
    )
    assert status == 0, stderr
    assert "shock: tariff 25 % from quarter 4" in stdout
    assert "Effect of the shock: against the same cluster and seed without it" in stdout
    assert "the same run without the shock" in stdout
