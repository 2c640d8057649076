"""Places a quarter and the firms waiting for them: a scheme's queue.

A scheme delivered by people (trainers, consultants, a cell's stalls at fairs, a fund's deal
team) serves a limited number of units a quarter: trainees, firms, stall places, deals.  The firms
that want it this quarter are served in the order they joined the queue (ties in the order of a
draw, one per firm slot, that the scheme supplies), each taking the units it wants while places
remain; the last firm served may get only part of what it wants.  A firm served leaves the queue
(to ask again it joins at the back); a firm that waits keeps its place; a firm in the queue that no
longer wants the scheme (it closed, or no longer thinks it worth its time) leaves it unserved.
Every quarter the firms that were waiting and those that joined are served, still waiting, or
dropped: nothing is lost (``Queue.balance``).
"""

from __future__ import annotations

import numpy as np


class Queue:
    """A scheme's queue: the firm rows waiting, the step each joined, this quarter's counts."""

    def __init__(self):
        self.rows = np.zeros(0, dtype=np.int64)  # waiting, by row
        self.since = np.zeros(0, dtype=np.int64)  # the step each joined
        # this quarter: waiting before it, joined, served, dropped, still waiting
        self.carried = self.joined = self.served = self.dropped = 0
        self.units_served = 0.0
        # since the scheme began: offers made (a scheme that offers places), firms that joined,
        # were served and dropped out
        self.offered = self.joined_total = self.served_total = self.dropped_total = 0

    @property
    def waiting(self) -> int:
        return len(self.rows)

    def serve(
        self, wanting, units, capacity: float, step: int, order_draw
    ) -> tuple[np.ndarray, np.ndarray]:
        """Serve this quarter's ``capacity`` units (trainees, firms, places, deals).  ``wanting``
        are the rows that want the scheme now (sorted), ``units`` what each wants and
        ``order_draw`` a number for each (smaller first among firms that joined in the same
        step).  Returns, for each wanting row, whether it is served (places
        were left when its turn came) and the units allotted to it."""
        wanting = np.asarray(wanting, dtype=np.int64)
        units = np.asarray(units, dtype=float)
        self.carried = len(self.rows)
        still = np.isin(self.rows, wanting)
        self.dropped = int(np.count_nonzero(~still))
        rows, since = self.rows[still], self.since[still]
        new = ~np.isin(wanting, rows)
        self.joined = int(np.count_nonzero(new))
        self.joined_total += self.joined
        rows = np.concatenate([rows, wanting[new]])
        since = np.concatenate([since, np.full(self.joined, step, dtype=np.int64)])
        at = np.searchsorted(wanting, rows)  # each queued row's place among the wanting
        order = np.lexsort((np.asarray(order_draw)[at], since))
        rows, since, at = rows[order], since[order], at[order]
        in_order = units[at]
        served = np.cumsum(in_order) - in_order < capacity  # places left at its turn
        allotted = Queue.allot(in_order, capacity)
        self.served = int(np.count_nonzero(served))
        self.served_total += self.served
        self.dropped_total += self.dropped
        self.units_served = float(allotted.sum())
        self.rows, self.since = rows[~served], since[~served]
        is_served, out = np.zeros(len(wanting), dtype=bool), np.zeros(len(wanting))
        is_served[at], out[at] = served, allotted
        return is_served, out

    @staticmethod
    def allot(units, capacity: float) -> np.ndarray:
        """Places handed out in queue order: each firm gets what it wants of the places left
        after those before it, ``min(units, max(capacity - units before it, 0))``."""
        before = np.cumsum(units) - units
        return np.clip(capacity - before, 0.0, units)

    def balance(self) -> int:
        """Firms waiting before this quarter or joining in it, less those served, still waiting or
        dropped: nil."""
        return self.carried + self.joined - self.served - self.waiting - self.dropped
