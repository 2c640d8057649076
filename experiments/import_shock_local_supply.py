"""How much of an import-price shock's or a rupee depreciation's damage a raw-material bank with
local supplier development takes off: the import-dependence question of the NICDC consultation
(March 2026), with the instrument it asked for (issue 17).

One sweep of the baseline, the bank alone (`scenarios/raw_material_bank.toml`), each shock
(`scenarios/import_price_shock.toml`: imported materials 40 % dearer from policy quarter 4;
`scenarios/rupee_depreciation.toml`: 25 % more rupees per unit of foreign currency) and each shock
in a cluster with the bank (`*_with_bank.toml`), 20 paired replicates sharing their histories.
For each replicate r, at the horizon:

    damage without the bank  = shock_r - baseline_r
    damage with the bank     = (shock + bank)_r - bank_r
    what the bank takes off  = damage with - damage without

with 95 % t intervals across replicates (Monte Carlo noise only; the effect parameters at their
defaults).  ``--capacity`` sets the bank's capacity (Rs crore of materials a quarter; several give
several sweeps), ``--on-time`` builds it with no delay (completion chance 1, no lag) instead of as
delivered (the MSE-CDP completion record: about half open within ten years); ``--local-supply``
sets the share of its imports that local suppliers replace (default 0.3, prior 0-0.6).  The
shocks hit the cluster alone and domestic materials' price does not move with world prices
(docs/ODD.md §7.5, §7.20), so local supply insulates fully: an upper bound on what it takes off.

    python experiments/import_shock_local_supply.py [--capacity 10 60] [--on-time] \
        [--local-supply 0.6] [--replicates 20] [--workers 2]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from scipy import stats

from clustersim import api

ROOT = Path(__file__).resolve().parents[1]
OUTCOMES = ("productivity", "jobs", "jobs_net", "export_share", "imported_input_share")
SHOCKS = ("import_price_shock", "rupee_depreciation")
PACKAGES = ("raw_material_bank", *SHOCKS, *(f"{shock}_with_bank" for shock in SHOCKS))


def experiment(folder: Path, replicates: int) -> Path:
    """The baseline, the bank alone, the shocks, and the shocks with the bank."""
    scenarios = ROOT / "scenarios"
    path = folder / "local_supply.toml"
    lines = [
        'title = "import shocks and local supply"',
        f'baseline = "{scenarios / "baseline.toml"}"',
        f"replicates = {replicates}",
        "seed = 20261129",
        "[packages]",
        *(f'{name} = "{scenarios / (name + ".toml")}"' for name in PACKAGES),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def at_horizon(out: Path) -> dict[str, dict[str, np.ndarray]]:
    """Each package's outcomes at the horizon, one value per replicate (in replicate order)."""
    series = api.results(out)
    last = series[series.quarter == series.quarter.max()].sort_values("replicate")
    return {
        package: {outcome: rows[outcome].to_numpy() for outcome in OUTCOMES}
        for package, rows in last.groupby("package")
    }


def interval(values: np.ndarray) -> str:
    mean = float(np.mean(values))
    if len(values) < 2:
        return f"{mean:+9.2f}"
    half = stats.t.ppf(0.975, len(values) - 1) * np.std(values, ddof=1) / np.sqrt(len(values))
    return f"{mean:+9.2f} ({mean - half:+.2f} to {mean + half:+.2f})"


def report(values, capacity: float) -> None:
    base, bank = values["baseline"], values["raw_material_bank"]
    for shock in SHOCKS:
        hit, both = values[shock], values[f"{shock}_with_bank"]
        print(f"\n{shock}, bank of Rs {capacity:g} crore a quarter")
        for outcome in OUTCOMES:
            scale = 100.0 / base[outcome] if outcome == "productivity" else 1.0
            without = (hit[outcome] - base[outcome]) * scale
            with_bank = (both[outcome] - bank[outcome]) * scale
            print(
                f"  {outcome:<22} without {interval(without):<32} with {interval(with_bank):<32}"
                f" taken off {interval(with_bank - without)}"
            )
    print("  the bank alone, against the baseline:")
    for outcome in OUTCOMES:
        scale = 100.0 / base[outcome] if outcome == "productivity" else 1.0
        print(f"  {outcome:<22} {interval((bank[outcome] - base[outcome]) * scale)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--capacity", type=float, nargs="+", default=[10.0])
    parser.add_argument("--on-time", action="store_true", help="build the bank with no delay")
    parser.add_argument("--local-supply", type=float, default=None, help="imports replaced locally")
    parser.add_argument("--replicates", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="clustersim-local-supply-") as tmp:
        path = experiment(Path(tmp), args.replicates)
        for capacity in args.capacity:
            out = Path(tmp) / f"out_{capacity:g}"
            overrides = {"interventions.raw_material_bank.capacity_cr": capacity}
            if args.local_supply is not None:
                overrides["interventions.raw_material_bank.local_supply_share"] = args.local_supply
            if args.on_time:
                overrides |= {"governance.spv_lag": 0, "governance.spv_completion_rate": 1.0}
            api.sweep(path, out, workers=args.workers, overrides=overrides)
            report(at_horizon(out), capacity)
    print(
        "\nproductivity in % of the baseline, jobs and net jobs in workers, export and imported"
        " shares as shares; 95 % t intervals over paired replicates (Monte Carlo noise only)"
    )


if __name__ == "__main__":
    main()
