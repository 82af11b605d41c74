"""The plant as a network of nodes joined by named streams, for balances and surveys.

A :class:`Network` is the minimum a mass balance needs: which streams enter and leave
each node. A stream has at most one source node and at most one destination node; a
stream with no source is a feed to the plant (or to the surveyed part of it) and a
stream with no destination is a product. Feeds and products are *boundary* streams.

Two sources build it:

- the ``[nodes]`` table of a survey file (``oreflow.flowsheet.survey``), and
- a case file's flowsheet (each unit a node, each stream named ``unit.port`` after its
  source outlet), through :meth:`Network.from_nodes`.

No Pyomo, numpy or pandas here: this module only describes the plant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from oreflow.errors import CaseError, Problem


@dataclass(frozen=True)
class Node:
    """One node of a balance: a unit, a sump, a junction or a splitter.

    Attributes
    ----------
    name : str
        Unique node name.
    inlets : tuple of str
        Names of the streams entering the node (at least one).
    outlets : tuple of str
        Names of the streams leaving the node (at least one).
    reactive : bool
        True where species move between phases inside the node (leach, adsorption,
        elution, oxidation): only each species' total over solids, solution and carbon
        is conserved there, and assays by size are not balanced. False (the default)
        conserves every species in every phase separately.
    grinding : bool
        True for a mill: particles change size inside it, so the solids of each size
        class (and assays by size) are not balanced there, only totals.
    """

    name: str
    inlets: tuple[str, ...]
    outlets: tuple[str, ...]
    reactive: bool = False
    grinding: bool = False


def network_problems(nodes: Iterable[Node]) -> list[tuple[int, str, str]]:
    """List what is wrong with a set of nodes, without raising.

    Parameters
    ----------
    nodes : iterable of Node
        The candidate nodes.

    Returns
    -------
    list of (int, str, str)
        ``(index, field, message)`` for each problem: the position of the node in
        ``nodes``, the field at fault (``"node"``, ``"inlets"`` or ``"outlets"``) and
        what is wrong. Empty when the nodes form a valid network.
    """
    problems: list[tuple[int, str, str]] = []
    seen_nodes: set[str] = set()
    source: dict[str, str] = {}
    destination: dict[str, str] = {}
    for index, node in enumerate(nodes):
        if not node.name.strip():
            problems.append((index, "node", "node name is empty"))
        elif node.name in seen_nodes:
            problems.append((index, "node", f"node {node.name!r} is listed twice"))
        seen_nodes.add(node.name)
        if not node.inlets:
            problems.append(
                (
                    index,
                    "inlets",
                    f"node {node.name!r} has no inlet stream; a plant feed is a stream "
                    "with no source node, not a node",
                )
            )
        if not node.outlets:
            problems.append(
                (
                    index,
                    "outlets",
                    f"node {node.name!r} has no outlet stream; a product is a stream "
                    "with no destination node, not a node",
                )
            )
        for label, streams, owner in (
            ("inlets", node.inlets, destination),
            ("outlets", node.outlets, source),
        ):
            for stream in streams:
                if not stream.strip():
                    problems.append((index, label, "empty stream name"))
                    continue
                if stream in owner and owner[stream] != node.name:
                    role = "destination" if label == "inlets" else "source"
                    problems.append(
                        (
                            index,
                            label,
                            f"stream {stream!r} already has {role} node "
                            f"{owner[stream]!r}; a stream joins exactly two nodes at most",
                        )
                    )
                elif stream in owner:
                    problems.append((index, label, f"stream {stream!r} is listed twice in {label}"))
                else:
                    owner[stream] = node.name
        problems.extend(
            (index, "outlets", f"stream {stream!r} is both an inlet and an outlet of {node.name!r}")
            for stream in sorted(set(node.inlets) & set(node.outlets))
        )
    return problems


@dataclass(frozen=True)
class Network:
    """Nodes and the streams that join them; validated on construction.

    Parameters
    ----------
    nodes : tuple of Node
        The nodes, in the order they should be reported.
    source_file : str
        File the network came from, used in error messages.

    Raises
    ------
    CaseError
        When a node is listed twice, has no inlet or outlet, or a stream has two
        source or two destination nodes. Every problem is reported at once.

    Examples
    --------
    >>> net = Network.from_nodes({"rougher": (["feed"], ["conc", "tail"])})
    >>> net.streams
    ('feed', 'conc', 'tail')
    >>> net.feeds, net.products
    (('feed',), ('conc', 'tail'))
    """

    nodes: tuple[Node, ...]
    source_file: str = "network"
    _source: Mapping[str, str] = field(init=False, repr=False, compare=False)
    _destination: Mapping[str, str] = field(init=False, repr=False, compare=False)
    _streams: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        nodes = tuple(self.nodes)
        object.__setattr__(self, "nodes", nodes)
        problems = network_problems(nodes)
        if problems:
            raise CaseError(
                [
                    Problem(self.source_file, f"node {nodes[i].name}, {f}", msg)
                    for i, f, msg in problems
                ]
            )
        source: dict[str, str] = {}
        destination: dict[str, str] = {}
        streams: dict[str, None] = {}
        for node in nodes:
            for stream in node.inlets:
                destination[stream] = node.name
                streams[stream] = None
            for stream in node.outlets:
                source[stream] = node.name
                streams[stream] = None
        object.__setattr__(self, "_source", source)
        object.__setattr__(self, "_destination", destination)
        object.__setattr__(self, "_streams", tuple(streams))

    @classmethod
    def from_nodes(
        cls,
        nodes: Mapping[str, tuple[Iterable[str], Iterable[str]]],
        *,
        reactive: Iterable[str] = (),
        grinding: Iterable[str] = (),
        source_file: str = "network",
    ) -> Network:
        """Build a network from ``{node: (inlets, outlets)}``.

        Parameters
        ----------
        nodes : mapping of str to (iterable of str, iterable of str)
            Each node's inlet and outlet stream names.
        reactive : iterable of str
            Names of the nodes where species move between phases (see :class:`Node`).
        grinding : iterable of str
            Names of the nodes where particles break (see :class:`Node`).
        source_file : str
            File the network came from, used in error messages.

        Returns
        -------
        Network
            The validated network.
        """
        reactive_set = set(reactive)
        grinding_set = set(grinding)
        unknown = sorted((reactive_set | grinding_set) - set(nodes))
        if unknown:
            raise CaseError(
                [
                    Problem(
                        source_file, f"node {name}", "listed as reactive or grinding but not a node"
                    )
                    for name in unknown
                ]
            )
        return cls(
            tuple(
                Node(
                    name, tuple(inlets), tuple(outlets), name in reactive_set, name in grinding_set
                )
                for name, (inlets, outlets) in nodes.items()
            ),
            source_file,
        )

    @property
    def streams(self) -> tuple[str, ...]:
        """Every stream name, in order of first appearance in the node list."""
        return self._streams

    @property
    def node_names(self) -> tuple[str, ...]:
        """Every node name, in order."""
        return tuple(node.name for node in self.nodes)

    @property
    def feeds(self) -> tuple[str, ...]:
        """Streams with no source node (they enter from outside)."""
        return tuple(s for s in self._streams if s not in self._source)

    @property
    def products(self) -> tuple[str, ...]:
        """Streams with no destination node (they leave to outside)."""
        return tuple(s for s in self._streams if s not in self._destination)

    def source_of(self, stream: str) -> str | None:
        """Name of the node a stream leaves, or None for a feed."""
        return self._source.get(stream)

    def destination_of(self, stream: str) -> str | None:
        """Name of the node a stream enters, or None for a product."""
        return self._destination.get(stream)
