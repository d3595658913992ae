"""SHACL conformance of the mapped graph, with findings that point back into the seeds."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from kg.errors import InputError
from kg.findings import Finding, Location
from kg.records import Seeds
from kg.vocab import ID

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def to_rdflib(quads: list[ox.Quad]) -> Graph:
    """The triples of `quads` (graphs merged) as an rdflib graph."""
    graph = Graph()
    data = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads],
                        format=ox.RdfFormat.N_TRIPLES)
    graph.parse(data=data.decode(), format="nt")
    return graph


def load_shapes(path: Path) -> Graph:
    shapes = Graph()
    try:
        shapes.parse(path, format="turtle")
    except (OSError, SyntaxError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the SHACL shapes: {exc}") from exc
    return shapes


def split_sparql_constraints(shapes: Graph) -> tuple[Graph, list[tuple[str, str, str, str]]]:
    """The shapes without their SPARQL constraints, and those constraints on their own.

    pyshacl evaluates SPARQL constraints once per focus node over rdflib's store, which
    took 10 of 11 seconds on the seeds' graph; Oxigraph answers each constraint for all
    focus nodes in one query. Each constraint: (shape, target class, message, SELECT).
    """
    core = Graph()
    for triple in shapes:
        core.add(triple)
    constraints = []
    for shape, _, constraint in shapes.triples((None, SH.sparql, None)):
        core.remove((shape, SH.sparql, constraint))
        target = shapes.value(shape, SH.targetClass)
        select = shapes.value(constraint, SH.select)
        if target is None or select is None:
            raise InputError(f"SPARQL constraint {constraint} needs sh:targetClass on its "
                             "shape and sh:select")
        message = shapes.value(constraint, SH.message) or shapes.value(shape, SH.message)
        constraints.append((_name(shape), str(target), str(message or _name(constraint)),
                            str(select)))
    return core, sorted(constraints)


def _sparql_violations(quads: list[ox.Quad],
                       constraints: list[tuple[str, str, str, str]]) -> list[tuple[str, ...]]:
    store = ox.Store()
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    out = []
    for shape, target, message, select in constraints:
        focus = {t.subject for t in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(target))}
        for row in store.query(select):
            this = row["this"]
            if this in focus:
                out.append((shape, this.value, message, None))
    return out


def conformance(quads: list[ox.Quad], shapes: Graph) -> list[tuple[str, str, str, str | None]]:
    """Every violation as (shape, focus node, message, path), sorted; empty when conforming."""
    from pyshacl import validate

    core, constraints = split_sparql_constraints(shapes)
    _, results, _ = validate(to_rdflib(quads), shacl_graph=core, inference="none",
                             allow_warnings=True)
    out = []
    for result in results.subjects(SH.resultSeverity, SH.Violation):
        shape = results.value(result, SH.sourceShape)
        focus = results.value(result, SH.focusNode)
        message = results.value(result, SH.resultMessage)
        path = results.value(result, SH.resultPath)
        out.append((_name(shape), str(focus), str(message or "violates the shape"),
                    _name(path) if isinstance(path, URIRef) else None))
    out.extend(_sparql_violations(quads, constraints))
    return sorted(set(out), key=lambda v: tuple(x or "" for x in v))


def _name(term: object) -> str:
    text = str(term)
    return text.rsplit("#", 1)[-1] if "#" in text else text


def shacl_findings(quads: list[ox.Quad], shapes_path: Path, seeds: Seeds) -> list[Finding]:
    """Run the shapes over the graph; each violation becomes an error at its assertion."""
    locations = {record.id: record.loc for record in seeds.assertions}
    findings = []
    for shape, focus, message, path in conformance(quads, load_shapes(shapes_path)):
        parts = focus.removeprefix(ID).split("/")
        loc = locations.get(parts[1]) if len(parts) > 1 else None
        where = f" ({path})" if path else ""
        findings.append(Finding("error", "shacl", f"SHACL shape {shape}: {focus}{where}: "
                                f"{message}", loc or Location("(graph)"),
                                "the graph breaks a rule of ontology/shapes.ttl"))
    return findings
