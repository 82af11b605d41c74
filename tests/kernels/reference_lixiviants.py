"""Reference form of the reagent make-up of a cyanide-free leach (ex11), kept for the tests.

``make-up = inventory x f_not_recycled + degradation``; the units get the make-up from
their stream balance (what leaves with the tails solution, ``oreflow.units.glycine``) and
the tests compare it with this.
"""

from __future__ import annotations

from oreflow.kernels._jit import njit
from oreflow.kernels.lixiviants import reagent_inventory_kg_t


@njit
def reagent_make_up_kg_t(
    conc_mol_l: float,
    mw_g_mol: float,
    solids_frac: float,
    unrecycled_frac: float,
    degradation_kg_t: float,
) -> float:
    """Reagent make-up per tonne: unrecycled inventory plus chemical loss (ex11).

        make-up = inventory · f_not_recycled + degradation

    Parameters
    ----------
    conc_mol_l : float
        Reagent concentration held in the leach solution [mol/L].
    mw_g_mol : float
        Molar mass of the reagent as counted [g/mol].
    solids_frac : float
        Mass fraction of solids of the leach pulp [-].
    unrecycled_frac : float
        Share of the leach solution that leaves the plant (tails moisture, bleed) [-].
    degradation_kg_t : float
        Reagent destroyed chemically per tonne of solids [kg/t].

    Returns
    -------
    float
        Reagent to add per tonne of solids [kg/t].

    Examples
    --------
    >>> round(reagent_make_up_kg_t(0.10, 112.13, 0.40, 0.05, 1.0), 4)
    1.841
    """
    inventory = reagent_inventory_kg_t(conc_mol_l, mw_g_mol, solids_frac)
    return inventory * unrecycled_frac + degradation_kg_t
