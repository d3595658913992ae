"""`kg load` into a real Oxigraph server, and every way a load can fail.

The data loaded is the fixture corpus's export (tests/fixtures): three sources, so three
named graphs and the ontology's.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import load_graph
from kg.compare import COMPARISONS_GRAPH
from kg.endpoint import Client, count_triples, query_endpoint
from tests.conftest import FIXTURE_SEEDS, FIXTURE_SOURCES, run_kg
from tests.servers import (
    QUERIES,
    Scripted,
    Server,
    answer_set,
    embedded_answer,
    forward,
    run_oxigraph,
)

GRAPH_A = "https://w3id.org/tip-kg/id/graph/fx-monitor-2006"
GRAPH_B = "https://w3id.org/tip-kg/id/graph/fx-review-2008"
GRAPH_C = "https://w3id.org/tip-kg/id/graph/fx-bulletin-2009"
ONTOLOGY = "https://w3id.org/tip-kg/ontology"
FIXTURES = ("--seeds", str(FIXTURE_SEEDS), "--sources", str(FIXTURE_SOURCES))


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[Server]:
    yield from run_oxigraph(tmp_path)


@pytest.fixture(scope="session")
def embedded() -> ox.Store:
    return load_graph(FIXTURE_SEEDS, FIXTURE_SOURCES, cache_dir=False)


def _graph_counts(data: Path) -> dict[str, int]:
    counts: dict[str, set[tuple[object, ...]]] = {}
    for q in ox.parse(path=data, format=ox.RdfFormat.N_QUADS):
        counts.setdefault(q.graph_name.value, set()).add((q.subject, q.predicate, q.object))
    return {g: len(t) for g, t in counts.items()}


def _load(server: Server, *args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    result = run_kg(
        "load", "--store", server.store, "--query", server.query, "--format", "json", *args, env=env
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_load_counts_every_graph_and_answers_like_the_embedded_store(
    oxigraph: Server, fixture_built: Path, embedded: ox.Store
) -> None:
    data = fixture_built / "tip-kg.nq"
    report = _load(oxigraph, "--data", str(data))
    expected = _graph_counts(data)
    assert {g["graph"]: g["after"] for g in report["graphs"]} == expected
    assert {g["graph"]: g["triples"] for g in report["graphs"]} == expected
    # each source's graph, the ontology's, and the comparisons' (sources A and B meet)
    assert set(expected) == {GRAPH_A, GRAPH_B, GRAPH_C, ONTOLOGY, COMPARISONS_GRAPH}
    assert report["method"] == "PUT"
    # every competency query answers on the server as on the embedded store
    assert QUERIES, "no competency queries in kg/queries"
    for path in QUERIES:
        sparql = path.read_text(encoding="utf-8")
        assert sparql.startswith("# "), f"{path.name} does not start with its question"
        mine = embedded_answer(embedded, sparql)
        theirs = answer_set(query_endpoint(oxigraph.query, sparql))
        # the fixtures give every question an answer (tests/test_queries.py has them all)
        assert mine, f"{path.name} answers nothing embedded"
        assert theirs == mine, path.name


def test_text_output_says_it_verified(oxigraph: Server, fixture_built: Path) -> None:
    result = run_kg(
        "load", "--server", "oxigraph", oxigraph.base, "--data", str(fixture_built / "tip-kg.nq")
    )
    assert result.returncode == 0, result.stderr
    wiki = _graph_counts(fixture_built / "tip-kg.nq")[GRAPH_B]
    assert f"replaced {GRAPH_B}: sent {wiki} triples in " in result.stdout
    assert f"the server counts {wiki} (before: 0)" in result.stdout
    assert "verified by COUNT at " + oxigraph.query in result.stdout
    assert "\r" not in result.stderr  # no progress bar into a pipe


def test_loading_twice_gives_the_same_counts(oxigraph: Server, fixture_built: Path) -> None:
    data = str(fixture_built / "tip-kg.nq")
    first = _load(oxigraph, "--data", data)
    second = _load(oxigraph, "--data", data)
    for a, b in zip(first["graphs"], second["graphs"], strict=True):  # type: ignore[call-overload]
        assert b["before"] == a["after"] == b["after"] == a["triples"]
    assert count_triples(oxigraph.query, None) == count_triples(oxigraph.query, None)


def test_replacing_one_source_leaves_the_others_intact(
    oxigraph: Server, fixture_built: Path, tmp_path: Path
) -> None:
    data = fixture_built / "tip-kg.nq"
    _load(oxigraph, "--data", str(data))
    wiki_lines = [line for line in data.read_text().splitlines() if f"<{GRAPH_B}> ." in line]
    smaller = tmp_path / "wiki-only.nq"
    smaller.write_text("\n".join(wiki_lines[:100]) + "\n")
    report = _load(oxigraph, "--data", str(smaller))
    assert [(g["graph"], g["before"], g["after"]) for g in report["graphs"]] == [
        (GRAPH_B, _graph_counts(data)[GRAPH_B], 100)
    ]
    assert count_triples(oxigraph.query, GRAPH_A) == _graph_counts(data)[GRAPH_A]
    assert count_triples(oxigraph.query, ONTOLOGY) == _graph_counts(data)[ONTOLOGY]
    assert count_triples(oxigraph.query, GRAPH_B) == 100


def test_one_graph_and_append(oxigraph: Server, fixture_built: Path, tmp_path: Path) -> None:
    data = fixture_built / "tip-kg.nq"
    everything = "http://example.org/everything"
    report = _load(oxigraph, "--data", str(data), "--graph", everything)
    distinct = len(
        {
            (q.subject, q.predicate, q.object)
            for q in ox.parse(path=data, format=ox.RdfFormat.N_QUADS)
        }
    )
    assert [(g["graph"], g["after"]) for g in report["graphs"]] == [(everything, distinct)]
    # --append adds (POST): source A's triples into a graph that has other triples
    tip_only = tmp_path / "tip.nq"
    tip_only.write_text(
        "".join(line + "\n" for line in data.read_text().splitlines() if f"<{GRAPH_A}> ." in line)
    )
    target = "http://example.org/mixed"
    # ten of B's triples that A does not state too (the sources share places' triples)
    tip_triples = {line.rsplit(" ", 2)[0] for line in tip_only.read_text().splitlines()}
    others = [
        line
        for line in data.read_text().splitlines()
        if f"<{GRAPH_B}> ." in line and line.rsplit(" ", 2)[0] not in tip_triples
    ]
    first = tmp_path / "b-only.nq"
    first.write_text("".join(line + "\n" for line in others[:10]))
    _load(oxigraph, "--data", str(first), "--graph", target)
    report = _load(oxigraph, "--data", str(tip_only), "--graph", target, "--append")
    assert report["method"] == "POST"
    assert report["graphs"][0]["before"] == 10  # type: ignore[index]
    assert report["graphs"][0]["after"] == 10 + _graph_counts(data)[GRAPH_A]  # type: ignore[index]


def smaller_file(tmp_path: Path, data: Path, graph: str, n: int) -> Path:
    lines = [line for line in data.read_text().splitlines() if f"<{graph}> ." in line][:n]
    path = tmp_path / f"first-{n}.nq"
    path.write_text("".join(line + "\n" for line in lines))
    return path


# --- failures ----------------------------------------------------------------------------


def _fails(*args: str, env: dict[str, str] | None = None) -> str:
    result = run_kg("load", *args, env=env)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_unreachable_server_is_one_line_naming_the_endpoint(fixture_built: Path) -> None:
    from tests.servers import free_port

    port = free_port()
    line = _fails(
        "--server",
        "oxigraph",
        f"http://127.0.0.1:{port}",
        "--retries",
        "1",
        "--data",
        str(fixture_built / "tip-kg.nq"),
    )
    assert f"http://127.0.0.1:{port}/query" in line and "cannot connect" in line


def test_wrong_url_names_the_status(oxigraph: Server, fixture_built: Path) -> None:
    line = _fails(
        "--store",
        oxigraph.base + "/wrong",
        "--query",
        oxigraph.query,
        "--data",
        str(fixture_built / "tip-kg.nq"),
    )
    assert f"{oxigraph.base}/wrong" in line and "HTTP 404" in line
    # the query endpoint is asked first, so nothing was loaded
    assert count_triples(oxigraph.query, None) == 0


def test_credentials_come_from_the_environment_and_stay_out_of_messages(
    fixture_built: Path,
) -> None:
    def refuse(handler: object, body: bytes) -> tuple[int, dict[str, str], bytes]:
        auth = handler.headers.get("Authorization")  # type: ignore[attr-defined]
        if auth is None:
            return 401, {"WWW-Authenticate": 'Basic realm="kg"'}, b"who are you?"
        return 403, {"Content-Type": "text/plain"}, b"not you"

    env = {"KG_ENDPOINT_USER": "curator", "KG_ENDPOINT_PASSWORD": "s3cret-pw"}
    with Scripted(refuse) as server:
        result = run_kg(
            "load",
            "--store",
            server.url + "/store",
            "--query",
            server.url + "/query",
            "--data",
            str(fixture_built / "tip-kg.nq"),
            env=env,
        )
    assert result.returncode == 2
    assert "HTTP 403" in result.stderr and f"{server.url}/query" in result.stderr
    assert "s3cret-pw" not in result.stderr + result.stdout
    sent = [headers.get("Authorization") for _, _, headers in server.requests]
    assert "Basic Y3VyYXRvcjpzM2NyZXQtcHc=" in sent  # curator:s3cret-pw, only when asked
    assert sent[0] is None

    token = {"KG_ENDPOINT_TOKEN": "tok-123"}
    with Scripted(refuse) as server:
        line = _fails(
            "--store",
            server.url + "/store",
            "--query",
            server.url + "/query",
            "--data",
            str(fixture_built / "tip-kg.nq"),
            env=token,
        )
    assert "HTTP 403" in line and "tok-123" not in line
    assert server.requests[0][2].get("Authorization") == "Bearer tok-123"


def test_no_credentials_gives_401_with_a_hint(fixture_built: Path) -> None:
    def challenge(handler: object, body: bytes) -> tuple[int, dict[str, str], bytes]:
        return 401, {"WWW-Authenticate": 'Basic realm="kg"'}, b""

    with Scripted(challenge) as server:
        line = _fails(
            "--store",
            server.url + "/store",
            "--query",
            server.url + "/query",
            "--data",
            str(fixture_built / "tip-kg.nq"),
        )
    assert "HTTP 401" in line and "KG_ENDPOINT_USER" in line


def test_credentials_in_the_url_are_refused(fixture_built: Path) -> None:
    line = _fails(
        "--store",
        "http://bob:pw@127.0.0.1:9/store",
        "--query",
        "http://127.0.0.1:9/query",
        "--data",
        str(fixture_built / "tip-kg.nq"),
    )
    assert "pw" not in line.replace("KG_ENDPOINT_PASSWORD", "")
    assert "credentials" in line


def test_busy_server_is_retried_with_backoff(oxigraph: Server, fixture_built: Path) -> None:
    answers = iter([503, 429])

    def flaky(handler: object, body: bytes) -> tuple[int, dict[str, str], bytes]:
        status = next(answers, None)
        if status is not None:
            return status, {"Retry-After": "0"}, b"busy"
        return forward(oxigraph.base, handler, body)  # type: ignore[arg-type]

    with Scripted(flaky) as proxy:
        report = _load(
            Server("proxy", proxy.url, proxy.url + "/store", proxy.url + "/query"),
            "--data",
            str(fixture_built / "tip-kg.nq"),
        )
    assert [r[0] for r in proxy.requests[:3]] == ["POST", "POST", "POST"]
    assert report["triples"] == sum(_graph_counts(fixture_built / "tip-kg.nq").values())


def test_a_server_that_never_answers_times_out(fixture_built: Path) -> None:
    def slow(handler: object, body: bytes) -> tuple[int, dict[str, str], bytes]:
        time.sleep(3)
        return 200, {}, b""

    with Scripted(slow) as server:
        line = _fails(
            "--store",
            server.url + "/store",
            "--query",
            server.url + "/query",
            "--timeout",
            "0.5",
            "--retries",
            "0",
            "--data",
            str(fixture_built / "tip-kg.nq"),
        )
    assert "timed out after 0.5 s" in line and server.url in line


def test_a_load_cut_short_leaves_the_old_graph_whole(
    oxigraph: Server, fixture_built: Path, tmp_path: Path
) -> None:
    data = fixture_built / "tip-kg.nq"
    _load(oxigraph, "--data", str(data))

    def cut(handler: object, body: bytes) -> tuple[int, dict[str, str], bytes] | None:
        if handler.command == "PUT":  # type: ignore[attr-defined]
            # pass half of the body on, as a connection that drops mid-transfer would
            half = body[: len(body) // 2]
            half = half[: half.rfind(b"\n") + 1] + b"<http://x> <http://y> "
            forward(oxigraph.base, handler, half)  # type: ignore[arg-type]
            return None
        return forward(oxigraph.base, handler, body)  # type: ignore[arg-type]

    with Scripted(cut) as proxy:
        line = _fails(
            "--store",
            proxy.url + "/store",
            "--query",
            proxy.url + "/query",
            "--retries",
            "0",
            "--data",
            str(smaller_file(tmp_path, data, GRAPH_B, 250)),
        )
    assert "PUT" in line
    # the old graph whole: not 0, not the 125 triples that got through
    assert count_triples(oxigraph.query, GRAPH_B) == _graph_counts(data)[GRAPH_B]
    assert count_triples(oxigraph.query, GRAPH_A) == _graph_counts(data)[GRAPH_A]


def test_query_endpoint_library_function(oxigraph: Server, fixture_built: Path) -> None:
    _load(oxigraph, "--data", str(fixture_built / "tip-kg.nq"))
    client = Client(timeout=10, retries=0)
    ask = query_endpoint(
        oxigraph.query, "ASK { ?s a <https://w3id.org/tip-kg/ontology#Country> }", client=client
    )
    assert isinstance(ask, ox.QueryBoolean) and bool(ask)
    construct = query_endpoint(
        oxigraph.query,
        "CONSTRUCT WHERE { ?s a <https://w3id.org/tip-kg/ontology#Source> }",
        client=client,
    )
    assert isinstance(construct, ox.QueryTriples)
    assert len(list(construct)) == 3  # the three fixture sources


def test_kg_query_endpoint_answers_like_the_embedded_store(
    oxigraph: Server, fixture_built: Path
) -> None:
    _load(oxigraph, "--data", str(fixture_built / "tip-kg.nq"))
    names = ["law-enforcement-time-series", "onward-via-kazakhstan", "tier-placements"]
    for name in names:
        local = run_kg("query", name, "--format", "csv", *FIXTURES)
        remote = run_kg("query", name, "--format", "csv", "--endpoint", oxigraph.query)
        assert local.returncode == remote.returncode == 0, remote.stderr
        assert len(local.stdout.splitlines()) > 2, name
        assert sorted(remote.stdout.splitlines()) == sorted(local.stdout.splitlines()), name
    # --bind travels as a VALUES block, never pasted into the text
    args = ["query", "claims-about-country", "--bind", "country=country:RUS", "--format", "tsv"]
    local, remote = run_kg(*args, *FIXTURES), run_kg(*args, "--endpoint", oxigraph.query)
    assert remote.returncode == 0, remote.stderr
    assert sorted(remote.stdout.splitlines()) == sorted(local.stdout.splitlines())
    assert "Russia" in remote.stdout
    # a malformed query fails with our parser's line and column before any request
    bad = run_kg("query", "--endpoint", oxigraph.query, "--", "SELECT ?x WHERE {\n ?x ?y }")
    assert bad.returncode == 2 and "<query>:2:" in bad.stderr, bad.stderr
    # and an unreachable endpoint is one line naming it
    gone = run_kg(
        "query", "tier-placements", "--endpoint", "http://127.0.0.1:9/query", "--retries", "0"
    )
    assert gone.returncode == 2 and "127.0.0.1:9" in gone.stderr
    assert len(gone.stderr.strip().splitlines()) == 1 and "Traceback" not in gone.stderr
