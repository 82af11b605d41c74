"""Chloride/hypochlorite leach: ex11 oxidant demand, acid/base, chloride, limits, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from oreflow.conventions import RTOL_CLOSURE, RTOL_WORKED_EXAMPLE
from oreflow.core.components import CATALOGUE
from oreflow.errors import CaseError
from oreflow.flowsheet.case import load_case, parse_case
from oreflow.flowsheet.compile import compile_case
from oreflow.solvers.kpis import plant_kpis
from oreflow.solvers.results import closure_arrays, closure_max_rel, unit_closure
from oreflow.solvers.simulate import simulate_plant

CASES = Path(__file__).resolve().parents[2] / "cases"
EX11 = CASES / "tests" / "cf_ex11_halide.toml"
RAW = EX11.read_text(encoding="utf-8")

FE, S, CU, AU = 55.845, 32.06, 63.546, 196.967
PYRITE = FE + 2 * S
# Cl2 and NaOCl from the IUPAC 2021 atomic weights (the balance's formula masses)
CL, CL2, NACL, NAOH, CAO, HCL, NAOCL = 35.45, 70.90, 58.44, 39.997, 56.077, 36.46, 74.439
#: The catalogue's element fractions carry 5 decimals (pyrite's by up to 1e-5 absolute).
RTOL_CATALOGUE = 1e-4


def run(case, n_cases=1, overrides=None):
    spec = case if not isinstance(case, str) else parse_case(case, "halide_unit.toml")
    return simulate_plant(
        compile_case(spec), n_cases=n_cases, overrides=overrides, check_ranges=False
    )


def metric(sim, name, unit="leach"):
    return sim.units[unit].metrics[name]


def pyrite_t_h():
    return (100.0 - 2e-4) * 0.01


# -- worked example ex11 --------------------------------------------------------------------


def test_ex11_pyrite_dominates_the_chlorine_demand():
    """Aylmore, in Adams (ed.) 2016, ch. 27; docs/models.md#halide: 1 % pyrite consumes 44.327 kg Cl2/t; gold 0.540 g Cl2 per g."""
    sim = run(load_case(EX11))
    m = sim.units["leach"].metrics
    assert m["sulfide_oxidised_frac"][0] == pytest.approx(1.0, rel=1e-12)
    # per tonne of ore (the solids also hold 2 g/t of gold: 2e-6)
    assert m["oxidant_sulfide_cl2_kg_t"][0] == pytest.approx(44.327, rel=RTOL_WORKED_EXAMPLE)
    au_leached_g_t = m["au_leach_extraction_frac"][0] * 2.0
    assert m["oxidant_gold_cl2_kg_t"][0] * 1e3 / au_leached_g_t == pytest.approx(
        0.540,
        abs=5e-4,  # ex11 prints 0.540 g/g (3 decimals)
    )
    assert m["oxidant_gold_cl2_kg_t"][0] / m["au_leach_extraction_frac"][0] == pytest.approx(
        0.00108, rel=5e-3
    )
    decomposed = 0.02 * 2000.0 * 150.0 * 24.0 / 1e6  # t/h
    assert m["oxidant_demand_cl2_kg_t"][0] == pytest.approx(
        m["oxidant_sulfide_cl2_kg_t"][0] + m["oxidant_gold_cl2_kg_t"][0] + decomposed * 10.0,
        rel=1e-12,
    )
    k = plant_kpis(sim, closure_arrays(sim)["totals"])
    assert k["halide_leach_oxidant_cl2_kg_t"][0] == pytest.approx(
        m["oxidant_demand_cl2_kg_t"][0], rel=1e-5
    )
    assert k["halide_leach_naocl_kg_t"][0] == pytest.approx(
        m["oxidant_added_cl2_kg_t"][0] * NAOCL / CL2, rel=1e-5
    )


def test_ex11_acid_base_and_chloride_budget_with_hypochlorite():
    sim = run(load_case(EX11))
    m = sim.units["leach"].metrics
    py_mol = pyrite_t_h() / PYRITE  # Mmol/h
    # FeS2 -> Fe(OH)3 + 2 SO4: 19 H+; OCl- takes up 15 H+ with the 15 e-: 4 H+ net
    gold_e = 100.0 * 2e-6 * m["au_leach_extraction_frac"][0] * 3.0 / AU
    base = (4.0 * py_mol - gold_e) * NAOH
    assert m["use_naoh_kg_h"][0] == pytest.approx(base * 1e3, rel=RTOL_CATALOGUE)
    formed = m["oxidant_demand_cl2_kg_t"][0] / 10.0 * CL / CL2  # t/h of Cl- from OCl-
    target = 100.0 * CL / NACL * 150.0 / 1e3
    assert m["use_nacl_kg_h"][0] == pytest.approx((target - formed) * NACL / CL * 1e3, rel=1e-12)
    assert "use_hcl_kg_h" not in m  # pyrite alone never needs acid


def test_chlorine_gas_makes_more_acid_and_more_chloride():
    sim = run(RAW.replace('oxidant = "naocl"', 'oxidant = "cl2"\nbase = "lime"'))
    m = sim.units["leach"].metrics
    py_mol = pyrite_t_h() / PYRITE
    assert m["use_lime_kg_h"][0] == pytest.approx(19.0 * py_mol * CAO / 2 * 1e3, rel=RTOL_CATALOGUE)
    assert m["use_cl2_kg_h"][0] == pytest.approx(m["oxidant_added_cl2_kg_t"][0] * 100.0, rel=1e-12)
    assert "use_naocl_kg_h" not in m


def test_iron_in_solution_releases_less_acid():
    sim = run(
        RAW.replace('oxidant = "naocl"', 'oxidant = "naocl"\niron_product = "fe_aq"').replace(
            '"so4_aq"', '"so4_aq", "fe_aq"'
        )
    )
    py_mol = pyrite_t_h() / PYRITE
    gold_e = 100.0 * 2e-6 * metric(sim, "au_leach_extraction_frac")[0] * 3.0 / AU
    # 16 H+ made less 15 taken: the difference amplifies the catalogue rounding 16-fold
    assert metric(sim, "use_naoh_kg_h")[0] == pytest.approx(
        (1.0 * py_mol - gold_e) * NAOH * 1e3, rel=16 * RTOL_CATALOGUE
    )
    c = sim.plant.spec.comps
    fe = sim.streams["leach.tails"][0, c.solution_offset("fe_aq")]
    assert fe == pytest.approx(pyrite_t_h() * CATALOGUE["pyrite"].elements["fe"], rel=1e-12)


def test_chalcocite_with_hypochlorite_needs_acid():
    text = (
        RAW.replace('"pyrite", "au_free"', '"chalcocite", "au_free"')
        .replace("pyrite = 0.01", "chalcocite = 0.01")
        .replace("sulfide_oxidation.pyrite", "sulfide_oxidation.chalcocite")
        .replace('"so4_aq"', '"so4_aq", "cu_aq"')
    )
    sim = run(text)
    cc_mol = pyrite_t_h() / (2 * CU + S)
    # Cu2S -> 2 Cu2+ + SO4(2-) + 8 H+ + 10 e-; OCl- takes 10 H+: 2 H+ short
    gold_e = 100.0 * 2e-6 * metric(sim, "au_leach_extraction_frac")[0] * 3.0 / AU
    assert metric(sim, "use_hcl_kg_h")[0] == pytest.approx(
        (2.0 * cc_mol + gold_e) * HCL * 1e3, rel=5e-4
    )
    assert metric(sim, "use_naoh_kg_h")[0] == 0.0


def test_conservation_of_every_component_and_element():
    sim = run(load_case(EX11))
    audit = closure_arrays(sim)
    assert closure_max_rel(audit)[0] <= RTOL_CLOSURE
    assert unit_closure(sim)["leach"][0] <= RTOL_CLOSURE
    names, _, relv = audit["views"]["element"]
    for el in ("au", "fe", "s"):
        assert relv[0, names.index(el)] <= RTOL_CLOSURE
    c = sim.plant.spec.comps
    tails = sim.streams["leach.tails"][0]
    fe_out = (
        c.solids_view(tails)[:, c.solid_index("metal_hydroxides")].sum()
        * CATALOGUE["metal_hydroxides"].elements["fe"]
    )
    assert fe_out == pytest.approx(pyrite_t_h() * CATALOGUE["pyrite"].elements["fe"], rel=1e-12)


def test_resin_as_the_adsorbent():
    text = RAW.replace('oxidant = "naocl"', 'oxidant = "naocl"\nadsorbent = "resin"').replace(
        'adsorbent = ["carbon", "au_carbon"]', 'adsorbent = ["resin", "au_resin"]'
    )
    sim = run(text)
    m = sim.units["leach"].metrics
    assert m["use_resin_kg_h"][0] == pytest.approx(5.0, rel=1e-12)
    assert m["au_to_resin_frac"][0] > 0.9
    assert closure_max_rel(closure_arrays(sim))[0] <= RTOL_CLOSURE


# -- limits and monotonicity -----------------------------------------------------------


def test_zero_residence_changes_nothing_and_infinite_reaches_the_ultimate():
    sim = run(load_case(EX11), 2, {"units.leach.residence_h": np.array([0.0, 1e7])})
    c = sim.plant.spec.comps
    feed, tails = sim.streams["ore.feed"], sim.streams["leach.tails"]
    assert np.array_equal(c.solids_view(tails)[0], c.solids_view(feed)[0])
    assert metric(sim, "oxidant_demand_cl2_kg_t")[0] == 0.0
    assert metric(sim, "use_naoh_kg_h")[0] == 0.0
    assert tails[0, c.solution_offset("so4_aq")] == 0.0
    assert metric(sim, "au_leach_extraction_frac")[1] == pytest.approx(0.95, rel=1e-6)


def test_longer_residence_raises_extraction_and_oxidant_demand():
    times = np.array([0.25, 1.0, 4.0, 12.0])
    text = RAW.replace("k_per_h = 100.0", "k_per_h = 0.5")
    sim = run(text, len(times), {"units.leach.residence_h": times})
    assert np.all(np.diff(metric(sim, "au_leach_extraction_frac")) > 0)
    assert np.all(np.diff(metric(sim, "oxidant_sulfide_cl2_kg_t")) > 0)
    k = plant_kpis(sim, closure_arrays(sim)["totals"])
    assert np.all(np.diff(k["gold_recovery_frac"]) > 0)


# -- nonsense gets a clear error ------------------------------------------------------


def problems_of(text):
    with pytest.raises(CaseError) as info:
        parse_case(text, "bad.toml")
    return {p.key: p.message for p in info.value.problems}


def test_every_sulfide_must_have_oxidation_kinetics():
    text = RAW.replace(
        "[units.leach.sulfide_oxidation.pyrite]\nk_per_h = 100.0\nultimate_frac = 1.0\n", ""
    )
    assert "pyrite" in problems_of(text)["units.leach.sulfide_oxidation"]


def test_non_sulfide_and_unknown_minerals_are_case_errors():
    probs = problems_of(
        RAW + "[units.leach.sulfide_oxidation.gangue]\nk_per_h = 1.0\nultimate_frac = 1.0\n"
    )
    assert "holds no s" in probs["units.leach.sulfide_oxidation.gangue"]
    probs = problems_of(
        RAW + "[units.leach.sulfide_oxidation.unobtainium]\nk_per_h = 1.0\nultimate_frac = 1.0\n"
    )
    assert "not a declared solid species" in probs["units.leach.sulfide_oxidation.unobtainium"]


def test_negative_residence_and_missing_products_are_case_errors():
    probs = problems_of(RAW.replace("residence_h = 24.0", "residence_h = -24.0"))
    assert "out of range" in probs["units.leach.residence_h"]
    probs = problems_of(RAW.replace(', "metal_hydroxides"]', "]"))
    assert "metal_hydroxides" in probs["units.leach.sulfide_oxidation.pyrite"]


def test_a_leach_fed_no_solution_is_a_case_error():
    with pytest.raises(CaseError) as info:
        run(RAW.replace("moisture_frac = 0.60", "moisture_frac = 0.0"))
    assert "fed no solution" in str(info.value)


def test_a_sulfide_of_an_untracked_metal_cannot_be_charged_its_oxidant():
    """ZnS: its S is S(-II) only because Zn is Zn(II); the electron count needs all of it."""
    text = RAW.replace('"pyrite", "au_free"', '"pyrite", "sphalerite", "au_free"').replace(
        "[case.sizes]",
        '[case.species_properties.sphalerite]\nphase = "solid"\ndensity_t_m3 = 4.05\n'
        "s_frac = 0.32902\n\n[case.sizes]",
    )
    text += "[units.leach.sulfide_oxidation.sphalerite]\nk_per_h = 1.0\nultimate_frac = 1.0\n"
    probs = problems_of(text)
    assert "cannot be counted" in probs["units.leach.sulfide_oxidation.sphalerite"]


# -- rate drivers (oreflow.kernels.lixiviant_rates.halide_rate_factor) ------------------


def sweep(key, values):
    values = np.asarray(values, dtype=float)
    sim = run(load_case(EX11), n_cases=len(values), overrides={f"units.leach.{key}": values})
    return metric(sim, "au_leach_extraction_frac"), metric(sim, "leach_rate_factor")


@pytest.mark.parametrize(
    ("key", "values"),
    [
        ("free_oxidant_mg_l", [250.0, 500.0, 1000.0, 2000.0]),
        ("nacl_g_l", [10.0, 30.0, 100.0, 200.0]),
        ("eh_mv", [890.0, 900.0, 920.0, 1000.0]),
    ],
)
def test_extraction_rises_with_oxidant_chloride_and_eh(key, values):
    rec, factor = sweep(key, values)
    assert np.all(np.diff(factor) > 0)
    assert np.all(np.diff(rec) > 0)


def test_no_gold_leaches_at_or_below_the_gold_chloride_potential():
    """E_eq of Au/AuCl4- at 100 g/L NaCl and 10 µM gold is 0.885 V: 850 mV leaches none."""
    rec, factor = sweep("eh_mv", [850.0, 1000.0])
    assert factor[0] == 0.0 and rec[0] == 0.0
    assert rec[1] > 0.5


def test_oxidant_order_at_the_limit():
    _, f = sweep("free_oxidant_mg_l", [1000.0, 2000.0])
    assert f[1] / f[0] == pytest.approx(2.0**1.98, rel=1e-9)


def test_a_warmer_leach_extracts_more_gold_at_fixed_time():
    """Arrhenius at 25 °C (Ea 53.43 kJ/mol): 1 h at k_ref 0.5/h, so not yet at the ultimate."""
    temps = np.array([10.0, 25.0, 35.0, 45.0, 60.0])
    text = RAW.replace("k_per_h = 100.0", "k_per_h = 0.5")
    sim = run(
        text,
        len(temps),
        {"units.leach.temperature_degc": temps, "units.leach.residence_h": np.full(5, 1.0)},
    )
    rec, factor = metric(sim, "au_leach_extraction_frac"), metric(sim, "leach_rate_factor")
    assert factor[1] == 1.0
    assert np.all(np.diff(factor) > 0) and np.all(np.diff(rec) > 0)
    assert factor[3] == pytest.approx(3.876, rel=1e-3)  # 25 -> 45 °C
    assert rec[-1] < 0.95  # never past the ultimate


def test_no_activation_energy_leaves_only_the_equilibrium_term():
    temps = np.array([10.0, 25.0, 60.0])
    sim = run(
        load_case(EX11),
        3,
        {"units.leach.temperature_degc": temps, "units.leach.leach_ea_kj_mol": np.zeros(3)},
    )
    np.testing.assert_allclose(metric(sim, "leach_rate_factor"), 1.0, atol=1e-5)
