"""SAG mill, regrind mill, screen and the ball mill's GRG option: kernels and units.

Worked examples: worked example ex01 (Austin SAG power 8752.4 kW; Morrell Mib 750 -> 75 µm
11.0847 kWh/t; regrind case 3 Rowland factors 1.21294).
"""

import math
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

import oreflow
from oreflow.conventions import RTOL_CLOSURE, RTOL_EXACT, RTOL_RECYCLE_CLOSURE, RTOL_WORKED_EXAMPLE
from oreflow.errors import CaseError
from oreflow.flowsheet.case import parse_case
from oreflow.kernels import comminution_energy as ce
from oreflow.kernels import grind_size as gs
from oreflow.kernels import psd

CASES = Path(__file__).resolve().parents[2] / "cases" / "tests"
SAG_CASE = CASES / "comm_sag_trommel.toml"
REGRIND_CASE = CASES / "comm_ex01_regrind.toml"
GRAVITY_CASE = CASES / "pre_ex05_gravity.toml"
#: Bisection on ln(size) to 1e-15: sizes agree to about 1e-13 relative.
RTOL_BISECTION = 1e-10


@pytest.fixture(params=["jit", "python"])
def k(request):
    """Return a kernel as compiled by numba, or as the plain Python it came from."""

    def get(fn):
        return fn if request.param == "jit" else getattr(fn, "py_func", fn)

    return get


def metrics(result, unit):
    return result.units.query("unit == @unit").set_index("metric")["value"]


def assert_closes(result, rtol=RTOL_RECYCLE_CLOSURE):
    assert result.kpis["closure_max_rel"] <= rtol
    per_unit = result.units.query("metric == 'closure_max_rel'")["value"]
    assert (per_unit <= RTOL_CLOSURE).all(), per_unit


# ------------------------------------------------------------------ kernels
def test_morrell_inverse_reproduces_ex01(k):
    # ex01: Mib 20, 750 -> 75 µm costs 11.0847 kWh/t
    t80 = k(gs.sag_product_size_um)(11.0847, 750.0, 18.0, 20.0, math.nan)
    assert t80 == pytest.approx(75.0, rel=RTOL_WORKED_EXAMPLE)
    energy = ce.morrell_energy_kwh_t(20.0, 750.0, 75.0)
    t80 = k(gs.sag_product_size_um)(energy, 750.0, 18.0, 20.0, math.nan)
    assert t80 == pytest.approx(75.0, rel=RTOL_BISECTION)


def test_sag_transfer_size_inverts_morrell_in_both_sections(k):
    f = k(gs.sag_product_size_um)
    f80, mia, mib = 100000.0, 18.0, 20.0
    coarse = ce.morrell_energy_kwh_t(mia, f80, 2000.0)
    assert f(coarse, f80, mia, mib, math.nan) == pytest.approx(2000.0, rel=RTOL_BISECTION)
    to_750 = ce.morrell_energy_kwh_t(mia, f80, 750.0)
    both = to_750 + ce.morrell_energy_kwh_t(mib, 750.0, 300.0)
    assert f(both, f80, mia, mib, math.nan) == pytest.approx(300.0, rel=RTOL_BISECTION)
    # without Mib, Bond's law takes over below 750 µm
    bond = to_750 + ce.bond_energy_kwh_t(14.0, 750.0, 300.0)
    assert f(bond, f80, mia, math.nan, 14.0) == pytest.approx(300.0, rel=RTOL_EXACT)
    assert f(0.0, f80, mia, mib, math.nan) == f80  # no energy, no grinding
    sizes = [f(e, f80, mia, mib, 14.0) for e in (1.0, 4.0, 8.0, 12.0, 20.0)]
    assert np.all(np.diff(sizes) < 0)  # more energy, finer product


def test_bond_product_size_inverts_bond(k):
    w = ce.bond_energy_kwh_t(14.0, 2000.0, 75.0)
    assert k(gs.bond_product_size_um)(w, 2000.0, 14.0) == pytest.approx(75.0, rel=RTOL_EXACT)
    assert k(gs.bond_product_size_um)(0.0, 2000.0, 14.0) == 2000.0


def test_regrind_energy_reproduces_ex01_case3(k):
    e = k(ce.regrind_energy_kwh_t)(15.0, 150.0, 38.0, 2.0)
    ef = ce.rowland_factors(15.0, 150.0, 38.0, 2.0, False, 0.0)
    assert ef[2] == pytest.approx(1.04057, abs=5e-6)
    assert ef[4] == pytest.approx(1.11009, abs=5e-6)
    assert ef[5] == pytest.approx(1.05005, abs=5e-6)
    assert ef[-1] == pytest.approx(1.21294, abs=5e-6)
    assert e == pytest.approx(ce.bond_energy_kwh_t(15.0, 150.0, 38.0) * ef[-1], rel=RTOL_EXACT)
    assert e == pytest.approx(12.0857 * 1.21294, rel=RTOL_WORKED_EXAMPLE)
    # no diameter: the Bond reference mill, EF3 = 1
    assert k(ce.regrind_energy_kwh_t)(15.0, 150.0, 38.0, 0.0) == pytest.approx(
        e / ef[2], rel=RTOL_EXACT
    )


def test_regrind_energy_never_falls_as_the_product_gets_finer(k):
    f = k(ce.regrind_energy_kwh_t)
    p80 = np.geomspace(5.0, 149.999, 400)  # reduction ratios from 30 down to 1
    energy = np.array([f(15.0, 150.0, p, 2.0) for p in p80])
    assert np.all(np.diff(energy) < 0)
    assert f(15.0, 150.0, 150.0, 2.0) == 0.0
    assert f(15.0, 150.0, 200.0, 2.0) == 0.0
    assert energy[-1] < 1e-4  # continuous at P80 = F80
    # Rowland's EF7 as printed would make Rr = 1.45 dearer than Rr = 1.6
    raw = [
        ce.bond_energy_kwh_t(15.0, 150.0, 150.0 / r)
        * ce.rowland_factors(15.0, 150.0, 150.0 / r, 2.0, False, 0.0)[-1]
        for r in (1.45, 1.6)
    ]
    assert raw[0] > raw[1]


def test_regrind_product_size_inverts_the_energy(k):
    for p80 in (10.0, 38.0, 100.0, 140.0):
        e = ce.regrind_energy_kwh_t(15.0, 150.0, p80, 2.0)
        assert k(gs.regrind_product_size_um)(e, 15.0, 150.0, 2.0) == pytest.approx(
            p80, rel=RTOL_BISECTION
        )
    assert k(gs.regrind_product_size_um)(0.0, 15.0, 150.0, 2.0) == 150.0


EDGES = 64000.0 / np.sqrt(2.0) ** np.arange(20)


def _feed():
    f = psd.class_fractions_rrb(EDGES, 20000.0, 1.1)
    g = psd.class_fractions_rrb(EDGES, 8000.0, 0.7)  # a finer second species
    return np.stack([100.0 * f, 3.0 * g], axis=1)


def survival(k):
    """``survival_product_into`` as an allocating call ``(feed, edges, x63, n)``."""

    def run(feed, edges_um, x63_um, modulus):
        out = np.empty_like(feed)
        k(gs.survival_product_into)(out, feed, edges_um, x63_um, modulus)
        return out

    return run


def test_survival_product_conserves_each_species_and_never_coarsens(k):
    feed = _feed()
    prod = survival(k)(feed, EDGES, 3000.0, 0.8)
    assert_allclose(prod.sum(axis=0), feed.sum(axis=0), rtol=1e-14)
    assert np.all(prod >= 0.0)
    coarser_feed = np.cumsum(feed, axis=0)[:-1]
    coarser_prod = np.cumsum(prod, axis=0)[:-1]
    assert np.all(coarser_prod <= coarser_feed * (1 + 1e-14))
    assert_allclose(survival(k)(feed, EDGES, math.inf, 0.8), feed, rtol=RTOL_EXACT)
    everything = survival(k)(feed, EDGES, 0.0, 0.8)
    assert_allclose(everything[-1], feed.sum(axis=0), rtol=1e-14)


def test_grind_to_p80_batch_reaches_the_target(k):
    feed = np.stack([_feed(), _feed()])
    target = np.array([1500.0, 1e9])
    prod, x63 = k(gs.grind_to_p80_batch)(feed, EDGES, target, np.array([0.7, 0.7]))
    p80 = psd.passing_size_um(EDGES, prod[0].sum(axis=1), 0.8)
    assert p80 == pytest.approx(1500.0, rel=RTOL_BISECTION)
    assert_allclose(prod[0].sum(axis=0), feed[0].sum(axis=0), rtol=1e-13)
    assert x63[1] == math.inf  # a target above the feed P80 grinds nothing
    assert_allclose(prod[1], feed[1], rtol=RTOL_EXACT)


# ------------------------------------------------------------------ SAG mill
def test_sag_mill_uses_austin_power_of_ex01_and_morrell_transfer_size():
    r = oreflow.simulate(SAG_CASE)
    assert_closes(r)
    sag = metrics(r, "sag")
    assert sag["power_kw"] == pytest.approx(8752.4, rel=RTOL_WORKED_EXAMPLE)
    energy = sag["power_kw"] / sag["mill_feed_tph"]
    assert sag["specific_energy_kwh_t"] == pytest.approx(energy, rel=RTOL_EXACT)
    expected = gs.sag_product_size_um(energy, sag["f80_um"], 18.0, math.nan, 14.0)
    assert sag["t80_um"] == pytest.approx(expected, rel=RTOL_EXACT)
    assert sag["product_p80_um"] == pytest.approx(sag["t80_um"], rel=RTOL_BISECTION)
    assert r.streams.loc["sag.discharge", "p80_um"] == pytest.approx(sag["t80_um"], rel=1e-9)
    assert 300.0 < sag["t80_um"] < 3000.0  # a SAG transfer size, not a ball-mill product
    # water is added at the feed to the slurry density of the power model
    assert r.streams.loc["sag.discharge", "solids_pct"] == pytest.approx(80.0, rel=1e-12)
    assert sag["use_media_kg_h"] == pytest.approx(0.02 * sag["power_kw"], rel=RTOL_EXACT)
    # the pebble recycle converged: the trommel oversize goes back to the SAG feed
    assert "trommel.oversize" in r.meta["tears"]
    assert r.streams.loc["trommel.oversize", "solids_tph"] > 0.0


def test_more_sag_power_grinds_finer_and_no_power_changes_nothing(write_case):
    frame = oreflow.simulate_batch(SAG_CASE, {"units.sag.austin_k_factor": [5.0, 10.6, 20.0]})
    assert frame["mill_power_kw"].is_monotonic_increasing
    t80 = []
    for kf in (5.0, 10.6, 20.0):
        r = oreflow.simulate(SAG_CASE, overrides={"units.sag.austin_k_factor": kf})
        t80.append(metrics(r, "sag")["t80_um"])
    assert np.all(np.diff(t80) < 0)
    # an open-circuit mill (without power, a closed one would only accumulate pebbles)
    text = SAG_CASE.read_text().replace('inlets.pebbles = "trommel.oversize"\n', "")
    text += '[units.pebbles]\ntype = "product"\ninlets.feed = "trommel.oversize"\nkind = "concentrate"\n'
    open_circuit = write_case(text)
    r = oreflow.simulate(open_circuit, overrides={"units.sag.austin_k_factor": 1e-9})
    assert r.streams.loc["sag.discharge", "p80_um"] == pytest.approx(
        r.streams.loc["sag_feed.out", "p80_um"], rel=1e-6
    )


def test_sag_bond_model_and_harder_ore(write_case):
    text = SAG_CASE.read_text().replace(
        "mia_kwh_t = 18.0", 'energy_model = "bond"\nwi_kwh_t = 16.0'
    )
    r = oreflow.simulate(write_case(text))
    sag = metrics(r, "sag")
    expected = gs.bond_product_size_um(sag["specific_energy_kwh_t"], sag["f80_um"], 16.0)
    assert sag["t80_um"] == pytest.approx(expected, rel=RTOL_EXACT)
    hard = oreflow.simulate(SAG_CASE, overrides={"units.sag.mia_kwh_t": 24.0})
    assert metrics(hard, "sag")["t80_um"] > metrics(oreflow.simulate(SAG_CASE), "sag")["t80_um"]


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        ("mia_kwh_t = 18.0\n", "units.sag.mia_kwh_t"),
        ("diameter_m = 10.36\n", "units.sag.diameter_m"),
        ("ball_fill_frac = 0.12", "units.sag.ball_fill_frac"),
        ("total_fill_frac = 0.28", "units.sag.total_fill_frac"),
    ],
)
def test_sag_mill_nonsense_is_a_case_error(edit, key):
    replacement = {
        "mia_kwh_t = 18.0\n": "",
        "diameter_m = 10.36\n": "",
        "ball_fill_frac = 0.12": "ball_fill_frac = 0.29",
        "total_fill_frac = 0.28": "total_fill_frac = -0.28",
    }[edit]
    text = SAG_CASE.read_text().replace(edit, replacement)
    with pytest.raises(CaseError) as info:
        parse_case(text, "sag.toml")
    assert key in {p.key for p in info.value.problems}


# ------------------------------------------------------------------ regrind mill
def test_regrind_mill_reproduces_ex01_case3():
    r = oreflow.simulate(REGRIND_CASE)
    assert_closes(r, RTOL_CLOSURE)
    m = metrics(r, "regrind")
    assert m["f80_um"] == pytest.approx(150.0, rel=1e-9)
    assert m["p80_um"] == pytest.approx(38.0, rel=RTOL_BISECTION)
    assert m["rowland_factor"] == pytest.approx(1.21294, abs=5e-6)
    assert m["bond_energy_kwh_t"] == pytest.approx(12.0857, rel=RTOL_WORKED_EXAMPLE)
    assert m["specific_energy_kwh_t"] == pytest.approx(
        ce.regrind_energy_kwh_t(15.0, 150.0, 38.0, 2.0), rel=1e-9
    )
    assert m["power_kw"] == pytest.approx(20.0 * m["specific_energy_kwh_t"], rel=RTOL_EXACT)
    assert r.kpis["mill_power_kw"] == pytest.approx(m["power_kw"], rel=RTOL_EXACT)


@pytest.mark.parametrize("mode", ["specific_energy_kwh_t", "power_kw"])
def test_regrind_energy_and_power_modes_invert_the_target_mode(write_case, mode):
    e = ce.regrind_energy_kwh_t(15.0, 150.0, 38.0, 2.0)
    value = e if mode == "specific_energy_kwh_t" else 20.0 * e
    text = REGRIND_CASE.read_text().replace("target_p80_um = 38.0", f"{mode} = {float(value)!r}")
    m = metrics(oreflow.simulate(write_case(text)), "regrind")
    assert m["p80_um"] == pytest.approx(38.0, rel=1e-8)
    assert m["specific_energy_kwh_t"] == pytest.approx(e, rel=RTOL_EXACT)


def test_finer_regrind_never_costs_less_and_no_grinding_costs_nothing():
    targets = [15.0, 25.0, 38.0, 75.0, 120.0, 149.0, 200.0]
    frame = oreflow.simulate_batch(REGRIND_CASE, {"units.regrind.target_p80_um": targets})
    energy = frame["mill_power_kw"].to_numpy()
    assert np.all(np.diff(energy) <= 0)
    assert energy[-1] == 0.0
    r = oreflow.simulate(REGRIND_CASE, overrides={"units.regrind.target_p80_um": 200.0})
    assert r.streams.loc["regrind.discharge", "p80_um"] == pytest.approx(150.0, rel=1e-12)


def test_regrind_mode_errors():
    text = REGRIND_CASE.read_text()
    with pytest.raises(CaseError, match="exactly one of"):
        parse_case(
            text.replace("target_p80_um = 38.0", "target_p80_um = 38.0\npower_kw = 200.0"), "r.toml"
        )
    with pytest.raises(CaseError, match="exactly one of"):
        parse_case(text.replace("target_p80_um = 38.0\n", ""), "r.toml")
    with pytest.raises(CaseError, match="out of range"):
        parse_case(text.replace("target_p80_um = 38.0", "target_p80_um = -38.0"), "r.toml")


# ------------------------------------------------------------------ screen
def test_trommel_partition_water_and_closure():
    r = oreflow.simulate(SAG_CASE)
    tr = metrics(r, "trommel")
    assert tr["d50_um"] == pytest.approx(0.9 * 12000.0, rel=RTOL_EXACT)
    by = r.streams_by_size.set_index(["stream", "upper_um"]).filter(like="_tph")
    feed = by.loc["sag.discharge"].sum(axis=1)
    over = by.loc["trommel.oversize"].sum(axis=1)
    coarse = feed.index.to_numpy() > 12000.0 * np.sqrt(2.0) + 1e-6  # lower edge >= aperture
    assert_allclose(over[coarse], feed[coarse], rtol=1e-12)
    fines = over.iloc[-1] / feed.iloc[-1]
    assert fines == pytest.approx(0.02, abs=1e-4)  # the water split is the bypass
    s = r.streams
    assert s.loc["trommel.oversize", "water_tph"] == pytest.approx(
        0.02 * s.loc["sag.discharge", "water_tph"], rel=1e-12
    )
    assert 0.97 < tr["undersize_recovery_frac"] < 1.0


def test_screen_spray_water_and_sharper_cut(write_case):
    text = SAG_CASE.read_text().replace(
        "water_to_oversize_frac = 0.02", "water_to_oversize_frac = 0.02\nspray_water_t_t = 0.5"
    )
    r = oreflow.simulate(write_case(text))
    assert_closes(r)
    tr = metrics(r, "trommel")
    assert tr["spray_water_tph"] == pytest.approx(
        0.5 * r.streams.loc["sag.discharge", "solids_tph"], rel=RTOL_EXACT
    )
    with pytest.raises(CaseError, match="out of range"):
        parse_case(text.replace("aperture_um = 12000.0", "aperture_um = 0.0"), "s.toml")


# ------------------------------------------------------------------ ball mill and GRG
def test_ball_mill_turns_grg_into_free_gold_per_pass():
    r = oreflow.simulate(GRAVITY_CASE)
    assert_closes(r)
    s = r.streams
    grg_in = s.loc["mill_feed.out", "au_grg_tph"]
    grg_out = s.loc["mill.discharge", "au_grg_tph"]
    assert grg_out == pytest.approx(0.8 * grg_in, rel=1e-12)
    gold_in = grg_in + s.loc["mill_feed.out", "au_free_tph"]
    gold_out = grg_out + s.loc["mill.discharge", "au_free_tph"]
    assert gold_out == pytest.approx(gold_in, rel=1e-12)
    off = oreflow.simulate(GRAVITY_CASE, overrides={"units.mill.grg_loss_frac": 0.0})
    assert off.streams.loc["mill.discharge", "au_grg_tph"] == pytest.approx(
        off.streams.loc["mill_feed.out", "au_grg_tph"], rel=1e-12
    )


def test_grg_loss_needs_both_gold_species(mini_case_text):
    text = mini_case_text.replace("power_kw = 1500.0", "power_kw = 1500.0\ngrg_loss_frac = 0.2")
    with pytest.raises(CaseError, match="au_grg"):
        parse_case(text, "mini.toml")
