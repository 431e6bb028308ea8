"""What in a message's text points at an ad: contact handles, links, ad words.

Every finding is a :class:`Signal` with a code and the text it was read from, so a moderator
sees *why* a message was flagged (``wechat_id: abc_123``), not only a number. The codes:

``wechat_id``   a WeChat id after ``vx``/``wx``/``v信``/``加V``/``薇信``/``威信``/``➕V``…
``qq``          a QQ number after ``Q``/``QQ``/``扣扣``/``企鹅``
``qq_group``    a group number after ``群号``/``加群``/``进群``
``phone_cn``    a Chinese mobile number (1[3-9] and nine digits, ``+86`` allowed)
``phone_intl``  a number written with ``+`` or ``00`` and a country code
``phone``       another number of seven digits or more after ``电话``/``call``/``whatsapp``…
``email``       an e-mail address
``handle``      an ``@handle`` after "DM", "contact", "telegram", ``联系``, ``加``…
``link``        a link to a domain the community has not allowed
``short_link``  a link through a shortener (t.cn, bit.ly, url.cn…), which hides where it goes
``invite_link`` an invitation to another chat (t.me, chat.whatsapp.com, discord.gg, qm.qq.com)
``disguised``   a number or handle written to dodge filters (full-width, emoji between digits…)
``vocab``       a strong ad word; ``vocab_weak`` a word common in ads and in honest talk
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from shequn.classify._ads_normalize import DigitRun, digit_runs
from shequn.classify._ads_vocab import WORD, VocabMatcher

__all__ = ["CONTACT_CODES", "Signal", "find_signals", "host_allowed", "link_hosts", "read_text"]

#: Codes that give a way to reach the poster outside the group. E-mail addresses are left
#: out: mailing lists and work chats are full of them.
CONTACT_CODES: Final = frozenset({"wechat_id", "qq", "qq_group", "phone_cn", "phone_intl", "phone", "handle"})

SHORTENERS: Final = frozenset(
    {
        "t.cn",
        "url.cn",
        "w.url.cn",
        "dwz.cn",
        "suo.im",
        "suo.nz",
        "bit.ly",
        "bit.do",
        "tinyurl.com",
        "goo.gl",
        "t.co",
        "is.gd",
        "v.gd",
        "ow.ly",
        "rebrand.ly",
        "cutt.ly",
        "shorturl.at",
        "rb.gy",
        "t.ly",
        "s.id",
        "tiny.cc",
        "reurl.cc",
        "0rz.tw",
        "qr.net",
        "lnkd.in",
        "buff.ly",
    }
)
_INVITE_HOSTS: Final = frozenset(
    {"t.me", "telegram.me", "chat.whatsapp.com", "wa.me", "discord.gg", "qm.qq.com", "jq.qq.com"}
)

_WECHAT: Final = re.compile(
    r"(?:(?<![a-z])(?:vx|wx|wechat|weixin|vchat)(?![a-z])|v信|[微薇威徽维]信|(?<!蔷)薇|(?:加|\+)\s*v(?![a-z])"
    r"|(?<![a-z])v(?=\s*:))"
    r"\s*(?:号|id)?\s*[:=]?\s*([a-z][a-z0-9_\-]{5,19})(?![a-z0-9_\-])"
)
# Cheap first looks: the full patterns start with look-behinds, which make the engine try
# every position; these literal patterns let most messages skip them.
_WECHAT_HINT: Final = re.compile(r"vx|wx|wechat|weixin|vchat|信|薇|加|\+|v\s*:")
_URL_HINT: Final = re.compile(r"\.[a-z]|www|http")
# Bare "q" only with a colon or after 加 ("Q: 12345", "加Q 12345"): "Q1 2019" is a quarter.
_QQ: Final = re.compile(
    r"(?:(?<![a-z])qq(?![a-z])|(?<![a-z])q(?=\s*号?\s*[:=])|加\s*q(?![a-z])|扣扣|抠抠|企鹅|球球)(?:号)?\s*[:=]?\s*$"
)
_QQ_GROUP: Final = re.compile(r"(?:群号|qq群|加群|进群|入群|群)(?:号)?\s*[:=]?\s*$")
_PHONE_WORD: Final = re.compile(
    r"(?:电话|手机|热线|致电|联系|tel|phone|call|text|whatsapp|wa|viber|mobile|cell)(?:\s*(?:号码|号|me|us|on|at)){0,2}"
    r"\s*[:=]?\s*$"
)
_CN_MOBILE: Final = re.compile(r"(?:86)?1[3-9]\d{9}")
_EMAIL: Final = re.compile(r"[a-z0-9][a-z0-9._%+\-]*@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}")
_HANDLE: Final = re.compile(
    r"(?:(?<![a-z])(?:dm|contact|inbox|telegram|tg|whatsapp)(?![a-z])"
    r"|(?<![a-z])(?:message|text|write|pm|msg|reach|ask)\s+(?:me|us|him|her|them)(?![a-z])"
    r"|联系|私聊|加)[^@\n]{0,12}@([a-z][a-z0-9_]{3,31})"
)
_TLDS: Final = (
    "com|cn|net|org|io|me|cc|xyz|top|vip|club|info|ly|co|gg|app|site|shop|online|ru|tk|link|live|pro|biz|in|us|tv|ws"
)
_URL: Final = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'，。！？）)】]+"
    rf"|(?<![\w@.\-/])(?:[a-z0-9][a-z0-9\-]*\.)+(?:{_TLDS})(?![a-z0-9\-])(?:/[^\s<>\"'，。！？）)】]*)?"
)
_SCHEME: Final = re.compile(r"^(?:https?://)?(?:www\.)?")
_DIGIT: Final = re.compile(r"\d")
_ALNUM: Final = re.compile(r"[a-z0-9]").match
_DOTTED: Final = re.compile(r"\d+(?:\.\d+)+")
# Code in backticks (Discord, Slack, Telegram markdown) is commands and output, not contacts.
_CODE: Final = re.compile(r"```.*?(?:```|$)|`[^`\n]+`", re.S)
_LOOKBACK = 12  # characters before a number searched for the word that names it


@dataclass(frozen=True, slots=True)
class Signal:
    """One finding in a text: what it is (``code``) and the text it was read from."""

    code: str
    detail: str


def _host(found: str) -> tuple[str, str]:
    link = found.rstrip(".,;:!?")
    host = _SCHEME.sub("", link).split("/", 1)[0].split(":", 1)[0].split("?", 1)[0]
    return host, link


def link_hosts(norm: str) -> list[tuple[str, str]]:
    """``(host, link)`` of every link in a normalised text, host without ``www.``."""
    return [found for found in map(_host, _URL.findall(norm)) if found[0]]


def host_allowed(host: str, allowed: frozenset[str]) -> bool:
    """Is ``host`` one of the allowed domains or under one of them (``docs.python.org``)?"""
    return any(host == domain or host.endswith("." + domain) for domain in allowed)


def _number_signals(norm: str, runs: list[DigitRun], out: list[Signal]) -> None:
    for run in runs:
        if run.start and run.end < len(norm) and _ALNUM(norm[run.start - 1]) and _ALNUM(norm[run.end]):
            continue  # inside a word: a hash, an id, a file name (f8d2bc0855 6dedf2)
        if _DOTTED.fullmatch(norm, run.start, run.end):
            continue  # an address, a version or a decimal (195.201.20.230, 2.0.1), not a phone
        digits = run.digits
        if "000000" in digits:
            continue  # a round number (+10000000), not a phone
        before = norm[max(0, run.start - _LOOKBACK) : run.start]
        code = None
        international = before.rstrip().endswith("+") or (digits.startswith("00") and digits[2:3] not in ("", "0"))
        if _QQ.search(before) and 5 <= len(digits) <= 11:
            code = "qq"
        elif _QQ_GROUP.search(before) and 5 <= len(digits) <= 11:
            code = "qq_group"
        elif _CN_MOBILE.fullmatch(digits) and (not international or digits.startswith("86")):
            code = "phone_cn"
        elif international and 8 <= len(digits) <= 15:
            code = "phone_intl"
        elif _PHONE_WORD.search(before) and 7 <= len(digits) <= 15:
            code = "phone"
        if code is not None:
            out.append(Signal(code, digits))
            if run.disguised:
                out.append(Signal("disguised", norm[run.start : run.end]))


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the given spans replaced by spaces, so positions stay where they were."""
    parts = []
    last = 0
    for start, end in spans:
        parts.append(text[last:start])
        parts.append(" " * (end - start))
        last = end
    parts.append(text[last:])
    return "".join(parts)


def read_text(
    norm: str, vocab: VocabMatcher, allowed_domains: frozenset[str] = frozenset()
) -> tuple[list[Signal], str, set[str]]:
    """Every signal in a normalised text, the text with its links and e-mail addresses blanked
    out, and the Latin words of that text (which the model's features reuse).

    Code in backticks, links and addresses are read first and blanked, so that a video id
    after ``?v=`` is no WeChat id, the digits of a path or a command are no phone number and
    the words of a path no ad words.
    """
    out: list[Signal] = []
    spans: list[tuple[int, int]] = []
    if "`" in norm:
        spans.extend(m.span() for m in _CODE.finditer(norm))
        norm = _blank(norm, spans)
    if "@" in norm:
        for m in _EMAIL.finditer(norm):
            out.append(Signal("email", m.group()))
            spans.append(m.span())
    if "." in norm and _URL_HINT.search(norm):
        for match in _URL.finditer(norm):
            spans.append(match.span())
            host, link = _host(match.group())
            if not host or (allowed_domains and host_allowed(host, allowed_domains)):
                continue
            if host in SHORTENERS:
                out.append(Signal("short_link", link))
            elif host in _INVITE_HOSTS:
                out.append(Signal("invite_link", link))
            else:
                out.append(Signal("link", host))
    rest = _blank(norm, sorted(spans)) if spans else norm
    if _WECHAT_HINT.search(rest):
        out.extend(Signal("wechat_id", match.group(1)) for match in _WECHAT.finditer(rest))
    if "@" in rest:
        out.extend(Signal("handle", m.group(1)) for m in _HANDLE.finditer(rest))
    if _DIGIT.search(rest):
        _number_signals(rest, digit_runs(rest), out)
    words = set(WORD.findall(rest))
    strong, weak = vocab.find(rest, words)
    out.extend(Signal("vocab", w) for w in strong)
    out.extend(Signal("vocab_weak", w) for w in weak)
    return out, rest, words


def find_signals(norm: str, vocab: VocabMatcher, allowed_domains: frozenset[str] = frozenset()) -> list[Signal]:
    """Every signal in a normalised text (see the module docstring for the codes)."""
    return read_text(norm, vocab, allowed_domains)[0]
