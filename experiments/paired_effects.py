"""Paired effects of every scenario that extends the baseline, over seeds.

    python experiments/paired_effects.py [--seeds 10] [scenario.toml ...]

For each scenario and seed, the effect is the scenario's value minus the
baseline's with the same seed (common random numbers), at the horizon (mean
of the last four quarters).  Prints mean effects with 95 % t intervals.  The
full experiment engine (`clustersim sweep`) is a later issue; this script is
the quick, honest version used for the model's closing notes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clustersim.api import run_scenario, timeseries  # noqa: E402

OUTCOMES = ("productivity", "export_share", "jobs", "firms", "exporters", "credit_outstanding",
            "informal_credit_outstanding", "default_rate", "public_cost_cr")


def horizon_values(model) -> dict[str, float]:
    d = timeseries(model)
    tail = d.tail(4)
    out = {k: float(tail[k].mean()) for k in OUTCOMES}
    out["public_cost_cr"] = float(d["public_cost_cr"].iloc[-1])
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenarios", nargs="*", type=Path)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--baseline", type=Path, default=ROOT / "scenarios" / "baseline.toml")
    args = parser.parse_args()
    files = args.scenarios or sorted(p for p in (ROOT / "scenarios").glob("*.toml")
                                     if p.name != "baseline.toml" and 'extends = "' in p.read_text())
    seeds = range(1, args.seeds + 1)
    t0 = time.perf_counter()
    base = {s: horizon_values(run_scenario(args.baseline, seed=s)) for s in seeds}
    print(f"baseline at the horizon (mean of {args.seeds} seeds): "
          + ", ".join(f"{k}={np.mean([base[s][k] for s in seeds]):.4g}" for k in OUTCOMES[:3]))
    print(f"{'scenario':28s} {'productivity %':>16s} {'export share pts':>16s} {'jobs %':>16s} {'firms':>14s} "
          f"{'bank credit Rs cr':>18s} {'moneylender Rs cr':>18s} {'defaults /1000':>16s} {'cost Rs cr':>10s}")
    for path in files:
        diffs = {k: [] for k in OUTCOMES}
        for s in seeds:
            v = horizon_values(run_scenario(path, seed=s))
            for k in OUTCOMES:
                diffs[k].append(v[k] - base[s][k])

        def ci(k, scale, ref=None, diffs=diffs):
            x = np.array(diffs[k]) * scale
            if ref is not None:
                x = x / np.array([base[s][ref] for s in seeds])
            m = x.mean()
            h = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)) if len(x) > 1 else np.nan
            return f"{m:+7.2f} ±{h:5.2f}"

        print(f"{path.stem:28s} {ci('productivity', 100, 'productivity'):>16s} {ci('export_share', 100):>16s} "
              f"{ci('jobs', 100, 'jobs'):>16s} {ci('firms', 1):>14s} {ci('credit_outstanding', 1):>18s} "
              f"{ci('informal_credit_outstanding', 1):>18s} {ci('default_rate', 1000):>16s} {np.mean(diffs['public_cost_cr']):10.1f}")
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
