"""cnkg: knowledge graph and semantic search over Chinese cloud-native industry reports."""

__version__ = "0.1.0"
