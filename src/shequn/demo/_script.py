"""One group's storyline, played day by day as a stream of items for a writer.

An item is a plain tuple (millions are made, so no objects), in time order:

- a message: ``(ts, MSG, msg_id, author, text, extra)``, where ``extra`` is None for a plain
  text (most messages, so writers test one field) or ``(reply_to, mention, reactions,
  edited, media)``: ``mention`` is a person shown before the text, ``reactions`` a list of
  ``(type, emoji, count, [(person, ts), ...])``, ``edited`` epoch seconds or None and
  ``media`` one of ``photo``, ``sticker``, ``voice`` or None;
- a service line: ``(ts, SVC, msg_id, actor, action, members, title)`` with ``action`` one
  of ``create``, ``invite``, ``add``, ``link``, ``leave``, ``remove``, ``rename``, ``banner``.

Chatter is drawn per day (how many, when, by whom) from the members present that whole day;
everything with a cause — joins and leaves, answers to questions, ads, the weekly topic
evening, the monthly ritual — is scheduled on a heap and merged in by time. Only the recent
messages that replies may point to are kept, so memory does not grow with the export.
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from shequn.demo._calendar import (
    END_TS,
    HOUR_WEIGHTS,
    N_DAYS,
    QUIET_HOURS,
    START_TS,
    day_dates,
    festival_factor,
    iso_local,
    ritual_days,
    topic_days,
)
from shequn.demo._people import Cast, GroupPlan, Membership
from shequn.demo._texts import Texts

__all__ = ["MSG", "SVC", "GroupTruth", "Storyline"]

MSG = 0
SVC = 1

# heap entry kinds
_JOIN, _LEAVE, _POST, _ANSWER, _CREATE, _RENAME, _BANNER = range(7)

_HOUR_CUM = list(accumulate(HOUR_WEIGHTS))
_HOURS = list(range(24))
_EMOJI = ("👍", "👍", "👍", "❤", "🔥", "😂", "🎉", "👏", "🙏")
_CUSTOM_EMOJI = "stickers/sticker.webp"
_RULES = "📌 群规提醒：禁止广告、私加好友拉人，违者移出。提问请附上报错信息和版本号，谢谢配合。"
_WELCOME = " 欢迎加入！请先阅读置顶的群规 📌"
_WEEKDAY_FACTOR = {
    "topic": (1.0, 1.0, 1.0, 1.0, 1.0, 0.65, 0.6),
    "reading": (0.9, 0.9, 0.9, 0.9, 1.0, 1.25, 1.3),
    "recruitment": (1.2, 1.1, 1.0, 1.0, 0.9, 0.5, 0.5),
    "events": (0.8, 0.8, 0.9, 1.0, 1.3, 1.6, 0.9),
}


@dataclass
class GroupTruth:
    """What the storyline planted in one group, for truth.json (small: no per-message rows
    except the unanswered questions)."""

    questions: int = 0
    answered: int = 0
    answered_late: int = 0  # first answer more than 24 h after the question
    unanswered: list[dict[str, Any]] = field(default_factory=list)
    topic_days: list[dict[str, Any]] = field(default_factory=list)
    rituals: list[dict[str, Any]] = field(default_factory=list)


class Storyline:
    """Plays one group's plan; :meth:`items` yields its items in time order."""

    def __init__(self, plan: GroupPlan, cast: Cast, texts: Texts, seed: int) -> None:
        self.plan = plan
        self.people = cast.people
        self.texts = texts
        self.rng = random.Random(f"{seed}:{plan.key}")
        self.truth = GroupTruth()
        self.telegram = plan.fmt == "telegram"
        self.resolution = plan.resolution
        self._heap: list[tuple] = []
        self._seq = 0
        self._next_id = self.rng.randrange(1, 400)
        # local member index <-> person
        self.glob: list[int] = []
        self.loc: dict[int, int] = {}
        for m in plan.members:
            if m.person not in self.loc:
                self.loc[m.person] = len(self.glob)
                self.glob.append(m.person)
        n = len(self.glob)
        self.present = bytearray(n)
        self.base_w = [self._weight(p) for p in self.glob]
        self.weights = [0.0] * n
        self.helpers = [i for i, p in enumerate(self.glob) if self.people[p].role in {"staff", "core", "slipping"}]
        self.lang = [self._lang(p) for p in self.glob]
        self.recent: deque[tuple[int, int]] = deque(maxlen=30)  # (msg_id, person) of recent chatter
        self.last_by: dict[int, tuple[int, int]] = {}  # person -> (msg_id, ts) of their last chatter
        self.today_authors: list[int] = []

    # -- setup -------------------------------------------------------------------------

    def _weight(self, person: int) -> float:
        p = self.people[person]
        w = p.weight
        if self.plan.lang == "zh" and p.lang == "en":
            w *= 0.3
        return w

    def _lang(self, person: int) -> str:
        return self.plan.lang if self.plan.lang in {"zh", "en"} else self.people[person].lang

    def _push(self, ts: int, kind: int, a: Any = None, b: Any = None, c: Any = None) -> None:
        if ts < self.plan.created_ts:
            return  # a weekly or monthly moment on the group's first day, before it existed
        self._seq += 1
        heapq.heappush(self._heap, (ts, self._seq, kind, a, b, c))

    def _new_id(self) -> int:
        self._next_id += 1 if self.rng.random() > 0.01 else self.rng.randrange(2, 5)  # deleted messages leave gaps
        return self._next_id

    def _schedule_membership(self) -> tuple[list[list[int]], list[list[int]], list[list[int]]]:
        """Heap entries for every join and leave; day lists of chatter pool changes."""
        plan = self.plan
        enable: list[list[int]] = [[] for _ in range(N_DAYS + 1)]
        disable: list[list[int]] = [[] for _ in range(N_DAYS + 1)]
        slip: list[list[int]] = [[] for _ in range(N_DAYS + 1)]
        if not self.telegram:
            self._push(plan.created_ts, _BANNER)  # the encryption notice opens every WhatsApp export
        self._push(plan.created_ts, _CREATE)
        founder_no = {id(m): i for i, m in enumerate(m for m in plan.members if m.how == "founder")}
        for m in plan.members:
            local = self.loc[m.person]
            day = (m.join_ts - START_TS) // 86_400
            enable[min(day + 1, N_DAYS)].append(local)
            if m.how != "founder" or not self.telegram:
                if m.how == "founder" and m.person != plan.owner:
                    ts = plan.created_ts + 5 * founder_no[id(m)]  # WhatsApp lists each founder added
                    self._push(ts, _JOIN, m)
                elif m.how != "founder":
                    self._push(m.join_ts, _JOIN, m)
            if m.leave_ts is not None:
                disable[(m.leave_ts - START_TS) // 86_400].append(local)
                self._push(m.leave_ts, _LEAVE, m)
        for local, person in enumerate(self.glob):
            slip_day = self.people[person].slip_day
            if slip_day is not None:
                slip[slip_day].append(local)
        if plan.rename_ts is not None:
            self._push(plan.rename_ts, _RENAME)
        for ad in plan.ad_posts:
            self._push(ad.ts, _POST, ad.person, ad.text, "ad")
        return enable, disable, slip

    # -- the day's scripted moments ----------------------------------------------------

    def _schedule_day(self, day: int) -> float:
        """Heap entries for the day's special moments; the extra chatter factor for the day."""
        plan, rng, texts = self.plan, self.rng, self.texts
        start = START_TS + day * 86_400
        date = _DATES[day]
        extra = 0.0
        if plan.purpose == "topic" and day in _TOPIC_DAY_SET:
            week = _TOPIC_DAYS.index(day)
            zh, en = texts.topic_of_week(week)
            self._push(start + 12 * 3600, _POST, plan.bot, f"⏰ 今晚 20:00 话题日：{zh} / Topic night: {en}", "bot")
            self._push(start + 19 * 3600 + 55 * 60, _POST, plan.moderator,
                       f"【话题日】本周话题：{zh}，今晚 20:00-22:00 欢迎大家来聊 🎙", "ann")  # fmt: skip
            self.truth.topic_days.append(
                {"group": plan.name, "date": date.isoformat(), "start": "20:00", "end": "22:00", "topic": zh}
            )
            extra = 1.0
        if plan.purpose == "reading" and day in _RITUAL_DAYS:
            opener = f"📚【{date.month}月读书分享会】今晚 20:00-21:30，大家来打卡分享这个月读的书～"
            self._push(start + 20 * 3600, _POST, plan.owner, opener, "ann")
            for local, weight in enumerate(self.weights):
                if weight > 0 and rng.random() < 0.55:
                    ts = start + 20 * 3600 + rng.randrange(60, 5100)
                    self._push(ts, _POST, self.glob[local], rng.choice(texts.ritual), "ritual")
            self._push(start + 21 * 3600 + 30 * 60, _POST, plan.owner, "感谢大家的分享🙏 下个月第一个周日见～", "ann")
            self.truth.rituals.append(
                {"group": plan.name, "date": date.isoformat(), "start": "20:00", "end": "21:30", "title": "读书分享会"}
            )
        if plan.purpose == "recruitment" and date.weekday() == 0:
            posts = rng.sample(texts.jobs["zh"], 2) + rng.sample(texts.jobs["en"], 1)
            lines = "\n".join(f"{i}. {p.splitlines()[0]}" for i, p in enumerate(posts, 1))
            self._push(start + 10 * 3600, _POST, plan.moderator, f"📌 本周内推汇总 / Weekly referrals\n{lines}", "ann")
        if plan.purpose == "events" and date.weekday() == 0 and date.day <= 7:
            text = f"📣 Next meetup: Saturday {date.day + 5}/{date.month}, 7pm. Lightning talks and pizza, RSVP here 🙌"
            self._push(start + 12 * 3600, _POST, plan.owner, text, "ann")
        if plan.purpose == "topic" and date.day == 1:
            self._push(start + 9 * 3600 + 30 * 60, _POST, plan.moderator, _RULES, "ann")
        if not self.telegram and rng.random() < 0.1:
            self._night_question(start)
        return extra

    def _night_question(self, day_start: int) -> None:
        """A question between 03:00 and 04:00 in a group without reply links, that nobody answers.

        Nobody writes between 01:00 and 07:00 (see ``HOUR_WEIGHTS``) and answers to evening
        questions come within 90 minutes, so no message follows within the two hours in which
        a reply heuristic would look for an answer.
        """
        candidates = [i for i, w in enumerate(self.weights) if w > 0 and self.people[self.glob[i]].role != "staff"]
        if not candidates:
            return
        rng = self.rng
        local = rng.choice(candidates)
        ts = day_start + QUIET_HOURS[0] * 3600 + rng.randrange((QUIET_HOURS[1] - QUIET_HOURS[0]) * 3600)
        pool = self.texts.questions[(self.plan.purpose, self.lang[local])]
        self._push(ts, _POST, self.glob[local], rng.choice(pool), "nightq")

    # -- emitting ----------------------------------------------------------------------

    def _reactions(self, author: int, ts: int, chance: float) -> list | None:
        rng = self.rng
        if rng.random() >= chance or not self.today_authors:
            return None
        authors = self.today_authors
        want = 1 + int(rng.expovariate(0.6))
        reactors: list[int] = []
        for _ in range(want * 3):
            r = authors[int(rng.random() * len(authors))]
            if r != author and r not in reactors:
                reactors.append(r)
                if len(reactors) == want:
                    break
        if not reactors:
            return None
        when = [min(ts + rng.randrange(30, 7200), END_TS - 1) for _ in reactors]
        when.sort()
        if rng.random() < 0.03:
            kind, emoji = "custom_emoji", _CUSTOM_EMOJI
        else:
            kind, emoji = "emoji", rng.choice(_EMOJI)
        recent = list(zip(reactors, when, strict=True))[-3:]  # Telegram lists only the last few reactors
        return [(kind, emoji, len(reactors), recent)]

    def _answerer(self, asker_local: int) -> int:
        rng, present, weights = self.rng, self.present, self.weights
        helpers = self.helpers
        for _ in range(6):
            h = helpers[int(rng.random() * len(helpers))]
            if h != asker_local and present[h] and weights[h] > 0:
                return self.glob[h]
        asker = self.glob[asker_local]
        for _ in range(6):
            if self.today_authors:
                p = self.today_authors[int(rng.random() * len(self.today_authors))]
                if p != asker:
                    return p
        return self.plan.owner if asker != self.plan.owner else self.plan.moderator

    def _schedule_answers(self, qid: int, ts: int, asker: int, lang: str) -> None:
        rng = self.rng
        self.truth.questions += 1
        if self.telegram:
            first = int(60 * rng.lognormvariate(2.5, 1.0))
            first = max(20, min(first, 20 * 3600))
            if rng.random() < 0.03:
                first = rng.randrange(25 * 3600, 40 * 3600)
                self.truth.answered_late += 1
        else:
            first = rng.randrange(60, 90 * 60)  # within the two hours the reply heuristic looks at
        self.truth.answered += 1
        delay = first
        asker_local = self.loc[asker]
        for _ in range(1 + (rng.random() < 0.4) + (rng.random() < 0.1)):
            when = min(ts + delay, END_TS - 1)
            self._push(when, _ANSWER, qid, asker, (lang, self._answerer(asker_local)))
            delay += rng.randrange(60, 3600)

    def _unanswered(self, msg_id: int, ts: int, person: int, text: str) -> None:
        p = self.people[person]
        self.truth.questions += 1
        self.truth.unanswered.append(
            {
                "group": self.plan.name,
                "time": iso_local(ts),
                "ts": ts,
                "author": p.tg_name if self.telegram else p.wa_name,
                "author_id": f"user{p.tg_id}" if self.telegram else None,
                "message_id": msg_id if self.telegram else None,
                "text": text,
            }
        )

    def _scripted(self, entry: tuple) -> Iterator[tuple]:
        """The items of one heap entry."""
        ts, _, kind, a, b, c = entry
        if self.resolution != 1:
            ts -= ts % self.resolution
        plan, rng = self.plan, self.rng
        if kind == _JOIN:
            m: Membership = a
            self.present[self.loc[m.person]] = 1
            person = self.people[m.person]
            if m.how == "founder":
                yield (ts, SVC, self._new_id(), plan.owner, "add", [m.person], None)
            elif m.how == "link":
                yield (ts, SVC, self._new_id(), m.person, "link", [m.person], None)
            else:
                yield (ts, SVC, self._new_id(), m.by, m.how, [m.person], None)
            if plan.bot is not None and m.person != plan.bot:
                self._push(ts + rng.randrange(3, 20), _POST, plan.bot, _WELCOME, ("bot", m.person))
            if person.role in {"core", "slipping", "casual"} and rng.random() < 0.4:
                greeting = rng.choice(self.texts.greetings[self._lang(m.person)]).replace("{given}", person.given)
                self._push(ts + rng.randrange(60, 1800), _POST, m.person, greeting, "greet")
        elif kind == _LEAVE:
            m = a
            self.present[self.loc[m.person]] = 0
            if m.leave_how == "remove":
                yield (ts, SVC, self._new_id(), m.removed_by, "remove", [m.person], None)
            else:
                yield (ts, SVC, self._new_id(), m.person, "leave", [m.person], None)
        elif kind == _ANSWER:
            qid, asker = a, b
            lang, answerer = c
            if not self.present[self.loc[answerer]]:
                answerer = plan.owner if asker != plan.owner else plan.moderator
            text = rng.choice(self.texts.answers[(plan.purpose, lang)])
            if self.telegram:
                reactions = self._reactions(answerer, ts, 0.3)
                yield (ts, MSG, self._new_id(), answerer, text, (qid, None, reactions, None, None))
            else:
                mention = asker if rng.random() < 0.4 and not self.people[asker].wa_name.startswith("+") else None
                extra = None if mention is None else (None, mention, None, None, None)
                yield (ts, MSG, self._new_id(), answerer, text, extra)
        elif kind == _POST:
            tag = c
            msg_id = self._new_id()
            if isinstance(tag, tuple):  # a bot's welcome, mentioning the newcomer
                yield (ts, MSG, msg_id, a, b, (None, tag[1], None, None, None))
                return
            if tag == "nightq":
                self._unanswered(msg_id, ts, a, b)
            react = 0.6 if tag in {"ann", "ritual"} else 0.1
            reactions = self._reactions(a, ts, react) if self.telegram and tag != "ad" else None
            yield (ts, MSG, msg_id, a, b, None if reactions is None else (None, None, reactions, None, None))
        elif kind == _CREATE:
            founders = [m.person for m in plan.members if m.how == "founder"]
            self.present[self.loc[plan.owner]] = 1
            if self.telegram:
                for p in founders:
                    self.present[self.loc[p]] = 1
                yield (ts, SVC, self._new_id(), plan.owner, "create", founders, plan.first_name)
            else:
                yield (ts, SVC, self._new_id(), plan.owner, "create", [plan.owner], plan.first_name)
        elif kind == _RENAME:
            yield (ts, SVC, self._new_id(), plan.owner, "rename", [], plan.name)
        elif kind == _BANNER:
            yield (ts, SVC, self._new_id(), None, "banner", [], None)

    # -- the play ----------------------------------------------------------------------

    def items(self) -> Iterator[tuple]:
        """Every item of the group's export, in time order."""
        plan, rng, people, texts = self.plan, self.rng, self.people, self.texts
        enable, disable, slip = self._schedule_membership()
        heap, heappop = self._heap, heapq.heappop
        weights, base_w, glob, lang_of = self.weights, self.base_w, self.glob, self.lang
        telegram, resolution = self.telegram, self.resolution
        recent, last_by = self.recent, self.last_by
        random_ = rng.random
        locals_ = list(range(len(glob)))
        purpose = plan.purpose
        chat_pool = {lang: texts.chat[(purpose, lang)] for lang in ("zh", "en") if (purpose, lang) in texts.chat}
        question_pool = {lang: texts.questions[(purpose, lang)] for lang in chat_pool}
        job_pool = texts.jobs
        topic_pool = texts.topic_chat
        buddies = [people[p].buddies for p in glob]
        is_staff = [people[p].role == "staff" for p in glob]
        p_question = 0.07
        is_jobs = purpose == "recruitment"
        weekday_factor = _WEEKDAY_FACTOR[purpose]
        created_day = (plan.created_ts - START_TS) // 86_400
        for day in range(created_day, N_DAYS):
            for local in disable[day]:
                weights[local] = 0.0
            for local in enable[day]:
                weights[local] = base_w[local]
            for local in slip[day]:
                base_w[local] *= 0.03
                if weights[local]:
                    weights[local] = base_w[local]
            start = START_TS + day * 86_400
            extra = self._schedule_day(day)
            ramp = 0.35 + 0.65 * min(1.0, (day - created_day) / 40)
            mean = plan.rate * ramp * weekday_factor[_DATES[day].weekday()] * festival_factor(_DATES[day])
            n = max(0, round(rng.gauss(mean, mean**0.5 + 0.15 * mean)))
            cum = list(accumulate(weights))
            total = cum[-1] if cum else 0.0
            chatter: list[tuple[int, int, int]] = []
            if total > 0 and n:
                hours = rng.choices(_HOURS, cum_weights=_HOUR_CUM, k=n)
                authors = rng.choices(locals_, cum_weights=cum, k=n)
                tick = 3600 // resolution  # seconds, or minutes on a phone that writes minutes
                chatter = [
                    (start + h * 3600 + int(random_() * tick) * resolution, 0, a)
                    for h, a in zip(hours, authors, strict=True)
                ]
                if extra:
                    k = round(plan.rate * extra * (0.8 + 0.4 * random_()))
                    more = rng.choices(locals_, cum_weights=cum, k=k)
                    chatter += [(start + 72_000 + int(random_() * 2 * tick) * resolution, 1, a) for a in more]
                chatter.sort()
                self.today_authors = [glob[a] for a in authors[:200]]
            else:
                self.today_authors = []
            end_of_day = start + 86_400
            next_id = self._next_id  # a local copy in the hot loop, handed back around scripted items
            for ts, topical, local in chatter:
                if heap and heap[0][0] <= ts:
                    self._next_id = next_id
                    while heap and heap[0][0] <= ts:
                        yield from self._scripted(heappop(heap))
                    next_id = self._next_id
                person = glob[local]
                lang = lang_of[local]
                r = random_()
                msg_id = next_id = next_id + (1 if r < 0.99 else 3)  # deleted messages leave gaps
                if r < p_question and not topical and not is_staff[local]:
                    pool = question_pool[lang]
                    text = pool[int(random_() * len(pool))]
                    if telegram and random_() < 0.15:
                        self._unanswered(msg_id, ts, person, text)
                    else:
                        self._schedule_answers(msg_id, ts, person, lang)
                    yield (ts, MSG, msg_id, person, text, None)
                    continue
                if topical:
                    pool = topic_pool[lang]
                elif is_jobs and r < 0.2:
                    pool = job_pool[lang]
                else:
                    pool = chat_pool[lang]
                text = pool[int(random_() * len(pool))]
                last_by[person] = (msg_id, ts)
                recent.append((msg_id, person))
                r = random_()
                if telegram:
                    reactions = self._reactions(person, ts, 1.0) if random_() < 0.08 else None
                    if r >= 0.34:
                        if reactions is None:
                            yield (ts, MSG, msg_id, person, text, None)
                        else:
                            yield (ts, MSG, msg_id, person, text, (None, None, reactions, None, None))
                    else:
                        reply_to = mention = edited = media = None
                        if r < 0.22:
                            reply_to = self._reply_target(person, buddies[local], ts)
                        elif r < 0.27:
                            mention = self._mention_target(person, buddies[local])
                        elif r < 0.31:
                            media = "photo" if r < 0.295 else ("sticker" if r < 0.305 else "voice")
                            text = text if media == "photo" and random_() < 0.4 else ""
                        else:
                            edited = ts + 20 + int(random_() * 900)
                        if reply_to is None and mention is None and media is None and edited is None:
                            extra = None if reactions is None else (None, None, reactions, None, None)
                        else:
                            extra = (reply_to, mention, reactions, edited, media)
                        yield (ts, MSG, msg_id, person, text, extra)
                elif r >= 0.075:
                    yield (ts, MSG, msg_id, person, text, None)
                elif r < 0.04:
                    mention = self._mention_target(person, buddies[local])
                    if mention is not None and people[mention].wa_name.startswith("+"):
                        mention = None
                    yield (
                        ts,
                        MSG,
                        msg_id,
                        person,
                        text,
                        None if mention is None else (None, mention, None, None, None),
                    )
                else:
                    yield (ts, MSG, msg_id, person, "", (None, None, None, None, "photo"))
            self._next_id = next_id
            while heap and heap[0][0] < end_of_day:
                yield from self._scripted(heappop(heap))
        while heap and heap[0][0] < END_TS:
            yield from self._scripted(heappop(heap))

    def _reply_target(self, person: int, buddies: list[int], ts: int) -> int | None:
        """A recent message to reply to: a buddy's if one spoke in the last hours, else anyone's."""
        best = None
        for b in buddies:
            last = self.last_by.get(b)
            if last is not None and ts - last[1] < 6 * 3600 and (best is None or last[1] > best[1]):
                best = last
        if best is not None:
            return best[0]
        if self.recent and self.rng.random() < 0.6:
            msg_id, author = self.recent[int(self.rng.random() * len(self.recent))]
            if author != person:
                return msg_id
        return None

    def _mention_target(self, person: int, buddies: list[int]) -> int | None:
        present, loc = self.present, self.loc
        for b in buddies:
            local = loc.get(b)
            if local is not None and present[local] and self.weights[local] > 0:
                return b
        if self.recent:
            author = self.recent[-1][1]
            if author != person:
                return author
        return None


_DATES = day_dates()
_TOPIC_DAYS = topic_days()
_TOPIC_DAY_SET = frozenset(_TOPIC_DAYS)
_RITUAL_DAYS = frozenset(ritual_days())
