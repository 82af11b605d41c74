"""Filtration and the residue destinations: paste backfill, building materials, storage.

(Named apart from tests/kernels/test_residue.py: test modules share one namespace.)
"""

from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.conventions import RTOL_CLOSURE, RTOL_EXACT
from oreflow.core.formulas import mass_fractions as _mf
from oreflow.errors import CaseError
from oreflow.flowsheet.case import load_case
from oreflow.flowsheet.compile import compile_case
from oreflow.kernels.residue import pulp_density_t_m3
from oreflow.solvers.results import unit_closure
from oreflow.solvers.simulate import simulate_plant

ROUTES = Path(__file__).resolve().parents[2] / "cases" / "tests" / "res_residue_routes.toml"


def metrics(result, unit):
    return result.units.query("unit == @unit").set_index("metric")["value"]


@pytest.fixture(scope="module")
def routes():
    return oreflow.simulate(ROUTES)


def _variant(write_case, *pairs):
    text = ROUTES.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return write_case(text)


def _batch(path, overrides, n):
    plant = compile_case(load_case(path))
    return simulate_plant(plant, n_cases=n, overrides=overrides, check_ranges=False)


# ---------------------------------------------------------------- filter
def test_filter_makes_its_cake_moisture_and_recovers_the_rest(routes):
    f = metrics(routes, "filter")
    feed = routes.streams.loc["detox.out"]
    cake = routes.streams.loc["filter.cake"]
    filtrate = routes.streams.loc["filter.filtrate"]
    assert f["cake_moisture_frac"] == pytest.approx(0.15, rel=RTOL_EXACT)
    assert cake["solids_tph"] == pytest.approx(feed["solids_tph"], rel=RTOL_EXACT)
    assert filtrate["solids_tph"] == 0.0
    assert cake["water_tph"] == pytest.approx(cake["solids_tph"] * 0.15 / 0.85, rel=RTOL_EXACT)
    assert f["water_recovered_tph"] == pytest.approx(
        feed["water_tph"] - cake["water_tph"], rel=RTOL_EXACT
    )
    # without a wash the cake liquor has the feed tenor
    assert cake["nacn_mg_l"] == pytest.approx(feed["nacn_mg_l"], rel=1e-12)
    assert filtrate["nacn_mg_l"] == pytest.approx(feed["nacn_mg_l"], rel=1e-12)
    assert f["power_kw"] == pytest.approx(2.0 * cake["solids_tph"], rel=RTOL_EXACT)
    assert f["closure_max_rel"] <= RTOL_CLOSURE


def test_filter_wash_displaces_solutes_monotonically():
    ratios = np.array([0.0, 0.02, 0.05, 0.1, 0.5, 2.0])
    sim = _batch(ROUTES, {"units.filter.wash_ratio_m3_t": ratios}, ratios.size)
    comps = sim.plant.spec.comps
    i_cn = comps.solution_offset("nacn")
    cake_cn = sim.streams["filter.cake"][:, i_cn]
    assert np.all(np.diff(cake_cn) <= 0.0)  # more wash never leaves more cyanide in the cake
    assert np.all(np.diff(cake_cn[:4]) < 0.0)
    assert cake_cn[-1] == pytest.approx(0.2 * cake_cn[0], rel=1e-12)  # 80 % displaced at most
    m = sim.units["filter"].metrics
    assert m["wash_displaced_frac"][0] == 0.0
    assert m["wash_displaced_frac"][-1] == pytest.approx(0.8, rel=RTOL_EXACT)  # efficiency cap
    solids = m["cake_solids_tph"]
    assert m["wash_water_tph"] == pytest.approx(ratios * solids, rel=RTOL_EXACT)
    assert sim.units["filter"].added[:, comps.solution_offset("water")] == pytest.approx(
        ratios * solids, rel=RTOL_EXACT
    )
    # the cake keeps its moisture: wash water replaces the liquor it displaces
    assert np.allclose(m["cake_moisture_frac"], 0.15, rtol=1e-12)
    assert max(float(v.max()) for v in unit_closure(sim).values()) <= RTOL_CLOSURE


def test_filter_fed_drier_than_its_cake_keeps_all_the_water(write_case):
    path = _variant(write_case, ("cake_moisture_frac = 0.15", "cake_moisture_frac = 0.58"))
    result = oreflow.simulate(path)
    f = metrics(result, "filter")
    assert f["water_recovered_tph"] == 0.0
    # the feed's own water (the ore's 0.55, diluted by the detox's Cu(OH)2 precipitate)
    feed = result.streams.loc["detox.out"]
    moisture = feed["water_tph"] / (feed["water_tph"] + feed["solids_tph"])
    assert f["cake_moisture_frac"] == pytest.approx(moisture, rel=1e-9)
    assert f["cake_moisture_frac"] == pytest.approx(0.55, rel=1e-4)
    assert result.kpis["closure_max_rel"] <= RTOL_CLOSURE


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        (
            "cake_moisture_frac = 0.15",
            "cake_moisture_frac = 0.7",
            "units.filter.cake_moisture_frac",
        ),
        (
            "cake_moisture_frac = 0.15",
            "cake_moisture_frac = 0.15\nwash_ratio_m3_t = -1.0",
            "units.filter.wash_ratio_m3_t",
        ),
        (
            "cake_moisture_frac = 0.15",
            "cake_moisture_frac = 0.15\nsolids_recovery_frac = 0.5",
            "units.filter.solids_recovery_frac",
        ),
        ("binder_frac = 0.04", "binder_frac = -0.04", "units.paste.binder_frac"),
        ("paste_solids_frac = 0.75", "paste_solids_frac = 1.2", "units.paste.paste_solids_frac"),
        ('use = "bricks"', 'use = "roads"', "units.bricks.use"),
    ],
)
def test_nonsense_is_a_case_error(write_case, old, new, key):
    with pytest.raises(CaseError) as info:
        oreflow.simulate(_variant(write_case, (old, new)))
    assert key in {p.key for p in info.value.problems}


# ---------------------------------------------------------------- paste backfill
def test_paste_recipe_follows_the_residue(routes):
    p = metrics(routes, "paste")
    solids = p["solids_tph"]
    rho = pulp_density_t_m3(np.array([0.75]), np.array([p["solids_density_t_m3"]]))[0]
    assert p["paste_density_t_m3"] == pytest.approx(rho, rel=RTOL_EXACT)
    assert p["use_binder_kg_h"] == pytest.approx(0.04 * solids * 1000.0, rel=RTOL_EXACT)
    assert p["binder_kg_m3"] == pytest.approx(0.04 * rho * 0.75 * 1000.0, rel=RTOL_EXACT)
    assert p["paste_water_tph"] == pytest.approx(solids / 3.0, rel=RTOL_EXACT)
    assert p["makeup_water_tph"] == pytest.approx(
        p["paste_water_tph"] - p["water_tph"], rel=RTOL_EXACT
    )
    assert p["too_wet_flag"] == 0.0
    assert p["fines_ok_flag"] == 1.0
    assert p["fines_passing_frac"] > 0.15
    assert p["eligible_flag"] == 1.0
    assert routes.kpis["use_binder_kg_t"] == pytest.approx(
        p["use_binder_kg_h"] / routes.kpis["ore_tph"], rel=RTOL_EXACT
    )


def test_paste_fed_a_wet_cake_is_flagged_not_counted_and_can_be_an_error(write_case):
    wet = ("cake_moisture_frac = 0.15", "cake_moisture_frac = 0.40")
    result = oreflow.simulate(_variant(write_case, wet))
    p = metrics(result, "paste")
    assert p["too_wet_flag"] == 1.0
    assert p["eligible_flag"] == 0.0
    assert p["makeup_water_tph"] == 0.0
    assert p["excess_water_tph"] == pytest.approx(
        p["water_tph"] - p["paste_water_tph"], rel=RTOL_EXACT
    )
    k = result.kpis
    assert k["residue_not_eligible_tph"] == pytest.approx(p["solids_tph"], rel=RTOL_EXACT)
    assert k["residue_used_tph"] == pytest.approx(
        metrics(result, "bricks")["solids_tph"], rel=RTOL_EXACT
    )
    assert k["residue_utilisation_frac"] == pytest.approx(0.2, rel=1e-12)
    strict = _variant(
        write_case, wet, ("binder_frac = 0.04", 'binder_frac = 0.04\non_ineligible = "error"')
    )
    with pytest.raises(CaseError, match="more water than the paste holds"):
        oreflow.simulate(strict)


def test_coarse_residue_fails_the_fines_criterion_but_still_goes_underground(write_case):
    # a coarse feed needs size classes that reach it (an F80 above the top size is a case error)
    path = _variant(
        write_case, ("x63_um = 60.0", "x63_um = 250.0"), ("top_um = 300.0", "top_um = 1200.0")
    )
    result = oreflow.simulate(path)
    p = metrics(result, "paste")
    assert p["fines_passing_frac"] < 0.15
    assert p["fines_ok_flag"] == 0.0
    assert p["eligible_flag"] == 1.0


# ---------------------------------------------------------------- building materials
def test_detoxed_low_sulfide_residue_is_eligible_for_bricks(routes):
    b = metrics(routes, "bricks")
    for flag in ("cyanide_ok_flag", "arsenic_ok_flag", "sulfide_ok_flag", "eligible_flag"):
        assert b[flag] == 1.0, flag
    assert b["sulfide_s_frac"] == pytest.approx(0.0094 * 0.5345, rel=2e-3)
    assert b["wad_cn_mg_l"] == pytest.approx(2.0, rel=RTOL_EXACT)


def test_residue_not_detoxed_is_flagged_and_not_counted(write_case, routes):
    path = _variant(write_case, ("wad_target_mg_l = 2.0", "wad_target_mg_l = 60.0"))
    result = oreflow.simulate(path)
    b = metrics(result, "bricks")
    assert b["cyanide_ok_flag"] == 0.0
    assert b["eligible_flag"] == 0.0
    assert metrics(result, "paste")["eligible_flag"] == 0.0  # 60 mg/L > 50 underground
    k = result.kpis
    assert k["residue_to_building_materials_tph"] == pytest.approx(b["solids_tph"], rel=RTOL_EXACT)
    assert k["residue_used_tph"] == 0.0
    assert k["residue_utilisation_frac"] < routes.kpis["residue_utilisation_frac"]
    strict = _variant(
        write_case,
        ("wad_target_mg_l = 2.0", "wad_target_mg_l = 20.0"),
        ('use = "bricks"', 'use = "bricks"\non_ineligible = "error"'),
    )
    with pytest.raises(CaseError, match="WAD cyanide") as info:
        oreflow.simulate(strict)
    assert info.value.problems[0].key == "units.bricks"


def test_arsenopyrite_makes_the_residue_ineligible(write_case):
    path = _variant(
        write_case,
        (
            'solids = ["gangue", "pyrite", "au_free", "cu_hydroxide"]',
            'solids = ["gangue", "pyrite", "arsenopyrite", "au_free", "cu_hydroxide"]',
        ),
        ("pyrite = 0.0094   # 0.5 % S / 0.5345 S in FeS2", "pyrite = 0.0094\narsenopyrite = 0.001"),
    )
    result = oreflow.simulate(path)
    b = metrics(result, "bricks")
    assert b["unstable_as_gpt"] == pytest.approx(0.001 * _mf("FeAsS")["as"] * 1e6, rel=2e-3)
    assert b["arsenic_ok_flag"] == 0.0
    assert b["eligible_flag"] == 0.0
    assert result.kpis["closure_max_rel"] <= RTOL_CLOSURE


@pytest.mark.parametrize(("hematite", "ok"), [(0.0, 0.0), (0.01, 1.0)])
def test_scorodite_needs_enough_ferric_iron(write_case, hematite, ok):
    path = _variant(
        write_case,
        (
            'solids = ["gangue", "pyrite", "au_free", "cu_hydroxide"]',
            'solids = ["gangue", "pyrite", "scorodite", "hematite", "au_free", "cu_hydroxide"]',
        ),
        (
            "pyrite = 0.0094   # 0.5 % S / 0.5345 S in FeS2",
            f"pyrite = 0.0094\nscorodite = 0.002\nhematite = {hematite}",
        ),
    )
    b = metrics(oreflow.simulate(path), "bricks")
    fe = 0.002 * _mf("FeAsO4·2H2O")["fe"] + hematite * _mf("Fe2O3")["fe"]
    expected = (fe / 55.845) / (0.002 * _mf("FeAsO4·2H2O")["as"] / 74.922)
    assert b["fe_as_molar_ratio"] == pytest.approx(expected, rel=1e-3)
    assert b["unstable_as_gpt"] == 0.0
    assert b["arsenic_ok_flag"] == ok


def test_sulfidic_residue_fails_the_sulfide_rule(write_case):
    path = _variant(write_case, ("pyrite = 0.0094   # 0.5 % S / 0.5345 S in FeS2", "pyrite = 0.03"))
    b = metrics(oreflow.simulate(path), "bricks")
    assert b["sulfide_s_frac"] > 0.01
    assert b["sulfide_ok_flag"] == 0.0
    assert b["eligible_flag"] == 0.0


# ---------------------------------------------------------------- residue KPIs
def test_residue_kpis_add_up(routes):
    k = routes.kpis
    sinks = {u: metrics(routes, u)["solids_tph"] for u in ("paste", "bricks", "tsf")}
    assert k["residue_generated_tph"] == pytest.approx(sum(sinks.values()), rel=RTOL_EXACT)
    assert k["residue_to_backfill_tph"] == pytest.approx(sinks["paste"], rel=RTOL_EXACT)
    assert k["residue_to_building_materials_tph"] == pytest.approx(sinks["bricks"], rel=RTOL_EXACT)
    assert k["residue_to_storage_tph"] == pytest.approx(sinks["tsf"], rel=RTOL_EXACT)
    assert k["residue_to_storage_tph"] == pytest.approx(k["residue_tph"], rel=RTOL_EXACT)
    assert k["residue_utilisation_frac"] == pytest.approx(0.6, rel=1e-12)
    assert k["residue_not_eligible_tph"] == 0.0
    assert k["residue_storage_mm3_y"] == pytest.approx(
        sinks["tsf"] / 1.45 * 8760.0 / 1e6, rel=RTOL_EXACT
    )
    assert k["tailings_wad_cn_mg_l"] == pytest.approx(2.0, rel=RTOL_EXACT)
    # residue generated: ore less the gold leached (it left with the carbon)
    au_leached = k["au_feed_g_h"] / 1e6 * k["gold_recovery_frac"]
    # plus what precipitated: the detox's copper hydroxide
    precipitated = metrics(routes, "detox")["cu_hydroxide_kg_h"] / 1000.0
    assert precipitated > 0.0
    assert k["residue_generated_tph"] == pytest.approx(200.0 - au_leached + precipitated, rel=1e-6)
    assert k["closure_max_rel"] <= RTOL_CLOSURE


def test_a_case_without_residue_sinks_reports_zero_use(mini_case_text, write_case):
    result = oreflow.simulate(write_case(mini_case_text))
    assert result.kpis["residue_used_tph"] == 0.0
    assert result.kpis["residue_utilisation_frac"] == 0.0
    assert result.kpis["residue_generated_tph"] == pytest.approx(result.kpis["residue_tph"])
