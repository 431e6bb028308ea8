"""Moderation over the log: ad scores of every message, bans, group rules and their metrics.

Typical use::

    from shequn.moderation import ensure_ad_scores, flagged_messages, load_rules
    rules = load_rules("shequn-rules.toml", community.settings)
    ensure_ad_scores(store, community, rules)             # the derived table ad_scores
    flagged = flagged_messages(store, community, 0.5)     # newest first, with reasons

The names below are loaded on first use, so reading a rules file does not load Ibis.
Importing :mod:`shequn.moderation.metrics` registers the moderation metrics (``ad_rate``,
``repeat_offenders``, ``leaves_after_ads``) in the metric catalog; ``shequn``'s command
line does so when it adds the ``moderate`` commands.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "AD_SCORES",
    "DEFAULT_RULES_FILE",
    "RULE_NAMES",
    "Ban",
    "Flagged",
    "GroupRules",
    "Member",
    "Rules",
    "Violation",
    "ban_member",
    "check_rules",
    "ensure_ad_scores",
    "flagged_messages",
    "load_rules",
    "nickname_regex",
    "open_groups",
    "parse_rules",
    "refresh_ad_scores",
    "resolve_member",
]

_HOMES = {
    "AD_SCORES": "scan",
    "Flagged": "scan",
    "ensure_ad_scores": "scan",
    "flagged_messages": "scan",
    "refresh_ad_scores": "scan",
    "Ban": "ban",
    "Member": "ban",
    "ban_member": "ban",
    "open_groups": "ban",
    "resolve_member": "ban",
    "RULE_NAMES": "check",
    "Violation": "check",
    "check_rules": "check",
    "DEFAULT_RULES_FILE": "rules",
    "GroupRules": "rules",
    "Rules": "rules",
    "load_rules": "rules",
    "nickname_regex": "rules",
    "parse_rules": "rules",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'shequn.moderation' has no attribute {name!r}")
    return getattr(importlib.import_module(f"shequn.moderation.{home}"), name)
