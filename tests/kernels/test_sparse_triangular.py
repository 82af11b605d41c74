"""Sparse triangular solves on blocks of right-hand sides against dense solves."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from scipy.sparse import linalg as sparse_linalg

from oreflow.kernels.sparse_triangular import lower_unit_solve_into, upper_solve_into


def random_factors(n, seed):
    rng = np.random.default_rng(seed)
    lower = sparse.tril(sparse.random(n, n, density=0.1, random_state=rng), k=-1)
    upper = sparse.triu(sparse.random(n, n, density=0.1, random_state=rng), k=1)
    diagonal = rng.uniform(0.5, 2.0, n) * rng.choice([-1.0, 1.0], n)
    return sparse.csc_matrix(lower + sparse.identity(n)), sparse.csc_matrix(upper), diagonal


@pytest.mark.parametrize("k", [1, 7])
def test_solves_equal_dense_solves_with_a_row_permutation(k):
    n = 40
    lower, upper, diagonal = random_factors(n, seed=k)
    rng = np.random.default_rng(k + 10)
    rhs = rng.standard_normal((n, k))
    row = rng.permutation(n)
    x = np.empty_like(rhs)
    x[row] = rhs  # unknown j of the factors' ordering sits in row row[j]
    lower_unit_solve_into(lower.indptr, lower.indices, lower.data, row, x)
    upper_full = upper + sparse.diags(diagonal)
    upper_solve_into(upper.indptr, upper.indices, upper.data, diagonal, row, x)
    expected = np.linalg.solve(upper_full.toarray(), np.linalg.solve(lower.toarray(), rhs))
    np.testing.assert_allclose(x[row], expected, rtol=1e-10, atol=1e-12)


def test_superlu_factors_solve_the_matrix():
    # A symmetric quasi-definite matrix factorised as oreflow's saddle points are.
    rng = np.random.default_rng(3)
    n, m = 30, 10
    h = sparse.random(n, n, density=0.2, random_state=rng)
    h = h @ h.T + sparse.identity(n)
    a = sparse.random(m, n, density=0.3, random_state=rng)
    matrix = sparse.csc_matrix(sparse.bmat([[h, a.T], [a, -1e-3 * sparse.identity(m)]]))
    lu = sparse_linalg.splu(
        matrix,
        permc_spec="MMD_AT_PLUS_A",
        diag_pivot_thresh=0.0,
        options={"SymmetricMode": True},
    )
    assert np.array_equal(lu.perm_r, lu.perm_c)
    lower, upper = sparse.csc_matrix(lu.L), sparse.csc_matrix(lu.U)
    row = np.empty(n + m, dtype=np.int64)
    row[lu.perm_r] = np.arange(n + m)
    rhs = rng.standard_normal((n + m, 5))
    x = rhs.copy()
    lower_unit_solve_into(lower.indptr, lower.indices, lower.data, row, x)
    upper_solve_into(upper.indptr, upper.indices, upper.data, upper.diagonal(), row, x)
    np.testing.assert_allclose(matrix @ x, rhs, rtol=1e-10, atol=1e-10)
