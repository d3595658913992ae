"""What the site reads from the built exports: the graph (`tip-kg.nt`) and its VoID/DCAT
description (`void.ttl`), and each entity's concise bounded description as Turtle and
JSON-LD.

The site reads the committed exports rather than rebuilding from the seeds so that the
pages show exactly what the downloads hold.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS

from kg.errors import InputError

KG = Namespace("https://w3id.org/tip-kg/ontology#")
ID = "https://w3id.org/tip-kg/id/"
SPDX = Namespace("http://spdx.org/rdf/terms#")
LABELS = (RDFS.label, SKOS.prefLabel)

__all__ = [
    "DCAT",
    "DCTERMS",
    "ID",
    "KG",
    "OWL",
    "PROV",
    "RDF",
    "RDFS",
    "SKOS",
    "SPDX",
    "Download",
    "SiteGraph",
    "read_exports",
]


@dataclass(frozen=True)
class Download:
    """One export file as void.ttl describes it."""

    name: str
    title: str
    media_type: str
    size: int
    sha256: str


class SiteGraph:
    """The built graph with the few look-ups the pages need."""

    def __init__(self, graph: Graph, void: Graph) -> None:
        self.graph = graph
        self.void = void

    def label(self, node: URIRef | Literal | BNode) -> str:
        if isinstance(node, Literal):
            return str(node)
        # several labels (languages): take the smallest so the choice is deterministic
        for prop in LABELS:
            values = sorted(str(v) for v in self.graph.objects(node, prop))
            if values:
                return values[0]
        text = str(node)
        return text.rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def value(self, node: URIRef, prop: URIRef) -> str | None:
        values = sorted(str(v) for v in self.graph.objects(node, prop))
        return values[0] if values else None

    def objects(self, node: URIRef, prop: URIRef) -> list[URIRef | Literal]:
        return sorted(self.graph.objects(node, prop), key=str)  # type: ignore[arg-type]

    def subjects(self, prop: URIRef, obj: URIRef) -> list[URIRef]:
        return sorted((s for s in self.graph.subjects(prop, obj) if isinstance(s, URIRef)), key=str)

    def instances(self, cls: URIRef) -> list[URIRef]:
        return self.subjects(RDF.type, cls)

    def describe(self, node: URIRef) -> list[tuple[URIRef | BNode, URIRef, object]]:
        """The concise bounded description of `node` (its statements, and those of the
        blank nodes it reaches), plus the labels of every IRI it names, sorted."""
        triples: set[tuple] = set()
        todo: list[URIRef | BNode] = [node]
        seen: set[object] = set()
        while todo:
            subject = todo.pop()
            if subject in seen:
                continue
            seen.add(subject)
            for p, o in self.graph.predicate_objects(subject):
                triples.add((subject, p, o))
                if isinstance(o, BNode):
                    todo.append(o)
        named = {o for _, _, o in triples if isinstance(o, URIRef)}
        for iri in named:
            for prop in LABELS:
                for label in self.graph.objects(iri, prop):
                    triples.add((iri, prop, label))
        return sorted(triples, key=lambda t: (str(t[0]), str(t[1]), _term_key(t[2])))

    def downloads(self) -> list[Download]:
        found = []
        for dist in sorted(self.void.subjects(RDF.type, DCAT.Distribution), key=str):
            url = str(self.void.value(dist, DCAT.downloadURL) or dist)
            media = str(self.void.value(dist, DCAT.mediaType) or "")
            found.append(
                Download(
                    name=url.rsplit("/", 1)[-1],
                    title=str(self.void.value(dist, DCTERMS.title) or ""),
                    media_type=media.split("/media-types/", 1)[-1],
                    size=int(self.void.value(dist, DCAT.byteSize) or 0),
                    sha256=str(self.void.value(dist, SPDX.checksumValue) or ""),
                )
            )
        return found


def _term_key(term: object) -> tuple[str, str, str]:
    if isinstance(term, Literal):
        return ("literal", str(term), f"{term.datatype or ''}@{term.language or ''}")
    return ("node", str(term), "")


def read_exports(exports_dir: Path) -> SiteGraph:
    """Read `tip-kg.nt` and `void.ttl` from a built exports directory."""
    graph, void = Graph(), Graph()
    for name, target, fmt in (("tip-kg.nt", graph, "nt"), ("void.ttl", void, "turtle")):
        path = exports_dir / name
        if not path.is_file():
            raise InputError(
                f"{path}: no such file",
                hint="run `kg build` first, or point --exports at its --out",
            )
        try:
            target.parse(path, format=fmt)
        except Exception as exc:  # rdflib raises many kinds; all mean a damaged export
            raise InputError(
                f"{path}: cannot read it: {exc}", hint="rebuild the exports with `kg build`"
            ) from exc
    return SiteGraph(graph, void)


def _nt_term(term: object) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:b{term}"
    return term.n3()  # type: ignore[union-attr]


def to_turtle(triples: list[tuple]) -> bytes:
    """Statements as Turtle, one per line in the given (sorted) order; N-Triples lines are
    Turtle, so this needs no prefix choices and stays byte for byte the same."""
    return "".join(f"{_nt_term(s)} {_nt_term(p)} {_nt_term(o)} .\n" for s, p, o in triples).encode(
        "utf-8"
    )


def to_jsonld(triples: list[tuple]) -> list[dict]:
    """Statements as expanded JSON-LD (no context to fetch), nodes and values sorted."""
    nodes: dict[str, dict[str, list]] = {}
    for s, p, o in triples:
        sid = f"_:b{s}" if isinstance(s, BNode) else str(s)
        node = nodes.setdefault(sid, {})
        if p == RDF.type:
            node.setdefault("@type", []).append(str(o))
            continue
        if isinstance(o, Literal):
            value: dict[str, str] = {"@value": str(o)}
            if o.language:
                value["@language"] = o.language
            elif o.datatype:
                value["@type"] = str(o.datatype)
        else:
            value = {"@id": f"_:b{o}" if isinstance(o, BNode) else str(o)}
        node.setdefault(str(p), []).append(value)
    return [{"@id": sid, **props} for sid, props in sorted(nodes.items())]


def jsonld_text(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)
