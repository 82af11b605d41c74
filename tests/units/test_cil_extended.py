"""CIL/CIP/CIC extensions: preg-robbing, silver and copper, cyanide budget, WAD, CIP mode.

Worked examples of worked example ex07 (Marsden & House 2006; docs/models.md#cil NaCN budget 0.8973 kg/t, Goodall, Leatham & Scales 2005, Miner. Eng. 18:1135; docs/models.md#cil preg-robbing
0.525 % / 34.78 %, Nicol, Fleming & Cromberge 1984; Fleming et al. 2011, Miner. Eng. 24:484; docs/models.md#cil cascades), through the kernels and through small case files in
``cases/tests/cn_*.toml``. Kernels run both compiled and as ``py_func``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.conventions import (
    G_PER_T,
    RTOL_CLOSURE,
    RTOL_EXACT,
    RTOL_RECYCLE_CLOSURE,
    RTOL_WORKED_EXAMPLE,
)
from oreflow.errors import CaseError
from oreflow.flowsheet.case import load_case, parse_case
from oreflow.flowsheet.compile import compile_case
from oreflow.kernels import adsorption as ads
from oreflow.kernels import leaching as kl
from oreflow.solvers.results import unit_closure
from oreflow.solvers.simulate import simulate_plant
from tests.kernels import reference_leaching as ref

CASES = Path(__file__).resolve().parents[2] / "cases"
BUDGET = CASES / "tests" / "cn_ex07_budget.toml"
PREGROB = CASES / "tests" / "cn_ex07_pregrob.toml"
CIP_PREGROB = CASES / "tests" / "cn_cip_pregrob.toml"
SILVER_COPPER = CASES / "tests" / "cn_silver_copper.toml"
EX07 = CASES / "tests" / "ex07_cil.toml"
COPPER_GOLD = CASES / "copper_gold_cil.toml"

# ex07 plant (Nicol, Fleming & Cromberge 1984; Fleming et al. 2011, Miner. Eng. 24:484; docs/models.md#cil)
Q_L = 200.0 * 0.55 / 0.45
C0_CIP = 2.0 * 0.92 / (0.55 / 0.45)


@pytest.fixture(params=["jit", "py_func"])
def impl(request):
    """Pick the compiled kernel or its pure-Python body."""
    if request.param == "jit":
        return lambda fn: fn
    return lambda fn: getattr(fn, "py_func", fn)


def run(case, n_cases=1, overrides=None):
    """Simulate and return the raw Simulation (unit metrics as arrays).

    Limits beyond the declared ranges (an infinite residence) are what these tests probe.
    """
    spec = case if not isinstance(case, Path) else load_case(case)
    plant = compile_case(spec)
    return simulate_plant(plant, n_cases=n_cases, overrides=overrides, check_ranges=False)


def metrics(sim, unit):
    return {k: np.asarray(v) for k, v in sim.units[unit].metrics.items()}


def assert_printed(actual, printed, decimals):
    """Agree with a number printed to ``decimals`` places, or to RTOL_WORKED_EXAMPLE."""
    tol = max(RTOL_WORKED_EXAMPLE * abs(printed), 0.5 * 10.0**-decimals)
    assert abs(actual - printed) <= tol, (actual, printed)


def ads_train(impl, n_tanks=6, n_met=1, **kw):
    """Call adsorption_train_batch for one case with ex07 defaults."""
    args = {
        "solution_m3_h": np.array([Q_L]),
        "feed_tenor_g_m3": np.zeros((1, n_met)),
        "source_g_h": np.zeros((1, n_tanks, n_met)),
        "carbon_tph": np.array([0.25]),
        "barren_loading_g_t": np.full((1, n_met), 50.0),
        "carbon_per_tank_t": np.full((1, n_tanks), 8.0),
        "k_per_h": np.full((1, n_met), 0.015),
        "k_eq_m3_t": np.full((1, n_met), 1.0e4),
        "molar_mass_g_mol": np.array([kl.AU_G_MOL, kl.AG_G_MOL, kl.CU_G_MOL][:n_met]),
        "capacity_g_t": np.array([np.inf]),
        "solids_tph": np.array([200.0]),
        "ore_k_m3_t": np.zeros(1),
        "feed_ore_g_h": np.zeros(1),
        "reversible": True,
    }
    args.update(kw)
    return impl(ads.adsorption_train_batch)(**args)


def dense_cascade(flow, c0, source, carbon, barren, transfer, k_eq, ore_k, p0):
    """Reference: the reversible preg-robbing cascade as one dense linear system."""
    n = len(source)
    a = np.zeros((2 * n, 2 * n))
    b = np.zeros(2 * n)
    for j in range(n):
        c, q = j, n + j
        a[j, c] = -(flow + ore_k) - transfer[j] * k_eq[j]
        a[j, q] = transfer[j]
        if j:
            a[j, c - 1] = flow + ore_k
        else:
            b[j] -= flow * c0 + p0
        b[j] -= source[j]
        a[n + j, q] = -carbon - transfer[j]
        a[n + j, c] = transfer[j] * k_eq[j]
        if j < n - 1:
            a[n + j, q + 1] = carbon
        else:
            b[n + j] -= carbon * barren
    x = np.linalg.solve(a, b)
    return x[:n], x[n:]


# --- kernels -----------------------------------------------------------------------------


def test_leach_train_matches_cil_leach_and_conserves(impl):
    rng = np.random.default_rng(3)
    feed = rng.uniform(0.0, 1.0, (3, 5, 4))
    k = rng.uniform(0.01, 0.5, feed.shape)
    ult = rng.uniform(0.2, 1.0, feed.shape)
    tau = rng.uniform(0.5, 6.0, (3, 7))
    dissolved, residue = impl(kl.leach_train_batch)(feed, k, ult, tau)
    for d in range(4):
        leached, res = ref.cil_leach_batch(
            np.ascontiguousarray(feed[:, :, d : d + 1]),
            np.ascontiguousarray(k[:, :, d : d + 1]),
            np.ascontiguousarray(ult[:, :, d : d + 1]),
            tau,
        )
        np.testing.assert_allclose(dissolved[:, :, d], leached, rtol=RTOL_EXACT)
        np.testing.assert_allclose(residue[:, :, d], res[:, :, 0], rtol=RTOL_EXACT)
    np.testing.assert_allclose(
        dissolved.sum(axis=1) + residue.sum(axis=1), feed.sum(axis=1), rtol=RTOL_EXACT
    )
    zero, same = impl(kl.leach_train_batch)(feed, k, ult, np.zeros((3, 7)))
    assert np.all(zero == 0.0)
    np.testing.assert_array_equal(same, feed)
    inf, _ = impl(kl.leach_train_batch)(feed, k, ult, np.full((3, 7), 1e12))
    np.testing.assert_allclose(inf.sum(axis=1), (feed * ult).sum(axis=1), rtol=1e-9)
    with pytest.raises(ValueError, match="shape"):
        impl(kl.leach_train_batch)(feed, k[:, :, :2], ult, tau)


def test_adsorption_train_reduces_to_the_ex07_cascades(impl):
    """One metal, no preg-robbing: the ex07 CIP and CIL numbers of Nicol, Fleming & Cromberge 1984; Fleming et al. 2011, Miner. Eng. 24:484; docs/models.md#cil."""
    c, q, _ = ads_train(impl, feed_tenor_g_m3=np.array([[C0_CIP]]))
    np.testing.assert_allclose(c[0, -1, 0], 0.00533, rtol=2e-3)
    assert_printed(q[0, 0, 0], 1516.78, 2)
    ref_c, ref_q = ref.carbon_cascade_batch(
        np.array([Q_L]),
        np.array([C0_CIP]),
        np.zeros((1, 6)),
        np.array([0.25]),
        np.array([50.0]),
        np.full((1, 6), 8.0),
        np.array([0.015]),
        np.array([1.0e4]),
    )
    np.testing.assert_allclose(c[0, :, 0], ref_c[0], rtol=RTOL_EXACT)
    np.testing.assert_allclose(q[0, :, 0], ref_q[0], rtol=RTOL_EXACT)
    g = [2.0]
    for _ in range(6):
        g.append(0.12 + (g[-1] - 0.12) / (1.0 + 0.30 * 4.0))
    source = (200.0 * (np.array(g[:-1]) - np.array(g[1:])))[None, :, None]
    c, q, _ = ads_train(impl, source_g_h=source)
    recovery = 0.25 * (q[0, 0, 0] - 50.0) / 400.0
    assert_printed(recovery, 0.92328, 5)
    assert_printed(c[0, -1, 0], 0.01379, 5)


def test_preg_robbing_ex07_single_tank(impl):
    """Goodall, Leatham & Scales 2005, Miner. Eng. 18:1135; docs/models.md#cil: 0.525 % of the dissolved gold on the ore with carbon, 34.78 % without."""
    v, k_ore, k_c, m_c = 1.5, 0.8, 1.0e4, 0.015
    solids = 100.0
    for reversible in (True, False):
        common = {
            "solution_m3_h": np.array([v * solids]),
            "source_g_h": np.full((1, 1, 1), 200.0),
            "barren_loading_g_t": np.zeros((1, 1)),
            "solids_tph": np.array([solids]),
            "ore_k_m3_t": np.array([k_ore]),
            "reversible": reversible,
        }
        # carbon at equilibrium: M k >> F_c
        _, _, ore = ads_train(
            impl,
            n_tanks=1,
            carbon_tph=np.array([m_c * solids]),
            carbon_per_tank_t=np.full((1, 1), 1.0e6),
            k_per_h=np.full((1, 1), 1.0e3),
            k_eq_m3_t=np.full((1, 1), k_c),
            **common,
        )
        assert_printed(ore[0, 0] / 200.0, 0.005253, 6)
        np.testing.assert_allclose(
            ore[0, 0] / 200.0, ref.preg_robbed_fraction(k_ore, k_c, m_c, v), rtol=1e-7
        )
        _, _, ore = ads_train(
            impl, n_tanks=1, carbon_tph=np.zeros(1), carbon_per_tank_t=np.zeros((1, 1)), **common
        )
        assert_printed(ore[0, 0] / 200.0, 0.347826, 6)


def test_reversible_preg_robbing_matches_dense_solve(impl):
    rng = np.random.default_rng(7)
    for _ in range(20):
        n = int(rng.integers(1, 8))
        flow = rng.uniform(50.0, 300.0)
        solids = rng.uniform(50.0, 300.0)
        k_ore = rng.uniform(0.0, 2.0)
        mass = rng.uniform(0.0, 10.0, n) * (rng.uniform(size=n) > 0.3)
        carbon = rng.uniform(0.05, 1.0)
        source = rng.uniform(0.0, 100.0, n)
        c0, p0, q_in = rng.uniform(0, 1), rng.uniform(0, 30), rng.uniform(0, 80)
        c, q, ore = ads_train(
            impl,
            n_tanks=n,
            solution_m3_h=np.array([flow]),
            feed_tenor_g_m3=np.array([[c0]]),
            source_g_h=source[None, :, None],
            carbon_tph=np.array([carbon]),
            barren_loading_g_t=np.array([[q_in]]),
            carbon_per_tank_t=mass[None, :],
            solids_tph=np.array([solids]),
            ore_k_m3_t=np.array([k_ore]),
            feed_ore_g_h=np.array([p0]),
        )
        ref_c, ref_q = dense_cascade(
            flow, c0, source, carbon, q_in, mass * 0.015, np.full(n, 1e4), solids * k_ore, p0
        )
        np.testing.assert_allclose(c[0, :, 0], ref_c, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(q[0, :, 0], ref_q, rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(ore[0], solids * k_ore * c[0, :, 0], rtol=RTOL_EXACT)
        # closure: Q C0 + P0 + sum S = Q C_N + P_N + F_c (q_1 - q_in)
        lhs = flow * c0 + p0 + source.sum()
        rhs = flow * c[0, -1, 0] + ore[0, -1] + carbon * (q[0, 0, 0] - q_in)
        np.testing.assert_allclose(lhs, rhs, rtol=1e-12)


def test_held_preg_robbing_is_consistent_and_loses_more_without_carbon(impl):
    """Irreversible: the ore keeps the most it held; a CIP's carbon-free leach tanks rob most."""
    g = [2.0]
    for _ in range(6):
        g.append(0.12 + (g[-1] - 0.12) / (1.0 + 0.30 * 4.0))
    leach = 200.0 * (np.array(g[:-1]) - np.array(g[1:]))
    cil_source = leach[None, :, None]
    cip_source = np.concatenate([leach, np.zeros(6)])[None, :, None]
    cip_carbon = np.concatenate([np.zeros(6), np.full(6, 8.0)])[None, :]
    lost = {}
    for name, source, mass in (
        ("cil", cil_source, np.full((1, 6), 8.0)),
        ("cip", cip_source, cip_carbon),
    ):
        for reversible in (True, False):
            c, q, ore = ads_train(
                impl,
                n_tanks=source.shape[1],
                source_g_h=source,
                carbon_per_tank_t=mass,
                ore_k_m3_t=np.array([0.8]),
                reversible=reversible,
            )
            held = np.concatenate([[0.0], ore[0]])
            if not reversible:
                # the ore never gives gold back, and holds K_ore C where it still adsorbs
                assert np.all(np.diff(held) >= -1e-12 * held.max())
                want = 200.0 * 0.8 * c[0, :, 0]
                assert np.all(ore[0] >= want * (1 - 1e-12))
            lhs = source.sum()
            rhs = Q_L * c[0, -1, 0] + ore[0, -1] + 0.25 * (q[0, 0, 0] - 50.0)
            np.testing.assert_allclose(lhs, rhs, rtol=1e-12)
            lost[name, reversible] = ore[0, -1] / 400.0
    assert lost["cip", False] > 3.0 * lost["cil", False]
    assert lost["cip", False] > lost["cip", True]
    assert lost["cil", False] >= lost["cil", True]


def test_site_competition_lowers_gold_and_is_a_fixed_point(impl):
    source = np.zeros((1, 6, 2))
    source[0, :, 0] = [100.0, 50.0, 25.0, 12.0, 6.0, 3.0]
    source[0, :, 1] = [800.0, 400.0, 200.0, 100.0, 50.0, 25.0]
    common = {
        "n_met": 2,
        "source_g_h": source,
        "barren_loading_g_t": np.array([[50.0, 0.0]]),
        "k_eq_m3_t": np.array([[1.0e4, 2.0e3]]),
    }
    c_free, q_free, _ = ads_train(impl, **common)
    c_comp, q_comp, _ = ads_train(impl, capacity_g_t=np.array([3.0e4]), **common)
    assert q_comp[0, 0, 0] < q_free[0, 0, 0]
    assert q_comp[0, 0, 1] < q_free[0, 0, 1]
    assert c_comp[0, -1, 0] > c_free[0, -1, 0]
    # each metal alone equals the uncompeted two-metal run
    _, q_au, _ = ads_train(
        impl, source_g_h=np.ascontiguousarray(source[:, :, :1]), capacity_g_t=np.array([3.0e4])
    )
    np.testing.assert_allclose(q_au[0, :, 0], q_free[0, :, 0], rtol=RTOL_EXACT)
    # the competed loadings reproduce themselves through the site factors
    molar = np.array([kl.AU_G_MOL, kl.AG_G_MOL])
    for m in range(2):
        other = 1 - m
        phi = 1.0 / (1.0 + q_comp[0, :, other] * molar[0] / molar[other] / 3.0e4)
        tenor, loading, ore = np.empty(6), np.empty(6), np.empty(6)
        ads._solve_metal(
            Q_L,
            0.0,
            np.ascontiguousarray(source[0, :, m]),
            0.25,
            [50.0, 0.0][m],
            np.full(6, 8.0 * 0.015),
            [1.0e4, 2.0e3][m] * phi,
            0.0,
            0.0,
            True,
            tenor,
            loading,
            ore,
            np.empty((7, 6)),
        )
        np.testing.assert_allclose(loading, q_comp[0, :, m], rtol=1e-10)


def test_adsorption_train_rejects_bad_shapes_and_keeps_inputs(impl):
    with pytest.raises(ValueError, match="n_met"):
        ads_train(impl, k_per_h=np.full((1, 2), 0.015))
    with pytest.raises(ValueError, match="n_cases"):
        ads_train(impl, carbon_tph=np.array([0.25, 0.25]))
    source = np.full((1, 6, 1), 10.0)
    keep = source.copy()
    ads_train(impl, source_g_h=source, ore_k_m3_t=np.array([0.5]), reversible=False)
    np.testing.assert_array_equal(source, keep)


def test_compiled_matches_py_func_on_a_batch():
    rng = np.random.default_rng(11)
    n, t, m = 5, 4, 3
    args = (
        rng.uniform(50, 300, n),
        rng.uniform(0, 1, (n, m)),
        rng.uniform(0, 100, (n, t, m)),
        rng.uniform(0.05, 1, n),
        rng.uniform(0, 80, (n, m)),
        rng.uniform(0, 10, (n, t)),
        rng.uniform(0.005, 0.05, (n, m)),
        rng.uniform(100, 2e4, (n, m)),
        np.array([kl.AU_G_MOL, kl.AG_G_MOL, kl.CU_G_MOL]),
        rng.uniform(1e4, 5e4, n),
        rng.uniform(50, 300, n),
        rng.uniform(0, 2, n),
        rng.uniform(0, 20, n),
        False,
    )
    jit = ads.adsorption_train_batch(*args)
    py = getattr(ads.adsorption_train_batch, "py_func", ads.adsorption_train_batch)(*args)
    for a, b in zip(jit, py, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-13)


# --- ex07 worked examples through case files ------------------------------------------


def test_nacn_budget_reproduces_models_ex07():
    """Marsden & House 2006; docs/models.md#cil: 0.4500 + 0.2699 + 0.0764 + 0.000995 + 0.10 = 0.8973 kg NaCN/t."""
    sim = run(BUDGET)
    m = metrics(sim, "cil")
    assert_printed(m["nacn_soluble_kg_t"][0], 0.4500, 4)
    assert_printed(m["nacn_cu_kg_t"][0], 0.2699, 4)
    assert_printed(m["nacn_scn_kg_t"][0], 0.0764, 4)
    assert_printed(m["nacn_complexation_kg_t"][0], 0.000995, 6)
    assert_printed(m["nacn_other_kg_t"][0], 0.10, 2)
    np.testing.assert_allclose(m["nacn_added_kg_t"][0], 0.8973, rtol=RTOL_WORKED_EXAMPLE)
    # per-kg factors of Marsden & House 2006; docs/models.md#cil
    cu = m["cu_dissolved_g_t"][0]
    assert_printed(m["nacn_cu_kg_t"][0] / cu * 1000.0, 2.70, 2)
    r = oreflow.simulate(BUDGET)
    assert r.kpis["nacn_kg_t"] == pytest.approx(m["nacn_added_kg_t"][0], rel=RTOL_EXACT)
    assert r.kpis["nacn_copper_kg_t"] == pytest.approx(m["nacn_cu_kg_t"][0], rel=RTOL_EXACT)
    assert r.kpis["closure_max_rel"] <= RTOL_CLOSURE


def test_wad_cyanide_and_products_follow_the_stoichiometry():
    sim = run(BUDGET)
    comps = sim.plant.spec.comps
    tails = sim.streams["cil.tails"][0]
    w = tails[comps.solution_offset("water")]

    def mg_l(name):
        return tails[comps.solution_offset(name)] * G_PER_T / w

    m = metrics(sim, "cil")
    # Cu(CN)3 2-: 3 CN per Cu (no copper on carbon in this case)
    assert mg_l("cn_wad") == pytest.approx(
        3.0 * kl.CN_G_MOL / kl.CU_G_MOL * mg_l("cu_aq"), rel=1e-12
    )
    assert mg_l("ocn") == pytest.approx(0.5 * kl.OCN_G_MOL / kl.CU_G_MOL * mg_l("cu_aq"), rel=1e-12)
    free_cn = mg_l("nacn") * kl.CN_PER_NACN
    assert m["tails_free_cn_mg_l"][0] == pytest.approx(free_cn, rel=1e-12)
    assert m["tails_wad_cn_mg_l"][0] == pytest.approx(free_cn + mg_l("cn_wad"), rel=1e-12)
    assert mg_l("nacn") == pytest.approx(300.0, rel=1e-12)
    # thiocyanate carries the pyrrhotite sulfur; iron precipitates as hydroxide
    s_scn = mg_l("scn") * comps.solids[0].elements.get("s", 0.0)  # gangue: no S
    assert s_scn == 0.0
    r = oreflow.simulate(BUDGET)
    elements = r.closure.query("view == 'element'").set_index("name")
    assert set(elements.index) >= {"au", "cu", "s", "fe"}
    assert elements["rel_err"].max() <= RTOL_CLOSURE
    assert r.kpis["tailings_wad_cn_mg_l"] == pytest.approx(m["tails_wad_cn_mg_l"][0], rel=1e-12)


def test_preg_robbing_reproduces_models_ex07_through_a_case():
    """0.525 % on the ore with carbon (equilibrium limit), 34.78 % with none."""
    sim = run(PREGROB)
    m = metrics(sim, "cil")
    dissolved = m["au_leach_extraction_frac"][0] * 200.0  # g/h of 2 g/t x 100 t/h
    robbed = m["pregrobbed_au_g_t"][0] * 100.0
    assert_printed(robbed / dissolved * 100.0, 0.525, 3)
    # the exact single-tank answer with kinetic carbon: K' = K M k / (F_c + M k)
    k_ore = m["ore_k_m3_t"][0]
    carbon_t = 100.0 * m["tank_volume_m3"][0] / 1000.0
    transfer = carbon_t * 10.0
    k_eff = 1.0e4 * transfer / (1.5 + transfer)
    assert robbed / dissolved == pytest.approx(
        ref.preg_robbed_fraction(k_ore, k_eff, 0.015, 1.5), rel=1e-9
    )
    for reversible in ("true", "false"):
        text = PREGROB.read_text().replace(
            "pregrob_k_m3_t = 80.0", f"pregrob_k_m3_t = 80.0\npregrob_reversible = {reversible}"
        )
        sim = run(parse_case(text, "pregrob.toml"), overrides={"units.cil.carbon_advance_t_d": 0.0})
        m = metrics(sim, "cil")
        robbed = m["pregrobbed_au_g_t"][0] * 100.0
        dissolved = m["au_leach_extraction_frac"][0] * 200.0
        assert_printed(robbed / dissolved * 100.0, 34.78, 2)


def test_cip_loses_preg_robbed_gold_that_a_cil_keeps_in_circuit():
    cip = oreflow.simulate(CIP_PREGROB)
    cil_text = _as_cil(CIP_PREGROB.read_text())
    cil = oreflow.simulate(parse_case(cil_text, "cil.toml"))
    assert cip.kpis["pregrobbed_au_frac"] > 0.3  # about the no-carbon 34.78 %
    assert cil.kpis["pregrobbed_au_frac"] < 0.15
    assert cil.kpis["gold_recovery_frac"] > cip.kpis["gold_recovery_frac"] + 0.2
    # reversible partition gives the robbed gold back in the CIP's adsorption tanks
    rev = oreflow.simulate(
        parse_case(
            CIP_PREGROB.read_text().replace(
                "pregrob_k_m3_t = 80.0", "pregrob_k_m3_t = 80.0\npregrob_reversible = true"
            ),
            "rev.toml",
        )
    )
    assert rev.kpis["pregrobbed_au_frac"] < 0.05
    for r in (cip, cil, rev):
        assert r.kpis["closure_max_rel"] <= RTOL_CLOSURE
        au = r.closure.query("view == 'element' and name == 'au'").iloc[0]
        assert au.in_tph + au.added_tph == pytest.approx(au.out_tph, rel=RTOL_CLOSURE)
    # preg-robbed gold leaves with the carbonaceous matter, class by class
    comps = load_case(CIP_PREGROB).comps
    tails = cip.streams_by_size.query("stream == 'cip.tails'")
    ratio = tails["au_pregrobbed_tph"] / tails["carbonaceous_tph"]
    ratio = ratio[tails["carbonaceous_tph"] > 0]
    np.testing.assert_allclose(ratio, ratio.iloc[0], rtol=1e-12)
    assert comps.has("au_pregrobbed")


def test_more_carbon_never_raises_preg_robbed_loss_in_a_cil():
    text = _as_cil(CIP_PREGROB.read_text())
    doses = np.array([2.0, 5.0, 10.0, 20.0, 40.0])
    frame = oreflow.simulate_batch(parse_case(text, "cil.toml"), {"units.cil.carbon_g_l": doses})
    assert np.all(np.diff(frame["pregrobbed_au_frac"]) < 0.0)
    assert np.all(np.diff(frame["gold_recovery_frac"]) > 0.0)


# --- default behaviour, silver and copper ------------------------------------------------


def test_gold_only_cases_are_what_they_were():
    """Values of ex07_cil before the extension (the 2N cascade of Nicol, Fleming & Cromberge 1984; Fleming et al. 2011, Miner. Eng. 24:484; docs/models.md#cil)."""
    sim = run(EX07)
    m = metrics(sim, "cil")
    assert m["au_to_carbon_frac"][0] == pytest.approx(0.9232822372311914, rel=1e-12)
    assert m["loaded_carbon_au_g_t"][0] == pytest.approx(1527.2515795699064, rel=1e-12)
    assert m["tails_au_gpt"][0] == pytest.approx(0.1365814216953298, rel=1e-12)
    assert m["nacn_added_kg_t"][0] == pytest.approx(0.6166666666666668, rel=1e-12)
    assert m["use_carbon_kg_h"][0] == pytest.approx(6.0, rel=1e-12)


def test_free_milling_cil_equals_the_original_kernels_on_its_feed():
    """The extended CIL on a gold-only feed computes what the original leach + cascade did.

    With the cyanidation drivers the table's k is scaled by the case's rate factor (free
    cyanide and sparged oxygen against the reference conditions), reported by the unit.
    """
    path = CASES / "free_milling_cil.toml"
    sim = run(path)
    m = metrics(sim, "cil")
    comps = sim.plant.spec.comps
    feed = sim.streams["thickener.underflow"]
    state = sim.plant.models["cil"].prepare(
        sim.params["cil"],
        type("Ctx", (), {"n_cases": 1, "comps": comps, "feed_wi_kwh_t": np.full(1, 14.0)})(),
    )
    _, k, ult = state
    k = k * m["leach_rate_factor"][:, None, None]
    gold = [comps.solid_index(n) for n in ("au_free", "au_silicate", "au_sulfide")]
    p = sim.params["cil"]
    water = feed[:, comps.solution_offset("water")]
    rho = np.array([s.density_t_m3 for s in comps.solids])
    pulp = (comps.solids_view(feed) / rho).sum(axis=(1, 2)) + water
    tau = np.repeat((p["residence_h"] / 7.0)[:, None], 7, axis=1)
    tank_m3 = tau[:, 0] * pulp
    solids = comps.solids_view(feed).sum(axis=(1, 2))
    leached, residue = ref.cil_leach_batch(
        np.ascontiguousarray(comps.solids_view(feed)[:, :, gold]), k, ult, tau
    )
    tenor, loading = ref.carbon_cascade_batch(
        water,
        np.zeros(1),
        leached * G_PER_T,
        p["carbon_advance_kg_t"] * solids / 1000.0,
        p["barren_carbon_au_g_t"],
        np.repeat((p["carbon_g_l"] * tank_m3 / 1000.0)[:, None], 7, axis=1),
        p["adsorption_k_per_h"],
        p["adsorption_k_eq_m3_t"],
    )
    assert m["loaded_carbon_au_g_t"][0] == pytest.approx(loading[0, 0], rel=1e-12)
    assert m["soluble_loss_au_mg_l"][0] == pytest.approx(tenor[0, -1], rel=1e-12)
    tails = comps.solids_view(sim.streams["cil.tails"])[:, :, gold]
    np.testing.assert_allclose(tails, residue, rtol=1e-12)
    assert m["nacn_consumed_kg_t"][0] == pytest.approx(
        0.15 + m["nacn_free_cn_loss_kg_t"][0], rel=1e-12
    )


def test_silver_leaches_and_loads_more_weakly_than_gold():
    sim = run(SILVER_COPPER)
    m = metrics(sim, "cil")
    assert 0.3 < m["ag_leach_extraction_frac"][0] < 0.75
    assert 0.0 < m["ag_to_carbon_frac"][0] < m["au_to_carbon_frac"][0]
    # loading per unit tenor in the last tank: silver's is weaker
    comps = sim.plant.spec.comps
    tails = sim.streams["cil.tails"][0]
    w = tails[comps.solution_offset("water")]
    c_au = tails[comps.solution_offset("au_aq")] * G_PER_T / w
    c_ag = tails[comps.solution_offset("ag_aq")] * G_PER_T / w
    assert m["loaded_carbon_ag_g_t"][0] / c_ag < m["loaded_carbon_au_g_t"][0] / c_au
    r = oreflow.simulate(SILVER_COPPER)
    assert r.kpis["silver_recovery_frac"] == pytest.approx(m["ag_to_carbon_frac"][0], rel=1e-9)


def test_silver_and_copper_compete_with_gold_for_carbon():
    frame = oreflow.simulate_batch(
        SILVER_COPPER, {"units.cil.carbon_capacity_g_t": [1e9, 3e4, 1e4]}
    )
    assert np.all(np.diff(frame["gold_recovery_frac"]) < 0.0)
    assert np.all(np.diff(frame["silver_recovery_frac"]) < 0.0)
    # a gold-only case is indifferent to the capacity
    ex07 = oreflow.simulate_batch(EX07, {"units.cil.carbon_capacity_g_t": [1e9, 1e3]})
    assert ex07["gold_recovery_frac"].iloc[0] == ex07["gold_recovery_frac"].iloc[1]


def test_copper_and_sulfides_consume_cyanide_by_stoichiometry():
    sim = run(SILVER_COPPER)
    m = metrics(sim, "cil")
    comps = sim.plant.spec.comps
    feed = comps.solids_view(sim.streams["ore.feed"])[0].sum(axis=0)
    tails = comps.solids_view(sim.streams["cil.tails"])[0].sum(axis=0)
    dissolved = {s.name: feed[i] - tails[i] for i, s in enumerate(comps.solids)}
    el = {s.name: s.elements for s in comps.solids}
    cu = sum(dissolved[n] * el[n].get("cu", 0.0) for n in ("chalcocite", "chalcopyrite"))
    s = sum(
        dissolved[n] * el[n].get("s", 0.0) for n in ("chalcocite", "chalcopyrite", "pyrrhotite")
    )
    fe_ferro = 0.1 * dissolved["pyrrhotite"] * el["pyrrhotite"]["fe"]
    per_t = 1000.0 / 200.0
    assert m["cu_dissolved_g_t"][0] == pytest.approx(cu * per_t * 1000.0, rel=1e-9)
    assert m["nacn_cu_kg_t"][0] == pytest.approx(cu * per_t * 3.5 * 49.008 / 63.546, rel=1e-9)
    assert m["nacn_scn_kg_t"][0] == pytest.approx(s * per_t * 49.008 / 32.06, rel=1e-9)
    assert m["nacn_ferrocyanide_kg_t"][0] == pytest.approx(
        fe_ferro * per_t * 6.0 * 49.008 / kl.FE_G_MOL, rel=1e-9
    )
    assert dissolved["pyrite"] == 0.0  # not in the leach table
    # chalcocite leaches fast and far, chalcopyrite hardly (Hedley & Tabachnick 1958)
    frac = {n: dissolved[n] / feed[comps.solid_index(n)] for n in ("chalcocite", "chalcopyrite")}
    assert frac["chalcocite"] > 0.8
    assert 0.03 < frac["chalcopyrite"] < 0.1
    # WAD complexes: Cu(CN)3 2- and Ag(CN)2- left in solution
    t = sim.streams["cil.tails"][0]
    w = t[comps.solution_offset("water")]
    wad = t[comps.solution_offset("cn_wad")]
    expect = 3.0 * kl.CN_G_MOL / kl.CU_G_MOL * t[comps.solution_offset("cu_aq")] + (
        2.0 * kl.CN_G_MOL / kl.AG_G_MOL * t[comps.solution_offset("ag_aq")]
    )
    assert wad == pytest.approx(expect, rel=1e-9)
    assert m["tails_wad_cn_mg_l"][0] == pytest.approx(
        (wad + t[comps.solution_offset("nacn")] * kl.CN_PER_NACN) * G_PER_T / w, rel=1e-12
    )


@pytest.mark.parametrize("path", [SILVER_COPPER, CIP_PREGROB, BUDGET, COPPER_GOLD])
def test_every_element_and_unit_closes(path):
    r = oreflow.simulate(path)
    limit = RTOL_RECYCLE_CLOSURE if r.meta["tears"] else RTOL_CLOSURE
    assert r.kpis["closure_max_rel"] <= limit
    el = r.closure.query("view == 'element'")
    assert el["rel_err"].max() <= limit
    audits = r.units.query("metric == 'closure_max_rel'")
    assert audits["value"].max() <= limit


def test_zero_time_leaches_nothing_and_long_time_reaches_every_ultimate():
    short = run(SILVER_COPPER, overrides={"units.cil.residence_h": 1e-9})
    m = metrics(short, "cil")
    for key in ("au_leach_extraction_frac", "ag_leach_extraction_frac"):
        assert m[key][0] == pytest.approx(0.0, abs=1e-9)
    cu_feed_g_t = 0.0003 * 0.79852e6 + 0.002 * 0.34630e6
    assert m["cu_dissolved_g_t"][0] / cu_feed_g_t == pytest.approx(0.0, abs=1e-9)
    assert m["nacn_cu_kg_t"][0] == pytest.approx(0.0, abs=1e-9)
    text = SILVER_COPPER.read_text().replace(
        "nacn_chemical_consumption_kg_t = 0.15",
        "nacn_chemical_consumption_kg_t = 0.15\nleach_k_size_exponent = 0.0\n"
        "leach_ultimate_size_exponent = 0.0",
    )
    long = run(parse_case(text, "long.toml"), overrides={"units.cil.residence_h": 1e7})
    m = metrics(long, "cil")
    assert m["au_leach_extraction_frac"][0] == pytest.approx(0.85 * 0.97 + 0.15 * 0.40, rel=1e-5)
    assert m["ag_leach_extraction_frac"][0] == pytest.approx(0.75, rel=1e-5)
    comps = long.plant.spec.comps
    feed = comps.solids_view(long.streams["ore.feed"])[0].sum(axis=0)
    cu_feed = 200.0 * (
        0.0003 * comps.solids[comps.solid_index("chalcocite")].elements["cu"]
        + 0.002 * comps.solids[comps.solid_index("chalcopyrite")].elements["cu"]
    )
    cu_ult = (
        0.95
        * feed[comps.solid_index("chalcocite")]
        * comps.solids[comps.solid_index("chalcocite")].elements["cu"]
        + feed[comps.solid_index("chalcopyrite")]
        * comps.solids[comps.solid_index("chalcopyrite")].elements["cu"]
    )
    assert cu_ult < cu_feed
    assert m["cu_dissolved_g_t"][0] == pytest.approx(cu_ult / 200.0 * G_PER_T, rel=1e-5)


def _as_cil(text):
    """The CIP preg-robbing case as a CIL of the same leach tanks."""
    return (
        text.replace('type = "cip"', 'type = "cil"')
        .replace("adsorption_tanks = 6\nadsorption_tank_volume_m3 = 318.5\ncarbon_g_l = 25.12", "")
        .replace("[units.cip", "[units.cil")
        .replace('"cip.', '"cil.')
    )


@pytest.mark.parametrize("case", ["silver_copper", "pregrob_cil"])
def test_longer_leach_never_lowers_recovery(case):
    spec = (
        load_case(SILVER_COPPER)
        if case == "silver_copper"
        else parse_case(_as_cil(CIP_PREGROB.read_text()), "cil.toml")
    )
    frame = oreflow.simulate_batch(spec, {"units.cil.residence_h": [4.0, 12.0, 24.0, 48.0, 96.0]})
    assert np.all(np.diff(frame["gold_recovery_frac"]) >= 0.0)
    if "silver_recovery_frac" in frame:
        assert np.all(np.diff(frame["silver_recovery_frac"]) >= 0.0)


def test_longer_carbon_free_leach_robs_more_in_a_cip():
    """The known exception: on a preg-robbing ore a longer pre-leach without carbon loses gold.

    Leach extraction still never falls; the recovery does, because more gold dissolves
    where nothing competes with the ore for it (Goodall, Leatham & Scales 2005, Miner. Eng. 18:1135; docs/models.md#cil).
    """
    residence = [4.0, 12.0, 24.0, 48.0]
    sim = run(CIP_PREGROB, n_cases=4, overrides={"units.cip.residence_h": residence})
    m = metrics(sim, "cip")
    assert np.all(np.diff(m["au_leach_extraction_frac"]) > 0.0)
    assert np.all(np.diff(m["pregrobbed_au_frac"]) > 0.0)
    assert np.all(np.diff(m["au_to_carbon_frac"]) < 0.0)


def test_preleach_tanks_hold_no_carbon_and_rob_more():
    cil = _as_cil(CIP_PREGROB.read_text())
    base = oreflow.simulate(parse_case(cil, "cil.toml"))
    pre = oreflow.simulate(
        parse_case(cil.replace("n_tanks = 6", "n_tanks = 6\npreleach_tanks = 2"), "pre.toml")
    )
    assert pre.kpis["pregrobbed_au_frac"] > base.kpis["pregrobbed_au_frac"]
    assert pre.kpis["closure_max_rel"] <= RTOL_CLOSURE


def test_batch_of_new_features_equals_one_by_one():
    values = [0.10, 0.25, 0.40]
    frame = oreflow.simulate_batch(SILVER_COPPER, {"units.cil.leach.chalcocite.k_per_h": values})
    for i, v in enumerate(values):
        single = oreflow.simulate(
            SILVER_COPPER, overrides={"units.cil.leach.chalcocite.k_per_h": v}
        )
        for key in (
            "gold_recovery_frac",
            "silver_recovery_frac",
            "nacn_kg_t",
            "tailings_wad_cn_mg_l",
        ):
            assert frame[key].iloc[i] == pytest.approx(single.kpis[key], rel=1e-9)
    assert np.all(np.diff(frame["nacn_copper_kg_t"]) > 0.0)


# --- nonsense gets a clear error ---------------------------------------------------------


def problems_of(text):
    with pytest.raises(CaseError) as info:
        oreflow.simulate(parse_case(text, "bad.toml"))
    return info.value.problems


def test_negative_residence_time_is_a_case_error():
    (p,) = problems_of(BUDGET.read_text().replace("residence_h = 500.0", "residence_h = -4.0"))
    assert p.key == "units.cil.residence_h"
    assert "out of range" in p.message


def test_unknown_and_undissolvable_minerals_are_case_errors():
    text = BUDGET.read_text()
    (p,) = problems_of(
        text.replace("[units.cil.leach.pyrrhotite]", "[units.cil.leach.unobtainium]")
    )
    assert p.key == "units.cil.leach.unobtainium"
    assert "not a declared solid species" in p.message
    (p,) = problems_of(text.replace("[units.cil.leach.pyrrhotite]", "[units.cil.leach.gangue]"))
    assert p.key == "units.cil.leach.gangue"
    assert "nothing that dissolves" in p.message
    ps = problems_of(
        PREGROB.read_text()
        + "\n[units.cil.leach.carbonaceous]\nk_per_h = 1.0\nultimate_frac = 0.5\n"
    )
    assert any("does not dissolve in cyanide" in p.message for p in ps)


def test_missing_product_species_are_named():
    text = BUDGET.read_text().replace(', "cn_wad"', "")
    (p,) = problems_of(text)
    assert p.key == "units.cil.leach.cuprite"
    assert "'cn_wad'" in p.message
    text = BUDGET.read_text().replace(
        "[units.cil.leach.pyrrhotite]", "[units.cil.leach.pyrrhotite]\nscn_frac = 0.5"
    )
    (p,) = problems_of(text)
    assert "'so4_aq'" in p.message
    # the same need arising from a per-case override is caught when the case runs
    with pytest.raises(CaseError, match="so4_aq"):
        run(BUDGET, overrides={"units.cil.leach.pyrrhotite.scn_frac": 0.5})


def test_preg_robbing_without_its_species_is_a_case_error():
    text = PREGROB.read_text().replace(', "au_pregrobbed"', "")
    ps = problems_of(text)
    assert any(p.key == "units.cil.pregrob_k_m3_t" and "au_pregrobbed" in p.message for p in ps)
    with pytest.raises(CaseError, match="carbonaceous"):
        run(EX07, overrides={"units.cil.pregrob_k_m3_t": 5.0})


def test_cip_and_cil_train_settings_are_checked():
    ps = problems_of(CIP_PREGROB.read_text().replace("adsorption_tank_volume_m3 = 318.5", ""))
    assert ps[0].key == "units.cip.adsorption_residence_h"
    ps = problems_of(EX07.read_text().replace("n_tanks = 6", "n_tanks = 6\npreleach_tanks = 6"))
    assert ps[0].key == "units.cil.preleach_tanks"


def test_a_cip_fed_no_solution_is_a_case_error():
    text = CIP_PREGROB.read_text().replace("moisture_frac = 0.55", "moisture_frac = 0.0")
    with pytest.raises(CaseError) as info:
        oreflow.simulate(parse_case(text, "dry.toml"))
    assert info.value.problems[0].key == "units.cip"
    assert "no solution" in info.value.problems[0].message


def test_units_report_their_own_closure():
    sim = run(SILVER_COPPER)
    assert unit_closure(sim)["cil"].max() <= RTOL_CLOSURE
