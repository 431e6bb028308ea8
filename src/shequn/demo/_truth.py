"""truth.json: the facts the storyline planted, for the tests of features that should find them.

It names people as each group's file shows them (Telegram name and ``user…`` id, or the
WhatsApp contact name), so a test can look them up in the log without knowing the plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shequn.demo._calendar import END, START, ZONE, iso_local
from shequn.demo._people import Cast, GroupPlan, Person
from shequn.demo._script import GroupTruth
from shequn.demo._whatsapp_writer import SYSTEM_TEXTS

__all__ = ["build_truth"]


def _who(cast: Cast, person: int, plan: GroupPlan) -> dict[str, Any]:
    """A person as a group's file shows them."""
    p = cast.people[person]
    if plan.fmt == "telegram":
        return {"name": p.tg_name, "id": f"user{p.tg_id}"}
    return {"name": p.wa_name, "id": None}


def _actor(cast: Cast, person: int, plan: GroupPlan) -> str:
    """Who did something, as a system line names them: the exporting phone's owner is "you"."""
    if plan.fmt == "whatsapp" and person == plan.owner:
        return SYSTEM_TEXTS[plan.layout]["you"]
    return _who(cast, person, plan)["name"]


def build_truth(
    cast: Cast,
    paths: list[Path],
    results: list[tuple[dict[str, int], GroupTruth]],
    out_dir: Path,
    scale: float,
    seed: int,
) -> dict[str, Any]:
    """The content of truth.json for a written demo."""
    people = cast.people
    groups, removed, ads, topic_days, rituals, unanswered = [], [], {}, [], [], []
    for plan, path, (counts, truth) in zip(cast.groups, paths, results, strict=True):
        persons = {m.person for m in plan.members}
        at_end = {m.person for m in plan.members if m.leave_ts is None}
        groups.append(
            {
                "name": plan.name,
                "name_at_creation": plan.first_name,
                "key": plan.key,
                "fmt": plan.fmt,
                "layout": plan.layout,
                "purpose": plan.purpose,
                "file": path.relative_to(out_dir).as_posix(),
                "telegram_chat_id": plan.chat_id if plan.fmt == "telegram" else None,
                "created": iso_local(plan.created_ts),
                "members_total": len(persons),
                "members_at_end": len(at_end),
                "lurkers": sum(1 for p in persons if people[p].role == "lurker"),
                "questions": truth.questions,
                "answered": truth.answered,
                "answered_after_24h": truth.answered_late,
                "counts": counts,
                "exporter": people[plan.owner].wa_name if plan.fmt == "whatsapp" else None,
            }
        )
        for m in plan.members:
            if m.leave_how == "remove":
                assert m.removed_by is not None
                removed.append(
                    {
                        "group": plan.name,
                        **_who(cast, m.person, plan),
                        "time": iso_local(m.leave_ts or 0),
                        "reason": m.reason,
                        "by": _actor(cast, m.removed_by, plan),
                    }
                )
        for post in plan.ad_posts:
            p = people[post.person]
            entry = ads.setdefault(
                post.person,
                {"person": post.person, "telegram_id": f"user{p.tg_id}", "template": p.ad_template, "groups": {}},
            )
            group = entry["groups"].setdefault(plan.name, {**_who(cast, post.person, plan), "posts": []})
            group["posts"].append({"time": iso_local(post.ts), "text": post.text})
        topic_days += truth.topic_days
        rituals += truth.rituals
        unanswered += truth.unanswered
    staff = [p for p in people if p.role == "staff"]
    bots = [p for p in people if p.role == "bot"]
    return {
        "about": "Facts planted by the shequn demo storyline; not an export, never imported.",
        "seed": seed,
        "scale": scale,
        "timezone": ZONE,
        "period": {"start": START.isoformat(), "end": END.isoformat()},
        "whatsapp_system_texts": SYSTEM_TEXTS,
        "groups": groups,
        "member_count": {g["name"]: g["members_total"] for g in groups},
        "staff": [
            {"telegram_name": p.tg_name, "telegram_id": f"user{p.tg_id}", "whatsapp_name": p.wa_name} for p in staff
        ],
        "bots": [{"name": p.tg_name, "telegram_id": f"user{p.tg_id}", "username": p.username} for p in bots],
        "ad_posters": [
            {**entry, "groups": [{"group": name, **g} for name, g in entry["groups"].items()]} for entry in ads.values()
        ],
        "removed": removed,
        "unanswered_questions": unanswered,
        "topic_days": topic_days,
        "rituals": rituals,
        "core": [_person_ref(p) for p in people if p.role == "core"],
        "slipping": [{**_person_ref(p), "slipped_on_day": p.slip_day} for p in people if p.role == "slipping"],
    }


def _person_ref(p: Person) -> dict[str, Any]:
    return {"telegram_name": p.tg_name, "telegram_id": f"user{p.tg_id}", "whatsapp_name": p.wa_name}
