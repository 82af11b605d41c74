"""Mode grids -> one row per mode combination: every KPI and the unit metrics used.

Every combination of the grid is simulated by the batched kernels at the case's
nominal ore rate, each block once per distinct setting of it and of the blocks upstream
(``oreflow.solvers.prefix``); because units are linear at fixed intensive settings, a
combination's extensive figures divided by that rate are its per-tonne coefficients
(``oreflow.flowsheet.optimization.is_extensive``), valid at any throughput. The
optimizer re-simulates its plan to check that this held. The optimizer names the KPIs
its model reads (``needed``): only those are computed per combination
(``lean_figures``), and the closure audit is taken per block where it is simulated
(``block_audit``).

With several ore sources the blend is a decision too. Every unit is degree-one
homogeneous in the source rates r at fixed intensive settings, so by Euler's theorem
``f(r) = sum_s r_s df/dr_s``: each extensive figure gets one coefficient per source,
``df/dr_s``, by central finite difference on ``ore.NAME.rate_tph`` (2S + 1 simulations
of each combination, in the same batch). The coefficients are then shifted by a common
amount so that ``sum_s r_s c_s = f(r)`` holds exactly at the tabulated blend: the model
is exact along that blend at any throughput, exact for any blend where the units are
additive in their feed, and first-order in the blend elsewhere (a rate-weighted work
index, a nonlinear isotherm), which the optimizer's verification and re-tabulation at
the incumbent's blend take care of.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.case import CaseSpec
from oreflow.flowsheet.compile import CompiledPlant, compile_case
from oreflow.flowsheet.optimization import ModeAxis, is_extensive
from oreflow.solvers.batch import balanced_groups, fork_map, idle_cores
from oreflow.solvers.block_audit import block_closure_max_rel
from oreflow.solvers.lean_figures import kpi_plan, lean_kpis
from oreflow.solvers.prefix import simulate_shared_chunks
from oreflow.solvers.results import kpi_arrays
from oreflow.solvers.simulate import simulate_chunks
from oreflow.solvers.unit_figures import UnitFigures


def routes(spec: CaseSpec) -> list[dict[str, str]]:
    """Every combination of choices at the positions that have options ("" = as written)."""
    positions = [u for u in spec.units if u.options]
    choices = [["", *u.options] for u in positions]
    return [
        dict(zip([u.name for u in positions], combo, strict=True))
        for combo in itertools.product(*choices)
    ]


def route_spec(spec: CaseSpec, route: Mapping[str, str]) -> CaseSpec:
    """The case with each position's chosen option in place of the unit as written."""
    units = tuple(u.options[route[u.name]] if route.get(u.name) else u for u in spec.units)
    return dataclasses.replace(spec, units=units)


def route_axes(axes: Sequence[ModeAxis], route: Mapping[str, str]) -> tuple[ModeAxis, ...]:
    """The axes that apply on a route: the chosen option's, or the unit's as written."""
    return tuple(a for a in axes if a.option == route.get(a.unit, ""))


@dataclass(frozen=True)
class ModeTable:
    """Tabulated mode combinations.

    Attributes
    ----------
    axes : tuple of ModeAxis
        The grid axes, in column order of ``modes``.
    modes : pandas.DataFrame
        One row per combination: the setting of every axis (columns: axis labels; NaN
        where the row's route does not use the axis).
    routes : pandas.DataFrame
        Same rows: the option chosen at every position ("" = the unit as written).
    figures : pandas.DataFrame
        Same rows: every KPI and requested unit metric at the nominal ore rate.
    ore_tph : float
        Nominal ore rate the figures were simulated at [t/h].
    sources : tuple of str
        With several ore sources: their names (``ore.NAME``), in column order of
        ``derivatives``; empty for a single source.
    source_tph : tuple of float
        The blend the figures were simulated at: each source's rate [t/h].
    derivatives : Mapping[str, numpy.ndarray]
        Per extensive figure, (n_rows, n_sources) coefficients per tonne of each
        source (``df/dr_s``, Euler-consistent at ``source_tph``); for the figures of
        ``SHIFTED_FIGURES`` also, under ``name + EULER_SHIFT``, the shift that made them
        so (``euler_shift``, repeated per source).
    split_outlets : tuple of str
        With splitters as decisions: their outlet streams (``SPLITTER.OUTLET``), in
        column order of ``split_figures``.
    split_figures : Mapping[str, numpy.ndarray]
        Per figure, (n_rows, n_outlets): the figure with all a splitter's feed sent to
        each of its outlets in turn, the other splitters as written (at the nominal
        blend). Every figure is affine in the
        split fractions, so ``f(phi) = sum_d phi_d f(e_d)``.
    """

    axes: tuple[ModeAxis, ...]
    modes: pd.DataFrame
    figures: pd.DataFrame
    ore_tph: float
    routes: pd.DataFrame
    sources: tuple[str, ...] = ()
    source_tph: tuple[float, ...] = ()
    derivatives: Mapping[str, np.ndarray] = dataclasses.field(default_factory=dict)
    split_outlets: tuple[str, ...] = ()
    split_figures: Mapping[str, np.ndarray] = dataclasses.field(default_factory=dict)

    def route_of(self, row: int) -> dict[str, str]:
        """The option chosen at every position on a row ("" = the unit as written)."""
        if not len(self.routes.columns):
            return {}
        return {k: str(v) for k, v in self.routes.iloc[row].items()}

    def modes_of(self, row: int) -> dict[str, float]:
        """The setting of every axis a row's route uses."""
        return {k: float(v) for k, v in self.modes.iloc[row].items() if np.isfinite(v)}


def plant_with_modes(spec: CaseSpec, axes: Sequence[ModeAxis]) -> CompiledPlant:
    """Compile a case so every mode axis is a per-case parameter.

    An axis on a parameter the case leaves unset (a mill's ``specific_energy_kwh_t``)
    gets the axis's first value as its nominal, so that it can be overridden.
    """
    units = []
    for u in spec.units:
        missing = {
            a.param: a.values[0] for a in axes if a.unit == u.name and u.params.get(a.param) is None
        }
        if missing:
            u = dataclasses.replace(u, params=MappingProxyType({**u.params, **missing}))
        units.append(u)
    return compile_case(dataclasses.replace(spec, units=tuple(units)))


def _metric(figures: UnitFigures, name: str) -> np.ndarray:
    return figures.get(name)


#: Finite-difference step on a source rate, relative to that rate: small enough for the
#: curvature of a nonlinear blend (rate-weighted Wi) to be second order, large enough for
#: the recycle tolerance (1e-8 relative) to stay below 1e-6 of the coefficient.
BLEND_STEP_FRAC = 0.01


def blend_points(rates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 2S + 1 source-rate vectors of a central difference, and each source's step.

    Returns
    -------
    points : (2S + 1, S) float64
        The blend, then for each source the blend with that source up and down [t/h].
    span : (S,) float64
        Up step plus down step of each source [t/h] (the down step stops at zero).
    """
    n_src = len(rates)
    up = BLEND_STEP_FRAC * np.maximum(rates, 1e-3 * rates.sum())
    down = np.minimum(up, rates)
    points = np.repeat(rates[None, :], 2 * n_src + 1, axis=0)
    for s in range(n_src):
        points[1 + 2 * s, s] += up[s]
        points[2 + 2 * s, s] -= down[s]
    return points, up + down


def source_derivatives(values: np.ndarray, rates: np.ndarray, span: np.ndarray) -> np.ndarray:
    """Euler-consistent per-source coefficients from the 2S + 1 simulations of each row.

    Parameters
    ----------
    values : (n, 2S + 1) float64
        An extensive figure at ``blend_points(rates)`` for each row.
    rates, span : (S,) float64
        The blend [t/h] and the difference span of each source [t/h].

    Returns
    -------
    (n, S) float64
        ``c_s`` with ``sum_s rates_s c_s = values[:, 0]`` exactly.
    """
    n_src = len(rates)
    deriv = np.stack(
        [(values[:, 1 + 2 * s] - values[:, 2 + 2 * s]) / span[s] for s in range(n_src)], axis=1
    )
    residual = values[:, 0] - deriv @ rates
    return deriv + (residual / rates.sum())[:, None]


#: Figures whose Euler shift a blend table keeps (``derivatives[name + EULER_SHIFT]``):
#: the whole fixed cost, whose tangent at zero rates the optimizers carry as a constant.
SHIFTED_FIGURES = ("cost_fixed_usd_h",)
#: Suffix of the key under which ``ModeTable.derivatives`` holds a figure's Euler shift.
EULER_SHIFT = ":euler_shift"
#: Suffix of the key under which ``ModeTable.derivatives`` holds, per source that may
#: close (``tabulate(closable=...)``), an extensive figure at the blend with that source
#: at zero rate (NaN for the other sources): the plant without the satellite.
CLOSED = ":closed"
#: Closure figures of a row: the worst over every simulation the row is made of (the
#: blend, its differences, the splitters' outlets, the closed sources), so that a row
#: whose coefficients come from a simulation that does not close is refused.
CLOSURE_FIGURES = ("closure_max_rel", "closure_cell_max_rel")


def euler_shift(values: np.ndarray, rates: np.ndarray, span: np.ndarray) -> np.ndarray:
    """(n,) the common amount ``source_derivatives`` adds to each raw derivative.

    ``(f(r) - grad f . r) / sum(r)``: the figure's tangent at zero rates, spread per
    tonne; zero for a figure homogeneous of degree one in the rates, the fixed cost's
    tangent at zero for the fixed cost.
    """
    n_src = len(rates)
    deriv = np.stack(
        [(values[:, 1 + 2 * s] - values[:, 2 + 2 * s]) / span[s] for s in range(n_src)], axis=1
    )
    return (values[:, 0] - deriv @ rates) / rates.sum()


def _tabulate_route(
    spec: CaseSpec,
    axes: Sequence[ModeAxis],
    metrics: Sequence[str],
    rates: np.ndarray | None = None,
    splitters: Sequence[str] = (),
    share_prefixes: bool = True,
    needed: Collection[str] | None = None,
    closable: Sequence[int] = (),
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, np.ndarray], dict[str, np.ndarray]]:
    plant = plant_with_modes(spec, axes)
    combos = list(itertools.product(*(a.values for a in axes))) or [()]
    modes = pd.DataFrame(combos, columns=[a.label for a in axes], dtype=np.float64)
    n_blend = n_diff = 1 if rates is None else 2 * len(rates) + 1
    closable = tuple(closable) if rates is not None else ()
    outlets = [(sp, out) for sp in splitters for out in spec.unit(sp).outlets]
    # then, at the nominal blend, all to each outlet in turn; then the blend with each
    # closable source at zero (the plant without it), in the same batch
    n_pts = n_blend + len(outlets) + len(closable)
    overrides: dict[str, np.ndarray] = {
        a.key: np.repeat(modes[a.label].to_numpy(), n_pts) for a in axes
    }
    if rates is not None:
        points, span = blend_points(rates)
        shut = np.repeat(rates[None, :], len(closable), axis=0)
        shut[np.arange(len(closable)), list(closable)] = 0.0
        points = np.concatenate([points, np.repeat(points[:1], len(outlets), axis=0), shut])
        for s, ore in enumerate(spec.ores):
            overrides[f"{ore.name}.rate_tph"] = np.tile(points[:, s], len(combos))
    for k, (sp, out) in enumerate(outlets):
        column = np.full(n_pts, float(spec.unit(sp).tables["fractions"][out]["frac"]))
        mine = [n_blend + i for i, (other, _) in enumerate(outlets) if other == sp]
        column[mine] = 0.0
        column[n_blend + k] = 1.0
        overrides[f"units.{sp}.fractions.{out}.frac"] = np.tile(column, len(combos))

    def run(overrides: dict[str, np.ndarray], n_cases: int) -> dict[str, np.ndarray]:
        if not share_prefixes:
            chunks = simulate_chunks(plant, n_cases=n_cases, overrides=overrides)
        else:  # with named figures, each block audited once per distinct setting of it
            lean = needed is not None
            chunks = simulate_shared_chunks(
                plant,
                n_cases=n_cases,
                overrides=overrides,
                audit=lean,
                circuit_figures=metrics if lean else (),
                unit_costs=lean,
            )
        parts = []
        plan = None
        for _, _, chunk in chunks:
            if needed is None:
                cols = kpi_arrays(chunk)
            else:
                plan = kpi_plan(chunk, needed) if plan is None else plan
                cols = lean_kpis(chunk, plan)
                closure = chunk.block_closure
                if closure is None:
                    closure = block_closure_max_rel(chunk, [b.nodes for b in plant.topology.blocks])
                cols["closure_max_rel"] = closure
            unit_figures = UnitFigures(chunk)
            for name in metrics:
                try:
                    cols[name] = _metric(unit_figures, name)
                except KeyError:  # not on this route (its unit is bypassed or another option)
                    cols[name] = np.full(chunk.n_cases, np.nan)
            parts.append(cols)
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}

    every = {
        k: v.reshape(len(combos), n_pts) for k, v in run(overrides, len(combos) * n_pts).items()
    }
    figures = pd.DataFrame({k: v[:, 0] for k, v in every.items()})
    for k in CLOSURE_FIGURES:  # a row closes when every simulation it is made of closes
        if k in every:
            figures[k] = every[k].max(axis=1)  # NaN where any is NaN: not closed
    derivatives = {}
    if rates is not None:
        derivatives = {
            k: source_derivatives(v[:, :n_diff], rates, span)
            for k, v in every.items()
            if is_extensive(k)
        }
        for k in SHIFTED_FIGURES:  # the tangent's value at zero rates, kept
            if k in every:
                shift = euler_shift(every[k][:, :n_diff], rates, span)
                derivatives[k + EULER_SHIFT] = np.repeat(shift[:, None], len(rates), axis=1)
        if closable:  # the plant without each closable source
            at = n_blend + len(outlets)
            for k in list(derivatives):
                shut_values = np.full((len(combos), len(rates)), np.nan)
                if k in every:  # not an Euler shift: those stay NaN
                    shut_values[:, list(closable)] = every[k][:, at : at + len(closable)]
                derivatives[k + CLOSED] = shut_values
    ends = slice(n_blend, n_blend + len(outlets))  # all to each splitter outlet in turn
    split = {k: v[:, ends] for k, v in every.items()} if outlets else {}
    return modes, figures, derivatives, split


def _route_rows(route: Mapping[str, str], n: int) -> pd.DataFrame:
    """``n`` rows of a route's choices (object columns), as ``pd.DataFrame([route] * n)``."""
    if not route:
        return pd.DataFrame([route] * n, dtype=object)
    return pd.DataFrame(
        {k: np.full(n, v, dtype=object) for k, v in route.items()},
        index=pd.RangeIndex(n),
        dtype=object,
    )


#: Fewest simulated cases per worker worth a fork of the tabulation: forking and the
#: pickled table back cost about 0.1 s, which a worker gains back on about 5,000 cases
#: of the superstructure (about 60 µs each) [measured, see benchmarks/README.md].
MIN_TABULATE_CASES_PER_WORKER = 20_000


def tabulate_workers(n_cases: int) -> int:
    """Processes for a tabulation of ``n_cases`` simulated cases.

    Every idle core (``batch.idle_cores``), each with at least
    ``MIN_TABULATE_CASES_PER_WORKER`` cases.
    """
    return max(1, min(idle_cores(), n_cases // MIN_TABULATE_CASES_PER_WORKER))


def tabulate(
    spec: CaseSpec,
    axes: Sequence[ModeAxis],
    metrics: Sequence[str] = (),
    source_tph: Sequence[float] | None = None,
    splitters: Sequence[str] = (),
    *,
    share_prefixes: bool = True,
    optional: Collection[str] = (),
    needed: Collection[str] | None = None,
    workers: int | None = None,
    closable: Sequence[int] = (),
) -> ModeTable:
    """Simulate every route and every combination of its grid; KPIs plus the unit metrics named.

    Parameters
    ----------
    spec : CaseSpec
        The case (positions with ``options`` give one route per combination of choices).
    axes : sequence of ModeAxis
        Grid axes (an empty grid tabulates each route as written).
    metrics : sequence of str
        Unit metrics to tabulate besides the KPIs, named ``units.UNIT.METRIC``.
    source_tph : sequence of float, optional
        With several ore sources: the blend to tabulate at, each source's rate [t/h]
        (default: the rates written in the case); per-source coefficients are then
        tabulated too (``ModeTable.derivatives``).
    splitters : sequence of str, optional
        Splitters whose fractions are decisions: every combination is also simulated
        with all of a splitter's feed to each outlet in turn (``ModeTable.split_figures``).
    share_prefixes : bool
        Simulate each block once per distinct upstream setting
        (``oreflow.solvers.prefix``); False simulates every combination whole (the
        benchmarks' exhaustive-enumeration baseline).
    optional : collection of str
        Metrics that may be reported by no route (an envelope's figure of a unit
        configured without it): all NaN instead of an error.
    needed : collection of str, optional
        The KPIs the caller needs (``lean_figures``): only those, the unit metrics and
        ``closure_max_rel`` are tabulated, the latter from each block's closure audit
        where the block is simulated, once per distinct setting of it and upstream
        (``block_audit``). Default: every KPI, ``closure_max_rel`` and
        ``closure_cell_max_rel`` of the plant's audit per combination. Either way a
        row's closure figures are the worst of every simulation the row is made of
        (``CLOSURE_FIGURES``).
    workers : int, optional
        Processes to tabulate the routes in (``batch.fork_map``; each route whole in one
        of them, so the table is the same to the last bit); default
        ``tabulate_workers``. 1 tabulates here.
    closable : sequence of int, optional
        With several ore sources: the sources (indices) that may close. Each
        combination is also simulated, in the same batch, at the blend with each of
        them at zero rate, its extensive figures kept under ``name + CLOSED`` in
        ``ModeTable.derivatives``.
    """
    rates = None
    if len(spec.ores) > 1:
        given = [o.params["rate_tph"] for o in spec.ores] if source_tph is None else source_tph
        rates = np.asarray(given, dtype=np.float64)
    every_route = routes(spec)
    closable = tuple(closable) if rates is not None else ()
    n_pts = (1 if rates is None else 2 * len(rates) + 1 + len(closable)) + sum(
        len(spec.unit(sp).outlets) for sp in splitters
    )
    sizes = [n_pts * math.prod(len(a.values) for a in route_axes(axes, r)) for r in every_route]
    n_work = tabulate_workers(sum(sizes)) if workers is None else max(1, int(workers))
    groups = balanced_groups(sizes, min(n_work, len(every_route)))

    def run(group: list[int]) -> list[tuple]:
        return [
            _tabulate_route(
                route_spec(spec, every_route[i]),
                route_axes(axes, every_route[i]),
                metrics,
                rates,
                splitters,
                share_prefixes,
                needed,
                closable,
            )
            for i in group
        ]

    done: dict[int, tuple] = {}
    for group, results in zip(groups, fork_map(run, groups), strict=True):
        done.update(zip(group, results, strict=True))
    all_modes, all_figures, all_routes, all_derivs, all_split = [], [], [], [], []
    for i, route in enumerate(every_route):
        modes, figures, derivs, split = done[i]
        all_modes.append(modes)
        all_figures.append(figures)
        all_derivs.append(derivs)
        all_split.append(split)
        all_routes.append(_route_rows(route, len(modes)))
    modes = pd.concat(all_modes, ignore_index=True).reindex(columns=[a.label for a in axes])
    figures = pd.concat(all_figures, ignore_index=True)
    missing = [n for n in metrics if n not in optional and figures[n].isna().all()]
    if missing:
        problems = [
            Problem(
                spec.path,
                "constraints",
                f"{name!r} is neither a KPI nor a unit metric of this case",
            )
            for name in missing
        ]
        raise CaseError(problems)
    route_table = (
        pd.concat(all_routes, ignore_index=True)
        if len(all_routes[0].columns)
        else pd.DataFrame(index=modes.index)
    )
    split_outlets = [f"{sp}.{out}" for sp in splitters for out in spec.unit(sp).outlets]
    split_figures = {
        k: np.concatenate(
            [
                d.get(k, np.full((len(m), len(split_outlets)), np.nan))
                for d, m in zip(all_split, all_modes, strict=True)
            ]
        )
        for k in sorted({k for d in all_split for k in d})
    }
    if rates is None:
        ore_tph = float(sum(o.params["rate_tph"] for o in spec.ores))
        return ModeTable(
            tuple(axes),
            modes,
            figures,
            ore_tph,
            route_table,
            split_outlets=tuple(split_outlets),
            split_figures=split_figures,
        )
    n_src = len(rates)
    names = sorted({k for d in all_derivs for k in d})
    derivatives = {
        k: np.concatenate(
            [
                d.get(k, np.full((len(m), n_src), np.nan))
                for d, m in zip(all_derivs, all_modes, strict=True)
            ]
        )
        for k in names
    }
    return ModeTable(
        tuple(axes),
        modes,
        figures,
        float(rates.sum()),
        route_table,
        tuple(o.name for o in spec.ores),
        tuple(float(r) for r in rates),
        derivatives,
        tuple(split_outlets),
        split_figures,
    )
