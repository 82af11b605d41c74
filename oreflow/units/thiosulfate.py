"""Thiosulfate leach with resin-in-leach (RIL): the cyanide-free route for carbonaceous ore.

Two reagent systems (``lixiviant``), Aylmore & Muir 2001, Miner. Eng. 14(2):135; docs/models.md#thiosulfate and the table of Aylmore, in Adams (ed.) 2016, ch. 27; docs/models.md#lixiviant_common:

``"ammoniacal"``
    ammonium thiosulfate with the Cu(II)-NH₃ catalyst, pH 9-10.5, S₂O₃²⁻ 0.05-0.5 M,
    NH₃ 0.1-1 M, Cu 0.5-10 mM [L]:
    Au + 5 S₂O₃²⁻ + Cu(NH₃)₄²⁺ → Au(S₂O₃)₂³⁻ + Cu(S₂O₃)₃⁵⁻ + 4 NH₃, the Cu(I) being
    re-oxidised by O₂. The reagent is bought as (NH₄)₂S₂O₃.
``"cats"``
    calcium thiosulfate (CaS₂O₃), the system of Barrick's Goldstrike TCM circuit
    (commercial since November 2014 on pressure-oxidised double-refractory ore, with
    resin-in-leach in stainless-steel tanks [S], Aylmore & Muir 2001, Miner. Eng. 14(2):135; docs/models.md#thiosulfate). The public sources
    name CaTS, oxygen and RIL; that the leach runs without ammonia and with little or
    no copper is [assumed] here (check Choi et al. 2013, World Gold Conference, and the
    Goldstrike NI 43-101 of March 2019).

**Leaching.** Gold (and silver) of every size class and deportment class leaches at
first order towards an ultimate extraction in each of ``n_tanks`` perfectly mixed tanks,
``L_j = L_(j-1) / (1 + k tau_j)`` (Crundwell & Godorr 1997; Ling et al. 1996; Lima & Hodouin 2005; docs/models.md#cil model 1, with the lixiviant's own k
and ultimate from testwork, ``[units.NAME.leach.SPECIES]``); k and the ultimate fall
above ``leach_d_ref_um`` by the [assumed] power law of
``oreflow.kernels.leaching.size_dependent_leach_params``. Gold thiosulfate is weakly
adsorbed by carbonaceous matter, so thiosulfate is insensitive to preg-robbing
(Aylmore & Muir 2001): the ``carbonaceous`` species is inert here and robs no gold.

**Rate drivers.** The table's k is the rate at the reference conditions
(``kinetics_ref_*``); each case's k is that times
``oreflow.kernels.lixiviant_rates.thiosulfate_rate_factor``:

    F = S(c, K_S) · [NH₃]^a · (A(Ea) + g_Cu S([Cu], K_Cu) A(Ea_Cu)),  A(E) = exp(−E/R (1/T − 1/T_25))

(ammonia and copper terms in the ammoniacal system only; CaTS leaches with oxygen).
The order ``a`` = 0.3 in ammonia, order zero in thiosulfate once it complexes the gold,
and ``Ea`` = 31 kJ/mol (the middle of 25-37) are those measured by Zhang, Senanayake &
Nicol (2004) for gold in oxygenated ammoniacal thiosulfate
(``data/testwork/cf_thiosulfate_zhang2004_orders.csv``); the half-saturation
``K_S`` = 0.02 M below which thiosulfate becomes limiting, and the copper gain, are
[assumed] (copper "increases gold dissolution substantially": Rath et al. 2003).

**Thiosulfate.** The tenor ``c`` [mol/L] is held in every tank by staged addition. It
oxidises to tetrathionate and higher polythionates (2 S₂O₃²⁻ → S₄O₆²⁻ + 2 e⁻, with the
Cu(II)/O₂ couple as oxidant), modelled as first order at the held tenor,

    degraded [t/h] = k_d · c M(S₂O₃) · Q_l · Σ τ_j,
    k_d = (k_0 + k_Cu [Cu, mM] / (1 + [NH₃]/K_NH₃)) · exp(−E_d/R (1/T − 1/T_25))

(``oreflow.kernels.lixiviant_rates.thiosulfate_degradation_per_h``): copper(II)
catalyses the oxidation by oxygen (Breuer & Jeffrey 2003) and ammonia, holding copper
as the tetrammine, slows it (Aylmore & Muir 2001); ``K_NH₃`` and ``E_d`` are [assumed].
Oxygen drives it too (Breuer & Jeffrey 2003: much faster with oxygen than without, by a
copper(II) path and a path through the radicals of copper(I) re-oxidation; Xia 2008:
less thiosulfate consumed at 0.7 % oxygen in the gas). No rate against dissolved oxygen
was found, so k_d is scaled by ``1 + s ((DO/DO_ref)^m − 1)`` with the oxygen share ``s``
= 0.5 and order ``m`` = 1 [assumed] (``oreflow.kernels.lixiviant_rates.oxygen_share_factor``).
The gold rate goes as ``(DO/DO_ref)^0.3`` (Zhang, Senanayake & Nicol 2004), so the
dissolved oxygen ``do_mg_l`` is a lever with two sides: faster gold, more thiosulfate
lost. Both factors are exactly 1 at the reference oxygen (8 mg/L). The oxygen itself
costs: the thiosulfate oxidised to tetrathionate takes a quarter mole of O2 per mole
(the uptake), and the set point is held by blown air or bought oxygen
(:mod:`oreflow.units.oxygen_supply`, ``kla_per_h`` and the sparger parameters). The thiosulfate heap
(``oreflow.units.heap_leach_cf``) has no oxygen set point and keeps neither term.

**Heat.** A ``temperature_degc`` above ``feed_temperature_degc`` takes steam
(``heat_duty_kw``, :mod:`oreflow.units.slurry_heat`). The feed temperature is a
parameter because streams carry no temperature: behind a pressure oxidation the pulp
arrives warm, and ``oreflow run`` warns where a unit upstream runs hotter than it
(``oreflow.solvers.feed_temperature``); it ranges up to the leach's own 100 °C.

(``oreflow.kernels.lixiviants.held_tenor_loss_tph``). Two S₂O₃ weigh exactly one S₄O₆,
so the degraded mass appears as ``polythionates`` and sulfur closes. The addition is
what raises the feed solution to ``c`` plus what degrades; the thiosulfate leaving with
the tails solution is lost unless the flowsheet recycles it (a tails thickener or
filter returning its solution). At steady state the make-up per tonne is then ex11's

    make-up = inventory · f_not_recycled + degradation,   inventory = c M (1 − w)/w

(0.1 M at 40 % solids: 16.82 kg S₂O₃/t; 1.841, 2.682, 4.364 kg/t at 5, 10, 20 % not
recycled with 1.0 kg/t degraded). The default ``s2o3_degradation_per_h`` is the
[assumed] rate that gives ex11's 1.0 kg/t at 0.1 M, 40 % solids and 24 h; reported
consumptions span 2-30 kg/t [L] (Aylmore, in Adams (ed.) 2016, ch. 27; docs/models.md#lixiviant_common table).

**Resin.** Gold thiosulfate barely loads on activated carbon, so a strong-base anion
resin moves counter-current to the pulp (barren resin into the last tank, loaded resin
out of the first, ``loaded_resin``), by the Nicol-Fleming rate ``dq/dt = k (K C - q)``
of Nicol, Fleming & Cromberge 1984; Fleming et al. 2011, Miner. Eng. 24:484; docs/models.md#cil with resin constants [assumed] (k and K must come from resin loading
tests). Polythionates compete for the same sites (Aylmore & Muir 2001, Miner. Eng. 14(2):135; docs/models.md#thiosulfate, "a major
process-control issue"): K falls as ``K / (1 + C_pt / C_half)`` with ``C_pt`` the mean
polythionate tenor of the tanks (feed plus what degrades along the train) and
``C_half`` = ``polythionate_half_mg_l`` [assumed]. Polythionates recycled with the
solution therefore lower gold loading, which is why the plant bleeds and treats its
solution. The copper(I) thiosulfate complex of the ammoniacal system competes for the
same sites (copper loads on strong-base resin from ammonia-thiosulfate solutions:
Vargas & Navarro 2016), so with both competitors
``K_eff = K / (1 + C_pt/C_half + C_Cu/C_Cu,half)``, ``C_Cu,half`` =
``cu_resin_half_mg_l`` [assumed]; the copper itself is not tracked on the resin.

**Copper and ammonia** (ammoniacal system). Cu(II) is held at ``cu_mg_l`` and dosed
as CuSO₄·5H₂O (the sulfate is not tracked); NH₃ is held at ``nh3_mol_l`` and lost at
``nh3_loss_per_h`` (volatilisation) [assumed].

**Reagent use** reported for the economics (assumed reagent uses and prices): ``use_cats_kg_h`` (as
CaS₂O₃) or ``use_thiosulfate_kg_h`` (as (NH₄)₂S₂O₃), ``use_cuso4_kg_h`` (as
CuSO₄·5H₂O), ``use_nh3_kg_h``, ``use_lime_kg_h`` and ``use_resin_kg_h`` (attrition
make-up). The illustrative assumed reagent uses and prices route costs 3.25 USD/t (CaS₂O₃ 5 kg/t,
resin 0.05 kg/t, lime 1 kg/t, all [A]).

References
----------
C. Vargas and P. Navarro, "Adsorption of copper from an ammonia-thiosulfate media using
DOWEX 550A ion exchange resin", Int. J. Nonferrous Metall. 5:47-58, 2016,
doi:10.4236/ijnm.2016.54005 (abstract checked).
X. M. Zhang, G. Senanayake and M. J. Nicol, "A study of the gold colloid dissolution
kinetics in oxygenated ammoniacal thiosulfate solutions", Hydrometallurgy 74:243-257,
2004 (abstract checked: orders about 0.3 in O₂ and NH₃, independent of thiosulfate,
Ea 25-37 kJ/mol).
R. K. Rath, N. Hiroyoshi, M. Tsunekawa and T. Hirajima, "Ammoniacal thiosulphate
leaching of gold ore", Eur. J. Miner. Process. Environ. Prot. 3(3):344-352, 2003
(abstract checked).
M. G. Aylmore and D. M. Muir, "Thiosulfate leaching of gold - a review", Miner. Eng.
14(2):135-174, 2001, doi:10.1016/S0892-6875(00)00172-2 [DOI not checked].
P. L. Breuer and M. I. Jeffrey, "Copper catalysed oxidation of thiosulfate by oxygen in
gold leach solutions", Miner. Eng. 16(1):21-30, 2003,
doi:10.1016/S0892-6875(02)00311-4 [L, not checked].
M. J. Nicol, C. A. Fleming and G. Cromberge, J. S. Afr. Inst. Min. Metall. 84:50 and
84:70, 1984 (adsorption rate model; no DOI).
CSIRO, *Resourceful* issue 7 (2015), and Barrick, *Beyond Borders* (April 2015,
October 2016): Goldstrike TCM thiosulfate circuit [S].
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.errors import Problem
from oreflow.kernels.arrays import safe_div
from oreflow.units import reagents
from oreflow.units.base import (
    PrepareContext,
    RouteKpis,
    Sizing,
    UnitResult,
    UnitSpec,
    UnitType,
    solids_volume_m3_h,
)
from oreflow.units.lixiviant_common import (
    LeachTrain,
    hold_tenor,
    per_tonne,
    tenor_g_m3,
)
from oreflow.units.lixiviant_params import check_train
from oreflow.units.oxygen_supply import oxygen_supply_metrics
from oreflow.units.slurry_heat import feed_temperature_param, slurry_heat_duty_kw
from oreflow.units.thiosulfate_kinetics import (
    ATS_G_MOL,
    CAS2O3_G_MOL,
    CU_G_MOL,
    CUSO4_5H2O_G_MOL,
    LEACH,
    NH3_G_MOL,
    O2_PER_S2O3_DEGRADED,
    PARAMS,
    S2O3_G_MOL,
    degradation_per_h,
    rate_factor,
)

__all__ = ("LEACH", "PARAMS", "THIOSULFATE_RIL", "UNIT_TYPES", "degradation_per_h", "rate_factor")

#: Pulp fed at this temperature takes steam to reach ``temperature_degc`` (slurry_heat).
_FEED_T = "feed_temperature_degc"


class ThiosulfateRil:
    """Compiled thiosulfate RIL train (see module docstring)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.train = LeachTrain(spec, comps, "resin", "resin")
        self.system = str(spec.params["lixiviant"])
        self.i_s2o3 = comps.solution_offset("s2o3")
        self.i_pt = comps.solution_offset("polythionates")
        self.i_cu = comps.solution_offset("cu_aq") if comps.has("cu_aq") else None
        self.i_nh3 = comps.solution_offset("nh3") if comps.has("nh3") else None

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """Leach kinetics per case, size and gold class, at each case's conditions."""
        n = ctx.n_cases
        factor = rate_factor(params, n, self.system == "ammoniacal")
        return self.train.prepare(params, n, factor)

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Dose and degrade thiosulfate, leach, load the resin against polythionates."""
        from oreflow.kernels.lixiviants import (
            competitive_affinity_frac,
            held_tenor_loss_tph,
            mean_train_tenor_g_m3,
        )

        feed, pulp, out = self.train.begin(state, inlets)
        params, n = state.params, feed.shape[0]
        sol, solids = pulp.solution_m3_h, pulp.solids_tph

        # thiosulfate held at its tenor, degraded to polythionates
        target_g_m3 = params["s2o3_mol_l"] * S2O3_G_MOL * 1000.0
        feed_s2o3 = feed[:, self.i_s2o3]
        held_g_m3 = np.maximum(target_g_m3, tenor_g_m3(feed_s2o3, sol))
        cu_mg_l = params["cu_mg_l"] if self.i_cu is not None else np.zeros(n)
        k_deg = degradation_per_h(params, n, cu_mg_l / CU_G_MOL)
        degraded = held_tenor_loss_tph(sol, held_g_m3, k_deg, pulp.tau)
        s2o3_add, s2o3_out = hold_tenor(feed_s2o3, target_g_m3 * sol / 1e6, degraded)
        out.tails[:, self.i_s2o3] = s2o3_out
        out.added[:, self.i_s2o3] = s2o3_add
        out.reacted[:, self.i_s2o3] = -degraded
        out.tails[:, self.i_pt] = feed[:, self.i_pt] + degraded
        out.reacted[:, self.i_pt] = degraded

        # polythionates compete with gold for resin sites
        pt_feed = tenor_g_m3(feed[:, self.i_pt], sol)
        pt_made = tenor_g_m3(degraded, sol)
        affinity = np.empty(n)
        pt_mean = np.empty(n)
        for i in range(n):
            pt_mean[i] = mean_train_tenor_g_m3(float(pt_feed[i]), float(pt_made[i]), pulp.tau[i])
            affinity[i] = competitive_affinity_frac(
                float(pt_mean[i]), float(params["polythionate_half_mg_l"][i])
            )
        # copper(I) thiosulfate competes for the same sites: 1/K_eff adds up
        affinity = 1.0 / (1.0 / affinity + cu_mg_l / params["cu_resin_half_mg_l"])
        self.train.leach_and_adsorb(
            state,
            pulp,
            feed,
            out,
            params["adsorption_k_eq_m3_t"] * affinity,
            params["ag_adsorption_k_eq_m3_t"] * affinity,
        )

        m = out.metrics
        m["s2o3_degradation_per_h"] = k_deg
        m["s2o3_inventory_kg_t"] = per_tonne(target_g_m3 * sol / 1e6, solids)
        m["s2o3_added_kg_t"] = per_tonne(s2o3_add, solids)
        m["s2o3_degraded_kg_t"] = per_tonne(degraded, solids)
        m["polythionates_tails_mg_l"] = tenor_g_m3(out.tails[:, self.i_pt], sol)
        m["polythionates_mean_mg_l"] = pt_mean
        m["resin_affinity_frac"] = affinity
        if self.system == "cats":
            m["use_cats_kg_h"] = s2o3_add * 1000.0 * CAS2O3_G_MOL / S2O3_G_MOL
        else:
            m["use_thiosulfate_kg_h"] = s2o3_add * 1000.0 * ATS_G_MOL / S2O3_G_MOL
        if self.i_cu is not None:
            cu_add, cu_out = hold_tenor(feed[:, self.i_cu], cu_mg_l * sol / 1e6, np.zeros(n))
            out.tails[:, self.i_cu] = cu_out
            out.added[:, self.i_cu] = cu_add
            m["use_cuso4_kg_h"] = cu_add * 1000.0 * CUSO4_5H2O_G_MOL / CU_G_MOL
        if self.i_nh3 is not None:
            nh3_g_m3 = params["nh3_mol_l"] * NH3_G_MOL * 1000.0
            lost = held_tenor_loss_tph(sol, nh3_g_m3, params["nh3_loss_per_h"], pulp.tau)
            nh3_add, nh3_out = hold_tenor(feed[:, self.i_nh3], nh3_g_m3 * sol / 1e6, lost)
            out.tails[:, self.i_nh3] = nh3_out
            out.added[:, self.i_nh3] = nh3_add
            out.reacted[:, self.i_nh3] = -lost
            m["use_nh3_kg_h"] = nh3_add * 1000.0
        m["use_lime_kg_h"] = params["lime_kg_t"] * solids
        m["heat_duty_kw"] = slurry_heat_duty_kw(params, solids, sol, "temperature_degc", _FEED_T)
        # oxygen: thiosulfate oxidised to tetrathionate takes it (the set point's cost side)
        uptake = safe_div(degraded * 1e6 * O2_PER_S2O3_DEGRADED, solids * pulp.tau.sum(axis=1))
        m["o2_uptake_g_t_h"] = uptake
        m["do_mg_l"] = np.broadcast_to(params["do_mg_l"], (n,)).astype(np.float64)
        m.update(
            oxygen_supply_metrics(
                "set_point", params, params["do_mg_l"], uptake, solids,
                solids_volume_m3_h(self.comps, feed), sol, pulp.tau.sum(axis=1),
                params["temperature_degc"],
            )
        )  # fmt: skip
        return UnitResult((out.tails, out.loaded), added=out.added, reacted=out.reacted, metrics=m)


def _check(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    key = f"units.{spec.name}"
    check_train(spec, comps, file, problems, "resin")
    for name in ("s2o3", "polythionates"):
        if not comps.has(name):
            problems.append(
                Problem(
                    file, key, f"a thiosulfate_ril needs the species {name!r} declared in [case]"
                )
            )
    p = spec.params
    if p["lixiviant"] == "ammoniacal":
        if p["cu_mg_l"] <= 0.0:
            problems.append(
                Problem(
                    file,
                    f"{key}.cu_mg_l",
                    "the ammoniacal system needs its Cu(II) catalyst: give cu_mg_l > 0 "
                    "(0.5-10 mM = 32-635 mg/L)",
                )
            )
        if p["nh3_mol_l"] <= 0.0:
            problems.append(
                Problem(
                    file,
                    f"{key}.nh3_mol_l",
                    "the ammoniacal system needs ammonia: give nh3_mol_l > 0 (0.1-1 M)",
                )
            )
    if p["cu_mg_l"] > 0.0 and not comps.has("cu_aq"):
        problems.append(
            Problem(file, key, "copper is dosed (cu_mg_l > 0): declare the species 'cu_aq'")
        )
    if p["nh3_mol_l"] > 0.0 and not comps.has("nh3"):
        problems.append(
            Problem(file, key, "ammonia is dosed (nh3_mol_l > 0): declare the species 'nh3'")
        )


THIOSULFATE_RIL = UnitType(
    name="thiosulfate_ril",
    reactive=True,
    summary=(
        "thiosulfate resin-in-leach (CaTS or Cu-NH3 catalysed): first-order leach by size and "
        "gold class, thiosulfate degradation to polythionates, counter-current resin"
    ),
    inlets=("feed",),
    outlets=("tails", "loaded_resin"),
    params=(*PARAMS, feed_temperature_param(_FEED_T, PARAMS, "temperature_degc")),
    tables={"leach": LEACH},
    build=ThiosulfateRil,
    check=_check,
    kpi_families=("lixiviant_route",),
    route_kpis=RouteKpis(
        loaded_port="loaded_resin",
        adsorbent="resin",
        per_t_ore=(
            ("s2o3_added_kg_t", "s2o3_make_up_kg_t"),
            ("s2o3_degraded_kg_t", "s2o3_degraded_kg_t"),
        ),
        tails_mg_l=(("polythionates", "polythionates_mg_l"),),
    ),
    route_word="thiosulfate RIL",
    prices={
        "cats": reagents.CATS,
        "cuso4": reagents.CUSO4,
        "lime": reagents.LIME,
        "nh3": reagents.NH3,
        "thiosulfate": reagents.THIOSULFATE,
        "resin": reagents.RESIN,
    },
    sizing=Sizing("tanks"),
)

UNIT_TYPES = (THIOSULFATE_RIL,)
