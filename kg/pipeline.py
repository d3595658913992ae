"""The pipeline: seeds → load → check → map → write, as library functions.

The CLI calls exactly one of these per command; everything here also works from Python.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pyoxigraph as ox

from kg.cache import SourceUnit, UnitCache, default_cache_dir, unit_texts
from kg.check import References, check_files, check_references
from kg.compare import (
    Claim,
    Comparison,
    claims_of,
    compare_claims,
    comparison_findings,
    comparison_quads,
    cycle_hints,
    select_rows,
)
from kg.concepts import ConceptSchemes, default_ontology_dir, load_concepts
from kg.errors import InputError, InvalidData, UsageError
from kg.export import Compactor, tidy_output, turtle_prefixes, write_exports
from kg.findings import Location, Report
from kg.mapping import RDF_TYPE, map_seeds, ontology_quads
from kg.pieces import Pieces, Style, Summary, make_pieces
from kg.progress import Progress
from kg.quotes import SourceDirs, check_quotes, read_source_texts
from kg.records import Seeds
from kg.seedfile import MAX_SEED_BYTES, check_seed_sizes, read_seed_file
from kg.shacl import (
    CoreShapes,
    load_shapes,
    native_conformance,
    split_sparql_constraints,
    violation_findings,
)
from kg.vocab import ID, KG, mint


@dataclass
class Validation:
    """What validation produced: the report, and per seed file its unit, whose records
    and export pieces (the mapped graph among them) stay in `cache` until needed.
    """

    report: Report
    units: list[SourceUnit] = field(default_factory=list, repr=False)
    cache: UnitCache | None = field(default=None, repr=False)

    @property
    def seeds(self) -> Seeds:
        """Every file's checked records, read back from the cache (not kept in memory:
        at scale the checks across files need only each unit's references and claims)."""
        seeds = Seeds()
        for unit in self.units:
            if self.cache is not None and unit.key:
                records = self.cache.records(unit)
                seeds.sources.extend(records.sources)
                seeds.assertions.extend(records.assertions)
                seeds.files.update(records.files)
        return seeds

    def mapped_quads(self, ontology_dir: str | Path | None = None) -> list[ox.Quad]:
        """Every quad the exports hold but the ontology's: each source's graph, read back
        from each unit's pieces, and the graph of the comparisons across sources (made
        with the concepts of `ontology_dir`, default the shipped ontology)."""
        quads: list[ox.Quad] = []
        for unit in self.units:
            if unit.summary is not None and self.cache is not None:
                for nquads, _ in self.cache.pieces(unit).graphs.values():
                    quads.extend(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
        onto = Path(ontology_dir) if ontology_dir else default_ontology_dir()
        claims = [c for unit in self.units for c in unit.claims]
        quads.extend(comparison_quads(compare_claims(claims, load_concepts(onto.resolve()))))
        return quads


@dataclass
class BuildResult:
    """What a build wrote (nothing when `up_to_date`: the exports were already current)."""

    report: Report
    files: list[Path]
    triples: int
    quads: int
    up_to_date: bool = False


def sources_dir_from_env(sources_dir: str | Path | SourceDirs | None) -> SourceDirs | None:
    """`sources_dir` if given, else `$KG_SOURCES` if set and non-empty, else None.

    Either may list several directories separated by `:` (texts are looked up in order).
    A directory that is named but does not exist is a usage error, not "no texts": a
    typo would otherwise turn every quote check off and the run would still pass. That
    holds for each directory of a list. An empty `$KG_SOURCES` (the Makefile's way of
    saying "none") stays None.
    """
    if isinstance(sources_dir, SourceDirs):
        return sources_dir
    if sources_dir:
        dirs, named_by = SourceDirs.parse(str(sources_dir)), "--sources"
    else:
        env = os.environ.get("KG_SOURCES", "").strip()
        if not env:
            return None
        dirs, named_by = SourceDirs.parse(env), "KG_SOURCES"
    if not dirs.folders:
        raise UsageError(
            f"{sources_dir!r}: names no source texts directory (from {named_by})",
            "write DIR or DIR:DIR",
        )
    for folder in dirs.folders:
        if not folder.is_dir():
            what = "is not a directory" if folder.exists() else "does not exist"
            raise UsageError(
                f"{folder}: the source texts directory (from {named_by}) {what}",
                f"fix {named_by}, or leave it out to skip the quote check; every "
                "quote is then reported as unchecked",
            )
    return dirs


def seed_paths(seeds_dir: Path) -> list[Path]:
    """The seed files of a directory, sorted by name."""
    if not seeds_dir.is_dir():
        raise InputError(
            f"{seeds_dir}: no such seeds directory",
            "pass --seeds DIR or run from the project directory",
        )
    paths = sorted(p for p in seeds_dir.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    if not paths:
        raise InputError(f"{seeds_dir}: no *.yaml seed files", "see seeds/README.md")
    check_seed_sizes(paths)
    return paths


def _displays(paths: list[Path]) -> list[str]:
    """How findings name each path: relative to the working directory when inside it."""
    # each directory is resolved once, not each file (a third of a no-change check at 10k)
    cwd = Path.cwd().resolve()
    parents: dict[Path, Path] = {}
    shown = []
    for path in paths:
        parent = parents.get(path.parent)
        if parent is None:
            parent = parents[path.parent] = path.parent.resolve()
        try:
            shown.append(str((parent / path.name).relative_to(cwd)))
        except ValueError:
            shown.append(str(path))
    return shown


def _check_unit(
    path: Path, display: str, sources_dir: SourceDirs | None, concepts: ConceptSchemes
) -> tuple[SourceUnit, Seeds, list[ox.Quad]]:
    """Parse, check, quote-check and map one seed file, on its own: the unit, the records
    and the quads of its graph(s) (none when the file has errors)."""
    report = Report()
    node, findings = read_seed_file(path, display)
    report.extend(findings)
    parsed = [(display, node)] if node is not None else []
    seeds = check_files(parsed, concepts, report, references=False)
    texts = read_source_texts(seeds, sources_dir, report)
    check_quotes(seeds, texts, report)
    unit = SourceUnit(
        display=display,
        parsed=node is not None,
        findings=report.findings,
        references=References.of(seeds),
        claims=claims_of(seeds),
        sources=len(seeds.sources),
        assertions=len(seeds.assertions),
        quotes_checked=report.stats.get("quotes_checked", 0),
        quotes_unchecked=report.stats.get("quotes_unchecked", 0),
        texts=unit_texts(seeds, sources_dir),
    )
    return unit, seeds, map_seeds(seeds) if report.ok else []


def _pieces_of(seeds: Seeds, quads: list[ox.Quad], style: Style) -> tuple[Pieces, Summary]:
    own = frozenset([*(r.id for r in seeds.assertions), *(s.id for s in seeds.sources)])
    return make_pieces(ox.serialize(quads, format=ox.RdfFormat.N_QUADS), own, style)


def _check_again(
    path: Path, display: str, sources_dir: SourceDirs | None, concepts: ConceptSchemes, onto: Path
) -> tuple[Seeds, Pieces | None, Summary | None]:
    """One seed file's records and pieces made again, for a cache entry that broke after
    it was looked up (see `UnitCache._load`)."""
    _, seeds, quads = _check_unit(path, display, sources_dir, concepts)
    if not quads:
        return seeds, None, None
    return seeds, *_pieces_of(seeds, quads, export_style(onto, concepts))


@dataclass
class _Work:
    """What checking a batch of seed files needs; set before the worker processes fork."""

    sources_dir: SourceDirs | None
    concepts: ConceptSchemes
    style: Style
    core: CoreShapes
    constraints: list[tuple[str, str, str, str]]
    ontology: list[ox.Triple]
    cache: UnitCache


_WORK: _Work | None = None
_Item = tuple[int, Path, str, str]  # index in the seeds directory, path, display, cache key


def _check_batch(batch: list[tuple[int, Path, str, str]]) -> list[tuple[int, SourceUnit]]:
    """Check, map and cut into export pieces a batch of seed files, run SHACL over the
    batch's graphs together (the ontology is read once per batch), and store each file's
    unit and pieces in the cache. Runs in a worker process, or in this one."""
    work = _WORK
    assert work is not None
    checked = []
    for _, path, display, key in batch:
        unit, seeds, quads = _check_unit(path, display, work.sources_dir, work.concepts)
        unit.key = key
        checked.append((unit, seeds, quads))
    mapped = [item for item in checked if item[2]]
    if mapped:
        triples = set(work.ontology)
        owner: dict[str, tuple[SourceUnit, Seeds]] = {}
        stubs: set[str] = set()
        defined: set[str] = set()
        for unit, seeds, quads in mapped:
            triples.update(q.triple for q in quads)
            for record in seeds.assertions:
                owner[record.id] = (unit, seeds)
                stubs.update(mint("organization", actor) for actor in record.many("actor"))
                if record.kind == "organization":
                    defined.add(mint("organization", record.id))
        # An actor may be an organization of another file, outside this batch: a typed stub
        # satisfies the actor's class here; whether it exists, and is an organization, is
        # the check across files, which reports it at the `actor` line. The stub's own
        # shortcomings follow from that and are folded into it (issue 12, item 6).
        stubs -= defined
        triples.update(
            ox.Triple(ox.NamedNode(iri), RDF_TYPE, ox.NamedNode(str(KG.Organization)))
            for iri in stubs
        )
        for violation in native_conformance(list(triples), work.core, work.constraints):
            if violation[1] in stubs:
                continue
            unit, seeds, at = _violation_owner(violation[1], owner, mapped)
            unit.shacl_findings.extend(violation_findings([violation], seeds, at))
    for unit, seeds, quads in checked:
        pieces = None
        if quads:
            pieces, unit.summary = _pieces_of(seeds, quads, work.style)
        work.cache.put(unit, seeds, pieces)
    # The cyclic collector is paused (see `_gc_paused`), in forked workers too; the few
    # cycles a batch leaves would pile up over thousands of files (workers grew past 1 GB
    # at 250k assertions). Everything the batch made is still in the youngest generation,
    # so collecting that one costs in proportion to the batch alone.
    gc.collect(0)
    return [(item[0], unit) for item, (unit, _, _) in zip(batch, checked, strict=True)]


def _violation_owner(
    focus: str,
    owner: dict[str, tuple[SourceUnit, Seeds]],
    mapped: list[tuple[SourceUnit, Seeds, list[ox.Quad]]],
) -> tuple[SourceUnit, Seeds, Location]:
    """The file a SHACL violation belongs to, and where in it: the assertion its focus
    node is minted from, else the first assertion that links to the node (a place, a
    year, a leg), else the batch's first file as a whole; never no location."""
    parts = focus.removeprefix(ID).split("/")
    if len(parts) > 1 and parts[1] in owner:
        unit, seeds = owner[parts[1]]
        return unit, seeds, next(r.loc for r in seeds.assertions if r.id == parts[1])
    try:
        node = ox.NamedNode(focus) if "://" in focus else ox.BlankNode(focus.removeprefix("_:"))
    except ValueError:
        node = None
    for _, _, quads in mapped:
        for quad in quads:
            if node is not None and quad.object == node and isinstance(quad.subject, ox.NamedNode):
                ids = quad.subject.value.removeprefix(ID).split("/")
                if len(ids) > 1 and ids[1] in owner:
                    return _violation_owner(quad.subject.value, owner, mapped)
    return mapped[0][0], mapped[0][1], Location(mapped[0][0].display)


def _batches(todo: list[_Item], workers: int) -> list[list[_Item]]:
    # a few batches per worker keep both busy to the end; 25 files amortize the ontology.
    # A worker holds a whole batch's records and graphs at once, so a batch also holds at
    # most one largest file's worth of seed bytes: memory follows the largest file, not
    # 25 of them (real files are tens of KB: their batches are as before).
    size = max(1, min(25, -(-len(todo) // (workers * 4))))
    batches: list[list[_Item]] = []
    batch: list[_Item] = []
    total = 0
    for item in todo:
        try:
            nbytes = item[1].stat().st_size
        except OSError:
            nbytes = 0  # reading it reports why
        if batch and (len(batch) == size or total + nbytes > MAX_SEED_BYTES):
            batches.append(batch)
            batch, total = [], 0
        batch.append(item)
        total += nbytes
    if batch:
        batches.append(batch)
    return batches


def default_jobs() -> int:
    """Worker processes for checking seed files: `$KG_JOBS`, else one per CPU available."""
    env = os.environ.get("KG_JOBS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


@contextmanager
def _gc_paused() -> Iterator[None]:
    # Checking and loading cached units make millions of small objects and no cycles;
    # the cyclic collector's passes over them took three quarters of a cached run.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Warnings a curator may leave while working that `--strict` (a release, CI) refuses.
STRICT_REFUSED = frozenset({"unchecked", "draft"})


def validate(
    seeds_dir: str | Path = "seeds",
    sources_dir: str | Path | None = None,
    ontology_dir: str | Path | None = None,
    shacl: bool = True,
    *,
    cache_dir: str | Path | bool | None = None,
    progress: bool = False,
    jobs: int | None = None,
    strict: bool = False,
) -> Validation:
    """Check every seed file; gather every problem into the report instead of stopping.

    `strict` refuses what a curator may leave for later but a release must not hold:
    the warnings whose codes are in `STRICT_REFUSED` (unchecked quotes) become errors.

    Quotes are checked against the texts in `sources_dir` (or `$KG_SOURCES`); without
    them the quotes are reported as unchecked. SHACL runs on each file's mapped graph
    (with the ontology) when the file has no other errors; `shacl=False` leaves its
    findings out of the report.

    Each seed file is checked on its own, in `jobs` worker processes (default
    `default_jobs()`), and the outcome kept in `cache_dir` (default `kg.cache.default_cache_dir`:
    `$KG_CACHE_DIR`, else under `~/.cache/tip-kg/`; `False` for none), keyed by the file's
    bytes, its source text's, the ontology's and tip-kg's version: an unchanged file is not
    parsed again. Entries are signed data, never code (see `kg.cache`). The checks
    across files (unique ids, actor references, conflicts) always run over all of them.
    `report.stats` counts `parsed` files and `cache_hits`.
    """
    with _gc_paused():
        result = _validate(
            Path(seeds_dir), sources_dir, ontology_dir, shacl, cache_dir, progress, jobs
        )
    if strict:
        result.report.refuse(STRICT_REFUSED, "refused by --strict")
    return result


def _validate(
    seeds_path: Path,
    sources_dir: str | Path | None,
    ontology_dir: str | Path | None,
    shacl: bool,
    cache_dir: str | Path | bool | None,
    progress: bool,
    jobs: int | None,
) -> Validation:
    global _WORK
    onto = Path(ontology_dir) if ontology_dir else default_ontology_dir()
    paths = seed_paths(seeds_path)
    texts_dir = sources_dir_from_env(sources_dir)
    concepts = load_concepts(onto.resolve())
    cache = UnitCache(
        default_cache_dir(seeds_path)
        if cache_dir is None
        else (Path(cache_dir) if cache_dir else None),
        onto,
        texts_dir,
    )
    cache.rebuild = partial(_check_again, sources_dir=texts_dir, concepts=concepts, onto=onto)
    report = Report()
    found: dict[int, SourceUnit] = {}
    todo: list[_Item] = []
    for i, (path, display) in enumerate(zip(paths, _displays(paths), strict=True)):
        key = cache.key(path, display)
        unit = cache.get(key)
        if unit is None:
            todo.append((i, path, display, key))
        else:
            found[i] = unit
    cache.warn_rejected()
    bar = Progress("check", len(paths), progress)
    bar.advance(len(found))
    if todo:
        shapes = load_shapes(onto / "shapes.ttl")
        core_graph, constraints = split_sparql_constraints(shapes)
        _WORK = _Work(
            texts_dir,
            concepts,
            export_style(onto, concepts),
            CoreShapes(core_graph),
            constraints,
            [q.triple for q in ontology_quads(onto)],
            cache,
        )
        workers = min(jobs or default_jobs(), len(todo))
        batches = _batches(todo, workers)
        try:
            if workers > 1:
                with multiprocessing.get_context("fork").Pool(workers) as pool:
                    for checked in pool.imap_unordered(_check_batch, batches):
                        found.update(checked)
                        bar.advance(len(checked))
            else:
                for batch in batches:
                    found.update(_check_batch(batch))
                    bar.advance(len(batch))
        finally:
            _WORK = None
    bar.close()
    units = [found[i] for i in range(len(paths))]
    references = References()
    claims: list[Claim] = []
    checked_quotes = unchecked = 0
    for unit in units:
        report.extend(unit.findings)
        references.extend(unit.references)
        claims.extend(unit.claims)
        checked_quotes += unit.quotes_checked
        unchecked += unit.quotes_unchecked
    check_references(references, report)
    report.extend(comparison_findings(compare_claims(claims, concepts)))
    report.extend(cycle_hints(claims))
    if shacl:
        for unit in units:
            report.extend(unit.shacl_findings)
    report.stats["quotes_checked"] = checked_quotes
    report.stats["quotes_unchecked"] = unchecked
    report.stats["files"] = sum(1 for u in units if u.parsed)
    report.stats["sources"] = sum(u.sources for u in units)
    report.stats["assertions"] = sum(u.assertions for u in units)
    report.stats["parsed"] = cache.misses
    report.stats["cache_hits"] = cache.hits
    return Validation(report, units=units, cache=cache)


def compare(
    seeds_dir: str | Path = "seeds",
    source_ids: list[str] | None = None,
    country: str | None = None,
    sources_dir: str | Path | None = None,
    ontology_dir: str | Path | None = None,
    *,
    cache_dir: str | Path | bool | None = None,
) -> Comparison:
    """Each claim of the sources `source_ids` (default all) against the others' on the
    same subject in the same period (see `kg.compare`); with `country` (a name or code)
    only the rows about that country. Two sources or more are compared; fewer, or an
    unknown source id or country, is a usage error."""
    from kg.places import resolve_place, suggest_place

    onto = Path(ontology_dir) if ontology_dir else default_ontology_dir()
    result = validate(seeds_dir, sources_dir, onto, shacl=False, cache_dir=cache_dir)
    if not result.report.ok:
        raise InvalidData(result.report)
    claims = [c for unit in result.units for c in unit.claims]
    known = sorted(
        {c[6] for c in claims} | {s for unit in result.units for s in _unit_sources(unit, result)}
    )
    wanted = list(dict.fromkeys(source_ids or known))
    for source in wanted:
        if source not in known:
            raise UsageError(
                f"--source {source}: no such source in {seeds_dir}", f"one of: {', '.join(known)}"
            )
    if len(wanted) < 2:
        raise UsageError(
            f"comparing needs two sources or more; {len(wanted)} given",
            "name another with --source, or leave --source out for all",
        )
    code = None
    if country is not None:
        place = resolve_place(country)
        if place is None:
            raise UsageError(
                f"--country {country}: unknown country",
                suggest_place(country) or "an English name or ISO code",
            )
        code = place.code
    rows = compare_claims(claims, load_concepts(onto.resolve()), wanted)
    return Comparison(select_rows(rows, code), wanted, code)


def _unit_sources(unit: SourceUnit, result: Validation) -> list[str]:
    # a source with no comparable claims still counts as known (for --source)
    if result.cache is None or not unit.key or not unit.sources:
        return []
    return [s.id for s in result.cache.records(unit).sources]


def _comparison_pieces(result: Validation, onto: Path) -> tuple[Pieces, Summary] | None:
    """The comparisons of all sources (`kg.compare`) as the export pieces of a graph of
    their own (`COMPARISONS_GRAPH`); None when no two sources meet."""
    claims = [c for unit in result.units for c in unit.claims]
    quads = comparison_quads(compare_claims(claims, load_concepts(onto.resolve())))
    if not quads:
        return None
    own = frozenset(
        q.subject.value.rsplit("/", 1)[1]
        for q in quads
        if q.subject.value.startswith(ID + "comparison/")
    )
    return make_pieces(ox.serialize(quads, format=ox.RdfFormat.N_QUADS), own, export_style(onto))


def export_style(onto: Path, concepts: ConceptSchemes | None = None) -> Style:
    """The Turtle prefixes and JSON-LD compactor every export piece is written with."""
    concepts = concepts or load_concepts(onto.resolve())
    return Style(turtle_prefixes(concepts.by_scheme), Compactor(read_context(onto)))


def build(
    seeds_dir: str | Path = "seeds",
    out_dir: str | Path = "exports",
    sources_dir: str | Path | None = None,
    ontology_dir: str | Path | None = None,
    *,
    cache_dir: str | Path | bool | None = None,
    progress: bool = False,
    jobs: int | None = None,
    strict: bool = False,
) -> BuildResult:
    """Validate, then write every export into `out_dir`; invalid seeds write nothing.
    `strict` as for `validate`.

    The exports are assembled from each seed file's cached pieces (see `kg.pieces`). When
    no input changed since the last build into `out_dir` and its files are as that build
    left them, nothing is written (`up_to_date`).
    """
    with _gc_paused():
        return _build(
            seeds_dir, Path(out_dir), sources_dir, ontology_dir, cache_dir, progress, jobs, strict
        )


def _build(
    seeds_dir: str | Path,
    out: Path,
    sources_dir: str | Path | None,
    ontology_dir: str | Path | None,
    cache_dir: str | Path | bool | None,
    progress: bool,
    jobs: int | None,
    strict: bool = False,
) -> BuildResult:
    onto = Path(ontology_dir) if ontology_dir else default_ontology_dir()
    result = validate(
        seeds_dir,
        sources_dir,
        onto,
        cache_dir=cache_dir,
        progress=progress,
        jobs=jobs,
        strict=strict,
    )
    if not result.report.ok:
        raise InvalidData(result.report)
    cache = result.cache
    assert cache is not None
    key = hashlib.sha256(
        "\0".join([cache.base, *(u.key for u in result.units)]).encode()
    ).hexdigest()
    previous = cache.written(out, key)
    if previous is not None:
        # nothing to write, but a build killed since then may have left its files behind
        tidy_output(out, ["neo4j"])
        return BuildResult(
            result.report,
            [],
            previous["counts"]["triples"],
            previous["counts"]["quads"],
            up_to_date=True,
        )
    ontology = sorted(
        set(ox.serialize(ontology_quads(onto), format=ox.RdfFormat.N_QUADS).splitlines())
    )
    units = [(u.summary, partial(cache.pieces, u)) for u in result.units if u.summary]
    compared = _comparison_pieces(result, onto)
    if compared is not None:
        units.append((compared[1], partial(lambda p: p, compared[0])))
    bar = Progress("write", 1, progress)
    files, counts = write_exports(out, export_style(onto), read_context(onto), ontology, units)
    bar.close()
    quads = sum(counts.graphs.values())
    cache.record_written(out, key, files, {"triples": counts.triples, "quads": quads})
    return BuildResult(result.report, files, counts.triples, quads)


def read_context(ontology_dir: Path) -> dict[str, object]:
    """The JSON-LD context the export is compacted with (`ontology/context.jsonld`)."""
    path = ontology_dir / "context.jsonld"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the JSON-LD context: {exc}") from exc
    return document.get("@context", document)


def load_graph(
    seeds_dir: str | Path = "seeds",
    sources_dir: str | Path | None = None,
    ontology_dir: str | Path | None = None,
    *,
    cache_dir: str | Path | bool | None = None,
    named_graphs: bool = True,
) -> ox.Store:
    """The validated graph (ontology included) in an in-memory Oxigraph store.

    One named graph per source plus the ontology's, and their union, each triple once,
    as the default graph (as `kg.query.add_union_default_graph` makes it). With
    `named_graphs=False` only the union is loaded: half the quads, for readers that never
    ask which source's graph a triple is in (`kg flows`).
    """
    onto = Path(ontology_dir) if ontology_dir else default_ontology_dir()
    result = validate(seeds_dir, sources_dir, onto, shacl=False, cache_dir=cache_dir)
    if not result.report.ok:
        raise InvalidData(result.report)
    cache = result.cache
    assert cache is not None
    # Loaded from each file's pieces as bytes, parsed by Oxigraph: no Python object per
    # quad (at 250k assertions those took gigabytes). The default graph gets the union
    # the way `add_union_default_graph` makes it: shared statements once, then each
    # file's own ones.
    ontology = ontology_quads(onto)
    store = ox.Store()
    if named_graphs:
        store.bulk_extend(ontology)
    shared: set[bytes] = set()
    for unit in result.units:
        if unit.summary is None:
            continue
        pieces = cache.pieces(unit)
        for nquads, _ in pieces.graphs.values() if named_graphs else ():
            store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
        store.bulk_load(pieces.nt, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
        shared.update(unit.summary.shared)
    compared = _comparison_pieces(result, onto)
    if compared is not None:
        pieces, summary = compared
        for nquads, _ in pieces.graphs.values() if named_graphs else ():
            store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
        store.bulk_load(pieces.nt, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
        shared.update(summary.shared)
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in ontology)
    store.bulk_load(
        b"\n".join(sorted(shared)) + b"\n",
        format=ox.RdfFormat.N_TRIPLES,
        to_graph=ox.DefaultGraph(),
    )
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


def stats(
    seeds_dir: str | Path = "seeds",
    sources_dir: str | Path | None = None,
    ontology_dir: str | Path | None = None,
) -> dict[str, dict[str, int]]:
    """Counts per class, per source and per metric, from the built graph."""
    store = load_graph(seeds_dir, sources_dir, ontology_dir)

    def count(sparql: str) -> int:
        return int(next(iter(store.query(sparql)))["n"].value)

    # the default graph holds each triple once; the named graphs hold the quads
    out: dict[str, dict[str, int]] = {
        "graph": {
            "triples": count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
            "quads": count("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
        }
    }
    for name, query in _STATS_QUERIES.items():
        rows = store.query(query)
        out[name] = {_short(row["key"]): int(row["n"].value) for row in rows}
    return out


def _short(term: ox.NamedNode | ox.Literal) -> str:
    value = term.value
    return "kg:" + value.split("#", 1)[1] if "ontology#" in value else value
