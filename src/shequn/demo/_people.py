"""The demo's cast and its groups: who is in which group, when they join, leave or are removed.

Everything here is decided before a single message is written, from the storyline's random
generator: one row per person and one per membership, never per message, so the plan stays
small at any scale. The scripts (:mod:`._script`) then play each group's plan day by day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Final

from shequn.demo._calendar import HOUR_WEIGHTS, N_DAYS, START_TS
from shequn.demo._names import NameMaker
from shequn.demo._texts import AD_TEMPLATES, Texts

__all__ = ["AdPost", "Cast", "GroupPlan", "Membership", "Person", "plan_demo"]

#: The four groups of each set: key, name, name at creation, layout, purpose, language,
#: base messages per day (at factor 1) and the share of the set's people in it.
_GROUPS: Final = (
    ("tech", "Python & 数据 技术交流群", "Python 技术交流", "telegram", "topic", "mixed", 88.0, 0.6),
    ("reading", "周末读书会", "周末读书会", "android-zh", "reading", "zh", 25.5, 0.3),
    ("jobs", "Tech Jobs 内推 & Referrals", "Tech Jobs 内推 & Referrals", "telegram", "recruitment", "mixed", 19.0, 0.4),
    ("meetups", "Shenzhen Tech Meetups", "Shenzhen Tech Meetups", "ios-en", "events", "en", 18.0, 0.25),
)  # fmt: skip
_BASE_PEOPLE: Final = 200  # people per set at factor 1
_ROLE_WEIGHT: Final = {"staff": 2.5, "core": 6.0, "slipping": 5.0, "casual": 0.6, "lurker": 0.0, "ad": 0.0, "bot": 0.0}
_FOUNDER_P: Final = {"core": 0.6, "slipping": 0.6, "casual": 0.12, "lurker": 0.1}
_LEAVE_P: Final = {"core": 0.02, "slipping": 0.12, "casual": 0.15, "lurker": 0.2}
_SPAM_NAMES: Final = ("兼职小助手", "日结兼职", "Crypto Amy", "理财顾问Lily", "优惠券分享", "Earn Daily", "课程资料库")


@dataclass(slots=True)
class Person:
    """One member of the community, the same person in every group they are in."""

    idx: int
    role: str  # staff, bot, core, slipping, casual, lurker, ad
    lang: str  # "zh" or "en": what they write in groups of mixed language
    name: str
    given: str
    tg_name: str
    tg_id: int
    username: str | None
    wa_name: str
    weight: float
    set_no: int
    slip_day: int | None = None
    buddies: list[int] = field(default_factory=list)
    ad_template: str | None = None
    ad_handles: dict[str, str] | None = None


@dataclass(slots=True)
class Membership:
    """One stretch of a person's membership of a group (a rejoin is a second one)."""

    person: int
    join_ts: int
    how: str  # founder, link, invite (Telegram) or add (WhatsApp)
    by: int | None = None  # who added them
    leave_ts: int | None = None
    leave_how: str | None = None  # leave, remove
    removed_by: int | None = None
    reason: str | None = None  # why removed: ads, admin


@dataclass(slots=True)
class AdPost:
    ts: int
    person: int
    text: str


@dataclass
class GroupPlan:
    """One group: its identity, its staff and every membership, decided up front."""

    key: str
    name: str
    first_name: str
    layout: str  # telegram, android-zh, ios-en
    purpose: str
    lang: str  # zh, en, mixed
    rate: float  # chatter messages per day at full size
    set_no: int
    chat_id: int
    created_ts: int
    owner: int
    moderator: int
    bot: int | None = None
    rename_ts: int | None = None
    members: list[Membership] = field(default_factory=list)
    ad_posts: list[AdPost] = field(default_factory=list)

    @property
    def fmt(self) -> str:
        return "telegram" if self.layout == "telegram" else "whatsapp"

    @property
    def resolution(self) -> int:
        """Seconds per tick of the file's clock: Android WhatsApp writes minutes only."""
        return 60 if self.layout == "android-zh" else 1


@dataclass
class Cast:
    people: list[Person]
    groups: list[GroupPlan]


def _day_time(rng: random.Random, day: int, hours: tuple[int, int] = (8, 23)) -> int:
    """Epoch seconds at a random waking moment of ``day``."""
    weights = HOUR_WEIGHTS[hours[0] : hours[1]]
    hour = rng.choices(range(hours[0], hours[1]), weights=weights)[0]
    return START_TS + day * 86_400 + hour * 3600 + rng.randrange(3600)


class _Planner:
    def __init__(self, rng: random.Random, scale: float) -> None:
        self.rng = rng
        self.names = NameMaker(rng)
        self.n_sets = max(1, round(scale / 4))
        self.factor = scale / self.n_sets
        self.people: list[Person] = []
        self.groups: list[GroupPlan] = []

    # -- people ------------------------------------------------------------------------

    def _person(self, role: str, set_no: int, lang: str | None = None) -> Person:
        rng, names = self.rng, self.names
        lang = lang or ("zh" if rng.random() < 0.72 else "en")
        if lang == "zh":
            name, pinyin, given = names.chinese()
            tg_name = names.telegram_name_for_chinese(name, pinyin, given)
            latin = pinyin + given
            wa_name = names.phone("86") if rng.random() < 0.08 else names.contact_name(name)
        else:
            name, given = names.english()
            tg_name, latin = name, name
            wa_name = names.phone("65") if rng.random() < 0.1 else names.contact_name(name)
        weight = _ROLE_WEIGHT[role]
        if role == "casual":
            weight *= rng.lognormvariate(0, 0.9)
        elif role in {"core", "slipping"}:
            weight *= rng.lognormvariate(0, 0.3)
        person = Person(
            idx=len(self.people),
            role=role,
            lang=lang,
            name=name,
            given=given,
            tg_name=tg_name,
            tg_id=names.telegram_id(),
            username=names.username(latin) if rng.random() < 0.6 else None,
            wa_name=wa_name,
            weight=weight,
            set_no=set_no,
        )
        if role == "slipping":
            person.slip_day = rng.randrange(95, 131)
        self.people.append(person)
        return person

    def _bot(self, set_no: int) -> Person:
        label = "Helper" if set_no == 1 else f"Helper{set_no}"
        person = Person(
            idx=len(self.people),
            role="bot",
            lang="zh",
            name=f"{label}Bot",
            given=f"{label}Bot",
            tg_name=f"{label}Bot",
            tg_id=self.names.telegram_id(),
            username=f"{label.lower()}_bot",
            wa_name=f"{label}Bot",
            weight=0.0,
            set_no=set_no,
        )
        self.people.append(person)
        return person

    def _ad_poster(self, set_no: int) -> Person:
        rng, names = self.rng, self.names
        lang, template = rng.choice(AD_TEMPLATES)
        person = self._person("ad", set_no, "zh" if lang == "zh" else "en")
        person.tg_name = names.nickname(_SPAM_NAMES)
        person.wa_name = names.phone("86" if lang == "zh" else "65")
        person.username = None
        letters = "abcdefghjkmnpqrstuvwxyz"
        person.ad_template = template
        person.ad_handles = {
            "wx": "".join(rng.choice(letters) for _ in range(rng.randrange(3, 6))) + str(rng.randrange(100, 9999)),
            "qq": str(rng.randrange(10_000_000, 3_999_999_999)),
            "phone": person.wa_name if lang == "zh" else names.phone("86"),
            "link": rng.choice(("t.cn/A6", "bit.ly/3", "t.me/+"))
            + "".join(rng.choice(letters + "ABCDEFGH0123456789") for _ in range(6)),
        }
        return person

    def cast_set(self, set_no: int) -> dict[str, list[Person]]:
        """The people of one set of groups, by role."""
        rng, f = self.rng, self.factor
        n = max(24, round(_BASE_PEOPLE * f))
        counts = {
            "core": max(4, round(0.09 * n)),
            "slipping": max(2, round(0.06 * n)),
            "casual": round(0.40 * n),
        }
        counts["lurker"] = max(4, n - 2 - sum(counts.values()))
        roles: dict[str, list[Person]] = {"staff": [self._person("staff", set_no, "zh") for _ in range(2)]}
        for role, k in counts.items():
            roles[role] = [self._person(role, set_no) for _ in range(k)]
        roles["bot"] = [self._bot(set_no)]
        roles["ad"] = [self._ad_poster(set_no) for _ in range(max(2, round(3 * f)))]
        tied = roles["staff"] + roles["core"] + roles["slipping"]
        for person in tied:
            for other in rng.sample(tied, min(len(tied), rng.randrange(2, 4))):
                if other is not person and other.idx not in person.buddies:
                    person.buddies.append(other.idx)
                    other.buddies.append(person.idx)
        return roles

    # -- groups ------------------------------------------------------------------------

    def make_groups(self, set_no: int, roles: dict[str, list[Person]]) -> list[GroupPlan]:
        rng, f = self.rng, self.factor
        created_day = 0 if set_no == 1 else rng.randrange(0, 21)
        owner, moderator = roles["staff"]
        plans = []
        for i, (key, name, first, layout, purpose, lang, rate, _share) in enumerate(_GROUPS):
            suffix = "" if set_no == 1 else (f" {set_no}群" if lang != "en" and key != "jobs" else f" #{set_no}")
            plan = GroupPlan(
                key=f"{key}-{set_no}",
                name=name + suffix,
                first_name=first + suffix,
                layout=layout,
                purpose=purpose,
                lang=lang,
                rate=rate * f,
                set_no=set_no,
                chat_id=rng.randrange(1_000_000_000, 2_999_999_999),
                created_ts=START_TS + created_day * 86_400 + (9 + 2 * i) * 3600 + rng.randrange(1800),
                owner=owner.idx,
                moderator=moderator.idx,
            )
            if plan.name != plan.first_name:
                plan.rename_ts = _day_time(rng, created_day + 55, (20, 22))
            if key == "tech":
                plan.bot = roles["bot"][0].idx
            plans.append(plan)
        return plans

    def _share(self, person: Person, plan: GroupPlan, share: float) -> float:
        p = share
        if plan.lang == "zh":
            p *= 1.25 if person.lang == "zh" else 0.2
        elif plan.lang == "en":
            p *= 1.6 if person.lang == "en" else 0.85
        if person.role in {"core", "slipping"}:
            p *= 1.3
        return min(p, 0.95)

    def add_members(self, plans: list[GroupPlan], roles: dict[str, list[Person]], extra: list[Person]) -> None:
        """Decide who is in each group of a set, and when they join and leave."""
        rng = self.rng
        chosen: dict[str, list[Person]] = {p.key: list(roles["staff"]) for p in plans}
        regular = [p for role in ("core", "slipping", "casual", "lurker") for p in roles[role]]
        for person in regular:
            picks = [
                plan
                for plan, spec in zip(plans, _GROUPS, strict=True)
                if rng.random() < self._share(person, plan, spec[7])
            ]
            if not picks:
                picks = [max(plans, key=lambda plan: self._share(person, plan, 0.5))]
            for plan in picks:
                chosen[plan.key].append(person)
        chosen[plans[0].key].extend(extra)
        for plan in plans:
            self._memberships(plan, chosen[plan.key])
        for poster in roles["ad"]:
            self._ads(plans, poster)

    def _memberships(self, plan: GroupPlan, members: list[Person]) -> None:
        rng = self.rng
        created_day = (plan.created_ts - START_TS) // 86_400
        last_day = N_DAYS - 4
        staff = (plan.owner, plan.moderator)
        plan.members.append(Membership(plan.owner, plan.created_ts, "founder"))
        if plan.bot is not None:
            plan.members.append(Membership(plan.bot, plan.created_ts + 60, "invite", plan.owner))
        adder = "invite" if plan.fmt == "telegram" else "add"
        for person in members:
            if person.idx == plan.owner:
                continue
            if person.idx == plan.moderator or rng.random() < _FOUNDER_P.get(person.role, 0.1):
                plan.members.append(Membership(person.idx, plan.created_ts, "founder", plan.owner))
                join_day = created_day
            else:
                if person.role in {"core", "slipping"}:
                    join_day = rng.randrange(created_day + 1, created_day + 45)
                elif rng.random() < 0.5:
                    join_day = rng.randrange(created_day + 1, last_day)
                else:
                    join_day = created_day + 1 + int(rng.expovariate(1 / 35))
                join_day = min(join_day, last_day)
                if rng.random() < (0.3 if plan.fmt == "telegram" else 0.45):
                    membership = Membership(person.idx, _day_time(rng, join_day), adder, rng.choice(staff))
                else:
                    membership = Membership(person.idx, _day_time(rng, join_day), "link")
                plan.members.append(membership)
            self._maybe_leave(plan, plan.members[-1], person, join_day)

    def _maybe_leave(self, plan: GroupPlan, membership: Membership, person: Person, join_day: int) -> None:
        rng = self.rng
        if person.role not in _LEAVE_P or rng.random() >= _LEAVE_P[person.role]:
            return
        first = join_day + 5 if person.slip_day is None else max(join_day + 5, person.slip_day + 3)
        if first >= N_DAYS - 2:
            return
        leave_day = rng.randrange(first, N_DAYS - 1)
        membership.leave_ts = _day_time(rng, leave_day)
        if person.role in {"casual", "lurker"} and rng.random() < 0.15:
            membership.leave_how, membership.reason = "remove", "admin"
            membership.removed_by = plan.moderator
        else:
            membership.leave_how = "leave"
            if leave_day + 13 < N_DAYS - 4 and rng.random() < 0.1:
                plan.members.append(
                    Membership(person.idx, _day_time(rng, rng.randrange(leave_day + 3, N_DAYS - 4)), "link")
                )

    def _ads(self, plans: list[GroupPlan], poster: Person) -> None:
        """An ad poster joins two or three groups, posts near-identical ads, and is removed."""
        rng = self.rng
        telegram = [p for p in plans if p.fmt == "telegram"]
        whatsapp = [p for p in plans if p.fmt == "whatsapp"]
        targets = [rng.choice(telegram), rng.choice(whatsapp)]
        if rng.random() < 0.5:
            targets.append(rng.choice([p for p in plans if p not in targets]))
        day = rng.randrange((plans[0].created_ts - START_TS) // 86_400 + 10, N_DAYS - 12)
        assert poster.ad_template is not None and poster.ad_handles is not None
        for plan in targets:
            day += rng.randrange(0, 3)
            join = _day_time(rng, day, (9, 21))
            ts = join
            for _ in range(rng.randrange(1, 4)):
                ts += rng.randrange(120, 1800)
                plan.ad_posts.append(AdPost(ts, poster.idx, Texts.ad(poster.ad_template, poster.ad_handles, rng)))
            removed = ts + rng.randrange(1200, 14_400)
            remover = rng.choice((plan.moderator, plan.owner))
            plan.members.append(Membership(poster.idx, join, "link", None, removed, "remove", remover, "ads"))


def plan_demo(rng: random.Random, scale: float) -> Cast:
    """The whole cast and every group's plan for ``scale``."""
    planner = _Planner(rng, scale)
    sets = [planner.cast_set(set_no) for set_no in range(1, planner.n_sets + 1)]
    for set_no, roles in enumerate(sets, start=1):
        plans = planner.make_groups(set_no, roles)
        extra: list[Person] = []
        if planner.n_sets > 1:
            previous = sets[set_no - 2]  # people of the set before also drop in here
            pool = previous["core"] + previous["casual"]
            extra = [p for p in pool if rng.random() < 0.04]
        planner.add_members(plans, roles, extra)
        planner.groups.extend(plans)
    for plan in planner.groups:
        plan.members.sort(key=lambda m: m.join_ts)
        plan.ad_posts.sort(key=lambda a: a.ts)
    return Cast(planner.people, planner.groups)
