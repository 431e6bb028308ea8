"""shequn (社群): measure and run online communities from their chat exports.

The public API: open a :class:`Store`, import files with :func:`import_paths`, read the
log's tables through Ibis (``store.table("events")``).
"""

from shequn.errors import ConfigError, ShequnError, SourceFormatError, StoreError, UnknownFormatError
from shequn.importer import import_file, import_paths
from shequn.model import Alias, Chat, Event, Skip
from shequn.store import Community, ImportSummary, Store

__version__ = "0.1.0"

__all__ = [
    "Alias",
    "Chat",
    "Community",
    "ConfigError",
    "Event",
    "ImportSummary",
    "ShequnError",
    "Skip",
    "SourceFormatError",
    "Store",
    "StoreError",
    "UnknownFormatError",
    "__version__",
    "import_file",
    "import_paths",
]
