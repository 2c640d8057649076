"""Comparing packages with the baseline after a sweep: ``clustersim compare DIR``.

Every effect is a paired difference: replicate r (and parameter point p) of a
package minus replicate r (point p) of the baseline, which share their random
streams.  Confidence intervals are 95 % t intervals on those differences,
Bonferroni-adjusted for the number of packages compared.  Ratios (cost per
job, per job-year, per rupee of exports) get percentile bootstrap intervals
over replicates, and are "undefined" when the effect in the denominator is not
distinguishable from zero.

Two kinds of uncertainty are reported apart when parameters were varied:
Monte Carlo noise (from replicates within a parameter point; it shrinks with
more replicates) and parameter uncertainty (the spread of the effect across
parameter points; it does not).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ..experiments.design import BASELINE, SENSITIVITY_SAMPLERS

SIZE_NAMES = {0: "micro", 1: "small", 2: "medium", 3: "large"}
DISTANCE_BANDS = (0.0, 3.0, 6.0, 10.0, np.inf)
UNDEFINED = "undefined"
SAVING_PER_JOB_LOST = "saving_per_job_lost"
LAKH_PER_CRORE = 100.0


# ------------------------------------------------------------------ reading
def load_results(out: str | Path) -> tuple[pd.DataFrame, dict]:
    """All finished runs' quarterly series (from the end of the burn-in) and the sweep's description."""
    out = Path(out)
    info_path = out / "experiment.json"
    if not info_path.exists():
        raise FileNotFoundError(f"{out}: no sweep here (experiment.json is missing); run `clustersim sweep` first")
    info = json.loads(info_path.read_text(encoding="utf-8"))
    files = sorted((out / "runs").glob("*.parquet"))
    if not files:
        raise FileNotFoundError(f"{out}: the sweep has no finished runs yet")
    series = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    return series, info


def load_firms(out: str | Path) -> pd.DataFrame:
    files = sorted((Path(out) / "firms").glob("*.parquet"))
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True) if files else pd.DataFrame()


# ------------------------------------------------------------- statistics
def paired_differences(series: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Per package, point and replicate: the effect at the horizon, the cumulative effect
    over the policy quarters, and the baseline's level at the horizon."""
    wide = series.pivot_table(index=["point", "replicate", "quarter"], columns="package", values=outcome)
    if BASELINE not in wide:
        raise ValueError("the sweep has no finished baseline runs")
    horizon = wide.index.get_level_values("quarter").max()
    rows = []
    for package in wide.columns:
        if package == BASELINE:
            continue
        diff = (wide[package] - wide[BASELINE]).dropna()
        if diff.empty:
            continue
        frame = diff.rename("diff").reset_index()
        at_h = frame[frame["quarter"] == horizon].set_index(["point", "replicate"])["diff"]
        cumulative = frame[frame["quarter"] >= 1].groupby(["point", "replicate"])["diff"].sum()
        base = wide[BASELINE].xs(horizon, level="quarter").reindex(at_h.index)
        part = pd.DataFrame({"horizon": at_h, "cumulative": cumulative.reindex(at_h.index), "base": base}).reset_index()
        part.insert(0, "package", package)
        rows.append(part)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["package", "point", "replicate", "horizon", "cumulative", "base"])


def t_interval(values, comparisons: int = 1, alpha: float = 0.05) -> tuple[float, float, float]:
    """Mean and Bonferroni-adjusted two-sided t interval (alpha / comparisons)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if len(x) < 2:
        return mean, math.nan, math.nan
    half = stats.t.ppf(1 - alpha / (2 * comparisons), len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return mean, mean - half, mean + half


def replicates_for_half_width(differences, target: float, comparisons: int = 1, alpha: float = 0.05) -> int:
    """Replicates needed for a Bonferroni-adjusted 95 % CI half-width of ``target``:
    n = (t * sd / target)^2, iterated because t depends on n."""
    x = np.asarray(differences, dtype=float)
    if len(x) < 2:
        return 2
    sd = x.std(ddof=1)
    n = max(2, len(x))
    for _ in range(50):
        t = stats.t.ppf(1 - alpha / (2 * comparisons), n - 1)
        new = max(2, math.ceil((t * sd / target) ** 2))
        if new == n:
            break
        n = new
    return n


def bootstrap_ratio(numerator, denominator, rng, draws: int = 2000) -> tuple[float, float, float]:
    """Ratio of means with a percentile bootstrap interval over paired units."""
    num, den = np.asarray(numerator, float), np.asarray(denominator, float)
    estimate = num.mean() / den.mean() if den.mean() != 0 else math.nan
    idx = rng.integers(0, len(num), (draws, len(num)))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = num[idx].mean(axis=1) / den[idx].mean(axis=1)
    ratios = ratios[np.isfinite(ratios)]
    if len(ratios) < draws // 2:
        return estimate, math.nan, math.nan
    return float(estimate), float(np.quantile(ratios, 0.025)), float(np.quantile(ratios, 0.975))


def _summarise(diffs: pd.DataFrame, column: str, comparisons: int) -> dict:
    """Effect with its Monte Carlo CI and, across parameter points, its parameter-uncertainty range."""
    by_point = diffs.groupby("point")[column]
    if by_point.ngroups <= 1:
        mean, lo, hi = t_interval(diffs[column], comparisons)
        return {"estimate": mean, "ci_low": lo, "ci_high": hi, "param_low": math.nan, "param_high": math.nan}
    point_means = by_point.mean()
    # Replicate r shares its random numbers at every point, so the Monte Carlo noise is correlated across
    # points: average over points within each replicate, then take the interval across replicates.
    mean, lo, hi = t_interval(diffs.groupby("replicate")[column].mean(), comparisons)
    return {"estimate": mean, "ci_low": lo, "ci_high": hi,
            "param_low": float(point_means.quantile(0.025)), "param_high": float(point_means.quantile(0.975))}


def replicate_unit(diffs: pd.DataFrame, column: str = "horizon") -> pd.Series:
    """The independent unit for Monte Carlo noise: one value per replicate (averaged over parameter points)."""
    return diffs.groupby("replicate")[column].mean()


# ----------------------------------------------------------- decompositions
def melitz_polanec(first: pd.DataFrame, last: pd.DataFrame) -> dict[str, float]:
    """Dynamic Olley-Pakes decomposition (Melitz & Polanec 2015) of the change in
    employment-weighted labour productivity between two snapshots:
    within (survivors' unweighted mean), reallocation (survivors' covariance),
    entry and exit contributions.  Productivity in Rs lakh of real value added per
    worker per year; the four parts add up to the total change."""
    def prepare(frame):
        frame = frame[frame["workers"] > 0]
        return frame.assign(phi=4.0 * frame["real_value_added"] / frame["workers"]).set_index(["slot", "entry_step"])

    a, b = prepare(first), prepare(last)
    survivors = a.index.intersection(b.index)

    def aggregate(frame):
        w = frame["workers"]
        return float((w * frame["phi"]).sum() / w.sum()) if len(frame) else 0.0

    def olley_pakes(frame):
        share = frame["workers"] / frame["workers"].sum()
        return float(frame["phi"].mean()), float(((share - share.mean()) * (frame["phi"] - frame["phi"].mean())).sum())

    mean_a, cov_a = olley_pakes(a.loc[survivors]) if len(survivors) else (0.0, 0.0)
    mean_b, cov_b = olley_pakes(b.loc[survivors]) if len(survivors) else (0.0, 0.0)
    entrants, exiters = b.drop(survivors), a.drop(survivors)
    share_entry = entrants["workers"].sum() / b["workers"].sum()
    share_exit = exiters["workers"].sum() / a["workers"].sum()
    entry = share_entry * (aggregate(entrants) - aggregate(b.loc[survivors])) if len(entrants) else 0.0
    exit_ = share_exit * (aggregate(a.loc[survivors]) - aggregate(exiters)) if len(exiters) else 0.0
    return {"within": mean_b - mean_a, "reallocation": cov_b - cov_a, "entry": entry, "exit": exit_,
            "total": aggregate(b) - aggregate(a)}


def decomposition_effects(firms: pd.DataFrame, comparisons: int) -> pd.DataFrame:
    """Package minus baseline, per component, paired by point and replicate."""
    if firms.empty:
        return pd.DataFrame()
    horizon = firms["quarter"].max()
    parts = {}
    for (package, point, replicate), frame in firms.groupby(["package", "point", "replicate"]):
        parts[(package, point, replicate)] = melitz_polanec(frame[frame["quarter"] == 0], frame[frame["quarter"] == horizon])
    rows = []
    for (package, point, replicate), comp in parts.items():
        base = parts.get((BASELINE, point, replicate))
        if package == BASELINE or base is None:
            continue
        rows.append({"package": package, "point": point, "replicate": replicate,
                     **{k: comp[k] - base[k] for k in comp}})
    if not rows:
        return pd.DataFrame()
    frame = pd.DataFrame(rows)
    out = []
    for package, group in frame.groupby("package"):
        for component in ("within", "reallocation", "entry", "exit", "total"):
            mean, lo, hi = t_interval(group[component], comparisons)
            out.append({"package": package, "outcome": "productivity", "measure": f"decomposition_{component}",
                        "unit": "Rs lakh/worker/year", "estimate": mean, "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(out)


def who_gains(firms: pd.DataFrame, comparisons: int) -> pd.DataFrame:
    """Change in workers and output of the same firms (same slot and entry), package minus
    baseline at the horizon, by size class, distance to the cluster core (where
    facilities stand by default) and owner gender."""
    if firms.empty:
        return pd.DataFrame()
    horizon = firms["quarter"].max()
    last = firms[firms["quarter"] == horizon]
    base = last[last["package"] == BASELINE].set_index(["point", "replicate", "slot", "entry_step"])
    rows = []
    for package, group in last[last["package"] != BASELINE].groupby("package"):
        joined = group.set_index(["point", "replicate", "slot", "entry_step"]).join(base, how="inner", suffixes=("", "_base"))
        joined = joined.assign(
            size=joined["size_class_base"].map(SIZE_NAMES),
            distance=pd.cut(joined["distance_to_core_base"], DISTANCE_BANDS, right=False,
                            labels=["0-3 cells", "3-6 cells", "6-10 cells", "10+ cells"]),
            owner=np.where(joined["women_owned_base"], "women-owned", "men-owned"))
        for dimension in ("size", "distance", "owner"):
            per_rep = joined.groupby([dimension, "point", "replicate"], observed=True).agg(
                workers=("workers", "sum"), workers_base=("workers_base", "sum"), output=("output", "sum"),
                output_base=("output_base", "sum"), firms=("workers", "size")).reset_index()
            for group_name, g in per_rep.groupby(dimension, observed=True):
                jobs = g["workers"] - g["workers_base"]
                output = 100 * (g["output"] / g["output_base"] - 1)
                for measure, values, unit in (("jobs", jobs, "workers"), ("output_pct", output, "%")):
                    mean, lo, hi = t_interval(values, comparisons)
                    rows.append({"package": package, "outcome": f"who_gains_{dimension}", "measure": f"{group_name}: {measure}",
                                 "unit": unit, "estimate": mean, "ci_low": lo, "ci_high": hi,
                                 "note": f"{g['firms'].mean():.0f} firms in both runs"})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ compare
def compare(out: str | Path, targets: dict[str, float] | None = None, draws: int = 2000, seed: int = 0,
            write: bool = True) -> dict[str, pd.DataFrame]:
    """Effects of every package vs the baseline.  Returns DataFrames ``comparison``
    (tidy: package, outcome, measure, unit, estimate, ci_low, ci_high, ...),
    ``ranking`` and, for Sobol/Morris sweeps, ``sensitivity``; writes
    comparison.csv, summary.md and PNG plots into ``out`` when ``write``."""
    out = Path(out)
    series, info = load_results(out)
    packages = [p for p in info["packages"] if p != BASELINE and p in set(series["package"])]
    comparisons = max(len(packages), 1)
    rate_q = (1 + info.get("discount_rate", 0.08)) ** 0.25 - 1
    rng = np.random.default_rng(seed)
    targets = {**info.get("precision", {}), **(targets or {})}
    outcomes = list(dict.fromkeys([*info.get("outcomes", []), "productivity", "export_share", "jobs"]))
    rows = []
    diffs = {o: paired_differences(series, o) for o in set(outcomes) | {"export_sales", "value_added", "public_cost_cr"}}
    for package in packages:
        for outcome in outcomes:
            d = diffs[outcome][diffs[outcome]["package"] == package]
            if d.empty:
                continue
            base_level = float(d["base"].mean())
            h = _summarise(d, "horizon", comparisons)
            unit = {"export_share": "points", "productivity": "Rs lakh/worker/year", "jobs": "workers"}.get(outcome, "level")
            row = {"package": package, "outcome": outcome, "measure": "effect_at_horizon", "unit": unit, **h,
                   "baseline_level": base_level, "replicates": int(d.groupby("point").size().min()), "points": d["point"].nunique()}
            if outcome == "export_share":
                row.update({k: v * 100 if isinstance(v, float) else v for k, v in h.items()})
                row["baseline_level"] = base_level * 100
            rows.append(row)
            if outcome != "export_share" and base_level:
                rel = _summarise(d.assign(rel=100 * d["horizon"] / d["base"]), "rel", comparisons)
                rows.append({"package": package, "outcome": outcome, "measure": "effect_at_horizon_pct", "unit": "%", **rel})
            c = _summarise(d, "cumulative", comparisons)
            cum_unit = {"jobs": "job-years"}.get(outcome, f"{unit} x quarters")
            scale = {"jobs": 0.25, "export_share": 100.0}.get(outcome, 1.0)
            rows.append({"package": package, "outcome": outcome, "measure": "cumulative_effect", "unit": cum_unit,
                         **{k: v * scale for k, v in c.items()}})
            if outcome in targets:
                scale_pts = 100.0 if outcome == "export_share" else 1.0  # targets are in the units reported
                n = replicates_for_half_width(replicate_unit(d) * scale_pts, targets[outcome], comparisons)
                rows.append({"package": package, "outcome": outcome, "measure": "replicates_needed", "unit": "replicates",
                             "estimate": n, "note": f"for a 95 % CI half-width of {targets[outcome]:g}"})
        rows += _value_for_money(package, diffs, comparisons, rate_q, rng, draws)
    if packages:
        rows += npv_rows(series, packages, rate_q, comparisons)
    table = pd.DataFrame(rows)
    firms = load_firms(out)
    if not firms.empty and packages:
        table = pd.concat([table, who_gains(firms, comparisons), decomposition_effects(firms, comparisons)], ignore_index=True)
    ranking = _ranking(table, packages)
    result = {"comparison": table, "ranking": ranking}
    if info.get("sampler", {}).get("method") in SENSITIVITY_SAMPLERS:
        result["sensitivity"] = sensitivity(series, info, outcomes, seed)
    if write:
        table.to_csv(out / "comparison.csv", index=False, float_format="%.6g")
        ranking.to_csv(out / "ranking.csv", index=False, float_format="%.6g")
        if "sensitivity" in result:
            result["sensitivity"].to_csv(out / "sensitivity.csv", index=False, float_format="%.6g")
        if not ranking.empty:
            (out / "summary.md").write_text(summary_markdown(table, ranking, info, series), encoding="utf-8")
        from ..views import compare_plots

        if not table.empty:  # a sweep with only baseline runs finished has nothing to plot yet
            compare_plots.forest(table, out / "forest.png", info)
            compare_plots.paths(series, out / "paths.png", info)
        if "sensitivity" in result:
            compare_plots.sensitivity(result["sensitivity"], out / "sensitivity.png")
    return result


def _value_for_money(package, diffs, comparisons, rate_q, rng, draws) -> list[dict]:
    """Public cost, cost per job (at the horizon), per job-year, per rupee of extra exports, and NPVs."""
    pick = {k: v[v["package"] == package].set_index(["point", "replicate"]) for k, v in diffs.items()}
    cost = pick["public_cost_cr"]["horizon"]  # the baseline spends nothing, so this is the package's cost
    jobs = pick["jobs"]
    rows = []
    mean, lo, hi = t_interval(cost, comparisons)
    rows.append({"package": package, "outcome": "public_cost", "measure": "cumulative_cost", "unit": "Rs crore",
                 "estimate": mean, "ci_low": lo, "ci_high": hi})
    for measure, denominator, unit, scale in (
            ("cost_per_job", jobs["horizon"], "Rs lakh per job", LAKH_PER_CRORE),
            ("cost_per_job_year", jobs["cumulative"] / 4.0, "Rs lakh per job-year", LAKH_PER_CRORE),
            ("cost_per_rupee_of_exports", pick["export_sales"]["cumulative"], "Rs per Rs of extra exports", 1.0)):
        estimate, low, high = bootstrap_ratio(cost.to_numpy() * scale, denominator.to_numpy(), rng, draws)
        _, d_lo, d_hi = t_interval(denominator, comparisons)
        if mean <= 0:
            note = " (no public cost)"
        elif d_hi < 0:
            note = " (the effect is negative: nothing is created)"
        elif not d_lo > 0 or not np.isfinite(estimate):
            note = " (the effect's CI spans zero)"
        else:
            note = ""
        undefined = bool(note)
        rows.append({"package": package, "outcome": "public_cost", "measure": measure, "unit": unit,
                     "estimate": math.nan if undefined else estimate, "ci_low": math.nan if undefined else low,
                     "ci_high": math.nan if undefined else high, "note": UNDEFINED + note if undefined else ""})
    # A package that spends less than the baseline and has fewer jobs (the baseline is a bigger package, as in
    # experiments/package_minus_one.toml): public money saved per job lost, i.e. what those jobs cost in the baseline.
    _, j_lo, j_hi = t_interval(jobs["horizon"], comparisons)
    if mean < 0 and j_hi < 0:
        saving, low, high = bootstrap_ratio(cost.to_numpy() * LAKH_PER_CRORE, jobs["horizon"].to_numpy(), rng, draws)
        if np.isfinite(saving):
            rows.append({"package": package, "outcome": "public_cost", "measure": SAVING_PER_JOB_LOST,
                         "unit": "Rs lakh saved per job lost", "estimate": saving, "ci_low": low, "ci_high": high, "note": ""})
    return rows


def npv_rows(series: pd.DataFrame, packages, rate_q: float, comparisons: int) -> list[dict]:
    """NPV (Rs crore) of each package's extra value added, of its public cost, and the net."""
    wide_va = series.pivot_table(index=["point", "replicate", "quarter"], columns="package", values="value_added")
    wide_cost = series.pivot_table(index=["point", "replicate", "quarter"], columns="package", values="public_cost_cr")
    rows = []
    for package in packages:
        gain = (wide_va[package] - wide_va[BASELINE]).dropna().reset_index(name="gain")
        gain = gain[gain["quarter"] >= 1]
        gain["pv"] = gain["gain"] / (1 + rate_q) ** gain["quarter"]
        spend = (wide_cost[package] - wide_cost[BASELINE]).dropna().reset_index(name="cum").sort_values(["point", "replicate", "quarter"])
        spend["flow"] = spend.groupby(["point", "replicate"])["cum"].diff().fillna(spend["cum"])
        spend["pv"] = spend["flow"] / (1 + rate_q) ** spend["quarter"].clip(lower=0)
        npv_gain = gain.groupby(["point", "replicate"])["pv"].sum()
        npv_cost = spend.groupby(["point", "replicate"])["pv"].sum().reindex(npv_gain.index)
        for measure, values in (("npv_value_added", npv_gain), ("npv_public_cost", npv_cost), ("npv_net", npv_gain - npv_cost)):
            mean, lo, hi = t_interval(values, comparisons)
            rows.append({"package": package, "outcome": "public_cost", "measure": measure, "unit": "Rs crore (NPV)",
                         "estimate": mean, "ci_low": lo, "ci_high": hi})
    return rows


def _ranking(table: pd.DataFrame, packages) -> pd.DataFrame:
    def get(package, outcome, measure):
        hit = table[(table["package"] == package) & (table["outcome"] == outcome) & (table["measure"] == measure)]
        return float(hit["estimate"].iloc[0]) if len(hit) else math.nan

    rows = []
    for p in packages:
        cost = get(p, "public_cost", "cumulative_cost")
        jobs = get(p, "jobs", "effect_at_horizon")
        rows.append({"package": p, "productivity_pct": get(p, "productivity", "effect_at_horizon_pct"),
                     "export_share_points": get(p, "export_share", "effect_at_horizon"), "jobs": jobs,
                     "public_cost_cr": cost, "jobs_per_crore": jobs / cost if cost and cost > 0 else math.nan,
                     "cost_per_job_lakh": get(p, "public_cost", "cost_per_job")})
    ranking = pd.DataFrame(rows)
    if not ranking.empty:
        ranking = ranking.sort_values("jobs", ascending=False, ignore_index=True)
        ranking.insert(0, "rank_by_jobs", np.arange(1, len(ranking) + 1))
    return ranking


# --------------------------------------------------------------- sensitivity
def sensitivity(series: pd.DataFrame, info: dict, outcomes, seed: int = 0) -> pd.DataFrame:
    """Sobol (first and total order) or Morris indices with confidence intervals.

    Replicates: at each parameter point the outcome (the package's paired effect
    at the horizon, or the baseline's level) is averaged over the point's
    replicates, which share their seeds across points (common random numbers);
    the indices are computed on those averages, so Monte Carlo noise that is
    left after averaging shows up as a small spurious share of variance.
    """
    method = info["sampler"]["method"]
    names = list(info["parameters"])
    problem = {"num_vars": len(names), "names": names, "bounds": [info["parameters"][k] for k in names]}
    points = info["points"]
    x = np.array([[p[k] for k in names] for p in points], dtype=float)
    rows = []
    for package in info["packages"]:
        for outcome in outcomes:
            if package == BASELINE:
                last = series[(series["package"] == BASELINE) & (series["quarter"] == series["quarter"].max())]
                y_by_point = last.groupby("point")[outcome].mean()
            else:
                d = paired_differences(series, outcome)
                y_by_point = d[d["package"] == package].groupby("point")["horizon"].mean()
            if len(y_by_point) < len(points):
                continue  # unfinished design: indices need every point
            y = y_by_point.reindex(range(len(points))).to_numpy()
            if method == "sobol":
                from SALib.analyze import sobol

                res = sobol.analyze(problem, y, calc_second_order=False, conf_level=0.95, seed=seed)
                for i, name in enumerate(names):
                    rows.append({"package": package, "outcome": outcome, "parameter": name, "S1": res["S1"][i],
                                 "S1_conf": res["S1_conf"][i], "ST": res["ST"][i], "ST_conf": res["ST_conf"][i]})
            else:
                from SALib.analyze import morris

                res = morris.analyze(problem, x, y, conf_level=0.95, num_levels=4, seed=seed)
                for i, name in enumerate(names):
                    rows.append({"package": package, "outcome": outcome, "parameter": name, "mu_star": res["mu_star"][i],
                                 "mu_star_conf": res["mu_star_conf"][i], "sigma": res["sigma"][i]})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ summary
def _fmt_ci(row, digits=2, suffix=""):
    if not np.isfinite(row.get("ci_low", math.nan)):
        return f"{row['estimate']:+.{digits}f}{suffix}"
    return f"{row['estimate']:+.{digits}f}{suffix} ({row['ci_low']:+.{digits}f} to {row['ci_high']:+.{digits}f})"


def effects_table(table: pd.DataFrame, ranking: pd.DataFrame) -> pd.DataFrame:
    """One line per package, for printing: effects at the horizon with 95 % CIs, cost, cost per job."""
    def cell(package, outcome, measure, digits=2):
        hit = table[(table["package"] == package) & (table["outcome"] == outcome) & (table["measure"] == measure)]
        if not len(hit):
            return ""
        row = hit.iloc[0]
        if isinstance(row.get("note"), str) and row["note"].startswith(UNDEFINED):
            return UNDEFINED
        return _fmt_ci(row, digits)

    lines = []
    for p in ranking["package"]:
        lines.append({"package": p, "productivity %": cell(p, "productivity", "effect_at_horizon_pct"),
                      "export share pts": cell(p, "export_share", "effect_at_horizon"),
                      "jobs": cell(p, "jobs", "effect_at_horizon", 0),
                      "cost Rs cr": cell(p, "public_cost", "cumulative_cost", 1),
                      "Rs lakh/job": cell(p, "public_cost", "cost_per_job", 1)})
    return pd.DataFrame(lines)


def summary_markdown(table: pd.DataFrame, ranking: pd.DataFrame, info: dict, series: pd.DataFrame) -> str:
    reps = int(series.groupby(["package", "point"])["replicate"].nunique().min())
    points = series["point"].nunique()
    horizon = int(series["quarter"].max())
    lines = [f"# {info['title']}: packages compared with the baseline", "",
             f"{len(ranking)} packages, {reps} paired replicates each"
             + (f" at {points} parameter points" if points > 1 else "") + f", {horizon} policy quarters "
             f"({horizon / 4:g} years). Effects are differences from the baseline run with the same "
             + ("random numbers (paired)" if info.get("common_random_numbers", True) else "replicate index (independent seeds)")
             + ", at the horizon; ranges are 95 % confidence intervals adjusted for the number of packages compared.", ""]
    for _, r in ranking.iterrows():
        p = r["package"]
        mine = table[table["package"] == p]

        def row(outcome, measure, mine=mine):
            hit = mine[(mine["outcome"] == outcome) & (mine["measure"] == measure)]
            return hit.iloc[0] if len(hit) else None

        prod, xs = row("productivity", "effect_at_horizon_pct"), row("export_share", "effect_at_horizon")
        jobs = row("jobs", "effect_at_horizon")
        cost, per_job = row("public_cost", "cumulative_cost"), row("public_cost", "cost_per_job")
        saving = row("public_cost", SAVING_PER_JOB_LOST)
        text = f"- **{p}**: productivity {_fmt_ci(prod, 1, ' %')}, export share {_fmt_ci(xs, 1, ' points')}, jobs {_fmt_ci(jobs, 0)}"
        if cost is not None:
            text += f"; public cost Rs {cost['estimate']:.1f} crore"
            if per_job is not None and np.isfinite(per_job["estimate"]):
                text += f", Rs {per_job['estimate']:.1f} lakh per job created ({per_job['ci_low']:.1f} to {per_job['ci_high']:.1f})"
            elif saving is not None:
                text += (f", Rs {saving['estimate']:.1f} lakh of public money saved per job lost "
                         f"({saving['ci_low']:.1f} to {saving['ci_high']:.1f})")
            elif per_job is not None:
                text += f", cost per job {per_job['note']}"
        lines.append(text + ".")
        has_spread = table["param_low"].notna() if "param_low" in table else pd.Series(False, index=table.index)
        spread = table[(table["package"] == p) & (table["measure"] == "effect_at_horizon") & has_spread]
        for _, s in spread.iterrows():
            lines.append(f"  - parameter uncertainty, {s['outcome']}: {s['param_low']:+.3g} to {s['param_high']:+.3g} across "
                         f"{int(s['points'])} parameter points (Monte Carlo CI alone: {s['ci_low']:+.3g} to {s['ci_high']:+.3g})")
    lines += ["", "## How to read this", "",
              "- An interval that includes zero means the model cannot tell the effect from noise at this number of replicates.",
              "- Cost per job is 'undefined' when the jobs effect's interval spans zero.",
              *(["- Against a baseline that is itself a package, a package that spends less and has fewer jobs shows the "
                 "public money saved per job lost: what those jobs cost in the baseline package."]
                if (table["measure"] == SAVING_PER_JOB_LOST).any() else []),
              "- Monte Carlo intervals shrink with more replicates; parameter uncertainty (shown when parameters were varied) "
              "does not: it reflects what we do not know about the economy.",
              "- Full table: comparison.csv (who gains by size, distance and owner gender; the productivity decomposition into "
              "within-firm, reallocation, entry and exit; NPVs). Plots: forest.png, paths.png.", ""]
    return "\n".join(lines)
