"""The distinct-row finder of the value checks equals ``np.unique(axis=0)`` exactly."""

import numpy as np
import pytest

from oreflow.flowsheet.values import _distinct_rows


@pytest.mark.parametrize("seed", range(40))
def test_distinct_rows_equal_numpy_unique_rows(seed):
    rng = np.random.default_rng(seed)
    n_rows, n_cols = int(rng.integers(1, 400)), int(rng.integers(1, 6))
    palette = np.array([-0.0, 0.0, 1.0, -2.5, 1e300, 3.25, 7.0, 1e-300])
    table = rng.choice(palette[: int(rng.integers(2, len(palette) + 1))], size=(n_rows, n_cols))
    rows, inverse = _distinct_rows(table)
    want_rows, want_inverse = np.unique(table, axis=0, return_inverse=True)
    np.testing.assert_array_equal(rows, want_rows)
    np.testing.assert_array_equal(inverse, np.ravel(want_inverse))
    np.testing.assert_array_equal(rows[inverse], table)


def test_distinct_rows_of_an_empty_table():
    rows, inverse = _distinct_rows(np.empty((0, 3)))
    assert rows.shape == (0, 3) and inverse.shape == (0,)
