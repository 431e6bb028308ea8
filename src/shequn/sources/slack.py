"""Slack workspace exports (a folder, or the zip Slack hands out) — FORMATS.md §3.

One import is the whole workspace: every conversation folder becomes a chat, and the
import is all or nothing like any other file. Day files are read one at a time; the time
of a message is its ``ts`` (an exact UTC epoch), never the name of the day file it sits in,
whose days are not UTC days in real exports.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count
from pathlib import Path

from shequn.errors import SourceFormatError
from shequn.model import Chat, Record, Skip
from shequn.sources._base import ReadOptions
from shequn.sources._slack_archive import LISTINGS, SlackArchive, is_day_file, looks_like_export
from shequn.sources._slack_directory import load_directory
from shequn.sources._slack_events import ChannelReader
from shequn.sources._slack_schema import Message, decode

__all__ = ["NAME", "VERSION", "claims_folder", "read", "sniff"]

NAME = "slack"
VERSION = "1.0"


def claims_folder(path: Path) -> bool:
    """A folder holding a channel listing (a JSON array) and conversation folders of day files."""
    return path.is_dir() and looks_like_export(path)


def sniff(path: Path, head: bytes) -> bool:
    """A Slack export folder or zip, recognised by its listings and day files, not its name.

    A single day file or ``channels.json`` alone is not claimed: it lacks what makes an
    import of it meaningful (the channel's id, or any message).
    """
    return looks_like_export(path)


def read(path: Path, options: ReadOptions) -> Iterator[Record]:
    """Every conversation of the export: its Chat, then its events in file order."""
    where = str(path)
    with SlackArchive(path) as archive:
        directory = load_directory(archive)
        if not directory.by_folder:
            raise SourceFormatError(
                where, "top level", f"expected a Slack export: none of {', '.join(LISTINGS)} lists a conversation"
            )
        seq = count(1)
        for folder, files in archive.folders():
            info = directory.by_folder.get(folder)
            if info is None:
                yield Skip("conversation folder not in any listing", f"{folder}/")
                continue
            yield Chat(carrier=NAME, native_id=info.native_id, name=info.name, chat_type=info.chat_type)
            channel = ChannelReader(where, info.native_id, directory, seq)
            for day in files:
                if not is_day_file(day.name):
                    yield Skip("not a day file", day.label)
                    continue
                for i, message in enumerate(decode(archive.read(day), list[Message], where, day.label)):
                    yield from channel.records(message, f"{day.label}: [{i}]")
                if options.progress is not None:
                    options.progress(archive.bytes_read)
