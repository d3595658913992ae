"""The per-source cache: what checking one seed file produced, kept by content hash.

A seed file's findings, records, SHACL outcome and export pieces depend only on its own
bytes, the source text its quotes are checked against, the ontology and tip-kg itself;
the checks across files run afresh on every run. So an entry is keyed by the hash of all
of those, and a file whose key is found is not parsed again. An entry is three files: the
unit (small, read on every run), its checked records and its export pieces (read only
when asked for). Deleting the cache is always safe.

An entry is data only (JSON and raw bytes, see `kg.cachecodec`), never pickle: reading
it cannot run code. A cache could still be planted or edited to claim that an invalid
file has no findings, so
- the default cache lives outside the project, under `$XDG_CACHE_HOME/tip-kg/` (or
  `~/.cache/tip-kg/`), one directory per seeds directory, where a cloned or shared tree
  cannot put it; `$KG_CACHE_DIR` (or `cache_dir`) chooses another place;
- wherever it is, every file of an entry carries an HMAC-SHA256 over its entry key, its
  kind and its bytes, with a secret key kept outside the tree (`tip-kg/key`, made 0600
  on first use; `$KG_CACHE_KEY` names another key file). An entry that fails the check
  or the strict decoder is ignored and its file checked again, with one warning line.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg import __version__
from kg.cachecodec import (
    CodecError,
    claims_data,
    claims_from,
    finding_data,
    findings_from,
    json_bytes,
    json_from,
    pieces_bytes,
    pieces_from,
    references_data,
    references_from,
    seeds_bytes,
    seeds_from,
    summary_data,
    summary_from,
)
from kg.check import References
from kg.compare import Claim
from kg.errors import InputError, OutputError
from kg.findings import Finding
from kg.pieces import Pieces, Summary
from kg.quotes import SourceDirs
from kg.records import Seeds

_ONTOLOGY_FILES = ("tip-kg.ttl", "concepts.ttl", "shapes.ttl", "context.jsonld")
_FORMAT = b"tip-kg-cache-1"  # first word of every entry file
_KEY_BYTES = 32

# Re-checks one seed file for an entry that broke after it was looked up: (path, display)
# -> its records and its pieces (None when the file has errors).
Rebuild = Callable[[Path, str], tuple[Seeds, Pieces | None, Summary | None]]


@dataclass
class SourceUnit:
    """One seed file, checked on its own: findings, SHACL outcome, export summary, and what
    the checks across files need; its records and pieces are stored beside it."""

    display: str
    parsed: bool
    findings: list[Finding]
    references: References  # what the checks across files need of its records
    claims: list[Claim]  # and what the comparison of sources needs
    sources: int = 0
    assertions: int = 0
    quotes_checked: int = 0
    quotes_unchecked: int = 0
    texts: dict[str, str | None] = field(default_factory=dict)  # text file -> its SHA-256
    summary: Summary | None = None  # of its export pieces, when the file has no errors
    shacl_findings: list[Finding] = field(default_factory=list)
    key: str = ""


_UNIT_KEYS = frozenset(
    {
        "display",
        "parsed",
        "findings",
        "references",
        "claims",
        "sources",
        "assertions",
        "quotes_checked",
        "quotes_unchecked",
        "texts",
        "summary",
        "shacl_findings",
        "key",
    }
)


def unit_bytes(unit: SourceUnit) -> bytes:
    """`unit` as a JSON document (see `kg.cachecodec`)."""
    return json_bytes(
        {
            "display": unit.display,
            "parsed": unit.parsed,
            "findings": [finding_data(f) for f in unit.findings],
            "references": references_data(unit.references),
            "claims": claims_data(unit.claims),
            "sources": unit.sources,
            "assertions": unit.assertions,
            "quotes_checked": unit.quotes_checked,
            "quotes_unchecked": unit.quotes_unchecked,
            "texts": unit.texts,
            "summary": summary_data(unit.summary) if unit.summary is not None else None,
            "shacl_findings": [finding_data(f) for f in unit.shacl_findings],
            "key": unit.key,
        }
    )


def unit_from(data: bytes) -> SourceUnit:
    """The unit `unit_bytes` wrote; `CodecError` if `data` is anything else."""
    d = json_from(data)
    if type(d) is not dict or d.keys() != _UNIT_KEYS:
        raise CodecError("unit: unexpected fields")
    counts = [d[name] for name in ("sources", "assertions", "quotes_checked", "quotes_unchecked")]
    texts = d["texts"]
    if (
        type(d["display"]) is not str
        or type(d["parsed"]) is not bool
        or type(d["key"]) is not str
        or any(type(n) is not int or n < 0 for n in counts)
        or type(texts) is not dict
        or any(v is not None and type(v) is not str for v in texts.values())
    ):
        raise CodecError("unit: a field has the wrong type")
    return SourceUnit(
        display=d["display"],
        parsed=d["parsed"],
        findings=findings_from(d["findings"]),
        references=references_from(d["references"]),
        claims=claims_from(d["claims"]),
        sources=counts[0],
        assertions=counts[1],
        quotes_checked=counts[2],
        quotes_unchecked=counts[3],
        texts=texts,
        summary=None if d["summary"] is None else summary_from(d["summary"]),
        shacl_findings=findings_from(d["shacl_findings"]),
        key=d["key"],
    )


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def unit_texts(seeds: Seeds, sources_dir: SourceDirs | None) -> dict[str, str | None]:
    """The source texts a file's quote check read, with the hash each had (None: absent)."""
    if sources_dir is None:
        return {}
    return {s.text: _sha256(sources_dir.find(s.text)) for s in seeds.sources}


@lru_cache(maxsize=1)
def _code_hash() -> str:
    # tip-kg's own code and data: a change to either may change what a file yields.
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for path in sorted([*package.rglob("*.py"), *package.glob("data/*.tsv")]):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


# --- where the cache lives, and its key ---------------------------------------------


def cache_root() -> Path:
    """tip-kg's directory in the user's cache: `$XDG_CACHE_HOME/tip-kg`, else
    `~/.cache/tip-kg` (outside any project, so a cloned tree cannot plant entries)."""
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "tip-kg"


def default_cache_dir(seeds_dir: Path) -> Path | None:
    """`$KG_CACHE_DIR` if set, else a directory of `cache_root()` named after the seeds
    directory's resolved path (so two checkouts never share or clobber entries)."""
    env = os.environ.get("KG_CACHE_DIR", "").strip()
    if env:
        return Path(env)
    try:
        root = cache_root()
    except RuntimeError:  # no home directory: the build runs without a cache
        return None
    resolved = seeds_dir.resolve()
    tag = hashlib.sha256(str(resolved).encode()).hexdigest()[:16]
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in resolved.parent.name)
    return root / f"{name or 'seeds'}-{tag}"


def _read_key(path: Path) -> bytes:
    key = path.read_bytes().strip()
    if len(key) < _KEY_BYTES:
        raise ValueError(f"holds {len(key)} bytes, at least {_KEY_BYTES} are needed")
    return key


def cache_secret() -> bytes:
    """The secret the cache's entries are signed with: the file `$KG_CACHE_KEY`, else
    `cache_root()/key`, made on first use (random, mode 0600)."""
    env = os.environ.get("KG_CACHE_KEY", "").strip()
    if env:
        try:
            return _read_key(Path(env))
        except (OSError, ValueError) as exc:
            raise InputError(
                f"{env}: cannot use this file as the build cache key: {exc}",
                f"unset KG_CACHE_KEY, or put {_KEY_BYTES} or more random "
                "bytes in it (e.g. `openssl rand -hex 32`)",
            ) from exc
    path = cache_root() / "key"
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    except ValueError:
        path.unlink(missing_ok=True)  # a damaged key only invalidates entries: replace it
    # made under another name and linked into place, so two first runs agree on one key
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=".key.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_hex(_KEY_BYTES).encode() + b"\n")
        with contextlib.suppress(FileExistsError):  # another run made it first: use that
            os.link(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    try:
        return _read_key(path)
    except ValueError as exc:
        raise OSError(f"{path}: {exc}") from exc


def warn(message: str) -> None:
    """One warning line on standard error (the cache never fails a run it can repair)."""
    print(message, file=sys.stderr, flush=True)


class _Rejected(Exception):
    """An entry file that is not one this cache wrote, whole, for this key."""


class UnitCache:
    """Looks units up by key and stores them with their pieces; counts hits and misses.

    Without a directory the entries go to a temporary one that lives as long as the cache
    (a build needs each file's pieces after checking all of them), and nothing is found.
    A persistent cache whose key cannot be made (no writable home) works the same way,
    after one warning.
    """

    def __init__(
        self, directory: Path | None, ontology_dir: Path, sources_dir: SourceDirs | None
    ) -> None:
        secret = None
        if directory is not None:
            try:
                secret = cache_secret()
            except (OSError, RuntimeError) as exc:
                where = os.environ.get("KG_CACHE_KEY") or "~/.cache/tip-kg/key"
                warn(
                    f"{where}: warning: cannot make the build cache key ({exc}); checking "
                    "every seed file without a cache (hint: set KG_CACHE_KEY to a key "
                    "file, or make the directory writable)"
                )
                directory = None
        self.persistent = directory is not None
        self._scratch = None if directory else tempfile.TemporaryDirectory(prefix="kg-cache.")
        self.directory = directory or Path(self._scratch.name)  # type: ignore[union-attr]
        self._secret = secret or secrets.token_bytes(_KEY_BYTES)
        self.sources_dir = sources_dir
        self.hits = self.misses = 0
        self.rebuild: Rebuild | None = None  # set by the pipeline, see `_load`
        self._paths: dict[str, tuple[Path, str]] = {}  # key -> (seed file, display)
        self._rejected: list[tuple[Path, str, str]] = []  # entry file, display, why
        digest = hashlib.sha256(_code_hash().encode())
        for name in _ONTOLOGY_FILES:
            digest.update(name.encode())
            digest.update(
                _sha256(ontology_dir / name).encode() if (ontology_dir / name).is_file() else b"-"
            )
        digest.update(str(sources_dir.key() if sources_dir else None).encode())
        self.base = digest.hexdigest()

    def key(self, path: Path, display: str) -> str:
        """The entry key of a seed file ("" when it cannot be read: the check reports it)."""
        try:
            data = path.read_bytes()
        except OSError:
            return ""
        key = hashlib.sha256(f"{self.base}\0{display}\0".encode() + data).hexdigest()
        self._paths[key] = (path, display)
        return key

    def _file(self, key: str, suffix: str = ".unit") -> Path:
        return self.directory / key[:2] / f"{key}{suffix}"

    # --- signed entry files ---------------------------------------------------------

    def _mac(self, key: str, kind: str, payload: bytes | memoryview) -> bytes:
        # kind and key hold no NUL, so the message cannot be read two ways
        mac = hmac.new(
            self._secret, b"\0".join([_FORMAT, kind.encode(), key.encode(), b""]), hashlib.sha256
        )
        mac.update(payload)  # not joined to the rest: pieces run to hundreds of megabytes
        return mac.hexdigest().encode()

    def _read(self, key: str, path: Path, kind: str) -> tuple[bytes, int]:
        """An entry file's bytes and where its payload starts, once its header and HMAC
        check out; `OSError` when it cannot be read, `_Rejected` when it is not ours."""
        data = path.read_bytes()
        end = data.find(b"\n", 0, 200)
        words = data[:end].split(b" ") if end > 0 else []
        if len(words) != 3 or words[0] != _FORMAT:
            raise _Rejected("not an entry of this tip-kg's cache")
        if words[1] != kind.encode() or not hmac.compare_digest(
            words[2], self._mac(key, kind, memoryview(data)[end + 1 :])
        ):
            raise _Rejected("its signature does not match: damaged, or not written here")
        return data, end + 1

    def _payload(self, key: str, path: Path, kind: str) -> bytes:
        data, start = self._read(key, path, kind)
        return data[start:]

    def _write(self, key: str, kind: str, target: Path, payload: bytes) -> None:
        header = b" ".join([_FORMAT, kind.encode(), self._mac(key, kind, payload)])
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".unit.", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(header + b"\n")
                handle.write(payload)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    # --- units, records, pieces -----------------------------------------------------

    def get(self, key: str) -> SourceUnit | None:
        unit = None
        if key and self.persistent:
            path = self._file(key)
            try:
                unit = unit_from(self._payload(key, path, "unit"))
                if unit.key != key:
                    raise _Rejected("it belongs to another key")
                if not self._file(key, ".records").is_file() or (
                    unit.summary is not None and not self._file(key, ".pieces").is_file()
                ):
                    raise _Rejected("its records or pieces are missing")
            except FileNotFoundError:
                unit = None
            except OSError as exc:
                self._reject(path, key, f"cannot be read: {exc.strerror or exc}")
                unit = None
            except (_Rejected, CodecError) as exc:
                self._reject(path, key, str(exc))
                unit = None
        if (
            unit is not None
            and self.sources_dir is not None
            and any(_sha256(self.sources_dir.find(name)) != sha for name, sha in unit.texts.items())
        ):
            unit = None  # a source text changed: its quotes must be checked again
        if unit is None:
            self.misses += 1
            return None
        self.hits += 1
        return unit

    def _reject(self, path: Path, key: str, why: str) -> None:
        self._rejected.append((path, self._paths.get(key, (None, "a seed file"))[1], why))

    def warn_rejected(self) -> None:
        """One warning line for the entries `get` ignored since the last call."""
        if not self._rejected:
            return
        path, display, why = self._rejected[0]
        more = len(self._rejected) - 1
        also = f"; {more} more entr{'y' if more == 1 else 'ies'} likewise" if more else ""
        warn(
            f"{path}: warning: ignored the build cache entry of {display}: {why}; "
            f"checked it again{also} (hint: nothing to do; deleting {self.directory} "
            "is always safe)"
        )
        self._rejected.clear()

    def put(self, unit: SourceUnit, seeds: Seeds, pieces: Pieces | None) -> None:
        """Store `unit`, its records and its pieces under `unit.key`, each atomically; a
        cache that cannot be written is an error, as the build reads them back."""
        if not unit.key:
            return
        try:
            if pieces is not None:
                self._write(
                    unit.key, "pieces", self._file(unit.key, ".pieces"), pieces_bytes(pieces)
                )
            self._write(unit.key, "records", self._file(unit.key, ".records"), seeds_bytes(seeds))
            self._write(unit.key, "unit", self._file(unit.key), unit_bytes(unit))
        except OSError as exc:
            raise OutputError(
                f"{self.directory}: cannot write the build cache: {exc}",
                "make it writable, or delete it",
            ) from exc

    def records(self, unit: SourceUnit) -> Seeds:
        """The checked records stored with `unit`."""
        return self._load(unit, "records", lambda data, start: seeds_from(data[start:]))

    def pieces(self, unit: SourceUnit) -> Pieces:
        """The export pieces stored with `unit`."""
        return self._load(unit, "pieces", pieces_from)

    def _load(self, unit: SourceUnit, kind: str, decode: Callable[[bytes, int], Any]) -> Any:
        # `get` saw the entry whole; its records or pieces can still fail their check when
        # read (damaged, replaced, deleted during the run): the file is checked again
        path = self._file(unit.key, "." + kind)
        try:
            return decode(*self._read(unit.key, path, kind))
        except OSError as exc:
            why = f"cannot be read: {exc.strerror or exc}"
        except (_Rejected, CodecError) as exc:
            why = str(exc)
        seeds, pieces = self._rebuilt(unit, path, why)
        warn(
            f"{path}: warning: ignored the {kind} of {unit.display} in the build cache: "
            f"{why}; checked it again (hint: nothing to do; deleting {self.directory} is "
            "always safe)"
        )
        return seeds if kind == "records" else pieces

    def _rebuilt(self, unit: SourceUnit, path: Path, why: str) -> tuple[Seeds, Pieces]:
        """Check `unit`'s seed file again and store what it yields, if it still has the
        bytes `unit` was made from and yields the same summary; else a clear error (the
        run already reported on `unit`, so it must not mix two versions of the file)."""
        seed, display = self._paths.get(unit.key, (None, unit.display))
        if self.rebuild is None or seed is None or self.key(seed, display) != unit.key:
            raise InputError(
                f"{path}: the build cache entry of {unit.display} cannot be "
                f"read back ({why}), and the file changed during the run",
                "run again",
            )
        seeds, pieces, summary = self.rebuild(seed, display)
        if summary != unit.summary or self.key(seed, display) != unit.key:
            raise InputError(
                f"{path}: the build cache entry of {unit.display} cannot be "
                f"read back ({why}), and checking the file again gave another "
                "result",
                "run again",
            )
        self.put(unit, seeds, pieces)
        return seeds, pieces  # type: ignore[return-value]

    # --- the exports written from these entries ---------------------------------------

    def _manifest(self, out_dir: Path) -> tuple[str, Path]:
        name = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:16]
        return name, self.directory / "exports" / f"{name}.json"

    def written(self, out_dir: Path, key: str) -> dict[str, Any] | None:
        """What the last build wrote into `out_dir` if it was made from inputs of `key`
        and every file is still as it was written (size and modification time); else None.
        A manifest that is not signed by this cache counts as none (the files are written).
        """
        if not self.persistent:
            return None
        try:
            manifest = json_from(self._payload(*self._manifest(out_dir), "exports"))
            counts = manifest["counts"]
            if manifest["key"] != key or not all(
                type(counts[count]) is int for count in ("triples", "quads")
            ):
                return None
            for written, (size, mtime) in manifest["files"].items():
                stat = (out_dir / written).stat()
                if stat.st_size != size or stat.st_mtime_ns != mtime:
                    return None
        except (OSError, _Rejected, CodecError, KeyError, TypeError, ValueError, AttributeError):
            return None
        return manifest

    def record_written(
        self, out_dir: Path, key: str, files: list[Path], counts: dict[str, int]
    ) -> None:
        """Remember what a build wrote into `out_dir` (see `written`)."""
        if not self.persistent:
            return
        entries = {}
        for path in files:
            stat = path.stat()
            entries[path.relative_to(out_dir).as_posix()] = [stat.st_size, stat.st_mtime_ns]
        name, target = self._manifest(out_dir)
        try:
            self._write(
                name,
                "exports",
                target,
                json_bytes({"key": key, "files": entries, "counts": counts}),
            )
        except OSError:
            return
