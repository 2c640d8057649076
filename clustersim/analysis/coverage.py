"""What a comparison rests on: for each package, how many of its runs finished and how many could
be paired with a finished baseline run, and, for those missing, why (the manifest's errors).

A sweep records a failed run and goes on; ``compare`` then compares what it can and names what
is missing, and stops only when nothing can be compared.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..experiments.design import BASELINE
from ..experiments.store import Store


def missing_runs(out: Path, info: dict, series: pd.DataFrame, paired: pd.DataFrame) -> list[str]:
    """One line per package (the baseline first) whose runs are not all compared."""
    expected = max(len(info.get("points") or [None]), 1) * int(info.get("replicates", 1))
    finished = series.groupby("package")["run_id"].nunique()
    pairs = paired.groupby("package").size() if len(paired) else pd.Series(dtype=int)
    failures = _failures(out, set(series["run_id"]))
    lines = []
    for package in info["packages"]:
        done = int(finished.get(package, 0))
        why = failures.get(package, "")
        if package == BASELINE:
            if done < expected:
                lines.append(
                    f"baseline: {done} of {expected} runs finished{why}; packages are compared "
                    "on the replicates they share with it"
                )
        elif done == 0:
            lines.append(f"{package}: not compared: no finished run{why}")
        elif int(pairs.get(package, 0)) == 0:
            lines.append(
                f"{package}: not compared: none of its {done} finished runs has a finished "
                f"baseline run to pair with{why}"
            )
        elif int(pairs.get(package, 0)) < expected:
            lines.append(
                f"{package}: compared on {int(pairs[package])} of {expected} runs "
                f"({done} finished){why}"
            )
    return lines


def _failures(out: Path, finished: set[str]) -> dict[str, str]:
    """Per package: ' (N failed: first error)' for its runs the manifest records as failed."""
    try:
        manifest = Store(out).read_manifest()
    except Exception:  # noqa: BLE001 - the manifest only explains; the run files are the truth
        return {}
    if not len(manifest):
        return {}
    failed = manifest[(manifest["status"] != "ok") & ~manifest["run_id"].isin(finished)]
    out_lines = {}
    for package, rows in failed.groupby("package"):
        error = str(rows["error"].iloc[0] or "")[:100]
        out_lines[str(package)] = f" ({len(rows)} failed" + (f": {error})" if error else ")")
    return out_lines
