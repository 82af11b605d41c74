"""SART: copper recovered as Cu₂S and cyanide regenerated from a cyanide solution.

``sart`` (sulfidisation, acidification, recycling, thickening; MacPhail, Fleming &
Sarbutt 1998, *Cyanide recovery by the SART process for the treatment of
copper-containing gold ores*, Randol Gold & Silver Forum; Barter et al. 2001, *Cyanide
management by SART*, SGS Minerals Technical Bulletin 2001-04, Telfer) treats a clear
cyanide solution (a barren bleed, a tailings-thickener overflow, a heap-leach PLS):
sodium hydrosulfide (or sulfide) and sulfuric acid to pH 4-5 precipitate the copper of
the cyanide complexes as Cu₂S and turn its cyanide and the free cyanide into HCN; the
Cu₂S is thickened and filtered as a saleable product; lime returns the HCN to free
cyanide at pH 10.5-11 and the sulfate to gypsum, and the solution goes back to the
leach (kernel ``oreflow.kernels.sart``, which gives the reactions).

Drivers and what they do:

- ``sulfide_ratio`` (dose per the stoichiometric ½ mol S per mol Cu, 0.441 g NaHS per g
  Cu, the Yanacocha plant's 0.44 g/g [S]; silver counted with copper when it is
  precipitated): below 1 the sulfide limits the metal precipitated (2 Cu per S); above it the excess stays dissolved (``hs_aq``) and takes
  acid and lime.
- ``ph`` (4-5 at Yanacocha [L]): the copper precipitated is ``cu_max_frac`` x
  ``1 / (1 + 10^(ph_slope (ph - ph50)))`` (the Cu(I) cyanide complex holds its copper as
  the pH rises; the shape and ``ph50`` 6, slope 2 are [assumed], giving 99.9 % of the
  ultimate at pH 4.5 and 50 % at pH 6).
- acid: one H⁺ per free cyanide, n - ½ per copper with n cyanide (n from the
  solution's WAD cyanide per copper; n with Na₂S), one per excess HS⁻ (two with Na₂S),
  the alkalinity (``alkalinity_mg_l`` as CaCO₃) and the free acid of the set pH;
  ``use_h2so4_kg_h``.
- cyanide: the WAD cyanide on copper (all of it less silver's) is released in
  proportion to the copper precipitated (oreflow carries no zinc or nickel complexes); a fraction ``cn_loss_frac`` of the HCN is lost
  (volatilised to the scrubber, thiocyanate) and the rest leaves as free cyanide
  (``nacn``, as NaCN). ``cn_recovery_frac`` = free cyanide out per WAD cyanide in (both
  as CN, the WAD figure including the free cyanide).
- lime (``use_lime_kg_h``, as CaO like the leach lime): ½ mol Ca(OH)₂ per mol of HCN
  kept, of H₂S and of alkalinity equivalent; its calcium takes the sulfate above
  ``gypsum_solubility_g_l`` to gypsum, which leaves with the treated solution (at
  Yanacocha the gypsum underflow joins the leach's CCD), in the finest size class.
- The precipitate (outlet ``precipitate``) is the filtered Cu₂S with the feed's solids
  and ``cake_moisture_frac`` of treated solution; its copper grade is
  ``precipitate_cu_frac``. Price it as a ``product`` of kind ``concentrate``.

Sulfur, copper and silver close as species: the NaHS sulfur is added as ``hs_aq`` and
reacts to ``cu2s`` (and ``ag2s``); the acid's sulfur is added as ``so4_aq`` and part reacts to ``gypsum`` (masses
from the species' own element fractions, so the element balance closes exactly).
- Silver: where the case declares ``ag2s`` (and ``ag_aq``), the silver precipitates as
  Ag₂S with the copper, as at Yanacocha [L], by the same pH response and ultimate
  fraction [assumed], and takes the sulfide first (Ag₂S is far less soluble than Cu₂S);
  its 2 CN per Ag (Ag(CN)₂⁻, as the leach carries it) are released. Without ``ag2s`` the
  silver stays in solution.

Not modelled: zinc (no Zn element: ZnS precipitation and its sulfide are left out),
thiocyanate (passes), CuSCN co-precipitation,
H₂S stripping of the excess sulfide, the residence time and seed recycle of the
reactors (equilibrium at the set pH is assumed, as plants run 10-20 min reactors with
underflow seed recycle). AVR (acidification-volatilisation-reneutralisation without
sulfide) is ``oreflow.units.avr``; it shares this module's pH response, acid, lime,
gypsum and cake split.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from oreflow.conventions import (
    AG_G_MOL,
    CN_G_MOL,
    CU_G_MOL,
    G_PER_T,
    H2SO4_G_MOL,
    NACN_G_MOL,
    S_G_MOL,
)
from oreflow.core.components import ComponentSet
from oreflow.core.schema import Param, frac, positive
from oreflow.errors import Problem
from oreflow.kernels.arrays import safe_div
from oreflow.units import reagents
from oreflow.units.base import PrepareContext, Price, UnitResult, UnitSpec, UnitType
from oreflow.units.species_checks import require_cyanide

_SO4_G_MOL = S_G_MOL + 4 * 15.999
_NAHS_G_MOL = 22.990 + 1.008 + S_G_MOL
_NA2S_G_MOL = 2 * 22.990 + S_G_MOL
_CAOH2_G_MOL = 40.078 + 2 * (15.999 + 1.008)  # Ca(OH)2, the atomic weights of conventions
_CAO_G_MOL = 40.078 + 15.999

NAHS = Price(0.80, "assumed (sodium hydrosulfide, 100 % basis; sold as 40-45 % solution)")
NA2S = Price(0.70, "assumed (sodium sulfide, 100 % basis)")
H2SO4 = Price(0.15, "assumed (98 % sulfuric acid delivered, USD 100-200/t)")

PARAMS: tuple[Param, ...] = (
    Param(
        "sulfide_ratio",
        "-",
        1.1,
        "sulfide dosed per the stoichiometric ½ mol S per mol Cu and Ag (1 = 0.441 g NaHS/g Cu)",
        "stoichiometry 0.44 g NaHS/g Cu at Yanacocha [S] (miningandmetallurgy.com, The "
        "SART plant in Yanacocha); 1.1 [assumed]: plants dose a small excess",
        lo=0.0,
        hi=5.0,
    ),
    Param(
        "sulfide_reagent",
        "-",
        "nahs",
        "sulfidising reagent: sodium hydrosulfide (NaHS) or sodium sulfide (Na2S)",
        "MacPhail, Fleming & Sarbutt 1998 [L]",
        kind=str,
        choices=("nahs", "na2s"),
    ),
    Param(
        "ph",
        "-",
        4.5,
        "pH of the sulfidisation-acidification reactor",
        "pH 4-5 at Yanacocha [L] (miningandmetallurgy.com, The SART plant in Yanacocha); "
        "MacPhail, Fleming & Sarbutt 1998",
        lo=2.0,
        hi=9.0,
    ),
    frac(
        "cu_max_frac",
        0.98,
        "copper precipitated at a full sulfide dose and low pH",
        "assumed: SART is reported to remove most of the copper at pH 4-5 (Barter et al. "
        "2001; MacPhail, Fleming & Sarbutt 1998); fit to testwork",
    ),
    Param(
        "ph50",
        "-",
        6.0,
        "pH at which half the copper still precipitates",
        "assumed (shape of the pH response)",
        lo=3.0,
        hi=10.0,
    ),
    positive(
        "ph_slope",
        "-",
        2.0,
        "steepness of the decline of copper precipitation with pH (per pH unit, log10)",
        "assumed (shape of the pH response)",
        hi=10.0,
    ),
    frac(
        "cn_loss_frac",
        0.03,
        "fraction of the HCN lost (volatilised to the scrubber, to thiocyanate) instead of "
        "regenerated as free cyanide",
        "assumed; closed reactors with an HCN scrubber lose a few %",
    ),
    Param(
        "alkalinity_mg_l",
        "mg/L",
        100.0,
        "alkalinity of the feed solution that the acid neutralises, as CaCO3",
        "assumed (lime-protected leach solution at pH 10.5-11 with some carbonate)",
        lo=0.0,
        hi=1e5,
    ),
    Param(
        "gypsum_solubility_g_l",
        "g/L",
        2.0,
        "calcium sulfate left dissolved after re-neutralisation, as CaSO4",
        "gypsum solubility about 2.0-2.1 g/L CaSO4 at 20-25 °C [L] (CRC Handbook of "
        "Chemistry and Physics)",
        lo=0.0,
        hi=50.0,
    ),
    Param(
        "cake_moisture_frac",
        "-",
        0.20,
        "solution in the filtered Cu2S cake, per mass of wet cake",
        "assumed (filter cake of a fine sulfide precipitate)",
        lo=0.0,
        hi=0.9,
    ),
    Param(
        "power_kw",
        "kW",
        0.0,
        "absorbed power of the reactors, thickeners, filter and scrubber",
        "plant figure (0 leaves it out of the power and cost totals)",
        lo=0.0,
        hi=1e4,
    ),
)


def column_or_zeros(x: np.ndarray, i: int | None) -> np.ndarray:
    """Column ``i`` of stream arrays (contiguous), or zeros where the case lacks the species."""
    if i is None:
        return np.zeros(x.shape[0])
    return np.ascontiguousarray(x[:, i])


class SartState(NamedTuple):
    """Per-case parameters of a SART stage, (n_cases,) arrays."""

    sulfide_ratio: np.ndarray
    ph: np.ndarray
    cu_max: np.ndarray
    ph50: np.ndarray
    ph_slope: np.ndarray
    cn_loss: np.ndarray
    alkalinity: np.ndarray
    gypsum_sol: np.ndarray
    moisture: np.ndarray
    power: np.ndarray


def _fraction(comps: ComponentSet, name: str, element: str) -> float:
    """Mass fraction of an element in a declared species [-]."""
    (sp,) = (s for s in comps.species if s.name == name)
    return float(sp.elements.get(element, 0.0))


def filtered_cake(
    comps: ComponentSet, out: np.ndarray, k_gyp: int, gypsum: np.ndarray, moisture: np.ndarray
) -> np.ndarray:
    """The filtered precipitate of an acidification stage (SART, AVR), (n, n_comp).

    The feed's solids and the precipitate, less the gypsum formed (it leaves with the
    treated solution), with ``moisture`` (per mass of wet cake) of the treated solution.
    """
    precipitate = np.zeros_like(out)
    ns = comps.n_solids_comp
    precipitate[:, :ns] = out[:, :ns]
    comps.solids_view(precipitate)[:, -1, k_gyp] -= gypsum
    cake_solids = precipitate[:, :ns].sum(axis=1)
    n_sol = len(comps.solution)
    sol = out[:, ns : ns + n_sol]
    liquid = sol.sum(axis=1)
    share = np.minimum(safe_div(cake_solids * moisture / (1.0 - moisture), liquid), 1.0)
    precipitate[:, ns : ns + n_sol] = sol * share[:, None]
    return precipitate


class Sart:
    """Compiled SART stage (see the module docstring)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.na2s = spec.params["sulfide_reagent"] == "na2s"

        def offset(name: str) -> int | None:
            return comps.solution_offset(name) if comps.has(name) else None

        self.i_water = comps.solution_offset("water")
        self.i_cu = comps.solution_offset("cu_aq")
        self.i_hs = comps.solution_offset("hs_aq")
        self.i_so4 = comps.solution_offset("so4_aq")
        self.i_nacn = offset("nacn")
        self.i_wad = offset("cn_wad")
        self.k_cu2s = comps.solid_index("cu2s")
        self.k_gyp = comps.solid_index("gypsum")
        # silver precipitates as Ag2S where the case declares both ag_aq and ag2s
        declared = {s.name for s in comps.solids}
        silver = comps.has("ag_aq") and "ag2s" in declared
        self.i_ag = comps.solution_offset("ag_aq") if silver else None
        self.k_ag2s = comps.solid_index("ag2s") if silver else None
        self.ag_in_ag2s = _fraction(comps, "ag2s", "ag") if silver else 1.0
        self.s_in_ag2s = _fraction(comps, "ag2s", "s") if silver else 0.0
        self.cu_in_cu2s = _fraction(comps, "cu2s", "cu")
        self.s_in_cu2s = _fraction(comps, "cu2s", "s")
        self.s_in_hs = _fraction(comps, "hs_aq", "s")
        self.s_in_so4 = _fraction(comps, "so4_aq", "s")
        self.s_in_gyp = _fraction(comps, "gypsum", "s")

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> SartState:
        """Per-case parameter arrays."""
        return SartState(
            sulfide_ratio=params["sulfide_ratio"],
            ph=params["ph"],
            cu_max=params["cu_max_frac"],
            ph50=params["ph50"],
            ph_slope=params["ph_slope"],
            cn_loss=params["cn_loss_frac"],
            alkalinity=params["alkalinity_mg_l"],
            gypsum_sol=params["gypsum_solubility_g_l"],
            moisture=params["cake_moisture_frac"],
            power=params["power_kw"],
        )

    def apply(self, state: SartState, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Precipitate Cu2S, regenerate free cyanide, dose the reagents, split the cake."""
        from oreflow.kernels.sart import sart_balance_kmol_h

        (feed,) = inlets
        c = self.comps
        water = np.ascontiguousarray(feed[:, self.i_water])
        cu_t = column_or_zeros(feed, self.i_cu)
        ag_t = column_or_zeros(feed, self.i_ag)
        wad_t = column_or_zeros(feed, self.i_wad)
        free_t = column_or_zeros(feed, self.i_nacn)
        so4_t = column_or_zeros(feed, self.i_so4)
        kmol = sart_balance_kmol_h(
            water,
            cu_t * 1000.0 / CU_G_MOL,
            ag_t * 1000.0 / AG_G_MOL,
            wad_t * 1000.0 / CN_G_MOL,
            free_t * 1000.0 / NACN_G_MOL,
            so4_t * 1000.0 / _SO4_G_MOL,
            state.sulfide_ratio,
            state.ph,
            state.cu_max,
            state.ph50,
            state.ph_slope,
            state.cn_loss,
            state.alkalinity,
            state.gypsum_sol,
            self.na2s,
        )
        cu_p, ag_p, s_dose, _, released, kept, lost, acid, lime, gyp = kmol.T

        # masses from the species' element fractions, so Cu, Ag and S close exactly
        cu_removed = np.minimum(cu_p * CU_G_MOL / 1000.0, cu_t)
        cu2s = cu_removed / self.cu_in_cu2s
        ag_removed = np.minimum(ag_p * AG_G_MOL / 1000.0, ag_t)
        ag2s = ag_removed / self.ag_in_ag2s
        s_used = cu2s * self.s_in_cu2s + ag2s * self.s_in_ag2s
        s_added = np.maximum(s_dose * S_G_MOL / 1000.0, s_used)
        so4_added = acid * _SO4_G_MOL / 1000.0
        gyp_s = np.minimum(gyp * S_G_MOL / 1000.0, (so4_t + so4_added) * self.s_in_so4)

        added = np.zeros_like(feed)
        reacted = np.zeros_like(feed)
        added[:, self.i_hs] = s_added / self.s_in_hs
        added[:, self.i_so4] = so4_added
        reacted[:, self.i_cu] = -cu_removed
        reacted[:, self.i_hs] = -s_used / self.s_in_hs
        reacted[:, self.i_so4] = -gyp_s / self.s_in_so4
        c.solids_view(reacted)[:, -1, self.k_cu2s] = cu2s
        if self.i_ag is not None:
            reacted[:, self.i_ag] = -ag_removed
            c.solids_view(reacted)[:, -1, self.k_ag2s] = ag2s
        gypsum = gyp_s / self.s_in_gyp
        c.solids_view(reacted)[:, -1, self.k_gyp] = gypsum
        if self.i_wad is not None:
            reacted[:, self.i_wad] = -np.minimum(released * CN_G_MOL / 1000.0, wad_t)
        if self.i_nacn is not None:
            reacted[:, self.i_nacn] = kept * NACN_G_MOL / 1000.0 - free_t
        out = feed + added + reacted

        precipitate = filtered_cake(c, out, self.k_gyp, gypsum, state.moisture)
        cake_solids = precipitate[:, : c.n_solids_comp].sum(axis=1)
        solution = out - precipitate

        cn_in = wad_t + free_t * CN_G_MOL / NACN_G_MOL  # t/h as CN (WAD includes free)
        cn_out_free = kept * CN_G_MOL / 1000.0
        nahs_mw = _NA2S_G_MOL if self.na2s else _NAHS_G_MOL
        reagent_kg_h = s_added * 1000.0 / S_G_MOL * nahs_mw
        caoh2 = lime * _CAOH2_G_MOL
        item = "na2s" if self.na2s else "nahs"
        metrics = {
            "solution_m3_h": water.copy(),
            "cu_in_mg_l": safe_div(cu_t * G_PER_T, water),
            "cu_out_mg_l": safe_div((cu_t - cu_removed) * G_PER_T, water),
            "cu_precipitation_frac": safe_div(cu_removed, cu_t),
            "cu_recovered_kg_h": cu_removed * 1000.0,
            "cu2s_kg_h": cu2s * 1000.0,
            "precipitate_cu_frac": safe_div(cu_removed, cake_solids),
            "ag_precipitation_frac": safe_div(ag_removed, ag_t),
            "precipitate_ag_g_t": safe_div(ag_removed * G_PER_T, cake_solids),
            "wad_in_mg_l": safe_div(cn_in * G_PER_T, water),
            "wad_out_mg_l": safe_div(
                (wad_t + reacted[:, self.i_wad] if self.i_wad is not None else 0.0) * G_PER_T,
                water,
            ),
            "cn_recovery_frac": safe_div(cn_out_free, cn_in),
            "cn_regenerated_nacn_kg_h": kept * NACN_G_MOL,
            "hcn_lost_kg_h": lost * CN_G_MOL,
            "sulfide_excess_mg_l": safe_div((s_added - s_used) * G_PER_T, water),
            "sulfide_per_cu_g_g": safe_div(reagent_kg_h, cu_t * 1000.0),
            f"{item}_kg_h": reagent_kg_h,
            "h2so4_kg_h": acid * H2SO4_G_MOL,
            "caoh2_kg_h": caoh2,
            "gypsum_kg_h": gypsum * 1000.0,
            f"use_{item}_kg_h": reagent_kg_h,
            "use_h2so4_kg_h": acid * H2SO4_G_MOL,
            "use_lime_kg_h": caoh2 * _CAO_G_MOL / _CAOH2_G_MOL,
            "power_kw": np.asarray(state.power, dtype=np.float64).copy(),
        }
        return UnitResult((precipitate, solution), added=added, reacted=reacted, metrics=metrics)


def _check_sart(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    require_cyanide(spec, comps, file, problems)


SART = UnitType(
    name="sart",
    reactive=True,
    summary="SART: NaHS and acid precipitate Cu2S from a cyanide solution, lime regenerates free cyanide",
    inlets=("feed",),
    outlets=("precipitate", "solution"),
    params=PARAMS,
    build=Sart,
    check=_check_sart,
    requires=("water", "cu_aq", "hs_aq", "so4_aq", "cu2s", "gypsum"),
    prices={"h2so4": H2SO4, "lime": reagents.LIME, "na2s": NA2S, "nahs": NAHS},
    route_word="SART",
)

UNIT_TYPES = (SART,)
