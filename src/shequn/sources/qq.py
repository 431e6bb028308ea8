"""QQ group chats, from the PC client's message manager (消息管理器 → 导出为 .txt).

The export has no message ids, so events get content keys (time, sender, text and the
occurrence of that triple within the second): a re-export of the same chat finds the same
events. Members are known by QQ number (``actor_id``) with their group card at the time as
``actor_name``; discussion groups show nicknames only. Times are wall clock, read in
``--tz`` (QQ users are mostly on Asia/Shanghai). The file is UTF-8 (with or without BOM),
GB18030 from older clients, or UTF-16 with a BOM; see :mod:`._qq_encoding`. The grammar is
in :mod:`._qq_txt`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from shequn.model import Record
from shequn.sources._base import ReadOptions
from shequn.sources._qq_encoding import decode_head
from shequn.sources._qq_txt import looks_like_qq, read_qq_txt

__all__ = ["NAME", "VERSION", "read", "sniff"]

NAME = "qq"
VERSION = "1.0"


def sniff(path: Path, head: bytes) -> bool:
    """QQ's banner or ``消息对象:`` line, or headers that mostly end in ``(QQ号)``/``<email>``."""
    if path.is_file() and zipfile.is_zipfile(path):
        return False
    return looks_like_qq(decode_head(head))


def read(path: Path, options: ReadOptions) -> Iterator[Record]:
    """Chats and events of a QQ message-manager TXT export."""
    yield from read_qq_txt(path, options)
