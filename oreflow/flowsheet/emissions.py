"""The ``[emissions]`` section of a case: the factors that turn a plant's uses into CO2.

Optional: a case without it is reported with the defaults below (each with its source or
marked **[assumed]**). The CO2 KPIs (``oreflow.solvers.kpis_carbon``) multiply

- every kW the plant draws (units' ``power_kw`` and the utility power of
  ``oreflow.solvers.utilities``) by the grid factor ``grid_kg_co2_kwh``;
- the oxygen bought (items ``o2``/``oxygen``) by the specific power of the oxygen plant
  ``oxygen_kwh_kg`` and the same grid factor;
- the heat the units take as steam (``steam_heating_kw``, ``heat_duty_kw``) by the fuel's
  CO2 per GJ over the boiler efficiency;
- the freight work of haulage units (``t_km_h``) by the trucks' diesel CO2 per t km;
- each other consumable ``use_<item>_kg_h`` by its embodied (cradle-to-gate) factor,
  ``[emissions.reagent_kg_co2_kg]`` of the case over ``REAGENT_KG_CO2_KG`` below.

Direct emissions (CO2 leaving the plant in any stream, reagent CO2 released at once)
need no factor: they are mass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from oreflow.core.schema import Param, frac, positive, validate_table
from oreflow.errors import Problem

EMISSIONS_PARAMS: tuple[Param, ...] = (
    Param("source", "-", "", "where the emission factors come from", "case author", kind=str),
    Param(
        "grid_kg_co2_kwh",
        "kg CO2/kWh",
        0.5366,
        "CO2 per kWh of grid electricity",
        "China national average power CO2 emission factor for 2022, 0.5366 kg/kWh "
        "(0.5856 without market-traded non-fossil power): Ministry of Ecology and "
        "Environment and National Bureau of Statistics, announcement of 26 Dec 2024",
        lo=0.0,
        hi=2.0,
    ),
    positive(
        "oxygen_kwh_kg",
        "kWh/kg",
        0.40,
        "electricity of the oxygen plant per kg of O2 bought (cryogenic or VPSA, ~95 % O2)",
        "[assumed] typical 0.3-0.5 kWh/kg of tonnage oxygen plants",
        hi=2.0,
    ),
    Param(
        "heat_fuel_kg_co2_gj",
        "kg CO2/GJ",
        94.6,
        "CO2 per GJ of fuel burnt to raise the steam and heat units take",
        "IPCC 2006 Guidelines Vol. 2 ch. 2 Table 2.2, other bituminous coal, stationary "
        "combustion (natural gas 56.1, diesel 74.1)",
        lo=0.0,
        hi=200.0,
    ),
    Param(
        "road_kg_co2_tkm",
        "kg CO2/(t km)",
        0.08,
        "diesel CO2 of road freight per tonne-kilometre hauled (haulage units' t_km_h)",
        "[assumed] about 0.08 kg CO2e/t km for articulated diesel trucks over 33 t at "
        "average load, empty returns included (order of the UK DESNZ greenhouse gas "
        "conversion factors for freighting goods, not checked)",
        lo=0.0,
        hi=1.0,
    ),
    frac(
        "boiler_efficiency_frac",
        0.85,
        "heat delivered per heat of fuel burnt",
        "[assumed] 0.80-0.90 for industrial steam boilers",
        lo=0.3,
    ),
)

#: Embodied (cradle-to-gate) CO2 of consumables [kg CO2e per kg] and its source, by the
#: item name units report as ``use_<item>_kg_h``. Reagent CO2 released in the plant
#: (limestone dissolving) is direct, not here.
REAGENT_KG_CO2_KG: Mapping[str, tuple[float, str]] = MappingProxyType(
    {
        "lime": (
            1.0,
            "quicklime: calcination CO2 0.75 kg/kg (IPCC 2006 Vol. 3 ch. 2 Table 2.4, "
            "high-calcium lime) plus kiln fuel 0.25 [assumed]",
        ),
        "limestone": (0.01, "[assumed] quarrying and crushing only"),
        "cement": (
            0.8,
            "clinker process CO2 0.52 kg/kg (IPCC 2006 Vol. 3 ch. 2 eq. 2.4 default) plus "
            "kiln fuel and grinding power [assumed]",
        ),
        "binder": (0.8, "as cement [assumed]: a paste-fill binder that is mostly OPC"),
        "media": (
            2.0,
            "steel: world average 1.92 t CO2/t crude steel (worldsteel, Sustainability "
            "Indicators 2023) plus forging and heat treatment [assumed]",
        ),
        "nacn": (3.0, "[assumed] HCN (Andrussow) and NaOH route, cradle to gate"),
        "naoh": (1.2, "[assumed] chlor-alkali, allocated by mass"),
        "smbs": (0.9, "[assumed] sulfur burning and soda ash"),
        "so2": (0.5, "[assumed] liquid SO2 from sulfur burning"),
        "glycine": (3.0, "[assumed] Strecker route from formaldehyde, HCN and NH3"),
        "thiosulfate": (0.8, "[assumed] ammonium thiosulfate from SO2 and NH3"),
        "cats": (0.8, "[assumed] calcium thiosulfate, as ammonium thiosulfate"),
        "kmno4": (2.5, "[assumed] MnO2 fusion with KOH and electrolytic oxidation"),
        "cuso4": (1.0, "[assumed]"),
        "hcl": (0.8, "[assumed] by-product acid, allocated by mass"),
        "h2so4": (0.1, "[assumed] sulfur-burning acid plant, which exports its heat"),
        "nahs": (1.0, "[assumed] NaOH and H2S"),
        "soda_ash": (0.9, "[assumed] Solvay process"),
        "carbon": (5.0, "[assumed] activated coconut-shell carbon"),
    }
)

#: Items whose CO2 is the oxygen plant's electricity (``oxygen_kwh_kg``), not a factor.
OXYGEN_ITEMS = ("o2", "oxygen")


@dataclass(frozen=True)
class EmissionsSpec:
    """A validated ``[emissions]`` section (defaults when the case has none).

    Attributes
    ----------
    params : Mapping[str, Any]
        Scalar keys with defaults filled.
    reagent_kg_co2_kg : Mapping[str, float]
        Embodied CO2 of consumables the case gives [kg CO2e/kg].
    """

    params: Mapping[str, Any] = field(
        default_factory=lambda: MappingProxyType({p.name: p.default for p in EMISSIONS_PARAMS})
    )
    reagent_kg_co2_kg: Mapping[str, float] = field(default_factory=dict)

    def factor(self, item: str) -> float | None:
        """Embodied CO2 of a consumable [kg/kg]: the case's, else the default; None if none."""
        if item in self.reagent_kg_co2_kg:
            return float(self.reagent_kg_co2_kg[item])
        if item in REAGENT_KG_CO2_KG:
            return REAGENT_KG_CO2_KG[item][0]
        return None


def parse_emissions(raw: Any, file: str, problems: list[Problem]) -> EmissionsSpec:
    """Validate ``[emissions]``; problems are appended, defaults fill what is left out."""
    if raw is None:
        return EmissionsSpec()
    if not isinstance(raw, dict):
        problems.append(Problem(file, "emissions", "must be a table"))
        return EmissionsSpec()
    params = validate_table(
        raw,
        EMISSIONS_PARAMS,
        file=file,
        prefix="emissions.",
        problems=problems,
        extra_keys=("reagent_kg_co2_kg",),
    )
    for p in EMISSIONS_PARAMS:
        params.setdefault(p.name, p.default)
    table = raw.get("reagent_kg_co2_kg", {})
    factors: dict[str, float] = {}
    if not isinstance(table, dict):
        problems.append(
            Problem(file, "emissions.reagent_kg_co2_kg", "must be a table of item = kg CO2/kg")
        )
        table = {}
    for item, value in table.items():
        key = f"emissions.reagent_kg_co2_kg.{item}"
        if item in OXYGEN_ITEMS:
            problems.append(Problem(file, key, "oxygen is counted by oxygen_kwh_kg, not here"))
        elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            problems.append(Problem(file, key, f"must be a number >= 0 [kg CO2/kg], got {value!r}"))
        else:
            factors[item] = float(value)
    return EmissionsSpec(MappingProxyType(params), MappingProxyType(factors))
