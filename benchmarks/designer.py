"""The scheme designer (issue 21): wall time and run counts of its two sweeps (the metamodel's
design and the verification in national markets) on the local pool, and optionally the design
on a Dask LocalCluster with a check that its results are the same.

    .venv/bin/python benchmarks/designer.py --budget-cr 10000            # the shipped designer
    .venv/bin/python benchmarks/designer.py --total 20 --draws 2 --dask   # smaller, + Dask
    .venv/bin/python benchmarks/designer.py --keep results/designer       # keep the folder

Prints its figures; a benchmark, never a timed test.  A folder given with --keep is resumed: the
finished runs are not run again (the times printed are then of what was left).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DESIGNER = ROOT / "experiments" / "scheme_designer.toml"


def designer_file(folder: Path, total: int | None, draws: int | None, replicates: int | None):
    """The shipped designer file, with its paths made absolute and the sizes given changed."""
    lines = []
    for line in DESIGNER.read_text(encoding="utf-8").splitlines():
        line = line.replace('"../scenarios/', f'"{ROOT}/scenarios/')
        if total and line.startswith("total ="):
            line = f"total = {total}"
        if draws and line.startswith("draws ="):
            line = f"draws = {draws}"
        if replicates and line.startswith("replicates =") and "[metamodel]" in "\n".join(lines):
            line = f"replicates = {replicates}"
        lines.append(line)
    path = folder / "designer.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget-cr", type=float, default=10_000.0)
    parser.add_argument("--total", type=int)
    parser.add_argument("--draws", type=int)
    parser.add_argument("--replicates", type=int, help="the metamodel design's replicates")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-verify", action="store_true")
    parser.add_argument("--dask", action="store_true", help="the design again on Dask")
    parser.add_argument("--keep", type=Path, help="work in (and keep) this folder")
    args = parser.parse_args()
    from clustersim import api
    from clustersim.experiments.allocate import load_designer, metamodel_design
    from clustersim.experiments.sweep import run_sweep

    scratch = Path(tempfile.mkdtemp(prefix="designer_"))
    path = designer_file(scratch, args.total, args.draws, args.replicates)
    out = args.keep or scratch / "out"
    started = time.perf_counter()
    design = api.allocate(
        path, args.budget_cr, out, workers=args.workers, verify=not args.no_verify
    )
    seconds = time.perf_counter() - started
    designer = load_designer(path)
    n_design = metamodel_design(designer).run_count()
    print(
        f"{len(designer.national.clusters)} clusters, menu {designer.package_names}; "
        f"metamodel design {n_design:,} runs, all runs {design.runs:,}; local pool of "
        f"{args.workers}: {seconds:.0f} s wall"
    )
    print((out / "allocation.md").read_text(encoding="utf-8"))
    import pandas as pd

    fit = pd.read_csv(out / "metamodel_fit.csv")
    print("metamodel out of sample (metamodel_fit.csv):")
    print(fit.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if args.dask:
        import distributed

        with distributed.LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            started = time.perf_counter()
            run_sweep(
                metamodel_design(designer),
                scratch / "dask",
                scheduler=cluster.scheduler_address,
                progress=False,
            )
            dask_seconds = time.perf_counter() - started

        def frames(folder):
            return api.results(folder).sort_values(["run_id", "step"], ignore_index=True)

        pd.testing.assert_frame_equal(frames(out / "design"), frames(scratch / "dask"))
        print(f"design on a Dask LocalCluster of {args.workers}: {dask_seconds:.0f} s; identical")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
