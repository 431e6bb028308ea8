"""A generated IRC channel log of any size, for measuring the importer.

The default layout is irssi's (FORMATS.md §12): ``--- Log opened``/``--- Day changed``
markers, ``HH:MM <nick>`` messages with mode prefixes, ``/me`` actions, joins, parts, quits,
kicks and nick changes, and one Latin-1 line in a thousand. ``layout="bracket"`` writes an
irclogs.ubuntu.com day file instead (``[HH:MM] <nick>``, ``=== `` status lines without a
time), named after its last day as the importer expects. Randomness is seeded, so a size
always gives the same log; lines are written as they are made.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

__all__ = ["bench_sample"]

_START = datetime(2024, 3, 5, 9, 0)
_WORDS = ["kernel", "apt", "grub", "wifi", "driver", "install", "thanks", "try", "reboot", "works", "log", "sudo"]


def bench_sample(path: Path, n_messages: int, *, layout: str = "irssi", members: int = 2000) -> Path:
    """Write a log of about ``n_messages`` lines (nine in ten are messages); returns the file written.

    The file is ``path`` with ``.log`` (irssi) or, for ``bracket``, a dated name beside it.
    """
    rng = random.Random(n_messages)
    nicks = [f"user{i}" for i in range(members)]
    moment = _START
    out_path = path.with_suffix(".log")
    with open(out_path, "wb") as out:
        if layout == "irssi":
            out.write(f"--- Log opened {moment:%a %b %d %H:%M:%S %Y}\n".encode())
        day = moment.date()
        for i in range(n_messages):
            moment += timedelta(seconds=rng.randint(0, 12))
            if layout == "irssi" and moment.date() != day:
                day = moment.date()
                out.write(f"--- Day changed {moment:%a %b %d %Y}\n".encode())
            line = _line(rng, nicks, i, layout, moment)
            if rng.random() < 0.001:
                out.write(line.encode("latin-1", errors="replace") + " caf\xe9".encode("latin-1") + b"\n")
            else:
                out.write(line.encode() + b"\n")
    if layout == "bracket":
        dated = path.with_name(f"{path.name}.{moment:%Y-%m-%d}.log")
        out_path.replace(dated)
        return dated
    return out_path


def _line(rng: random.Random, nicks: list[str], i: int, layout: str, moment: datetime) -> str:
    nick = rng.choice(nicks)
    roll = rng.random()
    if layout == "bracket":
        stamp = f"[{moment:%H:%M}] "
        if roll < 0.04:
            return f"=== {nick} [~{nick}@host{i % 97}.example]  has joined #bench"
        if roll < 0.06:
            return f"=== {nick} [~{nick}@host{i % 97}.example]  has left #bench []"
        if roll < 0.07:
            return f"=== {nick} is now known as {nick}_"
        if roll < 0.08:
            return f"{stamp} * {nick} {_text(rng)}"
        return f"{stamp}<{nick}> {_text(rng, rng.choice(nicks) if roll < 0.4 else None)}"
    stamp = f"{moment:%H:%M} "
    if roll < 0.04:
        return f"{stamp}-!- {nick} [~{nick}@host{i % 97}.example] has joined #bench"
    if roll < 0.055:
        return f"{stamp}-!- {nick} [~{nick}@host{i % 97}.example] has quit [Quit: bye]"
    if roll < 0.065:
        return f"{stamp}-!- {nick} [~{nick}@host{i % 97}.example] has left #bench [later]"
    if roll < 0.067:
        return f"{stamp}-!- {nick} was kicked from #bench by op [spam]"
    if roll < 0.077:
        return f"{stamp}-!- {nick} is now known as {nick}_"
    if roll < 0.09:
        return f"{stamp} * {nick} {_text(rng)}"
    mode = rng.choice(["@", "+", " ", " ", " "])
    return f"{stamp}<{mode}{nick}> {_text(rng, rng.choice(nicks) if roll < 0.4 else None)}"


def _text(rng: random.Random, addressee: str | None = None) -> str:
    words = " ".join(rng.choices(_WORDS, k=rng.randint(2, 18)))
    return f"{addressee}: {words}" if addressee else words
