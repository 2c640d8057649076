"""The whole model: limit cases with closed forms, identities, determinism and
the common-random-numbers contract the sweep engine relies on."""

from __future__ import annotations

import mesa
import numpy as np
import pytest

from clustersim.economy.agents.msme import MSME
from clustersim.economy.model import ClusterModel
from clustersim.inputs.scenario import load_scenario
from clustersim.views import output
from helpers import SCENARIOS, run_small, small_model, small_overrides

FRICTIONLESS = {
    "technology": {"tfp_shock_sd": 0.0},
    "labour": {"hiring_speed": 1.0},
    "dynamics": {"entry_candidates": 0.0, "exit_hazard": 0.0},
}


def csv_bytes(model, tmp_path, name="timeseries.csv") -> bytes:
    path = tmp_path / f"{id(model)}-{name}"
    {"timeseries.csv": output.write_timeseries, "firms.csv": output.write_firms}[name](model, path)
    return path.read_bytes()


def test_without_shocks_entry_or_frictions_labour_is_the_closed_form_optimum():
    """Each firm's labour equals alpha rho R*(B, Phi, K, w, p_m) / w at the market-clearing
    wage and price index, computed independently here from the firm's state."""
    model = small_model("holistic_spv.toml", **FRICTIONLESS)
    for _ in range(12):
        model.step()
    # Play one more quarter up to the markets and stop right after they clear (as step() does).
    model.before_trade()
    model.markets.clear(model.firms)
    f, live, t = model.firms, model.firms.operating, model.technology
    certified = f.certified_until[live] >= model.steps
    quality = 1 + model.p.technology.quality_lift_certified * certified
    demand = quality * (
        model.markets.spending * model.markets.price_index ** (t.sigma - 1)
        + model.markets.foreign_level() * f.exporter[live]
    )
    phi = (
        model.firms.tfp_scale
        * np.exp(f.tfp_permanent[live] + f.tfp_transitory[live])
        * (1 + model.p.technology.tech_step) ** f.tech_level[live]
        * (1 + model.p.technology.skill_lift * f.skill[live])
        * (1 + f.cfc_lift[live])
        * (1 + f.consulting_lift[live])
    )
    bundle = f.capital[live] ** t.beta * f.workers[live] ** t.alpha
    revenue = demand ** (1 / t.sigma) * (phi * bundle) ** t.rho  # on the demand curve
    cost = model.firms.materials_per_bundle * model.markets.material_price()  # Leontief materials
    assert np.allclose(f.sales[live], revenue, rtol=1e-9)
    assert np.allclose(f.materials[live], cost * bundle, rtol=1e-9)
    # Labour's first-order condition: the wage bill is alpha times the bundle's share of marginal
    # revenue.
    assert np.allclose(
        model.markets.wage * f.workers[live], t.alpha * (t.rho * revenue - cost * bundle), rtol=1e-9
    )
    assert f.exporter[live].any() and certified.any()  # the check covered exporters too


def test_jobs_equal_the_sum_of_workers_every_quarter():
    model = small_model()
    for _ in range(10):
        model.step()
        assert model.series.latest("jobs") == pytest.approx(
            model.firms.workers[model.firms.live()].sum(), rel=1e-12
        )
        assert (
            model.series.latest("firms")
            == len(model.agents_by_row)
            == len(model.agents_by_type[MSME])
        )


def test_same_seed_gives_byte_identical_output_and_another_seed_does_not(tmp_path):
    a, b, c = (
        run_small("holistic_full.toml", seed=7),
        run_small("holistic_full.toml", seed=7),
        run_small("holistic_full.toml", seed=8),
    )
    for name in ("timeseries.csv", "firms.csv"):
        assert csv_bytes(a, tmp_path, name) == csv_bytes(b, tmp_path, name)
    assert csv_bytes(a, tmp_path) != csv_bytes(c, tmp_path)


def test_an_intervention_starting_after_the_horizon_is_byte_identical_to_the_baseline(tmp_path):
    base = run_small("baseline.toml", seed=3)
    late = run_small(
        "holistic_full.toml",
        seed=3,
        interventions__cfc={"start_quarter": 8},
        interventions__testing_lab={"start_quarter": 8},
        interventions__credit_guarantee={"start_quarter": 8},
        interventions__skills_training={"start_quarter": 8},
        interventions__export_promotion={"start_quarter": 8},
        interventions__facilitation_cell={"start_quarter": 8},
        interventions__interest_subvention={"start_quarter": 8},
        interventions__tech_upgrade_subsidy={"start_quarter": 8},
        interventions__consulting={"start_quarter": 8},
        interventions__growth_fund={"start_quarter": 8},
    )
    assert csv_bytes(base, tmp_path) == csv_bytes(late, tmp_path)
    assert csv_bytes(base, tmp_path, "firms.csv") == csv_bytes(late, tmp_path, "firms.csv")


@pytest.mark.parametrize(
    "cfc",
    [
        {"capacity_hours": 0.0},  # nil at zero capacity
        {"x": 0, "y": 0, "travel_cost_lakh": 10.0},
    ],
)  # out of everyone's reach
def test_a_cfc_nobody_can_use_changes_nothing_but_the_public_cost(cfc):
    base = run_small("baseline.toml", seed=5)
    model = run_small("cfc.toml", seed=5, interventions__cfc=cfc)
    drop = [
        output.COLUMN_NAMES.index(c)
        for c in ("public_cost_cr", "cfc_utilisation", "facilities_open")
    ]
    keep = [i for i in range(len(output.COLUMN_NAMES)) if i not in drop]
    assert np.array_equal(np.array(base.series.rows)[:, keep], np.array(model.series.rows)[:, keep])
    assert model.government.public_cost_cr > 0


def test_nothing_draws_from_mesas_shared_random(monkeypatch):
    """Package differences must not flow through model.random / model.rng."""

    class Forbidden:
        def __getattr__(self, name):
            raise AssertionError(f"model.random.{name} was used")

    original = mesa.Model.__init__

    def guarded(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.random = Forbidden()
        self.rng = Forbidden()

    monkeypatch.setattr(mesa.Model, "__init__", guarded)
    model = run_small("holistic_full.toml")
    assert model.steps == 16


def test_draws_are_per_firm_slot_so_packages_are_paired():
    """Removing firms (here: a higher exit hazard) or treating some (a package) does not
    shift any other firm's productivity shocks: draws are made per firm slot."""
    base = run_small("baseline.toml", seed=11, n_firms=120, horizon=16)
    for other in (
        run_small("baseline.toml", seed=11, n_firms=120, horizon=16, dynamics={"exit_hazard": 0.3}),
        run_small("holistic_full.toml", seed=11, n_firms=120, horizon=16),
    ):
        fb, fo = base.firms, other.firms
        both = fb.alive & fo.alive & (fb.entry_step == fo.entry_step)
        assert both.sum() > 15
        assert np.array_equal(fb.tfp_transitory[both], fo.tfp_transitory[both])
        assert np.array_equal(fb.tfp_permanent, fo.tfp_permanent)  # the entrant pool is pre-drawn
    high_exit = run_small(
        "baseline.toml", seed=11, n_firms=120, horizon=16, dynamics={"exit_hazard": 0.3}
    )
    assert (
        high_exit.firms.alive[:120].sum() < base.firms.alive[:120].sum()
    )  # the runs really differ in who exists


def test_a_students_edit_in_msme_changes_the_simulation(monkeypatch):
    """The firm's rules live in agents/msme.py and nowhere else."""
    before = run_small(seed=2).series.rows[-1]
    monkeypatch.setattr(
        MSME,
        "adjust_workforce",
        staticmethod(lambda current, desired, speed: current + 0.1 * speed * (desired - current)),
    )
    after = run_small(seed=2).series.rows[-1]
    assert before[4] != after[4]


def test_a_tariff_shock_cuts_exports_against_the_same_seed():
    kw = dict(n_firms=120, burn_in=12, horizon=8)
    base = run_small("baseline.toml", seed=4, **kw)
    shocked = run_small(
        "export_shock_tariff.toml", seed=4, **kw, market={"shocks": [{"quarter": 2, "tariff": 0.5}]}
    )
    col = output.COLUMN_NAMES.index("export_sales")
    before = slice(0, 14)  # up to policy quarter 2 the runs are identical
    assert np.array_equal(np.array(base.series.rows)[before], np.array(shocked.series.rows)[before])
    assert shocked.series.rows[-1][col] < 0.7 * base.series.rows[-1][col]


def test_firm_list_scenario_starts_from_the_csv():
    scenario = load_scenario(
        SCENARIOS / "from_firm_list.toml", {"run": {"burn_in": 0, "horizon": 1}}
    )
    model = ClusterModel(scenario, seed=scenario.params.run.seed)
    table = scenario.firm_table
    assert model.n_initial == len(table["x"])
    assert np.array_equal(model.firms.x[: model.n_initial], table["x"].astype(int))
    # Firm sizes at the start are the list's (ability backed out of workers), scaled to the
    # calibration.
    workers = model.firms.workers[: model.n_initial]
    assert np.allclose(
        workers / workers.sum(), table["workers"] / table["workers"].sum(), rtol=1e-6
    )


def test_firms_option_rescales_the_cluster():
    scenario = load_scenario(SCENARIOS / "baseline.toml", small_overrides(n_firms=60))
    assert (
        len(ClusterModel(scenario, seed=scenario.params.run.seed, n_firms=150).firms.live()) == 150
    )


def test_start_matches_the_scenario_calibration_targets():
    scenario = load_scenario(SCENARIOS / "baseline.toml", small_overrides(n_firms=200))
    model = ClusterModel(scenario, seed=scenario.params.run.seed)
    f, live, c = model.firms, model.firms.live(), scenario.params.cluster
    assert f.workers[live].sum() == pytest.approx(200 * c.mean_workers, rel=1e-9)
    assert f.sales[live].sum() * 4 / f.workers[live].sum() == pytest.approx(
        c.turnover_per_worker_lakh, rel=1e-9
    )
    m = model.markets
    # Materials are their share of sales; both price indices of the domestic market start at 1,
    # and the cluster holds its share of domestic spending.
    assert f.materials[live].sum() / f.sales[live].sum() == pytest.approx(
        scenario.params.technology.materials_share, rel=1e-9
    )
    assert m.price_index == m.outside_price == 1.0
    assert m.cluster_share() == pytest.approx(c.domestic_market_share, rel=1e-9)
    # Exactly the start's workers want to work at the start's wage.
    assert m.labour_supply.jobs(m.wage) == pytest.approx(f.workers[live].sum(), rel=1e-9)


def test_awareness_only_spreads_by_word_of_mouth_and_outreach():
    quiet = small_model(awareness={"word_of_mouth": 0.0})
    before = quiet.firms.aware[quiet.firms.live()].copy()
    quiet.run()
    survivors = quiet.firms.alive[: quiet.n_initial]
    assert np.array_equal(quiet.firms.aware[: quiet.n_initial][survivors], before[survivors])
    # A facilitation cell alone (no word of mouth) teaches firms of schemes; more near it.
    cell = run_small("facilitation_cell.toml", awareness={"word_of_mouth": 0.0}, horizon=12)
    live = cell.firms.live()
    aware_share = cell.firms.aware[live].mean(axis=1)
    cx, cy = cell.facilities.facilitation_cell.coordinate
    distance = np.hypot(cell.firms.x[live] - cx, cell.firms.y[live] - cy)
    assert aware_share.mean() > before.mean() + 0.2
    assert aware_share[distance < 3].mean() > aware_share[distance > 8].mean()


def test_no_entry_candidates_means_no_entrants_and_exits_only_shrink_the_cluster():
    model = run_small(dynamics={"entry_candidates": 0.0, "exit_hazard": 0.2})
    entries = [row[output.COLUMN_NAMES.index("entries")] for row in model.series.rows]
    assert sum(entries) == 0
    assert len(model.firms.live()) < model.n_initial


def test_an_entrant_values_entry_more_when_wages_fall_or_demand_rises():
    model = small_model()
    pool = np.arange(model.n_initial, model.firms.capacity)
    value, _ = model.demography.entrant_value(pool)
    model.markets.wage *= 0.9
    cheaper_labour, _ = model.demography.entrant_value(pool)
    model.markets.wage /= 0.9
    model.markets.price_index *= 1.05  # rivals dearer: more demand for each variety
    more_demand, _ = model.demography.entrant_value(pool)
    assert np.all(cheaper_labour > value) and np.all(more_demand > value)
    # and the threshold admits exactly the candidates worth more than it
    assert np.isclose(
        np.mean(value > model.demography.entry_threshold),
        model.demography.entry_share,
        atol=2 / len(pool),
    )


def test_an_spvs_facility_costs_the_public_its_grant_alone():
    """An SPV pays its CFC's running costs from its fees, so the public pays the grant and no
    more; a government-run CFC whose fees exceed its running costs returns the surplus."""
    kw = dict(
        n_firms=80,
        horizon=12,
        governance={  # built at once, for certain: this is about the accounts, not delivery
            "spv_lag": 0,
            "government_lag": 0,
            "spv_completion_rate": 1.0,
            "government_completion_rate": 1.0,
        },
        interventions__cfc={"fee_per_hour_lakh": 0.004, "opex_cr": 0.0, "cost_per_hour_lakh": 0.0},
    )
    spv = run_small("cfc.toml", **kw)
    grant = 0.7 * 15.0
    assert spv.government.public_cost_cr == pytest.approx(grant, rel=1e-9)
    government = run_small(
        "cfc.toml",
        **{**kw, "interventions__cfc": {**kw["interventions__cfc"], "governance": "government"}},
    )
    assert government.government.public_cost_cr < grant


def test_the_path_does_not_depend_on_the_horizon_and_can_go_past_it():
    """Entrants are drawn per slot,
    so a 28-quarter run is the first 28 quarters of a 60-quarter one."""
    short = small_model(burn_in=20, horizon=8)
    short.run()
    long = small_model(burn_in=20, horizon=40)
    long.run(short.n_steps)
    assert np.array_equal(np.array(short.series.rows), np.array(long.series.rows))
    long.run(long.n_steps)  # 60 more quarters than planned: the firm table grows
    assert long.steps == 88 and len(long.series.rows) == 88


def test_a_cluster_whose_last_firm_closes_runs_on_with_finite_zeros():
    """Limit case: one firm, which closes; the quarters after it record zero jobs,
    not a crash or a NaN."""
    model = run_small(seed=0, n_firms=1, burn_in=40, horizon=20)
    data = np.array(model.series.rows)
    firms, jobs = (
        data[:, output.COLUMN_NAMES.index("firms")],
        data[:, output.COLUMN_NAMES.index("jobs")],
    )
    assert (firms == 0).any()
    assert np.isfinite(data).all()
    assert (jobs[firms == 0] == 0).all()
