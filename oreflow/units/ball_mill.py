"""Ball mill: Austin matrix population balance in the specific-energy form.

Model (Austin, Klimpel & Luckie 1984; Whiten 1974; Herbst & Fuerstenau 1980; docs/models.md#ball_mill; Austin, Klimpel & Luckie 1984, *Process Engineering of Size
Reduction: Ball Milling*, SME; Herbst & Fuerstenau 1980, Int. J. Miner. Process.
7:1-31, doi:10.1016/0301-7516(80)90034-X):

- selection function ``S_i^E = a (x_i / 1 mm)^alpha / (1 + (x_i / mu)^Lambda)`` [t/kWh]
  at the upper size of each class (``selection_size = "geometric_mean"``: at the geometric
  mean of its edges, the Moly-Cop Tools convention), zero in the sink; specific-energy scale-up
  ``S_i tau = S_i^E E`` with ``E = P / Q`` the mill power per tonne of mill feed
  (circulating load included) [kWh/t];
- normalised Austin breakage function ``B_ij = phi (x_i/x_j)^gamma + (1-phi)(x_i/x_j)^beta``;
- residence-time distribution: ``n_mixers`` equal perfect mixers in series.

Ore hardness enters through the Bond work index: the selection parameters are stated
for an ore of ``selection_wi_ref_kwh_t``, and an ore of work index Wi breaks at
``S^E Wi_ref / Wi``. This is Bond's proportionality of energy to Wi at a given
reduction (Bond 1961, Brit. Chem. Eng. 6:378) applied to the rate constants [assumed
coupling; exact where Bond's law holds].

Mill power. ``power_model = "bond_rowland"`` (default): pinion power from geometry and
charge by Bond/Rowland (Rowland & Kjos 1980; Austin 1990, Miner. Metall. Process. 7:57; Morrell 1996; docs/models.md#ball_mill;
Rowland & Kjos 1980, in *Mineral Processing Plant Design*, SME), x1.16 for grate
discharge, unless ``power_kw`` gives the measured draw; the mill grinds with it and
reports it as ``power_kw``. ``"hogg_fuerstenau"`` (Moly-Cop form) and ``"morrell"``
(C-model) compute the power from the charge (oreflow.units.mill_power_models): the mill
grinds with ``grinding_power_kw`` (the power the charge dissipates), reports
``net_power_kw``, ``slurry_pool_power_kw``, ``no_load_power_kw`` and takes ``power_kw`` =
motor input (Morrell: no-load + k x net; Hogg & Fuerstenau: net / drive efficiency).

Circuit figures (oreflow.solvers.unit_figures; usable as limits): fresh feed F80 and
circuit product P80 around the mill's recycle block, circulating load, and the operating
work index Wi_op = E / (10 (1/sqrt(P80) - 1/sqrt(F80))) on two stated bases, E per
tonne of fresh feed: ``operating_wi_kwh_t`` on the power that breaks ore (Bond/Rowland
pinion power, Rowland's basis, or the charge's ``grinding_power_kw``), with
``operating_wi_ratio`` = Wi_op / Wi; ``operating_wi_drawn_kwh_t`` on ``power_kw``, the
power drawn (motor input for the charge-based models), the basis a power meter gives.

Default selection and breakage parameters are [assumed]: they sit in the ranges of
Austin, Klimpel & Luckie 1984; Whiten 1974; Herbst & Fuerstenau 1980; docs/models.md#ball_mill (alpha 0.6-1.5, mu 1-5 mm, Lambda 2-5, phi 0.4-0.7, gamma 0.5-1.5,
beta 2.5-5) and give a Bond-consistent closed circuit for a Wi 14 kWh/t ore; calibrate
them to a plant survey.

Gravity-recoverable gold (optional, default off): with ``grg_loss_frac`` = h > 0, that
fraction of the ``au_grg`` leaving the mill is turned into ``au_free`` in each size
class, the loss of gravity recoverability per mill pass of Laplante's standardised GRG test; docs/models.md#gravity [assumed
structure after Laplante & Gray 2005]; gold is conserved.

Media wear: the mill reports the steel it consumes, ``use_media_kg_h`` = drawn power x
``media_wear_kg_kwh``. Where the case declares the solid species ``steel`` (worn ball
steel, ``oreflow.core.formulas.STEEL_FORMULA``), that steel enters the discharge as an
addition (``UnitResult.added``), in the finest size class [assumed: wear debris and its
oxide are fines], so that iron, carbon and manganese close with it and it leaves with the
residue; it is a fixed source per case (it follows the power, not the feed), which the
closed-circuit solver takes through ``discharge_source``. Without ``steel`` the wear is
priced only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.errors import CaseError, Problem
from oreflow.kernels.arrays import safe_div, unique_rows
from oreflow.units.ball_mill_params import (
    CHARGE_MODEL_KEYS,
    PARAMS,
    charge_power_figures,
    mill_power_kw,
)
from oreflow.units.base import (
    PrepareContext,
    Sizing,
    UnitResult,
    UnitSpec,
    UnitType,
    solids_volume_m3_h,
    total_solids,
    water,
)
from oreflow.units.media_wear import steel_index
from oreflow.units.mill_power_models import CHARGE_MODEL_FIGURES, check_charge_model


class MillState(NamedTuple):
    """What a ball mill prepares once per simulation, (n_cases,) arrays unless stated."""

    selection_t_kwh: np.ndarray  # (n_cases, n_cls) Austin selection function at the ore's Wi
    power_kw: np.ndarray
    wi_kwh_t: np.ndarray
    media_wear_kg_kwh: np.ndarray
    grg_loss_frac: np.ndarray
    volume_m3: np.ndarray | None  # mill volume inside liners (None: no geometry given)
    fill_frac: np.ndarray  # ball charge filling
    figures: dict[str, np.ndarray] | None = None  # charge-model powers (power_model)
    wear_tph: np.ndarray | None = None  # steel worn into the pulp (a ``steel`` species declared)
    #: the state's last grind, [(feed solids as bits, product solids)] (see ``BallMill._grind``):
    #: a fresh list per ``prepare``, dropped with the state at the end of a simulation; None
    #: keeps nothing
    last_grind: list[tuple[np.ndarray, np.ndarray]] | None = None


class BallMill:
    """Compiled ball mill (see module docstring)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        from oreflow.kernels.ball_mill_pbm import austin_breakage_matrix

        self.spec = spec
        self.comps = comps
        p = spec.params
        self.b = austin_breakage_matrix(
            comps.sizes.edges(),
            float(p["breakage_phi"]),
            float(p["breakage_gamma"]),
            float(p["breakage_beta"]),
        )
        self.n_mixers = int(p["n_mixers"])
        self.charge_model = p["power_model"] != "bond_rowland"
        self.power_kw = mill_power_kw(p) if not self.charge_model else math.nan
        # GRG that loses gravity recoverability in the mill (Laplante's standardised GRG test; docs/models.md#gravity's h)
        self.grg = (
            (comps.solid_index("au_grg"), comps.solid_index("au_free"))
            if comps.has("au_grg") and comps.has("au_free")
            else None
        )
        # worn media enters the finest class of the discharge as ``steel`` where the case
        # declares it (oreflow.units.media_wear)
        self.steel = steel_index(comps)

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> MillState:
        """Selection function per case and class [t/kWh], and mill power [kW]."""
        from oreflow.kernels.ball_mill_pbm import austin_selection

        for name in ("breakage_phi", "breakage_gamma", "breakage_beta"):
            if np.any(params[name] != self.spec.params[name]):
                problem = Problem(
                    self.spec.file,
                    f"units.{self.spec.name}.{name}",
                    "the breakage function is one per mill: it cannot vary between cases",
                )
                raise CaseError([problem])
        sizes = self.comps.sizes
        # the size each class's rate is evaluated at (the sink's rate is set to 0 below)
        if self.spec.params["selection_size"] == "upper":
            at_um = sizes.edges()
        else:
            at_um = sizes.representative_um()
        sel = np.stack(
            [
                params[k]
                for k in (
                    "selection_a_t_kwh",
                    "selection_alpha",
                    "selection_mu_mm",
                    "selection_lambda",
                )
            ],
            axis=1,
        )
        distinct, inverse = unique_rows(sel)
        table = np.stack([austin_selection(at_um, *map(float, row)) for row in distinct])
        table[:, -1] = 0.0  # the sink does not break
        s_e = table[inverse.reshape(-1)]  # (n_cases, n_cls)
        wi = params.get("wi_kwh_t")
        if wi is None:
            wi = ctx.feed_wi_kwh_t
        # per case: a case no ore reaches (every source feeding the mill at 0 t/h) takes
        # the reference hardness; the other cases of its batch keep their own ore's
        wi = np.where(np.isfinite(wi), wi, params["selection_wi_ref_kwh_t"])
        hardness = params["selection_wi_ref_kwh_t"] / wi
        figures = None
        if "specific_energy_kwh_t" in params:
            # an intensive duty: the power follows the ore throughput (optimization modes)
            ore_tph = ctx.feed_ore_tph if ctx.feed_ore_tph is not None else np.zeros(ctx.n_cases)
            power = params["specific_energy_kwh_t"] * ore_tph
        elif "power_kw" in params:
            power = params["power_kw"]
        elif self.charge_model:
            figures = self._charge_figures(params, ctx.n_cases)
            power = figures["grinding_power_kw"]
        else:
            geometry = (
                "diameter_m",
                "length_m",
                "ball_fill_frac",
                "critical_speed_frac",
                "ball_top_mm",
                "ball_bulk_density_t_m3",
            )
            rows = np.stack([params[k] for k in geometry], axis=1)
            nominal = np.array([float(self.spec.params[k]) for k in geometry])
            if np.all(rows == nominal):
                power = np.full(ctx.n_cases, self.power_kw)
            else:  # geometry varied per case: Bond/Rowland power of each distinct mill
                distinct, inverse = np.unique(rows, axis=0, return_inverse=True)
                kw = [
                    mill_power_kw(
                        {**self.spec.params, **dict(zip(geometry, map(float, r), strict=True))}
                    )
                    for r in distinct
                ]
                power = np.asarray(kw)[inverse.reshape(-1)]
        s_case = s_e * hardness[:, None]  # (n_cases, n_cls)
        volume = None
        if "diameter_m" in params and "length_m" in params:
            volume = np.pi / 4.0 * params["diameter_m"] ** 2 * params["length_m"]
        wear = None
        if self.steel is not None:
            drawn = power if figures is None else figures["motor_input_kw"]
            wear = np.broadcast_to(drawn * params["media_wear_kg_kwh"] / 1000.0, (ctx.n_cases,))
        return MillState(
            s_case,
            power,
            wi,
            params["media_wear_kg_kwh"],
            params["grg_loss_frac"],
            volume,
            params["ball_fill_frac"],
            figures,
            wear,
            [],
        )

    def _charge_figures(self, params: Mapping[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
        """Charge-model powers per case (one evaluation per distinct mill)."""
        rows = np.stack([np.broadcast_to(params[k], (n,)) for k in CHARGE_MODEL_KEYS], axis=1)
        distinct, inverse = unique_rows(rows)
        table = []
        for r in distinct:
            values = {
                **self.spec.params,
                **dict(zip(CHARGE_MODEL_KEYS, map(float, r), strict=True)),
            }
            f = charge_power_figures(values)
            table.append([f[k] for k in CHARGE_MODEL_FIGURES])
        by_case = np.asarray(table)[inverse.reshape(-1)]
        return {k: by_case[:, i].copy() for i, k in enumerate(CHARGE_MODEL_FIGURES)}

    def fixed_feed_form(
        self, state: MillState
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, tuple[int, int, np.ndarray] | None]:
        """The mill as a closed-circuit solver takes it (``oreflow.kernels.closed_circuit``).

        At a fixed feed solids rate the mill is linear and lower triangular in size, each
        species apart: selection function (n_cases, n_cls) [t/kWh], power (n_cases,) [kW],
        breakage matrix and mixers in series; last, where gravity gold turns into free
        gold (``grg_loss_frac`` > 0), ``(i_grg, i_free, grg_loss_frac)``, else None.
        """
        transfer = None
        if self.grg is not None and np.any(state.grg_loss_frac > 0.0):
            frac = np.ascontiguousarray(state.grg_loss_frac, dtype=np.float64)
            transfer = (self.grg[0], self.grg[1], frac)
        power = np.ascontiguousarray(state.power_kw, dtype=np.float64)
        return np.ascontiguousarray(state.selection_t_kwh), power, self.b, self.n_mixers, transfer

    def discharge_source(self, state: MillState) -> np.ndarray | None:
        """Solids the mill adds to its discharge whatever its feed [t/h].

        The worn media (``steel``), (n_cases, n_cls, n_solid); None without it. The
        closed-circuit solver adds it to the fixed-feed form's discharge.
        """
        if state.wear_tph is None:
            return None
        out = np.zeros((state.wear_tph.shape[0], self.comps.n_solids_comp))
        out[:, self.steel] = state.wear_tph
        return out.reshape(-1, self.comps.n_cls, self.comps.n_solid)

    def _grind(
        self, state: MillState, feed: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Mill product, feed solids [t/h] and energy per pass [kWh/t].

        The product's solids depend on the feed's solids and the state alone (water and
        solution pass through): a call with the same state and the same feed solids,
        bit for bit, as the last one takes the last product's solids instead of
        grinding again. That last grind is kept on the state (``MillState.last_grind``),
        never on the mill: it goes when the simulation drops its states. Inside a
        closed circuit the solver holds the solids while it sets the water
        (``solvers.closed_circuit.start_with_solids``): its three passes, the last
        of them also the final one, then grind once.
        """
        from oreflow.kernels.ball_mill_pbm import mill_mixers_into

        s_case, power = state.selection_t_kwh, state.power_kw
        c = self.comps
        q = total_solids(c, feed)
        energy = safe_div(power, q)
        bits = feed[:, : c.n_solids_comp].view(np.uint64)
        last = state.last_grind
        if last and np.array_equal(last[0][0], bits):
            out = feed.copy()
            out[:, : c.n_solids_comp] = last[0][1]
            return out, q, energy
        # one rate per case and class, read through a broadcast view for every species
        rate_tau = np.broadcast_to(
            (s_case * energy[:, None])[:, :, None], (*s_case.shape, c.n_solid)
        )
        out = feed.copy()
        product_solids = c.solids_view(out)
        # one compiled layout (C) whatever the batch: the solids block of more than one
        # case is a strided view, of one case a contiguous one
        feed_solids = np.ascontiguousarray(c.solids_view(feed))
        if product_solids.flags.c_contiguous:
            mill_mixers_into(product_solids, feed_solids, rate_tau, self.b, self.n_mixers)
        else:
            ground = np.empty_like(feed_solids)
            mill_mixers_into(ground, feed_solids, rate_tau, self.b, self.n_mixers)
            product_solids[...] = ground
        if self.grg is not None:
            i_grg, i_free = self.grg
            lost = product_solids[:, :, i_grg] * state.grg_loss_frac[:, None]
            product_solids[:, :, i_grg] -= lost
            product_solids[:, :, i_free] += lost
        if state.wear_tph is not None:
            out[:, self.steel] += state.wear_tph
        if last is not None:
            last[:] = [(bits.copy(), out[:, : c.n_solids_comp].copy())]
        return out, q, energy

    def apply_outlets(
        self, state: MillState, inlets: tuple[np.ndarray, ...]
    ) -> tuple[np.ndarray, ...]:
        """The discharge only, as ``apply`` computes it (inside recycle loops)."""
        return (self._grind(state, inlets[0])[0],)

    def apply(self, state: MillState, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Grind the feed at the energy the mill power gives per tonne of feed."""
        power, wi, media = state.power_kw, state.wi_kwh_t, state.media_wear_kg_kwh
        volume, fill = state.volume_m3, state.fill_frac
        (feed,) = inlets
        out, q, energy = self._grind(state, feed)
        metrics = {
            "power_kw": power.copy(),
            "mill_feed_tph": q,
            "energy_per_pass_kwh_t": energy,
            "feed_wi_kwh_t": np.asarray(wi, dtype=np.float64).copy(),
            "use_media_kg_h": power * media,
            "charge_filling_frac": np.asarray(fill, dtype=np.float64).copy(),
        }
        if state.figures is not None:
            # power_kw is what the grid supplies; the mill grinds with grinding_power_kw
            metrics["power_kw"] = state.figures["motor_input_kw"].copy()
            metrics["use_media_kg_h"] = metrics["power_kw"] * media
            for k in CHARGE_MODEL_FIGURES[:-1]:
                metrics[k] = state.figures[k].copy()
        if volume is not None:
            slurry_m3_h = solids_volume_m3_h(self.comps, feed) + water(self.comps, feed)
            # slurry volume flow per m³ of mill (an extensive figure: it scales with feed)
            metrics["slurry_m3_h_per_m3"] = slurry_m3_h / volume
        added = None
        if state.wear_tph is not None:
            added = np.zeros_like(out)
            added[:, self.steel] = state.wear_tph
            return UnitResult((out,), added=added, reacted=out - feed - added, metrics=metrics)
        return UnitResult((out,), reacted=out - feed, metrics=metrics)


def _check(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    p = spec.params
    if p.get("power_kw") is not None and p.get("specific_energy_kwh_t") is not None:
        problems.append(
            Problem(
                file,
                f"units.{spec.name}.specific_energy_kwh_t",
                "give power_kw or specific_energy_kwh_t, not both",
            )
        )
    if (
        p.get("power_kw") is None
        and p.get("specific_energy_kwh_t") is None
        and (p.get("diameter_m") is None or p.get("length_m") is None)
    ):
        problems.append(
            Problem(
                file,
                f"units.{spec.name}.diameter_m",
                "give diameter_m and length_m (or the measured power_kw)",
            )
        )
    problems.extend(check_charge_model(p, f"units.{spec.name}", file))
    if p["grg_loss_frac"] > 0 and not (comps.has("au_grg") and comps.has("au_free")):
        problems.append(
            Problem(
                file,
                f"units.{spec.name}.grg_loss_frac",
                "turns au_grg into au_free: declare both solid species in [case]",
            )
        )


BALL_MILL = UnitType(
    name="ball_mill",
    summary="Austin population-balance ball mill, specific-energy selection, Bond/Rowland power",
    inlets=("feed",),
    outlets=("discharge",),
    params=PARAMS,
    build=BallMill,
    check=_check,
    grinding=True,
    circuit=True,
    sizing=Sizing(
        "metric", curve="grinding_mill", item="mill", metric="power_kw", basis="drawn power"
    ),
)

UNIT_TYPES = (BALL_MILL,)
