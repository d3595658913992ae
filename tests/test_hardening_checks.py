"""Issue 12 regressions: checks that must not switch themselves off, and what a hostile
server says kept off the user's terminal."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SEEDS, run_kg
from tests.servers import Scripted, Server, forward, run_oxigraph
from tests.test_bad_input import GOOD

# the source header of the bad-input table's good file, with no assertions yet
GOOD_HEADER = GOOD.split("assertions:")[0] + "assertions:\n"
FLOW = """\
  - id: t-flow
    kind: flow
    origin: [Kazakhstan, Kyrgyzstan]
    transit: [{transit}]
    destination: [Russia]
    year: 2005
    evidence: Kazakhstani men, women, and children are trafficked to the U.A.E., Turkey
"""


def _validate(tmp_path: Path, sources: Path, files: dict[str, str], *extra: str) -> tuple[int, str]:
    seeds = tmp_path / "seeds"
    seeds.mkdir(exist_ok=True)
    for name, text in files.items():
        (seeds / name).write_text(text, encoding="utf-8")
    result = run_kg(
        "build",
        "--seeds",
        str(seeds),
        "--sources",
        str(sources),
        "--out",
        str(tmp_path / "out"),
        *extra,
        env={"KG_JOBS": "2"},
    )
    assert "Traceback" not in result.stderr
    return result.returncode, result.stderr


# --- item 5: every expanded route is checked ---------------------------------------------


def test_issue12_transit_equal_to_a_later_origin_is_refused(
    tmp_path: Path, sources_dir: Path
) -> None:
    text = GOOD_HEADER + FLOW.format(transit="Kyrgyzstan")
    code, err = _validate(tmp_path, sources_dir, {"bad.yaml": text})
    assert code == 1, err
    line = text.splitlines().index("    transit: [Kyrgyzstan]") + 1
    assert re.search(
        rf"bad\.yaml:{line}:5: error: a route passes the same place twice: "
        r"Kyrgyzstan → Kyrgyzstan → Russia",
        err,
    ), err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "transit, ok",
    [
        ("Uzbekistan", True),  # a real transit: two routes, both clean
        ("Russia", False),  # the destination as its own transit
        ("Uzbekistan, Uzbekistan", False),  # the same transit twice
        ("Kazakhstan", False),  # the first origin, as before
    ],
)
def test_issue12_every_route_of_a_flow_is_checked(
    tmp_path: Path, sources_dir: Path, transit: str, ok: bool
) -> None:
    code, err = _validate(
        tmp_path, sources_dir, {"bad.yaml": GOOD_HEADER + FLOW.format(transit=transit)}
    )
    assert code == (0 if ok else 1), err
    assert ("passes the same place twice" in err) != ok, err


# --- item 6: every finding located; what follows from another is folded into it ----------

ORG = """\
  - id: t-org
    kind: organization
    name: Border Guard Service
    org_type: law_enforcement
    country: Kazakhstan
    evidence: The Border Guard Service trained passport control officers
"""
MEASURE = """\
  - id: t-measure
    kind: measure
    country: Kazakhstan
    year: 2005
    area: prosecution
    actor: [{actor}]
    description: Border guards were trained.
    evidence: The Border Guard Service trained passport control officers
"""


def test_issue12_unknown_actor_is_one_located_error(tmp_path: Path, sources_dir: Path) -> None:
    text = GOOD_HEADER + ORG + MEASURE.format(actor="t-orgg")
    code, err = _validate(tmp_path, sources_dir, {"bad.yaml": text})
    assert code == 1
    errors = [line for line in err.splitlines() if ": error: " in line]
    line = text.splitlines().index("    actor: [t-orgg]") + 1
    assert len(errors) == 1, err
    assert re.match(rf".*bad\.yaml:{line}:\d+: error: actor 't-orgg' is no assertion", errors[0])
    assert "(graph)" not in err and "SHACL" not in err


def test_issue12_actor_from_another_file_validates(tmp_path: Path, sources_dir: Path) -> None:
    # each file is checked in a batch of its own (KG_JOBS=2, three files): the organization
    # is outside the measure's batch, which made six SHACL errors about a stub before
    other = GOOD_HEADER.replace("id: tip-2006-kazakhstan", "id: tip-2006-kazakhstan-b", 1)
    third = GOOD_HEADER.replace("id: tip-2006-kazakhstan", "id: tip-2006-kazakhstan-c", 1)
    code, err = _validate(
        tmp_path,
        sources_dir,
        {
            "a.yaml": GOOD_HEADER + ORG,
            "b.yaml": other + MEASURE.format(actor="t-org"),
            "c.yaml": third + FLOW.replace("t-flow", "t-flow-c").format(transit="Uzbekistan"),
        },
    )
    assert code == 0, err


def test_issue12_every_finding_has_a_location(tmp_path: Path, sources_dir: Path) -> None:
    # a broken ontology rule about a place (not an assertion) is located at the file
    # and line of the assertion that names the place, not "(graph)"
    shapes = (Path(__file__).resolve().parent.parent / "ontology" / "shapes.ttl").read_text()
    onto = tmp_path / "ontology"
    onto.mkdir()
    for path in (SEEDS.parent / "ontology").iterdir():
        (onto / path.name).write_bytes(path.read_bytes())
    # every country must have a (nonexistent) property: each country node breaks it
    (onto / "shapes.ttl").write_text(
        shapes
        + """
kg:CountryNeedsMotto a sh:NodeShape ;
    sh:targetClass kg:Country ;
    sh:property [ sh:path kg:motto ; sh:minCount 1 ;
                  sh:message "A country needs a motto (a test rule)." ] .
"""
    )
    text = GOOD_HEADER + FLOW.format(transit="Uzbekistan")
    code, err = _validate(tmp_path, sources_dir, {"bad.yaml": text}, "--ontology", str(onto))
    assert code == 1, err
    errors = [line for line in err.splitlines() if ": error: " in line]
    # each at the line of an assertion that names the country (file:line:col)
    assert errors and all(
        re.match(r".*bad\.yaml:\d+:\d+: error: SHACL", line) for line in errors
    ), err
    assert "(graph)" not in err


# --- item 3: a hostile server's words are printable; a partial load says what it did ----


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[Server]:
    yield from run_oxigraph(tmp_path)


def test_issue12_server_error_text_cannot_drive_the_terminal(oxigraph: Server, built: Path) -> None:
    puts = []

    def hostile(handler: object, body: bytes) -> tuple[int, dict[str, str], bytes]:
        if handler.command == "PUT":  # type: ignore[attr-defined]
            puts.append(handler.path)  # type: ignore[attr-defined]
            if len(puts) == 2:
                return (
                    500,
                    {"Content-Type": "text/plain"},
                    b"\x1b]0;owned\x07\x1b[2J\x1b[31mdisk \xe2\x80\xaefull\x9b\r\n",
                )
        return forward(oxigraph.base, handler, body)  # type: ignore[arg-type]

    with Scripted(hostile) as proxy:
        result = run_kg(
            "load",
            "--store",
            proxy.url + "/store",
            "--query",
            proxy.url + "/query",
            "--retries",
            "0",
            "--data",
            str(built / "tip-kg.nq"),
        )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    out = result.stderr + result.stdout
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]", out), repr(out)
    assert "\\x1b]0;owned\\x07\\x1b[2J" in out  # shown, not obeyed
    # the graph loaded before the failure is named; the first one sent was replaced
    assert re.search(
        r"already replaced on the server \(1 of \d+ graphs\): "
        r"https://w3id\.org/tip-kg/\S+; the others are as they were",
        out,
    ), out
    assert len(result.stderr.strip().splitlines()) == 1


def test_issue12_query_results_from_a_server_cannot_drive_the_terminal() -> None:
    rows = (
        b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal",'
        b'"value":"\\u001b]0;owned\\u0007\\u001b[2Jhi"}}]}}'
    )

    def answer(handler: object, body: bytes) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": "application/sparql-results+json"}, rows

    with Scripted(answer) as server:
        result = run_kg(
            "query", "--endpoint", server.url + "/sparql", "--", "SELECT ?x WHERE { ?s ?p ?x }"
        )
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b]0;owned\\x07\\x1b[2Jhi" in result.stdout, result.stdout


# --- issue 13: a quote that differs in look-alike characters gets the text's own ------------


def test_issue13_apostrophe_hint_says_what_the_text_writes(
    tmp_path: Path, sources_dir: Path
) -> None:
    text = (
        GOOD_HEADER
        + """\
  - id: t-rights
    kind: trend
    country: Kazakhstan
    year: 2005
    metric: victims_identified
    direction: increase
    evidence: Victims’ rights were general
"""
    )
    code, err = _validate(tmp_path, sources_dir, {"bad.yaml": text})
    assert code == 1, err
    # the 2006 text writes a straight apostrophe; the quote a typographic one
    assert (
        "(hint: the text writes ' where the quote has ’; copy those characters exactly)" in err
    ), err
