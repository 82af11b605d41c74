"""Freundlich and Fleming k-n forms of the carbon train (oreflow.kernels.adsorption_forms).

Parity with the Nicol-Fleming train where the forms coincide (n_F = 1, n = 1 with
k = k_NF K), the t^n law of fresh carbon, zero rate at the isotherm, the tank balances
of the non-linear forms, and monotonic responses to carbon and rate constant.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from oreflow.kernels.adsorption import adsorption_train_batch
from oreflow.kernels.adsorption_forms import (
    FORMS,
    adsorption_train_forms_batch,
    freundlich_loading_g_t,
    freundlich_tenor_mg_l,
    kn_batch_loading_g_t,
    kn_rate_g_t_h,
)

N_TANKS = 6
K_NF = 0.015  # 1/h
K_EQ = 1.0e4  # m3/t
SOURCE = np.array([5.0, 2.0, 1.0, 0.5, 0.2, 0.1]) * 200.0  # g/h dissolved per tank
FLOW = 300.0  # m3/h
CARBON_TPH = 0.5
CARBON_T = 30.0
BARREN = 50.0


def _args(n_met=1, carbon_t=CARBON_T, pregrob=0.0):
    """Train arguments of one case (gold, and silver with site competition if n_met = 2)."""
    src = np.zeros((1, N_TANKS, n_met))
    src[0, :, 0] = SOURCE
    if n_met == 2:
        src[0, :, 1] = 3.0 * SOURCE
    k = np.full((1, n_met), K_NF)
    keq = np.full((1, n_met), K_EQ)
    if n_met == 2:
        keq[0, 1] = 2.0e3
    molar = np.array([196.97, 107.87][:n_met])
    return (
        np.array([FLOW]),
        np.zeros((1, n_met)),
        src,
        np.array([CARBON_TPH]),
        np.full((1, n_met), BARREN),
        np.full((1, N_TANKS), carbon_t),
        k,
        keq,
        molar,
        np.array([3.0e4 if n_met == 2 else np.inf]),
        np.array([200.0]),
        np.array([pregrob]),
        np.zeros(1),
        True,
    )


def _forms(args, form, n_f=1.0, c_ref=1.0, kn_k=K_NF * K_EQ, kn_n=1.0, fac=1.0):
    one = np.ones(1)
    return adsorption_train_forms_batch(
        *args, FORMS[form], c_ref * one, n_f * one, kn_k * one, kn_n * one, fac * one
    )


@pytest.mark.parametrize(("n_met", "pregrob"), [(1, 0.0), (2, 0.0), (1, 0.5), (2, 0.5)])
@pytest.mark.parametrize("form", ["nicol_fleming", "freundlich", "kn"])
def test_forms_coincide_with_nicol_fleming(form, n_met, pregrob):
    """n_F = 1 and n = 1 (k = k_NF K): the same train as Nicol-Fleming, with competition and preg-robbing."""
    args = _args(n_met, pregrob=pregrob)
    c0, q0, p0 = adsorption_train_batch(*args)
    c, q, p, it = _forms(args, form)
    assert it[0] >= 0
    np.testing.assert_allclose(c, c0, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(q, q0, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(p, p0, rtol=1e-9, atol=1e-12)
    if form == "nicol_fleming":
        assert np.array_equal(c, c0) and np.array_equal(q, q0)


def _gold_rate(form, c, q, n_f, c_ref, kn_k, kn_n):
    if form == "freundlich":
        return K_NF * (freundlich_loading_g_t(c, K_EQ, c_ref, n_f) - q)
    return np.array(
        [kn_rate_g_t_h(c[j], q[j], kn_k, kn_n, K_EQ, c_ref, n_f) for j in range(c.shape[0])]
    )


@pytest.mark.parametrize(
    ("form", "n_f", "kn_k", "kn_n"),
    [
        ("freundlich", 2.0, 0.0, 1.0),
        ("freundlich", 0.6, 0.0, 1.0),
        ("kn", 1.0, 150.0, 0.7),
        ("kn", 2.0, 150.0, 0.8),
        ("kn", 1.5, 600.0, 0.5),
        ("kn", 1.0, 150.0, 0.95),
    ],
)
def test_nonlinear_tank_balances_close(form, n_f, kn_k, kn_n):
    """Each tank's solution and carbon balance holds with the non-linear rate itself."""
    args = _args()
    c, q, _, it = _forms(args, form, n_f=n_f, kn_k=kn_k, kn_n=kn_n)
    assert it[0] > 0
    cj, qj = c[0, :, 0], q[0, :, 0]
    r = _gold_rate(form, cj, qj, n_f, 1.0, kn_k, kn_n)
    c_in = np.r_[0.0, cj[:-1]]
    q_in = np.r_[qj[1:], BARREN]
    gold = SOURCE.sum()
    sol = FLOW * c_in + SOURCE - FLOW * cj - CARBON_T * r
    carb = CARBON_TPH * q_in + CARBON_T * r - CARBON_TPH * qj
    assert np.abs(sol).max() < 1e-8 * gold
    assert np.abs(carb).max() < 1e-8 * gold
    # overall: gold in = gold out in solution + on carbon
    out = FLOW * cj[-1] + CARBON_TPH * (qj[0] - BARREN)
    assert out == pytest.approx(gold, rel=1e-9)


def test_kn_rate_reproduces_fleming_t_power_n():
    """Fresh carbon in a held tenor far from equilibrium: integrating the rate gives q = k C t^n."""
    c, k, n = 2.0, 120.0, 0.7
    t_h = np.array([0.25, 1.0, 4.0, 24.0])
    q0 = kn_batch_loading_g_t(c, k, n, np.array([1e-6]))[0]
    sol = solve_ivp(
        lambda t, y: [kn_rate_g_t_h(c, y[0], k, n, 1e12, 1.0, 1.0)],
        (1e-6, t_h[-1]),
        [q0],
        t_eval=t_h,
        rtol=1e-10,
        atol=1e-12,
    )
    np.testing.assert_allclose(sol.y[0], kn_batch_loading_g_t(c, k, n, t_h), rtol=1e-6)


@pytest.mark.parametrize("n_f", [0.5, 1.0, 2.0])
def test_rates_vanish_at_the_isotherm(n_f):
    """At q = q*(C) neither form moves gold; above it both desorb, below it both adsorb."""
    c = 0.7
    q_star = freundlich_loading_g_t(np.array([c]), K_EQ, 0.5, n_f)[0]
    assert freundlich_tenor_mg_l(q_star, K_EQ, 0.5, n_f) == pytest.approx(c, rel=1e-12)
    assert kn_rate_g_t_h(c, q_star, 150.0, 0.7, K_EQ, 0.5, n_f) == pytest.approx(0.0, abs=1e-9)
    assert kn_rate_g_t_h(c, 1.1 * q_star, 150.0, 0.7, K_EQ, 0.5, n_f) < 0.0
    assert kn_rate_g_t_h(c, 0.9 * q_star, 150.0, 0.7, K_EQ, 0.5, n_f) > 0.0


@pytest.mark.parametrize(
    ("form", "kw"),
    [("freundlich", {"n_f": 2.0}), ("kn", {"kn_n": 0.7}), ("kn", {"kn_n": 0.7, "n_f": 1.5})],
)
def test_more_carbon_and_faster_carbon_lower_the_soluble_loss(form, kw):
    """Soluble loss (last tank's tenor) falls with carbon per tank and with k of the k-n law."""
    loss = [_forms(_args(carbon_t=m), form, **kw)[0][0, -1, 0] for m in (10.0, 20.0, 40.0)]
    assert loss[0] > loss[1] > loss[2] > 0.0
    if form == "kn":
        by_k = [_forms(_args(), form, kn_k=k, **kw)[0][0, -1, 0] for k in (75.0, 150.0, 300.0)]
        assert by_k[0] > by_k[1] > by_k[2] > 0.0
        # the film factor (carbon size, agitation) speeds the k-n rate the same way
        fast = _forms(_args(), form, fac=2.0, **kw)[0][0, -1, 0]
        assert fast < by_k[1]


def test_slower_loaded_carbon_with_n_below_one():
    """At one k, n < 1 slows loaded carbon (q^(1-1/n) < 1 at q > 1 g/t): more gold stays in solution."""
    loss = [_forms(_args(), "kn", kn_n=n)[0][0, -1, 0] for n in (1.0, 0.85, 0.7)]
    assert loss[0] < loss[1] < loss[2]


def test_unit_choices_name_every_kernel_form():
    from oreflow.units.adsorption_rate import ADSORPTION_MODELS

    assert tuple(FORMS) == ADSORPTION_MODELS


@pytest.mark.parametrize(("form", "settled_share"), [("freundlich", 0.995), ("kn", 0.98)])
def test_random_plant_trains_settle_and_stay_physical(form, settled_share):
    """500 plant-like trains (flows, carbon, gold, isotherm and k-n constants drawn at random).

    Nearly all settle (stated share); those that do follow the rate law in every tank
    whose tenor is above 1e-9 mg/L (a Freundlich isotherm with n_F > 1 is infinitely steep
    at zero tenor, so the secants are bounded there: 1e-9 mg/L is a millionth of an assay's
    detection limit); every result, settled or not (the last physical iterate, flagged
    -1), is finite, non-negative and closes the overall gold balance.
    """
    rng = np.random.default_rng(7)
    n, nt = 500, 7
    flow = rng.uniform(100, 600, n)
    carbon = rng.uniform(0.2, 3, n)
    gold = rng.uniform(25, 1500, n)
    shape = np.exp(-rng.uniform(0.2, 1.5, n)[:, None] * np.arange(nt)[None, :])
    src = (gold[:, None] * shape / shape.sum(1, keepdims=True))[:, :, None]
    mass = rng.uniform(5, 60, (n, nt))
    k_nf = rng.uniform(0.005, 0.05, (n, 1))
    k_eq = 10 ** rng.uniform(3, 4.5, (n, 1))
    barren = rng.uniform(0, 100, (n, 1))
    args = (flow, np.zeros((n, 1)), src, carbon, barren, mass, k_nf, k_eq, np.array([196.97]),
            np.full(n, np.inf), np.zeros(n), np.zeros(n), np.zeros(n), True)  # fmt: skip
    c_ref, n_f = 10 ** rng.uniform(-1, 0.5, n), rng.uniform(1, 4, n)
    kn_k, kn_n = 10 ** rng.uniform(1.5, 3, n), rng.uniform(0.5, 1.0, n)
    c, q, _, it = adsorption_train_forms_batch(
        *args, FORMS[form], c_ref, n_f, kn_k, kn_n, np.ones(n)
    )
    assert np.isfinite(c).all() and np.isfinite(q).all()
    assert c.min() > -1e-9 and q.min() > -1e-6
    ok = it >= 0
    assert ok.mean() >= settled_share
    out = flow * c[:, -1, 0] + carbon * (q[:, 0, 0] - barren[:, 0])
    np.testing.assert_allclose(out, gold, rtol=1e-8)
    for i in np.flatnonzero(ok)[:100]:
        cj, qj = c[i, :, 0], q[i, :, 0]
        if form == "freundlich":
            r = k_nf[i, 0] * (freundlich_loading_g_t(cj, k_eq[i, 0], c_ref[i], n_f[i]) - qj)
        else:
            r = np.array([kn_rate_g_t_h(cj[j], qj[j], kn_k[i], kn_n[i], k_eq[i, 0], c_ref[i],
                                        n_f[i]) for j in range(nt)])  # fmt: skip
        q_in = np.r_[qj[1:], barren[i, 0]]
        carb = carbon[i] * q_in + mass[i] * r - carbon[i] * qj
        seen = cj >= 1e-9
        assert np.abs(carb[seen]).max(initial=0.0) < 1e-6 * gold[i]
