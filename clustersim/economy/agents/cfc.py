"""CommonFacilityCentre: a shared tool room / machine shop built by a scheme.

It opens after a construction lag that depends on governance, offers a number
of machine-hours a quarter (less downtime), charges a fee, and lifts the TFP
of its users by an amount that falls with distance and with rationing.
"""

from __future__ import annotations

import numpy as np

from .facility import Facility
from .msme import MSME


class CommonFacilityCentre(Facility):
    """A CFC at a grid cell.  All money in Rs lakh, time in steps (quarters)."""

    def __init__(
        self,
        model,
        cell,
        *,
        capacity_hours,
        uptime,
        hours_per_worker,
        fee_per_hour,
        travel_cost,
        lift,
        reach,
        opens_step,
        opex_cr,
        cost_per_hour=0.0,
        operator=None,
        ramp_up=0,
    ):
        super().__init__(
            model,
            cell,
            uptime=uptime,
            opens_step=opens_step,
            opex_cr=opex_cr,
            fee=fee_per_hour,
            unit_cost=cost_per_hour,
            operator=operator,
            ramp_up=ramp_up,
        )
        self.capacity_hours = capacity_hours
        self.hours_per_worker = hours_per_worker
        self.travel_cost = travel_cost
        self.lift = lift
        self.reach = reach
        self.hours_used = 0.0

    def serve(self, firms) -> None:
        """Firms that know of the CFC use it when the TFP lift is worth the fee and the trip; when
        they want more hours than it has, every user gets the same share of its hours (found by
        :meth:`clear_service`).  Users pay fees and travel; last quarter's lift ends."""
        model, live = self.model, firms.operating
        firms.cfc_lift[live] = 0.0
        open_now = self.is_open(model.steps)
        distance = firms.distance_to(live, self)
        full_lift = self.lift_at(distance)
        expected = firms.expectations(live)
        hours = self.hours_per_worker * firms.workers[live]
        aware = model.government.reaches(firms, live, "cfc")

        def wants(
            share,
        ):  # firms that find the CFC worth it when it serves this share of their hours
            gain = MSME.gain(expected.plan, expected.plan_with(tfp_factor=1.0 + full_lift * share))
            return MSME.uses_cfc(
                aware,
                open_now,
                gain,
                self.fee * hours * share,
                self.travel_cost * distance,
            )

        served, users = self.clear_service(hours, wants)
        rows = live[users]
        firms.cfc_lift[rows] = full_lift[users] * served
        firms.cfc_user[rows] = True
        firms.use_scheme(rows, "cfc")
        fees = self.fee * hours[users] * served + self.travel_cost * distance[users]
        firms.cash[rows] -= fees
        firms.facility_costs[rows] += fees  # beside the raw-material bank's
        self.hours_used = float(hours[users].sum() * served)
        self.units_served = self.hours_used
        self.collect_fees(float((self.fee * hours[users] * served).sum()))
        model.ledger.post(
            "other_firm_costs",
            "firms",
            "rest_of_world",
            float((self.travel_cost * distance[users]).sum()),
        )
        if open_now:
            self.run()

    @property
    def available_hours(self) -> float:
        return self.capacity_hours * self.service_share(self.model.steps)

    @property
    def capacity_units(self) -> float:
        return self.available_hours

    def lift_at(self, distance):
        """Full-service TFP lift at a distance: lift * exp(-d / reach); nil at zero capacity."""
        if self.available_hours <= 0.0:
            return np.zeros_like(distance, dtype=float)
        return self.lift * np.exp(-distance / self.reach)

    def clear_service(self, hours, wants):
        """The service share s at which the firms that want the CFC at s (``wants(s)``, a
        boolean mask) ask for no more hours than it has: the largest s <= 1 with
        s * hours_wanted(s) <= available.  Found by bisection; demand rises with s when
        the TFP-gain exponent is >= 1 (the defaults).  Either way the share returned is
        one the CFC can deliver to every firm that wants it.  Returns (s, users)."""
        if self.available_hours <= 0.0:
            return 0.0, wants(0.0)
        users = wants(1.0)
        if self.served_share(hours[users]) >= 1.0:
            return 1.0, users
        lo, hi = 0.0, 1.0
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            if self.served_share(hours[wants(mid)]) >= mid:
                lo = mid
            else:
                hi = mid
        return lo, wants(lo)

    def served_share(self, hours_wanted) -> float:
        """Share of wanted hours served when demand exceeds capacity (pro rata rationing)."""
        total = float(np.sum(hours_wanted))
        if total <= 0.0:
            return 0.0 if self.available_hours <= 0.0 else 1.0
        return min(1.0, self.available_hours / total)

    @property
    def utilisation(self) -> float:
        return self.hours_used / self.available_hours if self.available_hours > 0 else 0.0
