"""Cyanide-free heap leaching: glycine or thiosulfate heaps with the tank leaches' rate laws.

**Recovery.** As in the cyanide ``heap_leach``: ore is stacked in lifts and irrigated for
the leach cycle ``t``; each parcel leaches as a batch, per size class and gold (or
silver) class ``R(t) = R∞(d) (1 − exp(−k(d) t))`` (``oreflow.kernels.heap_leach.
heap_leach_batch``), with the [assumed] size law of the cyanide heap. The table's
``k_per_d`` is the column-test rate at the lixiviant's reference conditions
(``kinetics_ref_*``) and at the columns' irrigation rate; per case it is scaled by

- the lixiviant's rate law, the same as in the tank leach:
  ``oreflow.units.glycine.rate_factor`` (glycine, pH, temperature, oxidant dose,
  copper catalyst; heap and in-situ leaching are what Eksteen & Oraby 2015 and Oraby
  et al. 2019 proposed alkaline glycine for) or ``oreflow.units.thiosulfate.rate_factor``
  (thiosulfate, ammonia, copper, temperature);
- the irrigation factor of the cyanide heap (``oreflow.units.heap_leach.
  irrigation_factor``: saturating in the application rate, [assumed]).

**Solution.** Pad geometry and water as in the cyanide heap: area under leach
``A = Q 24 t / (H ρ_b)``, solution applied ``A x irrigation``, barren solution returned to
the ``solution`` inlet applied first and topped up with water, a share evaporates, the
leached ore leaves drained at ``residue_moisture_frac`` holding the applied (barren)
composition [assumed], the rest drains as pregnant solution. The heap holds
``ore under leach x holdup/(1 − holdup)`` m³ of solution (``solution_inventory_m3``).

**Lixiviant.** The applied solution is made up to the lixiviant tenor (``glycine_g_l``;
``s2o3_mol_l``). On the pad the lixiviant in the solution inventory is lost at first
order: glycine at ``glycine_loss_per_h`` [assumed], thiosulfate oxidised to
polythionates at the rate of the tank leach (``oreflow.units.thiosulfate.
degradation_per_h``: uncatalysed plus copper-catalysed, slowed by ammonia). Copper(II)
and ammonia of the ammoniacal system are made up to their tenors in the applied
solution and leave with the pregnant solution and the residue moisture (ammonia is not
volatilised on the pad here). Oxidant, lime and cement are dosed per tonne stacked.

References
----------
E. A. Oraby, J. J. Eksteen, A. Karrech and M. Attar, "Gold extraction from paleochannel
ores using an aerated alkaline glycine lixiviant for consideration in heap and in-situ
leaching applications", Miner. Eng. 138:112-118, 2019 (abstract checked).
J. J. Eksteen and E. A. Oraby, Miner. Eng. 70:36-42, 2015 (abstract checked).
J. Marsden and I. House, *The Chemistry of Gold Extraction*, 2nd ed., SME, 2006, ch. 6
(heap leaching practice; no DOI).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any, NamedTuple

import numpy as np

from oreflow.conventions import CU_G_MOL, CUSO4_5H2O_G_MOL, G_PER_T, NH3_G_MOL
from oreflow.core.components import ComponentSet
from oreflow.core.schema import Param
from oreflow.errors import Problem
from oreflow.kernels.arrays import safe_div
from oreflow.units import glycine, reagents, thiosulfate
from oreflow.units.base import (
    PrepareContext,
    TableSchema,
    UnitResult,
    UnitSpec,
    UnitType,
    adsorbent_slice,
    solution_slice,
    total_solids,
)
from oreflow.units.heap_leach import HEAP_LEACH_TABLE, HEAP_PARAMS, irrigation_factor
from oreflow.units.tanks import size_law

#: Pad, water and size-law parameters shared with the cyanide heap.
_PAD = (
    "leach_cycle_d",
    "irrigation_l_h_m2",
    "lift_height_m",
    "bulk_density_t_m3",
    "residue_moisture_frac",
    "holdup_moisture_frac",
    "evaporation_frac",
    "lime_kg_t",
    "cement_kg_t",
    "irrigation_half_l_h_m2",
    "kinetics_ref_irrigation_l_h_m2",
    "d_ref_mm",
    "k_size_exponent",
    "ultimate_size_exponent",
)
_GLYCINE = (
    "glycine_g_l",
    "glycine_loss_per_h",
    "oxidant",
    "oxidant_kg_t",
    "temperature_degc",
    "ph",
    "cu_catalyst_mg_l",
    "naoh_kg_t",
)
_THIOSULFATE = (
    "lixiviant",
    "s2o3_mol_l",
    "s2o3_degradation_per_h",
    "s2o3_cu_degradation_per_h_mm",
    "cu_mg_l",
    "nh3_mol_l",
    "temperature_degc",
    "s2o3_half_mol_l",
    "nh3_rate_order",
    "cu_rate_gain",
    "cu_half_mm",
    "leach_ea_kj_mol",
    "cu_leach_ea_kj_mol",
    "s2o3_degradation_nh3_half_mol_l",
    "s2o3_degradation_ea_kj_mol",
    "kinetics_ref_s2o3_mol_l",
    "kinetics_ref_nh3_mol_l",
    "kinetics_ref_cu_mg_l",
    "kinetics_ref_temperature_degc",
)


def _pick(params: tuple[Param, ...], names: tuple[str, ...]) -> tuple[Param, ...]:
    by_name = {p.name: p for p in params}
    return tuple(by_name[n] for n in names)


PAD_PARAMS = _pick(HEAP_PARAMS, _PAD)
GLYCINE_PARAMS = (*PAD_PARAMS, *_pick(glycine.PARAMS, _GLYCINE), *glycine.RATE_PARAMS)
THIOSULFATE_PARAMS = (*PAD_PARAMS, *_pick(thiosulfate.PARAMS, _THIOSULFATE))

#: Gold and silver classes only: no copper minerals or sulfides on these heaps.
LEACH_TABLE = TableSchema(
    params=tuple(p for p in HEAP_LEACH_TABLE.params if p.name in ("k_per_d", "ultimate_frac")),
    key_phase="solid",
    doc="first-order dissolution on the heap of each gold and silver class, at the "
    "lixiviant's reference conditions",
    gold_only=False,
)


class HeapState(NamedTuple):
    """What a cyanide-free heap prepares once per simulation."""

    params: Mapping[str, np.ndarray]
    k: np.ndarray  # (n_cases, n_cls, n_leach) rate constant [1/d]
    ultimate: np.ndarray  # (n_cases, n_cls, n_leach) ultimate extraction
    rate_factor: np.ndarray  # (n_cases,) lixiviant and irrigation factor on k


class CyanideFreeHeap:
    """Compiled glycine or thiosulfate heap (see module docstring)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet, lixiviant: str) -> None:
        self.spec = spec
        self.comps = comps
        self.lixiviant = lixiviant
        self.names = list(spec.tables.get("leach", {}))
        self.idx = [comps.solid_index(s) for s in self.names]
        self.el = {
            m: np.array([float(comps.solids[i].elements.get(m, 0.0)) for i in self.idx])
            for m in ("au", "ag")
        }
        self.metal_aq = {
            m: comps.solution_offset(f"{m}_aq") for m in ("au", "ag") if comps.has(f"{m}_aq")
        }
        self.i_w = comps.solution_offset("water")
        self.sol = solution_slice(comps)
        self.ads = adsorbent_slice(comps)
        self.returns = "solution" in spec.inlets
        p = spec.params
        if lixiviant == "glycine":
            self.reagent = comps.solution_offset("glycine")
            self.oxidant = str(p["oxidant"])
        else:
            self.reagent = comps.solution_offset("s2o3")
            self.i_pt = comps.solution_offset("polythionates")
            self.system = str(p["lixiviant"])
            self.i_cu = comps.solution_offset("cu_aq") if comps.has("cu_aq") else None
            self.i_nh3 = comps.solution_offset("nh3") if comps.has("nh3") else None

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> HeapState:
        """Rate constants [1/d] and ultimate extractions per case, size class and class."""
        n = ctx.n_cases
        if self.lixiviant == "glycine":
            factor = glycine.rate_factor(params, n, self.oxidant)
        else:
            factor = thiosulfate.rate_factor(params, n, self.system == "ammoniacal")
        factor = factor * irrigation_factor(params)
        rep_um = self.comps.sizes.representative_um()
        k = np.empty((n, self.comps.n_cls, len(self.names)))
        ult = np.empty_like(k)
        for d, name in enumerate(self.names):
            k[:, :, d], ult[:, :, d] = size_law(
                rep_um,
                params[f"leach.{name}.k_per_d"] * factor,
                params[f"leach.{name}.ultimate_frac"],
                params["d_ref_mm"] * 1000.0,
                params["k_size_exponent"],
                params["ultimate_size_exponent"],
                n,
            )
        return HeapState(params, k, ult, factor)

    def _reagents(
        self, p: Mapping[str, np.ndarray], applied: np.ndarray, inventory_m3: np.ndarray, n: int
    ) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray], dict[str, np.ndarray]]:
        """Target tenors in the applied solution [t/h] and chemical losses on the pad [t/h]."""
        if self.lixiviant == "glycine":
            c_g_m3 = p["glycine_g_l"] * 1000.0
            lost = p["glycine_loss_per_h"] * c_g_m3 * inventory_m3 / G_PER_T
            return {self.reagent: c_g_m3 * applied / G_PER_T}, {self.reagent: lost}, {}
        from oreflow.kernels.lixiviants import S2O3_G_MOL

        c_g_m3 = p["s2o3_mol_l"] * S2O3_G_MOL * 1000.0
        cu_mm = p["cu_mg_l"] / CU_G_MOL if self.i_cu is not None else np.zeros(n)
        k_d = thiosulfate.degradation_per_h(p, n, cu_mm)
        lost = k_d * c_g_m3 * inventory_m3 / G_PER_T
        targets = {self.reagent: c_g_m3 * applied / G_PER_T}
        if self.i_cu is not None:
            targets[self.i_cu] = p["cu_mg_l"] * applied / G_PER_T
        if self.i_nh3 is not None:
            targets[self.i_nh3] = p["nh3_mol_l"] * NH3_G_MOL * 1000.0 * applied / G_PER_T
        return targets, {self.reagent: lost}, {"s2o3_degradation_per_h": k_d}

    def apply(self, state: HeapState, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Leach the stacked ore; balance water and lixiviant over the pad."""
        from oreflow.kernels.heap_leach import heap_leach_batch

        p, k, ult, factor = state.params, state.k, state.ultimate, state.rate_factor
        c = self.comps
        feed = inlets[0]
        n = feed.shape[0]
        barren = inlets[1] if self.returns else np.zeros_like(feed)
        ore = feed.copy()
        ore[:, : c.n_solids_comp] += barren[:, : c.n_solids_comp]
        ore[:, self.ads] += barren[:, self.ads]
        solids = total_solids(c, ore)
        sv = c.solids_view(ore)
        cycle = p["leach_cycle_d"]
        cells = np.ascontiguousarray(sv[:, :, self.idx])
        dissolved, residue = heap_leach_batch(cells, k, ult, cycle)
        metals = {m: dissolved @ self.el[m] for m in ("au", "ag")}

        # pad geometry, water and the solution held in the heap
        under_leach_t = solids * 24.0 * cycle
        area_m2 = under_leach_t / (p["lift_height_m"] * p["bulk_density_t_m3"])
        returned = barren[:, self.i_w]
        applied = np.maximum(p["irrigation_l_h_m2"] * area_m2 / 1000.0, returned)
        makeup = applied - returned
        evaporated = p["evaporation_frac"] * applied
        available = applied + ore[:, self.i_w] - evaporated
        m_r = p["residue_moisture_frac"]
        residue_w = np.minimum(solids * m_r / (1.0 - m_r), available)
        pls_w = available - residue_w
        holdup = p["holdup_moisture_frac"]
        inventory_m3 = under_leach_t * holdup / (1.0 - holdup)

        # lixiviant made up in the applied solution, lost on the pad
        off = self.sol.start
        pool = ore[:, self.sol] + barren[:, self.sol]
        targets, lost, extra = self._reagents(p, applied, inventory_m3, n)
        added = np.zeros_like(feed)
        added[:, self.i_w] = makeup
        reacted = np.zeros_like(feed)
        applied_solutes = barren[:, self.sol].copy()
        for i, target in targets.items():
            add = np.maximum(target - barren[:, i], 0.0)
            added[:, i] = add
            applied_solutes[:, i - off] += add
            pool[:, i - off] += add
        for i, loss in lost.items():
            loss = np.minimum(loss, np.maximum(pool[:, i - off], 0.0))  # never beyond what is there
            lost[i] = loss
            pool[:, i - off] -= loss
            reacted[:, i] -= loss
        if self.lixiviant == "thiosulfate":  # 2 S2O3 weigh one S4O6: sulfur closes
            pool[:, self.i_pt - off] += lost[self.reagent]
            reacted[:, self.i_pt] += lost[self.reagent]
        for m, i in self.metal_aq.items():
            pool[:, i - off] += metals[m]
            reacted[:, i] += metals[m]
        conc = safe_div(applied_solutes, applied[:, None])  # fmt: skip
        kept = np.clip(conc * residue_w[:, None], 0.0, np.maximum(pool, 0.0))
        kept[:, self.i_w - off] = residue_w
        pls_sol = pool - kept
        pls_sol[:, self.i_w - off] = pls_w
        reacted[:, self.i_w] -= evaporated

        residue_stream = np.zeros_like(feed)
        rv = c.solids_view(residue_stream)
        rv[:] = sv
        rv[:, :, self.idx] = residue
        residue_stream[:, self.sol] = kept
        residue_stream[:, self.ads] = ore[:, self.ads]
        pls = np.zeros_like(feed)
        pls[:, self.sol] = pls_sol
        c.solids_view(reacted)[:, :, self.idx] = residue - cells
        return UnitResult(
            (pls, residue_stream),
            added=added,
            reacted=reacted,
            metrics=self._metrics(p, locals()),
        )

    def _metrics(self, p: Mapping[str, np.ndarray], v: dict[str, Any]) -> dict[str, np.ndarray]:
        solids, cells = v["solids"], v["cells"]
        per_t = safe_div(1000.0, solids)
        au_feed = cells @ self.el["au"]
        au_feed = au_feed.sum(axis=1)
        pls_w = v["pls_w"]
        added, lost = v["added"], v["lost"]
        m: dict[str, np.ndarray] = {
            "leach_cycle_d": v["cycle"].copy(),
            "leach_rate_factor": np.asarray(v["factor"], dtype=np.float64).copy(),
            "stacking_t_d": solids * 24.0,
            "ore_under_leach_t": v["under_leach_t"],
            "area_under_leach_m2": v["area_m2"],
            "applied_solution_m3_h": v["applied"],
            "solution_to_ore_m3_t": safe_div(v["applied"], solids),
            "solution_inventory_m3": v["inventory_m3"],
            "pls_m3_h": pls_w,
            "evaporation_m3_h": v["evaporated"],
            "makeup_water_m3_h": v["makeup"],
            "au_extraction_frac": safe_div(v["metals"]["au"], au_feed),
            "use_lime_kg_h": p["lime_kg_t"] * solids,
            "use_cement_kg_h": p["cement_kg_t"] * solids,
            **{k: np.asarray(val, dtype=np.float64) for k, val in v["extra"].items()},
        }
        if "au" in self.metal_aq:
            m["pls_au_mg_l"] = safe_div(v["pls"][:, self.metal_aq["au"]] * G_PER_T, pls_w)
        r = self.reagent
        name = "glycine" if self.lixiviant == "glycine" else "s2o3"
        m[f"{name}_added_kg_t"] = added[:, r] * per_t
        m[f"{name}_lost_kg_t"] = lost[r] * per_t
        if self.lixiviant == "glycine":
            m["use_glycine_kg_h"] = added[:, r] * 1000.0
            if self.oxidant != "none":
                m[f"use_{self.oxidant}_kg_h"] = p["oxidant_kg_t"] * solids
            m["use_naoh_kg_h"] = p["naoh_kg_t"] * solids
        else:
            from oreflow.kernels import lixiviants as lx

            mw = lx.CAS2O3_G_MOL if self.system == "cats" else lx.AMMONIUM_THIOSULFATE_G_MOL
            word = "cats" if self.system == "cats" else "thiosulfate"
            m[f"use_{word}_kg_h"] = added[:, r] * 1000.0 * mw / lx.S2O3_G_MOL
            if self.i_cu is not None:
                m["use_cuso4_kg_h"] = added[:, self.i_cu] * 1000.0 * CUSO4_5H2O_G_MOL / CU_G_MOL
            if self.i_nh3 is not None:
                m["use_nh3_kg_h"] = added[:, self.i_nh3] * 1000.0
        return m


def _check(lixiviant: str):
    species = {"glycine": ("glycine",), "thiosulfate": ("s2o3", "polythionates")}[lixiviant]

    def check(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
        key = f"units.{spec.name}"
        for name in ("water", "au_aq", *species):
            if not comps.has(name):
                problems.append(
                    Problem(
                        file, key, f"a {spec.type} needs the species {name!r} declared in [case]"
                    )
                )
        for name in spec.tables.get("leach", {}):
            el = comps.solids[comps.solid_index(name)].elements
            if not (el.get("au", 0.0) > 0 or el.get("ag", 0.0) > 0) or any(
                e not in ("au", "ag") for e in el
            ):
                problems.append(
                    Problem(file, f"{key}.leach.{name}", f"{name!r} is not a gold or silver class")
                )
        gold = [s.name for s in comps.solids if s.au_frac > 0]
        missing = [g for g in gold if g not in spec.tables.get("leach", {})]
        if missing:
            problems.append(
                Problem(
                    file, f"{key}.leach", f"no leach kinetics for gold species {', '.join(missing)}"
                )
            )
        if any(
            comps.solids[comps.solid_index(s)].elements.get("ag", 0) > 0
            for s in spec.tables.get("leach", {})
        ) and not comps.has("ag_aq"):
            problems.append(Problem(file, f"{key}.leach", "silver is leached: declare 'ag_aq'"))
        p = spec.params
        if lixiviant == "glycine":
            if p["oxidant"] == "none" and p["oxidant_kg_t"] > 0.0:
                problems.append(
                    Problem(
                        file, f"{key}.oxidant_kg_t", "an oxidant dose is given but oxidant = 'none'"
                    )
                )
        elif p["lixiviant"] == "ammoniacal":
            for name, param in (("cu_aq", "cu_mg_l"), ("nh3", "nh3_mol_l")):
                if p[param] <= 0.0 or not comps.has(name):
                    problems.append(
                        Problem(
                            file,
                            f"{key}.{param}",
                            f"the ammoniacal system needs {param} > 0 and the species {name!r}",
                        )
                    )

    return check


GLYCINE_HEAP_LEACH = UnitType(
    name="glycine_heap_leach",
    reactive=True,
    summary="alkaline glycine heap leach: recovery by size and gold class against the leach "
    "cycle with the glycine rate law (glycine, pH, temperature, oxidant) and irrigation; "
    "glycine made up in the applied solution and lost on the pad",
    inlets=("feed", "solution"),
    optional_inlets=("solution",),
    outlets=("pregnant", "residue"),
    params=GLYCINE_PARAMS,
    tables={"leach": LEACH_TABLE},
    scale_site="heap_leach",
    build=partial(CyanideFreeHeap, lixiviant="glycine"),
    check=_check("glycine"),
    prices={
        "glycine": reagents.GLYCINE,
        "kmno4": reagents.KMNO4,
        "h2o2": reagents.H2O2,
        "naoh": reagents.NAOH,
        "lime": reagents.LIME,
    },
)

THIOSULFATE_HEAP_LEACH = UnitType(
    name="thiosulfate_heap_leach",
    reactive=True,
    summary="thiosulfate heap leach (CaTS or Cu-NH3): recovery by size and gold class against "
    "the leach cycle with the thiosulfate rate law and irrigation; thiosulfate made up in the "
    "applied solution and oxidised to polythionates on the pad",
    inlets=("feed", "solution"),
    optional_inlets=("solution",),
    outlets=("pregnant", "residue"),
    params=THIOSULFATE_PARAMS,
    tables={"leach": LEACH_TABLE},
    scale_site="heap_leach",
    build=partial(CyanideFreeHeap, lixiviant="thiosulfate"),
    check=_check("thiosulfate"),
    prices={
        "thiosulfate": reagents.THIOSULFATE,
        "cats": reagents.CATS,
        "cuso4": reagents.CUSO4,
        "nh3": reagents.NH3,
        "lime": reagents.LIME,
    },
)

UNIT_TYPES = (GLYCINE_HEAP_LEACH, THIOSULFATE_HEAP_LEACH)
