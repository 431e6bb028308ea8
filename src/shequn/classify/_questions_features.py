"""What the question model sees of a message: its language, the rules that fired, its n-grams.

The same function serves training (``scripts/train_questions.py``) and scoring, so the
features a weight was learned for are exactly the features it is looked up by.

- English: word unigrams and bigrams, the first two words (``^how``, ``^how_do``) and the
  last word (``$it``), since a question's form sits at its edges;
- Chinese: character unigrams to trigrams over the text with Latin words as single tokens,
  clause punctuation as a boundary ``|`` and the ends as ``^``/``$``, so ``吗|`` and ``呢$``
  are features of their own;
- both: ``R:<rule>`` for every rule that fired.

Punctuation other than clause boundaries is left to the rules: ``?`` is the rule
``question_mark``, not an n-gram, so its weight is learned once.
"""

from __future__ import annotations

import itertools
import re
from itertools import repeat
from typing import Final, NamedTuple

from shequn.classify._questions_rules import fired_rules
from shequn.classify._text import fold, has_cjk, split_address, strip_noise, words

__all__ = ["Prepared", "Tables", "features", "log_odds", "prepare", "tables"]

# Quoted speech is someone else's words: “你吃了吗”他问. Dropped before the rules look.
_QUOTED: Final = re.compile(r"[“「『\"]([^”」』\"]{0,80})[”」』\"]")
# Units of Chinese text: a CJK character, a Latin word or number, or a clause boundary.
_ZH_UNITS: Final = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[a-z0-9]+|\|")
_NOT_UNIT: Final = re.compile(r"[^\u3400-\u9fff\uf900-\ufaffa-z0-9?,.!;:~。、…]+")
# Clause punctuation, runs of it and runs separated only by what is no unit: one boundary.
_BOUNDARY_RUN: Final = re.compile(r"[?,.!;:~。、…]+(?:\s+[?,.!;:~。、…]+)*")


class Prepared(NamedTuple):
    """A message as the rules and the model read it."""

    lang: str  # "zh" or "en"
    text: str  # folded, noise and quotes removed, address removed
    rules: list[tuple[str, str]]  # (name, kind) of the rules that fired


def prepare(raw: str) -> Prepared:
    """Fold, clean and classify the language of one message, and run the rules on it."""
    folded = fold(raw)
    lang = "zh" if has_cjk(folded) else "en"
    text = strip_noise(folded)
    if lang == "en":
        _, text = split_address(text)
    if '"' in text or "“" in text or "「" in text or "『" in text:
        text = _QUOTED.sub(" ", text).strip()
    return Prepared(lang, text, fired_rules(lang, text))


def _english_grams(text: str) -> list[str]:
    tokens = words(text)
    if not tokens:
        return ["EMPTY"]
    grams = [f"w:{t}" for t in tokens]
    grams += [f"b:{a}_{b}" for a, b in itertools.pairwise(tokens)]
    grams.append(f"^{tokens[0]}")
    if len(tokens) > 1:
        grams.append(f"^{tokens[0]}_{tokens[1]}")
    grams.append(f"${tokens[-1]}")
    if len(tokens) <= 2:
        grams.append("SHORT")
    return grams


def _zh_units(text: str) -> list[str]:
    """``^``, the text's units with each run of clause punctuation as one ``|``, then ``$``.

    Characters that are no unit (spaces, emoji, other symbols) only separate; a boundary at
    the very end becomes the ``$`` itself. Two substitutions and one scan, all in C.
    """
    units = _ZH_UNITS.findall(_BOUNDARY_RUN.sub("|", _NOT_UNIT.sub(" ", text)))
    if units and units[-1] == "|":
        units.pop()
    units.insert(0, "^")
    units.append("$")
    return units


def _chinese_grams(text: str) -> list[str]:
    units = _zh_units(text)
    grams = [f"c:{u}" for u in units[1:-1]]
    grams += [f"c:{a}{b}" for a, b in itertools.pairwise(units)]
    grams += [f"c:{a}{b}{c}" for a, b, c in zip(units, units[1:], units[2:], strict=False)]
    if len(units) <= 4:
        grams.append("SHORT")
    return grams


def features(prepared: Prepared) -> list[str]:
    """The model's features of a prepared message (duplicates possible; the model counts each once)."""
    grams = _chinese_grams(prepared.text) if prepared.lang == "zh" else _english_grams(prepared.text)
    grams += [f"R:{name}" for name, _ in prepared.rules]
    return grams


class Tables(NamedTuple):
    """A language's weights split by feature kind, prefixes removed, for :func:`log_odds`."""

    bias: float
    grams: dict[str, float]  # zh: "c:" n-grams; en: "w:" words
    pairs: dict[str, float]  # en: "b:" bigrams
    first: dict[str, float]  # en: "^" first word(s)
    last: dict[str, float]  # en: "$" last word
    rules: dict[str, float]  # "R:" rules
    special: dict[str, float]  # SHORT, EMPTY


def tables(bias: float, weights: dict[str, float]) -> Tables:
    """Split feature weights (as :func:`features` names them) into :class:`Tables`."""
    split: dict[str, dict[str, float]] = {"grams": {}, "pairs": {}, "first": {}, "last": {}, "rules": {}, "special": {}}
    for name, weight in weights.items():
        if name.startswith(("c:", "w:")):
            split["grams"][name[2:]] = weight
        elif name.startswith("b:"):
            split["pairs"][name[2:]] = weight
        elif name.startswith("R:"):
            split["rules"][name[2:]] = weight
        elif name.startswith("^"):
            split["first"][name[1:]] = weight
        elif name.startswith("$"):
            split["last"][name[1:]] = weight
        else:
            split["special"][name] = weight
    return Tables(bias, **split)


def log_odds(prepared: Prepared, t: Tables) -> float:
    """The same sum as the model's weights over :func:`features`, without building the names.

    Scoring millions of messages spends most of its time making feature strings; this makes
    each n-gram once and looks it up in the table of its kind. A test checks that it agrees
    with :func:`features` on every labelled message.
    """
    total = t.bias
    for name, _ in prepared.rules:
        total += t.rules.get(name, 0.0)
    if prepared.lang == "zh":
        units = _zh_units(prepared.text)
        grams = set(units[1:-1])
        grams.update([a + b for a, b in itertools.pairwise(units)])
        grams.update([a + b + c for a, b, c in zip(units, units[1:], units[2:], strict=False)])
        total += sum(map(t.grams.get, grams, repeat(0.0)))
        if len(units) <= 4:
            total += t.special.get("SHORT", 0.0)
        return total
    tokens = words(prepared.text)
    if not tokens:
        return total + t.special.get("EMPTY", 0.0)
    total += sum(map(t.grams.get, set(tokens), repeat(0.0)))
    if len(tokens) > 1:
        total += sum(map(t.pairs.get, {a + "_" + b for a, b in itertools.pairwise(tokens)}, repeat(0.0)))
        total += t.first.get(tokens[0], 0.0) + t.first.get(tokens[0] + "_" + tokens[1], 0.0)
    else:
        total += t.first.get(tokens[0], 0.0)
    total += t.last.get(tokens[-1], 0.0)
    if len(tokens) <= 2:
        total += t.special.get("SHORT", 0.0)
    return total
