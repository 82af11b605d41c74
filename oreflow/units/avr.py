"""AVR: cyanide recovered from a cyanide solution by acidification, volatilisation and re-neutralisation.

``avr`` treats a clear cyanide solution (a barren bleed, a tailings-thickener overflow)
without sulfide (Elbow Creek Engineering 2014, *The AVR acidification volatilization
reabsorption cyanide recovery process*, flowsheet [L]; Dai, Simons & Breuer 2012,
Miner. Eng. 25:1, abstract only; Mudder, Botz & Smith 2001, *Chemistry and Treatment
of Cyanidation Wastes*, 2nd ed., Mining Journal Books, on cyanide recovery [not read:
cited as the reference text]): sulfuric acid to pH 2-7 turns free cyanide and the
cyanide of the copper complexes into HCN and precipitates the copper as CuCN (or CuSCN
in thiocyanate-rich solution); air strips the HCN in a tower, caustic soda absorbs it
as NaCN (outlet ``cyanide``, returned to the leach), a little leaves by the stack;
lime re-neutralises the stripped solution (outlet ``solution``), turning the HCN left
back into free cyanide and the sulfate above its solubility into gypsum; the copper
precipitate is thickened and filtered (outlet ``precipitate``). The kernel
(``oreflow.kernels.avr``) gives the reactions; the copper's pH response, the acid on
alkalinity and free acid, the gypsum and the cake split are SART's
(``oreflow.units.sart``, ``oreflow.kernels.sart``).

Drivers and what they do:

- ``ph`` (3.5; 2-7 in AVR practice [L]): copper precipitated ``cu_max_frac x
  1 / (1 + 10^(ph_slope (ph - ph50)))`` with ``ph50`` 4.5 and slope 2 [assumed: CuCN
  needs a lower pH than Cu2S]; the lower pH also favours CuSCN, which releases all the
  copper's cyanide, over CuCN, which keeps one CN per Cu (lost with the precipitate).
- ``air_to_liquid_m3_m3``, ``temperature_degc``, ``n_stages``: the HCN stripped (Kremser,
  Henry constant of HCN with its temperature dependence): 800 m³/m³ and 3 stages
  [assumed] strip about 98 % at 25 °C; warmer solution strips more.
- ``absorption_frac`` (0.995 [assumed]: a packed caustic scrubber), ``naoh_ratio``
  (1.1 mol NaOH per HCN [assumed]: excess keeps the absorber alkaline), the absorber
  bleed at ``absorber_nacn_frac`` NaCN by mass (0.20 [assumed]; its water is fresh
  make-up water).
- fan power ``air m³/s x fan_pressure_kpa / fan_efficiency_frac`` (2.5 kPa and 0.70
  [assumed]) plus ``power_kw`` for pumps and agitators.

Reported: copper precipitated (``cu_precipitation_frac``, ``cucn_kg_h``,
``cuscn_kg_h``), ``hcn_strip_frac``, ``cn_returned_nacn_kg_h`` (NaCN in the absorber
liquor), ``cn_regenerated_nacn_kg_h`` (that plus the free cyanide re-neutralised in the
solution), ``cn_recovery_frac`` (both, as CN, per WAD cyanide in), ``hcn_stack_kg_h``
(HCN to atmosphere), ``cn_in_precipitate_kg_h`` (CN locked in CuCN), reagents
``use_h2so4_kg_h``, ``use_lime_kg_h`` (as CaO), ``use_naoh_kg_h`` and ``power_kw``.

Not modelled: zinc (no dissolved zinc species: Zn(CN)₄²⁻ would give all its cyanide as
HCN and leave Zn²⁺ to precipitate as hydroxide on re-neutralisation), silver (passes
as Ag(CN)₂⁻, its cyanide counted in the WAD left), iron cyanides (pass), a lime
absorber (calcium cyanide; only NaOH is offered), the precipitate's resale terms.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from oreflow.conventions import (
    AG_G_MOL,
    CN_G_MOL,
    CU_G_MOL,
    G_PER_T,
    H2SO4_G_MOL,
    NAOH_G_MOL,
    S_G_MOL,
)
from oreflow.core.components import ComponentSet
from oreflow.core.schema import Param, frac, positive
from oreflow.errors import Problem
from oreflow.kernels.arrays import safe_div
from oreflow.units import reagents
from oreflow.units.base import PrepareContext, UnitResult, UnitSpec, UnitType
from oreflow.units.sart import H2SO4, column_or_zeros, filtered_cake
from oreflow.units.sart import PARAMS as SART_PARAMS
from oreflow.units.species_checks import require_cyanide

_SO4_G_MOL = S_G_MOL + 4 * 15.999
_SCN_G_MOL = S_G_MOL + 12.011 + 14.007
_HCN_G_MOL = 1.008 + CN_G_MOL
_CAOH2_G_MOL = 74.093
_CAO_G_MOL = 56.077


def _shared(name: str, **changes: object) -> Param:
    """A parameter SART declares, with AVR's default and source where they differ."""
    (p,) = (p for p in SART_PARAMS if p.name == name)
    return dataclasses.replace(p, **changes) if changes else p


PARAMS: tuple[Param, ...] = (
    Param(
        "ph",
        "-",
        3.5,
        "pH of the acidification tank and stripping tower",
        "pH 2.0-7.0 in the AVR flowsheet of Elbow Creek Engineering 2014 [L]; 3.5 [assumed]",
        lo=1.0,
        hi=8.0,
    ),
    _shared(
        "cu_max_frac",
        source="assumed: copper cyanide precipitates almost entirely on acidification "
        "(Dai, Simons & Breuer 2012, abstract only); fit to testwork",
    ),
    _shared("ph50", default=4.5, source="assumed (CuCN needs a lower pH than Cu2S)"),
    _shared("ph_slope"),
    positive(
        "air_to_liquid_m3_m3",
        "m3/m3",
        800.0,
        "stripping air per solution treated",
        "assumed (HCN's K_aw 0.0045 at 25 °C needs a stripping factor of a few: hundreds of m³/m³)",
        hi=1e5,
    ),
    Param(
        "temperature_degc",
        "degC",
        25.0,
        "solution temperature in the stripping tower",
        "assumed (ambient)",
        lo=0.0,
        hi=90.0,
    ),
    positive(
        "n_stages",
        "-",
        3.0,
        "theoretical stages of the counter-current stripping tower",
        "assumed (packed tower; Treybal, Mass-Transfer Operations, ch. 8)",
        hi=50.0,
    ),
    frac(
        "absorption_frac",
        0.995,
        "HCN absorbed in the caustic scrubber per HCN stripped (the rest leaves by the stack)",
        "assumed (packed caustic absorber)",
    ),
    positive(
        "naoh_ratio",
        "mol/mol",
        1.1,
        "NaOH per HCN absorbed",
        "stoichiometry 1 [S]; 1.1 [assumed] keeps the absorber alkaline",
        hi=5.0,
    ),
    frac(
        "absorber_nacn_frac",
        0.20,
        "NaCN in the absorber bleed returned to the leach, by mass",
        "assumed; its water is fresh make-up",
        lo=0.01,
        hi=0.35,
    ),
    _shared("alkalinity_mg_l"),
    _shared("gypsum_solubility_g_l"),
    _shared("cake_moisture_frac", source="assumed (filter cake of a fine CuCN precipitate)"),
    positive(
        "fan_pressure_kpa",
        "kPa",
        2.5,
        "pressure the stripping and absorber air fan delivers",
        "assumed (two packed towers in series)",
        hi=50.0,
    ),
    frac(
        "fan_efficiency_frac",
        0.70,
        "fan and motor efficiency",
        "assumed",
        lo=0.05,
    ),
    Param(
        "power_kw",
        "kW",
        0.0,
        "absorbed power of pumps, agitators and the precipitate filter (beyond the fan)",
        "plant figure (0 leaves it out)",
        lo=0.0,
        hi=1e4,
    ),
)


class AvrState(NamedTuple):
    """Per-case parameters of an AVR stage, (n_cases,) arrays."""

    ph: np.ndarray
    cu_max: np.ndarray
    ph50: np.ndarray
    ph_slope: np.ndarray
    air_to_liquid: np.ndarray
    temperature: np.ndarray
    n_stages: np.ndarray
    absorption: np.ndarray
    naoh_ratio: np.ndarray
    nacn_frac: np.ndarray
    alkalinity: np.ndarray
    gypsum_sol: np.ndarray
    moisture: np.ndarray
    fan_kpa: np.ndarray
    fan_eff: np.ndarray
    power: np.ndarray


def _el(comps: ComponentSet, name: str, *elements: str) -> float:
    """Mass fraction of some elements in a declared species [-]."""
    (sp,) = (s for s in comps.species if s.name == name)
    return float(sum(sp.elements.get(e, 0.0) for e in elements))


class Avr:
    """Compiled AVR stage (see the module docstring)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        declared = {s.name for s in comps.species}
        self.i_water = comps.solution_offset("water")
        self.i_cu = comps.solution_offset("cu_aq")
        self.i_so4 = comps.solution_offset("so4_aq")
        self.i_nacn = comps.solution_offset("nacn")
        self.i_wad = comps.solution_offset("cn_wad")
        self.i_ag = comps.solution_offset("ag_aq") if comps.has("ag_aq") else None
        thio = "scn" in declared and "cuscn" in declared
        self.i_scn = comps.solution_offset("scn") if thio else None
        self.k_cuscn = comps.solid_index("cuscn") if thio else None
        self.k_cucn = comps.solid_index("cucn")
        self.k_gyp = comps.solid_index("gypsum")
        self.cu_in_cucn = _el(comps, "cucn", "cu")
        self.cn_in_cucn = _el(comps, "cucn", "c", "n")
        self.cu_in_cuscn = _el(comps, "cuscn", "cu") if thio else 1.0
        self.scn_in_cuscn = _el(comps, "cuscn", "s", "c", "n") if thio else 0.0
        self.cn_in_nacn = _el(comps, "nacn", "c", "n")
        self.s_in_so4 = _el(comps, "so4_aq", "s")
        self.s_in_gyp = _el(comps, "gypsum", "s")

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> AvrState:
        """Per-case parameter arrays."""
        return AvrState(
            ph=params["ph"],
            cu_max=params["cu_max_frac"],
            ph50=params["ph50"],
            ph_slope=params["ph_slope"],
            air_to_liquid=params["air_to_liquid_m3_m3"],
            temperature=params["temperature_degc"],
            n_stages=params["n_stages"],
            absorption=params["absorption_frac"],
            naoh_ratio=params["naoh_ratio"],
            nacn_frac=params["absorber_nacn_frac"],
            alkalinity=params["alkalinity_mg_l"],
            gypsum_sol=params["gypsum_solubility_g_l"],
            moisture=params["cake_moisture_frac"],
            fan_kpa=params["fan_pressure_kpa"],
            fan_eff=params["fan_efficiency_frac"],
            power=params["power_kw"],
        )

    def apply(self, state: AvrState, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Acidify, precipitate copper cyanide, strip and absorb HCN, re-neutralise."""
        from oreflow.kernels.avr import avr_balance_kmol_h

        (feed,) = inlets
        c = self.comps
        water = np.ascontiguousarray(feed[:, self.i_water])
        cu_t = column_or_zeros(feed, self.i_cu)
        ag_t = column_or_zeros(feed, self.i_ag)
        wad_t = column_or_zeros(feed, self.i_wad)
        free_t = column_or_zeros(feed, self.i_nacn)
        scn_t = column_or_zeros(feed, self.i_scn)
        so4_t = column_or_zeros(feed, self.i_so4)
        # silver keeps its 2 CN per Ag (it passes); the rest of the WAD is on copper
        on_cu_t = np.maximum(wad_t - 2.0 * ag_t / AG_G_MOL * CN_G_MOL, 0.0)
        kmol = avr_balance_kmol_h(
            water,
            cu_t * 1000.0 / CU_G_MOL,
            on_cu_t * 1000.0 / CN_G_MOL,
            free_t * 1000.0 * self.cn_in_nacn / CN_G_MOL,
            scn_t * 1000.0 / _SCN_G_MOL,
            so4_t * 1000.0 / _SO4_G_MOL,
            state.ph,
            state.cu_max,
            state.ph50,
            state.ph_slope,
            state.air_to_liquid,
            state.temperature,
            state.n_stages,
            state.absorption,
            state.naoh_ratio,
            state.alkalinity,
            state.gypsum_sol,
        )
        cu_cucn, cu_cuscn, released, hcn, _, absorbed, stack, left, acid, lime, gyp, naoh, f = (
            kmol.T
        )
        # masses from the species' element fractions, so Cu, C, N, S close exactly
        cucn = np.minimum(cu_cucn * CU_G_MOL / 1000.0, cu_t) / self.cu_in_cucn
        cuscn = np.minimum(cu_cuscn * CU_G_MOL / 1000.0, cu_t) / self.cu_in_cuscn
        cu_removed = cucn * self.cu_in_cucn + cuscn * self.cu_in_cuscn
        cn_locked = cucn * self.cn_in_cucn
        freed_cn = released * CN_G_MOL / 1000.0
        wad_used = np.minimum(cn_locked + freed_cn, wad_t)
        freed_cn = wad_used - cn_locked
        nacn_per_cn = 1.0 / self.cn_in_nacn
        stack_nacn = stack * CN_G_MOL / 1000.0 * nacn_per_cn
        so4_added = acid * _SO4_G_MOL / 1000.0
        gyp_s = np.minimum(gyp * S_G_MOL / 1000.0, (so4_t + so4_added) * self.s_in_so4)
        gypsum = gyp_s / self.s_in_gyp
        returned_nacn = absorbed * CN_G_MOL / 1000.0 * nacn_per_cn
        make_up = returned_nacn * (1.0 - state.nacn_frac) / state.nacn_frac

        added = np.zeros_like(feed)
        reacted = np.zeros_like(feed)
        added[:, self.i_so4] = so4_added
        added[:, self.i_water] = make_up
        reacted[:, self.i_cu] = -cu_removed
        reacted[:, self.i_wad] = -wad_used
        reacted[:, self.i_nacn] = freed_cn * nacn_per_cn - stack_nacn
        reacted[:, self.i_so4] = -gyp_s / self.s_in_so4
        solids = c.solids_view(reacted)
        solids[:, -1, self.k_cucn] = cucn
        if self.k_cuscn is not None:
            reacted[:, self.i_scn] = -cuscn * self.scn_in_cuscn
            solids[:, -1, self.k_cuscn] = cuscn
        solids[:, -1, self.k_gyp] = gypsum
        out = feed + added + reacted

        # the absorber liquor first (NaCN and its make-up water), then the cake
        cyanide = np.zeros_like(feed)
        cyanide[:, self.i_nacn] = returned_nacn
        cyanide[:, self.i_water] = make_up
        rest = out - cyanide
        precipitate = filtered_cake(c, rest, self.k_gyp, gypsum, state.moisture)
        solution = rest - precipitate
        cake_solids = precipitate[:, : c.n_solids_comp].sum(axis=1)

        cn_in = wad_t + free_t * self.cn_in_nacn  # t/h as CN (WAD includes free)
        regenerated_cn = (absorbed + left) * CN_G_MOL / 1000.0
        air_m3_h = state.air_to_liquid * water
        fan_kw = air_m3_h / 3600.0 * state.fan_kpa / state.fan_eff
        caoh2 = lime * _CAOH2_G_MOL
        metrics = {
            "solution_m3_h": water.copy(),
            "cu_in_mg_l": safe_div(cu_t * G_PER_T, water),
            "cu_out_mg_l": safe_div((cu_t - cu_removed) * G_PER_T, water),
            "cu_precipitation_frac": safe_div(cu_removed, cu_t),
            "cu_recovered_kg_h": cu_removed * 1000.0,
            "cucn_kg_h": cucn * 1000.0,
            "cuscn_kg_h": cuscn * 1000.0,
            "precipitate_cu_frac": safe_div(cu_removed, cake_solids),
            "wad_in_mg_l": safe_div(cn_in * G_PER_T, water),
            "wad_out_mg_l": safe_div((wad_t - wad_used) * G_PER_T, water),
            "hcn_strip_frac": f,
            "air_m3_h": air_m3_h,
            "cn_recovery_frac": safe_div(regenerated_cn, cn_in),
            "cn_returned_nacn_kg_h": returned_nacn * 1000.0,
            "cn_regenerated_nacn_kg_h": (returned_nacn + left * CN_G_MOL / 1000.0 * nacn_per_cn)
            * 1000.0,
            "cn_in_precipitate_kg_h": cn_locked * 1000.0,
            "hcn_stack_kg_h": stack * _HCN_G_MOL,
            "hcn_kg_h": hcn * _HCN_G_MOL,
            "h2so4_kg_h": acid * H2SO4_G_MOL,
            "caoh2_kg_h": caoh2,
            "naoh_kg_h": naoh * NAOH_G_MOL,
            "gypsum_kg_h": gypsum * 1000.0,
            "makeup_water_m3_h": make_up,
            "fan_power_kw": fan_kw,
            "use_h2so4_kg_h": acid * H2SO4_G_MOL,
            "use_lime_kg_h": caoh2 * _CAO_G_MOL / _CAOH2_G_MOL,
            "use_naoh_kg_h": naoh * NAOH_G_MOL,
            "power_kw": fan_kw + state.power,
        }
        return UnitResult(
            (precipitate, solution, cyanide), added=added, reacted=reacted, metrics=metrics
        )


def _check_avr(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    require_cyanide(spec, comps, file, problems)


AVR = UnitType(
    name="avr",
    reactive=True,
    summary="AVR: acid releases HCN and precipitates CuCN, air strips the HCN into caustic (NaCN back to the leach), lime re-neutralises",
    inlets=("feed",),
    outlets=("precipitate", "solution", "cyanide"),
    params=PARAMS,
    build=Avr,
    check=_check_avr,
    requires=("water", "cu_aq", "nacn", "cn_wad", "so4_aq", "cucn", "gypsum"),
    prices={"h2so4": H2SO4, "lime": reagents.LIME, "naoh": reagents.NAOH},
    route_word="AVR",
)

UNIT_TYPES = (AVR,)
