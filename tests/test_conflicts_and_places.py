"""Sources that disagree are warned about, not rejected; report spellings resolve."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.places import resolve_place, suggest_place
from tests.conftest import FIXTURE_SOURCES, run_kg

SECOND_READING = """\
source:
  id: fx-monitor-second-reading
  title: "A second reading of the fixture monitor"
  publisher: test
  published: 2006
  period: {start: 2005-01-01, end: 2005-12-31}
  text: fx-monitor-2006.txt
  sha256: 8735e1c6cc3fc672ecc060259d5174104c03995e5e89a659e46da81a7e23b10e
  license: https://creativecommons.org/publicdomain/zero/1.0/
assertions:
  - id: second-investigations-2005
    kind: indicator
    country: Kazakhstan
    year: 2005
    metric: investigations
    value: 30
    evidence: Police conducted 40 trafficking investigations in 2005, up from 30 in 2004.
  - id: second-tier-2006
    kind: tier_placement
    country: KZ
    year: 2006
    tier: tier_2_watch_list
    evidence: Kazakhstan was placed on Tier 2 in 2006.
"""


def test_disagreeing_sources_give_warnings_and_both_stay(fixture_copy: Path) -> None:
    before = run_kg("validate", "--seeds", str(fixture_copy), "--sources", str(FIXTURE_SOURCES))
    # the fixtures' own disagreements: four pairs and one law dated three ways
    assert before.returncode == 0, before.stderr
    assert "0 errors, 11 warnings" in before.stdout
    (fixture_copy / "second.yaml").write_text(SECOND_READING)
    result = run_kg("validate", "--seeds", str(fixture_copy), "--sources", str(FIXTURE_SOURCES))
    assert result.returncode == 0, result.stderr
    # two more keys, each on three claims (A's, B's and the second reading's)
    assert "0 errors, 17 warnings" in result.stdout
    assert (
        "warning: sources disagree on indicator KAZ 2005 investigations: "
        "fx-monitor-2006 (a-kaz-investigations-2005) says 40; "
        "fx-monitor-second-reading (second-investigations-2005) says 30"
    ) in result.stderr
    assert "sources disagree on tier KAZ 2006" in result.stderr
    assert "second.yaml:11:5: warning" in result.stderr
    # and both claims stay: the graph holds the two values
    query = run_kg(
        "query",
        "figures",
        "--seeds",
        str(fixture_copy),
        "--sources",
        str(FIXTURE_SOURCES),
        "--format",
        "csv",
    )
    assert query.returncode == 0, query.stderr
    rows = [line.split(",") for line in query.stdout.splitlines()[1:]]
    assert {(r[0], r[4]) for r in rows if r[2:4] == ["2005", "investigations"]} == {
        ("fx-monitor-2006", "40"),
        ("fx-review-2008", "40"),
        ("fx-monitor-second-reading", "30"),
    }


@pytest.mark.parametrize(
    "spelling,code",
    [
        ("U.A.E.", "ARE"),
        ("United Arab Emirates", "ARE"),
        ("South Korea", "KOR"),
        ("Russia", "RUS"),
        ("Turkey", "TUR"),
        ("United States", "USA"),
        ("Kyrgyzstan", "KGZ"),
        ("kaz", "KAZ"),
        ("Germany", "DEU"),
        ("Afghanistan", "AFG"),
    ],
)
def test_report_spellings_resolve(spelling: str, code: str) -> None:
    place = resolve_place(spelling)
    assert place is not None and place.kind == "country" and place.code == code


def test_kazakhstan_facts() -> None:
    kaz = resolve_place("Kazakhstan")
    assert kaz.iri == "https://w3id.org/tip-kg/id/country/KAZ"
    assert kaz.wikidata == "Q232" and kaz.alpha2 == "KZ" and kaz.numeric == "398"
    assert kaz.m49_subregion == "143"


def test_regions_carry_m49_only_where_it_matches() -> None:
    western = resolve_place("Western Europe")
    assert western.kind == "region" and western.m49 is None
    assert resolve_place("Central Asia").m49 == "143"


def test_demonym_hint() -> None:
    assert resolve_place("Kazakhstani") is None
    assert "demonym" in suggest_place("Kazakhstani")
