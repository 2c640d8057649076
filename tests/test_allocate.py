"""The scheme designer (issue 21): the optimiser's limit cases and brute force, the metamodel's
form, the designer file's checks, allocations run in national markets, and the command."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clustersim import api
from clustersim.analysis import allocation as alloc
from clustersim.analysis.metamodel import (
    MEASURES,
    choose_forms,
    cluster_effects,
    fit_metamodel,
    held_out_replicates,
    held_out_sizes,
    lack_of_fit,
    selected,
)
from clustersim.cli import main
from clustersim.experiments.allocate import load_designer, metamodel_design
from clustersim.experiments.national import with_allocations
from clustersim.inputs.files import ScenarioError
from clustersim.inputs.params import PARAMETERS
from helpers import SCENARIOS

DATA = """name,state,district,sector,units,employment,turnover_inr_cr,exports_inr_cr,year,source,\
archetype,reliability,notes
Alpha,Punjab,X,forging,60,1800,50,10,2020,s,engineering_foundry,A,
Beta,Punjab,Y,knitwear,40,900,20,,2020,s,textiles_apparel,B,
Gamma,Gujarat,Z,forging,30,3000,90,40,2020,s,engineering_foundry,B,
"""


def random_problem(rng, n=5, k=3, budget_share=0.4, floors=False) -> alloc.Problem:
    values = np.hstack([np.zeros((n, 1)), rng.normal(10, 8, (n, k - 1))])
    costs = np.hstack([np.zeros((n, 1)), rng.uniform(1, 10, (n, k - 1))])
    allowed = rng.random((n, k)) > 0.2
    allowed[:, 0] = True
    budget = budget_share * costs.sum() / (k - 1)
    state_floors = [(np.array([0, 1]), 0.3 * budget)] if floors else []
    return alloc.Problem(values, costs, allowed, budget, state_floors)


def test_a_budget_that_covers_everything_gives_every_cluster_its_best_package():
    rng = np.random.default_rng(1)
    p = random_problem(rng, n=30, k=6)
    p.budget = p.costs.max(axis=1).sum() + 1
    best = np.argmax(np.where(p.allowed, p.values, -np.inf), axis=1)
    assert np.array_equal(alloc.solve(p), best)
    assert np.array_equal(alloc.greedy(p), best)


def test_zero_budget_gives_nothing():
    p = random_problem(np.random.default_rng(2), n=20, k=4)
    p.budget = 0.0
    assert not alloc.solve(p).any() and not alloc.greedy(p).any()


@pytest.mark.parametrize("seed", range(12))
def test_a_small_instance_equals_brute_force(seed):
    p = random_problem(np.random.default_rng(seed), floors=seed % 2 == 1)
    optimal, exhaustive = alloc.solve(p), alloc.brute_force(p)
    assert alloc.objective(p, optimal) == pytest.approx(alloc.objective(p, exhaustive))
    assert alloc.spending(p.costs, optimal) <= p.budget + 1e-9
    if not p.state_floors:  # the greedy check ignores floors
        assert alloc.objective(p, alloc.greedy(p)) <= alloc.objective(p, optimal) + 1e-9


def test_a_binding_state_floor_and_a_cap_are_respected():
    rng = np.random.default_rng(5)
    p = random_problem(rng, n=12, k=4)
    p.values[:6] *= 0.1  # the first six clusters ("one state") are poor value
    p.values[:6, 0] = 0
    free = alloc.solve(p)
    floor = 0.25 * p.budget
    assert alloc.spending(p.costs[:6], free[:6]) < floor  # without it the state gets less
    p.state_floors = [(np.arange(6), floor)]
    bound = alloc.solve(p)
    assert alloc.spending(p.costs[:6], bound[:6]) >= floor - 1e-9
    assert alloc.objective(p, bound) <= alloc.objective(p, free) + 1e-9
    p.state_floors, p.allowed[:, 2] = [], False  # a package barred (a cap): never chosen
    assert not (alloc.solve(p) == 2).any()


def test_rules_of_thumb_stay_within_the_budget():
    p = random_problem(np.random.default_rng(7), n=20, k=4)
    firms = np.random.default_rng(8).integers(30, 3000, 20).astype(float)
    rules = alloc.rules_of_thumb(p, firms, np.arange(20), holistic=3)
    for name, choice in rules.items():
        assert alloc.spending(p.costs, choice) <= p.budget + 1e-9, name
        assert p.allowed[np.arange(20), choice].all(), name
    order = np.argsort(-firms)
    largest = rules["holistic_for_largest"]
    assert set(np.unique(largest)) <= {0, 3} and largest[order[0]] == 3


def test_robustness_compares_an_overspending_allocation_with_the_best_of_the_same_money():
    p = alloc.Problem(
        values=np.array([[0.0, 10.0], [0.0, 10.0]]),
        costs=np.array([[0.0, 5.0], [0.0, 5.0]]),
        allowed=np.ones((2, 2), dtype=bool),
        budget=10.0,
        state_floors=[],
    )
    chosen = np.array([1, 1])
    values = np.array([[[0.0, 10.0], [0.0, 30.0]]])  # in the draw the second cluster is worth more
    costs = np.array([[[0.0, 6.0], [0.0, 6.0]]])  # and both cost more: 12 > 10
    row = alloc.robustness(p, chosen, values, costs)["draws"][0]
    assert row["cost_chosen_cr"] == pytest.approx(12.0)
    assert row["budget_of_comparison_cr"] == pytest.approx(12.0)
    assert row["regret"] == pytest.approx(0.0)  # at 12 the chosen allocation is the best
    costs[0, 0, 1] = 3.0  # now within budget: compared with the draw's best within it
    row = alloc.robustness(p, chosen, values, costs)["draws"][0]
    assert row["budget_of_comparison_cr"] == pytest.approx(10.0) and row["regret"] >= 0


def effects_frame(per_firm, sizes=(50, 200, 500, 2000), draws=3, replicates=2, noise=0.0):
    """Runs whose effect per firm is ``per_firm(archetype, log n) + 0.1 x draw`` (+ noise)."""
    rng = np.random.default_rng(4)
    rows = []
    for archetype in ("a", "b"):
        for n in sizes:
            for d in range(draws):
                for r in range(replicates):
                    y = per_firm(archetype, np.log(n)) + 0.1 * d + noise * rng.normal()
                    rows.append(
                        {
                            "package": "p",
                            "archetype": archetype,
                            "n_firms": n,
                            "draw": d,
                            "replicate": r,
                            **{m: n * y for m in MEASURES},
                        }
                    )
    return pd.DataFrame(rows)


def test_the_metamodel_recovers_its_form_and_chooses_it_on_held_out_sizes():
    def truth(archetype, log_n):
        level, slope = (1.0, 0.2) if archetype == "a" else (-0.5, -0.1)
        return level + slope * (log_n - 5.5) + 0.05 * (log_n - 5.5) ** 2

    frame = effects_frame(truth)
    check = held_out_sizes(frame)
    forms = choose_forms(check)
    assert set(forms.values()) == {"quadratic"}  # the only form that predicts a held-out size
    chosen = selected(check, forms)
    assert np.allclose(chosen["predicted"], chosen["simulated"])
    fits = fit_metamodel(frame, forms)
    lack_of_fit(fits, chosen)
    assert all(f.lack_of_fit == pytest.approx(0, abs=1e-9) for f in fits.values())
    fit = fits[("p", "net_jobs")]
    # draws 0 and 1 are the priors' (the last one holds the defaults): their mean shift is 0.05
    value, _ = fit.per_firm("b", 300)
    assert value[0] == pytest.approx(truth("b", np.log(300)) + 0.05)
    assert fit.per_firm("b", 300, draw=2)[0][0] == pytest.approx(truth("b", np.log(300)) + 0.2)
    # outside the simulated sizes the effect per firm of the nearest one, never the curve's
    assert fit.per_firm("a", 20_000)[0][0] == pytest.approx(fit.per_firm("a", 2000)[0][0])
    tables = cluster_effects(fits, ["a", "b"], [300, 20_000], ["nothing", "p"])
    assert tables.by_draw["net_jobs"].shape == (2, 2, 2)  # the prior draws only
    assert tables.at_defaults["net_jobs"][0, 1] == pytest.approx(
        300 * (truth("a", np.log(300)) + 0.2)
    )
    assert list(tables.extrapolated) == [False, True]
    replicates = held_out_replicates(frame, forms)
    assert np.allclose(replicates["predicted"], replicates["simulated"])


def test_a_form_that_cannot_fit_shows_its_error_out_of_sample_and_in_the_interval():
    def bumpy(archetype, log_n):  # no form of the menu follows a zigzag in size
        return 1.0 + 0.5 * (int(round(np.exp(log_n))) in (200, 2000))

    frame = effects_frame(bumpy, noise=0.01)
    check = held_out_sizes(frame)
    forms = choose_forms(check)
    fits = fit_metamodel(frame, forms)
    chosen = selected(check, forms)
    lack_of_fit(fits, chosen)
    fit = fits[("p", "net_jobs")]
    error = np.sqrt(((chosen["predicted"] - chosen["simulated"]) ** 2).mean())
    assert fit.lack_of_fit > 0.1 and fit.lack_of_fit <= error
    tables = cluster_effects(fits, ["a"], [300], ["nothing", "p"])
    assert tables.se["net_jobs"][0, 1] >= 300 * fit.lack_of_fit


@pytest.fixture
def designer_file(tmp_path):
    (tmp_path / "clusters.csv").write_text(DATA, encoding="utf-8")
    path = tmp_path / "designer.toml"
    path.write_text(
        f"""kind = "national"
title = "tiny designer"
clusters = "clusters.csv"
total = 4
package = "{SCENARIOS / "holistic_spv.toml"}"
seed = 3
horizon = 4
burn_in = 6
synthetic_seed = 2
[archetype_scenarios]
default = "{SCENARIOS / "baseline.toml"}"
textiles_apparel = "{SCENARIOS / "knitwear.toml"}"
[menu]
skills_training = "{SCENARIOS / "skills_training.toml"}"
holistic_spv = "{SCENARIOS / "holistic_spv.toml"}"
[constraints]
eligibility_column = "employment"
eligibility_min = 1000
[metamodel]
sizes = [20, 40]
draws = 2
replicates = [3, 2]
""",
        encoding="utf-8",
    )
    return path


def test_the_design_shares_random_numbers_across_packages_and_draws(designer_file):
    designer = load_designer(designer_file)
    assert designer.package_names == ["nothing", "skills_training", "holistic_spv"]
    design = metamodel_design(designer)
    runs = design.runs()
    archetypes = {c.archetype for c in designer.national.clusters}
    # (3 + 2 replicates of the two sizes) x (2 prior draws + the defaults) x 3 packages
    assert len(runs) == len(archetypes) * (3 + 2) * 3 * 3 == design.run_count()
    defaults = design.draws[design.defaults_draw]
    assert defaults and all(PARAMETERS[k].default == v for k, v in defaults.items())
    assert all(set(d) == set(defaults) for d in design.draws)
    by_cell = {}
    for run in runs:
        key = (design.points[run.point]["cell"], run.replicate)
        by_cell.setdefault(key, set()).add(run.seed)
    assert all(len(seeds) == 1 for seeds in by_cell.values())
    assert len({s for seeds in by_cell.values() for s in seeds}) == len(by_cell)


def test_an_allocation_gives_each_cluster_its_own_package_in_national_markets(designer_file):
    designer = load_designer(designer_file)
    menu = designer.menu
    n = len(designer.national.clusters)
    arms = with_allocations(designer.national, {"plan": [menu[i % 3].overrides for i in range(n)]})
    runs = {(r.package, r.point): r for r in arms.runs()}
    assert {p for p, _ in runs} == {"baseline", "plan"}
    assert all(r.market for r in runs.values())  # all in national markets, none apart
    for c in range(n):
        plan, base = runs[("plan", c)], runs[("baseline", c)]
        switched = {s for s, v in plan.overrides.items() if s.startswith("interventions.")}
        assert switched == set(menu[c % 3].overrides) and plan.seed == base.seed
    some = with_allocations(
        designer.national,
        {"plan": [menu[i % 3].overrides for i in range(n)]},
        products=["textiles_apparel"],
    )
    kept = {(r.package, r.point): r for r in some.runs()}
    assert kept and all(
        designer.national.clusters[c].product == "textiles_apparel" for _, c in kept
    )
    assert all(
        r.seed == runs[key].seed and r.overrides == runs[key].overrides for key, r in kept.items()
    )


@pytest.mark.parametrize(
    "table, problem",
    [
        ("[menu]\n", "menu"),
        ('[menu]\nnothing = "x.toml"\n', "menu.nothing"),
        ('[menu]\ncfc = "missing.toml"\n', "menu.cfc"),
        ('[menu]\ncfc = "{cfc}"\n[constraints]\nmandatory = "logistics"\n', "mandatory"),
        ('[menu]\ncfc = "{cfc}"\n[constraints]\nbudget = 3\n', "constraints.budget"),
        ('[menu]\ncfc = "{cfc}"\n[constraints]\neligibility_column = "x"\n', "eligibility"),
        ('[menu]\ncfc = "{cfc}"\n[metamodel]\nsizes = [40]\n', "metamodel.sizes"),
        ('[menu]\ncfc = "{cfc}"\n[metamodel]\ndraws = 0\n', "metamodel.draws"),
        ('[menu]\ncfc = "{cfc}"\n[metamodel]\nreplicates = 1\n', "metamodel.replicates"),
        (
            '[menu]\ncfc = "{cfc}"\n[metamodel]\nsizes = [40, 90]\nreplicates = [2]\n',
            "metamodel.replicates",
        ),
    ],
)
def test_bad_designer_files_exit_2_with_one_line(tmp_path, capsys, table, problem):
    path = tmp_path / "d.toml"
    path.write_text(
        f"""kind = "national"
total = 3
package = "{SCENARIOS / "holistic_spv.toml"}"
[archetype_scenarios]
default = "{SCENARIOS / "baseline.toml"}"
"""
        + table.replace("{cfc}", str(SCENARIOS / "cfc.toml")),
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError):
        load_designer(path)
    code = main(["allocate", str(path), "--budget-cr", "100", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "d.toml" in err and problem in err


@pytest.mark.parametrize("budget", ["-5", "lots", "inf"])
def test_a_bad_budget_exits_2_with_one_line(designer_file, tmp_path, capsys, budget):
    with pytest.raises(SystemExit) as stop:
        main(["allocate", str(designer_file), "--budget-cr", budget, "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.count("\n") == 1 and "--budget-cr" in err


@pytest.mark.slow
def test_the_designer_end_to_end(designer_file, tmp_path):
    out = tmp_path / "out"
    design = api.allocate(designer_file, 50.0, out, workers=2)
    table = pd.read_csv(out / "allocation.csv")
    assert len(table) == 4 and table["cost_cr"].sum() <= 50.0 + 1e-6
    ineligible = table["cluster"].isin(["Beta"]) | table["illustrative"]  # employment < 1000
    assert (table.loc[ineligible, "package"] == "nothing").all()
    assert not table["cluster"].str.startswith("Synthetic").any()
    verification = pd.read_csv(out / "verification.csv")
    assert set(verification["allocation"]) >= {"optimal", "holistic_for_largest"}
    treats_all = verification["allocation"].map(lambda a: (design.choices[a] > 0).all())
    assert (verification.loc[treats_all, "displaced_other_clusters"] == 0.0).all()
    for name in ("allocation.md", "allocation.png", "rules_of_thumb.csv", "robustness.csv"):
        assert (out / name).stat().st_size > 0
    again = api.allocate(designer_file, 50.0, out, workers=2)  # resumed: the same choice
    assert np.array_equal(again.choices["optimal"], design.choices["optimal"])
