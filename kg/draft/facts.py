"""The other claims of an opening: country roles, tier placements, law-enforcement figures,
and the purposes, sectors and victim groups a sentence names (as concept notations)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.draft.reader import _TIER, tier_notation
from kg.draft.sentences import Sentence

_PURPOSES = [
    (r"commercial sexual exploitation", "commercial_sexual_exploitation"),
    (
        r"sex(?:ual)? trafficking|sexual exploitation|prostitution|sex trade|commercial sex|"
        r"sex work|sexual servitude|sex tourism|brothels?",
        "sexual_exploitation",
    ),
    (
        r"forced labou?r|labou?r trafficking|bonded labou?r|debt bondage|forced manual labou?r|"
        r"involuntary servitude|labou?r exploitation|forced to work",
        "forced_labor",
    ),
    (r"domestic servitude", "domestic_servitude"),
    (r"forced (?:to )?beg(?:ging)?|to beg\b|street begging", "forced_begging"),
    (r"forced marriages?|early marriages?|child marriages?|bride", "forced_marriage"),
    (r"organ (?:removal|harvesting|trafficking)|removal of organs", "organ_removal"),
]
_SECTORS = [
    (r"construction", "construction"),
    (
        r"agricultur\w*|farms?\b|farming|plantations?|harvest\w*|cotton|cattle|herding",
        "agriculture",
    ),
    (r"domestic (?:work|workers?|servitude|service|labou?r)|housemaids?|maids?\b", "domestic_work"),
    (r"hotels?|restaurants?|hospitality|tourism", "hospitality"),
    (
        r"entertainment|bars?\b|nightclubs?|massage parlou?rs?|karaoke|discos?|barmaids?",
        "entertainment",
    ),
    (r"factor(?:y|ies)|manufactur\w*|garment|textile|brick kilns?|carpet", "manufacturing"),
    (r"fishing|fisheries|fishing vessels?|fish processing", "fishing"),
    (r"\bmines?\b|mining|quarr(?:y|ies)", "mining"),
]
_GROUPS = [
    (r"\bmen\b", "men"),
    (r"\bwomen\b|\bfemales?\b", "women"),
    (r"\bchildren\b|\bminors\b|\bchild\b", "children"),
    (r"\bgirls?\b", "girls"),
    (r"\bboys?\b", "boys"),
    (r"\badults?\b", "adults"),
]
_PURPOSES_RE = [(re.compile(p, re.I), n) for p, n in _PURPOSES]
_SECTORS_RE = [(re.compile(p, re.I), n) for p, n in _SECTORS]
_GROUPS_RE = [(re.compile(p, re.I), n) for p, n in _GROUPS]


def concepts_in(text: str) -> tuple[list[str], list[str], list[str]]:
    """(purposes, sectors, victim groups) that `text` names, in the schemes' order."""

    def scan(table: list[tuple[re.Pattern[str], str]]) -> list[str]:
        return [name for pattern, name in table if pattern.search(text)]

    return scan(_PURPOSES_RE), scan(_SECTORS_RE), scan(_GROUPS_RE)


@dataclass
class Claim:
    """A drafted claim other than a flow: its fields, evidence span and confidence."""

    kind: str
    fields: dict[str, object]
    span: tuple[int, int]
    confidence: float


_ROLE_SENTENCE = re.compile(
    r"\b(?:is|was|has been|serves as|served as|remains|remained|became|has become) "
    r"(?:one of (?:the )?[\w'’ -]{0,40}?(?=(?:source|transit|destination)))?"
    r"(?:(?:a|an|primarily|principally|mainly|predominantly|increasingly|also|now|"
    r"largely|significant|major|growing)\s+)*(?:(?:source|transit|destination|origin)\b[^.]*?)"
    r"(?:countr(?:y|ies)|point|hub|for|of)\b|"
    r"\b(?:is|was|serves as|remains) (?:a|an|primarily a|mainly a|also a) (?:country|point) of "
    r"(?:origin|transit|destination)(?:(?:,| and| or)+ (?:origin|transit|destination))*|"
    r"\buses? (?:[A-Z][\w'’ -]{1,40}?|the country|it) as an? "
    r"(?:source|transit|destination)(?: and (?:source|transit|destination))? "
    r"(?:point|country|hub)",
    re.I,
)
_ROLE_WORD = re.compile(r"\b(source|transit|destination|origin)\b", re.I)
_LESSER = re.compile(
    r"lesser (?:extent|degree)|less(?:er)? (?:so|frequently)|increasingly|"
    r"minor",
    re.I,
)


def role_claims(
    sentences: list[Sentence], text: str, country: str, year: int, subject_of: object
) -> list[Claim]:
    """`country_role` claims: "X is a source, transit, and destination country ..."."""
    claims: list[Claim] = []
    for s in sentences:
        m = _ROLE_SENTENCE.search(s.text)
        if not m:
            continue
        subject = subject_of(s)  # type: ignore[operator]
        if subject is None:
            continue
        roles: list[str] = []
        lesser: list[str] = []
        # "and to a lesser extent a source country" may follow the first "country"
        segment_end = m.end()
        rest = s.text[segment_end : segment_end + 80]
        extra = re.match(
            r",?\s*(?:and|but)?,?\s*(?:to a lesser (?:extent|degree),?\s*)"
            r"(?:a |an )?((?:source|transit|destination)(?:,? (?:and |or )?"
            r"(?:source|transit|destination))*)\b(?: countr(?:y|ies))?",
            rest,
            re.I,
        )
        segment = s.text[m.start() : segment_end]
        lesser_at = _LESSER.search(segment)
        for w in _ROLE_WORD.finditer(segment):
            role = "source" if w.group(1).lower() == "origin" else w.group(1).lower()
            if role not in roles:
                roles.append(role)
            if lesser_at and w.start() > lesser_at.start() and role not in lesser:
                lesser.append(role)
        later = re.search(
            r"to a lesser (?:extent|degree),?\s+(?:as\s+)?(?:a |an )?"
            r"(source|transit|destination)\b",
            s.text[segment_end:],
        )
        if later and not extra:
            extra = later
            del later
        if extra:
            for w in _ROLE_WORD.finditer(extra.group(1)):
                role = w.group(1).lower()
                if role not in roles:
                    roles.append(role)
                if role not in lesser:
                    lesser.append(role)
            segment_end += extra.end()
        if not roles:
            continue
        end = s.start + segment_end
        # the evidence runs to the purposes the statement names, when it names them
        purpose_tail = re.match(
            r"[^.;]{0,200}(?:labou?r|exploitation|trafficking|servitude|"
            r"begging|prostitution)\b",
            s.text[segment_end:],
        )
        purposes: list[str] = []
        if purpose_tail and len(purpose_tail.group()) < 200:
            end = s.start + segment_end + purpose_tail.end()
            purposes = concepts_in(purpose_tail.group())[0]
        fields: dict[str, object] = {"country": subject, "role": roles, "year": [year]}
        if lesser:
            fields["lesser_extent"] = lesser
        if purposes:
            fields["purpose"] = purposes
        claims.append(Claim("country_role", fields, (s.start, end), 0.95))
    return claims


_NEW_STYLE_IN = re.compile(r"exploit (?:both )?domestic and foreign victims (?:in|within) ", re.I)
_NEW_STYLE_FROM = re.compile(
    r"(?:exploit|subject)\s+(?:[\w-]+\s+){0,3}?victims"
    r"(?: from [^.,;]{2,60}?)?(?: to (?:human )?trafficking)? abroad",
    re.I,
)


def new_style_roles(sentences: list[Sentence], country: str, year: int) -> list[Claim]:
    """Roles of the 2019-on opening: foreign victims in X (destination), victims from X
    abroad (source); "to a lesser extent" keeps its scope."""
    for s in sentences[:3]:
        roles: list[str] = []
        lesser: list[str] = []
        end = s.start
        for pattern, role in ((_NEW_STYLE_IN, "destination"), (_NEW_STYLE_FROM, "source")):
            m = pattern.search(s.text)
            if m:
                roles.append(role)
                before = s.text[max(0, m.start() - 40) : m.start()]
                if _LESSER.search(before):
                    lesser.append(role)
                end = max(end, s.start + m.end())
        if roles:
            fields: dict[str, object] = {"country": country, "role": roles, "year": [year]}
            if lesser:
                fields["lesser_extent"] = lesser
            lead = re.match(r"As reported over the (?:past|last) \w+ years,\s*", s.text)
            start = s.start + (lead.end() if lead else 0)
            return [Claim("country_role", fields, (start, end), 0.8)]
    return []


_TIER_STATED = re.compile(
    r"\b(?:placed|ranked|downgraded|upgraded|remained|moved|kept|was|is)\b[^.]{0,80}?"
    r"[\"“]?(Tier\s*(1|2|3)(\s*Watch\s*List)?)[\"”]?((?:,? (?:in|and|for) (?:19|20)\d\d)*)",
    re.I,
)


def tier_claims(
    sentences: list[Sentence],
    text: str,
    country: str,
    year: int,
    heading_tier: str | None,
    heading_span: tuple[int, int] | None,
) -> list[Claim]:
    """`tier_placement` claims: the heading's tier for the report year, and placements the
    text states with their years ("placed the country in Tier 2 in 2017 and 2023")."""
    claims: list[Claim] = []
    if heading_tier and heading_span:
        claims.append(
            Claim(
                "tier_placement",
                {"country": country, "year": [year], "tier": heading_tier},
                heading_span,
                0.95,
            )
        )
    for s in sentences:
        if heading_span and s.start <= heading_span[0] < s.end:
            continue
        for m in _TIER_STATED.finditer(s.text):
            tm = _TIER.search(m.group(1))
            if not tm:
                continue
            years = [int(y) for y in re.findall(r"\d{4}", m.group(4))]
            if not years:
                continue  # "placed on Tier 2 Watch List" in the assessment: the heading says it
            tier = tier_notation(tm)
            if any(
                c.fields["tier"] == tier and set(years) & set(c.fields["year"])  # type: ignore[arg-type]
                for c in claims
            ):
                continue
            claims.append(
                Claim(
                    "tier_placement",
                    {"country": country, "year": years, "tier": tier},
                    (s.start + m.start(), s.start + m.end()),
                    0.8,
                )
            )
    return claims


_NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen twenty"
)
_NUMBER_WORDS = {w: i for i, w in enumerate(_NUMBERS.split())}
_NUM = r"(\d[\d,]*|" + "|".join(_NUMBER_WORDS) + r")"
_FIGURES = [
    (
        re.compile(
            r"\b(?:investigated|initiated|opened|conducted|reported)\s+"
            + _NUM
            + r"\s+(?:new\s+)?(?:trafficking\s+|human trafficking\s+|sex trafficking\s+|"
            r"labor trafficking\s+)?(?:investigations|cases)\b",
            re.I,
        ),
        "investigations",
    ),
    (
        re.compile(
            r"\b" + _NUM + r"\s+(?:new\s+)?(?:trafficking\s+|human trafficking\s+)?"
            r"investigations\b",
            re.I,
        ),
        "investigations",
    ),
    (
        re.compile(
            r"\bprosecuted\s+" + _NUM + r"\s+(?:\w+\s+){0,3}?(?:cases|suspects|"
            r"defendants|traffickers|individuals|persons|people)\b",
            re.I,
        ),
        "prosecutions",
    ),
    (
        re.compile(r"\b" + _NUM + r"\s+(?:new\s+)?(?:trafficking\s+)?prosecutions\b", re.I),
        "prosecutions",
    ),
    (
        re.compile(
            r"\bconvicted\s+" + _NUM + r"\s+(?:\w+\s+){0,2}?(?:traffickers|offenders|"
            r"individuals|persons|people|defendants)\b",
            re.I,
        ),
        "convictions",
    ),
    (re.compile(r"\b" + _NUM + r"\s+(?:trafficking\s+)?convictions\b", re.I), "convictions"),
    (
        re.compile(
            r"\bidentified\s+(?:a total of\s+)?" + _NUM + r"\s+(?:\w+\s+){0,3}?victims\b", re.I
        ),
        "victims_identified",
    ),
    (
        re.compile(r"\b" + _NUM + r"\s+(?:\w+\s+){0,2}?victims\s+(?:were\s+)?identified\b", re.I),
        "victims_identified",
    ),
]
_IN_YEAR = re.compile(r"^[^.;]{0,40}?\b(?:in|during)\s+((?:19|20)\d\d)\b")


def figure_claims(sentences: list[Sentence], country: str, reporting_year: int) -> list[Claim]:
    """`indicator` claims: investigations, prosecutions, convictions, victims identified."""
    claims: list[Claim] = []
    seen: set[tuple[str, int]] = set()
    for s in sentences:
        if re.search(r"\b(?:percent|per cent|%)", s.text):
            continue
        for pattern, metric in _FIGURES:
            for m in pattern.finditer(s.text):
                raw = m.group(1).lower().replace(",", "")
                value = _NUMBER_WORDS.get(raw)
                if value is None:
                    if not raw.isdigit():
                        continue
                    value = int(raw)
                    if 1900 <= value <= 2100:
                        continue
                end = s.start + m.end()
                ym = _IN_YEAR.match(s.text[m.end() :])
                year = reporting_year
                if ym:
                    year = int(ym.group(1))
                    end = s.start + m.end() + ym.end()
                else:
                    before = re.search(
                        r"\b(?:in|during)\s+((?:19|20)\d\d)\b[^.;]{0,40}$", s.text[: m.start()]
                    )
                    if before:
                        year = int(before.group(1))
                if (metric, year) in seen:
                    continue
                seen.add((metric, year))
                claims.append(
                    Claim(
                        "indicator",
                        {"country": country, "year": year, "metric": metric, "value": value},
                        (s.start + m.start(), end),
                        0.8,
                    )
                )
    return claims
