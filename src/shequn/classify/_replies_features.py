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


@dataclass
class GroupState:
    """What reply inference remembers of one group while reading it."""

    window: int = WINDOW
    recent: deque[Seen] = field(default_factory=deque)
    names: dict[str, int] = field(default_factory=dict)  # lower-case name -> index last seen
    by_index: dict[int, Seen] = field(default_factory=dict)  # the window's messages by index
    words: Counter[str] = field(default_factory=Counter)
    thread_speakers: dict[int, set[str]] = field(default_factory=dict)  # thread -> who wrote in it
    count: int = 0

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
        names = {s.speaker for s in self.recent if len(s.speaker) > 2 and s.speaker != speaker}
        if not names:
            return set()
        tokens = {t.lower().rstrip(".") for t in _NAME_TOKEN.findall(text)}
        found = names & tokens
        if "@" in text:  # names with spaces: "thanks @Alice Smith"
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
        while len(self.recent) > self.window:
            gone = self.recent.pop()
            del self.by_index[gone.index]
            if not any(s.thread == gone.thread for s in self.recent):
                self.thread_speakers.pop(gone.thread, None)
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


def candidate_features(state: GroupState, current: Seen, text: str | None) -> list[Candidate]:
    """Every candidate parent of ``current`` (most recent first, "no parent" last) with features."""
    me = current.speaker
    addr = current.addressee
    window = list(state.recent)
    mentioned = state.mentioned(text or "", me) if addr is None else set()
    documents = state.count + 1
    rarity = {w: math.log(documents / (state.words.get(w, 0) + 1)) for w in current.tokens}
    is_bot = _is_bot(me)
    my_last = next((s for s in window if s.speaker == me), None)
    partners: set[str] = set()
    for s in window:
        if s.speaker == me and s.addressee:
            partners.add(s.addressee)
        if s.addressee == me:
            partners.add(s.speaker)
    first_of_speaker: set[int] = set()
    seen_speakers: set[str] = set()
    for s in reversed(window):  # oldest first
        if s.speaker not in seen_speakers:
            seen_speakers.add(s.speaker)
            first_of_speaker.add(s.index)

    mine = current.kinds
    children: dict[int, set[str]] = {}  # who answered each message of the window, by its index
    for s in window:
        if s.parent != NO_PARENT:
            children.setdefault(s.parent, set()).add(s.speaker)

    out: list[Candidate] = []
    by_speaker: dict[str, int] = {}
    addressed_since: set[str] = set()  # speakers addressed by messages newer than the candidate
    partner_seen: set[str] = set()
    own_seen = 0
    addressed_me_seen = 0
    command_seen = False
    now = current.ts
    speakers_of_thread = state.thread_speakers.get
    for d, c in enumerate(window, 1):
        speaker, addressee, question = c.speaker, c.addressee, c.question
        gap = now - c.ts  # seconds: minutes bucket t0 (same minute), t1, t3, t10, tinf
        f = [
            _DISTANCE[d] if d <= 1000 else "d50",
            "t0" if gap <= 0 else "t1" if gap <= 60 else "t3" if gap <= 180 else "t10" if gap <= 600 else "tinf",
        ]
        n = by_speaker.get(speaker, 0)
        by_speaker[speaker] = n + 1
        same = speaker == me
        if same:
            if addr is not None and addressee == addr:
                f.append("same_same_addr")
            if addr is not None and addressee is not None and addressee != addr:
                f.append("same_diff_addr")
            if addr is None and addressee is not None and own_seen == 0:
                f.append("same_last_had_addr")
        elif c.parent_speaker == me:
            f.append("dyn_c_replied_me")
            if my_last is not None and c.parent == my_last.index:
                f.append("dyn_c_replied_my_last")
        thread_speakers = speakers_of_thread(c.thread, ())
        if not same and me in thread_speakers:
            f.append("dyn_thread_has_me")
        if addr is not None and speaker != addr and addr in thread_speakers:
            f.append("dyn_thread_has_addr")
        if my_last is not None and c.thread == my_last.thread:
            f.append("dyn_same_thread")
            if same:
                f.append("dyn_same_thread_same")
        if not same and speaker in partners:
            f.append("partner")
            if speaker not in partner_seen:
                f.append("partner_last")
            if addr is None:
                f.append("partner_noaddr")
                if speaker not in partner_seen:
                    f.append("partner_last_noaddr")
            partner_seen.add(speaker)
        if same:
            f.append("same")
            if own_seen == 0:
                f.append("same_last")
            if addr is None:
                f.append("same_noaddr")
                if own_seen == 0:
                    f.append("same_last_noaddr")
            own_seen += 1
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
            if addressed_me_seen == 0:
                f.append("c_addr_me_last")
            addressed_me_seen += 1
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
        if not same and c.index in first_of_speaker:
            f.append("c_first_of_spk")
        shared = c.tokens & current.tokens
        if shared:
            f.append("ov1")
            if len(shared) >= 2:
                f.append("ov2")
            weight = sum(rarity[w] for w in shared)
            if weight > 4:
                f.append("idf4")
            if weight > 8:
                f.append("idf8")
        if is_bot and c.command:
            f.append("bot_cmd")
            if not command_seen:
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
        if c.bot and not is_bot:
            f.append("c_bot")
        if n == 0 and not same:
            f.append("auth_last")
        if not _CROSSED.isdisjoint(f):
            f += [f"{name}@{f[0]}" for name in _CROSSED.intersection(f)]
        kinds = c.kinds
        if c.parent == NO_PARENT:
            kinds += ("start",)
        answered_by = children.get(c.index)
        if answered_by:
            kinds += ("answered", "answered_by_me") if me in answered_by else ("answered",)
        # Who the candidate's author is to this author, in one word, for the crossed features.
        if same:
            relation = "same"
        elif addr is not None:
            relation = "addr" if speaker == addr else "other"
        elif addressee == me:
            relation = "tome"
        else:
            relation = "partner" if speaker in partners else "ment" if speaker in mentioned else "none"
        out.append(Candidate(c, f, relation, _COARSE[d] if d <= 1000 else "dx", kinds, mine))
        if c.addressee:
            addressed_since.add(c.addressee)
        command_seen = command_seen or c.command
    alone = ["self", *(f"rel_self|m_{k}" for k in mine)]
    if current.command:
        alone.append("self_bang")
    if current.ack:
        alone.append("self_ack")
    if is_bot:
        alone.append("self_bot")
    if addr is None:
        alone.append("self_noaddr")
    if current.question:
        alone.append("self_q")
    if me not in {s.speaker for s in window}:
        alone.append("self_new")
    if not window:
        alone.append("self_first")
    if text and _GREETING.match(text.lower()):
        alone.append("self_greet")
    out.append(Candidate(None, alone))
    return out
