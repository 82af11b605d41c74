"""Reaction orders and activation energy of gold in ammoniacal thiosulfate.

Data: ``data/testwork/cf_thiosulfate_zhang2004_orders.csv``: Zhang, Senanayake & Nicol
(2004), Hydrometallurgy 74:243 (abstract): initial gold dissolution rates of order about
0.3 in ammonia, independent of thiosulfate, activation energy 25-37 kJ/mol. The rate law
of ``thiosulfate_ril`` must show the same orders at the limits (numerical log-log
slopes) and an activation energy in the range.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from oreflow.kernels.lixiviant_rates import thiosulfate_rate_factor
from oreflow.units.thiosulfate import PARAMS

DATA = Path(__file__).resolve().parents[2] / "data" / "testwork"
TOL_ORDER = 0.02


def rows(name: str) -> dict[str, dict[str, str]]:
    with open(DATA / name, newline="") as fh:
        return {
            r["quantity"]: r
            for r in csv.DictReader(line for line in fh if not line.startswith("#"))
        }


def default(name: str) -> float:
    return float(next(p.default for p in PARAMS if p.name == name))


def rate(s2o3: float, nh3: float, cu_mm: float, temp: float, ammoniacal: bool = True) -> float:
    one = np.ones(1)
    ref = np.array([[0.1, 0.5, 3.0, 25.0]])
    return float(
        thiosulfate_rate_factor(
            s2o3 * one, nh3 * one, cu_mm * one, temp * one, ammoniacal, ref,
            default("s2o3_half_mol_l") * one, default("nh3_rate_order") * one,
            default("cu_rate_gain") * one, default("cu_half_mm") * one,
            default("leach_ea_kj_mol") * one, default("cu_leach_ea_kj_mol") * one,
        )[0]
    )  # fmt: skip


def slope(f, x: float) -> float:
    return (np.log(f(x * 1.01)) - np.log(f(x / 1.01))) / (2 * np.log(1.01))


def test_order_in_ammonia():
    published = float(rows("cf_thiosulfate_zhang2004_orders.csv")["order_ammonia"]["low"])
    for nh3 in (0.1, 0.5, 1.0):
        assert slope(lambda x: rate(0.1, x, 3.0, 25.0), nh3) == pytest.approx(
            published, abs=TOL_ORDER
        )


def test_order_zero_in_thiosulfate_once_it_complexes_gold():
    published = float(rows("cf_thiosulfate_zhang2004_orders.csv")["order_thiosulfate"]["low"])
    for s in (0.5, 1.0):
        assert slope(lambda x: rate(x, 0.5, 3.0, 25.0), s) == pytest.approx(published, abs=0.05)
    # and first order where thiosulfate runs out (the model's limit below K_S)
    assert slope(lambda x: rate(x, 0.5, 3.0, 25.0), 1e-4) == pytest.approx(1.0, abs=0.01)


def test_activation_energy_in_the_published_range():
    """Zhang et al. leached in oxygenated ammoniacal thiosulfate without copper: the uncatalysed path."""
    r = rows("cf_thiosulfate_zhang2004_orders.csv")["activation_energy"]
    lo, hi = float(r["low"]), float(r["high"])
    ratio = rate(0.1, 0.5, 0.0, 48.0) / rate(0.1, 0.5, 0.0, 25.0)
    ea = np.log(ratio) * 8.314462618 / (1 / 298.15 - 1 / 321.15) / 1000.0
    assert lo <= ea <= hi


def test_copper_catalysed_thiosulfate_leaches_faster_than_oxygen_alone():
    """Zhang et al.: copper(II)-ammonia-thiosulfate > oxygen-ammonia-thiosulfate (at 25 and 48 °C)."""
    r = rows("cf_thiosulfate_zhang2004_orders.csv")["rate_ratio_cu_over_o2_thiosulfate"]
    lo, hi = float(r["low"]), float(r["high"])
    for temp in (25.0, 48.0):
        ratio = rate(0.1, 0.5, 3.0, temp) / rate(0.1, 0.5, 0.0, temp)
        assert lo < ratio < hi
