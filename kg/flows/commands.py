"""The library functions behind `kg flows`: read the graph, filter, analyse, tabulate.

The CLI turns its options into a `FlowRequest` and calls one of `answer`,
`write_graph_exports` or `write_report`; Python code can do the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from kg.concepts import ConceptSchemes, default_ontology_dir, load_concepts
from kg.errors import UsageError
from kg.flows.analysis import (
    centrality_rows,
    graph_diff,
    network_summary,
    reach,
    role_rows,
    route_rows,
    scope_rows,
    scope_totals,
)
from kg.flows.network import FlowFilter, build_graph, flows_of, select_flows, select_roles
from kg.flows.read import (
    Flow,
    Observation,
    StatedRole,
    read_flows,
    read_observations,
    read_source_ids,
    read_stated_roles,
)
from kg.flows.tables import Table
from kg.places import resolve_place, suggest_place

COMMANDS = ("summary", "roles", "centrality", "routes", "reach", "diff", "regions")


@dataclass(frozen=True)
class FlowRequest:
    """What a user asked for, as they wrote it; `resolve_filter` checks every value."""

    seeds_dir: str | Path = "seeds"
    sources_dir: str | Path | None = None
    ontology_dir: str | Path | None = None
    sources: tuple[str, ...] = ()
    years: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()
    victim_groups: tuple[str, ...] = ()
    country: str | None = None
    through: str | None = None  # routes: only those through this place
    place: str | None = None  # reach: the place to start (or end) at
    direction: str = "from"  # reach: "from" the place or "to" it
    limit: int | None = None  # centrality: the top rows only


@dataclass(frozen=True)
class FlowData:
    """Everything the flow analyses read from the built graph."""

    flows: tuple[Flow, ...]
    roles: tuple[StatedRole, ...]
    observations: tuple[Observation, ...]
    source_ids: tuple[str, ...]


def load_flow_data(request: FlowRequest) -> FlowData:
    """Build the graph from the seeds (validating them) and read the flows out of it."""
    from kg.pipeline import load_graph  # the pipeline imports much; only load it when asked

    # the flow reads never ask which source graph a triple is in: the union is enough
    store = load_graph(
        request.seeds_dir, request.sources_dir, request.ontology_dir, named_graphs=False
    )
    return FlowData(
        tuple(read_flows(store)),
        tuple(read_stated_roles(store)),
        tuple(read_observations(store)),
        tuple(read_source_ids(store)),
    )


def parse_years(text: str) -> tuple[int, int]:
    """An inclusive year range from `2005` or `2004-2007`.

    >>> parse_years("2005"), parse_years("2004-2007")
    ((2005, 2005), (2004, 2007))
    >>> parse_years("07")
    Traceback (most recent call last):
    kg.errors.UsageError: --year 07: not a year or a range of years
    """
    match = re.fullmatch(r"\s*(\d{4})\s*(?:[-–]\s*(\d{4})\s*)?", text)
    if not match:
        raise UsageError(
            f"--year {text}: not a year or a range of years", "write 2005 or 2004-2007"
        )
    start = int(match[1])
    end = int(match[2] or start)
    if end < start:
        raise UsageError(f"--year {text}: the range ends before it starts", f"write {end}-{start}")
    return start, end


def resolve_place_code(text: str, option: str) -> str:
    """The node code (ISO alpha-3 or region slug) a user means, or a UsageError with a hint."""
    place = resolve_place(text)
    if place is None:
        raise UsageError(f"{option} {text}: no such country or region", suggest_place(text))
    return place.code


def resolve_filter(
    request: FlowRequest,
    data: FlowData | None = None,
    sources: tuple[str, ...] | None = None,
    years: tuple[str, ...] | None = None,
) -> FlowFilter:
    """Check every filter value: years, places and concepts always (before the slow load
    of the graph, so a typo fails fast), sources once `data` is there."""
    sources = request.sources if sources is None else sources
    years = request.years if years is None else years
    for source in sources if data is not None else ():
        if source not in data.source_ids:
            close = [s for s in data.source_ids if source.lower() in s or s.startswith(source)]
            raise UsageError(
                f"--source {source}: no such source",
                ("did you mean " + " or ".join(close) + "?")
                if close
                else "one of: " + ", ".join(data.source_ids),
            )
    onto = Path(request.ontology_dir) if request.ontology_dir else default_ontology_dir()
    concepts = load_concepts(onto.resolve())
    for option, scheme, values in (
        ("--purpose", "purpose", request.purposes),
        ("--victim-group", "victim_group", request.victim_groups),
    ):
        for value in values:
            if concepts.get(scheme, value) is None:
                raise UsageError(
                    f"{option} {value}: no such {scheme.replace('_', ' ')}",
                    concepts.suggest(scheme, value),
                )
    country = resolve_place_code(request.country, "--country") if request.country else None
    return FlowFilter(
        sources=frozenset(sources),
        years=tuple(parse_years(y) for y in years),
        purposes=_with_narrower(concepts, "purpose", request.purposes),
        victim_groups=_with_narrower(concepts, "victim_group", request.victim_groups),
        country=country,
    )


def _with_narrower(
    concepts: ConceptSchemes, scheme: str, values: tuple[str, ...]
) -> frozenset[str]:
    """The concepts asked for and every concept within them (`children` keeps the flows
    of girls and of boys too): the same notion of "same" as `kg compare`."""
    return frozenset(
        n
        for n in concepts.by_scheme.get(scheme, {})
        if any(concepts.within(scheme, n, v) for v in values)
    )


def check_request(request: FlowRequest) -> None:
    """Fail fast on what can be checked without the graph (see `resolve_filter`)."""
    resolve_filter(request)
    for option, text in (("--through", request.through), ("reach", request.place)):
        if text:
            resolve_place_code(text, option)


def flow_graph(data: FlowData, keep: FlowFilter) -> nx.DiGraph:
    """The graph of the flows (and stated roles) that `keep` keeps."""
    return build_graph(select_flows(data.flows, keep), select_roles(data.roles, keep))


# --- tables ----------------------------------------------------------------------------


def summary_table(graph: nx.DiGraph) -> Table:
    s = network_summary(graph)
    rows = [
        ("places", s.places),
        ("edges", s.edges),
        ("stated flows", s.flows),
        ("internal (self-loop) edges", s.internal_edges),
        ("reciprocity", s.reciprocity),
        ("reciprocal pairs", tuple(f"{a}↔{b}" for a, b in s.reciprocal_pairs)),
        ("weakly connected components", len(s.weak_components)),
        ("largest weak component", len(s.weak_components[0]) if s.weak_components else 0),
        (
            "strongly connected components (2+ places)",
            tuple("{" + ", ".join(c) + "}" for c in s.strong_components),
        ),
    ]
    return Table(
        "summary", "The flow network", ("measure", "value"), tuple((k, v) for k, v in rows)
    )


def roles_table(graph: nx.DiGraph) -> Table:
    rows = tuple(
        (r.place, r.label, r.stated, r.implied, r.internal, r.agreement) for r in role_rows(graph)
    )
    return Table(
        "roles",
        "Roles: stated by the sources and implied by the flows",
        ("place", "name", "stated", "implied", "internal flows", "agreement"),
        rows,
    )


def centrality_table(graph: nx.DiGraph, limit: int | None = None) -> Table:
    rows = tuple(
        (
            r.place,
            r.label,
            r.in_degree,
            r.out_degree,
            r.in_strength,
            r.out_strength,
            r.net_strength,
            r.betweenness,
            r.transit_routes,
        )
        for r in centrality_rows(graph)[:limit]
    )
    return Table(
        "centrality",
        "Degree, strength (supporting assertions) and betweenness",
        (
            "place",
            "name",
            "in",
            "out",
            "in strength",
            "out strength",
            "net strength",
            "betweenness",
            "transit routes",
        ),
        rows,
    )


def routes_table(graph: nx.DiGraph, through: str | None = None) -> Table:
    rows = tuple(
        (" → ".join(r.route), len(r.route) - 1, r.assertions, r.sources, r.purposes, r.years)
        for r in route_rows(graph, through)
    )
    title = "Stated routes" + (f" through {through}" if through else "")
    return Table(
        "routes", title, ("route", "legs", "assertions", "sources", "purposes", "years"), rows
    )


def reach_table(graph: nx.DiGraph, place: str, direction: str) -> Table:
    rows = tuple(
        (r.place, r.label, r.hops, " → ".join(r.path), r.stated)
        for r in reach(graph, place, direction)
    )
    title = (
        f"Where victims from {place} can end up"
        if direction == "from"
        else f"Where victims who end up in {place} can come from"
    )
    return Table("reach", title, ("place", "name", "hops", "shortest path", "stated route"), rows)


def diff_table(
    before: nx.DiGraph,
    after: nx.DiGraph,
    names: tuple[str, str],
    concepts: ConceptSchemes | None = None,
) -> Table:
    """Places and edges added and removed; an edge on both sides is *kept* when its
    purposes and victim groups are the same, else *changed*, with how (more specific:
    girls where children were; more general; different)."""
    d = graph_diff(before, after)
    rows: list[tuple[str, str, str]] = []
    rows += [("added", "place", p) for p in d.places_added]
    rows += [("removed", "place", p) for p in d.places_removed]
    rows += [("added", "edge", f"{a} → {b}") for a, b in d.edges_added]
    rows += [("removed", "edge", f"{a} → {b}") for a, b in d.edges_removed]
    for a, b in d.edges_kept:
        changes = []
        for aspect, scheme in (("purposes", "purpose"), ("victim_groups", "victim_group")):
            old, new = before.edges[a, b][aspect], after.edges[a, b][aspect]
            if set(old) != set(new):
                how = _set_change(concepts, scheme, old, new)
                changes.append(
                    f"{aspect.replace('_', ' ')} {','.join(old) or '-'} → "
                    f"{','.join(new) or '-'} ({how})"
                )
        rows.append(
            ("changed", "edge", f"{a} → {b}: " + "; ".join(changes))
            if changes
            else ("kept", "edge", f"{a} → {b}")
        )
    return Table("diff", f"From {names[0]} to {names[1]}", ("change", "what", "item"), tuple(rows))


def _set_change(
    concepts: ConceptSchemes | None, scheme: str, old: tuple[str, ...], new: tuple[str, ...]
) -> str:
    """How a set of concepts changed: *more specific* when each new one lies within an
    old one (and each old one holds a new one), *more general* the other way round, else
    *different*.

    >>> from kg.concepts import ConceptSchemes
    >>> s = ConceptSchemes({}, {"victim_group": {"girls": frozenset({"children"})}})
    >>> _set_change(s, "victim_group", ("children", "women"), ("girls", "women"))
    'more specific'
    >>> _set_change(s, "victim_group", ("girls",), ("children",))
    'more general'
    >>> _set_change(s, "victim_group", ("men",), ("children",))
    'different'
    """

    def refines(narrow: tuple[str, ...], broad: tuple[str, ...]) -> bool:
        if concepts is None or not narrow or not broad:
            return False
        return all(any(concepts.within(scheme, n, b) for b in broad) for n in narrow) and all(
            any(concepts.within(scheme, n, b) for n in narrow) for b in broad
        )

    if refines(new, old):
        return "more specific"
    if refines(old, new):
        return "more general"
    return "different"


def regions_tables(graph: nx.DiGraph) -> list[Table]:
    rows = scope_rows(graph)
    totals = tuple(
        (scope, pairs, assertions) for scope, (pairs, assertions) in scope_totals(rows).items()
    )
    return [
        Table(
            "scopes",
            "Flows by reach (UN M49 areas, as the UNODC global report counts)",
            ("scope", "origin-destination pairs", "assertions"),
            totals,
        ),
        Table(
            "pairs",
            "Origin-destination pairs",
            ("origin", "destination", "origin area", "destination area", "scope", "assertions"),
            tuple(
                (r.origin, r.destination, r.origin_area, r.destination_area, r.scope, r.assertions)
                for r in rows
            ),
        ),
    ]


def series_table(observations: tuple[Observation, ...]) -> Table:
    years = sorted({o.year for o in observations})
    metrics = sorted({(o.country, o.metric) for o in observations})
    rows = []
    for country, metric in metrics:
        values = {
            o.year: o.value for o in observations if o.country == country and o.metric == metric
        }
        sources = tuple(
            sorted({o.source for o in observations if o.country == country and o.metric == metric})
        )
        rows.append(
            (country, metric, *(f"{values[y]:g}" if y in values else "-" for y in years), sources)
        )
    return Table(
        "law_enforcement",
        "Law enforcement figures",
        ("country", "metric", *(str(y) for y in years), "sources"),
        tuple(rows),
    )


# --- the entry points ------------------------------------------------------------------


def _diff_sides(
    request: FlowRequest,
) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], tuple[tuple[str, ...], tuple[str, ...]]]:
    """((sources, years) before, (sources, years) after) for `kg flows diff`."""
    if len(request.sources) == 2 and len(request.years) <= 1:
        return ((request.sources[0],), request.years), ((request.sources[1],), request.years)
    if len(request.years) == 2 and len(request.sources) <= 1:
        return (request.sources, (request.years[0],)), (request.sources, (request.years[1],))
    raise UsageError(
        "diff compares two sources or two years",
        "give --source twice (kg flows diff --source A --source B) or --year twice",
    )


def _year_sides(before: nx.DiGraph, after: nx.DiGraph, names: tuple[str, str]) -> tuple[str, str]:
    """The two sides of a diff by year, each naming its sources; refused when the sides
    come from different sources: the diff would then show how two sources differ (or
    how they date one reporting cycle) as a change over time."""
    sources = [sorted({f.source for f in flows_of(g)}) for g in (before, after)]
    if sources[0] and sources[1] and sources[0] != sources[1]:
        told = "; ".join(f"{name}: {', '.join(s)}" for name, s in zip(names, sources, strict=True))
        raise UsageError(
            f"diff {names[0]} → {names[1]}: the two sides come from different sources "
            f"({told}); the diff would show how the sources differ as a change over time",
            "add --source ID to follow one source from year to year, or compare the "
            "sources with `kg compare` (which lines up their reporting cycles)",
        )
    shown = [
        f"{name} ({', '.join(s) or 'no flows'})" for name, s in zip(names, sources, strict=True)
    ]
    return shown[0], shown[1]


def answer(command: str, request: FlowRequest, data: FlowData | None = None) -> list[Table]:
    """The tables that answer `kg flows COMMAND` (see `COMMANDS`)."""
    if command not in COMMANDS:
        raise UsageError(f"no flows command {command!r}", "one of: " + ", ".join(COMMANDS))
    if command == "diff":
        _diff_sides(request)
    check_request(request)
    data = data or load_flow_data(request)
    if command == "diff":
        (src_a, years_a), (src_b, years_b) = _diff_sides(request)
        before = flow_graph(data, resolve_filter(request, data, src_a, years_a))
        after = flow_graph(data, resolve_filter(request, data, src_b, years_b))
        names = (" ".join((*src_a, *years_a)) or "all", " ".join((*src_b, *years_b)) or "all")
        if years_a != years_b:
            names = _year_sides(before, after, names)
        onto = Path(request.ontology_dir) if request.ontology_dir else default_ontology_dir()
        return [diff_table(before, after, names, load_concepts(onto.resolve()))]
    graph = flow_graph(data, resolve_filter(request, data))
    if command == "summary":
        return [summary_table(graph)]
    if command == "roles":
        return [roles_table(graph)]
    if command == "centrality":
        return [centrality_table(graph, request.limit)]
    if command == "routes":
        through = resolve_place_code(request.through, "--through") if request.through else None
        return [routes_table(graph, through)]
    if command == "reach":
        place = resolve_place_code(request.place or "", "reach")
        if place not in graph:
            on_flows = ", ".join(sorted(graph)) or "none"
            raise UsageError(
                f"reach {request.place}: {place} is on no flow that the filters keep",
                f"places on flows: {on_flows}",
            )
        return [reach_table(graph, place, request.direction)]
    return regions_tables(graph)
