"""Default cost curves and equipment sizing: each published curve reproduced at three
points of its range (Towler & Sinnott 2013, Table 7.2: ``a + b S^n`` in January 2010
money), sizing relations checked against their formulas, and every shipped case costed."""

import math

import numpy as np
import pytest

import oreflow
from oreflow.core.cost_curves import ASSUMED, CURVES, PUBLISHED, TOWLER_2013_CEPCI
from oreflow.core.cost_index import CEPCI
from oreflow.flowsheet.case import parse_case
from oreflow.flowsheet.compile import compile_case
from oreflow.solvers.equipment import (
    AGITATION_KW_M3,
    THICKENER_UNIT_AREA,
    cyclone_sizing,
    equipment,
)
from oreflow.solvers.simulate import simulate_plant
from oreflow.units.cyclone import CYCLONE_DP_KPA
from tests.conftest import CASES

# (curve, S, purchased cost [USD, Jan 2010]) worked by hand from the table's a, b, n:
# a + b * S**n at the low end, the middle and the high end of the published range.
TABLE_7_2 = [
    ("centrifugal_pump", 0.2, 8000 + 240 * 0.2**0.9),
    ("centrifugal_pump", 10.0, 8000 + 240 * 7.943282347242815),
    ("centrifugal_pump", 126.0, 8000 + 240 * 126**0.9),
    ("electric_motor", 1.0, -1100 + 2100),
    ("electric_motor", 100.0, -1100 + 2100 * 15.848931924611133),
    ("electric_motor", 2500.0, -1100 + 2100 * 2500**0.6),
    ("cone_roof_tank", 10.0, 5800 + 1600 * 5.011872336272722),
    ("cone_roof_tank", 1000.0, 5800 + 1600 * 125.89254117941672),
    ("cone_roof_tank", 4000.0, 5800 + 1600 * 4000**0.7),
    ("vacuum_drum_filter", 10.0, -73000 + 93000 * 1.9952623149688795),
    ("vacuum_drum_filter", 100.0, -73000 + 93000 * 3.9810717055349722),
    ("vacuum_drum_filter", 180.0, -73000 + 93000 * 180**0.3),
    ("jacketed_agitated_reactor", 0.5, 61500 + 32500 * 0.5**0.8),
    ("jacketed_agitated_reactor", 10.0, 61500 + 32500 * 6.309573444801933),
    ("jacketed_agitated_reactor", 100.0, 61500 + 32500 * 39.810717055349734),
    ("blower", 200.0, 4450 + 57 * 200**0.8),
    ("blower", 1000.0, 4450 + 57 * 251.18864315095797),
    ("blower", 5000.0, 4450 + 57 * 5000**0.8),
    ("centrifugal_compressor", 75.0, 580000 + 20000 * 75**0.6),
    ("centrifugal_compressor", 1000.0, 580000 + 20000 * 63.09573444801933),
    ("centrifugal_compressor", 30000.0, 580000 + 20000 * 30000**0.6),
    ("packaged_boiler", 5000.0, 124000 + 50000),
    ("packaged_boiler", 50000.0, 124000 + 500000),
    ("packaged_boiler", 200000.0, 124000 + 2000000),
    ("vertical_pressure_vessel_cs", 160.0, 11600 + 34 * 160**0.85),
    ("vertical_pressure_vessel_cs", 10000.0, 11600 + 34 * 2511.886431509582),
    ("vertical_pressure_vessel_cs", 250000.0, 11600 + 34 * 250000**0.85),
    ("horizontal_pressure_vessel_cs", 160.0, 10200 + 31 * 160**0.85),
    ("horizontal_pressure_vessel_cs", 10000.0, 10200 + 31 * 2511.886431509582),
    ("horizontal_pressure_vessel_cs", 50000.0, 10200 + 31 * 50000**0.85),
]


@pytest.mark.parametrize(("name", "size", "usd"), TABLE_7_2)
def test_towler_curves_reproduce_table_7_2_at_three_points(name, size, usd):
    curve = PUBLISHED[name]
    assert curve.s_lo <= size <= curve.s_hi
    assert float(curve.cost_usd(size)) == pytest.approx(usd, rel=1e-12)
    assert curve.cepci == TOWLER_2013_CEPCI == 532.9 and not curve.assumed


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_below_its_range_a_curve_scales_by_six_tenths_and_never_goes_negative(name):
    """Towler's motor and drum filter have a negative ``a``: read off ``a + b S^n`` a
    0.4 m² filter cost -2,600 USD. Below ``s_lo`` the cost follows the six-tenths rule
    from its value at ``s_lo``; continuous there, positive, and its log-slope exact."""
    c = PUBLISHED[name]
    lo = c.s_lo
    sizes = lo * np.array([1e-9, 1e-3, 0.05, 0.5, 0.999999])
    cost = c.cost_usd(sizes)
    assert np.all(cost > 0.0)
    at_lo = c.a + c.b * lo**c.n
    np.testing.assert_allclose(cost, at_lo * (sizes / lo) ** 0.6, rtol=1e-12)
    assert float(c.cost_usd(lo)) == pytest.approx(at_lo, rel=1e-15)
    h = 1e-6
    for s in (0.3 * lo, 2.0 * lo):  # below and inside the range
        fd = (c.cost_usd(s * np.exp(h)) - c.cost_usd(s * np.exp(-h))) / (2 * h)
        assert float(c.log_slope_usd(s)) == pytest.approx(float(fd), rel=1e-6)
    assert float(c.cost_usd(0.0)) == 0.0 == float(c.log_slope_usd(0.0))


def test_every_published_curve_is_tested_and_every_other_is_marked_assumed():
    assert {name for name, _, _ in TABLE_7_2} == set(PUBLISHED)
    assert all(c.assumed and c.source.startswith("[assumed]") for c in ASSUMED.values())
    assert set(CURVES) == set(PUBLISHED) | set(ASSUMED)
    # a size of zero is no equipment, not the curve's intercept
    assert float(CURVES["cone_roof_tank"].cost_usd(0.0)) == 0.0


def _sim(name):
    return simulate_plant(compile_case(oreflow.load_case(CASES / f"{name}.toml")), n_cases=1)


def test_cyclone_diameter_follows_arterburn_and_count_covers_the_flow():
    sim = _sim("free_milling_cil")
    s = cyclone_sizing(sim, "cyclone")
    d_cm, count, q = (
        float(s[k][0]) for k in ("cyclone_diameter_cm", "cyclone_count", "cyclone_feed_m3_h")
    )
    d50c = float(sim.params["cyclone"]["d50c_um"][0])
    # back from the diameter to the cut size: 2.84 D^0.66 C1 C2 C3 (rho_l = 1)
    comps = sim.plant.spec.comps
    from oreflow.units.base import solids_volume_m3_h, total_solids

    x = sim.streams["cyclone_feed.out"]
    v_s = float(solids_volume_m3_h(comps, x)[0])
    vol_pct = 100.0 * v_s / q
    rho_s = float(total_solids(comps, x)[0]) / v_s
    c1 = ((53.0 - vol_pct) / 53.0) ** -1.43
    c2 = 3.27 * CYCLONE_DP_KPA**-0.28
    c3 = math.sqrt(1.65 / (rho_s - 1.0))
    assert 2.84 * d_cm**0.66 * c1 * c2 * c3 == pytest.approx(d50c, rel=1e-9)
    per = 0.0094 * d_cm**2 * math.sqrt(CYCLONE_DP_KPA)
    assert (count - 1) * per < q <= count * per
    # a coarser cut needs larger cyclones, hence fewer
    coarse = simulate_plant(
        compile_case(oreflow.load_case(CASES / "free_milling_cil.toml")),
        n_cases=1,
        overrides={"units.cyclone.d50c_um": 110.0},
    )
    big = cyclone_sizing(coarse, "cyclone")
    assert big["cyclone_diameter_cm"][0] > d_cm and big["cyclone_count"][0] < count


def test_tanks_thickener_and_agitators_are_sized_from_the_unit():
    sim = _sim("free_milling_cil")
    items = {(e.unit, e.item): e for e in equipment(sim)}
    tanks, agit = items[("cil", "tanks")], items[("cil", "agitators")]
    assert tanks.count[0] == 7 and tanks.size[0] == pytest.approx(1100.0, rel=1e-3)
    assert agit.size[0] == pytest.approx(tanks.size[0] * AGITATION_KW_M3, rel=1e-12)
    feed_t_d = 24.0 * float(
        sim.streams["cyclone.overflow"][0, : sim.plant.spec.comps.n_solids_comp].sum()
    )
    assert items[("thickener", "thickeners")].size[0] == pytest.approx(
        feed_t_d * THICKENER_UNIT_AREA, rel=1e-9
    )
    cost = tanks.purchased_usd(2023)[0]
    assert cost == pytest.approx(
        7 * (5800 + 1600 * tanks.size[0] ** 0.7) * CEPCI[2023] / 532.9, rel=1e-12
    )


def test_every_shipped_case_gets_a_capital_estimate_without_typed_curves():
    for path in sorted(CASES.glob("*.toml")):
        spec = oreflow.load_case(path)
        if spec.economics is None:  # no prices, no cost figures at all
            continue
        k = oreflow.simulate(spec).kpis
        assert k["capital_usd"] > 1e6, path.name
        assert k["capital_low_usd"] < k["capital_usd"] < k["capital_high_usd"]


def test_a_case_curve_replaces_the_default_for_its_unit_only():
    text = (CASES / "free_milling_cil.toml").read_text(encoding="utf-8")
    base = oreflow.simulate(parse_case(text, "free_milling_cil.toml")).kpis
    own = """
[economics.capital]
cost_year = 2023
[economics.capital.items.mill]
figure = "power_kw"
a_usd = 1000.0
b = 1.0
year = 2023
source = "test curve"
"""
    k = oreflow.simulate(parse_case(text + own, "free_milling_cil.toml")).kpis
    power = 3363.4
    assert k["capital_mill_usd"] == pytest.approx(1000.0 * power, rel=1e-3)
    assert k["capital_cil_usd"] == pytest.approx(base["capital_cil_usd"], rel=1e-12)
    assert np.isfinite(k["capital_usd"])


def test_sizing_figures_are_read_by_name_like_any_unit_figure():
    from oreflow.solvers.unit_figures import UnitFigures

    sim = _sim("free_milling_cil")
    figures = UnitFigures(sim)
    sized = cyclone_sizing(sim, "cyclone")
    assert figures.get("units.cyclone.cyclone_count")[0] == sized["cyclone_count"][0]
    assert figures.get("units.thickener.thickeners_size_m2")[0] > 0
    with pytest.raises(KeyError):
        figures.get("units.cyclone.no_such_figure")
