"""IRIs and namespaces of cnkg: the one place where identifiers are minted.

>>> entity_iri("kubernetes")
'https://w3id.org/cnkg/id/entity/kubernetes'
>>> entity_slug("Amazon  EKS")
'amazon-eks'
>>> passage_iri("ab12", 3)
'https://w3id.org/cnkg/id/report/ab12/passage/3'
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "CNKG",
    "DCTERMS",
    "ENTITY_BASE",
    "ENTITY_TYPES",
    "ID_BASE",
    "LEXICON_GRAPH",
    "NAMED_TECHNICAL_TYPES",
    "ORG_TYPES",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "REPORT_BASE",
    "SKOS",
    "TECHNICAL_TYPES",
    "TYPE_PRECEDENCE",
    "WIKIDATA",
    "XSD",
    "cnkg_name_of",
    "entity_iri",
    "entity_slug",
    "fact_iri",
    "normalize_name",
    "passage_iri",
    "preferred_type",
    "report_id",
    "report_iri",
    "rid_of",
    "slug_of",
    "sparql_prefixes",
    "statement_iri",
]

CNKG = "https://w3id.org/cnkg/ontology#"
ID_BASE = "https://w3id.org/cnkg/id/"
ENTITY_BASE = ID_BASE + "entity/"
REPORT_BASE = ID_BASE + "report/"
LEXICON_GRAPH = "https://w3id.org/cnkg/graph/lexicon"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
WIKIDATA = "http://www.wikidata.org/entity/"

PREFIXES: dict[str, str] = {
    "cnkg": CNKG,
    "ent": ENTITY_BASE,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "prov": PROV,
    "dcterms": DCTERMS,
    "wd": WIKIDATA,
}

ENTITY_TYPES: tuple[str, ...] = (
    "Vendor",
    "Organization",
    "Technology",
    "Product",
    "Concept",
    "Industry",
    "Policy",
)

# The groups of entity types that the rules treat alike: organisations (who make, offer and join things), the
# technical things with a name of their own, and these with the concepts.
ORG_TYPES = frozenset({"Vendor", "Organization"})
NAMED_TECHNICAL_TYPES = frozenset({"Technology", "Product"})
TECHNICAL_TYPES = NAMED_TECHNICAL_TYPES | {"Concept"}

# When reports give one entity several types (a discovered name typed by context), the entity's type is the
# first of its types in this order, whatever the order the reports came in: the more specific or more
# informative type wins (a Vendor is an Organization; a name written after a vendor is its Product).
TYPE_PRECEDENCE: tuple[str, ...] = (
    "Vendor",
    "Organization",
    "Product",
    "Technology",
    "Policy",
    "Industry",
    "Concept",
)

_SLUG_DROP = re.compile(r"[《》“”\"'`<>{}|\\^#%?/\[\]]+")
_SLUG_DASH = re.compile(r"[\s_.,，、:：;；()（）+&]+")


def normalize_name(name: str) -> str:
    """Fold width and case so that ``ＡＷＳ``, ``aws`` and ``AWS`` compare equal.

    >>> normalize_name("Ｋ８ｓ")
    'k8s'
    """
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", name)).strip().casefold()


def entity_slug(name: str) -> str:
    """Stable slug for an entity from its canonical name (Unicode kept, IRI-safe)."""
    folded = _SLUG_DROP.sub("", normalize_name(name))
    slug = _SLUG_DASH.sub("-", folded).strip("-")
    return slug or hashlib.sha1(name.encode("utf-8")).hexdigest()[:12]


def preferred_type(types: Iterable[str]) -> str | None:
    """The one type of an entity given several (local names or cnkg IRIs), by ``TYPE_PRECEDENCE``.

    >>> preferred_type(["Technology", CNKG + "Product"])
    'Product'
    >>> preferred_type(["Organization", "Vendor"]), preferred_type([])
    ('Vendor', None)
    """
    names = {cnkg_name_of(t) for t in types}
    return next((t for t in TYPE_PRECEDENCE if t in names), None)


def entity_iri(slug: str) -> str:
    return ENTITY_BASE + slug


def slug_of(iri: str) -> str:
    """The slug of an entity IRI; any other text is returned as it is.

    >>> slug_of("https://w3id.org/cnkg/id/entity/kubernetes"), slug_of("urn:x")
    ('kubernetes', 'urn:x')
    """
    return iri.removeprefix(ENTITY_BASE)


def cnkg_name_of(iri: str) -> str:
    """The local name of a term of the cnkg ontology (a class or property); any other text as it is.

    >>> cnkg_name_of("https://w3id.org/cnkg/ontology#Vendor"), cnkg_name_of("")
    ('Vendor', '')
    """
    return iri.removeprefix(CNKG)


def report_id(sha256_hex: str) -> str:
    """Report id: the first 16 hex digits of the content hash (idempotent re-ingest)."""
    return sha256_hex[:16]


def report_iri(rid: str) -> str:
    return REPORT_BASE + rid


def rid_of(iri: str) -> str:
    """The report id of a report IRI or of an IRI inside a report (passage, fact, statement); ``""``
    for any other IRI.

    >>> rid_of("https://w3id.org/cnkg/id/report/ab12/passage/3"), rid_of(ENTITY_BASE + "x")
    ('ab12', '')
    """
    if not iri.startswith(REPORT_BASE):
        return ""
    return iri[len(REPORT_BASE) :].split("/", 1)[0]


def passage_iri(rid: str, n: int) -> str:
    return f"{REPORT_BASE}{rid}/passage/{n}"


def fact_iri(rid: str, n: int) -> str:
    return f"{REPORT_BASE}{rid}/fact/{n}"


def statement_iri(rid: str, n: int) -> str:
    return f"{REPORT_BASE}{rid}/statement/{n}"


def sparql_prefixes() -> str:
    """PREFIX declarations for every namespace above, for queries written by cnkg."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
