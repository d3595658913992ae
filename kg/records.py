"""Checked, typed records: what the check step hands to the mapping step."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.findings import Location


@dataclass(frozen=True)
class Literal:
    """A typed literal as written: `text` keeps the lexical form, `datatype` is an xsd name."""

    text: str
    datatype: str  # "integer" | "decimal" | "gYear" | "gYearMonth" | "date" | "boolean" | "string"

    def as_number(self) -> float:
        return float(self.text)


@dataclass(frozen=True)
class City:
    """A named place inside a country."""

    name: str
    country: str  # ISO alpha-3


@dataclass(frozen=True)
class Quote:
    """An evidence quote and where it is written in the seed file."""

    text: str
    loc: Location


@dataclass(frozen=True)
class SourceRecord:
    """The `source:` header of a seed file."""

    id: str
    title: str
    publisher: str
    published: Literal
    period_start: Literal
    period_end: Literal
    text: str
    sha256: str
    license: str
    loc: Location
    url: str | None = None
    note: str | None = None
    field_locs: dict[str, Location] = field(default_factory=dict, compare=False)
    cycle: int | None = None  # the edition of the annual report this source is, if it is one
    # a published dataset's provenance, by seed field name (see schema.PROVENANCE_FIELDS):
    # `method` a Concept, `authors` a tuple of str, the others str
    provenance: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AssertionRecord:
    """One curated assertion with its fields resolved to places, concepts and literals.

    `fields` maps a seed field name to its value: a `Place`, `Concept`, `Literal`,
    `City`, `str`, or a tuple of those for list fields.
    """

    id: str
    kind: str
    source_id: str
    loc: Location
    fields: dict[str, Any]
    evidence: tuple[Quote, ...]
    note: str | None = None
    field_locs: dict[str, Location] = field(default_factory=dict, compare=False)
    support: int | None = None  # how many rows of a published dataset state it

    def many(self, name: str) -> tuple[Any, ...]:
        value = self.fields.get(name)
        if value is None:
            return ()
        return value if isinstance(value, tuple) else (value,)

    def one(self, name: str) -> Any:
        return self.fields.get(name)


@dataclass
class Seeds:
    """All checked seed files: the sources and their assertions, in file order."""

    sources: list[SourceRecord] = field(default_factory=list)
    assertions: list[AssertionRecord] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # source id -> seed file path
