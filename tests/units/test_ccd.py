"""Counter-current decantation washing through the flowsheet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.conventions import RTOL_CLOSURE, RTOL_RECYCLE_CLOSURE
from oreflow.errors import CaseError
from oreflow.flowsheet.case import parse_case
from tests.kernels.reference_oxidation import ccd_underflow_fraction_closed_form

CHAIN = Path(__file__).resolve().parents[2] / "cases" / "tests" / "ox_pox_acid_cil.toml"

RECYCLED_WASH = """
[case]
name = "ccd_recycle"
solids = ["gangue", "pyrite", "hematite", "gypsum", "metal_hydroxides"]
solution = ["water", "h2so4", "so4_aq", "fe_aq"]

[case.sizes]
top_um = 106.0
n_classes = 6

[ore.conc]
rate_tph = 10.0
moisture_frac = 0.5
au_gpt = 0.0
wi_kwh_t = 15.0
[ore.conc.mineralogy]
pyrite = 0.3
gangue = 0.7
[ore.conc.psd]
model = "rrb"
f80_um = 30.0
n = 1.0

[units.pox]
type = "pox_acid"
inlets.feed = "ore.conc"
fe_to_solution_frac = 0.1

[units.vent]
type = "vent"
inlets.feed = "pox.vent"

[units.ccd]
type = "ccd"
inlets.feed = "pox.discharge"
inlets.wash = "split.recycle"
n_stages = 4
wash_ratio_m3_t = 3.0

[units.neutralisation]
type = "neutralisation"
inlets.feed = "ccd.overflow"
reagent = "lime"
target_ph = 8.0

[units.thickener]
type = "thickener"
inlets.feed = "neutralisation.discharge"
underflow_solids_frac = 0.5

[units.split]
type = "splitter"
inlets.feed = "thickener.overflow"
fractions.recycle = 0.5
fractions.bleed = 0.5

[units.tails]
type = "mixer"
inlets.a = "ccd.underflow"
inlets.b = "thickener.underflow"
inlets.c = "split.bleed"

[units.tailings]
type = "tailings"
inlets.feed = "tails.out"
"""


def metrics(result, unit):
    return result.units.query("unit == @unit").set_index("metric")["value"]


def test_every_solute_is_washed_by_the_closed_form():
    """φ = U/(L_f S_N + W R^(N-1)) for every dissolved species (Wills & Finch 2016 ch. 15)."""
    result = oreflow.simulate(CHAIN)
    s = result.streams
    feed, under = s.loc["pox.discharge"], s.loc["ccd.underflow"]
    solids = feed["solids_tph"]
    lf, w, u = feed["water_tph"], 2.5 * solids, solids  # 50 % solids underflow
    phi = getattr(
        ccd_underflow_fraction_closed_form, "py_func", ccd_underflow_fraction_closed_form
    )(4, lf, w, u)
    for species in ("h2so4", "so4_aq", "fe_aq", "as_aq"):
        assert under[f"{species}_tph"] == pytest.approx(phi * feed[f"{species}_tph"], rel=1e-12)
    m = metrics(result, "ccd")
    assert m["soluble_removal_frac"] == pytest.approx(1.0 - phi, rel=1e-12)
    assert m["underflow_solids_frac"] == pytest.approx(0.5, rel=1e-12)
    assert m["wash_water_m3_h"] == pytest.approx(w, rel=1e-12)
    assert under["solids_tph"] == pytest.approx(solids, rel=1e-12)
    assert result.kpis["ccd_wash_water_m3_t"] == pytest.approx(w / 20.0, rel=1e-12)


def test_more_stages_and_more_wash_remove_more(write_case):
    text = CHAIN.read_text(encoding="utf-8")
    removal = []
    for n in (1, 2, 4, 6):
        r = oreflow.simulate(
            write_case(text.replace("n_stages = 4", f"n_stages = {n}"), f"n{n}.toml")
        )
        removal.append(metrics(r, "ccd")["soluble_removal_frac"])
    assert np.all(np.diff(removal) > 0.0)
    by_w = oreflow.simulate_batch(CHAIN, {"units.ccd.wash_ratio_m3_t": [1.0, 2.0, 3.0, 5.0]})
    # less acid reaches the CIL feed neutralisation: less lime per tonne
    assert np.all(np.diff(by_w["neutralisation_lime_kg_t"]) < 0.0)


def test_recycled_wash_converges_and_closes(write_case):
    result = oreflow.simulate(write_case(RECYCLED_WASH))
    assert result.meta["tears"]
    assert result.kpis["closure_max_rel"] <= 10 * RTOL_RECYCLE_CLOSURE
    m = metrics(result, "ccd")
    # the recycled liquor replaces part of the fresh wash water
    assert m["wash_water_m3_h"] < m["wash_total_m3_h"]
    assert m["wash_ratio_m3_t"] == pytest.approx(3.0, rel=1e-9)


def test_nonsense_ccd_settings_are_case_errors():
    text = CHAIN.read_text(encoding="utf-8")
    with pytest.raises(CaseError, match="wash_ratio_m3_t"):
        parse_case(text.replace("wash_ratio_m3_t = 2.5", "wash_ratio_m3_t = -1.0"), "bad.toml")
    with pytest.raises(CaseError, match="n_stages"):
        parse_case(text.replace("n_stages = 4", "n_stages = 0"), "bad.toml")


def test_chain_closes():
    result = oreflow.simulate(CHAIN)
    assert result.kpis["closure_max_rel"] <= RTOL_CLOSURE
