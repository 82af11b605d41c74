"""Optimizer: MILP vs exhaustive enumeration, binding limits and shadow prices,
infeasibility explained in plant terms, time limits, verification by simulation."""

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest

from oreflow.cli import main
from oreflow.errors import CaseError
from oreflow.flowsheet.case import parse_case
from oreflow.flowsheet.optimization import Limit
from oreflow.solvers.blend import BlendProblem, enumerate_blend, prune_blend, solve_blend
from oreflow.solvers.highs import SolveStatus
from oreflow.solvers.optimize import optimize

ROOT = Path(__file__).resolve().parents[2]
CASE_PATH = ROOT / "cases" / "free_milling_cil.toml"
SHIPPED = CASE_PATH.read_text(encoding="utf-8")
# The duality and front tests check the LP to 1e-6 against finite differences of
# re-optimized plans: the plant's economics must be linear in its rate for that, so the
# fixed cost is one figure here (the header's build-up as designed). Maintenance on the
# capital (capital_fixed_frac_y) is concave in the rate and steps with a cyclone more;
# tests/solvers/test_capital_fixed_cost.py checks it.
CASE = re.sub(r"^fixed_usd_h = .*$", "fixed_usd_h = 1122.39", SHIPPED, count=1, flags=re.M)
CASE = re.sub(r"^capital_fixed_frac_y = .*$", "capital_fixed_frac_y = 0.0", CASE, flags=re.M)
assert "capital_fixed_frac_y = 0.0" in CASE

pytestmark = pytest.mark.solver


def run(text: str):
    return optimize(parse_case(text, "opt.toml"))


def with_constraint(old: str, new: str) -> str:
    assert old in CASE
    return CASE.replace(old, new)


def test_shipped_case_optimum_equals_enumeration_and_is_verified():
    result = optimize(parse_case(SHIPPED, str(CASE_PATH)))
    assert result.status == "optimal"
    enum = result.meta["enumeration"]
    assert enum["column"] == result.decisions["column"]
    assert result.decisions["objective"] == pytest.approx(enum["objective"], rel=1e-6)
    assert result.meta["max_rel_diff"] <= 1e-6
    assert result.plan.kpis["closure_max_rel"] <= 1e-9


def _finite_difference(text_of, limit: float, step: float) -> float:
    lo = run(text_of(limit - step)).decisions["objective"]
    hi = run(text_of(limit + step)).decisions["objective"]
    return (hi - lo) / (2 * step)


def test_tank_volume_binds_and_its_shadow_price_matches_a_finite_difference():
    def text_of(v):
        return with_constraint(
            '"units.cil.tank_volume_m3" = 1100.0', f'"units.cil.tank_volume_m3" = {v!r}'
        )

    result = run(text_of(1100.0))
    prices = result.shadow_prices.set_index("limit")
    dual = prices.loc["constraints.max.units.cil.tank_volume_m3", "shadow_price"]
    assert dual > 0
    assert _finite_difference(text_of, 1100.0, 5.0) == pytest.approx(dual, rel=1e-6)
    assert prices.loc["constraints.max.units.cil.tank_volume_m3", "units"] == "USD/h per m³"


def test_mill_power_binds_and_its_shadow_price_matches_a_finite_difference():
    def text_of(kw):
        text = with_constraint("mill_power_kw_max = 3363.4", f"mill_power_kw_max = {kw!r}")
        return text.replace(
            '"units.cil.tank_volume_m3" = 1100.0', '"units.cil.tank_volume_m3" = 5000.0'
        )

    result = run(text_of(2600.0))
    dual = result.shadow_prices.set_index("limit").loc[
        "constraints.mill_power_kw_max", "shadow_price"
    ]
    assert dual > 0
    assert result.plan.kpis["mill_power_kw"] == pytest.approx(2600.0, rel=1e-9)
    assert _finite_difference(text_of, 2600.0, 10.0) == pytest.approx(dual, rel=1e-6)


def test_ore_available_binds_and_its_shadow_price_matches_a_finite_difference():
    def text_of(t):
        text = with_constraint("ore_tph_max = 283.0", f"ore_tph_max = {t!r}")
        return text.replace(
            '"units.cil.tank_volume_m3" = 1100.0', '"units.cil.tank_volume_m3" = 5000.0'
        )

    result = run(text_of(200.0))
    assert result.decisions["ore_tph"] == pytest.approx(200.0)
    dual = result.shadow_prices.set_index("limit").loc["ore_tph_max", "shadow_price"]
    assert dual > 0
    assert _finite_difference(text_of, 200.0, 1.0) == pytest.approx(dual, rel=1e-6)


def test_recovery_floor_changes_the_choice():
    free = run(CASE)
    floor = float(free.plan.kpis["gold_recovery_frac"]) + 0.004
    bound = run(
        with_constraint(
            "mill_power_kw_max = 3363.4",
            f"mill_power_kw_max = 3363.4\ngold_recovery_frac_min = {floor!r}",
        )
    )
    assert bound.status == "optimal"
    assert bound.plan.kpis["gold_recovery_frac"] >= floor - 1e-9
    assert bound.decisions["objective"] <= free.decisions["objective"]
    assert bound.decisions["modes"] != free.decisions["modes"]


def test_infeasible_case_is_explained_in_plant_terms(capsys, tmp_path):
    text = with_constraint(
        "mill_power_kw_max = 3363.4", "mill_power_kw_max = 3363.4\ngold_recovery_frac_min = 0.97"
    )
    result = run(text)
    assert result.status == "infeasible"
    assert any(
        "constraints.gold_recovery_frac_min" in line and "must move to" in line
        for line in result.explanation
    )
    path = tmp_path / "inf.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["optimize", str(path), "--json"]) == 3
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "infeasible"
    assert doc["verification"]["explanation"]


def test_wad_limit_without_detox_names_the_cyanide_limit():
    text = CASE.replace('inlets.feed = "detox.out"', 'inlets.feed = "cil.tails"')
    text = text.replace(
        '[units.detox]\ntype = "inco_detox"\ninlets.feed = "cil.tails"\nwad_target_mg_l = 20.0\nso2_source = "smbs"\n',
        "",
    )
    result = run(text)
    assert result.status == "infeasible"
    assert any(line.startswith("constraints.wad_cn_mg_l_max") for line in result.explanation)


def test_a_plan_that_is_not_linear_in_throughput_is_not_called_optimal():
    # without the energy-per-tonne mode the mill keeps its fixed power, so more ore
    # means a coarser grind: the per-tonne model no longer holds at the chosen rate
    text = CASE.replace(
        "[units.mill.modes]            # grinding energy per tonne of ore: installed power is a constraint\nspecific_energy_kwh_t = [11.0, 13.0, 15.0, 17.0, 19.0]\n",
        "",
    )
    result = run(text)
    assert result.status == "unverified"
    assert result.meta["max_rel_diff"] > 1e-6


def test_bad_optimization_input_is_a_case_error():
    with pytest.raises(CaseError) as info:
        parse_case(
            CASE.replace("d50c_um = [65.0, 80.0, 95.0, 110.0]", "d50c_mm = [65.0]"), "bad.toml"
        )
    assert info.value.problems[0].key == "units.cyclone.modes.d50c_mm"
    with pytest.raises(CaseError) as info:
        parse_case(
            CASE.replace("d50c_um = [65.0, 80.0, 95.0, 110.0]", "d50c_um = [-5.0]"), "bad.toml"
        )
    assert "out of range" in info.value.problems[0].message
    with pytest.raises(CaseError) as info:
        run(CASE.replace('"units.cil.tank_volume_m3" = 1100.0', '"units.cil.tank_m3" = 1100.0'))
    assert "units.cil.tank_m3" in info.value.problems[0].message


def _random_problem(seed: int, n: int) -> BlendProblem:
    rng = np.random.default_rng(seed)
    coefficients = {
        "margin_usd_h": rng.normal(100.0, 30.0, n),  # per t/h
        "mill_power_kw": rng.uniform(8.0, 20.0, n),  # kWh/t
        "units.cil.tank_volume_m3": rng.uniform(3.0, 6.0, n),
        "reagent_kg_h": rng.uniform(0.5, 2.0, n),
        "gold_recovery_frac": rng.uniform(0.8, 0.95, n),
    }
    limits = (
        Limit("mill_power_kw", "max", 3000.0, "p"),
        Limit("units.cil.tank_volume_m3", "max", 1100.0, "t"),
        Limit("reagent_kg_h", "min", 150.0, "r"),
        Limit("gold_recovery_frac", "min", 0.85, "g"),
    )
    return BlendProblem.one_source(
        coefficients, 50.0, 400.0, limits, {"margin_usd_h": 1.0}, "maximize", 1e-9
    )


@pytest.mark.parametrize("seed", range(6))
def test_milp_equals_enumeration_on_random_superstructures(seed):
    problem = _random_problem(seed, 400)
    result = solve_blend(problem)
    column, ore, objective = enumerate_blend(problem)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(objective, rel=1e-7)
    assert result.column == column
    assert result.ore_tph == pytest.approx(ore[0], rel=1e-7)


def test_infeasible_and_time_limited_solves_are_statuses():
    problem = _random_problem(0, 50)
    impossible = dataclasses.replace(
        problem, limits=(*problem.limits, Limit("gold_recovery_frac", "min", 0.99, "g2"))
    )
    assert solve_blend(impossible).status is SolveStatus.INFEASIBLE
    assert enumerate_blend(impossible)[0] == -1
    rng = np.random.default_rng(1)
    n = 20000
    big = BlendProblem.one_source(
        {"margin_usd_h": rng.normal(100.0, 30.0, n), "mill_power_kw": rng.uniform(8.0, 20.0, n)},
        0.0,
        400.0,
        (Limit("mill_power_kw", "max", 3000.0, "p"),),
        {"margin_usd_h": 1.0},
        "maximize",
        0.0,
        1e-3,
    )
    assert solve_blend(big).status in (SolveStatus.TIME_LIMIT, SolveStatus.OPTIMAL)


def test_cli_optimize_prints_plan_and_writes_files(capsys, tmp_path):
    out = tmp_path / "plan"
    assert main(["optimize", str(CASE_PATH), "--json", "--out", str(out)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "optimal"
    assert set(doc["decisions"]["modes"]) == {
        "units.mill.specific_energy_kwh_t",
        "units.cyclone.d50c_um",
        "units.cil.residence_h",
        "units.cil.nacn_mg_l",
    }
    assert doc["verification"]["verified"] is True
    assert any(p["binding"] for p in doc["verification"]["shadow_prices"])
    saved = json.loads((out / "result.json").read_text())
    assert saved["decisions"] == doc["decisions"]


@pytest.mark.parametrize("mode", ["jit", "python"])
def test_nondominated_mask_matches_brute_force(mode):
    from oreflow.kernels.selection import nondominated_mask

    fn = (
        nondominated_mask
        if mode == "jit"
        else getattr(nondominated_mask, "py_func", nondominated_mask)
    )
    rng = np.random.default_rng(3)
    crit = np.round(rng.uniform(0, 1, (300, 3)), 1)  # rounding makes ties and duplicates
    mask = fn(crit)
    for j in range(len(crit)):
        dominated_by_kept = any(
            mask[i] and i != j and np.all(crit[i] >= crit[j]) for i in range(len(crit))
        )
        assert mask[j] != dominated_by_kept
    # every dropped column has a kept column at least as good everywhere
    assert mask.sum() >= 1


@pytest.mark.parametrize("mode", ["jit", "python"])
def test_skyline_mask_tries_the_last_dominating_column_first_and_keeps_the_same(mode):
    # one column dominating most others (the superstructure's case), so that the kept
    # columns are tried in a changing order: the kept set is still the definition's
    from oreflow.kernels.selection import skyline_mask

    fn = skyline_mask if mode == "jit" else getattr(skyline_mask, "py_func", skyline_mask)
    rng = np.random.default_rng(5)
    crit = np.round(rng.uniform(0, 1, (400, 3)), 1)
    crit[rng.choice(400, 150, replace=False)] *= 0.3  # many dominated by a few
    order = np.argsort(-crit.sum(axis=1), kind="mergesort")  # no row beats an earlier one
    mask = fn(crit, order)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    for j in range(len(crit)):
        dominated = any(
            mask[i] and rank[i] < rank[j] and np.all(crit[i] >= crit[j]) for i in range(len(crit))
        )
        assert mask[j] != dominated


@pytest.mark.parametrize("seed", range(4))
def test_pruning_never_changes_the_optimum(seed):
    problem = _random_problem(seed, 3000)
    keep = prune_blend(problem)
    assert len(keep) < problem.n
    full = enumerate_blend(problem)
    part = enumerate_blend(problem.subset(keep))
    assert part[2] == pytest.approx(full[2], rel=1e-12)


@pytest.mark.parametrize(
    ("seed", "x_min", "x_max"), [(0, 150.0, 150.0), (1, 180.0, 180.0), (2, 50.0, 400.0)]
)
def test_one_rate_pruning_keeps_the_optimum(seed, x_min, x_max):
    # one source: the criteria are the objective and the rows' slacks at the rate bounds
    problem = dataclasses.replace(_random_problem(seed, 3000), x_min=x_min, x_max=x_max)
    keep = prune_blend(problem)
    full = enumerate_blend(problem)
    part = enumerate_blend(problem.subset(keep))
    assert full[0] >= 0
    assert int(keep[part[0]]) == full[0]
    assert part[2] == full[2]
    result = solve_blend(problem)
    assert result.column == full[0]
    assert result.objective == pytest.approx(full[2], rel=1e-9)


def _one_source_problem(rng: np.random.Generator, sense: str, x_min: float, x_max: float):
    """A one-source problem with ties (rounded coefficients), upper and lower rows, a
    ratio limit, per-column constants and, for ``minimize``, a cost objective."""
    n = int(rng.integers(20, 80))

    def draw(lo, hi):
        return np.round(rng.uniform(lo, hi, n), int(rng.integers(0, 2)))

    figures = {
        "margin_usd_h": draw(-50.0, 150.0),
        "mill_power_kw": draw(5.0, 20.0),
        "reagent_kg_h": draw(0.5, 2.0),
        "gold_produced_g_h": draw(2.0, 5.0),
        "au_feed_g_h": draw(4.0, 6.0),
        "co2_kg_h": draw(-1.0, 3.0),
    }
    limits = (
        Limit("mill_power_kw", "max", float(rng.uniform(1500.0, 4000.0)), "p"),
        Limit("reagent_kg_h", "min", float(rng.uniform(20.0, 120.0)), "r"),
        Limit("gold_recovery_frac", "min", float(rng.uniform(0.6, 0.8)), "g"),  # a ratio
        Limit("co2_kg_h", "max", float(rng.uniform(100.0, 400.0)), "c"),
    )
    constants = {  # each column's own part that does not scale with the rate
        "margin_usd_h": draw(-3000.0, 0.0),
        "gold_produced_g_h": draw(-50.0, 50.0),
        "co2_kg_h": draw(-50.0, 50.0),
    }
    weights = {"margin_usd_h": 1.0} if sense == "maximize" else {"mill_power_kw": 1.0}
    return BlendProblem(
        ("ore",),
        {k: v[:, None] for k, v in figures.items()},
        {},
        np.zeros(1),
        np.full(1, np.inf),
        x_min,
        x_max,
        limits,
        weights,
        sense,
        constants=constants,
        mip_rel_gap=1e-9,
    )


@pytest.mark.parametrize("sense", ["maximize", "minimize"])
@pytest.mark.parametrize(("x_min", "x_max"), [(120.0, 120.0), (40.0, 300.0), (60.0, np.inf)])
def test_one_rate_pruning_equals_enumeration(sense, x_min, x_max):
    # lower rows, a ratio limit, per-column right-hand sides, an unbounded rate and ties:
    # the kept columns hold the optimum of all usable ones; at a fixed rate, one feasible
    # plan is kept (of the optimum) and besides it only infeasible ones of a better objective
    rng = np.random.default_rng(7)
    sign = 1.0 if sense == "maximize" else -1.0
    n_feasible = 0
    for _ in range(40):
        problem = _one_source_problem(rng, sense, x_min, x_max)
        usable = np.flatnonzero(problem.usable())
        keep = prune_blend(problem)
        full = enumerate_blend(problem.subset(usable))
        part = enumerate_blend(problem.subset(keep))
        assert (part[0] == -1) == (full[0] == -1)
        if full[0] == -1:
            continue
        n_feasible += 1
        assert part[2] == full[2]
        if x_min == x_max:
            slope, const = problem.objective()
            value = slope[keep, 0] * x_min + const[keep]
            plans = [enumerate_blend(problem.subset(np.array([col]))) for col in keep]
            for (col, _, objective), v in zip(plans, value, strict=True):
                assert objective == full[2] if col == 0 else sign * v > sign * full[2]
            assert sum(col == 0 for col, _, _ in plans) == 1  # one of tied optima
    assert n_feasible >= 10


def test_one_rate_pruning_on_an_unbounded_rate_weighs_the_slope():
    # at the least rate column 0 earns more, and at zero rate too; past 150 t/h column 1
    # does, up to the power limit's 300 t/h: the slope decides, not the rate bound
    problem = BlendProblem.one_source(
        {"margin_usd_h": np.array([100.0, 120.0]), "mill_power_kw": np.array([10.0, 10.0])},
        60.0,
        np.inf,
        (Limit("mill_power_kw", "max", 3000.0, "p"),),
        {"margin_usd_h": 1.0},
        "maximize",
        constants={"margin_usd_h": np.array([0.0, -3000.0])},
    )
    assert list(prune_blend(problem)) == [0, 1]
    column, ore, objective = enumerate_blend(problem)
    assert (column, objective) == (1, 33000.0)
    assert ore[0] == pytest.approx(300.0, rel=1e-12)


def test_a_nan_right_hand_side_makes_a_column_unusable():
    # column 0's CO2 has a NaN fixed part: its limit row cannot be shown met, as with a
    # NaN coefficient (the MILP would refuse the NaN bound)
    problem = BlendProblem.one_source(
        {"margin_usd_h": np.array([120.0, 100.0]), "co2_kg_h": np.array([1.0, 1.0])},
        50.0,
        150.0,
        (Limit("co2_kg_h", "max", 1000.0, "c"),),
        {"margin_usd_h": 1.0},
        "maximize",
        constants={"co2_kg_h": np.array([np.nan, 0.0])},
    )
    assert list(problem.usable()) == [False, True]
    assert list(prune_blend(problem)) == [1]
    result = solve_blend(problem)
    assert (result.status, result.column) == (SolveStatus.OPTIMAL, 1)
    assert result.objective == pytest.approx(15000.0, rel=1e-9)


def test_ties_at_a_fixed_rate_keep_the_plan_of_most_slack():
    # equal margin, both plans feasible: the one farther from the power limit is kept
    coefficients = {
        "margin_usd_h": np.array([100.0, 100.0, 100.0]),
        "mill_power_kw": np.array([15.0, 10.0, 12.0]),
    }
    limit = (Limit("mill_power_kw", "max", 3000.0, "p"),)
    fixed = BlendProblem.one_source(
        coefficients, 150.0, 150.0, limit, {"margin_usd_h": 1.0}, "maximize"
    )
    assert list(prune_blend(fixed)) == [1]
    assert solve_blend(fixed).column == 1
    # equal slack too: the first of the equal columns
    same = BlendProblem.one_source(
        {k: v[[0, 0]] for k, v in coefficients.items()},
        150.0,
        150.0,
        limit,
        {"margin_usd_h": 1.0},
        "maximize",
    )
    assert list(prune_blend(same)) == [0]


def test_route_choice_between_whole_ore_pox_ultrafine_and_cyanide_free_routes():
    path = ROOT / "cases" / "refractory_route_choice.toml"
    result = optimize(parse_case(path.read_text(encoding="utf-8"), str(path)))
    assert result.status == "optimal"
    routes = result.routes
    assert len(routes) == 12  # flotation 2 x oxidation 3 x leach 2
    assert set(routes["cil"]) == {"as written", "thiosulfate"}
    best = routes.iloc[0]
    assert result.decisions["route"] == {k: best[k] for k in ("flotation", "pox", "cil")}
    assert result.decisions["objective"] == pytest.approx(best["objective"], rel=1e-6)
    assert result.meta["enumeration"]["objective"] == pytest.approx(
        result.decisions["objective"], rel=1e-6
    )
    # the chosen route is re-simulated as that route: a bypassed unit's stream is empty
    plan = result.plan
    if result.decisions["route"]["flotation"] == "none":
        assert plan.streams.loc["flotation.tails", "solids_tph"] == 0.0
    assert plan.kpis["closure_max_rel"] <= 1e-9


def test_options_are_validated(tmp_path):
    path = ROOT / "cases" / "refractory_route_choice.toml"
    text = path.read_text(encoding="utf-8")
    bad = text.replace(
        'outlets = { loaded_carbon = "loaded_resin" }',
        'outlets = { loaded_carbon = "loaded_rezin" }',
    )
    with pytest.raises(CaseError) as info:
        parse_case(bad, "bad.toml")
    assert any(
        "loaded_rezin" in p.message and p.key.startswith("units.cil.options.thiosulfate")
        for p in info.value.problems
    )
    bad = text.replace('type = "bypass"\nto = "concentrate"', 'type = "bypass"\nto = "froth"')
    with pytest.raises(CaseError) as info:
        parse_case(bad, "bad.toml")
    assert info.value.problems[0].key == "units.flotation.options.none.to"
    bad = text.replace(
        "[units.cil.options.thiosulfate.leach.au_silicate]\nk_per_h = 0.08",
        "[units.cil.options.thiosulfate.leach.au_silicate]\nk_per_h = -0.08",
    )
    with pytest.raises(CaseError) as info:
        parse_case(bad, "bad.toml")
    assert "out of range" in info.value.problems[0].message


def test_pareto_front_is_monotone_and_its_ends_are_the_single_objective_optima(tmp_path, capsys):
    from oreflow.solvers.pareto import pareto

    spec = parse_case(CASE, str(CASE_PATH))
    front = pareto(spec, "gold_recovery_frac", "margin_usd_h", 6)
    ok = front[front["status"] == "optimal"]
    assert len(ok) == 6
    assert np.all(np.diff(ok["x"].to_numpy()) >= -1e-12)  # recovery rises along the front
    assert np.all(np.diff(ok["y"].to_numpy()) <= 1e-9)  # margin never rises with it
    best_margin = optimize(spec).decisions["objective"]
    assert ok["y"].iloc[0] == pytest.approx(best_margin, rel=1e-9)
    recovery_spec = parse_case(
        CASE.replace('kpi = "margin_usd_h"', 'kpi = "gold_recovery_frac"'), "rec.toml"
    )
    best_recovery = optimize(recovery_spec).decisions["objective"]
    assert ok["x"].iloc[-1] == pytest.approx(best_recovery, rel=1e-9)
    assert np.allclose(ok["y"], ok["y_enumeration"], rtol=1e-9)
    out = tmp_path / "front"
    assert (
        main(
            [
                "pareto",
                str(CASE_PATH),
                "--x",
                "gold_recovery_frac",
                "--y",
                "margin_usd_h",
                "--points",
                "4",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert (out / "pareto.png").stat().st_size > 1000
    assert "margin_usd_h" in capsys.readouterr().out


def test_compare_puts_routes_side_by_side(capsys):
    glycine = ROOT / "cases" / "free_milling_glycine.toml"
    assert main(["compare", str(CASE_PATH), str(glycine), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    kpis = doc["kpis"]
    assert set(kpis) == {"free_milling_cil", "free_milling_glycine"}
    assert (
        kpis["free_milling_cil"]["gold_recovery_frac"]
        > kpis["free_milling_glycine"]["gold_recovery_frac"]
    )
    assert doc["notes"] == []  # the same ore


def test_optimize_without_a_case_chooses_a_route_for_the_refractory_ore(capsys):
    assert main(["optimize"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("refractory_route_choice: optimal")
    assert "next best route" in out


def test_refinement_narrows_the_grid_and_never_loses_objective():
    from oreflow.solvers.optimize import refine

    text = CASE.replace(
        "residence_h = [16.0, 20.0, 24.0, 28.0, 32.0]", "residence_h = [12.0, 24.0, 36.0]"
    )
    spec = parse_case(text, "coarse.toml")
    coarse = optimize(spec)
    fine = refine(spec, rounds=4, points=5)
    history = fine.meta["refinement"]["objective_by_round"]
    assert fine.status == "optimal"
    assert history[0] == pytest.approx(coarse.decisions["objective"], rel=1e-12)
    assert np.all(np.diff(history) >= -1e-9 * abs(history[0]))
    assert (
        fine.decisions["objective"] > coarse.decisions["objective"]
    )  # the coarse grid missed the best residence
    chosen = fine.decisions["modes"]["units.cil.residence_h"]
    assert 12.0 < chosen < 36.0 and chosen not in (12.0, 24.0, 36.0)
    assert fine.meta["max_rel_diff"] <= 1e-6


def test_lexicographic_objective_holds_the_first_level_and_optimises_the_second():
    lexi = (
        'sense = "maximize"\nlexicographic = [\n'
        '    { kpi = "margin_usd_h", sense = "maximize", tol_frac = 0.02 },\n'
        '    { kpi = "residue_storage_m3_h", sense = "minimize" },\n]'
    )
    text = CASE.replace('sense = "maximize"\nkpi = "margin_usd_h"', lexi)
    result = run(text)
    best = run(CASE)
    assert result.status == "optimal"
    margin = result.plan.kpis["margin_usd_h"]
    assert margin >= 0.98 * best.decisions["objective"] - 1e-6
    assert result.plan.kpis["residue_storage_m3_h"] < best.plan.kpis["residue_storage_m3_h"]
    assert result.meta["lexicographic_levels"][0] == pytest.approx(
        best.decisions["objective"], rel=1e-9
    )
    with pytest.raises(CaseError):
        parse_case(
            CASE.replace('kpi = "margin_usd_h"', 'kpi = "margin_usd_h"\n' + lexi.split("\n", 1)[1]),
            "both.toml",
        )


@pytest.mark.solver
def test_the_selection_model_refuses_an_unbounded_ore_rate():
    # x <= inf * y does not tie a column's rate to its choice: HiGHS then answered
    # INFEASIBLE where enumeration finds a plan. No case file reaches it (ore_tph_max must
    # be finite); a problem built in code gets an error instead of a wrong plan.
    problem = _one_source_problem(np.random.default_rng(3), "maximize", 60.0, np.inf)
    with pytest.raises(ValueError, match="finite ore rate bound"):
        solve_blend(problem)
