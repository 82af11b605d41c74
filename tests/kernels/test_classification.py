"""Tests of oreflow.kernels.classification against Napier-Munn et al. 1996; docs/models.md#cyclone (ex04) and invariants."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from oreflow.conventions import RTOL_EXACT, RTOL_WORKED_EXAMPLE
from oreflow.kernels import classification as cl
from oreflow.kernels import plitt
from tests.kernels import reference_classification as ref

#: docs/models.md quotes the density ratios to 3 decimals: half a unit in the last place.
ATOL_3_DECIMALS = 5e-4
#: ex04 prints S, Rv, SI and I to 4 decimals: half a unit in the last place.
ATOL_4_DECIMALS = 5e-5
#: ex04 prints the fish-hook partition to 5 decimals.
ATOL_5_DECIMALS = 5e-6

EX04_SIZES_UM = np.array([20.0, 50.0, 100.0, 150.0, 300.0])


@pytest.fixture(params=["jit", "python"])
def k(request):
    """Return a kernel as compiled by numba, or as the plain Python it came from."""

    def get(fn):
        return fn if request.param == "jit" else getattr(fn, "py_func", fn)

    return get


def ec_closed_form(x, alpha):
    return (np.exp(alpha * x) - 1.0) / (np.exp(alpha * x) + np.exp(alpha) - 2.0)


# ------------------------------------------------------------------ Lynch–Rao (ex04)
def test_lynch_rao_ex04_table(k):
    fn = k(cl.lynch_rao_partition)
    ea = fn(EX04_SIZES_UM, 100.0, 3.0, 0.30)
    ec = fn(EX04_SIZES_UM, 100.0, 3.0, 0.0)
    assert_allclose(
        ea, [0.328908, 0.407997, 0.650000, 0.876415, 0.998355], rtol=RTOL_WORKED_EXAMPLE
    )
    assert_allclose(
        ec, [0.041297, 0.154281, 0.500000, 0.823450, 0.997650], rtol=RTOL_WORKED_EXAMPLE
    )
    assert_allclose(ec, ec_closed_form(EX04_SIZES_UM / 100.0, 3.0), rtol=RTOL_EXACT)
    # hand check at 150 µm
    assert ec[3] == pytest.approx(89.0171 / (90.0171 + 20.0855 - 2.0), rel=RTOL_WORKED_EXAMPLE)


def test_lynch_rao_limits_and_overflow_guard(k):
    fn = k(cl.lynch_rao_partition)
    d = np.array([0.0, 1.0, 100.0, 1.0e4, 1.0e6])
    # Ec(0) = 0 exactly, so the finest size reports by bypass only
    assert fn(d, 100.0, 3.0, 0.25)[0] == 0.25
    # huge alpha x: no overflow, Ea -> 1
    ea = fn(d, 10.0, 50.0, 0.25)
    assert np.all(np.isfinite(ea))
    assert ea[-1] == 1.0
    # alpha beyond exp's range: a step at d50c
    step = fn(np.array([50.0, 100.0, 150.0]), 100.0, 2000.0, 0.0)
    assert_allclose(step, [0.0, 0.5, 1.0], atol=RTOL_EXACT)
    # d50c -> infinity: everything to overflow except the bypass
    assert_allclose(fn(d, math.inf, 3.0, 0.3), 0.3, rtol=RTOL_EXACT)
    # monotone in size
    sizes = np.geomspace(1.0, 1000.0, 50)
    assert np.all(np.diff(fn(sizes, 100.0, 3.0, 0.3)) > 0.0)


def test_actual_cut_size_sharpness_imperfection_ex04(k):
    d50 = k(ref.cut_size_actual_um)(100.0, 3.0, 0.30)
    assert d50 == approx(71.8578)
    assert cl.lynch_rao_partition(np.array([d50]), 100.0, 3.0, 0.30)[0] == pytest.approx(
        0.5, rel=RTOL_EXACT
    )
    size = k(ref.lynch_rao_size_um)
    assert size(0.25, 100.0, 3.0) == approx(66.5437)
    assert size(0.75, 100.0, 3.0) == approx(135.4953)
    assert size(0.5, 100.0, 3.0) == pytest.approx(100.0, rel=RTOL_EXACT)
    assert k(ref.sharpness_index)(3.0) == pytest.approx(0.4911, abs=ATOL_4_DECIMALS)
    assert k(ref.imperfection)(3.0) == pytest.approx(0.3448, abs=ATOL_4_DECIMALS)
    # both follow from d25 and d75 (independent of d50c)
    assert k(ref.sharpness_index)(3.0) == pytest.approx(
        size(0.25, 100.0, 3.0) / size(0.75, 100.0, 3.0), rel=RTOL_EXACT
    )
    assert k(ref.imperfection)(3.0) == pytest.approx(
        (size(0.75, 100.0, 3.0) - size(0.25, 100.0, 3.0)) / 200.0, rel=RTOL_EXACT
    )


def test_inverse_is_exact_and_handles_limits(k):
    size = k(ref.lynch_rao_size_um)
    for alpha in (0.5, 3.0, 40.0, 2000.0):
        for ec in (1e-6, 0.1, 0.5, 0.9, 0.999):
            d = size(ec, 80.0, alpha)
            got = cl.lynch_rao_partition(np.array([d]), 80.0, alpha, 0.0)[0]
            assert got == pytest.approx(ec, rel=1e-9), (alpha, ec)
    assert size(0.0, 80.0, 3.0) == 0.0
    assert math.isnan(size(1.0, 80.0, 3.0))
    assert k(ref.cut_size_actual_um)(100.0, 3.0, 0.5) == 0.0
    assert math.isnan(k(ref.cut_size_actual_um)(100.0, 3.0, 0.6))


def approx(value):
    return pytest.approx(value, rel=RTOL_WORKED_EXAMPLE)


# ------------------------------------------------------------------ Whiten fish-hook, ex04
def test_fishhook_ex04(k):
    beta_star = k(cl.fishhook_beta_star)(3.0, 0.5)
    assert beta_star == approx(1.26281)
    eu = k(cl.whiten_fishhook_partition)(
        np.array([5.0, 10.0, 50.0, 100.0, 200.0]), 100.0, 3.0, 0.5, 0.30
    )
    assert_allclose(eu, [0.28571, 0.27334, 0.28930, 0.65, 0.98466], atol=ATOL_5_DECIMALS)
    # the hook: below the bypass at fine sizes, back to Rf as d -> 0
    assert eu[1] < 0.30
    tiny = k(cl.whiten_fishhook_partition)(np.array([0.0]), 100.0, 3.0, 0.5, 0.30)
    assert tiny[0] == pytest.approx(0.30, rel=RTOL_EXACT)


def test_fishhook_beta_zero_is_lynch_rao(k):
    assert k(cl.fishhook_beta_star)(3.0, 0.0) == 1.0
    sizes = np.geomspace(1.0, 3000.0, 40)
    for alpha, rf in ((3.0, 0.3), (1.5, 0.1), (800.0, 0.2)):
        fh = k(cl.whiten_fishhook_partition)(sizes, 100.0, alpha, 0.0, rf)
        lr = k(cl.lynch_rao_partition)(sizes, 100.0, alpha, rf)
        assert_allclose(fh, lr, rtol=RTOL_EXACT)
    fh = k(cl.whiten_fishhook_partition)(np.array([150.0]), 100.0, 3.0, 0.0, 0.30)
    assert fh[0] == approx(0.876415)


def test_fishhook_beta_star_definition(k):
    for alpha, beta in ((3.0, 0.5), (2.0, 1.5), (5.0, 0.1)):
        bs = k(cl.fishhook_beta_star)(alpha, beta)
        eoc = (1 + beta * bs) * (math.exp(alpha) - 1) / (math.exp(alpha * bs) + math.exp(alpha) - 2)
        assert eoc == pytest.approx(0.5, rel=RTOL_EXACT)
        eu = k(cl.whiten_fishhook_partition)(np.array([77.0]), 77.0, alpha, beta, 0.2)
        assert eu[0] == pytest.approx(0.6, rel=RTOL_EXACT)
    with pytest.raises(ValueError, match="beta"):
        k(cl.fishhook_beta_star)(3.0, -0.1)


# ------------------------------------------------------------------ density correction
def test_density_corrected_cut_size(k):
    fn = k(cl.density_corrected_d50c_um)
    assert fn(1.0, 2.7, 19.3, 1.0, 0.5) == pytest.approx(0.305, abs=ATOL_3_DECIMALS)
    assert fn(1.0, 2.7, 19.3, 1.0, 0.5) == pytest.approx(math.sqrt(1.7 / 18.3), rel=RTOL_EXACT)
    assert fn(1.0, 2.7, 5.0, 1.0, 0.5) == pytest.approx(0.652, abs=ATOL_3_DECIMALS)
    assert fn(100.0, 2.7, 2.7, 1.0, 0.5) == 100.0
    # exponent defaults to Plitt's 0.5
    assert fn(100.0, 2.7, 19.3, 1.0) == fn(100.0, 2.7, 19.3, 1.0, 0.5)


# ------------------------------------------------------------------ Plitt model, ex04
def test_plitt_ex04(k):
    d50c, p_kpa, head_m, split_s, rv, m = k(plitt.plitt_cyclone)(
        50.8, 13.0, 17.8, 10.2, 150.0, 5000.0, 20.0, 2.7, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0
    )
    assert d50c == approx(99.0495)
    assert p_kpa == approx(216.5196)
    assert head_m == approx(16.4711)
    assert split_s == pytest.approx(0.2881, abs=ATOL_4_DECIMALS)
    assert rv == pytest.approx(0.2236, abs=ATOL_4_DECIMALS)
    assert m == approx(2.6162)
    # ex04 derives the pulp density from Cv: 0.2 x 2.7 + 0.8 x 1.0 = 1.34
    assert k(plitt.pulp_density_t_m3)(20.0, 2.7, 1.0) == pytest.approx(1.34, rel=RTOL_EXACT)
    explicit = k(plitt.plitt_cyclone)(
        50.8, 13.0, 17.8, 10.2, 150.0, 5000.0, 20.0, 2.7, 1.0, 1.34, 1.0, 1.0, 1.0, 1.0
    )
    assert_allclose(explicit, (d50c, p_kpa, head_m, split_s, rv, m), rtol=RTOL_EXACT)
    ec = k(plitt.plitt_partition)(np.array([1.5 * d50c]), d50c, m, 0.0)
    assert ec[0] == approx(0.86491)


def test_plitt_calibration_factors_scale_outputs(k):
    base = k(plitt.plitt_cyclone)(
        50.8, 13.0, 17.8, 10.2, 150.0, 5000.0, 20.0, 2.7, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0
    )
    cal = k(plitt.plitt_cyclone)(
        50.8, 13.0, 17.8, 10.2, 150.0, 5000.0, 20.0, 2.7, 1.0, 0.0, 1.2, 1.0, 1.0, 0.9
    )
    assert cal[0] == pytest.approx(1.2 * base[0], rel=RTOL_EXACT)
    assert cal[5] == pytest.approx(0.9 * base[5], rel=RTOL_EXACT)
    assert cal[1] == base[1]


def test_plitt_partition_limits(k):
    fn = k(plitt.plitt_partition)
    ea = fn(np.array([0.0, 100.0, 1.0e5]), 100.0, 2.6, 0.2)
    assert ea[0] == 0.2
    assert ea[1] == pytest.approx(0.2 + 0.8 * (1.0 - math.exp(-0.693)), rel=RTOL_EXACT)
    assert ea[2] == 1.0


# ------------------------------------------------------------------ batch
def test_partition_batch_matches_single_curves(k):
    d_rep = np.array([1000.0, 300.0, 100.0, 30.0, 10.0, 26.24 / math.sqrt(2.0)])
    d50c = np.array([[100.0, 30.5, 65.2], [80.0, 24.4, 52.2]])
    alpha = np.array([3.0, 2.5])
    rf = np.array([0.25, 0.35])
    out = k(cl.partition_batch)(d_rep, d50c, alpha, rf)
    assert out.shape == (2, 6, 3)
    for c in range(2):
        for s in range(3):
            expected = cl.lynch_rao_partition(d_rep, d50c[c, s], alpha[c], rf[c])
            assert_allclose(out[c, :, s], expected, rtol=RTOL_EXACT)
    # the denser species (smaller cut size) reports more to the underflow
    assert np.all(out[:, :, 1] >= out[:, :, 0])
    # d50c -> infinity: only the bypass reports to the underflow
    inf = k(cl.partition_batch)(d_rep, np.full((2, 3), math.inf), alpha, rf)
    assert_allclose(inf, np.broadcast_to(rf[:, None, None], inf.shape), rtol=RTOL_EXACT)


# ------------------------------------------------------------------ JIT vs Python
def test_jit_and_python_agree():
    sizes = np.geomspace(1.0, 5000.0, 30)
    cases = [
        (cl.lynch_rao_partition, (sizes, 90.0, 3.5, 0.3)),
        (cl.whiten_fishhook_partition, (sizes, 90.0, 3.5, 0.7, 0.3)),
        (plitt.plitt_partition, (sizes, 90.0, 2.6, 0.3)),
        (cl.partition_batch, (sizes, np.array([[90.0, 30.0]]), np.array([3.0]), np.array([0.3]))),
        (
            plitt.plitt_cyclone,
            (50.8, 13.0, 17.8, 10.2, 150.0, 5000.0, 20.0, 2.7, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0),
        ),
        (cl.fishhook_beta_star, (3.0, 0.5)),
        (ref.cut_size_actual_um, (100.0, 3.0, 0.3)),
        (ref.sharpness_index, (3.0,)),
        (ref.imperfection, (3.0,)),
    ]
    for fn, args in cases:
        assert_allclose(
            fn(*args), getattr(fn, "py_func", fn)(*args), rtol=RTOL_EXACT, err_msg=fn.__name__
        )


@pytest.mark.parametrize("mode", ["jit", "python"])
def test_plitt_batch_matches_single_partition(mode):
    from oreflow.kernels.plitt import partition_plitt_batch, plitt_partition

    fn = (
        partition_plitt_batch
        if mode == "jit"
        else getattr(partition_plitt_batch, "py_func", partition_plitt_batch)
    )
    d = np.array([300.0, 150.0, 75.0, 30.0, 10.0])
    d50 = np.array([[99.0, 30.0], [120.0, 40.0]])
    m = np.array([2.6, 3.1])
    rv = np.array([0.22, 0.3])
    out = fn(d, d50, m, rv)
    for c in range(2):
        for k in range(2):
            np.testing.assert_allclose(
                out[c, :, k], plitt_partition(d, d50[c, k], m[c], rv[c]), rtol=1e-12
            )


def test_partition_split_sends_solids_by_partition_and_the_rest_with_the_water(k):
    """Underflow = feed x partition (solids) or x water split (the rest); overflow the rest."""
    rng = np.random.default_rng(6)
    n_cases, n_cls, n_sp, n_rest = 3, 4, 2, 3
    feed = rng.uniform(0.0, 5.0, (n_cases, n_cls * n_sp + n_rest))
    part = rng.uniform(0.0, 1.0, (n_cases, n_cls, n_sp))
    rf = np.array([0.0, 0.3, 1.0])
    under = np.full_like(feed, np.nan)
    over = np.full_like(feed, np.nan)
    k(cl.partition_split_into)(under, over, feed, part, rf)
    solids = n_cls * n_sp
    np.testing.assert_array_equal(under[:, :solids], feed[:, :solids] * part.reshape(n_cases, -1))
    np.testing.assert_array_equal(under[:, solids:], feed[:, solids:] * rf[:, None])
    np.testing.assert_array_equal(over, feed - under)
