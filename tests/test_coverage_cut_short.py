"""`kg coverage` tells when a source text stops mid-sentence (issue 13: a truncated copy of
the 2008 report went unnoticed). Corpus-independent: its own seed file and text."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.conftest import run_kg

TEXT = (
    "Report 2031 - Ruritania\n\n"
    "Ruritania is a source country for men trafficked for forced labor.\n\n"
    "The government made modest progress in its efforts over the reporting p\n"
)


def _seed(text: str) -> str:
    digest = hashlib.sha256(text.encode()).hexdigest()
    return f"""\
source:
  id: test-report
  title: A test report
  publisher: Nobody
  published: 2031-06-01
  period: {{start: 2030-01-01, end: 2030-12-31}}
  text: report.txt
  sha256: {digest}
  license: https://creativecommons.org/publicdomain/mark/1.0/
assertions:
  - id: t-role
    kind: country_role
    country: Romania
    role: source
    year: 2030
    evidence: is a source country for men trafficked for forced labor
"""


@pytest.mark.parametrize(
    "ending, cut",
    [
        ("over the reporting p\n", True),
        ("over the reporting period.\n", False),
        ("over the reporting period.\n\n==See also==\n- Another article\n", False),
    ],
)
def test_issue13_coverage_notices_a_text_cut_short(tmp_path: Path, ending: str, cut: bool) -> None:
    text = TEXT.replace("over the reporting p\n", ending)
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "report.txt").write_text(text)
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "test.yaml").write_text(_seed(text))
    args = ("coverage", "--seeds", str(tmp_path / "seeds"), "--sources", str(tmp_path / "sources"))
    result = run_kg(*args)
    assert result.returncode == 0, result.stderr
    said = "report.txt:5:1: the text ends mid-sentence (...its efforts over the reporting p)"
    assert (said in result.stdout) == cut, result.stdout
    doc = json.loads(run_kg(*args, "--format", "json").stdout)
    found = doc["sources"][0]["cut_short"]
    assert (
        (
            found
            == {
                "kind": "cut-short",
                "text": "...its efforts over the reporting p",
                "line": 5,
                "column": 1,
                "key": None,
            }
        )
        if cut
        else found is None
    )
