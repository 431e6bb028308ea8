"""The activity log: one append-only table of events plus the tables it is read through."""

from shequn.store.log import DEFAULT_DB, Store, default_path
from shequn.store.summary import Community, ImportMeta, ImportSummary

__all__ = ["DEFAULT_DB", "Community", "ImportMeta", "ImportSummary", "Store", "default_path"]
