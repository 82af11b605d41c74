"""The ``[economics]`` section of a case: metal terms, unit costs, residue handling.

Economics is opt-in. A case without ``[economics]`` runs and reports its balance and
technical KPIs, but no revenue, cost or margin: prices are not data, and a margin
computed from prices nobody chose would look like an answer. An ``[economics]``
section, even an empty one, switches the economic KPIs on; every key left out takes the
default below. Those defaults are cases/README.md, economics section test values **[A]** (assumed, not market
data); the run reports how many were used as ``economics_assumed_count``.

Consumables are priced by name: a unit that reports ``use_<item>_kg_h`` is charged
``[economics.reagent_usd_kg].<item>`` per kg (defaults: the ``prices`` each unit type
declares, collected in ``default_prices``; the built-in ones in ``REAGENT_PRICES``), grinding
media ``media_usd_kg``, oxygen (items ``o2`` or ``oxygen``) ``oxygen_usd_t``. An item no
price covers stops the run with a case error naming it, rather than costing nothing.
``[economics.unit_usd_t]`` adds, per unit name, an operating cost per tonne of solids fed
(filter cloths, maintenance, flocculant not reported as an item).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from oreflow.core.cost_index import CEPCI
from oreflow.core.schema import REQUIRED, Param, frac, named_tables, suggest, validate_table
from oreflow.errors import Problem
from oreflow.flowsheet.concentrate_terms import ConcentrateTerms, parse_concentrate_terms
from oreflow.units import UNIT_TYPES
from oreflow.units.base import UnitType

_A = "[A] cases/README.md, economics section"

ECONOMICS_PARAMS: tuple[Param, ...] = (
    Param("source", "-", "", "where the prices and costs come from", "case author", kind=str),
    Param(
        "au_usd_oz",
        "USD/oz",
        2000.0,
        "gold price",
        f"{_A}.1 test value (not market data)",
        lo=0.0,
        hi=1e5,
    ),
    Param("ag_usd_oz", "USD/oz", 25.0, "silver price", "assumed [A]", lo=0.0, hi=1e4),
    Param("cu_usd_t", "USD/t", 9000.0, "copper price", "assumed [A]", lo=0.0, hi=1e6),
    Param("pb_usd_t", "USD/t", 2000.0, "lead price", "assumed [A]", lo=0.0, hi=1e6),
    Param("zn_usd_t", "USD/t", 2600.0, "zinc price", "assumed [A]", lo=0.0, hi=1e6),
    frac(
        "au_payable_frac",
        0.999,
        "payable fraction of the gold in doré",
        "99.8-99.95 % [L] cases/README.md, economics section",
    ),
    frac(
        "ag_payable_frac",
        0.965,
        "payable fraction of the silver in doré",
        "95-98 % [L] cases/README.md, economics section",
    ),
    Param(
        "au_refining_usd_oz",
        "USD/oz",
        1.0,
        "refining charge per oz of gold in doré",
        "USD 0.5-2/oz [L]; 1.0 in ex09 [A] cases/README.md, economics section",
        lo=0.0,
        hi=1000.0,
    ),
    Param(
        "ag_refining_usd_oz",
        "USD/oz",
        0.5,
        "refining charge per oz of silver in doré",
        "assumed [A] (cases/README.md, economics section gives USD 0.5-2 per oz doré)",
        lo=0.0,
        hi=100.0,
    ),
    Param(
        "transport_usd_oz",
        "USD/oz",
        0.5,
        "doré transport and insurance per oz of gold",
        "about USD 0.3-2/oz [L]; 0.5 in ex09 [A] cases/README.md, economics section",
        lo=0.0,
        hi=1000.0,
    ),
    frac(
        "royalty_nsr_frac",
        0.03,
        "royalty as a fraction of the net smelter return",
        "jurisdiction specific; 3 % NSR [A] cases/README.md, economics section",
    ),
    frac(
        "conc_au_payable_frac",
        0.95,
        "payable fraction of the gold in a concentrate sold (product kind 'concentrate')",
        "90-97.5 % [L] cases/README.md, economics section",
    ),
    frac(
        "conc_ag_payable_frac",
        0.90,
        "payable fraction of the silver in a concentrate sold",
        "assumed [A]",
    ),
    frac(
        "conc_cu_payable_frac",
        0.965,
        "payable fraction of the copper in a concentrate sold",
        "assumed [A]",
    ),
    Param(
        "conc_treatment_usd_t",
        "USD/t",
        80.0,
        "treatment charge and freight per dry tonne of concentrate sold",
        "assumed [A]",
        lo=0.0,
        hi=1e4,
    ),
    Param(
        "cu_refining_usd_t",
        "USD/t",
        176.0,
        "refining charge per tonne of payable copper in concentrate (8 US cents/lb)",
        "assumed [A]",
        lo=0.0,
        hi=1e5,
    ),
    Param(
        "steam_usd_mwh",
        "USD/MWh",
        40.0,
        "heat delivered as steam (autoclave heating, heated leaches), charged on every "
        "unit's steam_heating_kw and heat_duty_kw",
        "assumed [A]: fuel at USD 8/GJ (about 29/MWh) through an 85 % boiler, plus "
        "operation and maintenance",
        lo=0.0,
        hi=1000.0,
    ),
    Param(
        "electricity_usd_kwh",
        "USD/kWh",
        0.10,
        "electricity price, charged on every unit's power_kw",
        f"{_A}.2 (0.04-0.25)",
        lo=0.0,
        hi=10.0,
    ),
    Param(
        "media_usd_kg",
        "USD/kg",
        1.20,
        "grinding media price (item 'media')",
        f"{_A}.2 (0.9-1.6)",
        lo=0.0,
        hi=100.0,
    ),
    Param(
        "oxygen_usd_t",
        "USD/t",
        100.0,
        "oxygen price incl. its plant's power (items 'o2' and 'oxygen')",
        f"{_A}.2 on-site VPSA/cryogenic (40-150)",
        lo=0.0,
        hi=1e4,
    ),
    Param(
        "water_usd_m3",
        "USD/m³",
        0.0,
        "raw water price, charged on the water units add (dilution, wash, solution sources)",
        "assumed (site figure)",
        lo=0.0,
        hi=100.0,
    ),
    Param(
        "storage_usd_t",
        "USD/t",
        1.0,
        "handling cost per dry tonne of residue to storage (tailings sinks)",
        "assumed [A]",
        lo=0.0,
        hi=1e4,
    ),
    Param(
        "backfill_usd_t",
        "USD/t",
        4.0,
        "paste-plant operating cost per dry tonne of residue to backfill, binder excluded "
        "(binder is priced as the item 'binder')",
        "assumed [A]",
        lo=0.0,
        hi=1e4,
    ),
    Param(
        "building_materials_usd_t",
        "USD/t",
        2.0,
        "handling and delivery cost per dry tonne of residue to building materials",
        "assumed [A]",
        lo=0.0,
        hi=1e4,
    ),
    Param(
        "backfill_credit_usd_t",
        "USD/t",
        0.0,
        "credit per dry tonne of eligible residue placed as backfill (avoided fill cost)",
        "assumed [A] (site figure)",
        lo=0.0,
        hi=1e4,
    ),
    Param(
        "building_materials_credit_usd_t",
        "USD/t",
        0.0,
        "credit per dry tonne of eligible residue taken for building materials (sale price)",
        "assumed [A] (site figure)",
        lo=0.0,
        hi=1e4,
    ),
    Param(
        "fixed_usd_h",
        "USD/h",
        0.0,
        "fixed operating cost (labour, maintenance, general and administration); "
        "the optimizers carry it as a constant, not scaled with throughput",
        "site figure (0 = margin before fixed costs)",
        lo=0.0,
        hi=1e8,
    ),
    Param(
        "flotation_air_jg_cm_s",
        "cm/s",
        0.0,
        "superficial gas velocity of forced-air flotation cells, whose blowers are charged "
        "to each flotation unit (0: self-aspirating cells, no blower)",
        "forced-air cells run at about 1-2 cm/s [assumed] (oreflow.solvers.bulk_utilities)",
        lo=0.0,
        hi=10.0,
    ),
    Param(
        "blower_pressure_kpa",
        "kPa",
        40.0,
        "pressure the flotation-air blowers deliver above atmosphere (pulp head in the cell "
        "and distributor losses)",
        "assumed [A]",
        lo=1.0,
        hi=300.0,
    ),
    Param(
        "crusher_feed_f80_mm",
        "mm",
        0.0,
        "run-of-mine F80 the crushing plant takes; its power (Bond's law to each ore's own "
        "80 % passing size) is charged to the unit the ore enters (0: crushing not charged)",
        "Bond 1952, Trans. AIME 193:484; site figure",
        lo=0.0,
        hi=2000.0,
    ),
    Param(
        "conveyor_length_m",
        "m",
        0.0,
        "length of the belt conveyors carrying the ore to the plant (0: not charged)",
        "site figure",
        lo=0.0,
        hi=1e5,
    ),
    Param(
        "conveyor_lift_m",
        "m",
        0.0,
        "height the ore conveyors lift it",
        "site figure",
        lo=-1000.0,
        hi=1000.0,
    ),
    Param(
        "capital_fixed_frac_y",
        "1/y",
        0.0,
        "fixed cost that follows the capital: maintenance and insurance a year as a "
        "fraction of each route's installed capital estimate (capital_usd), spread over "
        "the operating hours and added to fixed_usd_h (which then holds labour, "
        "supervision, overheads and G&A only); 0 = fixed_usd_h is the whole fixed cost",
        "Towler & Sinnott 2013, Chemical Engineering Design 2nd ed., ch. 8: maintenance "
        "3-5 %/y, insurance and property tax 1-2 %/y of plant cost [assumed]",
        lo=0.0,
        hi=0.5,
    ),
)

#: ``[economics.project]``: the terms of the yearly cash-flow table (mine life, capital,
#: tax, discount rate) from which NPV, IRR and payback follow (``oreflow.solvers.project``).
PROJECT_PARAMS: tuple[Param, ...] = (
    Param(
        "reserve_t",
        "t",
        REQUIRED,
        "ore reserve fed to the plant over the mine life",
        "mine plan",
        lo=0.0,
        lo_open=True,
    ),
    Param(
        "operating_h_y",
        "h/y",
        8059.0,
        "operating hours per year",
        "92 % availability x 8,760 h [assumed]; grinding circuits run 90-94 % (Wills & "
        "Finch 2016 §7)",
        lo=0.0,
        hi=8784.0,
        lo_open=True,
    ),
    Param(
        "capital_usd",
        "USD",
        None,
        "initial capital (plant and infrastructure); default: the [economics.capital] estimate",
        "study figure",
        lo=0.0,
    ),
    Param(
        "capital_phasing",
        "-",
        [1.0],
        "fraction of the initial capital spent in each pre-production year (sum 1)",
        "study figure; one year [assumed]",
        kind=list,
        lo=0.0,
        hi=1.0,
    ),
    Param(
        "sustaining_usd_y",
        "USD/y",
        0.0,
        "sustaining capital per production year",
        "study figure",
        lo=0.0,
    ),
    Param(
        "working_capital_months",
        "months",
        0.0,
        "working capital as months of operating cost, tied up in the first production "
        "year and released in the last",
        "study figure (2-3 months is common [assumed])",
        lo=0.0,
        hi=24.0,
    ),
    Param("closure_usd", "USD", 0.0, "closure cost in the last year", "study figure", lo=0.0),
    frac("tax_frac", 0.0, "income tax rate on taxable income", "jurisdiction figure"),
    Param(
        "depreciation_y",
        "y",
        5.0,
        "straight-line depreciation period of the initial capital (capped at the mine life)",
        "jurisdiction figure; 5 y [assumed]",
        lo=0.0,
        hi=50.0,
    ),
    frac(
        "discount_frac",
        0.05,
        "real discount rate per year",
        "5 % real is the common gold-study base case [assumed]",
    ),
)

#: ``[economics.capital]``: cost year, estimate class and installation factor.
CAPITAL_PARAMS: tuple[Param, ...] = (
    Param(
        "cost_year",
        "y",
        REQUIRED,
        "year whose money the capital estimate is stated in (CEPCI escalation)",
        "case author",
        kind=int,
    ),
    Param(
        "estimate_class",
        "-",
        5,
        "AACE 18R-97 estimate class (5 order of magnitude ... 1 definitive): sets the "
        "accuracy band reported with the capital",
        "AACE International RP 18R-97",
        kind=int,
        lo=1,
        hi=5,
    ),
    Param(
        "lang_factor",
        "-",
        3.63,
        "factor from the default curves' purchased equipment cost to installed plant "
        "cost (oreflow's default curves, for units without an item of their own): "
        "Lang's factor for solid-fluid processing plants",
        "Lang 1948, Chem. Eng. 55(6):112 (3.10 solids, 3.63 solid-fluid, 4.74 fluids)",
        lo=1.0,
        hi=10.0,
    ),
    Param(
        "installation_factor",
        "-",
        1.0,
        "factor from the curves' cost to installed plant cost (1: the curves are "
        "installed costs; Lang 1948 gives 3.10 for solids-processing plants on "
        "delivered equipment)",
        "Lang 1948, Chem. Eng. 55(6):112",
        lo=1.0,
        hi=10.0,
    ),
)

#: ``[economics.capital.items.UNIT]``: one cost curve ``cost = a_usd x figure^b``.
CURVE_PARAMS: tuple[Param, ...] = (
    Param(
        "figure",
        "-",
        REQUIRED,
        "the unit's figure the curve is on (power_kw, ...)",
        "-",
        kind=str,
    ),
    Param(
        "a_usd", "USD", REQUIRED, "curve coefficient", "the curve's source", lo=0.0, lo_open=True
    ),
    Param("b", "-", REQUIRED, "curve exponent", "the curve's source", lo=0.0, hi=2.0, lo_open=True),
    Param("figure_lo", "-", None, "least figure of the curve's published range", "the source"),
    Param("figure_hi", "-", None, "largest figure of the curve's published range", "the source"),
    Param("year", "y", REQUIRED, "year the curve's costs are stated in", "the source", kind=int),
    Param("count", "-", 1, "number of such items installed", "plant figure", kind=int, lo=1),
    Param("source", "-", REQUIRED, "where the curve is published", "-", kind=str),
)


def default_prices(unit_types: Iterable[UnitType]) -> Mapping[str, tuple[float, str]]:
    """Default price [USD/kg] and source of every item the unit types declare, by item.

    Each unit type declares the consumables it reports (``UnitType.prices``); two
    types declaring one item must agree on its price.

    Raises
    ------
    ValueError
        If two unit types give one item different prices.
    """
    out: dict[str, tuple[float, str]] = {}
    owner: dict[str, str] = {}
    for utype in unit_types:
        for item, price in utype.prices.items():
            if item in out and out[item] != (price.usd_kg, price.source):
                msg = f"unit types {owner[item]!r} and {utype.name!r} price {item!r} differently"
                raise ValueError(msg)
            out[item] = (price.usd_kg, price.source)
            owner.setdefault(item, utype.name)
    return MappingProxyType(dict(sorted(out.items())))


#: Default reagent prices [USD/kg] by consumable item, with their source, as the built-in
#: unit types declare them. Every figure is a test value or an assumption **[A]**.
REAGENT_PRICES: Mapping[str, tuple[float, str]] = default_prices(UNIT_TYPES.values())

#: Consumable items priced from a scalar key rather than the reagent table.
SCALAR_PRICED = {"media": ("media_usd_kg", 1.0), "o2": ("oxygen_usd_t", 1e-3)}
SCALAR_PRICED["oxygen"] = SCALAR_PRICED["o2"]

_ITEM = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class EconomicsSpec:
    """A validated ``[economics]`` section.

    Attributes
    ----------
    params : Mapping[str, Any]
        Scalar keys with defaults filled.
    reagent_usd_kg : Mapping[str, float]
        Prices the case gives in ``[economics.reagent_usd_kg]`` [USD/kg].
    unit_usd_t : Mapping[str, float]
        Other operating cost per tonne of solids fed, by unit name [USD/t].
    ore_usd_t : Mapping[str, float]
        Cost of each ore source per dry tonne delivered to the plant (mining, crushing,
        haulage to the plant), by ore name without ``ore.`` [USD/t].
    default_usd_kg : Mapping[str, tuple[float, str]]
        Default price and source of every item the case's unit types declare.
    defaulted : tuple of str
        Scalar keys that took oreflow's default (assumed values).
    project : Mapping[str, Any] or None
        ``[economics.project]`` with defaults filled (None: no project economics).
    capital : Mapping[str, Any] or None
        ``[economics.capital]`` with defaults filled, its cost curves by unit under
        ``items`` (None: no capital estimate).
    concentrate_terms : Mapping[str, ConcentrateTerms]
        Sales terms of each concentrate product the case prices by contract
        (``[economics.concentrate_terms.PRODUCT]``); the others take the legacy keys.
    """

    params: Mapping[str, Any]
    reagent_usd_kg: Mapping[str, float]
    unit_usd_t: Mapping[str, float]
    defaulted: tuple[str, ...]
    ore_usd_t: Mapping[str, float] = field(default_factory=dict)
    default_usd_kg: Mapping[str, tuple[float, str]] = field(default_factory=lambda: REAGENT_PRICES)
    project: Mapping[str, Any] | None = None
    capital: Mapping[str, Any] | None = None
    concentrate_terms: Mapping[str, ConcentrateTerms] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def price_usd_kg(self, item: str) -> tuple[float, bool] | None:
        """Price of a consumable item [USD/kg] and whether it is an oreflow default.

        The case's reagent table wins; then media and oxygen from their scalar keys; then
        the defaults the unit types declare. None if nothing prices the item.
        """
        if item in self.reagent_usd_kg:
            return float(self.reagent_usd_kg[item]), False
        if item in SCALAR_PRICED:
            key, factor = SCALAR_PRICED[item]
            return float(self.params[key]) * factor, key in self.defaulted
        if item in self.default_usd_kg:
            return self.default_usd_kg[item][0], True
        return None


def _number_table(
    raw: Any,
    file: str,
    key: str,
    problems: list[Problem],
    unit: str,
    valid_keys: list[str] | None = None,
    what: str = "a unit",
) -> dict[str, float]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(Problem(file, key, f"must be a table of name = number [{unit}]"))
        return {}
    out = {}
    for name, value in raw.items():
        k = f"{key}.{name}"
        if valid_keys is not None and name not in valid_keys:
            problems.append(
                Problem(file, k, f"{name!r} is not {what} of this case{suggest(name, valid_keys)}")
            )
            continue
        if valid_keys is None and not _ITEM.match(name):
            problems.append(
                Problem(
                    file,
                    k,
                    "item names are lower-case letters, digits and _ (as in use_<item>_kg_h)",
                )
            )
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(
                Problem(file, k, f"must be a number [{unit}], got {type(value).__name__}")
            )
            continue
        if not 0.0 <= float(value) <= 1e6:
            problems.append(Problem(file, k, f"{value:g} is out of range [0, 1e+06] [{unit}]"))
            continue
        out[name] = float(value)
    return out


def parse_economics(
    raw: Any,
    unit_names: list[str],
    file: str,
    problems: list[Problem],
    ore_names: list[str] | None = None,
    unit_types: Iterable[UnitType] | None = None,
    concentrate_products: list[str] | None = None,
) -> EconomicsSpec | None:
    """Validate an ``[economics]`` table (None when the case has none).

    ``concentrate_products`` names the case's products of kind ``concentrate``, the
    units ``[economics.concentrate_terms]`` may give sales terms for.
    """
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append(Problem(file, "economics", "must be a table"))
        return None
    n0 = len(problems)
    params = validate_table(
        raw,
        ECONOMICS_PARAMS,
        file=file,
        prefix="economics.",
        problems=problems,
        extra_keys=(
            "reagent_usd_kg",
            "unit_usd_t",
            "ore_usd_t",
            "project",
            "capital",
            "concentrate_terms",
        ),
    )
    terms = parse_concentrate_terms(
        raw.get("concentrate_terms"), concentrate_products or [], file, problems
    )
    reagents = _number_table(
        raw.get("reagent_usd_kg"), file, "economics.reagent_usd_kg", problems, "USD/kg"
    )
    known = [*REAGENT_PRICES, *SCALAR_PRICED]
    for item in reagents:
        hint = suggest(item, known) if item not in known else ""
        if hint.startswith("; did you mean"):  # a typo would leave the default price in use
            problems.append(
                Problem(
                    file,
                    f"economics.reagent_usd_kg.{item}",
                    f"{item!r} is not a reagent oreflow prices{hint} (an item of your own "
                    "must not be this close to a known one)",
                )
            )
        if item in SCALAR_PRICED:
            key = SCALAR_PRICED[item][0]
            problems.append(
                Problem(
                    file,
                    f"economics.reagent_usd_kg.{item}",
                    f"{item} is priced by economics.{key}; give it there",
                )
            )
    unit_costs = _number_table(
        raw.get("unit_usd_t"), file, "economics.unit_usd_t", problems, "USD/t", unit_names
    )
    ore_costs = _number_table(
        raw.get("ore_usd_t"),
        file,
        "economics.ore_usd_t",
        problems,
        "USD/t",
        ore_names or [],
        "an ore source",
    )
    project = _project(raw.get("project"), file, problems)
    capital = (
        _capital(raw["capital"], unit_names, file, problems)
        if "capital" in raw
        else DEFAULT_CAPITAL
    )
    if len(problems) > n0:
        return None
    defaulted = tuple(p.name for p in ECONOMICS_PARAMS if p.kind is float and p.name not in raw)
    return EconomicsSpec(
        MappingProxyType(params),
        MappingProxyType(reagents),
        MappingProxyType(unit_costs),
        defaulted,
        MappingProxyType(ore_costs),
        REAGENT_PRICES if unit_types is None else default_prices(unit_types),
        project,
        capital,
        terms,
    )


def _year(value: Any, file: str, key: str, problems: list[Problem]) -> None:
    """A cost year must have an index value (no silent extrapolation)."""
    from oreflow.core.cost_index import CEPCI

    if isinstance(value, int) and value not in CEPCI:
        problems.append(
            Problem(
                file,
                key,
                f"no CEPCI value for {value}: the index table covers "
                f"{min(CEPCI)}-{max(CEPCI)} (oreflow.core.cost_index)",
            )
        )


#: ``[economics.capital]`` of a case that gives none: oreflow's default curves only, in the
#: money of the last CEPCI year, class 5 (AACE 18R-97: order of magnitude).
DEFAULT_CAPITAL: Mapping[str, Any] = MappingProxyType(
    {
        "cost_year": max(CEPCI),
        "estimate_class": 5,
        "lang_factor": 3.63,
        "installation_factor": 1.0,
        "items": MappingProxyType({}),
    }
)


def _capital(
    raw: Any, unit_names: list[str], file: str, problems: list[Problem]
) -> Mapping[str, Any] | None:
    """Validate ``[economics.capital]`` (None when absent)."""
    if raw is None:
        return None
    key = "economics.capital"
    if not isinstance(raw, dict):
        problems.append(Problem(file, key, "must be a table"))
        return None
    n0 = len(problems)
    p = validate_table(
        raw, CAPITAL_PARAMS, file=file, prefix=f"{key}.", problems=problems, extra_keys=("items",)
    )
    _year(p.get("cost_year"), file, f"{key}.cost_year", problems)
    items_raw = raw.get("items", {})
    items: dict[str, Mapping[str, Any]] = {}
    if not isinstance(items_raw, dict):
        problems.append(Problem(file, f"{key}.items", "must be a table: one cost curve per unit"))
    else:
        curves = named_tables(
            items_raw,
            unit_names,
            f"{key}.items",
            "a unit of this case",
            " (figure, a_usd, b, year, source)",
            file,
            problems,
        )
        for unit, k, curve in curves:
            c = validate_table(curve, CURVE_PARAMS, file=file, prefix=f"{k}.", problems=problems)
            _year(c.get("year"), file, f"{k}.year", problems)
            lo, hi = c.get("figure_lo"), c.get("figure_hi")
            if lo is not None and hi is not None and lo >= hi:
                problems.append(Problem(file, f"{k}.figure_lo", f"{lo:g} is not below figure_hi"))
            items[unit] = MappingProxyType(c)
    if len(problems) > n0:
        return None
    return MappingProxyType({**p, "items": MappingProxyType(items)})


def _project(raw: Any, file: str, problems: list[Problem]) -> Mapping[str, Any] | None:
    """Validate ``[economics.project]`` (None when absent)."""
    if raw is None:
        return None
    key = "economics.project"
    if not isinstance(raw, dict):
        problems.append(Problem(file, key, "must be a table"))
        return None
    n0 = len(problems)
    p = validate_table(raw, PROJECT_PARAMS, file=file, prefix=f"{key}.", problems=problems)
    phasing = p.get("capital_phasing")
    if isinstance(phasing, list):
        if not phasing:
            problems.append(Problem(file, f"{key}.capital_phasing", "must not be empty"))
        elif abs(sum(phasing) - 1.0) > 1e-9:
            problems.append(
                Problem(
                    file, f"{key}.capital_phasing", f"fractions must sum to 1, not {sum(phasing):g}"
                )
            )
    return None if len(problems) > n0 else MappingProxyType(p)
