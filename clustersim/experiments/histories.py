"""Which runs of a sweep share a history, and how their work is cut into tasks.

Runs with the same seed whose scenarios differ only in what acts after the burn-in (the
interventions and their settings, export shocks, a trial, the horizon) share their history
(:mod:`clustersim.economy.history`): it is simulated once and each of them continues from a copy.
A :class:`History` is such a group of runs, cut into chunks: with one chunk, one task simulates
the history and continues every run; with several (few histories for many workers), a history
task simulates it and each chunk is a task that continues from its snapshot.  With sharing off,
every run is a history of its own, run from scratch as before.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .design import Run

#: Tasks per worker the chunking aims at, so that workers finish together.
TASKS_PER_WORKER = 4
#: Scenarios read that :func:`history_of` keeps.
SCENARIOS_KEPT = 256
#: Most runs grouped at once (a point and replicate has one run a package).
BLOCK_RUNS = 1024


@dataclass(frozen=True)
class History:
    """Runs that share one history, in chunks (each a task); or, ``coupled``, the runs of one
    national market, one chunk stepped together (:func:`.worker.execute_market`)."""

    key: str
    chunks: tuple[tuple[Run, ...], ...]
    coupled: bool = False

    @property
    def runs(self) -> list[Run]:
        return [run for chunk in self.chunks for run in chunk]


def history_of(run: Run, scenarios: dict) -> str:
    """The history key of a run; a run whose scenario cannot be read is a history of its own (it
    fails when it runs, with the reason).  ``scenarios`` keeps the last scenarios read, by file and
    overrides (the packages of a replicate share them with the next replicate's)."""
    from ..economy.history import history_key
    from ..inputs.scenario import load_scenario

    where = json.dumps([run.scenario, run.overrides], sort_keys=True, default=str)
    if where not in scenarios:
        if len(scenarios) >= SCENARIOS_KEPT:  # bounded: a sampler's points are all different
            scenarios.pop(next(iter(scenarios)))
        try:
            scenarios[where] = load_scenario(run.scenario, run.overrides)
        except Exception:
            scenarios[where] = None
    if scenarios[where] is None:
        return f"unreadable/{run.run_id}"
    return history_key(scenarios[where], run.seed)


def plan_histories(
    runs: Iterable[Run], workers: int, share: bool = True, total: int | None = None
) -> Iterator[History]:
    """The runs grouped by history, as they come: ``runs`` gives the packages of a point and
    replicate one after another (``Experiment.iter_runs(together=True)``), and only runs next to
    each other are grouped, so the design is never held whole.  Each history is cut into chunks
    so that there are about ``TASKS_PER_WORKER`` tasks a worker over the ``total`` runs (never more
    chunks than runs).  The runs of a national market (next to each other, with one ``market``)
    are one coupled task, whatever ``share`` says."""
    for market, group in itertools.groupby(runs, key=lambda run: run.market):
        if market:
            yield History(market, (tuple(group),), coupled=True)
        else:
            yield from _plan_alone(group, workers, share, total)


def _plan_alone(
    runs: Iterable[Run], workers: int, share: bool, total: int | None
) -> Iterator[History]:
    if not share:
        yield from (History(run.run_id, ((run,),)) for run in runs)
        return
    scenarios: dict = {}
    for block in _blocks(runs):
        groups: dict[str, list[Run]] = {}
        for run in block:
            groups.setdefault(history_of(run, scenarios), []).append(run)
        n_block = sum(map(len, groups.values()))
        histories = len(groups) * max(1, (total or 0) // n_block)  # in the whole design, about
        per_history = max(1, math.ceil(TASKS_PER_WORKER * max(1, workers) / histories))
        for key, members in groups.items():
            n_chunks = min(per_history, len(members))
            size = math.ceil(len(members) / n_chunks)
            chunks = tuple(tuple(members[i : i + size]) for i in range(0, len(members), size))
            yield History(key, chunks)


def _blocks(runs: Iterable[Run]) -> Iterator[list[Run]]:
    """Consecutive runs of one point and replicate, at most ``BLOCK_RUNS`` at a time."""
    block: list[Run] = []
    for run in runs:
        if block and (
            (run.point, run.replicate) != (block[0].point, block[0].replicate)
            or len(block) >= BLOCK_RUNS
        ):
            yield block
            block = []
        block.append(run)
    if block:
        yield block
