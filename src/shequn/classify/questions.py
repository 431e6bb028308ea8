"""Which chat messages ask something: a score in [0, 1], a label and the reasons, per message.

Rules first (:mod:`._questions_rules`): ``?``/``？``, question words and particles (``吗``
``呢`` ``怎么`` ``为什么`` ``有没有`` ``请问`` ``what``/``how``/``anyone know``…), auxiliary-first
sentences (``does it…``, ``can i…``), requests for help (``need help``, ``求助``), and rules
against (``what a mess``, ``谁都可以``, ``难道``, reported questions). A small logistic
regression (:mod:`._questions_model`) then weighs the rules that fired together with the
message's words (English) or characters (Chinese), so that ``呢`` after ``你`` counts and
``呢`` after ``在…`` does not. How well this works, and on what labels, is in
``docs/quality.md``.

:func:`score_questions` takes a batch; it keeps no state between calls. Messages of the
same text (``ok``, ``谢谢``, ``?``) are scored once per batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from shequn.classify._questions_features import Prepared, prepare
from shequn.classify._questions_model import QuestionModel, default_model
from shequn.classify._questions_rules import rules_say_question

__all__ = ["QuestionScore", "question_scores", "rules_only", "score_question", "score_questions"]


@dataclass(frozen=True, slots=True)
class QuestionScore:
    """A message's question score in [0, 1], whether it passes the threshold, and why.

    ``reasons`` lists ``rule:<name>`` for each rule that fired (``against:<name>`` for rules
    that speak against a question) and ``model:<score>``, the model's probability.
    """

    score: float
    label: bool
    lang: str
    reasons: tuple[str, ...] = ()

    def as_dict(self, text: str | None) -> dict[str, Any]:
        """The shape ``shequn classify questions --format jsonl`` prints."""
        return {"text": text, "score": round(self.score, 4), "label": self.label, "reasons": list(self.reasons)}


#: Texts remembered within one batch: chat repeats its short lines, but memory must stay bounded.
_MEMO = 50_000
_EMPTY = QuestionScore(0.0, False, "en", ("empty",))


def _reasons(prepared: Prepared, score: float) -> tuple[str, ...]:
    named = [f"against:{name}" if kind == "against" else f"rule:{name}" for name, kind in prepared.rules]
    named.append(f"model:{score:.3f}")
    return tuple(named)


def score_questions(
    texts: Iterable[str | None], *, model: QuestionModel | None = None, threshold: float | None = None
) -> list[QuestionScore]:
    """Scores for a batch of messages, in order (``None`` or blank text scores 0)."""
    model = model or default_model()
    cut = model.threshold if threshold is None else threshold
    done: dict[str, QuestionScore] = {}
    out: list[QuestionScore] = []
    for text in texts:
        if not text or text.isspace():
            out.append(_EMPTY)
            continue
        found = done.get(text)
        if found is None:
            prepared = prepare(text)
            score = model.score_prepared(prepared)
            found = QuestionScore(score, score >= cut, prepared.lang, _reasons(prepared, score))
            if len(done) >= _MEMO:
                done.clear()
            done[text] = found
        out.append(found)
    return out


def score_question(text: str | None, *, model: QuestionModel | None = None) -> QuestionScore:
    """The score of one message (for many, :func:`score_questions` is faster)."""
    return score_questions([text], model=model)[0]


def question_scores(texts: Iterable[str | None], *, model: QuestionModel | None = None) -> list[float]:
    """Only the scores, for callers that need no reasons (reply inference, metrics, benches)."""
    model = model or default_model()
    done: dict[str, float] = {}
    out: list[float] = []
    append = out.append
    for text in texts:
        if not text or text.isspace():
            append(0.0)
            continue
        score = done.get(text)
        if score is None:
            score = model.score_prepared(prepare(text))
            if len(done) >= _MEMO:
                done.clear()
            done[text] = score
        append(score)
    return out


def rules_only(text: str | None) -> bool:
    """The rules' own verdict, without the model: a strong rule fired and none against.

    Kept public because ``docs/quality.md`` reports it beside the model, and it explains most
    of what the model does.
    """
    if not text or text.isspace():
        return False
    return rules_say_question(prepare(text).rules)
