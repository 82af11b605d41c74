"""Ultrafine regrind (stirred mill to P80 10-20 µm): the non-oxidative refractory route.

Grinding a sulfide concentrate to P80 about 10-20 µm exposes part of the gold locked
in the sulfides to the leach without oxidising them (Marsden & House 2006; Adams (ed.) 2016, Gold Ore Processing; docs/models.md#biox: ultrafine grinding,
alone or ahead of atmospheric oxidation). The unit does three things:

Energy
    ``energy_model = "bond_ef5"``: Bond's law with Rowland's fineness factor,
    ``E = 10 Wi (1/√P80 - 1/√F80) (P80 + 10.3)/(1.145 P80)`` (Bond 1952, Trans. AIME 193:484; Rowland & Kjos 1980; Wills & Finch 2016; docs/models.md#ball_mill;
    Rowland & Kjos 1980 [L]); EF5 was fitted down to about 10 µm and is extrapolated
    below. ``"power_law"``: ``E = K (P80^-z - F80^-z)``, the form of stirred-mill
    signature-plot fits [assumed form; the defaults K = 590 kWh/t µm and z = 1 are
    [assumed], chosen to agree with Bond-EF5 for a Wi 15 kWh/t concentrate ground
    from 75 to 15 µm (31.5 kWh/t)]. F80 is measured on the feed stream, P80 is the
    setting, and the power drawn is E times the dry feed rate (``power_kw``). Ceramic
    media wear ``media_wear_g_kwh`` [assumed 10-30 g/kWh] is ``use_ceramic_media_kg_h``.
Size distribution
    The product follows a Rosin-Rammler distribution of P80 = ``p80_um`` and modulus
    ``product_psd_modulus`` [assumed], except that no particle gets coarser: per
    species, the cumulative passing at each class edge is the larger of the feed's and
    the target's. A feed already at or below the target P80 passes unground.
Locked gold
    ``au_sulfide`` is exposed (becomes ``au_free``) in the fraction
    ``f = L [E(P80) - E(F80)] / [1 - E(F80)]``, ``E(x) = 1 - exp[-(d_g/x)^m]``
    (``oreflow.kernels.fine_grinding.locked_gold_exposure``): a Gaudin-type liberation
    curve of inclusions of size d_g [assumed form and defaults], of which only the
    fraction L is in inclusions at all; the rest (submicroscopic and solid-solution
    gold) needs oxidation (Marsden & House 2006, *The Chemistry of Gold Extraction*,
    2nd ed., SME, ch. 2 [L]). Silicate-locked gold is not changed.

Heat of grinding, water and the mill's media charge are not modelled.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.core.schema import Param, frac, positive
from oreflow.errors import CaseError, Problem
from oreflow.units import reagents
from oreflow.units.base import (
    PrepareContext,
    Sizing,
    UnitResult,
    UnitSpec,
    UnitType,
    require_ore_or_work_index,
    total_solids,
)

PARAMS: tuple[Param, ...] = (
    positive(
        "p80_um",
        "µm",
        15.0,
        "product 80 % passing size",
        "10-20 µm for ultrafine regrind of refractory concentrates [L] Marsden & House 2006; Adams (ed.) 2016, Gold Ore Processing; docs/models.md#biox",
        lo=2.0,
        lo_open=False,
        hi=75.0,
    ),
    Param(
        "energy_model",
        "-",
        "bond_ef5",
        "energy-size relation: 'bond_ef5' (Bond with Rowland's EF5) or 'power_law' "
        "(stirred-mill signature form K (P80^-z - F80^-z))",
        "Bond 1952, Trans. AIME 193:484; Rowland & Kjos 1980; Wills & Finch 2016; docs/models.md#ball_mill (Bond, Rowland); power law [assumed]",
        kind=str,
        choices=("bond_ef5", "power_law"),
    ),
    positive(
        "wi_kwh_t",
        "kWh/t",
        None,
        "Bond ball-mill work index of the feed; default: rate-weighted Wi of the ores reaching the mill",
        "ore testwork",
        hi=50.0,
    ),
    positive(
        "power_law_k_kwh_t",
        "kWh/t µm^z",
        590.0,
        "K of the power law E = K (P80^-z - F80^-z), sizes in µm",
        "assumed (calibrate to a stirred-mill signature test)",
        hi=1e6,
    ),
    positive(
        "power_law_exponent",
        "-",
        1.0,
        "z of the power law",
        "assumed (calibrate to a stirred-mill signature test)",
        hi=5.0,
    ),
    positive(
        "product_psd_modulus",
        "-",
        1.0,
        "Rosin-Rammler modulus of the product size distribution",
        "assumed; stirred-mill products are narrow (about 1-1.3)",
        hi=5.0,
    ),
    Param(
        "media_wear_g_kwh",
        "g/kWh",
        15.0,
        "ceramic grinding-media wear per kWh drawn",
        "assumed; 10-30 g/kWh for ceramic stirred-mill media",
        lo=0.0,
        hi=1000.0,
    ),
    positive(
        "locked_grain_um",
        "µm",
        8.0,
        "characteristic size d_g of the gold inclusions in the sulfides",
        "assumed (from mineralogy: gold grain-size distribution in sulfides)",
        hi=1000.0,
    ),
    positive(
        "liberation_exponent",
        "-",
        1.5,
        "sharpness m of the exposure curve 1 - exp(-(d_g/x)^m)",
        "assumed",
        hi=10.0,
    ),
    frac(
        "liberable_frac",
        0.5,
        "fraction of the sulfide-locked gold that sits in inclusions grinding can expose "
        "(the rest is submicroscopic or in solid solution)",
        "assumed (diagnostic leach after ultrafine grinding)",
    ),
)


class UltrafineState(NamedTuple):
    """What an ultrafine mill prepares once per simulation."""

    params: Mapping[str, np.ndarray]
    passing: np.ndarray  # (n_cases, n_cls) target passing at the class edges
    wi_kwh_t: np.ndarray


class UltrafineGrind:
    """Compiled ultrafine regrind (see module docstring)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.model = 0 if spec.params["energy_model"] == "bond_ef5" else 1
        self.edges = comps.sizes.edges()
        names = [s.name for s in comps.solids]
        self.i_aus = comps.solid_index("au_sulfide") if "au_sulfide" in names else None
        self.i_auf = comps.solid_index("au_free") if "au_free" in names else None

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> UltrafineState:
        """Target passing at the class edges and the work index of every case."""
        n = ctx.n_cases
        p80 = params["p80_um"]
        modulus = params["product_psd_modulus"]
        x63 = p80 / (-math.log(0.2)) ** (1.0 / modulus)
        passing = -np.expm1(-((self.edges[None, :] / x63[:, None]) ** modulus[:, None]))
        passing[:, 0] = 1.0
        if self.model == 0:  # wired to no ore: input error
            require_ore_or_work_index(self.spec, params, ctx)
        wi = params.get("wi_kwh_t", ctx.feed_wi_kwh_t)
        # per case: a case no ore reaches (its sources at 0 t/h) has no work index (NaN)
        # and grinds nothing; the batch's other cases keep their own ore's
        return UltrafineState(
            params, np.ascontiguousarray(passing), np.broadcast_to(wi, (n,)).copy()
        )

    def apply(self, state: UltrafineState, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Grind to the target, free part of the locked gold, and draw the power."""
        from oreflow.kernels.fine_grinding import (
            fine_grind_energy_kwh_t,
            locked_gold_exposure,
            regrind_class_masses,
        )
        from oreflow.kernels.psd import passing_size_batch

        params, passing, wi = state.params, state.passing, state.wi_kwh_t
        (feed,) = inlets
        c = self.comps
        n = feed.shape[0]
        sv_in = c.solids_view(feed)
        f80 = passing_size_batch(self.edges, np.ascontiguousarray(sv_in.sum(axis=2)), 0.8)
        p80 = params["p80_um"]
        grind = np.isfinite(f80) & (f80 > p80 * (1.0 + 1e-9))  # F80 read back to rounding
        if self.model == 0:  # no ore, no work index: grinds nothing (see ``prepare``)
            grind &= np.isfinite(wi)
        target = np.where(grind[:, None], passing, 0.0)
        ground = regrind_class_masses(self.edges, np.ascontiguousarray(sv_in), target)
        energy = np.zeros(n)
        exposed = np.zeros(n)
        for i in range(n):
            if not grind[i]:
                continue
            energy[i] = fine_grind_energy_kwh_t(
                self.model,
                float(wi[i]),
                float(f80[i]),
                float(p80[i]),
                float(params["power_law_k_kwh_t"][i]),
                float(params["power_law_exponent"][i]),
            )
            exposed[i] = locked_gold_exposure(
                float(p80[i]),
                float(f80[i]),
                float(params["locked_grain_um"][i]),
                float(params["liberation_exponent"][i]),
                float(params["liberable_frac"][i]),
            )
        out = feed.copy()
        sv = c.solids_view(out)
        sv[:] = ground
        locked = np.zeros(n)
        if self.i_aus is not None:
            freed = sv[:, :, self.i_aus] * exposed[:, None]
            locked = sv[:, :, self.i_aus].sum(axis=1)
            if np.any(freed > 0):
                if self.i_auf is None:
                    problem = Problem(
                        self.spec.file,
                        f"units.{self.spec.name}",
                        "exposed gold becomes 'au_free'; declare it in [case] solids",
                    )
                    raise CaseError([problem])
                sv[:, :, self.i_aus] -= freed
                sv[:, :, self.i_auf] += freed
        solids = total_solids(c, feed)
        power = energy * solids
        product_p80 = passing_size_batch(
            self.edges, np.ascontiguousarray(c.solids_view(out).sum(axis=2)), 0.8
        )
        metrics = {
            "power_kw": power,
            "specific_energy_kwh_t": energy,
            "feed_f80_um": np.nan_to_num(f80),
            "target_p80_um": p80.copy(),
            "product_p80_um": np.nan_to_num(product_p80),
            "feed_wi_kwh_t": np.nan_to_num(wi),
            "au_sulfide_freed_frac": np.where(locked > 0, exposed, 0.0),
            "use_ceramic_media_kg_h": power * params["media_wear_g_kwh"] * 1e-3,
        }
        return UnitResult((out,), reacted=out - feed, metrics=metrics)


def _check(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    if comps.has("au_sulfide") and not comps.has("au_free"):
        problems.append(
            Problem(
                file,
                f"units.{spec.name}",
                "grinding exposes sulfide-locked gold as 'au_free': declare it in [case]",
            )
        )


ULTRAFINE_GRIND = UnitType(
    name="ultrafine_grind",
    route_word="ultrafine grinding",
    reactive=True,
    summary="stirred-mill ultrafine regrind to P80 10-20 µm: Bond-EF5 or power-law energy, "
    "product PSD, partial exposure of sulfide-locked gold",
    inlets=("feed",),
    outlets=("discharge",),
    params=PARAMS,
    build=UltrafineGrind,
    check=_check,
    grinding=True,
    kpi_families=("ultrafine",),
    prices={"ceramic_media": reagents.CERAMIC_MEDIA},
    sizing=Sizing(
        "metric", curve="stirred_mill", item="mill", metric="power_kw", basis="drawn power"
    ),
)

UNIT_TYPES = (ULTRAFINE_GRIND,)
