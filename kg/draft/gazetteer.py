"""Place mentions in running text: countries, demonyms, the reports' aliases and regions.

The names come from pycountry (through `kg.places`), the project's regions
(`kg/data/regions.tsv`) and `kg/data/place_names.tsv`: the reports' own spellings,
historical names, demonyms and the regions they name that the project folds into its
own (West Africa into Sub-Saharan Africa). One regex tries the longest name first at each
position, so "Guinea-Bissau" is never Guinea, "Nigerien" never Niger, and "the Democratic
Republic of the Congo" never the Republic of the Congo.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pycountry

from kg.places import _data_rows, resolve_place


@dataclass(frozen=True)
class Mention:
    """One place named in a text: where, what it names, and how it was named."""

    start: int
    end: int
    text: str
    places: tuple[str, ...]  # ISO alpha-3 codes, or one region label
    kind: str  # "country" | "region" | "demonym"

    @property
    def is_region(self) -> bool:
        return self.kind == "region" or (self.kind == "demonym" and not _is_code(self.places[0]))


def _is_code(value: str) -> bool:
    return len(value) == 3 and value.isupper() and value.isalpha()


def _names_file() -> list[dict[str, str]]:
    path = resources.files("kg") / "data" / "place_names.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


_ADJECTIVES = frozenset({"Asian", "African", "European", "American", "Eastern"})


def _plural(name: str) -> list[str]:
    # "Kenyans", "Filipinos", "Uzbeks"; not "Chineses" or "Kyrgyzs"
    if name.endswith(("s", "sh", "ch", "ese", "z", "i-Kiribati")) or " " in name:
        return []
    return [name + "s"]


@lru_cache(maxsize=1)
def _lexicon() -> tuple[dict[str, tuple[tuple[str, ...], str]], re.Pattern[str]]:
    """(name as written -> (places, kind), the alternation regex longest first)."""
    names: dict[str, tuple[tuple[str, ...], str]] = {}
    for row in _names_file():
        kind = {"demonym": "demonym", "region": "region"}.get(row["kind"], "country")
        targets = tuple(t for t in row["target"].split(";") if t)
        if kind == "region" or (kind == "demonym" and not _is_code(targets[0])):
            place = resolve_place(targets[0])
            if place is None or place.kind != "region":
                continue
            targets = (place.label,)
        elif row["kind"] == "kosovo":
            kind = "country"  # XKX: no ISO 3166-1 code; the YAML writer leaves it out
        elif any(resolve_place(t) is None for t in targets):
            continue
        if kind == "region" and row["name"].split()[-1] in _ADJECTIVES:
            kind = "demonym"  # "Middle Eastern", "South Asian": people, like "Kenyan"
        names.setdefault(row["name"], (targets, kind))
        if kind == "demonym":
            for plural in _plural(row["name"]):
                names.setdefault(plural, (targets, kind))
    for country in pycountry.countries:
        for name in (
            getattr(country, "common_name", None),
            country.name,
            getattr(country, "official_name", None),
        ):
            if name and "," not in name and "(" not in name:
                names.setdefault(name, ((country.alpha_3,), "country"))
    for row in _data_rows("regions.tsv"):
        for name in (row["label"], *filter(None, (row.get("aliases") or "").split(";"))):
            names.setdefault(name.removeprefix("the "), ((row["label"],), "region"))
    ordered = sorted(names, key=lambda n: (-len(n), n))
    pattern = re.compile(
        r"(?<![\w\-])(?:" + "|".join(re.escape(n) for n in ordered) + r")(?![\w\-])"
    )
    return names, pattern


def find_mentions(text: str, start: int = 0, end: int | None = None) -> list[Mention]:
    """Every place named in `text[start:end]`, in order, spans relative to `text`.

    >>> [m.places for m in find_mentions("boys from Guinea-Bissau and Niger")]
    [('GNB',), ('NER',)]
    >>> [m.kind for m in find_mentions("Kenyan women in the Middle East")]
    ['demonym', 'region']
    """
    names, pattern = _lexicon()
    found: list[Mention] = []
    for m in pattern.finditer(text, start, len(text) if end is None else end):
        places, kind = names[m.group()]
        found.extend(_directions_before(text, m.start(), start, m.group(), names))
        found.append(Mention(m.start(), m.end(), m.group(), places, kind))
    return found


_DIRECTION = (
    r"\b(?:South-?[Ee]astern|North-?[Ee]astern|South-?[Ee]ast|North-?[Ee]ast|"
    r"Southern|Northern|Eastern|Western|South|North|East|West|Central)\b"
)
_DIRECTIONS_BEFORE = re.compile(
    r"((?:" + _DIRECTION + r"(?:,\s*|\s+and\s+|\s+or\s+|,\s*and\s+|"
    r",\s*or\s+))+)$"
)


def _directions_before(
    text: str, at: int, floor: int, name: str, names: dict[str, tuple[tuple[str, ...], str]]
) -> list[Mention]:
    """ "South and Southeast Asia", "Western, Central, and Southern Europe": the bare direction
    words share the region's last word, so each is a mention of its own region."""
    head = re.match(_DIRECTION + r"\s+", name)
    if not head:
        return []
    rest = name[head.end() :]
    before = _DIRECTIONS_BEFORE.search(text, max(floor, at - 60), at)
    if not before:
        return []
    out = []
    for i, w in enumerate(re.finditer(_DIRECTION, before.group(1))):
        if i == 0 and re.search(
            r"\b[A-Z][\w-]*\s+$", text[max(0, before.start(1) - 30) : before.start(1)]
        ):
            continue  # "Middle East, South and Central Asia": East belongs to Middle
        target = names.get(f"{w.group()} {rest}")
        if target is None:
            continue
        places, kind = target
        pos = before.start(1) + w.start()
        out.append(Mention(pos, pos + len(w.group()), w.group(), places, kind))
    return out


def country_in_heading(line: str) -> str | None:
    """The country a heading line names ("KENYA (Tier 2)", "Republic of Korea (Tier 1)")."""
    head = re.split(r"\(|:|\bTier\b|\s[-–—]\s", line)[0].strip()
    if not head:
        return None
    place = resolve_place(head)
    if place is not None and place.kind == "country":
        return place.code
    names, _ = _lexicon()
    for name, (places, kind) in names.items():
        if kind == "country" and name.casefold() == head.casefold():
            return places[0]
    return None
