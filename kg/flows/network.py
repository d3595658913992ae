"""The flow graph: stated flows in, a networkx DiGraph of countries and regions out.

A DiGraph, not a MultiDiGraph: degree, strength, betweenness, reciprocity and the
components are defined on one edge per ordered pair of places, and Gephi and Neo4j
merge parallel edges anyway. Nothing is lost by merging, because every edge carries
the assertions, sources, purposes, sectors, victim groups and years of the flows that
cross it, and the graph keeps the stated flows themselves (`graph.graph["flows"]`):
a route is a property of a flow, not of an edge, and transit is read from the routes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from kg.flows.read import Flow, StatedRole
from kg.places import Place, m49_areas, resolve_place


@dataclass(frozen=True)
class FlowFilter:
    """Which flows to keep; an empty field keeps everything.

    `years` holds inclusive ranges; a flow is kept when one of its years falls in one.
    `country` keeps the flows whose route starts, passes through or ends in it.
    """

    sources: frozenset[str] = frozenset()
    years: tuple[tuple[int, int], ...] = ()
    purposes: frozenset[str] = frozenset()
    victim_groups: frozenset[str] = frozenset()
    country: str | None = None

    def keeps_years(self, years: Iterable[int]) -> bool:
        return not self.years or any(lo <= y <= hi for y in years for lo, hi in self.years)


def select_flows(flows: Iterable[Flow], keep: FlowFilter) -> list[Flow]:
    """The flows that pass every filter of `keep`.

    >>> flows = [Flow.of("UZB>KAZ", years=(2005,), purposes=("forced_labor",)),
    ...          Flow.of("KAZ>TUR", years=(2008,), purposes=("sexual_exploitation",))]
    >>> [f.route for f in select_flows(flows, FlowFilter(years=((2004, 2006),)))]
    [('UZB', 'KAZ')]
    >>> [f.route for f in select_flows(flows, FlowFilter(country="TUR"))]
    [('KAZ', 'TUR')]
    """
    return [
        f
        for f in flows
        if (not keep.sources or f.source in keep.sources)
        and keep.keeps_years(f.years)
        and (not keep.purposes or keep.purposes & set(f.purposes))
        and (not keep.victim_groups or keep.victim_groups & set(f.victim_groups))
        and (keep.country is None or keep.country in f.route)
    ]


def select_roles(roles: Iterable[StatedRole], keep: FlowFilter) -> list[StatedRole]:
    """The stated roles that the same filters keep (a role has no victim groups)."""
    return [
        r
        for r in roles
        if (not keep.sources or r.source in keep.sources)
        and keep.keeps_years(r.years)
        and (not keep.purposes or not r.purposes or keep.purposes & set(r.purposes))
        and (keep.country is None or r.country == keep.country)
    ]


def m49_names(place: Place | None) -> tuple[str, str]:
    """(M49 region, M49 sub-region) names of a place; "" where none truly matches.

    A region of the reports without an M49 code of its own (the reports' Western Europe
    is wider than M49 155) still lies inside the M49 region its namesake belongs to.

    >>> m49_names(resolve_place("KAZ"))
    ('Asia', 'Central Asia')
    >>> m49_names(resolve_place("Central Asia"))
    ('Asia', 'Central Asia')
    >>> m49_names(resolve_place("Western Europe"))
    ('Europe', '')
    """
    if place is None:
        return "", ""
    areas = m49_areas()

    def name(code: str | None) -> str:
        return areas[code][0] if code in areas else ""

    if place.kind == "country":
        return name(place.m49_region), name(place.m49_subregion)
    code = place.m49
    if code is None:  # a namesake M49 area gives only the region around it
        namesakes = [c for c, (n, _) in areas.items() if n.casefold() == place.label.casefold()]
        code = namesakes[0] if namesakes else None
        if code is None:
            return "", ""
        parent = areas[code][1]
        return (name(code), "") if parent == "001" else (name(parent), "")
    chain = [code]
    while chain[-1] in areas and areas[chain[-1]][1] not in ("", "001"):
        chain.append(areas[chain[-1]][1])
    region = chain[-1]
    subregion = chain[-2] if len(chain) > 1 else ""
    return name(region), name(subregion)


def place_attributes(code: str) -> dict[str, str]:
    """The node attributes of a place: label, kind, IRI and its M49 region and sub-region."""
    place = resolve_place(code)
    region, subregion = m49_names(place)
    if place is None:
        return {"label": code, "kind": "unknown", "iri": "", "m49_region": "", "m49_subregion": ""}
    return {
        "label": place.label,
        "kind": place.kind,
        "iri": place.iri,
        "m49_region": region,
        "m49_subregion": subregion,
    }


def build_graph(flows: Iterable[Flow], stated: Iterable[StatedRole] = ()) -> nx.DiGraph:
    """The directed graph of `flows`: one edge per leg, internal flows as self-loops.

    Edges carry what supports them; `support` counts the distinct assertions.

    >>> g = build_graph([Flow.of("UZB>KAZ>RUS", assertion="a"),
    ...                  Flow.of("UZB>KAZ", assertion="b")])
    >>> sorted(g.edges)
    [('KAZ', 'RUS'), ('UZB', 'KAZ')]
    >>> g.edges["UZB", "KAZ"]["support"], g.edges["UZB", "KAZ"]["assertions"]
    (2, ('a', 'b'))
    >>> g.nodes["KAZ"]["label"], g.nodes["KAZ"]["m49_subregion"]
    ('Kazakhstan', 'Central Asia')
    """
    flows = sorted(flows)
    stated = sorted(stated)
    graph = nx.DiGraph(flows=tuple(flows), stated_roles=tuple(stated))
    places = sorted({code for f in flows for code in f.route} | {r.country for r in stated})
    for code in places:
        roles = {role for r in stated if r.country == code for role in r.roles}
        graph.add_node(
            code,
            **place_attributes(code),
            stated_roles=tuple(r for r in ("source", "transit", "destination") if r in roles),
        )
    support: dict[tuple[str, str], list[Flow]] = {}
    for flow in flows:
        for leg in itertools.pairwise(flow.route):
            support.setdefault(leg, []).append(flow)
    for (start, end), crossing in sorted(support.items()):
        graph.add_edge(
            start,
            end,
            support=len({f.assertion for f in crossing}),
            flows=len(crossing),
            assertions=_union(f.assertion for f in crossing),
            sources=_union(f.source for f in crossing),
            purposes=_union(p for f in crossing for p in f.purposes),
            sectors=_union(s for f in crossing for s in f.sectors),
            victim_groups=_union(v for f in crossing for v in f.victim_groups),
            years=tuple(sorted({y for f in crossing for y in f.years})),
            internal=start == end,
        )
    return graph


def _union(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(values)))


def flows_of(graph: nx.DiGraph) -> tuple[Flow, ...]:
    """The stated flows a graph was built from."""
    return graph.graph.get("flows", ())
