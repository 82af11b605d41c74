"""Thiosulfate resin-in-leach: ex11 through the flowsheet, conservation, limits, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from oreflow.conventions import RTOL_CLOSURE, RTOL_RECYCLE_CLOSURE, RTOL_WORKED_EXAMPLE
from oreflow.core.components import ELEMENTS
from oreflow.errors import CaseError
from oreflow.flowsheet.case import load_case, parse_case
from oreflow.flowsheet.compile import compile_case
from oreflow.solvers.kpis import plant_kpis
from oreflow.solvers.results import closure_arrays, closure_max_rel, unit_closure
from oreflow.solvers.simulate import simulate_plant

CASES = Path(__file__).resolve().parents[2] / "cases"
EX11 = CASES / "tests" / "cf_ex11_thiosulfate.toml"
AMMONIACAL = CASES / "tests" / "cf_ril_ammoniacal.toml"

S2O3, CAS2O3, ATS, CUSO4, CU, NH3 = 112.13, 152.21, 148.21, 249.69, 63.546, 17.031

# Once-through RIL of an oxidised carbonaceous ore: 100 t/h at 40 % solids (150 m3/h).
BASE = """
[case]
name = "ril_unit"
solids = ["gangue", "carbonaceous", "au_free", "au_sulfide"]
solution = ["water", "au_aq", "s2o3", "polythionates"]
adsorbent = ["resin", "au_resin"]
[case.sizes]
top_um = 300.0
n_classes = 8
[ore.feed]
rate_tph = 100.0
moisture_frac = 0.6
au_gpt = 3.0
wi_kwh_t = 14.0
[ore.feed.mineralogy]
carbonaceous = 0.02
[ore.feed.deportment]
au_free = 0.8
au_sulfide = 0.2
[ore.feed.psd]
model = "rrb"
f80_um = 75.0
n = 1.0
[units.ril]
type = "thiosulfate_ril"
inlets.feed = "ore.feed"
residence_h = 24.0
leach_k_size_exponent = 0.0
leach_ultimate_size_exponent = 0.0
[units.ril.leach.au_free]
k_per_h = 0.3
ultimate_frac = 0.92
[units.ril.leach.au_sulfide]
k_per_h = 0.05
ultimate_frac = 0.4
[units.tailings]
type = "tailings"
inlets.feed = "ril.tails"
[units.elution]
type = "product"
inlets.feed = "ril.loaded_resin"
"""


def run(case, n_cases=1, overrides=None):
    spec = case if not isinstance(case, str) else parse_case(case, "ril_unit.toml")
    return simulate_plant(
        compile_case(spec), n_cases=n_cases, overrides=overrides, check_ranges=False
    )


def metric(sim, name, unit="ril"):
    return sim.units[unit].metrics[name]


def kpis(sim):
    return plant_kpis(sim, closure_arrays(sim)["totals"])


# -- worked example ex11 through the flowsheet ---------------------------------------------


def test_ex11_make_up_with_5_10_20_percent_not_recycled():
    """Aylmore & Muir 2001, Miner. Eng. 14(2):135; docs/models.md#thiosulfate: 1.841 / 2.682 / 4.364 kg S2O3/t with 1.0 kg/t degraded."""
    underflow = [1 / 1.075, 1 / 1.15, 1 / 1.3]  # 0.075, 0.15, 0.30 m3/t leave: 5, 10, 20 %
    sim = run(
        load_case(EX11), 3, {"units.tails_thickener.underflow_solids_frac": np.array(underflow)}
    )
    assert metric(sim, "s2o3_inventory_kg_t") == pytest.approx(16.8195, rel=RTOL_WORKED_EXAMPLE)
    assert metric(sim, "s2o3_degraded_kg_t") == pytest.approx(1.0, rel=RTOL_WORKED_EXAMPLE)
    made_up = metric(sim, "s2o3_added_kg_t")
    assert made_up == pytest.approx([1.8410, 2.6819, 4.3639], rel=RTOL_WORKED_EXAMPLE)
    # CaS2O3 bought: S2O3 x 152.21/112.13 (ex11 prints 22.8315 kg/t for the inventory)
    cats = metric(sim, "use_cats_kg_h") / 100.0
    assert cats == pytest.approx(made_up * CAS2O3 / S2O3, rel=1e-12)
    k = kpis(sim)
    assert k["thiosulfate_ril_s2o3_make_up_kg_t"] == pytest.approx(made_up, rel=1e-9)
    assert k["thiosulfate_ril_cats_kg_t"] == pytest.approx(cats, rel=1e-9)
    assert np.all(closure_max_rel(closure_arrays(sim)) <= RTOL_RECYCLE_CLOSURE)


def test_polythionates_build_up_with_recycle_and_lower_resin_affinity():
    underflow = [1 / 1.075, 1 / 1.15, 1 / 1.3]
    sim = run(
        load_case(EX11), 3, {"units.tails_thickener.underflow_solids_frac": np.array(underflow)}
    )
    pt = metric(sim, "polythionates_tails_mg_l")
    # at steady state what is made (1.0 kg/t) leaves with the unrecycled solution; the
    # underflow water follows the solids left after 2 g/t of gold dissolved (2e-6)
    assert pt == pytest.approx(1e3 / np.array([0.075, 0.15, 0.30]), rel=1e-5)
    affinity = metric(sim, "resin_affinity_frac")
    assert np.all(np.diff(affinity) > 0)  # more bleed, fewer polythionates, better loading
    clean = run(load_case(EX11), 1, {"units.ril.s2o3_degradation_per_h": 0.0})
    assert metric(clean, "resin_affinity_frac")[0] == 1.0
    assert metric(clean, "polythionates_tails_mg_l")[0] == 0.0


# -- closed forms of the once-through train ---------------------------------------------


def test_once_through_train_matches_closed_forms():
    sim = run(BASE)
    n_tanks, tau, v_m3_h = 8, 24.0, 150.0
    c = 0.1 * S2O3 * 1e3  # g/m3
    degraded = 0.0025 * c * v_m3_h * tau / 1e6  # t/h
    assert metric(sim, "s2o3_degraded_kg_t")[0] == pytest.approx(degraded * 1e3 / 100.0, rel=1e-12)
    assert metric(sim, "s2o3_added_kg_t")[0] == pytest.approx(
        (c * v_m3_h / 1e6 + degraded) * 1e3 / 100.0, rel=1e-12
    )
    expected = 0.8 * 0.92 * (1 - (1 + 0.3 * tau / n_tanks) ** -n_tanks) + 0.2 * 0.4 * (
        1 - (1 + 0.05 * tau / n_tanks) ** -n_tanks
    )
    assert metric(sim, "au_leach_extraction_frac")[0] == pytest.approx(expected, rel=1e-12)
    assert metric(sim, "use_cats_kg_h")[0] == pytest.approx(
        metric(sim, "s2o3_added_kg_t")[0] * 100.0 * CAS2O3 / S2O3, rel=1e-12
    )
    assert "use_thiosulfate_kg_h" not in sim.units["ril"].metrics


def test_conservation_of_every_component_and_element():
    sim = run(BASE)
    audit = closure_arrays(sim)
    assert closure_max_rel(audit)[0] <= RTOL_CLOSURE
    assert unit_closure(sim)["ril"][0] <= RTOL_CLOSURE
    names, agg, _ = audit["views"]["element"]
    for el in ("au", "s"):
        r = names.index(el)
        inflow = agg["in"][0, r] + agg["added"][0, r]
        assert inflow == pytest.approx(agg["out"][0, r], rel=RTOL_CLOSURE)
    # sulfur enters only with the thiosulfate dosed and leaves as S2O3 or polythionates
    r = names.index("s")
    assert agg["in"][0, r] == 0.0
    c = sim.plant.spec.comps
    tails = sim.streams["ril.tails"][0]
    s_out = (
        tails[c.solution_offset("s2o3")]
        * c.element_matrix()[c.solution_offset("s2o3"), ELEMENTS.index("s")]
        + tails[c.solution_offset("polythionates")]
        * c.element_matrix()[c.solution_offset("polythionates"), ELEMENTS.index("s")]
    )
    assert s_out == pytest.approx(agg["added"][0, r], rel=RTOL_CLOSURE)


def test_ammoniacal_system_budget_and_silver_on_resin():
    sim = run(load_case(AMMONIACAL))
    m = sim.units["ril"].metrics
    v = 150.0
    cu_mm = 190.638 / CU
    # copper-catalysed oxidation slowed by the 0.5 M NH3 (half-rate ammonia 0.5 M)
    k_deg = 0.0025 + 0.001 * cu_mm / (1.0 + 0.5 / 0.5)
    c = 0.2 * S2O3 * 1e3
    assert m["s2o3_degraded_kg_t"][0] == pytest.approx(k_deg * c * v * 16.0 / 1e6 * 10.0, rel=1e-12)
    assert m["use_thiosulfate_kg_h"][0] == pytest.approx(
        m["s2o3_added_kg_t"][0] * 100.0 * ATS / S2O3, rel=1e-12
    )
    assert m["use_cuso4_kg_h"][0] == pytest.approx(190.638 * v / 1e3 * CUSO4 / CU, rel=1e-12)
    nh3_target = 0.5 * NH3 * v  # kg/h
    nh3_lost = 0.002 * 0.5 * NH3 * 1e3 * v * 16.0 / 1e3  # kg/h
    assert m["use_nh3_kg_h"][0] == pytest.approx(nh3_target + nh3_lost, rel=1e-12)
    assert "use_cats_kg_h" not in m
    assert 0 < m["ag_leach_extraction_frac"][0] <= 0.7
    assert m["loaded_resin_ag_g_t"][0] > 0
    assert closure_max_rel(closure_arrays(sim))[0] <= RTOL_CLOSURE
    assert unit_closure(sim)["ril"][0] <= RTOL_CLOSURE


def test_carbonaceous_matter_robs_no_gold():
    """Thiosulfate is insensitive to preg-robbing: TCM changes neither leach nor loading."""
    with_tcm = run(BASE)
    without = run(BASE.replace("carbonaceous = 0.02", "carbonaceous = 0.0"))
    key = "au_leach_extraction_frac"
    assert metric(with_tcm, key)[0] == pytest.approx(metric(without, key)[0], rel=1e-12)
    # the lighter TCM only enlarges the pulp (and the resin inventory) by 0.03 %
    key = "au_to_resin_frac"
    assert metric(with_tcm, key)[0] == pytest.approx(metric(without, key)[0], rel=1e-5)


# -- limits and monotonicity -----------------------------------------------------------


def test_zero_residence_changes_nothing_and_infinite_reaches_the_ultimate():
    sim = run(BASE, 2, {"units.ril.residence_h": np.array([0.0, 1e7])})
    c = sim.plant.spec.comps
    feed, tails = sim.streams["ore.feed"], sim.streams["ril.tails"]
    gold = [c.solid_index("au_free"), c.solid_index("au_sulfide")]
    fs, ts = c.solids_view(feed), c.solids_view(tails)
    assert np.array_equal(ts[0][:, gold], fs[0][:, gold])
    assert tails[0, c.solution_offset("au_aq")] == 0.0
    assert tails[0, c.solution_offset("polythionates")] == 0.0
    assert metric(sim, "s2o3_degraded_kg_t")[0] == 0.0
    assert metric(sim, "loaded_resin_au_g_t")[0] == pytest.approx(20.0, rel=1e-12)  # barren
    ultimate = 0.8 * 0.92 + 0.2 * 0.4
    assert metric(sim, "au_leach_extraction_frac")[1] == pytest.approx(ultimate, rel=1e-6)


def test_longer_residence_never_lowers_extraction_or_recovery():
    times = np.array([1.0, 4.0, 12.0, 24.0, 48.0, 96.0])
    sim = run(BASE, len(times), {"units.ril.residence_h": times})
    assert np.all(np.diff(metric(sim, "au_leach_extraction_frac")) > 0)
    assert np.all(np.diff(metric(sim, "au_to_resin_frac")) > 0)
    assert np.all(np.diff(kpis(sim)["gold_recovery_frac"]) > 0)


def test_finer_feed_never_lowers_extraction():
    text = BASE.replace("leach_k_size_exponent = 0.0\n", "").replace(
        "leach_ultimate_size_exponent = 0.0\n", ""
    )
    out = [
        metric(run(text.replace("f80_um = 75.0", f"f80_um = {f80}")), "au_leach_extraction_frac")[0]
        for f80 in (200.0, 120.0, 75.0, 45.0)
    ]
    assert np.all(np.diff(out) > 0)


# -- nonsense gets a clear error ------------------------------------------------------


def problems_of(text):
    with pytest.raises(CaseError) as info:
        parse_case(text, "bad.toml")
    return {p.key: p.message for p in info.value.problems}


def test_negative_residence_time_is_a_case_error():
    probs = problems_of(BASE.replace("residence_h = 24.0", "residence_h = -5.0"))
    assert "out of range" in probs["units.ril.residence_h"]


def test_unknown_and_non_gold_minerals_in_the_leach_table():
    probs = problems_of(
        BASE + "[units.ril.leach.unobtainium]\nk_per_h = 1.0\nultimate_frac = 0.5\n"
    )
    assert "not a declared solid species" in probs["units.ril.leach.unobtainium"]
    probs = problems_of(BASE + "[units.ril.leach.gangue]\nk_per_h = 1.0\nultimate_frac = 0.5\n")
    assert "not a gold or silver species" in probs["units.ril.leach.gangue"]


def test_missing_gold_kinetics_and_species_are_case_errors():
    text = BASE.replace("[units.ril.leach.au_sulfide]\nk_per_h = 0.05\nultimate_frac = 0.4\n", "")
    assert "au_sulfide" in problems_of(text)["units.ril.leach"]
    text = BASE.replace('"s2o3", "polythionates"', '"s2o3"')
    assert "polythionates" in problems_of(text)["units.ril"]


def test_ammoniacal_without_catalyst_is_a_case_error():
    probs = problems_of(
        BASE.replace("residence_h = 24.0", 'residence_h = 24.0\nlixiviant = "ammoniacal"')
    )
    assert "Cu(II) catalyst" in probs["units.ril.cu_mg_l"]
    assert "ammonia" in probs["units.ril.nh3_mol_l"]


def test_a_leach_fed_no_solution_is_a_case_error():
    sim_text = BASE.replace("moisture_frac = 0.6", "moisture_frac = 0.0")
    with pytest.raises(CaseError) as info:
        run(sim_text)
    assert "fed no solution" in str(info.value)


def test_shipped_carbonaceous_case_make_up_follows_ex11_with_its_own_recycle():
    """The CaTS make-up of the shipped case is ex11's inventory x unrecycled + degraded."""
    sim = run(load_case(CASES / "carbonaceous_thiosulfate.toml"))
    c = sim.plant.spec.comps
    iw = c.solution_offset("water")
    leach_water = sim.streams["leach_feed.out"][0, iw]
    lost = sim.streams["tails_filter.cake"][0, iw] + sim.streams["filtrate_split.bleed"][0, iw]
    m = sim.units["ril"].metrics
    expected = m["s2o3_inventory_kg_t"][0] * lost / leach_water + m["s2o3_degraded_kg_t"][0]
    assert m["s2o3_added_kg_t"][0] == pytest.approx(expected, rel=1e-8)
    # the carbonaceous matter survives the autoclave and robs no gold in the RIL
    tcm = c.solid_index("carbonaceous")
    ore = c.solids_view(sim.streams["ore.main"])[0][:, tcm].sum()
    tails = c.solids_view(sim.streams["tails_filter.cake"])[0][:, tcm].sum()
    assert tails == pytest.approx(ore, rel=1e-12)
    assert closure_max_rel(closure_arrays(sim))[0] <= RTOL_RECYCLE_CLOSURE


# -- rate drivers (oreflow.kernels.lixiviant_rates) ---------------------------------------


def sweep(case, key, values):
    values = np.asarray(values, dtype=float)
    sim = run(case, n_cases=len(values), overrides={f"units.ril.{key}": values})
    return {
        k: metric(sim, k)
        for k in (
            "au_leach_extraction_frac",
            "leach_rate_factor",
            "s2o3_degradation_per_h",
            "resin_affinity_frac",
        )
    }


def test_cats_extraction_rises_with_thiosulfate_and_saturates():
    m = sweep(BASE, "s2o3_mol_l", [0.005, 0.01, 0.05, 0.1, 0.5])
    assert np.all(np.diff(m["au_leach_extraction_frac"]) > 0)
    f = m["leach_rate_factor"]
    assert f[1] / f[0] > 1.5  # near first order where thiosulfate runs short
    assert f[4] / f[3] < 1.2  # nearly order zero above 0.1 M


@pytest.mark.parametrize(
    ("key", "values"),
    [("cu_mg_l", [20.0, 60.0, 190.638, 600.0]), ("nh3_mol_l", [0.1, 0.3, 0.5, 1.0])],
)
def test_ammoniacal_extraction_rises_with_copper_and_ammonia(key, values):
    m = sweep(load_case(AMMONIACAL), key, values)
    assert np.all(np.diff(m["leach_rate_factor"]) > 0)
    assert np.all(np.diff(m["au_leach_extraction_frac"]) > 0)


def test_degradation_rises_with_copper_falls_with_ammonia_and_robs_the_resin():
    cu = sweep(load_case(AMMONIACAL), "cu_mg_l", [20.0, 190.638, 600.0])
    assert np.all(np.diff(cu["s2o3_degradation_per_h"]) > 0)
    assert np.all(np.diff(cu["resin_affinity_frac"]) < 0)  # more polythionates on the resin
    nh3 = sweep(load_case(AMMONIACAL), "nh3_mol_l", [0.1, 0.5, 1.0])
    assert np.all(np.diff(nh3["s2o3_degradation_per_h"]) < 0)


def test_temperature_speeds_leaching_and_degradation():
    m = sweep(BASE, "temperature_degc", [15.0, 25.0, 40.0])
    assert np.all(np.diff(m["leach_rate_factor"]) > 0)
    assert np.all(np.diff(m["s2o3_degradation_per_h"]) > 0)
    assert m["leach_rate_factor"][1] == pytest.approx(1.0, rel=1e-12)


def test_copper_competes_with_gold_for_resin_sites():
    """1/K_eff grows by C_Cu/C_Cu,half: the reciprocal affinities differ by exactly that."""
    m = sweep(load_case(AMMONIACAL), "cu_resin_half_mg_l", [1e6, 1000.0])
    inv = 1.0 / m["resin_affinity_frac"]
    assert inv[1] - inv[0] == pytest.approx(190.638 / 1000.0 - 190.638 / 1e6, rel=1e-9)
