"""Optimization speed: tabulation by the batched kernels, pruning, model build and solve,
against exhaustive enumeration of the same columns, in the same run.

The reference superstructure (``benchmarks/superstructure.py``: 12 routes, 131,625
route-and-mode combinations of the refractory route-choice case) is optimized end to end
(tabulation with shared upstream prefixes, pruning, Pyomo build, HiGHS solve, verifying
re-simulation) against exhaustive enumeration of the same space (every combination
simulated whole by the batched kernels, then the best feasible one picked), in the same
run; the session summary prints the ratio.

Run: ``python -m pytest benchmarks/test_bench_optimize.py --benchmark-only``.
"""

from pathlib import Path

import numpy as np
import pytest

from benchmarks.registry import record
from oreflow.flowsheet.case import load_case
from oreflow.flowsheet.optimization import Limit
from oreflow.solvers.blend import (
    BlendProblem,
    build_model,
    enumerate_blend,
    prune_blend,
    solve_blend,
)
from oreflow.solvers.optimize import needed_figures, optimize
from oreflow.solvers.selection import blend_problem
from oreflow.solvers.tabulate import tabulate

ROOT = Path(__file__).resolve().parents[1]
N_COLUMNS = 100_000


def _problem(n: int) -> BlendProblem:
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
    return BlendProblem.one_source(
        coefficients, 0.0, 283.0, limits, {"margin_usd_h": 1.0}, "maximize", 1e-6
    )


@pytest.mark.benchmark(group="optimize-100k-columns")
def test_bench_prune_build_and_solve(benchmark):
    problem = _problem(N_COLUMNS)
    solve_blend(_problem(500))  # compile the pruning kernel outside the timer
    result = benchmark(solve_blend, problem)
    column, _, objective = enumerate_blend(problem)
    assert result.column == column
    assert result.objective == pytest.approx(objective, rel=1e-6)
    benchmark.extra_info["columns"] = N_COLUMNS
    benchmark.extra_info["kept_after_pruning"] = len(prune_blend(problem))


@pytest.mark.benchmark(group="optimize-100k-columns")
def test_bench_exhaustive_enumeration(benchmark):
    problem = _problem(N_COLUMNS)
    benchmark(enumerate_blend, problem)


@pytest.mark.benchmark(group="optimize-model-build")
def test_bench_model_build_after_pruning(benchmark):
    problem = _problem(N_COLUMNS)
    keep = prune_blend(problem)
    benchmark(build_model, problem, keep)


@pytest.mark.benchmark(group="optimize-tabulate")
def test_bench_tabulate_free_milling_grid(benchmark):
    spec = load_case(ROOT / "cases" / "free_milling_cil.toml")
    axes = spec.optimization.axes
    tabulate(spec, axes[:1])  # compile outside the timer
    table = benchmark.pedantic(tabulate, args=(spec, axes), rounds=3, iterations=1)
    benchmark.extra_info["combinations"] = len(table.modes)


# ------------------------------------------------- the reference superstructure (issue 4)
SUPERSTRUCTURE = "superstructure 131,625 combinations"


SMOKE_VALUES_PER_AXIS = 2  # smoke run (--benchmark-disable): 2 values per axis


def _superstructure_spec(benchmark):
    from benchmarks.superstructure import superstructure

    return superstructure(SMOKE_VALUES_PER_AXIS if benchmark.disabled else None)


def _enumerate_whole(spec):
    """Exhaustive enumeration: every combination simulated whole, then the best one picked."""
    opt = spec.optimization
    metrics = sorted(
        {n for n in [*(lim.name for lim in opt.limits), *opt.weights] if n.startswith("units.")}
    )
    table = tabulate(spec, opt.axes, metrics, share_prefixes=False)
    return enumerate_blend(blend_problem(spec, opt, table)), len(table.modes)


@pytest.mark.benchmark(group="optimize-superstructure")
def test_bench_superstructure_optimize(benchmark):
    """``oreflow optimize`` end to end: shared-prefix tabulation, pruning, MILP, verification."""
    spec = _superstructure_spec(benchmark)
    optimize(load_case(ROOT / "cases" / "refractory_route_choice.toml"))  # compile kernels
    result = benchmark.pedantic(optimize, args=(spec,), rounds=2, iterations=1)
    assert result.status == "optimal"
    enumeration = result.meta["enumeration"]
    assert result.decisions["column"] == enumeration["column"]
    assert result.decisions["objective"] == pytest.approx(enumeration["objective"], rel=1e-6)
    n = result.meta["n_combinations"]
    assert n >= 100_000 or benchmark.disabled
    benchmark.extra_info.update(result.meta["seconds"])
    benchmark.extra_info["combinations"] = n
    record(benchmark, SUPERSTRUCTURE, "oreflow optimize", n, **result.meta["seconds"])


@pytest.mark.benchmark(group="optimize-superstructure")
def test_bench_superstructure_exhaustive_enumeration(benchmark):
    """The baseline: simulate all combinations whole (batched kernels), pick the best."""
    spec = _superstructure_spec(benchmark)
    (column, _, objective), n = benchmark.pedantic(
        _enumerate_whole, args=(spec,), rounds=1, iterations=1
    )
    assert column >= 0
    benchmark.extra_info["combinations"] = n
    benchmark.extra_info["objective"] = objective
    record(benchmark, SUPERSTRUCTURE, "exhaustive enumeration", n)


# ------------------------------------- the superstructure's tabulation alone (issue 14)
def _tabulate_lean(spec, workers=None, needed=True):
    """The table of the optimizer's model: its figures only (``needed``), or every KPI."""
    opt = spec.optimization
    names = [*(lim.name for lim in opt.limits), *opt.weights]
    metrics = sorted({n for n in names if n.startswith("units.")})
    wanted = needed_figures([*names, *metrics]) if needed else None
    return tabulate(spec, opt.axes, metrics, needed=wanted, workers=workers)


@pytest.mark.benchmark(group="optimize-superstructure-tabulation")
@pytest.mark.parametrize(
    ("impl", "workers", "needed"),
    [
        ("lean tabulation, forked workers", None, True),
        ("lean tabulation, 1 process", 1, True),
        ("full tabulation, 1 process", 1, False),
    ],
)
def test_bench_superstructure_tabulation(benchmark, impl, workers, needed):
    """The optimizer's lean tabulation (per-unit cost lines and closure audits once per
    block setting, shared results gathered where read; on forked workers or one
    process) against the full tabulation (every KPI, costs and plant audit per
    combination): the same figures, the ratio printed at the end of the session."""
    spec = _superstructure_spec(benchmark)
    _tabulate_lean(_superstructure_small(), 1)  # compile or load the kernels outside the timer
    table = benchmark.pedantic(
        _tabulate_lean, args=(spec, workers, needed), rounds=1 if not needed else 2, iterations=1
    )
    n = len(table.modes)
    assert n >= 100_000 or benchmark.disabled
    assert np.isfinite(table.figures["margin_usd_h"]).all()
    benchmark.extra_info["combinations"] = n
    record(benchmark, SUPERSTRUCTURE, impl, n)


def _superstructure_small():
    from benchmarks.superstructure import superstructure

    return superstructure(1)
