"""AVR through case files: balances, CuCN against SART's Cu2S, levers, and the optimizer's
choice between AVR and SART on the copper-gold case (optimum equals enumeration)."""

import itertools
from pathlib import Path

import pytest

import oreflow
from oreflow.api import optimize
from oreflow.conventions import RTOL_CLOSURE
from oreflow.core.formulas import mass_fractions
from oreflow.errors import CaseError
from oreflow.flowsheet.case import load_case, parse_case
from oreflow.flowsheet.compile import compile_case
from oreflow.solvers.simulate import simulate_plant

ROOT = Path(__file__).resolve().parents[2]
BARREN = ROOT / "cases" / "tests" / "res_avr_barren.toml"


def metrics(result, unit):
    return result.units.query("unit == @unit").set_index("metric")["value"]


@pytest.fixture(scope="module")
def barren():
    return oreflow.simulate(BARREN)


def test_closes_every_element_and_keeps_one_cyanide_in_cucn(barren):
    assert barren.kpis["closure_max_rel"] < RTOL_CLOSURE
    rows = barren.closure.query("view in ['element', 'mass']")
    assert (rows["rel_err"] < RTOL_CLOSURE).all()
    ext = barren.closure.query("view == 'external'").set_index("name")
    d = metrics(barren, "avr")
    assert ext.loc["HCN_gas", "out_tph"] * 1000.0 == pytest.approx(d["hcn_stack_kg_h"], rel=1e-9)
    cu = mass_fractions("CuCN")
    assert d["cn_in_precipitate_kg_h"] == pytest.approx(
        d["cucn_kg_h"] * (cu["c"] + cu["n"]), rel=1e-12
    )
    assert d["cu_recovered_kg_h"] == pytest.approx(d["cucn_kg_h"] * cu["cu"], rel=1e-12)
    # at pH 3.5 with 150 mg/L SCN the copper goes to CuCN (K[H+] about 0.1)
    assert d["cuscn_kg_h"] == 0.0
    assert d["use_naoh_kg_h"] == pytest.approx(
        1.1 * d["cn_returned_nacn_kg_h"] / 49.008 * 39.997, rel=1e-3
    )


def test_avr_returns_less_cyanide_than_sart_on_the_same_barren(barren):
    sart = oreflow.simulate(ROOT / "cases" / "tests" / "res_sart_barren.toml")
    a, s = metrics(barren, "avr"), metrics(sart, "sart")
    assert 0.6 < a["cn_recovery_frac"] < s["cn_recovery_frac"]
    # the CN locked in CuCN is (about) the gap: one CN per Cu precipitated
    cn_in = a["wad_in_mg_l"] * 0.1  # kg/h at 100 m3/h
    assert a["cn_in_precipitate_kg_h"] / cn_in > 0.2


def _batch(overrides, n):
    plant = compile_case(load_case(BARREN))
    sim = simulate_plant(plant, n_cases=n, overrides=overrides, check_ranges=False)
    return sim.units["avr"].metrics


def test_air_and_ph_levers():
    import numpy as np

    m = _batch({"units.avr.air_to_liquid_m3_m3": np.array([200.0, 800.0, 3000.0])}, 3)
    assert np.all(np.diff(m["hcn_strip_frac"]) > 0)
    assert np.all(np.diff(m["cn_returned_nacn_kg_h"]) > 0)
    assert np.all(np.diff(m["fan_power_kw"]) > 0)
    m = _batch({"units.avr.ph": np.array([1.5, 3.5, 5.0])}, 3)
    assert np.all(np.diff(m["cu_precipitation_frac"]) < 0)
    assert np.all(np.diff(m["use_h2so4_kg_h"]) < 0)
    # pH 1.5 with 150 mg/L thiocyanate (2.6 mM) against 21 mM HCN: K[H+] about 10, so
    # part of the copper goes to CuSCN; at pH 2 (K[H+] 3.2) none would
    assert m["cuscn_kg_h"][0] > 0.0 and m["cuscn_kg_h"][2] == 0.0


@pytest.mark.parametrize(
    ("old", "new", "key", "words"),
    [
        ("ph = 3.5", "ph = 12.0", "units.avr.ph", "out of range"),
        (
            "ph = 3.5",
            "ph = 3.5\nabsorption_frac = 1.5",
            "units.avr.absorption_frac",
            "out of range",
        ),
        ('"gangue", "cucn", ', '"gangue", ', "units.avr", "cucn"),
        ('"so4_aq"]', '"scn"]', "units.avr", "so4_aq"),
    ],
)
def test_bad_input_names_key(write_case, old, new, key, words):
    text = BARREN.read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(CaseError) as info:
        oreflow.simulate(write_case(text.replace(old, new, 1), "case.toml"))
    problems = {(p.key, p.message) for p in info.value.problems}
    assert any(k.startswith(key) and words in msg for k, msg in problems), problems


SHIPPED = ROOT / "cases" / "copper_gold_avr_or_sart.toml"


def test_shipped_case_is_copper_gold_sart_with_avr_at_the_sart_position():
    """Every line of copper_gold_sart's units and economics is in the AVR-or-SART case."""
    base = (ROOT / "cases" / "copper_gold_sart.toml").read_text(encoding="utf-8")
    text = SHIPPED.read_text(encoding="utf-8")
    units = base[base.index("[units.mill_feed]") :]
    sart = (
        '[units.sart]\ntype = "sart"\ninlets.feed = "tails_thickener.overflow"\n'
        "sulfide_ratio = 1.1\nph = 4.5\n"
    )
    avr = (
        '[units.sart]\ntype = "avr"\ninlets.feed = "tails_thickener.overflow"\nph = 3.5\n'
        '[units.sart.options.sart]\ntype = "sart"\nsulfide_ratio = 1.1\nph = 4.5\n'
    )
    ret = 'inlets.sart_return = "sart.solution"\n'
    units = units.replace(sart, avr).replace(ret, ret + 'inlets.sart_cyanide = "sart.cyanide"\n')
    units = units.replace(
        "\n[economics]\n",
        "\n[constraints]\nore_tph_min = 226.4\nore_tph_max = 226.4\n\n[objective]\n"
        'sense = "maximize"\nkpi = "margin_usd_h"\n\n[economics]\n',
    )
    assert text.endswith(units)


@pytest.mark.solver
def test_optimizer_picks_sart_over_avr_on_copper_gold_and_equals_enumeration():
    spec = load_case(SHIPPED)
    avr = oreflow.simulate(spec)
    assert avr.kpis["closure_max_rel"] < RTOL_CLOSURE
    d = metrics(avr, "sart")
    assert d["cu_precipitation_frac"] > 0.95 and d["cn_recovery_frac"] > 0.7
    result = optimize(spec)
    assert result.status == "optimal"
    enum = result.meta["enumeration"]
    assert enum["column"] == result.decisions["column"]
    assert enum["objective"] == pytest.approx(result.decisions["objective"], rel=1e-9)
    assert result.meta["max_rel_diff"] <= 1e-6
    # SART returns all the copper's cyanide and sells Cu2S; AVR locks a CN per Cu in CuCN
    assert result.decisions["route"] == {"sart": "sart"}
    assert result.decisions["objective"] > avr.kpis["margin_usd_h"]


def test_on_a_bleed_more_stripping_air_saves_cyanide_until_the_fan_costs_more():
    """AVR's re-neutralised solution bled to detox, only the absorber's NaCN returned."""
    text = SHIPPED.read_text(encoding="utf-8")
    detox = '[units.detox]\ntype = "inco_detox"\ninlets.feed = "tails_thickener.underflow"\n'
    for old, new in (
        ('inlets.sart_return = "sart.solution"\n', ""),
        (
            detox,
            '[units.detox_feed]\ntype = "mixer"\ninlets.underflow = "tails_thickener.underflow"\n'
            'inlets.avr_solution = "sart.solution"\n\n'
            '[units.detox]\ntype = "inco_detox"\ninlets.feed = "detox_feed.out"\n',
        ),
    ):
        assert old in text
        text = text.replace(old, new, 1)
    k = []
    for air in (200.0, 400.0, 800.0, 1600.0):
        variant = text.replace(
            "ph = 3.5\n[units.sart.options",
            f"ph = 3.5\nair_to_liquid_m3_m3 = {air}\n[units.sart.options",
            1,
        )
        r = oreflow.simulate(parse_case(variant, "bleed.toml"))
        assert r.kpis["closure_max_rel"] < RTOL_CLOSURE
        k.append(r.kpis)
    nacn = [x["use_nacn_kg_t"] for x in k]
    smbs = [x["use_smbs_kg_t"] for x in k]
    margin = [x["margin_usd_h"] for x in k]
    assert all(a > b for a, b in itertools.pairwise(nacn))  # 1.617 -> 1.520 kg/t
    assert all(a > b for a, b in itertools.pairwise(smbs))  # less WAD to detox
    assert max(margin) == margin[2]  # 800 m3/m3: the fan beyond it costs more than it saves
