"""The graph store: an in-memory Oxigraph dataset loaded from the data directory.

The lexicon (ontology + curated SKOS lexicon, shipped in ``ontology/``) lives in the graph
``LEXICON_GRAPH``; each report in the named graph whose IRI is the report IRI. SPARQL's default graph is
the union of all graphs. Queries run on pyoxigraph (Rust, releases the GIL); rdflib is used to model and
to read/write RDF where its API is the better tool.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from kg.datadir import DataDir, Manifest
from kg.errors import QueryError, StoreError
from kg.namespaces import LEXICON_GRAPH, PREFIXES, report_iri

__all__ = ["ONTOLOGY_FILES", "GraphStore", "ontology_path"]

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

    def __init__(self, datadir: DataDir) -> None:
        self.datadir = datadir
        self.oxigraph = ox.Store()
        self._lock = threading.Lock()
        self._stamp = -1  # the manifest generation loaded (-1: none yet)
        self._loaded: dict[str, str] = {}  # rid -> graph file loaded

    @classmethod
    def open(cls, datadir: DataDir) -> GraphStore:
        store = cls(datadir)
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

    def sync(self, manifest: Manifest | None = None) -> bool:
        """Bring the in-memory graphs in line with the manifest on disk; True if anything changed."""
        with self._lock:
            stamp = self.datadir.manifest_stamp()
            if manifest is None:
                if stamp == self._stamp:
                    return False
                manifest = self.datadir.read_manifest()
            wanted = {rid: rec.graph_file for rid, rec in manifest.reports.items()}
            changed = False
            for rid in list(self._loaded):
                if wanted.get(rid) != self._loaded[rid]:
                    self.oxigraph.remove_graph(ox.NamedNode(report_iri(rid)))
                    del self._loaded[rid]
                    changed = True
            for rid, graph_file in wanted.items():
                if rid not in self._loaded:
                    self._load_report(rid, self.datadir.path(graph_file))
                    self._loaded[rid] = graph_file
                    changed = True
            self._stamp = stamp
            return changed

    def _load_report(self, rid: str, path: Path) -> None:
        try:
            self.oxigraph.load(path=str(path), format=ox.RdfFormat.N_QUADS)
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"cannot load the graph of report {rid} from {path}: {exc}") from exc

    # -- queries -----------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        default_graphs: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
    ) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
        """Run a SPARQL 1.1 query; the common prefixes (cnkg:, skos:, …) are predeclared."""
        kwargs: dict[str, object] = {"prefixes": PREFIXES}
        if default_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            kwargs["use_default_graph_as_union"] = True
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
        return len(self.oxigraph)
