"""The trained part of the ad score: a linear model over words, character pairs and signals.

Training (``scripts/train_ads.py``) fits a scikit-learn logistic regression on binary
features that :func:`features` makes, and writes the model as plain JSON: the intercept and
one weight per feature. Scoring then needs no scikit-learn, no pickle and no network: a
message's log-odds are the intercept plus the weights of the features it has (text
features scaled by the square root of their number). That is a few
dictionary look-ups per message, which is what makes a million messages a matter of seconds,
and the file is readable and diffable.

Features of a normalised text:

- Latin words (``dm``, ``profit``), Chinese character pairs (``兼职`` → ``兼职``; ``日赚三百`` →
  ``日赚``, ``赚三``, ``三百``) and currency signs, worth ``1 / sqrt(max(n, 4))`` each;
- one ``§code`` feature per kind of :mod:`~shequn.classify._ads_signals` signal found
  (``§wechat_id``, ``§short_link``), counts of ad words (``§vocab1``, ``§vocab2``), and the
  pairs that make an ad: ``§contact&vocab``, ``§link&vocab``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import orjson

from shequn.classify._ads_signals import CONTACT_CODES, Signal
from shequn.errors import ConfigError

__all__ = ["DEFAULT_MODEL", "LinearModel", "feature_values", "load_model", "signal_features", "text_features"]

#: The model file shipped with shequn (``src/shequn/classify/models/``).
DEFAULT_MODEL: Final = "ads-v1.json"
_MODELS: Final = Path(__file__).resolve().parent / "models"

#: Short texts are valued as if they had this many text features (see :func:`feature_values`).
MIN_TEXT_FEATURES: Final = 4
_CJK: Final = re.compile(r"[\u3400-\u9fff]+")
_CURRENCY: Final = re.compile(r"[$£€¥]")
_LINKS: Final = frozenset({"link", "short_link", "invite_link"})


def text_features(rest: str, words: set[str]) -> set[str]:
    """Words, Chinese character pairs and currency signs of a text.

    ``rest`` is the normalised text with links and addresses blanked out and ``words`` its
    Latin words (:func:`~shequn.classify._ads_signals.read_text` gives both): links are
    signals of their own, and their paths, hashes and ids are no words. Numbers are left to
    the signals too: in chats, long numbers are mostly ids, times and prices, and a model
    that learnt them from SMS spam flags order numbers.
    """
    feats = set(words)
    if not rest.isascii():
        for run in _CJK.findall(rest):
            if len(run) == 1:
                feats.add(run)
            else:
                feats.update([run[i : i + 2] for i in range(len(run) - 1)])
        feats.update(_CURRENCY.findall(rest))
    elif "$" in rest:
        feats.add("$")
    return feats


def signal_features(signals: list[Signal]) -> set[str]:
    """The ``§`` features of a text's signals."""
    if not signals:
        return set()
    codes = {s.code for s in signals}
    strong = sum(s.code == "vocab" for s in signals)
    weak = sum(s.code == "vocab_weak" for s in signals)
    feats = {"§" + code for code in codes if code not in ("vocab", "vocab_weak")}
    if strong:
        feats.add("§vocab1" if strong == 1 else "§vocab2" if strong == 2 else "§vocab3")
    # Weak words (crypto, free, 代理) count only next to a contact or a link: alone they are
    # ordinary talk in many communities, and the model weighs them as words already.
    has_words = bool(strong or weak)
    if codes & CONTACT_CODES:
        feats.add("§contact")
        if has_words:
            feats.add("§contact&vocab")
    if codes & _LINKS and has_words:
        feats.add("§link&vocab")
    return feats


def text_scale(n: int) -> float:
    """The value of each of a text's ``n`` text features."""
    return 1.0 / math.sqrt(max(n, MIN_TEXT_FEATURES))


def feature_values(text_feats: set[str], signal_feats: set[str]) -> dict[str, float]:
    """The value of each feature, as the model was trained on them.

    Signal features count 1 each. Text features share a total of 1 over their square root
    (``1 / sqrt(n)`` each, the usual length normalisation), so that a long message does not
    look like an ad merely by having many words that ads also use. Texts with fewer than
    :data:`MIN_TEXT_FEATURES` features count as having that many, so that a single word
    ("reply", "free") cannot carry a whole ad's weight.
    """
    values = dict.fromkeys(signal_feats, 1.0)
    if text_feats:
        values.update(dict.fromkeys(text_feats, text_scale(len(text_feats))))
    return values


@dataclass(frozen=True)
class LinearModel:
    """Intercept and weights of a logistic model; ``meta`` says how it was trained."""

    version: str
    bias: float
    weights: dict[str, float]
    meta: dict[str, Any]

    def logit(self, text_feats: set[str], signal_feats: set[str]) -> float:
        """The log-odds of a message with these features (valued as :func:`feature_values` says)."""
        get = self.weights.get
        text = sum(filter(None, map(get, text_feats)))
        if text:
            text *= text_scale(len(text_feats))
        return self.bias + text + (sum(filter(None, map(get, signal_feats))) if signal_feats else 0.0)

    def top(self, text_feats: set[str], n: int = 3) -> list[tuple[str, float]]:
        """The ``n`` text features that push a message most towards an ad, with the log-odds each adds."""
        if not text_feats:
            return []
        get = self.weights.get
        scale = text_scale(len(text_feats))
        pushing = [(f, get(f, 0.0) * scale) for f in text_feats if get(f, 0.0) > 0]
        pushing.sort(key=lambda fw: (-fw[1], fw[0]))
        return pushing[:n]

    def to_json(self) -> bytes:
        body = {
            "version": self.version,
            "bias": self.bias,
            "meta": self.meta,
            "weights": dict(sorted(self.weights.items())),
        }
        return orjson.dumps(body, option=orjson.OPT_INDENT_2)


def sigmoid(logit: float) -> float:
    if logit >= 0:
        return 1.0 / (1.0 + math.exp(-logit))
    e = math.exp(logit)
    return e / (1.0 + e)


def _read(data: bytes, where: str) -> LinearModel:
    try:
        body = orjson.loads(data)
        return LinearModel(
            version=str(body["version"]),
            bias=float(body["bias"]),
            weights={str(k): float(v) for k, v in body["weights"].items()},
            meta=dict(body.get("meta") or {}),
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"{where}: not an ad model file ({exc})") from exc


_loaded: dict[str, LinearModel] = {}


def load_model(path: str | Path | None = None) -> LinearModel:
    """The ad model in ``path``, or the one shipped with shequn; read once per process."""
    key = str(path) if path is not None else DEFAULT_MODEL
    found = _loaded.get(key)
    if found is not None:
        return found
    if path is None:
        try:
            data = (_MODELS / DEFAULT_MODEL).read_bytes()
        except FileNotFoundError:
            raise ConfigError(f"the ad model {DEFAULT_MODEL} is missing from the installed package") from None
    else:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the ad model ({exc.strerror})") from None
    model = _read(data, key)
    _loaded[key] = model
    return model
