"""The scheme designer's metamodel: each cluster x package's effect estimated from simulated
representative clusters (issue 21).

**Measures** of a run against the "nothing" run of the same cell, draw and replicate (same seed):

- ``net_jobs``: jobs net of the full-time work the cluster's workers had outside it (``jobs_net``)
  at the horizon;
- ``npv``: the present value, at the experiment's discount rate, over the policy quarters, of
  workers' net earnings (``earnings_gain``) plus profits (value added less the wage bill,
  ``wage x jobs``: operating surplus before interest and overheads), less the public cost's;
- ``exports``: export sales net of the imported inputs they embody, summed over the policy
  quarters (Rs crore, undiscounted, as the national summary's);
- ``cost_cr``: the public cost at the horizon (Rs crore, cumulative over the policy quarters).

**The metamodel.**  For each package and measure, over every archetype together, the effect per
firm of a run is

    effect / firms = a_arch + b_arch l + c l^2 + delta_draw + error,   l = log(firms) - l0

(``l0`` the mean log of the simulated sizes; an intercept and a slope for each archetype, one
curvature for the package, one shift for each draw of the priors and one for the defaults,
``delta_0 = 0``), fitted by weighted least squares with each run weighted by the inverse of its
size's replicate variance (a small cluster's effect per firm is much noisier).  A cluster of ``n``
firms is expected to gain ``n (a + b l + c l^2 + mean of the prior draws' delta)``; ``l`` is held at
the simulated range's ends outside it (the effect per firm of the nearest size simulated, never a
curve extrapolated).  Its 95 % interval adds, in quadrature, the spread across the prior draws
(the interventions' parameter uncertainty), the fit's standard error and the error measured out
of sample beyond the held-out cells' own noise (:func:`lack_of_fit`).  The fit is checked on
held-out interior sizes (interpolation, which is what the allocation uses) and on held-out
replicates (:func:`held_out_sizes`, :func:`held_out_replicates`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..experiments.design import BASELINE
from .national import net_exports

MEASURES = ("net_jobs", "npv", "exports", "cost_cr")
Z95 = 1.959964


def run_measures(series: pd.DataFrame, annual_rate: float) -> pd.DataFrame:
    """One row per run: its level of each measure's quantity (before differencing)."""
    s = series[series["quarter"] >= 1].copy()
    s["net_exports"] = net_exports(s)
    wage_bill = s["wage"] * s["jobs"] / 400.0  # Rs lakh a worker a year -> Rs crore a quarter
    s["surplus"] = s["earnings_gain"] + s["value_added"] - wage_bill
    s = s.sort_values(["run_id", "quarter"])
    s["spend"] = s.groupby("run_id")["public_cost_cr"].diff().fillna(s["public_cost_cr"])
    discount = (1.0 + annual_rate) ** (s["quarter"] / 4.0)
    s["pv"] = (s["surplus"] - s["spend"]) / discount
    keys = ["package", "point", "replicate"]
    runs = s.groupby(keys).agg(
        npv=("pv", "sum"),
        exports=("net_exports", "sum"),
    )
    final = s[s["quarter"] == s.groupby(keys)["quarter"].transform("max")].set_index(keys)
    runs["net_jobs"] = final["jobs_net"]
    runs["cost_cr"] = final["public_cost_cr"]
    return runs.reset_index()


def design_effects(series: pd.DataFrame, design, annual_rate: float) -> pd.DataFrame:
    """Every package's effect in every cell, draw and replicate of ``design`` (a
    :class:`~clustersim.experiments.allocate.DesignExperiment`): one row each, with the cell's
    archetype and firms; "nothing" is the baseline."""
    runs = run_measures(series, annual_rate)
    base = runs[runs["package"] == BASELINE].set_index(["point", "replicate"])
    rows = runs[runs["package"] != BASELINE].set_index(["point", "replicate"])
    effects = rows[["package"]].copy()
    for m in MEASURES:
        effects[m] = rows[m] - base[m].reindex(rows.index)
    effects = effects.dropna().reset_index()
    cells, points = design.cells, design.points
    effects["archetype"] = [cells[points[p]["cell"]].archetype for p in effects["point"]]
    effects["n_firms"] = [cells[points[p]["cell"]].n_firms for p in effects["point"]]
    effects["draw"] = [points[p]["draw"] for p in effects["point"]]
    return effects


@dataclass
class Fit:
    """One package x measure over every archetype: coefficients and their covariance (the
    module's form), the draws (the prior draws first, then the defaults), the simulated range of
    log firms, each size's replicate variance of the effect per firm and the lack of fit per firm
    measured out of sample (0 until :func:`lack_of_fit` sets it)."""

    archetypes: list[str]
    draws: int
    prior_draws: int
    centre: float
    log_range: tuple[float, float]
    coef: np.ndarray
    cov: np.ndarray
    noise_var: dict[int, float]
    form: str = "quadratic"
    lack_of_fit: float = 0.0

    def matrix(self, archetype, log_n, draw) -> np.ndarray:
        """Design rows: archetype names, log firms and draws (an int each, or None for the mean
        over the prior draws)."""
        return design_rows(
            self.archetypes,
            self.draws,
            self.prior_draws,
            self.centre,
            archetype,
            np.clip(log_n, *self.log_range),
            draw,
            self.form,
        )

    def per_firm(self, archetype: str, n_firms, draw: int | None = None):
        """Effect per firm of ``archetype`` at ``n_firms``: in ``draw``, or (None) the mean over
        the prior draws; and the fit's standard error of it."""
        log_n = np.log(np.atleast_1d(np.asarray(n_firms, dtype=float)))
        x = self.matrix([archetype] * len(log_n), log_n, [draw] * len(log_n))
        return x @ self.coef, np.sqrt(np.einsum("ij,jk,ik->i", x, self.cov, x))


#: The forms fitted, simplest first: an effect per firm for each archetype (``flat``), plus a slope
#: in log firms for each (``linear``), plus one curvature for the package (``quadratic``).
FORMS = ("flat", "linear", "quadratic")


def design_rows(
    archetypes, draws, prior_draws, centre, archetype, log_n, draw, form="quadratic"
) -> np.ndarray:
    """The module's form as a matrix: archetype intercepts, archetype slopes in ``l`` (forms
    ``linear`` and ``quadratic``), one curvature ``l^2`` (``quadratic``), draw shifts (draw 0
    none; ``None`` the mean over the prior draws)."""
    a = len(archetypes)
    index = {name: i for i, name in enumerate(archetypes)}
    ell = np.asarray(log_n, dtype=float) - centre
    rows = np.arange(len(ell))
    which = np.array([index[name] for name in archetype], dtype=int)
    intercepts = np.zeros((len(ell), a))
    intercepts[rows, which] = 1.0
    columns = [intercepts]
    if form in ("linear", "quadratic"):
        columns.append(intercepts * ell[:, None])
    if form == "quadratic":
        columns.append((ell**2)[:, None])
    shifts = np.zeros((len(ell), draws - 1))
    for i, d in enumerate(draw):
        if d is None:
            shifts[i, : prior_draws - 1] = 1.0 / prior_draws
        elif d > 0:
            shifts[i, d - 1] = 1.0
    return np.hstack([*columns, shifts])


def replicate_variance(frame: pd.DataFrame, measure: str) -> dict[int, float]:
    """Each size's variance of one run's effect per firm across replicates (pooled over
    archetypes and draws: the Monte Carlo noise the weights and the checks use)."""
    y = frame[measure] / frame["n_firms"]
    cells = frame.assign(y=y).groupby(["n_firms", "archetype", "draw"])["y"]
    var = cells.var(ddof=1).groupby(level="n_firms").mean()
    floor = max(float(var.max()) * 1e-6, 1e-18)  # a measure without noise (a fixed cost)
    return {int(n): max(float(v), floor) if np.isfinite(v) else floor for n, v in var.items()}


def fit_one(
    frame: pd.DataFrame,
    measure: str,
    draws: int,
    prior_draws: int,
    noise_var: dict[int, float] | None = None,
    form: str = "quadratic",
) -> Fit:
    """Weighted least squares of ``measure`` per firm on the module's ``form``, over the runs of
    one package (every archetype); ``noise_var`` (each size's replicate variance) sets the
    weights."""
    archetypes = sorted(frame["archetype"].unique())
    log_n = np.log(frame["n_firms"].to_numpy(float))
    sizes = np.log(sorted(frame["n_firms"].unique()))
    centre = float(sizes.mean())
    noise_var = noise_var or replicate_variance(frame, measure)
    x = design_rows(
        archetypes,
        draws,
        prior_draws,
        centre,
        frame["archetype"],
        log_n,
        [int(d) for d in frame["draw"]],
        form,
    )
    y = (frame[measure] / frame["n_firms"]).to_numpy(float)
    w = 1.0 / np.array([noise_var[int(n)] for n in frame["n_firms"]])
    sw = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(x * sw[:, None], y * sw, rcond=None)
    residual = (y - x @ coef) * sw
    dof = max(len(y) - np.linalg.matrix_rank(x), 1)
    scale = float(residual @ residual) / dof  # ~1 when the form fits to the noise
    cov = max(scale, 1.0) * np.linalg.pinv((x * w[:, None]).T @ x)
    return Fit(
        archetypes,
        draws,
        prior_draws,
        centre,
        (float(sizes[0]), float(sizes[-1])),
        coef,
        cov,
        noise_var,
        form,
    )


def draw_counts(effects: pd.DataFrame) -> tuple[int, int]:
    """(every draw, the prior draws): the last draw holds the defaults when there are priors."""
    draws = int(effects["draw"].max()) + 1
    return draws, max(draws - 1, 1)


#: how many sizes each form needs to be identified
SIZES_NEEDED = {"flat": 1, "linear": 2, "quadratic": 3}


def fit_metamodel(effects: pd.DataFrame, forms: dict | None = None) -> dict[tuple[str, str], Fit]:
    """A fit for every package x measure, of its form in ``forms`` (default ``flat``)."""
    draws, prior = draw_counts(effects)
    forms = forms or {}
    return {
        (package, m): fit_one(frame, m, draws, prior, form=forms.get((package, m), "flat"))
        for package, frame in effects.groupby("package")
        for m in MEASURES
    }


def _cell_means(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The mean effect per firm of each archetype x size (over draws and replicates)."""
    return (
        frame.assign(y=frame[measure] / frame["n_firms"])
        .groupby(["archetype", "n_firms"], as_index=False)
        .agg(simulated=("y", "mean"), runs=("y", "size"), draws=("draw", "unique"))
    )


def held_out_sizes(effects: pd.DataFrame, forms=FORMS) -> pd.DataFrame:
    """Each interior size held out in turn: every form (that the other sizes identify) fitted on
    the other sizes, every archetype's mean effect at it (over its draws and replicates)
    predicted; one row per form x package x measure x archetype x size, per firm, with the
    held-out mean's own noise (its standard error)."""
    draws, prior = draw_counts(effects)
    sizes = sorted(effects["n_firms"].unique())
    rows = []
    for package, frame in effects.groupby("package"):
        for m in MEASURES:
            noise = replicate_variance(frame, m)
            for size in sizes[1:-1]:
                train = frame[frame["n_firms"] != size]
                cells = _cell_means(frame[frame["n_firms"] == size], m)
                for form in forms:
                    if SIZES_NEEDED[form] > len(sizes) - 1:
                        continue
                    fit = fit_one(train, m, draws, prior, noise, form)
                    fit.log_range = (-np.inf, np.inf)  # the held-out size is inside: no clamping
                    for cell in cells.itertuples():
                        k = len(cell.draws)
                        x = fit.matrix(
                            [cell.archetype] * k, np.full(k, np.log(size)), list(cell.draws)
                        )
                        rows.append(
                            {
                                "form": form,
                                "package": package,
                                "measure": m,
                                "archetype": cell.archetype,
                                "n_firms": int(size),
                                "simulated": cell.simulated,
                                "predicted": float((x @ fit.coef).mean()),
                                "noise_se": math.sqrt(noise[int(size)] / cell.runs),
                            }
                        )
    return pd.DataFrame(
        rows,
        columns=[
            "form",
            "package",
            "measure",
            "archetype",
            "n_firms",
            "simulated",
            "predicted",
            "noise_se",
        ],
    )


def choose_forms(sizes_check: pd.DataFrame) -> dict[tuple[str, str], str]:
    """Each package x measure's form: the one of least squared error on the held-out interior
    sizes (the simplest on a tie; ``flat`` where no interior size was held out)."""
    if sizes_check.empty:
        return {}
    error = (sizes_check["predicted"] - sizes_check["simulated"]) ** 2
    mse = sizes_check.assign(error=error).groupby(["package", "measure", "form"])["error"].mean()
    chosen = {}
    for (package, m), part in mse.groupby(level=["package", "measure"]):
        by_form = part.droplevel(["package", "measure"])
        ranked = sorted(by_form.index, key=lambda f: (by_form[f], FORMS.index(f)))
        chosen[(package, m)] = ranked[0]
    return chosen


def selected(sizes_check: pd.DataFrame, forms: dict) -> pd.DataFrame:
    """The rows of the held-out check of each package x measure's chosen form."""
    if sizes_check.empty:
        return sizes_check
    keep = [
        forms.get((p, m), "flat") == f
        for p, m, f in zip(
            sizes_check["package"], sizes_check["measure"], sizes_check["form"], strict=True
        )
    ]
    return sizes_check[keep]


def held_out_replicates(effects: pd.DataFrame, forms: dict | None = None) -> pd.DataFrame:
    """Each of the first two replicates held out in turn: fitted (each package x measure's form)
    on the other replicates, each held-out run's effect per firm predicted; one row per run,
    with one run's noise (the replicate standard deviation at its size), the least error a
    perfect fit would make."""
    draws, prior = draw_counts(effects)
    forms = forms or {}
    rows = []
    for package, frame in effects.groupby("package"):
        for m in MEASURES:
            noise = replicate_variance(frame, m)
            form = forms.get((package, m), "flat")
            for r in (0, 1):
                test = frame[frame["replicate"] == r]
                fit = fit_one(frame[frame["replicate"] != r], m, draws, prior, noise, form)
                x = fit.matrix(
                    test["archetype"],
                    np.log(test["n_firms"].to_numpy(float)),
                    [int(d) for d in test["draw"]],
                )
                rows.append(
                    pd.DataFrame(
                        {
                            "form": form,
                            "package": package,
                            "measure": m,
                            "archetype": test["archetype"].to_numpy(),
                            "n_firms": test["n_firms"].to_numpy(),
                            "replicate": r,
                            "simulated": (test[m] / test["n_firms"]).to_numpy(float),
                            "predicted": x @ fit.coef,
                            "noise_se": [math.sqrt(noise[int(n)]) for n in test["n_firms"]],
                        }
                    )
                )
    return pd.concat(rows, ignore_index=True)


def lack_of_fit(fits: dict, sizes_check: pd.DataFrame) -> None:
    """Each fit's error per firm measured on held-out interior sizes (its own form's rows)
    beyond the held-out means' own noise: sqrt(max(mean squared error - mean noise variance,
    0)), set on the fit."""
    for (package, m), fit in fits.items():
        part = sizes_check[
            (sizes_check["package"] == package)
            & (sizes_check["measure"] == m)
            & (sizes_check["form"] == fit.form)
        ]
        if len(part):
            excess = ((part["predicted"] - part["simulated"]) ** 2 - part["noise_se"] ** 2).mean()
            fit.lack_of_fit = math.sqrt(max(float(excess), 0.0))


def _scores(part: pd.DataFrame) -> dict:
    """R^2 of the totals (effect per firm x firms, pooled over packages, archetypes and sizes, as
    the earlier check reported it) and per firm; RMSE per firm against the noise floor."""
    out = {}
    for scale, weight in (("totals", part["n_firms"]), ("per_firm", 1.0)):
        sim, pred = part["simulated"] * weight, part["predicted"] * weight
        total = float(((sim - sim.mean()) ** 2).sum())
        error = float(((pred - sim) ** 2).sum())
        out[f"r2_{scale}"] = 1 - error / total if total > 0 else math.nan
        # the most a perfect fit could reach, given the held-out values' own noise
        noise = float(((part["noise_se"] * weight) ** 2).sum())
        out[f"r2_{scale}_ceiling"] = 1 - noise / total if total > 0 else math.nan
    out["rmse_per_firm"] = math.sqrt(float(((part["predicted"] - part["simulated"]) ** 2).mean()))
    out["noise_floor_per_firm"] = math.sqrt(float((part["noise_se"] ** 2).mean()))
    out["cells"] = len(part)
    return out


def fit_summary(
    sizes_check: pd.DataFrame, replicates_check: pd.DataFrame, forms: dict
) -> pd.DataFrame:
    """Per measure and check: the R^2 of totals and per firm with their ceilings, and the RMSE
    per firm against the noise floor; for held-out interior sizes, of each package's chosen form
    (``form`` "chosen") and of every form alike, for comparison; for held-out replicates, of the
    chosen forms."""
    out = []
    parts = [("interior_sizes", "chosen", selected(sizes_check, forms))]
    parts += [("interior_sizes", f, sizes_check[sizes_check["form"] == f]) for f in FORMS]
    parts += [("replicates", "chosen", replicates_check)]
    for check, form, frame in parts:
        for m, part in frame.groupby("measure", sort=False):
            out.append({"measure": m, "held_out": check, "form": form, **_scores(part)})
    return pd.DataFrame(out)


@dataclass
class EffectTables:
    """Each cluster x package (``nothing`` first, all zero): per measure, the expected effect
    (mean over the prior draws), its fit error (the fit's standard error and the lack of fit
    measured out of sample, in quadrature), the effect in each prior draw (``draws`` x clusters x
    packages) and at the parameters' defaults."""

    packages: list[str]
    expected: dict[str, np.ndarray]  # measure -> clusters x packages
    se: dict[str, np.ndarray]
    by_draw: dict[str, np.ndarray]  # measure -> prior draws x clusters x packages
    at_defaults: dict[str, np.ndarray]
    extrapolated: np.ndarray  # clusters: outside the simulated sizes (effect per firm held)

    def interval(self, measure: str) -> tuple[np.ndarray, np.ndarray]:
        """95 % interval of each cluster x package (the module's rule)."""
        spread = self.by_draw[measure].std(axis=0, ddof=1) if len(self.by_draw[measure]) > 1 else 0
        half = Z95 * np.sqrt(spread**2 + self.se[measure] ** 2)
        return self.expected[measure] - half, self.expected[measure] + half


def cluster_effects(
    fits: dict, archetypes: list[str], n_firms, packages: list[str]
) -> EffectTables:
    """The metamodel applied to every cluster (its archetype and firms) and package; the first
    package ("nothing") has no effect and no cost."""
    n = np.asarray(n_firms, dtype=float)
    first = next(iter(fits.values()))
    prior, defaults = first.prior_draws, first.draws - 1
    expected, se, by_draw, at_defaults = {}, {}, {}, {}
    for m in MEASURES:
        expected[m] = np.zeros((len(n), len(packages)))
        se[m] = np.zeros((len(n), len(packages)))
        by_draw[m] = np.zeros((prior, len(n), len(packages)))
        at_defaults[m] = np.zeros((len(n), len(packages)))
        for k, package in enumerate(packages[1:], start=1):
            fit = fits[(package, m)]
            for c, archetype in enumerate(archetypes):
                value, error = fit.per_firm(archetype, n[c])
                expected[m][c, k] = value[0] * n[c]
                se[m][c, k] = math.hypot(error[0], fit.lack_of_fit) * n[c]
                for d in range(prior):
                    by_draw[m][d, c, k] = fit.per_firm(archetype, n[c], d)[0][0] * n[c]
                at_defaults[m][c, k] = fit.per_firm(archetype, n[c], defaults)[0][0] * n[c]
    low, high = np.exp(first.log_range)
    extrapolated = (n < low - 1e-6) | (n > high + 1e-6)
    return EffectTables(packages, expected, se, by_draw, at_defaults, extrapolated)
