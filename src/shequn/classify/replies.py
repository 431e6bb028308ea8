"""Which earlier message a chat message answers, where the carrier does not say.

WhatsApp, IRC, QQ and WeChat (without a quote) keep no reply links, yet who answers whom is
what the community metrics need. :func:`infer_replies` reads a group's messages in order and
links each to the earlier message it most likely answers, or to none (it starts a
conversation). It ranks the last :data:`~._replies_features.WINDOW` messages of the group and
"no parent" by a learned weighing (:mod:`._replies_features` names the features) of what a
reader goes by:

- an ``@mention`` or the name of an earlier speaker at the start (``nick:`` on IRC);
- the asker's turn-taking: a message addressed to this author, or an answer to this author;
- a question shortly before that nobody has answered yet;
- the author continuing their own previous message;
- words in common, rare words counting more;
- the time gap and the number of messages in between.

Each link names the rule that weighed most (``mention``, ``turn_taking``, ``question``,
``continuation``, ``text_overlap``, ``bot_command``, ``proximity``) and its confidence, the
probability the model gives the chosen parent among all candidates. An explicit reply link
from the carrier always wins (rule ``explicit``, confidence 1). Accuracy on the IRC
disentanglement gold links is in ``docs/quality.md``.

:func:`build_reply_links` writes the derived ``reply_links`` table (explicit and inferred
links) of a community into the log.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from itertools import repeat
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from shequn.classify._replies_features import (
    NO_PARENT,
    WINDOW,
    Candidate,
    GroupState,
    alone_features,
    candidate_at,
    message_context,
)
from shequn.classify._replies_scores import RELATIONS, Weights, window_scores
from shequn.errors import ConfigError

__all__ = [
    "MAX_GAP",
    "RULES",
    "ReplyInference",
    "ReplyInput",
    "ReplyLink",
    "ReplyModel",
    "build_reply_links",
    "default_reply_model",
    "infer_replies",
    "load_reply_model",
]

#: A message older than this is no candidate: after half a day of silence, a message starts
#: a conversation or answers something the reader can no longer tell.
MAX_GAP = timedelta(hours=12)
MODEL_FILE = "replies-v2.json"
_FORMAT = "shequn-replies"

#: The rule a feature speaks for; a link's rule is the one whose features added most. A
#: feature crossed with a distance (``same_last_noaddr@d1``) speaks for its feature's rule, a
#: relation crossed with a kind (``rel_addr|c_q``) for its relation's.
RULES: dict[str, str] = {
    "addr_auth": "mention",
    "addr_auth_rank0": "mention",
    "addr_auth_rank1": "mention",
    "addr_auth_rank2": "mention",
    "addr_auth_and_back": "mention",
    "ment_auth": "mention",
    "c_addr_me": "turn_taking",
    "c_addr_me_last": "turn_taking",
    "c_addr_me_noaddr": "turn_taking",
    "ack_c_addr_me": "turn_taking",
    "dyn_c_replied_me": "turn_taking",
    "dyn_c_replied_my_last": "turn_taking",
    "partner": "turn_taking",
    "partner_last": "turn_taking",
    "partner_noaddr": "turn_taking",
    "partner_last_noaddr": "turn_taking",
    "c_q": "question",
    "c_q_unans": "question",
    "c_q_noaddr": "question",
    "ack_q": "question",
    "addr_auth_q": "question",
    "yes_no_to_q": "question",
    "instruction_to_how": "question",
    "same": "continuation",
    "same_last": "continuation",
    "same_noaddr": "continuation",
    "same_last_noaddr": "continuation",
    "same_same_addr": "continuation",
    "same_last_had_addr": "continuation",
    "ack_same": "continuation",
    "dyn_same_thread_same": "continuation",
    "same_instructs": "continuation",
    "ov1": "text_overlap",
    "ov2": "text_overlap",
    "idf4": "text_overlap",
    "idf8": "text_overlap",
    "bot_cmd": "bot_command",
    "bot_cmd_last": "bot_command",
    "rel_addr": "mention",
    "rel_ment": "mention",
    "rel_tome": "turn_taking",
    "rel_partner": "turn_taking",
    "rel_same": "continuation",
}


class ReplyInput(NamedTuple):
    """One message of a group, in the order of the chat.

    ``ts`` is a datetime (naive ones are taken as UTC) or epoch seconds; ``member`` is the
    author's name as the chat shows it (names are what people address each other by);
    ``explicit_reply`` is the event id the carrier says it replies to, if any.
    """

    event_id: str
    group_id: Any
    ts: datetime | float | int
    member: str | None
    text: str | None
    explicit_reply: str | None = None


class ReplyLink(NamedTuple):
    """``event_id`` answers ``reply_to_event_id``; ``rule`` says why, ``confidence`` how sure."""

    event_id: str
    reply_to_event_id: str
    rule: str
    confidence: float


@dataclass(frozen=True)
class ReplyModel:
    """Feature weights of the candidate ranking (a conditional logit), and its version."""

    version: str
    window: int
    weights: dict[str, float]
    trained: dict[str, Any]
    #: Sums of crossed-feature weights by their parts, filled as inference meets them: the
    #: crosses of a candidate are weighed with two look-ups instead of a dozen names.
    _crossed: dict[tuple, float] = field(default_factory=dict, init=False, compare=False, repr=False)
    #: This message's kinds -> each relation's weight crossed with them.
    _mines: dict[tuple[str, ...], dict[str, float]] = field(default_factory=dict, init=False, compare=False, repr=False)

    def scores(self, candidates: list[Candidate]) -> list[float]:
        """Each candidate's score (equal to the sum of the weights of its :meth:`Candidate.all_features`)."""
        get = self.weights.get
        zero = repeat(0.0)
        crossed = self._crossed
        out = []
        for c in candidates:
            score = sum(map(get, c.features, zero))
            if c.relation:
                key = (c.relation, c.distance, c.kinds)
                part = crossed.get(key)
                if part is None:
                    part = crossed[key] = self._crossed_sum(c.relation, c.distance, c.kinds, ())
                key = (c.relation, c.mine)
                mine = crossed.get(key)
                if mine is None:
                    mine = crossed[key] = self._crossed_sum(c.relation, "", (), c.mine)
                score += part + mine
            out.append(score)
        return out

    @functools.cached_property
    def layout(self) -> Weights:
        """The weights laid out for :func:`~._replies_scores.window_scores`, built once."""
        return Weights(self.weights, self.window)

    @functools.cached_property
    def speaks_for(self) -> dict[str, tuple[str, float]]:
        """Feature -> the rule it speaks for and its weight, for the features with a rule and a positive weight."""
        found = {}
        for name, weight in self.weights.items():
            rule = RULES.get(name.partition("@")[0].partition("|")[0])
            if rule is not None and weight > 0:
                found[name] = (rule, weight)
        return found

    def crossed_weight(self, key: tuple[str, str, tuple[str, ...], int]) -> float:
        """The weight of a candidate's crossed features from their parts, cached.

        ``key`` is ``(relation, coarse distance, kinds, links)``; ``links`` adds ``start`` (+1),
        ``answered`` (+2) and ``answered_by_me`` (+4) to ``kinds``.
        """
        relation, distance, kinds, links = key
        full = kinds + tuple(k for bit, k in _LINK_KINDS if links & bit)
        part = self._crossed[key] = self._crossed_sum(relation, distance, full, ())
        return part

    def mine_weights(self, mine: tuple[str, ...]) -> dict[str, float]:
        """Each relation's weight crossed with this message's kinds ``mine``, cached."""
        weights = self._mines.get(mine)
        if weights is None:
            weights = self._mines[mine] = {r: self._crossed_sum(r, "", (), mine) for r in RELATIONS}
        return weights

    def _crossed_sum(self, relation: str, distance: str, kinds: tuple[str, ...], mine: tuple[str, ...]) -> float:
        get = self.weights.get
        rel = f"rel_{relation}"
        total = get(f"{rel}|{distance}", 0.0) if distance else 0.0
        total += sum(get(f"{rel}|c_{k}", 0.0) + get(f"c_{k}", 0.0) for k in kinds)
        return total + sum(get(f"{rel}|m_{k}", 0.0) for k in mine)

    def as_json(self) -> bytes:
        data = {
            "format": _FORMAT,
            "version": self.version,
            "window": self.window,
            "weights": dict(sorted(self.weights.items())),
            "trained": self.trained,
        }
        return orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"


#: What the links decided so far add to a candidate's kinds, by bit of ``links``.
_LINK_KINDS: tuple[tuple[int, str], ...] = ((1, "start"), (2, "answered"), (4, "answered_by_me"))


def _parse(data: Any, where: str) -> ReplyModel:
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        raise ConfigError(f"{where}: not a shequn reply model (format {_FORMAT!r} expected)")
    try:
        return ReplyModel(
            str(data["version"]),
            int(data.get("window", WINDOW)),
            {str(k): float(v) for k, v in data["weights"].items()},
            dict(data.get("trained", {})),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"{where}: malformed reply model ({exc!r})") from None


def load_reply_model(path: str | Path) -> ReplyModel:
    """A reply model from a JSON file (``scripts/eval_replies.py --train`` writes one)."""
    try:
        return _parse(orjson.loads(Path(path).read_bytes()), str(path))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read reply model: {exc.strerror}") from None
    except orjson.JSONDecodeError as exc:
        raise ConfigError(f"{path}: reply model is not JSON ({exc})") from None


@functools.cache
def default_reply_model() -> ReplyModel:
    """The model shipped in the package (read once per process)."""
    ref = resources.files("shequn.classify.models").joinpath(MODEL_FILE)
    return _parse(orjson.loads(ref.read_bytes()), f"shequn/classify/models/{MODEL_FILE}")


def _seconds(ts: datetime | float | int) -> float:
    if isinstance(ts, datetime):
        if ts.tzinfo is None:
            return (ts - datetime(1970, 1, 1)).total_seconds()
        return ts.timestamp()
    return float(ts)


def _rule(model: ReplyModel, features: list[str]) -> str:
    totals: dict[str, float] = {}
    speaks_for = model.speaks_for
    for f in features:
        found = speaks_for.get(f)
        if found is not None:
            rule, weight = found
            totals[rule] = totals.get(rule, 0.0) + weight
    return max(totals, key=totals.__getitem__) if totals else "proximity"


def _choose(scores: list[float]) -> tuple[int, float]:
    """Index of the best candidate (the first of equals) and its probability among all of them."""
    top = max(scores)
    best = scores.index(top)
    total = sum(math.exp(s - top) for s in scores)
    return best, 1.0 / total


class ReplyInference:
    """Reply inference one message at a time, for callers that interleave it with other work.

    :func:`infer_replies` is this over a stream. Memory holds a window per group.
    """

    def __init__(self, *, model: ReplyModel | None = None, max_gap: timedelta = MAX_GAP) -> None:
        self.model = model or default_reply_model()
        self._gap = max_gap.total_seconds()
        self._states: dict[Any, GroupState] = {}

    def feed(self, msg: ReplyInput) -> ReplyLink | None:
        """The link of the next message of the stream, or None when it starts a conversation."""
        state = self._states.get(msg.group_id)
        if state is None:
            state = self._states[msg.group_id] = GroupState(window=self.model.window)
        ts = _seconds(msg.ts)
        state.forget_before(ts, self._gap)
        current = state.read(msg.event_id, ts, msg.member, msg.text)
        link: ReplyLink | None = None
        if msg.explicit_reply:
            parent = next((s.index for s in state.recent if s.key == msg.explicit_reply), NO_PARENT)
            link = ReplyLink(msg.event_id, msg.explicit_reply, "explicit", 1.0)
        else:
            model = self.model
            ctx = message_context(state, current, msg.text)
            scores = window_scores(
                ctx, model.layout, model._crossed, model.crossed_weight, model.mine_weights(current.kinds)
            )
            scores.append(sum(map(model.weights.get, alone_features(ctx), repeat(0.0))))
            best, confidence = _choose(scores)
            parent = NO_PARENT
            if best < len(ctx.window):
                chosen = ctx.window[best]
                parent = chosen.index
                rule = _rule(model, candidate_at(ctx, best + 1).all_features())
                link = ReplyLink(msg.event_id, chosen.key, rule, round(confidence, 4))
        state.add(current, parent)
        return link


def infer_replies(
    messages: Iterable[ReplyInput | tuple],
    *,
    model: ReplyModel | None = None,
    max_gap: timedelta = MAX_GAP,
) -> Iterator[ReplyLink]:
    """Reply links for an ordered stream of messages (groups may be interleaved).

    Items are :class:`ReplyInput` or tuples in its field order ``(event_id, group_id, ts,
    member, text, explicit_reply)``. Yields a link for every message with an explicit reply
    (rule ``explicit``) and for every message whose most likely parent is an earlier message
    rather than none. Memory holds a window per group, not the stream.
    """
    inference = ReplyInference(model=model, max_gap=max_gap)
    for item in messages:
        link = inference.feed(item if isinstance(item, ReplyInput) else ReplyInput(*item))
        if link is not None:
            yield link


def build_reply_links(store: Any, community: str | None = None, **kwargs: Any) -> int:
    """Rebuild the ``reply_links`` table of a community (or of all); the number of links.

    See :func:`shequn.classify._replies_table.build_reply_links`.
    """
    from shequn.classify._replies_table import build_reply_links as build

    return build(store, community, **kwargs)
