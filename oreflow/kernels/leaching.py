"""Cyanide-leach kernels: the tank-train integrator, size-dependent rates, cyanide stoichiometry.

Solid species dissolve at first order towards an ultimate extraction, tank by tank in a
train of perfect mixers (Crundwell & Godorr 1997; Ling et al. 1996; Lima & Hodouin 2005;
docs/models.md#cil), with rate constant and ultimate extraction scaled with particle size
(Marsden & House 2006). The molar masses and stoichiometric factors of the cyanide budget
are declared here for the leach and recovery units. Carbon adsorption is in
:mod:`oreflow.kernels.adsorption`, heap leaching in :mod:`oreflow.kernels.heap_leach`; the
worked numbers of example ex07 are reproduced against the reference implementations in
``tests/kernels/reference_leaching.py``.

Array contract (shared by every module in ``oreflow.kernels``):

- inputs and outputs are float64/int64 numpy arrays or Python scalars, never pandas;
- solution volume is in m³/h, equal to water in t/h (density 1 t/m³, SI units, oreflow's
  conventions); solution tenor ``C`` is in g/m³ = mg/L and carbon loading ``q`` in g per t
  carbon;
- times are in h, rate constants in 1/h and fractions in [0, 1];
- kernels never mutate their inputs.
"""

from __future__ import annotations

import numpy as np

# Further molar masses [g/mol], IUPAC 2021, not rounded: Ag, Fe, Zn, CN, OCN (imported
# "as" themselves: the cyanide units read them from here, ``kl.AG_G_MOL``); and NaCN by
# IUPAC weights for the mass conversion of free cyanide carried as NaCN to CN (the unit
# of WAD figures), as in the detox model.
from oreflow.conventions import AG_G_MOL as AG_G_MOL
from oreflow.conventions import AU_G_MOL as _AU_G_MOL
from oreflow.conventions import CN_G_MOL as CN_G_MOL
from oreflow.conventions import CU_G_MOL as _CU_G_MOL
from oreflow.conventions import FE_G_MOL as FE_G_MOL
from oreflow.conventions import NACN_G_MOL as NACN_IUPAC_G_MOL
from oreflow.conventions import OCN_G_MOL as OCN_G_MOL
from oreflow.conventions import S_G_MOL as _S_G_MOL
from oreflow.conventions import ZN_G_MOL as ZN_G_MOL
from oreflow.kernels._jit import njit

#: Molar masses [g/mol] of the cyanide budget: the IUPAC 2021 values of
#: ``oreflow.conventions`` (Marsden & House 2006 round them to 2 decimals, NaCN 49.01,
#: Cu 63.55, Au 196.97: within 5e-5 relative).
NACN_G_MOL = NACN_IUPAC_G_MOL
CU_G_MOL = _CU_G_MOL
S_G_MOL = _S_G_MOL
AU_G_MOL = _AU_G_MOL

#: mol CN⁻ consumed per mol Cu(II) dissolved [S]: 2 Cu²⁺ + 7 CN⁻ + 2 OH⁻ →
#: 2 Cu(CN)₃²⁻ + CNO⁻ + H₂O (6 CN⁻ complexed and 1 oxidised to cyanate per 2 Cu).
CN_PER_CU = 3.5

#: mol CN⁻ per mol S converted to thiocyanate [S]: S + CN⁻ → SCN⁻.
CN_PER_S = 1.0

#: mol CN⁻ per mol Au dissolved as aurocyanide [S]: Elsner, Au(CN)₂⁻.
CN_PER_AU = 2.0

#: Mass of CN per mass of NaCN [-].
CN_PER_NACN = CN_G_MOL / NACN_IUPAC_G_MOL

#: mol CN⁻ per mol Ag dissolved as Ag(CN)₂⁻ [S] (a weak-acid-dissociable complex).
CN_PER_AG = 2.0

#: mol CN⁻ per mol Fe complexed as ferrocyanide Fe(CN)₆⁴⁻ [S] (a strong complex, not WAD).
CN_PER_FE_FERROCYANIDE = 6.0

#: mol CN⁻ complexed per mol Cu as Cu(CN)₃²⁻, the predominant copper cyanide at the free
#: cyanide of a leach (Marsden & House 2006, ch. 6 [L]) [S for the stoichiometry].
CN_WAD_PER_CU = 3.0

#: mol CN⁻ per mol Zn dissolved as Zn(CN)₄²⁻ in zinc cementation [S].
CN_PER_ZN = 4.0

#: Suggested exponent of the rate constant on relative particle size [assumed].
DEFAULT_K_SIZE_EXPONENT = 0.5

#: Suggested exponent of the ultimate extraction on relative particle size [assumed].
DEFAULT_ULTIMATE_SIZE_EXPONENT = 0.15


@njit
def size_dependent_leach_params(
    d_rep_um: np.ndarray,
    k_ref_per_h: float,
    ultimate_ref_frac: float,
    d_ref_um: float,
    k_size_exponent: float = DEFAULT_K_SIZE_EXPONENT,
    ultimate_size_exponent: float = DEFAULT_ULTIMATE_SIZE_EXPONENT,
) -> tuple[np.ndarray, np.ndarray]:
    """Leach rate constant and ultimate extraction per size class, by a power law.

    Crundwell & Godorr 1997; Ling et al. 1996; Lima & Hodouin 2005; docs/models.md#cil states only that both the rate constant and the ultimate extraction
    fall as particle size rises (less gold exposed or liberated, longer diffusion
    paths). This kernel uses an **assumed** power law in the relative size, flat below
    the reference size:

        k_i  = k_ref  · min(1, d_ref/d_i)^a
        R∞_i = R∞_ref · min(1, d_ref/d_i)^b

    The form and the exponents are [assumed], not fitted; replace them with
    size-by-size leach tests of the ore in question.

    Parameters
    ----------
    d_rep_um : (n_cls,) float64
        Representative particle size of each class [µm], >= 0.
    k_ref_per_h : float
        Rate constant at and below the reference size [1/h].
    ultimate_ref_frac : float
        Ultimate extraction at and below the reference size [-], in [0, 1].
    d_ref_um : float
        Reference size [µm], e.g. the P80 at which ``k_ref`` and ``R∞_ref`` were
        measured.
    k_size_exponent : float, optional
        Exponent ``a`` of the rate constant [-]; default 0.5 [assumed].
    ultimate_size_exponent : float, optional
        Exponent ``b`` of the ultimate extraction [-]; default 0.15 [assumed].

    Returns
    -------
    k_per_h : (n_cls,) float64
        Rate constant per class [1/h].
    ultimate_frac : (n_cls,) float64
        Ultimate extraction per class [-].

    Examples
    --------
    >>> import numpy as np
    >>> k, r = size_dependent_leach_params(np.array([50.0, 300.0]), 0.3, 0.95, 75.0)
    >>> [round(float(x), 4) for x in k], [round(float(x), 4) for x in r]
    ([0.3, 0.15], [0.95, 0.7716])
    """
    n_cls = d_rep_um.shape[0]
    k_per_h = np.empty(n_cls)
    ultimate_frac = np.empty(n_cls)
    for i in range(n_cls):
        # Compare before dividing so that a zero size needs no special case.
        if d_rep_um[i] <= d_ref_um:
            k_per_h[i] = k_ref_per_h
            ultimate_frac[i] = ultimate_ref_frac
        else:
            relative = d_ref_um / d_rep_um[i]
            k_per_h[i] = k_ref_per_h * relative**k_size_exponent
            ultimate_frac[i] = ultimate_ref_frac * relative**ultimate_size_exponent
    return k_per_h, ultimate_frac


@njit
def leach_train_batch(
    solids_tph: np.ndarray,
    k_per_h: np.ndarray,
    ultimate_frac: np.ndarray,
    tank_residence_h: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """First-order dissolution of several solid species through a train of mixed tanks.

    The per-species form of the single-class CIL train of example ex07 (``cil_leach_batch``
    in ``tests/kernels/reference_leaching.py``): each (size class, species) cell
    dissolves at first order towards its ultimate extraction, tank by tank,

        L_j = L_{j−1} / (1 + k τ_j),      L_0 = R∞ · feed           (Crundwell & Godorr 1997; Ling et al. 1996; Lima & Hodouin 2005; docs/models.md#cil)

    and the amount dissolved in each tank is kept per species, so that the metal each
    species releases (gold, silver, copper, sulfur) can be tracked tank by tank.

    Parameters
    ----------
    solids_tph : (n_cases, n_cls, n_sp) float64
        Mass of each leachable species per size class in the feed [t/h].
    k_per_h : (n_cases, n_cls, n_sp) float64
        First-order rate constant of each cell [1/h], >= 0.
    ultimate_frac : (n_cases, n_cls, n_sp) float64
        Ultimate extraction of each cell R∞ [-], in [0, 1].
    tank_residence_h : (n_cases, n_tanks) float64
        Slurry residence time of each tank [h], >= 0.

    Returns
    -------
    dissolved_tph : (n_cases, n_tanks, n_sp) float64
        Mass of each species dissolved in tank ``j``, summed over size classes [t/h].
    residue_tph : (n_cases, n_cls, n_sp) float64
        Mass of each cell leaving the last tank [t/h].

    Notes
    -----
    ``Σ_j dissolved + Σ_cls residue = Σ_cls feed`` per species, to rounding (the sum
    over tanks telescopes). Linear kinetics make segregated and micromixed trains equal.

    References
    ----------
    O. Levenspiel, *Chemical Reaction Engineering*, 3rd ed., Wiley, 1999, ch. 6 (no DOI).

    Examples
    --------
    >>> import numpy as np
    >>> feed = np.ones((1, 1, 2))
    >>> d, r = leach_train_batch(feed, np.full((1, 1, 2), 0.25),
    ...                          np.array([[[0.95, 0.5]]]), np.full((1, 6), 4.0))
    >>> round(float(d[0, :, 0].sum()), 6), round(float(r[0, 0, 1]), 6)
    (0.935156, 0.507812)
    """
    n_cases, n_cls, n_sp = solids_tph.shape
    if k_per_h.shape != solids_tph.shape or ultimate_frac.shape != solids_tph.shape:
        msg = "k_per_h and ultimate_frac must have the shape of solids_tph"
        raise ValueError(msg)
    if tank_residence_h.shape[0] != n_cases:
        msg = "tank_residence_h must have n_cases rows"
        raise ValueError(msg)
    n_tanks = tank_residence_h.shape[1]
    dissolved = np.zeros((n_cases, n_tanks, n_sp))
    residue = np.empty((n_cases, n_cls, n_sp))
    for i in range(n_cases):
        for c in range(n_cls):
            for s in range(n_sp):
                feed = solids_tph[i, c, s]
                leachable = ultimate_frac[i, c, s] * feed
                for j in range(n_tanks):
                    remaining = leachable / (1.0 + k_per_h[i, c, s] * tank_residence_h[i, j])
                    dissolved[i, j, s] += leachable - remaining
                    leachable = remaining
                residue[i, c, s] = (feed - ultimate_frac[i, c, s] * feed) + leachable
    return dissolved, residue
