"""Parameters of the ball mill, and its power from them (``oreflow.units.ball_mill``).

The declarations of every case key of a ``ball_mill`` (geometry, charge, selection and
breakage functions, power model, gravity-recoverable gold) with their sources, and the
mill power at the case's parameters: Bond/Rowland pinion power from geometry and charge
(Rowland & Kjos 1980, in *Mineral Processing Plant Design*, SME; x1.16 for grate
discharge) unless the measured draw is given, or a charge-based power model
(``oreflow.units.mill_power_models``). The equations are in the ball mill's module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oreflow.core.schema import Param, frac, positive
from oreflow.units.mill_power_models import CHARGE_MODEL_PARAMS, charge_model_power

GRATE_DISCHARGE_POWER_FACTOR = 1.16  # Rowland & Kjos 1980; Austin 1990, Miner. Metall. Process. 7:57; Morrell 1996; docs/models.md#ball_mill, Rowland & Kjos (1980) [L]

PARAMS: tuple[Param, ...] = (
    positive("diameter_m", "m", None, "mill diameter inside liners", "plant figure", hi=12.0),
    positive("length_m", "m", None, "effective grinding length", "plant figure", hi=20.0),
    frac(
        "ball_fill_frac",
        0.35,
        "fraction of mill volume filled by the ball charge",
        "0.30-0.45 [L] Rowland & Kjos 1980; Austin 1990, Miner. Metall. Process. 7:57; Morrell 1996; docs/models.md#ball_mill",
        lo=0.05,
        hi=0.5,
    ),
    frac(
        "critical_speed_frac",
        0.75,
        "mill speed as a fraction of critical speed",
        "ball mills 0.65-0.80 [L] Rowland & Kjos 1980; Austin 1990, Miner. Metall. Process. 7:57; Morrell 1996; docs/models.md#ball_mill",
        lo=0.3,
        hi=0.95,
    ),
    positive(
        "ball_top_mm",
        "mm",
        65.0,
        "top ball size (slump term of Bond's power)",
        "typical 50-90 mm [L]",
        hi=150.0,
    ),
    positive(
        "ball_bulk_density_t_m3",
        "t/m³",
        4.65,
        "bulk density of the steel ball charge",
        "Rowland & Kjos 1980; Austin 1990, Miner. Metall. Process. 7:57; Morrell 1996; docs/models.md#ball_mill [L]",
        hi=8.0,
    ),
    Param(
        "discharge",
        "-",
        "overflow",
        "discharge arrangement (Bond/Rowland: grate draws x1.16 power; Morrell: an "
        "overflow mill carries a slurry pool)",
        "Rowland & Kjos 1980; Austin 1990, Miner. Metall. Process. 7:57; Morrell 1996; docs/models.md#ball_mill [L]",
        kind=str,
        choices=("overflow", "grate"),
    ),
    Param(
        "power_model",
        "-",
        "bond_rowland",
        "mill power from geometry and charge: Bond/Rowland pinion power, Hogg & Fuerstenau "
        "(Moly-Cop form) or Morrell's C-model; the last two also report net, no-load and "
        "motor-input power and grind with the power the charge dissipates; a measured "
        "power_kw or specific_energy_kwh_t overrides it",
        "Rowland & Kjos 1980; Hogg & Fuerstenau 1972 (Moly-Cop Tools); Morrell 1996",
        kind=str,
        choices=("bond_rowland", "hogg_fuerstenau", "morrell"),
    ),
    positive(
        "ore_density_t_m3",
        "t/m³",
        2.7,
        "ore density in the charge (hogg_fuerstenau and morrell power models)",
        "ore testwork; 2.7 [assumed]",
        hi=10.0,
    ),
    frac(
        "slurry_solids_frac",
        0.70,
        "mass fraction of solids in the mill slurry (hogg_fuerstenau and morrell power models)",
        "ball-mill discharge 0.65-0.75 [L]; 0.70 [assumed]",
        lo=0.3,
        hi=0.9,
    ),
    *CHARGE_MODEL_PARAMS,
    positive(
        "power_kw",
        "kW",
        None,
        "measured mill power draw; overrides the geometric model",
        "plant figure",
        hi=50000.0,
    ),
    Param(
        "n_mixers",
        "-",
        3,
        "perfect mixers in series for the residence-time distribution",
        "Austin, Klimpel & Luckie 1984; Whiten 1974; Herbst & Fuerstenau 1980; docs/models.md#ball_mill (3 recommended)",
        kind=int,
        lo=1,
        hi=20,
    ),
    Param(
        "selection_size",
        "-",
        "upper",
        "size each class's selection function is evaluated at: its upper size (Austin's "
        "convention) or the geometric mean of its edges, sqrt(x_i x_i+1) (Moly-Cop Tools); "
        "calibrated selection parameters hold only in the convention they were fitted in",
        "Austin, Klimpel & Luckie 1984 (upper); Sepúlveda, Moly-Cop Tools BallSim (mean)",
        kind=str,
        choices=("upper", "geometric_mean"),
    ),
    positive(
        "selection_a_t_kwh",
        "t/kWh",
        0.8,
        "specific selection function at 1 mm, S^E(1 mm)/(1/(1+(1/mu)^Lambda))",
        "assumed (calibrate to a survey)",
        hi=100.0,
    ),
    positive(
        "selection_alpha",
        "-",
        1.0,
        "slope of the selection function",
        "assumed; 0.6-1.5 [L] Austin, Klimpel & Luckie 1984; Whiten 1974; Herbst & Fuerstenau 1980; docs/models.md#ball_mill",
        hi=3.0,
    ),
    positive(
        "selection_mu_mm",
        "mm",
        3.0,
        "size where the fall-off factor is 1/2",
        "assumed; 1-5 mm for 50-75 mm balls [L]",
        hi=50.0,
    ),
    positive(
        "selection_lambda",
        "-",
        2.5,
        "fall-off exponent above mu",
        "assumed; 2-5 [L] Austin, Klimpel & Luckie 1984; Whiten 1974; Herbst & Fuerstenau 1980; docs/models.md#ball_mill",
        hi=10.0,
    ),
    frac(
        "breakage_phi",
        0.6,
        "fraction of fines produced in one breakage step",
        "assumed; 0.4-0.7 [L] Austin, Klimpel & Luckie 1984; Whiten 1974; Herbst & Fuerstenau 1980; docs/models.md#ball_mill",
        lo_open=True,
    ),
    positive(
        "breakage_gamma",
        "-",
        1.0,
        "fine-end slope of the breakage function",
        "assumed; 0.5-1.5 [L] Austin, Klimpel & Luckie 1984; Whiten 1974; Herbst & Fuerstenau 1980; docs/models.md#ball_mill",
        hi=5.0,
    ),
    positive(
        "breakage_beta",
        "-",
        4.0,
        "coarse-end slope of the breakage function",
        "assumed; 2.5-5 [L] Austin, Klimpel & Luckie 1984; Whiten 1974; Herbst & Fuerstenau 1980; docs/models.md#ball_mill",
        hi=10.0,
    ),
    positive(
        "selection_wi_ref_kwh_t",
        "kWh/t",
        14.0,
        "Bond Wi of the ore the selection parameters describe",
        "assumed (the ore of the calibration survey)",
        hi=50.0,
    ),
    positive(
        "wi_kwh_t",
        "kWh/t",
        None,
        "Bond ball-mill work index of the feed; default: rate-weighted Wi of the ores reaching the mill",
        "ore testwork",
        hi=50.0,
    ),
    positive(
        "design_p80_um",
        "µm",
        None,
        "circuit product P80 for the Bond design check (Bond + Rowland energy vs mill power)",
        "design basis",
        hi=10000.0,
    ),
    Param(
        "media_wear_kg_kwh",
        "kg/kWh",
        0.06,
        "grinding-media (steel ball) consumption per kWh drawn",
        "ball mills 0.04-0.08 kg/kWh [L]; 0.060 default [A] Rowland & Kjos 1980; Austin 1990, Miner. Metall. Process. 7:57; Morrell 1996; docs/models.md#ball_mill",
        lo=0.0,
        hi=1.0,
    ),
    frac(
        "grg_loss_frac",
        0.0,
        "fraction of the gravity-recoverable gold (au_grg) fed to the mill that stops being "
        "gravity recoverable per pass (flattened, ground fine), becoming au_free; 0 = off",
        "h of Laplante's standardised GRG test; docs/models.md#gravity (ex05 uses 0.20) [A]",
    ),
    positive(
        "specific_energy_kwh_t",
        "kWh/t",
        None,
        "mill power per tonne of ore reaching the mill (fresh feed), overriding power_kw and "
        "the geometry: the intensive setting an optimizer varies (installed power is then a "
        "constraint)",
        "plant figure or optimization mode",
        hi=200.0,
    ),
)


def mill_power_kw(params: Mapping[str, Any]) -> float:
    """Pinion power from geometry and charge [kW] (or the measured draw)."""
    from oreflow.kernels.mill_power import bond_ball_mill_power_kw

    if params.get("power_kw") is not None:
        return float(params["power_kw"])
    p = bond_ball_mill_power_kw(
        float(params["diameter_m"]),
        float(params["length_m"]),
        float(params["ball_fill_frac"]),
        float(params["critical_speed_frac"]),
        float(params["ball_top_mm"]),
        float(params["ball_bulk_density_t_m3"]),
    )
    if params["discharge"] == "grate":
        p *= GRATE_DISCHARGE_POWER_FACTOR
    return float(p)


def charge_power_figures(params: Mapping[str, Any]) -> dict[str, float]:
    """Grinding, net, no-load and motor-input power [kW] by a charge-based ``power_model``.

    The ball charge is the whole charge (J = J_B); an overflow mill carries Morrell's
    slurry pool. See ``oreflow.units.mill_power_models``.
    """
    fill = float(params["ball_fill_frac"])
    return charge_model_power(
        str(params["power_model"]),
        params,
        fill_frac=fill,
        ball_fill_frac=fill,
        ore_density_t_m3=float(params["ore_density_t_m3"]),
        slurry_solids_frac=float(params["slurry_solids_frac"]),
        overflow=params["discharge"] == "overflow",
    )


#: Per-case parameters a charge-based power model reads.
CHARGE_MODEL_KEYS = (
    "diameter_m",
    "length_m",
    "ball_fill_frac",
    "critical_speed_frac",
    "ore_density_t_m3",
    "slurry_solids_frac",
    *(p.name for p in CHARGE_MODEL_PARAMS),
)
