"""The oxygen a leach train buys and the air it blows: one mechanism for every unit with a DO.

Dissolved oxygen drives the gold rate of the cyanide (``cil``, ``cip``) and thiosulfate
(``thiosulfate_ril``) leach trains, so it must cost something, or an optimizer would
always take the most. Each of those units calls :func:`oxygen_supply_metrics` with the
dissolved oxygen it leaches at, the ore's oxygen uptake and its flows; the equations are
in :mod:`oreflow.kernels.sparging`.

- The tanks consume the ore's uptake over the solids they hold plus the oxygen that
  leaves dissolved in the solution.
- Which gas: ``oxygen_supply = "air"`` or ``"oxygen"`` sparge that gas (the dissolved
  oxygen is then the steady level against the kLa). A set point (``"set_point"``, and
  the thiosulfate train's ``do_mg_l``) is held by air when air can hold it: at or below
  the level air reaches at the tanks' ``kla_per_h`` against the uptake,
  ``C*_air − OUR/kLa`` (reported as ``do_air_limit_mg_l``, below air saturation), and by
  oxygen above it, bought at ``oxygen_usd_t`` (item ``o2``, ``use_o2_kg_h``, the item of
  the autoclaves) (the plant's answer to a set point air cannot reach is oxygen).
- A set point above what even oxygen holds at that kLa (``C*_O2 − OUR/kLa``) is an
  **envelope**, not an input error: the set point is a legitimate number (a grid of
  ``do_mg_l`` modes may cross the limit in some cases and not others, as the uptake
  and the pulp change with the feed), but the plant cannot hold it with the tanks'
  mass transfer, so ``do_shortfall_mg_l`` > 0 is flagged after every run and is a
  constraint under ``optimize`` (``oreflow.units.envelopes``). It is costed at the set
  point with the transfer efficiency of the level the gas can hold.
- Air: its flow carries the oxygen supplied (``air_nm3_h``); the blower lifts it to the
  sparger's hydrostatic head plus ``sparger_loss_kpa`` (``blower_kw``, reported as the
  unit's ``power_kw``, priced at ``electricity_usd_kwh``). Oxygen bought comes from an
  oxygen plant whose power is inside the oxygen price (no blower).

Reports: ``o2_consumed_kg_h``, ``o2_transfer_frac``, ``o2_supplied_kg_h``,
``use_o2_kg_h`` (bought; not with ``"air"``), ``air_nm3_h``, ``blower_kw``, ``power_kw``,
``do_air_limit_mg_l``, ``do_shortfall_mg_l``, ``oxygen_plant_t_d``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from oreflow.core.schema import Param, frac, positive
from oreflow.kernels import cyanidation as cy
from oreflow.kernels import sparging as sp
from oreflow.kernels.arrays import safe_div

OXYGEN_SUPPLY_PARAMS: tuple[Param, ...] = (
    frac(
        "air_transfer_frac",
        0.08,
        "standard oxygen transfer efficiency of the air spargers (share of the oxygen "
        "blown in that dissolves at zero DO)",
        "assumed: coarse-bubble spargers near the bottom of tall leach tanks; fit to a "
        "plant's air flow at a measured DO",
        lo=1e-4,
    ),
    frac(
        "oxygen_transfer_frac",
        0.80,
        "standard transfer efficiency of oxygen injection (in-line or shear spargers)",
        "assumed: oxygen is injected through high-shear devices to be used, not vented",
        lo=1e-4,
    ),
    positive(
        "sparger_submergence_m",
        "m",
        10.0,
        "depth of pulp over the spargers (hydrostatic head of the blower, mid-depth saturation)",
        "assumed: leach tanks about as tall as wide, 1,000-3,000 m³",
        hi=50.0,
    ),
    Param(
        "sparger_loss_kpa",
        "kPa",
        10.0,
        "pressure lost in the air main and through the spargers",
        "assumed",
        lo=0.0,
        hi=300.0,
    ),
    frac(
        "blower_efficiency_frac",
        0.70,
        "blower efficiency (adiabatic power over shaft power)",
        "assumed, as the flotation blowers of oreflow.solvers.bulk_utilities",
        lo=0.05,
    ),
    Param(
        "air_intake_temp_c",
        "°C",
        25.0,
        "temperature of the air at the blower intake",
        "plant figure",
        lo=-40.0,
        hi=60.0,
    ),
)

#: kLa for units that do not already declare it (the thiosulfate train).
KLA_PARAM = positive(
    "kla_per_h",
    "1/h",
    30.0,
    "volumetric oxygen transfer coefficient of the sparged tanks",
    "assumed; measure by the dynamic gassing-out method",
    hi=1000.0,
)


def oxygen_supply_metrics(
    supply: str,
    params: Mapping[str, np.ndarray],
    do_mg_l: np.ndarray,
    uptake_g_t_h: np.ndarray,
    solids_tph: np.ndarray,
    solids_m3_h: np.ndarray,
    solution_m3_h: np.ndarray,
    residence_h: np.ndarray,
    temp_c: np.ndarray,
) -> dict[str, np.ndarray]:
    """Oxygen and air of a leach train, per case (see module docstring).

    ``supply``: ``"air"``, ``"oxygen"`` or ``"set_point"``; ``do_mg_l`` the dissolved
    oxygen the train leaches at; ``uptake_g_t_h`` the ore's uptake per tonne of solids
    held; ``residence_h`` the train's total residence.
    """
    n = np.shape(solids_tph)[0]
    do = np.broadcast_to(np.asarray(do_mg_l, dtype=np.float64), (n,))
    pulp_t_m3 = safe_div(solids_tph + solution_m3_h, solids_m3_h + solution_m3_h, fill=1.0)
    head = sp.hydrostatic_kpa(pulp_t_m3, params["sparger_submergence_m"])
    air_sat = cy.oxygen_saturation_mg_l(temp_c)
    o2_sat = air_sat / cy.AIR_O2_FRAC  # Henry's law: saturation goes as the O2 share
    our = uptake_g_t_h * safe_div(solids_tph, solution_m3_h)  # mg/(L h)
    air_limit = cy.sparged_oxygen_mg_l(air_sat, params["kla_per_h"], our)
    o2_limit = cy.sparged_oxygen_mg_l(o2_sat, params["kla_per_h"], our)
    if supply == "air":
        by_air = np.ones(n, dtype=bool)
    elif supply == "oxygen":
        by_air = np.zeros(n, dtype=bool)
    else:
        by_air = do <= air_limit + 1e-9
    held = np.where(by_air, air_limit, o2_limit)
    shortfall = np.maximum(do - held, 0.0) if supply == "set_point" else np.zeros(n)
    consumed = sp.oxygen_consumed_kg_h(uptake_g_t_h, solids_tph * residence_h, do, solution_m3_h)
    sote = np.where(by_air, params["air_transfer_frac"], params["oxygen_transfer_frac"])
    saturation = sp.mid_depth_saturation_mg_l(np.where(by_air, air_sat, o2_sat), head)
    efficiency = sp.transfer_efficiency(sote, np.minimum(do, held), saturation)
    supplied = sp.oxygen_supplied_kg_h(consumed, efficiency)
    air = sp.air_nm3_h(np.where(by_air, supplied, 0.0))
    kw = sp.blower_kw(
        air, head + params["sparger_loss_kpa"], params["air_intake_temp_c"],
        params["blower_efficiency_frac"],
    )  # fmt: skip
    bought = np.where(by_air, 0.0, supplied)
    out = {
        "o2_consumed_kg_h": consumed,
        "o2_transfer_frac": efficiency,
        "o2_supplied_kg_h": supplied,
        "use_o2_kg_h": bought,
        "oxygen_plant_t_d": bought * 24.0 / 1000.0,
        "air_nm3_h": air,
        "blower_kw": kw,
        "power_kw": kw.copy(),
        "do_air_limit_mg_l": air_limit,
        "do_shortfall_mg_l": shortfall,
    }
    if supply == "air":  # never buys oxygen: no priced item, no oxygen plant
        del out["use_o2_kg_h"], out["oxygen_plant_t_d"]
    return out
