"""Invented names, handles and phone numbers for the demo's members.

Names are drawn from fixed pools with the storyline's own random generator, so the same seed
gives the same people. Every display name is unique across the demo: WhatsApp knows members
by name only, and two members sharing a name would silently become one.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Final

__all__ = ["NameMaker"]

# (surname, pinyin)
_SURNAMES: Final = (
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
    ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"),
    ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("高", "Gao"),
    ("林", "Lin"), ("罗", "Luo"), ("郑", "Zheng"), ("梁", "Liang"), ("谢", "Xie"), ("宋", "Song"),
    ("唐", "Tang"), ("许", "Xu"), ("韩", "Han"), ("冯", "Feng"), ("邓", "Deng"), ("曹", "Cao"),
    ("彭", "Peng"), ("曾", "Zeng"), ("肖", "Xiao"), ("田", "Tian"), ("董", "Dong"), ("袁", "Yuan"),
    ("潘", "Pan"), ("于", "Yu"), ("蒋", "Jiang"), ("蔡", "Cai"), ("余", "Yu"), ("杜", "Du"),
    ("叶", "Ye"), ("程", "Cheng"), ("苏", "Su"), ("魏", "Wei"), ("吕", "Lyu"), ("丁", "Ding"),
    ("任", "Ren"), ("沈", "Shen"), ("姚", "Yao"), ("卢", "Lu"), ("姜", "Jiang"), ("崔", "Cui"),
    ("钟", "Zhong"), ("谭", "Tan"), ("陆", "Lu"), ("汪", "Wang"), ("范", "Fan"), ("金", "Jin"),
    ("石", "Shi"), ("廖", "Liao"), ("贾", "Jia"), ("夏", "Xia"), ("韦", "Wei"), ("方", "Fang"),
    ("白", "Bai"), ("邹", "Zou"), ("孟", "Meng"), ("熊", "Xiong"), ("秦", "Qin"), ("邱", "Qiu"),
    ("江", "Jiang"), ("尹", "Yin"), ("薛", "Xue"), ("段", "Duan"), ("雷", "Lei"), ("侯", "Hou"),
    ("龙", "Long"), ("史", "Shi"), ("陶", "Tao"), ("黎", "Li"), ("贺", "He"), ("顾", "Gu"),
    ("毛", "Mao"), ("郝", "Hao"), ("龚", "Gong"), ("邵", "Shao"), ("万", "Wan"), ("钱", "Qian"),
    ("严", "Yan"), ("武", "Wu"), ("戴", "Dai"), ("莫", "Mo"), ("孔", "Kong"), ("汤", "Tang"),
)  # fmt: skip
_GIVEN: Final = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华玉萍红飞鹏辉鑫宇浩凯健俊帆旭宁婷雪琳晨晓欣怡悦佳嘉"
    "子梓涵轩若思雨泽博文瑶诗一然心可昊睿航辰毅清岚凡彤琪萱璐瑾"
)
_EN_FIRST: Final = (
    "Ann", "Ben", "Chloe", "Daniel", "Emma", "Felix", "Grace", "Henry", "Iris", "Jack", "Kate", "Leo",
    "Mia", "Noah", "Olivia", "Paul", "Quinn", "Ruby", "Sam", "Tina", "Uma", "Victor", "Wendy", "Xavier",
    "Yvonne", "Zoe", "Adam", "Bella", "Chris", "Diana", "Ethan", "Fiona", "George", "Hannah", "Ivan",
    "Julia", "Kevin", "Laura", "Mark", "Nina", "Oscar", "Priya", "Raj", "Sara", "Tom", "Vera", "Will",
    "Amir", "Nadia", "Omar", "Lucas", "Sofia", "Mateo", "Aisha", "Kenji", "Yuki", "Min-jun", "Anh",
    "Arjun", "Elena", "Marco", "Lena", "Jonas", "Eva", "Hugo", "Maya", "Ravi", "Tara", "Dev", "Ines",
)  # fmt: skip
_EN_LAST: Final = (
    "Smith", "Brown", "Lee", "Tan", "Ng", "Patel", "Garcia", "Kim", "Nguyen", "Wong", "Khan", "Chan",
    "Lim", "Ong", "Singh", "Miller", "Davis", "Lopez", "Wilson", "Clark", "Lewis", "Walker", "Hall",
    "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell", "Mitchell",
    "Roberts", "Carter", "Phillips", "Evans", "Turner", "Torres", "Parker", "Collins", "Edwards", "Stewart",
    "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Cooper", "Peterson", "Reed", "Bailey", "Bell",
    "Kelly", "Howard", "Ward", "Cox", "Rivera", "Richardson", "Wood", "Watson", "Brooks", "Bennett",
    "Gray", "James", "Reyes", "Cruz", "Hughes", "Price", "Myers", "Long", "Foster", "Sanders", "Ross",
    "Schmidt", "Weber", "Rossi", "Silva", "Sato", "Suzuki", "Park", "Choi", "Tran", "Goh", "Teo",
)  # fmt: skip
_NICK_SUFFIX: Final = ("🌸", "✨", "🐱", "🍀", "☕", "🌙", "🎧", "📚")
_CONTACT_TAGS: Final = ("读书会", "同事", "深圳", "技术群", "前同事", "师兄", "学姐")


class NameMaker:
    """Hands out unique names, usernames, Telegram ids and phone numbers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._names: set[str] = set()
        self._usernames: set[str] = set()
        self._tg_ids: set[int] = set()
        self._phones: set[str] = set()

    def _unique(self, make: Callable[[], str], taken: set) -> str:
        """The first value of ``make()`` not yet taken (after 50 tries, one with a number added)."""
        for _ in range(50):
            value = make()
            if value not in taken:
                taken.add(value)
                return value
        n = 2
        base = make()
        while f"{base}{n}" in taken:
            n += 1
        taken.add(f"{base}{n}")
        return f"{base}{n}"

    def chinese(self) -> tuple[str, str, str]:
        """A unique Chinese name, with its surname's pinyin and the given name."""
        rng = self.rng
        surname, pinyin = rng.choice(_SURNAMES)
        holder: list[str] = []

        def make() -> str:
            given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.7 else "")
            holder[:] = [given]
            return surname + given

        return self._unique(make, self._names), pinyin, holder[0]

    def english(self) -> tuple[str, str]:
        """A unique English-style "First Last" name and its first name."""
        rng = self.rng
        holder: list[str] = []

        def make() -> str:
            first = rng.choice(_EN_FIRST)
            holder[:] = [first]
            return f"{first} {rng.choice(_EN_LAST)}"

        return self._unique(make, self._names), holder[0]

    def telegram_name_for_chinese(self, name: str, pinyin: str, given: str) -> str:
        """What a Chinese member calls themselves on Telegram: the name, a nickname, or Latin."""
        rng = self.rng
        r = rng.random()
        if r < 0.6:
            return name
        if r < 0.8:
            nick = ("小" + given[-1]) if rng.random() < 0.5 else (given[-1] * 2)
            return self._unique(lambda: nick + rng.choice(_NICK_SUFFIX), self._names)
        return self._unique(lambda: f"{rng.choice(_EN_FIRST)} {pinyin}", self._names)

    def nickname(self, choices: tuple[str, ...]) -> str:
        """A unique made-up display name: one of ``choices`` with a number, as spam accounts use."""
        rng = self.rng
        return self._unique(lambda: f"{rng.choice(choices)}{rng.randrange(1, 99)}", self._names)

    def username(self, base: str) -> str:
        """A unique Telegram username (without @) built from a Latin base."""
        rng = self.rng
        clean = "".join(ch for ch in base.lower() if ch.isascii() and ch.isalnum()) or "user"
        return self._unique(lambda: f"{clean}{rng.randrange(10, 999)}", self._usernames)

    def telegram_id(self) -> int:
        """A unique Telegram user id (the number after ``user`` in ``from_id``)."""
        rng = self.rng
        while True:
            value = rng.randrange(100_000_000, 7_999_999_999)
            if value not in self._tg_ids:
                self._tg_ids.add(value)
                return value

    def phone(self, country: str = "86") -> str:
        """A unique phone number as WhatsApp shows an unsaved contact."""
        rng = self.rng

        def make() -> str:
            if country == "86":
                prefix = f"1{rng.choice('3578')}{rng.randrange(10)}"
                return f"+86 {prefix} {rng.randrange(10_000):04d} {rng.randrange(10_000):04d}"
            return f"+65 {rng.choice('89')}{rng.randrange(1000):03d} {rng.randrange(10_000):04d}"

        return self._unique(make, self._phones)

    def contact_name(self, name: str) -> str:
        """How a member is saved in the exporting phone's contacts (sometimes with a tag)."""
        rng = self.rng
        if rng.random() < 0.1:
            return self._unique(lambda: f"{name} ({rng.choice(_CONTACT_TAGS)})", self._names)
        return name
