"""One comparison of sources, every kind of claim (issue 13).

Each assertion is cut into small *claims*: one flow edge (origin → destination) and each
of its victim groups, purposes and sectors; each role of a country and each purpose of
that role; a figure, a tier, a trend, a law article's penalty, a legal instrument's date.
A claim of one source is compared with the claims of every other source about the same
subject (a country, or an origin → destination pair) in the same *period*: the year a
statement is about, after reporting cycles are lined up (see `period_of`). The outcome
for each pair of sources is one of `OUTCOMES`:

- *agrees*: the other source states the same;
- *more specific* / *less specific*: a concept within the other's (girls within children),
  decided by the concept schemes' `skos:broader` links (`ConceptSchemes.within`);
- *only*: the other source speaks of the subject in that period but not of this (for a
  flow edge: it states the role of the country the flow goes to or comes from, then);
- *contradicts*: another value for the same figure, tier, trend, penalty or date.

Seeds cannot deny a role or a flow, so a role or flow is never *contradicted*; one that
another source leaves out is *only*. Everything here is pure: claims are plain tuples
(kept in each seed file's cache entry), and `compare_claims` needs nothing but them and
the concept schemes.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import RDF, RDFS

from kg.concepts import ConceptSchemes
from kg.findings import Finding, Location
from kg.records import AssertionRecord, Literal, Seeds
from kg.vocab import ID, KG, mint, slug

AGREES = "agrees"
MORE_SPECIFIC = "more specific"
LESS_SPECIFIC = "less specific"
ONLY = "only"
CONTRADICTS = "contradicts"
OUTCOMES = (AGREES, MORE_SPECIFIC, LESS_SPECIFIC, ONLY, CONTRADICTS)

# finding codes of `kg validate`
SOURCES_DISAGREE = "sources-disagree"  # a contradiction
SOURCES_DIFFER = "sources-differ"  # a flow, role or attribute stated by one source only
MORE_SPECIFIC_THAN = "source-more-specific"  # girls where another says children
CYCLE_LABEL_DIFFERS = "cycle-label-differs"  # one period, two year labels
CYCLE_MAY_DIFFER = "cycle-may-differ"  # a year label that may be a report's year

# kinds of claim whose value is one of a set (compared by the hierarchy), and the
# concept scheme of each aspect
_SCHEME = {"victim_group": "victim_group", "purpose": "purpose", "sector": "sector", "role": "role"}
VALUE_KINDS = frozenset({"figure", "tier", "trend", "law", "instrument"})

# (kind, subject, period, aspect, value, label, source id, record id, location)
# kind: flow | role | figure | tier | trend | law | instrument; subject: "KAZ" or
# "UZB>KAZ" (or for laws "KAZ|code|article"); period: the year it is about, None for laws;
# aspect: edge | victim_group | purpose | sector | role | a figure's key ...; value: a
# notation, number or date as text ("" for an edge); label: the year as the seed writes it.
Claim = tuple[str, str, int | None, str, str, int | None, str, str, Location]


def period_of(record: AssertionRecord, year: int | None) -> int | None:
    """The year a statement is about: the year its reporting cycle covers when it names
    one (`cycle: 2008` covers 2007), else its year; a tier placement's year is the
    report's year, so it is about the year before.

    >>> from kg.findings import Location
    >>> r = AssertionRecord("a", "flow", "s", Location("f"), {"cycle": 2008}, ())
    >>> period_of(r, 2008), period_of(AssertionRecord("b", "tier_placement", "s",
    ...     Location("f"), {}, ()), 2008)
    (2007, 2007)
    """
    cycle = record.one("cycle")
    if cycle is not None:
        return int(cycle) - 1
    if year is None:
        return None
    return year - 1 if record.kind == "tier_placement" else year


def _number(value: Literal) -> str:
    """A number in one spelling, so that 29, 29.0 and 29.00 compare equal.

    >>> _number(Literal("29.0", "decimal")), _number(Literal("6.5", "decimal"))
    ('29', '6.5')
    """
    n = value.as_number()
    return str(int(n)) if n == int(n) else str(n)


def _notations(record: AssertionRecord, name: str) -> str:
    return ",".join(sorted(c.notation for c in record.many(name)))


def claims_of(seeds: Seeds) -> list[Claim]:
    """Every claim of some checked records (one file's, for its cache entry), and for
    each source that is an edition of an annual report a ("source", id, edition) entry,
    which `cycle_hints` reads."""
    out: list[Claim] = [
        ("source", s.id, s.cycle, "cycle", "", s.cycle, s.id, "", s.loc)
        for s in seeds.sources
        if s.cycle is not None
    ]
    for record in seeds.assertions:
        out.extend(record_claims(record))
    return out


def record_claims(record: AssertionRecord) -> list[Claim]:
    """The claims one assertion makes."""
    out: list[Claim] = []
    f = record.fields

    def add(kind: str, subject: str, year: int | None, aspect: str, value: str) -> None:
        out.append(
            (
                kind,
                subject,
                period_of(record, year),
                aspect,
                value,
                year,
                record.source_id,
                record.id,
                record.loc,
            )
        )

    if record.kind == "flow":
        destinations = record.many("destination") or record.many("origin")
        for year in record.many("year"):
            for origin in record.many("origin"):
                for destination in destinations:
                    edge = f"{origin.code}>{destination.code}"
                    add("flow", edge, year, "edge", "")
                    for aspect in ("victim_group", "purpose", "sector"):
                        for concept in record.many(aspect):
                            add("flow", edge, year, aspect, concept.notation)
    elif record.kind == "country_role":
        country = f["country"].code
        for year in record.many("year"):
            for role in record.many("role"):
                add("role", country, year, "role", role.notation)
            for purpose in record.many("purpose"):
                add("role", country, year, "purpose", purpose.notation)
    elif record.kind == "indicator":
        value = f["value"]
        shown = _number(value) if isinstance(value, Literal) else value.notation
        if f.get("currency"):
            shown = f"{shown} {f['currency']}"
        aspect = f["metric"].notation
        for name in ("purpose", "victim_group"):
            if record.many(name):
                aspect += f" {name}={_notations(record, name)}"
        if f.get("sentence_years"):
            aspect += f" ({_number(f['sentence_years'])} years)"
        add("figure", f["country"].code, f["year"], aspect, shown)
    elif record.kind == "tier_placement":
        for year in record.many("year"):
            add("tier", f["country"].code, year, "tier", f["tier"].notation)
    elif record.kind == "trend":
        # Left out, the comparison is with the year before: "convictions increased" in a
        # 2007 chapter compares with 2006, and must meet a source that says so explicitly.
        since = f.get("compared_to") or f["year"] - 1
        add(
            "trend",
            f["country"].code,
            f["year"],
            f"{f['metric'].notation} {since}",
            f["direction"].notation,
        )
    elif record.kind == "law_article":
        penalty = f.get("max_penalty_years")
        for article in record.many("article"):
            subject = f"{f['jurisdiction'].code}|{f['code'].casefold()}|{article}"
            out.append(
                (
                    "law",
                    subject,
                    None,
                    "max penalty years",
                    _number(penalty) if penalty else "",
                    None,
                    record.source_id,
                    record.id,
                    record.loc,
                )
            )
    elif record.kind == "legal_instrument":
        subject = (
            f"{f['jurisdiction'].code}|{f['instrument_type'].notation}|{f['title'].casefold()}"
        )
        out.append(
            (
                "instrument",
                subject,
                None,
                "date",
                f["date"].text,
                None,
                record.source_id,
                record.id,
                record.loc,
            )
        )
    return out


def _countries(claim: Claim) -> set[str]:
    return set(claim[1].split("|")[0].split(">"))


@dataclass(frozen=True)
class Row:
    """One claim of one source against another source's claims on the same subject."""

    outcome: str
    claim: Claim
    other_source: str
    other: Claim  # the other source's claim it was decided by (for *only*: one in scope)

    def as_dict(self) -> dict[str, object]:
        kind, subject, period, aspect, value, label, source, record, loc = self.claim
        return {
            "outcome": self.outcome,
            "kind": kind,
            "subject": subject,
            "period": period,
            "aspect": aspect,
            "value": value,
            "year": label,
            "source": source,
            "assertion": record,
            "at": str(loc),
            "other_source": self.other_source,
            "other_value": self.other[4],
            "other_year": self.other[5],
            "other_assertion": self.other[7],
            "other_at": str(self.other[8]),
        }


def value_outcome(
    kind: str, aspect: str, a: str, b: str, concepts: ConceptSchemes | None
) -> str | None:
    """How value `a` of a claim stands to value `b` of another source's claim with the
    same kind, subject, period and aspect; None when they are unrelated values of a set
    (two different victim groups: neither agrees nor contradicts).

    >>> value_outcome("figure", "investigations", "22", "20", None)
    'contradicts'
    >>> value_outcome("instrument", "date", "2008", "2008-07", None)
    'agrees'
    >>> s = ConceptSchemes({}, {"victim_group": {"girls": frozenset({"children"})}})
    >>> value_outcome("flow", "victim_group", "girls", "children", s)
    'more specific'
    >>> value_outcome("flow", "victim_group", "children", "girls", s)
    'less specific'
    >>> value_outcome("flow", "victim_group", "men", "girls", s) is None
    True
    """
    if kind == "instrument":
        return AGREES if a.startswith(b) or b.startswith(a) else CONTRADICTS
    if kind in VALUE_KINDS:
        if a == "" or b == "":  # a law article without a penalty says nothing about it
            return None
        return AGREES if a == b else CONTRADICTS
    if a == b:
        return AGREES
    scheme = _SCHEME.get(aspect)
    if scheme is None or concepts is None:
        return None
    if concepts.within(scheme, a, b):
        return MORE_SPECIFIC
    if concepts.within(scheme, b, a):
        return LESS_SPECIFIC
    return None


_RANK = {AGREES: 0, MORE_SPECIFIC: 1, LESS_SPECIFIC: 2, CONTRADICTS: 3}


def compare_claims(
    claims: Iterable[Claim], concepts: ConceptSchemes | None, sources: Iterable[str] | None = None
) -> list[Row]:
    """Every claim of each source (of `sources`, default all) against each other source
    that speaks of the same subject in the same period, in a fixed order.

    A claim is compared with a source when that source speaks of the same subject in the
    same period: for a flow edge, of flows into the same destination or out of the same
    origin (the lists "from A, B and C to X" and "from X to A, B and C" that sources
    give); for a flow's victim groups, purposes and sectors, of the same edge; for the
    other kinds, of the same country. Otherwise the two do not meet and no row is made.
    Sources are only paired where they meet, so the work follows the overlap, not the
    number of sources squared.
    """
    claims = sorted({c for c in claims if c[0] != "source"}, key=_claim_order)
    wanted = set(sources) if sources is not None else None
    by_key: dict[tuple[str, str, int | None, str, str], list[Claim]] = defaultdict(list)
    # scope -> source -> the first claim there (of the same aspect, and of any aspect)
    meets: dict[tuple[object, ...], dict[str, Claim]] = defaultdict(dict)
    # (source, period, country) of every role a source states: the countries whose
    # situation it describes in that period
    describes = {(c[6], c[2], c[1]) for c in claims if c[0] == "role"}
    for c in claims:
        by_key[(c[0], c[1], c[2], c[3], c[6])].append(c)
        for scope in _scopes(c):
            meets[scope].setdefault(c[6], c)
            meets[(*scope, c[3])].setdefault(c[6], c)
    rows: list[Row] = []
    for c in claims:
        kind, subject, period, aspect, value, _, source = c[:7]
        if wanted is not None and source not in wanted:
            continue
        others = sorted(
            {
                o
                for scope in _scopes(c)
                for o in meets.get(scope, {})
                if o != source and (wanted is None or o in wanted)
            }
        )
        for other in others:
            scopes = _scopes(c)
            same = by_key.get((kind, subject, period, aspect, other), [])
            if kind in VALUE_KINDS and same:
                # a value meets each of the other's values for the same thing: pairwise,
                # so that "A contradicts B" holds exactly when "B contradicts A", also
                # where one source gives two values itself
                for o in same:
                    outcome = value_outcome(kind, aspect, value, o[4], concepts)
                    if outcome is not None:
                        rows.append(Row(outcome, c, other, o))
                continue
            best: tuple[int, str, Claim] | None = None
            for o in same:
                outcome = value_outcome(kind, aspect, value, o[4], concepts)
                if outcome is not None and (best is None or _RANK[outcome] < best[0]):
                    best = (_RANK[outcome], outcome, o)
            if best is not None:
                rows.append(Row(best[1], c, other, best[2]))
                continue
            if period is None:
                continue  # laws and instruments: another source naming other ones differs not
            if kind == "flow" and aspect == "edge":
                # A flow another source leaves out counts only where that source describes
                # the country the list is about (states its role then): a report on one
                # country that names a flow into another does not list all of that one's.
                scopes = [s for s in _scopes(c) if (other, period, s[3]) in describes]
                if not any(other in meets.get(s, {}) for s in scopes):
                    continue
            # not stated by the other source, which speaks of the subject then: the
            # other's first claim there shows where (of the same aspect if it has one)
            pick = (
                next(
                    meets[(*scope, aspect)][other]
                    for scope in scopes
                    if other in meets.get((*scope, aspect), {})
                )
                if any(other in meets.get((*scope, aspect), {}) for scope in scopes)
                else next(meets[scope][other] for scope in scopes if other in meets.get(scope, {}))
            )
            rows.append(Row(ONLY, c, other, pick))
    return rows


def _scopes(c: Claim) -> list[tuple[object, ...]]:
    """Where a claim meets other sources' claims (see `compare_claims`).

    >>> _scopes(("flow", "UZB>KAZ", 2007, "edge", "", 2007, "s", "a", None))
    [('flow', 2007, 'to', 'KAZ'), ('flow', 2007, 'from', 'UZB')]
    >>> _scopes(("flow", "UZB>KAZ", 2007, "victim_group", "men", 2007, "s", "a", None))
    [('edge', 2007, 'UZB>KAZ')]
    """
    kind, subject, period, aspect = c[:4]
    if kind == "flow":
        if aspect != "edge":
            return [("edge", period, subject)]
        origin, destination = subject.split(">")
        return [("flow", period, "to", destination), ("flow", period, "from", origin)]
    return [(kind, period, subject.split("|")[0])]


def _claim_order(c: Claim) -> tuple[object, ...]:
    return (
        c[0],
        c[1],
        c[2] if c[2] is not None else -1,
        c[3],
        c[4],
        c[6],
        c[7],
        c[5] if c[5] is not None else -1,
        c[8],
    )


# --- what `kg validate` says ----------------------------------------------------------


def _describe(c: Claim) -> str:
    kind, subject, _, aspect, _, label, *_ = c
    shown = subject.replace(">", " → ").replace("|", " ")
    if kind == "flow":
        what = "flow" if aspect == "edge" else f"flow {aspect}"
        return f"{what} {shown} {label}".rstrip()
    if kind == "role":
        return f"role {shown} {label}" if aspect == "role" else f"role purpose {shown} {label}"
    if kind == "figure":
        return f"indicator {shown} {label} {aspect}"
    if kind == "tier":
        return f"tier {shown} {label}"
    if kind == "trend":
        return f"trend {shown} {label} {aspect}"
    if kind == "law":
        return f"law_article {shown}"
    return f"legal_instrument {shown} date"


def _period(c: Claim) -> str:
    return f" (about {c[2]})" if c[2] is not None and c[2] != c[5] else ""


_HINT_BOTH_STAY = "both claims stay in the graph; `kg compare` shows every comparison"


def comparison_findings(rows: list[Row]) -> list[Finding]:
    """The warnings of `kg validate`: contradictions, flows, roles and attributes that one
    source states and another leaves out, more specific wording, and one period labelled
    with two years. One line each, naming both assertions' `file:line`; rows that say the
    same of the same two assertions are one finding."""
    groups: dict[tuple[object, ...], list[Row]] = defaultdict(list)
    for row in rows:
        c, o = row.claim, row.other
        if row.outcome == CONTRADICTS:
            # one finding per claim of the group, as before: each side is warned at its line
            groups[(SOURCES_DISAGREE, c[0], c[1], c[2], c[3], c[7])].append(row)
        elif row.outcome == MORE_SPECIFIC:
            groups[(MORE_SPECIFIC_THAN, c[7], o[7], c[3], c[4], o[4])].append(row)
        elif row.outcome == ONLY and (c[0] in ("flow", "role")):
            groups[(SOURCES_DIFFER, c[7], o[6], c[0], c[3], c[4])].append(row)
        if row.outcome != ONLY and c[5] != o[5] and c[6] < o[6] and c[2] is not None:
            groups[(CYCLE_LABEL_DIFFERS, c[7], o[6], c[5], o[5])].append(row)
    findings = []
    for key, group in groups.items():
        findings.append(_finding(str(key[0]), group))
    return sorted(findings, key=Finding.sort_key)


def _subjects(group: list[Row]) -> str:
    seen = sorted({r.claim[1].replace(">", " → ") for r in group})
    return ", ".join(seen[:6]) + (f" and {len(seen) - 6} more" if len(seen) > 6 else "")


def _finding(code: str, group: list[Row]) -> Finding:
    row = group[0]
    c, o = row.claim, row.other
    here = f"{c[6]} ({c[7]})"
    there = f"{o[6]} ({o[7]} at {o[8]})"
    if code == SOURCES_DISAGREE:
        told = "; ".join(
            sorted(
                {f"{r.claim[6]} ({r.claim[7]}) says {r.claim[4]}" for r in group}
                | {f"{r.other[6]} ({r.other[7]}) says {r.other[4]}" for r in group}
            )
        )
        where = ", ".join(sorted({str(r.other[8]) for r in group}))
        return Finding(
            "warning",
            code,
            f"sources disagree on {_describe(c)}{_period(c)}: {told} (other claim at {where})",
            c[8],
            _HINT_BOTH_STAY,
        )
    if code == MORE_SPECIFIC_THAN:
        return Finding(
            "warning",
            code,
            f"{here} says {c[4]} where {there} says {o[4]}, which includes it "
            f"({c[3].replace('_', ' ')} of {c[0]} {_subjects(group)}{_period(c)})",
            c[8],
            "both stay; the more specific one is kept as stated",
        )
    if code == SOURCES_DIFFER:
        what = (
            ("flow" if c[3] == "edge" else f"{c[3].replace('_', ' ')} {c[4]} of the flow")
            if c[0] == "flow"
            else (f"role {c[4]}" if c[3] == "role" else f"purpose {c[4]} of the role")
        )
        return Finding(
            "warning",
            code,
            f"{here} states the {what} {_subjects(group)}{_period(c)}; "
            f"{o[6]} speaks of {o[1].replace('>', ' → ')} then ({o[7]} at {o[8]}) "
            "but not of this",
            c[8],
            "the sources differ; `kg compare` shows the whole comparison",
        )
    return Finding(
        "warning",
        code,
        f"{here} dates {_subjects(group)} {c[5]} and {there} dates it {o[5]}: "
        f"the same period (about {c[2]}), compared as one",
        c[8],
        "a query by year sees only one source's part; `cycle:` in "
        "seeds/README.md explains the periods",
    )


def cycle_hints(claims: Iterable[Claim]) -> list[Finding]:
    """A year label that may be a report's year: source B dates a flow or role with the
    year of the annual report that source A is (its header's `cycle`), and A, which dates
    it by the year reported on, states the same subject for the year before. Unless B's
    statement carries `cycle:`, the two are compared as different periods."""
    claims = list(claims)
    cycles = {c[1]: int(c[2]) for c in claims if c[0] == "source" and c[2] is not None}
    stated: dict[tuple[str, str, int | None, str], Claim] = {}
    for c in claims:
        if c[0] in ("flow", "role") and c[3] in ("edge", "role"):
            stated.setdefault((c[0], c[1], c[2], c[6]), c)
    hints: dict[tuple[str, str], tuple[Claim, Claim, set[str]]] = {}
    for c in sorted(stated.values(), key=_claim_order):
        if c[2] != c[5]:
            continue  # carries a cycle: already lined up
        for source, edition in sorted(cycles.items()):
            if source == c[6] or c[5] != edition:
                continue
            a = stated.get((c[0], c[1], edition - 1, source))
            if a is not None and (c[0], c[1], edition, source) not in stated:
                entry = hints.setdefault((c[7], a[7]), (c, a, set()))
                entry[2].add(c[1].replace(">", " → "))
    return [
        Finding(
            "warning",
            CYCLE_MAY_DIFFER,
            f"{c[6]} ({c[7]}) dates {', '.join(sorted(subjects))} {c[5]}, the year of "
            f"the {c[5]} report {a[6]} ({a[7]} at {a[8]}), which dates it {a[5]}: "
            "compared as different periods",
            c[8],
            f"if {c[7]} states that report's findings, add `cycle: {c[5]}` to it",
        )
        for c, a, subjects in hints.values()
    ]


# --- the table of `kg compare` --------------------------------------------------------


@dataclass
class Comparison:
    """What `kg compare` prints: each row, and the sources and country it was asked for."""

    rows: list[Row]
    sources: list[str]
    country: str | None = None

    def counts(self) -> dict[str, int]:
        """Rows per outcome, every outcome named (0 when none)."""
        counts = dict.fromkeys(OUTCOMES, 0)
        for row in self.rows:
            counts[row.outcome] += 1
        return counts

    def as_dict(self) -> dict[str, object]:
        return {
            "sources": self.sources,
            "country": self.country,
            "counts": self.counts(),
            "rows": [row.as_dict() for row in self.rows],
        }

    def render(self) -> str:
        """A plain-text table, one row per claim and other source, then the counts."""
        header = (
            "outcome",
            "kind",
            "subject",
            "about",
            "aspect",
            "value",
            "source",
            "assertion",
            "other source",
            "other value",
            "other assertion",
        )
        lines = [header]
        for row in self.rows:
            kind, subject, period, aspect, value, _, source, record, _ = row.claim
            lines.append(
                (
                    row.outcome,
                    kind,
                    subject.replace(">", "→").replace("|", " "),
                    "" if period is None else str(period),
                    aspect,
                    value or "(stated)",
                    source,
                    record,
                    row.other_source,
                    (row.other[4] or "(stated)") if row.outcome != ONLY else "-",
                    row.other[7] if row.outcome != ONLY else f"({row.other[7]})",
                )
            )
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        text = [
            "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
            for line in lines
        ]
        counts = ", ".join(f"{n} {outcome}" for outcome, n in self.counts().items())
        text.append(f"{len(self.rows)} comparisons: {counts}")
        return "\n".join(text)


def select_rows(rows: list[Row], country: str | None = None) -> list[Row]:
    """The rows about `country` (an ISO alpha-3 code): its own claims, and flows that
    start or end in it. All rows when `country` is None."""
    if country is None:
        return rows
    return [r for r in rows if country in _countries(r.claim)]


# --- the comparisons in the graph ------------------------------------------------------

COMPARISONS_GRAPH = ID + "comparisons"


def assertion_iri(claim: Claim) -> str:
    """The IRI of the node the claim's assertion is mapped to (see `kg.mapping`).

    >>> assertion_iri(("flow", "UZB>KAZ", 2007, "edge", "", 2007, "s", "a1", None))
    'https://w3id.org/tip-kg/id/flow/a1/UZB-KAZ'
    """
    kind, subject, _, _, _, label, _, record, _ = claim
    if kind == "flow":
        return mint("flow", record, subject.replace(">", "-"))
    if kind == "tier":
        return mint("tier-placement", record, str(label))
    if kind == "law":
        return mint("law-article", record, slug(subject.split("|", 2)[2]) or "article")
    return mint(
        {
            "role": "country-role",
            "figure": "indicator",
            "trend": "trend",
            "instrument": "legal-instrument",
        }[kind],
        record,
    )


def recorded_rows(rows: list[Row]) -> list[Row]:
    """The rows the graph records: each pair of claims once (from the side of the source
    whose id sorts first: "more specific" there is "less specific" from the other), and
    every *only* (a claim the other source does not state has no pair)."""
    return [r for r in rows if r.outcome == ONLY or r.claim[6] < r.other_source]


def comparison_quads(rows: list[Row]) -> list[ox.Quad]:
    """Each recorded comparison as a kg:Comparison node in the named graph
    `COMPARISONS_GRAPH`: kg:claim and kg:comparedWith the two assertions (whose
    `prov:wasDerivedFrom` names their sources), kg:outcome a concept of the scheme
    `outcome`, kg:aspect, the values, and kg:year the period."""
    graph = ox.NamedNode(COMPARISONS_GRAPH)
    quads: list[ox.Quad] = []
    years: set[int] = set()
    for row in recorded_rows(rows):
        c, o = row.claim, row.other
        key = "\0".join(str(part) for part in (*c[:8], *o[:8], row.outcome))
        node = ox.NamedNode(mint("comparison", hashlib.sha256(key.encode()).hexdigest()[:20]))

        def add(p: object, obj: ox.NamedNode | ox.Literal, node: ox.NamedNode = node) -> None:
            quads.append(ox.Quad(node, ox.NamedNode(str(p)), obj, graph))

        add(RDF.type, ox.NamedNode(str(KG.Comparison)))
        add(
            RDFS.label,
            ox.Literal(
                f"{c[7]} ({c[6]}) {row.outcome} {o[7]} ({o[6]}): {_describe(c)}"
                + (f" {c[4]}" if c[4] else "")
            ),
        )
        add(KG.claim, ox.NamedNode(assertion_iri(c)))
        add(KG.comparedWith, ox.NamedNode(assertion_iri(o)))
        add(KG.outcome, ox.NamedNode(mint("concept", "outcome", row.outcome.replace(" ", "_"))))
        add(KG.aspect, ox.Literal(c[3]))
        if c[4]:
            add(KG.claimedValue, ox.Literal(c[4]))
        if o[4] and row.outcome != ONLY:
            add(KG.comparedValue, ox.Literal(o[4]))
        if c[2] is not None:
            add(KG.year, ox.NamedNode(mint("year", str(c[2]))))
            years.add(c[2])
    for year in sorted(years):
        # described here too (as each source's graph describes its years): a period may be
        # a year no statement is labelled with
        node = ox.NamedNode(mint("year", str(year)))
        quads += [
            ox.Quad(node, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(KG.Year)), graph),
            ox.Quad(node, ox.NamedNode(str(RDFS.label)), ox.Literal(str(year)), graph),
            ox.Quad(
                node,
                ox.NamedNode(str(KG.yearValue)),
                ox.Literal(
                    str(year), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")
                ),
                graph,
            ),
        ]
    return quads
