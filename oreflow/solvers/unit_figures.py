"""Unit figures read by name: a unit's own report, then its circuit's figures.

A constraint, an objective or an operating envelope names a figure
``units.UNIT.METRIC``. Most are in the unit's report; the figures of a grinding circuit
(circulating load, circuit P80, operating work index) need the streams around the
mill's recycle block and are computed here, once per simulation, on first use.
"""

from __future__ import annotations

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.kernels.arrays import safe_div
from oreflow.solvers.scale import SITE_FEED, site_feed_tph
from oreflow.solvers.simulate import Simulation


class UnitFigures:
    """Lazy reader of ``units.UNIT.METRIC`` figures of one simulation (all cases)."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self._circuits: dict[str, dict[str, np.ndarray]] | None = None

    def circuits(self) -> dict[str, dict[str, np.ndarray]]:
        """Circuit figures of every circuit mill (computed on first use)."""
        if self._circuits is None:
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
        if metric == SITE_FEED:
            return site_feed_tph(self.sim, unit)  # KeyError: no site starts at this unit
        circuit = self.circuits().get(unit, {}) if metric in CIRCUIT_METRICS else {}
        if metric in circuit:
            return np.asarray(circuit[metric], dtype=np.float64)
        # equipment sizing (cyclone count and diameter, settling area, ...)
        from oreflow.solvers.equipment import sizing_figures

        sized = sizing_figures(self.sim, unit)
        if metric not in sized:
            raise KeyError(name)
        return np.asarray(sized[metric], dtype=np.float64)


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
        "operating_wi_drawn_kwh_t",
        "bond_design_energy_kwh_t",
        "bond_design_power_kw",
    }
)


def passing_size_um(comps: ComponentSet, x: np.ndarray, p: float = 0.8) -> np.ndarray:
    """P-passing size of the solids of stream arrays (n_rows, n_comp) [µm]."""
    from oreflow.kernels.psd import passing_size_batch

    by_size = np.ascontiguousarray(comps.solids_view(x).sum(axis=-1))
    return passing_size_batch(comps.sizes.edges(), by_size, p)


def circuit_metrics(sim: Simulation) -> dict[str, dict[str, np.ndarray]]:
    """Grinding-circuit figures (F80, P80, circulating load, Wi_op) of ``circuit`` mills.

    Every unit whose type declares ``circuit`` (a ball mill) gets them. The circuit of a mill is its recycle block: fresh feed is what enters the block,
    product what leaves it. Operating work index ``Wi_op = E / (10 (1/sqrt(P80) -
    1/sqrt(F80)))`` with E the mill power per tonne of fresh feed, on the basis the mill
    grinds with: pinion power for Bond/Rowland (Rowland's basis), the power the charge
    dissipates (``grinding_power_kw``) for the charge-based power models (Bond 1961;
    Bond 1952, Trans. AIME 193:484; Rowland & Kjos 1980; Wills & Finch 2016;
    docs/models.md#ball_mill); ``operating_wi_ratio`` = Wi_op / Wi is the usual efficiency figure.
    ``operating_wi_drawn_kwh_t`` is the same index on the power the mill draws (its
    ``power_kw``: pinion power for Bond/Rowland or a measured draw, motor input for the
    charge-based models), the basis a plant's power meter gives.
    With ``design_p80_um`` the Bond design energy (Rowland factors for a wet closed
    circuit) and the power it needs are reported next to the mill's power.
    """
    from oreflow.kernels.comminution_energy import bond_energy_kwh_t, rowland_factors

    comps = sim.plant.spec.comps
    topo = sim.plant.topology
    out: dict[str, dict[str, np.ndarray]] = {}
    for u in sim.plant.spec.units:
        if not sim.plant.spec.unit_types[u.type].circuit:
            continue
        block = topo.block_of(u.name)
        members = set(block.nodes)
        entering = [s.name for s in topo.streams if s.dst in members and s.src not in members]
        leaving = [s.name for s in topo.streams if s.src in members and s.dst not in members]
        fresh = sum(sim.streams[s] for s in entering)
        product = sum(sim.streams[s] for s in leaving)
        q_fresh = fresh[:, : comps.n_solids_comp].sum(axis=1)
        rep = sim.units[u.name].metrics
        # the power that breaks ore: pinion power (bond_rowland), or the charge's power
        power = rep.get("grinding_power_kw", rep["power_kw"])
        f80 = passing_size_um(comps, fresh)
        p80 = passing_size_um(comps, product)
        energy = safe_div(power, q_fresh, fill=np.nan)
        denom = 10.0 * (1.0 / np.sqrt(p80) - 1.0 / np.sqrt(f80))
        wi_op = safe_div(energy, denom, fill=np.nan)
        m = {
            "circuit_feed_tph": q_fresh,
            "circuit_f80_um": f80,
            "circuit_p80_um": p80,
            "circulating_load_frac": safe_div(rep["mill_feed_tph"] - q_fresh, q_fresh),
            "specific_energy_kwh_t": energy,
            "operating_wi_kwh_t": wi_op,
            "operating_wi_ratio": wi_op / rep["feed_wi_kwh_t"],
            "operating_wi_drawn_kwh_t": safe_div(
                safe_div(rep["power_kw"], q_fresh, fill=np.nan), denom, fill=np.nan
            ),
        }
        design = u.params.get("design_p80_um")
        if design is not None:
            w = np.empty_like(energy)
            wi = rep["feed_wi_kwh_t"]
            d_m = u.params.get("diameter_m") or 2.44
            for i in range(len(w)):
                ef = rowland_factors(
                    float(wi[i]), float(f80[i]), float(design), float(d_m), False, 0.0
                )
                w[i] = bond_energy_kwh_t(float(wi[i]), float(f80[i]), float(design)) * ef[-1]
            m["bond_design_energy_kwh_t"] = w
            m["bond_design_power_kw"] = w * q_fresh
        out[u.name] = m
    return out
