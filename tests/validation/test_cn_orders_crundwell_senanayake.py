"""Reaction order of gold cyanidation in cyanide: two published orders (abstracts only).

Data (data/testwork/cn_orders_crundwell_senanayake.csv): Crundwell & Godorr (1997) found
the leach rate constant of a gold ore, with oxygen and cyanide held, to go as the square
root of cyanide (order 0.5); Senanayake (2005) finds order 2.7 at low cyanide on flat
gold in pure aerated solutions and a limiting rate, independent of cyanide, above it.

Models: ``rate_model = "power"`` takes ``cn_order`` = 0.5 from Crundwell & Godorr (was
1.0 [assumed]); the default Kudryk-Kellogg mixed law has a local order
``6.03 [O₂] / ([CN⁻] + 6.03 [O₂])``, falling from 1 to 0 as cyanide rises, and passing
Crundwell & Godorr's 0.5 at 80 mg/L NaCN under air at 25 °C and pH 10.5; the shipped CIL
case (250-300 mg/L) sits where the mixed law's order is about a quarter.
Disagreement, pinned: at low cyanide neither form exceeds order 1, where Senanayake's
flat-gold analysis gives 2.7; above it the mixed law's zero order agrees in sign with his
limiting rate (but comes from oxygen diffusion, not a surface limit).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq

from oreflow.kernels import cyanidation as cy
from oreflow.units.cil_kinetics import CYANIDATION_PARAMS, rate_factor

DATA = (
    Path(__file__).resolve().parents[2] / "data" / "testwork" / "cn_orders_crundwell_senanayake.csv"
)
DO_AIR_25C = float(cy.oxygen_saturation_mg_l(25.0))


def _default(name):
    return next(p.default for p in CYANIDATION_PARAMS if p.name == name)


def _factor(model, nacn_mg_l, do_mg_l=DO_AIR_25C):
    nacn = np.atleast_1d(np.asarray(nacn_mg_l, dtype=np.float64))
    one = np.ones_like(nacn)
    params = {
        "nacn_mg_l": nacn, "ph": 10.5 * one, "temp_c": 25.0 * one,
        "ref_nacn_mg_l": 300.0 * one, "ref_do_mg_l": 8.0 * one, "ref_ph": 10.5 * one,
        "ref_temp_c": 25.0 * one, "leach_ea_kj_mol": _default("leach_ea_kj_mol") * one,
        "cn_order": _default("cn_order") * one, "do_order": _default("do_order") * one,
    }  # fmt: skip
    return rate_factor({"rate_model": model}, params, do_mg_l * one)


def _order(model, nacn_mg_l, rel=1e-4):
    up = _factor(model, nacn_mg_l * (1 + rel))[0]
    down = _factor(model, nacn_mg_l * (1 - rel))[0]
    return float(np.log(up / down) / (np.log(1 + rel) - np.log(1 - rel)))


def _data():
    return pd.read_csv(DATA, comment="#")


def test_power_law_default_is_crundwell_and_godorr_square_root():
    """The power law's order is its ``cn_order`` by construction, so only the default is
    checked against the source. The abstract read states no cyanide or oxygen level, so
    the default mixed law cannot be compared with Crundwell & Godorr at their condition;
    the next test reports where its local order passes their 0.5."""
    data = _data()
    measured = float(data.loc[data["source"] == "crundwell_godorr_1997", "cn_order"].iloc[0])
    assert _default("cn_order") == measured == 0.5


def test_mixed_law_passes_order_one_half_at_80_mg_l_nacn_under_air():
    nacn_half = brentq(lambda c: _order("mixed", c) - 0.5, 1.0, 5000.0)
    assert nacn_half == pytest.approx(80.3, abs=0.5)
    # the shipped CIL strength: order about a quarter; a weak solution: near one
    assert _order("mixed", 250.0) == pytest.approx(0.24, abs=0.02)
    assert _order("mixed", 5.0) > 0.9
    assert _order("mixed", 1e5) < 0.01


def test_low_cyanide_order_disagreement_is_pinned():
    data = _data()
    low = data[(data["source"] == "senanayake_2005") & (data["regime"] == "low cyanide")]
    measured = float(low["cn_order"].iloc[0])
    assert measured == 2.7
    model = max(_order("mixed", 0.5), _order("power", 0.5))
    assert model == pytest.approx(1.0, abs=0.01)
    assert measured - model == pytest.approx(1.7, abs=0.02)
    high = data[(data["source"] == "senanayake_2005") & (data["regime"] == "high cyanide")]
    assert float(high["limiting_rate_mol_m2_s"].iloc[0]) == pytest.approx(7.3e-6)
    assert _order("mixed", 5e4) == pytest.approx(0.0, abs=0.01)  # zero order, as his limit
