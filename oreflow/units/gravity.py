"""Centrifugal gravity concentrator (Knelson, Falcon) on a bleed of cyclone underflow.

How gravity-recoverable gold is represented: the catalogue species ``au_grg`` is the
free gold a centrifugal concentrator can recover, and an ore's deportment to ``au_grg``
is its GRG test value (Laplante's standardised three-stage test: 25-94 % of the gold
over 38 ores, mean 63 % [S], Laplante's standardised GRG test; docs/models.md#gravity). Other free gold is ``au_free``. The GRG
test gives the upper bound; what a plant captures emerges from the flowsheet:

- the cyclone sends GRG to its underflow by its (density-corrected) partition curve,
  so GRG builds up in the circulating load;
- a ``splitter`` bleeds a fraction of the underflow to this unit;
- this unit recovers, per pass, a fraction e(d) of the ``au_grg`` it is fed (below);
- the ball mill, with ``grg_loss_frac`` = h, turns a fraction of the returning GRG into
  ``au_free`` per pass (flattened or ground too fine).

With size-independent q, g_b, e and h this reproduces Laplante's standardised GRG test; docs/models.md#gravity's geometric series
``c/(1 - r)`` exactly (the closed form of ex05, 0.347938, is checked by the gravity tests).

Recovery of ``au_grg`` per pass by size: ``e(d) = e_max w(d)`` with the smooth plateau
``w(d) = 1/(1 + (d_f/d)^m) x 1/(1 + (d/d_c)^m)`` (``size_window``): GRG finer than
about 25 µm is poorly held in the bowl (Laplante & Gray 2005 [L]); the form and the
defaults are [assumed]. Classes wholly coarser than the trash-screen aperture bypass
to the tails.

Concentrate mass: semi-batch units pull a tiny, set mass (≪ 0.1 % of circuit
throughput, Laplante's standardised GRG test; docs/models.md#gravity [L]). Besides the recovered GRG, the concentrate takes
non-GRG solids up to ``mass_pull_frac`` of the feed solids, heavy particles
(hydraulic density >= ``heavy_density_t_m3``: sulfides, locked and fine free gold)
``heavy_enrichment`` times more readily than light gangue [assumed]. The concentrate
leaves at ``concentrate_solids_frac``; dissolved species follow the water.
Fluidisation water, when given, is added and leaves with the tails.

Silver alloyed in electrum (``ag_electrum``, ``oreflow.core.silver_minerals``) is in the
free gold's grains: in each size class it is recovered at the mass-weighted recovery of
``au_grg`` and ``au_free`` fed in that class [assumed: one electrum composition per
class], so the concentrate's silver-to-gold ratio of free gold is the feed's.

References
----------
Laplante, A.R., Gray, S. (2005) Advances in gravity gold technology. In Adams, M.D.
(ed.) Developments in Mineral Processing 15, Elsevier, 280–307 [L].
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from oreflow.conventions import G_PER_T
from oreflow.core.components import ComponentSet
from oreflow.core.schema import Param, frac, positive
from oreflow.core.silver_minerals import ELECTRUM_GOLD
from oreflow.errors import Problem
from oreflow.kernels.arrays import safe_div
from oreflow.units.base import (
    PrepareContext,
    Sizing,
    UnitResult,
    UnitSpec,
    UnitType,
    solution_slice,
    total_solids,
)

PARAMS: tuple[Param, ...] = (
    frac(
        "grg_recovery_frac",
        0.4,
        "recovery per pass of the gravity-recoverable gold (au_grg) fed to the unit, at the "
        "sizes it holds best (e of Laplante's standardised GRG test; docs/models.md#gravity)",
        "20-60 % of the GRG in the unit feed [L] Laplante's standardised GRG test; docs/models.md#gravity; 0.4 [assumed]",
    ),
    Param(
        "fine_half_um",
        "µm",
        25.0,
        "size at which the GRG recovery falls to half at the fine end; 0 = no fine-end decline",
        "assumed (GRG finer than about 25 µm is poorly recovered, Laplante & Gray 2005 [L])",
        lo=0.0,
        hi=1000.0,
    ),
    Param(
        "coarse_half_um",
        "µm",
        0.0,
        "size at which the GRG recovery falls to half at the coarse end; 0 = no coarse-end decline",
        "assumed",
        lo=0.0,
        hi=1.0e5,
    ),
    positive(
        "size_exponent",
        "-",
        2.0,
        "steepness of the fine- and coarse-end declines",
        "assumed",
        hi=20.0,
    ),
    Param(
        "screen_aperture_um",
        "µm",
        0.0,
        "trash-screen aperture ahead of the unit: classes wholly coarser bypass to the tails; "
        "0 = no screen",
        "assumed; scalping screens of 1.7-3 mm are usual [L] (Laplante & Gray 2005)",
        lo=0.0,
        hi=1.0e5,
    ),
    frac(
        "mass_pull_frac",
        0.0005,
        "concentrate solids (recovered GRG included) as a fraction of the unit's feed solids",
        "assumed; concentrate mass ≪ 0.1 % of circuit throughput [L] Laplante's standardised GRG test; docs/models.md#gravity",
        hi=0.2,
    ),
    positive(
        "heavy_enrichment",
        "-",
        10.0,
        "recovery of heavy particles to the concentrate relative to light gangue",
        "assumed",
        lo=1.0,
        lo_open=False,
        hi=1.0e4,
    ),
    positive(
        "heavy_density_t_m3",
        "t/m³",
        4.0,
        "particles of at least this (hydraulic) density count as heavy",
        "assumed (sulfides 4.1-6.1, silicates 2.6-3.0 t/m³ [L])",
        hi=25.0,
    ),
    frac(
        "concentrate_solids_frac",
        0.5,
        "mass fraction of solids in the concentrate slurry",
        "assumed",
        lo_open=True,
    ),
    Param(
        "fluidisation_water_t_t",
        "t/t",
        0.0,
        "fluidisation water per tonne of feed solids, added to the unit and leaving with the "
        "tails; 0 = not modelled",
        "assumed",
        lo=0.0,
        hi=20.0,
    ),
)


class GravityState(NamedTuple):
    """What a gravity concentrator prepares once per simulation."""

    params: Mapping[str, np.ndarray]
    grg_recovery_frac: np.ndarray  # (n_cases, n_cls) GRG recovery per pass
    screened_out: np.ndarray  # (n_cases, n_cls) classes the trash screen keeps out
    heavy: np.ndarray  # (n_cases, n_solid) species dense enough to report with the gold


class GravityConcentrator:
    """Compiled gravity concentrator (see module docstring)."""

    #: With no mass pull (``mass_pull_frac`` 0) each size class and species of an outlet
    #: is a fixed multiple of the same of the feed: GRG by ``e(d)``, nothing else, the
    #: water apart (closed-circuit solver, ``solvers.closed_circuit``). A mass pull
    #: makes the non-GRG recovery depend on the feed's composition: see
    #: ``solids_diagonal_at``.
    solids_diagonal = True

    def solids_diagonal_at(self, state: GravityState) -> bool:
        """Whether the solids split is diagonal for every case: no mass pull anywhere.

        Electrum silver is recovered at the recovery of the free gold it is fed with,
        which depends on the feed's split between ``au_grg`` and ``au_free``: not diagonal.
        """
        if self.electrum is not None:
            return False
        return bool(np.all(state.params["mass_pull_frac"] == 0.0))

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.i_grg = comps.solid_index("au_grg")
        self.rep_um = comps.sizes.representative_um()
        edges = comps.sizes.edges()
        self.lower_um = np.append(edges[1:], 0.0)  # lower edge of each class (sink: 0)
        self.rho = np.array([s.hydraulic_density_t_m3 for s in comps.solids])
        self.other = np.ones(comps.n_solid, bool)
        self.other[self.i_grg] = False
        # silver alloyed in the free gold (oreflow.core.silver_minerals.ELECTRUM_GOLD)
        self.electrum = None
        if comps.has("ag_electrum"):
            gold = [comps.solid_index(g) for g in ELECTRUM_GOLD if comps.has(g)]
            self.electrum = (comps.solid_index("ag_electrum"), np.array(gold, dtype=np.int64))
            self.other[self.electrum[0]] = False
        self.au = np.array([s.au_frac for s in comps.solids])
        self.sol = solution_slice(comps)
        self.i_water = comps.solution_offset("water")

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> GravityState:
        """Per-case GRG recovery by size class [-]."""
        from oreflow.kernels.separation import size_window

        n = ctx.n_cases
        e = np.empty((n, self.comps.n_cls))
        for i in range(n):
            e[i] = params["grg_recovery_frac"][i] * size_window(
                self.rep_um,
                float(params["fine_half_um"][i]),
                float(params["coarse_half_um"][i]),
                float(params["size_exponent"][i]),
            )
        # per case, like every float parameter (a study or optimizer may vary them)
        aperture = params["screen_aperture_um"][:, None]
        screened = (self.lower_um[None, :] >= aperture) & (aperture > 0)
        e[screened] = 0.0
        heavy = self.rho[None, :] >= params["heavy_density_t_m3"][:, None]
        heavy[:, self.i_grg] = False
        if self.electrum is not None:
            heavy[:, self.electrum[0]] = False
        return GravityState(params, e, screened, heavy)

    def solids_transfer(
        self, state: GravityState, feed: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Share of each solids component of ``feed`` to the concentrate and to the tails.

        (n_cases, n_cls, n_solid) each, as ``apply`` splits this feed: with a mass pull
        the non-GRG shares depend on the feed's composition (the closed-circuit solver
        iterates on them, ``solvers.closed_circuit``); at fixed shares the unit is
        diagonal.
        """
        rec, _ = self._recovery(state, feed)
        return rec, 1.0 - rec

    def _recovery(self, state: GravityState, feed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Recovery to concentrate by case, class and species; GRG recovered [t/h]."""
        params, e = state.params, state.grg_recovery_frac
        screened, heavy = state.screened_out, state.heavy
        c = self.comps
        n = feed.shape[0]
        sv = c.solids_view(feed)
        solids = total_solids(c, feed)
        rec = np.zeros_like(sv)  # recovery to concentrate by case, class, species
        rec[:, :, self.i_grg] = e
        grg_rec = (sv[:, :, self.i_grg] * e).sum(axis=1)
        # non-GRG mass to pull, light and heavy particles that pass the trash screen
        wanted = np.maximum(params["mass_pull_frac"] * solids - grg_rec, 0.0)
        open_cls = ~screened  # (n, n_cls)
        light = self.other[None, :] & ~heavy  # (n, n_solid)
        light_m = np.empty(n)
        heavy_m = np.empty(n)
        for i in range(n):
            passing = sv[i : i + 1, open_cls[i]]
            light_m[i] = passing[:, :, light[i]].sum(axis=(1, 2))[0]
            heavy_m[i] = passing[:, :, heavy[i]].sum(axis=(1, 2))[0]
        enrich = params["heavy_enrichment"]
        denom = light_m + enrich * heavy_m
        r_light = safe_div(wanted, denom)
        r_heavy = enrich * r_light
        full = r_heavy > 1.0  # every heavy particle taken: the rest comes from the light
        r_heavy = np.where(full, 1.0, r_heavy)
        r_light = np.where(
            full,
            safe_div(wanted - heavy_m, light_m),
            r_light,
        )
        r_light = np.clip(r_light, 0.0, 1.0)
        rec = np.where(open_cls[:, :, None] & light[:, None, :], r_light[:, None, None], rec)
        rec = np.where(open_cls[:, :, None] & heavy[:, None, :], r_heavy[:, None, None], rec)
        if self.electrum is not None:
            # electrum silver: the recovery of the free gold of its size class
            i_el, gold = self.electrum
            gold_feed = sv[:, :, gold]
            rec[:, :, i_el] = safe_div(
                (gold_feed * rec[:, :, gold]).sum(axis=2), gold_feed.sum(axis=2)
            )
        return rec, grg_rec

    def apply(self, state: GravityState, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Recover GRG by size, top the concentrate up to its mass pull, split the water."""
        params = state.params
        (feed,) = inlets
        c = self.comps
        sv = c.solids_view(feed)
        solids = total_solids(c, feed)
        rec, grg_rec = self._recovery(state, feed)
        conc = np.zeros_like(feed)
        c.solids_view(conc)[:] = sv * rec
        conc_solids = total_solids(c, conc)
        w = params["concentrate_solids_frac"]
        water_f = feed[:, self.i_water]
        water_c = np.minimum(conc_solids * (1.0 - w) / w, water_f)
        share = safe_div(water_c, water_f)
        conc[:, self.sol] = feed[:, self.sol] * share[:, None]
        added = np.zeros_like(feed)
        added[:, self.i_water] = params["fluidisation_water_t_t"] * solids
        tails = feed + added - conc

        au_feed = (sv * self.au).sum(axis=(1, 2))
        au_conc = (c.solids_view(conc) * self.au).sum(axis=(1, 2))
        grg_feed = sv[:, :, self.i_grg].sum(axis=1)
        metrics = {
            "au_grg_recovery_frac": safe_div(grg_rec, grg_feed),
            "au_recovery_frac": safe_div(au_conc, au_feed),
            "mass_pull_frac": safe_div(conc_solids, solids),
            "concentrate_kg_h": conc_solids * 1000.0,
            "concentrate_au_gpt": safe_div(au_conc * G_PER_T, conc_solids),
            "feed_au_gpt": safe_div(au_feed * G_PER_T, solids),
            "fluidisation_water_tph": added[:, self.i_water].copy(),
        }
        return UnitResult((conc, tails), added=added, metrics=metrics)


def _check(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    key = f"units.{spec.name}"
    if not comps.has("au_grg"):
        problems.append(
            Problem(
                file,
                key,
                "a gravity_concentrator recovers gravity-recoverable gold: declare the solid "
                "species 'au_grg' and give the ore's GRG test value as its deportment",
            )
        )


GRAVITY_CONCENTRATOR = UnitType(
    name="gravity_concentrator",
    route_word="gravity concentrate",
    summary="centrifugal concentrator (Knelson/Falcon): GRG recovery per pass by size, tiny mass pull",
    inlets=("feed",),
    outlets=("concentrate", "tails"),
    params=PARAMS,
    build=GravityConcentrator,
    check=_check,
    requires=("water",),
    kpi_families=("gravity",),
    sizing=Sizing("feed", curve="gravity_concentrator"),
)

UNIT_TYPES = (GRAVITY_CONCENTRATOR,)
