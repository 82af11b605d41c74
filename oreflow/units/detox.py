"""Cyanide destruction (INCO SO₂/air).

``inco_detox`` (Mudder, Botz & Smith 2001, Chemistry and Treatment of Cyanidation Wastes, §6.12; docs/models.md#detox; Mudder, Botz & Smith 2001, *Chemistry and Treatment of
Cyanidation Wastes*, 2nd ed., Mining Journal Books, §6.12):

    CN⁻ + SO₂ + O₂ + H₂O --Cu²⁺--> OCN⁻ + SO₄²⁻ + 2 H⁺
    M(CN)₄²⁻ + 4 SO₂ + 4 O₂ + 4 H₂O --Cu²⁺--> 4 OCN⁻ + 8 H⁺ + 4 SO₄²⁻ + M²⁺

Cyanide is counted as WAD cyanide *as CN*: the free cyanide of the stream (species
``nacn``, carried as NaCN, x 26.018/49.007) plus the weak-acid-dissociable complexes
(species ``cn_wad``, as CN) — the analytical WAD figure includes free cyanide.

- Outlet: the SO₂ dose is controlled to a set outlet WAD (``wad_target_mg_l``) or a
  set destruction (``destruction_frac``), but the reactor can do no better than
  first-order destruction in ``n_tanks`` mixed tanks allows:
  ``C_out = min(C_in, max(C_set, C_in (1 + k τ/N)^-N))`` (kernel
  ``inco_outlet_wad_mg_l``). Zero residence changes nothing; infinite residence reaches
  the set point. The first-order form and ``rate_per_h`` are [assumed]; docs/models.md
  gives 30-120 min to < 1-5 mg/L [L].
- Free and complexed cyanide are destroyed in the same proportion and become cyanate
  (species ``ocn``, if declared; 42.017 g OCN per 26.018 g CN).
- SO₂ = ``so2_cn_ratio`` x CN removed (theoretical 2.462 g/g [S], practical 3-5, default
  4 [L]); as liquid SO₂ or sodium metabisulfite (0.674 g SO₂/g [S]).
- Lime neutralises the acid: 1.157 g Ca(OH)₂ per g SO₂ [S], half of it with
  metabisulfite (its sodium is a base). Reported as ``caoh2_kg_h`` and, priced as
  quicklime like the leach lime, as ``use_lime_kg_h`` in CaO equivalent (x 56.077/74.092).
- Copper catalyst: made up from the copper in solution (species ``cu_aq`` if declared,
  else none) to ``cu_target_mg_l`` (10-50 mg/L [L]) whenever cyanide is destroyed,
  as CuSO₄·5H₂O (``use_cuso4_kg_h``). The copper joins ``cu_aq`` when declared.
- The sulfate formed (from every SO₂ and from the copper sulfate) joins ``so4_aq`` when
  declared, so the sulfur balance closes; gypsum precipitation is not modelled (at
  typical WAD levels the sulfate stays below gypsum saturation, about 2 g/L CaSO₄ [L]).
- Oxygen demand (supplied as air, not priced): 1 mol O₂ per mol CN and ½ mol per mol of
  excess SO₂.
- Iron cyanides (species ``fe_cn``, as CN, where declared) are not oxidised: they
  precipitate with copper as copper ferrocyanide Cu₂Fe(CN)₆ (species
  ``cu_ferrocyanide``) down to ``fe_cn_residual_mg_l``, 2 Cu per Fe(CN)₆; copper beyond
  what is dissolved is dosed as CuSO₄·5H₂O (kernel ``oreflow.kernels.detox_metals``).
- The copper the WAD complexes release, and the catalyst, precipitate as Cu(OH)₂
  (species ``cu_hydroxide``) at the reactor ``ph``: dissolved copper leaves at the
  copper bound by the residual WAD cyanide (as Cu(CN)₃²⁻, [assumed]) plus the
  solubility of Cu(OH)₂ at that pH (Stumm & Morgan 1996 ch. 6 constants [L]), and no
  less than ``cu_residual_min_mg_l`` (0.5 mg/L, fit to Qiu et al. 2015), with
  one Ca(OH)₂ per Cu precipitated. Before this, the model left all copper in solution
  (340 mg/L in ``copper_gold_cil``) although the source precipitates it.
- Total cyanide = free (as CN) + WAD complexes + iron cyanides, reported in and out
  (``total_cn_in_mg_l``, ``total_cn_out_mg_l``) next to WAD.
- Not modelled: thiocyanate oxidation (INCO oxidises little SCN); zinc and nickel
  (no dissolved Zn/Ni species in the catalogue: their hydroxides are not tracked).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from oreflow.conventions import CUSO4_5H2O_G_MOL, G_PER_T
from oreflow.core.components import FE_CN_PER_CN, ComponentSet
from oreflow.core.formulas import formula_mass_g_mol, mass_fractions
from oreflow.core.schema import Param, frac, positive
from oreflow.errors import CaseError, Problem
from oreflow.kernels.arrays import safe_div
from oreflow.units import reagents
from oreflow.units.base import (
    PrepareContext,
    Sizing,
    UnitResult,
    UnitSpec,
    UnitType,
    solids_volume_m3_h,
    total_solids,
)
from oreflow.units.products import ProductSpecies
from oreflow.units.species_checks import require_cyanide

#: Formula masses [g/mol] for the cyanide unit conversions (``oreflow.core.formulas``).
_CN = formula_mass_g_mol("CN")
_NACN = formula_mass_g_mol("NaCN")
_OCN = formula_mass_g_mol("OCN")
_CAO_PER_CAOH2 = formula_mass_g_mol("CaO") / formula_mass_g_mol("Ca(OH)2")
#: Mass fraction of Cu in Cu(OH)2, as the catalogue's ``cu_hydroxide`` [S].
CU_PER_CU_OH2 = mass_fractions("Cu(OH)2")["cu"]


def wad_cn_tph(comps: ComponentSet, x: np.ndarray) -> np.ndarray:
    """WAD cyanide of stream array(s) as CN [t/h]: free (``nacn`` as CN) plus ``cn_wad``."""
    out = np.zeros(x.shape[:-1])
    if comps.has("nacn"):
        out = out + x[..., comps.solution_offset("nacn")] * (_CN / _NACN)
    if comps.has("cn_wad"):
        out = out + x[..., comps.solution_offset("cn_wad")]
    return out


def total_cn_tph(comps: ComponentSet, x: np.ndarray) -> np.ndarray:
    """Total cyanide as CN [t/h]: WAD (free + ``cn_wad``) plus iron cyanides (``fe_cn``)."""
    out = wad_cn_tph(comps, x)
    if comps.has("fe_cn"):
        out = out + x[..., comps.solution_offset("fe_cn")] / FE_CN_PER_CN
    return out


def total_cn_mg_l(comps: ComponentSet, x: np.ndarray) -> np.ndarray:
    """Total cyanide tenor as CN [mg/L]; 0 where there is no water."""
    cn = total_cn_tph(comps, x)
    if not comps.has("water"):
        return np.zeros_like(cn)
    return safe_div(cn * G_PER_T, x[..., comps.solution_offset("water")])


def wad_cn_mg_l(comps: ComponentSet, x: np.ndarray) -> np.ndarray:
    """WAD cyanide tenor of stream array(s) as CN [mg/L]; 0 where there is no water."""
    cn = wad_cn_tph(comps, x)
    if not comps.has("water"):
        return np.zeros_like(cn)
    w = x[..., comps.solution_offset("water")]
    return safe_div(cn * G_PER_T, w)


PARAMS: tuple[Param, ...] = (
    Param(
        "wad_target_mg_l",
        "mg/L",
        None,
        "WAD cyanide (as CN) the SO2 dose is controlled to in the treated solution "
        "(give this or destruction_frac)",
        "INCO reaches < 1-5 mg/L [L] Mudder, Botz & Smith 2001, Chemistry and Treatment of Cyanidation Wastes, §6.12; docs/models.md#detox; limits: ICMC 50 mg/L, EU 2006/21/EC "
        "10 mg/L at the tailings discharge [S]",
        lo=0.0,
        hi=5000.0,
    ),
    frac(
        "destruction_frac",
        None,
        "fraction of the WAD cyanide destroyed (instead of wad_target_mg_l)",
        "Mudder, Botz & Smith 2001, Chemistry and Treatment of Cyanidation Wastes, §6.12; docs/models.md#detox (80 % for ICMC 50 mg/L, 96 % for EU 10 mg/L from 250 mg/L)",
    ),
    Param(
        "so2_cn_ratio",
        "g/g",
        4.0,
        "SO2 applied per g of WAD cyanide (as CN) destroyed",
        "theoretical 2.462 [S], practical 3-5, design 4 [L] Mudder, Botz & Smith 2001, Chemistry and Treatment of Cyanidation Wastes, §6.12; docs/models.md#detox",
        lo=64.064 / 26.018,  # the theoretical ratio of kernels.residue (ex08: S 32.066)
        hi=20.0,
    ),
    Param(
        "so2_source",
        "-",
        "smbs",
        "how the SO2 is supplied: sodium metabisulfite (Na2S2O5, 0.674 g SO2/g) or liquid SO2",
        "Mudder, Botz & Smith 2001, Chemistry and Treatment of Cyanidation Wastes, §6.12; docs/models.md#detox [S]",
        kind=str,
        choices=("smbs", "liquid_so2"),
    ),
    Param(
        "cu_target_mg_l",
        "mg/L",
        30.0,
        "copper catalyst held in solution (made up with CuSO4.5H2O)",
        "10-50 mg/L [L] Mudder, Botz & Smith 2001, Chemistry and Treatment of Cyanidation Wastes, §6.12; docs/models.md#detox",
        lo=0.0,
        hi=500.0,
    ),
    Param(
        "residence_h",
        "h",
        1.0,
        "total residence time of the reactor train (0 = bypassed)",
        "30-120 min [L] Mudder, Botz & Smith 2001, Chemistry and Treatment of Cyanidation Wastes, §6.12; docs/models.md#detox",
        lo=0.0,
        hi=48.0,
    ),
    Param(
        "n_tanks",
        "-",
        1,
        "number of equal reactor tanks in series",
        "assumed; one or two tanks are usual",
        kind=int,
        lo=1,
        hi=10,
    ),
    positive(
        "rate_per_h",
        "1/h",
        60.0,
        "first-order WAD destruction rate constant at the design SO2 ratio and copper",
        "assumed: one 1 h tank then destroys 98 % (Mudder, Botz & Smith 2001, Chemistry and Treatment of Cyanidation Wastes, §6.12; docs/models.md#detox: < 1-5 mg/L from a few "
        "hundred mg/L in 30-120 min [L]); fit to site or testwork data",
        hi=1e4,
    ),
    Param(
        "ph",
        "-",
        8.5,
        "reactor pH held with lime; sets the copper hydroxide solubility",
        "pH 7-10, typically 8-9 [S] Mudder, Botz & Smith 2001, Chemistry and Treatment of "
        "Cyanidation Wastes, §6.12; Devuyst, Conard & Ettel 1989 (CIM): pH 8-10",
        lo=6.0,
        hi=12.0,
    ),
    Param(
        "cu_hydroxide_log_ks0",
        "-",
        8.64,
        "log10 *Ks0 of the copper hydroxide (Cu(OH)2 + 2 H+ = Cu2+ + 2 H2O); about 7.65 "
        "for aged CuO",
        "Stumm & Morgan 1996, Aquatic Chemistry 3rd ed., ch. 6 [L, value not re-checked]",
        lo=6.0,
        hi=10.0,
    ),
    Param(
        "cu_residual_min_mg_l",
        "mg/L",
        0.5,
        "least dissolved copper left after precipitation (plant practice, above the "
        "hydroxide solubility)",
        "fit: 0.51 mg/L Cu after SMBS-air detox of a gold tailings slurry to 0.105 mg/L CN "
        "(Qiu, Guo, Zheng & Yan 2015, Nonferrous Metals (Extractive Metallurgy) 2015(12):59, "
        "abstract) [L]",
        lo=0.0,
        hi=100.0,
    ),
    Param(
        "fe_cn_residual_mg_l",
        "mg/L",
        0.5,
        "iron cyanide (as CN) left after copper ferrocyanide precipitation",
        "[assumed]: Mudder, Botz & Smith 2001 §6.12 state that iron cyanides precipitate as "
        "copper-iron-cyanide salts without a residual figure; fit to testwork",
        lo=0.0,
        hi=1000.0,
    ),
    Param(
        "power_kw",
        "kW",
        0.0,
        "absorbed power of the reactor agitators and air blowers",
        "plant figure (0 leaves it out of the power and cost totals)",
        lo=0.0,
        hi=1e4,
    ),
)


class DetoxState(NamedTuple):
    """What an INCO reactor prepares once per simulation, (n_cases,) arrays."""

    target: np.ndarray  # WAD set point [mg/L]; NaN: a destruction fraction is set instead
    destruction: np.ndarray  # set destruction fraction
    ratio: np.ndarray  # SO2 : CN mass ratio
    cu_target: np.ndarray  # copper catalyst tenor [mg/L]
    residence: np.ndarray  # [h]
    rate: np.ndarray  # first-order destruction rate [1/h]
    ph: np.ndarray  # reactor pH
    log_ks0: np.ndarray  # copper hydroxide log *Ks0
    fecn_residual: np.ndarray  # iron cyanide left [mg/L as CN]
    cu_floor: np.ndarray  # least dissolved copper left [mg/L]
    power: np.ndarray  # [kW]


class IncoDetox:
    """Compiled INCO SO₂/air reactor (see module docstring)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.n_tanks = int(spec.params["n_tanks"])
        self.smbs = spec.params["so2_source"] == "smbs"

        def offset(name: str) -> int | None:
            return comps.solution_offset(name) if comps.has(name) else None

        self.i_water = comps.solution_offset("water")
        self.i_nacn = offset("nacn")
        self.i_wad = offset("cn_wad")
        self.i_ocn = offset("ocn")
        self.i_cu = offset("cu_aq")
        self.i_so4 = offset("so4_aq")
        self.i_fecn = offset("fe_cn")
        # precipitates go to the finest size class, as in the other precipitating units
        self.products = ProductSpecies(spec, comps, ("cu_hydroxide", "cu_ferrocyanide"), ())

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> DetoxState:
        """Per-case set points and kinetics."""
        n = ctx.n_cases
        target = params.get("wad_target_mg_l", np.full(n, np.nan))
        return DetoxState(
            target=np.ascontiguousarray(target, dtype=np.float64),
            destruction=np.ascontiguousarray(
                params.get("destruction_frac", np.zeros(n)), dtype=np.float64
            ),
            ratio=params["so2_cn_ratio"],
            cu_target=params["cu_target_mg_l"],
            residence=params["residence_h"],
            rate=params["rate_per_h"],
            ph=params["ph"],
            log_ks0=params["cu_hydroxide_log_ks0"],
            fecn_residual=params["fe_cn_residual_mg_l"],
            cu_floor=params["cu_residual_min_mg_l"],
            power=params["power_kw"],
        )

    def apply(self, state: DetoxState, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Destroy WAD cyanide to the set point the reactor can reach; dose the reagents."""
        from oreflow.kernels.detox_metals import inco_metals_kg_h
        from oreflow.kernels.residue import (
            CU_G_MOL,
            SO2_G_MOL,
            SO4_G_MOL,
            inco_outlet_wad_mg_l,
            inco_reagents_kg_h,
        )

        (feed,) = inlets
        c = self.comps
        n = feed.shape[0]
        water = np.ascontiguousarray(feed[:, self.i_water])
        cn_tph = wad_cn_tph(c, feed)
        solids = total_solids(c, feed)
        if np.any((water <= 0.0) & ((cn_tph > 0.0) | (solids > 0.0))):
            problem = Problem(
                self.spec.file,
                f"units.{self.spec.name}",
                "the cyanide destruction is fed no solution (water 0 t/h); it treats "
                "slurry or solution",
            )
            raise CaseError([problem])
        wad_in = safe_div(cn_tph * G_PER_T, water)
        wad_out = inco_outlet_wad_mg_l(
            wad_in,
            state.target,
            state.destruction,
            state.rate,
            state.residence,
            self.n_tanks,
        )
        left = safe_div(wad_out, wad_in, fill=1.0)
        cu_present = (
            safe_div(feed[:, self.i_cu] * G_PER_T, water) if self.i_cu is not None else np.zeros(n)
        )
        reagents = inco_reagents_kg_h(
            water, wad_in, wad_out, state.ratio, state.cu_target, cu_present, self.smbs
        )
        removed, so2, smbs, caoh2, cu, cuso4, o2 = reagents.T
        fecn_in = (
            safe_div(feed[:, self.i_fecn] / FE_CN_PER_CN * G_PER_T, water)
            if self.i_fecn is not None
            else np.zeros(n)
        )
        cu_now = cu_present + safe_div(cu * 1000.0, water)  # after the catalyst make-up
        active = np.asarray(state.residence, dtype=np.float64) > 0.0
        if self.i_cu is None:
            # copper is not tracked in this case: nothing to precipitate
            active = np.zeros(n, dtype=bool)
            cu_now = np.zeros(n)
        metals = inco_metals_kg_h(
            water,
            np.ascontiguousarray(cu_now),
            np.ascontiguousarray(fecn_in),
            np.ascontiguousarray(np.broadcast_to(state.fecn_residual, (n,)), dtype=np.float64),
            wad_out,
            np.ascontiguousarray(np.broadcast_to(state.ph, (n,)), dtype=np.float64),
            np.ascontiguousarray(np.broadcast_to(state.log_ks0, (n,)), dtype=np.float64),
            np.ascontiguousarray(np.broadcast_to(state.cu_floor, (n,)), dtype=np.float64),
            np.ascontiguousarray(np.broadcast_to(active, (n,))),
        )
        fecn_gone, cufecn, cu_fecn, cu_extra, cu_oh, cu_out, caoh2_metals = metals.T

        added = np.zeros(feed.shape)  # the detox adds no stream: zero pages, never written
        reacted = np.zeros_like(feed)
        destroyed_mol = np.zeros(n)  # kmol/h of CN turned to cyanate
        for i_sp, mw in ((self.i_nacn, _NACN), (self.i_wad, _CN)):
            if i_sp is None:
                continue
            gone = feed[:, i_sp] * (1.0 - left)
            reacted[:, i_sp] = -gone
            destroyed_mol += gone * 1000.0 / mw
        if self.i_ocn is not None:
            reacted[:, self.i_ocn] = destroyed_mol * _OCN / 1000.0
        cu_dosed = cu + cu_extra  # kg/h of Cu as CuSO4.5H2O
        # the catalyst dissolves and the SO2 is oxidised to sulfate in the reactor:
        # reactions of the unit (its reaction table takes CuSO4.5H2O, SO2 and O2 in)
        if self.i_cu is not None:
            reacted[:, self.i_cu] = (cu_dosed - cu_fecn - cu_oh) / 1000.0
        if self.i_fecn is not None:
            reacted[:, self.i_fecn] = -fecn_gone / 1000.0 * FE_CN_PER_CN
        if self.i_so4 is not None:
            reacted[:, self.i_so4] = (so2 / SO2_G_MOL + cu_dosed / CU_G_MOL) * SO4_G_MOL / 1000.0
        # feed + added + reacted with ``added`` zero (a cell -0.0 in both stays -0.0)
        out = feed + reacted
        self.products.put_solid(
            out,
            "cu_hydroxide",
            cu_oh / 1000.0 / CU_PER_CU_OH2,
            "the detox precipitates the released copper as Cu(OH)2 at its pH: declare "
            "'cu_hydroxide' in [case] solids",
        )
        self.products.put_solid(
            out,
            "cu_ferrocyanide",
            cufecn / 1000.0,
            "the detox precipitates iron cyanides as copper ferrocyanide: declare "
            "'cu_ferrocyanide' in [case] solids",
        )
        # the precipitates are reaction products: report them as reacted
        reacted = out - feed  # out - feed - added, ``added`` being zero
        caoh2 = caoh2 + caoh2_metals
        cuso4 = cu_dosed * CUSO4_5H2O_G_MOL / CU_G_MOL

        n_t = float(self.n_tanks)
        kinetic = wad_in * (1.0 + state.rate * state.residence / n_t) ** (-n_t)
        set_point = np.where(
            np.isnan(state.target), wad_in * (1.0 - state.destruction), state.target
        )
        pulp_m3_h = water + solids_volume_m3_h(c, feed)
        per_t = safe_div(1.0, solids)
        source = "smbs" if self.smbs else "so2"
        metrics = {
            "wad_in_mg_l": wad_in,
            "wad_out_mg_l": wad_out,
            "wad_kinetic_limit_mg_l": kinetic,
            "destruction_frac": 1.0 - left,
            "set_point_met_flag": (wad_out <= set_point * (1.0 + 1e-9) + 1e-12).astype(float),
            "cn_removed_kg_h": removed,
            "so2_kg_h": so2,
            "smbs_kg_h": smbs,
            "caoh2_kg_h": caoh2,
            f"use_{source}_kg_h": smbs if self.smbs else so2,
            "use_lime_kg_h": caoh2 * _CAO_PER_CAOH2,
            "cu_added_kg_h": cu_dosed,
            "use_cuso4_kg_h": cuso4,
            "caoh2_metals_kg_h": caoh2_metals,
            "cu_in_mg_l": cu_present,
            "cu_out_mg_l": cu_out if self.i_cu is not None else np.zeros(n),
            "cu_hydroxide_kg_h": cu_oh / CU_PER_CU_OH2,
            "cu_ferrocyanide_kg_h": cufecn,
            "fe_cn_in_mg_l": fecn_in,
            "fe_cn_out_mg_l": fecn_in - safe_div(fecn_gone * 1000.0, water),
            "total_cn_in_mg_l": total_cn_mg_l(c, feed),
            "total_cn_out_mg_l": total_cn_mg_l(c, out),
            "o2_demand_kg_h": o2,
            "so2_kg_t": so2 * per_t,
            "residence_h": np.asarray(state.residence, dtype=np.float64).copy(),
            "reactor_volume_m3": state.residence * pulp_m3_h,
            "power_kw": np.asarray(state.power, dtype=np.float64).copy(),
        }
        return UnitResult((out,), added=added, reacted=reacted, metrics=metrics)


def _check_detox(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    key = f"units.{spec.name}"
    p = spec.params
    if (p.get("wad_target_mg_l") is None) == (p.get("destruction_frac") is None):
        problems.append(
            Problem(
                file,
                f"{key}.wad_target_mg_l",
                "give exactly one of wad_target_mg_l or destruction_frac",
            )
        )
    if comps.has("fe_cn") and not comps.has("cu_aq"):
        problems.append(
            Problem(
                file,
                key,
                "iron cyanides ('fe_cn') precipitate with copper as copper ferrocyanide: "
                "declare 'cu_aq' in [case.solution] too",
            )
        )
    require_cyanide(spec, comps, file, problems)


INCO_DETOX = UnitType(
    name="inco_detox",
    reactive=True,
    summary="INCO SO2/air cyanide destruction: WAD CN to a set point, SO2 or SMBS, lime, Cu catalyst",
    inlets=("feed",),
    outlets=("out",),
    params=PARAMS,
    build=IncoDetox,
    check=_check_detox,
    requires=("water",),
    prices={
        "cuso4": reagents.CUSO4,
        "lime": reagents.LIME,
        "smbs": reagents.SMBS,
        "so2": reagents.SO2,
    },
    sizing=Sizing("tanks", metric="reactor_volume_m3"),
)


UNIT_TYPES = (INCO_DETOX,)
