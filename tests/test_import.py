"""`kg import`: the published datasets as seed files (issue 16).

Runs the real `kg` on the hand-made dataset files of `tests/fixtures/datasets/` (see its
README): every cleaning rule, every kind of bad input, and the imported files through
`kg validate` (with the quote check against the dataset directory) and `kg build`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURE_SOURCES, FIXTURES, run_kg

DATASETS = FIXTURES / "datasets"
EDGELISTS = DATASETS / "edgelists"
TIERS = DATASETS / "tiers.csv"
BAD = DATASETS / "bad"


def _import(kind: str, *paths: Path | str, out: Path, extra: tuple[str, ...] = ()):
    return run_kg(
        "import", kind, *map(str, paths), "--sources", str(DATASETS), "--out", str(out), *extra
    )


def _summary(result) -> dict[str, dict]:
    assert result.returncode in (0, 1), result.stderr
    return {Path(f["file"]).name: f for f in json.loads(result.stdout)["files"]}


def _assertions(path: Path) -> dict[str, dict]:
    return {a["id"]: a for a in yaml.safe_load(path.read_text(encoding="utf-8"))["assertions"]}


def test_import_edgelists_cleans_and_reports_every_rule(tmp_path: Path) -> None:
    out = tmp_path / "imported"
    result = _import("edgelists", EDGELISTS, out=out, extra=("--format", "json"))
    assert result.returncode == 0, result.stderr
    files = _summary(result)
    y2006 = files["edgelist2006.txt"]
    assert (y2006["rows"], y2006["kept"], y2006["merged"], y2006["dropped"], y2006["refused"]) == (
        12,
        7,
        3,
        2,
        0,
    )
    assert y2006["dropped_by_reason"] == {
        "self-loop: the same name twice": {"rows": 1, "lines": [8]},
        "self-loop: two spellings of one place": {"rows": 1, "lines": [7]},
    }
    assert sorted(p.name for p in out.iterdir()) == [
        "cib117-edgelist-2006.yaml",
        "cib117-edgelist-2007.yaml",
    ]
    doc = yaml.safe_load((out / "cib117-edgelist-2006.yaml").read_text(encoding="utf-8"))
    source = doc["source"]
    assert source["text"] == "edgelists/edgelist2006.txt"
    assert source["method"] == "automatic_extraction"
    assert source["commit"] == "a9a70f28b6be41b18d03a2486a4edb2dd9e5a734"
    assert source["derived_from"] == "Trafficking in Persons Report 2006"
    flows = _assertions(out / "cib117-edgelist-2006.yaml")
    # duplicate rows collapsed, the count kept as support
    assert flows["cib117-2006-kaz-rus"]["support"] == 3
    assert flows["cib117-2006-kaz-rus"]["evidence"] == "Kazakhstan,Russia"
    assert flows["cib117-2006-kaz-rus"]["year"] == 2005  # the report's reporting year
    # two spellings of Bosnia: one pair, both rows quoted
    assert flows["cib117-2006-bih-ita"]["support"] == 2
    assert flows["cib117-2006-bih-ita"]["evidence"] == [
        "Bosnia And Herzegovina,Italy",
        "Bosnia-Herzegovina,Italy",
    ]
    # a misspelling and a trailing space resolved; a former state kept as a region
    assert flows["cib117-2006-mdg-lbn"]["origin"] == "MDG"
    assert flows["cib117-2006-kgz-kaz"]["evidence"] == "Kyrgyzstan ,Kazakhstan"
    assert flows["cib117-2006-serbia-and-montenegro-ita"]["origin"] == "Serbia and Montenegro"
    assert not any(a["origin"] == a["destination"] for a in flows.values())


def test_import_tiers_cleans_and_reports_every_rule(tmp_path: Path) -> None:
    out = tmp_path / "imported"
    result = _import("tiers", TIERS, out=out, extra=("--format", "json"))
    assert result.returncode == 0, result.stderr
    tiers = _summary(result)["tiers.csv"]
    assert (tiers["rows"], tiers["kept"], tiers["merged"], tiers["dropped"]) == (14, 9, 1, 4)
    assert tiers["dropped_by_reason"]["no tier (NA)"]["lines"] == [2, 3, 14]
    assert tiers["dropped_by_reason"]["not an ISO 3166 country: Kosovo"]["lines"] == [13]
    placed = _assertions(out / "heiss-map-tiers.yaml")
    assert placed["heiss-tier-2004-kaz"]["tier"] == "tier_2_watch_list"  # Watchlist
    assert placed["heiss-tier-2004-kaz"]["support"] == 2  # a duplicate row
    assert placed["heiss-tier-2002-kaz"]["tier"] == "tier_2"  # trailing spaces
    assert (
        placed["heiss-tier-2005-kor"]["evidence"]
        == '"Korea, Republic of",KOR,2005.0,732,Tier 1    '
    )
    assert placed["heiss-tier-2006-mkd"]["country"] == "MKD"  # the old ISO name, as data
    # `NA` as a name is missing, not Namibia; the row's ccode is named on another row
    assert placed["heiss-tier-2006-civ"]["tier"] == "tier_2_watch_list"
    assert placed["heiss-tier-2006-nam"]["evidence"].startswith("Namibia,")
    assert "heiss-tier-2000-kaz" not in placed  # 2e3 read as 2000, and NA there
    assert {a["year"] for a in placed.values()} == {2001, 2002, 2003, 2004, 2005, 2006, 2015}


def test_imported_files_validate_and_build_with_the_quote_check(tmp_path: Path) -> None:
    out = tmp_path / "imported"
    assert _import("edgelists", EDGELISTS, out=out).returncode == 0
    assert _import("tiers", TIERS, out=out).returncode == 0
    sources = f"{FIXTURE_SOURCES}:{DATASETS}"
    valid = run_kg("validate", "--strict", "--seeds", str(out), "--sources", sources)
    assert valid.returncode == 0, valid.stderr
    assert "valid: 3 files, 19 assertions, 20 quotes checked" in valid.stdout
    built = run_kg(
        "build", "--seeds", str(out), "--sources", sources, "--out", str(tmp_path / "exports")
    )
    assert built.returncode == 0, built.stderr
    nq = (tmp_path / "exports" / "tip-kg.nq").read_text(encoding="utf-8")
    method = "<https://w3id.org/tip-kg/ontology#extractionMethod>"
    assert (
        f"<https://w3id.org/tip-kg/id/source/cib117-edgelist-2006> {method} "
        "<https://w3id.org/tip-kg/id/concept/method/automatic_extraction>"
    ) in nq
    assert (
        f"<https://w3id.org/tip-kg/id/source/heiss-map-tiers> {method} "
        "<https://w3id.org/tip-kg/id/concept/method/third_party_compilation>"
    ) in nq
    assert (
        '<https://w3id.org/tip-kg/ontology#support> "3"^^<http://www.w3.org/2001/XMLSchema#integer>'
    ) in nq
    # the quote check proves each row against the file: a row that is not there fails
    seed = out / "cib117-edgelist-2006.yaml"
    seed.write_text(
        seed.read_text(encoding="utf-8").replace('"Kazakhstan,Turkey"', '"Kazakhstan,Greece"'),
        encoding="utf-8",
    )
    broken = run_kg("validate", "--seeds", str(out), "--sources", sources)
    assert broken.returncode == 1
    assert "is not in the text of source 'cib117-edgelist-2006'" in broken.stderr


@pytest.mark.parametrize(
    ("kind", "name", "where", "message"),
    [
        (
            "edgelists",
            "edgelist2001-columns.txt",
            ":2:1:",
            "expected 2 columns (origin,destination), found 3",
        ),
        ("edgelists", "edgelist2002-binary.txt", ":2:1:", "binary data"),
        ("edgelists", "edgelist2003-empty.txt", ":", "empty file"),
        (
            "edgelists",
            "edgelist-undated.txt",
            ":",
            "cannot read the report year from the file name",
        ),
        (
            "edgelists",
            "edgelist2004-unknown-name.txt",
            ":2:1:",
            "unknown country or region 'Atlantis'",
        ),
        ("tiers", "tiers-bad-year.csv", ":3:16:", "cannot read the year '20x2'"),
        ("tiers", "tiers-columns.csv", ":3:1:", "expected 5 columns"),
        ("tiers", "tiers-unknown-tier.csv", ":2:27:", "unknown tier 'Tier 5'"),
        (
            "tiers",
            "tiers-header.csv",
            ":1:1:",
            "expected the header countryname,iso,year,ccode,tier",
        ),
        ("tiers", "tiers-conflict.csv", ":3:27:", "Kazakhstan 2001: Tier 2 here, Tier 3 on line 2"),
        ("tiers", "tiers-unknown-name.csv", ":3:1:", "unknown country or region 'Atlantis'"),
    ],
)
def test_import_bad_input_is_one_line_exit_1_nothing_written(
    kind: str, name: str, where: str, message: str, tmp_path: Path
) -> None:
    out = tmp_path / "imported"
    path = BAD / name
    # no sources directory at all: the seed names the file by its bare name
    result = run_kg("import", kind, str(path), "--out", str(out), env={"KG_SOURCES": ""})
    assert result.returncode == 1, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == [errors[0]] and errors[0].startswith(f"{path}{where} error: {message}"), (
        result.stderr
    )
    assert "hint:" in errors[0] and "Traceback" not in result.stderr
    assert "nothing was written" in result.stderr
    assert not out.exists()


def test_import_keep_going_writes_the_clean_rows_and_lists_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "imported"
    path = BAD / "edgelist2004-unknown-name.txt"
    result = run_kg(
        "import",
        "edgelists",
        str(path),
        str(BAD / "edgelist2003-empty.txt"),
        "--out",
        str(out),
        "--keep-going",
        env={"KG_SOURCES": ""},
    )
    assert result.returncode == 0, result.stderr
    assert f"{path}:2:1: warning: skipped: unknown country or region 'Atlantis'" in result.stderr
    assert "edgelist2003-empty.txt: warning: skipped: empty file" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["cib117-edgelist-2004.yaml"]
    assert set(_assertions(out / "cib117-edgelist-2004.yaml")) == {
        "cib117-2004-kaz-rus",
        "cib117-2004-uzb-kaz",
    }
    assert "edgelist2004-unknown-name.txt     3     2       0        0        1" in result.stdout


def test_import_never_overwrites_without_force(tmp_path: Path) -> None:
    out = tmp_path / "imported"
    assert _import("edgelists", EDGELISTS, out=out).returncode == 0
    target = out / "cib117-edgelist-2006.yaml"
    target.write_text("# edited by hand\n", encoding="utf-8")
    again = _import("edgelists", EDGELISTS, out=out)
    assert again.returncode == 2, again.stderr
    assert f"{out / 'cib117-edgelist-2006.yaml'}: already exists" in again.stderr
    assert "--force" in again.stderr
    assert target.read_text(encoding="utf-8") == "# edited by hand\n"
    forced = _import("edgelists", EDGELISTS, out=out, extra=("--force",))
    assert forced.returncode == 0, forced.stderr
    assert target.read_text(encoding="utf-8").startswith("# Written by `kg import`")
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary files


def test_import_is_deterministic(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    assert _import("edgelists", EDGELISTS, out=one).returncode == 0
    assert _import("edgelists", EDGELISTS, out=two).returncode == 0
    for path in one.iterdir():
        assert path.read_bytes() == (two / path.name).read_bytes()


def test_import_dataset_outside_the_sources_dirs_is_a_usage_error(tmp_path: Path) -> None:
    result = run_kg(
        "import",
        "tiers",
        str(TIERS),
        "--sources",
        str(FIXTURE_SOURCES),
        "--out",
        str(tmp_path / "out"),
    )
    assert result.returncode == 2, result.stderr
    assert f"{TIERS}: not inside any sources directory" in result.stderr
    missing = run_kg("import", "tiers", str(tmp_path / "nope.csv"), "--out", str(tmp_path))
    assert missing.returncode == 2 and "no such file or directory" in missing.stderr
    # $KG_SOURCES is the default, and a list whose directories miss the file is as wrong
    env = run_kg(
        "import",
        "tiers",
        str(TIERS),
        "--out",
        str(tmp_path / "out"),
        env={"KG_SOURCES": f"{FIXTURE_SOURCES}:{tmp_path}"},
    )
    assert env.returncode == 2 and "not inside any sources directory" in env.stderr
    assert not (tmp_path / "out").exists()


def test_shapes_require_a_method_and_a_positive_support(tmp_path: Path) -> None:
    import pyoxigraph as ox

    from kg.concepts import default_ontology_dir
    from kg.shacl import conformance, load_shapes

    out = tmp_path / "imported"
    assert _import("edgelists", EDGELISTS, out=out).returncode == 0
    built = run_kg(
        "build", "--seeds", str(out), "--sources", str(DATASETS), "--out", str(tmp_path / "exports")
    )
    assert built.returncode == 0, built.stderr
    quads = list(
        ox.parse(path=str(tmp_path / "exports" / "tip-kg.nq"), format=ox.RdfFormat.N_QUADS)
    )
    shapes = load_shapes(default_ontology_dir() / "shapes.ttl")
    assert conformance(quads, shapes) == []
    kg_ns = "https://w3id.org/tip-kg/ontology#"
    broken = []
    for q in quads:
        if q.predicate.value == kg_ns + "extractionMethod" and "2007" in q.subject.value:
            continue  # one source without its method
        if q.predicate.value == kg_ns + "support" and "/cib117-2006-kaz-rus/" in q.subject.value:
            q = ox.Quad(
                q.subject,
                q.predicate,
                ox.Literal("0", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
                q.graph_name,
            )
        broken.append(q)
    found = {(v[0], v[1].split("/id/", 1)[-1]) for v in conformance(broken, shapes)}
    assert found == {
        ("Source-extractionMethod", "source/cib117-edgelist-2007"),
        ("Assertion-support", "flow/cib117-2006-kaz-rus/KAZ-RUS"),
    }
