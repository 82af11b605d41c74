"""Differential (Cu-Pb-Zn) flotation on the shipped polymetallic case: balances, levers, liberation."""

import re
from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.conventions import G_PER_T, RTOL_RECYCLE_CLOSURE
from oreflow.core.components import CATALOGUE
from oreflow.errors import CaseError
from oreflow.flowsheet.case import parse_case

PATH = Path(__file__).resolve().parents[2] / "cases" / "polymetallic_flotation.toml"
TEXT = PATH.read_text(encoding="utf-8")
ORE_TPH = 60.0
MINERALOGY = {"chalcopyrite": 0.0075, "tetrahedrite": 0.0005, "tennantite": 0.0003}
MINERALOGY |= {"galena": 0.0347, "sphalerite": 0.1814, "pyrite": 0.1000}


def metrics(result, unit):
    return result.units.query("unit == @unit").set_index("metric")["value"]


def run(**overrides):
    return oreflow.simulate(PATH, overrides={f"units.{k}": v for k, v in overrides.items()})


@pytest.fixture(scope="module")
def shipped():
    return oreflow.simulate(PATH)


def test_species_are_complete_formulas():
    for name in ("galena", "sphalerite", "bornite", "tetrahedrite", "tennantite"):
        assert sum(CATALOGUE[name].elements.values()) == pytest.approx(1.0, rel=1e-12)
    # marmatitic sphalerite: 15 mol % FeS, 8.7 % Fe, 57.9 % Zn (ZnS alone: 67.1 %)
    sph = CATALOGUE["sphalerite"].elements
    assert sph["fe"] == pytest.approx(0.0872, abs=5e-5)
    assert sph["zn"] == pytest.approx(0.5788, abs=5e-5)
    assert CATALOGUE["galena"].elements["pb"] == pytest.approx(207.2 / (207.2 + 32.06))


def test_lead_zinc_and_antimony_close_over_the_plant(shipped):
    closure = shipped.closure.query("view == 'element'").set_index("name")
    rest = ORE_TPH * (1.0 - (1.5 + 60.0) / G_PER_T)  # ore less its gold and silver
    expected = {
        "pb": rest * MINERALOGY["galena"] * CATALOGUE["galena"].elements["pb"],
        "zn": rest * MINERALOGY["sphalerite"] * CATALOGUE["sphalerite"].elements["zn"],
        "sb": rest * MINERALOGY["tetrahedrite"] * CATALOGUE["tetrahedrite"].elements["sb"],
    }
    for el, tph in expected.items():
        row = closure.loc[el]
        assert row["in_tph"] == pytest.approx(tph, rel=1e-12)
        assert row["out_tph"] == pytest.approx(tph, rel=RTOL_RECYCLE_CLOSURE)
        assert row["rel_err"] <= RTOL_RECYCLE_CLOSURE
    # the mineral balance of every bank closes, recycles converged
    assert shipped.kpis["closure_max_rel"] <= RTOL_RECYCLE_CLOSURE
    for unit in ("cu_rougher", "pb_rougher", "pb_cleaner", "zn_rougher", "zn_cleaner2"):
        assert metrics(shipped, unit)["closure_max_rel"] <= RTOL_RECYCLE_CLOSURE


def test_each_concentrate_is_graded_and_priced_by_its_terms(shipped):
    k = shipped.kpis
    # grades of a working Cu-Pb-Zn plant (Wills & Finch 2016 §12.13: copper 20-30 %,
    # lead 55-75 %, zinc 45-55 %)
    assert 20.0 <= k["conc_cu_concentrate_cu_pct"] <= 30.0
    assert 55.0 <= k["conc_pb_concentrate_pb_pct"] <= 75.0
    assert 45.0 <= k["conc_zn_concentrate_zn_pct"] <= 55.0
    # lead paid 95 % with a 3 unit deduction, zinc 85 % with 8 units, at the case's prices
    pb, zn = k["conc_pb_concentrate_pb_pct"], k["conc_zn_concentrate_zn_pct"]
    pay_pb = min(0.95 * pb, pb - 3.0) / 100.0 * k["conc_pb_concentrate_dmt_h"]
    pay_zn = min(0.85 * zn, zn - 8.0) / 100.0 * k["conc_zn_concentrate_dmt_h"]
    assert k["conc_pb_concentrate_value_pb_usd_h"] == pytest.approx(pay_pb * 2000.0, rel=1e-12)
    assert k["conc_zn_concentrate_value_zn_usd_h"] == pytest.approx(pay_zn * 2600.0, rel=1e-12)
    assert k["revenue_pb_usd_h"] == pytest.approx(pay_pb * 2000.0, rel=1e-12)
    assert k["revenue_zn_usd_h"] == pytest.approx(pay_zn * 2600.0, rel=1e-12)
    # the zinc smelter's TC (2021 benchmark) per dry tonne, and the deleterious elements
    assert k["conc_zn_concentrate_tc_usd_h"] == pytest.approx(
        159.0 * k["conc_zn_concentrate_dmt_h"], rel=1e-12
    )
    assert k["conc_cu_concentrate_sb_pct"] > k["conc_pb_concentrate_sb_pct"] > 0.0
    assert k["conc_cu_concentrate_as_pct"] > 0.2  # tennantite: over the copper threshold
    assert k["conc_cu_concentrate_penalty_as_usd_h"] > 0.0


def test_more_zinc_sulfate_leaves_sphalerite_out_of_the_lead_concentrate():
    doses = (0.0, 150.0, 300.0, 600.0, 1000.0)
    runs = [run(**{"pb_rougher.znso4_g_t": d}) for d in doses]
    sph = [metrics(r, "pb_rougher")["sphalerite_recovery_frac"] for r in runs]
    zn_in_pb = [r.kpis["conc_pb_concentrate_zn_pct"] for r in runs]
    galena = [metrics(r, "pb_rougher")["galena_recovery_frac"] for r in runs]
    assert np.all(np.diff(sph) < 0) and np.all(np.diff(zn_in_pb) < 0)
    assert sph[-1] < 0.5 * sph[0]
    # galena responds weakly (c_half 5000 g/t): its loss stays within 3 points at 1 kg/t
    assert np.all(np.diff(galena) <= 0)
    assert galena[0] - galena[-1] <= 0.03


def test_sulfite_is_a_cyanide_free_depressant_that_also_slows_galena():
    base, sulfite = run(**{"pb_rougher.na2so3_g_t": 0.0}), run(**{"pb_rougher.na2so3_g_t": 400.0})
    b, s = metrics(base, "pb_rougher"), metrics(sulfite, "pb_rougher")
    assert s["sphalerite_recovery_frac"] < b["sphalerite_recovery_frac"]
    assert s["pyrite_recovery_frac"] < b["pyrite_recovery_frac"]
    assert s["galena_recovery_frac"] < b["galena_recovery_frac"]
    # dosed per tonne of bank feed solids, as the collector (30 g/t)
    assert s["use_na2so3_kg_h"] == pytest.approx(s["use_pax_kg_h"] * 400.0 / 30.0, rel=1e-12)


def test_more_copper_sulfate_floats_more_zinc():
    runs = [run(**{"zn_rougher.cuso4_g_t": d}) for d in (0.0, 150.0, 300.0, 600.0)]
    rec = [metrics(r, "zn_rougher")["zn_recovery_frac"] for r in runs]
    sold = [
        r.kpis["conc_zn_concentrate_dmt_h"] * r.kpis["conc_zn_concentrate_zn_pct"] for r in runs
    ]
    assert np.all(np.diff(rec) > 0) and np.all(np.diff(sold) > 0)
    assert rec[0] < 0.5 * rec[-1]  # unactivated sphalerite hardly floats


def test_lime_depresses_pyrite_in_the_zinc_rougher():
    rec = [
        metrics(run(**{"zn_rougher.ph": ph}), "zn_rougher")["pyrite_recovery_frac"]
        for ph in (10.0, 11.0, 12.0)
    ]
    assert np.all(np.diff(rec) < 0)


def test_grinding_and_regrinding_free_the_minerals_and_the_cleaner_responds():
    grinds = [run(**{"mill.target_p80_um": p}) for p in (150.0, 106.0, 75.0, 53.0)]
    free = [metrics(r, "cu_rougher")["chalcopyrite_free_frac"] for r in grinds]
    assert np.all(np.diff(free) > 0)
    regrinds = [run(**{"pb_regrind.target_p80_um": p}) for p in (60.0, 38.0, 25.0)]
    free = [metrics(r, "pb_cleaner")["galena_free_frac"] for r in regrinds]
    grade = [r.kpis["conc_pb_concentrate_pb_pct"] for r in regrinds]
    assert np.all(np.diff(free) > 0) and np.all(np.diff(grade) > 0)


def test_a_coarse_textured_ore_is_free_and_a_fine_one_locked():
    coarse = TEXT.replace("grain_um = 90.0", "grain_um = 100000.0")
    fine = TEXT.replace("grain_um = 90.0", "grain_um = 0.001")
    m_c = metrics(oreflow.simulate(parse_case(coarse, str(PATH))), "pb_rougher")
    m_f = metrics(oreflow.simulate(parse_case(fine, str(PATH))), "pb_rougher")
    assert m_c["galena_free_frac"] > 0.99
    assert m_f["galena_free_frac"] < 1e-6
    assert m_f["galena_recovery_frac"] < m_c["galena_recovery_frac"]


def test_bad_partner_and_carrier_are_reported_one_message_each():
    bad = TEXT.replace('partner = "sphalerite"', 'partner = "quartz"', 1).replace(
        'carrier = "galena"', 'carrier = "bornite"', 1
    )
    with pytest.raises(CaseError) as err:
        parse_case(bad, str(PATH))
    text = str(err.value)
    assert "units.cu_rougher.kinetics.galena.partner" in text
    assert "units.cu_rougher.kinetics.ag.carrier" in text


def test_more_water_to_the_froth_entrains_more_gangue_fines_first():
    dry, wet = (run(**{"zn_cleaner.water_recovery_frac": w}) for w in (0.05, 0.30))
    m_dry, m_wet = metrics(dry, "zn_cleaner"), metrics(wet, "zn_cleaner")
    assert m_wet["gangue_recovery_frac"] > m_dry["gangue_recovery_frac"]
    assert wet.kpis["conc_zn_concentrate_zn_pct"] < dry.kpis["conc_zn_concentrate_zn_pct"]
    g_dry, g_wet = (
        r.streams_by_size.query("stream == 'zn_cleaner.concentrate'")["gangue_tph"].to_numpy()
        for r in (dry, wet)
    )
    gain = (g_wet + 1e-12) / (g_dry + 1e-12)
    finest, coarse = gain[-1], gain[-8]
    assert finest > coarse > 1.0  # Savassi: the finest gangue follows the water most


def _class_recovery(result, feed, conc, species):
    by = result.streams_by_size.set_index(["stream", "upper_um"])[f"{species}_tph"]
    f, c = by.loc[feed], by.loc[conc]
    keep = f > 1e-9
    return (c[keep] / f[keep]).to_numpy(), f[keep].index.to_numpy()


def test_a_liberated_coarse_mineral_floats_to_its_r_inf_at_long_residence():
    # liberation counted once: a free coarse particle is slow (k falls at the coarse end)
    # but not barred from floating; before, R_inf fell to half at 200 um as well
    res = run(
        **{"cu_rougher.residence_min": 600.0, "cu_rougher.kinetics.chalcopyrite.grain_um": 1e5}
    )
    rec, upper = _class_recovery(res, "cu_feed.out", "cu_rougher.concentrate", "chalcopyrite")
    coarse = (upper > 200.0) & (upper <= 500.0)
    assert coarse.any()
    # R_inf 0.98 less the Klimpel distribution's slowest (k tau over 100 in every class)
    assert np.all(rec[coarse] >= 0.97) and np.all(rec[coarse] <= 1.0)
    # the old cap R_inf/(1 + (d/200)^2) would hold these classes at 0.38-0.60
    assert np.all(rec[coarse] > 0.98 / (1.0 + (upper[coarse] / 2**0.5 / 200.0) ** 2) + 0.3)


def _rougher_r_inf(text, rougher="cu_rougher"):
    """Each mineral's R_inf in a rougher of the case ({mineral: text of the value})."""
    sections = re.findall(rf"\[units\.{rougher}\.kinetics\.(\w+)\]\n((?:[^\[].*\n)*)", text)
    return {m: re.search(r"r_inf_frac = (\S+)", b)[1] for m, b in sections if "r_inf_frac" in b}


def _memoryless(text):
    """The case with its cleaners charging R_inf again, at the rougher's values."""
    r_inf = _rougher_r_inf(text)

    def add(m):
        return m.group(0) + f"r_inf_frac = {r_inf[m.group(1)]}\n"

    text = text.replace("froth_feed = true", "froth_feed = false")
    return re.sub(r"\[units\.\w+_cleaner2?\.kinetics\.(\w+)\]\nk_max_per_min = \S+\n", add, text)


def test_a_cleaner_of_froth_does_not_charge_the_non_floating_share_again():
    assert _rougher_r_inf(TEXT) == {
        "chalcopyrite": "0.98",
        "tetrahedrite": "0.93",
        "tennantite": "0.93",
        "galena": "0.98",
        "sphalerite": "0.98",
        "pyrite": "0.9",
        "au_free": "0.85",
    }
    memoryless = oreflow.simulate(parse_case(_memoryless(TEXT), str(PATH)))
    shipped = oreflow.simulate(PATH)
    for unit in ("zn_cleaner", "pb_cleaner", "cu_cleaner"):
        assert (
            metrics(shipped, unit)["zn_recovery_frac" if unit == "zn_cleaner" else "mass_pull_frac"]
            > metrics(memoryless, unit)[
                "zn_recovery_frac" if unit == "zn_cleaner" else "mass_pull_frac"
            ]
        )
    sold = [
        r.kpis["conc_zn_concentrate_dmt_h"] * r.kpis["conc_zn_concentrate_zn_pct"]
        for r in (memoryless, shipped)
    ]
    assert sold[1] > sold[0]
    # the default is a rougher's: R_inf charged
    assert "froth_feed = true" in TEXT and TEXT.count("froth_feed = true") == 6
    assert _memoryless(TEXT).count("r_inf_frac") == 9 * 7


def test_an_r_inf_frac_in_a_froth_feed_bank_is_an_input_error():
    """A cleaner floats its froth feed at R_inf = 1: an r_inf_frac there would do nothing."""
    given = TEXT.replace(
        "[units.cu_cleaner.kinetics.chalcopyrite]\nk_max_per_min = 2.5\n",
        "[units.cu_cleaner.kinetics.chalcopyrite]\nk_max_per_min = 2.5\nr_inf_frac = 0.98\n",
    )
    assert given != TEXT
    with pytest.raises(CaseError) as err:
        parse_case(given, str(PATH))
    found = err.value.problems
    assert [p.key for p in found] == ["units.cu_cleaner.kinetics.chalcopyrite.r_inf_frac"]
    assert "froth_feed" in found[0].message and "remove r_inf_frac" in found[0].message
    # per case too: an override would be just as dead
    with pytest.raises(CaseError, match=r"chalcopyrite\.r_inf_frac: not a per-case parameter"):
        run(**{"cu_cleaner.kinetics.chalcopyrite.r_inf_frac": 0.5})
    # a rougher still needs its own
    rougher = TEXT.replace("k_max_per_min = 0.3\nr_inf_frac = 0.9\n", "k_max_per_min = 0.3\n", 1)
    assert rougher != TEXT
    with pytest.raises(CaseError, match="give k_max_per_min and r_inf_frac, or the carrier"):
        parse_case(rougher, str(PATH))
