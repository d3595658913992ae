"""Issue 12, the server's share: a read-only endpoint that stays read-only and up.

Every test runs the real `kg` command or a real `kg serve` on 127.0.0.1, started here,
with bounded waits. The probes at the end are the standing reliability suite for the
server: SSRF, bad parameters, slow clients and concurrency.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kg.query import check_query_depth, service_clauses
from tests.conftest import ROOT
from tests.servers import free_port

DEEP = "ASK " + "{" * 5000 + "}" * 5000


# --- item 10: over-deep queries are refused before the parser -------------------------

@pytest.mark.parametrize("where", ["embedded", "endpoint"])
def test_issue12_query_nested_5000_deep_is_refused(tmp_path: Path, where: str) -> None:
    query = tmp_path / "deep.rq"
    query.write_text(DEEP, encoding="utf-8")
    extra = ["--endpoint", f"http://127.0.0.1:{free_port()}/sparql", "--retries", "0"] \
        if where == "endpoint" else []
    result = subprocess.run([sys.executable, "-m", "kg", "query", *extra, str(query)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith(f"{query}:1:205: error: the query nests deeper than 200 levels")


def test_issue12_brackets_in_strings_iris_and_comments_do_not_count() -> None:
    text = ('ASK { FILTER("' + "{" * 300 + '") } # ' + "(" * 300 + "\n"
            + "<http://x/" + "[" * 300 + ">")
    check_query_depth(text)  # no error
    with pytest.raises(Exception, match="deeper than 200"):
        check_query_depth("SELECT * { FILTER(" + "(" * 201 + "1" + ")" * 201 + ") }")


def test_issue12_query_nested_within_the_limit_still_runs(kg) -> None:  # type: ignore[no-untyped-def]
    result = kg("query", "--", "ASK " + "{" * 150 + "}" * 150)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "true\n"


# --- item 1: SERVICE found by its tokens ------------------------------------------------

@pytest.mark.parametrize(("text", "targets"), [
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
])
def test_issue12_service_clauses_are_found_by_tokens(text: str, targets: list[str]) -> None:
    assert [c.target for c in service_clauses(text)] == targets


def test_issue12_service_endpoint_resolves_escapes() -> None:
    (clause,) = service_clauses("SELECT * { SERVICE <http://\\u0061/s> {} }")
    assert clause.endpoint == "http://a/s" and (clause.line, clause.col) == (1, 12)
    (relative,) = service_clauses("SELECT * { SERVICE <sparql> {} }")
    assert relative.endpoint is None
