"""SART through case files: balances, levers, the precipitate and bad input."""

from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.conventions import RTOL_CLOSURE, RTOL_EXACT
from oreflow.core.formulas import mass_fractions
from oreflow.errors import CaseError
from oreflow.flowsheet.case import load_case
from oreflow.flowsheet.compile import compile_case
from oreflow.solvers.results import unit_closure
from oreflow.solvers.simulate import simulate_plant

ROOT = Path(__file__).resolve().parents[2]
BARREN = ROOT / "cases" / "tests" / "res_sart_barren.toml"
NAHS_PER_CU = (22.990 + 1.008 + 32.06) / (2 * 63.546)  # g/g at the stoichiometric dose


def metrics(result, unit):
    return result.units.query("unit == @unit").set_index("metric")["value"]


@pytest.fixture(scope="module")
def barren():
    return oreflow.simulate(BARREN)


def _batch(overrides, n):
    plant = compile_case(load_case(BARREN))
    sim = simulate_plant(plant, n_cases=n, overrides=overrides, check_ranges=False)
    return sim, sim.units["sart"].metrics


def test_closes_and_makes_cu2s_and_ag2s(barren):
    """Cu, Ag and S close as elements; the cake is Cu2S and Ag2S; figures as declared."""
    assert barren.kpis["closure_max_rel"] < RTOL_CLOSURE
    el = barren.closure.query("view == 'element'").set_index("name")
    assert set(el.index) >= {"cu", "ag", "s"}
    assert (el["rel_err"] < RTOL_CLOSURE).all()
    d = metrics(barren, "sart")
    assert d["cu_in_mg_l"] == pytest.approx(500.0, rel=RTOL_EXACT)
    assert d["ag_precipitation_frac"] == pytest.approx(d["cu_precipitation_frac"], rel=1e-12)
    cu_kg, ag_kg = d["cu_recovered_kg_h"], 0.5 * d["ag_precipitation_frac"]  # 5 mg/L x 100 m3/h
    cake_kg = (
        cu_kg / mass_fractions("Cu2S")["cu"] + ag_kg / mass_fractions("Ag2S")["ag"]
    )  # the feed has no solids
    assert d["precipitate_cu_frac"] == pytest.approx(cu_kg / cake_kg, rel=1e-12)
    assert d["precipitate_ag_g_t"] == pytest.approx(ag_kg / cake_kg * 1e6, rel=1e-12)
    assert d["cu_recovered_kg_h"] == pytest.approx(50.0 * d["cu_precipitation_frac"], rel=1e-12)
    cu_mol, ag_mol = 0.5 / 63.546, 0.005 / 107.8682  # the dose counts the silver too
    per_cu = 1.1 * NAHS_PER_CU * (cu_mol + ag_mol) / cu_mol
    assert d["sulfide_per_cu_g_g"] == pytest.approx(per_cu, rel=1e-9)
    assert d["use_nahs_kg_h"] == d["nahs_kg_h"]
    assert d["use_lime_kg_h"] == pytest.approx(d["caoh2_kg_h"] * 56.077 / 74.093, rel=RTOL_EXACT)
    assert 0.9 < d["cn_recovery_frac"] < 1.0
    assert d["wad_out_mg_l"] < 0.05 * d["wad_in_mg_l"]


def test_streams_split_cake_and_solution(barren):
    """The cake carries the Cu2S and its moisture; the regenerated cyanide leaves in solution."""
    s = barren.streams
    cake, sol = s.loc["sart.precipitate"], s.loc["sart.solution"]
    assert cake["cu2s_tph"] > 0.0 and sol["cu2s_tph"] == 0.0
    moisture = cake["water_tph"] / (cake["water_tph"] + cake["solids_tph"])
    assert 0.15 < moisture < 0.21  # 20 % of the wet cake is solution, mostly water
    assert sol["nacn_mg_l"] > 1000.0  # 300 mg/L free plus the cyanide of the copper


def test_sulfide_dose_is_the_copper_lever():
    """Copper recovered rises with the NaHS dose up to the stoichiometric point, then levels;
    short of sulfide the silver is taken first."""
    ratios = np.array([0.2, 0.5, 0.8, 1.0, 1.2, 2.0])
    sim, d = _batch({"units.sart.sulfide_ratio": ratios}, ratios.size)
    cu = d["cu_precipitation_frac"]
    cu_mol, ag_mol = 0.5 / 63.546, 0.005 / 107.8682  # t/h over g/mol: kmol/h / 1000
    ag_p = d["ag_precipitation_frac"] * ag_mol
    np.testing.assert_allclose(cu[:3], (ratios[:3] * (cu_mol + ag_mol) - ag_p[:3]) / cu_mol)
    np.testing.assert_allclose(d["ag_precipitation_frac"][:3], 0.98 / (1 + 10 ** (2 * -1.5)))
    assert np.all(np.diff(cu) >= -1e-15)
    assert cu[-1] == pytest.approx(cu[-2], rel=1e-12)
    assert np.all(np.diff(d["cn_regenerated_nacn_kg_h"]) >= -1e-12)
    assert d["sulfide_excess_mg_l"][-1] > d["sulfide_excess_mg_l"][-2] > 0.0
    assert np.all(np.diff(d["h2so4_kg_h"][3:]) > 0.0)  # excess sulfide takes acid
    assert unit_closure(sim)["sart"].max() < RTOL_CLOSURE


def test_ph_and_alkalinity_levers():
    """Raising the pH above 5 loses copper; alkalinity raises acid and lime, not copper."""
    ph = np.array([4.0, 4.5, 5.0, 6.0, 7.0])
    _, d = _batch({"units.sart.ph": ph}, ph.size)
    assert np.all(np.diff(d["cu_precipitation_frac"]) < 0.0)
    assert d["cu_precipitation_frac"][3] == pytest.approx(0.5 * 0.98, rel=1e-9)
    alk = np.array([0.0, 100.0, 1000.0])
    _, d = _batch({"units.sart.alkalinity_mg_l": alk}, alk.size)
    assert np.all(np.diff(d["h2so4_kg_h"]) > 0.0) and np.all(np.diff(d["caoh2_kg_h"]) > 0.0)
    assert np.ptp(d["cu_precipitation_frac"]) == 0.0
    # 900 mg/L as CaCO3 on 100 m3/h: 90 kg/h CaCO3 eq = 88.2 kg/h H2SO4 more
    assert d["h2so4_kg_h"][2] - d["h2so4_kg_h"][1] == pytest.approx(
        90.0 * 98.072 / 100.086, rel=1e-3
    )


def test_degree_one_in_the_feed():
    """Double the barren flow, double every flow figure; tenors and fractions unchanged."""
    _, once = _batch({}, 1)
    _, twice = _batch({"units.barren.flow_m3_h": 200.0}, 1)
    for key in ("cu2s_kg_h", "h2so4_kg_h", "caoh2_kg_h", "nahs_kg_h", "gypsum_kg_h"):
        assert twice[key][0] == pytest.approx(2.0 * once[key][0], rel=1e-12, abs=1e-12)
    assert twice["cn_recovery_frac"][0] == pytest.approx(once["cn_recovery_frac"][0], rel=1e-12)


def test_gypsum_forms_above_its_solubility():
    """Sulfate in the feed beyond the gypsum solubility leaves as gypsum with the solution."""
    _, d = _batch({"units.sart.gypsum_solubility_g_l": np.array([2.0, 0.5, 0.0])}, 3)
    g = d["gypsum_kg_h"]
    assert g[0] == 0.0 < g[1] < g[2]


def _problems(write_case, old, new):
    text = BARREN.read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(CaseError) as info:
        oreflow.simulate(write_case(text.replace(old, new), "case.toml"))
    return {(p.key, p.message) for p in info.value.problems}


@pytest.mark.parametrize(
    ("old", "new", "key", "words"),
    [
        ("ph = 4.5", "ph = 12.0", "units.sart.ph", "out of range"),
        ("sulfide_ratio = 1.1", "sulfide_ratio = -1.0", "units.sart.sulfide_ratio", "out of range"),
        ('"hs_aq", ', "", "units.sart", "hs_aq"),
        ('"gangue", "cu2s", ', '"gangue", ', "units.sart", "cu2s"),
        ('"nacn", "cn_wad", ', "", "units.sart", "cyanide species"),
    ],
)
def test_bad_input_names_key(write_case, old, new, key, words):
    problems = _problems(write_case, old, new)
    assert any(k.startswith(key) and words in msg for k, msg in problems), problems


def test_sart_pays_on_the_copper_gold_case():
    """copper_gold_sart against copper_gold_cil: less NaCN and SMBS, copper sold, closes."""
    base = oreflow.simulate(ROOT / "cases" / "copper_gold_cil.toml")
    sart = oreflow.simulate(ROOT / "cases" / "copper_gold_sart.toml")
    assert sart.kpis["closure_max_rel"] < RTOL_CLOSURE
    assert sart.kpis["use_nacn_kg_t"] < 0.85 * base.kpis["use_nacn_kg_t"]
    assert sart.kpis["use_smbs_kg_t"] < base.kpis["use_smbs_kg_t"]
    assert sart.kpis["revenue_cu_usd_h"] > 0.0
    assert sart.kpis["gold_recovery_frac"] >= base.kpis["gold_recovery_frac"] - 1e-6
    d = metrics(sart, "sart")
    assert d["cu_precipitation_frac"] > 0.95
