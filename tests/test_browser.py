"""The dashboard and the report in a real browser: headless Chromium driven by Playwright.

Marked ``browser``.  Without /usr/bin/chromium (Debian's ``chromium``) these tests
skip, so the core suite runs anywhere; ``.ci/run`` installs Chromium and sets
CLUSTERSIM_REQUIRE_BROWSER=1, under which a missing browser fails instead.
Screenshots go to $CLUSTERSIM_SCREENSHOTS (default results/screenshots).
"""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from clustersim import api
from helpers import ROOT, SCENARIOS, TINY

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("CLUSTERSIM_CHROMIUM", "/usr/bin/chromium"))
# Headless, sandbox-free (CI runs as root), and no background connections:
# the machine's network is closed.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(os.environ.get("CLUSTERSIM_SCREENSHOTS", ROOT / "results" / "screenshots"))
TIMEOUT_MS = 60_000

# A small cluster with a CFC and a lab, so that the map has facilities on it within a few quarters.
SCENARIO = f"""
extends = "{SCENARIOS / "baseline.toml"}"
title = "Browser test cluster"
[run]
burn_in = 20
horizon = 40
[cluster]
n_firms = 150
[interventions.cfc]
[interventions.testing_lab]
[governance]
spv_lag = 2
"""


def _require_browser():
    missing = [
        why
        for ok, why in (
            (CHROMIUM.exists(), f"no Chromium at {CHROMIUM}"),
            (_has_playwright(), "playwright is not installed"),
            (importlib.util.find_spec("solara") is not None, "the viz extra is not installed"),
        )
        if not ok
    ]
    if missing:
        if os.environ.get("CLUSTERSIM_REQUIRE_BROWSER") == "1":
            pytest.fail("; ".join(missing) + " (CLUSTERSIM_REQUIRE_BROWSER=1)")
        pytest.skip("; ".join(missing))


def _has_playwright() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """`clustersim viz` serving the small scenario; yields its address."""
    _require_browser()
    folder = tmp_path_factory.mktemp("viz")
    scenario = folder / "browser_test.toml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    port = _free_port()
    log = (folder / "viz.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "clustersim", "viz", str(scenario), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                if server.poll() is None:
                    os.killpg(server.pid, signal.SIGKILL)
                log.close()
                pytest.fail(
                    f"clustersim viz did not serve {url}:\n{(folder / 'viz.log').read_text()}"
                )
            time.sleep(0.5)
    yield url
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)
    log.close()


def _quarter(page) -> int:
    text = page.locator(".clustersim-quarter").inner_text()
    return int(re.search(r"Policy quarter (-?\d+)", text).group(1))


def _wait_for_quarter(page, quarter: int) -> None:
    page.locator(".clustersim-quarter", has_text=f"Policy quarter {quarter} ").wait_for(
        timeout=TIMEOUT_MS
    )


def _settled_quarter(page) -> int:
    """The quarter once play has stopped.  Mesa's play loop may still finish the step it was
    sleeping before, so wait for the play button, then until the quarter holds for longer than a
    play interval (300 ms) plus a step's round trip (under 1 s,
    benchmarks/results/dashboard.txt)."""
    page.get_by_role("button", name="▶").wait_for(timeout=TIMEOUT_MS)
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    last, since = _quarter(page), time.monotonic()
    while time.monotonic() - since < 3.0:
        assert time.monotonic() < deadline, "the quarter kept changing after pause"
        page.wait_for_timeout(250)
        now = _quarter(page)
        if now != last:
            last, since = now, time.monotonic()
    return last


def _plots(page) -> list[str]:
    """The src of every plot image on the page (matplotlib figures rendered as PNG)."""
    return [img.get_attribute("src") for img in page.locator("img").all()]


def _status(page) -> str:
    return page.locator(".clustersim-status").inner_text()


def _public_cost(page) -> str:
    return re.search(r"Public cost so far: (Rs [\d.,]+ crore)", _status(page)).group(1)


def _mesa_time(page) -> float:
    return float(re.search(r"Time:\s*([\d.]+)", page.get_by_text("Time:").inner_text()).group(1))


def test_dashboard_steps_plays_resets_and_explains_bad_input(browser, dashboard):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    outside = []  # the page must need nothing from beyond this machine
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith((dashboard, "ws://127.0.0.1", "blob:", "data:"))
            else None
        ),
    )
    page.goto(dashboard)
    _wait_for_quarter(page, 0)
    for label in (
        "CFC on",
        "Testing lab on",
        "Credit guarantee on",
        "CFC: capacity hours (machine-hours/quarter)",
    ):
        assert page.get_by_text(label, exact=True).count() >= 1, (
            label
        )  # controls generated from params.py
    page.wait_for_function("document.querySelectorAll('img').length >= 2", timeout=TIMEOUT_MS)
    page.screenshot(path=SHOTS / "dashboard_start.png")
    assert _mesa_time(page) == 20  # Mesa's own counter: the burn-in's 20 steps
    start, plots = _status(page), _plots(page)

    step = page.get_by_role("button", name="Step")
    for quarter in (1, 2, 3):
        step.click()
        _wait_for_quarter(page, quarter)
    page.wait_for_function(
        "([old]) => [...document.querySelectorAll('img')].every((img, k) => img.src !== old[k])",
        arg=[plots],
        timeout=TIMEOUT_MS,
    )
    assert _mesa_time(page) == 23
    assert _public_cost(page) != "Rs 0.00 crore"  # the CFC and the lab were approved in quarter 1
    assert "effect *" in _status(page)  # the paired comparison run is stepped alongside
    page.screenshot(path=SHOTS / "dashboard_stepped.png")

    before = _plots(page)
    page.get_by_role("button", name="Export status").click()
    page.wait_for_function(
        "([old]) => [...document.querySelectorAll('img')].some((img, k) => img.src !== old[k])",
        arg=[before],
        timeout=TIMEOUT_MS,
    )
    page.screenshot(path=SHOTS / "dashboard_export_status.png")

    page.get_by_role(
        "button", name="▶"
    ).click()  # play: the model runs on its own until paused or at the horizon
    page.wait_for_function(
        "() => /Policy quarter (\\d+)/"
        ".exec(document.querySelector('.clustersim-quarter').innerText)[1] >= 6",
        timeout=TIMEOUT_MS,
    )
    page.get_by_role("button", name="❚❚").click()
    assert 6 <= _settled_quarter(page) < 40  # paused well before the horizon

    page.get_by_role(
        "button", name="Reset"
    ).click()  # nothing touched: the same cluster as at the start
    _wait_for_quarter(page, 0)
    assert _status(page) == start

    page.get_by_text("CFC on", exact=True).click()  # switch the CFC and the lab off, then rebuild
    page.get_by_text("Testing lab on", exact=True).click()
    page.get_by_role("button", name="Reset").click()
    page.locator(".clustersim-status", has_text="effect *").wait_for(
        state="detached", timeout=TIMEOUT_MS
    )
    _wait_for_quarter(page, 0)
    for quarter in (1, 2):
        step.click()
        _wait_for_quarter(page, quarter)
    assert _public_cost(page) == "Rs 0.00 crore"  # no facility, no public money
    assert "effect *" not in _status(page) and "CFC: none" in _status(
        page
    )  # and nothing to compare with

    seed = page.get_by_label("Run: seed (whole number)")
    seed.fill("abc")  # a seed that is not a number
    seed.press("Enter")
    page.get_by_role("button", name="Reset").click()
    _wait_for_quarter(page, 0)
    page.get_by_text("is not a whole number").wait_for(
        timeout=TIMEOUT_MS
    )  # bad input explained, the model still runs
    page.screenshot(path=SHOTS / "dashboard_reset_bad_seed.png")
    assert outside == []
    page.close()


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on ``port``, from the kernel's table (Linux)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
                found.add(
                    socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1])
                    if len(address) == 8
                    else address
                )
    return found


def test_the_dashboard_listens_on_this_machine_only(dashboard):
    if not Path("/proc/net/tcp").exists():
        pytest.skip("no /proc/net/tcp to read listening sockets from")
    port = int(dashboard.rsplit(":", 1)[1])
    assert _listening_addresses(port) == {"127.0.0.1"}


def test_report_opens_offline_with_every_figure_and_table(browser, write_toml, tmp_path):
    experiment = write_toml(TINY, "experiment.toml")
    out = tmp_path / "sweep"
    api.sweep(experiment, out, workers=2)
    result = subprocess.run(
        [sys.executable, "-m", "clustersim", "report", str(out)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr

    page = browser.new_page(viewport={"width": 1200, "height": 900})
    fetched = []

    def only_the_file(route):  # the page must need nothing but itself
        if not route.request.url.startswith("file://"):
            fetched.append(route.request.url)
            return route.abort()
        return route.continue_()

    page.route("**/*", only_the_file)
    page.goto((out / "report.html").as_uri())
    for section in (
        "answer",
        "summary",
        "effects",
        "value-for-money",
        "which-beats-which",
        "paths",
        "who-gains",
        "assumptions",
        "caveats",
    ):
        assert page.locator(f"h2#{section}").is_visible(), section
    images = page.locator("img")
    assert images.count() == 2  # forest plot and outcome paths
    for k in range(images.count()):
        assert images.nth(k).evaluate("img => img.complete && img.naturalWidth > 0"), images.nth(
            k
        ).get_attribute("alt")
    # The answer comes first: the page opens on it, naming the package with the most net jobs.
    answer = page.locator("h2#answer + .answer")
    assert answer.is_visible() and "adds the most net jobs" in answer.inner_text()
    assert answer.bounding_box()["y"] < 900
    tables = page.locator("table")
    # effects, value for money, other ratios, who beats whom, who gains (no synergy: the package
    # of six interventions has no single-intervention parts here; no drivers: no parameter drawn)
    assert tables.count() == 5
    assert page.get_by_text("Synergy not computed", exact=False).count() == 1
    for k in range(tables.count()):
        assert tables.nth(k).locator("tbody tr").count() >= 1
    assert (
        page.get_by_text("holistic", exact=False).count() >= 1
        and page.get_by_text("cell").count() >= 1
    )
    assert fetched == []
    page.screenshot(path=SHOTS / "report.png", full_page=True)
    page.close()
