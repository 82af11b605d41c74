"""Cyanidation drivers of the CIL/CIP leach: cyanide, oxygen, pH, temperature and grind.

The leach table's ``k_per_h`` is the rate constant measured at the reference conditions
``ref_nacn_mg_l``, ``ref_do_mg_l``, ``ref_ph`` and ``ref_temp_c``. In each case the unit
scales it by (equations and sources in :mod:`oreflow.kernels.cyanidation`):

- ``rate_model = "mixed"`` (default): the Kudryk-Kellogg mixed diffusion rate of cyanide
  ion and dissolved oxygen, first order in cyanide below ``[CN⁻]/[O₂]`` ≈ 6 (molar) and
  in oxygen above it, over its value at the reference; ``"power"``: the empirical
  ``[CN⁻]^cn_order [O₂]^do_order`` of lumped plant models (de Andrade Lima & Hodouin
  2005, Hydrometallurgy 79:121); ``"none"``: the table's k at every condition (the form
  of the worked examples);
- cyanide ion from the free cyanide by the HCN acid constant at the pulp ``ph`` and
  ``temp_c``;
- ``exp(−Ea/R (1/T − 1/Tref))`` with ``leach_ea_kj_mol``.

Dissolved oxygen is the set point ``do_mg_l`` (``oxygen_supply = "set_point"``), or, when
the tanks are sparged with ``"air"`` or ``"oxygen"``, the steady level where the supply
``kla_per_h (C* − C)`` meets the ore's uptake, per tonne of solids, so a denser pulp (more
solids per litre of solution) holds less oxygen. The uptake comes from the ore's sulfide
mineralogy, ``sum_m x_m r_m nu_m`` over pyrite, pyrrhotite and arsenopyrite in the feed
(mass fraction ``x_m``, fraction oxidised per hour ``r_m`` = ``o2_<mineral>_frac_h``, and
``nu_m`` the oxygen to oxidise it fully to sulfate, arsenate and ferric hydroxide: FeS2
+ 15/4 O2, FeS + 9/4 O2, FeAsS + 7/2 O2, 1.000, 0.819 and 0.688 g O2/g [S]), plus
``o2_demand_g_t_h`` for other reductants. Pyrrhotite is the reactive one: it decomposes
markedly faster than pyrite in aerated cyanide pulps and takes oxygen that gold needs
(Marsden & House 2006 ch. 6; Hedley & Tabachnick 1958); the rates are [assumed] in that
order and should be fitted to an oxygen-uptake test.

The oxygen is not free: the train reports what it consumes (the uptake over the solids
held plus the oxygen leaving dissolved), the air it blows and its blower power
(``power_kw``), or the oxygen it buys (``use_o2_kg_h``) for a set point above what air
holds; see :mod:`oreflow.units.oxygen_supply`.

Grind: a leach-table entry with ``grain_um`` has the ultimate extraction of its size
classes set by the exposure of gold grains (``ultimate_frac`` for exposed gold, a share
``locked_access_frac`` of the locked gold), and its rate constant does not change with
size (gold dissolves at the grain surface). Entries without ``grain_um`` keep the
power law of ``oreflow.units.tanks.size_law`` [assumed].

Lime holds the pH: ``lime_kg_t`` is what holds the pulp at ``lime_ref_ph``, and the lime
taken doubles for every ``lime_ph_doubling`` of pH above it (halves below): an
exponential stand-in for the ore's lime titration curve, whose steep rise above pH 10.5
comes from the buffers of the ore (magnesium and other hydroxides) [assumed form]. A
higher pH keeps more cyanide as CN⁻ (less HCN lost, a faster leach) and costs lime.

Free cyanide held at ``nacn_mg_l`` is lost by oxidation (``cn_oxidation_per_h``) and,
as HCN, to the air (``hcn_loss_per_h`` times the HCN share at the pulp pH): the NaCN
bought rises with the cyanide level and falls with pH.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from oreflow.core.schema import Param, frac, positive
from oreflow.kernels import cyanidation as cy
from oreflow.kernels.arrays import safe_div

_REF = "conditions at which the leach table's k_per_h was measured"

CYANIDATION_PARAMS: tuple[Param, ...] = (
    Param(
        "rate_model",
        "-",
        "mixed",
        "dependence of the leach rate on cyanide and oxygen: mixed (Kudryk-Kellogg), power "
        "(lumped plant form) or none (the table's k at every condition)",
        "Kudryk & Kellogg 1954, J. Metals 6:541; de Andrade Lima & Hodouin 2005, "
        "Hydrometallurgy 79:121",
        kind=str,
        choices=("mixed", "power", "none"),
    ),
    Param(
        "ph",
        "-",
        10.5,
        "pulp pH held by lime",
        "10.5-11 [L] Marsden & House 2006 ch. 6",
        lo=7.0,
        hi=13.5,
    ),
    Param("temp_c", "°C", 25.0, "pulp temperature", "plant figure", lo=0.0, hi=80.0),
    Param(
        "oxygen_supply",
        "-",
        "set_point",
        "dissolved oxygen held at do_mg_l (set_point), or the steady level of tanks sparged "
        "with air or oxygen against the ore's oxygen uptake",
        "plant figure",
        kind=str,
        choices=("set_point", "air", "oxygen"),
    ),
    Param(
        "do_mg_l",
        "mg/L",
        8.0,
        "dissolved oxygen set point (oxygen_supply = set_point)",
        "air saturation 8.26 mg/L at 25 °C (Benson & Krause 1984)",
        lo=0.0,
        hi=60.0,
    ),
    positive(
        "kla_per_h",
        "1/h",
        30.0,
        "volumetric oxygen transfer coefficient of the sparged tanks",
        "assumed; measure by the dynamic gassing-out method",
        hi=1000.0,
    ),
    Param(
        "o2_demand_g_t_h",
        "g/(t h)",
        0.0,
        "oxygen taken up per tonne of solids per hour by reductants other than the "
        "sulfides (pyrite, pyrrhotite, arsenopyrite: o2_<mineral>_frac_h)",
        "assumed; measure by an oxygen-uptake-rate test on the leach feed",
        lo=0.0,
        hi=1e4,
    ),
    Param(
        "leach_ea_kj_mol",
        "kJ/mol",
        22.78,
        "activation energy of the leach rate",
        "fitted: with the air saturation of oreflow.kernels.cyanidation (Benson & Krause 1984 "
        "to 40 °C, Henry's law less water's vapour pressure above), 22.78 kJ/mol gives the "
        "apparent 2 kcal/mol (8.4 kJ/mol) over 25-70 °C of Julian & Smart's gold in 0.25 % KCN "
        "under air (J. S. Afr. IMM, 'The intensive cyanidation of gold-plant gravity "
        "concentrates'; exact, 1 point 1 unknown); the model's rate then peaks at 70 °C where "
        "Julian & Smart measured 85 °C (disagreement, pinned in the test); metallic gold, not "
        "an ore: data/testwork/cn_temperature_julian_smart.csv",
        lo=0.0,
        hi=150.0,
    ),
    positive(
        "ref_nacn_mg_l", "mg/L", 300.0, f"free cyanide (as NaCN) of the {_REF}", "testwork", hi=2e4
    ),
    positive("ref_do_mg_l", "mg/L", 8.0, f"dissolved oxygen of the {_REF}", "testwork", hi=60.0),
    Param("ref_ph", "-", 10.5, f"pH of the {_REF}", "testwork", lo=7.0, hi=13.5),
    Param("ref_temp_c", "°C", 25.0, f"temperature of the {_REF}", "testwork", lo=0.0, hi=80.0),
    Param(
        "cn_order",
        "-",
        0.5,
        "reaction order in cyanide ion (rate_model = power)",
        "Crundwell & Godorr 1997, Hydrometallurgy 44:147 (abstract only): the leach rate "
        "constant of a gold ore goes as the square root of cyanide; "
        "data/testwork/cn_orders_crundwell_senanayake.csv",
        lo=0.0,
        hi=3.0,
    ),
    Param(
        "do_order",
        "-",
        1.0,
        "reaction order in dissolved oxygen (rate_model = power)",
        "assumed",
        lo=0.0,
        hi=3.0,
    ),
    Param(
        "cn_oxidation_per_h",
        "1/h",
        0.0,
        "first-order loss of free cyanide to cyanate by oxidation",
        "assumed; 0 puts it in nacn_chemical_consumption_kg_t",
        lo=0.0,
        hi=10.0,
    ),
    Param(
        "hcn_loss_per_h",
        "1/h",
        0.0,
        "first-order loss of HCN to the air from agitated tanks",
        "assumed; 0 puts it in nacn_chemical_consumption_kg_t",
        lo=0.0,
        hi=10.0,
    ),
)

GRAIN_PARAMS: tuple[Param, ...] = (
    positive(
        "grain_um",
        "µm",
        None,
        "gold grain size: the ultimate extraction of a size class follows the exposure of "
        "grains; omit for the power law of leach_d_ref_um",
        "mineralogy (QEMSCAN/MLA gold search) or fitted to grind-series leach tests",
        hi=1e4,
    ),
    frac(
        "locked_access_frac",
        0.5,
        "share of the locked (unexposed) grains that solution reaches through pores and cracks",
        "assumed; the grind series of Arizona Gold & Silver 2024 (90.6 % at P80 425 um, "
        "over 99.3 % at 106 um, 120 h; data/testwork/cn_grind_azs2024_philadelphia.csv) "
        "solved exactly gives 0.52 with 105 um grains",
    ),
)


#: Oxygen to oxidise each sulfide fully (S to sulfate, As to arsenate, Fe to ferric
#: hydroxide) [g O2 / g mineral] [S]: FeS2 + 15/4 O2 (119.98 g/mol), FeS + 9/4 O2 (pyrrhotite
#: as FeS, 87.91), FeAsS + 7/2 O2 (162.83); O2 31.998 g/mol.
SULFIDE_O2_G_G = {
    "pyrite": 3.75 * 31.998 / 119.98,
    "pyrrhotite": 2.25 * 31.998 / 87.91,
    "arsenopyrite": 3.5 * 31.998 / 162.83,
}

SULFIDE_O2_PARAMS: tuple[Param, ...] = (
    Param(
        "o2_pyrite_frac_h",
        "1/h",
        5.3e-4,
        "fraction of the feed's pyrite oxidised per hour in the aerated leach (oxygen uptake)",
        "assumed: 5 g O2/(t h) for 0.5 % S as pyrite, about 1 % of the pyrite in 24 h; "
        "pyrite is the least reactive iron sulfide [L] Marsden & House 2006 ch. 6",
        lo=0.0,
        hi=1.0,
    ),
    Param(
        "o2_pyrrhotite_frac_h",
        "1/h",
        0.02,
        "fraction of the feed's pyrrhotite oxidised per hour in the aerated leach",
        "assumed: tens of times pyrite's, pyrrhotite decomposes markedly faster [L] Marsden "
        "& House 2006 ch. 6; Hedley & Tabachnick 1958",
        lo=0.0,
        hi=1.0,
    ),
    Param(
        "o2_arsenopyrite_frac_h",
        "1/h",
        2.0e-3,
        "fraction of the feed's arsenopyrite oxidised per hour in the aerated leach",
        "assumed: between pyrite and pyrrhotite [L] Marsden & House 2006 ch. 6",
        lo=0.0,
        hi=1.0,
    ),
)


def sulfide_uptake_g_t_h(
    params: Mapping[str, np.ndarray], mineral_tph: Mapping[str, np.ndarray], solids_tph: np.ndarray
) -> np.ndarray:
    """Oxygen taken by the feed's sulfides per tonne of solids per hour [g/(t h)]."""
    total = np.zeros(solids_tph.shape)
    for mineral, o2_g_g in SULFIDE_O2_G_G.items():
        if mineral in mineral_tph and f"o2_{mineral}_frac_h" in params:
            rate = params[f"o2_{mineral}_frac_h"]
            total = total + safe_div(mineral_tph[mineral], solids_tph) * rate * o2_g_g * 1e6
    return total


def oxygen_mg_l(
    spec_params: Mapping[str, object],
    params: Mapping[str, np.ndarray],
    solids_tph: np.ndarray,
    solution_m3_h: np.ndarray,
    mineral_tph: Mapping[str, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Dissolved oxygen of the leach tanks [mg/L] and the ore's uptake [g/(t h)], per case."""
    supply = spec_params.get("oxygen_supply", "set_point")
    demand = params["o2_demand_g_t_h"] + sulfide_uptake_g_t_h(params, mineral_tph or {}, solids_tph)
    if supply == "set_point":
        return np.broadcast_to(params["do_mg_l"], solids_tph.shape).astype(np.float64), demand
    gas = cy.AIR_O2_FRAC if supply == "air" else 1.0
    sat = cy.oxygen_saturation_mg_l(params["temp_c"], gas)
    t_per_m3 = safe_div(solids_tph, solution_m3_h)
    uptake = demand * t_per_m3  # g/m³/h = mg/L/h
    return cy.sparged_oxygen_mg_l(sat, params["kla_per_h"], uptake), demand


def rate_factor(
    spec_params: Mapping[str, object], params: Mapping[str, np.ndarray], do_mg_l: np.ndarray
) -> np.ndarray:
    """Leach rate constant over the table's (reference-condition) value, per case [-]."""
    model = spec_params.get("rate_model", "mixed")
    if model == "none":
        return np.ones_like(do_mg_l)
    conditions = (params["nacn_mg_l"], do_mg_l, params["ph"], params["temp_c"])
    refs = (params["ref_nacn_mg_l"], params["ref_do_mg_l"], params["ref_ph"], params["ref_temp_c"])
    if model == "power":
        f = cy.power_rate_factor(*conditions, *refs, params["cn_order"], params["do_order"])
    else:
        f = cy.mixed_rate_factor(*conditions, *refs)
    return f * cy.arrhenius_factor(
        params["temp_c"], params["leach_ea_kj_mol"], params["ref_temp_c"]
    )


def lime_kg_t(params: Mapping[str, np.ndarray]) -> np.ndarray:
    """Lime (CaO) taken per tonne of solids at the pulp pH [kg/t] (the module's titration form)."""
    rise = (params["ph"] - params["lime_ref_ph"]) / params["lime_ph_doubling"]
    return np.asarray(params["lime_kg_t"] * 2.0**rise, dtype=np.float64)


def free_cyanide_loss_tph(
    params: Mapping[str, np.ndarray], solution_m3_h: np.ndarray, residence_h: np.ndarray
) -> np.ndarray:
    """NaCN lost by oxidation and HCN volatilisation over the train [t/h]."""
    hcn = 1.0 - cy.cyanide_ion_frac(params["ph"], params["temp_c"])
    k = params["cn_oxidation_per_h"] + params["hcn_loss_per_h"] * hcn
    return k * residence_h * params["nacn_mg_l"] * solution_m3_h / 1e6


def exposure_ultimate(
    rep_um: np.ndarray, ultimate: np.ndarray, grain_um: np.ndarray, access: np.ndarray
) -> np.ndarray:
    """Ultimate extraction per case and size class, (n_cases, n_cls)."""
    return cy.ultimate_by_size(
        rep_um[None, :], ultimate[:, None], grain_um[:, None], access[:, None]
    )
