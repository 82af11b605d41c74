"""Closed grinding circuits solved directly: recognition and the solids of the tear streams.

A recycle block is a closed ball-mill circuit this module solves when it holds one unit
whose model offers ``fixed_feed_form`` (the ball mill: linear and lower triangular in
size at a fixed feed solids rate) and every other unit's model declares
``solids_diagonal`` (mixers, splitters, thickeners, a cyclone with a fixed partition
curve, a gravity concentrator without a mass pull: each size class and species of an
outlet is a fixed multiple of the same class and species of each inlet, whatever the
water). A unit diagonal only at some settings also offers ``solids_diagonal_at(state)``,
asked per batch; where it says no, a unit with one inlet that offers
``solids_transfer(state, feed)`` (its shares of each solids component to each outlet
for that feed: a gravity concentrator whose mass pull depends on its feed's
composition) is held at the shares of the last solution and the loop solved again until
they settle (``MAX_SHARE_ROUNDS``; five rounds on free_milling_glycine, the later ones
warm-started), else the loop is left to the general iteration. The mill may turn one
species into another (gravity gold into free gold): the kernel then sweeps the source
species first. A mill may also add solids whatever its feed (its worn media,
``discharge_source``): the fresh feed of the linear system then carries the part of that
source the loop returns to the mill, and the discharge the source itself.

Two more kinds of block get a start from here, which the general iteration then
confirms. A block where the mill and diagonal units form a closed loop of their own
inside a larger block (a leach and carbon circuit that returns solution to the grinding
circuit, copper_gold_sart) has that loop's solids solved as above, the streams the rest
of the block returns to it taken as free of solids, and its other tears left free: the
first probe is then from zero flows, so that the leach is fed water. A block of linear
units some of which declare ``solids_triangular`` (differential flotation banks: each
mineral's concentrate a fixed share of its feed, the gangue's linear in the minerals of
its class and itself) is started by secant rounds per component with nothing held,
exact for each component once those it depends on stand still (three or four passes).
Anything else (a Plitt cyclone, a SAG mill, a regrind mill) is left to the general
Anderson iteration of ``oreflow.solvers.simulate``.

How: each diagonal unit states its solids transfer per inlet and outlet
(``solids_shares(state, n_inlets)``: per inlet, per outlet, the share of each solids
component, a scalar or an array broadcast to (n, n_cls, n_solid), the probe's values
to the bit), or is probed once per chunk for it; per case, class and species the loop's
streams then form a small linear system in which the mill's discharge is an input,
solved once (``alpha``, ``beta`` of ``oreflow.kernels.closed_circuit``). The kernel
finds the mill feed and discharge by a coarse-to-fine sweep and a secant iteration on
the mill-feed rate. The tear streams' solids follow; the water and dissolved species
are then set by passes of the loop with the solids held (each passes on in proportion
to itself, or is set by a target % solids), and the general iteration confirms the
whole tear to oreflow's tolerance. Where every tear's solids are held, those passes run
the units in full (each secant round: which is the last is known only after it), so
that where the last confirms, it is the block's final pass too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from oreflow.errors import ConvergenceError
from oreflow.flowsheet.compile import CompiledPlant
from oreflow.flowsheet.graph import Block

#: Relative tolerance on the mill-feed solids rate [-]: the solids then satisfy the loop
#: to rounding, far inside the tear tolerance (``RTOL_RECYCLE``, 1e-12).
RTOL_MILL_FEED = 1e-14
#: Sweeps allowed per case (about 6 are needed on the shipped circuits).
MAX_SWEEPS = 200
#: Rounds on the feed-dependent shares of a unit diagonal only at fixed shares (a
#: gravity concentrator's mass pull): each round solves the loop at the shares the last
#: solution implies. A mass pull of 0.05 % moves its own feed by about that much, so
#: each round gains about three digits.
MAX_SHARE_ROUNDS = 12
#: The shares have settled when none moves by more than this, relatively [-].
SHARE_RTOL = 1e-13
#: Secant rounds on the water and solution of the tears with the solids held: one
#: lands where no dilution or thickener limit switches; each switch costs a round.
MAX_WATER_ROUNDS = 6
#: Stop those rounds once every water and solution component moves by less than this,
#: relatively (below the tear tolerance, so the general iteration confirms at once) [-].
WATER_RTOL = 1e-13
#: Nothing is judged below this share of the tear's water and solution [-].
WATER_FLOOR = 1e-15


@dataclass(frozen=True)
class MillLoop:
    """A recognised closed ball-mill circuit.

    Attributes
    ----------
    mill : str
        The mill node.
    nodes : tuple of str
        The block's nodes.
    internal : tuple of str
        Streams produced and consumed inside the block.
    feed, discharge : int
        Index in ``internal`` of the mill's feed and discharge.
    """

    mill: str
    nodes: tuple[str, ...]
    internal: tuple[str, ...]
    feed: int
    discharge: int
    #: Streams made inside the block by units outside the mill circuit that feed it
    #: (returned solution); their solids are taken as nil for the start only.
    returned: tuple[str, ...] = ()


class HeldSolids(dict):  # type: ignore[type-arg]
    """Solids of some tears only: those inside a mill circuit within a larger block, or none.

    ``start_with_solids`` then takes its first probe from zero flows, not from the solids
    alone (the block's other units, a leach, need water from the start), and the tears
    not named start free (all of them in a triangular loop).
    """


@dataclass(frozen=True)
class TriangularLoop:
    """A loop of linear units some of which are triangular in species (``solids_triangular``).

    No mill: every tear component is found by secant rounds (``start_with_solids`` with
    nothing held), exact for a component once the components it depends on stand still.
    """

    nodes: tuple[str, ...]


def recognise(
    plant: CompiledPlant, block: Block, ports: tuple[dict[str, list[str]], dict[str, list[str]]]
) -> MillLoop | TriangularLoop | None:
    """The block as a closed ball-mill circuit, a triangular loop, or None.

    A block of the mill and diagonal units only is the circuit; a block of linear units
    of which one at least is triangular in species, a triangular loop. A block that
    also holds units that are not diagonal (a leach and carbon circuit returning
    solution to the grinding circuit) holds a circuit when the mill and the diagonal
    units around it form a closed loop of their own: that loop's solids then start the
    block's iteration (``MillLoop.returned`` names what the rest of the block feeds it).
    """
    mills = [n for n in block.nodes if hasattr(plant.models[n], "fixed_feed_form")]
    if not mills and _triangular(plant, block):
        return TriangularLoop(block.nodes)
    if len(mills) != 1:
        return None
    mill = mills[0]
    if len(ports[0][mill]) != 1 or len(ports[1][mill]) != 1:
        return None
    feed, discharge = ports[0][mill][0], ports[1][mill][0]
    if all(getattr(plant.models[n], "solids_diagonal", False) for n in block.nodes if n != mill):
        produced = {s for n in block.nodes for s in ports[1][n]}
        consumed = {s for n in block.nodes for s in ports[0][n]}
        internal = tuple(sorted(produced & consumed))
        if feed not in internal or discharge not in internal:
            return None
        return MillLoop(
            mill, block.nodes, internal, internal.index(feed), internal.index(discharge)
        )
    return _circuit_within(plant, block, ports, mill, feed, discharge)


def _triangular(plant: CompiledPlant, block: Block) -> bool:
    """Every unit linear, and one at least triangular in species (a differential bank)."""
    if not block.tears:
        return False
    return any(
        getattr(plant.models.get(n), "solids_triangular", False) for n in block.nodes
    ) and all(plant.spec.unit_type(n).linear for n in block.nodes)


def _circuit_within(
    plant: CompiledPlant,
    block: Block,
    ports: tuple[dict[str, list[str]], dict[str, list[str]]],
    mill: str,
    feed: str,
    discharge: str,
) -> MillLoop | None:
    """The closed loop the mill forms with the block's diagonal units, or None.

    The loop is the set of those units that lie on a cycle through the mill (reached
    from its discharge and reaching its feed through diagonal units only).
    """
    candidates = {
        n for n in block.nodes if n == mill or getattr(plant.models[n], "solids_diagonal", False)
    }
    feeds_of = {s: n for n in candidates for s in ports[0][n]}  # stream -> its consumer
    made_by = {s: n for n in candidates for s in ports[1][n]}  # stream -> its producer

    def reach(start: str, step: Callable[[str], list[str]]) -> set[str]:
        seen, todo = {start}, [start]
        while todo:
            for nxt in step(todo.pop()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    down = reach(mill, lambda n: [feeds_of[s] for s in ports[1][n] if s in feeds_of])
    up = reach(mill, lambda n: [made_by[s] for s in ports[0][n] if s in made_by])
    loop = down & up
    if len(loop) < 2:
        return None
    nodes = tuple(n for n in block.nodes if n in loop)
    produced = {s for n in nodes for s in ports[1][n]}
    consumed = {s for n in nodes for s in ports[0][n]}
    internal = tuple(sorted(produced & consumed))
    if feed not in internal or discharge not in internal:
        return None
    in_block = {s for n in block.nodes for s in ports[1][n]}
    returned = tuple(sorted((consumed - produced) & in_block))
    return MillLoop(
        mill, nodes, internal, internal.index(feed), internal.index(discharge), returned
    )


def _outlets(model: Any, state: Any, inlets: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    fast = getattr(model, "apply_outlets", None)
    return fast(state, inlets) if fast is not None else model.apply(state, inlets).outlets


def _eliminate(
    m: int,
    off: dict[tuple[int, int], Any],
    diag: dict[int, Any],
    rhs: dict[tuple[int, int], Any],
    rows: Any = None,
    shape: tuple[int, ...] | None = None,
) -> dict[tuple[int, int], np.ndarray] | None:
    """Solve ``(I - A) x = r`` whose entries are arrays, skipping structural zeros.

    Gaussian elimination without pivoting: ``I - A`` with A non-negative and of spectral
    radius below 1 (a loop with a steady state) is an M-matrix, whose pivots stay
    positive (Berman & Plemmons 1994, Nonnegative Matrices in the Mathematical
    Sciences, SIAM, ch. 6). Entries are arrays of ``shape`` (by default the first
    right-hand side's), or scalars and arrays broadcast to it (a mixer's share of 1).
    Returns ``x[(row, rhs)]`` of the ``rows`` asked for and those they depend on (by
    default all), or None where a pivot is not positive and finite (no steady state;
    the general iteration then decides).
    """
    off, diag, rhs = dict(off), dict(diag), dict(rhs)
    for col in range(m):
        piv = diag.get(col)
        if piv is not None and not np.all((piv > 0.0) & np.isfinite(piv)):
            return None
        for i in range(col + 1, m):
            lik = off.pop((i, col), None)
            if lik is None:
                continue
            f = lik if piv is None else lik / piv
            for j in range(col + 1, m):
                ukj = off.get((col, j))
                if ukj is None:
                    continue
                if i == j:
                    diag[i] = diag.get(i, 1.0) - f * ukj
                else:
                    off[(i, j)] = off[(i, j)] - f * ukj if (i, j) in off else -f * ukj
            for q in (0, 1):
                rq = rhs.get((col, q))
                if rq is not None:
                    rhs[(i, q)] = rhs[(i, q)] - f * rq if (i, q) in rhs else -f * rq
    if shape is None:
        shape = next(iter(rhs.values())).shape
    # the rows asked for and, upward in the triangle, those their substitution reads
    needed = set(range(m)) if rows is None else set(rows)
    for i in range(m):
        if i in needed:
            needed |= {j for j in range(i + 1, m) if (i, j) in off}
    x: dict[tuple[int, int], np.ndarray] = {}
    for i in range(m - 1, -1, -1):
        if i not in needed:
            continue
        for q in (0, 1):
            v = rhs.get((i, q), np.zeros(shape))
            for j in range(i + 1, m):
                uij = off.get((i, j))
                if uij is not None:
                    v = v - uij * x[(j, q)]
            v = v / diag[i] if i in diag else v
            x[(i, q)] = np.broadcast_to(v, shape)
    return x


def tear_solids(
    loop: MillLoop | TriangularLoop,
    plant: CompiledPlant,
    states: Mapping[str, Any],
    streams: Mapping[str, np.ndarray],
    ports: tuple[dict[str, list[str]], dict[str, list[str]]],
    tears: tuple[str, ...],
    n: int,
) -> dict[str, np.ndarray] | None:
    """Solids of every tear stream at the loop's steady state, (n, n_cls, n_solid) each.

    None when the loop cannot be solved this way for these cases (a unit diagonal only
    at some settings that are not these, e.g. a gravity concentrator with a mass pull,
    or a class that would recycle unbroken for ever); the general iteration then takes
    over.

    Raises
    ------
    ConvergenceError
        The iteration on the mill-feed rate did not converge in ``MAX_SWEEPS``; names
        the first tear stream, the case and the relative residual of the rate.
    """
    from oreflow.kernels.closed_circuit import (
        NOT_CONVERGED,
        SINGULAR,
        mill_loop_solids,
    )

    if isinstance(loop, TriangularLoop):
        return HeldSolids()  # nothing held: secant rounds on every component

    form = plant.models[loop.mill].fixed_feed_form(states[loop.mill])
    if form is None:
        return None
    selection, power, b, n_mixers, transfer = form
    # solids the mill adds whatever its feed (worn media): with D = M(F) + S and
    # F = a + b D, the kernel solves D' = D - S = M(F) with F = (a + b S) + b D'
    source_of = getattr(plant.models[loop.mill], "discharge_source", None)
    source = None if source_of is None else source_of(states[loop.mill])
    # A unit diagonal only at some settings (a gravity concentrator with a mass pull)
    # splits by shares that depend on its feed: those are iterated on below.
    varying: list[str] = []
    for node in loop.nodes:
        model = plant.models[node]
        at = getattr(model, "solids_diagonal_at", None)
        if at is not None and not at(states[node]):
            if not hasattr(model, "solids_transfer") or len(ports[0][node]) != 1:
                return None
            varying.append(node)
    comps = plant.spec.comps
    n_cls, n_sp, nc = comps.n_cls, comps.n_solid, comps.n_comp
    m = len(loop.internal)
    index = {s: i for i, s in enumerate(loop.internal)}
    # a probe with every solids component 1 (and some water, for units that split it)
    probe = np.zeros((n, nc))
    probe[:, : comps.n_solids_comp] = 1.0
    if comps.has("water"):
        probe[:, comps.solution_offset("water")] = 1.0
    zero = np.zeros((n, nc))
    # Per case, class and species the loop's streams solve (I - A) s = r, the mill's
    # discharge an input (second right-hand side). Entries are (n, n_cls, n_solid) arrays;
    # most are structurally zero, so the elimination skips them.
    off: dict[tuple[int, int], np.ndarray] = {}  # entries of I - A off the diagonal
    diag: dict[int, np.ndarray] = {}  # diagonal entries other than 1
    rhs: dict[tuple[int, int], Any] = {(loop.discharge, 1): 1.0}

    def add(
        off: dict[tuple[int, int], np.ndarray],
        diag: dict[int, np.ndarray],
        rhs: dict[tuple[int, int], np.ndarray],
        src: str,
        row: int,
        coef: np.ndarray,
    ) -> None:
        """Enter ``coef`` (the share of inlet ``src`` to the stream of ``row``)."""
        if src in index and index[src] == row:
            diag[row] = diag.get(row, 1.0) - coef
        elif src in index:
            key = (row, index[src])
            off[key] = off[key] - coef if key in off else -coef
        elif src not in loop.returned:  # returned from the rest of the block: nil here
            fed = coef * comps.solids_view(streams[src])
            rhs[(row, 0)] = rhs[(row, 0)] + fed if (row, 0) in rhs else fed

    for node in loop.nodes:
        if node == loop.mill or node in varying:
            continue
        model, ins, outs = plant.models[node], ports[0][node], ports[1][node]
        rows = [(k, index[s]) for k, s in enumerate(outs) if s in index]
        shares_of = getattr(model, "solids_shares", None)
        shares = None if shares_of is None or not rows else shares_of(states[node], len(ins))
        for j, src in enumerate(ins):
            if not rows:
                break
            if shares is not None:  # the unit states them: the probe's values, bit for bit
                out = shares[j]
            else:
                inlets = tuple(probe if q == j else zero for q in range(len(ins)))
                out = tuple(comps.solids_view(o) for o in _outlets(model, states[node], inlets))
            for k, row in rows:
                add(off, diag, rhs, src, row, out[k])
    sel_t = np.ascontiguousarray(selection.T)
    # the rows of x read below: the mill feed, the tears, the varying units' feeds
    wanted = {loop.feed} | {index[t] for t in tears if t in index}
    wanted |= {index[ports[0][node][0]] for node in varying if ports[0][node][0] in index}
    feeds = {node: probe for node in varying}  # the first shares: the probe's
    used: dict[str, tuple[np.ndarray, ...]] = {}
    q_start = None
    for _ in range(MAX_SHARE_ROUNDS):
        off_r, diag_r, rhs_r = dict(off), dict(diag), dict(rhs)
        for node in varying:
            used[node] = plant.models[node].solids_transfer(states[node], feeds[node])
            for k, s in enumerate(ports[1][node]):
                if s in index:
                    add(off_r, diag_r, rhs_r, ports[0][node][0], index[s], used[node][k])
        x = _eliminate(m, off_r, diag_r, rhs_r, wanted, (n, n_cls, n_sp))
        if x is None:
            return None
        # the kernel wants (n_solid, n_cls, n_cases)
        fresh = x[(loop.feed, 0)]
        if source is not None:
            fresh = fresh + x[(loop.feed, 1)] * source
        alpha = np.ascontiguousarray(fresh.transpose(2, 1, 0))
        beta = np.ascontiguousarray(x[(loop.feed, 1)].transpose(2, 1, 0))
        feed_t, discharge_t, _, residual, status = mill_loop_solids(
            alpha, beta, sel_t, power, b, n_mixers, RTOL_MILL_FEED, MAX_SWEEPS, transfer, q_start
        )
        if np.any(status == SINGULAR):
            return None
        if np.any(status == NOT_CONVERGED):
            case = int(np.flatnonzero(status == NOT_CONVERGED)[0])
            raise ConvergenceError(
                tears[0], "mill feed solids", float(residual[case]), MAX_SWEEPS, case
            )
        discharge = discharge_t.transpose(2, 1, 0)
        if source is not None:
            discharge = discharge + source
        if not varying:
            break
        # each varying unit's feed at this solution, and the shares it implies there
        settled = True
        for node in varying:
            src = ports[0][node][0]
            feed = np.zeros((n, nc))
            comps.solids_view(feed)[:] = (
                x[(index[src], 0)] + x[(index[src], 1)] * discharge
                if src in index
                else comps.solids_view(streams[src])
            )
            feeds[node] = feed
            now = plant.models[node].solids_transfer(states[node], feed)
            settled &= all(
                np.all(np.abs(a - b) <= SHARE_RTOL * np.abs(b))
                for a, b in zip(now, used[node], strict=True)
            )
        if settled:
            break
        q_start = feed_t.sum(axis=(0, 1))
    else:
        return None  # the shares did not settle: the general iteration decides
    if not loop.returned:
        return {t: x[(index[t], 0)] + x[(index[t], 1)] * discharge for t in tears}
    held = HeldSolids(
        {t: x[(index[t], 0)] + x[(index[t], 1)] * discharge for t in tears if t in index}
    )
    return held or None  # no tear inside the mill circuit: nothing to start from


def start_with_solids(
    out_t: np.ndarray,
    image_t: np.ndarray,
    solids: Mapping[str, np.ndarray],
    tears: tuple[str, ...],
    n_comp: int,
    n_solids_comp: int,
    run_pass: Callable[..., None],
) -> int:
    """First tear guess and its image, (width, n): the solids given, the rest by secants.

    With the solids held, each water and solution component of the tears either moves on
    in proportion to itself (a cyclone's water split, a thickener's overflow) or is set
    by a target % solids, so a secant per component, ``x <- x - f (x - x') / (f - f')``
    with ``f = g(x) - x``, lands on its fixed point at once where one branch holds: from
    no water, then ``g0``, then the secant point. Where a dilution or thickener limit
    switches between probes, further secant rounds follow (at most
    ``MAX_WATER_ROUNDS``); the caller's iteration then judges the whole tear.
    ``run_pass(x, image)`` runs the loop once from tears ``x`` (n, width) and writes their
    image (width, n); where every tear's solids are held, the secant rounds' passes are
    called ``run_pass(x, image, True)``: most likely the last, so the caller may keep
    their full results for its final pass.
    ``HeldSolids`` name the solids of some tears only (none in a triangular loop): the
    first probe is then from zero flows and the other components, solids included, are
    found by the same secants (exact for a component once those it depends on stand
    still: the minerals of a differential bank, then the gangue they lift).

    Returns
    -------
    int
        Passes made.
    """
    width, n = out_t.shape
    held = np.zeros(width, dtype=np.bool_)
    # tears with the case axis first, as a pass takes them: no transposed copies
    pinned = np.zeros((n, width))
    for k, t in enumerate(tears):
        if t in solids:  # a tear outside the mill circuit starts free
            held[k * n_comp : k * n_comp + n_solids_comp] = True
            pinned[:, k * n_comp : k * n_comp + n_solids_comp] = solids[t].reshape(n, -1)
    # the secants work on the free components alone, (n_free, n): the held ones are pinned
    free = np.flatnonzero(~held)
    # a circuit within a larger block: the first probe from zero flows, so that every
    # unit downstream of it is fed water
    x0 = np.zeros((n, width)) if isinstance(solids, HeldSolids) else pinned
    g0 = np.empty((width, n))
    run_pass(x0, g0)
    x1 = pinned.copy()
    x1[:, free] = g0[free].T
    g1 = np.empty((width, n))
    run_pass(x1, g1)
    passes = 2
    a0, b0, a1, b1 = x0[:, free].T, g0[free], x1[:, free].T, g1[free]
    for _ in range(MAX_WATER_ROUNDS):
        f0, f1 = b0 - a0, b1 - a1
        with np.errstate(divide="ignore", invalid="ignore"):
            a2 = a1 - f1 * (a1 - a0) / (f1 - f0)
        usable = np.isfinite(a2) & (a2 >= 0.0)
        a2 = np.where(usable, a2, b1)
        x2 = pinned.copy()
        x2[:, free] = a2.T
        g2 = np.empty((width, n))
        # the last, as a rule, where the solids of every tear are held: reports kept
        # (a loop left partly free iterates on, and its last pass is not this one)
        run_pass(x2, g2, not isinstance(solids, HeldSolids))
        passes += 1
        b2 = g2[free]
        a0, b0, a1, b1 = a1, b1, a2, b2
        x1, g1 = x2, g2
        scale = np.maximum(np.abs(b2), WATER_FLOOR * np.abs(b2).sum(axis=0))
        if np.all(np.abs(b2 - a2) <= WATER_RTOL * scale):
            break
    np.copyto(out_t, x1.T)
    np.copyto(image_t, g1)
    return passes
