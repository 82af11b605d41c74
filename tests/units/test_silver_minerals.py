"""Silver classes of an ore (``oreflow.core.silver_minerals``) through flotation and cyanide.

The polymetallic case with a silver deportment is the shipped
``cases/polymetallic_flotation.toml`` with the classes declared, floated with their
hosts; the cyanide case is ``cases/tests/cn_silver_minerals.toml``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import oreflow
from oreflow.conventions import AG_G_MOL, G_PER_T, S_G_MOL
from oreflow.core.components import CATALOGUE
from oreflow.core.silver_minerals import CYANIDE_K_PER_H, ORE_SILVER_SPECIES, SILVER_HOSTS
from oreflow.errors import CaseError
from oreflow.flowsheet.case import load_case, parse_case
from oreflow.flowsheet.compile import compile_case
from oreflow.solvers.simulate import simulate_plant

CASES = Path(__file__).resolve().parents[2] / "cases"
POLY = CASES / "polymetallic_flotation.toml"
CN = CASES / "tests" / "cn_silver_minerals.toml"
CLASSES = ("ag", "acanthite", "ag_galena", "ag_tetrahedrite")


def without_silver_classes(text: str) -> str:
    """The shipped polymetallic case as it was before its silver deportment: all 'ag'."""
    text = text.replace('"ag", "ag_galena", "ag_tetrahedrite", "au_free"', '"ag", "au_free"')
    text = re.sub(r"\[ore\.main\.silver_deportment\].*?\n\n", "", text, count=1, flags=re.S)
    return re.sub(r'\[units\.\w+\.kinetics\.ag_\w+\]\ncarrier = "\w+"\n', "", text)


DEFAULT_TEXT = without_silver_classes(POLY.read_text())


def silver_case_text(text: str, deportment: dict[str, float] | None) -> str:
    """The polymetallic case with every silver class declared (and a deportment)."""
    text = text.replace(
        '"ag", "au_free"', '"ag", "acanthite", "ag_galena", "ag_tetrahedrite", "au_free"'
    )
    if deportment is not None:
        table = "".join(f"{k} = {v!r}\n" for k, v in deportment.items())
        text = text.replace(
            "[ore.main.mineralogy]", f"[ore.main.silver_deportment]\n{table}\n[ore.main.mineralogy]"
        )

    def carriers(m: re.Match) -> str:
        u = m.group(1)
        return (
            m.group(0)
            + f'[units.{u}.kinetics.acanthite]\ncarrier = "galena"\n'
            + f'[units.{u}.kinetics.ag_galena]\ncarrier = "galena"\n'
            + f'[units.{u}.kinetics.ag_tetrahedrite]\ncarrier = "tetrahedrite"\n'
        )

    return re.sub(r'\[units\.(\w+)\.kinetics\.ag\]\ncarrier = "galena"\n', carriers, text)


def poly_results(deportment: dict[str, float] | None) -> oreflow.api.Results:
    spec = parse_case(silver_case_text(DEFAULT_TEXT, deportment), str(POLY))
    return oreflow.simulate(spec)


def silver_tph(streams: pd.DataFrame, name: str) -> float:
    """Silver (as Ag) of a stream over every species that carries it [t/h]."""
    row = streams.loc[name]
    return sum(
        row[f"{s.name}_tph"] * s.elements.get("ag", 0.0)
        for s in CATALOGUE.values()
        if f"{s.name}_tph" in row.index
    )


SPLIT = {"ag": 0.1, "acanthite": 0.1, "ag_galena": 0.5, "ag_tetrahedrite": 0.3}


@pytest.fixture(scope="module")
def poly_split():
    return poly_results(SPLIT)


def test_silver_classes_in_the_catalogue():
    for name in ORE_SILVER_SPECIES:
        sp = CATALOGUE[name]
        assert sp.phase == "solid"
        assert sum(sp.elements.values()) == pytest.approx(1.0, rel=1e-12)
        assert sp.elements["ag"] > 0 and sp.au_frac == 0
    assert CATALOGUE["acanthite"].elements["ag"] == pytest.approx(
        2 * AG_G_MOL / (2 * AG_G_MOL + S_G_MOL), rel=1e-12
    )
    for name, host in SILVER_HOSTS.items():
        assert CATALOGUE[name].hydraulic_density_t_m3 == CATALOGUE[host].density_t_m3


def test_the_feed_carries_the_head_grade_whatever_the_split(poly_split):
    feed = poly_split.streams.loc["ore.main"]
    rate = 60.0
    assert silver_tph(poly_split.streams, "ore.main") == pytest.approx(
        rate * 60.0 / G_PER_T, rel=1e-12
    )
    ag_t = rate * 60.0 / G_PER_T
    for name, share in SPLIT.items():
        assert feed[f"{name}_tph"] * CATALOGUE[name].elements["ag"] == pytest.approx(
            share * ag_t, rel=1e-12
        )
    assert feed["solids_tph"] == pytest.approx(rate, rel=1e-12)  # acanthite's sulfur included


def test_element_closure_with_silver_classes(poly_split):
    el = poly_split.closure[poly_split.closure["view"] == "element"].set_index("name")
    for name in ("ag", "pb", "zn", "sb", "cu", "s"):
        assert abs(el.loc[name, "rel_err"]) < 1e-9, name
    out = sum(
        silver_tph(poly_split.streams, s)
        for s in ("cu_filter.cake", "pb_filter.cake", "zn_filter.cake", "zn_rougher.tails")
    )
    assert out == pytest.approx(silver_tph(poly_split.streams, "ore.main"), rel=1e-9)


def test_hosted_silver_reports_with_its_host(poly_split):
    s = poly_split.streams
    for silver, host, conc in (
        ("ag_tetrahedrite", "tetrahedrite", "cu_filter.cake"),
        ("ag_galena", "galena", "pb_filter.cake"),
    ):
        share = s.loc[conc, f"{silver}_tph"] / s.loc["ore.main", f"{silver}_tph"]
        host_share = s.loc[conc, f"{host}_tph"] / s.loc["ore.main", f"{host}_tph"]
        assert share == pytest.approx(host_share, rel=1e-9)
        assert share > 0.5
    default = oreflow.simulate(parse_case(DEFAULT_TEXT, str(POLY))).kpis
    k = poly_split.kpis
    # fahlore silver goes to the copper concentrate, out of the lead concentrate
    assert k["conc_cu_concentrate_ag_gpt"] > 10.0 * default["conc_cu_concentrate_ag_gpt"]
    assert k["conc_pb_concentrate_ag_gpt"] < default["conc_pb_concentrate_ag_gpt"]
    assert k["conc_cu_concentrate_payable_ag_oz_h"] > default["conc_cu_concentrate_payable_ag_oz_h"]


def test_default_deportment_is_bit_for_bit():
    """No table, one class 'ag': the same as an explicit ag = 1 (bit for bit; at 8850bc0 it
    equalled the figures before the silver classes existed, checked when they were added)."""
    default = oreflow.simulate(parse_case(DEFAULT_TEXT, str(POLY)))
    explicit = parse_case(
        DEFAULT_TEXT.replace(
            "[ore.main.mineralogy]",
            "[ore.main.silver_deportment]\nag = 1.0\n\n[ore.main.mineralogy]",
        ),
        str(POLY),
    )
    again = oreflow.simulate(explicit)
    assert np.array_equal(default.kpis.to_numpy(), again.kpis.to_numpy(), equal_nan=True)
    num = default.streams.select_dtypes("number").to_numpy()
    assert np.array_equal(num, again.streams.select_dtypes("number").to_numpy(), equal_nan=True)
    # one class 'ag' is the original arithmetic: every silver in the lead concentrate's
    # carrier (galena), none paid in the copper concentrate beyond what galena brings
    k = default.kpis
    assert k["conc_pb_concentrate_ag_gpt"] > 10.0 * k["conc_cu_concentrate_ag_gpt"] > 0.0
    assert k["conc_cu_concentrate_payable_ag_oz_h"] == 0.0


def test_shipped_deportment_pays_fahlore_silver_in_the_copper_concentrate():
    """The shipped split (20 % native, 60 % in galena, 20 % in fahlore [assumed])."""
    k = oreflow.simulate(POLY).kpis
    d = oreflow.simulate(parse_case(DEFAULT_TEXT, str(POLY))).kpis
    assert (
        k["conc_cu_concentrate_payable_ag_oz_h"] > 0.0 == d["conc_cu_concentrate_payable_ag_oz_h"]
    )
    assert k["conc_pb_concentrate_ag_gpt"] < d["conc_pb_concentrate_ag_gpt"]


def test_silver_deportment_errors():
    text = silver_case_text(DEFAULT_TEXT, None)
    with pytest.raises(CaseError, match="split the silver between"):
        parse_case(text, "x.toml")
    bad = silver_case_text(DEFAULT_TEXT, {"ag": 0.5, "acanthite": 0.2})
    with pytest.raises(CaseError, match="silver deportment must sum to 1"):
        parse_case(bad, "x.toml")
    bad = silver_case_text(DEFAULT_TEXT, {"ag": 0.5, "galena": 0.5})
    with pytest.raises(CaseError, match="'galena' is not a silver class"):
        parse_case(bad, "x.toml")
    no_carrier = silver_case_text(DEFAULT_TEXT, SPLIT).replace(
        '[units.zn_cleaner2.kinetics.ag_galena]\ncarrier = "galena"\n', ""
    )
    with pytest.raises(CaseError, match="no flotation kinetics for silver species ag_galena"):
        parse_case(no_carrier, "x.toml")


def _cil_batch(deportments: list[dict[str, float]]) -> dict[str, np.ndarray]:
    plant = compile_case(load_case(CN))
    overrides = {
        f"ore.feed.silver_deportment.{c}": np.array([d.get(c, 0.0) for d in deportments])
        for c in ("ag", "acanthite", "ag_tetrahedrite")
    }
    sim = simulate_plant(plant, n_cases=len(deportments), overrides=overrides)
    return sim.units["cil"].metrics


def test_cyanide_silver_extraction_falls_as_the_refractory_share_rises():
    shares = np.linspace(0.0, 1.0, 6)
    m = _cil_batch([{"ag": 1.0 - s, "ag_tetrahedrite": s} for s in shares])
    e = m["ag_leach_extraction_frac"]
    assert np.all(np.diff(e) < 0)
    # each class leaches on its own: extraction is the share-weighted mean of the classes
    np.testing.assert_allclose(e, (1 - shares) * e[0] + shares * e[-1], rtol=1e-9)
    assert np.all(np.diff(m["ag_to_carbon_frac"]) < 0)


def test_silver_class_extractions_sized_as_the_sources():
    m = _cil_batch([{"ag": 1.0}, {"acanthite": 1.0}, {"ag_tetrahedrite": 1.0}])
    e = m["ag_leach_extraction_frac"]
    tau_h, n = 4.0, 6  # the case's 6 tanks of 4 h
    for i, name in ((1, "acanthite"), (2, "ag_tetrahedrite")):
        closed = 1.0 - (1.0 + CYANIDE_K_PER_H[name] * tau_h) ** -n
        assert e[i] == pytest.approx(closed, rel=0.05), name
    # native silver > acanthite > silver in fahlore, fahlore's largely refractory
    assert e[0] > e[1] > e[2]
    assert e[2] < 0.1 * e[0]


def test_acanthite_sulfur_closes_through_the_leach():
    r = oreflow.simulate(CN)
    el = r.closure[r.closure["view"] == "element"].set_index("name")
    for name in ("ag", "s", "sb", "cu"):
        assert abs(el.loc[name, "rel_err"]) < 1e-9, name
    assert r.kpis["silver_recovery_frac"] > 0


def _heap_text(deportment: dict[str, float]) -> str:
    """The cyanide heap + CIC + elution + electrowinning + doré test case, silver split."""
    t = (CASES / "tests" / "cn_heap_cic.toml").read_text()
    t = t.replace(
        'solids = ["gangue", "au_free", "ag"]',
        'solids = ["gangue", "au_free", "ag", "acanthite", "ag_tetrahedrite"]',
    )
    t = t.replace('"ag_aq", "nacn"]', '"ag_aq", "nacn", "scn"]')
    table = "".join(f"{k} = {v!r}\n" for k, v in deportment.items())
    t = t.replace("[ore.heap.psd]", f"[ore.heap.silver_deportment]\n{table}\n[ore.heap.psd]")
    rates = {"acanthite": 0.01, "ag_tetrahedrite": 0.002}  # 1/d, slower than native silver
    leach = "".join(
        f"[units.heap.leach.{k}]\nk_per_d = {v}\nultimate_frac = 1.0\n" for k, v in rates.items()
    )
    return t.replace("[units.columns]", f"{leach}\n[units.columns]")


def test_silver_classes_through_a_heap_to_the_dore():
    """Every class's silver closes from the heap through carbon to doré and residue."""
    produced = []
    for dep in (
        {"ag": 1.0, "acanthite": 0.0, "ag_tetrahedrite": 0.0},
        {"ag": 0.4, "acanthite": 0.4, "ag_tetrahedrite": 0.2},
        {"ag": 0.0, "acanthite": 0.2, "ag_tetrahedrite": 0.8},
    ):
        r = oreflow.simulate(parse_case(_heap_text(dep), str(CASES / "tests" / "cn_heap_cic.toml")))
        el = r.closure[r.closure["view"] == "element"].set_index("name")
        assert abs(el.loc["ag", "rel_err"]) < 1e-9 and abs(el.loc["s", "rel_err"]) < 1e-9
        produced.append(r.kpis["silver_recovery_frac"])
    assert produced[0] > produced[1] > produced[2] > 0
    # all native silver is the shipped test case exactly
    assert produced[0] == pytest.approx(
        oreflow.simulate(CASES / "tests" / "cn_heap_cic.toml").kpis["silver_recovery_frac"],
        rel=1e-12,
    )
