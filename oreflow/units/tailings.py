"""Tailings: residue leaving the plant to storage, and the sink model every sink shares.

A sink has no outlets; it reports the solids and water it receives, the stored volume
(dry density), and its WAD and total cyanide. Residue to storage also reports the total
cyanide of a standard leachate (``oreflow.units.residue_rules``) and its leachable metals
(``leachate_cu_mg_l`` ..., ``leachate_metals_limit_frac``: ``oreflow.units.residue_metals``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from oreflow.conventions import G_PER_T, HOURS_PER_YEAR
from oreflow.core.components import ComponentSet
from oreflow.core.schema import positive
from oreflow.kernels.arrays import safe_div
from oreflow.units.acid_base import aba_params
from oreflow.units.base import (
    PrepareContext,
    Pumping,
    UnitResult,
    UnitSpec,
    UnitType,
    total_solids,
    water,
)
from oreflow.units.residue_metals import LeachableMetals, metals_params
from oreflow.units.residue_rules import leachate_mg_l, rules_params


class Sink:
    """A plant product or residue: the stream leaves the flowsheet here."""

    #: Whether the stream is residue to storage: it then always reports its WAD cyanide
    #: and the leachate of its stored residue.
    to_storage = False

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """Per-case dry density for the residue volume, the leach test's L/S and limits."""
        leach = {k: v for k, v in params.items() if k.startswith("leachate_")}
        return (
            params.get("dry_density_t_m3"),
            params.get("leachate_ls_l_kg"),
            params.get("leachate_total_cn_limit_mg_l"),
            params.get("residual_lime_kg_t"),
            leach,
        )

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """No outlets; report mass, water and storage volume."""
        feed = np.sum(inlets, axis=0) if len(inlets) > 1 else inlets[0]
        solids = total_solids(self.comps, feed)
        density, ls_l_kg, limit, lime_kg_t, leach_params = state
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
            # leachable metals and their HJ 943 envelope (oreflow.units.residue_metals)
            metals = self._lazy("_leachable_metals", LeachableMetals)
            metrics.update(metals.figures(feed, solids, metrics["water_tph"], leach_params))
            # acid-base accounting of the stored residue (oreflow.units.acid_base)
            assay = self._lazy("_residue_assay", _residue_assay)
            sulfide = (feed @ assay.sulfide_s) * safe_div(1.0, solids)
            metrics["sulfide_s_frac"] = sulfide
            metrics.update(assay.aba.figures(feed, solids, sulfide, lime_kg_t))
        return UnitResult((), metrics=metrics)

    def _lazy(self, attr: str, build: Callable[[ComponentSet], Any]) -> Any:
        """A per-case-species helper (residue assay, leachable metals), built on first use."""
        value = getattr(self, attr, None)
        if value is None:
            value = build(self.comps)
            setattr(self, attr, value)
        return value


def _residue_assay(comps: ComponentSet) -> Any:
    """The residue assay of ``oreflow.units.residue`` (imported on first use)."""
    from oreflow.units.residue import ResidueAssay

    return ResidueAssay(comps)


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
        *metals_params("storage"),
        aba_params()[0],
    ),
    build=StorageSink,
    is_sink=True,
    kpi_families=("residue_storage",),
    pumping=Pumping(TAILINGS_HEAD_M),
)


UNIT_TYPES = (TAILINGS,)
