"""The per-source cache: what checking one seed file produced, kept by content hash.

A seed file's findings, records and mapped quads depend only on its own bytes, the
source text its quotes are checked against, the ontology and tip-kg itself; the checks
across files run afresh on every run. So an entry is keyed by the hash of all of those,
and a file whose key is found is not parsed again. Entries are pickles under
`.kg-cache/`; deleting the directory is always safe.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg import __version__
from kg.findings import Finding
from kg.records import Seeds

_ONTOLOGY_FILES = ("tip-kg.ttl", "concepts.ttl", "shapes.ttl", "context.jsonld")


@dataclass
class SourceUnit:
    """One seed file, checked on its own: findings, records, quads, SHACL outcome."""

    display: str
    parsed: bool
    findings: list[Finding]
    seeds: Seeds
    quotes_checked: int = 0
    quotes_unchecked: int = 0
    texts: dict[str, str | None] = field(default_factory=dict)  # text file -> its SHA-256
    nquads: bytes = b""  # the source's named graph, when the file has no errors
    shacl_ok: bool = False
    key: str = ""


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def unit_texts(seeds: Seeds, sources_dir: Path | None) -> dict[str, str | None]:
    """The source texts a file's quote check read, with the hash each had (None: absent)."""
    if sources_dir is None:
        return {}
    return {s.text: _sha256(sources_dir / s.text) for s in seeds.sources}


@lru_cache(maxsize=1)
def _code_hash() -> str:
    # tip-kg's own code and data: a change to either may change what a file yields.
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for path in sorted([*package.rglob("*.py"), *package.glob("data/*.tsv")]):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class UnitCache:
    """Looks units up by key and stores them; counts hits and misses for the report."""

    def __init__(self, directory: Path | None, ontology_dir: Path,
                 sources_dir: Path | None) -> None:
        self.directory = directory
        self.sources_dir = sources_dir
        self.hits = self.misses = 0
        digest = hashlib.sha256(_code_hash().encode())
        for name in _ONTOLOGY_FILES:
            digest.update(name.encode())
            digest.update(_sha256(ontology_dir / name).encode() if (ontology_dir / name).is_file()
                          else b"-")
        digest.update(str(sources_dir.resolve() if sources_dir else None).encode())
        self.base = digest.hexdigest()

    def _key(self, path: Path, display: str) -> str | None:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        return hashlib.sha256(f"{self.base}\0{display}\0".encode() + data).hexdigest()

    def _file(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / key[:2] / f"{key}.pickle"

    def get(self, path: Path, display: str) -> SourceUnit | None:
        key = self._key(path, display) if self.directory else None
        unit = None
        if key:
            try:
                with self._file(key).open("rb") as handle:
                    unit = pickle.load(handle)
            except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError):
                unit = None
        if unit is not None and self.sources_dir is not None and any(
                _sha256(self.sources_dir / name) != sha for name, sha in unit.texts.items()):
            unit = None  # a source text changed: its quotes must be checked again
        if unit is None:
            self.misses += 1
            return None
        self.hits += 1
        return unit

    def put(self, path: Path, display: str, unit: SourceUnit) -> None:
        key = self._key(path, display) if self.directory else None
        if key:
            unit.key = key
            self.update(unit)

    def update(self, unit: SourceUnit) -> None:
        """Write `unit` under its key (atomically; a cache that cannot be written is skipped)."""
        if not self.directory or not unit.key:
            return
        target = self._file(unit.key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".unit.", dir=target.parent)
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(unit, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except OSError:
            return
