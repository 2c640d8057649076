"""Where do the jobs of a productivity gain come from?  The referee's experiment, redone.

Every firm's TFP rises by 10 % at the end of the burn-in; the run is compared, at the horizon,
with the same seed without the gain.  The cluster holds 30 % or 95 % of its domestic market, with
and without an export market.  Reported: the change in gross jobs, net jobs (less the full-time
work the cluster's workers would have had elsewhere), outside producers' jobs, the wage, the
cluster's sales and the price index, as medians over seeds.

    python experiments/market_share_tfp.py [--seeds 6] [--horizon 40]
"""

from __future__ import annotations

import argparse
import math
import statistics
from pathlib import Path

from clustersim.economy.model import ClusterModel
from clustersim.inputs.scenario import load_scenario

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"
COLUMNS = ("jobs", "jobs_net", "outside_jobs", "wage", "sales", "price_index")


def run(share: float, exports: bool, seed: int, horizon: int, gain: float) -> dict[str, float]:
    overrides = {"cluster": {"domestic_market_share": share}, "run": {"horizon": horizon}}
    if not exports:
        overrides["market"] = {"foreign_demand_ratio": 0.0}
    model = ClusterModel(load_scenario(BASELINE, overrides), seed=seed)
    model.run(model.burn_in)
    model.firms.tfp_permanent += math.log(1.0 + gain)  # every firm, entrants in the pool too
    model.run(model.n_steps - model.burn_in)
    return {c: float(model.series.latest(c)) for c in COLUMNS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--horizon", type=int, default=40)
    args = parser.parse_args()
    print(
        f"+10 % TFP for every firm at the end of the burn-in; effect at policy quarter "
        f"{args.horizon}, "
        f"median of {args.seeds} seeds (paired)"
    )
    print(
        f"{'share':>6} {'exports':>8} {'jobs %':>7} {'net jobs':>9} {'jobs':>7} "
        f"{'outside':>8} {'wage %':>7} "
        f"{'sales %':>8} {'P %':>6}"
    )
    for share in (0.3, 0.95):
        for exports in (True, False):
            rows = {c: [] for c in (*COLUMNS, "jobs_pct", "wage_pct", "sales_pct", "p_pct")}
            for seed in range(1, args.seeds + 1):
                base = run(share, exports, seed, args.horizon, 0.0)
                lifted = run(share, exports, seed, args.horizon, 0.10)
                for c in COLUMNS:
                    rows[c].append(lifted[c] - base[c])
                for c, key in (
                    ("jobs", "jobs_pct"),
                    ("wage", "wage_pct"),
                    ("sales", "sales_pct"),
                    ("price_index", "p_pct"),
                ):
                    rows[key].append(100 * (lifted[c] / base[c] - 1))
            med = {k: statistics.median(v) for k, v in rows.items()}
            print(
                f"{share:>6.2f} {str(exports):>8} {med['jobs_pct']:>+7.1f} "
                f"{med['jobs_net']:>+9.0f} "
                f"{med['jobs']:>+7.0f} {med['outside_jobs']:>+8.0f} {med['wage_pct']:>+7.1f} "
                f"{med['sales_pct']:>+8.1f} {med['p_pct']:>+6.1f}"
            )


if __name__ == "__main__":
    main()
