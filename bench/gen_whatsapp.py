"""A large WhatsApp Android export (English, 24 h) for bench/import.py.

One line per message mostly, with multi-line messages, media placeholders and join/leave
system lines, from 800 contacts with a long tail.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

T0 = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)


def bench_sample(path: Path, n_messages: int) -> Path:
    """Write about ``n_messages`` lines as ``path.txt``; returns the file."""
    out = path.with_suffix(".txt")
    rnd = random.Random(7)
    names = [f"Member {i}" for i in range(800)]
    t = T0
    lines = 0
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(f"{t:%d/%m/%Y, %H:%M} - Messages and calls are end-to-end encrypted.\n")
        while lines < n_messages:
            t += timedelta(seconds=rnd.randint(5, 90))
            head = f"{t:%d/%m/%Y, %H:%M} - "
            who = names[int(rnd.paretovariate(1.2)) % len(names)]
            r = rnd.random()
            if r < 0.01:
                fh.write(f"{head}{who} joined using this group's invite link\n")
            elif r < 0.015:
                fh.write(f"{head}{who} left\n")
            elif r < 0.08:
                fh.write(f"{head}{who}: <Media omitted>\n")
            elif r < 0.13:
                fh.write(f"{head}{who}: first line of a longer message\nand its second line\n")
                lines += 1
            else:
                fh.write(f"{head}{who}: message {lines} with a few words, anyone know how?\n")
            lines += 1
    return out
