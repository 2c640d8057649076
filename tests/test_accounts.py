"""Stock-flow consistency: every quarter's transaction-flow matrix sums to zero
along rows (each payment has a payer and a payee) and down columns (each sector's
flows add up to the change in the money it holds, measured from its stocks)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from clustersim.economy.accounts import SECTORS, Ledger
from clustersim.inputs.params import SCHEMES
from helpers import run_small


def assert_consistent(model):
    for step, matrix in enumerate(model.flow_matrices, start=1):
        scale = max(1.0, np.abs(matrix).max())
        assert np.allclose(matrix.sum(axis=1), 0.0, atol=1e-9 * scale), (
            f"a row does not sum to zero at step {step}"
        )
        columns = matrix.sum(axis=0)
        assert np.allclose(columns, 0.0, atol=1e-8 * scale), (
            f"step {step}: flows and money changes differ by "
            + ", ".join(
                f"{s} {c:.3g}"
                for s, c in zip(SECTORS, columns, strict=True)
                if abs(c) > 1e-8 * scale
            )
        )


def test_the_matrix_has_one_row_per_flow_and_a_money_row():
    model = run_small(horizon=2)
    assert model.flow_matrices[0].shape == (len(Ledger.row_names()), len(SECTORS))
    assert_consistent(model)


@settings(max_examples=12)
@given(
    n_firms=st.integers(5, 80),
    seed=st.integers(0, 2**31),
    package=st.sets(st.sampled_from(SCHEMES), max_size=len(SCHEMES)),
    governance=st.sampled_from(["spv", "government"]),
    lag=st.integers(0, 3),
    tariff=st.floats(0.0, 1.0),
    hiring_speed=st.floats(0.05, 1.0),
    shock_sd=st.floats(0.0, 0.3),
    credit_sales=st.floats(0.0, 1.0),
    late=st.floats(0.0, 1.0),
    never=st.floats(0.0, 1.0),
    stock=st.floats(0.0, 2.0),
)
def test_flows_sum_to_zero_in_every_quarter_of_drawn_scenarios(
    n_firms,
    seed,
    package,
    governance,
    lag,
    tariff,
    hiring_speed,
    shock_sd,
    credit_sales,
    late,
    never,
    stock,
):
    interventions = {f"interventions__{name}": {} for name in package}
    for facility in ("cfc", "testing_lab"):
        if facility in package:
            interventions[f"interventions__{facility}"] = {"governance": governance}
    model = run_small(
        "baseline.toml",
        seed=seed,
        n_firms=n_firms,
        burn_in=4,
        horizon=8,
        governance={"spv_lag": lag, "government_lag": lag},
        labour={"hiring_speed": hiring_speed},
        technology={"tfp_shock_sd": shock_sd},
        market={"shocks": [{"quarter": 2, "tariff": tariff}]},
        finance={
            "credit_sales_share": credit_sales,
            "late_payment_rate": late,
            "buyer_default_rate": never,
            "stock_quarters": stock,
        },
        **interventions,
    )
    assert_consistent(model)


def test_public_cost_is_the_governments_net_outlay():
    model = run_small("holistic_full.toml", horizon=8)
    government = SECTORS.index("government")
    transfer_row = Ledger.row_names().index("central_transfer")
    outlay = sum(m[transfer_row, government] for m in model.flow_matrices[model.burn_in :]) / 100.0
    assert model.government.public_cost_cr > 0
    assert np.isclose(model.government.public_cost_cr, outlay)


def test_export_promotion_pays_for_the_export_costs_it_takes_off_firms():
    """The cell's public cost is its running cost plus public_share_of_cut rupees for each rupee
    of export cost it takes off firms; the firms' side is the same at any share (a cost to the
    public purse, not a change in what firms face)."""

    def run(share):
        promotion = {"start_quarter": 0, "cost_cr": 0.4, "public_share_of_cut": share}
        return run_small(
            "export_promotion.toml", horizon=12, interventions__export_promotion=promotion
        )

    free, half, full = run(0.0), run(0.5), run(1.0)
    quarters = free.n_steps - free.burn_in
    assert np.isclose(free.government.public_cost_cr, 0.4 / 4 * quarters)
    bought_half = half.government.public_cost_cr - free.government.public_cost_cr
    bought_full = full.government.public_cost_cr - free.government.public_cost_cr
    assert bought_full > 0 and np.isclose(bought_half, bought_full / 2)
    assert np.array_equal(free.firms.sales, full.firms.sales)
