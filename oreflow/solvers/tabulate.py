"""Mode grids -> one row per mode combination: every KPI and the unit metrics used.

Every combination of the grid is simulated by the batched kernels at the case's
nominal ore rate, each block once per distinct setting of it and of the blocks upstream
(``oreflow.solvers.prefix``); because units are linear at fixed intensive settings, a
combination's extensive figures divided by that rate are its per-tonne coefficients
(``oreflow.flowsheet.optimization.is_extensive``), valid at any throughput. The
optimizer re-simulates its plan to check that this held.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.case import CaseSpec
from oreflow.flowsheet.compile import CompiledPlant, compile_case
from oreflow.flowsheet.optimization import ModeAxis
from oreflow.solvers.prefix import simulate_shared_chunks
from oreflow.solvers.results import kpi_arrays
from oreflow.solvers.simulate import simulate_chunks


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
    """

    axes: tuple[ModeAxis, ...]
    modes: pd.DataFrame
    figures: pd.DataFrame
    ore_tph: float
    routes: pd.DataFrame


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


def _metric(chunk: object, name: str) -> np.ndarray:
    unit, _, metric = name[len("units.") :].partition(".")
    report = chunk.units.get(unit)  # type: ignore[attr-defined]
    if report is None or metric not in report.metrics:
        raise KeyError(name)
    return np.asarray(report.metrics[metric], dtype=np.float64)


def _tabulate_route(
    spec: CaseSpec, axes: Sequence[ModeAxis], metrics: Sequence[str], share_prefixes: bool
) -> tuple[pd.DataFrame, pd.DataFrame]:
    plant = plant_with_modes(spec, axes)
    combos = list(itertools.product(*(a.values for a in axes))) or [()]
    modes = pd.DataFrame(combos, columns=[a.label for a in axes], dtype=np.float64)
    overrides = {a.key: modes[a.label].to_numpy() for a in axes}
    parts = []
    run = simulate_shared_chunks if share_prefixes else simulate_chunks
    for _, _, chunk in run(plant, n_cases=len(combos), overrides=overrides):
        cols = kpi_arrays(chunk)
        for name in metrics:
            try:
                cols[name] = _metric(chunk, name)
            except KeyError:  # not on this route (its unit is bypassed or another option)
                cols[name] = np.full(chunk.n_cases, np.nan)
        parts.append(cols)
    figures = pd.DataFrame({k: np.concatenate([p[k] for p in parts]) for k in parts[0]})
    return modes, figures


def tabulate(
    spec: CaseSpec,
    axes: Sequence[ModeAxis],
    metrics: Sequence[str] = (),
    *,
    share_prefixes: bool = True,
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
    share_prefixes : bool
        Simulate each block once per distinct upstream setting
        (``oreflow.solvers.prefix``); False simulates every combination whole (the
        benchmarks' exhaustive-enumeration baseline).
    """
    all_modes, all_figures, all_routes = [], [], []
    for route in routes(spec):
        active = route_axes(axes, route)
        modes, figures = _tabulate_route(route_spec(spec, route), active, metrics, share_prefixes)
        all_modes.append(modes)
        all_figures.append(figures)
        all_routes.append(pd.DataFrame([route] * len(modes), dtype=object))
    modes = pd.concat(all_modes, ignore_index=True).reindex(columns=[a.label for a in axes])
    figures = pd.concat(all_figures, ignore_index=True)
    missing = [name for name in metrics if figures[name].isna().all()]
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
    ore_tph = float(sum(o.params["rate_tph"] for o in spec.ores))
    return ModeTable(tuple(axes), modes, figures, ore_tph, route_table)
