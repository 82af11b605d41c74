"""Recycle blocks started by ``oreflow.solvers.closed_circuit`` that are not a mill circuit alone.

Differential (Cu-Pb-Zn) cleaner loops are linear and triangular in species: secant rounds
per component land on the fixed point in about three passes. A grinding circuit joined
to a leach and carbon circuit through returned solution starts from its solids, solved
directly; the general iteration then converges the rest (the elution's eluate held at
its set volume gives the electrolyte loop one steady state). Both must equal the general
iteration, with fewer passes.
"""

from pathlib import Path

import numpy as np
import pytest

from oreflow.flowsheet.case import load_case
from oreflow.flowsheet.compile import compile_case
from oreflow.solvers import closed_circuit
from oreflow.solvers.results import kpi_arrays
from oreflow.solvers.simulate import BlockSolver, port_order, simulate_plant, unit_context

CASES = Path(__file__).resolve().parents[2] / "cases"
RTOL_PARITY = 1e-10
CLOSURE_MAX = 1e-12


def _plant(name):
    return compile_case(load_case(CASES / f"{name}.toml"))


def _loops(plant):
    ports = port_order(plant)
    return {
        ",".join(b.tears): closed_circuit.recognise(plant, b, ports)
        for b in plant.topology.blocks
        if b.tears
    }


def _worst_rel(a, b, skip=()):
    worst = 0.0
    for name, x in a.streams.items():
        if name in skip:
            continue
        y = b.streams[name]
        floor = 1e-9 * np.abs(y).sum(axis=1, keepdims=True) + 1e-300
        worst = max(worst, float(np.max(np.abs(x - y) / np.maximum(np.abs(y), floor))))
    return worst


@pytest.mark.parametrize("name", ["polymetallic_flotation", "tests/flot_bulk_or_sequential"])
def test_differential_cleaner_loops_by_secant_rounds_equal_the_general_iteration(name):
    plant = _plant(name)
    loops = _loops(plant)
    triangular = [t for t, loop in loops.items() if isinstance(loop, closed_circuit.TriangularLoop)]
    # every cleaner loop but the lead one, whose regrind mill is not linear
    assert triangular and all("pb_" not in t for t in triangular)
    assert loops["pb_cleaner_feed.out"] is None
    direct = simulate_plant(plant)
    general = simulate_plant(plant, direct=False)
    assert _worst_rel(direct, general) <= RTOL_PARITY
    assert np.all(kpi_arrays(direct)["closure_max_rel"] <= CLOSURE_MAX)
    for tear in triangular:
        assert direct.iterations[tear] <= 5 < 10 <= general.iterations[tear], tear
    assert direct.iterations["pb_cleaner_feed.out"] == general.iterations["pb_cleaner_feed.out"]


@pytest.mark.parametrize("seed", [1, 2])
def test_differential_loop_draws_agree_with_the_general_iteration(seed):
    # ore grades, cleaner water recovery, collector and pH varied case by case
    plant = _plant("polymetallic_flotation")
    rng = np.random.default_rng(seed)
    n = 12
    overrides = {
        # chalcopyrite for gangue (the rest of the mineralogy), to sum to 1
        "ore.main.mineralogy.chalcopyrite": (cp := rng.uniform(0.003, 0.02, n)),
        "ore.main.mineralogy.gangue": 1.0 - 0.3169 - cp,
        "ore.main.au_gpt": rng.uniform(0.5, 3.0, n),
        "units.cu_cleaner.water_recovery_frac": rng.uniform(0.05, 0.35, n),
        "units.zn_cleaner.water_recovery_frac": rng.uniform(0.05, 0.35, n),
        "units.cu_cleaner.pax_g_t": rng.uniform(1.0, 15.0, n),
        "units.zn_cleaner2.ph": rng.uniform(9.5, 11.5, n),
    }
    direct = simulate_plant(plant, n_cases=n, overrides=overrides)
    general = simulate_plant(plant, n_cases=n, overrides=overrides, direct=False)
    assert _worst_rel(direct, general) <= RTOL_PARITY
    assert np.all(kpi_arrays(direct)["closure_max_rel"] <= CLOSURE_MAX)
    assert direct.iterations["cu_cleaner_feed.out"] <= 6 < general.iterations["cu_cleaner_feed.out"]


BLOCK = "cil.loaded_carbon,cyclone_feed.out,electrowinning.spent"


def test_a_grinding_circuit_inside_a_leach_block_starts_from_its_solids():
    plant = _plant("copper_gold_water_recycle")
    loop = _loops(plant)[BLOCK]
    assert isinstance(loop, closed_circuit.MillLoop)
    assert set(loop.nodes) == {"mill_feed", "mill", "cyclone_feed", "cyclone", "thickener"}
    assert loop.returned == ("tails_water.recycle",)  # solution back from the tails
    direct = simulate_plant(plant)
    general = simulate_plant(plant, direct=False)
    assert _worst_rel(direct, general) <= RTOL_PARITY
    assert np.all(kpi_arrays(direct)["closure_max_rel"] <= CLOSURE_MAX)
    assert direct.iterations[BLOCK] <= 22 and general.iterations[BLOCK] >= 39


@pytest.mark.parametrize("name", ["copper_gold_sart", "copper_gold_avr_or_sart"])
def test_the_electrolyte_loop_has_one_steady_state(name):
    # The spent electrolyte returns to the elution, which holds the eluate at eluate_m3_t
    # per t of carbon and bleeds what is above it with the barren carbon to the CIL:
    # the general iteration from zero flows (which overshot the set volume by 4.6 %
    # before the bleed) and the start from the grinding circuit's solids land on the
    # same streams.
    plant = _plant(name)
    direct = simulate_plant(plant)
    general = simulate_plant(plant, direct=False)
    assert _worst_rel(direct, general) <= RTOL_PARITY
    assert np.all(kpi_arrays(direct)["closure_max_rel"] <= CLOSURE_MAX)
    for sim in (direct, general):
        elution = sim.units["elution"].metrics
        target = sim.params["elution"]["eluate_m3_t"] * elution["carbon_eluted_t_d"] / 24.0
        np.testing.assert_allclose(elution["eluate_m3_h"], target, rtol=1e-12)
    assert direct.iterations[BLOCK] <= 22 and general.iterations[BLOCK] >= 39


def test_an_iteration_started_above_the_set_eluate_volume_comes_back():
    # From the steady state with the returned electrolyte's solution raised by half,
    # plain substitution passes of the block return to the same steady state (without
    # the bleed the raised volume was itself a steady state and stayed)
    plant = _plant("copper_gold_sart")
    sim = simulate_plant(plant)
    block = next(b for b in plant.topology.blocks if ",".join(b.tears) == BLOCK)
    states = {
        node: model.prepare(sim.params[node], unit_context(plant, sim.params, node, 1))
        for node, model in plant.models.items()
    }
    solver = BlockSolver(plant, sim, states, block, direct=False)
    comps = plant.spec.comps
    steady = np.concatenate([sim.streams[t] for t in block.tears], axis=1)
    x = steady.copy()
    start = block.tears.index("electrowinning.spent") * comps.n_comp + comps.n_solids_comp
    x[:, start : start + len(comps.solution)] *= 1.5
    inputs = {s: sim.streams[s] for s in solver.inputs}
    image = np.empty((x.shape[1], 1))
    floor = 1e-12 * np.abs(steady).max()
    for _ in range(150):
        solver._pass(x, states, inputs, image)
        x = image.T.copy()
        if np.max(np.abs(x - steady) / np.maximum(np.abs(steady), floor)) <= 1e-11:
            break
    assert np.max(np.abs(x - steady) / np.maximum(np.abs(steady), floor)) <= 1e-11


def test_grinding_inside_a_leach_block_draws_agree_with_the_general_iteration():
    # ore hardness and grade and the cyclone feed density varied: every stream, the
    # electrolyte loop's included (its eluate on the set volume), equals the general
    # iteration's, in under half its passes
    plant = _plant("copper_gold_water_recycle")
    rng = np.random.default_rng(1)
    n = 12
    overrides = {
        "ore.main.wi_kwh_t": rng.uniform(10.0, 18.0, n),
        "ore.main.au_gpt": rng.uniform(0.5, 3.0, n),
        "units.cyclone_feed.solids_frac": rng.uniform(0.45, 0.60, n),
    }
    direct = simulate_plant(plant, n_cases=n, overrides=overrides)
    general = simulate_plant(plant, n_cases=n, overrides=overrides, direct=False)
    assert _worst_rel(direct, general) <= RTOL_PARITY
    assert np.all(kpi_arrays(direct)["closure_max_rel"] <= CLOSURE_MAX)
    for sim in (direct, general):
        elution = sim.units["elution"].metrics
        target = sim.params["elution"]["eluate_m3_t"] * elution["carbon_eluted_t_d"] / 24.0
        np.testing.assert_allclose(elution["eluate_m3_h"], target, rtol=1e-12)
    assert 2 * direct.iterations[BLOCK] <= general.iterations[BLOCK]
