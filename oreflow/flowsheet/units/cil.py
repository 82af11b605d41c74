"""Carbon-in-leach train: first-order leaching per size and gold class, counter-current carbon.

Leaching (MODELS.md §5.2, model 1): in each tank, a perfect mixer, the leachable gold of
every size class and deportment class leaches first order towards an ultimate
extraction, ``L_j = L_(j-1) / (1 + k tau_j)``; both k and the ultimate fall as particles
coarsen (liberation and diffusion; Marsden & House 2006, *The Chemistry of Gold
Extraction*, 2nd ed., SME, ch. 6) by the power law of
``oreflow.kernels.leaching.size_dependent_leach_params`` [assumed form]. First-order
kinetics make the segregated and micromixed tank trains identical, so per-tank
solution of the rate is exact.

Adsorption (MODELS.md §5.5): Nicol-Fleming rate ``dq/dt = k (K C - q)`` (Nicol, Fleming
& Cromberge 1984, J. S. Afr. IMM 84:50, 84:70) in every tank; carbon moves against the
slurry (barren carbon into the last tank, loaded carbon out of the first), which makes
the steady state a 2N linear system per case. The dissolved gold left in the last tank
leaves with the tailings solution: the soluble loss.

Cyanide: free cyanide is held at ``nacn_mg_l`` (as NaCN) in the pulp. The addition is
the chemical consumption (oxidation to cyanate, complexation by Cu/Fe/Zn, thiocyanate,
HCN loss; ``nacn_chemical_consumption_kg_t``) plus what raises the feed solution to the
set tenor; the free cyanide leaving with the tails solution is the soluble part of the
cyanide bill (MODELS.md §5.3).

Residence time is either set (``residence_h``) or follows from the live tank volume and
the pulp flow (``tank_volume_m3``), which makes the unit nonlinear in its feed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from oreflow.conventions import G_PER_T
from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.components import ComponentSet
from oreflow.flowsheet.schema import REQUIRED, Param, frac, positive
from oreflow.flowsheet.units.base import (
    PrepareContext,
    TableSchema,
    UnitResult,
    UnitSpec,
    UnitType,
    solids_volume_m3_h,
    total_solids,
    water,
)

PARAMS: tuple[Param, ...] = (
    Param(
        "n_tanks",
        "-",
        6,
        "number of equal tanks in series",
        "6-8 [L] MODELS.md §5.1",
        kind=int,
        lo=1,
        hi=20,
    ),
    positive(
        "residence_h",
        "h",
        None,
        "total slurry residence time of the train (or give tank_volume_m3)",
        "24-48 h [L] MODELS.md §5.1",
        hi=500.0,
    ),
    positive(
        "tank_volume_m3",
        "m³",
        None,
        "live volume of each tank; residence then follows the pulp flow",
        "plant figure",
        hi=1e5,
    ),
    Param(
        "nacn_mg_l",
        "mg/L",
        300.0,
        "free cyanide held in the pulp solution, as NaCN",
        "150-500 mg/L [L] MODELS.md §5.1",
        lo=0.0,
        hi=5000.0,
    ),
    Param(
        "nacn_chemical_consumption_kg_t",
        "kg/t",
        0.25,
        "NaCN destroyed per tonne of solids (cyanate, complexes, SCN, HCN)",
        "assumed; free-milling totals 0.3-1.0 kg/t [L] MODELS.md §5.1, §5.3",
        lo=0.0,
        hi=50.0,
    ),
    positive(
        "carbon_g_l",
        "g/L",
        15.0,
        "carbon concentration in the pulp of each tank",
        "10-25 g/L [L] Marsden & House 2006 ch. 7",
        hi=100.0,
    ),
    Param(
        "carbon_advance_t_d",
        "t/d",
        5.0,
        "carbon moved counter-current per day",
        "assumed; MODELS.md §5.5 example 6 t/d",
        lo=0.0,
        hi=1000.0,
    ),
    Param(
        "barren_carbon_au_g_t",
        "g/t",
        50.0,
        "gold left on eluted carbon returned to the last tank",
        "25-100 g/t [L] MODELS.md §5.6",
        lo=0.0,
        hi=10000.0,
    ),
    positive(
        "adsorption_k_per_h",
        "1/h",
        0.015,
        "Nicol-Fleming adsorption rate constant",
        "assumed; 0.005-0.05 [A] MODELS.md §5.5",
        hi=10.0,
    ),
    positive(
        "adsorption_k_eq_m3_t",
        "m³/t",
        1.0e4,
        "Nicol-Fleming pseudo-equilibrium constant K",
        "assumed; 1e3-1e5 [A] MODELS.md §5.5",
        hi=1e7,
    ),
    positive(
        "leach_d_ref_um",
        "µm",
        75.0,
        "size up to which k and the ultimate extraction keep their stated values",
        "assumed",
        hi=10000.0,
    ),
    Param(
        "leach_k_size_exponent",
        "-",
        0.5,
        "exponent of the fall of k above leach_d_ref_um",
        "assumed",
        lo=0.0,
        hi=5.0,
    ),
    Param(
        "leach_ultimate_size_exponent",
        "-",
        0.15,
        "exponent of the fall of the ultimate extraction above leach_d_ref_um",
        "assumed",
        lo=0.0,
        hi=5.0,
    ),
    Param(
        "lime_kg_t",
        "kg/t",
        1.0,
        "lime (CaO) per tonne of solids to hold pH 10.5-11",
        "0.5-2 kg/t for free-milling ore [L] MODELS.md §5.3",
        lo=0.0,
        hi=100.0,
    ),
    Param(
        "carbon_loss_g_t",
        "g/t",
        30.0,
        "carbon lost as fines per tonne of solids (made up with fresh carbon)",
        "20-50 g/t [L] MODELS.md §5.6",
        lo=0.0,
        hi=1000.0,
    ),
)

LEACH_TABLE = TableSchema(
    params=(
        positive(
            "k_per_h",
            "1/h",
            REQUIRED,
            "first-order leach rate constant at sizes up to leach_d_ref_um",
            "testwork; 0.1-0.5 1/h [A/L] MODELS.md §5.2",
            hi=100.0,
        ),
        frac(
            "ultimate_frac",
            REQUIRED,
            "extraction at infinite time, at sizes up to leach_d_ref_um",
            "diagnostic leach testwork",
        ),
    ),
    key_phase="solid",
    doc="leach kinetics of each gold deportment class",
    gold_only=True,
)


class CilTrain:
    """Compiled CIL train (see module docstring)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.n_tanks = int(spec.params["n_tanks"])
        self.gold = [comps.solid_index(name) for name in spec.tables["leach"]]
        self.rep_um = comps.sizes.representative_um()
        self.i_water = comps.solution_offset("water")
        self.i_au = comps.solution_offset("au_aq")
        self.i_cn = comps.solution_offset("nacn")
        self.i_c = comps.adsorbent_offset("carbon")
        self.i_auc = comps.adsorbent_offset("au_carbon")

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """Rate constants and ultimate extractions per case, size and gold class."""
        from oreflow.kernels.leaching import size_dependent_leach_params

        n, n_cls, n_dep = ctx.n_cases, self.comps.n_cls, len(self.gold)
        k = np.empty((n, n_cls, n_dep))
        ult = np.empty((n, n_cls, n_dep))
        for d, name in enumerate(self.spec.tables["leach"]):
            k_ref = params[f"leach.{name}.k_per_h"]
            u_ref = params[f"leach.{name}.ultimate_frac"]
            for i in range(n):
                k[i, :, d], ult[i, :, d] = size_dependent_leach_params(
                    self.rep_um,
                    float(k_ref[i]),
                    float(u_ref[i]),
                    float(params["leach_d_ref_um"][i]),
                    float(params["leach_k_size_exponent"][i]),
                    float(params["leach_ultimate_size_exponent"][i]),
                )
        return params, k, ult

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Leach, adsorb, and dose cyanide."""
        from oreflow.kernels.leaching import carbon_cascade_batch, cil_leach_batch

        params, k, ult = state
        (feed,) = inlets
        c = self.comps
        n = feed.shape[0]
        solids = total_solids(c, feed)
        sol_m3_h = water(c, feed)
        if np.any((sol_m3_h <= 0.0) & (solids > 0.0)):
            problem = Problem(
                self.spec.file,
                f"units.{self.spec.name}",
                "the leach is fed no solution (water 0 t/h); add water upstream",
            )
            raise CaseError([problem])
        pulp_m3_h = solids_volume_m3_h(c, feed) + sol_m3_h
        if "tank_volume_m3" in params:
            tank_m3 = params["tank_volume_m3"]
            tau_tank = np.divide(tank_m3, pulp_m3_h, out=np.zeros(n), where=pulp_m3_h > 0)
        else:
            tau_tank = params["residence_h"] / self.n_tanks
            tank_m3 = tau_tank * pulp_m3_h
        tau = np.repeat(tau_tank[:, None], self.n_tanks, axis=1)

        sv = c.solids_view(feed)
        gold_in = np.ascontiguousarray(sv[:, :, self.gold])
        leached, residue = cil_leach_batch(gold_in, k, ult, tau)
        carbon_tph = params["carbon_advance_t_d"] / 24.0
        carbon_per_tank = np.repeat(
            (params["carbon_g_l"] * tank_m3 / 1000.0)[:, None], self.n_tanks, axis=1
        )
        feed_tenor = np.divide(
            feed[:, self.i_au] * G_PER_T, sol_m3_h, out=np.zeros(n), where=sol_m3_h > 0
        )
        tenor, loading = carbon_cascade_batch(
            sol_m3_h,
            feed_tenor,
            leached * G_PER_T,
            carbon_tph,
            params["barren_carbon_au_g_t"],
            carbon_per_tank,
            params["adsorption_k_per_h"],
            params["adsorption_k_eq_m3_t"],
        )
        q_in = params["barren_carbon_au_g_t"]
        adsorbed = carbon_tph * (loading[:, 0] - q_in) / G_PER_T  # t/h Au onto carbon

        tails = feed.copy()
        c.solids_view(tails)[:, :, self.gold] = residue
        tails[:, c.n_solids_comp + len(c.solution) :] = 0.0
        tails[:, self.i_au] = tenor[:, -1] * sol_m3_h / G_PER_T
        chem = params["nacn_chemical_consumption_kg_t"] * solids / 1000.0
        target = params["nacn_mg_l"] * sol_m3_h / G_PER_T
        nacn_add = np.maximum(chem + target - feed[:, self.i_cn], 0.0)
        tails[:, self.i_cn] = feed[:, self.i_cn] + nacn_add - chem
        carbon = np.zeros_like(feed)
        carbon[:, self.i_c] = carbon_tph
        carbon[:, self.i_auc] = carbon_tph * loading[:, 0] / G_PER_T
        carbon[:, self.i_c] += feed[
            :, self.i_c
        ]  # carbon arriving with the feed joins the loaded carbon
        carbon[:, self.i_auc] += feed[:, self.i_auc]

        added = np.zeros_like(feed)
        added[:, self.i_c] = carbon_tph
        added[:, self.i_auc] = carbon_tph * q_in / G_PER_T
        added[:, self.i_cn] = nacn_add
        reacted = np.zeros_like(feed)
        c.solids_view(reacted)[:, :, self.gold] = residue - gold_in
        reacted[:, self.i_au] = leached.sum(axis=1) - adsorbed
        reacted[:, self.i_auc] = adsorbed
        reacted[:, self.i_cn] = -chem

        gold_feed = gold_in.sum(axis=(1, 2))
        au_total = gold_feed + feed[:, self.i_au]
        per_t = np.divide(1000.0, solids, out=np.zeros(n), where=solids > 0)
        metrics = {
            "residence_h": tau.sum(axis=1),
            "tank_volume_m3": np.asarray(tank_m3, dtype=np.float64).copy(),
            "au_leach_extraction_frac": np.divide(
                leached.sum(axis=1), gold_feed, out=np.zeros(n), where=gold_feed > 0
            ),
            "au_to_carbon_frac": np.divide(adsorbed, au_total, out=np.zeros(n), where=au_total > 0),
            "soluble_loss_au_mg_l": tenor[:, -1].copy(),
            "loaded_carbon_au_g_t": loading[:, 0].copy(),
            "nacn_added_kg_t": nacn_add * per_t,
            "use_nacn_kg_h": nacn_add * 1000.0,
            "use_lime_kg_h": params["lime_kg_t"] * solids,
            "use_carbon_kg_h": params["carbon_loss_g_t"] * solids / 1000.0,
            "nacn_consumed_kg_t": chem * per_t,
            "tails_au_gpt": np.divide(
                residue.sum(axis=(1, 2)) * G_PER_T, solids, out=np.zeros(n), where=solids > 0
            ),
            "pulp_solids_frac": np.divide(
                solids, solids + sol_m3_h, out=np.zeros(n), where=solids > 0
            ),
        }
        return UnitResult((tails, carbon), added=added, reacted=reacted, metrics=metrics)


def _check(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    key = f"units.{spec.name}"
    p = spec.params
    if (p.get("residence_h") is None) == (p.get("tank_volume_m3") is None):
        problems.append(
            Problem(file, f"{key}.residence_h", "give exactly one of residence_h or tank_volume_m3")
        )
    for name in ("water", "au_aq", "nacn", "carbon", "au_carbon"):
        if not comps.has(name):
            problems.append(
                Problem(file, key, f"a cil needs the species {name!r} declared in [case]")
            )
    gold = [s.name for s in comps.solids if s.au_frac > 0]
    missing = [g for g in gold if g not in spec.tables.get("leach", {})]
    if missing:
        problems.append(
            Problem(
                file, f"{key}.leach", f"no leach kinetics for gold species {', '.join(missing)}"
            )
        )


CIL = UnitType(
    name="cil",
    summary="carbon-in-leach tanks in series: first-order leach by size and gold class, Nicol-Fleming carbon, cyanide",
    inlets=("feed",),
    outlets=("tails", "loaded_carbon"),
    params=PARAMS,
    tables={"leach": LEACH_TABLE},
    build=CilTrain,
    check=_check,
)
