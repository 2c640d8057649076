"""Random streams: one numpy stream per stochastic process, keyed by quarter.

Every draw in clustersim comes from ``streams.get(name, quarter)``, a
``numpy.random.Generator`` seeded by ``SeedSequence(seed, spawn_key=(id, quarter))``.
Draws are made for every firm *slot* (alive or not, treated or not), so a
package that changes which firms exist or act never shifts another firm's
draws: replicate r of two packages sees the same shocks (common random numbers).
Nothing here touches Mesa's shared ``model.random``.
"""

from __future__ import annotations

import numpy as np

#: Stream ids.  Append only: changing an id changes every result.
STREAM_IDS = {
    "initial_firms": 0,
    "entrant_pool": 1,
    "tfp_shock": 2,
    "technology": 3,
    "awareness": 4,
    "credit_score": 5,
    "exit": 6,
    "lab_queue": 7,
    "consulting": 8,
    "growth_fund": 9,
    "obsolescence": 10,
    "trial": 11,
    "entrant_wealth": 12,
    "facility_delivery": 13,
    "upgrade_cost": 14,
    # The schemes added after the first ten: one stream per scheme (``part`` = its index among
    # them), so that adding another moves none of their draws.
    "added_scheme_awareness": 15,  # initial awareness (keyed 0: initial firms; pool block + 1)
    "added_scheme_word_of_mouth": 16,  # ... and how it spreads (keyed by quarter)
    # Taking part in schemes (issue 16): owners' doubts (keyed 0: initial firms; pool block + 1;
    # part: the scheme), how neighbours convince them, and the order of a queue's ties (keyed by
    # quarter; part: the scheme's column).
    "owner_doubt": 17,
    "owner_learning": 18,
    "queue_order": 19,
    "buyer_payment": 20,  # whether a firm's main buyer pays on time, late or never
}


class Streams:
    """Factory of independent, reproducible generators."""

    def __init__(self, seed: int):
        self.seed = int(seed)

    def get(self, name: str, quarter: int = 0, part: int | None = None) -> np.random.Generator:
        """The generator of process ``name`` in ``quarter`` (and of its ``part``, for a process
        drawn separately for each of several things, such as each added scheme)."""
        key = (STREAM_IDS[name], int(quarter)) + (() if part is None else (int(part),))
        seq = np.random.SeedSequence(self.seed, spawn_key=key)
        return np.random.Generator(np.random.PCG64(seq))
