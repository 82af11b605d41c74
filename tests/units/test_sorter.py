"""Ore sorter: Robben & Wotruba 2019; docs/models.md#sorter (ex05) through a case, the species split, and the shipped case."""

import json
from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.cli import main
from oreflow.conventions import RTOL_CLOSURE, RTOL_EXACT, RTOL_RECYCLE_CLOSURE
from oreflow.errors import CaseError
from oreflow.flowsheet.case import parse_case
from oreflow.kernels.separation import sorting_split

ROOT = Path(__file__).resolve().parents[2] / "cases"
CASE = ROOT / "tests" / "pre_ex05_sorter.toml"
SHIPPED = ROOT / "low_grade_preconcentration.toml"
ATOL_6_DECIMALS = 5e-7


def metrics(result, unit):
    return result.units.query("unit == @unit").set_index("metric")["value"]


@pytest.mark.parametrize(
    ("sensor", "mass", "metal", "grade", "upgrade"),
    [(0.0, 0.376187, 0.064822, 2.2487, 1.4991), (0.5, 0.385434, 0.080917, 2.2432, 1.4955)],
)
def test_sorter_reproduces_ex05(sensor, mass, metal, grade, upgrade):
    r = oreflow.simulate(CASE, overrides={"units.sorter.sensor_sigma": sensor})
    assert r.kpis["closure_max_rel"] <= RTOL_CLOSURE
    m = metrics(r, "sorter")
    assert m["closure_max_rel"] <= RTOL_CLOSURE
    assert m["sorted_feed_au_gpt"] == pytest.approx(1.5, rel=RTOL_EXACT)
    assert m["mass_rejected_frac"] == pytest.approx(mass, abs=ATOL_6_DECIMALS)
    assert m["au_lost_frac"] == pytest.approx(metal, abs=ATOL_6_DECIMALS)
    assert m["product_au_gpt"] == pytest.approx(grade, abs=5e-5)
    assert m["upgrade_ratio"] == pytest.approx(upgrade, abs=5e-5)
    assert r.kpis["sorting_rejected_frac"] == pytest.approx(m["mass_rejected_frac"], rel=1e-12)
    s = r.streams
    assert s.loc["sorter.reject", "water_tph"] / s.loc["ore.rom", "water_tph"] == pytest.approx(
        m["mass_rejected_frac"], rel=1e-12
    )


def _with_pyrite(text, frac=None):
    text = text.replace(
        'solids = ["gangue", "au_free"]', 'solids = ["gangue", "pyrite", "au_free"]'
    )
    text = text.replace("[ore.rom.psd]", "[ore.rom.mineralogy]\npyrite = 0.03\n[ore.rom.psd]")
    if frac is not None:
        text += f"[units.sorter.metal_carriers.pyrite]\nfrac = {frac}\n"
    return text


@pytest.mark.parametrize("frac", [None, 1.0, 0.5])
def test_species_split_keeps_the_grade_model(write_case, frac):
    r = oreflow.simulate(write_case(_with_pyrite(CASE.read_text(), frac)))
    assert r.kpis["closure_max_rel"] <= RTOL_CLOSURE
    m_r, loss = sorting_split(1.5, 1.2, 0.5, 0.0)
    m = metrics(r, "sorter")
    assert m["mass_rejected_frac"] == pytest.approx(m_r, rel=1e-12)  # total mass: M_r
    assert m["au_lost_frac"] == pytest.approx(loss, rel=1e-12)  # gold: L
    s = r.streams
    py = s.loc["sorter.reject", "pyrite_tph"] / s.loc["ore.rom", "pyrite_tph"]
    gangue = s.loc["sorter.reject", "gangue_tph"] / s.loc["ore.rom", "gangue_tph"]
    share = 0.0 if frac is None else frac
    assert py == pytest.approx(share * loss + (1 - share) * gangue, rel=1e-12)
    if frac:
        assert gangue > m_r > py  # the rock sheds more mass to keep the sulfides


def test_fines_bypass_the_sensor(write_case):
    text = CASE.read_text().replace("min_size_mm = 0.0", "min_size_mm = 40.0")
    r = oreflow.simulate(write_case(text))
    m = metrics(r, "sorter")
    by = r.streams_by_size.set_index(["stream", "upper_um"])
    reject = by.loc["sorter.reject", "gangue_tph"]
    rep = np.sqrt(reject.index.to_numpy() * np.append(reject.index.to_numpy()[1:], np.nan))
    rep[-1] = reject.index[-1] / np.sqrt(2.0)
    assert (reject[rep < 40000.0] == 0.0).all()
    assert (reject[rep >= 40000.0] > 0.0).all()
    assert m["sorted_feed_frac"] < 1.0
    assert m["mass_rejected_frac"] == pytest.approx(
        m["sorted_feed_frac"] * m["sorted_mass_rejected_frac"], rel=1e-9
    )


def test_higher_cutoff_rejects_more_and_loses_more():
    cutoffs = [1e-6, 0.2, 0.5, 1.0, 3.0, 1e4]
    frame = oreflow.simulate_batch(CASE, {"units.sorter.cutoff_gpt": cutoffs})
    assert np.all(np.diff(frame["sorting_rejected_frac"]) > 0)
    assert np.all(np.diff(frame["sorting_au_lost_frac"]) > 0)
    assert frame["sorting_rejected_frac"].iloc[0] < 1e-12  # no cutoff: nothing rejected
    assert frame["sorting_rejected_frac"].iloc[-1] == pytest.approx(1.0, abs=1e-12)
    assert (frame["sorting_au_lost_frac"] < frame["sorting_rejected_frac"]).iloc[1:-1].all()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("grade_sigma = 1.2\n", "", "missing required key"),
        ("grade_sigma = 1.2", "grade_sigma = -1.2", "out of range"),
        ("cutoff_gpt = 0.5", "cutoff_gpt = 0.0", "out of range"),
        (
            "min_size_mm = 0.0",
            "min_size_mm = 0.0\n[units.sorter.metal_carriers.au_free]",
            "gold species",
        ),
        (
            "min_size_mm = 0.0",
            "min_size_mm = 0.0\n[units.sorter.metal_carriers.quartz]",
            "not a declared",
        ),
    ],
)
def test_sorter_nonsense_is_a_case_error(old, new, message):
    text = CASE.read_text()
    assert old in text
    with pytest.raises(CaseError, match=message):
        parse_case(text.replace(old, new, 1), "s.toml")


# ------------------------------------------------------------------ the shipped case
def test_low_grade_preconcentration_runs_through_the_cli(capsys):
    assert main(["run", str(SHIPPED), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "ok"
    assert doc["closure"]["max_rel"] <= RTOL_RECYCLE_CLOSURE
    assert doc["kpis"]["gold_recovery_frac"] > 0.5


def test_low_grade_preconcentration_through_the_api():
    r = oreflow.simulate(oreflow.bundled_case("low_grade_preconcentration"))
    k = r.kpis
    assert k["closure_max_rel"] <= RTOL_RECYCLE_CLOSURE
    assert (r.units.query("metric == 'closure_max_rel'")["value"] <= RTOL_CLOSURE).all()
    assert k["au_head_gpt"] == pytest.approx(0.8, rel=1e-12)
    # sorting rejects a fifth of the ore for a few percent of the gold
    assert 0.1 < k["sorting_rejected_frac"] < 0.4
    assert k["sorting_au_lost_frac"] < 0.5 * k["sorting_rejected_frac"]
    # the leach treats a few percent of the ore: the "smaller leach"
    assert k["flotation_concentrate_frac"] < 0.05
    s = r.streams
    assert s.loc["cil.tails", "solids_tph"] < 0.05 * k["ore_tph"]
    assert s.loc["cleaner.concentrate", "au_gpt"] > 20.0 * k["au_head_gpt"]
    # the regrind grinds to its 25 um target; its discharge also carries the worn media
    # (steel, in the finest class: oreflow.units.media_wear), a little finer
    assert metrics(r, "regrind")["p80_um"] == pytest.approx(25.0, rel=1e-9)
    assert s.loc["regrind.discharge", "p80_um"] == pytest.approx(25.0, rel=1e-3)
    assert 100.0 < metrics(r, "ball_mill")["circuit_p80_um"] < 160.0
    # flotation tails carry no cyanide: their storage is the cyanide-free residue
    assert metrics(r, "flotation_tails")["nacn_kg_h"] == 0.0
    assert 0.5 < k["gold_recovery_frac"] < 0.8
    for unit in ("sag", "ball_mill", "rougher", "scavenger", "cleaner", "regrind"):
        assert metrics(r, unit)["power_kw"] > 0.0
