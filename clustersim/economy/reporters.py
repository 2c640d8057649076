"""What the model reports every quarter: the time series, declared once as ``{column: reporter}``.

Each :class:`Series` names a column of ``timeseries.csv``, its unit and meaning,
and the reporter that reads it off the model at the end of a quarter (Mesa's
DataCollector style: a function of the model).  Reporters read an
:class:`Observation`, which computes each aggregate the series share once.
:class:`QuarterlySeries` keeps the rows; read them by column name.  It is the model's Mesa
``DataCollector`` too, so Mesa's ``batch_run`` and SolaraViz's plots read the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from mesa import DataCollector

from ..inputs.params import SCHEMES
from .agents.government import QUEUED_SCHEMES
from .agents.msme import MSME

LAKH_PER_CRORE = 100.0


@dataclass
class QuarterCounts:
    """Events of the quarter that the reporters count (reset when a quarter begins)."""

    entries: int = 0
    exits: int = 0
    defaults: int = 0  # bank borrowers that defaulted (while operating, or closing)
    formal_borrowers: int = 0  # firms with bank debt before defaults and closures
    bad_debts: float = 0.0  # what buyers will never pay of what they owed, Rs lakh
    lab_tests: int = 0
    lab_wait: float = 0.0  # quarters waited, summed over the tests completed


class Observation:
    """The cluster at the end of a quarter, as the reporters read it."""

    def __init__(self, model):
        self.model = model
        self.firms = model.firms
        self.live = model.firms.live()
        self.counts = model.counts

    def total(self, column: str) -> float:
        return float(getattr(self.firms, column)[self.live].sum())

    def bank_debt(self) -> float:
        """Bank debt of the operating firms, term loans and cash credit, Rs lakh."""
        return self.total("formal_debt") + self.total("cash_credit")

    def share_of_firms(self, mask) -> float:
        return float(np.count_nonzero(mask)) / max(len(self.live), 1)

    def mean(self, values) -> float:
        return float(np.mean(values)) if len(self.live) else 0.0

    @cached_property
    def jobs(self) -> float:
        return self.total("workers")

    @cached_property
    def sales(self) -> float:
        return self.total("sales")

    @cached_property
    def exports(self) -> float:
        return self.total("export_sales")

    @cached_property
    def size_class(self) -> np.ndarray:
        firms = self.firms
        return MSME.size_class_index(firms.capital[self.live], 4.0 * firms.sales[self.live])

    @cached_property
    def tfp(self) -> np.ndarray:
        return self.firms.tfp(self.live)

    @cached_property
    def using(self) -> np.ndarray:
        """Which schemes each operating firm uses this quarter."""
        return self.firms.using[self.live]

    @property
    def quantity_tfp(self) -> float:
        firms, tech = self.firms, self.model.technology
        bundle = firms.capital[self.live] ** tech.beta * firms.workers[self.live] ** tech.alpha
        total = float(bundle.sum())
        return float(np.sum(self.tfp * bundle)) / total if total > 0 else 0.0

    @property
    def cfc_utilisation(self) -> float:
        cfc = self.model.facilities.cfc
        return cfc.utilisation if (cfc is not None and cfc.is_open(self.model.steps)) else 0.0


@dataclass(frozen=True)
class Series:
    """One column of the quarterly time series."""

    name: str
    unit: str
    meaning: str
    reporter: Callable[[Observation], float]
    whole: bool = False  # a count: written as a whole number


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


#: The quarterly series, in column order (``timeseries.csv``).
SERIES = (
    Series(
        "step",
        "quarter",
        "model step, 1 = first quarter of the burn-in",
        lambda o: o.model.steps,
        whole=True,
    ),
    Series(
        "quarter",
        "quarter",
        "policy quarter: step minus burn-in (<= 0 during the burn-in)",
        lambda o: o.model.quarter,
        whole=True,
    ),
    Series(
        "productivity",
        "Rs lakh/worker/year",
        "real value added per worker: value added (sales - materials) deflated by a matched-model "
        "Tornqvist index of the cluster's output prices (single deflation)",
        lambda o: 4.0 * o.total("real_value_added") / o.jobs if o.jobs > 0 else 0.0,
    ),
    Series(
        "export_share",
        "share",
        "export sales / total sales",
        lambda o: o.exports / o.sales if o.sales > 0 else 0.0,
    ),
    Series("jobs", "workers", "sum of workers over firms", lambda o: o.jobs),
    Series("sales", "Rs crore/quarter", "sales of all firms", lambda o: o.sales / LAKH_PER_CRORE),
    Series(
        "export_sales", "Rs crore/quarter", "export sales", lambda o: o.exports / LAKH_PER_CRORE
    ),
    Series(
        "value_added",
        "Rs crore/quarter",
        "nominal value added (sales - materials)",
        lambda o: (o.sales - o.total("materials")) / LAKH_PER_CRORE,
    ),
    Series(
        "wage", "Rs lakh/worker/year", "market-clearing wage", lambda o: 4.0 * o.model.markets.wage
    ),
    Series(
        "price_index",
        "index, start = 1",
        "CES price index of the cluster's domestic market",
        lambda o: o.model.markets.price_index,
    ),
    Series("firms", "firms", "operating firms", lambda o: len(o.live), whole=True),
    Series(
        "exporters",
        "firms",
        "firms selling abroad",
        lambda o: int(np.count_nonzero(o.firms.exporter[o.live])),
        whole=True,
    ),
    Series(
        "entries",
        "firms",
        "firms that entered this quarter",
        lambda o: o.counts.entries,
        whole=True,
    ),
    Series(
        "exits", "firms", "firms that closed this quarter", lambda o: o.counts.exits, whole=True
    ),
    Series(
        "credit_outstanding",
        "Rs crore",
        "formal (bank) debt outstanding: term loans and cash credit",
        lambda o: o.bank_debt() / LAKH_PER_CRORE,
    ),
    Series(
        "cash_credit_outstanding",
        "Rs crore",
        "bank cash credit drawn against receivables (part of credit_outstanding)",
        lambda o: o.total("cash_credit") / LAKH_PER_CRORE,
    ),
    Series(
        "receivables",
        "Rs crore",
        "what buyers owe the firms for past sales",
        lambda o: o.total("receivables") / LAKH_PER_CRORE,
    ),
    Series(
        "bad_debts",
        "Rs crore",
        "receivables the firms' buyers will never pay, this quarter",
        lambda o: o.counts.bad_debts / LAKH_PER_CRORE,
    ),
    Series(
        "informal_credit_outstanding",
        "Rs crore",
        "moneylender debt outstanding",
        lambda o: o.total("informal_debt") / LAKH_PER_CRORE,
    ),
    Series(
        "default_rate",
        "share/quarter",
        "bank borrowers that defaulted this quarter (while operating, or closing)",
        lambda o: _ratio(o.counts.defaults, o.counts.formal_borrowers),
    ),
    Series(
        "npa_ratio",
        "share",
        "bank debt written off in the last four quarters / (that + bank debt outstanding)",
        lambda o: o.model.bank.npa_ratio(o.bank_debt()),
    ),
    Series(
        "guarantee_additionality",
        "share",
        "guaranteed bank loans since the policy period began that the bank would not have made "
        "without the guarantee (by its score, or its room without the collateral waiver; 0 before "
        "the first)",
        lambda o: o.model.bank.additionality(),
    ),
    Series(
        "constrained_share",
        "share",
        "firms wanting more capital at the bank's cost than their net worth lets them hold",
        lambda o: o.share_of_firms(o.firms.credit_constrained[o.live]),
    ),
    Series(
        "net_worth",
        "Rs crore",
        "owners' net worth in their firms (assets less debts)",
        lambda o: float(o.firms.net_worth(o.live).sum()) / LAKH_PER_CRORE,
    ),
    Series(
        "formal_loan_share",
        "share",
        "firms holding a bank loan (a term loan or drawn cash credit)",
        lambda o: o.share_of_firms(o.firms.bank_debt(o.live) > 0),
    ),
    Series(
        "cfc_utilisation",
        "share",
        "CFC hours used / hours available (0 if no CFC open)",
        lambda o: o.cfc_utilisation,
    ),
    Series(
        "lab_wait",
        "quarters",
        "mean wait of tests completed at the cluster lab",
        lambda o: _ratio(o.counts.lab_wait, o.counts.lab_tests),
    ),
    Series(
        "take_up",
        "share",
        "firms using at least one scheme this quarter",
        lambda o: o.share_of_firms(o.using.any(axis=1)),
    ),
    *(
        Series(
            f"take_up_{scheme}",
            "share",
            f"firms using {scheme} this quarter (its take-up)",
            lambda o, k=k: o.share_of_firms(o.using[:, k]),
        )
        for k, scheme in enumerate(SCHEMES)
    ),
    *(
        Series(
            f"waiting_{scheme}",
            "firms",
            f"firms waiting for {scheme} at the quarter's end (its places a quarter are taken)",
            lambda o, scheme=scheme: o.model.government.queues[scheme].waiting,
            whole=True,
        )
        for scheme in QUEUED_SCHEMES
    ),
    Series(
        "facilities_open",
        "facilities",
        "the package's CFC, testing lab, raw-material bank, workers' hostel and design centre that "
        "are open (0-5)",
        lambda o: o.model.facilities.open_count(),
        whole=True,
    ),
    Series(
        "imported_input_share",
        "share",
        "imported materials / all materials (value)",
        lambda o: o.model.firms.imported_share_of_materials(o.live),
    ),
    Series(
        "public_cost_cr",
        "Rs crore",
        "cumulative net public spending since the end of the burn-in",
        lambda o: o.model.government.public_cost_cr,
    ),
    Series(
        "mean_tfp",
        "index",
        "mean TFP multiplier of operating firms (before the calibration scale)",
        lambda o: o.mean(o.tfp),
    ),
    Series(
        "mean_tech_level",
        "level",
        "mean technology level",
        lambda o: o.mean(o.firms.tech_level[o.live]),
    ),
    Series(
        "certified_share",
        "share",
        "firms with a valid quality certificate",
        lambda o: o.mean(o.firms.certified_until[o.live] >= o.model.steps),
    ),
    Series(
        "micro_firms",
        "firms",
        "firms in the micro class (2025 thresholds)",
        lambda o: int(np.count_nonzero(o.size_class == 0)),
        whole=True,
    ),
    Series(
        "small_firms",
        "firms",
        "firms in the small class",
        lambda o: int(np.count_nonzero(o.size_class == 1)),
        whole=True,
    ),
    Series(
        "medium_plus_firms",
        "firms",
        "firms in the medium class or above",
        lambda o: int(np.count_nonzero(o.size_class >= 2)),
        whole=True,
    ),
    Series(
        "bank_funds",
        "Rs crore",
        "the bank's lendable funds for the cluster",
        lambda o: o.model.bank.funds / LAKH_PER_CRORE,
    ),
    Series(
        "tfp_quantity",
        "index",
        "quantity TFP: physical output per unit of the capital-labour bundle, the "
        "bundle-weighted mean "
        "TFP multiplier of operating firms (before the calibration scale)",
        lambda o: o.quantity_tfp,
    ),
    Series(
        "jobs_net",
        "full-time jobs",
        "jobs less the full-time employment the cluster's workers would have had outside it",
        lambda o: o.jobs - o.model.markets.labour_supply.outside_employment(o.jobs),
    ),
    Series(
        "earnings_gain",
        "Rs crore/quarter",
        "the cluster's workers' earnings less what they would have earned outside it",
        lambda o: (
            (o.model.markets.wage * o.jobs - o.model.markets.labour_supply.forgone_earnings(o.jobs))
            / LAKH_PER_CRORE
        ),
    ),
    Series(
        "outside_jobs",
        "workers",
        "workers of the outside producers the cluster competes with in its domestic market",
        lambda o: o.model.markets.outside_jobs(),
    ),
    Series(
        "market_share",
        "share",
        "the cluster's share of domestic spending on its product",
        lambda o: o.model.markets.cluster_share(),
    ),
    Series(
        "outside_price",
        "index, start = 1",
        "outside producers' price in the domestic market",
        lambda o: o.model.markets.outside_price,
    ),
    Series(
        "foreign_price_index",
        "index",
        "price index of the product in the export market (foreign currency, the start's units)",
        lambda o: o.model.markets.foreign_price_index,
    ),
)
#: Column names in order, and each column's index in a row.
COLUMN_NAMES = tuple(s.name for s in SERIES)
COLUMN = {name: i for i, name in enumerate(COLUMN_NAMES)}
#: Series about a scheme itself (what it has cost, how many firms use it), not the economy it acts
#: on.  A package whose other series (``ECONOMY_COLUMNS``) all equal those of the baseline with the
#: same seed, quarter by quarter, changes nothing, and ``run`` and ``compare`` say so.
SCHEME_COLUMNS = (
    "public_cost_cr",
    "take_up",
    *(f"take_up_{scheme}" for scheme in SCHEMES),
    *(f"waiting_{scheme}" for scheme in QUEUED_SCHEMES),
    "facilities_open",
)
ECONOMY_COLUMNS = tuple(c for c in COLUMN_NAMES if c not in ("step", "quarter", *SCHEME_COLUMNS))


class QuarterlySeries(DataCollector):
    """The rows recorded so far, one per quarter, in :data:`SERIES` order; read them by column.

    It is also the model's Mesa ``DataCollector`` (``model.datacollector``): one model reporter per
    column, ``collect`` records the quarter's row (:meth:`record`), and ``model_vars``,
    ``get_model_vars_dataframe()`` and Mesa's ``batch_run`` read that same row: nothing is
    computed or stored twice."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[float]] = []
        self.model_reporters = {name: ColumnReporter(name) for name in COLUMN_NAMES}

    def record(self, model) -> None:
        observation = Observation(model)
        self.rows.append([series.reporter(observation) for series in SERIES])
        self._collection_steps.append(model.steps)

    collect = record  # Mesa's name

    def column(self, name: str) -> list[float]:
        """Every quarter's value of one column."""
        index = COLUMN[name]
        return [row[index] for row in self.rows]

    def latest(self, name: str) -> float:
        """The last quarter's value of one column."""
        return self.rows[-1][COLUMN[name]]

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def model_vars(self) -> dict[str, RecordedColumn]:
        """Mesa's view: each column's values, quarter by quarter (read from the rows)."""
        return {name: RecordedColumn(self.rows, i) for i, name in enumerate(COLUMN_NAMES)}

    @model_vars.setter
    def model_vars(self, _empty) -> None:
        """Mesa's DataCollector starts with an empty dict; the columns are the rows'."""

    def get_model_vars_dataframe(self):
        """The series as a pandas DataFrame, one row per quarter (as ``timeseries.csv``)."""
        import pandas as pd

        return pd.DataFrame(self.rows, columns=list(COLUMN_NAMES))


class RecordedColumn(Sequence):
    """One column of the recorded rows, read in place."""

    def __init__(self, rows: list[list[float]], index: int):
        self.rows, self.index = rows, index

    def __getitem__(self, quarter):
        if isinstance(quarter, slice):
            return [row[self.index] for row in self.rows[quarter]]
        return self.rows[quarter][self.index]

    def __len__(self) -> int:
        return len(self.rows)


class ColumnReporter:
    """Mesa's model reporter of one column: a function of the model, reading it now."""

    def __init__(self, name: str):
        self.name = name

    def __call__(self, model) -> float:
        return SERIES[COLUMN[self.name]].reporter(Observation(model))


def firm_panel_block(model) -> dict[str, np.ndarray]:
    """This quarter's firm panel rows (operating firms)."""
    firms, live = model.firms, model.firms.live()
    return {
        "step": np.full(len(live), model.steps),
        "firm_id": live,
        "workers": firms.workers[live],
        "sales": firms.sales[live],
        "export_sales": firms.export_sales[live],
        "value_added": firms.sales[live] - firms.materials[live],
        "real_value_added": firms.real_value_added[live],
        "tfp": firms.tfp(live),
        "exporter": firms.exporter[live].astype(int),
        "age": model.steps - firms.entry_step[live],
        "capital": firms.capital[live],
        "profit": firms.profit[live],
    }
