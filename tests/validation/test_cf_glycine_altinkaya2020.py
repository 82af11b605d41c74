"""Glycine concentration not significant at 0.5-2 M (Altinkaya et al. 2020, abstract).

Data: ``data/testwork/cf_glycine_altinkaya2020.csv`` (Miner. Eng. 158:106610): over
glycine 0.5-2 M, pH 10-12 and 23-60 °C (24 h, 100 g/L solids), glycine concentration
had no statistically significant effect on gold extraction; temperature and pH did. The
glycine rate law must be saturated over the design range (within 5 % at its optimum
pH 12 and 60 °C, and within 10 % at pH 10) and respond to pH and temperature.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from oreflow.kernels.lixiviant_rates import glycine_rate_factor
from oreflow.units.glycine import PARAMS

DATA = Path(__file__).resolve().parents[2] / "data" / "testwork"
GLY_G_MOL = 75.07


def rows(name: str) -> dict[str, dict[str, str]]:
    with open(DATA / name, newline="") as fh:
        return {
            r["test"]: r for r in csv.DictReader(line for line in fh if not line.startswith("#"))
        }


def default(name: str) -> float:
    return float(next(p.default for p in PARAMS if p.name == name))


def factor(gly_m: float, ph: float, temp: float) -> float:
    one = np.ones(1)
    ref = np.array([[0.643, 10.5, 25.0, 0.0, 0.0, 0.0]])
    return float(
        glycine_rate_factor(
            gly_m * GLY_G_MOL * one, ph * one, temp * one, 0 * one, 0 * one, ref,
            default("glycine_half_g_l") * one, default("leach_ea_kj_mol") * one, 0 * one,
            default("oxidant_half_kg_t") * one, default("cu_rate_gain") * one,
            default("cu_half_mg_l") * one,
        )[0]
    )  # fmt: skip


def test_glycine_not_significant_over_the_design_range():
    data = rows("cf_glycine_altinkaya2020.csv")
    lo = float(data["range_glycine_low"]["glycine_mol_l"])
    hi = float(data["range_glycine_high"]["glycine_mol_l"])
    best = data["optimum_measured"]
    ph, temp = float(best["ph"]), float(best["temperature_degc"])
    assert 1.0 <= factor(hi, ph, temp) / factor(lo, ph, temp) <= 1.05
    assert 1.0 <= factor(hi, 10.0, temp) / factor(lo, 10.0, temp) <= 1.10


def test_temperature_and_ph_drive_the_rate():
    assert factor(1.25, 12.0, 60.0) > 3.0 * factor(1.25, 12.0, 23.0)
    assert factor(0.05, 12.0, 23.0) > factor(0.05, 10.0, 23.0)
