"""How much an import-price shock and a rupee depreciation hurt a cluster, by how much of its
materials it imports: the import-dependence question of the NICDC consultation (March 2026).

For each imported share of materials (the cluster's own supply the rest), a sweep of the
baseline against `scenarios/import_price_shock.toml` (imported materials 40 % dearer from policy
quarter 4) and `scenarios/rupee_depreciation.toml` (25 % more rupees per unit of foreign
currency), 20 paired replicates (shared histories), and the effects at the horizon with 95 %
intervals.  A raw-material bank or local supplier development is not an instrument of the model
yet: here a lower imported share stands for a cluster that already buys more of its materials
locally.  The shocks hit the cluster alone: outside producers and foreign competitors do not
face them, and with near-commodity demand (sigma 8) market shares move fast, so the effects are
upper bounds (docs/ODD.md §7.5).

    python experiments/import_dependence.py [--shares 0.05 0.2 0.5] [--replicates 20] [--workers 2]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from clustersim import api

ROOT = Path(__file__).resolve().parents[1]
OUTCOMES = ("productivity", "jobs", "jobs_net", "export_share")
PACKAGES = ("import_price_shock", "rupee_depreciation")
#: productivity in % of the baseline; the others in their own units (workers, points)
MEASURE = {"productivity": "effect_at_horizon_pct"}


def experiment(folder: Path, replicates: int) -> Path:
    """The baseline and the two shocks (the imported share is set for all three by the sweep)."""
    scenarios = ROOT / "scenarios"
    path = folder / "imports.toml"
    lines = [
        'title = "import dependence"',
        f'baseline = "{scenarios / "baseline.toml"}"',
        f"replicates = {replicates}",
        "seed = 20261129",
        "outcomes = [" + ", ".join(f'"{o}"' for o in OUTCOMES) + "]",
        "[packages]",
        *(f'{name} = "{scenarios / (name + ".toml")}"' for name in PACKAGES),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shares", type=float, nargs="+", default=[0.05, 0.2, 0.5])
    parser.add_argument("--replicates", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"{'imported share':>14} {'package':<20} " + " ".join(f"{o:>26}" for o in OUTCOMES))
    with tempfile.TemporaryDirectory(prefix="clustersim-imports-") as tmp:
        path = experiment(Path(tmp), args.replicates)
        for share in args.shares:
            out = Path(tmp) / f"out_{share:g}"
            overrides = {"materials.imported_share": share}
            api.sweep(path, out, workers=args.workers, overrides=overrides)
            table = api.compare(out, write=False)["comparison"]
            for package in PACKAGES:
                cells = []
                for outcome in OUTCOMES:
                    measure = MEASURE.get(outcome, "effect_at_horizon")
                    pick = (table.package == package) & (table.outcome == outcome)
                    row = table[pick & (table.measure == measure)].iloc[0]
                    cells.append(f"{row.estimate:+9.2f} ({row.ci_low:+.2f} to {row.ci_high:+.2f})")
                print(f"{share:>14g} {package:<20} " + " ".join(f"{c:>26}" for c in cells))
    print("productivity in %, jobs and net jobs in workers, export share in points; 95 % CIs")


if __name__ == "__main__":
    main()
