"""The HTTP status of every domain error is decided in one place, api/problems.py: no error class carries
an HTTP status of its own (kg raises domain errors; api maps them)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import api
import ingest
import kg
from api.problems import STATUS_OF, status_of
from kg.errors import CnkgError, QueryError, StoreBusyError
from kg.sparql.errors import ServiceBusyError


def _error_classes() -> list[type[CnkgError]]:
    for package in (kg, ingest, api):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)
    found: list[type[CnkgError]] = []
    todo: list[type[CnkgError]] = [CnkgError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_no_error_class_carries_an_http_status(cls: type[CnkgError]) -> None:
    assert not {"status", "headers"} & set(vars(cls)), f"map {cls.__name__} in api/problems.py STATUS_OF"


def test_statuses_follow_the_nearest_mapped_base():
    assert status_of(QueryError("bad")) == STATUS_OF[kg.errors.InputError] == 400
    assert status_of(StoreBusyError("locked")) == 409
    assert status_of(ServiceBusyError("busy")) == 503
