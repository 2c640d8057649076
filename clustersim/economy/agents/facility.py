"""Facility: what a CFC and a testing lab share — a place on the grid, who runs it, when it opens,
how much of its capacity stays available, its running cost, its fee and the fees it collects."""

from __future__ import annotations

from mesa.discrete_space import FixedAgent

from ..timeunits import per_quarter
from .spv import SPV

LAKH_PER_CRORE = 100.0


class Facility(FixedAgent):
    """A shared facility built by a scheme, run by an SPV (``operator``) or, without one, by the
    government."""

    def __init__(
        self,
        model,
        cell,
        *,
        uptime: float,
        opens_step: int,
        opex_cr: float,
        fee: float,
        unit_cost: float = 0.0,
        operator: SPV | None = None,
        ramp_up: int = 0,
    ):
        super().__init__(model)
        self.cell = cell
        self.uptime = uptime  # share of nominal capacity kept available
        self.opens_step = opens_step  # approval step + construction lag + any delay
        self.ramp_up = ramp_up  # quarters from opening to full capacity
        self.operator = operator  # the SPV that runs it (None: the government runs it)
        self.opex_cr = opex_cr  # fixed running cost (staff, upkeep), Rs crore a year
        self.fee = fee  # per unit served (a machine-hour, a test), Rs lakh
        self.unit_cost = unit_cost  # running cost per unit served, Rs lakh
        self.units_served = 0.0  # this quarter
        self.fees_collected = 0.0  # this quarter, Rs lakh
        self.closed = False  # its SPV gave up

    @property
    def governance(self) -> str:
        return "government" if self.operator is None else "spv"

    def is_open(self, step: int) -> bool:
        return step >= self.opens_step and not self.closed

    def service_share(self, step: int) -> float:
        """Share of nominal capacity on offer at ``step``: nothing before it opens or after it
        closes, then a straight-line ramp-up over ``ramp_up`` quarters to its uptime."""
        if not self.is_open(step):
            return 0.0
        ramp = min(1.0, (step - self.opens_step + 1) / self.ramp_up) if self.ramp_up > 0 else 1.0
        return self.uptime * ramp

    @property
    def capacity_units(self) -> float:
        """Units (machine-hours, tests) it offers this quarter."""
        raise NotImplementedError

    def collect_fees(self, amount: float) -> None:
        """Users' fees: the government's for a facility it runs, else the SPV's (outside the
        cluster's accounts)."""
        government = self.model.government
        payee = "government" if self.operator is None else "rest_of_world"
        self.model.ledger.post("facility_fees", "firms", payee, amount)
        if self.operator is None:
            government.collect(amount)
        self.fees_collected += amount

    def run(self) -> None:
        """A quarter's running cost: fixed, plus ``unit_cost`` for each unit served.  The
        government pays it for a facility it runs; an SPV pays it from the fees and its reserve,
        resets its fee and may close the facility (:class:`~.spv.SPV`)."""
        fixed = per_quarter(self.opex_cr * LAKH_PER_CRORE)
        variable = self.unit_cost * self.units_served
        if self.operator is None:
            self.model.government.spend("public_purchases", fixed + variable)
        else:
            self.fee = self.operator.settle(
                self.fees_collected,
                fixed,
                self.unit_cost,
                self.units_served,
                self.capacity_units,
                self.fee,
            )
            self.closed = self.operator.closed
        self.fees_collected = 0.0
        self.units_served = 0.0
