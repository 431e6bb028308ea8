"""The demo community: six months of a made-up community, written as real export files.

:func:`write_demo` writes a Telegram Desktop ``result.json`` per Telegram group and a
WhatsApp text export per WhatsApp group, so ``shequn demo`` runs the same importers as a
real import, plus ``truth.json``: the facts the storyline planted (ad posters, removals,
unanswered questions, topic evenings, rituals, staff, bots, members per group) for tests
of the features that should find them. It is not an export and is never imported.

Everything comes from ``random.Random(seed)`` and fixed dates (2026-01-05 to 2026-06-30):
the same seed and scale write byte-identical files. ``scale`` grows people, groups and
messages about linearly: scale 1 is about 26 k messages from 200 people in 4 groups, scale
400 about 10 M messages in 400 groups. Files are written message by message, so memory
grows with the people, never with the messages.

The groups of each set of four: a tech Q&A group (Telegram, weekly topic evening on
Wednesdays with a bot), a reading club (WhatsApp, a phone set to Chinese, a monthly
sharing session on the first Sunday), a recruitment group (Telegram) and a meetup group
(WhatsApp on an iPhone in English).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from shequn.demo._calendar import ZONE
from shequn.demo._people import GroupPlan, plan_demo
from shequn.demo._truth import build_truth
from shequn.demo._workers import auto_workers, write_groups
from shequn.errors import ConfigError

__all__ = ["DemoFile", "write_demo"]

TRUTH_FILE = "truth.json"


@dataclass(frozen=True)
class DemoFile:
    """One written export: where it is, how to import it, and what the group is for.

    ``counts`` says what the file holds by kind (messages, joins, leaves, removals, …), as
    the generator wrote it, so an import can be checked against it.
    """

    path: Path
    fmt: str  # "telegram" or "whatsapp"
    group: str  # the group's display name
    tz: str
    purpose: str | None
    counts: Mapping[str, int] = field(default_factory=dict, compare=False)


def _file_name(plan: GroupPlan) -> Path:
    """Where a group's export goes, named as the app names it."""
    if plan.layout == "telegram":
        return Path("telegram") / plan.key / "result.json"
    if plan.layout == "android-zh":
        return Path("whatsapp") / plan.key / f"与{plan.name}的 WhatsApp 聊天.txt"
    return Path("whatsapp") / plan.key / "_chat.txt"


def write_demo(out_dir: Path, *, scale: float = 1.0, seed: int = 7, workers: int | None = None) -> list[DemoFile]:
    """Write the demo's export files and ``truth.json`` into ``out_dir``; return the files.

    ``workers`` processes write groups side by side (default: one per core when there are
    many groups); the files are the same whatever the number.
    """
    if not 0 < scale <= 10_000:
        raise ConfigError(f"demo scale must be above 0 and at most 10000, not {scale}")
    out_dir = Path(out_dir)
    cast = plan_demo(random.Random(seed), scale)
    paths = [out_dir / _file_name(plan) for plan in cast.groups]
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
    results = write_groups(cast, paths, seed, scale, workers if workers is not None else auto_workers(len(paths)))
    files = [
        DemoFile(path, plan.fmt, plan.name, ZONE, plan.purpose, counts)
        for plan, path, (counts, _) in zip(cast.groups, paths, results, strict=True)
    ]
    truth = build_truth(cast, paths, results, out_dir, scale, seed)
    (out_dir / TRUTH_FILE).write_bytes(orjson.dumps(truth, option=orjson.OPT_INDENT_2) + b"\n")
    return files
