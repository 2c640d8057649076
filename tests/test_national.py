"""The national experiment: real clusters from the data, synthetic ones to the total,
each with and without the scheme's package, summed up by state."""

from __future__ import annotations

import pandas as pd
import pytest

from clustersim import api
from clustersim.analysis.national import national_summary
from clustersim.experiments.national import load_national
from helpers import ROOT, SCENARIOS

DATA = """name,state,district,sector,units,employment,turnover_inr_cr,exports_inr_cr,year,source,\
archetype,reliability,notes
Alpha,Punjab,X,forging,60,1800,50,,2020,s,engineering_foundry,A,
Beta,Punjab,Y,knitwear,,,,,2020,s,textiles_apparel,B,
Gamma,Gujarat,Z,ceramics,30,300000,9000,,2020,s,ceramics_glass,C,
"""


@pytest.fixture
def national(tmp_path):
    (tmp_path / "clusters.csv").write_text(DATA, encoding="utf-8")
    path = tmp_path / "national.toml"
    path.write_text(
        f"""kind = "national"
title = "tiny national"
clusters = "clusters.csv"
total = 5
package = "{SCENARIOS / "holistic_spv.toml"}"
replicates = 1
seed = 3
horizon = 4
burn_in = 4
synthetic_seed = 2
[archetype_scenarios]
default = "{SCENARIOS / "baseline.toml"}"
textiles_apparel = "{SCENARIOS / "knitwear.toml"}"
""",
        encoding="utf-8",
    )
    return path


def test_clusters_come_from_the_data_then_synthetic_ones(national):
    experiment = load_national(national)
    names = [c.name for c in experiment.clusters]
    assert names[:3] == ["Alpha", "Beta", "Gamma"] and len(names) == 5
    alpha, beta, gamma = experiment.clusters[:3]
    assert (
        alpha.n_firms == 60 and alpha.overrides["cluster"]["mean_workers"] == 30.0
    )  # A-graded: from the data
    assert "imputed" in beta.reliability and beta.scenario.name == "knitwear.toml"
    assert (
        "mean_workers" not in gamma.overrides["cluster"]
    )  # C-graded, 10,000 workers a unit: not used
    assert all(c.synthetic for c in experiment.clusters[3:])
    runs = experiment.runs()
    assert len(runs) == 10
    pairs = {}
    for run in runs:
        pairs.setdefault(run.point, set()).add(run.seed)
    assert all(
        len(seeds) == 1 for seeds in pairs.values()
    )  # with and without the package: same seed


def test_the_scheme_budget_follows_cluster_size(national):
    experiment = load_national(national)
    by_point = {r.point: r for r in experiment.runs() if r.package == "scheme"}
    small, large = experiment.clusters[2], experiment.clusters[0]  # 30 and 60 firms
    assert by_point[large.index].overrides["interventions.cfc"]["capex_cr"] == pytest.approx(
        2 * by_point[small.index].overrides["interventions.cfc"]["capex_cr"]
    )


def test_national_sweep_and_summary(national, tmp_path):
    out = tmp_path / "out"
    manifest = api.sweep(national, out, workers=2)
    assert len(manifest) == 10 and set(manifest["status"]) == {"ok"}
    result = national_summary(out)
    clusters, totals, states = result["clusters"], result["national"].iloc[0], result["states"]
    assert len(clusters) == 5 and totals["real_clusters"] == 3
    assert totals["jobs_effect"] == pytest.approx(clusters["jobs_effect"].sum())
    assert (
        totals["public_cost_cr"] == pytest.approx(states["public_cost_cr"].sum())
        and totals["public_cost_cr"] > 0
    )
    assert set(states["state"]) == {"Punjab", "Gujarat", "synthetic"}
    text = (out / "national_summary.md").read_text()
    assert "Illustrative" in text and "By state" in text
    assert pd.read_csv(out / "national_by_state.csv").shape[0] == 3


def test_the_shipped_national_experiment_has_200_clusters_with_all_69_real_ones():
    experiment = load_national(ROOT / "experiments" / "national_200_clusters.toml")
    assert (
        len(experiment.clusters) == 200 and sum(not c.synthetic for c in experiment.clusters) == 69
    )
