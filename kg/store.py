"""The graph store: an Oxigraph dataset over the data directory, in memory or on disk.

``memory``: every report's N-Quads file loaded into an in-memory store of this process (its own copy).
``disk``: the read-only on-disk store the writer keeps next to the N-Quads files (:mod:`kg.diskstore`),
opened in milliseconds and shared through the page cache by every process of the machine.

The lexicon (ontology + curated SKOS lexicon, shipped in ``ontology/``) lives in the graph
``LEXICON_GRAPH``; each report in the named graph whose IRI is the report IRI. SPARQL's default graph is
the union of all graphs, as a set: the store's own default graph, holding one copy of every triple of the
named graphs, kept by whoever loads or drops a graph (:mod:`kg.union`; here for the in-memory store, in
:mod:`kg.diskstore` by the writer). An in-memory store opened with ``default_graph_apart`` also keeps
that default graph in a second store of its own (:attr:`GraphStore.default_only`), for the queries that
read the default graph and nothing else: Oxigraph's in-memory store walks a term's quads in every graph,
so a scan over the full store walks each triple twice, its report graph's quad and its default-graph
copy, and the store of the default graph alone walks it once (docs/scaling.md, "The default graph
apart"). Queries run on pyoxigraph (Rust, releases the GIL); rdflib is used to
model and to read/write RDF where its API is the better tool.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Literal

import pyoxigraph as ox

from kg.datadir import DataDir, Manifest
from kg.diskstore import open_snapshot, snapshot_path
from kg.errors import QueryError, StoreError
from kg.namespaces import LEXICON_GRAPH, PREFIXES, report_iri
from kg.union import add_file, copy_graph, drop_graph, named_quads

__all__ = ["GRAPH_STORES", "ONTOLOGY_FILES", "Backend", "GraphStore", "ontology_path"]

Backend = Literal["memory", "disk", "auto"]
GRAPH_STORES: tuple[Backend, ...] = ("memory", "disk", "auto")  # auto: disk when the data directory has one

ONTOLOGY_FILES = ("cnkg.ttl", "lexicon.ttl", "lexicon-sources.ttl")


def ontology_path(name: str) -> Path:
    """Path of a Turtle file shipped in the ``ontology`` package."""
    return Path(str(resources.files("ontology").joinpath(name)))


class GraphStore:
    """All graphs of one data directory, queryable with SPARQL 1.1.

    >>> import tempfile
    >>> store = GraphStore.open(DataDir(Path(tempfile.mkdtemp())))
    >>> store.ask("ASK { ?e skos:altLabel 'K8s'@en }")
    True
    """

    def __init__(self, datadir: DataDir, *, on_disk: bool = False, default_graph_apart: bool = False) -> None:
        self.datadir = datadir
        self.on_disk = on_disk
        self.oxigraph = ox.Store()
        # the default graph alone (in memory only; None: queries all run on self.oxigraph)
        self.default_only: ox.Store | None = ox.Store() if default_graph_apart and not on_disk else None
        self._lock = threading.Lock()
        self._stamp = -1  # the manifest generation loaded (-1: none yet)
        self._loaded: dict[str, str] = {}  # rid -> graph file loaded
        self.snapshot: Path | None = None  # the on-disk store open (on_disk only)

    @classmethod
    def open(
        cls, datadir: DataDir, backend: Backend = "auto", *, default_graph_apart: bool = False
    ) -> GraphStore:
        """The graph of ``datadir``: loaded into memory, or the on-disk store opened read-only (``disk``
        raises StoreError when the data directory keeps none: see :func:`kg.diskstore.ensure`).
        ``default_graph_apart``: in memory, also keep the default graph in a store of its own (about half
        as much memory again; what a query worker does)."""
        if backend == "auto":
            backend = "disk" if snapshot_path(datadir, datadir.read_manifest()) is not None else "memory"
        store = cls(datadir, on_disk=backend == "disk", default_graph_apart=default_graph_apart)
        if not store.on_disk:
            store._load_lexicon()
        store.sync()
        return store

    # -- loading -----------------------------------------------------------------------------
    def _load_lexicon(self) -> None:
        graph = ox.NamedNode(LEXICON_GRAPH)
        for name in ONTOLOGY_FILES:
            path = ontology_path(name)
            if not path.is_file():
                raise StoreError(f"ontology file {name} is missing from the installation")
            self.oxigraph.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=graph)
        copy_graph(self.oxigraph, graph, self._mirrors())  # its blank nodes too

    def sync(self, manifest: Manifest | None = None) -> bool:
        """Bring the in-memory graphs in line with the manifest on disk; True if anything changed."""
        with self._lock:
            stamp = self.datadir.manifest_stamp()
            if manifest is None:
                if stamp == self._stamp:
                    return False
                manifest = self.datadir.read_manifest()
            if self.on_disk:
                return self._reopen(manifest, stamp)
            wanted = {rid: rec.graph_file for rid, rec in manifest.reports.items()}
            changed = False
            for rid in list(self._loaded):
                if wanted.get(rid) != self._loaded[rid]:
                    drop_graph(self.oxigraph, ox.NamedNode(report_iri(rid)), self._mirrors())
                    del self._loaded[rid]
                    changed = True
            for rid, graph_file in wanted.items():
                if rid not in self._loaded:
                    self._load_report(rid, self.datadir.path(graph_file))
                    self._loaded[rid] = graph_file
                    changed = True
            self._stamp = stamp
            return changed

    def _reopen(self, manifest: Manifest, stamp: int) -> bool:
        path = snapshot_path(self.datadir, manifest)
        if path is None:
            raise StoreError(
                f"the data directory {self.datadir.root} keeps no graph store on disk (generation "
                f"{manifest.generation}); serve it with --graph-store memory, or restart the server to build "
                "one"
            )
        self._stamp = stamp
        self._loaded = {rid: rec.graph_file for rid, rec in manifest.reports.items()}
        if path == self.snapshot:
            return False
        self.oxigraph = open_snapshot(path)
        self.snapshot = path
        return True

    def _load_report(self, rid: str, path: Path) -> None:
        try:
            self.oxigraph.load(path=str(path), format=ox.RdfFormat.N_QUADS)
            add_file(self.oxigraph, ox.NamedNode(report_iri(rid)), path, self._mirrors())
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"cannot load the graph of report {rid} from {path}: {exc}") from exc

    def _mirrors(self) -> tuple[ox.Store, ...]:
        return () if self.default_only is None else (self.default_only,)

    # -- queries -----------------------------------------------------------------------------
    def store_for(self, reads_default_graph_only: bool) -> ox.Store:
        """The store to run a query on: the default graph's own store when the query reads nothing else
        (no GRAPH, no dataset) and this store keeps one, else the full store."""
        if reads_default_graph_only and self.default_only is not None:
            return self.default_only
        return self.oxigraph

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
    ) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
        """Run a SPARQL 1.1 query; the common prefixes (cnkg:, skos:, …) are predeclared. Without
        ``default_graphs`` (or FROM) the default graph is the store's: the union of all graphs, as a set."""
        kwargs: dict[str, object] = {"prefixes": PREFIXES}
        if default_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            return self.oxigraph.query(sparql, **kwargs)  # type: ignore[arg-type]
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc
        except (OSError, ValueError, TypeError) as exc:
            raise QueryError(f"SPARQL evaluation error: {exc}") from exc

    def select(self, sparql: str) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
        """Run a SELECT and return its rows as dicts (unbound variables left out)."""
        result = self.query(sparql)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("expected a SELECT query")
        names = [v.value for v in result.variables]
        rows = []
        for solution in result:
            rows.append({n: solution[n] for n in names if solution[n] is not None})
        return rows  # type: ignore[return-value]

    def ask(self, sparql: str) -> bool:
        result = self.query(sparql)
        if not isinstance(result, ox.QueryBoolean):
            raise QueryError("expected an ASK query")
        return bool(result)

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self.oxigraph.named_graphs() if isinstance(g, ox.NamedNode))

    def report_ids(self) -> list[str]:
        return sorted(self._loaded)

    def __len__(self) -> int:
        """Quads of the named graphs (what an export holds; the default graph's copies not counted)."""
        return named_quads(self.oxigraph)
