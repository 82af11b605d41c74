"""The closure audit's sums by kernel are NumPy's sums to the last bit, on shipped cases' layouts.

``results.project`` and ``external_flows.species_change`` sum the solids block by
``kernels.stream_sums`` instead of NumPy's strided reductions; ``results._rel`` writes the
relative errors into work arrays. Each must give the bits the plain NumPy expressions
give, so that closure figures and KPIs do not move (one solid species included: there
NumPy sums the contiguous classes pairwise).
"""

from pathlib import Path

import numpy as np
import pytest

from oreflow.flowsheet.case import load_case
from oreflow.solvers.external_flows import species_change
from oreflow.solvers.results import _rel, project

ROOT = Path(__file__).resolve().parents[2]
#: 5, 16 and 1 solid species
CASES = ["free_milling_cil.toml", "refractory_pox_cil.toml", "tests/ex03_pbm_circuit.toml"]


def _flows(rng, shape):
    """Flows over many orders of magnitude, signed and some exactly zero."""
    x = rng.normal(0.0, 1.0, shape) * np.exp(rng.normal(0.0, 8.0, shape))
    x[rng.random(shape) < 0.1] = 0.0
    return x


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("n_cases", [1, 7, 300])
def test_projections_are_numpy_sums_bit_for_bit(case, n_cases):
    comps = load_case(ROOT / "cases" / case).comps
    x = _flows(np.random.default_rng(n_cases), (n_cases, comps.n_comp))
    solids = comps.solids_view(x)
    species, sizes = project(comps, x)
    want = np.concatenate([solids.sum(axis=1), x[:, comps.n_solids_comp :]], axis=1)
    np.testing.assert_array_equal(species, want)
    np.testing.assert_array_equal(sizes, solids.sum(axis=2))
    einsum = np.einsum("nsk->nk", solids)
    np.testing.assert_array_equal(species_change(comps, x)[:, : comps.n_solid], einsum)


def test_relative_errors_are_the_formula_bit_for_bit():
    rng = np.random.default_rng(3)
    # flows in and out are not negative; reactions are signed
    agg = {k: np.abs(_flows(rng, (50, 40))) for k in ("in", "added", "out")}
    agg["reacted"] = _flows(rng, (50, 40))
    agg["reacted_gross"] = np.abs(agg["reacted"])
    agg["in"][0] = agg["added"][0] = agg["out"][0] = agg["reacted_gross"][0] = 0.0  # empty row
    floor = np.abs(_flows(rng, (50,)))
    for with_reaction, fl in [(True, None), (False, None), (True, floor)]:
        inflow = agg["in"] + agg["added"]
        gen = agg["reacted"] if with_reaction else 0.0
        scale = np.maximum(np.maximum(inflow, agg["out"]), agg["reacted_gross"])
        if fl is not None:
            scale = np.maximum(scale, fl[:, None])
        want = np.abs(inflow + gen - agg["out"]) / np.maximum(scale, 1e-300)
        np.testing.assert_array_equal(_rel(agg, with_reaction, fl), want)
