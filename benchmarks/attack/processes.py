"""Cases: hangs (schedulers that are not Dask, workers that die, huge designs), the dashboard's
exposure and valid values that are slow."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from pathlib import Path

from runner import (
    EITHER,
    ERROR,
    OK,
    Attack,
    Case,
    Result,
    free_port,
    kill_group,
    limit_memory,
    tiny_experiment,
)


# ------------------------------------------------------------------ hangs and exposure
class Listener:
    """Something on a port that is not a Dask scheduler."""

    def __init__(self, kind: str, python: str):
        self.port, self.process, self.socket = free_port(), None, None
        if kind == "http":
            self.process = subprocess.Popen(
                [python, "-m", "http.server", str(self.port), "--bind", "127.0.0.1"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=limit_memory,
            )
            wait_for_port(self.port, 20)
        else:  # accepts connections and never answers
            self.socket = socket.socket()
            self.socket.bind(("127.0.0.1", self.port))
            self.socket.listen(16)

    def close(self):
        if self.process:
            kill_group(self.process.pid)
            self.process.wait()
        if self.socket:
            self.socket.close()


def wait_for_port(port: int, seconds: float) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def hang_cases(a: Attack) -> list[Case]:
    cat = "hangs"
    tiny = str(a.tiny)

    def scheduler(kind, address_of):
        def run(folder):
            listener = Listener(kind, a.python) if kind else None
            try:
                address = address_of(listener.port if listener else free_port())
                return a.execute(
                    a.cmd("sweep", tiny, "--out", "d", "--scheduler", address), folder, timeout=60
                )
            finally:
                if listener:
                    listener.close()

        return run

    big = tiny_experiment(
        a.scenarios,
        100_000,
        "[sampler]\nmethod = 'random'\nsamples = 100000\n"
        "[parameters]\n'labour.hiring_speed' = [0.1, 0.5]\n",
    )
    within = lambda limit: lambda r, f: [] if r.seconds <= limit else [f"took {r.seconds:.0f} s"]  # noqa: E731
    cases = [
        Case(
            cat,
            "--scheduler at an HTTP server",
            [],
            ERROR,
            run=scheduler("http", "tcp://127.0.0.1:{}".format),
            check=within(30),
        ),
        Case(
            cat,
            "--scheduler at a silent listener",
            [],
            ERROR,
            run=scheduler("silent", "tcp://127.0.0.1:{}".format),
            check=within(30),
        ),
        Case(
            cat, "--scheduler tls://", [], ERROR, run=scheduler(None, "tls://127.0.0.1:{}".format)
        ),
        Case(
            cat, "--scheduler ucx://", [], ERROR, run=scheduler(None, "ucx://127.0.0.1:{}".format)
        ),
        Case(cat, "--scheduler inproc://", [], ERROR, run=scheduler(None, "inproc://x{}".format)),
        Case(
            cat,
            "--scheduler port 99999",
            [],
            ERROR,
            run=scheduler(None, lambda p: "tcp://127.0.0.1:99999"),
        ),
        Case(
            cat, "--scheduler bad host", [], ERROR, run=scheduler(None, lambda p: "tcp://[::1:8786")
        ),
        Case(
            cat,
            "--replicates 1000000000",
            a.cmd("sweep", tiny, "--out", "d", "--replicates", "1000000000"),
            ERROR,
            timeout=60,
            check=within(5),
        ),
        Case(
            cat,
            "replicates = 100000 x samples = 100000",
            a.cmd("sweep", "e.toml", "--out", "d"),
            ERROR,
            {"e.toml": big},
            timeout=60,
            check=within(5),
        ),
        Case(
            cat,
            "the last Dask worker dies",
            [],
            ERROR,
            run=lambda f: dead_workers(a, f),
            check=lambda r, f: [] if "worker" in r.stderr.lower() else ["no word about workers"],
        ),
    ]
    return cases


def dead_workers(a: Attack, folder: Path) -> Result:
    bin_dir = Path(a.python).parent
    port = free_port()
    scheduler = subprocess.Popen(
        [
            str(bin_dir / "dask"),
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-dashboard",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=limit_memory,
        env=a.env,
    )
    worker = None
    try:
        wait_for_port(port, 60)
        worker = subprocess.Popen(
            [
                str(bin_dir / "dask"),
                "worker",
                f"tcp://127.0.0.1:{port}",
                "--nthreads",
                "1",
                "--no-nanny",
                "--no-dashboard",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=limit_memory,
            env=a.env,
        )
        experiment = folder / "e.toml"
        experiment.write_text(tiny_experiment(a.scenarios, 30), encoding="utf-8")

        def kill_worker_after_first_run():
            deadline = time.time() + 300
            while time.time() < deadline and not list((folder / "d").glob("runs/*.parquet")):
                time.sleep(0.05)
            kill_group(worker.pid)

        threading.Thread(target=kill_worker_after_first_run, daemon=True).start()
        return a.execute(
            a.cmd(
                "sweep",
                experiment,
                "--out",
                "d",
                "--scheduler",
                f"tcp://127.0.0.1:{port}",
                "--no-progress",
            ),
            folder,
            {"CLUSTERSIM_DASK_WORKER_WAIT": "10"},
            timeout=120,
        )
    finally:
        for p in (worker, scheduler):
            if p:
                kill_group(p.pid)
                p.wait()


def exposure_cases(a: Attack) -> list[Case]:
    cat = "dashboard exposure"
    base = str(a.base)

    def host_header(folder, host, want):
        port = free_port()
        server = subprocess.Popen(
            a.cmd("viz", base, "--port", port),
            cwd=folder,
            env=a.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            preexec_fn=limit_memory,
        )
        started = time.perf_counter()
        try:
            if not wait_for_port(port, 90):
                return Result(None, "", "server did not start", time.perf_counter() - started, True)
            status = http_status(port, host.format(port=port))
            for _ in range(20):
                if status != 0:
                    break
                time.sleep(1)
                status = http_status(port, host.format(port=port))
            problems = [] if (status == 200) == want else [f"Host {host!r} answered {status}"]
            return Result(
                0,
                "",
                "".join(f"\nPROBLEM {p}" for p in problems),
                time.perf_counter() - started,
                False,
            )
        finally:
            kill_group(server.pid)
            server.wait()

    problems = lambda r, f: [x[8:] for x in r.stderr.splitlines() if x.startswith("PROBLEM ")]  # noqa: E731
    cases = [
        Case(
            cat,
            'viz --host ""',
            a.cmd("viz", base, "--host", "", "--port", "0"),
            ERROR,
            timeout=30,
            running_is_acceptance=True,
        ),
        Case(
            cat,
            'viz --host " "',
            a.cmd("viz", base, "--host", " ", "--port", "0"),
            ERROR,
            timeout=30,
            running_is_acceptance=True,
        ),
    ]
    for host, want in (
        ("127.0.0.1:{port}", True),
        ("localhost:{port}", True),
        ("attacker.example", False),
        ("attacker.example:{port}", False),
        ("127.0.0.1.attacker.example", False),
        ("", False),
    ):
        cases.append(
            Case(
                cat,
                f"Host: {host}",
                [],
                OK,
                run=lambda f, h=host, w=want: host_header(f, h, w),
                check=problems,
            )
        )
    return cases


def http_status(port: int, host: str) -> int:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            reply = s.recv(200).decode("latin-1")
        return int(reply.split()[1]) if reply.startswith("HTTP/") else 0
    except (OSError, ValueError, IndexError):
        return 0


def slow_value_cases(a: Attack) -> list[Case]:
    """Valid values for 20 firms and 2 policy quarters (and the scenario's 160-quarter burn-in):
    a run may be refused, but an accepted one must take seconds, not minutes."""
    cat = "slow valid values"
    ext = f'extends = "{a.scenarios / "baseline.toml"}"\n'
    small = "[run]\nhorizon = 2\n{run}[cluster]\nn_firms = 20\n{rest}"
    values = {
        "grid_width = 600": small.format(run="grid_width = 600\n", rest=""),
        "spillover_distance = 100": small.format(
            run="", rest="[technology]\nspillover_distance = 100.0\n"
        ),
        "spillover_distance = 30": small.format(
            run="", rest="[technology]\nspillover_distance = 30.0\n"
        ),
        "grid_width = 300": small.format(run="grid_width = 300\n", rest=""),
        "cfc_reach = 500 with a CFC": small.format(
            run="", rest="[technology]\ncfc_reach = 500.0\n[interventions.cfc]\nstart_quarter = 0\n"
        ),
        "lab reach = 2000 with a lab": small.format(
            run="", rest="[interventions.testing_lab]\nreach = 2000.0\nstart_quarter = 0\n"
        ),
        "core_spread = 500": small.format(run="", rest="core_spread = 500.0\n"),
    }
    return [
        Case(
            cat,
            name,
            a.cmd("run", "s.toml", "--out", "out", "--no-plots", "--quiet"),
            EITHER,
            {"s.toml": ext + text},
            timeout=300,
            check=lambda r, f: (
                [f"took {r.seconds:.0f} s"] if r.code == 0 and r.seconds > 20 else []
            ),
        )
        for name, text in values.items()
    ]
