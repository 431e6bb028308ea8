"""Words that ads use, in Chinese and English, in two strengths.

*Strong* words rarely appear in ordinary group talk but run through micro-business and
spam posts (兼职, 日赚, 刷单, "guaranteed profit"). *Weak* words are common in ads and also in
honest talk (代理, 投资, crypto, invest): alone they say little, so they weigh less and the
model learns how much they add next to a contact or a link.

A community adds its own words through the rules file (``[ads] extra_words``), counted as
strong.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

__all__ = ["STRONG", "WEAK", "WORD", "VocabMatcher", "matcher"]

STRONG: Final = frozenset(
    {
        # Chinese micro-business and scam vocabulary
        "兼职",
        "日赚",
        "日结",
        "日入",
        "月入过万",
        "月入",
        "免费领取",
        "免费领",
        "宝妈",
        "副业",
        "躺赚",
        "刷单",
        "返利",
        "加我",
        "私聊",
        "私我",
        "滴滴我",
        "戳我",
        "稳赚",
        "零风险",
        "无门槛",
        "在家就能",
        "动动手指",
        "带你赚钱",
        "手机操作",
        "招代理",
        "诚招",
        "点赞员",
        "打字员",
        "秒到账",
        "包赚",
        "回本",
        "薅羊毛",
        "福利群",
        "一件代发",
        "招商加盟",
        "网赚",
        "博彩",
        "无抵押",
        "下款",
        "套现",
        "办证",
        "代开发票",
        "裸聊",
        "约炮",
        "加微",
        "加v",
        "扫码进群",
        "引流",
        "日进斗金",
        "轻松赚",
        "高佣",
        "带单",
        "喊单",
        "内部渠道",
        "名额有限",
        "先到先得",
        "详询",
        # English spam vocabulary (chat, SMS and Telegram)
        "dm me",
        "inbox me",
        "message me",
        "pm me",
        "text me",
        "whatsapp me",
        "contact me",
        "earn $",
        "make money",
        "work from home",
        "guaranteed profit",
        "guaranteed returns",
        "passive income",
        "forex",
        "binary options",
        "trading signals",
        "signals group",
        "account manager",
        "investment platform",
        "free entry",
        "you have won",
        "claim your",
        "claim now",
        "call now",
        "100% guaranteed",
        "risk free",
        "limited slots",
        "join my channel",
        "join our channel",
        "click the link",
        "airdrop",
        "double your",
        "daily profit",
        "weekly profit",
    }
)

WEAK: Final = frozenset(
    {
        "代理",
        "推广",
        "代购",
        "微商",
        "咨询",
        "理财",
        "投资",
        "收益",
        "炒币",
        "币圈",
        "usdt",
        "福利",
        "优惠",
        "特价",
        "低价",
        "清仓",
        "正品",
        "货源",
        "厂家",
        "直销",
        "免费",
        "招聘",
        "贷款",
        "信用卡",
        "彩票",
        "同城",
        "进群",
        "加群",
        "联系",
        "crypto",
        "bitcoin",
        "btc",
        "eth",
        "invest",
        "investment",
        "profit",
        "trading",
        "income",
        "earn",
        "free",
        "offer",
        "win",
        "winner",
        "cash",
        "urgent",
        "bonus",
        "reward",
        "loan",
        "casino",
        "promo",
        "discount",
        "subscribe",
        "telegram",
        "whatsapp",
        "congratulations",
        "prize",
        "withdraw",
        "per day",
        "per week",
        "giveaway",
        "click here",
        "私信",
        "赚钱",
        "挣钱",
        "扫码",
        "二维码",
        "上车",
        "提现",
        "佣金",
        "招募",
    }
)

_WORDLIKE = re.compile(r"[a-z0-9]")
_SINGLE = re.compile(r"[a-z][a-z']*")  # a vocabulary entry that is one Latin word
#: The Latin words of a text, as the model's features take them (shared, so looked up once).
WORD = re.compile(r"[a-z][a-z']{1,19}")


def _trie_pattern(words: list[str]) -> str:
    """One regular expression for many words, shared prefixes factored out (a trie), so the
    engine rejects most positions at the first character; longer words win over prefixes."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(trie)


class VocabMatcher:
    """Finds the strong and weak words in a normalised text.

    Latin words must stand alone (``win`` is not found in ``window``); Chinese words are
    found anywhere, as Chinese has no spaces. Single Latin words are looked up in a set among
    the text's words; Latin phrases ("dm me", "earn $") and Chinese words each go through a
    trie-shaped pattern, the phrase pattern only when a phrase's first word is in the text.
    """

    def __init__(self, strong: frozenset[str], weak: frozenset[str]) -> None:
        self.strong = strong
        self.weak = weak - strong
        words = sorted(strong | self.weak)
        latin = [w for w in words if _WORDLIKE.match(w[0])]
        self.single = frozenset(w for w in latin if _SINGLE.fullmatch(w))
        phrases = [w for w in latin if w not in self.single]
        # a word each phrase surely contains: the phrase pattern runs only when one is in the text
        self.phrase_starts = frozenset(WORD.search(w).group() for w in phrases)  # type: ignore[union-attr]
        closed = [w for w in phrases if _WORDLIKE.match(w[-1])]  # "dm me" must not end inside "dm meg"
        open_ended = [w for w in phrases if w not in closed]  # "earn $" goes on into "earn $500"
        other = [w for w in words if w not in latin]
        self.chinese = re.compile(_trie_pattern(other)) if other else None
        self.phrases = []
        if closed:
            self.phrases.append(re.compile(r"(?<![a-z0-9])" + _trie_pattern(closed) + r"(?![a-z0-9])"))
        if open_ended:
            self.phrases.append(re.compile(r"(?<![a-z0-9])" + _trie_pattern(open_ended)))

    def find(self, norm: str, words: set[str] | None = None) -> tuple[list[str], list[str]]:
        """The strong and the weak words found, each once (Chinese, then Latin in order).

        ``words`` are the text's Latin words, when the caller has them already.
        """
        if words is None:
            words = set(WORD.findall(norm))
        found: list[str] = []
        if self.chinese is not None and not norm.isascii():
            found += self.chinese.findall(norm)
        if words:
            hits = words & self.single
            if words & self.phrase_starts:
                for pattern in self.phrases:
                    found += pattern.findall(norm)
            if hits:
                found += sorted(hits)
        strong: list[str] = []
        weak: list[str] = []
        for word in found:
            target = strong if word in self.strong else weak
            if word not in target:
                target.append(word)
        if strong and weak:  # "earn" inside "earn $" is one finding, not two
            weak = [w for w in weak if not any(w in s for s in strong)]
        return strong, weak


@lru_cache(maxsize=64)
def matcher(extra_words: tuple[str, ...] = ()) -> VocabMatcher:
    """The matcher for the built-in words plus a community's extra words (lower-cased)."""
    extra = frozenset(w.strip().lower() for w in extra_words if w.strip())
    return VocabMatcher(STRONG | extra, WEAK)
