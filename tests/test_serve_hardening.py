"""Issue 12, the server's share: a read-only endpoint that stays read-only and up.

Every test runs the real `kg` command or a real `kg serve` on 127.0.0.1, started here,
with bounded waits. The probes at the end are the standing reliability suite for the
server: SSRF, bad parameters, slow clients and concurrency.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from kg.query import check_query_depth, service_clauses
from tests.conftest import ROOT
from tests.servers import Scripted, free_port, run_kg_serve

DEEP = "ASK " + "{" * 5000 + "}" * 5000


# --- item 10: over-deep queries are refused before the parser -------------------------


@pytest.mark.parametrize("where", ["embedded", "endpoint"])
def test_issue12_query_nested_5000_deep_is_refused(tmp_path: Path, where: str) -> None:
    query = tmp_path / "deep.rq"
    query.write_text(DEEP, encoding="utf-8")
    extra = (
        ["--endpoint", f"http://127.0.0.1:{free_port()}/sparql", "--retries", "0"]
        if where == "endpoint"
        else []
    )
    result = subprocess.run(
        [sys.executable, "-m", "kg", "query", *extra, str(query)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith(f"{query}:1:205: error: the query nests deeper than 200 levels")


CHAINS = {  # each 10,000 long: a segmentation fault on an 8 MB stack
    "not": "ASK { FILTER(" + "!" * 10_000 + "true) }",
    "or": "ASK { FILTER(" + " || ".join(["true"] * 10_000) + ") }",
    "union": "ASK { " + " UNION ".join(["{}"] * 10_000) + " }",
}


@pytest.mark.parametrize("name", list(CHAINS))
def test_long_flat_chains_do_not_crash_kg_query(tmp_path: Path, name: str) -> None:
    query = tmp_path / f"{name}.rq"
    query.write_text(CHAINS[name], encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "kg", "query", str(query)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode, result.stdout) == (0, "true\n"), result.stderr


def test_query_longer_than_50000_tokens_is_refused(tmp_path: Path) -> None:
    query = tmp_path / "long.rq"
    query.write_text("ASK { FILTER(" + "!" * 60_000 + "true) }", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "kg", "query", str(query)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr == (
        f"{query}:1:50010: error: the query is longer than 50,000 tokens "
        "(hint: split it into several queries; the parser would run "
        "out of stack)\n"
    )


def test_brackets_in_strings_iris_and_comments_do_not_count() -> None:
    text = (
        'ASK { FILTER("' + "{" * 300 + '") } # ' + "(" * 300 + "\n" + "<http://x/" + "[" * 300 + ">"
    )
    check_query_depth(text)  # no error
    with pytest.raises(Exception, match="deeper than 200"):
        check_query_depth("SELECT * { FILTER(" + "(" * 201 + "1" + ")" * 201 + ") }")


def test_query_nested_within_the_limit_still_runs(kg) -> None:  # type: ignore[no-untyped-def]
    result = kg("query", "--", "ASK " + "{" * 150 + "}" * 150)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "true\n"


# --- item 1: SERVICE found by its tokens ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "targets"),
    [
        ('SELECT * { ?s ?p "SERVICE <http://x/> {}" }', []),
        ("SELECT * { ?s ?p '''\nSERVICE <http://x/> {}\n''' }", []),
        ("SELECT * { ?s ?p ?o } # SERVICE <http://x/> {}", []),
        ("SELECT ?service { ?service kg:serviceArea <http://x/SERVICE> }", []),
        ("SELECT * { SERVICE <http://a/sparql> { ?s ?p ?o } }", ["<http://a/sparql>"]),
        ("select * { service silent <http://a/sparql> { ?s ?p ?o } }", ["<http://a/sparql>"]),
        ("SELECT * { ?s ?p 1SERVICE <http://a/> {} }", ["<http://a/>"]),  # Oxigraph reads this
        ("SELECT * { ?s ?p ?o SERVICE ?where { ?s ?p ?o } }", ["?where"]),
        ("SELECT * { SERVICE ex:endpoint { ?s ?p ?o } }", ["ex:endpoint"]),
        ('SELECT * { ?s ?p "a\\" SERVICE" SERVICE <http://b/> {} }', ["<http://b/>"]),
        ("SELECT * { ?s ?p ex:a\\#b SERVICE <http://c/> {} }", ["<http://c/>"]),
        ("SELECT * { <http://x\\u0041#f> ?p ?o SERVICE <http://d/> {} }", ["<http://d/>"]),
    ],
)
def test_issue12_service_clauses_are_found_by_tokens(text: str, targets: list[str]) -> None:
    assert [c.target for c in service_clauses(text)] == targets


def test_issue12_service_endpoint_resolves_escapes() -> None:
    (clause,) = service_clauses("SELECT * { SERVICE <http://\\u0061/s> {} }")
    assert clause.endpoint == "http://a/s" and (clause.line, clause.col) == (1, 12)
    (relative,) = service_clauses("SELECT * { SERVICE <sparql> {} }")
    assert relative.endpoint is None


# --- a real kg serve, and a real server it must not be made to call ----------------------

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
COUNTRIES = (
    "PREFIX kg: <https://w3id.org/tip-kg/ontology#> "
    'SELECT DISTINCT ?c WHERE { ?c a kg:Country ; kg:isoAlpha3 "KAZ" }'
)
REMOTE_ROW = {
    "head": {"vars": ["x"]},
    "results": {"bindings": [{"x": {"type": "literal", "value": "from afar"}}]},
}


def _remote(handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, dict[str, str], bytes]:
    if handler.path.startswith("/sparql"):
        return (
            200,
            {"Content-Type": "application/sparql-results+json"},
            json.dumps(REMOTE_ROW).encode(),
        )
    return 200, {"Content-Type": "text/html"}, b"<html>not SPARQL</html>"


@pytest.fixture(scope="module")
def remote() -> Iterator[Scripted]:
    """A server on 127.0.0.1 that records every request (an internal service, say)."""
    with Scripted(_remote) as server:
        yield server


@contextlib.contextmanager
def serving(data: Path, workdir: Path, *extra: str) -> Iterator[tuple[str, Path]]:
    """`kg serve` on a free port for the length of a `with` block: (URL, log file)."""
    yield from run_kg_serve(data, workdir, *extra)


def call(
    url: str,
    query: str | None = None,
    *,
    timeout: float = 60,
    method: str = "GET",
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    **params: str,
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of one request; HTTP errors are answers too."""
    fields = [("query", query)] if query is not None else []
    fields += [(k.replace("_", "-"), v) for k, v in params.items()]
    target = url + ("?" + urllib.parse.urlencode(fields) if fields else "")
    request = urllib.request.Request(target, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.fixture(scope="module")
def plain(fixture_built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """kg serve as it starts by default, with short timeouts to keep the tests short, over
    the fixture corpus (its size does not change when a source is added to seeds/)."""
    workdir = tmp_path_factory.mktemp("serve-plain")
    with serving(
        fixture_built / "tip-kg.nq", workdir, "--timeout", "6", "--client-timeout", "2"
    ) as (url, _):
        yield url


# --- item 1: SERVICE is refused, unless the endpoint is on the allow-list ---------------


@pytest.mark.parametrize(
    "form",
    [
        "SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?x ?y ?z }} }}",
        "select * where {{ service silent <{url}/sparql> {{ ?x ?y ?z }} }}",
        "SELECT * WHERE {{ VALUES ?e {{ <{url}/sparql> }} SERVICE ?e {{ ?x ?y ?z }} }}",
        "PREFIX r: <{url}/> SELECT * WHERE {{ SERVICE r:sparql {{ ?x ?y ?z }} }}",
        "ASK {{ ?s ?p 1SERVICE <{url}/sparql> {{ }} }}",
    ],
)
def test_issue12_serve_refuses_service(plain: str, remote: Scripted, form: str) -> None:
    before = len(remote.requests)
    query = form.format(url=remote.url)
    for reply in (
        call(plain, query),
        call(
            plain,
            method="POST",
            data=query.encode(),
            headers={"Content-Type": "application/sparql-query"},
        ),
    ):
        status, _, body = reply
        assert status == 400, body
        assert b"SERVICE" in body and b"refused" in body
    time.sleep(0.2)  # a fetch, had one been made, would have arrived by now
    assert len(remote.requests) == before, remote.requests[before:]


def test_service_words_in_strings_are_not_service(plain: str) -> None:
    status, _, body = call(
        plain,
        'ASK { FILTER("SERVICE <http://127.0.0.1/> {}" != "") } # SERVICE <http://127.0.0.1/> {}',
    )
    assert status == 200 and json.loads(body)["boolean"] is True


@pytest.fixture(scope="module")
def federated(
    built: Path, tmp_path_factory: pytest.TempPathFactory, remote: Scripted
) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("serve-federated")
    with serving(
        built / "tip-kg.nq",
        workdir,
        "--timeout",
        "6",
        "--workers",
        "1",
        "--allow-service",
        remote.url + "/sparql",
        "--allow-service",
        remote.url + "/html",
    ) as (url, _):
        yield url


def test_issue12_serve_allow_service_fetches_only_listed(federated: str, remote: Scripted) -> None:
    before = len(remote.requests)
    status, _, body = call(
        federated, f"SELECT ?x {{ SERVICE <{remote.url}/sparql> {{ ?x ?y ?z }} }}"
    )
    assert status == 200, body
    assert json.loads(body)["results"]["bindings"] == REMOTE_ROW["results"]["bindings"]
    assert [r[1] for r in remote.requests[before:]] == ["/sparql"]
    for query in (
        f"SELECT * {{ SERVICE <{remote.url}/other> {{ ?x ?y ?z }} }}",
        f"SELECT * {{ BIND(<{remote.url}/sparql> AS ?e) SERVICE ?e {{ ?x ?y ?z }} }}",
    ):
        status, _, body = call(federated, query)
        assert status == 400 and b"refused" in body, body
    assert (
        f"<{remote.url}/other>".encode()
        in call(federated, f"SELECT * {{ SERVICE <{remote.url}/other> {{ ?x ?y ?z }} }}")[2]
    )
    time.sleep(0.2)
    assert len(remote.requests) == before + 1


def test_issue12_serve_service_to_non_sparql_url_keeps_worker(
    federated: str, remote: Scripted
) -> None:
    # one worker only: the query after the failure is answered by the same process
    status, _, body = call(federated, f"SELECT * {{ SERVICE <{remote.url}/html> {{ ?x ?y ?z }} }}")
    assert status == 502, body
    assert b"timeout" not in body and b"text/html" in body
    status, _, body = call(federated, COUNTRIES)
    assert status == 200 and b"KAZ" in body


# --- item 7: a request does not kill a worker; errors do not reload the graph -----------

BAD_REQUESTS = {
    "default-graph-uri not an IRI": dict(query="ASK {}", default_graph_uri="not an iri"),
    "named-graph-uri not an IRI": dict(query="ASK {}", named_graph_uri="<x>"),
    "query nested 5,000 deep": dict(query=DEEP),
}


def test_long_flat_chain_is_answered_by_kg_serve(plain: str) -> None:
    status, _, body = call(
        plain,
        method="POST",
        data=CHAINS["union"].encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert status == 200 and json.loads(body)["boolean"] is True


@pytest.mark.parametrize("name", list(BAD_REQUESTS))
def test_issue12_serve_bad_parameters_are_400(plain: str, name: str) -> None:
    fields = BAD_REQUESTS[name]
    status, _, body = call(plain, **fields)  # type: ignore[arg-type]
    assert status == 400, (status, body)
    assert b"timeout" not in body
    assert call(plain, COUNTRIES)[0] == 200  # and the server answers the next query


def test_issue12_serve_bad_content_length_is_400(plain: str) -> None:
    host, port = urllib.parse.urlsplit(plain).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: many\r\n"
            b"Content-Type: application/sparql-query\r\n\r\nASK {}"
        )
        assert sock.recv(100).startswith(b"HTTP/1.1 400")
    assert call(plain, COUNTRIES)[0] == 200


def test_issue12_serve_error_does_not_reload_the_graph(built: Path, tmp_path: Path) -> None:
    data = tmp_path / "tip-kg.nq"
    shutil.copy(built / "tip-kg.nq", data)
    with serving(data, tmp_path, "--timeout", "2", "--workers", "1") as (url, _):
        data.unlink()  # a worker that had to load the graph again could not
        status, _, body = call(url, SLOW)
        assert status == 503 and b"timeout" in body
        status, _, body = call(url, "ASK {}", default_graph_uri="not an iri")
        assert status == 400
        status, _, body = call(url, COUNTRIES)
        assert status == 200 and b"KAZ" in body


# --- item 8: slow queries do not block cheap ones; a full line is a 503 -----------------


def _in_background(url: str, query: str) -> tuple[threading.Thread, list[int]]:
    statuses: list[int] = []

    def ask() -> None:
        try:
            statuses.append(call(url, query)[0])
        except OSError:  # the server went away: no status
            statuses.append(-1)

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    return thread, statuses


def test_issue12_two_slow_queries_do_not_block_ask(built: Path, tmp_path: Path) -> None:
    with serving(built / "tip-kg.nq", tmp_path, "--timeout", "10") as (url, _):
        slow = [_in_background(url, SLOW) for _ in range(2)]
        time.sleep(1)  # let both reach a worker
        status, _, body = call(url, "ASK {}", timeout=30)
        still_running = [thread.is_alive() for thread, _ in slow]
        assert status == 200 and json.loads(body)["boolean"] is True
        assert still_running == [True, True]  # answered while both slow ones still ran
        for thread, statuses in slow:
            thread.join(30)
            assert statuses == [503]


def test_issue12_full_queue_answers_503_retry_after(built: Path, tmp_path: Path) -> None:
    with serving(
        built / "tip-kg.nq", tmp_path, "--timeout", "6", "--workers", "1", "--queue", "0"
    ) as (url, _):
        thread, _ = _in_background(url, SLOW)
        time.sleep(2)  # let it take the one worker
        status, headers, body = call(url, "ASK {}", timeout=30)
        assert thread.is_alive()
        assert status == 503 and b"busy" in body
        assert int(headers["Retry-After"]) >= 1
        thread.join(30)
        assert call(url, "ASK {}")[0] == 200


# --- item 9: slow and idle clients are dropped; connections are limited -----------------


def _address(url: str) -> tuple[str, int]:
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    return host, int(port)


def _closed(sock: socket.socket, seconds: float = 15) -> bool:
    """Whether the server closes `sock` within `seconds` (reading whatever it says)."""
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except OSError:
        pass
    return True


def test_issue12_slowloris_client_is_dropped(plain: str) -> None:
    with socket.create_connection(_address(plain), timeout=10) as sock:
        sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
        dropped = False
        for _ in range(40):  # a header line every 0.5 s, for at most 20 s
            try:
                sock.sendall(b"X-Slow: 1\r\n")
            except OSError:
                dropped = True
                break
            sock.settimeout(0.5)
            try:
                if sock.recv(4096) == b"":
                    dropped = True
                    break
            except TimeoutError:
                pass
        assert dropped, "a client that never finishes its header is never dropped"
    assert call(plain, "ASK {}")[0] == 200


def test_issue12_idle_connections_are_closed(plain: str) -> None:
    idle = [socket.create_connection(_address(plain), timeout=10) for _ in range(40)]
    try:
        assert call(plain, COUNTRIES)[0] == 200  # 40 idle connections take nothing away
        assert all(_closed(sock) for sock in idle)
    finally:
        for sock in idle:
            sock.close()


def test_issue12_connection_limit_answers_503(built: Path, tmp_path: Path) -> None:
    with serving(
        built / "tip-kg.nq", tmp_path, "--max-connections", "4", "--client-timeout", "2"
    ) as (url, _):
        idle = [socket.create_connection(_address(url), timeout=10) for _ in range(4)]
        try:
            time.sleep(0.5)  # all four accepted
            with socket.create_connection(_address(url), timeout=10) as extra:
                extra.settimeout(10)
                assert extra.recv(200).startswith(b"HTTP/1.1 503")
            assert all(_closed(sock) for sock in idle)
        finally:
            for sock in idle:
                sock.close()
        assert call(url, "ASK {}")[0] == 200  # the idle ones gone, there is room again


# --- the standing probes: every bad request is a 4xx, and the server stays up -----------

PROBES = [
    ("GET", "/sparql?query=+", {}, b"", 400),
    ("GET", "/sparql?query=SELECT+WHERE+%7B", {}, b"", 400),
    ("GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", {}, b"", 400),
    ("GET", "/sparql", {}, b"", 400),
    ("GET", "/nothing?query=ASK%7B%7D", {}, b"", 404),
    ("PUT", "/sparql", {"Content-Type": "text/turtle"}, b"<a> <b> <c> .", 405),
    ("POST", "/sparql", {"Content-Type": "text/plain"}, b"ASK {}", 415),
    ("POST", "/sparql", {"Content-Type": "application/sparql-update"}, b"DROP ALL", 403),
    ("GET", "/sparql?query=ASK%7B%7D", {"Accept": "image/png"}, b"", 406),
]


@pytest.mark.parametrize(("method", "path", "headers", "body", "expected"), PROBES)
def test_probe_bad_request_is_answered_and_server_stays_up(
    plain: str, method: str, path: str, headers: dict[str, str], body: bytes, expected: int
) -> None:
    base = plain.removesuffix("/sparql")
    status, _, _ = call(base + path, method=method, data=body or None, headers=headers)
    assert status == expected
    assert call(plain, COUNTRIES)[0] == 200


def test_probe_concurrent_clients_all_answered(plain: str) -> None:
    # more clients at once than workers: each is answered, in a bounded time
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(call(plain, COUNTRIES)[0]))
        for _ in range(24)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results == [200] * 24


def test_query_of_a_client_that_hung_up_is_stopped(built: Path, tmp_path: Path) -> None:
    # one worker and a long timeout: only stopping the abandoned query frees the worker
    with serving(built / "tip-kg.nq", tmp_path, "--timeout", "60", "--workers", "1") as (url, _):
        with contextlib.suppress(TimeoutError, urllib.error.URLError):
            call(url, SLOW, timeout=1)
        status, _, body = call(url, "ASK {}", timeout=30)
        assert status == 200 and json.loads(body)["boolean"] is True


def test_workers_end_with_a_killed_server(built: Path, tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kg",
            "serve",
            "--data",
            str(built / "tip-kg.nq"),
            "--port",
            str(port),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/sparql"
        for _ in range(300):
            with contextlib.suppress(OSError):
                if call(url, "ASK {}", timeout=2)[0] == 200:
                    break
            time.sleep(0.2)
        family = _descendants(process.pid)
        assert len(family) >= 5  # the loader and four workers
        _in_background(url, SLOW)  # one worker busy, reading nothing
        time.sleep(0.5)
    finally:
        process.kill()
        process.wait(20)
    for _ in range(100):  # at most 10 s
        if not any(Path(f"/proc/{pid}").exists() and _alive(pid) for pid in family):
            break
        time.sleep(0.1)
    assert [pid for pid in family if _alive(pid)] == []


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _descendants(root: int) -> set[int]:
    pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
    family: set[int] = set()
    frontier = {root}
    while frontier:
        children = {pid for pid in pids if _parent(pid) in frontier} - family
        family |= children
        frontier = children
    return family
