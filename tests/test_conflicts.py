"""Conflicting sources: a fourth source, written here, that contradicts the fixtures.

The fixture corpus (tests/fixtures) has one disagreement of each kind; this test adds a
seed file (and its source text) with more (several sources on one key, a breakdown by
sentence length and by victim group, dates of three precisions), and checks that the
`conflicts` query lists every disagreement and that `kg validate` warns about the same
claims, without failing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from kg import load_graph
from kg.query import named_query, run_query, term_text
from tests.conftest import FIXTURE_SEEDS, FIXTURE_SOURCES, run_kg

TEXT = """A test report that contradicts the others.
Police conducted 44 trafficking investigations in Kazakhstan in 2005.
Police conducted 55 trafficking investigations in Kazakhstan in 2007.
Nine offenders were sentenced to 5 years in 2007.
One offender was sentenced to 11 years in 2007.
Police identified 160 female victims of sexual exploitation in Moldova in 2008.
Police identified 90 victims of sexual exploitation in Moldova in 2008.
Moldova was placed on Tier 2 in 2008.
Kazakhstan was placed on Tier 2 in 2007.
Investigations in Kazakhstan decreased in 2005 compared with 2004.
Article 128 of the penal code prescribes up to 10 years.
Kazakhstan adopted the Law on Victim Assistance on 15 March 2005.
Moldova ratified the Council of Europe Convention on Action against Trafficking in 2007.
"""

SEED = """source:
  id: test-conflicting-report
  title: A contradicting test report
  publisher: tip-kg tests
  published: 2009
  period: {{start: 2005-01-01, end: 2008-12-31}}
  text: conflicting.txt
  sha256: {sha}
  license: https://creativecommons.org/publicdomain/zero/1.0/

assertions:
  - id: x-investigations-2005
    kind: indicator
    country: Kazakhstan
    year: 2005
    metric: investigations
    value: 44
    evidence: Police conducted 44 trafficking investigations in Kazakhstan in 2005.
  - id: x-investigations-2007
    kind: indicator
    country: Kazakhstan
    year: 2007
    metric: investigations
    value: 55
    evidence: Police conducted 55 trafficking investigations in Kazakhstan in 2007.
  - id: x-sentenced-5y
    kind: indicator
    country: Kazakhstan
    year: 2007
    metric: offenders_sentenced
    value: 9
    sentence_years: 5
    evidence: Nine offenders were sentenced to 5 years in 2007.
  - id: x-sentenced-11y
    kind: indicator
    country: Kazakhstan
    year: 2007
    metric: offenders_sentenced
    value: 1
    sentence_years: 11
    evidence: One offender was sentenced to 11 years in 2007.
  - id: x-female-victims-2008
    kind: indicator
    country: Moldova
    year: 2008
    metric: victims_identified
    purpose: sexual_exploitation
    victim_group: women
    value: 160
    evidence: Police identified 160 female victims of sexual exploitation in Moldova in 2008.
  - id: x-victims-2008
    kind: indicator
    country: Moldova
    year: 2008
    metric: victims_identified
    purpose: sexual_exploitation
    value: 90
    evidence: Police identified 90 victims of sexual exploitation in Moldova in 2008.
  - id: x-mda-tier-2008
    kind: tier_placement
    country: Moldova
    year: 2008
    tier: tier_2
    evidence: Moldova was placed on Tier 2 in 2008.
  - id: x-kaz-tier-2007
    kind: tier_placement
    country: Kazakhstan
    year: 2007
    tier: tier_2
    evidence: Kazakhstan was placed on Tier 2 in 2007.
  - id: x-investigations-trend-2005
    kind: trend
    country: Kazakhstan
    year: 2005
    metric: investigations
    direction: decrease
    compared_to: 2004
    evidence: Investigations in Kazakhstan decreased in 2005 compared with 2004.
  - id: x-article-128
    kind: law_article
    jurisdiction: Kazakhstan
    code: penal code
    article: "128"
    max_penalty_years: 10
    evidence: Article 128 of the penal code prescribes up to 10 years.
  - id: x-law-2005-03-15
    kind: legal_instrument
    jurisdiction: Kazakhstan
    instrument_type: law
    title: Law on Victim Assistance
    date: 2005-03-15
    evidence: Kazakhstan adopted the Law on Victim Assistance on 15 March 2005.
  - id: x-coe-2007
    kind: legal_instrument
    jurisdiction: Moldova
    instrument_type: treaty_ratification
    title: Council of Europe Convention on Action against Trafficking
    date: 2007
    evidence: >-
      Moldova ratified the Council of Europe Convention on Action against Trafficking in
      2007.
"""

X = "test-conflicting-report"
A = "fx-monitor-2006"
B = "fx-review-2008"
C = "fx-bulletin-2009"
KZ = "Kazakhstan"
KG = "Kyrgyzstan"
MD = "Moldova"
LAW = "Law on Victim Assistance: date"
COE = "Council of Europe Convention on Action against Trafficking: date"

# What disagrees once X joins the fixtures: each row is (kind, subject, year, about,
# source A, claim A, value A, source B, claim B, value B); X sorts after the fixtures'
# sources. What agrees (55 investigations and the tier in 2007, a law passed on a day of
# March 2005 against "March 2005" and "2005") and what has no counterpart (an 11-year
# sentence; 90 victims without a victim group) is not listed. The fixtures' own six
# disagreements stay.
CONFLICTS = [
    (
        "indicator",
        KZ,
        "2005",
        "convictions",
        A,
        "a-kaz-convictions-2005",
        "12",
        B,
        "b-kaz-convictions-2005",
        "10",
    ),
    (
        "indicator",
        KZ,
        "2005",
        "investigations",
        A,
        "a-kaz-investigations-2005",
        "40",
        X,
        "x-investigations-2005",
        "44",
    ),
    (
        "indicator",
        KZ,
        "2005",
        "investigations",
        B,
        "b-kaz-investigations-2005",
        "40",
        X,
        "x-investigations-2005",
        "44",
    ),
    (
        "indicator",
        KZ,
        "2007",
        "offenders_sentenced (5 years)",
        B,
        "b-kaz-sentenced-2007-5y",
        "10",
        X,
        "x-sentenced-5y",
        "9",
    ),
    (
        "indicator",
        MD,
        "2008",
        "victims_identified",
        C,
        "c-mda-victims-identified-2008",
        "150",
        X,
        "x-female-victims-2008",
        "160",
    ),
    (
        "law_article",
        KZ,
        "",
        "Penal Code article 128: max penalty years",
        A,
        "a-kaz-article-128",
        "15",
        B,
        "b-kaz-article-128",
        "12",
    ),
    (
        "law_article",
        KZ,
        "",
        "Penal Code article 128: max penalty years",
        A,
        "a-kaz-article-128",
        "15",
        X,
        "x-article-128",
        "10",
    ),
    (
        "law_article",
        KZ,
        "",
        "penal code article 128: max penalty years",
        B,
        "b-kaz-article-128",
        "12",
        X,
        "x-article-128",
        "10",
    ),
    (
        "legal_instrument",
        KZ,
        "",
        LAW,
        C,
        "c-kaz-victim-assistance-law",
        "2006",
        A,
        "a-kaz-victim-assistance-law",
        "2005-03",
    ),
    (
        "legal_instrument",
        KZ,
        "",
        LAW,
        C,
        "c-kaz-victim-assistance-law",
        "2006",
        B,
        "b-kaz-victim-assistance-law",
        "2005",
    ),
    (
        "legal_instrument",
        KZ,
        "",
        LAW,
        C,
        "c-kaz-victim-assistance-law",
        "2006",
        X,
        "x-law-2005-03-15",
        "2005-03-15",
    ),
    (
        "legal_instrument",
        MD,
        "",
        COE,
        C,
        "c-mda-coe-convention",
        "2006-05",
        X,
        "x-coe-2007",
        "2007",
    ),
    (
        "tier_placement",
        KG,
        "2006",
        "tier",
        A,
        "a-kgz-tier-2006",
        "tier_2_watch_list",
        B,
        "b-kgz-tier-2006",
        "tier_2",
    ),
    (
        "tier_placement",
        MD,
        "2008",
        "tier",
        C,
        "c-mda-tier-2008",
        "tier_2_watch_list",
        X,
        "x-mda-tier-2008",
        "tier_2",
    ),
    (
        "trend",
        KZ,
        "2005",
        "investigations",
        A,
        "a-kaz-investigations-trend-2005",
        "increase",
        X,
        "x-investigations-trend-2005",
        "decrease",
    ),
    (
        "trend",
        KG,
        "2005",
        "prosecutions",
        A,
        "a-kgz-prosecutions-trend-2005",
        "increase",
        B,
        "b-kgz-prosecutions-trend-2005",
        "decrease",
    ),
]

# every claim of a row above, and no other
WARNED = {claim for row in CONFLICTS for claim in (row[5], row[8])}


@pytest.fixture(scope="module")
def conflicting(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(seeds, sources): the fixture seeds and texts plus the contradicting source."""
    root = tmp_path_factory.mktemp("conflict")
    seeds, sources = root / "seeds", root / "sources"
    shutil.copytree(FIXTURE_SEEDS, seeds)
    shutil.copytree(FIXTURE_SOURCES, sources)
    (sources / "conflicting.txt").write_text(TEXT, encoding="utf-8")
    sha = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    (seeds / "test-conflicting-report.yaml").write_text(SEED.format(sha=sha), encoding="utf-8")
    return seeds, sources


def test_conflicts_query_lists_every_disagreement(conflicting: tuple[Path, Path]) -> None:
    seeds, sources = conflicting
    store = load_graph(seeds, sources, cache_dir=False)
    result = run_query(store, named_query("conflicts").text)
    rows = [tuple(term_text(t) for t in row) for row in result.rows]
    assert rows == CONFLICTS


def test_validate_warns_about_the_same_claims(conflicting: tuple[Path, Path]) -> None:
    seeds, sources = conflicting
    done = run_kg("validate", "--seeds", str(seeds), "--sources", str(sources), "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr  # warnings, not errors
    report = json.loads(done.stdout)
    assert report["errors"] == 0
    disagreements = [f for f in report["findings"] if f["code"] == "sources-disagree"]
    assert all(f["severity"] == "warning" for f in disagreements)
    warned = set()
    for finding in disagreements:
        # the finding sits on the claim it is about: read the id back from the seed file
        lines = (
            Path(finding["file"])
            if Path(finding["file"]).is_absolute()
            else seeds.parent / finding["file"]
        )
        warned.add(_id_at(lines, finding["line"]))
    assert warned == WARNED
    messages = " ".join(f["message"] for f in disagreements)
    assert "trend KAZ 2005 investigations 2004" in messages
    assert "test-conflicting-report (x-coe-2007) says 2007" in messages


def test_conflicts_cli_csv(conflicting: tuple[Path, Path]) -> None:
    seeds, sources = conflicting
    done = run_kg(
        "query", "conflicts", "--seeds", str(seeds), "--sources", str(sources), "--format", "csv"
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == ("kind,subject,year,about,sourceA,claimA,valueA,sourceB,claimB,valueB")
    assert lines[1] == (
        "indicator,Kazakhstan,2005,convictions,fx-monitor-2006,"
        "a-kaz-convictions-2005,12,fx-review-2008,b-kaz-convictions-2005,10"
    )
    assert len([line for line in lines if line]) == 1 + len(CONFLICTS)


def _id_at(path: Path, line: int) -> str:
    text = path.read_text(encoding="utf-8").splitlines()
    for number in range(line - 1, -1, -1):
        stripped = text[number].strip()
        if stripped.startswith("- id:"):
            return stripped.split(":", 1)[1].strip()
    raise AssertionError(f"no assertion id at or above {path}:{line}")
