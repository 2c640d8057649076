"""The import-dependence question: a shock to the world price of imported materials, and the
exchange rate, act through the price of materials; a cluster that imports nothing is insulated."""

from __future__ import annotations

import pytest

from clustersim.economy.model import ClusterModel
from clustersim.economy.reporters import ECONOMY_COLUMNS
from helpers import SCENARIOS

QUICK = {"run.burn_in": 12, "run.horizon": 12, "cluster.n_firms": 50, "run.grid_width": 20}


def run(scenario, seed=2, **settings):
    model = ClusterModel(SCENARIOS / f"{scenario}.toml", seed=seed, **QUICK, **settings)
    model.run()
    return model


def test_an_import_price_that_does_not_move_changes_nothing():
    same = run("import_price_shock", **{"market.shocks": [{"quarter": 4, "import_price": 1.0}]})
    base = run("baseline")
    for column in ECONOMY_COLUMNS:
        assert same.series.column(column) == base.series.column(column), column


def test_a_cluster_that_imports_nothing_is_insulated_from_the_import_price():
    local = {"materials.imported_share": 0.0}
    shocked, base = run("import_price_shock", **local), run("baseline", **local)
    for column in ECONOMY_COLUMNS:
        assert shocked.series.column(column) == base.series.column(column), column


def test_the_shock_raises_the_price_of_materials_by_the_imported_share():
    model = run("import_price_shock")
    share, markets = model.p.materials.imported_share, model.markets
    assert markets.import_price == 1.4
    assert markets.material_price() == pytest.approx(1.0 - share + share * 1.4)
    assert markets.imported_share_of_materials() == pytest.approx(
        share * 1.4 / (1.0 - share + share * 1.4)
    )
    before = model.series.column("imported_input_share")[model.burn_in + 2]
    after = model.series.column("imported_input_share")[-1]
    assert before == pytest.approx(share) and after > before
    # dearer materials: less value added per worker than the same cluster and seed without it
    base = run("baseline")
    assert model.series.column("productivity")[-1] < base.series.column("productivity")[-1]
