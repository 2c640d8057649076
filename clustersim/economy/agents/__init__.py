"""The agents of clustersim, one module each.

On the grid (Mesa agents): the MSMEs (``msme.py``: what one firm decides; ``firms.py``: what all
firms do in each phase of the quarter), the common facility centre (``cfc.py``), the testing lab
(``testing_lab.py``), both built on ``facility.py``, and the lenders (``lender.py``: the bank and
the moneylender).  Without a place on the grid: the government (``government.py``) and the
households (``households.py``).
"""

from .cfc import CommonFacilityCentre
from .firms import Firms
from .government import Government
from .households import Households
from .lender import Bank, Lender, Moneylender
from .msme import MSME
from .testing_lab import TestingLab

__all__ = [
    "MSME",
    "Firms",
    "CommonFacilityCentre",
    "TestingLab",
    "Lender",
    "Bank",
    "Moneylender",
    "Government",
    "Households",
]
