"""Ore sources: ``[ore.NAME]`` sections, each feeding the plant one stream ``ore.NAME``.

An ore source turns a dry feed rate, head grades, mineralogy, gold deportment and a
feed size distribution into a stream: mass per size class and species. Every species
is given the feed PSD (gold deportment by size is not measured by the usual
diagnostic leach; the same-PSD assumption is the common default [assumed]). The Bond
ball-mill work index travels with the ore to the mills it reaches.

PSD forms (Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd): Rosin-Rammler-Bennett ``P(x) = 1 - exp(-(x/x63)^n)`` given
by ``x63_um`` or ``f80_um`` with ``n``; Gates-Gaudin-Schuhmann ``P(x) = (x/k)^m``; or a
measured sieve table (log-linear interpolation, RRB extrapolation outside it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

import numpy as np

from oreflow.conventions import G_PER_T
from oreflow.core.components import ComponentSet
from oreflow.core.schema import REQUIRED, Param, frac, positive
from oreflow.errors import Problem
from oreflow.units.base import PrepareContext, UnitResult, UnitSpec

ORE_PARAMS: tuple[Param, ...] = (
    positive("rate_tph", "t/h", REQUIRED, "dry ore feed rate", "plant figure", hi=1e5),
    frac(
        "moisture_frac",
        0.03,
        "mass fraction of water in the ore as fed (wet basis; a slurry feed may be wetter)",
        "crushed ore 0.02-0.05 [L] (Wills & Finch 2016 §1)",
        hi=0.95,
    ),
    Param("au_gpt", "g/t", REQUIRED, "gold head grade", "plant figure", lo=0.0, hi=1e5),
    Param(
        "ag_gpt",
        "g/t",
        0.0,
        "silver head grade (needs the solid species 'ag')",
        "plant figure",
        lo=0.0,
        hi=1e5,
    ),
    positive(
        "wi_kwh_t",
        "kWh/t",
        REQUIRED,
        "Bond ball-mill work index (metric), from the Bond ball-mill test",
        "testwork; gold ores 10-20 kWh/t [L] (Bond 1952, Trans. AIME 193:484; Rowland & Kjos 1980; Wills & Finch 2016; docs/models.md#ball_mill)",
        hi=50.0,
    ),
    Param("description", "-", "", "what the ore is", "case author", kind=str),
    Param("source", "-", "", "where the ore figures come from", "case author", kind=str),
)

PSD_PARAMS: tuple[Param, ...] = (
    Param(
        "model",
        "-",
        None,
        "feed PSD form",
        "Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd",
        kind=str,
        choices=("rrb", "ggs", "sieve"),
    ),
    positive("x63_um", "µm", None, "RRB size at 63.2 % passing", "testwork", hi=1e6),
    positive("f80_um", "µm", None, "80 % passing size (RRB, with n)", "testwork", hi=1e6),
    positive(
        "n",
        "-",
        None,
        "RRB distribution modulus; crushed feeds 0.5-1.0 [L]",
        "Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd",
        hi=10.0,
    ),
    positive("k_um", "µm", None, "GGS size modulus (100 % passing size)", "testwork", hi=1e6),
    positive(
        "m",
        "-",
        None,
        "GGS distribution modulus, 0.5-1.0 [L]",
        "Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd",
        hi=10.0,
    ),
    Param(
        "sizes_um",
        "µm",
        None,
        "sieve sizes, strictly decreasing",
        "testwork",
        kind=list,
        lo=0.0,
        lo_open=True,
    ),
    Param(
        "passing_frac",
        "-",
        None,
        "cumulative fraction passing each sieve",
        "testwork",
        kind=list,
        lo=0.0,
        hi=1.0,
    ),
)

ORE_TABLES = ("mineralogy", "deportment", "psd")


def check_psd(psd: Mapping[str, Any], file: str, prefix: str, problems: list[Problem]) -> None:
    """Cross-key rules of a PSD table (which keys each model needs, monotone sieves)."""
    model = psd.get("model")
    need = {"rrb": ("n",), "ggs": ("k_um", "m"), "sieve": ("sizes_um", "passing_frac")}.get(
        model or "", ()
    )
    for key in need:
        if psd.get(key) is None:
            problems.append(Problem(file, f"{prefix}{key}", f"missing: the {model} PSD needs it"))
    if model == "rrb" and (psd.get("x63_um") is None) == (psd.get("f80_um") is None):
        problems.append(
            Problem(file, f"{prefix}x63_um", "give exactly one of x63_um or f80_um for an RRB PSD")
        )
    if model == "sieve" and psd.get("sizes_um") and psd.get("passing_frac"):
        sizes, passing = psd["sizes_um"], psd["passing_frac"]
        if len(sizes) != len(passing):
            problems.append(
                Problem(file, f"{prefix}passing_frac", "must have one value per sieve size")
            )
        elif len(sizes) < 3:
            problems.append(Problem(file, f"{prefix}sizes_um", "give at least 3 sieves"))
        elif any(b >= a for a, b in pairwise(sizes)):
            problems.append(
                Problem(file, f"{prefix}sizes_um", "sieve series must be strictly decreasing")
            )
        elif any(b > a for a, b in pairwise(passing)):
            problems.append(
                Problem(
                    file,
                    f"{prefix}passing_frac",
                    "cumulative passing must not increase as sieve size decreases",
                )
            )


def rrb_x63_um(psd: Mapping[str, Any]) -> float:
    """RRB x63 from either x63_um or f80_um [µm]."""
    if psd.get("x63_um") is not None:
        return float(psd["x63_um"])
    return float(psd["f80_um"]) / (-math.log(0.2)) ** (1.0 / float(psd["n"]))


def psd_f80_um(psd: Mapping[str, Any]) -> float:
    """80 % passing size of a feed PSD table [µm] (closed form, or log-linear sieve)."""
    model = psd["model"]
    if model == "rrb":
        return rrb_x63_um(psd) * (-math.log(0.2)) ** (1.0 / float(psd["n"]))
    if model == "ggs":
        return float(psd["k_um"]) * 0.8 ** (1.0 / float(psd["m"]))
    sizes = np.asarray(psd["sizes_um"])[::-1]
    passing = np.asarray(psd["passing_frac"])[::-1]
    return float(np.exp(np.interp(0.8, passing, np.log(sizes))))


def class_fractions(psd: Mapping[str, Any], edges_um: np.ndarray) -> np.ndarray:
    """Mass fraction of the feed in each size class (incl. sink), sums to 1."""
    from oreflow.kernels import psd as kpsd
    from oreflow.kernels import sieve as ksieve

    model = psd["model"]
    if model == "rrb":
        return kpsd.class_fractions_rrb(edges_um, rrb_x63_um(psd), float(psd["n"]))
    if model == "ggs":
        return kpsd.class_fractions_ggs(edges_um, float(psd["k_um"]), float(psd["m"]))
    return ksieve.class_fractions_sieve(
        np.asarray(psd["sizes_um"], dtype=np.float64),
        np.asarray(psd["passing_frac"], dtype=np.float64),
        edges_um,
    )


class OreSource:
    """Compiled ore source: builds the feed stream for every case.

    Per-case parameters (batch overrides) are ``rate_tph``, ``au_gpt``, ``ag_gpt``,
    ``moisture_frac``, ``wi_kwh_t`` and the table entries ``deportment.SPECIES`` and
    ``mineralogy.SPECIES``.
    """

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.class_frac = class_fractions(spec.tables["psd"], comps.sizes.edges())

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """The feed stream of every case, (n_cases, n_comp)."""
        c = self.comps
        n = ctx.n_cases
        rate = params["rate_tph"]
        species_tph = np.zeros((n, c.n_solid))
        gold = rate * params["au_gpt"] / G_PER_T
        silver = rate * params["ag_gpt"] / G_PER_T
        for name in self.spec.tables["deportment"]:
            species_tph[:, c.solid_index(name)] += gold * params[f"deportment.{name}"]
        if c.has("ag"):
            species_tph[:, c.solid_index("ag")] += silver
        rest = rate - gold - silver
        for name in self.spec.tables["mineralogy"]:
            species_tph[:, c.solid_index(name)] += rest * params[f"mineralogy.{name}"]
        feed = np.zeros((n, c.n_comp))
        c.solids_view(feed)[:] = self.class_frac[None, :, None] * species_tph[:, None, :]
        if c.has("water"):
            w = params["moisture_frac"]
            feed[:, c.solution_offset("water")] = rate * w / (1.0 - w)
        return feed

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """The prepared feed; an ore source has no inlets."""
        return UnitResult((state,), metrics={})
