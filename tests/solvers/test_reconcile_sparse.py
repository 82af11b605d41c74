"""Large blocks by sparse factorisation: the same answers as the dense SVD routines.

``sparse_blocks.SPARSE_MIN_STATES`` decides which blocks are handled sparsely; these
tests set it to 1 (every block sparse) and to a huge number (every block dense) and
compare the whole result: states, reconciled values and their standard deviations,
leverages (through the normalised adjustments), chi-square, degrees of freedom, the
serial elimination and the closure.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from scipy.linalg import null_space
from scipy.sparse import linalg as sparse_linalg

from oreflow.errors import CaseError
from oreflow.flowsheet.network import Network
from oreflow.flowsheet.survey import Survey, read_survey
from oreflow.solvers.reconcile import reconcile, sparse_blocks

DATA = Path(__file__).resolve().parents[1] / "data" / "surveys"
DENSE, SPARSE = 10**9, 1

#: Each line: (node, inlets, outlets); ``cl_tail`` recycles to the rougher feed.
LINE = (
    ("mix", ("feed", "cl_tail"), ("ro_feed",)),
    ("rougher", ("ro_feed",), ("ro_conc", "ro_tail")),
    ("scavenger", ("ro_tail",), ("sc_conc", "tail")),
    ("cleaner_feed", ("ro_conc", "sc_conc"), ("cl_feed",)),
    ("cleaner", ("cl_feed",), ("conc", "cl_tail")),
)


def joined_lines(n_lines, seed=3, planted=None, meter_every_line=True):
    """Flotation lines fed by one distributor, tails and concentrates gathered: one block.

    True flows from recoveries per cell; measurements: the plant feed flow (and each
    line's feed and concentrate flows when ``meter_every_line``), Au and S on every
    stream with noise of their size. ``planted`` (stream, quantity) is put 10 sd off.
    """
    rng = np.random.default_rng(seed)
    nodes = {
        "distributor": (["plant_feed"], [f"l{i}.feed" for i in range(n_lines)]),
        "tails_box": ([f"l{i}.tail" for i in range(n_lines)], ["plant_tail"]),
        "conc_box": ([f"l{i}.conc" for i in range(n_lines)], ["plant_conc"]),
    }
    records = []
    plant = {s: np.zeros(3) for s in ("plant_feed", "plant_tail", "plant_conc")}
    line_flows = []
    for i in range(n_lines):
        for node, inlets, outlets in LINE:
            nodes[f"l{i}.{node}"] = ([f"l{i}.{s}" for s in inlets], [f"l{i}.{s}" for s in outlets])
        ro, sc, cl = (
            np.clip(np.array(base) * rng.uniform(0.85, 1.15, 3), 0.0, 0.97)
            for base in ((0.12, 0.85, 0.75), (0.05, 0.5, 0.45), (0.35, 0.8, 0.6))
        )
        feed = rng.uniform(200.0, 400.0) * np.array([1.0, rng.uniform(1.5, 3), rng.uniform(1, 2.5)])
        ro_feed = feed / (1.0 - (1.0 - cl) * (ro + (1.0 - ro) * sc))
        f = {"feed": feed, "ro_feed": ro_feed, "ro_conc": ro * ro_feed}
        f["ro_tail"] = ro_feed - f["ro_conc"]
        f["sc_conc"] = sc * f["ro_tail"]
        f["tail"] = f["ro_tail"] - f["sc_conc"]
        f["cl_feed"] = f["ro_conc"] + f["sc_conc"]
        f["conc"] = cl * f["cl_feed"]
        f["cl_tail"] = f["cl_feed"] - f["conc"]
        plant["plant_feed"] += feed
        plant["plant_tail"] += f["tail"]
        plant["plant_conc"] += f["conc"]
        line_flows.append({f"l{i}.{s}": v for s, v in f.items()})
    flows = dict(plant)
    for f in line_flows:
        flows.update(f)
    metered = ["plant_feed"]
    if meter_every_line:
        metered += [f"l{i}.{s}" for i in range(n_lines) for s in ("feed", "conc")]
    for stream in metered:
        value = flows[stream][0] * (1 + 0.02 * rng.standard_normal())
        records.append(
            {
                "stream": stream,
                "quantity": "solids_tph",
                "sd": 0.02,
                "sd_kind": "rel",
                "value": value,
            }
        )
    for stream, flow in flows.items():
        for k, (quantity, rel) in enumerate((("au_gpt", 0.05), ("s_pct", 0.03)), start=1):
            shift = 10.0 if planted == (stream, quantity) else rng.standard_normal()
            value = flow[k] / flow[0] * (1 + rel * shift)
            records.append(
                {
                    "stream": stream,
                    "quantity": quantity,
                    "sd": rel,
                    "sd_kind": "rel",
                    "value": value,
                }
            )
    network = Network.from_nodes(nodes)
    return Survey.from_records(records, network=network), network


def run(monkeypatch, threshold, survey, network=None):
    monkeypatch.setattr(sparse_blocks, "SPARSE_MIN_STATES", threshold)
    return reconcile(survey, network)


def assert_same(dense, sparse_result, rtol=1e-9):
    """Every table and figure of the two results agree (NaN where NaN)."""
    for name in ("streams", "sizes", "nodes", "adjustments", "tests"):
        a, b = getattr(dense, name), getattr(sparse_result, name)
        assert list(a.columns) == list(b.columns), name
        assert a.shape == b.shape, name
        for column in a.columns:
            if pd.api.types.is_numeric_dtype(a[column]) and not pd.api.types.is_bool_dtype(
                a[column]
            ):
                want = a[column].to_numpy(float)
                # A standard deviation that is zero (a figure the balances fix) is
                # round-off on both paths (about 1e-17 dense): it must be below 1e-12
                # of its column's scale (the covariance as g' Sigma g gave up to 1e-7).
                scale = np.nanmax(np.abs(want), initial=0.0) if column.endswith("sd") else 0.0
                np.testing.assert_allclose(
                    b[column].to_numpy(float),
                    want,
                    rtol=rtol,
                    atol=max(1e-12, 1e-12 * scale),
                    err_msg=f"{name}.{column}",
                )
            else:
                assert a[column].tolist() == b[column].tolist(), f"{name}.{column}"
    for key in ("chi2", "dof", "passed", "suspects", "unobservable", "at_bound", "rounds"):
        value = dense.meta[key]
        if isinstance(value, float):
            assert sparse_result.meta[key] == pytest.approx(value, rel=rtol), key
        else:
            assert sparse_result.meta[key] == value, key
    assert sparse_result.meta["max_rel_closure"] <= max(dense.meta["max_rel_closure"], 1e-13)


@pytest.mark.solver
@pytest.mark.parametrize("name", ["rougher.csv", "grinding.csv"])
def test_textbook_surveys_same_with_every_block_sparse(monkeypatch, name):
    survey = read_survey(DATA / name)
    assert_same(run(monkeypatch, DENSE, survey), run(monkeypatch, SPARSE, survey))


@pytest.mark.solver
@pytest.mark.parametrize(
    ("planted", "meter_every_line"),
    [(None, True), (("l2.ro_conc", "au_gpt"), True), (("plant_tail", "s_pct"), True)],
)
def test_connected_plant_same_sparse_and_dense(monkeypatch, planted, meter_every_line):
    survey, network = joined_lines(6, planted=planted, meter_every_line=meter_every_line)
    dense = run(monkeypatch, DENSE, survey, network)
    sparse_result = run(monkeypatch, SPARSE, survey, network)
    assert_same(dense, sparse_result)
    if planted is not None:
        assert dense.meta["suspects"][0].startswith(f"{planted[0]} {planted[1]}")


@pytest.mark.solver
def test_unobservable_survey_rejected_alike(monkeypatch):
    messages = []
    for threshold in (DENSE, SPARSE):
        with pytest.raises(CaseError) as caught:
            run(monkeypatch, threshold, read_survey(DATA / "unobservable.csv"))
        messages.append(str(caught.value))
    assert messages[0] == messages[1]


def test_covariance_equals_the_null_space_formula():
    # Dependent constraints (the third row is the sum of the first two), more states
    # than constraints, a Hessian C'C that is positive definite on their null space only.
    rng = np.random.default_rng(5)
    n = 12
    a = rng.standard_normal((4, n))
    a = np.vstack([a, a[0] + a[1]])
    c = rng.standard_normal((9, n))
    system = sparse_blocks.SaddlePoint(sparse.csr_matrix(c.T @ c), sparse.csr_matrix(a))
    assert sparse_blocks.observable(system)
    factor = sparse_blocks.covariance_factor(system, sparse.csr_matrix(c))
    assert factor is not None
    basis = null_space(a)
    expected = basis @ np.linalg.inv(basis.T @ c.T @ c @ basis) @ basis.T
    # The factor is Sigma C', and a square root of Sigma.
    np.testing.assert_allclose(factor, expected @ c.T, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(factor @ factor.T, expected, rtol=1e-9, atol=1e-12)
    # Leverages: the diagonal of the hat matrix; their sum is the rank, n - rank(A).
    found = sparse_blocks.linearise_sparse(
        sparse.csr_matrix(a), sparse.csr_matrix(c), np.ones(9, bool), np.zeros(9, bool)
    )
    assert found is not None
    leverage, rank, _ = found
    projected = c @ basis
    hat = projected @ np.linalg.pinv(projected)
    np.testing.assert_allclose(leverage, np.diag(hat), rtol=1e-9, atol=1e-12)
    assert rank == n - 4


def test_undetermined_state_is_left_to_the_dense_routine():
    # A state in no constraint and no measurement is undetermined: the sparse routine
    # declines (None) so that the dense one names it.
    rng = np.random.default_rng(6)
    a = np.hstack([rng.standard_normal((3, 8)), np.zeros((3, 1))])
    c = np.hstack([rng.standard_normal((7, 8)), np.zeros((7, 1))])
    found = sparse_blocks.linearise_sparse(
        sparse.csr_matrix(a), sparse.csr_matrix(c), np.ones(7, bool), np.zeros(7, bool)
    )
    assert found is None


def test_least_norm_and_least_squares_match_dense():
    rng = np.random.default_rng(7)
    a = rng.standard_normal((5, 11))
    a = np.vstack([a, a[1] - a[3]])
    rhs = a @ rng.standard_normal(11)
    expected, *_ = np.linalg.lstsq(a, rhs, rcond=None)
    got = sparse_blocks.least_norm(sparse.csr_matrix(a), rhs)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    tall = rng.standard_normal((20, 6)) * np.logspace(-4, 4, 20)[:, None]
    b = rng.standard_normal(20)
    expected, *_ = np.linalg.lstsq(tall, b, rcond=None)
    got = sparse_blocks.least_squares(sparse.csr_matrix(tall), b)
    np.testing.assert_allclose(got, expected, rtol=1e-8)


@pytest.mark.solver
def test_figures_the_balances_fix_have_zero_sd_on_the_sparse_path(monkeypatch):
    # A node with one outlet (a line's mixer and cleaner feed box, the tailings and
    # concentrate boxes) splits nothing: its split fraction and recoveries are 1
    # whatever the data, so their sd is 0. The sparse covariance reads
    # sds as norms of g' F (F a square root of Sigma): exactly 0 here, and every
    # other sd equal to the dense one.
    survey, network = joined_lines(6)
    dense = run(monkeypatch, DENSE, survey, network).nodes
    sparse_nodes = run(monkeypatch, SPARSE, survey, network).nodes
    for column in ("solids_split_frac_sd", "au_recovery_frac_sd", "s_recovery_frac_sd"):
        want, got = dense[column].to_numpy(float), sparse_nodes[column].to_numpy(float)
        fixed = np.abs(want) < 1e-12 * np.nanmax(want)
        assert fixed.sum() == 2 * 6 + 2, column
        assert np.all(got[fixed] == 0.0), column
        np.testing.assert_allclose(got[~fixed], want[~fixed], rtol=1e-12)


def test_block_solve_with_row_pivoting_matches_dense():
    # The shipped factor (SymmetricMode, diagonal pivots) has perm_r == perm_c and
    # permutes in place; a factor with row pivoting (partial pivoting of a saddle point
    # whose zero constraint diagonal forces row swaps) goes through the copying path.
    rng = np.random.default_rng(8)
    n, m, k = 30, 10, 5
    c = (
        sparse.random(45, n, density=0.2, random_state=rng)
        + sparse.identity(45, format="csr")[:, :n]
    )
    a = sparse.random(m, n, density=0.3, random_state=rng) + sparse.hstack(
        [sparse.identity(m), sparse.csr_matrix((m, n - m))]
    )
    system = sparse_blocks.SaddlePoint(sparse.csr_matrix(c.T @ c), sparse.csr_matrix(a))
    dense = system.matrix.toarray()
    rhs = np.ascontiguousarray(rng.standard_normal((n + m, k)))
    expected = np.linalg.solve(dense, rhs)
    assert np.linalg.cond(dense) < 1e8
    symmetric, _ = system.solve_block(rhs)
    np.testing.assert_allclose(symmetric, expected, rtol=1e-9, atol=1e-12)
    system._lu = sparse_linalg.splu(
        sparse.csc_matrix(system.matrix), permc_spec="COLAMD", diag_pivot_thresh=1.0
    )
    system._block_factors = None
    assert not np.array_equal(system._lu.perm_r, system._lu.perm_c)
    # one pass through the factors, no refinement to hide a wrong permutation
    np.testing.assert_allclose(system._block_lu_solve(rhs), expected, rtol=1e-9, atol=1e-12)
    solution, relative = system.solve_block(rhs)
    np.testing.assert_allclose(solution, expected, rtol=1e-9, atol=1e-12)
    assert np.all(relative < 1e-12)
