"""The regional case: three satellite concentrators feeding one concentrate-treatment centre.

The optimizer chooses each satellite's ore rate (the blend of three sources), the
centre's oxidation route and settings, under the centre's capacity in t/d and the
plan's least scales; the plan is checked against the enumeration independent of HiGHS
and against re-simulation.
"""

from pathlib import Path

import pytest

from oreflow.flowsheet.case import parse_case
from oreflow.solvers.optimize import optimize

ROOT = Path(__file__).resolve().parents[2]
PATH = ROOT / "cases" / "regional_concentrate_centre.toml"
CASE = PATH.read_text(encoding="utf-8")
CAPACITY = '"units.pox.site_feed_tph" = 11.0'
SATELLITES = ("ore.north", "ore.east", "ore.south")
CONCENTRATOR_MIN_TPH = 500.0 / 24.0  # oreflow.units.scale_rules, China
CENTRE_MIN_TPH = 200.0 / 24.0

pytestmark = pytest.mark.solver


def run(text: str):
    return optimize(parse_case(text, str(PATH)))


@pytest.fixture(scope="module")
def shipped():
    return run(CASE)


def _check_plan(result, capacity_tph: float) -> None:
    assert result.status == "optimal"
    # the MILP's plan equals the enumeration of every column's vertices
    enum = result.meta["enumeration"]
    assert enum["column"] == result.decisions["column"]
    assert enum["objective"] == pytest.approx(result.decisions["objective"], rel=1e-7)
    for ore in SATELLITES:
        assert enum["source_tph"][ore] == pytest.approx(
            result.decisions["blend_tph"][ore], rel=1e-6, abs=1e-6
        )
    # and the re-simulated plan reproduces the model
    assert result.meta["max_rel_diff"] <= 1e-6
    assert result.plan.kpis["closure_max_rel"] <= 1e-9
    # the plan's scale rules hold (re-simulated figures): every satellite concentrator
    # shut or at least 500 t/d, the centre at least 200 t/d and at most its capacity
    simulated = result.verification["simulation"]
    shut = result.decisions["closed_sources"]
    for sat in ("north", "east", "south"):
        feed = simulated[f"units.{sat}_flotation.site_feed_tph"]
        if f"ore.{sat}" in shut:
            assert feed == 0.0 and result.decisions["blend_tph"][f"ore.{sat}"] == 0.0
        else:
            assert feed >= CONCENTRATOR_MIN_TPH * (1 - 1e-9)
    centre = simulated["units.pox.site_feed_tph"]
    assert CENTRE_MIN_TPH <= centre <= capacity_tph * (1 + 1e-9)
    assert not [w for w in result.plan.warnings if "least scale" in w or "envelope" in w]


def test_the_shipped_plan_fills_the_centre_and_verifies(shipped):
    _check_plan(shipped, 11.0)
    blend = shipped.decisions["blend_tph"]
    bounds = {"ore.north": 45.0, "ore.east": 60.0, "ore.south": 40.0}
    for ore, hi in bounds.items():
        assert -1e-9 <= blend[ore] <= hi + 1e-9
    # the centre, not the mines, limits the region: it binds with a positive price
    prices = shipped.shadow_prices.set_index("limit")
    cap = prices.loc["constraints.max.units.pox.site_feed_tph"]
    assert cap["binding"] and cap["shadow_price"] > 0.0
    assert shipped.verification.loc["units.pox.site_feed_tph", "simulation"] == pytest.approx(
        11.0, rel=1e-9
    )
    # the route choice: the three oxidation routes are feasible; roasting earns most here
    # (no oxygen bought, acid sold); with maintenance and insurance on each route's own
    # capital BIOX (tanks) then earns more than the autoclave (autoclave, oxygen plant and
    # boiler), which came second while one fixed cost served every route
    routes = shipped.routes.set_index("pox")
    assert routes["feasible"].all()
    assert routes.loc["roast", "objective"] == pytest.approx(shipped.decisions["objective"])
    assert routes.loc["as written", "objective"] < routes.loc["biox", "objective"]
    assert routes.loc["biox", "objective"] < routes.loc["roast", "objective"]
    assert routes.loc["biox", "cost_fixed_usd_h"] < routes.loc["as written", "cost_fixed_usd_h"]
    # the poorest, second farthest ore is the one held back
    assert blend["ore.east"] < bounds["ore.east"] - 1.0
    assert shipped.plan.kpis["cost_haulage_usd_h"] > 0.0


def test_a_smaller_centre_binds_harder(shipped):
    """Lowering the capacity lowers the margin and does not lower its shadow price (LP value
    concave in the right-hand side). No satellite shuts: without east (north and south at
    their mine plans) the centre would treat 195.8 t/d, below its least scale of 200 t/d."""
    small = run(CASE.replace(CAPACITY, '"units.pox.site_feed_tph" = 9.0'))
    _check_plan(small, 9.0)
    assert small.decisions["closed_sources"] == []
    prices = small.shadow_prices.set_index("limit")
    cap = prices.loc["constraints.max.units.pox.site_feed_tph"]
    assert cap["binding"]
    big_price = shipped.shadow_prices.set_index("limit").loc[
        "constraints.max.units.pox.site_feed_tph", "shadow_price"
    ]
    assert cap["shadow_price"] >= big_price * (1 - 1e-9) > 0.0
    drop = shipped.decisions["objective"] - small.decisions["objective"]
    assert drop > 0.0
    # the drop is bounded by the two ends' marginal values over the 2 t/h removed
    assert big_price * 2.0 * (1 - 1e-6) <= drop <= cap["shadow_price"] * 2.0 * (1 + 1e-6)
    total = sum(small.decisions["blend_tph"].values())
    assert total < sum(shipped.decisions["blend_tph"].values())


def test_dearer_haulage_moves_ore_away_from_that_satellite(shipped):
    """A far dearer haul from the south satellite: the plan shuts it (9,045 USD/h with
    south held at 500 t/d before the shut-down binary, 13,306 USD/h with south shut and
    east at 51.1 t/h).

    South's concentrate (about 40 g/t, as north's) is nearly twice as rich as east's
    (about 21 g/t), so the centre's capacity goes to it first; only a haul costing more
    than that difference in value per tonne (3,000 USD/t here, far beyond any road
    rate) makes east's concentrate the better use of the centre.
    """
    text = CASE.replace(
        "distance_km = 220.0\nusd_t_km = 0.15\nhaulage_usd_t = 4.0",
        "distance_km = 220.0\nusd_t_km = 0.15\nhaulage_usd_t = 3000.0",
    )
    assert text != CASE
    far = run(text)
    _check_plan(far, 11.0)
    before, after = shipped.decisions["blend_tph"], far.decisions["blend_tph"]
    assert after["ore.south"] < before["ore.south"] - 1.0
    assert far.decisions["closed_sources"] == ["ore.south"]
    assert after["ore.east"] > before["ore.east"] + 1.0


def test_roasting_is_weighed_with_its_acid_credit_and_its_oxygen(shipped):
    """Without the acid credit roasting loses exactly the acid it sold times its price;
    with oxygen free the autoclave gains its oxygen bill (about 730 USD/h) and roasting,
    which buys none in air, gains only the oxygen its CIL buys to hold 8 mg/L against the
    calcine's uptake (a few USD/h, oreflow.units.oxygen_supply)."""
    u = shipped.plan.units.query("unit == 'pox'").set_index("metric")["value"]
    acid_kg_h = u["acid_sold_kg_h"]
    assert acid_kg_h > 0.0
    # the roaster is costed on its curve by the solids fed (2023 USD), times Lang's 3.63
    roaster = 4.42e6 * u["solids_in_tph"] ** 0.6 * 3.63
    assert shipped.plan.kpis["capital_pox_usd"] == pytest.approx(roaster, rel=1e-9)
    no_credit = run(CASE.replace("sulfuric_acid = 0.04 ", "sulfuric_acid = 0.0 "))
    _check_plan(no_credit, 11.0)
    r0 = shipped.routes.set_index("pox")
    r1 = no_credit.routes.set_index("pox")
    assert r1.loc["roast", "objective"] == pytest.approx(
        r0.loc["roast", "objective"] - 0.04 * acid_kg_h, rel=1e-6
    )
    assert r1.loc["as written", "objective"] == pytest.approx(r0.loc["as written", "objective"])
    free_o2 = run(CASE.replace("oxygen_usd_t = 100.0 ", "oxygen_usd_t = 0.0 "))
    _check_plan(free_o2, 11.0)
    r2 = free_o2.routes.set_index("pox")
    assert r2.loc["as written", "objective"] > r0.loc["as written", "objective"]
    roast_gain = r2.loc["roast", "objective"] - r0.loc["roast", "objective"]
    pox_gain = r2.loc["as written", "objective"] - r0.loc["as written", "objective"]
    assert 0.0 <= roast_gain < 0.02 * pox_gain
