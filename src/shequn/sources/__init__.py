"""Importers, one module per carrier, found through the ``shequn.sources`` entry points.

Built-in importers register through the same entry-point group a plugin would use, so the
core has no list of its own to keep in step.
"""

from __future__ import annotations

import zipfile
from functools import cache
from importlib import import_module
from importlib.metadata import entry_points
from importlib.util import find_spec
from pathlib import Path

from shequn.errors import UnknownFormatError
from shequn.sources._base import HEAD_BYTES, ReadOptions, SourceModule

__all__ = ["ReadOptions", "SourceModule", "claims_folder", "companion_files", "detect", "get", "names"]

_BUILTIN = (
    "telegram",
    "whatsapp",
    "discord",
    "slack",
    "wechat",
    "qq",
    "irc",
    "mbox",
    "discourse",
    "generic",
)


@cache
def _registry() -> dict[str, str]:
    """Format name -> module: built-ins, then plugins from the entry-point group."""
    found = {name: f"shequn.sources.{name}" for name in _BUILTIN if find_spec(f"shequn.sources.{name}")}
    for ep in entry_points(group="shequn.sources"):
        if ep.value.startswith("shequn.sources.") and ep.name not in found:
            continue  # a built-in this build does not ship
        found[ep.name] = ep.value
    return found


def names() -> list[str]:
    """Every importer name that ``--format`` accepts."""
    return sorted(_registry())


def get(name: str) -> SourceModule:
    """The importer called ``name``."""
    try:
        target = _registry()[name]
    except KeyError:
        raise UnknownFormatError(f"unknown format {name!r}; known: {', '.join(names())}") from None
    module = import_module(target.split(":")[0])
    return module  # type: ignore[return-value]


def head_of(path: Path) -> bytes:
    """The first bytes of a file, or of the largest text file inside a zip (b"" for a folder)."""
    if path.is_dir():
        return b""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            texts = [i for i in zf.infolist() if i.filename.lower().endswith((".txt", ".json"))]
            if not texts:
                return b""
            with zf.open(max(texts, key=lambda i: i.file_size)) as fh:
                return fh.read(HEAD_BYTES)
    with open(path, "rb") as fh:
        return fh.read(HEAD_BYTES)


def detect(path: Path) -> SourceModule:
    """The importer whose ``sniff`` accepts the file's content."""
    head = head_of(path)
    matches = [n for n in names() if get(n).sniff(path, head)]
    if len(matches) == 1:
        return get(matches[0])
    if not matches:
        raise UnknownFormatError(
            f"{path}: not a format shequn reads (tried {', '.join(names())}); pass --format if you know what it is"
        )
    raise UnknownFormatError(f"{path}: looks like several formats ({', '.join(matches)}); pass --format")


def claims_folder(path: Path) -> SourceModule | None:
    """The importer that reads this whole folder as one export (a Slack export), if any.

    Importers that read folders define ``claims_folder(path) -> bool``; a claimed folder is
    imported as one unit, all or nothing.
    """
    for name in names():
        module = get(name)
        claim = getattr(module, "claims_folder", None)
        if claim is not None and claim(path):
            return module
    return None


def companion_files() -> frozenset[str]:
    """File names that importers read beside an export (PyWxDump's ``users.json``).

    Importers list them in ``COMPANION_FILES``; a folder import does not take them as
    exports of their own.
    """
    found: set[str] = set()
    for name in names():
        found |= set(getattr(get(name), "COMPANION_FILES", ()))
    return frozenset(found)
