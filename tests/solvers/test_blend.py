"""Ore blend from several sources: the blend MILP against exhaustive enumeration, ratio
limits (recovery, WAD) as rows with shadow prices checked by finite difference,
re-tabulation where the plant is not additive in its sources, infeasible bounds explained,
and the single-source limit."""

import itertools
import json
import re
from pathlib import Path

import numpy as np
import pytest

from oreflow.cli import main
from oreflow.errors import CaseError
from oreflow.flowsheet.case import parse_case
from oreflow.flowsheet.optimization import RATIO_FIGURES, Limit
from oreflow.solvers.blend import BlendProblem, enumerate_blend, solve_blend
from oreflow.solvers.blend_enumerate import enumerate_vertices
from oreflow.solvers.highs import SolveStatus
from oreflow.solvers.optimize import optimize

ROOT = Path(__file__).resolve().parents[2]
# The oxygen uptake is held per tonne of solids (not drawn from each pit's pyrite, which
# makes the leach nonlinear in the blend) so that the plant is additive in its ores and the
# blend model and its duals are exact, as these tests check. For the same reason the fixed
# cost is one figure (the header's build-up as designed): maintenance on the capital
# (capital_fixed_frac_y) is concave in the rates, and steps with a cyclone more.
CASE = (
    (ROOT / "cases" / "free_milling_cil.toml")
    .read_text(encoding="utf-8")
    .replace("o2_pyrite_frac_h = 5.3e-4", "o2_pyrite_frac_h = 0.0\no2_demand_g_t_h = 5.0")
)
CASE = re.sub(r"^fixed_usd_h = .*$", "fixed_usd_h = 1122.39", CASE, count=1, flags=re.M)
CASE = re.sub(r"^capital_fixed_frac_y = .*$", "capital_fixed_frac_y = 0.0", CASE, flags=re.M)
assert "o2_demand_g_t_h = 5.0" in CASE and "capital_fixed_frac_y = 0.0" in CASE
BOUNDS = """
[constraints.ore.main]
rate_tph_max = 200.0
[constraints.ore.second]
rate_tph_max = 150.0
"""

pytestmark = pytest.mark.solver


def two_ore(*, wi2: float = 14.0, second_rate: float = 80.0, extra: str = BOUNDS) -> str:
    """The free-milling plant fed by its own pit and a second, lower-grade, pyritic pit."""
    text = CASE.replace(
        'inlets.fresh = "ore.main"', 'inlets.fresh = "ore.main"\ninlets.second = "ore.second"'
    )
    second = f"""[ore.second]
rate_tph = {second_rate!r}
au_gpt = 1.2
wi_kwh_t = {wi2!r}
[ore.second.mineralogy]
pyrite = 0.02
[ore.second.deportment]
au_free = 0.60
au_silicate = 0.20
au_sulfide = 0.20
[ore.second.psd]
model = "rrb"
f80_um = 8000.0
n = 0.9

[ore.main.psd]"""
    text = text.replace("[ore.main.psd]", second)
    text = text.replace(
        "[economics.reagent_usd_kg]",
        "[economics.ore_usd_t]\nmain = 25.0\nsecond = 12.0\n\n[economics.reagent_usd_kg]",
    )
    return text + extra


def with_recovery_floor(text: str, floor: float) -> str:
    return text.replace(
        "mill_power_kw_max = 3363.4",
        f"mill_power_kw_max = 3363.4\ngold_recovery_frac_min = {floor!r}",
    )


def run(text: str):
    return optimize(parse_case(text, "blend.toml"))


# ---------------------------------------------------------------- the MILP alone


def _random_blend(seed: int, n: int, n_src: int) -> BlendProblem:
    rng = np.random.default_rng(seed)
    feed = np.tile(rng.uniform(2.0, 3.2, n_src), (n, 1))  # g Au per t of each source
    derivatives = {
        "margin_usd_h": rng.normal(100.0, 30.0, (n, n_src)),
        "mill_power_kw": rng.uniform(8.0, 20.0, (n, n_src)),
        "au_feed_g_h": feed,
        "gold_produced_g_h": feed * rng.uniform(0.70, 0.97, (n, n_src)),
        # two tailings discharges: leach tails (cyanide) and flotation tails (a trace)
        "units.cil_tails.wad_cn_g_h": rng.uniform(10.0, 60.0, (n, n_src)),
        "units.cil_tails.water_tph": rng.uniform(0.9, 1.3, (n, n_src)),
        "units.flot_tails.wad_cn_g_h": rng.uniform(0.0, 1.0, (n, n_src)),
        "units.flot_tails.water_tph": rng.uniform(0.5, 1.0, (n, n_src)),
    }
    wad = Limit("tailings_wad_cn_mg_l", "max", 40.0, "constraints.wad_cn_mg_l_max")
    sinks = ("units.cil_tails.wad_cn_mg_l", "units.flot_tails.wad_cn_mg_l")
    ratios = dict(RATIO_FIGURES)
    for f in sinks:
        unit = f.rsplit(".", 1)[0]
        ratios[f] = (f"{unit}.wad_cn_g_h", f"{unit}.water_tph")
    limits = (
        Limit("mill_power_kw", "max", 3000.0, "constraints.mill_power_kw_max"),
        Limit("gold_recovery_frac", "min", 0.86, "constraints.gold_recovery_frac_min"),
        *(Limit(f, wad.sense, wad.value, wad.key) for f in sinks),  # one row per discharge
        Limit("colour_frac", "max", 0.9, "constraints.max.colour_frac"),  # a filter
    )
    return BlendProblem(
        tuple(f"ore.s{i}" for i in range(n_src)),
        derivatives,
        {"colour_frac": rng.uniform(0.0, 1.0, n)},
        np.full(n_src, 20.0),
        np.full(n_src, 200.0),
        50.0,
        300.0,
        limits,
        {"margin_usd_h": 1.0},
        "maximize",
        ratios,
        mip_rel_gap=1e-9,
        per_sink={wad.name: sinks},
    )


@pytest.mark.parametrize(("seed", "n_src"), [(0, 2), (1, 2), (2, 3), (3, 3), (4, 2)])
def test_blend_milp_equals_vertex_enumeration(seed, n_src):
    problem = _random_blend(seed, 300, n_src)
    result = solve_blend(problem)
    column, rates, objective = enumerate_blend(problem)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(objective, rel=1e-7)
    assert result.column == column
    assert np.allclose(result.source_tph, rates, rtol=1e-6, atol=1e-6)


def test_vertex_enumeration_equals_a_fine_grid_of_blends():
    # the enumeration is itself checked against brute force: every column on a grid
    # of source rates (2 sources, 1 t/h steps), keeping the feasible points
    problem = _random_blend(5, 40, 2)
    column, _, objective = enumerate_blend(problem)
    grid = np.arange(20.0, 200.0 + 1e-9, 1.0)
    x = np.array(list(itertools.product(grid, grid)))
    slope, const = problem.objective()
    best = -np.inf
    for j in np.flatnonzero(problem.usable()):
        ok = (x.sum(axis=1) >= problem.x_min) & (x.sum(axis=1) <= problem.x_max)
        for lim in problem.limits:
            if problem.is_row(lim):
                a, b = problem.row(lim)
                lhs = x @ a[j]
                ok &= lhs <= b[j] + 1e-9 if lim.sense == "max" else lhs >= b[j] - 1e-9
        if ok.any():
            best = max(best, float((x[ok] @ slope[j]).max() + const[j]))
    assert column >= 0
    assert best <= objective * (1 + 1e-12)
    # the grid's best is within one grid step of the exact vertex optimum
    assert best >= objective - 1.0 * np.abs(slope).max() * 2


def test_one_source_blend_is_the_single_source_selection():
    # limiting case: S = 1 and only extensive or filter limits: the one-source problem
    rng = np.random.default_rng(7)
    n = 200
    coefficients = {
        "margin_usd_h": rng.normal(100.0, 30.0, n),
        "mill_power_kw": rng.uniform(8.0, 20.0, n),
        "gold_recovery_frac": rng.uniform(0.8, 0.95, n),
    }
    limits = (
        Limit("mill_power_kw", "max", 3000.0, "p"),
        Limit("gold_recovery_frac", "min", 0.85, "g"),
    )
    single = BlendProblem.one_source(
        coefficients, 50.0, 400.0, limits, {"margin_usd_h": 1.0}, "maximize", 1e-9
    )
    blend = BlendProblem(
        ("ore.main",),
        {k: coefficients[k][:, None] for k in ("margin_usd_h", "mill_power_kw")},
        {"gold_recovery_frac": coefficients["gold_recovery_frac"]},
        np.zeros(1),
        np.full(1, np.inf),
        50.0,
        400.0,
        limits,
        {"margin_usd_h": 1.0},
        "maximize",
        ratios={},
        mip_rel_gap=1e-9,
    )
    a, b = solve_blend(single), solve_blend(blend)
    assert a.status is SolveStatus.OPTIMAL
    assert b.column == a.column
    assert b.objective == pytest.approx(a.objective, rel=1e-9)
    assert b.ore_tph == pytest.approx(a.ore_tph, rel=1e-9)
    assert "constraints.ore.main.rate_tph_max" not in b.duals  # unbounded: no row
    assert b.duals["p"] == pytest.approx(a.duals["p"], rel=1e-9)
    # the one-source closed form (rate intervals) is the vertex enumeration's answer
    closed, vertices = enumerate_blend(single), enumerate_vertices(single)
    assert closed[0] == vertices[0] == a.column
    assert closed[2] == pytest.approx(vertices[2], rel=1e-12)
    np.testing.assert_allclose(closed[1], vertices[1], rtol=1e-12)


@pytest.mark.parametrize(
    "name", ["constraints.wad_cn_mg_l_max", "constraints.gold_recovery_frac_min"]
)
def test_ratio_limit_shadow_price_matches_a_finite_difference_of_the_model(name):
    import dataclasses

    problem = _random_blend(11, 60, 2)
    lim = next(lim for lim in problem.limits if lim.key == name)

    def with_value(v):
        # every row of the limit (WAD: one per tailings discharge) moves with it
        limits = [dataclasses.replace(m, value=v) if m.key == name else m for m in problem.limits]
        return dataclasses.replace(problem, limits=tuple(limits))

    # tighten until the limit binds at the optimum
    value = lim.value
    for _ in range(60):
        result = solve_blend(with_value(value))
        if result.status is SolveStatus.OPTIMAL and abs(result.duals[name]) > 1e-6:
            break
        value = value * 0.97 if lim.sense == "max" else min(value * 1.01, 0.99)
    assert abs(result.duals[name]) > 1e-6
    step = 1e-4 * abs(value)
    lo, hi = solve_blend(with_value(value - step)), solve_blend(with_value(value + step))
    assert lo.column == hi.column == result.column
    fd = (hi.objective - lo.objective) / (2 * step)
    assert fd == pytest.approx(result.duals[name], rel=1e-5)


# ---------------------------------------------------------------- cases


def test_two_sources_choose_a_verified_blend_equal_to_enumeration():
    result = run(two_ore())
    assert result.status == "optimal"
    blend = result.decisions["blend_tph"]
    assert set(blend) == {"ore.main", "ore.second"}
    assert blend["ore.main"] == pytest.approx(200.0, rel=1e-9)  # the richer pit at its limit
    assert 0.0 < blend["ore.second"] < 150.0
    assert result.decisions["ore_tph"] == pytest.approx(sum(blend.values()), rel=1e-12)
    enum = result.meta["enumeration"]
    assert enum["column"] == result.decisions["column"]
    assert enum["objective"] == pytest.approx(result.decisions["objective"], rel=1e-7)
    for src, tph in blend.items():
        assert enum["source_tph"][src] == pytest.approx(tph, rel=1e-6)
    # the envelope figures (circulating load, densities) are intensive: tabulated at the
    # written blend, they verify one round later, at the chosen one
    assert result.meta["blend"]["rounds"] == 2
    # equal work indices: the plant's extensive figures are additive, one round verifies
    report = '\n[constraints]\nenvelopes = "report"\n'
    reported = run(two_ore().replace("\n[constraints]\n", report, 1))
    assert reported.meta["blend"]["rounds"] == 1
    # the envelope binds here: the plan that ignores it makes more and warns
    assert reported.decisions["objective"] > result.decisions["objective"]
    assert any("envelope" in w for w in reported.plan.warnings)
    assert not any("envelope" in w for w in result.plan.warnings)
    assert result.meta["max_rel_diff"] <= 1e-6
    plan = result.plan
    assert plan.kpis["ore_tph"] == pytest.approx(result.decisions["ore_tph"], rel=1e-12)
    assert plan.kpis["cost_ore_usd_h"] == pytest.approx(
        25.0 * blend["ore.main"] + 12.0 * blend["ore.second"], rel=1e-12
    )
    prices = result.shadow_prices.set_index("limit")["shadow_price"]
    assert prices["constraints.ore.main.rate_tph_max"] > 0.0


def test_source_bound_shadow_price_matches_a_finite_difference():
    def text_of(hi):
        return two_ore(extra=BOUNDS.replace("rate_tph_max = 200.0", f"rate_tph_max = {hi!r}"))

    dual = (
        run(text_of(200.0))
        .shadow_prices.set_index("limit")
        .loc["constraints.ore.main.rate_tph_max", "shadow_price"]
    )
    fd = (
        run(text_of(201.0)).decisions["objective"] - run(text_of(199.0)).decisions["objective"]
    ) / 2
    assert fd == pytest.approx(dual, rel=1e-6)


def test_recovery_floor_binds_on_the_blend_and_its_shadow_price_matches():
    free = run(two_ore())
    floor = 0.87
    assert free.plan.kpis["gold_recovery_frac"] < floor
    result = run(with_recovery_floor(two_ore(), floor))
    assert result.status == "optimal"
    assert result.plan.kpis["gold_recovery_frac"] == pytest.approx(floor, rel=1e-6)
    # less of the lower-recovery pit than without the floor
    assert result.decisions["blend_tph"]["ore.second"] < free.decisions["blend_tph"]["ore.second"]
    prices = result.shadow_prices.set_index("limit")
    dual = prices.loc["constraints.gold_recovery_frac_min", "shadow_price"]
    assert dual < 0.0  # a higher floor costs margin
    assert prices.loc["constraints.gold_recovery_frac_min", "units"] == "USD/h per -"
    step = 5e-4
    lo = run(with_recovery_floor(two_ore(), floor - step))
    hi = run(with_recovery_floor(two_ore(), floor + step))
    assert lo.decisions["column"] == hi.decisions["column"] == result.decisions["column"]
    fd = (hi.decisions["objective"] - lo.decisions["objective"]) / (2 * step)
    assert fd == pytest.approx(dual, rel=1e-4)


def test_a_blend_far_from_the_tabulated_one_is_re_tabulated_until_it_verifies():
    # different work indices: the mill's rate-weighted Wi makes the plant non-additive
    result = run(two_ore(wi2=18.0, second_rate=10.0))
    rounds = result.meta["blend"]["history"]
    assert len(rounds) >= 2
    assert rounds[0]["max_rel_diff"] > 1e-6  # the first-order model missed at first
    assert result.status == "optimal"
    assert result.meta["max_rel_diff"] <= 1e-6
    assert rounds[-1]["tabulated_tph"] == pytest.approx(rounds[-2]["chosen_tph"], rel=1e-12)


def test_infeasible_source_bounds_are_explained():
    extra = BOUNDS.replace("rate_tph_max = 200.0", "rate_tph_max = 200.0\nrate_tph_min = 180.0")
    extra = extra.replace("rate_tph_max = 150.0", "rate_tph_max = 150.0\nrate_tph_min = 140.0")
    result = run(two_ore(extra=extra))
    assert result.status == "infeasible"
    text = "\n".join(result.explanation)
    assert "must move to" in text
    assert "rate_tph_min" in text or "constraints.ore_tph_max" in text


def test_bad_source_bounds_are_case_errors():
    with pytest.raises(CaseError) as info:
        parse_case(two_ore(extra="\n[constraints.ore.thrid]\nrate_tph_max = 5.0\n"), "bad.toml")
    assert info.value.problems[0].key == "constraints.ore.thrid"
    with pytest.raises(CaseError) as info:
        parse_case(
            two_ore(extra="\n[constraints.ore.second]\nrate_tph_min = 50.0\nrate_tph_max = 5.0\n"),
            "bad.toml",
        )
    assert info.value.problems[0].key == "constraints.ore.second.rate_tph_min"
    with pytest.raises(CaseError) as info:
        parse_case(two_ore().replace("second = 12.0", "secnd = 12.0"), "bad.toml")
    assert info.value.problems[0].key == "economics.ore_usd_t.secnd"


def test_cli_prints_the_blend_per_source(tmp_path, capsys):
    path = tmp_path / "blend.toml"
    path.write_text(two_ore(), encoding="utf-8")
    assert main(["optimize", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc["decisions"]["blend_tph"]) == {"ore.main", "ore.second"}
    assert doc["meta"]["optimize"]["blend"]["stopped"] == "verified"
    assert main(["optimize", str(path)]) == 0
    out = capsys.readouterr().out
    assert "ore.main rate" in out and "ore.second rate" in out
    assert "ore cost" in out


@pytest.mark.parametrize(("seed", "n_src"), [(0, 2), (1, 3), (2, 2)])
def test_blend_pruning_never_changes_the_optimum(seed, n_src):
    import dataclasses

    from oreflow.solvers.blend import prune_blend

    problem = _random_blend(seed, 2000, n_src)
    # a dominated copy of every column: a little less margin, a little more power
    worse = dataclasses.replace(
        problem,
        derivatives={
            k: np.concatenate(
                [v, v - 1.0 if k == "margin_usd_h" else v * 1.01 if k == "mill_power_kw" else v]
            )
            for k, v in problem.derivatives.items()
        },
        values={k: np.concatenate([v, v]) for k, v in problem.values.items()},
    )
    keep = prune_blend(worse)
    assert not np.any(keep >= problem.n)  # every copy is dropped
    full = enumerate_blend(worse)
    result = solve_blend(worse)
    assert result.column == full[0]
    assert result.objective == pytest.approx(full[2], rel=1e-9)


@pytest.mark.parametrize(("seed", "n_src"), [(0, 2), (1, 3)])
def test_blend_pruning_weighs_each_columns_own_right_hand_side(seed, n_src):
    import dataclasses

    from oreflow.solvers.blend import prune_blend

    # the fixed cost follows each column's capital, so a floor on the margin has each
    # column's own right-hand side (BlendProblem.row): a copy of every column with more
    # gold but a fixed cost no rate pays back beats none of them
    problem = _random_blend(seed, 500, n_src)
    n = problem.n
    richer = dataclasses.replace(
        problem,
        derivatives={
            k: np.concatenate([v, v * 1.01 if k == "gold_produced_g_h" else v])
            for k, v in problem.derivatives.items()
        },
        values={k: np.concatenate([v, v]) for k, v in problem.values.items()},
        limits=(*problem.limits, Limit("margin_usd_h", "min", 0.0, "constraints.min.margin")),
        weights={"gold_produced_g_h": 1.0},
        constants={"margin_usd_h": np.concatenate([np.full(n, -5e3), np.full(n, -1e6)])},
    )
    full = enumerate_blend(richer)
    assert 0 <= full[0] < n  # the optimum is an original column
    keep = prune_blend(richer)
    part = enumerate_blend(richer.subset(keep))
    assert part[0] >= 0  # (pruning blind to the right-hand side keeps only the copies)
    assert int(keep[part[0]]) == full[0]
    assert part[2] == full[2]
    result = solve_blend(richer)
    assert result.column == full[0]
    assert result.objective == pytest.approx(full[2], rel=1e-9)
