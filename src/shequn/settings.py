"""Community settings: declared once, with default and help; stored per community.

Precedence is flag > community setting > default. The CLI reads a community's settings and
passes the values down; nothing reads settings at import time of a module.
Metric parameters carry the names used in ``docs/metrics.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from shequn.errors import ConfigError

__all__ = ["SETTINGS", "Setting", "parse_setting", "resolve"]


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str

    def parse(self, raw: str) -> Any:
        """A value from its command-line spelling, of the default's type."""
        kind = type(self.default)
        try:
            if kind is bool:
                if raw.lower() in {"1", "true", "yes", "on"}:
                    return True
                if raw.lower() in {"0", "false", "no", "off"}:
                    return False
                raise ValueError(raw)
            return kind(raw)
        except ValueError:
            raise ConfigError(f"setting {self.name}: {raw!r} is not a {kind.__name__}") from None


_ALL: Final = (
    Setting("TIMEZONE", "UTC", "IANA zone of the community; days are calendar days in it"),
    Setting("RETENTION_DAYS", 80, "N of retention_N"),
    Setting("ACTIVE_DAYS", 80, "N of active_rate_N and active_share_N"),
    Setting("INTERACTION_DAYS", 30, "N of interactions_per_day"),
    Setting("COUNT_REACTIONS", False, "count reactions as activity where a metric allows"),
    Setting("ACTIVATION_DAYS", 7, "days after joining within which a first message activates"),
    Setting("HALF_LIFE", 30, "half-life in days of activity score and tie weight"),
    Setting("NEWCOMER_DAYS", 14, "days after the first span opens that a member is a newcomer"),
    Setting("CORE_DAYS", 8, "active days in the last 30 that a core member needs"),
    Setting("PRUNE_DAYS", 60, "days without counted activity that make a member dormant"),
    Setting("PRUNE_PROTECT_PAID_DAYS", 365, "a paid order this recent protects from pruning"),
    Setting("STRONG_TIE_DAYS", 3, "distinct days with interactions both ways for a strong tie"),
    Setting("ANSWER_WINDOW_HOURS", 2.0, "how long after a question an unlinked answer may come"),
    Setting("ANSWER_DEADLINE_HOURS", 24.0, "answered within this counts for answer_rate"),
    Setting("AD_THRESHOLD", 0.5, "ad score from which a message is flagged"),
    Setting("AD_ALLOWED_DOMAINS", "", "comma-separated link domains that are never ads (the community's own site)"),
    Setting("AD_ALLOWED_MEMBERS", "", "comma-separated members whose messages are never scored as ads"),
    Setting("AD_EXTRA_WORDS", "", "comma-separated extra ad words for this community"),
    Setting("RULES_FILE", "", "path of the group rules file (TOML) that rules check and bots enforce"),
    Setting("WEIGHT_MESSAGE", 1.0, "activity score weight of a message"),
    Setting("WEIGHT_REPLY", 2.0, "activity score weight of a reply"),
    Setting("WEIGHT_ANSWER", 3.0, "activity score weight of an answer to a question"),
    Setting("WEIGHT_CHECKIN", 5.0, "activity score weight of an event check-in"),
)

SETTINGS: Final[dict[str, Setting]] = {s.name: s for s in _ALL}


def parse_setting(name: str, raw: str) -> tuple[str, Any]:
    """``(NAME, value)`` from a ``NAME=value`` pair typed by a user."""
    key = name.strip().upper()
    if key not in SETTINGS:
        raise ConfigError(f"unknown setting {name!r}; known: {', '.join(SETTINGS)}")
    return key, SETTINGS[key].parse(raw)


def resolve(stored: dict[str, Any], overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every setting's value: override, else the community's stored value, else the default."""
    values = {name: s.default for name, s in SETTINGS.items()}
    values.update({k: v for k, v in stored.items() if k in SETTINGS})
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return values
