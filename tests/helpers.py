"""Small, fast versions of the shipped scenarios for tests."""

from __future__ import annotations

from pathlib import Path

from clustersim.model import ClusterModel
from clustersim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"

def small_overrides(n_firms=60, burn_in=8, horizon=8, **sections):
    """Overrides that shrink a scenario for tests; extra sections merge in."""
    over = {"run": {"burn_in": burn_in, "horizon": horizon}, "cluster": {"n_firms": n_firms}}
    for section, values in sections.items():
        over.setdefault(section.replace("__", "."), {}).update(values)
    return over


def small_model(name="baseline.toml", seed=1, **kwargs) -> ClusterModel:
    scenario = load_scenario(SCENARIOS / name, small_overrides(**kwargs))
    return ClusterModel(scenario, seed=seed)


def run_small(name="baseline.toml", seed=1, **kwargs) -> ClusterModel:
    model = small_model(name, seed, **kwargs)
    model.run()
    return model
