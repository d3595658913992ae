"""The per-source cache: what checking one seed file produced, kept by content hash.

A seed file's findings, records, SHACL outcome and export pieces depend only on its own
bytes, the source text its quotes are checked against, the ontology and tip-kg itself;
the checks across files run afresh on every run. So an entry is keyed by the hash of all
of those, and a file whose key is found is not parsed again. An entry is two pickles
under `.kg-cache/`: the unit (small, read on every run) and its export pieces (read only
when the exports are written). Deleting the directory is always safe.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg import __version__
from kg.check import References
from kg.conflicts import Claim
from kg.errors import InputError, OutputError
from kg.findings import Finding
from kg.pieces import Pieces, Summary
from kg.records import Seeds

_ONTOLOGY_FILES = ("tip-kg.ttl", "concepts.ttl", "shapes.ttl", "context.jsonld")


@dataclass
class SourceUnit:
    """One seed file, checked on its own: findings, SHACL outcome, export summary, and what
    the checks across files need; its records and pieces are stored beside it."""

    display: str
    parsed: bool
    findings: list[Finding]
    references: References  # what the checks across files need of its records
    claims: tuple[list[Claim], list[Claim]]  # and what the conflict warnings need
    sources: int = 0
    assertions: int = 0
    quotes_checked: int = 0
    quotes_unchecked: int = 0
    texts: dict[str, str | None] = field(default_factory=dict)  # text file -> its SHA-256
    summary: Summary | None = None  # of its export pieces, when the file has no errors
    shacl_findings: list[Finding] = field(default_factory=list)
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
    """Looks units up by key and stores them with their pieces; counts hits and misses.

    Without a directory the entries go to a temporary one that lives as long as the cache
    (a build needs each file's pieces after checking all of them), and nothing is found.
    """

    def __init__(self, directory: Path | None, ontology_dir: Path,
                 sources_dir: Path | None) -> None:
        self.persistent = directory is not None
        self._scratch = None if directory else tempfile.TemporaryDirectory(prefix="kg-cache.")
        self.directory = directory or Path(self._scratch.name)  # type: ignore[union-attr]
        self.sources_dir = sources_dir
        self.hits = self.misses = 0
        digest = hashlib.sha256(_code_hash().encode())
        for name in _ONTOLOGY_FILES:
            digest.update(name.encode())
            digest.update(_sha256(ontology_dir / name).encode() if (ontology_dir / name).is_file()
                          else b"-")
        digest.update(str(sources_dir.resolve() if sources_dir else None).encode())
        self.base = digest.hexdigest()

    def key(self, path: Path, display: str) -> str:
        """The entry key of a seed file ("" when it cannot be read: the check reports it)."""
        try:
            data = path.read_bytes()
        except OSError:
            return ""
        return hashlib.sha256(f"{self.base}\0{display}\0".encode() + data).hexdigest()

    def _file(self, key: str, suffix: str = ".pickle") -> Path:
        return self.directory / key[:2] / f"{key}{suffix}"

    def get(self, key: str) -> SourceUnit | None:
        unit = None
        if key and self.persistent:
            try:
                with self._file(key).open("rb") as handle:
                    unit = pickle.load(handle)
            except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError):
                unit = None
        if unit is not None and (not self._file(key, ".records").is_file() or (
                unit.summary is not None and not self._file(key, ".pieces").is_file())):
            unit = None
        if unit is not None and self.sources_dir is not None and any(
                _sha256(self.sources_dir / name) != sha for name, sha in unit.texts.items()):
            unit = None  # a source text changed: its quotes must be checked again
        if unit is None:
            self.misses += 1
            return None
        self.hits += 1
        return unit

    def put(self, unit: SourceUnit, seeds: Seeds, pieces: Pieces | None) -> None:
        """Store `unit`, its records and its pieces under `unit.key`, each atomically; a
        cache that cannot be written is an error, as the build reads them back."""
        if not unit.key:
            return
        try:
            if pieces is not None:
                self._dump(self._file(unit.key, ".pieces"), pieces)
            self._dump(self._file(unit.key, ".records"), seeds)
            self._dump(self._file(unit.key), unit)
        except OSError as exc:
            raise OutputError(f"{self.directory}: cannot write the build cache: {exc}",
                              "make it writable, or delete it") from exc

    def records(self, unit: SourceUnit) -> Seeds:
        """The checked records stored with `unit`."""
        return self._load(unit, ".records")

    def pieces(self, unit: SourceUnit) -> Pieces:
        """The export pieces stored with `unit`."""
        return self._load(unit, ".pieces")

    def _load(self, unit: SourceUnit, suffix: str) -> Any:
        # `get` saw the entry whole; it can still vanish or break before it is read back
        # (the cache deleted by hand during a run, a full disk, another version's pickle)
        path = self._file(unit.key, suffix)
        try:
            with path.open("rb") as handle:
                return pickle.load(handle)
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError) as exc:
            raise InputError(f"{path}: the build cache entry of {unit.display} cannot be read "
                             f"back: {exc}", f"delete {self.directory} and run again") from exc

    @staticmethod
    def _dump(target: Path, value: object) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".unit.", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    # --- the exports written from these entries ---------------------------------------

    def _manifest(self, out_dir: Path) -> Path:
        name = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:16]
        return self.directory / "exports" / f"{name}.json"

    def written(self, out_dir: Path, key: str) -> dict[str, Any] | None:
        """What the last build wrote into `out_dir` if it was made from inputs of `key`
        and every file is still as it was written (size and modification time); else None.
        """
        if not self.persistent:
            return None
        try:
            manifest = json.loads(self._manifest(out_dir).read_text(encoding="utf-8"))
            if manifest["key"] != key:
                return None
            for name, (size, mtime) in manifest["files"].items():
                stat = (out_dir / name).stat()
                if stat.st_size != size or stat.st_mtime_ns != mtime:
                    return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return manifest

    def record_written(self, out_dir: Path, key: str, files: list[Path],
                       counts: dict[str, int]) -> None:
        """Remember what a build wrote into `out_dir` (see `written`)."""
        if not self.persistent:
            return
        entries = {}
        for path in files:
            stat = path.stat()
            entries[path.relative_to(out_dir).as_posix()] = [stat.st_size, stat.st_mtime_ns]
        data = json.dumps({"key": key, "files": entries, "counts": counts}, sort_keys=True)
        target = self._manifest(out_dir)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".exports.", dir=target.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(data)
            os.replace(tmp, target)
        except OSError:
            return
