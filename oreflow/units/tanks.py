"""Tank-train plumbing shared by the leach units (CIL/CIP/CIC, heap leach, lixiviant trains).

A leach train is a series of equal, perfectly mixed tanks. Its residence time is either
set (``residence_h``) or follows from the live volume of each tank and the pulp flow
(``tank_volume_m3``); exactly one of the two is given. Leach kinetics fall with particle
size by the power law of ``oreflow.kernels.leaching.size_dependent_leach_params``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from oreflow.core.schema import Param, positive
from oreflow.errors import CaseError, Problem
from oreflow.kernels.arrays import safe_div
from oreflow.units.base import UnitSpec


def check_residence_or_volume(
    spec: UnitSpec,
    file: str,
    problems: list[Problem],
    residence_key: str = "residence_h",
    volume_key: str = "tank_volume_m3",
) -> None:
    """Record a problem unless exactly one of ``residence_key`` and ``volume_key`` is given."""
    p = spec.params
    if (p.get(residence_key) is None) == (p.get(volume_key) is None):
        problems.append(
            Problem(
                file,
                f"units.{spec.name}.{residence_key}",
                f"give exactly one of {residence_key} or {volume_key}",
            )
        )


def tank_residence(
    params: Mapping[str, np.ndarray],
    residence_key: str,
    volume_key: str,
    n_tanks: int,
    pulp_m3_h: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Residence time and live volume of each of ``n_tanks`` equal tanks.

    Parameters
    ----------
    params : Mapping[str, numpy.ndarray]
        Per-case parameters holding ``volume_key`` [m³] or else ``residence_key`` [h]
        (total over the tanks).
    residence_key, volume_key : str
        Names of the two parameters.
    n_tanks : int
        Number of tanks.
    pulp_m3_h : (n_cases,) float64
        Pulp volume flow [m³/h].

    Returns
    -------
    tau_h, tank_m3 : (n_cases,) float64
        Residence time of each tank [h] (0 where no pulp flows with a set volume) and its
        live volume [m³].
    """
    if volume_key in params:
        tank_m3 = np.asarray(params[volume_key], dtype=np.float64)
        tau_h = safe_div(tank_m3, pulp_m3_h)
        return tau_h, tank_m3
    tau_h = np.asarray(params[residence_key], dtype=np.float64) / n_tanks
    return tau_h, tau_h * pulp_m3_h


def require_solution(spec: UnitSpec, solids_tph: np.ndarray, water_tph: np.ndarray) -> None:
    """Raise ``CaseError`` where a leach is fed solids but no water."""
    if np.any((water_tph <= 0.0) & (solids_tph > 0.0)):
        problem = Problem(
            spec.file,
            f"units.{spec.name}",
            "the leach is fed no solution (water 0 t/h); add water upstream",
        )
        raise CaseError([problem])


#: The size law of leach kinetics (``size_law``): shared by every leach train.
SIZE_LAW_PARAMS: tuple[Param, ...] = (
    positive(
        "leach_d_ref_um",
        "µm",
        75.0,
        "size up to which k and the ultimate extraction keep their stated values",
        "assumed",
        hi=10000.0,
    ),
    Param(
        "leach_k_size_exponent",
        "-",
        0.5,
        "exponent of the fall of k above leach_d_ref_um",
        "assumed",
        lo=0.0,
        hi=5.0,
    ),
    Param(
        "leach_ultimate_size_exponent",
        "-",
        0.15,
        "exponent of the fall of the ultimate extraction above leach_d_ref_um",
        "assumed",
        lo=0.0,
        hi=5.0,
    ),
)


def size_law(
    rep_um: np.ndarray,
    k_ref: np.ndarray,
    ultimate_ref: np.ndarray,
    d_ref_um: np.ndarray,
    k_exponent: np.ndarray,
    ultimate_exponent: np.ndarray,
    n_cases: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Rate constant and ultimate extraction per case and size class.

    Parameters
    ----------
    rep_um : (n_cls,) float64
        Representative size of each class [µm].
    k_ref, ultimate_ref, d_ref_um, k_exponent, ultimate_exponent : (n_cases,) float64
        Per-case arguments of ``size_dependent_leach_params`` (rate in the caller's
        time unit, ultimate extraction [-], reference size [µm], exponents [-]).
    n_cases : int
        Number of cases.

    Returns
    -------
    k, ultimate : (n_cases, n_cls) float64
    """
    from oreflow.kernels.arrays import unique_rows
    from oreflow.kernels.leaching import size_dependent_leach_params

    args = [k_ref, ultimate_ref, d_ref_um, k_exponent, ultimate_exponent]
    settings = np.stack([np.broadcast_to(a, (n_cases,)) for a in args], axis=1)
    # once per distinct setting (usually one for the whole batch)
    rows, inverse = unique_rows(settings)
    k = np.empty((len(rows), rep_um.shape[0]))
    ultimate = np.empty((len(rows), rep_um.shape[0]))
    for i, row in enumerate(rows.tolist()):
        k[i], ultimate[i] = size_dependent_leach_params(rep_um, *row)
    inverse = inverse.reshape(-1)
    return k[inverse], ultimate[inverse]
