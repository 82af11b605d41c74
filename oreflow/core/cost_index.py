"""Cost indices and estimate classes: scaling a cost to a cost year, and its accuracy.

CEPCI
    Chemical Engineering Plant Cost Index (1957-59 = 100), annual averages as published
    in *Chemical Engineering* magazine's "Economic Indicators" page (final annual
    values; the index and its revisions are described by Vatavuk 2002, "Updating the CE
    Plant Cost Index", Chem. Eng. 109(1):62). The magazine itself could not be checked
    here; the values were compared with two independent open-source tables: BioSTEAM's
    (``biosteam/units/design_tools/cost_index.py``) agrees for 1980-2014 and 2018, and a
    second table of annual values agrees for every year 1990-2020 and 2022. Not
    confirmed: 2021 (708.0 here, 708.8 in that second table) and 2023 (797.9, no second
    source). A cost of year y0 in year y1 is ``cost x CEPCI[y1] / CEPCI[y0]``.

Estimate classes
    AACE International Recommended Practice 18R-97 (2005, rev. 2020), "Cost Estimate
    Classification System - as applied in engineering, procurement and construction
    for the process industries": expected accuracy range of each class, as the low and
    high ends of the typical range, low side first (fractions of the estimate).
"""

from __future__ import annotations

from types import MappingProxyType

#: CEPCI annual averages by year (Chemical Engineering magazine).
CEPCI: MappingProxyType[int, float] = MappingProxyType(
    {
        1980: 261.2,
        1981: 297.0,
        1982: 314.0,
        1983: 316.9,
        1984: 322.7,
        1985: 325.3,
        1986: 318.4,
        1987: 323.8,
        1988: 342.5,
        1989: 355.4,
        1990: 357.6,
        1991: 361.3,
        1992: 358.2,
        1993: 359.2,
        1994: 368.1,
        1995: 381.1,
        1996: 381.7,
        1997: 386.5,
        1998: 389.5,
        1999: 390.6,
        2000: 394.1,
        2001: 394.3,
        2002: 395.6,
        2003: 402.0,
        2004: 444.2,
        2005: 468.2,
        2006: 499.6,
        2007: 525.4,
        2008: 575.4,
        2009: 521.9,
        2010: 550.8,
        2011: 585.7,
        2012: 584.6,
        2013: 567.3,
        2014: 576.1,
        2015: 556.8,
        2016: 541.7,
        2017: 567.5,
        2018: 603.1,
        2019: 607.5,
        2020: 596.2,
        2021: 708.0,
        2022: 816.0,
        2023: 797.9,
    }
)

CEPCI_SOURCE = "Chemical Engineering magazine, Economic Indicators: CEPCI annual averages"

#: AACE 18R-97 estimate class -> (low, high) accuracy range as fractions (e.g. Class 5:
#: -20 % to -50 % low, +30 % to +100 % high; the wider end of each side is kept).
ESTIMATE_CLASSES: MappingProxyType[int, tuple[float, float]] = MappingProxyType(
    {
        5: (-0.50, 1.00),
        4: (-0.30, 0.50),
        3: (-0.20, 0.30),
        2: (-0.15, 0.20),
        1: (-0.10, 0.15),
    }
)

ESTIMATE_CLASS_SOURCE = "AACE International Recommended Practice 18R-97"


def escalate(cost: float, from_year: int, to_year: int) -> float:
    """A cost of ``from_year`` in ``to_year`` money by the CEPCI ratio.

    Raises
    ------
    KeyError
        A year with no index value (callers report it as a case error).
    """
    return cost * CEPCI[to_year] / CEPCI[from_year]
