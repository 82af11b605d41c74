"""Tests of oreflow.kernels.psd against Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd/Austin, Klimpel & Luckie 1984; Whiten 1974; Herbst & Fuerstenau 1980; docs/models.md#ball_mill (ex02, ex03) and invariants."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from oreflow.conventions import RTOL_EXACT, RTOL_WORKED_EXAMPLE
from oreflow.kernels import psd, sieve

# ex02 sieve table (cyclone overflow), Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd
SIEVE_UM = np.array([300.0, 212.0, 150.0, 106.0, 75.0, 53.0, 38.0])
SIEVE_PASSING = np.array([0.995, 0.962, 0.881, 0.762, 0.628, 0.501, 0.398])
# ex03 size classes: 4750 µm / √2^k, k = 0..15 (15 classes + sink)
EX03_EDGES_UM = 4750.0 / np.sqrt(2.0) ** np.arange(16)


@pytest.fixture(params=["jit", "python"])
def k(request):
    """Return a kernel as compiled by numba, or as the plain Python it came from."""

    def get(fn):
        return fn if request.param == "jit" else getattr(fn, "py_func", fn)

    return get


def ex03_p80_from_flows(edges, flows, target=0.8):
    """Independent copy of ex03's p80_from_flows (numpy searchsorted form)."""
    tot = flows.sum()
    passing = np.array([flows[j:].sum() for j in range(len(edges))]) / tot
    s, p = edges[::-1], passing[::-1]
    i = np.searchsorted(p, target)
    ls = np.log(s[i - 1]) + (target - p[i - 1]) * (np.log(s[i]) - np.log(s[i - 1])) / (
        p[i] - p[i - 1]
    )
    return float(np.exp(ls))


# ------------------------------------------------------------------ ex02 worked example
def test_rrb_ex02(k):
    assert k(psd.rrb_size_um)(0.8, 150.0, 1.0) == pytest.approx(241.4157, rel=RTOL_WORKED_EXAMPLE)
    assert k(psd.rrb_passing)(75.0, 150.0, 1.0) == pytest.approx(0.393469, rel=RTOL_WORKED_EXAMPLE)
    assert k(psd.rrb_size_um)(0.8, 10000.0, 0.9) == pytest.approx(16968.29, rel=RTOL_WORKED_EXAMPLE)
    # closed form: P80 = x63 ln 5 for n = 1
    assert k(psd.rrb_size_um)(0.8, 150.0, 1.0) == pytest.approx(150 * math.log(5.0), rel=RTOL_EXACT)


def test_ggs_ex02(k):
    assert k(psd.ggs_size_um)(0.8, 1000.0, 0.8) == pytest.approx(756.5933, rel=RTOL_WORKED_EXAMPLE)
    assert k(psd.ggs_passing)(106.0, 1000.0, 0.8) == pytest.approx(
        0.166052, rel=RTOL_WORKED_EXAMPLE
    )
    assert k(psd.ggs_passing)(2000.0, 1000.0, 0.8) == 1.0


def test_model_functions_accept_arrays(k):
    x = np.array([10.0, 75.0, 300.0])
    p = k(psd.rrb_passing)(x, 150.0, 1.0)
    assert_allclose(k(psd.rrb_size_um)(p, 150.0, 1.0), x, rtol=RTOL_EXACT)
    q = k(psd.ggs_passing)(x, 1000.0, 0.8)
    assert_allclose(k(psd.ggs_size_um)(q, 1000.0, 0.8), x, rtol=RTOL_EXACT)


@pytest.mark.parametrize(("method", "expected"), [(0, 118.4284), (1, 119.0896), (2, 120.0504)])
def test_sieve_p80_methods_ex02(k, method, expected):
    got = k(sieve.sieve_passing_size_um)(SIEVE_UM, SIEVE_PASSING, 0.8, method)
    assert got == pytest.approx(expected, rel=RTOL_WORKED_EXAMPLE)


def test_sieve_p80_hand_check_and_p50(k):
    fn = k(sieve.sieve_passing_size_um)
    # docs/models.md hand check: ln106 + (0.8 - 0.762)/(0.881 - 0.762) ln(150/106)
    hand = math.exp(math.log(106) + (0.8 - 0.762) / (0.881 - 0.762) * math.log(150 / 106))
    assert fn(SIEVE_UM, SIEVE_PASSING, 0.8, 0) == pytest.approx(hand, rel=RTOL_EXACT)
    assert fn(SIEVE_UM, SIEVE_PASSING, 0.5, 0) == pytest.approx(52.8291, rel=RTOL_WORKED_EXAMPLE)
    # a target equal to a measured value returns that sieve
    assert fn(SIEVE_UM, SIEVE_PASSING, 0.762, 0) == 106.0


def test_fit_rrb_ex02(k):
    x63, n = k(psd.fit_rrb)(SIEVE_UM[1:], SIEVE_PASSING[1:])
    assert x63 == pytest.approx(73.721, rel=RTOL_WORKED_EXAMPLE)
    assert n == pytest.approx(1.0818, rel=RTOL_WORKED_EXAMPLE)
    assert k(psd.rrb_size_um)(0.8, x63, n) == pytest.approx(114.456, rel=RTOL_WORKED_EXAMPLE)
    # ex02's own method, numpy polyfit on the linearised points
    nn, c = np.polyfit(np.log(SIEVE_UM[1:]), np.log(-np.log(1.0 - SIEVE_PASSING[1:])), 1)
    assert n == pytest.approx(nn, rel=RTOL_EXACT)
    assert x63 == pytest.approx(math.exp(-c / nn), rel=RTOL_EXACT)


def test_fits_recover_exact_models(k):
    sizes = np.array([500.0, 300.0, 150.0, 75.0, 38.0])
    x63, n = k(psd.fit_rrb)(sizes, psd.rrb_passing(sizes, 120.0, 0.9))
    assert (x63, n) == pytest.approx((120.0, 0.9), rel=RTOL_EXACT)
    kk, m = k(psd.fit_ggs)(sizes, psd.ggs_passing(sizes, 800.0, 0.7))
    assert (kk, m) == pytest.approx((800.0, 0.7), rel=RTOL_EXACT)
    # points at 0 or 1 are skipped, too few points give NaN
    x63, n = k(psd.fit_rrb)(np.array([100.0, 50.0]), np.array([1.0, 0.5]))
    assert math.isnan(x63)
    assert math.isnan(n)


# ------------------------------------------------------------------ class fractions
def test_class_fractions_rrb_ex03_lumping(k):
    frac = k(psd.class_fractions_rrb)(EX03_EDGES_UM, 1200.0, 1.1)
    assert frac.shape == (16,)
    assert frac.sum() == pytest.approx(1.0, rel=RTOL_EXACT)
    assert np.all(frac >= 0.0)
    # the 1.065 % above 4.75 mm is lumped into class 0, not renormalised away
    above = math.exp(-((4750.0 / 1200.0) ** 1.1))
    assert above == pytest.approx(0.01065, rel=1e-3)
    below_e1 = 1.0 - math.exp(-((EX03_EDGES_UM[1] / 1200.0) ** 1.1))
    assert frac[0] == pytest.approx(1.0 - below_e1, rel=RTOL_EXACT)
    assert frac[-1] == pytest.approx(
        1.0 - math.exp(-((EX03_EDGES_UM[-1] / 1200.0) ** 1.1)), rel=RTOL_EXACT
    )
    # F80 of the ex03 fresh feed
    f80 = k(psd.passing_size_um)(EX03_EDGES_UM, 300.0 * frac, 0.8)
    assert f80 == pytest.approx(1867.240109, rel=RTOL_WORKED_EXAMPLE)


def test_class_fractions_ggs(k):
    edges = np.array([1000.0, 500.0, 250.0, 125.0])
    frac = k(psd.class_fractions_ggs)(edges, 800.0, 0.5)
    assert frac.sum() == pytest.approx(1.0, rel=RTOL_EXACT)
    p = np.sqrt(edges / 800.0)
    p[0] = 1.0
    assert_allclose(frac, np.append(p[:-1] - p[1:], p[-1]), rtol=RTOL_EXACT)


def test_class_fractions_sieve_interior_is_log_linear(k):
    edges = np.array([212.0, 150.0, 106.0, 90.0, 75.0, 53.0, 38.0])
    frac = k(sieve.class_fractions_sieve)(SIEVE_UM, SIEVE_PASSING, edges)
    passing = np.cumsum(frac[::-1])[::-1]  # passing at each edge
    assert passing[0] == pytest.approx(1.0, rel=RTOL_EXACT)  # oversize lumped into class 0
    assert_allclose(passing[[1, 2, 4, 5, 6]], [0.881, 0.762, 0.628, 0.501, 0.398], rtol=1e-12)
    w = math.log(90.0 / 75.0) / math.log(106.0 / 75.0)
    assert passing[3] == pytest.approx(0.628 + w * (0.762 - 0.628), rel=RTOL_EXACT)
    assert frac.sum() == pytest.approx(1.0, rel=RTOL_EXACT)


def test_class_fractions_sieve_tails_reproduce_exact_models(k):
    # a table sampled from an exact RRB: the coarse tail is an RRB with the fitted
    # modulus anchored at the top sieve, so it reproduces the distribution above it
    sieves = np.array([300.0, 212.0, 150.0, 106.0, 75.0])
    passing = psd.rrb_passing(sieves, 150.0, 1.2)
    edges = np.array([1200.0, 600.0, 424.0, 300.0, 150.0, 75.0])
    frac = k(sieve.class_fractions_sieve)(sieves, passing, edges)
    cum = np.cumsum(frac[::-1])[::-1]
    assert_allclose(cum[1:3], psd.rrb_passing(edges[1:3], 150.0, 1.2), rtol=1e-12)
    # fine tail: a GGS table is continued by the anchored GGS power law
    sieves = np.array([150.0, 106.0, 75.0, 53.0])
    passing = psd.ggs_passing(sieves, 400.0, 0.6)
    edges = np.array([150.0, 75.0, 38.0, 20.0, 10.0])
    frac = k(sieve.class_fractions_sieve)(sieves, passing, edges)
    cum = np.cumsum(frac[::-1])[::-1]
    assert_allclose(cum[2:], psd.ggs_passing(edges[2:], 400.0, 0.6), rtol=1e-12)


def test_class_fractions_sieve_extrapolation_is_not_linear(k):
    # ex02: a linear log-extrapolation below 38 µm (slope of 53->38) would reach 0 near
    # 15 µm; the GGS tail stays positive and monotone
    edges = np.array([300.0, 38.0, 20.0, 10.0, 5.0])
    frac = k(sieve.class_fractions_sieve)(SIEVE_UM, SIEVE_PASSING, edges)
    cum = np.cumsum(frac[::-1])[::-1]
    assert np.all(np.diff(cum) < 0.0)
    assert np.all(frac >= 0.0)
    assert cum[-1] > 0.0


def test_class_fractions_sieve_flat_tails(k):
    # top passes 100 % and bottom passes nothing: no fit needed, nothing extrapolated
    sieves = np.array([500.0, 300.0, 100.0, 50.0])
    passing = np.array([1.0, 0.9, 0.4, 0.0])
    frac = k(sieve.class_fractions_sieve)(sieves, passing, np.array([1000.0, 700.0, 30.0]))
    assert_allclose(frac, [0.0, 1.0, 0.0], atol=1e-15)


def test_sieve_table_validation(k):
    with pytest.raises(ValueError, match="descending"):
        k(sieve.class_fractions_sieve)(SIEVE_UM[::-1].copy(), SIEVE_PASSING, SIEVE_UM)
    with pytest.raises(ValueError, match="increase"):
        k(sieve.sieve_passing_size_um)(SIEVE_UM, SIEVE_PASSING[::-1].copy(), 0.8, 0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        k(sieve.class_fractions_sieve)(SIEVE_UM, SIEVE_PASSING * 1.01, SIEVE_UM)
    with pytest.raises(ValueError, match="method"):
        k(sieve.sieve_passing_size_um)(SIEVE_UM, SIEVE_PASSING, 0.8, 3)


def test_sieve_passing_size_outside_range_uses_tails(k):
    sieves = np.array([300.0, 212.0, 150.0, 106.0])
    passing = psd.rrb_passing(sieves, 150.0, 1.2)
    fn = k(sieve.sieve_passing_size_um)
    # above the top sieve: inverse of the exact RRB
    assert fn(sieves, passing, 0.95, 0) == pytest.approx(
        psd.rrb_size_um(0.95, 150.0, 1.2), rel=1e-12
    )
    assert math.isinf(fn(sieves, passing, 1.0, 0))
    # below the bottom sieve: GGS tail anchored at the bottom sieve
    got = fn(SIEVE_UM, SIEVE_PASSING, 0.2, 0)
    assert 0.0 < got < 38.0
    assert math.isnan(fn(SIEVE_UM, SIEVE_PASSING, 0.0, 0))


# ------------------------------------------------------------------ passing sizes
def test_passing_size_matches_ex03_convention(k):
    rng = np.random.default_rng(7)
    for _ in range(20):
        flows = rng.uniform(0.0, 10.0, 16)
        target = rng.uniform(0.3, 0.95)
        if flows[-1] / flows.sum() >= target:
            continue
        assert k(psd.passing_size_um)(EX03_EDGES_UM, flows, target) == pytest.approx(
            ex03_p80_from_flows(EX03_EDGES_UM, flows, target), rel=RTOL_EXACT
        )


def test_passing_size_edge_cases(k):
    fn = k(psd.passing_size_um)
    edges = np.array([400.0, 200.0, 100.0, 50.0])
    # zero mass and p outside (0, 1] give NaN
    assert math.isnan(fn(edges, np.zeros(4), 0.8))
    assert math.isnan(fn(edges, np.ones(4), 1.2))
    assert math.isnan(fn(edges, np.ones(4), 0.0))
    # everything in the sink: log-interpolate from (50/√2, 0) to (50, 1)
    assert fn(edges, np.array([0.0, 0.0, 0.0, 5.0]), 0.8) == pytest.approx(
        50.0 * 2.0 ** (-0.1), rel=RTOL_EXACT
    )
    # P100 is the top of the coarsest occupied class; a target at an edge is that edge
    assert fn(edges, np.array([0.0, 1.0, 1.0, 0.0]), 1.0) == 200.0
    assert fn(edges, np.array([0.0, 1.0, 1.0, 0.0]), 0.5) == 100.0
    # oversize is lumped into class 0: the passing at e_0 is 1, so P75 lies halfway (in
    # ln size) between e_1 (passing 0.5) and e_0
    assert fn(edges, np.array([1.0, 0.0, 0.0, 1.0]), 0.75) == pytest.approx(
        200.0 * math.sqrt(2.0), rel=RTOL_EXACT
    )


def test_passing_size_batch_matches_rows(k):
    rng = np.random.default_rng(3)
    mass = rng.uniform(0.0, 5.0, (7, 16))
    mass[2] = 0.0
    got = k(psd.passing_size_batch)(EX03_EDGES_UM, mass, 0.8)
    expected = np.array([psd.passing_size_um(EX03_EDGES_UM, row, 0.8) for row in mass])
    assert_allclose(got, expected, rtol=RTOL_EXACT)
    assert math.isnan(got[2])


def test_passing_size_is_monotone_in_target(k):
    frac = psd.class_fractions_rrb(EX03_EDGES_UM, 300.0, 0.9)
    sizes = [k(psd.passing_size_um)(EX03_EDGES_UM, frac, p) for p in np.linspace(0.05, 1, 40)]
    assert np.all(np.diff(sizes) > 0.0)


def test_representative_sizes(k):
    rep = k(psd.representative_sizes_um)(EX03_EDGES_UM)
    assert rep[0] == pytest.approx(math.sqrt(4750.0 * EX03_EDGES_UM[1]), rel=RTOL_EXACT)
    assert rep[-1] == pytest.approx(EX03_EDGES_UM[-1] / math.sqrt(2.0), rel=RTOL_EXACT)


# ------------------------------------------------------------------ JIT vs Python
def test_jit_and_python_agree():
    sieves, passing = SIEVE_UM, SIEVE_PASSING
    edges = np.array([600.0, 300.0, 150.0, 90.0, 38.0, 20.0])
    mass = np.random.default_rng(1).uniform(0.0, 1.0, (5, 6))
    cases = [
        (psd.class_fractions_rrb, (EX03_EDGES_UM, 1200.0, 1.1)),
        (psd.class_fractions_ggs, (EX03_EDGES_UM, 3000.0, 0.7)),
        (sieve.class_fractions_sieve, (sieves, passing, edges)),
        (psd.passing_size_batch, (edges, mass, 0.8)),
        (sieve.sieve_passing_size_um, (sieves, passing, 0.999, 0)),
        (sieve.sieve_passing_size_um, (sieves, passing, 0.3, 1)),
        (psd.fit_rrb, (sieves, passing)),
        (psd.fit_ggs, (sieves, passing)),
        (psd.rrb_passing, (edges, 100.0, 1.1)),
    ]
    for fn, args in cases:
        assert_allclose(
            fn(*args), getattr(fn, "py_func", fn)(*args), rtol=RTOL_EXACT, err_msg=fn.__name__
        )
