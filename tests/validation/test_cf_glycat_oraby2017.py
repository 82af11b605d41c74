"""Glycine in the glycine-cyanide (GlyCat) leach: Oraby, Eksteen & Tanda (2017), abstract.

Data: ``data/testwork/cf_glycat_oraby2017.csv`` (Hydrometallurgy 169:339): the gold rate
rises with glycine up to 2.0 g/L (and is about three times the cyanidation rate). The
glycine term of the rate law must rise markedly from 0.5 to 2 g/L (more than 25 %) and
flatten above it (from 2 to 4 g/L less than a third of that rise).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from oreflow.kernels.lixiviant_rates import glycine_rate_factor
from oreflow.units.glycine import PARAMS

DATA = Path(__file__).resolve().parents[2] / "data" / "testwork"


def default(name: str) -> float:
    return float(next(p.default for p in PARAMS if p.name == name))


def limit_g_l() -> float:
    with open(DATA / "cf_glycat_oraby2017.csv", newline="") as fh:
        data = {
            r["quantity"]: r
            for r in csv.DictReader(line for line in fh if not line.startswith("#"))
        }
    return float(data["glycine_rate_rise_limit"]["value"])


def factor(gly_g_l: float) -> float:
    one = np.ones(1)
    ref = np.array([[2.0, 10.5, 25.0, 0.0, 0.0, 0.0]])
    return float(
        glycine_rate_factor(
            gly_g_l * one, 10.5 * one, 25.0 * one, 0 * one, 0 * one, ref,
            default("glycine_half_g_l") * one, default("leach_ea_kj_mol") * one, 0 * one,
            default("oxidant_half_kg_t") * one, 0 * one, default("cu_half_mg_l") * one,
        )[0]
    )  # fmt: skip


def test_rate_rises_to_two_grams_per_litre_then_flattens():
    top = limit_g_l()
    rise = factor(top) / factor(0.25 * top) - 1.0
    beyond = factor(2.0 * top) / factor(top) - 1.0
    assert rise > 0.25
    assert 0.0 < beyond < rise / 3.0
