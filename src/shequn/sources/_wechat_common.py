"""What the WeChat readers share: message types, the chat a file belongs to, quotes, mentions.

WeChat has no official export; MemoTrace and PyWxDump dump the PC client's ``MSG`` table,
whose ``Type``/``SubType`` pair says what a row is (FORMATS.md §5.1).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from pathlib import Path
from typing import Final

from shequn.model import Chat
from shequn.sources._base import ReadOptions

__all__ = [
    "CARRIER",
    "SYSTEM_TYPES",
    "RecentTexts",
    "chat_of",
    "clean_system_text",
    "clock_parts",
    "mentions_in",
    "message_kind",
]

CARRIER: Final = "wechat"

#: Type 10000 is a plain-text system line, 10002 a ``<sysmsg>`` XML one.
SYSTEM_TYPES: Final = frozenset({10000, 10002})

# (Type, SubType) -> (message subkind, attrs.media); SubType None matches any SubType.
_KINDS: Final[dict[tuple[int, int | None], tuple[str, str | None]]] = {
    (1, None): ("text", None),
    (3, None): ("media", "image"),
    (34, None): ("media", "voice"),
    (43, None): ("media", "video"),
    (62, None): ("media", "video"),
    (47, None): ("sticker", None),
    (37, None): ("other", "friend_request"),
    (42, None): ("other", "contact_card"),
    (48, None): ("other", "location"),
    (50, None): ("other", "call"),
    (49, 0): ("media", "file"),
    (49, 1): ("text", None),
    (49, 3): ("other", "music"),
    (49, 4): ("other", "link"),
    (49, 5): ("other", "link"),
    (49, 6): ("media", "file"),
    (49, 8): ("sticker", None),
    (49, 17): ("other", "live_location"),
    (49, 19): ("other", "forward"),
    (49, 24): ("other", "note"),
    (49, 33): ("other", "mini_program"),
    (49, 36): ("other", "mini_program"),
    (49, 51): ("other", "channels_video"),
    (49, 53): ("other", "solitaire"),
    (49, 57): ("text", None),
    (49, 63): ("other", "live"),
    (49, 74): ("media", "file"),
    (49, 87): ("other", "announcement"),
    (49, 2000): ("other", "transfer"),
    (49, 2001): ("other", "red_packet"),
    (49, 2003): ("other", "red_packet_cover"),
}


def message_kind(msg_type: int, sub_type: int) -> tuple[str, str | None]:
    """The message subkind and media name of a (Type, SubType) pair."""
    found = _KINDS.get((msg_type, sub_type)) or _KINDS.get((msg_type, None))
    if found is not None:
        return found
    return ("other", "app") if msg_type == 49 else ("other", None)


_TALKER = re.compile(r"\((?P<id>[A-Za-z0-9_.@-]+)\)\s*$")


def _talker_in(name: str) -> tuple[str, str | None]:
    """A folder or file name split into its readable part and a trailing ``(talker id)``.

    MemoTrace forks name an export folder ``{remark}({wxid})``; only ids that are plainly
    WeChat ids (``…@chatroom`` groups, ``wxid_…`` people) are taken, so a remark such as
    ``读书会(二群)`` is not mistaken for one.
    """
    found = _TALKER.search(name)
    if found and (found["id"].endswith("@chatroom") or found["id"].startswith("wxid_")):
        return name[: found.start()].strip(), found["id"]
    return name, None


def chat_of(path: Path, options: ReadOptions, *, suffix: str = "") -> Chat:
    """The chat a MemoTrace file belongs to.

    Its native id is the talker id (``…@chatroom``) when the folder or file name carries
    one, else ``--group``, else the file name without ``suffix`` (``_utf8`` for the CSV),
    which is the contact's remark as MemoTrace wrote it.
    """
    stem = path.stem.removesuffix(suffix) if suffix else path.stem
    for candidate in (path.parent.name, stem):
        readable, talker = _talker_in(candidate)
        if talker:
            chat_type = "chatroom" if talker.endswith("@chatroom") else "private"
            return Chat(CARRIER, talker, options.chat_name or readable or talker, chat_type)
    name = options.chat_name or stem
    return Chat(CARRIER, name, name, None)


# WeChat ends an @-mention with U+2005 FOUR-PER-EM SPACE, which keeps names with spaces whole.
_MENTION = re.compile(r"@([^@\u2005\n]{1,40}?)\u2005")


def mentions_in(text: str | None) -> list[str] | None:
    """Display names @-mentioned in a message, or None."""
    if not text or "\u2005" not in text:
        return None
    found = [name.strip() for name in _MENTION.findall(text) if name.strip()]
    return found or None


_AMBIGUOUS: Final = ""


class RecentTexts:
    """Recent messages by (author, text), to find the message a quoted reply quotes.

    A quote names its author and repeats the text; when exactly one recent message matches
    both, that message is the one quoted. A text said twice by the same author is ambiguous
    and links nothing. Only the last ``limit`` pairs are kept, so memory stays bounded.
    """

    def __init__(self, limit: int = 20_000) -> None:
        self._limit = limit
        self._keys: OrderedDict[tuple[str, int], str] = OrderedDict()

    def add(self, author: str | None, text: str | None, key: str) -> None:
        if not author or not text:
            return
        pair = (author, hash(text))
        self._keys[pair] = _AMBIGUOUS if pair in self._keys else key
        self._keys.move_to_end(pair)
        if len(self._keys) > self._limit:
            self._keys.popitem(last=False)

    def find(self, author: str | None, text: str | None) -> str | None:
        if not author or not text:
            return None
        return self._keys.get((author, hash(text))) or None


_WALL_CLOCK = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$")


def clock_parts(text: str) -> tuple[int, int, int, int, int, int]:
    """The parts of a ``YYYY-MM-DD HH:MM:SS`` local time (MemoTrace ``StrTime``), or ValueError."""
    found = _WALL_CLOCK.match(text)
    if found is None:
        raise ValueError(f"expected YYYY-MM-DD HH:MM:SS, got {text!r}")
    year, month, day, hour, minute, second = (int(part) for part in found.groups())
    return year, month, day, hour, minute, second


_LINK = re.compile(r"<([A-Za-z_][\w-]*)\b[^>]*>.*?</\1>", re.S)


def clean_system_text(content: str) -> str:
    """A type-10000 text without its CDATA wrapper and in-line links.

    A recall ends in ``<a href="weixin://revoke_edit_click">重新编辑</a>``, an invitation by
    the exporter in ``<_wc_custom_link_ …>撤销</_wc_custom_link_>``: buttons, not text.
    """
    return _LINK.sub("", content.replace("<![CDATA[", "").replace("]]>", "")).strip()
