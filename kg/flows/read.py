"""Read the flows, stated roles and law-enforcement figures out of the built graph.

The analysis reads the RDF, not the YAML, so it sees exactly what a SPARQL user sees.
Every query is DISTINCT because the union of the named graphs repeats a triple that
two sources both hold (a year node, a country's description).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import InputError
from kg.query import has_default_graph
from kg.vocab import ID

_PREFIXES = """
PREFIX kg: <https://w3id.org/tip-kg/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

ROLES = ("source", "transit", "destination")
LAW_ENFORCEMENT_METRICS = ("investigations", "prosecutions", "convictions")


@dataclass(frozen=True, order=True)
class Flow:
    """One stated flow: its exact route (place codes, origin first) and what it is about."""

    route: tuple[str, ...]
    assertion: str = "example"
    source: str = "example"
    purposes: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    victim_groups: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    iri: str = field(default="", compare=False)

    @classmethod
    def of(cls, route: str, **fields: object) -> Flow:
        """A flow from a route written `UZB>KAZ>RUS`, for examples and tests.

        >>> Flow.of("UZB>KAZ>RUS", years=(2008,)).transit
        ('KAZ',)
        """
        return cls(route=tuple(route.split(">")), **fields)  # type: ignore[arg-type]

    @property
    def origin(self) -> str:
        return self.route[0]

    @property
    def destination(self) -> str:
        return self.route[-1]

    @property
    def transit(self) -> tuple[str, ...]:
        return self.route[1:-1]

    @property
    def internal(self) -> bool:
        return self.origin == self.destination


@dataclass(frozen=True, order=True)
class StatedRole:
    """A source's statement that a country is a source, transit and/or destination country."""

    country: str
    roles: tuple[str, ...]
    assertion: str = "example"
    source: str = "example"
    years: tuple[int, ...] = ()
    purposes: tuple[str, ...] = ()


@dataclass(frozen=True, order=True)
class Observation:
    """One figure of an indicator: a metric's value for a country and a year."""

    metric: str
    country: str
    year: int
    value: float
    assertion: str
    source: str


def place_code(iri: str) -> str:
    """The code a node of the flow graph is named by: ISO alpha-3 or a region's slug.

    >>> place_code("https://w3id.org/tip-kg/id/country/KAZ")
    'KAZ'
    >>> place_code("https://w3id.org/tip-kg/id/region/western-europe")
    'western-europe'
    """
    for kind in ("country/", "region/"):
        if iri.startswith(ID + kind):
            return iri[len(ID + kind) :]
    raise InputError(f"{iri}: a flow names something that is neither a country nor a region")


def _rows(store: ox.Store, query: str) -> list[dict[str, str]]:
    # a store from load_graph holds the union as its default graph (each triple once);
    # a store of bare named graphs is read through Oxigraph's union
    solutions = store.query(
        _PREFIXES + query, use_default_graph_as_union=not has_default_graph(store)
    )
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


def read_flows(store: ox.Store) -> list[Flow]:
    """Every kg:TraffickingFlow of the graph with its route as its kg:leg nodes state it."""
    heads = _rows(
        store,
        """
        SELECT DISTINCT ?flow ?id ?source WHERE {
          ?flow a kg:TraffickingFlow ; dct:identifier ?id ;
                prov:wasDerivedFrom/dct:identifier ?source }""",
    )
    legs: dict[str, dict[int, tuple[str, str]]] = defaultdict(dict)
    for row in _rows(
        store,
        """
        SELECT DISTINCT ?flow ?index ?from ?to WHERE {
          ?flow a kg:TraffickingFlow ; kg:leg ?leg .
          ?leg kg:legIndex ?index ; kg:legFrom ?from ; kg:legTo ?to }""",
    ):
        legs[row["flow"]][int(row["index"])] = (place_code(row["from"]), place_code(row["to"]))
    terms: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in _rows(
        store,
        """
        SELECT DISTINCT ?flow ?property ?notation WHERE {
          VALUES ?property { kg:purpose kg:sector kg:victimGroup }
          ?flow a kg:TraffickingFlow ; ?property ?concept . ?concept skos:notation ?notation }""",
    ):
        terms[(row["flow"], row["property"].rsplit("#", 1)[-1])].add(row["notation"])
    years: dict[str, set[int]] = defaultdict(set)
    for row in _rows(
        store,
        """
        SELECT DISTINCT ?flow ?year WHERE {
          ?flow a kg:TraffickingFlow ; kg:year/kg:yearValue ?year }""",
    ):
        years[row["flow"]].add(int(row["year"]))
    flows = []
    for head in heads:
        iri = head["flow"]
        flows.append(
            Flow(
                route=_route(iri, legs[iri]),
                assertion=head["id"],
                source=head["source"],
                purposes=tuple(sorted(terms[(iri, "purpose")])),
                sectors=tuple(sorted(terms[(iri, "sector")])),
                victim_groups=tuple(sorted(terms[(iri, "victimGroup")])),
                years=tuple(sorted(years[iri])),
                iri=iri,
            )
        )
    return sorted(flows, key=lambda f: (f.source, f.assertion, f.route))


def _route(iri: str, legs: dict[int, tuple[str, str]]) -> tuple[str, ...]:
    """The places of a flow's legs in order; the legs must join up from index 1."""
    if not legs or sorted(legs) != list(range(1, len(legs) + 1)):
        raise InputError(f"{iri}: its kg:leg indexes are not 1..n")
    route = [legs[1][0]]
    for index in range(1, len(legs) + 1):
        start, end = legs[index]
        if start != route[-1]:
            raise InputError(
                f"{iri}: leg {index} starts at {start}, not where leg "
                f"{index - 1} ended ({route[-1]})"
            )
        route.append(end)
    return tuple(route)


def read_stated_roles(store: ox.Store) -> list[StatedRole]:
    """Every kg:CountryRole: which roles a source states for a country, and for which years."""
    grouped: dict[tuple[str, str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in _rows(
        store,
        """
        SELECT DISTINCT ?id ?source ?country ?role ?year ?purpose WHERE {
          ?node a kg:CountryRole ; dct:identifier ?id ; kg:country ?country ;
                prov:wasDerivedFrom/dct:identifier ?source ;
                kg:role/skos:notation ?role ; kg:year/kg:yearValue ?year .
          OPTIONAL { ?node kg:purpose/skos:notation ?purpose } }""",
    ):
        key = (row["id"], row["source"], place_code(row["country"]))
        grouped[key]["role"].add(row["role"])
        grouped[key]["year"].add(row["year"])
        if "purpose" in row:
            grouped[key]["purpose"].add(row["purpose"])
    return sorted(
        StatedRole(
            country=country,
            roles=tuple(r for r in ROLES if r in parts["role"]),
            assertion=assertion,
            source=source,
            years=tuple(sorted(int(y) for y in parts["year"])),
            purposes=tuple(sorted(parts["purpose"])),
        )
        for (assertion, source, country), parts in grouped.items()
    )


def read_observations(
    store: ox.Store, metrics: tuple[str, ...] = LAW_ENFORCEMENT_METRICS
) -> list[Observation]:
    """The numeric kg:Indicator values of `metrics`, sorted by metric, country and year."""
    rows = _rows(
        store,
        """
        SELECT DISTINCT ?id ?source ?country ?metric ?year ?value WHERE {
          ?node a kg:Indicator ; dct:identifier ?id ; kg:country ?country ;
                prov:wasDerivedFrom/dct:identifier ?source ;
                kg:metric/skos:notation ?metric ; kg:year/kg:yearValue ?year ;
                kg:value ?value . FILTER(isLiteral(?value)) }""",
    )
    return sorted(
        Observation(
            metric=row["metric"],
            country=place_code(row["country"]),
            year=int(row["year"]),
            value=float(row["value"]),
            assertion=row["id"],
            source=row["source"],
        )
        for row in rows
        if row["metric"] in metrics
    )


def read_source_ids(store: ox.Store) -> list[str]:
    """The identifiers of every kg:Source in the graph, sorted."""
    rows = _rows(store, "SELECT DISTINCT ?id WHERE { ?s a kg:Source ; dct:identifier ?id }")
    return sorted(row["id"] for row in rows)
