"""Bulk Cu-Pb flotation then Cu/Pb separation, against the sequential route, on one ore.

``cases/tests/flot_bulk_or_sequential.toml``: the shipped polymetallic ore after one
mill, split between the sequential circuit of ``cases/polymetallic_flotation.toml`` and a
bulk-then-separation circuit (bulk rougher and two cleaners, copper floated from the
bulk concentrate with galena depressed cyanide-free by sodium sulfite and zinc sulfate,
zinc from the bulk tails); the split is the optimizer's route decision.

Checked: every element closes over both routes; each concentrate of the bulk route is
graded the right way (the separation enriches copper in its froth and lead in its
tails, both over the bulk concentrate); more sulfite in the separation leaves less lead
in the copper concentrate and more copper grade, the direction of the published
separation (Minerals 2021, 11(8):796, abstract: a mixed depressant with sodium sulfite
selectively depresses galena from an industrial Cu-Pb bulk concentrate); the other
separation (copper minerals depressed by cyanide, galena floated: Wills & Finch 2016
§12.13 [L]) leaves less copper in the lead concentrate the more cyanide it is given
(half-doses [assumed]); the optimizer's
route equals the enumeration's (real HiGHS), is the sequential route at the case's
prices, and moves to the bulk route, which recovers more lead and less copper, when lead
is dearer and copper cheaper.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.conventions import RTOL_RECYCLE_CLOSURE
from oreflow.flowsheet.case import parse_case
from oreflow.solvers.optimize import optimize

PATH = Path(__file__).resolve().parents[2] / "cases" / "tests" / "flot_bulk_or_sequential.toml"
TEXT = PATH.read_text(encoding="utf-8")
HALF = "fractions = { sequential = 0.5, bulk = 0.5 }"
BULK_ONLY = TEXT.replace(HALF, "fractions = { sequential = 0.0, bulk = 1.0 }")
SEP_DOSE = "units.sep_rougher.na2so3_g_t"


def metrics(result, unit):
    return result.units.query("unit == @unit").set_index("metric")["value"]


def simulate(text: str, **overrides: float):
    return oreflow.simulate(parse_case(text, str(PATH)), overrides=overrides)


@pytest.fixture(scope="module")
def bulk():
    assert HALF in TEXT
    return simulate(BULK_ONLY)


def test_every_element_closes_over_both_routes():
    result = simulate(TEXT)
    closure = result.closure.query("view == 'element'").set_index("name")
    for el in ("cu", "pb", "zn", "sb", "fe", "s"):
        assert closure.loc[el, "rel_err"] <= RTOL_RECYCLE_CLOSURE, el
    assert result.kpis["closure_max_rel"] <= RTOL_RECYCLE_CLOSURE
    # both routes carry their half of the ore and each makes its three concentrates
    for name in ("cu", "pb", "zn", "b_cu", "b_pb", "b_zn"):
        assert result.kpis[f"conc_{name}_concentrate_dmt_h"] > 0.0, name


def test_bulk_route_concentrates_are_graded_the_right_way(bulk):
    k = bulk.kpis
    assert k["conc_cu_concentrate_dmt_h"] == pytest.approx(0.0, abs=1e-12)  # all to bulk
    feed = bulk.closure.query("view == 'element'").set_index("name")["in_tph"] / k["ore_tph"]
    bulk_conc = metrics(bulk, "b_cleaner2")
    cu, pb = k["conc_b_cu_concentrate_cu_pct"], k["conc_b_pb_concentrate_pb_pct"]
    # the bulk concentrate carries both, richer than the ore
    assert bulk_conc["concentrate_cu_pct"] > 5 * 100 * feed["cu"]
    assert bulk_conc["concentrate_pb_pct"] > 5 * 100 * feed["pb"]
    # separation: copper up in the froth, lead up in the tails, each over the bulk
    assert cu > bulk_conc["concentrate_cu_pct"] and pb > bulk_conc["concentrate_pb_pct"]
    assert k["conc_b_cu_concentrate_pb_pct"] < bulk_conc["concentrate_pb_pct"]
    assert k["conc_b_pb_concentrate_cu_pct"] < bulk_conc["concentrate_cu_pct"]
    # saleable grades (copper 20-30 %, lead over 50 %, zinc 45-55 %: Wills & Finch 2016 §12.13)
    assert 20.0 <= cu <= 30.0 and pb > 50.0
    assert 45.0 <= k["conc_b_zn_concentrate_zn_pct"] <= 55.0
    # zinc is floated from the bulk tails: little of it leaves with copper and lead
    zn_feed_tph = feed["zn"] * k["ore_tph"]
    zn_cu_pb = sum(
        k[f"conc_b_{c}_concentrate_dmt_h"] * k[f"conc_b_{c}_concentrate_zn_pct"] / 100.0
        for c in ("cu", "pb")
    )
    zn_zn = k["conc_b_zn_concentrate_dmt_h"] * k["conc_b_zn_concentrate_zn_pct"] / 100.0
    assert zn_cu_pb < 0.1 * zn_zn and zn_zn > 0.7 * zn_feed_tph


def test_more_sulfite_in_the_separation_leaves_less_lead_in_the_copper_concentrate():
    doses = (0.0, 500.0, 1500.0, 3000.0)
    runs = [simulate(BULK_ONLY, **{SEP_DOSE: d}) for d in doses]
    pb_in_cu = np.array([r.kpis["conc_b_cu_concentrate_pb_pct"] for r in runs])
    cu_grade = np.array([r.kpis["conc_b_cu_concentrate_cu_pct"] for r in runs])
    use = np.array([metrics(r, "sep_rougher")["use_na2so3_kg_h"] for r in runs])
    assert np.all(np.diff(pb_in_cu) < 0.0) and np.all(np.diff(cu_grade) > 0.0)
    assert pb_in_cu[0] > 3.0 * pb_in_cu[-1]  # without depressant galena floats with copper
    assert np.all(np.diff(use) > 0.0) and use[0] == 0.0


#: NaCN that halves the rate of each copper mineral in the separation [g/t of bulk
#: concentrate; assumed], as the copper rougher's 10 g/t for sphalerite and pyrite.
CU_NACN_HALF_G_T = 30.0
CN_DOSE = "units.sep_rougher.nacn_g_t"


def galena_float_text(text: str) -> str:
    """The bulk route with the other industrial separation: copper minerals depressed by
    cyanide, galena floated (Wills & Finch 2016 §12.13 [L]).

    The separation banks float galena (no sulfite), each copper mineral responding to
    NaCN with ``CU_NACN_HALF_G_T``; their froth, cleaned, is the lead concentrate and
    the separation rougher's tails the copper concentrate.
    """

    def sub(old: str, new: str) -> None:
        nonlocal text
        assert text.count(old) == 1, old
        text = text.replace(old, new)

    sub("na2so3_g_t = 1500.0\n", "na2so3_g_t = 0.0\n")
    sub("na2so3_g_t = 500.0\n", "na2so3_g_t = 0.0\n")
    sub('inlets.feed = "sep_cleaner.concentrate"', 'inlets.feed = "sep_rougher.tails"')
    sub(
        '[units.b_pb_filter]\ntype = "filter"\ninlets.feed = "sep_rougher.tails"',
        '[units.b_pb_filter]\ntype = "filter"\ninlets.feed = "sep_cleaner.concentrate"',
    )
    for bank in ("sep_rougher", "sep_cleaner"):
        for mineral in ("chalcopyrite", "tetrahedrite", "tennantite"):
            head = f"[units.{bank}.kinetics.{mineral}]\n"
            sub(head, f"{head}nacn_half_g_t = {CU_NACN_HALF_G_T!r}\n")
    return text


def test_cyanide_depressing_copper_leaves_less_copper_in_the_lead_concentrate():
    text = galena_float_text(BULK_ONLY)
    doses = (0.0, 25.0, 100.0, 300.0)
    runs = [simulate(text, **{CN_DOSE: d}) for d in doses]
    cu_in_pb = np.array([r.kpis["conc_b_pb_concentrate_cu_pct"] for r in runs])
    pb_grade = np.array([r.kpis["conc_b_pb_concentrate_pb_pct"] for r in runs])
    cu_grade = np.array([r.kpis["conc_b_cu_concentrate_cu_pct"] for r in runs])
    use = np.array([metrics(r, "sep_rougher")["use_nacn_kg_h"] for r in runs])
    # the published direction: cyanide depresses the copper minerals, galena floats on
    assert np.all(np.diff(cu_in_pb) < 0.0) and np.all(np.diff(pb_grade) > 0.0)
    assert cu_in_pb[0] > 1.5 * cu_in_pb[-1]  # without cyanide copper floats with galena
    assert cu_grade[-1] > cu_grade[0]
    assert np.all(np.diff(use) > 0.0) and use[0] == 0.0
    for r in runs:
        assert r.kpis["closure_max_rel"] <= RTOL_RECYCLE_CLOSURE


@pytest.mark.solver
def test_the_route_chosen_equals_the_enumeration_and_follows_the_prices():
    base = optimize(parse_case(TEXT, str(PATH)))
    dear_lead = optimize(
        parse_case(
            TEXT.replace("pb_usd_t = 2000.0 ", "pb_usd_t = 4000.0 ").replace(
                "cu_usd_t = 9000.0 ", "cu_usd_t = 6000.0 "
            ),
            str(PATH),
        )
    )
    for result in (base, dear_lead):
        assert result.status == "optimal"
        split = result.decisions["train_tph"]
        assert set(split) == {"route.sequential", "route.bulk"}
        assert sum(split.values()) == pytest.approx(result.decisions["ore_tph"], rel=1e-9)
        enum = result.meta["enumeration"]
        assert enum["column"] == result.decisions["column"]
        assert enum["objective"] == pytest.approx(result.decisions["objective"], rel=1e-9)
        assert enum["destination_tph"]["route.bulk"] == pytest.approx(
            split["route.bulk"], rel=1e-6, abs=1e-6
        )
        assert result.meta["max_rel_diff"] <= 1e-6
        assert result.plan.kpis["closure_max_rel"] <= RTOL_RECYCLE_CLOSURE
    # one route takes all the ore: at the case's prices the sequential one
    assert base.decisions["train_tph"]["route.bulk"] == pytest.approx(0.0, abs=1e-6)
    assert dear_lead.decisions["train_tph"]["route.sequential"] == pytest.approx(0.0, abs=1e-6)
    # and it beats the written half-and-half
    half = simulate(TEXT).kpis["margin_usd_h"]
    assert base.decisions["objective"] > half
