"""The unit contract: a unit type defined outside oreflow runs through a case unchanged.

The toy type below lives in this test module only. It is passed to ``load_case``
explicitly, and everything downstream (validation of its required species, the case
reference, the KPI family it joins, the economics pricing its consumable) reads its
declarations; no file of oreflow names it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest

import oreflow
from oreflow.core.components import ComponentSet
from oreflow.core.schema import positive
from oreflow.errors import CaseError
from oreflow.flowsheet.case import parse_case
from oreflow.flowsheet.economics import REAGENT_PRICES, default_prices
from oreflow.report.casedoc import case_reference_markdown
from oreflow.units import UNIT_TYPES, registry
from oreflow.units.base import KPI_FAMILIES, Price, UnitResult, UnitSpec, UnitType, total_solids


class _WashState(NamedTuple):
    wash_t_t: np.ndarray
    polymer_kg_t: np.ndarray


class _WashTank:
    """Adds wash water in proportion to the solids and doses a polymer."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.i_water = comps.solution_offset("water")

    def prepare(self, params: Mapping[str, np.ndarray], ctx: object) -> _WashState:
        return _WashState(params["wash_t_t"], params["polymer_kg_t"])

    def apply(self, state: _WashState, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        (feed,) = inlets
        solids = total_solids(self.comps, feed)
        added = np.zeros_like(feed)
        added[:, self.i_water] = state.wash_t_t * solids
        metrics = {
            "wash_water_m3_h": added[:, self.i_water].copy(),
            "use_toy_polymer_kg_h": state.polymer_kg_t * solids,
        }
        return UnitResult((feed + added,), added=added, metrics=metrics)


WASH_TANK = UnitType(
    name="toy_wash_tank",
    summary="a test-only unit: wash water and a polymer in proportion to the solids",
    inlets=("feed",),
    outlets=("out",),
    params=(
        positive("wash_t_t", "t/t", 0.5, "wash water per t of solids", "test value"),
        positive("polymer_kg_t", "kg/t", 0.2, "polymer per t of solids", "test value"),
    ),
    build=_WashTank,
    requires=("water",),
    kpi_families=("ccd_wash",),
    prices={"toy_polymer": Price(7.0, "test value")},
)

_CASE = """
[case]
name = "toy"
solids = ["gangue", "au_free"]
solution = ["water"]

[case.sizes]
top_um = 1000.0
n_classes = 4

[ore.main]
rate_tph = 100.0
moisture_frac = 0.5
au_gpt = 2.0
wi_kwh_t = 14.0
[ore.main.psd]
model = "rrb"
f80_um = 300.0
n = 1.0

[units.wash]
type = "toy_wash_tank"
inlets.feed = "ore.main"
wash_t_t = 0.4
polymer_kg_t = 0.25

[units.tails]
type = "tailings"
inlets.feed = "wash.out"
"""


@pytest.fixture
def toy_case(tmp_path):
    path = tmp_path / "toy.toml"
    path.write_text(_CASE + "\n[economics]\n", encoding="utf-8")
    return path


def test_a_type_outside_the_registry_is_unknown_unless_passed(toy_case):
    with pytest.raises(CaseError) as info:
        oreflow.load_case(toy_case)
    assert any(p.key == "units.wash.type" for p in info.value.problems)
    assert "toy_wash_tank" not in UNIT_TYPES  # passing it never registers it globally
    spec = oreflow.load_case(toy_case, unit_types=[WASH_TANK])
    assert spec.unit_type("wash") is WASH_TANK
    assert "toy_wash_tank" not in UNIT_TYPES


def test_the_toy_unit_runs_and_its_declarations_reach_kpis_and_economics(toy_case):
    spec = oreflow.load_case(toy_case, unit_types=[WASH_TANK])
    result = oreflow.simulate(spec)
    k = result.kpis
    # the KPI family: wash water per t of ore, 0.4 t/t of solids, 100 t/h of ore
    assert k["ccd_wash_water_m3_t"] == pytest.approx(0.4, rel=1e-12)
    # the priced item: 0.25 kg/t x 100 t/h x USD 7/kg, a default price
    assert k["use_toy_polymer_kg_t"] == pytest.approx(0.25, rel=1e-12)
    assert k["cost_item_toy_polymer_usd_h"] == pytest.approx(0.25 * 100.0 * 7.0, rel=1e-12)
    given = toy_case.read_text(encoding="utf-8") + "reagent_usd_kg.toy_polymer = 1.0\n"
    toy_case.write_text(given, encoding="utf-8")
    priced = oreflow.simulate(oreflow.load_case(toy_case, unit_types=[WASH_TANK])).kpis
    assert priced["cost_item_toy_polymer_usd_h"] == pytest.approx(25.0, rel=1e-12)
    assert priced["economics_assumed_count"] == k["economics_assumed_count"] - 1


def test_a_required_species_missing_is_one_problem_naming_the_unit():
    text = _CASE.replace('solution = ["water"]', 'solution = ["au_aq"]')
    with pytest.raises(CaseError) as info:
        parse_case(text, "toy.toml", [WASH_TANK])
    mine = [p for p in info.value.problems if p.key == "units.wash"]
    assert len(mine) == 1 and "'water'" in mine[0].message


def test_the_reference_and_default_prices_list_the_extra_type():
    text = case_reference_markdown(registry([WASH_TANK]))
    assert '`type = "toy_wash_tank"`' in text
    assert "`toy_polymer`" in text and "Needs the species `water`" in text
    assert "toy_wash_tank" not in case_reference_markdown()
    assert default_prices([WASH_TANK])["toy_polymer"] == (7.0, "test value")


def test_builtin_declarations_are_consistent():
    """Every family is known, prices agree between types, every price has a source."""
    for utype in UNIT_TYPES.values():
        assert set(utype.kpi_families) <= set(KPI_FAMILIES), utype.name
        for item, price in utype.prices.items():
            assert price.source, f"{utype.name}: {item} has no source"
    assert default_prices(UNIT_TYPES.values()) == REAGENT_PRICES
    with pytest.raises(ValueError, match="price"):
        default_prices([WASH_TANK, _with_price(WASH_TANK, 8.0)])
    with pytest.raises(ValueError, match="already registered"):
        registry([UNIT_TYPES["mixer"]])


def _with_price(utype: UnitType, usd_kg: float) -> UnitType:
    import dataclasses

    return dataclasses.replace(
        utype, name="toy_other", prices={"toy_polymer": Price(usd_kg, "other")}
    )


# --- declarations that replaced type names elsewhere -------------------------------------

_CASES = Path(__file__).resolve().parents[2] / "cases"


def _renamed(path: Path, old: str, utype: UnitType) -> str:
    text = path.read_text(encoding="utf-8")
    assert f'type = "{old}"' in text
    return text.replace(f'type = "{old}"', f'type = "{utype.name}"')


def test_a_renamed_cyanide_free_route_reports_its_kpis_from_its_declaration(tmp_path):
    import dataclasses

    toy = dataclasses.replace(UNIT_TYPES["glycine_leach"], name="toy_glycine")
    path = tmp_path / "toy_glycine.toml"
    path.write_text(
        _renamed(_CASES / "free_milling_glycine.toml", "glycine_leach", toy), encoding="utf-8"
    )
    toy_kpis = oreflow.simulate(oreflow.load_case(path, unit_types=[toy])).kpis
    kpis = oreflow.simulate(_CASES / "free_milling_glycine.toml").kpis
    route = {k: v for k, v in kpis.items() if k.startswith("glycine_leach_")}
    assert "glycine_leach_glycine_make_up_kg_t" in route
    for key, value in route.items():
        assert toy_kpis[key.replace("glycine_leach_", "toy_glycine_", 1)] == value
    with pytest.raises(ValueError, match="route_kpis"):
        dataclasses.replace(toy, route_kpis=None)


def test_tear_preference_and_route_words_come_from_the_declarations(tmp_path):
    import dataclasses

    from oreflow.flowsheet.compile import compile_case
    from oreflow.report.words import route_words

    toy = dataclasses.replace(UNIT_TYPES["mixer"], name="toy_mixer")
    loop = _CASE.split("[units.wash]")[0] + (
        '[units.mix]\ntype = "toy_mixer"\ninlets.fresh = "ore.main"\ninlets.back = "spl.back"\n'
        '[units.aa]\ntype = "thickener"\ninlets.feed = "mix.out"\n'
        '[units.spl]\ntype = "splitter"\ninlets.feed = "aa.overflow"\n'
        "fractions.back = 0.5\nfractions.out = 0.5\n"
        '[units.tails]\ntype = "tailings"\ninlets.feed = "aa.underflow"\n'
        '[units.water]\ntype = "tailings"\ninlets.feed = "spl.out"\n'
    )
    path = tmp_path / "loop.toml"
    path.write_text(loop, encoding="utf-8")

    def tears(utype: UnitType) -> list[str]:
        plant = compile_case(oreflow.load_case(path, unit_types=[utype]))
        return [s for b in plant.topology.blocks for s in b.tears]

    # the stream entering the mixer is torn, not the first by name
    assert tears(toy) == ["spl.back"]
    assert tears(dataclasses.replace(toy, tear_inlets=False)) == ["aa.overflow"]

    worded = dataclasses.replace(UNIT_TYPES["cil"], name="toy_cil", route_word="toy leach")
    cil_path = tmp_path / "toy_cil.toml"
    cil_path.write_text(_renamed(_CASES / "free_milling_cil.toml", "cil", worded), encoding="utf-8")
    cil_spec = oreflow.load_case(cil_path, unit_types=[worded])
    assert route_words(cil_spec, {"cil": ""}) == "whole ore -> toy leach"


def test_a_toy_type_gets_feed_pumping_and_equipment_by_declaration_alone(toy_case):
    """Pumping power and equipment sizing follow ``UnitType.pumping`` / ``.sizing``."""
    import dataclasses

    from oreflow.flowsheet.compile import compile_case
    from oreflow.solvers.equipment import equipment
    from oreflow.solvers.simulate import simulate_plant
    from oreflow.solvers.utilities import PUMP_EFFICIENCY, utility_power_kw
    from oreflow.units.base import Pumping, Sizing, solids_volume_m3_h, water

    def run(utype: UnitType):
        return simulate_plant(
            compile_case(oreflow.load_case(toy_case, unit_types=[utype])), n_cases=1
        )

    bare = run(WASH_TANK)
    assert "wash" not in utility_power_kw(bare)
    assert not [e for e in equipment(bare) if e.unit == "wash"]

    pumped = dataclasses.replace(
        WASH_TANK,
        pumping=Pumping(head_m=15.0, pressure_kpa=50.0, pressure_metric="toy_pressure_kpa"),
        sizing=Sizing("feed", curve="screen"),
    )
    sim = run(pumped)
    # by hand: the ore feed pulp (100 t/h solids, 100 t/h water) lifted 15 m against 50 kPa
    comps = sim.plant.spec.comps
    x = sim.streams["ore.main"]
    q = float(solids_volume_m3_h(comps, x)[0] + water(comps, x)[0])
    rho = 200.0 / q
    by_hand = q / 3600.0 * (50.0 + rho * 9.81 * 15.0) / PUMP_EFFICIENCY
    kw = utility_power_kw(sim)
    assert kw["wash"][0] == pytest.approx(by_hand, rel=1e-12)
    assert 5.0 < by_hand < 50.0  # some 130 m3/h of pulp: tens of kW
    # the tailings keep their own declared pump, unchanged by the toy's
    assert kw["tails"][0] == pytest.approx(utility_power_kw(bare)["tails"][0], rel=1e-12)
    (item,) = [e for e in equipment(sim) if e.unit == "wash"]
    assert (item.item, item.curve.name) == ("screen", "screen")
    assert item.size[0] == pytest.approx(100.0, rel=1e-12)
    with pytest.raises(ValueError, match="sizing kind"):
        Sizing("toy_kind")


def test_every_sizing_kind_has_a_sizer_and_every_built_in_sizing_a_curve():
    from oreflow.core.cost_curves import CURVES
    from oreflow.solvers.equipment import SIZERS
    from oreflow.units.base import SIZING_KINDS

    assert set(SIZERS) == set(SIZING_KINDS)
    sized = {t.name: t.sizing for t in UNIT_TYPES.values() if t.sizing is not None}
    assert {"ball_mill", "hydrocyclone", "cil", "elution", "screen"} <= set(sized)
    for name, how in sized.items():
        if how.kind in ("metric", "feed"):
            assert how.curve in CURVES, name
    pumped = {t.name for t in UNIT_TYPES.values() if t.pumping is not None}
    assert pumped == {"hydrocyclone", "tailings"}
