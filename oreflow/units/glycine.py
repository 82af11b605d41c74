"""Glycine leach, alone or cyanide-starved (GlyCat), with carbon adsorption.

Two modes (``mode``), Oraby, Eksteen & Tanda 2017, Hydrometallurgy 169:339; docs/models.md#glycine and the table of Aylmore, in Adams (ed.) 2016, ch. 27; docs/models.md#lixiviant_common:

``"glycine"``
    alkaline glycine alone (pH 10.5-12; GlyLeach, Eksteen & Oraby, Curtin University):
    gold leaches at about 60 °C, or at ambient with a strong oxidant (KMnO₄, H₂O₂). On
    an oxide ore, 1.5 kg/t glycine + 3 kg/t KMnO₄ at 30 % solids and pH 10.5 gave
    85.1 % Au against 87.4 % with cyanide (Oraby, Eksteen & O'Connor 2020) [S]. Copper
    minerals leach readily as the bis-glycinate.
``"glycine_cyanide"``
    glycine added to copper-cyanide solutions at low or zero free cyanide (GlyCat,
    Draslovka): gold dissolves about 3x faster than with cyanide alone, and glycine
    takes over part of the copper, cutting cyanide use by 20-80 % on Cu-Au ores
    (Oraby, Eksteen & Tanda 2017; vendor claims) [S].

**Leaching.** Gold (and silver) of every size and deportment class leaches at first
order towards an ultimate extraction in each of ``n_tanks`` mixed tanks,
``L_j = L_(j-1) / (1 + k tau_j)``, with k and the ultimate of the mode's testwork
(``[units.NAME.leach.SPECIES]``; for GlyCat about 3x the cyanide k of the same ore
[S]) falling above ``leach_d_ref_um`` by the [assumed] power law of
``oreflow.kernels.leaching.size_dependent_leach_params``.

**Rate drivers.** The table's k is the rate at the reference conditions
(``kinetics_ref_*``: by default those of Oraby, Eksteen & O'Connor 2020, 1.5 kg/t
glycine at 30 % solids = 0.643 g/L, pH 10.5, ambient 25 °C [assumed for "ambient"],
3 kg/t KMnO₄, no copper); each case's k is that times
``oreflow.kernels.lixiviant_rates.glycine_rate_factor``:

    F = S(c_gly x⁻(pH), K_gly) · (1 + g_ox S(D, D_half)) · (1 + g_Cu S(Cu, K_Cu)) · exp(−Ea/R (1/T − 1/T_25))

with ``S(c, K) = c/(c + K)`` and ``x⁻ = 1/(1 + 10^(9.78 − pH))`` the glycinate share
(the complexing form; pKa₂ 9.78, CRC Handbook). ``K_gly`` = 0.5 g/L [assumed] puts
the saturation where the published work has it: the gold rate of glycine-cyanide rises
with glycine up to about 2 g/L (Oraby, Eksteen & Tanda 2017) and glycine is not a
significant factor between 0.5 and 2 M at 24 h (Altinkaya et al. 2020). The permanganate
gain ``kmno4_rate_gain`` = 39.1 is fitted to the screening of Oraby et al. (2020): 85.1 %
with 3 kg/t KMnO₄ against at best 11 % with the other oxidants, taken as equal-time
batch tests towards the 87.4 % of their cyanide benchmark
(``data/testwork/cf_glycine_oraby2020_oxidants.csv``; 2 points, 2 unknowns, exact).
Peroxide's gain (``h2o2_rate_gain``), ``D_half``, copper catalysis and ``Ea`` are
[assumed] in form and size, in the directions of Eksteen & Oraby (2015): gold
dissolution rises with glycine, peroxide, pH, temperature (40-60 °C) and Cu²⁺.
In mode ``"glycine_cyanide"`` the oxidant is air and copper is the cyanide carrier:
only the glycine, pH and temperature terms act. Copper minerals listed in
``[units.NAME.copper_leach.MINERAL]`` dissolve at first order in the same way; their
Cu goes to ``cu_aq``, their S to ``so4_aq``, their As to ``as_aq``, their carbonate C
(malachite, azurite, given as case species) to ``co2``, and their Fe precipitates as
``metal_hydroxides`` in the size class of the mineral (pH 10.5-12) [assumed
speciation].

**Glycine.** Free glycine is held at ``glycine_g_l`` by staged addition and lost at
first order, ``glycine_loss_per_h`` of the free tenor per hour (oxidation, adsorption;
the licensor expects process losses below 5 % [S], the rate is [assumed]). Copper held
as Cu(gly)₂ binds 2 mol glycine per mol Cu (2.363 kg/kg), all of it in mode
``"glycine"`` and the share ``cu_glycine_frac`` in GlyCat. The ``glycine`` species
is the total (free and bound). What leaves with the tails solution is lost unless the
flowsheet recycles it: the make-up per tonne is ex11's
``inventory · f_not_recycled + loss`` (0.2 M at 40 % solids: 22.52 kg/t in solution,
1.126 kg/t at 95 % recycle).

**Cyanide (GlyCat).** Free cyanide is held at ``nacn_mg_l`` (as NaCN), with a chemical
consumption ``nacn_chemical_consumption_kg_t`` (cyanate, HCN) as in the CIL; the copper
not held by glycine takes 3.5 mol CN⁻ per mol Cu (2.699 kg NaCN/kg Cu), 3 held as
Cu(CN)₃²⁻ in ``cn_wad`` and 0.5 oxidised to cyanate (``ocn`` if declared) (Marsden & House 2006; docs/models.md#cil). WAD cyanide in the tails solution is reported as CN (free cyanide converted
from NaCN plus ``cn_wad``).

**Oxidant, alkali, heat.** The oxidant (``oxidant``, ``oxidant_kg_t``) is dosed per
tonne and consumed; its demand by reactive sulfides and other reducing minerals, which
Oraby et al. (2020) expect to make the permanganate route ineffective on such ores, is
not modelled: set the dose from testwork on the ore. NaOH or lime holds the pH. Heating the pulp from
``feed_temperature_degc`` to ``temperature_degc`` takes
``(ṁ_w 4.18 + ṁ_s 0.8) kJ/(kg K) · ΔT`` with no heat recovery (``heat_duty_kw``).

**Carbon.** Dissolved gold loads onto activated carbon moving counter-current
(Nicol-Fleming ``dq/dt = k (K C - q)``, Nicol, Fleming & Cromberge 1984; Fleming et al. 2011, Miner. Eng. 24:484; docs/models.md#cil). In GlyCat the gold is mostly
aurocyanide and loads as in the CIL; gold glycinate loads more weakly, modelled as
``K · glycinate_carbon_affinity_frac`` in mode ``"glycine"`` [assumed factor; gold
and copper glycinates do adsorb on carbon: Tauetsile, Oraby & Eksteen 2018 [L, not
checked]]. Temperature (``oreflow.kernels.carbon_temperature``, as in the CIL): at
``temperature_degc`` every metal's film rate moves by the agitated-tank film factor
(Calderbank & Moo-Young with Stokes-Einstein, 2.17 at 60 over 25 °C), and in mode
``"cyanide"`` the aurocyanide K by van 't Hoff with ``adsorption_dh_kj_mol`` (fitted to
Aworn et al. 2005, abstract only), its k divided by it so that ``k K`` follows the film.
Gold glycinate and silver keep their K at every temperature (no data found). Both
factors are exactly 1 at ``ref_adsorption_temp_c``.

**Reagent use** for the economics (assumed reagent uses and prices): ``use_glycine_kg_h``,
``use_kmno4_kg_h`` or ``use_h2o2_kg_h``, ``use_nacn_kg_h`` (GlyCat), ``use_naoh_kg_h``,
``use_lime_kg_h``, ``use_carbon_kg_h``. assumed reagent uses and prices illustrates 12.70 USD/t for
glycine + KMnO₄ and 2.23 USD/t for glycine-cyanide (all [A]).

References
----------
E. A. Oraby, J. J. Eksteen and B. C. Tanda, "Gold and copper leaching from gold-copper
ores and concentrates using a synergistic lixiviant mixture of glycine and cyanide",
Hydrometallurgy 169:339-345, 2017, doi:10.1016/j.hydromet.2017.02.019 [DOI not checked; citation checked].
E. A. Oraby, J. J. Eksteen and G. M. O'Connor, "Gold leaching from oxide ores using
alkaline glycine solutions in the presence of permanganate", Hydrometallurgy
198:105527, 2020 (title, volume and the 85.1 % / 87.4 % figures checked),
doi:10.1016/j.hydromet.2020.105527 [DOI not checked].
E. A. Oraby and J. J. Eksteen, "The selective leaching of copper from a gold-copper
concentrate in glycine solutions", Hydrometallurgy 150:14-19, 2014,
doi:10.1016/j.hydromet.2014.09.005 [DOI not checked].
J. J. Eksteen and E. A. Oraby, "The leaching and adsorption of gold using low
concentration amino acids and hydrogen peroxide: effect of catalytic ions, sulphide
minerals and amino acid type", Miner. Eng. 70:36-42, 2015 (abstract checked).
P. Altinkaya et al., "Leaching and recovery of gold from ore in cyanide-free glycine
media", Miner. Eng. 158:106610, 2020, doi:10.1016/j.mineng.2020.106610 (abstract checked).
P. J. Tauetsile, E. A. Oraby and J. J. Eksteen, "Adsorption behaviour of copper and gold
glycinates in alkaline media onto activated carbon. Part 1: Isotherms", Hydrometallurgy
178:202-208, 2018 [L, not checked].
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

from oreflow.conventions import CN_G_MOL, NACN_G_MOL
from oreflow.core.components import ComponentSet
from oreflow.core.formulas import formula_mass_g_mol
from oreflow.core.schema import REQUIRED, Param, frac, positive
from oreflow.errors import Problem
from oreflow.kernels.arrays import safe_div
from oreflow.kernels.carbon_temperature import (
    TANK_FILM_EXPONENT,
    film_temperature_factor,
    isotherm_temperature_factor,
)
from oreflow.units import reagents
from oreflow.units.adsorption_rate import ADSORPTION_TEMPERATURE_PARAMS
from oreflow.units.base import PrepareContext, RouteKpis, Sizing, UnitResult, UnitSpec, UnitType
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
    leach_table,
    mineral_table,
    train_params,
)
from oreflow.units.products import ProductSpecies

#: t MnO2 per t KMnO4 reduced (formula masses) [S].
_MNO2_PER_KMNO4 = formula_mass_g_mol("MnO2") / formula_mass_g_mol("KMnO4")

#: NaCN -> CN, with the molar masses the kernels use [S].
_CN_PER_NACN = CN_G_MOL / NACN_G_MOL
#: Below this temperature glycine alone needs an oxidant to leach gold [assumed]
#: (Oraby, Eksteen & Tanda 2017, Hydrometallurgy 169:339; docs/models.md#glycine: about 60 °C, or strong oxidants at ambient).
MIN_UNOXIDISED_DEGC = 40.0

#: Product of each element of a dissolving copper mineral: carbonate of malachite or
#: azurite (defined under [case.species_properties]) is counted as CO2 in solution.
ROUTING = {"cu": "cu_aq", "s": "so4_aq", "as": "as_aq", "fe": "metal_hydroxides", "c": "co2"}

_DEFAULTS = TrainDefaults(
    n_tanks=6,
    k_per_h=0.015,
    k_eq_m3_t=1.0e4,
    ag_k_eq_m3_t=2.0e3,
    inventory_g_l=15.0,
    advance_t_d=5.0,
    barren_g_t=50.0,
    loss_g_t=30.0,
    adsorption_source="assumed; 0.005-0.05 1/h, 1e3-1e5 m³/t [A] Nicol, Fleming & Cromberge 1984; Fleming et al. 2011, Miner. Eng. 24:484; docs/models.md#cil",
    inventory_source="10-25 g/L [L] Marsden & House 2006 ch. 7",
    loss_source="20-50 g/t [L] Marsden & House 2006; docs/models.md#recovery",
)

#: Rate-law constants and reference conditions of the gold rate constant
#: (``oreflow.kernels.lixiviant_rates.glycine_rate_factor``).
RATE_PARAMS: tuple[Param, ...] = (
    positive(
        "glycine_half_g_l",
        "g/L",
        0.5,
        "glycinate tenor at which the gold rate is half its saturated value",
        "assumed; consistent with a rate rising to about 2 g/L (Oraby, Eksteen & Tanda 2017) "
        "and no significant effect at 0.5-2 M (Altinkaya et al. 2020)",
        hi=100.0,
    ),
    positive(
        "leach_ea_kj_mol",
        "kJ/mol",
        45.0,
        "apparent activation energy of gold leaching in glycine",
        "assumed; heating to 40-60 °C enhances dissolution significantly (Eksteen & Oraby 2015)",
        hi=200.0,
    ),
    Param(
        "kmno4_rate_gain",
        "-",
        39.1,
        "saturated rate with permanganate over the rate with air alone, minus one",
        "fitted: Oraby, Eksteen & O'Connor 2020 screening, 85.1 % (KMnO4 3 kg/t) vs at best "
        "11 % (other oxidants); data/testwork/cf_glycine_oraby2020_oxidants.csv",
        lo=0.0,
        hi=1000.0,
    ),
    Param(
        "h2o2_rate_gain",
        "-",
        1.0,
        "saturated rate with hydrogen peroxide over the rate with air alone, minus one",
        "assumed; peroxide gave at most 11 % at ambient (Oraby et al. 2020) but raises the "
        "rate at 40-60 °C (Eksteen & Oraby 2015)",
        lo=0.0,
        hi=1000.0,
    ),
    positive(
        "oxidant_half_kg_t",
        "kg/t",
        1.5,
        "oxidant dose at which its gain is half-saturated",
        "assumed (half the 3 kg/t KMnO4 of Oraby et al. 2020)",
        hi=100.0,
    ),
    Param(
        "cu_rate_gain",
        "-",
        1.0,
        "saturated rate with copper(II) catalyst over the rate without, minus one",
        "assumed; Cu2+ enhances gold dissolution in glycine-peroxide (Eksteen & Oraby 2015)",
        lo=0.0,
        hi=100.0,
    ),
    positive(
        "cu_half_mg_l",
        "mg/L",
        100.0,
        "copper(II) tenor at which the copper gain is half-saturated",
        "assumed",
        hi=1e4,
    ),
    positive(
        "kinetics_ref_glycine_g_l",
        "g/L",
        0.643,
        "free glycine at which the leach table's k was measured",
        "Oraby, Eksteen & O'Connor 2020: 1.5 kg/t at 30 % solids [S]",
        hi=150.0,
    ),
    Param(
        "kinetics_ref_ph",
        "-",
        10.5,
        "pH at which the leach table's k was measured",
        "Oraby, Eksteen & O'Connor 2020 [S]",
        lo=7.0,
        hi=13.5,
    ),
    Param(
        "kinetics_ref_temperature_degc",
        "°C",
        25.0,
        "temperature at which the leach table's k was measured",
        "assumed 25 °C for the 'ambient' of Oraby et al. 2020",
        lo=0.0,
        hi=100.0,
    ),
    Param(
        "kinetics_ref_kmno4_kg_t",
        "kg/t",
        3.0,
        "KMnO4 dose at which the leach table's k was measured (0: air alone)",
        "Oraby, Eksteen & O'Connor 2020 [S]",
        lo=0.0,
        hi=100.0,
    ),
)

PARAMS: tuple[Param, ...] = (
    Param(
        "mode",
        "-",
        "glycine",
        "'glycine' (alkaline glycine alone) or 'glycine_cyanide' (cyanide-starved, GlyCat)",
        "Oraby, Eksteen & Tanda 2017, Hydrometallurgy 169:339; docs/models.md#glycine",
        kind=str,
        choices=("glycine", "glycine_cyanide"),
    ),
    positive(
        "glycine_g_l",
        "g/L",
        REQUIRED,
        "free glycine held in the pulp solution",
        "glycine alone 0.1-0.5 M = 7.5-37.5 g/L (15 g/L = 0.2 M in ex11); GlyCat 0.5-2 g/L [S] "
        "Oraby, Eksteen & Tanda 2017, Hydrometallurgy 169:339; docs/models.md#glycine",
        hi=150.0,
    ),
    Param(
        "glycine_loss_per_h",
        "1/h",
        0.0005,
        "fraction of the free glycine destroyed (oxidised, adsorbed) per hour",
        "assumed; licensor expects process losses below 5 % [S] Oraby, Eksteen & Tanda 2017, Hydrometallurgy 169:339; docs/models.md#glycine",
        lo=0.0,
        hi=1.0,
    ),
    Param(
        "oxidant",
        "-",
        "none",
        "oxidant dosed: 'none' (heated leach, or GlyCat with air), 'kmno4' or 'h2o2'",
        "Oraby, Eksteen & Tanda 2017, Hydrometallurgy 169:339; docs/models.md#glycine",
        kind=str,
        choices=("none", "kmno4", "h2o2"),
    ),
    Param(
        "oxidant_kg_t",
        "kg/t",
        0.0,
        "oxidant dosed per tonne of solids (as KMnO4 or H2O2 100 %)",
        "KMnO4 3 kg/t in Oraby, Eksteen & O'Connor 2020 [S]",
        lo=0.0,
        hi=100.0,
    ),
    Param(
        "temperature_degc",
        "°C",
        25.0,
        "leach temperature",
        "about 60 °C for glycine alone without a strong oxidant [S] Oraby, Eksteen & Tanda 2017, Hydrometallurgy 169:339; docs/models.md#glycine",
        lo=0.0,
        hi=100.0,
    ),
    Param(
        "feed_temperature_degc",
        "°C",
        25.0,
        "temperature of the pulp fed to the leach (for the heat duty)",
        "assumed",
        lo=0.0,
        hi=100.0,
    ),
    Param(
        "nacn_mg_l",
        "mg/L",
        50.0,
        "free cyanide held in the pulp, as NaCN (glycine_cyanide mode only)",
        "assumed; 'low or zero free CN' [S] Aylmore, in Adams (ed.) 2016, ch. 27; docs/models.md#lixiviant_common table",
        lo=0.0,
        hi=2000.0,
    ),
    Param(
        "nacn_chemical_consumption_kg_t",
        "kg/t",
        0.1,
        "NaCN destroyed per tonne (cyanate, HCN) besides copper (glycine_cyanide mode only)",
        "assumed; 0.05-0.3 kg/t [A] Marsden & House 2006; docs/models.md#cil",
        lo=0.0,
        hi=50.0,
    ),
    frac(
        "cu_glycine_frac",
        0.5,
        "share of the dissolved copper held by glycine rather than cyanide (glycine_cyanide "
        "mode; 1 in glycine mode)",
        "assumed; vendor claims 20-80 % less cyanide [S] Oraby, Eksteen & Tanda 2017, Hydrometallurgy 169:339; docs/models.md#glycine",
    ),
    frac(
        "glycinate_carbon_affinity_frac",
        0.3,
        "carbon's K for gold glycinate as a share of its K for aurocyanide (glycine mode)",
        "assumed; gold glycinate loads more weakly than aurocyanide (Tauetsile et al. 2018 [L])",
        lo=0.0,
        lo_open=True,
    ),
    Param(
        "lime_kg_t",
        "kg/t",
        1.0,
        "lime (CaO) per tonne of solids to hold the pH",
        "CaO 1.0 kg/t (glycine-cyanide) [A] assumed reagent uses and prices",
        lo=0.0,
        hi=100.0,
    ),
    Param(
        "naoh_kg_t",
        "kg/t",
        0.0,
        "caustic soda per tonne of solids to hold pH 10.5-12",
        "NaOH 2 kg/t (glycine alone) [A] assumed reagent uses and prices",
        lo=0.0,
        hi=100.0,
    ),
    Param(
        "ph",
        "-",
        10.5,
        "pH of the leach (sets the glycinate share of the glycine)",
        "pH 10.5 in Oraby, Eksteen & O'Connor 2020 [S]; pH 10-12 studied by Altinkaya et al. 2020 [S]",
        lo=7.0,
        hi=13.5,
    ),
    Param(
        "cu_catalyst_mg_l",
        "mg/L",
        0.0,
        "copper(II) held in solution as a catalyst (glycine mode)",
        "assumed none; Cu2+ enhances gold dissolution (Eksteen & Oraby 2015) [S]",
        lo=0.0,
        hi=5000.0,
    ),
    *RATE_PARAMS,
    *train_params("carbon", _DEFAULTS),
    *(
        dataclasses.replace(
            p,
            doc=p.doc + "; mode 'glycine_cyanide' only: in mode 'glycine' the glycinate K "
            "has no temperature term and this key is not used",
        )
        if p.name == "adsorption_dh_kj_mol"
        else p
        for p in ADSORPTION_TEMPERATURE_PARAMS
    ),
)

LEACH = leach_table(
    "glycine leach kinetics of each gold (or silver) class, in the chosen mode",
    "testwork; GlyCat about 3x the cyanide rate [S] Oraby, Eksteen & Tanda 2017, Hydrometallurgy 169:339; docs/models.md#glycine",
)
COPPER = mineral_table(
    "copper co-leaching of each copper mineral",
    "testwork; glycine leaches Cu minerals readily [S] Oraby, Eksteen & Tanda 2017, Hydrometallurgy 169:339; docs/models.md#glycine",
)


def rate_factor(
    params: Mapping[str, np.ndarray], n: int, oxidant: str, cyanide: bool = False
) -> np.ndarray:
    """Gold rate at each case's conditions over the rate at the reference conditions (n,).

    ``oxidant`` is ``"none"``, ``"kmno4"`` or ``"h2o2"``; with ``cyanide`` (GlyCat) the
    oxidant is air and copper carries cyanide, so only glycine, pH and temperature act.
    Shared by the glycine tank leach and the glycine heap.
    """
    from oreflow.kernels.lixiviant_rates import glycine_rate_factor

    def arr(name: str) -> np.ndarray:
        return np.ascontiguousarray(np.broadcast_to(params[name], (n,)), dtype=np.float64)

    zero = np.zeros(n)
    if cyanide:
        dose, gain, cu, ref_dose, ref_gain = zero, zero, zero, zero, zero
    else:
        dose = arr("oxidant_kg_t")
        gain = arr(f"{oxidant}_rate_gain") if oxidant != "none" else zero
        cu = arr("cu_catalyst_mg_l")
        ref_dose, ref_gain = arr("kinetics_ref_kmno4_kg_t"), arr("kmno4_rate_gain")
    ref = np.stack(
        [
            arr("kinetics_ref_glycine_g_l"),
            arr("kinetics_ref_ph"),
            arr("kinetics_ref_temperature_degc"),
            ref_dose,
            zero,
            ref_gain,
        ],
        axis=1,
    )
    return glycine_rate_factor(
        arr("glycine_g_l"), arr("ph"), arr("temperature_degc"), dose, cu,
        np.ascontiguousarray(ref), arr("glycine_half_g_l"), arr("leach_ea_kj_mol"),
        gain, arr("oxidant_half_kg_t"), arr("cu_rate_gain"), arr("cu_half_mg_l"),
    )  # fmt: skip


class GlycineLeach:
    """Compiled glycine leach train (see module docstring)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.train = LeachTrain(spec, comps, "carbon", "carbon", "copper_leach", ROUTING)
        self.cyanide = spec.params["mode"] == "glycine_cyanide"
        self.oxidant = str(spec.params["oxidant"])
        self.i_gly = comps.solution_offset("glycine")
        self.i_cu = comps.solution_offset("cu_aq") if comps.has("cu_aq") else None
        self.products = ProductSpecies(spec, comps, ("mno2",), ())
        if self.cyanide:
            self.i_cn = comps.solution_offset("nacn")
            self.i_wad = comps.solution_offset("cn_wad")
            self.i_ocn = comps.solution_offset("ocn") if comps.has("ocn") else None

    def rate_factor(self, params: Mapping[str, np.ndarray], n: int) -> np.ndarray:
        """Gold rate at each case's conditions over the rate at the reference conditions."""
        return rate_factor(params, n, self.oxidant, self.cyanide)

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """Leach and copper kinetics per case and size class, at each case's conditions."""
        factor = self.rate_factor(params, ctx.n_cases)
        return self.train.prepare(params, ctx.n_cases, factor)

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Leach gold and copper, hold glycine (and cyanide), load the carbon."""
        from oreflow.kernels.lixiviants import (
            held_tenor_loss_tph,
            pulp_heat_duty_kw,
            starved_cyanide_copper_tph,
        )

        feed, pulp, out = self.train.begin(state, inlets)
        params, n = state.params, feed.shape[0]
        sol, solids = pulp.solution_m3_h, pulp.solids_tph
        released = self.train.dissolve_minerals(state, pulp, feed, out)
        k_eq = params["adsorption_k_eq_m3_t"]
        ag_k_eq = params["ag_adsorption_k_eq_m3_t"]
        if not self.cyanide:
            k_eq = k_eq * params["glycinate_carbon_affinity_frac"]
            ag_k_eq = ag_k_eq * params["glycinate_carbon_affinity_frac"]
        # temperature: the film factor of agitated tanks for every metal; van 't Hoff for
        # aurocyanide only (GlyCat), its k divided by it so that k K follows the film
        temp, ref = params["temperature_degc"], params["ref_adsorption_temp_c"]
        # the tanks' exponent fixed at CIL's default agitation_exponent (0.25): the
        # glycine leach has no agitator power (agitation_kw_m3), hence no such key
        film = np.ones(n) * film_temperature_factor(temp, ref, TANK_FILM_EXPONENT)
        iso = np.ones(n)
        if self.cyanide:
            iso = iso * isotherm_temperature_factor(temp, ref, params["adsorption_dh_kj_mol"])
        k_scale = {"au": film / iso, "ag": film}
        self.train.leach_and_adsorb(state, pulp, feed, out, k_eq * iso, ag_k_eq, k_scale)
        m = out.metrics
        m["adsorption_rate_factor"] = film
        m["gold_isotherm_factor"] = iso

        cu_new = released["cu"]
        f_gly = params["cu_glycine_frac"] if self.cyanide else np.ones(n)
        # contiguous, as ``cu_new`` below: one specialisation of the kernel
        cu_tails = (
            np.ascontiguousarray(out.tails[:, self.i_cu]) if self.i_cu is not None else np.zeros(n)
        )
        _, _, _, gly_bound = starved_cyanide_copper_tph(cu_tails, f_gly)

        # glycine: free tenor held, plus what copper binds
        free_g_m3 = params["glycine_g_l"] * 1000.0
        lost = held_tenor_loss_tph(sol, free_g_m3, params["glycine_loss_per_h"], pulp.tau)
        gly_add, gly_out = hold_tenor(feed[:, self.i_gly], free_g_m3 * sol / 1e6 + gly_bound, lost)
        out.tails[:, self.i_gly] = gly_out
        out.added[:, self.i_gly] = gly_add
        out.reacted[:, self.i_gly] = -lost
        m["glycine_inventory_kg_t"] = per_tonne(free_g_m3 * sol / 1e6, solids)
        m["glycine_added_kg_t"] = per_tonne(gly_add, solids)
        m["glycine_lost_kg_t"] = per_tonne(lost, solids)
        m["glycine_cu_bound_kg_t"] = per_tonne(gly_bound, solids)
        m["cu_leached_kg_t"] = per_tonne(cu_new, solids)
        if self.i_cu is not None:
            m["cu_tails_mg_l"] = tenor_g_m3(cu_tails, sol)
        m["use_glycine_kg_h"] = gly_add * 1000.0

        if self.cyanide:
            nacn_cu, wad, ocn, _ = starved_cyanide_copper_tph(cu_new, f_gly)
            chem = params["nacn_chemical_consumption_kg_t"] * solids / 1000.0
            consumed = chem + nacn_cu
            nacn_add, nacn_out = hold_tenor(
                feed[:, self.i_cn], params["nacn_mg_l"] * sol / 1e6, consumed
            )
            out.tails[:, self.i_cn] = nacn_out
            out.added[:, self.i_cn] = nacn_add
            out.reacted[:, self.i_cn] = -consumed
            out.tails[:, self.i_wad] += wad
            out.reacted[:, self.i_wad] += wad
            if self.i_ocn is not None:
                out.tails[:, self.i_ocn] += ocn
                out.reacted[:, self.i_ocn] += ocn
            m["nacn_added_kg_t"] = per_tonne(nacn_add, solids)
            m["nacn_cu_kg_t"] = per_tonne(nacn_cu, solids)
            m["wad_cn_mg_l"] = tenor_g_m3(
                out.tails[:, self.i_cn] * _CN_PER_NACN + out.tails[:, self.i_wad], sol
            )
            m["use_nacn_kg_h"] = nacn_add * 1000.0

        if self.oxidant != "none":
            m[f"use_{self.oxidant}_kg_h"] = params["oxidant_kg_t"] * solids
        if self.oxidant == "kmno4" and self.products.solid["mno2"] is not None:
            # permanganate is reduced to MnO2, which leaves with the residue
            # (2 KMnO4 + H2O -> 2 MnO2 + 2 KOH + 1.5 O2; reaction_tables)
            mno2 = params["oxidant_kg_t"] * solids / 1000.0 * _MNO2_PER_KMNO4
            self.products.put_solid(out.tails, "mno2", mno2, "")
            self.products.put_solid(out.reacted, "mno2", mno2, "")
            m["mno2_kg_h"] = mno2 * 1000.0
        m["use_lime_kg_h"] = params["lime_kg_t"] * solids
        m["use_naoh_kg_h"] = params["naoh_kg_t"] * solids
        heat = pulp_heat_duty_kw(
            solids, sol, params["temperature_degc"] - params["feed_temperature_degc"]
        )
        m["heat_duty_kw"] = heat
        m["heat_kwh_t"] = safe_div(heat, solids)
        return UnitResult((out.tails, out.loaded), added=out.added, reacted=out.reacted, metrics=m)


def _check(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    key = f"units.{spec.name}"
    p = spec.params
    check_train(spec, comps, file, problems, "carbon")
    check_minerals(spec, comps, file, problems, "copper_leach", ROUTING, "cu")
    needed = ["glycine"]
    if p["mode"] == "glycine_cyanide":
        needed += ["nacn", "cn_wad"]
    for name in needed:
        if not comps.has(name):
            problems.append(
                Problem(
                    file,
                    key,
                    f"a glycine_leach in mode {p['mode']!r} needs the species {name!r} declared in [case]",
                )
            )
    if p["oxidant"] == "none" and p["oxidant_kg_t"] > 0.0:
        problems.append(
            Problem(file, f"{key}.oxidant_kg_t", "an oxidant dose is given but oxidant = 'none'")
        )
    if p["oxidant"] != "none" and p["oxidant_kg_t"] <= 0.0:
        problems.append(
            Problem(file, f"{key}.oxidant_kg_t", f"oxidant {p['oxidant']!r} needs a dose > 0 kg/t")
        )
    if (
        p["mode"] == "glycine"
        and p["oxidant"] == "none"
        and p["temperature_degc"] < MIN_UNOXIDISED_DEGC
    ):
        problems.append(
            Problem(
                file,
                f"{key}.temperature_degc",
                f"glycine alone leaches gold only at about 60 °C or with a strong oxidant; "
                f"raise temperature_degc to at least {MIN_UNOXIDISED_DEGC:g} or dose KMnO4/H2O2",
            )
        )


GLYCINE_LEACH = UnitType(
    name="glycine_leach",
    reactive=True,
    summary=(
        "glycine leach, alone or cyanide-starved (GlyCat): first-order leach by size and gold "
        "class, copper co-leaching, glycine and cyanide budget, counter-current carbon"
    ),
    inlets=("feed",),
    outlets=("tails", "loaded_carbon"),
    params=PARAMS,
    tables={"leach": LEACH, "copper_leach": COPPER},
    build=GlycineLeach,
    check=_check,
    kpi_families=("lixiviant_route",),
    route_kpis=RouteKpis(
        loaded_port="loaded_carbon",
        per_t_ore=(("glycine_added_kg_t", "glycine_make_up_kg_t"),),
        metric_mg_l=(("wad_cn_mg_l", "wad_cn_mg_l"),),
    ),
    route_word="glycine leach",
    prices={
        "glycine": reagents.GLYCINE,
        "lime": reagents.LIME,
        "nacn": reagents.NACN,
        "naoh": reagents.NAOH,
        "kmno4": reagents.KMNO4,
        "h2o2": reagents.H2O2,
        "carbon": reagents.CARBON,
    },
    sizing=Sizing("tanks"),
)

UNIT_TYPES = (GLYCINE_LEACH,)
