"""The optimizer on the shipped free-milling CIL case chooses an interior cyanide level,
and a dearer cyanide moves it down; both answers are checked by enumeration.

The grid of the case is cut to the cyanide axis (grind energy 13 kWh/t, cyclone cut and
leach time as written) so the
test stays quick; the ore rate is still chosen by the optimizer. Enumeration: every
cyanide level simulated at the chosen ore rate; the chosen level must have the largest
margin among those that keep the plant within its limits.
"""

import re
from pathlib import Path

import pytest

from tests.validation.lever_optimum import cil_cut_to_one_axis, levels_by_price

CASE = Path(__file__).resolve().parents[2] / "cases" / "free_milling_cil.toml"
GRID = [100.0, 150.0, 200.0, 300.0]


def _case(tmp_path, nacn_usd_kg):
    text = CASE.read_text(encoding="utf-8")
    text = cil_cut_to_one_axis(text)
    text = re.sub(r"nacn = 2\.80 ", f"nacn = {nacn_usd_kg:.2f} ", text)
    assert f"nacn = {nacn_usd_kg:.2f}" in text
    path = tmp_path / f"cil_nacn_{nacn_usd_kg:.2f}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.solver
def test_cyanide_level_is_interior_and_falls_when_cyanide_is_dearer(tmp_path):
    found = levels_by_price(lambda p: _case(tmp_path, p), "units.cil.nacn_mg_l", GRID, (2.80, 8.00))
    assert all(GRID[0] < level < GRID[-1] for level, _ in found.values())
    assert found[8.00][0] < found[2.80][0]
