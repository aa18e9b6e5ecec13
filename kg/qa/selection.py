"""Choosing the sentences that answer a question (or one part of it) among the retrieved passages.

Every sentence of the top ``SelectionWeights.passages`` hybrid passages is a candidate. Its score combines
  - lexical overlap: the share of the question's content keys (character bigrams of its Chinese text, its
    Latin words, and for English questions the Chinese names of the entities it links) the sentence holds;
  - entity overlap: the share of the question's linked entities the sentence names (half when only its
    passage does: "它" carries the subject over);
  - answer type: the sentence holds a span of the shape the question wants (a number with its unit, a year
    or date, a definition, a reason …, see :mod:`kg.qa.answer_type`);
  - the slot: the share of the question's character bigrams next to its asking word (团队由[多少名]成员组成)
    that the sentence holds, since the words around the asked slot are said around its answer;
  - the passage's rank in the hybrid search (which already carries the dense similarity of the question
    and the passage, and works across languages);
  - for some shapes the core of the answer: a figure in the asked unit, a change for a comparison, a cause
    or a means stated outright for why/how, the asked term just before a definition cue; a sentence that
    itself asks loses.
The best sentence answers; further sentences join it only when they hold question keys the chosen ones do
not (multi-hop, why with several reasons, both sides of a comparison); for why/how a chosen sentence that
refers back (因此…, 对于这种情况…) brings the sentence before it, and the sentence after it when that one
refers back to it. A line that a sentence introduces (…相较随机基线： then "- 吞吐可提升约 2.73 倍") is read
with the introducing sentence's keys. The weights were chosen on the dev
split of the real-world corpus (a grid over the values below, see docs/qa.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kg.qa.answer_type import asked_figure, has_core_shape, has_span, states_change, value_count
from kg.qa.evaluation import fold_text
from kg.qa.sentences import Sentence, split_sentences
from kg.tokenize import has_chinese

__all__ = [
    "WEIGHTS",
    "Candidate",
    "QuestionKeys",
    "SelectionWeights",
    "candidates",
    "char_bigrams",
    "question_keys",
    "select_sentences",
    "with_antecedents",
]


@dataclass(frozen=True)
class SelectionWeights:
    """The named tuning numbers of sentence selection (chosen on the real-world dev split)."""

    passages: int = 8  # top hybrid passages whose sentences are candidates
    lexical: float = 1.0  # weight of the share of question keys in the sentence
    entities: float = 0.35  # weight of the share of question entities named in the sentence
    answer_type: float = 0.3  # weight of holding a span of the expected answer shape
    rank: float = 0.5  # weight of 1 / (1 + passage rank)
    extra_gain: float = 0.1  # share of the question's keys a further sentence must add to join
    extra_score: float = 0.6  # ... and its score relative to the best sentence's
    max_sentences: int = 3  # sentences an answer (part) rests on at most
    max_sentence_chars: int = 300  # longer "sentences" (tables, run-on lists) are not candidates
    min_focus: float = 2.0  # at most this focus weight, the answer shape stands in for the focus
    # subtracted from a line without any punctuation (a title, a caption, a bullet) unless it holds a span of
    # the asked shape (round 7: "2020年10月27日 杭州市…常务委员会第三十次会议通过" dates a regulation; dev +1)
    caption: float = 0.5
    dense: float = 2.0  # weight of the cosine similarity of question and sentence (USE v3)
    bigrams: float = 1.0  # weight of the share of the question's character bigrams the sentence holds
    word_key: float = 2.0  # weight of a question key that is a Latin word (3+ letters) or a number
    bigram_key: float = 1.0  # ... and of one that is a character bigram
    # An English question's own words are not keys: the Chinese passages do not hold them. Its entities'
    # Chinese names and its hint words stand in for them (its Latin-script names count through the entity
    # share: as keys too they cost dev English answers, 41 -> 39 of 74 when never declining). This weight is
    # added to the keys' total as the part of the question no sentence holds, which keeps an English
    # question's lexical and focus shares below a Chinese question's. Until round 9 a defect did this by
    # accident (the words, read from the text with its blanks removed, made keys that matched nothing).
    # Round 9 grid on dev, end to end: 0 / 1 / 2 / 3 -> English 33 / 32 / 32 / 28 of 74 right, declines
    # 49 / 53 / 54 / 54 of 60; at 0 with the English decline model refitted (cross-validated AUC 0.847), 28
    # right at 54 declines: the damping is worth 4 English answers at the same declines
    english_unmatched: float = 2.0
    entity_in_sentence: float = 1.0  # a question entity named in the sentence counts fully
    entity_in_passage: float = 0.5  # ... named only elsewhere in its passage, this much
    echo: float = 1.0  # subtracted times the share of the sentence's own bigrams that the question holds
    asked_unit: float = 1.5  # a "多少个节点" question: the sentence states a figure in that unit (N 个节点)
    change: float = 1.0  # a comparison question: the sentence sets one value against another (从…到…)
    # extra_gain for a comparison question: 0, a further sentence within extra_score of the best that names
    # the question's entities joins even when it adds no key (the other side is often said in the same words)
    comparison_gain: float = 0.0
    asking: float = 1.0  # subtracted from a sentence that itself asks (ends in ？/?): "那么，什么是 X 呢？"
    # a why/how question: the sentence states a cause (因为, 由于, 为了 …) or a means (通过, 采用 …)
    core_shape: float = 0.3
    # a why/how answer sentence that refers back (因此…, 对于这种情况…, 为此…) brings the sentence before it
    antecedents: bool = True
    defined_term: float = 0.6  # a definition question: the sentence defines a term it asks (X是指…, 所谓X…)
    # a line that a sentence introduces ("…相较随机基线：" then "- 吞吐可提升约 2.73 倍") holds this share of
    # the introducing sentence's question keys and bigrams as its own: the intro says what the line is about
    introduced: float = 1.0
    # a why/how answer sentence followed by one that refers back to it (为了应对这种情况，…) brings that one
    consequents: bool = True
    # weight of the share of the character bigrams around the question's asking word (SLOT_CHARS each side:
    # 团队由[多少名]成员组成 -> 团队由, 成员组成) that the sentence holds: the words next to the asked slot
    # are the ones said next to its answer. Round 7, on dev: a grid over 0..8 (plateau 2..8, best 3),
    # checked by choosing it on four fifths of dev and scoring the fifth (better on each fifth)
    slot: float = 3.0
    # a why question whose best sentence states no cause also rests on the sentence after it (round 8, on
    # dev: 8 -> 11 of the 21 questions asking a reason; see with_reason_after)
    reason_after: bool = True
    # an English question's words are also looked up in CC-CEDICT, keeping the Chinese words the passages
    # hold (kg.qa.bilingual), as its hint words are
    dictionary: bool = True
    # a comparison naming its two sides (hard模式与soft模式) also rests on the best sentence naming a side
    # that the chosen sentences miss (kg.qa.comparison)
    sides: bool = True


WEIGHTS = SelectionWeights()

# Words that ask rather than say: removed from the question before its keys are taken.
_ASKING = re.compile(
    r"什么|为什么|为何|如何|怎样|怎么|哪些|哪几|哪一|哪个|哪家|哪种|哪款|哪位|哪|谁|多少|多大|多长|多久|几|"
    r"是否|有何|何时|吗|呢|请问|分别|具体|主要|目前|文中|根据|according|to|the|a|an|of|in|on|for|and|or|"
    r"what|which|who|whom|why|how|when|where|does|do|did|is|are|was|were|has|have|had|it|its|this|that|"
    r"these|those|by|with|from|as|be|many|much|article|say|said|mention|mentioned|name|named",
    re.I,
)
# Headings, images, links alone and table rows say nothing by themselves: never an answer.
_NOT_PROSE = re.compile(r"^\s*(?:#{1,6}\s|!?\[[^\]]*\]\([^)]*\)\s*$|\|)|^[^\u4e00-\u9fffA-Za-z0-9]*$")
_PUNCTUATION = re.compile(r"[。，,；;：:！？!?、]")
# A year or figure the question names (2025年, 60+, v1.11: a version's v may precede it); digits inside a
# Latin name are part of the name, not a figure (K8s, I3Plat, EC2, H100)
_NUMBER_KEY = re.compile(r"(?<![\d.a-uw-z])\d+(?:\.\d+)*(?![\d.])", re.I)
_LATIN_WORD = re.compile(r"[a-z][a-z0-9.+-]*[a-z0-9]|[a-z]", re.I)
_ASKS = re.compile(r"[？?]\s*[”\"』」）)]*\s*$")
# A definition's cue, and how far before it the defined term may start (所谓X指的是, X，是指, X是一种)
_DEFINES = re.compile(r"是指|指的是|是一种|是一个|定义为|即是|所谓")
DEFINED_TERM_SPAN = 12
_NON_KEY = re.compile(r"[^\u4e00-\u9fffa-z0-9]", re.I)
# A sentence introducing the lines after it (…包括以下核心组件：, …如下), and how many lines it introduces
# at most
_INTRODUCES = re.compile(r"[：:]\s*$|如下[：:。]?\s*$|以下[：:。]?\s*$")
INTRODUCED_LINES = 12
_HEADING = re.compile(r"^\s*#{1,6}\s")
# A Chinese asking word with the measure word or noun it takes (多少名, 哪一年, 什么样), and the characters
# each side of it whose bigrams are the slot's context (chosen on dev over 2, 3, 4, 6)
_ASKED_SLOT = re.compile(
    r"为什么|为何|如何|怎样|怎么|哪些|哪几[个家种款项类]?|哪一[年个家种款项类位]?|哪个|哪家|哪种|哪款|哪位|"
    r"哪[年里]?|谁|多少[^\s，。？?]?|多大|多长|多久|几[个家名位年次倍成项类种]?|什么[^\s，。？?]?|何时|有何|是否"
)
SLOT_CHARS = 4
# The answer shapes the slot applies to: all but a list, whose slot words name the kind of its
# members (哪些厂商) rather than what stands around them, and a reason, whose asking word follows
# the clause it explains (阿迪达斯为什么要找外部合作伙伴) and favours the sentence restating the
# question. On dev, with all shapes 0.516 answerable, but the sample reports' list questions then
# read a sentence naming the kind; without lists and reasons 0.505; figures, names, times alone 0.491.
SLOT_TYPES = frozenset({"quantity", "name", "time", "other", "method", "definition", "comparison"})


@dataclass(frozen=True)
class QuestionKeys:
    """What a sentence is matched on: weighted keys, and the forms of each linked entity."""

    keys: dict[str, float]
    entity_forms: dict[str, list[str]]  # slug -> folded surface forms
    answer_type: str
    focus: frozenset[str] = frozenset()  # the keys outside the entities' names: what is asked about them
    chinese: bool = True  # the question is (partly) written in Chinese
    slot: frozenset[str] = frozenset()  # bigrams next to the asking words (see SelectionWeights.slot)
    # weight of what the question asks that no key can match (SelectionWeights.english_unmatched)
    unmatched: float = 0.0

    @property
    def total(self) -> float:
        return sum(self.keys.values()) + self.unmatched or 1.0

    @property
    def focus_total(self) -> float:
        """The weight of the focus keys, with what no key can match."""
        return sum(self.keys[k] for k in self.focus) + self.unmatched

    @property
    def names_figure(self) -> bool:
        """The question names a year or a figure (2025年, v1.11): a number among its keys."""
        return any(_NUMBER_KEY.fullmatch(k) for k in self.keys)


def question_keys(
    text: str, entity_forms: dict[str, list[str]], hints: Sequence[str], answer_type: str
) -> QuestionKeys:
    """The keys of a question: bigrams of its Chinese text and its Latin words (3+ letters, weight 2); for
    a question in English instead of its words, the bigrams of its entities' Chinese names and of the hint
    words, with SelectionWeights.english_unmatched for the rest."""
    keys: dict[str, float] = {}
    folded = fold_text(text)
    chinese = has_chinese(text)
    for word in latin_words(text) if chinese else []:
        if len(word) >= 3 and not _ASKING.fullmatch(word):
            keys[word] = WEIGHTS.word_key
    for number in _NUMBER_KEY.findall(text):  # the text with its blanks: "from 2020", not "from2020"
        keys[number] = WEIGHTS.word_key  # years and figures the question names (2025年, v1.9)
    runs = _NON_KEY.sub(" ", _ASKING.sub(" ", re.sub(r"[a-z0-9.+-]+", " ", folded)))
    for run in runs.split():
        for i in range(len(run) - 1):
            keys[run[i : i + 2]] = WEIGHTS.bigram_key
    if not chinese:
        extra = [f for forms in entity_forms.values() for f in forms if has_chinese(f)] + list(hints)
        for form in extra:
            run = _NON_KEY.sub("", fold_text(form))
            for i in range(len(run) - 1):
                keys.setdefault(run[i : i + 2], WEIGHTS.bigram_key)
    folded_forms = {slug: [fold_text(f) for f in forms if f] for slug, forms in entity_forms.items()}
    named = [f for forms in folded_forms.values() for f in forms]
    focus = frozenset(k for k in keys if not any(k in f for f in named))
    unmatched = 0.0 if chinese else WEIGHTS.english_unmatched
    return QuestionKeys(keys, folded_forms, answer_type, focus, chinese, slot_context(text), unmatched)


def latin_words(text: str) -> list[str]:
    """The Latin-script words of a text, case folded, read with its blanks (Markdown emphasis ignored).

    >>> latin_words("Volcano v1.9 的 **binpack** 插件")
    ['volcano', 'v1.9', 'binpack']
    """
    return [w.casefold() for w in _LATIN_WORD.findall(text.replace("*", ""))]


def slot_context(text: str) -> frozenset[str]:
    """The character bigrams within SLOT_CHARS of each asking word of a question (Chinese and Latin
    letters and digits, folded).

    >>> sorted(slot_context("项目团队由多少名成员组成？"))
    ['员组', '团队', '成员', '目团', '组成', '队由']
    """
    folded = fold_text(text)
    out: set[str] = set()
    for asked in _ASKED_SLOT.finditer(folded):
        before = _NON_KEY.sub("", folded[max(0, asked.start() - SLOT_CHARS) : asked.start()])
        after = _NON_KEY.sub("", folded[asked.end() : asked.end() + SLOT_CHARS])
        for run in (before, after):
            out.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(out)


@dataclass(frozen=True)
class Candidate:
    sentence: Sentence
    hit: dict[str, Any]
    rank: int  # of its passage in the hybrid search
    position: int  # of the sentence in its passage
    covered: frozenset[str]  # question keys it holds
    focus: float  # share of the question's focus keys it holds
    lexical: float
    entities: float
    typed: bool
    score: float
    dense: float = 0.0  # cosine similarity of the question and the sentence (0 when not measured)
    # what the score weighs, by the name of its weight in SelectionWeights (a penalty as a negative value)
    features: Mapping[str, float] = field(default_factory=dict)


def _entity_share(sentence: str, passage: str, forms: dict[str, list[str]]) -> float:
    if not forms:
        return 0.0
    total = 0.0
    for variants in forms.values():
        if any(v in sentence for v in variants):
            total += WEIGHTS.entity_in_sentence
        elif any(v in passage for v in variants):
            total += WEIGHTS.entity_in_passage
    return total / len(forms)


def char_bigrams(text: str) -> frozenset[str]:
    """The character bigrams of a text's Chinese runs and its folded Latin words."""
    folded = fold_text(text)
    out = {w for w in latin_words(text) if len(w) >= 2}
    for run in _NON_KEY.sub(" ", re.sub(r"[a-z0-9.+-]+", " ", folded)).split():
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(out)


def _defines(folded: str, keys: QuestionKeys) -> bool:
    """The (folded) sentence defines a term the question asks: one of its entities' names, or one of
    its Latin words or character bigrams, stands just before (or after 所谓) a definition cue."""
    terms = [f for forms in keys.entity_forms.values() for f in forms] + list(keys.keys)
    for cue in _DEFINES.finditer(folded):
        around = folded[max(0, cue.start() - DEFINED_TERM_SPAN) : cue.start()]
        if cue.group() == "所谓":
            around = folded[cue.end() : cue.end() + DEFINED_TERM_SPAN]
        if any(t and t in around for t in terms):
            return True
    return False


def candidates(
    keys: QuestionKeys,
    hits: Sequence[dict[str, Any]],
    weights: SelectionWeights = WEIGHTS,
    similarity: Mapping[tuple[str, int], float] | None = None,
    question: str = "",
) -> list[Candidate]:
    """Every sentence of the top passages, scored, best first. ``similarity`` holds the dense cosine of
    the question and each sentence, by (passage, sentence start)."""
    out = []
    # an English question's words are not matched in the Chinese passages (english_unmatched)
    asked = char_bigrams(question) if question and keys.chinese else frozenset()
    in_unit = asked_figure(question) if question and keys.answer_type == "quantity" else None
    comparing = keys.answer_type == "comparison"
    focus_total = keys.focus_total
    for rank, hit in enumerate(hits[: weights.passages]):
        passage = fold_text(hit["text"])
        sentences = split_sentences(hit["text"], int(hit["start"]))
        intros = introducing(sentences) if weights.introduced else {}
        for position, sentence in enumerate(sentences):
            if len(sentence.text) > weights.max_sentence_chars or _NOT_PROSE.match(sentence.text):
                continue
            folded = fold_text(sentence.text)
            covered = frozenset(k for k in keys.keys if k in folded)
            lexical = sum(keys.keys[k] for k in covered) / keys.total
            entities = _entity_share(folded, passage, keys.entity_forms)
            intro = intros.get(position)
            if intro is not None:
                # the introducing sentence's keys count for the line it introduces, in part
                head = fold_text(intro.text)
                inherited = frozenset(k for k in keys.keys if k in head) - covered
                lexical += weights.introduced * sum(keys.keys[k] for k in inherited) / keys.total
                entities = max(entities, weights.introduced * _entity_share(head, passage, keys.entity_forms))
            typed = has_span(keys.answer_type, sentence.text)
            if not focus_total or (focus_total <= weights.min_focus and keys.chinese):
                focus = 1.0 if typed else 0.0  # the question asks little beyond its entities: its shape
            else:
                focus = sum(keys.keys[k] for k in covered & keys.focus) / focus_total
            if any(_NUMBER_KEY.fullmatch(k) and k not in covered for k in keys.keys):
                focus = 0.0  # a year or figure the question names must be in the sentence
            dense = similarity.get((hit["passage"], sentence.start), 0.0) if similarity else 0.0
            own = char_bigrams(sentence.text)
            shared = len(asked & own) if asked else 0
            context, said = 0.0, float(len(own))
            if intro is not None:
                # a line read with what introduces it: its echo of the question is that of both together
                head_bigrams = char_bigrams(intro.text) - own
                context = weights.introduced * len(asked & head_bigrams)
                said += weights.introduced * len(head_bigrams)
            features = {
                "dense": dense,
                "bigrams": (shared + context) / max(len(asked), 1),
                "lexical": lexical,
                "entities": entities,
                "answer_type": float(typed),
                "rank": 1 / (1 + rank),
                "caption": -float(_PUNCTUATION.search(sentence.text) is None and intro is None and not typed),
                "echo": -(shared + context) / max(said, 1),
                "asked_unit": float(in_unit is not None and in_unit.search(sentence.text) is not None),
                "change": float(
                    comparing and (states_change(sentence.text) or value_count(sentence.text) >= 2)
                ),
                "asking": -float(_ASKS.search(sentence.text) is not None),
                "core_shape": float(has_core_shape(keys.answer_type, sentence.text)),
                "defined_term": float(keys.answer_type == "definition" and _defines(folded, keys)),
                "slot": sum(k in folded for k in keys.slot) / len(keys.slot)
                if keys.slot and keys.answer_type in SLOT_TYPES
                else 0.0,
            }
            score = sum(getattr(weights, name) * value for name, value in features.items())
            out.append(
                Candidate(
                    sentence,
                    hit,
                    rank,
                    position,
                    covered,
                    focus,
                    lexical,
                    entities,
                    typed,
                    score,
                    dense,
                    features,
                )
            )
    out.sort(key=lambda c: (-c.score, c.rank, c.position))
    return out


def introducing(sentences: Sequence[Sentence]) -> dict[int, Sentence]:
    """For each line that a sentence introduces (…：, …如下), that sentence, by the line's position: the
    up to INTRODUCED_LINES lines after it, up to a heading or the next introducing sentence.

    >>> from kg.qa.sentences import split_sentences
    >>> lines = split_sentences("相较随机基线：\\n- 吞吐提升约 2.73 倍\\n- TTFT 降低约 73.5%\\n## 小结", 0)
    >>> {n: s.text for n, s in introducing(lines).items()}
    {1: '相较随机基线：', 2: '相较随机基线：'}
    """
    out: dict[int, Sentence] = {}
    for n, sentence in enumerate(sentences):
        if not _INTRODUCES.search(sentence.text):
            continue
        for m in range(n + 1, min(n + 1 + INTRODUCED_LINES, len(sentences))):
            line = sentences[m].text
            if _HEADING.match(line) or _INTRODUCES.search(line):
                break
            out[m] = sentence
    return out


# A sentence opening with a back-reference: what it answers with is said in the sentence before it.
_REFERS_BACK = re.compile(
    r"^\s*(?:[-*•·]\s*)?(?:因此|所以|为此|对此|于是|因而|这样|(?:在|对于|针对)?这种情况下?|针对这个问题|"
    r"为了(?:应对|解决)(?:这种情况|这个问题|这一问题|此问题)|基于此|鉴于此)"
)
BACK_REFERENCE_TYPES = frozenset({"reason", "method"})


def with_antecedents(
    chosen: Sequence[Candidate], ranked: Sequence[Candidate], consequents: bool = False
) -> list[Candidate]:
    """The chosen sentences, each that refers back preceded by the sentence before it in its passage; with
    ``consequents``, each followed by the sentence after it when that one refers back to it (the problem
    stated, then "为了应对这种情况，我们通过…": the answer to a how/why is what follows)."""
    by_place = {(c.hit["passage"], c.position): c for c in ranked}
    out: list[Candidate] = []
    for c in chosen:
        before = by_place.get((c.hit["passage"], c.position - 1))
        refers = _REFERS_BACK.match(c.sentence.text) is not None
        if refers and before is not None and before not in out:  # (even when chosen later: it comes first)
            out.append(before)
        if c not in out:
            out.append(c)
        after = by_place.get((c.hit["passage"], c.position + 1))
        if consequents and after is not None and after not in out and _REFERS_BACK.match(after.sentence.text):
            out.append(after)
    return out


def with_reason_after(chosen: Sequence[Candidate], ranked: Sequence[Candidate]) -> list[Candidate]:
    """For a why question whose best sentence states no cause (it restates what is asked: "团队认为
    Kubernetes 是新一代云平台的自然选择"), the chosen sentences and the sentence after the best one in its
    passage, where reports give the reason ("主要原因是…")."""
    if not chosen or has_core_shape("reason", chosen[0].sentence.text):
        return list(chosen)
    best = chosen[0]
    place = (best.hit["passage"], best.position + 1)
    after = next((c for c in ranked if (c.hit["passage"], c.position) == place), None)
    return [*chosen, after] if after is not None and after not in chosen else list(chosen)


def select_sentences(
    keys: QuestionKeys, ranked: Sequence[Candidate], weights: SelectionWeights = WEIGHTS
) -> list[Candidate]:
    """The best candidate, then those adding enough question keys the chosen ones lack."""
    if not ranked:
        return []
    chosen = [ranked[0]]
    covered = set(ranked[0].covered)
    for c in ranked[1:30]:
        if len(chosen) >= weights.max_sentences:
            break
        if c.score < weights.extra_score * ranked[0].score:
            break
        gain = sum(keys.keys[k] for k in c.covered - covered) / keys.total
        comparing = keys.answer_type == "comparison"
        if (
            gain >= (weights.comparison_gain if comparing else weights.extra_gain)
            and c.entities >= chosen[0].entities  # no sentence about something else joins
            and c.sentence.text != chosen[0].sentence.text
        ):
            chosen.append(c)
            covered |= c.covered
    return chosen
