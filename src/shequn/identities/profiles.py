"""The identities of a community as suggestions and listings see them: carrier, id, names, member.

An identity belongs to a community when it acted or was acted on in one of the
community's groups, or is a name scoped to one of them. Rows are per identity (a few
per member), never per message; names come from ``identity_names``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shequn.store import Store

__all__ = ["COMMUNITY_IDENTITIES", "Profile", "load_profiles"]

#: SQL for the identity ids of community ``?`` (the parameter is given three times).
COMMUNITY_IDENTITIES = """
    SELECT identity_id FROM events WHERE community_id = ? AND identity_id IS NOT NULL
    UNION
    SELECT target_identity_id FROM events WHERE community_id = ? AND target_identity_id IS NOT NULL
    UNION
    SELECT identity_id FROM identities
    WHERE scope_group_id IN (SELECT group_id FROM groups WHERE community_id = ?)
"""


@dataclass
class Profile:
    """One identity with what the log shows of it."""

    identity_id: int
    member_id: int
    carrier: str
    native_id: str | None
    group: str | None  # the group a name-only identity is scoped to, by name
    name_key: str | None
    names: list[str] = field(default_factory=list)  # as written, most used first

    @property
    def label(self) -> str:
        """How listings name the identity: ``telegram:user1001 (Ann Lee)``, ``whatsapp:Book Club:Bobby``."""
        if self.native_id:
            shown = f" ({self.names[0]})" if self.names and self.names[0] != self.native_id else ""
            return f"{self.carrier}:{self.native_id}{shown}"
        return f"{self.carrier}:{self.group}:{self.names[0] if self.names else self.name_key}"

    @property
    def all_names(self) -> list[str]:
        """Names as written, else the folded name a name-only identity is keyed by."""
        return self.names or ([self.name_key] if self.name_key else [])


def load_profiles(store: Store, community_id: int) -> list[Profile]:
    """Every identity of the community, ordered by id."""
    params = [community_id] * 3
    rows = store.query(
        f"""
        WITH ci AS ({COMMUNITY_IDENTITIES})
        SELECT i.identity_id, coalesce(m.member_id, i.identity_id), i.carrier, i.native_id,
               coalesce(g.name, g.native_id), i.name_key
        FROM identities i
        JOIN ci ON ci.identity_id = i.identity_id
        LEFT JOIN identity_member m ON m.identity_id = i.identity_id
        LEFT JOIN groups g ON g.group_id = i.scope_group_id
        ORDER BY i.identity_id
        """,
        params,
    )
    profiles = {row[0]: Profile(*row) for row in rows}
    names = store.query(
        f"""
        WITH ci AS ({COMMUNITY_IDENTITIES})
        SELECT n.identity_id, n.name FROM identity_names n JOIN ci ON ci.identity_id = n.identity_id
        ORDER BY n.identity_id, n.events DESC, n.last_ts DESC, n.name
        """,
        params,
    )
    for identity_id, name in names:
        profiles[identity_id].names.append(name)
    return list(profiles.values())
