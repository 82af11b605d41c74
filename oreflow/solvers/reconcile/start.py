"""Starting point of the Gauss-Newton iteration and the scale of each state.

Flows come from least squares on the node balances, the meters and the balances of
each measured ratio held at its measured value (the two-product formula when the
survey is a single separation); component flows from measured assays. The start is
then projected onto the balances (``balance.balanced_start``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy import sparse

from oreflow.flowsheet.network import Network
from oreflow.flowsheet.survey import Measurement
from oreflow.solvers.reconcile import sparse_blocks
from oreflow.solvers.reconcile.assembly import FLOW_PHASE, SurveyProblem
from oreflow.solvers.reconcile.blocks import Blocks, find_blocks
from oreflow.solvers.reconcile.highs_qp import bounded_projection
from oreflow.solvers.reconcile.sparse_blocks import least_squares
from oreflow.solvers.reconcile.statistics import min_norm_solution


def _flow_estimate(
    network: Network,
    measured: Mapping[str, tuple[float, float]],
    ratio_rows: Sequence[tuple[Mapping[str, float], float]],
    typical: float,
) -> np.ndarray:
    """Least-squares phase flows from node balances, meters and fixed-ratio balances.

    Only a starting point for Gauss-Newton: balances get a large weight, meters their
    own, ratio balances (assays fixed at measured values) a modest one and a weak prior
    towards ``typical`` keeps undetermined flows finite.
    """
    streams = network.streams
    col = {s: j for j, s in enumerate(streams)}
    entries: tuple[list[int], list[int], list[float]] = ([], [], [])
    b: list[float] = []

    def row(terms: Mapping[str, float], rhs: float, weight: float) -> None:
        for s, coef in terms.items():
            entries[0].append(len(b))
            entries[1].append(col[s])
            entries[2].append(coef * weight)
        b.append(rhs * weight)

    for node in network.nodes:
        terms = {s: 1.0 for s in node.inlets} | {s: -1.0 for s in node.outlets}
        row(terms, 0.0, 1e4 / typical)
    for s, (value, sd) in measured.items():
        row({s: 1.0}, value, 1.0 / max(sd, 1e-3 * max(value, typical)))
    for terms, weight in ratio_rows:
        row(terms, 0.0, weight)
    for s in streams:
        row({s: 1.0}, typical, 1e-4 / typical)
    matrix = sparse.csr_matrix((entries[2], (entries[0], entries[1])), shape=(len(b), len(streams)))
    none = np.zeros(0, dtype=np.int64)
    # Independent groups of streams are solved apart (dense least squares on each, or
    # sparse on a large group; the prior rows give every group full column rank).
    blocks = find_blocks(len(streams), matrix, none, none)
    rhs = np.array(b)
    solution = np.zeros(len(streams))
    for members, (rows, part) in zip(
        blocks.states, blocks.split(matrix, sparse_blocks.SPARSE_MIN_STATES), strict=True
    ):
        if sparse.issparse(part):
            solution[members] = least_squares(part, rhs[rows])
        else:
            solution[members], *_ = np.linalg.lstsq(part, rhs[rows], rcond=None)
    return np.maximum(solution, 1e-3 * typical)


def initial_guess(problem: SurveyProblem, network: Network) -> np.ndarray:
    """A positive starting point; it need not balance (it is projected onto the balances)."""
    streams = network.streams
    by_key: dict[tuple[str, str, float | None], Measurement] = {
        (m.stream, m.quantity, m.size_um): m for m in problem.measurements
    }

    def mean_of(quantity: str, size: float | None = None) -> float | None:
        values = [
            m.value for m in problem.measurements if m.quantity == quantity and m.size_um == size
        ]
        return float(np.mean(values)) if values else None

    def ratio(stream: str, quantity: str, size: float | None, fallback: float) -> float:
        m = by_key.get((stream, quantity, size))
        if m is not None:
            return m.value
        mean = mean_of(quantity, size)
        return fallback if mean is None else mean

    flows: dict[str, dict[str, tuple[float, float]]] = {"S": {}, "W": {}, "C": {}}
    for m in (*problem.measurements, *problem.fixed_zero):
        kind = m.parsed.kind
        if kind in FLOW_PHASE:
            flows[FLOW_PHASE[kind]][m.stream] = (m.value, m.sd)
    pct = {
        m.stream: m.value
        for m, q in zip(problem.measurements, problem.quantities, strict=True)
        if q.kind == "pct_solids"
    }
    # Solids implied by water meters and % solids, as pseudo-meters for the start point.
    for s, p in pct.items():
        if s in flows["W"] and s not in flows["S"] and p < 100.0:
            w = flows["W"][s][0]
            flows["S"][s] = (w * p / (100.0 - p), 0.1 * w * p / (100.0 - p) + 1e-9)

    def typical(measured: Mapping[str, tuple[float, float]], default: float) -> float:
        values = [v for v, _ in measured.values() if v > 0]
        return float(np.median(values)) if values else default

    estimate: dict[str, np.ndarray] = {}
    if "S" in problem.phases:
        typ = typical(flows["S"], 1.0)
        ratio_rows: list[tuple[dict[str, float], float]] = []
        for node in network.nodes:
            incident = [(s, 1.0) for s in node.inlets] + [(s, -1.0) for s in node.outlets]
            # Size classes balance at every node; solids assays only where nothing
            # dissolves (not at a reactive node).
            candidates = [("mass_frac", size) for size in problem.classes_um]
            if not node.reactive:
                candidates += [(f"{sp}_{unit}", None) for sp, unit in problem.solid_species.items()]
            for quantity, size in candidates:
                found = [by_key.get((s, quantity, size)) for s, _ in incident]
                if all(m is not None for m in found):
                    values = [m.value for m in found if m is not None]
                    scale = max(float(np.mean(values)), 1e-12)
                    terms: dict[str, float] = {}
                    for (s, g), v in zip(incident, values, strict=True):
                        terms[s] = terms.get(s, 0.0) + g * v
                    ratio_rows.append((terms, 1.0 / (0.1 * scale * typ)))
        estimate["S"] = _flow_estimate(network, flows["S"], ratio_rows, typ)
    if "W" in problem.phases:
        solids = estimate.get("S")
        col = {s: j for j, s in enumerate(streams)}
        for s, p in pct.items():
            if s not in flows["W"] and solids is not None:
                w = solids[col[s]] * (100.0 - p) / p
                flows["W"][s] = (w, 0.1 * w + 1e-9)
        typ_s = typical(flows["S"], 1.0)
        estimate["W"] = _flow_estimate(network, flows["W"], [], typical(flows["W"], typ_s))
    if "C" in problem.phases:
        estimate["C"] = _flow_estimate(network, flows["C"], [], typical(flows["C"], 1.0))

    x = np.zeros(problem.n_states)
    n_classes = len(problem.classes_um)

    def put(key: tuple[Any, ...], value: float) -> None:
        j = problem.index.get(key)
        if j is not None:  # structural zeros have no state
            x[j] = value

    for j_stream, s in enumerate(streams):
        for p in problem.phases:
            put((p, s), estimate[p][j_stream])
        solids = estimate["S"][j_stream] if "S" in problem.phases else 0.0
        water = estimate["W"][j_stream] if "W" in problem.phases else 0.0
        carbon = estimate["C"][j_stream] if "C" in problem.phases else 0.0
        for sp, unit in problem.solid_species.items():
            put(("M", s, sp), solids * ratio(s, f"{sp}_{unit}", None, 1.0))
        if n_classes:
            fractions = np.array(
                [ratio(s, "mass_frac", size, 1.0 / n_classes) for size in problem.classes_um]
            )
            total = fractions.sum()
            fractions = fractions / total if total > 0 else np.full(n_classes, 1.0 / n_classes)
            for i, size in enumerate(problem.classes_um):
                class_flow = solids * fractions[i]
                put(("Si", s, i), class_flow)
                for sp in problem.sized_species:
                    unit = problem.solid_species[sp]
                    head = ratio(s, f"{sp}_{unit}", None, 1.0)
                    put(("Mi", s, i, sp), class_flow * ratio(s, f"{sp}_{unit}", size, head))
        for sp in problem.tenor_species:
            put(("D", s, sp), water * ratio(s, f"{sp}_mg_l", None, 1.0))
        for sp in problem.loading_species:
            put(("L", s, sp), carbon * ratio(s, f"carbon_{sp}_gpt", None, 1.0))
    return x


def state_scales(problem: SurveyProblem, x: np.ndarray) -> np.ndarray:
    """Scale of each state: its starting value, floored at 1e-3 of its family's median."""
    family: dict[tuple[Any, ...], list[int]] = {}
    for j, key in enumerate(problem.keys):
        kind = key[0]
        tag = (kind, key[-1]) if kind in ("M", "Mi", "D", "L") else (kind,)
        family.setdefault(tag, []).append(j)
    scale = np.abs(x).astype(float)
    for members in family.values():
        values = np.abs(x[members])
        positive = values[values > 0]
        typ = float(np.median(positive)) if positive.size else 1.0
        scale[members] = np.maximum(values, 1e-3 * typ)
    return scale


def balanced_start(
    balance: sparse.csr_matrix, xi_guess: np.ndarray, floor: np.ndarray, blocks: Blocks
) -> np.ndarray:
    """The nearest point to the guess that closes every balance and respects the floors.

    Classification needs a balanced point: there, every ratio measurement is exactly
    invariant along the scaling of its stream (Euler), so structural non-redundancy
    (a lone flow meter setting the scale) shows as a leverage of exactly one. The
    least-norm projection is tried first; if it leaves a state below its floor, the
    same projection is solved with bounds as a QP (identity Hessian) by HiGHS.
    """
    if balance.shape[0] == 0:
        return xi_guess.copy()
    xi = xi_guess - min_norm_solution(balance, balance @ xi_guess, blocks)
    if np.all(xi >= floor):
        return xi
    return bounded_projection(balance.toarray(), xi_guess, floor)


def polish(balance: sparse.csr_matrix, xi: np.ndarray, blocks: Blocks) -> np.ndarray:
    """Remove the solver's last round-off from the balances (least-norm correction)."""
    if balance.shape[0] == 0:
        return xi
    residual = balance @ xi
    if np.max(np.abs(residual)) == 0.0:
        return xi
    return xi - min_norm_solution(balance, residual, blocks)
