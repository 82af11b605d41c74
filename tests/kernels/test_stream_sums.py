"""Sums of stream arrays over the size classes and species: the same numbers as NumPy's, in one sweep."""

import numpy as np
import pytest

from oreflow.kernels.stream_sums import class_totals, species_totals


def test_species_totals_are_numpy_sums_bit_for_bit():
    rng = np.random.default_rng(14)
    n_cls, n_solid, n_rest = 26, 16, 13
    # flows over many orders of magnitude, where the order of addition shows
    x = rng.random((37, n_cls * n_solid + n_rest)) * np.exp(rng.normal(0.0, 8.0, (37, 1 + 0)))
    x *= np.exp(rng.normal(0.0, 6.0, x.shape))
    want = x[:, : n_cls * n_solid].reshape(-1, n_cls, n_solid).sum(axis=1)
    got = species_totals(x, n_cls, n_solid)
    assert got.shape == (37, n_solid)
    np.testing.assert_array_equal(got, want)


def test_species_totals_leave_out_everything_past_the_solids():
    x = np.zeros((2, 3 * 2 + 4))
    x[:, 6:] = 1e9  # solution and adsorbent: not solids
    x[0, :6] = [1.0, 10.0, 2.0, 20.0, 3.0, 30.0]  # classes of (species a, species b)
    np.testing.assert_array_equal(species_totals(x, 3, 2), [[6.0, 60.0], [0.0, 0.0]])


@pytest.fixture(params=["jit", "python"])
def mode(request):
    return request.param


def kernel(fn, mode):
    return fn if mode == "jit" else getattr(fn, "py_func", fn)


def _spread(rng, shape):
    """Flows over many orders of magnitude, some exactly zero: the order of addition shows."""
    x = rng.random(shape) * np.exp(rng.normal(0.0, 8.0, (shape[0], 1)))
    x *= np.exp(rng.normal(0.0, 6.0, shape))
    x[rng.random(shape) < 0.1] = 0.0
    return x


@pytest.mark.parametrize(
    ("n_cls", "n_solid"), [(27, 5), (26, 16), (1, 1), (13, 9), (4, 8), (3, 61), (2, 128)]
)
def test_class_totals_are_numpy_sums_bit_for_bit(mode, n_cls, n_solid):
    # under 8 species (one by one), 8 and more (eight partial sums and a rest)
    x = _spread(np.random.default_rng(n_cls * n_solid), (23, n_cls * n_solid + 11))
    x[:3] = -0.0  # a run of negative zeros: NumPy's sum is +0.0
    want = x[:, : n_cls * n_solid].reshape(-1, n_cls, n_solid).sum(axis=2)
    got = kernel(class_totals, mode)(x, n_cls, n_solid)
    assert got.tobytes() == want.tobytes()  # to the bit, the sign of zero included


def test_class_totals_of_a_known_row():
    x = np.array([[1.0, 2.0, 10.0, 20.0, 7.0]])  # classes of (species a, species b), then water
    np.testing.assert_array_equal(class_totals(x, 2, 2), [[3.0, 30.0]])
