"""Shared fixtures: the project's paths, the fixture corpus, and `kg` as a real subprocess.

Two corpora:

- the *fixture corpus* (`tests/fixtures/seeds`, its own texts in `tests/fixtures/sources`):
  small, hand-made, fixed. Every test whose expected answer is a list of facts runs on it.
- the *real seeds* (`seeds/`, texts in `../shared/seeds`): tests of them check properties
  only (quotes verbatim, exports rebuilt byte for byte, queries run and answer well-formed
  rows, counts agree), so that curating another source changes no expected answer.

Environment variables that point the real-seed tests at another corpus (the test
`tests/test_real_seeds.py::test_property_tests_pass_with_one_more_source` sets them, on a
copy of `seeds/` plus a generated source):

- `KG_TEST_SEEDS`: the seeds directory (default `seeds/`);
- `KG_TEST_SOURCES`: its source texts (default `$KG_SOURCES`, else `../shared/seeds`);
- `KG_TEST_EXPORTS`: the exports built from them, as committed (default `exports/`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SEEDS = Path(os.environ.get("KG_TEST_SEEDS") or ROOT / "seeds").resolve()
EXPORTS = Path(os.environ.get("KG_TEST_EXPORTS") or ROOT / "exports").resolve()
ONTOLOGY = ROOT / "ontology"
# The source texts live beside the project (../shared/seeds); KG_SOURCES may point elsewhere.
SOURCES = Path(
    os.environ.get("KG_TEST_SOURCES")
    or os.environ.get("KG_SOURCES")
    or ROOT.parent / "shared" / "seeds"
)
FIXTURES = ROOT / "tests" / "fixtures"
FIXTURE_SEEDS = FIXTURES / "seeds"
FIXTURE_SOURCES = FIXTURES / "sources"


@pytest.fixture(scope="session", autouse=True)
def _private_build_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every `kg` the tests run keeps its build cache and key in a temporary directory,
    never in the real home (tests that need another place set these themselves)."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    os.environ.pop("KG_CACHE_DIR", None)
    os.environ.pop("KG_CACHE_KEY", None)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "real_seeds: a property test of the real seeds that must hold for any "
        "corpus (run on another one with KG_TEST_SEEDS, KG_TEST_SOURCES, KG_TEST_EXPORTS)",
    )


def seed_source_ids(seeds: Path) -> list[str]:
    """The source ids of a seeds directory, read from each file's header, sorted."""
    return sorted(
        yaml.safe_load(path.read_text(encoding="utf-8"))["source"]["id"]
        for path in seeds.glob("*.yaml")
    )


def seed_files(seeds: Path) -> list[tuple[str, str]]:
    """(source id, text file name) of every seed file in a directory, sorted."""
    headers = [
        yaml.safe_load(path.read_text(encoding="utf-8"))["source"] for path in seeds.glob("*.yaml")
    ]
    return sorted((h["id"], h["text"]) for h in headers)


def have_sources() -> bool:
    return (SOURCES / "000_e99b225cc022d9a6.txt").is_file()


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    if not have_sources():
        pytest.fail(f"the source texts are not at {SOURCES}; set KG_SOURCES")
    return SOURCES


def run_kg(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m kg ARGS` as a subprocess and capture its output."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "kg", *args],
        cwd=cwd or ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


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


@pytest.fixture
def fixture_copy(tmp_path: Path) -> Path:
    """A private copy of the fixture seeds, for tests that change them."""
    target = tmp_path / "fixture-seeds"
    shutil.copytree(FIXTURE_SEEDS, target)
    return target


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, sources_dir: Path) -> Path:
    """The real seeds' exports built once per test session into a temporary directory."""
    out = tmp_path_factory.mktemp("exports")
    result = run_kg(
        "build", "--seeds", str(SEEDS), "--sources", str(sources_dir), "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def fixture_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture corpus's exports, built once per test session (its cache kept apart)."""
    root = tmp_path_factory.mktemp("fixture-build")
    seeds = root / "seeds"
    shutil.copytree(FIXTURE_SEEDS, seeds)
    out = root / "exports"
    result = run_kg(
        "build", "--seeds", str(seeds), "--sources", str(FIXTURE_SOURCES), "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    return out
