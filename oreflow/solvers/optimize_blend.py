"""Optimize a case with several ore sources: modes, route and the blend.

1. ``tabulate`` simulates every combination at a blend (the rates written in the case,
   within their bounds), with the per-source coefficients of every extensive figure;
2. ``blend.solve_blend`` chooses the column and every source's rate (HiGHS);
3. the plan is re-simulated at the chosen rates and compared with the model. Where the
   plant is additive in its sources the model is exact and the first round verifies.
   Where it is not (rate-weighted work index at a shared mill, nonlinear adsorption),
   the model is first-order in the blend: the table is re-tabulated at the incumbent's
   blend and the MILP solved again, until the plan verifies or the blend stops moving
   (at most ``BLEND_ROUNDS``); the rounds are reported in ``meta["blend"]``. A plan that
   still differs beyond ``verify_rtol`` is ``unverified``, never optimal.

A residue splitter named in ``[constraints] residue_splitter`` makes the tonnage sent to
each residue use (paste backfill, building materials) a decision too: every figure is
affine in the split fractions, so the table also holds each combination with all the
residue sent to each outlet in turn, and a tonne moved from storage to a use changes
each figure by ``(f(all to the use) - f(all to storage)) / residue``. Only tonnage of the
one residue stream is split, never its species apart.
A use the column's residue fails (``eligible_flag``) takes nothing. A splitter named in
``train_splitter`` divides a stream between parallel trains the same way: each train's
units have their own modes (one column per combination of both), and the tonnage to
each train is a decision; the figures are exact where each train is linear in its feed.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.case import CaseSpec
from oreflow.flowsheet.optimization import (
    RATIO_FIGURES,
    Limit,
    OptimizationSpec,
    is_extensive,
    per_sink_figures,
    per_sink_limits,
)
from oreflow.kernels.arrays import safe_div
from oreflow.solvers.blend import (
    BlendProblem,
    enumerate_blend,
    explain_blend_infeasible,
    solve_blend,
)
from oreflow.solvers.economics import fixed_part_usd_h
from oreflow.solvers.highs import SolveStatus
from oreflow.solvers.optimize_result import (
    OptimizeResult,
    check_figures,
    route_ranking,
    shadow_price_table,
    simulate_plan,
    unsolved,
    verification_table,
)
from oreflow.solvers.tabulate import ModeTable, tabulate

#: Most tabulate-solve-verify rounds of a blend before the plan is left unverified.
BLEND_ROUNDS = 5
#: A blend that moves less than this (relative to the total rate) has stopped moving.
BLEND_MOVE_RTOL = 1e-9


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


def _per_source(table: ModeTable, name: str) -> np.ndarray:
    """(n, S) coefficients of an extensive figure per tonne of each source."""
    if table.sources:
        return table.derivatives[name]
    return (table.figures[name].to_numpy(dtype=np.float64) / table.ore_tph)[:, None]


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
    if opt.train_splitter:
        outlets = spec.unit(opt.train_splitter).outlets
        out.append(SplitGroup(opt.train_splitter, "train", outlets, outlets[0], {}))
    if opt.residue_splitter:
        ref = next(o for o, _, t in opt.residue_sinks if t == "tailings")
        sinks = {o: (sink, t) for o, sink, t in opt.residue_sinks}
        outlets = spec.unit(opt.residue_splitter).outlets
        out.append(SplitGroup(opt.residue_splitter, "residue", outlets, ref, sinks))
    return out


def split_metrics(spec: CaseSpec, opt: OptimizationSpec) -> list[str]:
    """Unit metrics the split decisions and the per-sink limit rows need tabulated."""
    out = []
    for g in split_groups(spec, opt):
        out.append(g.feed)
        out += [f"units.{sink}.eligible_flag" for sink, t in g.sinks.values() if t != "tailings"]
    for lim in opt.limits:
        for figure, (num, den) in per_sink_figures(spec.units, lim.name).items():
            out += [figure, num, den]
    return out


def model_limits(spec: CaseSpec, limits: tuple[Limit, ...]) -> tuple[Limit, ...]:
    """The case's limits as the model's: a per-discharge KPI's as one limit per sink."""
    return tuple(m for lim in limits for m in per_sink_limits(spec.units, lim))


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
    rho = {g.feed: np.nan_to_num(_per_source(table, g.feed)) for g in groups}
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
            if sink is not None and sink[1] != "tailings":
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
    """The blend MILP's data from a table with per-source coefficients.

    A limit on a per-discharge KPI (WAD cyanide at the tailings) becomes one ratio row
    per sink; the fixed cost is taken out of the per-tonne coefficients of the figures
    that hold it and carried as a constant (``BlendProblem.constants``).
    """
    ratios = dict(RATIO_FIGURES)
    per_sink: dict[str, tuple[str, ...]] = {}
    for lim in opt.limits:
        figures = per_sink_figures(spec.units, lim.name)
        if figures:
            ratios.update(figures)
            per_sink[lim.name] = tuple(figures)
    limits_all = model_limits(spec, opt.limits)
    # a per-discharge KPI's own tabulated value too (an objective on it, as in pareto)
    names = {lim.name for lim in (*limits_all, *opt.limits)} | set(opt.weights)
    names |= {g.feed for g in split_groups(spec, opt)}
    for lim in limits_all:
        if lim.name in ratios:
            names |= set(ratios[lim.name])
    derivatives: dict[str, np.ndarray] = {}
    values: dict[str, np.ndarray] = {}
    constants: dict[str, float] = {}
    for name in check_figures(spec, names, table, limits_all, opt.weights):
        # a limited figure a route does not report is zero there (no cyanide, no oxygen)
        if is_extensive(name):
            derivatives[name] = np.nan_to_num(_per_source(table, name), nan=0.0)
            fixed = fixed_part_usd_h(spec.economics, name)
            if fixed:
                # the tabulated per-tonne coefficients hold fixed / nominal rate (the
                # Euler shift spreads it over the sources): per tonne without it
                derivatives[name] = derivatives[name] - fixed / table.ore_tph
                constants[name] = fixed
        else:
            values[name] = np.nan_to_num(table.figures[name].to_numpy(dtype=np.float64), nan=0.0)
    extra: dict[str, Any] = {}
    if split_groups(spec, opt):
        extra = _destinations(spec, opt, table, derivatives)
    lo, hi = source_bounds(spec, opt)
    x_min, x_max = total_bounds(spec, opt)
    limits = tuple(
        lim
        for lim in limits_all
        if not np.all(np.isnan(table.figures[lim.name].to_numpy(dtype=np.float64)))
    )
    return BlendProblem(
        table.sources or tuple(o.name for o in spec.ores),
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
        **extra,
    )


def model_figure(problem: BlendProblem, name: str, column: int, v: np.ndarray) -> float:
    """A figure as the model predicts it for a column at (rates, residue tonnages) ``v``."""

    def linear(k: str) -> float:
        a = np.concatenate([problem.derivatives[k][column], problem.dest(k)[column]])
        return float(a @ v) + problem.constants.get(k, 0.0)

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
    if problem.n_destinations:
        made = float(np.abs(problem.group_feed_values(column, v)).max())
        size += float(np.abs(problem.dest(name)[column]).sum()) * made
    return size


def _verification(problem: BlendProblem, column: int, v: np.ndarray) -> tuple[dict, dict]:
    """The model's value of every figure it uses at a plan, and the size of its terms."""
    names = [*problem.derivatives, *problem.values]
    names += [lim.name for lim in problem.limits if lim.name not in names]
    names += [k for k in problem.per_sink if k not in names]
    model = {name: model_figure(problem, name, column, v) for name in names}
    terms = {name: _term_size(problem, name, column, v) for name in names}
    return model, terms


def _rate_bounds(problem: BlendProblem) -> dict[str, float]:
    """The rate bounds a shadow price may be keyed by: each source's and the plant's."""
    out = {"ore_tph_max": problem.x_max, "ore_tph_min": problem.x_min}
    for s, src in enumerate(problem.sources):
        name = src.removeprefix("ore.")
        out[f"constraints.ore.{name}.rate_tph_max"] = float(problem.source_max[s])
        out[f"constraints.ore.{name}.rate_tph_min"] = float(problem.source_min[s])
    return out


def optimize_blend(spec: CaseSpec, opt: OptimizationSpec) -> OptimizeResult:
    """``optimize`` for a case with several ore sources or split decisions (module docstring)."""
    if opt.lexicographic:
        problem = Problem(
            spec.path,
            "objective.lexicographic",
            "lexicographic objectives are not yet supported with several ore sources "
            "or split decisions (residue_splitter, train_splitter)",
        )
        raise CaseError([problem])
    t0 = time.perf_counter()
    metrics = sorted(
        {n for n in [*(lim.name for lim in opt.limits), *opt.weights] if n.startswith("units.")}
        | set(split_metrics(spec, opt))
    )
    lo, hi = source_bounds(spec, opt)
    written = np.array([float(o.params["rate_tph"]) for o in spec.ores])
    blend = np.clip(written, lo, hi)
    history: list[dict[str, Any]] = []
    seconds = {"tabulate_s": 0.0, "model_and_solve_s": 0.0, "verify_s": 0.0}
    result = None
    for _ in range(BLEND_ROUNDS):
        t1 = time.perf_counter()
        table = tabulate(
            spec,
            opt.axes,
            metrics,
            source_tph=blend if len(spec.ores) > 1 else None,
            splitters=[g.splitter for g in split_groups(spec, opt)],
        )
        t2 = time.perf_counter()
        problem = blend_problem(spec, opt, table)
        result = solve_blend(problem)
        t3 = time.perf_counter()
        seconds["tabulate_s"] += t2 - t1
        seconds["model_and_solve_s"] += t3 - t2
        if result.status is not SolveStatus.OPTIMAL:
            break
        rates = np.asarray(result.source_tph)
        v = np.concatenate([rates, np.asarray(result.destination_tph, dtype=np.float64)])
        splits = split_tonnages(spec, opt, problem, result.column, v)
        modes, plan, sim = simulate_plan(spec, opt, table, result.column, rates, splits)
        verification = verification_table(plan, sim, *_verification(problem, result.column, v))
        max_diff = float(verification["rel_diff"].max()) if len(verification) else 0.0
        seconds["verify_s"] += time.perf_counter() - t3
        history.append(
            {
                "tabulated_tph": [float(r) for r in blend],
                "chosen_tph": [float(r) for r in rates],
                "objective": result.objective,
                "max_rel_diff": max_diff,
            }
        )
        moved = float(np.abs(rates - blend).sum()) / max(float(blend.sum()), 1e-12)
        single = len(spec.ores) == 1  # one source: no blend to re-tabulate at
        if single or max_diff <= opt.verify_rtol or moved <= BLEND_MOVE_RTOL or rates.sum() <= 0:
            break
        blend = rates
    if result is None:  # BLEND_ROUNDS < 1
        msg = "no tabulate-solve round was run"
        raise RuntimeError(msg)
    seconds["total_s"] = time.perf_counter() - t0
    check = enumerate_blend(problem)
    n_src = problem.n_sources
    meta: dict[str, Any] = {
        "n_combinations": len(table.modes),
        "solver": result.solver,
        "seconds": seconds,
        "enumeration": {
            "column": check[0],
            "ore_tph": float(np.nansum(check[1][:n_src])),
            "source_tph": dict(zip(problem.sources, map(float, check[1][:n_src]), strict=True)),
            "destination_tph": dict(
                zip(problem.destinations, map(float, check[1][n_src:]), strict=True)
            ),
            "objective": check[2],
        },
        "blend": {"rounds": len(history), "history": history, "sources": list(problem.sources)},
    }
    ranking = _route_ranking(problem, table)
    if result.status is not SolveStatus.OPTIMAL:
        infeasible = result.status is SolveStatus.INFEASIBLE
        moves = explain_blend_infeasible(problem) if infeasible else []
        return unsolved(result.status, moves, table, meta, ranking)
    route = table.route_of(result.column)
    decisions = {
        "route": {k: (v or "as written") for k, v in route.items()},
        "modes": modes,
        "ore_tph": result.ore_tph,
        "blend_tph": dict(zip(problem.sources, map(float, result.source_tph), strict=True)),
        "objective": result.objective,
        "objective_bound": result.bound,
        "column": result.column,
    }
    for g in split_groups(spec, opt):
        key = "residue_tph" if g.kind == "residue" else "train_tph"
        decisions[key] = {g.label(o): t for o, t in splits[g.splitter].items()}
    meta["max_rel_diff"] = max_diff
    status = "optimal" if max_diff <= opt.verify_rtol else "unverified"
    prices = shadow_price_table(result.duals, opt.weights, problem.limits, _rate_bounds(problem))
    return OptimizeResult(status, decisions, verification, prices, [], plan, table, meta, ranking)


def _route_ranking(problem: BlendProblem, table: ModeTable) -> pd.DataFrame:
    """Best plan of every route by enumeration (``optimize_result.route_ranking``)."""

    def best(idx: np.ndarray) -> dict[str, Any]:
        sub = dataclasses.replace(
            problem,
            derivatives={k: v[idx] for k, v in problem.derivatives.items()},
            values={k: v[idx] for k, v in problem.values.items()},
            destination_coefficients={
                k: v[idx] for k, v in problem.destination_coefficients.items()
            },
            residue_per_t=None if problem.residue_per_t is None else problem.residue_per_t[idx],
            destination_ok=None if problem.destination_ok is None else problem.destination_ok[idx],
            group_feed=None if problem.group_feed is None else problem.group_feed[idx],
        )
        column, values, objective = enumerate_blend(sub)
        rates = values[: problem.n_sources]
        row: dict[str, Any] = {"feasible": column >= 0, "objective": objective}
        row["ore_tph"] = float(np.nansum(rates)) if column >= 0 else float("nan")
        for src, r in zip(problem.sources, rates, strict=True):
            row[f"{src}_tph"] = float(r)
        return row

    return route_ranking(table, problem.sense, best)
