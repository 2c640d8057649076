"""Fuzzing the command line as a user meets it: drawn experiment files, drawn command lines and
damaged sweep folders.  Whatever is drawn, clustersim either does its work (exit 0) or says what
is wrong in one line on stderr with exit status 2; nothing else escapes (an exception here is a
traceback there).  ``benchmarks/attack.py`` runs the same kinds of attack in real processes."""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clustersim import api
from clustersim.experiments.store import MANIFEST_COLUMNS
from helpers import SCENARIOS, TINY, clustersim

INTERESTING = st.one_of(
    st.sampled_from(
        [
            0,
            -1,
            1,
            2,
            400,
            401,
            100_001,
            10**9,
            2**63 - 1,
            -(2**63),
            0.0,
            -0.0,
            1e-300,
            1e300,
            math.nan,
            math.inf,
            -math.inf,
            "",
            "x",
            "\x00",
            "/dev/zero",
            "../missing.toml",
            "a" * 300,
            True,
            False,
            [],
            [1, 2],
            ["x"],
            {},
            {"a": 1},
            [[[1]]],
        ]  # fmt: skip
    ),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)

RICH = {
    "title": "fuzz",
    "baseline": str(SCENARIOS / "baseline.toml"),
    "replicates": 1,
    "seed": 5,
    "horizon": 1,
    "burn_in": 2,
    "n_firms": 20,
    "outcomes": ["productivity", "jobs"],
    "packages": {
        "cfc": str(SCENARIOS / "cfc.toml"),
        "big": {
            "scenario": str(SCENARIOS / "cfc.toml"),
            "set": {"interventions.cfc.capacity_hours": 80000.0},
        },
    },
    "sampler": {"method": "random", "samples": 2, "seed": 3},
    "parameters": {"interventions.cfc.capacity_hours": [1000.0, 2000.0]},
    "precision": {"jobs": 1000.0},
}


def _key_paths(table, prefix=()):
    for key, value in table.items():
        yield (*prefix, key)
        if isinstance(value, dict):
            yield from _key_paths(value, (*prefix, key))


PATHS = list(_key_paths(RICH))


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def to_toml(table: dict) -> str:
    return "".join(f"{json.dumps(k)} = {toml_value(v)}\n" for k, v in table.items())


@st.composite
def experiments(draw):
    """The rich experiment with one to three keys replaced, renamed, dropped or wrapped."""
    table = json.loads(json.dumps(RICH))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        parent = table
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent.get(key), dict) else None
            if parent is None:
                break
        if parent is None or path[-1] not in parent:
            continue
        action = draw(st.sampled_from(["value", "value", "rename", "drop", "wrap"]))
        if action == "value":
            parent[path[-1]] = draw(INTERESTING)
        elif action == "rename":
            parent[path[-1] + "z"] = parent.pop(path[-1])
        elif action == "drop":
            del parent[path[-1]]
        else:
            parent[path[-1]] = {"nested": parent[path[-1]]}
    return to_toml(table)


def assert_one_line_or_success(status, err, must_fail=False):
    lines = [line for line in err.strip().splitlines() if line.strip()]
    if must_fail or status != 0:
        assert status == 2, err
        assert len(lines) == 1 and lines[0].startswith("clustersim: error: "), err


@pytest.fixture
def no_runs(monkeypatch):
    """Sweeps are validated and planned, but no model runs (the engine is tested elsewhere)."""
    import clustersim.experiments.sweep as sweep

    monkeypatch.setattr(
        sweep, "run_sweep", lambda *a, **k: pd.DataFrame(columns=list(MANIFEST_COLUMNS))
    )


@settings(max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=experiments())
def test_drawn_experiment_files_run_or_fail_in_one_line(tmp_path, no_runs, text):
    path = tmp_path / "e.toml"
    path.write_text(text, encoding="utf-8")
    status, _, err = clustersim("sweep", path, "--out", tmp_path / "out", "--workers", "1")
    assert_one_line_or_success(status, err)


VALUES = st.sampled_from(
    ["", "-1", "0", "1", "2", "401", "1e3", "nan", "x", "/dev/zero", "/nonexistent/x", "tcp://",
     "-", " ", "9" * 30, "tcp://127.0.0.1:1", "ucx://h:1", "jobs=5", "jobs=nan", "o", "3"]
)  # fmt: skip
GRAMMAR = {
    "run": ["--out", "--seed", "--steps", "--firms", "--no-plots", "--quiet"],
    "sweep": ["--out", "--workers", "--scheduler", "--resume", "--replicates", "--steps"],
    "compare": ["--target", "--quiet"],
    "report": [],
}
SWITCHES = {"--no-plots", "--quiet", "--resume"}


@st.composite
def command_lines(draw, files):
    command = draw(st.sampled_from(list(GRAMMAR)))
    argv = [command]
    if draw(st.booleans()) or command != "run":
        argv.append(draw(st.sampled_from(files[command])))
    flags = GRAMMAR[command]
    for flag in draw(st.lists(st.sampled_from(flags), max_size=4, unique=True)) if flags else []:
        argv.append(flag)
        if flag not in SWITCHES:
            argv.append(draw(VALUES))
    if command == "run":
        argv += ["--no-plots", "--quiet", "--steps", "1"]
    return argv


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_drawn_command_lines_run_or_fail_in_one_line(tmp_path, no_runs, data, monkeypatch):
    monkeypatch.chdir(tmp_path)
    small = tmp_path / "small.toml"
    small.write_text(
        f'extends = "{SCENARIOS / "baseline.toml"}"\n[run]\nburn_in = 2\n[cluster]\nn_firms = 20\n'
    )
    (tmp_path / "tiny.toml").write_text(TINY)
    (tmp_path / "f.txt").write_text("not a folder")
    files = {
        "run": [str(small), "missing.toml", "/dev/zero", ".", "f.txt", "tiny.toml"],
        "sweep": ["tiny.toml", str(small), "missing.toml", "/dev/zero", "."],
        "compare": [".", "missing", "f.txt", "/dev/zero"],
        "report": [".", "missing", "f.txt"],
    }
    argv = data.draw(command_lines(files))
    status, _, err = clustersim(*argv)
    assert_one_line_or_success(status, err)


# ------------------------------------------------------------------ damaged sweep folders
@pytest.fixture(scope="module")
def finished_sweep(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    experiment = folder / "tiny.toml"
    experiment.write_text(TINY.replace("replicates = 3", "replicates = 2"), encoding="utf-8")
    api.sweep(experiment, folder / "sweep", workers=1)
    return folder / "sweep", experiment


def _runs(d: Path) -> list[Path]:
    return sorted((d / "runs").glob("*.parquet"))


DAMAGES = {
    "info empty": lambda d: (d / "experiment.json").write_bytes(b""),
    "info binary": lambda d: (d / "experiment.json").write_bytes(os.urandom(64)),
    "info truncated": lambda d: (d / "experiment.json").write_bytes(
        (d / "experiment.json").read_bytes()[:50]
    ),
    "info packages 5": lambda d: _edit(d, packages=5),
    "info title list": lambda d: _edit(d, title=[1]),
    "info precision text": lambda d: _edit(d, precision="x"),
    "info replicates -1": lambda d: _edit(d, replicates=-1),
    "info points 3": lambda d: _edit(d, points=3),
    "info a list": lambda d: (d / "experiment.json").write_text("[]"),
    "manifest garbage": lambda d: (d / "manifest.jsonl").write_bytes(b'5\n[]\n{"run_id": 3}\n\xff'),
    "run is a folder": lambda d: _to_folder(_runs(d)[-1]),
    "run is garbage": lambda d: _runs(d)[-1].write_bytes(os.urandom(99)),
    "run is empty": lambda d: _runs(d)[-1].write_bytes(b""),
    "run is a firms table": lambda d: shutil.copy(d / "firms" / _runs(d)[-1].name, _runs(d)[-1]),
    "run of another id": lambda d: shutil.copy(_runs(d)[0], _runs(d)[-1]),
    "firms is garbage": lambda d: (d / "firms" / _runs(d)[-1].name).write_bytes(b"PAR1"),
    "runs is a file": lambda d: (shutil.rmtree(d / "runs"), (d / "runs").write_text("x")),
    "baseline runs gone": lambda d: [p.unlink() for p in _runs(d) if p.name.startswith("base")],
    "a package's runs gone": lambda d: [p.unlink() for p in _runs(d) if p.name.startswith("cell")],
    "one run gone": lambda d: _runs(d)[0].unlink(),
    "comparison.csv a folder": lambda d: _to_folder(d / "comparison.csv"),
    "report.html a folder": lambda d: _to_folder(d / "report.html"),
    "live lock": lambda d: (d / ".sweep.lock").write_text(str(os.getpid())),
    "garbage lock": lambda d: (d / ".sweep.lock").write_bytes(b"\xff\x00"),
    "stale temporary files": lambda d: (d / "runs" / ".x.parquet.1.tmp").write_bytes(b"PAR1"),
}


def _edit(d: Path, **changes) -> None:
    info = json.loads((d / "experiment.json").read_text())
    (d / "experiment.json").write_text(json.dumps({**info, **changes}))


def _to_folder(path: Path) -> None:
    if path.is_file():
        path.unlink()
    path.mkdir(exist_ok=True)


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    damages=st.lists(st.sampled_from(sorted(DAMAGES)), min_size=1, max_size=3, unique=True),
    command=st.sampled_from(["compare", "report", "resume"]),
)
def test_damaged_sweep_folders_are_compared_or_refused_in_one_line(
    finished_sweep, tmp_path_factory, damages, command
):
    reference, experiment = finished_sweep
    folder = tmp_path_factory.mktemp("damaged") / "d"
    shutil.copytree(reference, folder)
    for damage in damages:
        try:
            DAMAGES[damage](folder)
        except (OSError, ValueError, TypeError, IndexError):  # an earlier damage took its target
            pass
    argv = {
        "compare": ["compare", folder, "--quiet"],
        "report": ["report", folder],
        "resume": ["sweep", experiment, "--out", folder, "--resume", "--workers", "1"],
    }[command]
    status, _, err = clustersim(*argv)
    assert_one_line_or_success(status, err)
