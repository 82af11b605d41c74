"""SART kernel: stoichiometry, the sulfide and pH levers, acid and lime, gypsum.

Every case is run compiled and as plain Python.
"""

import numpy as np
import pytest

from oreflow.conventions import RTOL_EXACT
from oreflow.kernels import sart as ks

COL = {name: i for i, name in enumerate(ks.SART_COLUMNS)}


@pytest.fixture(params=["jit", "python"])
def balance(request):
    fn = ks.sart_balance_kmol_h
    return fn if request.param == "jit" else fn.py_func


def _run(balance, n=1, **kw):
    one = np.ones(n)
    args = {
        "water_m3_h": 100.0,
        "cu_kmol_h": 1.0,
        "ag_kmol_h": 0.0,
        "cn_wad_kmol_h": 3.0,
        "cn_free_kmol_h": 0.5,
        "so4_kmol_h": 0.0,
        "sulfide_ratio": 1.0,
        "ph": 4.5,
        "cu_max_frac": 1.0,
        "ph50": 6.0,
        "ph_slope": 2.0,
        "cn_loss_frac": 0.0,
        "alkalinity_mg_l": 0.0,
        "gypsum_sol_g_l": 0.0,
    }
    na2s = kw.pop("na2s", False)
    args.update(kw)
    arrays = [np.ascontiguousarray(np.broadcast_to(args[k], (n,)) * one) for k in args]
    return balance(*arrays, na2s)


def test_stoichiometry_at_full_dose(balance):
    """½ S per Cu; Cu(CN)3 2- with HS-: 2.5 H+ per Cu, 1 per free CN; lime returns the HCN."""
    r = _run(balance, ph=2.0)  # pH far below ph50: all the copper
    f_ph = 1.0 / (1.0 + 10.0 ** (2.0 * (2.0 - 6.0)))
    cu = f_ph
    assert r[0, COL["cu_precip"]] == pytest.approx(cu, rel=RTOL_EXACT)
    assert r[0, COL["s_used"]] == pytest.approx(0.5 * cu, rel=RTOL_EXACT)
    assert r[0, COL["cn_released"]] == pytest.approx(3.0 * cu, rel=RTOL_EXACT)
    excess = 0.5 - 0.5 * cu
    free_acid = 1e-2 * 100.0
    h = 0.5 + 2.5 * cu + excess + free_acid
    assert r[0, COL["h2so4"]] == pytest.approx(0.5 * h, rel=RTOL_EXACT)
    kept = 0.5 + 3.0 * cu
    assert r[0, COL["cn_regenerated"]] == pytest.approx(kept, rel=RTOL_EXACT)
    assert r[0, COL["caoh2"]] == pytest.approx(0.5 * (kept + excess + free_acid), rel=RTOL_EXACT)


def test_na2s_takes_more_acid_than_nahs(balance):
    """S2- takes one more H+ per S than HS- (n per Cu instead of n - 1/2)."""
    nahs = _run(balance, sulfide_ratio=1.2)
    na2s = _run(balance, sulfide_ratio=1.2, na2s=True)
    assert na2s[0, COL["cu_precip"]] == nahs[0, COL["cu_precip"]]
    extra = na2s[0, COL["h2so4"]] - nahs[0, COL["h2so4"]]
    assert extra == pytest.approx(0.5 * nahs[0, COL["s_dose"]], rel=1e-12)


def test_sulfide_limits_copper_below_stoichiometry(balance):
    """Below a full dose the copper precipitated is 2 Cu per S dosed; above it, flat."""
    ratios = np.array([0.0, 0.25, 0.5, 0.9, 1.0, 1.5, 3.0])
    r = _run(balance, n=ratios.size, sulfide_ratio=ratios, cu_max_frac=0.98)
    cu = r[:, COL["cu_precip"]]
    assert cu[0] == 0.0 and r[0, COL["h2so4"]] > 0.0  # the free cyanide still takes acid
    np.testing.assert_allclose(cu[1:4], ratios[1:4], rtol=RTOL_EXACT)
    assert np.all(np.diff(cu) >= 0.0)
    assert cu[-1] == cu[-2] == cu[-3] < 0.98
    # excess sulfide raises acid and lime
    assert r[-1, COL["h2so4"]] > r[-2, COL["h2so4"]] > r[-3, COL["h2so4"]]
    assert r[-1, COL["caoh2"]] > r[-2, COL["caoh2"]]


def test_ph_lowers_copper_and_cyanide_released(balance):
    """Copper precipitated falls with pH; half at ph50; cyanide released follows copper."""
    ph = np.array([3.0, 4.0, 4.5, 5.0, 6.0, 7.0, 8.0])
    r = _run(balance, n=ph.size, ph=ph, sulfide_ratio=2.0)
    cu = r[:, COL["cu_precip"]]
    assert np.all(np.diff(cu) < 0.0)
    assert cu[4] == pytest.approx(0.5, rel=RTOL_EXACT)
    assert cu[2] > 0.998  # pH 4-5 of the plants: essentially all of the ultimate
    np.testing.assert_allclose(r[:, COL["cn_released"]], 3.0 * cu, rtol=RTOL_EXACT)


def test_alkalinity_and_loss(balance):
    """Alkalinity takes acid and lime one equivalent each; lost HCN is not regenerated."""
    base = _run(balance)
    alk = _run(balance, alkalinity_mg_l=500.0)
    eq = 500.0 * 100.0 / ks.CACO3_G_EQ / 1000.0
    assert alk[0, COL["h2so4"]] - base[0, COL["h2so4"]] == pytest.approx(0.5 * eq, rel=1e-12)
    assert alk[0, COL["caoh2"]] - base[0, COL["caoh2"]] == pytest.approx(0.5 * eq, rel=1e-12)
    lossy = _run(balance, cn_loss_frac=0.1)
    total = base[0, COL["cn_regenerated"]]
    assert lossy[0, COL["cn_regenerated"]] == pytest.approx(0.9 * total, rel=RTOL_EXACT)
    assert lossy[0, COL["cn_lost"]] == pytest.approx(0.1 * total, rel=RTOL_EXACT)


def test_gypsum_above_solubility(balance):
    """Gypsum is the lesser of lime and sulfate, less what stays dissolved; never negative."""
    sols = np.array([0.0, 2.0, 1e3])
    r = _run(balance, n=3, so4_kmol_h=5.0, gypsum_sol_g_l=sols)
    lime = r[0, COL["caoh2"]]
    assert r[0, COL["gypsum"]] == pytest.approx(lime, rel=RTOL_EXACT)
    assert r[1, COL["gypsum"]] == pytest.approx(lime - 2.0 * 100.0 / 136.14, rel=RTOL_EXACT)
    assert r[2, COL["gypsum"]] == 0.0


def test_no_copper_no_sulfide(balance):
    """A solution without copper takes no sulfide and releases no complexed cyanide."""
    r = _run(balance, cu_kmol_h=0.0, cn_wad_kmol_h=0.0)
    assert r[0, COL["s_dose"]] == 0.0
    assert r[0, COL["cu_precip"]] == 0.0
    assert r[0, COL["cn_regenerated"]] == pytest.approx(0.5, rel=RTOL_EXACT)


def test_silver_takes_the_sulfide_first(balance):
    """Ag2S before Cu2S: short of sulfide the silver is all precipitated, the copper not;
    silver's 2 CN per Ag are released with it and the rest of the WAD cyanide with copper."""
    ratios = np.array([0.1, 2.0])
    r = _run(balance, n=2, ag_kmol_h=0.1, cn_wad_kmol_h=3.2, sulfide_ratio=ratios, ph=2.0)
    f = 1.0 / (1.0 + 10.0 ** (2.0 * (2.0 - 6.0)))
    dose = 0.1 * 0.5 * 1.1
    assert r[0, COL["s_dose"]] == pytest.approx(dose, rel=RTOL_EXACT)
    assert r[0, COL["ag_precip"]] == pytest.approx(0.1 * f, rel=RTOL_EXACT)
    assert r[0, COL["cu_precip"]] == pytest.approx(2.0 * dose - 0.1 * f, rel=RTOL_EXACT)
    assert r[1, COL["cu_precip"]] == pytest.approx(f, rel=RTOL_EXACT)
    released = 2.0 * 0.1 * f + 3.0 * f
    assert r[1, COL["cn_released"]] == pytest.approx(released, rel=RTOL_EXACT)
