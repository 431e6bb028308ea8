"""What one IRC log line says, once its timestamp is taken off: the body grammar.

Every logger writes the same few things — a message, a ``/me`` action, a notice, a join, a
part, a quit, a kick, a nick change, a mode or topic change — in its own words and behind
its own marker (``===`` irclogs.ubuntu.com, ``-!-`` irssi, ``***`` ZNC and Limnoria,
WeeChat's ``-->``/``<--``/``--`` column). The sentences are distinct enough that one ordered
list of patterns reads them all (FORMATS.md §12).

Nicks carry no ids, so every reference is a name (scoped to the channel by the store).
Who is actor and target follows :mod:`shequn.model`: the member whose membership changes is
the target; the op who kicks is the actor.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Said", "parse_body", "parse_status", "strip_mode"]


@dataclass(frozen=True, slots=True)
class Said:
    """One line's meaning: an event to build, or (``skip`` set) why the line is left out."""

    kind: str = "message"
    subkind: str | None = "text"
    actor: str | None = None
    target: str | None = None
    text: str | None = None
    attrs: dict | None = None
    skip: str | None = None


_MODE_CHARS = "@+%&~! "


def strip_mode(nick: str) -> str:
    """``@op``/``+voiced``/`` plain`` (irssi, WeeChat) to the nick itself."""
    return nick.lstrip(_MODE_CHARS)


_MESSAGE = re.compile(r"<[@+%&~! ]?([^\s<>]+)>(?:[ \t](.*))?")
_MESSAGE_PADDED = re.compile(r"<([^<>]+)>(?:[ \t](.*))?")
_ACTION = re.compile(r" ?\* (\S+)(?: (.*))?")
_NOTICE = re.compile(r"-([^\s!-]\S*?)(?:\([^)]*\))?-(?: (.*))?")
_STATUS = re.compile(r"(===|-!-|\*\*\*) ?(.*)")


def _message(nick: str, text: str | None, **attrs: object) -> Said:
    """A message, an action or a notice.

    An empty one (``<nick>`` alone: the logger dropped colour codes or blanks) is still a
    message: the member spoke, and line-numbered annotations may point at it.
    """
    text = (text or "").strip()
    if ":#" in nick:  # irssi's channel notice: -nick:#chan-
        nick = nick.split(":#", 1)[0]
    return Said(actor=strip_mode(nick), text=text, attrs=attrs or None)


def _nick_in_brackets(inner: str) -> str | None:
    """The nick of ``<nick>``, or None if the brackets hold something else.

    irclogs.ubuntu.com's early logger put a space after every ``]`` in a nick
    (``<bur[n] er>``, ``<[optik] >``); irssi pads nicks without a mode (``< nick>``).
    """
    nick = strip_mode(inner.replace("] ", "]").rstrip())
    return nick if nick and len(nick.split()) == 1 else None


def parse_body(body: str) -> Said:
    """The meaning of a line's body in the ``[time] body`` layouts."""
    if found := _MESSAGE.fullmatch(body):
        return _message(found[1], found[2])
    if (found := _MESSAGE_PADDED.fullmatch(body)) and (nick := _nick_in_brackets(found[1])):
        return _message(nick, found[2])
    if found := _STATUS.fullmatch(body):
        return parse_status(found[2].rstrip(), ubuntu=found[1] == "===")
    if found := _ACTION.fullmatch(body):
        return _message(found[1], found[2], action=True)
    if found := _NOTICE.fullmatch(body):
        return _message(found[1], found[2], notice=True)
    if not body.strip():
        return Said(skip="empty line")
    return Said(skip="unrecognised line")


# -- status sentences ----------------------------------------------------------------------

_HOST = r"[\[(]\s*(?P<host>[^\])]*?)\s*[\])]"
_Build = Callable[[re.Match[str]], Said]


def _join(m: re.Match[str]) -> Said:
    nick = strip_mode(m["nick"])
    attrs = {"host": m["host"]} if _has(m, "host") else None
    return Said("join", "link", actor=nick, target=nick, attrs=attrs)


def _leave(subkind: str) -> _Build:
    def build(m: re.Match[str]) -> Said:
        nick = strip_mode(m["nick"])
        attrs = {k: m[k] for k in ("host", "reason") if _has(m, k)}
        return Said("leave", subkind, actor=nick, target=nick, attrs=attrs or None)

    return build


def _kick(m: re.Match[str]) -> Said:
    attrs = {"reason": m["reason"]} if _has(m, "reason") else None
    return Said("removal", "admin", actor=strip_mode(m["op"]), target=strip_mode(m["nick"]), attrs=attrs)


def _nick(m: re.Match[str]) -> Said:
    old, new = strip_mode(m["old"]), strip_mode(m["new"])
    return Said("service", "nick", actor=old, target=new, attrs={"old": old, "new": new})


def _mode(m: re.Match[str]) -> Said:
    return Said("service", "mode", actor=strip_mode(m["op"]), attrs={"mode": m["mode"].strip()})


def _topic(m: re.Match[str]) -> Said:
    actor = strip_mode(m["op"]) if _has(m, "op") else None
    return Said("service", "topic", actor=actor, attrs={"topic": m["topic"]})


def _skip(reason: str) -> _Build:
    return lambda m: Said(skip=reason)


def _has(m: re.Match[str], name: str) -> bool:
    return name in m.re.groupindex and m[name] is not None and m[name] != ""


_NICK = r"(?P<nick>\S+)"
_CHAN = r"(?P<chan>[#&!+]\S*)"
_REASON = r"(?:\s+[\[(](?P<reason>.*)[\])])?"

#: Ordered: the first pattern that matches the whole sentence wins.
_SENTENCES: tuple[tuple[re.Pattern[str], _Build], ...] = tuple(
    (re.compile(pattern), build)
    for pattern, build in (
        # irclogs.ubuntu.com / irssi: nick [user@host] has joined #chan
        (rf"{_NICK}\s+{_HOST}\s+has joined {_CHAN}", _join),
        (rf"{_NICK}\s+{_HOST}\s+has left {_CHAN}{_REASON}", _leave("part")),
        (rf"{_NICK}\s+{_HOST}\s+has quit{_REASON}", _leave("quit")),
        # ZNC: Joins: nick (user@host)
        (rf"Joins: {_NICK}\s+{_HOST}", _join),
        (rf"Parts: {_NICK}\s+{_HOST}{_REASON}", _leave("part")),
        (rf"Quits: {_NICK}\s+{_HOST}{_REASON}", _leave("quit")),
        # Limnoria: nick has joined #chan / has quit IRC / has left #chan
        (rf"{_NICK} has joined {_CHAN}", _join),
        (rf"{_NICK} has left {_CHAN}{_REASON}", _leave("part")),
        (rf"{_NICK} has quit(?: IRC)?{_REASON}", _leave("quit")),
        # kicks: irssi, ZNC/Limnoria, WeeChat
        (rf"{_NICK} was kicked (?:from|off) {_CHAN} by (?P<op>\S+){_REASON}", _kick),
        (rf"{_NICK} was kicked by (?P<op>\S+){_REASON}", _kick),
        (rf"(?P<op>\S+) has kicked {_NICK}{_REASON}", _kick),
        # the #linux logs of Elsner & Charniak
        (rf"{_NICK} entered the room\.?", _join),
        (rf"{_NICK} left the room \(Kicked by (?P<op>\S+)(?: \((?P<reason>.*)\))?\)\.?", _kick),
        (rf"{_NICK} left the room \(requested by (?P<op>\S+)\)\.?", _kick),
        (rf"{_NICK} left the room \(quit: ?(?P<reason>.*)\)\.?", _leave("quit")),
        (rf"{_NICK} left the room(?: \((?P<reason>.*)\))?\.?", _leave("part")),
        (r"(?P<old>\S+) is now known as (?P<new>\S+)", _nick),
        # modes: mode/#chan [+o nick] by op (irssi, ubuntu), Mode #chan [+o nick] by op (WeeChat),
        # op sets mode: +o nick (ZNC, Limnoria)
        (rf"mode/{_CHAN} (?:mode )?[\[(](?P<mode>.*?)[\])]\s+by (?P<op>\S+)", _mode),
        (rf"Mode {_CHAN} [\[(](?P<mode>.*?)[\])] by (?P<op>\S+)", _mode),
        (r"(?P<op>\S+) sets mode: (?P<mode>.+)", _mode),
        # topics
        (rf"(?P<op>\S+) changed the topic of {_CHAN} to: (?P<topic>.*)", _topic),
        (rf"(?P<op>\S+) has changed topic for {_CHAN} (?:from \".*\" )?to \"(?P<topic>.*)\"", _topic),
        (r"(?P<op>\S+) changes topic to ['\"](?P<topic>.*)['\"]", _topic),
        (rf"Topic for {_CHAN}: (?P<topic>.*)", _topic),
        # the logger's own notes: nothing a member did
        (r"You're now known as \S+", _skip("own nick change")),
        (r"(?:[Nn]et(?:split|join(?:ed)?)\b|Irssi: |ServerMode/|Topic set by |Topic \().*", _skip("server notice")),
    )
)


def parse_status(sentence: str, *, ubuntu: bool = False) -> Said:
    """The meaning of a status sentence (after ``===``, ``-!-``, ``***`` or WeeChat's prefix).

    irclogs.ubuntu.com wrote early ``/me`` actions as ``=== nick does``: with ``ubuntu`` set,
    a sentence no pattern knows is such an action.
    """
    for pattern, build in _SENTENCES:
        if found := pattern.fullmatch(sentence):
            return build(found)
    if ubuntu and (found := re.fullmatch(r"(\S+) (.+)", sentence)):
        return _message(found[1], found[2], action=True)
    return Said(skip="status line")
