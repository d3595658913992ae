"""Where two sources state the same thing differently: warnings, never errors.

Both claims stay in the graph, each with its own provenance; the user is told.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable

from kg.findings import Finding, Location
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
    if record.kind == "trend":
        return ("trend", f["country"].code, f["year"], f["metric"].notation,
                f.get("compared_to"))
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
    if record.kind == "trend":
        return f["direction"].notation
    return None


# (key, value, source id, record id, location): what one record claims under one key
Claim = tuple[Hashable, Hashable, str, str, Location]


def conflict_claims(assertions: list[AssertionRecord]) -> tuple[list[Claim], list[Claim]]:
    """The claims of some records that `conflicts_among` compares: by value, and legal
    instruments' dates (compared by precision). Small, so each file's are kept in its
    cache entry and the records themselves need not be read again."""
    claims: list[Claim] = []
    dates: list[Claim] = []
    for record in assertions:
        def add(key: Hashable, value: Hashable, to: list[Claim] = claims,
                record: AssertionRecord = record) -> None:
            to.append((key, value, record.source_id, record.id, record.loc))

        if record.kind == "tier_placement":
            for year in record.many("year"):
                add(("tier", record.one("country").code, year), record.one("tier").notation)
        elif record.kind == "law_article":
            base = _key(record)
            penalty = record.one("max_penalty_years")
            for article in record.many("article"):
                add((*base, article), f"{_number(penalty)} years" if penalty else None)
        elif record.kind == "legal_instrument":
            f = record.fields
            add(("legal_instrument", f["jurisdiction"].code, f["instrument_type"].notation,
                 f["title"].casefold()), record.one("date").text, dates)
        else:
            key = _key(record)
            if key is not None:
                add(key, _claim(record))
    return claims, dates


def find_conflicts(assertions: list[AssertionRecord]) -> list[Finding]:
    """Warnings for claims of different sources that disagree.

    Indicators disagree when two sources give the same country, year, metric and
    breakdown different values; tier placements when they give the same country and
    year different tiers; law articles when they give the same article different
    maximum penalties; trends when they give the same country, year, metric and
    comparison year different directions; legal instruments when they give the same
    instrument (jurisdiction, type, title) dates that cannot both hold (`2008` and
    `2008-07` agree, `2007` and `2008` do not).
    """
    return conflicts_among(*conflict_claims(assertions))


def conflicts_among(claims: list[Claim], dates: list[Claim]) -> list[Finding]:
    """`find_conflicts` over claims gathered with `conflict_claims`."""
    findings: list[Finding] = []
    groups: dict[Hashable, list[Claim]] = defaultdict(list)
    for claim in claims:
        groups[claim[0]].append(claim)
    findings.extend(_instrument_conflicts(dates))
    for key, group in sorted(groups.items(), key=lambda kv: str(kv[0])):
        sources = {c[2] for c in group}
        values = {c[1] for c in group if c[1] is not None}
        if len(sources) < 2 or len(values) < 2:
            continue
        group.sort(key=lambda c: (c[2], c[3]))
        told = "; ".join(f"{source} ({rid}) says {value}" for _, value, source, rid, _ in group)
        for *_, loc in group:
            findings.append(Finding(
                "warning", "sources-disagree",
                f"sources disagree on {_describe(key)}: {told}", loc,
                "both claims stay in the graph; query `conflicts` lists them"))
    return findings


def _describe(key: tuple[Hashable, ...]) -> str:
    return " ".join(str(part) for part in key if part not in (None, ()))


def _instrument_conflicts(dates: list[Claim]) -> list[Finding]:
    # Dates of different precision agree when one is a prefix of the other, so these
    # cannot be grouped by value like the other kinds.
    groups: dict[Hashable, list[Claim]] = defaultdict(list)
    for claim in dates:
        groups[claim[0]].append(claim)
    findings: list[Finding] = []
    for key, group in sorted(groups.items(), key=lambda kv: str(kv[0])):
        clashing = {
            c[3] for a in group for b in group for c in (a, b)
            if a[2] != b[2] and not _dates_agree(str(a[1]), str(b[1]))}
        if not clashing:
            continue
        group.sort(key=lambda c: (c[2], c[3]))
        told = "; ".join(f"{source} ({rid}) says {date}" for _, date, source, rid, _ in group)
        for _, _, _, rid, loc in group:
            if rid in clashing:
                findings.append(Finding(
                    "warning", "sources-disagree",
                    f"sources disagree on {_describe(key)} date: {told}", loc,
                    "both claims stay in the graph; query `conflicts` lists them"))
    return findings


def _dates_agree(a: str, b: str) -> bool:
    """Two dates agree when the less precise one is a prefix of the other.

    >>> _dates_agree("2008", "2008-07"), _dates_agree("2007", "2008-07")
    (True, False)
    """
    return a.startswith(b) or b.startswith(a)
