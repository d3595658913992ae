"""The pipeline: seeds → load → check → map → write, as library functions.

The CLI calls exactly one of these per command; everything here also works from Python.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.check import check_files
from kg.concepts import default_ontology_dir, load_concepts
from kg.conflicts import find_conflicts
from kg.errors import InputError, InvalidData
from kg.export import serialize, sorted_triples, write_files
from kg.findings import Report
from kg.mapping import map_seeds, ontology_quads
from kg.neo4j import neo4j_files
from kg.quotes import check_quotes, read_source_texts
from kg.records import Seeds
from kg.seedfile import Node, read_seed_file
from kg.shacl import shacl_findings


@dataclass
class Validation:
    """What validation produced: the report, the checked records and (when valid) the quads."""

    report: Report
    seeds: Seeds
    quads: list[ox.Quad] = field(default_factory=list)


@dataclass
class BuildResult:
    """What a build wrote."""

    report: Report
    files: list[Path]
    triples: int
    quads: int


def sources_dir_from_env(sources_dir: str | Path | None) -> Path | None:
    """`sources_dir` if given, else `$KG_SOURCES` if set and non-empty, else None."""
    if sources_dir:
        return Path(sources_dir)
    env = os.environ.get("KG_SOURCES", "").strip()
    return Path(env) if env else None


def seed_paths(seeds_dir: Path) -> list[Path]:
    """The seed files of a directory, sorted by name."""
    if not seeds_dir.is_dir():
        raise InputError(f"{seeds_dir}: no such seeds directory",
                         "pass --seeds DIR or run from the project directory")
    paths = sorted(p for p in seeds_dir.iterdir()
                   if p.suffix in (".yaml", ".yml") and p.is_file())
    if not paths:
        raise InputError(f"{seeds_dir}: no *.yaml seed files", "see seeds/README.md")
    return paths


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def validate(seeds_dir: str | Path = "seeds", sources_dir: str | Path | None = None,
             ontology_dir: str | Path | None = None, shacl: bool = True) -> Validation:
    """Check every seed file; gather every problem into the report instead of stopping.

    Quotes are checked against the texts in `sources_dir` (or `$KG_SOURCES`); without
    them the quotes are reported as unchecked. SHACL runs on the mapped graph when
    everything else passed.
    """
    seeds_path = Path(seeds_dir)
    onto = Path(ontology_dir) if ontology_dir else default_ontology_dir()
    report = Report()
    parsed: list[tuple[str, Node]] = []
    for path in seed_paths(seeds_path):
        node, findings = read_seed_file(path, _display(path))
        report.extend(findings)
        if node is not None:
            parsed.append((_display(path), node))
    concepts = load_concepts(onto.resolve())
    seeds = check_files(parsed, concepts, report)
    texts = read_source_texts(seeds, sources_dir_from_env(sources_dir), report)
    check_quotes(seeds, texts, report)
    report.extend(find_conflicts(seeds.assertions))
    report.stats["files"] = len(parsed)
    report.stats["sources"] = len(seeds.sources)
    report.stats["assertions"] = len(seeds.assertions)
    result = Validation(report, seeds)
    if report.ok:
        result.quads = map_seeds(seeds)
        if shacl:
            all_quads = result.quads + ontology_quads(onto)
            report.extend(shacl_findings(all_quads, onto / "shapes.ttl", seeds))
    return result


def build(seeds_dir: str | Path = "seeds", out_dir: str | Path = "exports",
          sources_dir: str | Path | None = None,
          ontology_dir: str | Path | None = None) -> BuildResult:
    """Validate, then write every export into `out_dir`; invalid seeds write nothing."""
    onto = Path(ontology_dir) if ontology_dir else default_ontology_dir()
    result = validate(seeds_dir, sources_dir, onto)
    if not result.report.ok:
        raise InvalidData(result.report)
    quads = result.quads + ontology_quads(onto)
    files = serialize(quads, read_context(onto))
    files.update(neo4j_files(quads))
    written = write_files(Path(out_dir), files)
    return BuildResult(result.report, written, len(sorted_triples(quads)), len(quads))


def read_context(ontology_dir: Path) -> dict[str, object]:
    """The JSON-LD context the export is compacted with (`ontology/context.jsonld`)."""
    path = ontology_dir / "context.jsonld"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the JSON-LD context: {exc}") from exc
    return document.get("@context", document)


def load_graph(seeds_dir: str | Path = "seeds", sources_dir: str | Path | None = None,
               ontology_dir: str | Path | None = None) -> ox.Store:
    """The validated graph (ontology included) in an in-memory Oxigraph store."""
    onto = Path(ontology_dir) if ontology_dir else default_ontology_dir()
    result = validate(seeds_dir, sources_dir, onto, shacl=False)
    if not result.report.ok:
        raise InvalidData(result.report)
    store = ox.Store()
    store.bulk_extend(result.quads + ontology_quads(onto))
    return store


_STATS_QUERIES = {
    "classes": """
        SELECT ?key (COUNT(DISTINCT ?s) AS ?n) WHERE {
          GRAPH ?g { ?s a ?key } FILTER(STRSTARTS(STR(?key), "https://w3id.org/tip-kg/"))
        } GROUP BY ?key ORDER BY ?key""",
    "sources": """
        PREFIX kg: <https://w3id.org/tip-kg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?key (COUNT(DISTINCT ?a) AS ?n) WHERE {
          ?a a kg:Assertion ; prov:wasDerivedFrom ?s . ?s dct:identifier ?key
        } GROUP BY ?key ORDER BY ?key""",
    "metrics": """
        PREFIX kg: <https://w3id.org/tip-kg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?key (COUNT(DISTINCT ?i) AS ?n) WHERE {
          ?i a kg:Indicator ; kg:metric ?m . ?m skos:notation ?key
        } GROUP BY ?key ORDER BY ?key""",
}


def stats(seeds_dir: str | Path = "seeds", sources_dir: str | Path | None = None,
          ontology_dir: str | Path | None = None) -> dict[str, dict[str, int]]:
    """Counts per class, per source and per metric, from the built graph."""
    store = load_graph(seeds_dir, sources_dir, ontology_dir)
    distinct = ("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o "
                "WHERE { GRAPH ?g { ?s ?p ?o } } }")
    triples = int(next(iter(store.query(distinct)))["n"].value)
    out: dict[str, dict[str, int]] = {"graph": {"triples": triples, "quads": len(store)}}
    for name, query in _STATS_QUERIES.items():
        rows = store.query(query, use_default_graph_as_union=True)
        out[name] = {_short(row["key"]): int(row["n"].value) for row in rows}
    return out


def _short(term: ox.NamedNode | ox.Literal) -> str:
    value = term.value
    return "kg:" + value.split("#", 1)[1] if "ontology#" in value else value
