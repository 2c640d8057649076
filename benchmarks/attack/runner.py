"""Running the attack's cases: each in a fresh process and folder, judged by its exit status,
its stderr and its own checks; shared helpers (processes, ports, a reference sweep)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parents[2]  # the repository
ERROR, OK, EITHER = "error", "ok", "either"


@dataclass
class Case:
    category: str
    name: str
    argv: list[str]
    expect: str = ERROR
    files: dict[str, bytes | str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    timeout: float = 60.0
    check: object = None  # f(result, folder) -> list of problems
    setup: object = None  # f(folder) -> None, before the command
    run: object = None  # f(folder) -> Result: a case that drives processes itself
    running_is_acceptance: bool = False  # still running at the time limit: it accepted the input


@dataclass
class Result:
    code: int | None
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool


@dataclass
class Verdict:
    code: int | None = None
    said: str = ""  # the last line on stderr
    traceback: bool = False
    wrong_exit: bool = False
    hang: bool = False
    problems: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ running
class Attack:
    def __init__(self, tree: Path, python: str, work: Path, seed: int, quick: bool):
        self.tree, self.python, self.work, self.quick = tree, python, work, quick
        self.rng = random.Random(seed)
        self.env = dict(os.environ, PYTHONPATH=str(tree), PYTHONWARNINGS="ignore")
        self.env.pop("CLUSTERSIM_TEST_FAULT", None)
        self.scenarios = tree / "scenarios"
        self.base = work / "base.toml"
        self.base.write_text(
            f'extends = "{self.scenarios / "baseline.toml"}"\n'
            "[run]\nburn_in = 2\nhorizon = 1\n[cluster]\nn_firms = 20\n",
            encoding="utf-8",
        )
        self.tiny = work / "tiny.toml"
        self.tiny.write_text(tiny_experiment(self.scenarios, 3), encoding="utf-8")

    def cmd(self, *args) -> list[str]:
        return [self.python, "-m", "clustersim", *map(str, args)]

    def execute(self, argv, cwd, env=None, timeout=60.0, stdin=None) -> Result:
        started = time.perf_counter()
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env={**self.env, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            start_new_session=True,
            preexec_fn=limit_memory,
        )
        try:
            out, err = process.communicate(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            kill_group(process.pid)
            out, err = process.communicate()
            timed_out = True
        return Result(process.returncode, out, err, time.perf_counter() - started, timed_out)

    def play(self, case: Case) -> Verdict:
        folder = Path(tempfile.mkdtemp(prefix="case-", dir=self.work))
        for name, content in case.files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
        if case.setup:
            case.setup(folder)
        if case.run:
            result = case.run(folder)
        else:
            result = self.execute(case.argv, folder, case.env, case.timeout)
        verdict = judge(case, result)
        if case.check and not result.timed_out:
            verdict.problems += case.check(result, folder) or []
        shutil.rmtree(folder, ignore_errors=True)
        return verdict


def judge(case: Case, result: Result) -> Verdict:
    said = [x for x in result.stderr.strip().splitlines() if not x.startswith("PROBLEM ")]
    v = Verdict(code=result.code, said=said[-1][:160] if said else "")
    if result.timed_out:
        v.wrong_exit, v.hang = case.running_is_acceptance, not case.running_is_acceptance
        return v
    v.traceback = "Traceback (most recent call last)" in result.stderr
    allowed = {ERROR: {2}, OK: {0}, EITHER: {0, 2}}[case.expect]
    v.wrong_exit = result.code not in allowed
    if result.code == 2:
        lines = [
            line
            for line in result.stderr.strip().splitlines()
            if line.strip()
            and not line.startswith(("PROBLEM ", "clustersim: the Dask"))
            and " - distributed." not in line  # Dask's own log lines
        ]
        if len(lines) != 1 and not v.traceback:
            v.problems.append(f"{len(lines)} lines on stderr")
    return v


MEMORY_LIMIT = 6 << 30  # bytes of address space per process: /dev/zero must not eat the machine


def limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rpartition(")")[2].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tiny_experiment(scenarios: Path, replicates: int, extra: str = "", packages=None) -> str:
    packages = packages or {"cfc": "cfc.toml", "cell": "facilitation_cell.toml"}
    lines = "".join(f'{k} = "{scenarios / v}"\n' for k, v in packages.items())
    return (
        f'title = "attack"\nbaseline = "{scenarios / "baseline.toml"}"\n'
        f"replicates = {replicates}\nseed = 5\nhorizon = 2\nburn_in = 2\nn_firms = 20\n"
        f"{extra}[packages]\n{lines}"
    )
