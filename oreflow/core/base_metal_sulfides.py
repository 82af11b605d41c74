"""Element fractions of the base-metal sulfides and sulfosalts of polymetallic ores.

Galena, sphalerite with its iron, bornite, tetrahedrite and tennantite, as complete
formulas over the elements oreflow tracks (their fractions sum to 1: these minerals hold
no oxygen or hydrogen). Molar masses are the IUPAC 2021 standard atomic weights of
``oreflow.conventions`` [S stoichiometry]; the species themselves (densities, sources)
are entries of ``oreflow.core.components.CATALOGUE``.
"""

from __future__ import annotations

from oreflow.conventions import AS_G_MOL, CU_G_MOL, FE_G_MOL, PB_G_MOL, S_G_MOL, SB_G_MOL, ZN_G_MOL

_MOLAR_G_MOL = {
    "cu": CU_G_MOL,
    "fe": FE_G_MOL,
    "zn": ZN_G_MOL,
    "pb": PB_G_MOL,
    "sb": SB_G_MOL,
    "as": AS_G_MOL,
    "s": S_G_MOL,
}


def formula_fractions(atoms: dict[str, float]) -> dict[str, float]:
    """Mass fraction of each element of a formula given its atoms per formula unit.

    Examples
    --------
    >>> {k: round(v, 4) for k, v in formula_fractions({"pb": 1, "s": 1}).items()}
    {'pb': 0.866, 's': 0.134}
    """
    total = sum(n * _MOLAR_G_MOL[el] for el, n in atoms.items())
    return {el: n * _MOLAR_G_MOL[el] / total for el, n in atoms.items()}


#: Iron in sphalerite (Zn1-x Fe x)S as a mole fraction: 0.15 (8.7 % Fe by mass), an
#: iron-rich (marmatitic) sphalerite of a massive-sulfide or skarn ore. Sphalerite holds
#: 0 to about 25 % Fe by mass, marmatite being the iron-rich variety (Deer, Howie &
#: Zussman 2013 [L]; Anthony et al., Handbook of Mineralogy [L]) [assumed value within
#: that range]. It caps a clean zinc concentrate near 58 % Zn (ZnS: 67 %).
SPHALERITE_FE_MOLE_FRAC = 0.15

GALENA = formula_fractions({"pb": 1, "s": 1})
SPHALERITE = formula_fractions(
    {"zn": 1.0 - SPHALERITE_FE_MOLE_FRAC, "fe": SPHALERITE_FE_MOLE_FRAC, "s": 1}
)
BORNITE = formula_fractions({"cu": 5, "fe": 1, "s": 4})
TETRAHEDRITE = formula_fractions({"cu": 12, "sb": 4, "s": 13})
TENNANTITE = formula_fractions({"cu": 12, "as": 4, "s": 13})
