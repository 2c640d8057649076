"""What treated clusters take from untreated clusters of their product (issue 15).

In a national market (docs/ODD.md §7.21) the scheme is given to every other cluster of a product
(by cluster order) and not to the rest; against the same market with nobody treated (same seeds),
the untreated clusters' change in jobs is what the treated ones take from them
(``displaced_other_clusters``), beside the treated clusters' own gain and the change in outside
producers.  Clusters treated alike take from each other what the others take from them, so this is
the displacement a national total of clusters evaluated one at a time would miss when a scheme
reaches only some clusters.

    .venv/bin/python experiments/national_displacement.py                 # three products, 4 reps
    .venv/bin/python experiments/national_displacement.py --products leather_footwear --replicates 2
"""

from __future__ import annotations

import argparse
import math
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = ROOT / "experiments" / "national_200_clusters.toml"
COLUMNS = ("jobs", "jobs_net", "outside_jobs")


def market_runs(product: str, replicate: int, treated: set[int]) -> list[dict]:
    """The runs of one product market in which only the clusters ``treated`` get the scheme."""
    from clustersim.experiments.national import load_national

    experiment = load_national(EXPERIMENT, replicates=replicate + 1)
    chosen = {}
    for run in experiment.iter_runs():
        if run.replicate != replicate or not run.market.startswith(f"{product}__"):
            continue
        wanted = "scheme" if run.point in treated else "baseline"
        if run.package == wanted:
            chosen[run.point] = {**run.to_dict(), "market": product}
    return [chosen[point] for point in sorted(chosen)]


def simulate(product: str, replicate: int, treated: tuple[int, ...]) -> dict[int, dict]:
    """Each cluster's jobs, net jobs and outside producers' jobs at the horizon."""
    import io

    import pandas as pd

    from clustersim.experiments.worker import execute_market

    records = execute_market(market_runs(product, replicate, set(treated)))
    out = {}
    for record in records:
        if record["status"] != "ok":
            raise RuntimeError(f"{record['run_id']}: {record['error']}")
        series = pd.read_parquet(io.BytesIO(record["timeseries"]))
        out[record["point"]] = series.iloc[-1][list(COLUMNS)].to_dict()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--products",
        nargs="+",
        default=["leather_footwear", "food_agro_processing", "ceramics_glass"],
    )
    parser.add_argument("--replicates", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from clustersim.experiments.national import load_national

    experiment = load_national(EXPERIMENT)
    products = experiment.products()
    tasks = []
    for product in args.products:
        members = [c.index for c in products[product]]
        half = tuple(members[::2])
        for r in range(args.replicates):
            tasks += [(product, r, ()), (product, r, half)]
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(simulate, *zip(*tasks, strict=True)))
    by_task = dict(zip(tasks, results, strict=True))
    print(
        "product | clusters treated / all | treated clusters' jobs | untreated clusters' jobs "
        "(displaced_other_clusters) | share of the treated's gain | outside producers | net"
    )
    for product in args.products:
        members = [c.index for c in products[product]]
        half = tuple(members[::2])
        gains, losses, outside, net = [], [], [], []
        for r in range(args.replicates):
            none, some = by_task[(product, r, ())], by_task[(product, r, half)]
            diff = {c: {k: some[c][k] - none[c][k] for k in COLUMNS} for c in members}
            gains.append(sum(diff[c]["jobs"] for c in half))
            losses.append(sum(diff[c]["jobs"] for c in members if c not in half))
            outside.append(sum(diff[c]["outside_jobs"] for c in members))
            net.append(sum(diff[c]["jobs_net"] for c in members))

        def show(values):
            values = np.asarray(values)
            half_width = (
                1.96 * values.std(ddof=1) / math.sqrt(len(values)) if len(values) > 1 else 0
            )
            return f"{values.mean():+,.0f} (±{half_width:,.0f})"

        share = -np.mean(losses) / np.mean(gains) if np.mean(gains) else math.nan
        print(
            f"{product} | {len(half)} / {len(members)} | {show(gains)} | {show(losses)} | "
            f"{100 * share:.1f} % | {show(outside)} | {show(net)}"
        )


if __name__ == "__main__":
    main()
