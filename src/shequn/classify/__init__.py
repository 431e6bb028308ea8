"""What a message is, read from its text and its place in the chat.

- :mod:`shequn.classify.questions` — does a message ask something (Chinese and English);
- :mod:`shequn.classify.replies` — which earlier message a message answers, where the
  carrier keeps no reply links (WhatsApp, IRC, QQ, WeChat without quotes), and the derived
  ``reply_links`` table;
- :mod:`shequn.classify.ads` — ad and spam scores.

Text normalisation shared by all of them is in :mod:`shequn.classify._text`. The names below
are loaded on first use, so importing one classifier does not load the others' models.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "QuestionScore",
    "ReplyInput",
    "ReplyLink",
    "build_reply_links",
    "infer_replies",
    "question_scores",
    "score_question",
    "score_questions",
]

_HOMES = {
    "QuestionScore": "shequn.classify.questions",
    "question_scores": "shequn.classify.questions",
    "score_question": "shequn.classify.questions",
    "score_questions": "shequn.classify.questions",
    "ReplyInput": "shequn.classify.replies",
    "ReplyLink": "shequn.classify.replies",
    "build_reply_links": "shequn.classify.replies",
    "infer_replies": "shequn.classify.replies",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'shequn.classify' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
