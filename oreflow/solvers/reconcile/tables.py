"""Result tables at the reconciled point: streams, size classes, nodes, adjustments, closure.

Each reported figure is a ratio of linear functions of the states (an assay ``M / S``,
a split ``S_out / sum S_in``, a recovery over all phases); its standard deviation is
``sqrt(g' P g)`` with ``g`` its gradient and ``P`` the covariance of the linearised
estimate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import sparse

from oreflow.flowsheet.network import Network
from oreflow.flowsheet.survey import Measurement
from oreflow.solvers.reconcile.assembly import GPH_PER_PCT_TPH, SurveyProblem
from oreflow.solvers.reconcile.statistics import REDUNDANT_TOL, Linearised

Terms = Mapping[tuple[Any, ...], float]

#: Columns of the closure table: those of ``Results.closure`` after the node.
CLOSURE_COLUMNS = (
    "node",
    "view",
    "name",
    "in_tph",
    "added_tph",
    "reacted_tph",
    "out_tph",
    "rel_err",
)
#: t/h in one unit of each component flow state (g/h for g/t assays, tenors and
#: loadings; % x t/h for % assays).
_TPH_PER_UNIT = {"S": 1.0, "W": 1.0, "C": 1.0, "Si": 1.0, "D": 1e-6, "L": 1e-6}


class _Ref(NamedTuple):
    """A figure not yet evaluated: request ``index``, its value (0) or sd (1)."""

    index: int
    what: int


class _Figures:
    """Ratios of linear functions of the states, evaluated together.

    Each call records ``(g . x) / (d . x)`` (or ``g . x`` without ``d``) and returns
    placeholders for its value and standard deviation; :meth:`resolve` evaluates every
    recorded figure in a few sparse products and fills the rows in.
    """

    def __init__(
        self,
        problem: SurveyProblem,
        x: np.ndarray,
        position: np.ndarray,
        scale: np.ndarray,
        stats: Linearised,
    ) -> None:
        self.problem, self.x, self.position, self.scale, self.stats = (
            problem,
            x,
            position,
            scale,
            stats,
        )
        self._num: tuple[list[int], list[int], list[float]] = ([], [], [])
        self._den: tuple[list[int], list[int], list[float]] = ([], [], [])
        self._has_den: list[bool] = []

    def __call__(self, numerator: Terms, denominator: Terms | None = None) -> tuple[_Ref, _Ref]:
        """Record a figure; keys with no state are structural zeros."""
        r = len(self._has_den)
        index = self.problem.index
        for terms, store in ((numerator, self._num), (denominator or {}, self._den)):
            for key, c in terms.items():
                if key in index:
                    store[0].append(r)
                    store[1].append(index[key])
                    store[2].append(c)
        self._has_den.append(denominator is not None)
        return _Ref(r, 0), _Ref(r, 1)

    def evaluate(self) -> tuple[np.ndarray, np.ndarray]:
        """Value and standard deviation of every recorded figure (NaN where undetermined)."""
        shape = (len(self._has_den), self.problem.n_states)
        num = sparse.csr_matrix((self._num[2], (self._num[0], self._num[1])), shape=shape)
        den = sparse.csr_matrix((self._den[2], (self._den[0], self._den[1])), shape=shape)
        has_den = np.array(self._has_den, dtype=bool)
        top, bottom = num @ self.x, den @ self.x
        ok = ~has_den | (bottom > 0)
        safe = np.where(ok & has_den, bottom, 1.0)
        value = np.where(has_den, top / safe, top)
        value[~ok] = np.nan
        # d(top / bottom)/dx = g / bottom - d top / bottom^2.
        gradient = (
            sparse.diags(np.where(has_den, 1.0 / safe, 1.0)) @ num
            - sparse.diags(np.where(has_den, np.nan_to_num(top) / safe**2, 0.0)) @ den
        )
        kept = np.flatnonzero(self.position >= 0)
        to_kept = sparse.csr_matrix(
            (self.scale, (kept, self.position[kept])), shape=(shape[1], kept.size)
        )
        pattern = abs(num) + abs(den)
        undetermined = np.asarray(pattern[:, self.position < 0].sum(axis=1)).ravel() > 0
        sd = self.stats.sd_many(gradient @ to_kept)
        bad = ~np.isfinite(value)
        sd[undetermined | bad] = np.nan
        value[bad] = np.nan
        return value, sd

    def resolve(self, rows: list[dict[str, Any]]) -> None:
        """Replace every placeholder in ``rows`` by its figure."""
        figures = self.evaluate()
        for row in rows:
            for column, cell in row.items():
                if isinstance(cell, _Ref):
                    row[column] = float(figures[cell.what][cell.index])


def result_tables(
    problem: SurveyProblem,
    network: Network,
    x: np.ndarray,
    position: np.ndarray,
    scale: np.ndarray,
    stats: Linearised,
    active: np.ndarray,
    survey_order: Sequence[Measurement],
) -> dict[str, pd.DataFrame]:
    """The ``streams``, ``sizes``, ``nodes`` and ``adjustments`` tables."""
    q = _Figures(problem, x, position, scale, stats)
    streams = _stream_rows(problem, network, q)
    sizes = _size_rows(problem, network, q)
    nodes = _node_rows(problem, network, q)
    q.resolve(streams + sizes + nodes)
    return {
        "streams": pd.DataFrame(streams),
        "sizes": pd.DataFrame(
            sizes,
            columns=None if sizes else ["stream", "size_um", "mass_frac", "mass_frac_sd"],
        ),
        "nodes": pd.DataFrame(nodes),
        "adjustments": pd.DataFrame(_adjustment_rows(problem, x, q, stats, active, survey_order)),
    }


def _stream_rows(problem: SurveyProblem, network: Network, q: _Figures) -> list[dict[str, Any]]:
    rows = []
    for s in network.streams:
        row: dict[str, Any] = {
            "stream": s,
            "from_node": network.source_of(s) or "",
            "to_node": network.destination_of(s) or "",
        }

        def put(column: str, value_sd: tuple[_Ref, _Ref], row: dict[str, Any] = row) -> None:
            row[column], row[f"{column}_sd"] = value_sd

        if "S" in problem.phases:
            put("solids_tph", q({("S", s): 1.0}))
        if "W" in problem.phases:
            put("water_tph", q({("W", s): 1.0}))
        if "S" in problem.phases and "W" in problem.phases:
            put("solids_pct", q({("S", s): 100.0}, {("S", s): 1.0, ("W", s): 1.0}))
        if "C" in problem.phases:
            put("carbon_tph", q({("C", s): 1.0}))
        for sp, unit in problem.solid_species.items():
            put(f"{sp}_{unit}", q({("M", s, sp): 1.0}, {("S", s): 1.0}))
        for sp in problem.tenor_species:
            put(f"{sp}_mg_l", q({("D", s, sp): 1.0}, {("W", s): 1.0}))
        for sp in problem.loading_species:
            put(f"carbon_{sp}_gpt", q({("L", s, sp): 1.0}, {("C", s): 1.0}))
        rows.append(row)
    return rows


def _size_rows(problem: SurveyProblem, network: Network, q: _Figures) -> list[dict[str, Any]]:
    rows = []
    for s in network.streams:
        for i, size in enumerate(problem.classes_um):
            row: dict[str, Any] = {"stream": s, "size_um": size}
            row["mass_frac"], row["mass_frac_sd"] = q({("Si", s, i): 1.0}, {("S", s): 1.0})
            for sp in problem.sized_species:
                column = f"{sp}_{problem.solid_species[sp]}"
                row[column], row[f"{column}_sd"] = q({("Mi", s, i, sp): 1.0}, {("Si", s, i): 1.0})
            rows.append(row)
    return rows


def _species_terms(problem: SurveyProblem, stream: str, sp: str) -> dict[tuple[Any, ...], float]:
    """The species' flow in a stream, all phases, in g/h (or t/h x % x 1e4 for % assays)."""
    terms: dict[tuple[Any, ...], float] = {}
    if sp in problem.solid_species:
        unit = GPH_PER_PCT_TPH if problem.solid_species[sp] == "pct" else 1.0
        terms["M", stream, sp] = unit
    if sp in problem.tenor_species:
        terms["D", stream, sp] = 1.0
    if sp in problem.loading_species:
        terms["L", stream, sp] = 1.0
    return terms


def _node_rows(problem: SurveyProblem, network: Network, q: _Figures) -> list[dict[str, Any]]:
    species = list(
        dict.fromkeys([*problem.solid_species, *problem.tenor_species, *problem.loading_species])
    )
    rows = []
    names = {"S": "solids", "W": "water", "C": "carbon"}
    for node in network.nodes:
        for s in node.outlets:
            row: dict[str, Any] = {"node": node.name, "stream": s}
            for p in problem.phases:
                column = f"{names[p]}_split_frac"
                row[column], row[f"{column}_sd"] = q(
                    {(p, s): 1.0}, {(p, f): 1.0 for f in node.inlets}
                )
            for sp in species:
                feed: dict[tuple[Any, ...], float] = {}
                for f in node.inlets:
                    feed |= _species_terms(problem, f, sp)
                column = f"{sp}_recovery_frac"
                row[column], row[f"{column}_sd"] = q(_species_terms(problem, s, sp), feed)
            rows.append(row)
    return rows


def _adjustment_rows(
    problem: SurveyProblem,
    x: np.ndarray,
    q: _Figures,
    stats: Linearised,
    active: np.ndarray,
    survey_order: Sequence[Measurement],
) -> list[dict[str, Any]]:
    reconciled = problem.values(np.nan_to_num(x))
    # The reconciled sd of a measurement: its Jacobian row through the covariance.
    jac = problem.jacobian(np.nan_to_num(x))
    kept = np.flatnonzero(q.position >= 0)
    undetermined = np.asarray(abs(jac)[:, q.position < 0].sum(axis=1)).ravel() > 0
    reconciled_sd = stats.sd_many(jac[:, kept] @ sparse.diags(q.scale))
    reconciled_sd[undetermined] = np.nan
    sd = np.where(problem.exact, 0.0, problem.sd)
    spread = np.where(
        active,
        sd * np.sqrt(np.clip(1.0 - stats.leverage, 0.0, None)),
        np.sqrt(sd**2 + reconciled_sd**2),
    )
    redundant = (active & ~problem.exact & (stats.leverage < 1.0 - REDUNDANT_TOL)) | ~active
    rows = []
    for i, m in enumerate(problem.measurements):
        value = float(reconciled[i])
        rows.append(
            {
                "stream": m.stream,
                "quantity": m.quantity,
                "size_um": m.size_um if m.size_um is not None else math.nan,
                "measured": m.value,
                "sd": float(sd[i]),
                "reconciled": value,
                "reconciled_sd": 0.0 if problem.exact[i] else float(reconciled_sd[i]),
                "adjustment_sd": (value - m.value) / sd[i] if sd[i] > 0 else math.nan,
                "normalised_adjustment": (value - m.value) / spread[i]
                if redundant[i] and spread[i] > 0
                else math.nan,
                "redundant": bool(redundant[i]),
                "flagged": not bool(active[i]),
                "sd_is_default": m.sd_is_default,
                "where": m.where,
            }
        )
    rows += [
        {
            "stream": m.stream,
            "quantity": m.quantity,
            "size_um": math.nan,
            "measured": 0.0,
            "sd": 0.0,
            "reconciled": 0.0,
            "reconciled_sd": 0.0,
            "adjustment_sd": math.nan,
            "normalised_adjustment": math.nan,
            "redundant": False,
            "flagged": False,
            "sd_is_default": m.sd_is_default,
            "where": m.where,
        }
        for m in problem.fixed_zero
    ]
    order = {m: k for k, m in enumerate(survey_order)}
    ranks = [order[m] for m in (*problem.measurements, *problem.fixed_zero)]
    return [row for _, row in sorted(zip(ranks, rows, strict=True), key=lambda pair: pair[0])]


def closure_table(problem: SurveyProblem, x: np.ndarray) -> pd.DataFrame:
    """In, out and relative error of every balance at the reconciled point, in t/h.

    The columns are those of ``Results.closure`` (``view``, ``name``, ``in_tph``,
    ``added_tph``, ``reacted_tph``, ``out_tph``, ``rel_err``) after the ``node`` (or
    stream, for the size-class sums) the balance is written at. Views: ``phase``
    (solids, water, carbon), ``species`` (one phase, or all phases at a reactive node),
    ``size_class`` (solids or a species in one class) and ``size_sum`` (classes of a
    stream add up to its total). Nothing is added or reacted inside a surveyed node, so
    those two columns are zero.
    """
    balance = problem.balance.tocsr()
    per_state = np.array([_tph_per_unit(problem, key) for key in problem.keys])
    # A reactive node's species total is in g/h whatever the phase (see assembly).
    total = np.array([name.endswith(" total") for _, name in problem.balance_labels])
    first = balance.indices[balance.indptr[:-1]]
    unit = np.where(total, 1e-6, per_state[first])
    terms = balance.multiply(np.nan_to_num(x)[None, :]).tocsr()
    has_nan = np.asarray(abs(balance) @ np.isnan(x).astype(float)).ravel() > 0
    positive = np.asarray(terms.multiply(balance > 0).sum(axis=1)).ravel() * unit
    negative = -np.asarray(terms.multiply(balance < 0).sum(axis=1)).ravel() * unit
    positive[has_nan], negative[has_nan] = np.nan, np.nan
    biggest = np.maximum(np.abs(positive), np.abs(negative))
    safe = np.where(biggest > 0, biggest, 1.0)
    rel = np.where(biggest > 0, np.abs(positive - negative) / safe, 0.0)
    rel[has_nan] = np.nan
    zeros = np.zeros(len(problem.balance_labels))
    return pd.DataFrame(
        {
            "node": [node for node, _ in problem.balance_labels],
            "view": [_view(name) for _, name in problem.balance_labels],
            "name": [name for _, name in problem.balance_labels],
            "in_tph": positive,
            "added_tph": zeros,
            "reacted_tph": zeros,
            "out_tph": negative,
            "rel_err": rel,
        },
        columns=list(CLOSURE_COLUMNS),
    )


def _view(name: str) -> str:
    if name == "size classes sum to solids" or " by size sums to " in name:
        return "size_sum"
    if name.endswith(" um"):
        return "size_class"
    if name in ("solids", "water", "carbon"):
        return "phase"
    return "species"


def _tph_per_unit(problem: SurveyProblem, key: tuple[Any, ...]) -> float:
    kind = key[0]
    if kind in ("M", "Mi"):
        unit = problem.solid_species[key[-1]]
        return 1e-2 if unit == "pct" else 1e-6
    return _TPH_PER_UNIT[kind]
