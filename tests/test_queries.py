"""The competency questions: every shipped query against its full answer on the fixtures.

Each expected answer below is read off the three fixture texts (tests/fixtures/sources),
not off the graph: the comment above each answer says which sentences give it. Rows are
compared exactly, in the order the query sorts them. Sources sort by id: C
(fx-bulletin-2009), then A (fx-monitor-2006), then B (fx-review-2008).
The real seeds' graph is checked for properties only, in tests/test_real_seeds.py.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg import load_graph
from kg.query import named_queries, run_query, term_text
from tests.conftest import FIXTURE_SEEDS, FIXTURE_SOURCES

A = "fx-monitor-2006"
B = "fx-review-2008"
C = "fx-bulletin-2009"
KZ = "Kazakhstan"
KG = "Kyrgyzstan"
MD = "Moldova"
RU = "Russian Federation"
TR = "Türkiye"
LAW = "Law on Victim Assistance"

# A: "Kazakhstani women and girls are trafficked to Turkey, Russia, and Western Europe"
# (2005); B: "Kazakhstani men and women were trafficked to Russia and South Korea ... in
# 2007". The flows through Kazakhstan (B, C) start elsewhere.
DESTINATIONS = [
    (A, "2005", "country:RUS", RU),
    (A, "2005", "country:TUR", TR),
    (A, "2005", "region:western-europe", "Western Europe"),
    (B, "2007", "country:RUS", RU),
    (B, "2007", "country:KOR", "South Korea"),
]

# A: "Men from Uzbekistan and Kyrgyzstan are trafficked to Kazakhstan"; B: "Women from
# Kyrgyzstan were trafficked through Kazakhstan to Turkey"; C: "Men from Uzbekistan are
# trafficked through Kazakhstan to Russia"
ORIGINS = [
    (C, "2008", "country:UZB", "Uzbekistan", "through"),
    (A, "2005", "country:KGZ", KG, "to"),
    (A, "2005", "country:UZB", "Uzbekistan", "to"),
    (B, "2007", "country:KGZ", KG, "through"),
]

A_ROLES = (
    "Kazakhstan is a source, transit, and destination country for men, women, and "
    "children trafficked for forced labor and sexual exploitation."
)
A_INBOUND = (
    "Men from Uzbekistan and Kyrgyzstan are trafficked to Kazakhstan for forced "
    "labor in agriculture and construction."
)
A_OUTBOUND = (
    "Kazakhstani women and girls are trafficked to Turkey, Russia, and Western "
    "Europe for sexual exploitation."
)
B_VIA = (
    "Women from Kyrgyzstan were trafficked through Kazakhstan to Turkey for sexual "
    "exploitation in 2007."
)
C_VIA = (
    "Moldovan women are trafficked through Ukraine to Turkey and Russia for commercial "
    "sexual exploitation."
)
FLOW = "TraffickingFlow"

CLAIMS: dict[str, list[tuple[str, ...]]] = {
    "KGZ": [
        ("country:KGZ", A, "a-kaz-inbound-labor-2005", FLOW, "origin", A_INBOUND),
        (
            "country:KGZ",
            A,
            "a-kgz-prosecutions-trend-2005",
            "Trend",
            "country",
            "Prosecutions in Kyrgyzstan increased in 2005 compared with 2004.",
        ),
        (
            "country:KGZ",
            A,
            "a-kgz-tier-2006",
            "TierPlacement",
            "country",
            "Kyrgyzstan was placed on the Tier 2 Watch List in 2006.",
        ),
        (
            "country:KGZ",
            B,
            "b-kgz-prosecutions-trend-2005",
            "Trend",
            "country",
            "In Kyrgyzstan, prosecutions decreased in 2005 compared with 2004.",
        ),
        (
            "country:KGZ",
            B,
            "b-kgz-tier-2006",
            "TierPlacement",
            "country",
            "Kyrgyzstan was placed on Tier 2 in 2006.",
        ),
        ("country:KGZ", B, "b-kgz-via-kaz-2007", FLOW, "origin", B_VIA),
    ],
    "UKR": [("country:UKR", C, "c-mda-via-ukraine-2008", FLOW, "transit", C_VIA)],
    "TUR": [
        ("country:TUR", C, "c-mda-via-ukraine-2008", FLOW, "destination", C_VIA),
        ("country:TUR", A, "a-kaz-outbound-2005", FLOW, "destination", A_OUTBOUND),
        ("country:TUR", B, "b-kgz-via-kaz-2007", FLOW, "destination", B_VIA),
    ],
}

EXPECTED: dict[str, list[tuple[str, ...]]] = {
    "destinations-from-kazakhstan": DESTINATIONS,
    "origins-into-kazakhstan": ORIGINS,
    # B: Kyrgyzstan through Kazakhstan to Turkey (2007); C: Uzbekistan ... to Russia (2008)
    "onward-via-kazakhstan": [(C, "2008", "Uzbekistan", RU), (B, "2007", KG, TR)],
    # Turkey and Western Europe only in A, South Korea only in B; Russia in both
    "destinations-one-source-only": [
        (A, "country:TUR", TR),
        (A, "region:western-europe", "Western Europe"),
        (B, "country:KOR", "South Korea"),
    ],
    # A: "40 trafficking investigations in 2005, up from 30 in 2004", "convicted 12
    # traffickers in 2005"; B: "40 trafficking investigations and ... 10 traffickers"
    # (2005), "55 investigations and 21 prosecutions, and ... 18 traffickers" (2007)
    "law-enforcement-time-series": [
        ("2004", "30", "", "", A),
        ("2005", "40", "", "12", A),
        ("2005", "40", "", "10", B),
        ("2007", "55", "21", "18", B),
    ],
    # A: "Article 128 of the Penal Code prescribes up to 15 years" (the report's 2005);
    # B: "Article 128 of the penal code carries a maximum sentence of 12 years" (no year)
    "law-articles": [
        (A, KZ, "Penal Code", "128", "15", "2005"),
        (B, KZ, "penal code", "128", "12", ""),
    ],
    # A: Tier 2 (KAZ) and Tier 2 Watch List (KGZ) in 2006; B: KAZ "on Tier 2 in 2006 and
    # 2007", KGZ Tier 2 in 2006; C: Moldova on the Watch List in 2008
    "tier-placements": [
        (KZ, "2006", "tier_2", A),
        (KZ, "2006", "tier_2", B),
        (KZ, "2007", "tier_2", B),
        (KG, "2006", "tier_2_watch_list", A),
        (KG, "2006", "tier_2", B),
        (MD, "2008", "tier_2_watch_list", C),
    ],
    # C: "identified more than 150 female victims of sexual exploitation" (2008)
    "victims-identified": [(MD, "2008", "sexual_exploitation", "150", "more_than", C)],
    # convictions 12 against 10; article 128: 15 against 12 years; the law: C's 2006
    # against A's 2005-03 and B's 2005 (which agree with each other); Kyrgyzstan's tier and
    # prosecutions trend. Investigations (40 and 40) and Kazakhstan's tier agree: no row.
    "conflicts": [
        (
            "indicator",
            KZ,
            "2005",
            "convictions",
            A,
            "a-kaz-convictions-2005",
            "12",
            B,
            "b-kaz-convictions-2005",
            "10",
        ),
        (
            "law_article",
            KZ,
            "",
            "Penal Code article 128: max penalty years",
            A,
            "a-kaz-article-128",
            "15",
            B,
            "b-kaz-article-128",
            "12",
        ),
        (
            "legal_instrument",
            KZ,
            "",
            f"{LAW}: date",
            C,
            "c-kaz-victim-assistance-law",
            "2006",
            A,
            "a-kaz-victim-assistance-law",
            "2005-03",
        ),
        (
            "legal_instrument",
            KZ,
            "",
            f"{LAW}: date",
            C,
            "c-kaz-victim-assistance-law",
            "2006",
            B,
            "b-kaz-victim-assistance-law",
            "2005",
        ),
        (
            "tier_placement",
            KG,
            "2006",
            "tier",
            A,
            "a-kgz-tier-2006",
            "tier_2_watch_list",
            B,
            "b-kgz-tier-2006",
            "tier_2",
        ),
        (
            "trend",
            KG,
            "2005",
            "prosecutions",
            A,
            "a-kgz-prosecutions-trend-2005",
            "increase",
            B,
            "b-kgz-prosecutions-trend-2005",
            "decrease",
        ),
    ],
    # The recorded comparisons that are not agreements: the six contradictions above (a
    # tier placement of the 2006 report is about 2005), and A's two 2005 figures for
    # Kazakhstan that B, which also gives Kazakhstan's 2005 figures, does not state.
    "source-differences": [
        (
            "contradicts",
            "date",
            "",
            C,
            "legal-instrument/c-kaz-victim-assistance-law",
            "2006",
            A,
            "legal-instrument/a-kaz-victim-assistance-law",
            "2005-03",
        ),
        (
            "contradicts",
            "date",
            "",
            C,
            "legal-instrument/c-kaz-victim-assistance-law",
            "2006",
            B,
            "legal-instrument/b-kaz-victim-assistance-law",
            "2005",
        ),
        (
            "contradicts",
            "convictions",
            "2005",
            A,
            "indicator/a-kaz-convictions-2005",
            "12",
            B,
            "indicator/b-kaz-convictions-2005",
            "10",
        ),
        (
            "contradicts",
            "max penalty years",
            "",
            A,
            "law-article/a-kaz-article-128/128",
            "15",
            B,
            "law-article/b-kaz-article-128/128",
            "12",
        ),
        (
            "contradicts",
            "tier",
            "2005",
            A,
            "tier-placement/a-kgz-tier-2006/2006",
            "tier_2_watch_list",
            B,
            "tier-placement/b-kgz-tier-2006/2006",
            "tier_2",
        ),
        (
            "contradicts",
            "prosecutions 2004",
            "2005",
            A,
            "trend/a-kgz-prosecutions-trend-2005",
            "increase",
            B,
            "trend/b-kgz-prosecutions-trend-2005",
            "decrease",
        ),
        (
            "only",
            "victim_assistance_funding",
            "2005",
            A,
            "indicator/a-kaz-shelter-funding-2005",
            "20000 USD",
            B,
            "indicator/b-kaz-convictions-2005",
            "",
        ),
        (
            "only",
            "victims_estimate",
            "2005",
            A,
            "indicator/a-kaz-victims-estimate-2005",
            "low_thousands",
            B,
            "indicator/b-kaz-convictions-2005",
            "",
        ),
    ],
    # A: "a source, transit, and destination country" (2005); C: "Moldova is a source
    # country" (2008)
    "country-roles": [
        (KZ, "2005", "destination", A),
        (KZ, "2005", "source", A),
        (KZ, "2005", "transit", A),
        (MD, "2008", "source", C),
    ],
    # C: "Children are trafficked within Moldova for forced begging."
    "internal-trafficking": [(MD, "2008", "forced_begging", C)],
    # one flow per origin-destination pair: C 2 (through Ukraine) + 1 internal + 1
    # (through Kazakhstan); A 3 outbound + 2 inbound; B 2 outbound + 1 through Kazakhstan
    "flows-by-purpose": [
        (C, "commercial_sexual_exploitation", "2"),
        (C, "forced_begging", "1"),
        (C, "forced_labor", "1"),
        (A, "forced_labor", "2"),
        (A, "sexual_exploitation", "3"),
        (B, "forced_labor", "2"),
        (B, "sexual_exploitation", "1"),
    ],
    # C: "forced labor in construction"; A: "forced labor in agriculture and construction"
    "sectors": [
        (C, "2008", "forced_labor", "construction"),
        (A, "2005", "forced_labor", "agriculture"),
        (A, "2005", "forced_labor", "construction"),
    ],
    # A: "Kazakhstani women and girls"; B: "Kazakhstani men and women"
    "outbound-victim-groups": [
        (A, "2005", "girls"),
        (A, "2005", "women"),
        (B, "2007", "men"),
        (B, "2007", "women"),
    ],
    # B: "ten received sentences of five years and eight ... of eight years"; C: "three
    # were sentenced to 7.5 years and two to five years"
    "sentence-distribution": [
        (KZ, "2007", "8", "8", B),
        (KZ, "2007", "5", "10", B),
        (MD, "2008", "7.5", "3", C),
        (MD, "2008", "5", "2", C),
    ],
    # 8 + 10 = 18 convicted (B, 2007); 3 + 2 = 5 convicted (C, 2008)
    "sentences-vs-convictions": [(KZ, "2007", B, "18", "18"), (MD, "2008", C, "5", "5")],
    # A: "The government gave $20,000 to the Crisis Center"
    "funding": [(KZ, "2005", "victim_assistance_funding", "", "20000", "USD", A)],
    # B: "adopted in 2005"; A: "in March 2005"; C: "in 2006"; C: "in May 2006" (Moldova)
    "legal-instruments": [
        (KZ, "2005", "law", LAW, B),
        (KZ, "2005-03", "law", LAW, A),
        (KZ, "2006", "law", LAW, C),
        (
            MD,
            "2006-05",
            "treaty_ratification",
            "Council of Europe Convention on Action against Trafficking",
            C,
        ),
    ],
    # A: "up from 30 in 2004", "Prosecutions in Kyrgyzstan increased ... compared with
    # 2004"; B: "prosecutions decreased"; C: "improved slightly in 2008" (no year compared)
    "trends": [
        (KZ, "2005", "investigations", "increase", "", "2004", A),
        (KG, "2005", "prosecutions", "increase", "", "2004", A),
        (KG, "2005", "prosecutions", "decrease", "", "2004", B),
        (MD, "2008", "victims_identified", "increase", "slight", "", C),
    ],
    # B: "no investigations of other officials were reported" (0), "Two police officers
    # were prosecuted for complicity in 2007"
    "complicity-figures": [
        (KZ, "2007", "official_complicity_investigations", "0", B),
        (KZ, "2007", "officials_prosecuted", "2", B),
    ],
    "measures-by-area": [
        (C, "prosecution", "1"),
        (C, "protection", "1"),
        (A, "protection", "1"),
        (B, "prevention", "1"),
    ],
    # C: "Police in Balti closed several brothels" (no actor), "La Strada in Chisinau ran
    # a hotline"; A: "the Crisis Center in Almaty, which sheltered victims"
    "city-measures": [
        (C, "Balti", "prosecution", "c-mda-brothels-2008", ""),
        (C, "Chisinau", "protection", "c-mda-hotline-2008", "La Strada"),
        (A, "Almaty", "protection", "a-kaz-shelter-2005", "Crisis Center"),
    ],
    "figures": [
        (C, MD, "2008", "convictions", "5", "", "", "", "", ""),
        (C, MD, "2008", "offenders_sentenced", "3", "", "", "", "", "7.5"),
        (C, MD, "2008", "offenders_sentenced", "2", "", "", "", "", "5"),
        (
            C,
            MD,
            "2008",
            "victims_identified",
            "150",
            "more_than",
            "",
            "sexual_exploitation",
            "women",
            "",
        ),
        (A, KZ, "2004", "investigations", "30", "", "", "", "", ""),
        (A, KZ, "2005", "convictions", "12", "", "", "", "", ""),
        (A, KZ, "2005", "investigations", "40", "", "", "", "", ""),
        (A, KZ, "2005", "victim_assistance_funding", "20000", "", "USD", "", "", ""),
        (A, KZ, "2005", "victims_estimate", "low_thousands", "", "", "", "", ""),
        (B, KZ, "2005", "convictions", "10", "", "", "", "", ""),
        (B, KZ, "2005", "investigations", "40", "", "", "", "", ""),
        (B, KZ, "2007", "convictions", "18", "", "", "", "", ""),
        (B, KZ, "2007", "investigations", "55", "", "", "", "", ""),
        (B, KZ, "2007", "offenders_sentenced", "8", "", "", "", "", "8"),
        (B, KZ, "2007", "offenders_sentenced", "10", "", "", "", "", "5"),
        (B, KZ, "2007", "official_complicity_investigations", "0", "", "", "", "", ""),
        (B, KZ, "2007", "officials_prosecuted", "2", "", "", "", "", ""),
        (B, KZ, "2007", "prosecutions", "21", "", "", "", "", ""),
    ],
    # the headers of the three seed files, and how many assertions each has
    "sources": [
        (
            C,
            "Trafficking Bulletin 2009",
            "Fixture Anti-Trafficking Network",
            "2009-03-15",
            "2008-01-01",
            "2008-12-31",
            "15",
        ),
        (
            A,
            "Regional Trafficking Monitor 2006",
            "Fixture Monitoring Office",
            "2006-06-01",
            "2005-01-01",
            "2005-12-31",
            "17",
        ),
        (
            B,
            "Central Asia Trafficking Review 2008",
            "Fixture Research Institute",
            "2008-02",
            "2005-01-01",
            "2007-12-31",
            "18",
        ),
    ],
    # a tier assertion with two years is one claim (B's b-kaz-tier)
    "claims-by-kind": [
        (C, "CountryRole", "1"),
        (C, "Indicator", "4"),
        (C, "LegalInstrument", "2"),
        (C, "Measure", "2"),
        (C, "Organization", "1"),
        (C, "TierPlacement", "1"),
        (C, "TraffickingFlow", "3"),
        (C, "Trend", "1"),
        (A, "CountryRole", "1"),
        (A, "Indicator", "5"),
        (A, "LawArticle", "1"),
        (A, "LegalInstrument", "1"),
        (A, "Measure", "1"),
        (A, "Organization", "2"),
        (A, "TierPlacement", "2"),
        (A, "TraffickingFlow", "2"),
        (A, "Trend", "2"),
        (B, "Indicator", "9"),
        (B, "LawArticle", "1"),
        (B, "LegalInstrument", "1"),
        (B, "Measure", "1"),
        (B, "Organization", "1"),
        (B, "TierPlacement", "2"),
        (B, "TraffickingFlow", "2"),
        (B, "Trend", "1"),
    ],
    # B's IOM has no country
    "organizations": [
        (C, "La Strada", "ngo", MD, "Chisinau"),
        (A, "Crisis Center", "ngo", KZ, "Almaty"),
        (A, "Parliament", "legislature", KZ, ""),
        (B, "IOM", "international_organization", "", ""),
    ],
}


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return load_graph(FIXTURE_SEEDS, FIXTURE_SOURCES, cache_dir=False)


def answer(store: ox.Store, name: str, **bind: ox.NamedNode) -> list[tuple[str, ...]]:
    query = next(q for q in named_queries() if q.name == name)
    result = run_query(store, query.text, bind, origin=query.origin)
    return [tuple(term_text(t) for t in row) for row in result.rows]


def test_at_least_twenty_questions_each_with_an_expected_answer() -> None:
    names = {q.name for q in named_queries()}
    assert len(names) >= 20
    # every shipped query is tested below, and every test names a shipped query
    assert names == set(EXPECTED) | {"claims-about-country"}
    # and every expected answer has rows: no query passes by answering nothing
    assert all(EXPECTED.values())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_competency_answer(store: ox.Store, name: str) -> None:
    assert answer(store, name) == EXPECTED[name]


@pytest.mark.parametrize("code", sorted(CLAIMS))
def test_claims_about_a_country(store: ox.Store, code: str) -> None:
    country = ox.NamedNode(f"https://w3id.org/tip-kg/id/country/{code}")
    assert answer(store, "claims-about-country", country=country) == CLAIMS[code]


def test_claims_about_a_region(store: ox.Store) -> None:
    region = ox.NamedNode("https://w3id.org/tip-kg/id/region/western-europe")
    assert answer(store, "claims-about-country", country=region) == [
        ("region:western-europe", A, "a-kaz-outbound-2005", FLOW, "destination", A_OUTBOUND)
    ]


def test_claims_about_kazakhstan_cover_every_assertion_that_names_it(store: ox.Store) -> None:
    country = ox.NamedNode("https://w3id.org/tip-kg/id/country/KAZ")
    rows = answer(store, "claims-about-country", country=country)
    claims = {row[2] for row in rows}
    # A: all 17 but the two about Kyrgyzstan; B: all 18 but the two about Kyrgyzstan and
    # the IOM (no country); C: the route through Kazakhstan and the law's date
    assert len(claims) == 15 + 15 + 2
    assert ("country:KAZ", B, "b-kgz-via-kaz-2007", FLOW, "transit", B_VIA) in rows
    assert ("country:KAZ", A, "a-kaz-roles-2005", "CountryRole", "country", A_ROLES) in rows
    assert not any(c.startswith(("a-kgz", "b-kgz-tier", "b-kgz-pros", "b-org")) for c in claims)


def test_every_query_states_its_question_and_declares_its_prefixes() -> None:
    for query in named_queries():
        assert query.question.endswith("?"), query.name
        # no predeclared prefixes: the file must run as-is on any SPARQL endpoint
        ox.Store().query(query.text)
