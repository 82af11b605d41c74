"""``[economics.concentrate_terms.PRODUCT]``: the sales contract of one concentrate sold.

A ``product`` of kind ``concentrate`` is priced either by the plant-wide legacy keys of
``[economics]`` (``conc_*_payable_frac``, ``conc_treatment_usd_t``, ``cu_refining_usd_t``:
flat payables, no deductions, no penalties), or, when the case gives a table for it here,
by the terms of a concentrate sales contract:

- payables with a minimum deduction: the smelter pays ``min(frac x grade, grade - min
  deduction)`` of each metal; gold's fraction may step with the gold grade;
- a treatment charge per dry tonne, refining charges per payable oz (gold, silver) and
  per payable lb (copper);
- a penalty per dry tonne for each deleterious element above its threshold, pro rata per
  step over it, and a rejection grade above which the concentrate is not saleable;
- freight per wet tonne (the moisture is the product stream's own water).

Every table names a ``basis``, a term set below (gold/pyrite concentrate to a gold
smelter, copper(-gold) concentrate to a copper smelter), and overrides any of its keys.
Lead and zinc concentrates (bases ``lead_concentrate``, ``zinc_concentrate``) pay lead and zinc
with a minimum deduction in units, as copper. Penalties on elements oreflow does not track
yet (Hg, Bi) are declared in the term
sets and apply as soon as the element joins ``oreflow.core.components.ELEMENTS``; until
then they are listed as untracked in the results rather than silently priced at zero.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from oreflow.core.components import ELEMENTS
from oreflow.core.schema import REQUIRED, Param, named_tables, suggest, validate_table
from oreflow.errors import Problem

_CN_CONTRACT = (
    "gold concentrate sales contract, Shouguan/Cunliji mine to a Chinese gold smelter, "
    "SEC EDGAR exhibit 10.13 of China Shouguan Mining (2010): gold 'return ratio' by grade"
)
_CU_BENCH = (
    "2024 copper concentrate benchmark USD 80/dmt and 8.0 US cents/lb, Antofagasta and "
    "Freeport with Chinese smelters (Reuters, 1 Dec 2023)"
)
_PB_BENCH = (
    "2018 lead concentrate terms USD 98-99/dmt TC and USD 0.60-1.00/oz Ag RC, South32 "
    "Cannington and Teck Red Dog (Fastmarkets/Metal Bulletin, 2018)"
)
_ZN_BENCH = (
    "2021 zinc concentrate benchmark TC USD 159/dmt, Teck Resources with Korea Zinc "
    "(Argus Media, 9 Apr 2021)"
)
_BASE_PAYABLE = (
    "[assumed]: the common base-metal terms, lead 95 % with a 3 unit minimum deduction, "
    "zinc 85 % with an 8 unit minimum deduction"
)
_PULACAYO = (
    "Pulacayo Project Feasibility Study, NI 43-101 (Apogee Silver, 2013), table 19.9: "
    "typical penalty thresholds As 0.2-0.5 %, Sb 0.2-0.5 %"
)

#: Elements a penalty may name: those oreflow tracks and those a contract commonly
#: penalises that are not in the stream yet (they apply once they join ``ELEMENTS``).
PENALTY_ELEMENTS = ("as", "sb", "hg", "bi", "s", "c", "pb", "zn", "cu", "fe")

TERM_PARAMS: tuple[Param, ...] = (
    Param(
        "basis",
        "-",
        REQUIRED,
        "term set the table starts from; every other key overrides it",
        "oreflow.flowsheet.concentrate_terms.BASES",
        kind=str,
        choices=("gold_concentrate", "copper_concentrate", "lead_concentrate", "zinc_concentrate"),
    ),
    Param("source", "-", "", "where the case's terms come from", "case author", kind=str),
    Param(
        "au_payable_grade_gpt",
        "g/t",
        None,
        "gold grades at which each payable step starts (ascending); below the first "
        "step gold is not paid",
        "basis",
        kind=list,
        lo=0.0,
        hi=1e5,
    ),
    Param(
        "au_payable_frac",
        "-",
        None,
        "payable fraction of gold at each grade step",
        "basis",
        kind=list,
        lo=0.0,
        hi=1.0,
    ),
    Param("au_min_deduction_gpt", "g/t", None, "least gold not paid", "basis", lo=0.0, hi=1e3),
    Param("ag_payable_frac", "-", None, "payable fraction of silver", "basis", lo=0.0, hi=1.0),
    Param("ag_min_deduction_gpt", "g/t", None, "least silver not paid", "basis", lo=0.0, hi=1e4),
    *(
        p
        for el, metal in (("cu", "copper"), ("pb", "lead"), ("zn", "zinc"))
        for p in (
            Param(
                f"{el}_payable_frac",
                "-",
                None,
                f"payable fraction of {metal}",
                "basis",
                lo=0.0,
                hi=1.0,
            ),
            Param(
                f"{el}_min_deduction_pct",
                "%",
                None,
                f"least {metal} not paid, in units (percentage points) of the concentrate grade",
                "basis",
                lo=0.0,
                hi=100.0,
            ),
        )
    ),
    Param("tc_usd_dmt", "USD/dmt", None, "treatment charge", "basis", lo=0.0, hi=1e4),
    Param(
        "au_rc_usd_oz",
        "USD/oz",
        None,
        "gold refining charge per payable oz",
        "basis",
        lo=0.0,
        hi=1e3,
    ),
    Param(
        "ag_rc_usd_oz",
        "USD/oz",
        None,
        "silver refining charge per payable oz",
        "basis",
        lo=0.0,
        hi=100.0,
    ),
    Param(
        "cu_rc_usd_lb",
        "USD/lb",
        None,
        "copper refining charge per payable lb",
        "basis",
        lo=0.0,
        hi=10.0,
    ),
    Param(
        "freight_usd_wmt",
        "USD/wmt",
        None,
        "freight, insurance and handling to the smelter per wet tonne",
        "basis",
        lo=0.0,
        hi=1e4,
    ),
)

PENALTY_PARAMS: tuple[Param, ...] = (
    Param(
        "threshold_pct",
        "%",
        REQUIRED,
        "grade above which the penalty applies",
        "contract",
        lo=0.0,
        hi=100.0,
    ),
    Param(
        "usd_dmt",
        "USD/dmt",
        REQUIRED,
        "penalty per dry tonne for each step above the threshold (pro rata)",
        "contract",
        lo=0.0,
        hi=1e4,
    ),
    Param(
        "step_pct",
        "%",
        REQUIRED,
        "grade step the penalty is charged per",
        "contract",
        lo=0.0,
        hi=100.0,
        lo_open=True,
    ),
    Param(
        "reject_pct",
        "%",
        None,
        "grade above which the smelter refuses the concentrate (flagged in the results)",
        "contract",
        lo=0.0,
        hi=100.0,
    ),
)


@dataclass(frozen=True)
class Penalty:
    """A penalty on one element of a concentrate (grades in % of the dry mass)."""

    element: str
    threshold_pct: float
    usd_dmt: float
    step_pct: float
    reject_pct: float | None
    source: str


@dataclass(frozen=True)
class ConcentrateTerms:
    """The sales terms of one concentrate product.

    Attributes
    ----------
    product : str
        Name of the ``product`` unit (kind ``concentrate``) these terms price.
    basis : str
        Term set the terms start from.
    values : Mapping[str, Any]
        Every key of ``TERM_PARAMS`` after ``basis`` and ``source``, filled.
    sources : Mapping[str, str]
        Where each value comes from (the case, or the basis's source).
    penalties : tuple of Penalty
        Penalties on tracked elements.
    untracked : tuple of str
        Elements a penalty names that are not in the stream yet (not priced).
    """

    product: str
    basis: str
    values: Mapping[str, Any]
    sources: Mapping[str, str]
    penalties: tuple[Penalty, ...]
    untracked: tuple[str, ...]

    @property
    def assumed(self) -> tuple[str, ...]:
        """Keys whose value is an assumption (``[assumed]`` in its source)."""
        return tuple(k for k, s in self.sources.items() if "[assumed]" in s)


def _p(element: str, threshold: float, usd: float, step: float, reject: float | None, src: str):
    return Penalty(element, threshold, usd, step, reject, src)


#: Term sets by basis: value and source of every key, and the penalties.
BASES: Mapping[str, tuple[Mapping[str, tuple[Any, str]], tuple[Penalty, ...]]] = MappingProxyType(
    {
        "gold_concentrate": (
            MappingProxyType(
                {
                    "au_payable_grade_gpt": ([20.0, 30.0, 40.0, 60.0, 70.0, 80.0], _CN_CONTRACT),
                    "au_payable_frac": ([0.91, 0.92, 0.93, 0.94, 0.95, 0.96], _CN_CONTRACT),
                    "au_min_deduction_gpt": (0.0, f"{_CN_CONTRACT} (ratios only)"),
                    "ag_payable_frac": (
                        0.13,
                        "the same contract pays silver at RMB 0.5/g from 100 g/t, about 13 % "
                        "of a silver price of RMB 3.9/g (USD 18/oz, 2010) [assumed conversion]",
                    ),
                    "ag_min_deduction_gpt": (0.0, "[assumed]"),
                    "cu_payable_frac": (0.0, "copper not paid in a gold concentrate [assumed]"),
                    "cu_min_deduction_pct": (0.0, "[assumed]"),
                    "pb_payable_frac": (0.0, "lead not paid [assumed]"),
                    "pb_min_deduction_pct": (0.0, "[assumed]"),
                    "zn_payable_frac": (0.0, "zinc not paid [assumed]"),
                    "zn_min_deduction_pct": (0.0, "[assumed]"),
                    "tc_usd_dmt": (
                        40.0,
                        "[assumed]: the contract's processing fee is not disclosed",
                    ),
                    "au_rc_usd_oz": (0.0, "[assumed]: the return ratio is net of refining"),
                    "ag_rc_usd_oz": (0.0, "[assumed]"),
                    "cu_rc_usd_lb": (0.0, "[assumed]"),
                    "freight_usd_wmt": (
                        60.0,
                        "[assumed]: road to port and sea freight to China",
                    ),
                }
            ),
            (
                _p(
                    "as",
                    0.5,
                    3.0,
                    0.1,
                    8.0,
                    "[assumed]: threshold at the upper end of Pulacayo's 0.2-0.5 %",
                ),
                _p(
                    "c",
                    1.0,
                    5.0,
                    0.5,
                    None,
                    "[assumed]: total carbon (preg-robbing risk at the smelter's leach)",
                ),
                _p("sb", 0.5, 3.0, 0.1, None, f"{_PULACAYO}; rate [assumed]"),
                _p("hg", 0.002, 2.0, 0.001, None, "[assumed]: 20 ppm, USD 2 per 10 ppm"),
                _p("bi", 0.05, 2.0, 0.01, None, "[assumed]"),
            ),
        ),
        "copper_concentrate": (
            MappingProxyType(
                {
                    "au_payable_grade_gpt": (
                        [1.0, 3.0, 5.0, 10.0, 20.0],
                        "[assumed] steps within the 90-97.5 % range of oreflow issue 16",
                    ),
                    "au_payable_frac": ([0.90, 0.93, 0.95, 0.96, 0.975], "[assumed]"),
                    "au_min_deduction_gpt": (1.0, "[assumed] 1 g/t"),
                    "ag_payable_frac": (0.90, "[assumed]"),
                    "ag_min_deduction_gpt": (30.0, "[assumed]"),
                    "cu_payable_frac": (
                        0.965,
                        "96.5 % with a 1 unit minimum deduction, the usual copper term "
                        "(e.g. dr-bettina-maus.de copper concentrate price formula, 2011)",
                    ),
                    "cu_min_deduction_pct": (1.0, "the same"),
                    "pb_payable_frac": (0.0, "lead not paid [assumed]"),
                    "pb_min_deduction_pct": (0.0, "[assumed]"),
                    "zn_payable_frac": (0.0, "zinc not paid [assumed]"),
                    "zn_min_deduction_pct": (0.0, "[assumed]"),
                    "tc_usd_dmt": (80.0, _CU_BENCH),
                    "au_rc_usd_oz": (5.0, "[assumed]"),
                    "ag_rc_usd_oz": (0.40, "[assumed]"),
                    "cu_rc_usd_lb": (0.080, _CU_BENCH),
                    "freight_usd_wmt": (60.0, "[assumed]: road to port and sea freight"),
                }
            ),
            (
                _p("as", 0.2, 2.5, 0.1, 0.5, f"{_PULACAYO}; rate and 0.5 % rejection [assumed]"),
                _p("sb", 0.1, 2.5, 0.1, None, "[assumed]"),
                _p("hg", 0.001, 2.0, 0.001, None, "[assumed]: 10 ppm, USD 2 per 10 ppm"),
                _p("bi", 0.05, 2.0, 0.01, None, "[assumed]"),
            ),
        ),
        "lead_concentrate": (
            MappingProxyType(
                {
                    "au_payable_grade_gpt": ([1.0], "[assumed] gold paid from 1 g/t"),
                    "au_payable_frac": ([0.95], "[assumed]"),
                    "au_min_deduction_gpt": (1.0, "[assumed] 1 g/t"),
                    "ag_payable_frac": (0.95, "[assumed]"),
                    "ag_min_deduction_gpt": (50.0, "[assumed] 50 g/t"),
                    "cu_payable_frac": (0.0, "copper not paid in a lead concentrate [assumed]"),
                    "cu_min_deduction_pct": (0.0, "[assumed]"),
                    "pb_payable_frac": (0.95, _BASE_PAYABLE),
                    "pb_min_deduction_pct": (3.0, _BASE_PAYABLE),
                    "zn_payable_frac": (0.0, "zinc not paid in a lead concentrate [assumed]"),
                    "zn_min_deduction_pct": (0.0, "[assumed]"),
                    "tc_usd_dmt": (98.0, _PB_BENCH),
                    "au_rc_usd_oz": (5.0, "[assumed]"),
                    "ag_rc_usd_oz": (0.60, _PB_BENCH),
                    "cu_rc_usd_lb": (0.0, "[assumed]"),
                    "freight_usd_wmt": (60.0, "[assumed]: road to port and sea freight"),
                }
            ),
            (
                _p("zn", 8.0, 2.0, 1.0, None, "[assumed]: zinc above 8 % in a lead concentrate"),
                _p("as", 0.2, 2.5, 0.1, None, f"{_PULACAYO}; rate [assumed]"),
                _p("sb", 0.3, 2.5, 0.1, None, f"{_PULACAYO}; rate [assumed]"),
                _p("hg", 0.005, 2.0, 0.001, None, "[assumed]: 50 ppm, USD 2 per 10 ppm"),
                _p("bi", 0.05, 2.0, 0.01, None, "[assumed]"),
            ),
        ),
        "zinc_concentrate": (
            MappingProxyType(
                {
                    "au_payable_grade_gpt": ([3.0], "[assumed] gold paid from 3 g/t"),
                    "au_payable_frac": ([0.70], "[assumed]"),
                    "au_min_deduction_gpt": (1.0, "[assumed]"),
                    "ag_payable_frac": (0.70, "[assumed]"),
                    "ag_min_deduction_gpt": (93.3, "[assumed] 3 oz/t, the usual zinc term"),
                    "cu_payable_frac": (0.0, "copper not paid in a zinc concentrate [assumed]"),
                    "cu_min_deduction_pct": (0.0, "[assumed]"),
                    "pb_payable_frac": (0.0, "lead not paid in a zinc concentrate [assumed]"),
                    "pb_min_deduction_pct": (0.0, "[assumed]"),
                    "zn_payable_frac": (0.85, _BASE_PAYABLE),
                    "zn_min_deduction_pct": (8.0, _BASE_PAYABLE),
                    "tc_usd_dmt": (159.0, _ZN_BENCH),
                    "au_rc_usd_oz": (0.0, "[assumed]"),
                    "ag_rc_usd_oz": (0.0, "[assumed]"),
                    "cu_rc_usd_lb": (0.0, "[assumed]"),
                    "freight_usd_wmt": (60.0, "[assumed]: road to port and sea freight"),
                }
            ),
            (
                _p("fe", 8.0, 1.5, 1.0, None, "[assumed]: iron above 8 % (marmatitic sphalerite)"),
                _p("pb", 3.0, 2.0, 1.0, None, "[assumed]: lead above 3 % in a zinc concentrate"),
                _p("as", 0.2, 2.5, 0.1, None, f"{_PULACAYO}; rate [assumed]"),
                _p("sb", 0.2, 2.5, 0.1, None, f"{_PULACAYO}; rate [assumed]"),
                _p("hg", 0.005, 2.0, 0.001, None, "[assumed]: 50 ppm, USD 2 per 10 ppm"),
            ),
        ),
    }
)


def parse_concentrate_terms(
    raw: Any, products: list[str], file: str, problems: list[Problem]
) -> Mapping[str, ConcentrateTerms]:
    """Validate ``[economics.concentrate_terms]`` against the case's concentrate products."""
    key = "economics.concentrate_terms"
    if raw is None:
        return MappingProxyType({})
    if not isinstance(raw, dict):
        problems.append(Problem(file, key, "must be a table: one table per concentrate product"))
        return MappingProxyType({})
    out = {}
    tables = named_tables(
        raw,
        products,
        key,
        "a product of kind 'concentrate' of this case",
        " (basis, ...)",
        file,
        problems,
    )
    for product, k, table in tables:
        terms = _terms(product, k, table, file, problems)
        if terms is not None:
            out[product] = terms
    return MappingProxyType(out)


def _terms(
    product: str, key: str, table: Mapping[str, Any], file: str, problems: list[Problem]
) -> ConcentrateTerms | None:
    n0 = len(problems)
    given = validate_table(
        table,
        TERM_PARAMS,
        file=file,
        prefix=f"{key}.",
        problems=problems,
        extra_keys=("penalties",),
    )
    if len(problems) > n0:
        return None
    base, base_penalties = BASES[given["basis"]]
    own = str(given.get("source") or "case file")
    values = {k: given[k] if table.get(k) is not None else v for k, (v, _) in base.items()}
    sources = {k: own if table.get(k) is not None else s for k, (_, s) in base.items()}
    grades, fracs = values["au_payable_grade_gpt"], values["au_payable_frac"]
    if len(grades) != len(fracs) or not grades:
        problems.append(
            Problem(
                file, f"{key}.au_payable_frac", f"needs one fraction per grade step ({len(grades)})"
            )
        )
    elif any(b <= a for a, b in itertools.pairwise(grades)):
        problems.append(Problem(file, f"{key}.au_payable_grade_gpt", "grade steps must ascend"))
    penalties = {p.element: p for p in base_penalties}
    penalties.update(_penalties(table.get("penalties"), key, own, file, problems))
    if len(problems) > n0:
        return None
    tracked = tuple(p for p in penalties.values() if p.element in ELEMENTS)
    untracked = tuple(sorted(e for e in penalties if e not in ELEMENTS))
    return ConcentrateTerms(
        product,
        given["basis"],
        MappingProxyType(values),
        MappingProxyType(sources),
        tracked,
        untracked,
    )


def _penalties(
    raw: Any, key: str, source: str, file: str, problems: list[Problem]
) -> dict[str, Penalty]:
    if raw is None:
        return {}
    k = f"{key}.penalties"
    if not isinstance(raw, dict):
        problems.append(Problem(file, k, "must be a table: one table per element (as, sb, ...)"))
        return {}
    out = {}
    for element, table in raw.items():
        ke = f"{k}.{element}"
        if element not in PENALTY_ELEMENTS:
            hint = suggest(element, list(PENALTY_ELEMENTS))
            problems.append(
                Problem(file, ke, f"{element!r} is not an element a penalty may name{hint}")
            )
            continue
        if element not in ELEMENTS:
            problems.append(
                Problem(
                    file,
                    ke,
                    f"{element!r} is not in the stream yet (oreflow tracks {', '.join(ELEMENTS)}): "
                    "a penalty on it could not be priced",
                )
            )
            continue
        if not isinstance(table, dict):
            problems.append(Problem(file, ke, "must be a table (threshold_pct, usd_dmt, step_pct)"))
            continue
        n0 = len(problems)
        p = validate_table(table, PENALTY_PARAMS, file=file, prefix=f"{ke}.", problems=problems)
        if len(problems) > n0:
            continue
        reject = p.get("reject_pct")
        if reject is not None and reject <= p["threshold_pct"]:
            problems.append(Problem(file, f"{ke}.reject_pct", "must be above threshold_pct"))
            continue
        out[element] = Penalty(
            element, p["threshold_pct"], p["usd_dmt"], p["step_pct"], reject, source
        )
    return out
