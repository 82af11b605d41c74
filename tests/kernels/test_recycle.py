"""Recycle kernels: residual scaling and Anderson acceleration, compiled and as Python."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from oreflow.conventions import RTOL_EXACT
from oreflow.kernels import recycle


@pytest.fixture(params=["jit", "python"])
def mode(request):
    return request.param


ALL3 = np.arange(3)


def kernel(fn, mode):
    return fn if mode == "jit" else getattr(fn, "py_func", fn)


def stepper(mode):
    """``anderson_step_into`` as a function returning the next guess."""
    into = kernel(recycle.anderson_step_into, mode)

    def step(x_hist, g_hist, order, weight, regularization):
        out = np.full(x_hist.shape[1:], np.nan)
        cols = np.arange(x_hist.shape[1])
        into(out, x_hist, g_hist, order, weight, regularization, cols)
        return out

    return step


def reference_residuals(x, g, species_of, n_species, species_floor, stream_floor):
    """Relative residuals and weights (1/scale), written out loop by loop in plain Python."""
    n, m = x.shape
    r = np.empty_like(x)
    w = np.empty_like(x)
    for i in range(n):
        totals = np.zeros(n_species)
        stream_total = 0.0
        for j in range(m):
            totals[species_of[j]] += abs(g[i, j])
            stream_total += abs(g[i, j])
        for j in range(m):
            scale = max(
                abs(g[i, j]), species_floor * totals[species_of[j]], stream_floor * stream_total
            )
            diff = abs(g[i, j] - x[i, j])
            r[i, j] = diff / scale if scale > 0.0 else diff
            w[i, j] = 1.0 / scale if scale > 0.0 else 0.0
    return r, w


def test_residual_is_relative_per_component(mode):
    f = kernel(recycle.residual_summary_t, mode)
    x = np.array([[100.0, 1e-4, 0.0]])
    g = np.array([[100.0 * (1 + 1e-9), 1e-4 * (1 + 1e-9), 0.0]])
    species = np.array([0, 1, 1], dtype=np.int64)
    r_max, _, _ = f(x.T.copy(), g.T.copy(), ALL3, species, 2, 1e-6, 1e-15)
    assert_allclose(r_max[0], 1e-9 / (1 + 1e-9), rtol=1e-6)  # trace gold judged like gangue


def test_weights_are_inverse_scales(mode):
    f = kernel(recycle.residual_summary_t, mode)
    g = np.array([[2.0, 1e-12, 3.0]])
    _, _, w_t = f(g.T.copy(), g.T.copy(), ALL3, np.array([0, 0, 1], dtype=np.int64), 2, 1e-6, 1e-15)
    assert_allclose(w_t[:, 0], [0.5, 1.0 / (1e-6 * 2.0), 1.0 / 3.0], rtol=RTOL_EXACT)


def test_anderson_solves_a_linear_fixed_point_fast(mode):
    """g(x) = A x + b with a coupled contraction: Anderson converges in few steps."""
    step = stepper(mode)
    rng = np.random.default_rng(3)
    n = 8
    a = rng.uniform(0, 1, (n, n))
    a *= 0.9 / np.abs(np.linalg.eigvals(a)).max()
    b = rng.uniform(1, 2, n)
    exact = np.linalg.solve(np.eye(n) - a, b)
    mem = 6
    hx = np.zeros((mem + 1, n, 1))
    hg = np.zeros_like(hx)
    x = np.zeros((1, n))
    slots = []
    for _ in range(40):
        g = (a @ x[0] + b)[None, :]
        if np.abs(g - x).max() < 1e-12:
            break
        slot = next(s for s in range(mem + 1) if s not in slots[-mem:])
        hx[slot], hg[slot] = x.T, g.T
        slots = [*slots[-mem:], slot]
        x = step(hx, hg, np.array(slots), np.ones((n, 1)), 1e-14).T if len(slots) >= 2 else g
    assert_allclose(x[0], exact, rtol=1e-10)
    plain = np.zeros(n)
    for _ in range(40):
        plain = a @ plain + b
    assert np.abs(plain - exact).max() > np.abs(x[0] - exact).max()


def test_anderson_cases_are_independent(mode):
    """A batch gives each case the answer it gets alone (no mixing across cases)."""
    step = stepper(mode)
    rng = np.random.default_rng(7)
    hx, hg = rng.random((4, 6, 5)), rng.random((4, 6, 5))
    w = rng.random((6, 5))
    order = np.array([2, 3, 0, 1])
    batch = step(hx, hg, order, w, 1e-12)
    for c in range(5):
        alone = step(
            hx[:, :, c : c + 1].copy(),
            hg[:, :, c : c + 1].copy(),
            order,
            w[:, c : c + 1].copy(),
            1e-12,
        )
        assert_allclose(batch[:, c], alone[:, 0], rtol=RTOL_EXACT, atol=1e-300)


def test_residual_summary_matches_the_residuals_and_weights(mode):
    """Row maxima, their positions and the weights of a loop-by-loop reference, bit for bit."""
    f = kernel(recycle.residual_summary_t, mode)
    rng = np.random.default_rng(11)
    x = rng.uniform(0.0, 2.0, (6, 9))
    g = x * (1.0 + rng.normal(0.0, 1e-6, x.shape))
    g[2, 4] = 0.0  # a component judged against its species floor
    x[3] = g[3]  # a converged case: every residual 0, the first component reported
    x[4, 5] = x[4, 7] = g[4, 5] + 1.0  # a tie: the first of the largest is reported
    g[4, 7] = g[4, 5]
    x[5, 6] = x[5, 2] = np.nan  # NaN residuals: the first NaN is reported, as numpy does
    species = np.array([0, 0, 1, 1, 2, 2, 2, 3, 3], dtype=np.int64)
    with np.errstate(invalid="ignore"):
        r, w = reference_residuals(x, g, species, 4, 1e-6, 1e-15)
    r_max, at, w_t = f(x.T.copy(), g.T.copy(), np.arange(9), species, 4, 1e-6, 1e-15)
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(r_max, r.max(axis=1))
    np.testing.assert_array_equal(at, r.argmax(axis=1))
    np.testing.assert_array_equal(w_t, w.T)
    assert at[3] == 0
    assert at[5] == 2
    assert np.isnan(r_max[5])


def test_anderson_may_write_into_a_free_slot_of_its_history(mode):
    """The solver writes the next guess into an unused slot of ``x_hist``: same result."""
    into = kernel(recycle.anderson_step_into, mode)
    rng = np.random.default_rng(5)
    hx, hg = rng.random((5, 6, 3)), rng.random((5, 6, 3))
    w = rng.random((6, 3))
    order = np.array([3, 0, 1, 4])  # slot 2 is free
    apart = np.empty((6, 3))
    into(apart, hx, hg, order, w, 1e-12, np.arange(6))
    into(hx[2], hx, hg, order, w, 1e-12, np.arange(6))
    np.testing.assert_array_equal(hx[2], apart)


def test_rows_never_nonzero_are_skipped_bit_for_bit(mode):
    """Skipping the components that are 0 in every iterate changes nothing (``live_rows``)."""
    summary = kernel(recycle.residual_summary_t, mode)
    into = kernel(recycle.anderson_step_into, mode)
    rng = np.random.default_rng(9)
    hx, hg = rng.random((5, 8, 4)), rng.random((5, 8, 4))
    dead = [0, 3, 4]
    hx[:, dead] = hg[:, dead] = 0.0
    hg[1, 4, 2] = 1e-30  # one tiny value makes a row live
    live = kernel(recycle.live_rows, mode)(hg[1], np.zeros(8, dtype=np.bool_))
    assert live.tolist() == [False, True, True, False, True, True, True, True]
    cols = np.flatnonzero(live)
    species = np.array([0, 0, 1, 1, 2, 2, 3, 3], dtype=np.int64)
    full = summary(hx[1], hg[1], np.arange(8), species, 4, 1e-6, 1e-15)
    part = summary(hx[1], hg[1], cols, species, 4, 1e-6, 1e-15)
    np.testing.assert_array_equal(part[0], full[0])
    np.testing.assert_array_equal(part[1], full[1])
    np.testing.assert_array_equal(part[2][cols], full[2][cols])
    order = np.array([2, 0, 1])
    expected = np.empty((8, 4))
    into(expected, hx, hg, order, full[2], 1e-12, np.arange(8))
    got = np.zeros((8, 4))
    into(got, hx, hg, order, full[2], 1e-12, cols)
    np.testing.assert_array_equal(got, expected)


def test_transpose_into_is_the_transpose(mode):
    f = kernel(recycle.transpose_into, mode)
    rng = np.random.default_rng(2)
    for shape in ((37, 21), (16, 16), (1, 5), (3, 40)):  # tiles cut and whole
        a = rng.random(shape)
        out = np.full(shape[::-1], np.nan)
        f(out, a)
        np.testing.assert_array_equal(out, a.T)
    a = rng.random((6, 9))
    out = np.full((9, 6), np.nan)
    f(out, a[:, ::1])
    f(out, np.asfortranarray(a))  # any layout in
    np.testing.assert_array_equal(out, a.T)
