"""The cyanide heap answers its cyanide, pH and temperature levers (issue 12).

Was: gold recovery of ``cn_heap_merrill_crowe`` was the same at every ``nacn_mg_l`` (the
set point only bought cyanide). The heap now scales the column tests' rate constants by
the same Kudryk-Kellogg mixed diffusion law as the CIL (validated in
``test_cyanidation_drivers.py``: first order in cyanide below ``[CN⁻]/[O₂]`` ≈ 6, zero
order above), by the HCN share at the solution pH and by Arrhenius in temperature.
Checked here in sign and size through the unit: the columns' own strength gives the
table's rate; a weak solution leaches slower and recovers less in the cycle; doubling an
ample strength gains little recovery while it costs cyanide.
"""

from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.kernels import cyanidation as cy

CASE = Path(__file__).resolve().parents[2] / "cases" / "tests" / "cn_heap_merrill_crowe.toml"
NACN_MG_L = [25.0, 50.0, 100.0, 250.0, 500.0]


@pytest.fixture(scope="module")
def strength():
    return oreflow.simulate_batch(CASE, {"units.heap.nacn_mg_l": NACN_MG_L})


def test_rate_factor_is_one_at_the_columns_conditions_and_the_mixed_law_elsewhere():
    results = [oreflow.simulate(CASE, overrides={"units.heap.nacn_mg_l": c}) for c in NACN_MG_L]
    factor = []
    for r in results:
        m = r.units[(r.units["unit"] == "heap") & (r.units["metric"] == "leach_rate_factor")]
        factor.append(float(m["value"].iloc[0]))
    expected = cy.mixed_rate_factor(np.array(NACN_MG_L), 8.0, 10.5, 25.0, 250.0, 8.0, 10.5, 25.0)
    np.testing.assert_allclose(factor, expected, rtol=1e-12)
    assert factor[3] == pytest.approx(1.0, rel=1e-12)  # the columns' strength: the table's k
    # the local order in cyanide is 6.03[O2] / ([CN-] + 6.03[O2]): about 0.8 at 25 mg/L
    # NaCN (25 -> 50 mg/L: 1.6 times the rate) ...
    assert 1.5 < factor[1] / factor[0] < 2.0
    # ... and about 0.2 in excess (250 -> 500 mg/L: 13 % more rate)
    assert 1.0 < factor[4] / factor[3] < 1.2


def test_recovery_rises_with_cyanide_and_saturates_while_cyanide_bought_keeps_rising(strength):
    au = strength["gold_recovery_frac"].to_numpy()
    assert np.all(np.diff(au) > 0.0)
    assert au[1] - au[0] > 0.02  # a weak solution costs recovery over a 90-day cycle
    assert au[4] - au[3] < 0.02  # doubling an ample strength gains under two points ...
    nacn = strength["nacn_kg_t"].to_numpy()
    assert np.all(np.diff(nacn) > 0.0)
    assert nacn[4] > 1.3 * nacn[3]  # ... and costs a third more cyanide or more (losses
    # by oxidation and volatilisation are first order in the free cyanide)


def test_low_ph_slows_the_leach_through_hcn():
    """pH 9.2 is the pKa of HCN at 25 °C: half the free cyanide is HCN, which does not
    leach gold (Marsden & House 2006 ch. 6), so at a short strength the rate nearly halves."""
    frame = oreflow.simulate_batch(
        CASE, {"units.heap.ph": [9.2, 10.5], "units.heap.nacn_mg_l": [50.0, 50.0]}
    )
    au = frame["gold_recovery_frac"].to_numpy()
    assert au[0] < au[1]
    ion = cy.cyanide_ion_frac(np.array([9.2, 10.5]), 25.0)
    assert 0.45 < ion[0] / ion[1] < 0.55


def test_warmer_pad_leaches_faster_and_rate_model_none_ignores_cyanide(tmp_path):
    frame = oreflow.simulate_batch(CASE, {"units.heap.temp_c": [10.0, 25.0, 35.0]})
    assert np.all(np.diff(frame["gold_recovery_frac"].to_numpy()) > 0.0)
    text = CASE.read_text(encoding="utf-8")
    assert "nacn_mg_l = 250.0\n" in text
    blind = tmp_path / "blind.toml"
    blind.write_text(
        text.replace("nacn_mg_l = 250.0\n", 'nacn_mg_l = 250.0\nrate_model = "none"\n'),
        encoding="utf-8",
    )
    au = oreflow.simulate_batch(blind, {"units.heap.nacn_mg_l": [50.0, 500.0]})[
        "gold_recovery_frac"
    ].to_numpy()
    assert au[0] == pytest.approx(au[1], rel=1e-12)
