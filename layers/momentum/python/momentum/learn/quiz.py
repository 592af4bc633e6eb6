"""Quizzes: what a learner sees of a question, and grading by the server (pure functions, no I/O).

A question is worth one point; a multiple-choice question needs exactly the right set of options; a numeric one
is right within its tolerance. The score is the share of points, 0–100, rounded; PASS_MARK or more passes.
"""

from __future__ import annotations

import math
from typing import Any

from momentum.learn.models import MultipleChoice, Numeric, PublicQuestion, Question, Quiz, SingleChoice, TrueFalse

PASS_MARK = 70


def parse(quiz_json: dict[str, Any] | None) -> Quiz | None:
    """A stored quiz (validated when it was written) as the model."""
    return None if not quiz_json else Quiz.model_validate(quiz_json)


def public(question: Question) -> PublicQuestion:
    """The question as a learner sees it: prompt and options, never the answer, tolerance or explanation."""
    options = question.options if isinstance(question, SingleChoice | MultipleChoice) else None
    if isinstance(question, TrueFalse):
        options = ["true", "false"]
    unit = question.unit if isinstance(question, Numeric) else None
    return PublicQuestion(id=question.id, type=question.type, prompt=question.prompt, options=options, unit=unit)


def is_correct(question: Question, answer: Any) -> bool:
    """Whether ``answer`` (as sent by the client, any JSON type) answers ``question``."""
    if answer is None:
        return False
    if isinstance(question, SingleChoice):
        return isinstance(answer, str) and answer == question.answer
    if isinstance(question, MultipleChoice):
        return isinstance(answer, list) and set(answer) == set(question.answer) and len(answer) == len(set(answer))
    if isinstance(question, TrueFalse):
        if isinstance(answer, str):  # the options shown are "true" and "false"
            answer = {"true": True, "false": False}.get(answer.lower())
        return isinstance(answer, bool) and answer == question.answer
    if isinstance(answer, bool) or not isinstance(answer, int | float) or not math.isfinite(answer):
        return False
    # A hair of slack so that 0.1 + 0.2 style representations of an exact answer still count.
    return abs(float(answer) - question.answer) <= question.tolerance + 1e-9


def correct_answer(question: Question) -> Any:
    return question.answer


def score(correct: int, total: int) -> int:
    return round(100 * correct / total) if total else 0
