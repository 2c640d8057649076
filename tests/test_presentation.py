"""What a policy reader sees: every package in the figures, value for money in words, small groups
flagged, single runs that say what their numbers are effects of.  Tables and figures are built
from small hand-made frames, so these tests run no sweep."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clustersim.analysis.compare import ratio_note, value_for_money
from clustersim.experiments.design import BASELINE
from clustersim.views import compare_plots
from clustersim.views.report import MIN_GROUP_FIRMS, who_gains_table
from clustersim.views.summary import (
    answer,
    effects_table,
    net_jobs_per_crore,
    short_note,
    write_paths,
)
from helpers import SCENARIOS, paired_differences


# ------------------------------------------------------------------ value for money in words
@pytest.mark.parametrize(
    ("cost", "low", "high", "says"),
    [
        (-1.4, 100.0, 900.0, "saves public money and creates jobs"),
        (-1.4, -50.0, -10.0, "saves public money and loses jobs"),
        (-1.4, -50.0, 900.0, "undefined: no net public cost, and the jobs interval spans zero"),
        (10.0, -50.0, 900.0, "undefined: the jobs interval spans zero"),
        (10.0, -90.0, -10.0, "undefined: jobs fall (the effect is negative: nothing is created)"),
        (10.0, 100.0, 900.0, ""),
    ],
)
def test_a_cost_ratio_without_a_number_says_why(cost, low, high, says):
    assert ratio_note(cost, low, high, 1.0, "jobs") == says


def test_a_package_that_returns_money_and_creates_jobs_reads_as_such_not_as_a_failure():
    """The credit guarantee's case: fees above claims (a negative public cost) and more jobs."""
    frame = paired_differences
    diffs = {
        "public_cost_cr": frame([-1.4, -1.3, -1.5, -1.4, -1.2, -1.6]),
        "jobs": frame([560.0, 570, 580, 555, 575, 568]),
        "jobs_net": frame([140.0, 142, 145, 139, 144, 142]),
        "export_sales": frame([1.0, 1.1, 0.9, 1.2, 1.0, 1.05]),
    }
    rows = value_for_money("p", diffs, 1, np.random.default_rng(0), 200)
    per_job = next(r for r in rows if r["measure"] == "cost_per_job")
    assert per_job["note"] == "saves public money and creates jobs"
    assert short_note(per_job["note"]) == "saves money, creates jobs"
    assert np.isnan(per_job["estimate"])  # no cost to divide
    per_net = next(r for r in rows if r["measure"] == "cost_per_net_job")
    assert net_jobs_per_crore(per_net) == "saves money, creates jobs"


def test_undefined_follows_the_interval_the_table_shows_when_parameters_are_drawn():
    """With parameter draws the effect's interval has replicates as its unit; a ratio is undefined
    exactly when that interval spans zero, however many draws narrow the raw spread."""
    points, reps = 10, 2
    jobs = [10.0 + 0.1 * p if r == 0 else 1.0 - 0.1 * p for p in range(points) for r in range(reps)]

    def frame(values):
        return paired_differences(values, points)

    diffs = {
        "public_cost_cr": frame([5.0] * (points * reps)),
        "jobs": frame(jobs),
        "export_sales": frame([1.0] * (points * reps)),
    }
    rows = value_for_money("p", diffs, 1, np.random.default_rng(0), 200)
    per_job = next(r for r in rows if r["measure"] == "cost_per_job")
    assert per_job["note"] == "undefined: the jobs interval spans zero"


# ------------------------------------------------------------------ every package in the figures
def _series(packages: int, quarters: int = 6, replicates: int = 3) -> pd.DataFrame:
    """A sweep's series: package k adds k workers a quarter over the baseline."""
    rows = []
    names = [BASELINE] + [f"p{k:02d}" for k in range(1, packages + 1)]
    for k, name in enumerate(names):
        for r in range(replicates):
            for q in range(quarters + 1):
                jobs = 1000.0 + k * q + r
                rows.append(
                    {
                        "package": name,
                        "point": 0,
                        "replicate": r,
                        "quarter": q,
                        "jobs": jobs,
                        "jobs_net": 0.25 * jobs,
                    }
                )
    return pd.DataFrame(rows)


def test_paths_draws_every_package_on_pages_and_removes_stale_pages(tmp_path):
    n = compare_plots.PANELS_PER_PAGE + 4
    series = _series(n)
    packages, _ = compare_plots.path_bands(series)
    pages = compare_plots.path_pages(packages)
    assert sorted(p for page in pages for p in page) == [f"p{k:02d}" for k in range(1, n + 1)]
    (tmp_path / "paths_3.png").write_bytes(b"left from a bigger comparison")
    assert write_paths(tmp_path, series, {"title": "t"}, order=[]) == 2
    assert (tmp_path / "paths.png").stat().st_size > 0
    assert (tmp_path / "paths_2.png").stat().st_size > 0
    assert not (tmp_path / "paths_3.png").exists()


def test_paths_follow_the_order_given_and_share_one_y_scale(tmp_path):
    series = _series(3)
    packages, bands = compare_plots.path_bands(series, order=["p03", "p01"])
    assert packages == ["p03", "p01", "p02"]
    # p03 adds 3 workers a quarter: 18 after six quarters
    assert bands[("p03", "jobs")][0].iloc[-1] == pytest.approx(18.0)


# ------------------------------------------------------------------ tables
def _table() -> tuple[pd.DataFrame, pd.DataFrame]:
    def effect(package, outcome, est, low, high, measure="effect_at_horizon", note=""):
        return {
            "package": package,
            "outcome": outcome,
            "measure": measure,
            "estimate": est,
            "ci_low": low,
            "ci_high": high,
            "note": note,
        }

    rows = [
        effect("big", "jobs", 2051.4, 1159.2, 2942.7),
        effect("big", "jobs_net", 513.3, 290.1, 736.0),
        effect("big", "public_cost", 74.5, 70.2, 78.8, "cumulative_cost"),
        effect("big", "public_cost", 14.5, 12.4, 18.0, "cost_per_net_job"),
        effect("guarantee", "jobs", 568.0, 300.0, 800.0),
        effect("guarantee", "jobs_net", 142.0, 75.0, 200.0),
        effect("guarantee", "public_cost", -1.4, -1.6, -1.2, "cumulative_cost"),
        effect(
            "guarantee",
            "public_cost",
            np.nan,
            np.nan,
            np.nan,
            "cost_per_net_job",
            "saves public money and creates net jobs",
        ),
        effect("big", "who_gains_size", 250.0, -13064.0, 13563.0, "medium: jobs", "2 firms"),
        effect("big", "who_gains_size", 1184.0, 350.0, 2017.0, "micro: jobs", "132 firms"),
    ]
    ranking = pd.DataFrame(
        {"package": ["guarantee", "big"], "jobs": [568.0, 2051.4], "jobs_net": [142.0, 513.3]}
    )
    return pd.DataFrame(rows), ranking


def test_tables_give_whole_workers_most_net_jobs_first_and_net_jobs_per_crore():
    table, ranking = _table()
    effects = effects_table(table, ranking)
    assert effects["package"].tolist() == ["big", "guarantee"]
    assert effects.loc[0, "jobs"] == "+2,051 (+1,159 to +2,943)"
    assert effects.loc[0, "net jobs per Rs cr"] == f"{100 / 14.5:.1f} ({100 / 18:.1f} to 8.1)"
    assert effects.loc[1, "Rs lakh/net job"] == "saves money, creates jobs"


def test_small_groups_are_flagged_instead_of_printing_their_interval():
    table, _ = _table()
    gains = who_gains_table(table, ["big"])
    assert MIN_GROUP_FIRMS > 2
    assert "too few" in gains.loc[0, "medium"] and "13,563" not in gains.loc[0, "medium"]
    assert gains.loc[0, "micro"] == "+1,184 (+350 to +2,017) [132 firms]"


def test_the_answer_names_the_package_its_net_jobs_its_cost_and_how_sure():
    table, ranking = _table()
    series = _series(1).assign(package=lambda f: f["package"].replace({"p01": "big"}))
    text = answer(table, ranking, {"title": "t"}, series)
    assert "**big** adds the most net jobs" in text and "+513 (+290 to +736)" in text
    assert "Rs 74.5 crore" in text and "14.5 lakh per net job" in text
    assert "**guarantee** creates net jobs and saves public money" in text
    assert "Monte Carlo noise" in text and "parameter_uncertainty = true" in text
    # a holistic package's synergy and the assumptions that drive the ranking, when measured
    pairwise = pd.DataFrame(
        [
            {"kind": "synergy", "package": "big", "other": "a + b", "outcome": "jobs_net"}
            | {"difference": 56.0, "ci_low": 12.0, "ci_high": 100.0, "p_beats": 0.9}
        ]
    )
    drivers = pd.DataFrame(
        {
            "package": ["all pairs"],
            "outcome": ["jobs_net"],
            "parameter": ["x.lift"],
            "variance_share": [0.71],
        }
    )
    text = answer(table, ranking, {"title": "t"}, series, pairwise, [], drivers)
    assert "adds +56 net jobs (+12 to +100): more than the sum" in text
    assert "`x.lift`: each alone explains 71 %" in text


# ------------------------------------------------------------------ a single run
def test_a_run_marks_its_shocks_and_scheme_openings():
    from clustersim.economy.model import ClusterModel
    from clustersim.inputs.scenario import load_scenario
    from clustersim.views.output import what_is_compared
    from clustersim.views.plots import policy_marks

    tariff = load_scenario(SCENARIOS / "export_shock_tariff.toml")
    assert what_is_compared(tariff.params) == "shock"
    marks = policy_marks(ClusterModel(tariff, n_firms=20))
    assert (4, "shock: tariff 25 %", "shock") in marks
    package = load_scenario(SCENARIOS / "holistic_spv.toml")
    assert what_is_compared(package.params) == "package"
    starts = [m for m in policy_marks(ClusterModel(package, n_firms=20)) if m[2] == "scheme"]
    assert starts and starts[0][0] == 0 and "6 schemes start" in starts[0][1]
    assert what_is_compared(load_scenario(SCENARIOS / "baseline.toml").params) == ""
