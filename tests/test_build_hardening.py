"""Issue 12, builds: checks that must not switch themselves off, bounded seed files, and
export sets that a crash, a failed rename or a umask cannot leave mixed or unreadable."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS, run_kg

GENERATE = ROOT / "benchmarks" / "generate.py"


def _generate(out: Path, countries: int = 3, years: int = 2, seed: int = 7) -> Path:
    subprocess.run(
        [
            sys.executable,
            str(GENERATE),
            "--countries",
            str(countries),
            "--years",
            str(years),
            "--seed",
            str(seed),
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out


def _snapshot(out: Path) -> dict[str, bytes]:
    """Every file under `out` by relative name, hidden ones included."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }


def _leftovers(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob(".*") if p.is_file())


# --- 4: a sources directory that does not exist is a usage error -------------------------


@pytest.mark.parametrize("command", ["validate", "build", "coverage"])
def test_issue12_missing_sources_dir_is_a_usage_error(command: str, tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent"
    args = [command, "--seeds", str(SEEDS), "--sources", str(missing)]
    if command == "build":
        args += ["--out", str(tmp_path / "out")]
    result = run_kg(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{missing}: " in result.stderr and "hint:" in result.stderr
    assert "quotes checked" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_issue12_kg_sources_pointing_nowhere_is_a_usage_error(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file.txt"
    not_a_dir.write_text("a file, not a directory\n")
    for target in (tmp_path / "nowhere", not_a_dir):
        result = run_kg("validate", "--seeds", str(SEEDS), env={"KG_SOURCES": str(target)})
        assert result.returncode == 2, result.stdout + result.stderr
        assert f"{target}: " in result.stderr and "KG_SOURCES" in result.stderr
        assert "Traceback" not in result.stderr


def test_issue12_empty_kg_sources_still_means_none(tmp_path: Path) -> None:
    # the Makefile sets KG_SOURCES empty when ../shared/seeds is absent
    result = run_kg("validate", "--seeds", str(SEEDS), env={"KG_SOURCES": ""})
    assert result.returncode == 0, result.stderr
    assert "QUOTES UNCHECKED" in result.stdout


def test_issue12_missing_text_of_one_source_stays_a_warning(
    tmp_path: Path, sources_dir: Path
) -> None:
    partial = tmp_path / "sources"
    partial.mkdir()
    texts = sorted(sources_dir.glob("*.txt"))
    shutil.copy(texts[0], partial / texts[0].name)
    result = run_kg("validate", "--seeds", str(SEEDS), "--sources", str(partial))
    assert result.returncode == 0, result.stderr
    assert "warning" in result.stderr and "not found" in result.stderr
    assert "QUOTES UNCHECKED" in result.stdout


# --- 14: exports respect the umask --------------------------------------------------------


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640)])
def test_issue12_exports_respect_the_umask(
    umask: int, mode: int, tmp_path: Path, sources_dir: Path
) -> None:
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "build",
            "--seeds",
            str(SEEDS),
            "--sources",
            str(sources_dir),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=lambda: os.umask(umask),
    )
    assert result.returncode == 0, result.stderr
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) == 9
    assert {p.relative_to(out).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in files} == {
        p.relative_to(out).as_posix(): mode for p in files
    }


# --- 13: the export set switches together -------------------------------------------------


def _failing_replace(
    monkeypatch: pytest.MonkeyPatch, out: Path, nth: int, error: BaseException
) -> list[str]:
    """Make the `nth` rename onto an export in `out` raise `error`, once; the renames
    into the cache and the module's own hidden files go through."""
    real = os.replace
    seen: list[str] = []

    def replace(src: str | Path, dst: str | Path) -> None:
        target = Path(dst)
        if target.is_relative_to(out) and not target.name.startswith("."):
            seen.append(target.name)
            if len(seen) == nth:
                raise error
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    return seen


@pytest.fixture(scope="module")
def two_corpora(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two small generated corpora whose exports differ in every file."""
    base = tmp_path_factory.mktemp("corpora")
    return _generate(base / "a", seed=7), _generate(base / "b", seed=8)


@pytest.mark.parametrize("nth", [1, 5, 9])
def test_issue12_failed_rename_leaves_every_export_as_before(
    nth: int, tmp_path: Path, two_corpora: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg
    from kg.errors import OutputError

    a, b = two_corpora
    out = tmp_path / "out"
    kg.build(a / "seeds", out, a / "sources", cache_dir=tmp_path / "cache-a", jobs=1)
    before = _snapshot(out)
    assert len(before) == 9
    seen = _failing_replace(monkeypatch, out, nth, OSError(28, "No space left on device"))
    with pytest.raises(OutputError, match="No space left on device"):
        kg.build(b / "seeds", out, b / "sources", cache_dir=tmp_path / "cache-b", jobs=1)
    assert len(seen) >= nth
    monkeypatch.undo()
    assert _snapshot(out) == before  # byte for byte, and no backup, journal or .tmp left


def test_issue12_failed_rename_removes_the_new_files_that_had_no_old_one(
    tmp_path: Path, two_corpora: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg
    from kg.errors import OutputError

    a, b = two_corpora
    out = tmp_path / "out"
    kg.build(a / "seeds", out, a / "sources", cache_dir=tmp_path / "cache-a", jobs=1)
    (out / "tip-kg.nt").unlink()  # renamed in first, then taken out again
    before = _snapshot(out)
    _failing_replace(monkeypatch, out, 5, OSError(5, "Input/output error"))
    with pytest.raises(OutputError, match="the old files are all in place"):
        kg.build(b / "seeds", out, b / "sources", cache_dir=tmp_path / "cache-b", jobs=1)
    monkeypatch.undo()
    assert _snapshot(out) == before
    assert not (out / "tip-kg.nt").exists()


def test_issue12_swap_cut_short_is_rolled_back_by_the_next_run(
    tmp_path: Path, two_corpora: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg
    from kg.export import JOURNAL, StagedFiles

    a, b = two_corpora
    out = tmp_path / "out"
    kg.build(a / "seeds", out, a / "sources", cache_dir=tmp_path / "cache-a", jobs=1)
    before = _snapshot(out)
    # a KeyboardInterrupt is not caught by the swap: it stands in for a kill mid-swap
    _failing_replace(monkeypatch, out, 5, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        kg.build(b / "seeds", out, b / "sources", cache_dir=tmp_path / "cache-b", jobs=1)
    monkeypatch.undo()
    assert (out / JOURNAL).is_file()
    mixed = {
        name: data
        for name, data in _snapshot(out).items()
        if not name.startswith(".") and "/." not in name
    }
    assert mixed != {name: data for name, data in before.items()}
    with StagedFiles(out):
        pass  # the next writer into `out` repairs it before anything else
    assert _snapshot(out) == before


# --- 12: a build killed while writing ------------------------------------------------------


@pytest.mark.parametrize("then", ["edited", "reverted"])
def test_issue12_build_killed_while_writing_leaves_old_exports_and_no_tmp(
    then: str, tmp_path: Path
) -> None:
    corpus = _generate(tmp_path / "corpus", countries=20, years=3)
    out = tmp_path / "out"
    args = [
        sys.executable,
        "-m",
        "kg",
        "build",
        "--seeds",
        str(corpus / "seeds"),
        "--sources",
        str(corpus / "sources"),
        "--out",
        str(out),
    ]
    first = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    before = _snapshot(out)
    seeds = sorted((corpus / "seeds").glob("*.yaml"))
    caught: list[str] = []
    for attempt in range(3):  # the writing lasts a fraction of a second: a few tries
        # each edit changes the inputs, so that the build writes every export again
        unedited = seeds[attempt].read_text()
        seeds[attempt].write_text(unedited + f"# edit {attempt}\n")
        proc = subprocess.Popen(
            args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + 120
            while proc.poll() is None and time.monotonic() < deadline:
                caught = [p.name for p in out.rglob("*.tmp")]
                if caught:
                    proc.send_signal(signal.SIGKILL)
                    break
                time.sleep(0.002)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=60)
        if caught:
            break
        before = _snapshot(out)  # that build finished: its exports are now the old ones
    assert caught, "no build was caught while writing"
    assert proc.returncode == -signal.SIGKILL
    after_kill = _snapshot(out)
    assert {
        n: d for n, d in after_kill.items() if not n.rsplit("/", 1)[-1].startswith(".")
    } == before
    assert _leftovers(out), "the killed build left nothing behind: the test proves nothing"
    if then == "reverted":  # back to the inputs of the exports in place: nothing to write
        seeds[attempt].write_text(unedited)
    second = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    assert ("is up to date" in second.stdout) == (then == "reverted"), second.stdout
    assert _leftovers(out) == []
    assert set(_snapshot(out)) == set(before)


@pytest.mark.parametrize(
    "name",
    [
        "exports/.tip-kg.nt.rd3b8y4x.tmp",
        "exports/neo4j/.nodes.csv.a_b1c2d3.tmp",
        "exports/.tip-kg.ttl.kg-backup",
        "exports/.kg-swap.json",
    ],
)
def test_issue12_build_leftovers_are_ignored_by_git(name: str) -> None:
    if not (ROOT / ".git").exists():
        pytest.fail(f"{ROOT} is not a git checkout")
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", name],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, f"git would not ignore {name}: {result.stderr}"


# --- 11: seed files have a size limit; running out of memory is a clear error ---------------


def test_issue12_seed_file_over_the_size_limit_is_refused(
    tmp_path: Path, seeds_copy: Path, sources_dir: Path
) -> None:
    from kg.seedfile import MAX_SEED_BYTES

    out = tmp_path / "out"
    args = ["build", "--seeds", str(seeds_copy), "--sources", str(sources_dir), "--out", str(out)]
    assert run_kg(*args).returncode == 0
    before = _snapshot(out)
    big = seeds_copy / "integers.yaml"
    # a list of integers, one byte over: the kind of file that ended in a MemoryError
    big.write_bytes(b"- 1\n" * (MAX_SEED_BYTES // 4) + b"\n")
    assert big.stat().st_size == MAX_SEED_BYTES + 1
    for command in (args, ["validate", "--seeds", str(seeds_copy)]):
        result = run_kg(*command)
        assert result.returncode == 2, result.stderr
        assert f"{big}: the seed file is {MAX_SEED_BYTES + 1:,} bytes" in result.stderr
        assert "over the limit of 2 MiB (2,097,152 bytes)" in result.stderr
        assert "hint:" in result.stderr and "Traceback" not in result.stderr
    assert _snapshot(out) == before


def test_seed_file_at_the_size_limit_is_read(seeds_copy: Path) -> None:
    from kg.seedfile import MAX_SEED_BYTES

    seed = sorted(seeds_copy.glob("*.yaml"))[0]
    text = seed.read_bytes()
    padding = MAX_SEED_BYTES - len(text)
    line = b"#" * 99 + b"\n"
    seed.write_bytes(text + line * (padding // 100) + b"#" * (padding % 100 - 1) + b"\n")
    assert seed.stat().st_size == MAX_SEED_BYTES
    result = run_kg("validate", "--seeds", str(seeds_copy), env={"KG_SOURCES": ""})
    assert result.returncode == 0, result.stderr
    assert f"valid: {len(list(seeds_copy.glob('*.yaml')))} files" in result.stdout


def test_issue12_out_of_memory_is_a_clear_error_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import kg.pipeline
    from kg.cli import main

    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(kg.pipeline, "validate", exhausted)
    assert main(["validate", "--seeds", str(SEEDS)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kg: error: out of memory") and "hint:" in err
    assert "Traceback" not in err


def test_issue12_seed_nested_as_deep_as_yaml_allows_is_no_recursion_error(seeds_copy: Path) -> None:
    # libyaml refuses nesting past 1,000 levels itself; just under that, turning the tree
    # into positioned nodes recursed once per level and ended in a RecursionError traceback
    (seeds_copy / "deep.yaml").write_text("source: " + "[" * 999 + "]" * 999 + "\n")
    result = run_kg("validate", "--seeds", str(seeds_copy), env={"KG_SOURCES": ""})
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
    assert f"{seeds_copy / 'deep.yaml'}:1:9: error:" in result.stderr


def test_two_runs_never_write_into_one_directory_at_once(tmp_path: Path, sources_dir: Path) -> None:
    import fcntl

    out = tmp_path / "out"
    out.mkdir()
    (out / ".tip-kg.nt.abcd1234.tmp").write_text("another run's file, being written\n")
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a running build holds it
        result = run_kg(
            "build", "--seeds", str(SEEDS), "--sources", str(sources_dir), "--out", str(out)
        )
    finally:
        os.close(fd)
    assert result.returncode == 2, result.stderr
    assert "another kg run is writing into this directory" in result.stderr
    assert _leftovers(out) == [".tip-kg.nt.abcd1234.tmp"]  # not swept from under it
    assert (
        run_kg(
            "build", "--seeds", str(SEEDS), "--sources", str(sources_dir), "--out", str(out)
        ).returncode
        == 0
    )
    assert _leftovers(out) == []
