"""The build cache's values as plain data (JSON and raw bytes), and back: no pickle.

`kg.cache` keeps, per seed file, its unit (findings, references, conflict claims, export
summary), its checked records and its export pieces. Pickle would rebuild any object an
entry names, so a planted entry could run code; here every stored class has an explicit
encoder and a strict decoder. The decoder checks the type and shape of every field,
accepts tagged values from a closed set only, and raises `CodecError` on anything else,
so a damaged or foreign entry is rejected whole rather than half read. Who wrote an entry
is a separate question, answered by the entry's HMAC in `kg.cache`.

Layout (a change to it changes tip-kg's code hash, hence every cache key):
- unit and records: one JSON document each, with lists for fixed-shape tuples
  (a location is `[path, line, col]`);
- pieces: one JSON line describing them, then the raw byte blobs it refers to by index
  (N-Quads, TriG, N-Triples, Turtle, the Neo4j rows), so large blocks are not escaped.
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any, NoReturn

from kg.check import References
from kg.compare import Claim
from kg.concepts import Concept
from kg.findings import Finding, Location
from kg.pieces import Counts, Neo4jPart, Pieces, Summary
from kg.places import Place
from kg.records import AssertionRecord, City, Literal, Quote, Seeds, SourceRecord

_SEVERITIES = frozenset({"error", "warning", "info"})
_DATATYPES = frozenset({"integer", "decimal", "gYear", "gYearMonth", "date", "boolean", "string"})
_PLACE_FIELDS = tuple(f.name for f in fields(Place))
_PLACE_REQUIRED = frozenset({"kind", "code", "label", "iri"})


class CodecError(ValueError):
    """A stored value does not have the shape this version of tip-kg writes."""


def _reject(what: str) -> NoReturn:
    raise CodecError(what)


# --- strict readers of JSON values --------------------------------------------------


def _str(value: Any, what: str) -> str:
    if type(value) is not str:
        _reject(f"{what}: expected a string")
    return value


def _opt_str(value: Any, what: str) -> str | None:
    return None if value is None else _str(value, what)


def _opt_year(value: Any) -> int | None:
    return None if value is None else _int(value, "cycle")


def _int(value: Any, what: str) -> int:
    if type(value) is not int:  # bool is an int subclass, and not wanted here
        _reject(f"{what}: expected an integer")
    return value


def _bool(value: Any, what: str) -> bool:
    if type(value) is not bool:
        _reject(f"{what}: expected true or false")
    return value


def _list(value: Any, what: str, length: int | None = None) -> list[Any]:
    if type(value) is not list or (length is not None and len(value) != length):
        _reject(f"{what}: expected a list" + (f" of {length}" if length is not None else ""))
    return value


def _dict(value: Any, what: str, keys: frozenset[str] | None = None) -> dict[str, Any]:
    if type(value) is not dict or (keys is not None and value.keys() != keys):
        _reject(f"{what}: expected an object" + (f" with {sorted(keys)}" if keys else ""))
    return value


def _str_map(value: Any, what: str) -> dict[str, str]:
    return {k: _str(v, what) for k, v in _dict(value, what).items()}


def _int_map(value: Any, what: str) -> dict[str, int]:
    return {k: _int(v, what) for k, v in _dict(value, what).items()}


def _strs(value: Any, what: str) -> list[str]:
    # one pass over the list instead of a call per item: these lists are long
    if type(value) is not list or not all(type(v) is str for v in value):
        _reject(f"{what}: expected a list of strings")
    return value


def _str_set(value: Any, what: str) -> frozenset[str]:
    return frozenset(_strs(value, what))


def _lines(value: Any, what: str) -> list[bytes]:
    return [v.encode("utf-8", "surrogatepass") for v in _strs(value, what)]


# --- locations and findings ---------------------------------------------------------


def location_data(loc: Location) -> list[Any]:
    return [loc.path, loc.line, loc.col]


def location_from(value: Any) -> Location:
    # inlined checks: a unit holds a location per assertion, read on every run
    if type(value) is list and len(value) == 3:
        path, line, col = value
        if type(path) is str and type(line) is int and type(col) is int:
            return Location(path, line, col)
    _reject("location: expected [path, line, column]")


def _opt_location_from(value: Any) -> Location | None:
    return None if value is None else location_from(value)


def finding_data(finding: Finding) -> list[Any]:
    loc = finding.location
    return [
        finding.severity,
        finding.code,
        finding.message,
        location_data(loc) if loc else None,
        finding.hint,
    ]


def finding_from(value: Any) -> Finding:
    severity, code, message, loc, hint = _list(value, "finding", 5)
    if severity not in _SEVERITIES:
        _reject("finding: unknown severity")
    return Finding(
        severity,
        _str(code, "finding code"),
        _str(message, "finding message"),
        _opt_location_from(loc),
        _opt_str(hint, "finding hint"),
    )


def findings_from(value: Any) -> list[Finding]:
    return [finding_from(item) for item in _list(value, "findings")]


# --- what the checks across files need ----------------------------------------------


def references_data(refs: References) -> dict[str, Any]:
    return {
        "sources": [[i, location_data(loc)] for i, loc in refs.sources],
        "assertions": [[i, kind, location_data(loc)] for i, kind, loc in refs.assertions],
        "actors": [[name, location_data(loc)] for name, loc in refs.actors],
    }


def references_from(value: Any) -> References:
    data = _dict(value, "references", frozenset({"sources", "assertions", "actors"}))
    sources = []
    for item in _list(data["sources"], "references"):
        i, loc = _list(item, "source reference", 2)
        sources.append((_str(i, "source id"), location_from(loc)))
    assertions = []
    for item in _list(data["assertions"], "references"):
        i, kind, loc = _list(item, "assertion reference", 3)
        assertions.append((_str(i, "assertion id"), _str(kind, "kind"), location_from(loc)))
    actors = []
    for item in _list(data["actors"], "references"):
        name, loc = _list(item, "actor reference", 2)
        actors.append((_str(name, "actor"), location_from(loc)))
    return References(sources, assertions, actors)


def claims_data(claims: list[Claim]) -> list[Any]:
    return [
        [kind, subject, period, aspect, value, label, source, record, location_data(loc)]
        for kind, subject, period, aspect, value, label, source, record, loc in claims
    ]


def _opt_int(value: Any, what: str) -> int | None:
    return None if value is None else _int(value, what)


def claims_from(value: Any) -> list[Claim]:
    claims: list[Claim] = []
    for item in _list(value, "claims"):
        kind, subject, period, aspect, claimed, label, source, record, loc = _list(item, "claim", 9)
        claims.append(
            (
                _str(kind, "claim kind"),
                _str(subject, "claim subject"),
                _opt_int(period, "claim period"),
                _str(aspect, "claim aspect"),
                _str(claimed, "claim value"),
                _opt_int(label, "claim year"),
                _str(source, "claim source"),
                _str(record, "claim record"),
                location_from(loc),
            )
        )
    return claims


# --- export summaries and pieces ----------------------------------------------------


def _columns_data(columns: dict[str, tuple[frozenset[str], bool]]) -> dict[str, Any]:
    return {iri: [sorted(kinds), many] for iri, (kinds, many) in columns.items()}


def _columns_from(value: Any) -> dict[str, tuple[frozenset[str], bool]]:
    out = {}
    for iri, item in _dict(value, "columns").items():
        kinds, many = _list(item, "column", 2)
        out[iri] = (_str_set(kinds, "column kinds"), _bool(many, "column many"))
    return out


def _label_props_from(value: Any) -> dict[str, frozenset[str]]:
    return {k: _str_set(v, "label properties") for k, v in _dict(value, "labels").items()}


_SUMMARY_KEYS = frozenset(
    {"graph_quads", "own", "shared", "columns", "label_props", "edge_predicates"}
)


def summary_data(summary: Summary) -> dict[str, Any]:
    own = summary.own
    return {
        "graph_quads": summary.graph_quads,
        "own": [
            own.triples,
            own.subjects,
            sorted(p.decode("utf-8", "surrogatepass") for p in own.predicates),
            own.classes,
        ],
        "shared": [line.decode("utf-8", "surrogatepass") for line in summary.shared],
        "columns": _columns_data(summary.columns),
        "label_props": {k: sorted(v) for k, v in summary.label_props.items()},
        "edge_predicates": sorted(summary.edge_predicates),
    }


def summary_from(value: Any) -> Summary:
    data = _dict(value, "summary", _SUMMARY_KEYS)
    triples, subjects, predicates, classes = _list(data["own"], "counts", 4)
    own = Counts(
        _int(triples, "triples"),
        _int(subjects, "subjects"),
        frozenset(_lines(predicates, "predicates")),
        _int_map(classes, "classes"),
    )
    return Summary(
        _int_map(data["graph_quads"], "graph quads"),
        own,
        _lines(data["shared"], "shared lines"),
        _columns_from(data["columns"]),
        _label_props_from(data["label_props"]),
        _str_set(data["edge_predicates"], "edge predicates"),
    )


_PIECES_KEYS = frozenset({"graphs", "nt", "turtle", "jsonld", "jsonld_count", "neo4j", "blobs"})
_NEO4J_KEYS = frozenset({"nodes", "edges", "edge_types", "rendered", "columns", "label_props"})


def _edge_lines(edges: list[tuple[str, str, str]]) -> bytes:
    # Edges are IRI triples, the bulk of a part; IRIs hold no space or line break
    # (Oxigraph checks them), so a line of three words each is unambiguous and cheap.
    text = "\n".join(" ".join(edge) for edge in edges)
    if text.count("\n") != max(0, len(edges) - 1) or text.count(" ") != 2 * len(edges):
        _reject("edges: an IRI holds a space or a line break")
    return text.encode("utf-8", "surrogatepass")


def _edges_from(data: bytes) -> list[tuple[str, str, str]]:
    if not data:
        return []
    try:
        rows = [
            tuple(line.split(" ")) for line in data.decode("utf-8", "surrogatepass").split("\n")
        ]
    except UnicodeDecodeError:
        _reject("edges: not UTF-8")
    if any(len(row) != 3 for row in rows):
        _reject("edges: expected three IRIs a line")
    return rows  # type: ignore[return-value]


def pieces_bytes(pieces: Pieces) -> bytes:
    """`pieces` as one JSON line followed by the byte blobs it refers to by index. The
    JSON-LD node texts go in a blob too, separated by NUL (which JSON text escapes), as
    escaping them again inside the JSON line made reading them back three times slower."""
    blobs: list[bytes] = []

    def blob(data: bytes) -> int:
        blobs.append(data)
        return len(blobs) - 1

    part = pieces.neo4j
    head = {
        "graphs": [[iri, blob(nq), blob(trig)] for iri, (nq, trig) in pieces.graphs.items()],
        "nt": blob(pieces.nt),
        "turtle": blob(pieces.turtle),
        "jsonld": blob("\0".join(pieces.jsonld).encode("utf-8", "surrogatepass")),
        "jsonld_count": len(pieces.jsonld),
        "neo4j": {
            "nodes": [[iri, labels, props] for iri, labels, props in part.nodes],
            "edges": blob(_edge_lines(part.edges)),
            "edge_types": part.edge_types,
            "rendered": blob(part.rendered),
            "columns": _columns_data(part.columns),
            "label_props": {k: sorted(v) for k, v in part.label_props.items()},
        },
    }
    head["blobs"] = [len(b) for b in blobs]
    return json.dumps(head, separators=(",", ":")).encode() + b"\n" + b"".join(blobs)


def pieces_from(data: bytes, start: int = 0) -> Pieces:
    """The pieces `pieces_bytes` wrote at `data[start:]` (read in place: no copy of the
    whole); `CodecError` if they are anything else."""
    end = data.find(b"\n", start)
    if end < 0:
        _reject("pieces: no header line")
    head = _dict(json_from(data[start:end]), "pieces", _PIECES_KEYS)
    blobs: list[bytes] = []
    at = end + 1
    for size in _list(head["blobs"], "blob sizes"):
        if _int(size, "blob size") < 0 or at + size > len(data):
            _reject("pieces: blob runs past the end")
        blobs.append(data[at : at + size])
        at += size
    if at != len(data):
        _reject("pieces: bytes after the last blob")

    def blob(index: Any) -> bytes:
        if type(index) is not int or not 0 <= index < len(blobs):
            _reject("pieces: no such blob")
        return blobs[index]

    graphs = {}
    for item in _list(head["graphs"], "graphs"):
        iri, nq, trig = _list(item, "graph", 3)
        graphs[_str(iri, "graph IRI")] = (blob(nq), blob(trig))
    neo = _dict(head["neo4j"], "neo4j", _NEO4J_KEYS)
    nodes = []
    for item in _list(neo["nodes"], "nodes"):
        iri, labels, props = _list(item, "node", 3)
        if type(iri) is not str or type(labels) is not str:
            _reject("node: expected an IRI and labels")
        for values in _dict(props, "node properties").values():
            _strs(values, "node property")
        nodes.append((iri, labels, props))
    part = Neo4jPart(
        nodes,
        _edges_from(blob(neo["edges"])),
        _str_map(neo["edge_types"], "edge types"),
        blob(neo["rendered"]),
        _columns_from(neo["columns"]),
        _label_props_from(neo["label_props"]),
    )
    count = _int(head["jsonld_count"], "JSON-LD node count")
    try:
        text = blob(head["jsonld"]).decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        _reject("pieces: JSON-LD nodes are not UTF-8")
    jsonld = text.split("\0") if count else []
    if len(jsonld) != count or (not count and text):
        _reject("pieces: wrong number of JSON-LD nodes")
    return Pieces(graphs, blob(head["nt"]), blob(head["turtle"]), jsonld, part)


# --- checked records ----------------------------------------------------------------


def _value_data(value: Any) -> Any:
    # the closed set of what a record's field holds (see AssertionRecord.fields)
    kind = type(value)
    if kind in (str, int, bool):
        return value
    if kind is tuple:
        return {"tuple": [_value_data(v) for v in value]}
    if kind is Literal:
        return {"literal": [value.text, value.datatype]}
    if kind is Concept:
        return {"concept": [value.scheme, value.notation, value.iri, value.label]}
    if kind is Place:
        return {"place": [getattr(value, name) for name in _PLACE_FIELDS]}
    if kind is City:
        return {"city": [value.name, value.country]}
    _reject(f"record field: cannot store a {kind.__name__}")


def _literal_from(value: Any) -> Literal:
    text, datatype = _list(value, "literal", 2)
    if datatype not in _DATATYPES:
        _reject("literal: unknown datatype")
    return Literal(_str(text, "literal text"), datatype)


def _value_from(value: Any, nested: bool = False) -> Any:
    kind = type(value)
    if kind in (str, int, bool):
        return value
    if kind is not dict or len(value) != 1:
        _reject("record field: unexpected value")
    ((tag, body),) = value.items()
    if tag == "tuple" and not nested:  # list fields hold scalars, never lists
        return tuple(_value_from(v, True) for v in _list(body, "tuple"))
    if tag == "literal":
        return _literal_from(body)
    if tag == "concept":
        scheme, notation, iri, label = _list(body, "concept", 4)
        return Concept(
            _str(scheme, "scheme"),
            _str(notation, "notation"),
            _str(iri, "IRI"),
            _str(label, "label"),
        )
    if tag == "place":
        parts = _list(body, "place", len(_PLACE_FIELDS))
        values = {
            name: (_str(v, name) if name in _PLACE_REQUIRED else _opt_str(v, name))
            for name, v in zip(_PLACE_FIELDS, parts, strict=True)
        }
        if values["kind"] not in ("country", "region"):
            _reject("place: unknown kind")
        return Place(**values)
    if tag == "city":
        name, country = _list(body, "city", 2)
        return City(_str(name, "city"), _str(country, "city country"))
    _reject("record field: unknown tag")


def _locs_data(locs: dict[str, Location]) -> dict[str, Any]:
    return {name: location_data(loc) for name, loc in locs.items()}


def _locs_from(value: Any) -> dict[str, Location]:
    return {name: location_from(loc) for name, loc in _dict(value, "field locations").items()}


_SOURCE_KEYS = frozenset(
    {
        "id",
        "title",
        "publisher",
        "published",
        "period_start",
        "period_end",
        "text",
        "sha256",
        "license",
        "loc",
        "url",
        "note",
        "field_locs",
        "cycle",
        "provenance",
    }
)
_ASSERTION_KEYS = frozenset(
    {"id", "kind", "source_id", "loc", "fields", "evidence", "note", "field_locs", "support"}
)


def _source_data(s: SourceRecord) -> dict[str, Any]:
    return {
        "id": s.id,
        "title": s.title,
        "publisher": s.publisher,
        "published": _value_data(s.published)["literal"],
        "period_start": _value_data(s.period_start)["literal"],
        "period_end": _value_data(s.period_end)["literal"],
        "text": s.text,
        "sha256": s.sha256,
        "license": s.license,
        "loc": location_data(s.loc),
        "url": s.url,
        "note": s.note,
        "field_locs": _locs_data(s.field_locs),
        "cycle": s.cycle,
        "provenance": {name: _value_data(v) for name, v in s.provenance.items()},
    }


def _source_from(value: Any) -> SourceRecord:
    d = _dict(value, "source", _SOURCE_KEYS)
    return SourceRecord(
        id=_str(d["id"], "id"),
        title=_str(d["title"], "title"),
        publisher=_str(d["publisher"], "publisher"),
        published=_literal_from(d["published"]),
        period_start=_literal_from(d["period_start"]),
        period_end=_literal_from(d["period_end"]),
        text=_str(d["text"], "text"),
        sha256=_str(d["sha256"], "sha256"),
        license=_str(d["license"], "license"),
        loc=location_from(d["loc"]),
        url=_opt_str(d["url"], "url"),
        note=_opt_str(d["note"], "note"),
        field_locs=_locs_from(d["field_locs"]),
        cycle=_opt_year(d["cycle"]),
        provenance={
            name: _value_from(v) for name, v in _dict(d["provenance"], "provenance").items()
        },
    )


def _assertion_data(r: AssertionRecord) -> dict[str, Any]:
    return {
        "id": r.id,
        "kind": r.kind,
        "source_id": r.source_id,
        "loc": location_data(r.loc),
        "fields": {name: _value_data(v) for name, v in r.fields.items()},
        "evidence": [[q.text, location_data(q.loc)] for q in r.evidence],
        "note": r.note,
        "field_locs": _locs_data(r.field_locs),
        "support": r.support,
    }


def _assertion_from(value: Any) -> AssertionRecord:
    d = _dict(value, "assertion", _ASSERTION_KEYS)
    evidence = []
    for item in _list(d["evidence"], "evidence"):
        text, loc = _list(item, "quote", 2)
        evidence.append(Quote(_str(text, "quote"), location_from(loc)))
    return AssertionRecord(
        id=_str(d["id"], "id"),
        kind=_str(d["kind"], "kind"),
        source_id=_str(d["source_id"], "source id"),
        loc=location_from(d["loc"]),
        fields={name: _value_from(v) for name, v in _dict(d["fields"], "fields").items()},
        evidence=tuple(evidence),
        note=_opt_str(d["note"], "note"),
        field_locs=_locs_from(d["field_locs"]),
        support=None if d["support"] is None else _int(d["support"], "support"),
    )


def seeds_bytes(seeds: Seeds) -> bytes:
    """A file's checked records as a JSON document."""
    return json_bytes(
        {
            "sources": [_source_data(s) for s in seeds.sources],
            "assertions": [_assertion_data(r) for r in seeds.assertions],
            "files": seeds.files,
        }
    )


def seeds_from(data: bytes) -> Seeds:
    """The records `seeds_bytes` wrote; `CodecError` if `data` is anything else."""
    d = _dict(json_from(data), "records", frozenset({"sources", "assertions", "files"}))
    return Seeds(
        [_source_from(s) for s in _list(d["sources"], "sources")],
        [_assertion_from(r) for r in _list(d["assertions"], "assertions")],
        _str_map(d["files"], "files"),
    )


# --- JSON itself --------------------------------------------------------------------


def json_bytes(value: Any) -> bytes:
    """Plain values as compact JSON (ASCII: a lone surrogate in a message survives)."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False).encode()


def json_from(data: bytes) -> Any:
    """A JSON document, or `CodecError`."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:  # bad UTF-8 is a ValueError too
        raise CodecError(f"not JSON: {exc}") from exc
