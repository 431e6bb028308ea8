"""Every error shequn raises on purpose.

    ShequnError
    ├── SourceFormatError   a file is not what its importer expects (names file and place)
    ├── UnknownFormatError  no importer recognises a file
    ├── StoreError          the log cannot be opened, migrated or written
    └── ConfigError         a setting, option or argument is out of range

The CLI prints any of these as one line and exits 1; anything else is a bug.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "ShequnError",
    "SourceFormatError",
    "StoreError",
    "UnknownFormatError",
]


class ShequnError(Exception):
    """Base of every deliberate error."""


class SourceFormatError(ShequnError):
    """A source file broke the format its importer reads.

    ``where`` is a line number (``line 12``) or a JSON path (``messages[1042].date``) so the
    user can open the file at the spot.
    """

    def __init__(self, path: str, where: str, problem: str) -> None:
        self.path = path
        self.where = where
        self.problem = problem
        super().__init__(f"{path}: {where}: {problem}")


class UnknownFormatError(ShequnError):
    """No importer recognised the file's content."""


class StoreError(ShequnError):
    """The log could not be opened, migrated or written."""


class ConfigError(ShequnError):
    """A setting or option has a value shequn cannot use."""
