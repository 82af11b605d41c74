"""Sums of stream arrays over the size classes: the same numbers as NumPy's, in one sweep."""

import numpy as np

from oreflow.kernels.stream_sums import species_totals


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
