"""Undo the disguises that ad posters put on contact handles, before anything is matched.

People who post ads in groups know that admins and bots look for phone numbers and WeChat
ids, so they write ``１３８ ８８８８ ８８８８``, ``1️⃣3️⃣8️⃣…``, ``13８-0O13-8OOO``, ``Ｖ信``,
``➕V`` or put emoji between the digits. Two views of a message undo this:

- :func:`normalize` folds compatibility forms (full-width, circled, mathematical letters and
  digits) with NFKC, lower-cases, maps look-alike letters from other scripts to Latin and
  drops invisible characters, so ``Ｖｘ：ＡＢＣ`` reads ``vx:abc``;
- :func:`digit_runs` finds digit-like runs in a normalised text and collapses each to its
  digits (separators, emoji and spaces between digits dropped; ``o`` read as 0, ``l``/``i``
  as 1, Chinese numerals as digits), telling whether anything had to be undone.

ASCII text skips the Unicode steps: most chat lines are plain, and this runs on millions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

__all__ = ["DigitRun", "digit_runs", "normalize"]

#: Letters of other scripts that look like Latin ones (Cyrillic, Greek), plus-signs, and
#: invisible characters (variation selectors, keycap marks, zero-width joiners) to drop.
_LOOKALIKES: Final = {
    "а": "a",
    "в": "b",
    "е": "e",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "ѕ": "s",
    "і": "i",
    "ј": "j",
    "ԁ": "d",
    "ԛ": "q",
    "ԝ": "w",
    "α": "a",
    "β": "b",
    "ε": "e",
    "ι": "i",
    "κ": "k",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "➕": "+",
    "✚": "+",
    "✙": "+",
    "＋": "+",
}
_INVISIBLE: Final = ("\ufe0f", "\ufe0e", "\u20e3", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")
# NFKC leaves the dingbat circled digits (❶ ➀ ➊, one to ten) alone: read them as digits.
_DINGBATS: Final = {chr(start + i): str(i + 1) for start in (0x2776, 0x2780, 0x278A) for i in range(10)}
_TABLE: Final = str.maketrans({**_LOOKALIKES, **_DINGBATS, **dict.fromkeys(_INVISIBLE, None)})


def normalize(text: str) -> str:
    """The text as the detectors read it: compatibility forms folded, lower case, look-alikes
    mapped to Latin, invisible characters gone."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKC", text).lower().translate(_TABLE)


#: Characters that stand for digits when they sit among digits.
_NUMERALS: Final = "零〇一二三四五六七八九壹贰叁肆伍陆柒捌玖两幺"
_NUMERAL_VALUES: Final = "0012345678912345678921"
_DIGIT_TABLE: Final = str.maketrans(_NUMERALS + "oli", _NUMERAL_VALUES + "011")

# A run starts at a digit (or numeral) and goes on over digits, numerals, o/l/i and the
# separators people put between digits: spaces, dashes, dots, brackets, emoji, symbols.
# Colons are not separators, so times (12:30) and scores stay apart.
_DIGIT_CHAR: Final = f"0-9{_NUMERALS}"
_FILLER: Final = (
    r"\s\-_.·•,，、/|~*#+=()（）【】\[\]<>《》'\"“”‘’^`"
    r"\u2190-\u21ff\u2500-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff"
)
_RUN: Final = re.compile(f"[{_DIGIT_CHAR}](?:[{_DIGIT_CHAR}oli{_FILLER}]{{0,60}}[{_DIGIT_CHAR}o])?")
_NOT_DIGIT: Final = re.compile(r"\D+")
_UNUSUAL: Final = re.compile(r"[^0-9\s\-+()]")  # beyond the usual ways of writing a number


@dataclass(frozen=True, slots=True)
class DigitRun:
    """One digit-like run of a normalised text.

    ``digits`` is what it reads as; ``start`` and ``end`` place it in the text; ``disguised``
    says that separators, letters or numerals had to be undone to read it.
    """

    digits: str
    start: int
    end: int
    disguised: bool


def digit_runs(norm: str, *, min_digits: int = 5) -> list[DigitRun]:
    """The digit-like runs of a normalised text that read as at least ``min_digits`` digits."""
    runs: list[DigitRun] = []
    for match in _RUN.finditer(norm):
        raw = match.group()
        if raw.isdigit():
            if len(raw) >= min_digits:
                runs.append(DigitRun(raw, match.start(), match.end(), False))
            continue
        digits = _NOT_DIGIT.sub("", raw.translate(_DIGIT_TABLE))
        if len(digits) < min_digits:
            continue
        plain = sum(c.isdigit() for c in raw)
        if plain < 3:  # a run of Chinese numerals alone is ordinary prose (一一二三…)
            continue
        runs.append(DigitRun(digits, match.start(), match.end(), _UNUSUAL.search(raw) is not None))
    return runs
