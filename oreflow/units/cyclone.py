"""Hydrocyclone: Whiten/Lynch-Rao efficiency curve with bypass, Whiten's fish-hook, or Plitt.

Partition to underflow of a particle of size d and species k (Napier-Munn et al. 1996; docs/models.md#cyclone):

``Ea = Rf + (1 - Rf) Ec(d / d50c_k)``, ``Ec(x) = (e^(alpha x) - 1) / (e^(alpha x) + e^alpha - 2)``

(Lynch & Rao 1975, Proc. 11th IMPC; Whiten, in Napier-Munn et al. 1996, JKMRC
Monograph 2). The bypass Rf is the water recovery to underflow unless given. Each
species is classified at its own cut size, scaled from the reference density by
Stokes-like settling: ``d50c_k = d50c ((rho_ref - rho_l)/(rho_k - rho_l))^0.5``
(Plitt 1976's exponent), so free gold (19.3 t/m³) is cut at 0.305 d50c and builds up
in the circulating load, as plants observe. Locked gold classifies with its host
(``hydraulic_density_t_m3`` of the species).

The fish-hook form (Whiten, in Napier-Munn et al. 1996) adds beta, the rise of fine
particles to underflow entrained with the water; beta = 0 is Lynch-Rao. The Plitt model (Plitt 1976, CIM Bull. 69(776):114; Flintoff, Plitt & Turak 1987,
CIM Bull. 80(905):39) computes d50c, pressure, volumetric split and sharpness from the
cyclone geometry and the feed flow and % solids by volume; F1-F4 calibrate it.
``plitt_constants`` chooses Flintoff et al.'s cut-size constant (50.5, default) or
Plitt's original (39.7).

Two more forms (``oreflow.kernels.cyclone_forms``): ``water_split``, the Lynch-Rao curve
with the bypass lambda times the water split and the underflow density given (the water
split follows from the balance); and ``nageswararao``, the JKMRC correlations
(Nageswararao 1978; Napier-Munn et al. 1996) for the pressure, cut size and water split
from the geometry, the feed flow and its solids, with material constants KD0, KQ0, KW0
fitted to a survey (exponents as recalled, not checked against a worked example
[assumed]).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.core.schema import Param, frac, positive
from oreflow.errors import Problem
from oreflow.kernels.arrays import safe_div, unique_rows
from oreflow.units.base import (
    PrepareContext,
    Pumping,
    Sizing,
    UnitResult,
    UnitSpec,
    UnitType,
    solids_volume_m3_h,
    total_solids,
    water,
)

PARAMS: tuple[Param, ...] = (
    Param(
        "model",
        "-",
        "lynch_rao",
        "efficiency-curve model",
        "Napier-Munn et al. 1996; docs/models.md#cyclone",
        kind=str,
        choices=("lynch_rao", "fishhook", "plitt", "water_split", "nageswararao"),
    ),
    Param(
        "fishhook_beta",
        "-",
        0.0,
        "Whiten fish-hook parameter beta (fishhook model; 0 is Lynch-Rao)",
        "Lynch & Rao 1975; Napier-Munn et al. 1996; Nageswararao 2016, Powder Technol. 297:106; docs/models.md#cyclone [L]",
        lo=0.0,
        hi=5.0,
    ),
    positive(
        "d50c_um",
        "µm",
        None,
        "corrected cut size for particles of reference density (lynch_rao)",
        "40-150 µm in gold grinding circuits [L] Lynch & Rao 1975; Napier-Munn et al. 1996; Nageswararao 2016, Powder Technol. 297:106; docs/models.md#cyclone",
        hi=5000.0,
    ),
    positive(
        "alpha",
        "-",
        3.0,
        "sharpness of separation (lynch_rao)",
        "2.5-4.5 for cyclones [L] Lynch & Rao 1975; Napier-Munn et al. 1996; Nageswararao 2016, Powder Technol. 297:106; docs/models.md#cyclone",
        hi=20.0,
    ),
    frac(
        "water_to_underflow_frac",
        0.3,
        "fraction of feed water reporting to underflow (lynch_rao)",
        "0.15-0.45 [L] Lynch & Rao 1975; Napier-Munn et al. 1996; Nageswararao 2016, Powder Technol. 297:106; docs/models.md#cyclone",
        hi_open=True,
    ),
    frac(
        "bypass_frac",
        None,
        "fraction of every size short-circuiting to underflow; default: the water split",
        "Lynch & Rao 1975; Napier-Munn et al. 1996; Nageswararao 2016, Powder Technol. 297:106; docs/models.md#cyclone (Rf = Rw usually)",
        hi_open=True,
    ),
    positive(
        "reference_density_t_m3",
        "t/m³",
        2.7,
        "particle density that d50c refers to",
        "silicate gangue [L]",
        hi=25.0,
    ),
    positive(
        "density_exponent",
        "-",
        0.5,
        "exponent of the density correction of the cut size",
        "Plitt (1976) [L] Lynch & Rao 1975; Napier-Munn et al. 1996; Nageswararao 2016, Powder Technol. 297:106; docs/models.md#cyclone",
        hi=2.0,
    ),
    Param(
        "count",
        "-",
        1,
        "number of cyclones operating in parallel (plitt)",
        "plant figure",
        kind=int,
        lo=1,
        hi=100,
    ),
    positive("diameter_cm", "cm", None, "cyclone diameter Dc (plitt)", "plant figure", hi=500.0),
    positive("inlet_cm", "cm", None, "inlet diameter Di (plitt)", "plant figure", hi=200.0),
    positive(
        "vortex_finder_cm",
        "cm",
        None,
        "vortex-finder diameter Do (plitt)",
        "plant figure",
        hi=200.0,
    ),
    positive("apex_cm", "cm", None, "apex (spigot) diameter Du (plitt)", "plant figure", hi=200.0),
    positive(
        "free_vortex_height_cm",
        "cm",
        None,
        "free vortex height h (plitt)",
        "plant figure",
        hi=2000.0,
    ),
    Param(
        "plitt_constants",
        "-",
        "flintoff_1987",
        "constants of Plitt's cut-size correlation (plitt): Flintoff, Plitt & Turak's "
        "industrial recalibration (50.5) or Plitt's original (39.7), the same form otherwise",
        "Flintoff, Plitt & Turak 1987, CIM Bull. 80(905):39; Plitt 1976, CIM Bull. 69(776):114 [L]",
        kind=str,
        choices=("flintoff_1987", "plitt_1976"),
    ),
    positive(
        "plitt_f1", "-", 1.0, "calibration factor on d50c (plitt)", "Flintoff et al. 1987", hi=10.0
    ),
    positive(
        "plitt_f2",
        "-",
        1.0,
        "calibration factor on pressure (plitt)",
        "Flintoff et al. 1987",
        hi=10.0,
    ),
    positive(
        "plitt_f3",
        "-",
        1.0,
        "calibration factor on flow split (plitt)",
        "Flintoff et al. 1987",
        hi=10.0,
    ),
    positive(
        "plitt_f4",
        "-",
        1.0,
        "calibration factor on sharpness (plitt)",
        "Flintoff et al. 1987",
        hi=10.0,
    ),
)

#: The water-split and Nageswararao forms (``oreflow.kernels.cyclone_forms``).
FORM_PARAMS: tuple[Param, ...] = (
    positive(
        "bypass_water_ratio",
        "-",
        1.0,
        "bypass over the water recovery to underflow, lambda (water_split): 1 is Kelsall's "
        "bypass equal to the water split",
        "Napier-Munn et al. 1996; Nageswararao 2016, Powder Technol. 297:106 [L]",
        hi=3.0,
    ),
    frac(
        "underflow_solids_target_frac",
        None,
        "underflow solids mass fraction the spigot is set to (water_split); the water "
        "split and the overflow density follow from the balance",
        "plant figure (0.65-0.80 in grinding circuits)",
        hi_open=True,
    ),
    positive("cylinder_length_cm", "cm", None, "cylinder length Lc (nageswararao)", "plant figure"),
    positive("cone_angle_deg", "deg", None, "cone full angle theta (nageswararao)", "plant figure"),
    positive(
        "nageswararao_kd0",
        "-",
        None,
        "material constant of the cut-size law (nageswararao), fitted to a survey",
        "Nageswararao 1978; Napier-Munn et al. 1996 (calibrated per ore)",
    ),
    positive(
        "nageswararao_kq0",
        "-",
        None,
        "material constant of the pressure-flow law (nageswararao), fitted to a survey",
        "Nageswararao 1978; Napier-Munn et al. 1996 (calibrated per ore)",
    ),
    positive(
        "nageswararao_kw0",
        "-",
        None,
        "material constant of the water-recovery law (nageswararao), fitted to a survey",
        "Nageswararao 1978; Napier-Munn et al. 1996 (calibrated per ore)",
    ),
)

_PLITT_KEYS = ("diameter_cm", "inlet_cm", "vortex_finder_cm", "apex_cm", "free_vortex_height_cm")
_NAGESWARARAO_KEYS = (
    "diameter_cm",
    "inlet_cm",
    "vortex_finder_cm",
    "apex_cm",
    "cylinder_length_cm",
    "cone_angle_deg",
    "nageswararao_kd0",
    "nageswararao_kq0",
    "nageswararao_kw0",
)


class PartitionState(NamedTuple):
    """What a Lynch-Rao or fishhook cyclone prepares once per simulation."""

    partition: np.ndarray  # (n_cases, n_cls, n_solid) fraction to underflow
    water_to_underflow_frac: np.ndarray
    d50c_um: np.ndarray


class Hydrocyclone:
    """Compiled hydrocyclone (see module docstring)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.rep_um = comps.sizes.representative_um()
        self.rho_h = np.array([s.hydraulic_density_t_m3 for s in comps.solids])
        self.rho_mass = np.array([s.density_t_m3 for s in comps.solids])
        from oreflow.kernels.plitt import FLINTOFF_D50_CONSTANT, PLITT_1976_D50_CONSTANT

        self.plitt = spec.params["model"] == "plitt"
        self.d50_constant = (
            PLITT_1976_D50_CONSTANT
            if spec.params["plitt_constants"] == "plitt_1976"
            else FLINTOFF_D50_CONSTANT
        )
        # a fixed partition curve splits each class and species in a set proportion,
        # whatever the water; Plitt's depends on the feed flow and density
        self.solids_diagonal = not self.plitt
        # the forms whose split depends on the feed (oreflow.kernels.cyclone_forms)
        self.form = spec.params["model"] if spec.params["model"] in _FORMS else ""
        if self.form:
            self.solids_diagonal = False

    def _density_factor(self, rho_ref: np.ndarray, exponent: np.ndarray) -> np.ndarray:
        """(n_cases, n_solid) ratio d50c_k / d50c_ref from settling density."""
        rho_l = 1.0
        ratio = (rho_ref[:, None] - rho_l) / np.maximum(self.rho_h[None, :] - rho_l, 1e-9)
        return ratio ** exponent[:, None]

    def prepare(
        self, params: Mapping[str, np.ndarray], ctx: PrepareContext
    ) -> PartitionState | Mapping[str, np.ndarray]:
        """Lynch-Rao: the partition matrix per case; Plitt: the per-case parameters."""
        from oreflow.kernels.classification import partition_batch, partition_fishhook_batch

        if self.plitt:
            return params
        if self.form:
            return _form_state(self, params)
        rf_water = params["water_to_underflow_frac"]
        bypass = params.get("bypass_frac", rf_water)
        d50 = params["d50c_um"][:, None] * self._density_factor(
            params["reference_density_t_m3"], params["density_exponent"]
        )
        # one curve per distinct setting (a batch of ores through one cyclone: one curve)
        n_sp = d50.shape[1]
        rows = np.column_stack([d50, params["alpha"], params["fishhook_beta"], bypass])
        distinct, inverse = unique_rows(rows)
        if len(distinct) == len(rows):  # every case its own curve
            distinct, inverse = rows, None
        d50_d, alpha_d, beta_d, bypass_d = (
            np.ascontiguousarray(a)
            for a in (distinct[:, :n_sp], distinct[:, n_sp], distinct[:, n_sp + 1], distinct[:, -1])
        )
        if self.spec.params["model"] == "fishhook":
            part = partition_fishhook_batch(self.rep_um, d50_d, alpha_d, beta_d, bypass_d)
        else:
            part = partition_batch(self.rep_um, d50_d, alpha_d, bypass_d)
        if inverse is not None:
            part = part[inverse]
        return PartitionState(part, rf_water, params["d50c_um"])

    def solids_shares(
        self, state: Any, n_inlets: int
    ) -> list[tuple[np.ndarray, np.ndarray]] | None:
        """Shares of the feed's solids to underflow and overflow, (n_cases, n_cls, n_solid).

        The fixed partition curve, as ``partition_split_into`` splits a feed of 1 t/h of
        every solids component (``solvers.closed_circuit``); None for Plitt and the forms,
        whose split depends on the feed.
        """
        if not self.solids_diagonal:
            return None
        return [(state.partition, 1.0 - state.partition)]

    def _plitt_state(self, params: Mapping[str, np.ndarray], feed: np.ndarray) -> Any:
        from oreflow.kernels.plitt import partition_plitt_batch, plitt_cyclone

        c = self.comps
        n = feed.shape[0]
        vol_s = solids_volume_m3_h(c, feed)
        vol_w = water(c, feed)
        solids = total_solids(c, feed)
        q_l_min = (vol_s + vol_w) * 1000.0 / 60.0 / float(self.spec.params["count"])
        cv_pct = 100.0 * safe_div(vol_s, vol_s + vol_w)
        rho_s = safe_div(solids, vol_s, fill=2.7)
        rho_pulp = safe_div(solids + vol_w, vol_s + vol_w, fill=1.0)
        d50 = np.empty(n)
        press = np.empty(n)
        rv = np.empty(n)
        m = np.empty(n)
        for i in range(n):
            out = plitt_cyclone(
                float(params["diameter_cm"][i]),
                float(params["inlet_cm"][i]),
                float(params["vortex_finder_cm"][i]),
                float(params["apex_cm"][i]),
                float(params["free_vortex_height_cm"][i]),
                float(q_l_min[i]),
                float(cv_pct[i]),
                float(rho_s[i]),
                1.0,
                float(rho_pulp[i]),
                float(params["plitt_f1"][i]),
                float(params["plitt_f2"][i]),
                float(params["plitt_f3"][i]),
                float(params["plitt_f4"][i]),
                self.d50_constant,
            )
            d50[i], press[i], rv[i], m[i] = out[0], out[1], out[4], out[5]
        # Plitt's d50c is for the mean solids density of the feed; scale per species
        d50_k = d50[:, None] * self._density_factor(rho_s, params["density_exponent"])
        part = partition_plitt_batch(self.rep_um, np.ascontiguousarray(d50_k), m, rv)
        return part, rv, d50, press

    def _split(self, state: Any, feed: np.ndarray) -> tuple[Any, ...]:
        """Underflow, overflow, water split, d50c and (Plitt) pressure, or None."""
        from oreflow.kernels.classification import partition_split_into

        press = None
        if self.plitt:
            part, rf_water, d50, press = self._plitt_state(state, feed)
        elif self.form:
            part, rf_water, d50, press = _form_split(self, state, feed)
        else:
            part, rf_water, d50 = state.partition, state.water_to_underflow_frac, state.d50c_um
        feed = np.ascontiguousarray(feed)  # one compiled layout (a strided feed view: A)
        under = np.empty_like(feed)
        over = np.empty_like(feed)
        partition_split_into(under, over, feed, part, rf_water)
        return under, over, rf_water, d50, press

    def apply_outlets(self, state: Any, inlets: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
        """Underflow and overflow only, as ``apply`` computes them (inside recycle loops)."""
        return self._split(state, inlets[0])[:2]

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Split solids by the partition curve and solution by the water split."""
        c = self.comps
        under, over, rf_water, d50, press = self._split(state, inlets[0])
        metrics: dict[str, np.ndarray] = {} if press is None else {"pressure_kpa": press}
        s_u, s_o = total_solids(c, under), total_solids(c, over)
        w_u, w_o = water(c, under), water(c, over)
        metrics.update(
            {
                "d50c_um": np.asarray(d50, dtype=np.float64).copy(),
                "water_to_underflow_frac": np.asarray(rf_water, dtype=np.float64).copy(),
                "underflow_solids_frac": safe_div(s_u, s_u + w_u),
                "overflow_solids_frac": safe_div(s_o, s_o + w_o),
                "underflow_to_overflow_ratio": safe_div(s_u, s_o),
            }
        )
        # roping is judged on the underflow's solids volume fraction (Concha et al. 1996)
        v_u = solids_volume_m3_h(c, under)
        metrics["underflow_solids_vol_frac"] = safe_div(v_u, v_u + w_u)
        if self.plitt:
            metrics["spigot_to_vortex_ratio"] = np.asarray(
                state["apex_cm"] / state["vortex_finder_cm"], dtype=np.float64
            )
        return UnitResult((under, over), metrics=metrics)


_FORMS = ("water_split", "nageswararao")


class FormState(NamedTuple):
    """What the water-split and Nageswararao forms prepare once per simulation."""

    params: Mapping[str, np.ndarray]
    ec: np.ndarray | None  # (n_cases, n_cls, n_solid) corrected curve (water_split)


def _form_state(cyc: Hydrocyclone, params: Mapping[str, np.ndarray]) -> FormState:
    """The corrected curve Ec of the water-split form (its cut size is given)."""
    from oreflow.kernels.classification import partition_batch

    if cyc.form != "water_split":
        return FormState(params, None)
    d50 = params["d50c_um"][:, None] * cyc._density_factor(
        params["reference_density_t_m3"], params["density_exponent"]
    )
    no_bypass = np.zeros_like(params["alpha"])
    ec = partition_batch(cyc.rep_um, np.ascontiguousarray(d50), params["alpha"], no_bypass)
    return FormState(params, ec)


def _form_split(cyc: Hydrocyclone, state: FormState, feed: np.ndarray) -> tuple[Any, ...]:
    """Partition, water split, d50c and (Nageswararao) pressure of a form at its feed."""
    from oreflow.kernels.classification import partition_batch
    from oreflow.kernels.cyclone_forms import nageswararao_cyclone, water_split_rf

    c = cyc.comps
    p = state.params
    solids = total_solids(c, feed)
    w = water(c, feed)
    if cyc.form == "water_split":
        by_cls = c.solids_view(feed)  # (n, n_cls, n_solid)
        ebar = safe_div((by_cls * state.ec).sum(axis=(1, 2)), solids)
        lam = p["bypass_water_ratio"]
        rf = water_split_rf(solids, w, ebar, p["underflow_solids_target_frac"], lam)
        bypass = np.clip(lam * rf, 0.0, 1.0)
        part = bypass[:, None, None] + (1.0 - bypass[:, None, None]) * state.ec
        return part, rf, p["d50c_um"], None
    vol_s = solids_volume_m3_h(c, feed)
    count = float(cyc.spec.params["count"])
    q = (vol_s + w) / count
    cv = safe_div(vol_s, vol_s + w)
    rho_pulp = safe_div(solids + w, vol_s + w, fill=1.0)
    n = feed.shape[0]
    d50, press, rf = np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):  # geometry and constants per case (a mode may vary them)
        out = nageswararao_cyclone(
            q[i : i + 1],
            cv[i : i + 1],
            rho_pulp[i : i + 1],
            *(float(p[k][i]) / 100.0 for k in ("diameter_cm", "vortex_finder_cm")),
            float(p["apex_cm"][i]) / 100.0,
            float(p["inlet_cm"][i]) / 100.0,
            float(p["cylinder_length_cm"][i]) / 100.0,
            float(p["cone_angle_deg"][i]),
            float(p["nageswararao_kd0"][i]),
            float(p["nageswararao_kq0"][i]),
            float(p["nageswararao_kw0"][i]),
        )
        d50[i], press[i], rf[i] = out[0][0], out[1][0], out[2][0]
    rho_s = safe_div(solids, vol_s, fill=2.7)
    d50_k = d50[:, None] * cyc._density_factor(rho_s, p["density_exponent"])
    part = partition_batch(cyc.rep_um, np.ascontiguousarray(d50_k), p["alpha"], rf)
    return part, rf, d50, press


def _check(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    p = spec.params
    if p["model"] == "water_split":
        for key in ("d50c_um", "underflow_solids_target_frac"):
            if p.get(key) is None:
                problems.append(
                    Problem(
                        file, f"units.{spec.name}.{key}", "missing: the water_split model needs it"
                    )
                )
    if p["model"] == "nageswararao":
        for key in _NAGESWARARAO_KEYS:
            if p.get(key) is None:
                problems.append(
                    Problem(
                        file,
                        f"units.{spec.name}.{key}",
                        "missing: the nageswararao model needs the geometry and its constants",
                    )
                )
    if p["model"] in ("lynch_rao", "fishhook") and p.get("d50c_um") is None:
        problems.append(
            Problem(
                file,
                f"units.{spec.name}.d50c_um",
                "missing: the lynch_rao model needs the cut size",
            )
        )
    if p["model"] == "plitt":
        for key in _PLITT_KEYS:
            if p.get(key) is None:
                problems.append(
                    Problem(
                        file,
                        f"units.{spec.name}.{key}",
                        "missing: the plitt model needs the cyclone geometry",
                    )
                )


#: Operating pressure of a cluster that reports none [kPa]: Arterburn's base, 10 psi
#: (Arterburn 1982, "The sizing and selection of hydrocyclones", SME).
CYCLONE_DP_KPA = 69.0
#: Static head of the cyclone feed pump [m] [assumed: site figure].
CYCLONE_STATIC_HEAD_M = 20.0

HYDROCYCLONE = UnitType(
    name="hydrocyclone",
    summary="Whiten/Lynch-Rao or Plitt classification with bypass and per-species cut size",
    inlets=("feed",),
    outlets=("underflow", "overflow"),
    params=PARAMS + FORM_PARAMS,
    build=Hydrocyclone,
    check=_check,
    requires=("water",),
    sizing=Sizing("cyclone"),
    pumping=Pumping(
        CYCLONE_STATIC_HEAD_M,
        CYCLONE_DP_KPA,
        "pressure_kpa",
        "Arterburn 1982 base pressure; static head [assumed]",
    ),
)

UNIT_TYPES = (HYDROCYCLONE,)
