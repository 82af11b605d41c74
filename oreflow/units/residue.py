"""Residue destinations other than storage: paste backfill, and what the destinations share.

Both destinations are sinks (the residue leaves the plant there); the storage destination is the
``tailings`` sink. What each sink receives counts as residue generated; what the two
sinks below receive, when their checks pass, counts as residue used
(``oreflow.solvers.kpis_residue``), the figure behind the national target of over 35 %
use of gold solid waste (docs/architecture.md).

``paste_backfill`` (Adams (ed.) 2016, Gold Ore Processing; docs/models.md#residue [L]): the dry tailings are made up to a paste of
``paste_solids_frac`` (0.70-0.85) with ``binder_frac`` of binder per dry tailings
(0.02-0.08, ``use_binder_kg_h``). Paste density ``1/(w/ρs + 1 - w)`` with ρs from the
stream's solids (binder volume left out, as in ex08). Make-up water is reported where
the feed is drier than the paste; a feed wetter than the paste cannot go underground:
``too_wet_flag`` = 1 (dewater it upstream with a filter or paste thickener). Checks:
fines (at least ``fines_min_frac``, about 15 %, finer than 20 µm to hold water [L]) —
reported, not a condition of use; WAD cyanide of the paste water at most
``wad_limit_mg_l`` (residual cyanide underground); sulfide sulfur reported (sulfate
attack risk, use slag blends [L]); acid-base accounting (AP, NP, NPR:
``oreflow.units.acid_base``) reported, and NPR at least ``npr_min`` where set.

``building_materials`` (bricks, geopolymers, cement raw meal, aggregate): see
``oreflow.units.building_materials``; it shares the assay, the cyanide rules and the
failure mode below.

Cyanide rules (``rules``, ``oreflow.units.residue_rules``): ``"icmc"`` (default) judges the
WAD cyanide of the residue water against ``wad_limit_mg_l``; ``"hj943"`` judges the total
cyanide of a standard leachate (China, HJ 943-2018; figures [not confirmed]) against
``leachate_total_cn_limit_mg_l``. Both sinks report ``total_cn_mg_l`` and
``leachate_total_cn_mg_l`` whatever the rules. Under ``"hj943"`` the leachable metals
of the residue (Cu, Zn, Pb, As, Ag of the standard leachate, ``oreflow.units.residue_metals``)
must also be within the destination's ``leachate_<metal>_limit_mg_l`` (``metals_ok_flag``);
every sink reports ``leachate_<metal>_mg_l`` and ``leachate_metals_limit_frac`` whatever the rules.

An ineligible residue is, by default, a reported flag (``eligible_flag`` = 0 with the
failing rule's own flag at 0): eligibility depends on the simulated streams and may
differ between the cases of a batch or the modes an optimiser tries, and one failing
case must not stop the others. Its tonnage is then not counted as used. With
``on_ineligible = "error"`` the run stops with a case error naming the rule instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from oreflow.conventions import AS_G_MOL, FE_G_MOL, G_PER_T
from oreflow.core.components import ELEMENTS, ComponentSet
from oreflow.core.schema import Param, frac, positive
from oreflow.errors import CaseError, Problem
from oreflow.kernels.arrays import read_only, safe_div
from oreflow.units import reagents
from oreflow.units.acid_base import AcidBase, aba_params
from oreflow.units.base import (
    PrepareContext,
    UnitResult,
    UnitSpec,
    UnitType,
    solids_volume_m3_h,
    total_solids,
    water,
)
from oreflow.units.detox import total_cn_mg_l, wad_cn_mg_l
from oreflow.units.residue_metals import LeachableMetals, metals_params, metals_rule
from oreflow.units.residue_rules import leachate_mg_l, rules_params

#: Solid species whose sulfur is sulfate, not sulfide.
SULFATE_SOLIDS = ("gypsum", "basic_ferric_sulfate", "jarosite")
#: Solid species holding arsenic in a stable ferric arsenate form.
STABLE_ARSENIC_SOLIDS = ("scorodite", "ferric_arsenate")
FLAG_TOL = 1e-9  # relative slack on limits, so a value exactly at its limit passes


class ResidueAssay:
    """Per-stream residue figures shared by the residue sinks (precomputed masks)."""

    def __init__(self, comps: ComponentSet) -> None:
        self.comps = comps
        em = comps.element_matrix()
        n_s = comps.n_solids_comp
        names = [s.name for s in comps.species]
        species_of = comps.component_species()
        is_name = np.array([names[k] for k in species_of])
        s_col = em[:, ELEMENTS.index("s")]
        fe_col = em[:, ELEMENTS.index("fe")]
        as_col = em[:, ELEMENTS.index("as")]
        solid = np.zeros(comps.n_comp, dtype=bool)
        solid[:n_s] = True
        sulfate = np.isin(is_name, SULFATE_SOLIDS)
        stable = np.isin(is_name, STABLE_ARSENIC_SOLIDS)
        sulfide_host = solid & (s_col > 0) & ~sulfate
        self.sulfide_s = np.where(solid & ~sulfate, s_col, 0.0)
        self.stable_as = np.where(solid & stable, as_col, 0.0)
        self.unstable_as = np.where(stable, 0.0, as_col)  # other solids and solution
        self.ferric_fe = np.where(solid & ~sulfide_host, fe_col, 0.0)
        self.edges = comps.sizes.edges()
        self.aba = AcidBase(comps)

    def figures(
        self, x: np.ndarray, fines_um: np.ndarray | float, lime_kg_t: np.ndarray | float = 0.0
    ) -> dict[str, np.ndarray]:
        """Solids, water, density, fines, cyanide, sulfide, arsenic and ABA of stream arrays.

        ``lime_kg_t``: residual lime (CaO) per tonne of solids, counted in NP
        (``oreflow.units.acid_base``).
        """
        from oreflow.kernels.residue import passing_frac_at_batch

        c = self.comps
        n = x.shape[0]
        solids = total_solids(c, x)
        vol = solids_volume_m3_h(c, x)
        by_size = np.ascontiguousarray(c.solids_view(x).sum(axis=-1))
        size = np.ascontiguousarray(np.broadcast_to(np.asarray(fines_um, dtype=np.float64), (n,)))
        fines = passing_frac_at_batch(read_only(self.edges), read_only(by_size), read_only(size))
        stable_as = x @ self.stable_as
        fe = x @ self.ferric_fe
        ratio = safe_div(fe / FE_G_MOL, stable_as / AS_G_MOL, fill=np.nan, where=stable_as > 0)
        per_solids = safe_div(1.0, solids)
        w = water(c, x)
        sulfide = (x @ self.sulfide_s) * per_solids
        return {
            "solids_tph": solids,
            "water_tph": w,
            "moisture_frac": safe_div(w, solids + w),
            "solids_density_t_m3": safe_div(solids, vol),
            "fines_passing_frac": fines,
            "wad_cn_mg_l": wad_cn_mg_l(c, x),
            "total_cn_mg_l": total_cn_mg_l(c, x),
            "sulfide_s_frac": sulfide,
            "unstable_as_gpt": (x @ self.unstable_as) * per_solids * G_PER_T,
            "stable_as_gpt": stable_as * per_solids * G_PER_T,
            "fe_as_molar_ratio": ratio,
            **self.aba.figures(x, solids, sulfide, lime_kg_t),
        }


def npr_rule(
    fig: dict[str, np.ndarray], state: Mapping[str, np.ndarray]
) -> tuple[np.ndarray, Callable[[int], str]]:
    """The acid-base rule of a residue sink: NPR at least ``npr_min`` (0: always passes)."""
    limit = state["npr_min"]
    ok = fig["npr"] >= limit * (1.0 - FLAG_TOL)
    return (
        ok,
        lambda i: (
            f"NPR {fig['npr'][i]:.3g} below {limit[i]:g} (NP {fig['np_kg_caco3_t'][i]:.4g}, "
            f"AP {fig['ap_kg_caco3_t'][i]:.4g} kg CaCO3/t)"
        ),
    )


def at_most(value: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """Per-case flag: ``value`` at most ``limit``, with the relative slack ``FLAG_TOL``."""
    return value <= limit * (1.0 + FLAG_TOL) + 1e-300


def refuse(
    spec: UnitSpec, eligible: np.ndarray, rules: list[tuple[np.ndarray, Callable[[int], str]]]
) -> None:
    """Raise for the first case not eligible, naming every rule it breaks.

    ``rules`` pairs each rule's per-case pass flags with the words for a case that fails it.
    """
    if eligible.all():
        return
    case = int(np.argmin(eligible))
    what = "; ".join(words(case) for ok, words in rules if not ok[case])
    raise CaseError(
        [
            Problem(
                spec.file,
                f"units.{spec.name}",
                f"the residue sent to this {spec.type} is not eligible (case {case}): {what} "
                '(set on_ineligible = "flag" to report it instead)',
            )
        ]
    )


def cyanide_rule(
    fig: dict[str, np.ndarray], state: Mapping[str, np.ndarray], hj943: bool
) -> tuple[np.ndarray, Callable[[int], str]]:
    """The cyanide rule of a residue sink: pass flags and words (oreflow.units.residue_rules).

    ICMC: WAD cyanide of the residue water at most ``wad_limit_mg_l``. HJ 943: total
    cyanide of the standard leachate at most ``leachate_total_cn_limit_mg_l``. The
    leachate figure is added to ``fig`` either way.
    """
    fig["leachate_total_cn_mg_l"] = leachate_mg_l(
        fig["total_cn_mg_l"], fig["water_tph"], fig["solids_tph"], state["leachate_ls_l_kg"]
    )
    if hj943:
        limit = state["leachate_total_cn_limit_mg_l"]
        ok = at_most(fig["leachate_total_cn_mg_l"], limit)
        return (
            ok,
            lambda i: (
                f"leachate total cyanide {fig['leachate_total_cn_mg_l'][i]:.4g} mg/L above "
                f"{limit[i]:g} (HJ 943)"
            ),
        )
    limit = state["wad_limit_mg_l"]
    ok = at_most(fig["wad_cn_mg_l"], limit)
    return ok, lambda i: f"WAD cyanide {fig['wad_cn_mg_l'][i]:.4g} mg/L above {limit[i]:g}"


ON_INELIGIBLE = Param(
    "on_ineligible",
    "-",
    "flag",
    "what a residue failing the checks does: 'flag' reports eligible_flag = 0 and does not "
    "count the tonnage as used; 'error' stops the run with a case error",
    "oreflow convention",
    kind=str,
    choices=("flag", "error"),
)


class ResidueSink:
    """What the residue destinations share: the assay of their feed and the failure mode."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.assay = ResidueAssay(comps)
        self.error = spec.params["on_ineligible"] == "error"
        self.hj943 = spec.params["rules"] == "hj943"
        self.metals = LeachableMetals(comps)

    def metals_rule(
        self, feed: np.ndarray, fig: dict[str, np.ndarray], state: Mapping[str, np.ndarray]
    ) -> tuple[np.ndarray, Callable[[int], str]]:
        """Leachate metals of the feed, added to ``fig``, and their rule.

        The rule passes every case but under HJ 943 (``oreflow.units.residue_metals``).
        """
        fig.update(self.metals.figures(feed, fig["solids_tph"], fig["water_tph"], state))
        ok, words = metals_rule(fig, FLAG_TOL)
        return (ok if self.hj943 else np.ones_like(ok)), words

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """Per-case parameter arrays."""
        return MappingProxyType(
            {k: np.ascontiguousarray(v, dtype=np.float64) for k, v in params.items()}
        )


class PasteBackfill(ResidueSink):
    """Paste-fill sink (see module docstring)."""

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Paste recipe and checks of the residue placed underground."""
        from oreflow.kernels.residue import paste_recipe

        (feed,) = inlets
        fig = self.assay.figures(feed, state["fines_size_um"], state["residual_lime_kg_t"])
        solids = fig["solids_tph"]
        rho_s = np.where(fig["solids_density_t_m3"] > 0, fig["solids_density_t_m3"], 1.0)
        recipe = paste_recipe(solids, rho_s, state["paste_solids_frac"], state["binder_frac"])
        rho, _, paste_m3, paste_water, binder, binder_m3 = recipe.T
        excess = np.maximum(fig["water_tph"] - paste_water, 0.0)
        too_wet = excess > FLAG_TOL * np.maximum(paste_water, 1e-300)
        cyanide = cyanide_rule(fig, state, self.hj943)
        cyanide_ok = cyanide[0]
        npr = npr_rule(fig, state)
        metals = self.metals_rule(feed, fig, state)
        eligible = cyanide_ok & ~too_wet & npr[0] & metals[0]
        if self.error:
            wet = (
                ~too_wet,
                lambda i: f"feed carries {excess[i]:.4g} t/h more water than the paste holds",
            )
            refuse(self.spec, eligible, [cyanide, wet, npr, metals])
        metrics = {
            **fig,
            "paste_density_t_m3": rho,
            "paste_m3_h": paste_m3,
            "paste_water_tph": paste_water,
            "makeup_water_tph": np.maximum(paste_water - fig["water_tph"], 0.0),
            "excess_water_tph": excess,
            "too_wet_flag": too_wet.astype(float),
            "use_binder_kg_h": binder,
            "binder_kg_m3": binder_m3,
            "fines_ok_flag": (fig["fines_passing_frac"] >= state["fines_min_frac"]).astype(float),
            "cyanide_ok_flag": cyanide_ok.astype(float),
            "npr_ok_flag": npr[0].astype(float),
            "metals_ok_flag": metals[0].astype(float),
            "eligible_flag": eligible.astype(float),
        }
        return UnitResult((), metrics=metrics)


PASTE_BACKFILL = UnitType(
    name="paste_backfill",
    summary="residue placed underground as cemented paste fill: paste density, binder, fines and cyanide checks",
    inlets=("feed",),
    outlets=(),
    params=(
        frac(
            "paste_solids_frac",
            0.75,
            "mass fraction of solids of the paste",
            "0.70-0.85 [L] Adams (ed.) 2016, Gold Ore Processing; docs/models.md#residue",
            lo=0.5,
            hi=0.95,
        ),
        frac(
            "binder_frac",
            0.04,
            "binder (OPC or OPC + slag/fly ash) per tonne of dry tailings",
            "0.02-0.08 [L] Adams (ed.) 2016, Gold Ore Processing; docs/models.md#residue",
            hi=0.3,
        ),
        frac(
            "fines_min_frac",
            0.15,
            "least mass fraction finer than fines_size_um for the paste to hold its water",
            "about 15 % below 20 µm [L] Adams (ed.) 2016, Gold Ore Processing; docs/models.md#residue",
        ),
        positive(
            "fines_size_um",
            "µm",
            20.0,
            "size of the fines criterion",
            "20 µm [L] Adams (ed.) 2016, Gold Ore Processing; docs/models.md#residue",
            hi=1000.0,
        ),
        Param(
            "wad_limit_mg_l",
            "mg/L",
            50.0,
            "largest WAD cyanide (as CN) allowed in the paste water underground (rules = 'icmc')",
            "assumed: the ICMC 50 mg/L open-water benchmark [S] (Mudder, Botz & Smith 2001, Chemistry and Treatment of Cyanidation Wastes, §6.12; docs/models.md#detox) as an upper "
            "bound; residual CN must be destroyed or checked for the underground [L] Adams (ed.) 2016, Gold Ore Processing; docs/models.md#residue",
            lo=0.0,
            hi=5000.0,
        ),
        ON_INELIGIBLE,
        *rules_params("backfill"),
        *metals_params("backfill"),
        *aba_params(),
    ),
    build=PasteBackfill,
    is_sink=True,
    kpi_families=("residue_backfill",),
    prices={"binder": reagents.BINDER},
)


UNIT_TYPES = (PASTE_BACKFILL,)
