"""The carbon adsorption rate answers to carbon size, agitation, pulp and carbon concentration.

Sources (oreflow.units.adsorption_rate): film diffusion of gold cyanide to fresh carbon
(Nicol, Fleming & Cromberge 1984, J. S. Afr. IMM 84:50; Fleming & Nicol 1984,
J. S. Afr. IMM 84:85: faster loading with more agitation and smaller carbon, slower in
pulp than in solution; the synopsis gives directions, not figures we could read), the
particle-liquid mass-transfer law of Calderbank & Moo-Young 1961 (Chem. Eng. Sci. 16:39,
k_f proportional to (P/V)^(1/4)) and the suspension viscosity of Thomas 1965 (J. Colloid
Sci. 20:267). The size checks are against these published laws (exponents and the
Thomas curve), not against plant figures.
"""

import re
from pathlib import Path

import numpy as np
import pytest

from oreflow.api import optimize, simulate_batch
from oreflow.kernels.carbon_circuit import film_rate_factor, thomas_relative_viscosity
from oreflow.units.adsorption_rate import adsorption_rate_factor

CASES = Path(__file__).resolve().parents[2] / "cases"
FREE = CASES / "free_milling_cil.toml"


def _one(x):
    return np.array([float(x)])


def _factor(**kw):
    p = {
        "carbon_d_mm": _one(2.0),
        "ref_carbon_d_mm": _one(2.0),
        "carbon_size_exponent": _one(1.0),
        "agitation_kw_m3": _one(0.08),
        "ref_agitation_kw_m3": _one(0.08),
        "agitation_exponent": _one(0.25),
        "temp_c": _one(25.0),  # every carbon unit has both keys: no temperature fallback
        "ref_adsorption_temp_c": _one(25.0),
    }
    p.update({k: _one(v) for k, v in kw.items()})
    solids, solids_m3, sol = _one(100.0), _one(100.0 / 2.7), _one(100.0)  # 50 % w/w
    return float(adsorption_rate_factor(p, solids, solids_m3, sol)[0])


def test_rate_is_inverse_in_carbon_diameter():
    """Film diffusion: area per mass 6/(rho d); halving the granule doubles k."""
    assert _factor() == 1.0
    assert _factor(carbon_d_mm=1.0) == pytest.approx(2.0, rel=1e-12)
    assert _factor(carbon_d_mm=3.35) == pytest.approx(2.0 / 3.35, rel=1e-12)


def test_rate_rises_with_agitation_by_the_quarter_power():
    """Calderbank & Moo-Young 1961: doubling P/V raises k by 2^(1/4) = 1.189."""
    assert _factor(agitation_kw_m3=0.16) == pytest.approx(2.0**0.25, rel=1e-12)
    assert _factor(agitation_kw_m3=0.04) < 1.0 < _factor(agitation_kw_m3=0.3)


def test_thomas_viscosity_curve():
    """Thomas 1965: mu_r ~ 1 + 2.5 phi (Einstein) when dilute, about 2.6 at phi = 0.27."""
    phi = np.array([0.01, 0.27, 0.4])
    mu = thomas_relative_viscosity(phi)
    assert mu[0] == pytest.approx(1.0 + 2.5 * 0.01, abs=0.005)
    assert 2.4 < mu[1] < 2.9
    assert np.all(np.diff(mu) > 0)


def test_rate_is_slower_in_pulp_than_in_solution():
    """Fleming & Nicol 1984: loading is slower in pulp. A 50 % w/w pulp (phi = 0.27) at the
    same agitator power gives k_pulp / k_solution = (rho_r)^(-1/4) (nu_r)^(-5/12), 0.6-0.8."""
    in_pulp = _factor(ref_pulp_solids_frac=0.0)
    assert 0.6 < in_pulp < 0.8
    assert _factor(ref_pulp_solids_frac=0.5) == pytest.approx(1.0, rel=1e-9)
    assert _factor(ref_pulp_solids_frac=0.3) < 1.0 < _factor(ref_pulp_solids_frac=0.6)


def test_kernel_factor_is_a_product_of_the_laws():
    one = _one(1.0)
    f = film_rate_factor(one, 2 * one, one, 16 * one, one, 0.25 * one, one, one)
    assert float(f[0]) == pytest.approx(4.0, rel=1e-12)


def test_unit_soluble_loss_follows_the_drivers(tmp_path):
    """On the shipped free-milling CIL: finer carbon, more agitation and more carbon each
    lower the gold left in solution; a rate measured in clear solution raises it."""
    size = simulate_batch(FREE, {"units.cil.carbon_d_mm": np.array([1.2, 2.0, 3.35])})
    loss = size["gold_recovery_frac"].to_numpy()
    assert loss[0] > loss[1] > loss[2]
    stir = simulate_batch(FREE, {"units.cil.agitation_kw_m3": np.array([0.04, 0.08, 0.3])})
    assert np.all(np.diff(stir["gold_recovery_frac"].to_numpy()) > 0)
    dose = simulate_batch(FREE, {"units.cil.carbon_g_l": np.array([5.0, 10.0, 15.0, 30.0])})
    assert np.all(np.diff(dose["gold_recovery_frac"].to_numpy()) > 0)
    text = FREE.read_text(encoding="utf-8").replace(
        "carbon_g_l = 15.0\n", "carbon_g_l = 15.0\nref_pulp_solids_frac = 0.5\n"
    )
    case = tmp_path / "pulp.toml"
    case.write_text(text, encoding="utf-8")
    pulp = simulate_batch(case, {"units.cil.ref_pulp_solids_frac": np.array([0.0, 0.5])})
    assert pulp["gold_recovery_frac"].iloc[0] < pulp["gold_recovery_frac"].iloc[1]


def test_carbon_held_costs_fines_and_agitation_costs_power():
    """The open-circuit carbon loss grows with the carbon held; the agitator draw with P/V."""
    frame = simulate_batch(FREE, {"units.cil.carbon_g_l": np.array([15.0, 30.0])})
    use = frame["use_carbon_kg_t"].to_numpy()
    assert use[1] == pytest.approx(2.0 * use[0], rel=1e-12)
    stir = simulate_batch(FREE, {"units.cil.agitation_kw_m3": np.array([0.08, 0.16])})
    power = stir["utility_cil_kw"].to_numpy()
    assert power[1] == pytest.approx(2.0 * power[0], rel=1e-12)


def _carbon_case(tmp_path, carbon_usd_kg):
    text = FREE.read_text(encoding="utf-8")
    text = re.sub(r"specific_energy_kwh_t = \[[^\]]*\]", "specific_energy_kwh_t = [13.0]", text)
    text = text.replace(
        "design_p80_um = 75.0\n", "design_p80_um = 75.0\nspecific_energy_kwh_t = 13.0\n"
    )
    text = re.sub(r"\[units\.cyclone\.modes\][^\n]*\n[^\n]*\n", "", text)
    text = re.sub(r"residence_h = \[[^\]]*\]\n", "", text)
    text = re.sub(r"nacn_mg_l = \[[^\]]*\]\n", f"carbon_g_l = {GRID!r}\n", text)
    text = re.sub(r"carbon = 3\.00 ", f"carbon = {carbon_usd_kg:.2f} ", text)
    assert f"carbon = {carbon_usd_kg:.2f}" in text
    path = tmp_path / f"cil_carbon_{carbon_usd_kg:.2f}.toml"
    path.write_text(text, encoding="utf-8")
    return path


GRID = [5.0, 10.0, 15.0, 20.0, 30.0, 40.0]


@pytest.mark.solver
def test_optimizer_picks_an_interior_carbon_concentration(tmp_path):
    """A mode grid on carbon_g_l: neither end is chosen, the choice is the best by
    enumeration, and a dearer carbon moves it down."""
    chosen = {}
    for price in (3.00, 12.00):
        case = _carbon_case(tmp_path, price)
        result = optimize(case)
        assert result.status == "optimal"
        level = result.decisions["modes"]["units.cil.carbon_g_l"]
        ore = result.decisions["ore_tph"]
        enum = simulate_batch(
            case, {"units.cil.carbon_g_l": np.array(GRID), "ore.main.rate_tph": ore}
        )
        ok = enum["tailings_wad_cn_mg_l"].to_numpy() <= 50.0 + 1e-9
        margin = np.where(ok, enum["margin_usd_h"].to_numpy(), -np.inf)
        assert GRID[int(np.argmax(margin))] == level
        chosen[price] = level
    assert GRID[0] < chosen[3.00] < GRID[-1]
    assert chosen[12.00] < chosen[3.00]
