"""How quickly the dashboard answers: server start, first page, one Step, one Reset.

    .venv/bin/python benchmarks/dashboard.py [SCENARIO] [--steps 10] [--resets 3]

Starts ``clustersim viz`` on a free port, drives it with headless Chromium
(Debian's /usr/bin/chromium through Playwright, as tests/test_browser.py does)
and prints medians of repeated clicks.  A Step is timed from the click until
the status table shows the next quarter and both plots have been redrawn.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="scenarios/baseline.toml")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--resets", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "clustersim", "viz", args.scenario, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while True:
            try:
                urllib.request.urlopen(url, timeout=5).read()
                break
            except OSError:
                if server.poll() is not None or time.perf_counter() - t0 > 120:
                    raise SystemExit(
                        f"clustersim viz did not serve {url} (run it by hand to see why)"
                    ) from None
                time.sleep(0.1)
        served = time.perf_counter() - t0
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            t1 = time.perf_counter()
            page.goto(url)
            page.locator(".clustersim-quarter").wait_for(timeout=120_000)
            page.wait_for_function("document.querySelectorAll('img').length >= 2", timeout=120_000)
            first_page = time.perf_counter() - t1

            def quarter() -> int:
                return int(
                    re.search(
                        r"Policy quarter (-?\d+)", page.locator(".clustersim-quarter").inner_text()
                    ).group(1)
                )

            steps = []
            for _ in range(args.steps):
                before, images = (
                    quarter(),
                    [img.get_attribute("src") for img in page.locator("img").all()],
                )
                t = time.perf_counter()
                page.get_by_role("button", name="Step").click()
                page.locator(
                    ".clustersim-quarter", has_text=f"Policy quarter {before + 1} "
                ).wait_for(timeout=60_000)
                page.wait_for_function(
                    "([old]) => [...document.querySelectorAll('img')]"
                    ".every((img, k) => img.src !== old[k])",
                    arg=[images],
                    timeout=60_000,
                )
                steps.append(time.perf_counter() - t)
            resets = []
            for _ in range(args.resets):
                page.get_by_role("button", name="Step").click()
                page.locator(".clustersim-quarter", has_text="Policy quarter 0 ").wait_for(
                    state="detached", timeout=60_000
                )
                t = time.perf_counter()
                page.get_by_role("button", name="Reset").click()
                page.locator(".clustersim-quarter", has_text="Policy quarter 0 ").wait_for(
                    timeout=120_000
                )
                resets.append(time.perf_counter() - t)
            browser.close()
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(f"scenario={Path(args.scenario).name}")
    print(f"server_start_s={served:.2f}")
    print(f"first_page_s={first_page:.2f}  (burn-in included)")
    print(
        f"step_median_s={statistics.median(steps):.3f}  "
        f"(n={len(steps)}, min {min(steps):.3f}, max {max(steps):.3f})"
    )
    print(f"reset_median_s={statistics.median(resets):.3f}  (n={len(resets)}, burn-in included)")


if __name__ == "__main__":
    main()
