"""The seed format, as data: which fields each kind of assertion has, and their types.

`seeds/README.md` documents the same format for people; `tests/test_schema_doc.py`
keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldSpec:
    """One field of a seed: its type, whether it is required, whether it takes a list."""

    name: str
    type: str
    required: bool = False
    many: bool = False
    scheme: str | None = None  # for type "concept" (and "value": its category scheme)


def _f(
    name: str, type_: str, required: bool = False, many: bool = False, scheme: str | None = None
) -> FieldSpec:
    return FieldSpec(name, type_, required, many, scheme)


SOURCE_FIELDS: tuple[FieldSpec, ...] = (
    _f("id", "id", True),
    _f("title", "text", True),
    _f("publisher", "text", True),
    _f("url", "iri"),
    _f("published", "date", True),
    _f("period", "period", True),
    _f("text", "filename", True),
    _f("sha256", "sha256", True),
    _f("license", "iri", True),
    _f("cycle", "year"),
    _f("note", "text"),
    # provenance of a published dataset (written by `kg import`; optional for curated texts)
    _f("method", "concept", scheme="method"),
    _f("authors", "text", many=True),
    _f("repository", "iri"),
    _f("commit", "commit"),
    _f("derived_from", "text"),
)

# Source header fields that SourceRecord keeps in `provenance` rather than as attributes.
PROVENANCE_FIELDS: tuple[str, ...] = ("method", "authors", "repository", "commit", "derived_from")

COMMON_FIELDS: tuple[FieldSpec, ...] = (
    _f("id", "id", True),
    _f("kind", "kind", True),
    _f("evidence", "quote", True, many=True),
    _f("cycle", "year"),
    _f("note", "text"),
    # a drafted assertion (kg draft) until a curator accepts it by deleting `status`
    _f("status", "status"),
    _f("confidence", "confidence"),
    _f("support", "count"),
)

KIND_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "flow": (
        _f("origin", "place", True, many=True),
        _f("transit", "place", many=True),
        _f("destination", "place", True, many=True),
        _f("purpose", "concept", many=True, scheme="purpose"),
        _f("sector", "concept", many=True, scheme="sector"),
        _f("victim_group", "concept", many=True, scheme="victim_group"),
        _f("year", "year", True, many=True),
        _f("internal", "bool"),
    ),
    "indicator": (
        _f("country", "country", True),
        _f("year", "year", True),
        _f("metric", "concept", True, scheme="metric"),
        _f("value", "value", True, scheme="category"),
        _f("currency", "currency"),
        _f("qualifier", "concept", scheme="qualifier"),
        _f("purpose", "concept", many=True, scheme="purpose"),
        _f("victim_group", "concept", many=True, scheme="victim_group"),
        _f("sentence_years", "decimal"),
    ),
    "law_article": (
        _f("jurisdiction", "country", True),
        _f("code", "text", True),
        _f("article", "article", True, many=True),
        _f("prohibits", "concept", many=True, scheme="purpose"),
        _f("max_penalty_years", "decimal"),
        _f("year", "year"),
    ),
    "legal_instrument": (
        _f("jurisdiction", "country", True),
        _f("instrument_type", "concept", True, scheme="instrument_type"),
        _f("title", "text", True),
        _f("date", "date", True),
        _f("description", "text"),
    ),
    "country_role": (
        _f("country", "country", True),
        _f("role", "concept", True, many=True, scheme="role"),
        _f("year", "year", True, many=True),
        _f("purpose", "concept", many=True, scheme="purpose"),
    ),
    "tier_placement": (
        _f("country", "country", True),
        _f("year", "year", True, many=True),
        _f("tier", "concept", True, scheme="tier"),
    ),
    "trend": (
        _f("country", "country", True),
        _f("year", "year", True),
        _f("metric", "concept", True, scheme="metric"),
        _f("direction", "concept", True, scheme="direction"),
        _f("qualifier", "concept", scheme="qualifier"),
        _f("compared_to", "year"),
    ),
    "measure": (
        _f("country", "country", True),
        _f("year", "year", True, many=True),
        _f("area", "concept", True, scheme="area"),
        _f("description", "text", True),
        _f("actor", "ref", many=True),
        _f("place", "city"),
    ),
    "organization": (
        _f("name", "text", True),
        _f("org_type", "concept", True, scheme="org_type"),
        _f("country", "country"),
        _f("place", "city"),
    ),
}

KINDS: tuple[str, ...] = tuple(sorted(KIND_FIELDS))

YEAR_MIN, YEAR_MAX = 1990, 2100


def cycle_covers(edition: int) -> int:
    """The year the reporting cycle of an annual report's `edition` covers: a TIP report
    published in 2008 reports on 2007 (April 2007 to March 2008, roughly).

    >>> cycle_covers(2008)
    2007
    """
    return edition - 1


def fields_of(kind: str) -> dict[str, FieldSpec]:
    """Every field an assertion of `kind` may have, by name."""
    return {f.name: f for f in (*COMMON_FIELDS, *KIND_FIELDS[kind])}
