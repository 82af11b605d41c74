"""Base units, name suffixes and named tolerances shared by the whole engine.

Inside the engine every flow is a mass flow in t/h (dry basis for solids), so that
conservation is a column sum. Grades, % solids, P80 and tenors are derived only at the
output boundary. Names carry their unit as a suffix:

========  =============================================
suffix    meaning
========  =============================================
``_tph``  mass flow [t/h], dry basis
``_gpt``  grade [g/t]
``_frac`` fraction [-] in [0, 1]; never percent inside the engine
``_kw``   power [kW]; ``_kwh_t`` specific energy [kWh/t]
``_um``   particle size [µm]; ``_mm``, ``_m`` likewise
``_degc`` temperature [°C]; ``_kpa`` absolute pressure [kPa]
``_h``    time [h]; ``_per_h`` rate constant [1/h]; ``_min`` [min]
``_mg_l`` solution tenor [mg/L] = [g/m³]
``_usd``  money [USD]; ``_usd_t`` per tonne; ``_usd_h`` per hour
========  =============================================

Solution density is taken as 1 t/m³, so a water flow in t/h is also m³/h
(SI units, oreflow's conventions).
"""

from __future__ import annotations

#: Same maths two ways (JIT vs ``py_func``, kernel vs closed form): rounding only.
RTOL_EXACT = 1e-12
#: Per-component mass closure of an acyclic flowsheet.
RTOL_CLOSURE = 1e-9
#: Tear-stream convergence, relative per component, with a floor scaled to the total
#: of the same species in the stream. Tighter than the closure target because free
#: gold builds up in the grinding circulating load (often 20-100x its feed in a size
#: class near the gold cut size), which amplifies a tear residual into the plant
#: closure of that class; 1e-12 keeps the closure of shipped cases below 1e-9.
#: Closure of a flowsheet with recycles is checked at ``RTOL_RECYCLE_CLOSURE``.
RTOL_RECYCLE = 1e-12
RTOL_RECYCLE_CLOSURE = 1e-9
#: Regression against stored CSV (platform, BLAS and compiler drift).
RTOL_GOLDEN = 1e-6
#: LP objective (HiGHS primal/dual feasibility tolerances default to 1e-7).
RTOL_LP_OBJECTIVE = 1e-6
#: Worked examples of docs/models.md are printed to 4-6 significant digits.
RTOL_WORKED_EXAMPLE = 1e-4

#: Grams per troy ounce [g/oz] (exact by definition of the troy ounce).
GRAMS_PER_TROY_OZ = 31.1034768
#: Grams per tonne [g/t].
G_PER_T = 1.0e6
#: Density of process water and dilute solutions [t/m³] (SI units, oreflow's conventions).
WATER_DENSITY_T_M3 = 1.0
#: Plant hours in a year at full availability [h/y].
HOURS_PER_YEAR = 8760.0

# --- molar masses [g/mol] -------------------------------------------------------------
# From the IUPAC 2021 standard atomic weights (abridged/conventional values: H 1.008,
# C 12.011, N 14.007, O 15.999, Na 22.990, S 32.06, Cl 35.45, Ca 40.078, Fe 55.845,
# Cu 63.546, Zn 65.38, As 74.922, Ag 107.8682, Sb 121.760, Au 196.967, Pb 207.2) [S]. Kernels and units take
# them from here; a kernel reproducing a worked example that rounds a figure keeps that
# rounding under a name of its own, next to the example it serves.
#: Standard atomic weight of every element the balance tracks [g/mol] (IUPAC 2021,
#: abridged/conventional values; Prohaska et al. 2022, Pure Appl. Chem. 94:573) [S].
#: Formula masses of species, reagents and gases are built from these alone
#: (``oreflow.core.formulas``).
ATOMIC_WEIGHT_G_MOL = {
    "h": 1.008, "c": 12.011, "n": 14.007, "o": 15.999, "na": 22.990, "mg": 24.305,
    "al": 26.982, "si": 28.085, "s": 32.06, "cl": 35.45, "k": 39.098, "ca": 40.078,
    "mn": 54.938, "fe": 55.845, "cu": 63.546, "zn": 65.38, "as": 74.922,
    "ag": 107.8682, "au": 196.967,
}  # fmt: skip
AU_G_MOL = 196.967
AG_G_MOL = 107.8682
CU_G_MOL = 63.546
FE_G_MOL = 55.845
ZN_G_MOL = 65.38
AS_G_MOL = 74.922
SB_G_MOL = 121.760
PB_G_MOL = 207.2
S_G_MOL = 32.06
C_G_MOL = 12.011
CL_G_MOL = 35.45
O2_G_MOL = 31.998
CN_G_MOL = 26.018
OCN_G_MOL = 42.017
NACN_G_MOL = 49.008
NAOH_G_MOL = 39.997
NACL_G_MOL = 58.44
HCL_G_MOL = 36.46
NH3_G_MOL = 17.031
CAO_G_MOL = 56.077
CACO3_G_MOL = 100.086
NA2CO3_G_MOL = 105.988
H2SO4_G_MOL = 98.072
FE2SO43_G_MOL = 399.858
CUSO4_5H2O_G_MOL = 249.69

#: Suffix of a figure's name -> its unit, longest suffixes first.
UNIT_OF_SUFFIX = (
    ("_usd_oz", "USD/oz"), ("_usd_h", "USD/h"), ("_usd_t", "USD/t"), ("_usd_kg", "USD/kg"),
    ("_kwh_t", "kWh/t"), ("_kw", "kW"), ("_tph", "t/h"), ("_kg_h", "kg/h"), ("_kg_t", "kg/t"),
    ("_kg_oz", "kg/oz"), ("_oz_h", "oz/h"), ("_m3_t", "m³/t"),
    ("_g_t", "g/t"), ("_m3_h", "m³/h"), ("_mm3_y", "Mm³/y"), ("_m3", "m³"), ("_mg_l", "mg/L"),
    ("_mol_l", "mol/L"), ("_g_h", "g/h"), ("_gpt", "g/t"), ("_oz_d", "oz/d"), ("_um", "µm"),
    ("_degc", "°C"), ("_min", "min"), ("_h", "h"), ("_d", "d"), ("_kpa", "kPa"),
    ("_pct", "%"), ("_frac", "-"), ("_m", "m"), ("_s", "s"),
)  # fmt: skip


def unit_of(name: str) -> str:
    """Unit of a figure from its name's suffix (``mill_power_kw`` -> ``kW``; none: ``-``)."""
    for suffix, unit in UNIT_OF_SUFFIX:
        if name.endswith(suffix):
            return unit
    return "-"
