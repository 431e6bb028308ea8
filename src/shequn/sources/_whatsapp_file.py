"""Where a WhatsApp chat's text is, what the chat is called, and what a bad line says.

An export is a ``.txt`` or a ``.zip`` holding ``_chat.txt`` (iOS) or ``WhatsApp Chat with
X.txt`` (Android) next to the media. WhatsApp has no chat ids, so the chat's name from
the file name (``WhatsApp Chat with X.txt``, ``WhatsApp Chat - X.zip``, ``WhatsApp-Chat mit
X.txt``, ``Chat de WhatsApp con X.txt``, ``与X的WhatsApp聊天.txt``) is what identifies it
across imports, unless the user names it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Final

from shequn.errors import SourceFormatError
from shequn.sources._base import HEAD_BYTES, ProgressReader

__all__ = ["ChatFile", "chat_name_from_file", "not_utf8"]

_NAME_PATTERNS: Final = tuple(
    re.compile(p, re.I)
    for p in (
        r"WhatsApp[ -]Chat (?:with|mit) (?P<name>.+)",
        r"WhatsApp[ -]Chat ?[-–] ?(?P<name>.+)",
        r"Chat de WhatsApp con (?P<name>.+)",
        r"Conversa do WhatsApp com (?P<name>.+)",
        r"与(?P<name>.+?)的\s?WhatsApp\s?(?:聊天|对话)(?:记录)?",
        r"WhatsApp\s?(?:聊天|对话)(?:记录)?\s?[-–：:]\s?(?P<name>.+)",
    )
)
_COPY_SUFFIX: Final = re.compile(r"\s*\(\d+\)$")  # "… (1).txt" when the same export was saved twice


def chat_name_from_file(name: str) -> str | None:
    """The chat's name in an export's file or folder name, or None for ``_chat.txt`` and the like."""
    stem = _COPY_SUFFIX.sub("", PurePosixPath(name).name)
    if stem.lower().endswith((".txt", ".zip")):
        stem = _COPY_SUFFIX.sub("", stem[:-4])
    for pattern in _NAME_PATTERNS:
        m = pattern.fullmatch(stem)
        if m is not None and m["name"].strip():
            return m["name"].strip()
    return None


def _scaled(progress: Callable[[int], None], scale: float) -> Callable[[int], None]:
    """Bytes read inside a zip, reported as the same share of the zip's size on disk."""

    def report(done: int) -> None:
        progress(int(done * scale))

    return report


class ChatFile:
    """The chat text of an export (a ``.txt``, or the chat ``.txt`` inside a ``.zip``).

    It can be opened more than once: the date order is read over the whole file before the
    messages are.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.member: str | None = None
        self._zip: zipfile.ZipFile | None = None
        if zipfile.is_zipfile(path):
            self._zip = zipfile.ZipFile(path)
            self.member = self._pick_member(self._zip)

    def _pick_member(self, zf: zipfile.ZipFile) -> str:
        texts = [i.filename for i in zf.infolist() if i.filename.lower().endswith(".txt") and not i.is_dir()]
        by_base = {PurePosixPath(n).name: n for n in texts}
        if "_chat.txt" in by_base:
            return by_base["_chat.txt"]
        named = [n for n in texts if chat_name_from_file(n) is not None]
        if len(named) == 1:
            return named[0]
        if len(texts) == 1:
            return texts[0]
        raise SourceFormatError(
            str(self.path),
            "zip contents",
            f"expected one chat text (_chat.txt or 'WhatsApp Chat with …txt'), found {len(texts)} .txt files",
        )

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> ChatFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def names(self) -> list[str]:
        """File and folder names that may carry the chat's name, most telling first."""
        found = [self.path.name]
        if self.member is not None:
            found.append(self.member)
        found.append(self.path.parent.name)  # an unzipped export: WhatsApp Chat - X/_chat.txt
        return found

    def size(self) -> int:
        return self.path.stat().st_size

    @contextmanager
    def open(self, progress: Callable[[int], None] | None = None) -> Iterator[BinaryIO]:
        """A binary stream of the chat text; ``progress`` hears bytes of the file on disk."""
        if self._zip is None:
            raw: BinaryIO = open(self.path, "rb", buffering=0 if progress else -1)  # noqa: SIM115
            total = None
        else:
            assert self.member is not None
            raw = self._zip.open(self.member)
            total = self._zip.getinfo(self.member).file_size
        try:
            if progress is None:
                yield raw
            else:
                report = _scaled(progress, self.size() / total) if total else progress
                yield io.BufferedReader(ProgressReader(raw, report), 1 << 16)
        finally:
            raw.close()

    def head(self) -> bytes:
        with self.open() as stream:
            return stream.read(HEAD_BYTES)


def not_utf8(raw: bytes, exc: UnicodeDecodeError) -> str:
    """The problem to report for a line that is not UTF-8.

    Such bytes stop the import at their line rather than being replaced: a silently
    mangled name would split one member into two.
    """
    return f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at byte {exc.start + 1} of the line)"
