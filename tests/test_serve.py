"""`kg serve` over HTTP with a real client (urllib), against a server this test starts.

The server serves the fixture corpus's export (tests/fixtures).
"""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.endpoint import query_endpoint
from tests.servers import QUERIES, answer_set, run_kg_serve

COUNTRIES = (
    "PREFIX kg: <https://w3id.org/tip-kg/ontology#> "
    'SELECT DISTINCT ?c WHERE { ?c a kg:Country ; kg:isoAlpha3 "KAZ" }'
)
KAZ = "https://w3id.org/tip-kg/id/country/KAZ"


@pytest.fixture(scope="module")
def endpoint(fixture_built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("serve")
    for url, _ in run_kg_serve(fixture_built / "tip-kg.nq", workdir, "--timeout", "2"):
        yield url


def _get(url: str, query: str, accept: str | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(
        url + "?" + urllib.parse.urlencode({"query": query}),
        headers={"Accept": accept} if accept else {},
    )
    return _open(request)


def _open(request: urllib.request.Request) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get_content_type(), exc.read()


def test_get_answers_json_by_default(endpoint: str) -> None:
    status, media, body = _get(endpoint, COUNTRIES)
    assert (status, media) == (200, "application/sparql-results+json")
    rows = json.loads(body)["results"]["bindings"]
    assert rows == [{"c": {"type": "uri", "value": KAZ}}]


@pytest.mark.parametrize(
    ("accept", "media", "expected"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml", f"<uri>{KAZ}</uri>"),
        ("text/csv", "text/csv", f"c\r\n{KAZ}\r\n"),
        ("text/tab-separated-values", "text/tab-separated-values", f"?c\n<{KAZ}>\n"),
        (
            "text/csv;q=0.5, application/sparql-results+json",
            "application/sparql-results+json",
            '"value":"' + KAZ,
        ),
    ],
)
def test_content_negotiation(endpoint: str, accept: str, media: str, expected: str) -> None:
    status, got, body = _get(endpoint, COUNTRIES, accept)
    assert (status, got) == (200, media)
    assert expected in body.decode()


def test_post_query_forms(endpoint: str) -> None:
    direct = urllib.request.Request(
        endpoint,
        data=COUNTRIES.encode(),
        method="POST",
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    assert _open(direct) == (200, "text/csv", f"c\r\n{KAZ}\r\n".encode())
    form = urllib.request.Request(
        endpoint,
        data=urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}).encode(),
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    status, _, body = _open(form)
    assert status == 200 and json.loads(body) == {"head": {}, "boolean": True}


def test_construct_as_turtle(endpoint: str) -> None:
    query = f"CONSTRUCT WHERE {{ <{KAZ}> ?p ?o }}"
    status, media, body = _get(endpoint, query, "text/turtle")
    assert (status, media) == (200, "text/turtle")
    triples = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
    assert triples and all(t.subject == ox.NamedNode(KAZ) for t in triples)


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://x> <http://y> <http://z> }",
        "DELETE WHERE { ?s ?p ?o }",
        "DROP ALL",
    ],
)
def test_updates_are_refused_with_403(endpoint: str, update: str) -> None:
    as_query = _get(endpoint, update)
    as_update = _open(
        urllib.request.Request(
            endpoint,
            data=urllib.parse.urlencode({"update": update}).encode(),
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    )
    as_body = _open(
        urllib.request.Request(
            endpoint,
            data=update.encode(),
            method="POST",
            headers={"Content-Type": "application/sparql-update"},
        )
    )
    for status, _, body in (as_query, as_update, as_body):
        assert status == 403 and b"read-only" in body
    # and the graph is still whole
    assert _get(endpoint, COUNTRIES)[2].count(KAZ.encode()) == 1


def test_bad_requests(endpoint: str) -> None:
    status, _, body = _get(endpoint, "SELECT WHERE {")
    assert status == 400 and b"syntax error" in body
    assert _get(endpoint, COUNTRIES, "image/png")[0] == 406
    assert _open(urllib.request.Request(endpoint.replace("/sparql", "/nothing")))[0] == 404
    assert _open(urllib.request.Request(endpoint, data=b"x", method="PUT"))[0] == 405


def test_a_query_past_the_timeout_is_stopped(endpoint: str) -> None:
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    status, _, body = _get(endpoint, endless)
    assert status == 503 and b"timeout" in body
    # the worker was replaced: the endpoint still answers
    assert _get(endpoint, COUNTRIES)[0] == 200


def test_competency_queries_answer_as_through_the_library(
    endpoint: str, fixture_built: Path
) -> None:
    store = ox.Store()
    store.bulk_extend(ox.parse(path=fixture_built / "tip-kg.nq", format=ox.RdfFormat.N_QUADS))
    for path in QUERIES:
        sparql = path.read_text(encoding="utf-8")
        expected = answer_set(store.query(sparql, use_default_graph_as_union=True))
        assert expected, path.name  # the fixtures give every question an answer
        assert answer_set(query_endpoint(endpoint, sparql)) == expected, path.name
        status, media, body = _get(endpoint, sparql, "text/csv")
        assert (status, media) == (200, "text/csv")
        assert len(list(csv.reader(io.StringIO(body.decode())))) - 1 == len(expected)
