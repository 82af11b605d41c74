"""Activation energy of gold in chloride-hypochlorite: Kozin, Prokopenko & Bogdanova 2005.

Source: L. F. Kozin, V. A. Prokopenko and A. K. Bogdanova, "Kinetics and mechanism of
the gold corrosion dissolution in hypochlorite solutions", Protection of Metals
41(1):22-29, 2005 (abstract only): first-order rate constants of gold metal dissolving
at 277 to 304 K give an activation energy of 53.43 kJ/mol, "a kinetic control of the
gold dissolution".

Check: the halide unit's default ``leach_ea_kj_mol`` is that figure, and the apparent
activation energy of the whole rate law (Arrhenius and the Nernst drive together), read
from an Arrhenius plot of ``halide_rate_factor`` over the paper's 277-304 K at the unit's
default pulp (2,000 mg/L Cl2, 100 g/L NaCl, Eh 1,000 mV), is positive and within 0.5 %
of 53.43 kJ/mol.
"""

from __future__ import annotations

import numpy as np
import pytest

from oreflow.kernels.lixiviant_rates import R_J_MOL_K, halide_rate_factor
from oreflow.kernels.lixiviants import NACL_G_MOL
from oreflow.units.halide import EQ_GOLD_MOL_L, PARAMS

KOZIN_EA_KJ_MOL = 53.43
KOZIN_T_K = (277.0, 304.0)


def default(name: str) -> float:
    return float(next(p.default for p in PARAMS if p.name == name))


def apparent_ea_kj_mol() -> tuple[float, float]:
    t_k = np.linspace(*KOZIN_T_K, 10)
    n = t_k.size
    one = np.ones(n)
    ox, cl = default("free_oxidant_mg_l"), default("nacl_g_l") / NACL_G_MOL
    eh = default("eh_mv")
    ref = np.tile([ox, cl, eh, default("kinetics_ref_temperature_degc")], (n, 1))
    f = halide_rate_factor(
        ox * one, cl * one, eh * one, t_k - 273.15, ref, EQ_GOLD_MOL_L,
        default("oxidant_rate_order") * one, default("chloride_rate_order") * one,
        default("leach_ea_kj_mol") * one,
    )  # fmt: skip
    slope, intercept = np.polyfit(1.0 / t_k, np.log(f), 1)
    fitted = slope / t_k + intercept
    r2 = 1.0 - np.sum((np.log(f) - fitted) ** 2) / np.sum((np.log(f) - np.log(f).mean()) ** 2)
    return -slope * R_J_MOL_K / 1000.0, r2


def test_the_default_activation_energy_is_the_published_one():
    assert default("leach_ea_kj_mol") == KOZIN_EA_KJ_MOL
    assert default("kinetics_ref_temperature_degc") == 25.0


def test_the_rate_law_has_the_published_activation_energy():
    ea, r2 = apparent_ea_kj_mol()
    assert ea > 0.0  # warmer is faster
    assert ea == pytest.approx(KOZIN_EA_KJ_MOL, rel=0.005)
    assert r2 > 0.9999  # a straight Arrhenius line, as the paper's first-order constants
