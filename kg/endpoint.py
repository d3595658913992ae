"""Talking to remote SPARQL servers: one HTTP client with credentials, retries and errors.

Only the standard library: urllib verifies TLS by default, does Basic and Digest auth
(Virtuoso's Graph Store endpoint wants Digest), and keeps tip-kg free of an HTTP
dependency. Credentials come from the environment only, so they never appear in a
command line, a process list or a log line.
"""

from __future__ import annotations

import base64
import email.utils
import http.client
import os
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

import pyoxigraph as ox

from kg.errors import EndpointError, EndpointStatus, UsageError, printable

USER_ENV = "KG_ENDPOINT_USER"
PASSWORD_ENV = "KG_ENDPOINT_PASSWORD"
TOKEN_ENV = "KG_ENDPOINT_TOKEN"

# Worth another try: the server may be starting, overloaded or behind a restarting proxy.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_RETRY_AFTER = 30.0

# What each kind of server calls its Graph Store and query endpoints, from its base URL.
SERVER_PATHS: dict[str, tuple[str, str]] = {
    "oxigraph": ("/store", "/query"),  # BASE = http://host:7878
    "fuseki": ("/data", "/sparql"),  # BASE = http://host:3030/DATASET
    "virtuoso": ("/sparql-graph-crud-auth", "/sparql"),  # BASE = http://host:8890
    "graphdb": ("/rdf-graphs/service", ""),  # BASE = http://host:7200/repositories/REPO
}

RESULTS_ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "application/n-triples;q=0.8, text/turtle;q=0.7"
)
# Media types of SPARQL answers, for reading them here and for content negotiation in
# `kg serve`.
RESULT_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
# some servers label N-Triples as plain text; accepted when reading, never offered
_GRAPH_FORMATS = {**GRAPH_TYPES, "text/plain": ox.RdfFormat.N_TRIPLES}


def server_urls(kind: str, base_url: str) -> tuple[str, str]:
    """The Graph Store and the query endpoint of a server of `kind` at `base_url`.

    >>> server_urls("oxigraph", "http://127.0.0.1:7878/")
    ('http://127.0.0.1:7878/store', 'http://127.0.0.1:7878/query')
    >>> server_urls("fuseki", "http://localhost:3030/tip")
    ('http://localhost:3030/tip/data', 'http://localhost:3030/tip/sparql')
    """
    if kind not in SERVER_PATHS:
        raise UsageError(
            f"unknown server kind {kind!r}", "use one of " + ", ".join(sorted(SERVER_PATHS))
        )
    base = base_url.rstrip("/")
    store, query = SERVER_PATHS[kind]
    return base + store, base + query


def redact(url: str) -> str:
    """`url` without user info or query string, fit for an error message or a log.

    >>> redact("https://bob:secret@db.example.org:8890/sparql?graph=x")
    'https://db.example.org:8890/sparql'
    """
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


class RewindingBody:
    """A request body read in blocks, reporting progress, that rewinds once read to the end.

    urllib sends a request again after a 401 challenge (Digest, Basic): rewinding at the
    end lets that second send carry the whole body instead of nothing.
    """

    def __init__(
        self, data: bytes, progress: Callable[[int], None] | None = None, block: int = 1 << 16
    ) -> None:
        self.data = data
        self.position = 0
        self.progress = progress
        self.block = block

    def read(self, size: int = -1) -> bytes:
        if self.position >= len(self.data):
            self.position = 0
            return b""
        size = self.block if size is None or size < 0 else min(size, self.block)
        chunk = self.data[self.position : self.position + size]
        self.position += len(chunk)
        if self.progress:
            self.progress(self.position)
        return chunk


@dataclass
class Client:
    """HTTP settings for one run: timeout, retries, TLS and the credentials from the env."""

    timeout: float = 60.0
    retries: int = 3
    backoff: float = 0.5
    verify_tls: bool = True
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        handlers: list[urllib.request.BaseHandler] = []
        context = ssl.create_default_context()
        if not self.verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        handlers.append(urllib.request.HTTPSHandler(context=context))
        self.token = os.environ.get(TOKEN_ENV) or None
        user = os.environ.get(USER_ENV)
        password = os.environ.get(PASSWORD_ENV)
        if bool(user) != bool(password):
            raise UsageError(f"set both {USER_ENV} and {PASSWORD_ENV}, or neither")
        self.credentials = (user, password) if user and password else None
        self.passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        self.digest = urllib.request.HTTPDigestAuthHandler(self.passwords)
        # challenges met by check_access, per host: later requests answer them up front
        self.challenges: dict[str, tuple[str, dict[str, str]]] = {}
        self.bare_opener = urllib.request.build_opener(*handlers)
        if self.credentials:
            handlers.append(self.digest)
            handlers.append(urllib.request.HTTPBasicAuthHandler(self.passwords))
        self.opener = urllib.request.build_opener(*handlers)

    def send(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> tuple[int, str, bytes]:
        """One HTTP request with retries; (status, content type, body) of a 2xx answer.

        Connection errors, timeouts and 429/502/503/504 are tried again with exponential
        backoff (honouring Retry-After); anything else raises EndpointError at once.
        """
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise UsageError(f"{url}: not an http(s) URL")
        attempt = 0
        while True:
            try:
                return self._send_once(method, url, body, headers or {}, progress)
            except _Retryable as exc:
                if attempt >= self.retries:
                    raise EndpointError(exc.message, exc.hint) from None
                delay = self.backoff * 2**attempt
                if exc.retry_after is not None:
                    delay = max(delay, min(exc.retry_after, MAX_RETRY_AFTER))
                attempt += 1
                self.sleep(delay)

    def check_access(self, url: str) -> None:
        """Raise EndpointStatus if `url` refuses our credentials (401, 403).

        A HEAD carries no body: a server that refuses a large PUT may close the
        connection before reading it, which would hide its 401 behind a broken pipe.
        Any other answer (200, 404 for a new graph, 501 from Virtuoso) lets us go on.
        """
        if self.credentials and not self.token:
            self._learn_challenge(url)
        try:
            self.send("HEAD", url)
        except EndpointStatus as exc:
            if exc.status in (401, 403):
                raise

    def _learn_challenge(self, url: str) -> None:
        # Without this, every PUT goes out twice: once to be refused with a challenge and
        # once with the answer. Virtuoso even closes the connection on a large refused
        # body, so the first send fails with a broken pipe before the 401 can be read.
        request = urllib.request.Request(url, method="HEAD")
        try:
            self.bare_opener.open(request, timeout=self.timeout).close()
        except urllib.error.HTTPError as exc:
            if exc.code != 401:
                return
            for header in exc.headers.get_all("WWW-Authenticate") or []:
                scheme, _, rest = header.partition(" ")
                params = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
                if scheme.lower() == "digest" or (
                    scheme.lower() == "basic"
                    and urllib.parse.urlsplit(url).netloc not in self.challenges
                ):
                    self.challenges[urllib.parse.urlsplit(url).netloc] = (scheme.lower(), params)
        except OSError:
            return  # the HEAD that follows reports it, with retries

    def _send_once(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: dict[str, str],
        progress: Callable[[int], None] | None,
    ) -> tuple[int, str, bytes]:
        where = f"{method} {redact(url)}"
        data: BinaryIO | None = None
        if body is not None:
            data = RewindingBody(body, progress)  # type: ignore[assignment]
            headers = {**headers, "Content-Length": str(len(body))}
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        if self.token:
            request.add_unredirected_header("Authorization", f"Bearer {self.token}")
        if self.credentials:
            # the password goes to the server the request is for, whatever realm it names
            parts = urllib.parse.urlsplit(url)
            self.passwords.add_password(
                None,
                f"{parts.scheme}://{parts.netloc}/",  # type: ignore[arg-type]
                *self.credentials,
            )
            challenge = self.challenges.get(parts.netloc)
            if challenge and challenge[0] == "digest":
                answer = self.digest.get_authorization(request, challenge[1])
                if answer:
                    request.add_unredirected_header("Authorization", f"Digest {answer}")
            elif challenge:
                pair = base64.b64encode(":".join(self.credentials).encode()).decode()
                request.add_unredirected_header("Authorization", f"Basic {pair}")
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                payload = response.read()
                return response.status, response.headers.get_content_type(), payload
        except urllib.error.HTTPError as exc:
            detail = _first_line(exc.read())
            # the reason phrase and the body are the server's words: printable only
            status = f"HTTP {exc.code} {printable(str(exc.reason))}" + (
                f": {detail}" if detail else ""
            )
            if exc.code in RETRY_STATUSES:
                raise _Retryable(
                    f"{where}: {status}", retry_after=_retry_after(exc.headers.get("Retry-After"))
                ) from None
            raise EndpointStatus(f"{where}: {status}", exc.code, _hint(exc.code)) from None
        except TimeoutError:
            raise _Retryable(
                f"{where}: timed out after {self.timeout:g} s", hint="raise --timeout"
            ) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, ssl.SSLError):
                raise EndpointError(f"{where}: TLS error: {printable(str(reason))}") from None
            if isinstance(reason, TimeoutError):
                raise _Retryable(
                    f"{where}: timed out after {self.timeout:g} s", hint="raise --timeout"
                ) from None
            text = printable(getattr(reason, "strerror", None) or str(reason))
            raise _Retryable(
                f"{where}: cannot connect: {text}",
                hint="is the server running, and is the URL right?",
            ) from None
        except (ConnectionError, http.client.HTTPException) as exc:
            raise _Retryable(
                f"{where}: connection failed: {printable(str(exc)) or type(exc).__name__}"
            ) from None
        except ValueError as exc:  # urllib: an auth scheme it cannot answer, a bad URL
            raise EndpointError(f"{where}: {exc}") from None


class _Retryable(Exception):
    def __init__(
        self, message: str, hint: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.retry_after = retry_after


def _hint(code: int) -> str | None:
    if code == 401:
        return f"set {USER_ENV} and {PASSWORD_ENV}, or {TOKEN_ENV}"
    if code == 403:
        return "the credentials lack the right to do this"
    if code in (404, 405):
        return "check the endpoint URL (or --server KIND BASE_URL)"
    return None


def _first_line(payload: bytes, limit: int = 200) -> str:
    text = payload.decode("utf-8", "replace").strip()
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return printable(line[:limit]) + ("..." if len(line) > limit else "")


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date).

    >>> _retry_after("2")
    2.0
    >>> _retry_after(None) is None
    True
    """
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time()) if when else None


QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


def query_endpoint(url: str, sparql: str, *, client: Client | None = None) -> QueryResult:
    """Run one SPARQL query on a remote endpoint; the answer as pyoxigraph results.

    The results have the same types as `Store.query()` gives, so whatever renders an
    embedded query renders a remote one too.
    """
    client = client or Client()
    # a form-encoded POST: every SPARQL 1.1 server takes it, and long queries fit
    form = urllib.parse.urlencode({"query": sparql}).encode("ascii")
    _, content_type, payload = client.send(
        "POST",
        url,
        form,
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": RESULTS_ACCEPT},
    )
    where = f"POST {redact(url)}"
    try:
        if content_type in RESULT_TYPES:
            result = ox.parse_query_results(payload, format=RESULT_TYPES[content_type])
            return _virtuoso_ask(result)
        if content_type in _GRAPH_FORMATS:
            triples = ox.parse(payload, format=_GRAPH_FORMATS[content_type])
            store = ox.Store()
            store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in triples)
            return store.query("CONSTRUCT WHERE { ?s ?p ?o }")
    except (SyntaxError, ValueError) as exc:
        raise EndpointError(
            f"{where}: unreadable {printable(content_type)} answer: {printable(str(exc))}"
        ) from None
    shown = printable(content_type) or "no content type"
    raise EndpointError(
        f"{where}: answered with {shown}, not SPARQL results", "is this the query endpoint?"
    )


def _virtuoso_ask(result: QueryResult) -> QueryResult:
    # Virtuoso 7 answers ASK with one row binding __ASK_RETVAL to 1 or 0.
    if isinstance(result, ox.QuerySolutions) and [v.value for v in result.variables] == [
        "__ASK_RETVAL"
    ]:
        rows = list(result)
        truth = bool(rows) and rows[0]["__ASK_RETVAL"].value not in ("0", "false")
        text = b'{"head":{},"boolean":%s}' % (b"true" if truth else b"false")
        return ox.parse_query_results(text, format=ox.QueryResultsFormat.JSON)
    return result


def count_triples(url: str, graph: str | None, *, client: Client | None = None) -> int:
    """How many triples the query endpoint at `url` holds in `graph` (None: default graph)."""
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    result = query_endpoint(url, f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}", client=client)
    rows = list(result) if isinstance(result, ox.QuerySolutions) else []
    if len(rows) != 1 or rows[0]["n"] is None:
        raise EndpointError(f"POST {redact(url)}: the COUNT query gave no number")
    return int(rows[0]["n"].value)
