"""Facts comparable across reports: observations grouped by what they measure.

An observation's ``cnkg:metric`` is the text the report wrote before the number (``国服务网格市场规模``,
``同比增长``, ``私有云容器云平台市场CAGR``). Two observations are comparable when they measure the same
*kind* of thing (market size, CAGR, year-on-year growth, share, sample size, or else the same cleaned
metric text) about the same *subject* (the ``cnkg:about`` entity, else the words before the kind). The
groups list every observation with its value, unit, qualifier, year, report and evidence span, so the
same market's size can be read side by side by year and source.

>>> metric_key("国服务网格市场规模")
MetricKey(kind='市场规模', subject='服务网格')
>>> metric_key("私有云容器云平台市场CAGR")
MetricKey(kind='复合增长率', subject='私有云容器云平台')
>>> metric_key("同比增长"), metric_kind("market size")
(MetricKey(kind='同比增长', subject=''), '市场规模')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from kg.errors import InputError
from kg.lexicon import Lexicon
from kg.namespaces import (
    entity_iri,
    entity_slug,
    normalize_name,
    report_iri,
    rid_of,
    slug_of,
)
from kg.sparql.engine import INTERNAL_ROW_CAP, SparqlEngine, binding_int, binding_value, select_json

__all__ = [
    "METRIC_KINDS",
    "MetricKey",
    "compare_facts",
    "entity_filter",
    "fact_rows",
    "group_observations",
    "is_forecast",
    "metric_key",
    "metric_kind",
    "observation_from_row",
    "unique_observations",
]


@dataclass(frozen=True)
class _Kind:
    name: str
    pattern: re.Pattern[str]  # where the kind is named in a metric text
    aliases: tuple[str, ...]  # what a client may pass as ?metric=


# First match wins: CAGR before growth, share before size ("市场份额" is a share, not a size).
METRIC_KINDS: tuple[_Kind, ...] = (
    _Kind("复合增长率", re.compile(r"年?复合(?:年)?增长率|年均复合增速|cagr", re.I), ("cagr", "复合增长率")),
    _Kind("占比", re.compile(r"市场份额|份额|占比|占据"), ("share", "market share", "份额", "市场份额")),
    _Kind("市场规模", re.compile(r"市场规模|规模"), ("market size", "size", "规模")),
    _Kind("同比增长", re.compile(r"同比增长|同比增速|同比|增速|增长率"), ("growth", "yoy", "增速", "增长率")),
    _Kind("样本数", re.compile(r"样本数|样本量|样本"), ("sample size", "samples", "样本")),
)
_BY_ALIAS = {normalize_name(a): k.name for k in METRIC_KINDS for a in (k.name, *k.aliases)}
_NOISE = re.compile(r"\*+|[“”\"'（）()]|\d{4}(?:\s*[-–~至]\s*\d{4})?年?|将会|将|预计|达到|约为|为$")
_REGION = re.compile(r"^(?:中国|我国|全国|国内|全球|国)")
_TAIL = re.compile(r"(?:整体)?(?:市场|行业)?(?:的|中)?$")


class MetricKey(NamedTuple):
    kind: str  # one of METRIC_KINDS' names, else the cleaned metric text
    subject: str  # what it is about, as written (cleaned); "" when the text names nothing


def _clean(text: str) -> str:
    return _NOISE.sub("", normalize_name(text)).strip(" ，,：:")


def metric_key(metric: str) -> MetricKey:
    """The kind of measure a metric text names and the subject it names it for."""
    text = _clean(metric)
    for kind in METRIC_KINDS:
        found = kind.pattern.search(text)
        if found:
            subject = _TAIL.sub("", _REGION.sub("", text[: found.start()]))
            return MetricKey(kind.name, subject.strip())
    return MetricKey(text, "")


def metric_kind(requested: str) -> str:
    """The kind a ``?metric=`` names (Chinese or English, e.g. ``market size``, ``CAGR``), else the text."""
    folded = normalize_name(requested)
    return _BY_ALIAS.get(folded) or metric_key(requested).kind


def fact_rows(*, about: str | None = None, year: int | None = None, report: str | None = None) -> str:
    """SELECT of observations with their report, evidence passage and span (filters are pushed down)."""
    filters = []
    if about is not None:
        filters.append(f"?about = <{entity_iri(about)}>" if "/" not in about else f"?about = <{about}>")
    if year is not None:
        filters.append(f'STR(?year) = "{int(year):04d}"')
    if report is not None:
        filters.append(f"?r = <{report_iri(report)}>")
    where = f"FILTER({' && '.join(filters)})" if filters else ""
    return f"""SELECT ?f ?metric ?value ?max ?unit ?qual ?year ?about ?aboutLabel ?passage ?r ?title
       ?start ?end ?ptext ?pstart ?issued
WHERE {{
  GRAPH ?r {{
    ?f a cnkg:Observation ; cnkg:value ?value ; prov:wasDerivedFrom ?passage .
    OPTIONAL {{ ?f cnkg:metric ?metric }} OPTIONAL {{ ?f cnkg:valueMax ?max }}
    OPTIONAL {{ ?f cnkg:unit ?unit }} OPTIONAL {{ ?f cnkg:qualifier ?qual }}
    OPTIONAL {{ ?f cnkg:year ?year }}
    OPTIONAL {{ ?f cnkg:start ?start ; cnkg:end ?end }}
    OPTIONAL {{ ?passage cnkg:text ?ptext ; cnkg:start ?pstart }}
    OPTIONAL {{ ?r dcterms:title ?title }} OPTIONAL {{ ?r dcterms:issued ?issued }}
  }}
  OPTIONAL {{ GRAPH ?r {{ ?f cnkg:about ?about }}
             OPTIONAL {{ ?about skos:prefLabel ?aboutLabel FILTER(LANGMATCHES(LANG(?aboutLabel), "zh")) }} }}
  {where}
}} ORDER BY ?year ?r ?f"""


def unique_observations(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Observations of ``fact_rows`` rows, once each (an entity with two labels gives two rows)."""
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        observation = observation_from_row(row)
        seen.setdefault(observation["iri"] or str(len(seen)), observation)
    return list(seen.values())


def observation_from_row(row: dict[str, Any]) -> dict[str, Any]:
    """One observation as the API shows it: value, unit, qualifier, year, report and evidence."""
    report = binding_value(row, "r") or ""
    start, end, pstart = binding_int(row, "start"), binding_int(row, "end"), binding_int(row, "pstart")
    text = binding_value(row, "ptext")
    quote = None
    if text is not None and None not in (start, end, pstart):
        quote = text[start - pstart : end - pstart] or None  # type: ignore[operator]
    about = binding_value(row, "about")
    year = binding_int(row, "year")
    sentence = _sentence(text, None if start is None or pstart is None else start - pstart)
    return {
        "iri": binding_value(row, "f"),
        "metric": binding_value(row, "metric") or "",
        "value": binding_value(row, "value"),
        "valueMax": binding_value(row, "max"),
        "unit": binding_value(row, "unit"),
        "qualifier": binding_value(row, "qual"),
        "year": year,
        "forecast": is_forecast(year, _issued_year(binding_value(row, "issued")), sentence),
        "about": None
        if about is None
        else {
            "iri": about,
            "slug": slug_of(about),
            "label": binding_value(row, "aboutLabel") or slug_of(about),
        },
        "report": {"iri": report, "rid": rid_of(report), "title": binding_value(row, "title")},
        "evidence": {
            "passage": binding_value(row, "passage"),
            "start": start,
            "end": end,
            "text": quote,
            "sentence": sentence,
        },
    }


# Words with which a report announces an estimate of the future rather than a measured figure.
_FORECAST_CUE = re.compile(
    r"预计|预测|预期|有望|将会|将达|将超|将突破|将增长|展望|forecast|expected|projected", re.I
)
_ISSUED_YEAR = re.compile(r"^\s*(\d{4})")


def _issued_year(issued: str | None) -> int | None:
    found = _ISSUED_YEAR.match(issued or "")
    return int(found.group(1)) if found else None


def is_forecast(year: int | None, issued_year: int | None, sentence: str | None) -> bool:
    """Whether a figure is a forecast rather than an actual: a year after the report was issued is one, a
    year before it is not; otherwise (same year, or either unknown) the sentence decides by its words.

    >>> is_forecast(2027, 2024, "预计到2027年将超过300亿元"), is_forecast(2023, 2024, "预计2023年达到")
    (True, False)
    >>> is_forecast(2024, 2024, "预计2024年达到60亿元"), is_forecast(None, None, "市场规模为12.8亿元")
    (True, False)
    """
    if year is not None and issued_year is not None and year != issued_year:
        return year > issued_year
    return sentence is not None and _FORECAST_CUE.search(sentence) is not None


_SENTENCE_END = re.compile(r"[。！？!?；;\n]")


def _sentence(text: str | None, offset: int | None) -> str | None:
    """The sentence of the passage the number sits in (what a reader needs to judge the figure)."""
    if text is None or offset is None or not 0 <= offset <= len(text):
        return None
    starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, offset)]
    begin = starts[-1] if starts else 0
    stop = _SENTENCE_END.search(text, offset)
    return text[begin : stop.end() if stop else len(text)].strip() or None


def _year_order(observation: dict[str, Any]) -> tuple[int, str, str]:
    year = observation["year"]
    return (
        year if year is not None else 9999,
        observation["report"]["title"] or "",
        observation["iri"] or "",
    )


def group_observations(
    observations: list[dict[str, Any]], *, kind: str | None = None, entity_forms: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Observations grouped by (kind, subject, unit), each group sorted by year then report; groups seen in
    more reports first. ``kind`` keeps one kind; ``entity_forms`` keeps observations about the entity or
    whose subject names it."""
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    for obs in observations:
        key = metric_key(obs["metric"])
        if kind is not None and key.kind != kind:
            continue
        about = obs["about"]
        if entity_forms and about is None and not any(f and f in key.subject for f in entity_forms):
            continue
        subject = about["label"] if about else key.subject
        # the unit is part of what is compared: 亿元 and 倍 of one market are two different measures
        group = groups.setdefault(
            (key.kind, about["slug"] if about else normalize_name(key.subject), obs["unit"] or ""),
            {
                "metric": key.kind,
                "subject": subject,
                "entity": about,
                "unit": obs["unit"],
                "observations": [],
            },
        )
        group["observations"].append(obs)
    result = []
    for group in groups.values():
        group["observations"].sort(key=_year_order)
        group["reports"] = len({o["report"]["rid"] for o in group["observations"]})
        group["years"] = sorted({o["year"] for o in group["observations"] if o["year"] is not None})
        result.append(group)
    result.sort(key=lambda g: (-g["reports"], -len(g["observations"]), g["metric"], g["subject"] or ""))
    return result


def entity_filter(entity: str | None) -> tuple[str | None, tuple[str, ...]]:
    """(slug, normalised written forms) of an entity given by slug, label or alias, for ``compare_facts``."""
    if entity is None or not entity.strip():
        return None, ()
    lexicon = Lexicon.load()
    entry = lexicon.get(entity) or lexicon.resolve(entity)
    if entry is not None:
        return entry.slug, tuple(normalize_name(f) for f in entry.surfaces())
    return entity_slug(entity), (normalize_name(entity),)


async def compare_facts(
    engine: SparqlEngine,
    *,
    metric: str | None = None,
    entity: str | None = None,
    entity_forms: tuple[str, ...] = (),
    year: int | None = None,
    report: str | None = None,
    limit: int = 100,
) -> dict[str, Any]:
    """``GET /facts``: comparable observations across reports. ``entity`` is an entity slug (resolved by
    the caller from a label or alias), ``entity_forms`` its normalised names for metric texts."""
    if year is not None and not 1900 <= year <= 2100:
        raise InputError(f"year {year} is out of range (1900–2100)")
    kind = metric_kind(metric) if metric and metric.strip() else None
    rows = await select_json(engine, fact_rows(year=year, report=report), row_cap=INTERNAL_ROW_CAP)
    observations = unique_observations(rows)
    if entity is not None:
        observations = [
            o
            for o in observations
            if (o["about"] and o["about"]["slug"] == entity) or (o["about"] is None and entity_forms)
        ]
    groups = group_observations(observations, kind=kind, entity_forms=entity_forms)
    return {
        "metric": kind,
        "entity": entity,
        "year": year,
        "report": report,
        "total": len(groups),
        "truncated": len(rows) >= INTERNAL_ROW_CAP,
        "groups": groups[:limit],
    }
