"""The heat to hold a leach or adsorption tank train above its feed's temperature.

A tank unit whose slurry temperature (``temp_c`` of cil/cip, ``temperature_degc`` of the
thiosulfate leach) is set above the temperature of the pulp fed to it takes the heat to
raise the pulp, with no recovery or losses (``oreflow.kernels.lixiviants.
pulp_heat_duty_kw``, the glycine leach's: ``(ṁ_w 4.18 + ṁ_s 0.8) kJ/(kg K) · ΔT``),
reported as ``heat_duty_kw`` and priced as steam by the economics (``steam_usd_mwh``).
At or below the feed's temperature there is no duty (the kernel counts no cooling).

Streams carry no temperature, so the feed's temperature is a parameter of the heated
unit, up to the unit's own set temperature; a run warns where a unit upstream of it
(an autoclave, a warm leach) runs hotter (``oreflow.solvers.feed_temperature``).

Without it a warmer slurry (faster leach and film, a lower CIL soluble loss at 60 °C) would
come free. The feed's temperature defaults to 25 °C, ambient [assumed]: the reference of
the rate constants and of the carbon's temperature factors, so cases at 25 °C take no heat.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from oreflow.core.schema import Param


def feed_temperature_param(name: str, params: tuple[Param, ...], set_key: str) -> Param:
    """The feed temperature key ``name`` of a heated tank unit [°C].

    Its range reaches the unit's own set temperature (``set_key`` among ``params``): a
    pulp fed as hot as the tanks run takes no heat. Streams carry no temperature, hence
    a parameter; ``oreflow run`` warns where a unit upstream runs hotter than it
    (``oreflow.solvers.feed_temperature``).
    """
    hi = next(p.hi for p in params if p.name == set_key)
    return Param(
        name,
        "°C",
        25.0,
        "temperature of the pulp fed to the tanks (heating it to the set temperature is "
        "charged as steam; none when the set temperature is at or below it)",
        "assumed ambient, the 25 °C reference of the rate constants",
        lo=0.0,
        hi=hi,
    )


def slurry_heat_duty_kw(
    params: Mapping[str, np.ndarray],
    solids_tph: np.ndarray,
    solution_m3_h: np.ndarray,
    temp_key: str,
    feed_key: str,
) -> np.ndarray:
    """Heat to raise the pulp from ``params[feed_key]`` to ``params[temp_key]`` [kW] (n,).

    The solution is taken as water at 1 t/m³ (as the glycine leach does).

    Examples
    --------
    >>> p = {"t": np.array([25.0, 60.0, 20.0]), "f": np.array([25.0, 25.0, 25.0])}
    >>> slurry_heat_duty_kw(p, np.full(3, 100.0), np.full(3, 150.0), "t", "f").round(1).tolist()
    [0.0, 6873.6, 0.0]
    """
    from oreflow.kernels.lixiviants import pulp_heat_duty_kw  # Numba: not at import

    n = solids_tph.shape[0]
    rise = np.broadcast_to(params[temp_key] - params[feed_key], (n,))
    return pulp_heat_duty_kw(
        np.ascontiguousarray(solids_tph, dtype=np.float64),
        np.ascontiguousarray(solution_m3_h, dtype=np.float64),
        np.ascontiguousarray(rise, dtype=np.float64),
    )
