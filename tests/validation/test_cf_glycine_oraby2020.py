"""Glycine-permanganate vs other oxidants: Oraby, Eksteen & O'Connor (2020), abstract.

Data: ``data/testwork/cf_glycine_oraby2020_oxidants.csv`` (Hydrometallurgy 198:105527):
85.1 % gold with 1.5 kg/t glycine and 3 kg/t KMnO4 (30 % solids, pH 10.5, ambient), at
best 11 % with the other oxidants, 87.4 % with cyanide.

Fit: both glycine tests are taken as batch leaches of equal duration ``t`` towards the
cyanide benchmark's 87.4 % (assumptions stated in ``oreflow.units.glycine``), first
order: ``R = U (1 - exp(-k t F))`` with ``F = 1`` for the weak oxidants (their gain is
taken as that of air) and ``F = 1 + g · 3/(3 + 1.5)`` with permanganate. Two points,
two unknowns (``k t`` and ``g``): the fit must be exact and give the shipped
``kmno4_rate_gain``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import least_squares

from oreflow.kernels.lixiviant_rates import glycine_rate_factor
from oreflow.units.glycine import PARAMS

DATA = Path(__file__).resolve().parents[2] / "data" / "testwork"
#: Reproduction tolerance on an extraction [-] (absolute).
TOL_FRAC = 0.005


def rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def default(name: str) -> float:
    return float(next(p.default for p in PARAMS if p.name == name))


def fit() -> tuple[np.ndarray, float, float, float]:
    data = {r["test"]: r for r in rows("cf_glycine_oraby2020_oxidants.csv")}
    ultimate = float(data["cyanide_benchmark"]["au_extraction_frac"])
    kmno4 = data["glycine_kmno4"]
    dose = float(kmno4["oxidant_kg_t"])
    r_kmno4 = float(kmno4["au_extraction_frac"])
    r_other = float(data["glycine_other_oxidants_best"]["au_extraction_frac"])
    half = default("oxidant_half_kg_t")

    def residual(p: np.ndarray) -> np.ndarray:
        kt, gain = p
        f_kmno4 = 1.0 + gain * dose / (dose + half)
        return np.array(
            [
                ultimate * (1.0 - np.exp(-kt * f_kmno4)) - r_kmno4,
                ultimate * (1.0 - np.exp(-kt)) - r_other,
            ]
        )

    res = least_squares(residual, [0.1, 10.0], bounds=([0.0, 0.0], [10.0, 1000.0]))
    return res.x, ultimate, r_kmno4, r_other


def test_fit_gives_the_shipped_permanganate_gain():
    (kt, gain), *_ = fit()
    assert gain == pytest.approx(default("kmno4_rate_gain"), abs=0.05)
    assert kt > 0


def test_the_rate_law_reproduces_both_tests():
    (kt, _), ultimate, r_kmno4, r_other = fit()
    one = np.ones(1)
    ref = np.array([[0.643, 10.5, 25.0, 3.0, 0.0, default("kmno4_rate_gain")]])

    def extraction(dose: float, gain: float) -> float:
        f = glycine_rate_factor(
            0.643 * one, 10.5 * one, 25.0 * one, dose * one, 0 * one, ref,
            default("glycine_half_g_l") * one, default("leach_ea_kj_mol") * one, gain * one,
            default("oxidant_half_kg_t") * one, default("cu_rate_gain") * one,
            default("cu_half_mg_l") * one,
        )[0]  # fmt: skip
        # kt is the air rate; the factor is relative to the permanganate reference
        f_ref_over_air = 1.0 + default("kmno4_rate_gain") * 3.0 / 4.5
        return ultimate * (1.0 - np.exp(-kt * f_ref_over_air * f))

    assert extraction(3.0, default("kmno4_rate_gain")) == pytest.approx(r_kmno4, abs=TOL_FRAC)
    assert extraction(0.0, 0.0) == pytest.approx(r_other, abs=TOL_FRAC)
