"""Real servers for the graph-database tests, started on 127.0.0.1 and stopped after.

Also what the comparisons need: the competency queries and a way to compare two
answers as sets of rows whatever each server calls its terms.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox

from tests.conftest import ROOT

QUERIES = sorted((ROOT / "kg" / "queries").glob("*.rq"))
XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "long", "int")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 60.0) -> None:
    """Poll `url` until it answers at all (any HTTP status) or the process dies."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Server:
    """A running server: its base URL, Graph Store and query endpoints."""

    kind: str
    base: str
    store: str
    query: str


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
        "oxigraph"
    )
    if not found:
        raise RuntimeError("the oxigraph server is not installed: pip install -e '.[test]'")
    return found


def run_oxigraph(workdir: Path) -> Iterator[Server]:
    """An Oxigraph server on a free port, data in `workdir`; queries see the union graph."""
    port = free_port()
    log = workdir / "oxigraph.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                oxigraph_binary(),
                "serve",
                "--location",
                str(workdir / "db"),
                "--bind",
                f"127.0.0.1:{port}",
                "--union-default-graph",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/query?query=ASK%7B%7D", process, log)
        yield Server("oxigraph", base, base + "/store", base + "/query")
    finally:
        stop(process)


def run_kg_serve(data: Path, workdir: Path, *extra: str) -> Iterator[tuple[str, Path]]:
    """`kg serve` as a subprocess on a free port: (endpoint URL, log file)."""
    port = free_port()
    log = workdir / f"serve-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "kg", "serve", "--data", str(data), "--port", str(port), *extra],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        wait_for(url + "?query=ASK%7B%7D", process, log)
        yield url, log
    finally:
        stop(process)


# --- comparing answers -----------------------------------------------------------------

Term = tuple[str, ...]


def normalize(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Term:
    """A server-independent form of a term: numbers by value, strings with their datatype.

    Servers differ in how they write the same value ("1.0" or "1.0E0", a plain or an
    xsd:string literal); what must agree is the value.
    """
    if term is None:
        return ("unbound",)
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("blank",)
    datatype = term.datatype.value if term.datatype else XSD + "string"
    if term.language:
        return ("literal", term.value, "lang", term.language.lower())
    if datatype in _NUMERIC:
        try:
            return ("number", str(Decimal(term.value).normalize()))
        except InvalidOperation:
            pass
    return ("literal", term.value, datatype)


def answer_set(result: object) -> object:
    """An answer as something == compares: a boolean, or a set of normalized rows."""
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QueryTriples):
        return {tuple(normalize(t) for t in (x.subject, x.predicate, x.object)) for x in result}
    assert isinstance(result, ox.QuerySolutions)
    names = sorted(v.value for v in result.variables)
    return {tuple((n, normalize(row[n])) for n in names) for row in result}


def embedded_answer(store: ox.Store, sparql: str) -> object:
    """The embedded store's answer (`kg.pipeline.load_graph` gives it the union of the
    graphs as its default graph, as the servers are configured)."""
    return answer_set(store.query(sparql))


# --- scripted servers for failures a real database will not produce on demand -----------


class Scripted:
    """A stdlib HTTP server on 127.0.0.1 whose answers a test writes as a function.

    `respond(handler, body)` returns (status, headers, payload) or None to drop the
    connection without an answer. Every request is kept in `requests`.
    """

    def __init__(
        self,
        respond: Callable[
            [BaseHTTPRequestHandler, bytes], tuple[int, dict[str, str], bytes] | None
        ],
    ) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        scripted = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                scripted.requests.append((self.command, self.path, dict(self.headers)))
                answer = respond(self, body)
                if answer is None:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                status, headers, payload = answer
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _any

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Scripted:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def forward(
    target: str, handler: BaseHTTPRequestHandler, body: bytes
) -> tuple[int, dict[str, str], bytes]:
    """Pass one request on to `target` (a real server) and bring its answer back."""
    headers = {k: v for k, v in handler.headers.items() if k.lower() in ("content-type", "accept")}
    request = urllib.request.Request(
        target + handler.path, data=body or None, method=handler.command, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return (
                response.status,
                {"Content-Type": response.headers["Content-Type"] or ""},
                response.read(),
            )
    except urllib.error.HTTPError as exc:
        return exc.code, {"Content-Type": "text/plain"}, exc.read()


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
ServerThreads = 10
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 4
MaxKeepAlives = 10
KeepAliveTimeout = 10
HTTPThreadSize = 280000
HttpTimeout = 300

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""


def run_virtuoso(workdir: Path) -> Iterator[Server]:
    """Virtuoso 7 on 127.0.0.1 with a new database in `workdir` (user dba, password dba).

    Loads go through /sparql-graph-crud-auth (Digest auth); the anonymous
    /sparql-graph-crud would need SPARQL_UPDATE granted to everyone, which no one should do.
    """
    binary = shutil.which("virtuoso-t")
    if not binary:
        raise RuntimeError(
            "virtuoso-t is not installed: make test installs virtuoso-opensource-7-bin with apt-get"
        )
    http_port = free_port()
    ini = workdir / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=workdir, sql_port=free_port(), http_port=http_port))
    log = workdir / "virtuoso.out"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "+configfile", str(ini), "+foreground"],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=workdir,
        )
    base = f"http://127.0.0.1:{http_port}"
    try:
        wait_for(base + "/sparql?query=ASK%7B%7D", process, log, seconds=120)
        yield Server("virtuoso", base, base + "/sparql-graph-crud-auth", base + "/sparql")
    finally:
        stop(process)
