"""WeChat group chats, from the third-party dumps of the PC client's database.

WeChat has no export of its own (FORMATS.md §5). Three dumps are read:

- **MemoTrace CSV** (留痕 / WeChatMsg, ``{remark}_utf8.csv``): wxids, epoch times, every
  message type; the richest source (:mod:`._wechat_memotrace`);
- **MemoTrace TXT** (``{remark}.txt``): names and wall-clock times only (:mod:`._wechat_txt`);
- **PyWxDump CSV** (``{chat}_{start}_{end}.csv``): server message ids and the chat's id
  (:mod:`._wechat_pywxdump`).

Which one a file is comes from its first line, never from its name. MemoTrace's HTML and
DOCX exports are not read: the CSV of the same chat holds everything they show.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path

from shequn.errors import SourceFormatError
from shequn.model import Record
from shequn.sources._base import HEAD_BYTES, ReadOptions
from shequn.sources._qq_encoding import decode_head
from shequn.sources._qq_txt import looks_like_qq
from shequn.sources._wechat_memotrace import REQUIRED, read_memotrace_csv
from shequn.sources._wechat_pywxdump import HEADER_START, read_pywxdump_csv
from shequn.sources._wechat_txt import HEADER, read_memotrace_txt

__all__ = ["NAME", "VERSION", "read", "sniff", "variant"]

NAME = "wechat"
VERSION = "1.0"
#: PyWxDump writes the members' names beside its CSV files.
COMPANION_FILES = frozenset({"users.json"})


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0].rstrip("\r")


def _is_memotrace_txt(text: str) -> bool:
    """MemoTrace TXT: not QQ's, the first line is a ``YYYY-MM-DD HH:MM:SS name`` header, and
    some header has a body line under it (a lone system line looks like any log file)."""
    if looks_like_qq(text):
        return False
    lines = [line.rstrip("\r") for line in text.split("\n")[:400]]
    first = next((line for line in lines if line.strip()), "")
    header = HEADER.match(first)
    if header is None or (header.group(2) or "").startswith(("- ", "-\t")):  # WhatsApp "… - name: text"
        return False
    return any(line.strip() and HEADER.match(before) for before, line in pairwise(lines))


def variant(head: bytes) -> Callable[[Path, ReadOptions], Iterator[Record]] | None:
    """The reader for a file whose first bytes are ``head``, or None if it is no WeChat dump."""
    text = decode_head(head)
    columns = [c.strip().strip('"') for c in _first_line(text).split(",")]
    if ("localId" in columns and "TalkerId" in columns) or set(REQUIRED) <= set(columns):
        return read_memotrace_csv  # which names any required column the header lacks
    if tuple(columns[: len(HEADER_START)]) == HEADER_START:
        return read_pywxdump_csv
    if _is_memotrace_txt(text):
        return read_memotrace_txt
    return None


def sniff(path: Path, head: bytes) -> bool:
    """A MemoTrace or PyWxDump file (never a zip: these dumps are plain files)."""
    return variant(head) is not None and not (path.is_file() and zipfile.is_zipfile(path))


def read(path: Path, options: ReadOptions) -> Iterator[Record]:
    """Records of a MemoTrace CSV or TXT, or a PyWxDump CSV (whichever the file is)."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    reader = variant(head)
    if reader is None:
        raise SourceFormatError(
            str(path),
            "line 1",
            "expected a MemoTrace CSV header (localId,TalkerId,Type,…), a PyWxDump CSV header "
            "(id,MsgSvrID,type_name,…) or a MemoTrace TXT header 'YYYY-MM-DD HH:MM:SS name'",
        )
    yield from reader(path, options)
