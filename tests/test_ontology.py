"""The ontology is the public API: every term the code writes is declared and documented."""

from __future__ import annotations

import json

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from kg.concepts import default_ontology_dir, load_concepts
from kg.vocab import KG, ONTOLOGY_IRI, PREFIXES

ONTO = default_ontology_dir()
KG_NS = str(KG._NS)


def _ontology() -> Graph:
    return Graph().parse(ONTO / "tip-kg.ttl")


def _vocab_terms() -> set[str]:
    return {KG_NS + name for name in KG.__annotations__}


def test_every_vocab_term_is_declared_with_label_and_comment() -> None:
    g = _ontology()
    for term in sorted(_vocab_terms()):
        node = URIRef(term)
        assert (node, RDF.type, None) in g, f"{term} is not declared"
        labels = [o for o in g.objects(node, RDFS.label) if isinstance(o, Literal)]
        comments = [o for o in g.objects(node, RDFS.comment) if isinstance(o, Literal)]
        assert labels and comments, f"{term} lacks rdfs:label or rdfs:comment"


def test_ontology_declares_nothing_beyond_the_vocab() -> None:
    g = _ontology()
    declared = {str(s) for s in g.subjects(RDF.type, None) if str(s).startswith(KG_NS)}
    assert declared == _vocab_terms()


def test_ontology_header_and_alignments() -> None:
    g = _ontology()
    onto = URIRef(ONTOLOGY_IRI)
    assert (onto, RDF.type, OWL.Ontology) in g
    assert g.value(onto, OWL.versionIRI) is not None
    assert (
        URIRef(str(KG.Indicator)),
        RDFS.subClassOf,
        URIRef("http://purl.org/linked-data/cube#Observation"),
    ) in g
    assert (URIRef(str(KG.Country)), RDFS.subClassOf, URIRef("https://schema.org/Country")) in g


def test_required_public_terms_exist() -> None:
    # user queries depend on these exact names (issue 3)
    for name in [
        "Country",
        "Region",
        "TraffickingFlow",
        "LawArticle",
        "Year",
        "Indicator",
        "Source",
        "origin",
        "transit",
        "destination",
        "purpose",
        "sector",
        "victimGroup",
        "year",
        "country",
        "metric",
        "value",
        "articleNumber",
        "jurisdiction",
        "maxPenaltyYears",
        "evidence",
    ]:
        assert getattr(KG, name) == URIRef(KG_NS + name)


def test_every_scheme_the_seed_format_uses_has_concepts() -> None:
    from kg.schema import KIND_FIELDS

    concepts = load_concepts(ONTO)
    schemes = {f.scheme for fields in KIND_FIELDS.values() for f in fields if f.scheme}
    for scheme in schemes:
        assert concepts.by_scheme.get(scheme), f"no concepts in scheme {scheme}"


def test_context_matches_vocab() -> None:
    context = json.loads((ONTO / "context.jsonld").read_text())["@context"]
    for term in ("origin", "destination", "evidence", "TraffickingFlow", "derivedFrom"):
        assert term in context
    assert context["origin"]["@type"] == "@id"
    assert context["kg"] == PREFIXES["kg"]
