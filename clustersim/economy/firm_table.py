"""Firm state: one numpy array per state variable, one row per firm slot.

Slots ``0 .. n_firms-1`` hold the initial firms; the slots after them are the
pre-drawn pool of potential entrants, consumed at a fixed rate whatever the
package (see :mod:`clustersim.economy.streams` and :mod:`clustersim.economy.demography`).
``alive`` says which slots are firms now.  How the firms act on these columns is
:mod:`clustersim.economy.agents.firms`; the MSME agents
(:mod:`clustersim.economy.agents.msme`) are Mesa handles onto rows.
"""

from __future__ import annotations

import numpy as np

from ..inputs.params import SCHEMES

#: name -> (dtype, meaning).  Every firm state variable is declared here once.
FIELDS: dict[str, tuple[type, str]] = {
    "alive": (bool, "slot holds an operating firm"),
    "x": (np.int32, "grid column"),
    "y": (np.int32, "grid row"),
    "women_owned": (bool, "owner is a woman"),
    "tfp_permanent": (float, "permanent log-TFP component (firm ability)"),
    "tfp_transitory": (float, "AR(1) log-TFP component"),
    "tech_level": (np.int8, "technology level, 0 = legacy"),
    "skill": (float, "workforce skill, 0-1"),
    "consulting_lift": (float, "TFP gain from consulting still in effect (share)"),
    "cfc_lift": (float, "TFP lift received from the CFC this quarter (share)"),
    "certified_until": (np.int32, "last step the quality certificate is valid (-1 = none)"),
    "test_ready_step": (np.int32, "step a pending certification test completes (-1 = none)"),
    "test_requested_step": (np.int32, "step the pending test was requested (-1 = none)"),
    "exporter": (bool, "sells in the export market"),
    "capital": (float, "capital stock, Rs lakh (the 'investment' of the MSME definition)"),
    "workers": (float, "workers (full-time equivalents)"),
    "cash": (float, "cash, Rs lakh"),
    "earmarked": (float, "growth-fund equity reserved for investment, Rs lakh"),
    "formal_debt": (float, "outstanding formal loan principal, Rs lakh"),
    "formal_payment": (float, "quarterly instalment on the formal loan, Rs lakh"),
    "formal_rate": (float, "quarterly rate the firm pays on its formal loan"),
    "guarantee_cover": (float, "share of the formal loan covered by the credit guarantee"),
    "subvention": (float, "quarterly interest points paid by the government on the formal loan"),
    "receivables": (float, "what the firm's buyers owe it for past sales, Rs lakh"),
    "materials_stock": (float, "materials bought and not yet used, at cost, Rs lakh"),
    "cash_credit": (float, "the firm's cash-credit (overdraft) balance at the bank, Rs lakh"),
    "cash_credit_limit": (
        float,
        "cash-credit limit the bank sanctioned at its last review, Rs lakh",
    ),
    "out_of_order_since": (
        np.int32,
        "step its bank account fell out of order (dues unpaid; 0 = in order)",
    ),
    "informal_debt": (float, "outstanding moneylender principal, Rs lakh"),
    "informal_payment": (float, "quarterly instalment to the moneylender, Rs lakh"),
    "informal_rate": (float, "quarterly rate the firm pays on its moneylender debt"),
    "formal_access": (bool, "not refused at its last bank application: counts on bank credit"),
    "bank_barred_until": (np.int32, "last step the firm is barred from bank credit (a default)"),
    "credit_constrained": (bool, "wants more capital at the bank's cost than its net worth allows"),
    "bank_paid": (
        float,
        "what the firm paid the bank this quarter (instalment after subvention, cash-credit "
        "interest and repayments), Rs lakh",
    ),
    "loss_streak": (np.int16, "consecutive quarters with a loss"),
    "entry_step": (np.int32, "step the firm entered (0 = initial firm)"),
    "upgrade_cost_factor": (float, "what an upgrade costs this firm relative to the median firm"),
    "wealth_share": (float, "net worth an entrant's owner brings / the capital and cash it plans"),
    "sales": (float, "sales this quarter, Rs lakh"),
    "export_sales": (float, "export sales this quarter, Rs lakh"),
    "materials": (float, "materials bought this quarter, Rs lakh"),
    "output": (float, "physical output this quarter, in Rs lakh at the start's average price"),
    "price": (float, "price this quarter (index, relative to the demand normalisation)"),
    "real_value_added": (float, "value added this quarter at base-period prices, Rs lakh"),
    "profit": (float, "profit this quarter after depreciation and interest, Rs lakh"),
    "cfc_user": (bool, "used the CFC this quarter"),
    "facility_costs": (float, "CFC fees and trips paid this quarter, Rs lakh"),
    "trained_workers": (float, "workers trained under the scheme so far"),
    "consulted": (bool, "received scheme consulting"),
    "growth_funded": (bool, "received growth-fund equity"),
    "clean_producer": (bool, "made the clean-production (energy-efficiency) investment"),
    "single_window": (bool, "moved its compliance onto the single window"),
    "trial_arm": (np.int8, "in-silico trial: 0 not in it, 1 control, 2 treated"),
    "export_cost_cut": (float, "firm-specific cut in export costs (trial export link)"),
    # issue 17: the design centre's and the digital market platform's users
    "design_premium": (float, "price premium buyers pay for the firm's redesigned product (share)"),
    "on_platform": (bool, "sells on the digital market platform"),
}


#: Columns derived from the state (computed by ``Firms.columns``), name -> meaning.
DERIVED: dict[str, str] = {
    "tfp": "TFP multiplier (before the calibration scale)",
    "productivity": "real value added per worker, Rs lakh a year",
    "age": "quarters since the firm entered",
    "size_class": "0 micro, 1 small, 2 medium, 3 large (2025 thresholds)",
}

#: The names a condition over the firm table may use (a trial's ``eligible_if``), each with
#: whether it is boolean: every state variable and the derived columns.
CONDITION_COLUMNS: dict[str, bool] = {
    **{name: dtype is bool for name, (dtype, _) in FIELDS.items()},
    **dict.fromkeys(DERIVED, False),
}

#: Column of each scheme in ``FirmTable.aware``.
SCHEME_COLUMN = {name: k for k, name in enumerate(SCHEMES)}

#: The schemes an owner may doubt would pay (columns of ``FirmTable.doubts``).
DOUBTED_SCHEMES = ("skills_training", "consulting", "design_centre", "digital_market")


class FirmTable:
    """Columns of firm state (attributes named as in :data:`FIELDS`)."""

    def __init__(self, capacity: int, n_schemes: int = len(SCHEMES)):
        self.capacity = capacity
        for name, (dtype, _) in FIELDS.items():
            setattr(self, name, np.zeros(capacity, dtype=dtype))
        for name in ("certified_until", "test_ready_step", "test_requested_step"):
            getattr(self, name)[:] = -1
        #: aware[i, k]: firm i knows of scheme k (columns = params.SCHEMES)
        self.aware = np.zeros((capacity, n_schemes), dtype=bool)
        #: using[i, k]: firm i uses scheme k this quarter (its take-up)
        self.using = np.zeros((capacity, n_schemes), dtype=bool)
        #: doubts[i, k]: firm i's owner doubts scheme k would pay (columns = DOUBTED_SCHEMES)
        self.doubts = np.zeros((capacity, len(DOUBTED_SCHEMES)), dtype=bool)

    def grow(self, capacity: int) -> None:
        """Make room for more slots (new rows start as FIELDS' zeros / -1)."""
        if capacity <= self.capacity:
            return
        fresh = FirmTable(
            capacity - self.capacity, self.aware.shape[1]
        )  # columns only: a plain table
        for name in (*FIELDS, "aware", "using", "doubts"):
            setattr(self, name, np.concatenate([getattr(self, name), getattr(fresh, name)]))
        self.capacity = capacity

    def use_scheme(self, rows, scheme: str) -> None:
        """Firms in ``rows`` use ``scheme`` this quarter (counted in its take-up)."""
        self.using[rows, SCHEME_COLUMN[scheme]] = True

    def live(self) -> np.ndarray:
        """Row indices of operating firms, in slot order."""
        return np.flatnonzero(self.alive)
