"""The one place where annual rates become quarterly ones.

A model step is one quarter.  Parameters are declared per year because that is
how sources quote them; the model only ever reads the quarterly values built
here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

QUARTERS_PER_YEAR = 4
WORKING_DAYS_PER_QUARTER = 75  # six days a week, 12.5 weeks


def quarterly_rate(annual_rate: float) -> float:
    """Compound-equivalent quarterly interest rate: (1 + r)^(1/4) - 1."""
    return (1.0 + annual_rate) ** (1.0 / QUARTERS_PER_YEAR) - 1.0


def quarterly_hazard(annual_probability: float) -> float:
    """Quarterly probability with the same yearly survival: 1 - (1 - h)^(1/4).

    Also used for yearly shares that decay (depreciation, skill loss) and for
    yearly chances of an event (upgrading, learning of a scheme).  A value of 1
    or more is an event certain within the year; it is capped at 1.
    """
    return 1.0 - (1.0 - np.minimum(annual_probability, 1.0)) ** (1.0 / QUARTERS_PER_YEAR)


def quarterly_intensity(annual_intensity: float) -> float:
    """Quarterly Poisson intensity from a yearly one (may exceed 1): lambda / 4."""
    return annual_intensity / QUARTERS_PER_YEAR


def per_quarter(annual_amount: float) -> float:
    """A yearly flow (Rs per year) spread evenly over the quarters."""
    return annual_amount / QUARTERS_PER_YEAR


@dataclass(frozen=True)
class QuarterlyRates:
    """The cluster's per-year parameters as quarterly ones, converted once.  Intervention rates
    are converted where the intervention acts, always through the functions above."""

    # the bank's lending rate, and the cost of funds at which entry and the start are valued
    formal_rate: float
    informal_rate: float  # the moneylender's rate
    depreciation: float
    exit_hazard: float
    skill_depreciation: float
    consulting_decay: float
    innovation: float  # Bass p: chance of hearing of the next technology with no better neighbour
    imitation: float  # Bass q: the same when every neighbour uses it
    word_of_mouth: float
    obsolescence: float
    export_fixed_cost: float  # Rs lakh a quarter
    owner_consumption: float  # share of net worth an owner consumes a quarter
    # the return an owner asks of a scheme's time and money, when above the bank's
    owner_hurdle: float
    late_payment: float  # chance a quarter that a firm's main buyer pays a quarter late
    buyer_default: float  # chance a quarter that it never pays

    @classmethod
    def of(cls, params) -> QuarterlyRates:
        """From a scenario's resolved parameters."""
        technology, finance = params.technology, params.finance
        return cls(
            formal_rate=quarterly_rate(finance.formal_rate),
            informal_rate=quarterly_rate(finance.informal_rate),
            depreciation=quarterly_hazard(technology.depreciation),
            exit_hazard=quarterly_hazard(params.dynamics.exit_hazard),
            skill_depreciation=quarterly_hazard(technology.skill_depreciation),
            consulting_decay=quarterly_hazard(technology.consulting_decay),
            innovation=quarterly_hazard(technology.innovation_rate),
            imitation=quarterly_hazard(technology.imitation_rate),
            word_of_mouth=quarterly_hazard(params.awareness.word_of_mouth),
            obsolescence=quarterly_hazard(technology.obsolescence),
            export_fixed_cost=per_quarter(params.market.export_fixed_cost_lakh),
            owner_consumption=quarterly_hazard(finance.owner_consumption),
            owner_hurdle=quarterly_rate(params.owners.hurdle_rate),
            late_payment=quarterly_hazard(finance.late_payment_rate),
            buyer_default=quarterly_hazard(finance.buyer_default_rate),
        )
