"""Bio-oxidation through the flowsheet (Marsden & House 2006; Adams (ed.) 2016, Gold Ore Processing; docs/models.md#biox)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.conventions import RTOL_CLOSURE
from oreflow.core.formulas import mass_fractions as _mf
from oreflow.errors import CaseError
from oreflow.flowsheet.case import parse_case
from oreflow.kernels.oxidation import M_O2, M_S

CASE = Path(__file__).resolve().parents[2] / "cases" / "tests" / "ox_biox_cil.toml"


def metrics(result, unit):
    return result.units.query("unit == @unit").set_index("metric")["value"]


@pytest.fixture(scope="module")
def result():
    return oreflow.simulate(CASE)


def test_biox_oxidises_within_the_reported_range_and_closes(result):
    m = metrics(result, "biox")
    assert (
        0.80 <= m["sulfide_oxidation_frac"] <= 0.98
    )  # Marsden & House 2006; Adams (ed.) 2016, Gold Ore Processing; docs/models.md#biox
    assert result.kpis["closure_max_rel"] <= RTOL_CLOSURE
    # same O2 per S as POX
    pyrite = result.streams.loc["ore.concentrate", "pyrite_tph"]
    s_py = m["pyrite_oxidation_frac"] * pyrite * _mf("FeS2")["s"] / m["sulfide_s_oxidised_tph"]
    per_s = s_py * 1.875 + (1.0 - s_py) * 3.5
    assert m["o2_demand_t_per_t_s"] == pytest.approx(per_s * M_O2 / M_S, rel=1e-9)


def test_iron_stays_in_solution_and_arsenic_goes_to_the_liquor(result):
    out = result.streams.loc["biox.discharge"]
    assert out["fe_aq_tph"] > 0.0
    assert out["as_aq_tph"] > 0.0
    assert out["h2so4_tph"] > 0.0
    assert "hematite_tph" not in out.index


def test_cooling_duty_and_aeration(result):
    m = metrics(result, "biox")
    surplus_kw = (m["heat_generated_mj_t"] - m["heat_required_mj_t"]) * 8.0 / 3.6
    assert m["cooling_duty_kw"] == pytest.approx(surplus_kw, rel=1e-12)
    assert m["air_tph"] == pytest.approx(m["o2_demand_kg_h"] / 1000.0 / 0.35 / 0.2314, rel=1e-12)
    assert m["power_kw"] == pytest.approx(m["o2_demand_kg_h"] * 1.0, rel=1e-12)
    assert "use_o2_kg_h" not in m.index  # air is blown, not oxygen bought


def test_residence_time_limits():
    frame = oreflow.simulate_batch(CASE, {"units.biox.residence_h": [0.0, 48.0, 96.0, 144.0]})
    assert frame["sulfide_oxidation_frac"].iloc[0] == 0.0
    assert np.all(np.diff(frame["sulfide_oxidation_frac"]) > 0.0)
    assert np.all(np.diff(frame["gold_recovery_frac"]) > 0.0)
    inf = oreflow.simulate(CASE, overrides={"units.biox.residence_h": 1e9}, check_ranges=False)
    assert inf.kpis["sulfide_oxidation_frac"] == pytest.approx(1.0, abs=1e-9)


def test_outside_the_mesophile_range_is_a_case_error():
    text = CASE.read_text(encoding="utf-8").replace(
        'type = "bio_oxidation"', 'type = "bio_oxidation"\ntemperature_degc = 70.0'
    )
    with pytest.raises(CaseError, match="temperature_degc"):
        parse_case(text, "bad.toml")
    text = CASE.read_text(encoding="utf-8").replace('"metal_hydroxides", ', "")
    with pytest.raises(CaseError, match="metal_hydroxides"):
        parse_case(text, "bad.toml")
