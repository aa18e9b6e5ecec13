"""``/reports``: list, read, upload (ingest) and delete reports. Writes need the write token."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import PurePosixPath, PureWindowsPath
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from api.deps import (
    CatalogDep,
    DataDirDep,
    EngineDep,
    SearchServiceDep,
    SettingsDep,
    WriteAccess,
    WritingCatalogDep,
    sandbox,
)
from api.problems import json_responses, problem_docs
from kg.datadir import ReportRecord
from kg.errors import InputError, UnsupportedInputError
from kg.namespaces import report_iri
from kg.related import load_related_index
from kg.sparql.errors import PayloadTooLargeError
from kg.sparql.resources import report_overview

__all__ = ["router"]

router = APIRouter(prefix="/reports", tags=["Reports"])

# how every route here names a report (kg.catalog.find_report)
ReportRef = Annotated[
    str,
    Path(
        description="The report: its id, an id prefix, its IRI or its source file name. 404 when no report "
        "matches; 400 when several do (an id prefix too short).",
        examples=["70a1e0d4758384e6"],
    ),
]

_RECORD_EXAMPLE = {
    "rid": "70a1e0d4758384e6",
    "iri": "https://w3id.org/cnkg/id/report/70a1e0d4758384e6",
    "source": "000_70a1e0d4758384e6.txt",
    "title": "2021年中国云原生行业研究报告",
    "chars": 30512,
    "ingested": "2025-11-25T09:30:00+00:00",
    "counts": {"passages": 82, "relations": 41, "facts": 57},
}


def _record_json(record: ReportRecord) -> dict[str, Any]:
    return {
        "rid": record.rid,
        "iri": report_iri(record.rid),
        "source": record.source,
        "title": record.title,
        "chars": record.chars,
        "ingested": record.ingested,
        "pipeline": record.pipeline,
        "counts": record.counts,
    }


@router.get(
    "",
    summary="List reports",
    description="Every ingested report, oldest first.",
    responses=json_responses({"reports": [_RECORD_EXAMPLE]}),
)
async def list_reports(catalog: CatalogDep) -> dict[str, Any]:
    return {"reports": [_record_json(r) for r in catalog.reports()]}


@router.get(
    "/{rid}",
    summary="One report",
    description="A report's record (by id, id prefix or source file name), its metadata from the graph "
    "and the "
    "entities it mentions most, and its five most related reports (as `/reports/{rid}/related`).",
    responses=json_responses(
        {
            **_RECORD_EXAMPLE,
            "metadata": {
                "title": "2021年中国云原生行业研究报告",
                "publisher": "艾瑞咨询",
                "issued": "2021",
            },
            "entities": [
                {
                    "iri": "https://w3id.org/cnkg/id/entity/kubernetes",
                    "slug": "kubernetes",
                    "label": "Kubernetes",
                    "passages": 14,
                }
            ],
        },
        400,
        404,
        429,
        503,
    ),
)
async def get_report(
    rid: ReportRef, catalog: CatalogDep, engine: EngineDep, search: SearchServiceDep
) -> dict[str, Any]:
    record = catalog.find(rid)
    related = (await load_related_index(engine, search)).related(record.rid, limit=5, shared_limit=5)
    return {**_record_json(record), **await report_overview(engine, record.rid), "related": related}


_RELATED_EXAMPLE = {
    "rid": "01a5d40e668dcc68",
    "related": [
        {
            "rid": "b2853277b569d2d9",
            "iri": "https://w3id.org/cnkg/id/report/b2853277b569d2d9",
            "title": "中国Serverless（无服务器）市场研究报告",
            "score": 0.298,
            "entitySimilarity": 0.231,
            "contentSimilarity": 0.3655,
            "sharedCount": 27,
            "shared": [
                {
                    "iri": "https://w3id.org/cnkg/id/entity/数帆智算集团",
                    "slug": "数帆智算集团",
                    "label": "数帆智算集团",
                    "type": "Vendor",
                    "weight": 1.405,
                    "passages": {"01a5d40e668dcc68": 1, "b2853277b569d2d9": 2},
                }
            ],
        }
    ],
}


@router.get(
    "/{rid}/related",
    summary="Related reports",
    description="The reports that share the most entities with this one and are closest in content, best "
    "first. `score` is the mean of `entitySimilarity` (cosine of the reports' entity vectors, rare entities "
    "weighted higher by IDF) and `contentSimilarity` (cosine of TF-IDF vectors of their words); `shared` "
    "lists the shared entities, rarest first, with the passages mentioning them in each report. Reports "
    "sharing nothing are left out. Method and measurements: docs/linking.md.",
    responses=json_responses(_RELATED_EXAMPLE, 400, 404, 429, 503),
)
async def related_reports(
    rid: ReportRef,
    catalog: CatalogDep,
    engine: EngineDep,
    search: SearchServiceDep,
    limit: Annotated[int, Query(ge=1, le=100, description="Most reports returned.")] = 10,
    shared: Annotated[int, Query(ge=0, le=500, description="Most shared entities listed per report.")] = 20,
) -> dict[str, Any]:
    record = catalog.find(rid)
    index = await load_related_index(engine, search)
    return {"rid": record.rid, "related": index.related(record.rid, limit=limit, shared_limit=shared)}


def _safe_name(filename: str | None) -> str:
    """The bare file name of an upload (no directories, whatever the client's path syntax)."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name.strip()
    if not name or name in (".", ".."):
        raise InputError(
            "the upload has no file name; the name's extension selects the reader (.txt .md .pdf …)"
        )
    return name


_UPLOAD_FORM_FIELDS = 16  # most multipart fields read from an upload (``file`` and ``date`` are used)
_DATE_FIELD_CHARS = 40  # longest ``date`` field accepted
_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "The report file."},
                        "date": {
                            "type": "string",
                            "maxLength": _DATE_FIELD_CHARS,
                            "description": "The report's date, YYYY[-MM[-DD]]; overrides the date found in "
                            "the text (relative expressions such as 今年 resolve against it).",
                        },
                    },
                }
            }
        },
    }
}


@dataclasses.dataclass(frozen=True)
class _Upload:
    name: str
    data: bytes
    date: str | None  # checked: YYYY, YYYY-MM or YYYY-MM-DD


async def _uploaded_file(request: Request, max_bytes: int) -> _Upload:
    """The multipart fields ``file`` and (optional) ``date``; read only after the token was checked (the
    route's dependencies run before this)."""
    from ingest.metadata import checked_date

    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "multipart/form-data":
        raise UnsupportedInputError(
            "send the report as multipart/form-data with the file in the field 'file' "
            "(curl -F file=@report.pdf …)"
        )
    async with request.form(max_files=1, max_fields=_UPLOAD_FORM_FIELDS) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InputError("the upload has no field 'file' holding a file")
        date = form.get("date")
        if date is not None and (not isinstance(date, str) or len(date) > _DATE_FIELD_CHARS):
            raise InputError(f"the field 'date' must be text of at most {_DATE_FIELD_CHARS} characters")
        name = _safe_name(upload.filename)
        data = await upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PayloadTooLargeError(f"the file is larger than the limit of {max_bytes:,} bytes")
    return _Upload(name, data, checked_date(date or None))


@router.post(
    "",
    status_code=201,
    summary="Upload a report",
    description="Ingest one report file (multipart field `file`; .txt .md .pdf .docx .html), with the same "
    "validation as `cnkg ingest`, atomically. The optional field `date` (YYYY, YYYY-MM or YYYY-MM-DD, like "
    "`cnkg ingest --date`) is the report's date: relative expressions (目前, 今年) resolve against it. "
    "Needs the write token, checked before the body is read. "
    "The file is read and extracted in a child process with a time limit (422 past it) and a memory limit "
    "(413 past it); nothing is stored then. "
    "201 with the summary when added or replaced, 200 when the same file was already ingested.",
    responses={
        201: {
            "content": {
                "application/json": {
                    "example": {
                        "rid": "70a1e0d4758384e6",
                        "iri": "https://w3id.org/cnkg/id/report/70a1e0d4758384e6",
                        "source": "report.txt",
                        "title": "2021年中国云原生行业研究报告",
                        "status": "added",
                        "chars": 30512,
                        "passages": 82,
                        "entities": {"Vendor": 31},
                        "discovered": 12,
                        "relations": 41,
                        "facts": 57,
                        "seconds": 2.1,
                    }
                }
            }
        },
        **problem_docs(400, 401, 403, 413, 415, 422, 429),
    },
    openapi_extra=_UPLOAD_BODY,
)
async def upload_report(
    request: Request,
    _: WriteAccess,
    settings: SettingsDep,
    datadir: DataDirDep,
    engine: EngineDep,
    catalog: WritingCatalogDep,
) -> JSONResponse:
    from ingest.pipeline import UploadJob, warm_up, write_prepared

    upload = await _uploaded_file(request, settings.max_upload_bytes)
    job = UploadJob(upload.data, upload.name, settings.max_upload_bytes, upload.date)
    bundle, prepared = await asyncio.to_thread(sandbox(request, warm_up, "the upload").run, job)
    summary = await asyncio.to_thread(
        write_prepared, bundle, prepared, datadir, index_updater=catalog.index_updater
    )
    await engine.published()
    body = {"iri": report_iri(summary.rid), **dataclasses.asdict(summary)}
    status = 200 if summary.status == "unchanged" else 201
    return JSONResponse(body, status_code=status, headers={"Location": f"/reports/{summary.rid}"})


@router.delete(
    "/{rid}",
    summary="Delete a report",
    description="Delete one report as a unit: its graph, stored text and search index entries. "
    "Needs the write token.",
    responses=json_responses({"deleted": _RECORD_EXAMPLE}, 400, 401, 403, 404, 429),
)
async def delete_report(
    rid: ReportRef, _: WriteAccess, catalog: WritingCatalogDep, engine: EngineDep
) -> dict[str, Any]:
    record = await asyncio.to_thread(catalog.delete, rid)
    await engine.published()
    return {"deleted": _record_json(record)}
