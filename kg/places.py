"""Countries and regions: the one function that turns a name in a seed into a place.

ISO 3166 names and codes come from pycountry; the Wikidata identifiers and UN M49
areas from `kg/data/countries.tsv`; regions that are not countries from
`kg/data/regions.tsv`, where each region says whether an M49 area truly matches it;
the variants and misspellings of published datasets from `kg/data/place_variants.tsv`.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pycountry

from kg.vocab import mint

# The spellings reports use that ISO 3166 does not; keys are folded (see `fold`).
_ALIASES = {
    "uae": "ARE",
    "emirates": "ARE",
    "russia": "RUS",
    "turkey": "TUR",
    "turkiye": "TUR",
    "south korea": "KOR",
    "korea": "KOR",
    "republic of korea": "KOR",
    "north korea": "PRK",
    "us": "USA",
    "usa": "USA",
    "united states": "USA",
    "united states of america": "USA",
    "america": "USA",
    "uk": "GBR",
    "united kingdom": "GBR",
    "britain": "GBR",
    "great britain": "GBR",
    "england": "GBR",
    "burma": "MMR",
    "ivory coast": "CIV",
    "cote divoire": "CIV",
    "czech republic": "CZE",
    "macedonia": "MKD",
    "holland": "NLD",
    "the netherlands": "NLD",
    "kyrgyz republic": "KGZ",
    "brunei": "BRN",
    "cape verde": "CPV",
    "swaziland": "SWZ",
    "east timor": "TLS",
    "vatican": "VAT",
    "palestine": "PSE",
    "micronesia": "FSM",
    "moldova": "MDA",
    "drc": "COD",
    "dr congo": "COD",
    "democratic republic of the congo": "COD",
    "congo kinshasa": "COD",
    "republic of the congo": "COG",
    "congo brazzaville": "COG",
    "the gambia": "GMB",
    "gambia": "GMB",
    "the bahamas": "BHS",
    "bahamas": "BHS",
    "st kitts and nevis": "KNA",
    "st lucia": "LCA",
    "st vincent and the grenadines": "VCT",
}


@dataclass(frozen=True)
class Place:
    """A country or a region, as the graph names it."""

    kind: str  # "country" | "region"
    code: str  # ISO alpha-3 for a country, a slug for a region
    label: str
    iri: str
    alpha2: str | None = None
    numeric: str | None = None
    official_name: str | None = None
    wikidata: str | None = None
    m49: str | None = None  # a region's own M49 code, when one truly matches
    m49_region: str | None = None  # a country's M49 region, sub-region, intermediate region
    m49_subregion: str | None = None
    m49_intermediate: str | None = None


def fold(text: str) -> str:
    """Fold a place name for lookup: case, dots, apostrophes and extra spaces do not count.

    >>> fold("  U.A.E. ")
    'uae'
    >>> fold("Côte d’Ivoire")
    'cote divoire'
    """
    import unicodedata

    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    text = re.sub(r"[.'’]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return text.strip()


def _data_rows(name: str) -> list[dict[str, str]]:
    path = resources.files("kg") / "data" / name
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, Place], dict[str, Place], dict[str, str]]:
    """(by folded name or code, by alpha-3, folded key -> display name for suggestions)."""
    facts = {row["alpha3"]: row for row in _data_rows("countries.tsv")}
    by_key: dict[str, Place] = {}
    by_code: dict[str, Place] = {}
    display: dict[str, str] = {}
    for c in pycountry.countries:
        row = facts.get(c.alpha_3, {})
        label = getattr(c, "common_name", None) or c.name
        place = Place(
            kind="country",
            code=c.alpha_3,
            label=label,
            iri=mint("country", c.alpha_3),
            alpha2=c.alpha_2,
            numeric=c.numeric,
            official_name=getattr(c, "official_name", None),
            wikidata=row.get("wikidata") or None,
            m49_region=row.get("m49_region") or None,
            m49_subregion=row.get("m49_subregion") or None,
            m49_intermediate=row.get("m49_intermediate") or None,
        )
        by_code[c.alpha_3] = place
        for key in (c.alpha_2, c.alpha_3, c.name, label, place.official_name):
            if key:
                by_key.setdefault(fold(key), place)
        display[fold(label)] = label
    for alias, code in _ALIASES.items():
        by_key.setdefault(alias, by_code[code])
    # variants and misspellings the published datasets use, kept as data beside the code
    for row in _data_rows("place_variants.tsv"):
        by_key.setdefault(fold(row["variant"]), by_code[row["alpha3"]])
    for row in _data_rows("regions.tsv"):
        region = Place(
            kind="region",
            code=row["slug"],
            label=row["label"],
            iri=mint("region", row["slug"]),
            m49=row["m49"] or None,
        )
        names = [row["label"], *filter(None, (row.get("aliases") or "").split(";"))]
        for key in names:
            by_key.setdefault(fold(key), region)
        display[fold(row["label"])] = row["label"]
    return by_key, by_code, display


def resolve_place(text: str) -> Place | None:
    """The country or region a seed means by `text`, or None.

    >>> resolve_place("U.A.E.").code
    'ARE'
    >>> resolve_place("South Korea").label
    'South Korea'
    >>> resolve_place("kz").code
    'KAZ'
    >>> resolve_place("Western Europe").kind
    'region'
    >>> resolve_place("Kazakhstani") is None
    True
    """
    return _index()[0].get(fold(text))


def country_by_code(alpha3: str) -> Place:
    """The country with ISO alpha-3 code `alpha3` (KeyError if there is none)."""
    return _index()[1][alpha3]


def all_countries() -> list[Place]:
    """Every ISO 3166 country, sorted by alpha-3 code."""
    return [p for _, p in sorted(_index()[1].items())]


def suggest_place(text: str) -> str | None:
    """A hint for a name that `resolve_place` does not know.

    >>> suggest_place("Kazakhstani")
    'Kazakhstani looks like a demonym; write the country: Kazakhstan'
    >>> suggest_place("Kazakstan")
    'did you mean Kazakhstan?'
    """
    key = fold(text)
    display = _index()[2]
    for name_key, name in display.items():
        if len(name_key) >= 4 and key.startswith(name_key) and key != name_key:
            return f"{text} looks like a demonym; write the country: {name}"
    close = difflib.get_close_matches(key, list(display), n=3, cutoff=0.75)
    if close:
        return "did you mean " + " or ".join(display[k] for k in close) + "?"
    return (
        "write an ISO 3166 code (KZ or KAZ), a country name, or a region from kg/data/regions.tsv"
    )


@lru_cache(maxsize=1)
def m49_areas() -> dict[str, tuple[str, str]]:
    """UN M49 areas by code, as (name, parent code), from `kg/data/m49_regions.tsv`.

    >>> m49_areas()["143"]
    ('Central Asia', '142')
    >>> m49_areas()["142"]
    ('Asia', '001')
    """
    return {row["code"]: (row["name"], row["parent"]) for row in _data_rows("m49_regions.tsv")}
