"""The one place where annual rates become quarterly ones.

A model step is one quarter.  Parameters are declared per year because that is
how sources quote them; the model only ever reads the quarterly values built
here.
"""

from __future__ import annotations

import numpy as np

QUARTERS_PER_YEAR = 4


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
