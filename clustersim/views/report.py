"""``clustersim report DIR``: one self-contained HTML page for a policy team.

It turns a sweep's comparison (running ``compare`` first if needed) into
``DIR/report.html``: the plain-language summary, the packages compared (forest
plot with confidence intervals, cost per job and per rupee of exports), outcome
paths with bands, who gains, the assumptions and scenario files used, and
caveats.  Images are embedded, so the page opens in a browser with no network
and no Python.
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
from pathlib import Path

import pandas as pd

from ..experiments.store import read_sweep_info, write_atomically

CAVEATS = (
    "Effects are differences from the baseline run with the same random numbers (paired), at the "
    "horizon; intervals are 95 % confidence intervals adjusted for the number of packages "
    "compared (Bonferroni).",
    "Unless the experiment draws the interventions' effect parameters from their priors "
    "(parameter_uncertainty = true), the intervals show Monte Carlo noise alone; uncertainty about "
    "the model's parameters is wider.",
    "Only the calibration moments in docs/calibration.md were matched to data; docs/validation.md "
    "lists what the model reproduces and what it does not (bank borrowers almost never default, "
    "so a guarantee pays almost no claims; training's effect on sales is too large; a small grant "
    "to a random micro firm is mostly consumed, not invested).",
    "The cluster competes at home with one aggregate of outside producers (their jobs are "
    "reported: a package's gain can be their loss); other clusters of the same product compete "
    "only in the national experiment, and general-equilibrium effects beyond the industry are not "
    "modelled.",
    "Public cost is the government's net outlay in Rs crore (grants, running costs, subsidies, "
    "guarantee payouts, less fees); private co-financing of facilities is not counted.",
)


def _img(path: Path) -> str:
    if not path.exists():
        return "<p><em>(plot missing)</em></p>"
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'


def _table(frame: pd.DataFrame, caption: str, missing: str = "") -> str:
    def cell(value):
        if isinstance(value, float):
            return (
                missing
                if math.isnan(value)
                else f"{value:,.3g}"
                if abs(value) < 1000
                else f"{value:,.0f}"
            )
        text = html.escape(str(value))
        match = re.fullmatch(r"(\S+) (\([-+\d.,]+ to [-+\d.,]+\))(.*)", text)
        if match:  # an estimate and its interval: the interval on a line of its own
            return f"{match[1]}<br><span class='ci'>{match[2]}{match[3]}</span>"
        return text

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return (
        f"<table><caption>{html.escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _markdown_to_html(text: str) -> str:
    """Just enough Markdown for summary.md: headings, bullets (indented ones nested), bold, code,
    paragraphs."""
    import re

    out, depth = [], 0

    def close_to(level):
        nonlocal depth
        while depth > level:
            out.append("</ul>")
            depth -= 1

    for line in text.splitlines():
        line = html.escape(line)
        line = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", line)
        line = re.sub(r"`(.+?)`", r"<code>\1</code>", line)
        level = 2 if line.startswith("  - ") else 1 if line.startswith("- ") else 0
        if level:
            while depth < level:
                out.append("<ul>")
                depth += 1
            close_to(level)
            out.append(f"<li>{line.strip()[2:]}</li>")
            continue
        close_to(0)
        if line.startswith("## "):
            out.append(f"<h3>{line[3:]}</h3>")
        elif line.startswith("# "):
            continue  # the page has its own title
        elif line.strip():
            out.append(f"<p>{line}</p>")
    close_to(0)
    return "\n".join(out)


#: A group of firms smaller than this has an interval too wide to read (one medium firm more or
#: less moves it by thousands of workers): the report says so instead of printing it.
MIN_GROUP_FIRMS = 10
GROUP_COLUMNS = (
    ("who_gains_size", "micro"),
    ("who_gains_size", "small"),
    ("who_gains_size", "medium"),
    ("who_gains_size", "large"),
    ("who_gains_owner", "women-owned"),
    ("who_gains_owner", "men-owned"),
)


def who_gains_table(table: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Extra workers by the firm's size class and owner gender, one row per package (in
    ``order``), whole workers with their interval; a group of fewer than :data:`MIN_GROUP_FIRMS`
    firms is flagged as uninformative instead of showing its interval."""
    import re

    from .summary import fmt_ci

    rows = []
    for package in order:
        line = {"package": package}
        for outcome, group in GROUP_COLUMNS:
            hit = table[
                (table["package"] == package)
                & (table["outcome"] == outcome)
                & (table["measure"] == f"{group}: jobs")
            ]
            if not len(hit):
                continue
            found = hit.iloc[0]
            firms = re.match(r"(\d+) firms", str(found.get("note", "")))
            n = int(firms.group(1)) if firms else None
            line[group] = (
                f"{found['estimate']:+,.0f} [{n} firms: too few to tell]"
                if n is not None and n < MIN_GROUP_FIRMS
                else fmt_ci(found, 0) + (f" [{n} firms]" if n is not None else "")
            )
        rows.append(line)
    return pd.DataFrame(rows).dropna(axis=1, how="all").fillna("")


def build_report(out: str | Path) -> Path:
    """Write DIR/report.html and return its path: the answer in one paragraph first, then the
    evidence (effects, value for money and effects over the policy period, who beats whom,
    synergy and the assumptions behind the ranking, paths, who gains), the package-by-package
    summary, the scenario files and the caveats."""
    from ..analysis.compare import SAVING_PER_JOB_LOST, compare
    from .summary import (
        EFFECT_COLUMNS,
        MONEY_COLUMNS,
        answer,
        by_net_jobs,
        effects_table,
        note_key,
        summary_markdown,
        write_comparison,
    )

    out = Path(out)
    info = read_sweep_info(out)
    comparison = compare(out)
    write_comparison(out, comparison)  # refreshes comparison.csv, summary.md and the plots
    table, ranking, series = comparison.table, comparison.ranking, comparison.series
    order = by_net_jobs(ranking)
    effects = effects_table(table, ranking)
    horizon = int(series["quarter"].max())
    lead = answer(
        table,
        ranking,
        info,
        series,
        comparison.pairwise,
        comparison.unchanged,
        comparison.drivers,
    )
    ratio_names = {
        "cost_per_job_year": "Rs lakh per job-year",
        "cost_per_rupee_of_exports": "Rs of public money per Rs of extra exports",
        SAVING_PER_JOB_LOST: "Rs lakh saved per job lost",
    }
    other = table[table["outcome"] == "public_cost"].pivot_table(
        index="package", columns="measure", values="estimate", dropna=False
    )
    other = (
        other.reindex(columns=[c for c in ratio_names if c in other.columns])
        .reindex(order)
        .rename(columns=ratio_names)
        .rename_axis("package")
        .reset_index()
    )
    key = note_key(effects.to_numpy().ravel())
    pages = sorted(
        (f for f in out.glob("paths_*.png") if f.stem.removeprefix("paths_").isdigit()),
        key=lambda f: int(f.stem.removeprefix("paths_")),
    )
    scenarios = []
    for package, spec in zip(info["packages"], _package_files(out), strict=False):
        scenarios.append(
            f"<li><strong>{html.escape(package)}</strong>: <code>{html.escape(spec)}</code></li>"
        )
    words = summary_markdown(
        table,
        ranking,
        info,
        series,
        comparison.notes,
        comparison.unchanged,
        pairwise=comparison.pairwise,
        drivers=comparison.drivers,
        lead=False,
    )
    effect_caption = (
        f"Package minus baseline at policy quarter {horizon}, most net jobs first: jobs in "
        "workers (net: full-time work net of what the recruits had outside the cluster; outside: "
        "the jobs of the producers the cluster competes with at home), productivity in % of the "
        "baseline's, export share in percentage points"
    )
    money_caption = (
        "Job-years add up the extra jobs of every quarter; NPV net: the discounted extra value "
        "added less the discounted public cost (Rs crore); cost: the public outlay net of fees "
        "(Rs crore); Rs lakh per (net) job and net jobs per Rs crore at the horizon, with "
        "bootstrap intervals"
    )
    gains_caption = (
        "Extra workers at the horizon in firms present in both runs, by the firm's size class and "
        "owner in the baseline (firms per group in brackets); a group of fewer than "
        f"{MIN_GROUP_FIRMS} firms has no readable interval"
    )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(info["title"])}: clustersim report</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; \
color: #1b1b1b; }}
h1 {{ font-size: 1.6em; }} \
h2 {{ border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }}
table {{ border-collapse: collapse; margin: 1em 0; font-size: .9em; }} \
caption {{ text-align: left; font-weight: 600; }}
th, td {{ border: 1px solid #ddd; padding: .3em .6em; text-align: right; }} \
.ci {{ color: #555; font-size: .85em; white-space: nowrap; }} \
th:first-child, td:first-child {{ text-align: left; }}
img {{ max-width: 100%; border: 1px solid #eee; }} .note {{ color: #555; font-size: .9em; }}
.answer {{ font-size: 1.05em; line-height: 1.5; background: #f3f6fa; \
border-left: 4px solid #1f4e79; padding: .2em 1em; }}
</style></head><body>
<h1 id="title">{html.escape(info["title"])}</h1>
<p class="note">clustersim report: {len(ranking)} packages compared with the baseline over \
{horizon} policy quarters ({horizon / 4:g} years); experiment file \
<code>{html.escape(str(info.get("experiment_file", "")))}</code>. The answer first, then the \
evidence, each package in words, the scenario files and the caveats.</p>
<h2 id="answer">The answer</h2>
<div class="answer">{_markdown_to_html(lead)}</div>
<h2 id="effects">Effects at the horizon (95 % CI)</h2>
{_table(effects[[c for c in EFFECT_COLUMNS if c in effects.columns]], effect_caption)}
{_img(out / "forest.png")}
<h2 id="value-for-money">Value for money and effects over the policy period</h2>
{_table(effects[[c for c in MONEY_COLUMNS if c in effects.columns]], money_caption)}
<ul class="note">{"".join(f"<li>{html.escape(line)}</li>" for line in key)}</ul>
{_table(other, "Other ratios (blank: not defined, as above)", missing="")}
<h2 id="which-beats-which">Which package beats which, synergy and the assumptions behind it</h2>
{_pairwise_tables(comparison, info)}
<h2 id="paths">Outcome paths</h2>
{_img(out / "paths.png")}
{"".join(_img(f) for f in pages)}
<h2 id="who-gains">Who gains (by size class and owner)</h2>
{_table(who_gains_table(table, order), gains_caption)}
<h2 id="summary">Package by package, in words</h2>
{_markdown_to_html(words)}
<h2 id="assumptions">Assumptions and scenario files</h2>
<ul>{"".join(scenarios)}</ul>
<p class="note">Every parameter and its source: docs/parameters.md; the model: docs/ODD.md.</p>
<h2 id="caveats">Caveats</h2>
<ul>{"".join(f"<li>{html.escape(c)}</li>" for c in CAVEATS)}</ul>
</body></html>
"""
    path = out / "report.html"
    write_atomically(path, page.encode("utf-8"))
    return path


def _pairwise_tables(comparison, info: dict) -> str:
    """pairwise.csv and drivers.csv as tables: how often each headline package beats each other
    on net jobs, each holistic package's synergy, and the assumptions that move the ranking (the
    summary above says it in words)."""
    from .summary import headline_packages

    pairwise, drivers = comparison.pairwise, comparison.drivers
    if pairwise is None or pairwise.empty:
        return "<p>Fewer than two packages: nothing to rank.</p>"
    headline = headline_packages(comparison.ranking, info)
    pairs = pairwise[(pairwise["kind"] == "pair") & (pairwise["outcome"] == "jobs_net")]
    matrix = (
        pairs[pairs["package"].isin(headline) & pairs["other"].isin(headline)]
        .pivot(index="package", columns="other", values="p_beats")
        .reindex(index=headline, columns=headline)
        .map(lambda p: "" if pd.isna(p) else f"{100 * p:.0f} %")
        .reset_index()
    )
    parts = [
        _table(
            matrix,
            "Probability that the row's package has more net jobs than the column's, over the "
            "joint draws of Monte Carlo and parameter uncertainty",
            missing="",
        )
    ]
    synergy = pairwise[pairwise["kind"] == "synergy"]
    if len(synergy) and synergy["difference"].isna().all():
        parts.append(f"<p>Synergy not computed: {html.escape(synergy['note'].iloc[0])}.</p>")
    elif len(synergy):
        columns = ["package", "other", "outcome", "difference", "ci_low", "ci_high"]
        columns += ["param_low", "param_high", "p_beats"]
        words = {
            "jobs_net": "net jobs",
            "productivity_pct": "productivity (%)",
            "public_cost_cr": "public cost (Rs crore)",
        }
        synergy = synergy.assign(
            outcome=synergy["outcome"].map(lambda o: words.get(o, o)),
            p_beats=synergy["p_beats"].map(lambda p: "" if pd.isna(p) else f"{100 * p:.0f} %"),
        )
        parts.append(
            _table(
                synergy[columns].rename(
                    columns={
                        "other": "its parts",
                        "difference": "synergy",
                        "ci_low": "MC low",
                        "ci_high": "MC high",
                        "param_low": "draws low",
                        "param_high": "draws high",
                        "p_beats": "P(more than the sum)",
                    }
                ),
                "Synergy: the package's effect minus the sum of its parts' effects",
                missing="n/a",
            )
        )
    if drivers is not None and not drivers.empty:
        overall = drivers[drivers["package"] == "all pairs"]
        parts.append(
            _table(
                overall[["outcome", "parameter", "variance_share"]]
                .assign(variance_share=overall["variance_share"].map(lambda v: f"{100 * v:.0f} %"))
                .rename(
                    columns={"variance_share": "share of the variance of pairwise differences"}
                ),
                "Which drawn assumptions move the differences between packages (one at a time)",
            )
        )
    return "\n".join(parts)


def _package_files(out: Path) -> list[str]:
    """The scenario file (and overrides) of each package,
    from the experiment file if it still loads."""
    from ..experiments.engines import SweepError
    from ..experiments.experiment_file import load_experiment
    from ..inputs.files import ScenarioError

    info = read_sweep_info(out)
    files = {}
    experiment_file = Path(info.get("experiment_file", ""))
    try:
        for package in load_experiment(experiment_file).packages:
            files[package.name] = str(package.scenario) + (
                f" + {json.dumps(package.overrides)}" if package.overrides else ""
            )
    except (ScenarioError, SweepError):  # moved or changed since the sweep: names only
        files = {}
    return [files.get(p, "(see the experiment file)") for p in info["packages"]]
