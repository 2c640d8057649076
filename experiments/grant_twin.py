"""What a cash grant does to the micro firms that get it: the de Mel trial beside its twin.

The validation trial (``returns_to_capital_micro``: one quarter's profit in cash to a random
half of the micro firms at policy quarter 0, outcomes four quarters later) is run twice for
each seed: with the grant, and with a grant of zero (``trial.grant_quarters_of_profit = 0``).
The trial draws its own stream, so both runs treat the same firms; the twin is a placebo trial
with the very same assignment.  Printed:

- the trial's pooled ANCOVA estimates (as ``clustersim validate`` reports them), for the grant
  and for the placebo: what they share is the luck of the assignment, not the grant;
- the grant's effect measured without that luck: each treated firm with the grant less the same
  firm without it (same seed, same assignment), averaged, with its standard error across seeds
  (the firms of one cluster share its markets, so a seed, not a firm, is the independent unit),
  among the treated firms operating in both runs (how many closed in either run is printed).

    python experiments/grant_twin.py [--seeds 20] [--first 1]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from clustersim.experiments.trials import pooled, records_frame
from clustersim.experiments.validate import _run

TRIAL = {"treatment": "grant", "share": 0.5, "eligible": ["micro"], "quarter": 0, "follow_up": 4}
OUTCOMES = ("sales", "profit", "capital", "monthly_return_on_grant", "survival")


def trial_frame(seeds, grant_quarters: float) -> pd.DataFrame:
    """The trial's firm records over ``seeds`` with a grant of ``grant_quarters`` of profit."""
    trial = {**TRIAL, "grant_quarters_of_profit": grant_quarters}
    return pd.concat(
        [
            records_frame(_run({"trial": trial, "run": {"horizon": 6}}, seed)).assign(
                replicate=seed
            )
            for seed in seeds
        ],
        ignore_index=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--first", type=int, default=1)
    args = parser.parse_args()
    seeds = range(args.first, args.first + args.seeds)
    grant, placebo = trial_frame(seeds, 1.0), trial_frame(seeds, 0.0)
    assert (
        grant[["replicate", "slot", "treated"]] == placebo[["replicate", "slot", "treated"]]
    ).all(axis=None), "the twin runs must treat the same firms"
    # the placebo is scored per rupee of the grant each firm would have had
    placebo["grant"] = placebo["treatment_lakh"] = np.where(grant["treated"], grant["grant"], 0.0)
    columns = ["outcome", "itt_ancova", "ancova_ci_low", "ancova_ci_high"]
    for name, frame in (("grant", grant), ("placebo (no grant, same assignment)", placebo)):
        table = pooled(frame)
        print(f"{name}, seeds {seeds.start}-{seeds.stop - 1}:")
        print(table[table["outcome"].isin(OUTCOMES)][columns].round(2).to_string(index=False))
    treated = grant["treated"].to_numpy()
    both = treated & (grant["alive_after"] == 1).to_numpy() & (placebo["alive_after"] == 1)
    mean_grant = grant.loc[treated, "grant"].mean()
    print(
        f"\ntreated firms with the grant less the same firms without it ({both.sum()} firms, "
        f"mean grant {mean_grant:.2f} lakh; closed in either run: {(treated & ~both).sum()}):"
    )
    seed = grant["replicate"][both]

    def clustered_se(change: pd.Series) -> float:
        """Standard error of the firms' mean change, with the seed as the cluster: the spread of
        the seeds' sums around their share of the mean."""
        sums = change.groupby(seed).sum()
        counts = change.groupby(seed).size()
        residual = sums - change.mean() * counts
        g = len(sums)
        return float(np.sqrt(g / (g - 1) * (residual**2).sum()) / len(change)) if g > 1 else np.nan

    for outcome in ("sales", "profit", "capital", "workers"):
        change = (grant[f"{outcome}_after"] - placebo[f"{outcome}_after"])[both]
        level = placebo[f"{outcome}_after"][both].mean()
        se = clustered_se(change)
        unit = "workers" if outcome == "workers" else "lakh"
        print(
            f"  {outcome:8s} {change.mean():+.3f} {unit} (se {se:.3f}),"
            f" {100 * change.mean() / level:+.2f} % of its level; lower for "
            f"{100 * (change < -0.01 * placebo[f'{outcome}_after'][both].abs()).mean():.1f} % of "
            "firms by more than 1 %"
        )
    profit = (grant["profit_after"] - placebo["profit_after"])[both]
    scale = 100 / mean_grant / 3.0
    print(
        f"  monthly return on the grant: {scale * profit.mean():+.2f} % a month "
        f"(se {scale * clustered_se(profit):.2f}, clustered by seed)"
    )


if __name__ == "__main__":
    main()
