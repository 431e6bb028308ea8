"""The front page in Polars: expressions, group-bys and joins over the log read into memory.

The same steps as :mod:`baselines.pandas_front` (shequn's derived facts, then the values),
written the way Polars wants them: column expressions with ``over`` for the per-span
ordering, ``join_asof`` for "which stretch covers this day", joins on the text ids as they
are (Polars hashes strings fast), and ``json_path_match`` for the few ``attrs`` fields.
Days are whole days since 1970-01-01.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from shequn._nogc import collector_paused

from . import (
    ACTIVATION_PERIOD,
    ACTIVE_MIN_DAYS,
    COHORT_WEEKS,
    FAR_DAY,
    INCOME_DAYS,
    LEVEL_WINDOW,
    LEVELS,
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
    """One community's log as Polars frames: ``events`` (id columns -1 for null) and
    ``members`` (``identity_id, member_id``)."""

    events: pl.DataFrame
    members: pl.DataFrame
    tz: str
    params: dict[str, Any]


def load(path: Path | str, community: str) -> Log:
    """Read the community's log into Polars frames (see :class:`Log`)."""
    raw = read_log(path, community)
    return Log(pl.from_arrow(raw.events), pl.from_arrow(raw.identity_member), raw.tz, raw.params)


# -- helpers ----------------------------------------------------------------------------


def _day(column: str | pl.Expr, tz: str) -> pl.Expr:
    """The local calendar day (days since 1970-01-01) of a naive-UTC timestamp column."""
    expr = pl.col(column) if isinstance(column, str) else column
    local = expr.dt.replace_time_zone("UTC").dt.convert_time_zone(tz)
    return local.dt.date().cast(pl.Int64)


def _with_member(frame: pl.DataFrame, log: Log, identity: str) -> pl.DataFrame:
    """``frame`` with the ``member_id`` of its ``identity`` column (rows without one dropped)."""
    return frame.join(log.members.rename({"identity_id": identity}), on=identity, how="inner")


def _between(column: str, first: int, last: int) -> pl.Expr:
    return pl.col(column).is_between(first, last, closed="both")


def _in_at_end(day: int | pl.Expr) -> pl.Expr:
    return (pl.col("start_day") <= day) & (pl.col("end_day") > day)


def _covered(frame: pl.DataFrame, day: str, stretches: pl.DataFrame) -> pl.Series:
    """For each row of ``frame`` (``member_id`` and a day column), whether one of the member's
    stretches covers the end of that day: the last stretch to start on or before it must
    still run (a member's stretches are disjoint)."""
    probe = frame.select("member_id", pl.col(day).alias("probe_day")).with_row_index("row").sort("probe_day")
    found = probe.join_asof(
        stretches.select("member_id", "start_day", "end_day").sort("start_day"),
        left_on="probe_day",
        right_on="start_day",
        by="member_id",
        strategy="backward",
        check_sortedness=False,  # both sides are sorted on the day above; Polars cannot check it per member
    )
    found = found.sort("row")
    return (found["end_day"].is_not_null() & (found["probe_day"] < found["end_day"])).alias("covered")


def _members_on(stretches: pl.DataFrame, days: list[int]) -> list[int]:
    """Members in at the end of each of ``days``: stretches started by then minus those ended."""
    starts = stretches["start_day"].sort()
    ends = stretches["end_day"].sort()
    queries = pl.Series(days, dtype=pl.Int64)
    began = starts.search_sorted(queries, side="right")
    ended = ends.search_sorted(queries, side="right")
    return (began.cast(pl.Int64) - ended.cast(pl.Int64)).to_list()


# -- the derived facts ------------------------------------------------------------------


def _flags(log: Log) -> pl.DataFrame:
    """``member_id, bot, staff, protected``: the latest flag event per member and flag wins."""
    ev = log.events
    f = ev.filter((pl.col("kind") == "flag") & pl.col("subkind").is_in(_FLAGS) & (pl.col("target_identity_id") >= 0))
    f = _with_member(f, log, "target_identity_id")
    f = f.sort(["ts", "seq", "import_id", "event_id"], descending=True)
    latest = f.unique(["member_id", "subkind"], keep="first", maintain_order=True)
    value = pl.col("attrs").str.json_path_match("$.value").fill_null("true") != "false"
    return latest.group_by("member_id").agg(**{flag: (value & (pl.col("subkind") == flag)).any() for flag in _FLAGS})


def _member_day(log: Log, non_humans: pl.Series) -> pl.DataFrame:
    """Activity per group, member and local day: ``messages``, ``counted`` and the first times."""
    ev = log.events
    rows = ev.filter(pl.col("kind").is_in(["message", "reaction"]) & (pl.col("identity_id") >= 0))
    rows = _with_member(rows.select("group_id", "kind", "identity_id", "ts"), log, "identity_id")
    is_message = pl.col("kind") == "message"
    counted = is_message | (pl.col("kind") == "reaction") if log.params["COUNT_REACTIONS"] else is_message
    rows = rows.with_columns(day=_day("ts", log.tz), is_message=is_message, counted=counted)
    days = rows.group_by(["group_id", "member_id", "day"]).agg(
        messages=pl.col("is_message").sum(),
        counted=pl.col("counted").sum(),
        first_message_ts=pl.col("ts").filter(pl.col("is_message")).min(),
        first_counted_ts=pl.col("ts").filter(pl.col("counted")).min(),
    )
    return days.with_columns(human=~pl.col("member_id").is_in(non_humans.implode()))


def _spans(log: Log, member_day: pl.DataFrame, non_humans: pl.Series) -> pl.DataFrame:
    """Membership spans per group and member (see :func:`baselines.pandas_front._spans`)."""
    ev = log.events
    rows = ev.filter(pl.col("kind").is_in(["join", "leave", "removal"]) & (pl.col("target_identity_id") >= 0))
    rows = _with_member(rows, log, "target_identity_id")
    changes = rows.select(
        "group_id",
        "member_id",
        "ts",
        "seq",
        tiebreak=pl.col("event_id"),
        opens=pl.col("kind") == "join",
        inferred=pl.lit(False),
    )
    first_join = changes.filter("opens").group_by(["group_id", "member_id"]).agg(first_join=pl.col("ts").min())
    first_activity = (
        member_day.filter(pl.col("first_counted_ts").is_not_null())
        .group_by(["group_id", "member_id"])
        .agg(first_ts=pl.col("first_counted_ts").min())
    )
    seen = first_activity.join(first_join, on=["group_id", "member_id"], how="left")
    unseen = seen.filter(pl.col("first_join").is_null() | (pl.col("first_join") > pl.col("first_ts")))
    inferred = unseen.select(
        "group_id",
        "member_id",
        ts=pl.col("first_ts"),
        seq=pl.lit(-1, pl.Int64),
        tiebreak=pl.lit(""),
        opens=pl.lit(True),
        inferred=pl.lit(True),
    )
    pair = ["group_id", "member_id"]
    changes = pl.concat([changes, inferred], how="vertical_relaxed").sort([*pair, "ts", "seq", "tiebreak"])
    changes = changes.filter(pl.col("opens") != pl.col("opens").shift(1).over(pair).fill_null(False))
    changes = changes.with_columns(closed_at=pl.col("ts").shift(-1).over(pair))
    spans = changes.filter("opens")
    return spans.select(
        "group_id",
        "member_id",
        opened_at=pl.col("ts"),
        opened_day=_day("ts", log.tz),
        join_inferred=pl.col("inferred"),
        closed_day=_day("closed_at", log.tz).fill_null(FAR_DAY),
        human=~pl.col("member_id").is_in(non_humans.implode()),
    )


def _presence(spans: pl.DataFrame) -> pl.DataFrame:
    """Per member, the disjoint stretches ``[start_day, end_day)`` in the community."""
    s = spans.filter(pl.col("opened_day") < pl.col("closed_day"))
    s = s.select("member_id", "human", start=pl.col("opened_day"), stop=pl.col("closed_day"))
    s = s.sort(["member_id", "start", "stop"])
    reach = pl.col("stop").cum_max().shift(1).over("member_id")
    s = s.with_columns(new=(reach.is_null() | (pl.col("start") > reach)).cast(pl.Int64))
    s = s.with_columns(stretch=pl.col("new").cum_sum().over("member_id"))
    return s.group_by(["member_id", "stretch"]).agg(
        start_day=pl.col("start").min(), end_day=pl.col("stop").max(), human=pl.col("human").any()
    )


def _firsts(spans: pl.DataFrame, member_day: pl.DataFrame) -> pl.DataFrame:
    """Per member with a span: first span, whether its join was seen, first activity."""
    firsts = spans.group_by("member_id").agg(
        human=pl.col("human").any(),
        first_day=pl.col("opened_day").min(),
        first_at=pl.col("opened_at").min(),
        first_seen_at=pl.col("opened_at").filter(~pl.col("join_inferred")).min(),
    )
    activity = (
        member_day.filter(pl.col("counted") > 0)
        .group_by("member_id")
        .agg(
            first_activity_ts=pl.col("first_counted_ts").min(),
            first_activity_day=pl.col("day").min(),
            first_message_ts=pl.col("first_message_ts").min(),
            first_message_day=pl.col("day").filter(pl.col("messages") > 0).min(),
        )
    )
    joined = firsts.join(activity, on="member_id", how="left")
    seen = pl.col("first_seen_at").is_not_null() & (pl.col("first_seen_at") == pl.col("first_at"))
    return joined.with_columns(seen_join=seen.fill_null(False))


def _active_days(member_day: pl.DataFrame, stretches: pl.DataFrame) -> pl.DataFrame:
    """Counted activity per member and day over all groups, with ``in_at_end``."""
    days = (
        member_day.filter(pl.col("counted") > 0)
        .group_by(["member_id", "day"])
        .agg(counted=pl.col("counted").sum(), messages=pl.col("messages").sum(), human=pl.col("human").any())
    )
    return days.with_columns(in_at_end=_covered(days, "day", stretches))


@dataclass
class _Derived:
    day: int
    non_humans: pl.Series
    member_day: pl.DataFrame  # human rows only
    spans: pl.DataFrame  # human
    presence: pl.DataFrame  # human
    firsts: pl.DataFrame  # human
    active_days: pl.DataFrame  # human


def _derive(log: Log) -> _Derived:
    flags = _flags(log)
    non_humans = flags.filter(pl.col("bot") | pl.col("staff"))["member_id"]
    member_day = _member_day(log, non_humans)
    spans = _spans(log, member_day, non_humans)
    presence = _presence(spans)
    firsts = _firsts(spans, member_day)
    active_days = _active_days(member_day, presence)
    human_days = member_day.filter("human")
    day = human_days.filter(pl.col("counted") > 0)["day"].max()
    return _Derived(
        int(day),
        non_humans,
        human_days,
        spans.filter("human"),
        presence.filter("human"),
        firsts.filter("human"),
        active_days.filter("human"),
    )


# -- the front page ---------------------------------------------------------------------


def _active_members(d: _Derived, first: int, last: int) -> pl.Series:
    return d.active_days.filter(_between("day", first, last))["member_id"].unique()


def _strong_ties(log: Log, d: _Derived) -> pl.DataFrame:
    """``member_id, strong_ties``: pairs with interactions each way on ``STRONG_TIE_DAYS`` days
    of ``(D-90, D]``. An interaction is a reply to, or a mention of, another human member."""
    ev = log.events
    messages = ev.filter((pl.col("kind") == "message") & (pl.col("identity_id") >= 0))
    messages = _with_member(messages.select("event_id", "identity_id", "ts", "reply_to_event_id", "mentions"), log,
                            "identity_id")  # fmt: skip
    writers = messages.select("event_id", target=pl.col("member_id"))
    recent = messages.with_columns(day=_day("ts", log.tz)).filter(_between("day", d.day - TIE_WINDOW + 1, d.day))
    replies = recent.filter(pl.col("reply_to_event_id").is_not_null()).join(
        writers, left_on="reply_to_event_id", right_on="event_id", how="inner"
    )
    replies = replies.select("event_id", "day", source=pl.col("member_id"), target=pl.col("target"))
    mentions = recent.filter(pl.col("mentions").is_not_null()).select(
        "event_id", "day", source=pl.col("member_id"), mentioned=pl.col("mentions")
    )
    mentions = mentions.explode("mentioned").join(
        log.members.rename({"identity_id": "mentioned", "member_id": "target"}), on="mentioned", how="inner"
    )
    both = pl.concat([replies, mentions.select("event_id", "day", "source", "target")]).unique()
    humans = ~pl.col("source").is_in(d.non_humans.implode()) & ~pl.col("target").is_in(d.non_humans.implode())
    both = both.filter((pl.col("source") != pl.col("target")) & humans)
    per_direction = both.select("source", "target", "day").unique().group_by(["source", "target"]).len()
    strong_way = per_direction.filter(pl.col("len") >= int(log.params["STRONG_TIE_DAYS"])).select("source", "target")
    back = strong_way.rename({"source": "target", "target": "source"})
    mutual = strong_way.join(back, on=["source", "target"], how="inner")
    return mutual.group_by("source").len().select(member_id=pl.col("source"), strong_ties=pl.col("len"))


def _levels(log: Log, d: _Derived, strong: pl.DataFrame) -> list[dict[str, Any]]:
    day, p = d.day, log.params
    now = d.presence.filter(_in_at_end(day)).select("member_id")
    rows = d.active_days.filter(pl.col("day") <= day)
    activity = rows.group_by("member_id").agg(
        active_days_30=(pl.col("day") > day - LEVEL_WINDOW).sum(), last_active=pl.col("day").max()
    )
    facts = (
        now.join(d.firsts.select("member_id", "first_day"), on="member_id", how="left")
        .join(activity, on="member_id", how="left")
        .join(strong, on="member_id", how="left")
        .with_columns(pl.col("active_days_30").fill_null(0), pl.col("strong_ties").fill_null(0))
    )
    level = (
        pl.when(pl.col("first_day") > day - int(p["NEWCOMER_DAYS"]))
        .then(pl.lit("newcomer"))
        .when((pl.col("active_days_30") >= int(p["CORE_DAYS"])) & (pl.col("strong_ties") > 0))
        .then(pl.lit("core"))
        .when(pl.col("active_days_30") >= ACTIVE_MIN_DAYS)
        .then(pl.lit("active"))
        .when(pl.col("last_active") > day - int(p["PRUNE_DAYS"]))
        .then(pl.lit("casual"))
        .otherwise(pl.lit("dormant"))
    )
    facts = facts.with_columns(level=level.cast(pl.Enum(LEVELS))).sort(["level", "member_id"])
    with collector_paused():  # as shequn builds its rows: the output rows hold no cycles
        return [
            level_row(m, str(lv), f, day, a, s, la)
            for m, lv, f, a, s, la in facts.select(
                "member_id", "level", "first_day", "active_days_30", "strong_ties", "last_active"
            ).iter_rows()
        ]


def _income(log: Log, day: int) -> dict[str, float]:
    orders = log.events.filter(pl.col("kind") == "order")
    orders = orders.select(
        day=_day("ts", log.tz),
        amount=pl.col("attrs").str.json_path_match("$.amount").cast(pl.Float64, strict=False),
        currency=pl.col("attrs").str.json_path_match("$.currency").str.to_uppercase(),
        status=pl.col("attrs").str.json_path_match("$.status").str.to_lowercase(),
    )
    orders = orders.filter(
        _between("day", day - INCOME_DAYS + 1, day)
        & pl.col("status").is_in(["paid", "refunded"])
        & pl.col("amount").is_not_null()
        & pl.col("currency").is_not_null()
    )
    signed = pl.when(pl.col("status") == "paid").then(pl.col("amount").abs()).otherwise(-pl.col("amount").abs())
    sums = orders.group_by("currency").agg(amount=signed.sum())
    return {currency: round(float(amount), 2) for currency, amount in sums.iter_rows()}


def _cohorts(d: _Derived) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    day = d.day
    grid = cohort_grid(day)
    since = monday(day) - 7 * (COHORT_WEEKS - 1)
    members = d.firsts.filter(_between("first_day", since, day)).select(
        "member_id", cohort=pl.col("first_day") - (pl.col("first_day") + 3) % 7
    )
    sizes = {c: n for c, n in members.group_by("cohort").len().iter_rows()}
    acts = d.active_days.filter(_between("day", since, day)).select("member_id", "day").join(members, on="member_id")
    acts = acts.with_columns(k=(pl.col("day") - pl.col("cohort")) // 7).filter(
        pl.col("k").is_between(0, COHORT_WEEKS - 1)
    )
    active_hits = acts.group_by(["cohort", "k"]).agg(pl.col("member_id").n_unique())
    cells = pl.DataFrame(grid, schema=["cohort", "k", "week_last"], orient="row").join(members, on="cohort")
    present = cells.filter(_covered(cells, "week_last", d.presence))
    present_hits = present.group_by(["cohort", "k"]).agg(pl.col("member_id").n_unique())

    def hits(frame: pl.DataFrame) -> dict[tuple[int, int], int]:
        return {(c, k): n for c, k, n in frame.iter_rows()}

    return matrix_rows(grid, sizes, hits(active_hits)), matrix_rows(grid, sizes, hits(present_hits))


def front_page(log: Log) -> dict[str, Any]:
    """Every front-page value and every member's level, keyed as :data:`baselines.FRONT_PAGE`."""
    d = _derive(log)
    day, p = d.day, log.params
    presence, firsts, active = d.presence, d.firsts, d.active_days
    now = presence.filter(_in_at_end(day)).select("member_id")
    joined_total = firsts.filter(pl.col("first_day") <= day).height
    members_now = now.height
    out: dict[str, Any] = {"joined_total": joined_total, "members_now": members_now}
    out["survival"] = ratio(members_now, joined_total)

    n = int(p["RETENTION_DAYS"])
    cohort = firsts.filter(pl.col("first_day") <= day - n).select("member_id", "first_day")
    kept = cohort.join(presence, on="member_id").filter(_in_at_end(pl.col("first_day") + n))
    out[f"retention_{n}"] = ratio(kept["member_id"].n_unique(), cohort.height)

    n = int(p["ACTIVE_DAYS"])
    days = list(range(day - n + 1, day + 1))
    on_day = pl.DataFrame({"day": days, "members": _members_on(presence, days)}, schema_overrides={"day": pl.Int64})
    active_on = active.filter(pl.col("in_at_end") & _between("day", day - n + 1, day)).group_by("day").len()
    per_day = on_day.filter(pl.col("members") > 0).join(active_on, on="day", how="left")
    shares = per_day.select(pl.col("len").fill_null(0) / pl.col("members"))
    out[f"active_rate_{n}"] = shares.to_series().mean() if shares.height else None
    window_members = _active_members(d, day - n + 1, day)
    out[f"active_share_{n}"] = ratio(
        now.filter(pl.col("member_id").is_in(window_members.implode())).height, members_now
    )

    active_today = _active_members(d, day, day).len()
    out["active_today"] = active_today
    out["participation_today"] = ratio(active_today, members_now)
    open_groups = d.spans.filter((pl.col("opened_day") <= day) & (pl.col("closed_day") > day))["group_id"].unique()
    md = d.member_day
    busy = md.filter((pl.col("counted") > 0) & (pl.col("day") == day))["group_id"].unique()
    out["groups_active_today"] = ratio(open_groups.is_in(busy.implode()).sum(), open_groups.len())
    n = int(p["INTERACTION_DAYS"])
    out["interactions_per_day"] = float(md.filter(_between("day", day - n + 1, day))["messages"].sum()) / n
    out["income"] = _income(log, day)
    out["wau"] = _active_members(d, day - WEEK + 1, day).len()
    mau = _active_members(d, day - MONTH + 1, day).len()
    out["mau"] = mau
    out["stickiness"] = ratio(active.filter(_between("day", day - MONTH + 1, day)).height / MONTH, mau)
    out["new_members"] = firsts.filter(_between("first_day", day - WEEK + 1, day)).height
    out["left_members"] = presence.filter(_between("end_day", day - WEEK + 1, day))["member_id"].n_unique()
    out["net_growth"] = members_now - presence.filter(_in_at_end(day - WEEK)).height

    periods = flow_periods(day)
    new = [firsts.filter(_between("first_day", a, b))["member_id"].n_unique() for a, b in periods]
    left = [presence.filter(_between("end_day", a, b))["member_id"].n_unique() for a, b in periods]
    out["membership_flow"] = flow_rows(periods, new, left, _members_on(presence, [b for _, b in periods]))
    out["cohort_activity"], out["cohort_presence"] = _cohorts(d)

    wait = int(p["ACTIVATION_DAYS"])
    last = day - wait
    population = firsts.filter(pl.col("seen_join") & _between("first_day", last - ACTIVATION_PERIOD + 1, last))
    activated = population.filter(
        (pl.col("first_activity_day") <= day)
        & (pl.col("first_activity_ts") <= pl.col("first_at") + pl.duration(days=wait))
    )
    out["activation_rate"] = ratio(activated.height, population.height)
    posted = population.filter(pl.col("first_message_day") <= day)
    hours = (pl.col("first_message_ts") - pl.col("first_at")).dt.total_microseconds() / 3_600_000_000
    out["time_to_first_message"] = posted.select(hours.median()).item() if posted.height else None
    settled = firsts.filter(pl.col("first_day") < day - wait).join(now, on="member_id")
    silent = settled.filter(pl.col("first_activity_day").is_null() | (pl.col("first_activity_day") > day))
    out["lurker_share"] = ratio(silent.height, settled.height)

    posters = (
        active.filter(_between("day", day - MONTH + 1, day))
        .group_by("member_id")
        .agg(messages=pl.col("messages").sum())
        .filter(pl.col("messages") > 0)
        .sort(["messages", "member_id"], descending=[True, False])
    )
    total = int(posters["messages"].sum())
    top = (posters.height + 9) // 10
    out["top10_share"] = ratio(int(posters["messages"].head(top).sum()), total)
    earlier = posters["messages"].cum_sum() - posters["messages"]
    out["absence_factor"] = int((earlier * 2 < total).sum()) or None

    strong = _strong_ties(log, d)
    tie_active = _active_members(d, day - TIE_WINDOW + 1, day)
    with_tie = strong.filter(pl.col("strong_ties") > 0)["member_id"]
    out["strong_tie_share"] = ratio(tie_active.is_in(with_tie.implode()).sum(), tie_active.len())
    out[LEVELS_KEY] = _levels(log, d, strong)
    return out
