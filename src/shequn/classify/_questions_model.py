"""The trained question model: per-language weights of a logistic regression, kept as JSON.

``scripts/train_questions.py`` fits the model with scikit-learn and writes
``shequn/classify/models/questions-v1.json``; scoring needs only this module and the JSON,
no scikit-learn and no pickle (a pickle runs code when loaded; JSON cannot). A message's
log-odds are the language's bias plus the weight of each distinct feature it has.

File layout::

    {"format": "shequn-questions", "version": "1", "threshold": 0.5,
     "languages": {"en": {"bias": -1.2, "weights": {"R:question_mark": 2.9, "w:how": 0.8, ...}},
                   "zh": {...}},
     "trained": {...what it was trained on, for the record...}}
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from importlib import resources
from itertools import repeat
from pathlib import Path
from typing import Any

import orjson

from shequn.classify._questions_features import Prepared, Tables, log_odds, tables
from shequn.errors import ConfigError

__all__ = ["MODEL_FILE", "QuestionModel", "default_model", "load_model", "sigmoid"]

MODEL_FILE = "questions-v1.json"
_FORMAT = "shequn-questions"


def sigmoid(x: float) -> float:
    """The logistic function, safe for large magnitudes."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@dataclass(frozen=True)
class _Language:
    bias: float
    weights: dict[str, float]


@dataclass(frozen=True)
class QuestionModel:
    """Weights per language, the decision threshold and the model's version."""

    version: str
    threshold: float
    languages: dict[str, _Language]
    trained: dict[str, Any]

    def log_odds(self, lang: str, feats: list[str]) -> float:
        """Bias plus the weights of the distinct features (unknown features weigh nothing)."""
        language = self.languages[lang]
        return language.bias + sum(map(language.weights.get, set(feats), repeat(0.0)))

    def score(self, lang: str, feats: list[str]) -> float:
        return sigmoid(self.log_odds(lang, feats))

    @functools.cached_property
    def tables(self) -> dict[str, Tables]:
        """Per language, the weights split by feature kind (for scoring many messages fast)."""
        return {lang: tables(part.bias, part.weights) for lang, part in self.languages.items()}

    def score_prepared(self, prepared: Prepared) -> float:
        """The probability that a prepared message is a question (same as :meth:`score`, faster)."""
        return sigmoid(log_odds(prepared, self.tables[prepared.lang]))


def _parse(data: Any, where: str) -> QuestionModel:
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        raise ConfigError(f"{where}: not a shequn question model (format {_FORMAT!r} expected)")
    try:
        languages = {
            lang: _Language(float(part["bias"]), {str(k): float(v) for k, v in part["weights"].items()})
            for lang, part in data["languages"].items()
        }
        model = QuestionModel(str(data["version"]), float(data["threshold"]), languages, dict(data.get("trained", {})))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"{where}: malformed question model ({exc!r})") from None
    missing = {"en", "zh"} - set(languages)
    if missing:
        raise ConfigError(f"{where}: question model lacks language(s) {', '.join(sorted(missing))}")
    return model


def load_model(path: str | Path) -> QuestionModel:
    """A question model from a JSON file (as ``scripts/train_questions.py`` writes it)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read question model: {exc.strerror}") from None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ConfigError(f"{path}: question model is not JSON ({exc})") from None
    return _parse(data, str(path))


@functools.cache
def default_model() -> QuestionModel:
    """The model shipped in the package (read once per process)."""
    ref = resources.files("shequn.classify.models").joinpath(MODEL_FILE)
    return _parse(orjson.loads(ref.read_bytes()), f"shequn/classify/models/{MODEL_FILE}")
