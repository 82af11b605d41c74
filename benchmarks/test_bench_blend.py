"""Blend optimization speed: the blend MILP (pruning, build, solve) against exact vertex
enumeration of the same columns, in the same run.

Run: ``python -m pytest benchmarks/test_bench_blend.py --benchmark-only``.
"""

import numpy as np
import pytest

from oreflow.flowsheet.optimization import Limit
from oreflow.solvers.blend import BlendProblem, enumerate_blend, prune_blend, solve_blend

N_COLUMNS = 3_000


def _problem(n: int, n_src: int = 2) -> BlendProblem:
    """Columns with two ore sources, a power limit and a recovery floor as a ratio row."""
    rng = np.random.default_rng(42)
    feed = np.tile(rng.uniform(2.0, 3.2, n_src), (n, 1))  # g Au per t of each source
    derivatives = {
        "margin_usd_h": rng.normal(105.0, 8.0, (n, n_src)),
        "mill_power_kw": rng.uniform(11.0, 19.0, (n, n_src)),
        "au_feed_g_h": feed,
        "gold_produced_g_h": feed * rng.uniform(0.80, 0.95, (n, n_src)),
    }
    limits = (
        Limit("mill_power_kw", "max", 3363.4, "constraints.mill_power_kw_max"),
        Limit("gold_recovery_frac", "min", 0.86, "constraints.gold_recovery_frac_min"),
    )
    return BlendProblem(
        tuple(f"ore.s{i}" for i in range(n_src)),
        derivatives,
        {},
        np.full(n_src, 20.0),
        np.full(n_src, 200.0),
        0.0,
        283.0,
        limits,
        {"margin_usd_h": 1.0},
        "maximize",
    )


@pytest.mark.benchmark(group="blend-3k-columns")
def test_bench_blend_milp(benchmark):
    problem = _problem(N_COLUMNS)
    solve_blend(_problem(50))  # compile the pruning kernel outside the timer
    result = benchmark(solve_blend, problem)
    column, _, objective = enumerate_blend(problem)
    assert result.column == column
    assert result.objective == pytest.approx(objective, rel=1e-6)
    benchmark.extra_info["columns"] = N_COLUMNS
    benchmark.extra_info["kept_after_pruning"] = len(prune_blend(problem))


@pytest.mark.benchmark(group="blend-3k-columns")
def test_bench_blend_enumeration(benchmark):
    problem = _problem(N_COLUMNS)
    benchmark(enumerate_blend, problem)
