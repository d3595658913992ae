"""The exports: round trips, determinism, staleness, VoID, SHACL.

Tests marked `real_seeds` build the project's seeds and check properties that hold for
any corpus (see tests/conftest.py); the facts of one export are checked on the fixtures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

import kg
from kg.compare import COMPARISONS_GRAPH
from kg.concepts import default_ontology_dir
from kg.mapping import ontology_quads
from kg.shacl import conformance, load_shapes, to_rdflib
from tests.conftest import EXPORTS, FIXTURE_SEEDS, FIXTURE_SOURCES, SEEDS, run_kg, seed_source_ids

EXPORT_FILES = ["tip-kg.jsonld", "tip-kg.nq", "tip-kg.nt", "tip-kg.trig", "tip-kg.ttl", "void.ttl"]
ONTOLOGY_GRAPH = "https://w3id.org/tip-kg/ontology"
GRAPH = "https://w3id.org/tip-kg/id/graph/"
real_seeds = pytest.mark.real_seeds


@pytest.fixture(scope="module")
def quads(sources_dir: Path) -> list[ox.Quad]:
    validation = kg.validate(SEEDS, sources_dir, shacl=False)
    assert validation.report.ok
    return validation.mapped_quads() + ontology_quads(default_ontology_dir())


@pytest.fixture(scope="module")
def expected(quads: list[ox.Quad]) -> Graph:
    return to_rdflib(quads)


@pytest.fixture(scope="module")
def fixture_quads() -> list[ox.Quad]:
    validation = kg.validate(FIXTURE_SEEDS, FIXTURE_SOURCES, shacl=False, cache_dir=False)
    assert validation.report.ok
    return validation.mapped_quads() + ontology_quads(default_ontology_dir())


def _all_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@real_seeds
def test_build_writes_every_export(built: Path) -> None:
    assert set(EXPORT_FILES) <= set(_all_files(built))


@real_seeds
@pytest.mark.parametrize(
    "name,fmt", [("tip-kg.ttl", "turtle"), ("tip-kg.nt", "nt"), ("tip-kg.jsonld", "json-ld")]
)
def test_graph_exports_round_trip(built: Path, expected: Graph, name: str, fmt: str) -> None:
    parsed = Graph().parse(built / name, format=fmt)
    assert len(parsed) == len(expected)
    assert isomorphic(parsed, expected)


@real_seeds
@pytest.mark.parametrize("name,fmt", [("tip-kg.trig", "trig"), ("tip-kg.nq", "nquads")])
def test_dataset_exports_keep_one_graph_per_source(
    built: Path, quads: list[ox.Quad], name: str, fmt: str
) -> None:
    dataset = Dataset()
    dataset.parse(built / name, format=fmt)
    by_graph: dict[str, list[ox.Quad]] = {}
    for q in quads:
        by_graph.setdefault(q.graph_name.value, []).append(q)
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert names == set(by_graph)
    # the ontology's graph and one per seed file's source, whatever the seeds are, and
    # the comparisons' graph when two sources meet
    assert names - {COMPARISONS_GRAPH} == {ONTOLOGY_GRAPH} | {
        GRAPH + sid for sid in seed_source_ids(SEEDS)
    }
    for graph_name, graph_quads in by_graph.items():
        got = dataset.graph(URIRef(graph_name))
        assert isomorphic(Graph() + got, to_rdflib(graph_quads)), graph_name


def test_jsonld_is_compacted_with_inline_context(fixture_built: Path) -> None:
    document = json.loads((fixture_built / "tip-kg.jsonld").read_text(encoding="utf-8"))
    assert isinstance(document["@context"], dict)  # inline: expands offline
    flows = [n for n in document["@graph"] if "TraffickingFlow" in n.get("@type", [])]
    # one node per origin-destination pair: A 3 + 2, B 2 + 1, C 2 + 1 + 1
    assert len(flows) == 12, "flows are typed with the readable term"
    flow = next(n for n in flows if n["@id"].endswith("/a-kaz-outbound-2005/KAZ-TUR"))
    assert flow["origin"] == "https://w3id.org/tip-kg/id/country/KAZ"
    assert flow["derivedFrom"] == "source:fx-monitor-2006"
    assert flow["evidence"] == (
        "Kazakhstani women and girls are trafficked to Turkey, "
        "Russia, and Western Europe for sexual exploitation."
    )


@real_seeds
def test_jsonld_flows_carry_origin_source_and_evidence(built: Path) -> None:
    document = json.loads((built / "tip-kg.jsonld").read_text(encoding="utf-8"))
    assert isinstance(document["@context"], dict)
    flows = [n for n in document["@graph"] if "TraffickingFlow" in n.get("@type", [])]
    assert flows
    sources = {f"source:{sid}" for sid in seed_source_ids(SEEDS)}
    for flow in flows:
        assert flow["origin"] and flow["evidence"], flow["@id"]
        assert flow["derivedFrom"] in sources, flow["@id"]


@real_seeds
def test_build_twice_is_byte_identical(built: Path, tmp_path: Path, sources_dir: Path) -> None:
    again = tmp_path / "again"
    result = run_kg(
        "build", "--seeds", str(SEEDS), "--sources", str(sources_dir), "--out", str(again)
    )
    assert result.returncode == 0, result.stderr
    assert _all_files(again) == _all_files(built)
    for name in _all_files(built):
        assert (again / name).read_bytes() == (built / name).read_bytes(), name


@real_seeds
def test_committed_exports_are_fresh(built: Path) -> None:
    stale = [
        name
        for name in _all_files(built)
        if not (EXPORTS / name).is_file()
        or (EXPORTS / name).read_bytes() != (built / name).read_bytes()
    ]
    assert not stale, f"exports/ is stale for {stale}: run `make build` and commit exports/"


@real_seeds
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
    assert len(starts) == 1 + len(seed_source_ids(SEEDS)), "shared part, then each source"
    assert all(b"/id/country/" not in line.split(b" ", 1)[0] for line in lines[starts[1] :])


@real_seeds
def test_void_counts_and_distributions(built: Path, expected: Graph) -> None:
    void = Graph().parse(built / "void.ttl")
    rows = list(
        void.query("""
        PREFIX void: <http://rdfs.org/ns/void#>
        PREFIX dcat: <http://www.w3.org/ns/dcat#>
        SELECT ?triples (COUNT(DISTINCT ?d) AS ?dists) WHERE {
          ?ds a void:Dataset ; void:triples ?triples ; dcat:distribution ?d
        } GROUP BY ?triples""")
    )
    assert len(rows) == 1
    assert int(rows[0][0]) == len(expected)
    assert int(rows[0][1]) == 5
    sizes = {
        str(t): int(s)
        for t, s in void.query("""
        PREFIX dcat: <http://www.w3.org/ns/dcat#>
        PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?url ?size WHERE { ?d dcat:downloadURL ?url ; dcat:byteSize ?size }""")
    }
    for url, size in sizes.items():
        assert (built / url.rsplit("/", 1)[1]).stat().st_size == size
    text = (built / "void.ttl").read_text()
    assert "dateTime" not in text and "tip-kg " + kg.__version__ in text


@real_seeds
def test_seeds_graph_conforms_to_shapes(quads: list[ox.Quad]) -> None:
    assert conformance(quads, load_shapes(default_ontology_dir() / "shapes.ttl")) == []


def test_fixture_graph_conforms_to_shapes(fixture_quads: list[ox.Quad]) -> None:
    assert conformance(fixture_quads, load_shapes(default_ontology_dir() / "shapes.ttl")) == []


def test_broken_graph_names_the_shape(fixture_quads: list[ox.Quad]) -> None:
    origin = "https://w3id.org/tip-kg/ontology#origin"
    broken = [
        q
        for q in fixture_quads
        if not (q.predicate.value == origin and q.subject.value.endswith("/KAZ-RUS"))
    ]
    assert len(broken) == len(fixture_quads) - 2  # A and B both state Kazakhstan → Russia
    violations = conformance(broken, load_shapes(default_ontology_dir() / "shapes.ttl"))
    shapes = {v[0] for v in violations}
    assert "TraffickingFlow-origin" in shapes
    assert all(v[1].endswith("/KAZ-RUS") or "/KAZ-RUS/" in v[1] for v in violations)


@real_seeds
def test_validate_checks_every_quote(sources_dir: Path) -> None:
    result = run_kg(
        "validate", "--seeds", str(SEEDS), "--sources", str(sources_dir), "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["valid"] is True
    assert report["stats"]["quotes_unchecked"] == 0
    assert report["stats"]["quotes_checked"] >= report["stats"]["assertions"] > 100


def test_fixture_validate_checks_every_quote() -> None:
    result = run_kg(
        "validate",
        "--seeds",
        str(FIXTURE_SEEDS),
        "--sources",
        str(FIXTURE_SOURCES),
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)["stats"]
    # 50 assertions; B's convictions in 2007 rest on two quotes
    assert (stats["assertions"], stats["quotes_checked"], stats["quotes_unchecked"]) == (50, 51, 0)


def test_stats_counts() -> None:
    result = run_kg(
        "stats",
        "--seeds",
        str(FIXTURE_SEEDS),
        "--sources",
        str(FIXTURE_SOURCES),
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout)
    # assertion nodes per source: a flow gives one per origin-destination pair, a tier
    # placement one per year. A: 17 - 2 flows + 3 + 2 pairs; B: 18 - 2 flows + 2 + 1
    # pairs + a second year of b-kaz-tier; C: 15 - 3 flows + 2 + 1 + 1
    assert counts["sources"] == {
        "fx-monitor-2006": 20,
        "fx-review-2008": 20,
        "fx-bulletin-2009": 16,
    }
    # A: 2004 and 2005; B: 2005 and 2007
    assert counts["metrics"]["investigations"] == 4
    classes = counts["classes"]
    assert classes["kg:Source"] == 3
    assert classes["kg:Assertion"] == 56
    # KAZ KGZ UZB TUR RUS KOR MDA UKR; Western Europe; Almaty, Chisinau, Balti; 2004-2008
    assert (
        classes["kg:Country"],
        classes["kg:Region"],
        classes["kg:Place"],
        classes["kg:Year"],
    ) == (8, 1, 3, 5)
    # one leg per flow without transit (the internal one included), two with one transit
    assert classes["kg:FlowLeg"] == 3 + 2 + 2 + 2 + 4 + 1 + 2
    assert counts["graph"]["triples"] < counts["graph"]["quads"]


@real_seeds
def test_stats_agree_with_the_exports(built: Path) -> None:
    result = run_kg("stats", "--seeds", str(SEEDS), "--format", "json")
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout)
    assert set(counts["sources"]) == set(seed_source_ids(SEEDS))
    assert counts["classes"]["kg:Source"] == len(counts["sources"])
    assert sum(counts["sources"].values()) == counts["classes"]["kg:Assertion"]
    quads = list(ox.parse(path=built / "tip-kg.nq", format=ox.RdfFormat.N_QUADS))
    assert counts["graph"]["quads"] == len(quads)
    assert counts["graph"]["triples"] == len({(q.subject, q.predicate, q.object) for q in quads})
