"""The Neo4j export: CSV structure for `neo4j-admin database import`, and the Cypher script."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from tests.conftest import EXPORTS, ONTOLOGY

KG = "https://w3id.org/tip-kg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
FILES = ("nodes.csv", "relationships.csv", "load.cypher")
# properties of the real seeds' export, whatever the corpus (see tests/conftest.py)
pytestmark = pytest.mark.real_seeds


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def neo4j(built: Path) -> Path:
    return built / "neo4j"


def test_headers_are_what_neo4j_admin_reads(neo4j: Path) -> None:
    header, nodes = _rows(neo4j / "nodes.csv")
    assert header[:2] == ["iri:ID", ":LABEL"]
    types = {"string", "long", "double", "boolean"}
    for column in header[2:]:
        name, _, kind = column.partition(":")
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name), column
        assert kind.removesuffix("[]") in types, column
    assert _rows(neo4j / "relationships.csv")[0] == [":START_ID", ":END_ID", ":TYPE"]
    # typed columns hold values of their type
    for row in nodes:
        for column in header[2:]:
            value = row[column]
            if not value:
                continue
            for item in value.split("|") if column.endswith("[]") else [value]:
                if ":long" in column:
                    int(item)
                elif ":double" in column:
                    float(item)
                elif ":boolean" in column:
                    assert item in ("true", "false")


def test_every_relationship_joins_two_nodes(neo4j: Path) -> None:
    _, nodes = _rows(neo4j / "nodes.csv")
    ids = [row["iri:ID"] for row in nodes]
    assert len(ids) == len(set(ids)), "node ids repeat"
    _, rels = _rows(neo4j / "relationships.csv")
    assert len(rels) > 1000
    missing = {
        (r[":START_ID"], r[":END_ID"])
        for r in rels
        if r[":START_ID"] not in ids or r[":END_ID"] not in ids
    }
    assert not missing
    assert all(re.fullmatch(r"[A-Z][A-Z_]*", r[":TYPE"]) for r in rels)
    assert len({tuple(r.values()) for r in rels}) == len(rels), "relationships repeat"


def test_labels_are_the_ontology_classes(neo4j: Path, built: Path) -> None:
    ontology = ox.Store()
    ontology.load(path=ONTOLOGY / "tip-kg.ttl", format=ox.RdfFormat.TURTLE)
    classes = {
        q.subject.value[len(KG) :]
        for q in ontology.quads_for_pattern(
            None, RDF_TYPE, ox.NamedNode("http://www.w3.org/2002/07/owl#Class")
        )
        if q.subject.value.startswith(KG)
    }
    _, nodes = _rows(neo4j / "nodes.csv")
    labels = {row["iri:ID"]: set(row[":LABEL"].split("|")) for row in nodes}
    used = set().union(*labels.values())
    assert used <= classes | {"Concept", "ConceptScheme"}, used - classes
    assert {"TraffickingFlow", "Indicator", "Country", "Source", "Assertion"} <= used
    # each node carries exactly the classes the RDF gives it
    types: dict[str, set[str]] = {}
    for q in ox.parse(path=built / "tip-kg.nq", format=ox.RdfFormat.N_QUADS):
        if q.predicate == RDF_TYPE and q.object.value.startswith((KG, SKOS + "Concept")):
            types.setdefault(q.subject.value, set()).add(q.object.value.rsplit("#", 1)[-1])
    assert labels == types


def test_cypher_script_loads_every_label_set_and_type(neo4j: Path) -> None:
    script = (neo4j / "load.cypher").read_text(encoding="utf-8")
    header, nodes = _rows(neo4j / "nodes.csv")
    for label_set in {row[":LABEL"] for row in nodes}:
        assert f"row.`:LABEL` = '{label_set}'" in script
        assert f"CREATE (n:{label_set.replace('|', ':')} {{iri: row.`iri:ID`}})" in script
    for rel in {row[":TYPE"] for row in _rows(neo4j / "relationships.csv")[1]}:
        assert f"CREATE (a)-[:{rel}]->(b);" in script
    referenced = set(re.findall(r"row\.`([^`]+)`", script))
    assert referenced <= set(header) | {":START_ID", ":END_ID", ":TYPE"}
    assert script.count(";\n") >= len({row[":LABEL"] for row in nodes})


@pytest.mark.parametrize("name", FILES)
def test_committed_exports_are_current(neo4j: Path, name: str) -> None:
    assert (EXPORTS / "neo4j" / name).read_bytes() == (neo4j / name).read_bytes(), (
        f"exports/neo4j/{name} is stale: run make build and commit it"
    )


def test_rows_rendered_ahead_are_used_only_when_their_types_hold() -> None:
    from kg.neo4j import Neo4jLayout, edge_rows, relationship_types

    a, b = "http://a.example/ns#about", "http://b.example/ns#about"
    edges = [("https://w3id.org/tip-kg/id/x/1", a, "https://w3id.org/tip-kg/id/y/2")]
    alone = relationship_types({a})
    assert alone == {a: "ABOUT"}
    rendered = edge_rows(edges, alone)
    # the whole graph has one predicate of that local name: the rows stand
    layout = Neo4jLayout.merge([], [{a}], [])
    assert layout.edge_rows_of(rendered, alone, edges) == rendered
    # two predicates share it: both get qualified names, and the rows are made again
    layout = Neo4jLayout.merge([], [{a}, {b}], [])
    again = layout.edge_rows_of(rendered, alone, edges)
    assert again != rendered and again == layout.edge_rows(edges)
    assert b"ABOUT" in again and layout.types[a] != "ABOUT"
