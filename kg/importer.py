"""`kg import`: published datasets as seed files, one fact per assertion, one row per quote.

Two datasets are known (their provenance is data, in `kg/data/datasets.tsv`):

- `edgelists`: the cib117 origin,destination pairs, one file per TIP report year;
- `tiers`: Andrew Heiss's table of tier placements, `countryname,iso,year,ccode,tier`.

Each input file becomes one seed file that `kg validate` and `kg build` take like any
other. Every assertion quotes the verbatim row(s) of the dataset file, so the quote check
proves each row against the file (`--sources ../shared/seeds:../shared/datasets`).

Cleaning is reported, never silent: per file the rows read, the assertions kept, the rows
merged into a kept assertion (duplicates, name variants of one place) and the rows dropped
with their reason. Rows that cannot be read (wrong column count, an unreadable year, a
name that resolves to nothing, ...) are errors with file:line:col; any error refuses the
whole import (exit 1, nothing written) unless `--keep-going`, which writes the clean rows
and lists the rest.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from kg.errors import KgError, UsageError
from kg.export import write_files
from kg.places import Place, resolve_place, suggest_place
from kg.quotes import SourceDirs
from kg.schema import YEAR_MAX, YEAR_MIN

KINDS = ("edgelists", "tiers")

_TIERS = {
    "tier 1": "tier_1",
    "tier 2": "tier_2",
    "tier 3": "tier_3",
    "watchlist": "tier_2_watch_list",
    "tier 2 watch list": "tier_2_watch_list",
    "tier 2 watchlist": "tier_2_watch_list",
}
_TIER_HEADER = ["countryname", "iso", "year", "ccode", "tier"]
_NA = {"", "na", "nan"}
_YEAR_IN_NAME = re.compile(r"(\d{4})(?!.*\d)")
_LABELS = {
    "tier_1": "Tier 1",
    "tier_2": "Tier 2",
    "tier_3": "Tier 3",
    "tier_2_watch_list": "Tier 2 Watch List",
}


@dataclass(frozen=True)
class Problem:
    """A row (or file) that cannot be imported: where, what, and a hint."""

    where: str  # "path:line:col" or "path"
    message: str
    hint: str | None = None

    def render(self) -> str:
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{self.where}: error: {self.message}{hint}"


@dataclass
class FileSummary:
    """What one input file gave: rows read, assertions kept, rows merged or dropped."""

    path: str
    rows: int = 0
    kept: int = 0
    merged: int = 0
    dropped: dict[str, list[int]] = field(default_factory=dict)  # reason -> line numbers
    repaired: dict[str, list[int]] = field(default_factory=dict)  # kept, but read with care
    problems: list[Problem] = field(default_factory=list)
    output: str | None = None  # the seed file written (None: nothing to write)

    def drop(self, reason: str, line: int) -> None:
        self.dropped.setdefault(reason, []).append(line)

    @property
    def dropped_count(self) -> int:
        return sum(len(lines) for lines in self.dropped.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "rows": self.rows,
            "kept": self.kept,
            "merged": self.merged,
            "dropped": self.dropped_count,
            "dropped_by_reason": {
                k: {"rows": len(v), "lines": v} for k, v in sorted(self.dropped.items())
            },
            "repaired_by_reason": {
                k: {"rows": len(v), "lines": v} for k, v in sorted(self.repaired.items())
            },
            "refused": len(self.problems),
            "problems": [p.render() for p in self.problems],
            "output": self.output,
        }


class DatasetError(KgError):
    """Rows of a dataset could not be imported; `problems` lists each with its place."""

    exit_code = 1

    def __init__(self, problems: list[Problem], summaries: list[FileSummary]) -> None:
        super().__init__(
            f"{len(problems)} row(s) or file(s) cannot be imported; nothing was written"
        )
        self.problems = problems
        self.summaries = summaries


@dataclass
class ImportResult:
    """The summaries of every input file, and the seed files written."""

    summaries: list[FileSummary]
    written: list[Path]


@dataclass
class _Fact:
    """One assertion in the making: its fields and the rows (line, text) that state it."""

    key: tuple[str, ...]
    fields: dict[str, Any]
    rows: list[tuple[int, str]] = field(default_factory=list)


# ---------------------------------------------------------------- dataset provenance


@lru_cache(maxsize=1)
def _datasets() -> dict[str, dict[str, str]]:
    path = resources.files("kg") / "data" / "datasets.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["kind"]: row for row in csv.DictReader(handle, delimiter="\t")}


# ---------------------------------------------------------------- reading a file


def _lines(path: Path, display: str, summary: FileSummary) -> list[str] | None:
    """The file's lines (line ends removed), or None after reporting why it is unusable."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}", "check the path") from exc
    if not raw.strip():
        summary.problems.append(Problem(display, "empty file, no rows", "is this the right file?"))
        return None
    if b"\0" in raw:
        line = raw[: raw.index(b"\0")].count(b"\n") + 1
        summary.problems.append(
            Problem(
                f"{display}:{line}:1",
                "binary data (a NUL byte), not a text file of rows",
                "is this the right file?",
            )
        )
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        summary.problems.append(
            Problem(f"{display}:{line}:1", "not UTF-8 text (binary?)", "is this the right file?")
        )
        return None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]


def _cells(line: str) -> list[tuple[str, int]]:
    """The comma-separated cells of a row (quotes honoured), each with its column (1-based)."""
    cells = next(csv.reader([line]))
    located, at = [], 0
    for cell in cells:
        found = line.find(cell, at) if cell else at
        col = (found if found >= 0 else at) + 1
        located.append((cell, col))
        at = max(at, found + len(cell)) if found >= 0 else at
    return located


def _place(cell: str, where: str, summary: FileSummary) -> Place | None:
    name = cell.strip()
    place = resolve_place(name) if name else None
    if place is None:
        summary.problems.append(
            Problem(
                where,
                f"unknown country or region {name!r}",
                suggest_place(name) if name else "the cell is empty",
            )
        )
    return place


def _id_part(place: Place) -> str:
    return place.code.lower().replace("_", "-")


# ---------------------------------------------------------------- edge lists


def _edgelist_facts(
    path: Path, display: str, summary: FileSummary
) -> tuple[int | None, list[_Fact]]:
    match = _YEAR_IN_NAME.search(path.stem)
    year = int(match.group(1)) if match else None
    if year is None or not YEAR_MIN <= year <= YEAR_MAX:
        summary.problems.append(
            Problem(
                display,
                "cannot read the report year from the file name",
                "the cib117 files are named edgelistYEAR.txt",
            )
        )
        year = None
    lines = _lines(path, display, summary)
    if lines is None or year is None:
        return year, []
    facts: dict[tuple[str, ...], _Fact] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            summary.drop("blank line", number)
            continue
        summary.rows += 1
        cells = _cells(line)
        if len(cells) != 2:
            summary.problems.append(
                Problem(
                    f"{display}:{number}:1",
                    f"expected 2 columns (origin,destination), found {len(cells)}",
                    "one pair per line, no header",
                )
            )
            continue
        (o_text, o_col), (d_text, d_col) = cells
        origin = _place(o_text, f"{display}:{number}:{o_col}", summary)
        destination = _place(d_text, f"{display}:{number}:{d_col}", summary)
        if origin is None or destination is None:
            continue
        if origin == destination:
            # the extraction has no notion of trafficking within a country: a pair of one
            # place is two spellings of it, or the same name twice
            same = o_text.strip() == d_text.strip()
            summary.drop(
                "self-loop: the same name twice"
                if same
                else "self-loop: two spellings of one place",
                number,
            )
            continue
        key = (origin.code, destination.code)
        fact = facts.get(key)
        if fact is None:
            fact = facts[key] = _Fact(key, {"origin": origin, "destination": destination})
        fact.rows.append((number, line))
    return year, list(facts.values())


def _edgelist_yaml(year: int, text: str, raw: bytes, facts: list[_Fact]) -> str:
    meta = _datasets()["edgelists"]
    source_id = f"cib117-edgelist-{year}"
    out = _header(
        meta,
        source_id,
        meta["title"] % {"year": year},
        year,
        {"start": year - 1, "end": year - 1},
        text,
        raw,
        "automatic_extraction",
        f"Trafficking in Persons Report {year}",
    )
    for fact in facts:
        origin, destination = fact.fields["origin"], fact.fields["destination"]
        out.append(f"  - id: cib117-{year}-{_id_part(origin)}-{_id_part(destination)}")
        out.append("    kind: flow")
        out.append(f"    origin: {_q(_yaml_place(origin))}")
        out.append(f"    destination: {_q(_yaml_place(destination))}")
        out.append(f"    year: {year - 1}")
        out.extend(_row_fields(fact))
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- tiers


def _year_cell(cell: str, where: str, summary: FileSummary) -> int | None:
    """A year as the tier table writes it: `2001.0`, `2e3`, `2001`."""
    try:
        value = float(cell.strip())
    except ValueError:
        value = float("nan")
    if value != value or value != int(value) or not YEAR_MIN <= value <= YEAR_MAX:
        summary.problems.append(
            Problem(
                where,
                f"cannot read the year {cell!r}",
                f"a year between {YEAR_MIN} and {YEAR_MAX}, as 2001, 2001.0 or 2e3",
            )
        )
        return None
    return int(value)


def _tier_facts(path: Path, display: str, summary: FileSummary) -> list[_Fact]:
    lines = _lines(path, display, summary)
    if lines is None:
        return []
    header = [cell.strip().lower() for cell, _ in _cells(lines[0])] if lines[0] else []
    if header != _TIER_HEADER:
        summary.problems.append(
            Problem(
                f"{display}:1:1",
                f"expected the header {','.join(_TIER_HEADER)}",
                "is this the tier table?",
            )
        )
        return []
    facts: dict[tuple[str, ...], _Fact] = {}
    named = _named_ccodes(lines[1:])
    for number, line in enumerate(lines[1:], 2):
        if not line.strip():
            summary.drop("blank line", number)
            continue
        summary.rows += 1
        cells = _cells(line)
        if len(cells) != len(_TIER_HEADER):
            summary.problems.append(
                Problem(
                    f"{display}:{number}:1",
                    f"expected "
                    f"{len(_TIER_HEADER)} columns "
                    f"({','.join(_TIER_HEADER)}), found {len(cells)}",
                    'quote a name with a comma: "Korea, South"',
                )
            )
            continue
        (name, name_col), (iso, iso_col), (year_text, year_col), (ccode, _), (tier, tier_col) = (
            cells
        )
        year = _year_cell(year_text, f"{display}:{number}:{year_col}", summary)
        tier_key = tier.strip().casefold()
        if tier_key in _NA:
            summary.drop("no tier (NA)", number)
            continue
        notation = _TIERS.get(tier_key)
        if notation is None:
            summary.problems.append(
                Problem(
                    f"{display}:{number}:{tier_col}",
                    f"unknown tier {tier.strip()!r}",
                    "Tier 1, Tier 2, Tier 3, Watchlist or NA",
                )
            )
            continue
        # `NA` is a missing value, never Namibia's alpha-2 code
        name, iso = ("" if c.strip().casefold() in _NA else c for c in (name, iso))
        place = resolve_place(name.strip()) or resolve_place(iso.strip())
        if place is None and not name.strip() and not iso.strip() and ccode.strip() in named:
            # a row without name or code (Cote d'Ivoire 1999-2014): its Correlates of War
            # code is named on another row of the same table
            place = named[ccode.strip()]
            summary.repaired.setdefault(
                f"name NA, read by its ccode {ccode.strip()} as {place.label}", []
            ).append(number)
        if place is None:
            _place(name, f"{display}:{number}:{name_col}", summary)
            continue
        by_iso = resolve_place(iso.strip()) if iso.strip() else None
        if by_iso is not None and by_iso != place:
            summary.problems.append(
                Problem(
                    f"{display}:{number}:{iso_col}",
                    f"the name "
                    f"{name.strip()!r} is {place.code}, the code "
                    f"{iso.strip()!r} is {by_iso.code}",
                    "one of them is wrong",
                )
            )
            continue
        if place.kind != "country":
            # a tier placement is about a state; the table also places Kosovo, which has
            # no ISO 3166 code and is a region here
            summary.drop(f"not an ISO 3166 country: {place.label}", number)
            continue
        if year is None:
            continue
        key = (place.code, str(year))
        fact = facts.get(key)
        if fact is None:
            fact = facts[key] = _Fact(key, {"country": place, "year": year, "tier": notation})
        elif fact.fields["tier"] != notation:
            first = fact.rows[0][0]
            summary.problems.append(
                Problem(
                    f"{display}:{number}:{tier_col}",
                    f"{place.label} "
                    f"{year}: {_LABELS[notation]} here, "
                    f"{_LABELS[fact.fields['tier']]} on line {first}",
                    "one placement per country and year",
                )
            )
            continue
        fact.rows.append((number, line))
    return list(facts.values())


def _named_ccodes(lines: list[str]) -> dict[str, Place]:
    """Correlates of War code -> the country the rows that have a name give it (only codes
    that every named row gives the same country)."""
    seen: dict[str, set[Place]] = {}
    for line in lines:
        cells = [cell.strip() for cell, _ in _cells(line)] if line.strip() else []
        if len(cells) != len(_TIER_HEADER) or cells[0].casefold() in _NA:
            continue
        place = resolve_place(cells[0])
        if place is not None and place.kind == "country":
            seen.setdefault(cells[3], set()).add(place)
    return {code: next(iter(places)) for code, places in seen.items() if len(places) == 1}


def _tier_yaml(text: str, raw: bytes, facts: list[_Fact]) -> str:
    meta = _datasets()["tiers"]
    years = sorted(int(f.fields["year"]) for f in facts) or [YEAR_MIN]
    out = _header(
        meta,
        "heiss-map-tiers",
        meta["title"],
        None,
        {"start": years[0], "end": years[-1]},
        text,
        raw,
        "third_party_compilation",
        f"Trafficking in Persons Reports {years[0]}-{years[-1]}",
    )
    for fact in facts:
        country, year = fact.fields["country"], fact.fields["year"]
        out.append(f"  - id: heiss-tier-{year}-{_id_part(country)}")
        out.append("    kind: tier_placement")
        out.append(f"    country: {_q(country.code)}")
        out.append(f"    year: {year}")
        out.append(f"    tier: {fact.fields['tier']}")
        out.extend(_row_fields(fact))
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- writing YAML


def _q(text: str) -> str:
    # a JSON string is a YAML double-quoted scalar: no value can turn into a bool or a
    # number (`NO`, `2e3`), and any character is escaped the same way
    return json.dumps(text, ensure_ascii=False)


def _yaml_place(place: Place) -> str:
    return place.code if place.kind == "country" else place.label


def _header(
    meta: dict[str, str],
    source_id: str,
    title: str,
    year: int | None,
    period: dict[str, int],
    text: str,
    raw: bytes,
    method: str,
    derived_from: str,
) -> list[str]:
    authors = [a for a in meta["authors"].split(";") if a]
    url = f"{meta['repository']}/blob/{meta['commit']}/" + meta["path"] % {
        "year": year if year is not None else ""
    }
    return [
        f"# Written by `kg import` from {text}; re-import instead of editing by hand.",
        "source:",
        f"  id: {source_id}",
        f"  title: {_q(title)}",
        f"  publisher: {_q(', '.join(authors))}",
        f"  url: {url}",
        f"  published: {meta['published']}",
        f"  period: {{start: {period['start']}, end: {period['end']}}}",
        f"  text: {_q(text)}",
        f"  sha256: {hashlib.sha256(raw).hexdigest()}",
        f"  license: {meta['license']}",
        # no `cycle:` header: each flow's `year` already is the year the report covers, so
        # comparisons line up without it; with it, 16 consecutive editions made every year
        # "a report's year" and `kg validate` warned 10,753 times (cycle-may-differ), not 74
        f"  method: {method}",
        f"  authors: [{', '.join(_q(a) for a in authors)}]",
        f"  repository: {meta['repository']}",
        f"  commit: {_q(meta['commit'])}",
        f"  derived_from: {_q(derived_from)}",
        f"  note: {_q(meta['note'])}",
        "",
        "assertions:",
    ]


def _row_fields(fact: _Fact) -> list[str]:
    texts = list(dict.fromkeys(text for _, text in fact.rows))
    lines = [f"    support: {len(fact.rows)}"]
    if len(texts) == 1:
        lines.append(f"    evidence: {_q(texts[0])}")
    else:
        lines.append("    evidence:")
        lines.extend(f"      - {_q(t)}" for t in texts)
    numbers = ", ".join(str(n) for n, _ in fact.rows)
    lines.append(f"    note: {_q(('line ' if len(fact.rows) == 1 else 'lines ') + numbers)}")
    return lines


# ---------------------------------------------------------------- the command


def _text_name(path: Path, sources: SourceDirs | None) -> str:
    """How the seed names the dataset file: its path inside the first sources directory
    that holds it (so the quote check finds it), else its bare name."""
    if sources is None:
        return path.name
    resolved = path.resolve()
    for folder in sources.folders:
        try:
            return resolved.relative_to(folder.resolve()).as_posix()
        except ValueError:
            continue
    raise UsageError(
        f"{path}: not inside any sources directory (--sources or KG_SOURCES: {sources})",
        "name the directory that holds the dataset files, e.g. --sources "
        "../shared/datasets, so that the quote check can find them",
    )


def _inputs(kind: str, paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.is_file()
                and (p.suffix == ".txt" if kind == "edgelists" else p.suffix == ".csv")
            )
            if not found:
                raise UsageError(
                    f"{path}: no {'*.txt' if kind == 'edgelists' else '*.csv'} "
                    "files in this directory",
                    "name the files or their folder",
                )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"{path}: no such file or directory", "check the path")
    return files


def import_datasets(
    kind: str,
    paths: list[str | Path],
    out_dir: str | Path,
    sources: str | Path | SourceDirs | None = None,
    force: bool = False,
    keep_going: bool = False,
) -> ImportResult:
    """Import dataset files of `kind` (edgelists or tiers) into seed files in `out_dir`.

    Raises DatasetError (exit 1, nothing written) when a row or file cannot be read,
    unless `keep_going`: then the clean rows are written and the rest listed in the
    summaries. An existing seed file is replaced only with `force`.
    """
    from kg.pipeline import sources_dir_from_env

    if kind not in KINDS:
        raise UsageError(f"unknown dataset kind {kind!r}", f"one of: {', '.join(KINDS)}")
    dirs = sources_dir_from_env(sources)
    out = Path(out_dir)
    summaries: list[FileSummary] = []
    files: dict[str, bytes] = {}
    for path in _inputs(kind, [Path(p) for p in paths]):
        text = _text_name(path, dirs)
        display = str(path)
        summary = FileSummary(display)
        summaries.append(summary)
        if kind == "edgelists":
            year, facts = _edgelist_facts(path, display, summary)
            name = f"cib117-edgelist-{year}.yaml" if year is not None else None
        else:
            facts = _tier_facts(path, display, summary)
            name = "heiss-map-tiers.yaml"
        summary.kept = len(facts)
        summary.merged = sum(len(f.rows) - 1 for f in facts)
        if not facts or name is None or (summary.problems and not keep_going):
            continue
        if name in files:
            raise UsageError(f"{path}: gives {name} a second time", "import each year once")
        raw = path.read_bytes()
        body = (
            _edgelist_yaml(year, text, raw, facts)
            if kind == "edgelists"  # type: ignore[arg-type]
            else _tier_yaml(text, raw, facts)
        )
        files[name] = body.encode("utf-8")
        summary.output = str(out / name)
    problems = [p for s in summaries for p in s.problems]
    if problems and not keep_going:
        for summary in summaries:
            summary.output = None
        raise DatasetError(problems, summaries)
    existing = sorted(name for name in files if (out / name).exists())
    if existing and not force:
        raise UsageError(
            f"{out / existing[0]}: already exists"
            + (f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""),
            "pass --force to replace the imported files",
        )
    written = write_files(out, files) if files else []
    return ImportResult(summaries, written)


def summary_table(summaries: list[FileSummary]) -> str:
    """The per-file summary as a text table, then the reasons rows were dropped."""
    head = ("file", "rows", "kept", "merged", "dropped", "refused")
    rows = [
        (Path(s.path).name, s.rows, s.kept, s.merged, s.dropped_count, len(s.problems))
        for s in summaries
    ]
    total = ("total", *(sum(r[i] for r in rows) for i in range(1, 6)))  # type: ignore[misc]
    widths = [max(len(str(r[i])) for r in (head, *rows, total)) for i in range(6)]
    lines = [
        "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in (head, *rows, total)
    ]
    for s in summaries:
        for reason, numbers in sorted(s.repaired.items()):
            lines.append(
                f"{Path(s.path).name}: kept {len(numbers)}: {reason} "
                f"(line{'s' if len(numbers) > 1 else ''} "
                f"{', '.join(str(n) for n in numbers[:8])}"
                f"{', ...' if len(numbers) > 8 else ''})"
            )
        for reason, numbers in sorted(s.dropped.items()):
            shown = ", ".join(str(n) for n in numbers[:8]) + (", ..." if len(numbers) > 8 else "")
            lines.append(
                f"{Path(s.path).name}: dropped {len(numbers)}: {reason} "
                f"(line{'s' if len(numbers) > 1 else ''} {shown})"
            )
    return "\n".join(lines) + "\n"
