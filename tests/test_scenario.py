"""Scenario files: every shipped file is valid; bad input gives one clear error
naming the file, the key, the value and what is allowed — never a traceback."""

from __future__ import annotations

import csv
import re
import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clustersim.inputs.files import ScenarioError
from clustersim.inputs.params import ARCHETYPES, INTERVENTIONS, PARAMETERS
from clustersim.inputs.scenario import load_scenario
from helpers import ROOT, SCENARIOS

SHIPPED = sorted(SCENARIOS.glob("*.toml"))


def test_every_declared_default_is_allowed_and_documented():
    for p in PARAMETERS.values():
        assert p.meaning and p.unit, p.key
        if p.low is not None:
            assert p.low <= p.default <= p.high, p.key
        if p.choices is not None and p.kind is str:
            assert p.default in p.choices, p.key


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_scenario_is_valid(path):
    scenario = load_scenario(path)
    assert scenario.title


def test_there_are_archetypes_interventions_a_shock_and_holistic_packages():
    names = {p.stem for p in SHIPPED}
    assert {"baseline", "knitwear", "foundry", "handicraft"} <= names
    assert sum(n.startswith("holistic") for n in names) >= 2
    for name in INTERVENTIONS:
        assert any(
            load_scenario(p).values.get(f"interventions.{name}") is not None
            for p in SHIPPED
            if p.stem.startswith(name.split("_")[0])
        ), name
    assert any(load_scenario(p).params.shocks for p in SHIPPED)


def test_archetype_scenarios_agree_with_the_cluster_data():
    """Firm counts and turnover per worker sit within the range of the real clusters
    of the same archetype (clustersim/data/indian_clusters.csv)."""
    with open(ROOT / "clustersim" / "data" / "indian_clusters.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for path in SHIPPED:
        c = load_scenario(path).params.cluster
        if c.firm_csv:
            continue
        same = [r for r in rows if r["archetype"] == c.archetype]
        units = [float(r["units"]) for r in same if r["units"]]
        tpw = [
            float(r["turnover_inr_cr"]) * 100 / float(r["employment"])
            for r in same
            if r["turnover_inr_cr"] and r["employment"]
        ]
        # Within the archetype's range, allowing for rounding to two figures (5 %).
        assert 0.95 * min(units) <= c.n_firms <= 1.05 * max(units), path.name
        assert 0.95 * min(tpw) <= c.turnover_per_worker_lakh <= 1.05 * max(tpw), path.name


def test_extends_inherits_and_overrides(write_toml):
    child = write_toml(
        f'extends = "{SCENARIOS / "cfc.toml"}"\n[interventions.cfc]\ncapacity_hours = 5.0\n'
    )
    s = load_scenario(child)
    assert s.params.interventions.cfc.capacity_hours == 5.0
    assert s.params.interventions.cfc.governance == "spv"  # inherited from cfc.toml
    assert (
        s.params.cluster.n_firms
        == load_scenario(SCENARIOS / "baseline.toml").params.cluster.n_firms
    )


def test_an_inherited_intervention_can_be_switched_off(write_toml):
    child = write_toml(
        f'extends = "{SCENARIOS / "cfc.toml"}"\n[interventions.cfc]\nenabled = false\n'
    )
    assert not load_scenario(child).params.interventions.cfc.enabled


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "[cluster]\nn_frims = 10\n",
            ["cluster.n_frims", "unknown key", "did you mean 'n_firms'", "allowed"],
        ),
        (
            "[cluster]\nn_firms = 'many'\n",
            ["cluster.n_firms", "'many'", "wrong type", "a whole number in [1, 200000]"],
        ),
        ("[cluster]\nn_firms = 0\n", ["cluster.n_firms = 0", "out of range", "[1, 200000]"]),
        (
            "[finance]\ninformal_rate = 0.9\n",
            ["finance.informal_rate = 0.9", "out of range", "[0.3, 0.6]"],
        ),
        (
            "[cluster]\narchetype = 'rubber'\n",
            ["cluster.archetype", "not a known choice", "engineering_foundry"],
        ),
        ("[clustr]\nn_firms = 1\n", ["clustr", "unknown section", "did you mean 'cluster'"]),
        ("[interventions.cfcc]\n", ["interventions.cfcc", "unknown intervention", "cfc"]),
        ("[interventions.credit_guarantee]\neligible = ['tiny']\n", ["eligible", "micro"]),
        (
            "[technology]\nlabour_elasticity = 0.6\ncapital_elasticity = 0.5\n",
            ["must be below 1"],
        ),
        ("[[market.shocks]]\ntariff = 0.3\n", ["market.shocks[0].quarter", "missing"]),
        (
            "[[market.shocks]]\nquarter = 2\ntarif = 0.3\n",
            ["market.shocks[0].tarif", "unknown key", "tariff"],
        ),
        ("cluster = 3\n", ["cluster = 3", "must be a table"]),
        ("[cluster]\nfirm_csv = 1\n", ["cluster.firm_csv = 1", "wrong type", "a string"]),
        ("[cluster\n", ["not valid TOML"]),
        ('extends = "nowhere.toml"\n', ["nowhere.toml", "file not found"]),
    ],
)
def test_bad_scenarios_name_file_key_value_and_what_is_allowed(write_toml, text, expected):
    path = write_toml(text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    message = str(err.value)
    assert "\n" not in message
    assert str(path.name) in message or "nowhere.toml" in message
    for fragment in expected:
        assert fragment in message


def test_an_extends_cycle_is_reported(write_toml):
    a = write_toml('extends = "b.toml"\n', "a.toml")
    write_toml('extends = "a.toml"\n', "b.toml")
    with pytest.raises(ScenarioError, match="inheritance cycle .*a.toml -> b.toml -> a.toml"):
        load_scenario(a)


def test_errors_name_the_file_that_set_the_bad_value(write_toml):
    write_toml("[cluster]\nn_firms = -5\n", "parent.toml")
    child = write_toml('extends = "parent.toml"\n[run]\nseed = 3\n', "child.toml")
    with pytest.raises(ScenarioError, match=r"parent\.toml: cluster\.n_firms = -5"):
        load_scenario(child)


@pytest.mark.parametrize(
    "csv_text, expected",
    [
        ("x,y,workers\n1,2,3\n1,two,3\n", ["row 3", "column 'y'", "'two'"]),
        ("x,y,workers\n1,2,-3\n", ["row 2", "column 'workers'", "[0.1, 100000]"]),
        ("x,y,workers\n1,99,3\n", ["row 2", "column 'y'", "[0, 19]"]),
        ("x,y\n1,2\n", ["column 'workers'", "missing"]),
        ("x,y,workers,colour\n1,2,3,red\n", ["column 'colour'", "unknown column"]),
        ("x,y,workers\n", ["has no firm rows"]),
    ],
)
def test_a_malformed_firm_list_names_the_row_and_column(write_toml, tmp_path, csv_text, expected):
    (tmp_path / "firms.csv").write_text(csv_text, encoding="utf-8")
    path = write_toml('[run]\ngrid_width = 20\n[cluster]\nfirm_csv = "firms.csv"\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    for fragment in expected:
        assert fragment in str(err.value)
    assert "firms.csv" in str(err.value)


# Hypothesis: arbitrary (mostly wrong) scenario documents never raise anything but ScenarioError.
keys = st.sampled_from(
    sorted({k.rsplit(".", 1)[1] for k in PARAMETERS}) + ["bogus", "extends", "title"]
)
sections = st.sampled_from(
    [
        "run",
        "cluster",
        "technology",
        "finance",
        "market",
        "interventions",
        "labour",
        "nope",
        "governance",
    ]
)
values = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=8),
    st.lists(st.sampled_from(["micro", "small", "x"]), max_size=3),
    st.sampled_from(list(ARCHETYPES) + ["spv", "government"]),
)
documents = st.dictionaries(sections, st.dictionaries(keys, values, max_size=4), max_size=4)


def _to_toml(doc) -> str:
    lines = []
    for section, table in doc.items():
        lines.append(f"[{section}]")
        for key, value in table.items():
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {float("inf"): "inf", float("-inf"): "-inf"}.get(
            value, "nan" if value != value else repr(value)
        )
    if isinstance(value, str):
        return '"' + value.encode("unicode_escape").decode().replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value)


@settings(max_examples=150)
@given(doc=documents)
def test_drawn_bad_scenarios_never_raise_anything_but_a_scenario_error(tmp_path_factory, doc):
    path = tmp_path_factory.mktemp("drawn") / "drawn.toml"
    text = _to_toml(doc)
    path.write_text(text, encoding="utf-8")
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        pass
    try:
        load_scenario(path)
    except ScenarioError as exc:
        assert str(exc) and "\n" not in str(exc)


def test_the_parameter_table_in_docs_is_up_to_date():
    from clustersim.inputs.paramdoc import render

    committed = (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
    assert committed == render(), "run: python -m clustersim.inputs.paramdoc > docs/parameters.md"


@pytest.mark.parametrize(
    "shock, fragment",
    [
        ("exchange_rate = 0.01", "-1 (unchanged) or a number in [0.1, 10.0]"),
        ("tariff = -0.5", "-1 (unchanged) or a number in [0.0, 5.0]"),
    ],
)
def test_shock_values_must_be_unchanged_or_inside_the_market_range(write_toml, shock, fragment):
    with pytest.raises(ScenarioError, match=re.escape(fragment)):
        load_scenario(write_toml(f"[[market.shocks]]\nquarter = 1\n{shock}\n"))


def test_a_subvention_cannot_exceed_the_interest_rate(write_toml):
    path = write_toml(
        "[finance]\nformal_rate = 0.05\n[interventions.interest_subvention]\nrate_points = 0.06\n"
    )
    with pytest.raises(ScenarioError, match="must be below finance.formal_rate"):
        load_scenario(path)


def test_a_table_in_a_child_switches_an_inherited_disabled_intervention_back_on(write_toml):
    write_toml(
        f'extends = "{SCENARIOS / "cfc.toml"}"\n[interventions.cfc]\nenabled = false\n', "off.toml"
    )
    child = write_toml(
        'extends = "off.toml"\n[interventions.cfc]\ncapacity_hours = 10.0\n', "on.toml"
    )
    assert load_scenario(child).params.interventions.cfc.capacity_hours == 10.0


def test_command_line_overrides_do_not_hide_a_broken_file(write_toml):
    path = write_toml('cluster = "oops"\n')
    with pytest.raises(ScenarioError, match="must be a table"):
        load_scenario(path, {"cluster": {"n_firms": 10}})


def test_a_firm_list_saved_by_excel_with_a_bom_is_read(write_toml, tmp_path):
    (tmp_path / "firms.csv").write_bytes("\ufeffx,y,workers\n1,2,3\n".encode("utf-8"))
    path = write_toml('[run]\ngrid_width = 20\n[cluster]\nfirm_csv = "firms.csv"\n')
    assert load_scenario(path).firm_table["workers"].tolist() == [3.0]


@pytest.mark.parametrize(
    "csv_text, fragment",
    [
        ("x,y,workers\n1,2,3,4\n", "more fields than the header"),
        ("x,y,workers\n1,2,1e308\n", "[0.1, 100000]"),
    ],
)
def test_firm_list_rows_are_bounded(write_toml, tmp_path, csv_text, fragment):
    (tmp_path / "firms.csv").write_text(csv_text, encoding="utf-8")
    path = write_toml('[run]\ngrid_width = 20\n[cluster]\nfirm_csv = "firms.csv"\n')
    with pytest.raises(ScenarioError, match=re.escape(fragment)):
        load_scenario(path)
