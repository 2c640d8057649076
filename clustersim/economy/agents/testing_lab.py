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

    def __init__(
        self,
        model,
        cell,
        *,
        capacity_tests,
        uptime,
        fee,
        reach,
        opens_step,
        opex_cr,
        cost_per_test=0.0,
        operator=None,
        ramp_up=0,
    ):
        super().__init__(
            model,
            cell,
            uptime=uptime,
            opens_step=opens_step,
            opex_cr=opex_cr,
            fee=fee,
            unit_cost=cost_per_test,
            operator=operator,
            ramp_up=ramp_up,
        )
        self.capacity_tests = capacity_tests
        self.reach = reach

    @property
    def tests_per_quarter(self) -> int:
        return int(np.floor(self.capacity_tests * self.service_share(self.model.steps)))

    @property
    def capacity_units(self) -> float:
        return float(self.tests_per_quarter)

    def serve(self, firms) -> None:
        """Test the queue, oldest request first, up to this quarter's capacity;
        a passed test certifies."""
        model, live, steps = self.model, firms.operating, self.model.steps
        queue = live[firms.test_requested_step[live] >= 0]
        priority = model.streams.get("lab_queue", steps).random(firms.slots_used)[queue]
        served = queue[self.first_in_queue(firms.test_requested_step[queue], priority)]
        model.counts.lab_tests = len(served)
        model.counts.lab_wait = float((steps - firms.test_requested_step[served]).sum())
        firms.certified_until[served] = steps + model.p.market.certification_validity
        firms.test_requested_step[served] = -1
        self.units_served = float(len(served))
        self.run()
        if self.closed:  # its SPV gave up: those still queued may apply elsewhere
            firms.test_requested_step[queue] = -1

    def first_in_queue(self, requested_step, priority):
        """Indices (into the queue arrays) served this quarter: oldest request first,
        ties broken by a pre-drawn priority."""
        order = np.lexsort((priority, requested_step))
        return order[: self.tests_per_quarter]
