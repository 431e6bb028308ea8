"""Synthetic WeChat group exports for the parse benchmarks, in MemoTrace's layouts.

``bench_sample(path, n)`` writes a MemoTrace CSV (``…_utf8.csv``) or, for a ``.txt`` path,
a MemoTrace TXT of one busy group: 400 members, texts of realistic length, media, stickers,
quoted replies, links and a join now and then. Rows are written as they are made, so memory
stays flat however large ``n`` is, and a fixed seed makes every run the same file.
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shequn.sources._wechat_memotrace import HEADER_COLUMNS

__all__ = ["bench_sample"]

_START = 1_704_067_200  # 2024-01-01 00:00:00 UTC
_LOCAL = timedelta(hours=8)  # MemoTrace's StrTime: the exporting PC's clock (Asia/Shanghai)
_MEMBERS = 400
_WORDS = ("今天", "读书", "会议", "大家", "好", "问题", "代码", "发布", "周末", "活动")
_COLUMNS = list(HEADER_COLUMNS)  # the importer's own header, so the two cannot drift apart
_REFER = (
    '<?xml version="1.0"?><msg><appmsg appid="" sdkver="0"><title>{title}</title><type>57</type><refermsg>'
    "<type>1</type><svrid>{svrid}</svrid><fromusr>20009999999@chatroom</fromusr><chatusr>{chatusr}</chatusr>"
    "<displayname>{name}</displayname><content>{content}</content></refermsg></appmsg></msg>"
)


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 18)))


def _rows(n_messages: int):  # type: ignore[no-untyped-def]
    """(Type, SubType, member, epoch seconds, content) for a group's history."""
    rng = random.Random(20240101)
    now = _START
    last_texts: list[tuple[int, str]] = []
    for i in range(n_messages):
        now += rng.choice((0, 1, 3, 10, 30, 60, 240))
        member = min(int(rng.paretovariate(1.2)) - 1, _MEMBERS - 1)
        roll = rng.random()
        if roll < 0.01:
            yield 10000, 0, -1, now, f'"成员{member}"邀请"成员{(member * 7 + i) % _MEMBERS}"加入了群聊'
        elif roll < 0.09:
            yield 3, 0, member, now, '<?xml version="1.0"?><msg><img length="20480" md5="0f3c"/></msg>'
        elif roll < 0.13:
            yield 47, 0, member, now, f'<msg><emoji fromusername="wxid_m{member}" type="2" md5="9e1a"/></msg>'
        elif roll < 0.16:
            yield 34, 0, member, now, '<msg><voicemsg voicelength="3000"/></msg>'
        elif roll < 0.18 and last_texts:
            quoted_member, quoted = rng.choice(last_texts)
            content = _REFER.format(
                title=_text(rng), svrid=i, chatusr=f"wxid_m{quoted_member}", name=f"成员{quoted_member}", content=quoted
            )
            yield 49, 57, member, now, content
        elif roll < 0.19:
            yield 49, 5, member, now, "<msg><appmsg><title>一篇文章</title><type>5</type></appmsg></msg>"
        else:
            text = _text(rng)
            last_texts = [*last_texts[-49:], (member, text)]
            yield 1, 0, member, now, text


def _str_time(epoch: int) -> str:
    return (datetime.fromtimestamp(epoch, UTC) + _LOCAL).strftime("%Y-%m-%d %H:%M:%S")


def _write_csv(path: Path, n_messages: int) -> None:
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(_COLUMNS)
        for local_id, (msg_type, sub_type, member, epoch, content) in enumerate(_rows(n_messages), start=1):
            names = ["", "", ""] if member < 0 else [f"成员{member}", f"成员{member}", f"wxid_m{member}"]
            writer.writerow(
                [local_id, 7, msg_type, sub_type, int(member == 0), epoch, 2, content, _str_time(epoch), *names]
            )


_TXT_BODY = {3: "[图片]", 47: "[表情包]", 34: "[语音]"}


def _write_txt(path: Path, n_messages: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        for msg_type, sub_type, member, epoch, content in _rows(n_messages):
            stamp = _str_time(epoch)
            if msg_type == 10000:
                fh.write(f"{stamp} {content}\n\n")
            elif msg_type == 49 and sub_type == 57:
                fh.write(f"{stamp} 成员{member}\n{_text(random.Random(epoch))}\n引用:成员{member}:…\n\n")
            elif msg_type == 49:
                card = "            [链接]:title:一篇文章\n            url:None\n            \n"
                fh.write(f"{stamp} 成员{member}\n{card}\n")
            else:
                fh.write(f"{stamp} 成员{member}\n{_TXT_BODY.get(msg_type, content)}\n\n")


def bench_sample(path: Path, n_messages: int) -> None:
    """Write a MemoTrace export of ``n_messages`` rows: TXT for a ``.txt`` path, else CSV."""
    if path.suffix.lower() == ".txt":
        _write_txt(path, n_messages)
    else:
        _write_csv(path, n_messages)


if __name__ == "__main__":
    bench_sample(Path(sys.argv[1]), int(sys.argv[2]))
