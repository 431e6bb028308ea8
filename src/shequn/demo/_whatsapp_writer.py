"""Write a storyline as a WhatsApp "Export chat" text file, as a phone would.

Two layouts:

- ``android-zh``: a phone set to Simplified Chinese, ``2026/1/5 20:03 - 王芳: 文本`` (minutes
  only), system lines in Chinese without a sender;
- ``ios-en``: an iPhone in English (UK dates), ``[05/01/2026, 20:03:41] Ann Lee: text``,
  with U+200E before system lines and media markers, and phone numbers of unsaved contacts
  wrapped in U+2066…U+2069 in system lines.

The exporting phone belongs to the group's owner, so the owner's own actions read "你…" /
"You …". WhatsApp has no message ids, replies or reactions; mentions are inline
(``@⁨Name⁩``) and multi-line messages continue on lines without a header.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Final

from shequn.demo._calendar import N_DAYS, START, START_TS, hhmm, hhmmss
from shequn.demo._people import GroupPlan, Person
from shequn.demo._script import MSG

__all__ = ["SYSTEM_TEXTS", "write_whatsapp"]

#: The system lines of each layout; ``{actor}`` and ``{target}`` are names as the phone shows them.
SYSTEM_TEXTS: Final = {
    "android-zh": {
        "you": "你",
        "banner": "消息和通话已进行端到端加密。只有此聊天中的成员可以查看、收听或分享。了解更多",
        "create_self": "你创建了群组“{title}”",
        "add": "{actor}添加了{target}",
        "add_self": "你添加了{target}",
        "link": "{target}通过此群组的邀请链接加入",
        "leave": "{target}已退出",
        "remove": "{actor}移除了{target}",
        "remove_self": "你移除了{target}",
        "media": "<省略影音内容>",
    },
    "ios-en": {
        "you": "You",
        "banner": (
            "Messages and calls are end-to-end encrypted. Only people in this chat can read, listen to, or share them."
        ),
        "create_self": "You created group “{title}”",
        "add": "{actor} added {target}",
        "add_self": "You added {target}",
        "link": "{target} joined using this group's invite link",
        "leave": "{target} left",
        "remove": "{actor} removed {target}",
        "remove_self": "You removed {target}",
        "media": "\u200eimage omitted",
    },
}
_FLUSH = 4_000


def write_whatsapp(path: Path, plan: GroupPlan, people: list[Person], items: Iterable[tuple]) -> dict[str, int]:
    """Write ``items`` as the text export ``path``; return what was written, counted by kind."""
    layout = plan.layout
    texts = SYSTEM_TEXTS[layout]
    ios = layout == "ios-en"
    dates = [START + timedelta(days=i) for i in range(N_DAYS + 1)]
    if ios:
        clock = hhmmss()
        heads = [f"[{d.day:02d}/{d.month:02d}/{d.year}, " for d in dates]
        close, lrm = "] ", "\u200e"
    else:
        clock = hhmm()
        heads = [f"{d.year}/{d.month}/{d.day} " for d in dates]
        close, lrm = " - ", ""
    tick = 1 if ios else 60
    names = [p.wa_name for p in people]

    def shown(person: int) -> str:
        """A member's name in a system line (unsaved numbers isolated on iPhones)."""
        name = names[person]
        return f"\u2066{name}\u2069" if ios and name.startswith("+") else name

    exporter = plan.owner
    messages = service = joins = leaves = removals = media_n = mentions = multiline = banners = 0
    parts: list[str] = []
    with open(path, "w", encoding="utf-8", newline="") as fh:
        for item in items:
            ts = item[0]
            day, sod = divmod(ts - START_TS, 86_400)
            head = heads[day] + clock[sod // tick] + close
            if item[1] == MSG:
                _, _, _, author, text, extra = item
                if extra is not None:
                    _, mention, _, _, media = extra
                    if media is not None:
                        text = texts["media"]
                        media_n += 1
                    elif mention is not None:
                        text = f"@\u2068{names[mention]}\u2069 {text.lstrip()}"
                        mentions += 1
                if "\n" in text:
                    multiline += 1
                parts.append(f"{head}{names[author]}: {text}\n")
                messages += 1
            else:
                _, _, _, actor, action, members, title = item
                if action == "banner":
                    line = f"{plan.name}: {lrm}{texts['banner']}" if ios else texts["banner"]
                    banners += 1
                elif action == "create":
                    line = lrm + texts["create_self"].format(title=title)
                    joins += 1
                else:
                    target = shown(members[0])
                    self_ = "_self" if actor == exporter and action in {"add", "remove"} else ""
                    by = shown(actor) if actor is not None else ""
                    line = lrm + texts[action + self_].format(actor=by, target=target)
                    if action in {"add", "link"}:
                        joins += 1
                    elif action == "leave":
                        leaves += 1
                    elif action == "remove":
                        removals += 1
                parts.append(f"{head}{line}\n")
                service += 1
            if len(parts) >= _FLUSH:
                fh.write("".join(parts))
                parts.clear()
        fh.write("".join(parts))
    return {
        "messages": messages,
        "service": service,
        "banners": banners,
        "joins": joins,
        "leaves": leaves,
        "removals": removals,
        "media": media_n,
        "mentions": mentions,
        "multiline": multiline,
    }
