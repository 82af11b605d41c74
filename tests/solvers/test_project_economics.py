"""Project economics: the cash-flow table, NPV, IRR and payback against a hand-built
spreadsheet; C1/AISC; [economics.project] bad input."""

import numpy as np
import pytest

import oreflow
from oreflow.errors import CaseError
from oreflow.flowsheet.case import parse_case
from oreflow.solvers.project import ProjectTerms, cash_flows, irr, npv, payback_y
from tests.conftest import CASES

TERMS = ProjectTerms(
    reserve_t=5.0e6,
    operating_h_y=8000.0,
    capital_usd=100.0e6,
    capital_phasing=(0.4, 0.6),
    sustaining_usd_y=2.0e6,
    working_capital_months=2.0,
    closure_usd=5.0e6,
    tax_frac=0.30,
    depreciation_y=5.0,
    discount_frac=0.05,
)

# The spreadsheet, by hand (USD million): 250 t/h x 8,000 h = 2 Mt/y, so 2.5 years of
# production after two years of construction; revenue 20,000 and cost 8,000 USD/h.
#            capex   revenue  opex  sust+closure  WC        depreciation  tax
# year 1     40      0        0     0             0         0             0
# year 2     60      0        0     0             0         0             0
# year 3     0       160      64    2             +10.6667  40            16.8
# year 4     0       160      64    2             0         40            16.8
# year 5     0       80       32    1 + 5         -10.6667  20            8.4
HAND_FLOWS = np.array([-40.0, -60.0, 66.533333333, 77.2, 44.266666667]) * 1e6


def test_cash_flow_table_equals_the_hand_built_spreadsheet():
    table = cash_flows(TERMS, 250.0, 20000.0, 8000.0)
    assert table.mine_life_y == pytest.approx(2.5)
    np.testing.assert_allclose(table.cash_flow_usd, HAND_FLOWS, rtol=1e-9)
    np.testing.assert_allclose(table.tax_usd / 1e6, [0, 0, 16.8, 16.8, 8.4], atol=1e-9)
    np.testing.assert_allclose(table.depreciation_usd / 1e6, [0, 0, 40, 40, 20], atol=1e-9)


def test_npv_irr_and_payback_equal_the_spreadsheet():
    hand_npv = sum(f / 1.05**t for t, f in enumerate(HAND_FLOWS, start=1))
    assert npv(HAND_FLOWS, 0.05) == pytest.approx(hand_npv, rel=1e-12)
    assert hand_npv / 1e6 == pytest.approx(63.15, abs=0.01)  # the spreadsheet's figure
    rate = irr(HAND_FLOWS)
    # the IRR is the real root of sum f_t v^t = 0 with v = 1/(1+r) in (0, 1]
    roots = np.roots(np.r_[HAND_FLOWS[::-1], 0.0])
    v = [r.real for r in roots if abs(r.imag) < 1e-9 and 0.0 < r.real < 1.0]
    assert rate == pytest.approx(1.0 / v[0] - 1.0, rel=1e-9)
    assert npv(HAND_FLOWS, rate) == pytest.approx(0.0, abs=1e-3)
    # cumulative -40, -100, -33.47, +43.73: paid back 33.47/77.2 into production year 2
    assert payback_y(HAND_FLOWS, 2) == pytest.approx(1.0 + 33.466666667 / 77.2, rel=1e-9)


def test_irr_of_a_losing_project_is_negative_and_nan_without_a_root():
    losing = np.array([-100.0, 10.0, 10.0])
    assert irr(losing) < 0.0
    assert npv(losing, irr(losing)) == pytest.approx(0.0, abs=1e-6)
    assert np.isnan(irr(np.array([-100.0, -10.0])))


PROJECT = """
[economics.project]
reserve_t = 12.0e6
capital_usd = 250.0e6
capital_phasing = [0.3, 0.7]
sustaining_usd_y = 5.0e6
tax_frac = 0.30
"""


def _free_milling(extra: str):
    text = (CASES / "free_milling_cil.toml").read_text(encoding="utf-8")
    return parse_case(text + extra, "free_milling_cil.toml")


def test_case_reports_npv_irr_payback_c1_and_aisc():
    k = oreflow.simulate(_free_milling(PROJECT)).kpis
    life = 12.0e6 / (k["ore_tph"] * 8059.0)
    assert k["mine_life_y"] == pytest.approx(life, rel=1e-12)
    assert np.isfinite(k["npv_usd"]) and np.isfinite(k["irr_frac"])
    assert k["irr_frac"] > 0.05 if k["npv_usd"] > 0 else k["irr_frac"] < 0.05
    assert k["aisc_usd_oz"] > k["c1_usd_oz"] > 0.0
    # a dearer plant is worth less, by the discounted extra capital and its tax shield
    dear = oreflow.simulate(_free_milling(PROJECT.replace("250.0e6", "300.0e6"))).kpis
    assert dear["npv_usd"] < k["npv_usd"]
    assert dear["payback_y"] > k["payback_y"]


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("[0.3, 0.7]", "[0.3, 0.6]", "economics.project.capital_phasing"),
        ("[0.3, 0.7]", "[1.5, -0.5]", "economics.project.capital_phasing"),
        ("tax_frac = 0.30", "tax_frac = 1.5", "economics.project.tax_frac"),
        ("tax_frac = 0.30", "discount = 0.05", "economics.project.discount"),
    ],
)
def test_bad_project_terms_name_their_key(old, new, key):
    with pytest.raises(CaseError) as err:
        _free_milling(PROJECT.replace(old, new))
    assert key in {p.key for p in err.value.problems}


def test_missing_reserve_is_named():
    with pytest.raises(CaseError) as err:
        _free_milling(PROJECT.replace("reserve_t = 12.0e6", ""))
    assert "economics.project.reserve_t" in {p.key for p in err.value.problems}
