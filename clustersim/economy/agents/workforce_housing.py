"""WorkforceHousing: a hostel for the cluster's workers (issue 17, workforce housing).

A dormitory near the cluster's firms (the Ministry of Textiles' workers' hostels near textile
parks, Tamil Nadu's hostels for working women, the worker housing of the PM-MITRA parks and the
dormitory rental housing of the 2024-25 Budget) lets workers of the firms within its reach live
close to their jobs for less than a room in town.  It acts through the labour market in two ways:

* **retention** -- a resident quits less often, so a firm keeps the skill its workers learn on the
  job (:meth:`~clustersim.economy.agents.firms.Firms.keep_housed_workers`);
* **labour supply** -- what a resident saves on rent makes a job in the cluster worth more to the
  workers it could draw in, so at a given wage more of them come (:meth:`WorkforceHousing.supply`).

Its beds are shared pro rata among the firms within reach, each up to the share of its workers who
would live there.  It is built, and opens late or never, as every facility is; its running gap
(upkeep less the residents' rents) is public.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .facility import Facility


def housed_shares(workers, within_reach, beds, resident_share) -> np.ndarray:
    """Share of each firm's workers living at the hostel: the beds shared pro rata among the
    workers of the firms within reach, up to the share who would live there,
    ``h = min(resident_share, beds / workers within reach)``; nil beyond its reach."""
    wanting = float(workers[within_reach].sum())
    share = min(resident_share, beds / wanting) if wanting > 0 else 0.0
    return np.where(within_reach, share, 0.0)


def shifted_supply(supply, housed_share: float, rent_saving_share: float):
    """The labour supply when a share ``housed_share`` of the cluster's workers live at the
    hostel, each saving ``rent_saving_share`` of the wage: a potential worker expects the wage
    plus that saving times his chance of a bed, so at a wage w as many come as came at
    w (1 + b H) before -- the median of reservation earnings falls by the factor 1 + b H.  (What
    they would earn outside, which the net-jobs series read from the calibrated supply, is
    unchanged.)"""
    if housed_share <= 0.0 or rent_saving_share <= 0.0:
        return supply
    shift = math.log1p(rent_saving_share * housed_share)
    return dataclasses.replace(supply, log_median=supply.log_median - shift)


class WorkforceHousing(Facility):
    """A hostel at a grid cell; its capacity is beds.  Always run by the government as far as its
    money goes (its upkeep less the rents: viability-gap funding); its builder's governance sets
    when it opens and the share of its beds kept available."""

    def __init__(
        self,
        model,
        cell,
        *,
        beds,
        uptime,
        reach,
        resident_share,
        quit_cut,
        rent_saving_share,
        opens_step,
        opex_cr,
        ramp_up=0,
    ):
        super().__init__(
            model, cell, uptime=uptime, opens_step=opens_step, opex_cr=opex_cr, fee=0.0,
            ramp_up=ramp_up,
        )  # fmt: skip
        self.beds = beds
        self.reach = reach
        self.resident_share = resident_share
        self.quit_cut = quit_cut
        self.rent_saving_share = rent_saving_share
        self.housed = np.zeros(0)  # per firm slot: share of its workers living here now
        self.housed_share = 0.0  # share of the cluster's workers living here now

    @property
    def capacity_units(self) -> float:
        """Beds on offer this quarter."""
        return self.beds * self.service_share(self.model.steps)

    def house(self, firms) -> None:
        """Workers of the firms within reach take the beds on offer (at last quarter's
        workforces); residents quit less, so their firms keep more of their skill.  The
        government pays the quarter's running gap."""
        model, live = self.model, firms.operating
        self.housed = np.zeros(firms.slots_used)
        self.housed_share = 0.0
        if not self.is_open(model.steps):
            return
        workers = firms.workers[live]
        within_reach = firms.distance_to(live, self) <= self.reach
        housed = housed_shares(workers, within_reach, self.capacity_units, self.resident_share)
        self.housed[live] = housed
        total = float(workers.sum())
        self.housed_share = float((housed * workers).sum()) / total if total > 0 else 0.0
        residents = live[(housed > 0) & (workers > 0)]
        firms.keep_housed_workers(residents, self.quit_cut * self.housed[residents])
        firms.use_scheme(residents, "workforce_housing")
        self.units_served = float((housed * workers).sum())
        self.run()

    def supply(self, supply):
        """The labour supply with this quarter's residents (see :func:`shifted_supply`)."""
        return shifted_supply(supply, self.housed_share, self.rent_saving_share)
