"""MSME: a micro, small or medium enterprise — what a firm decides.

Every rule a firm follows is written here once, as an array expression over
firms (one element per firm), so that the model stays fast and a student who
edits a rule here changes the simulation.  The :class:`MSME` agent itself is a
Mesa handle onto one row of the firm table (:mod:`clustersim.firms`).

Notation (docs/ODD.md, "Submodels"; the mathematics in :mod:`clustersim.economy.technology`):
a firm produces ``q = Phi * min(K**beta * L**alpha, M / a)`` (materials in fixed proportion)
and faces CES demand ``q = B * p**(-sigma)``, so its revenue is ``R = B**(1/sigma) * q**rho``
with ``rho = (sigma-1)/sigma``.  ``B`` bundles the domestic demand level, the price index,
the firm's quality and, for exporters, foreign demand.
"""

from __future__ import annotations

import numpy as np
from mesa.discrete_space import FixedAgent

from .. import technology
from ..technology import Optimum, Technology

# 2025 MSME thresholds in Rs lakh: (investment, annual turnover) per class.
SIZE_THRESHOLDS_LAKH = ((250.0, 1_000.0), (2_500.0, 10_000.0), (12_500.0, 50_000.0))
SIZE_CLASS_NAMES = ("micro", "small", "medium", "large")


class MSME(FixedAgent):
    """A firm of the cluster: a Mesa handle onto row ``row`` of ``model.firms``."""

    def __init__(self, model, cell, row: int):
        super().__init__(model)
        self.cell = cell
        self.row = row

    # ---- read-only views for students, the dashboard and tests ------------
    @property
    def workers(self) -> float:
        return float(self.model.firms.workers[self.row])

    @property
    def capital(self) -> float:
        return float(self.model.firms.capital[self.row])

    @property
    def exporter(self) -> bool:
        return bool(self.model.firms.exporter[self.row])

    @property
    def sales(self) -> float:
        return float(self.model.firms.sales[self.row])

    @property
    def size_class(self) -> str:
        f = self.model.firms
        return SIZE_CLASS_NAMES[
            int(
                MSME.size_class_index(
                    f.capital[self.row : self.row + 1], 4.0 * f.sales[self.row : self.row + 1]
                )[0]
            )
        ]

    # ================================================================ rules
    # Production and pricing -------------------------------------------------
    @staticmethod
    def tfp(
        permanent, transitory, tech_level, skill, cfc_lift, consulting_lift, tech_step, skill_lift
    ):
        """Phi = exp(a + z) (1 + tech_step)^level (1 + skill_lift * skill) (1 + cfc_lift)
        (1 + consulting)."""
        return (
            np.exp(permanent + transitory)
            * (1.0 + tech_step) ** tech_level
            * (1.0 + skill_lift * skill)
            * (1.0 + cfc_lift)
            * (1.0 + consulting_lift)
        )

    @staticmethod
    def demand_shifter(certified, exporter, quality_lift, domestic_level, foreign_level):
        """Quality xi = 1 + quality_lift * certified; returns (B_domestic, B_total).

        ``domestic_level`` is E * P^(sigma-1); ``foreign_level`` the same for the
        export market in rupees, already including exchange rate and tariff.
        """
        quality = 1.0 + quality_lift * certified
        b_dom = quality * domestic_level
        return b_dom, b_dom + quality * foreign_level * exporter

    @staticmethod
    def best_plan(
        demand, phi, capital, wage, material_cost, tech: Technology, guess=None
    ) -> Optimum:
        """With capital as it is, hire labour and buy materials up to where marginal revenue equals
        marginal cost (materials at ``material_cost`` per unit of the capital-labour bundle)."""
        return technology.short_run(demand, phi, capital, wage, material_cost, tech, guess)

    @staticmethod
    def short_run_problem(
        demand, phi, capital, material_cost, tech: Technology
    ) -> technology.ShortRun:
        """The same choice for firms whose demand, TFP and capital are given, at any wage (the
        labour market tries several)."""
        return technology.ShortRun(demand, phi, capital, material_cost, tech)

    @staticmethod
    def long_run_plan(demand, phi, wage, user_cost, material_cost, tech: Technology) -> Optimum:
        """The plan with capital chosen too: its marginal revenue product equals the user cost."""
        return technology.long_run(demand, phi, wage, user_cost, material_cost, tech)

    @staticmethod
    def output_given_labour(demand, phi, capital, labour, material_cost, tech: Technology):
        """Output, revenue and materials cost with the workforce fixed (materials as needed)."""
        return technology.given_labour(demand, phi, capital, labour, material_cost, tech)

    @staticmethod
    def adjust_workforce(current, desired, hiring_speed):
        """Hiring and firing close a share of the gap each quarter: L' = L + s (L* - L)."""
        return current + hiring_speed * (desired - current)

    # Investment -------------------------------------------------------------
    @staticmethod
    def desired_capital(demand, phi, wage, user_cost, material_cost, tech: Technology):
        """Capital where its marginal revenue product equals the user cost, at the demand, wage
        and materials cost the firm expects (labour and materials chosen with it)."""
        return technology.long_run(demand, phi, wage, user_cost, material_cost, tech).capital

    @staticmethod
    def investment(capital, desired, depreciation, speed):
        """Replace depreciation and close a share of the gap to K*; never negative."""
        return np.maximum(depreciation * capital + speed * (desired - capital), 0.0)

    @staticmethod
    def capital_target(desired, room):
        """The capital a firm aims at when each source of funds has its cost and its limit (a
        pecking order).  ``desired[j]`` is the capital whose marginal revenue product equals the
        user cost of source j (own funds, the bank, the moneylender; a subvention can make the
        bank cheaper than own funds); ``room[j]`` the capital the firm can hold with sources 0..j
        (net worth, then k <= lambda a with bank credit, then with moneylender credit: rising).
        The target is the desired capital of the marginal source, or the limit where the next
        source costs more than capital yields: max_j min(desired[j], room[j]).  Returns (target,
        index of the marginal source (the one attaining the maximum, the cheapest on ties),
        constrained: wants more capital at the bank's cost than its net worth lets it hold with
        bank credit)."""
        capped = np.array([np.minimum(k, u) for k, u in zip(desired, room, strict=True)])
        source = np.argmax(capped, axis=0)  # the cheapest source that reaches it, on ties
        target = np.take_along_axis(capped, source[None, :], axis=0)[0]
        return target, source, desired[1] > room[1]

    @staticmethod
    def capital_room(net_worth, buffer, bank_leverage, informal_leverage, bank_open, waived=0.0):
        """Capital a firm can hold with its own funds (net worth not kept as working capital,
        ``buffer``: working cash and receivables its cash credit does not finance), with
        bank credit too (k <= lambda_b a, when the bank is open to it, or the bank debt a credit
        guarantee lets it hold without collateral, ``waived``, if more) and with the
        moneylender's too (who lends up to (lambda_m - 1) a of its own)."""
        wealth = np.maximum(net_worth, 0.0)
        own = np.maximum(net_worth - buffer, 0.0)
        bank = own + np.maximum((bank_leverage - 1.0) * wealth, waived) * bank_open
        return own, bank, bank + (informal_leverage - 1.0) * wealth

    @staticmethod
    def net_worth(
        capital, cash, earmarked, current_assets, formal_debt, cash_credit, informal_debt
    ):
        """The owner's stake in the firm: a = K + cash + earmarked funds + current assets
        (receivables and the stock of materials) - debts (the bank's term loan and cash credit,
        the moneylender's)."""
        return (
            capital + cash + earmarked + current_assets - formal_debt - cash_credit - informal_debt
        )

    # Money -----------------------------------------------------------------
    @staticmethod
    def buyers_pay(receivables, draw, late, never, main_buyer_share):
        """What buyers pay of what they owed at the start of the quarter.  One draw per firm: below
        ``never`` its main buyer (``main_buyer_share`` of the receivables) never pays; below
        ``never + late`` it pays a quarter late; otherwise every buyer pays.  Returns (collected,
        still owed, lost)."""
        main = main_buyer_share * receivables
        lost = np.where(draw < never, main, 0.0)
        delayed = np.where((draw >= never) & (draw < never + late), main, 0.0)
        return receivables - lost - delayed, delayed, lost

    @staticmethod
    def materials_purchases(used, stock, stock_quarters):
        """What a firm buys this quarter: the materials it uses and what brings its stock to
        ``stock_quarters`` of its use (never a negative purchase: a stock above that is used up
        first).  Returns (purchases, stock after the quarter)."""
        purchases = np.maximum(used + stock_quarters * used - stock, 0.0)
        return purchases, stock + purchases - used

    @staticmethod
    def cash_credit_wanted(balance, cash, buffer, drawing_power):
        """The cash-credit balance a firm wants after its quarter's takings and payments: the
        account absorbs the gap to its working buffer (it draws when short, repays when flush),
        within its drawing power."""
        return np.clip(balance + buffer - cash, 0.0, np.maximum(drawing_power, 0.0))

    @staticmethod
    def cash_buffer(wage, labour, materials, capital, buffer_quarters, depreciation):
        """Cash a firm keeps before its owner is paid: ``buffer_quarters`` of wages and materials,
        plus a quarter's depreciation."""
        return buffer_quarters * (wage * labour + materials) + depreciation * capital

    @staticmethod
    def financing_need(
        investment,
        upgrade_cost,
        upgrade,
        sunk_cost,
        entering,
        test_cost,
        seek,
        earmarked,
        own_funds,
    ):
        """What a firm must borrow for its plans: the spending planned, less growth-fund money
        (which pays only for capital and upgrades) and its own cash above the buffer.
        Returns (need, earmarked used)."""
        spending = investment + upgrade_cost * upgrade + sunk_cost * entering + test_cost * seek
        earmarked_use = np.minimum(earmarked, investment + upgrade_cost * upgrade)
        return np.maximum(spending - earmarked_use - own_funds, 0.0), earmarked_use

    @staticmethod
    def spend_in_order(
        funds,
        test_cost,
        seek,
        sunk_cost,
        entering,
        earmarked_use,
        upgrade_cost,
        upgrade,
        investment,
    ):
        """What a firm's funds (cash above the buffer and loans) pay for, in order: the
        certification test, export entry, then, with any growth-fund money, the upgrade and capital.
        Returns (seek, enter, upgrade, investment) as carried out."""
        funds = funds.copy()
        seek = seek & (funds >= test_cost)
        funds -= test_cost * seek
        enter = entering & (funds >= sunk_cost)
        funds -= sunk_cost * enter
        funds += earmarked_use
        upgrade = upgrade & (funds >= upgrade_cost)
        funds -= upgrade_cost * upgrade
        return seek, enter, upgrade, np.minimum(investment, funds)

    @staticmethod
    def owner_draw(cash, buffer, informal_debt, net_worth, consumption_rate):
        """What the owner does with the firm's cash above its working buffer: first repay the
        moneylender (the dearest debt), then consume a constant share of net worth (Moll 2014),
        as far as that cash goes.  Returns (prepayment, consumption)."""
        spare = np.maximum(cash - buffer, 0.0)
        prepay = np.minimum(spare, informal_debt)
        consume = np.minimum(consumption_rate * np.maximum(net_worth, 0.0), spare - prepay)
        return prepay, consume

    # Gains a firm weighs when it decides ------------------------------------
    @staticmethod
    def gain(plan_now: Optimum, plan_then: Optimum):
        """Extra variable profit per quarter a change would bring: profit at the best plan with
        it less profit at the best plan without it."""
        return plan_then.profit - plan_now.profit

    # Decisions -----------------------------------------------------------
    @staticmethod
    def wants_to_upgrade(hears_of_better, gain, cost, discount):
        """Upgrade when the firm has heard of the better vintage and the gain pays back the cost."""
        return hears_of_better & (gain / discount > cost)

    @staticmethod
    def export_choice(exporter, certified, gain, fixed_cost, sunk_cost, discount):
        """Hysteresis: stay while the gain covers the fixed cost; enter only if it also
        covers the annuity of the sunk cost.  Exporting needs a valid certificate."""
        stay = exporter & (gain > fixed_cost)
        enter = ~exporter & (gain - fixed_cost > sunk_cost * discount)
        return certified & (stay | enter), enter & certified

    @staticmethod
    def seeks_certification(
        certified_soon_expired, pending, export_gain, quality_gain, fixed_cost, test_cost, validity
    ):
        """Seek (or renew) a certificate if exporting or the quality premium would pay for it."""
        worth = (export_gain - fixed_cost > 0.0) | (quality_gain * validity > test_cost)
        return certified_soon_expired & ~pending & worth

    @staticmethod
    def believed_value(value, doubts):
        """What an owner expects taking part in a scheme to be worth: its value, or nothing if he
        doubts it would pay for a firm like his."""
        return np.where(doubts, 0.0, value)

    @staticmethod
    def takes_part(value, cost):
        """Take part in a scheme when what it is expected to be worth exceeds the firm's own cost of
        taking part (paperwork and visits, its workers' time)."""
        return value > cost

    @staticmethod
    def uses_cfc(aware, open_now, gain, fee, travel_cost):
        """Use the CFC if the firm knows of it and the lift is worth the fee and the trip."""
        return aware & open_now & (gain > fee + travel_cost)

    @staticmethod
    def enters(expected_value, threshold):
        """A potential entrant comes in if the value it expects clears the entry threshold."""
        return expected_value > threshold

    @staticmethod
    def exits(loss_streak, max_losses, hazard_draw, hazard):
        """Close after too many loss-making quarters, or by an exogenous hazard."""
        return (loss_streak >= max_losses) | (hazard_draw < hazard)

    @staticmethod
    def size_class_index(capital, annual_turnover):
        """0 micro, 1 small, 2 medium, 3 large, by the 2025 investment and turnover thresholds."""
        index = np.full(np.shape(capital), 3, dtype=np.int8)
        for k in (2, 1, 0):
            inv, turn = SIZE_THRESHOLDS_LAKH[k]
            index[(capital <= inv) & (annual_turnover <= turn)] = k
        return index
