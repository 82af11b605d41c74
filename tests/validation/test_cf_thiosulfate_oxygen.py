"""Dissolved oxygen in the thiosulfate leach: faster gold, more thiosulfate oxidised.

Gold: Zhang, Senanayake & Nicol (2004, Hydrometallurgy 74:243, abstract;
``data/testwork/cf_thiosulfate_zhang2004_orders.csv``) measured an order of about 0.3 in
oxygen; the unit's rate factor must show it (numerical log-log slope).

Thiosulfate: Breuer & Jeffrey (2003, Miner. Eng. 16:21, abstract) find the oxidation of
thiosulfate in copper(II) solutions much faster with oxygen than without, and Xia (2008,
PhD thesis, Queen's University, abstract) cut the consumption by leaching under 0.7 %
oxygen in the gas. No rate against dissolved oxygen was found (searched: Breuer &
Jeffrey 2003 in Miner. Eng. and Int. J. Miner. Process. 72:323, Xia 2008, Byerley,
Fouda & Rempel 1973, Feng & van Deventer 2006, Aylmore & Muir 2001, Rath et al. 2003: all
qualitative in what could be read), so the oxygen share (0.5) and order (1) of the
degradation are [assumed] and tested here for their sign and limits only.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from oreflow.api import simulate_batch
from oreflow.kernels.lixiviant_rates import oxygen_share_factor
from oreflow.units.thiosulfate import PARAMS, degradation_per_h, rate_factor

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "testwork" / "cf_thiosulfate_zhang2004_orders.csv"
CASE = ROOT / "cases" / "carbonaceous_thiosulfate.toml"


def _defaults(**over):
    p = {q.name: np.asarray(q.default) for q in PARAMS if isinstance(q.default, float | int)}
    p.update({k: np.asarray(v, dtype=float) for k, v in over.items()})
    return p


def _order_oxygen() -> float:
    with open(DATA, newline="") as fh:
        rows = {r["quantity"]: r for r in csv.DictReader(x for x in fh if not x.startswith("#"))}
    return float(rows["order_oxygen"]["low"])


@pytest.mark.parametrize("ammoniacal", [False, True])
def test_gold_rate_has_zhang_s_order_in_oxygen(ammoniacal):
    params = _defaults(nh3_mol_l=0.5, cu_mg_l=190.638)
    lo, hi = (
        rate_factor({**params, "do_mg_l": np.asarray(x)}, 1, ammoniacal)[0] for x in (4.0, 8.0)
    )
    assert np.log(hi / lo) / np.log(2.0) == pytest.approx(_order_oxygen(), abs=1e-9)
    assert (
        rate_factor(params, 1, ammoniacal)[0]
        == rate_factor({k: v for k, v in params.items() if k != "do_mg_l"}, 1, ammoniacal)[0]
    )  # at the reference oxygen exactly as without the term (the heap's case)


def test_degradation_rises_with_oxygen_and_keeps_its_oxygen_free_part():
    do = np.array([0.0, 2.0, 4.0, 8.0, 12.0, 20.0])
    k = np.array([degradation_per_h(_defaults(do_mg_l=x), 1, np.ones(1))[0] for x in do])
    assert np.all(np.diff(k) > 0.0)
    k_ref = k[3]
    share = float(next(p.default for p in PARAMS if p.name == "s2o3_degradation_o2_share"))
    assert k[0] == pytest.approx(k_ref * (1.0 - share), rel=1e-12)  # no oxygen: copper path only
    assert k[-1] == pytest.approx(k_ref * (1.0 + share * (20.0 / 8.0 - 1.0)), rel=1e-12)
    no_term = {k2: v for k2, v in _defaults().items() if k2 != "do_mg_l"}
    assert (
        degradation_per_h(_defaults(), 1, np.ones(1))[0]
        == degradation_per_h(no_term, 1, np.ones(1))[0]
    )
    one = np.ones(1)
    assert float(oxygen_share_factor(8 * one, 8 * one, 0.37 * one, 1.3 * one)[0]) == 1.0


def test_dissolved_oxygen_is_a_lever_of_thiosulfate_consumption_in_the_shipped_case():
    """carbonaceous_thiosulfate (CaTS RIL): more oxygen, more gold and more CaTS."""
    do = np.array([0.5, 2.0, 4.0, 8.0, 12.0, 20.0])
    f = simulate_batch(CASE, {"units.ril.do_mg_l": do}, workers=1)
    degraded = f["thiosulfate_ril_s2o3_degraded_kg_t"].to_numpy()
    cats = f["thiosulfate_ril_cats_kg_t"].to_numpy()
    recovery = f["gold_recovery_frac"].to_numpy()
    assert np.all(np.diff(degraded) > 0.0) and np.all(np.diff(cats) > 0.0)
    assert np.all(np.diff(recovery) > 0.0)
    # what degrades scales with the oxygen factor (first order at the held tenor)
    assert degraded[-1] / degraded[3] == pytest.approx(1.0 + 0.5 * (20.0 / 8.0 - 1.0), rel=1e-9)
    assert degraded[0] / degraded[3] == pytest.approx(1.0 - 0.5 * (1.0 - 0.5 / 8.0), rel=1e-9)
