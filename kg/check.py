"""The check step: positioned YAML nodes in, typed records and findings out.

Every problem becomes a finding with its `file:line:col`; checking goes on after an
error so that a run reports everything at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pycountry

from kg.concepts import ConceptSchemes
from kg.findings import Location, Report
from kg.places import Place, resolve_place, suggest_place
from kg.records import AssertionRecord, City, Literal, Quote, Seeds, SourceRecord
from kg.schema import (
    KIND_FIELDS,
    KINDS,
    PROVENANCE_FIELDS,
    SOURCE_FIELDS,
    YEAR_MAX,
    YEAR_MIN,
    FieldSpec,
    fields_of,
)
from kg.seedfile import Node

_ID = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
_SHA = re.compile(r"[0-9a-f]{64}\Z")
_COMMIT = re.compile(r"[0-9a-f]{40}\Z")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?\Z")
_INT = re.compile(r"[+]?\d+\Z")
_DECIMAL = re.compile(r"[+]?(\d+(\.\d*)?|\.\d+)\Z")
_MAX_DIGITS = 15  # below 2**53: every such integer is exact as a double
_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`]+\Z")
# a file name, or a relative path below a sources directory (`cib117-edgelists/x.txt`):
# no absolute path, no backslash, no `.` or `..` segment that could leave the directory
_FILENAME = re.compile(r"(?!\.\.?(?:/|\Z))[^/\\\x00]+(?:/(?!\.\.?(?:/|\Z))[^/\\\x00]+)*\Z")
_INVALID = object()
_SENTENCED = {"offenders_sentenced", "officials_sentenced"}


class _Checker:
    def __init__(self, concepts: ConceptSchemes, report: Report) -> None:
        self.concepts = concepts
        self.report = report

    def error(
        self, loc: Location, message: str, hint: str | None = None, code: str = "invalid"
    ) -> object:
        self.report.error(code, message, loc, hint)
        return _INVALID

    # -- one value ---------------------------------------------------------------
    def scalar(self, spec: FieldSpec, node: Node) -> Any:
        """Check one scalar node against `spec`; return the typed value or _INVALID."""
        if node.kind != "scalar":
            kind = "a list" if node.kind == "seq" else "a mapping"
            return self.error(
                node.loc, f"`{spec.name}` must be a single value, not {kind}", code="wrong-type"
            )
        text, tag = node.value, node.tag
        if tag == "null" and spec.type != "text":
            return self.error(node.loc, f"`{spec.name}` is empty", code="missing-field")
        handler = getattr(self, "_" + spec.type)
        return handler(spec, text, tag, node.loc)

    def _id(self, spec: FieldSpec, text: str, tag: str, loc: Location) -> Any:
        if not _ID.match(text):
            return self.error(
                loc,
                f"id {text!r} is not a valid identifier",
                "use lower-case letters, digits and '-', starting with a letter or digit",
            )
        return text

    def _kind(self, spec: FieldSpec, text: str, tag: str, loc: Location) -> Any:
        if text not in KIND_FIELDS:
            return self.error(
                loc, f"unknown kind {text!r}", _closest(text, KINDS), code="unknown-kind"
            )
        return text

    def _text(self, spec: FieldSpec, text: str, tag: str, loc: Location) -> Any:
        if tag == "null" or not text.strip():
            return self.error(loc, f"`{spec.name}` is empty", code="missing-field")
        return text.strip()

    _quote = _text

    def _filename(self, spec: FieldSpec, text: str, tag: str, loc: Location) -> Any:
        if not _FILENAME.match(text):
            return self.error(
                loc,
                f"`{spec.name}` must be a file name or a relative path inside a sources directory",
                "no leading /, no `..`; the directory is given by --sources or KG_SOURCES",
            )
        return text

    def _commit(self, spec: FieldSpec, text: str, tag: str, loc: Location) -> Any:
        if not _COMMIT.match(text):
            return self.error(
                loc,
                f"`{spec.name}` must be a full git commit id, 40 lower-case hex digits",
                "copy it from `git log` of the dataset's repository",
            )
        return text

    def _count(self, spec: FieldSpec, text: str, tag: str, loc: Location) -> Any:
        if tag != "int" or not _INT.match(text) or int(text) < 1:
            return self.error(
                loc,
                f"`{spec.name}` must be a whole number of at least 1, got {text[:20]!r}",
                code="wrong-type",
            )
        return int(text)

    def _iri(self, spec: FieldSpec, text: str, tag: str, loc: Location) -> Any:
        if not _IRI.match(text):
            return self.error(loc, f"`{spec.name}` {text!r} is not an http(s) IRI")
        return text

    def _sha256(self, spec: FieldSpec, text: str, tag: str, loc: Location) -> Any:
        if not _SHA.match(text):
            return self.error(
                loc,
                "`sha256` must be 64 lower-case hex digits",
                "run `sha256sum` on the source text",
            )
        return text

    def _date(self, spec: FieldSpec, text: str, tag: str, loc: Location) -> Any:
        m = _DATE.match(text)
        if not m:
            return self.error(
                loc, f"`{spec.name}` {text!r} is not a date", "write YYYY, YYYY-MM or YYYY-MM-DD"
            )
        year, month, day = (int(g) if g else None for g in m.groups())
        if not YEAR_MIN <= year <= YEAR_MAX:
            return self.error(
                loc,
                f"year {year} in `{spec.name}` is out of range",
                f"years run from {YEAR_MIN} to {YEAR_MAX}",
                code="out-of-range",
            )
        if month is not None and not 1 <= month <= 12:
            return self.error(
                loc, f"month {month} in `{spec.name}` does not exist", code="out-of-range"
            )
        if day is not None:
            import calendar

            if not 1 <= day <= calendar.monthrange(year, month)[1]:
                return self.error(
                    loc, f"day {day} in `{spec.name}` does not exist", code="out-of-range"
                )
        datatype = "date" if day else "gYearMonth" if month else "gYear"
        return Literal(text, datatype)

    def _year(self, spec: FieldSpec, text: str, tag: str, loc: Location) -> Any:
        if tag != "int" or not _INT.match(text):
            return self.error(
                loc,
                f"`{spec.name}` {text!r} is not a year",
                "write a four-digit year such as 2005",
                code="wrong-type",
            )
        year = int(text)
        if not YEAR_MIN <= year <= YEAR_MAX:
            return self.error(
                loc,
                f"year {year} is out of range",
                f"years run from {YEAR_MIN} to {YEAR_MAX}",
                code="out-of-range",
            )
        return year

    def _bool(self, spec: FieldSpec, text: str, tag: str, loc: Location) -> Any:
        if tag != "bool" or text not in ("true", "false"):
            return self.error(loc, f"`{spec.name}` must be true or false", code="wrong-type")
        return text == "true"

    def _number(self, spec: FieldSpec, text: str, tag: str, loc: Location) -> Any:
        """An integer or decimal that is not negative, or _INVALID (reported here)."""
        if _is_negative(text, tag):
            return self.error(
                loc,
                f"`{spec.name}` must not be negative, got {text}",
                "counts and amounts are zero or more",
                code="out-of-range",
            )
        if (
            tag in ("int", "float")
            and (_INT.match(text) or _DECIMAL.match(text))
            and len(text.lstrip("+0").split(".")[0]) > _MAX_DIGITS
        ):
            # a figure a report states fits a double exactly; a longer one is a typo, and
            # would turn into infinity or a rounded number downstream
            return self.error(
                loc,
                f"`{spec.name}` {text[:20]}{'...' if len(text) > 20 else ''}"
                f" is too large (at most {_MAX_DIGITS} digits before the dot)",
                "check the number against the source",
                code="out-of-range",
            )
        if tag == "int" and _INT.match(text):
            return Literal(str(int(text)), "integer")
        if tag == "float" and _DECIMAL.match(text):
            return Literal(text.lstrip("+"), "decimal")
        return self.error(
            loc,
            f"`{spec.name}` {text!r} is not a number",
            "write digits, with a dot for decimals",
            code="wrong-type",
        )

    _decimal = _number

    def _status(self, spec: FieldSpec, text: str, tag: str, loc: Location) -> Any:
        if text != "draft":
            return self.error(
                loc,
                f"`status` {text!r} is not a status",
                "the only status is draft; delete the line to accept the assertion",
                code="wrong-type",
            )
        return text

    def _confidence(self, spec: FieldSpec, text: str, tag: str, loc: Location) -> Any:
        value = self._number(spec, text, tag, loc)
        if value is not _INVALID and value.as_number() > 1:
            return self.error(
                loc,
                f"`confidence` {text} is not between 0 and 1",
                "write a decimal from 0.0 to 1.0",
                code="out-of-range",
            )
        return value

    def _value(self, spec: FieldSpec, text: str, tag: str, loc: Location) -> Any:
        if tag in ("int", "float"):
            return self._number(spec, text, tag, loc)
        return self._concept(spec, text, tag, loc)

    def _concept(self, spec: FieldSpec, text: str, tag: str, loc: Location) -> Any:
        concept = self.concepts.get(spec.scheme or "", text)
        if concept is None:
            return self.error(
                loc,
                f"unknown {spec.scheme} {text!r} in `{spec.name}`",
                self.concepts.suggest(spec.scheme or "", text),
                code="unknown-concept",
            )
        return concept

    def _currency(self, spec: FieldSpec, text: str, tag: str, loc: Location) -> Any:
        if pycountry.currencies.get(alpha_3=text.upper()) is None or text != text.upper():
            return self.error(
                loc,
                f"unknown currency {text!r}",
                "write an ISO 4217 code such as USD",
                code="unknown-currency",
            )
        return text

    def _place(
        self, spec: FieldSpec, text: str, tag: str, loc: Location, countries_only: bool = False
    ) -> Any:
        place = resolve_place(text)
        if place is None:
            return self.error(
                loc,
                f"unknown country or region {text!r}",
                suggest_place(text),
                code="unknown-country",
            )
        if countries_only and place.kind != "country":
            return self.error(
                loc,
                f"`{spec.name}` must be a country, and {text!r} is a region",
                code="unknown-country",
            )
        return place

    def _country(self, spec: FieldSpec, text: str, tag: str, loc: Location) -> Any:
        return self._place(spec, text, tag, loc, countries_only=True)

    def _article(self, spec: FieldSpec, text: str, tag: str, loc: Location) -> Any:
        if not text.strip():
            return self.error(loc, "`article` is empty", code="missing-field")
        return text.strip()

    def _ref(self, spec: FieldSpec, text: str, tag: str, loc: Location) -> Any:
        return self._id(spec, text, tag, loc)

    def _city(self, spec: FieldSpec, text: str, tag: str, loc: Location) -> Any:
        return self._text(spec, text, tag, loc)

    # -- one field, one mapping --------------------------------------------------
    def field(self, spec: FieldSpec, node: Node) -> Any:
        if spec.type == "period":
            return self.period(spec, node)
        if node.kind == "seq":
            if not spec.many:
                return self.error(
                    node.loc, f"`{spec.name}` takes one value, not a list", code="wrong-type"
                )
            values = [self.scalar(spec, item) for item in node.value]
            if any(v is _INVALID for v in values):
                return _INVALID
            return tuple(values)
        if node.kind == "scalar" and node.tag == "null" and spec.many:
            return ()
        value = self.scalar(spec, node)
        if value is _INVALID:
            return _INVALID
        return (value,) if spec.many else value

    def period(self, spec: FieldSpec, node: Node) -> Any:
        if node.kind != "map":
            return self.error(
                node.loc, "`period` must be a mapping {start: DATE, end: DATE}", code="wrong-type"
            )
        specs = {"start": FieldSpec("start", "date", True), "end": FieldSpec("end", "date", True)}
        values = self.mapping(node, specs, "period")
        if values is _INVALID:
            return _INVALID
        start, end = values["start"], values["end"]
        if _date_key(start) > _date_key(end):
            return self.error(node.loc, "`period` ends before it starts", code="out-of-range")
        return start, end

    def mapping(self, node: Node, specs: dict[str, FieldSpec], what: str) -> Any:
        """Check every field of a mapping node; return {name: value} or _INVALID."""
        ok = True
        values: dict[str, Any] = {}
        for key, child in node.value.items():
            spec = specs.get(key)
            if spec is None:
                self.error(
                    node.key_locs[key],
                    f"unknown field {key!r} in {what}",
                    _closest(key, list(specs)),
                    code="unknown-field",
                )
                ok = False
                continue
            value = self.field(spec, child)
            if value is _INVALID:
                ok = False
            else:
                values[key] = value
        for spec in specs.values():
            if spec.required and spec.name not in node.value:
                self.error(
                    node.loc,
                    f"{what} is missing the required field `{spec.name}`",
                    code="missing-field",
                )
                ok = False
            elif spec.required and spec.many and values.get(spec.name) == ():
                self.error(
                    node.key_locs[spec.name],
                    f"`{spec.name}` must not be empty",
                    code="missing-field",
                )
                ok = False
        return values if ok else _INVALID


def _is_negative(text: str, tag: str) -> bool:
    return tag in ("int", "float") and text.startswith("-")


def _date_key(value: Literal) -> str:
    return value.text + "-00-00"[len(value.text) - 4 :] if len(value.text) < 10 else value.text


def _closest(word: str, options: Iterable[str]) -> str:
    import difflib

    options = sorted(options)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    return "allowed: " + ", ".join(options)


def check_files(
    parsed: list[tuple[str, Node]],
    concepts: ConceptSchemes,
    report: Report,
    references: bool = True,
) -> Seeds:
    """Check parsed seed files; return the records of everything that passed.

    With `references=False` the checks across files (unique ids, actor references) are
    left to the caller's `check_references`, which the pipeline runs over all files.
    """
    checker = _Checker(concepts, report)
    seeds = Seeds()
    source_specs = {f.name: f for f in SOURCE_FIELDS}
    for path, root in parsed:
        if root.kind != "map":
            checker.error(
                root.loc,
                "a seed file must be a mapping with `source:` and `assertions:`",
                code="wrong-type",
            )
            continue
        top = {
            "source": FieldSpec("source", "map", True),
            "assertions": FieldSpec("assertions", "seq", True),
        }
        for key in root.value:
            if key not in top:
                checker.error(
                    root.key_locs[key],
                    f"unknown top-level field {key!r}",
                    _closest(key, top),
                    code="unknown-field",
                )
        for name in top:
            if name not in root.value:
                checker.error(root.loc, f"the file has no `{name}:` section", code="missing-field")
        source = _check_source(checker, root.get("source"), source_specs)
        if source is not None:
            seeds.sources.append(source)
            seeds.files[source.id] = path
        source_id = source.id if source else "?"
        items = root.get("assertions")
        if items is None:
            continue
        if items.kind != "seq":
            checker.error(items.loc, "`assertions:` must be a list", code="wrong-type")
            continue
        for item in items.value:
            record = _check_assertion(checker, item, source_id)
            if record is not None:
                seeds.assertions.append(record)
    if references:
        check_references(seeds, report)
    return seeds


def _check_source(
    checker: _Checker, node: Node | None, specs: dict[str, FieldSpec]
) -> SourceRecord | None:
    if node is None:
        return None
    if node.kind != "map":
        checker.error(node.loc, "`source:` must be a mapping", code="wrong-type")
        return None
    values = checker.mapping(node, specs, "the source header")
    if values is _INVALID:
        return None
    start, end = values["period"]
    provenance = {name: values[name] for name in PROVENANCE_FIELDS if name in values}
    return SourceRecord(
        id=values["id"],
        title=values["title"],
        publisher=values["publisher"],
        published=values["published"],
        period_start=start,
        period_end=end,
        text=values["text"],
        sha256=values["sha256"],
        license=values["license"],
        url=values.get("url"),
        note=values.get("note"),
        loc=node.loc,
        field_locs=dict(node.key_locs),
        cycle=values.get("cycle"),
        provenance=provenance,
    )


def _check_assertion(checker: _Checker, node: Node, source_id: str) -> AssertionRecord | None:
    if node.kind != "map":
        checker.error(node.loc, "an assertion must be a mapping of fields", code="wrong-type")
        return None
    kind_node = node.get("kind")
    if kind_node is None:
        checker.error(
            node.loc,
            "assertion is missing the required field `kind`",
            f"one of: {', '.join(KINDS)}",
            code="missing-field",
        )
        return None
    kind = checker.scalar(FieldSpec("kind", "kind", True), kind_node)
    if kind is _INVALID:
        return None
    specs = fields_of(kind)
    internal = node.get("internal")
    if kind == "flow" and internal is not None and internal.value == "true":
        # internal trafficking: the destination is the origin unless written out
        specs = {**specs, "destination": FieldSpec("destination", "place", False, True)}
    values = checker.mapping(node, specs, f"a {kind} assertion")
    if values is _INVALID:
        return None
    record = AssertionRecord(
        id=values["id"],
        kind=kind,
        source_id=source_id,
        loc=node.loc,
        fields={
            k: v
            for k, v in values.items()
            if k not in ("id", "kind", "evidence", "note", "support")
        },
        evidence=tuple(
            Quote(q, _item_loc(node.value["evidence"], i)) for i, q in enumerate(values["evidence"])
        ),
        note=values.get("note"),
        field_locs=dict(node.key_locs),
        support=values.get("support"),
    )
    if values.get("status") == "draft":
        checker.report.warning(
            "draft",
            f"assertion {values['id']!r} is a draft of `kg draft`",
            node.key_locs["status"],
            "review it against the source, then delete its `status` line",
        )
    return _check_kind_rules(checker, record)


def _item_loc(node: Node, index: int) -> Location:
    return node.value[index].loc if node.kind == "seq" else node.loc


def _routes_with_a_place_twice(
    origins: tuple[Place, ...],
    transit: tuple[Place, ...],
    destinations: tuple[Place, ...],
    internal: bool,
) -> list[list[Place]]:
    """Every route the mapping expands a flow into that visits a place twice.

    The mapping makes one route per origin and destination (a country is its own
    destination only in an internal flow), so each of them is checked, not just the first.

    >>> kaz, kgz, rus = (resolve_place(n) for n in ("KAZ", "KGZ", "RUS"))
    >>> [[p.code for p in r] for r in _routes_with_a_place_twice((kaz, kgz), (kgz,), (rus,), False)]
    [['KGZ', 'KGZ', 'RUS']]
    >>> _routes_with_a_place_twice((kaz,), (kgz,), (rus,), False)
    []
    """
    if not transit:
        return []
    bad = []
    for origin in origins:
        for destination in destinations or origins:
            if (origin == destination) != internal:
                continue
            # an internal route ends where it starts: that return is not a repeat
            stops = [origin, *transit] + ([] if internal else [destination])
            if len(set(stops)) < len(stops) or (internal and destination in transit):
                bad.append([origin, *transit, destination])
    return bad


def _check_kind_rules(checker: _Checker, record: AssertionRecord) -> AssertionRecord | None:
    """Rules that tie several fields of one assertion together."""
    f = record.fields
    loc_of = record.field_locs.get
    ok = True
    if record.kind == "flow":
        origins = record.many("origin")
        if f.get("internal"):
            dests = record.many("destination") or origins
            if any(d != o for o in origins for d in dests):
                checker.error(
                    loc_of("destination", record.loc),
                    "an internal flow must have its origin as destination",
                    "drop `destination`, or drop `internal: true`",
                )
                ok = False
            f["destination"] = dests
        elif not any(o != d for o in origins for d in record.many("destination")):
            checker.error(
                loc_of("destination", record.loc),
                "every destination equals the origin",
                "for trafficking within a country write `internal: true`",
            )
            ok = False
        bad = _routes_with_a_place_twice(
            origins, record.many("transit"), record.many("destination"), bool(f.get("internal"))
        )
        if bad:
            shown = "; ".join(" → ".join(p.label for p in route) for route in bad[:3])
            more = f" (and {len(bad) - 3} more)" if len(bad) > 3 else ""
            checker.error(
                loc_of("transit", record.loc),
                f"a route passes the same place twice: {shown}{more}",
                "a transit cannot be an origin or destination of the same flow, nor "
                "listed twice; state the routes through it as a flow of their own",
            )
            ok = False
    if record.kind == "indicator":
        if "currency" in f and not isinstance(f["value"], Literal):
            checker.error(loc_of("currency", record.loc), "`currency` needs a numeric `value`")
            ok = False
        if "sentence_years" in f and f["metric"].notation not in _SENTENCED:
            checker.error(
                loc_of("sentence_years", record.loc),
                "`sentence_years` belongs to a count of people sentenced",
                "use metric " + " or ".join(sorted(_SENTENCED)),
            )
            ok = False
    for name in ("place",):
        if name in f:
            country = f.get("country")
            if not isinstance(country, Place):
                checker.error(
                    loc_of(name, record.loc),
                    "`place` needs a `country` to lie in",
                    code="missing-field",
                )
                ok = False
            else:
                f[name] = City(f[name], country.code)
    if record.kind == "trend" and "compared_to" in f and f["compared_to"] == f["year"]:
        checker.error(loc_of("compared_to", record.loc), "a trend compares two different years")
        ok = False
    return record if ok else None


@dataclass
class References:
    """What the checks across files need of a file's records: ids, kinds, actor names."""

    sources: list[tuple[str, Location]] = field(default_factory=list)
    assertions: list[tuple[str, str, Location]] = field(default_factory=list)  # id, kind, at
    actors: list[tuple[str, Location]] = field(default_factory=list)  # name, where used

    @classmethod
    def of(cls, seeds: Seeds) -> References:
        return cls(
            [(s.id, s.field_locs.get("id", s.loc)) for s in seeds.sources],
            [(r.id, r.kind, r.field_locs.get("id", r.loc)) for r in seeds.assertions],
            [
                (ref, r.field_locs.get("actor", r.loc))
                for r in seeds.assertions
                for ref in r.many("actor")
            ],
        )

    def extend(self, other: References) -> None:
        self.sources.extend(other.sources)
        self.assertions.extend(other.assertions)
        self.actors.extend(other.actors)


def check_references(seeds: Seeds | References, report: Report) -> None:
    """Ids unique across all seeds; `actor` names an organization assertion."""
    refs = seeds if isinstance(seeds, References) else References.of(seeds)
    first: dict[str, Location] = {}
    for source_id, loc in refs.sources:
        if source_id in first:
            report.error(
                "duplicate-id",
                f"source id {source_id!r} is used twice (first at {first[source_id]})",
                loc,
                "every source needs its own id",
            )
        first.setdefault(source_id, loc)
    seen: dict[str, Location] = {}
    for record_id, _, loc in refs.assertions:
        if record_id in seen:
            report.error(
                "duplicate-id",
                f"assertion id {record_id!r} is used twice (first at {seen[record_id]})",
                loc,
                "give each assertion its own id",
            )
        else:
            seen[record_id] = loc
    kinds = {record_id: kind for record_id, kind, _ in refs.assertions}
    for ref, loc in refs.actors:
        if kinds.get(ref) != "organization":
            what = "no assertion" if ref not in kinds else f"a {kinds[ref]}"
            report.error(
                "bad-reference",
                f"actor {ref!r} is {what}, not an organization",
                loc,
                "name the id of an `organization` assertion",
            )
