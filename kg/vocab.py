"""The tip-kg vocabulary: closed namespaces (ours and the reused ones) and IRI minting.

Every term the code writes comes from here, so a misspelled term fails at import
or attribute access instead of producing a silently wrong graph.
"""

from __future__ import annotations

import re
import unicodedata

from rdflib import Namespace
from rdflib.namespace import DCTERMS as _DCTERMS
from rdflib.namespace import PROV as _PROV
from rdflib.namespace import QB as _QB
from rdflib.namespace import SKOS as _SKOS
from rdflib.namespace import VOID as _VOID
from rdflib.namespace import DefinedNamespace

BASE = "https://w3id.org/tip-kg/"
ONTOLOGY_IRI = BASE + "ontology"
ID = BASE + "id/"


class KG(DefinedNamespace):
    """Terms of the tip-kg ontology (`ontology/tip-kg.ttl`)."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # classes
    Assertion: object
    Country: object
    Region: object
    Place: object
    Organization: object
    Source: object
    Year: object
    TraffickingFlow: object
    FlowLeg: object
    Indicator: object
    LawArticle: object
    LegalInstrument: object
    CountryRole: object
    TierPlacement: object
    Trend: object
    Measure: object
    ReportingCycle: object
    Comparison: object

    # every assertion
    evidence: object
    curatorNote: object
    reportingCycle: object
    edition: object

    # comparisons of sources
    claim: object
    comparedWith: object
    outcome: object
    aspect: object
    claimedValue: object
    comparedValue: object
    status: object
    confidence: object

    # flows
    origin: object
    transit: object
    destination: object
    purpose: object
    sector: object
    victimGroup: object
    year: object
    internal: object
    leg: object
    legIndex: object
    legFrom: object
    legTo: object

    # indicators and trends
    country: object
    metric: object
    value: object
    currency: object
    qualifier: object
    sentenceYears: object
    direction: object
    comparedTo: object

    # law
    articleNumber: object
    jurisdiction: object
    legalCode: object
    maxPenaltyYears: object
    prohibits: object
    instrumentType: object
    date: object

    # roles, tiers, measures, organizations
    role: object
    tier: object
    area: object
    actor: object
    place: object
    orgType: object

    # places and time
    isoAlpha2: object
    isoAlpha3: object
    isoNumeric: object
    m49Code: object
    yearValue: object

    # sources
    sourceText: object
    sha256: object
    periodStart: object
    periodEnd: object
    extractionMethod: object
    repository: object
    commit: object
    derivedFromReport: object
    support: object


# Reused vocabularies, closed: rdflib declares every term of these, and an undeclared one
# (`DCT.titel`) raises AttributeError instead of minting a wrong IRI (issue 14).
PROV = _PROV
DCT = _DCTERMS
SKOS = _SKOS
QB = _QB
VOID = _VOID


class DCAT(DefinedNamespace):
    """The DCAT terms the VoID/DCAT description uses (rdflib's DCAT is open)."""

    _NS = Namespace("http://www.w3.org/ns/dcat#")
    _fail = True

    Dataset: object
    Distribution: object
    distribution: object
    downloadURL: object
    mediaType: object
    byteSize: object
    accessURL: object
    landingPage: object
    keyword: object
    theme: object
    spatial: object
    temporal: object
    checksum: object


class SCHEMA(DefinedNamespace):
    """The schema.org terms tip-kg writes (rdflib's SDO is open)."""

    _NS = Namespace("https://schema.org/")
    _fail = True

    Country: object
    Dataset: object
    SoftwareApplication: object
    url: object
    name: object
    softwareVersion: object
    sameAs: object
    license: object
    description: object
    identifier: object


# Wikidata entity ids are data (Q-numbers), not a vocabulary: this one stays open.
WD = Namespace("http://www.wikidata.org/entity/")

PREFIXES: dict[str, str] = {
    "kg": str(KG._NS),
    "country": ID + "country/",
    "region": ID + "region/",
    "year": ID + "year/",
    "source": ID + "source/",
    "concept": ID + "concept/",
    "dcat": str(DCAT),
    "dct": str(DCT),
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": str(PROV),
    "qb": str(QB),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": str(SCHEMA),
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": str(SKOS),
    "void": str(VOID),
    "wd": str(WD),
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

_SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """Lower-case ASCII slug of `text`, for IRI path segments.

    >>> slug("Ust-Kamenogorsk")
    'ust-kamenogorsk'
    >>> slug("125(3)(b)")
    '125-3-b'
    >>> slug("Penal Code")
    'penal-code'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SLUG_UNSAFE.sub("-", ascii_text.lower()).strip("-")


def mint(kind: str, *parts: str) -> str:
    """The one place instance IRIs are made: `id/{kind}/{part}/{part}...`.

    >>> mint("country", "KAZ")
    'https://w3id.org/tip-kg/id/country/KAZ'
    >>> mint("flow", "tip2006-kaz-outbound", "KAZ-TUR")
    'https://w3id.org/tip-kg/id/flow/tip2006-kaz-outbound/KAZ-TUR'
    """
    if not parts or any(not p or "/" in p or " " in p for p in parts):
        raise ValueError(f"cannot mint an IRI from {kind!r} {parts!r}")
    return ID + "/".join((kind, *parts))
