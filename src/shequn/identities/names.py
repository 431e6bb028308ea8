"""What a name says about who holds it: a comparable form, a handle, a phone number, an e-mail.

Carriers and people decorate names freely: ``【管理员】安娜``, ``Ｊｏｎａｓ``, ``Ann 🌸``,
``⁨Tunde⁩`` (WhatsApp wraps names in direction isolates), ``ann#0042``. Suggestions compare
the forms these functions return, never the names as written, so a decoration alone never
keeps one person apart, and a handle is never confused with a display name.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = [
    "HANDLE_CARRIERS",
    "HANDLE_NATIVE_CARRIERS",
    "compact",
    "email_of",
    "handle_of",
    "name_tokens",
    "normalize_name",
    "phone_of",
]

#: Carriers whose display names are the account's handle (Discord username, IRC nick).
HANDLE_CARRIERS: Final = frozenset({"discord", "irc"})
#: Carriers whose native ids are the account's handle (Discourse username).
HANDLE_NATIVE_CARRIERS: Final = frozenset({"discourse"})

# Bracketed decorations: 【管理员】, 〖VIP〗, [Admin], (she/her), 「…」. Full-width () and []
# are folded to ASCII by NFKC before this runs.
_DECORATION: Final = re.compile(r"【[^】]*】|〖[^〗]*〗|〔[^〕]*〕|「[^」]*」|『[^』]*』|\[[^\]]*\]|\([^)]*\)|<[^>]*>")
_DISCRIMINATOR: Final = re.compile(r"#\d{4}$")
_EMAIL: Final = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_PHONE: Final = re.compile(r"^\+?[\d \u00a0\u202f()\-./]{7,}$")
_NON_DIGIT: Final = re.compile(r"\D")
_HANDLE: Final = re.compile(r"^@?([\w.\-]+)$")
#: Phone numbers are compared on their last digits, so ``+49 151 …`` and ``0151 …`` meet.
PHONE_TAIL: Final = 9


def _kept(char: str) -> bool:
    """Letters and digits of any script; emoji, symbols, punctuation and marks are decoration."""
    return unicodedata.category(char)[0] in "LN"


def normalize_name(name: str) -> str:
    """A display name reduced to what identifies: words of letters and digits, case folded.

    NFKC folds full-width and other compatibility forms (``Ｊｏｎａｓ`` → ``Jonas``), bracketed
    decorations go, and so does every character that is not a letter or digit (emoji,
    isolates, punctuation). Words stay separated by one space.
    """
    text = unicodedata.normalize("NFKC", name)
    text = _DECORATION.sub(" ", text)
    words = ("".join(ch if _kept(ch) else " " for ch in text)).casefold().split()
    return " ".join(words)


def compact(normalized: str) -> str:
    """A normalized name without spaces: ``Ann Lee`` and ``AnnLee`` are the same name."""
    return normalized.replace(" ", "")


def name_tokens(normalized: str) -> list[str]:
    """The words of a normalized name (CJK names are one word)."""
    return normalized.split()


def handle_of(carrier: str, name: str | None, native_id: str | None) -> str | None:
    """The account's handle, where the log shows one, case folded and without ``@``.

    A handle is a name written ``@ann`` (a Telegram mention), a Discord username (without
    its old ``#1234``), an IRC nick, or a Discourse username (its native id). Display names
    are not handles: ``Ann Lee`` on Telegram says nothing about ``@annlee`` elsewhere.
    """
    if native_id and carrier in HANDLE_NATIVE_CARRIERS:
        candidate = native_id
    elif name and (name.startswith("@") or carrier in HANDLE_CARRIERS):
        candidate = _DISCRIMINATOR.sub("", unicodedata.normalize("NFKC", name).strip())
    else:
        return None
    found = _HANDLE.match(candidate.strip())
    if found is None:
        return None
    handle = found.group(1).strip(".-_").casefold()
    return handle if len(handle) >= 2 else None


def phone_of(text: str | None) -> str | None:
    """The phone number a native id or name is, as ``+`` and its last digits; None if it is none.

    Only a whole value counts (``+234 803 555 0101``, ``+2348035550101``): a number inside a
    longer name is not taken for the person's phone.
    """
    if not text:
        return None
    cleaned = "".join(ch for ch in text if unicodedata.category(ch) != "Cf").strip()
    if not _PHONE.match(cleaned):
        return None
    digits = _NON_DIGIT.sub("", cleaned)
    if len(digits) < 7:
        return None
    return "+" + digits[-PHONE_TAIL:]


def email_of(text: str | None) -> str | None:
    """The e-mail address in a native id or name (``Ann <ann@example.org>``), lower-cased."""
    if not text or "@" not in text:
        return None
    found = _EMAIL.search(text)
    return found.group(0).casefold() if found else None
