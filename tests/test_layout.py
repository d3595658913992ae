"""How the project is laid out for the people who work on it (issue 14)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_issue14_plain_pytest_finds_the_tests_package() -> None:
    # `pytest tests/test_exports.py` (the console script, not `python -m pytest`) failed
    # with "No module named 'tests'": it does not put the working directory on sys.path
    pytest = Path(sys.executable).parent / "pytest"
    result = subprocess.run(
        [str(pytest), "--collect-only", "-q", "tests/test_exports.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No module named 'tests'" not in result.stdout + result.stderr
    assert "test_exports.py::" in result.stdout


def test_issue14_vocabularies_are_closed() -> None:
    # `DCT.titel` used to mint http://purl.org/dc/terms/titel without a word
    import pytest

    from kg import vocab

    for namespace, typo in (
        (vocab.KG, "Contry"),
        (vocab.DCT, "titel"),
        (vocab.PROV, "wasDerivedFom"),
        (vocab.SKOS, "prefLable"),
        (vocab.QB, "Obervation"),
        (vocab.VOID, "triple"),
        (vocab.DCAT, "Datset"),
        (vocab.SCHEMA, "nmae"),
    ):
        with pytest.raises(AttributeError):
            getattr(namespace, typo)
    assert str(vocab.DCT.title) == "http://purl.org/dc/terms/title"
    assert str(vocab.VOID["class"]) == "http://rdfs.org/ns/void#class"
