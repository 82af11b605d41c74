"""Project economics: a yearly cash-flow table, NPV, IRR and payback; C1 and AISC per oz.

The plant's hourly figures (revenue after royalty, operating cost) become a yearly
cash-flow table from ``[economics.project]``:

- mine life = reserve / (ore rate x operating hours per year); the last year is a
  fraction of a year, its cash flows in proportion;
- initial capital spent over the pre-production years by ``capital_phasing``
  (fractions summing to 1), production starting the year after;
- working capital (``working_capital_months`` of the yearly operating cost) tied up in
  the first production year and released in the last;
- sustaining capital each production year (in proportion in the last), closure cost in
  the last;
- income tax at ``tax_frac`` on revenue - operating cost - depreciation (straight line
  over ``depreciation_y`` production years, capped at the mine life), never negative
  (losses are not carried forward: a conservative simplification, stated);
- end-of-year discounting: the cash flow of year t (t = 1 is the first year of capital
  spending) is divided by (1 + r)^t.

NPV, IRR (the rate at which NPV is zero, by bisection on a bracketing interval) and
payback (years from the start of production until the undiscounted cumulative cash flow
turns positive, linear within the year) follow the definitions of Rudenno (2012, *The
Mining Valuation Handbook* 4th ed., Wrightbooks, ch. 7) and Stermole & Stermole
(2014, *Economic Evaluation and Investment Decision Methods* 15th ed., ch. 2-4).

Cost per ounce as the industry reports it (World Gold Council 2013, "Guidance Note on
Non-GAAP Metrics: All-In Sustaining Costs and All-In Costs", updated 2018):
``c1_usd_oz`` (cash cost: site operating cost, refining and transport, less by-product
credits, per oz of gold) and ``aisc_usd_oz`` (C1 plus royalties and sustaining capital;
corporate G&A and exploration are not modelled and so not included).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from oreflow.kernels.arrays import safe_div

#: Bracket of the IRR search [-]: -99 % to 1,000 % a year.
IRR_BRACKET = (-0.99, 10.0)


@dataclass(frozen=True)
class ProjectTerms:
    """Inputs of the cash-flow table (``[economics.project]``)."""

    reserve_t: float
    operating_h_y: float
    capital_usd: float
    capital_phasing: tuple[float, ...]
    sustaining_usd_y: float
    working_capital_months: float
    closure_usd: float
    tax_frac: float
    depreciation_y: float
    discount_frac: float


@dataclass(frozen=True)
class CashFlows:
    """Yearly cash-flow table (one row per year, first year of capital spending = 1)."""

    year: np.ndarray
    production_frac: np.ndarray  # fraction of the year the plant runs
    revenue_usd: np.ndarray
    operating_usd: np.ndarray
    capital_usd: np.ndarray  # initial + sustaining + closure
    working_capital_usd: np.ndarray  # tied up (+) or released (-)
    depreciation_usd: np.ndarray
    tax_usd: np.ndarray
    cash_flow_usd: np.ndarray
    mine_life_y: float


def cash_flows(
    terms: ProjectTerms, ore_tph: float, revenue_usd_h: float, operating_usd_h: float
) -> CashFlows:
    """The yearly cash-flow table of one plan."""
    t_y = ore_tph * terms.operating_h_y
    life = terms.reserve_t / t_y if t_y > 0 else math.inf
    if not math.isfinite(life):
        msg = "ore rate is zero: the reserve is never mined"
        raise ValueError(msg)
    pre = len(terms.capital_phasing)
    n_prod = math.ceil(life - 1e-9)
    n = pre + n_prod
    year = np.arange(1, n + 1, dtype=np.float64)
    frac = np.zeros(n)
    frac[pre:] = 1.0
    frac[-1] = life - (n_prod - 1)
    revenue = revenue_usd_h * terms.operating_h_y * frac
    operating = operating_usd_h * terms.operating_h_y * frac
    capital = np.zeros(n)
    capital[:pre] = terms.capital_usd * np.asarray(terms.capital_phasing)
    capital[pre:] += terms.sustaining_usd_y * frac[pre:]
    capital[-1] += terms.closure_usd
    wc = np.zeros(n)
    tied = terms.working_capital_months / 12.0 * operating_usd_h * terms.operating_h_y
    wc[pre] += tied
    wc[-1] -= tied
    dep = np.zeros(n)
    dep_years = min(terms.depreciation_y, life)
    if dep_years > 0:
        per_y = terms.capital_usd / dep_years
        left = terms.capital_usd
        for i in range(pre, n):
            d = min(per_y * frac[i], left)
            dep[i] = d
            left -= d
    tax = np.maximum(revenue - operating - dep, 0.0) * terms.tax_frac
    flow = revenue - operating - capital - wc - tax
    return CashFlows(year, frac, revenue, operating, capital, wc, dep, tax, flow, life)


def npv(flows: Sequence[float] | np.ndarray, rate: float) -> float:
    """Net present value of end-of-year cash flows, year 1 first [USD]."""
    f = np.asarray(flows, dtype=np.float64)
    return float(np.sum(f / (1.0 + rate) ** np.arange(1, len(f) + 1)))


def irr(flows: Sequence[float] | np.ndarray) -> float:
    """Internal rate of return [-/y]; NaN when NPV does not change sign on the bracket."""
    lo, hi = IRR_BRACKET
    f_lo, f_hi = npv(flows, lo), npv(flows, hi)
    if not (f_lo > 0.0 > f_hi or f_lo < 0.0 < f_hi):
        return float("nan")
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        f_mid = npv(flows, mid)
        if (f_mid > 0.0) == (f_lo > 0.0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
        if hi - lo < 1e-12:
            break
    return 0.5 * (lo + hi)


def payback_y(flows: np.ndarray, pre_years: int) -> float:
    """Years from the start of production until the cumulative cash flow turns positive.

    Linear within the year it turns; NaN if it never does.
    """
    cum = np.cumsum(flows)
    for i in range(pre_years, len(flows)):
        if cum[i] >= 0.0:
            before = cum[i - 1] if i > 0 else 0.0
            within = -before / flows[i] if flows[i] > 0 else 0.0
            return float(i - pre_years + within)
    return float("nan")


def terms_of(project: Mapping[str, object]) -> ProjectTerms:
    """Cash-flow terms from a validated ``[economics.project]`` table."""
    p = dict(project)
    return ProjectTerms(
        reserve_t=float(p["reserve_t"]),  # type: ignore[arg-type]
        operating_h_y=float(p["operating_h_y"]),  # type: ignore[arg-type]
        capital_usd=float(p["capital_usd"] or 0.0),  # type: ignore[arg-type]
        capital_phasing=tuple(float(v) for v in p["capital_phasing"]),  # type: ignore[attr-defined]
        sustaining_usd_y=float(p["sustaining_usd_y"]),  # type: ignore[arg-type]
        working_capital_months=float(p["working_capital_months"]),  # type: ignore[arg-type]
        closure_usd=float(p["closure_usd"]),  # type: ignore[arg-type]
        tax_frac=float(p["tax_frac"]),  # type: ignore[arg-type]
        depreciation_y=float(p["depreciation_y"]),  # type: ignore[arg-type]
        discount_frac=float(p["discount_frac"]),  # type: ignore[arg-type]
    )


def project_kpis(
    terms: ProjectTerms,
    kpis: Mapping[str, np.ndarray],
    ore_tph: np.ndarray,
    capital_usd: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Mine life, NPV, IRR and payback per case from the economic KPIs [y, USD, -/y, y].

    ``capital_usd``: per case initial capital (the capital estimate) instead of the
    terms' own figure.
    """
    n = len(ore_tph)
    out = {k: np.full(n, np.nan) for k in ("mine_life_y", "npv_usd", "irr_frac", "payback_y")}
    for i in range(n):
        if ore_tph[i] <= 0:
            continue
        case_terms = (
            terms if capital_usd is None else replace(terms, capital_usd=float(capital_usd[i]))
        )
        table = cash_flows(
            case_terms,
            float(ore_tph[i]),
            float(kpis["revenue_usd_h"][i]),
            float(kpis["operating_cost_usd_h"][i]),
        )
        out["mine_life_y"][i] = table.mine_life_y
        out["npv_usd"][i] = npv(table.cash_flow_usd, case_terms.discount_frac)
        out["irr_frac"][i] = irr(table.cash_flow_usd)
        out["payback_y"][i] = payback_y(table.cash_flow_usd, len(terms.capital_phasing))
    return out


def unit_cost_kpis(
    kpis: Mapping[str, np.ndarray],
    gold_oz_h: np.ndarray,
    sustaining_usd_y: float,
    operating_h_y: float,
) -> dict[str, np.ndarray]:
    """C1 cash cost and all-in sustaining cost per oz of gold [USD/oz].

    C1: operating cost + concentrate charges, less silver, copper, lead and zinc revenue
    (by-product credits), per oz of payable gold; refining and transport are already netted out of
    revenue. AISC: C1 + royalty + sustaining capital per oz. ``gold_oz_h``: gold sold
    (doré and concentrate) [oz/h].
    """
    oz_h = np.asarray(gold_oz_h, dtype=np.float64)
    credits = kpis["revenue_ag_usd_h"] + kpis["revenue_cu_usd_h"]
    credits = credits + kpis.get("revenue_pb_usd_h", 0.0) + kpis.get("revenue_zn_usd_h", 0.0)
    c1_h = kpis["operating_cost_usd_h"] + kpis["concentrate_charges_usd_h"] - credits
    aisc_h = c1_h + kpis["royalty_usd_h"] + sustaining_usd_y / operating_h_y
    return {
        "c1_usd_oz": safe_div(c1_h, oz_h, fill=np.nan),
        "aisc_usd_oz": safe_div(aisc_h, oz_h, fill=np.nan),
    }
