"""A batch split between forked processes gives the rows one process gives."""

import os

import numpy as np
import pytest

import oreflow
from oreflow.conventions import RTOL_EXACT
from oreflow.errors import CaseError, ConvergenceError
from oreflow.flowsheet.case import load_case
from oreflow.flowsheet.compile import compile_case
from oreflow.solvers import batch, closed_circuit

N = 48
OVERRIDES = {
    "ore.main.au_gpt": np.linspace(1.0, 4.0, N),
    "ore.main.wi_kwh_t": np.linspace(11.0, 17.0, N),
}


@pytest.fixture(scope="module")
def plant():
    return compile_case(load_case(oreflow.bundled_case("free_milling_cil")))


def test_two_workers_give_the_same_rows_as_one(plant):
    # bit-equal here (48 cases: the parts' chunks converge alike); in general the module
    # promises agreement to the recycles' tolerance (a chunk iterates to its worst case)
    one = batch.batch_kpis(plant, OVERRIDES, N, workers=1)
    two = batch.batch_kpis(plant, OVERRIDES, N, workers=2)
    three = batch.batch_kpis(plant, OVERRIDES, N, workers=3)
    assert one.keys() == two.keys() == three.keys()
    for key in one:
        np.testing.assert_array_equal(one[key], two[key])
        np.testing.assert_array_equal(one[key], three[key])


def test_public_batch_takes_workers():
    frame = oreflow.simulate_batch(oreflow.bundled_case("free_milling_cil"), OVERRIDES, workers=2)
    assert len(frame) == N
    # the rows come back in case order: each row's head grade is its case's ore grade
    np.testing.assert_allclose(frame["au_head_gpt"], OVERRIDES["ore.main.au_gpt"], rtol=RTOL_EXACT)


def test_default_workers_keep_small_batches_here():
    assert batch.default_workers(10) == 1
    assert batch.default_workers(batch.MIN_CASES_PER_WORKER) == 1
    assert batch.default_workers(100 * batch.MIN_CASES_PER_WORKER) >= 1


def test_bad_values_are_refused_before_any_fork_naming_the_batch_case(plant):
    bad = dict(OVERRIDES, **{"ore.main.au_gpt": np.r_[OVERRIDES["ore.main.au_gpt"][:-1], -1.0]})
    with pytest.raises(CaseError) as info:
        batch.batch_kpis(plant, bad, N, workers=2)
    assert str(N - 1) in str(info.value)


def test_an_error_in_a_worker_is_raised_here_with_the_batch_case(plant, monkeypatch):
    monkeypatch.setattr(closed_circuit, "MAX_SWEEPS", 2)  # the forked worker inherits it
    monkeypatch.setattr(batch, "_can_fork", lambda: True)
    calls = []
    original = batch._part_kpis

    def parent_part_passes(plant_, params, lo, hi):
        calls.append(lo)
        if lo == 0:  # this process's own part: let it through
            monkeypatch.setattr(closed_circuit, "MAX_SWEEPS", 200)
            try:
                return original(plant_, params, lo, hi)
            finally:
                monkeypatch.setattr(closed_circuit, "MAX_SWEEPS", 2)
        return original(plant_, params, lo, hi)

    monkeypatch.setattr(batch, "_part_kpis", parent_part_passes)
    with pytest.raises(ConvergenceError) as info:
        batch.batch_kpis(plant, OVERRIDES, N, workers=2)
    assert info.value.case is not None and info.value.case >= N // 2
    assert info.value.stream == "cyclone_feed.out"


def test_balanced_groups_split_the_work_evenly_and_keep_every_item_once():
    sizes = [64800, 3240, 21600, 1080, 21600, 1080, 12960, 648]
    groups = batch.balanced_groups(sizes, 2)
    assert sorted(i for g in groups for i in g) == list(range(len(sizes)))
    loads = [sum(sizes[i] for i in g) for g in groups]
    assert max(loads) - min(loads) <= max(sizes)
    assert batch.balanced_groups(sizes, 1) == [list(range(len(sizes)))]
    assert batch.balanced_groups([5.0], 3) == [[0]]  # no empty groups


def test_fork_map_returns_in_order_and_raises_a_childs_error(monkeypatch):
    monkeypatch.setattr(batch, "_can_fork", lambda: True)
    assert batch.fork_map(lambda x: x * x, [1, 2, 3]) == [1, 4, 9]

    def fail_in_child(x):
        if x == 2:
            raise ValueError("item 2")
        return x

    with pytest.raises(ValueError, match="item 2"):
        batch.fork_map(fail_in_child, [1, 2])


def test_tabulation_forks_only_onto_idle_cores_with_enough_cases(monkeypatch):
    from oreflow.solvers import tabulate

    monkeypatch.setattr(tabulate, "idle_cores", lambda: 2)
    per = tabulate.MIN_TABULATE_CASES_PER_WORKER
    assert tabulate.tabulate_workers(per) == 1
    assert tabulate.tabulate_workers(2 * per) == 2
    monkeypatch.setattr(tabulate, "idle_cores", lambda: 1)  # the other core busy
    assert tabulate.tabulate_workers(10 * per) == 1
    monkeypatch.setattr(batch.os, "getloadavg", lambda: (0.2, 0.2, 0.2))
    assert batch.idle_cores() >= 1
    monkeypatch.setattr(batch.os, "getloadavg", lambda: (50.0, 50.0, 50.0))
    assert batch.idle_cores() == 1


@pytest.mark.parametrize(
    "case",
    ["free_milling_cil", "tests/comm_sag_trommel", "copper_gold_sart", "polymetallic_flotation"],
)
def test_kpi_chunks_give_the_rows_of_the_iteration_chunks(case, monkeypatch):
    """Larger KPI chunks change no row: recycle loops still iterate part by part.

    comm_sag_trommel's SAG loop is converged by the general iteration (in parts of
    ``CHUNK_CASES``, whose Anderson history and restarts are shared by the part's
    cases); free_milling_cil's ball-mill loop is solved directly for the whole chunk.
    copper_gold_sart's grinding circuit starts a leach block (solution returned to
    it) and polymetallic_flotation has differential flotation loops: both recognised
    loops whose general iteration must still run part by part.
    """
    from oreflow.solvers import simulate

    path = oreflow.bundled_case(case) if "/" not in case else f"cases/{case}.toml"
    plant = compile_case(load_case(path))
    ore = plant.spec.ores[0].name
    n = 40
    over = {f"{ore}.wi_kwh_t": np.linspace(11.0, 17.0, n)}
    monkeypatch.setattr(simulate, "CHUNK_CASES", 8)
    monkeypatch.setattr(batch, "KPI_CHUNK_CASES", 8)
    parts = batch.batch_kpis(plant, over, n, workers=1)
    monkeypatch.setattr(batch, "KPI_CHUNK_CASES", 32)  # chunks of 4 parts, and one of 1
    whole = batch.batch_kpis(plant, over, n, workers=1)
    assert parts.keys() == whole.keys()
    for key in parts:
        np.testing.assert_array_equal(parts[key], whole[key], err_msg=key)


def test_a_loop_iterated_in_parts_names_the_batch_case_that_did_not_converge(monkeypatch):
    from oreflow.solvers import simulate

    plant = compile_case(load_case("cases/tests/comm_sag_trommel.toml"))
    ore = plant.spec.ores[0].name
    n = 24
    params = plant.param_arrays(n, {f"{ore}.wi_kwh_t": np.linspace(11.0, 17.0, n)})
    monkeypatch.setattr(simulate, "CHUNK_CASES", 8)
    cases = []
    for chunk in (8, 24):
        with pytest.raises(ConvergenceError) as info:
            list(simulate.simulate_param_chunks(plant, params, 0, n, max_iter=2, chunk_cases=chunk))
        cases.append(info.value.case)
    assert cases[0] == cases[1] is not None and 0 <= cases[0] < 8


def _blas_threads(_item):
    from threadpoolctl import threadpool_info

    return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]


@pytest.mark.skipif(not batch._can_fork(), reason="needs the fork start method")
def test_forked_batches_run_one_blas_thread_per_process_and_restore_the_callers():
    # the parent's part runs here, the other in a child: both with one BLAS thread, and
    # the caller's own setting is back afterwards
    from threadpoolctl import threadpool_limits

    with threadpool_limits(2, user_api="blas"):
        before = _blas_threads(None)
        if not before or max(before) < 2:
            pytest.skip("no BLAS with more than one thread to limit")
        inside = batch.fork_map(_blas_threads, [0, 1])
        after = _blas_threads(None)
    assert inside == [[1] * len(before)] * 2
    assert after == before


def test_kpis_come_back_through_a_memory_file_as_they_were_written():
    fd = batch._memory_file()
    if fd is None:
        pytest.skip("no memory files on this system")
    kpis = {
        "recovery": np.linspace(0.0, 1.0, 7),
        "feasible": np.array([True, False, True, True, False, True, False]),
        "count": np.arange(7, dtype=np.int64),
        "none": np.zeros(0),
    }
    try:
        places = batch._write_shared(kpis, fd)
        back = batch._read_shared(places, fd)
    finally:
        os.close(fd)
    assert list(back) == list(kpis)
    for key, value in kpis.items():
        assert back[key].dtype == value.dtype
        np.testing.assert_array_equal(back[key], value)
    # arrays of Python objects are left to the pipe
    assert batch._write_shared({"names": np.array(["a", None], dtype=object)}, -1) is None
    assert batch._write_shared({"total": 1.0}, -1) is None
