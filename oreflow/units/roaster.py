"""Two-stage fluid-bed roasting of a refractory sulfide/arsenical concentrate.

The concentrate is dewatered to a cake (``feed_moisture_frac``; the water beyond it
bypasses the roaster to the calcine quench), dried and roasted in two fluidised beds in
series, its gases cleaned, and the calcine quenched to a pulp (``quench_solids_frac``)
for leaching. The two stages, their temperatures and products follow the practice
summarised in the introduction of "Selective arsenic-fixing roast of refractory gold
concentrate" (journal article; only its introduction was read). Further reading, not
read for this model: Thomas & Cole 2005, "Roasting developments - especially
oxygenated roasting", Dev. Miner. Process. 15; Marsden & House 2006 §5.5; Fraser,
Walton & Wells 1991, Miner. Eng. 4:1029.

Stage 1, 450-600 °C, oxygen deficient (``stage1_temperature_degc``,
``stage1_residence_min``): arsenopyrite decomposes to pyrrhotite and arsenic trioxide
vapour, ``4 FeAsS + 3 O2 -> As4O6 + 4 FeS``; pyrite loses its labile sulfur,
``FeS2 + O2 -> FeS + SO2``; a share of the pyrrhotite (``stage1_magnetite_frac``)
goes to magnetite, ``3 FeS + 5 O2 -> Fe3O4 + 3 SO2``. The As4O6 is condensed in the
gas cleaning as As2O3 dust (``as2o3``); a share ``as2o3_fixed_frac`` is fixed as
ferric arsenate (``scorodite``) with iron of the calcine, ``As2O3 + Fe2O3 + O2 + 4 H2O
-> 2 FeAsO4·2H2O`` [assumed route], the rest leaves with the calcine pulp as As2O3.

Stage 2, 600-700 °C in practice, oxidising (``stage2_temperature_degc``,
``stage2_residence_min``, ``o2_in_frac``, ``o2_excess_frac``): the sulfide left
burns to hematite and SO2 (``4 FeS2 + 11 O2 -> 2 Fe2O3 + 8 SO2``, ``4 FeS + 7 O2 ->
2 Fe2O3 + 4 SO2``), magnetite to hematite, arsenopyrite not decomposed in stage 1 to
ferric arsenate retained in the calcine, organic carbon to CO2 (its ash as gangue:
preg-robbing removed), calcite to gypsum with the SO2 it captures
(``calcite_sulfated_frac``). Conversions of each stage: ``oreflow.kernels.roasting``
(fluid bed in mixed flow, Arrhenius, first order in O2). The residual sulfide sulfur of
the calcine is reported (``calcine_sulfide_s_frac``).

Gold. The sulfide-locked gold (``au_sulfide``) is freed in proportion to the host
sulfide sulfur oxidised, and a share ``s(T_p)`` of the freed gold is re-encapsulated by
sintering and hematite recrystallisation at the particle temperature ``T_p``
(``oreflow.kernels.roasting``): it stays ``au_sulfide`` (locked gold: the leach takes
it at its locked rate). So the calcine's leachable gold falls when under-roasting
(residual sulfide) and when over-roasting (sintering): ``calcine_leachable_au_frac``.

Gases and utilities. SO2 goes to a double-contact acid plant converting
``so2_capture_frac`` of it to sulfuric acid, sold (``acid_sold_kg_h``; reported as
the negative use ``use_sulfuric_acid_kg_h``, so that its price is a credit); the rest
leaves by the stack. With ``so2_capture = "lime"`` the SO2 is scrubbed with lime
instead (``use_lime_kg_h``) and its gypsum joins the calcine pulp. O2 is supplied at
``1 + o2_excess_frac`` times the demand, as air enriched with bought oxygen to
``o2_in_frac`` (``use_o2_kg_h``); the N2 and unused O2 leave with the off-gas
(``offgas_tph``). Heat balance: the heats of reaction (standard enthalpies, Wagman et
al. 1982, NBS tables: 12.9 MJ/kg S for pyrite to hematite and SO2, 19.0 MJ/kg S for
pyrrhotite, 32.8 MJ/kg C) less the losses (``heat_loss_frac``) against heating
solids and gas to the stage-2 temperature and evaporating the cake moisture; a deficit
is met by natural gas (``use_natural_gas_kg_h``, 50.0 MJ/kg lower heating value of
methane), so a low-sulfur feed is not autogenous. Power: off-gas handling (blowers,
electrostatic precipitator, scrubbing) per t of off-gas and the acid plant per t of
acid (``power_kw``) [assumed]. The gases appear in the closure as the unit's
externals (``ext_so2_gas_tph``, ``ext_co2_gas_tph``, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.core.formulas import formula_mass_g_mol as _mw
from oreflow.errors import Problem
from oreflow.kernels.arrays import safe_div
from oreflow.units import reagents
from oreflow.units.base import (
    PrepareContext,
    Sizing,
    UnitResult,
    UnitSpec,
    UnitType,
    total_solids,
)
from oreflow.units.roaster_params import (
    AIR_O2_FRAC,
    C_IN_CARBONACEOUS,
    CP_GAS_KJ_KG_K,
    CP_SOLIDS_KJ_KG_K,
    H_CARBON_MJ_KG,
    H_EVAP_MJ_KG,
    H_PYRITE_MJ_KG_S,
    H_PYRRHOTITE_MJ_KG_S,
    LHV_CH4_MJ_KG,
    MW_CAO,
    MW_CH4,
    MW_H2O,
    NATURAL_GAS,
    PARAMS,
    SULFURIC_ACID,
    T_REF,
)
from oreflow.units.species_checks import require_species

_SPECIES = (
    "pyrite", "arsenopyrite", "pyrrhotite", "magnetite", "hematite", "carbonaceous",
    "gangue", "calcite", "gypsum", "scorodite", "as2o3", "au_sulfide", "au_free",
)  # fmt: skip
_MW = {
    n: _mw(f)
    for n, f in (
        ("pyrite", "FeS2"), ("arsenopyrite", "FeAsS"), ("pyrrhotite", "FeS"),
        ("magnetite", "Fe3O4"), ("hematite", "Fe2O3"), ("calcite", "CaCO3"),
        ("gypsum", "CaSO4·2H2O"), ("scorodite", "FeAsO4·2H2O"), ("as2o3", "As2O3"),
        ("O2", "O2"), ("SO2", "SO2"), ("CO2", "CO2"), ("S", "S"), ("N2", "N2"),
        ("H2SO4", "H2SO4"), ("C", "C"),
    )
}  # fmt: skip


class RoastState(NamedTuple):
    """Per-case parameters and the stage conversions, (n_cases, 5)."""

    params: Mapping[str, np.ndarray]
    conv: np.ndarray


class Roaster:
    """Compiled two-stage roaster: calcine pulp and (empty) vent outlet."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.idx = {n: comps.solid_index(n) for n in _SPECIES if comps.has(n)}
        self.water = comps.solution_offset("water") if comps.has("water") else -1
        self.lime = str(spec.params.get("so2_capture", "acid")) == "lime"

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> RoastState:
        """The two stages' conversions for every case (kernel)."""
        from oreflow.kernels.roasting import roast_conversions

        p = params
        n = ctx.n_cases

        def arr(k: str) -> np.ndarray:
            return np.ascontiguousarray(np.broadcast_to(np.asarray(p[k], dtype=np.float64), (n,)))

        cols = []
        for key, t_ref in zip(("as", "py", "s", "c"), T_REF, strict=True):
            cols += [
                arr(f"{key}_k_ref_per_min"),
                arr(f"{key}_activation_kj_mol"),
                np.full(n, t_ref),
            ]
        for key in (
            "particle_dt_per_o2_degc",
            "sinter_onset_degc",
            "sinter_width_degc",
            "sinter_max_frac",
        ):
            cols.append(arr(key))
        consts = np.ascontiguousarray(np.stack(cols, axis=1))
        conv = roast_conversions(
            arr("stage1_temperature_degc"), arr("stage2_temperature_degc"),
            arr("stage1_residence_min"), arr("stage2_residence_min"),
            arr("o2_in_frac"), arr("o2_excess_frac"), consts,
        )  # fmt: skip
        return RoastState(params, conv)

    def apply(self, state: RoastState, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Roast the feed's solids; quench the calcine; report gases and utilities."""
        p, conv = state.params, state.conv
        (feed,) = inlets
        c = self.comps
        out = feed.copy()
        sv = c.solids_view(out)
        ix = self.idx
        n = feed.shape[0]
        col = [conv[:, k][:, None] for k in range(5)]
        mol = {k: np.zeros(n) for k in ("o2", "so2", "co2", "h2o_rx", "s_py", "s_po", "c")}

        def take(name: str, share: np.ndarray) -> np.ndarray:
            """Kmol per class taken off a species at ``share`` (zero if undeclared)."""
            if name not in ix:
                return np.zeros(sv.shape[:2])
            t = sv[:, :, ix[name]] * share
            sv[:, :, ix[name]] -= t
            return t / _MW[name]

        def put(name: str, kmol: np.ndarray) -> None:
            sv[:, :, ix[name]] += kmol * _MW[name]

        s_feed = self._sulfide_s(sv)
        # stage 1: arsenopyrite -> pyrrhotite + As4O6 (as As2O3); pyrite's labile S off
        k_apy = take("arsenopyrite", col[0])
        put_po = k_apy.copy()
        mol["o2"] += 0.75 * k_apy.sum(axis=1)
        as2o3_kmol = 0.5 * k_apy.sum(axis=1)
        k_py1 = take("pyrite", col[1])
        put_po += k_py1
        mol["o2"] += k_py1.sum(axis=1)
        mol["so2"] += k_py1.sum(axis=1)
        mol["s_py"] += k_py1.sum(axis=1)
        if "pyrrhotite" in ix:
            put("pyrrhotite", put_po)
        mag = p["stage1_magnetite_frac"] * np.ones(n) if "magnetite" in ix else np.zeros(n)
        k_po1 = take("pyrrhotite", mag[:, None])
        if "magnetite" in ix:
            put("magnetite", k_po1 / 3.0)
        mol["o2"] += 5.0 / 3.0 * k_po1.sum(axis=1)
        mol["so2"] += k_po1.sum(axis=1)
        mol["s_po"] += k_po1.sum(axis=1)
        # stage 2: sulfides to hematite (arsenopyrite to ferric arsenate), C to CO2
        k_py = take("pyrite", col[2])
        k_po = take("pyrrhotite", col[2])
        k_as = take("arsenopyrite", col[2])
        k_mag = take("magnetite", col[2])
        put("hematite", 0.5 * k_py + 0.5 * k_po + 1.5 * k_mag)
        if "scorodite" in ix:
            put("scorodite", k_as)
        mol["o2"] += (2.75 * k_py + 1.75 * k_po + 3.0 * k_as + 0.25 * k_mag).sum(axis=1)
        mol["so2"] += (2.0 * k_py + k_po + k_as).sum(axis=1)
        mol["h2o_rx"] += 2.0 * k_as.sum(axis=1)
        mol["s_py"] += 2.0 * k_py.sum(axis=1)
        mol["s_po"] += (k_po + k_as).sum(axis=1)
        if "carbonaceous" in ix:
            burnt = sv[:, :, ix["carbonaceous"]] * col[3]
            sv[:, :, ix["carbonaceous"]] -= burnt
            sv[:, :, ix["gangue"]] += 0.1 * burnt
            mol["c"] = burnt.sum(axis=1) * C_IN_CARBONACEOUS / _MW["C"]
            mol["o2"] += mol["c"]
            mol["co2"] += mol["c"]
        k_ca = take("calcite", (p["calcite_sulfated_frac"] * np.ones(n))[:, None])
        if "gypsum" in ix:
            put("gypsum", k_ca)
        so2_captured = k_ca.sum(axis=1)
        mol["o2"] += 0.5 * so2_captured
        mol["co2"] += so2_captured
        mol["h2o_rx"] += 2.0 * so2_captured
        # gas cleaning: As2O3 condensed; a share fixed as ferric arsenate with calcine iron
        fixed = as2o3_kmol * p["as2o3_fixed_frac"] if "scorodite" in ix else np.zeros(n)
        if "as2o3" in ix:
            sv[:, -1, ix["as2o3"]] += (as2o3_kmol - fixed) * _MW["as2o3"]
        if fixed.any():
            hem = sv[:, :, ix["hematite"]]
            fixed = np.minimum(fixed, hem.sum(axis=1) / _MW["hematite"])
            hem *= 1.0 - safe_div(fixed * _MW["hematite"], hem.sum(axis=1))[:, None]
            sv[:, -1, ix["scorodite"]] += 2.0 * fixed * _MW["scorodite"]
            mol["o2"] += fixed
            mol["h2o_rx"] += 4.0 * fixed
        # gold: freed with its host's sulfide sulfur, less what sintering re-encloses
        s_left = self._sulfide_s(sv)
        host_ox = np.where(s_feed > 0, 1.0 - safe_div(s_left, s_feed), 1.0)
        leachable = host_ox * (1.0 - conv[:, 4])
        if "au_sulfide" in ix and "au_free" in ix:
            au = sv[:, :, ix["au_sulfide"]] * leachable[:, None]
            sv[:, :, ix["au_sulfide"]] -= au
            sv[:, :, ix["au_free"]] += au
        return self._finish(p, conv, feed, out, mol, s_feed, s_left, leachable, fixed)

    def _sulfide_s(self, sv: np.ndarray) -> np.ndarray:
        """Sulfide sulfur of pyrite, pyrrhotite and arsenopyrite [t/h], (n,)."""
        s = np.zeros(sv.shape[0])
        for name, n_s in (("pyrite", 2.0), ("pyrrhotite", 1.0), ("arsenopyrite", 1.0)):
            if name in self.idx:
                s += sv[:, :, self.idx[name]].sum(axis=1) / _MW[name] * n_s * _MW["S"]
        return s

    def _finish(
        self,
        p: Mapping[str, np.ndarray],
        conv: np.ndarray,
        feed: np.ndarray,
        out: np.ndarray,
        mol: dict[str, np.ndarray],
        s_feed: np.ndarray,
        s_left: np.ndarray,
        leachable: np.ndarray,
        as_fixed_kmol: np.ndarray,
    ) -> UnitResult:
        """Water (cake moisture evaporated, quench added), gases, heat and power."""
        c = self.comps
        n = feed.shape[0]
        kg = 1000.0  # mol[...] is t/h per g/mol: times g/mol and 1000 gives kg/h
        so2_made_kg = mol["so2"] * _MW["SO2"] * kg
        so2_captured_kg = (mol["co2"] - mol["c"]) * _MW["SO2"] * kg
        so2_gas_kg = np.maximum(so2_made_kg - so2_captured_kg, 0.0)
        captured_kg = so2_gas_kg * p["so2_capture_frac"]
        lime_kg = np.zeros(n)
        if self.lime:  # SO2 + CaO + 1/2 O2 + 2 H2O -> CaSO4.2H2O, to the calcine pulp
            scrubbed = captured_kg / kg / _MW["SO2"]
            c.solids_view(out)[:, -1, self.idx["gypsum"]] += scrubbed * _MW["gypsum"]
            lime_kg = scrubbed * MW_CAO * kg
            mol["o2"] = mol["o2"] + 0.5 * scrubbed
        to_acid_kg = np.zeros(n) if self.lime else captured_kg
        acid_kg = to_acid_kg / _MW["SO2"] * _MW["H2SO4"]
        solids_in = total_solids(c, feed)
        solids_out = total_solids(c, out)
        added = np.zeros_like(feed)
        reacted = out - feed
        evaporated = np.zeros(n)
        if self.water >= 0:
            w_in = feed[:, self.water]
            m = p["feed_moisture_frac"]
            evaporated = np.minimum(w_in, solids_in * m / (1.0 - m))
            q = p["quench_solids_frac"]
            need = solids_out * (1.0 - q) / q
            quench = np.maximum(need - (w_in - evaporated), 0.0)
            out[:, self.water] += quench - evaporated
            reacted[:, self.water] = -evaporated
            added[:, self.water] = quench
        o2_demand_kg = mol["o2"] * _MW["O2"] * kg
        # heat balance of stage 2 [MJ/h]
        t2 = p["stage2_temperature_degc"]
        released = kg * (
            mol["s_py"] * _MW["S"] * H_PYRITE_MJ_KG_S
            + mol["s_po"] * _MW["S"] * H_PYRRHOTITE_MJ_KG_S
            + mol["c"] * _MW["C"] * H_CARBON_MJ_KG
        )
        excess = 1.0 + p["o2_excess_frac"]
        y = p["o2_in_frac"]
        per_kg_o2 = 1.0 + (1.0 - y) / y * _MW["N2"] / _MW["O2"]  # kg gas per kg O2 supplied
        gas_mj_kg = (t2 - 25.0) * CP_GAS_KJ_KG_K / 1000.0  # MJ per kg of gas heated
        need_mj = (
            solids_in * kg * CP_SOLIDS_KJ_KG_K * (t2 - 25.0) / 1000.0
            + evaporated * kg * H_EVAP_MJ_KG
            + o2_demand_kg * excess * per_kg_o2 * gas_mj_kg
        )
        deficit = np.maximum(need_mj - released * (1.0 - p["heat_loss_frac"]), 0.0)
        # each kg of methane takes 4 kg O2 (2 mol) times the excess, with its N2, to heat
        o2_per_fuel = 2.0 * _MW["O2"] / MW_CH4
        fuel_net = LHV_CH4_MJ_KG - o2_per_fuel * excess * per_kg_o2 * gas_mj_kg
        fuel_kg = safe_div(deficit, np.maximum(fuel_net, 1.0))
        fuel_o2_kg = fuel_kg * o2_per_fuel
        o2_supplied_kg = (o2_demand_kg + fuel_o2_kg) * excess
        # bought O2 P and air O2 A at inlet fraction y: P = A (y / 0.2095 - 1) / (1 - y)
        ratio = (y / AIR_O2_FRAC - 1.0) / (1.0 - y)
        bought_kg = o2_supplied_kg * ratio / (1.0 + ratio)
        air_o2_kg = o2_supplied_kg - bought_kg
        n2_kg = air_o2_kg / AIR_O2_FRAC * (1.0 - AIR_O2_FRAC) * _MW["N2"] / _MW["O2"]
        offgas_kg = (
            n2_kg
            + (o2_supplied_kg - o2_demand_kg - fuel_o2_kg)
            + (so2_gas_kg - captured_kg)
            + mol["co2"] * _MW["CO2"] * kg
            + fuel_kg * (_MW["CO2"] + 2.0 * MW_H2O) / MW_CH4
            + evaporated * kg
        )
        power_kw = offgas_kg / kg * p["offgas_kwh_t"] + acid_kg / kg * p["acid_plant_kwh_t"]
        as2o3_kg = (
            self.comps.solids_view(out)[:, :, self.idx["as2o3"]].sum(axis=1) * kg
            if "as2o3" in self.idx
            else np.zeros(n)
        )
        calcine_s = safe_div(s_left, solids_out)
        metrics = {
            "sulfide_s_feed_tph": s_feed,
            "sulfide_s_oxidised_tph": s_feed - s_left,
            "calcine_sulfide_s_frac": calcine_s,
            "calcine_leachable_au_frac": leachable,
            "as_removed_stage1_frac": conv[:, 0].copy(),
            "sintered_au_frac": conv[:, 4].copy(),
            "o2_demand_kg_h": o2_demand_kg,
            "o2_supplied_kg_h": o2_supplied_kg,
            "n2_supplied_kg_h": n2_kg,
            "use_o2_kg_h": bought_kg,
            "use_natural_gas_kg_h": fuel_kg,
            "heat_released_mj_h": released,
            "heat_required_mj_h": need_mj,
            "so2_made_kg_h": so2_made_kg,
            "so2_captured_in_calcine_kg_h": so2_captured_kg,
            "acid_plant_so2_kg_h": to_acid_kg,
            "so2_stack_kg_h": so2_gas_kg - captured_kg,
            "use_lime_kg_h": lime_kg,
            "acid_sold_kg_h": acid_kg,
            "use_sulfuric_acid_kg_h": -acid_kg,  # a by-product sold: a negative use
            "as2o3_kg_h": as2o3_kg,
            "as2o3_fixed_kg_h": as_fixed_kmol * _MW["as2o3"] * kg,
            "offgas_tph": offgas_kg / kg,
            "co2_released_kg_h": mol["co2"] * _MW["CO2"] * kg + fuel_kg * _MW["CO2"] / MW_CH4,
            "water_evaporated_tph": evaporated,
            "power_kw": power_kw,
            "calcine_tph": solids_out,
            "solids_in_tph": solids_in,
        }
        for name in ("hematite", "scorodite", "gypsum"):
            if name in self.idx:
                metrics[f"{name}_tph"] = c.solids_view(out)[:, :, self.idx[name]].sum(axis=1)
        return UnitResult((out, np.zeros_like(feed)), added=added, reacted=reacted, metrics=metrics)


def _check(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    need = ["hematite", "water"]
    if comps.has("pyrite") or comps.has("arsenopyrite"):
        need.append("pyrrhotite")
    if comps.has("arsenopyrite"):
        need += ["scorodite", "as2o3"]
    if comps.has("calcite") or str(spec.params.get("so2_capture", "acid")) == "lime":
        need.append("gypsum")
    if comps.has("carbonaceous"):
        need.append("gangue")
    if comps.has("au_sulfide"):
        need.append("au_free")
    require_species(comps, dict.fromkeys(need), spec, file, problems)


ROASTER = UnitType(
    name="roaster",
    route_word="roasting",
    reactive=True,
    summary="two-stage fluid-bed roaster: arsenic off as As2O3 (stage 1), sulfide to "
    "hematite and SO2 (stage 2), SO2 to acid, calcine leachability against temperature",
    inlets=("feed",),
    outlets=("discharge", "vent"),
    params=PARAMS,
    build=Roaster,
    check=_check,
    kpi_families=("oxidation",),
    scale_site="concentrate_treatment",
    prices={"sulfuric_acid": SULFURIC_ACID, "natural_gas": NATURAL_GAS, "lime": reagents.LIME},
    sizing=Sizing("feed", curve="fluid_bed_roaster"),
)

UNIT_TYPES = (ROASTER,)
