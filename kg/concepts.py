"""Controlled values: the SKOS concept schemes of `ontology/concepts.ttl`.

The ontology is the one place a purpose, metric or tier is defined; validation reads
the allowed notations from it, so adding a concept never means editing Python.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError
from kg.vocab import ID

_SKOS = "http://www.w3.org/2004/02/skos/core#"
_CONCEPT_BASE = ID + "concept/"


def default_ontology_dir() -> Path:
    """The `ontology/` directory that ships beside the `kg` package."""
    return Path(__file__).resolve().parent.parent / "ontology"


@dataclass(frozen=True)
class Concept:
    """One controlled value."""

    scheme: str
    notation: str
    iri: str
    label: str


@dataclass(frozen=True)
class ConceptSchemes:
    """The allowed notations per scheme, read from the ontology."""

    by_scheme: dict[str, dict[str, Concept]]
    # scheme -> notation -> the notations directly broader (skos:broader) in that scheme
    broader: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)

    def within(self, scheme: str, narrow: str, broad: str) -> bool:
        """Whether concept `narrow` lies within concept `broad` of `scheme`: the same
        concept, or `broad` reached from `narrow` by `skos:broader` links.

        >>> s = ConceptSchemes({}, {"victim_group": {"girls": frozenset({"children"})}})
        >>> s.within("victim_group", "girls", "children")
        True
        >>> s.within("victim_group", "children", "girls")
        False
        >>> s.within("victim_group", "boys", "boys")
        True
        """
        if narrow == broad:
            return True
        links = self.broader.get(scheme, {})
        seen: set[str] = set()
        todo = [narrow]
        while todo:  # the loader refuses cycles; `seen` keeps a hand-made one finite too
            for up in links.get(todo.pop(), ()):
                if up == broad:
                    return True
                if up not in seen:
                    seen.add(up)
                    todo.append(up)
        return False

    def get(self, scheme: str, notation: str) -> Concept | None:
        return self.by_scheme.get(scheme, {}).get(notation)

    def suggest(self, scheme: str, notation: str) -> str:
        known = sorted(self.by_scheme.get(scheme, {}))
        close = difflib.get_close_matches(notation, known, n=2, cutoff=0.6)
        if close:
            return "did you mean " + " or ".join(close) + "?"
        return f"one of: {', '.join(known)}"


@lru_cache(maxsize=8)
def load_concepts(ontology_dir: Path) -> ConceptSchemes:
    """Read `concepts.ttl` under `ontology_dir` into `ConceptSchemes`."""
    path = ontology_dir / "concepts.ttl"
    try:
        quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    except (OSError, SyntaxError) as exc:
        raise InputError(f"{path}: cannot read the concept schemes: {exc}") from exc
    notation: dict[str, str] = {}
    label: dict[str, str] = {}
    scheme_of: dict[str, str] = {}
    links: list[tuple[str, str, str]] = []  # (narrower, skos:broader|skos:narrower, broader)
    for q in quads:
        s, p, o = q.subject.value, q.predicate.value, q.object.value
        if p == _SKOS + "notation":
            notation[s] = o
        elif p == _SKOS + "prefLabel":
            label[s] = o
        elif p == _SKOS + "inScheme" and o.startswith(_CONCEPT_BASE):
            scheme_of[s] = o.removeprefix(_CONCEPT_BASE)
        elif p == _SKOS + "broader":
            links.append((s, "skos:broader", o))
        elif p == _SKOS + "narrower":
            links.append((o, "skos:narrower", s))
    by_scheme: dict[str, dict[str, Concept]] = {}
    for iri, scheme in scheme_of.items():
        if iri in notation:
            by_scheme.setdefault(scheme, {})[notation[iri]] = Concept(
                scheme, notation[iri], iri, label.get(iri, notation[iri])
            )
    return ConceptSchemes(by_scheme, _hierarchy(path, links, scheme_of, notation))


def _hierarchy(
    path: Path,
    links: list[tuple[str, str, str]],
    scheme_of: dict[str, str],
    notation: dict[str, str],
) -> dict[str, dict[str, frozenset[str]]]:
    """The `skos:broader` links (and `skos:narrower`, read the other way) per scheme.

    A link between schemes or a cycle would make "within" mean nothing sensible (a girl
    within a purpose; every concept within every other), so either is refused here,
    before any comparison uses them.
    """
    broader: dict[str, dict[str, set[str]]] = {}
    for narrow, prop, broad in links:
        scheme = scheme_of.get(narrow)
        if (
            scheme is None
            or scheme != scheme_of.get(broad)
            or broad not in notation
            or narrow not in notation
        ):
            raise InputError(
                f"{path}: {prop} links <{narrow}> and <{broad}>, which are not "
                "concepts of one scheme",
                "link only concepts of the same scheme",
            )
        broader.setdefault(scheme, {}).setdefault(notation[narrow], set()).add(notation[broad])
    for scheme, ups in broader.items():
        for start in ups:
            seen: set[str] = set()
            todo = list(ups[start])
            while todo:
                up = todo.pop()
                if up == start:
                    raise InputError(
                        f"{path}: the skos:broader links of {scheme} go round in "
                        f"a circle through {start}",
                        "a concept cannot lie within itself; remove one link",
                    )
                if up not in seen:
                    seen.add(up)
                    todo.extend(ups.get(up, ()))
    return {
        scheme: {n: frozenset(b) for n, b in sorted(ups.items())}
        for scheme, ups in sorted(broader.items())
    }
