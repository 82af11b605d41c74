"""Flotation bank: N equal cells with first-order kinetics, Klimpel's k distribution by species and size.

One bank (a rougher, scavenger or cleaner) of ``n_cells`` equal perfect mixers; circuits
(rougher-scavenger-cleaner with the cleaner tails recycled) are wired in the case from
banks, mixers and recycles, and the recycle solver converges them.

True flotation (Klimpel 1980; docs/models.md#flotation): each floatable species has a rectangular distribution
of rate constants on [0, k_max] (Klimpel 1980) and a recovery at infinite time R_inf;
averaging the N-cell first-order recovery ``1 - (1 + k tau/N)^-N`` over k gives

    R_f = R_inf [1 - N/((N - 1) K) (1 - (1 + K/N)^(1 - N))],   K = k_max tau   (N > 1)
    R_f = R_inf [1 - ln(1 + K)/K]                                              (N = 1)

(``rate_distribution = "single"`` uses one k instead). Size by size, k_max and R_inf are
the stated values times a smooth plateau (``oreflow.kernels.separation.size_window``):
k falls to half at ``fine_half_um`` (fines collide with bubbles too rarely) and k and
R_inf fall to half at ``coarse_half_um`` (coarse particles are less liberated and
detach), the shape of Trahar's (1981) recovery-by-size curves [form and defaults
assumed; set both sizes to 0 for size-independent kinetics, as worked example ex05 is].

Entrainment: the feed water reports to the concentrate at ``water_recovery_frac`` and
every particle that did not float is entrained with it by Savassi's degree of
entrainment ENT(d) (Savassi et al. 1998 [L]): ``R = R_f + (1 - R_f) ENT(d) R_w``. This
is how gangue reports to a concentrate; a slow-floating gangue component (ex05) can be
given as well. Dissolved species follow the water.

Gold follows its carrier: an entry ``carrier = "pyrite"`` in the kinetics table gives a
species the recovery of its carrier in every size class (``au_sulfide`` with pyrite,
``au_silicate`` with gangue); ``au_free`` (or ``au_grg``) takes kinetics of its own.
Every gold species and every silver class (``oreflow.core.silver_minerals``: silver
held in galena or fahlore floats with its host as carrier) must have an entry; any other
species without one floats only by entrainment.

Residence time is set (``residence_min``) or follows from the cell volume, the air
hold-up and the pulp flow (``cell_volume_m3``), which makes the bank nonlinear in its
feed. Power is the installed volume times ``specific_power_kw_m3``; collector (PAX),
activator (CuSO4) and frother are dosed per tonne of feed solids.

References
----------
Klimpel, R.R. (1980) Selection of chemical reagents for flotation. In Mular, A.L.,
Bhappu, R.B. (eds) Mineral Processing Plant Design, 2nd ed., SME, 907–934 [L].
Trahar, W.J. (1981) A rational interpretation of the role of particle size in flotation.
Int. J. Miner. Process. 8:289–327 [L].
Savassi, O.N., Alexander, D.J., Franzidis, J.-P., Manlapig, E.V. (1998) An empirical
model for entrainment in industrial flotation plants. Minerals Engineering
11(3):243–256 [L].
Wills, B.A., Finch, J.A. (2016) Wills' Mineral Processing Technology, 8th ed.,
Butterworth-Heinemann, ch. 12 [L].
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from oreflow.conventions import G_PER_T
from oreflow.core.components import ELEMENTS, ComponentSet
from oreflow.core.schema import Param, frac, positive
from oreflow.core.silver_minerals import ORE_SILVER_SPECIES
from oreflow.errors import Problem
from oreflow.kernels.arrays import read_only, safe_div
from oreflow.units import reagents
from oreflow.units.base import (
    PrepareContext,
    Sizing,
    TableSchema,
    UnitResult,
    UnitSpec,
    UnitType,
    solids_volume_m3_h,
    solution_slice,
    total_solids,
    water,
)
from oreflow.units.tanks import check_residence_or_volume

PARAMS: tuple[Param, ...] = (
    Param(
        "n_cells",
        "-",
        6,
        "number of equal cells in the bank",
        "assumed; rougher and scavenger banks 4-10 cells, cleaners fewer [L] Wills & Finch 2016 ch. 12",
        kind=int,
        lo=1,
        hi=50,
    ),
    positive(
        "residence_min",
        "min",
        None,
        "total pulp residence time of the bank (or give cell_volume_m3)",
        "design basis; roughers 10-30 min [L] Klimpel 1980; docs/models.md#flotation example 16 min",
        hi=600.0,
    ),
    positive(
        "cell_volume_m3",
        "m³",
        None,
        "volume of each cell; residence then follows the pulp flow and the air hold-up",
        "plant figure",
        hi=2000.0,
    ),
    frac(
        "air_holdup_frac",
        0.15,
        "fraction of the cell volume taken by air (cell_volume_m3 only)",
        "assumed; 10-20 % [L]",
        hi=0.6,
    ),
    Param(
        "rate_distribution",
        "-",
        "klimpel",
        "rate constants rectangular on [0, k_max] (klimpel) or one k (single)",
        "Klimpel 1980; docs/models.md#flotation",
        kind=str,
        choices=("klimpel", "single"),
    ),
    frac(
        "water_recovery_frac",
        0.15,
        "fraction of the feed water reporting to the concentrate",
        "assumed; roughers 10-30 %, cleaners more [A]",
        hi_open=True,
    ),
    positive(
        "entrainment_xi_um",
        "µm",
        30.0,
        "Savassi entrainment parameter: size entrained at 20 % of the water recovery",
        "assumed; Savassi et al. 1998 [L form]",
        hi=1000.0,
    ),
    positive(
        "entrainment_drainage",
        "-",
        0.7,
        "Savassi drainage parameter adj (steepness of the entrainment curve)",
        "assumed; Savassi et al. 1998 [L form]",
        hi=10.0,
    ),
    Param(
        "fine_half_um",
        "µm",
        8.0,
        "size at which k falls to half at the fine end; 0 = no fine-end decline",
        "assumed (Trahar 1981: slow flotation below about 10 µm [L])",
        lo=0.0,
        hi=1000.0,
    ),
    Param(
        "coarse_half_um",
        "µm",
        200.0,
        "size at which k and R_inf fall to half at the coarse end; 0 = no coarse-end decline",
        "assumed (Trahar 1981: sulfide recovery falls above about 100-150 µm [L])",
        lo=0.0,
        hi=1.0e5,
    ),
    positive(
        "size_exponent",
        "-",
        2.0,
        "steepness of the fine- and coarse-end declines",
        "assumed",
        hi=20.0,
    ),
    Param(
        "pax_g_t",
        "g/t",
        50.0,
        "xanthate collector (PAX) per tonne of bank feed solids",
        "30-150 g/t [L] Klimpel 1980; docs/models.md#flotation",
        lo=0.0,
        hi=5000.0,
    ),
    Param(
        "cuso4_g_t",
        "g/t",
        0.0,
        "copper sulfate activator per tonne of bank feed solids",
        "50-200 g/t when used [L] Klimpel 1980; docs/models.md#flotation",
        lo=0.0,
        hi=5000.0,
    ),
    Param(
        "frother_g_t",
        "g/t",
        20.0,
        "frother per tonne of bank feed solids",
        "10-40 g/t [L] Klimpel 1980; docs/models.md#flotation",
        lo=0.0,
        hi=5000.0,
    ),
    Param(
        "specific_power_kw_m3",
        "kW/m³",
        1.0,
        "agitation power per m³ of installed cell volume",
        "assumed",
        lo=0.0,
        hi=10.0,
    ),
)

KINETICS_TABLE = TableSchema(
    params=(
        positive(
            "k_max_per_min",
            "1/min",
            None,
            "upper end of the rate-constant distribution (the k of a single-k bank)",
            "testwork; pyrite/arsenopyrite 1-4 1/min [L] Klimpel 1980; docs/models.md#flotation",
            hi=100.0,
        ),
        frac(
            "r_inf_frac",
            None,
            "recovery at infinite time",
            "testwork; pyrite/arsenopyrite 0.90-0.98 [L] Klimpel 1980; docs/models.md#flotation",
        ),
        Param(
            "carrier",
            "-",
            None,
            "solid species whose recovery this species shares, size by size (gold in its host)",
            "mineralogy (deportment)",
            kind=str,
        ),
    ),
    key_phase="solid",
    doc="flotation kinetics of each floatable species, or the carrier it floats with",
)


def _own_kinetics(entry: Mapping[str, Any]) -> bool:
    return entry.get("k_max_per_min") is not None


def _distinct_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Indices of one row per distinct setting, and each row's setting (None: all alike).

    ``rows`` is (n_cases, n_keys); NaN never occurs in a checked parameter.
    """
    if len(rows) == 0:
        return np.zeros(0, dtype=np.int64), None
    if bool((rows == rows[0]).all()):
        return np.zeros(1, dtype=np.int64), None
    _, first, which = np.unique(rows, axis=0, return_index=True, return_inverse=True)
    return first, which.reshape(-1)


class BankState(NamedTuple):
    """What a flotation bank prepares once per simulation ((n_cases, n_cls, n_solid) arrays)."""

    params: Mapping[str, np.ndarray]
    k_per_min: np.ndarray | None  # rate constant (None: recovery given)
    r_inf_frac: np.ndarray | None  # ultimate recovery (None: recovery given)
    entrainment: np.ndarray | None  # (n_cases, n_cls) entrainment factor (None: recovery given)
    # bank recovery at a set residence time, one row if every case's is the same; None: by volume
    recovery: np.ndarray | None


class FlotationBank:
    """Compiled flotation bank (see module docstring)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.n_cells = int(spec.params["n_cells"])
        self.klimpel = spec.params["rate_distribution"] == "klimpel"
        table = spec.tables["kinetics"]
        self.own = [name for name, e in table.items() if _own_kinetics(e)]
        self.carried = {
            comps.solid_index(name): comps.solid_index(e["carrier"])
            for name, e in table.items()
            if not _own_kinetics(e)
        }
        self.rep_um = comps.sizes.representative_um()
        self.sol = solution_slice(comps)
        em = comps.element_matrix()[: comps.n_solids_comp].reshape(
            comps.n_cls, comps.n_solid, len(ELEMENTS)
        )[0]
        self.au = np.ascontiguousarray(em[:, ELEMENTS.index("au")])
        self.s = np.ascontiguousarray(em[:, ELEMENTS.index("s")])
        self.rho_t_m3 = np.array([s.density_t_m3 for s in comps.solids])
        # a carried species takes its carrier's recovery (same k and R_inf, see prepare)
        self.rate_source = np.arange(comps.n_solid, dtype=np.int64)
        for j, host in self.carried.items():
            self.rate_source[j] = host

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> BankState:
        """Rate constants and ultimate recoveries per case, class and species; entrainment."""
        from oreflow.kernels.separation import (
            flotation_bank_batch,
            savassi_entrainment,
            size_window,
        )

        c = self.comps
        n = ctx.n_cases
        k_ref = np.zeros((n, c.n_solid))
        r_ref = np.zeros((n, c.n_solid))
        for name in self.own:
            j = c.solid_index(name)
            k_ref[:, j] = params[f"kinetics.{name}.k_max_per_min"]
            r_ref[:, j] = params[f"kinetics.{name}.r_inf_frac"]
        for j, host in self.carried.items():
            k_ref[:, j] = k_ref[:, host]
            r_ref[:, j] = r_ref[:, host]
        keys = ("fine_half_um", "coarse_half_um", "size_exponent")
        keys += ("entrainment_xi_um", "entrainment_drainage")
        # the size laws of each distinct setting (usually one for the whole batch)
        laws = np.stack([np.broadcast_to(params[k], (n,)) for k in keys], axis=1)
        first_law, law = _distinct_rows(laws)
        law = np.zeros(n, dtype=np.int64) if law is None else law
        w_k = np.empty((len(first_law), c.n_cls))
        w_r = np.empty((len(first_law), c.n_cls))
        ent_law = np.empty((len(first_law), c.n_cls))
        for i, (fine, coarse, m, xi, drainage) in enumerate(laws[first_law].tolist()):
            w_k[i] = size_window(self.rep_um, fine, coarse, m)
            w_r[i] = size_window(self.rep_um, 0.0, coarse, m)
            ent_law[i] = savassi_entrainment(self.rep_um, xi, drainage)
        if "cell_volume_m3" in params:
            # the residence time follows the pulp flow: recoveries on every pass
            w_k, w_r, ent = w_k[law], w_r[law], ent_law[law]
            k = np.ascontiguousarray(k_ref[:, None, :] * w_k[:, :, None])
            r = np.ascontiguousarray(r_ref[:, None, :] * w_r[:, :, None])
            return BankState(params, k, r, ent, None)
        # a set residence time: the recoveries are the same on every recycle pass, and
        # the same for cases of the same setting (usually the whole batch of a study,
        # whose variables are the ore's): each distinct setting is computed once, with
        # the same arithmetic as for every case
        tau = np.broadcast_to(np.asarray(params["residence_min"], dtype=np.float64), (n,))
        rw = np.broadcast_to(np.asarray(params["water_recovery_frac"], dtype=np.float64), (n,))
        first, which = _distinct_rows(np.column_stack((k_ref, r_ref, law, tau, rw)))
        at = law[first]
        recovery = flotation_bank_batch(
            np.ascontiguousarray(k_ref[first][:, None, :] * w_k[at][:, :, None]),
            np.ascontiguousarray(r_ref[first][:, None, :] * w_r[at][:, :, None]),
            np.ascontiguousarray(tau[first]),
            self.n_cells,
            self.klimpel,
            ent_law[at],
            np.ascontiguousarray(rw[first]),
        )
        if which is not None:  # else one row for every case (recovery_split_into)
            recovery = recovery[which]
        return BankState(params, None, None, None, recovery)

    def _split(
        self,
        state: BankState,
        feed: np.ndarray,
        out: tuple[np.ndarray, ...] | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Concentrate, tails and residence time [min]; into ``out`` (conc, tails) if given."""
        from oreflow.kernels.separation import flotation_bank_split_into, recovery_split_into

        params, recovery = state.params, state.recovery
        k, r, ent = state.k_per_min, state.r_inf_frac, state.entrainment
        feed = np.ascontiguousarray(feed, dtype=np.float64)
        if out is not None and out[0].shape == feed.shape:  # every element is overwritten
            conc, tails = out
        else:
            conc = np.empty_like(feed)
            tails = np.empty_like(feed)
        rw = np.ascontiguousarray(params["water_recovery_frac"], dtype=np.float64)
        if recovery is not None:
            recovery_split_into(
                conc, tails, read_only(feed), read_only(recovery), read_only(rw),
                self.sol.start, self.sol.stop,
            )  # fmt: skip
            return conc, tails, params["residence_min"]
        volume = self.n_cells * params["cell_volume_m3"]
        pulp_m3_h = self._pulp_m3_h(feed)
        tau = safe_div(60.0 * volume * (1.0 - params["air_holdup_frac"]), pulp_m3_h)
        flotation_bank_split_into(
            conc,
            tails,
            feed,
            k,
            r,
            tau,
            self.n_cells,
            self.klimpel,
            ent,
            rw,
            self.rate_source,
            self.sol.start,
            self.sol.stop,
        )
        return conc, tails, tau

    def _pulp_m3_h(self, feed: np.ndarray) -> np.ndarray:
        return solids_volume_m3_h(self.comps, feed) + water(self.comps, feed)

    def _volume_m3(
        self, params: Mapping[str, np.ndarray], by_species: np.ndarray, feed: np.ndarray
    ) -> np.ndarray:
        """Bank volume [m³]: installed, or what the set residence time needs.

        ``by_species`` is the feed's flow of each solid species [t/h], (n_cases, n_solid).
        """
        if "cell_volume_m3" in params:
            return self.n_cells * params["cell_volume_m3"]
        tau = params["residence_min"]
        pulp_m3_h = (by_species / self.rho_t_m3).sum(axis=1) + water(self.comps, feed)
        return tau * pulp_m3_h / (60.0 * (1.0 - params["air_holdup_frac"]))

    #: ``apply_outlets`` may write into the outlets of its previous call (``out``)
    outlets_into = True

    def apply_outlets(
        self,
        state: BankState,
        inlets: tuple[np.ndarray, ...],
        out: tuple[np.ndarray, ...] | None = None,
    ) -> tuple[np.ndarray, ...]:
        """Concentrate and tails only, as ``apply`` computes them (inside recycle loops).

        ``out``: the outlets of a previous call, overwritten (no arrays allocated on
        every pass of a loop); ignored where their shape is not the feed's.
        """
        conc, tails, _ = self._split(state, inlets[0], out)
        return conc, tails

    def apply(self, state: BankState, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Float, entrain, and split the water."""
        from oreflow.kernels.stream_sums import species_totals

        params = state.params
        (feed,) = inlets
        c = self.comps
        solids = total_solids(c, feed)
        conc, tails, tau = self._split(state, feed)
        # each species' flow over the size classes, in one sweep of each stream: the
        # gold, sulfur and volume figures weight these (16 species, not 416 components)
        by_species_feed = species_totals(np.ascontiguousarray(feed), c.n_cls, c.n_solid)
        by_species_conc = species_totals(conc, c.n_cls, c.n_solid)
        volume = self._volume_m3(params, by_species_feed, feed)
        rw = params["water_recovery_frac"]

        conc_solids = total_solids(c, conc)
        au_feed = by_species_feed @ self.au
        au_conc = by_species_conc @ self.au
        s_feed = by_species_feed @ self.s
        s_conc = by_species_conc @ self.s
        tail_solids = solids - conc_solids
        per_t = solids / 1000.0  # kg/h per g/t of dose
        metrics = {
            "residence_min": np.asarray(tau, dtype=np.float64).copy(),
            "volume_m3": np.asarray(volume, dtype=np.float64).copy(),
            "power_kw": volume * params["specific_power_kw_m3"],
            "mass_pull_frac": safe_div(conc_solids, solids),
            "water_recovery_frac": np.asarray(rw, dtype=np.float64).copy(),
            "au_recovery_frac": safe_div(au_conc, au_feed),
            "feed_au_gpt": safe_div(au_feed * G_PER_T, solids),
            "concentrate_au_gpt": safe_div(au_conc * G_PER_T, conc_solids),
            "tails_au_gpt": safe_div((au_feed - au_conc) * G_PER_T, tail_solids),
            "s_recovery_frac": safe_div(s_conc, s_feed),
            "concentrate_s_frac": safe_div(s_conc, conc_solids),
            "use_pax_kg_h": params["pax_g_t"] * per_t,
            "use_cuso4_kg_h": params["cuso4_g_t"] * per_t,
            "use_frother_kg_h": params["frother_g_t"] * per_t,
        }
        # one division for every species (rows contiguous, one per species)
        by_species = safe_div(by_species_conc.T, by_species_feed.T)
        for j, sp in enumerate(c.solids):
            metrics[f"{sp.name}_recovery_frac"] = by_species[j]
        return UnitResult((conc, tails), metrics=metrics)


def _check(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    key = f"units.{spec.name}"
    check_residence_or_volume(spec, file, problems, "residence_min", "cell_volume_m3")
    table = spec.tables.get("kinetics", {})
    solids = [s.name for s in comps.solids]
    for name, entry in table.items():
        ekey = f"{key}.kinetics.{name}"
        own = entry.get("k_max_per_min") is not None, entry.get("r_inf_frac") is not None
        carrier = entry.get("carrier")
        if carrier is None and not all(own):
            problems.append(
                Problem(
                    file, ekey, "give k_max_per_min and r_inf_frac, or the carrier it floats with"
                )
            )
        elif carrier is not None and any(own):
            problems.append(
                Problem(
                    file,
                    ekey,
                    "give either kinetics (k_max_per_min, r_inf_frac) or a carrier, not both",
                )
            )
        elif carrier is not None:
            if carrier not in solids:
                problems.append(
                    Problem(
                        file,
                        f"{ekey}.carrier",
                        f"{carrier!r} is not a declared solid species ({', '.join(solids)})",
                    )
                )
            elif carrier == name:
                problems.append(Problem(file, f"{ekey}.carrier", "a species cannot carry itself"))
            elif table.get(carrier, {}).get("carrier") is not None:
                problems.append(
                    Problem(
                        file,
                        f"{ekey}.carrier",
                        f"{carrier!r} floats with a carrier itself; name the host mineral",
                    )
                )
    gold = [s.name for s in comps.solids if s.au_frac > 0]
    missing = [g for g in gold if g not in table]
    if missing:
        problems.append(
            Problem(
                file,
                f"{key}.kinetics",
                f"no flotation kinetics for gold species {', '.join(missing)}: give "
                "k_max_per_min and r_inf_frac, or carrier = 'pyrite' (its host mineral)",
            )
        )
    silver = [s for s in ORE_SILVER_SPECIES if comps.has(s) and s not in table]
    if silver:
        problems.append(
            Problem(
                file,
                f"{key}.kinetics",
                f"no flotation kinetics for silver species {', '.join(silver)}: give "
                "k_max_per_min and r_inf_frac, or a carrier (its host mineral)",
            )
        )


FLOTATION_BANK = UnitType(
    name="flotation_bank",
    route_word="flotation concentrate",
    linear=True,
    summary="flotation bank of N cells: Klimpel kinetics by species and size, entrainment, gold with its carrier",
    inlets=("feed",),
    outlets=("concentrate", "tails"),
    params=PARAMS,
    tables={"kinetics": KINETICS_TABLE},
    build=FlotationBank,
    check=_check,
    requires=("water",),
    kpi_families=("flotation",),
    scale_site="concentrator",
    prices={"cuso4": reagents.CUSO4, "frother": reagents.FROTHER, "pax": reagents.PAX},
    sizing=Sizing("flotation"),
)

UNIT_TYPES = (FLOTATION_BANK,)
