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
    "A cluster is simulated on its own: competition with other clusters and general-equilibrium "
    "effects outside the cluster are not modelled.",
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
        return html.escape(str(value))

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
    """Just enough Markdown for summary.md: headings, bullets, bold, paragraphs."""
    import re

    out, in_list = [], False
    for line in text.splitlines():
        line = html.escape(line)
        line = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", line)
        if line.startswith("- ") or line.startswith("  - "):
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{line.strip()[2:]}</li>")
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        if line.startswith("## "):
            out.append(f"<h3>{line[3:]}</h3>")
        elif line.startswith("# "):
            continue  # the page has its own title
        elif line.strip():
            out.append(f"<p>{line}</p>")
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


def build_report(out: str | Path) -> Path:
    """Write DIR/report.html and return its path."""
    from ..analysis.compare import SAVING_PER_JOB_LOST, compare
    from .summary import effects_table, write_comparison

    out = Path(out)
    info = read_sweep_info(out)
    comparison = compare(out)
    write_comparison(out, comparison)  # refreshes comparison.csv, summary.md and the plots
    table, ranking = comparison.table, comparison.ranking
    effects = effects_table(table, ranking)
    money = table[table["outcome"] == "public_cost"].pivot_table(
        index="package", columns="measure", values="estimate", dropna=False
    )
    money = money.reindex(
        columns=[
            c
            for c in (
                "cumulative_cost",
                "cost_per_job",
                "cost_per_job_year",
                "cost_per_rupee_of_exports",
                SAVING_PER_JOB_LOST,
                "npv_net",
            )
            if c in money.columns
        ]
    ).reset_index()
    money.columns = [
        "package",
        *[
            {
                "cumulative_cost": "public cost (Rs crore)",
                "cost_per_job": "Rs lakh per job",
                "cost_per_job_year": "Rs lakh per job-year",
                "cost_per_rupee_of_exports": "Rs per Rs of extra exports",
                SAVING_PER_JOB_LOST: "Rs lakh saved per job lost",
                "npv_net": "net NPV (Rs crore)",
            }[c]
            for c in money.columns[1:]
        ],
    ]
    gains = table[
        table["outcome"].astype(str).str.startswith("who_gains_size")
        & table["measure"].astype(str).str.endswith(": jobs")
    ]
    gains = gains[["package", "measure", "estimate", "ci_low", "ci_high"]].rename(
        columns={
            "measure": "group",
            "estimate": "extra workers",
            "ci_low": "low",
            "ci_high": "high",
        }
    )
    scenarios = []
    for package, spec in zip(info["packages"], _package_files(out), strict=False):
        scenarios.append(
            f"<li><strong>{html.escape(package)}</strong>: <code>{html.escape(spec)}</code></li>"
        )
    summary = (
        (out / "summary.md").read_text(encoding="utf-8") if (out / "summary.md").exists() else ""
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
th:first-child, td:first-child {{ text-align: left; }}
img {{ max-width: 100%; border: 1px solid #eee; }} .note {{ color: #555; font-size: .9em; }}
</style></head><body>
<h1 id="title">{html.escape(info["title"])}</h1>
<p class="note">clustersim report: {
        len(ranking)
    } packages compared with the baseline; experiment file
<code>{html.escape(str(info.get("experiment_file", "")))}</code>.</p>
<h2 id="summary">Summary</h2>
{_markdown_to_html(summary)}
<h2 id="effects">Effects at the horizon (95 % CI)</h2>
{_table(effects, "Productivity, export share and jobs: package minus baseline")}
{_img(out / "forest.png")}
<h2 id="value-for-money">Value for money</h2>
{
        _table(
            money,
            "Public cost and cost-effectiveness (undefined: the effect's interval spans zero, or "
            "there is no net cost)",
            missing="undefined",
        )
    }
<h2 id="which-beats-which">Which package beats which, synergy and the assumptions behind it</h2>
{_pairwise_tables(comparison, info)}
<h2 id="paths">Outcome paths</h2>
{_img(out / "paths.png")}
<h2 id="who-gains">Who gains (by size class)</h2>
{
        _table(
            gains,
            "Extra workers in firms present in both runs, by the firm's size class in the baseline",
        )
    }
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
                overall[["outcome", "parameter", "variance_share"]].rename(
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
