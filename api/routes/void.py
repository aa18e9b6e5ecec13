"""``GET /.well-known/void``: the VoID description of the dataset, so other tools can find and link to it."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response

from api.deps import DataDirDep, EngineDep
from api.problems import problem_docs
from kg.namespaces import PREFIXES
from kg.sparql.formats import Format, format_by_name, negotiate
from kg.void import SD, VOID, void_quads, void_statistics

__all__ = ["router"]

router = APIRouter(tags=["Linked data"])

_OFFERED: tuple[Format, ...] = tuple(format_by_name(n) for n in ("turtle", "jsonld", "ntriples"))
_EXAMPLE = """@prefix void: <http://rdfs.org/ns/void#> .
<http://127.0.0.1:8000/.well-known/void#cnkg> a void:Dataset ;
  dcterms:title "cnkg: knowledge graph of Chinese cloud-native industry reports"@en ;
  void:sparqlEndpoint <http://127.0.0.1:8000/sparql> ;
  void:uriSpace "https://w3id.org/cnkg/id/" ;
  void:triples 21873 ; void:entities 2104 ;
  void:subset <http://127.0.0.1:8000/.well-known/void#graph-70a1e0d4758384e6> ,
              <http://127.0.0.1:8000/.well-known/void#wikidata-links> .
<http://127.0.0.1:8000/.well-known/void#wikidata-links> a void:Linkset ;
  void:linkPredicate skos:exactMatch ; void:triples 311 ."""


@router.get(
    "/.well-known/void",
    summary="VoID description of the dataset",
    description="The dataset as `void:Dataset` (RFC 5785 well-known location): title, SPARQL endpoint, URI "
    "space, vocabularies, `void:triples` (quads over all graphs: what `cnkg export` writes), "
    "`void:entities`, distinct subjects and objects, class and property partitions, a `void:subset` per "
    "named graph (lexicon and each report, `sd:name` its graph IRI) and a `void:Linkset` counting the "
    "`skos:exactMatch` links to Wikidata. Turtle by default; JSON-LD or N-Triples by `Accept` or "
    "`format`. Computed from the live store, cached per data-directory version.",
    responses={
        200: {
            "description": "The VoID description.",
            "content": {"text/turtle": {"example": _EXAMPLE}, "application/ld+json": {}},
        },
        **problem_docs(406, 429, 503),
    },
)
async def void_description(request: Request, engine: EngineDep, datadir: DataDirDep) -> Response:
    fmt = negotiate(request.headers.get("accept"), _OFFERED, request.query_params.get("format"))
    stats = await void_statistics(engine, datadir)
    quads = void_quads(
        stats, str(request.base_url), "cnkg: knowledge graph of Chinese cloud-native industry reports"
    )
    prefixes = {**PREFIXES, "void": VOID, "sd": SD}
    assert fmt.rdf is not None
    body = ox.serialize(quads, format=fmt.rdf, prefixes=prefixes if fmt.name == "turtle" else None) or b""
    return Response(content=body, media_type=fmt.content_type, headers={"Vary": "Accept"})
