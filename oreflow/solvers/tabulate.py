"""Mode grids -> one row per mode combination: every KPI and the unit metrics used.

Every combination of the grid is simulated by the batched kernels at the case's
nominal ore rate; because units are linear at fixed intensive settings, a
combination's extensive figures divided by that rate are its per-tonne coefficients
(``oreflow.flowsheet.optimization.is_extensive``), valid at any throughput. The
optimizer re-simulates its plan to check that this held.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.case import CaseSpec
from oreflow.flowsheet.compile import CompiledPlant, compile_case
from oreflow.flowsheet.optimization import ModeAxis
from oreflow.solvers.results import kpi_arrays
from oreflow.solvers.simulate import simulate_chunks


@dataclass(frozen=True)
class ModeTable:
    """Tabulated mode combinations.

    Attributes
    ----------
    axes : tuple of ModeAxis
        The grid axes, in column order of ``modes``.
    modes : pandas.DataFrame
        One row per combination: the setting of every axis (columns: override keys).
    figures : pandas.DataFrame
        Same rows: every KPI and requested unit metric at the nominal ore rate.
    ore_tph : float
        Nominal ore rate the figures were simulated at [t/h].
    """

    axes: tuple[ModeAxis, ...]
    modes: pd.DataFrame
    figures: pd.DataFrame
    ore_tph: float


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


def tabulate(spec: CaseSpec, axes: Sequence[ModeAxis], metrics: Sequence[str] = ()) -> ModeTable:
    """Simulate every combination of the grid; KPIs plus the unit metrics named.

    Parameters
    ----------
    spec : CaseSpec
        The case.
    axes : sequence of ModeAxis
        Grid axes (an empty grid tabulates the case as written).
    metrics : sequence of str
        Unit metrics to tabulate besides the KPIs, named ``units.UNIT.METRIC``.
    """
    import itertools

    plant = plant_with_modes(spec, axes)
    combos = list(itertools.product(*(a.values for a in axes))) or [()]
    modes = pd.DataFrame(combos, columns=[a.key for a in axes])
    overrides = {a.key: modes[a.key].to_numpy() for a in axes}
    parts = []
    for _, _, chunk in simulate_chunks(plant, n_cases=len(combos), overrides=overrides):
        cols = kpi_arrays(chunk)
        for name in metrics:
            try:
                cols[name] = _metric(chunk, name)
            except KeyError:
                problem = Problem(
                    spec.path,
                    "constraints",
                    f"{name!r} is neither a KPI nor a unit metric of this case",
                )
                raise CaseError([problem]) from None
        parts.append(cols)
    figures = pd.DataFrame({k: np.concatenate([p[k] for p in parts]) for k in parts[0]})
    ore_tph = float(sum(o.params["rate_tph"] for o in spec.ores))
    return ModeTable(tuple(axes), modes, figures, ore_tph)
