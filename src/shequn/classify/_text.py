"""How the classifiers read a chat message: one normalisation shared by every detector.

Chat text arrives in many spellings of the same thing: ``?`` and full-width ``？``, ``Ｈｅｌｌｏ``,
``@name`` mentions, IRC's ``nick:`` address at the start, links whose query strings carry
question marks, WeChat's bracketed emoji (``[捂脸]``). The detectors should see past all of
that, and see it the same way, so they share these helpers:

- :func:`fold` — compatibility forms folded (NFKC: full-width letters, digits and punctuation
  become ASCII, so ``？`` reads ``?``) and lower case; ASCII text skips the Unicode step, as
  most chat lines are plain and this runs on millions of them;
- :func:`strip_noise` — links, e-mail addresses, ``@mentions`` and bracketed emoji removed,
  so that punctuation inside them is not read as the message's own;
- :func:`split_address` — the ``nick:`` / ``nick,`` that IRC and Slack users put before a
  message, apart from the rest;
- :func:`language` — ``zh`` when the text has Chinese characters, else ``en``;
- :func:`words` — Latin-script words and numbers, apostrophes kept inside words.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = ["CJK", "fold", "has_cjk", "language", "split_address", "strip_noise", "words"]

#: Chinese characters (CJK unified ideographs, extension A, compatibility ideographs).
CJK: Final = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

_URL: Final = re.compile(r"(?:https?://|ftp://|www\.)\S+|\b[\w.+-]+@[\w-]+\.[\w.]+\b", re.IGNORECASE)
_MENTION: Final = re.compile(r"@[^\s@,:;!?，。：；！？]+")
# WeChat and QQ write their built-in emoji as a short name in brackets: [捂脸] [OK] [图片].
_BRACKET_EMOJI: Final = re.compile(r"\[[\u4e00-\u9fffA-Za-z]{1,6}\]")
# An address is a single name token followed by ':' or ',' (IRC, Slack) or '>' (old IRC).
_ADDRESS: Final = re.compile(r"^\s*@?([^\s:,>]{1,40})\s*[:,>]\s+(?=\S)")
_WORD: Final = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def fold(text: str) -> str:
    """Compatibility forms folded (full-width to ASCII) and lower case."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKC", text).lower()


def strip_noise(text: str) -> str:
    """``text`` without links, e-mail addresses, ``@mentions`` and bracketed emoji, spaces squeezed.

    Works on folded or raw text; what is left keeps its order.
    """
    if "/" in text or "www." in text or "@" in text:
        text = _URL.sub(" ", text)
        text = _MENTION.sub(" ", text)
    if "[" in text:
        text = _BRACKET_EMOJI.sub(" ", text)
    return " ".join(text.split())


def split_address(text: str) -> tuple[str | None, str]:
    """``("nick", "rest")`` for ``"nick: rest"`` or ``"nick, rest"``; ``(None, text)`` otherwise.

    Only the form is checked: whether ``nick`` is someone in the chat is for the caller,
    which knows the chat's members (reply inference does; question detection only needs the
    rest of the message).
    """
    found = _ADDRESS.match(text)
    if found is None:
        return None, text
    return found.group(1), text[found.end() :]


def has_cjk(text: str) -> bool:
    """Whether the text has at least one Chinese character."""
    return not text.isascii() and CJK.search(text) is not None


def language(text: str) -> str:
    """``zh`` for text with Chinese characters, else ``en``.

    Chinese chat mixes in English words (``有人用过 Docker 吗``) far more than the reverse, so
    one Chinese character is enough.
    """
    return "zh" if has_cjk(text) else "en"


def words(folded: str) -> list[str]:
    """The Latin-script words and numbers of a folded text, in order."""
    return _WORD.findall(folded)
