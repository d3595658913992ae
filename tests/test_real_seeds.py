"""The real seeds: properties that hold for any corpus, and the proof that they do.

Nothing here names a fact of the current sources, so curating another source into
`seeds/` changes no expected answer here; only the committed exports change (and the
freshness tests say so until they are rebuilt). The facts are tested on the fixtures
(tests/fixtures, tests/test_queries.py). The last test copies the seeds, adds a
generated source, rebuilds the exports and runs every `real_seeds` test against that
corpus in a pytest subprocess (KG_TEST_SEEDS, KG_TEST_SOURCES, KG_TEST_EXPORTS).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import load_graph
from kg.query import named_queries, run_query
from tests.conftest import ROOT, SEEDS, SOURCES, have_sources, run_kg, seed_files

XSD = "http://www.w3.org/2001/XMLSchema#"
# columns whose values are a source id, a place's name, a year, a count
SOURCE_COLUMNS = {"source", "sourceA", "sourceB"}
PLACE_COLUMNS = {"country", "jurisdiction", "subject", "origin", "destination", "name"}
YEAR_COLUMNS = {"year", "comparedTo"}
COUNT_COLUMNS = {"claims", "flows", "measures"}


@pytest.fixture(scope="module")
def store(sources_dir: Path) -> ox.Store:
    return load_graph(SEEDS, sources_dir)


def _labels(store: ox.Store) -> set[str]:
    """The names of every country and region in the graph."""
    rows = store.query("""
        PREFIX kg: <https://w3id.org/tip-kg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?label WHERE {
          { ?p a kg:Country } UNION { ?p a kg:Region } ?p rdfs:label ?label }""")
    return {row["label"].value for row in rows}


@pytest.mark.real_seeds
@pytest.mark.parametrize("name", sorted(q.name for q in named_queries()))
def test_every_competency_query_answers_well_formed_rows(store: ox.Store, name: str) -> None:
    query = next(q for q in named_queries() if q.name == name)
    result = run_query(store, query.text, origin=query.origin)
    assert result.kind == "select", name
    again = run_query(store, query.text, origin=query.origin)
    assert again.rows == result.rows, "the same graph gave another answer or order"
    assert len(set(result.rows)) == len(result.rows), "a row repeats"
    sources = {sid for sid, _ in seed_files(SEEDS)}
    places = _labels(store)
    for row in result.rows:
        assert len(row) == len(result.variables)
        for var, term in zip(result.variables, row, strict=True):
            if term is None:
                continue
            assert not isinstance(term, ox.BlankNode), (name, var)
            if var in SOURCE_COLUMNS:
                assert term.value in sources, (name, var, term)
            elif var in PLACE_COLUMNS and isinstance(term, ox.Literal):
                assert term.value in places, (name, var, term)
            elif var in YEAR_COLUMNS:
                assert isinstance(term, ox.Literal) and re.fullmatch(r"\d{4}", term.value)
                assert 1990 <= int(term.value) <= 2100, (name, var, term)
            elif var in COUNT_COLUMNS:
                assert term.datatype == ox.NamedNode(XSD + "integer") and int(term.value) > 0


@pytest.mark.real_seeds
def test_sources_and_claims_by_kind_agree_with_the_seed_files(store: ox.Store) -> None:
    def rows(name: str) -> list[tuple[str, ...]]:
        query = next(q for q in named_queries() if q.name == name)
        result = run_query(store, query.text, origin=query.origin)
        return [tuple(t.value if t is not None else "" for t in row) for row in result.rows]

    sources = rows("sources")
    assert [r[0] for r in sources] == [sid for sid, _ in seed_files(SEEDS)]
    by_kind: dict[str, int] = {}
    for source, _kind, claims in rows("claims-by-kind"):
        by_kind[source] = by_kind.get(source, 0) + int(claims)
    # every claim has exactly one kind besides kg:Assertion
    assert by_kind == {r[0]: int(r[-1]) for r in sources}


@pytest.mark.real_seeds
def test_every_seed_file_names_a_source_text_that_is_there(sources_dir: Path) -> None:
    for source, text in seed_files(SEEDS):
        assert (sources_dir / text).is_file(), f"{source}: {text} is not in {sources_dir}"


def _corpus_with_one_more_source(root: Path) -> tuple[Path, Path]:
    """(seeds, sources): the real seeds and texts plus one generated source."""
    seeds, sources = root / "seeds", root / "sources"
    shutil.copytree(SEEDS, seeds, ignore=shutil.ignore_patterns(".*"))
    shutil.copytree(SOURCES, sources, ignore=shutil.ignore_patterns(".*"))
    generated = root / "generated"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "generate.py"),
            "--countries",
            "1",
            "--years",
            "1",
            "--seed",
            "13",
            str(generated),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (added,) = sorted((generated / "seeds").glob("*.yaml"))
    assert not (seeds / added.name).exists()
    shutil.copy(added, seeds / added.name)
    for text in (generated / "sources").iterdir():
        shutil.copy(text, sources / text.name)
    return seeds, sources


def _pytest(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-m",
            "real_seeds",
            *args,
            "tests",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_property_tests_pass_with_one_more_source(tmp_path: Path) -> None:
    assert have_sources(), f"the source texts are not at {SOURCES}"
    seeds, sources = _corpus_with_one_more_source(tmp_path)
    exports = tmp_path / "exports"
    # what a curator does after adding a source: rebuild (and commit) the exports
    for args in (("build", "--out", str(exports)), ("flows", "report", "--out", str(exports))):
        done = run_kg(*args, "--seeds", str(seeds), "--sources", str(sources))
        assert done.returncode == 0, done.stderr
    env = {
        "KG_TEST_SEEDS": str(seeds),
        "KG_TEST_SOURCES": str(sources),
        "KG_SOURCES": str(sources),
        "KG_TEST_EXPORTS": str(exports),
    }
    # the tests do read the other corpus: against the exports of the seeds as they are,
    # the freshness check fails
    stale = _pytest(
        {**env, "KG_TEST_EXPORTS": str(ROOT / "exports")}, "-k", "test_committed_exports_are_fresh"
    )
    assert stale.returncode == 1 and "1 failed" in stale.stdout, stale.stdout[-3000:]
    assert "exports/ is stale" in stale.stdout
    done = _pytest(env)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    passed = re.search(r"(\d+) passed", done.stdout)
    assert passed and int(passed[1]) >= 40, done.stdout[-2000:]
    assert "failed" not in done.stdout and "error" not in done.stdout.lower()
