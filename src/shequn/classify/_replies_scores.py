"""The scores of a message's candidate parents, weighed straight from the window.

:func:`~._replies_features.candidate_features` names every feature of every candidate,
which training and explanations need; inference only needs each candidate's score (the sum
of its features' weights) and, for the one chosen, its features by name. :func:`window_scores`
adds the weights as it goes instead of naming features: no lists of names, no per-candidate
objects, the weights in local variables. What it adds, and in which order, is exactly what
the named features would add (so the sums are equal to the last bit, and so are the choices
between equal scores): a test compares both on every candidate of a chat.

:class:`Weights` holds a model's weights in the layout this needs, built once per model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from shequn.classify._replies_features import _COARSE, _CROSSED, _DISTANCE, NO_PARENT, MessageContext

__all__ = ["FLAT", "RELATIONS", "Weights", "window_scores"]

#: The relations a candidate's author can have to this message's (see ``_relation`` in ``_replies_features``).
RELATIONS: Final = ("same", "addr", "other", "tome", "partner", "ment", "none")

#: The features weighed by name, in the order :class:`Weights` unpacks them.
FLAT: Final = (
    "t0",
    "t1",
    "t3",
    "t10",
    "tinf",
    "same_same_addr",
    "same_diff_addr",
    "same_last_had_addr",
    "dyn_c_replied_me",
    "dyn_c_replied_my_last",
    "dyn_thread_has_me",
    "dyn_thread_has_addr",
    "dyn_same_thread",
    "dyn_same_thread_same",
    "partner",
    "partner_last",
    "partner_noaddr",
    "partner_last_noaddr",
    "same",
    "same_last",
    "same_noaddr",
    "same_last_noaddr",
    "addr_auth",
    "addr_auth_rank0",
    "addr_auth_rank1",
    "addr_auth_rank2",
    "addr_auth_and_back",
    "addr_auth_q",
    "addr_other",
    "ment_auth",
    "c_addr_me",
    "c_addr_me_last",
    "c_addr_me_noaddr",
    "c_addr_other",
    "c_q",
    "c_q_unans",
    "c_q_noaddr",
    "c_first_of_spk",
    "ov1",
    "ov2",
    "idf4",
    "idf8",
    "bot_cmd",
    "bot_cmd_last",
    "ack_c_addr_me",
    "ack_d1",
    "ack_same",
    "ack_q",
    "yes_no_to_q",
    "instruction_to_how",
    "same_instructs",
    "c_bot",
    "auth_last",
)


class Weights:
    """A model's weights laid out for :func:`window_scores`.

    ``flat``: the weights of :data:`FLAT`, in its order; ``distance[d]``: the weight of the
    distance feature of a candidate ``d`` messages back; ``at[name][d]``: the weight of
    ``name@<distance bucket of d>`` for each feature crossed with the distance.
    """

    def __init__(self, weights: Mapping[str, float], window: int) -> None:
        get = weights.get
        self.flat = tuple(get(name, 0.0) for name in FLAT)
        longest = max(window, 1000)
        buckets = [_DISTANCE[d] if d <= 1000 else "d50" for d in range(longest + 1)]
        self.distance = [get(b, 0.0) for b in buckets]
        self.at = {name: [get(f"{name}@{b}", 0.0) for b in buckets] for name in _CROSSED}


def window_scores(
    ctx: MessageContext,
    weights: Weights,
    crossed: dict[tuple, float],
    weigh_crossed: Callable[[tuple[str, str, tuple[str, ...], int]], float],
    mines: Mapping[str, float],
) -> list[float]:
    """The score of each window candidate of ``ctx``, most recent first.

    ``crossed[(relation, coarse distance, candidate kinds, links)]`` is the weight of a
    candidate's crossed features (``rel_*|…`` and ``c_*``), ``links`` saying what the links
    decided so far add to its kinds (+1 ``start``, +2 ``answered``, +4 ``answered_by_me``);
    ``weigh_crossed(key)`` works out (and caches) one not there yet: few combinations occur.
    ``mines[relation]`` is the weight of the relation crossed with this message's kinds.
    """
    (
        w_t0, w_t1, w_t3, w_t10, w_tinf, w_same_same_addr, w_same_diff_addr, w_same_last_had_addr,
        w_dyn_c_replied_me, w_dyn_c_replied_my_last, w_dyn_thread_has_me, w_dyn_thread_has_addr, w_dyn_same_thread,
        w_dyn_same_thread_same, w_partner, w_partner_last, w_partner_noaddr, w_partner_last_noaddr, w_same,
        w_same_last, w_same_noaddr, w_same_last_noaddr, w_addr_auth, w_addr_auth_rank0, w_addr_auth_rank1,
        w_addr_auth_rank2, w_addr_auth_and_back, w_addr_auth_q, w_addr_other, w_ment_auth, w_c_addr_me,
        w_c_addr_me_last, w_c_addr_me_noaddr, w_c_addr_other, w_c_q, w_c_q_unans, w_c_q_noaddr, w_c_first_of_spk,
        w_ov1, w_ov2, w_idf4, w_idf8, w_bot_cmd, w_bot_cmd_last, w_ack_c_addr_me, w_ack_d1, w_ack_same, w_ack_q,
        w_yes_no_to_q, w_instruction_to_how, w_same_instructs, w_c_bot, w_auth_last,
    ) = weights.flat  # fmt: skip
    distance = weights.distance
    at = weights.at
    at_rank0, at_same_last_noaddr, at_addr_me_last = at["addr_auth_rank0"], at["same_last_noaddr"], at["c_addr_me_last"]
    at_partner_last_noaddr, at_q_unans, at_ov1 = at["partner_last_noaddr"], at["c_q_unans"], at["ov1"]
    at_ack_d1 = at["ack_d1"][1]
    current = ctx.current
    me, addr, is_bot, partners, mentioned = ctx.me, ctx.addr, ctx.is_bot, ctx.partners, ctx.mentioned
    noaddr = addr is None
    tokens, rarity, speakers, children = current.tokens, ctx.rarity, ctx.speakers, ctx.children
    speakers_of_thread = ctx.thread_speakers.get
    my_last = ctx.my_last
    my_thread = my_last.thread if my_last is not None else None
    my_last_index = my_last.index if my_last is not None else None
    ack, yes_no, instructs = current.ack, current.yes_no, current.instructs
    now = current.ts

    scores: list[float] = []
    by_speaker: dict[str, int] = {}
    addressed_since: set[str] = set()  # speakers addressed by messages newer than the candidate
    addressed_me_before = command_before = False
    for d, c in enumerate(ctx.window, 1):
        speaker, addressee, question = c.speaker, c.addressee, c.question
        n = by_speaker.get(speaker, 0)
        by_speaker[speaker] = n + 1
        late: list[float] = []  # features crossed with the distance come last, as when named
        gap = now - c.ts
        s = distance[d]
        s += w_t0 if gap <= 0 else w_t1 if gap <= 60 else w_t3 if gap <= 180 else w_t10 if gap <= 600 else w_tinf
        thread_speakers = speakers_of_thread(c.thread, ())
        if speaker == me:
            relation = "same"
            if noaddr:
                if addressee is not None and n == 0:
                    s += w_same_last_had_addr
            else:
                if addressee == addr:
                    s += w_same_same_addr
                if addressee is not None and addressee != addr:
                    s += w_same_diff_addr
                if speaker != addr and addr in thread_speakers:
                    s += w_dyn_thread_has_addr
            if c.thread == my_thread:
                s += w_dyn_same_thread
                s += w_dyn_same_thread_same
            s += w_same
            if n == 0:
                s += w_same_last
            if noaddr:
                s += w_same_noaddr
                if n == 0:
                    s += w_same_last_noaddr
                    late.append(at_same_last_noaddr[d])
            elif speaker == addr:
                s += w_addr_auth
                if n == 0:
                    s += w_addr_auth_rank0
                    late.append(at_rank0[d])
                else:
                    s += w_addr_auth_rank1 if n == 1 else w_addr_auth_rank2
                if addressee == me:
                    s += w_addr_auth_and_back
                if question:
                    s += w_addr_auth_q
        else:
            if c.parent_speaker == me:
                s += w_dyn_c_replied_me
                if c.parent == my_last_index:
                    s += w_dyn_c_replied_my_last
            if me in thread_speakers:
                s += w_dyn_thread_has_me
            if not noaddr and speaker != addr and addr in thread_speakers:
                s += w_dyn_thread_has_addr
            if c.thread == my_thread:
                s += w_dyn_same_thread
            partner = speaker in partners
            if partner:
                s += w_partner
                if n == 0:
                    s += w_partner_last
                if noaddr:
                    s += w_partner_noaddr
                    if n == 0:
                        s += w_partner_last_noaddr
                        late.append(at_partner_last_noaddr[d])
            if noaddr:
                if speaker in mentioned:
                    s += w_ment_auth
                    relation = "tome" if addressee == me else "partner" if partner else "ment"
                else:
                    relation = "tome" if addressee == me else "partner" if partner else "none"
            elif speaker == addr:
                relation = "addr"
                s += w_addr_auth
                if n == 0:
                    s += w_addr_auth_rank0
                    late.append(at_rank0[d])
                else:
                    s += w_addr_auth_rank1 if n == 1 else w_addr_auth_rank2
                if addressee == me:
                    s += w_addr_auth_and_back
                if question:
                    s += w_addr_auth_q
            else:
                relation = "other"
                s += w_addr_other
            if addressee == me:
                s += w_c_addr_me
                if not addressed_me_before:
                    s += w_c_addr_me_last
                    late.append(at_addr_me_last[d])
                    addressed_me_before = True
                if noaddr:
                    s += w_c_addr_me_noaddr
            elif addressee is not None:
                s += w_c_addr_other
            if question:
                s += w_c_q
                if speaker not in addressed_since:
                    s += w_c_q_unans
                    late.append(at_q_unans[d])
                if noaddr:
                    s += w_c_q_noaddr
            if n + 1 == speakers[speaker]:
                s += w_c_first_of_spk
        if not tokens.isdisjoint(c.tokens):
            shared = c.tokens & tokens
            s += w_ov1
            late.append(at_ov1[d])
            if len(shared) >= 2:
                s += w_ov2
            weight = sum(rarity[w] for w in shared)
            if weight > 4:
                s += w_idf4
            if weight > 8:
                s += w_idf8
        if is_bot and c.command:
            s += w_bot_cmd
            if not command_before:
                s += w_bot_cmd_last
        same = relation == "same"
        if ack:
            if addressee == me:
                s += w_ack_c_addr_me
            if d == 1:
                s += w_ack_d1
                late.append(at_ack_d1)
            if same:
                s += w_ack_same
            elif question:
                s += w_ack_q
        if same:
            if instructs and c.instructs:
                s += w_same_instructs
        elif question:
            if yes_no:
                s += w_yes_no_to_q
            if instructs and c.asks_how:
                s += w_instruction_to_how
        if c.bot and not is_bot:
            s += w_c_bot
        if n == 0 and not same:
            s += w_auth_last
        for extra in late:
            s += extra
        links = 1 if c.parent == NO_PARENT else 0
        answered_by = children.get(c.index)
        if answered_by:
            links += 6 if me in answered_by else 2
        key = (relation, _COARSE[d] if d <= 1000 else "dx", c.kinds, links)
        part = crossed.get(key)
        if part is None:
            part = weigh_crossed(key)
        s += part + mines[relation]
        scores.append(s)
        if addressee:
            addressed_since.add(addressee)
        if c.command:
            command_before = True
    return scores
