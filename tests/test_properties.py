"""Properties that hold for all inputs (hypothesis)."""

from __future__ import annotations

import itertools
import string

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kg.check import check_files
from kg.concepts import default_ontology_dir, load_concepts
from kg.findings import Report
from kg.mapping import map_seeds
from kg.places import all_countries, fold, resolve_place
from kg.seedfile import parse_seed_text
from kg.vocab import slug

KG = "https://w3id.org/tip-kg/ontology#"


@given(st.binary(max_size=400))
@settings(max_examples=300, deadline=None)
def test_any_bytes_give_a_tree_or_located_findings(raw: bytes) -> None:
    node, findings = parse_seed_text(raw, "x.yaml")
    assert (node is None) == bool(findings)
    for finding in findings:
        assert finding.location is not None and finding.location.path == "x.yaml"
        assert finding.message


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_any_text_never_crashes_the_checker(text: str) -> None:
    node, _findings = parse_seed_text(text.encode(), "x.yaml")
    if node is not None:
        report = Report()
        check_files([("x.yaml", node)], load_concepts(default_ontology_dir()), report)
        assert all(f.location is not None for f in report.findings)


@given(st.text(alphabet=string.printable + "éü’–", max_size=60))
def test_slug_is_iri_safe(text: str) -> None:
    s = slug(text)
    assert set(s) <= set(string.ascii_lowercase + string.digits + "-")
    assert not s.startswith("-") and not s.endswith("-")


@given(st.sampled_from(all_countries()))
def test_every_country_resolves_by_name_and_codes(country) -> None:
    for spelling in (country.code, country.alpha2, country.label, country.label.upper()):
        assert resolve_place(spelling) == country, spelling
    assert fold(country.label) == fold(f"  {country.label.lower()} ")


_COUNTRIES = ["KAZ", "RUS", "UZB", "KGZ", "TJK", "ARE", "TUR", "DEU"]


@st.composite
def flow_yaml(draw: st.DrawFn) -> tuple[str, list[str], list[str], list[str]]:
    origins = draw(st.lists(st.sampled_from(_COUNTRIES), min_size=1, max_size=3, unique=True))
    transit = draw(st.lists(st.sampled_from(_COUNTRIES), max_size=3, unique=True))
    transit = [t for t in transit if t not in origins]
    dests = draw(st.lists(st.sampled_from(_COUNTRIES), min_size=1, max_size=3, unique=True))
    # a destination is never also a transit (issue 12: such a route is refused)
    dests = [d for d in dests if d not in transit] or [
        next(c for c in _COUNTRIES if c not in transit)
    ]
    text = f"""source:
  id: s
  title: t
  publisher: p
  published: 2006
  period: {{start: 2005, end: 2005}}
  text: t.txt
  sha256: {"0" * 64}
  license: https://example.org/l
assertions:
  - id: f
    kind: flow
    origin: [{", ".join(origins)}]
    transit: [{", ".join(transit)}]
    destination: [{", ".join(dests)}]
    year: 2005
    evidence: x
"""
    return text, origins, transit, dests


@given(flow_yaml())
@settings(max_examples=100, deadline=None)
def test_each_stated_leg_is_a_leg_of_the_mapped_flow(case) -> None:
    text, origins, transit, dests = case
    node, findings = parse_seed_text(text.encode(), "f.yaml")
    assert node is not None, findings
    report = Report()
    seeds = check_files([("f.yaml", node)], load_concepts(default_ontology_dir()), report)
    pairs = [(o, d) for o in origins for d in dests if o != d]
    assume(pairs)  # all destinations equal to the origin is an error, tested elsewhere
    assert report.ok, [f.render() for f in report.findings]
    quads = map_seeds(seeds)
    legs = {
        (q.subject.value, q.predicate.value.rsplit("#", 1)[1], q.object.value)
        for q in quads
        if "/leg/" in q.subject.value
    }
    flows = {
        q.subject.value
        for q in quads
        if q.predicate.value.endswith("type") and q.object.value == KG + "TraffickingFlow"
    }
    assert len(flows) == len(pairs)
    for origin, dest in pairs:
        route = [origin, *transit, dest]
        flow = f"https://w3id.org/tip-kg/id/flow/f/{origin}-{dest}"
        for index, (a, b) in enumerate(itertools.pairwise(route), start=1):
            leg = f"{flow}/leg/{index}"
            assert (leg, "legFrom", f"https://w3id.org/tip-kg/id/country/{a}") in legs
            assert (leg, "legTo", f"https://w3id.org/tip-kg/id/country/{b}") in legs
