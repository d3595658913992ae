"""SPARQL over the graph: named competency queries, parameters, results and their formats.

The engine is a seam. `LocalEngine` runs a query on an Oxigraph store (the graph that
`kg.pipeline.load_graph` builds); an engine for a remote SPARQL endpoint only has to
implement `Engine.run` and can turn the endpoint's SPARQL JSON answer into a
`QueryResult` with `result_from_json`. Everything after that (table, CSV, TSV, JSON)
is the same for both.

Parameters are bound with `substitutions` (SEP-0007), never pasted into the query
text, so a value cannot change the query's structure.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

import pyoxigraph as ox

from kg.errors import InputError, QueryError, UsageError, printable
from kg.vocab import PREFIXES

Term = ox.NamedNode | ox.BlankNode | ox.Literal
T = TypeVar("T")
ResultKind = Literal["select", "ask", "graph"]
FORMATS = ("table", "csv", "tsv", "json")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WHERE = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.S)


class QuerySyntaxError(QueryError):
    """A query the SPARQL parser refused; `location` is `query:line:col`."""

    def __init__(self, message: str, location: str, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.location = location


@dataclass(frozen=True)
class NamedQuery:
    """A query and where it came from. `question` is the first comment line of a file."""

    name: str
    text: str
    origin: str  # what error messages call it: a path, `queries/NAME.rq`, `<query>`
    question: str = ""
    description: str = ""


@dataclass(frozen=True)
class QueryResult:
    """A materialized answer: rows of terms for SELECT, a boolean for ASK, triples else.

    A row holds one term (or None when unbound) per variable, in `variables` order.
    """

    kind: ResultKind
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[ox.Triple, ...] = field(default=())

    def records(self) -> list[dict[str, Term]]:
        """The rows as dictionaries of the bound variables."""
        return [
            {v: t for v, t in zip(self.variables, row, strict=True) if t is not None}
            for row in self.rows
        ]


class Engine(Protocol):
    """Something that answers SPARQL: the embedded store, or later a remote endpoint."""

    def run(
        self, sparql: str, bindings: Mapping[str, Term] | None = None, origin: str = "<query>"
    ) -> QueryResult: ...


class LocalEngine:
    """Runs queries on an Oxigraph store, all named graphs seen as the default graph."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def run(
        self, sparql: str, bindings: Mapping[str, Term] | None = None, origin: str = "<query>"
    ) -> QueryResult:
        return run_query(self.store, sparql, bindings, origin=origin)


class RemoteEngine:
    """Runs queries on a SPARQL 1.1 endpoint (`kg query --endpoint URL`).

    The server cannot take Oxigraph's substitutions, so bindings travel as a trailing
    `VALUES` block built from the terms (escaped by Oxigraph, never from user text); the
    project prefixes are declared ahead of the query, which may redeclare them. The
    query is parsed here first, so a malformed one fails with our line and column.
    """

    def __init__(self, url: str, client: object | None = None) -> None:
        self.url = url
        self.client = client

    def run(
        self, sparql: str, bindings: Mapping[str, Term] | None = None, origin: str = "<query>"
    ) -> QueryResult:
        from kg.endpoint import query_endpoint

        run_query(ox.Store(), sparql, bindings, origin=origin)  # syntax and bindings check
        declared = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
        text = declared + sparql + values_clause(bindings or {})
        return _materialize(query_endpoint(self.url, text, client=self.client))


def values_clause(bindings: Mapping[str, Term]) -> str:
    """A trailing SPARQL `VALUES` block that binds each variable to one term.

    >>> values_clause({"country": ox.NamedNode("https://w3id.org/tip-kg/id/country/RUS")})
    '\\nVALUES (?country) { (<https://w3id.org/tip-kg/id/country/RUS>) }\\n'
    >>> values_clause({})
    ''
    """
    if not bindings:
        return ""
    names = sorted(bindings)
    variables = " ".join(f"?{name}" for name in names)
    terms = " ".join(str(bindings[name]) for name in names)
    return f"\nVALUES ({variables}) {{ ({terms}) }}\n"


def add_union_default_graph(store: ox.Store) -> ox.Store:
    """Copy every named graph's triples, once each, into the store's default graph.

    Each source's graph repeats the labels of the countries and years it mentions, and a
    union default graph returns such a triple once per graph that holds it: every join
    on a label then multiplies rows by the number of sources (a plain label query over
    200 sources ran out of 24 GB). A materialized union has each triple once, while
    `GRAPH ?g` still sees the named graphs as they are.

    >>> store = ox.Store()
    >>> for g in ("http://g/1", "http://g/2"):
    ...     store.add(ox.Quad(ox.NamedNode("http://s"), ox.NamedNode("http://p"),
    ...                       ox.Literal("o"), ox.NamedNode(g)))
    >>> len(add_union_default_graph(store))
    3
    """
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    return store


def has_default_graph(store: ox.Store) -> bool:
    """Whether the store's default graph holds anything (see `add_union_default_graph`)."""
    return (
        next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None
    )


def run_query(
    store: ox.Store,
    sparql: str,
    bindings: Mapping[str, Term] | None = None,
    *,
    origin: str = "<query>",
) -> QueryResult:
    """Run `sparql` on `store` with `bindings` (variable name → term) substituted.

    Plain triple patterns see the union of every graph (each source's and the
    ontology's): the store's default graph when it holds the union already
    (`add_union_default_graph`, as `kg.pipeline.load_graph` does), else Oxigraph's
    union default graph. `GRAPH ?g` still names them. The prefixes of `kg.vocab.PREFIXES`
    are predeclared for convenience; the shipped queries declare their own.

    >>> store = ox.Store()
    >>> run_query(store, "ASK { }").boolean
    True
    >>> run_query(store, "SELECT ?x WHERE { }", {"x": ox.Literal("1")}).rows
    ((<Literal value=1 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>,),)
    """
    check_query_depth(sparql, origin=origin)
    substitutions = {ox.Variable(name): term for name, term in (bindings or {}).items()}

    def ask() -> QueryResult:  # parsed and evaluated (lazily, while materialized) here
        return _materialize(
            store.query(
                sparql,
                use_default_graph_as_union=not has_default_graph(store),
                prefixes=PREFIXES,
                substitutions=substitutions or None,
            )
        )

    try:
        return on_query_stack(ask)
    except SyntaxError as exc:
        raise _syntax_error(str(exc), origin) from exc
    except (RuntimeError, ValueError) as exc:
        message = " ".join(str(exc).split())
        hint = None
        if bindings and "projection" in message:
            hint = "--bind only sets variables the query SELECTs"
        raise QueryError(f"{origin}: {message}", hint) from exc
    except OSError as exc:
        raise QueryError(f"{origin}: the store could not be read: {exc}") from exc


def on_query_stack(call: Callable[[], T]) -> T:
    """`call()` on a thread with a `QUERY_STACK`-sized stack; its result or its exception.

    Oxigraph recurses on the calling thread's stack, and overflowing it ends the
    process (see `MAX_QUERY_TOKENS`).
    """
    outcome: list[tuple[bool, Any]] = []

    def run() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as exc:  # handed to the caller, who decides
            outcome.append((False, exc))

    previous = threading.stack_size(QUERY_STACK)
    try:
        thread = threading.Thread(target=run, name="kg-query", daemon=True)
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    ok, value = outcome[0]
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


def _materialize(answer: object) -> QueryResult:
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        names = tuple(v.value for v in answer.variables)
        rows = tuple(tuple(solution[name] for name in names) for solution in answer)
        return QueryResult("select", names, rows)
    return QueryResult("graph", triples=tuple(answer))  # QueryTriples


def _syntax_error(raw: str, origin: str) -> QuerySyntaxError:
    match = _WHERE.match(raw)
    line, col, message = match.groups() if match else ("0", "0", raw)
    message = " ".join(message.split())
    hint = None
    if "Prefix not found" in message:
        message = "undeclared prefix"
        hint = "declare it with PREFIX, or use one of: " + ", ".join(
            f"{p}:" for p in sorted(PREFIXES)
        )
    elif len(message) > 160:
        message = message[:157] + "..."
    return QuerySyntaxError(message, f"{origin}:{line}:{col}", hint)


def result_from_json(data: bytes) -> QueryResult:
    """A `QueryResult` from a SPARQL 1.1 Query Results JSON document (a remote answer).

    >>> result_from_json(b'{"head":{"vars":["n"]},"results":{"bindings":[]}}').variables
    ('n',)
    """
    try:
        answer = ox.parse_query_results(data, ox.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as exc:
        raise QueryError(f"not a SPARQL JSON result: {exc}") from exc
    return _materialize(answer)


# ---------------------------------------------------------------- reading a query's text

# Oxigraph's parser recurses once per nested group, bracket or parenthesis and has no
# limit of its own: about 5,000 levels overflow an 8 MB stack and end the process with a
# segmentation fault (2,000 still parse). 200 is ten times deeper than any query a person
# writes (the shipped ones nest 6 deep) and far below what any thread's stack can take.
MAX_QUERY_DEPTH = 200
# Long flat chains recurse too, in the parser and over the tree it builds: 10,000 `!`,
# `||`, UNION or OPTIONAL in a row overflow 8 MB as well. So Oxigraph runs on a thread
# with a 256 MiB stack (address space; only what is used is ever touched), where 50,000
# of any of them pass, and a query may hold at most 50,000 tokens: 40 times the largest
# shipped query (conflicts.rq, 1,138).
MAX_QUERY_TOKENS = 50_000
QUERY_STACK = 256 << 20

# The lexical shape of SPARQL, enough to tell code from what only looks like code: strings
# (long forms first, a backslash escapes the next character), IRIs (the grammar's IRIREF
# with \u escapes), comments to the end of a line, variables, and runs of name characters
# (keywords, prefixed names with their `\`-escapes, numbers). Anything else is one
# character of punctuation. Queries are not \u-unescaped first: Oxigraph does not do it
# either, and doing it here would move string boundaries away from where Oxigraph sees them.
_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<comment>#[^\r\n]*)"
    r'|(?P<string>"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'
    r"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
    r'|"(?:[^"\\\r\n]|\\.)*"'
    r"|'(?:[^'\\\r\n]|\\.)*')"
    r'|(?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)'
    r"|(?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+)"
    r"|(?P<word>(?:[\w\-.:%\u00B7\u0300-\u036F\u203F\u2040]|\\.)+)"
    r"|(?P<punct>.)",
    re.S,
)
_OPEN, _CLOSE = "{([", "})]"
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Token:
    """One lexical token of a query: its kind, text and offset in the query."""

    kind: Literal["string", "iri", "var", "word", "punct"]
    text: str
    offset: int


def query_tokens(text: str) -> list[Token]:
    """The tokens of a SPARQL text, without spaces and comments.

    >>> [t.text for t in query_tokens('ASK { ?s ?p "a } SERVICE" } # SERVICE')]
    ['ASK', '{', '?s', '?p', '"a } SERVICE"', '}']
    """
    return [
        Token(m.lastgroup, m.group(), m.start())  # type: ignore[arg-type]
        for m in _TOKEN.finditer(text)
        if m.lastgroup not in ("space", "comment")
    ]


def position(text: str, offset: int) -> tuple[int, int]:
    """(line, column), both from 1, of a character offset in `text`.

    >>> position("a\\nbc", 3)
    (2, 2)
    """
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def check_query_depth(text: str, limit: int = MAX_QUERY_DEPTH, origin: str = "<query>") -> None:
    """Refuse a query that nests `{ }`, `( )` and `[ ]` deeper than `limit`, or is too long.

    Brackets inside strings, IRIs and comments do not count. This runs before any
    parser sees the text, because Oxigraph's ends the process on a deep enough query.

    >>> check_query_depth("ASK " + "{" * 3 + "}" * 3, limit=3)
    >>> check_query_depth("ASK " + "{" * 4 + "}" * 4, limit=3)
    Traceback (most recent call last):
    ...
    kg.query.QuerySyntaxError: the query nests deeper than 3 levels
    """
    depth = 0
    tokens = query_tokens(text)
    if len(tokens) > MAX_QUERY_TOKENS:
        line, col = position(text, tokens[MAX_QUERY_TOKENS].offset)
        raise QuerySyntaxError(
            f"the query is longer than {MAX_QUERY_TOKENS:,} tokens",
            f"{origin}:{line}:{col}",
            "split it into several queries; the parser would run out of stack",
        )
    for token in tokens:
        if token.kind != "punct":
            continue
        if token.text in _OPEN:
            depth += 1
            if depth > limit:
                line, col = position(text, token.offset)
                raise QuerySyntaxError(
                    f"the query nests deeper than {limit} levels",
                    f"{origin}:{line}:{col}",
                    "flatten the nested groups; the parser would run out of stack",
                )
        elif token.text in _CLOSE:
            depth = max(0, depth - 1)


@dataclass(frozen=True)
class ServiceClause:
    """A SERVICE keyword in a query: where it is and what it names.

    `endpoint` is the absolute IRI written as `<...>` (escapes resolved), else None;
    `target` is the token as written (an IRI, a variable, a prefixed name, or "").
    """

    line: int
    col: int
    target: str
    endpoint: str | None


def _is_service_keyword(token: Token) -> bool:
    # Where Oxigraph could read a SERVICE keyword in a run of name characters. Oxigraph
    # reads `1SERVICE` as a number and the keyword, so any run without a colon that holds
    # "service" counts. With a colon it is a prefixed name, whose local part Oxigraph
    # reads greedily, dots included; a "service" after a dot counts anyway, to be safe.
    folded = token.text.casefold()
    if "service" not in folded:
        return False
    if ":" not in folded:
        return True
    prefix, _, local = folded.partition(":")
    return any("service" in part for part in [*prefix.split(".")[:-1], *local.split(".")[1:]])


def _unescape_iri(text: str) -> str | None:
    """The IRI with its \\u escapes resolved; None if one names no character."""
    try:
        return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    except (ValueError, OverflowError):
        return None


def service_clauses(text: str) -> list[ServiceClause]:
    """Every SERVICE clause of a query, found by its tokens (not in strings or comments).

    >>> [c.endpoint for c in service_clauses(
    ...     'SELECT * { SERVICE SILENT <http://h/sparql> { ?s ?p "SERVICE" } } # SERVICE')]
    ['http://h/sparql']
    >>> service_clauses("SELECT ?service { ?service kg:serviceArea ?x }")
    []
    """
    tokens = query_tokens(text)
    found = []
    for index, token in enumerate(tokens):
        if token.kind != "word" or not _is_service_keyword(token):
            continue
        following = tokens[index + 1 : index + 3]
        if following and following[0].kind == "word" and following[0].text.upper() == "SILENT":
            following = following[1:]
        target = following[0] if following else None
        endpoint = None
        if target is not None and target.kind == "iri":
            iri = _unescape_iri(target.text[1:-1])
            if iri is not None and re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri):
                endpoint = iri
        line, col = position(text, token.offset)
        found.append(ServiceClause(line, col, target.text if target else "", endpoint))
    return found


# ---------------------------------------------------------------- named queries


def _query_files() -> list[tuple[str, str]]:
    folder = resources.files("kg") / "queries"
    return sorted(
        (entry.name[:-3], entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".rq")
    )


def parse_header(text: str) -> tuple[str, str]:
    """(question, description) from a query's leading comment block.

    >>> parse_header("# Who?\\n#\\n# More words\\n# here.\\nSELECT * {}")
    ('Who?', 'More words here.')
    """
    lines: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        lines.append(stripped.lstrip("#").strip())
    question = lines[0] if lines else ""
    description = " ".join(" ".join(lines[1:]).split())
    return question, description


@lru_cache(maxsize=1)
def named_queries() -> tuple[NamedQuery, ...]:
    """The competency queries shipped in `kg/queries/*.rq`, sorted by name."""
    out = []
    for name, text in _query_files():
        question, description = parse_header(text)
        out.append(NamedQuery(name, text, f"queries/{name}.rq", question, description))
    return tuple(out)


def named_query(name: str) -> NamedQuery:
    """The shipped query called `name`, or a UsageError with the nearest names."""
    by_name = {q.name: q for q in named_queries()}
    if name in by_name:
        return by_name[name]
    close = difflib.get_close_matches(name, list(by_name), n=3, cutoff=0.5)
    hint = ("did you mean " + " or ".join(close) + "?") if close else "kg query --list"
    raise UsageError(f"no named query {name!r}", hint)


def read_query(spec: str) -> NamedQuery:
    """A query from the command line: a name, a `.rq` file, `-` (stdin) or SPARQL text.

    A word of lower-case letters, digits, `-` and `_` is a shipped query's name; a
    path ending in `.rq` (or an existing file) is read; anything else is the query.
    """
    if spec == "-":
        return NamedQuery("-", sys.stdin.read(), "<stdin>")
    if _NAME.fullmatch(spec):
        return named_query(spec)
    path = Path(spec)
    if spec.endswith(".rq") or ("{" not in spec and path.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{spec}: cannot read the query: {exc}") from exc
        question, description = parse_header(text)
        return NamedQuery(path.stem, text, spec, question, description)
    return NamedQuery("<query>", spec, "<query>")


# ---------------------------------------------------------------- parameters

_TYPED = re.compile(r'"(.*)"(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^(\S+))?', re.S)
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?\d*\.\d+")


def parse_term(text: str) -> Term:
    """A command-line value as an RDF term.

    `<IRI>`, a bare `http(s)://` IRI, or `prefix:local` with a prefix of
    `kg.vocab.PREFIXES` → IRI; `"text"`, `"text"@lang`, `"text"^^datatype` → that
    literal; an integer or decimal → xsd:integer / xsd:decimal; `true` / `false` →
    xsd:boolean; anything else → a plain string.

    >>> parse_term("country:KAZ").value
    'https://w3id.org/tip-kg/id/country/KAZ'
    >>> parse_term("2005").datatype.value
    'http://www.w3.org/2001/XMLSchema#integer'
    >>> parse_term('"2005"').datatype.value
    'http://www.w3.org/2001/XMLSchema#string'
    >>> parse_term('"2005"^^xsd:gYear').datatype.value
    'http://www.w3.org/2001/XMLSchema#gYear'
    >>> parse_term("Kazakhstan").value
    'Kazakhstan'
    """
    if text.startswith("<") and text.endswith(">") and len(text) > 2:
        return _iri(text[1:-1])
    if text.startswith(("http://", "https://")):
        return _iri(text)
    if text.startswith('"'):
        match = _TYPED.fullmatch(text)
        if not match:
            raise UsageError(
                f"cannot read the literal {text}", 'write "text", "text"@en or "text"^^xsd:TYPE'
            )
        value, language, datatype = match.groups()
        if language:
            return ox.Literal(value, language=language)
        if datatype:
            dt = parse_term(datatype)
            if not isinstance(dt, ox.NamedNode):
                raise UsageError(f"the datatype of {text} is not an IRI")
            return ox.Literal(value, datatype=dt)
        return ox.Literal(value)
    prefix, colon, local = text.partition(":")
    if colon and prefix in PREFIXES:
        return _iri(PREFIXES[prefix] + local)
    if _INTEGER.fullmatch(text):
        return ox.Literal(text, datatype=ox.NamedNode(_XSD + "integer"))
    if _DECIMAL.fullmatch(text):
        return ox.Literal(text, datatype=ox.NamedNode(_XSD + "decimal"))
    if text in ("true", "false"):
        return ox.Literal(text, datatype=ox.NamedNode(_XSD + "boolean"))
    return ox.Literal(text)


def _iri(text: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(text)
    except ValueError as exc:
        raise UsageError(f"not an IRI: {text}: {exc}") from exc


def parse_bindings(items: Sequence[str]) -> dict[str, Term]:
    """`VAR=VALUE` pairs (VAR with or without `?`) as {variable: term}.

    >>> parse_bindings(["?country=country:RUS"])["country"].value
    'https://w3id.org/tip-kg/id/country/RUS'
    """
    out: dict[str, Term] = {}
    for item in items:
        name, eq, value = item.partition("=")
        name = name.strip().lstrip("?$")
        if not eq or not _VARIABLE.fullmatch(name):
            raise UsageError(
                f"--bind {item!r}: expected VAR=VALUE", "e.g. --bind country=country:KAZ"
            )
        if name in out:
            raise UsageError(f"--bind {name} given twice")
        out[name] = parse_term(value)
    return out


def check_bindings(query: NamedQuery, bindings: Mapping[str, Term]) -> None:
    """Refuse a binding for a variable the query never mentions (a typo, most likely)."""
    body = "\n".join(line for line in query.text.splitlines() if not line.lstrip().startswith("#"))
    for name in bindings:
        if not re.search(rf"[?$]{re.escape(name)}\b", body):
            raise UsageError(
                f"{query.origin} has no variable ?{name}",
                "see the query's comment for its parameters",
            )


# ---------------------------------------------------------------- output


def term_text(term: Term | None) -> str:
    """A term as a short display string: IRIs with a known prefix, literals as their value.

    >>> term_text(ox.NamedNode("https://w3id.org/tip-kg/id/country/KAZ"))
    'country:KAZ'
    >>> term_text(ox.Literal("29", datatype=ox.NamedNode(_XSD + "integer")))
    '29'
    >>> term_text(None)
    ''
    """
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return " ".join(term.value.split())
    return str(term)


def shorten(iri: str) -> str:
    """`prefix:local` for an IRI under one of `kg.vocab.PREFIXES` (the longest wins)."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(PREFIXES.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(PREFIXES[best]) :]}" if best else f"<{iri}>"


def _numeric(term: Term | None) -> bool:
    return isinstance(term, ox.Literal) and term.datatype.value in (
        _XSD + "integer",
        _XSD + "decimal",
        _XSD + "double",
        _XSD + "float",
    )


def render_table(result: QueryResult) -> str:
    """An aligned text table (numbers right-aligned), ending with the row count."""
    if result.kind == "ask":
        return "true\n" if result.boolean else "false\n"
    if result.kind == "graph":
        return "".join(
            printable(f"{t.subject} {t.predicate} {t.object} .") + "\n"
            for t in sorted(result.triples, key=str)
        )
    header = list(result.variables)
    # a value may come from a remote endpoint: no control character reaches the terminal
    cells = [[printable(term_text(t)) for t in row] for row in result.rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(header)]
    right = [
        bool(result.rows) and all(_numeric(r[i]) or r[i] is None for r in result.rows)
        for i in range(len(header))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [line(header), line(["-" * w for w in widths])]
    out.extend(line(r) for r in cells)
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD + "string":
            out["datatype"] = term.datatype.value
        return out
    raise QueryError(f"cannot write the term {term} as a SPARQL result")


def serialize_result(result: QueryResult, fmt: str) -> bytes:
    """The result in a SPARQL 1.1 Query Results format: `json`, `csv` or `tsv`.

    The documents are written by Oxigraph's result writers, so they follow the W3C
    formats exactly (CSV with CRLF line ends; TSV with terms in Turtle syntax).
    """
    formats = {
        "json": ox.QueryResultsFormat.JSON,
        "csv": ox.QueryResultsFormat.CSV,
        "tsv": ox.QueryResultsFormat.TSV,
    }
    if fmt not in formats:
        raise UsageError(f"unknown result format {fmt!r}", "one of: " + ", ".join(FORMATS))
    if result.kind == "graph":
        raise UsageError(
            f"a CONSTRUCT or DESCRIBE result is a graph, not {fmt} rows",
            "leave out --format to get N-Triples",
        )
    if result.kind == "ask":
        document: dict[str, object] = {"head": {}, "boolean": bool(result.boolean)}
    else:
        bindings = [
            {v: _json_term(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
            for row in result.rows
        ]
        document = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    data = json.dumps(document, ensure_ascii=False).encode("utf-8")
    answer = ox.parse_query_results(data, ox.QueryResultsFormat.JSON)
    out = answer.serialize(format=formats[fmt])
    return out if out.endswith(b"\n") else out + b"\n"


# ---------------------------------------------------------------- the command's one call


def query_graph(
    spec: str,
    bindings: Mapping[str, Term] | None = None,
    *,
    seeds_dir: str | Path = "seeds",
    sources_dir: str | Path | None = None,
    ontology_dir: str | Path | None = None,
    engine: Engine | None = None,
) -> QueryResult:
    """Read the query `spec` (see `read_query`) and answer it.

    Without `engine`, the graph is built from the seeds into an embedded store.
    """
    query = read_query(spec)
    check_query_depth(query.text, origin=query.origin)  # before the graph is built
    bindings = dict(bindings or {})
    check_bindings(query, bindings)
    if engine is None:
        from kg.pipeline import load_graph

        engine = LocalEngine(load_graph(seeds_dir, sources_dir, ontology_dir))
    return engine.run(query.text, bindings, origin=query.origin)
