"""Glycine leach, alone and cyanide-starved (GlyCat): ex11, budgets, limits, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from oreflow.conventions import (
    NACN_G_MOL,
    RTOL_CLOSURE,
    RTOL_RECYCLE_CLOSURE,
    RTOL_WORKED_EXAMPLE,
)
from oreflow.core.components import CATALOGUE
from oreflow.core.formulas import mass_fractions as _mf
from oreflow.errors import CaseError
from oreflow.flowsheet.case import load_case, parse_case
from oreflow.flowsheet.compile import compile_case
from oreflow.solvers.kpis import plant_kpis
from oreflow.solvers.results import closure_arrays, closure_max_rel, unit_closure
from oreflow.solvers.simulate import simulate_plant
from tests.kernels.reference_leaching import nacn_consumption_kg_t

CASES = Path(__file__).resolve().parents[2] / "cases"
EX11 = CASES / "tests" / "cf_ex11_glycine.toml"
GLYCAT = CASES / "tests" / "cf_glycat_copper.toml"

GLY, CU, CN = 75.07, 63.546, 26.018
NACN = NACN_G_MOL  # the kernels take it from conventions (49.008 since the full formulas)

# Glycine alone with permanganate at ambient, once through: 100 t/h at 40 % solids.
BASE = """
[case]
name = "gly_unit"
solids = ["gangue", "au_free", "au_silicate"]
solution = ["water", "au_aq", "glycine"]
adsorbent = ["carbon", "au_carbon"]
[case.sizes]
top_um = 300.0
n_classes = 8
[ore.feed]
rate_tph = 100.0
moisture_frac = 0.6
au_gpt = 2.0
wi_kwh_t = 14.0
[ore.feed.deportment]
au_free = 0.85
au_silicate = 0.15
[ore.feed.psd]
model = "rrb"
f80_um = 75.0
n = 1.0
[units.leach]
type = "glycine_leach"
inlets.feed = "ore.feed"
glycine_g_l = 1.5
kinetics_ref_glycine_g_l = 1.5  # k of the table at these conditions: rate factor 1
oxidant = "kmno4"
oxidant_kg_t = 3.0
naoh_kg_t = 2.0
lime_kg_t = 0.0
residence_h = 36.0
leach_k_size_exponent = 0.0
leach_ultimate_size_exponent = 0.0
[units.leach.leach.au_free]
k_per_h = 0.12
ultimate_frac = 0.94
[units.leach.leach.au_silicate]
k_per_h = 0.05
ultimate_frac = 0.6
[units.tailings]
type = "tailings"
inlets.feed = "leach.tails"
[units.elution]
type = "product"
inlets.feed = "leach.loaded_carbon"
"""


def run(case, n_cases=1, overrides=None):
    spec = case if not isinstance(case, str) else parse_case(case, "gly_unit.toml")
    return simulate_plant(
        compile_case(spec), n_cases=n_cases, overrides=overrides, check_ranges=False
    )


def metric(sim, name, unit="leach"):
    return sim.units[unit].metrics[name]


# -- worked example ex11 --------------------------------------------------------------------


def test_ex11_glycine_inventory_and_make_up_at_95_percent_recycle():
    """Oraby, Eksteen & Tanda 2017, Hydrometallurgy 169:339; docs/models.md#glycine: 0.2 M at 40 % solids is 22.52 kg/t; 95 % recycle -> 1.126 kg/t."""
    sim = run(load_case(EX11))
    assert metric(sim, "glycine_inventory_kg_t")[0] == pytest.approx(
        22.5210, rel=RTOL_WORKED_EXAMPLE
    )
    assert metric(sim, "glycine_added_kg_t")[0] == pytest.approx(1.1260, rel=RTOL_WORKED_EXAMPLE)
    k = plant_kpis(sim, closure_arrays(sim)["totals"])
    assert k["glycine_leach_glycine_make_up_kg_t"][0] == pytest.approx(1.1260, rel=1e-4)
    assert k["glycine_leach_glycine_kg_t"][0] == pytest.approx(1.1260, rel=1e-4)
    assert closure_max_rel(closure_arrays(sim))[0] <= RTOL_RECYCLE_CLOSURE
    # heated leach, 25 -> 60 °C, no heat recovery: (150 x 4.18 + 100 x 0.8) MJ/h/K
    assert metric(sim, "heat_duty_kw")[0] == pytest.approx(
        (150.0 * 4.18 + 100.0 * 0.8) * 1e3 * 35.0 / 3600.0, rel=1e-6
    )


# -- glycine alone ---------------------------------------------------------------------


def test_glycine_alone_with_permanganate_closed_forms():
    sim = run(BASE)
    n, tau = 6, 36.0
    expected = 0.85 * 0.94 * (1 - (1 + 0.12 * tau / n) ** -n) + 0.15 * 0.6 * (
        1 - (1 + 0.05 * tau / n) ** -n
    )
    m = sim.units["leach"].metrics
    assert m["au_leach_extraction_frac"][0] == pytest.approx(expected, rel=1e-12)
    lost = 0.0005 * 1500.0 * 150.0 * tau / 1e6  # t/h
    assert m["glycine_added_kg_t"][0] == pytest.approx((1.5 * 150.0 / 1e3 + lost) * 10.0, rel=1e-12)
    assert m["use_kmno4_kg_h"][0] == pytest.approx(300.0, rel=1e-12)
    assert m["use_naoh_kg_h"][0] == pytest.approx(200.0, rel=1e-12)
    assert "use_nacn_kg_h" not in m and "use_h2o2_kg_h" not in m
    assert closure_max_rel(closure_arrays(sim))[0] <= RTOL_CLOSURE
    assert unit_closure(sim)["leach"][0] <= RTOL_CLOSURE


def test_gold_glycinate_loads_carbon_more_weakly_than_aurocyanide():
    weak = run(BASE)
    text = BASE.replace('oxidant = "kmno4"', 'mode = "glycine_cyanide"\noxidant = "kmno4"').replace(
        '"glycine"]', '"glycine", "nacn", "cn_wad"]'
    )
    strong = run(text)
    assert metric(weak, "au_leach_extraction_frac")[0] == pytest.approx(
        metric(strong, "au_leach_extraction_frac")[0], rel=1e-12
    )
    assert metric(weak, "au_to_carbon_frac")[0] < metric(strong, "au_to_carbon_frac")[0]
    assert metric(weak, "soluble_loss_au_mg_l")[0] > metric(strong, "soluble_loss_au_mg_l")[0]


# -- GlyCat: copper, cyanide, WAD ------------------------------------------------------


def copper_leached_t_h():
    """Closed form of the copper dissolved in cf_glycat_copper (6 tanks, 24 h)."""
    n, tau = 6, 24.0
    rest = 100.0 - 1.5e-4  # t/h of non-gold solids
    cc = rest * 0.005 * 0.5 * (1 - (1 + 0.3 * tau / n) ** -n)
    cp = rest * 0.01 * 0.05 * (1 - (1 + 0.02 * tau / n) ** -n)
    return (
        cc * CATALOGUE["chalcocite"].elements["cu"] + cp * CATALOGUE["chalcopyrite"].elements["cu"]
    )


def test_glycat_copper_cyanide_glycine_and_wad_budget():
    sim = run(load_case(GLYCAT))
    m = sim.units["leach"].metrics
    cu = copper_leached_t_h()
    v = 150.0
    assert m["cu_leached_kg_t"][0] == pytest.approx(cu * 10.0, rel=1e-12)
    cu_cn = 0.4 * cu
    nacn_cu = 3.5 * cu_cn / CU * NACN
    assert m["nacn_cu_kg_t"][0] == pytest.approx(nacn_cu * 10.0, rel=1e-12)
    chem = 0.1 * 100.0 / 1e3
    assert m["nacn_added_kg_t"][0] == pytest.approx(
        (chem + nacn_cu + 50.0 * v / 1e6) * 10.0, rel=1e-12
    )
    wad = 50.0 * CN / NACN + 3.0 * cu_cn / CU * CN * 1e6 / v
    assert m["wad_cn_mg_l"][0] == pytest.approx(wad, rel=1e-12)
    bound = 2.0 * 0.6 * cu / CU * GLY
    assert m["glycine_cu_bound_kg_t"][0] == pytest.approx(bound * 10.0, rel=1e-12)
    assert closure_max_rel(closure_arrays(sim))[0] <= RTOL_CLOSURE
    assert unit_closure(sim)["leach"][0] <= RTOL_CLOSURE


def test_glycat_with_no_glycine_share_costs_cyanide_as_in_models_5_3():
    """With cu_glycine_frac = 0 the copper term is Marsden & House 2006; docs/models.md#cil's 2.70 kg NaCN/kg Cu."""
    sim = run(load_case(GLYCAT), 1, {"units.leach.cu_glycine_frac": 0.0})
    cu_g_t = metric(sim, "cu_leached_kg_t")[0] * 1e3
    parts = nacn_consumption_kg_t(0.0, 0.0, cu_g_t, 0.0, 0.0, 0.0)
    # the leaching kernel rounds molar masses to 2 decimals (Marsden & House 2006; docs/models.md#cil): 1e-4
    assert metric(sim, "nacn_cu_kg_t")[0] == pytest.approx(parts[1], rel=1e-4)


def test_more_glycine_on_copper_means_less_cyanide_and_wad():
    shares = np.array([0.0, 0.3, 0.6, 0.9])
    sim = run(load_case(GLYCAT), len(shares), {"units.leach.cu_glycine_frac": shares})
    assert np.all(np.diff(metric(sim, "nacn_added_kg_t")) < 0)
    assert np.all(np.diff(metric(sim, "wad_cn_mg_l")) < 0)
    assert np.all(np.diff(metric(sim, "glycine_added_kg_t")) > 0)
    k = plant_kpis(sim, closure_arrays(sim)["totals"])
    assert np.all(np.diff(k["glycine_leach_nacn_kg_t"]) < 0)
    assert k["glycine_leach_wad_cn_mg_l"] == pytest.approx(metric(sim, "wad_cn_mg_l"), rel=1e-12)
    assert np.all(closure_max_rel(closure_arrays(sim)) <= RTOL_CLOSURE)


# -- limits and monotonicity -----------------------------------------------------------


def test_zero_residence_changes_nothing_and_infinite_reaches_the_ultimate():
    sim = run(load_case(GLYCAT), 2, {"units.leach.residence_h": np.array([0.0, 1e7])})
    c = sim.plant.spec.comps
    feed, tails = sim.streams["ore.feed"], sim.streams["leach.tails"]
    assert np.array_equal(c.solids_view(tails)[0], c.solids_view(feed)[0])
    assert tails[0, c.solution_offset("au_aq")] == 0.0
    assert tails[0, c.solution_offset("cu_aq")] == 0.0
    assert tails[0, c.solution_offset("cn_wad")] == 0.0
    assert metric(sim, "glycine_lost_kg_t")[0] == 0.0
    assert metric(sim, "au_leach_extraction_frac")[1] == pytest.approx(0.95, rel=1e-6)
    rest = 100.0 - 1.5e-4
    cu_ult = rest * (
        0.005 * 0.5 * CATALOGUE["chalcocite"].elements["cu"]
        + 0.01 * 0.05 * CATALOGUE["chalcopyrite"].elements["cu"]
    )
    assert metric(sim, "cu_leached_kg_t")[1] == pytest.approx(cu_ult * 10.0, rel=1e-6)


def test_longer_residence_never_lowers_extraction_or_recovery():
    times = np.array([2.0, 6.0, 12.0, 24.0, 48.0])
    sim = run(BASE, len(times), {"units.leach.residence_h": times})
    assert np.all(np.diff(metric(sim, "au_leach_extraction_frac")) > 0)
    k = plant_kpis(sim, closure_arrays(sim)["totals"])
    assert np.all(np.diff(k["gold_recovery_frac"]) > 0)


# -- nonsense gets a clear error ------------------------------------------------------


def problems_of(text):
    with pytest.raises(CaseError) as info:
        parse_case(text, "bad.toml")
    return {p.key: p.message for p in info.value.problems}


def test_glycine_alone_cold_and_unoxidised_is_a_case_error():
    text = BASE.replace('oxidant = "kmno4"\noxidant_kg_t = 3.0\n', "")
    assert "60 °C" in problems_of(text)["units.leach.temperature_degc"]
    parse_case(text.replace("residence_h", "temperature_degc = 60.0\nresidence_h"), "ok.toml")


def test_oxidant_and_dose_must_agree():
    probs = problems_of(BASE.replace("oxidant_kg_t = 3.0", "oxidant_kg_t = 0.0"))
    assert "needs a dose" in probs["units.leach.oxidant_kg_t"]
    probs = problems_of(
        BASE.replace('oxidant = "kmno4"', 'oxidant = "none"\ntemperature_degc = 60.0')
    )
    assert "oxidant = 'none'" in probs["units.leach.oxidant_kg_t"]


def test_negative_residence_and_unknown_mineral_are_case_errors():
    probs = problems_of(BASE.replace("residence_h = 36.0", "residence_h = -1.0"))
    assert "out of range" in probs["units.leach.residence_h"]
    probs = problems_of(
        BASE + "[units.leach.copper_leach.unobtainium]\nk_per_h = 1.0\nultimate_frac = 0.5\n"
    )
    assert "not a declared solid species" in probs["units.leach.copper_leach.unobtainium"]
    text = BASE.replace('"au_silicate"]', '"au_silicate", "pyrite"]')
    probs = problems_of(
        text + "[units.leach.copper_leach.pyrite]\nk_per_h = 1.0\nultimate_frac = 0.5\n"
    )
    assert "holds no cu" in probs["units.leach.copper_leach.pyrite"]


def test_copper_products_and_cyanide_species_must_be_declared():
    text = load_case(GLYCAT).path
    raw = Path(text).read_text(encoding="utf-8")
    probs = problems_of(raw.replace(', "metal_hydroxides"]', "]"))
    assert "metal_hydroxides" in probs["units.leach.copper_leach.chalcopyrite"]
    probs = problems_of(raw.replace('"nacn", "cn_wad", "ocn"]', '"ocn"]'))
    assert "'nacn'" in probs["units.leach"] or "'cn_wad'" in probs["units.leach"]


def test_a_leach_fed_no_solution_is_a_case_error():
    with pytest.raises(CaseError) as info:
        run(BASE.replace("moisture_frac = 0.6", "moisture_frac = 0.0"))
    assert "fed no solution" in str(info.value)


def test_shipped_glycine_case_has_the_ore_and_circuit_of_free_milling_cil():
    cil = load_case(CASES / "free_milling_cil.toml")
    gly = load_case(CASES / "free_milling_glycine.toml")
    (a,), (b,) = cil.ores, gly.ores
    assert dict(a.params) == dict(b.params)
    assert dict(a.tables["mineralogy"]) == dict(b.tables["mineralogy"])
    assert dict(a.tables["psd"]) == dict(b.tables["psd"])
    dep_a, dep_b = dict(a.tables["deportment"]), dict(b.tables["deportment"])
    # the free gold is only split into gravity-recoverable and other free gold
    assert dep_b.pop("au_grg") + dep_b.pop("au_free") == pytest.approx(dep_a.pop("au_free"))
    assert dep_a == dep_b
    assert cil.comps.sizes == gly.comps.sizes
    for name in ("mill", "cyclone_feed", "cyclone", "thickener"):
        pa, pb = dict(cil.unit(name).params), dict(gly.unit(name).params)
        pb.pop("grg_loss_frac", None)  # acts on au_grg only, which the CIL case lacks
        pa.pop("grg_loss_frac", None)
        assert pa == pb, name


def test_malachite_carbonate_goes_to_co2_and_every_element_closes():
    raw = GLYCAT.read_text(encoding="utf-8")
    text = (
        raw.replace('"chalcopyrite", "au_free"', '"chalcopyrite", "malachite", "au_free"')
        .replace('"ocn"]', '"ocn", "co2"]')
        .replace(
            "[case.sizes]",
            '[case.species_properties.malachite]\nphase = "solid"\ndensity_t_m3 = 4.0\n'
            "cu_frac = 0.57483\nc_frac = 0.05432\n\n[case.sizes]",
        )
        .replace("chalcopyrite = 0.01\n", "chalcopyrite = 0.01\nmalachite = 0.004\n")
    )
    text += "[units.leach.copper_leach.malachite]\nk_per_h = 1.0\nultimate_frac = 0.9\n"
    sim = run(parse_case(text, "malachite.toml"))
    audit = closure_arrays(sim)
    assert closure_max_rel(audit)[0] <= RTOL_CLOSURE
    names, _, relv = audit["views"]["element"]
    assert relv[0, names.index("c")] <= RTOL_CLOSURE
    c = sim.plant.spec.comps
    co2 = sim.streams["leach.tails"][0, c.solution_offset("co2")]
    assert co2 > 0
    without = run(load_case(GLYCAT))
    assert metric(sim, "cu_leached_kg_t")[0] > metric(without, "cu_leached_kg_t")[0]
    mal = c.solid_index("malachite")
    dissolved = (
        c.solids_view(sim.streams["ore.feed"])[0][:, mal].sum()
        - c.solids_view(sim.streams["leach.tails"])[0][:, mal].sum()
    )
    assert co2 * _mf("CO2")["c"] == pytest.approx(dissolved * 0.05432, rel=1e-12)


# -- rate drivers (oreflow.kernels.lixiviant_rates.glycine_rate_factor) -----------------


def sweep(key, values, case=BASE):
    values = np.asarray(values, dtype=float)
    sim = run(case, n_cases=len(values), overrides={f"units.leach.{key}": values})
    return metric(sim, "au_leach_extraction_frac"), metric(sim, "leach_rate_factor")


@pytest.mark.parametrize(
    ("key", "values"),
    [
        ("glycine_g_l", [0.1, 0.5, 1.5, 15.0, 90.0]),
        ("oxidant_kg_t", [0.1, 1.0, 3.0, 10.0]),
        ("temperature_degc", [15.0, 25.0, 40.0, 60.0]),
        ("ph", [9.0, 10.0, 10.5, 12.0]),
        ("cu_catalyst_mg_l", [0.0, 50.0, 200.0]),
    ],
)
def test_extraction_rises_with_each_driver(key, values):
    rec, factor = sweep(key, values)
    assert np.all(np.diff(factor) > 0)
    assert np.all(np.diff(rec) > 0)


def test_rate_factor_is_one_at_the_reference_conditions():
    _, factor = sweep("glycine_g_l", [1.5])
    assert factor[0] == pytest.approx(1.0, rel=1e-12)


def test_orders_at_the_limits_of_glycine():
    """First order in glycine far below saturation, order zero far above it."""
    _, f = sweep("glycine_g_l", [0.001, 0.002, 100.0, 150.0])
    assert f[1] / f[0] == pytest.approx(2.0, rel=0.01)
    assert f[3] / f[2] == pytest.approx(1.0, abs=0.01)


def test_air_alone_is_the_slow_limit_of_permanganate():
    """No oxidant dose: the rate with air alone, 1/27 of the 3 kg/t KMnO4 rate (fit)."""
    _, f = sweep("oxidant_kg_t", [1e-9, 3.0])
    assert f[1] / f[0] == pytest.approx(1.0 + 39.1 * 3.0 / 4.5, rel=1e-6)


def test_shipped_case_has_an_interior_best_permanganate_dose():
    """Recovery rises with KMnO4 at a falling rate while its cost rises linearly, so the
    margin of free_milling_glycine peaks inside 0.5-10 kg/t (the optimizer's lever)."""
    from oreflow.solvers.study import simulate_figures

    plant = compile_case(load_case(CASES / "free_milling_glycine.toml"))
    dose = np.array([0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 10.0])
    f = simulate_figures(plant, {"units.leach.oxidant_kg_t": dose}, len(dose))
    assert np.all(np.diff(f["gold_recovery_frac"]) > 0)
    best = int(np.argmax(f["margin_usd_t"]))
    assert 0 < best < len(dose) - 1


def test_glycine_carbon_moves_with_temperature_film_for_all_van_t_hoff_for_aurocyanide_only():
    """The glycine unit's carbon at 25/40/60 °C (``temperature_degc``).

    - Film (agitated tanks, Calderbank & Moo-Young with Stokes-Einstein): the unit's
      ``adsorption_rate_factor`` is exactly the kernel's, 2.17 at 60 °C, in both modes.
    - GlyCat (aurocyanide): the exothermic K raises the soluble gold loss with temperature
      (0.00509 -> 0.00710 at 25 -> 60 °C); with dH = 0 the film alone lowers it.
    - Glycine mode (gold glycinate): the enthalpy does nothing.
    """
    from oreflow.api import simulate, simulate_batch
    from oreflow.kernels.carbon_temperature import film_temperature_factor

    temps = np.array([25.0, 40.0, 60.0])
    t = {"units.leach.temperature_degc": temps}
    no_dh = {"units.leach.adsorption_dh_kj_mol": np.zeros(3)}
    key = "soluble_au_loss_frac"
    glycat = CASES / "tests" / "cf_glycat_copper.toml"
    both = simulate_batch(glycat, t, workers=1)[key].to_numpy()
    film = simulate_batch(glycat, t | no_dh, workers=1)[key].to_numpy()
    assert np.all(np.diff(both) > 0.0) and np.all(np.diff(film) < 0.0), (both, film)
    assert both[0] == film[0]  # at the reference the enthalpy does nothing
    np.testing.assert_allclose(both[[0, 2]], [0.005094, 0.007100], rtol=1e-3)
    gly = CASES / "free_milling_glycine.toml"
    a = simulate_batch(gly, t, workers=1)[key].to_numpy()
    b = simulate_batch(gly, t | no_dh, workers=1)[key].to_numpy()
    np.testing.assert_array_equal(a, b)
    for case in (glycat, gly):
        units = simulate(case, overrides={"units.leach.temperature_degc": 60.0}).units
        row = units[(units["unit"] == "leach") & (units["metric"] == "adsorption_rate_factor")]
        expected = float(film_temperature_factor(60.0, 25.0, 0.25))
        assert float(row["value"].iloc[0]) == pytest.approx(expected, rel=1e-12)
        assert expected == pytest.approx(2.170, abs=1e-3)


def test_adsorption_enthalpy_is_documented_and_inert_in_glycine_mode():
    """Mode 'glycine': the glycinate K has no temperature term, so dH changes nothing."""
    from oreflow.api import simulate
    from oreflow.units import UNIT_TYPES

    (param,) = [p for p in UNIT_TYPES["glycine_leach"].params if p.name == "adsorption_dh_kj_mol"]
    assert "not used" in param.doc and "'glycine'" in param.doc
    case = Path(__file__).resolve().parents[2] / "cases" / "free_milling_glycine.toml"
    warm = {"units.leach.temperature_degc": 40.0}
    a = simulate(case, overrides=warm).kpis
    b = simulate(case, overrides={**warm, "units.leach.adsorption_dh_kj_mol": -30.0}).kpis
    assert a["gold_recovery_frac"] == b["gold_recovery_frac"]
