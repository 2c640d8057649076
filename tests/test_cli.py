"""The command line as a user meets it: real processes, real files."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from clustersim.cli import main
from clustersim.views.output import COLUMN_NAMES
from helpers import SCENARIOS

SMALL = ["--firms", "40", "--steps", "4"]


def cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "clustersim", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def test_run_writes_tidy_outputs_and_plots(tmp_path):
    out = tmp_path / "out"
    result = cli("run", SCENARIOS / "holistic_spv.toml", "--out", out, "--seed", 3, *SMALL)
    assert result.returncode == 0, result.stderr
    for name in (
        "timeseries.csv",
        "firms.csv",
        "flows.csv",
        "scenario.json",
        "outcomes.png",
        "cluster_map.png",
    ):
        assert (out / name).stat().st_size > 0, name
    with open(out / "timeseries.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(COLUMN_NAMES) and list(rows[0])[0] == "step"
    info = json.loads((out / "scenario.json").read_text())
    burn_in = info["scenario"]["run"]["burn_in"]
    assert len(rows) == burn_in + 4 and info["seed"] == 3 and info["clustersim_version"]
    assert info["scenario"]["interventions"]["cfc"]["governance"] == "spv"
    with open(out / "firms.csv", encoding="utf-8") as fh:
        firms = list(csv.DictReader(fh))
    assert len(firms) == int(rows[-1]["firms"])
    assert sum(float(f["workers"]) for f in firms) == pytest.approx(
        float(rows[-1]["jobs"]), rel=1e-8
    )
    assert (
        "productivity" in result.stdout
        and "jobs" in result.stdout
        and "public cost" in result.stdout
    )


def test_two_runs_with_the_same_seed_write_identical_bytes(tmp_path):
    for name in ("a", "b"):
        assert (
            main(
                [
                    "run",
                    str(SCENARIOS / "baseline.toml"),
                    "--out",
                    str(tmp_path / name),
                    "--seed",
                    "9",
                    "--no-plots",
                    "--quiet",
                    *SMALL,
                ]
            )
            == 0
        )
    for name in ("timeseries.csv", "firms.csv", "flows.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


@pytest.mark.parametrize(
    "scenario_text, fragment",
    [
        ("[cluster]\nn_firms = 'lots'\n", "cluster.n_firms = 'lots'"),
        ("[cluster\n", "not valid TOML"),
        ("[interventions.cfc]\ncapacity_hours = -1.0\n", "interventions.cfc.capacity_hours = -1.0"),
    ],
)
def test_a_malformed_scenario_exits_2_with_one_line_and_no_traceback(
    tmp_path, scenario_text, fragment
):
    path = tmp_path / "bad.toml"
    path.write_text(scenario_text, encoding="utf-8")
    result = cli("run", path, "--out", tmp_path / "out")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.toml" in lines[0] and fragment in lines[0]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["run", "missing.toml", "--out", "x"],
        ["run", str(SCENARIOS / "baseline.toml")],  # no --out
        ["run", str(SCENARIOS / "baseline.toml"), "--out", "x", "--seed", "minus"],
        ["run", str(SCENARIOS / "baseline.toml"), "--out", "x", "--firms", "0"],
        ["fly"],
        ["calibrate", "--block", "finance.nothing", "--report", "calibration.md"],
    ],
)
def test_bad_command_lines_exit_2_without_a_traceback(tmp_path, args):
    result = cli(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr and result.stderr.strip()
    assert len(result.stderr.strip().splitlines()) == 1


def test_steps_and_firms_override_the_scenario(tmp_path):
    assert (
        main(
            [
                "run",
                str(SCENARIOS / "knitwear.toml"),
                "--out",
                str(tmp_path),
                "--no-plots",
                "--quiet",
                "--firms",
                "25",
                "--steps",
                "3",
            ]
        )
        == 0
    )
    info = json.loads((tmp_path / "scenario.json").read_text())
    assert info["scenario"]["cluster"]["n_firms"] == 25 and info["scenario"]["run"]["horizon"] == 3


@pytest.mark.parametrize("out", ["", "/proc/clustersim-cannot-write"])
def test_an_unusable_output_folder_is_reported_before_the_run(tmp_path, out):
    result = cli("run", SCENARIOS / "baseline.toml", "--out", out, *SMALL)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Time:" not in result.stdout
