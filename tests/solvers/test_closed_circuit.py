"""Closed ball-mill circuits solved directly agree with the general recycle iteration."""

from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.errors import ConvergenceError
from oreflow.flowsheet.case import load_case
from oreflow.flowsheet.compile import compile_case
from oreflow.solvers import closed_circuit
from oreflow.solvers.results import kpi_arrays
from oreflow.solvers.simulate import port_order, simulate_plant

CASES = Path(__file__).resolve().parents[2] / "cases"
#: Every shipped case with a closed ball-mill circuit the direct solver takes.
DIRECT = (
    "free_milling_cil",
    "copper_gold_cil",
    "low_grade_preconcentration",
    "refractory_pox_cil",
    "refractory_route_choice",
    "satellite_concentrator",
    "tests/ex03_pbm_circuit",
    # gravity gold: the mill turns GRG into free gold; a concentrator without a mass
    # pull (pre_ex05) and with one (free_milling_glycine: its shares iterated on)
    "tests/pre_ex05_gravity",
    "free_milling_glycine",
)
#: Loops it must leave to the general iteration: a SAG mill with its trommel.
GENERAL = ("tests/comm_sag_trommel",)
#: Agreement of the two solutions: both converge every tear component to a relative
#: 1e-12 (``RTOL_RECYCLE``); a component is judged against 1e-9 of its stream.
RTOL_PARITY = 1e-10
CLOSURE_MAX = 1e-12


def _plant(name):
    return compile_case(load_case(CASES / f"{name}.toml"))


def _mill_blocks(plant):
    ports = port_order(plant)
    return [closed_circuit.recognise(plant, b, ports) for b in plant.topology.blocks if b.tears]


def _worst_rel(a, b):
    worst = 0.0
    for name, x in a.streams.items():
        y = b.streams[name]
        floor = 1e-9 * np.abs(x).sum(axis=1, keepdims=True) + 1e-300
        worst = max(worst, float(np.max(np.abs(x - y) / np.maximum(np.abs(x), floor))))
    return worst


@pytest.mark.parametrize("name", DIRECT)
def test_every_shipped_mill_loop_is_recognised(name):
    assert any(loop is not None for loop in _mill_blocks(_plant(name)))


@pytest.mark.parametrize("name", GENERAL)
def test_loops_without_the_structure_go_to_the_general_iteration(name):
    plant = _plant(name)
    assert all(loop is None for loop in _mill_blocks(plant))
    direct = simulate_plant(plant)
    general = simulate_plant(plant, direct=False)
    assert direct.iterations == general.iterations
    assert _worst_rel(direct, general) == 0.0


@pytest.mark.parametrize("name", DIRECT)
def test_direct_equals_general_iteration_and_closes(name):
    plant = _plant(name)
    direct = simulate_plant(plant)
    general = simulate_plant(plant, direct=False)
    assert _worst_rel(direct, general) <= RTOL_PARITY
    closure = kpi_arrays(direct)["closure_max_rel"]
    assert np.all(closure <= CLOSURE_MAX)
    for (tear, n_direct), n_general in zip(
        direct.iterations.items(), general.iterations.values(), strict=True
    ):
        assert n_direct <= n_general, tear
    # the mill loops: two probe passes with the solids held, then one confirming pass
    blocks = plant.topology.blocks
    loops = [b for b, loop in zip(blocks, _mill_blocks_all(plant), strict=True) if loop]
    for block in loops:
        assert direct.iterations[",".join(block.tears)] <= 4


def _mill_blocks_all(plant):
    ports = port_order(plant)
    return [closed_circuit.recognise(plant, b, ports) for b in plant.topology.blocks]


def _draws(rng, n):
    """Random plants of free_milling_cil: ore, mill, cyclone, water and thickener."""
    return {
        "ore.main.wi_kwh_t": rng.uniform(9.0, 17.0, n),
        "ore.main.au_gpt": rng.lognormal(np.log(2.0), 0.5, n),
        "units.mill.selection_a_t_kwh": rng.uniform(0.9, 2.0, n),
        "units.mill.selection_mu_mm": rng.uniform(1.5, 6.0, n),
        "units.mill.ball_fill_frac": rng.uniform(0.28, 0.42, n),  # the mill power
        "units.cyclone.d50c_um": rng.uniform(50.0, 150.0, n),
        "units.cyclone.alpha": rng.uniform(2.0, 5.0, n),
        "units.cyclone.water_to_underflow_frac": rng.uniform(0.15, 0.45, n),
        "units.mill_feed.solids_frac": rng.uniform(0.65, 0.80, n),
        "units.cyclone_feed.solids_frac": rng.uniform(0.40, 0.60, n),
        "units.thickener.solids_recovery_frac": rng.uniform(0.98, 1.0, n),
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_parameter_draws_agree_with_the_general_iteration(seed):
    plant = _plant("free_milling_cil")
    n = 40
    overrides = _draws(np.random.default_rng(seed), n)
    direct = simulate_plant(plant, n_cases=n, overrides=overrides)
    general = simulate_plant(plant, n_cases=n, overrides=overrides, direct=False)
    assert _worst_rel(direct, general) <= RTOL_PARITY
    assert np.all(kpi_arrays(direct)["closure_max_rel"] <= CLOSURE_MAX)
    mill = direct.units["mill"].metrics["mill_feed_tph"]
    ore = direct.streams["ore.main"][:, : plant.spec.comps.n_solids_comp].sum(axis=1)
    assert np.all(mill > 1.2 * ore)  # real circulating loads, not a trivial loop


def test_a_loop_the_general_iteration_cannot_converge_is_solved_and_closes():
    # hard ore, a slow-breaking charge and a fine cut: about 11 t of the coarsest class
    # circulate per t of ore; Anderson on the whole tear stalls near 2e-8 in 500 passes
    plant = _plant("free_milling_cil")
    hard = {
        "ore.main.wi_kwh_t": 19.67,
        "units.mill.selection_a_t_kwh": 0.865,
        "units.mill.selection_mu_mm": 2.17,
        "units.cyclone.d50c_um": 67.5,
        "units.cyclone.water_to_underflow_frac": 0.167,
        "units.cyclone_feed.solids_frac": 0.42,
        "units.thickener.solids_recovery_frac": 0.983,
    }
    sim = simulate_plant(plant, overrides=hard)
    # rounding in an 11-fold circulating load: 1.5e-12 measured
    assert kpi_arrays(sim)["closure_max_rel"][0] <= 10 * CLOSURE_MAX
    assert sim.iterations["cyclone_feed.out"] <= 6


def test_a_mill_feed_iteration_that_fails_names_the_stream_and_residual(monkeypatch):
    plant = _plant("free_milling_cil")
    monkeypatch.setattr(closed_circuit, "MAX_SWEEPS", 2)
    with pytest.raises(ConvergenceError) as info:
        simulate_plant(plant)
    err = info.value
    assert err.stream == "cyclone_feed.out"
    assert err.stream in str(err)
    assert err.residual > closed_circuit.RTOL_MILL_FEED
    assert err.iterations == 2


@pytest.mark.parametrize("bad", [0, 300])
def test_a_mill_loop_that_fails_in_a_batch_names_the_batch_case(bad):
    # 2,500 t/h through a mill sized for 226: the circulating load has no steady state
    # the sweeps reach. The error names the case as the batch numbers it, past the
    # 256-case chunks too, and case 0 as well.
    plant = _plant("free_milling_cil")
    rates = np.full(301, 226.4)
    rates[bad] = 2500.0
    with pytest.raises(ConvergenceError) as info:
        simulate_plant(plant, n_cases=301, overrides={"ore.main.rate_tph": rates})
    assert info.value.case == bad
    assert f"(batch case {bad})" in str(info.value)
    assert info.value.stream == "cyclone_feed.out"


def test_a_unit_that_fails_inside_a_split_recycle_block_names_the_batch_case(monkeypatch):
    # the loop on the general iteration in a 1,024-case KPI chunk: the block iterates 256
    # cases at a time, so the thickener sees case 300 as the 45th of its part; its error
    # names the batch's case 300
    from oreflow.solvers import simulate
    from oreflow.units.thickener import Thickener

    recovery = np.full(301, 0.99)
    recovery[300] = 0.985  # the marked case
    apply_outlets = Thickener.apply_outlets

    def failing(self, state, inlets, *rest):
        marked = np.flatnonzero(state.solids_recovery_frac == 0.985)
        if marked.size:
            raise ConvergenceError("thickener.underflow", "water", 0.5, 7, int(marked[0]), "test")
        return apply_outlets(self, state, inlets, *rest)

    monkeypatch.setattr(Thickener, "apply_outlets", failing)
    monkeypatch.setattr(simulate, "recognise", lambda *args: None)  # the general iteration
    overrides = {"units.thickener.solids_recovery_frac": recovery}
    with pytest.raises(ConvergenceError) as info:
        oreflow.simulate_batch(CASES / "free_milling_cil.toml", overrides, workers=1)
    assert (info.value.case, info.value.what) == (300, "test")


def test_public_api_uses_the_direct_solution():
    result = oreflow.simulate(CASES / "free_milling_cil.toml")
    general = simulate_plant(_plant("free_milling_cil"), direct=False)
    p80 = result.units.query("unit == 'mill' and metric == 'mill_feed_tph'")["value"].iloc[0]
    assert p80 == pytest.approx(general.units["mill"].metrics["mill_feed_tph"][0], rel=1e-10)


def test_sampled_ores_of_the_plant_benchmark_agree_to_1e9():
    plant = _plant("free_milling_cil")
    n = 1_000
    rng = np.random.default_rng(20261207)  # the plant benchmark's ore distribution
    au_free = rng.uniform(0.70, 0.85, n)
    overrides = {
        "ore.main.au_gpt": rng.lognormal(np.log(2.0), 0.3, n),
        "ore.main.wi_kwh_t": rng.uniform(11.0, 17.0, n),
        "ore.main.deportment.au_free": au_free,
        "ore.main.deportment.au_silicate": 0.92 - au_free,
    }
    direct = kpi_arrays(simulate_plant(plant, n_cases=n, overrides=overrides))
    general = kpi_arrays(simulate_plant(plant, n_cases=n, overrides=overrides, direct=False))
    for key, value in direct.items():
        if key.startswith("closure"):
            continue  # the direct solution closes tighter: 1e-13 against up to 1e-11
        np.testing.assert_allclose(value, general[key], rtol=1e-9, atol=1e-12, err_msg=key)
    assert np.all(direct["closure_max_rel"] <= CLOSURE_MAX)


@pytest.mark.parametrize("seed", [1, 2])
def test_gravity_gold_loop_draws_agree_with_the_general_iteration(seed):
    # GRG conversion in the mill from none to a third, with the bleed and the unit's
    # recovery varied: the direct solution equals the general iteration's, and gravity
    # gold recovered plus lost to free gold balances what the ore brings.
    plant = _plant("tests/pre_ex05_gravity")
    rng = np.random.default_rng(seed)
    n = 24
    overrides = {
        "units.mill.grg_loss_frac": np.r_[0.0, rng.uniform(0.0, 0.35, n - 1)],
        "units.knelson.grg_recovery_frac": rng.uniform(0.2, 0.9, n),
        "units.bleed.fractions.gravity.frac": (g := rng.uniform(0.1, 0.5, n)),
        "units.bleed.fractions.mill.frac": 1.0 - g,
        "ore.feed.wi_kwh_t": rng.uniform(10.0, 18.0, n),
    }
    direct = simulate_plant(plant, n_cases=n, overrides=overrides)
    general = simulate_plant(plant, n_cases=n, overrides=overrides, direct=False)
    assert _worst_rel(direct, general) <= RTOL_PARITY
    assert np.all(kpi_arrays(direct)["closure_max_rel"] <= CLOSURE_MAX)
    assert max(direct.iterations.values()) <= 4 < min(general.iterations.values())


@pytest.mark.parametrize("seed", [1, 2])
def test_gravity_mass_pull_draws_agree_with_the_general_iteration(seed):
    # The concentrator's mass pull (none to 0.5 %) and heavy enrichment, the GRG loss and
    # the bleed varied on the glycine plant: the shares the mass pull implies are iterated
    # on until they settle, and the loop equals the general iteration's.
    plant = _plant("free_milling_glycine")
    rng = np.random.default_rng(seed)
    n = 16
    overrides = {
        "units.knelson.mass_pull_frac": np.r_[0.0, rng.uniform(0.0, 0.005, n - 1)],
        "units.knelson.heavy_enrichment": rng.uniform(1.0, 20.0, n),
        "units.mill.grg_loss_frac": rng.uniform(0.0, 0.35, n),
        "units.gravity_bleed.fractions.knelson.frac": (g := rng.uniform(0.1, 0.5, n)),
        "units.gravity_bleed.fractions.mill.frac": 1.0 - g,
    }
    direct = simulate_plant(plant, n_cases=n, overrides=overrides)
    general = simulate_plant(plant, n_cases=n, overrides=overrides, direct=False)
    assert _worst_rel(direct, general) <= RTOL_PARITY
    assert np.all(kpi_arrays(direct)["closure_max_rel"] <= CLOSURE_MAX)
    knelson = direct.units["knelson"].metrics["mass_pull_frac"]
    assert np.all(knelson >= overrides["units.knelson.mass_pull_frac"] * (1 - 1e-9))
    assert max(direct.iterations.values()) <= 4 < min(general.iterations.values())
