"""Liberation classes by size and composite flotation (oreflow.kernels.liberation), modifiers."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from oreflow.conventions import RTOL_EXACT
from oreflow.kernels import flotation_chemistry as fc
from oreflow.kernels import liberation as lib
from oreflow.kernels.separation import klimpel_bank_frac

D_UM = np.array([1e-12, 1.0, 10.0, 50.0, 100.0, 400.0, 1e12])


@pytest.fixture(params=["jit", "python"])
def k(request):
    """Return a kernel as compiled by numba, or as the plain Python it came from."""

    def get(fn):
        return fn if request.param == "jit" else getattr(fn, "py_func", fn)

    return get


def shares(k, grain=60.0, p=0.3, m=1.0, d=D_UM):
    return k(lib.liberation_classes)(
        d, np.array([[grain, 0.0]]), np.array([[p, 0.0]]), np.array([m])
    )[0]


def test_classes_sum_to_one_and_match_the_closed_form(k):
    s = shares(k)
    assert_allclose(s.sum(axis=-1), 1.0, rtol=RTOL_EXACT)
    lam = 50.0 / 60.0
    free, bg = math.exp(-lam), math.exp(-0.3 * lam) * (1 - math.exp(-0.7 * lam))
    bp, tern = math.exp(-0.7 * lam) * (1 - math.exp(-0.3 * lam)), 1 - math.exp(-0.3 * lam)
    tern *= 1 - math.exp(-0.7 * lam)
    assert_allclose(s[3, 0], [free, bg, bp, tern], rtol=RTOL_EXACT)
    # a species without a grain size is counted free at every size
    assert_allclose(s[:, 1, 0], 1.0, rtol=0, atol=0)


def test_infinitely_fine_grind_frees_everything_and_no_grind_locks_it(k):
    s = shares(k)
    assert s[0, 0, 0] == pytest.approx(1.0, abs=1e-12)  # d/g -> 0: all free
    assert s[-1, 0, 3] == pytest.approx(1.0, abs=1e-12)  # d/g -> inf: all ternary (locked)
    assert s[-1, 0, 0] == 0.0
    # without a partner a locked particle is binary with gangue
    s0 = shares(k, p=0.0)
    assert s0[-1, 0, 1] == pytest.approx(1.0, abs=1e-12)
    assert_allclose(s0[:, 0, 2:], 0.0, atol=0)


def test_free_share_falls_with_size_and_rises_with_grain(k):
    free = shares(k)[:, 0, 0]
    assert np.all(np.diff(free) < 0)
    coarse_grain = shares(k, grain=120.0)[:, 0, 0]
    assert np.all(coarse_grain[1:-1] > free[1:-1])


K_FREE = np.array([2.0, 0.0, 1.0])  # mineral, gangue, partner [1/min]
PARTNER = np.array([2, -1, -1])


def composite(k, s, e=0.5):
    kf, partner = K_FREE, PARTNER
    n_cls = s.shape[0]
    kk = np.ascontiguousarray(np.broadcast_to(kf, (1, n_cls, 3)))
    rr = np.full((1, n_cls, 3), 0.9)
    shp = np.zeros((1, n_cls, 3, 4))
    shp[0, :, :, 0] = 1.0
    shp[0, :, 0] = s[:, 0]
    ent = np.full((1, n_cls), 0.5)
    return k(lib.composite_flotation)(
        kk, rr, shp, partner, np.array([e]), np.array([10.0]), 4, True, ent,
        np.array([0.2]), np.array([2.7 / 7.58, 1.0, 2.7 / 4.0]),
    )  # fmt: skip


def test_free_particles_float_as_the_bank_formula_and_locked_ones_slower(k):
    s = shares(k)
    rec, lift = composite(k, s)
    ent = 0.5 * 0.2
    rf = 0.9 * klimpel_bank_frac(20.0, 4)
    # the finest class is all free: the plain bank formula with entrainment
    assert rec[0, 0, 0] == pytest.approx(rf + (1 - rf) * ent, rel=RTOL_EXACT)
    assert lift[0, 0, 0] == pytest.approx(0.0, abs=1e-12)
    # the coarsest class is all ternary: rate e (k + k_partner)/2 = 0.75/min
    rt = 0.9 * klimpel_bank_frac(0.5 * 0.5 * 3.0 * 10.0, 4)
    assert rec[0, -1, 0] == pytest.approx(rt + (1 - rt) * ent, rel=RTOL_EXACT)
    assert lift[0, -1, 0] == pytest.approx(2.7 / 7.58 * rt, rel=RTOL_EXACT)
    # recovery falls as liberation falls; a non-floating species is only entrained
    assert np.all(np.diff(rec[0, :, 0]) < 0)
    assert_allclose(rec[0, :, 1], ent, rtol=RTOL_EXACT)
    assert_allclose(lift[0, :, 1], 0.0, atol=0)
    # a composite whose exposed surface is nil floats only with its partner's help
    rec0, _ = composite(k, s, e=0.0)
    assert rec0[0, -1, 0] == pytest.approx(ent, rel=RTOL_EXACT)


def test_gangue_floats_with_the_composites_up_to_what_there_is(k):
    solids = np.array([[[1.0, 10.0, 0.0], [1.0, 0.1, 0.0]]])  # mineral, gangue, -
    lift = np.array([[[0.3, 0.0, 0.0], [0.3, 0.0, 0.0]]])
    rec = np.zeros((1, 2, 3))
    k(lib.gangue_recovery)(solids, lift, 1, np.array([[0.5, 0.5]]), np.array([0.2]), rec)
    f = 0.3 / 10.0
    assert rec[0, 0, 1] == pytest.approx(f + (1 - f) * 0.1, rel=RTOL_EXACT)
    assert rec[0, 1, 1] == 1.0  # capped: no more gangue floats than the class holds


def test_modifier_factors_are_monotone_and_neutral_at_no_dose():
    dose = np.linspace(0.0, 2000.0, 41)
    dep = fc.depression_factor(dose, 100.0)
    act = fc.activation_factor(dose, 100.0, 8.0)
    assert dep[0] == act[0] == 1.0
    assert np.all(np.diff(dep) < 0) and np.all(np.diff(act) > 0)
    assert act[-1] < 8.0 and dep[-1] > 0.0
    ph = fc.ph_factor(np.linspace(7.0, 12.5, 12), 10.5, 0.3)
    assert np.all(np.diff(ph) < 0)
    assert fc.ph_factor(np.array([12.0]), 0.0, 0.3)[0] == 1.0
