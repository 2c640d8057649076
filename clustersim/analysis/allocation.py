"""The scheme designer's choice: one package per cluster, the most of an objective a budget buys
under the constraints (issue 21), the rules of thumb on the same effects, and how robust the
choice is to what we do not know about the interventions' effects.

**The problem.**  Binary ``x[c, k]`` (cluster ``c`` gets package ``k``; package 0 is "nothing"),
``sum_k x[c, k] = 1`` for every cluster, maximise ``sum value[c, k] x[c, k]`` subject to
``sum cost[c, k] x[c, k] <= budget``, each state's spending ``>= its floor`` and
``x[c, k] = 0`` where a package is not allowed (a cap per cluster, a mandatory component, an
eligibility rule).  Solved exactly by :func:`scipy.optimize.milp` (HiGHS); a greedy rule (the
upgrade with the most value per extra rupee first) is the check.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from dataclasses import dataclass

import numpy as np


@dataclass
class Problem:
    """values, costs and allowed: clusters x packages (column 0 "nothing": zero value and cost,
    always allowed); state floors: (members' indices, least spending in Rs crore)."""

    values: np.ndarray
    costs: np.ndarray
    allowed: np.ndarray
    budget: float
    state_floors: list[tuple[np.ndarray, float]]

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape


def objective(problem: Problem, choice: np.ndarray, values: np.ndarray | None = None) -> float:
    v = problem.values if values is None else values
    return float(v[np.arange(len(choice)), choice].sum())


def spending(costs: np.ndarray, choice: np.ndarray) -> float:
    return float(costs[np.arange(len(choice)), choice].sum())


def solve(problem: Problem) -> np.ndarray:
    """The optimal package of every cluster (indices), by mixed-integer linear programming."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import lil_matrix

    n, k = problem.shape
    pairs = np.argwhere(problem.allowed)  # the variables: allowed (cluster, package) pairs
    if not problem.allowed[:, 0].all():
        raise ValueError("'nothing' must be allowed for every cluster")
    costs = np.maximum(problem.costs[pairs[:, 0], pairs[:, 1]], 0.0)
    values = problem.values[pairs[:, 0], pairs[:, 1]]
    one_each = lil_matrix((n, len(pairs)))
    one_each[pairs[:, 0], np.arange(len(pairs))] = 1.0
    constraints = [
        LinearConstraint(one_each.tocsr(), 1.0, 1.0),
        LinearConstraint(costs[None, :], -np.inf, problem.budget),
    ]
    for members, floor in problem.state_floors:
        row = np.where(np.isin(pairs[:, 0], members), costs, 0.0)
        constraints.append(LinearConstraint(row[None, :], floor, np.inf))
    with _quiet():  # HiGHS may print debugging lines of its own
        result = milp(
            -values,
            constraints=constraints,
            integrality=np.ones(len(pairs)),
            bounds=Bounds(0, 1),
            options={"mip_rel_gap": 1e-6, "time_limit": 120.0},
        )
    if result.x is None:
        raise ValueError(f"the allocation problem has no solution ({result.message})")
    chosen = pairs[result.x > 0.5]
    choice = np.zeros(n, dtype=int)
    choice[chosen[:, 0]] = chosen[:, 1]
    return choice


@contextlib.contextmanager
def _quiet():
    """Standard output closed at the file-descriptor level (the solver writes from C)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def greedy(problem: Problem) -> np.ndarray:
    """The check: from "nothing" everywhere, take the upgrade (a cluster moving to a package of
    more value) with the most extra value per extra rupee that the money left still buys, until
    none does.  State floors are ignored (the exact solution is compared on the same problem)."""
    n, _ = problem.shape
    costs = np.maximum(problem.costs, 0.0)
    values = np.where(problem.allowed, problem.values, -np.inf)
    choice = np.zeros(n, dtype=int)
    left = problem.budget
    while True:
        rows = np.arange(n)
        gain = values - values[rows, choice][:, None]
        extra = costs - costs[rows, choice][:, None]
        feasible = (gain > 1e-12) & (extra <= left + 1e-9)
        if not feasible.any():
            return choice
        free = feasible & (extra <= 0)
        ratio = np.where(free, np.inf, gain / np.where(extra > 0, extra, 1.0))
        ratio = np.where(feasible, ratio, -np.inf)
        best = np.flatnonzero(ratio == ratio.max())
        c, k = np.unravel_index(best[np.argmax(gain.ravel()[best])], ratio.shape)
        left -= extra[c, k]
        choice[c] = k


def brute_force(problem: Problem) -> np.ndarray:
    """Every allocation tried (tests: tiny problems only)."""
    import itertools

    n, k = problem.shape
    best, best_value = None, -math.inf
    costs = np.maximum(problem.costs, 0.0)
    for combo in itertools.product(range(k), repeat=n):
        choice = np.array(combo)
        if not problem.allowed[np.arange(n), choice].all():
            continue
        if spending(costs, choice) > problem.budget + 1e-9:
            continue
        if any(spending(costs[m], choice[m]) < f - 1e-9 for m, f in problem.state_floors):
            continue
        value = objective(problem, choice)
        if value > best_value + 1e-9:
            best, best_value = choice, value
    return best


# ------------------------------------------------------------------ rules of thumb
def within_allowance(problem: Problem, allowance: np.ndarray) -> np.ndarray:
    """Each cluster's most valuable allowed package that its own allowance pays for."""
    costs = np.maximum(problem.costs, 0.0)
    ok = problem.allowed & (costs <= allowance[:, None] + 1e-9)
    values = np.where(ok, problem.values, -np.inf)
    values[:, 0] = np.where(ok[:, 0], 0.0, values[:, 0])
    return np.argmax(values, axis=1)


def in_order(problem: Problem, order: np.ndarray, package: int) -> np.ndarray:
    """``package`` to the clusters in ``order`` while the money lasts (a cluster it does not fit,
    or may not have, is passed over)."""
    costs = np.maximum(problem.costs, 0.0)
    choice = np.zeros(problem.shape[0], dtype=int)
    left = problem.budget
    for c in order:
        if problem.allowed[c, package] and costs[c, package] <= left:
            choice[c] = package
            left -= costs[c, package]
    return choice


def rules_of_thumb(
    problem: Problem, n_firms: np.ndarray, criteria_order: np.ndarray, holistic: int
) -> dict[str, np.ndarray]:
    """The rules a ministry might use instead, on the same budget and effects."""
    n = problem.shape[0]
    return {
        "equal_money_per_cluster": within_allowance(problem, np.full(n, problem.budget / n)),
        "money_in_proportion_to_firms": within_allowance(
            problem, problem.budget * n_firms / n_firms.sum()
        ),
        "criteria_of_2003": in_order(problem, criteria_order, holistic),
        "holistic_for_largest": in_order(problem, np.argsort(-n_firms, kind="stable"), holistic),
    }


# ------------------------------------------------------------------ robustness
def robustness(
    problem: Problem, chosen: np.ndarray, values_by_draw: np.ndarray, costs_by_draw: np.ndarray
) -> dict:
    """Re-optimise in each prior draw (its own values and costs): how often each cluster x package
    is chosen, the chosen allocation's objective in each draw, each draw's best and the regret.
    Where the chosen allocation costs more than the budget at a draw's costs, its regret is
    against the best that the same money buys in that draw (``budget_of_comparison_cr``), so that
    overspending never passes for a gain; how often each package is chosen is at the budget."""
    draws, n, k = values_by_draw.shape
    frequency = np.zeros((n, k))
    rows = []
    for d in range(draws):
        costs = np.maximum(costs_by_draw[d], 0.0)
        most = np.where(problem.allowed, costs, 0.0).max(axis=1)  # a state's dearest choice
        floors = [(m, min(f, float(most[m].sum()))) for m, f in problem.state_floors]
        p = Problem(values_by_draw[d], costs, problem.allowed, problem.budget, floors)
        best = solve(p)
        frequency[np.arange(n), best] += 1
        cost = spending(costs, chosen)
        if cost > problem.budget + 1e-9:
            p = Problem(values_by_draw[d], costs, problem.allowed, cost, floors)
            rival = solve(p)
        else:
            rival = best
        achieved = objective(p, chosen)
        top = objective(p, rival)
        rows.append(
            {
                "draw": d,
                "objective_chosen": achieved,
                "objective_best": top,
                "regret": top - achieved,
                "regret_share": (top - achieved) / top if top > 0 else math.nan,
                "cost_chosen_cr": cost,
                "budget_of_comparison_cr": p.budget,
                "same_package_share": float((best == chosen).mean()),
            }
        )
    return {"frequency": frequency / draws, "draws": rows}
