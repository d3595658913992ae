"""The competency questions: every shipped query against its full answer in the texts.

Each expected answer below is read off the two source texts (the 2006 TIP report
chapter and the Wikipedia article), not off the graph. Rows are compared exactly, in
the order the query sorts them.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import load_graph
from kg.query import named_queries, run_query, term_text
from tests.conftest import SEEDS

TIP = "tip-2006-kazakhstan"
WP = "wikipedia-human-trafficking-in-kazakhstan"
KZ = "Kazakhstan"
RU = "Russian Federation"
AE = "United Arab Emirates"
INBOUND = [("Afghanistan", "AFG"), ("Kyrgyzstan", "KGZ"), ("Tajikistan", "TJK"),
           ("Uzbekistan", "UZB")]

# "Kazakhstani men, women, and children are trafficked to the U.A.E., Turkey, Israel, South
# Korea, Greece, Russia, and Western Europe." (TIP, 2005) / "... to the U.A.E., Azerbaijan,
# Turkey, Israel, Greece, Russia, and Germany and the United States" (WP, 2008)
DESTINATIONS = [
    (TIP, "2005", "country:GRC", "Greece"), (TIP, "2005", "country:ISR", "Israel"),
    (TIP, "2005", "country:RUS", RU), (TIP, "2005", "country:KOR", "South Korea"),
    (TIP, "2005", "country:TUR", "Türkiye"), (TIP, "2005", "country:ARE", AE),
    (TIP, "2005", "region:western-europe", "Western Europe"),
    (WP, "2008", "country:AZE", "Azerbaijan"), (WP, "2008", "country:DEU", "Germany"),
    (WP, "2008", "country:GRC", "Greece"), (WP, "2008", "country:ISR", "Israel"),
    (WP, "2008", "country:RUS", RU), (WP, "2008", "country:TUR", "Türkiye"),
    (WP, "2008", "country:ARE", AE), (WP, "2008", "country:USA", "United States"),
]

# TIP: "from Uzbekistan, Kyrgyzstan, Russia, and Tajikistan are trafficked through or to
# Kazakhstan" (recorded as "to", see the curation log); WP: "from Uzbekistan, Kyrgyzstan,
# Tajikistan, and Afghanistan to Kazakhstan and on to Russia and the United Arab Emirates"
ORIGINS = [
    (TIP, "2005", "country:KGZ", "Kyrgyzstan", "to"), (TIP, "2005", "country:RUS", RU, "to"),
    (TIP, "2005", "country:TJK", "Tajikistan", "to"),
    (TIP, "2005", "country:UZB", "Uzbekistan", "to"),
    *[(WP, "2008", f"country:{code}", name, route) for name, code in INBOUND
      for route in ("to", "through")],
]

ONWARD = [(WP, "2008", origin, destination) for destination in (RU, AE)
          for origin, _ in INBOUND]

# TIP: 29 investigations in 2005 "up from 27 in 2004", five prosecutions "down from 14",
# 13 convictions "an increase from 12"; WP: 22 investigations and 16 prosecutions in 2007
# "compared to 13 investigations and seven prosecutions in 2006", 19 convictions "from one
# conviction in 2006".
TIME_SERIES = [
    ("2004", "27", "14", "12", TIP), ("2005", "29", "5", "13", TIP),
    ("2006", "13", "7", "1", WP), ("2007", "22", "16", "19", WP),
]

# "Articles 128, 133, 125(3)(b), 126(3)(b), and 270 of its penal code, which prescribe
# penalties of up to 15 years' imprisonment" (WP, Prosecution (2008))
LAW_ARTICLES = [(WP, KZ, "Penal Code", article, "15", "2008")
                for article in ("125(3)(b)", "126(3)(b)", "128", "133", "270")]

# "Kazakhstan (Tier 2)" in the 2006 report; "Tier 2" in 2017 and 2023 (WP)
TIERS = [(KZ, "2006", "tier_2", TIP), (KZ, "2017", "tier_2", WP), (KZ, "2023", "tier_2", WP)]

# TIP: "police identified only 25 labor trafficking victims in 2005"; WP: "In 2007, the police
# formally identified 87 victims of labor trafficking and 25 victims of commercial sexual
# exploitation."
VICTIMS = [
    (KZ, "2005", "forced_labor", "25", "only", TIP),
    (KZ, "2007", "commercial_sexual_exploitation", "25", "", WP),
    (KZ, "2007", "forced_labor", "87", "", WP),
]

# Every claim naming Russia, with each of its quotes.
TIP_INBOUND_LABOR = ("Men, women, and children from Uzbekistan, Kyrgyzstan, Russia, and "
                     "Tajikistan are trafficked through or to Kazakhstan primarily for forced "
                     "labor in construction and agriculture.")
TIP_OUTBOUND = ("Kazakhstani men, women, and children are trafficked to the U.A.E., Turkey, "
                "Israel, South Korea, Greece, Russia, and Western Europe.")
TIP_PURPOSES = "trafficked for the purposes of forced labor and sexual exploitation"
WP_OUTBOUND = ("Kazakhstani men and women were trafficked internally and to the U.A.E., "
               "Azerbaijan, Turkey, Israel, Greece, Russia, and Germany and the United States "
               "for purposes of forced labor and sexual exploitation.")
WP_VIA = ("trafficked from Uzbekistan, Kyrgyzstan, Tajikistan, and Afghanistan to Kazakhstan "
          "and on to Russia and the United Arab Emirates (U.A.E.)")
WP_SECTORS = "forced labor in the construction and agricultural industries"
WP_SEX = "for purposes of sex slavery"
FLOW = "TraffickingFlow"
CLAIMS_RUSSIA = [
    ("country:RUS", TIP, "tip2006-inbound-forced-labor", FLOW, "origin", TIP_INBOUND_LABOR),
    ("country:RUS", TIP, "tip2006-inbound-sexual-exploitation", FLOW, "origin",
     "Women and girls are trafficked for sexual exploitation."),
    ("country:RUS", TIP, "tip2006-inbound-sexual-exploitation", FLOW, "origin",
     "from Uzbekistan, Kyrgyzstan, Russia, and Tajikistan are trafficked through or to "
     "Kazakhstan"),
    ("country:RUS", TIP, "tip2006-kaz-outbound", FLOW, "destination", TIP_OUTBOUND),
    ("country:RUS", TIP, "tip2006-kaz-outbound", FLOW, "destination", TIP_PURPOSES),
    ("country:RUS", WP, "wiki-2008-outbound", FLOW, "destination", WP_OUTBOUND),
    ("country:RUS", WP, "wiki-2008-via-kazakhstan-forced-labor", FLOW, "destination",
     WP_SECTORS),
    ("country:RUS", WP, "wiki-2008-via-kazakhstan-forced-labor", FLOW, "destination", WP_VIA),
    ("country:RUS", WP, "wiki-2008-via-kazakhstan-sexual-exploitation", FLOW, "destination",
     WP_SEX),
    ("country:RUS", WP, "wiki-2008-via-kazakhstan-sexual-exploitation", FLOW, "destination",
     WP_VIA),
]
CLAIMS_SOUTH_KOREA = [
    ("country:KOR", TIP, "tip2006-kaz-outbound", FLOW, "destination", TIP_OUTBOUND),
    ("country:KOR", TIP, "tip2006-kaz-outbound", FLOW, "destination", TIP_PURPOSES),
]
CLAIMS_USA = [
    ("country:USA", TIP, "tip2006-org-us-department-of-state", "Organization", "country",
     "U.S. Department of State"),
    ("country:USA", WP, "wiki-2008-outbound", FLOW, "destination", WP_OUTBOUND),
    ("country:USA", WP, "wiki-org-office-to-monitor-tip", "Organization", "country",
     "The U.S. State Department's Office to Monitor and Combat Trafficking in Persons"),
]

EXPECTED: dict[str, list[tuple[str, ...]]] = {
    "destinations-from-kazakhstan": DESTINATIONS,
    "origins-into-kazakhstan": ORIGINS,
    "onward-via-kazakhstan": ONWARD,
    "law-enforcement-time-series": TIME_SERIES,
    "law-articles": LAW_ARTICLES,
    "tier-placements": TIERS,
    "victims-identified": VICTIMS,
    "conflicts": [],  # the two real sources do not disagree; see test_conflicts.py
    # "is a source, transit, and destination country" (TIP, 2005; WP, "In 2008")
    "country-roles": [(KZ, year, role, source) for year, source in (("2005", TIP),
                                                                   ("2008", WP))
                      for role in ("destination", "source", "transit")],
    # TIP "into and within Kazakhstan" (labor); WP "trafficked internally" (both purposes);
    # WP "Citizen ... women and girls have been victims of sex trafficking in Kazakhstan"
    "internal-trafficking": [
        (KZ, "2005", "forced_labor", TIP), (KZ, "2008", "forced_labor", WP),
        (KZ, "2008", "sexual_exploitation", WP), (KZ, "2023", "sexual_exploitation", WP),
    ],
    # TIP: 7 outbound destinations x 2 purposes, 1 internal labor flow, 4 inbound labor and
    # 4 inbound sexual-exploitation origins. WP: 4 origins to Kazakhstan and 4 x 2 on to
    # Russia and the U.A.E. per purpose, 8 outbound destinations x 2 purposes, the internal
    # flow (both purposes), and the internal sex trafficking flow.
    "flows-by-purpose": [
        (TIP, "forced_labor", "12"), (TIP, "sexual_exploitation", "11"),
        (WP, "forced_labor", "21"), (WP, "sexual_exploitation", "22"),
    ],
    # "forced labor in construction and agriculture" / "in the construction and
    # agricultural industries"
    "sectors": [(TIP, "2005", "forced_labor", "agriculture"),
                (TIP, "2005", "forced_labor", "construction"),
                (WP, "2008", "forced_labor", "agriculture"),
                (WP, "2008", "forced_labor", "construction")],
    # "Kazakhstani men, women, and children" (TIP) / "Kazakhstani men and women" (WP)
    "outbound-victim-groups": [(TIP, "2005", "children"), (TIP, "2005", "men"),
                               (TIP, "2005", "women"), (WP, "2008", "men"),
                               (WP, "2008", "women")],
    # "one was sentenced to 12 years' imprisonment, four ... 10 years', five ... seven years',
    # four ... six years', two ... five years', and three ... three years'"; "One officer
    # was sentenced to six years and six months' imprisonment"
    "sentence-distribution": [
        (KZ, "2007", "12", "1", WP), (KZ, "2007", "10", "4", WP), (KZ, "2007", "7", "5", WP),
        (KZ, "2007", "6", "4", WP), (KZ, "2007", "5", "2", WP), (KZ, "2007", "3", "3", WP),
        (KZ, "2008", "6.5", "1", WP),
    ],
    # "Of the 19 convicted trafficking offenders": 1 + 4 + 5 + 4 + 2 + 3 = 19
    "sentences-vs-convictions": [(KZ, "2007", WP, "19", "19")],
    # "nearly $35,000 for victim assistance during 2007"; "at least $12,500 for
    # anti-trafficking NGOs to conduct awareness campaigns during the reporting period"
    "funding": [
        (KZ, "2007", "victim_assistance_funding", "nearly", "35000", "USD", WP),
        (KZ, "2008", "awareness_funding", "at_least", "12500", "USD", WP),
    ],
    "legal-instruments": [
        (KZ, "2005-04", "law", "Law on Social Assistance", TIP),
        (KZ, "2006-02", "law",
         "legislation providing identified victims with temporary residence status", TIP),
        (KZ, "2006-03", "amendment", "comprehensive set of legislative amendments", TIP),
        (KZ, "2008", "treaty_ratification", "2000 UN TIP Protocol", WP),
        (KZ, "2008-07", "treaty_ratification", "2000 UN TIP Protocol", WP),
    ],
    # "a slight decrease in the number of cases of Kazakhstani victims being trafficked
    # abroad and an increase in the number of labor trafficking victims"; "up from",
    # "down from", "an increase from"; WP "significantly increased"
    "trends": [
        (KZ, "2005", "convictions", "increase", "", "2004", TIP),
        (KZ, "2005", "investigations", "increase", "", "2004", TIP),
        (KZ, "2005", "labor_trafficking_victims", "increase", "", "2004", TIP),
        (KZ, "2005", "prosecutions", "decrease", "", "2004", TIP),
        (KZ, "2005", "victims_trafficked_abroad", "decrease", "slight", "2004", TIP),
        (KZ, "2007", "convictions", "increase", "significant", "2006", WP),
    ],
    # TIP: "the two investigations of higher-level officials ... reported in the 2005
    # Trafficking in Persons Report"; "no reports of new investigations and no reports of
    # prosecutions for official complicity". WP: "prosecuted three corrupt police
    # officials", "One officer was sentenced", "two officers fled".
    "complicity-figures": [
        (KZ, "2004", "official_complicity_investigations", "2", TIP),
        (KZ, "2005", "official_complicity_investigations", "0", TIP),
        (KZ, "2005", "official_complicity_prosecutions", "0", TIP),
        (KZ, "2008", "officials_fled", "2", WP),
        (KZ, "2008", "officials_prosecuted", "3", WP),
        (KZ, "2008", "officials_sentenced", "1", WP),
    ],
    "measures-by-area": [
        (TIP, "complicity", "1"), (TIP, "corruption", "1"), (TIP, "prevention", "3"),
        (TIP, "prosecution", "3"), (TIP, "protection", "7"), (TIP, "recommendation", "3"),
        (TIP, "victim_treatment", "1"),
        (WP, "complicity", "3"), (WP, "prevalence", "1"), (WP, "prevention", "4"),
        (WP, "prosecution", "3"), (WP, "protection", "4"), (WP, "victim_treatment", "1"),
    ],
    # Ust-Kamenogorsk: "the local government provided room, board, and protection ... in
    # conjunction with NGOs"; Kostanay: "the local government helped fund ... announcements
    # produced by a local NGO"; Almaty: "the former head of the Anti-Trafficking in Persons
    # Unit in Almaty" (prosecuted; no actor)
    "city-measures": [
        (TIP, "Kostanay", "prevention", "tip2006-kostanay-psa", "local NGO in Kostanay"),
        (TIP, "Kostanay", "prevention", "tip2006-kostanay-psa",
         "local government of Kostanay"),
        (TIP, "Ust-Kamenogorsk", "protection", "tip2006-ust-kamenogorsk-shelter",
         "NGOs in Ust-Kamenogorsk"),
        (TIP, "Ust-Kamenogorsk", "protection", "tip2006-ust-kamenogorsk-shelter",
         "local government of Ust-Kamenogorsk"),
        (WP, "Almaty", "complicity", "wiki-2008-corrupt-police-prosecuted", ""),
    ],
    "destinations-one-source-only": [
        (TIP, "country:KOR", "South Korea"), (TIP, "region:western-europe", "Western Europe"),
        (WP, "country:AZE", "Azerbaijan"), (WP, "country:DEU", "Germany"),
        (WP, "country:USA", "United States"),
    ],
    "figures": [
        (TIP, KZ, "2004", "convictions", "12", "", "", "", "", ""),
        (TIP, KZ, "2004", "investigations", "27", "", "", "", "", ""),
        (TIP, KZ, "2004", "official_complicity_investigations", "2", "", "", "", "", ""),
        (TIP, KZ, "2004", "prosecutions", "14", "", "", "", "", ""),
        (TIP, KZ, "2005", "convictions", "13", "", "", "", "", ""),
        (TIP, KZ, "2005", "foreign_victims_assisted", "22", "", "", "", "foreign_nationals",
         ""),
        (TIP, KZ, "2005", "investigations", "29", "", "", "", "", ""),
        (TIP, KZ, "2005", "official_complicity_investigations", "0", "", "", "", "", ""),
        (TIP, KZ, "2005", "official_complicity_prosecutions", "0", "", "", "", "", ""),
        (TIP, KZ, "2005", "official_points_of_entry", "150", "", "", "", "", ""),
        (TIP, KZ, "2005", "prosecutions", "5", "", "", "", "", ""),
        (TIP, KZ, "2005", "victims_estimate", "low_thousands", "", "", "", "", ""),
        (TIP, KZ, "2005", "victims_identified", "25", "only", "", "forced_labor", "", ""),
        (TIP, KZ, "2005", "victims_jailed", "0", "", "", "", "", ""),
        (WP, KZ, "2006", "convictions", "1", "", "", "", "", ""),
        (WP, KZ, "2006", "investigations", "13", "", "", "", "", ""),
        (WP, KZ, "2006", "prosecutions", "7", "", "", "", "", ""),
        (WP, KZ, "2007", "booklets_produced", "3000", "approximately", "", "", "", ""),
        (WP, KZ, "2007", "convictions", "19", "", "", "", "", ""),
        (WP, KZ, "2007", "investigations", "22", "", "", "", "", ""),
        (WP, KZ, "2007", "offenders_sentenced", "1", "", "", "", "", "12"),
        (WP, KZ, "2007", "offenders_sentenced", "4", "", "", "", "", "10"),
        (WP, KZ, "2007", "offenders_sentenced", "5", "", "", "", "", "7"),
        (WP, KZ, "2007", "offenders_sentenced", "4", "", "", "", "", "6"),
        (WP, KZ, "2007", "offenders_sentenced", "2", "", "", "", "", "5"),
        (WP, KZ, "2007", "offenders_sentenced", "3", "", "", "", "", "3"),
        (WP, KZ, "2007", "prosecutions", "16", "", "", "", "", ""),
        (WP, KZ, "2007", "victim_assistance_funding", "35000", "nearly", "USD", "", "", ""),
        (WP, KZ, "2007", "victims_identified", "25", "", "", "commercial_sexual_exploitation",
         "", ""),
        (WP, KZ, "2007", "victims_identified", "87", "", "", "forced_labor", "", ""),
        (WP, KZ, "2008", "awareness_funding", "12500", "at_least", "USD", "", "", ""),
        (WP, KZ, "2008", "offenders_sentenced", "1", "", "", "", "", "6.5"),
        (WP, KZ, "2008", "officials_fled", "2", "", "", "", "", ""),
        (WP, KZ, "2008", "officials_prosecuted", "3", "", "", "", "", ""),
        (WP, KZ, "2008", "officials_sentenced", "1", "", "", "", "", ""),
    ],
    "sources": [
        (TIP, "Trafficking in Persons Report 2006: Kazakhstan (Tier 2)",
         "U.S. Department of State", "2006-06-05", "2005-01-01", "2005-12-31", "59"),
        (WP, "Human trafficking in Kazakhstan", "Wikipedia (Wikimedia Foundation)", "2023",
         "2006-01-01", "2023-12-31", "54"),
    ],
    "claims-by-kind": [
        (TIP, "CountryRole", "1"), (TIP, "Indicator", "14"), (TIP, "LegalInstrument", "3"),
        (TIP, "Measure", "19"), (TIP, "Organization", "12"), (TIP, "TierPlacement", "1"),
        (TIP, "TraffickingFlow", "4"), (TIP, "Trend", "5"),
        (WP, "CountryRole", "1"), (WP, "Indicator", "21"), (WP, "LawArticle", "1"),
        (WP, "LegalInstrument", "2"), (WP, "Measure", "16"), (WP, "Organization", "4"),
        (WP, "TierPlacement", "1"), (WP, "TraffickingFlow", "7"), (WP, "Trend", "1"),
    ],
    "organizations": [
        (TIP, "Border Guard Service", "law_enforcement", KZ, ""),
        (TIP, "IOM", "international_organization", KZ, ""),
        (TIP, "Ministry of Justice", "government_body", KZ, ""),
        (TIP, "NGO trafficking crisis centers and shelters", "ngo", KZ, ""),
        (TIP, "NGOs", "ngo", KZ, ""),
        (TIP, "NGOs in Ust-Kamenogorsk", "ngo", KZ, "Ust-Kamenogorsk"),
        (TIP, "Parliament", "legislature", KZ, ""),
        (TIP, "U.S. Department of State", "government_body", "United States", ""),
        (TIP, "local NGO in Kostanay", "ngo", KZ, "Kostanay"),
        (TIP, "local government of Kostanay", "local_government", KZ, "Kostanay"),
        (TIP, "local government of Ust-Kamenogorsk", "local_government", KZ,
         "Ust-Kamenogorsk"),
        (TIP, "local governments", "local_government", KZ, ""),
        (WP, "Anti-Trafficking in Persons Unit in Almaty", "law_enforcement", KZ, "Almaty"),
        (WP, "NGOs", "ngo", KZ, ""),
        (WP, "Office to Monitor and Combat Trafficking in Persons", "government_body",
         "United States", ""),
        (WP, "Organised Crime Index", "research_organization", "", ""),
    ],
}


@pytest.fixture(scope="module")
def store(sources_dir: Path) -> ox.Store:
    return load_graph(SEEDS, sources_dir)


def answer(store: ox.Store, name: str, **bind: ox.NamedNode) -> list[tuple[str, ...]]:
    query = next(q for q in named_queries() if q.name == name)
    result = run_query(store, query.text, bind, origin=query.origin)
    return [tuple(term_text(t) for t in row) for row in result.rows]


def test_at_least_twenty_questions_each_with_an_expected_answer() -> None:
    names = {q.name for q in named_queries()}
    assert len(names) >= 20
    # every shipped query is tested below, and every test names a shipped query
    assert names == set(EXPECTED) | {"claims-about-country"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_competency_answer(store: ox.Store, name: str) -> None:
    assert answer(store, name) == EXPECTED[name]


@pytest.mark.parametrize(("code", "expected"), [
    ("RUS", CLAIMS_RUSSIA), ("KOR", CLAIMS_SOUTH_KOREA), ("USA", CLAIMS_USA),
])
def test_claims_about_a_country(store: ox.Store, code: str,
                                expected: list[tuple[str, ...]]) -> None:
    country = ox.NamedNode(f"https://w3id.org/tip-kg/id/country/{code}")
    assert answer(store, "claims-about-country", country=country) == expected


def test_claims_about_kazakhstan_cover_every_assertion_that_names_it(store: ox.Store) -> None:
    country = ox.NamedNode("https://w3id.org/tip-kg/id/country/KAZ")
    rows = answer(store, "claims-about-country", country=country)
    claims = {row[2] for row in rows}
    # all but the three organizations without Kazakhstan (the U.S. Department of State,
    # the Office to Monitor, the Organised Crime Index) name Kazakhstan somewhere
    assert len(claims) == 113 - 3
    assert ("country:KAZ", WP, "wiki-2008-via-kazakhstan-forced-labor", FLOW, "transit",
            WP_VIA) in rows


def test_every_query_states_its_question_and_declares_its_prefixes() -> None:
    for query in named_queries():
        assert query.question.endswith("?"), query.name
        # no predeclared prefixes: the file must run as-is on any SPARQL endpoint
        ox.Store().query(query.text)
