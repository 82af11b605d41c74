"""Roasting kernel: mixed-flow conversion and the sintering step, compiled and py_func."""

from __future__ import annotations

import numpy as np
import pytest

from oreflow.kernels.roasting import mixed_flow_conversion, roast_conversions, sintered_share


@pytest.mark.parametrize("fn", [mixed_flow_conversion, mixed_flow_conversion.py_func])
def test_mixed_flow_worked_value(fn):
    # at the reference temperature k t = 2 x 3 = 6: X = 6 / 7
    assert fn(2.0, 100.0, 650.0, 650.0, 1.0, 3.0) == pytest.approx(6.0 / 7.0, rel=1e-12)
    # Arrhenius: 100 kJ/mol, 600 vs 650 °C
    k = 2.0 * np.exp(-100000.0 / 8.314462618 * (1 / 873.15 - 1 / 923.15))
    assert fn(2.0, 100.0, 600.0, 650.0, 1.0, 3.0) == pytest.approx(3 * k / (1 + 3 * k), rel=1e-12)


@pytest.mark.parametrize("fn", [sintered_share, sintered_share.py_func])
def test_sintering_step(fn):
    assert fn(720.0, 720.0, 40.0, 0.4) == pytest.approx(0.2)
    assert fn(500.0, 720.0, 40.0, 0.4) < 0.002
    assert fn(1000.0, 720.0, 40.0, 0.4) == pytest.approx(0.4, abs=1e-3)


def _consts(n):
    row = [1.27, 150, 525, 0.044, 150, 525, 1.63, 100, 650, 1.07, 80, 650, 114, 720, 40, 0.4]
    return np.ascontiguousarray(np.tile(np.array(row, dtype=np.float64), (n, 1)))


@pytest.mark.parametrize("fn", [roast_conversions, roast_conversions.py_func])
def test_conversions_rise_with_temperature_and_oxygen(fn):
    t2 = np.array([600.0, 650.0, 700.0, 650.0])
    y = np.array([0.2095, 0.2095, 0.2095, 0.6])
    one = np.ones(4)
    out = fn(525.0 * one, t2, 15.0 * one, 30.0 * one, y, 0.2 * one, _consts(4))
    assert out[0, 2] < out[1, 2] < out[2, 2]
    assert out[3, 2] > out[1, 2]  # enriched gas oxidises faster
    assert out[3, 4] > out[1, 4]  # and its particles run hotter: more sintering
    assert out[1, 0] == pytest.approx(0.95, abs=0.01)  # stage-1 arsenic at 525 °C, 15 min


def test_the_unit_and_the_kernel_take_the_same_air():
    from oreflow.kernels.roasting import AIR_O2_FRAC
    from oreflow.units import roaster

    assert roaster.AIR_O2_FRAC == AIR_O2_FRAC
