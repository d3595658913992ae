"""`kg site`: the static site of the fixture corpus's graph, written by the real CLI and
read back from disk (links, page sizes, embedded JSON-LD, the flows of a country)."""

from __future__ import annotations

import hashlib
import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from rdflib import Graph, URIRef

from tests.conftest import run_kg

ID = "https://w3id.org/tip-kg/id/"


class _Page(HTMLParser):
    """The links, resource references and JSON-LD blocks of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.resources: list[tuple[str, str]] = []  # (tag, src or href) the browser fetches
        self.jsonld: list[str] = []
        self._in_jsonld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"] or "")
        if tag in ("script", "img", "iframe", "audio", "video", "source") and a.get("src"):
            self.resources.append((tag, a["src"] or ""))
        if tag == "link" and a.get("href"):
            self.resources.append((tag, a["href"] or ""))
        self._in_jsonld = tag == "script" and a.get("type") == "application/ld+json"
        if self._in_jsonld:
            self.jsonld.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_jsonld = False

    def handle_data(self, data: str) -> None:
        if self._in_jsonld:
            self.jsonld[-1] += data


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _site(exports: Path, out: Path) -> Path:
    result = run_kg("site", "--exports", str(exports), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert (out / "index.html").is_file()
    return out


@pytest.fixture(scope="module")
def site(fixture_built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _site(fixture_built, tmp_path_factory.mktemp("site") / "site")


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_site_is_deterministic(site: Path, fixture_built: Path, tmp_path: Path) -> None:
    again = _site(fixture_built, tmp_path / "again")
    first, second = _digests(site), _digests(again)
    assert len(first) > 20
    assert first == second


def test_site_has_the_expected_pages(site: Path) -> None:
    for name in (
        "index.html",
        "search-index.js",
        "search.json",
        "exports/void.ttl",
        "exports/tip-kg.ttl",
        "id/country/KAZ.html",
        "id/country/KAZ.ttl",
        "id/country/KAZ.jsonld",
        "id/source/fx-monitor-2006.html",
        "id/concept/purpose/forced_labor.html",
    ):
        assert (site / name).is_file(), name


def test_every_internal_link_resolves(site: Path) -> None:
    checked = 0
    for page in _pages(site):
        for href in _parse(page).hrefs:
            parts = urlsplit(href)
            if parts.scheme or href.startswith("//"):
                continue  # an outbound link (Wikidata, the licence): not part of the site
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{page.relative_to(site)}: {href} does not resolve"
            assert site.resolve() in target.parents, f"{href} leaves the site"
            checked += 1
    assert checked > 100


def test_no_page_loads_anything_from_another_host(site: Path) -> None:
    for page in _pages(site):
        text = page.read_text(encoding="utf-8")
        for tag, ref in _parse(page).resources:
            assert not urlsplit(ref).scheme and not ref.startswith("//"), (
                f"{page.relative_to(site)}: <{tag}> loads {ref}"
            )
        assert "@import" not in text and "url(http" not in text


def test_pages_are_under_200_kb(site: Path) -> None:
    sizes = {str(p.relative_to(site)): p.stat().st_size for p in _pages(site)}
    assert sizes and max(sizes.values()) < 200_000, max(sizes.items(), key=lambda kv: kv[1])


def test_jsonld_blocks_parse_and_name_their_entity(site: Path) -> None:
    for page in _pages(site):
        blocks = _parse(page).jsonld
        assert len(blocks) == 1, page
        rel = page.relative_to(site).with_suffix("").as_posix()
        if rel == "index":
            data = json.loads(blocks[0])
            assert data["@type"] == "Dataset" and data["distribution"]
            continue
        iri = ID + rel[len("id/") :]
        graph = Graph().parse(data=blocks[0], format="json-ld")
        assert (URIRef(iri), None, None) in graph, f"{page}: no statement about {iri}"
        beside = Graph().parse(page.with_suffix(".jsonld"), format="json-ld")
        turtle = Graph().parse(page.with_suffix(".ttl"), format="turtle")
        assert set(beside) == set(graph) == set(turtle)


def test_country_page_lists_a_fixture_flow_with_its_quote(site: Path) -> None:
    text = (site / "id/country/UZB.html").read_text(encoding="utf-8")
    flows_out = text.split("<h2>Flows out</h2>", 1)[1].split("<h2>", 1)[0]
    assert (
        "Men from Uzbekistan are trafficked through Kazakhstan to Russia for forced "
        "labor in construction."
    ) in flows_out
    assert 'href="../source/fx-bulletin-2009.html"' in flows_out
    assert 'href="KAZ.html"' in flows_out and 'href="RUS.html"' in flows_out


def test_search_index_finds_countries_sources_and_concepts(site: Path) -> None:
    entries = json.loads((site / "search.json").read_text(encoding="utf-8"))
    kinds = {e["kind"] for e in entries}
    assert kinds == {"country", "source", "concept"}
    kazakhstan = [e for e in entries if e["name"] == "Kazakhstan"]
    assert kazakhstan and (site / kazakhstan[0]["href"]).is_file()
    script = (site / "search-index.js").read_text(encoding="utf-8")
    assert script.startswith("window.KG_SEARCH = ")
    assert json.loads(script[len("window.KG_SEARCH = ") :].rstrip().rstrip(";")) == entries


def test_index_downloads_match_void(site: Path, fixture_built: Path) -> None:
    text = (site / "index.html").read_text(encoding="utf-8")
    for name in ("tip-kg.ttl", "tip-kg.jsonld", "tip-kg.nt", "tip-kg.trig", "tip-kg.nq"):
        data = (fixture_built / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() in text, name
        assert (site / "exports" / name).read_bytes() == data


def test_site_without_exports_is_a_usage_error(tmp_path: Path) -> None:
    result = run_kg("site", "--exports", str(tmp_path / "none"), "--out", str(tmp_path / "s"))
    assert result.returncode == 2
    assert "tip-kg.nt: no such file" in result.stderr and "hint:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "s").exists()
