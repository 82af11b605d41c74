"""Hydrocyclone forms beside Lynch-Rao and Plitt: bypass = lambda x water split at a
given underflow density (a balance: checked exactly), and the Nageswararao correlations
(exponents not checked against a worked example: limiting cases, signs and sizes)."""

from pathlib import Path

import numpy as np
import pytest

from oreflow.flowsheet.case import parse_case
from oreflow.flowsheet.compile import compile_case
from oreflow.kernels.cyclone_forms import (
    hindered_settling,
    nageswararao_cyclone,
    nageswararao_pressure_kpa,
    water_split_rf,
)
from oreflow.solvers.results import build_results
from oreflow.solvers.simulate import simulate_plant

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "cases" / "free_milling_cil.toml"
LYNCH_RAO = "d50c_um = 80.0\nalpha = 3.0\nwater_to_underflow_frac = 0.30\n"

GEOMETRY = dict(dc_m=0.66, do_m=0.25, du_m=0.15, di_m=0.20, lc_m=0.90, theta_deg=12.0)


def _case(lines: str):
    text = CASE.read_text(encoding="utf-8")
    assert LYNCH_RAO in text
    text = text.replace(LYNCH_RAO, lines).replace(
        "[units.cyclone.modes]\nd50c_um = [65.0, 80.0, 95.0, 110.0]\n", ""
    )
    plant = compile_case(parse_case(text, str(CASE)))
    sim = simulate_plant(plant, n_cases=1)
    return sim, build_results(sim)


def _metrics(res, unit="cyclone"):
    u = res.units[res.units["unit"] == unit]
    return {m: float(v) for m, v in zip(u["metric"], u["value"], strict=True)}


# ---------------------------------------------------------------- water split


def test_water_split_gives_the_underflow_its_density():
    s, w = np.array([100.0, 100.0]), np.array([150.0, 150.0])
    ebar, cu = np.array([0.5, 0.5]), np.array([0.7, 0.7])
    for lam in (0.0, 0.5, 1.0, 1.5):
        rf = water_split_rf(s, w, ebar, cu, np.full(2, lam))
        under_solids = s * (lam * rf + (1 - lam * rf) * ebar)
        assert np.allclose(under_solids / (under_solids + rf * w), cu, rtol=1e-12)
    # lambda = 0: no bypass, Rf = k Ebar
    k = 100.0 * 0.3 / (0.7 * 150.0)
    assert water_split_rf(s[:1], w[:1], ebar[:1], cu[:1], np.zeros(1))[0] == pytest.approx(k * 0.5)
    # a denser underflow takes less water; more classified solids, more water
    dense = water_split_rf(s, w, ebar, np.full(2, 0.8), np.ones(2))
    assert np.all(dense < water_split_rf(s, w, ebar, cu, np.ones(2)))
    assert np.all(water_split_rf(s, w, ebar + 0.1, cu, np.ones(2)) > dense * 0)
    # not enough water for so dilute an underflow: all the water, never more
    assert water_split_rf(s, np.array([10.0, 10.0]), ebar, np.full(2, 0.1), np.ones(2))[0] == 1.0


def test_water_split_cyclone_in_the_milling_circuit():
    sim, res = _case(
        'model = "water_split"\nd50c_um = 80.0\nalpha = 3.0\n'
        "underflow_solids_target_frac = 0.74\nbypass_water_ratio = 1.0\n"
    )
    m = _metrics(res)
    assert m["underflow_solids_frac"] == pytest.approx(0.74, rel=1e-9)
    rf = m["water_to_underflow_frac"]
    assert 0.05 < rf < 0.6
    # lambda = 1: the finest solids follow the water (the sink class's partition = Rf)
    under, feed = sim.streams["cyclone.underflow"], sim.streams["cyclone_feed.out"]
    c = sim.plant.spec.comps
    fines_u = c.solids_view(under)[0, -1].sum()
    fines_f = c.solids_view(feed)[0, -1].sum()
    # (plus the sink's own small corrected partition)
    assert rf <= fines_u / fines_f <= rf + (1.0 - rf) * 0.02
    assert float(res.closure["rel_err"].max()) < 1e-8
    # a denser spigot setting sends less water down
    _, denser = _case(
        'model = "water_split"\nd50c_um = 80.0\nalpha = 3.0\nunderflow_solids_target_frac = 0.78\n'
    )
    assert _metrics(denser)["water_to_underflow_frac"] < rf


def test_water_split_needs_its_density():
    from oreflow.errors import CaseError

    with pytest.raises(CaseError, match="underflow_solids_target_frac"):
        _case('model = "water_split"\nd50c_um = 80.0\n')


# ---------------------------------------------------------------- Nageswararao


def _nag(q=300.0, cv=0.25, rho=1.6, kd0=1.0, kq0=1.0, kw0=1.0, **geom):
    g = {**GEOMETRY, **geom}
    out = nageswararao_cyclone(
        np.array([q]), np.array([cv]), np.array([rho]), *g.values(), kd0, kq0, kw0
    )
    return tuple(float(v[0]) for v in out)


def test_nageswararao_limits_signs_and_sizes():
    d50, p, rf = _nag()
    # the pressure-flow law inverted: Q = KQ0 Dc^2 (P/rho)^0.5 (...), so P goes as Q^2
    assert _nag(q=600.0)[1] == pytest.approx(4.0 * p, rel=1e-12)
    assert nageswararao_pressure_kpa(
        np.array([300.0]), np.array([1.6]), 0.66, 0.25, 0.20, 0.9, 12.0, 2.0
    )[0] == pytest.approx(p / 4.0, rel=1e-12)
    # the material constants scale their laws
    assert _nag(kd0=2.0)[0] == pytest.approx(2.0 * d50, rel=1e-12)
    assert _nag(kw0=0.5)[2] == pytest.approx(0.5 * rf, rel=1e-12)
    # more flow, more pressure: a finer cut and less water down
    d50_hi, _, rf_hi = _nag(q=450.0)
    assert d50_hi < d50 and rf_hi < rf
    # a wider vortex finder coarsens the cut; a wider spigot fines it and takes more water
    assert _nag(do_m=0.30)[0] > d50
    wide = _nag(du_m=0.18)
    assert wide[0] < d50 and wide[2] > rf
    # hindered settling: denser feed, coarser cut; lambda_h = 10^0 / 8.05 at Cv = 0
    assert _nag(cv=0.35)[0] > d50
    assert float(hindered_settling(0.0)) == pytest.approx(1.0 / 8.05)
    assert float(hindered_settling(0.3)) == pytest.approx(10**0.546 / (8.05 * 0.49))


def test_nageswararao_cyclone_in_the_milling_circuit():
    # constants of the size a survey would fit (about 35 kPa, a cut near 80 µm and a
    # third of the water down for four 66 cm cyclones), then KD0 calibrated on 80 µm
    base = (
        'model = "nageswararao"\nalpha = 3.0\ncount = 4\ndiameter_cm = 66.0\n'
        "vortex_finder_cm = 25.0\napex_cm = 15.0\ninlet_cm = 20.0\ncylinder_length_cm = 90.0\n"
        "cone_angle_deg = 12.0\nnageswararao_kq0 = 500.0\nnageswararao_kw0 = 6.0\n"
    )
    _, first = _case(base + "nageswararao_kd0 = 5e-5\n")
    d50_1 = _metrics(first)["d50c_um"]
    assert d50_1 > 0
    sim, res = _case(base + f"nageswararao_kd0 = {5e-5 * 80.0 / d50_1!r}\n")
    m = _metrics(res)
    assert 40.0 < m["d50c_um"] < 160.0  # the circuit's feed moved, the cut with it
    assert m["pressure_kpa"] > 0 and 0.0 < m["water_to_underflow_frac"] < 1.0
    assert float(res.closure["rel_err"].max()) < 1e-8
    assert sim.n_cases == 1
