"""Carbon circuit of a cyanide leach: advance, barren loading, preg-robbing, WAD cyanide.

The array arithmetic around the counter-current adsorption train
(``oreflow.kernels.leaching.adsorption_train_batch``) of a CIL, CIP or CIC: how much
carbon moves and what it carries in (fresh carbon at a set loading, or barren carbon
returned by elution topped up with fresh make-up; Marsden & House 2006, *The Chemistry
of Gold Extraction*, 2nd ed., SME, ch. 7), the preg-robbing partition coefficient of the
ore after blanking (Goodall, Leatham & Scales 2005, Miner. Eng. 18:1135), where the
preg-robbed gold sits by size, the weak-acid-dissociable cyanide carried by the
metals left in solution, and the film-diffusion scaling of the adsorption rate constant
with carbon size, agitation power and pulp viscosity (:func:`film_rate_factor`).
"""

from __future__ import annotations

import numpy as np

from oreflow.conventions import G_PER_T
from oreflow.kernels.arrays import safe_div


def carbon_advance(
    advance_tph: np.ndarray,
    barren_g_t: np.ndarray,
    returned_carbon_tph: np.ndarray | None = None,
    returned_metal_tph: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Carbon moved through the train, the fresh make-up and the loading it brings.

    Parameters
    ----------
    advance_tph : (n,) float64
        Carbon advance set for the train [t/h].
    barren_g_t : (n, n_metal) float64
        Loading of fresh carbon [g/t] (used without returned carbon).
    returned_carbon_tph : (n,) float64 or None
        Barren carbon returned by elution [t/h]; None: the circuit is open, all the
        carbon is fresh.
    returned_metal_tph : (n, n_metal) float64 or None
        Metal on the returned carbon [t/h] (0 for a metal the case does not carry on
        carbon).

    Returns
    -------
    carbon_tph : (n,) float64
        Carbon moved: the set advance, or the returned carbon where more comes back.
    makeup_tph : (n,) float64
        Fresh carbon added.
    barren_g_t : (n, n_metal) float64
        Loading of the carbon entering the last tank [g/t].

    Examples
    --------
    >>> c, make, q = carbon_advance(np.array([1.0]), np.array([[50.0]]), np.array([0.75]),
    ...                             np.array([[1.5e-5]]))
    >>> float(c[0]), float(make[0]), float(q[0, 0])
    (1.0, 0.25, 15.0)
    """
    if returned_carbon_tph is None or returned_metal_tph is None:
        return advance_tph, advance_tph.copy(), barren_g_t
    carbon_tph = np.maximum(advance_tph, returned_carbon_tph)
    makeup = carbon_tph - returned_carbon_tph
    return carbon_tph, makeup, safe_div(returned_metal_tph * G_PER_T, carbon_tph[:, None])


def blanked_pregrob_k_m3_t(
    pregrob_k_m3_t: np.ndarray,
    carbonaceous_tph: np.ndarray,
    solids_tph: np.ndarray,
    blanking_kg_t: np.ndarray,
    blanking_half_kg_t: np.ndarray,
) -> np.ndarray:
    """Preg-robbing partition coefficient of the ore [m³/t ore] after blanking.

    ``K_ore = k x / (1 + dose / dose_half)`` with x the carbonaceous fraction of the
    solids (Goodall, Leatham & Scales 2005); a blanking agent (kerosene, diesel) coats
    the carbonaceous matter, halving K at ``dose_half`` [assumed hyperbolic form].

    Examples
    --------
    >>> float(blanked_pregrob_k_m3_t(np.array([100.0]), np.array([2.0]), np.array([100.0]),
    ...                              np.array([0.5]), np.array([0.5]))[0])
    1.0
    """
    blank = 1.0 + blanking_kg_t / blanking_half_kg_t
    return pregrob_k_m3_t * safe_div(carbonaceous_tph, solids_tph) / blank


def pregrobbed_by_class(
    pregrobbed_tph: np.ndarray,
    feed_pregrobbed_cls: np.ndarray,
    carbonaceous_cls: np.ndarray | None = None,
) -> np.ndarray:
    """Preg-robbed gold leaving with the solids, per size class [t/h].

    It follows the carbonaceous matter that holds it; without carbonaceous matter in a
    case (or where none is left), the preg-robbed gold of the feed.

    Parameters
    ----------
    pregrobbed_tph : (n,) float64
        Preg-robbed gold leaving [t/h].
    feed_pregrobbed_cls : (n, n_cls) float64
        Preg-robbed gold in the feed per class [t/h].
    carbonaceous_cls : (n, n_cls) float64 or None
        Carbonaceous matter leaving per class [t/h].

    Examples
    --------
    >>> pregrobbed_by_class(np.array([2.0]), np.array([[1.0, 1.0]]), np.array([[3.0, 1.0]]))
    array([[1.5, 0.5]])
    """
    feed_pregrobbed = feed_pregrobbed_cls.sum(axis=1)
    if carbonaceous_cls is None:
        share = safe_div(feed_pregrobbed_cls, feed_pregrobbed[:, None])
    else:
        carb_sum = carbonaceous_cls.sum(axis=1)
        share = np.where(
            (carb_sum > 0)[:, None],
            safe_div(carbonaceous_cls, carb_sum[:, None]),
            safe_div(feed_pregrobbed_cls, feed_pregrobbed[:, None]),
        )
    return pregrobbed_tph[:, None] * share


def wad_cyanide_out_tph(
    feed_wad_tph: np.ndarray, wad_per_metal: np.ndarray, metal_net_tph: np.ndarray
) -> np.ndarray:
    """WAD cyanide leaving in solution [t/h as CN], never below zero.

    Parameters
    ----------
    feed_wad_tph : (n,) float64
        WAD cyanide arriving [t/h as CN].
    wad_per_metal : (n, n_metal) float64
        WAD cyanide carried per tonne of each metal in solution [t/t].
    metal_net_tph : (n, n_metal) float64
        Metal dissolved less metal adsorbed [t/h].

    Examples
    --------
    >>> float(wad_cyanide_out_tph(np.array([1.0]), np.array([[2.0, 1.0]]),
    ...                           np.array([[0.5, -3.0]]))[0])
    0.0
    """
    change = np.zeros(feed_wad_tph.shape)
    for m in range(wad_per_metal.shape[1]):
        change += wad_per_metal[:, m] * metal_net_tph[:, m]
    return np.maximum(feed_wad_tph + change, 0.0)


def thomas_relative_viscosity(solids_vol_frac: np.ndarray) -> np.ndarray:
    """Viscosity of a suspension of fine particles over that of its liquid [-].

    ``mu_r = 1 + 2.5 phi + 10.05 phi² + 0.00273 exp(16.6 phi)`` with ``phi`` the solids
    volume fraction (Thomas 1965, J. Colloid Sci. 20:267, fitted to suspensions of
    uniform spheres up to phi ≈ 0.6). Leach pulps are shear-thinning; this is the
    Newtonian stand-in at the high shear round an agitated carbon granule [assumed].

    Examples
    --------
    >>> round(float(thomas_relative_viscosity(np.array([0.0]))[0]), 5)
    1.00273
    >>> round(float(thomas_relative_viscosity(np.array([0.27]))[0]), 3)
    2.649
    """
    phi = np.asarray(solids_vol_frac, dtype=np.float64)
    return 1.0 + 2.5 * phi + 10.05 * phi**2 + 0.00273 * np.exp(16.6 * phi)


def film_rate_factor(
    carbon_d_mm: np.ndarray,
    ref_carbon_d_mm: np.ndarray,
    size_exponent: np.ndarray,
    power_kw_m3: np.ndarray,
    ref_power_kw_m3: np.ndarray,
    power_exponent: np.ndarray,
    kinematic_ratio: np.ndarray,
    density_ratio: np.ndarray,
) -> np.ndarray:
    """Adsorption rate constant per unit carbon mass over its reference value [-].

    Gold loads onto fresh carbon under film diffusion (Nicol, Fleming & Cromberge 1984,
    J. S. Afr. IMM 84:50; Fleming & Nicol 1984, J. S. Afr. IMM 84:85), so the rate per
    tonne of carbon is ``k_f a`` with ``a = 6 / (rho_c d)`` the external area per mass,
    and the film coefficient of particles in an agitated vessel follows Calderbank &
    Moo-Young (1961, Chem. Eng. Sci. 16:39), ``k_f Sc^(2/3) = 0.13 (eps nu)^(1/4)``
    with ``eps = (P/V)/rho`` the power per unit mass and ``Sc = nu / D``:

        k / k_ref = (d_ref/d)^s (P/P_ref)^a (rho/rho_ref)^(-a) (nu/nu_ref)^(a - 2/3)

    ``s`` = 1 and ``a`` = 1/4 are the film-diffusion values; ``kinematic_ratio`` and
    ``density_ratio`` are those of the pulp at the case over the reference pulp.

    Examples
    --------
    >>> one = np.array([1.0])
    >>> float(film_rate_factor(one, 2 * one, one, one, one, 0.25 * one, one, one)[0])
    2.0
    >>> round(float(film_rate_factor(one, one, one, 16 * one, one, 0.25 * one, one, one)[0]), 12)
    2.0
    """
    size = (ref_carbon_d_mm / carbon_d_mm) ** size_exponent
    power = (power_kw_m3 / ref_power_kw_m3) ** power_exponent
    pulp = density_ratio ** (-power_exponent) * kinematic_ratio ** (power_exponent - 2.0 / 3.0)
    return np.asarray(size * power * pulp, dtype=np.float64)


#: Dissociation constants of the copper(I) cyanide complexes at 25 °C, in concentrations
#: [mol/L]: Cu(CN)3²⁻ = Cu(CN)2⁻ + CN⁻ and Cu(CN)4³⁻ = Cu(CN)3²⁻ + CN⁻ (Penneman & Jones
#: 1956, J. Chem. Phys. 24:293, infrared spectra of CuCN-KCN solutions).
CU_CN3_DISSOC_MOL_L = 1.5e-5
CU_CN4_DISSOC_MOL_L = 0.0057


def copper_cyanide_fractions(cn_mol_l: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shares of dissolved copper(I) as Cu(CN)2⁻, Cu(CN)3²⁻ and Cu(CN)4³⁻ at a free CN⁻ [-].

    Examples
    --------
    >>> f2, f3, f4 = copper_cyanide_fractions(np.array([0.005]))
    >>> round(float(f3[0]), 3), round(float(f2[0] + f3[0] + f4[0]), 12)
    (0.532, 1.0)
    """
    cn = np.asarray(cn_mol_l, dtype=np.float64)
    r3 = cn / CU_CN3_DISSOC_MOL_L
    r4 = r3 * cn / CU_CN4_DISSOC_MOL_L
    total = 1.0 + r3 + r4
    return 1.0 / total, r3 / total, r4 / total


def copper_affinity(cn_mol_l: np.ndarray, cn3_affinity: np.ndarray) -> np.ndarray:
    """Copper's carbon affinity per mol of copper over that of Cu(CN)2⁻ alone [-].

    Carbon takes singly charged cyanide complexes and repels multiply charged ones
    (Ibrado & Fuerstenau 1990, SME, cyano complexes of Ag, Cu, Hg, Cd, Zn on carbon):
    ``f2 + a3 f3`` with ``a3`` the affinity of Cu(CN)3²⁻ relative to Cu(CN)2⁻ and
    Cu(CN)4³⁻ taken as not loading. More free cyanide moves copper to the higher
    complexes and off the carbon.

    Examples
    --------
    >>> a = copper_affinity(np.array([0.001, 0.01]), np.array([0.05, 0.05]))
    >>> bool(a[0] > a[1])
    True
    """
    f2, f3, _ = copper_cyanide_fractions(cn_mol_l)
    return f2 + cn3_affinity * f3
