"""The derived tables the Q&A metrics read: ``questions``, and ``reply_links`` where it is missing.

``questions`` (``community_id, event_id, group_id, member_id, ts, score``) holds the messages
of a community that the question detector (:mod:`shequn.classify.questions`) marks: score at
or above the model's threshold. The detector is Python, so messages are read in batches
through Ibis, scored, and staged in a Parquet file; the community's rows are then
replaced whole, as every derived table is (never edited). Every author is kept: whether a
bot's question counts is the metrics' business, and flags may change without a rebuild.

``questions_state`` records what the rows were built from: the log's last import that added
events and the detector's model version and threshold. Anything different makes them
stale. A new import makes ``reply_links`` stale as well, so a rebuild after an import
rebuilds the community's reply links too (:func:`shequn.classify.replies.build_reply_links`
on a :class:`~shequn.store.Store`; on a bare Ibis backend the same links are staged and
written through Ibis).

A log opened read-only cannot hold new tables: :func:`ensure_qa_tables` then says why in
:attr:`QaTables.problem` and the metrics answer with empty results.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import ibis
import ibis.common.exceptions as ibis_errors
import pyarrow as pa
import pyarrow.parquet as pq

from shequn.classify._questions_model import QuestionModel, default_model
from shequn.classify.questions import question_scores
from shequn.errors import ConfigError
from shequn.metrics.derived import last_import_id
from shequn.store import Store

__all__ = ["QUESTIONS", "QUESTIONS_SCHEMA", "QUESTIONS_STATE", "QaTables", "build_questions", "ensure_qa_tables"]

QUESTIONS: Final = "questions"
QUESTIONS_STATE: Final = "questions_state"
REPLY_LINKS: Final = "reply_links"
QUESTIONS_SCHEMA: Final = pa.schema(
    [
        ("community_id", pa.int64()),
        ("event_id", pa.string()),
        ("group_id", pa.int64()),
        ("member_id", pa.int64()),
        ("ts", pa.timestamp("us")),
        ("score", pa.float64()),
    ]
)
_STATE_SCHEMA: Final = {
    "community_id": "int64",
    "import_id": "int64",
    "model_version": "string",
    "threshold": "float64",
    "built_at": "timestamp",
}
_BATCH: Final = 20_000


@dataclass(frozen=True)
class QaTables:
    """Whether the community's ``questions`` and ``reply_links`` can be read, and what was rebuilt.

    ``problem`` is None when both are current; otherwise it says why they are not (a
    read-only log). ``readable`` is false when a table is missing altogether: the metrics
    then answer with empty results.
    """

    rebuilt_questions: bool = False
    rebuilt_links: bool = False
    problem: str | None = None
    readable: bool = True


def _backend(log: Store | Any) -> Any:
    return log.ibis if isinstance(log, Store) else log


def _exists(backend: Any, name: str) -> bool:
    try:
        backend.table(name)
    except ibis_errors.TableNotFound:
        return False
    return True


def _read_only(exc: Exception) -> bool:
    text = str(exc).lower()
    return "read-only" in text or "read only" in text


def _batches(backend: Any, expr: Any, chunk: int) -> Iterator[pa.RecordBatch]:
    """An expression's rows as Arrow batches, streamed (DuckDB 2 through its own Arrow reader,
    since Ibis's streaming calls a method DuckDB 2 no longer has)."""
    if backend.name == "duckdb":
        yield from backend.con.sql(ibis.to_sql(expr, dialect="duckdb")).to_arrow_reader(chunk)
    else:
        yield from backend.to_pyarrow_batches(expr, chunk_size=chunk)


def _messages(backend: Any, community_id: int) -> Any:
    """The community's messages with a known author: what the detector reads."""
    events = backend.table("events")
    links = backend.table("identity_member")
    msgs = events.filter((events.community_id == community_id) & (events.kind == "message"))
    msgs = msgs.filter(msgs.identity_id.notnull() & msgs.text.notnull())
    msgs = msgs.join(links, "identity_id")
    return msgs.select("event_id", "group_id", "member_id", "ts", "text")


def _replace(backend: Any, name: str, rows: Any, community_id: int) -> None:
    """Write ``rows`` as the community's rows of ``name``, keeping the other communities' rows."""
    if _exists(backend, name):
        old = backend.table(name)
        if old.schema() == rows.schema():
            rows = old.filter(old.community_id != community_id).union(rows, distinct=False)
    backend.create_table(name, rows, overwrite=True)


#: Engines that read a staged Parquet file themselves; others are sent its rows batch by batch.
_READS_PARQUET = frozenset({"duckdb", "pyspark"})


def _replace_from_parquet(backend: Any, name: str, path: Path, community_id: int) -> None:
    """The community's rows of ``name`` replaced by the staged Parquet file ``path``.

    DuckDB and Spark read the file where it lies. A server (PostgreSQL) cannot, so the new
    table is built beside the old one, the other communities' rows first, then the file's
    rows a batch at a time (memory stays that of one batch), and is copied over the old one.
    """
    if backend.name in _READS_PARQUET:
        _replace(backend, name, backend.read_parquet(path), community_id)
        return
    staged = pq.ParquetFile(path)
    schema = ibis.schema(staged.schema_arrow)
    building = f"{name}__next"
    if _exists(backend, name) and backend.table(name).schema() == schema:
        old = backend.table(name)
        backend.create_table(building, old.filter(old.community_id != community_id), overwrite=True)
    else:
        backend.create_table(building, schema=schema, overwrite=True)
    for batch in staged.iter_batches(batch_size=_BATCH):
        backend.insert(building, ibis.memtable(pa.Table.from_batches([batch])))
    backend.create_table(name, backend.table(building), overwrite=True)
    backend.drop_table(building)


def _stage_questions(backend: Any, community_id: int, model: QuestionModel, path: Path, chunk: int) -> int:
    """Score the community's messages a batch at a time into the Parquet file ``path``; the
    questions found. (The log's connection is busy streaming the messages, so the questions
    wait in a file, not a table.)"""
    found = 0
    with pq.ParquetWriter(path, QUESTIONS_SCHEMA) as writer:
        for batch in _batches(backend, _messages(backend, community_id), chunk):
            scores = question_scores(batch.column("text").to_pylist(), model=model)
            keep = [score >= model.threshold for score in scores]
            if not any(keep):
                continue
            picked = batch.filter(pa.array(keep, pa.bool_()))
            rows = pa.table(
                {
                    "community_id": pa.array([community_id] * len(picked), pa.int64()),
                    "event_id": picked.column("event_id"),
                    "group_id": picked.column("group_id").cast(pa.int64()),
                    "member_id": picked.column("member_id").cast(pa.int64()),
                    "ts": picked.column("ts").cast(pa.timestamp("us")),
                    "score": pa.array([s for s, k in zip(scores, keep, strict=True) if k], pa.float64()),
                },
                schema=QUESTIONS_SCHEMA,
            )
            writer.write_table(rows)
            found += len(rows)
    return found


def build_questions(
    log: Store | Any, community: str | None = None, *, model: QuestionModel | None = None, chunk: int = _BATCH
) -> int:
    """Rebuild the ``questions`` rows of ``community`` (every community when None); rows written.

    ``log`` is a :class:`~shequn.store.Store` or an Ibis backend over the log. The state is
    recorded, so :func:`ensure_qa_tables` takes the rows as current until the next import.
    """
    backend = _backend(log)
    model = model or default_model()
    communities = backend.to_pyarrow(backend.table("communities").select("community_id", "name")).to_pylist()
    if community is not None:
        communities = [c for c in communities if c["name"] == community]
        if not communities:
            raise ConfigError(f"no community named {community!r}")
    written = 0
    for com in communities:
        written += _rebuild_questions(backend, com["community_id"], model, chunk)
    return written


def _rebuild_questions(backend: Any, community_id: int, model: QuestionModel, chunk: int) -> int:
    import_id = last_import_id(backend)
    with tempfile.TemporaryDirectory(prefix="shequn-questions-") as folder:
        path = Path(folder) / "questions.parquet"
        found = _stage_questions(backend, community_id, model, path, chunk)
        _replace_from_parquet(backend, QUESTIONS, path, community_id)
    state = {
        "community_id": [community_id],
        "import_id": [import_id],
        "model_version": [model.version],
        "threshold": [model.threshold],
        "built_at": [datetime.now(UTC).replace(tzinfo=None)],
    }
    _replace(backend, QUESTIONS_STATE, ibis.memtable(state, schema=_STATE_SCHEMA), community_id)
    return found


def _state(backend: Any, community_id: int) -> tuple | None:
    if not (_exists(backend, QUESTIONS_STATE) and _exists(backend, QUESTIONS)):
        return None
    state = backend.table(QUESTIONS_STATE)
    rows = backend.to_pyarrow(state.filter(state.community_id == community_id)).to_pylist()
    if not rows:
        return None
    return rows[0]["import_id"], rows[0]["model_version"], rows[0]["threshold"]


@dataclass(frozen=True)
class _LogView:
    """The few parts of a :class:`~shequn.store.Store` that reading messages for reply links
    needs, over a bare Ibis backend."""

    ibis: Any

    @property
    def engine(self) -> str:
        return str(self.ibis.name)

    @property
    def con(self) -> Any:
        return self.ibis.con

    def table(self, name: str) -> Any:
        return self.ibis.table(name)


def _rebuild_links(log: Store | Any, community_id: int) -> None:
    """Rebuild the community's ``reply_links`` rows: through the store's own writer when there is
    a store, else staged to Parquet by the same code and written through Ibis."""
    if isinstance(log, Store):
        from shequn.classify.replies import build_reply_links

        build_reply_links(log, _community_name(log.ibis, community_id))
        return
    from shequn.classify._replies_table import INFER_CARRIERS, _stage

    with tempfile.TemporaryDirectory(prefix="shequn-qa-links-") as folder:
        path = Path(folder) / "links.parquet"
        _stage(_LogView(log), community_id, path, INFER_CARRIERS, None, _BATCH)
        _replace_from_parquet(log, REPLY_LINKS, path, community_id)


def _community_name(backend: Any, community_id: int) -> str:
    table = backend.table("communities")
    rows = backend.to_pyarrow(table.filter(table.community_id == community_id).select("name")).to_pylist()
    return str(rows[0]["name"])


def ensure_qa_tables(log: Store | Any, community_id: int, *, model: QuestionModel | None = None) -> QaTables:
    """Make the community's ``questions`` and ``reply_links`` current, rebuilding what is missing or
    stale; on a read-only log say what is missing instead (see :class:`QaTables`)."""
    backend = _backend(log)
    model = model or default_model()
    import_id = last_import_id(backend)
    state = _state(backend, community_id)
    links_missing = not _exists(backend, REPLY_LINKS)
    if state == (import_id, model.version, model.threshold) and not links_missing:
        return QaTables()
    new_import = state is None or state[0] != import_id
    try:
        if links_missing or new_import:
            _rebuild_links(log, community_id)
        _rebuild_questions(backend, community_id, model, _BATCH)
    except Exception as exc:
        if not _read_only(exc):
            raise
        missing = [name for name in (QUESTIONS, REPLY_LINKS) if not _exists(backend, name)]
        if not missing:
            return QaTables(problem="the log is read-only and its questions are stale: showing them as last built")
        return QaTables(
            problem=f"the log is read-only and lacks {' and '.join(missing)}: no questions to measure "
            "(open it writable once, e.g. 'shequn qa', to build them)",
            readable=False,
        )
    return QaTables(rebuilt_questions=True, rebuilt_links=links_missing or new_import)
