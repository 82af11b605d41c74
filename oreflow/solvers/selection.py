"""The selection problem of a case: its data from a mode table, and the model's figures.

One problem serves every optimization (``blend`` states the model): a column is one
route and mode combination carrying the whole plant's coefficients; its decisions are
the rate of each ore source and the tonnage sent to each decision outlet of a splitter.
A case with one ore source and no split decision is its one-source case: the ore rate is
the only continuous decision, and every intensive limit (a ratio such as recovery
included, which the rate cannot move) filters the columns.

With several ore sources the table holds every column at a blend with the per-source
coefficients of every extensive figure (``tabulate``). Where the plant is additive in its
sources the model is exact; where it is not (rate-weighted work index at a shared mill,
nonlinear adsorption) it is first-order in the blend, and ``optimize`` re-tabulates at the
incumbent's blend (and at its train split, the written fractions being where the table
is taken).

A residue splitter named in ``[constraints] residue_splitter`` makes the tonnage sent to
each residue use (paste backfill, building materials) a decision too: every figure is
affine in the split fractions, so the table also holds each combination with all the
residue sent to each outlet in turn, and a tonne moved from storage to a use changes
each figure by ``(f(all to the use) - f(all to storage)) / residue``. Only tonnage of the
one residue stream is split, never its species apart.
A use the column's residue fails (``eligible_flag``) takes nothing. A splitter named in
``train_splitter`` (one or a list) divides a stream between parallel trains the same way: each train's
units have their own modes (one column per combination of both), and the tonnage to
each train is a decision; the figures are exact where the plant is linear in the split
(each train in its feed, and any unit where trains meet again additive in its feed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from oreflow.flowsheet.case import CaseSpec
from oreflow.flowsheet.optimization import (
    RATIO_FIGURES,
    RESIDUE_FAMILIES,
    Limit,
    OptimizationSpec,
    is_extensive,
    per_sink_figures,
    per_sink_limits,
)
from oreflow.kernels.arrays import safe_div
from oreflow.solvers.blend_data import BlendProblem
from oreflow.solvers.closures import closable_sources, closed_deltas, site_sources
from oreflow.solvers.economics import (
    FIXED_COST_FIGURE,
    FIXED_COST_SIGN,
    fixed_follows_capital,
    fixed_part_usd_h,
)
from oreflow.solvers.optimize_result import check_figures
from oreflow.solvers.simulate import closure_mask
from oreflow.solvers.tabulate import CLOSED, EULER_SHIFT, ModeTable


def source_bounds(spec: CaseSpec, opt: OptimizationSpec) -> tuple[np.ndarray, np.ndarray]:
    """Least and most rate of each ore source [t/h]: ``[constraints.ore.NAME]``.

    Default: from 0 to the rate written in ``[ore.NAME]``; a single source is bounded
    by the plant's ore bounds alone (``ore_tph_min``/``ore_tph_max``), as without a blend.
    """
    lo, hi = [], []
    single = len(spec.ores) == 1
    for ore in spec.ores:
        given_lo, given_hi = opt.source_bounds.get(ore.name, (0.0, None))
        lo.append(given_lo)
        default_hi = np.inf if single else float(ore.params["rate_tph"])
        hi.append(default_hi if given_hi is None else given_hi)
    return np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)


def total_bounds(spec: CaseSpec, opt: OptimizationSpec) -> tuple[float, float]:
    """Bounds on the total ore rate, with the single-source defaults [t/h]."""
    nominal = float(sum(o.params["rate_tph"] for o in spec.ores))
    x_max = opt.ore_tph_max if opt.ore_tph_max is not None else nominal
    if opt.ore_tph_min is not None:
        x_min = opt.ore_tph_min
    else:
        x_min = nominal if opt.ore_tph_max is None else 0.0
    return float(x_min), float(x_max)


def _per_source(
    spec: CaseSpec, table: ModeTable, name: str
) -> tuple[np.ndarray, float | np.ndarray]:
    """(n, S) coefficients of an extensive figure per tonne of each source, and its constant.

    The fixed cost in an extensive figure (``economics.FIXED_COST_SIGN``) does not scale
    with throughput: it is taken out of the per-tonne coefficients and returned as the
    constant, so that ``figure(v) = coefficients v + constant`` at any rates v. Where it
    follows each column's capital (``capital_fixed_frac_y``) the constant is per column:
    the tangent of the column's fixed cost at zero rate (``FIXED_COST_FIGURE``), the part
    of the maintenance on capital that grows with throughput staying in the per-tonne
    coefficients; the model is exact at the tabulated rates and its derivative in them is
    the plan's. A limited figure a route does not report is zero there (no cyanide, no
    oxygen).
    """
    sign = FIXED_COST_SIGN.get(name)
    if sign is not None and fixed_follows_capital(spec.economics):
        if FIXED_COST_FIGURE not in table.figures:
            msg = f"{name!r} needs {FIXED_COST_FIGURE!r} tabulated (the fixed cost per column)"
            raise ValueError(msg)
        if not table.sources:
            base = sign * table.figures[FIXED_COST_FIGURE].to_numpy(dtype=np.float64)
            col = np.nan_to_num(table.figures[name].to_numpy(dtype=np.float64), nan=0.0)
            return ((col - base) / table.ore_tph)[:, None], base
        # with several sources the fixed cost's tangent at zero rates is the Euler shift
        # of its own finite differences (the same differences as the figure's)
        shift = np.nan_to_num(table.derivatives["cost_fixed_usd_h" + EULER_SHIFT][:, 0])
        shifted = np.nan_to_num(table.derivatives[name], nan=0.0)
        return shifted - sign * shift[:, None], sign * shift * table.ore_tph
    fixed = fixed_part_usd_h(spec.economics, name)
    if not table.sources:  # one rate: the plant's, the figure at the nominal rate
        col = np.nan_to_num(table.figures[name].to_numpy(dtype=np.float64), nan=0.0)
        return ((col - fixed) / table.ore_tph)[:, None], fixed
    # the tabulated per-tonne coefficients hold fixed / nominal rate (the Euler shift
    # spreads it over the sources): per tonne without it
    return np.nan_to_num(table.derivatives[name], nan=0.0) - fixed / table.ore_tph, fixed


@dataclass(frozen=True)
class SplitGroup:
    """A splitter whose fractions are decisions.

    ``kind`` is ``train`` (ore or pulp to parallel trains) or ``residue`` (residue to
    storage and uses); ``ref`` is the outlet that takes the rest (the first outlet of a
    train splitter, the tailings storage of a residue splitter); ``names`` label the
    decision outlets (residue: their sink units; trains: their streams).
    """

    splitter: str
    kind: str
    outlets: tuple[str, ...]
    ref: str
    sinks: Mapping[str, tuple[str, str]]

    @property
    def feed(self) -> str:
        """The figure that is the splitter's feed [t/h]."""
        return f"units.{self.splitter}.feed_solids_tph"

    @property
    def decisions(self) -> tuple[str, ...]:
        """Outlets whose tonnage is a decision variable."""
        return tuple(o for o in self.outlets if o != self.ref)

    def label(self, outlet: str) -> str:
        """Name of an outlet in the plan: its sink (residue) or its stream (trains)."""
        return self.sinks[outlet][0] if self.kind == "residue" else f"{self.splitter}.{outlet}"


def split_groups(spec: CaseSpec, opt: OptimizationSpec) -> list[SplitGroup]:
    """The splitters of a case whose fractions are decisions: trains first, then residue."""
    out = []
    for train in opt.train_splitters:
        outlets = spec.unit(train).outlets
        out.append(SplitGroup(train, "train", outlets, outlets[0], {}))
    if opt.residue_splitter:
        ref = next(o for o, _, f in opt.residue_sinks if f == RESIDUE_FAMILIES[0])
        sinks = {o: (sink, t) for o, sink, t in opt.residue_sinks}
        outlets = spec.unit(opt.residue_splitter).outlets
        out.append(SplitGroup(opt.residue_splitter, "residue", outlets, ref, sinks))
    return out


def split_metrics(spec: CaseSpec, opt: OptimizationSpec) -> list[str]:
    """Unit metrics the split decisions and the per-sink limit rows need tabulated."""
    out = []
    for g in split_groups(spec, opt):
        out.append(g.feed)
        out += [
            f"units.{sink}.eligible_flag"
            for sink, f in g.sinks.values()
            if f != RESIDUE_FAMILIES[0]
        ]
    for lim in opt.limits:
        for figure, (num, den) in per_sink_figures(spec.units, spec.unit_types, lim.name).items():
            out += [figure, num, den]
    return out


def model_limits(spec: CaseSpec, limits: tuple[Limit, ...]) -> tuple[Limit, ...]:
    """The case's limits as the model's: a per-discharge KPI's as one limit per sink."""
    return tuple(m for lim in limits for m in per_sink_limits(spec.units, spec.unit_types, lim))


def _destinations(
    spec: CaseSpec,
    opt: OptimizationSpec,
    table: ModeTable,
    derivatives: dict[str, np.ndarray],
) -> dict[str, Any]:
    """Destination coefficients (and the adjusted per-source ones) of the split decisions.

    Per splitter g and decision outlet d, a tonne moved from the reference outlet to d
    changes figure f by ``(f(all to d) - f(all to ref)) / feed_g``; the tabulated
    figures hold the written split, which is taken out of the rates' coefficients.
    """
    groups = split_groups(spec, opt)
    streams = list(table.split_outlets)
    n = len(table.figures)
    rho = {g.feed: derivatives[g.feed] for g in groups}
    deltas: dict[str, list[np.ndarray]] = {name: [] for name in derivatives}
    names, group_of, ok_cols = [], [], []
    correction = {name: np.zeros_like(derivatives[name]) for name in derivatives}
    for k, g in enumerate(groups):
        i_ref = streams.index(f"{g.splitter}.{g.ref}")
        i_dest = [streams.index(f"{g.splitter}.{o}") for o in g.decisions]
        feed = np.nan_to_num(table.split_figures[g.feed][:, i_ref])
        per_t = safe_div(1.0, feed)
        fractions = spec.unit(g.splitter).tables["fractions"]
        total = sum(float(fractions[o]["frac"]) for o in g.outlets)
        written = np.array([float(fractions[o]["frac"]) / total for o in g.decisions])
        for name in derivatives:
            f = np.nan_to_num(table.split_figures[name])
            delta = (f[:, i_dest] - f[:, [i_ref]]) * per_t[:, None]
            deltas[name].append(delta)
            correction[name] += rho[g.feed] * (delta @ written)[:, None]
        for d, o in zip(i_dest, g.decisions, strict=True):
            names.append(g.label(o))
            group_of.append(k)
            sink = g.sinks.get(o)
            if sink is not None and sink[1] != RESIDUE_FAMILIES[0]:
                flag = table.split_figures[f"units.{sink[0]}.eligible_flag"][:, d]
                ok_cols.append(np.nan_to_num(flag) > 0.5)
            else:
                ok_cols.append(np.ones(n, dtype=bool))
    coefficients = {name: np.concatenate(v, axis=1) for name, v in deltas.items()}
    for name in derivatives:
        derivatives[name] = derivatives[name] - correction[name]
    feed_rows = np.stack(
        [np.concatenate([derivatives[g.feed], coefficients[g.feed]], axis=1) for g in groups],
        axis=1,
    )
    return {
        "destinations": tuple(names),
        "destination_coefficients": coefficients,
        "destination_ok": np.stack(ok_cols, axis=1),
        "destination_group": tuple(group_of),
        "group_feed": feed_rows,
    }


def blend_problem(spec: CaseSpec, opt: OptimizationSpec, table: ModeTable) -> BlendProblem:
    """The selection problem's data from a mode table (module docstring).

    A table with per-source coefficients (``tabulate(source_tph=...)``) gives one rate
    per source; any other table one rate, the plant's (a study's scenarios of a blend
    included). A limit on a ratio KPI (recovery) or a per-discharge KPI (WAD cyanide at
    the tailings) is a row when the decisions can move it, one per sink for the latter;
    with the plant's rate the only decision it filters the columns. The fixed cost is
    taken out of the per-tonne coefficients and carried as a constant
    (``BlendProblem.constants``; per column where it follows each column's capital). A column whose balance does not close
    (``closure_max_rel`` above ``simulate.CLOSURE_GATE_REL``) is refused.
    """
    groups = split_groups(spec, opt) if table.split_outlets else []
    one_rate = not table.sources and not groups
    ratios: dict[str, tuple[str, str]] = {} if one_rate else dict(RATIO_FIGURES)
    per_sink: dict[str, tuple[str, ...]] = {}
    for lim in [] if one_rate else opt.limits:
        figures = per_sink_figures(spec.units, spec.unit_types, lim.name)
        if figures:
            ratios.update(figures)
            per_sink[lim.name] = tuple(figures)
    limits_all = opt.limits if one_rate else model_limits(spec, opt.limits)
    # a per-discharge KPI's own tabulated value too (an objective on it, as in pareto)
    names = {lim.name for lim in (*limits_all, *opt.limits)} | set(opt.weights)
    names |= {g.feed for g in groups}
    for lim in limits_all:
        if lim.name in ratios:
            names |= set(ratios[lim.name])
    derivatives: dict[str, np.ndarray] = {}
    values: dict[str, np.ndarray] = {}
    constants: dict[str, float | np.ndarray] = {}
    for name in check_figures(spec, names, table, limits_all, opt.weights):
        if is_extensive(name):
            derivatives[name], fixed = _per_source(spec, table, name)
            if np.any(fixed):
                constants[name] = fixed
        else:
            # a limited figure a route does not report is zero there
            values[name] = np.nan_to_num(table.figures[name].to_numpy(dtype=np.float64), nan=0.0)
    extra: dict[str, Any] = {}
    if groups:
        extra = _destinations(spec, opt, table, derivatives)
    if table.sources or len(spec.ores) == 1:
        sources = table.sources or (spec.ores[0].name,)
        lo, hi = source_bounds(spec, opt)
    else:  # several sources as one rate (a study's scenarios): the plant's bounds only
        sources, lo, hi = ("ore",), np.zeros(1), np.full(1, np.inf)
    x_min, x_max = total_bounds(spec, opt)
    limits = tuple(
        lim
        for lim in limits_all
        if not np.all(np.isnan(table.figures[lim.name].to_numpy(dtype=np.float64)))
    )
    closed = None
    if "closure_max_rel" in table.figures:  # a column whose balance does not close: refused
        closed = ~closure_mask(table.figures["closure_max_rel"].to_numpy(dtype=np.float64))
    closable: tuple[int, ...] = ()
    if table.sources and any(k.endswith(CLOSED) for k in table.derivatives):
        closable = closable_sources(spec, opt)
    if closable:
        extra["closable"] = closable
        extra["closed_delta"], extra["closed_size"] = closed_deltas(
            table, derivatives, constants, closable
        )
        extra["site_source"] = site_sources(spec, opt, limits, derivatives, closable, hi)
    return BlendProblem(
        sources,
        derivatives,
        values,
        lo,
        hi,
        x_min,
        x_max,
        limits,
        opt.weights,
        opt.sense,
        ratios,
        opt.mip_rel_gap,
        opt.time_limit_s,
        per_sink=per_sink,
        constants=constants,
        closed=closed,
        **extra,
    )


def model_figure(problem: BlendProblem, name: str, column: int, v: np.ndarray) -> float:
    """A figure as the model predicts it for a column at (rates, residue tonnages) ``v``."""

    def linear(k: str) -> float:
        a = np.concatenate([problem.derivatives[k][column], problem.dest(k)[column]])
        return float(a @ v) + problem.constant(k, column)

    if is_extensive(name):
        return linear(name)
    if name in problem.per_sink:  # the highest discharge
        return max(model_figure(problem, f, column, v) for f in problem.per_sink[name])
    if name in problem.ratios and all(k in problem.derivatives for k in problem.ratios[name]):
        num, den = (linear(k) for k in problem.ratios[name])
        return num / den if den != 0 else 0.0
    return float(problem.values[name][column])


def split_tonnages(
    spec: CaseSpec, opt: OptimizationSpec, problem: BlendProblem, column: int, v: np.ndarray
) -> dict[str, dict[str, float]]:
    """Per decision splitter, t/h to each outlet at a plan (the reference takes the rest)."""
    groups = split_groups(spec, opt)
    if not groups:
        return {}
    feeds = problem.group_feed_values(column, v)
    z = dict(zip(problem.destinations, map(float, v[problem.n_sources :]), strict=True))
    out = {}
    for k, g in enumerate(groups):
        tonnes = {o: z[g.label(o)] for o in g.decisions}
        tonnes[g.ref] = max(float(feeds[k]) - sum(tonnes.values()), 0.0)
        out[g.splitter] = {o: tonnes[o] for o in g.outlets}
    return out


def _term_size(problem: BlendProblem, name: str, column: int, v: np.ndarray) -> float:
    """Size of the terms of an extensive figure in the model at ``v``.

    The rates' terms, plus each destination's coefficient times all the residue made
    (what the figure would move if that destination took it all).
    """
    if not is_extensive(name):
        return 0.0
    n_src = problem.n_sources
    size = float(np.abs(problem.derivatives[name][column] * v[:n_src]).sum())
    if name in problem.closed_size:  # a closed source's terms, which its constant cancels
        size += float(problem.closed_size[name][column])
    if problem.n_destinations:
        made = float(np.abs(problem.group_feed_values(column, v)).max())
        size += float(np.abs(problem.dest(name)[column]).sum()) * made
    return size


def model_values(problem: BlendProblem, column: int, v: np.ndarray) -> tuple[dict, dict]:
    """The model's value of every figure it uses at a plan, and the size of its terms.

    ``v`` holds the rates, then the destination tonnages (``verification_table``).
    """
    limited = (lim.name for lim in problem.limits)
    names = sorted({*problem.derivatives, *problem.values, *limited, *problem.per_sink})
    model = {name: model_figure(problem, name, column, v) for name in names}
    terms = {name: _term_size(problem, name, column, v) for name in names}
    return model, terms


def rate_bound_values(problem: BlendProblem) -> dict[str, float]:
    """The rate bounds a shadow price may be keyed by: each source's and the plant's."""
    out = {"ore_tph_max": problem.x_max, "ore_tph_min": problem.x_min}
    for s, src in enumerate(problem.sources):
        name = src.removeprefix("ore.")
        out[f"constraints.ore.{name}.rate_tph_max"] = float(problem.source_max[s])
        out[f"constraints.ore.{name}.rate_tph_min"] = float(problem.source_min[s])
    return out
