"""Dissolved oxygen as an optimizer lever: the oxygen it takes is bought, the air blown.

The shipped free-milling CIL case with its dissolved oxygen as a set point and the grid
4/8/16/24/32 mg/L (other modes cut: grind energy 13 kWh/t, cyclone and leach time as
written, cyanide at its 250 mg/L). Up to the level air holds at the tanks' kLa (8.1 mg/L)
the set point is held by blown air (blower power); above it by bought oxygen
(``oxygen_usd_t``, oreflow.units.oxygen_supply). The optimizer's level must equal the
best margin of an enumeration at its ore rate (real HiGHS), and a dearer oxygen must
move it down: at an on-site oxygen price (100 USD/t) the gold the faster leach gains
outweighs the oxygen up to the top of the grid; at 2,000 USD/t (a stress price, above
delivered liquid oxygen) it stops inside the grid.
"""

from pathlib import Path

import numpy as np
import pytest

from tests.validation.lever_optimum import cil_cut_to_one_axis, levels_by_price, with_economics

CASE = Path(__file__).resolve().parents[2] / "cases" / "free_milling_cil.toml"
GRID = [4.0, 8.0, 16.0, 24.0, 32.0]


def _case(tmp_path, oxygen_usd_t):
    text = CASE.read_text(encoding="utf-8")
    text = cil_cut_to_one_axis(text, f"do_mg_l = {GRID}")
    text = text.replace('oxygen_supply = "air"', 'oxygen_supply = "set_point"')
    text = with_economics(text, "oxygen_usd_t", oxygen_usd_t)
    assert f"do_mg_l = {GRID}" in text and 'oxygen_supply = "set_point"' in text
    path = tmp_path / f"cil_do_{oxygen_usd_t:.0f}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.solver
def test_dissolved_oxygen_level_equals_enumeration_and_falls_when_oxygen_is_dearer(tmp_path):
    found = levels_by_price(
        lambda p: _case(tmp_path, p), "units.cil.do_mg_l", GRID, (100.0, 2000.0)
    )
    for _, enum in found.values():
        # the oxygen is priced: the bought oxygen's cost rises with the level
        o2 = enum["cost_item_o2_usd_h"].to_numpy()
        assert o2[0] == 0.0 and o2[1] == 0.0 and np.all(np.diff(o2[1:]) > 0)
    assert found[2000.0][0] < found[100.0][0]
    assert GRID[0] < found[2000.0][0] < GRID[-1]


TS_CASE = CASE.parent / "carbonaceous_thiosulfate.toml"
TS_GRID = [4.0, 8.0, 16.0, 24.0, 32.0]


def _ts_case(tmp_path, oxygen_usd_t):
    text = with_economics(TS_CASE.read_text(encoding="utf-8"), "oxygen_usd_t", oxygen_usd_t)
    text = text.replace(
        "[units.ril.leach.au_free]",
        f"[units.ril.modes]\ndo_mg_l = {TS_GRID}\n\n[units.ril.leach.au_free]",
    )
    path = tmp_path / f"ts_do_{oxygen_usd_t:.0f}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.solver
def test_thiosulfate_oxygen_level_equals_enumeration_and_moves_with_the_oxygen_price(tmp_path):
    """Oxygen speeds the gold and the thiosulfate's oxidation; both, and the oxygen, cost."""
    found = levels_by_price(
        lambda p: _ts_case(tmp_path, p), "units.ril.do_mg_l", TS_GRID, (100.0, 1000.0), None
    )
    assert found[1000.0][0] < found[100.0][0]
    assert TS_GRID[0] < found[1000.0][0] < TS_GRID[-1]
