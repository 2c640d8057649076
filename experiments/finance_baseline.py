"""Who is credit-constrained in the baseline, and what capital earns there.

At the end of the burn-in of the engineering baseline (several seeds), the net marginal return
on capital (marginal revenue product at the firm's plan less depreciation, % a month) by
net-worth quintile, by age, by size class and by whether the firm is constrained, beside the bank's
rate; the share of firms constrained in each group; and,
over the policy period, the NPA ratio, the annual default rate of bank borrowers and the share of
firms with a bank loan against their targets (clustersim/data/targets.toml).  Medians of groups,
means over seeds.

    python experiments/finance_baseline.py [--seeds 5]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from clustersim.economy.agents.msme import MSME, SIZE_CLASS_NAMES
from clustersim.economy.model import ClusterModel
from clustersim.experiments.stylised_facts import policy_mean

ROOT = Path(__file__).resolve().parents[1]


def net_return(model) -> np.ndarray:
    """Net marginal return on capital, % a month, of each operating firm (the formula of
    clustersim.experiments.stylised_facts.return_gap_by_net_worth)."""
    f, live, tech = model.firms, model.firms.live(), model.technology
    mrpk = tech.beta * (tech.rho * f.sales[live] - f.materials[live]) / f.capital[live]
    return 100.0 * (mrpk - model.rates.depreciation) / 3.0


def groups(model) -> dict[str, np.ndarray]:
    f, live = model.firms, model.firms.live()
    worth = f.net_worth(live)
    quintile = np.digitize(worth, np.quantile(worth, [0.2, 0.4, 0.6, 0.8]))
    age = (model.steps - f.entry_step[live]) / 4.0
    size = MSME.size_class_index(f.capital[live], 4.0 * f.sales[live])
    out = {f"net worth quintile {q + 1}": quintile == q for q in range(5)}
    for lo, hi, name in ((0, 2, "age < 2 years"), (2, 10, "age 2-10"), (10, 1e9, "age >= 10")):
        out[name] = (age >= lo) & (age < hi)
    for k, name in enumerate(SIZE_CLASS_NAMES):
        out[name] = size == k
    constrained = f.credit_constrained[live]
    out["constrained firms"], out["unconstrained firms"] = constrained, ~constrained
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    rows: dict[str, list[tuple[float, float, int]]] = {}
    series = {"npa_ratio": [], "default_rate": [], "formal_loan_share": [], "constrained": []}
    for seed in range(1, args.seeds + 1):
        model = ClusterModel(ROOT / "scenarios" / "baseline.toml", seed=seed)
        model.run(model.burn_in)
        r, constrained = net_return(model), model.firms.credit_constrained[model.firms.live()]
        series["constrained"].append(float(constrained.mean()))
        for name, mask in groups(model).items():
            if mask.any():
                rows.setdefault(name, []).append(
                    (float(np.median(r[mask])), float(constrained[mask].mean()), int(mask.sum()))
                )
        model.run(model.n_steps - model.steps)
        series["npa_ratio"].append(policy_mean(model, "npa_ratio"))
        series["default_rate"].append(4.0 * policy_mean(model, "default_rate"))
        series["formal_loan_share"].append(policy_mean(model, "formal_loan_share"))
    print(f"end of the burn-in, {args.seeds} seeds (means over seeds of group medians)")
    print(f"{'group':<22} {'net return % a month':>21} {'constrained':>12} {'firms':>6}")
    for name, values in rows.items():
        ret, con, n = (np.mean([v[i] for v in values]) for i in range(3))
        print(f"{name:<22} {ret:21.2f} {con:12.2f} {n:6.0f}")
    print(f"share of firms constrained: {np.mean(series['constrained']):.3f}")
    bank = 100.0 * model.rates.formal_rate / 3.0  # quarterly rate, a month as net_return
    print(
        f"the bank's rate, for comparison: {bank:.2f} % a month (unconstrained firms should earn "
        "about their cost of funds, constrained ones more: targets.toml credit_constraint_returns)"
    )
    print("policy period, means over seeds (targets: NPA 3-12 %, bank loans 10-30 % of firms)")
    for name in ("npa_ratio", "default_rate", "formal_loan_share"):
        print(f"  {name}: {np.mean(series[name]):.4f}")


if __name__ == "__main__":
    main()
