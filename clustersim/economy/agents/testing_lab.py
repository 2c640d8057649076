"""TestingLab: a testing and certification lab in the cluster.

Firms within reach that know of it queue for a test; the lab completes up to
its capacity each quarter, first come first served.  Firms with no lab in
reach test at a distant or overseas lab: dearer and slower.
"""

from __future__ import annotations

import numpy as np

from .facility import Facility


class TestingLab(Facility):
    """A lab at a grid cell; capacity in tests per quarter."""

    def __init__(self, model, cell, *, capacity_tests, uptime, fee, reach, opens_step, governance):
        super().__init__(model, cell, uptime=uptime, opens_step=opens_step, governance=governance)
        self.capacity_tests = capacity_tests
        self.fee = fee
        self.reach = reach

    @property
    def tests_per_quarter(self) -> int:
        return int(np.floor(self.capacity_tests * self.uptime))

    def serve(self, requested_step, priority):
        """Indices (into the queue arrays) served this quarter: oldest request first,
        ties broken by a pre-drawn priority."""
        order = np.lexsort((priority, requested_step))
        return order[: self.tests_per_quarter]
