"""Chemical formulas -> atom counts, formula masses and element mass fractions.

One parser serves the species catalogue (``oreflow.core.components``), the reagents
and gases that cross a unit's boundary and the reaction tables of unit types
(``oreflow.core.reactions``), so that every formula mass of the balance is built from
the same atomic weights (``oreflow.conventions.ATOMIC_WEIGHT_G_MOL``, IUPAC 2021) and
a reaction balanced in atoms is balanced in mass to round-off.

Grammar: element symbols with optional counts, parenthesised groups with a count
(``KFe3(SO4)2(OH)6``), and hydrate water after a middle dot or ``*``
(``CaSO4·2H2O``, ``CuSO4*5H2O``). A lumped species is a mass-weighted mixture of
formulas (``{"SiO2": 0.6, "KAlSi3O8": 0.2, ...}``).

>>> atoms("CaSO4·2H2O") == {"ca": 1.0, "s": 1.0, "o": 6.0, "h": 4.0}
True
>>> round(formula_mass_g_mol("FeS2"), 3)
119.965
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from oreflow.conventions import ATOMIC_WEIGHT_G_MOL

#: Worn grinding-media steel as one formula (the catalogue's ``steel`` species): 98.2 % Fe,
#: 0.84 % C, 0.97 % Mn by mass, a high-carbon ball steel within SAE J403 grade 1080
#: (0.75-0.88 % C, 0.60-0.90 % Mn) [L; the grade is assumed]. What a mill's
#: ``use_media_kg_h`` puts into the pulp.
STEEL_FORMULA = "Fe100C4Mn"

_TOKEN = re.compile(r"([A-Z][a-z]?)(\d*\.?\d*)|(\()|(\))(\d*\.?\d*)")


def _parse_group(text: str) -> dict[str, float]:
    stack: list[dict[str, float]] = [{}]
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            msg = f"cannot read the formula {text!r} at {text[pos:]!r}"
            raise ValueError(msg)
        pos = m.end()
        if m.group(1):
            el = m.group(1).lower()
            if el not in ATOMIC_WEIGHT_G_MOL:
                msg = f"formula {text!r}: element {m.group(1)!r} has no atomic weight"
                raise ValueError(msg)
            n = float(m.group(2)) if m.group(2) else 1.0
            stack[-1][el] = stack[-1].get(el, 0.0) + n
        elif m.group(3):
            stack.append({})
        else:
            if len(stack) == 1:
                msg = f"formula {text!r}: unbalanced ')'"
                raise ValueError(msg)
            inner = stack.pop()
            n = float(m.group(5)) if m.group(5) else 1.0
            for el, k in inner.items():
                stack[-1][el] = stack[-1].get(el, 0.0) + k * n
    if len(stack) != 1:
        msg = f"formula {text!r}: unbalanced '('"
        raise ValueError(msg)
    return stack[0]


@cache
def _atoms(formula: str) -> tuple[tuple[str, float], ...]:
    total: dict[str, float] = {}
    for part in re.split(r"[·*]", formula.replace(" ", "")):
        m = re.match(r"(\d+\.?\d*)?(.*)", part)
        assert m is not None
        mult = float(m.group(1)) if m.group(1) else 1.0
        for el, n in _parse_group(m.group(2)).items():
            total[el] = total.get(el, 0.0) + mult * n
    return tuple(sorted(total.items()))


def atoms(formula: str) -> dict[str, float]:
    """Atoms of each element (lower-case symbol) in one formula unit."""
    return dict(_atoms(formula))


def formula_mass_g_mol(formula: str) -> float:
    """Formula mass [g/mol] from the atomic weights of ``oreflow.conventions``."""
    return sum(ATOMIC_WEIGHT_G_MOL[el] * n for el, n in _atoms(formula))


def mass_fractions(formula: str | Mapping[str, float]) -> dict[str, float]:
    """Element mass fractions [-] of a formula or of a mass-weighted mixture of formulas.

    A mixture's weights must sum to 1; the fractions then sum to 1 to round-off.
    """
    if isinstance(formula, str):
        mw = formula_mass_g_mol(formula)
        return {el: ATOMIC_WEIGHT_G_MOL[el] * n / mw for el, n in _atoms(formula)}
    weights = dict(formula)
    if abs(sum(weights.values()) - 1.0) > 1e-12:
        msg = f"mixture weights {weights} do not sum to 1"
        raise ValueError(msg)
    out: dict[str, float] = {}
    for part, w in weights.items():
        for el, f in mass_fractions(part).items():
            out[el] = out.get(el, 0.0) + w * f
    return out
