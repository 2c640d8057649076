"""The recipes of docs/python.md run as written, small: each ```python block after a
``<!-- recipe: NAME -->`` line is saved as a script and run from the repository's root, with its
size constants (QUICK, and the sample counts) made small."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

import pytest

from helpers import ROOT

DOC = ROOT / "docs" / "python.md"
QUICK = '{"cluster.n_firms": 60, "run.burn_in": 8, "run.horizon": 12}'


def recipe(name: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    found = re.search(rf"<!-- recipe: {name} -->\n```python\n(.*?)```", text, re.S)
    assert found, f"docs/python.md has no recipe {name!r}"
    return found.group(1)


def run_recipe(name: str, tmp_path, **small: str) -> str:
    """Run the recipe with each NAME = ... line of ``small`` (and QUICK) replaced; its output."""
    code = recipe(name)
    for constant, value in ({"QUICK": QUICK} | small).items():
        code, count = re.subn(rf"^{constant} = .*$", f"{constant} = {value}", code, flags=re.M)
        assert count == 1, f"the {name} recipe no longer sets {constant}"
    script = tmp_path / f"{name}.py"
    script.write_text(code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.slow
def test_the_batch_run_recipe_gives_two_scenarios_by_two_seeds(tmp_path):
    lines = run_recipe("batch_run", tmp_path).splitlines()
    header = ["RunId", "Step", "scenario", "seed", "productivity", "export_share", "jobs"]
    assert lines[0].split() == header
    steps = [line.split()[1 + header.index("Step")] for line in lines[1:6]]  # after the index
    assert steps == ["1", "2", "3", "4", "5"]
    pivot = lines[6:]  # jobs at the horizon: seeds by scenarios
    assert pivot[0].split() == ["scenario", "scenarios/baseline.toml", "scenarios/cfc.toml"]
    assert [line.split()[0] for line in pivot[2:]] == ["1", "2"]
    assert all(len(line.split()) == 3 for line in pivot[2:])


def test_the_solaraviz_recipe_builds_a_page():
    pytest.importorskip("solara", reason='the viz extra (pip install -e ".[viz]")')
    namespace: dict = {}
    exec(recipe("solaraviz"), namespace)  # a page as `solara run` would serve it
    model = namespace["page"].args[0]
    assert model.settings.path.name == "cfc.toml" and model.seed_used == 1
    assert model.datacollector.get_model_vars_dataframe().empty  # nothing recorded before a step


@pytest.mark.slow
def test_the_ema_workbench_recipe_finds_a_prim_box(tmp_path):
    if importlib.util.find_spec("ema_workbench") is None:
        pytest.skip(
            'ema_workbench is not installed (the ecosystem extra: pip install -e ".[ecosystem]")'
        )
    out = run_recipe("ema", tmp_path, FUTURES="12", DESIGNS="2")
    for outcome in ("jobs_effect", "productivity_effect", "public_cost_cr"):
        assert outcome in out
    assert "coverage" in out and "density" in out and "qp value" in out  # PRIM's box


@pytest.mark.slow
def test_the_salib_recipe_reports_first_order_and_total_indices(tmp_path):
    out = run_recipe("salib", tmp_path, BASE_SAMPLES="4")
    lines = out.strip().splitlines()
    assert lines[0].split() == ["S1", "S1_conf", "ST", "ST_conf"]
    assert [line.split()[0] for line in lines[1:]] == [
        "technology.cfc_lift",
        "interventions.cfc.capacity_hours",
        "market.foreign_demand_ratio",
    ]
