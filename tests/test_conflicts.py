"""Conflicting sources: a temporary third source that contradicts the two real ones.

The real sources cover different years and never disagree, so this test adds a seed
file (and its source text) that does, and checks that the `conflicts` query lists every
disagreement and that `kg validate` warns about the same claims, without failing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from kg import load_graph
from kg.query import named_query, run_query, term_text
from tests.conftest import SEEDS, run_kg

TEXT = """A test report that contradicts the others.
Police conducted 31 trafficking investigations in 2005.
Police conducted 22 trafficking investigations in 2007.
Two offenders were sentenced to 12 years in 2007.
One offender was sentenced to 11 years in 2007.
Police identified 90 victims of labor trafficking in 2007.
Police identified 25 victims of commercial sexual exploitation in 2007.
Kazakhstan was placed on the Tier 2 Watch List in 2006.
Prosecutions increased in 2005 compared with 2004.
Article 128 of the penal code prescribes up to 10 years.
Kazakhstan ratified the 2000 UN TIP Protocol in 2007.
Kazakhstan ratified the 2000 UN TIP Protocol on 15 July 2008.
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
    value: 31
    evidence: Police conducted 31 trafficking investigations in 2005.
  - id: x-investigations-2007
    kind: indicator
    country: Kazakhstan
    year: 2007
    metric: investigations
    value: 22
    evidence: Police conducted 22 trafficking investigations in 2007.
  - id: x-sentenced-12y
    kind: indicator
    country: Kazakhstan
    year: 2007
    metric: offenders_sentenced
    value: 2
    sentence_years: 12
    evidence: Two offenders were sentenced to 12 years in 2007.
  - id: x-sentenced-11y
    kind: indicator
    country: Kazakhstan
    year: 2007
    metric: offenders_sentenced
    value: 1
    sentence_years: 11
    evidence: One offender was sentenced to 11 years in 2007.
  - id: x-labor-victims-2007
    kind: indicator
    country: Kazakhstan
    year: 2007
    metric: victims_identified
    purpose: forced_labor
    value: 90
    evidence: Police identified 90 victims of labor trafficking in 2007.
  - id: x-cse-victims-2007
    kind: indicator
    country: Kazakhstan
    year: 2007
    metric: victims_identified
    purpose: commercial_sexual_exploitation
    value: 25
    evidence: Police identified 25 victims of commercial sexual exploitation in 2007.
  - id: x-tier-2006
    kind: tier_placement
    country: Kazakhstan
    year: 2006
    tier: tier_2_watch_list
    evidence: Kazakhstan was placed on the Tier 2 Watch List in 2006.
  - id: x-prosecutions-trend-2005
    kind: trend
    country: Kazakhstan
    year: 2005
    metric: prosecutions
    direction: increase
    compared_to: 2004
    evidence: Prosecutions increased in 2005 compared with 2004.
  - id: x-article-128
    kind: law_article
    jurisdiction: Kazakhstan
    code: penal code
    article: "128"
    max_penalty_years: 10
    evidence: Article 128 of the penal code prescribes up to 10 years.
  - id: x-ratification-2007
    kind: legal_instrument
    jurisdiction: Kazakhstan
    instrument_type: treaty_ratification
    title: 2000 UN TIP Protocol
    date: 2007
    evidence: Kazakhstan ratified the 2000 UN TIP Protocol in 2007.
  - id: x-ratification-2008-07-15
    kind: legal_instrument
    jurisdiction: Kazakhstan
    instrument_type: treaty_ratification
    title: 2000 UN TIP Protocol
    date: 2008-07-15
    evidence: Kazakhstan ratified the 2000 UN TIP Protocol on 15 July 2008.
"""

X = "test-conflicting-report"
TIP = "tip-2006-kazakhstan"
WP = "wikipedia-human-trafficking-in-kazakhstan"
KZ = "Kazakhstan"
RATIFIED = "2000 UN TIP Protocol: date"

# What disagrees: each row is (kind, subject, year, about, source A, claim A, value A,
# source B, claim B, value B). What agrees (22 investigations in 2007, 25 CSE victims,
# a ratification on a day of July 2008) and what has no counterpart (an 11-year sentence)
# is not listed.
CONFLICTS = [
    ("indicator", KZ, "2005", "investigations", X, "x-investigations-2005", "31",
     TIP, "tip2006-investigations-2005", "29"),
    ("indicator", KZ, "2007", "offenders_sentenced (12 years)", X, "x-sentenced-12y", "2",
     WP, "wiki-sentenced-2007-12y", "1"),
    ("indicator", KZ, "2007", "victims_identified", X, "x-labor-victims-2007", "90",
     WP, "wiki-victims-identified-2007-labor", "87"),
    ("law_article", KZ, "", "penal code article 128: max penalty years", X, "x-article-128",
     "10", WP, "wiki-penal-code-articles", "15"),
    ("legal_instrument", KZ, "", RATIFIED, X, "x-ratification-2007", "2007",
     WP, "wiki-un-tip-protocol-ratification-2008", "2008"),
    ("legal_instrument", KZ, "", RATIFIED, X, "x-ratification-2007", "2007",
     WP, "wiki-un-tip-protocol-ratification-2008-07", "2008-07"),
    ("tier_placement", KZ, "2006", "tier", X, "x-tier-2006", "tier_2_watch_list",
     TIP, "tip2006-kaz-tier-2006", "tier_2"),
    ("trend", KZ, "2005", "prosecutions", X, "x-prosecutions-trend-2005", "increase",
     TIP, "tip2006-trend-prosecutions-2005", "decrease"),
]

WARNED = {
    "x-investigations-2005", "tip2006-investigations-2005",
    "x-sentenced-12y", "wiki-sentenced-2007-12y",
    "x-labor-victims-2007", "wiki-victims-identified-2007-labor",
    "x-article-128", "wiki-penal-code-articles",
    "x-ratification-2007", "wiki-un-tip-protocol-ratification-2008",
    "wiki-un-tip-protocol-ratification-2008-07",
    "x-tier-2006", "tip2006-kaz-tier-2006",
    "x-prosecutions-trend-2005", "tip2006-trend-prosecutions-2005",
}


@pytest.fixture(scope="module")
def conflicting(tmp_path_factory: pytest.TempPathFactory, sources_dir: Path) -> tuple[Path, Path]:
    """(seeds, sources): the real seeds and texts plus the contradicting source."""
    root = tmp_path_factory.mktemp("conflict")
    seeds, sources = root / "seeds", root / "sources"
    shutil.copytree(SEEDS, seeds)
    shutil.copytree(sources_dir, sources)
    (sources / "conflicting.txt").write_text(TEXT, encoding="utf-8")
    sha = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    (seeds / "test-conflicting-report.yaml").write_text(SEED.format(sha=sha),
                                                          encoding="utf-8")
    return seeds, sources


def test_conflicts_query_lists_every_disagreement(conflicting: tuple[Path, Path]) -> None:
    seeds, sources = conflicting
    store = load_graph(seeds, sources)
    result = run_query(store, named_query("conflicts").text)
    rows = [tuple(term_text(t) for t in row) for row in result.rows]
    assert rows == CONFLICTS


def test_validate_warns_about_the_same_claims(conflicting: tuple[Path, Path]) -> None:
    seeds, sources = conflicting
    done = run_kg("validate", "--seeds", str(seeds), "--sources", str(sources),
                  "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr  # warnings, not errors
    report = json.loads(done.stdout)
    assert report["errors"] == 0
    disagreements = [f for f in report["findings"] if f["code"] == "sources-disagree"]
    assert all(f["severity"] == "warning" for f in disagreements)
    warned = set()
    for finding in disagreements:
        # the finding sits on the claim it is about: read the id back from the seed file
        lines = (Path(finding["file"]) if Path(finding["file"]).is_absolute()
                 else seeds.parent / finding["file"])
        warned.add(_id_at(lines, finding["line"]))
    assert warned == WARNED
    messages = " ".join(f["message"] for f in disagreements)
    assert "trend KAZ 2005 prosecutions 2004" in messages
    assert "test-conflicting-report (x-ratification-2007) says 2007" in messages


def test_conflicts_cli_csv(conflicting: tuple[Path, Path]) -> None:
    seeds, sources = conflicting
    done = run_kg("query", "conflicts", "--seeds", str(seeds), "--sources", str(sources),
                  "--format", "csv")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == ("kind,subject,year,about,sourceA,claimA,valueA,sourceB,claimB,"
                        "valueB")
    assert lines[1] == ("indicator,Kazakhstan,2005,investigations,test-conflicting-report,"
                        "x-investigations-2005,31,tip-2006-kazakhstan,"
                        "tip2006-investigations-2005,29")
    assert len([line for line in lines if line]) == 1 + len(CONFLICTS)


def _id_at(path: Path, line: int) -> str:
    text = path.read_text(encoding="utf-8").splitlines()
    for number in range(line - 1, -1, -1):
        stripped = text[number].strip()
        if stripped.startswith("- id:"):
            return stripped.split(":", 1)[1].strip()
    raise AssertionError(f"no assertion id at or above {path}:{line}")
