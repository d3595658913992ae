"""Where two sources state the same thing differently: warnings, never errors.

Both claims stay in the graph, each with its own provenance; the user is told.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable

from kg.findings import Finding
from kg.records import AssertionRecord, Literal


def _key(record: AssertionRecord) -> tuple[Hashable, ...] | None:
    f = record.fields

    def notations(name: str) -> tuple[str, ...]:
        return tuple(sorted(c.notation for c in record.many(name)))

    if record.kind == "indicator":
        sentence = f.get("sentence_years")
        return ("indicator", f["country"].code, f["year"], f["metric"].notation,
                notations("purpose"), notations("victim_group"),
                sentence.as_number() if sentence else None)
    if record.kind == "law_article":
        return ("law_article", f["jurisdiction"].code, f["code"].casefold())
    return None


def _number(value: Literal) -> str:
    """A number in one spelling, so that 29, 29.0 and 29.00 compare equal."""
    n = value.as_number()
    return str(int(n)) if n == int(n) else str(n)


def _claim(record: AssertionRecord) -> Hashable:
    f = record.fields
    if record.kind == "indicator":
        value = f["value"]
        shown = _number(value) if isinstance(value, Literal) else value.notation
        return f"{shown} {f['currency']}" if f.get("currency") else shown
    return None


def find_conflicts(assertions: list[AssertionRecord]) -> list[Finding]:
    """Warnings for claims of different sources that disagree.

    Indicators disagree when two sources give the same country, year, metric and
    breakdown different values; tier placements when they give the same country and
    year different tiers; law articles when they give the same article different
    maximum penalties.
    """
    findings: list[Finding] = []
    groups: dict[Hashable, list[tuple[Hashable, AssertionRecord]]] = defaultdict(list)
    for record in assertions:
        if record.kind == "tier_placement":
            for year in record.many("year"):
                key = ("tier", record.one("country").code, year)
                groups[key].append((record.one("tier").notation, record))
        elif record.kind == "law_article":
            base = _key(record)
            penalty = record.one("max_penalty_years")
            for article in record.many("article"):
                groups[(*base, article)].append(
                    (f"{_number(penalty)} years" if penalty else None, record))
        else:
            key = _key(record)
            if key is not None:
                groups[key].append((_claim(record), record))
    for key, claims in sorted(groups.items(), key=lambda kv: str(kv[0])):
        sources = {r.source_id for _, r in claims}
        values = {v for v, _ in claims if v is not None}
        if len(sources) < 2 or len(values) < 2:
            continue
        claims.sort(key=lambda claim: (claim[1].source_id, claim[1].id))
        told = "; ".join(f"{r.source_id} ({r.id}) says {v}" for v, r in claims)
        for _, record in claims:
            findings.append(Finding(
                "warning", "sources-disagree",
                f"sources disagree on {_describe(key)}: {told}", record.loc,
                "both claims stay in the graph; query `conflicts` lists them"))
    return findings


def _describe(key: tuple[Hashable, ...]) -> str:
    return " ".join(str(part) for part in key if part not in (None, ()))
