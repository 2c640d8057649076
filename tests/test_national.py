"""The national experiment: real clusters from the data, synthetic ones to the total,
each with and without the scheme's package, summed up by state."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from clustersim import api
from clustersim.analysis.national import national_summary
from clustersim.experiments.engines import FAULT_ENV
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
    assert len(runs) == 20  # each cluster with and without the package, in its market and apart
    pairs = {}
    for run in runs:
        pairs.setdefault(run.point, set()).add(run.seed)
    assert all(len(seeds) == 1 for seeds in pairs.values())  # all four arms: one seed a cluster


def test_the_clusters_of_a_product_step_together_and_each_also_alone(national):
    experiment = load_national(national)
    by_market = {}
    for run in experiment.iter_runs():
        by_market.setdefault(run.market, []).append(run)
    alone = by_market.pop("")
    assert {run.package for run in alone} == {"baseline_apart", "scheme_apart"}
    products = {c.index: c.archetype for c in experiment.clusters}
    for market, runs in by_market.items():
        assert len({run.package for run in runs}) == 1  # one package a market task
        assert {products[run.point] for run in runs} == {market.split("__")[0]}
        assert len(runs) == sum(a == market.split("__")[0] for a in products.values())


def test_the_scheme_budget_follows_cluster_size(national):
    experiment = load_national(national)
    by_point = {r.point: r for r in experiment.runs() if r.package == "scheme"}
    small, large = experiment.clusters[2], experiment.clusters[0]  # 30 and 60 firms
    assert by_point[large.index].overrides["interventions.cfc"]["capex_cr"] == pytest.approx(
        2 * by_point[small.index].overrides["interventions.cfc"]["capex_cr"]
    )
    # so do the places a quarter of a scheme with a queue
    seats = [
        by_point[c.index].overrides["interventions.skills_training"]["seats_per_quarter"]
        for c in (small, large)
    ]
    assert seats[1] == pytest.approx(2 * seats[0])


def test_national_sweep_and_summary(national, tmp_path):
    out = tmp_path / "out"
    manifest = api.sweep(national, out, workers=2)
    assert len(manifest) == 20 and set(manifest["status"]) == {"ok"}
    result = national_summary(out)
    clusters, totals = result["clusters"], result["national"].iloc[0]
    states, products = result["states"], result["products"]
    assert sorted(products["product"]) == sorted(set(clusters["product"]))
    assert len(clusters) == 5 and totals["real_clusters"] == 3
    for key in ("jobs_effect", "jobs_effect_apart", "jobs_net_effect", "outside_jobs_effect"):
        assert totals[key] == pytest.approx(clusters[key].sum())
    # a product made by one cluster only: its market is the cluster alone, byte for byte
    single = clusters.groupby("product")["point"].transform("size") == 1
    assert single.any()
    assert (clusters.loc[single, "apart_minus_national"] == 0.0).all()
    assert (clusters.loc[~single, "apart_minus_national"] != 0.0).all()
    assert (
        totals["public_cost_cr"] == pytest.approx(states["public_cost_cr"].sum())
        and totals["public_cost_cr"] > 0
    )
    assert set(states["state"]) == {"Punjab", "Gujarat", "synthetic"}
    text = (out / "national_summary.md").read_text()
    assert "one national market" in text and "By product" in text and "By state" in text
    written = pd.read_csv(out / "national_clusters.csv")
    named = set(written["name"])
    assert {"Alpha", "Beta", "Gamma"} <= named
    assert not any(name.startswith("Synthetic") for name in named)  # by archetype and state
    assert written.loc[written["synthetic"], "name"].str.endswith("(illustrative)").all()
    assert pd.read_csv(out / "national_by_state.csv").shape[0] == 3
    done = subprocess.run(
        [sys.executable, "-m", "clustersim", "compare", out, "--quiet"], capture_output=True
    )
    assert done.returncode == 0 and (out / "national.png").stat().st_size > 10_000


@pytest.mark.slow
def test_national_markets_give_the_same_results_on_dask(national, tmp_path):
    distributed = pytest.importorskip("distributed")
    api.sweep(national, tmp_path / "local", workers=2)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        manifest = api.sweep(national, tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert set(manifest["status"]) == {"ok"} and len(manifest) == 20

    def frames(out):
        return api.results(out).sort_values(["run_id", "step"], ignore_index=True)

    pd.testing.assert_frame_equal(frames(tmp_path / "local"), frames(tmp_path / "dask"))


@pytest.mark.slow
def test_a_national_sweep_cut_short_resumes_each_market_whole(national, tmp_path):
    """A market with some runs finished is run whole again (its clusters step together) and
    only its missing runs are written: the results are those of a sweep never cut."""
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    api.sweep(national, whole, workers=2)
    api.sweep(national, cut, workers=2)
    coupled = sorted(p for p in (cut / "runs").glob("*.parquet") if "_apart" not in p.name)
    lost = coupled[: len(coupled) // 2]
    for path in lost:
        path.unlink()
        (cut / "firms" / path.name).unlink()
    manifest = api.sweep(national, cut, workers=2, resume=True)
    assert set(manifest["status"]) == {"ok"} and len(manifest) == 20
    pd.testing.assert_frame_equal(
        api.results(whole).sort_values(["run_id", "step"], ignore_index=True),
        api.results(cut).sort_values(["run_id", "step"], ignore_index=True),
    )


def test_a_cluster_that_fails_fails_its_whole_market_and_the_sweep_goes_on(
    national, tmp_path, monkeypatch
):
    experiment = load_national(national)
    victim = next(run for run in experiment.iter_runs() if run.market.endswith("__scheme__r0000"))
    market = [run.run_id for run in experiment.iter_runs() if run.market == victim.market]
    monkeypatch.setenv(FAULT_ENV, f"raise:{victim.run_id}")
    manifest = api.sweep(national, tmp_path / "out", workers=2).set_index("run_id")
    failed = set(manifest.index[manifest["status"] == "failed"])
    assert failed == set(market) and len(manifest) == 20
    assert manifest.loc[list(failed), "error"].str.contains("injected failure").all()


def test_clusters_apart_is_the_design_before_national_markets(national, tmp_path):
    text = national.read_text().replace('kind = "national"', 'kind = "national"\nmarket = "apart"')
    national.write_text(text)
    experiment = load_national(national)
    assert experiment.package_names == ["baseline", "scheme"]
    assert not any(run.market for run in experiment.iter_runs())


def test_the_shipped_national_experiment_has_200_clusters_with_all_69_real_ones():
    experiment = load_national(ROOT / "experiments" / "national_200_clusters.toml")
    assert (
        len(experiment.clusters) == 200 and sum(not c.synthetic for c in experiment.clusters) == 69
    )
