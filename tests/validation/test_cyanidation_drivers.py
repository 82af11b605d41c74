"""Cyanidation drivers: the published data they reproduce, and their direction and
reaction orders at the limits (free cyanide, dissolved oxygen, pH, temperature, grind,
pulp density and time), in the kernel and through the CIL unit."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import oreflow
from oreflow.kernels import cyanidation as cy

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "cases" / "free_milling_cil.toml"


def _order(f, x, rel=1e-4):
    """Local reaction order d ln f / d ln x."""
    return (np.log(f(x * (1 + rel))) - np.log(f(x * (1 - rel)))) / (
        np.log(1 + rel) - np.log(1 - rel)
    )


def test_oxygen_saturation_reproduces_the_en25814_table():
    """EN 25814 (ISO 5814) table, 0-30 °C (data/testwork/cn_do_saturation_en25814.csv):
    the Benson & Krause equation within 0.07 mg/L (0.5 %): the table prints 3 figures and
    predates Benson & Krause (its 6-7 °C values lie 0.05-0.06 above the equation)."""
    table = pd.read_csv(ROOT / "data" / "testwork" / "cn_do_saturation_en25814.csv", comment="#")
    model = cy.oxygen_saturation_mg_l(table["temp_c"].to_numpy())
    assert len(table) == 31
    np.testing.assert_allclose(model, table["do_sat_mg_l"], atol=0.07)


def test_oxygen_saturation_above_40_c_goes_to_zero_at_the_boiling_point():
    """Above Benson & Krause's 0-40 °C the saturation is Henry's law on the oxygen partial
    pressure less water's vapour pressure (IAPWS G7-04, Wagner & Pruss 1993), met to
    Benson & Krause at 40 °C. No printed table past 30 °C was read, so checked by limits:
    water boils at 99.97 °C under 1 atm (Wagner & Pruss p_w = 101.325 kPa there), the air
    leaves and the saturation is zero; continuous at 40 °C; falling all the way."""
    assert float(cy.water_vapour_pressure_kpa(99.974)) == pytest.approx(cy.ATM_KPA, abs=0.01)
    assert float(cy.water_vapour_pressure_kpa(25.0)) == pytest.approx(3.17, abs=0.01)
    assert float(cy.water_density_kg_m3(25.0)) == pytest.approx(997.05, abs=0.01)
    assert float(cy.oxygen_saturation_mg_l(99.98)) == 0.0
    assert float(cy.oxygen_saturation_mg_l(110.0)) == 0.0
    t = np.linspace(0.0, 99.9, 1000)
    sat = cy.oxygen_saturation_mg_l(t)
    assert np.all(np.diff(sat) < 0)
    edge = cy.oxygen_saturation_mg_l(np.array([40.0 - 1e-9, 40.0 + 1e-9]))
    assert edge[0] == pytest.approx(edge[1], rel=1e-9)
    # the unscaled Henry's-law form stands within 1.2 % of Benson & Krause over 0-40 °C
    t_bk = np.linspace(0.0, 40.0, 41)
    bk = cy.oxygen_saturation_mg_l(t_bk)
    np.testing.assert_allclose(cy._air_oxygen_henry_mg_l(t_bk), bk, rtol=0.012)
    assert pytest.approx(0.989, abs=0.001) == cy._HENRY_TO_BK
    # the former Benson & Krause extrapolation gave 3.06 mg/L at 85 °C and 2.24 at 100 °C
    hot = cy.oxygen_saturation_mg_l(np.array([60.0, 70.0, 80.0, 85.0, 90.0]))
    np.testing.assert_allclose(hot, [4.63, 3.77, 2.79, 2.22, 1.58], atol=0.01)
    # pure oxygen: Henry's law on the oxygen share of the gas
    assert float(cy.oxygen_saturation_mg_l(80.0, 1.0)) == pytest.approx(
        float(hot[2]) / cy.AIR_O2_FRAC, rel=1e-3
    )


def test_rate_is_first_order_in_cyanide_when_cyanide_is_short_and_zero_order_in_excess():
    o2 = 8.0 / 1000 / cy.O2_G_MOL

    def rate_cn(cn):
        return cy.mixed_rate(cn, o2)

    assert _order(rate_cn, 1e-7) == pytest.approx(1.0, abs=1e-3)
    assert _order(rate_cn, 10.0) == pytest.approx(0.0, abs=1e-3)
    # the change-over sits at the Kudryk-Kellogg ratio [CN]/[O2] = 4 D_O2 / D_CN
    assert _order(rate_cn, cy.CRITICAL_CN_O2_MOLAR * o2) == pytest.approx(0.5, abs=1e-6)
    assert pytest.approx(6.03, abs=0.01) == cy.CRITICAL_CN_O2_MOLAR


def test_rate_is_first_order_in_oxygen_when_oxygen_is_short_and_zero_order_in_excess():
    cn = 250.0 / 1000 / cy.NACN_G_MOL

    def rate_o2(o2):
        return cy.mixed_rate(cn, o2)

    assert _order(rate_o2, 1e-9) == pytest.approx(1.0, abs=1e-3)
    assert _order(rate_o2, 10.0) == pytest.approx(0.0, abs=1e-3)


def test_ph_sets_cyanide_ion_by_the_hcn_acid_constant():
    assert float(cy.cyanide_ion_frac(9.21, 25.0)) == pytest.approx(0.5, abs=1e-12)
    ph = np.linspace(5.0, 12.5, 31)
    frac = cy.cyanide_ion_frac(ph, 25.0)
    assert np.all(np.diff(frac) > 0)
    # far below the pKa cyanide ion rises tenfold per pH unit; far above it is all CN-
    assert frac[1] / frac[0] == pytest.approx(10 ** (ph[1] - ph[0]), rel=1e-3)
    assert float(cy.cyanide_ion_frac(13.5, 25.0)) > 0.9999
    # HCN is a weaker acid when cold (endothermic ionisation, Izatt et al. 1962)
    assert float(cy.hcn_pka(10.0)) > cy.HCN_PKA_25C > float(cy.hcn_pka(40.0))


def test_arrhenius_slope_is_the_activation_energy():
    t = np.array([15.0, 25.0, 35.0])
    f = cy.arrhenius_factor(t, 20.0, 25.0)
    slope = np.polyfit(1.0 / (t + 273.15), np.log(f), 1)[0]
    assert -slope * 8.314462618e-3 == pytest.approx(20.0, rel=1e-9)
    assert f[1] == pytest.approx(1.0)


def test_exposure_limits_and_order_in_particle_size():
    g = 10.0
    assert float(cy.exposed_frac(g, g)) == 1.0
    assert float(cy.exposed_frac(5.0, g)) == 1.0
    d = np.geomspace(10.0, 1e5, 50)
    e = cy.exposed_frac(d, g)
    assert np.all(np.diff(e) < 0)
    # coarse particles: E -> 3 g/d, order -1 in size
    assert _order(lambda x: cy.exposed_frac(x, g), 1e5) == pytest.approx(-1.0, abs=1e-3)
    assert float(cy.exposed_frac(1e5, g)) == pytest.approx(3 * g / 1e5, rel=1e-3)


def test_sparged_oxygen_falls_with_uptake_and_rises_with_kla():
    sat = cy.oxygen_saturation_mg_l(25.0)
    assert float(cy.sparged_oxygen_mg_l(sat, 30.0, 0.0)) == pytest.approx(float(sat))
    assert float(cy.sparged_oxygen_mg_l(sat, 30.0, 60.0)) == pytest.approx(float(sat) - 2.0)
    assert float(cy.sparged_oxygen_mg_l(sat, 1.0, 1e3)) == 0.0
    assert float(cy.oxygen_saturation_mg_l(25.0, 1.0)) == pytest.approx(float(sat) / cy.AIR_O2_FRAC)


# --- through the unit: the shipped case answers to each lever ----------------------------


def _sweep(key, values):
    return oreflow.simulate_batch(CASE, {key: np.asarray(values, dtype=float)})


@pytest.mark.solver
@pytest.mark.parametrize(
    ("key", "values", "sign"),
    [
        ("units.cil.nacn_mg_l", [25.0, 50.0, 100.0, 250.0, 500.0, 1000.0], +1),
        ("units.cil.ph", [9.0, 9.5, 10.0, 10.5, 11.0], +1),
        ("units.cil.temp_c", [10.0, 20.0, 30.0, 40.0], +1),
        ("units.cil.kla_per_h", [0.5, 1.0, 2.0, 5.0, 30.0], +1),
        ("units.cil.o2_demand_g_t_h", [0.0, 10.0, 50.0, 150.0], -1),
        ("units.cil.residence_h", [8.0, 16.0, 24.0, 32.0], +1),
        ("units.cyclone.d50c_um", [50.0, 65.0, 80.0, 110.0], -1),
    ],
)
def test_gold_recovery_answers_each_lever_in_the_published_direction(key, values, sign):
    rec = _sweep(key, values)["gold_recovery_frac"].to_numpy()
    assert np.all(sign * np.diff(rec) > 0), (key, rec)


@pytest.mark.solver
def test_cyanide_bought_rises_with_the_level_and_falls_with_ph():
    by_level = _sweep("units.cil.nacn_mg_l", [50.0, 150.0, 300.0, 600.0])["nacn_kg_t"]
    assert np.all(np.diff(by_level) > 0)
    by_ph = _sweep("units.cil.ph", [9.5, 10.0, 10.5, 11.0])["nacn_kg_t"]
    assert np.all(np.diff(by_ph) < 0)


@pytest.mark.solver
def test_recovery_saturates_in_cyanide_once_oxygen_limits():
    rec = _sweep("units.cil.nacn_mg_l", [25.0, 50.0, 1000.0, 2000.0])["gold_recovery_frac"]
    low_gain = (rec[1] - rec[0]) / 25.0
    high_gain = (rec[3] - rec[2]) / 1000.0
    assert high_gain < low_gain / 100.0


@pytest.mark.solver
def test_denser_pulp_holds_less_oxygen_and_leaches_slower():
    """Oxygen uptake is per tonne of solids: more solids per litre, less dissolved oxygen
    in a sparged tank, a lower leach rate and extraction (residence held)."""
    rows = []
    for solids in (0.40, 0.50, 0.60):
        r = oreflow.simulate(
            CASE,
            overrides={
                "units.thickener.underflow_solids_frac": solids,
                "units.cil.o2_demand_g_t_h": 60.0,
            },
        )
        u = r.units[r.units.unit == "cil"].set_index("metric")["value"]
        rows.append((u["do_mg_l"], u["leach_rate_factor"], u["au_leach_extraction_frac"]))
    do, rate, extraction = np.array(rows).T
    assert np.all(np.diff(do) < 0)
    assert np.all(np.diff(rate) < 0)
    assert np.all(np.diff(extraction) < 0)
