"""Gold sold in a concentrate is reported beside the recovery to doré, never hidden."""

from pathlib import Path

import pytest

import oreflow
from oreflow.report.console import headline

CASES = Path(__file__).resolve().parents[2] / "cases"


def test_gold_to_concentrate_is_the_gold_the_sale_is_paid_on():
    """The fraction of the feed's gold in the concentrate sold equals the sale's own figures
    (dry tonnes x assay, from the concentrate-sales module) over the gold fed."""
    k = oreflow.simulate(oreflow.load_case(CASES / "tests" / "econ_concentrate_sale.toml")).kpis
    sold_g_h = k["conc_gold_concentrate_dmt_h"] * k["conc_gold_concentrate_au_gpt"]
    assert k["gold_to_concentrate_frac"] == pytest.approx(sold_g_h / k["au_feed_g_h"], rel=1e-9)
    assert 0.5 < k["gold_to_concentrate_frac"] < 1.0
    assert k["gold_recovery_frac"] == 0.0  # no doré in this plant
    labels = dict(headline(oreflow.simulate(CASES / "tests" / "econ_concentrate_sale.toml")))
    assert labels["gold in concentrate sold"].endswith("%")


def test_no_concentrate_product_no_figure():
    k = oreflow.simulate(oreflow.load_case(oreflow.bundled_case("free_milling_cil"))).kpis
    assert "gold_to_concentrate_frac" not in k


def test_a_by_product_concentrate_with_a_trace_of_gold_is_not_headlined():
    """The SART Cu2S cake holds a trace of gold in its entrained solution: the KPI says so,
    the console does not call it gold sold."""
    r = oreflow.simulate(CASES / "copper_gold_sart.toml")
    assert 0.0 < r.kpis["gold_to_concentrate_frac"] < 1e-5
    assert "gold in concentrate sold" not in dict(headline(r))


def test_console_shows_the_gold_sold_beside_the_recovery():
    """Ship or sell: a sixth of the gold leaves in concentrate; the console says so."""
    r = oreflow.simulate(CASES / "tests" / "regional_ship_or_sell.toml")
    labels = [label for label, _ in headline(r)]
    assert labels.index("gold in concentrate sold") == labels.index("gold recovery") + 1
    total = r.kpis["gold_recovery_frac"] + r.kpis["gold_to_concentrate_frac"]
    assert r.kpis["gold_to_concentrate_frac"] > 0.1 and total < 1.0


def test_each_concentrate_sold_has_a_line_with_its_grades_and_nsr():
    """A base-metal plant sells three concentrates and no doré: the console shows what it
    sells (tonnes, payable grades, NSR, from the concentrate terms' KPIs) and drops the
    doré figures that would read 0 % recovery."""
    r = oreflow.simulate(CASES / "polymetallic_flotation.toml")
    k = r.kpis
    lines = dict(headline(r))
    for name, metal in (("cu", "Cu"), ("pb", "Pb"), ("zn", "Zn")):
        line = lines[f"{name} concentrate"]
        grade = k[f"conc_{name}_concentrate_{name}_pct"]
        assert f"% {metal}" in line and "NSR" in line and "dmt/h" in line
        assert line.startswith(f"{k[f'conc_{name}_concentrate_dmt_h']:.3g}")
        assert grade > 15.0  # a saleable grade, not a trace
    assert k["gold_recovery_frac"] == 0.0
    assert "gold recovery" not in lines and "gold" not in lines


def test_a_dore_plant_shows_no_concentrate_line():
    r = oreflow.simulate(oreflow.load_case(oreflow.bundled_case("free_milling_cil")))
    assert not [label for label, _ in headline(r) if label.endswith("concentrate")]
    assert "gold recovery" in dict(headline(r))
