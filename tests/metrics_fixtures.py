"""Small hand-made logs for metric tests, built from code through the store's one writer.

A :class:`LogBuilder` collects events in the words of the catalog (join, leave, message,
flag, order…) with readable times, and :func:`write` imports them with
``Store.import_records``, exactly as an importer's records would be. The ``measure`` fixture
turns a builder into a :class:`~shequn.metrics.MetricContext`; it is the one place a test
gets an engine from, so the same tests can later run on other engines by parametrising it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from shequn.metrics import MetricContext, context_for, evaluate, lookup
from shequn.model import Chat, Event
from shequn.store import ImportMeta, Store

__all__ = ["CARRIER", "QUIET", "SHARED_METRICS", "LogBuilder", "measure", "utc", "value"]

CARRIER = "telegram"
#: The shared catalog that ``docs/metrics.md`` copies (absent outside the project's machines).
SHARED_METRICS = Path(__file__).resolve().parents[2] / "shared" / "METRICS.md"
META = ImportMeta(path="built.json", size=1, sha256="0", importer="test", importer_version="1")


def utc(when: str) -> int:
    """Epoch microseconds of ``"YYYY-MM-DD HH:MM"`` (or a bare day, at noon) read as UTC."""
    text = when if " " in when else f"{when} 12:00"
    moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


@dataclass
class LogBuilder:
    """Events of one carrier's chats, named by group and member, with UTC times as text."""

    events: list[Event] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    def _add(self, group: str, kind: str, when: str, **fields: Any) -> Event:
        if group not in self.groups:
            self.groups.append(group)
        seq = len(self.events) + 1
        who = fields.get("target_id") or fields.get("actor_id")
        key = f"{kind}:{who}:{when}:{seq}"  # distinct across builders, so a second import adds its events
        event = Event(chat_id=group, key=key, kind=kind, ts_us=utc(when), seq=seq, pos=f"#{seq}", **fields)
        self.events.append(event)
        return event

    def join(self, group: str, member: str, when: str, how: str = "link") -> LogBuilder:
        self._add(group, "join", when, subkind=how, actor_id=member, target_id=member)
        return self

    def leave(self, group: str, member: str, when: str) -> LogBuilder:
        self._add(group, "leave", when, actor_id=member, target_id=member)
        return self

    def removal(self, group: str, member: str, when: str, reason: str = "admin") -> LogBuilder:
        self._add(group, "removal", when, subkind=reason, actor_id="admin", target_id=member)
        return self

    def message(
        self, group: str, member: str, when: str, *, reply_to: Event | None = None, text: str = "hello"
    ) -> Event:
        return self._add(
            group,
            "message",
            when,
            subkind="text",
            actor_id=member,
            text=text,
            reply_to_key=reply_to.key if reply_to is not None else None,
        )

    def messages(self, group: str, member: str, *whens: str) -> LogBuilder:
        for when in whens:
            self.message(group, member, when)
        return self

    def reaction(self, group: str, member: str, when: str, on: Event) -> LogBuilder:
        self._add(group, "reaction", when, subkind="emoji", actor_id=member, target_id=on.actor_id, reply_to_key=on.key)
        return self

    def flag(self, group: str, member: str, flag: str, when: str, value: bool = True) -> LogBuilder:
        self._add(group, "flag", when, subkind=flag, actor_id="admin", target_id=member, attrs={"value": value})
        return self

    def order(self, group: str, member: str, when: str, amount: float, currency: str, status: str) -> LogBuilder:
        attrs = {"amount": amount, "currency": currency, "status": status}
        self._add(group, "order", when, actor_id=member, attrs=attrs)
        return self

    def write(self, store: Store, community: str = "c", timezone: str = "UTC") -> None:
        """Import the events (one file) into ``community``, created with ``timezone``."""
        com = store.ensure_community(community, timezone)
        chats = [Chat(carrier=CARRIER, native_id=g, name=g) for g in self.groups]
        store.import_records(iter([*chats, *self.events]), community=com, meta=META)


def value(ctx: MetricContext, name: str) -> Any:
    """One metric's value, computed afresh (no cache) through its catalog entry."""
    metric, overrides = lookup(name)
    if overrides:
        ctx = dataclasses.replace(ctx, params={**ctx.params, **overrides})
    return evaluate(ctx, metric)


Measure = Callable[..., MetricContext]


#: Warnings of the installed Ibis about DuckDB's renamed Arrow call: noise in every metric test.
QUIET = pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")


@pytest.fixture(scope="module", params=["duckdb"])
def measure(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Measure]:
    """``measure(builder, as_of=None, groups=None, timezone="UTC", **settings) -> MetricContext``.

    Each call writes the builder's log into a fresh store of the engine under test
    (``request.param``; DuckDB for now). Another engine plugs in here: copy the DuckDB store
    to it (``load_log`` in ``tests/engines.py``) and pass the backend it returns to
    :func:`~shequn.metrics.context_for`, which takes an Ibis backend as well as a store.
    """
    tmp_path: Path = tmp_path_factory.mktemp(request.param)
    stores: list[Store] = []

    def build(
        log: LogBuilder,
        *,
        as_of: date | None = None,
        groups: list[str] | None = None,
        timezone: str = "UTC",
        **settings: Any,
    ) -> MetricContext:
        store = Store(tmp_path / f"log{len(stores)}.duckdb")
        stores.append(store)
        log.write(store, timezone=timezone)
        return context_for(store, "c", as_of=as_of, groups=groups, overrides=settings or None)

    yield build
    for store in stores:
        store.close()
