"""pytest configuration: hypothesis profiles and shared fixtures."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# CI: no deadlines (shared machines are noisy) and a fixed example database-free run.
settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")
_STARTED = time.time()


@pytest.fixture
def write_toml(tmp_path):
    """Write a TOML file into a temporary folder and return its path."""

    def _write(text: str, name: str = "scenario.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


def pytest_terminal_summary(terminalreporter):
    """Say what the browser tests did (they are easy to lose among the dots)
    and where their screenshots are."""
    outcomes = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            if "test_browser.py" in getattr(report, "nodeid", "") and report.when in (
                "call",
                "setup",
            ):
                if outcome == "passed" and report.when != "call":
                    continue
                outcomes.setdefault(outcome, []).append(report.nodeid.split("::")[-1])
    if not outcomes:
        return
    terminalreporter.section("browser tests (headless Chromium)")
    for outcome, names in outcomes.items():
        for name in names:
            terminalreporter.write_line(f"{outcome.upper():8} {name}")
    from test_browser import SHOTS

    shots = (
        sorted(p.name for p in SHOTS.glob("*.png") if p.stat().st_mtime >= _STARTED)
        if SHOTS.exists()
        else []
    )
    if shots:
        terminalreporter.write_line(f"screenshots in {SHOTS}: {', '.join(shots)}")
