"""Lines of a Chinese chat export, decoded whatever encoding the client wrote.

QQ's message manager writes UTF-8 with a BOM; older clients write GB18030 (or UTF-16 with a
BOM), and a MemoTrace CSV opened and saved again in Excel on Chinese Windows comes back as
GBK. The encoding is never declared, so it is decided from the bytes: a BOM wins; otherwise
lines are read as UTF-8 until one is not, and a file that has shown no UTF-8 multi-byte text
by then is read on as GB18030 (a superset of GBK). A bad byte never escapes as a bare
``UnicodeDecodeError``: it becomes a :class:`SourceFormatError` naming the line.

Lines are read one at a time from a buffered stream, so memory does not grow with the file.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable, Iterator
from pathlib import Path

from shequn.errors import SourceFormatError
from shequn.sources._base import ProgressReader

__all__ = ["DecodedLines", "decode_head"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _bom(head: bytes) -> tuple[str | None, int]:
    """The encoding a byte-order mark announces, and the mark's length."""
    for mark, encoding in _BOMS:
        if head.startswith(mark):
            return encoding, len(mark)
    return None, 0


def decode_head(head: bytes) -> str:
    """The first bytes of a file as text, for sniffing: never raises.

    The head may end inside a multi-byte character, so a UTF-8 failure in the last three
    bytes does not count against UTF-8.
    """
    encoding, skip = _bom(head)
    if encoding is not None:
        return head[skip:].decode(encoding, errors="replace")
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:
            return head[: exc.start].decode("utf-8")
    return head.decode("gb18030", errors="replace")


class DecodedLines:
    """The file's lines as ``(line_number, text)``, line endings kept.

    ``encoding`` tells which encoding was used (it may switch from ``utf-8`` to ``gb18030``
    after the first undecodable line of a file that had been plain ASCII until then).
    """

    def __init__(self, path: Path, progress: Callable[[int], None] | None = None) -> None:
        self.path = path
        self.progress = progress
        self.encoding = "utf-8"

    def __iter__(self) -> Iterator[tuple[int, str]]:
        with open(self.path, "rb") as raw:
            stream = io.BufferedReader(ProgressReader(raw, self.progress), buffer_size=1 << 20)
            encoding, skip = _bom(stream.peek(4)[:4])
            if skip:
                stream.read(skip)
            if encoding in ("utf-16-le", "utf-16-be"):
                self.encoding = encoding
                yield from self._utf16(stream, encoding)
            else:
                yield from self._utf8_or_gb18030(stream)

    def _utf16(self, stream: io.BufferedReader, encoding: str) -> Iterator[tuple[int, str]]:
        text = io.TextIOWrapper(stream, encoding=encoding, newline="")
        number = 0
        try:
            for number, line in enumerate(text, start=1):
                yield number, line
        except UnicodeDecodeError as exc:
            raise SourceFormatError(
                str(self.path), f"line {number + 1}", f"bytes are not valid {encoding.upper()}: {exc.reason}"
            ) from None

    def _utf8_or_gb18030(self, stream: io.BufferedReader) -> Iterator[tuple[int, str]]:
        seen_multibyte = False
        for number, raw in enumerate(stream, start=1):
            if self.encoding == "utf-8":
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    if seen_multibyte:
                        raise self._bad_bytes(number, raw, exc, "UTF-8 (the lines before it were UTF-8)") from None
                    self.encoding = "gb18030"
                else:
                    if not seen_multibyte and not raw.isascii():
                        seen_multibyte = True
                    yield number, line
                    continue
            try:
                yield number, raw.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise self._bad_bytes(number, raw, exc, "UTF-8 or GB18030") from None

    def _bad_bytes(self, number: int, raw: bytes, exc: UnicodeDecodeError, expected: str) -> SourceFormatError:
        bad = raw[exc.start : exc.start + 4]
        return SourceFormatError(
            str(self.path), f"line {number}", f"bytes {bad!r} at byte {exc.start + 1} of the line are not {expected}"
        )
