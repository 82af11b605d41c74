"""Oxygen uptake of a sparged cyanide leach from the ore's sulfide mineralogy.

Stoichiometry [S]: FeS2 + 15/4 O2, FeS + 9/4 O2, FeAsS + 7/2 O2 to sulfate, arsenate and
ferric hydroxide. Order of reactivity (Marsden & House 2006, The Chemistry of Gold
Extraction, ch. 6; Hedley & Tabachnick 1958): pyrrhotite decomposes markedly faster than
pyrite in aerated cyanide and takes the oxygen gold needs. The per-mineral rates are
[assumed] in that order; no published uptake figures could be read, so the sizes tested
are the stoichiometry and the case's own calibration (5 g O2/(t h) at 0.5 % S as pyrite).
"""

from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.units.cil_kinetics import SULFIDE_O2_G_G

CASE = Path(__file__).resolve().parents[2] / "cases" / "free_milling_cil.toml"


def test_oxygen_per_gram_of_sulfide_is_the_stoichiometry():
    o2 = 31.998
    assert SULFIDE_O2_G_G["pyrite"] == pytest.approx(15 / 4 * o2 / (55.845 + 2 * 32.06), rel=1e-3)
    assert SULFIDE_O2_G_G["pyrrhotite"] == pytest.approx(9 / 4 * o2 / (55.845 + 32.06), rel=1e-3)
    assert SULFIDE_O2_G_G["arsenopyrite"] == pytest.approx(
        7 / 2 * o2 / (55.845 + 74.922 + 32.06), rel=1e-3
    )


def _cil(sim):
    return sim.units.query("unit == 'cil'").set_index("metric")["value"]


def test_shipped_case_uptake_is_its_pyrite_and_matches_the_former_figure():
    u = _cil(oreflow.simulate(CASE))
    assert u["o2_uptake_g_t_h"] == pytest.approx(5.0, rel=0.01)


def _with_sulfide(tmp_path, mineral):
    text = CASE.read_text(encoding="utf-8")
    text = text.replace(
        'solids = ["gangue", "pyrite",', 'solids = ["gangue", "pyrite", "pyrrhotite",'
    )
    text = text.replace(
        "pyrite = 0.0094   # 0.5 % S / 0.5345 S in FeS2\n",
        f"pyrite = 0.0094   # 0.5 % S / 0.5345 S in FeS2\n{mineral} = 0.02\n"
        if mineral == "pyrrhotite"
        else "pyrite = 0.0294\n",
    )
    path = tmp_path / f"{mineral}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_pyrrhotite_takes_far_more_oxygen_than_pyrite_and_slows_the_leach(tmp_path):
    """2 % more pyrrhotite against 2 % more pyrite on the same sparged train."""
    base = _cil(oreflow.simulate(CASE))
    py = _cil(oreflow.simulate(_with_sulfide(tmp_path, "pyrite")))
    po = _cil(oreflow.simulate(_with_sulfide(tmp_path, "pyrrhotite")))
    extra_py = py["o2_uptake_g_t_h"] - base["o2_uptake_g_t_h"]
    extra_po = po["o2_uptake_g_t_h"] - base["o2_uptake_g_t_h"]
    assert extra_po > 10.0 * extra_py > 0.0
    assert po["do_mg_l"] < py["do_mg_l"] < base["do_mg_l"]
    assert po["au_leach_extraction_frac"] < py["au_leach_extraction_frac"]
    assert py["au_leach_extraction_frac"] <= base["au_leach_extraction_frac"]


def test_faster_pyrite_oxidation_lowers_oxygen_and_recovery():
    frame = oreflow.simulate_batch(
        CASE, {"units.cil.o2_pyrite_frac_h": np.array([0.0, 5.3e-4, 5e-3, 2e-2])}
    )
    assert np.all(np.diff(frame["gold_recovery_frac"].to_numpy()) < 0)
