"""What the MCP tools do: one method per tool over cnkg's own services (search, Q&A, facts, entities,
catalog, the SPARQL engine), each result carrying ``citations``: report title, report and passage IRIs,
character offsets and the text, so that an assistant can quote its source.

Nothing here writes: the tools read the data directory through the same services and the same SPARQL
engine (guard, timeout, row cap) as the HTTP routes.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from api.services import Services
from kg.catalog import Catalog
from kg.datadir import DataDir
from kg.entities import find_entities
from kg.errors import InputError, NotFoundError
from kg.facts import compare_facts, entity_filter
from kg.lexicon import Lexicon
from kg.namespaces import ENTITY_BASE, ENTITY_TYPES, REPORT_BASE, report_iri, rid_of, slug_of
from kg.qa import engine_select
from kg.search.service import MAX_K
from kg.settings import Settings
from kg.sparql.client_queries import inspect_client_query
from kg.sparql.engine import QueryRequest, SparqlEngine, select_json
from kg.sparql.formats import format_by_name
from kg.sparql.resources import entity_detail, iri_term

__all__ = ["MAX_QUERY_TEXT", "CnkgTools", "citation", "span_citation"]

MAX_QUERY_TEXT = 500  # as GET /search
MAX_FACT_GROUPS = 100  # as GET /facts
MAX_SPARQL_CITATIONS = 50  # passages of a SPARQL result looked up for their citations
_PASSAGE_IRI = re.compile(re.escape(REPORT_BASE) + r"[0-9a-f]{1,64}/passage/\d+")


def citation(
    report: str | None,
    title: str | None,
    passage: str | None,
    start: int | None,
    end: int | None,
    text: str | None,
    **more: Any,
) -> dict[str, Any]:
    """Where a claim comes from, in the one shape every tool uses."""
    return {
        "report": report,
        "title": title,
        "passage": passage,
        "start": start,
        "end": end,
        "text": text,
        **more,
    }


def span_citation(
    span: Mapping[str, Any], report: str | None, title: str | None, **more: Any
) -> dict[str, Any]:
    """The citation of a passage span given as a mapping with ``passage``, ``start``, ``end`` and ``text``
    (a search hit, an evidence record)."""
    return citation(report, title, span["passage"], span["start"], span["end"], span["text"], **more)


def _report_of(passage: str) -> str:
    return report_iri(rid_of(passage))


@dataclass(frozen=True)
class CnkgTools:
    settings: Settings
    engine: Callable[[], SparqlEngine]  # the running engine (the server's, or the one cnkg mcp started)
    services: Callable[[], Services]  # the search and Q&A services, the server's or cnkg mcp's

    @property
    def datadir(self) -> DataDir:
        return DataDir(self.settings.data)

    def _titles(self) -> dict[str, str]:
        return {report_iri(r.rid): r.title for r in Catalog(self.datadir).reports()}

    # -- tools -------------------------------------------------------------------------------------
    async def search(
        self, query: str, k: int = 10, type: str | None = None, report: str | None = None
    ) -> dict[str, Any]:
        """Passages of the reports for a query (hybrid BM25 + embeddings + entity boost)."""
        if not query.strip() or len(query) > MAX_QUERY_TEXT:
            raise InputError(f"the query must have 1 to {MAX_QUERY_TEXT} characters")
        if not 1 <= k <= MAX_K:
            raise InputError(f"k must be between 1 and {MAX_K}")
        if type is not None and type not in ENTITY_TYPES:
            raise InputError(f"unknown entity type {type!r}; use one of {', '.join(ENTITY_TYPES)}")
        service = self.services().search
        result = await asyncio.to_thread(service.search, query, k=k, report=report or None, type=type)
        titles = self._titles()
        hits = [
            span_citation(h, h["report"], titles.get(h["report"]), score=h["score"], entities=h["entities"])
            for h in result["hits"]
        ]
        return {"query": result["query"], "total": result["total"], "citations": hits}  # a hit is a citation

    async def ask(self, question: str) -> dict[str, Any]:
        """The answer taken from the reports, with the sentences it rests on."""
        answerer = self.services().answerer
        response = await answerer.ask(question, engine_select(self.engine()))
        titles = self._titles()
        cited = [span_citation(e, e["report"], titles.get(e["report"])) for e in response["evidence"]]
        return {**response, "evidence": cited, "citations": cited}

    async def sparql(self, query: str) -> dict[str, Any]:
        """A read-only SPARQL query under the /sparql guard, timeout and row cap."""
        engine = self.engine()
        operation = await inspect_client_query(self.settings, engine, query)
        graph = operation.form.is_graph
        fmt = format_by_name("ntriples" if graph else "json")
        outcome = await engine.query(QueryRequest(operation, fmt))
        result: dict[str, Any] = {
            "form": operation.form.value,
            "truncated": outcome.truncated,
            "rowCap": self.settings.row_cap,
        }
        if graph:
            text = outcome.body.decode("utf-8")
            result["ntriples"] = text
            iris: Iterable[str] = _PASSAGE_IRI.findall(text)
        else:
            body = json.loads(outcome.body)
            if "boolean" in body:
                result["boolean"] = body["boolean"]
                iris = ()
            else:
                result["head"], result["results"] = body["head"], body["results"]
                iris = (
                    term["value"]
                    for row in body["results"]["bindings"]
                    for term in row.values()
                    if term["type"] == "uri"
                )
        result["citations"] = await self._passage_citations(iris)
        return result

    async def entity(self, name: str | None = None, iri: str | None = None) -> dict[str, Any]:
        """One entity: labels, type, Wikidata link, relations with evidence, mentions, facts."""
        slug = await self._entity_slug(name, iri)
        detail = await entity_detail(self.engine(), slug)
        titles = self._titles()
        cited = []
        for relation in detail["relations"]:
            for evidence in relation["evidence"]:
                evidence["title"] = titles.get(evidence["report"])
                cited.append(span_citation(evidence, evidence["report"], evidence["title"]))
        cited += [_fact_citation(f) for f in detail["facts"]]
        return {**detail, "citations": cited}

    async def facts(
        self, entity: str | None = None, metric: str | None = None, year: int | None = None
    ) -> dict[str, Any]:
        """Observations (market figures) grouped by what they measure, each with report and sentence."""
        slug, forms = entity_filter(entity)
        result = await compare_facts(
            self.engine(),
            metric=metric,
            entity=slug,
            entity_forms=forms,
            year=year,
            limit=MAX_FACT_GROUPS,
        )
        cited = [_fact_citation(o) for group in result["groups"] for o in group["observations"]]
        return {**result, "citations": cited}

    async def reports(self) -> dict[str, Any]:
        """Every ingested report: id, IRI, title, source file, size, counts, its MCP resource."""
        reports = [
            {
                "rid": r.rid,
                "iri": report_iri(r.rid),
                "title": r.title,
                "source": r.source,
                "chars": r.chars,
                "ingested": r.ingested,
                "counts": r.counts,
                "resource": f"cnkg://report/{r.rid}",
            }
            for r in Catalog(self.datadir).reports()
        ]
        return {"reports": reports, "citations": []}

    # -- helpers -----------------------------------------------------------------------------------
    async def _entity_slug(self, name: str | None, iri: str | None) -> str:
        if (name is None) == (iri is None):
            raise InputError("give exactly one of 'name' or 'iri'")
        if iri is not None:
            if not iri.startswith(ENTITY_BASE) or not slug_of(iri):
                raise InputError(f"not a cnkg entity IRI (they start with {ENTITY_BASE}): {iri!r}")
            return slug_of(iri)
        assert name is not None
        if not name.strip():
            raise InputError("the name is empty")
        lexicon = Lexicon.load()
        entry = lexicon.get(name) or lexicon.resolve(name)
        if entry is not None:
            return entry.slug
        found = await find_entities(engine_select(self.engine()), name, None, 1)
        if not found:
            raise NotFoundError(f"no entity is named {name!r}")
        return str(found[0]["slug"])

    async def _passage_citations(self, iris: Iterable[str]) -> list[dict[str, Any]]:
        """Citations of the passages among ``iris`` (the first MAX_SPARQL_CITATIONS, in order)."""
        passages = list(dict.fromkeys(i for i in iris if _PASSAGE_IRI.fullmatch(i)))[:MAX_SPARQL_CITATIONS]
        if not passages:
            return []
        rows = await select_json(
            self.engine(),
            f"""SELECT ?p ?start ?end ?text ?title WHERE {{
  VALUES ?p {{ {" ".join(iri_term(p) for p in passages)} }}
  GRAPH ?r {{ ?p cnkg:text ?text ; cnkg:start ?start ; cnkg:end ?end .
             OPTIONAL {{ ?r dcterms:title ?title }} }}
}}""",
        )
        found = {row["p"]["value"]: row for row in rows}
        return [
            citation(
                _report_of(p),
                found[p].get("title", {}).get("value"),
                p,
                int(found[p]["start"]["value"]),
                int(found[p]["end"]["value"]),
                found[p]["text"]["value"],
            )
            for p in passages
            if p in found
        ]


def _fact_citation(observation: dict[str, Any]) -> dict[str, Any]:
    evidence, report = observation["evidence"], observation["report"]
    return span_citation(
        evidence, report["iri"], report["title"], sentence=evidence["sentence"], fact=observation["iri"]
    )
