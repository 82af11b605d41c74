"""Worn grinding media in the element balance (oreflow.units.media_wear): the steel a mill
prices enters its discharge as the ``steel`` species, closes iron, carbon and manganese,
leaves with the residue, and the closed-circuit solver's source term agrees with the
general recycle iteration."""

from pathlib import Path

import numpy as np
import pytest

from oreflow.core.components import CATALOGUE
from oreflow.core.formulas import STEEL_FORMULA, mass_fractions
from oreflow.flowsheet.case import load_case, parse_case
from oreflow.flowsheet.compile import compile_case
from oreflow.solvers.results import kpi_arrays
from oreflow.solvers.simulate import simulate_plant
from oreflow.solvers.sinks import sink_inflow, sinks

CASES = Path(__file__).resolve().parents[2] / "cases"


def _steel_by_unit(sim, comps):
    """(unit -> steel added t/h, steel reaching the sinks t/h) of a simulation."""
    i = comps.solid_index("steel")
    added = {
        name: float(comps.solids_view(r.added)[..., i].sum())
        for name, r in sim.units.items()
        if r.added is not None and comps.solids_view(r.added)[..., i].sum() > 0.0
    }
    out = sum(float(comps.solids_view(sink_inflow(sim, n))[..., i].sum()) for n, _ in sinks(sim))
    return added, out


def test_steel_is_a_high_carbon_ball_steel():
    steel = dict(CATALOGUE["steel"].elements)
    assert steel == pytest.approx(mass_fractions(STEEL_FORMULA), rel=1e-12)
    assert steel["fe"] == pytest.approx(0.982, abs=5e-4)
    assert 0.0075 <= steel["c"] <= 0.0088  # SAE 1080: 0.75-0.88 % C
    assert 0.0060 <= steel["mn"] <= 0.0100  # and 0.60-0.90 % Mn (0.97: [assumed] grade)
    assert CATALOGUE["steel"].density_t_m3 == 7.85


@pytest.mark.parametrize("name", ["free_milling_cil", "low_grade_preconcentration"])
def test_worn_media_enters_the_mill_discharge_and_leaves_with_the_residue(name):
    """Ball mill (closed circuit, solved directly), SAG and regrind mills: each adds its
    priced steel, in the finest class; at steady state the sinks receive all of it."""
    spec = load_case(CASES / f"{name}.toml")
    comps = spec.comps
    sim = simulate_plant(compile_case(spec), n_cases=1)
    added, out = _steel_by_unit(sim, comps)
    priced = {
        name: float(r.metrics["use_media_kg_h"][0]) / 1000.0
        for name, r in sim.units.items()
        if "use_media_kg_h" in r.metrics
    }
    assert added == pytest.approx(priced, rel=1e-12)
    assert out == pytest.approx(sum(priced.values()), rel=1e-9)
    i = comps.solid_index("steel")
    for unit in added:
        by_class = comps.solids_view(sim.units[unit].added)[0, :, i]
        assert np.count_nonzero(by_class) == 1 and by_class[-1] > 0.0  # the finest class
    assert kpi_arrays(sim)["closure_max_rel"][0] <= 1e-9


def test_direct_solution_with_the_wear_source_equals_the_general_iteration():
    plant = compile_case(load_case(CASES / "free_milling_cil.toml"))
    overrides = {"units.mill.media_wear_kg_kwh": np.array([0.02, 0.06, 0.2])}
    direct = simulate_plant(plant, n_cases=3, overrides=overrides)
    general = simulate_plant(plant, n_cases=3, overrides=overrides, direct=False)
    worst = 0.0
    for stream, x in direct.streams.items():
        y = general.streams[stream]
        floor = 1e-9 * np.abs(x).sum(axis=1, keepdims=True) + 1e-300
        worst = max(worst, float(np.max(np.abs(x - y) / np.maximum(np.abs(x), floor))))
    assert worst <= 1e-10
    comps = plant.spec.comps
    i = comps.solid_index("steel")
    # the circuit returns part of the fine steel to the mill: the discharge carries more
    # than the wear, the overflow exactly the wear
    wear = direct.units["mill"].metrics["use_media_kg_h"] / 1000.0
    discharge = comps.solids_view(direct.streams["mill.discharge"])[..., i].sum(axis=1)
    overflow = comps.solids_view(direct.streams["cyclone.overflow"])[..., i].sum(axis=1)
    assert np.all(discharge > wear)
    assert overflow == pytest.approx(wear, rel=1e-9)


def test_without_the_steel_species_the_wear_is_priced_only():
    text = (CASES / "free_milling_cil.toml").read_text(encoding="utf-8")
    assert ', "steel"]' in text
    spec = parse_case(text.replace(', "steel"]', "]"), "no_steel.toml")
    sim = simulate_plant(compile_case(spec), n_cases=1)
    assert sim.units["mill"].added is None
    assert sim.units["mill"].metrics["use_media_kg_h"][0] > 150.0
