"""AVR kernel: stoichiometry, CuCN or CuSCN, HCN stripping (Kremser, Henry), acid and lime.

Every case is run compiled and as plain Python.
"""

import numpy as np
import pytest

from oreflow.kernels import avr as ka

COL = {name: i for i, name in enumerate(ka.AVR_COLUMNS)}


@pytest.fixture(params=["jit", "python"])
def balance(request):
    fn = ka.avr_balance_kmol_h
    return fn if request.param == "jit" else fn.py_func


def _run(balance, **kw):
    args = {
        "water_m3_h": 100.0, "cu_kmol_h": 1.0, "cn_on_cu_kmol_h": 3.0,
        "cn_free_kmol_h": 0.5, "scn_kmol_h": 0.0, "so4_kmol_h": 0.0, "ph": 3.0,
        "cu_max_frac": 1.0, "ph50": 6.0, "ph_slope": 2.0, "air_to_liquid": 800.0,
        "temperature_c": 25.0, "n_stages": 3.0, "absorption_frac": 1.0, "naoh_ratio": 1.0,
        "alkalinity_mg_l": 0.0, "gypsum_sol_g_l": 0.0,
    }  # fmt: skip
    args.update(kw)
    r = balance(*(np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in args.values()))
    return {k: r[:, i] for k, i in COL.items()}


def test_cucn_keeps_one_cyanide_per_copper(balance):
    r = _run(balance)
    f_ph = 1.0 / (1.0 + 10.0 ** (2.0 * (3.0 - 6.0)))
    assert r["cu_cucn"][0] == pytest.approx(f_ph, rel=1e-12)
    assert r["cu_cuscn"][0] == 0.0
    assert r["cn_released"][0] == pytest.approx(2.0 * f_ph, rel=1e-12)  # (n - 1) per Cu
    hcn = 0.5 + 2.0 * f_ph
    assert r["hcn"][0] == pytest.approx(hcn, rel=1e-12)
    free_acid = 1e-3 * 100.0  # 10^-pH mol/L x 100 m3/h
    assert r["h2so4"][0] == pytest.approx(0.5 * (hcn + free_acid), rel=1e-12)
    stripped = r["strip_frac"][0] * hcn
    assert r["hcn_stripped"][0] == pytest.approx(stripped, rel=1e-12)
    assert r["hcn_left"][0] == pytest.approx(hcn - stripped, rel=1e-12)
    assert r["caoh2"][0] == pytest.approx(0.5 * (hcn - stripped + free_acid), rel=1e-12)
    assert r["naoh"][0] == pytest.approx(stripped, rel=1e-12)


def test_thiocyanate_rich_acid_solution_gives_cuscn_and_all_the_cyanide(balance):
    # K = Ksp(CuCN) / (Ksp(CuSCN) Ka(HCN)) ~ 318 L/mol; at pH 2 K[H+] ~ 3.2: CuSCN forms
    # while [HCN] / [SCN] < 3.2
    assert pytest.approx(3.47e-20 / (1.77e-13 * 10**-9.21), rel=1e-12) == ka.K_CUSCN_L_MOL
    r = _run(balance, ph=2.0, scn_kmol_h=50.0)
    assert r["cu_cuscn"][0] == pytest.approx(1.0, rel=1e-6)
    assert r["cn_released"][0] == pytest.approx(3.0, rel=1e-6)
    # equilibrium split when the thiocyanate is short: the ratio sits at K
    r = _run(balance, ph=2.0, scn_kmol_h=1.5)
    x = r["cu_cuscn"][0]
    assert 0.0 < x < 1.0
    hcn, scn = (r["hcn"][0]) / 100.0, (1.5 - x) / 100.0
    assert hcn / (1e-2 * scn) == pytest.approx(ka.K_CUSCN_L_MOL, rel=1e-9)
    # at pH 3.5 the same thiocyanate leaves CuCN
    assert _run(balance, ph=3.5, scn_kmol_h=1.5)["cu_cuscn"][0] == 0.0


def test_henry_constant_and_kremser_limits():
    kaw = ka.hcn_air_water_ratio(25.0)
    assert kaw == pytest.approx(1.0 / (8.9e-2 * 8.314462618 * 298.15), rel=1e-12)
    assert 0.0044 < kaw < 0.0046
    assert ka.hcn_air_water_ratio(40.0) > 1.5 * kaw  # 8200 K: about doubles by 40 C
    assert ka.kremser_stripped_frac(1.0, 3.0) == pytest.approx(0.75, rel=1e-12)
    assert ka.kremser_stripped_frac(0.5, 1.0) == pytest.approx((0.25 - 0.5) / (0.25 - 1.0))
    assert ka.kremser_stripped_frac(1e6, 3.0) == pytest.approx(1.0, abs=1e-12)
    assert ka.kremser_stripped_frac(0.0, 3.0) == 0.0


def test_more_air_warmer_solution_and_more_stages_strip_more(balance):
    f = [_run(balance, air_to_liquid=a)["strip_frac"][0] for a in (100.0, 400.0, 800.0, 2000.0)]
    assert np.all(np.diff(f) > 0.0)
    warm = _run(balance, temperature_c=40.0)["strip_frac"][0]
    assert warm > _run(balance)["strip_frac"][0]
    assert _run(balance, n_stages=6.0)["strip_frac"][0] > _run(balance)["strip_frac"][0]


def test_stack_loss_is_what_the_absorber_misses(balance):
    r = _run(balance, absorption_frac=0.99, naoh_ratio=1.1)
    assert r["hcn_stack"][0] == pytest.approx(0.01 * r["hcn_stripped"][0], rel=1e-9)
    assert r["naoh"][0] == pytest.approx(1.1 * r["hcn_absorbed"][0], rel=1e-12)
