"""The table an optimization solves on, and the case it is tabulated from.

The case at the incumbent's train split (``at_split``) or rate (``at_rate``), the
envelope and scale limits it enforces (``enforced_envelopes``), and the figures its model
reads (``needed_figures``), tabulated by ``tabulate.tabulate`` (``tabulate_problem``);
and the objectives a linear model cannot hold (``check_ratio_objective``). The rounds
that use them are ``optimize.optimize``'s.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from types import MappingProxyType

import numpy as np

from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.case import CaseSpec
from oreflow.flowsheet.optimization import RATIO_FIGURES, Limit, OptimizationSpec
from oreflow.solvers.economics import FIXED_COST_FIGURE, FIXED_COST_SIGN
from oreflow.solvers.scale import scale_limits
from oreflow.solvers.selection import split_groups, split_metrics
from oreflow.solvers.tabulate import ModeTable, tabulate


def written_split(spec: CaseSpec, splitter: str) -> dict[str, float]:
    """A splitter's fractions as written, normalised to sum to one."""
    fractions = spec.unit(splitter).tables["fractions"]
    total = sum(float(fractions[o]["frac"]) for o in spec.unit(splitter).outlets)
    return {o: float(fractions[o]["frac"]) / total for o in spec.unit(splitter).outlets}


def at_split(spec: CaseSpec, fractions: dict[str, dict[str, float]]) -> CaseSpec:
    """The case with each named splitter's fractions written as given (``{splitter: {outlet: frac}}``)."""
    units = []
    for u in spec.units:
        if u.name in fractions:
            old = u.tables["fractions"]
            new = {o: MappingProxyType({**old[o], "frac": f}) for o, f in fractions[u.name].items()}
            tables = MappingProxyType({**u.tables, "fractions": MappingProxyType(new)})
            u = dataclasses.replace(u, tables=tables)
        units.append(u)
    return dataclasses.replace(spec, units=tuple(units))


def at_rate(spec: CaseSpec, rate_tph: float) -> CaseSpec:
    """The case with its one ore source's rate written as ``rate_tph`` [t/h]."""
    ore = spec.ores[0]
    params = MappingProxyType({**ore.params, "rate_tph": float(rate_tph)})
    return dataclasses.replace(spec, ores=(dataclasses.replace(ore, params=params),))


def split_fractions(
    splits: dict[str, dict[str, float]], previous: dict[str, dict[str, float]]
) -> dict[str, dict[str, float]]:
    """The fractions of each train split at a plan; the previous ones where it feeds nothing."""
    out = {}
    for splitter, old in previous.items():
        tonnes = splits.get(splitter, {})
        made = sum(tonnes.values())
        out[splitter] = {o: tonnes[o] / made for o in old} if made > 0 else dict(old)
    return out


def split_move(a: dict[str, dict[str, float]], b: dict[str, dict[str, float]]) -> float:
    """How far the train splits moved: the sum of the fractions' absolute changes."""
    return sum(abs(a[sp][o] - b[sp][o]) for sp in a for o in a[sp])


def envelope_limits(spec: CaseSpec, opt: OptimizationSpec) -> list[Limit]:
    """The units' operating envelopes as limits (``[constraints] envelopes = "enforce"``).

    Every bound on a figure a unit reports (not on one of its parameters, which the grid
    sets) becomes a limit keyed ``envelope.units.UNIT.METRIC.max``; a limit the case
    writes itself on the same figure takes precedence. Positions with options are left
    to the plan's warnings (their figure belongs to whichever option is chosen).
    """
    if opt.envelopes != "enforce":
        return []
    written = {lim.name for lim in opt.limits}
    out = []
    for u in spec.units:
        utype = spec.unit_types[u.type]
        if u.options:
            continue
        params = {p.name for p in utype.params}
        for env in utype.envelope:
            name = f"units.{u.name}.{env.metric}"
            if env.metric in params or name in written or not env.applies(u.params):
                continue
            for sense, bound in (("max", env.hi), ("min", env.lo)):
                if bound is not None:
                    out.append(Limit(name, sense, float(bound), f"envelope.{name}.{sense}"))
    return out


def enforced_envelopes(spec: CaseSpec, opt: OptimizationSpec) -> list[Limit]:
    """The envelope and scale limits an optimization of the case enforces.

    The scale rules (``oreflow.solvers.scale.scale_limits``) always; the envelopes
    (``envelope_limits``) with one source, a blend of several and split decisions
    (parallel trains, residue destinations) alike: an envelope figure is intensive (a
    density, a circulating load), a column's value at the tabulated blend and split, and
    the rounds re-tabulate at the chosen blend and split until the plan verifies (a
    round whose new column's plan does not verify keeps the previous column where that
    is as good: ``previous_if_as_good``).
    """
    return [*envelope_limits(spec, opt), *scale_limits(spec, opt)]


def with_envelopes(
    opt: OptimizationSpec, table: ModeTable, envelope: list[Limit]
) -> OptimizationSpec:
    """Add the envelope limits whose figure some column reports (``fill_envelopes``)."""
    kept = [lim for lim in envelope if not table.figures[lim.name].isna().all()]
    fill_envelopes(table, kept)
    return dataclasses.replace(opt, limits=(*opt.limits, *kept))


def fill_envelopes(table: ModeTable, limits: list[Limit]) -> ModeTable:
    """A column not reporting an envelope's figure (its unit configured without it) meets it."""
    for lim in limits:
        col = table.figures[lim.name]
        if col.isna().any():
            table.figures[lim.name] = col.fillna(lim.value if lim.sense == "min" else 0.0)
    return table


def tabulate_limited(
    spec: CaseSpec, opt: OptimizationSpec, names: tuple[str, ...] = ()
) -> tuple[ModeTable, OptimizationSpec]:
    """Tabulate the case's problem: ``names``, limits, objective, splits and envelopes.

    Unit metrics of ``names``, of the limits and of the objective are tabulated, with
    the split decisions and the enforced envelopes. Several ore sources are tabulated at the rates written in the case. Returns the
    table and the spec with the envelope limits some column reports added.
    """
    envelope = enforced_envelopes(spec, opt)
    table = tabulate_problem(spec, opt, envelope, names)
    return table, with_envelopes(opt, table, envelope)


def tabulate_problem(
    spec: CaseSpec,
    opt: OptimizationSpec,
    envelope: list[Limit],
    names: tuple[str, ...] = (),
    source_tph: np.ndarray | None = None,
    closable: tuple[int, ...] = (),
) -> ModeTable:
    """The table of ``tabulate_limited``, at ``source_tph`` with ``closable`` sources shut too.

    ``envelope``: the enforced envelope limits (``enforced_envelopes``), tabulated where
    a column reports them.
    """
    figures = [*names, *(lim.name for lim in opt.limits), *opt.weights]
    figures += [kpi for kpi, _, _ in opt.lexicographic]
    metrics = {n for n in figures if n.startswith("units.")}
    metrics |= {lim.name for lim in envelope} | set(split_metrics(spec, opt))
    return tabulate(
        spec,
        opt.axes,
        sorted(metrics),
        optional={lim.name for lim in envelope},
        source_tph=source_tph,
        splitters=[g.splitter for g in split_groups(spec, opt)],
        needed=needed_figures([*figures, *metrics]),
        closable=closable,
    )


def needed_figures(names: Iterable[str]) -> set[str]:
    """The KPIs a model of these figures reads.

    Each, a ratio's two extensive terms, and the fixed cost of a figure that holds it
    (per column where it follows the capital).
    """
    out = set(names)
    for name in list(out):
        out |= set(RATIO_FIGURES.get(name, ()))
    if out & set(FIXED_COST_SIGN):  # each column's, and its whole fixed cost for the ranking
        out |= {FIXED_COST_FIGURE, "cost_fixed_usd_h"}
    return {n for n in out if not n.startswith("units.")}


#: Ratios a residue split cannot move: gold is recovered before the residue is split.
_SPLIT_FREE_RATIOS = ("gold_recovery_frac",)


def check_ratio_objective(spec: CaseSpec, opt: OptimizationSpec) -> None:
    """``CaseError`` for an objective on a ratio KPI that the rates or splits move.

    With the plant's rate the only continuous decision a ratio (recovery, CO2 per ounce,
    fresh water per tonne, residue use share) is one value per column, an exact
    objective; with several sources, parallel trains, or (but for recovery) a residue
    split it is a ratio of linear figures, which a linear objective cannot hold: it is
    a limit, or the axis of a Pareto front.
    """
    several = len(spec.ores) > 1 or bool(opt.train_splitters)
    if not several and not opt.residue_splitter:
        return
    names = [*opt.weights, *(kpi for kpi, _, _ in opt.lexicographic)]
    bad = [n for n in names if n in RATIO_FIGURES and (several or n not in _SPLIT_FREE_RATIOS)]
    if bad:
        raise CaseError(
            [
                Problem(
                    spec.path,
                    "objective.kpi",
                    f"{n!r} is a ratio that the ore rates or splits move: not a linear "
                    f"objective; bound it in [constraints.max]/[constraints.min] or draw it "
                    f"with oreflow pareto --x {n}",
                )
                for n in bad
            ]
        )
