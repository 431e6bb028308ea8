"""Suggested merges: pairs of members that may be one person, with a confidence and the evidence.

Nothing here merges. Each rule looks for one kind of evidence between identities of
different members of one community:

- ``phone`` / ``email`` (0.95): the same phone number or address in native ids or names
  (a WhatsApp sender's number, an mbox address, ``Ann <ann@example.org>``);
- ``handle`` (0.8, 0.5 under four characters): the same handle (``@ann`` on Telegram, a
  Discord username, an IRC nick, a Discourse username) on two carriers, or as nicks in two
  groups of one name-only carrier; a Telegram display name is not a handle;
- ``same_name`` (up to 0.9): the same display name (case and spacing aside), weaker the
  more members of the community use it (``0.9 / √(k−1)`` for ``k`` members), the shorter
  it is, and when both are accounts of one carrier (two accounts in one workspace are
  more often two people than one person twice);
- ``similar_name`` (up to 0.85): names equal once decorations are gone (``【管理员】Ann``,
  ``Ｊｏｎａｓ``, ``Ann 🌸``) or close by :class:`difflib.SequenceMatcher` (ratio ≥ 0.85),
  with the same weakening.

A pair's confidence joins the strongest evidence of each family as independent signals,
``1 − Π(1 − c)``: contact (phone, e-mail) and name (handle, same name, similar name).
Evidence within a family is not added up: a Discord username is both a handle and a
name, and a same name and a similar name are one observation. Keys shared by more than
``MAX_SHARED`` members are too common to be evidence and are not paired at all.
"""

from __future__ import annotations

import difflib
import math
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import combinations, product
from typing import Final

from shequn import ids
from shequn.identities.flags import current_flags
from shequn.identities.merging import MergePlan, Outcome, merge_pairs
from shequn.identities.names import compact, email_of, handle_of, normalize_name, phone_of
from shequn.identities.profiles import Profile, load_profiles
from shequn.store import Community, Store

__all__ = ["FAMILIES", "MAX_SHARED", "Evidence", "Suggestion", "apply_suggestions", "suggest"]

#: Evidence kinds and the family each belongs to; families combine, kinds within one do not.
FAMILIES: Final = {
    "phone": "contact",
    "email": "contact",
    "handle": "name",
    "same_name": "name",
    "similar_name": "name",
}
MAX_SHARED: Final = 30
CONTACT: Final = 0.95
HANDLE: Final = 0.8
SHORT_HANDLE: Final = 0.5
SAME_NAME: Final = 0.9
SIMILAR_NAME: Final = 0.85
MIN_RATIO: Final = 0.85
ONE_CARRIER: Final = 0.6  # both are accounts (native ids) of the same carrier
_BLOCK_LIMIT: Final = 200  # names sharing one blocking key compared pairwise at most


@dataclass(frozen=True)
class Evidence:
    """One observation that two identities may be one person."""

    kind: str
    confidence: float
    identity_a: int
    identity_b: int
    detail: str

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "confidence": round(self.confidence, 3),
            "identities": [self.identity_a, self.identity_b],
            "detail": self.detail,
        }


@dataclass
class Suggestion:
    """Two members that may be one person; ``identity_a``/``identity_b`` are what a merge would join."""

    member_a: int
    member_b: int
    identity_a: int
    identity_b: int
    label_a: str
    label_b: str
    confidence: float
    evidence: list[Evidence] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "members": [self.member_a, self.member_b],
            "identities": [self.identity_a, self.identity_b],
            "labels": [self.label_a, self.label_b],
            "confidence": round(self.confidence, 3),
            "evidence": [e.as_dict() for e in self.evidence],
        }


def _specificity(normalized: str) -> float:
    """How much a name says on its own: ``Ann Lee`` more than ``Jonas``, ``Jonas`` more than ``Bob``.

    Wide (CJK) characters count double: ``王小明`` is a full name in three characters.
    """
    letters = normalized.replace(" ", "")
    wide = any(unicodedata.east_asian_width(ch) in "WF" for ch in letters)
    length = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in letters)
    if length >= 6 and (wide or " " in normalized):
        return 1.0
    return 0.8 if length >= 4 else 0.65


def _rarity(members_sharing: int) -> float:
    return 1.0 / math.sqrt(max(members_sharing - 1, 1))


def _one_carrier(a: Profile, b: Profile) -> float:
    return ONE_CARRIER if a.carrier == b.carrier and a.native_id and b.native_id else 1.0


Found = tuple[Profile, Profile, str, float, str]
Allowed = Callable[[Profile, Profile], bool]


def _shared(
    keyed: Iterable[tuple[str, Profile]], allowed: Allowed | None = None
) -> Iterator[tuple[str, int, Profile, Profile]]:
    """``(key, members sharing it, a, b)`` for each pair of members with a key in common.

    ``allowed`` picks which identity pairs count (the first allowed pair stands for the two
    members). Keys held by more than ``MAX_SHARED`` members are skipped.
    """
    buckets: dict[str, dict[int, list[Profile]]] = {}
    for key, profile in keyed:
        holders = buckets.setdefault(key, {}).setdefault(profile.member_id, [])
        if profile not in holders:
            holders.append(profile)
    for key, by_member in buckets.items():
        if not 2 <= len(by_member) <= MAX_SHARED:
            continue
        for (_, xs), (_, ys) in combinations(sorted(by_member.items()), 2):
            pair = next(((a, b) for a in xs for b in ys if allowed is None or allowed(a, b)), None)
            if pair is not None:
                yield key, len(by_member), pair[0], pair[1]


def _contacts(profiles: list[Profile]) -> Iterator[Found]:
    for kind, extract in (("phone", phone_of), ("email", email_of)):
        keyed = (
            (value, p) for p in profiles for text in (p.native_id, *p.all_names) if (value := extract(text)) is not None
        )
        for key, _, a, b in _shared(keyed):
            yield a, b, kind, CONTACT, key


def _handle_pair(a: Profile, b: Profile) -> bool:
    """Handles are unique within a carrier: the same one counts across carriers, or as nicks
    (name-only) in two groups of one carrier, such as one IRC network's channels."""
    return a.carrier != b.carrier or (a.native_id is None and b.native_id is None and a.group != b.group)


def _handles(profiles: list[Profile]) -> Iterator[Found]:
    keyed = (
        (handle, p)
        for p in profiles
        for name in (p.all_names or [None])
        if (handle := handle_of(p.carrier, name, p.native_id)) is not None
    )
    for key, _, a, b in _shared(keyed, _handle_pair):
        yield a, b, "handle", HANDLE if len(key) >= 4 else SHORT_HANDLE, f"@{key}"


def _names_of(profiles: list[Profile]) -> Iterator[tuple[Profile, str, str]]:
    """``(profile, name as written, normalized)`` for names that are names (not phones or addresses)."""
    for p in profiles:
        for name in p.all_names:
            normalized = normalize_name(name)
            if normalized and phone_of(name) is None and email_of(name) is None:
                yield p, name, normalized


def _same_names(named: list[tuple[Profile, str, str]]) -> Iterator[Found]:
    normal = {ids.name_key(name): normalized for _, name, normalized in named}
    for key, k, a, b in _shared((ids.name_key(name), p) for p, name, _ in named):
        confidence = SAME_NAME * _rarity(k) * _specificity(normal[key]) * _one_carrier(a, b)
        yield a, b, "same_name", confidence, f"{key!r} ({k} members use it)"


def _blocks(word: str) -> list[str]:
    """Blocking keys: only names sharing a start or an end are compared, never all with all."""
    return [f"^{word[:3]}", f"{word[-3:]}$"] if len(word) >= 4 else [f"={word}"]


def _similar_names(named: list[tuple[Profile, str, str]]) -> Iterator[Found]:
    by_compact: dict[str, list[tuple[Profile, str, str]]] = {}  # name without spaces -> (identity, key, name)
    spelled: dict[str, str] = {}  # name without spaces -> a normalized form with its spaces
    for p, name, normalized in named:
        entry = (p, ids.name_key(name), name)
        spelled.setdefault(compact(normalized), normalized)
        holders = by_compact.setdefault(compact(normalized), [])
        if entry not in holders:
            holders.append(entry)
    blocks: dict[str, list[str]] = {}
    for word in by_compact:
        for block in _blocks(word):
            blocks.setdefault(block, []).append(word)
    compared: set[tuple[str, str]] = {(w, w) for w in by_compact}
    for words in blocks.values():
        if len(words) <= _BLOCK_LIMIT:
            compared.update(combinations(sorted(words), 2))
    for x, y in sorted(compared):
        ratio = 1.0 if x == y else _ratio(x, y)
        if ratio < MIN_RATIO:
            continue
        k = max(len({p.member_id for p, _, _ in by_compact[w]}) for w in (x, y))
        if k > MAX_SHARED:
            continue
        closeness = 1.0 if ratio == 1.0 else 1 - 3 * (1 - ratio)  # 0.85 -> 0.55, 0.9 -> 0.7
        weight = SIMILAR_NAME * _rarity(max(k, 2)) * _specificity(spelled[x]) * closeness
        paired: set[tuple[int, int]] = set()
        for (a, key_a, name_a), (b, key_b, name_b) in product(by_compact[x], by_compact[y]):
            members = (min(a.member_id, b.member_id), max(a.member_id, b.member_id))
            if a.member_id == b.member_id or key_a == key_b or members in paired:
                continue  # one member, or the same name (that is ``same_name``)
            paired.add(members)
            yield a, b, "similar_name", weight * _one_carrier(a, b), f"{name_a!r} ~ {name_b!r} ({ratio:.2f})"


def _ratio(x: str, y: str) -> float:
    matcher = difflib.SequenceMatcher(None, x, y, autojunk=False)
    if matcher.real_quick_ratio() < MIN_RATIO or matcher.quick_ratio() < MIN_RATIO:
        return 0.0
    return matcher.ratio()


def _combine(evidence: list[Evidence]) -> float:
    best: dict[str, float] = {}
    for e in evidence:
        family = FAMILIES[e.kind]
        best[family] = max(best.get(family, 0.0), e.confidence)
    return min(1 - math.prod(1 - c for c in best.values()), 0.99)


def suggest(store: Store, community_id: int, *, min_confidence: float = 0.6) -> list[Suggestion]:
    """Pairs of members of the community that may be one person, strongest first.

    Members flagged ``bot`` are left out: bots of two carriers sharing a name are not a
    person to merge. Members already one (merged before) are never suggested.
    """
    bots = {m for m, flags in current_flags(store, community_id).items() if "bot" in flags}
    profiles = [p for p in load_profiles(store, community_id) if p.member_id not in bots]
    named = list(_names_of(profiles))
    found: dict[tuple[int, int], list[Evidence]] = {}
    labels: dict[int, str] = {p.identity_id: p.label for p in profiles}
    for a, b, kind, confidence, detail in (
        *_contacts(profiles),
        *_handles(profiles),
        *_same_names(named),
        *_similar_names(named),
    ):
        if a.member_id == b.member_id:
            continue
        if a.member_id > b.member_id:
            a, b = b, a
        items = found.setdefault((a.member_id, b.member_id), [])
        if not any(e.kind == kind and e.detail == detail for e in items):
            items.append(Evidence(kind, confidence, a.identity_id, b.identity_id, detail))
    suggestions = []
    for (ma, mb), evidence in found.items():
        confidence = _combine(evidence)
        if confidence < min_confidence:
            continue
        evidence.sort(key=lambda e: (-e.confidence, e.kind, e.detail))
        top = evidence[0]
        suggestions.append(
            Suggestion(
                ma,
                mb,
                top.identity_a,
                top.identity_b,
                labels[top.identity_a],
                labels[top.identity_b],
                confidence,
                evidence,
            )
        )
    suggestions.sort(key=lambda s: (-s.confidence, s.member_a, s.member_b))
    return suggestions


def apply_suggestions(store: Store, community: Community, suggestions: list[Suggestion], above: float) -> Outcome:
    """Merge every suggestion at or above ``above``, as one batch (subkind ``suggested``)."""
    plans = [
        MergePlan(
            s.identity_a,
            s.identity_b,
            {"confidence": round(s.confidence, 3), "evidence": sorted({e.kind for e in s.evidence})},
        )
        for s in suggestions
        if s.confidence >= above
    ]
    return merge_pairs(store, community, plans, subkind="suggested", source=f"identities suggest --apply-above {above}")
