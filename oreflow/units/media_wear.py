"""Worn grinding media entering the pulp: what the mills share.

A mill consumes steel at its drawn power times ``media_wear_kg_kwh`` (``use_media_kg_h``).
Where the case declares the solid species ``steel`` (``oreflow.core.formulas.STEEL_FORMULA``:
a high-carbon ball steel, 98.2 % Fe), that steel enters the mill discharge as an
addition (``UnitResult.added``) in the finest size class [assumed: wear debris and its
oxide scale are fines], so that iron, carbon and manganese close with it and it leaves
with the residue. Without ``steel`` the wear is priced only, as before.
"""

from __future__ import annotations

import numpy as np

from oreflow.core.components import ComponentSet

#: The species worn media becomes.
STEEL = "steel"


def steel_index(comps: ComponentSet) -> int | None:
    """Stream-vector position of ``steel`` in the finest class, or None if undeclared."""
    if not comps.has(STEEL):
        return None
    return (comps.n_cls - 1) * comps.n_solid + comps.solid_index(STEEL)


def add_worn_media(out: np.ndarray, index: int | None, media_kg_h: np.ndarray) -> np.ndarray | None:
    """Add the worn media to a mill's discharge ``out`` (in place); the addition, or None.

    Parameters
    ----------
    out : (n_cases, n_comp) float64
        The discharge, changed in place.
    index : int or None
        ``steel_index`` of the case.
    media_kg_h : (n_cases,) float64
        Steel consumed [kg/h].
    """
    if index is None:
        return None
    added = np.zeros_like(out)
    added[:, index] = np.asarray(media_kg_h, dtype=np.float64) / 1000.0
    out[:, index] += added[:, index]
    return added
