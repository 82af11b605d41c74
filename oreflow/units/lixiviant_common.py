"""Machinery shared by the cyanide-free leach units (thiosulfate, glycine, halide).

Each of these units is a train of equal, perfectly mixed tanks in which

1. gold (and silver) of every size class and deportment class leaches at first order
   towards an ultimate extraction, ``L_j = L_(j-1) / (1 + k tau_j)``, with k and the
   ultimate falling above a reference size by the power law of
   ``oreflow.kernels.leaching.size_dependent_leach_params`` [assumed form]; this is the
   kinetics of the cyanide CIL (Crundwell & Godorr 1997; Ling et al. 1996; Lima & Hodouin 2005; docs/models.md#cil, model 1) with the lixiviant's own
   constants (``oreflow.kernels.leaching.leach_train_batch``); each unit gives the
   table's k at stated reference conditions and scales it per case by its rate law
   (``oreflow.kernels.lixiviant_rates``: reagent tenors, oxidant, pH, Eh, temperature);
2. the dissolved metal loads onto an adsorbent (activated carbon or a strong-base
   resin) moving counter-current to the pulp, by the Nicol-Fleming rate
   ``dq/dt = k (K C - q)`` solved as the steady-state 2N system of
   ``oreflow.kernels.adsorption.adsorption_train_batch`` (Nicol, Fleming & Cromberge 1984; Fleming et al. 2011, Miner. Eng. 24:484; docs/models.md#cil; the kernels of
   the cyanide CIL, here without site competition or preg-robbing), a model that
   holds for any adsorbent given its own k and K; gold and silver load independently
   (no competition between them for sites is modelled);
3. optionally, base-metal minerals (copper minerals in glycine; sulfides in
   hypochlorite) dissolve at first order per size class, and their elements are routed
   to product species that conserve every audited element: Cu to ``cu_aq``, S to
   ``so4_aq``, As to ``as_aq``, Fe to ``metal_hydroxides`` (precipitated in the size
   class of the mineral) or ``fe_aq``.

Residence time is set (``residence_h``) or follows from the tank volume and the pulp
flow (``tank_volume_m3``). The lixiviant chemistry (reagent tenors, degradation,
oxidant, acid/base) is each unit's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from oreflow.conventions import G_PER_T
from oreflow.core.components import ComponentSet
from oreflow.kernels.arrays import safe_div
from oreflow.units.base import (
    UnitSpec,
    adsorbent_slice,
    solids_volume_m3_h,
    total_solids,
    water,
)
from oreflow.units.lixiviant_params import METALS, metal_frac
from oreflow.units.tanks import (
    require_solution,
    size_law,
    tank_residence,
)


@dataclass
class TrainState:
    """Per-simulation state of a train: per-case parameters and kinetics."""

    params: Mapping[str, np.ndarray]
    k: dict[str, np.ndarray]  # leach species -> (n, n_cls) rate constants
    ult: dict[str, np.ndarray]  # leach species -> (n, n_cls) ultimate extractions
    mineral_k: np.ndarray | None = None  # (n, n_cls, n_min)
    mineral_ult: np.ndarray | None = None
    rate_factor: np.ndarray | None = None  # (n,) k at the case's over the reference conditions


@dataclass
class Pulp:
    """Residence and flows of one call."""

    tau: np.ndarray  # (n, n_tanks) [h]
    tank_m3: np.ndarray  # (n,) [m³]
    solution_m3_h: np.ndarray  # (n,)
    solids_tph: np.ndarray  # (n,)


@dataclass
class TrainOut:
    """Outlets and reports under construction."""

    tails: np.ndarray
    loaded: np.ndarray
    added: np.ndarray
    reacted: np.ndarray
    metrics: dict[str, np.ndarray] = field(default_factory=dict)
    dissolved: dict[str, np.ndarray] = field(default_factory=dict)  # metal -> (n,) t/h


class LeachTrain:
    """Leaching and counter-current adsorption of gold and silver in a tank train.

    Parameters
    ----------
    spec : UnitSpec
        The unit.
    comps : ComponentSet
        Species and size classes.
    ads : str
        Adsorbent species (``"carbon"`` or ``"resin"``); the loaded metal species are
        ``au_<ads>`` and ``ag_<ads>``.
    word : str
        Prefix of the adsorbent parameters (``carbon_g_l``, ``adsorbent_g_l``).
    mineral_table : str or None
        Name of the base-metal dissolution table, if the unit has one.
    routing : Mapping[str, str]
        Product species of each element released by a dissolving mineral.
    """

    def __init__(
        self,
        spec: UnitSpec,
        comps: ComponentSet,
        ads: str,
        word: str,
        mineral_table: str | None = None,
        routing: Mapping[str, str] | None = None,
    ) -> None:
        self.spec = spec
        self.comps = comps
        self.ads = ads
        self.word = word
        self.rep_um = comps.sizes.representative_um()
        self.leach = list(spec.tables["leach"])
        self.leach_idx = [comps.solid_index(s) for s in self.leach]
        self.metal_frac = {
            m: np.array([metal_frac(comps, s, m) for s in self.leach]) for m in METALS
        }
        self.metals = [m for m in METALS if self.metal_frac[m].sum() > 0]
        self.i_water = comps.solution_offset("water")
        self.i_aq = {m: comps.solution_offset(f"{m}_aq") for m in self.metals}
        self.i_ads = comps.adsorbent_offset(ads)
        self.i_loaded = {m: comps.adsorbent_offset(f"{m}_{ads}") for m in self.metals}
        self.ads_slice = adsorbent_slice(comps)
        self.mineral_table = mineral_table
        self.minerals = list(spec.tables.get(mineral_table, {})) if mineral_table else []
        self.mineral_idx = [comps.solid_index(s) for s in self.minerals]
        self.routing = dict(routing or {})

    # -- prepare ------------------------------------------------------------------

    def _size_law(
        self, params: Mapping[str, np.ndarray], k_ref: np.ndarray, u_ref: np.ndarray, n: int
    ) -> tuple[np.ndarray, np.ndarray]:
        return size_law(
            self.rep_um,
            k_ref,
            u_ref,
            params["leach_d_ref_um"],
            params["leach_k_size_exponent"],
            params["leach_ultimate_size_exponent"],
            n,
        )

    def prepare(
        self,
        params: Mapping[str, np.ndarray],
        n: int,
        rate_factor: np.ndarray | None = None,
    ) -> TrainState:
        """Rate constants and ultimate extractions per case and size class.

        ``rate_factor`` (n,) carries the precious-metal rate constants of the leach
        table, measured at the lixiviant's reference conditions, to each case's
        conditions (``oreflow.kernels.lixiviant_rates``); base-metal minerals keep
        their own constants.
        """
        k: dict[str, np.ndarray] = {}
        ult: dict[str, np.ndarray] = {}
        factor = np.ones(n) if rate_factor is None else rate_factor
        for name in self.leach:
            k[name], ult[name] = self._size_law(
                params,
                params[f"leach.{name}.k_per_h"] * factor,
                params[f"leach.{name}.ultimate_frac"],
                n,
            )
        state = TrainState(params, k, ult)
        if self.minerals:
            n_cls = self.comps.n_cls
            mk = np.empty((n, n_cls, len(self.minerals)))
            mu = np.empty_like(mk)
            for d, name in enumerate(self.minerals):
                mk[:, :, d], mu[:, :, d] = self._size_law(
                    params,
                    params[f"{self.mineral_table}.{name}.k_per_h"],
                    params[f"{self.mineral_table}.{name}.ultimate_frac"],
                    n,
                )
            state.mineral_k, state.mineral_ult = mk, mu
        state.rate_factor = rate_factor
        return state

    # -- apply pieces -------------------------------------------------------------

    def pulp(self, state: TrainState, feed: np.ndarray) -> Pulp:
        """Residence time per tank from the set time or from the tank volume."""
        c = self.comps
        params = state.params
        n_tanks = int(self.spec.params["n_tanks"])
        solids = total_solids(c, feed)
        sol = np.ascontiguousarray(water(c, feed))  # one kernel specialisation (C layout)
        require_solution(self.spec, solids, sol)
        pulp_m3_h = solids_volume_m3_h(c, feed) + sol
        tau_tank, tank_m3 = tank_residence(
            params, "residence_h", "tank_volume_m3", n_tanks, pulp_m3_h
        )
        tau = np.repeat(tau_tank[:, None], n_tanks, axis=1)
        return Pulp(tau, tank_m3, sol, solids)

    def begin(
        self, state: TrainState, inlets: tuple[np.ndarray, ...]
    ) -> tuple[np.ndarray, Pulp, TrainOut]:
        """The feed of a one-inlet train, its pulp and the outlets initialised."""
        (feed,) = inlets
        return feed, self.pulp(state, feed), self.start(feed)

    def start(self, feed: np.ndarray) -> TrainOut:
        """Outlets initialised: tails = feed without adsorbent; loaded = feed adsorbent."""
        tails = feed.copy()
        tails[:, self.ads_slice] = 0.0
        loaded = np.zeros_like(feed)
        loaded[:, self.ads_slice] = feed[:, self.ads_slice]
        return TrainOut(tails, loaded, np.zeros_like(feed), np.zeros_like(feed))

    def leach_and_adsorb(
        self,
        state: TrainState,
        pulp: Pulp,
        feed: np.ndarray,
        out: TrainOut,
        k_eq_au: np.ndarray,
        k_eq_ag: np.ndarray,
        k_scale: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        """Leach every precious-metal class, load the metal on the adsorbent.

        ``k_scale`` (per metal, (n,)) multiplies ``adsorption_k_per_h`` of that metal: the
        temperature factors of a carbon train (``oreflow.kernels.carbon_temperature``);
        absent, every metal loads at the table's k.
        """
        from oreflow.kernels import leaching as kl
        from oreflow.kernels.adsorption import adsorption_train_batch

        c = self.comps
        params = state.params
        n = feed.shape[0]
        n_tanks = pulp.tau.shape[1]
        sv_feed = c.solids_view(feed)
        sv_tails = c.solids_view(out.tails)
        sv_react = c.solids_view(out.reacted)
        source = {m: np.zeros((n, n_tanks)) for m in self.metals}
        if self.leach:
            # the kernels of the cyanide CIL: one leach train for every class ...
            metal_in = np.ascontiguousarray(sv_feed[:, :, self.leach_idx])
            leached, residue = kl.leach_train_batch(
                metal_in,
                np.ascontiguousarray(np.stack([state.k[s] for s in self.leach], axis=2)),
                np.ascontiguousarray(np.stack([state.ult[s] for s in self.leach], axis=2)),
                pulp.tau,
            )
            sv_tails[:, :, self.leach_idx] = residue
            sv_react[:, :, self.leach_idx] += residue - metal_in
            for d in range(len(self.leach)):
                for m in self.metals:
                    source[m] += leached[:, :, d] * self.metal_frac[m][d]
        word = self.word
        advance_tph = params[f"{word}_advance_t_d"] / 24.0
        inventory_t = np.repeat(
            (params[f"{word}_g_l"] * pulp.tank_m3 / 1000.0)[:, None], n_tanks, axis=1
        )
        flow = np.where(pulp.solution_m3_h > 0, pulp.solution_m3_h, 1.0)
        barren = {"au": params[f"barren_{word}_au_g_t"], "ag": np.zeros(n)}
        k_eq = {"au": k_eq_au, "ag": k_eq_ag}
        per_t = safe_div(1.0, pulp.solids_tph)
        # ... and one counter-current cascade for every metal, without site competition
        # (infinite capacity) or preg-robbing: each metal loads independently
        metals = self.metals
        feed_tenor = np.zeros((n, len(metals)))
        source_g_h = np.zeros((n, n_tanks, len(metals)))
        barren_g_t = np.zeros((n, len(metals)))
        k_eq_m3_t = np.zeros((n, len(metals)))
        for j, m in enumerate(metals):
            feed_tenor[:, j] = safe_div(feed[:, self.i_aq[m]] * G_PER_T, pulp.solution_m3_h)
            source_g_h[:, :, j] = source[m] * G_PER_T
            barren_g_t[:, j] = barren[m]
            k_eq_m3_t[:, j] = k_eq[m]
        tenor_all, loading_all, _ = adsorption_train_batch(
            flow,
            feed_tenor,
            source_g_h,
            advance_tph,
            barren_g_t,
            inventory_t,
            np.stack(
                [params["adsorption_k_per_h"] * (k_scale or {}).get(m, 1.0) for m in metals],
                axis=1,
            ),
            k_eq_m3_t,
            np.array([{"au": kl.AU_G_MOL, "ag": kl.AG_G_MOL}[m] for m in metals], dtype=float),
            np.full(n, np.inf),
            np.zeros(n),
            np.zeros(n),
            np.zeros(n),
            True,
        )
        for j, m in enumerate(metals):
            i_aq, i_loaded = self.i_aq[m], self.i_loaded[m]
            tenor, loading = tenor_all[:, :, j], loading_all[:, :, j]
            dissolved = source[m].sum(axis=1)
            out.dissolved[m] = dissolved
            adsorbed = advance_tph * (loading[:, 0] - barren[m]) / G_PER_T
            out.tails[:, i_aq] = tenor[:, -1] * pulp.solution_m3_h / G_PER_T
            out.loaded[:, i_loaded] += advance_tph * loading[:, 0] / G_PER_T
            out.added[:, i_loaded] += advance_tph * barren[m] / G_PER_T
            out.reacted[:, i_aq] += dissolved - adsorbed
            out.reacted[:, i_loaded] += adsorbed
            solid_feed = (sv_feed[:, :, self.leach_idx] * self.metal_frac[m]).sum(axis=(1, 2))
            total = solid_feed + feed[:, i_aq]
            out.metrics[f"{m}_leach_extraction_frac"] = safe_div(dissolved, solid_feed)
            out.metrics[f"{m}_to_{self.ads}_frac"] = safe_div(adsorbed, total)
            out.metrics[f"soluble_loss_{m}_mg_l"] = tenor[:, -1].copy()
            out.metrics[f"loaded_{self.ads}_{m}_g_t"] = loading[:, 0].copy()
            residue = (c.solids_view(out.tails)[:, :, self.leach_idx] * self.metal_frac[m]).sum(
                axis=(1, 2)
            )
            out.metrics[f"tails_{m}_gpt"] = residue * G_PER_T * per_t
        out.loaded[:, self.i_ads] += advance_tph
        out.added[:, self.i_ads] += advance_tph
        out.metrics["residence_h"] = pulp.tau.sum(axis=1)
        out.metrics["tank_volume_m3"] = np.asarray(pulp.tank_m3, dtype=np.float64).copy()
        out.metrics[f"use_{self.ads}_kg_h"] = params[f"{word}_loss_g_t"] * pulp.solids_tph / 1e3
        out.metrics["pulp_solids_frac"] = safe_div(
            pulp.solids_tph, pulp.solids_tph + pulp.solution_m3_h, where=pulp.solids_tph > 0
        )
        if state.rate_factor is not None:
            out.metrics["leach_rate_factor"] = state.rate_factor.copy()

    def dissolve_minerals(
        self, state: TrainState, pulp: Pulp, feed: np.ndarray, out: TrainOut
    ) -> dict[str, np.ndarray]:
        """Dissolve the base-metal minerals; route their elements; return element t/h.

        Returns the mass of each element released, (n,) [t/h], for the oxidant,
        acid and reagent budgets of the calling unit, with ``"mineral_<name>"``
        entries giving the mass of each mineral dissolved.
        """
        from oreflow.kernels.leaching import leach_train_batch

        c = self.comps
        n = feed.shape[0]
        released = {e: np.zeros(n) for e in self.routing}
        if not self.minerals:
            return released
        sv_feed = c.solids_view(feed)
        sv_tails = c.solids_view(out.tails)
        sv_react = c.solids_view(out.reacted)
        minerals_in = np.ascontiguousarray(sv_feed[:, :, self.mineral_idx])
        _, residue = leach_train_batch(minerals_in, state.mineral_k, state.mineral_ult, pulp.tau)
        dissolved = minerals_in - residue  # (n, n_cls, n_min)
        for d, name in enumerate(self.minerals):
            idx = self.mineral_idx[d]
            sv_tails[:, :, idx] = residue[:, :, d]
            sv_react[:, :, idx] -= dissolved[:, :, d]
            released[f"mineral_{name}"] = dissolved[:, :, d].sum(axis=1)
        for e in self.routing:
            fr = np.array(
                [float(c.solids[i].elements.get(e, 0.0)) for i in self.mineral_idx], dtype=float
            )
            if not fr.any():
                continue
            by_class = (dissolved * fr).sum(axis=2)  # (n, n_cls) t/h of element
            product = self.routing[e]
            sp = next(s for s in c.species if s.name == product)
            mass = by_class / sp.elements[e]
            if sp.phase == "solid":
                j = c.solid_index(product)
                sv_tails[:, :, j] += mass
                sv_react[:, :, j] += mass
            else:
                i = c.solution_offset(product)
                out.tails[:, i] += mass.sum(axis=1)
                out.reacted[:, i] += mass.sum(axis=1)
            released[e] = by_class.sum(axis=1)
        return released


def hold_tenor(
    feed_tph: np.ndarray, target_tph: np.ndarray, destroyed_tph: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Addition and outlet flow of a reagent held at a target in the outlet solution.

    The reagent is dosed so that what leaves equals the target after ``destroyed_tph``
    has been lost; a feed already richer than that is not diluted.

    Returns
    -------
    added_tph, outlet_tph : (n,) float64
    """
    added = np.maximum(target_tph + destroyed_tph - feed_tph, 0.0)
    return added, feed_tph + added - destroyed_tph


def per_tonne(values_tph: np.ndarray, solids_tph: np.ndarray) -> np.ndarray:
    """t/h of a reagent per t/h of solids, as kg/t."""
    return safe_div(values_tph * 1000.0, solids_tph)


def tenor_g_m3(values_tph: np.ndarray, solution_m3_h: np.ndarray) -> np.ndarray:
    """t/h of a solute in m³/h of solution, as g/m³ = mg/L."""
    return safe_div(values_tph * G_PER_T, solution_m3_h)
