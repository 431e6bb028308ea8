"""The log's tables, and the migrations that bring an older file up to date.

``MIGRATIONS[i]`` takes a store at version ``i`` to ``i + 1``. A new store runs them all;
an existing one runs what it lacks, each in its own transaction, and records it in
``schema_version``. Never edit a released migration: add the next one.

Columns are typed so that the same tables can live on DuckDB, PostgreSQL and Spark:
integers, strings, UTC timestamps without zone, lists of integers, and JSON kept as text.
"""

from __future__ import annotations

from typing import Final

__all__ = ["EVENT_COLUMNS", "LOG_TABLES", "MIGRATIONS", "SCHEMA_VERSION"]

#: The log's tables, in the order a copy to another engine writes them (views are derived).
LOG_TABLES: Final = ("communities", "groups", "identities", "identity_member", "events", "imports")

#: The events table's columns in order, with their SQL types (DuckDB spelling).
EVENT_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("event_id", "VARCHAR"),
    ("community_id", "BIGINT"),
    ("group_id", "BIGINT"),
    ("kind", "VARCHAR"),
    ("subkind", "VARCHAR"),
    ("native_id", "VARCHAR"),
    ("identity_id", "BIGINT"),
    ("actor_name", "VARCHAR"),
    ("target_identity_id", "BIGINT"),
    ("ts", "TIMESTAMP"),
    ("ts_original", "VARCHAR"),
    ("tz_assumed", "VARCHAR"),
    ("reply_to_event_id", "VARCHAR"),
    ("thread_id", "VARCHAR"),
    ("text", "VARCHAR"),
    ("mentions", "BIGINT[]"),
    ("attrs", "VARCHAR"),
    ("seq", "BIGINT"),
    ("source_file", "VARCHAR"),
    ("source_pos", "VARCHAR"),
    ("importer", "VARCHAR"),
    ("importer_version", "VARCHAR"),
    ("import_id", "BIGINT"),
)

_EVENTS_DDL = ",\n    ".join(f"{name} {sql}" for name, sql in EVENT_COLUMNS)

_V1 = f"""
CREATE TABLE communities (
    community_id BIGINT PRIMARY KEY,
    name VARCHAR NOT NULL UNIQUE,
    timezone VARCHAR NOT NULL,
    settings VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE groups (
    group_id BIGINT PRIMARY KEY,
    community_id BIGINT NOT NULL,
    carrier VARCHAR NOT NULL,
    native_id VARCHAR NOT NULL,
    name VARCHAR,
    chat_type VARCHAR,
    purpose VARCHAR,
    first_import_id BIGINT
);
CREATE TABLE identities (
    identity_id BIGINT PRIMARY KEY,
    carrier VARCHAR NOT NULL,
    native_id VARCHAR,
    scope_group_id BIGINT,
    name_key VARCHAR,
    first_import_id BIGINT
);
CREATE TABLE imports (
    import_id BIGINT PRIMARY KEY,
    community_id BIGINT,
    path VARCHAR NOT NULL,
    size BIGINT,
    sha256 VARCHAR,
    format VARCHAR,
    importer_version VARCHAR,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    status VARCHAR NOT NULL,
    records_read BIGINT,
    events_added BIGINT,
    duplicates BIGINT,
    skipped VARCHAR,
    first_ts TIMESTAMP,
    last_ts TIMESTAMP,
    error VARCHAR
);
CREATE TABLE events (
    {_EVENTS_DDL}
);
CREATE TABLE identity_member (
    identity_id BIGINT PRIMARY KEY,
    member_id BIGINT NOT NULL
);
CREATE VIEW identity_names AS
    SELECT identity_id, actor_name AS name, min(ts) AS first_ts, max(ts) AS last_ts,
           count(*) AS events
    FROM events
    WHERE identity_id IS NOT NULL AND actor_name IS NOT NULL
    GROUP BY 1, 2;
"""

#: One SQL script per version step; index 0 creates version 1.
MIGRATIONS: Final[tuple[str, ...]] = (_V1,)
SCHEMA_VERSION: Final = len(MIGRATIONS)
