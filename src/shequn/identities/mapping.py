"""The mapping file: the operator's own list of who is whom, as CSV, turned into merges.

One row per identity::

    person,carrier,native_id,group,name
    Ann Lee,telegram,user1001,,
    Ann Lee,slack,U01ANN,,
    Ann Lee,whatsapp,+49 151 1111111,,
    Bob Stone,whatsapp,,Book Club,Bobby

``person`` is any label; rows with the same label are one person. An identity with an
account id gives ``native_id``; a name-only one (a WhatsApp contact, an IRC nick) gives
``group`` (name or native id) and ``name``. Other columns (notes) are ignored. The whole
file is checked before anything is written: a row that names no identity of the log is
an error with its line and column, unless ``skip_missing`` lets it be skipped and listed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from shequn.errors import SourceFormatError
from shequn.identities.merging import MergePlan, Outcome, merge_pairs
from shequn.identities.refs import UnknownReference, identity_by_name, identity_by_native
from shequn.identities.state import members_of
from shequn.store import Community, Store

__all__ = ["COLUMNS", "MappingRow", "Resolved", "import_mapping", "read_mapping", "resolve_mapping"]

COLUMNS: Final = ("person", "carrier", "native_id", "group", "name")
_REQUIRED: Final = ("person", "carrier")


@dataclass(frozen=True)
class MappingRow:
    """One row as written, with the line it starts on."""

    line: int
    person: str
    carrier: str
    native_id: str
    group: str
    name: str


@dataclass
class Resolved:
    """The identities of each person, and the rows left out for naming nothing in the log."""

    persons: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # person -> (line, identity)
    missing: list[tuple[int, str]] = field(default_factory=list)  # (line, problem)


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    """Comma by default; a semicolon or tab file (Excel in many locales writes ``;``) is sniffed."""
    header = sample.splitlines()[0] if sample else ""
    if "," in header:
        return csv.excel
    try:
        return csv.Sniffer().sniff(header, delimiters=";\t")
    except csv.Error:
        return csv.excel


def read_mapping(path: Path) -> Iterator[MappingRow]:
    """The rows of a mapping file, checked for shape (not yet against the log)."""
    where = str(path)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        dialect = _dialect(fh.read(4096))
        fh.seek(0)
        reader = csv.reader(fh, dialect)
        header = next(reader, None)
        if header is None:
            raise SourceFormatError(where, "line 1", f"expected a header row with columns {', '.join(COLUMNS)}")
        columns = [c.strip().casefold() for c in header]
        for need in _REQUIRED:
            if need not in columns:
                raise SourceFormatError(where, "line 1", f"no {need!r} column (expected {', '.join(COLUMNS)})")
        if "native_id" not in columns and not {"group", "name"} <= set(columns):
            raise SourceFormatError(where, "line 1", "expected a 'native_id' column, or 'group' and 'name' columns")
        index = {c: columns.index(c) for c in COLUMNS if c in columns}
        start = reader.line_num + 1
        for record in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue

            def cell(column: str, record: list[str] = record) -> str:
                at = index.get(column)
                return record[at].strip() if at is not None and at < len(record) else ""

            row = MappingRow(line, cell("person"), cell("carrier").casefold(), *map(cell, COLUMNS[2:]))
            _check(where, row)
            yield row


def _check(where: str, row: MappingRow) -> None:
    def fail(column: str, problem: str) -> SourceFormatError:
        return SourceFormatError(where, f"line {row.line}, column {column}", problem)

    if not row.person:
        raise fail("person", "expected the person's label")
    if not row.carrier:
        raise fail("carrier", "expected a carrier (telegram, slack, whatsapp, …)")
    if row.native_id and (row.group or row.name):
        raise fail("native_id", "give native_id, or group and name, not both (put notes in a column of their own)")
    if not row.native_id:
        if not row.name:
            raise fail("native_id", "expected native_id, or group and name for a name-only identity")
        if not row.group:
            raise fail("group", f"expected the group in which {row.name!r} is a name")


def resolve_mapping(store: Store, path: Path, community: Community, *, skip_missing: bool = False) -> Resolved:
    """Each row's identity in the log; the first problem is raised unless it may be skipped."""
    where = str(path)
    resolved = Resolved()
    seen: dict[int, tuple[str, int]] = {}  # identity -> (person, line)
    carriers = {
        row[0]
        for row in store.query("SELECT DISTINCT carrier FROM groups WHERE community_id = ?", [community.community_id])
    }
    for row in read_mapping(path):
        if row.carrier not in carriers:
            known = ", ".join(sorted(carriers)) or "none"
            raise SourceFormatError(
                where,
                f"line {row.line}, column carrier",
                f"no {row.carrier!r} group in community {community.name!r} (carriers there: {known})",
            )
        column = "native_id" if row.native_id else "name"
        try:
            if row.native_id:
                identity = identity_by_native(store, row.carrier, row.native_id)
                wanted = f"{row.carrier} account {row.native_id!r}"
            else:
                identity = identity_by_name(store, row.carrier, row.group, row.name, community.community_id)
                wanted = f"{row.carrier} name {row.name!r} in group {row.group!r}"
        except UnknownReference as exc:
            raise SourceFormatError(where, f"line {row.line}, column {exc.column}", exc.problem) from None
        if identity is None:
            problem = f"the log has no {wanted}"
            if not skip_missing:
                raise SourceFormatError(where, f"line {row.line}, column {column}", problem)
            resolved.missing.append((row.line, problem))
            continue
        if identity in seen and seen[identity][0] != row.person:
            other, other_line = seen[identity]
            raise SourceFormatError(
                where,
                f"line {row.line}, column person",
                f"this identity is already person {other!r} on line {other_line}",
            )
        seen[identity] = (row.person, row.line)
        resolved.persons.setdefault(row.person, []).append((row.line, identity))
    return resolved


def import_mapping(
    store: Store, path: Path, community: Community, *, skip_missing: bool = False
) -> tuple[Outcome, Resolved]:
    """Merge the identities of each person in the file, as one batch (subkind ``mapping``)."""
    resolved = resolve_mapping(store, path, community, skip_missing=skip_missing)
    plans = [
        MergePlan(identities[0][1], identity, {"person": person, "line": line})
        for person, identities in resolved.persons.items()
        for line, identity in identities[1:]
    ]
    outcome = merge_pairs(store, community, plans, subkind="mapping", source=f"identities import {path.name}")
    outcome.notes.extend(_shared_members(store, resolved))
    return outcome, resolved


def _shared_members(store: Store, resolved: Resolved) -> list[str]:
    """Notes for persons of the file who are one member through earlier merges.

    A mapping only merges; when the log already joins two of its persons, the operator
    should know, and can unmerge the pair that joins them.
    """
    person_of = {identity: person for person, rows in resolved.persons.items() for _, identity in rows}
    persons_in: dict[int, set[str]] = {}
    for identity, member in members_of(store, person_of).items():
        persons_in.setdefault(member, set()).add(person_of[identity])
    return [
        f"member {member} holds identities of several persons: {', '.join(sorted(persons))}"
        for member, persons in sorted(persons_in.items())
        if len(persons) > 1
    ]
