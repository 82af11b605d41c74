"""Heap leaching: recovery against time and crush size, solution balance, cyanide.

Marsden & House 2006; docs/models.md#heap_leach: per size class R(t) = R∞(d)(1 − exp(−k(d) t)), PSD-weighted; lifts,
irrigation rate, leach cycle and NaCN within the [L] practice ranges. Cases:
``cases/tests/cn_heap_merrill_crowe.toml`` and ``cn_heap_cic.toml``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.conventions import G_PER_T, RTOL_CLOSURE, RTOL_EXACT, RTOL_RECYCLE_CLOSURE
from oreflow.errors import CaseError
from oreflow.flowsheet.case import load_case, parse_case
from oreflow.flowsheet.compile import compile_case
from oreflow.kernels import heap_leach as hl
from oreflow.solvers.results import closure_arrays, closure_max_rel, unit_closure
from oreflow.solvers.simulate import simulate_plant
from tests.kernels import reference_leaching as ref

CASES = Path(__file__).resolve().parents[2] / "cases"
HEAP_MC = CASES / "tests" / "cn_heap_merrill_crowe.toml"
HEAP_CIC = CASES / "tests" / "cn_heap_cic.toml"


@pytest.fixture(params=["jit", "py_func"])
def impl(request):
    """Pick the compiled kernel or its pure-Python body."""
    if request.param == "jit":
        return lambda fn: fn
    return lambda fn: getattr(fn, "py_func", fn)


def run(case, n_cases=1, overrides=None):
    spec = load_case(case) if isinstance(case, Path) else case
    return simulate_plant(
        compile_case(spec), n_cases=n_cases, overrides=overrides, check_ranges=False
    )


def heap_metrics(sim):
    return {k: np.asarray(v) for k, v in sim.units["heap"].metrics.items()}


# --- kernels -----------------------------------------------------------------------------


def test_heap_kernel_is_the_batch_first_order_law(impl):
    rng = np.random.default_rng(5)
    feed = rng.uniform(0.0, 1.0, (3, 6, 2))
    k = rng.uniform(0.001, 0.2, feed.shape)
    ult = rng.uniform(0.3, 0.95, feed.shape)
    cycle = np.array([30.0, 90.0, 150.0])
    dissolved, residue = impl(hl.heap_leach_batch)(feed, k, ult, cycle)
    expect = feed * ult * (1.0 - np.exp(-k * cycle[:, None, None]))
    np.testing.assert_allclose(dissolved, expect.sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(residue, feed - expect, rtol=1e-12)
    zero, same = impl(hl.heap_leach_batch)(feed, k, ult, np.zeros(3))
    assert np.all(zero == 0.0)
    np.testing.assert_array_equal(same, feed)
    inf, _ = impl(hl.heap_leach_batch)(feed, k, ult, np.full(3, 1e9))
    np.testing.assert_allclose(inf, (feed * ult).sum(axis=1), rtol=1e-12)
    with pytest.raises(ValueError, match="shape"):
        impl(hl.heap_leach_batch)(feed, k[:, :, :1], ult, cycle)
    with pytest.raises(ValueError, match="n_cases"):
        impl(hl.heap_leach_batch)(feed, k, ult, cycle[:2])


def test_recovery_curve_rises_to_the_weighted_ultimate(impl):
    mass = np.array([0.2, 0.3, 0.5])
    k = np.array([0.2, 0.05, 0.01])
    ult = np.array([0.95, 0.8, 0.5])
    t = np.array([0.0, 10.0, 30.0, 60.0, 120.0, 1e9])
    r = impl(ref.heap_recovery_curve)(mass, k, ult, t)
    assert r[0] == 0.0
    assert np.all(np.diff(r) > 0.0)
    assert r[-1] == pytest.approx((mass * ult).sum() / mass.sum(), rel=RTOL_EXACT)
    expect = (mass[:, None] * ult[:, None] * (1 - np.exp(-k[:, None] * t[None, :]))).sum(0)
    np.testing.assert_allclose(r, expect / mass.sum(), rtol=1e-12)
    assert np.all(impl(ref.heap_recovery_curve)(np.zeros(3), k, ult, t) == 0.0)


# --- the unit ------------------------------------------------------------------------------


def _class_law(comps, d_ref_um, k_ref, ult_ref, a, b):
    d = comps.sizes.representative_um()
    rel = np.minimum(1.0, d_ref_um / d)
    return k_ref * rel**a, ult_ref * rel**b


def test_extraction_is_the_psd_weighted_law_of_each_size_class():
    sim = run(HEAP_MC)
    comps = sim.plant.spec.comps
    m = heap_metrics(sim)
    gold = comps.solids_view(sim.streams["ore.heap"])[0][:, comps.solid_index("au_free")]
    k, ult = _class_law(comps, 2000.0, 0.10, 0.90, 0.8, 0.2)
    expect = (gold * ult * (1.0 - np.exp(-k * 90.0))).sum() / gold.sum()
    assert m["au_extraction_frac"][0] == pytest.approx(expect, rel=1e-12)
    curve = ref.heap_recovery_curve(gold, k, ult, np.array([90.0]))
    assert m["au_extraction_frac"][0] == pytest.approx(curve[0], rel=1e-12)
    silver = comps.solids_view(sim.streams["ore.heap"])[0][:, comps.solid_index("ag")]
    k, ult = _class_law(comps, 2000.0, 0.04, 0.60, 0.8, 0.2)
    expect = (silver * ult * (1.0 - np.exp(-k * 90.0))).sum() / silver.sum()
    assert m["ag_extraction_frac"][0] == pytest.approx(expect, rel=1e-12)
    assert (
        0.5 < m["au_extraction_frac"][0] < 0.8
    )  # the 50-80 % of Marsden & House 2006; docs/models.md#heap_leach


def test_pad_area_solution_and_inventory():
    sim = run(HEAP_MC)
    m = heap_metrics(sim)
    comps = sim.plant.spec.comps
    q = 500.0
    under = q * 24.0 * 90.0
    area = under / (6.0 * 1.7)
    applied = 10.0 * area / 1000.0
    assert m["ore_under_leach_t"][0] == pytest.approx(under, rel=RTOL_EXACT)
    assert m["area_under_leach_m2"][0] == pytest.approx(area, rel=RTOL_EXACT)
    assert m["applied_solution_m3_h"][0] == pytest.approx(applied, rel=RTOL_EXACT)
    assert m["solution_to_ore_m3_t"][0] == pytest.approx(applied / q, rel=RTOL_EXACT)
    assert m["solution_inventory_m3"][0] == pytest.approx(under * 0.14 / 0.86, rel=RTOL_EXACT)
    # water: applied = barren returned + make-up; out = pregnant + residue moisture + evaporation
    iw = comps.solution_offset("water")
    barren = sim.streams["mc.barren"][0, iw]
    assert m["makeup_water_m3_h"][0] == pytest.approx(applied - barren, rel=1e-9)
    residue_w = sim.streams["heap.residue"][0, iw]
    assert residue_w == pytest.approx(q * 0.10 / 0.90, rel=RTOL_EXACT)
    feed_w = sim.streams["ore.heap"][0, iw]
    pls_w = sim.streams["heap.pregnant"][0, iw]
    assert pls_w == pytest.approx(applied + feed_w - 0.03 * applied - residue_w, rel=1e-12)


def test_applied_solution_is_made_up_to_the_set_cyanide():
    sim = run(HEAP_MC)
    comps = sim.plant.spec.comps
    m = heap_metrics(sim)
    icn, iw = comps.solution_offset("nacn"), comps.solution_offset("water")
    barren = sim.streams["mc.barren"][0]
    applied = m["applied_solution_m3_h"][0]
    added = m["use_nacn_kg_h"][0] / 1000.0
    assert (barren[icn] + added) * G_PER_T / applied == pytest.approx(250.0, rel=1e-9)
    # the drained ore keeps the applied solution
    residue = sim.streams["heap.residue"][0]
    assert residue[icn] * G_PER_T / residue[iw] == pytest.approx(250.0, rel=1e-9)
    assert m["nacn_consumed_kg_t"][0] == pytest.approx(0.15, rel=1e-12)
    r = oreflow.simulate(HEAP_MC)
    assert (
        0.1 <= r.kpis["nacn_kg_t"] <= 0.5
    )  # Marsden & House 2006; docs/models.md#heap_leach practice


def test_a_starved_heap_never_goes_below_zero_cyanide():
    sim = run(HEAP_MC, overrides={"units.heap.nacn_chemical_consumption_kg_t": 20.0})
    comps = sim.plant.spec.comps
    icn = comps.solution_offset("nacn")
    assert sim.streams["heap.pregnant"][0, icn] >= 0.0
    assert heap_metrics(sim)["nacn_consumed_kg_t"][0] < 20.0


def test_zero_cycle_leaches_nothing_and_a_long_cycle_reaches_the_ultimate():
    sim = run(HEAP_MC, n_cases=2, overrides={"units.heap.leach_cycle_d": [1e-9, 1e7]})
    comps = sim.plant.spec.comps
    m = heap_metrics(sim)
    assert m["au_extraction_frac"][0] == pytest.approx(0.0, abs=1e-9)
    gold = comps.solids_view(sim.streams["ore.heap"])[1][:, comps.solid_index("au_free")]
    _, ult = _class_law(comps, 2000.0, 0.10, 0.90, 0.8, 0.2)
    assert m["au_extraction_frac"][1] == pytest.approx((gold * ult).sum() / gold.sum(), rel=1e-9)


def test_longer_cycle_never_lowers_recovery():
    frame = oreflow.simulate_batch(
        HEAP_MC, {"units.heap.leach_cycle_d": [30.0, 60.0, 90.0, 120.0, 200.0]}
    )
    assert np.all(np.diff(frame["gold_recovery_frac"]) > 0.0)
    assert np.all(np.diff(frame["silver_recovery_frac"]) > 0.0)


def test_finer_crush_recovers_more():
    text = HEAP_MC.read_text()
    extraction = []
    for f80 in (50000.0, 25000.0, 12500.0, 6300.0):
        spec = parse_case(text.replace("f80_um = 25000.0", f"f80_um = {f80}"), "crush.toml")
        extraction.append(heap_metrics(run(spec))["au_extraction_frac"][0])
    assert np.all(np.diff(extraction) > 0.0)


def test_heap_with_carbon_columns_closes_and_adsorbs():
    r = oreflow.simulate(HEAP_CIC)
    assert r.kpis["closure_max_rel"] <= RTOL_RECYCLE_CLOSURE
    assert r.units.query("metric == 'closure_max_rel'")["value"].max() <= RTOL_RECYCLE_CLOSURE
    cols = r.units.query("unit == 'columns'").set_index("metric")["value"]
    heap = r.units.query("unit == 'heap'").set_index("metric")["value"]
    assert cols["loaded_carbon_au_g_t"] > 500.0
    assert cols["soluble_loss_au_mg_l"] < 0.2 * heap["pls_au_mg_l"]
    # gold not adsorbed goes back to the heap; what the plant loses is the drained moisture
    assert r.kpis["gold_recovery_frac"] == pytest.approx(heap["au_extraction_frac"], abs=0.02)
    assert r.kpis["gold_recovery_frac"] < heap["au_extraction_frac"]


def test_copper_on_a_heap_consumes_cyanide():
    text = (
        HEAP_MC.read_text()
        .replace(
            'solids = ["gangue", "au_free", "ag"]',
            'solids = ["gangue", "chalcocite", "au_free", "ag", "cu_metal"]',
        )
        .replace(
            'solution = ["water", "au_aq", "ag_aq", "nacn"]',
            'solution = ["water", "au_aq", "ag_aq", "cu_aq", "nacn", "cn_wad", "scn"]',
        )
        .replace("[ore.heap.psd]", "[ore.heap.mineralogy]\nchalcocite = 0.0002\n[ore.heap.psd]")
    )
    text += "\n[units.heap.leach.chalcocite]\nk_per_d = 0.2\nultimate_frac = 0.9\n"
    sim = run(parse_case(text, "cu_heap.toml"))
    m = heap_metrics(sim)
    assert m["cu_dissolved_g_t"][0] > 50.0
    assert m["nacn_cu_kg_t"][0] == pytest.approx(
        m["cu_dissolved_g_t"][0] / 1000.0 * 3.5 * 49.008 / 63.546, rel=1e-12
    )
    assert m["pls_wad_cn_mg_l"][0] > m["pls_free_cn_mg_l"][0]
    r = oreflow.simulate(parse_case(text, "cu_heap.toml"))
    el = r.closure.query("view == 'element'").set_index("name")["rel_err"]
    assert el[["au", "ag", "cu", "s"]].max() <= RTOL_RECYCLE_CLOSURE


# --- nonsense ------------------------------------------------------------------------------


def problems_of(text):
    with pytest.raises(CaseError) as info:
        parse_case(text, "bad.toml")
    return info.value.problems


def test_negative_cycle_and_unknown_minerals_are_case_errors():
    text = HEAP_MC.read_text()
    (p,) = problems_of(text.replace("leach_cycle_d = 90.0", "leach_cycle_d = -5.0"))
    assert p.key == "units.heap.leach_cycle_d"
    (p,) = problems_of(text.replace("[units.heap.leach.ag]", "[units.heap.leach.galena]"))
    assert p.key == "units.heap.leach.galena"
    (p,) = problems_of(text + "\n[units.heap.leach.gangue]\nk_per_d = 0.1\nultimate_frac = 0.1\n")
    assert "nothing that dissolves" in p.message
    ps = problems_of(text.replace('"ag_aq", "nacn"]', '"ag_aq"]'))
    assert any(p.key == "units.heap" and "'nacn'" in p.message for p in ps)


# --- irrigation as a rate driver ---------------------------------------------------------


def test_extraction_rises_with_irrigation_and_saturates():
    q = np.array([1.0, 2.0, 5.0, 10.0, 20.0, 100.0])
    m = heap_metrics(run(HEAP_CIC, n_cases=len(q), overrides={"units.heap.irrigation_l_h_m2": q}))
    f = m["leach_rate_factor"]
    assert np.all(np.diff(m["au_extraction_frac"]) > 0)
    assert f[3] == pytest.approx(1.0, rel=1e-12)  # the columns' 10 L/(h m2)
    # first order in irrigation when it is scarce, order zero when ample
    assert f[1] / f[0] == pytest.approx((2.0 / 4.0) / (1.0 / 3.0), rel=1e-12)
    assert f[5] / f[4] < 1.1


# --- cyanide-free heaps (glycine_heap_leach, thiosulfate_heap_leach) -----------------------

HEAP_GLY = CASES / "tests" / "cf_heap_glycine.toml"
HEAP_TS = CASES / "tests" / "cf_heap_thiosulfate.toml"


def sweep_heap(case, key, values):
    values = np.asarray(values, dtype=float)
    sim = run(case, n_cases=len(values), overrides={f"units.heap.{key}": values})
    assert closure_max_rel(closure_arrays(sim)).max() <= RTOL_CLOSURE
    assert unit_closure(sim)["heap"].max() <= RTOL_CLOSURE
    return heap_metrics(sim)


@pytest.mark.parametrize(
    ("key", "values"),
    [
        ("glycine_g_l", [0.2, 1.0, 5.0, 20.0]),
        ("ph", [9.5, 10.5, 11.0, 12.0]),
        ("temperature_degc", [10.0, 25.0, 40.0]),
        ("irrigation_l_h_m2", [2.0, 5.0, 10.0, 20.0]),
        ("leach_cycle_d", [30.0, 60.0, 90.0, 180.0]),
    ],
)
def test_glycine_heap_answers_its_drivers(key, values):
    m = sweep_heap(HEAP_GLY, key, values)
    assert np.all(np.diff(m["au_extraction_frac"]) > 0)


def test_glycine_heap_uses_the_tank_leach_rate_law():
    from oreflow.units.glycine import rate_factor

    gly = np.array([0.5, 5.0, 20.0])
    m = sweep_heap(HEAP_GLY, "glycine_g_l", gly)
    plant = compile_case(load_case(HEAP_GLY))
    params = plant.param_arrays(3, {"units.heap.glycine_g_l": gly})["heap"]
    np.testing.assert_allclose(m["leach_rate_factor"], rate_factor(params, 3, "none"), rtol=1e-12)
    assert m["leach_rate_factor"][1] == pytest.approx(1.0, rel=1e-12)  # the reference


def test_glycine_heap_loses_what_it_holds_and_makes_it_up():
    m = sweep_heap(HEAP_GLY, "glycine_g_l", [5.0])
    sim = run(HEAP_GLY)
    lost_tph = m["solution_inventory_m3"][0] * 5.0e3 * 0.0005 / 1e6  # k C V
    assert m["glycine_lost_kg_t"][0] == pytest.approx(lost_tph * 1e3 / 500.0, rel=1e-9)
    assert sim.units["heap"].metrics["use_glycine_kg_h"][0] > 0


@pytest.mark.parametrize(
    ("key", "values"),
    [
        ("s2o3_mol_l", [0.005, 0.02, 0.1, 0.3]),
        ("cu_mg_l", [10.0, 63.546, 300.0]),
        ("nh3_mol_l", [0.05, 0.3, 1.0]),
    ],
)
def test_thiosulfate_heap_answers_its_drivers(key, values):
    m = sweep_heap(HEAP_TS, key, values)
    assert np.all(np.diff(m["au_extraction_frac"]) > 0)


def test_thiosulfate_heap_degrades_to_polythionates_with_copper():
    cu = np.array([10.0, 63.546, 300.0])
    sim = run(HEAP_TS, n_cases=3, overrides={"units.heap.cu_mg_l": cu})
    m = heap_metrics(sim)
    assert np.all(np.diff(m["s2o3_degradation_per_h"]) > 0)
    assert np.all(np.diff(m["s2o3_lost_kg_t"]) > 0)
    comps = sim.plant.spec.comps
    made = sim.streams["heap.pregnant"][:, comps.solution_offset("polythionates")]
    kept = sim.streams["heap.residue"][:, comps.solution_offset("polythionates")]
    # every tonne of thiosulfate oxidised is a tonne of polythionates (2 S2O3 = S4O6)
    np.testing.assert_allclose((made + kept) * 1e6 / 500.0, m["s2o3_lost_kg_t"] * 1e3, rtol=1e-9)


def test_cyanide_free_heap_without_its_species_is_refused():
    text = HEAP_GLY.read_text(encoding="utf-8").replace(
        'solution = ["water", "au_aq", "ag_aq", "glycine"]',
        'solution = ["water", "au_aq", "ag_aq"]',
    )
    with pytest.raises(CaseError) as err:
        parse_case(text, "gly_heap.toml")
    assert any(p.key == "units.heap" and "glycine" in p.message for p in err.value.problems)
