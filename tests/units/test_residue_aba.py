"""Acid-base accounting of residues: AP, NP, NPR by hand, and NPR as an acceptance rule.

On cases/tests/res_residue_routes.toml (0.94 % pyrite, 0.50 % sulfide S) with calcite,
dolomite and siderite added to the ore: CIL and detox leave the carbonates unchanged.
"""

from pathlib import Path

import pytest

import oreflow
from oreflow.errors import CaseError
from oreflow.flowsheet.case import parse_case

ROUTES = Path(__file__).resolve().parents[2] / "cases" / "tests" / "res_residue_routes.toml"
CACO3, DOLOMITE, SIDERITE, CAO = 100.0869, 184.4008, 115.8539, 56.0774


def variant(*pairs):
    text = ROUTES.read_text(encoding="utf-8")
    carbonates = (
        ('solids = ["gangue", "pyrite",', 'solids = ["calcite", "dolomite", "siderite", "gangue", "pyrite",'),
        ("pyrite = 0.0094", "pyrite = 0.0094\ncalcite = 0.010\ndolomite = 0.005\nsiderite = 0.010"),
    )  # fmt: skip
    for old, new in (*carbonates, *pairs):
        assert old in text, old
        text = text.replace(old, new, 1)
    return parse_case(text, "aba.toml")


def metrics(result, unit):
    return result.units.query("unit == @unit").set_index("metric")["value"]


@pytest.fixture(scope="module")
def plain():
    return oreflow.simulate(variant())


def test_ap_np_npr_by_hand(plain):
    for unit in ("paste", "bricks", "tsf"):
        d = metrics(plain, unit)
        # AP = 31.25 x sulfide S %: 0.0094 FeS2 x 0.5345 S = 0.5024 % S -> 15.70 kg CaCO3/t
        assert d["ap_kg_caco3_t"] == pytest.approx(3125.0 * d["sulfide_s_frac"], rel=1e-12)
        assert d["ap_kg_caco3_t"] == pytest.approx(31.25 * 0.94 * 0.53451, rel=2e-3)
        # NP: 10 kg/t calcite + 5 kg/t dolomite x 2 CO3; siderite not counted
        hand_np = 10.0 + 5.0 * 2.0 * CACO3 / DOLOMITE
        assert d["np_kg_caco3_t"] == pytest.approx(hand_np, rel=1e-3)
        assert d["siderite_np_kg_caco3_t"] == pytest.approx(10.0 * CACO3 / SIDERITE, rel=1e-3)
        assert d["npr"] == pytest.approx(d["np_kg_caco3_t"] / d["ap_kg_caco3_t"], rel=1e-12)
        assert 0.9 < d["npr"] < 1.0  # 15.43 / 15.70: potentially acid generating


def test_npr_below_its_limit_is_refused_by_backfill_and_allowed_to_storage():
    limit = ("binder_frac = 0.04\n", "binder_frac = 0.04\nnpr_min = 2.0\n")
    refused = oreflow.simulate(variant(limit))
    paste, tsf = metrics(refused, "paste"), metrics(refused, "tsf")
    assert paste["npr_ok_flag"] == 0.0 and paste["eligible_flag"] == 0.0
    assert paste["cyanide_ok_flag"] == 1.0  # only the NPR fails
    assert tsf["npr"] == pytest.approx(paste["npr"], rel=1e-9)  # storage takes it
    assert (
        refused.kpis["residue_utilisation_frac"]
        < oreflow.simulate(variant()).kpis["residue_utilisation_frac"]
    )
    # refused as an error, naming the rule
    with pytest.raises(CaseError, match="NPR"):
        oreflow.simulate(
            variant(limit, ("npr_min = 2.0\n", 'npr_min = 2.0\non_ineligible = "error"\n'))
        )
    # residual lime: 10 kg/t CaO adds 17.85 kg CaCO3/t of NP and the paste is accepted
    limed = oreflow.simulate(
        variant(limit, ("npr_min = 2.0\n", "npr_min = 2.0\nresidual_lime_kg_t = 10.0\n"))
    )
    d = metrics(limed, "paste")
    assert d["np_kg_caco3_t"] - paste["np_kg_caco3_t"] == pytest.approx(
        10.0 * CACO3 / CAO, rel=1e-5
    )
    assert d["npr_ok_flag"] == 1.0 and d["eligible_flag"] == 1.0


@pytest.mark.solver
def test_an_npr_limit_on_backfill_moves_the_optimizers_residue_split():
    """free_milling_residue_use under its 35 % use target: paste asking NPR >= 2 (the
    residue has no carbonates: NP 0) takes nothing, so bricks alone carry the target
    and the optimizer cuts the ore rate (measured 23,392 -> 4,473 USD/h)."""
    from oreflow.api import optimize

    case = ROUTES.parents[1] / "free_milling_residue_use.toml"
    text = case.read_text(encoding="utf-8")
    target = 'residue_splitter = "split"'
    old = "binder_frac = 0.05\nwad_limit_mg_l = 1.0\n"
    assert target in text and old in text
    text = text.replace(target, target + "\nresidue_utilisation_frac_min = 0.35")
    free = optimize(parse_case(text, str(case)))
    limited = optimize(parse_case(text.replace(old, old + "npr_min = 2.0\n"), str(case)))
    for r in (free, limited):
        assert r.status == "optimal"
        enum = r.meta["enumeration"]
        assert enum["column"] == r.decisions["column"]
        assert enum["objective"] == pytest.approx(r.decisions["objective"], rel=1e-9)
    assert free.decisions["residue_tph"]["paste"] > 0.0
    assert limited.decisions["residue_tph"]["paste"] == 0.0
    assert limited.decisions["objective"] < free.decisions["objective"]
    assert limited.plan.kpis["residue_utilisation_frac"] >= 0.35 - 1e-9
