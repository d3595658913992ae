"""Cut a narrative into sentences, keeping each one's offsets in the text.

A period ends a sentence unless it belongs to an initialism ("U.A.E.", "U. S.") or a
short abbreviation ("St.", "Dr."), and a line break always ends one (headings have no
period). An initialism at the end of a sentence ("... trafficked to the U.S. Some ...")
still ends it when the next word usually opens a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BREAK = re.compile(r"[.!?][\"”’)]*\s+|\n\s*")
_INITIALISM = re.compile(r"(?:^|[\s(])(?:[A-Z]\.\s?)*[A-Z]\.$")
_ABBREVIATIONS = (
    "St.",
    "Dr.",
    "Mr.",
    "Mrs.",
    "Ms.",
    "No.",
    "Gen.",
    "Lt.",
    "Col.",
    "vs.",
    "approx.",
    "e.g.",
    "i.e.",
    "Jan.",
    "Feb.",
    "Aug.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
    "Art.",
    "Ltd.",
    "Inc.",
    "Co.",
)
_OPENER_WORDS = (
    "The In Some Men Women Children Victims Traffickers Many Most Foreign A An "
    "According During Other There This These NGOs Authorities Girls Boys "
    "Officials Labor Sex Human Since Although However Each Several Unknown"
)
_OPENERS = frozenset(_OPENER_WORDS.split())


@dataclass(frozen=True)
class Sentence:
    """A sentence: its text and where it starts and ends in the narrative."""

    start: int
    end: int
    text: str
    paragraph: int


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of `text`, in order, without surrounding white space.

    >>> [s.text for s in split_sentences("Men go to the U.A.E. and Oman. Women stay.")]
    ['Men go to the U.A.E. and Oman.', 'Women stay.']
    """
    out: list[Sentence] = []
    start = 0
    paragraph = 0
    for m in _BREAK.finditer(text):
        if m.group()[0] in ".!?" and not _ends_sentence(text, m):
            continue
        end = m.start()
        if m.group()[0] in ".!?":
            # keep closing quotes and brackets with the sentence they close
            end += 1 + len(re.match(r"[.!?]([\"”’)]*)", m.group()).group(1))
        _add(out, text, start, end, paragraph)
        if "\n" in m.group():
            paragraph += 1
        start = m.end()
    _add(out, text, start, len(text), paragraph)
    return out


def _skip(text: str, start: int) -> int:
    while start < len(text) and text[start].isspace():
        start += 1
    return start


def _add(out: list[Sentence], text: str, start: int, end: int, paragraph: int) -> None:
    start = _skip(text, start)
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(start, end, text[start:end], paragraph))


def _ends_sentence(text: str, m: re.Match[str]) -> bool:
    before = text[max(0, m.start() - 12) : m.start() + 1]
    following = text[m.end() : m.end() + 30]
    if not following or not (following[0].isupper() or following[0] in '"“‘(0123456789'):
        return False
    if before.endswith(_ABBREVIATIONS):
        return False
    if re.match(r"[A-Z]\.", following):
        return False  # "U. A. E.": the initialism goes on
    if _INITIALISM.search(before):
        word = re.match(r"[\w’']+", following)
        return bool(word) and word.group() in _OPENERS
    return True
