"""Reference forms of the reagent inventory and make-up of a cyanide-free leach (ex11).

``make-up = inventory x f_not_recycled + degradation``; the units get the make-up from
their stream balance (what leaves with the tails solution, ``oreflow.units.glycine``) and
the tests compare it with this.
"""

from __future__ import annotations

from oreflow.kernels._jit import njit


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


@njit
def reagent_inventory_kg_t(conc_mol_l: float, mw_g_mol: float, solids_frac: float) -> float:
    """Reagent held in the solution that accompanies one tonne of solids (Aylmore & Muir 2001, Miner. Eng. 14(2):135; docs/models.md#thiosulfate).

    The pulp carries ``(1 − w)/w`` m³ of solution per tonne of solids at mass fraction
    of solids ``w`` (solution density 1 t/m³), so

        inventory [kg/t] = c [mol/L] · M [g/mol] · (1 − w)/w [m³/t]

    (mol/L x g/mol = kg/m³). Works element-wise on arrays too.

    Parameters
    ----------
    conc_mol_l : float
        Reagent concentration in the solution [mol/L].
    mw_g_mol : float
        Molar mass of the reagent as counted [g/mol].
    solids_frac : float
        Mass fraction of solids in the pulp w [-], in (0, 1].

    Returns
    -------
    float
        Reagent inventory [kg per t of solids].

    References
    ----------
    Aylmore & Muir 2001, Miner. Eng. 14(2):135; docs/models.md#thiosulfate; Oraby, Eksteen & Tanda 2017, Hydrometallurgy 169:339 and example ex11 (reagent inventory vs consumption).

    Examples
    --------
    >>> round(reagent_inventory_kg_t(0.10, 112.13, 0.40), 4)
    16.8195
    """
    return conc_mol_l * mw_g_mol * (1.0 - solids_frac) / solids_frac
