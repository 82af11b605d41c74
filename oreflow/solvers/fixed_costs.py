"""Fixed operating cost built up from labour, maintenance and overheads.

A study's fixed cost (``[economics] fixed_usd_h``) is labour, maintenance and general
overheads, which do not scale with throughput. Built up the way Towler & Sinnott
(2013, *Chemical Engineering Design* 2nd ed., ch. 8, "fixed costs of production")
lay it out; their ranges are quoted as recalled, the book was not at hand to check,
so each fraction here is also marked [assumed]:

- operating labour: shift positions x 4.8 operators per position for round-the-clock
  operation (five shift crews with leave and training) x a loaded cost per operator;
- supervision 25 % of operating labour; direct salary overhead 50 % of labour and
  supervision (range 40-60 %);
- maintenance, labour and materials, 4 % of the installed plant cost a year (3-5 %);
- property taxes and insurance 1.5 % of the installed plant cost a year (1-2 %);
- general plant overhead and site general and administration 65 % of labour,
  supervision and salary overhead.

The yearly total is spread over the plant's operating hours (the hours the optimizers
and ``fixed_usd_h`` count).

Maintenance and insurance follow the capital: with ``[economics] capital_fixed_frac_y``
(their two fractions summed, 0.055 a year here) each route's fixed cost is
``fixed_usd_h`` (labour, supervision, overheads and G&A, ``people_usd_h``) plus that
fraction of the route's own capital estimate a year (``capital_fixed_usd_h``), so that a
whole-ore autoclave costs more to keep than a concentrate autoclave.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Operators per shift position for continuous operation (Towler & Sinnott 2013 ch. 8)
#: [assumed].
OPERATORS_PER_POSITION = 4.8


@dataclass(frozen=True)
class FixedCostBasis:
    """Inputs of the fixed-cost build-up."""

    capital_usd: float  # installed plant cost the maintenance and insurance are on
    shift_positions: float  # operator positions manned round the clock
    operator_usd_y: float = 70000.0  # loaded cost per operator [assumed, site figure]
    operating_h_y: float = 8059.2  # 92 % of 8,760 h (Wills & Finch 2016 §1: 90-95 %)
    supervision_frac: float = 0.25  # [assumed]
    salary_overhead_frac: float = 0.50  # [assumed]
    maintenance_frac_y: float = 0.04  # [assumed]
    insurance_frac_y: float = 0.015  # [assumed]
    plant_overhead_frac: float = 0.65  # [assumed]


def fixed_cost_lines_usd_y(basis: FixedCostBasis) -> dict[str, float]:
    """Each line of the fixed cost a year [USD/y], and ``total``.

    Examples
    --------
    >>> lines = fixed_cost_lines_usd_y(FixedCostBasis(50e6, 7.0))
    >>> round(lines["operating_labour"]), round(lines["maintenance"])
    (2352000, 2000000)
    """
    labour = basis.shift_positions * OPERATORS_PER_POSITION * basis.operator_usd_y
    supervision = basis.supervision_frac * labour
    overhead = basis.salary_overhead_frac * (labour + supervision)
    lines = {
        "operating_labour": labour,
        "supervision": supervision,
        "salary_overhead": overhead,
        "maintenance": basis.maintenance_frac_y * basis.capital_usd,
        "insurance": basis.insurance_frac_y * basis.capital_usd,
        "plant_overhead_ga": basis.plant_overhead_frac * (labour + supervision + overhead),
    }
    lines["total"] = sum(lines.values())
    return lines


def fixed_cost_usd_h(basis: FixedCostBasis) -> float:
    """The build-up's total per operating hour [USD/h] (the ``fixed_usd_h`` figure)."""
    return fixed_cost_lines_usd_y(basis)["total"] / basis.operating_h_y


def people_usd_h(basis: FixedCostBasis) -> float:
    """The build-up's part that does not follow the capital [USD/h].

    Labour, supervision, salary overhead, plant overhead and G&A (``fixed_usd_h`` with
    ``capital_fixed_frac_y``).

    Examples
    --------
    >>> b = FixedCostBasis(50e6, 7.0)
    >>> bool(round(people_usd_h(b) + capital_fixed_usd_h(0.055, 50e6, b.operating_h_y), 6) == round(
    ...     fixed_cost_usd_h(b), 6))
    True
    """
    lines = fixed_cost_lines_usd_y(basis)
    return (lines["total"] - lines["maintenance"] - lines["insurance"]) / basis.operating_h_y


def capital_fixed_usd_h(
    frac_y: float, capital_usd: np.ndarray | float, operating_h_y: float
) -> np.ndarray | float:
    """Maintenance and insurance on a capital [USD/h]: ``frac_y x capital / operating_h_y``."""
    return frac_y * np.asarray(capital_usd, dtype=np.float64) / operating_h_y
