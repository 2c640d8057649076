"""Trials that can find an effect (issue 14, item 4): eligibility by any condition over the firm
table, refused safely when it is anything else; the ANCOVA estimator, its standard error and the
minimum detectable effect on synthetic data with a known effect; logs and per-rupee outcomes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clustersim.economy.firm_table import CONDITION_COLUMNS, DERIVED, FIELDS
from clustersim.experiments.trials import (
    OUTCOMES,
    ancova,
    minimum_detectable_effect,
    pooled,
    pooled_ancova,
    records_frame,
)
from clustersim.inputs.conditions import ConditionError, evaluate, parse_condition
from clustersim.inputs.files import ScenarioError
from clustersim.inputs.scenario import load_scenario
from helpers import SCENARIOS, run_small, small_model

COLUMNS = {"workers": False, "capital": False, "exporter": True}


def values(**columns):
    return {k: np.asarray(v) for k, v in columns.items()}


# ----------------------------------------------------------------- conditions


def test_a_condition_selects_the_firms_it_describes():
    data = values(
        workers=[2.0, 8.0, 30.0, 12.0],
        capital=[1.0, 5.0, 50.0, 0.0],
        exporter=[False, True, False, False],
    )
    cases = {
        "workers < 10": [1, 1, 0, 0],
        "workers < 10 and not exporter": [1, 0, 0, 0],
        "exporter or capital / workers > 1": [0, 1, 1, 0],
        "5 <= workers <= 20": [0, 1, 0, 1],
        "-workers + 2 * 10 >= 0 and true": [1, 1, 0, 1],
        "capital ** 0.5 == 1 or false": [1, 0, 0, 0],
        "capital / capital == 1": [1, 1, 1, 0],  # 0/0 is NaN, and a comparison with NaN is false
        "exporter": [0, 1, 0, 0],
    }
    for text, expected in cases.items():
        got = evaluate(parse_condition(text, COLUMNS), data, 4)
        assert got.tolist() == [bool(e) for e in expected], text


@pytest.mark.parametrize(
    "text, problem",
    [
        ("__import__('os').system('true') == 0", "function call"),
        ("workers.real > 1", "attribute"),
        ("workers[0] > 1", "subscript"),
        ("workers", "a number, not a condition"),
        ("workers + exporter", "a number, not a condition"),
        ("workers and exporter", "takes conditions"),
        ("workers > 'ten'", "not a number"),
        ("wokers > 1", "did you mean 'workers'"),
        ("workers % 2 == 0", "%"),
        ("workers in (1, 2)", "in"),
        ("(lambda: 1)() == 1", "not allowed"),
        ("workers >", "not an expression"),
        ("", "empty"),
        ("not " * 20_000 + "exporter", "longer than"),
        ("(" * 400 + "workers" + ")" * 400 + " > 1", "not an expression"),
    ],
)
def test_anything_but_a_condition_is_refused_saying_why(text, problem):
    with pytest.raises(ConditionError, match=problem.replace("(", r"\(")):
        parse_condition(text, COLUMNS)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_a_condition_or_one_refusal(text):
    """Whatever the text, parsing either gives a condition or a ConditionError: never another
    exception, and nothing is executed."""
    try:
        tree = parse_condition(text, CONDITION_COLUMNS)
    except ConditionError as exc:
        assert "\n" not in str(exc)
        return
    n = 3
    data = {
        name: np.ones(n, bool if is_bool else float) for name, is_bool in CONDITION_COLUMNS.items()
    }
    assert evaluate(tree, data, n).shape == (n,)


def test_a_bad_condition_in_a_file_is_one_line_naming_file_key_value_and_what_is_allowed(
    write_toml,
):
    path = write_toml(
        f'extends = "{SCENARIOS / "baseline.toml"}"\n[trial]\ntreatment = "grant"\n'
        "eligible_if = \"open('x').read() > 0\"\n"
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "\n" not in message
    for part in (
        path.name,
        "trial.eligible_if",
        "open('x')",
        "function call",
        "allowed:",
        "workers",
        "size_class",
    ):
        assert part in message


def test_the_command_line_refuses_a_bad_condition_with_status_2_and_no_traceback(
    write_toml, tmp_path, capsys
):
    from clustersim.cli import main

    path = write_toml(
        f'extends = "{SCENARIOS / "baseline.toml"}"\n[trial]\ntreatment = "grant"\n'
        'eligible_if = "workers <"\n'
    )
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1
    assert "trial.eligible_if" in err and "not an expression" in err


def test_every_column_a_condition_may_name_is_computed_by_the_firm_table():
    model = small_model(n_firms=20)
    live = model.firms.live()
    columns = model.firms.columns(live)
    assert set(columns) == set(CONDITION_COLUMNS) == set(FIELDS) | set(DERIVED)
    for name, is_bool in CONDITION_COLUMNS.items():
        assert len(columns[name]) == len(live), name
        assert (columns[name].dtype == bool) == is_bool, name


def test_trial_eligibility_follows_the_condition():
    condition = "workers <= 20 and not exporter"
    model = run_small(
        n_firms=150,
        horizon=6,
        trial={"treatment": "grant", "quarter": 0, "follow_up": 4, "eligible_if": condition},
    )
    frame = records_frame(model)
    assert len(frame) > 20
    assert (frame["workers_before"] <= 20).all() and (frame["exporter_before"] == 0).all()
    everyone = records_frame(
        run_small(
            n_firms=150, horizon=6, trial={"treatment": "grant", "quarter": 0, "follow_up": 4}
        )
    )
    assert len(everyone) > len(frame)
    assert (everyone["workers_before"] > 20).any()


# ----------------------------------------------------------------- estimators


def synthetic_trial(rng, n, effect, share=0.5, sd=1.0):
    """Firms with a persistent outcome: after = 2 + 0.8 before + effect x treated + noise."""
    before = rng.lognormal(1.0, 0.8, n)
    treated = rng.random(n) < share
    after = 2.0 + 0.8 * before + effect * treated + rng.normal(0.0, sd, n)
    return after, treated, before


def test_ancova_recovers_a_known_effect_and_its_standard_error_is_its_spread():
    rng = np.random.default_rng(1)
    draws = [ancova(*synthetic_trial(rng, 400, effect=0.5)) for _ in range(400)]
    effects = np.array([d.effect for d in draws])
    ses = np.array([d.se for d in draws])
    assert abs(effects.mean() - 0.5) < 3 * effects.std() / np.sqrt(len(effects))
    assert ses.mean() == pytest.approx(effects.std(), rel=0.1)


def test_ancova_is_more_precise_than_a_difference_in_means_when_outcomes_persist():
    rng = np.random.default_rng(2)
    ancovas, differences = [], []
    for _ in range(300):
        after, treated, before = synthetic_trial(rng, 200, effect=0.0)
        ancovas.append(ancova(after, treated, before).effect)
        differences.append(after[treated].mean() - after[~treated].mean())
    assert np.std(ancovas) < 0.7 * np.std(differences)


@pytest.mark.parametrize("replicates", [1, 5])
def test_with_no_effect_the_interval_covers_zero_at_about_the_nominal_rate(replicates):
    rng = np.random.default_rng(3)
    covered = []
    for _ in range(400):
        fits = [ancova(*synthetic_trial(rng, 150, effect=0.0)) for _ in range(replicates)]
        pooled_fit = pooled_ancova([f.effect for f in fits], [f.se for f in fits])
        covered.append(pooled_fit["ci_low"] <= 0.0 <= pooled_fit["ci_high"])
    # nominal 95 %; with several replicates the larger of two SEs is a little conservative
    assert 0.92 <= np.mean(covered) <= (0.98 if replicates == 1 else 1.0)


def test_the_minimum_detectable_effect_is_detected_four_times_in_five():
    rng = np.random.default_rng(4)
    se = np.mean([ancova(*synthetic_trial(rng, 300, effect=0.0)).se for _ in range(100)])
    mde = minimum_detectable_effect(se)
    assert mde == pytest.approx(2.8 * se, rel=0.01)
    rejected = []
    for _ in range(500):
        fit = ancova(*synthetic_trial(rng, 300, effect=mde))
        rejected.append(abs(fit.effect / fit.se) > 1.96)
    assert 0.74 <= np.mean(rejected) <= 0.86


def test_the_minimum_detectable_effect_shrinks_with_the_sample_as_one_over_its_root():
    rng = np.random.default_rng(5)

    def mde(n):
        return np.mean(
            [minimum_detectable_effect(ancova(*synthetic_trial(rng, n, 0.0)).se) for _ in range(60)]
        )

    small, large = mde(100), mde(400)
    assert large < small
    assert large / small == pytest.approx(0.5, abs=0.06)
    # and pooling replicates: four independent trials halve it too
    fits = [ancova(*synthetic_trial(rng, 100, 0.0)) for _ in range(4)]
    four = pooled_ancova([f.effect for f in fits], [f.se for f in fits])
    assert four["se_within"] == pytest.approx(four["se_one_trial"] / 2, rel=1e-9)


def records(rng, n, replicate, grant_return_per_quarter=0.0, sales_factor=1.0):
    """A trial's firm records (the columns FieldTrial writes) with known effects: a grant of one
    quarter's profit raises profit by ``grant_return_per_quarter`` per rupee, and treated sales
    are ``sales_factor`` times what they would be."""
    treated = rng.random(n) < 0.5
    frame = {"replicate": replicate, "slot": np.arange(n), "treated": treated}
    for outcome in OUTCOMES:
        before = rng.lognormal(1.0, 0.7, n)
        frame[f"{outcome}_before"] = before
        frame[f"{outcome}_after"] = before * rng.lognormal(0.0, 0.05, n)
    grant = np.where(treated, frame["profit_before"], 0.0)
    frame["grant"] = frame["treatment_lakh"] = grant
    frame["profit_after"] = frame["profit_after"] + grant_return_per_quarter * grant
    frame["sales_after"] = frame["sales_after"] * np.where(treated, sales_factor, 1.0)
    frame["alive_after"] = np.ones(n)
    return pd.DataFrame(frame)


def test_a_grants_return_is_estimated_per_rupee_and_a_multiplicative_effect_in_logs():
    rng = np.random.default_rng(6)
    frame = pd.concat(
        [records(rng, 300, r, grant_return_per_quarter=0.15, sales_factor=1.1) for r in range(6)]
    )
    table = pooled(frame).set_index("outcome")
    # 15 % a quarter per rupee of grant is 5 % a month (de Mel et al.'s measure)
    row = table.loc["monthly_return_on_grant"]
    assert row["unit"] == "% a month"
    assert row["ancova_ci_low"] < 5.0 < row["ancova_ci_high"]
    assert abs(row["itt_ancova"] - 5.0) < 0.5
    assert table.loc["profit_per_rupee", "itt_ancova"] == pytest.approx(3 * row["itt_ancova"] / 100)
    # sales 10 % higher: log(1.1) = 9.5 log points
    assert table.loc["log_sales", "itt_ancova"] == pytest.approx(100 * np.log(1.1), abs=1.0)
    assert table.loc["log_sales", "unit"] == "log points x 100"
    # no effect on capital, per rupee or in logs
    for outcome in ("capital_per_rupee", "log_capital"):
        assert table.loc[outcome, "ancova_ci_low"] < 0 < table.loc[outcome, "ancova_ci_high"]
    assert (table["mde"].dropna() > 0).all() and (table["mde_one_trial"].dropna() > 0).all()


def test_a_grant_trial_in_the_model_reports_per_rupee_returns_logs_and_power():
    frames = [
        records_frame(
            run_small(
                seed=s,
                n_firms=150,
                horizon=6,
                trial={"treatment": "grant", "quarter": 0, "follow_up": 4},
            )
        ).assign(replicate=s)
        for s in (1, 2)
    ]
    frame = pd.concat(frames)
    treated = frame["treated"]
    assert (frame.loc[treated, "treatment_lakh"] > 0).all()
    assert (frame.loc[~treated, "treatment_lakh"] == 0).all()
    table = pooled(frame).set_index("outcome")
    for outcome in ("monthly_return_on_grant", "profit_per_rupee", "log_sales", "sales"):
        row = table.loc[outcome]
        values = row[["itt_ancova", "ancova_se", "mde", "mde_one_trial"]].astype(float)
        assert np.isfinite(values).all(), outcome
        # two trials pooled: the design-based standard error is below one trial's
        assert row["ancova_se_within"] < row["mde_one_trial"] / 2.8
        assert row["mde"] >= 2.8 * row["ancova_se"]


def test_run_reports_its_trial_with_the_power_of_one_trial(write_toml, tmp_path):
    from helpers import clustersim

    path = write_toml(
        f'extends = "{SCENARIOS / "baseline.toml"}"\n[trial]\ntreatment = "grant"\n'
        'eligible_if = "profit > 0"\n'
    )
    status, stdout, stderr = clustersim(
        "run", path, "--out", tmp_path / "out", "--firms", 80, "--steps", 6, "--no-plots"
    )
    assert status == 0, stderr
    assert "In-silico trial (grant" in stdout
    assert "monthly_return_on_grant" in stdout and "minimum detectable effect" in stdout
