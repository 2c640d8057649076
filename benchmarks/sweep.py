"""How long a sweep of the 15-package comparison takes, on 1 and 2 local workers.

    .venv/bin/python benchmarks/sweep.py [--workers 1 2] [--reps 3] [--arm NAME=DIR[ ARGS]]...

The design is frozen here (a copy of experiments/compare_packages.toml as it was on 2026-11-29:
the baseline and 14 packages, 20 replicates, the scenarios' own horizon and burn-in), so later
edits of that file do not move the figures.  Each measurement is a whole
``python -m clustersim sweep ... --no-progress`` in a fresh interpreter, timed from start to exit
(imports, worker start-up and writing every result included), into a fresh folder, with the CPU
seconds its processes used and so the cores it got on average (2.0 on an idle 2-core machine with
2 busy workers: fewer means other work took the rest).  Arms,
workers and repetitions are interleaved so that a busy machine hurts them alike; the 1-minute load
average before each measurement is printed with it.  An arm is a source tree (``DIR``, run with
``PYTHONPATH=DIR``), optionally with extra ``clustersim sweep`` arguments, e.g.
``--arm before=/tmp/before --arm "fresh=. --fresh-histories"``; the default arm is this tree.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]

#: experiments/compare_packages.toml's packages on 2026-11-29 (scenario files of the arm's tree).
PACKAGES = (
    "cfc",
    "cfc_government",
    "testing_lab",
    "credit_guarantee",
    "interest_subvention",
    "growth_fund",
    "tech_upgrade_subsidy",
    "consulting",
    "skills_training",
    "export_promotion",
    "facilitation_cell",
    "holistic_spv",
    "holistic_government",
    "holistic_full",
)
REPLICATES = 20
SEED = 20261122


def experiment_file(tree: Path, folder: Path, replicates: int) -> Path:
    """The frozen design as an experiment file naming the scenarios of ``tree``."""
    scenarios = tree / "scenarios"
    lines = [
        'title = "sweep benchmark: every intervention and the holistic packages"',
        f'baseline = "{scenarios / "baseline.toml"}"',
        f"replicates = {replicates}",
        f"seed = {SEED}",
        "discount_rate = 0.08",
        'outcomes = ["productivity", "export_share", "jobs", "exporters", '
        '"credit_outstanding", "default_rate"]',
        "[packages]",
        *(f'{name} = "{scenarios / (name + ".toml")}"' for name in PACKAGES),
    ]
    path = folder / "compare_packages_frozen.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def one_sweep(
    tree: Path, extra: list[str], workers: int, replicates: int
) -> tuple[float, float, str]:
    """Seconds of one whole sweep in a fresh interpreter, the CPU seconds its processes used (the
    sweep, its fork server and workers, sampled from /proc every 0.2 s), and its last line."""
    with tempfile.TemporaryDirectory(prefix="clustersim-bench-") as tmp:
        experiment = experiment_file(tree, Path(tmp), replicates)
        env = dict(os.environ, PYTHONPATH=str(tree))
        command = [sys.executable, "-m", "clustersim", "sweep", str(experiment)]
        command += ["--out", str(Path(tmp) / "out"), "--workers", str(workers), "--no-progress"]
        started = time.perf_counter()
        process = subprocess.Popen(
            command + extra, env=env, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        cpu: dict[int, float] = {}
        while process.poll() is None:
            cpu.update(cpu_of_tree(process.pid))
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        stdout, stderr = (part.decode() for part in process.communicate())
        if process.returncode != 0 or " 0 failed" not in stdout:
            raise SystemExit(f"the sweep failed:\n{stdout}\n{stderr}")
        shutil.rmtree(Path(tmp) / "out", ignore_errors=True)
        return seconds, sum(cpu.values()), stdout.strip().splitlines()[-1]


def cpu_of_tree(root: int) -> dict[int, float]:
    """CPU seconds (user + system) used so far by ``root`` and every process below it, by pid."""
    tick = os.sysconf("SC_CLK_TCK")
    parent, used = {}, {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            parent[int(entry)] = int(fields[1])
            used[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    tree, grown = {root}, True
    while grown:
        below = {pid for pid, up in parent.items() if up in tree} - tree
        tree |= below
        grown = bool(below)
    return {pid: used[pid] for pid in tree if pid in used}


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--replicates", type=int, default=REPLICATES)
    parser.add_argument(
        "--arm", action="append", help="NAME=DIR[ ARGS]: a source tree and sweep arguments"
    )
    args = parser.parse_args()
    arms = {}
    for spec in args.arm or [f"this={HERE}"]:
        name, _, rest = spec.partition("=")
        tree, *extra = rest.split()
        arms[name] = (Path(tree).resolve(), extra)
    print(
        f"frozen design: baseline + {len(PACKAGES)} packages x {args.replicates} replicates "
        f"= {(len(PACKAGES) + 1) * args.replicates} runs; {os.cpu_count()} cores"
    )
    times: dict[tuple[str, int], list[float]] = {}
    cpus: dict[tuple[str, int], list[float]] = {}
    for rep in range(args.reps):
        for workers in args.workers:
            for name, (tree, extra) in arms.items():
                load = load_average()
                seconds, cpu_seconds, line = one_sweep(tree, extra, workers, args.replicates)
                times.setdefault((name, workers), []).append(seconds)
                cpus.setdefault((name, workers), []).append(cpu_seconds)
                print(
                    f"rep={rep + 1} arm={name} workers={workers} seconds={seconds:.1f} "
                    f"cpu_s={cpu_seconds:.1f} cores_used={cpu_seconds / seconds:.2f} "
                    f"load_before={load:.2f}  ({line.split(';')[0]})",
                    flush=True,
                )
    print()
    for (name, workers), values in times.items():
        print(
            f"arm={name} workers={workers} median_s={statistics.median(values):.1f} "
            f"min_s={min(values):.1f} max_s={max(values):.1f} n={len(values)} "
            f"cpu_median_s={statistics.median(cpus[name, workers]):.1f}"
        )
    for name in arms:
        one, two = times.get((name, 1)), times.get((name, 2))
        if one and two:
            print(
                f"arm={name} scaling_1_to_2={statistics.median(one) / statistics.median(two):.2f}"
            )


if __name__ == "__main__":
    main()
