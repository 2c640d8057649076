"""The scheme designer, from finished runs to a choice: the metamodel's effects for every cluster
and package, the constraints as a :class:`~clustersim.analysis.allocation.Problem`, the optimal
allocation and its greedy check, the rules of thumb, the robustness across prior draws, and the
verification in national markets (issue 21).  Writing the outputs is
:mod:`clustersim.views.allocation`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import allocation as alloc
from .metamodel import (
    MEASURES,
    Z95,
    EffectTables,
    choose_forms,
    cluster_effects,
    design_effects,
    fit_metamodel,
    fit_summary,
    held_out_replicates,
    held_out_sizes,
    lack_of_fit,
    run_measures,
    selected,
)

#: What each objective maximises: the measure it reads.
OBJECTIVE_MEASURE = {"net_jobs": "net_jobs", "npv": "npv", "exports": "exports"}
#: The 2003 cluster programme's criteria and the column of the cluster data that measures each
#: (None: the data has no such column, so the criterion cannot be applied).
CRITERIA_2003 = {
    "distinct product and technology": None,
    "infrastructure": None,
    "supporting institutions": None,
    "growth potential": None,
    "local leadership": None,
    "employment": "employment",
    "exports": "exports_inr_cr",
}
RULES = (
    "equal_money_per_cluster",
    "money_in_proportion_to_firms",
    "criteria_of_2003",
    "holistic_for_largest",
)


@dataclass
class Design:
    """Everything the designer found: the effects, the fit, the choices and their evaluation."""

    budget_cr: float
    objective: str
    clusters: pd.DataFrame  # name, label, state, archetype, n_firms, synthetic
    packages: list[str]
    effects: EffectTables
    problem: alloc.Problem
    choices: dict[str, np.ndarray]  # "optimal", "greedy" and the rules
    fit: pd.DataFrame  # held-out checks, summarised
    check: pd.DataFrame  # held-out interior sizes, every form and cell
    forms: dict  # (package, measure) -> the form chosen
    robust: dict
    runs: int = 0
    horizon_quarters: int = 0
    verification: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


def clusters_frame(designer) -> pd.DataFrame:
    rows = []
    for c in designer.national.clusters:
        label = (
            f"{c.archetype.replace('_', ' ')}, {c.state} (illustrative)" if c.synthetic else c.name
        )
        rows.append(
            {
                "label": label,
                "state": c.state,
                "archetype": c.archetype,
                "n_firms": c.n_firms,
                "synthetic": c.synthetic,
            }
        )
    return pd.DataFrame(rows)


def build_problem(designer, effects: EffectTables, budget: float, objective: str) -> alloc.Problem:
    """The constraints of the designer file on the metamodel's expected values and costs."""
    measure = OBJECTIVE_MEASURE[objective]
    costs = np.maximum(effects.expected["cost_cr"], 0.0)
    n, k = costs.shape
    allowed = np.ones((n, k), dtype=bool)
    limits = designer.constraints
    if limits["max_cluster_cr"] > 0:
        allowed &= costs <= limits["max_cluster_cr"]
    if limits["mandatory"]:
        has = np.array([limits["mandatory"] in p.interventions for p in designer.menu])
        allowed &= has[None, :]
    if limits["eligibility_column"]:
        column = limits["eligibility_column"]
        values = np.array([row[column] for row in designer.data], dtype=float)
        eligible = np.nan_to_num(values, nan=-np.inf) >= limits["eligibility_min"]
        allowed &= eligible[:, None]
    allowed[:, 0] = True
    floors = []
    if limits["min_state_share"] > 0:
        states = np.array([c.state for c in designer.national.clusters])
        real = np.array([not c.synthetic for c in designer.national.clusters])
        for state in sorted(set(states[real])):
            members = np.flatnonzero((states == state) & real)
            most = float(np.where(allowed[members], costs[members], 0).max(axis=1).sum())
            floors.append((members, min(limits["min_state_share"] * budget, most)))
        if sum(f for _, f in floors) > budget + 1e-9:
            from ..inputs.files import _fail

            _fail(
                designer.path,
                "constraints.min_state_share",
                limits["min_state_share"],
                f"the {len(floors)} states' floors add up to Rs "
                f"{sum(f for _, f in floors):,.0f} crore, more than the budget",
                f"at most 1 / {len(floors)} (the number of states with a real cluster)",
            )
    return alloc.Problem(effects.expected[measure], costs, allowed, budget, floors)


def criteria_order(designer) -> np.ndarray:
    """The clusters in the order the 2003 criteria with data rank them (the mean of their
    percentile ranks among the clusters that report each); clusters with none of them last, the
    larger first."""
    data = pd.DataFrame(designer.data)
    columns = [c for c in CRITERIA_2003.values() if c]
    ranks = data[columns].rank(pct=True)
    score = ranks.mean(axis=1, skipna=True)
    order = pd.DataFrame({"score": score.fillna(-1.0), "units": data["units"]})
    return order.sort_values(["score", "units"], ascending=False, kind="stable").index.to_numpy()


def evaluate(design: Design, choice: np.ndarray, members: np.ndarray | None = None) -> dict:
    """An allocation's cost and expected measures with 95 % intervals (spread across draws and
    the fit's error; the fit's errors are summed over every cluster given the same package, since
    one fit per package over all archetypes shares its curvature, draw shifts and lack-of-fit term
    among them (a conservative bound), and in quadrature across packages); ``members``: over
    these clusters only."""
    e = design.effects
    rows = np.arange(len(choice)) if members is None else np.asarray(members)
    choice = np.asarray(choice)[rows]
    groups = choice
    out = {}
    for m in MEASURES:
        totals = e.by_draw[m][:, rows, choice].sum(axis=1)
        se = pd.Series(e.se[m][rows, choice]).groupby(groups).sum()
        spread = totals.std(ddof=1) if len(totals) > 1 else 0.0
        half = Z95 * math.sqrt(spread**2 + float((se**2).sum()))
        expected = float(e.expected[m][rows, choice].sum())
        out[m] = expected
        out[f"{m}_low"], out[f"{m}_high"] = expected - half, expected + half
        out[f"{m}_at_defaults"] = float(e.at_defaults[m][rows, choice].sum())
    # what the budget counts: each package's expected cost, none below zero (a guarantee whose
    # fees exceed its claims does not add to the budget); cost_cr above is the net public cost
    out["spent_cr"] = float(design.problem.costs[rows, choice].sum())
    out["clusters_treated"] = int((choice > 0).sum())
    return out


def decide(designer, series: pd.DataFrame, budget: float, objective: str) -> Design:
    """The designer's whole analysis on the finished runs of its metamodel design."""
    from ..experiments.allocate import metamodel_design

    effects_runs = design_effects(series, metamodel_design(designer), designer.discount_rate)
    check = held_out_sizes(effects_runs)
    forms = choose_forms(check)
    fits = fit_metamodel(effects_runs, forms)
    lack_of_fit(fits, selected(check, forms))
    replicates_check = held_out_replicates(effects_runs, forms)
    clusters = clusters_frame(designer)
    tables = cluster_effects(
        fits, list(clusters["archetype"]), clusters["n_firms"].to_numpy(), designer.package_names
    )
    problem = build_problem(designer, tables, budget, objective)
    optimal = alloc.solve(problem)
    holistic = int(np.argmax([len(p.interventions) for p in designer.menu]))
    choices = {"optimal": optimal, "greedy": alloc.greedy(problem)}
    choices.update(
        alloc.rules_of_thumb(
            problem, clusters["n_firms"].to_numpy(float), criteria_order(designer), holistic
        )
    )
    measure = OBJECTIVE_MEASURE[objective]
    robust = alloc.robustness(
        problem, optimal, tables.by_draw[measure], np.maximum(tables.by_draw["cost_cr"], 0.0)
    )
    return Design(
        budget_cr=budget,
        objective=objective,
        clusters=clusters,
        packages=designer.package_names,
        effects=tables,
        problem=problem,
        choices=choices,
        fit=fit_summary(check, replicates_check, forms),
        check=check,
        forms=forms,
        robust=robust,
        runs=len(series[["run_id"]].drop_duplicates()),
        horizon_quarters=int(series["quarter"].max()),
    )


def verification_allocations(designer, design: Design) -> dict[str, list[dict]]:
    """The allocations run in national markets: the optimal one and each rule of thumb (the
    greedy check is not run: it is an allocation on the same effects)."""
    menu = designer.menu
    return {name: [menu[k].overrides for k in design.choices[name]] for name in ("optimal", *RULES)}


def verification_gap(design: Design, series: pd.DataFrame, annual_rate: float) -> pd.DataFrame:
    """Each allocation simulated in national markets (against the baseline, same seeds) beside
    the metamodel's expectation: one row per allocation and measure."""
    runs = run_measures(series, annual_rate)
    base = runs[runs["package"] == "baseline"].set_index(["point", "replicate"])
    rows = []
    for name, frame in runs[runs["package"] != "baseline"].groupby("package"):
        frame = frame.set_index(["point", "replicate"])
        members = np.unique(frame.index.get_level_values("point"))
        expected = evaluate(design, design.choices[name], members)
        # the clusters the allocation leaves out (menu's "nothing"): what they lose is what the
        # treated clusters of their product take from them
        left_out = frame.index.get_level_values("point").isin(
            members[design.choices[name][members] == 0]
        )
        for m in MEASURES:
            change = frame[m] - base[m].reindex(frame.index)
            diff = change.groupby(level="replicate").sum()
            simulated = float(diff.mean())
            displaced = float(change[left_out].groupby(level="replicate").sum().mean())
            at_defaults = expected[f"{m}_at_defaults"]
            rows.append(
                {
                    "allocation": name,
                    "measure": m,
                    # the national runs are at the parameters' defaults: the metamodel's gap is
                    # against its own effect at the defaults; its expectation under the priors
                    # (what the allocation maximised) and that interval are beside it
                    "metamodel_at_defaults": at_defaults,
                    "metamodel_priors": expected[m],
                    "metamodel_priors_low": expected[f"{m}_low"],
                    "metamodel_priors_high": expected[f"{m}_high"],
                    "simulated_national": simulated,
                    "gap": simulated - at_defaults,
                    "gap_share": (simulated - at_defaults) / abs(at_defaults)
                    if at_defaults
                    else math.nan,
                    "clusters_simulated": int(frame.index.get_level_values("point").nunique()),
                    "displaced_other_clusters": displaced if left_out.any() else 0.0,
                }
            )
    return pd.DataFrame(rows)
