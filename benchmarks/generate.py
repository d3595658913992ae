"""Write a synthetic seeds tree at any scale, for the benchmarks and the scale tests.

    python benchmarks/generate.py --countries N --years M --seed S OUT/

writes OUT/seeds/tip-{year}-{alpha3}.yaml, one file per (country, report year), and
OUT/sources/tip-{year}-{alpha3}.txt, the synthetic source text every evidence quote is
taken from verbatim, so that the quote check runs at scale too. Countries are real ISO
3166 countries (kg.places) and controlled values are the notations of
ontology/concepts.ttl (kg.concepts), so the corpus passes `kg validate`.

Each file gets its own random generator seeded from (seed, country, year): the same seed
gives the same bytes, and adding countries or years leaves the existing files unchanged.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from kg.concepts import ConceptSchemes, default_ontology_dir, load_concepts
from kg.places import Place, all_countries

FIRST_REPORT_YEAR = 2001
PER_FILE = 50  # assertions per file: 200 countries x 25 years x 50 = 250,000

# How many assertions of each kind one country narrative holds (adds up to PER_FILE).
MIX = (
    ("tier_placement", 1),
    ("country_role", 1),
    ("flow", 12),
    ("indicator", 16),
    ("trend", 4),
    ("law_article", 2),
    ("legal_instrument", 2),
    ("organization", 4),
    ("measure", 8),
)
_FUNDING = {"awareness_funding", "victim_assistance_funding"}
_SENTENCED = "offenders_sentenced"
_CITIES = ("North Port", "Riverside", "Old Town", "Hill Station", "Lakeside", "East Gate")
_ORG_NAMES = {
    "government_body": "National Commission against Trafficking",
    "law_enforcement": "Anti-Trafficking Police Unit",
    "ngo": "Shelter Network for Survivors",
    "international_organization": "Regional Office for Migration",
    "court": "Criminal Court of Appeal",
    "research_organization": "Institute for Migration Studies",
    "local_government": "Municipal Social Services",
    "legislature": "National Assembly",
}


@dataclass
class Narrative:
    """One synthetic country narrative: the YAML lines and the sentences of its text."""

    yaml: list[str]
    sentences: list[str]


def _q(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(text, ensure_ascii=False)


def _list(values: list[str]) -> str:
    return "[" + ", ".join(values) + "]"


def _names(places: list[Place]) -> str:
    labels = [p.label for p in places]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


class _Writer:
    def __init__(
        self,
        rng: random.Random,
        concepts: ConceptSchemes,
        country: Place,
        year: int,
        partners: list[Place],
        source_id: str,
    ) -> None:
        self.rng = rng
        self.concepts = concepts
        self.country = country
        self.year = year  # the report year; the figures are for the year before
        self.data_year = year - 1
        self.partners = [p for p in partners if p.code != country.code]
        self.sid = source_id
        self.out = Narrative([], [])
        self.count = 0
        self.orgs: list[str] = []

    def notations(self, scheme: str) -> list[str]:
        return sorted(self.concepts.by_scheme[scheme])

    def pick(self, scheme: str, k: int = 1) -> list[str]:
        return self.rng.sample(self.notations(scheme), k)

    def label(self, scheme: str, notation: str) -> str:
        return self.concepts.by_scheme[scheme][notation].label

    def assertion(self, kind: str, fields: list[str], evidence: str) -> str:
        self.count += 1
        aid = f"{self.sid}-{kind.replace('_', '-')}-{self.count}"
        self.out.yaml.append(f"  - id: {aid}")
        self.out.yaml.append(f"    kind: {kind}")
        self.out.yaml.extend("    " + f for f in fields)
        self.out.yaml.append(f"    evidence: {_q(evidence)}")
        self.out.yaml.append("")
        self.out.sentences.append(evidence)
        return aid

    # -- one assertion per kind -----------------------------------------------------
    def tier_placement(self, i: int) -> None:
        tier = self.rng.choice(["tier_1", "tier_2", "tier_2", "tier_2_watch_list", "tier_3"])
        self.assertion(
            "tier_placement",
            [f"country: {self.country.code}", f"year: {self.year}", f"tier: {tier}"],
            f"{self.country.label} is placed on {self.label('tier', tier)} in the "
            f"{self.year} report.",
        )

    def country_role(self, i: int) -> None:
        roles = sorted(
            self.rng.sample(["source", "transit", "destination"], self.rng.randint(1, 3))
        )
        purposes = self.pick("purpose", 2)
        self.assertion(
            "country_role",
            [
                f"country: {self.country.code}",
                f"role: {_list(roles)}",
                f"year: {self.data_year}",
                f"purpose: {_list(purposes)}",
            ],
            f"{self.country.label} is a {', '.join(roles)} country for people subjected to "
            f"{' and '.join(self.label('purpose', p) for p in purposes)}.",
        )

    def flow(self, i: int) -> None:
        rng = self.rng
        groups = self.pick("victim_group", rng.randint(1, 2))
        purpose = self.pick("purpose")
        fields: list[str]
        if i == 0:  # one internal flow per narrative
            fields = [
                f"origin: {self.country.code}",
                f"destination: {self.country.code}",
                "internal: true",
                f"purpose: {_list(purpose)}",
                f"victim_group: {_list(groups)}",
                f"year: {self.data_year}",
            ]
            self.assertion(
                "flow",
                fields,
                f"Within {self.country.label}, {' and '.join(groups)} are exploited "
                f"for {self.label('purpose', purpose[0])} (case {i}).",
            )
            return
        outbound = i % 2 == 1
        others = rng.sample(self.partners, 4)
        if outbound:
            origins, destinations = [self.country], others[: rng.randint(1, 3)]
        else:
            origins, destinations = others[: rng.randint(1, 2)], [self.country]
        transit = (
            []
            if rng.random() < 0.6
            else [p for p in others[3:] if p not in origins and p not in destinations]
        )
        fields = [f"origin: {_list([p.code for p in origins])}"]
        if transit:
            fields.append(f"transit: {_list([p.code for p in transit])}")
        fields.append(f"destination: {_list([p.code for p in destinations])}")
        fields.append(f"purpose: {_list(purpose)}")
        sentence = (
            f"{' and '.join(groups).capitalize()} from {_names(origins)} are trafficked "
            + (f"through {_names(transit)} " if transit else "")
            + f"to {_names(destinations)} for {self.label('purpose', purpose[0])}"
        )
        if purpose[0] == "forced_labor":
            sector = self.pick("sector")
            fields.append(f"sector: {_list(sector)}")
            sentence += f" in {self.label('sector', sector[0])}"
        fields += [f"victim_group: {_list(groups)}", f"year: {self.data_year}"]
        self.assertion("flow", fields, f"{sentence} (case {i}).")

    def indicator(self, i: int) -> None:
        rng = self.rng
        metrics = [m for m in self.notations("metric") if m != "officials_sentenced"]
        metric = metrics[i % len(metrics)]
        value = rng.randint(0, 5000)
        fields = [
            f"country: {self.country.code}",
            f"year: {self.data_year}",
            f"metric: {metric}",
            f"value: {value}",
        ]
        words = f"{value}"
        if metric in _FUNDING:
            fields.append("currency: USD")
            words = f"${value},000"
        elif metric == _SENTENCED:
            sentence = rng.choice(["3", "5", "6.5", "10"])
            fields.append(f"sentence_years: {sentence}")
            words = f"{value} offenders to {sentence} years"
        elif rng.random() < 0.2:
            qualifier = rng.choice(["approximately", "at_least", "nearly", "more_than"])
            fields.append(f"qualifier: {qualifier}")
            words = f"{self.label('qualifier', qualifier)} {value}"
        if i >= len(metrics):  # the same metric again, restricted to one group
            group = self.pick("victim_group")
            fields.append(f"victim_group: {_list(group)}")
            words += f" {group[0]}"
        self.assertion(
            "indicator",
            fields,
            f"In {self.data_year} the authorities of {self.country.label} reported "
            f"{words} for {self.label('metric', metric).lower()}.",
        )

    def trend(self, i: int) -> None:
        metric = ("investigations", "prosecutions", "convictions", "victims_identified")[i % 4]
        direction = self.rng.choice(["increase", "decrease", "no_change"])
        fields = [
            f"country: {self.country.code}",
            f"year: {self.data_year}",
            f"metric: {metric}",
            f"direction: {direction}",
            f"compared_to: {self.data_year - 1}",
        ]
        if direction != "no_change" and self.rng.random() < 0.5:
            fields.append("qualifier: " + self.rng.choice(["slight", "significant"]))
        self.assertion(
            "trend",
            fields,
            f"{self.label('metric', metric)} in {self.country.label} showed "
            f"{self.label('direction', direction).lower()} in {self.data_year} "
            f"compared with {self.data_year - 1}.",
        )

    def law_article(self, i: int) -> None:
        articles = [str(100 + 10 * i + k) for k in range(self.rng.randint(1, 2))]
        # The penalty of an article is the same in every year's report, so that the
        # narratives of one country agree (no `sources-disagree` warnings at scale).
        penalty = random.Random(f"{self.country.code}/{i}").choice([5, 8, 10, 15, 20])
        prohibits = self.pick("purpose", 2)
        self.assertion(
            "law_article",
            [
                f"jurisdiction: {self.country.code}",
                "code: Penal Code",
                f"article: {_list([_q(a) for a in articles])}",
                f"prohibits: {_list(prohibits)}",
                f"max_penalty_years: {penalty}",
                f"year: {self.data_year}",
            ],
            f"Articles {' and '.join(articles)} of the Penal Code of {self.country.label} "
            f"prohibit trafficking, with penalties of up to {penalty} years.",
        )

    def legal_instrument(self, i: int) -> None:
        kind = self.pick("instrument_type")[0]
        month = self.rng.randint(1, 12)
        title = f"{self.label('instrument_type', kind)} No. {self.year}-{i + 1}"
        self.assertion(
            "legal_instrument",
            [
                f"jurisdiction: {self.country.code}",
                f"instrument_type: {kind}",
                f"title: {_q(title)}",
                f"date: {self.data_year}-{month:02d}",
                f"description: {_q('Synthetic instrument on trafficking in persons.')}",
            ],
            f"In {self.data_year} {self.country.label} adopted the {title}.",
        )

    def organization(self, i: int) -> None:
        org_type = self.notations("org_type")[(i + self.year) % len(self.notations("org_type"))]
        name = f"{_ORG_NAMES.get(org_type, 'Anti-Trafficking Office')} of {self.country.label}"
        fields = [f"name: {_q(name)}", f"org_type: {org_type}", f"country: {self.country.code}"]
        if i % 2 == 0:
            fields.append(f"place: {_q(self.rng.choice(_CITIES))}")
        self.orgs.append(
            self.assertion(
                "organization",
                fields,
                f"The {name} worked on trafficking cases in {self.data_year} ({i}).",
            )
        )

    def measure(self, i: int) -> None:
        area = self.notations("area")[i % len(self.notations("area"))]
        description = f"Synthetic {area.replace('_', ' ')} measure {i + 1}."
        fields = [
            f"country: {self.country.code}",
            f"year: {self.data_year}",
            f"area: {area}",
            f"description: {_q(description)}",
        ]
        if self.orgs and i % 2 == 0:
            fields.append(f"actor: {_list(self.rng.sample(self.orgs, 1))}")
        if i % 4 == 1:
            fields.append(f"place: {_q(self.rng.choice(_CITIES))}")
        self.assertion(
            "measure",
            fields,
            f"During {self.data_year} the government of {self.country.label} took "
            f"{area.replace('_', ' ')} step number {i + 1}.",
        )


def narrative(
    seed: int,
    country: Place,
    year: int,
    concepts: ConceptSchemes,
    countries: list[Place],
    per_file: int = PER_FILE,
) -> tuple[str, str, bytes]:
    """(source id, seed YAML, source text) of one country and report year."""
    rng = random.Random(f"{seed}/{country.code}/{year}")
    sid = f"tip-{year}-{country.code.lower()}"
    writer = _Writer(rng, concepts, country, year, countries, sid)
    plan = [kind for kind, n in MIX for _ in range(n)]
    plan = [plan[i % len(plan)] for i in range(per_file)]
    done: dict[str, int] = {}
    # Organizations first, so that measures can name them as actors.
    for kind in sorted(plan, key=lambda k: k != "organization"):
        getattr(writer, kind)(done.get(kind, 0))
        done[kind] = done.get(kind, 0) + 1
    sentences = writer.out.sentences
    paragraphs = [" ".join(sentences[i : i + 6]) for i in range(0, len(sentences), 6)]
    text = (
        f"Synthetic Trafficking in Persons Report {year}: {country.label}\n\n"
        + "\n\n".join(paragraphs)
        + "\n"
    ).encode()
    digest = hashlib.sha256(text).hexdigest()
    header = [
        "source:",
        f"  id: {sid}",
        f"  title: {_q(f'Synthetic Trafficking in Persons Report {year}: {country.label}')}",
        "  publisher: tip-kg benchmark generator",
        f"  url: https://example.org/tip/{year}/{country.code}",
        f"  published: {year}-06-01",
        f"  period: {{start: {year - 1}-01-01, end: {year - 1}-12-31}}",
        f"  text: {sid}.txt",
        f"  sha256: {digest}",
        "  license: https://creativecommons.org/publicdomain/mark/1.0/",
        "",
        "assertions:",
        "",
    ]
    return sid, "\n".join(header + writer.out.yaml), text


def generate(out: Path, countries: int, years: int, seed: int, per_file: int = PER_FILE) -> int:
    """Write the corpus under `out`; return the number of assertions written."""
    concepts = load_concepts(default_ontology_dir())
    every = all_countries()
    if not 1 <= countries <= len(every):
        raise ValueError(f"--countries must be 1..{len(every)}")
    if not 1 <= years <= 2100 - FIRST_REPORT_YEAR:
        raise ValueError("--years out of range")
    chosen = sorted(random.Random(seed).sample(every, countries), key=lambda p: p.code)
    (out / "seeds").mkdir(parents=True, exist_ok=True)
    (out / "sources").mkdir(parents=True, exist_ok=True)
    for country in chosen:
        for year in range(FIRST_REPORT_YEAR, FIRST_REPORT_YEAR + years):
            sid, yaml_text, text = narrative(seed, country, year, concepts, every, per_file)
            (out / "seeds" / f"{sid}.yaml").write_text(yaml_text, encoding="utf-8")
            (out / "sources" / f"{sid}.txt").write_bytes(text)
    return countries * years * per_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--countries", type=int, required=True)
    parser.add_argument("--years", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--per-file",
        type=int,
        default=PER_FILE,
        help=f"assertions per seed file (default {PER_FILE})",
    )
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    try:
        n = generate(args.out, args.countries, args.years, args.seed, args.per_file)
    except ValueError as exc:
        parser.error(str(exc))
    print(f"wrote {args.countries * args.years} seed files, {n} assertions, to {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
