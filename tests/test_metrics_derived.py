"""Derived tables: rebuilt when the log or the settings change, per community, never stale."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from metrics_fixtures import QUIET, LogBuilder, value
from shequn.metrics import DERIVED_TABLES, compute, context_for, refresh_derived
from shequn.metrics.derived import derived_state, last_import_id
from shequn.store import Store

pytestmark = QUIET


def two_members() -> LogBuilder:
    log = LogBuilder()
    log.join("A", "ann", "2024-03-01").messages("A", "ann", "2024-03-02")
    log.join("A", "bob", "2024-03-01")
    return log


def test_import_then_refresh_records_what_was_built(store: Store) -> None:
    two_members().write(store)
    com = store.community("c")
    state = refresh_derived(store.ibis, com.community_id, com.timezone)
    assert (state.import_id, state.tz, state.count_reactions) == (1, "UTC", False)
    assert derived_state(store.ibis, com.community_id) == state
    tables = {r[0] for r in store.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert set(DERIVED_TABLES) <= tables


def test_a_new_import_makes_the_tables_stale(store: Store) -> None:
    two_members().write(store)
    assert value(context_for(store, "c"), "members_now") == 2
    more = LogBuilder()
    more.join("A", "cat", "2024-03-02 08:00")
    more.write(store)
    # a fresh context sees import 2 and rebuilds before reading
    ctx = context_for(store, "c")
    assert value(ctx, "members_now") == 3
    assert ctx.state.import_id == last_import_id(store.ibis) == 2


def test_a_re_import_that_adds_nothing_keeps_the_tables(store: Store) -> None:
    two_members().write(store)
    built = context_for(store, "c").state
    two_members().write(store)  # the same events again: import 2 adds nothing
    assert store.con.execute("SELECT count(*) FROM imports WHERE status = 'done'").fetchall()[0][0] == 2
    assert (last_import_id(store.ibis), context_for(store, "c").state) == (1, built)


def test_cached_values_follow_the_log(store: Store) -> None:
    two_members().write(store)
    first = compute(context_for(store, "c"), ["members_now", "joined_total"])
    again = compute(context_for(store, "c"), ["members_now", "joined_total"])
    assert first == again and first["members_now"].value == 2
    more = LogBuilder()
    more.join("A", "cat", "2024-03-02 08:00")
    more.write(store)
    # the cache key holds the last import: the new member is counted at once
    assert compute(context_for(store, "c"), ["members_now"])["members_now"].value == 3
    # and as_of is part of the key
    earlier = compute(context_for(store, "c", as_of=date(2024, 2, 1)), ["members_now"])
    assert (earlier["members_now"].value, earlier["members_now"].as_of) == (0, date(2024, 2, 1))


def test_changed_settings_rebuild(store: Store) -> None:
    log = LogBuilder()
    post = log.message("A", "ann", "2024-03-05 10:00")
    log.reaction("A", "bob", "2024-03-05 11:00", on=post)
    log.messages("A", "cat", "2024-03-05 20:00")  # 04:00 on 03-06 in Shanghai
    log.write(store)
    assert value(context_for(store, "c"), "active_today") == 2  # ann, cat on 03-05 UTC
    on = context_for(store, "c", overrides={"COUNT_REACTIONS": True})
    assert (value(on, "active_today"), on.state.count_reactions) == (3, True)
    com = store.community("c")
    store.set_setting(com, "TIMEZONE", "Asia/Shanghai")
    shanghai = context_for(store, "c")
    assert (shanghai.day, value(shanghai, "active_today"), shanghai.state.tz) == (date(2024, 3, 6), 1, "Asia/Shanghai")


def test_communities_keep_their_own_rows(store: Store) -> None:
    two_members().write(store, community="one")
    other = LogBuilder()
    other.join("Z", "zed", "2024-04-01").messages("Z", "zed", "2024-04-02")
    other.write(store, community="two", timezone="Asia/Shanghai")
    one, two = context_for(store, "one"), context_for(store, "two")
    assert (value(one, "members_now"), value(two, "members_now")) == (2, 1)
    # rebuilding one community leaves the other's rows in place
    refresh_derived(store.ibis, one.community_id, "UTC")
    rows = dict(store.con.execute("SELECT community_id, count(*) FROM spans GROUP BY 1").fetchall())
    assert rows == {one.community_id: 2, two.community_id: 1}
    assert value(context_for(store, "two"), "joined_total") == 1


def test_read_only_log_builds_session_tables(tmp_path: Path) -> None:
    path = tmp_path / "ro.duckdb"
    with Store(path) as store:
        two_members().write(store)
    with Store(path, read_only=True) as store:
        ctx = context_for(store, "c")
        assert (value(ctx, "members_now"), value(ctx, "active_today")) == (2, 1)
    with Store(path) as store:
        tables = {r[0] for r in store.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    # the read-only session wrote nothing into the file
    assert not set(DERIVED_TABLES) & tables


def test_empty_community_has_nothing_to_measure(store: Store) -> None:
    from shequn.errors import ShequnError

    store.ensure_community("c")
    with pytest.raises(ShequnError, match="nothing to measure"):
        _ = context_for(store, "c").day
    # with a day given, the numbers are simply zero
    assert value(context_for(store, "c", as_of=date(2024, 1, 1)), "joined_total") == 0
