"""Trials that can find an effect (issue 14, item 4): eligibility by any condition over the firm
table, refused safely when it is anything else; the ANCOVA estimator, its standard error and the
minimum detectable effect on synthetic data with a known effect; logs and per-rupee outcomes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clustersim.economy.firm_table import CONDITION_COLUMNS, DERIVED, FIELDS
from clustersim.experiments.trials import records_frame
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
