"""Heap leaching of low-grade ore with cyanide (Marsden & House 2006; docs/models.md#heap_leach).

**Recovery against time and crush size.** Ore is stacked at the feed rate in lifts and
irrigated for the leach cycle ``t``. Each parcel leaches as a batch, so per size class
``d`` and leachable species

    R(t) = R∞(d) · (1 − exp(−k(d) t))

with ``k(d) = k_ref min(1, d_ref/d)^a`` and ``R∞(d) = R∞_ref min(1, d_ref/d)^b`` (the
power law of ``oreflow.kernels.leaching.size_dependent_leach_params``, [assumed] form:
gold in coarse particles is less exposed and reached by slower pore diffusion;
published column pairs at two crushes put the exponent of R∞ anywhere from 0.035 to
about 1 by ore (data/testwork/cn_heap_columns_*.csv), so the ore's own columns set it). The stream's size classes carry the crush size, so a finer crush gives more
metal in the fast, high-R∞ classes. Recovery 50-80 % and cycles of 60-120+ d are
typical [L]. The species listed in ``[units.NAME.leach]`` dissolve with the cyanide
chemistry of the CIL (copper minerals, reactive sulfides; see
``oreflow.units.cyanide_chemistry.CyanideChemistry``).

**Irrigation.** Solution reaches the ore only where and as fast as it is applied: the
rate constants of the table (measured at ``kinetics_ref_irrigation_l_h_m2``, the
columns' application rate) are scaled by ``S(q)/S(q_ref)`` with
``S(q) = q/(q + q_half)``: in proportion to the irrigation rate ``q`` when it is low,
independent of it when it is high (``q_half`` = 2 L/(h·m²), form and value [assumed];
heaps are irrigated at 8-12 L/(h·m²) [L], where the factor moves by ±3 %). Time under
leach is the leach cycle (above).

**Cyanide, oxygen, pH and temperature.** The table's rate constants are those of the
column tests, run at ``ref_nacn_mg_l``, ``ref_do_mg_l``, ``ref_ph`` and ``ref_temp_c``;
on the pad they are scaled, as in the CIL (``oreflow.units.cil_kinetics.rate_factor``),
by the Kudryk-Kellogg mixed diffusion rate of cyanide ion and dissolved oxygen at the
applied solution's ``nacn_mg_l``, ``ph`` and ``do_mg_l`` over its value at the columns'
conditions (Kudryk & Kellogg 1954, J. Metals 6:541), and by ``exp(−Ea/R (1/T − 1/Tref))``
(``rate_model = "power"`` for the lumped form of de Andrade Lima & Hodouin 2005,
``"none"`` for the table's k at every strength). Drip-irrigated solution trickles through
an unsaturated bed open to the air, so ``do_mg_l`` defaults to air saturation at 25 °C
(8 mg/L, Benson & Krause 1984) [assumed: no oxygen deficit inside the heap]. Below a
molar ``[CN⁻]/[O₂]`` of about 6 (about 80 mg/L NaCN at 8 mg/L oxygen, pH 10.5) the rate
follows the cyanide; above it the oxygen, so a stronger solution buys little more rate
while its consumption (``nacn_chemical_consumption_kg_t`` per tonne and the copper
minerals) still has to be paid.

**Solution.** The area under leach is ``A = Q 24 t / (H ρ_b)`` (stacking rate, cycle,
lift height, bulk density) and the solution applied ``A x irrigation rate``
(8-12 L/h/m² [L]). Barren solution returned to the ``solution`` inlet is applied first,
topped up with make-up water; a share evaporates. The leached ore leaves drained at
``residue_moisture_frac``, its retained solution at the composition of the applied
(barren) solution, as at the end of a rinse [assumed]; the rest drains as pregnant
solution to carbon columns (``cic``) or Merrill-Crowe. The solution held in the heap
(``solution_inventory_m3``) is the ore under leach at ``holdup_moisture_frac``.

**Cyanide.** The barren solution is made up to ``nacn_mg_l`` before it is applied
(100-500 mg/L [L]); on the pad NaCN is consumed by ``nacn_chemical_consumption_kg_t``
per tonne stacked at the columns' strength, in proportion to the strength (oxidation and
HCN volatilisation are first order in free cyanide [assumed form]), and by the copper minerals and sulfides that dissolve (Marsden & House 2006; docs/models.md#cil), never beyond the cyanide there; a heap uses 0.1-0.5 kg/t [L].

References
----------
J. Marsden and I. House, *The Chemistry of Gold Extraction*, 2nd ed., SME, 2006, ch. 6
(heap leaching practice; no DOI). Marsden & House 2006; docs/models.md#heap_leach [L] for every typical range quoted.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from oreflow.conventions import G_PER_T
from oreflow.core.components import ComponentSet
from oreflow.core.schema import REQUIRED, Param, frac, positive
from oreflow.errors import Problem
from oreflow.kernels.arrays import safe_div
from oreflow.units import reagents
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
from oreflow.units.cil_kinetics import CYANIDATION_PARAMS, rate_factor
from oreflow.units.cyanide_chemistry import (
    DISSOLUTION_PARAMS,
    CyanideChemistry,
    LeachState,
    size_kinetics,
)

HEAP_PARAMS: tuple[Param, ...] = (
    positive(
        "leach_cycle_d",
        "d",
        90.0,
        "irrigation time of each lift (the leach cycle)",
        "60-120+ d [L] Marsden & House 2006; docs/models.md#heap_leach",
        hi=3000.0,
    ),
    positive(
        "irrigation_l_h_m2",
        "L/(h·m²)",
        10.0,
        "solution application rate on the area under leach",
        "8-12 L/h/m² [L] Marsden & House 2006; docs/models.md#heap_leach",
        hi=100.0,
    ),
    positive(
        "lift_height_m",
        "m",
        6.0,
        "height of each lift",
        "5-10 m [L] Marsden & House 2006; docs/models.md#heap_leach",
        hi=50.0,
    ),
    positive(
        "bulk_density_t_m3",
        "t/m³",
        1.7,
        "dry bulk density of the stacked ore",
        "assumed; 1.5-1.9 t/m³ for crushed stacked ore [L] Marsden & House 2006 ch. 6",
        hi=3.0,
    ),
    frac(
        "residue_moisture_frac",
        0.10,
        "moisture (wet basis) of the drained, leached ore leaving the pad",
        "assumed [A]; 8-12 % for drained crushed ore",
        hi=0.5,
    ),
    frac(
        "holdup_moisture_frac",
        0.14,
        "moisture (wet basis) of the ore under irrigation; sets the solution inventory",
        "assumed [A]",
        hi=0.6,
    ),
    frac(
        "evaporation_frac",
        0.03,
        "share of the applied solution lost to evaporation (more on arid sites and with sprinklers)",
        "assumed [A]",
        hi=0.5,
    ),
    Param(
        "nacn_mg_l",
        "mg/L",
        250.0,
        "free cyanide of the applied solution, as NaCN",
        "100-500 mg/L [L] Marsden & House 2006; docs/models.md#heap_leach",
        lo=0.0,
        hi=5000.0,
    ),
    Param(
        "nacn_chemical_consumption_kg_t",
        "kg/t",
        0.15,
        "NaCN destroyed per tonne stacked by what the leach table does not model "
        "(oxidation, volatilisation, natural degradation on the pad) at the strength "
        "ref_nacn_mg_l; in proportion to nacn_mg_l (first order in free cyanide)",
        "assumed; heap totals 0.1-0.5 kg/t [L] Marsden & House 2006; docs/models.md#heap_leach",
        lo=0.0,
        hi=50.0,
    ),
    positive(
        "nacn_per_cu_mol_mol",
        "mol/mol",
        3.5,
        "cyanide consumed per mol of copper dissolved",
        "[S] Marsden & House 2006; docs/models.md#cil (2.70 kg NaCN/kg Cu)",
        hi=6.0,
    ),
    Param(
        "cn_wad_per_cu_mol_mol",
        "mol/mol",
        3.0,
        "cyanide held per mol of dissolved copper in its WAD complex",
        "Cu(CN)3 2- [L] Marsden & House 2006 ch. 6",
        lo=2.0,
        hi=4.0,
    ),
    Param(
        "lime_kg_t",
        "kg/t",
        1.0,
        "lime (CaO) per tonne stacked for protective alkalinity",
        "assumed; 0.5-2 kg/t [L] Marsden & House 2006; docs/models.md#cil",
        lo=0.0,
        hi=100.0,
    ),
    Param(
        "cement_kg_t",
        "kg/t",
        0.0,
        "cement per tonne for agglomeration of clayey or fine ore",
        "assumed; Marsden & House 2006; docs/models.md#heap_leach (agglomerate clayey ore with cement or lime)",
        lo=0.0,
        hi=50.0,
    ),
    positive(
        "irrigation_half_l_h_m2",
        "L/(h·m²)",
        2.0,
        "irrigation rate at which the leach rate is half of its value at ample irrigation",
        "assumed",
        hi=100.0,
    ),
    positive(
        "kinetics_ref_irrigation_l_h_m2",
        "L/(h·m²)",
        10.0,
        "irrigation rate of the column tests that gave the leach table's k",
        "assumed; 8-12 L/h/m² [L] Marsden & House 2006 ch. 6",
        hi=100.0,
    ),
    positive(
        "d_ref_mm",
        "mm",
        2.0,
        "size up to which k and the ultimate extraction keep their stated values",
        "assumed",
        hi=1000.0,
    ),
    Param(
        "k_size_exponent",
        "-",
        1.0,
        "exponent of the fall of k above d_ref_mm",
        "assumed (pore diffusion slows with particle size)",
        lo=0.0,
        hi=5.0,
    ),
    Param(
        "ultimate_size_exponent",
        "-",
        0.3,
        "exponent of the fall of the ultimate extraction above d_ref_mm",
        "assumed; two published column pairs bracket it, so fit the ore's own columns: "
        "Ocampo 0.035 (88 % Au at P80 6.3 mm, 91 % at 1.7 mm), Magino 0.7-1.3 (56 % at "
        "-9.5 mm, 84 % at -1.7 mm), data/testwork/cn_heap_columns_*.csv",
        lo=0.0,
        hi=5.0,
    ),
)

_HEAP_DRIVERS = ("rate_model", "ph", "temp_c", "do_mg_l", "leach_ea_kj_mol", "ref_do_mg_l",
                 "ref_ph", "ref_temp_c", "cn_order", "do_order")  # fmt: skip
HEAP_CYANIDATION_PARAMS: tuple[Param, ...] = (
    *(p for p in CYANIDATION_PARAMS if p.name in _HEAP_DRIVERS),
    positive(
        "ref_nacn_mg_l",
        "mg/L",
        250.0,
        "free cyanide (as NaCN) of the column tests that gave the leach table's k",
        "assumed: the heap's default nacn_mg_l; take it from the column test report",
        hi=2e4,
    ),
)

HEAP_LEACH_TABLE = TableSchema(
    params=(
        positive(
            "k_per_d",
            "1/d",
            REQUIRED,
            "first-order dissolution rate constant at sizes up to d_ref_mm",
            "column leach tests [A]",
            hi=100.0,
        ),
        *DISSOLUTION_PARAMS,
    ),
    key_phase="solid",
    doc="first-order dissolution on the heap of each gold and silver class, and of "
    "cyanide-soluble copper minerals and reactive sulfides",
)


def irrigation_factor(params: Mapping[str, np.ndarray]) -> np.ndarray:
    """Leach rate at the irrigation rate over the rate at the columns' rate (n,)."""
    half = params["irrigation_half_l_h_m2"]
    q, q_ref = params["irrigation_l_h_m2"], params["kinetics_ref_irrigation_l_h_m2"]
    return np.asarray((q / (q + half)) / (q_ref / (q_ref + half)), dtype=np.float64)


def leach_rate_factor(
    spec_params: Mapping[str, object], params: Mapping[str, np.ndarray]
) -> np.ndarray:
    """Leach rate on the pad over the rate of the column tests: irrigation and cyanide (n,)."""
    do_mg_l = np.asarray(params["do_mg_l"], dtype=np.float64)
    return irrigation_factor(params) * rate_factor(spec_params, params, do_mg_l)


class HeapLeach:
    """Compiled heap leach (see module docstring)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.names = list(spec.tables.get("leach", {}))
        self.chem = CyanideChemistry(comps, self.names)
        self.i_w = comps.solution_offset("water")
        self.i_cn = comps.solution_offset("nacn")
        self.i_wad = comps.solution_offset("cn_wad") if comps.has("cn_wad") else None
        self.sol = solution_slice(comps)
        self.ads = adsorbent_slice(comps)
        self.metal_aq = {
            metal: comps.solution_offset(aq)
            for metal, aq in (("au", "au_aq"), ("ag", "ag_aq"), ("cu", "cu_aq"))
            if comps.has(aq)
        }
        self.returns = "solution" in spec.inlets

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> LeachState:
        """Rate constants [1/d] and ultimate extractions per case, size class and species."""
        if not self.names:
            return LeachState(params, None, None)
        laws = (
            params["d_ref_mm"] * 1000.0,
            params["k_size_exponent"],
            params["ultimate_size_exponent"],
        )
        k, ult = size_kinetics(self.spec, self.chem, params, ctx.n_cases, "k_per_d", laws)
        factor = np.broadcast_to(leach_rate_factor(self.spec.params, params), (ctx.n_cases,))
        return LeachState(params, k * factor[:, None, None], ult)

    def apply(self, state: LeachState, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Leach the stacked ore; balance the solution over the pad."""
        from oreflow.kernels.heap_leach import heap_leach_batch
        from oreflow.kernels.leaching import CN_PER_NACN

        p, k, ult = state.params, state.k, state.ultimate
        c = self.comps
        feed = inlets[0]
        n = feed.shape[0]
        barren = inlets[1] if self.returns else np.zeros_like(feed)
        ore = feed.copy()
        ore[:, : c.n_solids_comp] += barren[:, : c.n_solids_comp]  # solids in the barren
        ore[:, self.ads] += barren[:, self.ads]
        solids = total_solids(c, ore)
        sv = c.solids_view(ore)
        idx = self.chem.idx
        cycle = p["leach_cycle_d"]
        if idx:
            cells = np.ascontiguousarray(sv[:, :, idx])
            dissolved, residue = heap_leach_batch(cells, k, ult, cycle)
            products, nacn_parts = self.chem.react(dissolved, p)
        else:
            cells = np.zeros((n, c.n_cls, 0))
            dissolved = np.zeros((n, 0))
            residue = cells
            products = np.zeros_like(feed)
            nacn_parts = {}
        metals = self.chem.metal_tph(dissolved)  # (n, 3) au, ag, cu

        # pad geometry and solution applied
        under_leach_t = solids * 24.0 * cycle
        area_m2 = under_leach_t / (p["lift_height_m"] * p["bulk_density_t_m3"])
        applied_target = p["irrigation_l_h_m2"] * area_m2 / 1000.0
        returned = barren[:, self.i_w]
        applied = np.maximum(applied_target, returned)
        makeup = applied - returned
        evaporated = p["evaporation_frac"] * applied
        m_r = p["residue_moisture_frac"]
        available = applied + ore[:, self.i_w] - evaporated
        residue_w = np.minimum(solids * m_r / (1.0 - m_r), available)
        pls_w = available - residue_w

        # dissolved species: a pool shared by the pregnant solution and the retained moisture
        pool = ore[:, self.sol] + barren[:, self.sol]
        pool = pool.copy()
        off = self.sol.start
        for m, metal in enumerate(("au", "ag", "cu")):
            if metal in self.metal_aq:
                pool[:, self.metal_aq[metal] - off] += metals[:, m]
        pool += products[:, self.sol]
        wad_made = np.zeros(n)
        if self.i_wad is not None:
            per_metal = CyanideChemistry.wad_cn_per_metal(p)
            wad_made = sum(per_metal[m] * metals[:, j] for j, m in enumerate(("au", "ag", "cu")))
            pool[:, self.i_wad - off] += wad_made
        chem_parts = {
            # oxidation and HCN volatilisation are first order in free cyanide: the
            # per-tonne figure holds at the columns' strength and scales with it
            "other": p["nacn_chemical_consumption_kg_t"]
            * (p["nacn_mg_l"] / p["ref_nacn_mg_l"])
            * solids
            / 1000.0,
            **{
                key: nacn_parts.get(key, np.zeros(n))
                for key in ("cu", "scn", "ferrocyanide", "complexation")
            },
        }
        demand = sum(chem_parts.values())
        target = p["nacn_mg_l"] * applied / G_PER_T
        nacn_add = np.maximum(target - barren[:, self.i_cn], 0.0)
        # consumption on the pad, limited by the cyanide there (a starved heap)
        chem = np.minimum(demand, pool[:, self.i_cn - off] + nacn_add)
        scale = safe_div(chem, demand, fill=1.0)
        chem_parts = {key: value * scale for key, value in chem_parts.items()}
        pool[:, self.i_cn - off] += nacn_add - chem
        # the retained moisture holds the applied (barren) composition [assumed]
        applied_solutes = barren[:, self.sol].copy()
        applied_solutes[:, self.i_cn - off] += nacn_add
        conc = safe_div(applied_solutes, applied[:, None])
        kept = np.clip(conc * residue_w[:, None], 0.0, np.maximum(pool, 0.0))
        kept[:, self.i_w - off] = residue_w
        pls_sol = pool - kept
        pls_sol[:, self.i_w - off] = pls_w

        residue_stream = np.zeros_like(feed)
        rv = c.solids_view(residue_stream)
        rv[:] = sv
        if idx:
            rv[:, :, idx] = residue
        residue_stream[:, : c.n_solids_comp] += products[:, : c.n_solids_comp]
        residue_stream[:, self.sol] = kept
        residue_stream[:, self.ads] = ore[:, self.ads]
        pls = np.zeros_like(feed)
        pls[:, self.sol] = pls_sol

        added = np.zeros_like(feed)
        added[:, self.i_w] = makeup
        added[:, self.i_cn] = nacn_add
        reacted = np.zeros_like(feed)
        if idx:
            c.solids_view(reacted)[:, :, idx] = residue - cells
        reacted += products
        for m, metal in enumerate(("au", "ag", "cu")):
            if metal in self.metal_aq:
                reacted[:, self.metal_aq[metal]] += metals[:, m]
        reacted[:, self.i_cn] -= chem
        reacted[:, self.i_w] -= evaporated
        if self.i_wad is not None:
            reacted[:, self.i_wad] += wad_made

        per_t = safe_div(1000.0, solids)
        au_col = [j for j, name in enumerate(self.names) if self.chem.el[j, 0] > 0]
        au_feed_solid = (cells[:, :, au_col] * self.chem.el[au_col, 0]).sum(axis=(1, 2))
        holdup = p["holdup_moisture_frac"]
        metrics: dict[str, np.ndarray] = {
            "leach_cycle_d": cycle.copy(),
            "leach_rate_factor": np.broadcast_to(
                leach_rate_factor(self.spec.params, p), (n,)
            ).copy(),
            "stacking_t_d": solids * 24.0,
            "ore_under_leach_t": under_leach_t,
            "area_under_leach_m2": area_m2,
            "applied_solution_m3_h": applied,
            "solution_to_ore_m3_t": safe_div(applied, solids),
            "solution_inventory_m3": under_leach_t * holdup / (1.0 - holdup),
            "pls_m3_h": pls_w,
            "evaporation_m3_h": evaporated,
            "makeup_water_m3_h": makeup,
            "au_extraction_frac": safe_div(metals[:, 0], au_feed_solid),
            "pls_au_mg_l": safe_div(pls[:, self.metal_aq["au"]] * G_PER_T, pls_w),
            "nacn_added_kg_t": nacn_add * per_t,
            "nacn_consumed_kg_t": chem * per_t,
            "use_nacn_kg_h": nacn_add * 1000.0,
            "use_lime_kg_h": p["lime_kg_t"] * solids,
            "use_cement_kg_h": p["cement_kg_t"] * solids,
            "pls_free_cn_mg_l": safe_div(pls[:, self.i_cn] * G_PER_T * CN_PER_NACN, pls_w),
        }
        for part, value in chem_parts.items():
            metrics[f"nacn_{part}_kg_t"] = value * per_t
        if "ag" in self.metal_aq:
            ag_col = [j for j in range(len(self.names)) if self.chem.el[j, 1] > 0]
            ag_feed = (cells[:, :, ag_col] * self.chem.el[ag_col, 1]).sum(axis=(1, 2))
            metrics["ag_extraction_frac"] = safe_div(metals[:, 1], ag_feed)
        if "cu" in self.metal_aq:
            metrics["cu_dissolved_g_t"] = metals[:, 2] * per_t * 1000.0
        if self.i_wad is not None:
            metrics["pls_wad_cn_mg_l"] = metrics["pls_free_cn_mg_l"] + safe_div(
                pls[:, self.i_wad] * G_PER_T, pls_w
            )
        return UnitResult((pls, residue_stream), added=added, reacted=reacted, metrics=metrics)


def _check(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    for name in ("water", "au_aq", "nacn"):
        if not comps.has(name):
            problems.append(
                Problem(
                    file,
                    f"units.{spec.name}",
                    f"a heap_leach needs the species {name!r} declared in [case]",
                )
            )
    CyanideChemistry.check_table(spec, comps, file, problems)


HEAP_LEACH = UnitType(
    name="heap_leach",
    reactive=True,
    summary="cyanide heap leach of crushed low-grade ore: recovery by size class against the "
    "leach cycle, irrigation area and solution inventory, NaCN; pregnant solution to "
    "cic or merrill_crowe, optional barren-solution return",
    inlets=("feed", "solution"),
    optional_inlets=("solution",),
    outlets=("pregnant", "residue"),
    params=(*HEAP_PARAMS, *HEAP_CYANIDATION_PARAMS),
    tables={"leach": HEAP_LEACH_TABLE},
    build=HeapLeach,
    check=_check,
    kpi_families=("cyanide_leach",),
    prices={"lime": reagents.LIME, "nacn": reagents.NACN},
    scale_site="heap_leach",
)

UNIT_TYPES = (HEAP_LEACH,)
