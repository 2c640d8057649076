"""Interventions as delivered: facilities are completed late or not at all and ramp up; an SPV
pays its facility's running costs from fees or closes it; firms take part in training only when
it is worth their time; each scheme's take-up is a series."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from clustersim.economy.agents.spv import SPV
from clustersim.economy.facilities import NEVER, completion_delay
from clustersim.economy.model import ClusterModel
from clustersim.economy.queues import Queue
from clustersim.economy.reporters import COLUMN_NAMES, ECONOMY_COLUMNS
from clustersim.inputs.params import SCHEMES
from helpers import QUICK, SCENARIOS
from helpers import quick_run as run


def test_completion_delay_is_geometric_in_the_completion_chance():
    assert completion_delay(0.999, 1.0) == 0  # certain completion: no delay
    assert completion_delay(0.001, 0.0) == NEVER  # no chance: never
    draws = (np.arange(100_000) + 0.5) / 100_000  # evenly spread uniforms
    hazard = 0.1
    delays = np.array([completion_delay(u, hazard) for u in draws])
    assert delays.mean() == pytest.approx((1 - hazard) / hazard, rel=0.01)  # geometric mean
    assert np.mean(delays == 0) == pytest.approx(hazard, abs=1e-3)


def test_a_facility_never_completed_changes_nothing_but_its_capex():
    never = run("cfc", **{"governance.spv_completion_rate": 0.0})
    base = run("baseline")
    assert never.facilities.cfc.opens_step > never.n_steps
    for column in ECONOMY_COLUMNS:
        assert never.series.column(column) == base.series.column(column), column
    assert never.series.column("facilities_open") == [0] * len(never.series.rows)
    assert never.series.column("public_cost_cr")[-1] > 0  # the grant was paid at approval


def test_a_facility_ramps_up_to_its_uptime_after_it_opens():
    model = run(
        "cfc",
        **{
            "governance.spv_completion_rate": 1.0,
            "governance.ramp_up_quarters": 4,
            "governance.spv_closure_quarters": 400,  # its SPV does not give up in this test
        },
    )
    cfc = model.facilities.cfc
    shares = [cfc.service_share(cfc.opens_step + k) for k in range(-1, 6)]
    assert shares == pytest.approx(
        [0.0] + [cfc.uptime * q / 4 for q in (1, 2, 3, 4)] + [cfc.uptime] * 2
    )
    assert model.facilities.delays["cfc"] == 0


def test_training_is_taken_up_only_where_it_is_worth_the_time():
    # training that adds no skill is worth nothing: nobody gives it their time
    useless = run("skills_training", **{"interventions.skills_training.skill_gain": 0.0})
    base = run("baseline")
    assert max(useless.series.column("take_up_skills_training")) == 0.0
    for column in ECONOMY_COLUMNS:  # nobody takes part: nothing changes
        assert useless.series.column(column) == base.series.column(column), column
    costly = run("skills_training", **{"interventions.skills_training.application_cost_lakh": 10.0})
    free = run(
        "skills_training",
        **{
            "interventions.skills_training.application_cost_lakh": 0.0,
            "interventions.skills_training.days_per_trainee": 0.0,
        },
    )
    normal = run("skills_training")
    policy = slice(free.burn_in, None)
    take_up = [
        np.mean(m.series.column("take_up_skills_training")[policy]) for m in (free, normal, costly)
    ]
    assert take_up[0] >= take_up[1] >= take_up[2]  # dearer to take part: fewer take part
    assert take_up[0] > take_up[2]


def test_take_up_of_each_scheme_is_a_share_and_any_scheme_covers_them_all():
    model = run("holistic_full")
    for row in model.series.rows[model.burn_in :]:
        values = dict(zip(COLUMN_NAMES, row, strict=True))
        each = [values[f"take_up_{s}"] for s in SCHEMES]
        assert all(0.0 <= v <= 1.0 for v in each)
        assert max(each) <= values["take_up"] <= min(1.0, sum(each)) + 1e-12


# ---------------------------------------------------------------- the SPV
def _rules(**over):
    rules = {
        "spv_reserve_quarters": 4.0,
        "spv_fee_adjustment": 0.5,
        "spv_closure_quarters": 2,
        "spv_normal_volume": 0.5,
    }
    return SimpleNamespace(**{**rules, **over})


def test_an_spv_keeps_its_reserve_pays_out_the_surplus_and_prices_to_break_even():
    spv = SPV(_rules(), fixed_cost=10.0)
    assert spv.reserve == spv.target == 40.0
    # 100 units at a unit cost of 0.2 and fees of 60: the surplus of 30 goes to the members
    fee = spv.settle(fees=60.0, fixed=10.0, unit_cost=0.2, units=100.0, capacity=120.0, fee=0.6)
    assert spv.reserve == 40.0 and spv.paid_out == 30.0
    assert fee == pytest.approx(0.6 + 0.5 * (0.2 + 10.0 / 100.0 - 0.6))  # towards 0.3
    # few users: the fixed cost is spread over the normal volume (half of 120), not over 5
    few = SPV(_rules(), fixed_cost=10.0).settle(3.0, 10.0, 0.2, 5.0, 120.0, 0.6)
    assert few == pytest.approx(0.6 + 0.5 * (0.2 + 10.0 / 60.0 - 0.6))
    # no users: the fee falls towards the break-even fee at the normal volume
    idle = SPV(_rules(), fixed_cost=10.0).settle(0.0, 10.0, 0.2, 0.0, 120.0, 5.0)
    assert idle == pytest.approx(5.0 + 0.5 * (0.2 + 10.0 / 60.0 - 5.0)) and idle < 5.0


def test_an_spv_closes_after_the_stated_quarters_of_losses_with_its_reserve_gone():
    spv = SPV(_rules(spv_closure_quarters=2), fixed_cost=10.0)
    history = []
    for _ in range(8):  # no users: only the fixed cost, 10 a quarter, against a reserve of 40
        spv.settle(fees=0.0, fixed=10.0, unit_cost=0.0, units=0.0, capacity=0.0, fee=1.0)
        history.append((spv.reserve, spv.closed))
    assert [closed for _, closed in history] == [False] * 5 + [True] * 3
    assert history[3][0] == 0.0 and history[4][0] < 0.0


def test_an_spv_with_steady_users_recovers_an_old_deficit_instead_of_closing():
    spv = SPV(_rules(spv_closure_quarters=6), fixed_cost=10.0)
    spv.reserve = -20.0  # losses of earlier quarters
    fee, units = 0.3, 100.0  # break-even without the deficit: 0.2 + 10 / 100
    for _ in range(12):
        fee = spv.settle(fee * units, 10.0, 0.2, units, 120.0, fee)
        assert not spv.closed
    assert spv.reserve >= 0.0 and fee > 0.3 - 1e-9


def test_the_government_pays_the_running_costs_of_its_facility_but_not_an_spvs():
    settings = {"governance.spv_completion_rate": 1.0, "governance.government_completion_rate": 1.0}
    spv = run("cfc", **settings)
    government = run("cfc", **settings, **{"interventions.cfc.governance": "government"})
    scheme = spv.p.interventions.cfc
    grant = scheme.grant_share * scheme.capex_cr
    assert spv.facilities.cfc.governance == "spv"
    assert spv.series.column("public_cost_cr")[-1] == pytest.approx(grant)
    assert government.series.column("public_cost_cr")[-1] > grant  # running costs net of fees


def test_an_spv_that_cannot_cover_its_costs_closes_its_facility():
    dear = {
        "governance.spv_completion_rate": 1.0,
        "governance.ramp_up_quarters": 0,
        "interventions.cfc.opex_cr": 50.0,  # a fixed cost no fee can cover
    }
    model = run("cfc", **dear)
    cfc, opened = model.facilities.cfc, model.series.column("facilities_open")
    assert cfc.closed and 1 in opened and opened[-1] == 0
    assert cfc.service_share(model.steps) == 0.0
    assert model.series.column("cfc_utilisation")[-1] == 0.0


def test_firms_test_locally_only_if_no_dearer_and_a_closed_lab_releases_its_queue():
    built = {"governance.spv_completion_rate": 1.0, "governance.ramp_up_quarters": 0}
    # a government lab keeps its fee (half of 5 > the distant lab's 1.5): nobody tests there
    dear = run(
        "testing_lab",
        **built,
        **{
            "market.local_test_fee_lakh": 5.0,
            "interventions.testing_lab.governance": "government",
            "governance.government_completion_rate": 1.0,
        },
    )
    assert max(dear.series.column("take_up_testing_lab")) == 0.0
    # an SPV's lab reprices towards its costs, and firms come (in a cluster large enough that some
    # firms seek a certificate within the horizon while they finance their working capital)
    larger = {**QUICK, "cluster.n_firms": 150}
    spv = ClusterModel(
        SCENARIOS / "testing_lab.toml",
        seed=3,
        **larger,
        **built,
        market={"local_test_fee_lakh": 5.0},
    )
    spv.run()
    assert spv.facilities.lab.fee < 1.5 and max(spv.series.column("take_up_testing_lab")) > 0
    closing = run(
        "testing_lab",
        **built,
        **{"interventions.testing_lab.opex_cr": 20.0, "governance.spv_closure_quarters": 1},
    )
    lab = closing.facilities.lab
    assert lab.closed
    assert not (closing.firms.test_requested_step[closing.firms.live()] >= 0).any()


def test_consulting_is_taken_only_where_it_is_worth_the_firms_own_cost():
    offer = {"interventions.consulting.share_of_firms": 1.0}
    taken = run("consulting", **offer)
    useless = run("consulting", **offer, **{"interventions.consulting.tfp_lift": 0.0})
    base = run("baseline")
    assert taken.firms.consulted.sum() > 0 and useless.firms.consulted.sum() == 0
    for column in ECONOMY_COLUMNS:  # consulting that lifts nothing is taken by nobody
        assert useless.series.column(column) == base.series.column(column), column
    # the public pays the market price less the firms' co-payment
    scheme = taken.p.interventions.consulting
    free = run("consulting", **offer, **{"interventions.consulting.copay_share": 0.0})
    ratio = taken.government.public_cost_cr / free.government.public_cost_cr
    assert ratio == pytest.approx(1.0 - scheme.copay_share, rel=0.05)


# ---------------------------------------------------------------- places, queues and owners' doubts
def test_a_queue_serves_first_come_first_served_and_loses_no_one():
    queue = Queue()
    served, _ = queue.serve([1, 2, 3, 4], np.ones(4), 2.0, step=0, order_draw=[0.4, 0.3, 0.2, 0.1])
    assert served.tolist() == [False, False, True, True]  # ties in the draw's order
    assert queue.rows.tolist() == [2, 1] and queue.balance() == 0
    # row 1 no longer wants it (dropped); row 5 joins behind row 2, which waited longer
    served, _ = queue.serve([2, 5], np.ones(2), 2.0, step=1, order_draw=[0.9, 0.0])
    assert served.tolist() == [True, True]
    assert (queue.carried, queue.joined, queue.served, queue.dropped, queue.waiting) == (
        2,
        1,
        2,
        1,
        0,
    )
    assert queue.balance() == 0
    assert queue.joined_total == queue.served_total + queue.waiting + queue.dropped_total


def test_places_are_handed_out_in_order_up_to_capacity():
    units = np.array([3.0, 2.0, 4.0])
    assert Queue.allot(units, 4.0).tolist() == [3.0, 1.0, 0.0]  # the second gets what is left
    assert Queue.allot(units, 0.0).tolist() == [0.0, 0.0, 0.0]
    assert Queue.allot(units, np.inf).tolist() == units.tolist()
    served, allotted = Queue().serve([7, 8], units[:2], 0.0, 0, [0.1, 0.2])
    assert not served.any() and not allotted.any()  # no places: nobody is served


UNLIMITED = {
    "owners.doubt_share": 0.0,
    "owners.hurdle_rate": 0.0,
    "interventions.skills_training.poaching_rate": 0.0,
    "interventions.skills_training.seats_per_quarter": 1e9,
    "interventions.consulting.firms_per_quarter": 100_000,
    "interventions.export_promotion.slots_per_quarter": 100_000,
    "interventions.growth_fund.deals_per_quarter": 100_000,
}


def test_no_places_serve_no_one_and_change_nothing():
    # seed 1: some owners of this small cluster hear of each scheme and want it (they wait)
    base = run("baseline", seed=1)
    for scenario, places in (
        ("skills_training", "interventions.skills_training.seats_per_quarter"),
        ("consulting", "interventions.consulting.firms_per_quarter"),
        ("growth_fund", "interventions.growth_fund.deals_per_quarter"),
    ):
        closed = run(scenario, seed=1, **{places: 0})
        assert max(closed.series.column(f"take_up_{scenario}")) == 0.0, scenario
        assert max(closed.series.column(f"waiting_{scenario}")) > 0, scenario  # they wait
        assert closed.series.column("public_cost_cr")[-1] == 0.0, scenario
        for column in ECONOMY_COLUMNS:
            assert closed.series.column(column) == base.series.column(column), (scenario, column)


def test_with_places_for_all_and_no_doubt_everyone_who_wants_a_scheme_gets_it_at_once():
    model = ClusterModel(SCENARIOS / "holistic_full.toml", seed=3, **QUICK, **UNLIMITED)
    for _ in range(model.n_steps):
        model.step()
        for scheme, queue in model.government.queues.items():
            assert queue.waiting == 0 and queue.dropped == 0, scheme
    consulting = model.government.queues["consulting"]
    assert consulting.joined_total == consulting.served_total == model.firms.consulted.sum() > 0


def test_every_firm_in_a_queue_is_served_waits_or_drops_out():
    few_seats = {"interventions.skills_training.seats_per_quarter": 10.0}  # for 60 firms
    model = ClusterModel(SCENARIOS / "holistic_full.toml", seed=3, **QUICK, **few_seats)
    waited = dict.fromkeys(model.government.queues, 0)
    for _ in range(model.n_steps):
        model.step()
        for scheme, queue in model.government.queues.items():
            assert queue.balance() == 0, scheme  # waiting + joined = served + waiting + dropped
            assert queue.joined_total == queue.served_total + queue.waiting + queue.dropped_total
            waited[scheme] = max(waited[scheme], queue.waiting)
    assert waited["skills_training"] > 0 and waited["growth_fund"] > 0  # the places bind
    consulting = model.government.queues["consulting"]
    assert 0 < consulting.joined_total < consulting.offered  # some owners decline the offer
    assert consulting.served_total == model.firms.consulted.sum()


def test_owners_in_doubt_or_asking_more_take_part_less():
    # in the first quarter of training every package has the baseline's firms: the same firms
    # decide, so take-up can only fall as owners ask more of it
    first = QUICK["run.burn_in"] + 1
    open_places = {"interventions.skills_training.seats_per_quarter": 1e9}
    take_up = [
        run("skills_training", **open_places, **{"owners.hurdle_rate": rate}).series.column(
            "take_up_skills_training"
        )[first]
        for rate in (0.0, 0.6, 3.0)
    ]
    assert take_up[0] >= take_up[1] >= take_up[2] and take_up[0] > take_up[2]
    # owners who all doubt it and see no one take it are never convinced: nothing changes
    doubting = run("skills_training", **{"owners.doubt_share": 1.0})
    base = run("baseline")
    assert max(doubting.series.column("take_up_skills_training")) == 0.0
    for column in ECONOMY_COLUMNS:
        assert doubting.series.column(column) == base.series.column(column), column


def test_doubting_owners_are_convinced_by_neighbours_who_trained():
    model = ClusterModel(
        SCENARIOS / "skills_training.toml",
        seed=3,
        **QUICK,
        **{"owners.doubt_share": 0.5, "interventions.skills_training.seats_per_quarter": 1e9},
    )
    model.run(model.burn_in + 1)
    firms = model.firms
    doubting_at_start = firms.doubts[firms.live(), 0].mean()
    model.run(model.n_steps - model.burn_in - 1)
    assert firms.doubts[firms.live(), 0].mean() < doubting_at_start


def test_a_package_that_continues_a_shared_history_has_its_own_places():
    from clustersim.inputs.scenario import load_scenario
    from helpers import small_model, small_overrides

    no_seats = small_overrides(interventions__skills_training={"seats_per_quarter": 0.0})
    package = load_scenario(SCENARIOS / "skills_training.toml", no_seats)
    shared = small_model("baseline.toml", seed=1)
    shared.run(shared.burn_in)
    shared.continue_as(package)
    shared.run(shared.n_steps - shared.steps)
    fresh = ClusterModel(package, seed=1)
    fresh.run()
    assert max(shared.series.column("take_up_skills_training")) == 0.0
    assert max(shared.series.column("waiting_skills_training")) > 0
    assert shared.series.rows == fresh.series.rows


def test_trained_workers_hired_away_take_their_skill_to_other_firms():
    model = ClusterModel(SCENARIOS / "skills_training.toml", seed=3, **QUICK)
    model.run(model.burn_in + 1)
    firms, live = model.firms, model.firms.operating
    initial = model.p.technology.initial_skill
    trainers = np.arange(len(live)) % 2 == 0  # half the firms trained workers, half did not
    firms.skill[live] = initial + 0.2 * trainers
    skill, workers = firms.skill[live].copy(), firms.workers[live]
    firms.lose_trained_workers(0.5)
    after = firms.skill[live]
    assert (after * workers).sum() == pytest.approx((skill * workers).sum(), rel=1e-12)
    assert (after[~trainers] > initial).all()  # the others gain the skill that moves
    assert (after[trainers] < skill[trainers]).all()  # the trainers lose it
    firms.skill[live] = initial  # nobody trained: nothing to hire away, nothing moves
    firms.lose_trained_workers(0.5)
    assert (firms.skill[live] == initial).all()


def test_owners_who_expect_trained_workers_to_be_hired_away_value_training_less():
    model = ClusterModel(SCENARIOS / "skills_training.toml", seed=3, **QUICK)
    model.run(model.burn_in + 1)
    rows = model.firms.operating[model.firms.workers[model.firms.operating] > 0]
    kept = model.firms.value_of_training(rows, 0.025, 0.5)
    poached = model.firms.value_of_training(rows, 0.025, 0.5, poached=0.05)
    assert (poached <= kept).all() and (poached < kept).any()
