"""The property-graph export: node and relationship CSV files for Neo4j, and a Cypher script.

The CSV files are in the format `neo4j-admin database import full` reads (`:ID`,
`:LABEL`, `:START_ID`, `:END_ID`, `:TYPE` headers); `load.cypher` loads the same files
with `LOAD CSV` for people who cannot run the offline importer. Every typed resource of
the data (an assertion, a country, a year, a concept, a source, ...) becomes a node
labelled with the local names of its classes; an IRI-valued property between two such
nodes becomes a relationship, anything else a node property. The ontology's own classes
and properties are not data and stay out.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from kg.errors import OutputError
from kg.mapping import RDF_TYPE, XSD
from kg.vocab import BASE, KG, PREFIXES, SKOS

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
            prefix = next((p for p, ns in sorted(PREFIXES.items())
                           if iri.startswith(ns) and iri[len(ns):] == local), None)
            names[iri] = f"{prefix or 'x'}_{local}"
    return names


def _column_type(values: list[ox.NamedNode | ox.Literal]) -> str:
    datatypes = {v.datatype.value if isinstance(v, ox.Literal) else "iri" for v in values}
    if datatypes <= _INTEGER:
        return "long"
    if datatypes <= _INTEGER | _FLOAT:
        return "double"
    if datatypes == {XSD + "boolean"}:
        return "boolean"
    return "string"


def neo4j_files(quads: Iterable[ox.Quad], directory: str = "neo4j") -> dict[str, bytes]:
    """`nodes.csv`, `relationships.csv` and `load.cypher`, keyed by path under `directory`."""
    triples = {(q.subject, q.predicate, q.object) for q in quads}
    labels: dict[str, set[str]] = defaultdict(set)
    for s, p, o in triples:
        if p == RDF_TYPE and isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode) and (
                o.value.startswith(NODE_CLASS_SPACES) or o.value in NODE_CLASSES_ELSEWHERE):
            labels[s.value].add(local_name(o.value))
    properties: dict[str, dict[str, list[ox.NamedNode | ox.Literal]]] = \
        defaultdict(lambda: defaultdict(list))
    edges: set[tuple[str, str, str]] = set()
    for s, p, o in triples:
        if s.value not in labels or p == RDF_TYPE:
            continue
        if isinstance(o, ox.NamedNode) and o.value in labels:
            edges.add((s.value, p.value, o.value))
        elif isinstance(o, ox.NamedNode | ox.Literal):
            properties[s.value][p.value].append(o)
        else:
            raise OutputError(f"blank node {o} cannot be exported to Neo4j")
    prop_names = _names(p for props in properties.values() for p in props)
    type_names = {iri: relationship_type(name)
                  for iri, name in _names(p for _, p, _ in edges).items()}

    columns: dict[str, str] = {}  # property IRI -> "name:type"
    for iri in sorted(prop_names):
        values = [v for props in properties.values() for v in props.get(iri, [])]
        many = any(len(props.get(iri, [])) > 1 for props in properties.values())
        columns[iri] = f"{prop_names[iri]}:{_column_type(values)}{'[]' if many else ''}"
    ordered = sorted(columns, key=lambda i: columns[i])

    nodes = io.StringIO()
    writer = csv.writer(nodes, lineterminator="\n")
    writer.writerow(["iri:ID", ":LABEL", *(columns[i] for i in ordered)])
    for node in sorted(labels):
        row = [node, ARRAY_DELIMITER.join(sorted(labels[node]))]
        for iri in ordered:
            values = sorted(v.value for v in properties[node].get(iri, []))
            for value in values:
                if len(values) > 1 and ARRAY_DELIMITER in value:
                    raise OutputError(f"{node}: a value of {prop_names[iri]} contains "
                                      f"{ARRAY_DELIMITER!r}, the array delimiter")
            row.append(ARRAY_DELIMITER.join(values))
        writer.writerow(row)

    rels = io.StringIO()
    writer = csv.writer(rels, lineterminator="\n")
    writer.writerow([":START_ID", ":END_ID", ":TYPE"])
    for start, predicate, end in sorted(edges, key=lambda e: (type_names[e[1]], e[0], e[2])):
        writer.writerow([start, end, type_names[predicate]])

    cypher = load_cypher(labels, properties, columns, sorted(set(type_names.values())))
    return {f"{directory}/nodes.csv": nodes.getvalue().encode("utf-8"),
            f"{directory}/relationships.csv": rels.getvalue().encode("utf-8"),
            f"{directory}/load.cypher": cypher.encode("utf-8")}


def _convert(column: str) -> str:
    name, kind = column.split(":", 1)
    field = f"row.`{column}`"
    cast = {"long": "toInteger", "double": "toFloat", "boolean": "toBoolean"}.get(
        kind.removesuffix("[]"))
    if kind.endswith("[]"):
        items = f"split({field}, '{ARRAY_DELIMITER}')"
        return f"n.`{name}` = " + (f"[v IN {items} | {cast}(v)]" if cast else items)
    return f"n.`{name}` = " + (f"{cast}({field})" if cast else field)


def load_cypher(labels: dict[str, set[str]],
                properties: dict[str, dict[str, list[ox.NamedNode | ox.Literal]]],
                columns: dict[str, str], types: list[str]) -> str:
    """A Cypher script that loads nodes.csv and relationships.csv with LOAD CSV."""
    out = [
        "// tip-kg for Neo4j: loads nodes.csv and relationships.csv with LOAD CSV.",
        "// Copy both files into Neo4j's import directory, then run this script, e.g.",
        "//   cypher-shell -u neo4j -p PASSWORD -f load.cypher",
        f"// Multiple labels and array values are separated by '{ARRAY_DELIMITER}'.",
        f"// Generated by `kg build` from the graph at {BASE}; do not edit.",
        "",
    ]
    by_labels: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for node, names in labels.items():
        by_labels[tuple(sorted(names))].update(properties[node])
    for names in sorted(by_labels):
        out.append(f"CREATE CONSTRAINT {'_'.join(n.lower() for n in names)}_iri IF NOT EXISTS "
                   f"FOR (n:{names[-1]}) REQUIRE n.iri IS UNIQUE;")
    out.append("")
    for names in sorted(by_labels):
        sets = [_convert(columns[iri]) for iri in sorted(by_labels[names],
                                                         key=lambda i: columns[i])]
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
