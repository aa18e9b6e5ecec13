"""Imported once by the upload sandbox's fork server (:mod:`kg.sandbox`): loads the readers, the
extractors, the lexicon and the word segmenter, and the RDF parsers of the Graph Store, so that every
child forked to read an upload starts warm instead of spending seconds on start-up."""

from __future__ import annotations

import kg.graph_payload
from ingest import pipeline

__all__ = ["pipeline"]

pipeline.warm_up()
kg.graph_payload.warm_up()
