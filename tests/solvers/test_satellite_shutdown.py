"""Shutting a satellite: each ore source is closed (no ore, its site's fixed cost and
capital avoided, nothing hauled) or open between its concentrator's least scale (500 t/d)
and its capacity, a binary per column and source in the selection MILP.

Checked against enumeration twice: the MILP against every open/closed set of its own
problem (synthetic, numpy enumeration), and the whole optimizer against a separate
optimization of every open/closed set of a small regional case, each re-simulated and
verified by oreflow; dearer haulage or poorer ore closes the satellite concerned.
"""

from __future__ import annotations

import dataclasses
import itertools
import re

import numpy as np
import pytest

from oreflow import api
from oreflow.cli import main
from oreflow.errors import CaseError
from oreflow.flowsheet.case import parse_case
from oreflow.flowsheet.optimization import Limit
from oreflow.solvers import blend_enumerate
from oreflow.solvers.blend import BlendProblem, enumerate_closures, solve_blend
from oreflow.solvers.blend_enumerate import best_plan, column_plans, enumerate_vertices
from oreflow.solvers.highs import SolveStatus
from oreflow.solvers.optimize import optimize
from oreflow.solvers.simulate import simulate_plant
from oreflow.solvers.tabulate import plant_with_modes
from tests.solvers.satellite_cases import CASE, PATH, SATELLITES, small, with_haulage, without

pytestmark = pytest.mark.solver

SCALE_MIN_TPH = 500.0 / 24.0  # oreflow.units.scale_rules: independent concentrators, China


# ---------------------------------------------------------------- the MILP alone


def _random_sites(seed: int, n: int, n_src: int) -> BlendProblem:
    """Columns over sources that each feed their own concentrator (a scale limit each)
    and share a centre with a capacity; closing a source saves its fixed cost."""
    rng = np.random.default_rng(seed)
    derivatives = {
        "margin_usd_h": rng.normal(60.0, 40.0, (n, n_src)),
        "units.centre.site_feed_tph": rng.uniform(0.05, 0.15, (n, n_src)),
    }
    limits = [Limit("units.centre.site_feed_tph", "max", 9.0, "constraints.max.centre")]
    for s in range(n_src):
        name = f"units.sat{s}.site_feed_tph"
        feed = np.zeros((n, n_src))
        feed[:, s] = rng.uniform(0.9, 1.0, n)
        derivatives[name] = feed
        limits.append(Limit(name, "min", SCALE_MIN_TPH, f"scale.{name}.min"))
    fixed = rng.uniform(300.0, 2500.0, (n, n_src))  # each satellite's fixed cost [USD/h]
    delta = {"margin_usd_h": fixed}  # what closing it adds to the margin
    delta["units.centre.site_feed_tph"] = np.zeros((n, n_src))
    for s in range(n_src):
        delta[f"units.sat{s}.site_feed_tph"] = np.zeros((n, n_src))
    return BlendProblem(
        tuple(f"ore.s{i}" for i in range(n_src)),
        derivatives,
        {},
        np.zeros(n_src),
        rng.uniform(25.0, 60.0, n_src),
        0.0,
        200.0,
        tuple(limits),
        {"margin_usd_h": 1.0},
        "maximize",
        {},
        mip_rel_gap=1e-9,
        constants={"margin_usd_h": -fixed.sum(axis=1)},
        closable=tuple(range(n_src)),
        closed_delta=delta,
        site_source={f"scale.units.sat{s}.site_feed_tph.min": s for s in range(n_src)},
    )


def _same(a: tuple, b: tuple) -> bool:
    """Two enumeration answers equal bit for bit (column, values, objective, shut)."""
    return (
        a[0] == b[0]
        and np.array_equal(a[1], b[1], equal_nan=True)
        and (a[2] == b[2] or (np.isnan(a[2]) and np.isnan(b[2])))
        and a[3] == b[3]
    )


@pytest.mark.parametrize(("seed", "n_src"), [(5, 2), (6, 3), (7, 4)])
def test_enumeration_in_batches_equals_one_vertex_set_at_a_time(seed, n_src, monkeypatch):
    """The vertex sets are solved in batches: the answer is the one-set-at-a-time one."""
    problem = _random_sites(seed, 30, n_src)
    batched = enumerate_closures(problem)
    monkeypatch.setattr(blend_enumerate, "_BATCH_MATRICES", 1)  # one set per batch
    assert _same(enumerate_closures(problem), batched)
    monkeypatch.setattr(blend_enumerate, "_BATCH_MATRICES", 97)  # batches cut mid-way
    assert _same(enumerate_closures(problem), batched)
    assert batched[0] >= 0


def _integer_sites(seed: int, n: int, n_src: int) -> BlendProblem:
    """``_random_sites`` on small integers: equal objectives (ties between vertices and
    columns, zero slopes), zero and repeated rows (singular sets of rows)."""
    rng = np.random.default_rng(seed)
    problem = _random_sites(seed, n, n_src)
    derivatives = dict(problem.derivatives)
    derivatives["margin_usd_h"] = rng.integers(-2, 3, (n, n_src)).astype(float)
    derivatives["units.centre.site_feed_tph"] = rng.integers(0, 2, (n, n_src)).astype(float)
    for s in range(n_src):
        feed = np.zeros((n, n_src))
        feed[:, s] = 1.0  # the satellite's row repeats its source's bounds
        derivatives[f"units.sat{s}.site_feed_tph"] = feed
    limits = tuple(
        dataclasses.replace(lim, value=20.0 if lim.sense == "min" else 40.0)
        for lim in problem.limits
    )
    fixed = rng.integers(0, 3, (n, n_src)).astype(float) * 10.0
    delta = dict(problem.closed_delta, margin_usd_h=fixed)
    return dataclasses.replace(
        problem,
        derivatives=derivatives,
        source_max=np.full(n_src, 30.0),
        x_max=60.0,
        limits=limits,
        constants={"margin_usd_h": -fixed.sum(axis=1)},
        closed_delta=delta,
    )


def _vertex_scores_one_set_at_a_time(problem: BlendProblem) -> tuple[np.ndarray, np.ndarray]:
    """The reference of ``blend_enumerate._vertex_scores``: one column, one set of rows at
    a time, in ``itertools.combinations`` order, the first set reaching the best kept."""
    a_all, b_all = blend_enumerate._inequalities(problem)
    slope, const = problem.objective()
    sign = 1.0 if problem.sense == "maximize" else -1.0
    dim = problem.n_sources + problem.n_destinations
    hi = max(problem.x_max, 1.0)
    best = np.full(problem.n, -np.inf)
    best_v = np.zeros((problem.n, dim))
    for j in range(problem.n):
        finite = np.isfinite(b_all[j])
        b = np.where(finite, b_all[j], 0.0)
        a = np.where(finite[:, None], a_all[j], 0.0)
        scale = np.abs(a).sum(axis=1) * hi + np.abs(b) + 1e-12
        for rows in itertools.combinations(range(a.shape[0]), dim):
            sub = a[list(rows)]
            det = np.linalg.det(sub)
            if not abs(det) > 1e-12 * np.prod(np.abs(sub).sum(axis=1) + 1e-300):
                continue  # singular: no vertex
            v = np.linalg.solve(sub, b[list(rows)])
            if not np.all(b - a @ v >= -1e-9 * scale):
                continue
            score = sign * (slope[j] @ v + const[j])
            if score > best[j]:  # strictly: the first set reaching the best stays
                best[j], best_v[j] = score, v
    return np.where(problem.usable(), best, -np.inf), best_v


@pytest.mark.parametrize(("seed", "n_src"), [(10, 2), (11, 3), (12, 3)])
def test_batched_vertices_equal_a_one_set_at_a_time_loop_with_ties(seed, n_src, monkeypatch):
    """Against a plain loop, on integer data where vertices tie and row sets are singular."""
    problem = _integer_sites(seed, 12, n_src)
    ties = singular = 0
    for shut in problem.patterns():
        closed = problem.with_closed(shut)
        want_score, want_v = _vertex_scores_one_set_at_a_time(closed)
        for batch in (blend_enumerate._BATCH_MATRICES, 1, 97):
            monkeypatch.setattr(blend_enumerate, "_BATCH_MATRICES", batch)
            score, vertex = blend_enumerate._vertex_scores(closed)
            np.testing.assert_array_equal(score, want_score, err_msg=f"{shut} {batch}")
            found = np.isfinite(want_score)
            np.testing.assert_array_equal(vertex[found], want_v[found], err_msg=f"{shut}")
        a, _ = blend_enumerate._inequalities(closed)
        dim = closed.n_sources + closed.n_destinations
        for rows in itertools.combinations(range(a.shape[1]), dim):
            singular += int(np.sum(np.abs(np.linalg.det(a[:, list(rows)])) < 1e-12))
        ties += int(np.sum(closed.objective()[0] == 0.0))  # zero slopes: tied vertices
    assert ties > 0 and singular > 0  # the data do force both
    monkeypatch.undo()
    assert enumerate_closures(problem)[0] >= 0  # some plan is feasible


@pytest.mark.parametrize(("seed", "n_src"), [(8, 2), (9, 3)])
def test_a_route_best_plan_from_every_column_plan_equals_enumerating_the_route(seed, n_src):
    """The route ranking reads each route's best from every column's plans (``best_plan``)."""
    problem = _random_sites(seed, 36, n_src)
    plans = column_plans(problem)
    rng = np.random.default_rng(seed)
    routes = [np.arange(36), np.arange(0, 36, 3), np.sort(rng.choice(36, 7, replace=False))]
    for idx in routes:
        assert _same(best_plan(problem, plans, idx), enumerate_closures(problem.subset(idx)))
    assert _same(best_plan(problem, plans), enumerate_closures(problem))


@pytest.mark.parametrize(("seed", "n_src"), [(0, 2), (1, 3), (2, 3), (3, 4), (4, 3)])
def test_the_milp_equals_enumeration_of_every_open_closed_set(seed, n_src):
    problem = _random_sites(seed, 40, n_src)
    result = solve_blend(problem)
    column, values, objective, shut = enumerate_closures(problem)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(objective, rel=1e-7)
    assert (result.column, result.shut) == (column, shut)
    np.testing.assert_allclose(result.source_tph, values, rtol=1e-6, atol=1e-6)
    # by hand: every set of closed sources solved on its own, the best of them
    best = max(
        enumerate_vertices(problem.with_closed(p))[2]
        for p in problem.patterns()
        if enumerate_vertices(problem.with_closed(p))[0] >= 0
    )
    assert objective == pytest.approx(best, rel=1e-12)
    # an open satellite is at least at its least scale, a closed one takes nothing
    for s, rate in enumerate(result.source_tph):
        feed = problem.derivatives[f"units.sat{s}.site_feed_tph"][result.column, s] * rate
        if s in result.shut:
            assert rate == 0.0
        else:
            assert feed >= SCALE_MIN_TPH * (1 - 1e-9)


def test_a_dearer_fixed_cost_closes_a_satellite_and_never_reopens_it():
    problem = _random_sites(7, 30, 3)
    delta = problem.closed_delta["margin_usd_h"]
    shut_before = solve_blend(problem).shut
    closed_at = []
    for extra in (0.0, 1e3, 3e3, 1e4, 1e5):
        d = {**problem.closed_delta, "margin_usd_h": delta + np.array([0.0, extra, 0.0])}
        c = {"margin_usd_h": problem.constants["margin_usd_h"] - extra}
        trial = solve_blend(__import__("dataclasses").replace(problem, closed_delta=d, constants=c))
        closed_at.append(1 in trial.shut)
    assert closed_at == sorted(closed_at)  # once closed, it stays closed
    assert closed_at[-1] and 1 not in shut_before


# ---------------------------------------------------------------- the regional case


def _forced(text: str, shut: tuple[str, ...]) -> str:
    """The case with the satellites ``shut`` removed and every other one held open."""
    for sat in shut:
        text = without(text, sat)
    for sat in SATELLITES:
        if sat not in shut:
            text, n = re.subn(
                rf"(\[constraints\.ore\.{sat}\][^\n]*\n)", r"\g<1>rate_tph_min = 0.001\n", text
            )
            assert n == 1
    return text


DEAR_SOUTH = with_haulage(CASE, "south", 1000.0)


@pytest.fixture(scope="module")
def dear_south():
    return optimize(small(DEAR_SOUTH))


def test_the_optimum_equals_every_open_closed_set_optimized_and_verified(dear_south):
    """Each of the seven sets of open satellites is optimized on its own (closed ones
    removed from the case, open ones held open) and verified by re-simulation; the
    optimizer's plan is the best of them and closes what that best closes."""
    r = dear_south
    assert r.status == "optimal" and r.meta["max_rel_diff"] <= 1e-6
    found = {}
    for k in range(len(SATELLITES)):
        for shut in itertools.combinations(SATELLITES, k):
            one = optimize(small(_forced(DEAR_SOUTH, shut)))
            if one.status == "infeasible":  # the centre below its 200 t/d without them
                continue
            assert one.status == "optimal", shut
            assert one.meta["max_rel_diff"] <= 1e-6
            found[shut] = one.decisions["objective"]
    assert len(found) >= 2
    best = max(found, key=found.get)
    assert r.decisions["objective"] == pytest.approx(found[best], rel=1e-6)
    assert tuple(s.removeprefix("ore.") for s in r.decisions["closed_sources"]) == best
    assert r.meta["enumeration"]["closed_sources"] == r.decisions["closed_sources"]
    assert r.meta["enumeration"]["objective"] == pytest.approx(r.decisions["objective"], rel=1e-7)


def test_dear_haulage_closes_that_satellite(dear_south):
    base = optimize(small(CASE))
    assert base.status == "optimal" and base.decisions["closed_sources"] == []
    r = dear_south
    assert r.decisions["closed_sources"] == ["ore.south"]
    before, after = base.decisions["blend_tph"], r.decisions["blend_tph"]
    assert after["ore.south"] == 0.0
    assert after["ore.east"] > before["ore.east"] + 1.0  # the centre takes east instead
    k = r.plan.kpis
    # the closed satellite costs nothing: no capital, no haulage from it, no scale flag
    assert all(float(k[n]) == 0.0 for n in k.index if n.startswith("capital_south_"))
    units = r.plan.units.query("unit == 'south_haulage'").set_index("metric")["value"]
    assert float(units.filter(like="cost").abs().sum()) == 0.0
    assert not [w for w in r.plan.warnings if "least scale" in w]
    text = api.console_text("optimize", r, spec=small(DEAR_SOUTH))
    assert "ore.south rate" in text and "0 t/h (shut)" in text
    assert "ore.east rate" in text and text.count("(shut)") == 1
    # the open satellites stay at or above their least scale
    sim = r.verification["simulation"]
    for sat in ("north", "east"):
        assert sim[f"units.{sat}_flotation.site_feed_tph"] >= SCALE_MIN_TPH * (1 - 1e-9)


def test_a_poorer_ore_closes_that_satellite():
    poor = re.sub(r"(\[ore\.south\]\n(?:.*\n)*?au_gpt = )[0-9.]+", r"\g<1>0.8", CASE, count=1)
    assert poor != CASE
    r = optimize(small(poor))
    assert r.status == "optimal" and r.meta["max_rel_diff"] <= 1e-6
    assert r.decisions["closed_sources"] == ["ore.south"]
    assert r.decisions["blend_tph"]["ore.south"] == 0.0


def test_a_closed_site_is_not_flagged_below_scale():
    spec = small(CASE)
    plant = plant_with_modes(spec, ())
    sim = simulate_plant(plant, n_cases=1, overrides={"ore.south.rate_tph": 0.0})
    from oreflow.solvers.scale import scale_violations

    flagged = [v.site.units for v in scale_violations(sim)]
    assert ("south_flotation",) not in flagged
    low = simulate_plant(plant, n_cases=1, overrides={"ore.south.rate_tph": 10.0})
    assert ("south_flotation",) in [v.site.units for v in scale_violations(low)]


def test_a_satellite_that_cannot_reach_its_least_scale_is_refused(capsys, tmp_path):
    text = CASE.replace(
        "[constraints.ore.east]\nrate_tph_max = 60.0", "[constraints.ore.east]\nrate_tph_max = 15.0"
    )
    assert text != CASE
    with pytest.raises(CaseError) as err:
        optimize(small(text, "bad.toml"))
    (problem,) = err.value.problems
    assert problem.file == "bad.toml" and problem.key == "constraints.ore.east.rate_tph_max"
    assert "least scale of 500 t/d" in problem.message
    path = tmp_path / "bad.toml"
    path.write_text(text.replace('name = "regional_concentrate_centre"', 'name = "bad"'))
    assert main(["optimize", str(path)]) == 2
    err_text = capsys.readouterr().err
    assert "constraints.ore.east.rate_tph_max" in err_text and str(path) in err_text
    assert "Traceback" not in err_text


def test_the_shipped_regional_plan_closes_nothing():
    r = optimize(parse_case(CASE, str(PATH)))
    assert r.status == "optimal"
    assert r.decisions["closed_sources"] == []
    assert r.decisions["objective"] == pytest.approx(r.meta["enumeration"]["objective"], rel=1e-9)
