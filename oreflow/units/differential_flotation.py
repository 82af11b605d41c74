"""Differential flotation bank: Cu, Pb, Zn sulfides by liberation class, with depressants and activators.

One bank of a sequential (differential) Cu-Pb-Zn(-Au) circuit: a copper, lead or zinc
rougher, scavenger or cleaner. A circuit is wired in the case from such banks, regrind
mills and mixers, each bank with its own kinetics table and reagent suite, as the
flotation bank (docs/models.md#flotation_bank) is; the recycle solver converges it.

**Liberation.** Each floatable mineral of the kinetics table has a mean grain size
``grain_um``, a sulfide ``partner`` (galena with sphalerite, chalcopyrite with pyrite)
and the share ``partner_frac`` of its boundary with that partner. In every size class
its mass is split into free, binary-with-gangue, binary-with-partner and ternary
particles (``oreflow.kernels.liberation``: King 1979's linear-section model): the
finer the feed, the more of it is free, so the grind of the primary mill and a regrind
before the cleaners change what floats. The bank reports the free share of each
mineral it is fed (``<mineral>_free_frac``).

**True flotation.** Free particles float with first-order kinetics at the mineral's
rate constant (a Klimpel rectangular distribution on [0, k_max] or one k, as the
flotation bank), composites at the rate of their exposed floatable surface
(Sutherland 1989; exposure ``locked_exposure_frac`` [assumed]); the gangue locked in
floating composites goes with them. Size by size, k falls at the fine and at the coarse
end (``size_window``, Trahar 1981 [form assumed]: slow collection of fines, detachment
of coarse particles). R_inf does not fall at the coarse end here, as it does in the
flotation bank: there the coarse decline of R_inf stands for the coarse particles that
are not liberated, which this bank counts by its liberation classes. Counting it twice
charged the locked share of a coarse class once more at every rougher, cleaner and
recycle pass (on the shipped Cu-Pb-Zn case zinc to its concentrate went from 60.6 to
72.4 %, copper from 66.8 to 81.4 %, lead from 66.5 to 76.0 % when it was removed).

**Reagents as levers** (``oreflow.kernels.flotation_chemistry``): each mineral's rate
is multiplied by a Langmuir-type factor ``1/(1 + c/c_half)`` for each depressant it
responds to (``znso4_half_g_t``, ``nacn_half_g_t``, ``na2so3_half_g_t``: sphalerite and
pyrite in the copper and lead circuits, depressed by ZnSO4 with NaCN, or cyanide-free by
ZnSO4 with Na2SO3 (Shen, Fornasiero & Ralston 2001)), by ``1 + (F - 1) c/(c + c_half)``
for CuSO4 activation (sphalerite in the zinc circuit, ``activated_factor`` F,
``cuso4_half_g_t``), and by ``1/(1 + exp((pH - pH_half)/w))`` for lime (pyrite,
``ph_half``). Every dose is a parameter of the bank, so a mode axis for ``optimize``.
A Cu/Pb separation of a bulk concentrate is one such bank, either way round (Wills &
Finch 2016 §12.13): galena depressed (sulfite with ZnSO4, galena's ``na2so3_half_g_t``)
and the copper minerals floated, or the copper minerals depressed by cyanide (their
``nacn_half_g_t``) and galena floated, the bank's froth then being the lead
concentrate; which is which is the case's wiring, the half-doses its testwork's
(tests/solvers/test_flot_bulk_route.py takes 30 g/t of bulk concentrate for each copper
mineral [assumed]). Cyanide dissolving copper and silver from the bulk concentrate is
not modelled.
Lime is charged at ``lime_kg_t_per_ph`` per pH unit above ``ph_natural`` [assumed].

**Entrainment** of what did not float follows Savassi et al. (1998) with the water
recovery, as in the flotation bank; dissolved species follow the water. Gold and
silver float with a carrier (``carrier = "pyrite"``, ``"galena"``) or with kinetics of
their own; every gold species and silver class of the case needs one or the other.
Silver held in a host (``ag_galena``, ``ag_tetrahedrite``,
``oreflow.core.silver_minerals``) floats with that host as its carrier, so the ore's
silver deportment decides which concentrate its silver is paid in.

The bank reports, besides the flotation bank's figures, the recovery of every solid
species and the concentrate's assay of Cu, Pb, Zn, As, Sb, Fe, S (%) and Au, Ag (g/t).

References
----------
King, R.P. (1979) Int. J. Miner. Process. 6:207-220 [L].
Sutherland, D.N. (1989) Minerals Engineering 2(3):351-367 [L].
Trahar, W.J. (1981) Int. J. Miner. Process. 8:289-327 [L].
Savassi, O.N. et al. (1998) Minerals Engineering 11(3):243-256 [L].
Shen, W.Z., Fornasiero, D., Ralston, J. (2001) Flotation of sphalerite and pyrite in the
presence of sodium sulfite. Int. J. Miner. Process. 63:17-28 (abstract read).
Wills, B.A., Finch, J.A. (2016) Wills' Mineral Processing Technology, 8th ed.,
Butterworth-Heinemann, ch. 12 [L].
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from oreflow.conventions import G_PER_T
from oreflow.core.components import ELEMENTS, ComponentSet
from oreflow.core.silver_minerals import ORE_SILVER_SPECIES
from oreflow.errors import Problem
from oreflow.kernels.arrays import read_only, safe_div
from oreflow.units import reagents
from oreflow.units.base import (
    PrepareContext,
    Sizing,
    UnitResult,
    UnitSpec,
    UnitType,
    solids_volume_m3_h,
    solution_slice,
    total_solids,
    water,
)
from oreflow.units.differential_flotation_params import DEPRESSANTS, KINETICS_TABLE, PARAMS

#: Elements whose concentrate assay the bank reports: % (base metals, penalties), g/t.
ASSAY_PCT = ("cu", "pb", "zn", "fe", "s", "as", "sb")
ASSAY_GPT = ("au", "ag")


class DifferentialState(NamedTuple):
    """What a differential bank prepares once per simulation."""

    params: Mapping[str, np.ndarray]
    recovery: np.ndarray  # (n_cases, n_cls, n_solid), the gangue's column set in apply
    lift: np.ndarray  # gangue floated in composites per t of each mineral fed
    entrainment: np.ndarray  # (n_cases, n_cls)
    free_share: np.ndarray  # (n_cases, n_cls, n_solid) share of free particles


class DifferentialBank:
    """Compiled differential flotation bank (see module docstring)."""

    #: At fixed settings each mineral's concentrate is a fixed share of the same mineral
    #: and class fed, and the gangue's, ``(1 - ENT R_w) sum_j lift_j m_j + ENT R_w m_g``
    #: (``oreflow.kernels.liberation.gangue_recovery`` below its cap of 1), a linear
    #: function of the minerals of its class and itself: lower triangular in species,
    #: minerals first. A loop of such banks is solved by secant rounds per component
    #: (``oreflow.solvers.closed_circuit``): exact for the minerals after one round, for
    #: the gangue once the minerals stand still.
    solids_triangular = True

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.n_cells = int(spec.params["n_cells"])
        self.klimpel = spec.params["rate_distribution"] == "klimpel"
        self.froth_feed = bool(spec.params["froth_feed"])
        table = spec.tables["kinetics"]
        self.own = [n for n, e in table.items() if e.get("k_max_per_min") is not None]
        self.carried = {
            comps.solid_index(n): comps.solid_index(e["carrier"])
            for n, e in table.items()
            if e.get("k_max_per_min") is None
        }
        self.partner = np.full(comps.n_solid, -1, dtype=np.int64)
        for n in self.own:
            p = table[n].get("partner")
            if p is not None:
                self.partner[comps.solid_index(n)] = comps.solid_index(p)
        self.gangue = comps.solid_index(str(spec.params["gangue"]))
        rho = np.array([s.density_t_m3 for s in comps.solids])
        self.gangue_t_per_t = np.ascontiguousarray(rho[self.gangue] / rho)
        self.rep_um = np.ascontiguousarray(comps.sizes.representative_um())
        self.sol = solution_slice(comps)
        em = comps.species_element_matrix()[: comps.n_solid]
        self.assay = {el: np.ascontiguousarray(em[:, ELEMENTS.index(el)]) for el in ELEMENTS}

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> DifferentialState:
        """Rates after the reagents, liberation classes and recoveries of every class."""
        from oreflow.kernels.flotation_chemistry import (
            activation_factor,
            depression_factor,
            ph_factor,
        )
        from oreflow.kernels.liberation import composite_flotation, liberation_classes
        from oreflow.kernels.separation import savassi_entrainment, size_window

        c, n = self.comps, ctx.n_cases
        k_ref = np.zeros((n, c.n_solid))
        r_ref = np.zeros((n, c.n_solid))
        grain = np.zeros((n, c.n_solid))
        pfrac = np.zeros((n, c.n_solid))
        for name in self.own:
            j = c.solid_index(name)

            def kin(key: str, name: str = name) -> np.ndarray:
                return np.broadcast_to(params[f"kinetics.{name}.{key}"], (n,))

            factor = ph_factor(params["ph"], kin("ph_half"), params["ph_width"])
            for dose, half in DEPRESSANTS:
                factor = factor * depression_factor(params[dose], kin(half))
            factor = factor * activation_factor(
                params["cuso4_g_t"], kin("cuso4_half_g_t"), kin("activated_factor")
            )
            k_ref[:, j] = kin("k_max_per_min") * factor
            # a cleaner's feed floated once: its non-floating share stayed upstream
            r_ref[:, j] = 1.0 if self.froth_feed else kin("r_inf_frac")
            grain[:, j] = kin("grain_um")
            pfrac[:, j] = kin("partner_frac")
        keys = ("fine_half_um", "coarse_half_um", "size_exponent")
        keys += ("entrainment_xi_um", "entrainment_drainage")
        # the size laws of each distinct setting (usually one for the whole batch)
        rows, inverse = np.unique(
            np.stack([_vec(params[key], n) for key in keys], axis=1), axis=0, return_inverse=True
        )
        w_k = np.empty((len(rows), c.n_cls))
        ent = np.empty((len(rows), c.n_cls))
        for i, (fine, coarse, m, xi, adj) in enumerate(rows.tolist()):
            w_k[i] = size_window(self.rep_um, fine, coarse, m)
            ent[i] = savassi_entrainment(self.rep_um, xi, adj)
        inverse = inverse.reshape(-1)
        w_k = w_k[inverse]
        ent = np.ascontiguousarray(ent[inverse])
        k = np.ascontiguousarray(k_ref[:, None, :] * w_k[:, :, None])
        # R_inf by size: flat; the locked coarse share is in the liberation classes
        r = np.ascontiguousarray(np.broadcast_to(r_ref[:, None, :], k.shape))
        shares = liberation_classes(
            self.rep_um, grain, pfrac, _vec(params["liberation_exponent"], n)
        )
        recovery, lift = composite_flotation(
            k,
            r,
            shares,
            self.partner,
            _vec(params["locked_exposure_frac"], n),
            _vec(params["residence_min"], n),
            self.n_cells,
            self.klimpel,
            ent,
            _vec(params["water_recovery_frac"], n),
            self.gangue_t_per_t,
        )
        for j, host in self.carried.items():
            recovery[:, :, j] = recovery[:, :, host]
        free = np.ascontiguousarray(shares[..., 0])
        return DifferentialState(params, recovery, lift, ent, free)

    def _split(self, state: DifferentialState, feed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from oreflow.kernels.liberation import gangue_recovery
        from oreflow.kernels.separation import recovery_split_into

        c = self.comps
        feed = np.ascontiguousarray(feed, dtype=np.float64)
        rw = _vec(state.params["water_recovery_frac"], feed.shape[0])
        recovery = state.recovery.copy()
        solids = np.ascontiguousarray(c.solids_view(feed))
        gangue_recovery(solids, state.lift, self.gangue, state.entrainment, rw, recovery)
        for j, host in self.carried.items():
            if host == self.gangue:
                recovery[:, :, j] = recovery[:, :, host]
        conc = np.empty_like(feed)
        tails = np.empty_like(feed)
        recovery_split_into(
            conc, tails, read_only(feed), read_only(recovery), read_only(rw),
            self.sol.start, self.sol.stop,
        )  # fmt: skip
        return conc, tails

    def apply_outlets(
        self, state: DifferentialState, inlets: tuple[np.ndarray, ...]
    ) -> tuple[np.ndarray, ...]:
        """Concentrate and tails only (inside recycle loops)."""
        return self._split(state, inlets[0])

    def apply(self, state: DifferentialState, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Float by liberation class, entrain, split the water; report grades and reagents."""
        p = state.params
        (feed,) = inlets
        c = self.comps
        conc, tails = self._split(state, feed)
        solids = total_solids(c, feed)
        conc_solids = total_solids(c, conc)
        sv, csv = c.solids_view(feed), c.solids_view(conc)
        pulp_m3_h = solids_volume_m3_h(c, feed) + water(c, feed)
        volume = p["residence_min"] * pulp_m3_h / (60.0 * (1.0 - p["air_holdup_frac"]))
        per_t = solids / 1000.0  # kg/h per g/t
        lime_kg_t = p["lime_kg_t_per_ph"] * np.maximum(p["ph"] - p["ph_natural"], 0.0)
        metrics = {
            "residence_min": np.broadcast_to(p["residence_min"], solids.shape).copy(),
            "volume_m3": volume,
            "power_kw": volume * p["specific_power_kw_m3"],
            "mass_pull_frac": safe_div(conc_solids, solids),
            "water_recovery_frac": np.broadcast_to(p["water_recovery_frac"], solids.shape).copy(),
            "use_pax_kg_h": p["pax_g_t"] * per_t,
            "use_frother_kg_h": p["frother_g_t"] * per_t,
            "use_cuso4_kg_h": p["cuso4_g_t"] * per_t,
            "use_znso4_kg_h": p["znso4_g_t"] * per_t,
            "use_nacn_kg_h": p["nacn_g_t"] * per_t,
            "use_na2so3_kg_h": p["na2so3_g_t"] * per_t,
            "use_lime_kg_h": lime_kg_t * solids,
        }
        by_feed, by_conc = sv.sum(axis=1), csv.sum(axis=1)
        for el in ASSAY_PCT + ASSAY_GPT:
            a = self.assay[el]
            el_feed, el_conc = by_feed @ a, by_conc @ a
            scale = G_PER_T if el in ASSAY_GPT else 100.0
            unit = "gpt" if el in ASSAY_GPT else "pct"
            metrics[f"concentrate_{el}_{unit}"] = safe_div(el_conc * scale, conc_solids)
            metrics[f"{el}_recovery_frac"] = safe_div(el_conc, el_feed)
        for j, sp in enumerate(c.solids):
            metrics[f"{sp.name}_recovery_frac"] = safe_div(by_conc[:, j], by_feed[:, j])
        for name in self.own:
            j = c.solid_index(name)
            free_t = (sv[:, :, j] * state.free_share[:, :, j]).sum(axis=1)
            metrics[f"{name}_free_frac"] = safe_div(free_t, by_feed[:, j])
        return UnitResult((conc, tails), metrics=metrics)


def _vec(x: np.ndarray | float, n: int) -> np.ndarray:
    return np.ascontiguousarray(np.broadcast_to(np.asarray(x, dtype=np.float64), (n,)))


def _check(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    key = f"units.{spec.name}"
    solids = [s.name for s in comps.solids]
    table = spec.tables.get("kinetics", {})
    gangue = spec.params.get("gangue")
    if gangue not in solids:
        problems.append(
            Problem(
                file,
                f"{key}.gangue",
                f"{gangue!r} is not a declared solid species ({', '.join(solids)})",
            )
        )
    # a cleaner's R_inf is 1 (prepare): an r_inf_frac given there would do nothing
    froth = bool(spec.params.get("froth_feed"))
    rates = "k_max_per_min" if froth else "k_max_per_min and r_inf_frac"
    for name, entry in table.items():
        ekey = f"{key}.kinetics.{name}"
        has_r = entry.get("r_inf_frac") is not None
        if froth and has_r:
            problems.append(
                Problem(
                    file,
                    f"{ekey}.r_inf_frac",
                    "a froth_feed bank floats its feed with R_inf = 1 (the non-floating share "
                    "stayed in the tails of the bank that floated it): remove r_inf_frac",
                )
            )
            has_r = False
        own = entry.get("k_max_per_min") is not None, has_r or froth
        carrier = entry.get("carrier")
        if carrier is None and not all(own):
            problems.append(Problem(file, ekey, f"give {rates}, or the carrier it floats with"))
        elif carrier is not None and (own[0] or has_r):
            problems.append(
                Problem(
                    file,
                    ekey,
                    f"give either kinetics ({rates}) or a carrier, not both",
                )
            )
        elif carrier is not None and (
            carrier not in table or table[carrier].get("k_max_per_min") is None
        ):
            problems.append(
                Problem(
                    file,
                    f"{ekey}.carrier",
                    f"{carrier!r} must be a species of this table with kinetics of its own",
                )
            )
        partner = entry.get("partner")
        if partner is not None and (
            partner == name or partner not in table or table[partner].get("k_max_per_min") is None
        ):
            problems.append(
                Problem(
                    file,
                    f"{ekey}.partner",
                    f"{partner!r} must be another species of this table with kinetics of its own",
                )
            )
        if partner is None and entry.get("partner_frac", 0.0) > 0.0:
            problems.append(Problem(file, f"{ekey}.partner_frac", "needs a partner"))
    for word, metal in (
        ("gold", [s.name for s in comps.solids if s.au_frac > 0]),
        ("silver", [s for s in ORE_SILVER_SPECIES if comps.has(s)]),
    ):
        missing = [g for g in metal if g not in table]
        if missing:
            problems.append(
                Problem(
                    file,
                    f"{key}.kinetics",
                    f"no flotation kinetics for {word} species {', '.join(missing)}: "
                    "give kinetics or a carrier",
                )
            )


DIFFERENTIAL_FLOTATION = UnitType(
    name="differential_flotation",
    route_word="differential flotation",
    linear=True,
    summary="Cu-Pb-Zn flotation bank: liberation classes by size, depressants, activators and pH as levers, entrainment",
    inlets=("feed",),
    outlets=("concentrate", "tails"),
    params=PARAMS,
    tables={"kinetics": KINETICS_TABLE},
    build=DifferentialBank,
    check=_check,
    requires=("water",),
    kpi_families=("flotation",),
    scale_site="concentrator",
    prices={
        "cuso4": reagents.CUSO4,
        "frother": reagents.FROTHER,
        "pax": reagents.PAX,
        "nacn": reagents.NACN,
        "lime": reagents.LIME,
        "znso4": reagents.Price(0.90, "assumed (zinc sulfate heptahydrate, technical grade)"),
        "na2so3": reagents.Price(0.55, "assumed (sodium sulfite, technical grade)"),
    },
    sizing=Sizing("flotation"),
)

UNIT_TYPES = (DIFFERENTIAL_FLOTATION,)
