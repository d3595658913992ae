"""The analyses: small pure functions of a flow graph (see `kg.flows.network.build_graph`).

Each returns plain rows sorted the same way every time, so a table, a JSON document
and the report all show the same thing in the same order.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import networkx as nx

from kg.flows.network import flows_of
from kg.flows.read import ROLES

# --- roles -----------------------------------------------------------------------------


def implied_roles(graph: nx.DiGraph) -> dict[str, tuple[str, ...]]:
    """The roles the flows give each place: origin → source, a stop on a route → transit,
    end → destination. An internal flow (a self-loop) implies none of them.

    >>> from kg.flows.network import build_graph
    >>> from kg.flows.read import Flow
    >>> g = build_graph([Flow.of("UZB>KAZ>RUS"), Flow.of("KAZ>TUR"), Flow.of("KAZ>KAZ")])
    >>> implied_roles(g)["KAZ"], implied_roles(g)["UZB"], implied_roles(g)["RUS"]
    (('source', 'transit'), ('source',), ('destination',))
    """
    found: dict[str, set[str]] = {node: set() for node in graph}
    for flow in flows_of(graph):
        if flow.internal:
            continue
        found[flow.origin].add("source")
        found[flow.destination].add("destination")
        for stop in flow.transit:
            found[stop].add("transit")
    return {node: tuple(r for r in ROLES if r in roles) for node, roles in found.items()}


@dataclass(frozen=True)
class RoleRow:
    """A place's stated and implied roles, and what to make of the difference."""

    place: str
    label: str
    stated: tuple[str, ...]
    implied: tuple[str, ...]
    internal: bool
    agreement: str


def role_rows(graph: nx.DiGraph) -> list[RoleRow]:
    """Stated beside implied roles for every place, those with a stated role first.

    >>> from kg.flows.network import build_graph
    >>> from kg.flows.read import Flow, StatedRole
    >>> g = build_graph([Flow.of("KAZ>TUR")], [StatedRole("KAZ", ("source", "transit"))])
    >>> [(r.place, r.agreement) for r in role_rows(g)]
    [('KAZ', 'stated, no flow shows it: transit'), ('TUR', 'no role stated')]
    """
    implied = implied_roles(graph)
    internal = {u for u, v in nx.selfloop_edges(graph)}
    rows = []
    for node, data in graph.nodes(data=True):
        stated = tuple(data.get("stated_roles", ()))
        rows.append(
            RoleRow(
                node,
                data.get("label", node),
                stated,
                implied[node],
                node in internal,
                _agreement(stated, implied[node]),
            )
        )
    return sorted(rows, key=lambda r: (not r.stated, r.place))


def _agreement(stated: tuple[str, ...], implied: tuple[str, ...]) -> str:
    if not stated:
        return "no role stated"
    missing = [r for r in stated if r not in implied]
    extra = [r for r in implied if r not in stated]
    parts = []
    if missing:
        parts.append("stated, no flow shows it: " + ", ".join(missing))
    if extra:
        parts.append("flows show it, not stated: " + ", ".join(extra))
    return "; ".join(parts) or "agree"


# --- degree, strength, betweenness -----------------------------------------------------


@dataclass(frozen=True)
class CentralityRow:
    """How connected a place is; self-loops (internal flows) are left out of every count."""

    place: str
    label: str
    in_degree: int
    out_degree: int
    in_strength: int
    out_strength: int
    net_strength: int
    betweenness: float
    transit_routes: int


def between_places(graph: nx.DiGraph) -> nx.DiGraph:
    """The graph without its self-loops: internal flows connect no two places."""
    view = nx.DiGraph(graph)
    view.remove_edges_from(list(nx.selfloop_edges(view)))
    return view


def centrality_rows(graph: nx.DiGraph) -> list[CentralityRow]:
    """Degree, strength (summed support), normalised betweenness and stated transit routes,
    highest betweenness first.

    Betweenness chains any two legs, whether or not one flow states both;
    `transit_routes` counts only the routes the sources state through the place.

    >>> from kg.flows.network import build_graph
    >>> from kg.flows.read import Flow
    >>> g = build_graph([Flow.of("UZB>KAZ>RUS"), Flow.of("KGZ>KAZ"), Flow.of("KAZ>TUR")])
    >>> top = centrality_rows(g)[0]
    >>> top.place, top.in_degree, top.out_degree, round(top.betweenness, 3), top.transit_routes
    ('KAZ', 2, 2, 0.333, 1)
    """
    simple = between_places(graph)
    betweenness = nx.betweenness_centrality(simple, normalized=True)
    transit: dict[str, int] = {}
    for route in {f.route for f in flows_of(graph) if not f.internal}:
        for stop in set(route[1:-1]):
            transit[stop] = transit.get(stop, 0) + 1
    rows = []
    for node in simple:
        in_strength = sum(d["support"] for _, _, d in simple.in_edges(node, data=True))
        out_strength = sum(d["support"] for _, _, d in simple.out_edges(node, data=True))
        rows.append(
            CentralityRow(
                node,
                graph.nodes[node].get("label", node),
                simple.in_degree(node),
                simple.out_degree(node),
                in_strength,
                out_strength,
                out_strength - in_strength,
                round(betweenness[node], 6),
                transit.get(node, 0),
            )
        )
    return sorted(
        rows,
        key=lambda r: (
            -r.betweenness,
            -r.transit_routes,
            -(r.in_strength + r.out_strength),
            r.place,
        ),
    )


@dataclass(frozen=True)
class NetworkSummary:
    """Counts and whole-graph measures."""

    places: int
    edges: int
    flows: int
    internal_edges: int
    reciprocity: float
    reciprocal_pairs: tuple[tuple[str, str], ...]
    weak_components: tuple[tuple[str, ...], ...]
    strong_components: tuple[tuple[str, ...], ...]


def network_summary(graph: nx.DiGraph) -> NetworkSummary:
    """Size, reciprocity, and the weakly and strongly connected components (largest first;
    the strong ones only where they hold more than one place).

    >>> from kg.flows.network import build_graph
    >>> from kg.flows.read import Flow
    >>> s = network_summary(build_graph([Flow.of("RUS>KAZ"), Flow.of("KAZ>RUS"),
    ...                                  Flow.of("KAZ>TUR"), Flow.of("DEU>FRA")]))
    >>> s.reciprocity, s.reciprocal_pairs, s.strong_components
    (0.5, (('KAZ', 'RUS'),), (('KAZ', 'RUS'),))
    >>> s.weak_components
    (('KAZ', 'RUS', 'TUR'), ('DEU', 'FRA'))
    """
    simple = between_places(graph)
    pairs = tuple(sorted((u, v) for u, v in simple.edges if u < v and simple.has_edge(v, u)))
    reciprocity = round(2 * len(pairs) / simple.number_of_edges(), 6) if simple.edges else 0.0

    def ordered(components: list[set[str]]) -> tuple[tuple[str, ...], ...]:
        return tuple(sorted((tuple(sorted(c)) for c in components), key=lambda c: (-len(c), c)))

    return NetworkSummary(
        places=graph.number_of_nodes(),
        edges=graph.number_of_edges(),
        flows=len(flows_of(graph)),
        internal_edges=nx.number_of_selfloops(graph),
        reciprocity=reciprocity,
        reciprocal_pairs=pairs,
        weak_components=ordered(list(nx.weakly_connected_components(graph))),
        strong_components=ordered(
            [c for c in nx.strongly_connected_components(simple) if len(c) > 1]
        ),
    )


# --- routes and reach ------------------------------------------------------------------


@dataclass(frozen=True)
class RouteRow:
    """One route as the sources state it, with what states it."""

    route: tuple[str, ...]
    assertions: tuple[str, ...]
    sources: tuple[str, ...]
    purposes: tuple[str, ...]
    years: tuple[int, ...]


def route_rows(graph: nx.DiGraph, through: str | None = None) -> list[RouteRow]:
    """Every stated origin → … → destination route (only those passing through `through`,
    when given), longest first.

    >>> from kg.flows.network import build_graph
    >>> from kg.flows.read import Flow
    >>> g = build_graph([Flow.of("UZB>KAZ>RUS", assertion="a", years=(2008,)),
    ...                  Flow.of("UZB>KAZ>RUS", assertion="b", years=(2008,)),
    ...                  Flow.of("KAZ>TUR", assertion="c")])
    >>> [(r.route, r.assertions) for r in route_rows(g, through="KAZ")]
    [(('UZB', 'KAZ', 'RUS'), ('a', 'b'))]
    """
    grouped: dict[tuple[str, ...], list] = {}
    for flow in flows_of(graph):
        if through is None or through in flow.transit:
            grouped.setdefault(flow.route, []).append(flow)
    rows = [
        RouteRow(
            route,
            tuple(sorted({f.assertion for f in fs})),
            tuple(sorted({f.source for f in fs})),
            tuple(sorted({p for f in fs for p in f.purposes})),
            tuple(sorted({y for f in fs for y in f.years})),
        )
        for route, fs in grouped.items()
    ]
    return sorted(rows, key=lambda r: (-len(r.route), r.route))


@dataclass(frozen=True)
class ReachRow:
    """A place reachable along the legs, how far, by which path, and whether a flow says so."""

    place: str
    label: str
    hops: int
    path: tuple[str, ...]
    stated: bool


def reach(graph: nx.DiGraph, start: str, direction: str = "from") -> list[ReachRow]:
    """Where victims from `start` can end up by following legs (`direction="from"`), or where
    victims who end up in `start` can come from (`"to"`), nearest first.

    `path` is the first shortest path in alphabetical order; `stated` says whether one flow
    states the whole way (a route from the one to the other), not just a chain of legs.

    >>> from kg.flows.network import build_graph
    >>> from kg.flows.read import Flow
    >>> g = build_graph([Flow.of("UZB>KAZ>RUS"), Flow.of("KAZ>TUR")])
    >>> [(r.place, r.hops, r.stated) for r in reach(g, "UZB")]
    [('KAZ', 1, True), ('RUS', 2, True), ('TUR', 2, False)]
    >>> [(r.place, r.path) for r in reach(g, "TUR", "to")]
    [('KAZ', ('KAZ', 'TUR')), ('UZB', ('UZB', 'KAZ', 'TUR'))]
    """
    if direction not in ("from", "to"):
        raise ValueError(f"direction is 'from' or 'to', not {direction!r}")
    forward = direction == "from"
    step = graph.successors if forward else graph.predecessors
    paths: dict[str, tuple[str, ...]] = {start: (start,)}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for there in sorted(step(here)):
            if there not in paths:
                paths[there] = (*paths[here], there)
                queue.append(there)
    stated = set()
    for flow in flows_of(graph):
        if start in flow.route:
            i = flow.route.index(start)
            stated.update(flow.route[i + 1 :] if forward else flow.route[:i])
    rows = [
        ReachRow(
            place,
            graph.nodes[place].get("label", place),
            len(path) - 1,
            path if forward else tuple(reversed(path)),
            place in stated,
        )
        for place, path in paths.items()
        if place != start
    ]
    return sorted(rows, key=lambda r: (r.hops, r.place))


# --- change ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GraphDiff:
    """What appears and disappears from one graph to another."""

    places_added: tuple[str, ...]
    places_removed: tuple[str, ...]
    edges_added: tuple[tuple[str, str], ...]
    edges_removed: tuple[tuple[str, str], ...]
    edges_kept: tuple[tuple[str, str], ...]

    @property
    def empty(self) -> bool:
        return not (
            self.places_added or self.places_removed or self.edges_added or self.edges_removed
        )


def graph_diff(before: nx.DiGraph, after: nx.DiGraph) -> GraphDiff:
    """Places and edges of `after` that `before` lacks, and the other way round.

    Only places on a flow count, so a country named only in a role statement neither
    appears nor disappears.

    >>> from kg.flows.network import build_graph
    >>> from kg.flows.read import Flow
    >>> d = graph_diff(build_graph([Flow.of("KAZ>KOR"), Flow.of("KAZ>TUR")]),
    ...                build_graph([Flow.of("KAZ>TUR"), Flow.of("KAZ>DEU")]))
    >>> d.places_added, d.places_removed, d.edges_added, d.edges_kept
    (('DEU',), ('KOR',), (('KAZ', 'DEU'),), (('KAZ', 'TUR'),))
    """

    def places(g: nx.DiGraph) -> set[str]:
        return {code for f in flows_of(g) for code in f.route}

    a, b = set(before.edges), set(after.edges)
    return GraphDiff(
        tuple(sorted(places(after) - places(before))),
        tuple(sorted(places(before) - places(after))),
        tuple(sorted(b - a)),
        tuple(sorted(a - b)),
        tuple(sorted(a & b)),
    )


# --- regions ---------------------------------------------------------------------------

SCOPES = ("domestic", "within sub-region", "within region", "between regions", "unknown")


def flow_scope(graph: nx.DiGraph, origin: str, destination: str) -> str:
    """How far a flow reaches, the way the UNODC global report classifies flows: domestic,
    within one UN M49 sub-region, within one M49 region, or between regions.

    >>> from kg.flows.network import build_graph
    >>> from kg.flows.read import Flow
    >>> g = build_graph([Flow.of("UZB>KAZ"), Flow.of("KAZ>TUR"), Flow.of("KAZ>RUS"),
    ...                  Flow.of("KAZ>KAZ"), Flow.of("KAZ>western-europe")])
    >>> [flow_scope(g, "KAZ", d) for d in ("KAZ", "UZB", "TUR", "RUS", "western-europe")]
    ['domestic', 'within sub-region', 'within region', 'between regions', 'between regions']
    """
    if origin == destination:
        return "domestic"
    a, b = graph.nodes[origin], graph.nodes[destination]
    if a["m49_subregion"] and a["m49_subregion"] == b["m49_subregion"]:
        return "within sub-region"
    if not (a["m49_region"] and b["m49_region"]):
        return "unknown"
    if a["m49_region"] != b["m49_region"]:
        return "between regions"
    if a["m49_subregion"] and b["m49_subregion"]:
        return "within region"
    return "unknown"  # same region, but a sub-region is unknown: it may be the same one


@dataclass(frozen=True)
class ScopeRow:
    """An origin-destination pair of stated flows and how far it reaches."""

    origin: str
    destination: str
    origin_area: str
    destination_area: str
    scope: str
    assertions: int


def scope_rows(graph: nx.DiGraph) -> list[ScopeRow]:
    """Every stated origin → destination pair, its M49 areas, scope and supporting
    assertions, sorted by scope (domestic first) and then by pair."""
    pairs: dict[tuple[str, str], set[str]] = {}
    for flow in flows_of(graph):
        pairs.setdefault((flow.origin, flow.destination), set()).add(flow.assertion)

    def area(code: str) -> str:
        data = graph.nodes[code]
        return data["m49_subregion"] or data["m49_region"] or "?"

    rows = [
        ScopeRow(o, d, area(o), area(d), flow_scope(graph, o, d), len(ids))
        for (o, d), ids in pairs.items()
    ]
    return sorted(rows, key=lambda r: (SCOPES.index(r.scope), r.origin, r.destination))


def scope_totals(rows: list[ScopeRow]) -> dict[str, tuple[int, int]]:
    """(origin-destination pairs, supporting assertions) per scope, in `SCOPES` order.

    >>> scope_totals([ScopeRow("KAZ", "KAZ", "Central Asia", "Central Asia", "domestic", 3)])
    {'domestic': (1, 3)}
    """
    totals: dict[str, tuple[int, int]] = {}
    for scope in SCOPES:
        chosen = [r for r in rows if r.scope == scope]
        if chosen:
            totals[scope] = (len(chosen), sum(r.assertions for r in chosen))
    return totals
