"""What reply inference knows about a chat as it reads it, and the features of each candidate.

For each message, the candidates are the group's last ``window`` messages (most recent
first) and "no parent" (the message starts a conversation). Each candidate gets binary
features named after what a person reading the chat would notice:

- where it is: ``d1`` … ``d50`` (messages back), ``t0`` … ``tinf`` (minutes back);
- who wrote it: ``same`` (the message's own author), ``addr_auth`` (the person the message
  addresses with ``nick:`` or ``@name``; ``addr_auth_rank0`` for that person's latest
  message), ``ment_auth`` (named elsewhere in the text), ``partner`` (someone the author
  has been talking with), ``addr_other`` (the message addresses someone else);
- what it said: ``c_addr_me`` (it addressed this message's author), ``c_q`` (it asked
  something; ``c_q_unans`` if nobody has addressed its author since), ``ov1``/``idf8``
  (words in common, rare words in common);
- what this message is: ``ack_*`` (a short acknowledgement such as ``thanks``/``ok``),
  ``yes_no_to_q`` (a yes/no after a question), ``instruction_to_how`` (a command or path
  after a how/what question), ``self_*`` features of the no-parent candidate (a greeting, a
  question from someone new);
- ``dyn_*``: what earlier links say (the candidate answered this author; it is in the
  thread of this author's last message), from the links already decided;
- ``<feature>@<distance>``: a few relations again, crossed with the distance bucket, since
  "the addressee's latest message" weighs more one line up than forty;
- ``rel_<relation>|…`` and ``c_<kind>``: who the candidate's author is to this author in one
  word (``same``, ``addr``, ``other``, ``tome``, ``partner``, ``ment``, ``none``) crossed with
  the candidate's kind (length bucket ``len1`` … ``len7``, ``q``, ``ack``, ``instr``,
  ``addrd``, ``url``, ``cmd``, and from the links decided so far ``start``, ``answered``,
  ``answered_by_me``), with this message's kind, and with a coarse distance: a one-word line
  of one's own is often continued, someone else's seldom answered. :class:`Candidate` keeps
  these as parts, which inference weighs with two look-ups.

:class:`GroupState` keeps per group only the window, the names seen in the last
``NAME_MEMORY`` messages and word counts for rarity (pruned when large), so memory does not
grow with the length of the chat.
"""

from __future__ import annotations

import math
import re
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from shequn.classify._questions_features import prepare
from shequn.classify._questions_rules import rules_say_question

__all__ = ["NO_PARENT", "Candidate", "GroupState", "Seen", "candidate_features"]

#: How many earlier messages are candidates: 98% of the gold parents in the IRC
#: disentanglement data are within 50 messages.
WINDOW: Final = 50
#: Names seen this many messages back can still be addressed (``nick:`` after a long pause).
NAME_MEMORY: Final = 300
#: Word counts for rarity are pruned of single occurrences beyond this many words.
_MAX_VOCABULARY: Final = 200_000
NO_PARENT: Final = -1

_ADDRESS: Final = re.compile(r"^\s*@?([^\s:,>]{1,40})\s*(?::|,|>|\s-\s)")
_BOT_COMMAND_TARGET: Final = re.compile(r"^\s*!\S+\s*[|>]\s*(\S+)")
_WORD: Final = re.compile(r"[a-z0-9][a-z0-9_\-.']+|[\u3400-\u9fff]")
_NAME_TOKEN: Final = re.compile(r"@?([^\s,:;!?()\"']+)")
_STOP: Final = frozenset(
    [
        "the",
        "a",
        "an",
        "to",
        "is",
        "it",
        "i",
        "you",
        "and",
        "of",
        "in",
        "on",
        "for",
        "that",
        "this",
        "with",
        "be",
        "can",
        "have",
        "do",
        "not",
        "are",
        "was",
        "my",
        "your",
        "me",
        "what",
        "how",
        "if",
        "or",
        "at",
        "as",
        "so",
        "but",
        "just",
        "it's",
        "i'm",
        "there",
        "use",
        "get",
    ]
)
_ACK: Final = re.compile(
    r"^\W*(?:thanks?|thx|ty|thank you|ok(?:ay)?|k|yes|yeah|yep|yup|no|nope|lol|heh|hehe|haha|cool|great|nice|right|"
    r"ah+|oh+|hmm+|sure|sorry|np|i see|works?|it works|done|excellent|awesome|谢谢|多谢|好的|好|收到|嗯+|哦+|"
    r"明白|懂了|可以|行|对|是的|哈哈+)(?:\b|$|\W)",
    re.IGNORECASE,
)
_GREETING: Final = re.compile(
    r"^(?:hi|hello|hey|hiya|good (?:morning|evening|afternoon)|大家好|各位好|早上好|早安|晚上好)\b"
)
_YES_NO: Final = re.compile(
    r"^\W*(?:yes|no|yeah|yep|yup|nope|nah|sure|correct|right|indeed|对|是的|不是|没有|有的|可以|不行|不用)\b"
)
_ASKS_HOW: Final = re.compile(r"\b(?:how|what|where|which)\b|怎么|如何|哪|什么")
_INSTRUCTS: Final = re.compile(r"\bsudo\b|\bapt(?:-get)?\b|/\w|https?://|\w+\.(?:conf|list|deb|sh|py)\b|`|\b--?\w")
_URL: Final = re.compile(r"https?://|www\.")
_KNOWN_BOTS: Final = frozenset({"ubotu", "ubottu", "ubot2", "ubot5", "chanserv", "nickserv", "meetingology"})


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _tokens(text: str) -> frozenset[str]:
    return frozenset(_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP and (len(w) > 1 or w > "\u3400"))


def _named_at(lower: str, start: int, names: Iterable[str]) -> str | None:
    """The longest of ``names`` written at ``start`` of ``lower`` and followed by no letter or digit."""
    best = None
    for name in names:
        end = start + len(name)
        at_boundary = end >= len(lower) or not lower[end].isalnum()
        if name and lower.startswith(name, start) and at_boundary and (best is None or len(name) > len(best)):
            best = name
    return best


def _is_bot(name: str) -> bool:
    return name in _KNOWN_BOTS or name.endswith("bot")


#: Upper ends of the length buckets, in words: a one-word line is rarely answered, a long
#: description of a problem often is.
_LENGTHS: Final = (1, 2, 4, 8, 15, 30)


def _kinds(seen: Seen, body: str) -> tuple[str, ...]:
    """What kind of message ``seen`` is (its length bucket, a question…), for the crossed features."""
    words = len(body.split())
    kinds = [f"len{next((i for i, top in enumerate(_LENGTHS, 1) if words <= top), len(_LENGTHS) + 1)}"]
    for flag, name in (
        (seen.question, "q"),
        (seen.ack, "ack"),
        (seen.instructs, "instr"),
        (seen.addressee is not None, "addrd"),
        (_URL.search(body) is not None, "url"),
        (seen.command, "cmd"),
    ):
        if flag:
            kinds.append(name)
    return tuple(kinds)


@dataclass(slots=True)
class Seen:
    """One message as the window remembers it."""

    index: int  # position in the group's message stream
    key: object  # the caller's id for it
    ts: float  # seconds
    speaker: str  # lower-case name
    addressee: str | None  # lower-case name it addresses, if any
    tokens: frozenset[str]
    question: bool
    command: bool  # starts with "!" (an IRC bot command)
    bot: bool  # its author looks like a bot
    ack: bool
    yes_no: bool = False  # starts with yes / no / yeah / 对 / 是的… (an answer to a yes/no question)
    asks_how: bool = False  # a question about how / what / where / which (wants an instruction)
    instructs: bool = False  # has a command, a path, a link or a package-like token
    kinds: tuple[str, ...] = ()  # what kind of message it is, for the crossed features (see _kinds)
    parent: int = NO_PARENT  # index of the decided parent, or NO_PARENT
    parent_speaker: str | None = None  # who wrote the parent
    thread: int = -1  # index of the first message of its thread


@dataclass(slots=True)
class Candidate:
    """A possible parent (``seen``; None for "no parent") and its features.

    ``features`` are the candidate's own features; the crossed ones (``rel_*``, ``c_*``) are
    kept as their parts (``relation``, ``distance``, ``kinds``, this message's ``mine``), since
    inference weighs them from those parts (:meth:`ReplyModel.scores
    <shequn.classify.replies.ReplyModel.scores>`), and spelled out by :meth:`all_features`.
    """

    seen: Seen | None
    features: list[str]
    relation: str = ""  # same, addr, other, tome, partner, ment or none; "" for "no parent"
    distance: str = ""  # coarse distance bucket (d1, d2, d4, dx)
    kinds: tuple[str, ...] = ()  # the candidate's kinds, with what the links decided so far add
    mine: tuple[str, ...] = ()  # this message's kinds

    def all_features(self) -> list[str]:
        """Every feature by name, the crossed ones spelled out (for training and explanations)."""
        if not self.relation:
            return self.features
        rel = f"rel_{self.relation}"
        return [
            *self.features,
            *(f"{rel}|c_{k}" for k in self.kinds),
            *(f"{rel}|m_{k}" for k in self.mine),
            f"{rel}|{self.distance}",
            *(f"c_{k}" for k in self.kinds),
        ]


def _count(counts: dict, key: object) -> None:
    counts[key] = counts.get(key, 0) + 1


def _uncount(counts: dict, key: object) -> None:
    left = counts[key] - 1
    if left:
        counts[key] = left
    else:
        del counts[key]


def _uncount_in(tallies: dict, outer: object, key: object) -> None:
    counts = tallies[outer]
    _uncount(counts, key)
    if not counts:
        del tallies[outer]


@dataclass
class GroupState:
    """What reply inference remembers of one group while reading it.

    Besides the window itself, it keeps tallies of the window (who wrote how many of its
    messages, who addressed whom, who answered which message) up to date as messages enter
    and leave, so that what every candidate of a message shares is looked up, not counted
    over the window again for each message.
    """

    window: int = WINDOW
    recent: deque[Seen] = field(default_factory=deque)
    names: dict[str, int] = field(default_factory=dict)  # lower-case name -> index last seen
    by_index: dict[int, Seen] = field(default_factory=dict)  # the window's messages by index
    words: Counter[str] = field(default_factory=Counter)
    thread_speakers: dict[int, set[str]] = field(default_factory=dict)  # thread -> who wrote in it
    count: int = 0
    #: speaker -> how many of the window's messages are theirs
    speakers: dict[str, int] = field(default_factory=dict)
    #: speaker -> index of their latest message in the window
    latest: dict[str, int] = field(default_factory=dict)
    #: speaker -> {name they addressed: how many times} over the window
    addressed_by: dict[str, dict[str, int]] = field(default_factory=dict)
    #: addressee -> {speaker who addressed them: how many times} over the window
    addressers: dict[str | None, dict[str, int]] = field(default_factory=dict)
    #: message index -> {speaker of a window message answering it: how many}
    children: dict[int, dict[str, int]] = field(default_factory=dict)
    #: thread -> how many of the window's messages are in it
    thread_sizes: dict[int, int] = field(default_factory=dict)

    def read(self, key: object, ts: float, member: str | None, text: str | None) -> Seen:
        """The message as the window will remember it (not yet added: see :meth:`add`)."""
        body = text or ""
        speaker = (member or "").strip().lower()
        addressee = self._addressee(body, speaker)
        address = _ADDRESS.match(body) if addressee else None
        stripped = body[address.end() :] if address else body  # what is said, without "nick:"
        question = bool(body) and rules_say_question(prepare(body).rules)
        lower = stripped.lower()
        seen = Seen(
            index=self.count,
            key=key,
            ts=ts,
            speaker=speaker,
            addressee=addressee,
            tokens=_tokens(body),
            question=question,
            command=body.lstrip().startswith("!"),
            bot=_is_bot(speaker),
            ack=bool(_ACK.match(stripped)) or len(stripped.split()) <= 2,
            yes_no=bool(_YES_NO.match(lower)),
            asks_how=question and bool(_ASKS_HOW.search(lower)),
            instructs=bool(_INSTRUCTS.search(body)),
        )
        seen.kinds = _kinds(seen, body)
        return seen

    def _addressee(self, text: str, speaker: str) -> str | None:
        oldest = self.count - NAME_MEMORY
        lower = text.lower().lstrip()
        if lower.startswith("@"):  # WhatsApp, WeChat, QQ: "@Alice Smith …", "@张三\u2005…"
            named = _named_at(lower, 1, (n for n, i in self.names.items() if i >= oldest and n != speaker))
            if named is not None:
                return named
        found = _BOT_COMMAND_TARGET.match(text) or _ADDRESS.match(text)
        if found is not None:
            name = found.group(1).lower().rstrip(":,.")
            if self.names.get(name, -1) >= oldest:
                return name
            if len(name) >= 3:
                matches = [n for n, i in self.names.items() if i >= oldest and n.startswith(name)]
                if len(matches) == 1:
                    return matches[0]
            return None
        first = text.split(None, 1)[0].lower().rstrip(":,") if text.strip() else ""
        recent = self.count - self.window
        if first and first != speaker and self.names.get(first, recent - 1) >= recent:  # a name, not any word
            return first
        return None

    def mentioned(self, text: str, speaker: str) -> set[str]:
        """Names of the window's speakers that the text names anywhere (not only at its start)."""
        speakers = self.speakers
        found = {
            t
            for t in {t.lower().rstrip(".") for t in _NAME_TOKEN.findall(text)}
            if t in speakers and len(t) > 2 and t != speaker
        }
        if "@" in text:  # names with spaces: "thanks @Alice Smith"
            names = [n for n in speakers if len(n) > 2 and n != speaker]
            lower = text.lower()
            at = lower.find("@")
            while at >= 0:
                named = _named_at(lower, at + 1, names)
                if named is not None:
                    found.add(named)
                at = lower.find("@", at + 1)
        return found

    def add(self, seen: Seen, parent: int) -> None:
        """Remember the message and the parent decided for it (``NO_PARENT`` for none)."""
        seen.parent = parent
        parent_seen = self.by_index.get(parent)
        if parent_seen is not None and parent != seen.index:
            seen.thread = parent_seen.thread
            seen.parent_speaker = parent_seen.speaker
        else:
            seen.thread = seen.index
        self.recent.appendleft(seen)
        self.by_index[seen.index] = seen
        self.thread_speakers.setdefault(seen.thread, set()).add(seen.speaker)
        self._tally(seen)
        while len(self.recent) > self.window:
            self._drop_oldest()
        if seen.speaker:
            self.names[seen.speaker] = seen.index
        for word in seen.tokens:
            self.words[word] += 1
        if len(self.words) > _MAX_VOCABULARY:
            self.words = Counter({w: n for w, n in self.words.items() if n > 1})
        self.count += 1
        if len(self.names) > 4 * NAME_MEMORY and self.count % NAME_MEMORY == 0:
            oldest = self.count - NAME_MEMORY
            self.names = {n: i for n, i in self.names.items() if i >= oldest}

    def forget_before(self, now: float, gap: float) -> None:
        """Drop the window's messages written more than ``gap`` seconds before ``now`` (none answers them)."""
        while self.recent and now - self.recent[-1].ts > gap:
            self._drop_oldest()

    def _tally(self, seen: Seen) -> None:
        speaker = seen.speaker
        _count(self.speakers, speaker)
        self.latest[speaker] = seen.index
        if seen.addressee:
            _count(self.addressed_by.setdefault(speaker, {}), seen.addressee)
        if seen.addressee is not None:
            _count(self.addressers.setdefault(seen.addressee, {}), speaker)
        if seen.parent != NO_PARENT:
            _count(self.children.setdefault(seen.parent, {}), speaker)
        _count(self.thread_sizes, seen.thread)

    def _drop_oldest(self) -> None:
        gone = self.recent.pop()
        del self.by_index[gone.index]
        speaker = gone.speaker
        _uncount(self.speakers, speaker)
        if self.latest.get(speaker) == gone.index:
            del self.latest[speaker]
        if gone.addressee:
            _uncount_in(self.addressed_by, speaker, gone.addressee)
        if gone.addressee is not None:
            _uncount_in(self.addressers, gone.addressee, speaker)
        if gone.parent != NO_PARENT:
            _uncount_in(self.children, gone.parent, speaker)
        _uncount(self.thread_sizes, gone.thread)
        if gone.thread not in self.thread_sizes:
            self.thread_speakers.pop(gone.thread, None)


#: Relations whose weight depends on how far back the candidate is: each also gets a
#: feature crossed with the distance bucket (``same_last@d1``).
_CROSSED: Final = frozenset(
    {"addr_auth_rank0", "same_last_noaddr", "c_addr_me_last", "partner_last_noaddr", "c_q_unans", "ack_d1", "ov1"}
)


def _distance_bucket(d: int) -> str:
    for limit, name in ((1, "d1"), (2, "d2"), (3, "d3"), (5, "d5"), (10, "d10"), (20, "d20")):
        if d <= limit:
            return name
    return "d50"


_DISTANCE: Final = ("", *(_distance_bucket(d) for d in range(1, 1001)))
#: Coarser distance buckets for the crossed features: 1, 2-3, 4-10, further.
_COARSE: Final = ("", *("d1" if d == 1 else "d2" if d <= 3 else "d4" if d <= 10 else "dx" for d in range(1, 1001)))


@dataclass(slots=True)
class MessageContext:
    """What every candidate of one message shares: who writes, to whom, and the window's tallies."""

    current: Seen
    text: str
    window: list[Seen]  # most recent first
    me: str
    addr: str | None
    is_bot: bool
    my_last: Seen | None  # this author's latest message in the window
    partners: set[str]  # whom this author addressed, and who addressed this author, in the window
    mentioned: set[str]  # window speakers named in the text (only when it addresses nobody)
    rarity: dict[str, float]  # this message's words -> log inverse frequency
    speakers: dict[str, int]  # the window's speakers -> how many of its messages are theirs
    children: dict[int, dict[str, int]]  # message index -> who answered it in the window
    thread_speakers: dict[int, set[str]]


def message_context(state: GroupState, current: Seen, text: str | None) -> MessageContext:
    """The facts of ``current`` and its window that do not depend on the candidate."""
    me = current.speaker
    addr = current.addressee
    documents = state.count + 1
    words = state.words
    partners = set(state.addressed_by.get(me, ()))
    partners.update(state.addressers.get(me, ()))
    return MessageContext(
        current=current,
        text=text or "",
        window=list(state.recent),
        me=me,
        addr=addr,
        is_bot=_is_bot(me),
        my_last=state.by_index.get(state.latest.get(me, NO_PARENT)),
        partners=partners,
        mentioned=state.mentioned(text or "", me) if addr is None else set(),
        rarity={w: math.log(documents / (words.get(w, 0) + 1)) for w in current.tokens},
        speakers=state.speakers,
        children=state.children,
        thread_speakers=state.thread_speakers,
    )


def _named(
    ctx: MessageContext, d: int, n: int, addressed_me_before: bool, addressed_since: set[str], command_before: bool
) -> Candidate:
    """The candidate ``d`` messages back, with its features by name.

    ``n`` is how many of the ``d - 1`` newer window messages its author wrote;
    ``addressed_me_before``: one of them by someone else addressed this author;
    ``addressed_since``: whom they addressed; ``command_before``: one of them is a bot command.
    """
    c = ctx.window[d - 1]
    current, me, addr, mentioned = ctx.current, ctx.me, ctx.addr, ctx.mentioned
    speaker, addressee, question = c.speaker, c.addressee, c.question
    gap = current.ts - c.ts  # seconds: minutes bucket t0 (same minute), t1, t3, t10, tinf
    f = [
        _DISTANCE[d] if d <= 1000 else "d50",
        "t0" if gap <= 0 else "t1" if gap <= 60 else "t3" if gap <= 180 else "t10" if gap <= 600 else "tinf",
    ]
    same = speaker == me
    if same:
        if addr is not None and addressee == addr:
            f.append("same_same_addr")
        if addr is not None and addressee is not None and addressee != addr:
            f.append("same_diff_addr")
        if addr is None and addressee is not None and n == 0:
            f.append("same_last_had_addr")
    elif c.parent_speaker == me:
        f.append("dyn_c_replied_me")
        if ctx.my_last is not None and c.parent == ctx.my_last.index:
            f.append("dyn_c_replied_my_last")
    thread_speakers = ctx.thread_speakers.get(c.thread, ())
    if not same and me in thread_speakers:
        f.append("dyn_thread_has_me")
    if addr is not None and speaker != addr and addr in thread_speakers:
        f.append("dyn_thread_has_addr")
    if ctx.my_last is not None and c.thread == ctx.my_last.thread:
        f.append("dyn_same_thread")
        if same:
            f.append("dyn_same_thread_same")
    if not same and speaker in ctx.partners:  # "last": the partner's latest message
        f.append("partner")
        if n == 0:
            f.append("partner_last")
        if addr is None:
            f.append("partner_noaddr")
            if n == 0:
                f.append("partner_last_noaddr")
    if same:
        f.append("same")
        if n == 0:
            f.append("same_last")
        if addr is None:
            f.append("same_noaddr")
            if n == 0:
                f.append("same_last_noaddr")
    if addr is not None:
        if speaker == addr:
            f += ("addr_auth", f"addr_auth_rank{min(n, 2)}")
            if addressee == me:
                f.append("addr_auth_and_back")
            if question:
                f.append("addr_auth_q")
        elif not same:
            f.append("addr_other")
    elif speaker in mentioned:
        f.append("ment_auth")
    if addressee == me and not same:
        f.append("c_addr_me")
        if not addressed_me_before:
            f.append("c_addr_me_last")
        if addr is None:
            f.append("c_addr_me_noaddr")
    elif addressee is not None and not same:
        f.append("c_addr_other")
    if question and not same:
        f.append("c_q")
        if speaker not in addressed_since:
            f.append("c_q_unans")
        if addr is None:
            f.append("c_q_noaddr")
    if not same and n + 1 == ctx.speakers[speaker]:  # its author's oldest message in the window
        f.append("c_first_of_spk")
    shared = c.tokens & current.tokens
    if shared:
        f.append("ov1")
        if len(shared) >= 2:
            f.append("ov2")
        weight = sum(ctx.rarity[w] for w in shared)
        if weight > 4:
            f.append("idf4")
        if weight > 8:
            f.append("idf8")
    if ctx.is_bot and c.command:
        f.append("bot_cmd")
        if not command_before:
            f.append("bot_cmd_last")
    if current.ack:
        if addressee == me:
            f.append("ack_c_addr_me")
        if d == 1:
            f.append("ack_d1")
        if same:
            f.append("ack_same")
        if question and not same:
            f.append("ack_q")
    if not same and question:
        if current.yes_no:
            f.append("yes_no_to_q")
        if current.instructs and c.asks_how:
            f.append("instruction_to_how")
    if same and current.instructs and c.instructs:
        f.append("same_instructs")
    if c.bot and not ctx.is_bot:
        f.append("c_bot")
    if n == 0 and not same:
        f.append("auth_last")
    f += [f"{name}@{f[0]}" for name in f if name in _CROSSED]
    return Candidate(c, f, _relation(ctx, c), _COARSE[d] if d <= 1000 else "dx", _kinds_now(ctx, c), current.kinds)


def _kinds_now(ctx: MessageContext, c: Seen) -> tuple[str, ...]:
    """The candidate's kinds, with what the links decided so far add (``start``, ``answered``…)."""
    kinds = c.kinds
    if c.parent == NO_PARENT:
        kinds += ("start",)
    answered_by = ctx.children.get(c.index)
    if answered_by:
        kinds += ("answered", "answered_by_me") if ctx.me in answered_by else ("answered",)
    return kinds


def _relation(ctx: MessageContext, c: Seen) -> str:
    """Who the candidate's author is to this author, in one word, for the crossed features."""
    speaker = c.speaker
    if speaker == ctx.me:
        return "same"
    if ctx.addr is not None:
        return "addr" if speaker == ctx.addr else "other"
    if c.addressee == ctx.me:
        return "tome"
    return "partner" if speaker in ctx.partners else "ment" if speaker in ctx.mentioned else "none"


def alone_features(ctx: MessageContext) -> list[str]:
    """The features of the "no parent" candidate: what this message is on its own."""
    current = ctx.current
    alone = ["self", *(f"rel_self|m_{k}" for k in current.kinds)]
    if current.command:
        alone.append("self_bang")
    if current.ack:
        alone.append("self_ack")
    if ctx.is_bot:
        alone.append("self_bot")
    if ctx.addr is None:
        alone.append("self_noaddr")
    if current.question:
        alone.append("self_q")
    if ctx.me not in ctx.speakers:
        alone.append("self_new")
    if not ctx.window:
        alone.append("self_first")
    if ctx.text and _GREETING.match(ctx.text.lower()):
        alone.append("self_greet")
    return alone


def candidate_features(state: GroupState, current: Seen, text: str | None) -> list[Candidate]:
    """Every candidate parent of ``current`` (most recent first, "no parent" last) with features."""
    ctx = message_context(state, current, text)
    out: list[Candidate] = []
    by_speaker: dict[str, int] = {}
    addressed_since: set[str] = set()  # speakers addressed by messages newer than the candidate
    addressed_me_before = command_before = False
    me = ctx.me
    for d, c in enumerate(ctx.window, 1):
        n = by_speaker.get(c.speaker, 0)
        by_speaker[c.speaker] = n + 1
        out.append(_named(ctx, d, n, addressed_me_before, addressed_since, command_before))
        if c.addressee:
            addressed_since.add(c.addressee)
        addressed_me_before = addressed_me_before or (c.addressee == me and c.speaker != me)
        command_before = command_before or c.command
    out.append(Candidate(None, alone_features(ctx)))
    return out


def candidate_at(ctx: MessageContext, d: int) -> Candidate:
    """The candidate ``d`` messages back alone, with its features by name (to explain a choice)."""
    newer = ctx.window[: d - 1]
    speaker, me = ctx.window[d - 1].speaker, ctx.me
    return _named(
        ctx,
        d,
        sum(1 for s in newer if s.speaker == speaker),
        any(s.addressee == me and s.speaker != me for s in newer),
        {s.addressee for s in newer if s.addressee},
        any(s.command for s in newer),
    )
