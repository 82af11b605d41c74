"""Parameter declarations and constants of the two-stage roaster (``roaster``).

The model and its sources are in the docstring of ``oreflow.units.roaster``; each figure
here cites its own source or is marked assumed.
"""

from __future__ import annotations

from oreflow.core.schema import Param, frac, positive
from oreflow.units.base import Price

#: O2 mole fraction of dry air [-] (CRC Handbook; the kernel's ``AIR_O2_FRAC``, kept
#: here so that importing the unit does not import numba).
AIR_O2_FRAC = 0.2095

TC = (
    "'Selective arsenic-fixing roast of refractory gold concentrate' (journal article; "
    "introduction read)"
)

PARAMS: tuple[Param, ...] = (
    Param(
        "stage1_temperature_degc",
        "°C",
        525.0,
        "first (partially oxidising, arsenic-removing) bed temperature",
        f"450-550 °C de-arsenic roast in an oxygen-deficient atmosphere [L] {TC}",
        lo=400.0,
        hi=650.0,
    ),
    Param(
        "stage2_temperature_degc",
        "°C",
        650.0,
        "second (oxidising) bed temperature",
        f"600-700 °C oxidising roast to porous hematite [L] {TC}",
        lo=500.0,
        hi=850.0,
    ),
    positive(
        "stage1_residence_min",
        "min",
        15.0,
        "mean solids residence time of stage 1",
        "assumed",
        hi=600.0,
    ),
    positive(
        "stage2_residence_min",
        "min",
        30.0,
        "mean solids residence time of stage 2",
        "assumed",
        hi=600.0,
    ),
    frac(
        "o2_in_frac",
        AIR_O2_FRAC,
        "O2 mole fraction of the fluidising gas (0.21 air; more with bought oxygen)",
        "assumed: air; oxygen-enriched roasting is practised (Thomas & Cole 2005, not read)",
        lo=AIR_O2_FRAC,
        hi=0.95,
    ),
    Param(
        "o2_excess_frac",
        "-",
        0.2,
        "O2 supplied beyond the stoichiometric demand, per unit of demand",
        "assumed (fluid-bed roasters run with 10-50 % excess air)",
        lo=0.0,
        hi=3.0,
    ),
    frac(
        "stage1_magnetite_frac",
        0.2,
        "share of the stage-1 pyrrhotite oxidised to magnetite in stage 1",
        f"assumed (stage-1 calcine of pyrrhotite and magnetite [L] {TC})",
    ),
    frac(
        "calcite_sulfated_frac",
        0.9,
        "share of the calcite that calcines and captures SO2 as calcium sulfate",
        "assumed",
    ),
    frac(
        "as2o3_fixed_frac",
        1.0,
        "share of the condensed As2O3 fixed as ferric arsenate (the rest leaves as As2O3)",
        "assumed: arsenic trioxide stabilised rather than stored or sold",
    ),
    Param(
        "so2_capture",
        "-",
        "acid",
        "where the off-gas SO2 goes: 'acid' (a double-contact acid plant, acid sold) or "
        "'lime' (scrubbed with lime to gypsum, which joins the calcine pulp)",
        f"assumed; the arsenic-fixing roast recovers sulfur as acid [L] {TC}",
        kind=str,
        choices=("acid", "lime"),
    ),
    frac(
        "so2_capture_frac",
        0.995,
        "share of the off-gas SO2 captured (converted to acid, or scrubbed)",
        "assumed: 99.5-99.8 % for double-contact, double-absorption acid plants",
        lo=0.0,
        hi=0.9999,
    ),
    frac(
        "feed_moisture_frac",
        0.10,
        "moisture of the filter cake fed to the roaster (water beyond it bypasses to the quench)",
        "assumed (filter cake 8-12 %)",
        hi=0.9,
    ),
    frac(
        "quench_solids_frac",
        0.50,
        "solids mass fraction of the quenched calcine pulp",
        "assumed",
        lo=0.05,
        hi=0.9,
    ),
    frac(
        "heat_loss_frac",
        0.15,
        "shell and radiation losses as a share of the heat released",
        "assumed",
    ),
    positive(
        "offgas_kwh_t",
        "kWh/t",
        15.0,
        "off-gas handling power (blowers, precipitators, scrubbers) per t of off-gas",
        "assumed",
        hi=500.0,
    ),
    positive(
        "acid_plant_kwh_t",
        "kWh/t",
        70.0,
        "acid plant power per t of H2SO4 made",
        "assumed",
        hi=500.0,
    ),
    # kinetics (oreflow.kernels.roasting); the constants are assumed
    positive(
        "as_k_ref_per_min",
        "1/min",
        1.27,
        "stage-1 arsenopyrite decomposition rate at its T_ref",
        "assumed: 95 % arsenic removed at 525 °C in 15 min",
        hi=1e4,
    ),
    positive(
        "as_activation_kj_mol",
        "kJ/mol",
        150.0,
        "activation energy of arsenopyrite decomposition",
        "assumed",
        hi=500.0,
    ),
    positive(
        "py_k_ref_per_min",
        "1/min",
        0.044,
        "stage-1 rate of pyrite's labile sulfur at its T_ref",
        "assumed: 40 % of pyrite to pyrrhotite at 525 °C in 15 min",
        hi=1e4,
    ),
    positive(
        "py_activation_kj_mol",
        "kJ/mol",
        150.0,
        "activation energy of pyrite's labile sulfur",
        "assumed",
        hi=500.0,
    ),
    positive(
        "s_k_ref_per_min",
        "1/min",
        1.63,
        "stage-2 sulfide oxidation rate at its T_ref (air, 20 % excess)",
        "assumed: 2 % of the sulfide left at 650 °C in 30 min",
        hi=1e4,
    ),
    positive(
        "s_activation_kj_mol",
        "kJ/mol",
        100.0,
        "activation energy of stage-2 sulfide oxidation",
        "assumed",
        hi=500.0,
    ),
    positive(
        "c_k_ref_per_min",
        "1/min",
        1.07,
        "stage-2 organic carbon burn rate at its T_ref",
        "assumed: 97 % of the organic carbon burnt at 650 °C in 30 min",
        hi=1e4,
    ),
    positive(
        "c_activation_kj_mol",
        "kJ/mol",
        80.0,
        "activation energy of organic carbon burning",
        "assumed",
        hi=500.0,
    ),
    Param(
        "particle_dt_per_o2_degc",
        "°C",
        114.0,
        "particle over-temperature per unit O2 mole fraction above air",
        "assumed: about 90 °C hotter in pure oxygen; particles run hotter than the gas (CIM Bulletin 1952, abstract only)",
        lo=0.0,
        hi=1000.0,
    ),
    Param(
        "sinter_onset_degc",
        "°C",
        720.0,
        "particle temperature at half the largest sintering loss",
        "assumed, with Dunn & Chamberlain 1997 (Miner. Eng. 10:919, abstract only) in view",
        lo=300.0,
        hi=1500.0,
    ),
    positive(
        "sinter_width_degc",
        "°C",
        40.0,
        "width of the sintering step",
        "assumed, as sinter_onset_degc",
        hi=500.0,
    ),
    frac(
        "sinter_max_frac",
        0.4,
        "largest share of freed gold re-encapsulated by sintering",
        "assumed, as sinter_onset_degc",
    ),
)

#: Temperatures at which the rate constants are stated [°C] [assumed].
T_REF = (525.0, 525.0, 650.0, 650.0)

SULFURIC_ACID = Price(
    0.04,
    "[assumed] net-back of acid sold at the plant gate (acid prices swing 0-0.15 USD/kg); "
    "the roaster reports the acid it sells as a negative use, so its cost is a credit",
)
NATURAL_GAS = Price(0.40, "[assumed] natural gas about 8 USD/GJ at 50 MJ/kg")

H_PYRITE_MJ_KG_S = 12.9  # 4 FeS2 + 11 O2 -> 2 Fe2O3 + 8 SO2: 3310 kJ / 4 mol (Wagman et al. 1982)
H_PYRRHOTITE_MJ_KG_S = 19.0  # 4 FeS + 7 O2 -> 2 Fe2O3 + 4 SO2: 2436 kJ / 4 mol
H_CARBON_MJ_KG = 32.8  # C + O2 -> CO2: 393.5 kJ/mol
LHV_CH4_MJ_KG = 50.0  # methane, lower heating value
CP_SOLIDS_KJ_KG_K = 0.85  # silicate and sulfide solids [assumed]
CP_GAS_KJ_KG_K = 1.10  # air and off-gas, 25-700 °C mean
H_EVAP_MJ_KG = 2.6  # water 25 -> 100 °C and evaporation (2.26 + 0.31 MJ/kg)
MW_CH4 = 16.043  # methane [g/mol]
MW_H2O = 18.015
MW_CAO = 56.077
C_IN_CARBONACEOUS = 0.9  # carbonaceous matter: 90 % C (oreflow.core.components)
