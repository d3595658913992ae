"""`kg coverage`: on the fixtures only the planted gaps are left uncovered, the real seeds'
report points into their texts, and the scanner finds what it should in any text."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
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
from tests.conftest import FIXTURE_SEEDS, FIXTURE_SOURCES, SEEDS, run_kg, seed_files

# What the fixture texts leave uncovered (tests/fixtures/README.md): each title line, C's
# closing line, the place in B's title and in C's treaty title (a title carries numbers
# only), and B's "200" border guards (the training measure has no number field).
BOILERPLATE = {
    "fx-bulletin-2009": {
        "untouched_sentences": [
            ("sentence", "Trafficking Bulletin", 1, 1),
            ("sentence", "The bulletin is published by volunteers.", 15, 1),
        ],
        "uncarried_mentions": [("place", "Europe", 10, 33)],
    },
    "fx-monitor-2006": {
        "untouched_sentences": [("sentence", "Regional Trafficking Monitor", 1, 1)],
        "uncarried_mentions": [],
    },
    "fx-review-2008": {
        "untouched_sentences": [("sentence", "Central Asia Trafficking Review", 1, 1)],
        "uncarried_mentions": [("place", "Central Asia", 1, 1), ("number", "200", 14, 17)],
    },
}

A_UNTOUCHED_RAW = [
    {"kind": k, "text": t, "line": line, "column": col, "key": None}
    for k, t, line, col in BOILERPLATE["fx-monitor-2006"]["untouched_sentences"]
]


def _pinned(doc: dict[str, object]) -> dict[str, object]:
    return {
        key: [(u["kind"], u["text"], u["line"], u["column"]) for u in doc[key]]
        for key in ("untouched_sentences", "uncarried_mentions")
    }


def test_only_the_planted_gaps_are_left_uncovered() -> None:
    done = run_kg(
        "coverage",
        "--seeds",
        str(FIXTURE_SEEDS),
        "--sources",
        str(FIXTURE_SOURCES),
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    sources = {s["source"]: s for s in json.loads(done.stdout)["sources"]}
    assert {sid: _pinned(doc) for sid, doc in sources.items()} == BOILERPLATE
    # and the scan did look at something: each line a sentence (C's line 8 is one, its
    # colon ends nothing); numbers, places and articles counted by hand, line by line
    # (article numbers are not numbers too; "low thousands" is one, "Tier 2" one)
    a, b, c = (sources[s] for s in ("fx-monitor-2006", "fx-review-2008", "fx-bulletin-2009"))
    assert (a["sentences"], b["sentences"], c["sentences"]) == (13, 13, 14)
    assert a["mentions"] == {"article": 1, "number": 18, "place": 10}
    assert b["mentions"] == {"article": 1, "number": 28, "place": 10}
    assert c["mentions"] == {"number": 15, "place": 13}


def test_coverage_reads_kg_sources_and_reports_in_text() -> None:
    done = run_kg(
        "coverage", "--seeds", str(FIXTURE_SEEDS), env={"KG_SOURCES": str(FIXTURE_SOURCES)}
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert (
        "  fx-bulletin-2009.txt:15:1: sentence no quote touches: The bulletin is "
        "published by volunteers."
    ) in lines
    assert "  fx-review-2008.txt:14:17: number no assertion carries: 200" in lines
    assert "  fx-bulletin-2009.txt:10:33: place no assertion carries: Europe" in lines


def test_coverage_without_texts_is_a_usage_error() -> None:
    done = run_kg("coverage", "--seeds", str(FIXTURE_SEEDS), env={"KG_SOURCES": ""})
    assert done.returncode == 2
    assert "kg: error: coverage needs the source texts" in done.stderr


def test_a_dropped_assertion_shows_up(fixture_copy: Path) -> None:
    """Remove A's funding figure: its sentence stays quoted (by the shelter measure), but
    "$20,000" is no longer carried."""
    path = fixture_copy / "fx-monitor-2006.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: a-kaz-shelter-funding-2005")
    end = text.index("  - id: ", start + 10)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    done = run_kg(
        "coverage",
        "--seeds",
        str(fixture_copy),
        "--sources",
        str(FIXTURE_SOURCES),
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    a = next(s for s in json.loads(done.stdout)["sources"] if s["source"] == "fx-monitor-2006")
    assert [(u["kind"], u["text"], u["line"], u["key"]) for u in a["uncarried_mentions"]] == [
        ("number", "$20,000", 13, "20000")
    ]
    assert a["untouched_sentences"] == A_UNTOUCHED_RAW


@pytest.mark.real_seeds
def test_coverage_of_the_real_seeds_points_into_each_text(sources_dir: Path) -> None:
    done = run_kg(
        "coverage", "--seeds", str(SEEDS), "--sources", str(sources_dir), "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)["sources"]
    texts = dict(seed_files(SEEDS))
    assert sorted(s["source"] for s in report) == sorted(texts)
    for doc in report:
        lines = (sources_dir / texts[doc["source"]]).read_text(encoding="utf-8").splitlines()
        assert doc["sentences"] > 0 and sum(doc["mentions"].values()) > 0, doc["source"]
        # every gap it reports is where it says, word for word
        for gap in doc["untouched_sentences"] + doc["uncarried_mentions"]:
            line = lines[gap["line"] - 1]
            at = line[gap["column"] - 1 :]
            assert " ".join(at.split()).startswith(" ".join(gap["text"].split())[:40]), gap


def _record(quotes: list[str], **fields: object) -> AssertionRecord:
    from kg.findings import Location

    return AssertionRecord(
        "a",
        "indicator",
        "s",
        Location("x"),
        dict(fields),
        tuple(Quote(q, Location("x")) for q in quotes),
    )


def test_a_number_needs_a_quote_and_a_field_of_the_same_assertion() -> None:
    from kg.records import Literal

    raw = "Police ran 29 cases in 2005.\nCourts heard 7 cases."
    quoted_only = _record(
        ["Police ran 29 cases in 2005."], year=2005, value=Literal("30", "integer")
    )
    result = source_coverage("s", "t.txt", raw, [quoted_only])
    assert [(u.kind, u.text) for u in result.untouched] == [("sentence", "Courts heard 7 cases.")]
    # 2005 is carried (year), 29 is quoted but the field says 30, 7 is not quoted at all
    assert [(u.kind, u.text, u.line, u.col) for u in result.uncarried] == [
        ("number", "29", 1, 12),
        ("number", "7", 2, 14),
    ]


def test_scanner_on_tricky_words() -> None:
    text = (
        "In 2008 the U.S. and the Kyrgyz Republic, not Kazakhstani or Russian "
        "speakers, signed Articles 12(a) and 7; the first of two got six years and "
        "six months."
    )
    found = [(m.kind, m.key) for m in mentions(fold_text(text))]
    assert found == [
        ("number", "2008"),
        ("place", "USA"),
        ("place", "KGZ"),
        ("article", "12(a)"),
        ("article", "7"),
        ("number", "2"),
        ("number", "6.5"),
    ]


@given(st.text(alphabet=st.sampled_from(list("ab. \n\tX1,?")), max_size=60))
def test_folding_matches_the_quote_check(raw: str) -> None:
    folded = fold_text(raw)
    assert folded.text == fold_space(raw)
    for i, ch in enumerate(folded.text):
        assert raw[folded.origin[i]] == ch or (ch == " " and raw[folded.origin[i]].isspace())


@given(st.text(alphabet=st.sampled_from(list('Ab. \nU.S=-?"')), max_size=80))
def test_sentences_are_ordered_disjoint_pieces_of_the_text(raw: str) -> None:
    folded = fold_text(raw)
    spans = sentences(folded)
    for span in spans:
        assert folded.text[span.start : span.end] == span.text
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
