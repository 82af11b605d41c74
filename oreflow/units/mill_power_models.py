"""Charge-based mill power models a tumbling mill may choose: Hogg & Fuerstenau, Morrell C.

Shared by the ball and SAG mills (``power_model``). Each model gives, for one mill:

- ``grinding_power_kw``: power dissipated by the grinding charge, the power that breaks
  ore (the mill's population balance or energy-size relation uses it);
- ``net_power_kw``: power at the mill shell (Morrell: charge plus the slurry pool of an
  overflow mill, whose weight helps turn the mill, so net < grinding there);
- ``no_load_power_kw``: Morrell's empty-mill power (0 where the model has none);
- ``motor_input_kw``: power drawn from the grid, the mill's ``power_kw`` figure that
  costs and plant power add up. Morrell: no-load + k x net (k = 1.26, Morrell 1996);
  Hogg & Fuerstenau: net / ``drive_efficiency_frac``.

Equations and sources: ``oreflow.kernels.charge_power``; docs/models.md#ball_mill.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oreflow.core.schema import Param, frac, positive
from oreflow.errors import Problem

WATER_DENSITY_T_M3 = 1.0

#: Parameters of the charge-based models, declared once for both mills.
CHARGE_MODEL_PARAMS: tuple[Param, ...] = (
    positive(
        "lift_angle_deg",
        "°",
        35.0,
        "lift angle of the charge (Hogg & Fuerstenau power)",
        "30-40°, 35° typical [L] (Hogg & Fuerstenau 1972; Moly-Cop Tools)",
        hi=60.0,
    ),
    frac(
        "charge_porosity_frac",
        0.4,
        "porosity of the ball/rock bed of the charge (charge-based power models)",
        "0.40 [L] (Morrell 1996; Moly-Cop Tools)",
        lo=0.2,
        hi=0.6,
    ),
    frac(
        "interstitial_slurry_frac",
        1.0,
        "fraction of the bed voids filled with slurry (charge-based power models)",
        "voids full of slurry at steady grinding [assumed]",
    ),
    positive(
        "ball_density_t_m3",
        "t/m³",
        7.75,
        "density of the grinding balls (charge-based power models)",
        "forged steel 7.75-7.85 [L]",
        hi=10.0,
    ),
    positive(
        "morrell_k_factor",
        "-",
        1.26,
        "Morrell's calibration factor k of gross = no-load + k x net",
        "1.26 for industrial mills (Morrell 1996, Trans. IMM C 105:C54) [L]",
        hi=3.0,
    ),
    Param(
        "cone_length_m",
        "m",
        0.0,
        "length of the cone ends inside liners (Morrell power); 0 for flat ends",
        "plant figure",
        lo=0.0,
        hi=5.0,
    ),
    Param(
        "trunnion_diameter_m",
        "m",
        0.0,
        "trunnion diameter inside liners (Morrell: cone-end power; an overflow mill's slurry "
        "pool stands at its lip); 0 takes a quarter of the mill diameter",
        "plant figure; 0.25 x diameter [assumed]",
        lo=0.0,
        hi=5.0,
    ),
    frac(
        "drive_efficiency_frac",
        0.93,
        "motor input to mill shell efficiency of the drive (Hogg & Fuerstenau power)",
        "[assumed] motor ~0.96 x gear and pinion ~0.97; Morrell's k carries its own losses",
        lo=0.5,
        lo_open=True,
    ),
)


def charge_model_power(
    model: str,
    p: Mapping[str, Any],
    *,
    fill_frac: float,
    ball_fill_frac: float,
    ore_density_t_m3: float,
    slurry_solids_frac: float,
    overflow: bool,
) -> dict[str, float]:
    """Grinding, net, no-load and motor-input power [kW] of one mill by ``model``.

    ``p`` holds the mill's geometry and the ``CHARGE_MODEL_PARAMS`` (floats).
    """
    from oreflow.kernels.charge_power import (
        hogg_fuerstenau_net_power_kw,
        molycop_charge_density_t_m3,
        morrell_charge_density_t_m3,
        morrell_gross_power_kw,
        morrell_net_power_kw,
        morrell_no_load_power_kw,
    )

    d, length = float(p["diameter_m"]), float(p["length_m"])
    phi = float(p["critical_speed_frac"])
    porosity = float(p["charge_porosity_frac"])
    u = float(p["interstitial_slurry_frac"])
    rho_b = float(p["ball_density_t_m3"])
    wc = slurry_solids_frac
    solids_vol = (wc / ore_density_t_m3) / (wc / ore_density_t_m3 + (1.0 - wc))
    rho_slurry = solids_vol * ore_density_t_m3 + (1.0 - solids_vol) * WATER_DENSITY_T_M3
    if model == "hogg_fuerstenau":
        rho = molycop_charge_density_t_m3(
            fill_frac, ball_fill_frac, rho_b, ore_density_t_m3, rho_slurry, porosity, u
        )
        net = hogg_fuerstenau_net_power_kw(
            d, length, phi, fill_frac, rho, float(p["lift_angle_deg"])
        )
        return {
            "grinding_power_kw": net,
            "net_power_kw": net,
            "slurry_pool_power_kw": 0.0,
            "no_load_power_kw": 0.0,
            "motor_input_kw": net / float(p["drive_efficiency_frac"]),
        }
    if model != "morrell":
        msg = f"unknown charge power model {model!r}"
        raise ValueError(msg)
    rho_c = morrell_charge_density_t_m3(
        fill_frac, ball_fill_frac, ore_density_t_m3, rho_b, porosity, u, solids_vol
    )
    cone = float(p["cone_length_m"])
    charge, pool = morrell_net_power_kw(
        d,
        length,
        phi,
        fill_frac,
        rho_c,
        rho_slurry,
        overflow,
        cone,
        float(p["trunnion_diameter_m"]),
    )
    net = charge + pool
    no_load = morrell_no_load_power_kw(d, length, phi, cone)
    return {
        "grinding_power_kw": charge,
        "net_power_kw": net,
        "slurry_pool_power_kw": pool,
        "no_load_power_kw": no_load,
        "motor_input_kw": morrell_gross_power_kw(net, no_load, float(p["morrell_k_factor"])),
    }


#: Names of the figures ``charge_model_power`` returns, in report order.
CHARGE_MODEL_FIGURES = (
    "grinding_power_kw",
    "net_power_kw",
    "slurry_pool_power_kw",
    "no_load_power_kw",
    "motor_input_kw",
)


def check_charge_model(params: Mapping[str, Any], key: str, file: str) -> list[Problem]:
    """Problems of a mill's charge-model settings (``key`` is ``units.<name>``)."""
    d = params.get("diameter_m")
    if params["power_model"] == "morrell" and d is not None and params["trunnion_diameter_m"] >= d:
        return [
            Problem(
                file,
                f"{key}.trunnion_diameter_m",
                f"the trunnion ({params['trunnion_diameter_m']:g} m) must be narrower than the "
                f"mill (diameter_m {d:g} m)",
            )
        ]
    return []
