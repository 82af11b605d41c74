"""Tests of oreflow.kernels.separation against Laplante's standardised GRG test; docs/models.md#gravity; Robben & Wotruba 2019 (ex05) and closed forms."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from oreflow.conventions import RTOL_EXACT
from oreflow.kernels import classification as cl
from oreflow.kernels import psd
from oreflow.kernels import separation as sp
from tests.kernels import reference_separation as ref

#: docs/models.md prints ex05 to 6 decimals: half a unit in the 6th decimal.
ATOL_6_DECIMALS = 5e-7
#: Midpoint average over 200,000 rate constants vs the closed form (ex05 "agrees to 6 digits").
RTOL_NUMERIC_AVERAGE = 1e-6
#: Monte Carlo standard error of a fraction over 400,000 particles is below 1e-3.
ATOL_MONTE_CARLO = 4e-3


@pytest.fixture(params=["jit", "python"])
def k(request):
    """Return a kernel as compiled by numba, or as the plain Python it came from."""

    def get(fn):
        return fn if request.param == "jit" else getattr(fn, "py_func", fn)

    return get


# ------------------------------------------------------------------ gravity
def test_grg_capture_reproduces_ex05(k):
    f = k(ref.grg_captured_frac)
    captured = f(0.10, 0.30, 0.50, 0.20)
    assert captured == pytest.approx(0.347938, abs=ATOL_6_DECIMALS)
    c, r = 0.9 * 0.3 * 0.5, 0.9 * (1.0 - 0.15) * 0.8
    assert c == pytest.approx(0.135, rel=RTOL_EXACT)
    assert r == pytest.approx(0.612, rel=RTOL_EXACT)
    assert captured == pytest.approx(c / (1.0 - r), rel=RTOL_EXACT)
    assert 0.5 * captured == pytest.approx(0.1740, abs=5e-5)  # GRG = 50 % of the gold


def test_grg_capture_limits_and_monotonicity(k):
    f = k(ref.grg_captured_frac)
    assert f(0.1, 0.3, 0.0, 0.2) == 0.0  # a concentrator that recovers nothing
    assert f(0.1, 0.0, 0.5, 0.2) == 0.0  # no bleed
    # every underflow particle bled and caught: all but the first-pass overflow
    assert f(0.1, 1.0, 1.0, 0.2) == pytest.approx(0.9, rel=RTOL_EXACT)
    # GRG lost at once in the mill: the first pass only
    assert f(0.1, 0.3, 0.5, 1.0) == pytest.approx(0.135, rel=RTOL_EXACT)
    bleeds = [f(0.1, g, 0.5, 0.2) for g in (0.05, 0.1, 0.3, 0.6, 1.0)]
    assert np.all(np.diff(bleeds) > 0)
    losses = [f(0.1, 0.3, 0.5, h) for h in (0.0, 0.1, 0.2, 0.5)]
    assert np.all(np.diff(losses) < 0)


def test_size_window(k):
    f = k(sp.size_window)
    d = np.array([1.0, 10.0, 25.0, 100.0, 1000.0, 1e5])
    assert_allclose(f(d, 0.0, 0.0, 2.0), 1.0, rtol=RTOL_EXACT)
    w = f(d, 25.0, 0.0, 2.0)
    assert w[2] == pytest.approx(0.5, rel=RTOL_EXACT)
    assert np.all(np.diff(w) > 0)
    w = f(d, 0.0, 1000.0, 3.0)
    assert w[4] == pytest.approx(0.5, rel=RTOL_EXACT)
    assert np.all(np.diff(w) < 0)
    both = f(d, 25.0, 1000.0, 2.0)
    assert np.all((both > 0) & (both < 1))
    assert np.argmax(both) == 3


# ------------------------------------------------------------------ flotation
def test_klimpel_batch_ex05(k):
    r = k(ref.klimpel_batch_recovery)(0.92, 1.5, 10.0)
    assert r == pytest.approx(0.858667, abs=ATOL_6_DECIMALS)
    assert r == pytest.approx(0.92 * (1.0 - (1.0 - math.exp(-15.0)) / 15.0), rel=RTOL_EXACT)
    assert k(ref.klimpel_batch_recovery)(0.92, 1.5, 0.0) == 0.0
    assert k(ref.klimpel_batch_recovery)(0.92, 1.5, 1e6) == pytest.approx(0.92, rel=1e-5)


@pytest.mark.parametrize(("n", "expected"), [(1, 0.769506), (4, 0.852261), (8, 0.861603)])
def test_klimpel_bank_ex05(k, n, expected):
    r = k(ref.klimpel_bank_recovery)(0.92, 1.5, 12.0, n)
    assert r == pytest.approx(expected, abs=ATOL_6_DECIMALS)
    m = 200_000
    rates = (np.arange(m) + 0.5) * 1.5 / m
    numeric = 0.92 * np.mean(1.0 - (1.0 + rates * 12.0 / n) ** (-n))
    assert r == pytest.approx(numeric, rel=RTOL_NUMERIC_AVERAGE)


def test_single_rate_bank_ex05_and_the_distribution_matters(k):
    single = 0.92 * k(sp.first_order_bank_frac)(0.75 * 12.0, 8)
    assert single == pytest.approx(0.917787, abs=ATOL_6_DECIMALS)
    # same mean rate, spread over [0, 1.5]: the recovery curve is concave in k, so the
    # distribution recovers less (Jensen)
    assert k(ref.klimpel_bank_recovery)(0.92, 1.5, 12.0, 8) < single


@pytest.mark.parametrize("n", [1, 2, 5, 12])
def test_klimpel_bank_small_k_series_is_continuous(k, n):
    f = k(sp.klimpel_bank_frac)
    edge = sp.KLIMPEL_SERIES_K
    below, above = f(edge * (1 - 1e-9), n), f(edge * (1 + 1e-9), n)
    assert below == pytest.approx(above, rel=1e-8)
    for kt in (1e-9, 1e-6, 5e-4, 2e-3, 0.1):
        m = 100_000
        x = (np.arange(m) + 0.5) * kt / m
        assert f(kt, n) == pytest.approx(np.mean(1.0 - (1.0 + x / n) ** (-n)), rel=1e-7)


def test_bank_recovery_limits_and_monotonicity(k):
    f = k(ref.klimpel_bank_recovery)
    assert f(0.95, 2.0, 0.0, 6) == 0.0  # zero residence time floats nothing
    assert f(0.95, 2.0, 1e9, 6) == pytest.approx(0.95, rel=1e-8)  # infinite time: R_inf
    taus = [f(0.95, 2.0, t, 6) for t in (0.5, 2.0, 8.0, 16.0, 60.0)]
    assert np.all(np.diff(taus) > 0)
    cells = [f(0.95, 2.0, 16.0, n) for n in (1, 2, 4, 8, 16)]
    assert np.all(np.diff(cells) > 0)  # less short-circuiting with more cells


def test_savassi_entrainment(k):
    d = np.array([0.1, 5.0, 30.0, 100.0, 500.0, 1e5])
    ent = k(sp.savassi_entrainment)(d, 30.0, 0.7)
    assert ent[2] == pytest.approx(2.0 / (math.exp(2.292) + math.exp(-2.292)), rel=RTOL_EXACT)
    assert ent[2] == pytest.approx(0.2, abs=1e-3)  # xi is the size entrained at 20 %
    assert ent[0] > 0.95
    assert np.all(np.diff(ent) < 0)
    assert ent[-1] < 1e-100


def test_flotation_bank_batch_combines_flotation_and_entrainment(k):
    rng = np.random.default_rng(3)
    kmax = rng.uniform(0.0, 3.0, (2, 5, 3))
    rinf = rng.uniform(0.0, 1.0, (2, 5, 3))
    tau = np.array([8.0, 20.0])
    ent = rng.uniform(0.0, 1.0, (2, 5))
    rw = np.array([0.0, 0.2])
    out = k(sp.flotation_bank_batch)(kmax, rinf, tau, 6, True, ent, rw)
    for c in range(2):
        for i in range(5):
            for j in range(3):
                rf = ref.klimpel_bank_recovery(rinf[c, i, j], kmax[c, i, j], tau[c], 6)
                expected = rf + (1.0 - rf) * ent[c, i] * rw[c]
                assert out[c, i, j] == pytest.approx(expected, rel=RTOL_EXACT)
    single = k(sp.flotation_bank_batch)(kmax, rinf, tau, 6, False, ent, rw)
    assert single[0, 0, 0] == pytest.approx(
        rinf[0, 0, 0] * sp.first_order_bank_frac(kmax[0, 0, 0] * 8.0, 6), rel=RTOL_EXACT
    )
    assert np.all((out >= 0) & (out <= 1))


# ------------------------------------------------------------------ sorting
@pytest.mark.parametrize(
    ("sensor", "mass", "metal", "grade", "upgrade"),
    [(0.0, 0.376187, 0.064822, 2.2487, 1.4991), (0.5, 0.385434, 0.080917, 2.2432, 1.4955)],
)
def test_sorting_split_ex05(k, sensor, mass, metal, grade, upgrade):
    m, loss = k(sp.sorting_split)(1.5, 1.2, 0.5, sensor)
    assert m == pytest.approx(mass, abs=ATOL_6_DECIMALS)
    assert loss == pytest.approx(metal, abs=ATOL_6_DECIMALS)
    assert (1 - loss) / (1 - m) == pytest.approx(upgrade, abs=5e-5)
    assert 1.5 * (1 - loss) / (1 - m) == pytest.approx(grade, abs=5e-5)


def test_sorting_split_agrees_with_monte_carlo():
    rng = np.random.default_rng(1)
    sigma, s, mean, cut = 1.2, 0.5, 1.5, 0.5
    g = np.exp(rng.normal(math.log(mean) - sigma**2 / 2, sigma, 400_000))
    reading = g * np.exp(rng.normal(0.0, s, g.size))
    rejected = reading < cut
    m, loss = sp.sorting_split(mean, sigma, cut, s)
    assert rejected.mean() == pytest.approx(m, abs=ATOL_MONTE_CARLO)
    assert g[rejected].sum() / g.sum() == pytest.approx(loss, abs=ATOL_MONTE_CARLO)


def test_sorting_split_limits_and_monotonicity(k):
    f = k(sp.sorting_split)
    assert f(1.5, 1.2, 0.0, 0.5) == (0.0, 0.0)  # no cutoff, nothing rejected
    m, loss = f(1.5, 1.2, 1e6, 0.5)
    assert m == pytest.approx(1.0, abs=1e-12)
    assert loss == pytest.approx(1.0, abs=1e-12)
    assert f(0.0, 1.2, 0.5, 0.5) == (1.0, 1.0)  # barren rock is all rejected
    assert f(1.5, 0.0, 2.0, 0.0) == (1.0, 1.0)  # uniform grade below the cutoff
    assert f(1.5, 0.0, 1.0, 0.0) == (0.0, 0.0)
    cuts = [f(1.5, 1.2, c, 0.5) for c in (0.1, 0.3, 0.5, 1.0, 2.0)]
    masses, metals = np.array(cuts).T
    assert np.all(np.diff(masses) > 0)
    assert np.all(np.diff(metals) > 0)
    assert np.all(metals < masses)  # the low-grade rock goes first
    # a noisier sensor loses more metal for about the same mass
    assert f(1.5, 1.2, 0.5, 1.0)[1] > f(1.5, 1.2, 0.5, 0.5)[1] > f(1.5, 1.2, 0.5, 0.0)[1]


def test_sorting_split_batch(k):
    out = k(sp.sorting_split_batch)(
        np.array([1.5, 1.5]), np.array([1.2, 1.2]), np.array([0.5, 0.5]), np.array([0.0, 0.5])
    )
    assert_allclose(out[0], sp.sorting_split(1.5, 1.2, 0.5, 0.0), rtol=RTOL_EXACT)
    assert_allclose(out[1], sp.sorting_split(1.5, 1.2, 0.5, 0.5), rtol=RTOL_EXACT)


# ------------------------------------------------------------------ screens
def test_screen_partition(k):
    edges = 64000.0 / np.sqrt(2.0) ** np.arange(20)
    part = k(sp.screen_partition)(edges, 9000.0, 6.0, 0.05, 10000.0)
    lower = np.append(edges[1:], 0.0)
    assert np.all(part[lower >= 10000.0] == 1.0)  # nothing larger than the opening passes
    assert np.all(np.diff(part) <= 0)  # descending sizes: partition never rises
    rep = psd.representative_sizes_um(edges)
    below = lower < 10000.0
    assert_allclose(
        part[below], cl.lynch_rao_partition(rep, 9000.0, 6.0, 0.05)[below], rtol=RTOL_EXACT
    )
    assert part[-1] == pytest.approx(0.05, abs=1e-3)  # fines reach the oversize with water


def test_flotation_bank_split_applies_the_bank_recovery(k):
    """Concentrate = feed x flotation_bank_batch (water x R_w), tails the rest, bit for bit."""
    rng = np.random.default_rng(4)
    n_cases, n_cls, n_sp, n_sol = 3, 4, 3, 2
    kmax = rng.uniform(0.0, 3.0, (n_cases, n_cls, n_sp))
    rinf = rng.uniform(0.0, 1.0, (n_cases, n_cls, n_sp))
    kmax[:, :, 2] = kmax[:, :, 0]  # species 2 floats with its carrier, species 0
    rinf[:, :, 2] = rinf[:, :, 0]
    source = np.array([0, 1, 0], dtype=np.int64)
    tau = np.array([8.0, 20.0, 0.0])
    ent = rng.uniform(0.0, 1.0, (n_cases, n_cls))
    rw = np.array([0.0, 0.2, 0.5])
    n_solids = n_cls * n_sp
    feed = rng.uniform(0.0, 5.0, (n_cases, n_solids + n_sol + 1))  # + one adsorbent
    for klimpel in (True, False):
        rec = sp.flotation_bank_batch(kmax, rinf, tau, 6, klimpel, ent, rw)
        conc = np.full_like(feed, np.nan)
        tails = np.full_like(feed, np.nan)
        k(sp.flotation_bank_split_into)(
            conc,
            tails,
            feed,
            kmax,
            rinf,
            tau,
            6,
            klimpel,
            ent,
            rw,
            source,
            n_solids,
            n_solids + n_sol,
        )
        np.testing.assert_array_equal(
            conc[:, :n_solids], feed[:, :n_solids] * rec.reshape(n_cases, -1)
        )
        np.testing.assert_array_equal(
            conc[:, n_solids : n_solids + n_sol], feed[:, n_solids : n_solids + n_sol] * rw[:, None]
        )
        assert np.all(conc[:, -1] == 0.0)
        np.testing.assert_array_equal(tails, feed - conc)


def test_recovery_split_matches_the_fused_split(k):
    """Recoveries computed once, then applied: the fused kernel's products, bit for bit."""
    rng = np.random.default_rng(5)
    n_cases, n_cls, n_sp, n_sol = 4, 5, 3, 2
    kmax = rng.uniform(0.0, 3.0, (n_cases, n_cls, n_sp))
    rinf = rng.uniform(0.0, 1.0, (n_cases, n_cls, n_sp))
    tau = np.array([8.0, 20.0, 0.0, 3.0])
    ent = rng.uniform(0.0, 1.0, (n_cases, n_cls))
    rw = np.array([0.0, 0.2, 0.5, 0.9])
    n_solids = n_cls * n_sp
    feed = rng.uniform(0.0, 5.0, (n_cases, n_solids + n_sol + 1))  # + one adsorbent
    source = np.arange(n_sp, dtype=np.int64)
    for klimpel in (True, False):
        fused = [np.full_like(feed, np.nan) for _ in range(2)]
        sp.flotation_bank_split_into(
            *fused, feed, kmax, rinf, tau, 6, klimpel, ent, rw, source, n_solids, n_solids + n_sol
        )
        rec = sp.flotation_bank_batch(kmax, rinf, tau, 6, klimpel, ent, rw)
        split = [np.full_like(feed, np.nan) for _ in range(2)]
        k(sp.recovery_split_into)(*split, feed, rec, rw, n_solids, n_solids + n_sol)
        np.testing.assert_array_equal(split[0], fused[0])
        np.testing.assert_array_equal(split[1], fused[1])
        # one recovery row for a batch alike: every case's split as with the row repeated
        one = [np.full_like(feed, np.nan) for _ in range(2)]
        k(sp.recovery_split_into)(*one, feed, rec[:1], rw, n_solids, n_solids + n_sol)
        repeated = [np.full_like(feed, np.nan) for _ in range(2)]
        rows = np.ascontiguousarray(np.broadcast_to(rec[:1], rec.shape))
        k(sp.recovery_split_into)(*repeated, feed, rows, rw, n_solids, n_solids + n_sol)
        np.testing.assert_array_equal(one[0], repeated[0])
        np.testing.assert_array_equal(one[1], repeated[1])
