"""kg draft (issue 15): the language of the reports, on sentences written for these tests in
the reports' style (not copied from any narrative)."""

from __future__ import annotations

from typing import Any

import pytest

from kg.draft import draft_document
from kg.draft.gazetteer import find_mentions
from kg.draft.sentences import split_sentences


def _draft(body: str, country: str = "Ghana", heading: str | None = None) -> dict[str, Any]:
    head = heading if heading is not None else f"{country} (Tier 2)"
    text = (
        f"{head}\n\n{body}\n\nThe Government of {country} does not fully comply with the "
        "minimum standards for the elimination of trafficking."
    )
    return draft_document(text.encode(), "tip-2010-test.txt")


def _flows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in doc["assertions"] if a["kind"] == "flow"]


def _pairs(doc: dict[str, Any]) -> set[tuple[str, str]]:
    out = set()
    for f in _flows(doc):
        if f["internal"]:
            out |= {(o, o) for o in f["origin"]}
            continue
        out |= {(o, d) for o in f["origin"] for d in f["destination"] if o != d}
    return out


def _triples(doc: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {
        (o, t, d)
        for f in _flows(doc)
        for o in f["origin"]
        for t in f["transit"]
        for d in f["destination"]
    }


def test_issue15_demonyms_are_origins() -> None:
    doc = _draft(
        "Moldovan and Ukrainian women and Filipinas are trafficked to Italy for "
        "sexual exploitation.",
        "Romania",
    )
    assert _pairs(doc) == {("MDA", "ITA"), ("UKR", "ITA"), ("PHL", "ITA")}


def test_issue15_aliases_and_historical_names() -> None:
    doc = _draft(
        "Women are trafficked to the U. A. E., the DPRK, Burma, the Kyrgyz Republic, "
        "Cote d'Ivoire, Macau, and Serbia and Montenegro.",
        "Nepal",
    )
    assert {d for _, d in _pairs(doc)} == {"ARE", "PRK", "MMR", "KGZ", "CIV", "MAC", "SRB", "MNE"}


def test_issue15_names_that_contain_other_names() -> None:
    doc = _draft(
        "Children are trafficked from Guinea-Bissau, Niger, and the Democratic Republic "
        "of the Congo to Ghana.",
        "Ghana",
    )
    assert _pairs(doc) == {("GNB", "GHA"), ("NER", "GHA"), ("COD", "GHA")}
    codes = [m.places for m in find_mentions("Nigerien and Nigerian boys in Papua New Guinea")]
    assert codes == [("NER",), ("NGA",), ("PNG",)]


@pytest.mark.parametrize(
    ("sentence", "triple"),
    [
        ("Nepali men are trafficked through India to Qatar.", ("NPL", "IND", "QAT")),
        ("Burmese women are trafficked via Thailand to Malaysia.", ("MMR", "THA", "MYS")),
        (
            "Eritrean migrants transit Ghana en route to Libya, where they are subjected to forced "
            "labor.",
            ("ERI", "GHA", "LBY"),
        ),
        (
            "Ghana is a transit point for Chinese women destined for Nigeria, where they are "
            "exploited in prostitution.",
            ("CHN", "GHA", "NGA"),
        ),
    ],
)
def test_issue15_direction_cues_give_transit(sentence: str, triple: tuple[str, str, str]) -> None:
    doc = _draft(sentence)
    assert triple in _triples(doc)
    assert (triple[0], triple[2]) in _pairs(doc)
    assert (triple[2], triple[0]) not in _pairs(doc)  # never reversed


def test_issue15_through_or_to_without_onward_is_only_the_pair() -> None:
    doc = _draft("Men from Togo and Benin are trafficked through or to Ghana for forced labor.")
    assert _pairs(doc) == {("TGO", "GHA"), ("BEN", "GHA")}
    assert _triples(doc) == set()


def test_issue15_lists_with_and_as_well_as_including_particularly_parentheses() -> None:
    doc = _draft(
        "Ghanaian women are trafficked to the Gulf states, particularly Kuwait and Oman "
        "(and Qatar), as well as Jordan, including Amman, and Lebanon."
    )
    assert {d for _, d in _pairs(doc)} == {"Gulf states", "KWT", "OMN", "QAT", "JOR", "LBN"}
    assert {o for o, _ in _pairs(doc)} == {"GHA"}


def test_issue15_regions_map_to_the_projects_regions() -> None:
    doc = _draft(
        "Victims from West African countries and South and Southeast Asia are "
        "trafficked to Western Europe and the Middle East."
    )
    pairs = _pairs(doc)
    assert {o for o, _ in pairs} == {"Sub-Saharan Africa", "South Asia", "Southeast Asia"}
    assert {d for _, d in pairs} == {"Western Europe", "Middle East"}


@pytest.mark.parametrize(
    "sentence",
    [
        "Ghanaian children are trafficked within the country for domestic servitude.",
        "Women and girls are trafficked internally for commercial sexual exploitation.",
        "Girls are trafficked from rural areas to cities for forced labor in markets.",
    ],
)
def test_issue15_internal_trafficking(sentence: str) -> None:
    doc = _draft(sentence)
    assert ("GHA", "GHA") in _pairs(doc)
    assert all(f["internal"] for f in _flows(doc) if f["origin"] == f["destination"])


def test_issue15_implicit_origin_and_destination_are_the_narratives_country() -> None:
    out = _draft("Victims are trafficked to Libya and Italy for forced labor.")
    assert _pairs(out) == {("GHA", "LBY"), ("GHA", "ITA")}
    inbound = _draft(
        "Workers from Bangladesh and Nepal reported being forced into domestic servitude.", "Kuwait"
    )
    assert _pairs(inbound) == {("BGD", "KWT"), ("NPL", "KWT")}


def test_issue15_hedges_lower_the_confidence() -> None:
    sure = _flows(_draft("Ghanaian women are trafficked to Germany."))[0]
    hedged = _flows(_draft("Ghanaian women are reportedly trafficked to Germany."))[0]
    assert hedged["confidence"] < sure["confidence"]
    assert hedged["status"] == sure["status"] == "draft"


def test_issue15_countries_named_for_another_reason_are_no_flows() -> None:
    lured = _draft("Nepali men are promised jobs in Jordan but are trafficked to Iraq.", "Nepal")
    assert _pairs(lured) == {("NPL", "IRQ")}
    descent = _draft(
        "Women of Haitian descent are trafficked within the country.", "Dominican Republic"
    )
    assert _pairs(descent) == {("DOM", "DOM")}
    border = _draft("Ghanaian girls are exploited in sex trafficking along the border with Togo.")
    assert not any("TGO" in pair for pair in _pairs(border))
    vulnerable = _draft("Syrian refugees in Ghana are vulnerable to forced labor.")
    assert _pairs(vulnerable) == set()


def test_issue15_between_gives_both_directions() -> None:
    doc = _draft("Children are trafficked between Ghana and Cote d'Ivoire for forced labor.")
    assert {("GHA", "CIV"), ("CIV", "GHA")} <= _pairs(doc)


def test_issue15_roles_keep_to_a_lesser_extent() -> None:
    doc = _draft(
        "Ghana is a source and transit country and, to a lesser extent, a destination "
        "country for women and children subjected to forced labor."
    )
    role = next(a for a in doc["assertions"] if a["kind"] == "country_role")
    assert role["role"] == ["source", "transit", "destination"]
    assert role["lesser_extent"] == ["destination"]
    assert role["evidence"].startswith("Ghana is a source and transit country")


def test_issue15_newer_style_opening_gives_roles_and_internal() -> None:
    doc = draft_document(
        b"As reported over the past five years, human traffickers exploit domestic and foreign "
        b"victims in Ghana, and traffickers exploit victims from Ghana abroad. Traffickers "
        b"exploit Ghanaian women in sex trafficking in Lebanon.",
        "tip-2021-ghana.txt",
    )
    assert doc["country"] == "GHA" and doc["year"] == 2021
    role = next(a for a in doc["assertions"] if a["kind"] == "country_role")
    assert set(role["role"]) == {"source", "destination"}
    assert _pairs(doc) == {("GHA", "GHA"), ("GHA", "LBN")}
    assert not [a for a in doc["assertions"] if a["kind"] == "tier_placement"]


@pytest.mark.parametrize(
    ("heading", "tier"),
    [
        ("GHANA (Tier 2 Watch List)", "tier_2_watch_list"),
        ("Ghana: Tier 3", "tier_3"),
        ("Ghana (Tier 1)", "tier_1"),
    ],
)
def test_issue15_tier_from_the_heading(heading: str, tier: str) -> None:
    doc = _draft("Ghanaian women are trafficked to Germany.", heading=heading)
    tiers = [a for a in doc["assertions"] if a["kind"] == "tier_placement"]
    assert [(t["country"], t["year"], t["tier"]) for t in tiers] == [("GHA", [2010], tier)]
    assert tiers[0]["evidence"] == heading


def test_issue15_law_enforcement_figures() -> None:
    doc = _draft(
        "Ghanaian women are trafficked to Germany. Police conducted 14 trafficking "
        "investigations in 2009, and courts convicted three traffickers in 2009."
    )
    figures = {
        (a["metric"], a["value"], a["year"]) for a in doc["assertions"] if a["kind"] == "indicator"
    }
    assert figures == {("investigations", 14, 2009), ("convictions", 3, 2009)}


def test_issue15_evidence_is_the_shortest_verbatim_span() -> None:
    body = (
        "As reported over the past five years, Ghanaian men are trafficked to Libya, where "
        "they work on farms under threat of violence for many months."
    )
    doc = _draft(body)
    flow = _flows(doc)[0]
    assert flow["evidence"] == "Ghanaian men are trafficked to Libya"
    assert flow["evidence"] in body


def test_issue15_sentences_keep_initialisms() -> None:
    text = "Women go to the U.S. and the U.A.E. for work. Some are trafficked to the U.S. Men stay."
    assert [s.text for s in split_sentences(text)] == [
        "Women go to the U.S. and the U.A.E. for work.",
        "Some are trafficked to the U.S.",
        "Men stay.",
    ]
