"""kg draft (issue 15) as a user runs it: real subprocesses of `python -m kg`, real files."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from kg.compare import (
    CYCLE_LABEL_DIFFERS,
    CYCLE_MAY_DIFFER,
    MORE_SPECIFIC_THAN,
    SOURCES_DIFFER,
    SOURCES_DISAGREE,
)
from tests.conftest import ROOT

Kg = Callable[..., CompletedProcess[str]]
NARRATIVES = ROOT.parent / "shared" / "narratives"
SEED_TEXTS = ROOT.parent / "shared" / "seeds"
NARRATIVE = (
    "KENYA (Tier 2)\n\nKenya is a source, transit, and destination country for men, "
    "women, and children trafficked for the purposes of forced labor. Kenyan women are "
    "trafficked to the Middle East and Germany. Children are reportedly trafficked from "
    "Uganda to Kenya.\n\nThe Government of Kenya does not fully comply with the minimum "
    "standards for the elimination of trafficking."
)


@pytest.fixture
def narrative(tmp_path: Path) -> Path:
    path = tmp_path / "texts" / "tip-2008-kenya.txt"
    path.parent.mkdir()
    path.write_text(NARRATIVE, encoding="utf-8")
    return path


def test_issue15_draft_writes_a_seed_that_validates_with_draft_warnings(
    kg: Kg, narrative: Path, tmp_path: Path
) -> None:
    out = tmp_path / "drafts"
    result = kg("draft", str(narrative), "--out", str(out))
    assert result.returncode == 0, result.stderr
    seed = out / "tip-2008-kenya.yaml"
    text = seed.read_text(encoding="utf-8")
    assert "status: draft" in text and "confidence: " in text
    assert f"sha256: {hashlib.sha256(narrative.read_bytes()).hexdigest()}" in text
    assert "CURATOR:" in text  # what it cannot know is marked for the curator
    assert not [p.name for p in out.iterdir() if p.name != "tip-2008-kenya.yaml"]  # no temp files
    umask = os.umask(0)
    os.umask(umask)
    assert seed.stat().st_mode & 0o777 == 0o666 & ~umask

    checked = kg(
        "validate", "--seeds", str(out), "--sources", str(narrative.parent), "--format", "json"
    )
    assert checked.returncode == 0, checked.stdout
    findings = json.loads(checked.stdout)["findings"]
    assert findings and {f["code"] for f in findings} == {"draft"}
    assert all(
        f["severity"] == "warning" and f["line"] and f["file"].endswith(seed.name) for f in findings
    )
    as_text = kg("validate", "--seeds", str(out), "--sources", str(narrative.parent))
    assert f"{seed.name}:" in as_text.stderr and "warning: assertion" in as_text.stderr

    strict = kg(
        "build",
        "--strict",
        "--seeds",
        str(out),
        "--sources",
        str(narrative.parent),
        "--out",
        str(tmp_path / "exports"),
    )
    assert strict.returncode == 1
    assert "is a draft of `kg draft` (refused by --strict)" in strict.stderr
    assert not (tmp_path / "exports" / "tip-kg.ttl").exists()


def test_issue15_accepting_a_draft_is_deleting_its_status_line(
    kg: Kg, narrative: Path, tmp_path: Path
) -> None:
    out = tmp_path / "drafts"
    assert kg("draft", str(narrative), "--out", str(out)).returncode == 0
    seed = out / "tip-2008-kenya.yaml"
    accepted = "".join(
        line
        for line in seed.read_text(encoding="utf-8").splitlines(True)
        if line.strip() != "status: draft"
    )
    seed.write_text(accepted, encoding="utf-8")
    built = kg(
        "build",
        "--strict",
        "--seeds",
        str(out),
        "--sources",
        str(narrative.parent),
        "--out",
        str(tmp_path / "exports"),
    )
    assert built.returncode == 0, built.stderr
    assert 'ontology#status> "draft"' not in (tmp_path / "exports" / "tip-kg.nt").read_text()


def test_issue15_drafts_built_without_strict_are_drafts_in_the_graph(
    kg: Kg, narrative: Path, tmp_path: Path
) -> None:
    out = tmp_path / "drafts"
    assert kg("draft", str(narrative), "--out", str(out)).returncode == 0
    built = kg(
        "build",
        "--seeds",
        str(out),
        "--sources",
        str(narrative.parent),
        "--out",
        str(tmp_path / "exports"),
    )
    assert built.returncode == 0, built.stderr
    nt = (tmp_path / "exports" / "tip-kg.nt").read_text()
    assert '<https://w3id.org/tip-kg/ontology#status> "draft"' in nt
    assert "<https://w3id.org/tip-kg/ontology#confidence>" in nt


def test_issue15_never_overwrites_without_force(kg: Kg, narrative: Path, tmp_path: Path) -> None:
    out = tmp_path / "drafts"
    out.mkdir()
    seed = out / "tip-2008-kenya.yaml"
    seed.write_text("curated: by hand\n", encoding="utf-8")
    refused = kg("draft", str(narrative), "--out", str(out))
    assert refused.returncode == 2
    assert str(seed) in refused.stderr and "--force" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert seed.read_text(encoding="utf-8") == "curated: by hand\n"
    forced = kg("draft", str(narrative), "--out", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert "status: draft" in seed.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"  \n\n ", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("Kenya is a source country.".encode("utf-16"), "binary file"),
        ("Côte d'Ivoire (Tier 2)\nIvoirian women.".encode("latin-1"), "not UTF-8"),
        (b"A recipe for bread: flour, water and salt.", "no country found"),
    ],
)
def test_issue15_bad_input_is_one_line_naming_the_file(
    kg: Kg, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    result = kg("draft", str(path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and message in lines[0], result.stderr
    assert not (tmp_path / "out").exists()


def test_issue15_unknown_country_and_bad_paths(kg: Kg, narrative: Path, tmp_path: Path) -> None:
    unknown = kg("draft", str(narrative), "--country", "Atlantis", "--format", "json")
    assert unknown.returncode == 2
    assert "unknown --country 'Atlantis'" in unknown.stderr and str(narrative) in unknown.stderr
    missing = kg("draft", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2 and "nope.txt: no such file" in missing.stderr


def test_issue15_json_is_the_contract(kg: Kg, narrative: Path) -> None:
    one = kg("draft", str(narrative), "--format", "json")
    assert one.returncode == 0, one.stderr
    doc = json.loads(one.stdout)
    assert list(doc) == sorted(doc)
    assert doc["text"] == "tip-2008-kenya.txt" and doc["country"] == "KEN"
    assert doc["year"] == 2008
    assert doc["sha256"] == hashlib.sha256(narrative.read_bytes()).hexdigest()
    kinds = {a["kind"] for a in doc["assertions"]}
    assert kinds == {"tier_placement", "country_role", "flow"}
    flows = [a for a in doc["assertions"] if a["kind"] == "flow"]
    assert {("KEN", d) for d in ("Middle East", "DEU")} <= {
        (o, d) for f in flows for o in f["origin"] for d in f["destination"]
    }
    hedged = next(f for f in flows if f["origin"] == ["UGA"])
    assert hedged["confidence"] < 0.9 and hedged["status"] == "draft"
    again = kg("draft", str(narrative), "--format", "json")
    assert again.stdout == one.stdout  # deterministic


def test_issue15_overrides_and_many_texts(kg: Kg, narrative: Path, tmp_path: Path) -> None:
    other = narrative.parent / "notes.txt"
    other.write_text(
        "Uganda (Tier 2)\n\nUgandan children are trafficked to Kenya.", encoding="utf-8"
    )
    no_year = kg("draft", str(other), "--format", "json")
    assert no_year.returncode == 2 and "no report year found" in no_year.stderr
    many = kg("draft", str(narrative.parent), "--format", "json", "--year", "2009")
    assert many.returncode == 0, many.stderr
    docs = json.loads(many.stdout)
    assert [d["text"] for d in docs] == ["notes.txt", "tip-2008-kenya.txt"]
    assert [(d["country"], d["year"]) for d in docs] == [("UGA", 2009), ("KEN", 2009)]
    forced = kg(
        "draft",
        str(other),
        "--country",
        "KE",
        "--year",
        "2012",
        "--source-id",
        "my-source",
        "--format",
        "json",
    )
    doc = json.loads(forced.stdout)
    assert (doc["country"], doc["year"], doc["source"]["id"]) == ("KEN", 2012, "my-source")
    assert all(a["id"].startswith("my-source-") for a in doc["assertions"])
    out = tmp_path / "drafts"
    written = kg("draft", str(narrative), str(other), "--out", str(out), "--year", "2008")
    assert "drafted" in written.stderr
    assert written.returncode == 0, written.stderr
    assert sorted(p.name for p in out.iterdir()) == ["notes.yaml", "tip-2008-kenya.yaml"]


@pytest.mark.skipif(not NARRATIVES.is_dir(), reason="../shared/narratives is not here")
@pytest.mark.parametrize("texts", [NARRATIVES, SEED_TEXTS], ids=["narratives", "seed-texts"])
def test_issue15_every_draft_validates_but_for_its_draft_warnings(
    kg: Kg, tmp_path: Path, texts: Path
) -> None:
    out = tmp_path / "drafts"
    drafted = kg("draft", str(texts), "--out", str(out))
    assert drafted.returncode == 0, drafted.stderr
    names = sorted(p.stem for p in texts.glob("*.txt"))
    assert sorted(p.stem for p in out.glob("*.yaml")) == names
    checked = kg("validate", "--seeds", str(out), "--sources", str(texts), "--format", "json")
    report = json.loads(checked.stdout)
    # drafts of two narratives of one cycle are two sources that meet: the comparison's
    # warnings between them are the tool at work, not a defect of either draft
    between_sources = {
        SOURCES_DIFFER,
        MORE_SPECIFIC_THAN,
        SOURCES_DISAGREE,
        CYCLE_LABEL_DIFFERS,
        CYCLE_MAY_DIFFER,
    }
    own = [f for f in report["findings"] if f["code"] not in between_sources]
    assert checked.returncode == 0, [f for f in own if f["code"] != "draft"]
    assert {f["code"] for f in own} == {"draft"}
    assert report["stats"]["quotes_checked"] >= len(names)
    assert not report["stats"].get("quotes_unchecked")
