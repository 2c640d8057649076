"""Issue 11 (reliability), the sweep's folder and processes: metadata written atomically and only
under the lock, compare and report on the failures a sweep tolerates, damaged files named, no
hang on a scheduler that is not one or on a cluster without workers, no orphans, and a dashboard
that answers only its own address."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clustersim import api
from clustersim.experiments.engines import FAULT_ENV, LocalEngine
from clustersim.experiments.experiment_file import load_experiment
from clustersim.experiments.histories import plan_histories
from clustersim.views.serve import HostGuard, allowed_hosts, host_of
from helpers import SCENARIOS, TINY, clustersim


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY.replace("replicates = 3", "replicates = 2"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A finished sweep of 3 packages x 2 replicates, copied by the tests that damage it."""
    folder = tmp_path_factory.mktemp("finished")
    (folder / "tiny.toml").write_text(TINY.replace("replicates = 3", "replicates = 2"))
    api.sweep(folder / "tiny.toml", folder / "sweep", workers=2)
    return folder / "sweep"


def copy_of(finished, tmp_path) -> Path:
    import shutil

    shutil.copytree(finished, tmp_path / "d")
    return tmp_path / "d"


def one_line(status, err, *fragments):
    lines = err.strip().splitlines()
    assert status == 2 and len(lines) == 1 and "Traceback" not in err, err
    for fragment in fragments:
        assert fragment in err, err


# ------------------------------------------------------------------ item 2: metadata
def test_a_full_disk_at_experiment_json_leaves_a_folder_that_resumes(tiny, tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setenv(FAULT_ENV, "enospc:experiment.json")
    status, _, err = clustersim("sweep", tiny, "--out", out, "--workers", "1", "--no-progress")
    one_line(
        status, err, "experiment.json: cannot be written (No space left on device)", "--resume"
    )
    assert not (out / "experiment.json").exists() and not list(out.glob(".*tmp*"))
    monkeypatch.delenv(FAULT_ENV)
    status, stdout, err = clustersim(
        "sweep", tiny, "--out", out, "--resume", "--workers", "1", "--no-progress"
    )
    assert status == 0 and stdout.startswith("6 runs finished"), err


def test_a_full_disk_mid_sweep_keeps_the_finished_runs(tiny, tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setenv(FAULT_ENV, "enospc:cell__p0000__r0000")
    status, _, err = clustersim("sweep", tiny, "--out", out, "--workers", "1", "--no-progress")
    one_line(status, err, "cell__p0000__r0000.parquet: cannot be written", "--resume")
    kept = {p.stem for p in (out / "runs").glob("*.parquet")}
    assert "baseline__p0000__r0000" in kept and "cell__p0000__r0000" not in kept
    monkeypatch.delenv(FAULT_ENV)
    status, stdout, _ = clustersim("sweep", tiny, "--out", out, "--resume", "--no-progress")
    assert status == 0 and stdout.startswith(f"{6 - len(kept)} runs finished")
    assert "(6 of 6 runs done)" in stdout


def test_resume_leaves_experiment_json_alone_and_removes_stale_temporary_files(finished, tmp_path):
    d = copy_of(finished, tmp_path)
    info = d / "experiment.json"
    before = (info.read_bytes(), info.stat().st_mtime_ns)
    (d / "runs" / ".cell__p0000__r0001.parquet.4242.tmp").write_bytes(b"PAR1 torn")
    experiment = Path(json.loads(info.read_text())["experiment_file"])
    status, stdout, err = clustersim("sweep", experiment, "--out", d, "--resume", "--no-progress")
    assert status == 0 and stdout.startswith("0 runs finished"), err
    assert (info.read_bytes(), info.stat().st_mtime_ns) == before
    assert not list((d / "runs").glob(".*tmp*"))


def test_a_refused_second_sweep_touches_nothing(finished, tmp_path):
    d = copy_of(finished, tmp_path)
    (d / ".sweep.lock").write_text(str(os.getpid()))  # a live sweep holds the folder
    files = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in d.rglob("*") if p.is_file()}
    experiment = Path(json.loads((d / "experiment.json").read_text())["experiment_file"])
    for extra in (["--resume", "--replicates", "8"], []):
        status, _, err = clustersim("sweep", experiment, "--out", d, *extra)
        one_line(status, err, "being written by another sweep")
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in d.rglob("*") if p.is_file()} == files


@pytest.mark.parametrize(
    "damage, fragment",
    [
        (b"", "not valid JSON"),
        (b"\x00\xff\x10binary", "not UTF-8"),
        (b'{"title": "t", "packages": 5}', "packages = 5"),
        (b'{"title": "t", "packages": ["baseline"], "replicates": "x"}', "replicates = 'x'"),
        (b"[1, 2]", "not a table"),
    ],
)
def test_a_damaged_experiment_json_is_one_line_naming_it(finished, tmp_path, damage, fragment):
    d = copy_of(finished, tmp_path)
    experiment = Path(json.loads((d / "experiment.json").read_text())["experiment_file"])
    (d / "experiment.json").write_bytes(damage)
    for argv in (["compare", d], ["report", d], ["sweep", experiment, "--out", d, "--resume"]):
        status, _, err = clustersim(*argv)
        one_line(status, err, "experiment.json", fragment)


# ------------------------------------------------------------------ item 3: compare and report
def _faulty(tiny, tmp_path, monkeypatch, fault):
    monkeypatch.setenv(FAULT_ENV, fault)
    api.sweep(tiny, tmp_path / "d", workers=2)
    monkeypatch.delenv(FAULT_ENV)
    return tmp_path / "d"


def test_compare_and_report_compare_what_they_can_and_name_what_is_missing(
    tiny, tmp_path, monkeypatch
):
    d = _faulty(
        tiny, tmp_path, monkeypatch, "raise:baseline__p0000__r0000,raise:holistic__p0000__r0001"
    )
    status, stdout, err = clustersim("compare", d)
    assert status == 0, err
    assert "missing: baseline: 1 of 2 runs finished (1 failed: RuntimeError: injected" in stdout
    assert "missing: holistic: not compared: none of its 1 finished runs" in stdout
    assert "missing: cell: compared on 1 of 2 runs" in stdout
    assert "Runs missing from the comparison" in (d / "summary.md").read_text()
    status, _, err = clustersim("report", d)
    assert status == 0 and "Runs missing" in (d / "report.html").read_text(), err


def test_nothing_to_compare_is_one_line(tiny, tmp_path, monkeypatch):
    d = _faulty(
        tiny, tmp_path, monkeypatch, "raise:baseline__p0000__r0000,raise:baseline__p0000__r0001"
    )
    for command in ("compare", "report"):
        status, _, err = clustersim(command, d)
        one_line(status, err, "nothing to compare: the baseline has no finished run (2 failed")


@pytest.mark.parametrize("damage", ["folder", "garbage", "wrong table", "another run"])
def test_a_damaged_run_file_is_an_error_naming_it(finished, tmp_path, damage):
    import shutil

    d = copy_of(finished, tmp_path)
    run = d / "runs" / "holistic__p0000__r0001.parquet"
    if damage == "folder":
        run.unlink()
        run.mkdir()
    elif damage == "garbage":
        run.write_bytes(b"PAR1" + os.urandom(200))
    elif damage == "wrong table":
        shutil.copy(d / "firms" / run.name, run)
    else:
        shutil.copy(d / "runs" / "cell__p0000__r0000.parquet", run)
    for command in ("compare", "report"):
        status, _, err = clustersim(command, d)
        one_line(status, err, "holistic__p0000__r0001.parquet", "--resume")


@pytest.mark.parametrize("name", ["comparison.csv", "summary.md", "forest.png"])
def test_an_output_that_cannot_be_written_is_one_line(finished, tmp_path, monkeypatch, name):
    d = copy_of(finished, tmp_path)
    monkeypatch.setenv(FAULT_ENV, f"enospc:{name}")
    status, _, err = clustersim("compare", d, "--quiet")
    one_line(status, err, f"{name}: cannot be written (No space left on device)")
    monkeypatch.delenv(FAULT_ENV)
    (d / "report.html").mkdir()
    status, _, err = clustersim("report", d)
    one_line(status, err, "report.html: cannot be written")


# ------------------------------------------------------------------ item 4: no hangs
def test_the_local_pool_takes_runs_as_it_needs_them(tiny):
    """An endless stream of runs: if the pool planned them all first, this would never return."""
    run = load_experiment(tiny).runs()[0]

    def endless():
        while True:
            yield run

    results = LocalEngine(1).map(plan_histories(endless(), workers=1))
    assert next(results)["status"] == "ok"
    results.close()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["http", "silent"])
def test_a_scheduler_that_is_not_dask_is_one_line_in_seconds(tiny, tmp_path, kind):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    server = None
    if kind == "http":
        listener.close()
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1.5)
    try:  # in a process of its own, so that a hang fails the test instead of stalling it
        result = subprocess.run(
            [sys.executable, "-m", "clustersim", "sweep", str(tiny), "--out", str(tmp_path / "o"),
             "--scheduler", f"tcp://127.0.0.1:{port}"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        one_line(result.returncode, result.stderr, f"tcp://127.0.0.1:{port}", "Dask scheduler")
        assert not (tmp_path / "o").exists()
    finally:
        listener.close()
        if server:
            server.kill()
            server.wait()


@pytest.mark.slow
def test_a_dask_sweep_without_workers_says_so_and_stops(tmp_path):
    pytest.importorskip("distributed")
    experiment = tmp_path / "e.toml"
    experiment.write_text(TINY.replace("replicates = 3", "replicates = 40"))
    bin_dir = Path(sys.executable).parent
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen([bin_dir / "dask", "scheduler", "--host", "127.0.0.1", "--port",
                                  str(port), "--no-dashboard"], **quiet)  # fmt: skip
    worker = subprocess.Popen([bin_dir / "dask", "worker", f"tcp://127.0.0.1:{port}", "--nthreads",
                               "1", "--no-nanny", "--no-dashboard"], **quiet)  # fmt: skip
    out = tmp_path / "out"
    sweep = subprocess.Popen(
        [sys.executable, "-m", "clustersim", "sweep", str(experiment), "--out", str(out),
         "--scheduler", f"tcp://127.0.0.1:{port}", "--no-progress"],
        env={**os.environ, "CLUSTERSIM_DASK_WORKER_WAIT": "4"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.time() + 120
        while time.time() < deadline and not list(out.glob("runs/*.parquet")):
            time.sleep(0.1)
        worker.kill()
        _, err = sweep.communicate(timeout=120)
        assert sweep.returncode == 2 and "Traceback" not in err, err
        assert "has no workers left; waiting up to 4 s for a worker" in err
        assert "no workers left for 4 s" in err and "--resume" in err
    finally:
        for process in (sweep, worker, scheduler):
            process.kill()
            process.wait()


# ------------------------------------------------------------------ item 6: no orphans
@pytest.mark.slow
def test_workers_end_when_their_coordinator_is_killed(tmp_path):
    experiment = tmp_path / "e.toml"
    experiment.write_text(TINY.replace("replicates = 3", "replicates = 20"))
    out = tmp_path / "out"
    sweep = subprocess.Popen(
        [sys.executable, "-m", "clustersim", "sweep", str(experiment), "--out", str(out),
         "--workers", "2", "--no-progress"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.time() + 120
    while time.time() < deadline and not list(out.glob("runs/*.parquet")):
        time.sleep(0.05)
    below = _descendants(sweep.pid)
    assert len(below) >= 2, "the pool's processes should be running"
    sweep.send_signal(signal.SIGKILL)
    sweep.wait()
    deadline = time.time() + 15
    while time.time() < deadline and any(_alive(pid) for pid in below):
        time.sleep(0.1)
    left = [pid for pid in below if _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"{len(left)} processes outlived their coordinator"


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            except (OSError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


# ------------------------------------------------------------------ item 5: the dashboard
def test_the_dashboard_answers_only_the_names_of_its_address():
    assert allowed_hosts("127.0.0.1", []) == {"127.0.0.1", "localhost"}
    assert "localhost" in allowed_hosts("::1", []) and "::1" in allowed_hosts("::1", [])
    assert "dash.example" in allowed_hosts("127.0.0.1", ["dash.example"])
    assert {"localhost", "127.0.0.1"} <= allowed_hosts("0.0.0.0", [])
    assert host_of("[::1]:8765") == "::1" and host_of("LocalHost.:80") == "localhost"


def _ask(guard, kind: str, host: bytes):
    sent = []

    async def app(scope, receive, send):
        sent.append("app")

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": f"{kind}.disconnect"}

    scope = {"type": kind, "headers": [(b"host", host)] if host is not None else []}
    asyncio.run(HostGuard(app, guard)(scope, receive, send))
    return sent


@pytest.mark.parametrize("host", [b"attacker.example", b"attacker.example:8765", b"", None,
                                  b"127.0.0.1.attacker.example"])  # fmt: skip
def test_a_foreign_host_header_is_refused(host):
    http = _ask({"127.0.0.1", "localhost"}, "http", host)
    assert http[0]["status"] == 400 and "app" not in http
    websocket = _ask({"127.0.0.1", "localhost"}, "websocket", host)
    assert websocket == [{"type": "websocket.close", "code": 1008}]


def test_the_served_host_and_an_allowed_one_pass():
    assert _ask({"127.0.0.1", "localhost"}, "http", b"127.0.0.1:8765") == ["app"]
    assert _ask({"127.0.0.1", "localhost"}, "websocket", b"localhost:8765") == ["app"]
    assert _ask({"*"}, "http", b"anything.example") == ["app"]


@pytest.mark.slow
def test_the_served_dashboard_refuses_a_foreign_host(tmp_path):
    pytest.importorskip("solara")
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        f'extends = "{SCENARIOS / "baseline.toml"}"\n[run]\nburn_in = 2\n[cluster]\nn_firms = 20\n'
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "clustersim", "viz", str(scenario), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        assert _status(port, f"127.0.0.1:{port}", wait=120) == 200
        assert _status(port, f"localhost:{port}") == 200
        assert _status(port, "attacker.example") == 400
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def _status(port: int, host: str, wait: float = 10) -> int:
    deadline = time.time() + wait
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                s.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
                return int(s.recv(100).split()[1])
        except (OSError, IndexError, ValueError):
            if time.time() > deadline:
                raise
            time.sleep(0.5)
