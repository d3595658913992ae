"""The property-graph export: node and relationship CSV files for Neo4j, and a Cypher script.

The CSV files are in the format `neo4j-admin database import full` reads (`:ID`,
`:LABEL`, `:START_ID`, `:END_ID`, `:TYPE` headers); `load.cypher` loads the same files
with `LOAD CSV` for people who cannot run the offline importer. Every typed resource of
the data (an assertion, a country, a year, a concept, a source, ...) becomes a node
labelled with the local names of its classes; a property whose value is an IRI of
tip-kg's instance space (`id/...`, every one of them a typed node) becomes a relationship,
anything else a node property. The ontology's own classes and properties are not data
and stay out. `kg.pieces` cuts each source's share; `Neo4jLayout` writes them.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from kg.errors import OutputError
from kg.mapping import XSD
from kg.vocab import BASE, ID, KG, PREFIXES, SKOS

ARRAY_DELIMITER = "|"
# The classes whose instances become nodes: ours, and the SKOS concepts they point to.
NODE_CLASS_SPACES = (str(KG._NS),)
NODE_CLASSES_ELSEWHERE = (str(SKOS.Concept), str(SKOS.ConceptScheme))
_INTEGER = {XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger")}
_FLOAT = {XSD + t for t in ("decimal", "double", "float")}


def local_name(iri: str) -> str:
    """The part of an IRI after its last `#` or `/`.

    >>> local_name("https://w3id.org/tip-kg/ontology#TraffickingFlow")
    'TraffickingFlow'
    """
    return re.split(r"[#/]", iri.rstrip("#/"))[-1]


def relationship_type(name: str) -> str:
    """A relationship type in Neo4j's style from a property's local name.

    >>> relationship_type("wasDerivedFrom")
    'WAS_DERIVED_FROM'
    >>> relationship_type("legFrom")
    'LEG_FROM'
    """
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).upper()


def _names(iris: Iterable[str]) -> dict[str, str]:
    """A short name per IRI: the local name, or `prefix_local` where two IRIs share one."""
    by_local: dict[str, list[str]] = defaultdict(list)
    for iri in sorted(set(iris)):
        by_local[local_name(iri)].append(iri)
    names: dict[str, str] = {}
    for local, group in by_local.items():
        for iri in group:
            if len(group) == 1:
                names[iri] = local
                continue
            prefix = next(
                (
                    p
                    for p, ns in sorted(PREFIXES.items())
                    if iri.startswith(ns) and iri[len(ns) :] == local
                ),
                None,
            )
            names[iri] = f"{prefix or 'x'}_{local}"
    return names


def is_node_class(iri: str) -> bool:
    """Whether instances of the class `iri` become nodes (ours, and SKOS concepts)."""
    return iri.startswith(NODE_CLASS_SPACES) or iri in NODE_CLASSES_ELSEWHERE


def is_node_iri(iri: str) -> bool:
    """Whether an IRI value is a relationship (to a resource of tip-kg's instance space)
    rather than a property; every such resource is typed, so it is a node."""
    return iri.startswith(ID)


def _column_type(datatypes: frozenset[str]) -> str:
    if datatypes <= _INTEGER:
        return "long"
    if datatypes <= _INTEGER | _FLOAT:
        return "double"
    if datatypes == {XSD + "boolean"}:
        return "boolean"
    return "string"


@dataclass
class Neo4jLayout:
    """The header of nodes.csv and the relationship type names, from every part's summary."""

    columns: dict[str, str]  # property IRI -> "name:type" or "name:type[]"
    ordered: list[str]  # property IRIs in column order
    types: dict[str, str]  # predicate IRI -> relationship type
    label_props: dict[str, set[str]]  # "Label|Label" -> property IRIs

    @classmethod
    def merge(
        cls,
        columns: Iterable[dict[str, tuple[frozenset[str], bool]]],
        edge_predicates: Iterable[Iterable[str]],
        label_props: Iterable[dict[str, frozenset[str]]],
    ) -> Neo4jLayout:
        kinds: dict[str, set[str]] = defaultdict(set)
        many: dict[str, bool] = defaultdict(bool)
        for part in columns:
            for iri, (types, repeated) in part.items():
                kinds[iri] |= types
                many[iri] |= repeated
        names = _names(kinds)
        out = {
            iri: f"{names[iri]}:{_column_type(frozenset(kinds[iri]))}{'[]' if many[iri] else ''}"
            for iri in sorted(kinds)
        }
        predicates = set().union(*edge_predicates)
        types = relationship_types(predicates)
        merged: dict[str, set[str]] = defaultdict(set)
        for part_props in label_props:
            for labels, props in part_props.items():
                merged[labels] |= props
        return cls(out, sorted(out, key=lambda i: out[i]), types, dict(merged))

    def header(self) -> bytes:
        return _csv_rows([["iri:ID", ":LABEL", *(self.columns[i] for i in self.ordered)]])

    def node_rows(self, nodes: list[tuple[str, str, dict[str, list[str]]]]) -> bytes:
        rows = []
        for node, labels, props in nodes:
            row = [node, labels]
            for iri in self.ordered:
                values = props.get(iri, [])
                if len(values) > 1 and any(ARRAY_DELIMITER in v for v in values):
                    raise OutputError(
                        f"{node}: a value of {self.columns[iri].split(':')[0]} "
                        f"contains {ARRAY_DELIMITER!r}, the array delimiter"
                    )
                row.append(ARRAY_DELIMITER.join(values))
            rows.append(row)
        return _csv_rows(rows)

    def edge_rows(self, edges: list[tuple[str, str, str]]) -> bytes:
        return edge_rows(edges, self.types)

    def edge_rows_of(
        self, rendered: bytes, types: dict[str, str], edges: list[tuple[str, str, str]]
    ) -> bytes:
        """Rows rendered ahead with a part's own `types`, if every one is the type the whole
        graph gives (two properties of one local name in different parts would not be);
        else the part's `edges` rendered again."""
        if all(self.types.get(p) == name for p, name in types.items()):
            return rendered
        return self.edge_rows(edges)

    def cypher(self) -> bytes:
        return load_cypher(self.label_props, self.columns, sorted(set(self.types.values()))).encode(
            "utf-8"
        )


EDGES_HEADER = b":START_ID,:END_ID,:TYPE\n"


def relationship_types(predicates: Iterable[str]) -> dict[str, str]:
    """A relationship type per predicate IRI, from its local name (`prefix_local` where two
    predicates share one).

    >>> relationship_types(["http://www.w3.org/ns/prov#wasDerivedFrom"])
    {'http://www.w3.org/ns/prov#wasDerivedFrom': 'WAS_DERIVED_FROM'}
    """
    return {iri: relationship_type(name) for iri, name in _names(predicates).items()}


def edge_rows(edges: list[tuple[str, str, str]], types: dict[str, str]) -> bytes:
    """relationships.csv rows of `edges` (start, predicate, end), sorted by type, start, end."""
    return _csv_rows(
        [start, end, types[p]]
        for start, p, end in sorted(edges, key=lambda e: (types[e[1]], e[0], e[2]))
    )


def _csv_rows(rows: Iterable[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _convert(column: str) -> str:
    name, kind = column.split(":", 1)
    field = f"row.`{column}`"
    cast = {"long": "toInteger", "double": "toFloat", "boolean": "toBoolean"}.get(
        kind.removesuffix("[]")
    )
    if kind.endswith("[]"):
        items = f"split({field}, '{ARRAY_DELIMITER}')"
        return f"n.`{name}` = " + (f"[v IN {items} | {cast}(v)]" if cast else items)
    return f"n.`{name}` = " + (f"{cast}({field})" if cast else field)


def load_cypher(label_props: dict[str, set[str]], columns: dict[str, str], types: list[str]) -> str:
    """A Cypher script that loads nodes.csv and relationships.csv with LOAD CSV."""
    out = [
        "// tip-kg for Neo4j: loads nodes.csv and relationships.csv with LOAD CSV.",
        "// Copy both files into Neo4j's import directory, then run this script, e.g.",
        "//   cypher-shell -u neo4j -p PASSWORD -f load.cypher",
        f"// Multiple labels and array values are separated by '{ARRAY_DELIMITER}'.",
        f"// Generated by `kg build` from the graph at {BASE}; do not edit.",
        "",
    ]
    by_labels = {
        tuple(labels.split(ARRAY_DELIMITER)): props for labels, props in label_props.items()
    }
    for names in sorted(by_labels):
        out.append(
            f"CREATE CONSTRAINT {'_'.join(n.lower() for n in names)}_iri IF NOT EXISTS "
            f"FOR (n:{names[-1]}) REQUIRE n.iri IS UNIQUE;"
        )
    out.append("")
    for names in sorted(by_labels):
        sets = [
            _convert(columns[iri]) for iri in sorted(by_labels[names], key=lambda i: columns[i])
        ]
        out += [
            "LOAD CSV WITH HEADERS FROM 'file:///nodes.csv' AS row",
            f"WITH row WHERE row.`:LABEL` = '{ARRAY_DELIMITER.join(names)}'",
            f"CREATE (n:{':'.join(names)} {{iri: row.`iri:ID`}})",
        ]
        if sets:
            out.append("SET " + ",\n    ".join(sets))
        out[-1] += ";"
        out.append("")
    for rel in types:
        out += [
            "LOAD CSV WITH HEADERS FROM 'file:///relationships.csv' AS row",
            f"WITH row WHERE row.`:TYPE` = '{rel}'",
            "MATCH (a {iri: row.`:START_ID`}), (b {iri: row.`:END_ID`})",
            f"CREATE (a)-[:{rel}]->(b);",
            "",
        ]
    return "\n".join(out)
