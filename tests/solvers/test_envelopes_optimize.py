"""Envelope figures as optimizer limits: circulating load, a circuit figure."""

import pytest

from oreflow.api import optimize
from oreflow.flowsheet.case import parse_case
from tests.conftest import CASES

TANKS = '"units.cil.tank_volume_m3" = 1100.0   # each of the 7 installed tanks'


def _case(extra: str):
    text = (CASES / "free_milling_cil.toml").read_text(encoding="utf-8")
    assert TANKS in text
    return parse_case(text.replace(TANKS, TANKS + "\n" + extra), "free_milling_cil.toml")


@pytest.mark.slow
def test_free_milling_optimum_respects_a_circulating_load_limit_and_is_verified():
    free = optimize(_case(""))
    free_cl = free.plan.units.set_index(["unit", "metric"]).loc[
        ("mill", "circulating_load_frac"), "value"
    ]
    assert free_cl > 3.0  # the limit below binds
    assert any("circulating_load_frac" in w for w in free.plan.warnings)
    result = optimize(_case('"units.mill.circulating_load_frac" = 3.0'))
    assert result.status == "optimal"  # model and re-simulation agree
    cl = result.verification.loc["units.mill.circulating_load_frac"]
    assert cl["simulation"] <= 3.0 * (1 + 1e-9)
    assert cl["rel_diff"] <= 1e-6
    # enumeration over every column picks the same plan as the MILP
    enum = result.meta["enumeration"]
    assert enum["column"] == result.decisions["column"]
    assert enum["objective"] == pytest.approx(result.decisions["objective"], rel=1e-9)
    assert result.decisions["objective"] < free.decisions["objective"]
