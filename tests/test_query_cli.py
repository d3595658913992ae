"""`kg query` as a user runs it: names, files, text, formats, parameters, errors.

On the fixture corpus (tests/fixtures); the answers are those of tests/test_queries.py.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.errors import UsageError
from kg.query import (
    QueryResult,
    named_queries,
    parse_bindings,
    parse_term,
    render_table,
    result_from_json,
    serialize_result,
    term_text,
)
from tests.conftest import FIXTURE_SEEDS, FIXTURE_SOURCES, run_kg

TIERS_TABLE = """\
country     year  tier               source
----------  ----  -----------------  ----------------
Kazakhstan  2006  tier_2             fx-monitor-2006
Kazakhstan  2006  tier_2             fx-review-2008
Kazakhstan  2007  tier_2             fx-review-2008
Kyrgyzstan  2006  tier_2_watch_list  fx-monitor-2006
Kyrgyzstan  2006  tier_2             fx-review-2008
Moldova     2008  tier_2_watch_list  fx-bulletin-2009
(6 rows)
"""


Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def kg_query() -> Run:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_kg(
            "query", "--seeds", str(FIXTURE_SEEDS), "--sources", str(FIXTURE_SOURCES), *args
        )

    return run


def test_list_names_every_query_with_its_question(kg_query: Run) -> None:
    done = kg_query("--list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(named_queries()) >= 20
    assert any(
        line.startswith("tier-placements ")
        and line.endswith(
            "In which tier was each country placed, year by year, and by which source?"
        )
        for line in lines
    )


def test_named_query_as_a_table(kg_query: Run) -> None:
    done = kg_query("tier-placements")
    assert done.returncode == 0, done.stderr
    assert done.stdout == TIERS_TABLE


def test_csv_and_tsv_are_the_sparql_results_formats(kg_query: Run) -> None:
    csv = kg_query("tier-placements", "--format", "csv")
    assert csv.returncode == 0, csv.stderr
    assert csv.stdout.splitlines() == [
        "country,year,tier,source",
        "Kazakhstan,2006,tier_2,fx-monitor-2006",
        "Kazakhstan,2006,tier_2,fx-review-2008",
        "Kazakhstan,2007,tier_2,fx-review-2008",
        "Kyrgyzstan,2006,tier_2_watch_list,fx-monitor-2006",
        "Kyrgyzstan,2006,tier_2,fx-review-2008",
        "Moldova,2008,tier_2_watch_list,fx-bulletin-2009",
    ]
    tsv = kg_query("law-articles", "--format", "tsv")
    lines = tsv.stdout.splitlines()
    assert lines[0] == "?source\t?jurisdiction\t?code\t?article\t?maxPenaltyYears\t?year"
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert lines[1:] == [
        f'"fx-monitor-2006"\t"Kazakhstan"\t"Penal Code"\t"128"\t"15"^^<{xsd}decimal>\t'
        f'"2005"^^<{xsd}gYear>',
        # B gives no year: an empty last field
        f'"fx-review-2008"\t"Kazakhstan"\t"penal code"\t"128"\t"12"^^<{xsd}decimal>\t',
    ]


def test_json_with_a_bound_parameter(kg_query: Run) -> None:
    done = kg_query("claims-about-country", "--bind", "country=country:KOR", "--format", "json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["head"]["vars"] == ["country", "source", "claim", "kind", "role", "quote"]
    rows = doc["results"]["bindings"]
    assert [r["claim"]["value"] for r in rows] == ["b-kaz-outbound-2007"]
    assert rows[0]["country"] == {"type": "uri", "value": "https://w3id.org/tip-kg/id/country/KOR"}
    # the same parameter written as a full IRI gives the same answer
    again = kg_query(
        "claims-about-country",
        "--bind",
        "?country=<https://w3id.org/tip-kg/id/country/KOR>",
        "--format",
        "json",
    )
    assert json.loads(again.stdout) == doc


def test_a_bound_value_is_a_term_not_query_text(kg_query: Run) -> None:
    # a value that would break out of the query if it were pasted in is just a string
    done = kg_query("claims-about-country", "--bind", 'country=x" } } SELECT * { ?s ?p ?o')
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("(0 rows)\n")


def test_query_text_and_file(kg_query: Run, tmp_path: Path) -> None:
    text = "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f a kg:TraffickingFlow }"
    done = kg_query("--format", "csv", "--", text)
    assert done.returncode == 0, done.stderr
    # one per origin-destination pair: A 3 + 2, B 2 + 1, C 2 + 1 + 1
    assert done.stdout.splitlines() == ["n", "12"]
    path = tmp_path / "flows.rq"
    path.write_text("# How many flows?\n" + text + "\n", encoding="utf-8")
    from_file = kg_query(str(path), "--format", "csv")
    assert from_file.stdout == done.stdout
    ask = kg_query("--", "ASK { ?x kg:origin country:MDA }")
    assert ask.stdout == "true\n"
    nowhere = kg_query("--", "ASK { ?x kg:origin country:AFG }")
    assert nowhere.stdout == "false\n"


def test_malformed_query_reports_line_and_column(kg_query: Run, tmp_path: Path) -> None:
    done = kg_query("--", "SELECT ?x WHERE { ?x ?y }")
    assert done.returncode == 2
    assert done.stderr.startswith("<query>:1:26: error: expected ")
    assert "Traceback" not in done.stderr
    path = tmp_path / "broken.rq"
    path.write_text("# A broken query?\nSELECT ?x\nWHERE { ?x nope:p ?y }\n", encoding="utf-8")
    broken = kg_query(str(path))
    assert broken.returncode == 2
    assert broken.stderr.startswith(f"{path}:3:")
    assert "undeclared prefix (hint: declare it with PREFIX" in broken.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("tier-placement",),
            "no named query 'tier-placement' (hint: did you mean tier-placements",
        ),
        (
            ("tier-placements", "--bind", "nation=country:KAZ"),
            "queries/tier-placements.rq has no variable ?nation",
        ),
        (("tier-placements", "--bind", "nonsense"), "expected VAR=VALUE"),
        (("tier-placements", "--format", "xml"), "invalid choice: 'xml'"),
        ((), "give a query"),
    ],
)
def test_usage_errors_exit_2(kg_query: Run, args: tuple[str, ...], message: str) -> None:
    done = kg_query(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_label_column_binds_to_a_plain_string(kg_query: Run) -> None:
    done = kg_query("tier-placements", "--bind", 'year="2007"^^xsd:gYear', "--format", "csv")
    assert done.stdout.splitlines()[1:] == ["Kazakhstan,2007,tier_2,fx-review-2008"]
    label = kg_query("tier-placements", "--bind", "country=Kazakhstan")
    assert label.stdout.endswith("(3 rows)\n")
    none = kg_query("tier-placements", "--bind", "country=Russian Federation")
    assert none.stdout.endswith("(0 rows)\n")


def test_construct_is_written_as_ntriples(kg_query: Run) -> None:
    done = kg_query("--", "CONSTRUCT { ?s a kg:LawArticle } WHERE { ?s a kg:LawArticle }")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 2  # article 128 in A and in B
    csv = kg_query("--format", "csv", "--", "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t }")
    assert csv.returncode == 2 and "is a graph" in csv.stderr


# ---------------------------------------------------------------- the library pieces


def test_json_round_trip_is_the_remote_seam() -> None:
    store = ox.Store()
    sparql = (
        'SELECT ?a ?b ?c WHERE { VALUES (?a ?b ?c) { (<http://e/x> "t"@en UNDEF) '
        '(1 "x,\\"y\\"" 2.5) } }'
    )
    from kg.query import run_query

    local = run_query(store, sparql)
    remote = result_from_json(serialize_result(local, "json"))
    assert remote == local
    assert render_table(local).splitlines() == [
        "a             b        c",
        "------------  -----  ---",
        "<http://e/x>  t",
        '1             x,"y"  2.5',
        "(2 rows)",
    ]
    assert serialize_result(local, "csv") == b'a,b,c\r\nhttp://e/x,t,\r\n1,"x,""y""",2.5\r\n'


def test_table_aligns_numbers_right() -> None:
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    result = QueryResult(
        "select",
        ("name", "n"),
        (
            (ox.Literal("a"), ox.Literal("5", datatype=integer)),
            (ox.Literal("bbb"), ox.Literal("150", datatype=integer)),
        ),
    )
    assert render_table(result) == "name    n\n----  ---\na       5\nbbb   150\n(2 rows)\n"


@given(st.text(max_size=30))
def test_quoted_values_are_plain_strings(text: str) -> None:
    term = parse_term('"' + text + '"')
    assert isinstance(term, ox.Literal) and term.value == text
    assert term.datatype.value.endswith("#string")


@given(st.integers())
def test_numbers_bind_as_integers(n: int) -> None:
    term = parse_term(str(n))
    assert isinstance(term, ox.Literal) and term.value == str(n)
    assert term.datatype.value.endswith("#integer")


@given(
    st.sampled_from(["country", "region", "year", "source", "kg"]),
    st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,10}", fullmatch=True),
)
def test_prefixed_names_round_trip_through_the_table(prefix: str, local: str) -> None:
    term = parse_term(f"{prefix}:{local}")
    assert isinstance(term, ox.NamedNode)
    assert term_text(term) == f"{prefix}:{local}"


def test_binding_rules() -> None:
    bound = parse_bindings(
        ["a=<urn:x>", 'b="2005"^^xsd:gYear', "c=true", "d=6.5", "e=Kazakhstan", 'f="Kazakhstan"@en']
    )
    assert bound["a"] == ox.NamedNode("urn:x")
    assert bound["b"].datatype.value.endswith("#gYear")
    assert bound["c"].datatype.value.endswith("#boolean")
    assert bound["d"].datatype.value.endswith("#decimal")
    assert bound["e"] == ox.Literal("Kazakhstan")
    assert bound["f"].language == "en"
    with pytest.raises(UsageError):
        parse_bindings(["x=1", "x=2"])
