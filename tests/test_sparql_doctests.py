"""Run the ``>>>`` examples of the SPARQL service modules: each module has examples, and they hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "kg.sparql.lexer",
    "kg.sparql.guard",
    "kg.sparql.formats",
    "kg.sparql.results",
    "kg.sparql.description",
    "kg.sparql.graphs",
    "kg.sparql.resources",
    "kg.sparql.external",
    "kg.sparql.store_results",
    "kg.sparql.store_auth",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0, f"{name} has no examples left"
    assert result.failed == 0
