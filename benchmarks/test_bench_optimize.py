"""Optimization speed: tabulation by the batched kernels, pruning, model build and solve,
against exhaustive enumeration of the same columns, in the same run.

Run: ``python -m pytest benchmarks/test_bench_optimize.py --benchmark-only``.
"""

from pathlib import Path

import numpy as np
import pytest

from oreflow.flowsheet.case import load_case
from oreflow.flowsheet.optimization import Limit
from oreflow.solvers.milp import (
    SelectionProblem,
    _build,
    enumerate_selection,
    prune,
    solve_selection,
)
from oreflow.solvers.tabulate import tabulate

ROOT = Path(__file__).resolve().parents[1]
N_COLUMNS = 100_000


def _problem(n: int) -> SelectionProblem:
    """Columns with the spread of free_milling_cil's tabulated coefficients."""
    rng = np.random.default_rng(42)
    coefficients = {
        "margin_usd_h": rng.normal(105.0, 8.0, n),  # USD per t of ore
        "mill_power_kw": rng.uniform(11.0, 19.0, n),  # kWh/t
        "units.cil.tank_volume_m3": rng.uniform(2.9, 5.7, n),  # m3 per t/h
        "tailings_wad_cn_mg_l": rng.uniform(5.0, 60.0, n),
        "gold_recovery_frac": rng.uniform(0.85, 0.90, n),
    }
    limits = (
        Limit("mill_power_kw", "max", 3363.4, "constraints.mill_power_kw_max"),
        Limit(
            "units.cil.tank_volume_m3", "max", 1100.0, "constraints.max.units.cil.tank_volume_m3"
        ),
        Limit("tailings_wad_cn_mg_l", "max", 50.0, "constraints.wad_cn_mg_l_max"),
        Limit("gold_recovery_frac", "min", 0.86, "constraints.gold_recovery_frac_min"),
    )
    return SelectionProblem(
        coefficients, 0.0, 283.0, limits, {"margin_usd_h": 1.0}, "maximize", 1e-6
    )


@pytest.mark.benchmark(group="optimize-100k-columns")
def test_bench_prune_build_and_solve(benchmark):
    problem = _problem(N_COLUMNS)
    solve_selection(_problem(500))  # compile the pruning kernel outside the timer
    result = benchmark(solve_selection, problem)
    column, _, objective = enumerate_selection(problem)
    assert result.column == column
    assert result.objective == pytest.approx(objective, rel=1e-6)
    benchmark.extra_info["columns"] = N_COLUMNS
    benchmark.extra_info["kept_after_pruning"] = len(prune(problem)[1])


@pytest.mark.benchmark(group="optimize-100k-columns")
def test_bench_exhaustive_enumeration(benchmark):
    problem = _problem(N_COLUMNS)
    benchmark(enumerate_selection, problem)


@pytest.mark.benchmark(group="optimize-model-build")
def test_bench_model_build_after_pruning(benchmark):
    reduced, _ = prune(_problem(N_COLUMNS))
    benchmark(_build, reduced)


@pytest.mark.benchmark(group="optimize-tabulate")
def test_bench_tabulate_free_milling_grid(benchmark):
    spec = load_case(ROOT / "cases" / "free_milling_cil.toml")
    axes = spec.optimization.axes
    tabulate(spec, axes[:1])  # compile outside the timer
    table = benchmark.pedantic(tabulate, args=(spec, axes), rounds=3, iterations=1)
    benchmark.extra_info["combinations"] = len(table.modes)
