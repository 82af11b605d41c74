"""Shared-prefix simulation of mode grids equals simulating every combination whole."""

import itertools
from pathlib import Path

import numpy as np
import pytest

from oreflow.flowsheet.case import load_case
from oreflow.solvers.prefix import block_prefixes, simulate_shared_chunks
from oreflow.solvers.results import kpi_arrays
from oreflow.solvers.simulate import simulate_chunks
from oreflow.solvers.tabulate import plant_with_modes, route_axes, route_spec, routes

ROOT = Path(__file__).resolve().parents[2]


def _grid(spec, route=None):
    axes = route_axes(spec.optimization.axes, route or {})
    plant = plant_with_modes(route_spec(spec, route or {}), axes)
    combos = np.array(list(itertools.product(*(a.values for a in axes))), dtype=np.float64)
    return plant, {a.key: combos[:, i] for i, a in enumerate(axes)}, len(combos)


def _kpis(chunks):
    parts = [kpi_arrays(chunk) for _, _, chunk in chunks]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _assert_same(shared, whole):
    assert shared.keys() == whole.keys()
    for name, expected in whole.items():
        if "closure" in name:  # audits of round-off: both tiny, not equal
            assert np.nanmax(shared[name]) <= 1e-9, name
            continue
        np.testing.assert_allclose(shared[name], expected, rtol=1e-9, atol=1e-12, err_msg=name)


def test_free_milling_grid_shared_equals_whole():
    plant, overrides, n = _grid(load_case(ROOT / "cases" / "free_milling_cil.toml"))
    shared = _kpis(simulate_shared_chunks(plant, n_cases=n, overrides=overrides))
    whole = _kpis(simulate_chunks(plant, n_cases=n, overrides=overrides))
    _assert_same(shared, whole)


def test_prefix_counts_follow_the_grid():
    """Mill energy (5) x cyclone cut (4) share the grinding loop; CIL (5 x 4) follows it."""
    plant, overrides, n = _grid(load_case(ROOT / "cases" / "free_milling_cil.toml"))
    params = plant.param_arrays(n, overrides)
    counts = {
        block.nodes: len(first)
        for block, (first, _) in zip(
            plant.topology.blocks, block_prefixes(plant, params), strict=True
        )
    }
    by_node = {node: c for nodes, c in counts.items() for node in nodes}
    assert by_node["ore.main"] == 1
    assert by_node["mill"] == 20
    assert by_node["cil"] == 400
    # every case of a prefix has the prefix's settings
    for block, (first, rows) in zip(
        plant.topology.blocks, block_prefixes(plant, params), strict=True
    ):
        if "mill" in block.nodes:
            key = overrides["units.mill.specific_energy_kwh_t"]
            np.testing.assert_array_equal(key, key[first][rows])


@pytest.mark.parametrize("flotation", ["", "none"])
def test_refractory_route_grid_across_recycles(flotation):
    spec = load_case(ROOT / "cases" / "refractory_route_choice.toml")
    route = next(r for r in routes(spec) if r == {"flotation": flotation, "pox": "", "cil": ""})
    plant, overrides, n = _grid(spec, route)
    # a mill energy axis upstream of the grids the case has (POX 2 x 2, CIL 3)
    overrides = {k: np.tile(v, 2) for k, v in overrides.items()}
    overrides["units.mill.specific_energy_kwh_t"] = np.repeat([12.0, 16.0], n)
    plant = plant_with_modes(
        route_spec(spec, route),
        [*route_axes(spec.optimization.axes, route), _mill_axis()],
    )
    shared = _kpis(simulate_shared_chunks(plant, n_cases=2 * n, overrides=overrides))
    whole = _kpis(simulate_chunks(plant, n_cases=2 * n, overrides=overrides))
    _assert_same(shared, whole)


def _mill_axis():
    from oreflow.flowsheet.optimization import ModeAxis

    return ModeAxis("mill", "specific_energy_kwh_t", (12.0, 16.0))


def test_ore_variation_leaves_nothing_to_share_and_results_still_equal():
    plant, overrides, n = _grid(load_case(ROOT / "cases" / "free_milling_cil.toml"))
    overrides["ore.main.au_gpt"] = np.linspace(1.0, 3.0, n)
    params = plant.param_arrays(n, overrides)
    assert all(len(first) == n for first, _ in block_prefixes(plant, params)[1:])
    shared = _kpis(simulate_shared_chunks(plant, n_cases=n, overrides=overrides))
    whole = _kpis(simulate_chunks(plant, n_cases=n, overrides=overrides))
    _assert_same(shared, whole)
