"""Take-up by scheme against the benchmarks (issue 16): the holistic SPV package in year 10 and
consulting's take-up of its offers, over 8 seeds.

    PYTHONPATH=$PWD python experiments/take_up.py [--seeds 8] [--set owners.doubt_share=0 ...]

Prints, for each scheme of the holistic SPV package, the share of operating firms using it in
the four quarters of year 10 (mean over quarters and seeds, with the spread across seeds), the
share that used it at least once in the policy period, and the waiting and served counts of the
schemes with a queue; then consulting's offers taken and served (scenarios/consulting.toml).
Benchmarks: about 10 % of medium enterprises had used any Ministry of MSME scheme (NITI
Aayog/ASCI 2025), without outreach; 80 of 150 firms offered subsidised consulting took it
(Bruhn, Karlan & Schoar 2018).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from clustersim.economy.model import ClusterModel
from clustersim.economy.reporters import COLUMN_NAMES
from clustersim.inputs.params import PARAMETERS, SCHEMES

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def year_ten(model, column):
    values = model.series.column(column)
    return float(np.mean(values[-4:]))


def year_one(model, column):
    values = model.series.column(column)
    return float(np.mean(values[model.burn_in : model.burn_in + 4]))


def holistic(seeds, settings, scenario="holistic_spv"):
    shares = {s: [] for s in ("any", *SCHEMES)}
    first_year, doubting = [], []
    queues = {c: [] for c in COLUMN_NAMES if c.startswith("waiting_")}
    longest = {c: [] for c in queues}
    for seed in seeds:
        model = ClusterModel(SCENARIOS / f"{scenario}.toml", seed=seed, **settings)
        model.run()
        shares["any"].append(year_ten(model, "take_up"))
        first_year.append(year_one(model, "take_up_skills_training"))
        doubting.append(float(model.firms.doubts[model.firms.live(), 0].mean()))
        for scheme in SCHEMES:
            shares[scheme].append(year_ten(model, f"take_up_{scheme}"))
        for column in queues:
            queues[column].append(year_ten(model, column))
            longest[column].append(max(model.series.column(column)))
    print(f"{scenario}, year 10, {len(seeds)} seeds: share of firms using each scheme")
    for scheme, values in shares.items():
        if max(values) > 0:
            print(f"  {scheme:24s} {np.mean(values):.3f} (sd {np.std(values, ddof=1):.3f})")
    spread = np.std(first_year, ddof=1)
    print(
        f"  skills training in year 1: {np.mean(first_year):.3f} (sd {spread:.3f});"
        f" owners doubting it in year 10: {np.mean(doubting):.3f}"
    )
    for column, values in queues.items():
        if max(longest[column]) > 0:
            print(
                f"  {column:26s} {np.mean(values):6.1f} firms in year 10 (sd "
                f"{np.std(values, ddof=1):.1f}); longest {np.mean(longest[column]):.0f}"
            )


def consulting(seeds, settings):
    offered, taken, served, longest = [], [], [], []
    for seed in seeds:
        model = ClusterModel(SCENARIOS / "consulting.toml", seed=seed, **settings)
        model.run()
        queue = getattr(model.government, "queues", {}).get("consulting")
        served.append(int(model.firms.consulted.sum()))
        if "waiting_consulting" in COLUMN_NAMES:
            longest.append(max(model.series.column("waiting_consulting")))
        if queue is not None:
            offered.append(queue.offered)
            taken.append(queue.joined_total)
    if offered:
        print(
            f"consulting ({len(seeds)} seeds): {sum(taken)} of {sum(offered)} offers taken "
            f"({sum(taken) / max(sum(offered), 1):.2f}); {sum(served)} firms served; longest "
            f"queue {np.mean(longest):.0f} firms (mean over seeds)"
        )
    else:
        print(
            f"consulting ({len(seeds)} seeds): {sum(served)} firms consulted (offers not counted)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--only", choices=("holistic", "consulting"))
    parser.add_argument("--scenario", default="holistic_spv", help="the package (scenarios/)")
    parser.add_argument(
        "--set", nargs="*", default=[], help="section.key=value settings, e.g. owners.doubt_share=0"
    )
    args = parser.parse_args()
    seeds = list(range(1, args.seeds + 1))
    settings = dict(item.split("=", 1) for item in args.set)
    settings = {
        k: v == "true" if v in ("true", "false") else PARAMETERS[k].kind(float(v))
        for k, v in settings.items()
    }
    if settings:
        print("settings:", settings)
    if args.only != "consulting":
        holistic(seeds, settings, args.scenario)
    if args.only != "holistic":
        consulting(seeds, settings)
