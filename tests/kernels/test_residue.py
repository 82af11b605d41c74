"""Residue kernels: INCO reagents and outlet, filter split, paste recipe, fines passing.

Worked numbers are worked example ex08 (Appendix B); every kernel is run compiled and as
plain Python.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from oreflow.conventions import RTOL_EXACT, RTOL_WORKED_EXAMPLE
from oreflow.kernels import residue as kr
from oreflow.kernels.psd import passing_size_um


@pytest.fixture(params=["jit", "python"])
def mode(request):
    return request.param


def _k(name, mode):
    fn = getattr(kr, name)
    return fn if mode == "jit" else getattr(fn, "py_func", fn)


def test_theoretical_ratios_match_models_ex08():
    """ex08: SO2/CN 2.4623 g/g, SO2 yield of Na2S2O5 0.6740 g/g, Ca(OH)2 per g CN 2.8478."""
    so2_per_cn, so2_per_smbs = kr.SO2_PER_CN_THEORETICAL, kr.SO2_PER_SMBS
    lime_per_cn = kr.CAOH2_G_MOL / kr.CN_G_MOL
    assert so2_per_cn == pytest.approx(2.4623, abs=5e-5)
    assert so2_per_smbs == pytest.approx(0.6740, abs=5e-5)
    assert lime_per_cn == pytest.approx(2.8478, abs=5e-5)


def test_inco_reagents_reproduce_models_ex08(mode):
    """200 t/h at 45 % solids, WAD 250 -> 5 mg/L, SO2:CN 4, Cu 5 -> 30 mg/L."""
    q = np.array([200.0 * 0.55 / 0.45])
    one = np.ones(1)
    out = _k("inco_reagents_kg_h", mode)(
        q, 250.0 * one, 5.0 * one, 4.0 * one, 30.0 * one, 5.0 * one, False
    )[0]
    col = dict(zip(kr.INCO_COLUMNS, out, strict=True))
    expected = {
        "cn_removed_kg_h": 59.8889,
        "so2_kg_h": 239.5556,
        "smbs_kg_h": 355.4220,
        "caoh2_kg_h": 277.0572,
        "cu_added_kg_h": 6.1111,
        "cuso4_5h2o_kg_h": 24.0123,
    }
    for key, value in expected.items():
        assert col[key] == pytest.approx(value, rel=RTOL_WORKED_EXAMPLE), key
    # per tonne of ore, as printed in ex08
    assert col["so2_kg_h"] / 200.0 == pytest.approx(1.19778, rel=RTOL_WORKED_EXAMPLE)
    assert col["smbs_kg_h"] / 200.0 == pytest.approx(1.77711, rel=RTOL_WORKED_EXAMPLE)


def test_smbs_halves_the_lime_and_keeps_so2(mode):
    fn = _k("inco_reagents_kg_h", mode)
    args = (np.array([100.0]), np.array([200.0]), np.array([2.0]), np.array([4.0]))
    cu = (np.array([30.0]), np.array([0.0]))
    liquid = fn(*args, *cu, False)[0]
    smbs = fn(*args, *cu, True)[0]
    assert smbs[3] == pytest.approx(0.5 * liquid[3], rel=RTOL_EXACT)
    assert smbs[1] == pytest.approx(liquid[1], rel=RTOL_EXACT)


def test_oxygen_demand_follows_the_stoichiometry(mode):
    """1 mol O2 per mol CN oxidised, 1/2 mol per mol of excess SO2."""
    out = _k("inco_reagents_kg_h", mode)(
        np.array([1000.0]),
        np.array([26.018]),
        np.array([0.0]),
        np.array([2.0 * 64.064 / 26.018]),  # twice the theoretical SO2
        np.array([0.0]),
        np.array([0.0]),
        False,
    )[0]
    mol_cn = 1.0  # kmol/h: 26.018 kg/h of CN
    assert out[6] == pytest.approx((mol_cn + 0.5 * mol_cn) * kr.O2_G_MOL, rel=RTOL_EXACT)


def test_no_cyanide_removed_means_no_reagents_and_no_catalyst(mode):
    out = _k("inco_reagents_kg_h", mode)(
        np.array([100.0]),
        np.array([3.0]),
        np.array([3.0]),
        np.array([4.0]),
        np.array([30.0]),
        np.array([0.0]),
        True,
    )
    assert_allclose(out, 0.0, atol=0.0)


def test_cstr_series_limits_and_closed_form(mode):
    fn = _k("cstr_series_remaining_frac", mode)
    assert fn(5.0, 0.0, 3) == 1.0
    assert fn(5.0, 1e9, 3) < 1e-20
    assert fn(2.0, 1.5, 3) == pytest.approx((1.0 + 2.0 * 1.5 / 3) ** -3, rel=RTOL_EXACT)


def test_outlet_wad_limits_set_points_and_monotonicity(mode):
    fn = _k("inco_outlet_wad_mg_l", mode)
    taus = np.array([0.0, 0.05, 0.2, 0.5, 1.0, 2.0, 10.0, 1e6])
    n = taus.size
    c_in = np.full(n, 250.0)
    target = np.full(n, 5.0)
    out = fn(c_in, target, np.zeros(n), np.full(n, 60.0), taus, 2)
    assert out[0] == 250.0  # zero residence changes nothing
    assert out[-1] == pytest.approx(5.0, rel=RTOL_EXACT)  # infinite residence: the set point
    assert np.all(np.diff(out) <= 0.0)  # longer residence never leaves more cyanide
    assert np.all(out >= 5.0)
    # efficiency mode: a NaN target uses the destruction fraction
    eff = fn(
        np.array([250.0]),
        np.array([np.nan]),
        np.array([0.8]),
        np.array([60.0]),
        np.array([1e6]),
        1,
    )
    assert eff[0] == pytest.approx(50.0, rel=RTOL_EXACT)
    # a feed already below the set point is left alone
    low = fn(np.array([3.0]), np.array([5.0]), np.zeros(1), np.array([60.0]), np.array([1.0]), 1)
    assert low[0] == 3.0


def test_pulp_density_reproduces_ex08(mode):
    """Underflow 60 % solids, SG 2.75: 1.6176 t/m3; paste 75 %, SG 2.80: 1.9310 t/m3."""
    fn = _k("pulp_density_t_m3", mode)
    rho = fn(np.array([0.60, 0.75]), np.array([2.75, 2.80]))
    assert rho[0] == pytest.approx(1.6176, rel=RTOL_WORKED_EXAMPLE)
    assert rho[1] == pytest.approx(1.9310, rel=RTOL_WORKED_EXAMPLE)


def test_paste_recipe_reproduces_ex08(mode):
    """75 % w/w, SG 2.80: solids 1.4483 t/m3, binder at 4 % 57.93 kg/m3."""
    out = _k("paste_recipe", mode)(
        np.array([100.0]), np.array([2.80]), np.array([0.75]), np.array([0.04])
    )[0]
    rho, solids_m3, paste_m3, water, binder, binder_m3 = out
    assert rho == pytest.approx(1.9310, rel=RTOL_WORKED_EXAMPLE)
    assert solids_m3 == pytest.approx(1.4483, rel=RTOL_WORKED_EXAMPLE)
    assert binder_m3 == pytest.approx(57.93, rel=RTOL_WORKED_EXAMPLE)
    assert water == pytest.approx(100.0 / 3.0, rel=RTOL_EXACT)
    assert binder == pytest.approx(4000.0, rel=RTOL_EXACT)
    assert paste_m3 == pytest.approx((100.0 + water) / rho, rel=RTOL_EXACT)


def test_cake_liquor_split(mode):
    fn = _k("cake_liquor_split", mode)
    feed_w = np.array([100.0, 100.0, 5.0, 100.0, 100.0])
    solids = np.array([100.0, 100.0, 100.0, 100.0, 100.0])
    moist = np.full(5, 0.2)
    wash = np.array([0.0, 0.1, 0.0, 0.5, 5.0])
    eff = np.full(5, 0.8)
    out = fn(feed_w, solids, moist, wash, eff)
    cake_w = 100.0 * 0.2 / 0.8
    assert out[0, 0] == pytest.approx(cake_w, rel=RTOL_EXACT)
    assert out[0, 2] == pytest.approx(cake_w / 100.0, rel=RTOL_EXACT)  # no wash: feed tenor
    assert out[1, 3] == pytest.approx(0.8 * 10.0 / cake_w, rel=RTOL_EXACT)
    assert out[2, 0] == 5.0  # a feed drier than the cake keeps all its water
    assert out[4, 3] == pytest.approx(0.8, rel=RTOL_EXACT)  # excess wash: efficiency caps it
    assert np.all(np.diff(out[[0, 1, 3, 4], 2]) <= 0.0)  # more wash never leaves more solute


def test_passing_frac_is_the_inverse_of_passing_size(mode):
    fn = _k("passing_frac_at_batch", mode)
    edges = 300.0 / np.sqrt(2.0) ** np.arange(10)
    rng = np.random.default_rng(3)
    mass = rng.uniform(0.1, 1.0, (4, 10))
    for p in (0.1, 0.3, 0.5, 0.8, 0.97):
        sizes = np.array([passing_size_um(edges, mass[r], p) for r in range(4)])
        assert_allclose(fn(edges, mass, sizes), p, rtol=1e-12)
    assert_allclose(fn(edges, mass, np.full(4, 1000.0)), 1.0)
    assert_allclose(fn(edges, mass, np.full(4, 1.0)), 0.0)
    assert fn(edges, np.zeros((1, 10)), np.array([20.0]))[0] == 0.0
    # finer sizes never pass more
    grid = np.geomspace(5.0, 400.0, 30)
    values = [fn(edges, mass[:1], np.array([x]))[0] for x in grid]
    assert np.all(np.diff(values) >= 0.0)


def test_kernels_do_not_mutate_inputs(mode):
    q, c_in = np.array([100.0]), np.array([200.0])
    before = (q.copy(), c_in.copy())
    _k("inco_reagents_kg_h", mode)(
        q, c_in, np.array([1.0]), np.array([4.0]), np.array([30.0]), np.array([0.0]), True
    )
    assert_allclose(q, before[0])
    assert_allclose(c_in, before[1])


def test_cu_hydroxide_solubility_has_its_minimum_near_ph_10(mode):
    """Cu(OH)2 + hydroxo complexes (Stumm & Morgan 1996 ch. 6 constants): 0.3 mg/L at
    pH 7, a minimum of about 2e-4 mg/L near pH 10, rising again in strong alkali."""
    from oreflow.kernels import detox_metals as km

    fn = km.cu_hydroxide_solubility_mg_l
    fn = fn if mode == "jit" else getattr(fn, "py_func", fn)
    ph = np.arange(6.0, 12.01, 0.5)
    sol = np.array([fn(p, km.LOG_KS0_CU_OH2) for p in ph])
    assert sol[2] == pytest.approx(0.305, rel=0.01)  # pH 7
    i_min = int(np.argmin(sol))
    assert 9.5 <= ph[i_min] <= 10.5
    assert np.all(np.diff(sol[: i_min + 1]) < 0.0) and np.all(np.diff(sol[i_min:]) > 0.0)
    # aged CuO (log *Ks0 7.65) is ten times less soluble at every pH
    assert fn(8.0, 7.65) == pytest.approx(fn(8.0, 8.65) / 10.0, rel=1e-12)
