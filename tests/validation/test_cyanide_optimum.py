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

import numpy as np
import pytest

from oreflow.api import optimize, simulate_batch

CASE = Path(__file__).resolve().parents[2] / "cases" / "free_milling_cil.toml"
GRID = [100.0, 150.0, 200.0, 300.0]


def _case(tmp_path, nacn_usd_kg):
    text = CASE.read_text(encoding="utf-8")
    text = re.sub(r"specific_energy_kwh_t = \[[^\]]*\]", "specific_energy_kwh_t = [13.0]", text)
    text = text.replace(
        "design_p80_um = 75.0\n", "design_p80_um = 75.0\nspecific_energy_kwh_t = 13.0\n"
    )
    text = re.sub(r"\[units\.cyclone\.modes\][^\n]*\n[^\n]*\n", "", text)
    text = re.sub(r"residence_h = \[[^\]]*\]\n", "", text)
    text = re.sub(r"nacn = 2\.80 ", f"nacn = {nacn_usd_kg:.2f} ", text)
    assert f"nacn = {nacn_usd_kg:.2f}" in text
    path = tmp_path / f"cil_nacn_{nacn_usd_kg:.2f}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.solver
def test_cyanide_level_is_interior_and_falls_when_cyanide_is_dearer(tmp_path):
    chosen = {}
    for price in (2.80, 8.00):
        case = _case(tmp_path, price)
        result = optimize(case)
        assert result.status == "optimal"
        level = result.decisions["modes"]["units.cil.nacn_mg_l"]
        ore = result.decisions["ore_tph"]
        enum = simulate_batch(
            case, {"units.cil.nacn_mg_l": np.array(GRID), "ore.main.rate_tph": ore}
        )
        ok = enum["tailings_wad_cn_mg_l"].to_numpy() <= 50.0 + 1e-9
        margin = np.where(ok, enum["margin_usd_h"].to_numpy(), -np.inf)
        assert GRID[int(np.argmax(margin))] == level
        assert result.decisions["objective"] == pytest.approx(float(margin.max()), rel=1e-6)
        assert GRID[0] < level < GRID[-1]
        chosen[price] = level
    assert chosen[8.00] < chosen[2.80]
