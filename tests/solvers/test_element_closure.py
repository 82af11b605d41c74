"""Total-mass, all-element balance: formulas, reaction tables, plant closure (issue 15)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.api import simulate
from oreflow.conventions import RTOL_CLOSURE
from oreflow.core.components import CATALOGUE, ELEMENTS
from oreflow.core.formulas import formula_mass_g_mol, mass_fractions
from oreflow.core.reactions import SPECIES_FORMULA, Reaction, table_problems
from oreflow.solvers.external_flows import UNBALANCED_ELEMENTS
from oreflow.units import UNIT_TYPES

CASES = sorted((Path(__file__).parents[2] / "cases").glob("*.toml"))


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_species_fractions_sum_to_one(name):
    elements = CATALOGUE[name].elements
    assert set(elements) <= set(ELEMENTS)
    assert sum(elements.values()) == pytest.approx(1.0, abs=1e-12)


def test_reacting_formulas_match_the_catalogue():
    for name, formula in SPECIES_FORMULA.items():
        want = dict(CATALOGUE[name].elements)
        got = mass_fractions(formula)
        assert set(got) == set(want), name
        for el, v in got.items():
            assert v == pytest.approx(want[el], rel=1e-12), (name, el)


def test_formula_mass_worked_values():
    # handbook formula masses (IUPAC 2021 atomic weights)
    assert formula_mass_g_mol("FeS2") == pytest.approx(119.965, abs=1e-3)
    assert formula_mass_g_mol("CaSO4·2H2O") == pytest.approx(172.17, abs=0.01)
    assert formula_mass_g_mol("KFe3(SO4)2(OH)6") == pytest.approx(500.8, abs=0.05)


@pytest.mark.parametrize("type_name", sorted(UNIT_TYPES))
def test_every_unit_reaction_table_balances_every_element(type_name):
    utype = UNIT_TYPES[type_name]
    assert table_problems(type_name, utype.reactions) == []
    for r in utype.reactions:
        imb = r.imbalance_g()
        assert max((abs(v) for v in imb.values()), default=0.0) < 1e-9, r.name


def test_an_unbalanced_reaction_is_refused():
    bad = Reaction.parse("pyrite burns", "4 pyrite + 11 O2 -> 2 hematite + 8 h2so4")
    assert any("does not balance" in p for p in table_problems("x", (bad,)))
    # two paths with the same species changes and different reagents
    lime = Reaction.parse("lime", "h2so4 + CaO + H2O -> gypsum")
    slaked = Reaction.parse("slaked lime", "h2so4 + Ca(OH)2 -> gypsum")
    assert any("two paths" in p for p in table_problems("x", (lime, slaked)))


def test_the_list_of_not_gated_elements_only_shrinks():
    allowed = {"halide_leach": {"cl", "h", "o"}}
    for type_name, elements in UNBALANCED_ELEMENTS.items():
        assert set(elements) <= allowed.get(type_name, set()), type_name


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_plant_closure_every_shipped_case_total_mass_and_each_element(path):
    r = simulate(path)
    c = r.closure
    rows = c[c.view.isin(["element", "mass"])]
    # every element of the species and of the reagents and gases is a row
    listed = set(rows.query("view == 'element'").name)
    spec = oreflow.load_case(path)
    assert {el for s in spec.comps.species for el in s.elements} <= listed
    assert {"o", "h"} <= listed
    assert (rows.rel_err <= RTOL_CLOSURE).all(), rows[rows.rel_err > RTOL_CLOSURE]
    total = rows.query("view == 'mass'").iloc[0]
    assert total.in_tph + total.added_tph + total.reacted_tph == pytest.approx(
        total.out_tph, rel=RTOL_CLOSURE
    )


def test_pox_oxygen_from_the_table_is_the_oxygen_it_prices_times_utilisation():
    r = simulate(CASES[0].parent / "refractory_pox_cil.toml")
    ext = r.closure.query("view == 'external'").set_index("name")
    u = r.units.query("unit == 'pox'").set_index("metric")["value"]
    bought = u["use_o2_kg_h"] / 1000.0
    # every tonne of oxygen bought enters the balance; what the reactions do not take
    # leaves by the vent
    assert u["ext_o2_tph"] == pytest.approx(bought, rel=1e-12)
    consumed = u["ext_o2_tph"] + u["ext_o2_gas_tph"]  # the vented oxygen is negative
    # 90 % O2 utilisation (the case): the kernel's own O2 demand agrees with the
    # table's stoichiometry to 0.1 %
    assert consumed == pytest.approx(0.9 * bought, rel=1e-3)
    # the reacted limestone's CO2 leaves by the vent: 44.009 / 100.086 of it
    assert ext.loc["CO2_gas", "out_tph"] == pytest.approx(
        ext.loc["CaCO3", "added_tph"] * 44.009 / 100.086, rel=1e-4
    )
    # limestone, lime, hydration water and oxygen now enter the balance: the 17 t/h
    # of solids the old audit showed as "reacted" are accounted
    assert np.isclose(r.closure.query("view == 'mass'").iloc[0].reacted_tph, 0.0)


# --- a unit whose species changes its table does not explain does not close --------


class _Burner:
    """Test-only: oxidises half the pyrite to hematite and sulfuric acid."""

    def __init__(self, spec, comps, hematite_excess=0.0):
        self.comps = comps
        self.excess = hematite_excess

    def prepare(self, params, ctx):
        return params

    def apply(self, state, inlets):
        from oreflow.core.formulas import formula_mass_g_mol as mw
        from oreflow.units.base import UnitResult

        (feed,) = inlets
        c = self.comps
        reacted = np.zeros_like(feed)
        sv = c.solids_view(reacted)
        py = c.solids_view(feed)[:, :, c.solid_index("pyrite")] * 0.5
        kmol = py.sum(axis=1) / mw("FeS2")  # per g/mol: only the ratios matter
        sv[:, :, c.solid_index("pyrite")] = -py
        sv[:, -1, c.solid_index("hematite")] = kmol / 2 * mw("Fe2O3") * (1.0 + self.excess)
        reacted[:, c.solution_offset("h2so4")] = 2 * kmol * mw("H2SO4")
        return UnitResult((feed + reacted,), reacted=reacted)


def _burner_type(reactions, excess=0.0):
    from oreflow.units.base import UnitType

    return UnitType(
        name="toy_burner",
        summary="test only",
        inlets=("feed",),
        outlets=("out",),
        params=(),
        build=lambda spec, comps: _Burner(spec, comps, excess),
        reactive=True,
        reactions=reactions,
    )


_BURNER_CASE = """
[case]
name = "burner"
solids = ["gangue", "pyrite", "hematite"]
solution = ["water", "h2so4"]
[case.sizes]
top_um = 1000.0
n_classes = 4
[ore.main]
rate_tph = 10.0
moisture_frac = 0.3
au_gpt = 0.0
wi_kwh_t = 14.0
[ore.main.mineralogy]
pyrite = 0.2
[ore.main.psd]
model = "rrb"
f80_um = 100.0
n = 1.0
[units.burn]
type = "toy_burner"
inlets.feed = "ore.main"
[units.tails]
type = "tailings"
inlets.feed = "burn.out"
"""

_PYRITE_OX = Reaction.parse("pyrite", "4 pyrite + 15 O2 + 8 H2O -> 2 hematite + 8 h2so4")


def test_a_unit_without_the_oxygen_in_its_table_does_not_close(tmp_path):
    from oreflow.errors import NotClosedError

    path = tmp_path / "burner.toml"
    path.write_text(_BURNER_CASE, encoding="utf-8")
    # no table: the oxygen and hydrogen of hematite and acid come from nowhere
    with pytest.raises(NotClosedError, match=r"element 'o'|element 'h'|mass"):
        oreflow.simulate(oreflow.load_case(path, unit_types=[_burner_type(())]))
    # 1 % too much hematite for the pyrite oxidised: iron made from nothing
    with pytest.raises(NotClosedError):
        oreflow.simulate(oreflow.load_case(path, unit_types=[_burner_type((_PYRITE_OX,), 0.01)]))
    # with its reaction: closes, and 15/4 mol O2 per mol pyrite enters
    r = oreflow.simulate(oreflow.load_case(path, unit_types=[_burner_type((_PYRITE_OX,))]))
    u = r.units.query("unit == 'burn'").set_index("metric")["value"]
    py_t = 10.0 * 0.2 * 0.5
    assert u["ext_o2_tph"] == pytest.approx(py_t / 119.965 * 15 / 4 * 31.998, rel=1e-9)
    mass = r.closure.query("view == 'mass'").iloc[0]
    assert mass.rel_err < 1e-12
