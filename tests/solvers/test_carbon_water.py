"""CO2 per tonne and per ounce by source, the site water balance, their factors as case
data, and both as limits, objectives and Pareto axes of the optimizer (HiGHS against
enumeration of the same columns)."""

import json
from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.cli import main
from oreflow.conventions import RTOL_CLOSURE
from oreflow.errors import CaseError
from oreflow.flowsheet.case import parse_case
from oreflow.flowsheet.emissions import REAGENT_KG_CO2_KG
from oreflow.solvers.optimize import optimize
from oreflow.solvers.pareto import default_sense, pareto

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "cases"
SHIPPED = sorted(CASES.glob("*.toml"))
RESIDUE_USE = CASES / "free_milling_residue_use.toml"
RESIDUE_TEXT = RESIDUE_USE.read_text(encoding="utf-8")
SOURCES = ("direct", "electricity", "oxygen", "heat", "transport", "reagents")


def kpis_of(text: str, name: str = "case.toml"):
    return oreflow.simulate(parse_case(text, name)).kpis


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_co2_is_the_sum_of_its_sources_and_the_water_balance_closes(path):
    k = oreflow.simulate(path).kpis
    total = sum(k[f"co2_{s}_kg_h"] for s in SOURCES)
    assert k["co2_kg_h"] == pytest.approx(total, rel=1e-12)
    items = [n for n in k.index if n.startswith("co2_reagent_") and n.endswith("_kg_h")]
    assert sum(k[n] for n in items) == pytest.approx(k["co2_reagents_kg_h"], rel=1e-12)
    assert k["co2_electricity_kg_h"] == pytest.approx(k["electricity_kw"] * 0.5366, rel=1e-12)
    assert k["co2_kg_t"] == pytest.approx(k["co2_kg_h"] / k["ore_tph"], rel=1e-12)
    assert k["co2_kg_oz"] == pytest.approx(k["co2_kg_h"] / k["gold_products_oz_h"], rel=1e-12)
    assert k["water_balance_rel_err"] <= RTOL_CLOSURE
    assert k["water_m3_t"] == pytest.approx(k["water_fresh_m3_h"] / k["ore_tph"], rel=1e-12)
    out = sum(
        k[f"water_to_{d}_m3_h"]
        for d in ("residue", "water_products", "other_products", "atmosphere")
    )
    assert k["water_ore_m3_h"] + k["water_fresh_m3_h"] + k["water_reacted_m3_h"] == pytest.approx(
        out, rel=1e-9
    )


def test_direct_co2_is_what_the_vents_and_the_limestone_release():
    r = oreflow.simulate(CASES / "refractory_pox_cil.toml")
    metrics = r.units.set_index(["unit", "metric"])["value"]
    vented = sum(v for (u, m), v in metrics.items() if m == "co2_kg_h" and u.startswith("vent"))
    limestone = sum(v for (_, m), v in metrics.items() if m == "co2_released_kg_h")
    assert limestone > 1000.0  # 66 kg/t of limestone at 181 t/h
    assert r.kpis["co2_direct_kg_h"] == pytest.approx(vented + limestone, rel=1e-12)
    # the oxygen plant's power: O2 bought x kWh/kg x grid factor
    o2_kg_h = r.kpis["use_o2_kg_t"] * r.kpis["ore_tph"]
    assert r.kpis["co2_oxygen_kg_h"] == pytest.approx(o2_kg_h * 0.40 * 0.5366, rel=1e-12)


def test_trucked_concentrate_is_counted_as_diesel_per_tonne_km():
    r = oreflow.simulate(CASES / "satellite_concentrator.toml")
    haul = r.units.query("type == 'haulage'")
    t_km = haul.query("metric == 't_km_h'")["value"].sum()
    wet = haul.query("metric == 'wet_tph'")["value"].sum()
    assert t_km > 0.0 and wet > 0.0
    assert r.kpis["co2_transport_kg_h"] == pytest.approx(t_km * 0.08, rel=1e-12)


def test_doré_gold_per_hour_is_the_daily_production():
    k = oreflow.simulate(CASES / "free_milling_cil.toml").kpis
    assert k["gold_products_oz_h"] * 24.0 == pytest.approx(k["gold_produced_oz_d"], rel=1e-12)


def test_emission_factors_are_case_data_and_move_only_their_line():
    base = kpis_of(RESIDUE_TEXT)
    doubled = kpis_of(
        RESIDUE_TEXT.replace("grid_kg_co2_kwh = 0.5366", "grid_kg_co2_kwh = 1.0732")
        + "\n[emissions.reagent_kg_co2_kg]\nbinder = 1.6\n"
    )
    for line in ("electricity", "oxygen"):
        assert doubled[f"co2_{line}_kg_h"] == pytest.approx(2 * base[f"co2_{line}_kg_h"], rel=1e-12)
    assert base["co2_reagent_binder_kg_h"] > 0.0
    assert doubled["co2_reagent_binder_kg_h"] == pytest.approx(
        2 * base["co2_reagent_binder_kg_h"], rel=1e-12
    )
    assert doubled["co2_direct_kg_h"] == base["co2_direct_kg_h"]
    assert doubled["co2_reagent_nacn_kg_h"] == base["co2_reagent_nacn_kg_h"]
    # the case's binder factor equals the default table's (0.8) doubled
    assert REAGENT_KG_CO2_KG["binder"][0] * 2 == pytest.approx(1.6)


def test_bad_emission_keys_are_named():
    text = RESIDUE_TEXT.replace(
        "grid_kg_co2_kwh = 0.5366", "grid_kg_co2_kwh = -1.0\ngrid_factor = 2.0"
    ) + ("\n[emissions.reagent_kg_co2_kg]\nnacn = -3.0\no2 = 0.1\n")
    with pytest.raises(CaseError) as info:
        parse_case(text, "bad.toml")
    keys = {p.key for p in info.value.problems}
    assert keys == {
        "emissions.grid_kg_co2_kwh",
        "emissions.grid_factor",
        "emissions.reagent_kg_co2_kg.nacn",
        "emissions.reagent_kg_co2_kg.o2",
    }


def test_shipped_residue_case_uses_more_than_35_percent_all_eligible():
    r = oreflow.simulate(RESIDUE_USE)
    k = r.kpis
    assert k["residue_utilisation_frac"] >= 0.35
    assert k["residue_not_eligible_tph"] == 0.0
    flags = r.units.query("metric == 'eligible_flag'")
    assert set(flags["unit"]) == {"paste", "bricks"}
    assert (flags["value"] == 1.0).all()
    assert k["closure_max_rel"] <= 1e-9
    # the paste's make-up water is fresh water that leaves underground
    paste = r.units.query("unit == 'paste'").set_index("metric")["value"]
    assert paste["makeup_water_tph"] > 0.0
    assert k["water_to_backfill_m3_h"] == pytest.approx(
        paste["water_tph"] + paste["makeup_water_tph"], rel=1e-12
    )


def test_utilisation_co2_and_water_are_better_large_or_small():
    assert default_sense("residue_utilisation_frac") == "maximize"
    assert default_sense("co2_kg_oz") == "minimize"
    assert default_sense("water_m3_t") == "minimize"


# --- the optimizer -----------------------------------------------------------------------

TARGET = 'residue_splitter = "split"\nresidue_utilisation_frac_min = 0.35'


def residue_case(extra_max: str = "", objective: str = "") -> str:
    text = RESIDUE_TEXT.replace('residue_splitter = "split"', TARGET)
    text = text.replace(
        '"units.bricks.solids_tph" = 20.0      # the brick works\' intake (header)',
        '"units.bricks.solids_tph" = 20.0\n' + extra_max,
    )
    if objective:
        text = text.replace('sense = "maximize"\nkpi = "margin_usd_h"', objective)
    return text


def _agrees_with_enumeration(result) -> None:
    assert result.status == "optimal"
    enum = result.meta["enumeration"]
    assert enum["column"] == result.decisions["column"]
    assert enum["objective"] == pytest.approx(result.decisions["objective"], rel=1e-9)
    assert result.meta["max_rel_diff"] <= 1e-6


@pytest.mark.solver
def test_co2_per_tonne_limit_is_a_row_that_binds_and_moves_the_split():
    free = optimize(parse_case(residue_case(), "r.toml"))
    _agrees_with_enumeration(free)
    co2_free = free.plan.kpis["co2_kg_t"]
    cap = round(co2_free * 0.99, 6)  # 1 % less CO2 per tonne
    capped = optimize(parse_case(residue_case(f"co2_kg_t = {cap}\n"), "r.toml"))
    _agrees_with_enumeration(capped)
    k = capped.plan.kpis
    assert k["co2_kg_t"] <= cap * (1.0 + 1e-9)
    assert k["residue_utilisation_frac"] >= 0.35 - 1e-9
    assert capped.decisions["objective"] < free.decisions["objective"]
    moved = (capped.decisions["modes"], capped.decisions["residue_tph"])
    assert moved != (free.decisions["modes"], free.decisions["residue_tph"])


@pytest.mark.solver
def test_fresh_water_limit_moves_residue_from_paste_to_bricks():
    free = optimize(parse_case(residue_case(), "r.toml"))
    split = free.decisions["residue_tph"]
    assert split["paste"] > 0.0  # the cheaper use per tonne above the brick market
    cap = round(free.plan.kpis["water_m3_t"] * 0.999, 9)  # paste make-up water is fresh water
    capped = optimize(parse_case(residue_case(f"water_m3_t = {cap}\n"), "r.toml"))
    _agrees_with_enumeration(capped)
    assert capped.plan.kpis["water_m3_t"] == pytest.approx(cap, rel=1e-6)
    assert capped.decisions["residue_tph"]["paste"] < split["paste"]


@pytest.mark.solver
def test_co2_per_ounce_objective_on_one_rate_is_the_least_column():
    text = (CASES / "free_milling_cil.toml").read_text(encoding="utf-8")
    text = text.replace(
        'sense = "maximize"\nkpi = "margin_usd_h"', 'sense = "minimize"\nkpi = "co2_kg_oz"'
    )
    # an intensive objective leaves the rate free: hold the design rate
    text = text.replace("ore_tph_max = 283.0", "ore_tph_max = 283.0\nore_tph_min = 226.4")
    result = optimize(parse_case(text, "c.toml"))
    _agrees_with_enumeration(result)
    table_min = result.meta["enumeration"]["objective"]
    assert result.plan.kpis["co2_kg_oz"] == pytest.approx(table_min, rel=1e-6)


def test_ratio_objective_with_split_decisions_is_refused_with_the_key():
    text = residue_case(objective='sense = "minimize"\nkpi = "co2_kg_oz"')
    with pytest.raises(CaseError) as info:
        optimize(parse_case(text, "r.toml"))
    assert info.value.problems[0].key == "objective.kpi"
    assert "pareto" in info.value.problems[0].message


@pytest.mark.solver
def test_recovery_objective_with_a_residue_split_is_exact_and_allowed():
    # gold is recovered before the residue is split: the split cannot move recovery
    text = residue_case(objective='sense = "maximize"\nkpi = "gold_recovery_frac"')
    text = text.replace("ore_tph_max = 283.0", "ore_tph_max = 283.0\nore_tph_min = 226.4")
    result = optimize(parse_case(text, "r.toml"))
    _agrees_with_enumeration(result)
    assert result.plan.kpis["gold_recovery_frac"] == pytest.approx(
        result.decisions["objective"], rel=1e-9
    )


@pytest.mark.solver
def test_shipped_pareto_marks_the_35_percent_point_and_its_cost(tmp_path, capsys):
    spec = oreflow.load_case(RESIDUE_USE)
    front = pareto(spec, "residue_utilisation_frac", "margin_usd_h", 5, marks=(0.35,))
    ok = front[front["status"] == "optimal"]
    assert np.allclose(ok["y"], ok["y_enumeration"], rtol=1e-9)
    marked = front[front["mark"].astype(bool)].iloc[0]
    assert marked["status"] == "optimal"
    assert marked["x"] == pytest.approx(0.35, rel=1e-9)
    # on the front: no point holds at least as much use with more margin
    assert not ((ok["x"] >= 0.35 - 1e-9) & (ok["y"] > marked["y"] + 1e-6)).any()
    first = front.iloc[0]
    (mark,) = front.attrs["marks"]
    assert mark["cost"] == pytest.approx(first["y"] - marked["y"], rel=1e-12)
    assert mark["cost"] > 0.0
    out = tmp_path / "out"
    args = [
        "pareto",
        str(RESIDUE_USE),
        "--x",
        "residue_utilisation_frac",
        "--y",
        "margin_usd_h",
        "--points",
        "3",
        "--mark",
        "0.35",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    assert "cost of the target" in capsys.readouterr().out
    doc = json.loads((out / "pareto.json").read_text())
    assert doc["marks"][0]["cost"] == pytest.approx(mark["cost"], rel=1e-9)


@pytest.mark.solver
def test_pareto_of_margin_against_co2_per_ounce_ends_at_the_least_co2():
    spec = oreflow.load_case(RESIDUE_USE)
    front = pareto(spec, "co2_kg_oz", "margin_usd_h", 3)
    ok = front[front["status"] == "optimal"]
    assert len(ok) == 3
    assert np.allclose(ok["y"], ok["y_enumeration"], rtol=1e-9)
    assert (np.diff(ok["x"].to_numpy()) <= 1e-9).all()  # less CO2 ...
    assert (np.diff(ok["y"].to_numpy()) <= 1e-9).all()  # ... for less margin
    assert (ok["ore_tph"] > 0).all()
