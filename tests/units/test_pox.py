"""Acid and alkaline pressure oxidation through the flowsheet (Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox, ex06)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.conventions import RTOL_CLOSURE, RTOL_WORKED_EXAMPLE
from oreflow.core.formulas import mass_fractions as _mf
from oreflow.errors import CaseError
from oreflow.flowsheet.case import parse_case
from oreflow.flowsheet.compile import compile_case
from oreflow.solvers.results import unit_closure
from oreflow.solvers.simulate import simulate_plant

CASES = Path(__file__).resolve().parents[2] / "cases" / "tests"
EX06 = CASES / "ox_ex06_pox.toml"
ACID_CHAIN = CASES / "ox_pox_acid_cil.toml"
ALKALINE = CASES / "ox_pox_alkaline.toml"
#: ex06 X̄ at 210 °C, 4 compartments, 60 min (Papangelakis & Demopoulos 1990, Can. Metall. Q. 29(1):13; docs/models.md#pox).
X_EX06 = 0.982499
#: Appendix A checks the autothermal S at 1e-3.
RTOL_AUTOTHERMAL = 1e-3


MINI_OX = """
[case]
name = "mini_ox"
solids = ["gangue", "pyrite", "hematite", "au_free", "au_sulfide", "sulfur"]
solution = ["water", "h2so4"]

[case.sizes]
top_um = 106.0
n_classes = 8

[ore.conc]
rate_tph = 20.0
moisture_frac = 0.6
au_gpt = 10.0
wi_kwh_t = 15.0
[ore.conc.mineralogy]
pyrite = 0.40
gangue = 0.60
[ore.conc.deportment]
au_free = 0.3
au_sulfide = 0.7
[ore.conc.psd]
model = "rrb"
f80_um = 40.0
n = 1.0

[units.pox]
type = "pox_acid"
inlets.feed = "ore.conc"
residence_min = 60.0

[units.residue]
type = "tailings"
inlets.feed = "pox.discharge"

[units.vent]
type = "vent"
inlets.feed = "pox.vent"
"""


@pytest.fixture
def mini_ox_text():
    return MINI_OX


@pytest.fixture
def mini_ox_case(write_case):
    return write_case(MINI_OX, "mini_ox.toml")


def metrics(result, unit):
    return result.units.query("unit == @unit").set_index("metric")["value"]


@pytest.fixture(scope="module")
def ex06():
    return oreflow.simulate(EX06)


def test_ex06_extent_oxygen_acid_and_heat(ex06):
    """Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox; Papangelakis & Demopoulos 1990, Can. Metall. Q. 29(1):13 for the 18 % S concentrate (each mineral at X̄ = 0.982499)."""
    m = metrics(ex06, "pox")
    x = m["sulfide_oxidation_frac"]
    assert x == pytest.approx(X_EX06, abs=5e-7)
    for mineral in ("pyrite", "arsenopyrite", "pyrrhotite"):
        assert m[f"{mineral}_oxidation_frac"] == pytest.approx(X_EX06, abs=5e-7)
    # per tonne of concentrate at complete oxidation (the gold, 20 g/t, dilutes by 2e-5)
    per_t_s = 1000.0 / m["sulfide_s_oxidised_tph"] * 180.0 / 1000.0  # kg/t at 180 kg S/t
    assert m["o2_demand_kg_h"] * per_t_s / 1000.0 == pytest.approx(389.25, rel=RTOL_WORKED_EXAMPLE)
    assert m["use_o2_kg_h"] * per_t_s / 1000.0 == pytest.approx(432.50, rel=RTOL_WORKED_EXAMPLE)
    assert m["acid_made_kg_h"] * per_t_s / 1000.0 == pytest.approx(550.62, rel=RTOL_WORKED_EXAMPLE)
    # 40 % solids, 25 -> 210 °C: 64.33 kg/t sulfide S for autothermal operation
    assert m["autothermal_sulfide_s_kg_t"] == pytest.approx(64.33, rel=RTOL_AUTOTHERMAL)
    assert m["heat_required_mj_t"] == pytest.approx(1485.5, abs=0.05)
    # all S at the pyrite heat: 4157 MJ/t at full oxidation, surplus 4157 X - 1486
    assert m["heat_generated_mj_t"] / x == pytest.approx(4157.0, abs=0.5)
    assert m["heat_surplus_mj_t"] == pytest.approx(
        m["heat_generated_mj_t"] - m["heat_required_mj_t"], rel=1e-12
    )
    assert m["heat_deficit_mj_t"] == 0.0
    assert m["cooling_duty_kw"] == pytest.approx(m["heat_surplus_mj_t"] * 50.0 / 3.6, rel=1e-12)
    assert m["total_pressure_kpa"] == pytest.approx(1907.4 + 700.0, abs=0.1)  # IAPWS at 210 °C
    assert m["au_sulfide_freed_frac"] == pytest.approx(X_EX06, abs=5e-7)


def test_ex06_residue_minerals(ex06):
    """Pyrite and pyrrhotite iron to hematite, arsenopyrite to scorodite (Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox)."""
    s = ex06.streams.loc["pox.discharge"]
    feed = ex06.streams.loc["ore.concentrate"]
    py_fe = (feed["pyrite_tph"] - s["pyrite_tph"]) * _mf("FeS2")["fe"]
    po_fe = (feed["pyrrhotite_tph"] - s["pyrrhotite_tph"]) * _mf("FeS")["fe"]
    apy = feed["arsenopyrite_tph"] - s["arsenopyrite_tph"]
    assert s["scorodite_tph"] == pytest.approx(
        apy * _mf("FeAsS")["as"] / _mf("FeAsO4·2H2O")["as"], rel=1e-9
    )
    # the arsenopyrite's Fe not taken by scorodite (catalogue rounding: 6e-5 of it)
    # joins the hematite
    apy_fe_left = apy * _mf("FeAsS")["fe"] - s["scorodite_tph"] * _mf("FeAsO4·2H2O")["fe"]
    assert s["hematite_tph"] == pytest.approx(
        (py_fe + po_fe + apy_fe_left) / _mf("Fe2O3")["fe"], rel=1e-9
    )
    x = metrics(ex06, "pox")["sulfide_oxidation_frac"]
    assert s["au_sulfide_tph"] == pytest.approx(feed["au_sulfide_tph"] * (1.0 - x), rel=1e-9)
    assert s["au_free_tph"] == pytest.approx(
        feed["au_free_tph"] + feed["au_sulfide_tph"] * x, rel=1e-12
    )


@pytest.mark.parametrize(
    "path", [EX06, ACID_CHAIN, ALKALINE, CASES / "ox_biox_cil.toml"], ids=lambda p: p.stem
)
def test_every_element_and_every_unit_closes(path):
    plant = compile_case(oreflow.load_case(path))
    sim = simulate_plant(plant)
    from oreflow.solvers.results import build_results

    result = build_results(sim)
    assert result.kpis["closure_max_rel"] <= RTOL_CLOSURE
    elements = result.closure.query("view == 'element'").set_index("name")
    for el in ("au", "s", "fe", "as"):
        row = elements.loc[el]
        assert row.in_tph + row.added_tph == pytest.approx(row.out_tph, rel=RTOL_CLOSURE)
    for name, err in unit_closure(sim).items():
        assert err[0] <= RTOL_CLOSURE, name


def test_carbon_from_ore_carbonate_leaves_by_the_vent():
    result = oreflow.simulate(ALKALINE)
    c = result.closure.query("view == 'element' and name == 'c'").iloc[0]
    assert c.in_tph + c.added_tph == pytest.approx(c.out_tph, rel=RTOL_CLOSURE)
    vent = metrics(result, "vent")["co2_kg_h"]
    pox = metrics(result, "pox")
    assert vent == pytest.approx(pox["co2_kg_h"], rel=1e-12)
    assert pox["carbonaceous_c_burnt_kg_h"] > 0.0


def test_zero_residence_changes_nothing(mini_ox_case):
    result = oreflow.simulate(mini_ox_case, overrides={"units.pox.residence_min": 0.0})
    feed = result.streams.loc["ore.conc"]
    out = result.streams.loc["pox.discharge"]
    cols = [c for c in feed.index if c.endswith("_tph")]
    np.testing.assert_allclose(out[cols].to_numpy(float), feed[cols].to_numpy(float), rtol=1e-15)
    m = metrics(result, "pox")
    assert m["o2_demand_kg_h"] == 0.0
    assert m["heat_generated_mj_t"] == 0.0
    assert m["heat_deficit_mj_t"] > 0.0  # the slurry still has to be heated


def test_infinite_residence_reaches_the_ultimate(mini_ox_case):
    result = oreflow.simulate(
        mini_ox_case, overrides={"units.pox.residence_min": 1e9}, check_ranges=False
    )
    m = metrics(result, "pox")
    assert m["sulfide_oxidation_frac"] == pytest.approx(1.0, abs=1e-9)
    assert m["au_sulfide_freed_frac"] == pytest.approx(1.0, abs=1e-9)


def test_longer_hotter_and_more_oxygen_never_lower_oxidation(mini_ox_case):
    tau = [0.0, 10.0, 30.0, 60.0, 120.0, 240.0]
    by_tau = oreflow.simulate_batch(mini_ox_case, {"units.pox.residence_min": tau})
    assert np.all(np.diff(by_tau["sulfide_oxidation_frac"]) > 0.0)
    temps = [180.0, 200.0, 220.0, 240.0]
    by_t = oreflow.simulate_batch(mini_ox_case, {"units.pox.temperature_degc": temps})
    assert np.all(np.diff(by_t["sulfide_oxidation_frac"]) > 0.0)
    p = [350.0, 500.0, 700.0]
    by_p = oreflow.simulate_batch(mini_ox_case, {"units.pox.o2_partial_pressure_kpa": p})
    assert np.all(np.diff(by_p["sulfide_oxidation_frac"]) > 0.0)


def test_batch_equals_one_by_one(mini_ox_case):
    temps = np.array([195.0, 225.0])
    batch = oreflow.simulate_batch(mini_ox_case, {"units.pox.temperature_degc": temps})
    for i, t in enumerate(temps):
        one = oreflow.simulate(mini_ox_case, overrides={"units.pox.temperature_degc": t})
        for key in ("sulfide_oxidation_frac", "acid_made_kg_t", "autothermal_margin_mj_t"):
            assert batch[key].iloc[i] == pytest.approx(one.kpis[key], rel=1e-12)


def test_kpis_oxygen_per_sulfur_and_autothermal_margin(ex06):
    k = ex06.kpis
    expected = (140 * 1.8714 + 30 * 3.4932 + 10 * 2.2456) / 180.0
    assert k["o2_t_per_t_sulfide_s"] == pytest.approx(expected, rel=RTOL_WORKED_EXAMPLE)
    assert k["o2_bought_t_per_t_sulfide_s"] == pytest.approx(
        expected / 0.9, rel=RTOL_WORKED_EXAMPLE
    )
    m = metrics(ex06, "pox")
    assert k["autothermal_margin_mj_t"] == pytest.approx(m["heat_surplus_mj_t"], rel=1e-12)
    assert k["sulfide_oxidation_frac"] == pytest.approx(X_EX06, abs=5e-7)


def test_quench_water_takes_the_surplus(write_case):
    text = EX06.read_text(encoding="utf-8").replace(
        "feed_temperature_degc = 25.0\n", 'feed_temperature_degc = 25.0\nsurplus_heat = "quench"\n'
    )
    result = oreflow.simulate(write_case(text))
    m = metrics(result, "pox")
    surplus_mj_h = m["heat_surplus_mj_t"] * 50.0
    assert m["quench_water_tph"] == pytest.approx(surplus_mj_h / (4.3 * (210.0 - 25.0)), rel=1e-12)
    assert m["cooling_duty_kw"] == 0.0
    water = (
        result.streams.loc["pox.discharge", "water_tph"]
        - result.streams.loc["ore.concentrate", "water_tph"]
    )
    assert water == pytest.approx(m["quench_water_tph"], rel=1e-12)
    assert result.kpis["closure_max_rel"] <= RTOL_CLOSURE


def test_deficit_reports_the_preheat_needed(mini_ox_case):
    """A 1.5 % S pulp at 40 % solids cannot run autothermally from 25 °C (Thomas 2005; Wagman et al. 1982, NBS tables; docs/models.md#pox)."""
    low_s = {"ore.conc.mineralogy.pyrite": 0.03, "ore.conc.mineralogy.gangue": 0.97}
    result = oreflow.simulate(mini_ox_case, overrides=low_s)
    m = metrics(result, "pox")
    assert m["heat_deficit_mj_t"] > 0.0
    t_auto = m["autothermal_feed_temperature_degc"]
    assert 25.0 < t_auto < 210.0
    assert m["feed_preheat_needed_degc"] == pytest.approx(t_auto - 25.0, rel=1e-12)
    # at that feed temperature the balance closes
    hot = oreflow.simulate(
        mini_ox_case,
        overrides={**low_s, "units.pox.feed_temperature_degc": t_auto},
    )
    assert metrics(hot, "pox")["autothermal_margin_mj_t"] == pytest.approx(0.0, abs=1e-9)


def test_iron_sinks_and_free_acid(write_case, mini_ox_text):
    base = oreflow.simulate(write_case(mini_ox_text))
    text = (
        mini_ox_text.replace(
            "[units.pox]\n", "[units.pox]\nfe_to_bfs_frac = 0.3\nfe_to_solution_frac = 0.2\n"
        )
        .replace('"hematite"', '"hematite", "basic_ferric_sulfate"')
        .replace('"h2so4"', '"h2so4", "so4_aq", "fe_aq"')
    )
    split = oreflow.simulate(write_case(text, "split.toml"))
    mb, ms = metrics(base, "pox"), metrics(split, "pox")
    assert ms["free_acid_out_kg_h"] < mb["free_acid_out_kg_h"]
    assert ms["basic_ferric_sulfate_tph"] > 0.0
    assert split.streams.loc["pox.discharge", "fe_aq_tph"] > 0.0
    assert ms["acid_made_kg_h"] == pytest.approx(mb["acid_made_kg_h"], rel=1e-12)
    assert split.kpis["closure_max_rel"] <= RTOL_CLOSURE


# ------------------------------------------------------------------ alkaline


def test_alkaline_pox_is_slower_capped_and_makes_no_acid(write_case, mini_ox_text):
    acid = oreflow.simulate(write_case(mini_ox_text))
    text = (
        mini_ox_text.replace('type = "pox_acid"', 'type = "pox_alkaline"')
        .replace('"h2so4"', '"co2"')
        .replace('"hematite"', '"hematite", "gypsum", "calcite"')
    )
    alk_path = write_case(text, "alk.toml")
    alk = oreflow.simulate(alk_path)
    ma, mk = metrics(acid, "pox"), metrics(alk, "pox")
    assert mk["sulfide_oxidation_frac"] < ma["sulfide_oxidation_frac"]
    assert mk["free_acid_out_kg_h"] == 0.0
    assert mk["gypsum_tph"] > 0.0
    assert mk["use_limestone_kg_h"] > 0.0  # no ore carbonate here: limestone does it all
    assert mk["o2_demand_t_per_t_s"] == pytest.approx(1.8714, abs=5e-5)  # same O2 per S
    inf = oreflow.simulate(alk_path, overrides={"units.pox.residence_min": 1e9}, check_ranges=False)
    assert metrics(inf, "pox")["sulfide_oxidation_frac"] == pytest.approx(0.95, rel=1e-9)
    assert alk.kpis["closure_max_rel"] <= RTOL_CLOSURE
    soda = oreflow.simulate(
        write_case(
            text.replace('"co2"', '"co2", "so4_aq"').replace(
                'type = "pox_alkaline"', 'type = "pox_alkaline"\nneutraliser = "soda_ash"'
            ),
            "soda.toml",
        )
    )
    assert metrics(soda, "pox")["use_soda_ash_kg_h"] > 0.0
    assert soda.streams.loc["pox.discharge", "so4_aq_tph"] > 0.0
    assert soda.kpis["closure_max_rel"] <= RTOL_CLOSURE


def test_alkaline_ore_carbonate_neutralises_before_limestone():
    result = oreflow.simulate(ALKALINE)
    m = metrics(result, "pox")
    assert m["use_limestone_kg_h"] == 0.0  # 8 % calcite is more than the sulfate needs
    assert m["acid_to_carbonate_kg_h"] == pytest.approx(m["acid_made_kg_h"], rel=1e-3)


# ------------------------------------------------------------------ errors


def test_negative_residence_time_is_a_case_error(write_case, mini_ox_text):
    text = mini_ox_text.replace("residence_min = 60.0", "residence_min = -5.0")
    with pytest.raises(CaseError, match="residence_min"):
        oreflow.load_case(write_case(text))


def test_unknown_mineral_is_a_case_error(write_case, mini_ox_text):
    text = mini_ox_text + "\n[units.pox.minerals.gangue]\nt_star_ref_min = 10.0\n"
    with pytest.raises(CaseError, match="unknown mineral 'gangue'"):
        oreflow.load_case(write_case(text))
    text = mini_ox_text + "\n[units.pox.minerals.galena]\nt_star_ref_min = 10.0\n"
    with pytest.raises(CaseError, match="galena"):
        oreflow.load_case(write_case(text, "b.toml"))


def test_missing_product_species_is_a_case_error(write_case, mini_ox_text):
    text = mini_ox_text.replace('"hematite", ', "")
    with pytest.raises(CaseError, match="hematite"):
        oreflow.load_case(write_case(text))


def test_other_nonsense_is_a_case_error(write_case, mini_ox_text):
    bad_split = mini_ox_text.replace(
        "[units.pox]\n", "[units.pox]\nfe_to_bfs_frac = 0.7\nfe_to_jarosite_frac = 0.6\n"
    )
    with pytest.raises(CaseError, match="sum to"):
        parse_case(bad_split, "bad.toml")
    hot_feed = mini_ox_text.replace("[units.pox]\n", "[units.pox]\nfeed_temperature_degc = 230.0\n")
    with pytest.raises(CaseError, match="hotter"):
        parse_case(hot_feed, "bad.toml")
    host = mini_ox_text.replace("[units.pox]\n", '[units.pox]\ngold_host = "arsenopyrite"\n')
    with pytest.raises(CaseError, match="gold host"):
        parse_case(host, "bad.toml")
    cold = mini_ox_text.replace("[units.pox]\n", "[units.pox]\ntemperature_degc = 100.0\n")
    with pytest.raises(CaseError, match="temperature_degc"):
        parse_case(cold, "bad.toml")
    no_sulfide = (
        mini_ox_text.replace('"pyrite", ', "")
        .replace("pyrite = 0.40\n", "")
        .replace("gangue = 0.60", "gangue = 1.0")
    )
    with pytest.raises(CaseError, match="no oxidisable mineral"):
        parse_case(no_sulfide, "bad.toml")


def test_steam_pressure_per_case_in_a_batch_of_mixed_temperatures():
    """Steam pressure is evaluated once per distinct temperature: each case keeps its own."""
    from oreflow.flowsheet.case import load_case
    from oreflow.kernels.oxidation import steam_saturation_pressure_kpa

    plant = compile_case(load_case(EX06))
    node = next(u.name for u in plant.spec.units if u.type == "pox_acid")
    temps = np.array([220.0, 200.0, 220.0, 210.0, 200.0])
    sim = simulate_plant(
        plant, n_cases=len(temps), overrides={f"units.{node}.temperature_degc": temps}
    )
    got = np.asarray(sim.units[node].metrics["steam_pressure_kpa"])
    want = [steam_saturation_pressure_kpa(float(t)) for t in temps]
    np.testing.assert_array_equal(got, want)
    assert got[0] > got[3] > got[1]  # hotter water, higher vapour pressure
