"""In-silico trials, the firm panel and `clustersim validate`."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import numpy as np
import pandas as pd
import pytest

from clustersim import api
from clustersim.experiments.trials import pooled, records_frame
from clustersim.experiments.validate import bass_curve, fit_bass, hill_exponent
from helpers import ROOT, SCENARIOS, run_small


def trial_run(seed=1, **trial):
    return run_small(
        seed=seed, n_firms=150, horizon=7, trial={"quarter": 0, "follow_up": 4, **trial}
    )


def test_assignment_is_random_within_the_eligible_and_draws_are_paired():
    model = trial_run(treatment="consulting", share=0.3, eligible=["micro"])
    frame = records_frame(model)
    assert 0.15 < frame["treated"].mean() < 0.45
    f = model.firms
    assert set(np.unique(f.trial_arm[frame["slot"]])) == {1, 2}
    # the trial draws do not move anything before the treatment quarter
    base = run_small(seed=1, n_firms=150, horizon=7)
    assert np.array_equal(
        np.array(base.series.rows)[:8], np.array(model.series.rows)[:8]
    )  # treated in step 9


def test_consulting_raises_treated_tfp_by_the_lift_relative_to_controls():
    frames = [
        records_frame(trial_run(seed=s, treatment="consulting", tfp_lift=0.2)).assign(replicate=s)
        for s in (1, 2, 3)
    ]
    table = pooled(pd.concat(frames)).set_index("outcome")
    # TFP lift decays a little over the follow-up (consulting_decay), and shocks are shared:
    # ANCOVA close to 20 %
    assert 15.0 < table.loc["tfp", "itt_ancova"] < 21.0
    assert table.loc["sales", "itt_ancova"] > 0


def test_owner_business_training_is_a_practice_gain_not_worker_skill():
    """The owner's business training raises management practices (TFP) by its lift, relative to
    controls, and leaves the workforce's skill alone; worker training does the reverse."""
    owner = trial_run(treatment="business_training", practice_lift=0.04)
    workers = trial_run(treatment="training")

    def arms(model):
        frame = records_frame(model)
        treated = frame.loc[frame["treated"], "slot"].to_numpy()
        control = frame.loc[~frame["treated"], "slot"].to_numpy()
        return treated[model.firms.alive[treated]], control[model.firms.alive[control]]

    for model, lifted, skilled in ((owner, True, False), (workers, False, True)):
        treated, control = arms(model)
        f = model.firms
        assert (f.consulting_lift[treated].mean() > f.consulting_lift[control].mean()) == lifted
        assert (f.skill[treated].mean() > f.skill[control].mean() + 1e-9) == skilled
    # the lift fades like consulting's, from the lift itself
    treated, _ = arms(owner)
    assert 0.0 < owner.firms.consulting_lift[treated].max() <= 0.04


def test_a_placebo_trial_finds_no_effect():
    frames = [
        records_frame(trial_run(seed=s, treatment="consulting", tfp_lift=0.0)).assign(replicate=s)
        for s in (1, 2, 3)
    ]
    table = pooled(pd.concat(frames)).set_index("outcome")
    for outcome in ("tfp", "sales", "workers"):
        assert table.loc[outcome, "ancova_ci_low"] < 0 < table.loc[outcome, "ancova_ci_high"], (
            outcome
        )


@pytest.mark.parametrize(
    "treatment", ["grant", "business_training", "training", "export_link", "credit_line"]
)
def test_every_treatment_runs_and_keeps_the_accounts_consistent(treatment):
    model = trial_run(treatment=treatment)
    frame = records_frame(model)
    assert len(frame) > 50 and frame["sales_after"].notna().any()
    for matrix in model.flow_matrices:
        assert np.allclose(matrix.sum(axis=0), 0.0, atol=1e-8 * max(1.0, np.abs(matrix).max()))
    if treatment == "grant":
        assert (frame.loc[frame["treated"], "grant"] > 0).all() and (
            frame.loc[~frame["treated"], "grant"] == 0
        ).all()


def test_a_trial_experiment_stores_firm_records(write_toml, tmp_path):
    path = write_toml(
        f"""title = "rct"
baseline = "{SCENARIOS / "baseline.toml"}"
replicates = 2
horizon = 6
burn_in = 4
n_firms = 60
[trial]
treatment = "training"
""",
        "rct.toml",
    )
    manifest = api.sweep(path, tmp_path / "out", workers=2)
    assert set(manifest["status"]) == {"ok"}
    assert len(list((tmp_path / "out" / "trial").glob("*.parquet"))) == 2
    # estimated from the stored records, each run one trial: ANCOVA with the design's power
    table = api.trial(tmp_path / "out").set_index("outcome")
    assert set(table["package"]) == {"baseline"} and (table["replicates"] == 2).all()
    assert np.isfinite(table.loc[["sales", "log_sales", "tfp"], ["itt_ancova", "mde"]]).all().all()


def test_the_panel_has_one_row_per_firm_per_quarter(tmp_path):
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "clustersim",
            "run",
            str(SCENARIOS / "baseline.toml"),
            "--out",
            str(out),
            "--panel",
            "--no-plots",
            "--quiet",
            "--firms",
            "40",
            "--steps",
            "3",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    panel = pd.read_csv(out / "panel.csv")
    series = pd.read_csv(out / "timeseries.csv")
    assert {
        "step",
        "firm_id",
        "workers",
        "sales",
        "export_sales",
        "value_added",
        "tfp",
        "exporter",
        "age",
    } <= set(panel)
    counts = panel.groupby("step").size()
    assert counts.tolist() == series["firms"].tolist()
    assert panel.groupby("step")["workers"].sum().to_numpy() == pytest.approx(
        series["jobs"].to_numpy(), rel=1e-8
    )
    assert not panel.duplicated(["step", "firm_id"]).any()


def test_hill_estimator_recovers_a_pareto_exponent():
    rng = np.random.default_rng(0)
    sizes = (1 - rng.random(200_000)) ** (-1 / 1.3)  # Pareto with tail exponent 1.3
    assert hill_exponent(sizes, 0.05) == pytest.approx(1.3, rel=0.05)


def test_bass_fit_recovers_p_and_q():
    years = np.arange(1, 81) / 4
    p, q, m = fit_bass(years, bass_curve(years, 0.03, 0.38, 0.9))
    assert (p, q, m) == pytest.approx((0.03, 0.38, 0.9), rel=1e-3)


@pytest.mark.slow
def test_validate_runs_every_target_and_exits_0_unless_strict(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "clustersim",
            "validate",
            "--out",
            str(tmp_path),
            "--replicates",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(tmp_path / "validation.csv")
    # Every target of targets.toml is checked, the 2026-11-29 ones (firm dynamics, shares, credit,
    # decline) included.
    with open(ROOT / "clustersim" / "data" / "targets.toml", "rb") as f:
        ids = {t["id"] for t in tomllib.load(f)["target"]}
    assert set(table["target"]) == ids and len(table) >= len(ids)
    assert set(table["kind"]) == {"input", "calibration", "validation"}
    assert (tmp_path / "validation.md").exists() and (tmp_path / "validation.png").exists()
    assert "targets inside their band" in result.stdout
    strict = subprocess.run(
        [
            sys.executable,
            "-m",
            "clustersim",
            "validate",
            "--out",
            str(tmp_path),
            "--replicates",
            "2",
            "--strict",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert strict.returncode == (0 if table["inside"].all() else 1)
