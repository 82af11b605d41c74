"""Tall-by-small products: ``np.einsum("ij,jk->ik")``'s numbers to the last bit, compiled and as Python."""

import numpy as np
import pytest

from oreflow.kernels.small_products import einsum_product, rows_times


@pytest.fixture(params=["jit", "python"])
def mode(request):
    return request.param


def kernel(fn, mode):
    return fn if mode == "jit" else getattr(fn, "py_func", fn)


@pytest.mark.parametrize("n", [1, 3, 64, 2000])
@pytest.mark.parametrize("m", [1, 5, 16, 29, 40])
@pytest.mark.parametrize("k", [2, 3, 8, 45])
def test_rows_times_is_einsum_bit_for_bit(mode, n, m, k):
    # the audit's shapes: cases x species onto phases (3), elements and externals
    rng = np.random.default_rng(n * 1000 + m * 10 + k)
    a = rng.normal(size=(n, m)) * np.exp(rng.normal(0.0, 6.0, (n, m)))
    b = rng.normal(size=(m, k)) * np.exp(rng.normal(0.0, 3.0, (m, k)))
    b[rng.random((m, k)) < 0.4] = 0.0
    np.testing.assert_array_equal(kernel(rows_times, mode)(a, b), np.einsum("ij,jk->ik", a, b))


@pytest.mark.parametrize("k", [0, 1, 2, 9])
@pytest.mark.parametrize("layout", ["C", "F", "strided"])
def test_einsum_product_is_einsum_for_any_width_and_layout(k, layout):
    rng = np.random.default_rng(k)
    a = rng.normal(size=(300, 29)) * np.exp(rng.normal(0.0, 6.0, (300, 29)))
    b = rng.normal(size=(29, k)) * np.exp(rng.normal(0.0, 3.0, (29, k)))
    if layout == "F":  # as a column slice of a matrix, em[:, cols], comes out
        b = np.asfortranarray(b)
    elif layout == "strided":
        a = a[:, ::-1]
    np.testing.assert_array_equal(einsum_product(a, b), np.einsum("ij,jk->ik", a, b))
