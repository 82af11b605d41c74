"""Gold recovery downstream of the carbon: elution, electrowinning (smelting: see below).

Merrill-Crowe zinc cementation, which deposits metal from solution as electrowinning
does, is in ``oreflow.units.merrill_crowe`` and uses the deposit functions of this
module; smelting to doré is in ``oreflow.units.smelting``, whose efficiency is in the
table below.

Typical efficiencies are those of Marsden & House 2006; docs/models.md#recovery [L] (Marsden & House 2006, *The
Chemistry of Gold Extraction*, 2nd ed., SME, ch. 7-9; not re-checked here):

========================  ==============================================
elution (AARL or Zadra)   97-99 % stripped; barren carbon 25-100 g/t
electrowinning            > 99 %
smelting to doré          > 99.9 %
carbon fines loss         20-50 g carbon/t ore; 0.1-0.5 % of gold as fines
========================  ==============================================

**No double counting** (Marsden & House 2006; docs/models.md#recovery). Gold left on stripped carbon is not lost: an
``elution`` returns it on the barren carbon (outlet ``barren_carbon``), which goes back
to the ``carbon`` inlet of the CIL/CIP/CIC, whose cascade already carries it. Likewise
the gold an ``electrowinning`` cell leaves in the spent electrolyte goes back to the
elution (its ``electrolyte`` inlet) or to the leach. Only what leaves the plant is lost:
carbon fines, and smelting slag sent to tailings. So the plant recovery is the recovery
to carbon (net of the returned barren carbon) times the share of the stripped gold that
is not lost as fines, times the smelting recovery; the product of all four efficiencies
(89.939 % in ex07) double-counts the strip and cell losses.

**Species.** Metal recovered as metal is carried by the solid species ``au_free``
(gold), ``ag`` (silver) and ``cu_metal`` (copper); each unit puts its metal in the
finest size class. Metal on carbon is ``au_carbon``, ``ag_carbon``, ``cu_carbon``; in
solution ``au_aq``, ``ag_aq``, ``cu_aq``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from oreflow.conventions import G_PER_T
from oreflow.core.components import ComponentSet
from oreflow.core.schema import Param, frac
from oreflow.errors import Problem
from oreflow.kernels.arrays import safe_div
from oreflow.units import reagents
from oreflow.units.base import (
    Checker,
    PrepareContext,
    Sizing,
    UnitResult,
    UnitSpec,
    UnitType,
    adsorbent_slice,
    total_solids,
)
from oreflow.units.species_checks import require_species

#: metal, solution species, carbon species, metal (solid) species
METALS = (
    ("au", "au_aq", "au_carbon", "au_free"),
    ("ag", "ag_aq", "ag_carbon", "ag"),
    ("cu", "cu_aq", "cu_carbon", "cu_metal"),
)


def _metals_present(comps: ComponentSet) -> list[tuple[str, str, str, str]]:
    """Metals whose solution species the case declares (gold always first)."""
    return [m for m in METALS if comps.has(m[1])]


def depositing_metals(comps: ComponentSet) -> list[tuple[str, int, int]]:
    """(metal, solution offset, metal solid index) of the metals a cell or cementation deposits."""
    return [
        (metal, comps.solution_offset(aq), comps.solid_index(solid))
        for metal, aq, _, solid in _metals_present(comps)
        if comps.has(solid)
    ]


def solids_apart(comps: ComponentSet, feed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split a feed into its solids (joining the deposit) and the rest (the solution)."""
    deposit = np.zeros_like(feed)
    deposit[:, : comps.n_solids_comp] = feed[:, : comps.n_solids_comp]
    return deposit, feed - deposit


def deposit_metal(
    comps: ComponentSet,
    feed: np.ndarray,
    aq: int,
    solid: int,
    share: np.ndarray,
    deposit: np.ndarray,
    solution: np.ndarray,
    reacted: np.ndarray,
) -> np.ndarray:
    """Move ``share`` of a dissolved metal to its solid in the finest class; return t/h."""
    dep = feed[:, aq] * share
    solution[:, aq] -= dep
    reacted[:, aq] = -dep
    comps.solids_view(deposit)[:, -1, solid] += dep
    comps.solids_view(reacted)[:, -1, solid] = dep
    return dep


def depositing_check(carrier: str, product: str) -> Checker:
    """Check of a unit depositing metal from a solution (electrowinning, Merrill-Crowe).

    The case needs water, dissolved gold and ``au_free`` for the deposit, and every
    declared dissolved Ag/Cu needs its metal solid; ``carrier`` names the solution and
    ``product`` the deposit in the message.
    """

    def check(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
        require_species(comps, ["water", "au_aq", "au_free"], spec, file, problems)
        for _, aq, _, solid in METALS[1:]:
            if comps.has(aq) and not comps.has(solid):
                problems.append(
                    Problem(
                        file,
                        f"units.{spec.name}",
                        f"the {carrier} can carry {aq!r}: declare the solid {solid!r} for "
                        f"{product}",
                    )
                )

    return check


# --- elution ---------------------------------------------------------------------------

ELUTION_PARAMS: tuple[Param, ...] = (
    frac(
        "strip_au_frac",
        0.98,
        "fraction of the gold on the carbon entering the column that is stripped into the eluate",
        "97-99 % [L] Marsden & House 2006; docs/models.md#recovery",
        lo=0.5,
    ),
    frac(
        "strip_ag_frac",
        0.95,
        "fraction of the silver stripped",
        "assumed [A]; silver strips less completely than gold [L] Marsden & House 2006 ch. 7",
    ),
    frac(
        "strip_cu_frac",
        0.95,
        "fraction of the copper stripped (much of it in a cold cyanide pre-wash)",
        "assumed [A]",
    ),
    frac(
        "loaded_fines_frac",
        0.003,
        "fraction of the loaded carbon (and of its metal) screened out as fines before elution",
        "0.1-0.5 % of the gold as fines [L] Marsden & House 2006; docs/models.md#recovery",
        hi=0.2,
    ),
    frac(
        "regeneration_loss_frac",
        0.02,
        "fraction of the stripped carbon lost in acid wash, kiln and screens (with its barren loading)",
        "assumed; with a typical carbon advance it gives the 20-50 g/t ore of Marsden & House 2006; docs/models.md#recovery [L]",
        hi=0.5,
    ),
    Param(
        "eluate_m3_t",
        "m³/t",
        10.0,
        "eluate volume per tonne of carbon eluted (topped up with water where the returned "
        "electrolyte is short; solution above it bled to the adsorption circuit with the "
        "barren carbon)",
        "assumed; AARL about 5 bed volumes of about 2 m³/t (carbon bulk density 0.5 t/m³) [L] "
        "Marsden & House 2006 ch. 7",
        lo=0.0,
        lo_open=True,
        hi=100.0,
    ),
    Param(
        "naoh_kg_t_carbon",
        "kg/t",
        20.0,
        "caustic soda per tonne of carbon eluted",
        "assumed [A]; 1-3 % NaOH eluant [L] Marsden & House 2006 ch. 7",
        lo=0.0,
        hi=1000.0,
    ),
    Param(
        "nacn_kg_t_carbon",
        "kg/t",
        10.0,
        "sodium cyanide per tonne of carbon eluted (pre-soak)",
        "assumed [A]; 0-3 % NaCN pre-soak [L] Marsden & House 2006 ch. 7",
        lo=0.0,
        hi=1000.0,
    ),
    Param(
        "hcl_kg_t_carbon",
        "kg/t",
        30.0,
        "hydrochloric acid (as HCl) per tonne of carbon acid-washed",
        "assumed [A]; 3 % HCl wash Marsden & House 2006; docs/models.md#recovery [L]",
        lo=0.0,
        hi=1000.0,
    ),
)


class Elution:
    """Fines screening, stripping (AARL/Zadra), regeneration losses; eluate held at its set volume.

    **Water balance.** The eluate volume per strip is held at ``eluate_m3_t`` per t of
    carbon eluted: solution short of it is made up with water, and solution arriving
    above it (spent electrolyte returned to the ``electrolyte`` inlet, solution
    entrained with the loaded carbon) is bled, each dissolved species in proportion, to
    the adsorption circuit with the regenerated carbon (outlet ``barren_carbon``, whose
    solution the CIL/CIP/CIC joins to its pulp) [assumed]; spent electrolyte goes back to
    the elution or to the leach, Marsden & House 2006, ch. 7-9 (see the module header).
    Without the bleed, the electrolyte loop (elution, electrowinning, back) would keep
    any volume at or above the set one: every such volume was a steady state. With it,
    the eluate holds exactly the set volume at every steady state.
    """

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.i_c = comps.adsorbent_offset("carbon")
        self.i_w = comps.solution_offset("water")
        self.ads = adsorbent_slice(comps)
        self.metals = []
        for metal, aq, on_c, _ in _metals_present(comps):
            if comps.has(on_c):
                self.metals.append((metal, comps.solution_offset(aq), comps.adsorbent_offset(on_c)))
        self.returns = "electrolyte" in spec.inlets

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """Per-case parameters."""
        return params

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Split the loaded carbon into fines, eluate metal and barren carbon."""
        p = state
        loaded = inlets[0]
        n = loaded.shape[0]
        lf = p["loaded_fines_frac"][:, None]
        rl = p["regeneration_loss_frac"][:, None]
        carb = np.zeros_like(loaded)
        carb[:, self.ads] = loaded[:, self.ads]
        fines = carb * lf
        stripped_carbon = carb - fines
        stripped = np.zeros((n, len(self.metals)))
        for m, (metal, _, on_c) in enumerate(self.metals):
            stripped[:, m] = stripped_carbon[:, on_c] * p[f"strip_{metal}_frac"]
            stripped_carbon[:, on_c] -= stripped[:, m]
        regen = stripped_carbon * rl
        barren = stripped_carbon - regen
        fines = fines + regen

        eluate = loaded.copy()
        eluate[:, self.ads] = 0.0  # anything entrained with the carbon joins the eluate
        if self.returns:
            eluate += inlets[1]
        carbon_t = stripped_carbon[:, self.i_c]
        target = p["eluate_m3_t"] * carbon_t
        water_in = eluate[:, self.i_w].copy()
        makeup = np.maximum(target - water_in, 0.0)
        bled = self._bleed(eluate, water_in, target)
        barren += bled
        eluate[:, self.i_w] += makeup
        added = np.zeros_like(loaded)
        added[:, self.i_w] = makeup
        reacted = np.zeros_like(loaded)
        for m, (_, aq, on_c) in enumerate(self.metals):
            eluate[:, aq] += stripped[:, m]
            reacted[:, aq] = stripped[:, m]
            reacted[:, on_c] = -stripped[:, m]

        in_c = carb[:, self.i_c]
        metrics: dict[str, np.ndarray] = {
            "carbon_eluted_t_d": carbon_t * 24.0,
            "eluate_m3_h": eluate[:, self.i_w].copy(),
            "electrolyte_bleed_m3_h": bled[:, self.i_w].copy(),
            "carbon_lost_kg_h": fines[:, self.i_c] * 1000.0,
            "use_naoh_kg_h": p["naoh_kg_t_carbon"] * carbon_t,
            "use_nacn_kg_h": p["nacn_kg_t_carbon"] * carbon_t,
            "use_hcl_kg_h": p["hcl_kg_t_carbon"] * carbon_t,
        }
        for m, (metal, aq, on_c) in enumerate(self.metals):
            metrics[f"loaded_carbon_{metal}_g_t"] = safe_div(carb[:, on_c] * G_PER_T, in_c)
            metrics[f"barren_carbon_{metal}_g_t"] = safe_div(
                barren[:, on_c] * G_PER_T, barren[:, self.i_c]
            )
            metrics[f"{metal}_stripped_g_h"] = stripped[:, m] * G_PER_T
            metrics[f"{metal}_fines_frac"] = safe_div(fines[:, on_c], carb[:, on_c])
            metrics[f"eluate_{metal}_mg_l"] = safe_div(eluate[:, aq] * G_PER_T, eluate[:, self.i_w])
        return UnitResult((barren, eluate, fines), added=added, reacted=reacted, metrics=metrics)

    def _bleed(self, eluate: np.ndarray, water_in: np.ndarray, target: np.ndarray) -> np.ndarray:
        """Take the solution above the set eluate volume out of ``eluate``; return it.

        Solution arriving above ``target`` (m³/h of water) leaves in proportion to each
        dissolved species; the solids (which join the cathode sludge) stay. Where the
        volume is at or below the set one, nothing is taken and ``eluate`` is untouched.
        """
        bled = np.zeros_like(eluate)
        over = water_in > target
        if not over.any():
            return bled
        rows = np.flatnonzero(over)
        share = (water_in[rows] - target[rows]) / water_in[rows]
        sol = slice(self.comps.n_solids_comp, self.ads.start)
        bled[rows, sol] = eluate[rows, sol] * share[:, None]
        bled[rows, self.i_w] = water_in[rows] - target[rows]
        eluate[rows, sol] -= bled[rows, sol]
        eluate[rows, self.i_w] = target[rows]
        return bled


def _check_elution(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    require_species(comps, ["water", "carbon", "au_carbon", "au_aq"], spec, file, problems)
    for _, aq, on_c, _ in METALS:
        if comps.has(on_c) and not comps.has(aq):
            require_species(comps, [aq], spec, file, problems)


ELUTION = UnitType(
    name="elution",
    reactive=True,
    summary="carbon elution and regeneration: loaded fines screened off, AARL/Zadra strip to an "
    "eluate, acid-wash and kiln losses; barren carbon back to the CIL/CIP/CIC carbon inlet; "
    "optional electrolyte inlet for the spent electrolyte returned by electrowinning; the "
    "eluate held at its set volume, solution above it bled with the barren carbon",
    inlets=("loaded_carbon", "electrolyte"),
    optional_inlets=("electrolyte",),
    outlets=("barren_carbon", "eluate", "fines"),
    params=ELUTION_PARAMS,
    build=Elution,
    check=_check_elution,
    prices={"naoh": reagents.NAOH, "nacn": reagents.NACN, "hcl": reagents.HCL},
    sizing=Sizing(
        "metric",
        curve="elution_ew",
        item="elution_ew",
        metric="carbon_eluted_t_d",
        basis="carbon eluted",
    ),
)


# --- electrowinning ---------------------------------------------------------------------

EW_PARAMS: tuple[Param, ...] = (
    frac(
        "recovery_au_frac",
        0.995,
        "fraction of the gold in the eluate deposited per pass (the rest stays in the spent "
        "electrolyte; return it to the elution or the leach)",
        "> 99 % [L] Marsden & House 2006; docs/models.md#recovery",
    ),
    frac(
        "recovery_ag_frac",
        0.99,
        "fraction of the silver deposited per pass",
        "assumed [A]; silver plates as readily as gold [L] Marsden & House 2006 ch. 9",
    ),
    frac(
        "recovery_cu_frac",
        0.5,
        "fraction of the copper deposited per pass",
        "assumed [A]; copper co-deposits and lowers current efficiency [L] Marsden & House "
        "2006 ch. 9",
    ),
)


class Electrowinning:
    """Deposits a fixed share of each metal of the eluate as cathode sludge."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.i_w = comps.solution_offset("water")
        self.metals = depositing_metals(comps)

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """Per-case parameters."""
        return params

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Deposit metal; solids arriving with the eluate join the cathode sludge."""
        p = state
        (feed,) = inlets
        c = self.comps
        cathode, spent = solids_apart(c, feed)
        reacted = np.zeros_like(feed)
        metrics: dict[str, np.ndarray] = {}
        for metal, aq, solid in self.metals:
            share = p[f"recovery_{metal}_frac"]
            dep = deposit_metal(c, feed, aq, solid, share, cathode, spent, reacted)
            metrics[f"cathode_{metal}_kg_h"] = dep * 1000.0
            metrics[f"spent_{metal}_mg_l"] = safe_div(spent[:, aq] * G_PER_T, spent[:, self.i_w])
        metrics["cathode_sludge_kg_h"] = total_solids(c, cathode) * 1000.0
        return UnitResult((cathode, spent), reacted=reacted, metrics=metrics)


_check_ew = depositing_check("eluate", "its deposit")


ELECTROWINNING = UnitType(
    name="electrowinning",
    reactive=True,
    summary="electrowinning of the eluate: a share of each metal deposited as cathode sludge "
    "(au_free, ag, cu_metal); spent electrolyte out",
    inlets=("eluate",),
    outlets=("cathode", "spent"),
    params=EW_PARAMS,
    build=Electrowinning,
    check=_check_ew,
)


__all__ = [
    "ELECTROWINNING",
    "ELUTION",
    "METALS",
    "deposit_metal",
    "depositing_check",
    "depositing_metals",
    "solids_apart",
]

UNIT_TYPES = (
    ELUTION,
    ELECTROWINNING,
)
