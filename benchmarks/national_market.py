"""The national experiment in national markets (issue 15): its wall time on the local pool, the
same results on a Dask LocalCluster, and the largest memory of a product-market task.

    .venv/bin/python benchmarks/national_market.py                  # the 200 clusters, 2 workers
    .venv/bin/python benchmarks/national_market.py --total 40 --dask  # a smaller design, + Dask

Prints its figures; a benchmark, never a timed test.  Results recorded by hand in
benchmarks/results/national_market.txt.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = ROOT / "experiments" / "national_200_clusters.toml"


def design(total: int, folder: Path) -> Path:
    """The shipped national experiment, with ``total`` clusters."""
    text = EXPERIMENT.read_text(encoding="utf-8")
    text = text.replace('"../scenarios/', f'"{ROOT}/scenarios/')
    text = "\n".join(
        f"total = {total}" if line.startswith("total =") else line for line in text.splitlines()
    )
    path = folder / "national.toml"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def largest_task_memory(path: Path) -> tuple[str, int, int, float]:
    """Peak resident memory (MB) of the largest product market's task, run alone in a fresh
    process: (product, clusters, firms, MB)."""
    from clustersim.experiments.national import load_national

    experiment = load_national(path)
    product, members = max(
        experiment.products().items(), key=lambda kv: sum(c.n_firms for c in kv[1])
    )
    code = f"""
import resource, sys
from clustersim.experiments.national import load_national
from clustersim.experiments.worker import execute_market
e = load_national({str(path)!r})
runs = [r.to_dict() for r in e.iter_runs() if r.market == {product + "__scheme__r0000"!r}]
records = execute_market(runs)
assert all(r["status"] == "ok" for r in records), [r["error"] for r in records][:1]
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return product, len(members), sum(c.n_firms for c in members), float(out.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dask", action="store_true", help="also on a Dask LocalCluster")
    parser.add_argument("--keep", type=Path, help="keep the local sweep in this folder")
    args = parser.parse_args()
    import pandas as pd

    from clustersim import api
    from clustersim.analysis.national import national_summary

    folder = Path(tempfile.mkdtemp(prefix="national_market_"))
    path = design(args.total, folder)
    local = args.keep or folder / "local"
    started = time.perf_counter()
    manifest = api.sweep(path, local, workers=args.workers, progress=False)
    seconds = time.perf_counter() - started
    print(
        f"{args.total} clusters, {len(manifest)} runs ({set(manifest['status'])}), "
        f"local pool of {args.workers}: {seconds:.0f} s wall, "
        f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime:.0f} CPU s in workers"
    )
    result = national_summary(local)
    print(json.dumps(result["national"].iloc[0].to_dict(), indent=1, default=str))
    print(result["products"].to_string(index=False))
    if args.dask:
        import distributed

        with distributed.LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            started = time.perf_counter()
            api.sweep(path, folder / "dask", scheduler=cluster.scheduler_address, progress=False)
            dask_seconds = time.perf_counter() - started

        def frames(out):
            return api.results(out).sort_values(["run_id", "step"], ignore_index=True)

        same = frames(local).equals(frames(folder / "dask"))
        print(f"Dask LocalCluster of {args.workers}: {dask_seconds:.0f} s; identical: {same}")
        pd.testing.assert_frame_equal(frames(local), frames(folder / "dask"))
    product, clusters, firms, mb = largest_task_memory(path)
    print(
        f"largest product-market task: {product}, {clusters} clusters, {firms:,} firms, "
        f"peak {mb:,.0f} MB resident"
    )
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
