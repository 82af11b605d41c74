"""Sensor-based ore sorter: mass rejected against metal lost from the particle-grade distribution.

Model (Robben & Wotruba 2019; docs/models.md#sorter): the rocks in the sorting size range have lognormal grades,
ln g ~ N(μ, σ²), with the mean ḡ = e^(μ + σ²/2) equal to the gold grade of the sorted
feed as it arrives (computed from the stream, so the model follows the ore); the sensor
reads ln g_m = ln g + ε, ε ~ N(0, s²), and rocks reading below the cutoff g_c are
ejected to the reject. The fractions of mass and of metal rejected are closed forms
(``oreflow.kernels.separation.sorting_split``):

    M_r = Φ((ln g_c - μ)/√(σ² + s²)),   L = Φ((ln g_c - μ - σ²)/√(σ² + s²)).

σ, the heterogeneity of the ore at the sorting size, is the key ore property; s
describes the sensor (XRT, XRF, optical) and how well its response proxies gold.

Split of the species, consistent with the grade model: in every size class that is
sorted, each gold species is rejected at L (the metal lost), species listed under
``metal_carriers`` (for instance pyrite when the gold is sulfide-hosted and an XRT
sensor sees the sulfides) are rejected at ``frac x L + (1 - frac) x R_rock``, and the
remaining rock mass at the rate R_rock that makes the sorted solids lose exactly M_r of
their mass. Size classes finer than ``min_size_mm`` (representative size) are not
presented to the sensor and report to the product, as the fines screened out ahead of
a sorter do. Water (ore moisture, wash water) splits with the solids mass.

References
----------
Lessard, J., de Bakker, J., McHugh, L. (2014) Development of ore sorting and its impact
on mineral processing economics. Minerals Engineering 65:88–97 [L].
Robben, C., Wotruba, H. (2019) Sensor-based ore sorting technology in mining: past,
present and future. Minerals 9(9):523. DOI 10.3390/min9090523 [L].
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from oreflow.conventions import G_PER_T
from oreflow.core.components import ComponentSet
from oreflow.core.schema import REQUIRED, Param, frac, positive
from oreflow.errors import Problem
from oreflow.kernels.arrays import safe_div
from oreflow.units.base import (
    PrepareContext,
    Sizing,
    TableSchema,
    UnitResult,
    UnitSpec,
    UnitType,
    solution_slice,
    total_solids,
)

PARAMS: tuple[Param, ...] = (
    positive(
        "grade_sigma",
        "-",
        REQUIRED,
        "standard deviation of ln(rock grade) at the sorting size (ore heterogeneity)",
        "ore testwork (rock-by-rock assays); Robben & Wotruba 2019; docs/models.md#sorter example 1.2 [A]",
        hi=5.0,
    ),
    Param(
        "sensor_sigma",
        "-",
        0.5,
        "standard deviation of the sensor's log error (how well its reading proxies gold)",
        "assumed; Robben & Wotruba 2019; docs/models.md#sorter example 0.5 [A]",
        lo=0.0,
        hi=5.0,
    ),
    positive(
        "cutoff_gpt",
        "g/t",
        REQUIRED,
        "rocks whose reading is below this grade are rejected",
        "set by the economics (Robben & Wotruba 2019; docs/models.md#sorter)",
        hi=1e4,
    ),
    Param(
        "min_size_mm",
        "mm",
        10.0,
        "smallest rock presented to the sensor; finer classes bypass to the product",
        "sorting particle size 10-100 mm [L] Robben & Wotruba 2019; docs/models.md#sorter",
        lo=0.0,
        hi=1000.0,
    ),
)

CARRIERS_TABLE = TableSchema(
    params=(
        frac(
            "frac",
            1.0,
            "share of the species' mass that is sorted with the metal rather than with the rock mass",
            "mineralogy (gold-sulfide association)",
        ),
    ),
    key_phase="solid",
    doc="non-gold species that travel with the gold in the sort (sulfide hosts)",
)


class SorterState(NamedTuple):
    """What an ore sorter prepares once per simulation."""

    params: Mapping[str, np.ndarray]
    association: np.ndarray  # (n_cases, n_solid) association of each species with the metal
    sorted_classes: np.ndarray  # (n_cases, n_cls) classes presented to the sensor


class OreSorter:
    """Compiled ore sorter (see module docstring)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.au = np.array([s.au_frac for s in comps.solids])
        self.gold = self.au > 0
        self.carriers = [comps.solid_index(name) for name in spec.tables["metal_carriers"]]
        self.rep_um = comps.sizes.representative_um()
        self.sol = solution_slice(comps)

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> SorterState:
        """Per-case association of each species with the metal, and the sorted classes."""
        c = self.comps
        assoc = np.zeros((ctx.n_cases, c.n_solid))
        for j, name in zip(self.carriers, self.spec.tables["metal_carriers"], strict=True):
            assoc[:, j] = params[f"metal_carriers.{name}.frac"]
        assoc[:, self.gold] = 1.0
        sorted_cls = self.rep_um[None, :] >= 1000.0 * params["min_size_mm"][:, None]
        return SorterState(params, assoc, sorted_cls)

    def apply(self, state: SorterState, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Split the sorted classes by the grade model; bypass the fines to the product."""
        from oreflow.kernels.separation import sorting_split_batch

        params, assoc, sorted_cls = state.params, state.association, state.sorted_classes
        (feed,) = inlets
        c = self.comps
        sv = c.solids_view(feed)
        in_sort = sv * sorted_cls[:, :, None]  # (n, n_cls, n_solid) presented to the sensor
        by_species = in_sort.sum(axis=1)
        sorted_solids = by_species.sum(axis=1)
        sorted_au = (by_species * self.au).sum(axis=1)
        mean_grade = safe_div(sorted_au * G_PER_T, sorted_solids)
        split = sorting_split_batch(
            mean_grade, params["grade_sigma"], params["cutoff_gpt"], params["sensor_sigma"]
        )
        mass_rej, metal_lost = split[:, 0], split[:, 1]
        # rock rate R_rock so that the sorted solids lose exactly M_r of their mass
        with_metal = (by_species * assoc).sum(axis=1)
        with_rock = sorted_solids - with_metal
        r_rock = safe_div(mass_rej * sorted_solids - metal_lost * with_metal, with_rock)
        r_rock = np.clip(r_rock, 0.0, 1.0)
        reject_rate = assoc * metal_lost[:, None] + (1.0 - assoc) * r_rock[:, None]
        reject = np.zeros_like(feed)
        c.solids_view(reject)[:] = in_sort * reject_rate[:, None, :]
        solids = total_solids(c, feed)
        rej_solids = total_solids(c, reject)
        share = safe_div(rej_solids, solids)
        reject[:, self.sol.start :] = feed[:, self.sol.start :] * share[:, None]
        product = feed - reject

        au_feed = (sv.sum(axis=1) * self.au).sum(axis=1)
        au_rej = (c.solids_view(reject).sum(axis=1) * self.au).sum(axis=1)
        prod_solids = solids - rej_solids
        au_lost = safe_div(au_rej, au_feed)
        metrics = {
            "sorted_feed_frac": safe_div(sorted_solids, solids),
            "sorted_feed_au_gpt": mean_grade,
            "sorted_mass_rejected_frac": mass_rej.copy(),
            "sorted_metal_lost_frac": metal_lost.copy(),
            "mass_rejected_frac": share,
            "au_lost_frac": au_lost,
            "upgrade_ratio": safe_div(1.0 - au_lost, 1.0 - share, fill=1.0, where=share < 1),
            "feed_au_gpt": safe_div(au_feed * G_PER_T, solids),
            "product_au_gpt": safe_div((au_feed - au_rej) * G_PER_T, prod_solids),
            "reject_au_gpt": safe_div(au_rej * G_PER_T, rej_solids),
        }
        return UnitResult((product, reject), metrics=metrics)


def _check(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    key = f"units.{spec.name}"
    if not any(s.au_frac > 0 for s in comps.solids):
        problems.append(
            Problem(file, key, "an ore_sorter sorts on the gold grade: declare a gold species")
        )
    for name in spec.tables.get("metal_carriers", {}):
        if comps.solids[comps.solid_index(name)].au_frac > 0:
            problems.append(
                Problem(
                    file,
                    f"{key}.metal_carriers.{name}",
                    f"{name!r} is a gold species; gold always sorts with the metal",
                )
            )


ORE_SORTER = UnitType(
    name="ore_sorter",
    route_word="sorted ore",
    summary="sensor-based sorting of coarse ore: lognormal rock grades and sensor error give mass rejected vs metal lost",
    inlets=("feed",),
    outlets=("product", "reject"),
    params=PARAMS,
    tables={"metal_carriers": CARRIERS_TABLE},
    build=OreSorter,
    check=_check,
    kpi_families=("sorting",),
    sizing=Sizing("feed", curve="ore_sorter"),
)

UNIT_TYPES = (ORE_SORTER,)
