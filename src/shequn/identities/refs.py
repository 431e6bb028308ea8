"""Find identities and members from what an operator types or writes in a mapping file.

An identity is named by its id (``4811…``, as ``identities show`` prints it), by
``carrier:native_id`` (``telegram:user1001``, ``slack:U01ANN``, ``whatsapp:+2348035550101``)
or, for a name-only identity, by ``carrier:group:name`` (``whatsapp:Book Club:Bobby``), the
group given by its name or native id. Ids are computed the way the store computes them
(:mod:`shequn.ids`) and then looked up, so a name matches whatever its case and spacing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from shequn import ids
from shequn.errors import ConfigError
from shequn.store import Store

__all__ = [
    "GroupRef",
    "UnknownReference",
    "find_groups",
    "identity_by_name",
    "identity_by_native",
    "identity_exists",
    "member_of",
    "resolve_identity",
    "resolve_member",
]

_PHONE_LIKE: Final = re.compile(r"^\+?[\d \u00a0()\-./]{7,}$")
_NON_DIGIT: Final = re.compile(r"\D")


@dataclass(frozen=True)
class GroupRef:
    group_id: int
    carrier: str
    native_id: str
    name: str | None


class UnknownReference(ConfigError):
    """A reference names nothing in the log, or more than one thing; ``column`` says which part."""

    def __init__(self, column: str, problem: str) -> None:
        self.column = column
        self.problem = problem
        super().__init__(problem)


def identity_exists(store: Store, identity_id: int) -> bool:
    return bool(store.query("SELECT 1 FROM identities WHERE identity_id = ?", [identity_id]))


def identity_by_native(store: Store, carrier: str, native_id: str) -> int | None:
    """The identity of an account, or None; a phone number matches however it is spaced."""
    candidates = [native_id.strip()]
    if _PHONE_LIKE.match(candidates[0]):
        candidates.append("+" + _NON_DIGIT.sub("", candidates[0]))  # how WhatsApp senders are keyed
    for candidate in candidates:
        found = ids.identity_id(carrier, candidate)
        if identity_exists(store, found):
            return found
    return None


def find_groups(store: Store, carrier: str, group: str, community_id: int | None) -> list[GroupRef]:
    """Groups of ``carrier`` whose name or native id is ``group`` (in the community, if given)."""
    sql = "SELECT group_id, carrier, native_id, name FROM groups WHERE carrier = ? AND (name = ? OR native_id = ?)"
    params: list = [carrier, group, group]
    if community_id is not None:
        sql += " AND community_id = ?"
        params.append(community_id)
    return [GroupRef(*row) for row in store.query(sql + " ORDER BY group_id", params)]


def identity_by_name(store: Store, carrier: str, group: str, name: str, community_id: int | None) -> int | None:
    """The name-only identity ``name`` in ``group``; errors name the part that did not match."""
    groups = find_groups(store, carrier, group.strip(), community_id)
    if not groups:
        raise UnknownReference("group", f"no {carrier} group named {group!r} in the log")
    if len(groups) > 1:
        natives = ", ".join(g.native_id for g in groups)
        raise UnknownReference("group", f"several {carrier} groups are named {group!r}; give the native id ({natives})")
    found = ids.identity_id(carrier, None, group_native_id=groups[0].native_id, name=name)
    return found if identity_exists(store, found) else None


def resolve_identity(store: Store, ref: str, community_id: int | None = None) -> int:
    """The identity an operator named (see the module docstring for the forms)."""
    ref = ref.strip()
    if ref.isdigit():
        if identity_exists(store, int(ref)):
            return int(ref)
        raise ConfigError(f"no identity {ref} in the log")
    carrier, sep, rest = ref.partition(":")
    if not sep or not carrier or not rest:
        raise ConfigError(f"{ref!r}: name an identity by its id, carrier:native_id or carrier:group:name")
    found = identity_by_native(store, carrier, rest)
    if found is not None:
        return found
    matches: set[int] = set()
    for at in (i for i, ch in enumerate(rest) if ch == ":"):
        group, name = rest[:at], rest[at + 1 :]
        for g in find_groups(store, carrier, group, community_id):
            candidate = ids.identity_id(carrier, None, group_native_id=g.native_id, name=name)
            if name.strip() and identity_exists(store, candidate):
                matches.add(candidate)
    if len(matches) == 1:
        return matches.pop()
    if matches:
        raise ConfigError(f"{ref!r} names several identities ({', '.join(map(str, sorted(matches)))}); use an id")
    raise ConfigError(f"no identity {ref!r} in the log (tried {carrier} native id and group:name)")


def member_of(store: Store, identity_id: int) -> int:
    row = store.query("SELECT member_id FROM identity_member WHERE identity_id = ?", [identity_id])
    return int(row[0][0]) if row else identity_id


def resolve_member(store: Store, ref: str, community_id: int | None = None) -> int:
    """The member an identity reference belongs to (a member id is its smallest identity's id)."""
    return member_of(store, resolve_identity(store, ref, community_id))
