"""A generated mailing-list mbox of any size, for measuring the importer.

Mails follow what list archives hold (FORMATS.md §11): ``From `` separators, ``List-Id``,
threads through ``In-Reply-To``/``References``, quoted replies, a few ISO-8859-1 and
undeclared 8-bit bodies, multipart/alternative mails with an HTML part, and a body line
that starts with "From " unescaped. Randomness is seeded, so a size always gives the same
file; mails are written as they are made.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

__all__ = ["bench_sample"]

_START = datetime(2016, 4, 1, 9, 0, tzinfo=UTC)
_WORDS = ["patch", "release", "review", "merge", "build", "test", "thanks", "agree", "docs", "question", "bug"]


def bench_sample(path: Path, n_messages: int, *, members: int = 2000) -> Path:
    """Write ``n_messages`` mails to ``path`` with ``.mbox``; returns the file written."""
    rng = random.Random(n_messages)
    moment = _START
    recent: list[tuple[str, str]] = []  # (message id, thread root) of the last mails, to answer
    out_path = path.with_suffix(".mbox")
    with open(out_path, "wb") as out:
        for i in range(n_messages):
            moment += timedelta(seconds=rng.randint(1, 900))
            user = rng.randrange(members)
            address = f"user{user}@example.org"
            message_id = f"<{i}.{user}@bench.example.org>"
            headers = [
                f"From {address}  {moment:%a %b %d %H:%M:%S %Y}",
                f"From: User {user} <{address}>",
                "To: dev@lists.example.org",
                f"Date: {format_datetime(moment)}",
                f"Message-ID: {message_id}",
                "List-Id: Bench developers <dev.lists.example.org>",
            ]
            words = " ".join(rng.choices(_WORDS, k=rng.randint(10, 80)))
            body = f"{words}\n\nFrom what I see, fine.\n"
            root = message_id
            if recent and rng.random() < 0.7:
                parent, root = rng.choice(recent)
                headers += [
                    f"Subject: Re: [dev] topic {root[1:8]}",
                    f"In-Reply-To: {parent}",
                    f"References: {root} {parent}",
                ]
                body = "".join(f"> {w}\n" for w in rng.choices(_WORDS, k=rng.randint(1, 8))) + body
            else:
                headers.append(f"Subject: [dev] topic {message_id[1:8]}")
            recent = ([*recent, (message_id, root)])[-50:]
            roll = rng.random()
            if roll < 0.02:
                headers.append("Content-Type: text/plain; charset=ISO-8859-1")
                raw = (body + "caf\xe9\n").encode("latin-1")
            elif roll < 0.1:
                headers += ["MIME-Version: 1.0", 'Content-Type: multipart/alternative; boundary="B"']
                html = f"<p>{body}</p>"
                raw = (
                    f"--B\nContent-Type: text/plain; charset=utf-8\n\n{body}\n"
                    f"--B\nContent-Type: text/html; charset=utf-8\n\n{html}\n--B--\n"
                ).encode()
            else:
                headers.append("Content-Type: text/plain; charset=utf-8")
                raw = body.encode()
            out.write("\n".join(headers).encode() + b"\n\n" + raw + b"\n")
    return out_path
