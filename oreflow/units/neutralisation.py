"""Neutralisation of acid liquors and slurries with lime or limestone.

After acid oxidation (POX, BIOX) the free acid and the dissolved ferric iron, arsenic
and copper are neutralised before cyanidation (to pH about 10.5) or before discharge
(Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox ancillaries, Directive 2006/21/EC; Wills & Finch 2016; docs/models.md#residue). Chemistry in
``oreflow.kernels.neutralisation.neutralisation_batch``:

- free H2SO4 and metal sulfates form gypsum (CaSO4·2H2O), less what stays dissolved at
  the gypsum solubility;
- ferric iron precipitates as Fe(OH)3 (``metal_hydroxides``) at pH >= 4 [L];
- arsenate co-precipitates with ferric iron as ferric arsenate (``scorodite``) down to
  ``as_residual_mg_l``; ferric sulfate is added when the liquor holds less iron than
  ``fe_as_molar_min`` x As (Fe:As >= 3-4 for a stable residue, Directive 2006/21/EC; Wills & Finch 2016; docs/models.md#residue [L]);
- copper precipitates as Cu(OH)2 at ``target_ph >= cu_precipitation_ph`` when the case
  declares ``cu_hydroxide``;
- basic ferric sulfate Fe(OH)SO4 and jarosite in the feed solids (made by acid POX at
  high acid and temperature) are converted to Fe(OH)3 and gypsum at a lime pH
  (``target_ph >= BASIC_SULFATE_MIN_PH``), by ``bfs_conversion_frac`` and
  ``jarosite_conversion_frac``: 1 mol Ca(OH)2 per mol BFS, 1.5 per mol jarosite
  (Fleming 2010: BFS passes CCD washing and limestone neutralisation and then consumes
  lime in the leach feed; 0.332 t CaO per t BFS). Without a hot cure this is the
  lime cost of BFS;
- ore carbonates in the feed solids (calcite, then dolomite) pay for the acid, iron
  and arsenic base first (1 mol per mol CaCO3, 2 per mol CaMg(CO3)2 with its MgSO4
  left dissolved), before any reagent [assumed: they are in the acid pulp before the
  reagent is dosed]; their CO2 stays with the discharge as dissolved ``co2``;
- base: 1 mol per mol H2SO4, 1.5 per mol Fe(III), 1 per mol Cu, 1 per mol BFS, 1.5 per
  mol jarosite, and the hydroxide of the target pH; quicklime adds
  ``lime_excess_frac`` for the buffering of the solids.

Limestone (CaCO3, 0.98 t per t of H2SO4 is 1.0205 t CaCO3 per t acid at 100 %
utilisation) is cheaper but lifts the pH only to about 6 [L]; ``limestone_lime`` uses
limestone for the acid, iron and arsenic (stage 1) and lime for copper and the pH lift
(stage 2), the usual two-stage practice. Unreacted limestone stays in the residue as
``calcite``; the CO2 of the limestone that reacts leaves to atmosphere at once and,
being reagent carbon that never entered the plant's streams, is reported
(``co2_released_kg_h``) but not tracked. Calcium, and the hydration water of gypsum
and scorodite, are untracked matter.

Worked example (Directive 2006/21/EC; Wills & Finch 2016; docs/models.md#residue, ex08): 550.62 kg H2SO4 per t of concentrate needs
561.94 kg CaCO3 and makes 966.64 kg gypsum.

Precipitates are spread over the size classes by the distributions of
``oreflow.units.products`` (gypsum d50 30 um, hydroxides 5 um [assumed]).

References
----------
Marsden, J.O., House, C.I. (2006) The Chemistry of Gold Extraction, 2nd ed., SME,
ch. 5 (pre-treatment) and 11 (effluent treatment) [L]; Fleming, C.A. (2010) Basic iron
sulfate - a potential killer in the processing of refractory gold concentrates by
pressure oxidation, Miner. Metall. Process. 27(2):81-88 [L]; Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox, Directive 2006/21/EC; Wills & Finch 2016; docs/models.md#residue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.core.schema import Param, frac
from oreflow.errors import Problem
from oreflow.kernels.arrays import safe_div
from oreflow.units import reagents
from oreflow.units.base import (
    PrepareContext,
    UnitResult,
    UnitSpec,
    UnitType,
)
from oreflow.units.oxidiser_params import element_fraction
from oreflow.units.products import ProductSpecies

#: Highest pH limestone reaches in practice [-] [L] (limestone neutralisation stops
#: near pH 5.5-6.5 as CO2 buffers the solution; Marsden & House 2006 ch. 11).
LIMESTONE_MAX_PH = 6.0
#: Lowest target pH at which basic ferric sulfate and jarosite are converted [-]
#: [assumed]: Fleming (2010) reports BFS surviving limestone neutralisation and
#: reacting with lime in the alkaline (pH 10-11) leach feed; 8 is taken as the start.
BASIC_SULFATE_MIN_PH = 8.0

PARAMS: tuple[Param, ...] = (
    Param(
        "reagent",
        "-",
        "lime",
        "neutralising agent: 'lime' (quicklime), 'limestone', or 'limestone_lime' "
        "(limestone for the acid, Fe and As, then lime for Cu and the pH lift)",
        "Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox (limestone/lime neutralisation), Directive 2006/21/EC; Wills & Finch 2016; docs/models.md#residue",
        kind=str,
        choices=("lime", "limestone", "limestone_lime"),
    ),
    Param(
        "target_ph",
        "-",
        10.5,
        "pH the pulp or liquor is brought to",
        "pH ~10.5 before CIL (Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox); 7-9 before discharge",
        lo=4.0,
        hi=12.5,
    ),
    frac(
        "lime_cao_frac",
        0.90,
        "available CaO in the quicklime (use_lime_kg_h is kg of quicklime)",
        "85-95 % available CaO [L]",
        lo=0.3,
    ),
    Param(
        "lime_excess_frac",
        "-",
        0.10,
        "quicklime above stoichiometry, for the buffering of the solids and losses",
        "assumed",
        lo=0.0,
        hi=5.0,
    ),
    frac(
        "limestone_utilisation_frac",
        0.90,
        "fraction of the limestone fed that reacts (the rest stays as calcite)",
        "assumed; fine-ground limestone 85-95 %",
        lo=0.1,
    ),
    Param(
        "fe_as_molar_min",
        "-",
        4.0,
        "Fe:As molar ratio wanted in the precipitate; ferric sulfate is added to reach it",
        "Fe:As >= 3-4 for stable ferric arsenate residues [L] Directive 2006/21/EC; Wills & Finch 2016; docs/models.md#residue",
        lo=0.0,
        hi=20.0,
    ),
    Param(
        "as_residual_mg_l",
        "mg/L",
        0.5,
        "arsenic left in solution after ferric co-precipitation",
        "assumed; 0.1-1 mg/L is typical of ferric co-precipitation",
        lo=0.0,
        hi=1000.0,
    ),
    Param(
        "gypsum_solubility_g_l",
        "g/L",
        2.4,
        "solubility of gypsum (as CaSO4.2H2O) in the neutralised solution",
        "about 2.4 g/L at 20-40 °C in water [L]; higher in saline liquors",
        lo=0.0,
        hi=50.0,
    ),
    frac(
        "bfs_conversion_frac",
        1.0,
        "fraction of the basic ferric sulfate in the feed solids converted to Fe(OH)3 and "
        "gypsum when target_ph >= 8",
        "Fleming 2010, Miner. Metall. Process. 27(2):81 (BFS reacts with lime in the "
        "alkaline leach feed); complete conversion over the neutralisation and leach "
        "[assumed]",
    ),
    frac(
        "jarosite_conversion_frac",
        0.5,
        "fraction of the jarosite in the feed solids converted to Fe(OH)3 and gypsum "
        "when target_ph >= 8",
        "assumed: jarosite decomposes slowly in ambient lime; complete decomposition "
        "needs a hot lime boil (Marsden & House 2006, ch. 5, silver in jarosite)",
    ),
    Param(
        "cu_precipitation_ph",
        "-",
        7.0,
        "pH from which copper precipitates as Cu(OH)2 (needs the species cu_hydroxide)",
        "assumed; Cu(OH)2 precipitation is near complete from pH 7-8 [L]",
        lo=4.0,
        hi=12.0,
    ),
)


def _needs(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    key = f"units.{spec.name}"
    p = spec.params

    def need(names: tuple[str, ...], why: str) -> None:
        missing = [n for n in names if not comps.has(n)]
        if missing:
            problems.append(
                Problem(
                    file, key, f"{why}: declare {', '.join(repr(m) for m in missing)} in [case]"
                )
            )

    need(("water",), "neutralisation works on a solution")
    if comps.has("h2so4") or comps.has("so4_aq"):
        need(("gypsum",), "sulfate precipitates as gypsum")
    if comps.has("fe_aq"):
        need(("metal_hydroxides",), "ferric iron precipitates as Fe(OH)3")
    if comps.has("as_aq"):
        need(
            ("scorodite", "metal_hydroxides", "fe_aq", "so4_aq", "gypsum"),
            "arsenic co-precipitates with ferric iron",
        )
    if (
        p.get("reagent") in ("limestone", "limestone_lime")
        and float(p.get("limestone_utilisation_frac", 1.0)) < 1.0
    ):
        need(("calcite",), "unreacted limestone stays as calcite")
    if p.get("reagent") == "limestone" and float(p.get("target_ph", 0.0)) > LIMESTONE_MAX_PH:
        problems.append(
            Problem(
                file,
                f"{key}.target_ph",
                f"limestone alone cannot lift the pH above about {LIMESTONE_MAX_PH:g}; "
                "use reagent = 'limestone_lime' or 'lime'",
            )
        )


class Neutralisation:
    """Compiled neutralisation tank (see module docstring)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        from oreflow.kernels import neutralisation as kneut

        self.spec = spec
        self.comps = comps
        self.reagent = str(spec.params["reagent"])

        self.products = ProductSpecies(
            spec,
            comps,
            solids=(
                "gypsum",
                "scorodite",
                "metal_hydroxides",
                "cu_hydroxide",
                "calcite",
                "basic_ferric_sulfate",
                "jarosite",
                "dolomite",
            ),
            solution=("water", "h2so4", "so4_aq", "fe_aq", "as_aq", "cu_aq", "co2"),
        )
        self.i_sol = self.products.solution
        self.i_solid = self.products.solid
        f = np.zeros(kneut.N_NF)
        f[kneut.NF_H2SO4_S] = element_fraction(comps, "h2so4", "s")
        f[kneut.NF_SO4_S] = element_fraction(comps, "so4_aq", "s")
        f[kneut.NF_GYPSUM_S] = element_fraction(comps, "gypsum", "s")
        f[kneut.NF_SCORODITE_FE] = element_fraction(comps, "scorodite", "fe")
        f[kneut.NF_SCORODITE_AS] = element_fraction(comps, "scorodite", "as")
        f[kneut.NF_HYDROXIDE_FE] = element_fraction(comps, "metal_hydroxides", "fe")
        f[kneut.NF_CU_HYDROXIDE_CU] = element_fraction(comps, "cu_hydroxide", "cu")
        f[kneut.NF_BFS_FE] = element_fraction(comps, "basic_ferric_sulfate", "fe")
        f[kneut.NF_BFS_S] = element_fraction(comps, "basic_ferric_sulfate", "s")
        f[kneut.NF_JAROSITE_FE] = element_fraction(comps, "jarosite", "fe")
        f[kneut.NF_JAROSITE_S] = element_fraction(comps, "jarosite", "s")
        self.fractions = f

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """Per-case settings; limestone alone cannot reach a high pH."""
        if self.reagent == "limestone" and np.any(params["target_ph"] > LIMESTONE_MAX_PH):
            self._fail(
                f"limestone alone cannot lift the pH above about {LIMESTONE_MAX_PH:g}; "
                "use reagent = 'limestone_lime' or 'lime'"
            )
        return params

    def _fail(self, message: str) -> NoReturn:
        self.products.fail(message)

    def _get(self, x: np.ndarray, name: str) -> np.ndarray:
        idx = self.i_sol[name]
        return np.ascontiguousarray(x[:, idx]) if idx is not None else np.zeros(x.shape[0])

    def _put_solid(self, out: np.ndarray, name: str, amount: np.ndarray) -> None:
        missing = f"neutralisation precipitates {name!r}; declare it in [case] solids"
        self.products.put_solid(out, name, amount, missing)

    def _set_solution(self, out: np.ndarray, name: str, amount: np.ndarray) -> None:
        missing = f"neutralisation leaves {name!r} in solution; declare it in [case] solution"
        self.products.set_solution(out, name, amount, missing)

    def _ore_carbonates(
        self, feed: np.ndarray, sv_out: np.ndarray, base1_mol: np.ndarray
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Ore calcite, then dolomite, in the feed pay for the stage-1 base first.

        CaCO3 + H2SO4 -> CaSO4 + CO2 (1 mol base); CaMg(CO3)2 + 2 H2SO4 -> CaSO4 +
        MgSO4 + 2 CO2 (2 mol, the MgSO4 dissolved) (Marsden & House 2006, ch. 5 and 11).
        They are in the acid pulp before the reagent is dosed [assumed: they react
        first]; their CO2 stays with the discharge as dissolved ``co2`` (ore carbon is
        tracked, unlike the reagent's). Returns the stage-1 base left for the reagent
        [mol/h] and what reacted [t/h].
        """
        from oreflow.kernels import oxidation as kox

        n = feed.shape[0]
        left = base1_mol.copy()
        sv_in = self.comps.solids_view(feed)
        reacted: dict[str, np.ndarray] = {}
        c_total = np.zeros(n)
        for name, base_per_c in (("calcite", 1.0), ("dolomite", 1.0)):
            idx = self.i_solid[name]
            if idx is None:
                reacted[name] = np.zeros(n)
                continue
            cls = sv_in[:, :, idx]
            c_frac = element_fraction(self.comps, name, "c")
            avail_mol = cls.sum(axis=1) * c_frac / kox.M_C * 1e6 * base_per_c
            used = np.minimum(avail_mol, left)
            left = left - used
            tph = used / base_per_c * kox.M_C * 1e-6 / c_frac
            share = safe_div(tph, cls.sum(axis=1))
            sv_out[:, :, idx] = cls * (1.0 - share[:, None])
            reacted[name] = tph
            c_total = c_total + tph * c_frac
        # half of dolomite's sulfate is MgSO4 [mol Mg = mol dolomite = mol C / 2]
        mg_s = reacted["dolomite"] * element_fraction(self.comps, "dolomite", "c") / 2.0
        mg_s = mg_s / kox.M_C * kox.M_S
        co2_c = element_fraction(self.comps, "co2", "c")
        return left, {
            "calcite_tph": reacted["calcite"],
            "dolomite_tph": reacted["dolomite"],
            "co2_tph": c_total / co2_c,
            "mgso4_s_tph": mg_s,
        }

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Neutralise, precipitate, and dose the reagents."""
        from oreflow.kernels import neutralisation as kneut
        from oreflow.kernels import oxidation as kox

        params = state
        (feed,) = inlets
        c = self.comps
        n = feed.shape[0]
        h2o = self._get(feed, "water")
        solutes = sum(self._get(feed, s) for s in ("h2so4", "so4_aq", "fe_aq", "as_aq", "cu_aq"))
        if np.any((h2o <= 0.0) & (solutes > 0.0)):
            self._fail("the neutralisation is fed dissolved species but no water; check the feed")
        solubility = (
            params["gypsum_solubility_g_l"] if self.i_sol["so4_aq"] is not None else np.zeros(n)
        )
        sv_in = c.solids_view(feed)
        lime_ph = params["target_ph"] >= BASIC_SULFATE_MIN_PH
        basic = {}
        for name, key in (("basic_ferric_sulfate", "bfs"), ("jarosite", "jarosite")):
            idx = self.i_solid[name]
            cls = sv_in[:, :, idx] if idx is not None else np.zeros((n, c.n_cls))
            conv = np.where(lime_ph, params[f"{key}_conversion_frac"], 0.0)
            basic[name] = (idx, cls, conv)
        _, jar_cls, jar_conv = basic["jarosite"]
        if np.any(jar_cls.sum(axis=1) * jar_conv > 0.0) and self.i_sol["so4_aq"] is None:
            self._fail("jarosite conversion leaves K2SO4 in solution; declare 'so4_aq'")
        res = kneut.neutralisation_batch(
            self._get(feed, "h2so4"),
            self._get(feed, "so4_aq"),
            self._get(feed, "fe_aq"),
            self._get(feed, "as_aq"),
            self._get(feed, "cu_aq"),
            h2o,
            params["target_ph"],
            params["fe_as_molar_min"],
            params["as_residual_mg_l"],
            np.ascontiguousarray(solubility),
            params["cu_precipitation_ph"],
            self.fractions,
            self.i_solid["cu_hydroxide"] is not None,
            np.ascontiguousarray(basic["basic_ferric_sulfate"][1].sum(axis=1)),
            np.ascontiguousarray(jar_cls.sum(axis=1)),
            np.ascontiguousarray(basic["basic_ferric_sulfate"][2]),
            np.ascontiguousarray(jar_conv),
        )
        out = feed.copy()
        sv_out = c.solids_view(out)
        for idx, cls, conv in basic.values():
            if idx is not None:
                sv_out[:, :, idx] = cls * (1.0 - conv[:, None])
        base1, carb = self._ore_carbonates(feed, sv_out, res[:, kneut.NO_BASE_STAGE1_MOL])
        added = np.zeros_like(feed)
        fe_add = res[:, kneut.NO_FE_ADDED]
        so4_add = res[:, kneut.NO_SO4_ADDED]
        if np.any(fe_add > 0):
            if self.i_sol["fe_aq"] is None or self.i_sol["so4_aq"] is None:
                self._fail("ferric sulfate is added for arsenic; declare 'fe_aq' and 'so4_aq'")
            added[:, self.i_sol["fe_aq"]] = fe_add
            added[:, self.i_sol["so4_aq"]] = so4_add
        self._set_solution(out, "h2so4", np.zeros(n))
        # dolomite's Mg keeps its sulfate dissolved (MgSO4) instead of gypsum
        mg_s = np.minimum(
            carb["mgso4_s_tph"], res[:, kneut.NO_GYPSUM] * self.fractions[kneut.NF_GYPSUM_S]
        )
        self._set_solution(
            out, "so4_aq", res[:, kneut.NO_SO4_OUT] + mg_s / self.fractions[kneut.NF_SO4_S]
        )
        self._set_solution(out, "fe_aq", np.zeros(n))
        self._set_solution(out, "as_aq", res[:, kneut.NO_AS_OUT])
        self._set_solution(out, "cu_aq", res[:, kneut.NO_CU_OUT])
        gypsum = res[:, kneut.NO_GYPSUM] - mg_s / self.fractions[kneut.NF_GYPSUM_S]
        self._put_solid(out, "gypsum", gypsum)
        if np.any(carb["co2_tph"] > 0.0):
            if self.i_sol["co2"] is None:
                self._fail(
                    "ore carbonates in the feed release CO2; declare 'co2' in [case] solution"
                )
            out[:, self.i_sol["co2"]] += carb["co2_tph"]
        self._put_solid(out, "scorodite", res[:, kneut.NO_SCORODITE])
        self._put_solid(out, "metal_hydroxides", res[:, kneut.NO_HYDROXIDE])
        self._put_solid(out, "cu_hydroxide", res[:, kneut.NO_CU_HYDROXIDE])

        # reagents [mol/h of base]
        base2 = res[:, kneut.NO_BASE_STAGE2_MOL]
        lime_excess = 1.0 + params["lime_excess_frac"]
        if self.reagent == "lime":
            cao_mol = (base1 + base2) * lime_excess
            caco3_reacted_mol = np.zeros(n)
        elif self.reagent == "limestone":
            cao_mol = np.zeros(n)
            caco3_reacted_mol = base1 + base2
        else:
            cao_mol = base2 * lime_excess
            caco3_reacted_mol = base1
        caco3_fed_mol = caco3_reacted_mol / params["limestone_utilisation_frac"]
        excess_calcite = (caco3_fed_mol - caco3_reacted_mol) * kox.M_CACO3 * 1e-6
        if np.any(excess_calcite > 0):
            self._put_solid(out, "calcite", excess_calcite)
            c.solids_view(added)[:, :, self.i_solid["calcite"]] += (
                excess_calcite[:, None] * self.products.size_fractions["calcite"]
            )
        reacted = out - feed - added

        lime_kg_h = cao_mol * kox.M_CAO * 1e-3 / params["lime_cao_frac"]
        limestone_kg_h = caco3_fed_mol * kox.M_CACO3 * 1e-3
        as_prec = self._get(feed, "as_aq") - res[:, kneut.NO_AS_OUT]
        fe_prec = self._get(feed, "fe_aq") + fe_add
        precipitates = (
            gypsum
            + res[:, kneut.NO_SCORODITE]
            + res[:, kneut.NO_HYDROXIDE]
            + res[:, kneut.NO_CU_HYDROXIDE]
            + excess_calcite
        )
        metrics = {
            "target_ph": params["target_ph"].copy(),
            "use_lime_kg_h": lime_kg_h,
            "lime_cao_kg_h": cao_mol * kox.M_CAO * 1e-3,
            "use_limestone_kg_h": limestone_kg_h,
            "use_ferric_sulfate_kg_h": fe_add * 1e6 / kox.M_FE / 2.0 * kox.M_FE2SO43 * 1e-3,
            "bfs_converted_kg_h": res[:, kneut.NO_BFS_REACTED] * 1000.0,
            "jarosite_converted_kg_h": res[:, kneut.NO_JAROSITE_REACTED] * 1000.0,
            "cao_to_basic_sulfates_kg_h": res[:, kneut.NO_BASE_SOLIDS_MOL] * kox.M_CAO * 1e-3,
            "free_acid_neutralised_kg_h": res[:, kneut.NO_FREE_ACID_S]
            / self.fractions[kneut.NF_H2SO4_S]
            * 1000.0,
            "gypsum_tph": gypsum,
            "ore_calcite_reacted_kg_h": carb["calcite_tph"] * 1000.0,
            "ore_dolomite_reacted_kg_h": carb["dolomite_tph"] * 1000.0,
            "ore_carbonate_co2_kg_h": carb["co2_tph"] * 1000.0,
            "scorodite_tph": res[:, kneut.NO_SCORODITE],
            "metal_hydroxides_tph": res[:, kneut.NO_HYDROXIDE],
            "cu_hydroxide_tph": res[:, kneut.NO_CU_HYDROXIDE],
            "precipitates_tph": precipitates,
            "residue_fe_as_molar": safe_div(
                fe_prec / kox.M_FE, as_prec / kox.M_AS, where=as_prec > 0
            ),
            "as_out_mg_l": safe_div(res[:, kneut.NO_AS_OUT] * 1e6, h2o),
            "so4_out_mg_l": safe_div(res[:, kneut.NO_SO4_OUT] * 1e6, h2o),
            "co2_released_kg_h": caco3_reacted_mol * 44.009 * 1e-3,
        }
        return UnitResult((out,), added=added, reacted=reacted, metrics=metrics)


NEUTRALISATION = UnitType(
    name="neutralisation",
    reactive=True,
    summary="lime/limestone neutralisation of acid liquor or slurry: gypsum, Fe(OH)3, "
    "ferric arsenate, Cu(OH)2; reagent use",
    inlets=("feed",),
    outlets=("discharge",),
    params=PARAMS,
    build=Neutralisation,
    check=_needs,
    kpi_families=("neutralisation",),
    prices={
        "ferric_sulfate": reagents.FERRIC_SULFATE,
        "lime": reagents.LIME,
        "limestone": reagents.LIMESTONE,
    },
)

UNIT_TYPES = (NEUTRALISATION,)
