"""Issue 12, builds: checks that must not switch themselves off, bounded seed files, and
export sets that a crash, a failed rename or a umask cannot leave mixed or unreadable."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS, run_kg

GENERATE = ROOT / "benchmarks" / "generate.py"


def _generate(out: Path, countries: int = 3, years: int = 2, seed: int = 7) -> Path:
    subprocess.run([sys.executable, str(GENERATE), "--countries", str(countries), "--years",
                    str(years), "--seed", str(seed), str(out)], check=True,
                   capture_output=True, timeout=300)
    return out


def _snapshot(out: Path) -> dict[str, bytes]:
    """Every file under `out` by relative name, hidden ones included."""
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*")) if p.is_file()}


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
    assert "quotes UNCHECKED" in result.stdout


def test_issue12_missing_text_of_one_source_stays_a_warning(tmp_path: Path,
                                                            sources_dir: Path) -> None:
    partial = tmp_path / "sources"
    partial.mkdir()
    texts = sorted(sources_dir.glob("*.txt"))
    shutil.copy(texts[0], partial / texts[0].name)
    result = run_kg("validate", "--seeds", str(SEEDS), "--sources", str(partial))
    assert result.returncode == 0, result.stderr
    assert "warning" in result.stderr and "not found" in result.stderr
    assert "quotes UNCHECKED" in result.stdout


# --- 14: exports respect the umask --------------------------------------------------------

@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640)])
def test_issue12_exports_respect_the_umask(umask: int, mode: int, tmp_path: Path,
                                          sources_dir: Path) -> None:
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "kg", "build", "--seeds", str(SEEDS), "--sources",
         str(sources_dir), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        preexec_fn=lambda: os.umask(umask))
    assert result.returncode == 0, result.stderr
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) == 9
    assert {p.relative_to(out).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in files} == {
        p.relative_to(out).as_posix(): mode for p in files}
