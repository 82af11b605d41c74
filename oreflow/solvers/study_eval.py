"""A study's evaluation: KPIs of batched scenarios of one case, and the study's result.

``evaluate`` is what every worker runs (top level, picklable); ``simulate_figures`` is
shared with the optimizing modes (``oreflow.solvers.study_optimize``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from oreflow.core.schema import suggest
from oreflow.errors import CaseError, NotClosedError, Problem
from oreflow.flowsheet.study import StudySpec


@functools.lru_cache(maxsize=16)
def compiled_plant(text: str, file: str) -> Any:
    """Compiled plant of a case text, once per process and case."""
    from oreflow.flowsheet.case import parse_case
    from oreflow.flowsheet.compile import compile_case

    return compile_case(parse_case(text, file))


def _with_economics(sim: Any, econ: Mapping[str, np.ndarray]) -> None:
    """Give a simulated chunk per-case economics figures (prices are applied after the balance)."""
    if not econ:
        return
    spec = sim.plant.spec
    params = dict(spec.economics.params)
    params.update({k.removeprefix("economics."): v for k, v in econ.items()})
    economics = replace(spec.economics, params=params)
    sim.plant = replace(sim.plant, spec=replace(spec, economics=economics))


def simulate_figures(
    plant: Any,
    overrides: Mapping[str, np.ndarray],
    n_cases: int,
    metrics: tuple[str, ...] = (),
    *,
    file: str = "",
    missing_ok: bool = False,
    share_prefixes: bool = False,
) -> dict[str, np.ndarray]:
    """KPIs (and the unit metrics named ``units.UNIT.METRIC``) of ``n_cases`` batched cases.

    ``economics.*`` keys are prices (applied after the balance); the rest are
    simulation overrides. A unit metric the plant does not report is an error, or
    NaN with ``missing_ok`` (a route on which the unit is another option). With
    ``share_prefixes``, cases that agree upstream of a block share its simulation
    (``oreflow.solvers.prefix``: a scenario's mode combinations).
    """
    from oreflow.solvers.prefix import simulate_shared_chunks
    from oreflow.solvers.results import kpi_arrays
    from oreflow.solvers.simulate import simulate_chunks
    from oreflow.solvers.unit_figures import UnitFigures

    sim_over = {k: v for k, v in overrides.items() if not k.startswith("economics.")}
    econ = {k: v for k, v in overrides.items() if k.startswith("economics.")}
    parts = []
    run = simulate_shared_chunks if share_prefixes else simulate_chunks
    for lo, hi, chunk in run(plant, n_cases=n_cases, overrides=sim_over):
        _with_economics(chunk, {k: np.asarray(v)[lo:hi] for k, v in econ.items()})
        cols = kpi_arrays(chunk)
        figures = UnitFigures(chunk)
        for name in metrics:
            try:
                cols[name] = figures.get(name)
            except KeyError:
                if missing_ok:
                    cols[name] = np.full(hi - lo, np.nan)
                    continue
                msg = f"{name!r} is neither a KPI nor a unit metric of this case"
                raise CaseError([Problem(file, "constraints", msg)]) from None
        parts.append(cols)
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def evaluate(
    text: str,
    file: str,
    overrides: Mapping[str, np.ndarray],
    n_cases: int,
) -> dict[str, np.ndarray]:
    """KPIs of ``n_cases`` scenarios of one case, simulated in batched chunks.

    Top-level and picklable: what process-pool and Dask workers run. ``economics.*``
    keys are prices (applied after the balance); the rest are simulation overrides.
    """
    return simulate_figures(compiled_plant(text, file), overrides, n_cases, file=file)


@dataclass
class StudyResult:
    """What a study produced.

    Attributes
    ----------
    spec : StudySpec
        The study.
    scenarios : pandas.DataFrame
        One row per scenario (index ``scenario``), one column per variable.
    results : pandas.DataFrame
        One row per scenario and route: ``scenario``, ``route``, the variables, the KPIs.
    out_dir : Path or None
        Where chunks (and ``results.parquet``) were written.
    meta : dict
        Timings, counts, where items ran.
    """

    spec: StudySpec
    scenarios: pd.DataFrame
    results: pd.DataFrame
    out_dir: Path | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def kpi(self, name: str) -> pd.DataFrame:
        """One KPI as a (scenario x route) table."""
        return self.results.pivot(index="scenario", columns="route", values=name)


def check_compare_kpi(spec: StudySpec, texts: Mapping[str, str]) -> None:
    """The study's ``compare_kpi`` must be a KPI of every route (one nominal case each).

    Checked before the first scenario, so that a typo costs a second, not a study.
    """
    problems = []
    for route, case in spec.routes.items():
        names = kpi_names(texts[route], case.path)
        if spec.compare_kpi not in names:
            hint = suggest(spec.compare_kpi, sorted(names))
            msg = f"{spec.compare_kpi!r} is not a KPI of route {route!r}{hint}"
            problems.append(Problem(spec.path, "study.compare_kpi", msg))
            break
    if problems:
        raise CaseError(problems)


@functools.lru_cache(maxsize=16)
def kpi_names(text: str, file: str) -> tuple[str, ...]:
    """The KPIs of a case text (its nominal case simulated), once per process and case."""
    return tuple(simulate_figures(compiled_plant(text, file), {}, 1, file=file))


def check_closed(spec: StudySpec, route: str, rows: pd.DataFrame) -> None:
    """Refuse a study whose results hold a scenario that does not close (``NotClosedError``).

    ``rows`` are a work item's results (``scenario``, the variables, ``closure_max_rel``).
    Checked before the rows are stored, so no file holds a result that does not close;
    the message names the route, the first such scenario and its variables' values.
    """
    from oreflow.solvers.simulate import CLOSURE_GATE_REL, closure_mask

    if "closure_max_rel" not in rows.columns:
        return
    rel = rows["closure_max_rel"].to_numpy(dtype=float)
    bad = closure_mask(rel)
    if not bad.any():
        return
    i = int(np.flatnonzero(bad)[0])
    row = rows.iloc[i]
    values = ", ".join(f"{v.name} = {row[v.name]:g}" for v in spec.variables if v.name in row)
    detail = (
        f"route {route!r}: {int(bad.sum())} of {len(rows)} scenarios of a chunk do not close, "
        f"first scenario {int(row['scenario'])} ({values}): relative error {rel[i]:.3g} "
        f"(tolerance {CLOSURE_GATE_REL:g}); the route's case is {spec.routes[route].path}"
    )
    raise NotClosedError(spec.path, detail)
