"""The pipeline: seeds → load → check → map → write, as library functions.

The CLI calls exactly one of these per command; everything here also works from Python.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.cache import SourceUnit, UnitCache, unit_texts
from kg.check import check_files, check_references
from kg.concepts import ConceptSchemes, default_ontology_dir, load_concepts
from kg.conflicts import find_conflicts
from kg.errors import InputError, InvalidData
from kg.export import serialize, write_files
from kg.findings import Finding, Report
from kg.mapping import RDF_TYPE, map_seeds, ontology_quads
from kg.neo4j import neo4j_files
from kg.progress import Progress
from kg.query import add_union_default_graph
from kg.quotes import check_quotes, read_source_texts
from kg.records import Seeds
from kg.seedfile import read_seed_file
from kg.shacl import (
    CoreShapes,
    load_shapes,
    native_conformance,
    split_sparql_constraints,
    violation_findings,
)
from kg.vocab import KG, mint


@dataclass
class Validation:
    """What validation produced: the report, the checked records, and per source the
    mapped quads as N-Quads (`mapped_quads` parses them when a caller needs them; at
    scale, validating does not need every source's quads in memory at once).
    """

    report: Report
    seeds: Seeds
    units: list[SourceUnit] = field(default_factory=list, repr=False)

    def mapped_quads(self) -> list[ox.Quad]:
        """The quads of every source, from each unit's N-Quads."""
        quads: list[ox.Quad] = []
        for unit in self.units:
            if unit.nquads:
                quads.extend(ox.parse(unit.nquads, format=ox.RdfFormat.N_QUADS))
        return quads


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


def default_cache_dir(seeds_dir: Path) -> Path:
    """`.kg-cache/` beside the seeds directory (the project root for `seeds/`)."""
    return seeds_dir.resolve().parent / ".kg-cache"


def _check_unit(path: Path, display: str, sources_dir: Path | None,
                concepts: ConceptSchemes) -> SourceUnit:
    """Parse, check, quote-check and map one seed file, on its own."""
    report = Report()
    node, findings = read_seed_file(path, display)
    report.extend(findings)
    parsed = [(display, node)] if node is not None else []
    seeds = check_files(parsed, concepts, report, references=False)
    texts = read_source_texts(seeds, sources_dir, report)
    check_quotes(seeds, texts, report)
    unit = SourceUnit(display=display, parsed=node is not None, findings=report.findings,
                      seeds=seeds, quotes_checked=report.stats.get("quotes_checked", 0),
                      quotes_unchecked=report.stats.get("quotes_unchecked", 0),
                      texts=unit_texts(seeds, sources_dir))
    if report.ok:
        unit.nquads = ox.serialize(map_seeds(seeds), format=ox.RdfFormat.N_QUADS)
    return unit


def validate(seeds_dir: str | Path = "seeds", sources_dir: str | Path | None = None,
             ontology_dir: str | Path | None = None, shacl: bool = True, *,
             cache_dir: str | Path | bool | None = None,
             progress: bool = False) -> Validation:
    """Check every seed file; gather every problem into the report instead of stopping.

    Quotes are checked against the texts in `sources_dir` (or `$KG_SOURCES`); without
    them the quotes are reported as unchecked. SHACL runs on the mapped graph when
    everything else passed.

    Each seed file is checked on its own and the outcome kept in `cache_dir` (default
    `.kg-cache/` beside the seeds directory; `False` for none), keyed by the file's bytes,
    its source text's, the ontology's and tip-kg's version: an unchanged file is not
    parsed again. The checks across files (unique ids, actor references, conflicts)
    always run over all of them. `report.stats` counts `parsed` files and `cache_hits`.
    """
    seeds_path = Path(seeds_dir)
    onto = Path(ontology_dir) if ontology_dir else default_ontology_dir()
    paths = seed_paths(seeds_path)
    texts_dir = sources_dir_from_env(sources_dir)
    concepts = load_concepts(onto.resolve())
    cache = UnitCache(default_cache_dir(seeds_path) if cache_dir is None else
                      (Path(cache_dir) if cache_dir else None), onto, texts_dir)
    report = Report()
    units: list[SourceUnit] = []
    bar = Progress("check", len(paths), progress)
    for path in paths:
        display = _display(path)
        unit = cache.get(path, display)
        if unit is None:
            unit = _check_unit(path, display, texts_dir, concepts)
            cache.put(path, display, unit)
        units.append(unit)
        bar.advance()
    bar.close()
    seeds = Seeds()
    checked = unchecked = 0
    for unit in units:
        report.extend(unit.findings)
        seeds.sources.extend(unit.seeds.sources)
        seeds.assertions.extend(unit.seeds.assertions)
        seeds.files.update(unit.seeds.files)
        checked += unit.quotes_checked
        unchecked += unit.quotes_unchecked
    check_references(seeds, report)
    report.extend(find_conflicts(seeds.assertions))
    report.stats["quotes_checked"] = checked
    report.stats["quotes_unchecked"] = unchecked
    report.stats["files"] = sum(1 for u in units if u.parsed)
    report.stats["sources"] = len(seeds.sources)
    report.stats["assertions"] = len(seeds.assertions)
    report.stats["parsed"] = cache.misses
    report.stats["cache_hits"] = cache.hits
    result = Validation(report, seeds, units=units)
    if report.ok and shacl:
        report.extend(_shacl(units, onto, seeds, cache, progress))
    return result


def _shacl(units: list[SourceUnit], onto: Path, seeds: Seeds, cache: UnitCache,
           progress: bool) -> list[Finding]:
    """SHACL over the sources not yet known to conform, a few hundred at a time.

    Each source's graph stands on its own (it describes every country and year it names),
    so it is checked with the ontology and with a type for each organization it names as
    an actor, which `check_references` has proved is one; the result holds whatever the
    other sources say, and a source that conformed is not checked again.
    """
    todo = [u for u in units if not u.shacl_ok]
    if not todo:
        return []
    shapes = load_shapes(onto / "shapes.ttl")
    core_graph, constraints = split_sparql_constraints(shapes)
    core = CoreShapes(core_graph)
    ontology = [ox.Triple(q.subject, q.predicate, q.object) for q in ontology_quads(onto)]
    findings: list[Finding] = []
    bar = Progress("shacl", len(todo), progress)
    for start in range(0, len(todo), _SHACL_CHUNK):
        chunk = todo[start:start + _SHACL_CHUNK]
        triples = set(ontology)
        for unit in chunk:
            triples.update(ox.Triple(q.subject, q.predicate, q.object)
                           for q in ox.parse(unit.nquads, format=ox.RdfFormat.N_QUADS))
            for record in unit.seeds.assertions:
                for actor in record.many("actor"):
                    triples.add(ox.Triple(ox.NamedNode(mint("organization", actor)), RDF_TYPE,
                                          ox.NamedNode(str(KG.Organization))))
        violations = native_conformance(list(triples), core, constraints)
        findings.extend(violation_findings(violations, seeds))
        if not violations:
            for unit in chunk:
                unit.shacl_ok = True
                cache.update(unit)
        bar.advance(len(chunk))
    bar.close()
    return findings


_SHACL_CHUNK = 200  # sources per SHACL run: large enough to amortize the ontology


def build(seeds_dir: str | Path = "seeds", out_dir: str | Path = "exports",
          sources_dir: str | Path | None = None,
          ontology_dir: str | Path | None = None, *,
          cache_dir: str | Path | bool | None = None, progress: bool = False) -> BuildResult:
    """Validate, then write every export into `out_dir`; invalid seeds write nothing."""
    onto = Path(ontology_dir) if ontology_dir else default_ontology_dir()
    result = validate(seeds_dir, sources_dir, onto, cache_dir=cache_dir, progress=progress)
    if not result.report.ok:
        raise InvalidData(result.report)
    bar = Progress("map", 1, progress)
    quads = result.mapped_quads() + ontology_quads(onto)
    bar.close()
    bar = Progress("write", 2, progress)
    files = serialize(quads, read_context(onto))
    files.update(neo4j_files(quads))
    bar.advance()
    written = write_files(Path(out_dir), files)
    bar.close()
    triples = files["tip-kg.nt"].count(b"\n")
    return BuildResult(result.report, written, triples, files["tip-kg.nq"].count(b"\n"))


def read_context(ontology_dir: Path) -> dict[str, object]:
    """The JSON-LD context the export is compacted with (`ontology/context.jsonld`)."""
    path = ontology_dir / "context.jsonld"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the JSON-LD context: {exc}") from exc
    return document.get("@context", document)


def load_graph(seeds_dir: str | Path = "seeds", sources_dir: str | Path | None = None,
               ontology_dir: str | Path | None = None, *,
               cache_dir: str | Path | bool | None = None) -> ox.Store:
    """The validated graph (ontology included) in an in-memory Oxigraph store.

    One named graph per source plus the ontology's, and their union, each triple once,
    as the default graph (see `kg.query.add_union_default_graph`).
    """
    onto = Path(ontology_dir) if ontology_dir else default_ontology_dir()
    result = validate(seeds_dir, sources_dir, onto, shacl=False, cache_dir=cache_dir)
    if not result.report.ok:
        raise InvalidData(result.report)
    store = ox.Store()
    store.bulk_extend(result.mapped_quads() + ontology_quads(onto))
    return add_union_default_graph(store)


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
    def count(sparql: str) -> int:
        return int(next(iter(store.query(sparql)))["n"].value)

    # the default graph holds each triple once; the named graphs hold the quads
    out: dict[str, dict[str, int]] = {"graph": {
        "triples": count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
        "quads": count("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")}}
    for name, query in _STATS_QUERIES.items():
        rows = store.query(query)
        out[name] = {_short(row["key"]): int(row["n"].value) for row in rows}
    return out


def _short(term: ox.NamedNode | ox.Literal) -> str:
    value = term.value
    return "kg:" + value.split("#", 1)[1] if "ontology#" in value else value
