"""Chloride/hypochlorite leach with gold recovery on carbon or resin.

Gold forms AuCl₄⁻ (log β about 25.6) at high Eh (about 1.0 V), reached with chlorine or
hypochlorite at pH 6-8 in a sodium chloride background; kinetics are fast (hours)
(Aylmore, in Adams (ed.) 2016, ch. 27; docs/models.md#halide). Used on oxide ores, pre-oxidised residues and concentrates.

**Leaching.** Gold (and silver) of every size and deportment class leaches at first
order towards an ultimate in each of ``n_tanks`` mixed tanks,
``L_j = L_(j-1) / (1 + k tau_j)``, with the halide testwork's k and ultimate
(``[units.NAME.leach.SPECIES]``), falling above ``leach_d_ref_um`` by the [assumed]
power law of ``oreflow.kernels.leaching.size_dependent_leach_params``.

**Rate drivers.** The table's k is the rate at the reference conditions
(``kinetics_ref_*``, by default the unit's defaults: 2,000 mg/L active chlorine,
100 g/L NaCl, Eh 1,000 mV, 25 °C); each case's k is that times
``oreflow.kernels.lixiviant_rates.halide_rate_factor``:

    F = [Cl₂]^n_ox · [Cl⁻]^n_Cl · (1 − exp(−3F (Eh − E_eq)/RT)) · exp(−Ea/R (1/T − 1/298.15)),
    E_eq = 1.002 V + RT/(3F) ln([AuCl₄⁻]/[Cl⁻]⁴)

The third factor is the net forward share of the reversible Au/AuCl₄⁻ couple: gold
does not dissolve at or below ``E_eq`` (0.885 V at 100 g/L NaCl and 10 µM gold, 0.964 V
at 10 g/L), which is why chloride must be concentrated and Eh held near 1,000 mV
(Hasab, Rashchi & Raygan 2013: "stability range of the gold complex (Eh ~ 1000 mV)").
The oxidant order ``n_ox`` = 1.98 is fitted to two published ore leaches at 45 and
90 kg/t available chlorine (95 % in 18 h, 97 % in 6 h; 911Metallurgist, "Hypochlorite
leaching of gold ore"; ``data/testwork/cf_halide_911metallurgist_chlorine.csv``; first
order in time towards an [assumed] ultimate of 98 %; 1.87-2.11 for ultimates of
99-97.5 %), taken on the held tenor rather than the dose [assumed]. The chloride
order ``n_Cl`` = 0.5 is [assumed] (NaCl raises gold extraction: Baghalha 2007; Hasab
et al. 2013). The gold tenor of ``E_eq`` is 10 µM (2 mg/L) [assumed]. Eh is the
measured redox potential the plant controls (``eh_mv``, vs SHE); it is a lever of its
own here, not computed from the oxidant. Temperature enters twice: in ``E_eq`` and in
the Arrhenius factor, whose activation energy ``leach_ea_kj_mol`` = 53.43 kJ/mol was
measured on gold metal dissolving in chloride-hypochlorite at 277-304 K (first-order
rate constants; "kinetic control": Kozin, Prokopenko & Bogdanova 2005, abstract only);
its use for ore particles and above 31 °C is [assumed]; so is 25 °C as the
temperature of the leach table's k. Faster decomposition of hypochlorite when warm is
not modelled (``oxidant_decomposition_per_h`` does not depend on temperature).

**Oxidant.** Every sulfide mineral of the feed (a solid of Cu, Fe, S, As holding S:
pyrite, arsenopyrite, pyrrhotite, chalcopyrite, chalcocite, elemental S) must be listed
in ``[units.NAME.sulfide_oxidation.MINERAL]``: it oxidises at first order per size class
like the gold, completely to Fe(III), sulfate, arsenate and Cu(II). Its electrons,
``e = 3 x_Fe/M_Fe + 6 x_S/M_S + 5 x_As/M_As + 2 x_Cu/M_Cu`` per gram, are taken by the
oxidant, ``Cl₂ + 2 e⁻ → 2 Cl⁻`` or ``OCl⁻ + 2 H⁺ + 2 e⁻ → Cl⁻ + H₂O``: 4.433 g Cl₂ per g
pyrite, against 0.540 g per g gold (Au → AuCl₄⁻, 3 e⁻) and 0.329 g per g silver
(Ag(I)). An ore with 1 % pyrite needs 44.33 kg Cl₂/t, 2 g/t gold 0.0011 kg/t: sulfides
dominate the oxidant bill (ex11). Active chlorine is also held at ``free_oxidant_mg_l``
(as Cl₂) and decomposes at ``oxidant_decomposition_per_h`` of that tenor per hour
[assumed]. Oxidation of carbonaceous matter (the Carlin chlorination pretreatment) is
not modelled. The oxidant is reckoned and reported as Cl₂ equivalents (tenors, demand,
additions) and carried in the stream as HOCl, the ``hocl`` species (52.46 g per mol Cl₂
equivalent; at pH 6-8 hypochlorous acid and hypochlorite, pKa 7.5, both take 2 e⁻);
hypochlorite is bought as NaOCl (74.44 g per mol Cl₂ equivalent), whose sodium stays
dissolved, and chlorine gas hydrolyses to HOCl and HCl (reaction table:
``oreflow.units.reaction_tables``).

**Products.** Cu goes to ``cu_aq``, S to ``so4_aq``, As to ``as_aq``; Fe precipitates
as Fe(OH)₃ (``metal_hydroxides``, in the size class of the mineral) at pH 6-8, or stays
as ``fe_aq`` in acid chloride (``iron_product``) [assumed speciation]. Reduced oxidant
becomes chloride (``cl_aq``): 1 mol Cl⁻ per mol NaOCl, 2 per mol Cl₂.

**Acid and base.** From the charge balance of each half reaction
(``oreflow.kernels.lixiviants.sulfide_protons_mol_g``): FeS₂ + 8 H₂O → Fe³⁺ + 2 SO₄²⁻ +
16 H⁺ + 15 e⁻ (19 H⁺ with Fe(OH)₃), and the reduction of OCl⁻ takes up one H⁺ per
electron while Cl₂ takes none. The net acid is neutralised with NaOH or lime
(``base``); a net base surplus (e.g. chalcocite with hypochlorite) is reported as HCl
to add. ``base_extra_kg_t`` covers the ore's own buffering [assumed].

**Chloride.** The chloride background (``nacl_g_l`` as NaCl) is held by staged
addition, less the chloride the reduced oxidant brings; what leaves with the tails
solution is lost unless the flowsheet recycles it. assumed reagent uses and prices illustrates
NaOCl 10 kg/t, NaCl 20 kg/t and acid/base 5 kg/t, 5.85 USD/t (all [A]).

**Recovery.** AuCl₄⁻ loads strongly on activated carbon (it is reduced to metallic gold
on the carbon surface) and on strong-base resins; the adsorbent (``adsorbent``) moves
counter-current with the Nicol-Fleming rate ``dq/dt = k (K C - q)`` of Nicol, Fleming & Cromberge 1984; Fleming et al. 2011, Miner. Eng. 24:484; docs/models.md#cil,
constants [assumed]. Residual active chlorine also oxidises carbon; the carbon
loss (``adsorbent_loss_g_t``) should reflect it.

**Materials of construction.** Chloride at high Eh corrodes carbon and stainless steel:
tanks, agitators and pipes are titanium, FRP or rubber-lined, and the chloride bleed
or recycle (and the residual oxidant in the tails, which must be destroyed, e.g. with
SO₂ or bisulfite, before storage) drives the capital cost (Aylmore, in Adams (ed.) 2016, ch. 27; docs/models.md#halide). Neither is
costed here.

**Reagent use** for the economics: ``use_naocl_kg_h`` (or ``use_cl2_kg_h``),
``use_nacl_kg_h``, ``use_naoh_kg_h`` or ``use_lime_kg_h``, ``use_hcl_kg_h``,
``use_carbon_kg_h`` or ``use_resin_kg_h``.

References
----------
L. F. Kozin, V. A. Prokopenko and A. K. Bogdanova, "Kinetics and mechanism of the gold
corrosion dissolution in hypochlorite solutions", Protection of Metals 41(1):22-29,
2005, doi:10.1007/s11124-005-0003-6 (abstract only; DOI from an index page, not checked).
M. G. Hasab, F. Rashchi and S. Raygan, "Chloride-hypochlorite oxidation and leaching
of refractory sulfide gold concentrate", Physicochem. Probl. Miner. Process.
49(1):61-70, 2013 (abstract checked).
M. Baghalha, "Leaching of an oxide gold ore with chloride/hypochlorite solutions",
Int. J. Miner. Process. 82:178-186, 2007 (abstract checked).
911Metallurgist, "Hypochlorite leaching of gold ore",
https://www.911metallurgist.com/hypochlorite-leaching-gold-ore/ (accessed 2026; the
two ore tests quoted there; their original report is not named on the page).
J. Marsden and I. House, *The Chemistry of Gold Extraction*, 2nd ed., SME, 2006,
ch. 7 (chlorination and hypochlorite leaching) [L].
M. G. Aylmore, "Alternative lixiviants to cyanide for leaching gold ores", in M. D.
Adams (ed.), *Gold Ore Processing*, 2nd ed., Elsevier, 2016, ch. 27,
doi:10.1016/B978-0-444-63658-4.00027-X [L, DOI not checked].
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from oreflow.core.components import HOCL_PER_CL2, ComponentSet
from oreflow.core.schema import Param, positive
from oreflow.errors import Problem
from oreflow.kernels.arrays import safe_div
from oreflow.units import reagents
from oreflow.units.base import PrepareContext, RouteKpis, UnitResult, UnitSpec, UnitType
from oreflow.units.lixiviant_common import (
    LeachTrain,
    hold_tenor,
    per_tonne,
    tenor_g_m3,
)
from oreflow.units.lixiviant_params import (
    TrainDefaults,
    check_minerals,
    check_train,
    is_sulfide,
    leach_table,
    mineral_table,
    train_params,
)

_DEFAULTS = TrainDefaults(
    n_tanks=4,
    k_per_h=0.05,
    k_eq_m3_t=1.0e5,
    ag_k_eq_m3_t=1.0e3,
    inventory_g_l=15.0,
    advance_t_d=5.0,
    barren_g_t=50.0,
    loss_g_t=50.0,
    adsorption_source=(
        "assumed; AuCl4- is reduced on carbon and loads strongly (Marsden & House 2006 ch. 7 [L])"
    ),
    inventory_source="assumed; as carbon in CIL, 10-25 g/L [L]",
    loss_source="assumed; above CIL's 20-50 g/t because residual chlorine attacks carbon",
)

PARAMS: tuple[Param, ...] = (
    Param(
        "oxidant",
        "-",
        "naocl",
        "oxidant: 'naocl' (sodium hypochlorite) or 'cl2' (chlorine gas)",
        "Aylmore, in Adams (ed.) 2016, ch. 27; docs/models.md#halide",
        kind=str,
        choices=("naocl", "cl2"),
    ),
    Param(
        "free_oxidant_mg_l",
        "mg/L",
        2000.0,
        "active chlorine held in the pulp, as Cl2",
        "assumed",
        lo=0.0,
        hi=50000.0,
    ),
    Param(
        "oxidant_decomposition_per_h",
        "1/h",
        0.02,
        "fraction of the active chlorine held that decomposes per hour",
        "assumed",
        lo=0.0,
        hi=1.0,
    ),
    Param(
        "nacl_g_l",
        "g/L",
        100.0,
        "chloride background held in the pulp solution, as NaCl",
        "assumed; concentrated chloride stabilises AuCl4- (Aylmore, in Adams (ed.) 2016, ch. 27; docs/models.md#halide)",
        lo=0.0,
        hi=360.0,
    ),
    Param(
        "iron_product",
        "-",
        "metal_hydroxides",
        "where oxidised iron goes: 'metal_hydroxides' (Fe(OH)3 at pH 6-8) or 'fe_aq' (acid chloride)",
        "assumed speciation",
        kind=str,
        choices=("metal_hydroxides", "fe_aq"),
    ),
    Param(
        "base",
        "-",
        "naoh",
        "alkali neutralising the acid of sulfide oxidation: 'naoh' or 'lime' (CaO)",
        "assumed reagent uses and prices (acid/base)",
        kind=str,
        choices=("naoh", "lime"),
    ),
    Param(
        "base_extra_kg_t",
        "kg/t",
        0.0,
        "alkali per tonne of solids beyond the stoichiometric need (ore buffering)",
        "assumed",
        lo=0.0,
        hi=200.0,
    ),
    Param(
        "adsorbent",
        "-",
        "carbon",
        "adsorbent recovering the gold: 'carbon' or 'resin'",
        "Aylmore, in Adams (ed.) 2016, ch. 27; docs/models.md#halide",
        kind=str,
        choices=("carbon", "resin"),
    ),
    Param(
        "eh_mv",
        "mV",
        1000.0,
        "redox potential of the leach pulp, vs SHE",
        "Eh about 1000 mV for the gold chloride complex (Hasab et al. 2013) [S]",
        lo=0.0,
        hi=1600.0,
    ),
    Param(
        "temperature_degc",
        "°C",
        25.0,
        "leach temperature (enters the Au/AuCl4- equilibrium potential and the Arrhenius rate)",
        "assumed ambient; Hasab et al. 2013 leached at 25 °C [S]",
        lo=0.0,
        hi=100.0,
    ),
    positive(
        "leach_ea_kj_mol",
        "kJ/mol",
        53.43,
        "activation energy of gold dissolution in chloride-hypochlorite (Arrhenius at 25 °C)",
        "Kozin, Prokopenko & Bogdanova 2005, Protection of Metals 41:22-29: 53.43 kJ/mol, "
        "gold metal, 277-304 K (abstract only)",
        hi=200.0,
    ),
    Param(
        "oxidant_rate_order",
        "-",
        1.98,
        "reaction order of the gold rate in active chlorine",
        "fitted: 911Metallurgist hypochlorite ore tests (45 and 90 kg/t available Cl); "
        "data/testwork/cf_halide_911metallurgist_chlorine.csv",
        lo=0.0,
        hi=4.0,
    ),
    Param(
        "chloride_rate_order",
        "-",
        0.5,
        "reaction order of the gold rate in chloride",
        "assumed; NaCl raises gold leaching (Baghalha 2007; Hasab et al. 2013)",
        lo=0.0,
        hi=4.0,
    ),
    positive(
        "kinetics_ref_oxidant_mg_l",
        "mg/L",
        2000.0,
        "active chlorine (as Cl2) at which the leach table's k was measured",
        "assumed; the unit default",
        hi=50000.0,
    ),
    positive(
        "kinetics_ref_nacl_g_l",
        "g/L",
        100.0,
        "chloride (as NaCl) at which the leach table's k was measured",
        "assumed; the unit default",
        hi=360.0,
    ),
    positive(
        "kinetics_ref_eh_mv",
        "mV",
        1000.0,
        "Eh at which the leach table's k was measured",
        "Hasab et al. 2013 [S]",
        hi=1600.0,
    ),
    Param(
        "kinetics_ref_temperature_degc",
        "°C",
        25.0,
        "temperature at which the leach table's k was measured",
        "assumed ambient, 25 °C",
        lo=0.0,
        hi=100.0,
    ),
    *train_params("adsorbent", _DEFAULTS),
)

LEACH = leach_table(
    "halide leach kinetics of each gold (or silver) class",
    "testwork; fast, hours [L] Aylmore, in Adams (ed.) 2016, ch. 27; docs/models.md#halide",
)
SULFIDES = mineral_table(
    "oxidation kinetics of each sulfide mineral (all sulfides of the feed must be listed)",
    "testwork",
)


#: Gold tenor at which the Au/AuCl4- equilibrium potential is taken [mol/L]: 10 µM,
#: about 2 mg/L [assumed].
EQ_GOLD_MOL_L = 1.0e-5


def routing(iron_product: str) -> dict[str, str]:
    """Product species of each element released by an oxidised sulfide."""
    return {"cu": "cu_aq", "s": "so4_aq", "as": "as_aq", "fe": iron_product}


class HalideLeach:
    """Compiled chloride/hypochlorite leach (see module docstring)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        from oreflow.kernels.lixiviants import (
            chlorine_demand_g_g,
            sulfide_electrons_mol_g,
            sulfide_protons_mol_g,
        )

        self.spec = spec
        self.comps = comps
        p = spec.params
        self.ads = str(p["adsorbent"])
        self.oxidant = str(p["oxidant"])
        self.base = str(p["base"])
        self.train = LeachTrain(
            spec, comps, self.ads, "adsorbent", "sulfide_oxidation", routing(p["iron_product"])
        )
        precipitates = p["iron_product"] == "metal_hydroxides"
        self.electrons = []  # mol e- per g of each listed mineral
        self.protons = []
        self.cl2_g_g = []
        for name in self.train.minerals:
            el = comps.solids[comps.solid_index(name)].elements
            x = [float(el.get(e, 0.0)) for e in ("fe", "s", "as", "cu")]
            e = float(sulfide_electrons_mol_g(*x))
            self.electrons.append(e)
            self.protons.append(float(sulfide_protons_mol_g(*x, precipitates)))
            self.cl2_g_g.append(float(chlorine_demand_g_g(e)))
        # Acid is needed only where a mineral's oxidation takes up more H+ than it makes
        # (e.g. chalcocite with hypochlorite); report HCl only when that can happen.
        taken = 1.0 if self.oxidant == "naocl" else 0.0
        self.may_need_acid = any(
            h < taken * e for h, e in zip(self.protons, self.electrons, strict=True)
        )
        self.i_ox = comps.solution_offset("hocl")
        self.i_cl = comps.solution_offset("cl_aq")

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """Leach and sulfide-oxidation kinetics per case and size class, at each case's Eh."""
        from oreflow.kernels import lixiviants as lx
        from oreflow.kernels.lixiviant_rates import halide_rate_factor

        n = ctx.n_cases

        def arr(name: str) -> np.ndarray:
            return np.ascontiguousarray(np.broadcast_to(params[name], (n,)), dtype=np.float64)

        cl_m = 1.0 / lx.NACL_G_MOL  # mol/L per g/L of NaCl
        ref = np.stack(
            [
                arr("kinetics_ref_oxidant_mg_l"),
                arr("kinetics_ref_nacl_g_l") * cl_m,
                arr("kinetics_ref_eh_mv"),
                arr("kinetics_ref_temperature_degc"),
            ],
            axis=1,
        )
        factor = halide_rate_factor(
            arr("free_oxidant_mg_l"), arr("nacl_g_l") * cl_m, arr("eh_mv"), arr("temperature_degc"),
            np.ascontiguousarray(ref), EQ_GOLD_MOL_L, arr("oxidant_rate_order"),
            arr("chloride_rate_order"), arr("leach_ea_kj_mol"),
        )  # fmt: skip
        return self.train.prepare(params, n, factor)

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Oxidise sulfides, leach gold, consume oxidant, neutralise, load the adsorbent."""
        from oreflow.kernels import lixiviants as lx

        feed, pulp, out = self.train.begin(state, inlets)
        params, n = state.params, feed.shape[0]
        sol, solids = pulp.solution_m3_h, pulp.solids_tph
        released = self.train.dissolve_minerals(state, pulp, feed, out)
        self.train.leach_and_adsorb(
            state,
            pulp,
            feed,
            out,
            params["adsorption_k_eq_m3_t"],
            params["ag_adsorption_k_eq_m3_t"],
        )
        m = out.metrics

        # electrons (1e6 mol/h = t/h x mol/g) and oxidant (t/h of Cl2 equivalents)
        electrons = np.zeros(n)
        protons = np.zeros(n)
        cl2_sulfide = np.zeros(n)
        for d, name in enumerate(self.train.minerals):
            oxidised = released[f"mineral_{name}"]
            electrons += oxidised * self.electrons[d]
            protons += oxidised * self.protons[d]
            cl2_sulfide += oxidised * self.cl2_g_g[d]
        au = out.dissolved.get("au", np.zeros(n))
        ag = out.dissolved.get("ag", np.zeros(n))
        metal_e = (
            au * lx.AU_CHLORIDE_VALENCE / lx.AU_G_MOL + ag * lx.AG_CHLORIDE_VALENCE / lx.AG_G_MOL
        )
        electrons += metal_e
        cl2_metal = lx.chlorine_demand_g_g(1.0) * metal_e
        free_g_m3 = params["free_oxidant_mg_l"]
        decomposed = lx.held_tenor_loss_tph(
            sol, free_g_m3, params["oxidant_decomposition_per_h"], pulp.tau
        )
        consumed = cl2_sulfide + cl2_metal + decomposed
        # active chlorine is reckoned as Cl2 and carried in the stream as HOCl
        feed_ox = feed[:, self.i_ox] / HOCL_PER_CL2
        ox_add, ox_out = hold_tenor(feed_ox, free_g_m3 * sol / 1e6, consumed)
        out.tails[:, self.i_ox] = ox_out * HOCL_PER_CL2
        out.added[:, self.i_ox] = ox_add * HOCL_PER_CL2
        out.reacted[:, self.i_ox] = -consumed * HOCL_PER_CL2

        # chloride: from the reduced oxidant, topped up with NaCl
        cl_per_cl2 = (2.0 if self.oxidant == "cl2" else 1.0) * lx.CL_G_MOL / lx.CL2_G_MOL
        formed = consumed * cl_per_cl2
        target_cl = params["nacl_g_l"] * 1000.0 * lx.CL_G_MOL / lx.NACL_G_MOL * sol / 1e6
        cl_add, cl_out = hold_tenor(feed[:, self.i_cl], target_cl, -formed)
        out.tails[:, self.i_cl] = cl_out
        out.added[:, self.i_cl] = cl_add
        out.reacted[:, self.i_cl] = formed

        # acid made by oxidation, less what the reduction of hypochlorite takes up
        h_taken = electrons if self.oxidant == "naocl" else np.zeros(n)
        net_h = protons - h_taken  # 1e6 mol/h
        base_g_mol = lx.NAOH_G_MOL if self.base == "naoh" else lx.CAO_G_MOL / 2.0
        base_tph = np.maximum(net_h, 0.0) * base_g_mol + params["base_extra_kg_t"] * solids / 1e3
        acid_tph = np.maximum(-net_h, 0.0) * lx.HCL_G_MOL

        ox_name = "naocl" if self.oxidant == "naocl" else "cl2"
        ox_mass = lx.NAOCL_G_MOL / lx.CL2_G_MOL if self.oxidant == "naocl" else 1.0
        m["oxidant_demand_cl2_kg_t"] = per_tonne(consumed, solids)
        m["oxidant_sulfide_cl2_kg_t"] = per_tonne(cl2_sulfide, solids)
        m["oxidant_gold_cl2_kg_t"] = per_tonne(cl2_metal, solids)
        m["oxidant_added_cl2_kg_t"] = per_tonne(ox_add, solids)
        m["free_oxidant_tails_mg_l"] = tenor_g_m3(ox_out, sol)
        sulfide_in = self.comps.solids_view(feed)[:, :, self.train.mineral_idx].sum(axis=(1, 2))
        oxidised = np.zeros(n)
        for name in self.train.minerals:
            oxidised += released[f"mineral_{name}"]
        m["sulfide_oxidised_frac"] = safe_div(oxidised, sulfide_in)
        m["nacl_added_kg_t"] = per_tonne(cl_add * lx.NACL_G_MOL / lx.CL_G_MOL, solids)
        m[f"{self.base}_kg_t"] = per_tonne(base_tph, solids)
        m[f"use_{ox_name}_kg_h"] = ox_add * 1000.0 * ox_mass
        m["use_nacl_kg_h"] = cl_add * 1000.0 * lx.NACL_G_MOL / lx.CL_G_MOL
        m[f"use_{self.base}_kg_h"] = base_tph * 1000.0
        if self.may_need_acid:
            m["use_hcl_kg_h"] = acid_tph * 1000.0
        return UnitResult((out.tails, out.loaded), added=out.added, reacted=out.reacted, metrics=m)


def _check(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    key = f"units.{spec.name}"
    p = spec.params
    check_train(spec, comps, file, problems, str(p["adsorbent"]))
    check_minerals(
        spec,
        comps,
        file,
        problems,
        "sulfide_oxidation",
        routing(p["iron_product"]),
        "s",
        whole_formula=True,
    )
    for name in ("hocl", "cl_aq"):
        if not comps.has(name):
            problems.append(
                Problem(file, key, f"a halide_leach needs the species {name!r} declared in [case]")
            )
    listed = spec.tables.get("sulfide_oxidation", {})
    missing = [s.name for s in comps.solids if is_sulfide(comps, s.name) and s.name not in listed]
    if missing:
        problems.append(
            Problem(
                file,
                f"{key}.sulfide_oxidation",
                f"no oxidation kinetics for sulfide {', '.join(missing)}: sulfides consume "
                "most of the oxidant (4.43 g Cl2 per g pyrite); list each one",
            )
        )


HALIDE_LEACH = UnitType(
    name="halide_leach",
    reactive=True,
    summary=(
        "chloride/hypochlorite leach: first-order leach by size and gold class, sulfide "
        "oxidation and its oxidant and acid demand, counter-current carbon or resin"
    ),
    inlets=("feed",),
    outlets=("tails", "loaded_adsorbent"),
    params=PARAMS,
    tables={"leach": LEACH, "sulfide_oxidation": SULFIDES},
    build=HalideLeach,
    check=_check,
    kpi_families=("lixiviant_route",),
    route_kpis=RouteKpis(
        loaded_port="loaded_adsorbent",
        per_t_ore=(("oxidant_demand_cl2_kg_t", "oxidant_cl2_kg_t"),),
    ),
    route_word="halide leach",
    prices={
        "hcl": reagents.HCL,
        "nacl": reagents.NACL,
        "naocl": reagents.NAOCL,
        "cl2": reagents.CL2,
        "naoh": reagents.NAOH,
        "lime": reagents.LIME,
        "carbon": reagents.CARBON,
        "resin": reagents.RESIN,
    },
)

UNIT_TYPES = (HALIDE_LEACH,)
