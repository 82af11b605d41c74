"""SAG/AG mill: Austin power, Morrell (or Bond) energy-size relation, survival-function product.

Power (Rowland & Kjos 1980; Austin 1990, Miner. Metall. Process. 7:57; Morrell 1996; docs/models.md#ball_mill): Austin's (1990) net power of the cylindrical section,

    P = K D^2.5 L (1 - A J) [(1 - ε)(ρs/wc) J + 0.6 J_B (ρb - ρs/wc)] φc (1 - 0.1/2^(9 - 10 φc)),

with K recalibrated from a survey through ``austin_k_factor``, or the measured draw
``power_kw``. ``power_model`` chooses instead Hogg & Fuerstenau (Moly-Cop form) or
Morrell's C-model (grate discharge, no slurry pool; oreflow.units.mill_power_models):
the mill then breaks ore with ``grinding_power_kw`` (the power its charge dissipates) and
reports ``net_power_kw``, ``no_load_power_kw`` and ``power_kw`` = motor input.
The specific energy is E = P/Q with Q the mill's solids feed (a pebble
recycle included), so the mill is nonlinear in its feed, as a real SAG mill is.

Transfer size (Morrell 2004; docs/models.md#sag_mill): Morrell's energy-size relation inverted for T80,

    E = 4 Mia (T80^f(T80) - F80^f(F80)),   f(x) = -(0.295 + x/10^6),

with the coarse index Mia (SMC test) down to 750 µm and Mib, or Bond's law with the
ball-mill work index, below it (``oreflow.kernels.grind_size.sag_product_size_um``).
``energy_model = "bond"`` uses Bond's law throughout with ``wi_kwh_t``.

Product size distribution: an energy-size model plus a one-parameter product shape,
chosen over a SAG population balance on purpose. SAG breakage rates and grate
classification are specific to each mill and known only after a survey, whereas Mia
(or a Bond Wi) is standard ore testwork, and what the ball-mill circuit downstream
needs is the transfer size, the fines it brings and the split of each mineral by size.
The product is the feed with a Rosin–Rammler survival function applied to the mass
coarser than every size, ``Q_prod(x) = Q_feed(x) exp(-(x/x63)^n)`` (``survival_product``,
x63 solved so the product P80 is T80): never coarser than the feed, every species
keeps its mass and is broken alike, and zero energy returns the feed. The modulus n
is the fine-end slope of the fragments [assumed default 0.7]. A pebble crusher and
the grate are not modelled; close the mill with a ``screen`` (trommel) and a recycle.

Operating work indices (the mill's efficiency figures; usable as limits like any unit
metric): ``operating_wi_kwh_t`` = E / (10 (1/sqrt(T80) - 1/sqrt(F80))), Bond's law
inverted as Rowland (1976) applies it to autogenous and semi-autogenous circuits, and
``operating_mia_kwh_t`` = E / (4 (T80^f(T80) - F80^f(F80))), Morrell's law inverted
(Morrell 2008), each with its ratio to the laboratory index (``operating_wi_ratio`` to
``wi_kwh_t``, ``operating_mia_ratio`` to ``mia_kwh_t``). Stated basis: E is the power
the mill breaks ore with (Austin's net power, the charge's ``grinding_power_kw`` of
the charge models, or the measured ``power_kw``) per tonne of the mill's solids feed
(a pebble recycle included), F80 that feed's, T80 the discharge's. A mill grinding to
T80 >= 750 µm by Morrell's law shows operating Mia = Mia (ratio 1); by Bond's law,
operating Wi = Wi.

Water is added at the feed to reach ``slurry_solids_frac`` (never removed), the slurry
density Austin's equation is evaluated at. Grinding media: SAG mills wear 10-30 g of
steel per kWh [L]; reported as ``use_media_kg_h``.

References
----------
Austin, L.G. (1990) A mill power equation for SAG mills. Minerals & Metallurgical
Processing 7(1):57–63 [L]. Doll, A. (2013) A comparison of SAG mill power models.
Procemin 2013, Santiago [L].
Morrell, S. (2004) An alternative energy–size relationship to that proposed by Bond for
the design and optimisation of grinding circuits. Int. J. Miner. Process. 74:133–141.
DOI 10.1016/j.minpro.2003.10.002 [L].
Morrell, S. (2008) A method for predicting the specific energy requirement of
comminution circuits and assessing their energy utilisation efficiency. Miner. Eng.
21:224–233 [L] (abstract only read).
Rowland, C.A. (1976) The Bond work index, a tool to measure grinding efficiency. SME-AIME
Fall Meeting, Denver (opening only read: the operating work index for rod, ball,
autogenous and partial-autogenous circuits; W per short ton x 1.102 per metric tonne).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.core.schema import Param, frac, positive
from oreflow.errors import Problem
from oreflow.kernels.arrays import safe_div
from oreflow.units.base import (
    PrepareContext,
    Sizing,
    UnitResult,
    UnitSpec,
    UnitType,
    require_ore_or_work_index,
    solids_volume_m3_h,
    total_solids,
    water,
)
from oreflow.units.media_wear import add_worn_media, steel_index
from oreflow.units.mill_power_models import (
    CHARGE_MODEL_FIGURES,
    CHARGE_MODEL_PARAMS,
    charge_model_power,
    check_charge_model,
)

PARAMS: tuple[Param, ...] = (
    positive(
        "diameter_m",
        "m",
        None,
        "mill diameter inside liners (Austin power)",
        "plant figure",
        hi=15.0,
    ),
    positive(
        "length_m", "m", None, "effective grinding length (Austin power)", "plant figure", hi=20.0
    ),
    frac(
        "total_fill_frac",
        0.28,
        "total charge filling J (rocks and balls) as a fraction of mill volume",
        "0.20-0.35 [L]; Rowland & Kjos 1980; Austin 1990, Miner. Metall. Process. 7:57; Morrell 1996; docs/models.md#ball_mill example 0.28",
        lo=0.05,
        hi=0.5,
    ),
    frac(
        "ball_fill_frac",
        0.12,
        "ball filling J_B as a fraction of mill volume; 0 for an AG mill",
        "SAG 0.04-0.18 [L]; Rowland & Kjos 1980; Austin 1990, Miner. Metall. Process. 7:57; Morrell 1996; docs/models.md#ball_mill example 0.12",
        hi=0.3,
    ),
    frac(
        "critical_speed_frac",
        0.75,
        "mill speed as a fraction of critical speed",
        "SAG mills 0.70-0.80 [L] Rowland & Kjos 1980; Austin 1990, Miner. Metall. Process. 7:57; Morrell 1996; docs/models.md#ball_mill",
        lo=0.5,
        hi=0.95,
    ),
    positive(
        "ore_density_t_m3",
        "t/m³",
        None,
        "ore density in the charge; default: the density of the feed solids",
        "ore testwork",
        hi=10.0,
    ),
    frac(
        "slurry_solids_frac",
        0.75,
        "mass fraction of solids in the mill slurry (Austin's wc); water is added at the feed to reach it",
        "SAG discharge 0.70-0.80 [L]; Rowland & Kjos 1980; Austin 1990, Miner. Metall. Process. 7:57; Morrell 1996; docs/models.md#ball_mill example 0.80",
        lo=0.3,
        hi=0.95,
    ),
    positive(
        "austin_k_factor",
        "kW/m^3.5",
        10.6,
        "Austin's power constant K; recalibrate it to the surveyed power",
        "Austin 1990 [L] Rowland & Kjos 1980; Austin 1990, Miner. Metall. Process. 7:57; Morrell 1996; docs/models.md#ball_mill",
        hi=100.0,
    ),
    Param(
        "power_model",
        "-",
        "austin",
        "mill power from geometry and charge: Austin (1990), Hogg & Fuerstenau (Moly-Cop "
        "form) or Morrell's C-model; the last two also report net, no-load and motor-input "
        "power and break ore with the power the charge dissipates; a measured power_kw "
        "overrides it",
        "Austin 1990; Hogg & Fuerstenau 1972 (Moly-Cop Tools); Morrell 1996",
        kind=str,
        choices=("austin", "hogg_fuerstenau", "morrell"),
    ),
    *CHARGE_MODEL_PARAMS,
    positive(
        "power_kw",
        "kW",
        None,
        "measured mill power draw; overrides the power model",
        "plant figure",
        hi=50000.0,
    ),
    Param(
        "energy_model",
        "-",
        "morrell",
        "energy-size relation giving the transfer size: Morrell (Mia, then Mib or Bond below 750 µm) or Bond",
        "Bond 1952, Trans. AIME 193:484; Rowland & Kjos 1980; Wills & Finch 2016; docs/models.md#ball_mill; Morrell 2004",
        kind=str,
        choices=("morrell", "bond"),
    ),
    positive(
        "mia_kwh_t",
        "kWh/t",
        None,
        "Morrell coarse work index Mia of the ore (SMC test); needed by the morrell model",
        "ore testwork; typically 10-30 kWh/t [L] (Morrell 2004)",
        hi=100.0,
    ),
    positive(
        "mib_kwh_t",
        "kWh/t",
        None,
        "Morrell fine work index Mib, used below 750 µm; default: Bond's law with wi_kwh_t there",
        "ore testwork (Morrell 2008)",
        hi=100.0,
    ),
    positive(
        "wi_kwh_t",
        "kWh/t",
        None,
        "Bond work index for the bond model and below 750 µm; default: rate-weighted Wi of the ores reaching the mill",
        "ore testwork",
        hi=50.0,
    ),
    positive(
        "breakage_modulus",
        "-",
        0.7,
        "modulus n of the survival function exp(-(x/x63)^n): the fine-end slope of the fragments",
        "assumed; Gates-Gaudin-Schuhmann slopes 0.5-1.0 [L] Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd",
        hi=3.0,
    ),
    Param(
        "media_wear_kg_kwh",
        "kg/kWh",
        0.02,
        "grinding-media (steel ball) consumption per kWh drawn",
        "SAG 0.010-0.030 kg/kWh [L] Rowland & Kjos 1980; Austin 1990, Miner. Metall. Process. 7:57; Morrell 1996; docs/models.md#ball_mill",
        lo=0.0,
        hi=1.0,
    ),
)


def operating_indices(
    energy_kwh_t: np.ndarray,
    f80_um: np.ndarray,
    t80_um: np.ndarray,
    wi_kwh_t: np.ndarray,
    mia_kwh_t: np.ndarray | None,
) -> dict[str, np.ndarray]:
    """Operating work indices of a tumbling (SAG/AG) mill on one stated energy basis.

    ``operating_wi_kwh_t`` (Bond's law inverted, Rowland 1976) and ``operating_mia_kwh_t``
    (Morrell's law inverted, Morrell 2008) from the specific energy the mill breaks ore
    with, per tonne of mill feed, from the feed F80 to the discharge T80; each with its
    ratio to the laboratory index the mill is given (NaN where there is none).
    """
    # Imported here, as the mill's other kernels: the jitted laws load with the first apply.
    from oreflow.kernels.comminution_energy import bond_operating_work_index_kwh_t
    from oreflow.kernels.operating_index import morrell_operating_index_kwh_t

    ground = t80_um < f80_um
    wi_op = np.where(ground, bond_operating_work_index_kwh_t(energy_kwh_t, f80_um, t80_um), np.nan)
    mia_op = morrell_operating_index_kwh_t(energy_kwh_t, f80_um, t80_um)
    mia = np.full_like(energy_kwh_t, np.nan) if mia_kwh_t is None else mia_kwh_t
    return {
        "operating_wi_kwh_t": wi_op,
        "operating_wi_ratio": safe_div(wi_op, wi_kwh_t, fill=np.nan),
        "operating_mia_kwh_t": mia_op,
        "operating_mia_ratio": safe_div(mia_op, mia, fill=np.nan),
    }


class SagState(NamedTuple):
    """What a SAG mill prepares once per simulation."""

    params: Mapping[str, np.ndarray]
    wi_kwh_t: np.ndarray  # Bond ball-mill work index the mill uses


class SagMill:
    """Compiled SAG/AG mill (see module docstring)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.edges = comps.sizes.edges()
        self.bond = spec.params["energy_model"] == "bond"
        self.i_water = comps.solution_offset("water")
        self.steel = steel_index(comps)  # worn media as ``steel`` (oreflow.units.media_wear)

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> SagState:
        """Per-case parameters and the Bond Wi the mill uses."""
        if self.bond or "mib_kwh_t" not in params:  # wired to no ore: input error
            require_ore_or_work_index(self.spec, params, ctx)
        wi = params.get("wi_kwh_t", ctx.feed_wi_kwh_t)
        # per case: a case no ore reaches (its sources at 0 t/h) has no work index (NaN)
        # and grinds nothing (its transfer size is NaN, so the product is its feed: at
        # most the media the mill wears); the batch's other cases keep their own ore's
        return SagState(params, np.broadcast_to(np.asarray(wi, dtype=np.float64), (ctx.n_cases,)))

    def _power_kw(
        self, params: Mapping[str, np.ndarray], feed: np.ndarray
    ) -> tuple[np.ndarray, dict[str, np.ndarray] | None]:
        """Power the mill breaks ore with [kW], and the charge-model figures (or None)."""
        from oreflow.kernels.mill_power import (
            AUSTIN_SAG_BED_POROSITY,
            STEEL_DENSITY_T_M3,
            austin_sag_power_kw,
        )

        if "power_kw" in params:
            return np.asarray(params["power_kw"], dtype=np.float64).copy(), None
        n = feed.shape[0]
        if "ore_density_t_m3" in params:
            rho = params["ore_density_t_m3"]
        else:
            vol = solids_volume_m3_h(self.comps, feed)
            rho = safe_div(total_solids(self.comps, feed), vol, fill=2.7)
        model = self.spec.params["power_model"]
        if model != "austin":
            keys = ("diameter_m", "length_m", "critical_speed_frac")
            keys += tuple(p.name for p in CHARGE_MODEL_PARAMS)
            figures = {k: np.empty(n) for k in CHARGE_MODEL_FIGURES}
            for i in range(n):
                f = charge_model_power(
                    model,
                    {k: float(params[k][i]) for k in keys},
                    fill_frac=float(params["total_fill_frac"][i]),
                    ball_fill_frac=float(params["ball_fill_frac"][i]),
                    ore_density_t_m3=float(rho[i]),
                    slurry_solids_frac=float(params["slurry_solids_frac"][i]),
                    overflow=False,
                )
                for k in CHARGE_MODEL_FIGURES:
                    figures[k][i] = f[k]
            return figures["grinding_power_kw"].copy(), figures
        power = np.empty(n)
        for i in range(n):
            power[i] = austin_sag_power_kw(
                float(params["diameter_m"][i]),
                float(params["length_m"][i]),
                float(params["total_fill_frac"][i]),
                float(params["ball_fill_frac"][i]),
                float(params["critical_speed_frac"][i]),
                float(rho[i]),
                float(params["slurry_solids_frac"][i]),
                # positional: a keyword argument sends every call through numba's
                # dispatcher in Python (about 1 ms a call, 500 cases x 9 passes)
                STEEL_DENSITY_T_M3,
                AUSTIN_SAG_BED_POROSITY,
                float(params["austin_k_factor"][i]),
            )
        return power, None

    def apply(self, state: SagState, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Grind to the transfer size the specific energy gives; add feed water."""
        from oreflow.kernels.grind_size import (
            bond_product_size_um,
            grind_to_p80_batch,
            sag_product_size_um,
        )
        from oreflow.kernels.psd import passing_size_batch

        params, wi = state.params, state.wi_kwh_t
        (feed,) = inlets
        c = self.comps
        n = feed.shape[0]
        q = total_solids(c, feed)
        power, figures = self._power_kw(params, feed)
        energy = safe_div(power, q)
        solids = np.ascontiguousarray(c.solids_view(feed))
        f80 = passing_size_batch(self.edges, np.ascontiguousarray(solids.sum(axis=2)), 0.8)
        t80 = np.empty(n)
        mib = params.get("mib_kwh_t", np.full(n, math.nan))
        for i in range(n):
            if self.bond:
                t80[i] = bond_product_size_um(float(energy[i]), float(f80[i]), float(wi[i]))
            else:
                t80[i] = sag_product_size_um(
                    float(energy[i]),
                    float(f80[i]),
                    float(params["mia_kwh_t"][i]),
                    float(mib[i]),
                    float(wi[i]),
                )
        product, x63 = grind_to_p80_batch(solids, self.edges, t80, params["breakage_modulus"])
        out = feed.copy()
        c.solids_view(out)[:] = product
        w = params["slurry_solids_frac"]
        add = np.maximum(q * (1.0 - w) / w - water(c, feed), 0.0)
        added = np.zeros_like(feed)
        added[:, self.i_water] = add
        out[:, self.i_water] += add
        reacted = out - feed - added
        metrics = {
            "power_kw": power,
            "mill_feed_tph": q,
            "specific_energy_kwh_t": energy,
            "f80_um": f80,
            "t80_um": t80,
            "product_p80_um": passing_size_batch(
                self.edges, np.ascontiguousarray(product.sum(axis=2)), 0.8
            ),
            "survival_x63_um": x63,
            "water_added_tph": add,
            "use_media_kg_h": power * params["media_wear_kg_kwh"],
        }
        metrics.update(operating_indices(energy, f80, t80, wi, params.get("mia_kwh_t")))
        if figures is not None:
            # power_kw is what the grid supplies; ore breaks with grinding_power_kw
            metrics["power_kw"] = figures["motor_input_kw"]
            metrics["use_media_kg_h"] = figures["motor_input_kw"] * params["media_wear_kg_kwh"]
            for k in CHARGE_MODEL_FIGURES[:-1]:
                metrics[k] = figures[k]
        worn = add_worn_media(out, self.steel, metrics["use_media_kg_h"])
        if worn is not None:
            added = added + worn
            reacted = out - feed - added
        return UnitResult((out,), added=added, reacted=reacted, metrics=metrics)


def _check(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    key = f"units.{spec.name}"
    p = spec.params
    if p.get("power_kw") is None and (p.get("diameter_m") is None or p.get("length_m") is None):
        problems.append(
            Problem(
                file, f"{key}.diameter_m", "give diameter_m and length_m (or the measured power_kw)"
            )
        )
    if p["ball_fill_frac"] > p["total_fill_frac"]:
        problems.append(
            Problem(
                file,
                f"{key}.ball_fill_frac",
                f"ball filling {p['ball_fill_frac']:g} exceeds the total filling {p['total_fill_frac']:g}",
            )
        )
    problems.extend(check_charge_model(p, key, file))
    if p["energy_model"] == "morrell" and p.get("mia_kwh_t") is None:
        problems.append(
            Problem(file, f"{key}.mia_kwh_t", "missing: the morrell model needs Mia (SMC test)")
        )


SAG_MILL = UnitType(
    name="sag_mill",
    summary="SAG/AG mill: Austin power, Morrell/Bond transfer size T80, survival-function product PSD",
    inlets=("feed",),
    outlets=("discharge",),
    params=PARAMS,
    build=SagMill,
    check=_check,
    grinding=True,
    requires=("water",),
    sizing=Sizing(
        "metric", curve="grinding_mill", item="mill", metric="power_kw", basis="drawn power"
    ),
)

UNIT_TYPES = (SAG_MILL,)
