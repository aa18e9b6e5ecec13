"""What ``pip install`` (not editable) puts in the wheel: every Python package and every web asset."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_python_package_is_listed():
    on_disk = {
        ".".join(init.parent.relative_to(REPO).parts)
        for top in ("kg", "ingest", "api", "ontology", "samples", "web")
        for init in (REPO / top).rglob("__init__.py")
    }
    assert on_disk <= set(CONFIG["packages"]), on_disk - set(CONFIG["packages"])


def test_every_web_asset_is_package_data():
    patterns = CONFIG["package-data"]["web"]
    assets = [
        p.relative_to(REPO / "web").as_posix()
        for p in (REPO / "web").rglob("*")
        if p.is_file() and p.suffix in {".html", ".css", ".js", ".svg", ".png", ".txt"}
    ]
    assert assets
    missing = [a for a in assets if not any(fnmatch.fnmatch(a, pattern) for pattern in patterns)]
    assert not missing, missing
