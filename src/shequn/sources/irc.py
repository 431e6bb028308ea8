"""IRC channel logs (irclogs.ubuntu.com, irssi, WeeChat, ZNC, Limnoria/Supybot) — FORMATS.md §12.

One file is one channel. The layout is recognised from the file's first lines
(:mod:`._irc_layouts`), each line's body read by one grammar (:mod:`._irc_grammar`).

IRC has no message ids, so events get content keys (time, line text, occurrence within the
time), and no accounts, so members are nicks: name-only identities scoped to the channel.
A nick change is kept as a ``service`` event (subkind ``nick``, attrs ``old``/``new``, actor
the old nick, target the new one) and not as a merge: nicks are not owned (anyone may take
an unregistered nick later), services rename colliding users to ``Guest12345`` names that
are handed to someone else the next day, and ``nick|away`` changes are as often a second
person's nick. Whether two nicks are one person is for a later, reviewable step.

``seq`` is the line's index in the file (from 0), so that line-numbered annotations such as
the gold reply links of the IRC disentanglement corpus map onto events. Times without an
offset are read in ``--tz``; for loggers that write only the time of day, the day comes from
day markers or the file's name (:mod:`._irc_clock`), or ``options.day`` where the import
passes one.

The file is read twice: a first pass learns the channel and the day of the first line
(which the name's date, being the day of the last line, only gives once the whole file's
clock has been followed), the second yields the records. Both stream.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote

from shequn.errors import SourceFormatError
from shequn.model import Chat, Event, Record, Skip
from shequn.sources._base import HEAD_BYTES, ContentKeys, ReadOptions, local_to_utc_us, utc_us, zone
from shequn.sources._irc_clock import DayClock, date_from_path
from shequn.sources._irc_layouts import BadTime, Layout, Line, Stamp, detect_layout
from shequn.sources._irc_lines import decode_line, decoded_lines

__all__ = ["NAME", "VERSION", "read", "sniff"]

NAME = "irc"
VERSION = "1.0"

_CHANNEL_START = "#&!+"


def sniff(path: Path, head: bytes) -> bool:
    """Most of the first lines read as one logger's layout, with at least two messages."""
    if path.is_file() and zipfile.is_zipfile(path):
        return False
    return _layout_of(head) is not None


def _layout_of(head: bytes) -> Layout | None:
    lines = head.split(b"\n")
    if len(head) >= HEAD_BYTES:
        lines = lines[:-1]  # cut off mid-line
    return detect_layout(decode_line(line)[0] for line in lines)


def read(path: Path, options: ReadOptions) -> Iterator[Record]:
    """The channel, then one record per line of the log."""
    where = str(path)
    if path.is_dir():
        raise SourceFormatError(where, "top level", "expected an IRC log file, got a folder")
    with open(path, "rb") as fh:
        layout = _layout_of(fh.read(HEAD_BYTES))
    if layout is None:
        raise SourceFormatError(
            where, "line 1", "expected an IRC log (irssi, WeeChat, ZNC, Limnoria or irclogs.ubuntu.com lines)"
        )
    survey = _Survey.of(path, layout, options)
    yield Chat(carrier=NAME, native_id=survey.channel, name=survey.channel, chat_type="channel")
    yield from _Reader(path, layout, survey, options).records()


def _parse(where: str, layout: Layout, index: int, text: str) -> Line:
    try:
        line = layout.parse(text)
    except BadTime as exc:
        raise SourceFormatError(where, f"line {index + 1}", str(exc)) from None
    if line is None:
        raise SourceFormatError(
            where, f"line {index + 1}", f"expected a {layout.name} line like {layout.example!r}, got {text[:80]!r}"
        )
    return line


@dataclass(frozen=True)
class _Survey:
    """What the first pass learns: the channel, the day of the first line, the first stamp with a time."""

    channel: str
    first_day: date | None  # for time-only layouts, the day the first line is on
    first_stamp: Stamp | None  # for time-only layouts, dates the untimed lines above it (Ubuntu's "=== ")

    @classmethod
    def of(cls, path: Path, layout: Layout, options: ReadOptions) -> _Survey:
        where = str(path)
        channel: str | None = None
        first: tuple[int, Stamp] | None = None
        origin = date(2000, 1, 1)
        clock = DayClock(origin)  # relative: only the days it advances matter
        clock_done = layout.dated  # lines with days need no clock; a day marker ends its use
        read_one = False
        for index, text, _ in decoded_lines(path):
            if channel is None:
                channel = _channel_named(text)
            elif clock_done:
                break  # nothing left to learn
            if (clock_done and read_one) or not text.strip():
                continue
            line = _parse(where, layout, index, text)
            read_one = True
            channel = channel or line.channel
            if line.marker is not None:
                clock_done = True
            elif line.stamp.hms is not None and not clock_done:
                if first is None:
                    first = (index, line.stamp)
                clock.at(*line.stamp.hms)
        first_day = None
        if not layout.dated and clock.last is not None:
            # ReadOptions has no day field yet; an import that adds one names the day of undated files
            end_day = date_from_path(path) or options.day
            if end_day is None:
                assert first is not None
                raise SourceFormatError(
                    where,
                    f"line {first[0] + 1}",
                    "the lines give only a time of day and the file name no date: name the file after its day,"
                    " e.g. '#chan.2024-03-05.log'",
                )
            first_day = end_day - (clock.last.date() - origin)
        return cls(_channel_name(channel, options, path), first_day, first[1] if first else None)


_CHANNEL_NAMED = re.compile(r"(?:has joined|has left|mode/|[Tt]opic (?:of|for)) ?([#&][^\s\[\]():]+)")


def _channel_named(text: str) -> str | None:
    """The channel a join, part, mode or topic line names (the first pass does not read bodies)."""
    if "#" not in text and "&" not in text:
        return None
    found = _CHANNEL_NAMED.search(text)
    return found[1] if found else None


def _channel_name(found: str | None, options: ReadOptions, path: Path) -> str:
    """The channel the lines name, else ``--group``, else the ``#channel`` in the file's or folder's name.

    The ``#`` is added where a name lacks it, so the same channel is one chat however named.
    """
    named = found or options.chat_name or _channel_in_path(path)
    if not named:
        raise SourceFormatError(
            str(path), "line 1", "no line names the channel and neither does the file name: pass --group '#channel'"
        )
    return named if named[0] in _CHANNEL_START else f"#{named}"


def _channel_in_path(path: Path) -> str | None:
    """The ``#channel`` a path names, if any.

    As in ``2004/11/15/%23ubuntu.txt``, ``#ceph.2012-10-17.log``, ``irc.libera.#rust.weechatlog``
    or ZNC's ``#chan/2024-03-05.log``.
    """
    for name in (unquote(path.name), unquote(path.parent.name)):
        if "#" not in name:
            continue
        name = name[name.index("#") :]
        for suffix in (".gz", ".log", ".txt", ".weechatlog"):
            name = name.removesuffix(suffix)
        name = _DATE_PART.sub("", name)
        if len(name) > 1:
            return name
    return None


_DATE_PART = re.compile(r"[._-]+\d{4}[-_.]?\d\d(?:[-_.]?\d\d)?$")


class _Reader:
    """The second pass: one record per line."""

    def __init__(self, path: Path, layout: Layout, survey: _Survey, options: ReadOptions) -> None:
        self.path = path
        self.where = str(path)
        self.layout = layout
        self.survey = survey
        self.options = options
        self.tz = zone(options.tz)
        self.clock = DayClock(survey.first_day) if survey.first_day is not None else None
        self.keys = ContentKeys()
        self.last: tuple[int, str | None, date] | None = None  # ts_us, tz_assumed, local day
        self.last_original: str | None = None  # the time as written on the last timed line

    def records(self) -> Iterator[Record]:
        for index, text, fallback in decoded_lines(self.path, self.options.progress):
            if not text.strip():
                continue
            line = _parse(self.where, self.layout, index, text)
            if line.marker is not None:
                self.last_original = None
                if self.clock is None:
                    self.clock = DayClock(line.marker)
                else:
                    self.clock.restart(line.marker)
                continue
            said = line.said()
            assert said is not None
            pos = f"line {index + 1}"
            if said.skip is not None:
                yield Skip(said.skip, pos)
                continue
            ts_us, tz_assumed = self._moment(line.stamp, pos)
            attrs = dict(said.attrs) if said.attrs else {}
            if fallback is not None:
                attrs["decoded_as"] = fallback
            yield Event(
                chat_id=self.survey.channel,
                key=self.keys.key(str(ts_us), said.actor or "", text),
                kind=said.kind,
                subkind=said.subkind,
                ts_us=ts_us,
                ts_original=line.stamp.original,
                tz_assumed=tz_assumed,
                actor_name=said.actor,
                target_name=said.target,
                text=said.text,
                attrs=attrs or None,
                pos=pos,
                seq=index,
            )

    def _moment(self, stamp: Stamp, pos: str) -> tuple[int, str | None]:
        """UTC microseconds of a line, and the zone assumed to read it.

        A line without a time takes the time of the line before it (or, at the top of the
        file, of the first line that has one); a day without a time means its midnight.
        """
        if stamp.original is not None and stamp.original == self.last_original and stamp.hms is not None:
            assert self.last is not None  # the line before had the same time: it is the same moment
            return self.last[0], self.last[1]
        if stamp.hms is None:
            if self.last is not None and stamp.day in (None, self.last[2]):
                return self.last[0], self.last[1]
            if stamp.day is None:
                first = self.survey.first_stamp
                if first is None:
                    raise SourceFormatError(self.where, pos, "no line of the file gives a time")
                return self._moment(first, pos)
            naive = datetime.combine(stamp.day, time())
        elif stamp.day is not None:
            naive = datetime.combine(stamp.day, time(*stamp.hms))
        elif self.clock is not None:
            naive = self.clock.at(*stamp.hms)
        else:  # the survey asks for a day before the first timed line; only a marker can be missing
            raise SourceFormatError(self.where, pos, "no day is known for this time of day")
        if stamp.offset_s is None:
            ts_us, tz_assumed = local_to_utc_us(naive, self.tz), self.options.tz
        else:
            ts_us, tz_assumed = utc_us(naive.replace(tzinfo=timezone(timedelta(seconds=stamp.offset_s)))), None
        self.last = (ts_us, tz_assumed, naive.date())
        self.last_original = stamp.original if stamp.hms is not None else None
        return ts_us, tz_assumed
