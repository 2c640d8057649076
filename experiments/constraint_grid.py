"""Where does the collateral constraint bind, and does the return gap by net worth see it?

The finance block's moments (clustersim.experiments.calibrate.simulate_moments: each seed run as is
and with the collateral limit lifted) at a few points of owners' consumption, lambda, the bank's
bar and buyers who never pay, the other parameters at their defaults, with the share of firms
constrained at the end of the burn-in and the raw return gap beside them (docs/calibration.md,
seventh and eighth calibrations).  Then, at one binding point, what constrained firms earn and
where they sit by net worth.

    python experiments/constraint_grid.py [--seeds 3]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from clustersim.economy.model import ClusterModel
from clustersim.experiments.calibrate import objective, simulate_moments
from clustersim.inputs.scenario import load_scenario, nest

ROOT = Path(__file__).resolve().parents[1]
#: (owner_consumption, bank_leverage, max_expected_loss, buyer_default_rate)
POINTS = [
    (c, lam, bar, 0.33)
    for bar in (0.02, 0.04)
    for lam in (1.5, 2.0, 2.734)
    for c in (0.075, 0.15, 0.25)
]
KEYS = (
    "finance.owner_consumption",
    "finance.bank_leverage",
    "finance.max_expected_loss",
    "finance.buyer_default_rate",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    seeds = range(1001, 1001 + args.seeds)  # the calibration's seeds
    print(
        "| owner_consumption | bank_leverage | max_expected_loss | buyer_default_rate | "
        "constrained | NPA | bank loan | net gap | raw gap | legacy decline | Hill | micro | J |"
    )
    print("|---" * 13 + "|")
    for point in POINTS:
        extra: list = []
        m = simulate_moments(dict(zip(KEYS, point, strict=True)), seeds, extra)
        print(
            "| " + " | ".join(f"{v:g}" for v in point) + f" | {extra[0]:.3f} | {m[4]:.3f} | "
            f"{m[0]:.3f} | {m[5]:.2f} | {extra[1]:.2f} | {m[3]:.3f} | {m[1]:.2f} | {m[2]:.3f} | "
            f"{objective(m):.2f} |",
            flush=True,
        )
    theta = dict(zip(KEYS, (0.25, 2.0, 0.02, 0.33), strict=True))
    model = ClusterModel(
        load_scenario(ROOT / "scenarios" / "baseline.toml", nest(theta)), seed=1001
    )
    model.run(model.burn_in)
    f, live, tech = model.firms, model.firms.live(), model.technology
    mrpk = tech.beta * (tech.rho * f.sales[live] - f.materials[live]) / f.capital[live]
    r = 100.0 * (mrpk - model.rates.depreciation) / 3.0
    c, worth = f.credit_constrained[live], f.net_worth(live)
    fifth = np.digitize(worth, np.quantile(worth, [0.2, 0.4, 0.6, 0.8]))
    print(f"at {theta}, seed 1001, end of the burn-in: {c.mean():.3f} of firms constrained")
    print(
        f"  median net return, % a month: constrained {np.median(r[c]):.2f}, others "
        f"{np.median(r[~c]):.2f}"
    )
    print(
        "  share constrained by net-worth fifth, poorest first: "
        + ", ".join(f"{c[fifth == k].mean():.3f}" for k in range(5))
    )


if __name__ == "__main__":
    main()
