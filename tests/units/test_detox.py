"""INCO SO2/air cyanide destruction and solution sources, through case files."""

from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.conventions import RTOL_CLOSURE, RTOL_EXACT, RTOL_WORKED_EXAMPLE
from oreflow.core.formulas import formula_mass_g_mol, mass_fractions
from oreflow.errors import CaseError
from oreflow.flowsheet.case import load_case
from oreflow.flowsheet.compile import compile_case
from oreflow.kernels.detox_metals import cu_hydroxide_solubility_mg_l
from oreflow.solvers.results import build_results, unit_closure
from oreflow.solvers.simulate import simulate_plant

EX08 = Path(__file__).resolve().parents[2] / "cases" / "tests" / "res_ex08_detox.toml"
CAO_PER_CAOH2 = 56.077 / 74.093


def metrics(result, unit):
    return result.units.query("unit == @unit").set_index("metric")["value"]


@pytest.fixture(scope="module")
def ex08():
    return oreflow.simulate(EX08)


def _variant(write_case, old, new, name="case.toml"):
    text = EX08.read_text(encoding="utf-8")
    assert old in text
    return write_case(text.replace(old, new), name)


def _detox_batch(path, overrides, n):
    plant = compile_case(load_case(path))
    sim = simulate_plant(plant, n_cases=n, overrides=overrides, check_ranges=False)
    return sim, sim.units["detox"].metrics


def test_reproduces_models_ex08(ex08):
    """Mudder, Botz & Smith 2001, Chemistry and Treatment of Cyanidation Wastes, §6.12; docs/models.md#detox: CN 59.889, SO2 239.5556, SMBS 355.4220, Cu 6.111, CuSO4 24.012 kg/h."""
    d = metrics(ex08, "detox")
    rel = RTOL_WORKED_EXAMPLE
    assert d["wad_in_mg_l"] == pytest.approx(250.0, rel=RTOL_EXACT)
    assert d["wad_out_mg_l"] == pytest.approx(5.0, rel=RTOL_EXACT)
    assert d["cn_removed_kg_h"] == pytest.approx(59.889, rel=rel)
    assert d["so2_kg_h"] == pytest.approx(239.5556, rel=rel)
    assert d["smbs_kg_h"] == pytest.approx(355.4220, rel=rel)
    assert d["use_smbs_kg_h"] == d["smbs_kg_h"]
    assert d["cu_added_kg_h"] == pytest.approx(6.111, rel=rel)
    assert d["use_cuso4_kg_h"] == pytest.approx(24.012, rel=rel)
    assert d["destruction_frac"] == pytest.approx(0.98, rel=RTOL_EXACT)
    assert d["set_point_met_flag"] == 1.0
    # metabisulfite brings half the base: half of ex08's 277.057 kg/h Ca(OH)2 (liquid SO2)
    # plus one Ca(OH)2 per Cu precipitated as Cu(OH)2 (not in ex08, which leaves Cu dissolved)
    assert d["caoh2_kg_h"] - d["caoh2_metals_kg_h"] == pytest.approx(277.057 / 2.0, rel=rel)
    assert d["caoh2_metals_kg_h"] == pytest.approx(
        d["cu_hydroxide_kg_h"] * mass_fractions("Cu(OH)2")["cu"] * 74.093 / 63.546, rel=1e-4
    )
    assert d["use_lime_kg_h"] == pytest.approx(d["caoh2_kg_h"] * CAO_PER_CAOH2, rel=RTOL_EXACT)
    assert "use_so2_kg_h" not in d
    assert ex08.kpis["tailings_wad_cn_mg_l"] == pytest.approx(5.0, rel=RTOL_EXACT)
    assert ex08.kpis["use_smbs_kg_t"] == pytest.approx(1.77711, rel=rel)


def test_liquid_so2_gives_ex08_lime(write_case):
    path = _variant(write_case, 'so2_source = "smbs"', 'so2_source = "liquid_so2"')
    d = metrics(oreflow.simulate(path), "detox")
    lime_cn = d["caoh2_kg_h"] - d["caoh2_metals_kg_h"]  # the Cu(OH)2 lime is not in ex08
    assert lime_cn == pytest.approx(277.057, rel=RTOL_WORKED_EXAMPLE)
    assert d["use_so2_kg_h"] == pytest.approx(239.5556, rel=RTOL_WORKED_EXAMPLE)
    assert "use_smbs_kg_h" not in d


def test_ex08_storage_volume(ex08):
    """Directive 2006/21/EC; Wills & Finch 2016; docs/models.md#residue: 200 t/h at 1.45 t/m3 -> 137.931 m3/h, 1.2083 Mm3/y."""
    t = metrics(ex08, "tailings")
    assert t["storage_m3_h"] == pytest.approx(137.931, rel=RTOL_WORKED_EXAMPLE)
    assert t["storage_mm3_y"] == pytest.approx(1.2083, rel=RTOL_WORKED_EXAMPLE)
    assert ex08.kpis["residue_storage_mm3_y"] == pytest.approx(1.2083, rel=RTOL_WORKED_EXAMPLE)


def test_conserves_mass_sulfur_copper_and_turns_cyanide_into_cyanate(ex08):
    assert ex08.kpis["closure_max_rel"] <= RTOL_CLOSURE
    closures = ex08.units.query("metric == 'closure_max_rel'")["value"]
    assert len(closures) >= 3
    assert (closures <= RTOL_CLOSURE).all()
    el = ex08.closure.query("view == 'element'").set_index("name")
    # sulfur and copper enter only with the reagents and leave in the tailings water
    d = metrics(ex08, "detox")
    s_added = (d["so2_kg_h"] / 64.064 + d["cu_added_kg_h"] / 63.546) * 32.066 / 1000.0
    assert el.loc["s", "added_tph"] == pytest.approx(s_added, rel=1e-3)  # so4_aq S fraction
    assert el.loc["s", "out_tph"] == pytest.approx(el.loc["s", "added_tph"], rel=RTOL_CLOSURE)
    assert el.loc["cu", "in_tph"] == 0.0
    assert el.loc["cu", "added_tph"] == pytest.approx(
        (5.0 * 244.444444 / 1000.0 + d["cu_added_kg_h"]) / 1000.0, rel=1e-6
    )
    sp = ex08.closure.query("view == 'species'").set_index("name")
    destroyed_kmol = -sp.loc["cn_wad", "reacted_tph"] * 1000.0 / 26.018
    assert destroyed_kmol == pytest.approx(59.889 / 26.018, rel=RTOL_WORKED_EXAMPLE)
    assert sp.loc["ocn", "reacted_tph"] * 1000.0 / 42.017 == pytest.approx(
        destroyed_kmol, rel=RTOL_EXACT
    )
    tails = ex08.streams.loc["detox.out"]
    # the catalyst made up to 30 mg/L precipitates as Cu(OH)2 down to the copper held by the
    # 5 mg/L residual WAD as Cu(CN)3(2-) plus the hydroxide solubility at pH 8.5
    cu_left = 5.0 * 63.546 / (3 * 26.018) + cu_hydroxide_solubility_mg_l(8.5, 8.64)
    assert tails["cu_aq_tph"] * 1e6 / tails["water_tph"] == pytest.approx(cu_left, rel=1e-9)
    assert d["cu_out_mg_l"] == pytest.approx(cu_left, rel=1e-9)
    cu_solid = tails["cu_hydroxide_tph"] * mass_fractions("Cu(OH)2")["cu"]
    assert cu_solid * 1e6 / tails["water_tph"] == pytest.approx(30.0 - cu_left, rel=1e-4)


def test_free_and_complexed_cyanide_are_destroyed_alike(write_case):
    text = EX08.read_text(encoding="utf-8")
    text = text.replace('"cn_wad", "cu_aq"', '"nacn", "cn_wad", "cu_aq"').replace(
        "[units.pond.solution.cu_aq]",
        "[units.pond.solution.nacn]\nmg_l = 188.35\n[units.pond.solution.cu_aq]",
    )
    result = oreflow.simulate(write_case(text))
    d = metrics(result, "detox")
    free_cn = 188.35 * 26.018 / formula_mass_g_mol("NaCN")
    assert d["wad_in_mg_l"] == pytest.approx(250.0 + free_cn, rel=RTOL_EXACT)
    out = result.streams.loc["detox.out"]
    feed = result.streams.loc["pulp.out"]
    assert out["nacn_tph"] / feed["nacn_tph"] == pytest.approx(
        out["cn_wad_tph"] / feed["cn_wad_tph"], rel=1e-12
    )
    assert result.kpis["closure_max_rel"] <= RTOL_CLOSURE


def test_zero_residence_changes_nothing_and_long_residence_reaches_the_set_point():
    taus = np.array([0.0, 0.01, 0.05, 0.1, 0.3, 1.0, 3.0, 1e6])
    sim, d = _detox_batch(EX08, {"units.detox.residence_h": taus}, taus.size)
    assert d["wad_out_mg_l"][0] == pytest.approx(250.0, rel=RTOL_EXACT)
    assert d["so2_kg_h"][0] == 0.0
    assert d["use_cuso4_kg_h"][0] == 0.0
    np.testing.assert_array_equal(sim.streams["detox.out"][0], sim.streams["pulp.out"][0])
    assert d["wad_out_mg_l"][-1] == pytest.approx(5.0, rel=RTOL_EXACT)
    assert np.all(np.diff(d["wad_out_mg_l"]) <= 0.0)  # longer residence never leaves more
    assert np.all(np.diff(d["destruction_frac"]) >= 0.0)
    # a reactor too small for the set point says so
    assert d["set_point_met_flag"][1] == 0.0
    assert d["set_point_met_flag"][-1] == 1.0


def test_destruction_fraction_mode_meets_the_icmc_limit(write_case):
    """Mudder, Botz & Smith 2001, Chemistry and Treatment of Cyanidation Wastes, §6.12; docs/models.md#detox: 80 % destruction takes 250 mg/L to the ICMC 50 mg/L."""
    path = _variant(write_case, "wad_target_mg_l = 5.0", "destruction_frac = 0.8")
    d = metrics(oreflow.simulate(path), "detox")
    assert d["wad_out_mg_l"] == pytest.approx(50.0, rel=RTOL_EXACT)
    assert d["cn_removed_kg_h"] == pytest.approx(200.0 * 244.444444 / 1000.0, rel=1e-8)


def test_batch_matches_single_runs_and_is_degree_one_homogeneous():
    targets = np.array([1.0, 5.0, 10.0, 50.0])
    _, d = _detox_batch(EX08, {"units.detox.wad_target_mg_l": targets}, targets.size)
    for i, target in enumerate(targets):
        single = metrics(
            oreflow.simulate(EX08, overrides={"units.detox.wad_target_mg_l": target}), "detox"
        )
        assert d["so2_kg_h"][i] == pytest.approx(single["so2_kg_h"], rel=RTOL_EXACT)
    assert np.all(np.diff(d["so2_kg_h"]) < 0.0)  # a laxer target needs less SO2
    _, twice = _detox_batch(
        EX08, {"ore.feed.rate_tph": 400.0, "units.pond.flow_m3_h": 2 * 244.44444444444446}, 1
    )
    _, once = _detox_batch(EX08, {}, 1)
    for key in ("so2_kg_h", "use_lime_kg_h", "use_cuso4_kg_h", "o2_demand_kg_h"):
        assert twice[key][0] == pytest.approx(2.0 * once[key][0], rel=RTOL_EXACT)
    assert twice["wad_out_mg_l"][0] == pytest.approx(once["wad_out_mg_l"][0], rel=RTOL_EXACT)


def _problems(path):
    with pytest.raises(CaseError) as info:
        oreflow.simulate(path)
    return {(p.key, p.message) for p in info.value.problems}


@pytest.mark.parametrize(
    ("old", "new", "key", "words"),
    [
        ("residence_h = 1.0", "residence_h = -1.0", "units.detox.residence_h", "out of range"),
        ("so2_cn_ratio = 4.0", "so2_cn_ratio = 2.0", "units.detox.so2_cn_ratio", "out of range"),
        (
            "wad_target_mg_l = 5.0",
            "wad_target_mg_l = 5.0\ndestruction_frac = 0.9",
            "units.detox.wad_target_mg_l",
            "exactly one",
        ),
        ("wad_target_mg_l = 5.0", "", "units.detox.wad_target_mg_l", "exactly one"),
        ('so2_source = "smbs"', 'so2_source = "sulfur"', "units.detox.so2_source", "not one of"),
        (
            "cu_target_mg_l = 30.0",
            "cu_target_mgl = 30.0",
            "units.detox.cu_target_mgl",
            "did you mean",
        ),
        (
            "[units.pond.solution.cu_aq]",
            "[units.pond.solution.water]",
            "units.pond.solution.water",
            "flow itself",
        ),
        (
            "[units.pond.solution.cu_aq]",
            "[units.pond.solution.gold]",
            "units.pond.solution.gold",
            "not a declared",
        ),
        (
            "flow_m3_h = 244.44444444444446",
            "flow_m3_h = -5.0",
            "units.pond.flow_m3_h",
            "out of range",
        ),
    ],
)
def test_nonsense_is_a_case_error(write_case, old, new, key, words):
    problems = _problems(_variant(write_case, old, new))
    assert any(k == key and words in m for k, m in problems), problems


def test_detox_without_cyanide_species_is_a_case_error(write_case):
    text = EX08.read_text(encoding="utf-8")
    text = text.replace('"cn_wad", ', "").replace(
        "[units.pond.solution.cn_wad]\nmg_l = 250.0\n", ""
    )
    problems = _problems(write_case(text))
    assert any(k == "units.detox" and "cyanide species" in m for k, m in problems)


def test_detox_fed_no_solution_is_a_case_error(write_case):
    text = EX08.read_text(encoding="utf-8").replace(
        "flow_m3_h = 244.44444444444446", "flow_m3_h = 0.0"
    )
    problems = _problems(write_case(text))
    assert any(k == "units.detox" and "no solution" in m for k, m in problems)


def test_solution_source_is_an_addition_to_the_plant(ex08):
    row = ex08.closure.query("view == 'species' and name == 'water'").iloc[0]
    assert row.in_tph == 0.0
    assert row.added_tph == pytest.approx(244.44444444444446, rel=RTOL_EXACT)
    assert metrics(ex08, "pond")["wad_cn_mg_l"] == pytest.approx(250.0, rel=RTOL_EXACT)


def test_unit_closure_is_audited_for_detox():
    plant = compile_case(load_case(EX08))
    sim = simulate_plant(plant)
    audit = unit_closure(sim)
    assert set(audit) >= {"pond", "pulp", "detox"}
    assert max(float(v.max()) for v in audit.values()) <= RTOL_CLOSURE
    assert build_results(sim).kpis["closure_max_rel"] <= RTOL_CLOSURE


def test_solution_tenors_vary_per_case():
    tenors = np.array([50.0, 250.0, 1000.0])
    _, d = _detox_batch(EX08, {"units.pond.solution.cn_wad.mg_l": tenors}, tenors.size)
    np.testing.assert_allclose(d["wad_in_mg_l"], tenors, rtol=RTOL_EXACT)
    # one 1 h tank at 60 1/h leaves 1/61 of the feed: 1000 mg/L cannot reach 5 mg/L
    out = np.maximum(5.0, tenors / 61.0)
    np.testing.assert_allclose(d["wad_out_mg_l"], out, rtol=RTOL_EXACT)
    np.testing.assert_array_equal(d["set_point_met_flag"], [1.0, 1.0, 0.0])
    np.testing.assert_allclose(
        d["so2_kg_h"], 4.0 * (tenors - out) * 244.44444444444446 / 1000.0, rtol=1e-12
    )
