"""`kg serve`: a local, read-only SPARQL 1.1 Protocol endpoint over the built graph.

The standard library's HTTP server speaks the protocol; Oxigraph parses and answers
the queries. Each query runs in a worker process holding its own in-memory copy of
the graph, so a query past the timeout is stopped for real (the process is ended and
replaced) rather than left running in a thread nobody waits for. Nothing here can
write: the workers only ever call `Store.query`, and SPARQL Update is refused with 403.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import queue
import sys
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.endpoint import GRAPH_TYPES, RESULT_TYPES
from kg.errors import InputError, UsageError
from kg.load import DEFAULT_DATA, read_graphs
from kg.query import add_union_default_graph

PATH = "/sparql"
MAX_BODY = 1 << 20  # a query longer than 1 MiB is not a query a person wrote


def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The offer the Accept header prefers (ties: the server's order); None if none fits.

    >>> offers = ["application/sparql-results+json", "text/csv"]
    >>> negotiate("text/csv;q=0.9, application/sparql-results+json;q=0.5", offers)
    'text/csv'
    >>> negotiate(None, offers)
    'application/sparql-results+json'
    >>> negotiate("text/*", offers)
    'text/csv'
    >>> negotiate("image/png", offers) is None
    True
    """
    if not accept or not accept.strip():
        return offers[0]
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((fields[0].lower(), q))
    best: tuple[float, int, str] | None = None
    for index, offer in enumerate(offers):
        kind = offer.split("/")[0]
        matching = [(3 if r == offer else 2 if r == f"{kind}/*" else 1, q)
                    for r, q in ranges if r in (offer, f"{kind}/*", "*/*")]
        if not matching:
            continue
        q = max(matching)[1]  # the most specific range decides
        if q > 0 and (best is None or (q, -index) > (best[0], best[1])):
            best = (q, -index, offer)
    return best[2] if best else None


# --- the worker process ----------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    """One query for a worker: the text, the dataset asked for and the Accept header."""

    query: str
    accept: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


def _worker(data: str, conn: multiprocessing.connection.Connection) -> None:
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object,
                              ox.NamedNode(g) if g else ox.DefaultGraph())
                      for g, triples in read_graphs(data).items() for t in triples)
    add_union_default_graph(store)
    conn.send(("ready",))
    while True:
        try:
            job: Job = conn.recv()
        except EOFError:
            return
        conn.send(answer(store, job))


def answer(store: ox.Store, job: Job) -> tuple[int, str, bytes]:
    """(HTTP status, content type, body) of one query on `store`."""
    options: dict[str, Any] = {}
    if job.default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    # else the default graph: the union of the named graphs, each triple once
    if job.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    try:
        result = store.query(job.query, **options)
    except SyntaxError as exc:
        if is_update(job.query):
            return 403, "text/plain", b"SPARQL Update is refused: this endpoint is read-only\n"
        return 400, "text/plain", f"SPARQL syntax error: {exc}\n".encode()
    except (ValueError, OSError) as exc:
        return 400, "text/plain", f"cannot run the query: {exc}\n".encode()
    types: dict[str, Any] = GRAPH_TYPES if isinstance(result, ox.QueryTriples) else RESULT_TYPES
    media = negotiate(job.accept, list(types))
    if media is None:
        return 406, "text/plain", ("not acceptable; this query can answer "
                                   + ", ".join(types) + "\n").encode()
    try:
        body = result.serialize(format=types[media])
    except (ValueError, OSError) as exc:
        return 500, "text/plain", f"the query failed: {exc}\n".encode()
    charset = "" if media.startswith("application/sparql-results") else "; charset=utf-8"
    return 200, media + charset, body or b""


def is_update(text: str) -> bool:
    """Whether `text` parses as SPARQL Update (rdflib's parser: it parses, never runs).

    >>> is_update("DELETE WHERE { ?s ?p ?o }")
    True
    >>> is_update("SELECT * WHERE { ?s ?p ?o }")
    False
    """
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except Exception:  # pyparsing's ParseException and friends: not an update
        return False
    return True


class Workers:
    """A pool of query processes; one that runs past the timeout is ended and replaced."""

    def __init__(self, data: str, size: int, timeout: float) -> None:
        self.data = data
        self.timeout = timeout
        self.context = multiprocessing.get_context("spawn")
        self.idle: queue.Queue[tuple[Any, multiprocessing.connection.Connection]] = \
            queue.Queue()
        for _ in range(size):
            self.idle.put(self._start())

    def _start(self) -> tuple[Any, multiprocessing.connection.Connection]:
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_worker, args=(self.data, child), daemon=True)
        process.start()
        child.close()
        if not parent.poll(120) or parent.recv() != ("ready",):
            process.kill()
            raise InputError(f"{self.data}: the query worker did not start")
        return process, parent

    def run(self, job: Job) -> tuple[int, str, bytes]:
        try:
            process, conn = self.idle.get(timeout=self.timeout)
        except queue.Empty:
            return 503, "text/plain", b"busy: every query worker is taken; try again\n"
        try:
            conn.send(job)
            if conn.poll(self.timeout):
                result = conn.recv()
                self.idle.put((process, conn))
                return result
        except (EOFError, OSError):
            pass
        process.kill()
        process.join()
        conn.close()
        self.idle.put(self._start())
        return 503, "text/plain", f"the query ran past the {self.timeout:g} s timeout\n".encode()

    def close(self) -> None:
        while True:
            try:
                process, conn = self.idle.get_nowait()
            except queue.Empty:
                return
            process.kill()
            process.join()
            conn.close()


# --- HTTP ------------------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path != PATH:
            return self._reply(404, "text/plain", f"not found; the endpoint is {PATH}\n".encode())
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        self._dispatch(params)

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path != PATH:
            return self._reply(404, "text/plain", f"not found; the endpoint is {PATH}\n".encode())
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            return self._reply(413, "text/plain", b"request body too large\n")
        body = self.rfile.read(length) if length else b""
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        content_type = (self.headers.get_content_type() or "").lower()
        if content_type == "application/x-www-form-urlencoded":
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            for key, values in form.items():
                params.setdefault(key, []).extend(values)
        elif content_type == "application/sparql-query":
            params["query"] = [body.decode("utf-8", "replace")]
        elif content_type == "application/sparql-update":
            params["update"] = [body.decode("utf-8", "replace")]
        else:
            return self._reply(415, "text/plain", b"send application/sparql-query or a form "
                               b"(application/x-www-form-urlencoded)\n")
        self._dispatch(params)

    def _refuse(self) -> None:
        self.send_response(405)
        self.send_header("Allow", "GET, POST")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_PUT = do_DELETE = do_PATCH = _refuse

    def _dispatch(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            return self._reply(403, "text/plain",
                               b"SPARQL Update is refused: this endpoint is read-only\n")
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            return self._reply(400, "text/plain", b"give exactly one query parameter\n")
        job = Job(queries[0], self.headers.get("Accept"),
                  tuple(params.get("default-graph-uri", [])),
                  tuple(params.get("named-graph-uri", [])))
        self._reply(*self.server.workers.run(job))

    def _reply(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log:
            self.server.log(f"{self.address_string()} {format % args}")


class SparqlServer(ThreadingHTTPServer):
    """The HTTP server of `kg serve`, with its query workers."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], workers: Workers,
                 log: Callable[[str], None] | None = None) -> None:
        super().__init__(address, _Handler)
        self.workers = workers
        self.log = log

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}{PATH}"


def make_server(data: str | Path = DEFAULT_DATA, host: str = "127.0.0.1", port: int = 7879,
                timeout: float = 30.0, workers: int = 2,
                log: Callable[[str], None] | None = None) -> SparqlServer:
    """A ready, not yet serving, read-only endpoint over `data`; call `serve_forever()`."""
    if timeout <= 0 or workers < 1:
        raise UsageError("--timeout must be positive and --workers at least 1")
    read_graphs(data)  # fail here, with a clear message, if the file is missing or bad
    pool = Workers(str(data), workers, timeout)
    try:
        return SparqlServer((host, port), pool, log)
    except OSError as exc:
        pool.close()
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                         "choose another --port") from exc


def serve(server: SparqlServer) -> None:
    """Answer requests until interrupted, then stop the workers."""
    try:
        server.serve_forever()
    finally:
        server.server_close()
        server.workers.close()
        with contextlib.suppress(ValueError):
            sys.stdout.flush()

