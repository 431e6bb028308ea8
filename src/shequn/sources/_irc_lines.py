"""The lines of an IRC log as text, whatever mix of encodings the logger wrote.

IRC has no encoding: each client sent the bytes its user's system produced, and loggers
wrote them through unchanged. A log is therefore mostly UTF-8 with the odd line in Latin-1
or Windows-1252 (FORMATS.md §12). Each line is decoded on its own: as UTF-8 if it is valid
UTF-8, else as cp1252, else as Latin-1 (which decodes any byte). The fallback is reported per
line, so the event can say how its text was read; one stray line never spoils the others.

Lines are numbered from 0 in file order and split on ``\\n`` only, the way the annotations of
the IRC disentanglement corpus count them, so a line's index is its ``seq``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

from shequn.sources._base import ProgressReader

__all__ = ["decode_line", "decoded_lines"]

_FALLBACKS = ("cp1252", "latin-1")


def decode_line(raw: bytes) -> tuple[str, str | None]:
    """The text of one line and the fallback encoding used (None when it was UTF-8)."""
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    for encoding in _FALLBACKS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def decoded_lines(path: Path, progress: Callable[[int], None] | None = None) -> Iterator[tuple[int, str, str | None]]:
    """``(index, text, fallback)`` for each line, line ending and a leading BOM removed."""
    with open(path, "rb") as raw:
        stream = io.BufferedReader(ProgressReader(raw, progress), buffer_size=1 << 20)
        for index, line in enumerate(stream):
            if index == 0 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            text, fallback = decode_line(line.rstrip(b"\r\n"))
            yield index, text, fallback
