"""`kg load`: push the built graph to a SPARQL 1.1 Graph Store and check it arrived.

One request per named graph (a source's, or the ontology's): PUT replaces that graph
whole, so a source can be reloaded or dropped on its own, loading twice gives the same
count, and a request that fails leaves the server's copy of that graph as it was (the
Graph Store applies a request entirely or not at all). Everything is read and
serialized before the first request, and the query endpoint is asked first, so a
wrong URL or unreadable file changes nothing.
"""

from __future__ import annotations

import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.endpoint import Client, count_triples, redact
from kg.errors import EndpointError, InputError, UsageError
from kg.export import sorted_triples

DEFAULT_DATA = Path("exports") / "tip-kg.nq"
_FORMATS = {
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ttl": ox.RdfFormat.TURTLE,
}


class LoadMismatch(EndpointError):
    """After loading, the server's triple count of a graph differs from what was sent."""


class PartialLoad(EndpointError):
    """A load stopped part way: some graphs were already replaced on the server."""

    def __init__(self, cause: EndpointError, done: list[str], total: int, append: bool) -> None:
        verb = "appended to" if append else "replaced"
        shown = ", ".join(done)
        super().__init__(
            f"{cause}; already {verb} on the server ({len(done)} of {total} graphs): {shown}; "
            "the others are as they were",
            (f"{cause.hint}; then " if cause.hint else "")
            + "run the same `kg load` again: it sends every graph whole, so a rerun completes it",
        )
        self.done = done
        self.status = getattr(cause, "status", None)


@dataclass
class GraphLoad:
    """One graph sent: where, how much, and what the server counted before and after."""

    graph: str | None  # None: the server's default graph
    triples: int
    bytes: int
    before: int = 0
    after: int = 0
    seconds: float = 0.0

    @property
    def name(self) -> str:
        return self.graph or "(default graph)"


@dataclass
class LoadResult:
    """What `load` did: the graphs, the method used, and the time it took."""

    store_url: str
    query_url: str
    method: str
    graphs: list[GraphLoad] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs)

    def as_dict(self) -> dict[str, object]:
        return {
            "store": redact(self.store_url),
            "query": redact(self.query_url),
            "method": self.method,
            "triples": self.triples,
            "seconds": round(self.seconds, 3),
            "graphs": [
                {
                    "graph": g.graph,
                    "triples": g.triples,
                    "bytes": g.bytes,
                    "before": g.before,
                    "after": g.after,
                    "seconds": round(g.seconds, 3),
                }
                for g in self.graphs
            ],
        }


def read_graphs(
    data: str | Path = DEFAULT_DATA, graph: str | None = None
) -> dict[str | None, list[ox.Triple]]:
    """The distinct triples of a data file by named graph, or all under `graph` if given."""
    path = Path(data)
    fmt = _FORMATS.get(path.suffix)
    if fmt is None:
        raise UsageError(
            f"{path}: cannot tell the RDF format", "use a .nq, .trig, .nt or .ttl file"
        )
    try:
        quads = list(ox.parse(path=path, format=fmt))
    except OSError as exc:
        raise InputError(
            f"{path}: cannot read: {exc.strerror or exc}", "run `kg build` first"
        ) from exc
    except SyntaxError as exc:
        raise InputError(f"{path}: not valid RDF: {exc}") from exc
    groups: dict[str | None, list[ox.Quad]] = defaultdict(list)
    for q in quads:
        if graph:
            key: str | None = graph
        elif isinstance(q.graph_name, ox.NamedNode):
            key = q.graph_name.value
        else:
            key = None
        groups[key].append(q)
    return {key: sorted_triples(groups[key]) for key in sorted(groups, key=lambda k: k or "")}


def graph_url(store_url: str, graph: str | None) -> str:
    """The Graph Store URL of one graph (indirect identification: `?graph=` or `?default`).

    >>> graph_url("http://h/store", "https://w3id.org/tip-kg/ontology")
    'http://h/store?graph=https%3A%2F%2Fw3id.org%2Ftip-kg%2Fontology'
    >>> graph_url("http://h/store?x=1", None)
    'http://h/store?x=1&default'
    """
    sep = "&" if "?" in store_url else "?"
    if graph is None:
        return f"{store_url}{sep}default"
    return f"{store_url}{sep}" + urllib.parse.urlencode({"graph": graph})


def _check_url(url: str, what: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{what} {redact(url)!r} is not an http(s) URL")
    if parts.username or parts.password:
        raise UsageError(
            f"{what} URL has credentials in it",
            "set KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD (or KG_ENDPOINT_TOKEN) instead",
        )


def load(
    store_url: str,
    query_url: str,
    data: str | Path = DEFAULT_DATA,
    *,
    graph: str | None = None,
    append: bool = False,
    client: Client | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LoadResult:
    """Send every graph of `data` to the Graph Store at `store_url`, then count each one.

    PUT replaces each graph (POST with `append`); `graph` sends everything into that
    one graph. `progress(done, total)` is called with bytes sent. Raises EndpointError
    when a request fails and LoadMismatch when a count differs from what was sent.
    """
    _check_url(store_url, "--store")
    _check_url(query_url, "--query")
    client = client or Client()
    started = time.perf_counter()
    bodies: list[tuple[GraphLoad, bytes]] = []
    for name, triples in read_graphs(data, graph).items():
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        bodies.append((GraphLoad(name, len(triples), len(body)), body))
    result = LoadResult(store_url, query_url, "POST" if append else "PUT")
    total = sum(len(body) for _, body in bodies)
    done = 0
    # ask the query endpoint first: a wrong --query URL must fail before anything changes
    for item, _ in bodies:
        item.before = count_triples(query_url, item.graph, client=client)
    if bodies:
        client.check_access(graph_url(store_url, bodies[0][0].graph))
    for item, body in bodies:
        sent_before = done
        tick = time.perf_counter()

        def report(position: int, base: int = sent_before) -> None:
            if progress:
                progress(base + position, total)

        try:
            client.send(
                result.method,
                graph_url(store_url, item.graph),
                body,
                {"Content-Type": "application/n-triples; charset=utf-8"},
                report,
            )
        except EndpointError as exc:
            if not result.graphs:
                raise
            raise PartialLoad(exc, [g.name for g in result.graphs], len(bodies), append) from exc
        item.seconds = time.perf_counter() - tick
        done += len(body)
        result.graphs.append(item)
    for item in result.graphs:
        item.after = count_triples(query_url, item.graph, client=client)
    result.seconds = time.perf_counter() - started
    wrong = [g for g in result.graphs if (g.after < g.triples if append else g.after != g.triples)]
    if wrong:
        detail = "; ".join(
            f"{g.name}: sent {g.triples}, the server counts {g.after}" for g in wrong
        )
        raise LoadMismatch(f"{redact(query_url)}: the counts do not match: {detail}")
    return result
