"""Cases: a coordinator killed with SIGKILL then resumed, a full disk (the fault hook) and a second
sweep started while one runs."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from folders import _REFERENCE, reference_sweep
from runner import (
    ERROR,
    OK,
    Attack,
    Case,
    alive,
    descendants,
    kill_group,
    limit_memory,
    tiny_experiment,
)


def series_of(folder: Path):
    import pandas as pd

    files = sorted((folder / "runs").glob("*.parquet"))
    frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    return frame.sort_values(["run_id", "step"], ignore_index=True)


def crash_cases(a: Attack) -> list[Case]:
    """SIGKILL of the coordinator only (as `kill -9 PID`), then --resume."""
    cat = "SIGKILL and resume"
    experiment = a.work / "crash.toml"
    experiment.write_text(
        tiny_experiment(a.scenarios, 6)
        .replace("n_firms = 20", "n_firms = 80")
        .replace("horizon = 2", "horizon = 8")
        .replace("burn_in = 2", "burn_in = 8"),
        encoding="utf-8",
    )

    def run(folder, after):
        whole = reference_sweep_of(a, experiment)
        out = folder / "cut"
        process = subprocess.Popen(
            a.cmd("sweep", experiment, "--out", out, "--workers", "2", "--no-progress"),
            cwd=folder,
            env=a.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=limit_memory,
        )
        deadline = time.time() + 300
        while time.time() < deadline and process.poll() is None:
            if (
                len(list((out / "runs").glob("*.parquet"))) >= after
                if (out / "runs").exists()
                else False
            ):
                break
            time.sleep(0.02)
        below = descendants(process.pid)
        process.send_signal(signal.SIGKILL)
        process.wait()
        time.sleep(5)
        orphans = [pid for pid in below if alive(pid)]
        for pid in orphans:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        before = len(list((out / "runs").glob("*.parquet")))
        r = a.execute(
            a.cmd("sweep", experiment, "--out", out, "--resume", "--workers", "2", "--no-progress"),
            folder,
            timeout=600,
        )
        problems = (
            [f"{len(orphans)} processes alive 5 s after the coordinator was killed"]
            if orphans
            else []
        )
        if r.code == 0:
            if not series_of(whole).equals(series_of(out)):
                problems.append("results differ from an uninterrupted sweep")
            lines = [
                json.loads(x)
                for x in (out / "manifest.jsonl").read_text().splitlines()
                if x.strip()
            ]
            ok = [x["run_id"] for x in lines if x.get("status") == "ok"]
            if len(ok) != len(set(ok)):
                problems.append("duplicate manifest lines")
            if list(out.glob("*/.*.tmp")):
                problems.append(".tmp files left after --resume")
            ran = 18 - before
            said = [int(w) for w in r.stdout.split() if w.isdigit()][:1]
            if said != [ran]:
                problems.append(f"--resume ran {ran} runs but says {said[0] if said else '?'}")
        r.stderr += "".join(f"\nPROBLEM {p}" for p in problems)
        return r

    def check(result, folder):
        return [line[8:] for line in result.stderr.splitlines() if line.startswith("PROBLEM ")]

    points = [1, 4, 9] if a.quick else [1, 2, 4, 6, 9, 12, 15]
    return [
        Case(cat, f"kill after {k} runs", [], OK, run=lambda f, k=k: run(f, k), check=check)
        for k in points
    ]


def reference_sweep_of(a: Attack, experiment: Path) -> Path:
    with _REFERENCE:
        whole = a.work / f"whole-{experiment.stem}"
        if not whole.exists():
            a.execute(
                a.cmd("sweep", experiment, "--out", whole, "--workers", "2", "--no-progress"),
                a.work,
                timeout=600,
            )
        return whole


def full_disk_cases(a: Attack) -> list[Case]:
    """A full disk, simulated by the fault hook (CLUSTERSIM_TEST_FAULT=enospc:FILE)."""
    cat = "full disk (fault hook)"
    experiment = str(a.tiny)
    cases = []
    for target in (
        "experiment.json",
        "manifest.jsonl",
        "baseline__p0000__r0001",
        "cfc__p0000__r0002",
    ):

        def run(folder, target=target):
            sweep = a.cmd("sweep", experiment, "--out", "d", "--workers", "1", "--no-progress")
            r = a.execute(sweep, folder, {"CLUSTERSIM_TEST_FAULT": f"enospc:{target}"}, timeout=300)
            after = a.execute([*sweep, "--resume"], folder, timeout=300)
            if after.code != 0 or "Traceback" in after.stderr:
                r.stderr += (
                    f"\nPROBLEM --resume after the full disk failed: {after.stderr.strip()[-200:]}"
                )
            elif len(list((folder / "d" / "runs").glob("*.parquet"))) != 9:
                r.stderr += "\nPROBLEM --resume did not finish every run"
            return r

        cases.append(
            Case(
                cat,
                f"sweep, disk full at {target}",
                [],
                ERROR,
                run=run,
                check=lambda r, f: [
                    x[8:] for x in r.stderr.splitlines() if x.startswith("PROBLEM ")
                ],
            )
        )
    ref = reference_sweep(a)
    for command, target in (
        ("compare", "comparison.csv"),
        ("compare", "summary.md"),
        ("report", "report.html"),
        ("report", "forest.png"),
    ):
        cases.append(
            Case(
                cat,
                f"{command}, disk full at {target}",
                a.cmd(command, "d"),
                ERROR,
                env={"CLUSTERSIM_TEST_FAULT": f"enospc:{target}"},
                setup=lambda f: shutil.copytree(ref, f / "d"),
                timeout=180,
            )
        )
    return cases


def concurrent_cases(a: Attack) -> list[Case]:
    cat = "concurrent sweeps"
    experiment = a.work / "slow.toml"
    experiment.write_text(
        tiny_experiment(a.scenarios, 8)
        .replace("n_firms = 20", "n_firms = 150")
        .replace("horizon = 2", "horizon = 20")
        .replace("burn_in = 2", "burn_in = 20"),
        encoding="utf-8",
    )
    other = a.work / "other.toml"
    other.write_text(tiny_experiment(a.scenarios, 2), encoding="utf-8")
    seconds = [
        (["--resume", "--replicates", "9"], experiment, "a second sweep --resume --replicates 9"),
        ([], experiment, "a second fresh sweep"),
        (["--resume"], experiment, "a second sweep --resume"),
        (["--resume"], other, "another experiment --resume"),
    ]

    def run(folder, extra, second_experiment):
        out = folder / "d"
        first = subprocess.Popen(
            a.cmd("sweep", experiment, "--out", out, "--workers", "1", "--no-progress"),
            cwd=folder,
            env=a.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            preexec_fn=limit_memory,
        )
        deadline = time.time() + 300
        while time.time() < deadline and not list(out.glob("runs/*.parquet")):
            time.sleep(0.05)
        info = (out / "experiment.json").read_bytes() if (out / "experiment.json").exists() else b""
        stamp = (out / "experiment.json").stat().st_mtime_ns if info else 0
        r = a.execute(
            a.cmd(
                "sweep", second_experiment, "--out", out, "--workers", "1", "--no-progress", *extra
            ),
            folder,
            timeout=120,
        )
        now = (out / "experiment.json").read_bytes() if (out / "experiment.json").exists() else b""
        if now != info or (out / "experiment.json").stat().st_mtime_ns != stamp:
            r.stderr += "\nPROBLEM the refused sweep rewrote the running sweep's experiment.json"
        kill_group(first.pid)
        first.wait()
        return r

    return [
        Case(
            cat,
            name,
            [],
            ERROR,
            run=lambda f, e=extra, x=exp: run(f, e, x),
            check=lambda r, f: [x[8:] for x in r.stderr.splitlines() if x.startswith("PROBLEM ")],
        )
        for extra, exp, name in seconds
    ]
