"""Closure views (species, phase, size class, element) against a component-by-component sum."""

from pathlib import Path

import numpy as np
import pytest

from oreflow.flowsheet.case import load_case
from oreflow.flowsheet.compile import compile_case
from oreflow.solvers.results import closure_arrays
from oreflow.solvers.simulate import simulate_plant

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("case", ["free_milling_cil", "refractory_pox_cil"])
def test_every_view_is_the_sum_of_its_components(case):
    plant = compile_case(load_case(ROOT / "cases" / f"{case}.toml"))
    sim = simulate_plant(plant, n_cases=3, overrides={"ore.main.au_gpt": [1.0, 2.0, 4.0]})
    audit = closure_arrays(sim)
    comps = plant.spec.comps
    phases = ("solid", "solution", "adsorbent")
    labels = {
        "species": comps.component_species(),
        "phase": np.array([phases.index(p) for p in comps.component_phase()]),
        "size_class": comps.component_size(),
    }
    for view, lab in labels.items():
        names, agg, _ = audit["views"][view]
        for key, total in audit["totals"].items():
            expected = np.stack([total[:, lab == r].sum(axis=1) for r in range(len(names))], 1)
            # reactions cancel within a row: judge round-off against the row's gross flow
            scale = 1e-12 * np.abs(total).sum(axis=1).max()
            np.testing.assert_allclose(agg[key], expected, rtol=1e-12, atol=scale, err_msg=view)
    names, agg, _ = audit["views"]["element"]
    em = comps.element_matrix()
    from oreflow.core.components import ELEMENTS
    from oreflow.solvers.external_flows import external_element_totals

    cols = [ELEMENTS.index(n) for n in names]
    # elements also count the reagents in and gases out of each unit's reaction table
    ext = external_element_totals(sim, detailed=False)  # as closure_arrays nets them
    assert list(ext["columns"]) == cols
    extra = {"in": 0.0, "added": ext["in"], "out": ext["out"]}
    for key, add in extra.items():
        total = audit["totals"][key]
        scale = 1e-12 * np.abs(total).sum(axis=1).max()
        np.testing.assert_allclose(agg[key], total @ em[:, cols] + add, rtol=1e-12, atol=scale)
    # and the gold fed is there: a view of zeros would close trivially
    assert agg["in"][:, names.index("au")] == pytest.approx(
        np.array([1.0, 2.0, 4.0]) * plant.spec.ores[0].params["rate_tph"] * 1e-6, rel=1e-6
    )
