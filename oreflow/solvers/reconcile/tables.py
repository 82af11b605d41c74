"""Result tables at the reconciled point: streams, size classes, nodes, adjustments, closure.

Each reported figure is a ratio of linear functions of the states (an assay ``M / S``,
a split ``S_out / sum S_in``, a recovery over all phases); its standard deviation is
``sqrt(g' P g)`` with ``g`` its gradient and ``P`` the covariance of the linearised
estimate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

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


class _Figures:
    """Value and standard deviation of ratios of linear functions of the states."""

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

    def __call__(self, numerator: Terms, denominator: Terms | None = None) -> tuple[float, float]:
        """Value and sd of ``(g . x) / (d . x)``, or of ``g . x`` without ``d``.

        The terms are keyed by state; a key with no state is a structural zero.
        """
        index, x = self.problem.index, self.x
        num = {index[k]: c for k, c in numerator.items() if k in index}
        top = sum(c * x[j] for j, c in num.items())
        if denominator is None:
            gradient = dict(num)
            value = top
        else:
            den = {index[k]: c for k, c in denominator.items() if k in index}
            bottom = sum(c * x[j] for j, c in den.items())
            if not bottom > 0:
                return math.nan, math.nan
            value = top / bottom
            gradient = {}
            for j, c in num.items():
                gradient[j] = gradient.get(j, 0.0) + c / bottom
            for j, c in den.items():
                gradient[j] = gradient.get(j, 0.0) - c * top / bottom**2
        if not math.isfinite(value):
            return math.nan, math.nan
        scaled: dict[int, float] = {}
        for j, g in gradient.items():
            k = int(self.position[j])
            if k < 0:
                return value, math.nan
            scaled[k] = g * self.scale[k]
        return value, self.stats.sd(scaled)


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
    return {
        "streams": pd.DataFrame(_stream_rows(problem, network, q)),
        "sizes": pd.DataFrame(
            rows := _size_rows(problem, network, q),
            columns=None if rows else ["stream", "size_um", "mass_frac", "mass_frac_sd"],
        ),
        "nodes": pd.DataFrame(_node_rows(problem, network, q)),
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

        def put(column: str, value_sd: tuple[float, float], row: dict[str, Any] = row) -> None:
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
    h = problem.values(np.nan_to_num(x))
    rows = []
    for i, m in enumerate(problem.measurements):
        dens = [problem.keys[j] for j in problem.denominator[i] if j >= 0]
        reconciled, reconciled_sd = q(
            {problem.keys[problem.numerator[i]]: float(problem.factor[i])},
            dict.fromkeys(dens, 1.0) or None,
        )
        reconciled = float(h[i]) if not math.isfinite(reconciled) else reconciled
        sd = 0.0 if problem.exact[i] else float(problem.sd[i])
        lev = float(stats.leverage[i])
        if not active[i]:
            spread = math.sqrt(sd**2 + reconciled_sd**2)
        else:
            spread = sd * math.sqrt(max(1.0 - lev, 0.0))
        redundant = (
            bool(active[i] and not problem.exact[i] and lev < 1.0 - REDUNDANT_TOL) or not active[i]
        )
        rows.append(
            {
                "stream": m.stream,
                "quantity": m.quantity,
                "size_um": m.size_um if m.size_um is not None else math.nan,
                "measured": m.value,
                "sd": sd,
                "reconciled": reconciled,
                "reconciled_sd": 0.0 if problem.exact[i] else reconciled_sd,
                "adjustment_sd": (reconciled - m.value) / sd if sd > 0 else math.nan,
                "normalised_adjustment": (reconciled - m.value) / spread
                if redundant and spread > 0
                else math.nan,
                "redundant": redundant,
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
    rows = []
    for k, (node, name) in enumerate(problem.balance_labels):
        start, stop = balance.indptr[k], balance.indptr[k + 1]
        cols, coefficients = balance.indices[start:stop], balance.data[start:stop]
        terms = coefficients * x[cols]
        # A reactive node's species total is in g/h whatever the phase (see assembly).
        unit = 1e-6 if name.endswith(" total") else per_state[cols[0]]
        positive = float(np.sum(terms[coefficients > 0])) * unit
        negative = float(-np.sum(terms[coefficients < 0])) * unit
        biggest = max(abs(positive), abs(negative))
        rows.append(
            {
                "node": node,
                "view": _view(name),
                "name": name,
                "in_tph": positive,
                "added_tph": 0.0,
                "reacted_tph": 0.0,
                "out_tph": negative,
                "rel_err": abs(positive - negative) / biggest if biggest > 0 else 0.0,
            }
        )
    return pd.DataFrame(rows, columns=list(CLOSURE_COLUMNS))


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
