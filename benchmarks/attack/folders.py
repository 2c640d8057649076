"""Cases: damaged sweep folders, and compare/report after runs that failed."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

from runner import EITHER, ERROR, OK, Attack, Case, tiny_experiment

# ------------------------------------------------------------------ sweep folders
_REFERENCE = threading.Lock()


def reference_sweep(a: Attack, name="ref", replicates=3, env=None) -> Path:
    with _REFERENCE:
        return _reference_sweep(a, name, replicates, env)


def _reference_sweep(a: Attack, name, replicates, env) -> Path:
    ref = a.work / name
    if not ref.exists():
        experiment = a.work / f"{name}.toml"
        experiment.write_text(tiny_experiment(a.scenarios, replicates), encoding="utf-8")
        r = a.execute(
            a.cmd("sweep", experiment, "--out", ref, "--workers", "2", "--no-progress"),
            a.work,
            env,
            timeout=600,
        )
        if r.code != 0:
            raise SystemExit(f"the reference sweep failed:\n{r.stderr}")
    return ref


def _json_edit(**changes):
    def damage(d: Path):
        info = json.loads((d / "experiment.json").read_text())
        for key, value in changes.items():
            if value is _DROP:
                info.pop(key, None)
            else:
                info[key] = value
        (d / "experiment.json").write_text(json.dumps(info))

    return damage


_DROP = object()


def _replace_with_folder(relative: str):
    def damage(d: Path):
        path = d / relative
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
        path.mkdir()
        (path / "x").write_text("x")

    return damage


def _first_run(d: Path, package="cfc") -> Path:
    return sorted((d / "runs").glob(f"{package}__*.parquet"))[0]


def _write(path_of, content: bytes):
    def damage(d: Path):
        path_of(d).write_bytes(content)

    return damage


def _wrong_table(d: Path):
    run = _first_run(d)
    shutil.copy(d / "firms" / run.name, run)


def _drop_column(d: Path):
    import pyarrow.parquet as pq

    run = _first_run(d)
    table = pq.read_table(run)
    pq.write_table(table.drop(["jobs"]), run)


def _delete_runs(package):
    def damage(d: Path):
        for path in (d / "runs").glob(f"{package}__*.parquet"):
            path.unlink()

    return damage


def _tmp_leftovers(d: Path):
    for sub in ("runs", "firms"):
        (d / sub / f".cfc__p0000__r0000.parquet.{os.getpid()}.tmp").write_bytes(b"PAR1 torn")


def _lock(pid_text: bytes):
    def damage(d: Path):
        (d / ".sweep.lock").write_bytes(pid_text)

    return damage


def _manifest_garbage(d: Path):
    with open(d / "manifest.jsonl", "ab") as fh:
        fh.write(b'5\n[]\n{"x": 1}\n{"run_id": 5}\nnull\n\xff\xfe\n{"run_id": "cfc__p0000__r0000"')


def _folder_is_file(d: Path):
    shutil.rmtree(d)
    d.write_text("not a folder")


def damaged_folder_cases(a: Attack) -> list[Case]:
    cat = "damaged sweep folders"
    ref = reference_sweep(a)
    E, K, X = ERROR, OK, EITHER
    damages = {  # name: (damage, compare, report, resume)
        "experiment.json empty": (_write(lambda d: d / "experiment.json", b""), E, E, E),
        "experiment.json binary": (
            _write(lambda d: d / "experiment.json", os.urandom(200)),
            E,
            E,
            E,
        ),
        "experiment.json truncated": (lambda d: _truncate(d / "experiment.json"), E, E, E),
        "experiment.json a list": (_write(lambda d: d / "experiment.json", b"[1, 2]"), E, E, E),
        "experiment.json packages = 5": (_json_edit(packages=5), E, E, E),
        "experiment.json packages with a number": (_json_edit(packages=["baseline", 3]), E, E, E),
        "experiment.json title a list": (_json_edit(title=[1]), E, E, E),
        "experiment.json precision a string": (_json_edit(precision="x"), E, E, E),
        "experiment.json discount_rate text": (_json_edit(discount_rate="x"), E, E, E),
        "experiment.json no fingerprint": (_json_edit(fingerprint=_DROP), K, K, E),
        "experiment.json a folder": (_replace_with_folder("experiment.json"), E, E, E),
        "manifest garbage lines": (_manifest_garbage, K, K, K),
        "manifest binary": (_write(lambda d: d / "manifest.jsonl", os.urandom(300)), K, K, K),
        "manifest a folder": (_replace_with_folder("manifest.jsonl"), K, K, E),
        "a run file is a folder": (
            lambda d: _replace_with_folder(str(_first_run(d).relative_to(d)))(d),
            E,
            E,
            X,
        ),
        "a run file is garbage": (_write(_first_run, os.urandom(500)), E, E, X),
        "a run file is empty": (_write(_first_run, b""), E, E, X),
        "a run file holds the wrong table": (_wrong_table, E, E, X),
        "a run file lacks a column": (_drop_column, E, E, X),
        "runs/ is a file": (_write(lambda d: _rm(d / "runs"), b"x"), E, E, E),
        "a firms file is garbage": (
            _write(lambda d: d / "firms" / _first_run(d).name, os.urandom(100)),
            E,
            E,
            X,
        ),
        "every baseline run missing": (_delete_runs("baseline"), E, E, K),
        "every cfc run missing": (_delete_runs("cfc"), K, K, K),
        "one baseline run missing": (lambda d: _first_run(d, "baseline").unlink(), K, K, K),
        "comparison.csv is a folder": (_replace_with_folder("comparison.csv"), E, E, K),
        "summary.md is a folder": (_replace_with_folder("summary.md"), E, E, K),
        "forest.png is a folder": (_replace_with_folder("forest.png"), E, E, K),
        "report.html is a folder": (_replace_with_folder("report.html"), K, E, K),
        "a dead sweep's lock": (_lock(b"999999999"), K, K, K),
        "a live sweep's lock": (_lock(b"1"), K, K, E),
        "a garbage lock": (_lock(b"\xff\x00"), K, K, K),
        "leftover .tmp files": (_tmp_leftovers, K, K, K),
        "the folder is a file": (_folder_is_file, E, E, E),
        "an empty folder": (lambda d: (shutil.rmtree(d), d.mkdir()), E, E, K),
    }

    def no_tmp_left(result, folder):
        left = list((folder / "d").glob("*/.*.tmp")) if (folder / "d").is_dir() else []
        return [f"{len(left)} .tmp files left after --resume"] if result.code == 0 and left else []

    cases = []
    for name, (damage, *expects) in damages.items():
        commands = (
            a.cmd("compare", "d"),
            a.cmd("report", "d"),
            a.cmd("sweep", a.tiny, "--out", "d", "--resume", "--workers", "1", "--no-progress"),
        )
        for label, argv, expect in zip(
            ("compare", "report", "resume"), commands, expects, strict=True
        ):

            def setup(folder, damage=damage):
                shutil.copytree(ref, folder / "d")
                damage(folder / "d")

            check = no_tmp_left if label == "resume" else None
            cases.append(
                Case(cat, f"{label}: {name}", argv, expect, setup=setup, check=check, timeout=180)
            )
    return cases


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:40])


def _rm(path: Path) -> Path:
    shutil.rmtree(path)
    return path


def failed_run_cases(a: Attack) -> list[Case]:
    cat = "compare after failed runs"
    faults = {  # fault: (compare, report), and a word compare's output must contain
        "raise:baseline__p0000__r0000,raise:baseline__p0000__r0001,raise:cfc__p0000__r0002":
            (OK, OK, "fail"),
        ",".join(f"raise:cfc__p0000__r000{r}" for r in range(3)): (OK, OK, "cfc"),
        ",".join(f"raise:baseline__p0000__r000{r}" for r in range(3)): (ERROR, ERROR, "baseline"),
        ",".join(f"raise:{p}__p0000__r000{r}" for p in ("cfc", "cell") for r in range(3)):
            (ERROR, ERROR, "cfc"),
        "kill:cell__p0000__r0001": (OK, OK, "cell"),
    }  # fmt: skip
    cases = []
    for i, (fault, (compare, report, word)) in enumerate(faults.items()):
        name = f"fault set {i}"

        def setup(folder, fault=fault):
            reference_sweep(
                a, f"faulty{abs(hash(fault)) % 10**8}", env={"CLUSTERSIM_TEST_FAULT": fault}
            )
            shutil.copytree(a.work / f"faulty{abs(hash(fault)) % 10**8}", folder / "d")

        def says(result, folder, word=word):
            text = result.stdout + result.stderr
            return [] if word in text else [f"output does not mention {word!r}"]

        cases.append(
            Case(
                cat,
                f"compare: {name}",
                a.cmd("compare", "d"),
                compare,
                setup=setup,
                check=says,
                timeout=180,
            )
        )
        cases.append(
            Case(cat, f"report: {name}", a.cmd("report", "d"), report, setup=setup, timeout=180)
        )
    return cases
