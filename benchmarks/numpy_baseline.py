"""Plain-NumPy baseline of the ``free_milling_cil`` steady-state balance.

This is the yardstick of the plant benchmark: the same plant, the same models and the
same convergence criterion as ``oreflow.simulate_batch``, written the way a competent
NumPy user would write them, with no numba and no ``oreflow.kernels`` call. Only the
case file is read through oreflow (``oreflow.load_case``: parameter values with their
defaults filled, the compiled size-class edges and the species densities); every number
after that is computed here.

Flowsheet (one batch of ``n_cases`` at once, vectorised over the case axis):

- ore feed: RRB class fractions (mass above the top edge lumped into class 0), gold
  split by deportment, the rest by mineralogy, water from the moisture;
- mill-feed mixer: ore + cyclone underflow, diluted with water to ``solids_frac``;
- ball mill: Austin population balance in the specific-energy form, ``S_i tau =
  S_i^E (Wi_ref / Wi) P / Q``, three equal perfect mixers, each solved by forward
  substitution (loop over size classes only, vectorised over species and cases);
  power by Bond/Rowland from the mill geometry;
- cyclone-feed mixer: mill discharge + thickener overflow water, diluted to
  ``solids_frac``;
- hydrocyclone: Lynch-Rao (Whiten) partition with bypass = water split, cut size
  corrected per species for its hydraulic density (exponent 0.5);
- thickener: solids to the underflow at ``underflow_solids_frac``, overflow water back
  to the cyclone feed;
- CIL: first-order leach per size class and gold class in each tank (rate constant and
  ultimate extraction falling with size by the power law of the case, or by the exposure
  of gold grains; the rate scaled by the Kudryk-Kellogg cyanide/oxygen rate, HCN share,
  sparged oxygen and Arrhenius factor of the case), tank residence
  from the live volume and the pulp flow, counter-current Nicol-Fleming carbon cascade
  solved by a Thomas-style elimination (forward in slurry order, back in carbon order)
  vectorised over cases; cyanide to the set tenor plus the chemical consumption;
- tailings and the loaded carbon to elution. The case's INCO detox on the CIL tails
  only converts cyanide in the tailings solution; it changes none of the figures
  compared (gold, power, energy, NaCN added, residue), so the baseline leaves it out.

Layout. Solids are held case-last, ``(n_cls, n_species, n_cases)``, so that each step
of the size-class loop of the mill reads and writes contiguous blocks; per-case scalars
are ``(n_cases,)``.

Recycle convergence. The loop is torn where oreflow tears it (the cyclone feed) and
converged with **the same Anderson acceleration written in NumPy**: memory 6,
residuals weighted by the inverse of each component's convergence scale, relative
Tikhonov term 1e-12 on the normal equations (solved with batched ``np.linalg.solve``),
history dropped when the worst residual rises tenfold, flows clipped at zero. The stop
test is oreflow's: every component of the tear, in every case, within a relative
``rtol`` = 1e-12 of its own size, with floors of 1e-6 of the same species' total and
1e-15 of the whole stream (``oreflow.kernels.recycle.residual_summary_t``). The whole
batch iterates until its slowest case has converged (about 45 iterations here); the
history is kept as differences, so an iteration adds one instead of re-gathering all.
Plain successive substitution on the same tear is available with
``method="substitution"``: it needs about 270 iterations, because free gold near its
cut size circulates many times, so it is not what a NumPy user would ship.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

#: Oxygen to oxidise each sulfide fully [g O2 / g mineral]: FeS2 + 15/4 O2, FeS + 9/4 O2,
#: FeAsS + 7/2 O2 (molar masses 119.98, 87.91, 162.83; O2 31.998 g/mol).
SULFIDE_O2_G_G = {
    "pyrite": 3.75 * 31.998 / 119.98,
    "pyrrhotite": 2.25 * 31.998 / 87.91,
    "arsenopyrite": 3.5 * 31.998 / 162.83,
}

G_PER_T = 1.0e6
ANDERSON_MEMORY = 6
ANDERSON_REGULARIZATION = 1e-12
SPECIES_FLOOR = 1e-6
STREAM_FLOOR = 1e-15
RTOL = 1e-12


@dataclass(frozen=True)
class PlantData:
    """Everything the balance needs from the case file, as plain numbers and arrays."""

    edges_um: np.ndarray  # (n_cls,) descending class edges, the last class is the sink
    solids: tuple[str, ...]  # solid species in stream order
    density_t_m3: np.ndarray  # (n_sp,) particle density (solids volume)
    hydraulic_density_t_m3: np.ndarray  # (n_sp,) density in classification
    gold: tuple[str, ...]  # gold classes leached in the CIL, in leach-table order
    ore: dict[str, Any]  # scalars plus "deportment", "mineralogy", "psd" tables
    mill_feed: dict[str, Any]
    mill: dict[str, Any]
    cyclone_feed: dict[str, Any]
    cyclone: dict[str, Any]
    thickener: dict[str, Any]
    cil: dict[str, Any]
    leach: dict[str, dict[str, float]]


def load_plant(case: Any) -> PlantData:
    """Read ``free_milling_cil`` (a path or a loaded ``CaseSpec``) into ``PlantData``."""
    import oreflow

    spec = case if hasattr(case, "comps") else oreflow.load_case(Path(case))
    comps = spec.comps
    units = {u.name: u for u in spec.units}
    kinds = {u.name: u.type for u in spec.units}
    expected = {
        "mill_feed": "mixer",
        "mill": "ball_mill",
        "cyclone_feed": "mixer",
        "cyclone": "hydrocyclone",
        "thickener": "thickener",
        "cil": "cil",
    }
    if any(kinds.get(k) != v for k, v in expected.items()) or len(spec.ores) != 1:
        msg = (
            f"the NumPy baseline implements the free_milling_cil flowsheet only, not {spec.name!r}"
        )
        raise ValueError(msg)
    if (
        units["cyclone"].params["model"] != "lynch_rao"
        or units["mill"].params["power_kw"] is not None
    ):
        msg = (
            "the NumPy baseline implements the Lynch-Rao cyclone and the geometric mill power only"
        )
        raise ValueError(msg)
    cil = units["cil"].params
    if (cil["tank_volume_m3"] is None) == (cil["residence_h"] is None):
        msg = "the NumPy baseline implements the CIL with one of tank volume or residence time"
        raise ValueError(msg)
    ore_spec = spec.ores[0]
    ore = dict(ore_spec.params)
    for table in ("deportment", "mineralogy", "psd"):
        ore[table] = dict(ore_spec.tables[table])
    if ore["psd"]["model"] != "rrb":
        msg = "the NumPy baseline implements the RRB feed PSD only"
        raise ValueError(msg)
    leach = {name: dict(entry) for name, entry in units["cil"].tables["leach"].items()}
    return PlantData(
        edges_um=comps.sizes.edges().copy(),
        solids=tuple(s.name for s in comps.solids),
        density_t_m3=np.array([s.density_t_m3 for s in comps.solids]),
        hydraulic_density_t_m3=np.array([s.hydraulic_density_t_m3 for s in comps.solids]),
        gold=tuple(leach),
        ore=ore,
        mill_feed=dict(units["mill_feed"].params),
        mill=dict(units["mill"].params),
        cyclone_feed=dict(units["cyclone_feed"].params),
        cyclone=dict(units["cyclone"].params),
        thickener=dict(units["thickener"].params),
        cil=dict(units["cil"].params),
        leach=leach,
    )


# ------------------------------------------------------------------ unit models
def rrb_class_fractions(edges_um: np.ndarray, f80_um: float, n: float) -> np.ndarray:
    """Mass fraction per class of an RRB feed given by F80 and n (sink last, sums to 1)."""
    x63 = f80_um / (-math.log(0.2)) ** (1.0 / n)
    z = (edges_um / x63) ** n
    passing = -np.expm1(-z)
    retained = np.exp(-z)
    passing[0], retained[0] = 1.0, 0.0  # mass above e_0 lumped into class 0
    # differences of numbers near 1 lose digits: use the retained form where passing > 0.5
    frac = np.where(passing[1:] < 0.5, passing[:-1] - passing[1:], retained[1:] - retained[:-1])
    return np.append(frac, passing[-1])


def breakage_matrix(edges_um: np.ndarray, phi: float, gamma: float, beta: float) -> np.ndarray:
    """Interval Austin breakage matrix ``b[i, j]`` (columns sum to 1, sink column 0)."""
    n_cls = edges_um.shape[0]
    last = n_cls - 1
    b = np.zeros((n_cls, n_cls))
    for j in range(last):
        r = edges_um[j + 2 :] / edges_um[j + 1]  # bottom of classes j+1 .. last-1
        cum = np.concatenate(([1.0], phi * r**gamma + (1.0 - phi) * r**beta))
        b[j + 1 : last, j] = cum[:-1] - cum[1:]
        b[last, j] = cum[-1]
    return b


def bond_mill_power_kw(p: Mapping[str, Any]) -> float:
    """Bond/Rowland pinion power of an overflow (or grate) ball mill [kW]."""
    d, cs, vp = p["diameter_m"], p["critical_speed_frac"], p["ball_fill_frac"]
    kwb = 4.879 * d**0.3 * (3.2 - 3.0 * vp) * cs * (1.0 - 0.1 / 2.0 ** (9.0 - 10.0 * cs))
    if d > 3.3:
        kwb += 1.102 * (p["ball_top_mm"] - 12.5 * d) / 50.8
    power = kwb * vp * 0.25 * math.pi * d * d * p["length_m"] * p["ball_bulk_density_t_m3"]
    return power * (1.16 if p["discharge"] == "grate" else 1.0)


def lynch_rao_ec(x: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Reduced Lynch-Rao efficiency ``(e^{ax} - 1)/(e^{ax} + e^a - 2)``, overflow-safe."""
    with np.errstate(over="ignore", invalid="ignore"):
        coarse = -np.expm1(-alpha * x) / (
            1.0 + np.exp(alpha * (1.0 - x)) - 2.0 * np.exp(-alpha * x)
        )
        num = np.expm1(alpha * x)
        fine = num / (num + np.expm1(alpha))
    return np.where(x > 1.0, coarse, fine)


def representative_um(edges_um: np.ndarray) -> np.ndarray:
    """Geometric-mean size of each class; the sink's is ``e_last / sqrt(2)`` [µm]."""
    return np.append(np.sqrt(edges_um[:-1] * edges_um[1:]), edges_um[-1] / math.sqrt(2.0))


def p80_um(edges_um: np.ndarray, by_size: np.ndarray, p: float = 0.8) -> np.ndarray:
    """Size passing ``p`` of class masses ``(n_cls, n_cases)``, log-linear between edges."""
    n_cls = edges_um.shape[0]
    cum = np.cumsum(by_size[::-1], axis=0)[::-1]  # passing mass at each edge
    passing = cum / cum[0]
    # first edge from the fine end whose passing reaches p
    k = n_cls - 1 - np.argmax(passing[::-1] >= p, axis=0)
    cols = np.arange(by_size.shape[1])
    p_hi = passing[k, cols]
    fine_end = k == n_cls - 1
    p_lo = np.where(fine_end, 0.0, passing[np.minimum(k + 1, n_cls - 1), cols])
    x_lo = np.where(fine_end, edges_um[-1] / math.sqrt(2.0), edges_um[np.minimum(k + 1, n_cls - 1)])
    x_hi = edges_um[k]
    return np.exp(np.log(x_lo) + (p - p_lo) * (np.log(x_hi) - np.log(x_lo)) / (p_hi - p_lo))


# ------------------------------------------------------------------ the batch model
@dataclass
class NumpyResult:
    """KPIs per case ``(n_cases,)`` with oreflow's names, and the iterations used."""

    kpis: dict[str, np.ndarray]
    iterations: int


class NumpyPlant:
    """``free_milling_cil`` in plain NumPy, prepared once, evaluated for any batch."""

    def __init__(self, case: Any) -> None:
        self.data = load_plant(case)
        d = self.data
        self.edges = d.edges_um
        self.n_cls = d.edges_um.shape[0]
        self.n_sp = len(d.solids)
        self.rep_um = representative_um(d.edges_um)
        m = d.mill
        s_e = (
            m["selection_a_t_kwh"]
            * (d.edges_um / 1000.0) ** m["selection_alpha"]
            / (1.0 + (d.edges_um / 1000.0 / m["selection_mu_mm"]) ** m["selection_lambda"])
        )
        s_e[-1] = 0.0  # the sink does not break
        self.selection_t_kwh = s_e
        self.b = breakage_matrix(
            d.edges_um, m["breakage_phi"], m["breakage_gamma"], m["breakage_beta"]
        )
        self.power_kw = bond_mill_power_kw(m)
        # worn media (oreflow.units.media_wear): the mill's steel at its drawn power enters
        # its discharge in the finest class, where the case declares ``steel``
        self.steel = d.solids.index("steel") if "steel" in d.solids else None
        self.wear_tph = self.power_kw * float(m["media_wear_kg_kwh"]) / 1000.0
        self.n_mixers = int(m["n_mixers"])
        self.gold_idx = [d.solids.index(g) for g in d.gold]
        # CIL leach parameters per class and gold class, (n_cls, n_dep, 1)
        c = d.cil
        rel = np.minimum(1.0, c["leach_d_ref_um"] / self.rep_um)
        self.leach_k = np.stack(
            [d.leach[g]["k_per_h"] * rel ** c["leach_k_size_exponent"] for g in d.gold], 1
        )[..., None]
        ult = []
        for g in d.gold:
            entry = d.leach[g]
            if entry.get("grain_um") is not None:
                # grain exposure: k independent of size, ultimate from the exposed share
                inside = np.clip(1.0 - entry["grain_um"] / self.rep_um, 0.0, 1.0)
                exposed = 1.0 - inside**3
                a = entry["locked_access_frac"]
                ult.append(entry["ultimate_frac"] * (exposed + (1.0 - exposed) * a))
            else:
                ult.append(entry["ultimate_frac"] * rel ** c["leach_ultimate_size_exponent"])
        self.leach_ult = np.stack(ult, 1)[..., None]
        ks = [
            np.full_like(rel, d.leach[g]["k_per_h"])
            if d.leach[g].get("grain_um") is not None
            else d.leach[g]["k_per_h"] * rel ** c["leach_k_size_exponent"]
            for g in d.gold
        ]
        self.leach_k = np.stack(ks, 1)[..., None]

    # ---------------------------------------------------------------- ore
    def ore_params(self, n: int, overrides: Mapping[str, Any] | None) -> dict[str, np.ndarray]:
        """Per-case ore parameters, ``(n,)`` each, keyed as in oreflow overrides."""
        ore = self.data.ore
        out = {
            k: np.full(n, float(ore[k]))
            for k in ("rate_tph", "moisture_frac", "au_gpt", "ag_gpt", "wi_kwh_t")
        }
        for table in ("deportment", "mineralogy"):
            out.update({f"{table}.{k}": np.full(n, float(v)) for k, v in ore[table].items()})
        for key, value in (overrides or {}).items():
            name = key.removeprefix("ore.main.")
            if name == key or name not in out:
                msg = f"the NumPy baseline varies ore.main.* parameters only, not {key!r}"
                raise KeyError(msg)
            out[name] = np.broadcast_to(np.asarray(value, dtype=np.float64), (n,)).copy()
        return out

    def ore_feed(self, p: Mapping[str, np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
        """Ore solids ``(n_cls, n_sp, n)`` and water ``(n,)`` [t/h]."""
        d = self.data
        frac = rrb_class_fractions(self.edges, d.ore["psd"]["f80_um"], d.ore["psd"]["n"])
        rate = p["rate_tph"]
        gold = rate * p["au_gpt"] / G_PER_T
        silver = rate * p["ag_gpt"] / G_PER_T
        species = np.zeros((self.n_sp, n))
        for name in d.ore["deportment"]:
            species[d.solids.index(name)] += gold * p[f"deportment.{name}"]
        rest = rate - gold - silver
        for name in d.ore["mineralogy"]:
            species[d.solids.index(name)] += rest * p[f"mineralogy.{name}"]
        w = p["moisture_frac"]
        return frac[:, None, None] * species[None], rate * w / (1.0 - w)

    # ---------------------------------------------------------------- one pass
    def _mill(self, solids: np.ndarray, rate_tau: np.ndarray) -> np.ndarray:
        """Austin mill as equal mixers in series; ``rate_tau`` is S_i tau, (n_cls, n)."""
        out = solids.copy()
        t_all = rate_tau / self.n_mixers
        b = self.b
        for _ in range(self.n_mixers):
            for j in range(self.n_cls - 1):
                t = t_all[j]
                p = out[j] / (1.0 + t)
                out[j] = p
                out[j + 1 :] += b[j + 1 :, j, None, None] * (t * p)[None]
        return out

    def _pass(self, x: np.ndarray, st: dict[str, Any]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Cyclone feed guess ``x`` (n_cls*n_sp + 1, n) -> recomputed cyclone feed."""
        n_cls, n_sp = self.n_cls, self.n_sp
        n = x.shape[1]
        feed_s = x[:-1].reshape(n_cls, n_sp, n)
        feed_w = x[-1]
        # cyclone
        under_s = feed_s * st["partition"]
        under_w = feed_w * st["water_split"]
        over_s = feed_s - under_s
        over_w = feed_w - under_w
        # mill-feed mixer, diluted to its % solids
        mf_s = st["ore_s"] + under_s
        mf_w = st["ore_w"] + under_w
        q = mf_s.sum(axis=(0, 1))
        sf = st["mill_feed_solids_frac"]
        mf_w = mf_w + np.maximum(q * (1.0 - sf) / sf - mf_w, 0.0)
        # thickener on the cyclone overflow
        th_u_s = over_s * st["thickener_recovery"]
        th_solids = th_u_s.sum(axis=(0, 1))
        wu = st["thickener_solids_frac"]
        th_u_w = np.minimum(th_solids * (1.0 - wu) / wu, over_w)
        share = np.divide(th_u_w, over_w, out=np.ones(n), where=over_w > 0)
        th_u_w = over_w * share
        th_o_s = over_s - th_u_s
        th_o_w = over_w - th_u_w
        # ball mill at the specific energy of this pass
        energy = np.divide(self.power_kw, q, out=np.zeros(n), where=q > 0)
        mill_s = self._mill(mf_s, st["selection"] * energy)
        if self.steel is not None:
            mill_s[-1, self.steel] += self.wear_tph
        # cyclone-feed mixer, diluted to its % solids
        out = np.empty_like(x)
        cf_s = out[:-1].reshape(n_cls, n_sp, n)
        np.add(mill_s, th_o_s, out=cf_s)
        cf_w = mf_w + th_o_w
        solids = cf_s.sum(axis=(0, 1))
        sf = st["cyclone_feed_solids_frac"]
        out[-1] = cf_w + np.maximum(solids * (1.0 - sf) / sf - cf_w, 0.0)
        return out, {"leach_s": th_u_s, "leach_w": th_u_w, "mill_feed_tph": q}

    # ---------------------------------------------------------------- convergence
    def _scales(self, g: np.ndarray) -> np.ndarray:
        """Convergence scale of every tear component (oreflow's residual_summary_t)."""
        n_cls, n_sp = self.n_cls, self.n_sp
        a = np.abs(g)
        solids = a[:-1].reshape(n_cls, n_sp, -1)
        floor = np.maximum(
            SPECIES_FLOOR * solids.sum(axis=0), STREAM_FLOOR * a.sum(axis=0)
        )  # (n_sp, n)
        scale = np.empty_like(g)
        np.maximum(solids, floor[None], out=scale[:-1].reshape(solids.shape))
        scale[-1] = np.maximum(
            np.maximum(a[-1], SPECIES_FLOOR * a[-1]), STREAM_FLOOR * a.sum(axis=0)
        )
        return scale

    def _converge(
        self, st: dict[str, Any], n: int, rtol: float, max_iter: int, method: str
    ) -> tuple[np.ndarray, dict[str, np.ndarray], int]:
        """Converge the cyclone-feed tear; return it, the last pass's streams and the iterations.

        Anderson type II with memory ``ANDERSON_MEMORY`` (Walker & Ni 2011, SIAM J. Numer.
        Anal. 49(4):1715, doi:10.1137/10078356X), kept as the last differences of the
        residuals ``r = g(x) - x`` and of the images ``g``, so each iteration adds one
        difference instead of re-gathering the history.
        """
        x = np.zeros((self.n_cls * self.n_sp + 1, n))
        d_r: list[np.ndarray] = []  # residual differences, oldest first
        d_g: list[np.ndarray] = []  # image differences
        prev_r = prev_g = None
        best = np.inf
        worst = np.inf
        for it in range(1, max_iter + 1):
            g, inner = self._pass(x, st)
            r_now = g - x
            scale = self._scales(g)
            rel = np.abs(r_now)
            np.divide(rel, scale, out=rel, where=scale > 0)
            worst = float(rel.max())
            if worst <= rtol:
                return g, inner, it
            if method == "substitution":
                x = g
                continue
            if worst > 10.0 * best:  # the accelerated step went astray: forget the history
                d_r.clear()
                d_g.clear()
                prev_r = prev_g = None
            best = min(best, worst)
            if prev_r is not None:
                d_r.append(r_now - prev_r)
                d_g.append(g - prev_g)
                del d_r[:-ANDERSON_MEMORY], d_g[:-ANDERSON_MEMORY]
            prev_r, prev_g = r_now, g
            if not d_r:
                x = g
                continue
            # weighted least squares min |W (r_k - dR gamma)| by its normal equations
            weight = np.divide(1.0, scale, out=np.zeros_like(scale), where=scale > 0)
            wd = [d * weight for d in d_r]
            wr = r_now * weight
            m = len(wd)
            a = np.empty((n, m, m))
            rhs = np.empty((n, m))
            for i in range(m):
                rhs[:, i] = np.einsum("cn,cn->n", wd[i], wr)
                for k in range(i, m):
                    a[:, i, k] = a[:, k, i] = np.einsum("cn,cn->n", wd[i], wd[k])
            diag = np.arange(m)
            a[:, diag, diag] += (
                ANDERSON_REGULARIZATION * np.trace(a, axis1=1, axis2=2) / m + 1e-300
            )[:, None]
            gamma = np.linalg.solve(a, rhs[..., None])[..., 0]  # (n, m)
            x = g.copy()
            for i in range(m):
                x -= d_g[i] * gamma[:, i]
            np.maximum(x, 0.0, out=x)
        msg = f"NumPy baseline: recycle not converged in {max_iter} iterations (worst {worst:.3g})"
        raise RuntimeError(msg)

    # ---------------------------------------------------------------- CIL
    def _rate_factor(self, sol_s: np.ndarray, sol_w: np.ndarray) -> tuple[np.ndarray, float]:
        """Leach rate over its reference value (Kudryk-Kellogg, HCN, Arrhenius) and HCN share."""
        c = self.data.cil
        solids = sol_s.sum(axis=(0, 1))
        if c["rate_model"] == "none":
            return np.ones_like(solids), 0.0
        r_kj = 8.314462618e-3

        def cn_ion(nacn: float, ph: float, t_c: float) -> tuple[float, float]:
            pka = 9.21 + 43.5 / (r_kj * np.log(10.0)) * (1 / (t_c + 273.15) - 1 / 298.15)
            ion = 1.0 / (1.0 + 10.0 ** (pka - ph))
            return nacn / 1000.0 / 49.007 * ion, 1.0 - ion

        t_c = c["temp_c"]
        if c["oxygen_supply"] == "set_point":
            do = np.full_like(solids, c["do_mg_l"])
        else:
            t_k = t_c + 273.15
            sat = np.exp(
                -139.34411 + 1.575701e5 / t_k - 6.642308e7 / t_k**2 + 1.2438e10 / t_k**3
                - 8.621949e11 / t_k**4
            ) * (1.0 if c["oxygen_supply"] == "air" else 1.0 / 0.2095)  # fmt: skip
            # the feed's sulfides take oxygen at their oxidation rate x stoichiometric O2
            demand = np.full_like(solids, c["o2_demand_g_t_h"])
            for mineral, o2_g_g in SULFIDE_O2_G_G.items():
                key = f"o2_{mineral}_frac_h"
                if mineral in self.data.solids and c.get(key) is not None:
                    mineral_t = sol_s[:, self.data.solids.index(mineral), :].sum(axis=0)
                    frac = np.divide(mineral_t, solids, out=np.zeros_like(solids), where=solids > 0)
                    demand += frac * c[key] * o2_g_g * 1e6
            uptake = demand * np.divide(solids, sol_w, out=np.zeros_like(solids), where=sol_w > 0)
            do = np.maximum(sat - uptake / c["kla_per_h"], 0.0)
        ratio = 4.0 * 2.76e-5 / 1.83e-5

        def rate(cn: float, o2: np.ndarray) -> np.ndarray:
            return cn * o2 / (cn + ratio * o2)

        cn, hcn = cn_ion(c["nacn_mg_l"], c["ph"], t_c)
        cn_ref, _ = cn_ion(c["ref_nacn_mg_l"], c["ref_ph"], c["ref_temp_c"])
        f = rate(cn, do / 1000.0 / 31.998) / rate(
            cn_ref, np.array(c["ref_do_mg_l"] / 1000.0 / 31.998)
        )
        if c["rate_model"] == "power":
            f = (cn / cn_ref) ** c["cn_order"] * (do / c["ref_do_mg_l"]) ** c["do_order"]
        arr = np.exp(
            -c["leach_ea_kj_mol"] / r_kj * (1 / (t_c + 273.15) - 1 / (c["ref_temp_c"] + 273.15))
        )
        return f * arr, hcn

    def _cil(self, sol_s: np.ndarray, sol_w: np.ndarray) -> dict[str, np.ndarray]:
        """CIL on the thickener underflow: leach, carbon cascade, cyanide."""
        c = self.data.cil
        n = sol_w.shape[0]
        solids = sol_s.sum(axis=(0, 1))
        pulp_m3_h = (sol_s / self.data.density_t_m3[None, :, None]).sum(axis=(0, 1)) + sol_w
        n_tanks = int(c["n_tanks"])
        if c["tank_volume_m3"] is not None:
            tank_m3 = c["tank_volume_m3"]
            tau = np.divide(tank_m3, pulp_m3_h, out=np.zeros(n), where=pulp_m3_h > 0)
        else:
            tau = np.full(n, c["residence_h"] / n_tanks)
            tank_m3 = tau * pulp_m3_h
        gold_in = sol_s[:, self.gold_idx, :]  # (n_cls, n_dep, n)
        factor, hcn_frac = self._rate_factor(sol_s, sol_w)
        k_eff = self.leach_k * factor
        leachable = self.leach_ult * gold_in
        leached = np.empty((n_tanks, n))
        for j in range(n_tanks):
            remaining = leachable / (1.0 + k_eff * tau)
            leached[j] = (leachable - remaining).sum(axis=(0, 1))
            leachable = remaining
        residue = (gold_in - self.leach_ult * gold_in) + leachable
        # counter-current carbon: C_j = alpha_j + beta_j q_{j+1}, q_j = gamma_j + delta_j q_{j+1}
        if c.get("carbon_advance_kg_t") is not None:
            carbon = c["carbon_advance_kg_t"] * solids / 1000.0
        else:
            carbon = np.full(n, c["carbon_advance_t_d"] / 24.0)
        carbon_per_tank = c["carbon_g_l"] * tank_m3 / 1000.0
        k, k_eq, q_in = (
            c["adsorption_k_per_h"],
            c["adsorption_k_eq_m3_t"],
            c["barren_carbon_au_g_t"],
        )
        flow = sol_w
        c_alpha = np.zeros(n)  # no gold in solution in the CIL feed
        c_beta = np.zeros(n)
        slack = np.ones(n)
        coef = np.empty((4, n_tanks, n))
        transfer = carbon_per_tank * k
        for j in range(n_tanks):
            mixed = flow + transfer * k_eq
            u = (flow * c_alpha + leached[j] * G_PER_T) / mixed
            v = (flow * c_beta + transfer) / mixed
            w = flow * slack / mixed
            pivot = carbon + transfer * w
            ok = pivot > 0
            coef[2, j] = np.divide(transfer * k_eq * u, pivot, out=np.zeros(n), where=ok)
            coef[3, j] = np.divide(carbon, pivot, out=np.ones(n), where=ok)
            slack = np.divide((carbon + transfer) * w, pivot, out=w.copy(), where=ok)
            coef[0, j] = u + v * coef[2, j]
            coef[1, j] = v * coef[3, j]
            c_alpha, c_beta = coef[0, j], coef[1, j]
        q_next = np.full(n, q_in)
        tenor_last = coef[0, -1] + coef[1, -1] * q_next
        for j in range(n_tanks - 1, -1, -1):
            q_next = coef[2, j] + coef[3, j] * q_next
        loading_first = q_next
        # cyanide: chemical consumption plus what brings the solution to the set tenor
        chem = c["nacn_chemical_consumption_kg_t"] * solids / 1000.0
        loss_per_h = c["cn_oxidation_per_h"] + c["hcn_loss_per_h"] * hcn_frac
        chem = chem + loss_per_h * tau * n_tanks * c["nacn_mg_l"] * sol_w / 1e6
        nacn_add = np.maximum(chem + c["nacn_mg_l"] * sol_w / G_PER_T, 0.0)
        gold_out = carbon * loading_first / G_PER_T - carbon * q_in / G_PER_T
        tails_solids = solids - gold_in.sum(axis=(0, 1)) + residue.sum(axis=(0, 1))
        return {
            "gold_to_carbon_tph": gold_out,
            "nacn_added_tph": nacn_add,
            "residue_tph": tails_solids,
            "residue_water_tph": sol_w.copy(),
            "soluble_loss_au_mg_l": tenor_last,
            "loaded_carbon_au_g_t": loading_first,
            "au_leach_extraction_frac": leached.sum(axis=0) / gold_in.sum(axis=(0, 1)),
            # per tonne of residue solids (the leached gold has left the solids)
            "tails_au_gpt": np.divide(
                residue.sum(axis=(0, 1)) * G_PER_T,
                tails_solids,
                out=np.zeros(n),
                where=tails_solids > 0,
            ),
        }

    # ---------------------------------------------------------------- public
    def simulate(
        self,
        overrides: Mapping[str, Any] | None = None,
        *,
        n_cases: int | None = None,
        rtol: float = RTOL,
        max_iter: int = 2000,
        method: str = "anderson",
    ) -> NumpyResult:
        """Steady state of ``n_cases`` ore-parameter sets; KPIs named as in oreflow.

        ``overrides`` takes ``ore.main.KEY`` arrays (au_gpt, wi_kwh_t, rate_tph,
        moisture_frac, deportment.SPECIES, mineralogy.SPECIES), as ``simulate_batch``.
        """
        if method not in ("anderson", "substitution"):
            msg = f"method must be 'anderson' or 'substitution', not {method!r}"
            raise ValueError(msg)
        if n_cases is None:
            sizes = {np.size(v) for v in (overrides or {}).values() if np.ndim(v) > 0}
            n_cases = max(sizes) if sizes else 1
        n = n_cases
        d = self.data
        p = self.ore_params(n, overrides)
        ore_s, ore_w = self.ore_feed(p, n)
        rate = p["rate_tph"]
        wi = rate * p["wi_kwh_t"] / rate  # rate-weighted Wi of the ore reaching the mill
        hardness = d.mill["selection_wi_ref_kwh_t"] / wi
        factor = (
            (d.cyclone["reference_density_t_m3"] - 1.0)
            / np.maximum(d.hydraulic_density_t_m3 - 1.0, 1e-9)
        ) ** d.cyclone["density_exponent"]
        d50 = d.cyclone["d50c_um"] * factor  # (n_sp,)
        rf = d.cyclone["water_to_underflow_frac"]
        bypass = rf if d.cyclone["bypass_frac"] is None else d.cyclone["bypass_frac"]
        ec = lynch_rao_ec(self.rep_um[:, None] / d50[None, :], np.float64(d.cyclone["alpha"]))
        partition = (bypass + (1.0 - bypass) * ec)[:, :, None]  # (n_cls, n_sp, 1)
        st = {
            "ore_s": ore_s,
            "ore_w": ore_w,
            "partition": partition,
            "water_split": rf,
            "mill_feed_solids_frac": d.mill_feed["solids_frac"],
            "cyclone_feed_solids_frac": d.cyclone_feed["solids_frac"],
            "thickener_recovery": d.thickener["solids_recovery_frac"],
            "thickener_solids_frac": d.thickener["underflow_solids_frac"],
            "selection": self.selection_t_kwh[:, None] * hardness[None, :],  # (n_cls, n)
        }
        _, inner, iterations = self._converge(st, n, rtol, max_iter, method)
        cil = self._cil(inner["leach_s"], inner["leach_w"])
        au_feed = ore_s[:, self.gold_idx, :].sum(axis=(0, 1))
        ore_solids = ore_s.sum(axis=(0, 1))
        per_t = np.divide(1.0, rate, out=np.zeros(n), where=rate > 0)
        recovered = cil["gold_to_carbon_tph"]
        kpis = {
            "ore_tph": rate,
            "au_head_gpt": au_feed * G_PER_T / ore_solids,
            "au_feed_g_h": au_feed * G_PER_T,
            "gold_recovery_frac": np.divide(recovered, au_feed, out=np.zeros(n), where=au_feed > 0),
            "gold_produced_g_h": recovered * G_PER_T,
            "mill_power_kw": np.full(n, self.power_kw),
            "specific_energy_kwh_t": self.power_kw * per_t,
            "nacn_kg_t": cil["nacn_added_tph"] * 1000.0 * per_t,
            "residue_tph": cil["residue_tph"],
            "residue_water_tph": cil["residue_water_tph"],
            "circulating_load_frac": (inner["mill_feed_tph"] - ore_solids) / ore_solids,
            "circuit_p80_um": p80_um(self.edges, inner["leach_s"].sum(axis=1)),
            "soluble_loss_au_mg_l": cil["soluble_loss_au_mg_l"],
            "loaded_carbon_au_g_t": cil["loaded_carbon_au_g_t"],
            "au_leach_extraction_frac": cil["au_leach_extraction_frac"],
            "tails_au_gpt": cil["tails_au_gpt"],
        }
        return NumpyResult(kpis, iterations)


def simulate_batch_numpy(case: Any, overrides: Mapping[str, Any], **kwargs: Any) -> NumpyResult:
    """One-call form: prepare the plant and evaluate the batch (``NumpyPlant.simulate``)."""
    return NumpyPlant(case).simulate(overrides, **kwargs)
