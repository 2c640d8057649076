"""The cluster's shared facilities: the CFC, the testing lab, the facilitation cell, the
raw-material bank, the workers' hostel and the design / R&D / IP centre (and the public projects
built like them: the link to a port and the single window).

A scheme's facility is commissioned when the scheme is approved: it is placed
(at its own cell, or at the first cluster core), the public share of its capex
is paid, and it is built: after a minimum construction lag it is completed with
a yearly chance (drawn once, at approval, from stream ``facility_delivery``), so
some facilities open late and some not within the horizon; once open it ramps up
to its capacity.  Governance (an industry-led SPV or a government department)
sets the lag, the completion chance, the share of capacity kept available and
the fees, and who pays the running costs: the government for a facility it
runs, the SPV (:mod:`clustersim.economy.agents.spv`) from its fees otherwise.
Each quarter the CFC serves first (its users' expected profits
depend on certificates as they stood), then the lab tests its queue.  How each
facility serves is written with it, in :mod:`clustersim.economy.agents.cfc`,
:mod:`clustersim.economy.agents.testing_lab` and :mod:`clustersim.economy.agents.raw_material_bank`
(which supplies its members before firms plan, since what materials cost enters their plans).
"""

from __future__ import annotations

import numpy as np

from .agents import CommonFacilityCentre, TestingLab
from .agents.raw_material_bank import RawMaterialBank
from .agents.spv import SPV
from .agents.workforce_housing import WorkforceHousing
from .timeunits import per_quarter, quarterly_hazard

LAKH_PER_CRORE = 100.0
#: Facility schemes, in the order of their completion draws (append only: a new facility must
#: not move another's draw).
FACILITIES = (
    "cfc",
    "testing_lab",
    "facilitation_cell",
    "raw_material_bank",
    "logistics",
    "workforce_housing",
    "single_window",
    "design_centre",
)
NEVER = 10**9  # a completion delay that never ends (a completion chance of nil)


def completion_delay(draw: float, hazard: float) -> int:
    """Quarters after the minimum lag until a facility is completed, with a quarterly completion
    chance ``hazard``: geometric, from one uniform draw (inverse transform)."""
    if hazard >= 1.0:
        return 0
    if hazard <= 0.0:
        return NEVER
    return int(np.floor(np.log1p(-draw) / np.log1p(-hazard)))


class Facilities:
    """The facilities built so far (``None`` until their scheme is approved)."""

    def __init__(self, model):
        self.model = model
        self.cfc: CommonFacilityCentre | None = None
        self.lab: TestingLab | None = None
        self.material_bank: RawMaterialBank | None = None
        self.logistics_opens: int | None = None  # step the connectivity project opens
        self.housing: WorkforceHousing | None = None  # the workers' hostel
        self.single_window_opens: int | None = None  # step the single window opens
        self.design_centre = None  # the grid cell of the design / R&D / IP centre
        self.design_centre_opens: int | None = None  # the step it opens
        self.facilitation_cell = None  # the grid cell its outreach starts from
        self.delays: dict[str, int] = {}  # quarters each facility opened after its minimum lag

    def commission(self, name: str, scheme) -> None:
        """A facility scheme is approved: place it, pay the capex grant, open it after the lag."""
        if name not in FACILITIES:
            return
        model = self.model
        if name == "logistics":  # a link to a port: no cell of its own on the grid
            self.logistics_opens = self.build(name, scheme)
            return
        if name == "single_window":  # a desk and a portal: no place that matters
            self.single_window_opens = self.build(name, scheme)
            return
        core = np.rint(model.cores[0]).astype(int)
        x = core[0] if scheme.x < 0 else min(scheme.x, model.width - 1)
        y = core[1] if scheme.y < 0 else min(scheme.y, model.width - 1)
        cell = model.grid[(int(x), int(y))]
        if name == "facilitation_cell":
            self.facilitation_cell = cell
            return
        if name == "workforce_housing":
            self.housing = self.build_housing(cell, scheme)
            return
        if name == "design_centre":  # its users and its effects: Government.near_design_centre
            self.design_centre, self.design_centre_opens = cell, self.build(name, scheme)
            return
        rules = model.p.governance
        spv = scheme.governance == "spv"
        uptime = rules.spv_uptime if spv else rules.government_uptime
        fee_factor = rules.spv_fee_factor if spv else rules.government_fee_factor
        opens, technology = self.build(name, scheme), model.p.technology
        operator = SPV(rules, per_quarter(scheme.opex_cr * LAKH_PER_CRORE)) if spv else None
        if name == "cfc":
            self.cfc = CommonFacilityCentre(
                model,
                cell,
                capacity_hours=scheme.capacity_hours,
                uptime=uptime,
                hours_per_worker=scheme.hours_per_worker,
                fee_per_hour=scheme.fee_per_hour_lakh * fee_factor,
                travel_cost=scheme.travel_cost_lakh,
                lift=technology.cfc_lift,
                reach=technology.cfc_reach,
                opens_step=opens,
                opex_cr=scheme.opex_cr,
                cost_per_hour=scheme.cost_per_hour_lakh,
                operator=operator,
                ramp_up=rules.ramp_up_quarters,
            )
        elif name == "raw_material_bank":
            self.material_bank = RawMaterialBank(
                model,
                cell,
                capacity_lakh=scheme.capacity_cr * LAKH_PER_CRORE,
                uptime=uptime,
                reach=scheme.reach,
                travel_cost=scheme.travel_cost_lakh,
                service_charge=scheme.service_charge * fee_factor,
                local_supply_share=scheme.local_supply_share,
                bulk_discount=scheme.bulk_discount,
                stock_quarters=scheme.stock_quarters,
                opens_step=opens,
                opex_cr=scheme.opex_cr,
                operator=operator,
                ramp_up=rules.ramp_up_quarters,
            )
        else:
            self.lab = TestingLab(
                model,
                cell,
                capacity_tests=scheme.capacity_tests,
                uptime=uptime,
                fee=model.p.market.local_test_fee_lakh * fee_factor,
                reach=scheme.reach,
                opens_step=opens,
                opex_cr=scheme.opex_cr,
                cost_per_test=scheme.cost_per_test_lakh,
                operator=operator,
                ramp_up=rules.ramp_up_quarters,
            )

    def build(self, name: str, scheme) -> int:
        """Pay the public share of an approved project's cost and draw when it opens: after its
        governance lag, with a yearly completion chance.  Returns the step it opens."""
        model, rules = self.model, self.model.p.governance
        spv = scheme.governance == "spv"
        lag = rules.spv_lag if spv else rules.government_lag
        completion = rules.spv_completion_rate if spv else rules.government_completion_rate
        model.government.spend(
            "public_purchases", scheme.grant_share * scheme.capex_cr * LAKH_PER_CRORE
        )
        draw = model.streams.get("facility_delivery", model.steps).random(len(FACILITIES))
        delay = completion_delay(draw[FACILITIES.index(name)], quarterly_hazard(completion))
        self.delays[name] = delay
        return model.steps + lag + delay

    def build_housing(self, cell, scheme) -> WorkforceHousing:
        """A workers' hostel at ``cell``: its builder's governance sets its lag, completion chance
        and the share of beds kept available; the government pays its running gap."""
        rules = self.model.p.governance
        spv = scheme.governance == "spv"
        return WorkforceHousing(
            self.model,
            cell,
            beds=scheme.beds,
            uptime=rules.spv_uptime if spv else rules.government_uptime,
            reach=scheme.reach,
            resident_share=scheme.resident_share,
            quit_cut=scheme.quit_cut,
            rent_saving_share=scheme.rent_saving_share,
            opens_step=self.build("workforce_housing", scheme),
            opex_cr=scheme.opex_cr,
            ramp_up=rules.ramp_up_quarters,
        )

    def house_workers(self, firms) -> None:
        """The workers' hostel, once built, houses workers of the firms within its reach."""
        if self.housing is not None and self.model.government.active["workforce_housing"]:
            self.housing.house(firms)

    def labour_supply(self, supply):
        """The cluster's labour supply this quarter: the calibrated one, shifted by a workers'
        hostel's residents (``WorkforceHousing.supply``)."""
        if self.housing is None or self.housing.housed_share <= 0.0:
            return supply
        return self.housing.supply(supply)

    def _running(self, opens: int | None, scheme: str) -> bool:
        """A project without a facility object has opened (at step ``opens``) and its scheme is
        running."""
        return (
            opens is not None and self.model.steps >= opens and self.model.government.active[scheme]
        )

    def single_window_open(self) -> bool:
        """The single window is open and its scheme running."""
        return self._running(self.single_window_opens, "single_window")

    def logistics_open(self) -> bool:
        """The connectivity project is open and its scheme running."""
        return self._running(self.logistics_opens, "logistics")

    def design_centre_open(self) -> bool:
        """The design / R&D / IP centre is open and its scheme running."""
        return self._running(self.design_centre_opens, "design_centre")

    def open_count(self) -> int:
        """Facilities (CFC, lab, raw-material bank, workers' hostel, design centre) open now."""
        step = self.model.steps
        built = (self.cfc, self.lab, self.material_bank, self.housing)
        return sum(f is not None and f.is_open(step) for f in built) + self.design_centre_open()

    def supply_materials(self, firms) -> None:
        """The raw-material bank, once built, enrols this quarter's members and restocks."""
        if self.material_bank is not None and self.model.government.active["raw_material_bank"]:
            self.material_bank.supply(firms)

    def served_by_bank(self, rows):
        """Share of each firm's materials the raw-material bank supplies this quarter (None
        without an open bank that serves anyone)."""
        bank = self.material_bank
        if bank is None or not bank.served.any():
            return None
        rows = np.asarray(rows)
        served = np.zeros(len(rows))
        enrolled = rows < len(bank.served)  # entrants since it enrolled its members are not
        served[enrolled] = bank.served[rows[enrolled]]
        return served

    def serve(self, firms) -> None:
        """The CFC rations its machine-hours; then the lab, once open, tests its queue."""
        government, steps = self.model.government, self.model.steps
        if self.cfc is not None and government.active["cfc"]:
            self.cfc.serve(firms)
        if self.lab is not None and government.active["testing_lab"] and self.lab.is_open(steps):
            self.lab.serve(firms)

    def local_lab(self, firms, rows) -> np.ndarray:
        """Firms that can test at the cluster's own lab this quarter: it is open and running, no
        dearer than a distant lab, and they know of it and are within its reach."""
        lab, government = self.lab, self.model.government
        if lab is None or not lab.is_open(self.model.steps) or not government.active["testing_lab"]:
            return np.zeros(len(rows), dtype=bool)
        if lab.fee > self.model.p.market.distant_test_cost_lakh:  # dearer than going away
            return np.zeros(len(rows), dtype=bool)
        return government.reaches(firms, rows, "testing_lab") & (
            firms.distance_to(rows, lab) <= lab.reach
        )

    def lab_fee(self) -> float:
        """The fee of a test at the cluster's lab (nil where there is none)."""
        return self.lab.fee if self.lab is not None else 0.0
