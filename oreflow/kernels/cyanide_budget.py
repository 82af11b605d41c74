"""Where the elements of species dissolving in cyanide go, and the cyanide they take.

Sulfur goes to thiocyanate (the share ``scn_frac``) or sulfate; iron to ferrocyanide
(``ferrocyanide_frac``) or ferric hydroxide; copper dissolves as Cu(CN)₃²⁻ taking
``nacn_per_cu_mol_mol`` CN per Cu (3.5 for Cu(II) reduced and complexed, with cyanate;
2 Cu²⁺ + 7 CN⁻ → 2 Cu(CN)₃²⁻ + CNO⁻), thiocyanate one CN per S, ferrocyanide six per
Fe, and, in a speciated budget, gold and silver two each (Au(CN)₂⁻, Ag(CN)₂⁻)
(Marsden & House 2006, *The Chemistry of Gold Extraction*, 2nd ed., SME, ch. 6). The
molar masses and CN ratios are those of ``oreflow.kernels.leaching``.
"""

from __future__ import annotations

import numpy as np


def element_routes(
    dissolved_tph: np.ndarray,
    element_frac: np.ndarray,
    scn_frac: np.ndarray,
    ferrocyanide_frac: np.ndarray,
    s: int,
    fe: int,
    as_: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sulfur, iron and arsenic released by the dissolved species, by destination [t/h].

    Parameters
    ----------
    dissolved_tph : (n, n_sp) float64
        Mass of each species dissolved [t/h].
    element_frac : (n_sp, n_el) float64
        Mass fraction of each element in each species.
    scn_frac, ferrocyanide_frac : (n, n_sp) float64
        Share of each species' S to thiocyanate and of its Fe to ferrocyanide.
    s, fe, as_ : int
        Columns of sulfur, iron and arsenic in ``element_frac``.

    Returns
    -------
    s_scn, s_so4, fe_ferrocyanide, fe_hydroxide, arsenic : (n,) float64
        S to thiocyanate and to sulfate, Fe to ferrocyanide and to ferric hydroxide,
        As to solution [t/h].
    metals : (n, n_el) float64
        Every element released [t/h].

    Examples
    --------
    >>> out = element_routes(np.array([[2.0]]), np.array([[0.5, 0.25, 0.0]]),
    ...                      np.array([[0.5]]), np.array([[0.0]]), 0, 1, 2)
    >>> [float(x[0]) for x in out[:5]]
    [0.5, 0.5, 0.0, 0.5, 0.0]
    """
    el = dissolved_tph[:, :, None] * element_frac[None, :, :]  # (n, sp, el) t/h
    s_tot = el[:, :, s]
    s_scn = (s_tot * scn_frac).sum(axis=1)
    s_so4 = (s_tot * (1.0 - scn_frac)).sum(axis=1)
    fe_tot = el[:, :, fe]
    fe_ferro = (fe_tot * ferrocyanide_frac).sum(axis=1)
    fe_hyd = (fe_tot * (1.0 - ferrocyanide_frac)).sum(axis=1)
    arsenic = el[:, :, as_].sum(axis=1)
    return s_scn, s_so4, fe_ferro, fe_hyd, arsenic, el.sum(axis=1)


def nacn_taken_tph(
    cu_tph: np.ndarray,
    s_scn_tph: np.ndarray,
    fe_ferrocyanide_tph: np.ndarray,
    nacn_per_cu_mol_mol: np.ndarray,
    au_tph: np.ndarray | None = None,
    ag_tph: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """NaCN taken by copper, thiocyanate, ferrocyanide and precious-metal complexes [t/h].

    ``au_tph`` and ``ag_tph`` given (a speciated budget): their complexes count as
    ``complexation``; otherwise it is zero (taken as part of a lumped consumption).

    Examples
    --------
    >>> one = np.ones(1)
    >>> taken = nacn_taken_tph(0.0 * one, 0.0 * one, 0.0 * one, 3.5 * one, one, 0.0 * one)
    >>> round(float(taken["complexation"][0]), 6)  # 2 mol NaCN per mol Au: 2 M_NaCN / M_Au
    0.497627
    """
    from oreflow.kernels import leaching as kl

    out = {
        "cu": nacn_per_cu_mol_mol * cu_tph / kl.CU_G_MOL * kl.NACN_G_MOL,
        "scn": kl.CN_PER_S * s_scn_tph / kl.S_G_MOL * kl.NACN_G_MOL,
        "ferrocyanide": kl.CN_PER_FE_FERROCYANIDE
        * fe_ferrocyanide_tph
        / kl.FE_G_MOL
        * kl.NACN_G_MOL,
        "complexation": np.zeros(cu_tph.shape),
    }
    if au_tph is not None and ag_tph is not None:
        out["complexation"] = (
            kl.CN_PER_AU * au_tph / kl.AU_G_MOL + kl.CN_PER_AG * ag_tph / kl.AG_G_MOL
        ) * kl.NACN_G_MOL
    return out


def cyanate_tph(
    cu_tph: np.ndarray, nacn_per_cu_mol_mol: np.ndarray, cn_wad_per_cu_mol_mol: np.ndarray
) -> np.ndarray:
    """Cyanate made with the copper: the CN taken beyond the copper's complex [t/h OCN].

    Examples
    --------
    >>> round(float(cyanate_tph(np.ones(1), 3.5 * np.ones(1), 3.0 * np.ones(1))[0]), 6)
    0.330603
    """
    from oreflow.kernels import leaching as kl

    return (
        np.maximum(nacn_per_cu_mol_mol - cn_wad_per_cu_mol_mol, 0.0)
        * cu_tph
        / kl.CU_G_MOL
        * kl.OCN_G_MOL
    )
