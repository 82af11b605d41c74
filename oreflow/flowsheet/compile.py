"""Spec -> compiled plant: unit models, topology and per-case parameter defaults.

The compiled plant is immutable. Names stay at this level; kernels receive arrays. Every
float parameter of a unit or ore source (and every entry of its species tables) can be
varied per case by an override keyed ``units.NAME.KEY``, ``units.NAME.TABLE.SPECIES.KEY``,
``ore.NAME.KEY`` or ``ore.NAME.deportment.SPECIES``; this is how batches of cases
(Monte Carlo, mode tabulation) run through one simulation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.case import CaseSpec
from oreflow.flowsheet.graph import Topology, build_topology, ores_reaching
from oreflow.units.base import UnitModel, UnitSpec
from oreflow.units.ore_feed import ORE_PARAMS, OreSource


@dataclass(frozen=True)
class CompiledPlant:
    """A case ready to simulate.

    Attributes
    ----------
    spec : CaseSpec
        The validated case.
    topology : Topology
        Streams, blocks, tears and run order.
    models : Mapping[str, UnitModel]
        Compiled model of every node (ore sources included).
    defaults : Mapping[str, Mapping[str, float]]
        Per node, the nominal value of every parameter that may vary per case.
    ore_reach : Mapping[str, tuple[str, ...]]
        Per unit, the ore sources with a path to it.
    """

    spec: CaseSpec
    topology: Topology
    models: Mapping[str, UnitModel]
    defaults: Mapping[str, Mapping[str, float]]
    ore_reach: Mapping[str, tuple[str, ...]]

    def override_keys(self) -> tuple[str, ...]:
        """Every key accepted by ``param_arrays`` overrides."""
        out = []
        for node, params in self.defaults.items():
            prefix = node if node.startswith("ore.") else f"units.{node}"
            out.extend(f"{prefix}.{k}" for k in params)
        return tuple(out)

    def param_arrays(
        self, n_cases: int, overrides: Mapping[str, Any] | None = None, *, checked: bool = True
    ) -> dict[str, dict[str, np.ndarray]]:
        """Per node, per parameter, a (n_cases,) array: defaults with overrides applied.

        Overridden values pass the case file's range and consistency rules
        (``oreflow.flowsheet.values``); ``CaseError`` names the key, the case and its
        value. ``checked=False`` is for callers that checked them already.
        """
        out = {
            node: {k: np.full(n_cases, v) for k, v in params.items()}
            for node, params in self.defaults.items()
        }
        problems = []
        given: dict[str, set[str]] = {}
        for key, value in (overrides or {}).items():
            node, _, param = (key[len("units.") :] if key.startswith("units.") else key).partition(
                "."
            )
            if key.startswith("ore."):
                node, _, param = key.partition(".")[2].partition(".")
                node = f"ore.{node}"
            if node not in out or param not in out[node]:
                valid = self.override_keys()
                from oreflow.core.schema import suggest

                problems.append(
                    Problem(
                        "overrides",
                        key,
                        f"not a per-case parameter of this case{suggest(key, valid)}",
                    )
                )
                continue
            try:
                arr = np.broadcast_to(np.asarray(value, dtype=np.float64), (n_cases,)).copy()
            except (TypeError, ValueError):
                msg = f"must be a number or {n_cases} numbers (one per case)"
                problems.append(Problem(self.spec.path, key, msg))
                continue
            out[node][param] = arr
            given.setdefault(node, set()).add(param)
        if problems:
            raise CaseError(problems)
        if checked and given:
            from oreflow.flowsheet.values import check_values

            result = check_values(self.spec, out, given)
            if not result.ok:
                raise CaseError(result.problems)
        return out

    def check_overrides(self, n_cases: int, overrides: Mapping[str, Any]) -> Any:
        """Which cases of a batch break a range or consistency rule (``ValueCheck``).

        For a caller that decides what to do with bad cases (a study drops or redraws
        them) instead of stopping at the first.
        """
        from oreflow.flowsheet.values import check_values

        params = self.param_arrays(n_cases, overrides, checked=False)
        given: dict[str, set[str]] = {}
        for key in overrides:
            node, _, param = key.removeprefix("units.").partition(".")
            if key.startswith("ore."):
                node, _, param = key.partition(".")[2].partition(".")
                node = f"ore.{node}"
            given.setdefault(node, set()).add(param)
        return check_values(self.spec, params, given)


class _OutletAdapter:
    """Runs an option unit in a position whose outlets differ from the option's own.

    ``source[i]`` is the option outlet feeding position outlet i (-1: an empty stream).
    """

    def __init__(self, model: UnitModel, source: tuple[int, ...]) -> None:
        self.model = model
        self.spec = model.spec
        self.source = source

    def prepare(self, params: Mapping[str, np.ndarray], ctx: Any) -> Any:
        """The option's own state."""
        return self.model.prepare(params, ctx)

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> Any:
        """The option's outlets rearranged onto the position's ports."""
        result = self.model.apply(state, inlets)
        empty = np.zeros_like(inlets[0])
        result.outlets = tuple(result.outlets[i] if i >= 0 else empty for i in self.source)
        return result


def _float_params(spec: UnitSpec, float_names: set[str]) -> dict[str, float]:
    out = {k: float(v) for k, v in spec.params.items() if k in float_names and v is not None}
    for tname, table in spec.tables.items():
        if tname in ("psd",):
            continue
        for sp, entry in table.items():
            if isinstance(entry, Mapping):
                out.update(
                    {
                        f"{tname}.{sp}.{k}": float(v)
                        for k, v in entry.items()
                        if isinstance(v, float)
                    }
                )
            elif isinstance(entry, float):
                out[f"{tname}.{sp}"] = entry
    return out


def compile_case(spec: CaseSpec) -> CompiledPlant:
    """Build the unit models and topology of a validated case."""
    problems: list[Problem] = []
    topo = build_topology(spec.ores, spec.units, spec.path, problems, spec.unit_types)
    if topo is not None:
        from oreflow.flowsheet.values import check_loops

        check_loops(spec, topo, problems)
    if topo is None or problems:
        raise CaseError(problems)
    models: dict[str, UnitModel] = {}
    defaults: dict[str, dict[str, float]] = {}
    ore_floats = {p.name for p in ORE_PARAMS if p.kind is float}
    for ore in spec.ores:
        models[ore.name] = OreSource(ore, spec.comps)
        defaults[ore.name] = _float_params(ore, ore_floats)
    for unit in spec.units:
        utype = spec.unit_types[unit.type]
        model = utype.build(unit, spec.comps)
        if unit.outlet_source is not None:
            # the option's model emits its own type's outlets, in that order
            own = dataclasses.replace(unit, outlets=utype.outlets, outlet_source=None)
            model = _OutletAdapter(utype.build(own, spec.comps), unit.outlet_source)
        models[unit.name] = model
        defaults[unit.name] = _float_params(unit, {p.name for p in utype.params if p.kind is float})
    return CompiledPlant(
        spec,
        topo,
        MappingProxyType(models),
        MappingProxyType({k: MappingProxyType(v) for k, v in defaults.items()}),
        MappingProxyType(ores_reaching(spec.ores, spec.units)),
    )
