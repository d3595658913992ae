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
    Distribution("tip-kg.nt", ox.RdfFormat.N_TRIPLES, "application/n-triples",
                 "N-Triples (sorted)"),
    Distribution("tip-kg.trig", ox.RdfFormat.TRIG, "application/trig",
                 "TriG, one named graph per source"),
    Distribution("tip-kg.nq", ox.RdfFormat.N_QUADS, "application/n-quads",
                 "N-Quads, one named graph per source"),
)


def _term_key(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> tuple[int, str, str, str]:
    if isinstance(term, ox.NamedNode):
        return (0, term.value, "", "")
    if isinstance(term, ox.BlankNode):
        return (1, term.value, "", "")
    return (2, term.value, term.datatype.value, term.language or "")


def sorted_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The distinct triples of `quads` (graphs merged), in a fixed order."""
    unique = {(q.subject, q.predicate, q.object) for q in quads}
    ordered = sorted(unique, key=lambda t: (_term_key(t[0]), _term_key(t[1]), _term_key(t[2])))
    return [ox.Triple(*t) for t in ordered]


def sorted_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The distinct quads, in a fixed order (graph first, so TriG groups them)."""
    unique = {(q.graph_name, q.subject, q.predicate, q.object) for q in quads}
    ordered = sorted(unique, key=lambda q: tuple(_term_key(t) for t in q))
    return [ox.Quad(s, p, o, g) for g, s, p, o in ordered]


def turtle_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    """PREFIXES plus one prefix per concept scheme in use (`purpose:forced_labor`)."""
    concept_base = ID + "concept/"
    schemes = {t.object.value[len(concept_base):].split("/", 1)[0] for t in triples
               if isinstance(t.object, ox.NamedNode) and t.object.value.startswith(concept_base)
               and "/" in t.object.value[len(concept_base):]}
    extra = {scheme: f"{concept_base}{scheme}/" for scheme in sorted(schemes)
             if scheme not in PREFIXES}
    return {**PREFIXES, **extra}


def _sorted_lines(data: bytes) -> bytes:
    lines = sorted(set(data.splitlines()))
    return b"".join(line + b"\n" for line in lines if line)


def serialize(quads: list[ox.Quad], context: dict[str, Any]) -> dict[str, bytes]:
    """Every export's bytes, keyed by file name (void.ttl included)."""
    triples = sorted_triples(quads)
    ordered_quads = sorted_quads(quads)
    prefixes = turtle_prefixes(triples)
    out: dict[str, bytes] = {}
    out["tip-kg.ttl"] = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    out["tip-kg.nt"] = _sorted_lines(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
    out["tip-kg.trig"] = ox.serialize(ordered_quads, format=ox.RdfFormat.TRIG,
                                      prefixes=prefixes)
    out["tip-kg.nq"] = _sorted_lines(ox.serialize(ordered_quads, format=ox.RdfFormat.N_QUADS))
    out["tip-kg.jsonld"] = compact_jsonld(triples, context)
    out["void.ttl"] = void_description(quads, triples, out)
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

def void_description(quads: list[ox.Quad], triples: list[ox.Triple],
                     files: dict[str, bytes]) -> bytes:
    """A VoID and DCAT description of the dataset: counts, classes, sources, files."""
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
    add(d, DCT.description, ox.Literal(
        "Trafficking flows, figures, laws, tier placements and measures, each curated "
        "from a cited source with a verbatim evidence quote."))
    add(d, DCT.license, LICENSE)
    add(d, VOID.uriSpace, ox.Literal(ID))
    add(d, VOID.triples, integer(len(triples)))
    add(d, VOID.distinctSubjects, integer(len({t.subject for t in triples})))
    add(d, VOID.distinctObjects, integer(len({t.object for t in triples})))
    add(d, VOID.properties, integer(len({t.predicate for t in triples})))
    for vocabulary in ("https://w3id.org/tip-kg/ontology#", str(PROV), str(DCT),
                       "http://www.w3.org/2004/02/skos/core#", "http://purl.org/linked-data/cube#",
                       str(SCHEMA)):
        add(d, VOID.vocabulary, vocabulary)

    tool = ID + "software/tip-kg/" + __version__
    add(tool, RDF_TYPE.value, str(PROV.SoftwareAgent))
    add(tool, RDFS_LABEL.value, ox.Literal(f"tip-kg {__version__}"))
    add(tool, str(SCHEMA.softwareVersion), ox.Literal(__version__))
    add(d, PROV.wasAttributedTo, tool)

    instances: dict[str, set[str]] = defaultdict(set)
    for t in triples:
        if t.predicate == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            instances[t.object.value].add(t.subject.value)
    for cls in sorted(instances):
        part = f"{d}/class/{_local(cls)}"
        add(d, VOID.classPartition, part)
        add(part, VOID["class"], cls)
        add(part, VOID.entities, integer(len(instances[cls])))

    by_graph: dict[str, set[tuple[object, object, object]]] = defaultdict(set)
    for q in quads:
        by_graph[q.graph_name.value].add((q.subject, q.predicate, q.object))
    sources = {t.subject.value for t in triples
               if t.predicate == RDF_TYPE and t.object.value.endswith("#Source")}
    for graph in sorted(by_graph):
        subset = f"{d}/graph/{_local(graph)}"
        add(d, VOID.subset, subset)
        add(subset, RDF_TYPE.value, str(VOID.Dataset))
        add(subset, VOID.triples, integer(len(by_graph[graph])))
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
    return ox.serialize(sorted_triples(ox.Quad(t.subject, t.predicate, t.object) for t in out),
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
