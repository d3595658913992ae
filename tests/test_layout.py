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
    result = subprocess.run([str(pytest), "--collect-only", "-q", "tests/test_exports.py"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No module named 'tests'" not in result.stdout + result.stderr
    assert "test_exports.py::" in result.stdout
