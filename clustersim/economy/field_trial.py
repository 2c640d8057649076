"""An in-silico field trial inside the model: a share of eligible firms, drawn at random, is
treated in one quarter, and their outcomes and the controls' are recorded before treatment
and ``follow_up`` quarters after.  The estimation is :mod:`clustersim.experiments.trials`."""

from __future__ import annotations

import numpy as np

from ..inputs.conditions import evaluate
from ..inputs.scenario import check_condition


class FieldTrial:
    """The ``[trial]`` table of a scenario, carried out
    (nothing happens when its treatment is "none")."""

    def __init__(self, model):
        self.model = model
        self.design = model.p.trial
        self.records: dict[
            str, np.ndarray
        ] = {}  # one array per column, a row per firm in the trial
        #: ``trial.eligible_if`` parsed (checked when the scenario was read); None: no condition
        self.condition = (
            check_condition(self.design.eligible_if, None, "trial.eligible_if")
            if self.design.eligible_if
            else None
        )

    def treat(self, firms) -> None:
        """In the trial's quarter: randomise eligible firms into treatment (share ``trial.share``,
        one draw per firm slot) and control, record their outcomes before treatment, and treat."""
        model, design, live = self.model, self.design, firms.operating
        if design.treatment == "none" or model.quarter != design.quarter + 1:
            return
        draw = model.streams.get("trial", model.steps).random(firms.slots_used)[live]
        take = firms.eligible(live, design.eligible) & (firms.workers[live] > 0)
        if self.condition is not None:
            take &= evaluate(self.condition, firms.columns(live), len(live))
        eligible = live[take]
        treated = eligible[draw[np.searchsorted(live, eligible)] < design.share]
        firms.trial_arm[eligible] = 1
        firms.trial_arm[treated] = 2
        self.records = {
            "slot": eligible,
            "treated": firms.trial_arm[eligible] == 2,
            **{f"{k}_before": v[eligible] for k, v in self.outcomes().items()},
        }
        if design.treatment == "grant":
            grant = design.grant_quarters_of_profit * np.maximum(
                firms.profit[treated], 0.1 * firms.sales[treated]
            )
            firms.cash[treated] += grant
            amount = np.zeros(len(eligible))
            amount[self.records["treated"]] = grant  # treated is eligible filtered, same order
            self.records["grant"] = amount
            self.records["treatment_lakh"] = (
                amount.copy()
            )  # rupees of treatment, for per-rupee effects
            model.government.spend("grants_to_firms", float(grant.sum()), payee="firms")
        elif design.treatment == "consulting":
            firms.consulting_lift[treated] = np.maximum(
                firms.consulting_lift[treated], design.tfp_lift
            )
        elif design.treatment == "business_training":
            # The owner learns business practices: a management gain, kept in the same state as
            # consulting's and fading like it (the worker-skill treatment is "training").
            firms.consulting_lift[treated] = np.maximum(
                firms.consulting_lift[treated], design.practice_lift
            )
        elif design.treatment == "training":
            firms.skill[treated] += design.skill_gain * (1.0 - firms.skill[treated])
        elif design.treatment == "export_link":
            firms.export_cost_cut[treated] = design.export_cost_cut
        elif design.treatment == "credit_line":
            bank = model.bank
            loan = np.minimum(
                design.credit_line_quarters_of_sales * firms.sales[treated],
                max(bank.funds, 0.0) / max(len(treated), 1),
            )
            bank.funds -= float(loan.sum())
            amount = np.zeros(len(eligible))
            amount[self.records["treated"]] = loan
            self.records["treatment_lakh"] = amount
            bank.book(firms, treated, loan)
            firms.formal_access[treated] = True

    def follow_up(self) -> None:
        """``follow_up`` quarters after treatment:
        record every trial firm's outcomes (NaN if it closed)."""
        design = self.design
        if not self.records or self.model.quarter != design.quarter + 1 + design.follow_up:
            return
        rows = self.records["slot"]
        for key, values in self.outcomes().items():
            self.records[f"{key}_after"] = np.where(
                self.model.firms.alive[rows], values[rows], np.nan
            )

    def outcomes(self) -> dict[str, np.ndarray]:
        """Firm outcomes a trial measures (whole arrays over slots; Rs lakh a quarter)."""
        firms = self.model.firms
        productivity = np.divide(
            4.0 * firms.real_value_added,
            firms.workers,
            out=np.zeros(firms.capacity),
            where=firms.workers > 0,
        )
        output_per_worker = np.divide(
            firms.output, firms.workers, out=np.zeros(firms.capacity), where=firms.workers > 0
        )
        return {
            "sales": firms.sales,
            "profit": firms.profit,
            "workers": firms.workers,
            "real_value_added": firms.real_value_added,
            "productivity": productivity,
            "tfp": firms.tfp(np.arange(firms.capacity)),
            "output_per_worker": output_per_worker,
            "export_sales": firms.export_sales,
            "exporter": firms.exporter.astype(float),
            "capital": firms.capital,
            "alive": firms.alive.astype(float),
        }
