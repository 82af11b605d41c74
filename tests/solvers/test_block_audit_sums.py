"""A block audit's projection of a stream by species is einsum's, to the last bit.

``project_stream`` sums each species over the size classes with the one-sweep kernel
(``kernels.stream_sums.species_totals``) where that adds as ``np.einsum("nsk->nk")``
does, so a block's audit (and the tabulated closure it decides) is unchanged.
"""

from types import SimpleNamespace

import numpy as np
import pytest

from oreflow.api import bundled_case
from oreflow.flowsheet.case import load_case
from oreflow.solvers.block_audit import project_stream


def _spread(rng, shape):
    """Flows over many orders of magnitude, some zero or negative: the order of addition shows."""
    x = rng.random(shape) * np.exp(rng.normal(0.0, 8.0, (shape[0], 1)))
    x *= np.exp(rng.normal(0.0, 6.0, shape))
    x[rng.random(shape) < 0.1] = 0.0
    x[rng.random(shape) < 0.05] *= -1.0
    return x


def _einsum_projection(comps, arr):
    """The projection as the audit made it before the kernel: einsum over the solids view."""
    solids = comps.solids_view(arr)
    species = np.concatenate([np.einsum("nsk->nk", solids), arr[:, comps.n_solids_comp :]], axis=1)
    return species, np.einsum("nsk->ns", solids)


def test_projection_of_a_shipped_case_stream_is_einsums():
    comps = load_case(bundled_case("refractory_route_choice")).comps
    assert comps.n_solid > 1
    x = _spread(np.random.default_rng(14), (333, comps.n_comp))
    for arr in (x, x[5:77], x[:1]):
        got, want = project_stream(comps, arr), _einsum_projection(comps, arr)
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])


class _Comps(SimpleNamespace):
    """The parts of a component set ``project_stream`` reads: n_cls classes of n_solid solids."""

    def solids_view(self, x):
        return x[:, : self.n_solids_comp].reshape(len(x), self.n_cls, self.n_solid)


@pytest.mark.parametrize(("n_cls", "n_solid"), [(26, 14), (27, 2), (1, 5), (30, 13), (3, 1)])
@pytest.mark.parametrize("layout", ["C", "F"])
def test_projection_is_einsums_for_any_grid_and_layout(n_cls, n_solid, layout):
    # one species (classes contiguous) and a stream not in C order are left to einsum
    n_rest = 9
    comps = _Comps(
        n_cls=n_cls,
        n_solid=n_solid,
        n_solids_comp=n_cls * n_solid,
        species=[f"s{i}" for i in range(n_solid + n_rest)],
    )
    x = _spread(np.random.default_rng(n_cls * n_solid), (64, n_cls * n_solid + n_rest))
    arr = np.asarray(x, order=layout)
    got, want = project_stream(comps, arr), _einsum_projection(comps, arr)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
