"""What DiscordChatExporter's JSON, CSV and PlainText layouts share.

Names are written the way DiscordChatExporter writes ``Author`` in CSV and PlainText
(``name#1234`` for legacy accounts, ``name`` since Discord dropped discriminators), so that a
member reads the same whichever layout brought them in. Dates come in whatever culture the
exporting machine used; :class:`DateReader` knows the common ones and remembers which one a
file uses.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from shequn.sources._base import local_to_utc_us, utc_us, zone

__all__ = [
    "CARRIER",
    "DISCORD_EPOCH_MS",
    "DateReader",
    "chat_from_file_name",
    "full_name",
    "snowflake_us",
]

CARRIER = "discord"
DISCORD_EPOCH_MS = 1_420_070_400_000  # 2015-01-01, where snowflake times start

# Culture "g" patterns DiscordChatExporter writes when no --utc/--locale is given; the first is
# its old default --dateformat ("dd-MMM-yy hh:mm tt"). They never overlap: only the US one has
# AM/PM with slashes, and the separators tell the others apart.
_LOCAL_PATTERNS = (
    "%d-%b-%y %I:%M %p",  # 05-Dec-19 04:22 PM
    "%m/%d/%Y %I:%M %p",  # 12/5/2019 4:22 PM (en-US)
    "%d/%m/%Y %H:%M",  # 05/12/2019 16:22 (en-GB, fr-FR)
    "%d.%m.%Y %H:%M",  # 05.12.2019 16:22 (de-DE, ru-RU)
    "%Y-%m-%d %H:%M",  # 2019-12-05 16:22 (sv-SE, ISO-like)
    "%Y/%m/%d %H:%M",  # 2019/12/5 16:22 (ja-JP, zh-CN)
)
DATE_EXAMPLES = "05-Dec-19 04:22 PM, 12/5/2019 4:22 PM or 2019-12-05T16:22:00+00:00"

_FILE_CHANNEL = re.compile(r"^(?P<name>.*?)\s*\[(?P<id>\d{15,21})\](?: \[part \d+\])?$")


def full_name(name: str, discriminator: str | None) -> str:
    """``name#1234``, or ``name`` alone for accounts without a discriminator."""
    if not discriminator or discriminator.strip("0") == "":
        return name
    return f"{name}#{discriminator}"


def snowflake_us(snowflake: str) -> int | None:
    """When a Discord id was made, in UTC microseconds (ids carry their own creation time)."""
    try:
        return ((int(snowflake) >> 22) + DISCORD_EPOCH_MS) * 1000
    except ValueError:
        return None


def chat_from_file_name(path: Path) -> tuple[str, str] | None:
    """(channel id, name) from DiscordChatExporter's ``Guild - Category - channel [id].ext``.

    The name is ``Guild / channel`` as the JSON reader names chats, so a channel imported
    from two layouts keeps one name.
    """
    found = _FILE_CHANNEL.match(path.stem)
    if found is None:
        return None
    parts = [p for p in found["name"].split(" - ") if p]
    name = f"{parts[0]} / {parts[-1]}" if len(parts) >= 2 else (parts[0] if parts else found["id"])
    return found["id"], name


class DateReader:
    """Reads the dates of one file: ISO 8601 with an offset, or a culture's short pattern.

    A short pattern has no offset, so it is read in the import's zone (``tz_assumed``). The
    pattern that matched first is tried first afterwards, and the last answer is cached:
    consecutive messages mostly share their minute.
    """

    __slots__ = ("_last", "_pattern", "_tz", "tz_name")

    def __init__(self, tz_name: str) -> None:
        self.tz_name = tz_name
        self._tz = zone(tz_name)
        self._pattern: str | None = None
        self._last: tuple[str, int, str | None] = ("", 0, None)

    def read(self, text: str) -> tuple[int, str | None] | None:
        """(UTC microseconds, zone assumed or None) of ``text``, or None if it is no date we know."""
        last = self._last
        if text == last[0]:
            return last[1], last[2]
        found = self._parse(text.strip())
        if found is not None:
            self._last = (text, found[0], found[1])
        return found

    def read_known(self, text: str) -> tuple[int, str | None] | None:
        """Like :meth:`read`, but only in the pattern this file already uses (once it has one).

        PlainText bodies may hold lines such as ``[New Thread 0x7f…] …``; only a line whose
        date reads in the file's own pattern is a message header.
        """
        if self._pattern is None:
            return self.read(text)
        if text == self._last[0]:
            return self._last[1], self._last[2]
        found = self._local(text.strip(), self._pattern)
        if found is not None:
            self._last = (text, found, self.tz_name)
            return found, self.tz_name
        return None

    def _parse(self, text: str) -> tuple[int, str | None] | None:
        if len(text) >= 16 and text[4] == "-" and text[10] in "T ":
            try:
                dt = datetime.fromisoformat(text)
            except ValueError:
                dt = None
            if dt is not None:
                if dt.tzinfo is None:
                    return local_to_utc_us(dt, self._tz), self.tz_name
                return utc_us(dt), None
        patterns = _LOCAL_PATTERNS if self._pattern is None else (self._pattern, *_LOCAL_PATTERNS)
        for pattern in patterns:
            found = self._local(text, pattern)
            if found is not None:
                self._pattern = pattern
                return found, self.tz_name
        return None

    def _local(self, text: str, pattern: str) -> int | None:
        try:
            naive = datetime.strptime(text, pattern)
        except ValueError:
            return None
        return local_to_utc_us(naive, self._tz)
