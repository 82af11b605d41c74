"""Fixed operating cost: the build-up's arithmetic, and every shipped case's fixed cost
(fixed_usd_h plus capital_fixed_frac_y of its capital) equal to the build-up on its own
capital estimate as designed (so neither drifts silently)."""

import pytest

import oreflow
from oreflow.solvers.fixed_costs import (
    OPERATORS_PER_POSITION,
    FixedCostBasis,
    capital_fixed_usd_h,
    fixed_cost_lines_usd_y,
    fixed_cost_usd_h,
    people_usd_h,
)
from tests.conftest import CASES

#: Shift positions each shipped case's header counts.
POSITIONS = {
    "free_milling_cil": 6,
    "free_milling_glycine": 6,
    "free_milling_residue_use": 7,
    "carbonaceous_thiosulfate": 7,
    "copper_gold_sart": 7,
    "copper_gold_avr_or_sart": 7,
    "low_grade_preconcentration": 6,
    "refractory_pox_cil": 8,
    "refractory_route_choice": 8,
    "satellite_concentrator": 10,
    "tailings_retreatment": 6,
    "regional_concentrate_centre": 12,
    "polymetallic_flotation": 9,
}


def test_build_up_by_hand():
    b = FixedCostBasis(capital_usd=100e6, shift_positions=5.0)
    lines = fixed_cost_lines_usd_y(b)
    labour = 5.0 * OPERATORS_PER_POSITION * 70000.0  # 1.68 M
    assert lines["operating_labour"] == pytest.approx(1.68e6)
    people = labour * 1.25 * 1.5
    assert lines["supervision"] + lines["salary_overhead"] + labour == pytest.approx(people)
    assert lines["maintenance"] == pytest.approx(4e6) and lines["insurance"] == pytest.approx(1.5e6)
    assert lines["plant_overhead_ga"] == pytest.approx(0.65 * people)
    total = people * 1.65 + 5.5e6
    assert lines["total"] == pytest.approx(total)
    assert fixed_cost_usd_h(b) == pytest.approx(total / 8059.2)
    # the dearer plant costs more to keep
    assert fixed_cost_usd_h(FixedCostBasis(200e6, 5.0)) > fixed_cost_usd_h(b)


def test_people_and_capital_parts_sum_to_the_build_up():
    b = FixedCostBasis(capital_usd=80e6, shift_positions=8.0)
    lines = fixed_cost_lines_usd_y(b)
    people = lines["total"] - lines["maintenance"] - lines["insurance"]
    assert people_usd_h(b) * b.operating_h_y == pytest.approx(people)
    assert capital_fixed_usd_h(0.055, 80e6, b.operating_h_y) * b.operating_h_y == pytest.approx(
        lines["maintenance"] + lines["insurance"]
    )
    # the people part does not move with the capital
    assert people_usd_h(FixedCostBasis(160e6, 8.0)) == pytest.approx(people_usd_h(b))


@pytest.mark.parametrize("name", sorted(POSITIONS))
def test_shipped_fixed_cost_is_its_build_up(name):
    """Each case's header: fixed_usd_h is the people part of the build-up on its capital
    as designed, and the run's whole fixed cost (with maintenance and insurance on the
    capital) is the build-up's total."""
    spec = oreflow.load_case(CASES / f"{name}.toml")
    k = oreflow.simulate(spec).kpis
    basis = FixedCostBasis(float(k["capital_usd"]), POSITIONS[name])
    p = spec.economics.params
    assert p["fixed_usd_h"] == pytest.approx(people_usd_h(basis), abs=0.006)
    assert p["capital_fixed_frac_y"] == pytest.approx(
        basis.maintenance_frac_y + basis.insurance_frac_y
    )
    built = fixed_cost_usd_h(basis)
    assert k["cost_fixed_usd_h"] == pytest.approx(built, abs=0.03)
    assert k["cost_fixed_usd_h"] == pytest.approx(
        p["fixed_usd_h"] + k["cost_fixed_capital_usd_h"], rel=1e-12
    )
    assert k["cost_fixed_capital_usd_h"] > 0
    # C1 counts the fixed cost: it is the operating cost per oz less by-product credits
    if "revenue_pb_usd_h" not in k:
        oz_h = k["gold_produced_g_h"] / 31.1034768
        assert k["c1_usd_oz"] >= k["cost_fixed_usd_h"] / oz_h - 1e-9
    else:  # a base-metal plant: lead and zinc credits may exceed every cost (C1 < 0)
        oz_h = (
            sum(
                k[f"conc_{p}_au_gpt"] * k[f"conc_{p}_dmt_h"]
                for p in spec.economics.concentrate_terms
            )
            / 31.1034768
        )
        credits = sum(k[f"revenue_{m}_usd_h"] for m in ("ag", "cu", "pb", "zn"))
        assert k["c1_usd_oz"] * oz_h >= k["cost_fixed_usd_h"] - credits - 1e-6


def test_every_shipped_case_with_economics_has_a_fixed_cost():
    for path in sorted(CASES.glob("*.toml")):
        spec = oreflow.load_case(path)
        if spec.economics is not None:
            assert path.stem in POSITIONS
