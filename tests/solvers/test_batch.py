"""A batch split between forked processes gives the rows one process gives."""

import numpy as np
import pytest

import oreflow
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
    assert frame["gold_recovery_frac"].is_monotonic_increasing is not None


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
