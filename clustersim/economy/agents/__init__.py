"""The agents of clustersim, one module each."""

from .cfc import CommonFacilityCentre
from .lender import Lender
from .msme import MSME
from .testing_lab import TestingLab

__all__ = ["MSME", "CommonFacilityCentre", "TestingLab", "Lender"]
