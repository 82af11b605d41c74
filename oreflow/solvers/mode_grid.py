"""A mode grid's edges: the range an axis may take, the chosen value on an edge, a finer grid.

``grid_edges`` warns of a plan on the first or last value of an axis (the optimum may
lie beyond it); ``refined_grid`` is the next grid of ``optimize.refine`` around it.
"""

from __future__ import annotations

import numpy as np

from oreflow.flowsheet.case import CaseSpec
from oreflow.flowsheet.optimization import ModeAxis


def axis_range(spec: CaseSpec, axis: ModeAxis) -> tuple[float, float]:
    """Values a mode axis may take: its parameter's schema range within the unit's envelope.

    Open schema bounds are kept off by a thousandth of the span to the grid.
    """
    utype = spec.unit_types[spec.unit(axis.unit).type]
    lo, hi = -np.inf, np.inf
    param = next((p for p in utype.params if p.name == axis.param), None)
    if param is not None:
        span = max(axis.values) - min(axis.values) or abs(max(axis.values)) or 1.0
        if param.lo is not None:
            lo = param.lo + (1e-3 * span if param.lo_open else 0.0)
        if param.hi is not None:
            hi = param.hi - (1e-3 * span if param.hi_open else 0.0)
    for env in utype.envelope:
        if env.metric == axis.param:
            lo = lo if env.lo is None else max(lo, env.lo)
            hi = hi if env.hi is None else min(hi, env.hi)
    return float(lo), float(hi)


def grid_edges(spec: CaseSpec, axes: list[ModeAxis], modes: dict[str, float]) -> list[str]:
    """One line per axis whose chosen value is the first or last of its grid (of several)."""
    out = []
    for a in axes:
        values = sorted(a.values)
        x = modes.get(a.label)
        if x is None or len(values) < 2 or values[0] < x < values[-1]:
            continue
        side = "lower" if x == values[0] else "upper"
        lo, hi = axis_range(spec, a)
        room = (x > lo) if side == "lower" else (x < hi)
        tail = (
            "the optimum may lie beyond it: widen the grid or use --refine"
            if room
            else "it is also the limit of the parameter's range or envelope"
        )
        out.append(
            f"{a.label} = {x:g} is on the {side} edge of its grid "
            f"[{values[0]:g} .. {values[-1]:g}]: {tail}"
        )
    return out


def refined_grid(
    values: list[float], x: float, points: int, bounds: tuple[float, float]
) -> list[float]:
    """The next grid of an axis around ``x``: its neighbours, or a step beyond an edge.

    At an edge of the grid the new grid reaches one grid step past it (within
    ``bounds``), so that an optimum outside the first grid is found.
    """
    i = values.index(x)
    if i == 0 and len(values) > 1:
        lo = max(x - (values[1] - values[0]), bounds[0])
    else:
        lo = values[max(i - 1, 0)]
    if i == len(values) - 1 and len(values) > 1:
        hi = min(x + (values[-1] - values[-2]), bounds[1])
    else:
        hi = values[min(i + 1, len(values) - 1)]
    return sorted({*np.linspace(lo, hi, points).tolist(), x})
