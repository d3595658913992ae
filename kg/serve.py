"""`kg serve`: a local, read-only SPARQL 1.1 Protocol endpoint over the built graph.

The standard library's HTTP server speaks the protocol; Oxigraph parses and answers
the queries. One process loads the graph and forks the query workers from it, so they
share it page for page and a worker that has to go costs a fork, not a reload. A query
past the timeout is stopped for real (its worker is ended and replaced) rather than
left running in a thread nobody waits for. Nothing here can write: the workers only
ever call `Store.query`, and SPARQL Update is refused with 403.

What a request could use against the host or against other clients is refused before
any worker sees it: SERVICE clauses (the server would fetch what they name) unless the
endpoint is on the allow-list, queries nested deep enough to crash the parser, and
parameters that are not IRIs. Waiting queries, connections and the time a client may
take to send a request are all bounded.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import multiprocessing.connection
import multiprocessing.reduction
import os
import queue
import re
import select
import signal
import socket
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.endpoint import GRAPH_TYPES, RESULT_TYPES
from kg.errors import InputError, KgError, UsageError
from kg.load import DEFAULT_DATA
from kg.query import (
    QuerySyntaxError,
    add_union_default_graph,
    check_query_depth,
    on_query_stack,
    service_clauses,
)

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
        matching = [
            (3 if r == offer else 2 if r == f"{kind}/*" else 1, q)
            for r, q in ranges
            if r in (offer, f"{kind}/*", "*/*")
        ]
        if not matching:
            continue
        q = max(matching)[1]  # the most specific range decides
        if q > 0 and (best is None or (q, -index) > (best[0], best[1])):
            best = (q, -index, offer)
    return best[2] if best else None


# --- the worker processes --------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One query for a worker: the text, the dataset asked for and the Accept header.

    `federated` says the query has SERVICE clauses (all on the allow-list): a failure
    while it runs is then most likely the other endpoint's, answered with 502.
    """

    query: str
    accept: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    federated: bool = False


@dataclass(frozen=True)
class Reply:
    """An HTTP answer: status, content type, body and any extra headers."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


def _text(status: int, message: str, *headers: tuple[str, str]) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", (message + "\n").encode(), headers)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def one_line(text: object, limit: int = 300) -> str:
    """`text` on one line without control characters (a remote server's words included).

    >>> one_line("bad\\x1b[31m red\\nline")
    'bad [31m red line'
    """
    flat = " ".join(_CONTROL.sub(" ", str(text)).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


_SERVED = {
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ttl": ox.RdfFormat.TURTLE,
}


def data_format(data: str | Path) -> ox.RdfFormat:
    """The RDF format of a file `kg serve` can serve, by its suffix, or a UsageError."""
    path = Path(data)
    if path.suffix not in _SERVED:
        raise UsageError(
            f"{path}: cannot tell the RDF format", "use a .nq, .trig, .nt or .ttl file"
        )
    if not path.is_file():
        raise InputError(f"{path}: cannot read: no such file", "run `kg build` first")
    return _SERVED[path.suffix]


def load_store(data: str | Path) -> ox.Store:
    """The graph of `data` in an in-memory store, its default graph the union of all.

    Oxigraph parses the file straight into the store, in this one thread and without a
    Python object per quad (about 3 s at 20k assertions, 400k quads).
    """
    store = ox.Store()
    try:
        store.load(path=data, format=data_format(data))
    except OSError as exc:
        raise InputError(f"{data}: cannot read: {exc.strerror or exc}") from exc
    except SyntaxError as exc:
        raise InputError(f"{data}: not valid RDF: {one_line(exc)}") from exc
    return add_union_default_graph(store)


def _zygote(data: str, control: multiprocessing.connection.Connection) -> None:
    """Load the graph once, then fork a worker each time the server asks for one.

    The workers share the loaded store with this process page for page (copy on
    write, and queries only read), so a new worker costs a fork, not a reload. This
    process never starts a thread, which is what makes forking it safe.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    try:
        store = load_store(data)
    except KgError as exc:  # the server reports it; nothing to serve without a graph
        control.send(("failed", str(exc), exc.hint))
        return
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped as they end
    control.send(("ready",))
    while True:
        try:
            control.recv()
            fd = multiprocessing.reduction.recv_handle(control)
        except (EOFError, OSError):
            return  # the server is gone
        pid = os.fork()
        if pid == 0:
            control.close()
            status = 0
            try:
                _work(store, multiprocessing.connection.Connection(fd))
            except BaseException:
                status = 1
            finally:
                os._exit(status)
        os.close(fd)
        control.send(("forked", pid))


def _work(store: ox.Store, conn: multiprocessing.connection.Connection) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    threading.Thread(target=_end_with_server, args=(conn.fileno(),), daemon=True).start()
    while True:
        try:
            job: Job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = on_query_stack(lambda job=job: answer(store, job))  # type: ignore[misc]
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # pyo3's PanicException is a BaseException
            reply = _text(500, f"the query failed: {one_line(exc)}")
        conn.send(reply)


def _end_with_server(fd: int) -> None:
    """End this worker as soon as the server's end of its line closes.

    A worker deep in a long query reads nothing until the query ends, so it would not
    notice a server killed meanwhile; the peer's hang-up wakes this thread at once.
    """
    watch = select.poll()
    watch.register(fd, select.POLLRDHUP)
    while True:
        if any(
            event & (select.POLLRDHUP | select.POLLHUP | select.POLLERR | select.POLLNVAL)
            for _, event in watch.poll()
        ):
            os._exit(0)


def answer(store: ox.Store, job: Job) -> Reply:
    """The reply to one query on `store`; every error of the query is a reply, not raised."""
    options: dict[str, Any] = {}
    # without default-graph-uri, the default graph is the union of the named graphs
    # (materialized once per triple by add_union_default_graph)
    if job.default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    if job.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    try:
        result = store.query(job.query, **options)
    except SyntaxError as exc:
        if is_update(job.query):
            return _text(403, "SPARQL Update is refused: this endpoint is read-only")
        return _text(400, f"SPARQL syntax error: {one_line(exc)}")
    except (ValueError, OSError, RuntimeError) as exc:
        return _failed(job, exc)
    types: dict[str, Any] = GRAPH_TYPES if isinstance(result, ox.QueryTriples) else RESULT_TYPES
    media = negotiate(job.accept, list(types))
    if media is None:
        return _text(406, "not acceptable; this query can answer " + ", ".join(types))
    try:
        body = result.serialize(format=types[media])  # a SELECT is evaluated here
    except (ValueError, OSError, RuntimeError) as exc:
        return _failed(job, exc)
    charset = "" if media.startswith("application/sparql-results") else "; charset=utf-8"
    return Reply(200, media + charset, body or b"")


def _failed(job: Job, exc: BaseException) -> Reply:
    if job.federated:
        return _text(502, f"the query failed, most likely at its SERVICE endpoint: {one_line(exc)}")
    return _text(400, f"cannot run the query: {one_line(exc)}")


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


_HANGUP = select.POLLRDHUP | select.POLLHUP | select.POLLERR


@dataclass
class _Worker:
    pid: int
    conn: multiprocessing.connection.Connection
    pidfd: int | None = None  # signals through it reach this process, never a reused pid

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, OSError):
            if self.pidfd is not None:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            else:
                os.kill(self.pid, signal.SIGKILL)

    def close(self) -> None:
        self.conn.close()
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None


class Workers:
    """Query processes forked from one loaded graph, and a bounded line of queries.

    At most `size` queries run at once and `waiting` more wait for a worker; a query
    beyond that, or one that waits longer than the timeout, is told 503 with
    Retry-After. A query past the timeout has its worker ended and a fresh one forked.
    """

    def __init__(self, data: str, size: int, timeout: float, waiting: int = 16) -> None:
        self.data = data
        self.timeout = timeout
        self.retry_after = str(max(1, math.ceil(timeout)))
        self.admitted = threading.BoundedSemaphore(size + waiting)
        self.idle: queue.Queue[_Worker] = queue.Queue()
        self.live: dict[int, _Worker] = {}  # every worker, idle or busy, to end on close
        self.fork_lock = threading.Lock()
        context = multiprocessing.get_context("spawn")
        self.control, child = context.Pipe()
        self.zygote = context.Process(target=_zygote, args=(data, child), daemon=True)
        self.zygote.start()
        child.close()
        try:
            status = (
                self.control.recv()
                if self.control.poll(600)
                else ("failed", f"{data}: loading the graph took over 600 s", None)
            )
        except EOFError:
            status = ("failed", f"{data}: the process loading the graph ended", None)
        if status != ("ready",):
            self.close()
            raise InputError(status[1], status[2])
        for _ in range(size):
            self.idle.put(self._fork())

    def _fork(self) -> _Worker:
        """A new worker, forked by the process that holds the graph (milliseconds)."""
        ours, theirs = multiprocessing.Pipe()
        with self.fork_lock:
            self.control.send(("fork",))
            multiprocessing.reduction.send_handle(
                self.control, theirs.fileno(), self.zygote.pid or 0
            )
            theirs.close()
            if not self.control.poll(30):
                raise InputError("the query workers cannot be started")
            _, pid = self.control.recv()
            pidfd = None
            if hasattr(os, "pidfd_open"):  # Linux: the worker waits for its first job
                with contextlib.suppress(OSError):
                    pidfd = os.pidfd_open(pid)
            worker = _Worker(pid, ours, pidfd)
            self.live[pid] = worker
        return worker

    def _end(self, worker: _Worker) -> None:
        with self.fork_lock:
            self.live.pop(worker.pid, None)
        worker.kill()
        worker.close()

    def run(self, job: Job, client: socket.socket | None = None) -> Reply:
        """The reply to `job` from the next free worker, or 503 when the line is full.

        If `client` (the asking connection) hangs up meanwhile, the query is dropped
        and its worker replaced: nobody would read the answer.
        """
        busy = _text(
            503,
            "busy: every query worker is taken and the line of waiting queries is full; try again",
            ("Retry-After", self.retry_after),
        )
        if not self.admitted.acquire(blocking=False):
            return busy
        try:
            try:
                worker = self.idle.get(timeout=self.timeout)
            except queue.Empty:
                return busy
            return self._ask(worker, job, client)
        finally:
            self.admitted.release()

    def _ask(self, worker: _Worker, job: Job, client: socket.socket | None) -> Reply:
        outcome = "timeout"
        try:
            worker.conn.send(job)
            watch = select.poll()
            watch.register(worker.conn.fileno(), select.POLLIN)
            if client is not None:
                watch.register(client.fileno(), select.POLLRDHUP)
            deadline = time.monotonic() + self.timeout
            while (left := deadline - time.monotonic()) > 0:
                events = dict(watch.poll(left * 1000))
                if worker.conn.fileno() in events:
                    reply: Reply = worker.conn.recv()
                    self.idle.put(worker)
                    return reply
                if client is not None and events.get(client.fileno(), 0) & _HANGUP:
                    outcome = "hangup"
                    break
        except (EOFError, OSError):  # the worker ended while answering
            outcome = "ended"
        self._end(worker)
        try:
            self.idle.put(self._fork())
        except (KgError, OSError, EOFError) as exc:
            return _text(500, f"the query worker could not be replaced: {one_line(exc)}")
        if outcome == "timeout":
            return _text(503, f"the query ran past the {self.timeout:g} s timeout")
        if outcome == "hangup":
            return _text(499, "the client closed the connection; the query was stopped")
        return _text(500, "the query ended its worker; a new one took its place")

    def close(self) -> None:
        """End every worker and the process that forks them."""
        while True:
            try:
                self._end(self.idle.get_nowait())
            except queue.Empty:
                break
        for worker in list(self.live.values()):  # busy ones too: their queries are dropped
            worker.kill()
        self.control.close()  # the zygote sees the end of its line and returns
        self.zygote.join(5)
        if self.zygote.is_alive():
            self.zygote.kill()
            self.zygote.join()


# --- HTTP ------------------------------------------------------------------------------


def check_request(
    query: str, default_graphs: list[str], named_graphs: list[str], allowed_services: frozenset[str]
) -> Reply | None:
    """A 400 for a request no worker should see, or None to run it.

    Over-deep queries would crash the parser. SERVICE clauses make the server fetch
    other URLs (server-side request forgery against whatever listens on the host), and
    pyoxigraph has no switch to turn that off: `Store.query` fetches any SERVICE IRI
    with its own HTTP client (redirects not followed). So the check is here, before
    Oxigraph sees the text: only endpoints on the allow-list pass, written as full
    `<IRI>`s, since a variable or a prefixed name could stand for anything.
    """
    try:
        check_query_depth(query, origin="query")
    except QuerySyntaxError as exc:
        return _text(400, f"{exc.location}: {exc} (hint: {exc.hint})")
    for clause in service_clauses(query):
        where = f"query:{clause.line}:{clause.col}"
        if not allowed_services:
            return _text(
                400,
                f"{where}: SERVICE (a federated query) is refused: this "
                "endpoint does not fetch other endpoints (hint: start kg serve "
                "with --allow-service IRI to allow one)",
            )
        if clause.endpoint is None:
            return _text(
                400,
                f"{where}: SERVICE {one_line(clause.target, 80)} is refused: "
                "name the endpoint as a full <IRI> from the allow-list",
            )
        if clause.endpoint not in allowed_services:
            return _text(
                400,
                f"{where}: SERVICE <{one_line(clause.endpoint, 200)}> is "
                "refused: not on this server's --allow-service list",
            )
    for name, values in (("default-graph-uri", default_graphs), ("named-graph-uri", named_graphs)):
        for value in values:
            try:
                ox.NamedNode(value)
            except ValueError:
                return _text(400, f"{name}: not an IRI: {one_line(value, 200)}")
    return None


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        # every read and write on the socket waits at most this long; the watchdog
        # bounds the whole request, which a client could send a byte at a time
        self.timeout = self.server.client_timeout
        super().setup()

    def handle_one_request(self) -> None:
        self.server.watch(self.connection)  # from now, the next request must come whole
        super().handle_one_request()

    def do_GET(self) -> None:
        self.server.unwatch(self.connection)
        url = urllib.parse.urlsplit(self.path)
        if url.path != PATH:
            return self._send(_text(404, f"not found; the endpoint is {PATH}"))
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        self._dispatch(params)

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path != PATH:
            self.close_connection = True  # the body is not read
            return self._send(_text(404, f"not found; the endpoint is {PATH}"))
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            return self._send(_text(400, "Content-Length is not a number of bytes"))
        if length > MAX_BODY:
            self.close_connection = True
            return self._send(_text(413, "request body too large"))
        body = self.rfile.read(length) if length else b""
        self.server.unwatch(self.connection)
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
            return self._send(
                _text(
                    415,
                    "send application/sparql-query or a form (application/x-www-form-urlencoded)",
                )
            )
        self._dispatch(params)

    def _refuse(self) -> None:
        self.close_connection = True  # a body, if any, is not read
        self._send(Reply(405, "text/plain", b"", (("Allow", "GET, POST"),)))

    do_PUT = do_DELETE = do_PATCH = _refuse

    def _dispatch(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            return self._send(_text(403, "SPARQL Update is refused: this endpoint is read-only"))
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            return self._send(_text(400, "give exactly one query parameter"))
        query = queries[0]
        default_graphs = params.get("default-graph-uri", [])
        named_graphs = params.get("named-graph-uri", [])
        refusal = check_request(query, default_graphs, named_graphs, self.server.allowed_services)
        if refusal is not None:
            return self._send(refusal)
        job = Job(
            query,
            self.headers.get("Accept"),
            tuple(default_graphs),
            tuple(named_graphs),
            federated=bool(service_clauses(query)),
        )
        self._send(self.server.workers.run(job, self.connection))

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Vary", "Accept")
        for name, value in reply.headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log:
            self.server.log(one_line(f"{self.address_string()} {format % args}", 2000))


_FULL_BODY = b"busy: too many connections; try again\n"
_FULL = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
    b"Retry-After: 1\r\nConnection: close\r\n"
    b"Content-Length: " + str(len(_FULL_BODY)).encode() + b"\r\n\r\n" + _FULL_BODY
)


class SparqlServer(ThreadingHTTPServer):
    """The HTTP server of `kg serve`: its query workers, and its guard against clients.

    At most `max_connections` connections are open at once (one thread each); one more
    is told 503 and closed. A connection has `client_timeout` seconds to send each
    request whole, counted from when the server starts waiting for it (so an idle
    keep-alive connection ends too): a watchdog thread closes it otherwise.
    """

    daemon_threads = True
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        workers: Workers,
        log: Callable[[str], None] | None = None,
        *,
        client_timeout: float = 10.0,
        max_connections: int = 64,
        allowed_services: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__(address, _Handler)
        self.workers = workers
        self.log = log
        self.client_timeout = client_timeout
        self.max_connections = max_connections
        self.allowed_services = allowed_services
        self.deadlines: dict[socket.socket, float | None] = {}  # open connections
        self.guard = threading.Lock()
        self.stopping = threading.Event()
        self.watchdog = threading.Thread(target=self._watch, daemon=True, name="kg-serve-watchdog")
        self.watchdog.start()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}{PATH}"

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.guard:
            full = len(self.deadlines) >= self.max_connections
            if not full:
                self.deadlines[request] = time.monotonic() + self.client_timeout
        if full:
            with contextlib.suppress(OSError):
                request.setblocking(False)
                request.sendall(_FULL)  # a new socket's buffer takes these few bytes
            super().shutdown_request(request)
            return
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.guard:
            self.deadlines.pop(request, None)
        super().shutdown_request(request)

    def watch(self, connection: socket.socket) -> None:
        with self.guard:
            if connection in self.deadlines:
                self.deadlines[connection] = time.monotonic() + self.client_timeout

    def unwatch(self, connection: socket.socket) -> None:
        with self.guard:
            if connection in self.deadlines:
                self.deadlines[connection] = None

    def _watch(self) -> None:
        tick = min(0.5, self.client_timeout / 4)
        while not self.stopping.wait(tick):
            now = time.monotonic()
            with self.guard:
                late = [c for c, d in self.deadlines.items() if d is not None and d < now]
                for connection in late:
                    self.deadlines[connection] = None
            for connection in late:  # the handler's blocked read returns, and it ends
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # a client that went away or was cut off: one line, not a traceback
        exc = sys.exc_info()[1]
        if self.log:
            self.log(f"{client_address[0]} connection ended: {one_line(exc) or type(exc).__name__}")

    def server_close(self) -> None:
        self.stopping.set()
        super().server_close()


def make_server(
    data: str | Path = DEFAULT_DATA,
    host: str = "127.0.0.1",
    port: int = 7879,
    timeout: float = 30.0,
    workers: int = 4,
    log: Callable[[str], None] | None = None,
    *,
    waiting: int = 16,
    client_timeout: float = 10.0,
    max_connections: int = 64,
    allow_service: Sequence[str] = (),
) -> SparqlServer:
    """A ready, not yet serving, read-only endpoint over `data`; call `serve_forever()`."""
    if timeout <= 0 or client_timeout <= 0:
        raise UsageError("--timeout and --client-timeout must be positive")
    if workers < 1 or waiting < 0 or max_connections < 1:
        raise UsageError("--workers and --max-connections must be at least 1, --queue at least 0")
    for iri in allow_service:
        if not re.fullmatch(r"https?://[^\s<>\"{}|^`\\]+", iri):
            raise UsageError(
                f"--allow-service {iri!r}: not an http(s) IRI",
                "give the endpoint's full IRI, as SERVICE <IRI> names it",
            )
    data_format(data)  # a wrong name fails here; a bad file when the workers load it
    pool = Workers(str(data), workers, timeout, waiting)
    try:
        return SparqlServer(
            (host, port),
            pool,
            log,
            client_timeout=client_timeout,
            max_connections=max_connections,
            allowed_services=frozenset(allow_service),
        )
    except OSError as exc:
        pool.close()
        raise InputError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}", "choose another --port"
        ) from exc


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # unwinds serve_forever, so the workers are stopped too


def serve(server: SparqlServer) -> None:
    """Answer requests until interrupted (Ctrl-C or SIGTERM), then stop the workers."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        server.workers.close()
        with contextlib.suppress(ValueError):
            sys.stdout.flush()
