"""Read a narrative: decode it, and find its country, report year and tier.

What the text says wins over the file name; `--country`/`--year` win over both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kg.draft.gazetteer import country_in_heading, find_mentions
from kg.errors import DraftError as DraftInputError


@dataclass(frozen=True)
class Heading:
    """What the opening lines of a narrative say about it."""

    country: str | None
    year: int | None
    tier: str | None
    tier_span: tuple[int, int] | None  # where the tier is written, for the evidence
    title_span: tuple[int, int] | None  # a title line naming the report and its year


def decode(data: bytes, name: str) -> str:
    """The text of a narrative file, or a DraftInputError naming `name`."""
    if not data.strip():
        raise DraftInputError(
            f"{name}: the file is empty", "give the plain text of a TIP country narrative"
        )
    if b"\x00" in data[:65536]:
        raise DraftInputError(
            f"{name}: this is a binary file, not a text",
            "give the plain text (UTF-8) of a country narrative",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DraftInputError(
            f"{name}: not UTF-8 (byte {exc.start})", "convert the text to UTF-8, e.g. with iconv"
        ) from None
    return text.removeprefix("\ufeff")


_TIER = re.compile(r"\bTier\s*(1|2|3|I{1,3})\b(\s*Watch\s*List)?|\bSpecial\s+Case\b", re.IGNORECASE)
_TITLE_YEAR = re.compile(
    r"(?:(\d{4})\s+Trafficking in Persons Report|"
    r"Trafficking in Persons Report,?\s+(?:June\s+)?(\d{4}))",
    re.IGNORECASE,
)
_FILE_YEAR = re.compile(r"(?<!\d)(20\d\d|199\d)(?!\d)")


def tier_notation(match: re.Match[str]) -> str:
    """The tier scheme notation of a `Tier 2 Watch List`-like match."""
    if match.group(1) is None:
        return "special_case"
    number = {"i": "1", "ii": "2", "iii": "3"}.get(match.group(1).lower(), match.group(1))
    return f"tier_{number}" + ("_watch_list" if match.group(2) else "")


def read_heading(text: str, file_name: str) -> Heading:
    """Country, year and tier from the heading lines, the first sentence and the file name."""
    country = year = tier = None
    tier_span = title_span = None
    offset = 0
    lines_seen = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped:
            lines_seen += 1
            is_heading = len(stripped) < 120 and not stripped.endswith(".")
            if is_heading:
                ym = _TITLE_YEAR.search(stripped)
                if ym and year is None:
                    year = int(ym.group(1) or ym.group(2))
                    title_span = (
                        offset + line.index(stripped),
                        offset + line.index(stripped) + len(stripped),
                    )
                tm = _TIER.search(stripped)
                if tm and tier is None:
                    tier = tier_notation(tm)
                    start = offset + line.index(stripped)
                    tier_span = (start, start + len(stripped))
                if country is None:
                    country = country_in_heading(
                        re.sub(
                            r".*Trafficking in Persons Report\s*(?:\d{4})?\s*[-–—:]\s*",
                            "",
                            stripped,
                            flags=re.IGNORECASE,
                        ).strip("= ")
                    )
                    if country is None and stripped.startswith("="):
                        country = _first_country(stripped)
        offset += len(line)
        if lines_seen >= 4:
            break
    if country is None:
        country = _subject_country(text)
    if year is None:
        fy = _FILE_YEAR.search(Path(file_name).name)
        if fy:
            year = int(fy.group(1))
    return Heading(country, year, tier, tier_span, title_span)


def _first_country(text: str) -> str | None:
    for m in find_mentions(text):
        if m.kind == "country" and len(m.places) == 1:
            return m.places[0]
    return None


_SUBJECT = re.compile(
    r"(?:^|\n)\s*(?:As reported [^,]*, )?(?:the )?([A-Z][^\n,]{2,60}?) is "
    r"(?:a |an |primarily |principally |mainly |predominantly |also |now )*"
    r"(?:source|transit|destination|country)"
)
_VICTIMS_IN = re.compile(r"victims (?:in|from) ((?:the )?[A-Z][\w'’ -]{2,50})")


def _subject_country(text: str) -> str | None:
    """The country of "X is a source ... country" or "exploit ... victims in X"."""
    head = text[:4000]
    for pattern in (_SUBJECT, _VICTIMS_IN):
        m = pattern.search(head)
        if m:
            found = _first_country(m.group(1))
            if found:
                return found
    return None


def latest_year(text: str) -> int | None:
    """The latest plausible year a text names (a fallback for texts that are no report)."""
    years = [int(y) for y in re.findall(r"(?<!\d)(19[9]\d|20\d\d)(?!\d)", text)]
    years = [y for y in years if 1990 <= y <= 2100]
    return max(years) if years else None
