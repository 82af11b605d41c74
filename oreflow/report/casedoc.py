"""The case-file reference, generated from the parameter schemas.

``cases/README.md`` embeds the output of ``case_reference_markdown`` between two marker
lines; a test keeps them equal, so the documentation cannot drift from the code.
Regenerate with ``python -m oreflow.report.casedoc cases/README.md``.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from oreflow.core.components import CATALOGUE
from oreflow.core.schema import REQUIRED, Param
from oreflow.flowsheet.case import CASE_PARAMS, SIZE_PARAMS, SPECIES_PROPERTY_PARAMS
from oreflow.flowsheet.economics import (
    CAPITAL_PARAMS,
    CURVE_PARAMS,
    ECONOMICS_PARAMS,
    PROJECT_PARAMS,
    default_prices,
)
from oreflow.units import UNIT_TYPES
from oreflow.units.base import UnitType
from oreflow.units.ore_feed import ORE_PARAMS, PORE_WATER_PARAM, PSD_PARAMS

BEGIN = "<!-- BEGIN GENERATED REFERENCE (python -m oreflow.report.casedoc cases/README.md) -->"
END = "<!-- END GENERATED REFERENCE -->"


def _default(p: Param) -> str:
    if p.default is REQUIRED:
        return "**required**"
    if p.default is None:
        return "(none)"
    if isinstance(p.default, str):
        return f'"{p.default}"' if p.default else '""'
    if isinstance(p.default, bool):
        return str(p.default).lower()
    if isinstance(p.default, float):
        return f"{p.default:g}"
    return str(p.default)


def param_table(params: tuple[Param, ...]) -> list[str]:
    """Markdown table rows of parameter declarations: key, unit, default, range, meaning, source."""
    rows = ["| key | unit | default | range | meaning | source |", "|---|---|---|---|---|---|"]
    for p in params:
        doc = p.doc.replace("|", "/")
        rows.append(
            f"| `{p.name}` | {p.unit} | {_default(p)} | {p.range_text()} | {doc} | {p.source} |"
        )
    return rows


def _declarations(utype: UnitType) -> list[str]:
    """What a unit type declares beyond its parameters, one sentence each."""
    said = []
    if utype.requires:
        said.append("Needs the species " + ", ".join(f"`{s}`" for s in utype.requires) + ".")
    if utype.circuit:
        said.append("Reports grinding-circuit figures (F80, P80, circulating load, Wi_op).")
    if utype.kpi_families:
        said.append("KPI families: " + ", ".join(f"`{f}`" for f in utype.kpi_families) + ".")
    if utype.prices:
        said.append("Priced items: " + ", ".join(f"`{i}`" for i in utype.prices) + ".")
    return [" ".join(said), ""] if said else []


def case_reference_markdown(unit_types: Mapping[str, UnitType] = UNIT_TYPES) -> str:
    """Markdown tables of every section, unit type and species of the case format."""
    out = ["### `[case]`", "", *param_table(CASE_PARAMS), ""]
    out += [
        "Also in `[case]`: `sources` (list of strings: where the figures come from), `solids`, "
        "`solution`, `adsorbent` (lists of species names, see the catalogue below; `solution` "
        'defaults to `["water"]`, `adsorbent` to `[]`).',
        "",
        "### `[case.sizes]`",
        "",
        *param_table(SIZE_PARAMS),
        "",
        "### `[case.species_properties.NAME]` (a species not in the catalogue)",
        "",
        *param_table(SPECIES_PROPERTY_PARAMS),
        "",
        "### Species catalogue",
        "",
        "| species | phase | density t/m³ | classifies as t/m³ | elements (mass fraction) | what it is |",
        "|---|---|---|---|---|---|",
    ]
    for s in CATALOGUE.values():
        el = ", ".join(f"{k} {v:g}" for k, v in s.elements.items()) or "-"
        out.append(
            f"| `{s.name}` | {s.phase} | {s.density_t_m3:g} | {s.hydraulic_density_t_m3:g} | {el} | {s.description} |"
        )
    out += ["", "### `[ore.NAME]`", "", *param_table(ORE_PARAMS), ""]
    out += [
        "Tables of an ore source: `mineralogy` (solid species = mass fraction of the non-gold "
        "solids; `gangue`, when declared and not listed, takes the balance), `deportment` (gold "
        "species = fraction of the gold, summing to 1; optional with a single gold species), "
        "`silver_deportment` (silver class `ag`, `acanthite`, `ag_galena`, `ag_tetrahedrite` or `ag_electrum` "
        "= share of the silver, as Ag, summing to 1; optional with a single silver class; "
        "without it the silver of a case declaring `ag` is all native silver), "
        "`pore_water` (optional: solution species = tenor in mg/L of the water that comes with "
        "the ore, `moisture_frac`; e.g. the residual `nacn`, `cn_wad` and `fe_cn` of a reclaimed "
        "tailings slurry; entry: "
        + PORE_WATER_PARAM.doc
        + "; source: "
        + PORE_WATER_PARAM.source
        + ") and `psd`:",
        "",
        "#### `[ore.NAME.psd]`",
        "",
        *param_table(PSD_PARAMS),
        "",
    ]
    for utype in unit_types.values():
        out += [f'### `[units.NAME]` with `type = "{utype.name}"`', "", utype.summary + ".", ""]
        if utype.inlets is None:
            ports_in = "any port names (at least one)"
        else:
            ports_in = ", ".join(f"`{p}`" for p in utype.inlets) or "none"
        outs = ", ".join(f"`{p}`" for p in utype.outlets) or (
            f"one per key of `{utype.outlets_table}`"
            if utype.outlets_table
            else "none (ends the flowsheet)"
        )
        out += [f"Inlets: {ports_in}. Outlets: {outs}.", ""]
        out += _declarations(utype)
        if utype.params:
            out += param_table(utype.params)
            out.append("")
        for tname, schema in utype.tables.items():
            out += [
                f"#### `[units.NAME.{tname}.SPECIES]`: {schema.doc}",
                "",
                *param_table(schema.params),
                "",
            ]
        if utype.outlets_table:
            out += [
                f"`{utype.outlets_table} = {{ outlet = fraction, ... }}`: fractions in [0, 1] "
                "summing to 1.",
                "",
            ]
        if utype.envelope:
            out += [
                "Operating envelope (a warning in `run`; a limit of the plan in `optimize`):",
                "",
                "| figure | min | max | outside it | source |",
                "|---|---|---|---|---|",
            ]
            out += [
                f"| `{e.metric}` | {'' if e.lo is None else f'{e.lo:g}'} | "
                f"{'' if e.hi is None else f'{e.hi:g}'} | {e.why} | {e.source} |"
                for e in utype.envelope
            ]
            out.append("")
    out += _economics_reference(default_prices(unit_types.values()))
    out += _emissions_reference()
    out += _optimization_reference()
    return "\n".join(out).rstrip() + "\n"


def _optimization_reference() -> list[str]:
    """Mode grids, ``[constraints]`` and ``[objective]`` (oreflow optimize)."""
    from oreflow.flowsheet.optimization import (
        CONSTRAINT_PARAMS,
        EXTENSIVE_SUFFIXES,
        OBJECTIVE_PARAMS,
        SOURCE_PARAMS,
    )

    return [
        "",
        "### `[units.NAME.modes]` (oreflow optimize)",
        "",
        "A grid of candidate values of numeric parameters of the unit, e.g. "
        "`residence_h = [16.0, 24.0, 32.0]`; the optimizer chooses one combination of all "
        "grids and the ore rate. Use intensive settings (per tonne, residence, tenor, cut "
        "size): a mill's `specific_energy_kwh_t`, a CIL's `residence_h` and "
        "`carbon_advance_kg_t`, so that the plan is linear in throughput and verifies. "
        "`run` ignores the grids and simulates the values written in the unit.",
        "",
        "### `[constraints]`",
        "",
        *param_table(CONSTRAINT_PARAMS),
        "",
        "`[constraints.max]` and `[constraints.min]`: bounds on any KPI (`mill_power_kw`) or "
        'unit metric (`"units.cil.tank_volume_m3"`). A figure whose name ends in '
        f"{', '.join(f'`{s}`' for s in EXTENSIVE_SUFFIXES)} scales with throughput "
        "(a capacity); any other is a property of the plan (a quality limit). A quality "
        "limit on recovery, WAD cyanide, residue use share, CO2 per tonne or per ounce "
        "(`co2_kg_t`, `co2_kg_oz`) or fresh water per tonne (`water_m3_t`) is a ratio of "
        "two extensive figures and enters the model as a linear row with a shadow price; "
        "other quality limits filter the combinations. Such a ratio is an objective only "
        "when the plant's rate is the one continuous decision (one ore source, no "
        "residue or train splitter); otherwise bound it, or draw it with `oreflow pareto "
        "--x KPI` (`--mark VALUE` marks a target and reports what holding it costs).",
        "",
        "`[constraints.ore.NAME]`: the rate bounds of one ore source (mine plan). With "
        "several `[ore.*]` sections the optimizer chooses each source's rate (the blend) "
        "within them; a source without bounds takes from 0 to its `rate_tph`.",
        "",
        *param_table(SOURCE_PARAMS),
        "",
        "`residue_splitter`: the residue's tonnage to each use becomes a decision (only "
        "tonnage: the residue is never split by species). A use's market or capacity is "
        'an ordinary limit on its sink, e.g. `[constraints.max] "units.bricks.solids_tph" '
        "= 20.0`; a use the residue fails (its `eligible_flag`) takes nothing; "
        "`residue_utilisation_frac_min` is a row with a shadow price; "
        '`kpi = "residue_to_storage_tph"` with `sense = "minimize"` minimises stored '
        "residue.",
        "",
        "### `[objective]`",
        "",
        *param_table(OBJECTIVE_PARAMS),
        "",
        "`[objective.weights]`: KPI = weight, for a weighted sum instead of one `kpi`; with "
        '`sense = "maximize"` and no kpi the objective is `margin_usd_h`. '
        "`lexicographic = [{kpi, sense, tol_frac}, ...]`: optimise the levels in turn, each "
        "with the earlier ones held within `tol_frac` (relative) of their optimum. "
        "`oreflow optimize --refine` narrows every grid around the incumbent until the "
        "objective stops moving.",
        "",
    ]


def _economics_reference(prices: Mapping[str, tuple[float, str]]) -> list[str]:
    """The ``[economics]`` section: scalar keys, reagent price defaults, unit costs."""
    out = [
        "### `[economics]`",
        "",
        "Optional. Without it a run reports no revenue, cost or margin. With it (even "
        "empty) the economic KPIs are reported: `revenue_<metal>_usd_h`, `revenue_usd_h` "
        "(net smelter return after royalty), `nsr_usd_t`, `cost_power_usd_h`, "
        "`cost_item_<item>_usd_h` for each consumable, `cost_unit_<unit>_usd_h`, "
        "`operating_cost_usd_h`/`_usd_t`, `margin_usd_h`/`_usd_t`, `cost_usd_oz`. Every key "
        "left out takes the default below; **the defaults are test values [A] (docs/models.md "
        "cases/README.md, economics section), not market data**, and `economics_assumed_count` says how many were used.",
        "",
        *param_table(ECONOMICS_PARAMS),
        "",
        "#### `[economics.reagent_usd_kg]`: price of each consumable item [USD/kg]",
        "",
        "Units report what they use as `use_<item>_kg_h`; each item is priced here by its "
        "name (`media` by `media_usd_kg`, `o2`/`oxygen` by `oxygen_usd_t`). An item with "
        "no price stops the run with a case error naming it. Lime items are CaO. Defaults:",
        "",
        "| item | default USD/kg | source |",
        "|---|---|---|",
    ]
    out += [f"| `{k}` | {v:g} | {src} |" for k, (v, src) in prices.items()]
    out += [
        "",
        "#### `[economics.unit_usd_t]`: other operating cost of a unit [USD/t]",
        "",
        "`UNIT = cost` per tonne of solids fed to that unit (cloths, maintenance, "
        "flocculant not reported as an item); keys must be units of the case.",
        "",
        "#### `[economics.ore_usd_t]`: cost of an ore source [USD/t]",
        "",
        "`NAME = cost` per dry tonne of ore from `[ore.NAME]` delivered to the plant "
        "(mining, crushing, haulage to the plant), reported as `cost_ore_usd_h`; it is "
        "what makes the ore blend an economic choice.",
        "",
        "#### `[economics.project]`: the project's cash-flow table",
        "",
        "With it the run reports `mine_life_y`, `npv_usd`, `irr_frac`, `payback_y` (from a "
        "yearly cash-flow table: phased capital, working capital, sustaining capital, "
        "closure, straight-line depreciation, income tax, end-of-year discounting) and "
        "the industry's unit costs `c1_usd_oz` (cash cost less by-product credits) and "
        "`aisc_usd_oz` (C1 + royalty + sustaining capital; corporate G&A and exploration "
        "not included).",
        "",
        *param_table(PROJECT_PARAMS),
        "",
        "#### `[economics.capital]`: the capital estimate",
        "",
        "Each `[economics.capital.items.UNIT]` is a cost curve `cost = count x a_usd x "
        "(figure / count)^b` on one of the unit's simulated figures (`power_kw`, "
        "`working_volume_m3`, `oxygen_plant_t_d`, `tank_volume_m3`, ...), in the money of "
        "its `year`, escalated by the CEPCI to `cost_year` (a year with no index value is "
        "an error); a size outside `figure_lo`..`figure_hi` is a warning naming the unit "
        "and the range. Reported: `capital_usd`, `capital_<unit>_usd` and the AACE class "
        "band `capital_low_usd`/`capital_high_usd`; `[economics.project]` uses "
        "`capital_usd` when it gives no capital of its own.",
        "",
        *param_table(CAPITAL_PARAMS),
        "",
        "Curve keys:",
        "",
        *param_table(CURVE_PARAMS),
        "",
        *_concentrate_terms_reference(),
    ]
    return out


def _concentrate_terms_reference() -> list[str]:
    """``[economics.concentrate_terms.PRODUCT]``: a concentrate's sales contract."""
    from oreflow.flowsheet.concentrate_terms import BASES, PENALTY_PARAMS, TERM_PARAMS

    out = [
        "#### `[economics.concentrate_terms.PRODUCT]`: a concentrate's sales terms",
        "",
        "Optional, per `product` of kind `concentrate` (a concentrate without a table is "
        "priced by the `conc_*` keys above). The smelter pays `min(frac x assay, assay - "
        "min deduction)` of each metal (gold's fraction stepping with grade) less refining "
        "charges per payable oz/lb, and charges a treatment charge per dry tonne, "
        "penalties per dry tonne pro rata above each element's threshold and freight per "
        "wet tonne (the product stream's own water). Reported per product "
        "`conc_<product>_nsr_usd_h`, `_nsr_usd_dmt`, assays, payables, `_tc_usd_h`, "
        "`_rc_usd_h`, `_penalty_<el>_usd_h`, `_freight_usd_h`, `_deduction_<metal>_usd_h` "
        "(value of the metal not paid), `_rejected_flag`; and the totals "
        "`concentrate_tc_usd_h`, `concentrate_rc_usd_h`, `concentrate_penalty_usd_h`, "
        "`concentrate_freight_usd_h`, `concentrate_deduction_<metal>_usd_h`. Keys left out "
        "take the `basis` term set's value:",
        "",
        *param_table(TERM_PARAMS),
        "",
        "| basis | key | value | source |",
        "|---|---|---|---|",
    ]
    for basis, (values, penalties) in BASES.items():
        out += [f"| {basis} | `{k}` | {v} | {src} |" for k, (v, src) in values.items()]
        out += [
            f"| {basis} | penalty `{p.element}` | {p.usd_dmt:g} USD/dmt per {p.step_pct:g} % "
            f"over {p.threshold_pct:g} %"
            + (f", rejected above {p.reject_pct:g} %" if p.reject_pct is not None else "")
            + f" | {p.source} |"
            for p in penalties
        ]
    out += [
        "",
        "`[economics.concentrate_terms.PRODUCT.penalties.ELEMENT]` replaces the basis's "
        "penalty on that element (a tracked element: a penalty on Sb, Hg or Bi is refused "
        "until the element is in the stream; the bases' own are listed as untracked, "
        "`conc_<product>_penalties_untracked_count`):",
        "",
        *param_table(PENALTY_PARAMS),
        "",
    ]
    return out


def _emissions_reference() -> list[str]:
    """The ``[emissions]`` section: grid, oxygen and heat factors, reagent factors."""
    from oreflow.flowsheet.emissions import EMISSIONS_PARAMS, REAGENT_KG_CO2_KG

    out = [
        "### `[emissions]`",
        "",
        "Optional: the factors behind the CO2 KPIs (`co2_kg_h` and its sources "
        "`co2_direct_kg_h`, `co2_electricity_kg_h`, `co2_oxygen_kg_h`, `co2_heat_kg_h`, "
        "`co2_transport_kg_h`, "
        "`co2_reagents_kg_h`, `co2_reagent_<item>_kg_h`; `co2_kg_t`, `co2_kg_oz`), reported "
        "for every case with the defaults below when the section is left out. Direct CO2 "
        "(vented, dissolved in what leaves, released by limestone) is mass and needs no "
        "factor. The site water balance (`water_fresh_m3_h`, `water_recycled_m3_h`, "
        "`water_to_<destination>_m3_h`, `water_m3_t`) needs none either.",
        "",
        *param_table(EMISSIONS_PARAMS),
        "",
        "#### `[emissions.reagent_kg_co2_kg]`: embodied CO2 of each consumable [kg CO2e/kg]",
        "",
        "By the item name units report as `use_<item>_kg_h` (oxygen is counted by "
        "`oxygen_kwh_kg`); an item with no factor counts zero and is counted in "
        "`co2_items_without_factor_count`. Defaults:",
        "",
        "| item | default kg CO2e/kg | source |",
        "|---|---|---|",
    ]
    out += [f"| `{k}` | {v:g} | {src} |" for k, (v, src) in REAGENT_KG_CO2_KG.items()]
    out.append("")
    return out


def embed(readme: Path) -> str:
    """The README text with the generated reference put between the markers."""
    text = readme.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n\n{case_reference_markdown()}\n{END}{tail}"


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "cases/README.md")
    target.write_text(embed(target), encoding="utf-8")
