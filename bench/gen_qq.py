"""Synthetic QQ message-manager exports for the parse benchmarks.

``bench_sample(path, n)`` writes a UTF-8 (BOM, CRLF) export of one group as QQ's message
manager does: banner, section header, then messages from 400 members, some multi-line, some
placeholders, with title tags, e-mail senders and system lines now and then. Lines are
written as they are made (flat memory) from a fixed seed (the same file every run).
"""

from __future__ import annotations

import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

__all__ = ["bench_sample"]

_START = datetime(2019, 1, 1, 8, 0, 0)
_MEMBERS = 400
_RULE = "=" * 64
_WORDS = ("今天", "读书", "会议", "大家", "好", "问题", "代码", "发布", "周末", "活动")
_SYSTEM = ("{name}加入本群。", "{name}退出了本群", "{name}被管理员移出本群", "{name}撤回了一条消息")


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 18)))


def bench_sample(path: Path, n_messages: int) -> None:
    """Write a QQ TXT export with ``n_messages`` messages and system lines."""
    rng = random.Random(20190101)
    now = _START
    with open(path, "w", newline="\r\n", encoding="utf-8-sig") as fh:
        fh.write(
            f"消息记录（此消息记录为文本格式，不支持重新导入）\n\n{_RULE}\n消息分组:我的群聊\n{_RULE}\n"
            f"消息对象:基准测试群\n{_RULE}\n\n"
        )
        for _ in range(n_messages):
            now += timedelta(seconds=rng.choice((0, 1, 3, 10, 30, 60, 240)))
            member = min(int(rng.paretovariate(1.2)), _MEMBERS)
            stamp = f"{now:%Y-%m-%d} {now.hour}:{now:%M:%S}"  # QQ does not pad the hour
            roll = rng.random()
            if roll < 0.01:
                fh.write(f"{stamp} 系统消息(10000)\n{rng.choice(_SYSTEM).format(name=f'成员{member}')}\n\n")
                continue
            if member % 50 == 7:
                sender = f"成员{member}<member{member}@example.com>"
            elif member < 3:
                sender = f"【管理员】成员{member}({10000 + member * 7919})"
            else:
                sender = f"成员{member}({10000 + member * 7919})"
            if roll < 0.09:
                body = "[图片]"
            elif roll < 0.13:
                body = "[表情]"
            elif roll < 0.20:
                body = f"{_text(rng)}\n{_text(rng)}"
            else:
                body = _text(rng)
            fh.write(f"{stamp} {sender}\n{body}\n\n")


if __name__ == "__main__":
    bench_sample(Path(sys.argv[1]), int(sys.argv[2]))
