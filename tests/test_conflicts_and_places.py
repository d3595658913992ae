"""Sources that disagree are warned about, not rejected; report spellings resolve."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.places import resolve_place, suggest_place
from tests.conftest import run_kg

SECOND_READING = """\
source:
  id: tip-2006-second-reading
  title: "A second reading of the 2006 TIP report"
  publisher: test
  published: 2006
  period: {start: 2005-01-01, end: 2005-12-31}
  text: 000_e99b225cc022d9a6.txt
  sha256: 90d262109e4caa36598419ea7a4c6b429449d2376b1fc9bccac1f5bc5d2ac585
  license: https://creativecommons.org/publicdomain/mark/1.0/
assertions:
  - id: second-investigations-2005
    kind: indicator
    country: Kazakhstan
    year: 2005
    metric: investigations
    value: 27
    evidence: Police conducted 29 trafficking investigations in 2005, up from 27 in 2004.
  - id: second-tier-2006
    kind: tier_placement
    country: KZ
    year: 2006
    tier: tier_2_watch_list
    evidence: Kazakhstan (Tier 2)
"""


def test_disagreeing_sources_give_warnings_and_both_stay(seeds_copy: Path,
                                                         sources_dir: Path) -> None:
    (seeds_copy / "second.yaml").write_text(SECOND_READING)
    result = run_kg("validate", "--seeds", str(seeds_copy), "--sources", str(sources_dir))
    assert result.returncode == 0, result.stderr
    assert "0 errors, 4 warnings" in result.stdout
    assert ("warning: sources disagree on indicator KAZ 2005 investigations: "
            "tip-2006-kazakhstan (tip2006-investigations-2005) says 29; "
            "tip-2006-second-reading (second-investigations-2005) says 27") in result.stderr
    assert "sources disagree on tier KAZ 2006" in result.stderr
    assert "second.yaml:11:5: warning" in result.stderr


@pytest.mark.parametrize("spelling,code", [
    ("U.A.E.", "ARE"), ("United Arab Emirates", "ARE"), ("South Korea", "KOR"),
    ("Russia", "RUS"), ("Turkey", "TUR"), ("United States", "USA"), ("Kyrgyzstan", "KGZ"),
    ("kaz", "KAZ"), ("Germany", "DEU"), ("Afghanistan", "AFG"),
])
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
