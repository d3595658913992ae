"""The write step: quads in, export files out, byte for byte the same for the same input.

Serialization runs on Oxigraph (much faster than rdflib's serializers) over quads we
sort first, so output order never depends on hashing or insertion order. JSON-LD is
compacted here with the project's own context, because we know the shape of our graph
and can write readable keys without a general-purpose compaction algorithm.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import __version__
from kg.errors import OutputError
from kg.mapping import RDF_TYPE, RDFS_LABEL, XSD
from kg.vocab import BASE, DCAT, DCT, ID, KG, PREFIXES, PROV, SCHEMA, VOID

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
    Distribution("tip-kg.nt", ox.RdfFormat.N_TRIPLES, "application/n-triples",
                 "N-Triples (sorted)"),
    Distribution("tip-kg.trig", ox.RdfFormat.TRIG, "application/trig",
                 "TriG, one named graph per source"),
    Distribution("tip-kg.nq", ox.RdfFormat.N_QUADS, "application/n-quads",
                 "N-Quads, one named graph per source"),
)


def turtle_prefixes(nt_lines: list[bytes]) -> dict[str, str]:
    """PREFIXES plus one prefix per concept scheme in use (`purpose:forced_labor`)."""
    marker = ("<" + ID + "concept/").encode()
    schemes = set()
    for line in nt_lines:
        at = line.find(marker)
        while at != -1:
            rest = line[at + len(marker):]
            scheme, slash, _ = rest.partition(b"/")
            if slash and b">" not in scheme:
                schemes.add(scheme.decode())
            at = line.find(marker, at + 1)
    extra = {scheme: f"{ID}concept/{scheme}/" for scheme in sorted(schemes)
             if scheme not in PREFIXES}
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


def serialize(quads: list[ox.Quad], context: dict[str, Any]) -> dict[str, bytes]:
    """Every export's bytes, keyed by file name (void.ttl included)."""
    nq_lines, nt_lines = canonical_lines(quads)
    out: dict[str, bytes] = {"tip-kg.nt": _join(nt_lines), "tip-kg.nq": _join(nq_lines)}
    triples = [q.triple for q in ox.parse(out["tip-kg.nt"], format=ox.RdfFormat.N_TRIPLES)]
    # TriG groups by graph: a stable sort keeps each graph's lines in their sorted order
    by_graph = sorted(ox.parse(out["tip-kg.nq"], format=ox.RdfFormat.N_QUADS),
                      key=lambda q: q.graph_name.value)
    prefixes = turtle_prefixes(nt_lines)
    out["tip-kg.ttl"] = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    out["tip-kg.trig"] = ox.serialize(by_graph, format=ox.RdfFormat.TRIG, prefixes=prefixes)
    out["tip-kg.jsonld"] = compact_jsonld(triples, context)
    out["void.ttl"] = void_description(nq_lines, nt_lines, out)
    return out


# --- JSON-LD ---------------------------------------------------------------------------

class _Compactor:
    """Compacts IRIs and values with a JSON-LD context of simple term definitions."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.prefixes: list[tuple[str, str]] = []
        self.terms: dict[str, tuple[str, str | None]] = {}  # property IRI -> (term, @type)
        self.class_terms: dict[str, str] = {}
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
        for term, namespace in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{term}:{iri[len(namespace):]}"
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


def compact_jsonld(triples: list[ox.Triple], context: dict[str, Any]) -> bytes:
    """A compacted JSON-LD document of `triples`, its context inline, keys and values sorted."""
    compactor = _Compactor(context)
    nodes: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        if not isinstance(t.subject, ox.NamedNode):
            raise OutputError(f"blank node {t.subject} cannot be exported deterministically")
        node = nodes[t.subject.value]
        if t.predicate == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            node["@type"].append(compactor.class_terms.get(t.object.value,
                                                           compactor.iri(t.object.value)))
            continue
        key, kind = compactor.key(t.predicate.value)
        node[key].append(compactor.value(t.object, kind))
    graph = []
    for subject in sorted(nodes):
        entry: dict[str, Any] = {"@id": compactor.iri(subject)}
        for key in sorted(nodes[subject]):
            values = sorted(nodes[subject][key], key=lambda v: json.dumps(v, sort_keys=True))
            entry[key] = values[0] if len(values) == 1 else values
        graph.append(entry)
    document = {"@context": context, "@graph": graph}
    return (json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode()


# --- VoID / DCAT -----------------------------------------------------------------------

def void_description(nq_lines: list[bytes], nt_lines: list[bytes],
                     files: dict[str, bytes]) -> bytes:
    """A VoID and DCAT description of the dataset: counts, classes, sources, files.

    The counts come from the canonical lines (`canonical_lines`): a line is
    `<s> <p> object .` with the graph IRI before the dot in N-Quads.
    """
    out: list[ox.Triple] = []

    def add(s: str, p: object, o: ox.NamedNode | ox.Literal | str) -> None:
        obj = ox.NamedNode(o) if isinstance(o, str) else o
        out.append(ox.Triple(ox.NamedNode(s), ox.NamedNode(str(p)), obj))

    def integer(n: int) -> ox.Literal:
        return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))

    subjects: set[bytes] = set()
    predicates: set[bytes] = set()
    objects: set[bytes] = set()
    instances: dict[str, int] = defaultdict(int)
    rdf_type = b"<" + RDF_TYPE.value.encode() + b">"
    source_class = b"<" + str(KG.Source).encode() + b">"
    sources: set[str] = set()
    for line in nt_lines:
        subject, predicate, obj = line[:-2].split(b" ", 2)
        subjects.add(subject)
        predicates.add(predicate)
        objects.add(obj)
        if predicate == rdf_type and obj.startswith(b"<"):
            instances[obj[1:-1].decode()] += 1
            if obj == source_class:
                sources.add(subject[1:-1].decode())
    per_graph: dict[str, int] = defaultdict(int)
    for line in nq_lines:
        per_graph[line.rsplit(b" ", 2)[1][1:-1].decode()] += 1

    d = DATASET
    add(d, RDF_TYPE.value, str(VOID.Dataset))
    add(d, RDF_TYPE.value, str(DCAT.Dataset))
    add(d, DCT.title, ox.Literal("tip-kg: a knowledge graph of human-trafficking facts"))
    add(d, DCT.description, ox.Literal(
        "Trafficking flows, figures, laws, tier placements and measures, each curated "
        "from a cited source with a verbatim evidence quote."))
    add(d, DCT.license, LICENSE)
    add(d, VOID.uriSpace, ox.Literal(ID))
    add(d, VOID.triples, integer(len(nt_lines)))
    add(d, VOID.distinctSubjects, integer(len(subjects)))
    add(d, VOID.distinctObjects, integer(len(objects)))
    add(d, VOID.properties, integer(len(predicates)))
    for vocabulary in ("https://w3id.org/tip-kg/ontology#", str(PROV), str(DCT),
                       "http://www.w3.org/2004/02/skos/core#", "http://purl.org/linked-data/cube#",
                       str(SCHEMA)):
        add(d, VOID.vocabulary, vocabulary)

    tool = ID + "software/tip-kg/" + __version__
    add(tool, RDF_TYPE.value, str(PROV.SoftwareAgent))
    add(tool, RDFS_LABEL.value, ox.Literal(f"tip-kg {__version__}"))
    add(tool, str(SCHEMA.softwareVersion), ox.Literal(__version__))
    add(d, PROV.wasAttributedTo, tool)

    for cls in sorted(instances):
        part = f"{d}/class/{_local(cls)}"
        add(d, VOID.classPartition, part)
        add(part, VOID["class"], cls)
        add(part, VOID.entities, integer(instances[cls]))

    for graph in sorted(per_graph):
        subset = f"{d}/graph/{_local(graph)}"
        add(d, VOID.subset, subset)
        add(subset, RDF_TYPE.value, str(VOID.Dataset))
        add(subset, VOID.triples, integer(per_graph[graph]))
        add(subset, ox.NamedNode("http://www.w3.org/ns/sparql-service-description#name").value,
            graph)
        source = graph.replace(ID + "graph/", ID + "source/")
        if source in sources:
            add(subset, DCT.source, source)
            add(d, DCT.source, source)

    for dist in DISTRIBUTIONS:
        data = files[dist.name]
        iri = f"{d}/distribution/{dist.name}"
        add(d, DCAT.distribution, iri)
        add(iri, RDF_TYPE.value, str(DCAT.Distribution))
        add(iri, DCT.title, ox.Literal(dist.title))
        add(iri, DCAT.downloadURL, DOWNLOAD_BASE + dist.name)
        add(iri, DCAT.mediaType, "https://www.iana.org/assignments/media-types/" + dist.media_type)
        add(iri, DCAT.byteSize, integer(len(data)))
        add(iri, ox.NamedNode("http://spdx.org/rdf/terms#checksumValue").value,
            ox.Literal(hashlib.sha256(data).hexdigest()))
        add(iri, DCT.license, LICENSE)
    prefixes = {**PREFIXES, "spdx": "http://spdx.org/rdf/terms#",
                "sd": "http://www.w3.org/ns/sparql-service-description#"}
    return ox.serialize(sorted_triples(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(d))
                                       for t in out),
                        format=ox.RdfFormat.TURTLE, prefixes=prefixes)


def _local(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


# --- atomic writes ---------------------------------------------------------------------

def write_files(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Write every file to a temporary name in `out_dir`, then rename them all into place.

    If anything fails before the renames, nothing in `out_dir` has changed.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create the output directory: {exc.strerror}") \
            from exc
    staged: list[tuple[str, Path]] = []
    try:
        for name, data in sorted(files.items()):
            target = out_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                       dir=target.parent)
            staged.append((tmp, target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        for tmp, target in staged:
            os.replace(tmp, target)
    except OSError as exc:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{out_dir}: cannot write the exports: {exc.strerror or exc}") from exc
    return [target for _, target in staged]
