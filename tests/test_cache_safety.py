"""Issue 12, item 2: the build cache holds data only, and only what this user's tip-kg wrote.

Every test runs `kg` as a real subprocess on a small generated corpus, with the user's
cache (`XDG_CACHE_HOME`, `HOME`) in the test's own temporary directory.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cache import SourceUnit, unit_bytes, unit_from
from kg.cachecodec import CodecError, pieces_bytes, pieces_from, seeds_bytes, seeds_from
from kg.errors import InputError
from kg.pipeline import validate
from tests.conftest import ROOT, SEEDS, run_kg

GENERATE = ROOT / "benchmarks" / "generate.py"
INVALID = ("tier: tier_2", "tier: tier_9")  # one edit that makes a seed file invalid


class _Plant:
    """Unpickling this creates a file: the code a planted pickle gets to run."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[Path]]:
        return Path.touch, (self.marker,)


def _corpus(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    subprocess.run(
        [
            sys.executable,
            str(GENERATE),
            "--countries",
            "2",
            "--years",
            "1",
            "--seed",
            "3",
            str(tree),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return tree


def _invalidate(tree: Path) -> Path:
    path = sorted((tree / "seeds").glob("*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    assert INVALID[0] in text
    path.write_text(text.replace(INVALID[0], INVALID[1], 1), encoding="utf-8")
    return path


def _env(home: Path, **extra: str) -> dict[str, str]:
    """A user whose home (and so whose cache and key) is `home`."""
    return {
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "KG_CACHE_DIR": "",
        "KG_CACHE_KEY": "",
        **extra,
    }


def _kg(
    command: str, tree: Path, env: dict[str, str], *more: str
) -> subprocess.CompletedProcess[str]:
    return run_kg(
        command, "--seeds", str(tree / "seeds"), "--sources", str(tree / "sources"), *more, env=env
    )


def _entry_files(*roots: Path) -> list[Path]:
    """The files of cache entries (under a two-hex-digit directory) below `roots`."""
    return sorted(
        p
        for root in roots
        if root.is_dir()
        for p in root.rglob("*")
        if p.is_file() and len(p.parent.name) == 2 and not p.name.startswith(".")
    )


def _tree_files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _warnings(stderr: str) -> list[str]:
    """The cache's warning lines (the findings go to standard error too)."""
    return [line for line in stderr.splitlines() if "warning" in line and "cache" in line]


def _report(result: subprocess.CompletedProcess[str]) -> tuple[int, str, list[str]]:
    """What validation told: exit code, summary, findings; without the cache's warnings."""
    return (
        result.returncode,
        result.stdout,
        [line for line in result.stderr.splitlines() if line not in _warnings(result.stderr)],
    )


def test_issue12_planted_cache_runs_no_code(tmp_path: Path) -> None:
    tree = _corpus(tmp_path)
    _invalidate(tree)
    first = _kg("validate", tree, _env(tmp_path / "author"))
    assert first.returncode == 1 and "tier_9" in first.stderr, first.stderr
    # The entries that run wrote (wherever this version keeps them) give the names a
    # planted cache uses; each is replaced by a pickle that creates `marker` when loaded,
    # in `.kg-cache/` inside the seeds tree, as a cloned repository would carry it.
    entries = _entry_files(tree / ".kg-cache", tmp_path / "author")
    assert entries
    marker = tmp_path / "code-ran"
    evil = pickle.dumps(_Plant(marker))
    planted = tmp_path / "planted"
    for entry in entries:
        target = planted / entry.parent.name / entry.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(evil)
    shutil.rmtree(tree / ".kg-cache", ignore_errors=True)
    shutil.copytree(planted, tree / ".kg-cache")

    # a user who cloned the tree runs a plain `kg validate`
    victim = _kg("validate", tree, _env(tmp_path / "victim"))
    assert not marker.exists(), "a planted cache entry ran code"
    assert _report(victim) == _report(first)
    assert "Traceback" not in victim.stderr

    # and one who points the cache at it on purpose gets a warning, not the code
    told = _kg("validate", tree, _env(tmp_path / "victim", KG_CACHE_DIR=str(tree / ".kg-cache")))
    assert not marker.exists(), "a cache entry named by KG_CACHE_DIR ran code"
    assert _report(told) == _report(first)
    assert len(_warnings(told.stderr)) == 1 and "Traceback" not in told.stderr
    assert "build cache" in told.stderr


def test_issue12_forged_cache_entry_is_rejected(tmp_path: Path) -> None:
    tree = _corpus(tmp_path)
    cache = tree / ".kg-cache"  # where the old code kept it; named explicitly here
    env = _env(tmp_path / "user", KG_CACHE_DIR=str(cache))
    aside = tmp_path / "aside"
    aside.mkdir()
    invalid = _invalidate(tree)
    invalid.rename(aside / invalid.name)
    assert _kg("validate", tree, env).returncode == 0
    valid_entries = set(_entry_files(cache))
    (aside / invalid.name).rename(invalid)
    checked = _kg("validate", tree, env)
    assert checked.returncode == 1 and "tier_9" in checked.stderr
    invalid_entries = set(_entry_files(cache)) - valid_entries
    keys = {p.name.split(".")[0] for p in invalid_entries}
    assert len(keys) == 1
    key = keys.pop()
    # the entry of the invalid file is replaced by a genuine entry of the valid one,
    # which says "no findings"
    for entry in invalid_entries:
        entry.unlink()
    for entry in valid_entries:
        suffix = entry.name.split(".", 1)[1]
        shutil.copy(entry, cache / key[:2] / f"{key}.{suffix}")
    forged = _kg("validate", tree, env)
    assert _report(forged) == _report(checked)
    assert len(_warnings(forged.stderr)) == 1 and "Traceback" not in forged.stderr
    out = tmp_path / "out"
    built = _kg("build", tree, env, "--out", str(out))
    assert built.returncode == 1 and not out.exists()


def test_issue12_damaged_cache_entry_rebuilt_with_warning(tmp_path: Path) -> None:
    tree = _corpus(tmp_path)
    clean = tmp_path / "clean"
    assert _kg("build", tree, _env(tmp_path / "other"), "--out", str(clean)).returncode == 0
    cache = tree / ".kg-cache"
    env = _env(tmp_path / "user", KG_CACHE_DIR=str(cache))
    assert _kg("build", tree, env, "--out", str(tmp_path / "first")).returncode == 0
    entries = _entry_files(cache)

    # export pieces damaged after the run looked the entry up: only read when writing
    pieces = next(p for p in entries if p.name.endswith(".pieces"))
    data = bytearray(pieces.read_bytes())
    data[len(data) // 2] ^= 0x20
    pieces.write_bytes(bytes(data))
    again = _kg("build", tree, env, "--out", str(tmp_path / "after-pieces"))
    assert again.returncode == 0, again.stderr
    assert len(_warnings(again.stderr)) == 1 and again.stderr.count("\n") == 1, again.stderr
    assert "Traceback" not in again.stderr
    assert _tree_files(tmp_path / "after-pieces") == _tree_files(clean)

    # a unit cut short: the file is checked again
    unit = next(p for p in entries if p.name.endswith((".unit", ".pickle")))
    unit.write_bytes(unit.read_bytes()[: unit.stat().st_size // 2])
    again = _kg("build", tree, env, "--out", str(tmp_path / "after-unit"), "--format", "json")
    assert again.returncode == 0, again.stderr
    assert len(_warnings(again.stderr)) == 1 and again.stderr.count("\n") == 1, again.stderr
    assert json.loads(again.stdout)["stats"]["parsed"] == 1
    assert _tree_files(tmp_path / "after-unit") == _tree_files(clean)

    # both entries were written anew: the next run finds everything, says nothing
    quiet = _kg("validate", tree, env, "--format", "json")
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert json.loads(quiet.stdout)["stats"]["parsed"] == 0


def test_cache_lives_outside_the_tree_with_a_private_key(tmp_path: Path) -> None:
    tree = _corpus(tmp_path)
    before = sorted(p.relative_to(tree) for p in tree.rglob("*"))
    home = tmp_path / "user"
    result = _kg("validate", tree, _env(home))
    assert result.returncode == 0, result.stderr
    assert sorted(p.relative_to(tree) for p in tree.rglob("*")) == before
    key = home / ".cache" / "tip-kg" / "key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert _entry_files(home / ".cache" / "tip-kg")
    # an unusable key named by KG_CACHE_KEY is a usage error, told in one line
    (tmp_path / "short-key").write_text("short\n")
    bad = _kg("validate", tree, _env(home, KG_CACHE_KEY=str(tmp_path / "short-key")))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.count("\n") == 1 and "KG_CACHE_KEY" in bad.stderr
    # another key: every entry is someone else's, checked again with one warning
    (tmp_path / "key2").write_text("a" * 64 + "\n")
    other = _kg(
        "validate", tree, _env(home, KG_CACHE_KEY=str(tmp_path / "key2")), "--format", "json"
    )
    assert other.returncode == 0 and len(_warnings(other.stderr)) == 1
    assert json.loads(other.stdout)["stats"]["parsed"] == 2


def test_entry_that_breaks_after_the_file_changed_is_a_clear_error(tmp_path: Path) -> None:
    tree = _corpus(tmp_path)
    result = validate(tree / "seeds", tree / "sources", cache_dir=tmp_path / "cache", jobs=1)
    unit = result.units[0]
    seed = sorted((tree / "seeds").glob("*.yaml"))[0]
    seed.write_text(seed.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    (tmp_path / "cache" / unit.key[:2] / f"{unit.key}.pieces").write_bytes(b"damaged")
    with pytest.raises(InputError, match="changed during the run"):
        result.cache.pieces(unit)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[SourceUnit, object, object]:
    tree = _corpus(tmp_path_factory.mktemp("codec"))
    result = validate(tree / "seeds", tree / "sources", cache_dir=False, jobs=1)
    unit = result.units[0]
    assert result.cache is not None
    return unit, result.cache.records(unit), result.cache.pieces(unit)


def test_cache_codec_round_trips(stored: tuple[SourceUnit, object, object]) -> None:
    unit, records, pieces = stored
    assert unit.summary is not None and unit.references.assertions and unit.claims[0]
    # the generated corpus, and the project's own seeds (cities, regions, legal
    # instruments, conflicts: every kind of field value there is)
    project = validate(SEEDS, cache_dir=False, jobs=1)
    assert project.cache is not None and project.units
    cases = [stored] + [
        (u, project.cache.records(u), project.cache.pieces(u)) for u in project.units
    ]
    for unit, records, pieces in cases:
        assert unit_from(unit_bytes(unit)) == unit
        back = seeds_from(seeds_bytes(records))  # type: ignore[arg-type]
        assert back == records
        assert [r.field_locs for r in back.assertions] == [r.field_locs for r in records.assertions]  # type: ignore[attr-defined]
        assert pieces_from(pieces_bytes(pieces)) == pieces  # type: ignore[arg-type]


def _mutations(document: dict) -> list[tuple[str, dict]]:
    out = []

    def variant(name: str, change: object) -> None:
        copy = json.loads(json.dumps(document))
        change(copy)  # type: ignore[operator]
        out.append((name, copy))

    variant("extra field", lambda d: d.update(evil=1))
    variant("missing field", lambda d: d.pop("findings"))
    variant("count as text", lambda d: d.update(assertions="50"))
    variant("count as bool", lambda d: d.update(sources=True))
    variant("parsed as int", lambda d: d.update(parsed=1))
    variant("unknown severity", lambda d: d.update(findings=[["fatal", "x", "m", None, None]]))
    variant("short location", lambda d: d["references"]["assertions"][0].__setitem__(2, ["a"]))
    variant("claim as object", lambda d: d["claims"][0].__setitem__(0, {"py/object": "os"}))
    variant("summary shape", lambda d: d.update(summary={"shared": []}))
    variant("texts as list", lambda d: d.update(texts=["a"]))
    variant("deep claim", lambda d: d["claims"][0].__setitem__(1, [[[[[["x"]]]]]]))
    variant("short claim", lambda d: d["claims"][0].pop())
    variant("period as text", lambda d: d["claims"][0].__setitem__(2, "2009"))
    return out


def test_cache_decoder_is_strict(stored: tuple[SourceUnit, object, object]) -> None:
    unit, records, pieces = stored
    document = json.loads(unit_bytes(unit))
    for name, changed in _mutations(document):
        with pytest.raises(CodecError):
            unit_from(json.dumps(changed).encode())
            pytest.fail(f"accepted: {name}")
    data = unit_bytes(unit)
    for cut in range(0, len(data), max(1, len(data) // 50)):
        with pytest.raises(CodecError):
            unit_from(data[:cut])
    raw = seeds_bytes(records)  # type: ignore[arg-type]
    for old, new in (
        (b'{"place":', b'{"module":'),
        (b'{"literal":["', b'{"literal":[1,"'),
        (b'{"tuple":[', b'{"tuple":[{"tuple":['),
    ):
        assert old in raw
        with pytest.raises(CodecError):
            seeds_from(raw.replace(old, new, 1))
    blob = pieces_bytes(pieces)  # type: ignore[arg-type]
    for bad in (
        blob[:-1],
        blob + b"x",
        blob.replace(b'"nt":', b'"nt":999,"x":', 1),
        blob.split(b"\n", 1)[1],
    ):
        with pytest.raises(CodecError):
            pieces_from(bad)


def test_no_pickle_in_the_cache_code() -> None:
    for name in ("cache.py", "cachecodec.py"):
        text = (ROOT / "kg" / name).read_text(encoding="utf-8")
        for banned in ("import pickle", "import marshal", "import shelve", "eval(", "exec("):
            assert banned not in text, (name, banned)
    assert os.environ.get("XDG_CACHE_HOME")  # the suite never writes to the real home
