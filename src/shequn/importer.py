"""Import files into the log: pick the importer, read, write atomically, summarise.

The CLI and the demo both come through :func:`import_paths`, so every file takes the same
path into the log whatever started the import.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from shequn import sources
from shequn.errors import ShequnError, SourceFormatError
from shequn.model import Record, Skip
from shequn.sources._base import ReadOptions, zone
from shequn.store import ImportMeta, ImportSummary, Store

__all__ = ["expand_paths", "import_file", "import_paths"]

ProgressFactory = Callable[[Path, int], Callable[[int], None]]


def _files_of(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]


def _size(path: Path) -> int:
    """Bytes of a file, or of a folder's files."""
    return sum(file.stat().st_size for file in _files_of(path))


def _sha256(path: Path) -> str:
    """SHA-256 of a file, or of a folder's files with their relative names."""
    digest = hashlib.sha256()
    for file in _files_of(path):
        if path.is_dir():
            digest.update(str(file.relative_to(path)).encode() + b"\0")
        with open(file, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)  # releases the GIL: the parser goes on meanwhile
    return digest.hexdigest()


EXPORT_SUFFIXES = frozenset({".json", ".jsonl", ".txt", ".csv", ".zip", ".mbox", ".gz", ".log", ".weechatlog"})


def expand_paths(paths: list[Path]) -> list[Path]:
    """The import units behind the paths given.

    A file is itself. A folder that an importer claims as a whole (a Slack export) is one
    unit; any other folder stands for the claimed folders and export files below it (by
    suffix, hidden files left out), in name order.
    """
    out: list[Path] = []
    for path in paths:
        if not path.exists():
            raise ShequnError(f"{path}: no such file or folder")
        if not path.is_dir() or sources.claims_folder(path) is not None:
            out.append(path)
        else:
            below = sorted(
                p for p in path.rglob("*") if not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            claimed = [d for d in below if d.is_dir() and sources.claims_folder(d) is not None]
            companions = sources.companion_files()
            files = [
                p
                for p in below
                if p.is_file()
                and p.suffix.lower() in EXPORT_SUFFIXES
                and p.name not in companions
                and not any(d in p.parents for d in claimed)
            ]
            if not claimed and not files:
                raise ShequnError(f"{path}: folder holds no export file ({', '.join(sorted(EXPORT_SUFFIXES))})")
            out.extend(sorted(claimed + files))
    return out


def _strict(records: Iterator[Record], path: Path) -> Iterator[Record]:
    for rec in records:
        if type(rec) is Skip:
            raise SourceFormatError(str(path), rec.pos or "?", f"skipped ({rec.reason}) and --strict is on")
        yield rec


def import_file(
    store: Store,
    path: Path,
    *,
    community: str = "default",
    fmt: str = "auto",
    tz: str | None = None,
    group: str | None = None,
    day: date | None = None,
    strict: bool = False,
    progress: ProgressFactory | None = None,
) -> ImportSummary:
    """Import one file into ``community`` (created if new, with ``tz`` as its zone)."""
    if tz is not None:
        zone(tz)
    if fmt != "auto":
        source = sources.get(fmt)
    elif path.is_dir():
        source = sources.claims_folder(path) or sources.detect(path)
    else:
        source = sources.detect(path)
    com = store.ensure_community(community, tz)
    size = _size(path)
    options = ReadOptions(
        tz=tz or com.timezone,
        chat_name=group,
        day=day,
        progress=progress(path, size) if progress else None,
    )
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="shequn-hash") as hasher:
        meta = ImportMeta(
            path=str(path),
            size=size,
            sha256=hasher.submit(_sha256, path),  # beside the import; the store waits for it at the end
            importer=source.NAME,
            importer_version=source.VERSION,
        )
        records = source.read(path, options)
        if strict:
            records = _strict(records, path)
        return store.import_records(records, community=com, meta=meta)


def import_paths(store: Store, paths: list[Path], **kwargs) -> list[ImportSummary]:  # type: ignore[no-untyped-def]
    """Import each file in turn; each file is its own all-or-nothing step."""
    return [import_file(store, path, **kwargs) for path in expand_paths(paths)]
