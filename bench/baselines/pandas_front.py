"""The front page in pandas: vectorised group-bys and joins over the log read into memory.

The steps follow shequn's derived tables, because the catalog's definitions need the same
intermediate facts whatever computes them: flags per member, activity per member, group and
local day, membership spans (joins inferred from first activity), stretches of presence in
the community, each member's first span and activity, and active days with "in at the end of
the day". Days are whole days since 1970-01-01.

What a competent pandas user does with a log this size, and this baseline does: turn reply
links (32-character hash ids) into row numbers while loading, with Arrow's hash lookup, so
that later joins are on integers (pandas' own index over 10 M strings takes longer than the
whole front page); keep nested mentions as Arrow lists and flatten them once; turn "which
stretch covers this day" into one ``searchsorted``. No Python loop runs over events
or members, except to parse the ``attrs`` JSON of the few flag and order events and to build
the output values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pyarrow.compute as pc

from shequn._nogc import collector_paused

from . import (
    ACTIVATION_PERIOD,
    ACTIVE_MIN_DAYS,
    COHORT_WEEKS,
    FAR_DAY,
    INCOME_DAYS,
    LEVEL_WINDOW,
    LEVELS_KEY,
    MONTH,
    TIE_WINDOW,
    WEEK,
    cohort_grid,
    flow_periods,
    flow_rows,
    level_row,
    matrix_rows,
    monday,
    ratio,
    read_log,
)

__all__ = ["Log", "front_page", "load"]

_FLAGS = ("bot", "staff", "protected")


@dataclass
class Log:
    """One community's log as pandas frames.

    ``events``: one row per event; ``replied_row`` is the row of the event a message replies
    to (-1 for none, or not in the log); id columns hold -1 for null; ``event_id`` keeps the
    text, for the rare tie of two membership events at the same time and ``seq``.
    ``mentions``: ``row`` (the event's row in ``events``) and ``identity_id`` per mention.
    ``members``: ``identity_id`` indexing ``member_id``.
    """

    events: pd.DataFrame
    mentions: pd.DataFrame
    members: pd.Series
    tz: str
    params: dict[str, Any]


def load(path: Path | str, community: str) -> Log:
    """Read the community's log into pandas frames (see :class:`Log`)."""
    raw = read_log(path, community)
    ev = raw.events
    # where each reply's message is: pandas hashes 10 M text ids several times slower than Arrow
    replied_row = pc.fill_null(pc.index_in(ev["reply_to_event_id"], value_set=ev["event_id"]), -1)
    frame = pd.DataFrame(
        {
            "group_id": ev["group_id"].to_numpy(),
            "kind": ev["kind"].to_pandas().astype("category"),
            "subkind": ev["subkind"].to_pandas(types_mapper=pd.ArrowDtype),
            "identity_id": ev["identity_id"].to_numpy(),
            "target_identity_id": ev["target_identity_id"].to_numpy(),
            "ts": ev["ts"].to_numpy(),
            "seq": ev["seq"].to_numpy(),
            "import_id": ev["import_id"].to_numpy(),
            "replied_row": replied_row.to_numpy().astype(np.int64),
            "event_id": ev["event_id"].to_pandas(types_mapper=pd.ArrowDtype),
            "attrs": ev["attrs"].to_pandas(types_mapper=pd.ArrowDtype),
        }
    )
    lists = pd.Series(pd.arrays.ArrowExtensionArray(ev["mentions"]))
    lengths = lists.list.len().fillna(0).to_numpy(dtype=np.int64)
    mentions = pd.DataFrame(
        {
            "row": np.repeat(np.arange(len(lengths)), lengths),
            "identity_id": lists.list.flatten().to_numpy(dtype=np.int64),
        }
    )
    im = raw.identity_member
    members = pd.Series(im["member_id"].to_numpy(), index=pd.Index(im["identity_id"].to_numpy()))
    return Log(frame, mentions, members, raw.tz, raw.params)


# -- helpers ----------------------------------------------------------------------------


def _member_of(log: Log, identities: np.ndarray) -> np.ndarray:
    """The member of each identity (``identity_member``), -1 where it has none."""
    found = log.members.index.get_indexer(identities)
    return np.where(found >= 0, log.members.to_numpy()[found], -1)


def _days(ts: pd.Series | np.ndarray, tz: str) -> np.ndarray:
    """Local calendar days (days since 1970-01-01) of naive-UTC timestamps; NaT gives FAR_DAY."""
    index = pd.DatetimeIndex(ts)
    local = index.tz_localize("UTC").tz_convert(tz).tz_localize(None)
    days = local.to_numpy().astype("datetime64[D]").astype(np.int64)
    return np.where(index.isna(), FAR_DAY, days)


def _covered(members: np.ndarray, days: np.ndarray, stretches: pd.DataFrame) -> np.ndarray:
    """For each ``(member, day)``, whether one of the member's stretches covers the end of the day.

    A member's stretches are disjoint, so the one that can cover a day is the last to start
    on or before it: one ``searchsorted`` over ``(member, start_day)`` packed in one integer
    (member code above 22 bits of day: days up to 9999-12-31 fit) finds it.
    """
    ordered = stretches.sort_values(["member_id", "start_day"])
    codes = pd.Index(ordered["member_id"].unique())
    keys = codes.get_indexer(ordered["member_id"]).astype(np.int64) << 22 | ordered["start_day"].to_numpy()
    mine = codes.get_indexer(members).astype(np.int64)
    probe = mine << 22 | days
    at = np.searchsorted(keys, probe, side="right") - 1
    safe = np.clip(at, 0, None)
    same = (at >= 0) & (mine >= 0) & (keys[safe] >> 22 == mine)
    return same & (days < ordered["end_day"].to_numpy()[safe])


def _json_field(texts: pd.Series, key: str) -> list[Any]:
    """Field ``key`` of each ``attrs`` JSON text (None where absent).

    Only flag and order events carry ``attrs`` worth reading, a few thousand in any log, so
    they are parsed one by one: pandas has no vectorised JSON path.
    """
    return [orjson.loads(text).get(key) if isinstance(text, str) else None for text in texts.astype(object)]


def _in_at_end(stretches: pd.DataFrame, day: int) -> pd.Series:
    return (stretches.start_day <= day) & (stretches.end_day > day)


def _members_on(stretches: pd.DataFrame, days: np.ndarray) -> np.ndarray:
    """Members in at the end of each of ``days``: stretches started by then minus those ended."""
    starts = np.sort(stretches.start_day.to_numpy())
    ends = np.sort(stretches.end_day.to_numpy())
    return np.searchsorted(starts, days, side="right") - np.searchsorted(ends, days, side="right")


# -- the derived facts ------------------------------------------------------------------


def _flags(log: Log) -> pd.DataFrame:
    """``member_id, bot, staff, protected``: the latest flag event per member and flag wins."""
    ev = log.events
    mask = (ev.kind == "flag") & ev.subkind.isin(_FLAGS) & (ev.target_identity_id >= 0)
    f = ev.loc[mask, ["subkind", "target_identity_id", "ts", "seq", "import_id", "event_id", "attrs"]]
    f["member_id"] = _member_of(log, f.target_identity_id.to_numpy())
    f = f[f.member_id >= 0]
    f = f.sort_values(["member_id", "subkind", "ts", "seq", "import_id", "event_id"], ascending=False)
    latest = f.drop_duplicates(["member_id", "subkind"])
    value = np.array([v is not False and v != "false" for v in _json_field(latest["attrs"], "value")], dtype=bool)
    subkind = latest.subkind.to_numpy()
    wide = pd.DataFrame(
        {"member_id": latest.member_id.to_numpy()} | {flag: value & (subkind == flag) for flag in _FLAGS}
    )
    return wide.groupby("member_id").any().reset_index()


def _member_day(log: Log, non_humans: np.ndarray) -> pd.DataFrame:
    """Activity per group, member and local day: ``messages``, ``counted`` and the first times.

    (shequn's table has more columns; the front page reads these.)
    """
    ev = log.events
    mask = ev.kind.isin(["message", "reaction"]) & (ev.identity_id >= 0)
    rows = ev.loc[mask, ["group_id", "kind", "identity_id", "ts"]]
    member = _member_of(log, rows.identity_id.to_numpy())
    keep = member >= 0
    rows, member = rows[keep], member[keep]
    is_message = (rows.kind == "message").to_numpy()
    counted = is_message | (rows.kind == "reaction").to_numpy() if log.params["COUNT_REACTIONS"] else is_message
    ts = rows.ts.to_numpy()
    nat = np.datetime64("NaT")
    frame = pd.DataFrame(
        {
            "group_id": rows.group_id.to_numpy(),
            "member_id": member,
            "day": _days(ts, log.tz),
            "messages": is_message.astype(np.int64),
            "counted": counted.astype(np.int64),
            "first_message_ts": np.where(is_message, ts, nat),
            "counted_ts": np.where(counted, ts, nat),
        }
    )
    days = frame.groupby(["group_id", "member_id", "day"], sort=False).agg(
        messages=("messages", "sum"),
        counted=("counted", "sum"),
        first_message_ts=("first_message_ts", "min"),
        first_counted_ts=("counted_ts", "min"),
    )
    days = days.reset_index()
    days["human"] = ~days.member_id.isin(non_humans)
    return days


def _spans(log: Log, member_day: pd.DataFrame, non_humans: np.ndarray) -> pd.DataFrame:
    """Membership spans per group and member: joins open, leaves and removals close, a join
    is inferred at the first counted activity where none was seen before it. Per group and
    member in ``(ts, seq, event id)`` order, an event that does not change the state (a join
    while in, a leave while out) is dropped; each remaining join pairs with the close after it."""
    ev = log.events
    mask = ev.kind.isin(["join", "leave", "removal"]) & (ev.target_identity_id >= 0)
    rows = ev.loc[mask, ["group_id", "kind", "target_identity_id", "ts", "seq", "event_id"]]
    member = _member_of(log, rows.target_identity_id.to_numpy())
    keep = member >= 0
    rows, member = rows[keep], member[keep]
    changes = pd.DataFrame(
        {
            "group_id": rows.group_id.to_numpy(),
            "member_id": member,
            "ts": rows.ts.to_numpy(),
            "seq": rows.seq.to_numpy(),
            "tiebreak": rows.event_id.astype(str).to_numpy(),
            "opens": (rows.kind == "join").to_numpy(),
            "inferred": False,
        }
    )
    first_join = changes[changes.opens].groupby(["group_id", "member_id"]).ts.min().rename("first_join")
    active = member_day[member_day.first_counted_ts.notna()]
    first_activity = active.groupby(["group_id", "member_id"]).first_counted_ts.min().rename("first_ts")
    seen = pd.concat([first_activity, first_join.reindex(first_activity.index)], axis=1)
    unseen = seen[seen.first_join.isna() | (seen.first_join > seen.first_ts)].reset_index()
    inferred = pd.DataFrame(
        {
            "group_id": unseen.group_id,
            "member_id": unseen.member_id,
            "ts": unseen.first_ts,
            "seq": -1,
            "tiebreak": "",
            "opens": True,
            "inferred": True,
        }
    )
    changes = pd.concat([changes, inferred], ignore_index=True)
    changes = changes.sort_values(["group_id", "member_id", "ts", "seq", "tiebreak"], ignore_index=True)
    by_pair = changes.groupby(["group_id", "member_id"], sort=False)
    was_open = by_pair.opens.shift(1, fill_value=False).astype(bool)
    changes = changes[changes.opens != was_open].reset_index(drop=True)
    by_pair = changes.groupby(["group_id", "member_id"], sort=False)
    changes["closed_at"] = by_pair.ts.shift(-1)
    spans = changes[changes.opens].reset_index(drop=True)
    return pd.DataFrame(
        {
            "group_id": spans.group_id,
            "member_id": spans.member_id,
            "opened_at": spans.ts,
            "opened_day": _days(spans.ts.to_numpy(), log.tz),
            "join_inferred": spans.inferred.astype(bool),
            "closed_at": spans.closed_at,
            "closed_day": _days(spans.closed_at.to_numpy(), log.tz),
            "human": ~spans.member_id.isin(non_humans),
        }
    )


def _presence(spans: pd.DataFrame) -> pd.DataFrame:
    """Per member, the disjoint stretches ``[start_day, end_day)`` in the community."""
    s = spans[spans.opened_day < spans.closed_day]
    s = s[["member_id", "opened_day", "closed_day", "human"]]
    s = s.rename(columns={"opened_day": "start", "closed_day": "stop"})
    s = s.sort_values(["member_id", "start", "stop"], ignore_index=True)
    reach = s.groupby("member_id", sort=False).stop.cummax()
    before = reach.groupby(s.member_id, sort=False).shift(1)
    s["stretch"] = (before.isna() | (s.start > before)).astype(np.int64).groupby(s.member_id, sort=False).cumsum()
    out = s.groupby(["member_id", "stretch"], sort=False).agg(
        start_day=("start", "min"), end_day=("stop", "max"), human=("human", "any")
    )
    return out.reset_index()


def _firsts(spans: pd.DataFrame, member_day: pd.DataFrame) -> pd.DataFrame:
    """Per member with a span: first span, whether its join was seen, first activity."""
    firsts = spans.assign(seen_at=spans.opened_at.where(~spans.join_inferred))
    firsts = firsts.groupby("member_id").agg(
        human=("human", "any"),
        first_day=("opened_day", "min"),
        first_at=("opened_at", "min"),
        first_seen_at=("seen_at", "min"),
    )
    active = member_day[member_day.counted > 0]
    active = active.assign(message_day=active.day.where(active.messages > 0))
    activity = active.groupby("member_id").agg(
        first_activity_ts=("first_counted_ts", "min"),
        first_activity_day=("day", "min"),
        first_message_ts=("first_message_ts", "min"),
        first_message_day=("message_day", "min"),
    )
    joined = firsts.join(activity, how="left")
    joined["seen_join"] = joined.first_seen_at.notna() & (joined.first_seen_at == joined.first_at)
    return joined.reset_index()


def _active_days(member_day: pd.DataFrame, stretches: pd.DataFrame) -> pd.DataFrame:
    """Counted activity per member and day over all groups, with ``in_at_end``."""
    active = member_day[member_day.counted > 0]
    days = active.groupby(["member_id", "day"], sort=False).agg(
        counted=("counted", "sum"), messages=("messages", "sum"), human=("human", "any")
    )
    days = days.reset_index()
    days["in_at_end"] = _covered(days.member_id.to_numpy(), days.day.to_numpy(), stretches)
    return days


@dataclass
class _Derived:
    day: int
    non_humans: np.ndarray
    member_day: pd.DataFrame  # human rows only
    spans: pd.DataFrame  # human
    presence: pd.DataFrame  # human
    firsts: pd.DataFrame  # human
    active_days: pd.DataFrame  # human


def _derive(log: Log) -> _Derived:
    flags = _flags(log)
    non_humans = flags.loc[flags.bot | flags.staff, "member_id"].to_numpy()
    member_day = _member_day(log, non_humans)
    spans = _spans(log, member_day, non_humans)
    presence = _presence(spans)
    firsts = _firsts(spans, member_day)
    active_days = _active_days(member_day, presence)
    human_days = member_day[member_day.human]
    day = int(human_days.loc[human_days.counted > 0, "day"].max())
    return _Derived(
        day,
        non_humans,
        human_days,
        spans[spans.human],
        presence[presence.human],
        firsts[firsts.human],
        active_days[active_days.human],
    )


# -- the front page ---------------------------------------------------------------------


def _window(frame: pd.DataFrame, column: str, first: int, last: int) -> pd.DataFrame:
    values = frame[column]
    return frame[(values >= first) & (values <= last)]


def _active_members(d: _Derived, first: int, last: int) -> np.ndarray:
    return _window(d.active_days, "day", first, last).member_id.unique()


def _strong_ties(log: Log, d: _Derived) -> pd.Series:
    """Strong ties per member: pairs with interactions each way on ``STRONG_TIE_DAYS`` days of
    ``(D-90, D]``. An interaction is a reply to, or a mention of, another human member."""
    ev = log.events
    messages = ev.loc[(ev.kind == "message") & (ev.identity_id >= 0), ["identity_id", "ts", "replied_row"]]
    author = _member_of(log, messages.identity_id.to_numpy())
    mapped = author >= 0
    messages, author = messages[mapped], author[mapped]
    rows = messages.index.to_numpy()  # the events' rows, which also name them
    day = _days(messages.ts.to_numpy(), log.tz)
    # who wrote the message in each row (every message, whatever its day): replies find their target here
    writer = np.full(len(ev), -1, dtype=np.int64)
    writer[rows] = author
    replied = messages.replied_row.to_numpy()
    in_window = (day <= d.day) & (day > d.day - TIE_WINDOW)
    replying = in_window & (replied >= 0)
    replies = pd.DataFrame(
        {
            "event": rows[replying],
            "day": day[replying],
            "source": author[replying],
            "target": writer[replied[replying]],
        }
    )
    replies = replies[replies.target >= 0]
    position = pd.Series(np.arange(len(messages)), index=rows)  # event row -> row of ``messages``
    mentions = log.mentions[log.mentions.row.isin(rows)]
    at = position.reindex(mentions.row.to_numpy()).to_numpy()
    mentioned = pd.DataFrame(
        {
            "event": rows[at],
            "day": day[at],
            "source": author[at],
            "target": _member_of(log, mentions.identity_id.to_numpy()),
        }
    )
    mentioned = mentioned[(mentioned.target >= 0) & (mentioned.day <= d.day) & (mentioned.day > d.day - TIE_WINDOW)]
    both = pd.concat([replies, mentioned], ignore_index=True).drop_duplicates()
    both = both[(both.source != both.target) & ~both.source.isin(d.non_humans) & ~both.target.isin(d.non_humans)]
    days = both[["source", "target", "day"]].drop_duplicates()
    per_direction = days.groupby(["source", "target"]).size()
    needed = int(log.params["STRONG_TIE_DAYS"])
    strong_way = per_direction[per_direction >= needed].reset_index()
    back = strong_way.rename(columns={"source": "target", "target": "source"})
    mutual = strong_way.merge(back[["source", "target"]], on=["source", "target"])
    return mutual.groupby("source").size().rename("strong_ties")


def _levels(log: Log, d: _Derived, strong: pd.Series) -> list[dict[str, Any]]:
    day = d.day
    now = d.presence.loc[_in_at_end(d.presence, day), ["member_id"]]
    firsts = d.firsts.set_index("member_id").first_day
    rows = d.active_days[d.active_days.day <= day]
    recent = rows[rows.day > day - LEVEL_WINDOW].groupby("member_id").size()
    last_active = rows.groupby("member_id").day.max()
    facts = pd.DataFrame(
        {
            "member_id": now.member_id.to_numpy(),
            "first_day": firsts.reindex(now.member_id).to_numpy(),
            "active_days_30": recent.reindex(now.member_id, fill_value=0).to_numpy(),
            "strong_ties": strong.reindex(now.member_id, fill_value=0).to_numpy(),
            "last_active": last_active.reindex(now.member_id).to_numpy(),
        }
    )
    p = log.params
    level = np.select(
        [
            facts.first_day > day - int(p["NEWCOMER_DAYS"]),
            (facts.active_days_30 >= int(p["CORE_DAYS"])) & (facts.strong_ties > 0),
            facts.active_days_30 >= ACTIVE_MIN_DAYS,
            facts.last_active > day - int(p["PRUNE_DAYS"]),
        ],
        ["newcomer", "core", "active", "casual"],
        "dormant",
    )
    facts["level"] = pd.Categorical(level, categories=["newcomer", "core", "active", "casual", "dormant"], ordered=True)
    facts = facts.sort_values(["level", "member_id"])
    last = facts.last_active.to_numpy()
    with collector_paused():  # as shequn builds its rows: the output rows hold no cycles
        return [
            level_row(m, lv, int(f), day, int(a), int(s), None if np.isnan(la) else int(la))
            for m, lv, f, a, s, la in zip(
                facts.member_id.tolist(),
                facts.level.astype(str).tolist(),
                facts.first_day.tolist(),
                facts.active_days_30.tolist(),
                facts.strong_ties.tolist(),
                last,
                strict=True,
            )
        ]


def _income(log: Log, day: int) -> dict[str, float]:
    ev = log.events
    orders = ev[ev.kind == "order"]
    frame = pd.DataFrame(
        {
            "day": _days(orders.ts.to_numpy(), log.tz),
            "amount": pd.to_numeric(pd.Series(_json_field(orders["attrs"], "amount"), dtype=object), errors="coerce"),
            "currency": pd.Series(_json_field(orders["attrs"], "currency"), dtype=object).str.upper(),
            "status": pd.Series(_json_field(orders["attrs"], "status"), dtype=object).str.lower(),
        }
    )
    frame = frame[
        (frame.day > day - INCOME_DAYS)
        & (frame.day <= day)
        & frame.status.isin(["paid", "refunded"])
        & frame.amount.notna()
        & frame.currency.notna()
    ]
    signed = np.where(frame.status == "paid", frame.amount.abs(), -frame.amount.abs())
    sums = pd.Series(signed, index=frame.currency.to_numpy()).groupby(level=0).sum()
    return {str(currency): round(float(amount), 2) for currency, amount in sums.items()}


def _cohorts(d: _Derived) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    day = d.day
    grid = cohort_grid(day)
    since = monday(day) - 7 * (COHORT_WEEKS - 1)
    members = _window(d.firsts, "first_day", since, day)
    members = pd.DataFrame({"member_id": members.member_id, "cohort": members.first_day - (members.first_day + 3) % 7})
    sizes = members.groupby("cohort").size()
    acts = _window(d.active_days, "day", since, day)[["member_id", "day"]].merge(members, on="member_id")
    acts = acts.assign(k=(acts.day - acts.cohort) // 7)
    acts = acts[(acts.k >= 0) & (acts.k < COHORT_WEEKS)]
    active_hits = acts.groupby(["cohort", "k"]).member_id.nunique()
    cells = pd.DataFrame(grid, columns=["cohort", "k", "week_last"]).merge(members, on="cohort")
    present = cells[_covered(cells.member_id.to_numpy(), cells.week_last.to_numpy(), d.presence)]
    present_hits = present.groupby(["cohort", "k"]).member_id.nunique()
    size_of = {int(c): int(n) for c, n in sizes.items()}

    def hits(series: pd.Series) -> dict[tuple[int, int], int]:
        return {(int(c), int(k)): int(n) for (c, k), n in series.items()}

    return matrix_rows(grid, size_of, hits(active_hits)), matrix_rows(grid, size_of, hits(present_hits))


def _posters(d: _Derived) -> pd.Series:
    rows = _window(d.active_days, "day", d.day - MONTH + 1, d.day)
    posters = rows.groupby("member_id").messages.sum()
    posters = posters[posters > 0]
    frame = posters.rename("messages").reset_index()
    return frame.sort_values(["messages", "member_id"], ascending=[False, True]).messages.reset_index(drop=True)


def front_page(log: Log) -> dict[str, Any]:
    """Every front-page value and every member's level, keyed as :data:`baselines.FRONT_PAGE`."""
    d = _derive(log)
    day, p = d.day, log.params
    presence, firsts, active = d.presence, d.firsts, d.active_days
    now = presence.loc[_in_at_end(presence, day), "member_id"]
    joined_total = int((firsts.first_day <= day).sum())
    members_now = len(now)
    out: dict[str, Any] = {"joined_total": joined_total, "members_now": members_now}
    out["survival"] = ratio(members_now, joined_total)

    n = int(p["RETENTION_DAYS"])
    cohort = firsts[firsts.first_day <= day - n]
    kept = cohort[["member_id", "first_day"]].merge(presence, on="member_id")
    kept = kept[(kept.start_day <= kept.first_day + n) & (kept.end_day > kept.first_day + n)]
    out[f"retention_{n}"] = ratio(kept.member_id.nunique(), len(cohort))

    n = int(p["ACTIVE_DAYS"])
    days = np.arange(day - n + 1, day + 1)
    on_day = _members_on(presence, days)
    in_active = active[active.in_at_end & (active.day > day - n) & (active.day <= day)]
    active_on = in_active.groupby("day").size().reindex(days, fill_value=0).to_numpy()
    shares = active_on[on_day > 0] / on_day[on_day > 0]
    out[f"active_rate_{n}"] = float(shares.mean()) if len(shares) else None
    window_members = _active_members(d, day - n + 1, day)
    out[f"active_share_{n}"] = ratio(int(now.isin(window_members).sum()), members_now)

    active_today = len(_active_members(d, day, day))
    out["active_today"] = active_today
    out["participation_today"] = ratio(active_today, members_now)
    spans = d.spans
    open_groups = spans.loc[(spans.opened_day <= day) & (spans.closed_day > day), "group_id"].unique()
    md = d.member_day
    busy = md.loc[(md.counted > 0) & (md.day == day), "group_id"].unique()
    out["groups_active_today"] = ratio(int(np.isin(open_groups, busy).sum()), len(open_groups))
    n = int(p["INTERACTION_DAYS"])
    out["interactions_per_day"] = float(_window(md, "day", day - n + 1, day).messages.sum()) / n
    out["income"] = _income(log, day)
    out["wau"] = len(_active_members(d, day - WEEK + 1, day))
    mau = len(_active_members(d, day - MONTH + 1, day))
    out["mau"] = mau
    out["stickiness"] = ratio(len(_window(active, "day", day - MONTH + 1, day)) / MONTH, mau)
    out["new_members"] = len(_window(firsts, "first_day", day - WEEK + 1, day))
    out["left_members"] = int(_window(presence, "end_day", day - WEEK + 1, day).member_id.nunique())
    before = int(_in_at_end(presence, day - WEEK).sum())
    out["net_growth"] = members_now - before

    periods = flow_periods(day)
    new = [int(_window(firsts, "first_day", a, b).member_id.nunique()) for a, b in periods]
    left = [int(_window(presence, "end_day", a, b).member_id.nunique()) for a, b in periods]
    members_at = _members_on(presence, np.array([b for _, b in periods])).tolist()
    out["membership_flow"] = flow_rows(periods, new, left, members_at)
    out["cohort_activity"], out["cohort_presence"] = _cohorts(d)

    wait = int(p["ACTIVATION_DAYS"])
    last = day - wait
    population = firsts[firsts.seen_join & (firsts.first_day > last - ACTIVATION_PERIOD) & (firsts.first_day <= last)]
    activated = population[
        (population.first_activity_day <= day)
        & (population.first_activity_ts <= population.first_at + pd.Timedelta(days=wait))
    ]
    out["activation_rate"] = ratio(len(activated), len(population))
    posted = population[population.first_message_day <= day]
    hours = (posted.first_message_ts - posted.first_at).dt.total_seconds() / 3600.0
    out["time_to_first_message"] = float(hours.median()) if len(hours) else None
    settled = firsts[firsts.first_day < day - wait]
    population = settled[settled.member_id.isin(now)]
    silent = population.first_activity_day.isna() | (population.first_activity_day > day)
    out["lurker_share"] = ratio(int(silent.sum()), len(population))

    ranked = _posters(d)
    total = int(ranked.sum())
    top = (len(ranked) + 9) // 10
    out["top10_share"] = ratio(int(ranked.iloc[:top].sum()), total)
    earlier = ranked.cumsum() - ranked
    needed = int((earlier * 2 < total).sum())
    out["absence_factor"] = needed or None

    strong = _strong_ties(log, d)
    tie_active = _active_members(d, day - TIE_WINDOW + 1, day)
    with_tie = strong.index[strong > 0]
    out["strong_tie_share"] = ratio(int(np.isin(tie_active, with_tie).sum()), len(tie_active))
    out[LEVELS_KEY] = _levels(log, d, strong)
    return out
