"""Simulation arrays -> pandas tables: streams, units, closure audit and KPIs.

Derived quantities (grades, % solids, P80, tenors) are computed here, at the output
boundary, from the mass flows. The closure audit compares, for every species, phase,
size class and element, what entered the plant (ore feeds and unit additions) plus what
reacted (breakage, leaching, adsorption, consumption, as each unit reports it) with
what left it (streams into sinks).

Elements and the total mass close with no reaction term: what enters (feeds, additions
and the reagents each unit's reaction table gives for its species changes) equals
what leaves (products and residues, gases vented and dissolved ions), for every
element of ``ELEMENTS`` (``oreflow.solvers.external_flows``). The ``element`` view has
one row per element, the ``mass`` view one row ``total``; the ``external`` view lists
each reagent in (``added_tph``) and gas or ion out (``out_tph``), for information
(``rel_err`` 0). The only reaction term of the element and mass views is the imbalance
of unit types listed in ``external_flows.UNBALANCED_ELEMENTS``, shown, not gated.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from oreflow.conventions import G_PER_T
from oreflow.core.components import ELEMENTS, ComponentSet
from oreflow.kernels.arrays import safe_div
from oreflow.solvers.capital import capital_warnings
from oreflow.solvers.cost_lines import block_unit_costs
from oreflow.solvers.economics import assumed_figures
from oreflow.solvers.envelopes import violations
from oreflow.solvers.external_flows import (
    external_element_totals,
    external_flows_by_name,
    external_metrics,
)
from oreflow.solvers.feed_temperature import feed_temperature_warnings
from oreflow.solvers.scale import scale_violations
from oreflow.solvers.simulate import Simulation
from oreflow.solvers.sinks import sink_inflow, sinks
from oreflow.solvers.unit_figures import circuit_metrics, passing_size_um

_TINY = 1e-300


@dataclass(frozen=True)
class Results:
    """Result of simulating one case.

    Attributes
    ----------
    case : str
        Case name.
    kpis : pandas.Series
        Plant key figures, unit-suffixed names.
    streams : pandas.DataFrame
        One row per stream: flows, % solids, P80, grades, tenors, species flows.
    units : pandas.DataFrame
        Long table (unit, type, metric, value) of every unit's report.
    closure : pandas.DataFrame
        Closure audit rows (view, name, in_tph, added_tph, reacted_tph, out_tph, rel_err).
    meta : dict
        Iterations, timings, case hash, versions.
    streams_by_size : pandas.DataFrame
        Solids of every stream by size class and species [t/h] (long table).
    warnings : tuple of str
        Figures outside their unit's operating envelope, one line each
        (``oreflow.solvers.envelopes``), and cost curves used outside their range;
        empty when the plant can run as simulated.
    """

    case: str
    kpis: pd.Series
    streams: pd.DataFrame
    units: pd.DataFrame
    closure: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)
    streams_by_size: pd.DataFrame | None = None
    warnings: tuple[str, ...] = ()

    @property
    def max_rel(self) -> float:
        """Largest relative closure error over every audited row [-]."""
        return float(self.closure["rel_err"].max())


def _totals(sim: Simulation) -> dict[str, np.ndarray]:
    """Plant-level (n_cases, n_comp) totals: in, added, reacted, out (``plant_totals``)."""
    reacted, gross = _reacted_totals(sim)
    return {
        "in": plant_totals(sim, "in"),
        "added": plant_totals(sim, "added"),
        "reacted": reacted,
        "out": plant_totals(sim, "out"),
        "reacted_gross": gross,
    }


def _reacted_totals(sim: Simulation) -> tuple[np.ndarray, np.ndarray]:
    """``plant_totals`` ``reacted`` and ``reacted_gross`` in one pass over the units."""
    shape = (sim.n_cases, sim.plant.spec.comps.n_comp)
    net, gross, work = np.zeros(shape), np.zeros(shape), np.empty(shape)
    for r in sim.units.values():
        if r.reacted is not None:
            net += r.reacted
            gross += np.abs(r.reacted, out=work)
    return net, gross


def plant_totals(sim: Simulation, key: str) -> np.ndarray:
    """One plant-level (n_cases, n_comp) total: ``in``, ``added``, ``reacted``, ``out``.

    ``reacted_gross`` sums every unit's reaction in absolute value: the scale of a
    species made in one unit and consumed in another (gold on carbon in a closed carbon
    circuit), whose net reaction is zero.
    """
    total = np.zeros((sim.n_cases, sim.plant.spec.comps.n_comp))
    if key == "in":
        for ore in sim.plant.spec.ores:
            total += sim.streams[ore.name]
    elif key == "out":
        for sink, _ in sinks(sim):
            total += sink_inflow(sim, sink)
    elif key in ("added", "reacted", "reacted_gross"):
        field_ = "added" if key == "added" else "reacted"
        for r in sim.units.values():
            part = getattr(r, field_)
            if part is not None:
                total += np.abs(part) if key == "reacted_gross" else part
    else:
        raise KeyError(key)
    return total


def _views(
    comps: ComponentSet, columns: np.ndarray | None = None
) -> tuple[dict[str, list[str]], np.ndarray, np.ndarray]:
    """Row names of every closure view; species-to-phase and species-to-element matrices.

    ``columns``: the elements (indices into ``ELEMENTS``) the element view lists, those
    of the case's species and of the reagents and gases of its units
    (``external_flows.plant_elements``); default: those of the species.
    """
    key = (id(comps), None if columns is None else bytes(np.asarray(columns).tobytes()))
    hit = _VIEWS_CACHE.get(key)
    if hit is not None and hit[0] is comps:
        return hit[1]
    out = _build_views(comps, columns)
    _VIEWS_CACHE[key] = (comps, out)
    return out


_VIEWS_CACHE: dict[tuple[int, bytes | None], tuple[ComponentSet, Any]] = {}


def _build_views(
    comps: ComponentSet, columns: np.ndarray | None
) -> tuple[dict[str, list[str]], np.ndarray, np.ndarray]:
    phases = ("solid", "solution", "adsorbent")
    em = comps.species_element_matrix()
    if columns is None:
        columns = np.flatnonzero(em.any(axis=0))
    present = [int(i) for i in columns]
    to_phase = np.zeros((len(comps.species), len(phases)))
    to_phase[np.arange(len(comps.species)), [phases.index(s.phase) for s in comps.species]] = 1.0
    names = {
        "species": [s.name for s in comps.species],
        "phase": list(phases),
        "size_class": list(comps.sizes.labels()),
        "element": [ELEMENTS[i] for i in present],
        "mass": ["total"],
    }
    return names, to_phase, em[:, present]


def closure_arrays(sim: Simulation, detailed: bool = False) -> dict[str, Any]:
    """Closure per view: dict view -> (names, in, added, reacted, out, rel) with (n_cases, n_rows) arrays.

    Each total, (n_cases, n_comp), is read once per view (``project``). ``detailed``:
    the element rows count each reagent in and gas out apart (the ``external`` view
    lists them), as ``Results.closure`` shows; otherwise each element's external flow
    is netted, one product per unit (batches: the same errors, the gate's figure).
    """
    external = external_element_totals(sim, detailed=detailed)
    audit = audit_of_totals(sim.plant.spec.comps, _totals(sim), external)
    if not detailed:
        return audit
    flows = external_flows_by_name(sim)
    names = sorted(flows)
    zero = np.zeros((sim.n_cases, len(names)))
    agg = {
        "in": zero,
        "added": np.stack([flows[n][0] for n in names], axis=1) if names else zero,
        "reacted": zero,
        "out": np.stack([flows[n][1] for n in names], axis=1) if names else zero,
    }
    audit["views"]["external"] = (names, agg, zero)
    return audit


def audit_of_totals(
    comps: ComponentSet, t: dict[str, np.ndarray], external: dict[str, np.ndarray] | None = None
) -> dict[str, Any]:
    """The closure audit (``closure_arrays``) of (n_cases, n_comp) plant totals.

    ``t``: ``in``, ``added``, ``reacted``, ``reacted_gross`` and ``out``; ``external``:
    element totals of reagents and gases (``external_flows.external_element_totals``).
    """
    projected = {key: project(comps, arr) for key, arr in t.items()}
    species = {key: v[0] for key, v in projected.items()}
    sizes = {key: v[1] for key, v in projected.items()}
    views = audit_of_projections(comps, species, sizes, external=external)
    return {"views": views, "component_rel": _rel(t), "totals": t}


def project(comps: ComponentSet, arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An (n_cases, n_comp) array by species and by size class: (n, n_species), (n, n_sizes).

    The solids block is read once per view: summed over size classes (species) and over
    species (size classes), in NumPy's order of addition (``kernels.stream_sums``: the
    ``sum(axis=1)`` and ``sum(axis=2)`` of ``solids_view`` to the last bit).
    """
    from oreflow.kernels.stream_sums import PAIRWISE_BLOCK, class_totals, species_totals

    rows = np.ascontiguousarray(arr, dtype=np.float64)
    n_cls, n_solid = comps.n_cls, comps.n_solid
    if n_solid == 1:  # one species: its classes are contiguous and NumPy sums them pairwise
        by_species = comps.solids_view(rows).sum(axis=1)
    else:
        by_species = species_totals(rows, n_cls, n_solid)
    species = np.concatenate([by_species, arr[:, comps.n_solids_comp :]], axis=1)
    if n_solid > PAIRWISE_BLOCK:  # NumPy halves such runs: left to it
        return species, comps.solids_view(rows).sum(axis=2)
    return species, class_totals(rows, n_cls, n_solid)


def audit_of_projections(
    comps: ComponentSet,
    species: dict[str, np.ndarray],
    sizes: dict[str, np.ndarray],
    floor: np.ndarray | None = None,
    external: dict[str, np.ndarray] | None = None,
) -> dict[str, tuple[list[str], dict[str, np.ndarray], np.ndarray]]:
    """Closure per view, view -> (names, totals, rel), from totals by species and size class.

    ``species`` and ``sizes`` (``project``) hold ``in``, ``added``, ``reacted``,
    ``reacted_gross`` and ``out``: of the plant, or of blocks
    (``oreflow.solvers.block_audit``). Phases and elements follow from the species
    totals, which are small. ``floor``: (n_cases,) least scale a row is judged against
    [t/h] (default: none). ``external``: element totals (n_cases, n_el) of the reagents
    in (``in``), gases and ions out (``out``), the gated imbalance (``unexplained``)
    and the shown, not gated one (``reported``) of the units audited
    (``external_flows.external_element_totals``, in the columns it names); the
    element and mass views then count them, and their only reaction term is
    ``reported``.
    """
    from oreflow.kernels.small_products import einsum_product  # numba when used

    names, to_phase, to_element = _views(comps, None if external is None else external["columns"])
    by_view: dict[str, dict[str, np.ndarray]] = {v: {} for v in names}
    for key, sp in species.items():
        by_view["species"][key] = sp
        # einsum's sums, not @: a threaded BLAS product leaves OpenBLAS threads spinning,
        # which slowed a whole in-process study by 40 % on a busy 2-core machine
        by_view["phase"][key] = einsum_product(sp, to_phase)
        by_view["size_class"][key] = sizes[key]
        if key in ("in", "added", "out"):  # elements react in no unit
            by_view["element"][key] = einsum_product(sp, to_element)
    el = by_view["element"]
    n = el["in"].shape[0]
    if external is None:
        el["reacted"] = el["reacted_gross"] = np.zeros_like(el["in"])
    else:
        el["added"] = el["added"] + external["in"]
        el["out"] = el["out"] + external["out"]
        el["reacted"] = external["reported"]
        el["reacted_gross"] = np.abs(external["reported"])
    by_view["mass"] = {key: v.sum(axis=1).reshape(n, 1) for key, v in el.items()}
    by_view["mass"]["reacted_gross"] = np.abs(by_view["mass"]["reacted"])
    # an element absent from the plant is judged against round-off of the plant's mass
    # (least-squares extents leave 1e-17 t/h of magnesium where there is none)
    el_floor = ELEMENT_FLOOR_REL * np.abs(by_view["mass"]["in"] + by_view["mass"]["added"])[:, 0]
    el_floor = el_floor if floor is None else np.maximum(el_floor, floor)
    return {
        view: (names[view], agg, _rel(agg, True, el_floor if view in _EL_VIEWS else floor))
        for view, agg in by_view.items()
    }


_EL_VIEWS = ("element", "mass")
#: Least scale of an element row, as a share of the plant's (or block's) mass in [-]
#: [assumed], as ``block_audit.BLOCK_FLOOR_REL``: an element absent from the plant
#: that least-squares extents leave at round-off (7.7e-17 t/h of Mg in a 28.5 t/h
#: plant, measured) is not a failed balance, while an element made or lost is
#: flagged down to 1e-15 of the plant's mass (gate 1e-6).
ELEMENT_FLOOR_REL = 1e-9


def _rel(
    agg: dict[str, np.ndarray], with_reaction: bool = True, floor: np.ndarray | None = None
) -> np.ndarray:
    # the same operations in the same order as |in + added + reacted - out| / scale,
    # written into two work arrays (the component view is (n_cases, n_comp))
    inflow = agg["in"] + agg["added"]
    scale = np.maximum(inflow, agg["out"])
    np.maximum(scale, agg["reacted_gross"], out=scale)
    if floor is not None:
        np.maximum(scale, floor[:, None], out=scale)
    np.maximum(scale, _TINY, out=scale)
    gap = inflow + (agg["reacted"] if with_reaction else 0.0)
    np.subtract(gap, agg["out"], out=gap)
    np.abs(gap, out=gap)
    gap /= scale
    return gap


def _closure_frame(audit: dict[str, Any], case: int = 0) -> pd.DataFrame:
    rows = []
    for view, (names, agg, relv) in audit["views"].items():
        for r, name in enumerate(names):
            rows.append(
                {
                    "view": view,
                    "name": name,
                    "in_tph": agg["in"][case, r],
                    "added_tph": agg["added"][case, r],
                    "reacted_tph": agg["reacted"][case, r],
                    "out_tph": agg["out"][case, r],
                    "rel_err": relv[case, r],
                }
            )
    return pd.DataFrame(rows)


def closure_max_rel(audit: dict[str, Any]) -> np.ndarray:
    """Largest relative closure error per case over the species, phase, size-class and element views [-].

    The finer per-cell figure (one size class of one species) is reported separately
    as ``closure_cell_max_rel``: a cell near the gold cut size can circulate 50-100
    times its throughput, so its relative figure amplifies the recycle tolerance.
    """
    return views_max_rel(audit["views"])


def views_max_rel(views: dict[str, tuple[Any, Any, np.ndarray]]) -> np.ndarray:
    """Largest relative closure error per case over the views of an audit [-]."""
    worst = np.zeros(next(iter(views.values()))[2].shape[0])
    for _, _, relv in views.values():
        if relv.shape[1]:
            worst = np.maximum(worst, relv.max(axis=1))
    return worst


def _stream_frame(sim: Simulation, case: int = 0) -> pd.DataFrame:
    comps = sim.plant.spec.comps
    topo = sim.plant.topology
    names = list(sim.streams)
    x = np.stack([sim.streams[n][case] for n in names])
    solids = x[:, : comps.n_solids_comp].sum(axis=1)
    em = comps.element_matrix()
    au_col = ELEMENTS.index("au")
    au_solids = x[:, : comps.n_solids_comp] @ em[: comps.n_solids_comp, au_col]
    au_all = x @ em[:, au_col]
    water = x[:, comps.solution_offset("water")] if comps.has("water") else np.zeros(len(names))
    frame: dict[str, Any] = {
        "stream": names,
        "from": [topo.stream(n).src for n in names],
        "to": [f"{topo.stream(n).dst}.{topo.stream(n).dst_port}" for n in names],
        "solids_tph": solids,
        "water_tph": water,
        "solids_pct": 100.0 * safe_div(solids, solids + water),
        "p80_um": passing_size_um(comps, x),
        "au_gpt": safe_div(au_solids * G_PER_T, solids),
        "au_g_h": au_all * G_PER_T,
    }
    if comps.has("au_aq"):
        frame["au_aq_mg_l"] = safe_div(x[:, comps.solution_offset("au_aq")] * G_PER_T, water)
    if comps.has("nacn"):
        frame["nacn_mg_l"] = safe_div(x[:, comps.solution_offset("nacn")] * G_PER_T, water)
    sv = comps.solids_view(x).sum(axis=1)
    for k, s in enumerate(comps.solids):
        frame[f"{s.name}_tph"] = sv[:, k]
    for s in comps.solution + comps.adsorbent:
        if s.name == "water":
            continue
        off = (
            comps.solution_offset(s.name)
            if s.phase == "solution"
            else comps.adsorbent_offset(s.name)
        )
        frame[f"{s.name}_tph"] = x[:, off]
    return pd.DataFrame(frame).set_index("stream")


def _by_size_frame(sim: Simulation, case: int = 0) -> pd.DataFrame:
    comps = sim.plant.spec.comps
    labels = comps.sizes.labels()
    edges = comps.sizes.edges()
    rows = []
    for name, arr in sim.streams.items():
        sv = comps.solids_view(arr[case])
        for c, lab in enumerate(labels):
            row = {"stream": name, "size_class": lab, "upper_um": edges[c]}
            row.update({f"{s.name}_tph": sv[c, k] for k, s in enumerate(comps.solids)})
            rows.append(row)
    return pd.DataFrame(rows)


def unit_closure(sim: Simulation) -> dict[str, np.ndarray]:
    """Largest relative imbalance of each unit, inlets + added + reacted vs outlets, (n_cases,).

    Per component, relative to max(inlets + added, outlets, |reacted|); sinks and ore
    sources have nothing to audit. Tear streams are compared at their converged values.
    """
    topo = sim.plant.topology
    out = {}
    for u in sim.plant.spec.units:
        outlets = topo.outlets_of(u.name)
        if not outlets:
            continue
        r = sim.units[u.name]
        inflow = sum(sim.streams[s.name] for s in topo.inlets_of(u.name))
        if r.added is not None:
            inflow = inflow + r.added
        outflow = sum(sim.streams[s.name] for s in outlets)
        reacted = 0.0 if r.reacted is None else r.reacted
        scale = np.maximum(np.maximum(inflow, outflow), np.abs(reacted))
        err = np.abs(inflow + reacted - outflow) / np.maximum(scale, _TINY)
        out[u.name] = err.max(axis=1)
        ext = external_element_totals(sim, (u.name,))
        if ext["unexplained"].any():
            # elements and total mass: what no reaction of the unit's table explains,
            # against the elements that enter it
            em = sim.plant.spec.comps.element_matrix()[:, ext["columns"]]
            el_in = np.maximum(inflow @ em + ext["in"], outflow @ em + ext["out"])
            # each element judged against at least 1e-9 of the unit's throughput, as a
            # block (``block_audit.BLOCK_FLOOR_REL``): round-off of an absent element
            # is not an imbalance
            total = el_in.sum(axis=1)
            floor = np.maximum(1e-9 * total, _TINY)[:, None]
            bad = np.abs(ext["unexplained"]) / np.maximum(el_in, floor)
            mass = np.abs(ext["unexplained"].sum(axis=1)) / np.maximum(total, _TINY)
            out[u.name] = np.maximum(out[u.name], np.maximum(bad.max(axis=1), mass))
    return out


def kpi_arrays(sim: Simulation, audit: dict[str, Any] | None = None) -> dict[str, np.ndarray]:
    """Plant key figures per case, (n_cases,) arrays with unit-suffixed names (see ``kpis``)."""
    from oreflow.solvers.kpis import plant_kpis

    audit = audit or closure_arrays(sim)
    with _costed_once(sim):
        out = plant_kpis(sim, audit["totals"])
    out["closure_max_rel"] = closure_max_rel(audit)
    out["closure_cell_max_rel"] = audit["component_rel"].max(axis=1)
    return out


@contextmanager
def _costed_once(sim: Simulation) -> Iterator[None]:
    """Each unit's cost lines, utility power and equipment computed once for its KPIs.

    The economics, the capital estimate, the bulk utilities and the carbon figures each
    read them (three sizings and two utility sums of every unit otherwise): they are
    carried as ``Simulation.unit_costs`` (``cost_lines``, the figures a tabulation
    computes once per block setting; those it carries are kept) while the KPIs are
    made, so every provider sums the same numbers in the same order.
    """
    before = sim.unit_costs
    have = before or {}
    missing = [u.name for u in sim.plant.spec.units if u.name not in have]
    sim.unit_costs = {**have, **block_unit_costs(sim, missing)}
    try:
        yield
    finally:
        sim.unit_costs = before


def build_results(sim: Simulation, case: int = 0) -> Results:
    """Tables of one case of a simulation."""
    audit = closure_arrays(sim, detailed=True)
    kpis = pd.Series(
        {k: float(v[case]) for k, v in kpi_arrays(sim, audit).items()}, name=sim.plant.spec.name
    )
    circuits = circuit_metrics(sim)
    audits = unit_closure(sim)
    rows = []
    for name, r in sim.units.items():
        utype = "ore" if name.startswith("ore.") else sim.plant.spec.unit(name).type
        metrics = dict(r.metrics)
        metrics.update(circuits.get(name, {}))
        if name in audits:
            metrics["closure_max_rel"] = audits[name]
        metrics.update(external_metrics(sim, name))
        for metric, value in metrics.items():
            rows.append(
                {
                    "unit": name,
                    "type": utype,
                    "metric": metric,
                    "value": float(np.asarray(value)[case]),
                }
            )
    units = pd.DataFrame(rows, columns=["unit", "type", "metric", "value"])
    meta = {
        "iterations": dict(sim.iterations),
        "seconds": dict(sim.seconds),
        "case_sha256": sim.plant.spec.sha256,
        "case_file": sim.plant.spec.path,
        "tears": [t for b in sim.plant.topology.blocks for t in b.tears],
        "run_order": [n for b in sim.plant.topology.blocks for n in b.nodes],
        "economics_assumed": assumed_figures(sim, audit["totals"], case),
    }
    from oreflow.flowsheet.provenance import assumed_parameters

    assumed = assumed_parameters(sim.plant.spec)
    meta["assumed_parameters"] = {"count": len(assumed), "keys": assumed}
    closure = _closure_frame(audit, case)
    if not math.isfinite(kpis["closure_max_rel"]):
        kpis["closure_max_rel"] = float("nan")
    return Results(
        case=sim.plant.spec.name,
        kpis=kpis,
        streams=_stream_frame(sim, case),
        units=units,
        closure=closure,
        meta=meta,
        streams_by_size=_by_size_frame(sim, case),
        warnings=(
            *(v.message() for v in violations(sim, case)),
            *(v.message() for v in scale_violations(sim, case)),
            *capital_warnings(sim, case),
            *feed_temperature_warnings(sim, case),
        ),
    )
