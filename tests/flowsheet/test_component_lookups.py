"""The species lookups of a ComponentSet (cached by name) agree with the declared order."""

from pathlib import Path

import numpy as np
import pytest

from oreflow.core.components import ELEMENTS
from oreflow.flowsheet.case import load_case

CASE = Path(__file__).resolve().parents[2] / "cases" / "refractory_pox_cil.toml"


@pytest.fixture(scope="module")
def comps():
    return load_case(CASE).comps


def test_lookups_follow_the_declared_order(comps):
    for i, s in enumerate(comps.solids):
        assert comps.solid_index(s.name) == i
        assert comps.has(s.name)
    for i, s in enumerate(comps.solution):
        assert comps.solution_offset(s.name) == comps.n_solids_comp + i
        assert comps.has(s.name)
    for s in comps.adsorbent:
        assert comps.has(s.name)
    assert not comps.has("unobtainium")
    with pytest.raises(ValueError, match="unobtainium"):
        comps.solid_index("unobtainium")
    with pytest.raises(ValueError, match="water"):
        comps.solid_index("water")  # a solution species is no solid
    with pytest.raises(ValueError, match="pyrite"):
        comps.solution_offset("pyrite")


def test_element_matrices_are_fresh_arrays_of_the_species_compositions(comps):
    m = comps.species_element_matrix()
    for i, s in enumerate(comps.species):
        want = [s.elements.get(el, 0.0) for el in ELEMENTS]
        np.testing.assert_array_equal(m[i], want)
    m[:] = -1.0  # a caller's scratch copy: the next call is untouched
    assert np.all(comps.species_element_matrix() >= 0.0)
    e = comps.element_matrix()
    e[:] = -1.0
    again = comps.element_matrix()
    np.testing.assert_array_equal(again, comps.species_element_matrix()[comps.component_species()])
    assert again.flags.writeable
