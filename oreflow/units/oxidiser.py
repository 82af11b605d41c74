"""The oxidation vessel shared by acid POX, alkaline POX and bio-oxidation.

:class:`Oxidiser` prepares the conversion of every mineral in every size class
(shrinking particle over an Erlang residence-time distribution) and applies it: the
products (``oreflow.kernels.oxidation``), the sulfide-locked gold freed with its host,
the carbonaceous matter burnt, the oxygen and the heat balance; :func:`check_oxidiser`
validates a case against the chemistry. The equations and their sources are in the
docstring of ``oreflow.units.pox``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple, NoReturn

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.errors import Problem
from oreflow.kernels.arrays import safe_div
from oreflow.kernels.oxidation_vessel import heat_balance, host_conversion, oxygen_and_heat
from oreflow.units.base import (
    PrepareContext,
    UnitResult,
    UnitSpec,
    solids_volume_m3_h,
    total_solids,
    water,
)
from oreflow.units.oxidiser_params import (
    MINERAL_ELEMENTS,
    MODE_ACID,
    OXIDISABLE,
    Chemistry,
    element_fraction,
)
from oreflow.units.products import ProductSpecies


class OxidationState(NamedTuple):
    """What an oxidiser (autoclave or bio-oxidation tank train) prepares per simulation."""

    params: Mapping[str, np.ndarray]
    extent: np.ndarray  # (n_cases, n_cls, n_mineral) fraction of each mineral oxidised
    heat: np.ndarray  # (n_cases, n_mineral) reaction heat [MJ/kg S]
    t_star: np.ndarray  # (n_cases, n_cls, n_mineral) shrinking-core time [min]


class Oxidiser:
    """Compiled oxidation vessel (acid POX, alkaline POX or bio-oxidation).

    Parameters
    ----------
    spec : UnitSpec
        The unit.
    comps : ComponentSet
        Species and size classes.
    chem : Chemistry
        What this kind of vessel does.
    """

    def __init__(self, spec: UnitSpec, comps: ComponentSet, chem: Chemistry) -> None:
        from oreflow.kernels import oxidation as kox

        self.spec = spec
        self.comps = comps
        self.chem = chem
        self.n_stages = int(spec.params[chem.stages_key])
        solid_names = [s.name for s in comps.solids]
        self.minerals = [m for m in chem.minerals if m in solid_names]
        self.kernel_index = [OXIDISABLE.index(m) for m in self.minerals]
        self.i_min = [comps.solid_index(m) for m in self.minerals]
        self.min_el = np.array(
            [[element_fraction(comps, m, el) for el in MINERAL_ELEMENTS] for m in self.minerals],
            dtype=np.float64,
        ).reshape(len(self.minerals), 4)
        self.rep_um = comps.sizes.representative_um()

        self.products = ProductSpecies(
            spec,
            comps,
            solids=(
                chem.remainder,
                "scorodite",
                "basic_ferric_sulfate",
                "jarosite",
                "gypsum",
                "calcite",
                "dolomite",
                "siderite",
                "carbonaceous",
                "gangue",
                "au_sulfide",
                "au_free",
                "sulfur",
            ),
            solution=("water", "h2so4", "so4_aq", "fe_aq", "as_aq", "cu_aq", "co2"),
        )
        self.i_solid = self.products.solid
        self.i_sol = self.products.solution
        pf = np.zeros(kox.N_PF)
        pf[kox.PF_REMAINDER_FE] = element_fraction(comps, chem.remainder, "fe")
        pf[kox.PF_SCORODITE_FE] = element_fraction(comps, "scorodite", "fe")
        pf[kox.PF_SCORODITE_AS] = element_fraction(comps, "scorodite", "as")
        pf[kox.PF_BFS_FE] = element_fraction(comps, "basic_ferric_sulfate", "fe")
        pf[kox.PF_BFS_S] = element_fraction(comps, "basic_ferric_sulfate", "s")
        pf[kox.PF_JAROSITE_FE] = element_fraction(comps, "jarosite", "fe")
        pf[kox.PF_JAROSITE_S] = element_fraction(comps, "jarosite", "s")
        pf[kox.PF_GYPSUM_S] = element_fraction(comps, "gypsum", "s")
        pf[kox.PF_H2SO4_S] = element_fraction(comps, "h2so4", "s")
        pf[kox.PF_SO4_S] = element_fraction(comps, "so4_aq", "s")
        pf[kox.PF_CALCITE_C] = element_fraction(comps, "calcite", "c")
        pf[kox.PF_CO2_C] = element_fraction(comps, "co2", "c")
        pf[kox.PF_SULFUR_S] = element_fraction(comps, "sulfur", "s")
        pf[kox.PF_DOLOMITE_C] = element_fraction(comps, "dolomite", "c")
        pf[kox.PF_SIDERITE_FE] = element_fraction(comps, "siderite", "fe")
        pf[kox.PF_SIDERITE_C] = element_fraction(comps, "siderite", "c")
        self.pf = pf
        self.tcm_c = (
            element_fraction(comps, "carbonaceous", "c") if comps.has("carbonaceous") else 0.0
        )
        self.params = spec.params

    # ---------------------------------------------------------------- prepare
    def _table(
        self, params: Mapping[str, np.ndarray], key: str, defaults: tuple[float, ...], n: int
    ) -> np.ndarray:
        out = np.empty((n, len(self.minerals)))
        for m, name in enumerate(self.minerals):
            given = params.get(f"minerals.{name}.{key}")
            out[:, m] = given if given is not None else defaults[OXIDISABLE.index(name)]
        return out

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> OxidationState:
        """Conversion of every mineral in every size class, and the per-case settings."""
        from oreflow.kernels import oxidation_kinetics as kok

        n = ctx.n_cases
        chem = self.chem
        t_ref = self._table(params, "t_star_ref_min", chem.t_star_ref_min, n)
        ea = self._table(params, "activation_energy_kj_mol", chem.activation_kj_mol, n)
        heat = self._table(params, "reaction_heat_mj_kg_s", chem.heat_mj_kg_s, n)
        ult_default = params.get("ultimate_oxidation_frac", np.ones(n))
        ult = np.empty((n, len(self.minerals)))
        for m, name in enumerate(self.minerals):
            given = params.get(f"minerals.{name}.ultimate_frac")
            ult[:, m] = given if given is not None else ult_default
        rate = params.get("alkaline_rate_factor", np.ones(n))
        t_ref = t_ref / rate[:, None]
        if chem.uses_o2_pressure:
            p_o2 = params["o2_partial_pressure_kpa"]
            p_ref = params["kinetics_ref_o2_kpa"]
        else:
            p_o2 = p_ref = np.ones(n)
        t_star = kok.t_star_batch(
            np.ascontiguousarray(t_ref),
            np.ascontiguousarray(ea),
            params["temperature_degc"],
            params["kinetics_ref_temperature_degc"],
            p_o2,
            p_ref,
            self.rep_um,
            params["kinetics_ref_size_um"],
        )
        tau_min = params[chem.residence_key] * chem.residence_to_min
        extent = kok.oxidation_extent_batch(t_star, tau_min, self.n_stages, ult)
        return OxidationState(params, extent, heat, t_star)

    # ---------------------------------------------------------------- apply
    def _fail(self, message: str) -> NoReturn:
        self.products.fail(message)

    def _put_solid(self, out: np.ndarray, name: str, amount: np.ndarray) -> None:
        """Add a precipitate to the finest size class."""
        missing = f"the oxidation makes {name!r}; declare it in [case] solids"
        self.products.put_solid(out, name, amount, missing)

    def _put_solution(self, out: np.ndarray, name: str, amount: np.ndarray) -> None:
        missing = f"the oxidation makes {name!r}; declare it in [case] solution"
        self.products.add_solution(out, name, amount, missing)

    def _mode(self) -> int:
        from oreflow.kernels import oxidation as kox

        if self.chem.mode != kox.MODE_ACID and self.params.get("neutraliser") == "soda_ash":
            return kox.MODE_ALKALINE_SODA_ASH
        return self.chem.mode

    def apply(self, state: OxidationState, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Oxidise, distribute the products, free the locked gold, balance heat and O2."""
        from oreflow.kernels import elemental_sulfur as kes
        from oreflow.kernels import oxidation as kox

        params = state.params
        extent = state.extent
        (feed,) = inlets
        c = self.comps
        n = feed.shape[0]
        zeros = np.zeros(n)
        sv_in = c.solids_view(feed)
        minerals_in = sv_in[:, :, self.i_min]  # (n, n_cls, n_min)
        ox_cls = minerals_in * extent
        ox = ox_cls.sum(axis=1)
        s_frac = self.min_el[:, 2]
        s_feed_cls = minerals_in * s_frac  # sulfide S per class and mineral
        s_feed = s_feed_cls.sum(axis=(1, 2))
        s_ox_by_min = ox * s_frac
        s_ox = s_ox_by_min.sum(axis=1)
        x_s = safe_div(s_ox, s_feed)

        i_cal = self.i_solid["calcite"]
        calcite_cls = sv_in[:, :, i_cal] if i_cal is not None else np.zeros((n, c.n_cls))
        calcite = calcite_cls.sum(axis=1)
        carb_cls = {}
        for name in ("dolomite", "siderite"):
            idx = self.i_solid[name]
            carb_cls[name] = sv_in[:, :, idx] if idx is not None else np.zeros((n, c.n_cls))
        i_acid = self.i_sol["h2so4"]
        feed_acid = feed[:, i_acid] if i_acid is not None else zeros
        mode = self._mode()
        s0_frac = np.zeros((n, len(self.minerals)))
        if self.chem.elemental_sulfur:
            from oreflow.kernels.elemental_sulfur import s0_fraction

            for k, m in enumerate(self.kernel_index):
                s0_frac[:, k] = s0_fraction(params["temperature_degc"], m)
        fe_split = [
            params.get(k, zeros)
            for k in ("fe_to_solution_frac", "fe_to_bfs_frac", "fe_to_jarosite_frac")
        ]
        prod = kox.oxidation_products_batch(
            np.ascontiguousarray(ox),
            self.min_el,
            np.ascontiguousarray(feed_acid),
            np.ascontiguousarray(calcite),
            np.ascontiguousarray(carb_cls["dolomite"].sum(axis=1)),
            np.ascontiguousarray(carb_cls["siderite"].sum(axis=1)),
            *[np.ascontiguousarray(f) for f in fe_split],
            np.ascontiguousarray(params.get("as_to_solution_frac", zeros)),
            np.ascontiguousarray(params.get("neutraliser_excess_frac", zeros)),
            s0_frac,
            self.pf,
            mode,
        )

        out = feed.copy()
        sv = c.solids_view(out)
        sv[:, :, self.i_min] = minerals_in - ox_cls
        if i_cal is not None:
            share = safe_div(prod[:, kox.OUT_CALCITE_REACTED], calcite)
            sv[:, :, i_cal] = calcite_cls * (1.0 - share[:, None])
        for name, col in (
            ("dolomite", kox.OUT_DOLOMITE_REACTED),
            ("siderite", kox.OUT_SIDERITE_REACTED),
        ):
            idx = self.i_solid[name]
            if idx is not None:
                share = safe_div(prod[:, col], carb_cls[name].sum(axis=1))
                sv[:, :, idx] = carb_cls[name] * (1.0 - share[:, None])

        # carbonaceous matter burnt in proportion to the sulfide oxidation
        i_tcm = self.i_solid["carbonaceous"]
        c_burnt = zeros
        if i_tcm is not None:
            burn = params.get("tcm_oxidation_frac", zeros) * x_s
            tcm_cls = sv_in[:, :, i_tcm]
            sv[:, :, i_tcm] = tcm_cls * (1.0 - burn[:, None])
            c_burnt = tcm_cls.sum(axis=1) * burn * self.tcm_c
            i_gangue = self.i_solid["gangue"]
            if i_gangue is not None:
                # its silicate ash stays in the residue, as gangue (the catalogue's
                # composition of carbonaceous matter)
                sv[:, :, i_gangue] += tcm_cls * (burn * (1.0 - self.tcm_c))[:, None]

        # gold freed with its host
        au_freed = zeros
        i_aus, i_auf = self.i_solid["au_sulfide"], self.i_solid["au_free"]
        if i_aus is not None and self.minerals:
            host = str(self.params.get("gold_host", "sulfides"))
            host_index = self.minerals.index(host) if host in self.minerals else None
            x_host = host_conversion(extent, s_feed_cls, host_index)
            locked = sv_in[:, :, i_aus]
            freed = locked * x_host
            if np.any(freed > 0) and i_auf is None:
                self._fail("au_sulfide is freed as 'au_free'; declare it in [case] solids")
            sv[:, :, i_aus] = locked - freed
            if i_auf is not None:
                sv[:, :, i_auf] += freed
            au_freed = freed.sum(axis=1)

        self._put_solid(out, self.chem.remainder, prod[:, kox.OUT_REMAINDER])
        self._put_solid(out, "scorodite", prod[:, kox.OUT_SCORODITE])
        self._put_solid(out, "basic_ferric_sulfate", prod[:, kox.OUT_BFS])
        self._put_solid(out, "jarosite", prod[:, kox.OUT_JAROSITE])
        self._put_solid(out, "gypsum", prod[:, kox.OUT_GYPSUM])
        self._put_solid(out, "sulfur", prod[:, kox.OUT_SULFUR])
        if i_acid is not None:
            out[:, i_acid] = 0.0
        self._put_solution(out, "h2so4", prod[:, kox.OUT_H2SO4])
        self._put_solution(out, "so4_aq", prod[:, kox.OUT_SO4])
        self._put_solution(out, "fe_aq", prod[:, kox.OUT_FE_AQ])
        self._put_solution(out, "as_aq", prod[:, kox.OUT_AS_AQ])
        self._put_solution(out, "cu_aq", prod[:, kox.OUT_CU_AQ])

        added = np.zeros_like(feed)
        excess = prod[:, kox.OUT_LIMESTONE_EXCESS]
        if np.any(excess > 0):
            if i_cal is None:
                self._fail("excess limestone stays as 'calcite'; declare it in [case] solids")
            spread = excess[:, None] * self.products.size_fractions["calcite"]
            sv[:, :, i_cal] += spread
            c.solids_view(added)[:, :, i_cal] = spread

        vent = np.zeros_like(feed)
        co2 = prod[:, kox.OUT_CO2] + c_burnt / self.pf[kox.PF_CO2_C]
        i_co2 = self.i_sol["co2"]
        if i_co2 is not None:
            vent[:, i_co2] = feed[:, i_co2] + co2
            out[:, i_co2] = 0.0
        elif np.any(co2 > 0):
            self._fail("the oxidation releases CO2; declare 'co2' in [case] solution")

        # oxygen and heat
        o2_stoich, heat_gen = oxygen_and_heat(
            s_ox_by_min, kox.O2_MOL_PER_MOL_S[self.kernel_index], state.heat, c_burnt
        )
        # elemental sulfur takes no further O2 and releases no sulfate heat
        s0 = prod[:, kox.OUT_SULFUR] * self.pf[kox.PF_SULFUR_S]
        o2_stoich = o2_stoich - s0 * kes.O2_MOL_SAVED_PER_MOL_S0 * kox.M_O2 / kox.M_S
        heat_gen = heat_gen - s0 * 1000.0 * kes.HEAT_MJ_SAVED_PER_KG_S0
        # carbonates: siderite takes O2 for its Fe(II); all three release a little heat
        sid_mol = prod[:, kox.OUT_SIDERITE_REACTED] * self.pf[kox.PF_SIDERITE_FE] / kox.M_FE
        o2_stoich = o2_stoich + sid_mol * kox.O2_MOL_PER_MOL_SIDERITE * kox.M_O2
        cal_mol = prod[:, kox.OUT_CALCITE_REACTED] * self.pf[kox.PF_CALCITE_C] / kox.M_C
        dol_mol = prod[:, kox.OUT_DOLOMITE_REACTED] * self.pf[kox.PF_DOLOMITE_C] / kox.M_C / 2.0
        # (t/h) / (g/mol) is Mmol/h; times kJ/mol it is GJ/h, i.e. 1000 MJ/h
        heat_gen = heat_gen + 1000.0 * (
            cal_mol * kox.CALCITE_HEAT_KJ_MOL
            + dol_mol * kox.DOLOMITE_HEAT_KJ_MOL
            + sid_mol * kox.SIDERITE_HEAT_KJ_MOL
        )

        solids = total_solids(c, feed)
        h2o = np.ascontiguousarray(water(c, feed))  # one kernel specialisation (C layout)
        t_in = params["feed_temperature_degc"]
        quench_on = self.params.get("surplus_heat") == "quench"
        heat_req, surplus, deficit, quench, t_auto = heat_balance(
            heat_gen,
            solids,
            h2o,
            t_in,
            params["temperature_degc"],
            params["solids_heat_capacity_kj_kg_k"],
            params["water_heat_capacity_kj_kg_k"],
            params["heat_loss_frac"],
            params["quench_water_temperature_degc"] if quench_on else None,
        )
        if quench_on and self.i_sol["water"] is not None:
            out[:, self.i_sol["water"]] += quench
            added[:, self.i_sol["water"]] += quench
        mean_heat = safe_div(
            (s_feed_cls.sum(axis=1) * state.heat).sum(axis=1),
            s_feed,
            fill=kox.PYRITE_HEAT_MJ_KG_S,
        )
        per_t = safe_div(1.0, solids)
        reacted = out + vent - feed - added
        metrics = self._metrics(
            params, ox, minerals_in, s_feed, s_ox, o2_stoich, prod, heat_gen, heat_req, per_t
        )
        metrics.update(
            {
                "heat_surplus_mj_t": surplus * per_t,
                "heat_deficit_mj_t": deficit * per_t,
                "autothermal_margin_mj_t": (heat_gen - heat_req) * per_t,
                "autothermal_sulfide_s_kg_t": heat_req * per_t / mean_heat,
                "autothermal_feed_temperature_degc": np.maximum(t_auto, 0.0),
                "feed_preheat_needed_degc": np.maximum(t_auto - t_in, 0.0),
                "cooling_duty_kw": np.where(quench > 0, 0.0, surplus) / 3.6,
                "steam_heating_kw": deficit / 3.6,
                "quench_water_tph": quench,
                "au_sulfide_freed_frac": safe_div(
                    au_freed, sv_in[:, :, i_aus].sum(axis=1) if i_aus is not None else zeros
                ),
                "co2_kg_h": co2 * 1000.0,
                "carbonaceous_c_burnt_kg_h": c_burnt * 1000.0,
                "solids_in_tph": solids,
                "solids_out_tph": total_solids(c, out),
            }
        )
        # equipment size: the vessel's working (slurry) volume and the oxygen plant
        slurry_m3_h = solids_volume_m3_h(c, feed) + water(c, feed)
        metrics["working_volume_m3"] = slurry_m3_h * metrics["residence_min"] / 60.0
        if "use_o2_kg_h" in metrics:
            metrics["oxygen_plant_t_d"] = metrics["use_o2_kg_h"] * 24.0 / 1000.0
        return UnitResult((out, vent), added=added, reacted=reacted, metrics=metrics)

    def _metrics(
        self,
        params: Mapping[str, np.ndarray],
        ox: np.ndarray,
        minerals_in: np.ndarray,
        s_feed: np.ndarray,
        s_ox: np.ndarray,
        o2_stoich: np.ndarray,
        prod: np.ndarray,
        heat_gen: np.ndarray,
        heat_req: np.ndarray,
        per_t: np.ndarray,
    ) -> dict[str, np.ndarray]:
        from oreflow.kernels import oxidation as kox

        util = params["o2_utilisation_frac"]
        fed = minerals_in.sum(axis=1)
        m: dict[str, np.ndarray] = {
            "residence_min": params[self.chem.residence_key] * self.chem.residence_to_min,
            "sulfide_s_feed_tph": s_feed,
            "sulfide_s_oxidised_tph": s_ox,
            "sulfide_oxidation_frac": safe_div(s_ox, s_feed),
            "o2_demand_kg_h": o2_stoich * 1000.0,
            "o2_demand_t_per_t_s": safe_div(o2_stoich, s_ox),
            "o2_kg_t": o2_stoich / util * 1000.0 * per_t,
            "acid_made_kg_h": prod[:, kox.OUT_ACID_MADE] * 1000.0,
            "acid_made_kg_t": prod[:, kox.OUT_ACID_MADE] * 1000.0 * per_t,
            "free_acid_out_kg_h": prod[:, kox.OUT_H2SO4] * 1000.0,
            "acid_to_carbonate_kg_h": prod[:, kox.OUT_CARBONATE_ACID] * 1000.0,
            "dolomite_reacted_tph": prod[:, kox.OUT_DOLOMITE_REACTED],
            "siderite_reacted_tph": prod[:, kox.OUT_SIDERITE_REACTED],
            "heat_generated_mj_t": heat_gen * per_t,
            "heat_required_mj_t": heat_req * per_t,
            "hematite_tph": prod[:, kox.OUT_REMAINDER],
            "scorodite_tph": prod[:, kox.OUT_SCORODITE],
            "basic_ferric_sulfate_tph": prod[:, kox.OUT_BFS],
            "jarosite_tph": prod[:, kox.OUT_JAROSITE],
            "gypsum_tph": prod[:, kox.OUT_GYPSUM],
            "elemental_sulfur_tph": prod[:, kox.OUT_SULFUR],
            "elemental_sulfur_frac": safe_div(
                prod[:, kox.OUT_SULFUR] * self.pf[kox.PF_SULFUR_S], s_ox
            ),
        }
        if self.chem.remainder != "hematite":
            m[f"{self.chem.remainder}_tph"] = m.pop("hematite_tph")
        for k, name in enumerate(self.minerals):
            m[f"{name}_oxidation_frac"] = safe_div(ox[:, k], fed[:, k])
        if self.chem.uses_o2_pressure:
            from oreflow.kernels.oxidation import steam_saturation_pressure_kpa

            # one evaluation per distinct temperature (usually one for the whole batch)
            temps, at = np.unique(
                np.asarray(params["temperature_degc"], dtype=np.float64), return_inverse=True
            )
            steam = np.array([steam_saturation_pressure_kpa(float(t)) for t in temps])
            steam = steam[at.reshape(-1)]
            m["steam_pressure_kpa"] = steam
            m["total_pressure_kpa"] = steam + params["o2_partial_pressure_kpa"]
            m["use_o2_kg_h"] = o2_stoich / util * 1000.0
        if self.chem.mode != kox.MODE_ACID:
            m["use_limestone_kg_h"] = (
                prod[:, kox.OUT_LIMESTONE_REACTED] + prod[:, kox.OUT_LIMESTONE_EXCESS]
            ) * 1000.0
            m["use_soda_ash_kg_h"] = prod[:, kox.OUT_SODA_ASH] * 1000.0
        return m


# ------------------------------------------------------------------ validation


def _need(
    comps: ComponentSet,
    names: tuple[str, ...],
    why: str,
    key: str,
    file: str,
    problems: list[Problem],
) -> None:
    missing = [nm for nm in names if not comps.has(nm)]
    if missing:
        problems.append(
            Problem(file, key, f"{why}: declare {', '.join(repr(m) for m in missing)} in [case]")
        )


def check_oxidiser(
    spec: UnitSpec,
    comps: ComponentSet,
    file: str,
    problems: list[Problem],
    chem: Chemistry,
) -> None:
    """Species the chemistry needs, known minerals, consistent fractions."""
    key = f"units.{spec.name}"
    p = spec.params
    solids = {s.name for s in comps.solids}
    for name in spec.tables.get("minerals", {}):
        if name not in chem.minerals:
            problems.append(
                Problem(
                    file,
                    f"{key}.minerals.{name}",
                    f"unknown mineral {name!r} for {spec.type}: no oxidation chemistry; "
                    f"minerals modelled: {', '.join(chem.minerals)}",
                )
            )
    present = [m for m in chem.minerals if m in solids]
    if not present:
        problems.append(
            Problem(
                file,
                key,
                f"no oxidisable mineral declared ({', '.join(chem.minerals)}): the vessel would oxidise nothing",
            )
        )
        return
    _need(comps, ("water",), "the vessel holds a pulp", key, file, problems)
    fe_split = sum(
        float(p.get(k, 0.0))
        for k in ("fe_to_solution_frac", "fe_to_bfs_frac", "fe_to_jarosite_frac")
    )
    if fe_split > 1.0 + 1e-12:
        problems.append(
            Problem(
                file,
                f"{key}.fe_to_solution_frac",
                f"iron fractions to solution, BFS and jarosite sum to {fe_split:g} > 1",
            )
        )
    _need(comps, (chem.remainder,), "the released iron precipitates", key, file, problems)
    t_op = p.get("temperature_degc")
    if chem.elemental_sulfur and t_op is not None:
        from oreflow.kernels.elemental_sulfur import s0_fraction

        if max(float(s0_fraction(t_op, OXIDISABLE.index(m))) for m in present) > 0.0:
            _need(
                comps,
                ("sulfur",),
                f"at {t_op:g} °C part of the sulfide S stops at elemental sulfur",
                key,
                file,
                problems,
            )
    acid = chem.mode == MODE_ACID
    if acid:
        _need(comps, ("h2so4",), "sulfide oxidation makes sulfuric acid", key, file, problems)
    if "arsenopyrite" in present:
        if float(p.get("as_to_solution_frac", 0.0)) < 1.0:
            _need(comps, ("scorodite",), "arsenic precipitates as scorodite", key, file, problems)
        if float(p.get("as_to_solution_frac", 0.0)) > 0.0:
            _need(comps, ("as_aq",), "arsenic is left in solution", key, file, problems)
    if "chalcopyrite" in present and "chalcopyrite" in chem.minerals:
        _need(comps, ("cu_aq", "so4_aq"), "copper dissolves as CuSO4", key, file, problems)
    if float(p.get("fe_to_solution_frac", 0.0)) > 0:
        _need(
            comps,
            ("fe_aq", "so4_aq"),
            "iron stays in solution as ferric sulfate",
            key,
            file,
            problems,
        )
    if float(p.get("fe_to_bfs_frac", 0.0)) > 0:
        _need(
            comps, ("basic_ferric_sulfate",), "iron forms basic ferric sulfate", key, file, problems
        )
    if float(p.get("fe_to_jarosite_frac", 0.0)) > 0:
        _need(comps, ("jarosite",), "iron forms jarosite", key, file, problems)
    if "dolomite" in solids:
        _need(
            comps,
            ("gypsum", "so4_aq", "co2"),
            "ore dolomite is neutralised to gypsum, dissolved MgSO4 and CO2",
            key,
            file,
            problems,
        )
    if "siderite" in solids:
        _need(
            comps, ("co2",), "ore siderite is oxidised to iron oxide and CO2", key, file, problems
        )
    if "calcite" in solids:
        _need(
            comps,
            ("gypsum", "co2"),
            "ore carbonate is neutralised to gypsum and CO2",
            key,
            file,
            problems,
        )
    if "carbonaceous" in solids and float(p.get("tcm_oxidation_frac", 0.0)) > 0:
        _need(comps, ("co2",), "carbonaceous matter burns to CO2", key, file, problems)
    if not acid:
        if p.get("neutraliser") == "soda_ash":
            _need(comps, ("so4_aq",), "soda ash leaves the sulfate dissolved", key, file, problems)
        else:
            _need(
                comps,
                ("gypsum",),
                "limestone neutralises the sulfate to gypsum",
                key,
                file,
                problems,
            )
            if float(p.get("neutraliser_excess_frac", 0.0)) > 0:
                _need(comps, ("calcite",), "excess limestone stays as calcite", key, file, problems)
    if "au_sulfide" in solids:
        _need(comps, ("au_free",), "oxidation frees sulfide-locked gold", key, file, problems)
    host = p.get("gold_host", "sulfides")
    if host != "sulfides" and host not in present:
        problems.append(
            Problem(
                file,
                f"{key}.gold_host",
                f"gold host {host!r} is not a declared mineral this unit oxidises",
            )
        )
    t_in, t_op = p.get("feed_temperature_degc"), p.get("temperature_degc")
    if t_in is not None and t_op is not None and t_in > t_op:
        problems.append(
            Problem(
                file,
                f"{key}.feed_temperature_degc",
                f"feed at {t_in:g} °C is hotter than the vessel ({t_op:g} °C)",
            )
        )
