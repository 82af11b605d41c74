"""Tests of ``oreflow.kernels.lixiviants`` against Aylmore, in Adams (ed.) 2016, ch. 27; docs/models.md#lixiviant_common (worked example ex11).

Every kernel runs compiled and as its pure-Python ``py_func`` through the ``impl``
fixture. Molar masses of the stoichiometric checks are recomputed here from IUPAC
atomic weights, independently of the module's constants.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest

from oreflow.conventions import NACN_G_MOL, RTOL_EXACT, RTOL_WORKED_EXAMPLE
from oreflow.core.components import CATALOGUE
from oreflow.kernels import lixiviants as lx
from tests.kernels import reference_lixiviants as ref

# IUPAC 2021 atomic weights [g/mol]
FE, S, AS, CU = 55.845, 32.06, 74.922, 63.546
#: The catalogue's element fractions are rounded to 5 decimals (chalcocite's by 4e-5),
#: which moves a proton balance (a difference of two terms) by up to 2e-4 relative.
RTOL_CATALOGUE = 5e-4


@pytest.fixture(params=["jit", "py_func"])
def impl(request):
    """Pick the compiled kernel or its pure-Python body."""
    if request.param == "jit":
        return lambda fn: fn
    return lambda fn: getattr(fn, "py_func", fn)


def elements(name):
    el = CATALOGUE[name].elements
    return [el.get(e, 0.0) for e in ("fe", "s", "as", "cu")]


# -- ex11: inventory and make-up ------------------------------------------------------


def test_ex11_thiosulfate_inventory(impl):
    inv = impl(ref.reagent_inventory_kg_t)(0.10, lx.S2O3_G_MOL, 0.40)
    assert inv == pytest.approx(16.8195, rel=RTOL_WORKED_EXAMPLE)
    assert inv * lx.CAS2O3_G_MOL / lx.S2O3_G_MOL == pytest.approx(22.8315, rel=RTOL_WORKED_EXAMPLE)


@pytest.mark.parametrize(
    ("not_recycled", "printed"), [(0.05, 1.8410), (0.10, 2.6819), (0.20, 4.3639)]
)
def test_ex11_thiosulfate_make_up(impl, not_recycled, printed):
    got = impl(ref.reagent_make_up_kg_t)(0.10, lx.S2O3_G_MOL, 0.40, not_recycled, 1.0)
    assert got == pytest.approx(printed, rel=RTOL_WORKED_EXAMPLE)


def test_ex11_glycine_inventory_and_make_up(impl):
    inv = impl(ref.reagent_inventory_kg_t)(0.20, lx.GLYCINE_G_MOL, 0.40)
    assert inv == pytest.approx(22.5210, rel=RTOL_WORKED_EXAMPLE)
    got = impl(ref.reagent_make_up_kg_t)(0.20, lx.GLYCINE_G_MOL, 0.40, 0.05, 0.0)
    assert got == pytest.approx(1.1260, rel=RTOL_WORKED_EXAMPLE)


def test_make_up_with_full_recycle_is_the_degradation_only(impl):
    assert impl(ref.reagent_make_up_kg_t)(0.1, lx.S2O3_G_MOL, 0.4, 0.0, 0.7) == 0.7


# -- ex11: oxidant demand --------------------------------------------------------------


def test_ex11_chlorine_demand_of_pyrite_and_gold(impl):
    demand = impl(lx.chlorine_demand_g_g)
    pyrite = demand(15.0 / lx.FES2_G_MOL)  # FeS2 + 7.5 Cl2: 15 e-
    assert pyrite == pytest.approx(4.4327, rel=RTOL_WORKED_EXAMPLE)
    assert 10.0 * pyrite == pytest.approx(44.327, rel=RTOL_WORKED_EXAMPLE)  # 1 % pyrite, kg/t
    gold = demand(3.0 / lx.AU_G_MOL)
    assert gold == pytest.approx(0.540, abs=5e-4)  # ex11 prints 0.540 g/g (3 decimals)
    assert gold * 2e-3 == pytest.approx(0.00108, rel=5e-3)  # printed to 3 digits


def test_pyrite_electrons_from_the_catalogue_match_the_ex11_reaction(impl):
    e = impl(lx.sulfide_electrons_mol_g)(*elements("pyrite"))
    cl2 = impl(lx.chlorine_demand_g_g)(e)
    assert cl2 == pytest.approx(4.4327, rel=RTOL_WORKED_EXAMPLE)


@pytest.mark.parametrize(
    ("mineral", "molar_mass", "electrons", "protons_fe_ion", "protons_fe_hydroxide"),
    [
        # FeS2 -> Fe3+ + 2 SO4(2-): e 3 + 2*7 = 15; charge -1 -> 16 H+ (19 with Fe(OH)3)
        ("pyrite", FE + 2 * S, 15.0, 16.0, 19.0),
        # FeAsS -> Fe3+ + H2AsO4- + SO4(2-): e 3 + 5 + 6 = 14; charge 0 -> 14 H+ (17)
        ("arsenopyrite", FE + AS + S, 14.0, 14.0, 17.0),
        # FeS -> Fe3+ + SO4(2-): e 9; charge +1 -> 8 H+ (11)
        ("pyrrhotite", FE + S, 9.0, 8.0, 11.0),
        # CuFeS2 -> Cu2+ + Fe3+ + 2 SO4(2-): e 2 + 3 + 12 = 17; charge +1 -> 16 H+ (19)
        ("chalcopyrite", CU + FE + 2 * S, 17.0, 16.0, 19.0),
        # Cu2S -> 2 Cu2+ + SO4(2-): e 4 + 6 = 10; charge +2 -> 8 H+
        ("chalcocite", 2 * CU + S, 10.0, 8.0, 8.0),
    ],
)
def test_sulfide_electron_and_proton_balances(
    impl, mineral, molar_mass, electrons, protons_fe_ion, protons_fe_hydroxide
):
    x = elements(mineral)
    e = impl(lx.sulfide_electrons_mol_g)(*x) * molar_mass
    assert e == pytest.approx(electrons, rel=RTOL_CATALOGUE)
    h_ion = impl(lx.sulfide_protons_mol_g)(*x, False) * molar_mass
    h_ppt = impl(lx.sulfide_protons_mol_g)(*x, True) * molar_mass
    assert h_ion == pytest.approx(protons_fe_ion, rel=RTOL_CATALOGUE)
    assert h_ppt == pytest.approx(protons_fe_hydroxide, rel=RTOL_CATALOGUE)
    # the same balances from exact IUPAC fractions
    exact = {
        "pyrite": (FE, 2 * S, 0, 0),
        "arsenopyrite": (FE, S, AS, 0),
        "pyrrhotite": (FE, S, 0, 0),
        "chalcopyrite": (FE, 2 * S, 0, CU),
        "chalcocite": (0, S, 0, 2 * CU),
    }[mineral]
    xs = [m / molar_mass for m in exact]
    assert impl(lx.sulfide_electrons_mol_g)(*xs) * molar_mass == pytest.approx(electrons, rel=1e-12)
    assert impl(lx.sulfide_protons_mol_g)(*xs, False) * molar_mass == pytest.approx(
        protons_fe_ion, rel=1e-12
    )
    assert impl(lx.sulfide_protons_mol_g)(*xs, True) * molar_mass == pytest.approx(
        protons_fe_hydroxide, rel=1e-12
    )


# -- degradation at a held tenor, polythionates on resin ------------------------------


def test_held_tenor_loss_is_linear_in_residence_and_zero_without_it(impl):
    fn = impl(lx.held_tenor_loss_tph)
    q = np.array([150.0, 150.0, 150.0])
    c = np.full(3, 11213.0)
    k = np.full(3, 0.0025)
    tau = np.array([[0.0, 0.0, 0.0], [4.0, 4.0, 4.0], [8.0, 8.0, 8.0]])
    out = fn(q, c, k, tau)
    assert out[0] == 0.0
    assert out[1] == pytest.approx(0.0025 * 11213.0 * 150.0 * 12.0 / 1e6, rel=RTOL_EXACT)
    assert out[2] == pytest.approx(2.0 * out[1], rel=RTOL_EXACT)


def test_ex11_degradation_rate_default_gives_one_kg_per_tonne(impl):
    # 100 t/h at 40 % solids: 150 m3/h of 0.1 M thiosulfate, 24 h
    rate = 1.0 / (ref.reagent_inventory_kg_t(0.1, lx.S2O3_G_MOL, 0.4) * 24.0)
    out = impl(lx.held_tenor_loss_tph)(
        np.array([150.0]),
        np.array([0.1 * lx.S2O3_G_MOL * 1e3]),
        np.array([rate]),
        np.full((1, 6), 4.0),
    )
    assert out[0] * 1e3 / 100.0 == pytest.approx(1.0, rel=RTOL_EXACT)


@pytest.mark.parametrize("n_tanks", [1, 2, 6])
def test_mean_train_tenor_of_equal_tanks(impl, n_tanks):
    got = impl(lx.mean_train_tenor_g_m3)(50.0, 1000.0, np.full(n_tanks, 3.0))
    assert got == pytest.approx(50.0 + 1000.0 * (n_tanks + 1) / (2 * n_tanks), rel=RTOL_EXACT)


def test_mean_train_tenor_without_residence_is_the_feed(impl):
    assert impl(lx.mean_train_tenor_g_m3)(50.0, 1000.0, np.zeros(4)) == 50.0


def test_competition_lowers_affinity_monotonically(impl):
    fn = impl(lx.competitive_affinity_frac)
    values = [fn(c, 2000.0) for c in (0.0, 500.0, 2000.0, 8000.0)]
    assert values[0] == 1.0
    assert values[2] == pytest.approx(0.5, rel=RTOL_EXACT)
    assert np.all(np.diff(values) < 0)


# -- glycine-cyanide copper budget ----------------------------------------------------


def test_copper_takes_cyanide_or_glycine_by_share(impl):
    fn = impl(lx.starved_cyanide_copper_tph)
    cu = np.array([1.0, 1.0, 1.0])
    nacn, wad, ocn, gly = fn(cu, np.array([0.0, 0.5, 1.0]))
    # Marsden & House 2006; docs/models.md#cil: 3.5 x 49.01/63.55 = 2.70 kg NaCN per kg Cu
    assert nacn[0] == pytest.approx(3.5 * NACN_G_MOL / CU, rel=RTOL_EXACT)
    assert nacn[0] == pytest.approx(2.70, rel=2e-3)
    assert wad[0] == pytest.approx(3.0 * 26.018 / CU, rel=RTOL_EXACT)
    assert ocn[0] == pytest.approx(0.5 * 42.017 / CU, rel=RTOL_EXACT)
    assert gly[2] == pytest.approx(2.0 * 75.07 / CU, rel=RTOL_EXACT)
    assert nacn[2] == 0.0 and wad[2] == 0.0 and gly[0] == 0.0
    assert nacn[1] == pytest.approx(nacn[0] / 2, rel=RTOL_EXACT)
    assert gly[1] == pytest.approx(gly[2] / 2, rel=RTOL_EXACT)


def test_heat_duty_closed_form_and_no_credit_for_cooling(impl):
    fn = impl(lx.pulp_heat_duty_kw)
    out = fn(np.array([100.0, 100.0]), np.array([150.0, 150.0]), np.array([35.0, -10.0]))
    assert out[0] == pytest.approx(
        (150.0 * 4.18 + 100.0 * 0.8) * 1e3 * 35.0 / 3600.0, rel=RTOL_EXACT
    )
    assert out[1] == 0.0


def test_module_doctests_run():
    result = doctest.testmod(lx, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 10
    assert result.failed == 0


# -- rate laws of oreflow.kernels.lixiviant_rates ----------------------------------------

from oreflow.kernels import lixiviant_rates as lr  # noqa: E402


def test_arrhenius_is_one_at_the_reference_and_rises_with_temperature():
    assert lr.arrhenius_factor(25.0, 25.0, 50.0) == 1.0
    assert lr.arrhenius_factor(35.0, 25.0, 50.0) > lr.arrhenius_factor(30.0, 25.0, 0.0 + 50.0) > 1.0


def test_gold_chloride_potential_falls_with_chloride():
    """Nernst: 4 Cl- per AuCl4-, 3 electrons: -4 x 59.16/3 mV per decade of chloride."""
    e1 = lr.aucl4_equilibrium_v(0.1, 1e-5, 25.0)
    e2 = lr.aucl4_equilibrium_v(1.0, 1e-5, 25.0)
    assert (e1 - e2) * 1000.0 == pytest.approx(4 * 59.159 / 3, rel=1e-4)


def test_rate_factors_vanish_without_their_lixiviant():
    one = np.ones(1)
    g = lr.glycine_rate_factor(
        0 * one, 10.5 * one, 25 * one, 3 * one, 0 * one, np.array([[1.0, 10.5, 25, 3, 0, 39.1]]),
        0.5 * one, 45 * one, 39.1 * one, 1.5 * one, 1 * one, 100 * one,
    )  # fmt: skip
    t = lr.thiosulfate_rate_factor(
        0 * one, 0.5 * one, 3 * one, 25 * one, True, np.array([[0.1, 0.5, 3.0, 25.0]]),
        0.02 * one, 0.3 * one, 4 * one, 1 * one, 31 * one, 11.3 * one,
    )  # fmt: skip
    h = lr.halide_rate_factor(
        0 * one, 1.7 * one, 1000 * one, 25 * one, np.array([[2000.0, 1.7, 1000.0, 25.0]]), 1e-5,
        1.98 * one, 0.5 * one, 53.43 * one,
    )  # fmt: skip
    assert g[0] == 0.0 and t[0] == 0.0 and h[0] == 0.0


def _short_column_calls():
    """Each rate factor with one column a row short (glycine's oxidant, thiosulfate's
    ammonia order, halide's reference table)."""
    one, short = np.ones(3), np.ones(2)
    return {
        "glycine": (lr.glycine_rate_factor, (
            one, 10.5 * one, 25 * one, 3 * short, 0 * one, np.tile([1.0, 10.5, 25, 3, 0, 39.1], (3, 1)),
            0.5 * one, 45 * one, 39.1 * one, 1.5 * one, 1 * one, 100 * one,
        )),
        "thiosulfate": (lr.thiosulfate_rate_factor, (
            0.1 * one, 0.5 * one, 3 * one, 25 * one, True, np.tile([0.1, 0.5, 3.0, 25.0], (3, 1)),
            0.02 * one, 0.3 * short, 4 * one, 1 * one, 31 * one, 11.3 * one,
        )),
        "halide, narrow reference": (lr.halide_rate_factor, (
            one, 1.7 * one, 1000 * one, 25 * one, np.ones((3, 2)), 1e-5,
            1.98 * one, 0.5 * one, 53.43 * one,
        )),
        "halide": (lr.halide_rate_factor, (
            one, 1.7 * one, 1000 * one, 25 * one, np.array([[2000.0, 1.7, 1000.0, 25.0]]), 1e-5,
            1.98 * one, 0.5 * one, 53.43 * one,
        )),
    }  # fmt: skip


@pytest.mark.parametrize("factor", ["glycine", "thiosulfate", "halide", "halide, narrow reference"])
def test_rate_factors_refuse_columns_of_unequal_length(impl, factor):
    """Kernels read without bounds checks: a short column or narrow reference must raise."""
    fn, args = _short_column_calls()[factor]
    with pytest.raises(ValueError, match="every column needs n rows"):
        impl(fn)(*args)


def halide_at(temp_c, ea_kj_mol=53.43, eh_mv=1000.0):
    """Halide rate factor at ``temp_c`` (array) against 25 °C, other drivers at reference."""
    t = np.asarray(temp_c, dtype=float)
    one = np.ones(t.shape[0])
    ref = np.tile([2000.0, 1.711, eh_mv, 25.0], (t.shape[0], 1))
    return lr.halide_rate_factor(
        2000 * one, 1.711 * one, eh_mv * one, t, ref, 1e-5, 1.98 * one, 0.5 * one,
        ea_kj_mol * one,
    )  # fmt: skip


def test_halide_rate_is_exactly_one_at_the_reference_temperature():
    assert halide_at([25.0])[0] == 1.0


def test_halide_rate_follows_arrhenius_from_25_to_45_degc():
    """53.43 kJ/mol: k(45 °C)/k(25 °C) = exp(53430/8.314462618 (1/298.15 − 1/318.15)) = 3.876."""
    f = halide_at([25.0, 45.0])
    by_hand = np.exp(53430.0 / 8.314462618 * (1.0 / 298.15 - 1.0 / 318.15))
    assert by_hand == pytest.approx(3.876, abs=1e-3)
    # the Nernst drive at Eh 1,000 mV is 1 − 1.5e-6: the rise is the Arrhenius factor alone
    assert f[1] / f[0] == pytest.approx(by_hand, rel=1e-6)
    # Ea = 0 leaves only the equilibrium term, which hardly moves at 115 mV overpotential
    plain = halide_at([25.0, 45.0], ea_kj_mol=0.0)
    assert plain[1] == pytest.approx(1.0, abs=1e-6)
    assert f[1] / plain[1] == pytest.approx(by_hand, rel=1e-12)


def test_halide_rate_rises_monotonically_with_temperature():
    temps = np.linspace(2.0, 95.0, 32)
    f = halide_at(temps)
    assert np.all(np.diff(f) > 0)
    # close to equilibrium the drive falls as E_eq rises with T; Arrhenius still wins at 53 kJ/mol
    near = halide_at(temps, eh_mv=920.0)
    assert np.all(near > 0) and near[-1] > near[0]
