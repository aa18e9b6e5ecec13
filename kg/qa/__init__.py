"""Researcher Q&A over the reports: questions answered from the graph and the passages, with citations.

``QuestionAnswerer(search_service).ask(question, select)`` returns the /ask response (docs/design.md).
"""

from kg.qa.question import KINDS, Question, analyse_question
from kg.qa.service import MAX_QUESTION_CHARS, QuestionAnswerer
from kg.qa.source import Select, engine_select, store_select

__all__ = [
    "KINDS",
    "MAX_QUESTION_CHARS",
    "Question",
    "QuestionAnswerer",
    "Select",
    "analyse_question",
    "engine_select",
    "store_select",
]
