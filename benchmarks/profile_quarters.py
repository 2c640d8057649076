"""Where a quarter's time goes: a cProfile of the baseline cluster and a per-phase split.

    python benchmarks/profile_quarters.py [--firms 360] [--burn-in 160] [--horizon 40] [--top 20]

Two measurements, both in CPU time (``time.process_time``, which a shared machine disturbs
less than the wall clock), each over a fresh model of ``scenarios/baseline.toml``:

1. each phase of ``ClusterModel.step`` timed on its own (no profiler): milliseconds a quarter;
2. cProfile of the whole run, the ``--top`` entries by own time (the profiler inflates
   Python-level calls, so read the shares, not the totals).

The recorded profiles in benchmarks/results/ are its second part.  A benchmark that prints,
never a timed test.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import io
import pstats
import time
from pathlib import Path

from clustersim.economy.model import ClusterModel
from clustersim.inputs.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]

#: The actors' phases as ClusterModel.before_trade / after_trade call them.
PHASES = {
    "firms": (
        "hear_of_schemes",
        "draw_productivity_shocks",
        "plan",
        "invest",
        "receive_test_results",
        "settle_accounts",
        "pay_owners",
    ),
    "markets": ("apply_shocks", "clear"),
    "government": ("open_schemes", "deliver_support", "settle_with_centre"),
    "bank": ("lend", "settle_cash_credit", "classify_accounts", "settle_with_head_office"),
    "moneylender": ("lend", "cover_shortfalls", "pay_out_income"),
    "facilities": ("serve",),
    "demography": ("close_firms", "admit_entrants"),
    "households": ("consume",),
    "series": ("record",),
}


def model_for(firms: int, burn_in: int, horizon: int) -> ClusterModel:
    scenario = load_scenario(
        ROOT / "scenarios" / "baseline.toml",
        {"run": {"burn_in": burn_in, "horizon": horizon}, "cluster": {"n_firms": firms}},
    )
    return ClusterModel(scenario, seed=scenario.params.run.seed)


def phase_split(firms: int, burn_in: int, horizon: int) -> str:
    """CPU milliseconds a quarter in each phase, largest first."""
    model = model_for(firms, burn_in, horizon)
    spent: collections.Counter = collections.Counter()

    def timed(actor, name):
        method = getattr(actor, name)

        def phase(*args, **kwargs):
            start = time.process_time()
            result = method(*args, **kwargs)
            spent[f"{type(actor).__name__}.{name}"] += time.process_time() - start
            return result

        setattr(actor, name, phase)

    for attribute, names in PHASES.items():
        for name in names:
            timed(getattr(model, attribute), name)
    start = time.process_time()
    model.run()
    quarters = burn_in + horizon
    total = (time.process_time() - start) / quarters
    lines = [f"per-phase CPU time, {firms} firms, {quarters} quarters: {1000 * total:.3f} ms"]
    for label, seconds in spent.most_common():
        share = seconds / quarters / total
        lines.append(f"  {label:<34} {1000 * seconds / quarters:7.3f} ms  {100 * share:5.1f} %")
    rest = total - sum(spent.values()) / quarters  # the books opened and closed, the schedule
    lines.append(f"  {'(the rest)':<34} {1000 * rest:7.3f} ms  {100 * rest / total:5.1f} %")
    return "\n".join(lines)


def profile(firms: int, burn_in: int, horizon: int, top: int) -> str:
    """cProfile (CPU time) of a whole run: the ``top`` entries by own time."""
    start = time.process_time()
    model = model_for(firms, burn_in, horizon)
    setup = time.process_time() - start
    profiler = cProfile.Profile(time.process_time)
    start = time.process_time()
    profiler.enable()
    model.run()
    profiler.disable()
    run = time.process_time() - start
    quarters = burn_in + horizon
    out = io.StringIO()
    out.write(
        f"{firms} firms, {quarters} quarters ({burn_in} of burn-in); CPU time: setup "
        f"{setup:.2f}s  run {run:.2f}s  per quarter {1000 * run / quarters:.1f} ms  per "
        f"firm-quarter {1e6 * run / quarters / firms:.2f} us (under the profiler)\n"
    )
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue().replace(f"{ROOT}/", "")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--firms", type=int, default=360)
    parser.add_argument("--burn-in", type=int, default=160)
    parser.add_argument("--horizon", type=int, default=40)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    print(phase_split(args.firms, args.burn_in, args.horizon))
    print()
    print(profile(args.firms, args.burn_in, args.horizon, args.top))


if __name__ == "__main__":
    main()
