"""Small value types that the store hands back: a community, an import's facts and summary."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["Community", "ImportMeta", "ImportSummary"]


@dataclass(frozen=True)
class Community:
    community_id: int
    name: str
    timezone: str
    settings: dict[str, Any]


@dataclass(frozen=True)
class ImportMeta:
    """What is known of a file before it is read: its place, size, hash and importer.

    ``sha256`` may still be being computed (a future) while the file is read: hashing a
    large export takes as long as a tenth of importing it, and needs no part of the import.
    """

    path: str
    size: int
    sha256: str | Future[str]
    importer: str
    importer_version: str

    def digest(self) -> str:
        """The file's SHA-256, waiting for it if it is still being computed."""
        return self.sha256 if isinstance(self.sha256, str) else self.sha256.result()


@dataclass
class ImportSummary:
    """What one file's import did; printed at the end and kept in ``imports``."""

    path: str
    importer: str
    import_id: int
    records_read: int = 0
    messages_read: int = 0
    events_added: int = 0
    duplicates: int = 0
    members_seen: int = 0
    groups_seen: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    first_ts: datetime | None = None
    last_ts: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.importer,
            "import_id": self.import_id,
            "records_read": self.records_read,
            "messages_read": self.messages_read,
            "events_added": self.events_added,
            "duplicates": self.duplicates,
            "members_seen": self.members_seen,
            "groups_seen": self.groups_seen,
            "skipped": dict(self.skipped),
            "first_ts": self.first_ts.isoformat() if self.first_ts else None,
            "last_ts": self.last_ts.isoformat() if self.last_ts else None,
        }
