"""Comparing sources, every kind of claim (issue 13), on the fixture under
tests/fixtures/compare/ (two made-up sources about one country) and on seed files the
tests write: nothing here depends on the project's real seeds."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kg
from kg.compare import (
    AGREES,
    CONTRADICTS,
    LESS_SPECIFIC,
    MORE_SPECIFIC,
    ONLY,
    compare_claims,
    value_outcome,
)
from kg.concepts import default_ontology_dir, load_concepts
from kg.findings import Location
from tests.conftest import SEEDS as REAL_SEEDS
from tests.conftest import run_kg

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "compare"
SEEDS = FIXTURE / "seeds"
TEXTS = FIXTURE / "texts"
CONCEPTS = load_concepts(default_ontology_dir())


def _validate_json(seeds: Path) -> list[dict[str, object]]:
    done = run_kg("validate", "--seeds", str(seeds), "--sources", str(TEXTS), "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr  # warnings, never errors
    report = json.loads(done.stdout)
    assert report["errors"] == 0
    return report["findings"]


def _where(finding: dict[str, object]) -> str:
    return f"{Path(str(finding['file'])).name}:{finding['line']}"


def test_issue13_validate_warns_about_each_disagreement() -> None:
    findings = _validate_json(SEEDS)
    by_code: dict[str, list[str]] = {}
    for f in findings:
        assert f["severity"] == "warning"
        by_code.setdefault(str(f["code"]), []).append(f"{_where(f)} {f['message']}")
    # each names the other assertion's file:line as well as its own
    for lines in by_code.values():
        for line in lines:
            assert re.search(r"(alpha-report-2010|beta-article)\.yaml:\d+", line.split(" ", 1)[1])
    specific = " | ".join(by_code["source-more-specific"])
    assert (
        "alpha-report-2010.yaml:24 alpha-report-2010 (alpha-outbound) says girls where "
        "beta-article (beta-outbound at" in specific
    )
    assert "says children" in specific
    assert "(alpha-outbound) says commercial_sexual_exploitation where" in specific
    assert "(alpha-role) says commercial_sexual_exploitation where" in specific
    differ = " | ".join(by_code["sources-differ"])
    for stated in (
        "(alpha-outbound) states the flow MDA → TUR",
        "(beta-outbound) states the flow MDA → ISR",
        "(alpha-inbound) states the flow UKR → MDA",
        "(beta-inbound) states the flow BLR → MDA",
        "(alpha-role) states the role transit MDA",
        "(beta-role) states the role destination MDA",
    ):
        assert stated in differ
    assert len(by_code["sources-differ"]) == 6
    disagree = " | ".join(by_code["sources-disagree"])
    assert (
        "indicator MDA 2009 investigations: alpha-report-2010 (alpha-investigations) says "
        "20; beta-article (beta-investigations) says 25" in disagree
    )
    assert "tier MDA 2010 (about 2009)" in disagree
    # alpha's trend leaves `compared_to` out: the year before is meant, and it contradicts
    assert (
        "trend MDA 2009 convictions 2008: alpha-report-2010 (alpha-trend) says increase; "
        "beta-article (beta-trend) says decrease" in disagree
    )
    assert len(by_code["sources-disagree"]) == 6  # three contradictions, warned on each side
    labels = " | ".join(by_code["cycle-label-differs"])
    assert "(alpha-outbound) dates MDA → RUS 2009 and beta-article (beta-outbound at " in labels
    assert "dates it 2010: the same period (about 2009)" in labels


def test_issue13_without_cycle_the_report_year_is_pointed_out(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    beta = seeds / "beta-article.yaml"
    beta.write_text(beta.read_text().replace("    cycle: 2010\n", ""))
    findings = _validate_json(seeds)
    hints = [f for f in findings if f["code"] == "cycle-may-differ"]
    assert {_where(f) for f in hints} == {"beta-article.yaml:13", "beta-article.yaml:21"}
    assert all("add `cycle: 2010`" in str(f["hint"]) for f in hints)
    # and the two sources' flows are no longer compared as one period
    assert not [f for f in findings if f["code"] == "source-more-specific"]


def test_issue13_compare_prints_the_table() -> None:
    done = run_kg(
        "compare",
        "--seeds",
        str(SEEDS),
        "--sources",
        str(TEXTS),
        "--source",
        "alpha-report-2010",
        "--source",
        "beta-article",
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[:3] == ["outcome", "kind", "subject"]
    rows = [line.split() for line in lines[1:-1]]
    assert [
        "more",
        "specific",
        "flow",
        "MDA→RUS",
        "2009",
        "victim_group",
        "girls",
        "alpha-report-2010",
        "alpha-outbound",
        "beta-article",
        "children",
        "beta-outbound",
    ] in rows
    assert [
        "only",
        "flow",
        "UKR→MDA",
        "2009",
        "edge",
        "(stated)",
        "alpha-report-2010",
        "alpha-inbound",
        "beta-article",
        "-",
        "(beta-inbound)",
    ] in rows
    assert lines[-1] == (
        "24 comparisons: 6 agrees, 3 more specific, 3 less specific, 6 only, 6 contradicts"
    )
    for outcome in ("agrees", "more specific", "less specific", "only", "contradicts"):
        assert re.search(rf"[1-9]\d* {outcome}\b", lines[-1]), lines[-1]


def test_issue13_compare_json_and_country() -> None:
    done = run_kg(
        "compare",
        "--seeds",
        str(SEEDS),
        "--sources",
        str(TEXTS),
        "--country",
        "Ukraine",
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["country"] == "UKR"
    assert doc["sources"] == ["alpha-report-2010", "beta-article"]
    assert [
        (r["outcome"], r["subject"], r["assertion"], r["other_assertion"]) for r in doc["rows"]
    ] == [("only", "UKR>MDA", "alpha-inbound", "beta-inbound")]


@pytest.mark.parametrize(
    "args,message",
    [
        (["--source", "nope"], "--source nope: no such source"),
        (["--source", "beta-article"], "comparing needs two sources or more; 1 given"),
        (["--country", "Atlantis"], "--country Atlantis: unknown country"),
    ],
)
def test_issue13_compare_usage_errors(args: list[str], message: str) -> None:
    done = run_kg("compare", "--seeds", str(SEEDS), *args)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert "(hint: " in done.stderr


def test_compare_library_function_alone() -> None:
    result = kg.compare(
        SEEDS, ["beta-article", "alpha-report-2010"], "MDA", sources_dir=TEXTS, cache_dir=False
    )
    contradictions = sorted(
        (r.claim[7], r.other[7]) for r in result.rows if r.outcome == CONTRADICTS
    )
    assert contradictions == [
        ("alpha-investigations", "beta-investigations"),
        ("alpha-tier", "beta-tier"),
        ("alpha-trend", "beta-trend"),
        ("beta-investigations", "alpha-investigations"),
        ("beta-tier", "alpha-tier"),
        ("beta-trend", "alpha-trend"),
    ]


def test_issue13_cycle_is_recorded_in_the_graph() -> None:
    store = kg.load_graph(SEEDS, TEXTS, cache_dir=False)
    rows = list(
        store.query("""
        PREFIX kg: <https://w3id.org/tip-kg/ontology#>
        PREFIX dct: <http://purl.org/dc/terms/>
        SELECT DISTINCT ?id ?edition ?covers WHERE {
          ?a dct:identifier ?id ; kg:reportingCycle ?c .
          ?c kg:edition ?edition ; dct:temporal/kg:yearValue ?covers }
        ORDER BY ?id""")
    )
    got = {(r["id"].value, r["edition"].value, r["covers"].value) for r in rows}
    # beta's statements carry their own cycle; alpha's take the header's
    assert ("beta-outbound", "2010", "2009") in got
    assert ("alpha-inbound", "2010", "2009") in got
    assert ("alpha-report-2010", "2010", "2009") in got  # the source itself
    assert not any(i in ("beta-investigations", "beta-tier") for i, _, _ in got)


def test_issue13_a_cycle_out_of_range_is_located(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    beta = seeds / "beta-article.yaml"
    beta.write_text(beta.read_text().replace("    cycle: 2010\n", "    cycle: 1850\n", 1))
    done = run_kg("validate", "--seeds", str(seeds), "--sources", str(TEXTS))
    assert done.returncode == 1
    assert re.search(r"beta-article\.yaml:18:12: error: year 1850 is out of range", done.stderr)


# --- the pure comparison ------------------------------------------------------------

_GROUPS = sorted(CONCEPTS.by_scheme["victim_group"])
_PURPOSES = sorted(CONCEPTS.by_scheme["purpose"])


def _claim(
    source: str, aspect: str, value: str, kind: str = "flow", subject: str = "MDA>RUS"
) -> tuple:
    return (
        kind,
        subject,
        2009,
        aspect,
        value,
        2009,
        source,
        f"{source}-{value}",
        Location(f"{source}.yaml", 1, 1),
    )


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["victim_group", "purpose"]), st.data())
def test_more_specific_is_antisymmetric_and_mirrored(aspect: str, data: st.DataObject) -> None:
    values = _GROUPS if aspect == "victim_group" else _PURPOSES
    a, b = data.draw(st.sampled_from(values)), data.draw(st.sampled_from(values))
    there = value_outcome("flow", aspect, a, b, CONCEPTS)
    back = value_outcome("flow", aspect, b, a, CONCEPTS)
    mirror = {
        AGREES: AGREES,
        MORE_SPECIFIC: LESS_SPECIFIC,
        LESS_SPECIFIC: MORE_SPECIFIC,
        None: None,
    }
    assert back == mirror[there]
    if a != b:
        assert there != AGREES


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["s1", "s2", "s3"]),
            st.sampled_from(["figure", "tier", "flow"]),
            st.sampled_from(["1", "2", "3"]),
        ),
        max_size=8,
    )
)
def test_contradiction_is_symmetric(items: list[tuple[str, str, str]]) -> None:
    claims = [
        _claim(source, "tier" if kind == "tier" else "x", value, kind, "MDA")
        for source, kind, value in items
    ]
    rows = compare_claims(claims, CONCEPTS)
    contradicting = {
        (r.claim[6], r.claim[4], r.other[6], r.other[4], r.claim[0])
        for r in rows
        if r.outcome == CONTRADICTS
    }
    assert contradicting == {(c, d, a, b, k) for a, b, c, d, k in contradicting}
    for r in rows:  # a claim never meets its own source
        assert r.claim[6] != r.other_source


def test_every_outcome_of_an_edge() -> None:
    claims = [
        _claim("a", "edge", ""),
        _claim("b", "edge", ""),
        _claim("a", "victim_group", "girls"),
        _claim("b", "victim_group", "children"),
        _claim("a", "victim_group", "men"),
        _claim("a", "edge", "", subject="MDA>TUR"),
    ]
    roles = [_claim(s, "role", "source", "role", "MDA") for s in ("a", "b")]
    # an edge the other source leaves out counts where it describes the country (its role)
    without_roles = {(r.claim[1], r.outcome) for r in compare_claims(claims, CONCEPTS)}
    assert ("MDA>TUR", ONLY) not in without_roles
    got = {
        (r.claim[6], r.claim[1], r.claim[4], r.outcome)
        for r in compare_claims(claims + roles, CONCEPTS)
        if r.claim[0] == "flow"
    }
    assert got == {
        ("a", "MDA>RUS", "", AGREES),
        ("b", "MDA>RUS", "", AGREES),
        ("a", "MDA>RUS", "girls", MORE_SPECIFIC),
        ("b", "MDA>RUS", "children", LESS_SPECIFIC),
        ("a", "MDA>RUS", "men", ONLY),
        ("a", "MDA>TUR", "", ONLY),
    }


# --- kg flows diff: the same notion of "same" ---------------------------------------


def _diff(*args: str) -> tuple[int, dict[str, str], str]:
    done = run_kg(
        "flows", "diff", "--seeds", str(SEEDS), "--sources", str(TEXTS), *args, "--format", "json"
    )
    if done.returncode:
        return done.returncode, {}, done.stderr
    rows = json.loads(done.stdout)["diff"]
    return 0, {r["item"].split(":")[0]: f"{r['change']} {r['item']}" for r in rows}, ""


def test_issue13_flows_diff_victim_group_children_includes_girls() -> None:
    code, rows, err = _diff(
        "--source", "alpha-report-2010", "--source", "beta-article", "--victim-group", "children"
    )
    assert code == 0, err
    # alpha states girls, beta children: the edge is on both sides, not removed and added
    assert rows["MDA → RUS"] == (
        "changed MDA → RUS: purposes commercial_sexual_exploitation → sexual_exploitation "
        "(more general); victim groups girls,women → children,women (more general)"
    )
    assert rows["MDA → TUR"].startswith("removed")
    assert rows["MDA → ISR"].startswith("added")
    assert "UKR → MDA" not in rows  # men only: not within children


def test_issue13_flows_diff_by_year_never_mixes_sources() -> None:
    code, _, err = _diff("--year", "2009", "--year", "2010")
    assert code == 2
    assert (
        "diff 2009 → 2010: the two sides come from different sources (2009: "
        "alpha-report-2010; 2010: beta-article)"
    ) in err
    assert "(hint: add --source ID" in err and "Traceback" not in err
    done = run_kg(
        "flows",
        "diff",
        "--seeds",
        str(SEEDS),
        "--source",
        "beta-article",
        "--year",
        "2009",
        "--year",
        "2010",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == (
        "From beta-article 2009 (no flows) to beta-article 2010 (beta-article)"
    )


def test_issue13_conflicts_query_lists_a_trend_without_compared_to() -> None:
    done = run_kg(
        "query", "conflicts", "--seeds", str(SEEDS), "--sources", str(TEXTS), "--format", "csv"
    )
    assert done.returncode == 0, done.stderr
    rows = done.stdout.splitlines()
    # alpha's trend has no `compared_to`: it means the year before, like beta's 2008
    assert (
        "trend,Moldova,2009,convictions,alpha-report-2010,alpha-trend,increase,"
        "beta-article,beta-trend,decrease"
    ) in rows
    assert len([r for r in rows if r]) == 1 + 3


COMPARISONS_QUERY = """
PREFIX kg: <https://w3id.org/tip-kg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?outcome ?claim ?source ?value ?other ?otherSource ?otherValue WHERE {
  GRAPH <https://w3id.org/tip-kg/id/comparisons> { ?c a kg:Comparison }
  ?c kg:outcome/skos:notation ?outcome ;
     kg:claim/dct:identifier ?claim ; kg:claim/prov:wasDerivedFrom/dct:identifier ?source ;
     kg:comparedWith/dct:identifier ?other ;
     kg:comparedWith/prov:wasDerivedFrom/dct:identifier ?otherSource .
  OPTIONAL { ?c kg:claimedValue ?value }
  OPTIONAL { ?c kg:comparedValue ?otherValue }
  FILTER (?outcome != "agrees")
} ORDER BY ?outcome ?claim ?value
"""


def test_issue13_comparisons_are_recorded_in_the_graph(tmp_path: Path) -> None:
    query = tmp_path / "comparisons.rq"
    query.write_text("# Which claims of two sources differ, and how?\n" + COMPARISONS_QUERY)
    done = run_kg(
        "query", "--seeds", str(SEEDS), "--sources", str(TEXTS), str(query), "--format", "csv"
    )
    assert done.returncode == 0, done.stderr
    rows = done.stdout.splitlines()[1:]
    assert (
        "more_specific,alpha-outbound,alpha-report-2010,girls,beta-outbound,beta-article,"
        "children" in rows
    )
    assert (
        "contradicts,alpha-tier,alpha-report-2010,tier_2,beta-tier,beta-article,"
        "tier_2_watch_list" in rows
    )
    assert "only,beta-inbound,beta-article,,alpha-inbound,alpha-report-2010," in rows
    # each pair once (from the source whose id sorts first), each *only* on its own side
    assert len(rows) == 12
    # and the exports hold the same graph
    out = tmp_path / "out"
    built = run_kg("build", "--seeds", str(SEEDS), "--sources", str(TEXTS), "--out", str(out))
    assert built.returncode == 0, built.stderr
    nq = (out / "tip-kg.nq").read_text()
    assert (
        nq.count(
            "<https://w3id.org/tip-kg/ontology#Comparison> "
            "<https://w3id.org/tip-kg/id/comparisons> ."
        )
        == 15
    )  # 12 and 3 agreeing


def test_issue13_the_2008_chapter_and_the_article_as_the_issue_found_them(
    tmp_path: Path, sources_dir: Path
) -> None:
    # The case that opened issue 13: the 2008 chapter and the Wikipedia article describe
    # one cycle and validated with 0 warnings. Only these two seed files are copied, so
    # a source added to seeds/ later changes nothing here.
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in ("tip-2008-kazakhstan.yaml", "wikipedia-human-trafficking-in-kazakhstan.yaml"):
        shutil.copy(REAL_SEEDS / name, seeds / name)
    result = run_kg("validate", "--seeds", str(seeds), "--sources", str(sources_dir))
    assert result.returncode == 0, result.stderr
    said = result.stderr
    # Ukraine in the chapter where the article names Afghanistan, each at its own line
    assert re.search(
        r"tip-2008-kazakhstan\.yaml:\d+:\d+: warning: .*states the flow UKR → KAZ", said
    ), said
    assert re.search(
        r"wikipedia-human-trafficking-in-kazakhstan\.yaml:\d+:\d+: warning: .*"
        r"states the flow AFG → KAZ",
        said,
    ), said
    # girls against children, commercial sexual exploitation against sexual exploitation
    assert re.search(r"says girls where .* says children, which includes it", said), said
    assert re.search(
        r"says commercial_sexual_exploitation where .* says sexual_exploitation", said
    ), said
    # the same statements dated 2007 by one and 2008 by the other: one period, said so
    assert re.search(
        r"dates .* 2007 and wikipedia-human-trafficking-in-kazakhstan .* dates "
        r"it 2008: the same period",
        said,
    ), said
