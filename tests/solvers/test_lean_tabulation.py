"""The optimizer's lean tabulation (only the figures its model reads, closure audited per
block) gives the model the same columns as the full tabulation, and a combination whose
balance does not close is still refused."""

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import oreflow.solvers.optimize_table as optimize_module
from oreflow.flowsheet.case import load_case, parse_case
from oreflow.solvers.block_audit import block_closure_max_rel, project_stream
from oreflow.solvers.gather import Gathered, GatheredUnit
from oreflow.solvers.lean_figures import sparse_total
from oreflow.solvers.optimize import optimize, tabulate_limited
from oreflow.solvers.optimize_result import spec_of
from oreflow.solvers.prefix import (
    SHARE_MIN_RATIO,
    block_prefixes,
    simulate_shared_chunks,
    take_cases,
)
from oreflow.solvers.results import plant_totals
from oreflow.solvers.selection import blend_problem
from oreflow.solvers.simulate import CHUNK_CASES, CLOSURE_GATE_REL, simulate_chunks
from oreflow.solvers.tabulate import plant_with_modes, route_axes, route_spec, tabulate
from oreflow.units.cil import CilTrain

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.solver


def _tables(monkeypatch, spec):
    """The lean table the optimizer builds, and the full one (every KPI) of the same grid."""
    opt = spec_of(spec)
    lean, opt_lean = tabulate_limited(spec, opt)
    with monkeypatch.context() as m:
        m.setattr(
            optimize_module, "tabulate", lambda *a, **k: tabulate(*a, **{**k, "needed": None})
        )
        full, opt_full = tabulate_limited(spec, opt)
    assert opt_lean == opt_full
    return lean, full, opt_lean


@pytest.mark.parametrize(
    "case",
    [
        "free_milling_cil",  # one source, envelopes and scale limits
        "refractory_route_choice",  # 12 routes, options with their own grids
        "satellite_concentrator",  # two ore sources: per-source coefficients
        "free_milling_residue_use",  # residue split: destination coefficients
        "regional_concentrate_centre",  # satellites trucking concentrate to one centre
        "tailings_retreatment",  # ore with pore water, residue to bricks or storage
    ],
)
def test_lean_columns_equal_the_full_tabulation(monkeypatch, case):
    spec = load_case(ROOT / "cases" / f"{case}.toml")
    lean, full, opt = _tables(monkeypatch, spec)
    # fewer figures, each one the same to the last bit
    assert set(lean.figures.columns) < set(full.figures.columns)
    for name in lean.figures.columns:
        if name != "closure_max_rel":
            np.testing.assert_array_equal(lean.figures[name], full.figures[name], err_msg=name)
    # the block audits close as the plant's does
    assert lean.figures["closure_max_rel"].max() <= 1e-9
    assert full.figures["closure_max_rel"].max() <= 1e-9
    # the model's coefficients
    a, b = blend_problem(spec, opt, lean), blend_problem(spec, opt, full)
    assert a.derivatives.keys() == b.derivatives.keys()
    assert a.values.keys() == b.values.keys()
    for name in a.derivatives:
        np.testing.assert_array_equal(a.derivatives[name], b.derivatives[name], err_msg=name)
        np.testing.assert_array_equal(a.dest(name), b.dest(name), err_msg=name)
    for name in a.values:
        np.testing.assert_array_equal(a.values[name], b.values[name], err_msg=name)
    assert a.limits == b.limits and a.constants.keys() == b.constants.keys()
    for name in a.constants:  # per column where the fixed cost follows the capital
        np.testing.assert_array_equal(a.constants[name], b.constants[name], err_msg=name)
    np.testing.assert_array_equal(a.usable(), b.usable())


def _leaking_cil(monkeypatch, residence_h: float, leak_frac: float = 1e-3):
    """The CIL loses ``leak_frac`` of its first outlet where its residence is ``residence_h``."""
    settings: dict[int, np.ndarray] = {}
    prepare, apply = CilTrain.prepare, CilTrain.apply

    def leaky_prepare(self, params, ctx):
        state = prepare(self, params, ctx)
        settings[id(state)] = np.asarray(params["residence_h"]) == residence_h
        return state

    def leaky_apply(self, state, inlets):
        result = apply(self, state, inlets)
        bad = settings[id(state)]
        result.outlets[0][bad] *= 1.0 - leak_frac
        return result

    monkeypatch.setattr(CilTrain, "prepare", leaky_prepare)
    monkeypatch.setattr(CilTrain, "apply", leaky_apply)


def test_a_combination_that_does_not_close_is_refused(monkeypatch):
    spec = load_case(ROOT / "cases" / "free_milling_cil.toml")
    honest = optimize(spec)
    assert honest.status == "optimal"
    chosen = honest.decisions["modes"]["units.cil.residence_h"]
    _leaking_cil(monkeypatch, chosen)
    lean, full, opt = _tables(monkeypatch, spec)
    leaking = lean.modes["units.cil.residence_h"].to_numpy() == chosen
    assert leaking.any() and not leaking.all()
    # flagged by the block audit (lean) as by the plant's (full), on exactly those rows
    for table in (lean, full):
        flagged = table.figures["closure_max_rel"].to_numpy() > CLOSURE_GATE_REL
        np.testing.assert_array_equal(flagged, leaking)
        assert not blend_problem(spec, opt, table).usable()[leaking].any()
    # refused: the plan is the best column that closes, and it verifies
    result = optimize(spec)
    assert result.status == "optimal"
    assert result.decisions["modes"]["units.cil.residence_h"] != chosen
    assert result.decisions["objective"] < honest.decisions["objective"]
    assert result.plan.kpis["closure_max_rel"] <= 1e-9
    enumerated = result.meta["enumeration"]
    assert enumerated["objective"] == pytest.approx(result.decisions["objective"], rel=1e-6)
    assert not leaking[enumerated["column"]]


def test_a_shared_block_that_does_not_close_is_flagged_on_every_combination_it_feeds(
    monkeypatch,
):
    """The CIL of the route-choice case with two detox targets downstream: one CIL
    setting serves two combinations, so the CIL is simulated and audited once per
    prefix; both combinations are flagged."""
    text = (ROOT / "cases" / "refractory_route_choice.toml").read_text(encoding="utf-8")
    spec = parse_case(text + "\n[units.detox.modes]\nwad_target_mg_l = [5.0, 10.0]\n", "r.toml")
    _leaking_cil(monkeypatch, 24.0)
    lean, full, opt = _tables(monkeypatch, spec)
    cyanide = lean.routes["cil"].to_numpy() == ""
    leaking = cyanide & (lean.modes["units.cil.residence_h"].to_numpy() == 24.0)
    assert leaking.sum() == cyanide.sum() // 3
    # the CIL is shared between the two detox targets (simulated once per prefix)
    route = {"flotation": "", "pox": "", "cil": ""}
    axes = route_axes(opt.axes, route)
    plant = plant_with_modes(route_spec(spec, route), axes)
    combos = np.array(list(itertools.product(*(a.values for a in axes))))
    params = plant.param_arrays(len(combos), {a.key: combos[:, i] for i, a in enumerate(axes)})
    (cil,) = [b for b in plant.topology.blocks if "cil" in b.nodes]
    first, _ = block_prefixes(plant, params)[plant.topology.blocks.index(cil)]
    assert len(first) * SHARE_MIN_RATIO <= len(combos)
    for table in (lean, full):
        flagged = table.figures["closure_max_rel"].to_numpy() > CLOSURE_GATE_REL
        np.testing.assert_array_equal(flagged, leaking)
        assert not blend_problem(spec, opt, table).usable()[leaking].any()


#: Economics figures that read every unit's cost lines, utility power and equipment:
#: computed once per block setting where a block is shared (``cost_lines``).
ECONOMICS = (
    "margin_usd_h",
    "operating_cost_usd_h",
    "cost_power_usd_h",
    "cost_utilities_usd_h",
    "utility_power_kw",
    "cost_water_usd_h",
    "cost_residue_usd_h",
    "capital_usd",
    "economics_assumed_count",
    "gold_produced_g_h",
)


def _detox_grid_spec():
    """The route-choice case with two detox targets: the CIL and everything upstream of
    it are shared between combinations (simulated, costed and sized once per setting)."""
    text = (ROOT / "cases" / "refractory_route_choice.toml").read_text(encoding="utf-8")
    return parse_case(text + "\n[units.detox.modes]\nwad_target_mg_l = [5.0, 10.0]\n", "r.toml")


def test_unit_costs_per_block_setting_equal_costing_every_combination():
    spec = _detox_grid_spec()
    axes = spec_of(spec).axes
    lean = tabulate(spec, axes, needed=ECONOMICS, workers=1)
    full = tabulate(spec, axes, needed=None, workers=1)
    for name in ECONOMICS:
        if name in full.figures:
            np.testing.assert_array_equal(lean.figures[name], full.figures[name], err_msg=name)
    assert {"margin_usd_h", "capital_usd", "utility_power_kw"} <= set(lean.figures.columns)
    # the shared blocks' units were costed from their per-setting lines
    route = {"flotation": "", "pox": "", "cil": ""}
    plant = plant_with_modes(route_spec(spec, route), route_axes(axes, route))
    combos = np.array(list(itertools.product(*(a.values for a in route_axes(axes, route)))))
    over = {a.key: combos[:, i] for i, a in enumerate(route_axes(axes, route))}
    (_, _, chunk), *_ = simulate_shared_chunks(
        plant, n_cases=len(combos), overrides=over, audit=True, unit_costs=True
    )
    assert {"mill", "cyclone", "flotation", "cil"} <= set(chunk.unit_costs)
    assert "detox" not in chunk.unit_costs  # simulated per combination: costed there


def test_tabulation_on_two_workers_equals_one_process():
    spec = _detox_grid_spec()
    opt = spec_of(spec)
    one = tabulate(spec, opt.axes, needed=("margin_usd_h",), workers=1)
    two = tabulate(spec, opt.axes, needed=("margin_usd_h",), workers=2)
    pd.testing.assert_frame_equal(one.figures, two.figures, check_exact=True)
    pd.testing.assert_frame_equal(one.modes, two.modes, check_exact=True)
    pd.testing.assert_frame_equal(one.routes, two.routes, check_exact=True)


def test_shared_results_are_gathered_into_a_chunk_only_where_read():
    spec = load_case(ROOT / "cases" / "free_milling_cil.toml")
    axes = spec_of(spec).axes
    plant = plant_with_modes(spec, axes)
    combos = np.array(list(itertools.product(*(a.values for a in axes))))
    over = {a.key: combos[:, i] for i, a in enumerate(axes)}
    (lo, hi, chunk), *_ = simulate_shared_chunks(
        plant, n_cases=len(combos), overrides=over, chunk_cases=CHUNK_CASES
    )
    assert chunk.streams.deferred()  # shared streams not read are not copied into the chunk
    # what a chunk reads is what simulating each case whole gives (to the recycle tolerance)
    (_, end, alone), *_ = simulate_chunks(plant, n_cases=len(combos), overrides=over)
    assert (lo, hi) == (0, end)
    for name in list(chunk.streams):
        np.testing.assert_allclose(chunk.streams[name], alone.streams[name], rtol=1e-9, atol=1e-12)
    assert not chunk.streams.deferred()
    # the plant's reagent and reaction totals over the columns units report: to the bit
    for field in ("added", "reacted"):
        np.testing.assert_array_equal(
            sparse_total(chunk, field), plant_totals(chunk, field), err_msg=field
        )


def test_a_take_of_a_chunk_gathers_from_the_shared_results_what_the_chunk_would():
    spec = load_case(ROOT / "cases" / "free_milling_cil.toml")
    axes = spec_of(spec).axes
    plant = plant_with_modes(spec, axes)
    combos = np.array(list(itertools.product(*(a.values for a in axes))))
    over = {a.key: combos[:, i] for i, a in enumerate(axes)}
    (_, _, chunk), *_ = simulate_shared_chunks(
        plant, n_cases=len(combos), overrides=over, chunk_cases=CHUNK_CASES
    )
    idx = np.array([chunk.n_cases - 1, 0, chunk.n_cases // 3])  # rows of different settings
    read = next(iter(chunk.streams))
    chunk.streams[read]  # one entry read by the chunk, the others still deferred
    pending = set(chunk.streams.deferred())
    one = take_cases(chunk, idx)
    assert set(chunk.streams.deferred()) == pending  # taking gathers nothing of the chunk's
    for name in list(chunk.streams):  # the same values as the chunk's rows
        np.testing.assert_array_equal(one.streams[name], chunk.streams[name][idx], err_msg=name)


def test_a_tail_audit_from_projections_per_prefix_equals_projecting_every_case():
    spec = _detox_grid_spec()
    opt = spec_of(spec)
    axes = route_axes(opt.axes, {})
    plant = plant_with_modes(route_spec(spec, {}), axes)
    combos = np.array(list(itertools.product(*(a.values for a in axes))))
    over = {a.key: combos[:, i] for i, a in enumerate(axes)}
    chunks = list(simulate_shared_chunks(plant, n_cases=len(combos), overrides=over, audit=True))
    for _, _, chunk in chunks:
        tail = [n for n, r in chunk.units.items() if not isinstance(r, GatheredUnit)]
        assert "detox" in tail  # detox onwards is simulated per combination
        entering = [s.name for s in plant.topology.streams if s.dst in tail and s.src not in tail]
        assert entering
        projected = {s: project_stream(plant.spec.comps, chunk.streams[s]) for s in entering}
        # projections of rows are the rows of projections: to the bit
        for s, (by_species, by_size) in projected.items():
            for at in (np.arange(1), np.arange(chunk.n_cases)[::-2]):
                part = project_stream(plant.spec.comps, chunk.streams[s][at])
                np.testing.assert_array_equal(part[0], by_species[at])
                np.testing.assert_array_equal(part[1], by_size[at])
        plain = block_closure_max_rel(chunk, [tail])
        np.testing.assert_array_equal(block_closure_max_rel(chunk, [tail], projected), plain)
        # the chunk's audit is exactly the worst of the shared blocks' (audited per prefix,
        # gathered to the chunk's rows) and the tail's from the projections: to the bit
        shared_blocks = [b.nodes for b in plant.topology.blocks if not set(b.nodes) & set(tail)]
        assert shared_blocks
        shared_worst = block_closure_max_rel(chunk, shared_blocks)
        np.testing.assert_array_equal(chunk.block_closure, np.fmax(shared_worst, plain))
        # the shared blocks decide every row here, so the tail's term is checked on its own
        np.testing.assert_array_equal(chunk.tail_closure, plain)


def test_a_take_is_a_snapshot_of_every_entry_and_accepts_a_slice():
    """Set after a take, an entry read or deferred (plain or by rows) keeps its old rows there."""
    base = np.arange(10.0)
    calls: list[int] = []
    g = Gathered()
    g["read"] = base * 2.0
    g.defer("plain", lambda: calls.append(1) or base + 1.0)
    g.defer_rows("rows", lambda: base * 3.0, np.arange(10)[::-1])
    taken = (g.take(np.arange(2, 6)), g.take(slice(2, 6)))
    for key in ("read", "plain", "rows"):
        g[key] = -base
    for out in taken:
        np.testing.assert_array_equal(out["read"], (base * 2.0)[2:6])
        np.testing.assert_array_equal(out["plain"], (base + 1.0)[2:6])
        np.testing.assert_array_equal(out["rows"], (base * 3.0)[::-1][2:6])
    assert calls == [1]  # the recipe ran once for both takes


def test_many_takes_of_one_mapping_share_one_recipe_without_nesting():
    """3,000 takes of a deferred entry read without RecursionError and run the recipe once."""
    base = np.arange(10.0)
    calls: list[int] = []
    g = Gathered()
    g.defer("plain", lambda: calls.append(1) or base + 1.0)
    takes = [g.take(slice(i % 10, i % 10 + 1)) for i in range(3000)]
    assert takes[-1]["plain"][0] == base[2999 % 10] + 1.0
    assert takes[0]["plain"][0] == base[0] + 1.0
    assert g["plain"][3] == 4.0
    assert calls == [1]
