"""Net smelter return of each concentrate sold under its contract terms.

For a ``product`` of kind ``concentrate`` with ``[economics.concentrate_terms.PRODUCT]``
(``oreflow.flowsheet.concentrate_terms``), per dry tonne of concentrate with assays
``a_M`` (g/t for Au and Ag, % for Cu and the penalty elements):

- payable content ``p_M = min(f_M a_M, max(a_M - d_M, 0))`` (fraction ``f_M``, gold's
  stepping with its grade, minimum deduction ``d_M``), paid at the metal price less
  the refining charge per payable oz (Au, Ag) or lb (Cu); lead and zinc are paid like
  copper (minimum deduction in units), without a refining charge;
- treatment charge ``TC`` per dry tonne; penalties ``sum_e P_e max(0, a_e - t_e) / s_e``
  per dry tonne (pro rata steps ``s_e`` over the threshold ``t_e``); freight per wet
  tonne, the wet tonnage being the product stream's solids plus its water.

``NSR = sum_M (payable value - RC) - TC - penalties - freight``, before royalty. The
value of the metal the smelter keeps (content less payable, at the metal price) is
reported as the deduction. Each product reports its own NSR and its deductions by
kind; the totals join the plant's ``revenue_<metal>_usd_h`` (payable value less RC)
and ``concentrate_charges_usd_h`` (TC, penalties, freight).

References
----------
Goldie & Tredger (1991), Net smelter return models and their use in the exploration,
evaluation and exploitation of polymetallic deposits, Geoscience Canada 18(4): NSR as
payable metal less treatment, refining, penalties and freight.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from oreflow.conventions import G_PER_T, GRAMS_PER_TROY_OZ
from oreflow.core.components import ELEMENTS
from oreflow.flowsheet.concentrate_terms import ConcentrateTerms
from oreflow.kernels.arrays import safe_div
from oreflow.solvers.simulate import Simulation
from oreflow.solvers.sinks import sink_inflow
from oreflow.units.base import total_solids

#: Base metals paid per tonne without a refining charge (lead and zinc concentrates).
BASE_METALS = ("pb", "zn")
#: Pounds per metric tonne (avoirdupois lb = 0.45359237 kg exactly).
LB_PER_T = 1000.0 / 0.45359237


def payable_content(
    assay: np.ndarray, frac: np.ndarray | float, min_deduction: float
) -> np.ndarray:
    """Payable content per dry tonne: ``min(frac a, max(a - d, 0))`` (units of the assay).

    Examples
    --------
    >>> float(payable_content(np.array([24.0]), 0.965, 1.0)[0])  # 24 % Cu: 23 units paid
    23.0
    >>> round(float(payable_content(np.array([40.0]), 0.965, 1.0)[0]), 3)  # 96.5 % rules
    38.6
    """
    assay = np.asarray(assay, dtype=np.float64)
    return np.minimum(np.asarray(frac) * assay, np.maximum(assay - min_deduction, 0.0))


def stepped_frac(grade: np.ndarray, steps: list[float], fracs: list[float]) -> np.ndarray:
    """Payable fraction of the last step at or below each grade; 0 below the first step.

    Examples
    --------
    >>> stepped_frac(np.array([10.0, 20.0, 45.0, 90.0]), [20.0, 40.0, 80.0], [0.91, 0.93, 0.96])
    array([0.  , 0.91, 0.93, 0.96])
    """
    idx = np.searchsorted(np.asarray(steps), np.asarray(grade), side="right") - 1
    table = np.concatenate(([0.0], np.asarray(fracs, dtype=np.float64)))
    return table[idx + 1]


def penalty_usd_dmt(
    assay_pct: np.ndarray, threshold_pct: float, usd_dmt: float, step_pct: float
) -> np.ndarray:
    """Penalty per dry tonne, pro rata per step above the threshold [USD/dmt].

    Examples
    --------
    >>> float(penalty_usd_dmt(np.array([0.45]), 0.2, 2.5, 0.1)[0])  # 0.25 % over: 2.5 steps
    6.25
    """
    over = np.maximum(np.asarray(assay_pct, dtype=np.float64) - threshold_pct, 0.0)
    return usd_dmt * over / step_pct


def product_sales(
    sim: Simulation, terms: ConcentrateTerms, prices: Mapping[str, float]
) -> dict[str, np.ndarray]:
    """Assays, payables, charges and NSR of one concentrate product [per hour].

    ``prices``: ``au_usd_oz``, ``ag_usd_oz``, ``cu_usd_t``, ``pb_usd_t``, ``zn_usd_t``. Keys are the product's KPI
    names without the ``conc_<product>_`` prefix.
    """
    comps = sim.plant.spec.comps
    flow = sink_inflow(sim, terms.product)
    dmt = total_solids(comps, flow)
    water = flow[:, comps.solution_offset("water")] if comps.has("water") else 0.0
    wmt = dmt + water
    el_t_h = flow @ comps.element_matrix()
    per_dmt = safe_div(1.0, dmt)

    def assay(el: str, scale: float) -> np.ndarray:
        return el_t_h[:, ELEMENTS.index(el)] * per_dmt * scale

    v = terms.values
    au_gpt, ag_gpt, cu_pct = assay("au", G_PER_T), assay("ag", G_PER_T), assay("cu", 100.0)
    au_frac = stepped_frac(au_gpt, v["au_payable_grade_gpt"], v["au_payable_frac"])
    pay_au_oz = (
        payable_content(au_gpt, au_frac, v["au_min_deduction_gpt"]) * dmt / GRAMS_PER_TROY_OZ
    )
    pay_ag_oz = (
        payable_content(ag_gpt, v["ag_payable_frac"], v["ag_min_deduction_gpt"])
        * dmt
        / GRAMS_PER_TROY_OZ
    )
    pay_cu_t = (
        payable_content(cu_pct, v["cu_payable_frac"], v["cu_min_deduction_pct"]) * dmt / 100.0
    )
    base = {}
    for metal in BASE_METALS:
        pct = assay(metal, 100.0)
        pay = payable_content(pct, v[f"{metal}_payable_frac"], v[f"{metal}_min_deduction_pct"])
        base[metal] = (pct, pay * dmt / 100.0, pct * dmt / 100.0)
    content_au_oz = au_gpt * dmt / GRAMS_PER_TROY_OZ
    content_ag_oz = ag_gpt * dmt / GRAMS_PER_TROY_OZ
    content_cu_t = cu_pct * dmt / 100.0
    au_price, ag_price, cu_price = prices["au_usd_oz"], prices["ag_usd_oz"], prices["cu_usd_t"]
    out: dict[str, np.ndarray] = {
        "dmt_h": dmt,
        "wmt_h": wmt,
        "moisture_frac": safe_div(wmt - dmt, wmt),
        "au_gpt": au_gpt,
        "ag_gpt": ag_gpt,
        "cu_pct": cu_pct,
        "au_payable_frac": safe_div(pay_au_oz, content_au_oz),
        "payable_au_oz_h": pay_au_oz,
        "payable_ag_oz_h": pay_ag_oz,
        "payable_cu_t_h": pay_cu_t,
        "value_au_usd_h": pay_au_oz * (au_price - v["au_rc_usd_oz"]),
        "value_ag_usd_h": pay_ag_oz * (ag_price - v["ag_rc_usd_oz"]),
        "value_cu_usd_h": pay_cu_t * (cu_price - v["cu_rc_usd_lb"] * LB_PER_T),
        "deduction_au_usd_h": (content_au_oz - pay_au_oz) * au_price,
        "deduction_ag_usd_h": (content_ag_oz - pay_ag_oz) * ag_price,
        "deduction_cu_usd_h": (content_cu_t - pay_cu_t) * cu_price,
        "tc_usd_h": dmt * v["tc_usd_dmt"],
        "rc_usd_h": pay_au_oz * v["au_rc_usd_oz"]
        + pay_ag_oz * v["ag_rc_usd_oz"]
        + pay_cu_t * LB_PER_T * v["cu_rc_usd_lb"],
        "freight_usd_h": wmt * v["freight_usd_wmt"],
        **{f"{m}_pct": base[m][0] for m in BASE_METALS},
        **{f"payable_{m}_t_h": base[m][1] for m in BASE_METALS},
        **{f"value_{m}_usd_h": base[m][1] * prices[f"{m}_usd_t"] for m in BASE_METALS},
        **{
            f"deduction_{m}_usd_h": (base[m][2] - base[m][1]) * prices[f"{m}_usd_t"]
            for m in BASE_METALS
        },
        "penalties_untracked_count": np.full(sim.n_cases, float(len(terms.untracked))),
    }
    penalty = np.zeros(sim.n_cases)
    rejected = np.zeros(sim.n_cases, dtype=bool)
    for p in terms.penalties:
        grade = assay(p.element, 100.0)
        usd = dmt * penalty_usd_dmt(grade, p.threshold_pct, p.usd_dmt, p.step_pct)
        out[f"{p.element}_pct"] = grade
        out[f"penalty_{p.element}_usd_h"] = usd
        penalty = penalty + usd
        if p.reject_pct is not None:
            rejected |= grade > p.reject_pct
    out["penalty_usd_h"] = penalty
    out["rejected_flag"] = rejected.astype(np.float64)
    charges = out["tc_usd_h"] + penalty + out["freight_usd_h"]
    value = out["value_au_usd_h"] + out["value_ag_usd_h"] + out["value_cu_usd_h"]
    value = value + sum(out[f"value_{m}_usd_h"] for m in BASE_METALS)
    out["charges_usd_h"] = charges
    out["nsr_usd_h"] = value - charges
    out["nsr_usd_dmt"] = out["nsr_usd_h"] * per_dmt
    return out


#: Aggregate KPIs over the products sold under contract terms, by the product key summed.
TOTALS = {
    "concentrate_tc_usd_h": "tc_usd_h",
    "concentrate_rc_usd_h": "rc_usd_h",
    "concentrate_penalty_usd_h": "penalty_usd_h",
    "concentrate_freight_usd_h": "freight_usd_h",
    "concentrate_deduction_au_usd_h": "deduction_au_usd_h",
    "concentrate_deduction_ag_usd_h": "deduction_ag_usd_h",
    "concentrate_deduction_cu_usd_h": "deduction_cu_usd_h",
    "concentrate_deduction_pb_usd_h": "deduction_pb_usd_h",
    "concentrate_deduction_zn_usd_h": "deduction_zn_usd_h",
}


def contract_sales(
    sim: Simulation, all_terms: Mapping[str, ConcentrateTerms], prices: Mapping[str, float]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """KPIs of every product sold under contract terms, and the plant totals.

    Returns
    -------
    kpis : dict
        ``conc_<product>_<figure>`` per product and the ``TOTALS`` (empty when no
        product has terms, so cases without terms keep their KPIs exactly).
    totals : dict
        ``value_au``, ``value_ag``, ``value_cu``, ``value_pb``, ``value_zn`` (payable value
        less RC) and ``charges``
        (TC, penalties, freight) summed over the products [USD/h].
    """
    n = sim.n_cases
    metals = ("au", "ag", "cu", *BASE_METALS)
    totals = {k: np.zeros(n) for k in (*(f"value_{m}" for m in metals), "charges")}
    if not all_terms:
        return {}, totals
    kpis: dict[str, np.ndarray] = {k: np.zeros(n) for k in TOTALS}
    for product, terms in all_terms.items():
        sale = product_sales(sim, terms, prices)
        kpis.update({f"conc_{product}_{k}": v for k, v in sale.items()})
        for total, k in TOTALS.items():
            kpis[total] = kpis[total] + sale[k]
        for metal in metals:
            totals[f"value_{metal}"] = totals[f"value_{metal}"] + sale[f"value_{metal}_usd_h"]
        totals["charges"] = totals["charges"] + sale["charges_usd_h"]
    return kpis, totals
