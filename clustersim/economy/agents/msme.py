"""MSME: a micro, small or medium enterprise — what a firm decides.

Every rule a firm follows is written here once, as an array expression over
firms (one element per firm), so that the model stays fast and a student who
edits a rule here changes the simulation.  The :class:`MSME` agent itself is a
Mesa handle onto one row of the firm table (:mod:`clustersim.firms`).

Notation (docs/ODD.md, "Submodels"): a firm produces
``q = Phi * K**beta * L**alpha * M**gamma`` and faces CES demand
``q = B * p**(-sigma)``, so its revenue is ``R = B**(1/sigma) * q**rho`` with
``rho = (sigma-1)/sigma``.  ``B`` bundles the domestic demand level, the price
index, the firm's quality and, for exporters, foreign demand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from mesa.discrete_space import FixedAgent

# 2025 MSME thresholds in Rs lakh: (investment, annual turnover) per class.
SIZE_THRESHOLDS_LAKH = ((250.0, 1_000.0), (2_500.0, 10_000.0), (12_500.0, 50_000.0))
SIZE_CLASS_NAMES = ("micro", "small", "medium", "large")


@dataclass(frozen=True)
class Technology:
    """Elasticities of the production function and CES demand, with the exponents they imply."""

    alpha: float  # labour
    beta: float  # capital
    gamma: float  # materials
    sigma: float  # elasticity of substitution between varieties

    @property
    def rho(self) -> float:
        return (self.sigma - 1.0) / self.sigma

    @property
    def short_run_scale(self) -> float:
        """1 / (1 - rho (alpha + gamma)): revenue exponent with labour and materials chosen."""
        return 1.0 / (1.0 - self.rho * (self.alpha + self.gamma))

    @property
    def demand_exponent(self) -> float:
        """chi = d ln R* / d ln B."""
        return self.short_run_scale / self.sigma

    @property
    def tfp_exponent(self) -> float:
        """zeta = d ln R* / d ln Phi."""
        return self.rho * self.short_run_scale

    @property
    def capital_exponent(self) -> float:
        """kappa = d ln R* / d ln K (< 1)."""
        return self.beta * self.rho * self.short_run_scale

    @property
    def long_run_profit_share(self) -> float:
        """1 - rho (alpha + beta + gamma): profit share of revenue when capital is chosen too."""
        return 1 - self.rho * (self.alpha + self.beta + self.gamma)

    @property
    def long_run_demand_exponent(self) -> float:
        """d ln R / d ln B with labour, materials and capital all chosen."""
        return (1 / self.sigma) / self.long_run_profit_share

    @property
    def long_run_tfp_exponent(self) -> float:
        """d ln R / d ln Phi with labour, materials and capital all chosen."""
        return self.rho / self.long_run_profit_share

    @property
    def labour_wage_elasticity(self) -> float:
        """epsilon = -d ln L* / d ln w, the same for every firm."""
        return 1.0 + self.alpha * self.rho * self.short_run_scale


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
        return SIZE_CLASS_NAMES[int(MSME.size_class_index(f.capital[self.row : self.row + 1],
                                                          4.0 * f.sales[self.row : self.row + 1])[0])]

    # ================================================================ rules
    # Production and pricing -------------------------------------------------
    @staticmethod
    def tfp(permanent, transitory, tech, skill, cfc_lift, consulting_lift, tech_step, skill_lift):
        """Phi = exp(a + z) (1 + tech_step)^tech (1 + skill_lift * skill) (1 + cfc_lift) (1 + consulting)."""
        return (np.exp(permanent + transitory) * (1.0 + tech_step) ** tech
                * (1.0 + skill_lift * skill) * (1.0 + cfc_lift) * (1.0 + consulting_lift))

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
    def optimal_revenue(demand, phi, capital, wage, material_price, t: Technology):
        """Revenue when labour and materials are chosen to maximise profit (capital fixed).

        R* = [B^(1/sigma) (Phi K^beta)^rho (alpha rho / w)^(alpha rho) (gamma rho / p_m)^(gamma rho)]^(1/(1 - rho(alpha+gamma)))
        """
        r, a, g = t.rho, t.alpha, t.gamma
        inner = (demand ** (1.0 / t.sigma) * (phi * capital ** t.beta) ** r
                 * (a * r / wage) ** (a * r) * (g * r / material_price) ** (g * r))
        return inner ** t.short_run_scale

    @staticmethod
    def optimal_labour(optimal_revenue, wage, t: Technology):
        """First-order condition for labour: w L* = alpha rho R*."""
        return t.alpha * t.rho * optimal_revenue / wage

    @staticmethod
    def revenue_given_labour(demand, phi, capital, labour, material_price, t: Technology):
        """Revenue with the workforce fixed and materials chosen:
        R = [B^(1/sigma) (Phi K^beta L^alpha)^rho (gamma rho / p_m)^(gamma rho)]^(1/(1 - gamma rho))."""
        r, g = t.rho, t.gamma
        inner = demand ** (1.0 / t.sigma) * (phi * capital ** t.beta * labour ** t.alpha) ** r * (g * r / material_price) ** (g * r)
        return inner ** (1.0 / (1.0 - g * r))

    @staticmethod
    def materials_spend(revenue, t: Technology):
        """First-order condition for materials: p_m M = gamma rho R."""
        return t.gamma * t.rho * revenue

    @staticmethod
    def price(revenue, demand, t: Technology):
        """Price on the demand curve: q = (R / B^(1/sigma))^(1/rho), p = R / q."""
        quantity = (revenue / demand ** (1.0 / t.sigma)) ** (1.0 / t.rho)
        return revenue / quantity

    @staticmethod
    def adjust_workforce(current, desired, hiring_speed):
        """Hiring and firing close a share of the gap each quarter: L' = L + s (L* - L)."""
        return current + hiring_speed * (desired - current)

    @staticmethod
    def variable_profit(optimal_revenue, t: Technology):
        """Sales less wages and materials at the optimum: (1 - rho (alpha + gamma)) R*."""
        return (1.0 - t.rho * (t.alpha + t.gamma)) * optimal_revenue

    # Investment -------------------------------------------------------------
    @staticmethod
    def desired_capital(optimal_revenue, capital, user_cost, t: Technology):
        """Capital where its marginal revenue product beta rho R*/K equals the user cost.

        R* grows as K^kappa, so K* = K (beta rho R* / (u K))^(1 / (1 - kappa)).
        """
        mrpk_ratio = t.beta * t.rho * optimal_revenue / (user_cost * capital)
        return capital * mrpk_ratio ** (1.0 / (1.0 - t.capital_exponent))

    @staticmethod
    def investment(capital, desired, depreciation, speed):
        """Replace depreciation and close a share of the gap to K*; never negative."""
        return np.maximum(depreciation * capital + speed * (desired - capital), 0.0)

    @staticmethod
    def user_cost(formal_access, cash_rich, formal_rate, informal_rate, subvention, depreciation):
        """Cost of a rupee of capital for a quarter, plus depreciation: the bank rate (less any
        subvention) for a firm with bank access, the bank rate as the opportunity cost of its
        own cash for a cash-rich firm, the moneylender's rate otherwise."""
        rate = np.where(formal_access, formal_rate - subvention, np.where(cash_rich, formal_rate, informal_rate))
        return rate + depreciation

    # Gains a firm weighs when it decides ------------------------------------
    @staticmethod
    def gain_from_tfp(variable_profit, lift, t: Technology):
        """Extra variable profit per quarter from a TFP lift: pi ((1 + lift)^zeta - 1)."""
        return variable_profit * ((1.0 + lift) ** t.tfp_exponent - 1.0)

    @staticmethod
    def gain_from_demand(variable_profit, demand_ratio, t: Technology):
        """Extra variable profit per quarter when demand B rises by a factor: pi (ratio^chi - 1)."""
        return variable_profit * (demand_ratio ** t.demand_exponent - 1.0)

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
    def seeks_certification(certified_soon_expired, pending, export_gain, quality_gain, fixed_cost, test_cost, validity):
        """Seek (or renew) a certificate if exporting or the quality premium would pay for it."""
        worth = (export_gain - fixed_cost > 0.0) | (quality_gain * validity > test_cost)
        return certified_soon_expired & ~pending & worth

    @staticmethod
    def uses_cfc(aware, open_now, gain, fee, travel_cost):
        """Use the CFC if the firm knows of it and the lift is worth the fee and the trip."""
        return aware & open_now & (gain > fee + travel_cost)

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
