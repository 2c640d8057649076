"""RawMaterialBank: a cluster's raw-material bank with local supplier development (issue 17).

A depot, run by an SPV or a department, buys materials in bulk for its members (NSIC's Raw
Material Assistance is the model: bulk purchases and cash discounts passed on to MSMEs), develops
local suppliers who replace part of what it would import, and holds a buffer stock that it sells
at its average cost, so a change in the world price reaches members gradually.  Firms within its
reach that know of it join when what they save on materials pays its service charge and the trip;
it supplies up to its capacity, shared pro rata.  What a member pays for materials, and how much
of that is imported, is :func:`input_prices`; the firms' plans, the markets and the accounts read
it through ``Firms.input_prices``.
"""

from __future__ import annotations

import numpy as np

from .facility import Facility
from .msme import MSME


def bank_price(imported_share, world_price, stock_price, local_supply_share, bulk_discount):
    """What a unit of materials costs at the bank, relative to a unit of domestic materials, and
    the imported part of it: ``(price, imported)``.

    Of a unit the market sells at ``(1 - s) + s x`` (``s`` the imported share, ``x`` the world
    price in rupees), the bank buys ``s (1 - local)`` abroad and sells it at its stock's average
    cost ``x_stock``; local suppliers make the rest at the domestic price; the bulk discount
    ``d`` applies to all of it: ``price = (1 - d) ((1 - s (1 - local)) + s (1 - local) x_stock)``.
    The world price ``world_price`` is not used: it reaches the bank through its stock."""
    del world_price  # documented above: the stock price carries it
    abroad = imported_share * (1.0 - local_supply_share)
    imported = (1.0 - bulk_discount) * abroad * stock_price
    return (1.0 - bulk_discount) * (1.0 - abroad) + imported, imported


def input_prices(served, market_price, market_imported, bank, bank_imported, saving):
    """Each firm's price of a unit of materials and its imported part: a share ``served`` of its
    materials comes from the bank at ``bank`` (of which ``bank_imported`` imported), the rest
    from the market at ``market_price`` (``market_imported`` imported); ``saving`` is the
    domestic input (energy) a clean producer no longer buys.  Returns ``(price, imported)``."""
    price = (1.0 - served) * market_price + served * bank - saving
    imported = (1.0 - served) * market_imported + served * bank_imported
    return price, imported


class RawMaterialBank(Facility):
    """A depot at a grid cell; capacity in Rs lakh of materials a quarter."""

    def __init__(
        self,
        model,
        cell,
        *,
        capacity_lakh,
        uptime,
        reach,
        travel_cost,
        service_charge,
        local_supply_share,
        bulk_discount,
        stock_quarters,
        opens_step,
        opex_cr,
        operator=None,
        ramp_up=0,
    ):
        super().__init__(
            model,
            cell,
            uptime=uptime,
            opens_step=opens_step,
            opex_cr=opex_cr,
            fee=service_charge,  # per rupee of materials supplied (an SPV reprices it)
            operator=operator,
            ramp_up=ramp_up,
        )
        self.capacity_lakh = capacity_lakh
        self.reach = reach
        self.travel_cost = travel_cost
        self.local_supply_share = local_supply_share
        self.bulk_discount = bulk_discount
        self.stock_quarters = stock_quarters
        self.stock_price = np.nan  # rupee price of the imported materials in its stock
        self.served_share = 1.0  # share of its members' needs it supplied last quarter
        self.served = np.zeros(0)  # per firm slot: share of its materials bought here now
        self.supplied = 0.0  # Rs lakh of materials its members are expected to buy (last quarter's)

    @property
    def available_lakh(self) -> float:
        return self.capacity_lakh * self.service_share(self.model.steps)

    @property
    def capacity_units(self) -> float:
        return self.available_lakh

    @property
    def service_charge(self) -> float:
        """Its charge per rupee of materials supplied (its fee)."""
        return self.fee

    def price(self) -> tuple[float, float]:
        """A unit of materials at the bank now, and its imported part (see :func:`bank_price`)."""
        markets = self.model.markets
        return bank_price(
            self.model.p.materials.imported_share,
            markets.exchange_rate * markets.import_price,
            self.stock_price,
            self.local_supply_share,
            self.bulk_discount,
        )

    def restock(self) -> None:
        """Its stock turns over: imported materials bought this quarter at the world price enter
        it with weight 1 / (1 + stock quarters), and it sells at the stock's average cost."""
        markets = self.model.markets
        world = markets.exchange_rate * markets.import_price
        if np.isnan(self.stock_price):
            self.stock_price = world
        else:
            self.stock_price += (world - self.stock_price) / (1.0 + self.stock_quarters)

    def supply(self, firms) -> None:
        """Firms choose whether to buy here this quarter; the bank shares its capacity among them
        pro rata.  A firm joins when it knows of the bank, is within reach, and what it saves on
        last quarter's materials at last quarter's served share pays the service charge and the
        trip.  Members pay the charge (to whoever runs it) and the trip now."""
        model, live = self.model, firms.operating
        self.served = np.zeros(firms.slots_used)
        if not self.is_open(model.steps):
            return
        self.restock()
        market_price = model.markets.material_price()
        bank, _ = self.price()
        distance = firms.distance_to(live, self)
        bought = firms.materials[live] / market_price  # units of materials, last quarter
        share = self.served_share if self.available_lakh > 0 else 0.0  # nothing to supply
        value = share * bought * (market_price - bank)
        charge = self.service_charge * share * bought * bank
        join = (
            model.government.reaches(firms, live, "raw_material_bank")
            & (distance <= self.reach)
            & MSME.takes_part(value, charge + self.travel_cost * distance)
        )
        members = live[join]
        wanted = float((bought[join] * bank).sum())
        self.served_share = min(1.0, self.available_lakh / wanted) if wanted > 0 else 1.0
        self.served[members] = self.served_share
        self.supplied = wanted * self.served_share
        firms.use_scheme(members, "raw_material_bank")
        fees = self.service_charge * self.served_share * bought[join] * bank
        trips = self.travel_cost * distance[join]
        firms.cash[members] -= fees + trips
        firms.facility_costs[members] += fees + trips
        self.units_served = self.supplied
        self.collect_fees(float(fees.sum()))
        model.ledger.post("other_firm_costs", "firms", "rest_of_world", float(trips.sum()))
        self.run()

    def stock_gap(self, units_bought) -> float:
        """What the bank pays its suppliers for its members' imported materials this quarter
        beyond what they paid it (its stock sold below replacement cost; negative when the world
        price has fallen): a public cost.  ``units_bought`` are the units of materials its members
        bought from it."""
        markets, s = self.model.markets, self.model.p.materials.imported_share
        abroad = (1.0 - self.bulk_discount) * s * (1.0 - self.local_supply_share)
        world = markets.exchange_rate * markets.import_price
        return float(abroad * (world - self.stock_price) * np.sum(units_bought))
