"""Clusters that make one product sell in one national market (issue 15): limit cases, symmetry
and the displacement between clusters that clusters simulated apart cannot see."""

from __future__ import annotations

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


def _pair(treated: bool):
    """Two clusters of one product; the second gets the holistic package or nothing."""
    first = small_model("baseline.toml", seed=4, burn_in=6, horizon=8)
    second = small_model(
        "holistic_spv.toml" if treated else "baseline.toml", seed=5, burn_in=6, horizon=8
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


def test_clusters_that_do_not_share_their_market_settings_cannot_share_a_market():
    first = small_model("baseline.toml", seed=1, burn_in=2, horizon=2)
    other = small_model("baseline.toml", seed=1, burn_in=2, horizon=2, market={"tariff": 0.2})
    with pytest.raises(ValueError, match="must share market"):
        NationalMarket([first, other])


def test_a_cluster_of_a_national_market_cannot_be_stepped_alone():
    member = small_model("baseline.toml", seed=1, burn_in=2, horizon=2)
    NationalMarket([member])
    with pytest.raises(RuntimeError, match="national market"):
        member.step()
