"""`optimize` on the polymetallic case: grind, depressant, activator and regrind chosen by HiGHS.

The plan must equal the enumeration of every column (independent of HiGHS) and its
re-simulation; dearer reagents move the chosen doses down, and the mill's installed
draw bounds the grind.
"""

from pathlib import Path

import pytest

from oreflow.flowsheet.case import parse_case
from oreflow.solvers.optimize import optimize

PATH = Path(__file__).resolve().parents[2] / "cases" / "polymetallic_flotation.toml"
CASE = PATH.read_text(encoding="utf-8")
ZNSO4 = "units.pb_rougher.znso4_g_t"
CUSO4 = "units.zn_rougher.cuso4_g_t"
GRIND = "units.mill.target_p80_um"
REGRIND = "units.pb_regrind.target_p80_um"

pytestmark = pytest.mark.solver


def run(text: str):
    return optimize(parse_case(text, str(PATH)))


@pytest.fixture(scope="module")
def shipped():
    return run(CASE)


def test_the_plan_equals_the_enumeration_and_its_simulation(shipped):
    assert shipped.status == "optimal"
    enum = shipped.meta["enumeration"]
    assert enum["column"] == shipped.decisions["column"]
    assert enum["objective"] == pytest.approx(shipped.decisions["objective"], rel=1e-7)
    assert shipped.meta["max_rel_diff"] <= 1e-6
    assert shipped.plan.kpis["closure_max_rel"] <= 1e-9
    modes = shipped.decisions["modes"]
    # every lever is a real decision: the depressant, the activator and the regrind sit
    # inside their grids, and the grind is held by the mill's installed draw
    assert 0.0 < modes[ZNSO4] < 2500.0
    assert 0.0 < modes[CUSO4] < 1000.0
    assert 25.0 < modes[REGRIND] < 75.0
    assert modes[GRIND] > 38.0
    assert shipped.verification["simulation"]["units.mill.power_kw"] <= 800.0 * (1 + 1e-9)


def test_dearer_reagents_are_dosed_less(shipped):
    modes = shipped.decisions["modes"]
    dear = run(
        CASE.replace("znso4 = 0.90 ", "znso4 = 9.00 ").replace("cuso4 = 3.00 ", "cuso4 = 30.00 ")
    )
    assert dear.meta["enumeration"]["column"] == dear.decisions["column"]
    assert dear.decisions["modes"][ZNSO4] < modes[ZNSO4]
    assert dear.decisions["modes"][CUSO4] < modes[CUSO4]
    assert dear.decisions["objective"] < shipped.decisions["objective"]


def test_a_larger_mill_grinds_finer(shipped):
    big = run(CASE.replace('"units.mill.power_kw" = 800.0', '"units.mill.power_kw" = 1500.0'))
    assert big.decisions["modes"][GRIND] < shipped.decisions["modes"][GRIND]
    assert big.decisions["objective"] > shipped.decisions["objective"]
