"""Every ``>>>`` example in the docstrings of kg, ingest and api runs with the suite: pytest collects them
(``--doctest-modules`` over those packages, configured in pyproject.toml), and each example sits where the
doctest finder sees it (a ``>>>`` in a comment or a plain string would never run)."""

from __future__ import annotations

import doctest
import importlib
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("kg", "ingest", "api")


def _modules_with_examples() -> list[str]:
    return sorted(
        ".".join(path.with_suffix("").relative_to(REPO).parts).removesuffix(".__init__")
        for package in PACKAGES
        for path in (REPO / package).rglob("*.py")
        if ">>> " in path.read_text(encoding="utf-8")
    )


def test_pytest_collects_the_examples_of_every_package():
    options = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]
    config = options["ini_options"]
    assert "--doctest-modules" in config["addopts"].split()
    assert set(PACKAGES) <= set(config["testpaths"])


def test_examples_exist():
    assert len(_modules_with_examples()) >= 30


@pytest.mark.parametrize("name", _modules_with_examples())
def test_examples_are_found(name: str) -> None:
    found = doctest.DocTestFinder().find(importlib.import_module(name))
    assert sum(len(test.examples) for test in found) > 0, f"{name} has '>>> ' outside any docstring"
