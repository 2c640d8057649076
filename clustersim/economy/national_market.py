"""A national market: the clusters that make one product sell in one domestic and one export
market, and clear them together every quarter.

Each cluster is calibrated alone (:mod:`clustersim.economy.initial_cluster`): at the start it holds
``cluster.domestic_market_share`` of a domestic market with spending ``E0_c``, beside outside
producers of mass ``Omega_c``, and its exporters hold ``cluster.export_market_share`` of a foreign
market whose price index starts at ``P*_0c``.  In a national market those markets are **segments
of one market**: national spending is ``E0 = sum E0_c``, outside producers (the rest of the
industry, at home and abroad) are the segments' outside producers together, and there is one price
index ``P``:

    P^(1-sigma) = sum_c w_c [Omega_c p_o^(1-sigma) + sum_(i in c) xi_i p_i^(1-sigma)],
    w_c = E0_c / E0.

Outside producers clear the same supply curve relative to their start in every segment, so their
price ``p_o`` depends on ``P`` alone, and the bracket is what the cluster's producers put into its
own index alone (:func:`clustersim.economy.markets.cluster_response`).  A firm's demand keeps its
form, ``xi E_c(P) P^(sigma-1) p^(-sigma)``: with ``E_c(P) / E0_c = E(P) / E0`` it is the firm's
share of national spending.  Any cluster's gain now comes in part from the other clusters of its
product, which lose sales, workers and exports: the displacement that clusters simulated apart
cannot see.

The export market is built the same way: each segment's foreign spending at the start is
proportional to ``E0_c Z_c`` with ``Z_c = P*_0c^(1-sigma)``, so the foreign index, relative to its
start, is common to all clusters and its ``1 - sigma`` power is the ``E0_c Z_c``-weighted mean of
the clusters' relative terms.  It is solved in the first cluster's units: cluster c's index is
``P*_c = P*_1 (P*_0c / P*_01)``.  The exchange rate, tariff and foreign demand are the product's;
each cluster's own freight (a port link) still moves its exporters' prices.

With one cluster the weights are exactly 1 and the offsets 0: a national market of one cluster
is that cluster run alone, byte for byte (a test).  Clusters exchange only these terms; each keeps
its own firms, labour market, lenders, government and random streams, so a cluster's draws do not
depend on which others share its market.
"""

from __future__ import annotations

import math

import numpy as np

from .markets import cluster_response, log_indices, settled, solve_indices

#: What every cluster of a national market must share (scenario sections, compared whole).
SHARED_SETTINGS = ("market", "technology.demand_elasticity", "run.burn_in", "run.horizon")


class NationalMarket:
    """The clusters of one product, stepped together: each plays its quarter up to the markets
    (its ``step()``, which stops at the markets when it sells in a national market), the goods
    markets clear jointly (:meth:`clear`), and each plays the rest
    (:meth:`ClusterModel.after_trade`).  ``models`` are built and calibrated alone
    (:class:`ClusterModel`), at the same step, and not yet stepped apart after joining."""

    def __init__(self, models):
        if not models:
            raise ValueError("a national market needs at least one cluster")
        self.models = list(models)
        first = self.models[0]
        shared = _shared_settings(first)
        for model in self.models[1:]:
            settings = _shared_settings(model)
            for key in SHARED_SETTINGS:
                if settings[key] != shared[key]:
                    raise ValueError(
                        f"clusters of one national market must share {key}: "
                        f"{model.settings.path} differs from {first.settings.path}"
                    )
            if model.steps != first.steps:
                raise ValueError("clusters of one national market must be at the same step")
        self.sigma = first.technology.sigma
        markets = [model.markets for model in self.models]
        spending = [m.spending_at_start for m in markets]
        # Z_c = P*_0c^(1 - sigma): each segment's foreign index term at the start.
        foreign = [math.exp((1.0 - self.sigma) * m.foreign_log_index_at_start) for m in markets]
        total = sum(spending)
        total_foreign = sum(e * z for e, z in zip(spending, foreign, strict=True))
        #: w_c: each segment's share of national spending at the start.
        self.weights = [e / total for e in spending]
        #: each segment's foreign term, in the first cluster's units, times its share.
        self.foreign_weights = [e * foreign[0] / total_foreign for e in spending]
        #: log P*_0c - log P*_01: where each cluster's foreign index sits relative to the first's.
        self.offsets = [
            m.foreign_log_index_at_start - markets[0].foreign_log_index_at_start for m in markets
        ]
        self.jacobian = None  # the joint Broyden Jacobian (where next quarter's clearing starts)
        self.stepping = False  # True while the market has its clusters play their first act
        for model in self.models:
            model.markets.national = self

    # ------------------------------------------------------------------ the quarter
    def step(self) -> None:
        """One quarter of every cluster of the product, their markets cleared together: each
        cluster's ``step()`` (Mesa's, which counts the quarter) plays its first act and stops at
        the markets; they clear; each plays its last act."""
        self.stepping = True
        try:
            for model in self.models:
                model.step()
        finally:
            self.stepping = False
        self.clear()
        for model in self.models:
            model.after_trade()

    def run(self, steps: int | None = None) -> None:
        """Every cluster's burn-in and horizon (or ``steps`` quarters)."""
        first = self.models[0]
        for _ in range(first.n_steps - first.steps if steps is None else steps):
            self.step()

    @property
    def running(self) -> bool:
        return any(model.running for model in self.models)

    def clear(self) -> None:
        """The wage of every cluster and the product's price indices P and P*: each cluster's
        labour market clears at the indices, and each index equals what all clusters' and outside
        producers' prices make it (:func:`clustersim.economy.markets.solve_indices`)."""
        sides = [model.markets.cluster_side(model.firms) for model in self.models]
        responses = [cluster_response(**side) for side in sides]
        sigma, weights, foreign_weights = self.sigma, self.weights, self.foreign_weights

        def implied_by(x):
            answers = [
                respond(x[0], x[1] + dx)
                for respond, dx in zip(responses, self.offsets, strict=True)
            ]
            term = sum(w * answer[0] for w, answer in zip(weights, answers, strict=True))
            term_f = sum(w * answer[1] for w, answer in zip(foreign_weights, answers, strict=True))
            return log_indices(term, term_f, sigma), [answer[2] for answer in answers]

        first = self.models[0].markets
        x0 = np.array([math.log(first.price_index), math.log(first.foreign_price_index)])
        x, states, iterations, self.jacobian = solve_indices(implied_by, x0, self.jacobian)
        for model, side, state, dx in zip(self.models, sides, states, self.offsets, strict=True):
            result = settled(state, x[0], x[1] + dx, side["demand"], sigma, iterations, None)
            model.markets.settle(model.firms, result)


def _shared_settings(model) -> dict:
    """The :data:`SHARED_SETTINGS` of a cluster's resolved scenario, by dotted key (a whole
    section for a name)."""
    resolved, out = model.settings.resolved(), {}
    for key in SHARED_SETTINGS:
        value = resolved
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        out[key] = value
    return out
