"""Clusters that make one product sell in one national market (issue 15): limit cases, symmetry
and the displacement between clusters that clusters simulated apart cannot see."""

from __future__ import annotations

import math

import numpy as np
import pytest

from clustersim.economy.national_market import NationalMarket
from clustersim.economy.reporters import COLUMN_NAMES
from helpers import small_model

SALES = list(COLUMN_NAMES).index("sales")


def _rows(model) -> np.ndarray:
    return np.array(model.series.rows, dtype=float)


def test_a_national_market_of_one_cluster_is_that_cluster_alone_byte_for_byte():
    alone = small_model("holistic_spv.toml", seed=4, burn_in=6, horizon=10)
    alone.run()
    member = small_model("holistic_spv.toml", seed=4, burn_in=6, horizon=10)
    NationalMarket([member]).run()
    assert member.steps == alone.steps
    assert np.array_equal(_rows(member), _rows(alone), equal_nan=True)


@pytest.mark.parametrize("copies", [2, 4])
def test_identical_clusters_in_one_market_each_behave_as_the_cluster_alone(copies):
    """The national index is the spending-weighted mean of the clusters' own terms, so copies of
    one cluster (same scenario, same seed) share the market exactly as one of them alone."""
    alone = small_model("baseline.toml", seed=2, burn_in=4, horizon=6)
    alone.run()
    members = [small_model("baseline.toml", seed=2, burn_in=4, horizon=6) for _ in range(copies)]
    NationalMarket(members).run()
    for member in members:
        assert np.array_equal(_rows(member), _rows(alone), equal_nan=True)


#: No TFP shocks, entry or chance exits: the displacement is not drowned by firms' histories.
SMOOTH = {
    "technology": {"tfp_shock_sd": 0.0},
    "dynamics": {"entry_candidates": 0.0, "exit_hazard": 0.0},
}


def _pair(treated: bool):
    """Two clusters of one product; the second gets the holistic package or nothing."""
    first = small_model("baseline.toml", seed=4, burn_in=6, horizon=8, **SMOOTH)
    second = small_model(
        "holistic_spv.toml" if treated else "baseline.toml", seed=5, burn_in=6, horizon=8, **SMOOTH
    )
    NationalMarket([first, second]).run()
    return first, second


def test_a_treated_cluster_takes_sales_from_the_other_cluster_of_its_product():
    """Business stealing between clusters: the treated cluster's gain lowers the product's price
    index, so the untreated cluster of the same product sells less than when neither is treated;
    apart, the untreated cluster would not notice."""
    first_none, second_none = _pair(treated=False)
    first_one, second_one = _pair(treated=True)
    policy = slice(first_none.burn_in, None)
    assert np.array_equal(
        _rows(first_none)[: first_none.burn_in], _rows(first_one)[: first_one.burn_in]
    )  # the same history before the policy
    assert first_one.markets.price_index < first_none.markets.price_index
    assert second_one.series.rows[-1][SALES] > second_none.series.rows[-1][SALES]
    assert _rows(first_one)[policy, SALES].sum() < _rows(first_none)[policy, SALES].sum()


def test_national_spending_adds_up_across_unequal_clusters_every_quarter():
    """Each cluster's segment need not add up alone, but national spending is every cluster's
    domestic sales plus outside producers' sales in every segment; and P, p_o and P*/P*_0 are
    common.  Two clusters of different size, market share and exports, one treated."""
    small = small_model("baseline.toml", seed=3, burn_in=4, horizon=6, n_firms=40)
    large = small_model(
        "holistic_spv.toml", seed=8, burn_in=4, horizon=6, n_firms=120,
        cluster={"domestic_market_share": 0.1, "export_market_share": 0.03},
    )  # fmt: skip
    market = NationalMarket([small, large])
    assert 0.0 < market.weights[0] < 0.5 and market.offsets[1] != 0.0
    for _ in range(small.n_steps):
        market.step()
        spending = sum(m.markets.spending for m in market.models)
        sold = sum(m.markets.domestic_sales + m.markets.outside_sales() for m in market.models)
        assert sold == pytest.approx(spending, rel=1e-9)
        assert small.markets.price_index == large.markets.price_index
        assert small.markets.outside_price == large.markets.outside_price
        relative = [m.markets.foreign_price_index / math.exp(m.markets.foreign_log_index_at_start)
                    for m in market.models]  # fmt: skip
        assert relative[0] == pytest.approx(relative[1], rel=1e-12)


def test_mesa_counts_every_quarter_of_a_cluster_in_a_national_market():
    members = [small_model("baseline.toml", seed=s, burn_in=2, horizon=3) for s in (1, 2)]
    market = NationalMarket(members)
    market.run()
    assert not market.running
    for member in members:
        assert member.steps == member.n_steps == len(member.series.rows)
        assert member.time == float(member.n_steps)


def test_clusters_that_do_not_share_their_market_settings_cannot_share_a_market():
    first = small_model("baseline.toml", seed=1, burn_in=2, horizon=2)
    other = small_model("baseline.toml", seed=1, burn_in=2, horizon=2, market={"tariff": 0.2})
    with pytest.raises(ValueError, match="must share market"):
        NationalMarket([first, other])
    longer = small_model("baseline.toml", seed=1, burn_in=2, horizon=3)
    with pytest.raises(ValueError, match="must share run.horizon"):
        NationalMarket([first, longer])


def test_a_cluster_of_a_national_market_cannot_be_stepped_alone():
    member = small_model("baseline.toml", seed=1, burn_in=2, horizon=2)
    NationalMarket([member])
    with pytest.raises(RuntimeError, match="national market"):
        member.step()
    assert member.series.rows == []  # nothing of the quarter was played
    with pytest.raises(ValueError, match="national market"):
        member.snapshot()
