"""The report's own words in English and Chinese (``--lang en|zh``).

Only the report's labels and readings are translated; member and group names are shown as
the log has them. Templates use :meth:`str.format` fields, filled by the renderers and by
:mod:`shequn.report.readings`.
"""

from __future__ import annotations

import re
from typing import Final

from shequn.errors import ConfigError

__all__ = ["LANGS", "Words", "words"]

LANGS: Final = ("en", "zh")

_EN: Final = {
    # titles and sections
    "title": "{community}: {period_name} report as of {as_of}",
    "subtitle": "compared with {previous}; charts cover {start} to {as_of} ({zone})",
    "groups_filter": "groups: {groups}",
    "period_week": "weekly",
    "period_month": "monthly",
    "this_week": "this week",
    "last_week": "last week",
    "this_month": "last 30 days",
    "last_month": "30 days before",
    "in_this_week": "this week",
    "in_last_week": "last week",
    "in_this_month": "in the last 30 days",
    "in_last_month": "in the 30 days before",
    "kpis": "Key figures",
    "metric": "metric",
    "change": "change",
    "daily": "Daily active members and messages",
    "daily_active": "active members",
    "daily_messages": "messages",
    "date": "date",
    "week_ending": "week ending",
    "as_of_day": "as of (end of week)",
    "network_x": "ties pull members together; larger dots have more strong ties",
    "flow": "New and left members per week",
    "new": "new",
    "left": "left",
    "members": "members",
    "cohorts": "Cohort retention: share of each weekly join cohort active in week k",
    "cohort": "join week (Monday)",
    "week_k": "weeks since joining",
    "levels": "Member levels over time",
    "levels_now": "Member levels as of {as_of}",
    "weekday_hour": "Messages by weekday and hour ({zone})",
    "weekday": "weekday",
    "hour": "hour of day",
    "contributors": "Top contributors ({period})",
    "name": "name",
    "level": "level",
    "messages": "messages",
    "score": "score",
    "concentration": "top 10 % of posters wrote {top10}; {absence} members wrote half (30 days)",
    "slipping": "Slipping members",
    "slipping_line": "{count} slipping (active or core 30 days ago, now below a third of their usual activity)",
    "was": "was",
    "recent": "last 30 d",
    "usual": "usual per 30 d",
    "prune": "Prune candidates: {count} dormant members nothing protects",
    "ties": "Strongest ties",
    "pair": "pair",
    "weight": "weight",
    "interactions": "interactions",
    "strong": "strong",
    "strong_ties": "strong ties",
    "weak_ties": "other ties",
    "network": "Ties among core members",
    "groups": "Groups compared, the busiest {period} first",
    "group": "group",
    "carrier": "carrier",
    "purpose": "purpose",
    "period_messages": "msgs",
    "ad_rate": "ad rate",
    "more_groups": "{shown} of {total} groups shown, the busiest first",
    "none": "nothing to show",
    "unit_members": "count",
    "unit_messages": "count",
    "unit_share": "share of cohort",
    "unit_per_day": "day",
    "footer": "Made by shequn {version} from the log; the same log and day give the same report.",
    "weekdays": "Mon Tue Wed Thu Fri Sat Sun",
    # levels
    "level_newcomer": "newcomer",
    "level_core": "core",
    "level_active": "active",
    "level_casual": "casual",
    "level_dormant": "dormant",
    "level_gone": "left",
    # metrics
    "m_joined_total": "joined (all time)",
    "m_members_now": "members now",
    "m_survival": "still in (of all joined)",
    "m_retention_N": "{n}-day retention",
    "m_active_rate_N": "{n}-day daily active rate",
    "m_active_share_N": "{n}-day active share",
    "m_active_today": "active on the day",
    "m_participation_today": "participation on the day",
    "m_groups_active_today": "groups active on the day",
    "m_interactions_per_day": "messages per day",
    "m_income": "income (30 d)",
    "m_wau": "active members (7 d)",
    "m_mau": "active members (30 d)",
    "m_stickiness": "stickiness (DAU / MAU)",
    "m_new_members": "new members (7 d)",
    "m_left_members": "left members (7 d)",
    "m_net_growth": "net growth (7 d)",
    "m_activation_rate": "activation rate",
    "m_time_to_first_message": "hours to first message",
    "m_lurker_share": "lurker share",
    "m_top10_share": "top 10 % posters' share",
    "m_absence_factor": "members writing half",
    "m_strong_tie_share": "members with a strong tie",
    # short column labels of the group table
    "s_members_now": "members",
    "s_new_members": "new 7d",
    "s_left_members": "left 7d",
    "s_wau": "wau",
    "s_interactions_per_day": "msg/day",
    "s_retention_N": "{n}d ret.",
    # readings
    "r_daily": (
        "Active members averaged {avg:.0f} a day {period} ({trend} from {avg_before:.0f} {before}); "
        "messages {messages:,} against {messages_before:,}."
    ),
    "r_daily_peak": " The busiest day was {day} with {peak} active members.",
    "r_flow": "{new} joined and {left} left {period} ({new_before} and {left_before} {before}); "
    "over {weeks} weeks {new_total} joined and {left_total} left.",
    "r_cohort": "Of the {size} members who joined in the week of {cohort}, {first} were active in their first week "
    "and {last} in week {k}.",
    "r_cohort_none": "No cohort has been in the community for two weeks yet.",
    "r_levels": "Core members went from {core_then} to {core_now} and dormant from {dormant_then} to {dormant_now} "
    "over {weeks} weeks.",
    "r_weekday_hour": "The busiest hour is {weekday} {hour:02d}:00–{hour_end:02d}:00 ({share} of messages); "
    "the quietest day is {quiet_day}.",
    "r_contributors": "The {n} most active members wrote {share} of the {total:,} messages {period}; "
    "over 30 days the top 10 % of posters wrote {top10}.",
    "r_network": "{members} core members share {ties} ties ({strong} strong); {best} is the best tied "
    "({strong_degree} strong of {degree}).",
    "r_network_drawn": " The {shown} best tied of the {total} are drawn.",
    "r_network_none": "No core members as of {as_of}.",
    "r_groups": "{busiest} was the busiest group ({per_day} messages a day); {weakest} kept the fewest members "
    "({retention} {retention_name}).",
    "r_groups_one": "{busiest}: {per_day} messages a day over 30 days.",
    "r_kpis": "Members: {members} ({growth} {period}); {active} active in the last 7 days.",
    "up": "up",
    "down": "down",
    "flat": "unchanged",
}

_ZH: Final = {
    "title": "{community}：截至 {as_of} 的{period_name}报告",
    "subtitle": "对比 {previous}；图表覆盖 {start} 至 {as_of}（{zone}）",
    "groups_filter": "群：{groups}",
    "period_week": "每周",
    "period_month": "每月",
    "this_week": "本周",
    "last_week": "上周",
    "this_month": "近 30 天",
    "last_month": "之前 30 天",
    "in_this_week": "本周",
    "in_last_week": "上周",
    "in_this_month": "近 30 天",
    "in_last_month": "之前 30 天",
    "kpis": "关键指标",
    "metric": "指标",
    "change": "变化",
    "daily": "每日活跃成员与消息数",
    "daily_active": "活跃成员",
    "daily_messages": "消息",
    "date": "日期",
    "week_ending": "周截止日",
    "as_of_day": "截至（每周最后一天）",
    "network_x": "关系把成员拉近；圆点越大，强关系越多",
    "flow": "每周新成员与离开成员",
    "new": "新加入",
    "left": "离开",
    "members": "成员",
    "cohorts": "同期群留存：每周入群成员在第 k 周仍活跃的比例",
    "cohort": "入群周（周一）",
    "week_k": "入群后周数",
    "levels": "成员层级变化",
    "levels_now": "截至 {as_of} 的成员层级",
    "weekday_hour": "按星期与小时的消息分布（{zone}）",
    "weekday": "星期",
    "hour": "小时",
    "contributors": "贡献最多的成员（{period}）",
    "name": "名字",
    "level": "层级",
    "messages": "消息",
    "score": "活跃分",
    "concentration": "前 10% 发言者贡献了 {top10} 的消息；{absence} 人写了一半（30 天）",
    "slipping": "活跃度下滑的成员",
    "slipping_line": "{count} 人下滑（30 天前为活跃或核心，现在不到以往活跃度的三分之一）",
    "was": "之前",
    "recent": "近 30 天",
    "usual": "以往每 30 天",
    "prune": "可清理成员：{count} 名沉睡且不受保护",
    "ties": "最强的关系",
    "pair": "成员对",
    "weight": "权重",
    "interactions": "互动",
    "strong": "强关系",
    "strong_ties": "强关系",
    "weak_ties": "其他关系",
    "network": "核心成员之间的关系",
    "groups": "各群对比（按{period}消息数排序）",
    "group": "群",
    "carrier": "平台",
    "purpose": "用途",
    "period_messages": "消息数",
    "ad_rate": "广告率",
    "more_groups": "共 {total} 个群，显示最活跃的 {shown} 个",
    "none": "暂无数据",
    "unit_members": "人",
    "unit_messages": "条",
    "unit_share": "占同期群比例",
    "unit_per_day": "天",
    "footer": "由 shequn {version} 根据日志生成；同一日志与日期总是生成相同的报告。",
    "weekdays": "周一 周二 周三 周四 周五 周六 周日",
    "level_newcomer": "新人",
    "level_core": "核心",
    "level_active": "活跃",
    "level_casual": "偶尔",
    "level_dormant": "沉睡",
    "level_gone": "已离开",
    "m_joined_total": "累计加入",
    "m_members_now": "当前成员",
    "m_survival": "留存率（累计）",
    "m_retention_N": "{n} 天留存",
    "m_active_rate_N": "{n} 天日均活跃率",
    "m_active_share_N": "{n} 天活跃占比",
    "m_active_today": "当日活跃",
    "m_participation_today": "当日参与率",
    "m_groups_active_today": "当日活跃群占比",
    "m_interactions_per_day": "日均消息",
    "m_income": "收入（30 天）",
    "m_wau": "周活跃成员",
    "m_mau": "月活跃成员",
    "m_stickiness": "粘性（日活/月活）",
    "m_new_members": "新成员（7 天）",
    "m_left_members": "离开成员（7 天）",
    "m_net_growth": "净增长（7 天）",
    "m_activation_rate": "激活率",
    "m_time_to_first_message": "首条消息用时（小时）",
    "m_lurker_share": "潜水成员占比",
    "m_top10_share": "前 10% 发言者占比",
    "m_absence_factor": "写一半消息的人数",
    "m_strong_tie_share": "有强关系的成员占比",
    "s_members_now": "成员",
    "s_new_members": "7天新增",
    "s_left_members": "7天离开",
    "s_wau": "周活跃",
    "s_interactions_per_day": "日均消息",
    "s_retention_N": "{n}天留存",
    "r_daily": "{period}日均活跃 {avg:.0f} 人，{trend}（{before} {avg_before:.0f} 人）；"
    "消息 {messages:,} 条，{before} {messages_before:,} 条。",
    "r_daily_peak": "最活跃的一天是 {day}，{peak} 人发言。",
    "r_flow": "{period}加入 {new} 人、离开 {left} 人（{before} {new_before} 与 {left_before}）；"
    "{weeks} 周内共加入 {new_total} 人、离开 {left_total} 人。",
    "r_cohort": "{cohort} 那一周加入的 {size} 人中，第一周活跃 {first}，第 {k} 周活跃 {last}。",
    "r_cohort_none": "还没有入群满两周的同期群。",
    "r_levels": "{weeks} 周内核心成员从 {core_then} 变为 {core_now}，沉睡成员从 {dormant_then} 变为 {dormant_now}。",
    "r_weekday_hour": "最活跃的时段是{weekday} {hour:02d}:00–{hour_end:02d}:00（占消息 {share}）；"
    "最安静的是{quiet_day}。",
    "r_contributors": "最活跃的 {n} 人写了{period} {total:,} 条消息中的 {share}；30 天内前 10% 发言者贡献 {top10}。",
    "r_network": "{members} 名核心成员之间有 {ties} 条关系（{strong} 条强关系）；"
    "{best} 的关系最紧密（{degree} 条中 {strong_degree} 条强关系）。",
    "r_network_drawn": "图中画出关系最紧密的 {shown} 人（共 {total} 人）。",
    "r_network_none": "截至 {as_of} 没有核心成员。",
    "r_groups": "{busiest} 最活跃（每天 {per_day} 条消息）；{weakest} 留住的成员最少（{retention_name} {retention}）。",
    "r_groups_one": "{busiest}：30 天内每天 {per_day} 条消息。",
    "r_kpis": "成员 {members} 人（{period}{growth}）；近 7 天 {active} 人活跃。",
    "up": "上升",
    "down": "下降",
    "flat": "持平",
}

_TABLES: Final = {"en": _EN, "zh": _ZH}


class Words:
    """The words of one language: ``words["kpis"]``, ``words.fill("title", community=…)``."""

    def __init__(self, lang: str) -> None:
        if lang not in _TABLES:
            raise ConfigError(f"unknown report language {lang!r}; use one of {', '.join(LANGS)}")
        self.lang = lang
        self._table = _TABLES[lang]

    def __getitem__(self, key: str) -> str:
        return self._table[key]

    def fill(self, key: str, **fields: object) -> str:
        """The template ``key`` with its fields filled in."""
        return self._table[key].format(**fields)

    def metric(self, name: str) -> str:
        """A metric's label; ``retention_80`` reads as the label of ``retention_N`` with N = 80."""
        return self._label("m_", name)

    def short(self, name: str) -> str:
        """A metric's short label, for narrow columns."""
        return self._label("s_", name)

    def _label(self, prefix: str, name: str) -> str:
        if f"{prefix}{name}" in self._table:
            return self._table[f"{prefix}{name}"]
        match = re.fullmatch(r"(.+)_(\d+)", name)
        if match and f"{prefix}{match.group(1)}_N" in self._table:
            return self._table[f"{prefix}{match.group(1)}_N"].format(n=match.group(2))
        return name

    def level(self, level: str | None) -> str:
        """A level's name (``None``, a member no longer in the community, reads as "left")."""
        return self._table[f"level_{level or 'gone'}"]

    @property
    def weekdays(self) -> list[str]:
        """Monday to Sunday, short."""
        return self._table["weekdays"].split()

    def period(self, period: str, *, before: bool = False, prose: bool = False) -> str:
        """The period's name as a column head ("this week", "last week", or the 30-day
        equivalents), or as ``prose`` to put after a verb ("in the last 30 days")."""
        key = ("last_" if before else "this_") + period
        return self._table[("in_" if prose else "") + key]


def words(lang: str) -> Words:
    """The report's words in ``lang`` (``en`` or ``zh``)."""
    return Words(lang)
