"""Linear junctions and sinks: mixer, splitter, thickener, tailings, product.

These units have no kinetics: their balance is exact arithmetic. The thickener is the
standard solids/water split (Wills & Finch 2016; docs/models.md#filtration, Wills & Finch 2016 ch. 15): solids report
to the underflow (less an overflow loss), the underflow water is set by its % solids,
and every dissolved species follows the water at the feed tenor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from oreflow.conventions import G_PER_T, HOURS_PER_YEAR
from oreflow.core.components import ComponentSet
from oreflow.core.schema import Param, frac, positive
from oreflow.errors import Problem
from oreflow.kernels.arrays import safe_div
from oreflow.units.base import (
    PrepareContext,
    Pumping,
    Sizing,
    UnitResult,
    UnitSpec,
    UnitType,
    solution_slice,
    total_solids,
    water,
)
from oreflow.units.residue_rules import leachate_mg_l, rules_params


def _unit_vector(comps: ComponentSet, name: str) -> np.ndarray:
    e = np.zeros(comps.n_comp)
    e[comps.solution_offset(name)] = 1.0
    return e


class Mixer:
    """Sum of the inlets, optionally diluted with water to a target % solids."""

    #: each solids component of an outlet is a fixed multiple of the same component
    #: of each inlet, whatever the water (closed-circuit solver, ``solvers.closed_circuit``)
    solids_diagonal = True

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self._water = _unit_vector(comps, "water") if comps.has("water") else None
        self._iw = comps.solution_offset("water") if comps.has("water") else -1

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """Per-case target solids fraction (NaN: no dilution)."""
        return params.get("solids_frac")

    def _mix(self, state: Any, inlets: tuple[np.ndarray, ...]) -> tuple[np.ndarray, Any]:
        """Mixed stream and the dilution water added per case [t/h] (None: no dilution)."""
        # inlet by inlet: the same sums as np.sum over a stacked copy, without the copy
        out = inlets[0] + inlets[1] if len(inlets) > 1 else inlets[0].copy()
        for extra in inlets[2:]:
            out += extra
        if state is None or self._water is None:
            return out, None
        solids = total_solids(self.comps, out)
        needed = solids * (1.0 - state) / state
        add = np.maximum(needed - water(self.comps, out), 0.0)
        out[:, self._iw] += add
        return out, add

    def apply_outlets(self, state: Any, inlets: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
        """The mixed stream only, as ``apply`` computes it (inside recycle loops)."""
        return (self._mix(state, inlets)[0],)

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Add the inlets; add water up to the target % solids where it is short."""
        out, add = self._mix(state, inlets)
        if add is None:
            return UnitResult((out,), metrics={})
        added = add[:, None] * self._water
        solids = total_solids(self.comps, out)
        pulp = solids + water(self.comps, out)
        delivered = safe_div(solids, pulp)
        metrics = {
            "water_added_tph": add,
            "solids_frac": delivered,
            # a target drier than the inlets cannot be met by adding water: say so
            # exactly 0 where water was added (the target is then met): no round-off
            "solids_frac_shortfall": np.where(
                (pulp > 0) & (add <= 0.0), np.maximum(state - delivered, 0.0), 0.0
            ),
        }
        return UnitResult((out,), added=added, metrics=metrics)


MIXER = UnitType(
    name="mixer",
    tear_inlets=True,
    linear=True,
    summary="sums its inlets (any port names); optional dilution water to a target % solids",
    inlets=None,
    outlets=("out",),
    params=(
        frac(
            "solids_frac",
            None,
            "target mass fraction of solids of the mixed pulp; water is added where the "
            "inlets are drier, never removed (omit for no dilution)",
            "set by the plant (mill feed 0.65-0.80, cyclone feed 0.45-0.60 [L] Wills & Finch 2016)",
            lo_open=True,
            hi_open=True,
        ),
    ),
    build=Mixer,
    kpi_families=("passthrough",),
)


class Splitter:
    """Splits every species in the same proportion to each outlet."""

    solids_diagonal = True  # see Mixer

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """Per-case fraction to each outlet, normalised so the split conserves mass."""
        fr = np.stack([params[f"fractions.{o}.frac"] for o in self.spec.outlets], axis=1)
        return fr / fr.sum(axis=1, keepdims=True)

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Each outlet gets its fraction of the feed."""
        (feed,) = inlets
        outlets = tuple(feed * state[:, i : i + 1] for i in range(state.shape[1]))
        return UnitResult(outlets, metrics={"feed_solids_tph": total_solids(self.comps, feed)})


def _check_splitter(
    spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]
) -> None:
    fr = spec.tables.get("fractions", {})
    if not fr:
        problems.append(
            Problem(file, f"units.{spec.name}.fractions", "missing: give outlet = fraction pairs")
        )
        return
    total = sum(v["frac"] for v in fr.values())
    if abs(total - 1.0) > 1e-9:
        problems.append(
            Problem(
                file,
                f"units.{spec.name}.fractions",
                f"fractions must sum to 1, they sum to {total:.6g}",
            )
        )


SPLITTER = UnitType(
    name="splitter",
    linear=True,
    summary="divides a stream between named outlets in fixed fractions (same for every species)",
    inlets=("feed",),
    outlets=(),  # from the fractions table
    params=(),
    build=Splitter,
    check=_check_splitter,
    outlets_table="fractions",
)


class ThickenerState(NamedTuple):
    """What a thickener prepares once per simulation, (n_cases,) arrays."""

    underflow_solids_frac: np.ndarray
    solids_recovery_frac: np.ndarray
    area_m2: np.ndarray | None = None  # installed settling area (None: not given)


class Thickener:
    """Solids to underflow at a set % solids; solution follows the water."""

    solids_diagonal = True  # see Mixer

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.sol = solution_slice(comps)
        self.iw = comps.solution_offset("water")

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> ThickenerState:
        """Per-case underflow solids fraction, solids recovery and area (or None)."""
        return ThickenerState(
            params["underflow_solids_frac"], params["solids_recovery_frac"], params.get("area_m2")
        )

    def _split(self, state: Any, feed: np.ndarray) -> tuple[np.ndarray, ...]:
        """Underflow, overflow, underflow solids, feed and underflow water, water share."""
        w_u, rec = state.underflow_solids_frac, state.solids_recovery_frac
        c = self.comps
        under = np.zeros_like(feed)
        under[:, : c.n_solids_comp] = feed[:, : c.n_solids_comp] * rec[:, None]
        solids_u = total_solids(c, under)
        water_f = feed[:, self.iw]
        water_u = np.minimum(solids_u * (1.0 - w_u) / w_u, water_f)
        share = safe_div(water_u, water_f, fill=1.0)
        under[:, self.sol] = feed[:, self.sol] * share[:, None]
        # adsorbent (carbon) is screened out upstream in practice; it follows the solids
        under[:, self.sol.stop :] = feed[:, self.sol.stop :]
        return under, feed - under, solids_u, water_f, water_u, share

    def apply_outlets(self, state: Any, inlets: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
        """Underflow and overflow only, as ``apply`` computes them (inside recycle loops)."""
        return self._split(state, inlets[0])[:2]

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Split solids, then water by the underflow density, then solutes with water."""
        w_u, area = state.underflow_solids_frac, state.area_m2
        (feed,) = inlets
        c = self.comps
        under, over, solids_u, water_f, water_u, share = self._split(state, feed)
        metrics = {
            "water_recovered_tph": water_f - water_u,
            "water_recovered_frac": 1.0 - share,
            "underflow_solids_frac": safe_div(solids_u, solids_u + water_u),
        }
        # a feed denser than the underflow asked for stays as dense: no water is added
        short = water_f < solids_u * (1.0 - w_u) / w_u  # exactly 0 where the target is met
        metrics["underflow_solids_excess_frac"] = np.where(
            short, np.maximum(metrics["underflow_solids_frac"] - w_u, 0.0), 0.0
        )
        if area is not None:
            solids_t_d = total_solids(c, feed) * 24.0
            metrics["unit_area_m2_per_t_d"] = safe_div(area, solids_t_d, fill=np.inf)
        return UnitResult((under, over), metrics=metrics)


THICKENER = UnitType(
    name="thickener",
    linear=True,
    summary="solid-liquid separation to an underflow % solids; water and solutes to overflow",
    inlets=("feed",),
    outlets=("underflow", "overflow"),
    params=(
        frac(
            "underflow_solids_frac",
            0.55,
            "mass fraction of solids in the underflow",
            "pre-leach and tailings thickeners 0.50-0.65 [L] (Wills & Finch 2016; docs/models.md#filtration; Wills & Finch 2016 §15)",
            lo=0.0,
            hi=1.0,
            lo_open=True,
            hi_open=True,
        ),
        frac(
            "solids_recovery_frac",
            1.0,
            "fraction of the feed solids reporting to the underflow (the rest is overflow loss)",
            "assumed: a flocculated thickener loses well under 0.1 % of its solids",
            lo_open=True,
        ),
        positive(
            "area_m2",
            "m²",
            None,
            "installed settling area; gives the unit area m²/(t/d) checked by the envelope",
            "plant figure",
            hi=1.0e5,
        ),
    ),
    build=Thickener,
    requires=("water",),
    sizing=Sizing("thickener"),
)


class Sink:
    """A plant product or residue: the stream leaves the flowsheet here."""

    #: Whether the stream is residue to storage: it then always reports its WAD cyanide
    #: and the leachate of its stored residue.
    to_storage = False

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """Per-case dry density for the residue volume, and the leach test's L/S."""
        return (
            params.get("dry_density_t_m3"),
            params.get("leachate_ls_l_kg"),
            params.get("leachate_total_cn_limit_mg_l"),
        )

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """No outlets; report mass, water and storage volume."""
        feed = np.sum(inlets, axis=0) if len(inlets) > 1 else inlets[0]
        solids = total_solids(self.comps, feed)
        density, ls_l_kg, limit = state
        metrics = {"solids_tph": solids, "water_tph": water(self.comps, feed)}
        if density is not None:
            metrics["storage_m3_h"] = solids / density
            metrics["storage_mm3_y"] = solids / density * HOURS_PER_YEAR / 1e6
        if self.comps.has("nacn"):
            metrics["nacn_kg_h"] = feed[:, self.comps.solution_offset("nacn")] * 1e3
        if self.to_storage or self.comps.has("nacn") or self.comps.has("cn_wad"):
            # every tailings discharge reports its WAD cyanide (zero without cyanide):
            # the ICMC limit applies at each discharge, and its optimizer row is
            # wad_cn_g_h - L water_tph <= 0 (both extensive)
            from oreflow.units.detox import total_cn_mg_l, wad_cn_mg_l, wad_cn_tph

            metrics["wad_cn_mg_l"] = wad_cn_mg_l(self.comps, feed)
            metrics["wad_cn_g_h"] = wad_cn_tph(self.comps, feed) * G_PER_T
            metrics["total_cn_mg_l"] = total_cn_mg_l(self.comps, feed)
        if self.to_storage:
            leach = leachate_mg_l(metrics["total_cn_mg_l"], metrics["water_tph"], solids, ls_l_kg)
            metrics["leachate_total_cn_mg_l"] = leach
            # HJ 943 envelope: the leachate over the unit's limit (the limit is a parameter)
            metrics["leachate_cn_limit_frac"] = safe_div(leach, limit, fill=np.inf)
        return UnitResult((), metrics=metrics)


class StorageSink(Sink):
    """Residue leaving the plant to storage (a tailings facility)."""

    to_storage = True


#: Head of the tailings disposal pumps [m] [assumed: site figure].
TAILINGS_HEAD_M = 30.0

TAILINGS = UnitType(
    name="tailings",
    summary="residue leaving the plant to storage: mass, water, cyanide and stored volume",
    inlets=("feed",),
    outlets=(),
    params=(
        positive(
            "dry_density_t_m3",
            "t/m³",
            1.45,
            "settled dry density of the stored residue, for its volume",
            "Directive 2006/21/EC; Wills & Finch 2016; docs/models.md#residue example (1.45 t/m³) [L]; 1.2-1.6 for conventional tailings",
            hi=3.0,
        ),
        *rules_params("storage"),
    ),
    build=StorageSink,
    is_sink=True,
    kpi_families=("residue_storage",),
    pumping=Pumping(TAILINGS_HEAD_M),
)

PRODUCT = UnitType(
    name="product",
    summary="a plant product leaving the flowsheet (loaded carbon to elution, concentrate)",
    inlets=("feed",),
    outlets=(),
    params=(
        Param(
            "kind",
            "-",
            "gold",
            "what the product is: 'gold' counts towards gold recovery, 'concentrate' and 'water' do not",
            "oreflow convention",
            kind=str,
            choices=("gold", "concentrate", "water"),
        ),
    ),
    build=Sink,
    is_sink=True,
    kpi_families=("product",),
)


class Bypass:
    """Passes its feed unchanged to one outlet; the others carry nothing.

    The "none" option of a superstructure position (no flotation, no oxidation): the
    position keeps its ports, and the route simply skips the unit.
    """

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        target = spec.params.get("to") or spec.outlets[0]
        self.target = spec.outlets.index(target)

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """Nothing depends on the case."""
        return None

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """The feed to the target outlet, empty streams elsewhere."""
        (feed,) = inlets
        return UnitResult(
            tuple(
                feed.copy() if i == self.target else np.zeros_like(feed)
                for i in range(len(self.spec.outlets))
            )
        )


BYPASS = UnitType(
    name="bypass",
    bypass=True,
    linear=True,
    summary="the 'none' option of a position: the feed passes to one outlet, the others are empty",
    inlets=("feed",),
    outlets=("out",),
    params=(
        Param(
            "to",
            "-",
            "",
            "outlet of the position that receives the feed (default: its first outlet)",
            "oreflow",
            kind=str,
        ),
    ),
    build=Bypass,
)

UNIT_TYPES = (
    MIXER,
    SPLITTER,
    THICKENER,
    TAILINGS,
    PRODUCT,
    BYPASS,
)
