"""`kg draft`: a TIP country narrative in, a draft seed document out.

The steps, one module each: `reader` (decode, country, year, tier heading), `sentences`,
`gazetteer` (place mentions), `flows` (flow sentences), `facts` (roles, tiers, figures,
concepts), `writer` (seed YAML and JSON). Everything here is pure: bytes in, a document
(a dict in the JSON contract's shape) out, the same bytes give the same document.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from kg.draft.facts import (
    Claim,
    concepts_in,
    figure_claims,
    new_style_roles,
    role_claims,
    tier_claims,
)
from kg.draft.flows import Flow, narrative_flows
from kg.draft.gazetteer import find_mentions
from kg.draft.reader import DraftInputError, decode, latest_year, read_heading
from kg.draft.sentences import Sentence, split_sentences
from kg.places import country_by_code, fold, resolve_place

__all__ = ["DraftInputError", "draft_document"]

# Where the older style's opening ends: the government's assessment.
_ASSESSMENT = re.compile(
    r"^The (?:Government|government) (?:of [^.]{2,60}? )?(?:does not|fully|"
    r"meets|is making|has not|made|demonstrated)"
)
_TIP = re.compile(
    r"Trafficking in Persons Report|\bis a (?:\w+, )*(?:\w+ )?(?:source|transit|"
    r"destination)\b|As reported over the (?:past|last)|\(Tier |^Tier \d",
    re.M,
)
PUBLIC_DOMAIN = "https://creativecommons.org/publicdomain/mark/1.0/"
UNKNOWN_LICENSE = "https://w3id.org/tip-kg/curator/unknown-license"
TIER_LABELS = {
    "tier_1": "Tier 1",
    "tier_2": "Tier 2",
    "tier_2_watch_list": "Tier 2 Watch List",
    "tier_3": "Tier 3",
    "special_case": "Special Case",
}


def _resolve_country(value: str, name: str) -> str:
    place = resolve_place(value)
    if place is None or place.kind != "country":
        raise DraftInputError(
            f"{name}: unknown --country {value!r}", "give a country name or an ISO code (KE, KEN)"
        )
    return place.code


def draft_document(
    data: bytes,
    name: str,
    *,
    country: str | None = None,
    year: int | None = None,
    source_id: str | None = None,
) -> dict[str, Any]:
    """The draft of one narrative: a dict in the shape of the JSON contract.

    `name` is the file name as given (its basename is recorded); `country` (a name or
    ISO code), `year` and `source_id` override what the text says.
    """
    base = Path(name).name
    forced_country = _resolve_country(country, name) if country else None
    text = decode(data, name)
    heading = read_heading(text, base)
    code = forced_country or heading.country
    if code is None:
        raise DraftInputError(
            f"{name}: no country found: this does not look like a TIP country narrative",
            "name it with --country PLACE",
        )
    is_tip = bool(_TIP.search(text[:6000]))
    report_year = year or heading.year or latest_year(text)
    if report_year is None:
        raise DraftInputError(f"{name}: no report year found", "give it with --year YEAR")
    reporting_year = report_year - 1
    label = country_by_code(code).label
    sentences = split_sentences(text)
    opening = _opening(sentences, heading.tier_span, heading.title_span)
    claims: list[tuple[str, Claim | Flow]] = []
    roles = role_claims(opening, text, code, reporting_year, _subject_finder(code))
    for extra in new_style_roles(opening, code, reporting_year):
        stated = {(c.fields["country"], r) for c in roles for r in c.fields["role"]}  # type: ignore[attr-defined]
        if {(code, r) for r in extra.fields["role"]} - stated:  # type: ignore[attr-defined]
            roles.append(extra)
    tiers = tier_claims(sentences, text, code, report_year, heading.tier, heading.tier_span)
    # flows from every paragraph: a later one may state one ("trafficked over 400 women to
    # Western Europe"); roles only where stated, never inferred from the flows
    flows = _flows(_body(sentences, heading.tier_span, heading.title_span), text, code)
    figures = figure_claims(sentences, code, reporting_year)
    claims = (
        [("tier", c) for c in tiers]
        + [("role", c) for c in roles]
        + [("flow", f) for f in flows]
        + [("figure", c) for c in figures]
    )
    sid = source_id or (
        f"tip-{report_year}-{_slug(label)}" if is_tip else f"draft-{_slug(Path(base).stem)}"
    )
    role_purposes = [p for c in roles for p in c.fields.get("purpose", [])]  # type: ignore[attr-defined]
    assertions = [
        _assertion(kind, claim, text, sid, i, code, reporting_year, role_purposes)
        for i, (kind, claim) in enumerate(claims, 1)
    ]
    return {
        "text": base,
        "sha256": hashlib.sha256(data).hexdigest(),
        "country": code,
        "year": report_year,
        "source": _source(sid, base, data, label, report_year, heading.tier, is_tip, text),
        "assertions": assertions,
    }


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "text"


def _opening(sentences: list[Sentence], *spans: tuple[int, int] | None) -> list[Sentence]:
    """The sentences up to the government's assessment, without heading lines."""
    out = []
    for s in sentences:
        if any(span and span[0] <= s.start < span[1] for span in spans):
            continue
        if _ASSESSMENT.match(s.text) and out:
            break
        if s.text.startswith("=") or (len(s.text) < 80 and not s.text.endswith((".", ":"))):
            continue  # a heading line
        out.append(s)
    return out


def _body(sentences: list[Sentence], *spans: tuple[int, int] | None) -> list[Sentence]:
    """Every sentence but the heading lines."""
    return [
        s
        for s in sentences
        if not any(span and span[0] <= s.start < span[1] for span in spans)
        and not s.text.startswith("=")
        and not (len(s.text) < 80 and not s.text.endswith((".", ":")))
    ]


def _subject_finder(country: str):  # type: ignore[no-untyped-def]
    def subject(s: Sentence) -> str | None:
        head = s.text[: s.text.find(" is ") if " is " in s.text else 0]
        for m in find_mentions(head):
            if m.kind == "country" and len(m.places) == 1:
                return m.places[0]
        return country

    return subject


def _flows(sentences: list[Sentence], text: str, country: str) -> list[Flow]:
    seen: set[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]] = set()
    out = []
    for flow in narrative_flows(sentences, text, country):
        key = (tuple(flow.origin), tuple(flow.transit), tuple(flow.destination), flow.internal)
        if key not in seen:
            seen.add(key)
            out.append(flow)
    return out


def _evidence(text: str, span: tuple[int, int]) -> str:
    return " ".join(text[span[0] : span[1]].split()).rstrip(",;:")


def _assertion(
    kind: str,
    claim: Claim | Flow,
    text: str,
    sid: str,
    n: int,
    country: str,
    reporting_year: int,
    role_purposes: list[str],
) -> dict[str, Any]:
    out: dict[str, Any] = {"status": "draft"}
    if isinstance(claim, Flow):
        sentence_text = claim.sentence.text
        purposes, sectors, groups = concepts_in(sentence_text)
        notes = list(claim.notes)
        if not purposes and role_purposes:
            purposes = list(dict.fromkeys(role_purposes))
            notes.append("purposes from the country's role statement")
        out.update(
            {
                "id": f"{sid}-flow-{n}",
                "kind": "flow",
                "confidence": round(claim.confidence, 2),
                "origin": claim.origin,
                "transit": claim.transit,
                "destination": claim.destination,
                "internal": claim.internal,
                "victim_group": groups,
                "purpose": purposes,
                "sector": sectors,
                "year": [_stated_year(sentence_text) or reporting_year],
                "evidence": _evidence(text, claim.span),
            }
        )
        if notes:
            out["note"] = "; ".join(notes)
        return out
    label = {"tier": "tier", "role": "role", "figure": str(claim.fields.get("metric", "figure"))}
    out.update(
        {
            "id": f"{sid}-{label[kind].replace('_', '-')}-{n}",
            "kind": claim.kind,
            "confidence": claim.confidence,
            **claim.fields,
            "evidence": _evidence(text, claim.span),
        }
    )
    return out


def _stated_year(sentence: str) -> int | None:
    """The year a sentence opens with ("In 2008, Kazakhstan was ..."), if any."""
    m = re.match(r"(?:In|During|Since|As of|By)\s+(?:\w+\s+)?((?:19|20)\d\d)\b", sentence)
    return int(m.group(1)) if m else None


def _source(
    sid: str,
    base: str,
    data: bytes,
    label: str,
    year: int,
    tier: str | None,
    is_tip: bool,
    text: str,
) -> dict[str, Any]:
    if is_tip:
        title = f"Trafficking in Persons Report {year}: {label}"
        if tier:
            title += f" ({TIER_LABELS[tier]})"
        return {
            "id": sid,
            "title": title,
            "publisher": "U.S. Department of State",
            "published": str(year),
            "period": {"start": f"{year - 1}-01-01", "end": f"{year - 1}-12-31"},
            "text": base,
            "sha256": hashlib.sha256(data).hexdigest(),
            "license": PUBLIC_DOMAIN,
            "note": (
                "CURATOR: drafted by kg draft; add the url, the exact publication date "
                "and the reporting period (set to the calendar year before the report), "
                "then review every assertion and delete its status line to accept it."
            ),
        }
    first = next((line.strip(" =") for line in text.splitlines() if line.strip()), base)
    return {
        "id": sid,
        "title": first[:200],
        "publisher": "CURATOR: unknown publisher",
        "published": str(year),
        "period": {"start": f"{year}-01-01", "end": f"{year}-12-31"},
        "text": base,
        "sha256": hashlib.sha256(data).hexdigest(),
        "license": UNKNOWN_LICENSE,
        "note": (
            "CURATOR: drafted by kg draft from a text that is no TIP country narrative; "
            "set publisher, licence, url, publication date and period (the year is the "
            "latest the text names), then review every assertion."
        ),
    }
