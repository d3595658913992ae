"""The exports: round trips, determinism, staleness, VoID, SHACL."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

import kg
from kg.concepts import default_ontology_dir
from kg.mapping import ontology_quads
from kg.shacl import conformance, load_shapes, to_rdflib
from tests.conftest import EXPORTS, SEEDS, run_kg

EXPORT_FILES = ["tip-kg.jsonld", "tip-kg.nq", "tip-kg.nt", "tip-kg.trig", "tip-kg.ttl",
                "void.ttl"]


@pytest.fixture(scope="module")
def quads(sources_dir: Path) -> list[ox.Quad]:
    validation = kg.validate(SEEDS, sources_dir, shacl=False)
    assert validation.report.ok
    return validation.mapped_quads() + ontology_quads(default_ontology_dir())


@pytest.fixture(scope="module")
def expected(quads: list[ox.Quad]) -> Graph:
    return to_rdflib(quads)


def _all_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_build_writes_every_export(built: Path) -> None:
    assert set(EXPORT_FILES) <= set(_all_files(built))


@pytest.mark.parametrize("name,fmt", [("tip-kg.ttl", "turtle"), ("tip-kg.nt", "nt"),
                                      ("tip-kg.jsonld", "json-ld")])
def test_graph_exports_round_trip(built: Path, expected: Graph, name: str, fmt: str) -> None:
    parsed = Graph().parse(built / name, format=fmt)
    assert len(parsed) == len(expected)
    assert isomorphic(parsed, expected)


@pytest.mark.parametrize("name,fmt", [("tip-kg.trig", "trig"), ("tip-kg.nq", "nquads")])
def test_dataset_exports_keep_one_graph_per_source(built: Path, quads: list[ox.Quad],
                                                   name: str, fmt: str) -> None:
    dataset = Dataset()
    dataset.parse(built / name, format=fmt)
    by_graph: dict[str, list[ox.Quad]] = {}
    for q in quads:
        by_graph.setdefault(q.graph_name.value, []).append(q)
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert names == set(by_graph)
    assert names == {
        "https://w3id.org/tip-kg/ontology",
        "https://w3id.org/tip-kg/id/graph/tip-2006-kazakhstan",
        "https://w3id.org/tip-kg/id/graph/wikipedia-human-trafficking-in-kazakhstan",
    }
    for graph_name, graph_quads in by_graph.items():
        got = dataset.graph(URIRef(graph_name))
        assert isomorphic(Graph() + got, to_rdflib(graph_quads)), graph_name


def test_jsonld_is_compacted_with_inline_context(built: Path) -> None:
    document = json.loads((built / "tip-kg.jsonld").read_text(encoding="utf-8"))
    assert isinstance(document["@context"], dict)  # inline: expands offline
    flows = [n for n in document["@graph"] if "TraffickingFlow" in n.get("@type", [])]
    assert flows, "flows are typed with the readable term"
    flow = next(n for n in flows if n["@id"].endswith("/KAZ-TUR"))
    assert flow["origin"] == "https://w3id.org/tip-kg/id/country/KAZ"
    assert flow["derivedFrom"] == "source:tip-2006-kazakhstan"
    assert "evidence" in flow


def test_build_twice_is_byte_identical(built: Path, tmp_path: Path, sources_dir: Path) -> None:
    again = tmp_path / "again"
    result = run_kg("build", "--sources", str(sources_dir), "--out", str(again))
    assert result.returncode == 0, result.stderr
    assert _all_files(again) == _all_files(built)
    for name in _all_files(built):
        assert (again / name).read_bytes() == (built / name).read_bytes(), name


def test_committed_exports_are_fresh(built: Path) -> None:
    stale = [name for name in _all_files(built)
             if not (EXPORTS / name).is_file()
             or (EXPORTS / name).read_bytes() != (built / name).read_bytes()]
    assert not stale, f"exports/ is stale for {stale}: run `make build` and commit exports/"


def test_nt_and_nq_are_in_their_documented_order(built: Path) -> None:
    # N-Quads: graph after graph in IRI order, each graph's lines sorted
    lines = (built / "tip-kg.nq").read_bytes().splitlines()
    keys = [(line.rsplit(b" ", 2)[1], line) for line in lines]
    assert keys == sorted(keys)
    # N-Triples: each triple once; the ontology and shared resources, then each source's
    # own statements, each part sorted
    lines = (built / "tip-kg.nt").read_bytes().splitlines()
    assert len(lines) == len(set(lines))
    starts = [0] + [i for i in range(1, len(lines)) if lines[i] < lines[i - 1]]
    assert len(starts) == 3, "shared part, then the two sources"
    assert all(b"/id/country/" not in line.split(b" ", 1)[0] for line in lines[starts[1]:])


def test_void_counts_and_distributions(built: Path, expected: Graph) -> None:
    void = Graph().parse(built / "void.ttl")
    rows = list(void.query("""
        PREFIX void: <http://rdfs.org/ns/void#>
        PREFIX dcat: <http://www.w3.org/ns/dcat#>
        SELECT ?triples (COUNT(DISTINCT ?d) AS ?dists) WHERE {
          ?ds a void:Dataset ; void:triples ?triples ; dcat:distribution ?d
        } GROUP BY ?triples"""))
    assert len(rows) == 1
    assert int(rows[0][0]) == len(expected)
    assert int(rows[0][1]) == 5
    sizes = {str(t): int(s) for t, s in void.query("""
        PREFIX dcat: <http://www.w3.org/ns/dcat#>
        PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?url ?size WHERE { ?d dcat:downloadURL ?url ; dcat:byteSize ?size }""")}
    for url, size in sizes.items():
        assert (built / url.rsplit("/", 1)[1]).stat().st_size == size
    text = (built / "void.ttl").read_text()
    assert "dateTime" not in text and "tip-kg " + kg.__version__ in text


def test_seeds_graph_conforms_to_shapes(quads: list[ox.Quad]) -> None:
    assert conformance(quads, load_shapes(default_ontology_dir() / "shapes.ttl")) == []


def test_broken_graph_names_the_shape(quads: list[ox.Quad]) -> None:
    origin = "https://w3id.org/tip-kg/ontology#origin"
    broken = [q for q in quads
              if not (q.predicate.value == origin and q.subject.value.endswith("/KAZ-TUR"))]
    assert len(broken) == len(quads) - 2  # both sources state Kazakhstan → Turkey
    violations = conformance(broken, load_shapes(default_ontology_dir() / "shapes.ttl"))
    shapes = {v[0] for v in violations}
    assert "TraffickingFlow-origin" in shapes
    assert all(v[1].endswith("/KAZ-TUR") or "/KAZ-TUR/" in v[1] for v in violations)


def test_validate_checks_every_quote(sources_dir: Path) -> None:
    result = run_kg("validate", "--sources", str(sources_dir), "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["valid"] is True
    assert report["stats"]["quotes_unchecked"] == 0
    assert report["stats"]["quotes_checked"] >= report["stats"]["assertions"] > 100


def test_stats_counts(sources_dir: Path) -> None:
    result = run_kg("stats", "--sources", str(sources_dir), "--format", "json")
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout)
    assert counts["sources"] == {"tip-2006-kazakhstan": 71,
                                 "wikipedia-human-trafficking-in-kazakhstan": 86}
    assert counts["metrics"]["investigations"] == 4
    assert counts["classes"]["kg:Source"] == 2
    assert counts["graph"]["triples"] < counts["graph"]["quads"]
