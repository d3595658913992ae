"""`kg coverage`: after curation only boilerplate is left uncovered, and the scanner finds
what it should in any text."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from kg.coverage import (
    fold_text,
    mentions,
    number_key,
    numbers_in,
    places_in,
    sentences,
    source_coverage,
)
from kg.quotes import fold_space
from kg.records import AssertionRecord, Quote
from tests.conftest import SEEDS, run_kg

TIP_TEXT = "000_e99b225cc022d9a6.txt"
WP_TEXT = "002_9e6afbafe25374e3.txt"

# What is left: Refworld's disclaimer (TIP), the article's title line and its "See also"
# section (WP). Nothing else: every other sentence is quoted, and every number, place
# name and article number is carried by an assertion that quotes it.
BOILERPLATE = {
    "tip-2006-kazakhstan": {
        "untouched_sentences": [
            ("sentence", "This is not a UNHCR publication.", 19, 1),
            ("sentence", "UNHCR is not responsible for, nor does it necessarily endorse, its "
             "content.", 19, 34),
            ("sentence", "Any views expressed are solely those of the author or publisher and "
             "do not necessarily reflect those of UNHCR, the United Nations or its Member "
             "States.", 19, 110),
        ],
        "uncarried_mentions": [],
    },
    "wikipedia-human-trafficking-in-kazakhstan": {
        "untouched_sentences": [
            ("sentence", "Human trafficking in Kazakhstan", 1, 3),
            ("sentence", "See also", 26, 3),
            ("sentence", "Human trafficking in Europe", 27, 3),
        ],
        "uncarried_mentions": [
            ("place", "Kazakhstan", 1, 24),  # the title line
            ("place", "Europe", 27, 24),  # the "See also" entry
        ],
    },
}


BOILERPLATE_TIP_RAW = [
    {"kind": k, "text": t, "line": line, "column": col, "key": None}
    for k, t, line, col in BOILERPLATE["tip-2006-kazakhstan"]["untouched_sentences"]]


def _pinned(doc: dict[str, object]) -> dict[str, object]:
    return {key: [(u["kind"], u["text"], u["line"], u["column"]) for u in doc[key]]
            for key in ("untouched_sentences", "uncarried_mentions")}


def test_only_boilerplate_is_left_uncovered(sources_dir: Path) -> None:
    done = run_kg("coverage", "--seeds", str(SEEDS), "--sources", str(sources_dir),
                  "--format", "json")
    assert done.returncode == 0, done.stderr
    sources = {s["source"]: s for s in json.loads(done.stdout)["sources"]}
    assert {sid: _pinned(doc) for sid, doc in sources.items()} == BOILERPLATE
    # and the scan did look at something: the texts' numbers, places and articles
    tip, wp = sources["tip-2006-kazakhstan"], sources["wikipedia-human-trafficking-in-kazakhstan"]
    assert tip["sentences"] == 39 and wp["sentences"] == 39
    assert tip["mentions"] == {"number": 25, "place": 24}
    assert wp["mentions"] == {"article": 5, "number": 50, "place": 30}


def test_coverage_reads_kg_sources_and_reports_in_text(sources_dir: Path) -> None:
    done = run_kg("coverage", "--seeds", str(SEEDS), env={"KG_SOURCES": str(sources_dir)})
    assert done.returncode == 0, done.stderr
    assert f"  {TIP_TEXT}:19:1: sentence no quote touches: This is not a UNHCR publication." \
        in done.stdout.splitlines()
    assert f"  {WP_TEXT}:27:24: place no assertion carries: Europe" in done.stdout


def test_coverage_without_texts_is_a_usage_error() -> None:
    done = run_kg("coverage", "--seeds", str(SEEDS), env={"KG_SOURCES": ""})
    assert done.returncode == 2
    assert "kg: error: coverage needs the source texts" in done.stderr


def test_a_dropped_assertion_shows_up(tmp_path: Path, sources_dir: Path) -> None:
    """Remove the points-of-entry figure: its sentence stays quoted (by the training
    measure), but "Kazakhstan's 150 official points of entry" is no longer carried."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    path = seeds / "tip-2006-kazakhstan.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: tip2006-points-of-entry")
    end = text.index("  - id: ", start + 10)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    done = run_kg("coverage", "--seeds", str(seeds), "--sources", str(sources_dir),
                  "--format", "json")
    assert done.returncode == 0, done.stderr
    tip = json.loads(done.stdout)["sources"][0]
    assert [(u["kind"], u["text"], u["key"]) for u in tip["uncarried_mentions"]] == [
        ("place", "Kazakhstan", "KAZ"), ("number", "150", "150")]
    assert tip["untouched_sentences"] == BOILERPLATE_TIP_RAW


def _record(quotes: list[str], **fields: object) -> AssertionRecord:
    from kg.findings import Location

    return AssertionRecord("a", "indicator", "s", Location("x"), dict(fields),
                           tuple(Quote(q, Location("x")) for q in quotes))


def test_a_number_needs_a_quote_and_a_field_of_the_same_assertion() -> None:
    from kg.records import Literal

    raw = "Police ran 29 cases in 2005.\nCourts heard 7 cases."
    quoted_only = _record(["Police ran 29 cases in 2005."],
                          year=2005, value=Literal("30", "integer"))
    result = source_coverage("s", "t.txt", raw, [quoted_only])
    assert [(u.kind, u.text) for u in result.untouched] == [("sentence", "Courts heard 7 cases.")]
    # 2005 is carried (year), 29 is quoted but the field says 30, 7 is not quoted at all
    assert [(u.kind, u.text, u.line, u.col) for u in result.uncarried] == [
        ("number", "29", 1, 12), ("number", "7", 2, 14)]


def test_scanner_on_tricky_words() -> None:
    text = ("In 2008 the U.S. and the Kyrgyz Republic, not Kazakhstani or Russian "
            "speakers, signed Articles 12(a) and 7; the first of two got six years and "
            "six months.")
    found = [(m.kind, m.key) for m in mentions(fold_text(text))]
    assert found == [("number", "2008"), ("place", "USA"), ("place", "KGZ"),
                     ("article", "12(a)"), ("article", "7"), ("number", "2"),
                     ("number", "6.5")]


@given(st.text(alphabet=st.sampled_from(list("ab. \n\tX1,?")), max_size=60))
def test_folding_matches_the_quote_check(raw: str) -> None:
    folded = fold_text(raw)
    assert folded.text == fold_space(raw)
    for i, ch in enumerate(folded.text):
        assert raw[folded.origin[i]] == ch or (ch == " " and raw[folded.origin[i]].isspace())


@given(st.text(alphabet=st.sampled_from(list("Ab. \nU.S=-?\"")), max_size=80))
def test_sentences_are_ordered_disjoint_pieces_of_the_text(raw: str) -> None:
    folded = fold_text(raw)
    spans = sentences(folded)
    for span in spans:
        assert folded.text[span.start:span.end] == span.text
        assert span.text.strip() == span.text and span.text
    for a, b in itertools.pairwise(spans):
        assert a.end <= b.start


@given(st.integers(min_value=0, max_value=10**9))
def test_written_numbers_keep_their_value(n: int) -> None:
    assert number_key(f"{n:,}") == str(n)
    assert number_key(f"${n}") == str(n)
    assert [m.key for m in numbers_in(f"paid {n:,} for it")] == [str(n)]


def test_country_codes_are_not_names() -> None:
    assert places_in("In AND On the US") == []
    assert [m.key for m in places_in("Bosnia and Herzegovina and Turkey")] == ["BIH", "TUR"]
