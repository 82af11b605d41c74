"""Parameters and rate laws of the thiosulfate leach (tanks and heap).

The equations, their sources and the parameters' evidence are in the docstring of
:mod:`oreflow.units.thiosulfate`; this module holds the parameter table and the two rate
scalings (gold rate and thiosulfate degradation) that the tank train
(:mod:`oreflow.units.thiosulfate`) and the thiosulfate heap
(:mod:`oreflow.units.heap_leach_cf`) share.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from oreflow.core.schema import Param, frac, positive
from oreflow.units.lixiviant_params import TrainDefaults, leach_table, train_params
from oreflow.units.oxygen_supply import KLA_PARAM, OXYGEN_SUPPLY_PARAMS

#: Thiosulfate molar masses [g/mol] (as in worked example ex11).
S2O3_G_MOL = 112.13
CAS2O3_G_MOL = 152.21
ATS_G_MOL = 148.21  # (NH4)2S2O3
CUSO4_5H2O_G_MOL = 249.69
CU_G_MOL = 63.546
NH3_G_MOL = 17.031
#: Oxygen taken per thiosulfate oxidised to tetrathionate [t O2 / t S2O3]:
#: 2 S2O3²⁻ + ½ O2 + H2O → S4O6²⁻ + 2 OH⁻, a quarter mole of O2 per mole [S]; copper(II)
#: oxidises thiosulfate too, and oxygen re-oxidises the copper(I), so oxygen is the
#: oxidant in the end on both paths (Breuer & Jeffrey 2003, Miner. Eng. 16:21, abstract).
O2_PER_S2O3_DEGRADED = 0.25 * 31.998 / S2O3_G_MOL

_DEFAULTS = TrainDefaults(
    n_tanks=8,
    k_per_h=0.05,
    k_eq_m3_t=2.0e4,
    ag_k_eq_m3_t=5.0e3,
    inventory_g_l=10.0,
    advance_t_d=5.0,
    barren_g_t=20.0,
    loss_g_t=50.0,
    adsorption_source=(
        "assumed; strong-base resins load faster than carbon (RIP vs CIP), "
        "fit k and K to resin loading tests"
    ),
    inventory_source="assumed; RIL/RIP resin concentrations of 5-20 g/L",
    loss_source="0.05 kg/t [A] assumed reagent uses and prices",
)

PARAMS: tuple[Param, ...] = (
    Param(
        "lixiviant",
        "-",
        "cats",
        "reagent system: 'cats' (calcium thiosulfate, Goldstrike) or 'ammoniacal' "
        "(ammonium thiosulfate with the Cu(II)-NH3 catalyst)",
        "Aylmore, in Adams (ed.) 2016, ch. 27; docs/models.md#lixiviant_common, Aylmore & Muir 2001, Miner. Eng. 14(2):135; docs/models.md#thiosulfate",
        kind=str,
        choices=("cats", "ammoniacal"),
    ),
    positive(
        "s2o3_mol_l",
        "mol/L",
        0.1,
        "thiosulfate held in the pulp solution",
        "0.05-0.5 M [L] Aylmore, in Adams (ed.) 2016, ch. 27; docs/models.md#lixiviant_common table; 0.1 M in ex11",
        hi=2.0,
    ),
    Param(
        "s2o3_degradation_per_h",
        "1/h",
        0.0025,
        "fraction of the dissolved thiosulfate oxidised to polythionates per hour, without copper",
        "assumed: gives ex11's 1.0 kg/t at 0.1 M, 40 % solids, 24 h (Aylmore & Muir 2001, Miner. Eng. 14(2):135; docs/models.md#thiosulfate)",
        lo=0.0,
        hi=1.0,
    ),
    Param(
        "s2o3_cu_degradation_per_h_mm",
        "1/(h·mM)",
        0.001,
        "extra thiosulfate oxidation rate per mM of Cu(II) in solution",
        "assumed; Cu(II)-catalysed oxidation by O2 (Breuer & Jeffrey 2003) [L]",
        lo=0.0,
        hi=1.0,
    ),
    Param(
        "cu_mg_l",
        "mg/L",
        0.0,
        "Cu(II) catalyst held in solution (needed by the ammoniacal system)",
        "0.5-10 mM = 32-635 mg/L [L] Aylmore, in Adams (ed.) 2016, ch. 27; docs/models.md#lixiviant_common table",
        lo=0.0,
        hi=2000.0,
    ),
    Param(
        "nh3_mol_l",
        "mol/L",
        0.0,
        "ammonia held in solution (needed by the ammoniacal system)",
        "0.1-1 M [L] Aylmore, in Adams (ed.) 2016, ch. 27; docs/models.md#lixiviant_common table",
        lo=0.0,
        hi=3.0,
    ),
    Param(
        "nh3_loss_per_h",
        "1/h",
        0.002,
        "fraction of the dissolved ammonia lost (volatilised) per hour",
        "assumed",
        lo=0.0,
        hi=1.0,
    ),
    positive(
        "polythionate_half_mg_l",
        "mg/L",
        2000.0,
        "polythionate tenor (as S4O6) that halves the resin's gold affinity K",
        "assumed; polythionates compete for resin sites (Aylmore & Muir 2001, Miner. Eng. 14(2):135; docs/models.md#thiosulfate)",
        hi=1e6,
    ),
    positive(
        "cu_resin_half_mg_l",
        "mg/L",
        1000.0,
        "copper tenor that halves the resin's gold affinity K (ammoniacal system)",
        "assumed; copper thiosulfate loads on strong-base resin (Vargas & Navarro 2016)",
        hi=1e6,
    ),
    Param(
        "lime_kg_t",
        "kg/t",
        1.0,
        "lime (CaO) per tonne of solids to hold the leach pH",
        "1 kg/t [A] assumed reagent uses and prices",
        lo=0.0,
        hi=100.0,
    ),
    Param(
        "temperature_degc",
        "°C",
        25.0,
        "leach temperature",
        "assumed ambient",
        lo=0.0,
        hi=100.0,
    ),
    positive(
        "s2o3_half_mol_l",
        "mol/L",
        0.02,
        "thiosulfate tenor at which the gold rate is half its saturated value",
        "assumed; order zero in thiosulfate above it (Zhang, Senanayake & Nicol 2004)",
        hi=2.0,
    ),
    Param(
        "nh3_rate_order",
        "-",
        0.3,
        "reaction order of the gold rate in ammonia (ammoniacal system)",
        "Zhang, Senanayake & Nicol 2004: about 0.3 [S]",
        lo=0.0,
        hi=2.0,
    ),
    Param(
        "cu_rate_gain",
        "-",
        4.0,
        "saturated gold rate with copper(II) over the rate without, minus one (ammoniacal)",
        "assumed; Cu(II)-NH3-S2O3 leaches faster than O2-NH3-S2O3 (Zhang et al. 2004)",
        lo=0.0,
        hi=100.0,
    ),
    positive(
        "cu_half_mm",
        "mmol/L",
        1.0,
        "copper(II) at which the copper gain is half-saturated",
        "assumed; within the 0.5-10 mM of practice [L] (Aylmore & Muir 2001)",
        hi=100.0,
    ),
    positive(
        "leach_ea_kj_mol",
        "kJ/mol",
        31.0,
        "apparent activation energy of gold leaching",
        "Zhang, Senanayake & Nicol 2004: 25-37 kJ/mol [S]; middle value",
        hi=200.0,
    ),
    positive(
        "cu_leach_ea_kj_mol",
        "kJ/mol",
        11.3,
        "activation energy of the copper(II)-catalysed path of gold leaching (ammoniacal)",
        "fitted: gives the 15.54 kJ/mol apparent Ea measured with 0.01 M Cu(NH3)4 2+ and "
        "0.5 M NH3 (Jiang et al. 1993, SME, abstract; "
        "data/testwork/cf_thiosulfate_jiang1993.csv) with the copper gain and half "
        "of this unit (exact solve, 1 point 1 unknown)",
        hi=200.0,
    ),
    positive(
        "s2o3_degradation_nh3_half_mol_l",
        "mol/L",
        0.5,
        "ammonia that halves the copper-catalysed thiosulfate oxidation",
        "assumed; ammonia stabilises Cu(II) and thiosulfate (Aylmore & Muir 2001) [L]",
        hi=10.0,
    ),
    positive(
        "s2o3_degradation_ea_kj_mol",
        "kJ/mol",
        40.0,
        "apparent activation energy of thiosulfate oxidation",
        "assumed",
        hi=200.0,
    ),
    positive(
        "kinetics_ref_s2o3_mol_l",
        "mol/L",
        0.1,
        "thiosulfate at which the leach table's k was measured",
        "assumed; 0.1 M as in the unit default",
        hi=2.0,
    ),
    Param(
        "kinetics_ref_nh3_mol_l",
        "mol/L",
        0.5,
        "ammonia at which the leach table's k was measured (ammoniacal system)",
        "assumed; within 0.1-1 M [L]",
        lo=0.0,
        hi=3.0,
    ),
    Param(
        "kinetics_ref_cu_mg_l",
        "mg/L",
        190.638,
        "copper(II) at which the leach table's k was measured (ammoniacal system; 3 mM)",
        "assumed; within 0.5-10 mM [L]",
        lo=0.0,
        hi=2000.0,
    ),
    Param(
        "kinetics_ref_temperature_degc",
        "°C",
        25.0,
        "temperature at which the leach table's k was measured",
        "assumed ambient",
        lo=0.0,
        hi=100.0,
    ),
    Param(
        "do_mg_l",
        "mg/L",
        8.0,
        "dissolved oxygen held in the pulp (the oxidant of the gold, and of thiosulfate)",
        "plant figure; air saturation 8.26 mg/L at 25 °C (Benson & Krause 1984)",
        lo=0.0,
        hi=60.0,
    ),
    positive(
        "kinetics_ref_do_mg_l",
        "mg/L",
        8.0,
        "dissolved oxygen at which the leach table's k was measured",
        "testwork; air-saturated bottle rolls hold about 8 mg/L at 25 °C",
        hi=60.0,
    ),
    Param(
        "o2_rate_order",
        "-",
        0.3,
        "reaction order of the gold rate in dissolved oxygen",
        "Zhang, Senanayake & Nicol 2004: about 0.3 in O2 [S] (abstract); applied to the "
        "copper-catalysed path too, as the ammonia order is",
        lo=0.0,
        hi=2.0,
    ),
    positive(
        "s2o3_degradation_ref_do_mg_l",
        "mg/L",
        8.0,
        "dissolved oxygen at which the degradation constants hold",
        "assumed air-saturated, as ex11's 1.0 kg/t was",
        hi=60.0,
    ),
    frac(
        "s2o3_degradation_o2_share",
        0.5,
        "share of the degradation at the reference oxygen that oxygen drives (the "
        "radical path); the rest (thiosulfate reducing copper(II)) goes on without it",
        "assumed; two paths, oxidation much faster with oxygen than without (Breuer & "
        "Jeffrey 2003, Miner. Eng. 16:21, abstract); no rate against oxygen found",
    ),
    Param(
        "s2o3_degradation_o2_order",
        "-",
        1.0,
        "order of the oxygen-driven degradation in dissolved oxygen",
        "assumed; first order in the oxidant; less thiosulfate lost at 0.7 % O2 in the "
        "gas (Xia 2008, PhD thesis, Queen's University, abstract)",
        lo=0.0,
        hi=3.0,
    ),
    KLA_PARAM,
    *OXYGEN_SUPPLY_PARAMS,
    *train_params("resin", _DEFAULTS),
)

LEACH = leach_table(
    "thiosulfate leach kinetics of each gold (or silver) class",
    "testwork; thiosulfate rates are similar to or faster than cyanide [L] Aylmore, in Adams (ed.) 2016, ch. 27; docs/models.md#lixiviant_common",
)


def rate_factor(params: Mapping[str, np.ndarray], n: int, ammoniacal: bool) -> np.ndarray:
    """Gold rate at each case's conditions over the rate at the reference conditions (n,).

    Shared by the thiosulfate tank leach and the thiosulfate heap.
    """
    from oreflow.kernels.lixiviant_rates import oxygen_share_factor, thiosulfate_rate_factor

    def arr(name: str) -> np.ndarray:
        return np.ascontiguousarray(np.broadcast_to(params[name], (n,)), dtype=np.float64)

    ref = np.stack(
        [
            arr("kinetics_ref_s2o3_mol_l"),
            arr("kinetics_ref_nh3_mol_l"),
            arr("kinetics_ref_cu_mg_l") / CU_G_MOL,
            arr("kinetics_ref_temperature_degc"),
        ],
        axis=1,
    )
    factor = thiosulfate_rate_factor(
        arr("s2o3_mol_l"), arr("nh3_mol_l"), arr("cu_mg_l") / CU_G_MOL, arr("temperature_degc"),
        ammoniacal, np.ascontiguousarray(ref), arr("s2o3_half_mol_l"), arr("nh3_rate_order"),
        arr("cu_rate_gain"), arr("cu_half_mm"), arr("leach_ea_kj_mol"),
        arr("cu_leach_ea_kj_mol"),
    )  # fmt: skip
    if "do_mg_l" in params:  # tanks; the heap has no oxygen set point
        factor = factor * oxygen_share_factor(
            arr("do_mg_l"), arr("kinetics_ref_do_mg_l"), np.ones(n), arr("o2_rate_order")
        )
    return factor


def degradation_per_h(params: Mapping[str, np.ndarray], n: int, cu_mm: np.ndarray) -> np.ndarray:
    """First-order thiosulfate oxidation rate [1/h] at each case's copper, ammonia, temperature."""
    from oreflow.kernels.lixiviant_rates import (
        oxygen_share_factor,
        thiosulfate_degradation_per_h,
    )

    def arr(value: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(np.broadcast_to(value, (n,)), dtype=np.float64)

    k_d = thiosulfate_degradation_per_h(
        arr(params["s2o3_degradation_per_h"]),
        arr(params["s2o3_cu_degradation_per_h_mm"]),
        arr(cu_mm),
        arr(params["nh3_mol_l"]),
        arr(params["s2o3_degradation_nh3_half_mol_l"]),
        arr(params["temperature_degc"]),
        arr(params["s2o3_degradation_ea_kj_mol"]),
    )
    if "do_mg_l" in params:  # tanks; the heap has no oxygen set point
        k_d = k_d * oxygen_share_factor(
            arr(params["do_mg_l"]),
            arr(params["s2o3_degradation_ref_do_mg_l"]),
            arr(params["s2o3_degradation_o2_share"]),
            arr(params["s2o3_degradation_o2_order"]),
        )
    return k_d
