"""Coverage: what of a source text no curated assertion accounts for.

For each source, two lists:

- the *sentences no evidence quote touches*: a sentence is touched when an occurrence
  of one of the source's quotes overlaps it by at least one character (quotes are found
  the way the quote check finds them, white space folded; a quote that occurs several
  times touches every occurrence);
- the *mentions no assertion carries*: every number, place name and law-article number
  in the text. An occurrence is carried when one assertion of that source does both:
  (1) one of its quotes covers the occurrence, and (2) one of its fields holds the same
  thing — the same number (compared by value: "five", "5" and "5.0" are equal; "$35,000"
  is 35000; "six years and six months" is 6.5), the same country or region (by ISO code
  or region slug), the same article number (as written, e.g. `125(3)(b)`). The numbers
  of a field are those written in its value or label: a year, a count, a date's year
  and month, the digits in a title ("2000 UN TIP Protocol") or in a concept's label
  ("Tier 2"). Notes, evidence and references to other assertions carry nothing.

Numbers are digit groups and the cardinal words zero to twenty, thirty ... ninety,
hundred(s), thousand(s), million(s), dozen(s); ordinals ("first") are not numbers.
Place names are names (not ISO codes) that `kg.places.resolve_place` knows, so a demonym
("Kazakhstani") or a language ("Russian") is not a place. Sentences end at `.`, `!` or
`?` before a capital letter, a digit or an opening quote, except after an initialism
("U.S.", "U.A.E."); each line is a unit of its own, with wiki heading and list markup
(`== Heading ==`, `- item`) left out.

Everything here is a pure function of the texts and the checked records; `coverage`
at the bottom is the one function that reads files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from kg.concepts import Concept
from kg.errors import InputError, InvalidData, UsageError
from kg.places import Place, resolve_place
from kg.records import AssertionRecord, City, Literal, Seeds
from kg.schema import fields_of

# ---------------------------------------------------------------- folded text


@dataclass(frozen=True)
class FoldedText:
    """A text with runs of white space folded to one space, as the quote check sees it.

    `origin[i]` is the offset in the raw text of folded character `i`, so that a
    position found in the folded text can be reported as a line and column.
    """

    raw: str
    text: str
    origin: tuple[int, ...]

    def line_col(self, index: int) -> tuple[int, int]:
        """1-based line and column in the raw text of folded offset `index`."""
        raw_index = self.origin[index] if index < len(self.origin) else len(self.raw)
        line = self.raw.count("\n", 0, raw_index) + 1
        col = raw_index - (self.raw.rfind("\n", 0, raw_index) + 1) + 1
        return line, col


def fold_text(raw: str) -> FoldedText:
    """Fold white space like `kg.quotes.fold_space`, remembering where each character was.

    >>> folded = fold_text("a  b\\n c ")
    >>> folded.text, folded.line_col(2)
    ('a b c', (1, 4))
    """
    chars: list[str] = []
    origin: list[int] = []
    for match in re.finditer(r"\S+", raw):
        if chars:
            chars.append(" ")
            origin.append(match.start() - 1)
        chars.extend(match.group())
        origin.extend(range(match.start(), match.end()))
    return FoldedText(raw, "".join(chars), tuple(origin))


# ---------------------------------------------------------------- sentences

_HEADING = re.compile(r"^(=+)\s*(.*?)\s*\1$")
_LIST_ITEM = re.compile(r"^[-*•]\s+")
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")
_INITIALISM = re.compile(r"(?:^|\s|\()(?:[A-Z]\.){2,}$")


@dataclass(frozen=True)
class Span:
    """A stretch of the folded text: [start, end)."""

    start: int
    end: int
    text: str


def sentences(folded: FoldedText) -> list[Span]:
    """The sentences of a text, each line split on its own, markup left out.

    >>> [s.text for s in sentences(fold_text("== Head ==\\nThe U.S. acts. It ends.\\n- item"))]
    ['Head', 'The U.S. acts.', 'It ends.', 'item']
    """
    raw_to_folded = {raw: i for i, raw in enumerate(folded.origin)}
    out: list[Span] = []
    for line in re.finditer(r"[^\n]+", folded.raw):
        stripped = line.group().strip()
        if not stripped:
            continue
        offset = line.start() + line.group().index(stripped)
        heading = _HEADING.match(stripped)
        if heading:
            inner = heading.group(2)
            offset += stripped.index(inner, len(heading.group(1)))
            stripped = inner
        else:
            item = _LIST_ITEM.match(stripped)
            if item:
                offset += item.end()
                stripped = stripped[item.end() :]
        if not stripped:
            continue
        start = raw_to_folded[offset]
        end = raw_to_folded[offset + len(stripped) - 1] + 1
        out.extend(_split(folded.text, start, end))
    return out


def _split(text: str, start: int, end: int) -> Iterable[Span]:
    piece = text[start:end]
    begin = 0
    for match in _SENTENCE_END.finditer(piece):
        stop = match.start() + 1
        while stop < len(piece) and piece[stop] in '"”’)':
            stop += 1
        if _INITIALISM.search(piece[begin:stop]):
            continue
        yield Span(start + begin, start + stop, piece[begin:stop])
        begin = match.end()
    if begin < len(piece):
        yield Span(start + begin, end, piece[begin:])


# ---------------------------------------------------------------- mentions

_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "hundreds": 100,
    "thousand": 1000,
    "thousands": 1000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "dozen": 12,
    "dozens": 12,
}
_WORD = r"(?:" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")"
_DIGITS = r"\$?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_NUMBER = rf"(?:{_DIGITS}|{_WORD})"
_NUMBER_RE = re.compile(rf"(?<![\w$.,]){_NUMBER}(?![\w]|[.,]\d)", re.I)
_DURATION = re.compile(rf"(?<![\w$]){_NUMBER}\s+years?\s+and\s+{_NUMBER}\s+months?\b", re.I)
_ARTICLE = r"\d+[A-Za-z]?(?:\([0-9A-Za-z]+\))*"
_ARTICLES = re.compile(rf"\bArticles?\s+{_ARTICLE}(?:(?:,\s*|\s+)(?:and\s+)?{_ARTICLE})*")
_ARTICLE_RE = re.compile(_ARTICLE)
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_]+(?:-[^\W\d_]+)*")
_MAX_NAME_WORDS = 6


@dataclass(frozen=True)
class Mention:
    """A number, place or article number found in a text; `key` is what is compared."""

    kind: str  # "number" | "place" | "article"
    key: str
    span: Span


def number_key(text: str) -> str | None:
    """The canonical form of a written number, or None.

    >>> [number_key(t) for t in ("$35,000", "five", "6.50", "Thousands", "x")]
    ['35000', '5', '6.5', '1000', None]
    """
    word = _WORDS.get(text.casefold())
    if word is not None:
        return str(word)
    try:
        value = Decimal(text.lstrip("$").replace(",", ""))
    except InvalidOperation:
        return None
    return _canonical(value)


def _canonical(value: Decimal) -> str:
    return format(value.normalize(), "f")


def numbers_in(text: str, skip: Sequence[Span] = (), base: int = 0) -> list[Mention]:
    """Every number written in `text` (offsets shifted by `base`), outside `skip`.

    >>> [m.key for m in numbers_in("one got six years and six months, 3,000 got 12")]
    ['1', '6.5', '3000', '12']
    """
    found: list[Mention] = []
    taken = [(s.start - base, s.end - base) for s in skip]
    for match in _DURATION.finditer(text):
        numbers = _NUMBER_RE.findall(match.group())
        years, months = (Decimal(number_key(n) or "0") for n in numbers[:2])
        key = _canonical(years + months / 12)
        found.append(
            Mention("number", key, Span(base + match.start(), base + match.end(), match.group()))
        )
        taken.append(match.span())
    for match in _NUMBER_RE.finditer(text):
        if any(a <= match.start() < b for a, b in taken):
            continue
        key = number_key(match.group())
        if key is not None:
            found.append(
                Mention(
                    "number", key, Span(base + match.start(), base + match.end(), match.group())
                )
            )
    return sorted(found, key=lambda m: m.span.start)


def articles_in(text: str) -> list[Mention]:
    """Article numbers after "Article"/"Articles".

    >>> [m.key for m in articles_in("Articles 128, 133, 125(3)(b), and 270 of the code")]
    ['128', '133', '125(3)(b)', '270']
    """
    out: list[Mention] = []
    for group in _ARTICLES.finditer(text):
        listed = group.group()
        first = listed.index(" ")
        for match in _ARTICLE_RE.finditer(listed, first):
            start = group.start() + match.start()
            out.append(
                Mention(
                    "article", match.group(), Span(start, start + len(match.group()), match.group())
                )
            )
    return out


def places_in(text: str) -> list[Mention]:
    """Country and region names, longest first; ISO codes and demonyms do not count.

    >>> [(m.key, m.span.text) for m in places_in(
    ...     "In Kazakhstani hands, to the U.A.E., South Korea and Western Europe")]
    [('ARE', 'U.A.E.'), ('KOR', 'South Korea'), ('western-europe', 'Western Europe')]
    """
    tokens = list(_TOKEN.finditer(text))
    out: list[Mention] = []
    i = 0
    while i < len(tokens):
        hit = None
        if tokens[i].group()[0].isupper():
            for n in range(min(_MAX_NAME_WORDS, len(tokens) - i), 0, -1):
                last = tokens[i + n - 1]
                if not last.group()[0].isupper():
                    continue
                surface = text[tokens[i].start() : last.end()]
                place = resolve_place(surface)
                if place is not None and not _is_code(surface, place):
                    hit = (n, place, surface)
                    break
        if hit:
            n, place, surface = hit
            start = tokens[i].start()
            out.append(Mention("place", place.code, Span(start, start + len(surface), surface)))
            i += n
        else:
            i += 1
    return out


def _is_code(surface: str, place: Place) -> bool:
    # "In" folds to India's alpha-2 code, "AND" to Andorra's alpha-3: codes are not names.
    if "." in surface or place.kind != "country":
        return False
    folded = surface.casefold()
    return folded in ((place.alpha2 or "").casefold(), place.code.casefold())


def mentions(folded: FoldedText) -> list[Mention]:
    """Every number, place name and article number of a text, in text order."""
    text = folded.text
    articles = articles_in(text)
    found = [*articles, *numbers_in(text, [m.span for m in articles]), *places_in(text)]
    return sorted(found, key=lambda m: (m.span.start, m.kind))


# ---------------------------------------------------------------- what assertions carry


@dataclass(frozen=True)
class Carried:
    """What one assertion holds in its fields, and where its quotes occur in the text."""

    id: str
    keys: frozenset[tuple[str, str]]  # (kind, key)
    quote_spans: tuple[Span, ...]


def _field_texts(value: object) -> Iterable[tuple[str, str]]:
    """(kind, key-or-text) pairs of one field value; kind "text" is scanned for numbers."""
    if isinstance(value, Place):
        yield "place", value.code
    elif isinstance(value, Concept):
        yield "text", value.label
        yield "text", value.notation.replace("_", " ")
    elif isinstance(value, Literal):
        yield "text", value.text.replace("-", " ")
    elif isinstance(value, City):
        yield "text", value.name
    elif isinstance(value, bool):
        return
    elif isinstance(value, int | float):
        yield "text", str(value)
    elif isinstance(value, str):
        yield "text", value


def carried_keys(record: AssertionRecord) -> frozenset[tuple[str, str]]:
    """The numbers, places and article numbers an assertion's fields hold.

    References to other assertions (`actor`) carry nothing of their own.
    """
    specs = fields_of(record.kind)
    keys: set[tuple[str, str]] = set()
    for name in record.fields:
        spec = specs.get(name)
        if spec is None or spec.type in ("ref", "bool", "quote", "id", "kind"):
            continue
        for value in record.many(name):
            if spec.type == "article":
                keys.add(("article", str(value)))
                continue
            for kind, text in _field_texts(value):
                if kind == "place":
                    keys.add(("place", text))
                else:
                    keys.update(("number", m.key) for m in numbers_in(text))
    return frozenset(keys)


def quote_spans(text: str, quotes: Iterable[str]) -> tuple[Span, ...]:
    """Every occurrence of every (white-space folded) quote in the folded `text`."""
    spans: list[Span] = []
    for quote in quotes:
        wanted = " ".join(quote.split())
        if not wanted:
            continue
        start = text.find(wanted)
        while start != -1:
            spans.append(Span(start, start + len(wanted), wanted))
            start = text.find(wanted, start + 1)
    return tuple(spans)


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _inside(inner: Span, outer: Span) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


# ---------------------------------------------------------------- a source's coverage


@dataclass(frozen=True)
class Uncovered:
    """Something of the text no assertion accounts for, with its place in the raw file."""

    kind: str  # "sentence" | "number" | "place" | "article"
    text: str
    line: int
    col: int
    key: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "text": self.text,
            "line": self.line,
            "column": self.col,
            "key": self.key,
        }


@dataclass
class SourceCoverage:
    """The coverage of one source text."""

    source_id: str
    text_name: str
    sentences: int = 0
    mentions: dict[str, int] = field(default_factory=dict)
    untouched: list[Uncovered] = field(default_factory=list)
    uncarried: list[Uncovered] = field(default_factory=list)
    cut: Uncovered | None = None  # where the text stops mid-sentence: a truncated copy

    @property
    def complete(self) -> bool:
        return not self.untouched and not self.uncarried and self.cut is None

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source_id,
            "text": self.text_name,
            "sentences": self.sentences,
            "mentions": dict(sorted(self.mentions.items())),
            "untouched_sentences": [u.as_dict() for u in self.untouched],
            "uncarried_mentions": [u.as_dict() for u in self.uncarried],
            "cut_short": self.cut.as_dict() if self.cut else None,
        }


_LAST_CHARACTERS = tuple(".!?:;\"'”’)]…")  # that end a text's last sentence


def cut_short(raw: str) -> Uncovered | None:
    """Where a text ends in the middle of a sentence (a copy cut short), or None.

    The last line counts only when it reads as prose: a heading (`==See also==`), a
    list item or a title of a few words is a fine last line without a full stop.

    >>> cut = cut_short("One sentence.\\n\\nThe government made progress over the reporting p\\n")
    >>> cut.text, cut.line, cut.col
    ('...made progress over the reporting p', 3, 1)
    >>> cut_short("Done.\\n") is None, cut_short("Text.\\n==See also==\\n- Some article\\n") is None
    (True, True)
    """
    lines = raw.rstrip().splitlines()
    if not lines:
        return None
    last = lines[-1].strip()
    if (
        last.endswith(_LAST_CHARACTERS)
        or last.startswith(("=", "-", "*", "#"))
        or len(last.split()) < 6
    ):
        return None
    tail = " ".join(last.split()[-6:])
    return Uncovered(
        "cut-short", f"...{tail}", len(lines), len(lines[-1]) - len(lines[-1].lstrip()) + 1
    )


def source_coverage(
    source_id: str, text_name: str, raw: str, records: Sequence[AssertionRecord]
) -> SourceCoverage:
    """What of one source's text (`raw`) its assertions (`records`) leave uncovered."""
    folded = fold_text(raw)
    claims = [
        Carried(r.id, carried_keys(r), quote_spans(folded.text, (q.text for q in r.evidence)))
        for r in records
        if r.source_id == source_id
    ]
    result = SourceCoverage(source_id, text_name, cut=cut_short(raw))
    all_quotes = [s for c in claims for s in c.quote_spans]
    units = sentences(folded)
    result.sentences = len(units)
    for unit in units:
        if not any(_overlaps(unit, q) for q in all_quotes):
            line, col = folded.line_col(unit.start)
            result.untouched.append(Uncovered("sentence", unit.text, line, col))
    for mention in mentions(folded):
        result.mentions[mention.kind] = result.mentions.get(mention.kind, 0) + 1
        wanted = (mention.kind, mention.key)
        if any(
            wanted in c.keys and any(_inside(mention.span, q) for q in c.quote_spans)
            for c in claims
        ):
            continue
        line, col = folded.line_col(mention.span.start)
        result.uncarried.append(Uncovered(mention.kind, mention.span.text, line, col, mention.key))
    return result


def seeds_coverage(seeds: Seeds, texts: dict[str, str]) -> list[SourceCoverage]:
    """The coverage of every source whose raw text is in `texts` (by source id)."""
    return [
        source_coverage(s.id, s.text, texts[s.id], seeds.assertions)
        for s in seeds.sources
        if s.id in texts
    ]


# ---------------------------------------------------------------- the command's one call


def coverage(
    seeds_dir: str | Path = "seeds",
    sources_dir: str | Path | None = None,
    ontology_dir: str | Path | None = None,
) -> list[SourceCoverage]:
    """Validate the seeds, read every source text, and report what each leaves uncovered."""
    from kg.pipeline import sources_dir_from_env, validate

    folder = sources_dir_from_env(sources_dir)
    if folder is None:
        raise UsageError("coverage needs the source texts", "pass --sources DIR or set KG_SOURCES")
    result = validate(seeds_dir, folder, ontology_dir, shacl=False)
    if not result.report.ok:
        raise InvalidData(result.report)
    seeds = result.seeds  # read back from the cache once
    texts: dict[str, str] = {}
    for source in seeds.sources:
        path = folder.find(source.text)
        try:
            texts[source.id] = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(
                f"{path}: cannot read the text of source {source.id!r}: {exc}",
                "check --sources / KG_SOURCES",
            ) from exc
    return seeds_coverage(seeds, texts)
