"""One source file's share of every export, made once and kept in its cache entry.

`kg build` writes each export by concatenating these pieces rather than gathering the
whole graph, sorting it and serializing it again: the per-statement work happens once
per seed file (in parallel, see `kg.pipeline`), and a rebuild after one file changed
redoes it for that file only.

A file's statements split in two. Its *own* statements are about the sources and
assertions it defines (their IRIs are minted from its ids, which `check_references`
proves unique), so no other file makes them. The *shared* ones are about countries,
regions, places, years and concepts, which every source that names them describes in its
own graph. The exports of the merged graph (N-Triples, Turtle, JSON-LD, Neo4j) write the
shared statements once, merged with the ontology, then each file's own statements; the
exports per graph (N-Quads, TriG) write each named graph whole.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.errors import OutputError
from kg.mapping import RDF_TYPE
from kg.neo4j import edge_rows, is_node_class, is_node_iri, local_name, relationship_types
from kg.vocab import ID

# Kinds of minted IRIs that several sources describe; every other kind is minted from
# the id of the one record (or source) that defines it.
SHARED_KINDS = frozenset({"country", "region", "place", "year", "concept", "cycle"})
_ID = b"<" + ID.encode()


def _subject(line: bytes) -> bytes:
    return line[1 : line.index(b">")]


def is_own(line: bytes, own_ids: frozenset[str]) -> bool:
    """Whether a canonical N-Triples/N-Quads line is about something this file defines.

    >>> is_own(b'<https://w3id.org/tip-kg/id/flow/a1/KAZ-RUS> <p> "x" .', frozenset({"a1"}))
    True
    >>> is_own(b'<https://w3id.org/tip-kg/id/country/KAZ> <p> "x" .', frozenset({"KAZ"}))
    False
    """
    if not line.startswith(_ID):
        return False
    kind, _, rest = line[len(_ID) : line.index(b">")].partition(b"/")
    return kind.decode() not in SHARED_KINDS and rest.split(b"/", 1)[0].decode() in own_ids


def triple_line(nq_line: bytes) -> bytes:
    """The N-Triples line of a canonical N-Quads line (one in a named graph)."""
    return nq_line.rsplit(b" ", 2)[0] + b" ."


def graph_of(nq_line: bytes) -> str:
    return nq_line.rsplit(b" ", 2)[1][1:-1].decode()


def join_lines(lines: Iterable[bytes]) -> bytes:
    lines = list(lines)
    return b"\n".join(lines) + b"\n" if lines else b""


@dataclass
class Style:
    """What every piece is written with: Turtle prefixes and the JSON-LD compactor."""

    prefixes: dict[str, str]
    compactor: Any  # kg.export.Compactor

    def turtle_header(self) -> bytes:
        return b"".join(
            f"@prefix {p}: <{ns}> .\n".encode() for p, ns in sorted(self.prefixes.items())
        )

    def body(self, data: bytes) -> bytes:
        """`data` without the @prefix lines Oxigraph writes first."""
        at = 0
        while data.startswith(b"@prefix ", at):
            at = data.index(b"\n", at) + 1
        return data[at:]

    def turtle(self, triples: list[ox.Triple]) -> bytes:
        return (
            self.body(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=self.prefixes))
            if triples
            else b""
        )

    def trig(self, quads: list[ox.Quad]) -> bytes:
        return (
            self.body(ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=self.prefixes))
            if quads
            else b""
        )


@dataclass
class Neo4jPart:
    """Nodes and relationships of some statements, before the column header is known."""

    nodes: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # start, predicate, end
    edge_types: dict[str, str] = field(default_factory=dict)  # as `rendered` names them
    rendered: bytes = b""  # relationships.csv rows of `edges`, made in the worker
    columns: dict[str, tuple[frozenset[str], bool]] = field(default_factory=dict)
    label_props: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass
class Counts:
    """What the VoID description needs of some statements."""

    triples: int = 0
    subjects: int = 0
    predicates: frozenset[bytes] = frozenset()
    classes: dict[str, int] = field(default_factory=dict)


@dataclass
class Pieces:
    """A file's pieces of every export (kept on disk beside its cache entry)."""

    graphs: dict[str, tuple[bytes, bytes]]  # graph IRI -> (N-Quads lines, TriG block)
    nt: bytes  # own statements, N-Triples, sorted
    turtle: bytes  # own statements, Turtle without prefixes
    jsonld: list[str]  # own node objects, JSON text indented for the @graph array
    neo4j: Neo4jPart


@dataclass
class Summary:
    """What the merged exports need of a file before its pieces are read (kept in memory)."""

    graph_quads: dict[str, int]
    own: Counts
    shared: list[bytes]  # N-Triples lines about shared resources, sorted
    columns: dict[str, tuple[frozenset[str], bool]]
    label_props: dict[str, frozenset[str]]
    edge_predicates: frozenset[str]


def make_pieces(nquads: bytes, own_ids: frozenset[str], style: Style) -> tuple[Pieces, Summary]:
    """Split one file's mapped graph(s) into its export pieces and their summary."""
    nq_lines = sorted(set(nquads.splitlines()))
    by_graph: dict[str, list[bytes]] = defaultdict(list)
    own: list[bytes] = []
    shared: set[bytes] = set()
    for line in nq_lines:
        by_graph[graph_of(line)].append(line)
        (own.append if is_own(line, own_ids) else shared.add)(triple_line(line))
    own = sorted(set(own))
    graphs = {}
    for graph, lines in by_graph.items():
        data = join_lines(lines)
        graphs[graph] = (data, style.trig(list(ox.parse(data, format=ox.RdfFormat.N_QUADS))))
    part, counts, triples = statement_pieces(own, style)
    pieces = Pieces(
        graphs, join_lines(own), style.turtle(triples), jsonld_nodes(triples, style.compactor), part
    )
    summary = Summary(
        {g: len(lines) for g, lines in by_graph.items()},
        counts,
        sorted(shared),
        part.columns,
        part.label_props,
        frozenset(p for _, p, _ in part.edges),
    )
    return pieces, summary


def statement_pieces(
    nt_lines: list[bytes], style: Style
) -> tuple[Neo4jPart, Counts, list[ox.Triple]]:
    """The Neo4j part and the VoID counts of sorted distinct N-Triples lines, and their
    triples (parsed once, for the Turtle and JSON-LD pieces)."""
    triples = [q.triple for q in ox.parse(join_lines(nt_lines), format=ox.RdfFormat.N_TRIPLES)]
    return neo4j_part(triples), counts_of(nt_lines), triples


def counts_of(nt_lines: list[bytes]) -> Counts:
    rdf_type = b"<" + RDF_TYPE.value.encode() + b">"
    subjects: set[bytes] = set()
    predicates: set[bytes] = set()
    classes: dict[str, int] = defaultdict(int)
    for line in nt_lines:
        subject, predicate, obj = line[:-2].split(b" ", 2)
        subjects.add(subject)
        predicates.add(predicate)
        if predicate == rdf_type and obj.startswith(b"<"):
            classes[obj[1:-1].decode()] += 1
    return Counts(len(nt_lines), len(subjects), frozenset(predicates), dict(classes))


def jsonld_nodes(triples: list[ox.Triple], compactor: Any) -> list[str]:
    """One compacted node object per subject of `triples` (sorted by subject), as JSON
    text indented to sit in the document's `@graph` array."""
    nodes: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        if not isinstance(t.subject, ox.NamedNode):
            raise OutputError(f"blank node {t.subject} cannot be exported deterministically")
        node = nodes[t.subject.value]
        if t.predicate == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            node["@type"].append(
                compactor.class_terms.get(t.object.value, compactor.iri(t.object.value))
            )
            continue
        key, kind = compactor.key(t.predicate.value)
        node[key].append(compactor.value(t.object, kind))
    out = []
    for subject in sorted(nodes):
        entry: dict[str, Any] = {"@id": compactor.iri(subject)}
        for key in sorted(nodes[subject]):
            values = sorted(nodes[subject][key], key=lambda v: json.dumps(v, sort_keys=True))
            entry[key] = values[0] if len(values) == 1 else values
        text = json.dumps(entry, indent=2, ensure_ascii=False)
        out.append("    " + text.replace("\n", "\n    "))
    return out


def neo4j_part(triples: list[ox.Triple]) -> Neo4jPart:
    """Nodes (typed resources of our classes) with their properties, and relationships
    (IRI values in tip-kg's instance space) of `triples`."""
    labels: dict[str, set[str]] = defaultdict(set)
    for s, p, o in triples:
        if (
            p == RDF_TYPE
            and isinstance(s, ox.NamedNode)
            and isinstance(o, ox.NamedNode)
            and is_node_class(o.value)
        ):
            labels[s.value].add(local_name(o.value))
    props: dict[str, dict[str, list[ox.NamedNode | ox.Literal]]] = defaultdict(
        lambda: defaultdict(list)
    )
    part = Neo4jPart()
    for s, p, o in triples:
        if s.value not in labels or p == RDF_TYPE:
            continue
        if isinstance(o, ox.NamedNode) and is_node_iri(o.value):
            part.edges.append((s.value, p.value, o.value))
        elif isinstance(o, ox.NamedNode | ox.Literal):
            props[s.value][p.value].append(o)
        else:
            raise OutputError(f"blank node {o} cannot be exported to Neo4j")
    kinds: dict[str, set[str]] = defaultdict(set)
    many: dict[str, bool] = defaultdict(bool)
    label_props: dict[str, set[str]] = defaultdict(set)
    for node in sorted(labels):
        values = props.get(node, {})
        names = "|".join(sorted(labels[node]))
        label_props[names].update(values)
        for iri, items in values.items():
            kinds[iri].update(
                v.datatype.value if isinstance(v, ox.Literal) else "iri" for v in items
            )
            many[iri] |= len(items) > 1
        part.nodes.append(
            (node, names, {iri: sorted(v.value for v in items) for iri, items in values.items()})
        )
    part.edge_types = relationship_types({p for _, p, _ in part.edges})
    part.rendered = edge_rows(part.edges, part.edge_types)
    part.columns = {iri: (frozenset(kinds[iri]), many[iri]) for iri in kinds}
    part.label_props = {k: frozenset(v) for k, v in label_props.items()}
    return part
