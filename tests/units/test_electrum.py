"""Silver alloyed in electrum (``ag_electrum``) follows the free gold it is alloyed in.

Vehicles: the ex05 gravity circuit (``cases/tests/pre_ex05_gravity.toml``), the shipped
polymetallic flotation case and the silver-mineral CIL (``cases/tests/cn_silver_minerals.toml``),
each with a share of its silver given to electrum. The electrum silver has the PSD and
hydraulic density of the free gold and is split with it everywhere, so where the two
are fed in one ratio in every size class its recovery is the free gold's exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import oreflow
from oreflow.core.components import CATALOGUE
from oreflow.core.silver_minerals import ELECTRUM_GOLD, ORE_SILVER_SPECIES
from oreflow.flowsheet.case import parse_case

CASES = Path(__file__).resolve().parents[2] / "cases"
GRAVITY = CASES / "tests" / "pre_ex05_gravity.toml"
POLY = CASES / "polymetallic_flotation.toml"
CN = CASES / "tests" / "cn_silver_minerals.toml"


def _sub(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def gravity_results(mass_pull_frac: float = 0.0) -> oreflow.api.Results:
    """ex05 with 3 g/t silver, all of it in electrum (the only silver class)."""
    text = GRAVITY.read_text()
    text = _sub(text, '"au_grg", "au_free"]', '"au_grg", "au_free", "ag_electrum"]')
    text = _sub(text, "au_gpt = 5.0\n", "au_gpt = 5.0\nag_gpt = 3.0\n")
    text = _sub(text, "mass_pull_frac = 0.0", f"mass_pull_frac = {mass_pull_frac!r}")
    return oreflow.simulate(parse_case(text, str(GRAVITY)))


def metal_tph(streams, stream: str, element: str, species: tuple[str, ...] = ()) -> float:
    row = streams.loc[stream]
    names = species or tuple(s.name for s in CATALOGUE.values())
    return sum(
        row[f"{n}_tph"] * CATALOGUE[n].elements.get(element, 0.0)
        for n in names
        if f"{n}_tph" in row.index
    )


def test_electrum_in_the_catalogue():
    sp = CATALOGUE["ag_electrum"]
    assert "ag_electrum" in ORE_SILVER_SPECIES
    assert sum(sp.elements.values()) == pytest.approx(1.0, rel=1e-12)
    assert sp.elements == {"ag": pytest.approx(1.0)} and sp.au_frac == 0
    # it classifies with the gold grains it is alloyed in
    for gold in ELECTRUM_GOLD:
        assert sp.hydraulic_density_t_m3 == CATALOGUE[gold].hydraulic_density_t_m3


@pytest.mark.parametrize("mass_pull_frac", [0.0, 0.002])
def test_electrum_silver_follows_gravity_gold(mass_pull_frac):
    r = gravity_results(mass_pull_frac)
    s = r.streams
    gold = ("au_grg", "au_free")
    au_rec = metal_tph(s, "knelson.concentrate", "au", gold) / metal_tph(s, "ore.feed", "au", gold)
    ag_rec = s.loc["knelson.concentrate", "ag_electrum_tph"] / s.loc["ore.feed", "ag_electrum_tph"]
    if mass_pull_frac == 0.0:
        # ex05's closed form: 0.347938 of the GRG, half the gold is GRG
        assert au_rec == pytest.approx(0.5 * 0.347938, abs=1e-6)
    assert ag_rec == pytest.approx(au_rec, rel=1e-6)
    assert ag_rec > 0.1
    el = r.closure[r.closure["view"] == "element"].set_index("name")
    assert abs(el.loc["ag", "rel_err"]) < 1e-9
    assert s.loc["ore.feed", "ag_electrum_tph"] == pytest.approx(100.0 * 3.0 / 1e6, rel=1e-12)


def poly_results(electrum_share: float) -> oreflow.api.Results:
    """The shipped polymetallic case with part of its native silver as electrum."""
    text = POLY.read_text()
    text = _sub(text, '"ag_tetrahedrite", "au_free"', '"ag_tetrahedrite", "ag_electrum", "au_free"')
    text = _sub(
        text, "ag = 0.2 ", f"ag = {0.2 - electrum_share!r}\nag_electrum = {electrum_share!r} "
    )
    banks = [
        line.split(".")[1]
        for line in text.splitlines()
        if line.startswith("[units.") and line.endswith(".kinetics.au_free]")
    ]
    for bank in banks:
        head = f"[units.{bank}.kinetics.ag]\n"
        text = _sub(text, head, f'[units.{bank}.kinetics.ag_electrum]\ncarrier = "au_free"\n{head}')
    return oreflow.simulate(parse_case(text, str(POLY)))


def test_electrum_silver_floats_with_free_gold_and_closes():
    r = poly_results(0.15)
    s = r.streams
    feed_el = s.loc["ore.main", "ag_electrum_tph"]
    feed_au = s.loc["ore.main", "au_free_tph"]
    assert feed_el > 0
    for cake in ("cu_filter.cake", "pb_filter.cake", "zn_filter.cake"):
        au_share = s.loc[cake, "au_free_tph"] / feed_au
        assert s.loc[cake, "ag_electrum_tph"] / feed_el == pytest.approx(au_share, rel=1e-6), cake
    el = r.closure[r.closure["view"] == "element"].set_index("name")
    for name in ("ag", "au", "pb", "cu", "s"):
        assert abs(el.loc[name, "rel_err"]) < 1e-9, name
    out = sum(
        metal_tph(s, x, "ag")
        for x in ("cu_filter.cake", "pb_filter.cake", "zn_filter.cake", "zn_rougher.tails")
    )
    assert out == pytest.approx(metal_tph(s, "ore.main", "ag"), rel=1e-9)


def cn_results(electrum_share: float, k_per_h: float = 0.30) -> oreflow.api.Results:
    """The silver-mineral CIL with part of its native silver as electrum."""
    text = CN.read_text()
    text = _sub(text, '"ag_tetrahedrite"]', '"ag_tetrahedrite", "ag_electrum"]')
    text = _sub(
        text, "ag = 0.5\n", f"ag = {0.5 - electrum_share!r}\nag_electrum = {electrum_share!r}\n"
    )
    text = _sub(
        text,
        "[units.cil.leach.ag]\n",
        f"[units.cil.leach.ag_electrum]\nk_per_h = {k_per_h!r}\nultimate_frac = 0.97\n"
        "[units.cil.leach.ag]\n",
    )
    return oreflow.simulate(parse_case(text, str(CN)))


def test_electrum_silver_leaches_with_gold():
    r = cn_results(0.4)
    s = r.streams
    au_ext = 1.0 - s.loc["cil.tails", "au_free_tph"] / s.loc["ore.feed", "au_free_tph"]
    el_ext = 1.0 - s.loc["cil.tails", "ag_electrum_tph"] / s.loc["ore.feed", "ag_electrum_tph"]
    assert el_ext == pytest.approx(au_ext, rel=1e-9)
    assert 0.8 < el_ext < 0.97
    # electrum taken from the slower native silver raises the silver extraction
    base = oreflow.simulate(CN).kpis
    assert r.kpis["silver_recovery_frac"] > base["silver_recovery_frac"] + 0.02
    el = r.closure[r.closure["view"] == "element"].set_index("name")
    assert abs(el.loc["ag", "rel_err"]) < 1e-9


def test_electrum_needs_its_leach_kinetics_and_its_carrier():
    from oreflow.errors import CaseError

    text = CN.read_text()
    text = _sub(text, '"ag_tetrahedrite"]', '"ag_tetrahedrite", "ag_electrum"]')
    text = _sub(text, "ag = 0.5\n", "ag = 0.3\nag_electrum = 0.2\n")
    with pytest.raises(CaseError, match="no leach kinetics for silver species ag_electrum"):
        parse_case(text, "x.toml")
    poly = POLY.read_text()
    poly = _sub(poly, '"ag_tetrahedrite", "au_free"', '"ag_tetrahedrite", "ag_electrum", "au_free"')
    poly = _sub(poly, "ag = 0.2 ", "ag = 0.1\nag_electrum = 0.1 ")
    with pytest.raises(CaseError, match="no flotation kinetics for silver species ag_electrum"):
        parse_case(poly, "x.toml")
    # shares still sum to 1 with electrum
    bad = _sub(CN.read_text(), '"ag_tetrahedrite"]', '"ag_tetrahedrite", "ag_electrum"]')
    bad = _sub(bad, "ag = 0.5\n", "ag = 0.5\nag_electrum = 0.2\n")
    with pytest.raises(CaseError, match="silver deportment must sum to 1"):
        parse_case(bad, "x.toml")
    # electrum needs the free gold it is alloyed in
    heap = (CASES / "tests" / "cn_heap_cic.toml").read_text()
    heap = _sub(heap, '"au_free", "ag"]', '"au_sulfide", "ag", "ag_electrum"]')
    heap = _sub(heap, "[units.heap.leach.au_free]", "[units.heap.leach.au_sulfide]")
    heap = _sub(
        heap,
        "[ore.heap.psd]",
        "[ore.heap.silver_deportment]\nag = 0.5\nag_electrum = 0.5\n\n[ore.heap.psd]",
    )
    with pytest.raises(CaseError, match="electrum silver is alloyed in the free gold"):
        parse_case(heap, "x.toml")


def heap_results(electrum_share: float) -> oreflow.api.Results:
    """The cyanide heap + CIC + doré test case, part of its silver as electrum at the
    free gold's rate."""
    path = CASES / "tests" / "cn_heap_cic.toml"
    t = _sub(path.read_text(), '"au_free", "ag"]', '"au_free", "ag", "ag_electrum"]')
    table = f"ag = {1.0 - electrum_share!r}\nag_electrum = {electrum_share!r}\n"
    t = _sub(t, "[ore.heap.psd]", f"[ore.heap.silver_deportment]\n{table}\n[ore.heap.psd]")
    leach = "[units.heap.leach.ag_electrum]\nk_per_d = 0.10\nultimate_frac = 0.90\n"
    t = _sub(t, "[units.heap.leach.ag]\n", f"{leach}[units.heap.leach.ag]\n")
    return oreflow.simulate(parse_case(t, str(path)))


def test_electrum_silver_through_a_heap_leaches_with_gold():
    r = heap_results(1.0)
    m = r.units.query("unit == 'heap'").set_index("metric")["value"]
    assert m["ag_extraction_frac"] == pytest.approx(m["au_extraction_frac"], rel=1e-9)
    native = oreflow.simulate(CASES / "tests" / "cn_heap_cic.toml")
    m0 = native.units.query("unit == 'heap'").set_index("metric")["value"]
    assert m["ag_extraction_frac"] > m0["ag_extraction_frac"] + 0.1
    assert r.kpis["silver_recovery_frac"] > native.kpis["silver_recovery_frac"]
    el = r.closure[r.closure["view"] == "element"].set_index("name")
    assert abs(el.loc["ag", "rel_err"]) < 1e-9
