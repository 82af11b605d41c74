"""Building materials: a residue destination with eligibility checks.

Eligibility (Adams (ed.) 2016, Gold Ore Processing; docs/models.md#residue
[L]): the residue is eligible only if

- cyanide: WAD cyanide (free + complexed, as CN) in its water is at most
  ``wad_limit_mg_l`` (detoxed or cyanide-free);
- arsenic: arsenic outside stable ferric arsenates (scorodite, or a declared species
  named ``ferric_arsenate``; including dissolved arsenic) is at most
  ``unstable_as_max_gpt``, and where stable arsenate is present the molar ratio of
  non-sulfide iron to arsenic is at least ``fe_as_molar_min`` (3-4 for stable POX and
  neutralisation residues [L], Directive 2006/21/EC; Wills & Finch 2016; docs/models.md#residue);
- sulfide: sulfur outside sulfate minerals (gypsum, basic ferric sulfate, jarosite) is
  at most ``sulfide_s_max_frac`` of the solids (expansion and acid risk);
- acid-base accounting: NPR = NP/AP at least ``npr_min`` where set (0: reported only;
  ``oreflow.units.acid_base``);
- leachable metals (``rules = "hj943"`` only): Cu, Zn, Pb, As and Ag of the standard
  leachate within ``leachate_<metal>_limit_mg_l`` (``oreflow.units.residue_metals``).

The assay of the feed, the cyanide rules (``rules``) and the failure mode
(``on_ineligible``) are shared with paste backfill (``oreflow.units.residue``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from oreflow.core.schema import Param, frac
from oreflow.units.acid_base import aba_params
from oreflow.units.base import UnitResult, UnitType
from oreflow.units.residue import (
    FLAG_TOL,
    ON_INELIGIBLE,
    ResidueSink,
    at_most,
    cyanide_rule,
    npr_rule,
    refuse,
)
from oreflow.units.residue_metals import metals_params
from oreflow.units.residue_rules import rules_params


class BuildingMaterials(ResidueSink):
    """Building-materials sink (see module docstring)."""

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Eligibility of the residue for building materials."""
        (feed,) = inlets
        fig = self.assay.figures(feed, 20.0, state["residual_lime_kg_t"])
        cyanide = cyanide_rule(fig, state, self.hj943)
        cyanide_ok = cyanide[0]
        ratio_ok = (fig["stable_as_gpt"] <= 0.0) | (
            np.nan_to_num(fig["fe_as_molar_ratio"]) >= state["fe_as_molar_min"] * (1.0 - FLAG_TOL)
        )
        arsenic_ok = at_most(fig["unstable_as_gpt"], state["unstable_as_max_gpt"]) & ratio_ok
        sulfide_ok = at_most(fig["sulfide_s_frac"], state["sulfide_s_max_frac"])
        npr = npr_rule(fig, state)
        metals = self.metals_rule(feed, fig, state)
        eligible = cyanide_ok & arsenic_ok & sulfide_ok & npr[0] & metals[0]
        if self.error:
            arsenic = (
                arsenic_ok,
                lambda i: (
                    f"arsenic not stable (outside ferric arsenate {fig['unstable_as_gpt'][i]:.4g} g/t, "
                    f"limit {state['unstable_as_max_gpt'][i]:g}; Fe:As {fig['fe_as_molar_ratio'][i]:.3g}, "
                    f"least {state['fe_as_molar_min'][i]:g})"
                ),
            )
            sulfide = (
                sulfide_ok,
                lambda i: (
                    f"sulfide S {fig['sulfide_s_frac'][i]:.4g} above {state['sulfide_s_max_frac'][i]:g}"
                ),
            )
            refuse(self.spec, eligible, [cyanide, arsenic, sulfide, npr, metals])
        metrics = {
            **fig,
            "cyanide_ok_flag": cyanide_ok.astype(float),
            "arsenic_ok_flag": arsenic_ok.astype(float),
            "sulfide_ok_flag": sulfide_ok.astype(float),
            "npr_ok_flag": npr[0].astype(float),
            "metals_ok_flag": metals[0].astype(float),
            "eligible_flag": eligible.astype(float),
        }
        return UnitResult((), metrics=metrics)


BUILDING_MATERIALS = UnitType(
    name="building_materials",
    summary="residue used for bricks, geopolymers, cement raw meal or aggregate, with eligibility checks",
    inlets=("feed",),
    outlets=(),
    params=(
        Param(
            "use",
            "-",
            "bricks",
            "what the residue is used for (a label in this version: the same checks apply "
            "to every use; set the limits for the product)",
            "Adams (ed.) 2016, Gold Ore Processing; docs/models.md#residue [L]",
            kind=str,
            choices=("bricks", "geopolymer", "cement_raw_meal", "aggregate", "ceramics"),
        ),
        Param(
            "wad_limit_mg_l",
            "mg/L",
            5.0,
            "largest WAD cyanide (as CN) in the residue water: detoxed or cyanide-free "
            "(rules = 'icmc')",
            "assumed: the upper end of INCO performance, < 1-5 mg/L [L] Mudder, Botz & Smith 2001, Chemistry and Treatment of Cyanidation Wastes, §6.12; docs/models.md#detox; check "
            "the national rule (China HJ 943-2018: rules = 'hj943')",
            lo=0.0,
            hi=5000.0,
        ),
        Param(
            "unstable_as_max_gpt",
            "g/t",
            60.0,
            "largest arsenic outside stable ferric arsenates (arsenopyrite, dissolved As) per "
            "tonne of residue solids",
            "assumed: the order of soil screening values for As, 20-60 mg/kg (China GB "
            "36600-2018 [L, not checked])",
            lo=0.0,
            hi=1e6,
        ),
        Param(
            "fe_as_molar_min",
            "mol/mol",
            3.0,
            "least molar ratio of non-sulfide iron to arsenic where arsenic is held as ferric "
            "arsenate",
            "Fe:As >= 3-4 for stable POX/neutralisation residues [L] Directive 2006/21/EC; Wills & Finch 2016; docs/models.md#residue",
            lo=0.0,
            hi=100.0,
        ),
        frac(
            "sulfide_s_max_frac",
            0.01,
            "largest mass fraction of sulfide sulfur (outside sulfate minerals) in the solids",
            "assumed (Adams (ed.) 2016, Gold Ore Processing; docs/models.md#residue names the sulfide limit without a figure: expansion, acid)",
        ),
        ON_INELIGIBLE,
        *rules_params("building_materials"),
        *metals_params("building_materials"),
        *aba_params(),
    ),
    build=BuildingMaterials,
    is_sink=True,
    kpi_families=("residue_building_materials",),
)


UNIT_TYPES = (BUILDING_MATERIALS,)
