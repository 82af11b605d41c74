"""The closed-circuit kernel against the mill kernel and the loop equations it solves."""

import numpy as np
import pytest

from oreflow.kernels.ball_mill_pbm import austin_breakage_matrix, mill_mixers_into
from oreflow.kernels.closed_circuit import CONVERGED, SINGULAR, mill_loop_solids


def _loop(seed, n=7, n_cls=12, n_sp=3):
    rng = np.random.default_rng(seed)
    edges = 4000.0 / np.sqrt(2.0) ** np.arange(n_cls)
    b = austin_breakage_matrix(edges, 0.6, 1.0, 4.0)
    alpha = rng.uniform(0.0, 50.0, (n_sp, n_cls, n))
    beta = rng.uniform(0.0, 0.95, (n_sp, n_cls, n))
    sel = rng.uniform(0.05, 1.5, (n_cls, n))
    power = rng.uniform(500.0, 5000.0, n)
    return alpha, beta, sel, power, b


@pytest.mark.parametrize("n_mixers", [1, 3])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_solution_satisfies_the_mill_and_the_loop(seed, n_mixers):
    alpha, beta, sel, power, b = _loop(seed)
    feed, dis, sweeps, resid, status = mill_loop_solids(
        alpha, beta, sel, power, b, n_mixers, 1e-14, 100
    )
    assert np.all(status == CONVERGED) and np.all(resid <= 1e-14)
    assert np.all(sweeps < 20)
    q = feed.sum(axis=(0, 1))
    # the discharge is what the mill kernel makes of the feed at energy P / Q ...
    f = feed.transpose(2, 1, 0)  # (n, n_cls, n_sp)
    rate = (sel.T * (power / q)[:, None])[:, :, None] * np.ones_like(f)
    expect = np.empty_like(f)
    mill_mixers_into(expect, np.ascontiguousarray(f), rate, b, n_mixers)
    np.testing.assert_allclose(dis.transpose(2, 1, 0), expect, rtol=1e-12, atol=1e-12)
    # ... and the loop returns alpha + beta D to the feed
    np.testing.assert_allclose(feed, alpha + beta * dis, rtol=1e-12)
    # mass: the mill conserves each species, so the loop lets out what enters it
    np.testing.assert_allclose(((1.0 - beta) * dis).sum(axis=1), alpha.sum(axis=1), rtol=1e-12)


def test_a_class_recycled_whole_and_unbroken_has_no_steady_state():
    alpha, beta, sel, power, b = _loop(3)
    beta[:, -1, 2] = 1.0  # the sink of case 2 never leaves
    *_, status = mill_loop_solids(alpha, beta, sel, power, b, 3, 1e-14, 100)
    assert status[2] == SINGULAR
    assert np.all(np.delete(status, 2) == CONVERGED)


def test_no_feed_gives_no_flow():
    alpha, beta, sel, power, b = _loop(4)
    alpha[:] = 0.0
    feed, dis, _, _, status = mill_loop_solids(alpha, beta, sel, power, b, 3, 1e-14, 100)
    assert np.all(status == CONVERGED)
    assert np.all(feed == 0.0) and np.all(dis == 0.0)


@pytest.mark.parametrize("seed", [0, 5])
def test_species_turned_into_another_in_the_mill(seed):
    # species 0 leaves the mill as (1 - h) of what the mill made of it, species 2 gains
    # the h: the loop still satisfies the mill, the transfer and alpha + beta D
    alpha, beta, sel, power, b = _loop(seed)
    h = np.random.default_rng(seed).uniform(0.0, 0.4, alpha.shape[2])
    feed, dis, _, resid, status = mill_loop_solids(
        alpha, beta, sel, power, b, 3, 1e-14, 100, (0, 2, h)
    )
    assert np.all(status == CONVERGED) and np.all(resid <= 1e-14)
    q = feed.sum(axis=(0, 1))
    f = feed.transpose(2, 1, 0)
    rate = (sel.T * (power / q)[:, None])[:, :, None] * np.ones_like(f)
    made = np.empty_like(f)
    mill_mixers_into(made, np.ascontiguousarray(f), rate, b, 3)
    expect = made.copy()
    expect[:, :, 0] = (1.0 - h)[:, None] * made[:, :, 0]
    expect[:, :, 2] = made[:, :, 2] + h[:, None] * made[:, :, 0]
    np.testing.assert_allclose(dis.transpose(2, 1, 0), expect, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(feed, alpha + beta * dis, rtol=1e-12)
    # the species together are conserved: what leaves the loop is what enters it
    np.testing.assert_allclose(
        ((1.0 - beta) * dis).sum(axis=(0, 1)), alpha.sum(axis=(0, 1)), rtol=1e-12
    )


def test_no_transfer_is_bit_identical_to_the_plain_kernel():
    alpha, beta, sel, power, b = _loop(6)
    plain = mill_loop_solids(alpha, beta, sel, power, b, 3, 1e-14, 100)
    zero = mill_loop_solids(
        alpha, beta, sel, power, b, 3, 1e-14, 100, (0, 2, np.zeros(alpha.shape[2]))
    )
    np.testing.assert_array_equal(plain[1], zero[1])
    np.testing.assert_array_equal(plain[0], zero[0])


def test_no_feed_gives_no_flow_where_a_class_returns_whole_and_leaves_the_others_alone():
    # an idle mill breaks nothing: a class the cyclone returns whole would read as
    # recycling unbroken for ever, and once made the whole batch leave the direct solve
    alpha, beta, sel, power, b = _loop(4)
    want = mill_loop_solids(alpha, beta, sel, power, b, 3, 1e-14, 100)
    alpha[:, :, 1] = 0.0
    beta[:, -1, 1] = 1.0
    feed, dis, _, residual, status = mill_loop_solids(alpha, beta, sel, power, b, 3, 1e-14, 100)
    assert np.all(status == CONVERGED) and residual[1] == 0.0
    assert np.all(feed[:, :, 1] == 0.0) and np.all(dis[:, :, 1] == 0.0)
    others = [0, 2, 3]
    np.testing.assert_array_equal(feed[:, :, others], want[0][:, :, others])
    np.testing.assert_array_equal(dis[:, :, others], want[1][:, :, others])


def test_a_species_made_in_the_sink_alone_satisfies_the_mill_and_the_loop():
    # worn steel: nothing of it in the classes above the sink, which the sweep skips
    alpha, beta, sel, power, b = _loop(7)
    alpha[2, :-1, :] = 0.0
    feed, dis, _, resid, status = mill_loop_solids(alpha, beta, sel, power, b, 3, 1e-14, 100)
    assert np.all(status == CONVERGED) and np.all(resid <= 1e-14)
    assert np.all(feed[2, :-1] == 0.0) and np.all(dis[2, :-1] == 0.0)
    np.testing.assert_allclose(feed, alpha + beta * dis, rtol=1e-12)
    np.testing.assert_allclose(((1.0 - beta) * dis).sum(axis=1), alpha.sum(axis=1), rtol=1e-12)
    # a class of it the cyclone would return whole is still found without a steady state
    beta[2, 0, 3] = 1.0
    sel[0, 3] = 0.0
    *_, status = mill_loop_solids(alpha, beta, sel, power, b, 3, 1e-14, 100)
    assert status[3] == SINGULAR
