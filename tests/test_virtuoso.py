"""`kg load` into a real Virtuoso Open Source 7 server: Digest auth, counts, queries.

The data is the fixture corpus's export (tests/fixtures), as in tests/test_load.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import load_graph
from kg.endpoint import count_triples, query_endpoint
from tests.conftest import FIXTURE_SEEDS, FIXTURE_SOURCES, run_kg
from tests.servers import QUERIES, Server, answer_set, embedded_answer, run_virtuoso
from tests.test_load import GRAPH_A, GRAPH_B, GRAPH_C, ONTOLOGY, _graph_counts, smaller_file

DBA = {"KG_ENDPOINT_USER": "dba", "KG_ENDPOINT_PASSWORD": "dba"}


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from run_virtuoso(tmp_path_factory.mktemp("virtuoso"))


def _load(server: Server, *args: str) -> dict[str, object]:
    result = run_kg("load", "--server", "virtuoso", server.base, "--format", "json", *args, env=DBA)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_load_count_and_every_competency_query(virtuoso: Server, fixture_built: Path) -> None:
    data = fixture_built / "tip-kg.nq"
    report = _load(virtuoso, "--data", str(data))
    assert {g["graph"]: g["after"] for g in report["graphs"]} == _graph_counts(data)
    embedded = load_graph(FIXTURE_SEEDS, FIXTURE_SOURCES, cache_dir=False)
    assert QUERIES
    for path in QUERIES:
        sparql = path.read_text(encoding="utf-8")
        mine = embedded_answer(embedded, sparql)
        assert mine, path.name  # the fixtures give every question an answer
        assert answer_set(query_endpoint(virtuoso.query, sparql)) == mine, path.name
    ask = query_endpoint(virtuoso.query, f"ASK {{ GRAPH <{GRAPH_A}> {{ ?s ?p ?o }} }}")
    assert isinstance(ask, ox.QueryBoolean) and bool(ask)


def test_reload_and_replace_one_source(
    virtuoso: Server, fixture_built: Path, tmp_path: Path
) -> None:
    data = fixture_built / "tip-kg.nq"
    counts = _graph_counts(data)
    again = _load(virtuoso, "--data", str(data))
    assert all(
        g["before"] == g["after"] == counts[g["graph"]]  # type: ignore[index]
        for g in again["graphs"]
    )  # type: ignore[union-attr]
    _load(virtuoso, "--data", str(smaller_file(tmp_path, data, GRAPH_B, 200)))
    assert count_triples(virtuoso.query, GRAPH_B) == 200
    assert count_triples(virtuoso.query, GRAPH_A) == counts[GRAPH_A]
    assert count_triples(virtuoso.query, GRAPH_C) == counts[GRAPH_C]
    assert count_triples(virtuoso.query, ONTOLOGY) == counts[ONTOLOGY]


def test_wrong_or_missing_credentials(virtuoso: Server, fixture_built: Path) -> None:
    for env in (
        {"KG_ENDPOINT_USER": "dba", "KG_ENDPOINT_PASSWORD": "not-the-password"},
        {"KG_ENDPOINT_USER": "", "KG_ENDPOINT_PASSWORD": ""},
    ):
        result = run_kg(
            "load",
            "--server",
            "virtuoso",
            virtuoso.base,
            "--retries",
            "0",
            "--data",
            str(fixture_built / "tip-kg.nq"),
            env=env,
        )
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "HTTP 401" in lines[0], result.stderr
        assert virtuoso.store in lines[0] and "not-the-password" not in lines[0]
