"""Reconciliation at 50, 200 and 500 nodes: oreflow's time, its exponent in the nodes, SLSQP.

Each survey is made of parallel flotation lines (rougher, scavenger, cleaner with
recycle; 5 nodes, 9 streams and 20 measurements each): 50 nodes / 200 measurements,
200 / 800 and 500 / 2,000. ``oreflow.solvers.reconcile.reconcile`` (Gauss-Newton, each
step one sparse KKT solve; classification, statistics and tables included in the time)
runs at the three sizes; the exponent of its best time in the nodes is fitted by least
squares on the logarithms and printed.

The baseline, in the same run, is ``scipy.optimize.minimize(method="SLSQP")`` on the
same problem at 50 nodes (flows and component flows as states, linear node balances,
weighted least squares on the measured flow and assays, non-negative states), with
analytic gradients and constraint Jacobian, started from oreflow's own starting guess
(flows by least squares from the meters and fixed-assay balances, measured assays).
From a naive start (every stream at the median metered flow) SLSQP stops at once
("positive directional derivative"). Both must reach the same objective; the ratio of
their best times is printed. SLSQP is dense (its cost grows with the cube of the
states), so it is run at 50 nodes only.

A second series joins the lines into one plant (``build_connected_survey``: a feed
distributor, a tailings box and a concentrate box, with the plant's streams assayed):
all states are then one connected block. oreflow handles a block of at least
``sparse_blocks.SPARSE_MIN_STATES`` states by sparse factorisation; the same survey is
also run with that threshold out of reach (every block by dense SVD, main's method
before issue 14's sparse blocks) in the same session. Both must reach the same J; the
exponents of both in the nodes and the dense/sparse ratios are printed.

Run: ``pytest benchmarks/test_bench_reconcile.py --benchmark-only`` (SciPy is the
``bench`` extra). Smoke-run without timing: ``pytest -o addopts="" --benchmark-disable``.
"""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from oreflow.flowsheet.network import Network
from oreflow.flowsheet.survey import Survey
from oreflow.solvers.reconcile import reconcile

N_NODES = 50
SEED = 11
GROUP = "reconcile"
#: Survey sizes [nodes] of the scaling runs.
SIZES = (50, 200, 500)
#: Best times of this run, so the later benchmarks can print ratios and the exponent.
BEST: dict[str, float] = {}


#: Each line: (node, inlets, outlets); ``cl_tail`` recycles to the rougher feed.
LINE = (
    ("mix", ("feed", "cl_tail"), ("ro_feed",)),
    ("rougher", ("ro_feed",), ("ro_conc", "ro_tail")),
    ("scavenger", ("ro_tail",), ("sc_conc", "tail")),
    ("cleaner_feed", ("ro_conc", "sc_conc"), ("cl_feed",)),
    ("cleaner", ("cl_feed",), ("conc", "cl_tail")),
)


N_LINES = N_NODES // len(LINE)


def build_survey(n_lines=N_LINES, seed=SEED):
    """Parallel flotation lines (rougher, scavenger, cleaner with recycle), 5 nodes each.

    True flows and assays come from mass pulls and recoveries per cell (the cleaner
    tail recycles to the rougher feed, so each line is solved for its steady state).
    Measurements: each line's feed and concentrate solids flows (2 % sd), Au (5 %) and
    S (3 %) on every stream, with noise of the same size: 10 lines, 50 nodes, 90
    streams, 200 measurements.
    """
    rng = np.random.default_rng(seed)
    nodes, records = {}, []
    for line in range(n_lines):
        name = {s: f"l{line}.{s}" for node in LINE for s in (*node[1], *node[2])}
        for node, inlets, outlets in LINE:
            nodes[f"l{line}.{node}"] = ([name[s] for s in inlets], [name[s] for s in outlets])
        # Recovery of solids, Au and S to the concentrate of each cell.
        cells = {
            "rougher": np.array([0.12, 0.85, 0.75]),
            "scavenger": np.array([0.05, 0.50, 0.45]),
            "cleaner": np.array([0.35, 0.80, 0.60]),
        }
        cells = {k: np.clip(v * rng.uniform(0.85, 1.15, 3), 0.0, 0.97) for k, v in cells.items()}
        feed = rng.uniform(200.0, 400.0) * np.array(
            [1.0, rng.uniform(1.5, 3.0), rng.uniform(1.0, 2.5)]
        )
        ro, sc, cl = cells["rougher"], cells["scavenger"], cells["cleaner"]
        ro_feed = feed / (1.0 - (1.0 - cl) * (ro + (1.0 - ro) * sc))  # [t/h, g/h, %.t/h]
        flows = {"feed": feed, "ro_feed": ro_feed, "ro_conc": ro * ro_feed}
        flows["ro_tail"] = ro_feed - flows["ro_conc"]
        flows["sc_conc"] = sc * flows["ro_tail"]
        flows["tail"] = flows["ro_tail"] - flows["sc_conc"]
        flows["cl_feed"] = flows["ro_conc"] + flows["sc_conc"]
        flows["conc"] = cl * flows["cl_feed"]
        flows["cl_tail"] = flows["cl_feed"] - flows["conc"]
        for stream in ("feed", "conc"):
            records.append(
                {
                    "stream": name[stream],
                    "quantity": "solids_tph",
                    "sd": 0.02,
                    "sd_kind": "rel",
                    "value": flows[stream][0] * (1 + 0.02 * rng.standard_normal()),
                }
            )
        for stream, flow in flows.items():
            for k, (quantity, rel) in enumerate((("au_gpt", 0.05), ("s_pct", 0.03)), start=1):
                records.append(
                    {
                        "stream": name[stream],
                        "quantity": quantity,
                        "sd": rel,
                        "sd_kind": "rel",
                        "value": flow[k] / flow[0] * (1 + rel * rng.standard_normal()),
                    }
                )
    network = Network.from_nodes(nodes)
    return Survey.from_records(records, network=network), network


def build_connected_survey(n_lines=N_LINES, seed=SEED):
    """The parallel lines of ``build_survey`` joined into one plant (one connected block).

    A distributor splits the plant feed to the lines; the lines' tails and
    concentrates are gathered in a tailings box and a concentrate box. The plant's
    three streams carry Au and S assays (the lines' measured assays weighted by their
    metered flows, with noise of 5 % and 3 %): 3 nodes and 6 measurements more than
    the parallel lines.
    """
    survey, network = build_survey(n_lines=n_lines, seed=seed)
    nodes = {n.name: (list(n.inlets), list(n.outlets)) for n in network.nodes}
    nodes["distributor"] = (["plant_feed"], [f"l{i}.feed" for i in range(n_lines)])
    nodes["tails_box"] = ([f"l{i}.tail" for i in range(n_lines)], ["plant_tail"])
    nodes["conc_box"] = ([f"l{i}.conc" for i in range(n_lines)], ["plant_conc"])
    records = [
        {"stream": m.stream, "quantity": m.quantity, "value": m.value, "sd": m.sd, "sd_kind": "abs"}
        for m in survey.measurements
    ]
    rng = np.random.default_rng(seed + 1)
    # The plant's assays: the lines' measured assays weighted by the lines' metered
    # flows (feed, concentrate, and their difference for the tail), with noise.
    metered = {(m.stream, m.quantity): m.value for m in survey.measurements}
    weight = {
        "feed": lambda i: metered[(f"l{i}.feed", "solids_tph")],
        "conc": lambda i: metered[(f"l{i}.conc", "solids_tph")],
        "tail": lambda i: (
            metered[(f"l{i}.feed", "solids_tph")] - metered[(f"l{i}.conc", "solids_tph")]
        ),
    }
    for plant, suffix in (("plant_feed", "feed"), ("plant_tail", "tail"), ("plant_conc", "conc")):
        for quantity, rel in (("au_gpt", 0.05), ("s_pct", 0.03)):
            assays = [
                (metered[(f"l{i}.{suffix}", quantity)], weight[suffix](i)) for i in range(n_lines)
            ]
            mean = sum(a * w for a, w in assays) / sum(w for _, w in assays)
            records.append(
                {
                    "stream": plant,
                    "quantity": quantity,
                    "value": mean * (1 + rel * rng.standard_normal()),
                    "sd": rel,
                    "sd_kind": "rel",
                }
            )
    joined = Network.from_nodes(nodes)
    return Survey.from_records(records, network=joined), joined


class ScipyProblem:
    """The reconciliation as a plain NLP in scaled states, for scipy.optimize."""

    def __init__(self, survey, network):
        self.streams = list(network.streams)
        n = len(self.streams)
        self.n = n
        col = {name: j for j, name in enumerate(self.streams)}
        species = ["au_gpt", "s_pct"]
        # States: S (n), M_au (n), M_s (n).
        self.balance = np.zeros((3 * len(network.nodes), 3 * n))
        for k, node in enumerate(network.nodes):
            for block in range(3):
                for name in node.inlets:
                    self.balance[3 * k + block, block * n + col[name]] = 1.0
                for name in node.outlets:
                    self.balance[3 * k + block, block * n + col[name]] = -1.0
        num, den, y, sd = [], [], [], []
        for m in survey.measurements:
            j = col[m.stream]
            if m.quantity == "solids_tph":
                num.append(j)
                den.append(-1)
            else:
                num.append((1 + species.index(m.quantity)) * n + j)
                den.append(j)
            y.append(m.value)
            sd.append(m.sd)
        self.num, self.den = np.array(num), np.array(den)
        self.y, self.sd = np.array(y), np.array(sd)
        self.ratio = self.den >= 0
        # Start from oreflow's own starting guess (before it is projected onto the
        # balances), so that both solvers start from the same point.
        from oreflow.solvers.reconcile.assembly import assemble
        from oreflow.solvers.reconcile.start import initial_guess

        internal = assemble(survey, network)
        guess = initial_guess(internal, network)
        x0 = np.array(
            [guess[internal.index[("S", name)]] for name in self.streams]
            + [
                guess[internal.index[("M", name, sp)]]
                for sp in ("au", "s")
                for name in self.streams
            ]
        )
        self.scale = np.abs(x0)
        self.xi0 = np.ones_like(x0)
        self.bal_scaled = self.balance * self.scale

    def residual_and_jacobian(self, xi):
        x = xi * self.scale
        h = x[self.num].copy()
        r = self.ratio
        h[r] = x[self.num[r]] / x[self.den[r]]
        z = (h - self.y) / self.sd
        jac = np.zeros((len(self.y), x.size))
        rows = np.arange(len(self.y))
        dnum = np.where(r, 1.0 / np.where(r, x[np.maximum(self.den, 0)], 1.0), 1.0)
        jac[rows, self.num] = dnum * self.scale[self.num] / self.sd
        dr = rows[r]
        jac[dr, self.den[r]] = (
            -x[self.num[r]] / x[self.den[r]] ** 2 * self.scale[self.den[r]] / self.sd[r]
        )
        return z, jac

    def objective(self, xi):
        z, jac = self.residual_and_jacobian(xi)
        return float(z @ z), 2.0 * jac.T @ z

    def solve(self):
        from scipy.optimize import minimize

        result = minimize(
            self.objective,
            self.xi0,
            jac=True,
            method="SLSQP",
            bounds=[(1e-6, None)] * self.xi0.size,
            constraints=[
                {
                    "type": "eq",
                    "fun": lambda xi: self.bal_scaled @ xi,
                    "jac": lambda xi: self.bal_scaled,
                }
            ],
            options={"ftol": 1e-10, "maxiter": 2000},
        )
        return result


def best_time(benchmark):
    stats = getattr(benchmark, "stats", None)
    return None if stats is None else stats.stats.min


@pytest.mark.benchmark(group=GROUP)
@pytest.mark.parametrize("n_nodes", SIZES)
def test_bench_reconcile_oreflow(benchmark, n_nodes):
    survey, network = build_survey(n_lines=n_nodes // len(LINE))
    assert len(survey.measurements) == 4 * n_nodes
    warm = reconcile(survey, network)  # imports SciPy outside the timer
    assert warm.meta["status"] == "optimal"
    rounds = 7 if n_nodes <= 50 else 3
    result = benchmark.pedantic(reconcile, args=(survey, network), rounds=rounds, iterations=1)
    assert result.passed
    assert result.meta["max_rel_closure"] <= 1e-9
    benchmark.extra_info["chi2"] = result.meta["chi2"]
    benchmark.extra_info["iterations"] = result.meta["iterations"]
    best = best_time(benchmark)
    if best is not None:
        BEST[f"oreflow_{n_nodes}"] = best
        if n_nodes == N_NODES:
            BEST["oreflow"] = best
            BEST["oreflow_chi2"] = result.meta["chi2"]


def scaling_line():
    """oreflow's best times and their fitted exponent in the nodes, or None if untimed."""
    times = [BEST.get(f"oreflow_{n}") for n in SIZES]
    if any(t is None for t in times):
        return None
    slope, _ = np.polyfit(np.log(SIZES), np.log(times), 1)
    pairs = ", ".join(f"{n} nodes {t:.3f} s" for n, t in zip(SIZES, times, strict=True))
    return (
        f"reconcile scaling: {pairs}; fitted exponent {slope:.2f} (load {os.getloadavg()[0]:.1f})"
    )


@pytest.mark.benchmark(group=GROUP)
def test_bench_reconcile_scipy_slsqp(benchmark, capsys):
    pytest.importorskip("scipy")
    survey, network = build_survey()
    problem = ScipyProblem(survey, network)
    problem.solve()  # warm-up: imports SciPy outside the timer
    result = benchmark.pedantic(problem.solve, rounds=3, iterations=1)
    assert result.success, result.message
    closure = np.abs(problem.bal_scaled @ result.x).max()
    benchmark.extra_info["chi2"] = float(result.fun)
    benchmark.extra_info["iterations"] = int(result.nit)
    best = best_time(benchmark)
    if best is None or "oreflow" not in BEST:
        return
    # Same problem, same answer: both objectives agree.
    assert result.fun == pytest.approx(BEST["oreflow_chi2"], rel=1e-6)
    ratio = best / BEST["oreflow"]
    benchmark.extra_info["scipy_over_oreflow"] = ratio
    with capsys.disabled():
        print(
            f"\nreconcile {N_NODES} nodes / {len(survey.measurements)} measurements: "
            f"oreflow {BEST['oreflow']:.3f} s (J {BEST['oreflow_chi2']:.6f}), "
            f"scipy SLSQP {best:.3f} s (J {result.fun:.6f}, {result.nit} iterations, "
            f"closure {closure:.1e}); scipy/oreflow = {ratio:.1f}x "
            f"[{time.strftime('%Y-%m-%d %H:%M')}]"
        )
        line = scaling_line()
        if line is not None:
            print(line)


def _reconcile_dense(survey, network):
    """``reconcile`` with every block by dense SVD (the sparse threshold out of reach)."""
    from oreflow.solvers.reconcile import sparse_blocks

    saved = sparse_blocks.SPARSE_MIN_STATES
    sparse_blocks.SPARSE_MIN_STATES = 10**9
    try:
        return reconcile(survey, network)
    finally:
        sparse_blocks.SPARSE_MIN_STATES = saved


@pytest.mark.benchmark(group=GROUP + "-connected")
@pytest.mark.parametrize("method", ["sparse", "dense"])
@pytest.mark.parametrize("n_nodes", SIZES)
def test_bench_reconcile_connected(benchmark, capsys, n_nodes, method):
    survey, network = build_connected_survey(n_lines=n_nodes // len(LINE))
    run = reconcile if method == "sparse" else _reconcile_dense
    warm = run(survey, network)
    assert warm.meta["status"] == "optimal"
    rounds = 1 if (method == "dense" and n_nodes >= 500) else 3
    result = benchmark.pedantic(run, args=(survey, network), rounds=rounds, iterations=1)
    assert result.meta["max_rel_closure"] <= 1e-9
    key = f"connected_{method}_{n_nodes}"
    BEST[key + "_chi2"] = result.meta["chi2"]
    other = f"connected_{'dense' if method == 'sparse' else 'sparse'}_{n_nodes}_chi2"
    if other in BEST:
        assert result.meta["chi2"] == pytest.approx(BEST[other], rel=1e-9)
    best = best_time(benchmark)
    if best is None:
        return
    BEST[key] = best
    times = {m: [BEST.get(f"connected_{m}_{n}") for n in SIZES] for m in ("sparse", "dense")}
    if any(t is None for m in times for t in times[m]):
        return
    with capsys.disabled():
        for m, t in times.items():
            slope, _ = np.polyfit(np.log(SIZES), np.log(t), 1)
            pairs = ", ".join(f"{n} nodes {x:.3f} s" for n, x in zip(SIZES, t, strict=True))
            print(f"\nreconcile connected, {m}: {pairs}; fitted exponent {slope:.2f}")
        ratios = ", ".join(
            f"{n}: {d / sp:.1f}x"
            for n, d, sp in zip(SIZES, times["dense"], times["sparse"], strict=True)
        )
        print(f"dense / sparse: {ratios} (load {os.getloadavg()[0]:.1f})")
