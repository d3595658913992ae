"""SHACL conformance of the mapped graph, with findings that point back into the seeds.

Two engines read the same `ontology/shapes.ttl`. `CoreShapes` evaluates the SHACL Core
components the shapes use (targets by class, paths and inverse paths, counts, datatypes,
classes, node kinds, patterns, `sh:node`, `sh:or`, ...) straight over pyoxigraph terms: at
250,000 assertions pyshacl needs most of an hour, this takes seconds, and a shape
that uses any other component is refused rather than skipped. `conformance` keeps
pyshacl as the reference; tests/test_scale.py holds the two to the same results.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.collection import Collection
from rdflib.namespace import RDFS, SH

from kg.errors import InputError
from kg.findings import Finding, Location
from kg.records import Seeds
from kg.vocab import ID

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def to_rdflib(quads: list[ox.Quad]) -> Graph:
    """The triples of `quads` (graphs merged) as an rdflib graph."""
    graph = Graph()
    data = ox.serialize(
        [ox.Triple(q.subject, q.predicate, q.object) for q in quads], format=ox.RdfFormat.N_TRIPLES
    )
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
            raise InputError(
                f"SPARQL constraint {constraint} needs sh:targetClass on its shape and sh:select"
            )
        message = shapes.value(constraint, SH.message) or shapes.value(shape, SH.message)
        constraints.append(
            (_name(shape), str(target), str(message or _name(constraint)), str(select))
        )
    return core, sorted(constraints)


def _sparql_violations(
    quads: Iterable[ox.Quad], constraints: list[tuple[str, str, str, str]]
) -> list[tuple[str, ...]]:
    # `quads` in the default graph: the constraints query it
    store = ox.Store()
    store.bulk_extend(quads)
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
    _, results, _ = validate(
        to_rdflib(quads), shacl_graph=core, inference="none", allow_warnings=True
    )
    out = []
    for result in results.subjects(SH.resultSeverity, SH.Violation):
        shape = results.value(result, SH.sourceShape)
        focus = results.value(result, SH.focusNode)
        message = results.value(result, SH.resultMessage)
        path = results.value(result, SH.resultPath)
        out.append(
            (
                _name(shape),
                str(focus),
                str(message or "violates the shape"),
                _name(path) if isinstance(path, URIRef) else None,
            )
        )
    out.extend(
        _sparql_violations([ox.Quad(q.subject, q.predicate, q.object) for q in quads], constraints)
    )
    return sorted(set(out), key=lambda v: tuple(x or "" for x in v))


def _name(term: object) -> str:
    text = str(term)
    return text.rsplit("#", 1)[-1] if "#" in text else text


# --- SHACL Core, evaluated natively ----------------------------------------------------

Violation = tuple[str, str, str, str | None]  # (shape, focus node, message, path)
_XSD = "http://www.w3.org/2001/XMLSchema#"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_LEXICAL = {  # the lexical forms pyshacl accepts for the datatypes the graph uses
    _XSD + "integer": re.compile(r"[+-]?\d+\Z"),
    _XSD + "decimal": re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)\Z"),
    _XSD + "gYear": re.compile(r"-?\d{4,}\Z"),
    _XSD + "gYearMonth": re.compile(r"-?\d{4,}-(0[1-9]|1[0-2])\Z"),
    _XSD + "date": re.compile(r"-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\Z"),
    _XSD + "boolean": re.compile(r"(true|false|1|0)\Z"),
}
_VALUE_COMPONENTS = {
    "class",
    "datatype",
    "nodeKind",
    "pattern",
    "hasValue",
    "languageIn",
    "minInclusive",
    "minLength",
    "node",
    "or",
}
_SHAPE_KEYS = _VALUE_COMPONENTS | {
    "minCount",
    "maxCount",
    "path",
    "property",
    "targetClass",
    "message",
    "name",
    "sparql",
    "select",
    "description",
    "order",
    "group",
    "severity",
}


@dataclass
class _Shape:
    name: str
    message: str | None
    components: list[tuple[str, object]] = field(default_factory=list)
    path: str | None = None
    inverse: bool = False
    min_count: int = 0
    max_count: int | None = None
    properties: list[_Shape] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)


class _Index:
    """The triples of a graph by predicate and subject, and each node's classes."""

    def __init__(self, triples: Iterable[ox.Triple], inverse: set[str]) -> None:
        self.out: dict[str, dict[object, list[object]]] = defaultdict(lambda: defaultdict(list))
        self.inv: dict[str, dict[object, list[object]]] = defaultdict(lambda: defaultdict(list))
        self.types: dict[object, set[str]] = defaultdict(set)
        self.instances: dict[str, set[object]] = defaultdict(set)
        rdf_type = RDF_TYPE.value
        for s, p, o in triples:
            pv = p.value
            self.out[pv][s].append(o)
            if pv in inverse:
                self.inv[pv][o].append(s)
            if pv == rdf_type and isinstance(o, ox.NamedNode):
                self.types[s].add(o.value)
                self.instances[o.value].add(s)


class CoreShapes:
    """The SHACL Core part of a shapes graph, compiled for repeated native evaluation."""

    def __init__(self, shapes: Graph) -> None:
        self.graph = shapes
        self.shapes: dict[object, _Shape] = {}
        targets = [s for s in shapes.subjects(SH.targetClass, None)]
        self.targeted = [self._shape(s) for s in sorted(set(targets), key=str)]
        self.inverse = {s.path for s in self.shapes.values() if s.inverse and s.path}
        self.superclasses: dict[str, set[str]] = {}

    def _shape(self, node: object) -> _Shape:
        if node in self.shapes:
            return self.shapes[node]
        g = self.graph
        message = g.value(node, SH.message)
        shape = _Shape(_name(node), str(message) if message is not None else None)
        self.shapes[node] = shape
        for _, p, o in g.triples((node, None, None)):
            if not str(p).startswith(str(SH)):
                continue
            key = str(p)[len(str(SH)) :]
            if key not in _SHAPE_KEYS:
                raise InputError(
                    f"SHACL component sh:{key} of {_name(node)} is not supported by "
                    "the native engine",
                    "extend kg/shacl.py CoreShapes",
                )
            if key == "path":
                if isinstance(o, BNode):
                    inverse = g.value(o, SH.inversePath)
                    if inverse is None:
                        raise InputError(
                            f"only predicate and inverse paths are supported ({_name(node)})"
                        )
                    shape.path, shape.inverse = str(inverse), True
                else:
                    shape.path = str(o)
            elif key == "minCount":
                shape.min_count = int(o)
            elif key == "maxCount":
                shape.max_count = int(o)
            elif key == "property":
                shape.properties.append(self._shape(o))
            elif key == "targetClass":
                shape.targets.append(str(o))
            elif key == "node":
                shape.components.append(("node", self._shape(o)))
            elif key == "or":
                shape.components.append(("or", [self._shape(x) for x in Collection(g, o)]))
            elif key == "languageIn":
                shape.components.append(("languageIn", {str(x) for x in Collection(g, o)}))
            elif key == "pattern":
                shape.components.append(("pattern", re.compile(str(o))))
            elif key in ("minInclusive", "minLength"):
                shape.components.append((key, float(o) if isinstance(o, RdfLiteral) else o))
            elif key in ("class", "datatype", "nodeKind"):
                shape.components.append((key, str(o)))
            elif key == "hasValue":
                shape.components.append((key, _to_ox(o)))
        shape.components.sort(key=lambda c: c[0])
        return shape

    def validate(self, triples: Iterable[ox.Triple]) -> list[Violation]:
        """Every SHACL Core violation of the graph of `triples`, sorted."""
        index = _Index(triples, self.inverse)
        self._index = index
        out: set[Violation] = set()
        for shape in self.targeted:
            focus: set[object] = set()
            for cls in shape.targets:
                for sub in self._subclasses(cls, index):
                    focus |= index.instances.get(sub, set())
            for node in focus:
                self._check(shape, node, out)
        return sorted(out, key=lambda v: tuple(x or "" for x in v))

    def _subclasses(self, cls: str, index: _Index) -> list[str]:
        # Classes whose instances are instances of `cls` (rdfs:subClassOf in the data graph).
        subclass_of = index.out.get(str(RDFS.subClassOf), {})
        found = {cls}
        changed = True
        while changed:
            changed = False
            for sub, supers in subclass_of.items():
                if sub.value not in found and any(s.value in found for s in supers):
                    found.add(sub.value)
                    changed = True
        return sorted(found)

    def _supers(self, cls: str) -> set[str]:
        if cls not in self.superclasses:
            subclass_of = self._index.out.get(str(RDFS.subClassOf), {})
            found, todo = {cls}, [cls]
            while todo:
                for sup in subclass_of.get(ox.NamedNode(todo.pop()), ()):
                    if sup.value not in found:
                        found.add(sup.value)
                        todo.append(sup.value)
            self.superclasses[cls] = found
        return self.superclasses[cls]

    def _check(self, shape: _Shape, node: object, out: set[Violation]) -> None:
        # Every component is evaluated, as pyshacl does, so that the results of nested
        # sh:node shapes are reported whatever else failed.
        message = shape.message or "violates the shape"
        if not all([self._value_ok(c, param, node, out) for c, param in shape.components]):
            out.add((shape.name, _str(node), message, None))
        for prop in shape.properties:
            values = self._values(prop, node)
            bad = len(values) < prop.min_count or (
                prop.max_count is not None and len(set(values)) > prop.max_count
            )
            for component, param in prop.components:
                if component == "hasValue":
                    bad = param not in values or bad
                elif not all([self._value_ok(component, param, v, out) for v in values]):
                    bad = True
            if bad:
                # an inverse path is a blank node in pyshacl's report: no path name
                path = None if prop.inverse else _name(prop.path)
                out.add((prop.name, _str(node), prop.message or "violates the shape", path))

    def _values(self, prop: _Shape, node: object) -> list[object]:
        table = (self._index.inv if prop.inverse else self._index.out).get(prop.path or "")
        return table.get(node, []) if table else []

    def _conforms(self, shape: _Shape, node: object, out: set[Violation] | None = None) -> bool:
        found: set[Violation] = set()
        self._check(shape, node, found)
        if out is not None:
            out |= found  # pyshacl reports an sh:node failure's own results as well
        return not found

    def _value_ok(
        self, component: str, param: object, v: object, out: set[Violation] | None = None
    ) -> bool:
        if component == "class":
            return not isinstance(v, ox.Literal) and any(
                param in self._supers(t) for t in self._index.types.get(v, ())
            )
        if component == "datatype":
            if not isinstance(v, ox.Literal):
                return False
            if param == _LANG_STRING:
                return bool(v.language)
            lexical = _LEXICAL.get(param)  # type: ignore[call-overload]
            return (
                not v.language
                and v.datatype.value == param
                and (lexical is None or bool(lexical.match(v.value)))
            )
        if component == "nodeKind":
            kind = param.rsplit("#", 1)[-1]  # type: ignore[attr-defined]
            is_iri, is_blank = isinstance(v, ox.NamedNode), isinstance(v, ox.BlankNode)
            return {
                "IRI": is_iri,
                "Literal": isinstance(v, ox.Literal),
                "BlankNode": is_blank,
                "BlankNodeOrIRI": is_iri or is_blank,
            }.get(kind, False)
        if component == "pattern":
            return not isinstance(v, ox.BlankNode) and bool(param.search(v.value))  # type: ignore[attr-defined]
        if component == "hasValue":
            return v == param
        if component == "languageIn":
            return isinstance(v, ox.Literal) and (v.language or "") in param  # type: ignore[operator]
        if component == "minInclusive":
            try:
                return isinstance(v, ox.Literal) and float(v.value) >= param  # type: ignore[operator]
            except ValueError:
                return False
        if component == "minLength":
            return not isinstance(v, ox.BlankNode) and len(v.value) >= param  # type: ignore[operator]
        if component == "node":
            return self._conforms(param, v, out)  # type: ignore[arg-type]
        if component == "or":
            return any(self._conforms(s, v) for s in param)  # type: ignore[attr-defined]
        raise InputError(f"SHACL component sh:{component} is not supported")


def _to_ox(term: object) -> object:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, RdfLiteral):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        datatype = term.datatype or URIRef(_XSD + "string")
        return ox.Literal(str(term), datatype=ox.NamedNode(str(datatype)))
    return term


def _str(term: object) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else str(term)


def native_conformance(
    triples: list[ox.Triple], core: CoreShapes, constraints: list[tuple[str, str, str, str]]
) -> list[Violation]:
    """`conformance` without pyshacl: the native Core engine plus the SPARQL constraints."""
    out = set(core.validate(triples))
    out.update(
        _sparql_violations(
            [ox.Quad(t.subject, t.predicate, t.object) for t in triples], constraints
        )
    )
    return sorted(out, key=lambda v: tuple(x or "" for x in v))


def violation_findings(
    violations: Iterable[Violation], seeds: Seeds, fallback: Location | None = None
) -> list[Finding]:
    """Each violation as an error at the assertion it is about (`fallback` when its focus
    node is no assertion of `seeds`)."""
    locations = {record.id: record.loc for record in seeds.assertions}
    return [_finding(v, locations, fallback) for v in violations]


def _finding(
    violation: Violation, locations: dict[str, Location], fallback: Location | None = None
) -> Finding:
    shape, focus, message, path = violation
    parts = focus.removeprefix(ID).split("/")
    loc = locations.get(parts[1]) if len(parts) > 1 else None
    where = f" ({path})" if path else ""
    return Finding(
        "error",
        "shacl",
        f"SHACL shape {shape}: {focus}{where}: {message}",
        loc or fallback or Location("(graph)"),
        "the graph breaks a rule of ontology/shapes.ttl",
    )
