"""Neutralisation with lime and limestone through the flowsheet (Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox, Directive 2006/21/EC; Wills & Finch 2016; docs/models.md#residue, ex08)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.conventions import RTOL_CLOSURE, RTOL_WORKED_EXAMPLE
from oreflow.errors import CaseError
from oreflow.flowsheet.case import parse_case
from oreflow.flowsheet.compile import compile_case
from oreflow.units.base import PrepareContext

CASES = Path(__file__).resolve().parents[2] / "cases" / "tests"
EX08 = CASES / "ox_ex08_neutralisation.toml"
CHAIN = CASES / "ox_pox_acid_cil.toml"
M_CAO, M_CACO3 = 56.077, 100.086


def metrics(result, unit):
    return result.units.query("unit == @unit").set_index("metric")["value"]


@pytest.fixture(scope="module")
def ex08():
    return oreflow.simulate(EX08)


def test_ex08_limestone_and_gypsum_per_tonne_of_concentrate(ex08):
    """550.62 kg H2SO4 -> 561.94 kg CaCO3 -> 966.64 kg gypsum per t of 18 % S concentrate."""
    pox = metrics(ex08, "pox")
    neut = metrics(ex08, "neutralisation")
    assert pox["sulfide_oxidation_frac"] == pytest.approx(1.0, abs=1e-12)
    assert pox["acid_made_kg_t"] == pytest.approx(550.62, rel=RTOL_WORKED_EXAMPLE)
    assert neut["use_limestone_kg_h"] / 50.0 == pytest.approx(561.94, rel=RTOL_WORKED_EXAMPLE)
    assert neut["gypsum_tph"] * 1000.0 / 50.0 == pytest.approx(966.64, rel=RTOL_WORKED_EXAMPLE)
    assert ex08.kpis["neutralisation_limestone_kg_t"] == pytest.approx(
        561.94, rel=RTOL_WORKED_EXAMPLE
    )
    assert ex08.streams.loc["neutralisation.discharge", "h2so4_tph"] == 0.0
    assert ex08.kpis["closure_max_rel"] <= RTOL_CLOSURE


def test_lime_limestone_and_two_stage_use_the_same_base(write_case):
    text = EX08.read_text(encoding="utf-8")
    runs = {}
    for reagent, ph in (("limestone", 5.5), ("lime", 5.5), ("limestone_lime", 5.5)):
        t = text.replace('reagent = "limestone"', f'reagent = "{reagent}"').replace(
            "target_ph = 5.5", f"target_ph = {ph}"
        )
        runs[reagent] = metrics(
            oreflow.simulate(write_case(t, f"{reagent}.toml")), "neutralisation"
        )
    base_mol = runs["limestone"]["use_limestone_kg_h"] * 1e3 / M_CACO3
    lime_mol = runs["lime"]["use_lime_kg_h"] * 1e3 * 0.90 / M_CAO / 1.10  # purity, excess
    oh = 10.0 ** (5.5 - 14.0) * 0.5 * 75.0 * 1000.0  # the pH term, 75 m³/h of water
    assert lime_mol == pytest.approx(base_mol, rel=1e-9)
    assert runs["lime"]["gypsum_tph"] == pytest.approx(runs["limestone"]["gypsum_tph"], rel=1e-12)
    two = runs["limestone_lime"]
    assert two["use_limestone_kg_h"] * 1e3 / M_CACO3 == pytest.approx(base_mol - oh, rel=1e-9)
    assert two["use_lime_kg_h"] * 1e3 * 0.90 / M_CAO / 1.10 == pytest.approx(oh, rel=1e-9)


def test_unreacted_limestone_stays_as_calcite(write_case):
    text = (
        EX08.read_text(encoding="utf-8")
        .replace("limestone_utilisation_frac = 1.0", "limestone_utilisation_frac = 0.8")
        .replace('"gypsum"]', '"gypsum", "calcite"]')
        .replace('solution = ["water", "h2so4"]', 'solution = ["water", "h2so4", "co2"]')
    )
    result = oreflow.simulate(write_case(text))
    m = metrics(result, "neutralisation")
    fed_t_h = m["use_limestone_kg_h"] / 1000.0
    calcite = result.streams.loc["neutralisation.discharge", "calcite_tph"]
    assert calcite == pytest.approx(0.2 * fed_t_h, rel=1e-12)
    c = result.closure.query("view == 'element' and name == 'c'").iloc[0]
    assert c.added_tph == pytest.approx(
        c.out_tph, rel=RTOL_CLOSURE
    )  # the excess carbon enters as added


def test_chain_liquor_and_pulp_are_fixed_to_a_stable_residue():
    result = oreflow.simulate(CHAIN)
    for unit in ("liquor_neutralisation", "pulp_neutralisation"):
        m = metrics(result, unit)
        assert m["residue_fe_as_molar"] >= 4.0
        assert m["as_out_mg_l"] == pytest.approx(0.5, rel=1e-9)
        out = result.streams.loc[f"{unit}.discharge"]
        assert out["h2so4_tph"] == 0.0
        assert out["fe_aq_tph"] == 0.0
    assert result.kpis["closure_max_rel"] <= RTOL_CLOSURE
    assert result.kpis["neutralisation_gypsum_tph"] > 0.0


ARSENIC_LIQUOR = """
[case]
name = "as_liquor"
solids = ["gangue", "arsenopyrite", "hematite", "scorodite", "gypsum", "metal_hydroxides", "cu_hydroxide", "chalcopyrite"]
solution = ["water", "h2so4", "so4_aq", "fe_aq", "as_aq", "cu_aq"]

[case.sizes]
top_um = 106.0
n_classes = 6

[ore.conc]
rate_tph = 10.0
moisture_frac = 0.6
au_gpt = 0.0
wi_kwh_t = 15.0
[ore.conc.mineralogy]
arsenopyrite = 0.05
chalcopyrite = 0.05
gangue = 0.90
[ore.conc.psd]
model = "rrb"
f80_um = 30.0
n = 1.0

[units.pox]
type = "pox_acid"
inlets.feed = "ore.conc"
residence_min = 120.0
as_to_solution_frac = 1.0

[units.vent]
type = "vent"
inlets.feed = "pox.vent"

[units.neutralisation]
type = "neutralisation"
inlets.feed = "pox.discharge"
reagent = "lime"
target_ph = 9.0

[units.residue]
type = "tailings"
inlets.feed = "neutralisation.discharge"
"""


def test_ferric_sulfate_is_added_for_arsenic_and_copper_precipitates(write_case):
    result = oreflow.simulate(write_case(ARSENIC_LIQUOR))
    m = metrics(result, "neutralisation")
    pox = metrics(result, "pox")
    assert pox["chalcopyrite_oxidation_frac"] > 0.5
    assert result.streams.loc["pox.discharge", "cu_aq_tph"] > 0.0
    assert m["use_ferric_sulfate_kg_h"] > 0.0  # all As dissolved, its Fe went to hematite
    assert m["residue_fe_as_molar"] == pytest.approx(4.0, rel=1e-9)
    assert result.streams.loc["neutralisation.discharge", "cu_aq_tph"] == 0.0
    assert m["cu_hydroxide_tph"] > 0.0
    assert result.kpis["closure_max_rel"] <= RTOL_CLOSURE
    # below the copper precipitation pH the copper stays dissolved
    low = oreflow.simulate(
        write_case(ARSENIC_LIQUOR.replace("target_ph = 9.0", "target_ph = 5.0"), "low.toml")
    )
    assert low.streams.loc["neutralisation.discharge", "cu_aq_tph"] == pytest.approx(
        result.streams.loc["pox.discharge", "cu_aq_tph"], rel=1e-12
    )


def test_more_acid_needs_more_lime():
    by_t = oreflow.simulate_batch(CHAIN, {"units.pox.residence_min": [15.0, 30.0, 75.0]})
    assert np.all(np.diff(by_t["neutralisation_limestone_kg_t"]) > 0.0)


def test_limestone_cannot_reach_a_high_ph(write_case):
    text = EX08.read_text(encoding="utf-8").replace("target_ph = 5.5", "target_ph = 9.0")
    with pytest.raises(CaseError, match="limestone alone"):
        oreflow.load_case(write_case(text))
    with pytest.raises(CaseError, match="limestone alone"):
        oreflow.simulate(EX08, overrides={"units.neutralisation.target_ph": 9.0})


def test_missing_species_and_out_of_range_ph_are_case_errors(write_case):
    text = EX08.read_text(encoding="utf-8")
    with pytest.raises(CaseError, match="gypsum"):
        parse_case(text.replace(', "gypsum"]', "]"), "bad.toml")
    with pytest.raises(CaseError, match="target_ph"):
        parse_case(text.replace("target_ph = 5.5", "target_ph = 2.0"), "bad.toml")


def test_solutes_without_water_is_a_case_error():
    plant = compile_case(oreflow.load_case(EX08))
    model = plant.models["neutralisation"]
    params = plant.param_arrays(1)["neutralisation"]
    comps = plant.spec.comps
    state = model.prepare(params, PrepareContext(comps, np.full(1, np.nan), 1))
    feed = np.zeros((1, comps.n_comp))
    feed[0, comps.solution_offset("h2so4")] = 1.0
    with pytest.raises(CaseError, match="no water"):
        model.apply(state, (feed,))
