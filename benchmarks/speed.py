"""How fast is clustersim?  Firm-quarters against Mesa's Boltzmann wealth example.

    python benchmarks/speed.py [--reps 3] [--steps 40] [--sizes 360 500 2000 10000 50000]

Each measurement runs in a fresh interpreter.  For every size the two models
are run interleaved (clustersim, Boltzmann, clustersim, Boltzmann, ...) and
medians are reported, so a busy machine slows both alike.  clustersim runs
``scenarios/baseline.toml`` with no burn-in and ``--steps`` quarters; the
Boltzmann model is ``mesa.examples.basic.boltzmann_wealth_model`` as shipped
(its own data collection, a 100 x 100 grid) for the same number of steps.
360 firms is the default cluster.  Reported apart: interpreter start, imports,
set-up, the model's own time per quarter, output writing, and peak memory per
firm.  Each model's time is measured twice: wall-clock, and the CPU time of its
process (``time.process_time``), which a machine shared with other work
disturbs less; ``ratio`` is wall against wall, ``cpu ratio`` CPU against CPU.
The last lines are ``firm_quarter_vs_boltzmann_step=R`` at 10,000 (wall) and
the same in CPU time: R > 1 means a firm-quarter is cheaper than a Boltzmann
agent-step.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CLUSTERSIM = r"""
import json, resource, sys, tempfile, time
t0 = time.perf_counter()
from clustersim.economy.model import ClusterModel
from clustersim.inputs.scenario import load_scenario
from clustersim.views import output
t1 = time.perf_counter()
rss_imports = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
n, steps = int(sys.argv[1]), int(sys.argv[2])
scenario = load_scenario(
    sys.argv[3], {"run": {"burn_in": 0, "horizon": steps}, "cluster": {"n_firms": n}}
)
model = ClusterModel(scenario, seed=scenario.params.run.seed)
t2, c2 = time.perf_counter(), time.process_time()
model.run()
t3, c3 = time.perf_counter(), time.process_time()
with tempfile.TemporaryDirectory() as out:
    output.write_timeseries(model, f"{out}/t.csv")
    output.write_firms(model, f"{out}/f.csv")
    output.write_flows(model, f"{out}/x.csv")
t4 = time.perf_counter()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"imports": t1 - t0, "setup": t2 - t1, "run": t3 - t2, "cpu": c3 - c2,
                  "output": t4 - t3, "peak_mb": rss / 1024,
                  "model_mb": (rss - rss_imports) / 1024}))
"""

BOLTZMANN = r"""
import json, sys, time
from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth
n, steps = int(sys.argv[1]), int(sys.argv[2])
t1 = time.perf_counter()
model = BoltzmannWealth(BoltzmannScenario(n=n, width=100, height=100, rng=1))
t2, c2 = time.perf_counter(), time.process_time()
for _ in range(steps):
    model.step()
t3, c3 = time.perf_counter(), time.process_time()
print(json.dumps({"setup": t2 - t1, "run": t3 - t2, "cpu": c3 - c2}))
"""


def measure(code: str, *args) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def interpreter_start(reps: int) -> float:
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def whole_run(reps: int) -> dict:
    """`clustersim run scenarios/baseline.toml` as a user feels it, with the CLI's own split."""
    import re
    import tempfile

    walls, splits = [], []
    for _ in range(reps):
        with tempfile.TemporaryDirectory() as out:
            t = time.perf_counter()
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "clustersim",
                    "run",
                    str(ROOT / "scenarios" / "baseline.toml"),
                    "--out",
                    out,
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            walls.append(time.perf_counter() - t)
            line = next(x for x in result.stdout.splitlines() if x.startswith("Time:"))
            splits.append(
                {
                    k: float(v)
                    for k, v in re.findall(r"(imports|set-up|model|CSV|plots) ([0-9.]+) s", line)
                }
            )
    return {
        "wall": statistics.median(walls),
        **{k: statistics.median(s[k] for s in splits) for k in splits[0]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--sizes", type=int, nargs="+", default=[360, 500, 2000, 10000, 50000])
    args = parser.parse_args()
    scenario = ROOT / "scenarios" / "baseline.toml"
    start = interpreter_start(args.reps)
    ours: dict[int, list[dict]] = {n: [] for n in args.sizes}
    theirs: dict[int, list[dict]] = {n: [] for n in args.sizes}
    for _ in range(args.reps):
        for n in args.sizes:  # A B A B ...
            ours[n].append(measure(CLUSTERSIM, n, args.steps, scenario))
            theirs[n].append(measure(BOLTZMANN, n, args.steps))

    def med(runs, key):
        return statistics.median(r[key] for r in runs)

    print(
        f"interpreter start {start:.3f} s; "
        f"clustersim imports {med(ours[args.sizes[0]], 'imports'):.3f} s; "
        f"{args.steps} steps; medians of {args.reps} interleaved runs"
    )
    header = (
        f"{'firms':>7} {'set-up s':>9} {'model s':>8} {'ms/quarter':>11} {'us/firm-qtr':>12} "
        f"{'output s':>9} {'peak MB':>8} {'KB/firm':>8} {'Boltzmann us/agent-step':>24} "
        f"{'ratio':>6} {'cpu us/firm-qtr':>16} {'Boltzmann cpu us':>17} {'cpu ratio':>10}"
    )
    print(header)
    ratio_at, cpu_ratio_at = {}, {}
    for n in args.sizes:
        run, boltz = med(ours[n], "run"), med(theirs[n], "run")
        per_firm = run / args.steps / n * 1e6
        per_agent = boltz / args.steps / n * 1e6
        ratio_at[n] = per_agent / per_firm
        cpu_firm = med(ours[n], "cpu") / args.steps / n * 1e6
        cpu_agent = med(theirs[n], "cpu") / args.steps / n * 1e6
        cpu_ratio_at[n] = cpu_agent / cpu_firm
        print(
            f"{n:>7} {med(ours[n], 'setup'):>9.3f} {run:>8.3f} {1000 * run / args.steps:>11.2f} "
            f"{per_firm:>12.3f} {med(ours[n], 'output'):>9.3f} {med(ours[n], 'peak_mb'):>8.0f} "
            f"{1024 * med(ours[n], 'model_mb') / n:>8.2f} {per_agent:>24.3f} {ratio_at[n]:>6.2f} "
            f"{cpu_firm:>16.3f} {cpu_agent:>17.3f} {cpu_ratio_at[n]:>10.2f}"
        )
    whole = whole_run(args.reps)
    print(
        "clustersim run scenarios/baseline.toml (default size, burn-in + horizon): wall "
        f"{whole['wall']:.2f} s = interpreter {start:.2f} + imports {whole['imports']:.2f} + "
        f"set-up {whole['set-up']:.2f} + model {whole['model']:.2f} + CSV {whole['CSV']:.2f} + "
        f"plots {whole['plots']:.2f} (+ the rest)"
    )
    if 10000 in ratio_at:
        print(f"firm_quarter_vs_boltzmann_step={ratio_at[10000]:.2f}")
        print(f"firm_quarter_vs_boltzmann_step_cpu={cpu_ratio_at[10000]:.2f}")


if __name__ == "__main__":
    main()
