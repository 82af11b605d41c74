"""Heating a leach or adsorption train above its feed's temperature is charged as steam.

``oreflow.units.slurry_heat``: the pulp fed at ``feed_temp_c`` (cil/cip) or
``feed_temperature_degc`` (thiosulfate) takes ``(ṁ_w 4.18 + ṁ_s 0.8) kJ/(kg K) · ΔT`` to
reach the set temperature (``heat_duty_kw``, priced at ``steam_usd_mwh``); none at or
below the feed's. On the shipped free-milling CIL case a warmer slurry recovers more gold
(0.8726 at 25 °C, 0.8817 at 60 °C) and now pays for its steam, so the optimizer's
temperature is interior, checked by enumeration, and falls when steam is dearer.
"""

from pathlib import Path

import numpy as np
import pytest

from oreflow.api import simulate, simulate_batch
from oreflow.units import UNIT_TYPES
from tests.validation.lever_optimum import cil_cut_to_one_axis, levels_by_price, with_economics

CASES = Path(__file__).resolve().parents[2] / "cases"
CIL = CASES / "free_milling_cil.toml"
THIO = CASES / "carbonaceous_thiosulfate.toml"
GRID = [25.0, 35.0, 45.0, 60.0]


def _heat_kw(case, unit, **over):
    units = simulate(case, overrides={f"units.{unit}.{k}": v for k, v in over.items()}).units
    row = units[(units["unit"] == unit) & (units["metric"] == "heat_duty_kw")]
    return float(row["value"].iloc[0])


def test_cil_heat_duty_is_linear_in_the_rise_and_nil_at_or_below_the_feed():
    temps = np.array([20.0, 25.0, 40.0, 60.0])
    out = simulate_batch(CIL, {"units.cil.temp_c": temps}, workers=1)
    steam = out["cost_steam_usd_h"].to_numpy()
    assert steam[0] == 0.0 and steam[1] == 0.0  # at or below the 25 °C feed: no heat
    assert np.all(np.diff(steam[1:]) > 0.0)
    assert steam[3] / steam[2] == pytest.approx(35.0 / 15.0, rel=1e-9)  # Q ∝ ΔT
    h40, h60 = _heat_kw(CIL, "cil", temp_c=40.0), _heat_kw(CIL, "cil", temp_c=60.0)
    assert steam[3] == pytest.approx(h60 * 40.0 / 1000.0, rel=1e-9)  # 40 USD/MWh default
    # a colder feed: 25 °C in the tanks takes what 35 °C takes from a 25 °C feed
    assert _heat_kw(CIL, "cil", feed_temp_c=15.0) == pytest.approx(
        _heat_kw(CIL, "cil", temp_c=35.0), rel=1e-12
    )
    assert h60 > h40 > 0.0


def test_thiosulfate_leach_takes_heat_only_above_its_feed():
    unit = "ril"
    assert _heat_kw(THIO, unit) == 0.0  # the shipped case: 25 °C in, 25 °C leach
    h40 = _heat_kw(THIO, unit, temperature_degc=40.0)
    h60 = _heat_kw(THIO, unit, temperature_degc=60.0)
    assert h60 / h40 == pytest.approx(35.0 / 15.0, rel=1e-9) and h40 > 0.0


def _case(tmp_path, steam_usd_mwh):
    text = CIL.read_text(encoding="utf-8")
    text = cil_cut_to_one_axis(text, f"temp_c = {GRID}")
    text = with_economics(text, "steam_usd_mwh", steam_usd_mwh)
    path = tmp_path / f"cil_steam_{steam_usd_mwh:g}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.solver
def test_optimizer_slurry_temperature_equals_enumeration_and_falls_with_the_steam_price(tmp_path):
    found = levels_by_price(lambda p: _case(tmp_path, p), "units.cil.temp_c", GRID, (20.0, 40.0))
    assert found[40.0][0] < found[20.0][0]
    assert GRID[0] < found[40.0][0]  # interior: warmer pays at 40 USD/MWh, not all the way


def _heat_warnings(case, **over):
    return [
        w for w in simulate(case, overrides=over).warnings if "streams carry no temperature" in w
    ]


def test_a_heated_unit_behind_a_hotter_one_warns_to_set_its_feed_temperature():
    # streams carry no temperature: the RIL at 40 °C behind the 225 °C autoclave is
    # charged steam from its 25 °C feed parameter, and the run says so
    assert _heat_warnings(THIO) == []  # shipped: 25 °C leach, no heat charged
    (line,) = _heat_warnings(THIO, **{"units.ril.temperature_degc": 40.0})
    assert "units.ril" in line and "units.pox" in line and "225" in line
    assert "units.ril.feed_temperature_degc" in line
    set_feed = {"units.ril.temperature_degc": 40.0, "units.ril.feed_temperature_degc": 40.0}
    assert _heat_warnings(THIO, **set_feed) == []  # set deliberately: no warning, no steam
    assert _heat_kw(THIO, "ril", temperature_degc=40.0, feed_temperature_degc=40.0) == 0.0
    # a CIL at 40 °C behind the POX of refractory_pox_cil, the same
    pox_cil = CASES / "refractory_pox_cil.toml"
    (line,) = _heat_warnings(pox_cil, **{"units.cil.temp_c": 40.0})
    assert "units.cil.feed_temp_c" in line and "units.pox" in line
    assert _heat_warnings(CIL, **{"units.cil.temp_c": 40.0}) == []  # nothing hot upstream


def test_the_feed_temperature_reaches_the_unit_s_own_set_temperature(tmp_path):
    # the thiosulfate leach runs up to 100 °C: a feed at 90 °C into 90 °C tanks is valid
    # (the feed parameter's range was 0-80 °C, and such a case exited 2)
    for utype, feed, held in (
        ("thiosulfate_ril", "feed_temperature_degc", "temperature_degc"),
        ("cil", "feed_temp_c", "temp_c"),
        ("cip", "feed_temp_c", "temp_c"),
    ):
        his = {p.name: p.hi for p in UNIT_TYPES[utype].params}
        assert his[feed] == his[held], utype
    text = THIO.read_text(encoding="utf-8").replace(
        'type = "thiosulfate_ril"\n',
        'type = "thiosulfate_ril"\ntemperature_degc = 90.0\nfeed_temperature_degc = 90.0\n',
    )
    path = tmp_path / "thio_90.toml"
    path.write_text(text, encoding="utf-8")
    units = simulate(path).units
    row = units[(units["unit"] == "ril") & (units["metric"] == "heat_duty_kw")]
    assert float(row["value"].iloc[0]) == 0.0
