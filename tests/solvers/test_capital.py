"""Capital estimate: cost curves on simulated sizes, CEPCI escalation, estimate class,
extrapolation warnings and bad input."""

import pytest

import oreflow
from oreflow.core.cost_index import CEPCI, ESTIMATE_CLASSES, escalate
from oreflow.errors import CaseError
from oreflow.flowsheet.case import parse_case
from tests.conftest import CASES

# Test curves (not published figures): the arithmetic of a curve is what is checked.
CAPITAL = """
[economics.capital]
cost_year = 2023
estimate_class = 5

[economics.capital.items.mill]
figure = "power_kw"
a_usd = 12000.0
b = 0.8
figure_lo = 500.0
figure_hi = 20000.0
year = 2010
source = "test curve"

[economics.capital.items.cil]
figure = "tank_volume_m3"
a_usd = 9000.0
b = 0.6
count = 7
figure_lo = 50.0
figure_hi = 5000.0
year = 2015
source = "test curve"
"""


def _case(extra: str):
    text = (CASES / "free_milling_cil.toml").read_text(encoding="utf-8")
    return parse_case(text + extra, "free_milling_cil.toml")


def test_cepci_escalation_reproduces_the_index_table():
    assert escalate(1.0, 2010, 2023) == pytest.approx(797.9 / 550.8, rel=1e-12)
    assert escalate(100.0, 2001, 2001) == 100.0
    assert min(CEPCI) == 1980 and CEPCI[2016] < CEPCI[2015]  # the 2016 dip, not a typo


def test_capital_is_each_curve_on_its_simulated_size_escalated():
    result = oreflow.simulate(_case(CAPITAL))
    k = result.kpis
    units = result.units.set_index(["unit", "metric"])["value"]
    power = units.loc[("mill", "power_kw")]
    tank = units.loc[("cil", "tank_volume_m3")]  # per tank; the curve's count is 7
    mill = 12000.0 * power**0.8 * CEPCI[2023] / CEPCI[2010]
    cil = 7 * 9000.0 * (tank / 7) ** 0.6 * CEPCI[2023] / CEPCI[2015]
    assert k["capital_mill_usd"] == pytest.approx(mill, rel=1e-12)
    assert k["capital_cil_usd"] == pytest.approx(cil, rel=1e-12)
    # units without a curve of the case's own take oreflow's default curves
    others = sum(k[f"capital_{u}_usd"] for u in ("cyclone", "thickener", "detox"))
    assert min(k[f"capital_{u}_usd"] for u in ("cyclone", "thickener", "detox")) > 0
    total = mill + cil + others
    assert k["capital_usd"] == pytest.approx(total, rel=1e-12)
    low, high = ESTIMATE_CLASSES[5]
    assert k["capital_low_usd"] == pytest.approx(total * (1 + low))
    assert k["capital_high_usd"] == pytest.approx(total * (1 + high))
    assert not any("economics.capital" in w for w in result.warnings)


@pytest.mark.parametrize("diameter_m", [4.0, 5.0, 6.0])
def test_mill_curve_at_three_mill_sizes(diameter_m):
    result = oreflow.simulate(_case(CAPITAL), overrides={"units.mill.diameter_m": diameter_m})
    power = result.units.set_index(["unit", "metric"])["value"].loc[("mill", "power_kw")]
    assert result.kpis["capital_mill_usd"] == pytest.approx(
        12000.0 * power**0.8 * CEPCI[2023] / CEPCI[2010], rel=1e-12
    )


def test_curve_outside_its_range_warns_naming_unit_and_range():
    text = CAPITAL.replace("figure_hi = 20000.0", "figure_hi = 2000.0")
    result = oreflow.simulate(_case(text))
    lines = [w for w in result.warnings if w.startswith("economics.capital.items.mill")]
    assert len(lines) == 1
    assert "[500 .. 2000]" in lines[0] and "extrapolated" in lines[0]


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("cost_year = 2023", "cost_year = 2031", "economics.capital.cost_year"),
        ("year = 2010", "year = 1975", "economics.capital.items.mill.year"),
        ("items.mill]", "items.mil]", "economics.capital.items.mil"),
        ("figure_lo = 500.0", "figure_lo = 50000.0", "economics.capital.items.mill.figure_lo"),
        ("estimate_class = 5", "estimate_class = 7", "economics.capital.estimate_class"),
    ],
)
def test_bad_capital_input_names_its_key(old, new, key):
    with pytest.raises(CaseError) as err:
        _case(CAPITAL.replace(old, new))
    problems = {p.key: p.message for p in err.value.problems}
    assert key in problems
    if key.endswith("year"):
        assert "no CEPCI value" in problems[key]
    if key.endswith(".mil"):
        assert "did you mean" in problems[key]


def test_curve_on_a_figure_the_unit_does_not_report_is_a_case_error():
    with pytest.raises(CaseError) as err:
        oreflow.simulate(_case(CAPITAL.replace('"power_kw"', '"volume_m3"')))
    assert err.value.problems[0].key == "economics.capital.items.mill.figure"


def test_npv_takes_the_capital_estimate_when_no_capital_is_given():
    project = "\n[economics.project]\nreserve_t = 12.0e6\ntax_frac = 0.3\n"
    k = oreflow.simulate(_case(CAPITAL + project)).kpis
    given = oreflow.simulate(
        _case(CAPITAL + project + f"capital_usd = {float(k['capital_usd']):.17g}\n")
    ).kpis
    assert k["npv_usd"] == pytest.approx(given["npv_usd"], rel=1e-12)
    dearer = oreflow.simulate(_case(CAPITAL.replace("12000.0", "24000.0") + project)).kpis
    assert dearer["npv_usd"] < k["npv_usd"]
    # without [economics.capital] the project takes oreflow's default estimate
    default = oreflow.simulate(_case(project)).kpis
    same = oreflow.simulate(
        _case(project + f"capital_usd = {float(default['capital_usd']):.17g}\n")
    ).kpis
    assert default["capital_usd"] > 0
    assert default["npv_usd"] == pytest.approx(same["npv_usd"], rel=1e-12)
