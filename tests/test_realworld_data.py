"""The real-world corpus (tests/data/realworld) is what its layout promises: provenance for every document,
every quote and expected string in its document's text as cnkg reads it, disjoint splits, and the size
the evaluation needs. Fast: the documents are read, nothing is ingested.

Skipped only while tests/data/realworld/manifest.json is absent; once the manifest is there, every check
runs (a missing questions.json or gold file then fails).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from support.realworld import HELD_OUT_WHOLE, REALWORLD_DIR, SPLITS, Corpus, CorpusError, Question

from kg.qa.evaluation import fold_text

MANIFEST = REALWORLD_DIR / "manifest.json"
pytestmark = pytest.mark.skipif(
    not MANIFEST.is_file(), reason="tests/data/realworld/manifest.json is not in the repository yet"
)

MIN_DOCUMENTS = 40
MIN_CHARACTERS = 200_000
MIN_QUESTIONS = 400
MIN_ENGLISH_SHARE = 0.10
MIN_UNANSWERABLE_SHARE = 0.15
DEV_SHARE = (0.53, 0.67)  # the documents are split ~60/40 (by genre, so not exactly)
SHARED_STRETCH = 400  # letters and digits; shorter shared runs are boilerplate (about-us blurbs)
GENRES = {"market-report", "survey", "vendor-announcement", "policy", "technical-overview", "case-study"}
FORMATS = {"md", "html", "txt", "pdf"}
KINDS = {
    "factoid",
    "number",
    "list",
    "definition",
    "why",
    "how",
    "comparison",
    "multipart",
    "multihop",
    "none",
}
ENTITY_TYPES = {"Vendor", "Organization", "Technology", "Product", "Concept", "Industry", "Policy"}
_ID = re.compile(r"[a-z0-9-]+")
_COMMIT = re.compile(r"[0-9a-f]{40}")
_NOT_A_WORD = re.compile(r"[\W_]+")


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus(REALWORLD_DIR)


@pytest.fixture(scope="module")
def texts(corpus: Corpus) -> dict[str, str]:
    """Each document's text as cnkg reads it, folded (case, blanks, Markdown emphasis)."""
    return {doc_id: fold_text(corpus.text(doc_id)) for doc_id in corpus.documents}


def _report(problems: list[str]) -> str:
    return f"{len(problems)} problems:\n" + "\n".join(problems[:40])


def test_every_document_has_provenance_and_its_file(corpus: Corpus):
    problems = []
    for item in corpus.raw_documents:
        doc = corpus.documents[item["id"]]
        for key in ("licence", "repository", "commit", "path", "attribution"):
            if not str(item.get(key) or "").strip():
                problems.append(f"{doc.id}: no {key}")
        if not _COMMIT.fullmatch(doc.commit):
            problems.append(f"{doc.id}: commit {doc.commit!r} is not 40 hex digits")
        if not _ID.fullmatch(doc.id) or Path(doc.file).stem != doc.id:
            problems.append(f"{doc.id}: id must be [a-z0-9-]+ and the file's stem")
        if not doc.path.is_file():
            problems.append(f"{doc.id}: {doc.file} does not exist")
        if doc.format not in FORMATS or doc.path.suffix != f".{doc.format}":
            problems.append(f"{doc.id}: format {doc.format!r} does not match {doc.file}")
        if doc.genre not in GENRES:
            problems.append(f"{doc.id}: unknown genre {doc.genre!r}")
    assert not problems, _report(problems)


def test_no_document_is_in_both_splits(corpus: Corpus):
    ids = Counter(item["id"] for item in corpus.raw_documents)
    files = Counter(item["file"] for item in corpus.raw_documents)
    contents = Counter(
        hashlib.sha256(d.path.read_bytes()).hexdigest() for d in corpus.documents.values() if d.path.is_file()
    )
    assert {d.split for d in corpus.documents.values()} <= set(SPLITS)
    assert [i for i, n in ids.items() if n > 1] == []
    assert [f for f, n in files.items() if n > 1] == []
    assert [c for c, n in contents.items() if n > 1] == [], "the same text is kept twice"


def test_no_text_is_shared_across_the_splits(corpus: Corpus, texts: dict[str, str]):
    """A text kept twice (a case study republished by a second site, say) must not sit on both sides:
    no test document shares a stretch of SHARED_STRETCH letters and digits with a dev document
    (punctuation and markup such as Markdown table rules are left out before comparing)."""
    window = SHARED_STRETCH // 2  # every shared stretch that long holds one whole window
    words = {doc_id: _NOT_A_WORD.sub("", text) for doc_id, text in texts.items()}
    dev = [(d.id, words[d.id]) for d in corpus.documents.values() if d.split == "dev"]
    shared = []
    for doc in corpus.documents.values():
        if doc.split != "test":
            continue
        text = words[doc.id]
        pieces = [text[i : i + window] for i in range(0, len(text) - window + 1, window)]
        shared += [
            f"{doc.id} (test) and {other} (dev)"
            for other, other_text in dev
            if any(piece in other_text for piece in pieces)
        ]
    assert not shared, _report(shared)


def test_the_held_out_dev_documents_are_dev_documents_of_every_genre_but_the_survey(corpus: Corpus):
    held = corpus.dev_held_out()
    assert len(held) == 15  # eight from round 10, three of those added on 2026-12-07, the four of 2026-12-08
    assert {corpus.documents[d].genre for d in held} == {
        d.genre for d in corpus.documents.values() if d.split == "dev"
    } - {"survey"}


def test_a_held_out_list_naming_a_test_document_is_a_clear_error(corpus: Corpus, tmp_path: Path):
    test_doc = next(d.id for d in corpus.documents.values() if d.split == "test")
    (tmp_path / "manifest.json").write_text(json.dumps({"documents": corpus.raw_documents}), encoding="utf-8")
    (tmp_path / "dev_holdout.json").write_text(json.dumps({"documents": [test_doc]}), encoding="utf-8")
    with pytest.raises(CorpusError, match="not dev documents"):
        Corpus(tmp_path).dev_held_out()


# the documents whose questions were written blind after the corpus was frozen (CHANGELOG.md): the seven
# added on 2026-12-07 (questions of 2026-12-08) and the four added with their questions on 2026-12-08; all
# of their questions are held out from Q&A rule writing
BLIND_QUESTION_DOCUMENTS = (
    "karmada-case-daocloud",
    "kubeedge-case-satellite",
    "volcano-case-iflytek",
    "policy-sz-ai-industry-2022",
    "policy-gov-online-services-2019",
    "fluid-tech-introduction",
    "kubevela-tech-open-source-launch",
    *HELD_OUT_WHOLE,
)


def test_the_documents_held_out_whole_are_held_out_dev_documents(corpus: Corpus):
    assert set(HELD_OUT_WHOLE) <= corpus.dev_held_out()


def test_the_held_out_dev_questions_are_those_written_blind_after_the_freeze(corpus: Corpus):
    held = corpus.dev_held_out_questions()
    blind = set(BLIND_QUESTION_DOCUMENTS)
    assert held == {q.id for q in corpus.questions if set(q.documents) & blind or _named_in(q.id, blind)}
    assert len(held) >= 100


def _named_in(question_id: str, documents: Iterable[str]) -> bool:
    """Whether an unanswerable question's id names one of ``documents`` (rw-<document>-NN)."""
    return any(question_id.startswith(f"rw-{d}-") for d in documents)


def test_a_held_out_list_naming_a_test_question_is_a_clear_error(corpus: Corpus, tmp_path: Path):
    test_question = next(q for q in corpus.questions if q.split == "test")
    for name in ("manifest.json", "questions.json"):
        (tmp_path / name).write_text((REALWORLD_DIR / name).read_text(encoding="utf-8"), encoding="utf-8")
    held = {"documents": [], "questions": [test_question.id]}
    (tmp_path / "dev_holdout.json").write_text(json.dumps(held), encoding="utf-8")
    with pytest.raises(CorpusError, match="not dev questions"):
        Corpus(tmp_path).dev_held_out_questions()


def test_every_question_keeps_to_one_split(corpus: Corpus):
    mixed = [q.id for q in corpus.questions if q.split not in SPLITS]
    assert mixed == [], f"questions whose documents are in different splits: {mixed}"


def test_questions_are_well_formed(corpus: Corpus):
    problems = []
    ids = Counter(q.id for q in corpus.questions)
    problems += [f"{i}: id used {n} times" for i, n in ids.items() if n > 1]
    for q in corpus.questions:
        if q.kind not in KINDS or q.lang not in ("zh", "en"):
            problems.append(f"{q.id}: kind {q.kind!r} / lang {q.lang!r}")
        if (q.kind == "none") != (not q.answerable):
            problems.append(f"{q.id}: kind none exactly when not answerable")
        if q.answerable and not (q.documents and q.expected and q.evidence):
            problems.append(f"{q.id}: answerable but lacks documents, expected or evidence")
        if not q.answerable and (q.documents or q.expected or q.evidence):
            problems.append(f"{q.id}: unanswerable but has documents, expected or evidence")
        if q.kind == "list" and not q.members:
            problems.append(f"{q.id}: a list question without members")
        if q.kind == "multipart" and len(q.parts) != len(q.expected):
            problems.append(f"{q.id}: {len(q.parts)} parts but {len(q.expected)} expected groups")
        if any(e.document not in q.documents for e in q.evidence):
            problems.append(f"{q.id}: evidence from a document the question does not name")
    assert not problems, _report(problems)


def test_evidence_quotes_occur_in_their_documents(corpus: Corpus, texts: dict[str, str]):
    missing = [
        f"{q.id}: {e.quote!r} not in {e.document}"
        for q in corpus.questions
        for e in q.evidence
        if not fold_text(e.quote) or fold_text(e.quote) not in texts[e.document]
    ]
    assert not missing, _report(missing)


def _missing_from_the_questions_documents(
    corpus: Corpus, texts: dict[str, str], strings: Callable[[Question], Iterable[str]], what: str
) -> list[str]:
    """Each string a question names (``strings``) that is empty once folded or in none of its documents."""
    return [
        f"{q.id}: {what}{string!r} in none of {list(q.documents)}"
        for q in corpus.questions
        for string in strings(q)
        if not fold_text(string) or not any(fold_text(string) in texts[d] for d in q.documents)
    ]


def test_expected_strings_occur_in_the_questions_documents(corpus: Corpus, texts: dict[str, str]):
    missing = _missing_from_the_questions_documents(
        corpus, texts, lambda q: [option for group in q.expected for option in group], ""
    )
    assert not missing, _report(missing)


def test_members_occur_in_the_questions_documents(corpus: Corpus, texts: dict[str, str]):
    missing = _missing_from_the_questions_documents(corpus, texts, lambda q: q.members, "member ")
    assert not missing, _report(missing)


def test_every_document_has_gold(corpus: Corpus):
    without = [doc_id for doc_id in corpus.documents if corpus.gold(doc_id) is None]
    strays = [p.stem for p in (REALWORLD_DIR / "gold").glob("*.json") if p.stem not in corpus.documents]
    assert without == [] and strays == [], f"no gold: {without}; gold for no document: {strays}"


def test_gold_quotes_occur_in_their_documents(corpus: Corpus, texts: dict[str, str]):
    problems = []
    for doc_id in corpus.documents:
        gold = corpus.gold(doc_id) or {"entities": [], "relations": [], "facts": []}
        names = {n for e in gold["entities"] for n in [e["name"], *e.get("aliases", [])]}
        problems += [
            f"{doc_id}: entity {e['name']!r} has type {e['type']!r}"
            for e in gold["entities"]
            if e["type"] not in ENTITY_TYPES
        ]
        for kind in ("relations", "facts"):
            for item in gold[kind]:
                if not fold_text(item["quote"]) or fold_text(item["quote"]) not in texts[doc_id]:
                    problems.append(f"{doc_id}: {kind[:-1]} quote {item['quote']!r} not in the text")
        for r in gold["relations"]:
            problems += [
                f"{doc_id}: relation {r[end]!r} is not an annotated entity"
                for end in ("subject", "object")
                if r[end] not in names
            ]
    assert not problems, _report(problems)


def test_the_corpus_is_big_enough(corpus: Corpus, texts: dict[str, str]):
    characters = sum(len(corpus.text(doc_id)) for doc_id in corpus.documents)
    questions = corpus.questions
    english = sum(q.lang == "en" for q in questions)
    unanswerable = sum(q.kind == "none" for q in questions)
    assert len(corpus.documents) >= MIN_DOCUMENTS
    assert characters >= MIN_CHARACTERS
    assert len(questions) >= MIN_QUESTIONS
    assert english >= MIN_ENGLISH_SHARE * len(questions), f"{english} English of {len(questions)}"
    assert unanswerable >= MIN_UNANSWERABLE_SHARE * len(questions), f"{unanswerable} none of {len(questions)}"


def test_the_documents_are_split_about_60_40(corpus: Corpus):
    dev = sum(d.split == "dev" for d in corpus.documents.values())
    share = dev / len(corpus.documents)
    assert DEV_SHARE[0] <= share <= DEV_SHARE[1], f"dev holds {dev} of {len(corpus.documents)} documents"
