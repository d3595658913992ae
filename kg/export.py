"""The write step: quads in, export files out, byte for byte the same for the same input.

Serialization runs on Oxigraph (much faster than rdflib's serializers) over quads we
sort first, so output order never depends on hashing or insertion order. JSON-LD is
compacted here with the project's own context, because we know the shape of our graph
and can write readable keys without a general-purpose compaction algorithm.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import __version__
from kg.errors import OutputError
from kg.mapping import ONTOLOGY_GRAPH, RDF_TYPE, RDFS_LABEL, XSD
from kg.neo4j import EDGES_HEADER, Neo4jLayout
from kg.pieces import (
    Pieces,
    Style,
    Summary,
    join_lines,
    jsonld_nodes,
    statement_pieces,
    triple_line,
)
from kg.vocab import BASE, DCAT, DCT, ID, PREFIXES, PROV, SCHEMA, VOID

LICENSE = "https://creativecommons.org/licenses/by-sa/4.0/"
DOWNLOAD_BASE = BASE + "exports/"
DATASET = ID + "dataset/tip-kg"


@dataclass(frozen=True)
class Distribution:
    """One export file: its name, format and media type."""

    name: str
    format: ox.RdfFormat | None
    media_type: str
    title: str


DISTRIBUTIONS = (
    Distribution("tip-kg.ttl", ox.RdfFormat.TURTLE, "text/turtle", "Turtle"),
    Distribution("tip-kg.jsonld", None, "application/ld+json", "JSON-LD (compacted)"),
    Distribution(
        "tip-kg.nt", ox.RdfFormat.N_TRIPLES, "application/n-triples", "N-Triples (sorted)"
    ),
    Distribution(
        "tip-kg.trig", ox.RdfFormat.TRIG, "application/trig", "TriG, one named graph per source"
    ),
    Distribution(
        "tip-kg.nq",
        ox.RdfFormat.N_QUADS,
        "application/n-quads",
        "N-Quads, one named graph per source",
    ),
)


def turtle_prefixes(schemes: Iterable[str]) -> dict[str, str]:
    """PREFIXES plus one prefix per concept scheme (`purpose:forced_labor`).

    Every scheme of the ontology gets one whether the data uses it or not, so that each
    source's Turtle piece can be written on its own with the document's prefixes.
    """
    extra = {
        scheme: f"{ID}concept/{scheme}/" for scheme in sorted(schemes) if scheme not in PREFIXES
    }
    return {**PREFIXES, **extra}


def canonical_lines(quads: Iterable[ox.Quad]) -> tuple[list[bytes], list[bytes]]:
    """(N-Quads lines, N-Triples lines): distinct, each sorted as bytes.

    Oxigraph writes canonical N-Triples terms, so sorting the lines as bytes gives one
    order for the same graph whatever the input order, and it is a C-level sort of
    bytes instead of a Python sort over term objects (the build's hottest step before).
    Every quad is in a named graph (each source's, or the ontology's), so a line's last
    two tokens are the graph IRI and the dot; an IRI holds no space.
    """
    nq_lines = sorted(set(ox.serialize(quads, format=ox.RdfFormat.N_QUADS).splitlines()))
    if nq_lines and not nq_lines[0].endswith(b"> ."):
        raise OutputError("a quad outside any named graph cannot be exported")
    nt_lines = sorted({line.rsplit(b" ", 2)[0] + b" ." for line in nq_lines})
    return nq_lines, nt_lines


def _join(lines: list[bytes]) -> bytes:
    return b"\n".join(lines) + b"\n" if lines else b""


def sorted_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The distinct triples of `quads` (graphs merged), in the export order."""
    _, nt_lines = canonical_lines(quads)
    return [q.triple for q in ox.parse(_join(nt_lines), format=ox.RdfFormat.N_TRIPLES)]


# --- JSON-LD ---------------------------------------------------------------------------


class Compactor:
    """Compacts IRIs and values with a JSON-LD context of simple term definitions."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.prefixes: list[tuple[str, str]] = []
        self.terms: dict[str, tuple[str, str | None]] = {}  # property IRI -> (term, @type)
        self.class_terms: dict[str, str] = {}
        self._short: dict[str, str] = {}  # IRI -> compacted: classes, properties, concepts recur
        raw = {k: v for k, v in context.items() if not k.startswith("@")}
        for term, definition in sorted(raw.items()):
            if isinstance(definition, str) and definition.endswith(("/", "#")):
                self.prefixes.append((term, definition))
        self.prefixes.sort(key=lambda p: -len(p[1]))  # longest namespace wins
        for term, definition in sorted(raw.items()):
            if isinstance(definition, str):
                if definition.endswith(("/", "#")):
                    continue
                iri, kind = self.expand(definition), None
            else:
                iri, kind = self.expand(definition.get("@id", term)), definition.get("@type")
                if kind and kind != "@id":
                    kind = self.expand(kind)
            if term[:1].isupper():
                self.class_terms.setdefault(iri, term)
            else:
                self.terms.setdefault(iri, (term, kind))

    def expand(self, value: str) -> str:
        prefix, sep, local = value.partition(":")
        if sep and not local.startswith("//"):
            for term, namespace in self.prefixes:
                if term == prefix:
                    return namespace + local
        return value

    def iri(self, iri: str) -> str:
        short = self._short.get(iri)
        if short is None:
            short = self._compact(iri)
            if len(self._short) < 50_000:  # bounded: assertion IRIs never recur
                self._short[iri] = short
        return short

    def _compact(self, iri: str) -> str:
        for term, namespace in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{term}:{iri[len(namespace) :]}"
        return iri

    def key(self, predicate: str) -> tuple[str, str | None]:
        return self.terms.get(predicate, (self.iri(predicate), None))

    def value(self, obj: ox.NamedNode | ox.Literal, kind: str | None) -> Any:
        if isinstance(obj, ox.NamedNode):
            return self.iri(obj.value) if kind == "@id" else {"@id": self.iri(obj.value)}
        if obj.language:
            return {"@language": obj.language, "@value": obj.value}
        datatype = obj.datatype.value
        if datatype == XSD + "string":
            return obj.value if kind is None else {"@value": obj.value}
        if kind == datatype:
            return obj.value
        return {"@type": self.iri(datatype), "@value": obj.value}


# --- VoID / DCAT -----------------------------------------------------------------------


@dataclass
class GraphCounts:
    """What the VoID description says of the merged graph and of each named graph."""

    triples: int
    subjects: int
    properties: int
    classes: dict[str, int]  # class IRI -> instances
    graphs: dict[str, int]  # graph IRI -> triples
    sources: set[str]  # graph IRIs that hold a source


def void_description(counts: GraphCounts, files: dict[str, tuple[int, str]]) -> bytes:
    """A VoID and DCAT description of the dataset: counts, classes, sources, files
    (`files`: export name -> (byte size, SHA-256))."""
    out: list[ox.Triple] = []

    def add(s: str, p: object, o: ox.NamedNode | ox.Literal | str) -> None:
        obj = ox.NamedNode(o) if isinstance(o, str) else o
        out.append(ox.Triple(ox.NamedNode(s), ox.NamedNode(str(p)), obj))

    def integer(n: int) -> ox.Literal:
        return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))

    d = DATASET
    add(d, RDF_TYPE.value, str(VOID.Dataset))
    add(d, RDF_TYPE.value, str(DCAT.Dataset))
    add(d, DCT.title, ox.Literal("tip-kg: a knowledge graph of human-trafficking facts"))
    add(
        d,
        DCT.description,
        ox.Literal(
            "Trafficking flows, figures, laws, tier placements and measures, each curated "
            "from a cited source with a verbatim evidence quote."
        ),
    )
    add(d, DCT.license, LICENSE)
    add(d, VOID.uriSpace, ox.Literal(ID))
    add(d, VOID.triples, integer(counts.triples))
    add(d, VOID.distinctSubjects, integer(counts.subjects))
    add(d, VOID.properties, integer(counts.properties))
    for vocabulary in (
        "https://w3id.org/tip-kg/ontology#",
        str(PROV),
        str(DCT),
        "http://www.w3.org/2004/02/skos/core#",
        "http://purl.org/linked-data/cube#",
        str(SCHEMA),
    ):
        add(d, VOID.vocabulary, vocabulary)

    tool = ID + "software/tip-kg/" + __version__
    add(tool, RDF_TYPE.value, str(PROV.SoftwareAgent))
    add(tool, RDFS_LABEL.value, ox.Literal(f"tip-kg {__version__}"))
    add(tool, str(SCHEMA.softwareVersion), ox.Literal(__version__))
    add(d, PROV.wasAttributedTo, tool)

    for cls in sorted(counts.classes):
        part = f"{d}/class/{_local(cls)}"
        add(d, VOID.classPartition, part)
        add(part, VOID["class"], cls)
        add(part, VOID.entities, integer(counts.classes[cls]))

    for graph in sorted(counts.graphs):
        subset = f"{d}/graph/{_local(graph)}"
        add(d, VOID.subset, subset)
        add(subset, RDF_TYPE.value, str(VOID.Dataset))
        add(subset, VOID.triples, integer(counts.graphs[graph]))
        add(
            subset,
            ox.NamedNode("http://www.w3.org/ns/sparql-service-description#name").value,
            graph,
        )
        if graph in counts.sources:
            source = graph.replace(ID + "graph/", ID + "source/")
            add(subset, DCT.source, source)
            add(d, DCT.source, source)

    for dist in DISTRIBUTIONS:
        size, sha256 = files[dist.name]
        iri = f"{d}/distribution/{dist.name}"
        add(d, DCAT.distribution, iri)
        add(iri, RDF_TYPE.value, str(DCAT.Distribution))
        add(iri, DCT.title, ox.Literal(dist.title))
        add(iri, DCAT.downloadURL, DOWNLOAD_BASE + dist.name)
        add(iri, DCAT.mediaType, "https://www.iana.org/assignments/media-types/" + dist.media_type)
        add(iri, DCAT.byteSize, integer(size))
        add(iri, ox.NamedNode("http://spdx.org/rdf/terms#checksumValue").value, ox.Literal(sha256))
        add(iri, DCT.license, LICENSE)
    prefixes = {
        **PREFIXES,
        "spdx": "http://spdx.org/rdf/terms#",
        "sd": "http://www.w3.org/ns/sparql-service-description#",
    }
    return ox.serialize(
        sorted_triples(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(d)) for t in out),
        format=ox.RdfFormat.TURTLE,
        prefixes=prefixes,
    )


def _local(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


# --- the exports, from each source's pieces ----------------------------------------------


def write_exports(
    out_dir: Path,
    style: Style,
    context: dict[str, Any],
    ontology: list[bytes],
    units: list[tuple[Summary, Callable[[], Pieces]]],
) -> tuple[list[Path], GraphCounts]:
    """Write every export into `out_dir` from the ontology's N-Quads lines and each source
    file's summary and pieces (loaded one file at a time), all or nothing.

    Merged-graph exports (N-Triples, Turtle, JSON-LD, Neo4j) hold the ontology and the
    shared statements once, sorted, then each file's own statements; per-graph exports
    (N-Quads, TriG) hold the named graphs in order of their IRIs, each sorted.
    """
    shared = sorted(
        {triple_line(line) for line in ontology}.union(*(summary.shared for summary, _ in units))
    )
    part, counts, triples = statement_pieces(shared, style)
    summaries = [summary for summary, _ in units]
    layout = Neo4jLayout.merge(
        [part.columns, *(s.columns for s in summaries)],
        [{p for _, p, _ in part.edges}, *(s.edge_predicates for s in summaries)],
        [part.label_props, *(s.label_props for s in summaries)],
    )
    order = sorted(
        [(ONTOLOGY_GRAPH.value, -1)]
        + [(graph, i) for i, summary in enumerate(summaries) for graph in summary.graph_quads]
    )
    header = style.turtle_header()
    with StagedFiles(out_dir) as out:
        out.write("tip-kg.nt", join_lines(shared))
        out.write("tip-kg.nq", b"")
        out.write("tip-kg.ttl", header + style.turtle(triples))
        out.write("tip-kg.trig", header)
        context_text = json.dumps(context, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        out.write("tip-kg.jsonld", f'{{\n  "@context": {context_text},\n  "@graph": [\n'.encode())
        jsonld = _JsonArray(out, "tip-kg.jsonld")
        jsonld.extend(jsonld_nodes(triples, style.compactor))
        out.write("neo4j/nodes.csv", layout.header() + layout.node_rows(part.nodes))
        out.write("neo4j/relationships.csv", EDGES_HEADER + layout.edge_rows(part.edges))
        pieces, loaded, written = None, None, set()
        for graph, i in order:
            if i < 0:
                nq = join_lines(ontology)
                block = style.trig(list(ox.parse(nq, format=ox.RdfFormat.N_QUADS)))
            else:
                if loaded != i:
                    pieces, loaded = units[i][1](), i
                assert pieces is not None
                nq, block = pieces.graphs[graph]
                if i not in written:
                    written.add(i)
                    out.write("tip-kg.nt", pieces.nt)
                    out.write("tip-kg.ttl", pieces.turtle)
                    jsonld.extend(pieces.jsonld)
                    out.write("neo4j/nodes.csv", layout.node_rows(pieces.neo4j.nodes))
                    rows = pieces.neo4j
                    out.write(
                        "neo4j/relationships.csv",
                        layout.edge_rows_of(rows.rendered, rows.edge_types, rows.edges),
                    )
            out.write("tip-kg.nq", nq)
            out.write("tip-kg.trig", block)
        out.write("tip-kg.jsonld", b"\n  ]\n}\n")
        out.write("neo4j/load.cypher", layout.cypher())
        graph_counts = GraphCounts(
            triples=counts.triples + sum(s.own.triples for s in summaries),
            subjects=counts.subjects + sum(s.own.subjects for s in summaries),
            properties=len(counts.predicates.union(*(s.own.predicates for s in summaries))),
            classes=_add_counts([counts.classes, *(s.own.classes for s in summaries)]),
            graphs={
                ONTOLOGY_GRAPH.value: len(ontology),
                **{g: n for s in summaries for g, n in s.graph_quads.items()},
            },
            sources={g for s in summaries for g in s.graph_quads},
        )
        out.write(
            "void.ttl",
            void_description(graph_counts, {d.name: out.digest(d.name) for d in DISTRIBUTIONS}),
        )
        return out.commit(), graph_counts


def _add_counts(parts: Iterable[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for part in parts:
        for key, n in part.items():
            total[key] += n
    return dict(total)


class _JsonArray:
    """Appends JSON texts to an array being written, with the commas between them."""

    def __init__(self, out: StagedFiles, name: str) -> None:
        self.out, self.name, self.empty = out, name, True

    def extend(self, items: list[str]) -> None:
        if items:
            text = ",\n".join(items)
            self.out.write(self.name, (text if self.empty else ",\n" + text).encode())
            self.empty = False


class StagedFiles:
    """Output files written under temporary names in their directory, hashed as they are
    written, and switched into place together by `commit`: all the new files, or (after
    any failure, or a crash repaired by the next run) all the old ones.

    How the set switches together: each existing target is first hard-linked to a backup
    name and a journal (`.kg-swap.json`) lists the targets; then the renames; the journal's
    removal is the commit point, after which the backups go. A run that finds a journal
    restores every backup and removes the new files that had no old one. Leaving the
    `with` block without a commit removes the temporary files. A lock on the directory
    keeps two runs from sweeping or swapping each other's files.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.files: dict[str, tuple[Any, str, Path, Any]] = {}
        self.sizes: dict[str, int] = {}
        self._swept: set[Path] = set()
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(
                f"{out_dir}: cannot create the output directory: {exc.strerror}"
            ) from exc
        self._lock = _lock_directory(out_dir)
        try:
            self._mode = 0o666 & ~current_umask()
            _recover_swap(out_dir)
        except BaseException:
            os.close(self._lock)
            raise

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self._discard()

    def write(self, name: str, data: bytes) -> None:
        try:
            if name not in self.files:
                target = self.out_dir / name
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.parent not in self._swept:
                    self._swept.add(target.parent)
                    sweep_leftovers(target.parent)
                fd, tmp = tempfile.mkstemp(
                    prefix=f".{target.name}.", suffix=TMP_SUFFIX, dir=target.parent
                )
                # mkstemp makes 0600 files whatever the umask; exports are for sharing
                os.fchmod(fd, self._mode)
                self.files[name] = (os.fdopen(fd, "wb"), tmp, target, hashlib.sha256())
                self.sizes[name] = 0
            handle, _, _, digest = self.files[name]
            handle.write(data)
            digest.update(data)
            self.sizes[name] += len(data)
        except OSError as exc:
            raise OutputError(
                f"{self.out_dir}: cannot write the exports: {exc.strerror or exc}"
            ) from exc

    def digest(self, name: str) -> tuple[int, str]:
        return self.sizes[name], self.files[name][3].hexdigest()

    def commit(self) -> list[Path]:
        try:
            for handle, _, _, _ in self.files.values():
                handle.flush()
                os.fsync(handle.fileno())
                handle.close()
        except OSError as exc:
            raise OutputError(
                f"{self.out_dir}: cannot write the exports: {exc.strerror or exc}"
            ) from exc
        swaps = [(Path(tmp), target) for _, tmp, target, _ in self.files.values()]
        _swap(self.out_dir, swaps)
        targets = [target for _, target in swaps]
        self.files = {}
        return sorted(targets)

    def _discard(self) -> None:
        for handle, tmp, _, _ in self.files.values():
            handle.close()
            Path(tmp).unlink(missing_ok=True)
        self.files = {}
        if self._lock >= 0:
            os.close(self._lock)
            self._lock = -1


# Names of what a run leaves behind only when it is killed: temporary files (mkstemp's
# eight random characters), backups of the files being replaced, and the swap journal.
TMP_SUFFIX = ".tmp"
BACKUP_SUFFIX = ".kg-backup"
JOURNAL = ".kg-swap.json"
_LEFTOVER = re.compile(r"^\.[^/]+\.[a-z0-9_]{8}\.tmp$|^\.[^/]+\.kg-backup$")


def tidy_output(out_dir: Path, subdirs: Iterable[str] = ()) -> None:
    """Clear what a killed run left in `out_dir` and its `subdirs` (a half-done swap rolled
    back, temporary files and backups removed), for a run that writes nothing there."""
    if not out_dir.is_dir():
        return
    with StagedFiles(out_dir):
        for directory in (out_dir, *(out_dir / sub for sub in subdirs)):
            sweep_leftovers(directory)


def current_umask() -> int:
    """The process's umask, read without changing it where Linux allows (setting it to
    read it back would change it for a moment for every thread)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def sweep_leftovers(directory: Path) -> list[Path]:
    """Remove the temporary files and backups a killed run left in `directory` (only names
    of the kinds this module makes; call it holding the directory's lock)."""
    removed = []
    try:
        entries = list(directory.iterdir())
    except OSError:
        return removed
    for path in entries:
        if _LEFTOVER.match(path.name) and path.is_file() and not path.is_symlink():
            try:
                path.unlink()
                removed.append(path)
            except OSError:
                pass
    return removed


def _lock_directory(out_dir: Path) -> int:
    try:
        fd = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot open the output directory: {exc.strerror}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        raise OutputError(
            f"{out_dir}: another kg run is writing into this directory",
            "wait for it to finish, or choose another --out",
        ) from exc
    return fd


def _backup_of(target: Path) -> Path:
    return target.with_name(f".{target.name}{BACKUP_SUFFIX}")


def _swap(out_dir: Path, swaps: list[tuple[Path, Path]]) -> None:
    """Rename every temporary file onto its target, all or none (see `StagedFiles`)."""
    journal = out_dir / JOURNAL
    try:
        # "ino": the new file's inode, so that a rollback removes only a file it put there
        entries = [
            {
                "name": target.relative_to(out_dir).as_posix(),
                "old": target.exists(),
                "ino": tmp.stat().st_ino,
            }
            for tmp, target in swaps
        ]
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot write the exports: {exc.strerror or exc}") from exc
    try:
        _write_journal(journal, entries)
        for (_, target), entry in zip(swaps, entries, strict=True):
            if entry["old"]:
                _link_backup(target, _backup_of(target))
        for tmp, target in swaps:
            os.replace(tmp, target)
    except OSError as exc:
        restored = _roll_back(out_dir, entries)
        if restored:
            journal.unlink(missing_ok=True)
        raise OutputError(
            f"{out_dir}: cannot write the exports: {exc.strerror or exc}; "
            + (
                "the old files are all in place"
                if restored
                else "the old files could not all be put back yet"
            ),
            None if restored else "run the build again: it restores them first",
        ) from exc
    # the commit point: from here on the new set stands, whatever happens next
    journal.unlink()
    _sync_directories({target.parent for _, target in swaps} | {out_dir})
    for _, target in swaps:
        _backup_of(target).unlink(missing_ok=True)


def _write_journal(journal: Path, entries: list[dict[str, Any]]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f"{journal.name}.", suffix=TMP_SUFFIX, dir=journal.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(entries, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, journal)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _sync_directories({journal.parent})


def _link_backup(target: Path, backup: Path) -> None:
    backup.unlink(missing_ok=True)
    try:
        os.link(target, backup)
    except OSError:
        shutil.copy2(target, backup)  # a file system without hard links


def _roll_back(out_dir: Path, entries: list[dict[str, Any]]) -> bool:
    """Put every old file back and remove the new ones that had none; True when done."""
    done = True
    for entry in entries:
        name = entry.get("name") if isinstance(entry, dict) else None
        if not _inside(out_dir, name):
            continue  # a journal names only files in its own directory
        target = out_dir / str(name)
        backup = _backup_of(target)
        try:
            if entry.get("old"):
                if backup.exists():
                    os.replace(backup, target)
                    # rename() between two links to one file leaves both: drop the backup
                    backup.unlink(missing_ok=True)
            elif target.exists() and target.stat().st_ino == entry.get("ino"):
                target.unlink()
        except OSError:
            done = False
    return done


def _inside(out_dir: Path, name: object) -> bool:
    if not isinstance(name, str) or not name or name.startswith("/"):
        return False
    parts = Path(name).parts
    return ".." not in parts and not any(part.startswith(".") for part in parts)


def _recover_swap(out_dir: Path) -> None:
    """Finish what a killed run left half-swapped in `out_dir`: back to the old set."""
    journal = out_dir / JOURNAL
    try:
        entries = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return
    except (OSError, ValueError) as exc:
        raise OutputError(
            f"{journal}: a swap journal that cannot be read: {exc}",
            "delete it and check the files in the directory",
        ) from exc
    if not isinstance(entries, list) or not _roll_back(out_dir, entries):
        raise OutputError(
            f"{journal}: the files of an interrupted build could not be put back",
            "check the directory's permissions and run again",
        )
    journal.unlink()


def _sync_directories(directories: set[Path]) -> None:
    # the renames are durable only once their directories are on disk
    for directory in sorted(directories):
        try:
            fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            continue
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


# --- atomic writes ---------------------------------------------------------------------


def write_files(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Write every file to a temporary name in `out_dir`, then rename them all into place.

    If anything fails before the renames, nothing in `out_dir` has changed.
    """
    with StagedFiles(out_dir) as out:
        for name, data in sorted(files.items()):
            out.write(name, data)
        return out.commit()
