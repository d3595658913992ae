"""The quote check: every evidence quote must occur verbatim in its source text.

The texts are not part of the project; they are read from a directory the user names.
A source whose text is absent is reported as unchecked, never as passed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kg.findings import Report
from kg.records import Seeds

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class SourceDirs:
    """The directories the source texts are looked up in, in order (`--sources A:B`).

    Curated texts and published datasets live in different places; a seed names its text
    relative to whichever directory holds it, and the first directory that has it wins.
    """

    folders: tuple[Path, ...]

    @classmethod
    def parse(cls, spec: str) -> SourceDirs:
        """Split `A:B:C` (empty parts are ignored).

        >>> SourceDirs.parse("../shared/seeds:../shared/datasets").folders
        (PosixPath('../shared/seeds'), PosixPath('../shared/datasets'))
        """
        return cls(tuple(Path(part) for part in spec.split(":") if part.strip()))

    def find(self, name: str) -> Path:
        """Where the text `name` is: the first directory that has it, else the first
        directory's path (for the "not found" message)."""
        for folder in self.folders:
            path = folder / name
            if path.is_file():
                return path
        return self.folders[0] / name

    def key(self) -> str:
        """The resolved directories, for a cache key."""
        return ":".join(str(folder.resolve()) for folder in self.folders)

    def __str__(self) -> str:
        return ":".join(str(folder) for folder in self.folders)


def fold_space(text: str) -> str:
    """Collapse runs of white space, as a folded YAML scalar does.

    >>> fold_space("a  b\\n c ")
    'a b c'
    """
    return _SPACE.sub(" ", text).strip()


def _loose(text: str) -> str:
    # Used only to give a better hint: what a near miss differs in.
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = text.replace("–", "-").replace("—", "-")
    return unicodedata.normalize("NFKC", fold_space(text)).casefold()


_LOOK_ALIKE = str.maketrans("’‘“”–—", "''\"\"--")


def _same_width(char: str) -> str:
    char = char.translate(_LOOK_ALIKE)
    lower = char.lower()
    return lower if len(lower) == 1 else char


def near_miss_hint(quote: str, text: str) -> str | None:
    """What a quote that is almost in the text differs in, as the text writes it.

    >>> near_miss_hint("the victims’ rights", "for the victims' rights")
    "the text writes ' where the quote has ’; copy those characters exactly"
    >>> near_miss_hint("Victims' rights", "the victims’ rights")[:40]
    'the text writes v where the quote has V,'
    >>> near_miss_hint("nothing like it", "for the victims' rights") is None
    True
    """
    folded_text = "".join(_same_width(c) for c in text)
    at = folded_text.find("".join(_same_width(c) for c in quote))
    if at < 0:
        if _loose(quote) in _loose(text):
            return "the text has it with other quotes, dashes, case or widths; copy it exactly"
        return None
    pairs: list[str] = []
    for mine, theirs in zip(quote, text[at : at + len(quote)], strict=True):
        pair = f"{theirs} where the quote has {mine}"
        if mine != theirs and pair not in pairs:
            pairs.append(pair)
    shown = ", ".join(pairs[:4]) + (", ..." if len(pairs) > 4 else "")
    return f"the text writes {shown}; copy those characters exactly"


def read_source_texts(
    seeds: Seeds, sources_dir: SourceDirs | None, report: Report
) -> dict[str, str]:
    """Read each source's text from `sources_dir` (the first directory that has it),
    checking its SHA-256 against the header.

    Returns {source id: text, whitespace folded} for the sources whose text was found.
    """
    texts: dict[str, str] = {}
    for source in seeds.sources:
        loc = source.field_locs.get("text", source.loc)
        if sources_dir is None:
            report.warning(
                "unchecked",
                f"quotes of source {source.id!r} are unchecked: no source directory given",
                loc,
                "pass --sources DIR or set KG_SOURCES",
            )
            continue
        path = sources_dir.find(source.text)
        try:
            raw = path.read_bytes()
        except OSError:
            report.warning(
                "unchecked",
                f"quotes of source {source.id!r} are unchecked: {path} not found",
                loc,
                "check --sources / KG_SOURCES",
            )
            continue
        digest = hashlib.sha256(raw).hexdigest()
        if digest != source.sha256:
            report.error(
                "sha256-mismatch",
                f"{path} has SHA-256 {digest}, the header says {source.sha256}",
                source.field_locs.get("sha256", source.loc),
                "the text changed since curation: re-check the quotes, then update `sha256`",
            )
            continue
        try:
            texts[source.id] = fold_space(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            report.error("encoding", f"{path} is not UTF-8 text", loc)
    return texts


def check_quotes(seeds: Seeds, texts: dict[str, str], report: Report) -> None:
    """Report every quote not found verbatim (white space folded) in its source's text."""
    checked = unchecked = 0
    for record in seeds.assertions:
        text = texts.get(record.source_id)
        for quote in record.evidence:
            if text is None:
                unchecked += 1
                continue
            checked += 1
            wanted = fold_space(quote.text)
            if wanted in text:
                continue
            hint = near_miss_hint(wanted, text) or "copy the span from the source text exactly"
            report.error(
                "quote-not-found",
                f"evidence of {record.id!r} is not in the text of "
                f"source {record.source_id!r}: {_short(wanted)!r}",
                quote.loc,
                hint,
            )
    report.stats["quotes_checked"] = checked
    report.stats["quotes_unchecked"] = unchecked


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
