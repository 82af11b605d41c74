"""Rate factors of flotation modifiers: depressants, activators and pH.

A modifier scales a mineral's flotation rate constant (Wills & Finch 2016 §12.5):

- a depressant adsorbed on the mineral covers the sites the collector needs; with a
  Langmuir uptake the uncovered share is ``1/(1 + c/c_half)``, ``c_half`` being the dose
  that halves the rate. Several depressants (ZnSO4 with NaCN, or cyanide-free ZnSO4 with
  Na2SO3 for sphalerite; sulfite and cyanide on pyrite) act as a product of such factors
  [assumed form; the doses of a case come from its testwork];
- an activator (Cu2+ from CuSO4 on sphalerite) raises the rate from its unactivated
  value towards ``F`` times it, with a Langmuir uptake:
  ``1 + (F - 1) c/(c + c_half)`` [assumed form];
- pH (lime): a mineral whose xanthate floatability is lost above a critical pH (pyrite
  above about pH 10.5-11 with lime, Wills & Finch 2016 §12.5; Fuerstenau, Jameson & Yoon
  2007) has ``1/(1 + exp((pH - pH_half)/w))`` [assumed logistic form].

References
----------
Wills, B.A., Finch, J.A. (2016) Wills' Mineral Processing Technology, 8th ed.,
Butterworth-Heinemann, §12.5 (regulators) and §12.13 (lead-zinc ores) [L].
Fuerstenau, M.C., Jameson, G.J., Yoon, R.-H. (eds) (2007) Froth Flotation: A Century of
Innovation. SME [L].
"""

from __future__ import annotations

import numpy as np

from oreflow.kernels.arrays import safe_div


def depression_factor(dose_g_t: np.ndarray, half_g_t: np.ndarray) -> np.ndarray:
    """Rate factor of a depressant: ``1/(1 + c/c_half)``; 1 where ``c_half`` is 0 (no effect).

    Examples
    --------
    >>> depression_factor(np.array([0.0, 300.0, 300.0]), np.array([300.0, 300.0, 0.0]))
    array([1. , 0.5, 1. ])
    """
    dose = np.asarray(dose_g_t, dtype=np.float64)
    half = np.asarray(half_g_t, dtype=np.float64)
    ratio = safe_div(dose, half)
    return 1.0 / (1.0 + ratio)


def activation_factor(
    dose_g_t: np.ndarray, half_g_t: np.ndarray, full_factor: np.ndarray
) -> np.ndarray:
    """Rate factor of an activator: ``1 + (F - 1) c/(c + c_half)``; 1 at no dose.

    Examples
    --------
    >>> activation_factor(np.array([0.0, 100.0]), np.array([100.0, 100.0]), np.array([8.0, 8.0]))
    array([1. , 4.5])
    """
    dose = np.asarray(dose_g_t, dtype=np.float64)
    half = np.asarray(half_g_t, dtype=np.float64)
    uptake = safe_div(dose, dose + half)
    return 1.0 + (np.asarray(full_factor, dtype=np.float64) - 1.0) * uptake


def ph_factor(ph: np.ndarray, ph_half: np.ndarray, width: np.ndarray) -> np.ndarray:
    """Rate factor of pH: ``1/(1 + exp((pH - pH_half)/w))``; 1 where ``pH_half`` is 0.

    Examples
    --------
    >>> ph_factor(np.array([11.0, 11.0]), np.array([11.0, 0.0]), np.array([0.3, 0.3]))
    array([0.5, 1. ])
    """
    ph = np.asarray(ph, dtype=np.float64)
    half = np.asarray(ph_half, dtype=np.float64)
    z = np.clip((ph - half) / np.asarray(width, dtype=np.float64), -700.0, 700.0)
    return np.where(half > 0, 1.0 / (1.0 + np.exp(z)), 1.0)
