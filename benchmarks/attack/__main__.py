"""An attack on the command line: bad and mutated files, odd arguments, damaged sweep folders,
killed coordinators, a full disk, concurrent sweeps, hangs, the dashboard's exposure and slow
valid values.  Prints one table: category, cases tried, tracebacks, wrong exit codes, hangs and
other wrong results.

    .venv/bin/python benchmarks/attack                      # this tree, about 20 minutes
    .venv/bin/python benchmarks/attack --tree /tmp/old      # another checkout (its clustersim
                                                            # is put first on PYTHONPATH)
    .venv/bin/python benchmarks/attack --quick --only cli   # fewer mutations, one category

(``benchmarks/attack`` is a folder Python runs through its ``__main__.py``; the categories' cases
are in ``inputs.py``, ``arguments.py``, ``folders.py``, ``crashes.py`` and ``processes.py``.)

Every case runs ``python -m clustersim ...`` in a fresh process in its own folder.  A case
expects an error (exit status 2, one line on stderr, no traceback), success (exit 0) or either.
A *hang* is a case killed at its time limit; a *traceback* is "Traceback" on stderr; a *wrong
exit code* is a status the case does not allow (a refused bad input that exits 0 is one); a
*wrong result* is anything else a case checks (a multi-line error, a NaN in the outputs,
orphaned processes, a leftover temporary file, changed results after a resume, a rewritten
experiment.json, a foreign Host header answered).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from arguments import cli_cases
from crashes import concurrent_cases, crash_cases, full_disk_cases
from folders import damaged_folder_cases, failed_run_cases
from inputs import experiment_cases, national_cases, scenario_cases
from processes import exposure_cases, hang_cases, slow_value_cases
from runner import HERE, Attack

# ------------------------------------------------------------------ the table
CATEGORIES = {
    "scenario": scenario_cases,
    "experiment": experiment_cases,
    "national": national_cases,
    "cli": cli_cases,
    "folders": damaged_folder_cases,
    "failed": failed_run_cases,
    "crash": crash_cases,
    "disk": full_disk_cases,
    "concurrent": concurrent_cases,
    "hangs": hang_cases,
    "exposure": exposure_cases,
    "slow": slow_value_cases,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tree", type=Path, default=HERE, help="checkout whose clustersim is attacked"
    )
    parser.add_argument(
        "--python", default=sys.executable, help="interpreter with the dependencies"
    )
    parser.add_argument(
        "--only", action="append", choices=list(CATEGORIES), help="categories to run"
    )
    parser.add_argument("--quick", action="store_true", help="fewer mutations and kills")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--jobs", type=int, default=2, help="cases run at once")
    parser.add_argument("--details", type=Path, help="write every failing case here")
    args = parser.parse_args()
    tree = args.tree.resolve()
    work = Path(tempfile.mkdtemp(prefix="clustersim-attack-"))
    attack = Attack(tree, args.python, work, args.seed, args.quick)
    names = args.only or list(CATEGORIES)
    print(f"attacking {tree} (commit {commit_of(tree)}), work folder {work}", flush=True)
    rows, failures = [], []
    started = time.perf_counter()
    for name in names:
        cases = CATEGORIES[name](attack)
        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.jobs) as pool:
            verdicts = list(pool.map(attack.play, cases))
        row = {
            "category": cases[0].category,
            "cases": len(cases),
            "tracebacks": sum(v.traceback for v in verdicts),
            "wrong exit codes": sum(v.wrong_exit for v in verdicts),
            "hangs": sum(v.hang for v in verdicts),
            "wrong results": sum(bool(v.problems) for v in verdicts),
        }
        rows.append(row)
        for case, v in zip(cases, verdicts, strict=True):
            if v.traceback or v.wrong_exit or v.hang or v.problems:
                what = [
                    w
                    for w, bad in (
                        ("traceback", v.traceback),
                        ("wrong exit", v.wrong_exit),
                        ("hang", v.hang),
                    )
                    if bad
                ] + v.problems
                failures.append(
                    f"{case.category} / {case.name}: {'; '.join(what)} [exit {v.code}] {v.said}"
                )
        print(
            f"  {row['category']}: {row['cases']} cases in {time.perf_counter() - t0:.0f} s",
            flush=True,
        )
    print()
    print(table(rows))
    print(f"\n{sum(r['cases'] for r in rows)} cases in {time.perf_counter() - started:.0f} s")
    if args.details:
        args.details.write_text("\n".join(failures) + "\n", encoding="utf-8")
    else:
        print("\n".join(failures[:80]))
    shutil.rmtree(work, ignore_errors=True)


def table(rows: list[dict]) -> str:
    total = {k: sum(r[k] for r in rows) for k in rows[0] if k != "category"}
    rows = [*rows, {"category": "total", **total}]
    columns = list(rows[0])
    width = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}

    def line(r):
        cells = [str(r[c]).ljust(width[c]) if c == "category" else str(r[c]).rjust(width[c])
                 for c in columns]  # fmt: skip
        return "| " + " | ".join(cells) + " |"

    rule = "|" + "|".join("-" * (width[c] + 2) for c in columns) + "|"
    return "\n".join([line({c: c for c in columns}), rule, *map(line, rows)])


def commit_of(tree: Path) -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(tree), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


if __name__ == "__main__":
    main()
