"""The closed-circuit solver's shortcuts give what the long way gives, to the bit.

The elimination of only the rows read, with scalar entries, the solids shares units
state instead of being probed, one partition curve per distinct cyclone setting, and
the final pass taken from the water start's last probe.
"""

from pathlib import Path

import numpy as np
import pytest

from oreflow.conventions import RTOL_EXACT
from oreflow.flowsheet.case import load_case
from oreflow.flowsheet.compile import compile_case
from oreflow.solvers import closed_circuit, simulate
from oreflow.solvers.simulate import simulate_plant, unit_context

CASES = Path(__file__).resolve().parents[2] / "cases"


def _plant(name):
    return compile_case(load_case(CASES / f"{name}.toml"))


def _system(seed, m=5, shape=(4, 3, 2)):
    """A loop's (I - A) x = r with A non-negative, spectral radius < 1, some zeros."""
    rng = np.random.default_rng(seed)
    a = (
        rng.uniform(0.0, 1.0, (m, m, *shape))
        * (rng.uniform(size=(m, m)) < 0.5)[..., None, None, None]
    )
    a /= 1.5 * np.maximum(a.sum(axis=0, keepdims=True), 1.0)  # columns sum below 1
    off = {(i, j): -a[i, j] for i in range(m) for j in range(m) if i != j and a[i, j].any()}
    diag = {i: 1.0 - a[i, i] for i in range(m) if a[i, i].any()}
    rhs = {(1, 0): rng.uniform(0.0, 5.0, shape), (m - 1, 1): np.ones(shape)}
    return a, off, diag, rhs


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_elimination_solves_the_loop(seed):
    a, off, diag, rhs = _system(seed)
    m = a.shape[0]
    x = closed_circuit._eliminate(m, off, diag, rhs)
    matrix = np.moveaxis(np.eye(m)[..., None, None, None] - a, (0, 1), (-2, -1))
    for q in (0, 1):
        r = np.zeros((*a.shape[2:], m))
        for (i, qq), v in rhs.items():
            if qq == q:
                r[..., i] = v
        want = np.linalg.solve(matrix, r[..., None])[..., 0]
        got = np.stack([x[(i, q)] for i in range(m)], axis=-1)
        np.testing.assert_allclose(got, want, rtol=RTOL_EXACT, atol=RTOL_EXACT)


def test_scalar_entries_and_the_rows_asked_for_change_no_bit():
    # a mixer passes each inlet's solids whole: its share is the scalar 1, not an array
    _, off, diag, rhs = _system(5)
    shape = (4, 3, 2)
    scalar = {**off, (2, 0): -0.25, (0, 3): -0.5}
    arrays = {k: np.broadcast_to(v, shape) * 1.0 for k, v in scalar.items()}
    rhs_scalar = {**rhs, (4, 1): 1.0}
    full = closed_circuit._eliminate(5, arrays, diag, rhs)
    for rows in (None, {0}, {3}):
        part = closed_circuit._eliminate(5, scalar, diag, rhs_scalar, rows, shape)
        assert rows is None or rows <= {i for i, _ in part}
        for key, value in part.items():
            np.testing.assert_array_equal(value, full[key])


def test_a_pivot_not_positive_leaves_the_loop_to_the_general_iteration():
    _, off, diag, rhs = _system(4)
    diag[0] = np.zeros((4, 3, 2))  # a stream that returns all of itself
    assert closed_circuit._eliminate(5, off, diag, rhs) is None


@pytest.mark.parametrize(
    ("name", "overrides"),
    [
        ("free_milling_cil", {"units.thickener.solids_recovery_frac": [0.97, 1.0, 0.999]}),
        ("free_milling_cil", {"units.cyclone.d50c_um": [60.0, 80.0, 80.0]}),
        ("tests/ex03_pbm_circuit", {}),
    ],
)
def test_stated_solids_shares_equal_the_probe(name, overrides):
    plant = _plant(name)
    n = 3
    params = plant.param_arrays(n, overrides)
    comps = plant.spec.comps
    ports = simulate.port_order(plant)
    probe = np.zeros((n, comps.n_comp))
    probe[:, : comps.n_solids_comp] = 1.0
    probe[:, comps.solution_offset("water")] = 1.0
    zero = np.zeros_like(probe)
    stated = 0
    for node, model in plant.models.items():
        if not hasattr(model, "solids_shares"):
            continue
        state = model.prepare(params[node], unit_context(plant, params, node, n))
        shares = model.solids_shares(state, len(ports[0][node]))
        if shares is None:
            continue
        stated += 1
        for j in range(len(ports[0][node])):
            inlets = tuple(probe if q == j else zero for q in range(len(ports[0][node])))
            for k, out in enumerate(model.apply(state, inlets).outlets):
                want = comps.solids_view(out)
                got = np.broadcast_to(shares[j][k], want.shape)
                np.testing.assert_array_equal(got, want, err_msg=f"{node} inlet {j} outlet {k}")
    assert stated >= 2


@pytest.mark.parametrize("model", ["lynch_rao", "fishhook"])
def test_one_partition_curve_per_distinct_cyclone_setting(model, tmp_path):
    from oreflow.kernels.classification import partition_batch, partition_fishhook_batch

    text = (CASES / "free_milling_cil.toml").read_text()
    case = tmp_path / "free_milling_cil.toml"
    case.write_text(text.replace("[units.cyclone]\n", f'[units.cyclone]\nmodel = "{model}"\n'))
    plant = compile_case(load_case(case))
    cyclone = plant.models["cyclone"]
    n = 5
    overrides = {
        "units.cyclone.d50c_um": [70.0, 90.0, 70.0, 90.0, 70.0],
        "units.cyclone.fishhook_beta": [0.4, 0.4, 0.4, 0.4, 0.2],
    }
    params = plant.param_arrays(n, overrides)
    p = params["cyclone"]
    state = cyclone.prepare(p, unit_context(plant, params, "cyclone", n))
    d50 = p["d50c_um"][:, None] * cyclone._density_factor(
        p["reference_density_t_m3"], p["density_exponent"]
    )
    bypass = p["water_to_underflow_frac"]
    if model == "fishhook":
        want = partition_fishhook_batch(cyclone.rep_um, d50, p["alpha"], p["fishhook_beta"], bypass)
    else:
        want = partition_batch(cyclone.rep_um, d50, p["alpha"], bypass)
    np.testing.assert_array_equal(state.partition, want)


@pytest.mark.parametrize("name", ["free_milling_cil", "tests/pre_ex05_gravity", "copper_gold_cil"])
def test_the_final_pass_taken_from_the_last_probe_equals_a_fresh_one(name, monkeypatch):
    plant = _plant(name)
    n = 6
    ore = plant.spec.ores[0].name
    rate = plant.param_arrays(1, None)[ore]["rate_tph"][0]
    overrides = {f"{ore}.rate_tph": rate * np.linspace(0.8, 1.2, n)}
    run_again = simulate.BlockSolver._final_pass
    took: list[bool] = []

    def spied(self, x):  # the shortcut must really be taken, or this test shows nothing
        took.append(self.reported is not None and np.array_equal(self.reported[0], x))
        run_again(self, x)

    monkeypatch.setattr(simulate.BlockSolver, "_final_pass", spied)
    taken = simulate_plant(plant, n_cases=n, overrides=overrides)
    assert any(took)

    def fresh(self, x):
        self.reported = None
        run_again(self, x)

    monkeypatch.setattr(simulate.BlockSolver, "_final_pass", fresh)
    again = simulate_plant(plant, n_cases=n, overrides=overrides)
    assert list(taken.streams) == list(again.streams)
    for key, value in again.streams.items():
        np.testing.assert_array_equal(taken.streams[key], value, err_msg=key)
    for node, result in again.units.items():
        for metric, value in result.metrics.items():
            np.testing.assert_array_equal(taken.units[node].metrics[metric], value)
    assert taken.iterations == again.iterations
