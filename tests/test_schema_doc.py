"""seeds/README.md documents exactly the fields that kg/schema.py accepts."""

from __future__ import annotations

import re

from kg.schema import COMMON_FIELDS, KIND_FIELDS, SOURCE_FIELDS
from tests.conftest import SEEDS


def _documented() -> dict[str, set[str]]:
    """Fields per README section: `### \\`kind\\`` headings, and the source header table."""
    text = (SEEDS / "README.md").read_text(encoding="utf-8").split("## Curation log")[0]
    sections: dict[str, set[str]] = {}
    current = None
    for line in text.splitlines():
        heading = re.match(r"#{2,3} (?:`(\w+)`|(The source header)|(Assertions))", line)
        if heading:
            current = heading.group(1) or ("source" if heading.group(2) else "common")
            sections.setdefault(current, set())
            continue
        cell = re.match(r"\| `(\w+)` \|", line)
        if cell and current:
            sections[current].add(cell.group(1))
    return sections


def test_every_kind_is_documented_with_its_fields() -> None:
    documented = _documented()
    for kind, fields in KIND_FIELDS.items():
        assert documented.get(kind) == {f.name for f in fields}, kind


def test_source_and_common_fields_are_documented() -> None:
    documented = _documented()
    assert documented["source"] == {f.name for f in SOURCE_FIELDS}
    assert documented["common"] == {f.name for f in COMMON_FIELDS}
