"""The concept schemes' hierarchy (issue 13): girls within children, and the like."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SKOS

from kg.concepts import default_ontology_dir, load_concepts
from kg.errors import InputError

ONTO = default_ontology_dir()


def _concepts() -> Graph:
    return Graph().parse(ONTO / "concepts.ttl")


def test_broader_links_stay_within_one_scheme() -> None:
    g = _concepts()
    links = list(g.subject_objects(SKOS.broader))
    assert links, "the schemes have no hierarchy"
    for narrow, broad in links:
        assert set(g.objects(narrow, SKOS.inScheme)) == set(g.objects(broad, SKOS.inScheme))
        assert (broad, RDF.type, SKOS.Concept) in g


def test_broader_and_narrower_are_each_others_inverse() -> None:
    g = _concepts()
    assert set(g.subject_objects(SKOS.broader)) == {
        (n, b) for b, n in g.subject_objects(SKOS.narrower)
    }


def test_hierarchy_is_acyclic_and_only_roots_are_top_concepts() -> None:
    g = _concepts()
    for concept in g.subjects(RDF.type, SKOS.Concept):
        seen: set[URIRef] = set()
        todo = list(g.objects(concept, SKOS.broader))
        while todo:
            up = todo.pop()
            assert up != concept, f"{concept} lies within itself"
            if up not in seen:
                seen.add(up)
                todo.extend(g.objects(up, SKOS.broader))
        has_broader = bool(seen)
        assert bool(set(g.objects(concept, SKOS.topConceptOf))) != has_broader, concept


def test_within_follows_the_links_one_way() -> None:
    c = load_concepts(ONTO)
    assert c.within("victim_group", "girls", "children")
    assert not c.within("victim_group", "children", "girls")
    assert c.within("purpose", "commercial_sexual_exploitation", "sexual_exploitation")
    assert not c.within("purpose", "labor_exploitation", "forced_labor")
    assert not c.within("victim_group", "girls", "women")


def _ontology_with(tmp_path: Path, extra: str) -> Path:
    onto = tmp_path / "ontology"
    shutil.copytree(ONTO, onto)
    with (onto / "concepts.ttl").open("a", encoding="utf-8") as f:
        f.write(extra)
    return onto


C = "https://w3id.org/tip-kg/id/concept/"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"


def test_a_cycle_of_broader_links_is_refused(tmp_path: Path) -> None:
    onto = _ontology_with(
        tmp_path, f"<{C}victim_group/children> <{SKOS_NS}broader> <{C}victim_group/girls> .\n"
    )
    with pytest.raises(InputError, match="circle"):
        load_concepts(onto)


def test_a_link_between_schemes_is_refused(tmp_path: Path) -> None:
    onto = _ontology_with(
        tmp_path, f"<{C}victim_group/girls> <{SKOS_NS}broader> <{C}purpose/forced_labor> .\n"
    )
    with pytest.raises(InputError, match="not concepts of one scheme"):
        load_concepts(onto)


def _shape_violations(extra: str) -> set[tuple[str, str, str]]:
    import pyoxigraph as ox

    from kg.mapping import ontology_quads
    from kg.shacl import conformance, load_shapes

    quads = list(ontology_quads(ONTO))
    quads += [
        ox.Quad(q.subject, q.predicate, q.object)
        for q in ox.parse(extra, format=ox.RdfFormat.N_TRIPLES)
    ]
    return {(v[0], v[1], v[2]) for v in conformance(quads, load_shapes(ONTO / "shapes.ttl"))}


def test_shapes_accept_the_shipped_hierarchy() -> None:
    assert _shape_violations("") == set()


def test_shapes_refuse_a_link_between_schemes_and_a_cycle() -> None:
    across = f"<{C}victim_group/girls> <{SKOS_NS}broader> <{C}purpose/forced_labor> .\n"
    link = (
        "A skos:broader (or skos:narrower) link must join two concepts of the same "
        "scheme, and the links must not go round in a circle."
    )
    assert ("ConceptShape", f"{C}victim_group/girls", link) in _shape_violations(across)
    circle = f"<{C}victim_group/children> <{SKOS_NS}broader> <{C}victim_group/girls> .\n"
    found = _shape_violations(circle)
    assert ("ConceptShape", f"{C}victim_group/children", link) in found
    assert ("ConceptShape", f"{C}victim_group/girls", link) in found
