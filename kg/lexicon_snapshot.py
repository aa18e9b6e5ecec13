"""Take a dated, compact snapshot of the lexicon's upstream sources (data only, not their code).

- the CNCF landscape (cncf/landscape ``landscape.yml``, Apache-2.0): name, category, subcategory,
  homepage, repository, Crunchbase organisation, CNCF maturity, the end-user flag of members and the
  one-line description;
- the CNCF glossary (cncf/glossary ``content/en/`` and ``content/zh-cn/``, CC BY 4.0): term id, English
  and Chinese titles, abbreviations, category and the first paragraph of each definition.

The snapshot is read from a local git clone (``git show HEAD:<path>``), written as JSON under
``ontology/sources/`` and turned into SKOS by ``kg.lexicon_build``. Refresh it with::

    python -m kg.lexicon_build snapshot --landscape-repo DIR --glossary-repo DIR
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kg.errors import StoreError

__all__ = [
    "GLOSSARY_LICENCE",
    "LANDSCAPE_LICENCE",
    "glossary_snapshot",
    "landscape_snapshot",
    "split_abbreviation",
]

LANDSCAPE_LICENCE = "Apache-2.0"
GLOSSARY_LICENCE = "CC-BY-4.0"
DESCRIPTION_MAX_CHARS = 300  # a landscape description or glossary paragraph is cut here (compactness)
_CRUNCHBASE = re.compile(r"crunchbase\.com/organization/([^/?#]+)")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
# "Application Programming Interface (API)", "双向传输层安全性协议（mTLS）", "网站可靠性工程（SRE)"
_ABBREVIATION = re.compile(r"^(.*?)\s*[（(]\s*([^()（）]+?)\s*[)）]\s*$")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_MARK = re.compile(r"[*_`]+")
_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])")


@dataclass(frozen=True)
class GitSource:
    """A local clone of an upstream repository, read at HEAD."""

    repo: Path

    def commit(self) -> tuple[str, str]:
        out = self._git("log", "-1", "--format=%H %cI")
        sha, date = out.split()
        return sha, date[:10]

    def show(self, path: str) -> str:
        return self._git("show", f"HEAD:{path}")

    def ls(self, folder: str) -> list[str]:
        return self._git("ls-tree", "--name-only", "HEAD", folder.rstrip("/") + "/").split()

    def _git(self, *args: str) -> str:
        try:
            done = subprocess.run(
                ["git", "-C", str(self.repo), *args], capture_output=True, text=True, check=True
            )
        except (OSError, subprocess.CalledProcessError) as exc:
            raise StoreError(f"cannot read git repository {self.repo}: {exc}") from exc
        return done.stdout


def landscape_snapshot(repo: Path) -> dict[str, Any]:
    """Every landscape item, flattened, with the commit it was read at."""
    source = GitSource(repo)
    sha, date = source.commit()
    try:
        data = yaml.safe_load(source.show("landscape.yml"))
    except yaml.YAMLError as exc:
        raise StoreError(f"landscape.yml is not valid YAML: {exc}") from exc
    items: list[dict[str, str]] = []
    for category in data.get("landscape") or []:
        for sub in category.get("subcategories") or []:
            for item in sub.get("items") or []:
                record = {
                    "name": str(item.get("name", "")).strip(),
                    "category": str(category.get("name", "")),
                    "subcategory": str(sub.get("name", "")),
                    "homepage": str(item.get("homepage_url") or ""),
                    "repo_url": str(item.get("repo_url") or ""),
                    "crunchbase_org": _crunchbase_org(str(item.get("crunchbase") or "")),
                    "project": str(item.get("project") or ""),
                    "enduser": "true" if item.get("enduser") else "",
                    "description": _short(str(item.get("description") or "")),
                }
                if record["name"]:
                    items.append({k: v for k, v in record.items() if v})
    return {
        "source": "https://github.com/cncf/landscape",
        "path": "landscape.yml",
        "commit": sha,
        "commit_date": date,
        "licence": LANDSCAPE_LICENCE,
        "items": items,
    }


def glossary_snapshot(repo: Path) -> dict[str, Any]:
    """Every glossary term with its English and Chinese title and first paragraph."""
    source = GitSource(repo)
    sha, date = source.commit()
    terms: dict[str, dict[str, Any]] = {}
    for lang, folder in (("en", "content/en"), ("zh", "content/zh-cn")):
        for path in source.ls(folder):
            name = path.rsplit("/", 1)[-1]
            if not name.endswith(".md") or name.startswith("_"):
                continue
            meta, body = _front_matter(source.show(path))
            if not meta.get("category"):  # pages about the glossary itself, not terms
                continue
            title = str(meta.get("title", "")).strip()
            label, abbreviation = split_abbreviation(title)
            term = terms.setdefault(name[:-3], {"id": name[:-3]})
            term[lang] = {
                "title": label,
                "abbreviation": abbreviation,
                "category": str(meta["category"]),
                "tags": sorted({str(t).strip().casefold() for t in meta.get("tags") or [] if str(t).strip()}),
                "definition": _first_paragraph(body),
            }
    return {
        "source": "https://github.com/cncf/glossary",
        "paths": ["content/en/", "content/zh-cn/"],
        "commit": sha,
        "commit_date": date,
        "licence": GLOSSARY_LICENCE,
        "terms": [terms[k] for k in sorted(terms)],
    }


def split_abbreviation(title: str) -> tuple[str, str]:
    """``"Infrastructure as Code (IaC)"`` → ``("Infrastructure as Code", "IaC")``.

    >>> split_abbreviation("双向传输层安全性协议（mTLS）")
    ('双向传输层安全性协议', 'mTLS')
    >>> split_abbreviation("Kubernetes")
    ('Kubernetes', '')
    """
    m = _ABBREVIATION.match(title)
    if not m:
        return title.strip(), ""
    return m.group(1).strip(), m.group(2).strip()


def _crunchbase_org(url: str) -> str:
    m = _CRUNCHBASE.search(url)
    return m.group(1) if m else ""


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError:
        return {}, text[m.end() :]
    return (meta if isinstance(meta, dict) else {}), text[m.end() :]


def _first_paragraph(body: str) -> str:
    for block in re.split(r"\n\s*\n", body):
        lines = [ln.strip() for ln in block.strip().splitlines()]
        if lines and not lines[0].startswith("#"):
            return _short(" ".join(ln for ln in lines if ln))
    return ""


def _short(text: str) -> str:
    text = _MD_MARK.sub("", _MD_LINK.sub(r"\1", " ".join(text.split())))
    text = _CJK_GAP.sub("", text)
    if len(text) <= DESCRIPTION_MAX_CHARS:
        return text
    cut = text[:DESCRIPTION_MAX_CHARS]
    end = max(cut.rfind("。"), cut.rfind(". "))
    return cut[: end + 1] if end > 0 else cut
