"""Who a member is: a display name for lists, and the member a user's typed reference means.

Members are ids (the smallest identity id of the person); people know them by name or by
their account on a carrier. A member's name is the one their identities were seen under
most often (the latest seen breaks a tie), else ``carrier:native_id`` of an identity.
"""

from __future__ import annotations

from typing import Any

import ibis

from shequn.errors import ConfigError

__all__ = ["member_identities", "member_names", "resolve_member"]


def member_names(backend: Any) -> Any:
    """``member_id, name`` for every member of the log."""
    links = backend.table("identity_member")
    seen = backend.table("identity_names")
    named = links.join(seen, "identity_id")
    best = ibis.window(group_by="member_id", order_by=[ibis.desc("events"), ibis.desc("last_ts"), "name"])
    named = named.mutate(rank=ibis.row_number().over(best))
    named = named.filter(named.rank == 0).select("member_id", "name")
    identities = backend.table("identities")
    accounts = links.join(identities, "identity_id")
    accounts = accounts.filter(accounts.native_id.notnull())
    first = ibis.window(group_by="member_id", order_by="identity_id")
    accounts = accounts.mutate(rank=ibis.row_number().over(first), account=accounts.carrier + ":" + accounts.native_id)
    accounts = accounts.filter(accounts.rank == 0).select("member_id", "account")
    members = links.select("member_id").distinct()
    joined = members.left_join(named, "member_id").left_join(accounts, "member_id")
    return joined.select(
        member_id=members.member_id,
        name=joined.name.fill_null(joined.account).fill_null(members.member_id.cast("string")),
    )


def member_identities(backend: Any, member_id: int) -> list[dict[str, Any]]:
    """The identities of one member with the names each was seen under, oldest identity first."""
    links = backend.table("identity_member")
    identities = backend.table("identities")
    mine = links.filter(links.member_id == member_id).join(identities, "identity_id")
    rows = backend.to_pyarrow(
        mine.select("identity_id", "carrier", "native_id", "name_key").order_by("identity_id")
    ).to_pylist()
    seen = backend.table("identity_names")
    seen = seen.filter(seen.identity_id.isin([r["identity_id"] for r in rows] or [-1]))
    names: dict[int, list[str]] = {}
    for row in backend.to_pyarrow(seen.order_by([ibis.desc("events"), "name"])).to_pylist():
        names.setdefault(row["identity_id"], []).append(row["name"])
    return [{**row, "names": names.get(row["identity_id"], [])} for row in rows]


def _member_of(backend: Any, identity_ids: list[int]) -> list[int]:
    links = backend.table("identity_member")
    found = links.filter(links.identity_id.isin(identity_ids) | links.member_id.isin(identity_ids))
    return sorted({r["member_id"] for r in backend.to_pyarrow(found.select("member_id")).to_pylist()})


def resolve_member(backend: Any, reference: str) -> int:
    """The member id that ``reference`` means: a member or identity id, ``carrier:native_id``,
    or a name the member was seen under (when only one member had it)."""
    text = reference.strip()
    if text.isdigit():
        found = _member_of(backend, [int(text)])
    elif ":" in text and not text.startswith(":"):
        carrier, _, native = text.partition(":")
        identities = backend.table("identities")
        hits = identities.filter((identities.carrier == carrier.lower()) & (identities.native_id == native))
        ids = [r["identity_id"] for r in backend.to_pyarrow(hits.select("identity_id")).to_pylist()]
        found = _member_of(backend, ids) if ids else []
    else:
        found = []
    if not found:
        seen = backend.table("identity_names")
        hits = seen.filter(seen.name == text).select("identity_id").distinct()
        ids = [r["identity_id"] for r in backend.to_pyarrow(hits).to_pylist()]
        found = _member_of(backend, ids) if ids else []
    if not found:
        raise ConfigError(
            f"no member {reference!r}: give a member id, an identity id, carrier:native_id or a name seen in the log"
        )
    if len(found) > 1:
        raise ConfigError(f"{reference!r} names {len(found)} members ({', '.join(map(str, found))}); give an id")
    return found[0]
