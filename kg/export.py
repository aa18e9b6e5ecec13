"""Dataset export: the whole store (lexicon graph + every report graph) or one report's named graph, as
TriG, N-Quads or JSON-LD, for GraphDB, Fuseki, Oxigraph or another cnkg.

The export reads one version of the data directory: it takes the manifest, loads exactly the graph
files that manifest names, and starts again if a concurrent writer removed one of them meanwhile (files
are never overwritten, only removed after a newer manifest is published), so it never mixes two
versions. Written to a file, the data goes to a temporary name first and is renamed at the end: an
interrupted export leaves no partial file behind.

>>> import io, tempfile
>>> out = io.BytesIO()
>>> export_dataset(DataDir(Path(tempfile.mkdtemp())), "nquads", out).graphs
1
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg.catalog import Catalog
from kg.datadir import DataDir, Manifest
from kg.errors import InputError, StoreBusyError, StoreError
from kg.namespaces import LEXICON_GRAPH, PREFIXES
from kg.store import ONTOLOGY_FILES, ontology_path

__all__ = ["EXPORT_FORMATS", "ExportSummary", "dataset_snapshot", "export_dataset", "export_to_file"]

EXPORT_FORMATS: dict[str, ox.RdfFormat] = {
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
}
_ATTEMPTS = 5


@dataclass(frozen=True)
class ExportSummary:
    quads: int
    graphs: int
    generation: int  # the manifest generation exported


def _format(name: str) -> ox.RdfFormat:
    fmt = EXPORT_FORMATS.get(name.lower())
    if fmt is None:
        raise InputError(f"unknown export format {name!r}; use one of {', '.join(EXPORT_FORMATS)}")
    return fmt


def _load(store: ox.Store, datadir: DataDir, manifest: Manifest, rid: str | None) -> None:
    if rid is None:
        lexicon = ox.NamedNode(LEXICON_GRAPH)
        for name in ONTOLOGY_FILES:
            store.load(path=str(ontology_path(name)), format=ox.RdfFormat.TURTLE, to_graph=lexicon)
    for record in manifest.reports.values():
        if rid is None or record.rid == rid:
            store.load(path=str(datadir.path(record.graph_file)), format=ox.RdfFormat.N_QUADS)


def dataset_snapshot(datadir: DataDir, report: str | None = None) -> tuple[ox.Store, Manifest]:
    """An in-memory store holding one manifest version (all graphs, or the report ``report`` names:
    id, id prefix, IRI or source file name)."""
    rid = Catalog(datadir).find(report).rid if report is not None else None
    for _ in range(_ATTEMPTS):
        manifest = datadir.read_manifest()
        store = ox.Store()
        try:
            _load(store, datadir, manifest, rid)
        except (OSError, SyntaxError) as exc:
            if datadir.read_manifest().generation != manifest.generation:
                continue  # a writer published a new version and removed a file of ours: start again
            raise StoreError(f"cannot read the graphs of {datadir.root}: {exc}") from exc
        if rid is not None and rid not in manifest.reports:
            raise StoreError(f"report {rid} was deleted while it was being exported")
        return store, manifest
    raise StoreBusyError(f"{datadir.root} kept changing during the export; try again")


def export_dataset(
    datadir: DataDir, fmt: str, output: BinaryIO, *, report: str | None = None
) -> ExportSummary:
    """Write the dataset (or one report's graph) to ``output`` in ``fmt`` (trig, nquads, jsonld)."""
    rdf_format = _format(fmt)
    store, manifest = dataset_snapshot(datadir, report)
    prefixes = PREFIXES if rdf_format is ox.RdfFormat.TRIG else None
    try:
        store.dump(output, rdf_format, prefixes=prefixes)
    except OSError as exc:
        raise StoreError(f"cannot write the export: {exc.strerror or exc}") from exc
    graphs = sum(1 for _ in store.named_graphs())
    return ExportSummary(len(store), graphs, manifest.generation)


@contextlib.contextmanager
def _replacing(path: Path) -> Iterator[BinaryIO]:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def export_to_file(datadir: DataDir, fmt: str, path: Path, *, report: str | None = None) -> ExportSummary:
    """``export_dataset`` into ``path``, which appears complete or not at all."""
    _format(fmt)
    if path.is_dir():
        raise InputError(f"{path} is a directory; give a file name")
    try:
        with _replacing(path) as fh:
            return export_dataset(datadir, fmt, fh, report=report)
    except OSError as exc:
        raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from exc
