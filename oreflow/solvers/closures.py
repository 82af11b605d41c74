"""Shutting a satellite: which sources may shut, the sites they feed, what shutting adds.

A source that may shut is either shut (no ore; its site's fixed cost and capital avoided,
nothing hauled) or runs between its site's least scale (``oreflow.units.scale_rules``) and
its capacity: a semi-continuous rate, a binary per column and source in the selection
MILP (``blend``). What shutting adds to every extensive figure comes from the plant
simulated without the source (``tabulate.CLOSED``) less the linear model there.
"""

from __future__ import annotations

import numpy as np

from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.case import CaseSpec
from oreflow.flowsheet.optimization import Limit, OptimizationSpec
from oreflow.solvers.scale import sites
from oreflow.solvers.tabulate import CLOSED, ModeTable


def closable_sources(spec: CaseSpec, opt: OptimizationSpec) -> tuple[int, ...]:
    """Ore sources (indices) the plan may shut, or run within its bounds and least scale.

    A shut source takes no ore; its site's fixed cost and capital are avoided. With several sources and no split decision, every source whose least rate
    (``[constraints.ore.NAME] rate_tph_min``) is zero.
    """
    if len(spec.ores) < 2 or opt.train_splitters or opt.residue_splitter:
        return ()
    least = [opt.source_bounds.get(o.name, (0.0, None))[0] for o in spec.ores]
    return tuple(s for s, lo in enumerate(least) if lo <= 0.0)


#: A source feeds a site when its coefficient in the site's feed is above this fraction
#: of the largest source's (the Euler shift leaves round-off on the others).
_FEEDS_REL = 1e-6


def site_sources(
    spec: CaseSpec,
    opt: OptimizationSpec,
    limits: tuple[Limit, ...],
    derivatives: dict[str, np.ndarray],
    closable: tuple[int, ...],
    hi: np.ndarray,
) -> dict[str, int]:
    """Scale limits of sites fed by one closable source alone: limit key -> that source.

    ``hi`` is each source's most rate [t/h] (``selection.source_bounds``).

    Raises
    ------
    CaseError
        A source's most rate cannot feed its site the least scale: it could never open.
    """
    out: dict[str, int] = {}
    problems = []
    for lim in limits:
        if not lim.key.startswith("scale.") or lim.name not in derivatives:
            continue
        coef = np.nan_to_num(np.abs(derivatives[lim.name]))
        top = coef.max(axis=0)
        feeders = np.flatnonzero(top > _FEEDS_REL * max(float(top.max()), 1e-300))
        if len(feeders) != 1 or int(feeders[0]) not in closable:
            continue
        s = int(feeders[0])
        out[lim.key] = s
        most = float(top[s]) * float(hi[s])
        if most < lim.value * (1.0 - 1e-9):
            ore = spec.ores[s].name.removeprefix("ore.")
            written = opt.source_bounds.get(spec.ores[s].name, (0.0, None))[1] is not None
            key = f"constraints.ore.{ore}.rate_tph_max" if written else f"ore.{ore}.rate_tph"
            site = next(x for x in sites(spec) if x.key == lim.name)
            rule = max(site.rules, key=lambda r: r.min_t_d)
            problems.append(
                Problem(
                    spec.path,
                    key,
                    f"{float(hi[s]):g} t/h of ore feeds its {site.kind} "
                    f"({', '.join(site.units)}) at most {most * 24.0:.4g} t/d, below the "
                    f"least scale of {rule.min_t_d:g} t/d ({rule.jurisdiction}: {rule.why}) "
                    f"[{rule.source}]: the satellite could never be open; raise its capacity "
                    f'or set [constraints] scale_rules = "report"',
                )
            )
    if problems:
        raise CaseError(problems)
    return out


def closed_deltas(
    table: ModeTable,
    derivatives: dict[str, np.ndarray],
    constants: dict[str, float | np.ndarray],
    closable: tuple[int, ...],
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(n, S) per extensive figure: the plant without each closable source, less the model there.

    The model of a column at the tabulated blend r with source s at zero is
    ``sum_t c_t r_t + constant - c_s r_s``; the table holds the plant simulated there
    (``tabulate.CLOSED``). Their difference is what closing s adds: its site's fixed
    cost and capital gone, and the curvature of the blend without it. Returns the
    differences and the size of their terms (``BlendProblem.closed_size``).
    """
    r = np.asarray(table.source_tph, dtype=np.float64)
    out, sizes = {}, {}
    for name, coef in derivatives.items():
        shut = table.derivatives.get(name + CLOSED)
        if shut is None:
            continue
        const = np.broadcast_to(
            np.asarray(constants.get(name, 0.0), dtype=np.float64), (len(coef),)
        )
        at_r = coef @ r + const
        delta = np.zeros_like(coef)
        size = np.zeros_like(coef)
        for s in closable:
            delta[:, s] = np.nan_to_num(shut[:, s]) - (at_r - coef[:, s] * r[s])
            size[:, s] = (
                np.abs(np.nan_to_num(shut[:, s])) + np.abs(at_r) + np.abs(coef[:, s] * r[s])
            )
        out[name] = delta
        sizes[name] = size
    return out, sizes
