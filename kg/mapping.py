"""The map step: checked records in, RDF quads out (a pure function of its inputs).

Each source's assertions go to that source's named graph, together with the
descriptions of the countries, regions, places and years they mention, so that a
source's graph stands on its own: replacing or dropping it in a database leaves the
others whole.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.concepts import Concept
from kg.errors import InputError
from kg.places import Place
from kg.records import AssertionRecord, City, Literal, Seeds, SourceRecord
from kg.schema import cycle_covers
from kg.vocab import DCT, KG, ONTOLOGY_IRI, PROV, SCHEMA, SKOS, mint, slug

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
OWL_SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
XSD = "http://www.w3.org/2001/XMLSchema#"
ONTOLOGY_GRAPH = ox.NamedNode(ONTOLOGY_IRI)
ONTOLOGY_FILES = ("tip-kg.ttl", "concepts.ttl")


def _n(term: object) -> ox.NamedNode:
    return term if isinstance(term, ox.NamedNode) else ox.NamedNode(str(term))


def _lit(value: Literal) -> ox.Literal:
    return ox.Literal(value.text, datatype=ox.NamedNode(XSD + value.datatype))


def _str(text: str) -> ox.Literal:
    return ox.Literal(text)


def graph_iri(source_id: str) -> str:
    """The named graph that holds one source's assertions."""
    return mint("graph", source_id)


def source_iri(source_id: str) -> str:
    return mint("source", source_id)


def year_iri(year: int) -> str:
    return mint("year", str(year))


class _GraphWriter:
    """Collects the triples of one named graph, describing each entity once."""

    def __init__(self, graph: str) -> None:
        self.graph = ox.NamedNode(graph)
        self.triples: set[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = set()
        self.described: set[str] = set()
        self.default_cycle: int | None = None  # the source header's `cycle`

    def add(self, s: str, p: object, o: ox.NamedNode | ox.Literal | str) -> None:
        obj = ox.NamedNode(o) if isinstance(o, str) else o
        self.triples.add((ox.NamedNode(s), _n(p), obj))

    def place(self, place: Place) -> str:
        if place.iri not in self.described:
            self.described.add(place.iri)
            if place.kind == "country":
                self.add(place.iri, RDF_TYPE, str(KG.Country))
                self.add(place.iri, RDFS_LABEL, _str(place.label))
                if place.official_name and place.official_name != place.label:
                    self.add(place.iri, SKOS.altLabel, _str(place.official_name))
                self.add(place.iri, KG.isoAlpha2, _str(place.alpha2 or ""))
                self.add(place.iri, KG.isoAlpha3, _str(place.code))
                self.add(place.iri, KG.isoNumeric, _str(place.numeric or ""))
                if place.wikidata:
                    self.add(
                        place.iri, OWL_SAME_AS, "http://www.wikidata.org/entity/" + place.wikidata
                    )
            else:
                self.add(place.iri, RDF_TYPE, str(KG.Region))
                self.add(place.iri, RDFS_LABEL, _str(place.label))
                if place.m49:
                    self.add(place.iri, KG.m49Code, _str(place.m49))
        return place.iri

    def city(self, city: City, country: Place) -> str:
        iri = mint("place", city.country, slug(city.name))
        if iri not in self.described:
            self.described.add(iri)
            self.add(iri, RDF_TYPE, str(KG.Place))
            self.add(iri, RDFS_LABEL, _str(city.name))
            self.add(iri, KG.country, self.place(country))
        return iri

    def year(self, year: int) -> str:
        iri = year_iri(year)
        if iri not in self.described:
            self.described.add(iri)
            self.add(iri, RDF_TYPE, str(KG.Year))
            self.add(iri, RDFS_LABEL, _str(str(year)))
            self.add(iri, KG.yearValue, ox.Literal(str(year), datatype=_n(XSD + "gYear")))
        return iri

    def cycle(self, edition: int) -> str:
        """The reporting cycle of an annual report's `edition`, and the year it covers."""
        iri = mint("cycle", str(edition))
        if iri not in self.described:
            self.described.add(iri)
            covers = cycle_covers(edition)
            self.add(iri, RDF_TYPE, str(KG.ReportingCycle))
            self.add(
                iri, RDFS_LABEL, _str(f"reporting cycle of the {edition} report (covers {covers})")
            )
            self.add(iri, KG.edition, ox.Literal(str(edition), datatype=_n(XSD + "gYear")))
            self.add(iri, DCT.temporal, self.year(covers))
        return iri

    def quads(self) -> Iterable[ox.Quad]:
        return (ox.Quad(s, p, o, self.graph) for s, p, o in self.triples)


def _source(g: _GraphWriter, source: SourceRecord) -> None:
    s = source_iri(source.id)
    g.add(s, RDF_TYPE, str(KG.Source))
    g.add(s, DCT.identifier, _str(source.id))
    g.add(s, DCT.title, _str(source.title))
    g.add(s, RDFS_LABEL, _str(source.title))
    g.add(s, DCT.publisher, _str(source.publisher))
    g.add(s, DCT.issued, _lit(source.published))
    g.add(s, DCT.license, source.license)
    if source.url:
        g.add(s, SCHEMA.url, source.url)
    g.add(s, KG.sourceText, _str(source.text))
    g.add(s, KG.sha256, _str(source.sha256))
    g.add(s, KG.periodStart, _lit(source.period_start))
    g.add(s, KG.periodEnd, _lit(source.period_end))
    if source.cycle is not None:
        g.add(s, KG.reportingCycle, g.cycle(source.cycle))
    if source.note:
        g.add(s, KG.curatorNote, _str(source.note))
    # how the source's assertions were made: the confidence a user filters on; a seed that
    # does not say is curated by hand from its text, with a verbatim quote per assertion
    method = source.provenance.get("method")
    g.add(s, KG.extractionMethod, method.iri if method else mint("concept", "method", "curated"))
    for author in source.provenance.get("authors", ()):
        g.add(s, DCT.creator, _str(author))
    if "repository" in source.provenance:
        g.add(s, KG.repository, source.provenance["repository"])
    if "commit" in source.provenance:
        g.add(s, KG.commit, _str(source.provenance["commit"]))
    if "derived_from" in source.provenance:
        g.add(s, KG.derivedFromReport, _str(source.provenance["derived_from"]))


def _common(g: _GraphWriter, iri: str, record: AssertionRecord, cls: object, label: str) -> None:
    g.add(iri, RDF_TYPE, str(cls))
    g.add(iri, RDF_TYPE, str(KG.Assertion))
    g.add(iri, DCT.identifier, _str(record.id))
    g.add(iri, RDFS_LABEL, _str(label))
    g.add(iri, PROV.wasDerivedFrom, source_iri(record.source_id))
    for quote in record.evidence:
        g.add(iri, KG.evidence, _str(" ".join(quote.text.split())))
    if record.note:
        g.add(iri, KG.curatorNote, _str(record.note))
    cycle = record.one("cycle") or g.default_cycle
    if cycle is not None:
        g.add(iri, KG.reportingCycle, g.cycle(cycle))
    # a draft stays visible as one in the graph (a build without --strict keeps it)
    if record.fields.get("status"):
        g.add(iri, KG.status, _str(record.fields["status"]))
    if record.fields.get("confidence") is not None:
        g.add(iri, KG.confidence, _lit(record.fields["confidence"]))
    if record.support is not None:
        g.add(iri, KG.support, ox.Literal(str(record.support), datatype=_n(XSD + "integer")))


def _concepts(g: _GraphWriter, iri: str, prop: object, concepts: Iterable[Concept]) -> None:
    for concept in concepts:
        g.add(iri, prop, concept.iri)


def _years(g: _GraphWriter, iri: str, prop: object, years: Iterable[int]) -> None:
    for year in years:
        g.add(iri, prop, g.year(year))


def _years_text(years: Iterable[int]) -> str:
    return ", ".join(str(y) for y in sorted(years))


def _flow(g: _GraphWriter, r: AssertionRecord) -> None:
    transit: tuple[Place, ...] = r.many("transit")
    internal = bool(r.one("internal"))
    for origin in r.many("origin"):
        for destination in r.many("destination"):
            if (origin == destination) != internal:
                continue  # a list expansion does not make a country its own destination
            iri = mint("flow", r.id, f"{origin.code}-{destination.code}")
            route = [origin, *transit, destination]
            label = " → ".join(p.label for p in route)
            _common(g, iri, r, KG.TraffickingFlow, f"Flow {label} ({_years_text(r.many('year'))})")
            g.add(iri, KG.origin, g.place(origin))
            g.add(iri, KG.destination, g.place(destination))
            for stop in transit:
                g.add(iri, KG.transit, g.place(stop))
            _concepts(g, iri, KG.purpose, r.many("purpose"))
            _concepts(g, iri, KG.sector, r.many("sector"))
            _concepts(g, iri, KG.victimGroup, r.many("victim_group"))
            _years(g, iri, KG.year, r.many("year"))
            g.add(
                iri,
                KG.internal,
                ox.Literal("true" if internal else "false", datatype=_n(XSD + "boolean")),
            )
            for index, (a, b) in enumerate(itertools.pairwise(route), start=1):
                leg = f"{iri}/leg/{index}"
                g.add(iri, KG.leg, leg)
                g.add(leg, RDF_TYPE, str(KG.FlowLeg))
                g.add(leg, KG.legIndex, ox.Literal(str(index), datatype=_n(XSD + "integer")))
                g.add(leg, KG.legFrom, a.iri)
                g.add(leg, KG.legTo, b.iri)


def _indicator(g: _GraphWriter, r: AssertionRecord) -> None:
    iri = mint("indicator", r.id)
    country: Place = r.one("country")
    metric: Concept = r.one("metric")
    value = r.one("value")
    shown = value.text if isinstance(value, Literal) else value.label
    if r.one("currency"):
        shown = f"{r.one('currency')} {shown}"
    if r.one("qualifier"):
        shown = f"{r.one('qualifier').label} {shown}"
    _common(g, iri, r, KG.Indicator, f"{country.label} {r.one('year')}: {metric.label} {shown}")
    g.add(iri, KG.country, g.place(country))
    g.add(iri, KG.year, g.year(r.one("year")))
    g.add(iri, KG.metric, metric.iri)
    g.add(iri, KG.value, _lit(value) if isinstance(value, Literal) else value.iri)
    if r.one("currency"):
        g.add(iri, KG.currency, _str(r.one("currency")))
    if r.one("qualifier"):
        g.add(iri, KG.qualifier, r.one("qualifier").iri)
    _concepts(g, iri, KG.purpose, r.many("purpose"))
    _concepts(g, iri, KG.victimGroup, r.many("victim_group"))
    if r.one("sentence_years"):
        sentence: Literal = r.one("sentence_years")
        g.add(iri, KG.sentenceYears, _lit(Literal(sentence.text, "decimal")))


def _law_article(g: _GraphWriter, r: AssertionRecord) -> None:
    jurisdiction: Place = r.one("jurisdiction")
    for article in r.many("article"):
        iri = mint("law-article", r.id, slug(article) or "article")
        _common(
            g, iri, r, KG.LawArticle, f"{jurisdiction.label} {r.one('code')}, Article {article}"
        )
        g.add(iri, KG.jurisdiction, g.place(jurisdiction))
        g.add(iri, KG.legalCode, _str(r.one("code")))
        g.add(iri, KG.articleNumber, _str(article))
        _concepts(g, iri, KG.prohibits, r.many("prohibits"))
        if r.one("max_penalty_years"):
            penalty: Literal = r.one("max_penalty_years")
            g.add(iri, KG.maxPenaltyYears, _lit(Literal(penalty.text, "decimal")))
        if r.one("year"):
            g.add(iri, KG.year, g.year(r.one("year")))


def _legal_instrument(g: _GraphWriter, r: AssertionRecord) -> None:
    iri = mint("legal-instrument", r.id)
    _common(g, iri, r, KG.LegalInstrument, f"{r.one('title')} ({r.one('date').text})")
    g.add(iri, KG.jurisdiction, g.place(r.one("jurisdiction")))
    g.add(iri, KG.instrumentType, r.one("instrument_type").iri)
    g.add(iri, DCT.title, _str(r.one("title")))
    g.add(iri, KG.date, _lit(r.one("date")))
    if r.one("description"):
        g.add(iri, DCT.description, _str(r.one("description")))


def _country_role(g: _GraphWriter, r: AssertionRecord) -> None:
    iri = mint("country-role", r.id)
    country: Place = r.one("country")
    roles = ", ".join(c.label for c in r.many("role"))
    _common(g, iri, r, KG.CountryRole, f"{country.label}: {roles} ({_years_text(r.many('year'))})")
    g.add(iri, KG.country, g.place(country))
    _concepts(g, iri, KG.role, r.many("role"))
    _years(g, iri, KG.year, r.many("year"))
    _concepts(g, iri, KG.purpose, r.many("purpose"))


def _tier_placement(g: _GraphWriter, r: AssertionRecord) -> None:
    country: Place = r.one("country")
    tier: Concept = r.one("tier")
    for year in r.many("year"):
        iri = mint("tier-placement", r.id, str(year))
        _common(g, iri, r, KG.TierPlacement, f"{country.label}: {tier.label} ({year})")
        g.add(iri, KG.country, g.place(country))
        g.add(iri, KG.year, g.year(year))
        g.add(iri, KG.tier, tier.iri)


def _trend(g: _GraphWriter, r: AssertionRecord) -> None:
    iri = mint("trend", r.id)
    country: Place = r.one("country")
    words = [c.label for c in (r.one("qualifier"), r.one("direction")) if c]
    _common(
        g,
        iri,
        r,
        KG.Trend,
        f"{country.label} {r.one('year')}: {' '.join(words)} in {r.one('metric').label}",
    )
    g.add(iri, KG.country, g.place(country))
    g.add(iri, KG.year, g.year(r.one("year")))
    g.add(iri, KG.metric, r.one("metric").iri)
    g.add(iri, KG.direction, r.one("direction").iri)
    if r.one("qualifier"):
        g.add(iri, KG.qualifier, r.one("qualifier").iri)
    if r.one("compared_to"):
        g.add(iri, KG.comparedTo, g.year(r.one("compared_to")))


def _measure(g: _GraphWriter, r: AssertionRecord) -> None:
    iri = mint("measure", r.id)
    country: Place = r.one("country")
    _common(
        g,
        iri,
        r,
        KG.Measure,
        f"{country.label} ({_years_text(r.many('year'))}), {r.one('area').label}: "
        f"{r.one('description')}",
    )
    g.add(iri, KG.country, g.place(country))
    _years(g, iri, KG.year, r.many("year"))
    g.add(iri, KG.area, r.one("area").iri)
    g.add(iri, DCT.description, _str(r.one("description")))
    for actor in r.many("actor"):
        g.add(iri, KG.actor, mint("organization", actor))
    if r.one("place"):
        g.add(iri, KG.place, g.city(r.one("place"), country))


def _organization(g: _GraphWriter, r: AssertionRecord) -> None:
    iri = mint("organization", r.id)
    _common(g, iri, r, KG.Organization, r.one("name"))
    g.add(iri, KG.orgType, r.one("org_type").iri)
    if r.one("country"):
        g.add(iri, KG.country, g.place(r.one("country")))
        if r.one("place"):
            g.add(iri, KG.place, g.city(r.one("place"), r.one("country")))


_MAPPERS = {
    "flow": _flow,
    "indicator": _indicator,
    "law_article": _law_article,
    "legal_instrument": _legal_instrument,
    "country_role": _country_role,
    "tier_placement": _tier_placement,
    "trend": _trend,
    "measure": _measure,
    "organization": _organization,
}


def map_seeds(seeds: Seeds) -> list[ox.Quad]:
    """All quads of the checked seeds, one named graph per source."""
    writers: dict[str, _GraphWriter] = {}
    for source in seeds.sources:
        writers[source.id] = _GraphWriter(graph_iri(source.id))
        _source(writers[source.id], source)
        writers[source.id].default_cycle = source.cycle
    for record in seeds.assertions:
        _MAPPERS[record.kind](writers[record.source_id], record)
    return [q for w in writers.values() for q in w.quads()]


def ontology_quads(ontology_dir: Path) -> list[ox.Quad]:
    """The ontology and its concept schemes, in the ontology's named graph."""
    quads: list[ox.Quad] = []
    for name in ONTOLOGY_FILES:
        path = ontology_dir / name
        try:
            triples = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
            quads.extend(ox.Quad(t.subject, t.predicate, t.object, ONTOLOGY_GRAPH) for t in triples)
        except (OSError, SyntaxError) as exc:
            raise InputError(f"{path}: cannot read the ontology: {exc}") from exc
    return quads
