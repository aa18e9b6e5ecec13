"""The SPARQL 1.1 Service Description of the endpoint, with cnkg's limits and their current values.

>>> from kg.settings import Settings
>>> from kg.sparql.formats import format_by_name
>>> turtle = format_by_name("turtle")
>>> access = ClientAccess(update_enabled=False, rate_limit_per_minute=600, max_concurrent_per_client=8)
>>> ttl = service_description(
...     "http://127.0.0.1:8000/sparql", Settings(), access=access, graphs=[], fmt=turtle
... )
>>> b"sd:endpoint <http://127.0.0.1:8000/sparql>" in ttl
True
>>> b"SPARQL11Update" in ttl
False
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from kg.namespaces import CNKG, XSD
from kg.settings import Settings
from kg.sparql.formats import GRAPH_FORMATS, RESULT_FORMATS, Format

__all__ = ["SD", "ClientAccess", "service_description"]

SD = "http://www.w3.org/ns/sparql-service-description#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_FORMAT_IRIS = {
    "json": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    "xml": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    "csv": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
    "tsv": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
    "turtle": "http://www.w3.org/ns/formats/Turtle",
    "ntriples": "http://www.w3.org/ns/formats/N-Triples",
    "jsonld": "http://www.w3.org/ns/formats/JSON-LD",
    "rdfxml": "http://www.w3.org/ns/formats/RDF_XML",
    "trig": "http://www.w3.org/ns/formats/TriG",
    "nquads": "http://www.w3.org/ns/formats/N-Quads",
    "n3": "http://www.w3.org/ns/formats/N3",
}


@dataclass(frozen=True)
class ClientAccess:
    """What the endpoint lets one client do, as the HTTP service is configured (:mod:`api.settings`)."""

    update_enabled: bool  # SPARQL Update (a write token is configured)
    rate_limit_per_minute: int
    max_concurrent_per_client: int


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def _cnkg(name: str) -> ox.NamedNode:
    return ox.NamedNode(CNKG + name)


def _typed(value: object, datatype: str) -> ox.Literal:
    return ox.Literal(
        str(value).lower() if isinstance(value, bool) else str(value), datatype=ox.NamedNode(XSD + datatype)
    )


def service_description(
    endpoint: str,
    settings: Settings,
    *,
    access: ClientAccess,
    graphs: Iterable[str],
    fmt: Format,
    network_wall: str | None = None,
) -> bytes:
    """The description of the endpoint at ``endpoint`` as ``fmt`` (an RDF format); ``network_wall`` names
    what keeps the query workers off the network, when there are workers."""
    service = ox.BlankNode("service")
    dataset = ox.BlankNode("dataset")
    default_graph = ox.BlankNode("defaultGraph")
    triples: list[ox.Triple] = []

    def add(
        s: ox.NamedNode | ox.BlankNode, p: ox.NamedNode, o: ox.NamedNode | ox.BlankNode | ox.Literal
    ) -> None:
        triples.append(ox.Triple(s, p, o))

    add(service, _RDF_TYPE, _sd("Service"))
    add(service, _sd("endpoint"), ox.NamedNode(endpoint))
    add(service, _sd("supportedLanguage"), _sd("SPARQL11Query"))
    if access.update_enabled:
        add(service, _sd("supportedLanguage"), _sd("SPARQL11Update"))
    add(service, _sd("feature"), _sd("UnionDefaultGraph"))
    if settings.allow_service:
        add(service, _sd("feature"), _sd("BasicFederatedQuery"))
    for f in RESULT_FORMATS + GRAPH_FORMATS:
        add(service, _sd("resultFormat"), ox.NamedNode(_FORMAT_IRIS[f.name]))
    # cnkg's limits, so clients can see them before they hit them
    add(service, _cnkg("queryTimeoutSeconds"), _typed(settings.query_timeout, "decimal"))
    add(service, _cnkg("rowCap"), _typed(settings.row_cap, "integer"))
    add(service, _cnkg("maxResultBytes"), _typed(settings.max_result_bytes, "integer"))
    add(service, _cnkg("maxQueryCharacters"), _typed(settings.max_query_chars, "integer"))
    add(service, _cnkg("maxUploadBytes"), _typed(settings.max_upload_bytes, "integer"))
    add(service, _cnkg("federatedQueryAllowed"), _typed(settings.allow_service, "boolean"))
    add(service, _cnkg("updateEnabled"), _typed(access.update_enabled, "boolean"))
    add(service, _cnkg("rateLimitPerMinute"), _typed(access.rate_limit_per_minute, "integer"))
    add(
        service,
        _cnkg("maxConcurrentRequestsPerClient"),
        _typed(access.max_concurrent_per_client, "integer"),
    )
    add(service, _cnkg("externalStore"), ox.Literal(settings.store_url or "none"))
    if network_wall:  # what keeps the query workers off the network (kg.sparql.sandbox)
        add(service, _cnkg("queryWorkerNetworkWall"), ox.Literal(network_wall))
    add(service, _sd("defaultDataset"), dataset)
    add(dataset, _RDF_TYPE, _sd("Dataset"))
    add(dataset, _sd("defaultGraph"), default_graph)
    add(default_graph, _RDF_TYPE, _sd("Graph"))
    for i, graph in enumerate(sorted(graphs)):
        named = ox.BlankNode(f"g{i}")
        add(dataset, _sd("namedGraph"), named)
        add(named, _RDF_TYPE, _sd("NamedGraph"))
        add(named, _sd("name"), ox.NamedNode(graph))
    assert fmt.rdf is not None
    prefixes = (
        {"sd": SD, "cnkg": CNKG, "xsd": XSD} if fmt.rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    )
    items = [ox.Quad(t.subject, t.predicate, t.object) for t in triples] if fmt.is_dataset else triples
    return ox.serialize(items, format=fmt.rdf, prefixes=prefixes) or b""
