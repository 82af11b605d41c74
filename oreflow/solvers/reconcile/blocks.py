"""Independent blocks of a survey: the dense linear algebra done block by block.

Two states are coupled when a balance or a measurement involves both; the connected
components of that coupling (SciPy's ``csgraph``) are independent sub-problems: a
balance row or a measurement touches one block only, so the null space of the balances,
the covariance of the estimate and every projection are block diagonal. Each block is
then handled by the dense routines of ``statistics.py`` (SVD), whose cost grows with
the cube of a block's size, not of the survey's: parallel lines, or circuits joined
only by unmeasured streams, cost in proportion to their number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph


@dataclass(frozen=True)
class Blocks:
    """States grouped into independent blocks.

    Attributes
    ----------
    label : ndarray of int
        Block of each state.
    position : ndarray of int
        Index of each state within its block.
    states : tuple of ndarray
        State indices of each block, ascending.
    """

    label: np.ndarray
    states: tuple[np.ndarray, ...]
    position: np.ndarray

    @classmethod
    def from_labels(cls, label: np.ndarray, count: int) -> Blocks:
        """Blocks from the block number of each state (``count`` blocks)."""
        order = np.argsort(label, kind="stable")
        bounds = np.searchsorted(label[order], np.arange(count + 1))
        states = tuple(np.sort(order[bounds[b] : bounds[b + 1]]) for b in range(count))
        position = np.zeros(label.size, dtype=np.int64)
        for members in states:
            position[members] = np.arange(members.size)
        return cls(label, states, position)

    @property
    def count(self) -> int:
        """Number of blocks."""
        return len(self.states)

    def rows(self, matrix: sparse.spmatrix) -> list[np.ndarray]:
        """Row indices of ``matrix`` (columns = states) in each block.

        A row is in the block of its first non-zero column; empty rows are in none.
        """
        matrix = sparse.csr_matrix(matrix)
        nonempty = np.flatnonzero(np.diff(matrix.indptr) > 0)
        first = matrix.indices[matrix.indptr[nonempty]]
        owner = self.label[first]
        order = np.argsort(owner, kind="stable")
        bounds = np.searchsorted(owner[order], np.arange(self.count + 1))
        return [nonempty[order[bounds[b] : bounds[b + 1]]] for b in range(self.count)]

    def split(
        self, matrix: sparse.spmatrix, sparse_from: int | None = None
    ) -> list[tuple[np.ndarray, np.ndarray | sparse.csr_matrix]]:
        """Each block's rows of ``matrix`` (indices) and its sub-matrix on them.

        The sub-matrix is dense, or sparse (CSR) for a block of at least
        ``sparse_from`` states. One pass over the non-zeros, not one sparse slice per
        block.
        """
        rows_of = self.rows(matrix)
        coo = sparse.coo_matrix(matrix)
        owner = self.label[coo.col]
        local_row = np.zeros(matrix.shape[0], dtype=np.int64)
        for rows in rows_of:
            local_row[rows] = np.arange(rows.size)
        order = np.argsort(owner, kind="stable")
        bounds = np.searchsorted(owner[order], np.arange(self.count + 1))
        out = []
        for b, rows in enumerate(rows_of):
            entries = order[bounds[b] : bounds[b + 1]]
            where = (local_row[coo.row[entries]], self.position[coo.col[entries]])
            shape = (rows.size, self.states[b].size)
            if sparse_from is not None and shape[1] >= sparse_from:
                out.append((rows, sparse.csr_matrix((coo.data[entries], where), shape=shape)))
                continue
            dense = np.zeros(shape)
            np.add.at(dense, where, coo.data[entries])
            out.append((rows, dense))
        return out

    def restricted(self, keep: np.ndarray) -> Blocks:
        """The same blocks on the states ``keep`` (indices), renumbered from zero."""
        return Blocks.from_labels(self.label[keep], self.count)


def find_blocks(
    n_states: int, balance: sparse.spmatrix, entry_meas: np.ndarray, entry_state: np.ndarray
) -> Blocks:
    """Connected components of the states coupled by balances and measurements."""
    balance = sparse.csr_matrix(balance)
    n_rows = balance.shape[0]
    n_meas = int(entry_meas.max()) + 1 if entry_meas.size else 0
    rows, cols = balance.nonzero()
    # Bipartite graph: states, then balance rows, then measurements.
    graph = sparse.coo_matrix(
        (
            np.ones(rows.size + entry_meas.size),
            (
                np.concatenate([cols, entry_state]),
                np.concatenate([n_states + rows, n_states + n_rows + entry_meas]),
            ),
        ),
        shape=(n_states + n_rows + n_meas,) * 2,
    )
    _, component = csgraph.connected_components(graph, directed=False)
    found, label = np.unique(component[:n_states], return_inverse=True)
    return Blocks.from_labels(label.astype(np.int64), found.size)
