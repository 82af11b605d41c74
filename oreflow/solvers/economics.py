"""Revenue, operating cost and margin per case, and consumption per tonne.

Revenue (cases/README.md, economics section): the net smelter return of each metal.

- Doré (products of kind ``gold``): the metal produced is what leaves in those products
  less what units added (gold on barren carbon returned to the circuit), as in the
  ``gold_produced_g_h`` KPI. ``NSR = oz (payable x price - refining - transport)``
  (transport per oz of gold only).
- Concentrate (products of kind ``concentrate``): payable gold, silver and copper at
  their concentrate payables, less the copper refining charge per t of payable Cu and the
  treatment charge per dry tonne of concentrate; a product with contract terms
  (``[economics.concentrate_terms.PRODUCT]``) is priced by them instead
  (``oreflow.solvers.concentrate_sales``: minimum deductions, TC/RC, penalties, freight).
- A royalty on the NSR. ``revenue_usd_h`` is after royalty; ``nsr_usd_t`` is it per t ore.

Operating cost (cases/README.md, economics section): per unit, its ``power_kw`` at the electricity price,
each ``use_<item>_kg_h`` at its price, the water it adds, its freight
(``haulage_usd_h`` of a ``haulage`` unit, as ``cost_haulage_usd_h``), its ``[economics.unit_usd_t]``
cost per t of solids fed, and for residue sinks the handling cost per t by destination
less the credit for eligible backfill or building materials; plus each ore source's
cost per dry tonne delivered (``[economics.ore_usd_t]``: mining, crushing, haulage to
the plant), reported as ``cost_ore_usd_h``; plus the fixed cost.
``margin_usd_h = revenue_usd_h - operating_cost_usd_h`` (oreflow's objective: maximise
margin, not cost per ounce, which misleads when recovery varies; ``cost_usd_oz`` is
reported for reference).

Every function works on (n_cases,) arrays: prices may be arrays too (price scenarios).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

import numpy as np

from oreflow.conventions import G_PER_T, GRAMS_PER_TROY_OZ
from oreflow.core.components import ELEMENTS
from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.economics import EconomicsSpec
from oreflow.kernels.arrays import safe_div
from oreflow.solvers.concentrate_sales import contract_sales
from oreflow.solvers.kpis_residue import residue_routing
from oreflow.solvers.simulate import Simulation
from oreflow.solvers.sinks import sink_inflow, sinks
from oreflow.units.base import total_solids

_USE = re.compile(r"^use_(.+)_kg_h$")
#: Residue handling cost, credit and eligibility metric by the KPI family of the sink.
_RESIDUE_COST = {
    "residue_storage": ("storage_usd_t", None, None),
    "residue_backfill": ("backfill_usd_t", "backfill_credit_usd_t", "eligible_flag"),
    "residue_building_materials": (
        "building_materials_usd_t",
        "building_materials_credit_usd_t",
        "eligible_flag",
    ),
}


def dore_nsr_usd_h(
    metal_g_h: np.ndarray | float,
    price_usd_oz: np.ndarray | float,
    payable_frac: np.ndarray | float,
    refining_usd_oz: np.ndarray | float,
    transport_usd_oz: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Net smelter return of a metal sold in doré, before royalty [USD/h].

    ``oz (payable x price - refining - transport)`` with ``oz = g / 31.1034768``.

    Parameters
    ----------
    metal_g_h : (n_cases,) float64 or float
        Metal produced [g/h].
    price_usd_oz : array or float
        Metal price [USD/oz].
    payable_frac : array or float
        Payable fraction [-].
    refining_usd_oz, transport_usd_oz : array or float
        Refining charge and transport/insurance per oz [USD/oz].

    Returns
    -------
    numpy.ndarray
        NSR [USD/h].

    References
    ----------
    cases/README.md, economics section [L terms, A prices].
    """
    oz = np.asarray(metal_g_h, dtype=np.float64) / GRAMS_PER_TROY_OZ
    return oz * (np.asarray(payable_frac) * price_usd_oz - refining_usd_oz - transport_usd_oz)


def nsr_usd_t(
    head_gpt: np.ndarray | float,
    recovery_frac: np.ndarray | float,
    price_usd_oz: np.ndarray | float,
    payable_frac: np.ndarray | float,
    refining_usd_oz: np.ndarray | float,
    transport_usd_oz: np.ndarray | float,
    royalty_frac: np.ndarray | float,
) -> np.ndarray:
    """Gold NSR per tonne of ore after royalty [USD/t] (cases/README.md, economics section, ex09).

    ``NSR = head R / 31.1034768 (payable P - RC - freight) (1 - royalty)``.

    Examples
    --------
    >>> round(float(nsr_usd_t(2.0, 0.90, 2000.0, 0.999, 1.0, 0.5, 0.03)), 4)
    112.0739
    """
    g_per_t = np.asarray(head_gpt, dtype=np.float64) * recovery_frac
    return dore_nsr_usd_h(
        g_per_t, price_usd_oz, payable_frac, refining_usd_oz, transport_usd_oz
    ) * (1.0 - np.asarray(royalty_frac))


def consumable_costs_usd_h(
    use_kg_h: Mapping[str, np.ndarray], price_usd_kg: Mapping[str, float]
) -> dict[str, np.ndarray]:
    """Cost of each consumable item: kg/h x USD/kg [USD/h]; KeyError for an unpriced item.

    Examples
    --------
    >>> consumable_costs_usd_h({"nacn": np.array([900.0])}, {"nacn": 2.8})["nacn"]
    array([2520.])
    """
    return {
        item: np.asarray(kg, dtype=np.float64) * price_usd_kg[item] for item, kg in use_kg_h.items()
    }


def use_items(metrics: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The ``use_<item>_kg_h`` metrics of a unit, keyed by item."""
    return {m.group(1): v for k, v in metrics.items() if (m := _USE.match(k))}


def consumption_kpis(sim: Simulation, t: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every consumable over the plant per tonne of ore, ``use_<item>_kg_t`` [kg/t]."""
    ore_tph = sum(sim.params[o.name]["rate_tph"] for o in sim.plant.spec.ores)
    per_t = safe_div(1.0, ore_tph)
    total: dict[str, np.ndarray] = {}
    for r in sim.units.values():
        for item, kg in use_items(r.metrics).items():
            total[item] = total.get(item, 0.0) + kg
    return {f"use_{item}_kg_t": kg * per_t for item, kg in sorted(total.items())}


def _metal_flows(sim: Simulation, t: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Doré metal produced [g/h] and concentrate metal and mass [t/h], per case.

    Concentrates sold under contract terms are left out (``concentrate_sales`` prices them).
    """
    spec = sim.plant.spec
    metals = ("au", "ag", "cu")
    # one product per stream for the three metals: each (n_cases, n_comp) array read once
    by_metal = spec.comps.element_matrix()[:, [ELEMENTS.index(el) for el in metals]]
    n = sim.n_cases
    contract = spec.economics.concentrate_terms if spec.economics is not None else {}
    totals = {"dore": np.zeros((n, len(metals))), "conc": np.zeros((n, len(metals)))}
    conc_dmt = np.zeros(n)
    for name, families in sinks(sim):
        if "product" not in families:
            continue
        kind = spec.unit(name).params["kind"]
        if kind not in ("gold", "concentrate") or name in contract:
            continue
        flow = sink_inflow(sim, name)
        totals["dore" if kind == "gold" else "conc"] += flow @ by_metal
        if kind == "concentrate":
            conc_dmt += total_solids(spec.comps, flow)
    # metal brought back by units (barren carbon) is not production
    totals["dore"] = (totals["dore"] - t["added"] @ by_metal) * G_PER_T  # g/h
    out = {f"{k}_{el}": totals[k][:, i] for k in totals for i, el in enumerate(metals)}
    out["conc_dmt"] = conc_dmt
    return out


def _missing_price(sim: Simulation, item: str, units: list[str]) -> CaseError:
    return CaseError(
        [
            Problem(
                sim.plant.spec.path,
                f"economics.reagent_usd_kg.{item}",
                f"no price for the consumable {item!r} (use_{item}_kg_h of {', '.join(units)}); "
                f"give it in [economics.reagent_usd_kg]",
            )
        ]
    )


#: Heat a unit takes as steam [kW thermal], priced at ``steam_usd_mwh``.
HEAT_METRICS = ("steam_heating_kw", "heat_duty_kw")


def unit_cost_lines(
    sim: Simulation, econ: EconomicsSpec, name: str, prices: Mapping[str, float]
) -> tuple[np.ndarray, list[tuple[str, np.ndarray]]]:
    """One unit's operating cost [USD/h] (credits deducted) and what it adds to each line.

    Reads only the unit's report, its inlet streams and the economics: the same figures
    wherever the unit is simulated (``cost_lines``: once per block setting in a
    tabulation). ``prices``: USD/kg of each consumable the unit uses.

    Returns
    -------
    cost : (n_cases,) float64
        The unit's net cost [USD/h].
    parts : list of (str, numpy.ndarray)
        ``(line, USD/h)`` in the order they are added to the plant's cost lines
        (``unit_costs_usd_h``); a credit is a positive number to be deducted.
    """
    spec = sim.plant.spec
    comps = spec.comps
    p = econ.params
    n = sim.n_cases
    i_water = comps.solution_offset("water") if comps.has("water") else None
    unit = spec.unit(name)
    r = sim.units[name]
    parts: list[tuple[str, np.ndarray]] = []
    cost = np.zeros(n)
    power = np.asarray(r.metrics.get("power_kw", 0.0)) * p["electricity_usd_kwh"]
    parts.append(("power", power))
    cost = cost + power
    heat_kw = sum(np.asarray(r.metrics.get(k, 0.0)) for k in HEAT_METRICS)
    if np.any(heat_kw):
        steam = heat_kw * p["steam_usd_mwh"] / 1000.0
        parts.append(("steam", steam))
        cost = cost + steam
    for item, c in consumable_costs_usd_h(use_items(r.metrics), prices).items():
        parts.append((f"item_{item}", c))
        cost = cost + c
    if r.added is not None and i_water is not None:
        w = r.added[:, i_water] * p["water_usd_m3"]
        parts.append(("water", w))
        cost = cost + w
    fed: np.ndarray | None = None  # solids fed [t/h], summed where a line reads it

    def fed_tph() -> np.ndarray:
        inlets = sim.plant.topology.inlets_of(name)
        return sum((total_solids(comps, sim.streams[s.name]) for s in inlets), np.zeros(n))

    if "haulage_usd_h" in r.metrics:
        haul = np.asarray(r.metrics["haulage_usd_h"], dtype=np.float64)
        parts.append(("haulage", haul))
        cost = cost + haul
    if name in econ.unit_usd_t:
        fed = fed_tph()
        other = fed * econ.unit_usd_t[name]
        parts.append(("other", other))
        cost = cost + other
    for family in spec.unit_types[unit.type].kpi_families:
        if family not in _RESIDUE_COST:
            continue
        fed = fed_tph() if fed is None else fed
        handling_key, credit_key, flag = _RESIDUE_COST[family]
        handling = fed * p[handling_key]
        parts.append(("residue", handling))
        cost = cost + handling
        if credit_key is not None:
            credit = fed * r.metrics[flag] * p[credit_key]
            parts.append(("credit", credit))
            cost = cost - credit
    return cost, parts


def unit_costs_usd_h(
    sim: Simulation, econ: EconomicsSpec
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], int]:
    """Operating cost by unit and by cost line [USD/h], and how many item prices were defaults.

    A unit whose cost lines the simulation carries (``Simulation.unit_costs``, computed
    once per block setting by a tabulation) is not costed again.

    Returns
    -------
    by_unit : dict
        Unit name -> net cost (credits deducted), (n_cases,).
    by_line : dict
        ``power``, ``steam``, ``item_<item>``, ``water``, ``other``, ``haulage``, ``residue``,
        ``credit`` ->
        (n_cases,); credits are positive numbers to be deducted.
    n_default_prices : int
        Number of priced items whose price is an oreflow default [A].
    """
    spec = sim.plant.spec
    n = sim.n_cases
    cached = sim.unit_costs or {}
    by_unit: dict[str, np.ndarray] = {}
    lines: dict[str, np.ndarray] = {
        k: np.zeros(n) for k in ("power", "steam", "water", "other", "haulage", "residue", "credit")
    }
    users: dict[str, list[str]] = {}
    for name in sim.units:
        items = cached[name].items if name in cached else use_items(sim.units[name].metrics)
        for item in items:
            users.setdefault(item, []).append(name)
    prices = {}
    n_default = 0
    for item, units in users.items():
        found = econ.price_usd_kg(item)
        if found is None:
            raise _missing_price(sim, item, units)
        prices[item] = found[0]
        n_default += int(found[1])
    for u in spec.units:
        got = cached.get(u.name)
        cost, parts = (
            (got.cost, got.lines) if got is not None else unit_cost_lines(sim, econ, u.name, prices)
        )
        for line, v in parts:
            lines[line] = lines.get(line, np.zeros(n)) + v
        by_unit[u.name] = cost
    return by_unit, lines, n_default


#: Extensive figures that hold the fixed cost ``[economics] fixed_usd_h``, with its sign
#: in them. The fixed cost does not scale with throughput, so the optimizers take it out
#: of these figures' per-tonne coefficients and carry it as a constant (``fixed_part_usd_h``).
FIXED_COST_SIGN: dict[str, float] = {
    "margin_usd_h": -1.0,
    "operating_cost_usd_h": 1.0,
    "cost_fixed_usd_h": 1.0,
}


def fixed_part_usd_h(economics: EconomicsSpec | None, name: str) -> float:
    """The part of an extensive figure that is ``fixed_usd_h`` [USD/h]; 0 for other figures.

    The same for every route and mode of a case. The part that follows each route's
    capital (``capital_fixed_frac_y``) is per column: ``fixed_cost_figure`` names the
    figure that holds the whole fixed cost, which the optimizers tabulate.
    """
    if economics is None or name not in FIXED_COST_SIGN:
        return 0.0
    return FIXED_COST_SIGN[name] * float(economics.params["fixed_usd_h"])


#: The KPI the optimizers carry as each column's constant: the fixed cost's tangent in
#: throughput at zero rate [USD/h]. ``fixed_usd_h`` plus, with ``capital_fixed_frac_y``,
#: the maintenance and insurance on the part of the capital that does not grow with
#: throughput at fixed settings (``capital_usd - capital_scaling_usd``); the part that
#: grows is in the per-tonne coefficients, so that the model's derivative in the rates
#: (and a rate bound's shadow price) is the plan's own, and its value exact at the
#: tabulated rates.
FIXED_COST_FIGURE = "cost_fixed_base_usd_h"


def fixed_follows_capital(economics: EconomicsSpec | None) -> bool:
    """Whether part of the fixed cost follows each route's capital (``capital_fixed_frac_y``)."""
    return economics is not None and float(economics.params["capital_fixed_frac_y"]) > 0


def fixed_cost_hours_y(economics: EconomicsSpec) -> float:
    """Operating hours a year the capital-following fixed cost is spread over [h/y].

    ``[economics.project] operating_h_y`` when the case has project terms, else the
    build-up's (``fixed_costs.FixedCostBasis``: 92 % of 8,760 h).
    """
    if economics.project is not None:
        return float(economics.project["operating_h_y"])
    from oreflow.solvers.fixed_costs import FixedCostBasis

    return float(FixedCostBasis.operating_h_y)


def economics_kpis(
    sim: Simulation, t: Mapping[str, np.ndarray], names: Collection[str] | None = None
) -> dict[str, np.ndarray]:
    """Revenue by metal, operating cost by unit and by item, margin; empty without ``[economics]``.

    ``names``: the KPIs the caller reads (``lean_figures``); the count of defaulted
    figures, which reads the residue routing and the water added, is then left out
    unless named. Every figure returned is the same either way.
    """
    econ = sim.plant.spec.economics
    if econ is None:
        return {}
    p = econ.params
    n = sim.n_cases
    m = _metal_flows(sim, t)
    conc_payable_au = m["conc_au"] * G_PER_T * p["conc_au_payable_frac"]
    conc_payable_ag = m["conc_ag"] * G_PER_T * p["conc_ag_payable_frac"]
    conc_payable_cu = m["conc_cu"] * p["conc_cu_payable_frac"]
    revenue_au = (
        dore_nsr_usd_h(
            m["dore_au"],
            p["au_usd_oz"],
            p["au_payable_frac"],
            p["au_refining_usd_oz"],
            p["transport_usd_oz"],
        )
        + conc_payable_au / GRAMS_PER_TROY_OZ * p["au_usd_oz"]
    )
    revenue_ag = (
        dore_nsr_usd_h(m["dore_ag"], p["ag_usd_oz"], p["ag_payable_frac"], p["ag_refining_usd_oz"])
        + conc_payable_ag / GRAMS_PER_TROY_OZ * p["ag_usd_oz"]
    )
    revenue_cu = conc_payable_cu * (p["cu_usd_t"] - p["cu_refining_usd_t"])
    conc_charges = m["conc_dmt"] * p["conc_treatment_usd_t"]
    contract_kpis, sold = contract_sales(sim, econ.concentrate_terms, p)
    if contract_kpis:
        revenue_au = revenue_au + sold["value_au"]
        revenue_ag = revenue_ag + sold["value_ag"]
        revenue_cu = revenue_cu + sold["value_cu"]
        conc_charges = conc_charges + sold["charges"]
    revenue_pb, revenue_zn = sold["value_pb"], sold["value_zn"]
    nsr = revenue_au + revenue_ag + revenue_cu + revenue_pb + revenue_zn - conc_charges
    royalty = np.maximum(nsr, 0.0) * p["royalty_nsr_frac"]
    revenue = nsr - royalty

    by_unit, lines, n_default_items = unit_costs_usd_h(sim, econ)
    # agitation and pumping, which no unit model reports (oreflow.solvers.utilities)
    from oreflow.solvers.utilities import utility_power_kw

    utility_kw = utility_power_kw(sim)
    # compressed air, crushing and conveying (oreflow.solvers.bulk_utilities)
    from oreflow.solvers.bulk_utilities import bulk_utility_kw

    by_kind = bulk_utility_kw(sim)
    for per_unit in by_kind.values():
        for name, kw in per_unit.items():
            utility_kw[name] = utility_kw.get(name, np.zeros(n)) + kw
    lines["utilities"] = np.zeros(n)
    for name, kw in utility_kw.items():
        cost = kw * p["electricity_usd_kwh"]
        lines["utilities"] = lines["utilities"] + cost
        by_unit[name] = by_unit.get(name, np.zeros(n)) + cost
    capital = {}
    if econ.capital is not None:  # always: oreflow's default curves when the case gives none
        from oreflow.solvers.capital import capital_kpis

        capital = capital_kpis(sim)
    fixed_capital = np.zeros(n)
    fixed_base = np.full(n, float(p["fixed_usd_h"]))
    if p["capital_fixed_frac_y"] > 0 and "capital_usd" in capital:
        from oreflow.solvers.fixed_costs import capital_fixed_usd_h

        frac, hours = p["capital_fixed_frac_y"], fixed_cost_hours_y(econ)
        fixed_capital = capital_fixed_usd_h(frac, capital["capital_usd"], hours)
        # its tangent in throughput at zero: the part of the capital that does not grow
        unscaled = capital["capital_usd"] - capital["capital_scaling_usd"]
        fixed_base = fixed_base + capital_fixed_usd_h(frac, unscaled, hours)
    fixed = np.full(n, float(p["fixed_usd_h"])) + fixed_capital
    ore_cost = np.zeros(n)
    for ore in sim.plant.spec.ores:
        usd_t = econ.ore_usd_t.get(ore.name.removeprefix("ore."), 0.0)
        ore_cost = ore_cost + sim.params[ore.name]["rate_tph"] * usd_t
    operating = sum(by_unit.values(), np.zeros(n)) + fixed + ore_cost
    margin = revenue - operating
    ore_tph = sum(sim.params[o.name]["rate_tph"] for o in sim.plant.spec.ores)
    per_t = safe_div(1.0, ore_tph)
    gold_oz_h = (m["dore_au"] + m["conc_au"] * G_PER_T) / GRAMS_PER_TROY_OZ
    for product in econ.concentrate_terms:
        gold_oz_h = (
            gold_oz_h
            + contract_kpis[f"conc_{product}_au_gpt"]
            * contract_kpis[f"conc_{product}_dmt_h"]
            / GRAMS_PER_TROY_OZ
        )
    out = {
        "revenue_au_usd_h": revenue_au,
        "revenue_ag_usd_h": revenue_ag,
        "revenue_cu_usd_h": revenue_cu,
        **(
            {"revenue_pb_usd_h": revenue_pb, "revenue_zn_usd_h": revenue_zn}
            if contract_kpis
            else {}
        ),
        "concentrate_charges_usd_h": conc_charges,
        **contract_kpis,
        "royalty_usd_h": royalty,
        "revenue_usd_h": revenue,
        "nsr_usd_t": revenue * per_t,
        "cost_power_usd_h": lines["power"],
        "cost_steam_usd_h": lines["steam"],
        "utility_power_kw": sum(utility_kw.values(), np.zeros(n)),
        **{f"utility_{name}_kw": kw for name, kw in utility_kw.items()},
        **{f"utility_{kind}_kw": sum(per.values(), np.zeros(n)) for kind, per in by_kind.items()},
        "cost_utilities_usd_h": lines["utilities"],
        **{f"cost_{k}_usd_h": v for k, v in sorted(lines.items()) if k.startswith("item_")},
        "cost_water_usd_h": lines["water"],
        "cost_other_usd_h": lines["other"],
        "cost_haulage_usd_h": lines["haulage"],
        "cost_residue_usd_h": lines["residue"],
        "credit_residue_usd_h": lines["credit"],
        "cost_fixed_usd_h": fixed,
        "cost_fixed_capital_usd_h": fixed_capital,
        FIXED_COST_FIGURE: fixed_base,
        "cost_ore_usd_h": ore_cost,
        **{f"cost_unit_{name}_usd_h": v for name, v in by_unit.items()},
        "operating_cost_usd_h": operating,
        "operating_cost_usd_t": operating * per_t,
        "margin_usd_h": margin,
        "margin_usd_t": margin * per_t,
        "cost_usd_oz": safe_div(operating, gold_oz_h, fill=np.nan),
    }
    if names is None or "economics_assumed_count" in names:
        assumed = _assumed_count(sim, econ, m, t, revenue, lines) + n_default_items
        out["economics_assumed_count"] = assumed
    out.update(capital)
    if econ.project is None:
        from oreflow.solvers.project import unit_cost_kpis

        # C1 needs no project terms; AISC needs the sustaining capital of [economics.project]
        out["c1_usd_oz"] = unit_cost_kpis(out, gold_oz_h, 0.0, 1.0)["c1_usd_oz"]
    else:
        from oreflow.solvers.project import project_kpis, terms_of, unit_cost_kpis

        terms = terms_of(econ.project)
        out.update(unit_cost_kpis(out, gold_oz_h, terms.sustaining_usd_y, terms.operating_h_y))
        capital = out.get("capital_usd") if econ.project.get("capital_usd") is None else None
        out.update(project_kpis(terms, out, np.asarray(ore_tph, dtype=np.float64), capital))
    return out


def _assumed_count(
    sim: Simulation,
    econ: EconomicsSpec,
    m: Mapping[str, np.ndarray],
    t: Mapping[str, np.ndarray],
    revenue: np.ndarray,
    lines: Mapping[str, np.ndarray],
) -> np.ndarray:
    """Per case, how many scalar economic figures that matter took oreflow's default [A].

    A figure matters when what it prices is there: a silver price with no silver sold
    does not count. Media and oxygen prices are counted with the consumable items.
    """
    masks = _assumed_masks(sim, econ, m, t, revenue, lines)
    terms_assumed = sum(len(terms.assumed) for terms in econ.concentrate_terms.values())
    return sum(masks.values(), np.zeros(sim.n_cases)) + terms_assumed


def assumed_figures(sim: Simulation, t: Mapping[str, np.ndarray], case: int = 0) -> list[str]:
    """Names of the economic figures of one case that took oreflow's default [A].

    The same figures ``economics_assumed_count`` counts: scalar keys of ``[economics]``
    that price something present, then ``reagent_usd_kg.ITEM`` for every consumable
    priced from oreflow's table.
    """
    econ = sim.plant.spec.economics
    if econ is None:
        return []
    _, lines, _ = unit_costs_usd_h(sim, econ)
    revenue = economics_kpis(sim, t)["revenue_usd_h"]
    masks = _assumed_masks(sim, econ, _metal_flows(sim, t), t, revenue, lines)
    names = [k for k, v in masks.items() if bool(np.asarray(v)[case])]
    items = sorted({i for r in sim.units.values() for i in use_items(r.metrics)})
    for item in items:
        found = econ.price_usd_kg(item)
        if found is not None and found[1]:
            names.append(f"reagent_usd_kg.{item}")
    for product, terms in econ.concentrate_terms.items():
        names.extend(f"concentrate_terms.{product}.{key}" for key in terms.assumed)
    return names


def _assumed_masks(
    sim: Simulation,
    econ: EconomicsSpec,
    m: Mapping[str, np.ndarray],
    t: Mapping[str, np.ndarray],
    revenue: np.ndarray,
    lines: Mapping[str, np.ndarray],
) -> dict[str, np.ndarray]:
    comps = sim.plant.spec.comps
    n = sim.n_cases
    route = residue_routing(sim)
    water_added = (
        t["added"][:, comps.solution_offset("water")] if comps.has("water") else np.zeros(n)
    )
    dore_au, dore_ag = m["dore_au"] > 0, m["dore_ag"] > 0
    conc_au, conc_ag, conc_cu = m["conc_au"] > 0, m["conc_ag"] > 0, m["conc_cu"] > 0
    always = np.ones(n, dtype=bool)
    matters = {
        "au_usd_oz": dore_au | conc_au,
        "au_payable_frac": dore_au,
        "au_refining_usd_oz": dore_au,
        "transport_usd_oz": dore_au,
        "ag_usd_oz": dore_ag | conc_ag,
        "ag_payable_frac": dore_ag,
        "ag_refining_usd_oz": dore_ag,
        "royalty_nsr_frac": revenue != 0,
        "conc_au_payable_frac": conc_au,
        "conc_ag_payable_frac": conc_ag,
        "conc_cu_payable_frac": conc_cu,
        "cu_usd_t": conc_cu,
        **{
            f"{metal}_usd_t": np.full(
                n,
                any(
                    ct.values[f"{metal}_payable_frac"] > 0 for ct in econ.concentrate_terms.values()
                ),
            )
            for metal in ("pb", "zn")
        },
        "cu_refining_usd_t": conc_cu,
        "conc_treatment_usd_t": m["conc_dmt"] > 0,
        "electricity_usd_kwh": lines["power"] > 0,
        "steam_usd_mwh": lines["steam"] > 0,
        "water_usd_m3": water_added > 0,
        "storage_usd_t": route["storage"] > 0,
        "backfill_usd_t": route["backfill"] > 0,
        "backfill_credit_usd_t": route["backfill"] > 0,
        "building_materials_usd_t": route["building_materials"] > 0,
        "building_materials_credit_usd_t": route["building_materials"] > 0,
        "fixed_usd_h": always,
    }
    return {
        key: np.broadcast_to(matters[key], (n,)).astype(np.float64)
        for key in econ.defaulted
        if key in matters
    }
