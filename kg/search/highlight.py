"""Mark the query's terms in a passage: ``<mark>…</mark>`` around matched words, the rest HTML-escaped.

A word matches when its folded form is a query term, or when it names an entity the query names
(so a query saying K8s marks Kubernetes in the passage).

>>> from kg.tokenize import WordSegmenter
>>> highlight("基于Kubernetes的<容器>平台", {"平台"}, {"kubernetes"}, WordSegmenter.shared())
'基于<mark>Kubernetes</mark>的&lt;容器&gt;<mark>平台</mark>'
"""

from __future__ import annotations

import html

from kg.namespaces import normalize_name
from kg.tokenize import WordSegmenter

__all__ = ["highlight"]


def highlight(text: str, terms: set[str], slugs: set[str], segmenter: WordSegmenter) -> str:
    spans: list[tuple[int, int]] = []
    for token in segmenter.words(text):
        if (token.slug and token.slug in slugs) or normalize_name(token.text) in terms:
            if spans and spans[-1][1] == token.start:
                spans[-1] = (spans[-1][0], token.end)  # one mark over adjacent matched words
            else:
                spans.append((token.start, token.end))
    out: list[str] = []
    pos = 0
    for start, end in spans:
        out.append(html.escape(text[pos:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)
