"""The README's two set-up commands: CI runs exactly the second, and both stop with one line on a
Python older than 3.12."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from helpers import ROOT

OLD_PYTHON = Path("/root/.pyenv/versions/3.11.7/bin/python3")


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(python3 .*?)\n```", text)[:2]


def test_ci_runs_exactly_the_readme_test_command():
    run, test = readme_commands()
    assert "pip install -e . " in run and "clustersim run scenarios/baseline.toml" in run
    assert 'pip install -e ".[dev]"' in test and test.endswith("python -m pytest")
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci_lines[-1] == test


def version_guard() -> str:
    guard = readme_commands()[0].split(" && ")[0]
    assert guard == readme_commands()[1].split(" && ")[0]
    return guard


def test_the_python_guard_passes_on_this_python():
    assert subprocess.run(version_guard(), shell=True).returncode == 0


def test_an_older_python_gets_one_line_naming_the_requirement():
    """The guard as it would run on an older Python: the required version raised out of reach."""
    guard = version_guard().replace("(3, 12)", "(99, 0)")
    done = subprocess.run(guard, shell=True, capture_output=True, text=True)
    assert done.returncode == 1 and done.stdout == ""
    assert re.fullmatch(
        r"clustersim needs Python 3\.12 or newer; python3 is 3\.\d+\.\d+\n", done.stderr
    )


@pytest.mark.skipif(not OLD_PYTHON.exists(), reason=f"no Python 3.11 at {OLD_PYTHON}")
def test_python_3_11_gets_one_line_naming_the_requirement():
    guard = version_guard().replace("python3 -c", f"{OLD_PYTHON} -c", 1)
    done = subprocess.run(guard, shell=True, capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr == "clustersim needs Python 3.12 or newer; python3 is 3.11.7\n"
