"""Bio-oxidation (BIOX) of refractory sulfide concentrates in aerated stirred tanks.

Mesophile bacteria (Acidithiobacillus ferrooxidans, A. thiooxidans, Leptospirillum)
oxidise the sulfides at 40-45 °C and pH 1.2-1.8 in 4-6 days, in cooled, air-sparged
tanks; sulfide oxidation 80-98 %; the oxygen demand per S is the same as POX
(Marsden & House 2006; Adams (ed.) 2016, Gold Ore Processing; docs/models.md#biox [S/L]). The model is the POX one (``oreflow.units.pox``) with
these differences:

- kinetics: the same shrinking-particle form over N equal tanks, with t* stated at
  42 °C and 20 µm and no O2-pressure term (dissolved O2 is held above the bacteria's
  limit by aeration); defaults t* pyrite 2 d, arsenopyrite 1 d, pyrrhotite 0.5 d,
  chalcopyrite 20 d, Ea 60 kJ/mol [assumed: they give 85-90 % pyrite oxidation of a
  75 µm concentrate in 5 days over 4 tanks, within docs/models.md's 80-98 %]; the
  Arrhenius term holds only within the mesophile window, hence the 30-50 °C range;
- products: at 40 °C no hematite forms: iron stays in solution as ferric sulfate
  (``fe_to_solution_frac``) or forms jarosite, and what the acid cannot keep in
  solution precipitates as ferric hydroxide (``metal_hydroxides``); arsenic goes to
  solution as arsenate by default, for the neutralisation that follows to fix as
  ferric arsenate; the liquor goes to CCD washing and neutralisation (Marsden & House 2006; Adams (ed.) 2016, Gold Ore Processing; docs/models.md#biox);
- oxygen from air: ``o2_demand_kg_h`` at ``o2_utilisation_frac`` of the air's O2 gives
  ``air_tph``; blowers and agitators draw ``aeration_kwh_kg_o2`` per kg O2 consumed
  (``power_kw``) [assumed];
- heat: the vessel is held at temperature, so the reaction heat less the heat that
  warms the feed is the cooling duty (``cooling_duty_kw``), a design driver.

Carbonaceous matter is not oxidised. Gold locked in the sulfides is freed with its
host as in POX.
"""

from __future__ import annotations

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.core.schema import Param, frac, positive
from oreflow.errors import Problem
from oreflow.units import reagents
from oreflow.units.base import UnitResult, UnitSpec, UnitType
from oreflow.units.oxidiser import OxidationState, Oxidiser, check_oxidiser
from oreflow.units.oxidiser_params import (
    GOLD_HOST,
    HEAT_MJ_KG_S,
    MINERAL_TABLE,
    MODE_ACID,
    O2_IN_AIR_FRAC,
    OXIDISABLE,
    Chemistry,
    heat_params,
)

#: t* [min] at 42 °C and 20 µm: pyrite 2 d, arsenopyrite 1 d, pyrrhotite 0.5 d,
#: chalcopyrite 20 d (mesophiles barely attack chalcopyrite) [assumed].
BIOX_T_STAR_REF_MIN = (2880.0, 1440.0, 720.0, 28800.0)
#: Activation energy of the bacterial oxidation [kJ/mol] [assumed].
BIOX_ACTIVATION_KJ_MOL = (60.0, 60.0, 60.0, 60.0)

PARAMS: tuple[Param, ...] = (
    Param(
        "temperature_degc",
        "°C",
        42.0,
        "tank temperature (mesophile cultures)",
        "40-45 °C [S] Marsden & House 2006; Adams (ed.) 2016, Gold Ore Processing; docs/models.md#biox",
        lo=30.0,
        hi=50.0,
    ),
    Param(
        "residence_h",
        "h",
        120.0,
        "mean residence time of the tank train",
        "4-6 d [L] Marsden & House 2006; Adams (ed.) 2016, Gold Ore Processing; docs/models.md#biox",
        lo=0.0,
        hi=500.0,
    ),
    Param(
        "n_tanks",
        "-",
        4,
        "number of equal, perfectly mixed tanks (3 primary tanks in parallel count as one)",
        "assumed; BIOX trains of 3 primary + 3 secondary tanks",
        kind=int,
        lo=1,
        hi=50,
    ),
    frac(
        "o2_utilisation_frac",
        0.35,
        "fraction of the O2 in the sparged air that is consumed",
        "assumed",
        lo=0.01,
    ),
    positive(
        "aeration_kwh_kg_o2",
        "kWh/kg",
        1.0,
        "blower and agitator energy per kg of O2 consumed",
        "assumed",
        hi=20.0,
    ),
    *heat_params(25.0, 0.0),
    frac(
        "fe_to_solution_frac",
        1.0,
        "fraction of the released iron (not in scorodite) kept in solution as ferric sulfate",
        "assumed: at pH 1.2-1.8 and 40 °C ferric iron stays largely dissolved",
    ),
    frac(
        "fe_to_jarosite_frac",
        0.0,
        "fraction of the released iron precipitated as jarosite",
        "assumed",
    ),
    frac(
        "as_to_solution_frac",
        1.0,
        "fraction of the arsenic left dissolved as arsenate (the rest forms ferric arsenate)",
        "assumed: fixed afterwards by neutralisation with ferric iron",
    ),
    GOLD_HOST,
    Param(
        "kinetics_ref_temperature_degc",
        "°C",
        42.0,
        "temperature at which the minerals' t_star_ref_min are stated",
        "assumed",
        lo=0.0,
        hi=100.0,
    ),
    positive(
        "kinetics_ref_size_um",
        "µm",
        20.0,
        "particle size at which the minerals' t_star_ref_min are stated",
        "assumed",
        hi=10000.0,
    ),
)

BIO = Chemistry(
    mode=MODE_ACID,
    remainder="metal_hydroxides",
    minerals=OXIDISABLE,
    residence_key="residence_h",
    residence_to_min=60.0,
    stages_key="n_tanks",
    t_star_ref_min=BIOX_T_STAR_REF_MIN,
    activation_kj_mol=BIOX_ACTIVATION_KJ_MOL,
    heat_mj_kg_s=HEAT_MJ_KG_S,
    uses_o2_pressure=False,
)


class BioOxidiser(Oxidiser):
    """Compiled BIOX train: the POX model with air, cooling and bio kinetics."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        super().__init__(spec, comps, BIO)

    def apply(self, state: OxidationState, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Oxidise as POX does, then size the aeration."""
        result = super().apply(state, inlets)
        params = state.params
        o2_kg_h = result.metrics["o2_demand_kg_h"]
        result.metrics["air_tph"] = (
            o2_kg_h / 1000.0 / params["o2_utilisation_frac"] / O2_IN_AIR_FRAC
        )
        result.metrics["power_kw"] = o2_kg_h * params["aeration_kwh_kg_o2"]
        return result


def _check(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    check_oxidiser(spec, comps, file, problems, BIO)


BIO_OXIDATION = UnitType(
    name="bio_oxidation",
    route_word="BIOX",
    reactive=True,
    summary="bio-oxidation (BIOX) at 40-45 °C over 4-6 d: sulfide oxidation by tank, "
    "air, cooling duty, ferric liquor for CCD and neutralisation",
    inlets=("feed",),
    outlets=("discharge", "vent"),
    params=PARAMS,
    tables={"minerals": MINERAL_TABLE},
    build=BioOxidiser,
    check=_check,
    kpi_families=("oxidation",),
    scale_site="concentrate_treatment",
    prices={"limestone": reagents.LIMESTONE, "soda_ash": reagents.SODA_ASH},
)

UNIT_TYPES = (BIO_OXIDATION,)
