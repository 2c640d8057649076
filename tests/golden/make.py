"""Golden outputs: what the model wrote on a commit chosen as the reference.

``python tests/golden/make.py`` rewrites them (do it on purpose, in a commit of its own whose
message says why results moved, and record it in docs/ODD.md); ``tests/test_golden.py`` writes the
same outputs afresh and compares them byte for byte.  Runs go through the command line, the contract
that must keep working: full-length runs (burn-in and horizon as in each file) of five scenarios at
three seeds (timeseries, firms and flows CSV), and the comparison.csv of a small sweep.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCENARIOS = (
    "baseline",
    "holistic_full",
    "credit_guarantee",
    "from_firm_list",
    "export_shock_tariff",
)
SEEDS = (1, 2, 3)
FILES = ("timeseries.csv", "firms.csv", "flows.csv")
#: A small sweep: the baseline and two packages, 3 replicates of 30 firms, 4 + 4 quarters.
SWEEP = """title = "golden"
baseline = "{root}/scenarios/baseline.toml"
replicates = 3
seed = 5
horizon = 4
burn_in = 4
n_firms = 30
[packages]
holistic = "{root}/scenarios/holistic_spv.toml"
guarantee = "{root}/scenarios/credit_guarantee.toml"
"""


def _cli(*args) -> None:
    from clustersim.cli import main

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        status = main([str(a) for a in args])
    if status != 0:
        raise RuntimeError(f"clustersim {' '.join(map(str, args))} exited with {status}")


def produce(work: Path) -> dict[str, Path]:
    """Write every golden output afresh under ``work``; return {golden name: file written}."""
    out = {}
    for name in SCENARIOS:
        for seed in SEEDS:
            folder = work / f"{name}_seed{seed}"
            _cli(
                "run",
                ROOT / "scenarios" / f"{name}.toml",
                "--seed",
                seed,
                "--out",
                folder,
                "--no-plots",
                "--quiet",
            )
            for file in FILES:
                out[f"{name}_seed{seed}_{file}"] = folder / file
    experiment = work / "golden_sweep.toml"
    experiment.write_text(SWEEP.format(root=ROOT.as_posix()), encoding="utf-8")
    _cli("sweep", experiment, "--out", work / "sweep", "--workers", 1, "--no-progress")
    _cli("compare", work / "sweep", "--quiet")
    out["sweep_comparison.csv"] = work / "sweep" / "comparison.csv"
    return out


def golden_path(name: str) -> Path:
    return HERE / f"{name}.gz"


def main() -> int:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for name, path in produce(Path(tmp)).items():
            with gzip.GzipFile(golden_path(name), "wb", compresslevel=9, mtime=0) as fh:
                fh.write(path.read_bytes())
    print(
        f"wrote {len(SCENARIOS) * len(SEEDS) * len(FILES) + 1} golden files in {HERE}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
