"""Shared fixtures: the project's paths, and `kg` run as a real subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
EXPORTS = ROOT / "exports"
ONTOLOGY = ROOT / "ontology"
# The source texts live beside the project (../shared/seeds); KG_SOURCES may point elsewhere.
SOURCES = Path(os.environ.get("KG_SOURCES") or ROOT.parent / "shared" / "seeds")


@pytest.fixture(scope="session", autouse=True)
def _private_build_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every `kg` the tests run keeps its build cache and key in a temporary directory,
    never in the real home (tests that need another place set these themselves)."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    os.environ.pop("KG_CACHE_DIR", None)
    os.environ.pop("KG_CACHE_KEY", None)


def have_sources() -> bool:
    return (SOURCES / "000_e99b225cc022d9a6.txt").is_file()


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    if not have_sources():
        pytest.fail(f"the source texts are not at {SOURCES}; set KG_SOURCES")
    return SOURCES


def run_kg(*args: str, cwd: Path | None = None,
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m kg ARGS` as a subprocess and capture its output."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=cwd or ROOT,
                          env=full_env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def kg() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_kg


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A private copy of the project's seeds, for tests that break them."""
    target = tmp_path / "seeds"
    target.mkdir()
    for path in SEEDS.glob("*.yaml"):
        shutil.copy(path, target / path.name)
    return target


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, sources_dir: Path) -> Path:
    """The exports built once per test session into a temporary directory."""
    out = tmp_path_factory.mktemp("exports")
    result = run_kg("build", "--seeds", str(SEEDS), "--sources", str(sources_dir),
                    "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out
