"""Generate docs/parameters.md from the parameter declarations.

    python -m clustersim.inputs.paramdoc > docs/parameters.md

A test fails when the committed file differs from what this prints.
"""

from __future__ import annotations

from .params import PARAMETERS, Param


def _cell(text) -> str:
    return str(text).replace("|", "\\|")


def render() -> str:
    lines = [
        "# Parameters",
        "",
        "Generated from `clustersim/inputs/params.py` by `python -m clustersim.inputs.paramdoc > "
        "docs/parameters.md`; do not edit by hand.",
        "A scenario file sets a parameter as `key = value` under its section, e.g. `[finance]` "
        "then `formal_rate = 0.12`.",
        "An `[interventions.NAME]` table switches that intervention on; `[[market.shocks]]` "
        "entries use the `shock` keys.",
        "Money is in Rs lakh (1 crore = 100 lakh) unless the name ends in `_cr`; "
        "rates 'per year' are converted to quarters in `clustersim/economy/timeunits.py`.",
        "",
    ]
    section = None
    for p in PARAMETERS.values():
        if p.section != section:
            section = p.section
            lines += [
                "",
                f"## `[{'[market.shocks]' if section == 'shock' else section}]`",
                "",
                "| key | default | unit | allowed | meaning | source |",
                "|---|---|---|---|---|---|",
            ]
        default = f'"{p.default}"' if isinstance(p.default, str) else p.default
        lines.append(
            "| "
            + " | ".join(
                _cell(c) for c in (f"`{p.name}`", default, p.unit, p.allowed(), p.meaning, p.source)
            )
            + " |"
        )
    return "\n".join(lines + priors() + experiment_fields()) + "\n"


def priors() -> list[str]:
    """The priors of the interventions' effect parameters (``Param.prior``): what an experiment
    with ``parameter_uncertainty = true`` draws, every package sharing each draw."""
    lines = [
        "",
        "## Priors of the interventions' effect parameters and of the calibrated parameters",
        "",
        "What we believe about each effect parameter before running the model. An experiment file "
        "with `parameter_uncertainty = true` draws those of the interventions its packages switch "
        "on, at each of its sampler's points, every package sharing each draw; with "
        "`calibration_uncertainty = true`, those of the calibrated parameters (effect of: "
        "calibration) too. `compare` then reports parameter uncertainty apart from Monte Carlo "
        "noise and writes `pairwise.csv`.",
        "",
        "| key | default | prior | effect of | source |",
        "|---|---|---|---|---|",
    ]
    for p in PARAMETERS.values():
        if p.prior is not None:
            cells = (
                f"`{p.key}`",
                p.default,
                p.prior.describe(p.default),
                "calibration" if p.prior.calibrated else ", ".join(p.effect_of),
                p.prior.source,
            )
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


def experiment_fields() -> list[str]:
    """The fields of an experiment file (``experiments/*.toml``), declared in
    :data:`clustersim.experiments.experiment_file.FIELDS`."""
    from ..experiments.experiment_file import FIELDS

    lines = [
        "",
        "## Experiment files (`experiments/*.toml`)",
        "",
        "Declared in `clustersim/experiments/experiment_file.py`: the top-level keys of an "
        "experiment file (settings of the experiment, not of the economy: a source only where "
        "a value has one).",
        "",
        "| key | default | unit | allowed | meaning | source |",
        "|---|---|---|---|---|---|",
    ]
    for p in FIELDS.values():
        default = f'"{p.default}"' if isinstance(p.default, str) else p.default
        source = "" if p.source == Param.source else p.source
        cells = (f"`{p.key}`", default, p.unit, p.allowed(), p.meaning, source)
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


if __name__ == "__main__":
    print(render(), end="")
