"""Operating work indices of a SAG mill: Bond's and Morrell's laws inverted on a stated basis.

A mill that grinds by Morrell's law with Mia (T80 >= 750 µm) must show an operating Mia
equal to that Mia, and one that grinds by Bond's law an operating Wi equal to its Wi:
the figures invert the very law the mill uses, on the energy it breaks ore with (the
charge's power for the charge-based power models, not the motor input).
"""

from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

import oreflow
from oreflow.conventions import RTOL_EXACT
from oreflow.flowsheet.compile import compile_case
from oreflow.kernels import comminution_energy as ce
from oreflow.kernels import operating_index as oi
from oreflow.solvers.simulate import simulate_plant
from oreflow.solvers.unit_figures import UnitFigures

SAG_CASE = Path(__file__).resolve().parents[2] / "cases" / "tests" / "comm_sag_trommel.toml"
#: The transfer size is found by bisection on ln T80 (oreflow.kernels.grind_size).
RTOL_BISECTION = 1e-9


def sag(result):
    return result.units.query("unit == 'sag'").set_index("metric")["value"]


@pytest.mark.parametrize("fn", ["jit", "python"])
def test_morrell_operating_index_inverts_morrell_energy(fn):
    f = oi.morrell_operating_index_kwh_t
    f = f if fn == "jit" else f.py_func
    x2 = np.array([20000.0, 5000.0, 750.0, 75.0])
    w = ce.morrell_energy_kwh_t(18.0, 100000.0, x2)
    assert_allclose(f(w, 100000.0, x2), 18.0, rtol=RTOL_EXACT)
    # no size reduction: no index
    assert np.isnan(f(np.array([1.0]), np.array([750.0]), np.array([750.0]))[0])


def test_morrell_mill_shows_operating_mia_equal_to_its_mia():
    for k in (4.2, 7.0, 10.6):
        m = sag(oreflow.simulate(SAG_CASE, overrides={"units.sag.austin_k_factor": k}))
        assert m["t80_um"] > 750.0  # Mia alone grinds the mill's feed to T80
        assert m["operating_mia_kwh_t"] == pytest.approx(18.0, rel=RTOL_BISECTION)
        assert m["operating_mia_ratio"] == pytest.approx(1.0, rel=RTOL_BISECTION)
        # Bond's index on the same basis, against the ore's Wi 14 kWh/t
        e = m["power_kw"] / m["mill_feed_tph"]
        wi_op = ce.bond_operating_work_index_kwh_t(e, m["f80_um"], m["t80_um"])
        assert m["operating_wi_kwh_t"] == pytest.approx(wi_op, rel=RTOL_EXACT)
        assert m["operating_wi_ratio"] == pytest.approx(wi_op / 14.0, rel=RTOL_EXACT)


def test_bond_mill_shows_operating_wi_equal_to_its_wi(write_case):
    text = SAG_CASE.read_text().replace(
        "mia_kwh_t = 18.0\n", 'mia_kwh_t = 18.0\nenergy_model = "bond"\n'
    )
    m = sag(oreflow.simulate(write_case(text)))
    assert m["operating_wi_kwh_t"] == pytest.approx(14.0, rel=RTOL_EXACT)
    assert m["operating_wi_ratio"] == pytest.approx(1.0, rel=RTOL_EXACT)
    # Morrell's index of the same grind is its own figure, not Mia
    assert np.isfinite(m["operating_mia_kwh_t"]) and m["operating_mia_kwh_t"] != 18.0


def test_charge_model_indices_use_the_grinding_power_not_the_motor_input(write_case):
    text = SAG_CASE.read_text().replace(
        "mia_kwh_t = 18.0\n", 'mia_kwh_t = 18.0\npower_model = "morrell"\n'
    )
    m = sag(oreflow.simulate(write_case(text)))
    assert m["power_kw"] > m["grinding_power_kw"]  # motor input carries no-load and losses
    e = m["grinding_power_kw"] / m["mill_feed_tph"]
    assert m["operating_wi_kwh_t"] == pytest.approx(
        ce.bond_operating_work_index_kwh_t(e, m["f80_um"], m["t80_um"]), rel=RTOL_EXACT
    )
    assert m["operating_mia_kwh_t"] == pytest.approx(18.0, rel=RTOL_BISECTION)


def test_operating_indices_are_figures_a_limit_can_name():
    sim = simulate_plant(compile_case(oreflow.load_case(SAG_CASE)), n_cases=1)
    figures = UnitFigures(sim)
    for name in ("operating_wi_kwh_t", "operating_wi_ratio", "operating_mia_kwh_t"):
        assert np.isfinite(figures.get(f"units.sag.{name}")[0])
    # no Mia given: no ratio to it
    text = SAG_CASE.read_text().replace("mia_kwh_t = 18.0\n", 'energy_model = "bond"\n')
    from oreflow.flowsheet.case import parse_case

    bond = simulate_plant(compile_case(parse_case(text, "sag.toml")), n_cases=1)
    assert np.isnan(UnitFigures(bond).get("units.sag.operating_mia_ratio")[0])
