"""Controlled values: the SKOS concept schemes of `ontology/concepts.ttl`.

The ontology is the one place a purpose, metric or tier is defined; validation reads
the allowed notations from it, so adding a concept never means editing Python.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
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
    for q in quads:
        s, p, o = q.subject.value, q.predicate.value, q.object.value
        if p == _SKOS + "notation":
            notation[s] = o
        elif p == _SKOS + "prefLabel":
            label[s] = o
        elif p == _SKOS + "inScheme" and o.startswith(_CONCEPT_BASE):
            scheme_of[s] = o.removeprefix(_CONCEPT_BASE)
    by_scheme: dict[str, dict[str, Concept]] = {}
    for iri, scheme in scheme_of.items():
        if iri in notation:
            by_scheme.setdefault(scheme, {})[notation[iri]] = Concept(
                scheme, notation[iri], iri, label.get(iri, notation[iri]))
    return ConceptSchemes(by_scheme)
