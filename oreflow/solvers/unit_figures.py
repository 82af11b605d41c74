"""Unit figures read by name: a unit's own report, then its circuit's figures.

A constraint, an objective or an operating envelope names a figure
``units.UNIT.METRIC``. Most are in the unit's report; the figures of a grinding circuit
(circulating load, circuit P80, operating work index) need the streams around the
mill's recycle block and are computed here, once per simulation, on first use.
"""

from __future__ import annotations

import numpy as np

from oreflow.solvers.simulate import Simulation


class UnitFigures:
    """Lazy reader of ``units.UNIT.METRIC`` figures of one simulation (all cases)."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self._circuits: dict[str, dict[str, np.ndarray]] | None = None

    def circuits(self) -> dict[str, dict[str, np.ndarray]]:
        """Circuit figures of every circuit mill (computed on first use)."""
        if self._circuits is None:
            from oreflow.solvers.results import circuit_metrics

            self._circuits = circuit_metrics(self.sim)
        return self._circuits

    def of_unit(self, unit: str) -> dict[str, np.ndarray]:
        """Every figure of one unit: its report, then its circuit's figures."""
        report = self.sim.units.get(unit)
        out = {} if report is None else dict(report.metrics)
        spec = self.sim.plant.spec
        if any(u.name == unit and spec.unit_types[u.type].circuit for u in spec.units):
            out.update(self.circuits().get(unit, {}))
        return out

    def get(self, name: str) -> np.ndarray:
        """Figure ``units.UNIT.METRIC`` per case, (n_cases,).

        Raises
        ------
        KeyError
            The unit is not in this simulation or reports no such figure.
        """
        unit, _, metric = name[len("units.") :].partition(".")
        report = self.sim.units.get(unit)
        if report is None:
            raise KeyError(name)
        if metric in report.metrics:
            return np.asarray(report.metrics[metric], dtype=np.float64)
        circuit = self.circuits().get(unit, {}) if metric in CIRCUIT_METRICS else {}
        if metric not in circuit:
            raise KeyError(name)
        return np.asarray(circuit[metric], dtype=np.float64)


#: Figures of a ball mill's circuit (``circuit_metrics``), besides the mill's own report.
CIRCUIT_METRICS = frozenset(
    {
        "circuit_feed_tph",
        "circuit_f80_um",
        "circuit_p80_um",
        "circulating_load_frac",
        "specific_energy_kwh_t",
        "operating_wi_kwh_t",
        "operating_wi_ratio",
        "bond_design_energy_kwh_t",
        "bond_design_power_kw",
    }
)
