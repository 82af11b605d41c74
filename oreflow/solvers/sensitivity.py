"""Which model parameters drive the difference between two routes: a one-at-a-time tornado.

A study's Monte Carlo tornado ranks its *variables* (ore, prices). This ranks the
*parameters of the models* instead: at the nominal case of every route, each numeric
unit parameter is moved down and up by a relative step (within its declared bounds),
one at a time (temperatures by 5 °C and pH by 0.5 instead, interval scales), and the
comparison KPI of each route minus the baseline's is recomputed.
Every perturbation of a route is one case of a single batched simulation (``1 + 2 P``
cases for ``P`` parameters), so the whole tornado costs one batched run per route.

Parameters that are not model constants are left alone: integers (tank counts),
reference conditions of testwork (``kinetics_ref_*``), zeros (a multiplicative step
cannot move them) and the ore sources (their variability is the study's business).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

#: Relative step of the one-at-a-time perturbation (down to 1 - s, up to 1 + s) [-].
REL_STEP = 0.2
#: Absolute steps of quantities on interval scales, where a relative step means
#: nothing: temperatures [K = °C] and pH.
ABS_STEP_DEGC = 5.0
ABS_STEP_PH = 0.5
#: Parameters shown (largest swing first).
TOP_N = 10
#: Parameter-name prefixes that are not model constants.
SKIP_PREFIXES = ("kinetics_ref_",)


@dataclass(frozen=True)
class Perturbation:
    """One perturbable parameter of a route: override key, nominal, low and high values."""

    key: str
    nominal: float
    low: float
    high: float
    source: str


def _param_schema(unit: Any, name: str) -> Any:
    """The ``Param`` declaring ``name`` (``leach.au_free.k_per_h`` for table entries)."""
    from oreflow.units import UNIT_TYPES

    utype = UNIT_TYPES.get(unit.type)
    if utype is None:
        return None
    if "." in name:
        table, _, rest = name.partition(".")
        schema = utype.tables.get(table)
        field = rest.rpartition(".")[2]
        params = schema.params if schema is not None else ()
    else:
        field, params = name, utype.params
    return next((p for p in params if p.name == field), None)


def perturbations(plant: Any, rel_step: float = REL_STEP) -> list[Perturbation]:
    """Perturbable unit parameters of a compiled plant, with low and high values in bounds."""
    units = {u.name: u for u in plant.spec.units}
    out = []
    for node, params in plant.defaults.items():
        if node.startswith("ore.") or node not in units:
            continue
        for name, value in params.items():
            field = name.rpartition(".")[2]
            if field.startswith(SKIP_PREFIXES):
                continue
            p = _param_schema(units[node], name)
            if p is None or p.kind is not float:
                continue
            v = float(value)
            if not np.isfinite(v) or (v == 0.0 and p.unit != "°C"):
                continue
            lo = -np.inf if p.lo is None else float(p.lo)
            hi = np.inf if p.hi is None else float(p.hi)
            if p.unit == "°C" or field == "ph":
                step = ABS_STEP_DEGC if p.unit == "°C" else ABS_STEP_PH
                low, high = v - step, v + step
            else:
                low, high = v * (1.0 - rel_step), v * (1.0 + rel_step)
            low, high = float(np.clip(low, lo, hi)), float(np.clip(high, lo, hi))
            if low == high:
                continue
            out.append(Perturbation(f"units.{node}.{name}", v, low, high, str(p.source)))
    return out


def route_swings(plant: Any, kpi: str, rel_step: float = REL_STEP) -> tuple[float, pd.DataFrame]:
    """Nominal KPI of a route and its value with each parameter low and high.

    Returns
    -------
    nominal : float
    table : pandas.DataFrame
        Index ``key``; columns ``nominal_value``, ``low_value``, ``high_value``,
        ``kpi_low``, ``kpi_high``, ``source``.
    """
    from oreflow.errors import CaseError
    from oreflow.solvers.study_eval import simulate_figures

    pert = perturbations(plant, rel_step)
    while True:
        n = 1 + 2 * len(pert)
        overrides = {}
        for j, p in enumerate(pert):
            arr = np.full(n, p.nominal)
            arr[1 + 2 * j] = p.low
            arr[2 + 2 * j] = p.high
            overrides[p.key] = arr
        try:
            figs = simulate_figures(plant, overrides, n)
            break
        except CaseError as exc:
            # a parameter a model holds for the whole batch (one breakage function per
            # mill): leave it out and run the rest
            fixed = {q.key for q in exc.problems if "cannot vary between cases" in q.message}
            if not fixed or not any(p.key in fixed for p in pert):
                raise
            pert = [p for p in pert if p.key not in fixed]
    values = np.asarray(figs[kpi], dtype=float)
    table = pd.DataFrame(
        {
            "key": [p.key for p in pert],
            "nominal_value": [p.nominal for p in pert],
            "low_value": [p.low for p in pert],
            "high_value": [p.high for p in pert],
            "kpi_low": values[1::2],
            "kpi_high": values[2::2],
            "source": [p.source for p in pert],
        }
    ).set_index("key")
    return float(values[0]), table


def parameter_tornado(
    spec: Any, route: str, rel_step: float = REL_STEP, top: int = TOP_N
) -> pd.DataFrame:
    """The ``top`` model parameters that move ``route - baseline`` on the study's KPI most.

    Parameters
    ----------
    spec : oreflow.flowsheet.study.StudySpec
        The study (its routes, baseline and ``compare_kpi``).
    route : str
        A route other than the baseline.
    rel_step : float
        Relative step of each parameter, down and up.
    top : int
        Rows kept, largest absolute swing first.

    Returns
    -------
    pandas.DataFrame
        Index ``parameter`` (``route:units.UNIT.PARAM``); columns ``nominal_value``,
        ``low_value``, ``high_value``, ``difference_at_low``, ``difference_at_high``,
        ``swing`` and ``source`` (the parameter's declared source: ``assumed``, a fit,
        a paper). The nominal difference is ``attrs["nominal_difference"]``.
    """
    from oreflow.solvers.study_eval import compiled_plant
    from oreflow.solvers.study_io import case_text

    kpi = spec.compare_kpi
    base = spec.baseline
    runs = {}
    for name in (base, route):
        case = spec.routes[name]
        runs[name] = route_swings(compiled_plant(case_text(case), case.path), kpi, rel_step)
    (nom_b, tab_b), (nom_r, tab_r) = runs[base], runs[route]
    parts = []
    # a baseline parameter moves the difference the other way
    for name, tab, lo_d, hi_d in (
        (route, tab_r, tab_r["kpi_low"] - nom_b, tab_r["kpi_high"] - nom_b),
        (base, tab_b, nom_r - tab_b["kpi_low"], nom_r - tab_b["kpi_high"]),
    ):
        part = tab[["nominal_value", "low_value", "high_value", "source"]].copy()
        part["difference_at_low"] = lo_d
        part["difference_at_high"] = hi_d
        part["swing"] = hi_d - lo_d
        part.index = [f"{name}:{k}" for k in tab.index]
        parts.append(part)
    frame = pd.concat(parts)
    frame.index.name = "parameter"
    order = frame["swing"].abs().sort_values(ascending=False, kind="stable").index
    cols = [
        "nominal_value",
        "low_value",
        "high_value",
        "difference_at_low",
        "difference_at_high",
        "swing",
        "source",
    ]
    out = frame.loc[order, cols].head(top)
    out.attrs["nominal_difference"] = nom_r - nom_b
    out.attrs["kpi"] = kpi
    out.attrs["rel_step"] = rel_step
    return out
