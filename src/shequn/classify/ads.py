"""Ad and spam scores for chat messages, with the reasons behind each score.

A score in [0, 1] is the logistic of a sum of log-odds:

- the **text** part: a linear model (:mod:`~shequn.classify._ads_model`, trained by
  ``scripts/train_ads.py``) over the message's words and character pairs and over what the
  detectors found in it: WeChat ids, QQ and phone numbers (also when disguised with
  full-width digits, emoji between digits, ``o`` for 0, ``薇信``/``➕V``), e-mail addresses,
  links, short links, invitations to other chats, and ad words in Chinese and English;
- the **context** part, which text alone cannot see and the caller supplies as
  :class:`MessageFacts`: an image that the export names as a QR code, the same or nearly the
  same text posted in several groups or many times, a new member's first messages carrying
  a contact or link. Its weights are fixed (:data:`CONTEXT_WEIGHTS`) and documented in
  ``docs/quality-ads.md``, as no labelled data has these facts.

Each :class:`Reason` says what was found and how many log-odds it added, so a moderator can
see why a message was flagged and an operator can tune the rules. :func:`score_ads` scores a
batch; it keeps no state between calls and runs at well over 100 000 short messages a
second on one core (``bench`` figures in ``docs/quality-ads.md``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from shequn.classify._ads_model import LinearModel, load_model, sigmoid, signal_features, text_features, text_scale
from shequn.classify._ads_normalize import normalize
from shequn.classify._ads_signals import CONTACT_CODES, Signal, read_text
from shequn.classify._ads_vocab import matcher

__all__ = [
    "CONTEXT_WEIGHTS",
    "AdContext",
    "AdRules",
    "AdScore",
    "MessageFacts",
    "Reason",
    "model_version",
    "score_ad",
    "score_ads",
]

#: Log-odds that context facts add to a message's score (see ``docs/quality-ads.md``).
CONTEXT_WEIGHTS: Final = {
    "qr_image": 3.0,  # an image the export names as a QR code or a contact card
    "same_text_groups_2": 1.5,  # the author posted the same or nearly the same text in 2 groups within the window
    "same_text_groups_3": 3.0,  # … in 3 groups or more
    "repeated_3": 0.5,  # the author posted it 3-4 times within the window
    "repeated_5": 1.0,  # … 5 times or more
    "new_member_contact": 2.0,  # a contact or link from a member in their quiet period
}
#: Below this score no reasons are worked out (nobody reads them), unless context added some.
REASONS_FROM: Final = 0.2

_LINK_CODES: Final = frozenset({"link", "short_link", "invite_link"})
#: Shown whatever their weight: a moderator wants to know that a number was disguised even
#: where the model gives the disguise itself no extra weight (the contact already has it).
_ALWAYS_SHOWN: Final = frozenset({"disguised"})
_SUMMARIES: Final = frozenset({"combination", "model"})
# Characters that only a disguise puts into a contact: full-width, circled, mathematical
# letters and digits (NFKC folds them, so the normalised text no longer shows them).
_FANCY: Final = re.compile(
    "[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u2460-\u24ff\u2776-\u2793\u20e3\U0001d400-\U0001d7ff]"
)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a score is what it is: ``code`` (``wechat_id``, ``vocab``, ``same_text_groups``…),
    what was read (``detail``) and the log-odds it added (``weight``)."""

    code: str
    detail: str
    weight: float

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "detail": self.detail, "weight": round(self.weight, 3)}


@dataclass(frozen=True, slots=True)
class AdScore:
    """A message's ad score in [0, 1], with its reasons: what was found, strongest first, then
    the combinations and the model's words that explain the weights."""

    score: float
    reasons: tuple[Reason, ...] = ()

    def flagged(self, threshold: float = 0.5) -> bool:
        return self.score >= threshold

    def reasons_list(self) -> list[dict[str, Any]]:
        return [r.as_dict() for r in self.reasons]


@dataclass(frozen=True)
class AdRules:
    """What a community allows and adds (rules file ``[ads]`` or community settings).

    ``allowed_domains`` are links that never count (the community's own site, GitHub…);
    ``allowed_members`` are names or ids whose messages are never flagged (the caller matches
    them and says so in :attr:`MessageFacts.allowed_member`); ``extra_words`` count as strong
    ad words; ``threshold`` is the score from which a message is flagged.
    """

    allowed_domains: frozenset[str] = frozenset()
    allowed_members: frozenset[str] = frozenset()
    extra_words: tuple[str, ...] = ()
    threshold: float = 0.5


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """What the log knows about a message beyond its text (all optional).

    ``same_text_groups`` and ``same_text_posts`` count this message too, so 1 means "only
    here, only once".
    """

    qr_image: str | None = None
    new_member: bool = False
    same_text_groups: int = 1
    same_text_posts: int = 1
    allowed_member: bool = False


@dataclass(frozen=True)
class AdContext:
    """Rules for a batch, and optionally one :class:`MessageFacts` per text (``None`` for none)."""

    rules: AdRules = field(default_factory=AdRules)
    facts: Sequence[MessageFacts | None] | None = None
    model: LinearModel | None = None


_NO_FACTS: Final = MessageFacts()
_ZERO: Final = AdScore(0.0)


def model_version(model: LinearModel | None = None) -> str:
    """The version of the model that scores are computed with (stored beside each score)."""
    return (model or load_model()).version


def _context_reasons(facts: MessageFacts, signals: list[Signal]) -> list[Reason]:
    found: list[Reason] = []
    if facts.qr_image:
        found.append(Reason("qr_image", facts.qr_image, CONTEXT_WEIGHTS["qr_image"]))
    if facts.same_text_groups >= 3:
        found.append(
            Reason("same_text_groups", f"{facts.same_text_groups} groups", CONTEXT_WEIGHTS["same_text_groups_3"])
        )
    elif facts.same_text_groups == 2:
        found.append(Reason("same_text_groups", "2 groups", CONTEXT_WEIGHTS["same_text_groups_2"]))
    if facts.same_text_posts >= 5:
        found.append(Reason("repeated", f"{facts.same_text_posts} posts", CONTEXT_WEIGHTS["repeated_5"]))
    elif facts.same_text_posts >= 3:
        found.append(Reason("repeated", f"{facts.same_text_posts} posts", CONTEXT_WEIGHTS["repeated_3"]))
    if facts.new_member and any(s.code in CONTACT_CODES or s.code in _LINK_CODES for s in signals):
        found.append(
            Reason("new_member_contact", "contact or link in the quiet period", CONTEXT_WEIGHTS["new_member_contact"])
        )
    return found


def _text_reasons(model: LinearModel, text_feats: set[str], feats: set[str], signals: list[Signal]) -> list[Reason]:
    weights = model.weights
    found: list[Reason] = []
    details: dict[str, list[str]] = {}
    for s in signals:
        seen = details.setdefault(s.code, [])
        if s.detail not in seen:
            seen.append(s.detail)
    for code, items in details.items():
        if code == "vocab":
            bucket = next((f for f in ("§vocab1", "§vocab2", "§vocab3") if f in feats), "")
            weight = weights.get(bucket, 0.0)
        elif code == "vocab_weak":
            bucket = next((f for f in ("§weak1", "§weak2") if f in feats), "")
            weight = weights.get(bucket, 0.0)
        else:
            weight = weights.get("§" + code, 0.0)
        found.append(Reason(code, ", ".join(items[:5]), weight))
    for combo, detail in (
        ("§contact", "a contact"),
        ("§contact&vocab", "contact with ad words"),
        ("§link&vocab", "link with ad words"),
    ):
        if combo in feats:
            found.append(Reason("combination", detail, weights.get(combo, 0.0)))
    top = model.top(text_feats)
    if top:
        found.append(Reason("model", ", ".join(f for f, _ in top), sum(w for _, w in top)))
    return found


def _reason_order(reason: Reason) -> tuple[bool, float]:
    """What was found first (a WeChat id, the same text in 3 groups), strongest first; then
    the combinations and the model's words, which say why those findings weigh."""
    return reason.code in _SUMMARIES, -reason.weight


def _disguised(text: str, signals: list[Signal]) -> None:
    """Add a ``disguised`` signal when a contact was written in full-width or circled characters."""
    codes = {s.code for s in signals}
    if codes & CONTACT_CODES and "disguised" not in codes and _FANCY.search(text):
        signals.append(Signal("disguised", "full-width or circled characters"))


def score_ad(
    text: str | None,
    facts: MessageFacts | None = None,
    *,
    rules: AdRules | None = None,
    model: LinearModel | None = None,
) -> AdScore:
    """The score of one message (see :func:`score_ads` for batches)."""
    return score_ads([text], context=AdContext(rules or AdRules(), [facts], model))[0]


def score_ads(texts: Iterable[str | None], *, context: AdContext | None = None) -> list[AdScore]:
    """One :class:`AdScore` per text, in order; ``None`` or empty texts score 0.

    ``context`` carries the community's rules and, per text, what the log knows beyond the
    text (:class:`MessageFacts`); without it, texts are scored on their own.
    """
    ctx = context or AdContext()
    rules = ctx.rules
    model = ctx.model or load_model()
    vocab = matcher(rules.extra_words)
    allowed = rules.allowed_domains
    weights_get = model.weights.get
    bias = model.bias
    facts_list = ctx.facts
    out: list[AdScore] = []
    append = out.append
    for i, text in enumerate(texts):
        facts = (facts_list[i] if facts_list is not None else None) or _NO_FACTS
        if facts.allowed_member:
            append(AdScore(0.0, (Reason("allowed_member", "on the community's allowed list", 0.0),)))
            continue
        if not text and not facts.qr_image:
            append(_ZERO)
            continue
        text = text or ""
        norm = normalize(text)
        signals, rest, words = read_text(norm, vocab, allowed)
        text_feats = text_features(rest, words)
        # the model's log-odds, inlined from LinearModel.logit: this loop runs millions of times
        logit = sum(filter(None, map(weights_get, text_feats)))
        if logit:
            logit = logit * text_scale(len(text_feats))
        logit += bias
        signal_feats: set[str] = set()
        if signals:
            _disguised(text, signals)
            signal_feats = signal_features(signals)
            logit += sum(filter(None, map(weights_get, signal_feats)))
        context_reasons = _context_reasons(facts, signals) if facts is not _NO_FACTS else []
        if context_reasons:
            logit += sum(r.weight for r in context_reasons)
        score = sigmoid(logit)
        if score < REASONS_FROM and not context_reasons:
            append(AdScore(score))
            continue
        found = _text_reasons(model, text_feats, signal_feats, signals) + context_reasons
        reasons = [r for r in found if r.weight > 0 or r.code in _ALWAYS_SHOWN]
        reasons.sort(key=_reason_order)
        append(AdScore(score, tuple(reasons)))
    return out
