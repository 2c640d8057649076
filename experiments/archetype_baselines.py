"""Each archetype's baseline over its policy period against the data.

For the engineering baseline and the four archetypes: the change in the number of firms and in
jobs a year over the 40 policy quarters (against the decline series of legacy clusters in the
data's notes: units -2.3 to -5.3 % a year, Channapatna's artisans -3.8 %), and turnover per worker
and export share at the end of the burn-in and at the horizon against the medians of the
archetype's rows in clustersim/data/indian_clusters.csv.  Medians over seeds.

    python experiments/archetype_baselines.py [--seeds 5]
"""

from __future__ import annotations

import argparse
import csv
import statistics
from pathlib import Path

from clustersim.economy.model import ClusterModel
from clustersim.experiments.stylised_facts import annual_decline
from clustersim.inputs.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("baseline", "foundry", "knitwear", "leather", "handicraft")


def data_medians(archetype: str) -> tuple[float, float]:
    """Median turnover per worker (Rs lakh a year) and export share of the archetype's rows."""
    tpw, share = [], []
    with open(ROOT / "clustersim" / "data" / "indian_clusters.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["archetype"] != archetype:
                continue
            employment, turnover = float(row["employment"] or 0), float(row["turnover_inr_cr"] or 0)
            if employment > 0 and turnover > 0:
                tpw.append(100.0 * turnover / employment)
                if row["exports_inr_cr"]:
                    share.append(float(row["exports_inr_cr"]) / turnover)
    median = statistics.median
    return (median(tpw) if tpw else float("nan"), median(share) if share else float("nan"))


def one_run(name: str, seed: int) -> dict[str, float]:
    model = ClusterModel(load_scenario(ROOT / "scenarios" / f"{name}.toml"), seed=seed)
    model.run(model.burn_in)
    start = {c: model.series.latest(c) for c in ("sales", "jobs", "export_share")}
    model.run(model.n_steps - model.burn_in)
    jobs, quarters = model.series.column("jobs"), model.series.column("quarter")
    years = quarters[-1] / 4.0
    end = {c: model.series.latest(c) for c in ("sales", "jobs", "export_share")}
    return {
        "firms_pa": 100.0 * annual_decline(model),
        "jobs_pa": 100.0 * ((jobs[-1] / jobs[quarters.index(0)]) ** (1.0 / years) - 1.0),
        "tpw_start": 400.0 * start["sales"] / start["jobs"],
        "tpw_end": 400.0 * end["sales"] / end["jobs"],
        "xs_start": 100.0 * start["export_share"],
        "xs_end": 100.0 * end["export_share"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    print(
        f"medians of {args.seeds} seeds; firms and jobs: % a year over the policy period; "
        "turnover per worker (Rs lakh a year) and export share (%) at the start and end of it"
    )
    print(
        f"{'scenario':<11} {'firms/yr':>8} {'jobs/yr':>8} {'tpw start':>9} {'tpw end':>8} "
        f"{'tpw data':>8} {'xs start':>8} {'xs end':>7} {'xs data':>7}"
    )
    for name in SCENARIOS:
        scenario = load_scenario(ROOT / "scenarios" / f"{name}.toml")
        tpw_data, xs_data = data_medians(scenario.params.cluster.archetype)
        runs = [one_run(name, seed) for seed in range(1, args.seeds + 1)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(
            f"{name:<11} {med['firms_pa']:>+8.1f} {med['jobs_pa']:>+8.1f} "
            f"{med['tpw_start']:>9.1f} {med['tpw_end']:>8.1f} {tpw_data:>8.1f} "
            f"{med['xs_start']:>8.1f} {med['xs_end']:>7.1f} {100 * xs_data:>7.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
