"""Array helpers: ``unique_rows`` is ``np.unique(rows, axis=0, return_inverse=True)``."""

import numpy as np
import pytest

from oreflow.kernels.arrays import unique_rows


@pytest.mark.parametrize("seed", range(20))
def test_unique_rows_equals_numpy_with_one_or_many_distinct_rows(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(0, 30)), int(rng.integers(1, 6))
    rows = rng.integers(0, 3, (n, k)).astype(float)
    if seed % 2 and n:
        rows[:] = rows[0]  # one setting for the whole batch: the path without the sort
    distinct, inverse = unique_rows(rows)
    want, want_inverse = np.unique(rows, axis=0, return_inverse=True)
    np.testing.assert_array_equal(distinct, want)
    assert distinct.shape == want.shape
    np.testing.assert_array_equal(inverse, want_inverse.reshape(-1))
    np.testing.assert_array_equal(distinct[inverse], rows)


def test_unique_rows_tells_rows_apart_by_any_bit():
    rows = np.array([[0.0, 1.0], [-0.0, 1.0], [0.0, 1.0 + 2.0**-52]])
    distinct, inverse = unique_rows(rows)
    np.testing.assert_array_equal(distinct[inverse], rows)
    assert len(distinct) >= 2  # the last row differs in its last bit


@pytest.mark.parametrize("n", [1, 2, 5])
def test_unique_rows_keeps_rows_with_nan_apart_as_numpy(n):
    """Identical rows holding NaN: ``np.unique`` keeps each one, and so does unique_rows."""
    rows = np.tile(np.array([[np.nan, 1.0]]), (n, 1))
    distinct, inverse = unique_rows(rows)
    want, want_inverse = np.unique(rows, axis=0, return_inverse=True)
    assert distinct.shape == want.shape == (n, 2)
    np.testing.assert_array_equal(distinct, want)
    np.testing.assert_array_equal(inverse, want_inverse.reshape(-1))
    np.testing.assert_array_equal(distinct[inverse], rows)
    ints = np.zeros((n, 2), dtype=np.int64)  # no NaN in integers: one row, no sort
    assert unique_rows(ints)[0].shape == (1, 2)
