"""Concentrate sales terms: payables with minimum deductions, TC/RC, penalties, freight."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.conventions import GRAMS_PER_TROY_OZ
from oreflow.errors import CaseError
from oreflow.flowsheet.concentrate_terms import BASES
from oreflow.solvers.concentrate_sales import payable_content, penalty_usd_dmt, stepped_frac

ROOT = Path(__file__).resolve().parents[2]
SALE = ROOT / "cases" / "tests" / "econ_concentrate_sale.toml"
SART = ROOT / "cases" / "copper_gold_sart.toml"


@pytest.fixture(scope="module")
def sale():
    return oreflow.simulate(SALE).kpis


def _with(path: Path, tmp_path: Path, extra: str, name: str = "case.toml") -> Path:
    out = tmp_path / name
    out.write_text(path.read_text() + "\n" + extra)
    return out


def test_payable_is_the_lesser_of_fraction_and_minimum_deduction():
    # copper 96.5 % with a 1 unit minimum deduction: the deduction rules below 28.6 % Cu
    assay = np.array([10.0, 28.0, 28.6, 35.0])
    paid = payable_content(assay, 0.965, 1.0)
    assert np.allclose(paid, [9.0, 27.0, 27.599, 33.775])
    assert np.all(paid <= assay)
    assert np.allclose(payable_content(np.array([0.5]), 0.9, 1.0), 0.0)  # nothing paid


def test_gold_steps_raise_the_payable_with_grade():
    steps, fracs = (
        BASES["gold_concentrate"][0]["au_payable_grade_gpt"][0],
        BASES["gold_concentrate"][0]["au_payable_frac"][0],
    )
    grades = np.array([5.0, 20.0, 35.0, 50.0, 65.0, 75.0, 100.0])
    f = stepped_frac(grades, steps, fracs)
    assert f[0] == 0.0
    assert np.all(np.diff(f) > 0)
    assert f[-1] == pytest.approx(0.96)


def test_penalty_is_pro_rata_above_the_threshold():
    assert penalty_usd_dmt(np.array([0.2]), 0.2, 2.5, 0.1)[0] == 0.0
    assert penalty_usd_dmt(np.array([0.5]), 0.2, 2.5, 0.1)[0] == pytest.approx(7.5)


def test_product_nsr_is_payables_less_charges(sale):
    k = sale
    p = "conc_gold_concentrate_"
    content_oz = k[p + "au_gpt"] * k[p + "dmt_h"] / GRAMS_PER_TROY_OZ
    # 38.6 g/t sits in the 30-40 g/t step of the contract: 92 % payable
    assert k[p + "au_payable_frac"] == pytest.approx(0.92)
    assert k[p + "payable_au_oz_h"] == pytest.approx(0.92 * content_oz)
    assert k[p + "deduction_au_usd_h"] == pytest.approx(0.08 * content_oz * 2000.0)
    charges = k[p + "tc_usd_h"] + k[p + "penalty_usd_h"] + k[p + "freight_usd_h"]
    assert k[p + "charges_usd_h"] == pytest.approx(charges)
    assert k[p + "nsr_usd_h"] == pytest.approx(k[p + "value_au_usd_h"] - charges)
    assert k[p + "tc_usd_h"] == pytest.approx(40.0 * k[p + "dmt_h"])
    # freight on the wet tonnes: the filter cake's 10 % moisture
    assert k[p + "moisture_frac"] == pytest.approx(0.10)
    assert k[p + "freight_usd_h"] == pytest.approx(60.0 * k[p + "dmt_h"] / 0.9)
    # arsenopyrite floats: As far above the 0.5 % threshold, penalised pro rata
    assert k[p + "as_pct"] > 5.0
    expected = k[p + "dmt_h"] * 3.0 * (k[p + "as_pct"] - 0.5) / 0.1
    assert k[p + "penalty_as_usd_h"] == pytest.approx(expected)
    # Hg and Bi are declared but not in the stream: counted, not priced; Sb is tracked
    # (tetrahedrite), here at zero grade: priced at nothing
    assert k[p + "penalties_untracked_count"] == 2.0
    assert k[p + "sb_pct"] == 0.0 and k[p + "penalty_sb_usd_h"] == 0.0
    # the plant's revenue is this NSR after the royalty
    assert k["revenue_usd_h"] == pytest.approx(k[p + "nsr_usd_h"] * 0.97)
    assert k["concentrate_penalty_usd_h"] == pytest.approx(k[p + "penalty_usd_h"])


def test_levers_move_the_nsr_in_the_expected_direction(sale, tmp_path):
    p = "conc_gold_concentrate_"
    wetter = oreflow.simulate(SALE, overrides={"units.filter.cake_moisture_frac": 0.15}).kpis
    assert wetter[p + "freight_usd_h"] > sale[p + "freight_usd_h"]
    assert wetter[p + "nsr_usd_h"] < sale[p + "nsr_usd_h"]
    # a stricter arsenic clause costs more; a rejection grade below the assay flags it
    strict = _with(
        SALE,
        tmp_path,
        "[economics.concentrate_terms.gold_concentrate.penalties.as]\n"
        "threshold_pct = 0.2\nusd_dmt = 3.0\nstep_pct = 0.1\nreject_pct = 5.0\n",
    )
    k = oreflow.simulate(strict).kpis
    assert k[p + "penalty_as_usd_h"] == pytest.approx(
        sale[p + "penalty_as_usd_h"] + sale[p + "dmt_h"] * 3.0 * 0.3 / 0.1
    )
    assert k[p + "rejected_flag"] == 1.0 and sale[p + "rejected_flag"] == 0.0


def test_terms_are_opt_in(tmp_path):
    """Without a terms table a concentrate keeps the legacy keys: the same KPIs exactly."""
    legacy = oreflow.simulate(SART).kpis
    assert "concentrate_tc_usd_h" not in legacy.index
    opted = oreflow.simulate(
        _with(
            SART,
            tmp_path,
            '[economics.concentrate_terms.copper_concentrate]\nbasis = "copper_concentrate"\n',
        )
    ).kpis
    p = "conc_copper_concentrate_"
    assert opted[p + "cu_pct"] > 1.0
    # copper paid at 96.5 % (the 1 unit deduction does not rule at this grade) less 8 c/lb RC
    pay_t = opted[p + "payable_cu_t_h"]
    assert pay_t == pytest.approx(0.965 * opted[p + "cu_pct"] / 100 * opted[p + "dmt_h"])
    cu_usd_t = oreflow.load_case(SART).economics.params["cu_usd_t"]
    assert opted["revenue_cu_usd_h"] == pytest.approx(pay_t * (cu_usd_t - 0.08 * 2204.62262185))
    # the doré is priced as before
    assert opted["revenue_au_usd_h"] == pytest.approx(legacy["revenue_au_usd_h"])
    assert opted["margin_usd_h"] != legacy["margin_usd_h"]


@pytest.mark.parametrize(
    ("extra", "key", "words"),
    [
        (
            '[economics.concentrate_terms.tailings]\nbasis = "gold_concentrate"\n',
            "economics.concentrate_terms.tailings",
            "is not a product of kind 'concentrate'",
        ),
        (
            '[economics.concentrate_terms.gold_concentrate]\nbasis = "zinc"\n',
            "economics.concentrate_terms.gold_concentrate.basis",
            "is not one of",
        ),
        (
            '[economics.concentrate_terms.gold_concentrate]\nbasis = "gold_concentrate"\n'
            "au_payable_frac = [0.9]\n",
            "economics.concentrate_terms.gold_concentrate.au_payable_frac",
            "one fraction per grade step",
        ),
        (
            '[economics.concentrate_terms.gold_concentrate]\nbasis = "gold_concentrate"\n'
            "[economics.concentrate_terms.gold_concentrate.penalties.hg]\n"
            "threshold_pct = 0.2\nusd_dmt = 2.0\nstep_pct = 0.1\n",
            "economics.concentrate_terms.gold_concentrate.penalties.hg",
            "not in the stream yet",
        ),
    ],
)
def test_bad_terms_are_named(tmp_path, extra, key, words):
    text = SALE.read_text()
    text = text[: text.index("\n[economics.concentrate_terms")] + "\n"
    path = tmp_path / "bad.toml"
    path.write_text(text + extra)
    with pytest.raises(CaseError) as err:
        oreflow.load_case(path)
    problems = err.value.problems
    assert any(p.key == key and words in p.message for p in problems), problems
