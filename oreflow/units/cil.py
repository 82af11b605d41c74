"""Cyanide leaching with carbon: CIL and CIP tank trains and carbon-in-columns (CIC).

Three unit types share one model, :class:`CilTrain`:

``cil``
    carbon-in-leach: leaching and adsorption in the same tanks (optionally after
    ``preleach_tanks`` tanks without carbon);
``cip``
    carbon-in-pulp: ``n_tanks`` leach tanks without carbon, then ``adsorption_tanks``
    tanks with carbon, where leaching goes on (the pulp still holds cyanide);
``cic``
    carbon-in-columns: adsorption from a clear pregnant solution (heap-leach or
    Merrill-Crowe circuits, Marsden & House 2006; docs/models.md#heap_leach), no leaching.

**Leaching** (Crundwell & Godorr 1997; Ling et al. 1996; Lima & Hodouin 2005; docs/models.md#cil, model 1). In each tank, a perfect mixer, every size class
of every species listed in ``[units.NAME.leach]`` dissolves at first order towards
an ultimate extraction, ``L_j = L_(j-1) / (1 + k tau_j)``. The table's k holds at
reference conditions and is scaled per case by free cyanide, dissolved oxygen (set point
or sparged against the ore's uptake), pH and temperature; with ``grain_um`` the ultimate
extraction of each size class follows the exposure of gold grains, otherwise k and the
ultimate fall as particles coarsen by the power law of
``oreflow.kernels.leaching.size_dependent_leach_params`` [assumed form] (Marsden &
House 2006, *The Chemistry of Gold Extraction*, 2nd ed., SME, ch. 6); see
:mod:`oreflow.units.cil_kinetics`. First-order
kinetics make segregated and micromixed trains identical, so per-tank solution is
exact. The leach table takes gold and silver classes and also the cyanide-soluble
copper minerals and reactive sulfides, whose elements go where the chemistry sends
them (:class:`CyanideChemistry`): Au, Ag, Cu to ``au_aq``, ``ag_aq``, ``cu_aq``;
sulfur to thiocyanate ``scn`` (``scn_frac``, the rest to ``so4_aq``); iron to ferric
hydroxide ``metal_hydroxides`` (or, ``ferrocyanide_frac``, to ferrocyanide ``fe_aq``);
arsenic to ``as_aq``. Copper cyanide solubility in 24 h (0.1 % NaCN, 23 °C): azurite
94.5 %, malachite 90.2 %, chalcocite 90.2 %, cuprite 85.5 %, bornite 70 %, enargite
65.8 %, tetrahedrite 21.9 %, chrysocolla 11.8 %, chalcopyrite 5.6 % (Hedley &
Tabachnick 1958, *Chemistry of Cyanidation*, American Cyanamid, as tabulated by
Marsden & House 2006 ch. 6 [L, not re-checked]).

**Adsorption** (Nicol, Fleming & Cromberge 1984; Fleming et al. 2011, Miner. Eng. 24:484; docs/models.md#cil): Nicol-Fleming rate ``dq/dt = k (K C - q)`` (Nicol,
Fleming & Cromberge 1984, J. S. Afr. IMM 84:50, 84:70) for gold, and with weaker
constants for silver and copper when the case declares ``ag_carbon``/``cu_carbon``;
the metals compete for sites (``carbon_capacity_g_t``, see
``oreflow.kernels.adsorption.adsorption_train_batch``). Carbon moves against the slurry
(barren carbon into the last tank, loaded carbon out of the first), a 2N linear system
per metal and case. The rate constants hold at a reference carbon size, agitation and
pulp and follow film diffusion elsewhere; the carbon held (``carbon_g_l``) sets the
transfer of each tank and the carbon worn to fines (:mod:`oreflow.units.adsorption_rate`).
The solution temperature ``temp_c`` moves the gold isotherm by van 't Hoff (adsorption
is exothermic: ``adsorption_dh_kj_mol`` -8.25 kJ/mol fitted to Aworn, Thiravetyan &
Nakbanpote 2005, abstract only) and the film rate of every metal by the viscosity and
diffusivity of warm water (:mod:`oreflow.kernels.carbon_temperature`), both exactly 1 at
``ref_adsorption_temp_c``; in columns (``cic``) ``temp_c`` is the pregnant solution's. In tanks a
``temp_c`` above ``feed_temp_c`` takes steam (``heat_duty_kw``, :mod:`oreflow.units.slurry_heat`).
The feed temperature is a parameter because streams carry no temperature: behind a
pressure oxidation or a warm leach the pulp arrives warm, and ``oreflow run`` warns
where a unit upstream runs hotter than ``feed_temp_c``
(``oreflow.solvers.feed_temperature``). The dissolved metal left in the last tank
leaves with the tailings solution: the soluble loss.

**Preg-robbing** (Goodall, Leatham & Scales 2005, Miner. Eng. 18:1135; docs/models.md#cil): with ``pregrob_k_m3_t`` > 0 the ore's carbonaceous
matter (species ``carbonaceous``) holds dissolved gold at equilibrium,
``K_ore = pregrob_k_m3_t x`` (t carbonaceous / t ore), in competition with the carbon
of each tank. The gold it holds leaves with the solids as the species
``au_pregrobbed`` (declare it), spread over size classes like the carbonaceous matter.
By default the ore keeps the gold it has robbed (``pregrob_reversible = false``:
desorption from native carbonaceous matter is slow against the leach [assumed]), so a
CIP, whose leach tanks have no carbon, loses far more than a CIL (ex07: 34.78 % of the
dissolved gold on the ore without carbon, 0.525 % with carbon at equilibrium).

**Cyanide** (Marsden & House 2006; docs/models.md#cil). Free cyanide is held at ``nacn_mg_l`` (as NaCN) in the
pulp leaving the train. NaCN is consumed by: Cu dissolved (``nacn_per_cu_mol_mol``,
3.5 mol/mol for Cu(II) reduced and complexed as Cu(CN)3²⁻ with cyanate, 2.70 kg/kg);
sulfur to thiocyanate (1 mol/mol, 1.53 kg/kg S); iron to ferrocyanide (6 mol/mol); and
``nacn_chemical_consumption_kg_t`` per tonne of solids for the rest; free cyanide held
in the tanks is lost at ``cn_oxidation_per_h`` (to cyanate) and ``hcn_loss_per_h`` times
the HCN share at the pulp pH (to the air). When the case declares ``cn_wad`` the cyanide is
speciated: the precious metals' own complexes (Au(CN)2⁻, Ag(CN)2⁻, 2 mol/mol) are also
counted, and the weak-acid-dissociable complexes of Cu (``cn_wad_per_cu_mol_mol`` CN
per Cu) and Ag (2 CN per Ag) are carried as ``cn_wad`` (as CN) and leave with the
metal that adsorbs on carbon. Without ``cn_wad`` the gold complex is taken as part of
``nacn_chemical_consumption_kg_t`` (the lumped budget). WAD cyanide at the tailings =
free cyanide (as CN) + ``cn_wad``, the figure of the ICMC 50 mg/L limit (Mudder, Botz & Smith 2001, Chemistry and Treatment of Cyanidation Wastes, §6.12; docs/models.md#detox). Cyanate from the copper reaction goes to ``ocn`` when declared.

**Carbon.** Carbon advances at ``carbon_advance_t_d``. Without a ``carbon`` inlet it
is fresh from outside, loaded at ``barren_carbon_*_g_t``, and ``carbon_loss_g_t``
prices the fines lost. That carbon stands for what an elution outside the flowsheet
returns, and an elution only takes metal off: where the train would load the carbon
less than that (no ore, or a feed too poor), the barren loading is the one the train
returns unchanged (``barren_at_most_loaded``) [assumed], so no metal comes off the
barren carbon into the tailings and, with no ore, none is produced. With a ``carbon`` inlet (barren carbon returned by an
``elution`` unit) the carbon circuit is closed: the barren loadings are those of the
returned carbon, fresh make-up carbon tops the advance up to ``carbon_advance_t_d``,
and that make-up is the carbon used; the gold left on barren carbon then circulates
inside the plant and is not counted twice (Marsden & House 2006; docs/models.md#recovery).

Residence time is either set (``residence_h``) or follows from the live tank volume and
the pulp flow (``tank_volume_m3``), which makes the unit nonlinear in its feed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from oreflow.conventions import G_PER_T
from oreflow.core.components import ComponentSet
from oreflow.errors import CaseError, Problem
from oreflow.kernels.arrays import safe_div
from oreflow.kernels.carbon_circuit import (
    blanked_pregrob_k_m3_t,
    carbon_advance,
    pregrobbed_by_class,
    wad_cyanide_out_tph,
)
from oreflow.units import reagents
from oreflow.units.adsorption_rate import (
    adsorption_rate_factor,
    adsorption_train,
    attrition_scale,
    barren_at_most_loaded,
    copper_k_eq_factor,
    gold_isotherm_factor,
)
from oreflow.units.base import (
    Checker,
    PrepareContext,
    Price,
    Sizing,
    UnitResult,
    UnitSpec,
    UnitType,
    adsorbent_slice,
    solids_volume_m3_h,
    total_solids,
    water,
)
from oreflow.units.cil_kinetics import (
    SULFIDE_O2_G_G,
    exposure_ultimate,
    free_cyanide_loss_tph,
    lime_kg_t,
    oxygen_mg_l,
    rate_factor,
)
from oreflow.units.cil_params import CIC_PARAMS, CIL_PARAMS, CIP_PARAMS, LEACH_TABLE
from oreflow.units.cyanide_chemistry import (
    EL_INDEX,
    METALS,
    CyanideChemistry,
    LeachState,
    molar_mass,
    size_kinetics,
)
from oreflow.units.oxygen_supply import oxygen_supply_metrics
from oreflow.units.slurry_heat import slurry_heat_duty_kw
from oreflow.units.tanks import check_residence_or_volume, require_solution, tank_residence


class CilTrain:
    """Compiled CIL, CIP or CIC train (see module docstring)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.mode = spec.type
        p = spec.params
        self.closed = "carbon" in spec.inlets
        if self.mode == "cic":
            self.n_leach, self.n_ads = 0, int(p["n_columns"])
        elif self.mode == "cip":
            self.n_leach, self.n_ads = int(p["n_tanks"]), int(p["adsorption_tanks"])
        else:
            self.n_leach, self.n_ads = int(p["n_tanks"]), 0
        self.n_total = self.n_leach + self.n_ads
        self.names = list(spec.tables.get("leach", {}))
        self.chem = CyanideChemistry(comps, self.names)
        self.i_water = comps.solution_offset("water")
        self.i_cn = comps.solution_offset("nacn") if comps.has("nacn") else None
        self.i_wad = comps.solution_offset("cn_wad") if comps.has("cn_wad") else None
        self.i_scn = comps.solution_offset("scn") if comps.has("scn") else None
        self.i_c = comps.adsorbent_offset("carbon")
        self.metals = []  # (metal, solution offset, carbon offset or None)
        for metal, aq, on_carbon in METALS:
            if comps.has(aq):
                carbon = comps.adsorbent_offset(on_carbon) if comps.has(on_carbon) else None
                self.metals.append((metal, comps.solution_offset(aq), carbon))
        self.molar = np.array([molar_mass(m) for m, _, _ in self.metals])
        self.i_carb = comps.solid_index("carbonaceous") if comps.has("carbonaceous") else None
        self.i_preg = comps.solid_index("au_pregrobbed") if comps.has("au_pregrobbed") else None
        self.reversible = bool(p.get("pregrob_reversible", False))
        self.ads = adsorbent_slice(comps)

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> LeachState:
        """Rate constants and ultimate extractions per case, size class and leach species."""
        if self.mode != "cic" and "pregrob_k_m3_t" in params:
            robbing = params["pregrob_k_m3_t"] > 0
            if robbing.any() and (self.i_carb is None or self.i_preg is None):
                problem = Problem(
                    self.spec.file,
                    f"units.{self.spec.name}.pregrob_k_m3_t",
                    "preg-robbing needs the solid species 'carbonaceous' (the robbing matter) "
                    "and 'au_pregrobbed' (the gold it holds) declared in [case]",
                )
                raise CaseError([problem])
        if not self.names:  # a cic: adsorption only
            return LeachState(params, None, None)
        laws = (
            params["leach_d_ref_um"],
            params["leach_k_size_exponent"],
            params["leach_ultimate_size_exponent"],
        )
        k, ult = size_kinetics(self.spec, self.chem, params, ctx.n_cases, "k_per_h", laws)
        rep_um = self.comps.sizes.representative_um()
        for d, name in enumerate(self.names):
            grain = params.get(f"leach.{name}.grain_um")
            if grain is None:
                continue
            # exposed gold dissolves at the grain surface: k does not fall with host size
            k[:, :, d] = np.broadcast_to(params[f"leach.{name}.k_per_h"], (ctx.n_cases,))[:, None]
            ult[:, :, d] = exposure_ultimate(
                rep_um,
                np.broadcast_to(params[f"leach.{name}.ultimate_frac"], (ctx.n_cases,)),
                np.broadcast_to(grain, (ctx.n_cases,)),
                np.broadcast_to(params[f"leach.{name}.locked_access_frac"], (ctx.n_cases,)),
            )
        return LeachState(params, k, ult)

    def _tanks(
        self, params: Mapping[str, np.ndarray], pulp_m3_h: np.ndarray, n: int
    ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """Residence time and carbon inventory of every tank, (n, n_total) each."""
        tau = np.zeros((n, self.n_total))
        carbon = np.zeros((n, self.n_total))
        info: dict[str, np.ndarray] = {}
        if self.mode == "cic":
            carbon[:] = params["carbon_per_column_t"][:, None]
            return tau, carbon, info

        tau_l, vol_l = tank_residence(
            params, "residence_h", "tank_volume_m3", self.n_leach, pulp_m3_h
        )
        tau[:, : self.n_leach] = tau_l[:, None]
        info["tank_volume_m3"] = vol_l
        dose = params["carbon_g_l"] / 1000.0  # t/m³
        if self.mode == "cip":
            tau_a, vol_a = tank_residence(
                params, "adsorption_residence_h", "adsorption_tank_volume_m3", self.n_ads, pulp_m3_h
            )
            tau[:, self.n_leach :] = tau_a[:, None]
            carbon[:, self.n_leach :] = (dose * vol_a)[:, None]
            info["adsorption_tank_volume_m3"] = vol_a
        else:
            pre = int(self.spec.params["preleach_tanks"])
            carbon[:, pre:] = (dose * vol_l)[:, None]
        return tau, carbon, info

    def apply(self, state: LeachState, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Leach, adsorb (with preg-robbing and competing metals), and dose cyanide."""
        from oreflow.kernels.leaching import leach_train_batch

        params, k, ult = state.params, state.k, state.ultimate
        c = self.comps
        feed = inlets[0].copy()
        returned = None
        if self.closed:
            returned = inlets[1]
            rest = returned.copy()
            rest[:, self.ads] = 0.0
            feed += rest  # anything but carbon arriving with the carbon joins the pulp
        n = feed.shape[0]
        solids = total_solids(c, feed)
        sol = np.ascontiguousarray(water(c, feed))  # one kernel specialisation (C layout)
        if self.mode != "cic":
            require_solution(self.spec, solids, sol)
        solids_m3_h = solids_volume_m3_h(c, feed)
        pulp = solids_m3_h + sol
        tau, carbon_tank, info = self._tanks(params, pulp, n)
        ads_rate = adsorption_rate_factor(params, solids, solids_m3_h, sol)

        # leaching, tank by tank, of every leach-table species
        sv = c.solids_view(feed)
        idx = self.chem.idx
        n_sp = len(idx)
        do_mg_l = np.zeros(n)
        o2_uptake = np.zeros(n)
        rate = np.ones(n)
        if self.mode != "cic":
            minerals = {
                name: sv[:, :, c.solid_index(name)].sum(axis=1)
                for name in SULFIDE_O2_G_G
                if c.has(name)
            }
            do_mg_l, o2_uptake = oxygen_mg_l(self.spec.params, params, solids, sol, minerals)
            rate = rate_factor(self.spec.params, params, do_mg_l)
        if n_sp:
            solids_l = np.ascontiguousarray(sv[:, :, idx])
            k_eff = k if self.spec.params.get("rate_model") == "none" else k * rate[:, None, None]
            per_tank, residue = leach_train_batch(solids_l, k_eff, ult, tau)
        else:
            solids_l = np.zeros((n, c.n_cls, 0))
            per_tank = np.zeros((n, self.n_total, 0))
            residue = solids_l
        dissolved = per_tank.sum(axis=1)
        metal_tank = self.chem.metal_tph(per_tank)  # (n, T, 3) au, ag, cu
        metal_all = metal_tank.sum(axis=1)

        # carbon advance and the loading it brings
        n_met = len(self.metals)
        if "carbon_advance_kg_t" in params:
            carbon_tph = params["carbon_advance_kg_t"] * total_solids(c, feed) / 1000.0
        else:
            carbon_tph = params["carbon_advance_t_d"] / 24.0
        on_carbon = [m for m, (_, _, on_c) in enumerate(self.metals) if on_c is not None]
        barren = np.zeros((n, n_met))
        returned_metal = None
        if returned is not None:
            returned_metal = np.zeros((n, n_met))
            for m in on_carbon:
                returned_metal[:, m] = returned[:, self.metals[m][2]]
        else:
            for m in on_carbon:
                barren[:, m] = params[f"barren_carbon_{self.metals[m][0]}_g_t"]
        carbon_tph, makeup, barren = carbon_advance(
            carbon_tph, barren, None if returned is None else returned[:, self.i_c], returned_metal
        )

        k_ads = np.zeros((n, n_met))
        k_eq = np.zeros((n, n_met))
        for m, (metal, _, on_c) in enumerate(self.metals):
            if on_c is None:
                continue
            prefix = "" if metal == "au" else f"{metal}_"
            k_ads[:, m] = params[f"{prefix}adsorption_k_per_h"] * ads_rate
            k_eq[:, m] = params[f"{prefix}adsorption_k_eq_m3_t"]
            if metal == "au":  # warm solution: a lower isotherm, the same film transfer k K
                warm = gold_isotherm_factor(params, n)
                k_eq[:, m] *= warm
                k_ads[:, m] /= warm
            if metal == "cu" and self.mode != "cic":  # copper cyanide speciation
                k_eq[:, m] *= copper_k_eq_factor(params, n)
        feed_tenor = np.stack(
            [safe_div(feed[:, aq] * G_PER_T, sol) for _, aq, _ in self.metals], axis=1
        )
        source = np.ascontiguousarray(
            metal_tank[:, :, [("au", "ag", "cu").index(m) for m, _, _ in self.metals]] * G_PER_T
        )

        # preg-robbing capacity of the ore
        ore_k = np.zeros(n)
        feed_preg = np.zeros(n)
        if self.i_preg is not None:
            feed_preg = sv[:, :, self.i_preg].sum(axis=1)
            if self.i_carb is not None and "pregrob_k_m3_t" in params:
                ore_k = blanked_pregrob_k_m3_t(
                    params["pregrob_k_m3_t"],
                    sv[:, :, self.i_carb].sum(axis=1),
                    solids,
                    params["blanking_kg_t"],
                    params["blanking_half_kg_t"],
                )

        form_keys = ("freundlich_ref_mg_l", "freundlich_n", "kn_k", "kn_n")

        def train(barren_g_t: np.ndarray, rows: np.ndarray | None = None) -> tuple[Any, ...]:
            """The adsorption train of every case, or of the cases ``rows`` only."""

            def at(x: Any) -> Any:  # the rows of a per-case array
                return x if rows is None or np.ndim(x) == 0 else np.ascontiguousarray(x[rows])

            sub = params if rows is None else {k: at(params[k]) for k in form_keys if k in params}
            return adsorption_train(
                self.spec.params,
                sub,
                at(ads_rate),
                at(sol),
                at(feed_tenor),
                at(source),
                at(carbon_tph),
                barren_g_t,
                at(carbon_tank),
                at(k_ads),
                at(k_eq),
                self.molar,
                at(params["carbon_capacity_g_t"]),
                at(solids),
                at(ore_k),
                at(feed_preg * G_PER_T),
                self.reversible,
            )

        trained = train(barren)
        if returned is None:  # open circuit: the barren carbon no richer than it loads
            trained, barren = barren_at_most_loaded(
                train, barren, trained, self.spec.name, tuple(m for m, _, _ in self.metals)
            )
        tenor, loading, ore_g_h, form_iterations = trained
        adsorbed = carbon_tph[:, None] * (loading[:, 0, :] - barren) / G_PER_T  # t/h

        # --- streams
        tails = feed.copy()
        tv = c.solids_view(tails)
        if n_sp:
            tv[:, :, idx] = residue
        preg_out = ore_g_h[:, -1] / G_PER_T
        if self.i_preg is not None:
            carb_cls = tv[:, :, self.i_carb] if self.i_carb is not None else None
            tv[:, :, self.i_preg] = pregrobbed_by_class(preg_out, sv[:, :, self.i_preg], carb_cls)
        tails[:, self.ads] = 0.0
        for m, (_, aq, _) in enumerate(self.metals):
            tails[:, aq] = tenor[:, -1, m] * sol / G_PER_T
        products, nacn_parts = self.chem.react(dissolved, params) if n_sp else (0.0, {})
        tails += products

        wad_change = np.zeros(n)
        if self.i_wad is not None:
            per_metal = CyanideChemistry.wad_cn_per_metal(params)
            cols = [("au", "ag", "cu").index(metal) for metal, _, _ in self.metals]
            wad_out = wad_cyanide_out_tph(
                feed[:, self.i_wad],
                np.stack([per_metal[metal] for metal, _, _ in self.metals], axis=1),
                metal_all[:, cols] - adsorbed,
            )
            wad_change = wad_out - feed[:, self.i_wad]
            tails[:, self.i_wad] = wad_out

        chem_parts = {
            "other": params["nacn_chemical_consumption_kg_t"] * solids / 1000.0
            if self.mode != "cic"
            else np.zeros(n),
            "free_cn_loss": free_cyanide_loss_tph(params, sol, tau.sum(axis=1))
            if self.mode != "cic"
            else np.zeros(n),
            **{key: nacn_parts.get(key, np.zeros(n)) for key in ("cu", "scn", "ferrocyanide")},
            "complexation": nacn_parts.get("complexation", np.zeros(n)),
        }
        chem = sum(chem_parts.values())
        nacn_add = np.zeros(n)
        if self.i_cn is not None:
            target = params["nacn_mg_l"] * sol / G_PER_T if self.mode != "cic" else np.zeros(n)
            nacn_add = np.maximum(chem + target - feed[:, self.i_cn], 0.0)
            tails[:, self.i_cn] = feed[:, self.i_cn] + nacn_add - chem

        carbon = np.zeros_like(feed)
        carbon[:, self.ads] = feed[:, self.ads]  # adsorbent arriving with the pulp joins it
        carbon[:, self.i_c] += carbon_tph
        for m, (_, _, on_c) in enumerate(self.metals):
            if on_c is not None:
                carbon[:, on_c] += carbon_tph * loading[:, 0, m] / G_PER_T

        added = np.zeros_like(feed)
        if returned is None:
            added[:, self.i_c] = carbon_tph
            for m, (_, _, on_c) in enumerate(self.metals):
                if on_c is not None:
                    added[:, on_c] = carbon_tph * barren[:, m] / G_PER_T
        else:
            added[:, self.i_c] = makeup
        if self.i_cn is not None:
            added[:, self.i_cn] = nacn_add

        reacted = np.zeros_like(feed)
        rv = c.solids_view(reacted)
        if n_sp:
            rv[:, :, idx] = residue - solids_l
        if self.i_preg is not None:
            rv[:, :, self.i_preg] = tv[:, :, self.i_preg] - sv[:, :, self.i_preg]
        reacted += products
        preg_gain = preg_out - feed_preg
        for m, (metal, aq, on_c) in enumerate(self.metals):
            gained = metal_all[:, ("au", "ag", "cu").index(metal)] - adsorbed[:, m]
            if metal == "au":
                gained = gained - preg_gain
            reacted[:, aq] = gained
            if on_c is not None:
                reacted[:, on_c] = adsorbed[:, m]
        if self.i_cn is not None:
            reacted[:, self.i_cn] = -chem
        if self.i_wad is not None:
            reacted[:, self.i_wad] = wad_change

        metrics = self._metrics(
            params, feed, tails, solids, sol, tau, info, dissolved, metal_all, adsorbed, loading,
            tenor, barren, carbon_tph, makeup, preg_out, ore_k, chem_parts, nacn_add, residue,
        )  # fmt: skip
        if self.mode != "cic" and self.spec.params.get("pregrob_k_m3_t", 0.0) > 0:
            metrics["use_kerosene_kg_h"] = params["blanking_kg_t"] * solids
        metrics["adsorption_rate_factor"] = ads_rate
        if form_iterations is not None:  # -1: the non-linear gold rate law did not settle
            metrics["adsorption_form_iterations"] = form_iterations
        metrics["carbon_inventory_t"] = carbon_tank.sum(axis=1)
        if self.mode != "cic":
            metrics["do_mg_l"] = do_mg_l
            metrics["o2_uptake_g_t_h"] = o2_uptake
            metrics.update(
                oxygen_supply_metrics(
                    str(self.spec.params.get("oxygen_supply", "set_point")), params, do_mg_l,
                    o2_uptake, solids, solids_m3_h, sol, tau.sum(axis=1), params["temp_c"],
                )
            )  # fmt: skip
            metrics["leach_rate_factor"] = rate
            metrics["agitation_kw_m3"] = np.broadcast_to(params["agitation_kw_m3"], (n,)).copy()
            metrics["heat_duty_kw"] = slurry_heat_duty_kw(
                params, solids, sol, "temp_c", "feed_temp_c"
            )
            if not self.closed:  # fines worn from the carbon held (oreflow.units.adsorption_rate)
                metrics["use_carbon_kg_h"] = metrics["use_carbon_kg_h"] * attrition_scale(params)
        return UnitResult((tails, carbon), added=added, reacted=reacted, metrics=metrics)

    def _metrics(
        self,
        params: Mapping[str, np.ndarray],
        feed: np.ndarray,
        tails: np.ndarray,
        solids: np.ndarray,
        sol: np.ndarray,
        tau: np.ndarray,
        info: Mapping[str, np.ndarray],
        dissolved: np.ndarray,
        metal_all: np.ndarray,
        adsorbed: np.ndarray,
        loading: np.ndarray,
        tenor: np.ndarray,
        barren: np.ndarray,
        carbon_tph: np.ndarray,
        makeup: np.ndarray,
        preg_out: np.ndarray,
        ore_k: np.ndarray,
        chem_parts: Mapping[str, np.ndarray],
        nacn_add: np.ndarray,
        residue: np.ndarray,
    ) -> dict[str, np.ndarray]:
        from oreflow.kernels.leaching import CN_PER_NACN

        c = self.comps
        n = feed.shape[0]
        per_t = safe_div(np.full(n, 1000.0), solids)  # kg/t from t/h
        sv = c.solids_view(feed)
        au_solid_idx = [i for i, s in enumerate(c.solids) if s.au_frac > 0]
        gold_feed = (
            sv[:, :, au_solid_idx] * np.array([c.solids[i].au_frac for i in au_solid_idx])
        ).sum(axis=(1, 2))
        m_au = 0
        au_total = gold_feed + feed[:, self.metals[m_au][1]]
        au_leachable = (sv[:, :, self.chem.idx] * self.chem.el[:, EL_INDEX["au"]]).sum(axis=(1, 2))
        tails_au_solid = (
            c.solids_view(tails)[:, :, au_solid_idx]
            * np.array([c.solids[i].au_frac for i in au_solid_idx])
        ).sum(axis=(1, 2))
        metrics: dict[str, np.ndarray] = {
            "residence_h": tau.sum(axis=1),
        }
        for key, value in info.items():
            metrics[key] = np.asarray(value, dtype=np.float64).copy()
        free_nacn = (
            safe_div(tails[:, self.i_cn] * G_PER_T, sol) if self.i_cn is not None else np.zeros(n)
        )
        metrics.update(
            {
                "au_leach_extraction_frac": safe_div(metal_all[:, 0], au_leachable),
                "au_to_carbon_frac": safe_div(adsorbed[:, m_au], au_total),
                "soluble_loss_au_mg_l": tenor[:, -1, m_au].copy(),
                "loaded_carbon_au_g_t": loading[:, 0, m_au].copy(),
                "barren_carbon_au_g_t": barren[:, m_au].copy(),
                "carbon_advance_t_d": carbon_tph * 24.0,
                "carbon_makeup_t_d": makeup * 24.0,
                "nacn_added_kg_t": nacn_add * per_t,
                "use_nacn_kg_h": nacn_add * 1000.0,
                "use_lime_kg_h": lime_kg_t(params) * solids
                if "lime_kg_t" in params
                else np.zeros(n),
                "use_carbon_kg_h": makeup * 1000.0
                if self.closed
                else params["carbon_loss_g_t"] * solids / 1000.0,
                "nacn_consumed_kg_t": sum(chem_parts.values()) * per_t,
                "tails_au_gpt": safe_div(tails_au_solid * G_PER_T, solids),
                "pulp_solids_frac": safe_div(solids, solids + sol),
                "tails_nacn_mg_l": free_nacn,
                "tails_free_cn_mg_l": free_nacn * CN_PER_NACN,
            }
        )
        for part, value in chem_parts.items():
            metrics[f"nacn_{part}_kg_t"] = value * per_t
        metrics["nacn_soluble_kg_t"] = (
            tails[:, self.i_cn] * per_t if self.i_cn is not None else np.zeros(n)
        )
        for m, (metal, aq, on_c) in enumerate(self.metals):
            if metal == "au":
                continue
            col = ("au", "ag", "cu").index(metal)
            metal_solids = [i for i, s in enumerate(c.solids) if s.elements.get(metal, 0.0) > 0]
            feed_metal = (
                (
                    sv[:, :, metal_solids]
                    * np.array([c.solids[i].elements[metal] for i in metal_solids])
                ).sum(axis=(1, 2))
                if metal_solids
                else np.zeros(n)
            )
            metrics[f"{metal}_dissolved_g_t"] = metal_all[:, col] * per_t * 1000.0
            if metal == "ag":
                metrics["ag_leach_extraction_frac"] = safe_div(metal_all[:, col], feed_metal)
                metrics["ag_to_carbon_frac"] = safe_div(adsorbed[:, m], feed_metal + feed[:, aq])
            metrics[f"tails_{metal}_mg_l"] = safe_div(tails[:, aq] * G_PER_T, sol)
            if on_c is not None:
                metrics[f"loaded_carbon_{metal}_g_t"] = loading[:, 0, m].copy()
        if self.i_wad is not None:
            complexed = safe_div(tails[:, self.i_wad] * G_PER_T, sol)
            metrics["tails_cn_wad_complexed_mg_l"] = complexed
            metrics["tails_wad_cn_mg_l"] = metrics["tails_free_cn_mg_l"] + complexed
        if self.i_scn is not None:
            metrics["tails_scn_mg_l"] = safe_div(tails[:, self.i_scn] * G_PER_T, sol)
        if self.i_preg is not None:
            metrics["ore_k_m3_t"] = ore_k
            metrics["pregrobbed_au_g_t"] = safe_div(preg_out * G_PER_T, solids)
            metrics["pregrobbed_au_frac"] = safe_div(preg_out, au_total)
        # the profiles a metallurgist samples, tank by tank of the carbon train (gold):
        # solution tenor [mg/L = g/m3] and gold on carbon [g/t]
        for j in range(tenor.shape[1]):
            metrics[f"tank{j + 1}_au_aq_mg_l"] = tenor[:, j, m_au].copy()
            if self.metals[m_au][2] is not None:
                metrics[f"tank{j + 1}_carbon_au_g_t"] = loading[:, j, m_au].copy()
        return metrics


# --- validation and registration -----------------------------------------------------------


def _checker(*, cyanide: bool, preleach: bool = False, adsorption_train: bool = False) -> Checker:
    """Check of a carbon-adsorption type, declared by what the type has.

    ``cyanide``: it leaches (CIL, CIP); ``preleach``: pre-leach tanks ahead of the carbon
    (CIL); ``adsorption_train``: adsorption tanks of its own (CIP).
    """

    def check(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
        _check(spec, comps, file, problems, cyanide, preleach, adsorption_train)

    return check


def _check(
    spec: UnitSpec,
    comps: ComponentSet,
    file: str,
    problems: list[Problem],
    cyanide: bool,
    preleach: bool,
    adsorption_train: bool,
) -> None:
    key = f"units.{spec.name}"
    p = spec.params
    needed = ["water", "au_aq", "carbon", "au_carbon"]
    if cyanide:
        needed.append("nacn")
        check_residence_or_volume(spec, file, problems)
        CyanideChemistry.check_table(spec, comps, file, problems)
        if p.get("pregrob_k_m3_t", 0.0) > 0:
            for name in ("carbonaceous", "au_pregrobbed"):
                if not comps.has(name):
                    problems.append(
                        Problem(
                            file,
                            f"{key}.pregrob_k_m3_t",
                            f"preg-robbing needs the solid species {name!r} declared in [case]",
                        )
                    )
    if preleach and p.get("preleach_tanks", 0) >= p.get("n_tanks", 1):
        problems.append(
            Problem(
                file,
                f"{key}.preleach_tanks",
                f"{p['preleach_tanks']} pre-leach tanks leave no carbon tank in a train of "
                f"{p['n_tanks']}",
            )
        )
    if adsorption_train:
        check_residence_or_volume(
            spec, file, problems, "adsorption_residence_h", "adsorption_tank_volume_m3"
        )
    for _, aq, on_carbon in METALS:
        if comps.has(on_carbon) and aq not in needed:
            needed.append(aq)
    for name in needed:
        if not comps.has(name):
            problems.append(
                Problem(file, key, f"a {spec.type} needs the species {name!r} declared in [case]")
            )


_SUMMARY_CARBON = (
    "Nicol-Fleming carbon for Au, Ag, Cu with site competition, preg-robbing, cyanide "
    "consumption by Cu and sulfides, free and WAD cyanide; optional carbon inlet closes the "
    "carbon circuit"
)

_PRICES = {
    "carbon": reagents.CARBON,
    "lime": reagents.LIME,
    "nacn": reagents.NACN,
    "kerosene": Price(1.00, "assumed (preg-robbing blanking agent, diesel or kerosene)"),
}

CIL = UnitType(
    name="cil",
    route_word="CIL",
    reactive=True,
    summary="carbon-in-leach tanks in series: first-order leach by size and species, "
    + _SUMMARY_CARBON,
    inlets=("feed", "carbon"),
    optional_inlets=("carbon",),
    outlets=("tails", "loaded_carbon"),
    params=CIL_PARAMS,
    tables={"leach": LEACH_TABLE},
    build=CilTrain,
    check=_checker(cyanide=True, preleach=True),
    kpi_families=("cyanide_leach",),
    prices=_PRICES,
    sizing=Sizing("carbon_tanks"),
)

CIP = UnitType(
    name="cip",
    route_word="CIP",
    reactive=True,
    summary="carbon-in-pulp: leach tanks without carbon, then adsorption tanks (leaching "
    "goes on); " + _SUMMARY_CARBON,
    inlets=("feed", "carbon"),
    optional_inlets=("carbon",),
    outlets=("tails", "loaded_carbon"),
    params=CIP_PARAMS,
    tables={"leach": LEACH_TABLE},
    build=CilTrain,
    check=_checker(cyanide=True, adsorption_train=True),
    kpi_families=("cyanide_leach",),
    prices=_PRICES,
    sizing=Sizing("carbon_tanks", extra_count="adsorption_tanks"),
)

CIC = UnitType(
    name="cic",
    reactive=True,
    summary="carbon-in-columns on a clear pregnant solution (heap leach): counter-current "
    "Nicol-Fleming carbon for Au, Ag, Cu; optional carbon inlet from elution",
    inlets=("feed", "carbon"),
    optional_inlets=("carbon",),
    outlets=("barren", "loaded_carbon"),
    params=CIC_PARAMS,
    build=CilTrain,
    check=_checker(cyanide=False),
    prices=_PRICES,
)

UNIT_TYPES = (
    CIL,
    CIP,
    CIC,
)
