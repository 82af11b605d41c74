"""Scale rules of a plant's sites: which units form a site, what it treats, which rule it breaks.

A site is the units of one kind (``UnitType.scale_site``) connected to each other, directly
or through ``passthrough`` units (mixers) lying on a path from one to another: a
rougher-scavenger-cleaner circuit with its recycles is one concentrator, two satellite
concentrators whose concentrates only meet at the centre are two. The site's scale is the
solids entering it from outside, per day (figure ``units.FIRST.site_feed_tph`` in t/h, first
being its first unit in file order), compared with every rule of ``SCALE_RULES`` on its kind.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from oreflow.flowsheet.case import CaseSpec
from oreflow.flowsheet.graph import Topology, build_topology
from oreflow.flowsheet.optimization import Limit, OptimizationSpec
from oreflow.solvers.simulate import Simulation
from oreflow.units.base import total_solids
from oreflow.units.scale_rules import SCALE_RULES, ScaleRule

#: Figure of a site's first unit: the solids entering the site [t/h] (extensive).
SITE_FEED = "site_feed_tph"
#: Relative slack on a least scale before it is reported (met to round-off is met).
SLACK_REL = 1e-9


@dataclass(frozen=True)
class Site:
    """One site of a plant and the rules on it.

    Attributes
    ----------
    kind : str
        Kind of site (``"concentrator"``, ...).
    units : tuple of str
        Its units of that kind, in file order.
    members : frozenset of str
        Those units and the mixers between them.
    feeds : tuple of str
        Streams entering it from outside.
    rules : tuple of ScaleRule
        The rules that apply to it.
    """

    kind: str
    units: tuple[str, ...]
    members: frozenset[str]
    feeds: tuple[str, ...]
    rules: tuple[ScaleRule, ...]

    @property
    def key(self) -> str:
        """Figure name of its feed (``units.rougher.site_feed_tph``)."""
        return f"units.{self.units[0]}.{SITE_FEED}"


def _family_of(spec: CaseSpec, node: str) -> tuple[str, ...]:
    if node.startswith("ore."):
        return ()
    return spec.unit_type(node).kpi_families


def _reach(spec: CaseSpec, topo: Topology, start: str, kind: str) -> set[str]:
    """Nodes on a path from ``start`` through passthrough units to a unit of ``kind``."""
    found: set[str] = set()

    def walk(node: str, path: tuple[str, ...]) -> None:
        for s in topo.outlets_of(node):
            nxt = s.dst
            if nxt in path:
                continue
            if spec.unit_type(nxt).scale_site == kind:
                found.update((*path, nxt))
            elif "passthrough" in _family_of(spec, nxt):
                walk(nxt, (*path, nxt))

    walk(start, ())
    return found


def _fed_by(spec: CaseSpec, topo: Topology, feeds: tuple[str, ...], family: str) -> bool:
    """Whether a ``family`` unit's concentrate reaches one of the feeds.

    Through any units between (a regrind mill, a thickener), but not through another unit
    of ``family``.
    """
    todo = [topo.stream(f) for f in feeds]
    seen: set[str] = set()
    while todo:
        s = todo.pop()
        if s.name in seen:
            continue
        seen.add(s.name)
        families = _family_of(spec, s.src)
        if family in families:
            if s.src_port == "concentrate":
                return True
            continue
        todo.extend(topo.inlets_of(s.src))
    return False


def sites(spec: CaseSpec, topo: Topology | None = None) -> list[Site]:
    """Every site of a case on which some rule applies, in file order of its first unit."""
    if topo is None:
        topo = build_topology(spec.ores, spec.units, spec.path, [])
        if topo is None:
            return []
    group: dict[str, set[str]] = {}
    for u in spec.units:
        kind = spec.unit_type(u.name).scale_site
        if kind not in SCALE_RULES:
            continue
        members = {u.name} | _reach(spec, topo, u.name, kind)
        for other in [n for n in members if n in group]:
            members |= group[other]
        for n in members:
            group[n] = members
    out: list[Site] = []
    done: set[int] = set()
    for u in spec.units:
        members = group.get(u.name)
        kind = spec.unit_type(u.name).scale_site
        if members is None or id(members) in done or kind not in SCALE_RULES:
            continue
        done.add(id(members))
        feeds = tuple(s.name for s in topo.streams if s.dst in members and s.src not in members)
        rules = tuple(
            r for r in SCALE_RULES[kind] if not r.fed_by or _fed_by(spec, topo, feeds, r.fed_by)
        )
        if rules:
            units = tuple(
                v.name
                for v in spec.units
                if v.name in members and spec.unit_type(v.name).scale_site == kind
            )
            out.append(Site(kind, units, frozenset(members), feeds, rules))
    return out


def site_feed_tph(sim: Simulation, unit: str) -> np.ndarray:
    """Solids entering the site whose first unit is ``unit`` [t/h], per case.

    Raises
    ------
    KeyError
        No site starts at that unit.
    """
    for site in sites(sim.plant.spec, sim.plant.topology):
        if site.units[0] == unit:
            comps = sim.plant.spec.comps
            feed = np.zeros(sim.n_cases)
            for s in site.feeds:
                feed = feed + total_solids(comps, sim.streams[s])
            return feed
    raise KeyError(unit)


@dataclass(frozen=True)
class ScaleViolation:
    """A site below the least scale of a rule (in one case)."""

    site: Site
    rule: ScaleRule
    t_d: float

    def message(self) -> str:
        """One line naming the site, its scale, the rule and its source."""
        return (
            f"{self.site.key} = {self.t_d / 24.0:.4g} t/h: the {self.site.kind} "
            f"({', '.join(self.site.units)}) treats {self.t_d:.4g} t/d, below the least "
            f"scale of {self.rule.min_t_d:.4g} t/d ({self.rule.jurisdiction}: "
            f"{self.rule.why}) [{self.rule.source}]"
        )


def scale_violations(sim: Simulation, case: int = 0) -> list[ScaleViolation]:
    """Every scale rule that case ``case`` of a simulation breaks, in plant order.

    A site that treats nothing is closed (a satellite the plan shuts), not below scale.
    """
    found = []
    for site in sites(sim.plant.spec, sim.plant.topology):
        t_d = float(site_feed_tph(sim, site.units[0])[case]) * 24.0
        if t_d <= 0.0:
            continue
        for rule in site.rules:
            if t_d < rule.min_t_d * (1.0 - SLACK_REL):
                found.append(ScaleViolation(site, rule, t_d))
    return found


def scale_limits(spec: CaseSpec, opt: OptimizationSpec) -> list[Limit]:
    """The scale rules as limits of the plan (``[constraints] scale_rules = "enforce"``).

    Each site gets one limit, the largest least scale of its rules, keyed
    ``scale.units.FIRST.site_feed_tph.min``. A site holding a position with options is
    limited only when every option there is a unit of the site's kind (a roaster, an
    autoclave or a BIOX train at a concentrate centre: the site stands on every route);
    otherwise it is left to the plan's warnings (which unit stands there depends on the
    route).
    """
    if opt.scale_rules != "enforce":
        return []
    out = []
    for site in sites(spec):
        if any(
            spec.unit_types[option.type].scale_site != site.kind
            for n in site.members
            for option in spec.unit(n).options.values()
        ):
            continue
        least = max(r.min_t_d for r in site.rules) / 24.0
        out.append(Limit(site.key, "min", least, f"scale.{site.key}.min"))
    return out
