"""Flow sentences: which places a sentence names as origins, transit and destinations.

Each place mention takes its role from the cue right before it ("from", "to", "through",
"via", "en route to", "destined for", "in", ...). A mention with no cue of its own
continues the list before it ("to A, B, and C"; "as well as", "including",
"particularly", parentheses); a demonym with no cue is an origin ("Kenyan women").
What the sentence leaves out comes from the narrative: a flow with destinations and no
origin starts in the narrative's country ("Victims are trafficked to X"), one with origins
and no destination ends there. Places named for another reason (a job offered in one
country before trafficking to another, a victim's descent, a government) are not flows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.draft.gazetteer import Mention, find_mentions
from kg.draft.sentences import Sentence

# The words that make a sentence about trafficking at all.
TRAFFICKING = re.compile(
    r"traffick|exploit|forced|subjected|servitude|prostitut|sex trade|commercial sex|"
    r"slave|bondage|bonded|coerc|victim|compel|lured|sold|enslav|debt|brothel",
    re.IGNORECASE,
)
HEDGE = re.compile(
    r"\b(?:reportedly|possibly|allegedly|may|might|could|likely|suspected|"
    r"some reports|reports indicate|unconfirmed|potential(?:ly)?|believed)\b",
    re.IGNORECASE,
)
INTERNAL = re.compile(
    r"\b(?:within the country|within (?:its|their|the country's) (?:own )?borders|"
    r"internally|internal trafficking|domestic(?:ally)? trafficking|"
    r"domestic (?:and foreign )?victims|"
    r"from rural (?:areas|regions|communities|provinces|villages)(?: of the country)? to "
    r"(?:urban|the cities|cities|towns|the capital|tourist)|"
    r"to urban (?:areas|centers)|in the country's (?:cities|urban))",
    re.IGNORECASE,
)
# "vulnerable to trafficking" and "at risk of" say what may happen, not a flow
_VULNERABLE = re.compile(
    r"\b(?:vulnerable|susceptible|exposed|at risk|at high risk|risk)"
    r"\s+(?:to|of)\s+(?:[\w-]+\s+){0,2}[\w-]+",
    re.I,
)
ABROAD = re.compile(r"\babroad\b|\boverseas\b", re.IGNORECASE)
TRANSIT_WORD = re.compile(r"\btransit(?:s|ed|ing)?\b|\bthrough\b|\bvia\b", re.IGNORECASE)

_ROLE_CUES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:through|via)\s+or\s+(?:in)?to\b", re.I), "through_or_to"),
    (re.compile(r"\b(?:and )?(?:then )?(?:on|onward|onwards)\s+to\b", re.I), "onward"),
    (
        re.compile(r"\b(?:en route|on (?:their|the) way|headed|bound|destined) (?:to|for)\b", re.I),
        "destination",
    ),
    (
        re.compile(
            r"\btransit(?:s|ed|ing)?(?: point| country| hub)?(?: for| through| via| in)?\b|"
            r"\bthrough\b|\bvia\b|\bby way of\b",
            re.I,
        ),
        "transit",
    ),
    (
        re.compile(
            r"\b(?:jobs?|work|employment|positions?|opportunit(?:y|ies)|offers?|promises?"
            r"(?: of [\w ]{1,30})?)\s+(?:[\w-]+\s+){0,3}(?:in|to)\b",
            re.I,
        ),
        "lure",
    ),
    (re.compile(r"\b(?:descent|origin|heritage|ancestry)\b", re.I), "none"),
    # where recruiters sit is no end of a route ("brokers in the UAE")
    (
        re.compile(
            r"\b(?:agencies|agents|brokers|recruiters|employers|offices|companies|firms)"
            r"\s+(?:\w+\s+)?(?:in|from)\b",
            re.I,
        ),
        "none",
    ),
    (
        re.compile(
            r"\bdestinations?\b[^.;]{0,80}?\b(?:including|such as|include|includes|are|"
            r"were)\b",
            re.I,
        ),
        "destination",
    ),
    (
        re.compile(
            r"\b(?:from|out of|nationals of|citizens of|natives of|"
            r"victims of|women of|men of|children of)\b",
            re.I,
        ),
        "origin",
    ),
    (
        re.compile(r"\b(?:to|into|for work in|in|inside|at|across|throughout|for)\b", re.I),
        "destination",
    ),
    (re.compile(r"\bwithin\b", re.I), "within"),
    (re.compile(r"\b(?:with|near|border|borders|bordering|between|than|against)\b", re.I), "none"),
]
# text between two mentions of one list: punctuation, conjunctions, list words
_GLUE = re.compile(
    r"^(?:[\s,;:()\-–—/]|\band\b|\bor\b|\bas well as\b|\bincluding\b|\bparticularly\b|"
    r"\bnotably\b|\bmost\b|\bespecially\b|\bsuch as\b|\bthe\b|\bother\b|\bto a lesser extent\b|"
    r"\bto a lesser degree\b|\bprimarily\b|\bmainly\b|\bmostly\b|\balso\b|\bmost commonly\b|"
    r"\bbut\b|\bneighboring\b|\bcountries\b|\bnations\b|\bstates\b|\bregion\b|\bin particular\b|"
    r"\band then\b|\bfollowed by\b|\b\d+\b|"
    # a name the gazetteer does not know inside a list (a city: "including Amman")
    r"(?-i:\b[A-Z][\w'’.-]*\b))*$",
    re.I,
)
# words after a mention that make it something other than a place of the flow
_NOT_A_PLACE_AFTER = re.compile(
    r"^(?:'s|’s)?\s*(?:government|authorities|officials|police|embassy|embassies|law|courts?|"
    r"consulates?|military|armed forces|ministry|president|border guards|NGOs?|"
    r"descent|origin|heritage|ancestry|language|-born|"
    r"(?:[\w-]+\s+){0,2}(?:recruit\w*|agenc(?:y|ies)|agents?|employers?|brokers?|"
    r"traffickers?|sponsors?|clients?|tourists?|compan(?:y|ies)|firms?|criminal))\b",
    re.I,
)
_ETHNIC_BEFORE = re.compile(r"\b(?:ethnic|of)\s+$", re.I)
_LEADING = re.compile(
    r"^(?:As reported over the (?:past|last) \w+ years,\s*|"
    r"During the (?:reporting|rating) period,\s*|In recent years,\s*)"
)


@dataclass
class Flow:
    """A flow one sentence states, before it is written as a seed assertion."""

    origin: list[str]
    transit: list[str]
    destination: list[str]
    internal: bool
    confidence: float
    span: tuple[int, int]
    sentence: Sentence
    notes: list[str] = field(default_factory=list)


def _role_of(between: str, mention: Mention) -> str | None:
    """The role the cue words in `between` (the text before `mention`) give it, or None."""
    best: tuple[int, str] | None = None
    for pattern, role in _ROLE_CUES:
        for m in pattern.finditer(between):
            # the cue closest to the mention wins; at one position the longer, earlier rule
            key = m.end()
            if best is None or key > best[0]:
                best = (key, role)
    if best is None:
        return None
    tail = between[best[0] :]
    if (len(tail.split()) > 4 or re.search(r"[\d,;:()]", tail)) and (
        re.search(r"\d", tail) or not _GLUE.match(tail)
    ):
        return None  # the cue is too far from the mention to be its own
    return best[1]


def _roles(sentence: Sentence, text: str, country: str) -> list[tuple[Mention, str]]:
    mentions = find_mentions(text, sentence.start, sentence.end)
    out: list[tuple[Mention, str]] = []
    previous_end = sentence.start
    previous_role: str | None = None
    for i, mention in enumerate(mentions):
        between = text[previous_end : mention.start]
        after = text[mention.end : mention.end + 40]
        if _NOT_A_PLACE_AFTER.match(after) or (
            mention.kind == "demonym" and _ETHNIC_BEFORE.search(between)
        ):
            role: str | None = "none"
        elif i > 0 and previous_role not in (None, "none") and _GLUE.match(between):
            role = previous_role
            if previous_role == "onward" or previous_role == "lure":
                role = previous_role
        else:
            role = _role_of(between, mention)
            if role is None or (role == "none" and mention.kind == "demonym"):
                role = "origin" if mention.kind == "demonym" else None
            elif mention.kind == "demonym" and (
                role in ("transit", "lure", "within")
                or (role == "destination" and re.search(r"\bfor\s+$", between))
            ):
                role = "origin"  # "a transit country for South Asian men": people, not a route
        out.append((mention, role or "none"))
        previous_end = mention.end
        previous_role = role
    return _roles_named_after(out, text, sentence)


_NAMED_AFTER = re.compile(
    r"^[\s,]*(?:is|are|was|were|remain|remains)\s+(?:the|among\s+the)\s+"
    r"(?:(?:main|primary|principal|top|most common|leading|major)\s+)?"
    r"(destination|source|origin|transit)",
    re.I,
)


def _roles_named_after(
    roles: list[tuple[Mention, str]], text: str, sentence: Sentence
) -> list[tuple[Mention, str]]:
    """ "Turkey and Russia are the destinations of most Turkmen victims": a list whose role
    word follows it."""
    out = list(roles)
    i = 0
    while i < len(out):
        j = i
        while j + 1 < len(out) and _GLUE.match(text[out[j][0].end : out[j + 1][0].start]):
            j += 1
        if all(
            r in ("none", None) or (m.kind != "demonym" and r == "none") for m, r in out[i : j + 1]
        ):
            after = _NAMED_AFTER.match(text[out[j][0].end : sentence.end])
            if after:
                word = after.group(1).lower()
                role = {"origin": "origin", "source": "origin"}.get(word, word)
                for k in range(i, j + 1):
                    if out[k][1] == "none" and out[k][0].kind != "demonym":
                        out[k] = (out[k][0], role)
        i = j + 1
    return out


@dataclass
class Context:
    """What one sentence of a narrative leaves to the next."""

    country: str
    # origins of victims trafficked "to and through" the country, for a later sentence
    # on "those in transit" ("those transiting the country are trafficked to ...")
    transit_origins: list[str] = field(default_factory=list)
    # a sentence that names places but no trafficking, waiting for the next sentence
    # ("Men migrate from A and B to work ... Upon arrival some are subjected to forced labor")
    pending: Sentence | None = None


_TO_AND_THROUGH = re.compile(
    r"\b(?:to|into)\s+(?:and|or)\s+(?:through|via)\b|"
    r"\b(?:through|via)\s+(?:and|or)\s+(?:in)?to\b",
    re.I,
)
_THOSE_IN_TRANSIT = re.compile(
    r"\bthose (?:in transit|transiting)\b|\btransit victims\b|"
    r"\bvictims (?:in transit|transiting)\b",
    re.I,
)
_BETWEEN = re.compile(r"\bbetween\s+$", re.I)
# sentences about what a government or others did, not about where victims went
# sex tourists travel to exploit, they are not victims (and so no flow)
_SEX_TOURISM = re.compile(
    r"\b(?:travel|go|come|visit)\w*\b[^.]{0,160}?\b(?:to engage in "
    r"(?:commercial )?sex|for (?:child )?sex tourism)|\bsex tourists\b",
    re.I,
)
_ACTION = re.compile(
    r"\b(?:repatriat\w*|embass(?:y|ies)|memorand\w*|MOUs?|agreements?|signed|"
    r"campaigns?|extradit\w*|deport\w*|funded|donor|trained|training|"
    r"cooperat\w*|hotline|shelters?)\b",
    re.I,
)


def narrative_flows(sentences: list[Sentence], text: str, country: str) -> list[Flow]:
    """The flows every sentence of a narrative states, in order."""
    ctx = Context(country)
    out: list[Flow] = []
    for sentence in sentences:
        out.extend(sentence_flows(sentence, text, ctx))
    return out


def sentence_flows(sentence: Sentence, text: str, ctx: Context | str) -> list[Flow]:
    """The flows `sentence` states, in the narrative of `ctx` (a Context or an alpha-3)."""
    if isinstance(ctx, str):
        ctx = Context(ctx)
    country = ctx.country
    pending, ctx.pending = ctx.pending, None
    plain = _VULNERABLE.sub(" ", sentence.text)
    carried = False
    if not TRAFFICKING.search(plain):
        if find_mentions(text, sentence.start, sentence.end) and re.search(
            r"\b(?:migrat\w*|recruit\w*|travel\w*|go|went|move\w*)\b", sentence.text, re.I
        ):
            ctx.pending = sentence
        return []
    if _ACTION.search(sentence.text) and not re.search(
        r"\btraffick(?:ed|s)\b(?! (?:in )?persons)", sentence.text
    ):
        return []
    if _SEX_TOURISM.search(sentence.text) and not re.search(
        r"\b(?:victims|subjected)\b", sentence.text
    ):
        return []
    roles = _roles(sentence, text, country)
    if (
        not any(r not in ("none", None) for _, r in roles)
        and pending is not None
        and not find_mentions(text, sentence.start, sentence.end)
    ):
        # the places are in the sentence before, the trafficking in this one
        sentence = pending
        roles = _roles(sentence, text, country)
        carried = True
    between = _between(roles, text)
    origins: list[str] = []
    transit: list[str] = []
    dests: list[str] = []
    onward: list[str] = []
    lure: list[str] = []
    within: list[str] = []
    through_or_to: list[str] = []
    used: list[Mention] = []
    bins = {
        "origin": origins,
        "transit": transit,
        "destination": dests,
        "onward": onward,
        "lure": lure,
        "within": within,
        "through_or_to": through_or_to,
    }
    for mention, role in roles:
        if role in bins and mention not in between[0] and mention not in between[1]:
            for place in mention.places:
                if place not in bins[role]:
                    bins[role].append(place)
            used.append(mention)
    to_and_through: list[str] = []
    if _TO_AND_THROUGH.search(sentence.text) and country in dests + transit + through_or_to:
        if [d for d in dests if d != country]:
            # "from A to and through Poland to B": A to Poland, and A through Poland to B
            to_and_through = [country]
        else:
            # "victims trafficked to and through Bulgaria are from A, B": Bulgaria is their
            # destination, and the route on is stated later for "those in transit"
            if country in transit:
                transit.remove(country)
            if country not in dests:
                dests.append(country)
            ctx.transit_origins = [o for o in origins if o != country]
    dests.extend(p for p in through_or_to if p not in dests)
    if lure and not dests and not onward:
        dests.extend(lure)
    elif lure:
        used = [m for m, r in roles if r in bins and r != "lure"]
    internal_cue = INTERNAL.search(sentence.text)
    internal = bool(internal_cue) or country in within
    for place in within:
        if place != country and place not in dests:
            dests.append(place)
    hedged = bool(HEDGE.search(sentence.text))
    confidence = 0.6 if hedged or carried else 0.9
    notes = ["places from this sentence, trafficking from the next"] if carried else []
    flows: list[Flow] = []
    if between[0] and between[1]:
        a = [p for m in between[0] for p in m.places]
        b = [p for m in between[1] for p in m.places]
        span = _evidence_span(sentence, text, [*between[0], *between[1]], None)
        flows.append(Flow(a, [], b, False, confidence, span, sentence, ["between: both ways"]))
        flows.append(Flow(b, [], a, False, confidence, span, sentence, ["between: both ways"]))
    internal_cue = INTERNAL.search(sentence.text)
    if _is_subject_statement(sentence, text, roles, country):
        if internal_cue or country in within:
            # "... trafficked internationally and within the country"
            flows.append(
                Flow(
                    [country],
                    [],
                    [country],
                    True,
                    confidence,
                    _evidence_span(sentence, text, [], internal_cue),
                    sentence,
                    ["internal trafficking"],
                )
            )
        return flows
    if _THOSE_IN_TRANSIT.search(sentence.text) and ctx.transit_origins and dests:
        span = _evidence_span(sentence, text, used, None)
        flows.append(
            Flow(
                list(ctx.transit_origins),
                [country],
                [d for d in dests if d != country],
                False,
                min(confidence, 0.7),
                span,
                sentence,
                ["origins of 'those in transit' from an earlier sentence"],
            )
        )
    implicit = False
    if not origins and (dests or onward):
        origins = [country]
        implicit = True
        notes.append("origin not named: the narrative's country")
    if (
        origins
        and not dests
        and not onward
        and not transit
        and not internal
        and origins != [country]
        and not ABROAD.search(sentence.text)
    ):
        dests = [country]
        implicit = True
        notes.append("destination not named: the narrative's country")
    if (
        transit == []
        and TRANSIT_WORD.search(sentence.text)
        and dests
        and country not in origins
        and country not in dests
        and not through_or_to
        and re.search(r"\btransit(?:s|ed|ing)?\b", sentence.text, re.I)
    ):
        transit = [country]
        confidence = min(confidence, 0.6)
        notes.append("transit through the narrative's country, from 'transit'")
    if implicit:
        confidence -= 0.1
    if country in transit and country in origins and len(origins) > 1 and dests:
        # "Togolese and other West African victims are sent through Togo to the Middle East":
        # Togo's own victims go straight there, the others pass through it
        others = [o for o in origins if o != country]
        flows.append(
            Flow(
                others,
                [country],
                [d for d in dests if d != country],
                False,
                confidence,
                _evidence_span(sentence, text, used, None),
                sentence,
                list(notes),
            )
        )
        origins = [country]
    # a transit is never an origin or a destination of its own route
    transit = [
        t for t in dict.fromkeys(transit) if t not in origins and t not in dests and t not in onward
    ]
    span = _evidence_span(sentence, text, used, internal_cue)
    external_dests = [d for d in dests if d not in origins or len(origins) > 1]
    if origins and (external_dests or onward):
        if onward:
            if dests:
                flows.append(
                    Flow(origins, [], dests, False, confidence, span, sentence, list(notes))
                )
            via = [
                t for t in dict.fromkeys(dests + transit) if t not in origins and t not in onward
            ]
            flows.append(Flow(origins, via, onward, False, confidence, span, sentence, list(notes)))
        else:
            if to_and_through:
                flows.append(
                    Flow(
                        origins, [], to_and_through, False, confidence, span, sentence, list(notes)
                    )
                )
            flows.append(
                Flow(origins, transit, dests, False, confidence, span, sentence, list(notes))
            )
    if internal:
        inner = country
        if within and country not in within and len(within) == 1:
            inner = within[0]
        inner_span = span
        if not (origins and (external_dests or onward)):
            inner_span = _clause_span(sentence, text, span)
        flows.append(
            Flow(
                [inner],
                [],
                [inner],
                True,
                confidence,
                inner_span,
                sentence,
                ["internal trafficking"],
            )
        )
    return flows


def _clause_span(sentence: Sentence, text: str, span: tuple[int, int]) -> tuple[int, int]:
    """The clause of `span` that holds its trafficking word: "an increase in the number of
    labor trafficking victims into and within X", not the whole sentence."""
    piece = text[span[0] : span[1]]
    words = list(TRAFFICKING.finditer(piece))
    if not words:
        return span
    last = words[-1].start()
    cuts = [m.end() for m in re.finditer(r";\s+|,\s+|\s+and\s+(?=an?\s|the\s)", piece[:last])]
    start = span[0] + (cuts[-1] if cuts else 0)
    return start, span[1]


def _between(roles: list[tuple[Mention, str]], text: str) -> tuple[list[Mention], list[Mention]]:
    """ "between Mali and other West African countries, most notably A, B": both ways."""
    for i, (mention, _) in enumerate(roles):
        start = roles[i - 1][0].end if i else max(0, mention.start - 40)
        if not _BETWEEN.search(text[start : mention.start]) or i + 1 >= len(roles):
            continue
        first = [mention]
        second: list[Mention] = []
        for other, _ in roles[i + 1 :]:
            gap = text[(second[-1] if second else first[-1]).end : other.start]
            if (not second and re.match(r"^\s*and\s+[\w\s]{0,20}$", gap)) or (
                second and _GLUE.match(gap)
            ):
                second.append(other)
            else:
                break
        if second:
            return first, second
    return [], []


def _is_subject_statement(
    sentence: Sentence, text: str, roles: list[tuple[Mention, str]], country: str
) -> bool:
    """'X is a source, transit, and destination country ...' naming no other place on a
    route: a role, not a flow."""
    if not re.search(
        r"\bis (?:a|an|primarily a|principally a|mainly a|also a)\b[^.]{0,60}"
        r"\b(?:source|transit|destination)\b",
        sentence.text,
    ):
        return False
    return not any(
        r in ("origin", "destination", "transit", "onward", "through_or_to")
        and country not in m.places
        for m, r in roles
    )


def _evidence_span(
    sentence: Sentence, text: str, used: list[Mention], internal_cue: re.Match[str] | None
) -> tuple[int, int]:
    """The shortest span of the sentence that carries the flow: subject to last place."""
    start = sentence.start
    lead = _LEADING.match(sentence.text)
    if lead:
        start += lead.end()
    end = max((m.end for m in used), default=sentence.start)
    if internal_cue:
        end = max(end, sentence.start + internal_cue.end())
    if not TRAFFICKING.search(text[start:end]):
        # a span that names places but no trafficking runs on to the verb that does
        verb = TRAFFICKING.search(text, end, sentence.end)
        if verb:
            word_end = re.match(r"[\w-]*", text[verb.end() :]).end()  # type: ignore[union-attr]
            end = verb.end() + word_end
            more = re.match(r"(?: (?:to|into|in|for)(?: [\w-]+){1,3})", text[end : sentence.end])
            if more:
                end += more.end()
    if end <= start:
        end = sentence.end
    # close a parenthesis the span opened
    piece = text[start:end]
    if piece.count("(") > piece.count(")"):
        close = text.find(")", end, sentence.end)
        if close != -1:
            end = close + 1
    return start, end
