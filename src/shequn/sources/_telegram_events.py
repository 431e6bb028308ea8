"""Telegram messages to log records: messages, reactions, joins, leaves, removals, renames.

Both readers decode messages into :mod:`._telegram_schema` structs and hand them here in
batches, so the records cannot depend on which reader found them. A :class:`ChatEvents`
lives for one chat: it numbers the events, and it remembers which display names the chat
showed together with an account id, so that member lists (which carry names only) can be
resolved to accounts when the chat ends. That memory grows with the members, not the messages.

Keys: a message or service message is keyed by its id (ids are unique within a chat); the
extra events one service message yields (one join per invited member) and reactions get keys
derived from that id, so a re-export of the same chat gives the same keys.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from shequn.ids import name_key
from shequn.model import Alias, Event, EventRows, Record, Skip
from shequn.sources._base import local_to_utc_us, utc_us, zone
from shequn.sources._telegram_schema import Message, Reaction

__all__ = ["GROUP_TYPES", "PERSONAL_TYPES", "ChatEvents", "MessageError"]

#: Chat types whose members form a community; everything else is a conversation between two.
GROUP_TYPES = frozenset(
    {"private_group", "private_supergroup", "public_supergroup", "private_channel", "public_channel"}
)
PERSONAL_TYPES = frozenset({"personal_chat", "bot_chat", "saved_messages", "replies"})

_REACTION_SUBKINDS = {"emoji": "emoji", "custom_emoji": "custom", "paid": "paid"}
# content of an "other" message, by the key that carries it (a venue has both a place and a location)
_OTHER_CONTENT = (
    ("place_name", "venue"),
    ("location_information", "location"),
    ("contact_information", "contact"),
    ("game_title", "game"),
    ("invoice_information", "invoice"),
)
_SERVICE_EXTRAS = ("title", "new_title", "message_id", "inviter", "duration_seconds")
#: Events gathered before they are handed over as one EventRows: the store's batch size, so a
#: run of rows is one table, one insert.
ROWS = 20_000


class MessageError(Exception):
    """Message ``index`` of the chat broke the format at ``field`` (``".date"``).

    The reader that decoded the message turns it into a :class:`SourceFormatError` naming
    the place as precisely as it can (the fast reader adds the line number).
    """

    def __init__(self, index: int, field: str, problem: str) -> None:
        super().__init__(problem)
        self.index = index
        self.field = field
        self.problem = problem


class ChatEvents:
    """The records of one chat, built batch by batch, then the aliases at its end."""

    def __init__(self, chat_id: str, where: str, tz: str, seq: int) -> None:
        self.chat_id = chat_id
        self.where = where  # JSON path of the chat's message list: "messages", "chats.list[3].messages"
        self.seq = seq  # running order over the whole file
        self._tz_name = tz
        self._zone = zone(tz)
        # display name -> (account id or None when two accounts share it, first ts, first pos)
        self._shown: dict[str, tuple[str | None, int, str]] = {}
        self._listed: dict[str, str] = {}  # names used without an id (member lists) -> first pos
        self._rows = EventRows(chat_id)  # events not yet handed over

    # -- time --------------------------------------------------------------------------

    def _local(self, text: str, index: int, field: str) -> tuple[int, str | None]:
        """Epoch microseconds of a ``date`` string, read in the import's zone unless it has an offset."""
        try:
            parsed = datetime.fromisoformat(text)
        except (TypeError, ValueError):
            raise MessageError(index, field, f"expected a date like 2024-03-02T10:00:05, got {text!r}") from None
        if parsed.tzinfo is not None:
            return utc_us(parsed), None
        return local_to_utc_us(parsed, self._zone), self._tz_name

    def _when(self, date: str | None, unix: str | int | None, index: int, field: str = "") -> tuple[int, str | None]:
        """The time of a message (or of a reactor, under ``field``): ``date_unixtime`` if given, else ``date``."""
        if unix is not None:
            try:
                return int(unix) * 1_000_000, None
            except ValueError:
                raise MessageError(index, f"{field}.date_unixtime", f"expected epoch seconds, got {unix!r}") from None
        if date is None:
            raise MessageError(index, f"{field}.date", "no date (expected date or date_unixtime)")
        return self._local(date, index, f"{field}.date")

    # -- names -------------------------------------------------------------------------

    def _show(self, name: str, account: str, ts: int, pos: str) -> None:
        seen = self._shown.get(name)
        if seen is None:
            self._shown[name] = (account, ts, pos)
        elif seen[0] is not None and seen[0] != account:
            self._shown[name] = (None, seen[1], seen[2])

    def finish(self) -> list[Record]:
        """The events not yet handed over, then an :class:`Alias` for every name-only member whose
        name the chat also showed with an id.

        A name is matched exactly first, then by its folded form (``ids.name_key``); a name
        that two accounts showed is left unresolved, and counted as a skip.
        """
        out: list[Record] = [self._rows] if len(self._rows) else []
        self._rows = EventRows(self.chat_id)
        folded: dict[str, tuple[str | None, int, str]] | None = None
        for name, listed_pos in self._listed.items():
            seen = self._shown.get(name)
            if seen is None:
                if folded is None:
                    folded = self._folded()
                seen = folded.get(name_key(name))
                if seen is None:
                    continue  # the member never wrote, reacted or acted in this chat
            account, ts, pos = seen
            if account is None:
                out.append(Skip("member name shared by several accounts", listed_pos))
            else:
                out.append(Alias(self.chat_id, name, account, ts, pos=pos))
        return out

    def _folded(self) -> dict[str, tuple[str | None, int, str]]:
        """The shown names by folded form; a form two accounts share maps to no account."""
        folded: dict[str, tuple[str | None, int, str]] = {}
        for name, (account, ts, pos) in self._shown.items():
            key = name_key(name)
            seen = folded.get(key)
            if seen is None:
                folded[key] = (account, ts, pos)
            elif seen[0] != account:
                folded[key] = (None, seen[1], seen[2])
        return folded

    # -- messages ----------------------------------------------------------------------

    def records(self, batch: list[Message], first: int) -> list[Record]:
        """The records of ``batch``, whose first message is number ``first`` in the chat.

        Events are collected as columns (:class:`~shequn.model.EventRows`) and handed over
        when ``ROWS`` have gathered, or at the chat's end (:meth:`finish`); what is returned
        right away are the skips, and full runs of rows. Plain messages are appended field
        by field inline here (the hot path: no object per message); the rarer events are
        built as ``Event`` records by helpers and added to the same rows.
        """
        out: list[Record] = []
        rows = self._rows
        keys = rows.key
        key_, kind_, ts_, date_, subkind_, native_, actor_, name_ = (
            rows.key.append, rows.kind.append, rows.ts_us.append, rows.ts_original.append,
            rows.subkind.append, rows.native_id.append, rows.actor_id.append, rows.actor_name.append,
        )  # fmt: skip
        reply_, text_, attrs_, pos_, seq_ = (
            rows.reply_to_key.append, rows.text.append, rows.attrs.append, rows.pos.append, rows.seq.append,
        )  # fmt: skip
        zones, mention_ids_, mention_names_ = (
            rows.sparse["tz_assumed"], rows.sparse["mention_ids"], rows.sparse["mention_names"],
        )  # fmt: skip
        where, shown, unset = self.where, self._shown, msgspec.UNSET
        for index, m in enumerate(batch, first):
            pos = f"{where}[{index}]"
            if m.type != "message":
                self._not_a_message(m, index, pos, out)
                continue
            unix = m.date_unixtime
            if unix is not None:
                try:
                    ts, tz = int(unix) * 1_000_000, None
                except ValueError:
                    ts, tz = self._when(None, unix, index)  # raises, naming the field
            else:
                ts, tz = self._when(m.date, None, index)
            key = str(m.id)
            text = m.text
            mention_ids = mention_names = None
            if type(text) is not str:
                text, mention_ids, mention_names = _flatten(text)
            if (
                m.photo is None
                and m.file is None
                and m.media_type is None
                and m.poll is None
                and not m.paid_stars_amount
            ):
                plain = m.edited_unixtime is None and m.edited is None and m.via_bot is None and m.author is None
                subkind = "text" if text else "other"  # other: a contact, a place, a game, an invoice…
                attrs = None if plain and text else _message_attrs(m)
            else:
                subkind = "poll" if m.poll is not None else "sticker" if m.media_type == "sticker" else "media"
                attrs = _message_attrs(m)
            if m.forwarded_from is not unset:
                attrs = attrs or {}
                attrs["forwarded_from"] = m.forwarded_from
            reply = m.reply_to_message_id
            if reply is not None:
                reply = str(reply) if m.reply_to_peer_id is None else None
            name, account = m.name, m.from_id
            if name is not None and account is not None:
                seen = shown.get(name)
                if seen is None:
                    shown[name] = (account, ts, pos)
                elif seen[0] != account and seen[0] is not None:
                    shown[name] = (None, seen[1], seen[2])
            self.seq += 1
            row = len(keys)
            key_(key)
            kind_("message")
            ts_(ts)
            date_(m.date)
            subkind_(subkind)
            native_(key)
            actor_(account)
            name_(name)
            reply_(reply)
            text_(text or None)
            attrs_(attrs)
            pos_(pos)
            seq_(self.seq)
            if tz is not None:
                zones[row] = tz
            if mention_ids is not None:
                mention_ids_[row] = mention_ids
            if mention_names is not None:
                mention_names_[row] = mention_names
            if m.reactions:
                self._reactions(m, key, pos, ts, tz, index, out)
        if len(rows) >= ROWS:
            out.append(rows)
            self._rows = EventRows(self.chat_id)
        return out

    def _not_a_message(self, m: Message, index: int, pos: str, out: list[Record]) -> None:
        """A service message, an unsupported placeholder, or a type this importer does not know."""
        if m.type == "unsupported":
            out.append(Skip("unsupported message", pos))
        elif m.type == "service":
            ts, tz = self._when(m.date, m.date_unixtime, index)
            self._service(m, str(m.id), pos, ts, tz, out)
        else:
            out.append(Skip("message of unknown type", pos))

    def _event(self, m: Message, key: str, kind: str, pos: str, ts: int, tz: str | None, **fields: Any) -> None:
        """An event of service message ``m``, done by its actor, added to the chat's rows."""
        self.seq += 1
        event = Event(
            chat_id=self.chat_id,
            key=key,
            kind=kind,
            ts_us=ts,
            ts_original=m.date,
            tz_assumed=tz,
            native_id=str(m.id),
            actor_id=m.actor_id,
            actor_name=m.actor,
            pos=pos,
            seq=self.seq,
            **fields,
        )
        self._rows.add(event)

    def _service(self, m: Message, key: str, pos: str, ts: int, tz: str | None, out: list[Record]) -> None:
        """Membership changes, renames and every other service line (FORMATS.md §1.4)."""
        action, actor, actor_id = m.action, m.actor, m.actor_id
        if actor is not None and actor_id is not None:
            self._show(actor, actor_id, ts, pos)
        myself = {"target_id": actor_id, "target_name": actor}
        members = list(enumerate(m.members or ()))
        alone = actor is not None and [name for _, name in members] == [actor]
        if action == "create_group":
            attrs = {"title": m.title} if m.title else None
            self._event(m, key, "join", pos, ts, tz, subkind="created", attrs=attrs, **myself)
            # the creator is listed among the members too; one join (created) is enough for them
            others = [(j + 1, name) for j, name in members if name != actor]
            self._members(m, key, pos, ts, tz, "join", "added", others, out)
        elif action == "invite_members" and alone:
            # adding oneself is how Telegram shows a member joining a public group on their own
            self._event(m, key, "join", pos, ts, tz, subkind="added", **myself)
        elif action == "invite_members":
            self._members(m, key, pos, ts, tz, "join", "added", members, out)
        elif action == "remove_members" and alone:
            self._event(m, key, "leave", pos, ts, tz, **myself)
        elif action == "remove_members":
            self._members(m, key, pos, ts, tz, "removal", "admin", members, out)
        elif action == "join_group_by_link":
            attrs = {"inviter": m.inviter} if m.inviter else None
            self._event(m, key, "join", pos, ts, tz, subkind="link", attrs=attrs, **myself)
        elif action == "join_group_by_request":
            self._event(m, key, "join", pos, ts, tz, subkind="request", **myself)
        elif action == "edit_group_title":
            self._event(m, key, "rename", pos, ts, tz, attrs={"title": m.title})
        elif action is None and m.information_text is not None:
            text = m.information_text or None
            self._event(m, key, "service", pos, ts, tz, subkind="custom", text=text)
        else:
            extras = {name: getattr(m, name) for name in _SERVICE_EXTRAS if getattr(m, name) is not None}
            if m.members:
                extras["members"] = m.members
            subkind = action or "unknown"
            self._event(m, key, "service", pos, ts, tz, subkind=subkind, attrs=extras or None)

    def _members(
        self,
        m: Message,
        key: str,
        pos: str,
        ts: int,
        tz: str | None,
        kind: str,
        subkind: str,
        members: list[tuple[int, str | None]],
        out: list[Record],
    ) -> None:
        """One event per listed member, done by the actor to a member known by name only."""
        for j, name in members:
            if name is None:  # an account deleted before the export has no name left
                out.append(Skip("member without a name", f"{pos}.members[{j}]"))
                continue
            self._listed.setdefault(name, pos)
            member_key = key if j == 0 else f"{key}:{j}"
            self._event(m, member_key, kind, pos, ts, tz, subkind=subkind, target_name=name)

    def _reactions(
        self, m: Message, key: str, pos: str, ts: int, tz: str | None, index: int, out: list[Record]
    ) -> None:
        """One event per named reactor, and one for the reactors the export only counts."""
        for r_index, reaction in enumerate(m.reactions or ()):
            what, attrs = _reaction_what(reaction)
            subkind = _REACTION_SUBKINDS.get(reaction.type, reaction.type)
            named = 0
            for j, who in enumerate(reaction.recent or ()):
                if who.from_id is None and who.name is None:
                    continue  # counted below with the reactors the export does not name
                named += 1
                where = f"{pos}.reactions[{r_index}].recent[{j}]"
                if who.date_unixtime is not None or who.date is not None:
                    field = f".reactions[{r_index}].recent[{j}]"
                    r_ts, r_tz = self._when(who.date, who.date_unixtime, index, field)
                else:
                    r_ts, r_tz = ts, tz
                if who.from_id is not None and who.name is not None:
                    self._show(who.name, who.from_id, r_ts, where)
                self.seq += 1
                self._rows.add(
                    Event(
                        chat_id=self.chat_id,
                        key=f"{key}:reaction:{what}:{who.from_id or who.name}",
                        kind="reaction",
                        ts_us=r_ts,
                        ts_original=who.date,
                        tz_assumed=r_tz,
                        subkind=subkind,
                        actor_id=who.from_id,
                        actor_name=who.name,
                        target_id=m.from_id,
                        target_name=m.name,
                        reply_to_key=key,
                        attrs=dict(attrs),
                        pos=where,
                        seq=self.seq,
                    )
                )
            if reaction.count > named:
                self.seq += 1
                self._rows.add(
                    Event(
                        chat_id=self.chat_id,
                        key=f"{key}:reaction:{what}:anonymous",
                        kind="reaction",
                        ts_us=ts,
                        ts_original=m.date,
                        tz_assumed=tz,
                        subkind="anonymous",
                        target_id=m.from_id,
                        target_name=m.name,
                        reply_to_key=key,
                        attrs={**attrs, "count": reaction.count - named},
                        pos=f"{pos}.reactions[{r_index}]",
                        seq=self.seq,
                    )
                )


def _flatten(parts: list) -> tuple[str, list[str] | None, list[str] | None]:
    """A text given as runs: the plain text, the mentioned account ids and the mentioned handles."""
    texts: list[str] = []
    mention_ids: list[str] | None = None
    mention_names: list[str] | None = None
    for part in parts:
        if type(part) is str:
            texts.append(part)
            continue
        texts.append(part.text)
        if part.type == "mention":
            mention_names = mention_names or []
            mention_names.append(part.text)
        elif part.type == "mention_name" and part.user_id is not None:
            mention_ids = mention_ids or []
            mention_ids.append(f"user{part.user_id}")
    return "".join(texts), mention_ids, mention_names


def _reaction_what(reaction: Reaction) -> tuple[str, dict]:
    """What was reacted with, as a key part and as attrs."""
    if reaction.emoji is not None:
        return reaction.emoji, {"emoji": reaction.emoji}
    if reaction.document_id is not None:
        return reaction.document_id, {"document_id": reaction.document_id}
    return reaction.type, {"type": reaction.type}


def _message_attrs(m: Message) -> dict | None:
    """The carrier details of a message worth keeping: edits, media, poll, bot, signature."""
    attrs: dict = {}
    if m.edited_unixtime is not None:
        unix = m.edited_unixtime
        attrs["edited_unixtime"] = int(unix) if type(unix) is int or unix.isdigit() else unix
    elif m.edited is not None:
        attrs["edited"] = m.edited
    if m.photo is not None:
        attrs["media_type"] = "photo"
    elif m.media_type is not None:
        attrs["media_type"] = m.media_type
    elif m.file is not None:
        attrs["media_type"] = "document"
    else:
        for field, media_type in _OTHER_CONTENT:
            if getattr(m, field) is not msgspec.UNSET:
                attrs["media_type"] = media_type
                break
    if m.file_name is not None:
        attrs["file_name"] = m.file_name
    if m.poll is not None:
        attrs["poll"] = _poll(m.poll)
    if m.via_bot is not None:
        attrs["via_bot"] = m.via_bot
    if m.author is not None:
        attrs["author"] = m.author
    if m.paid_stars_amount:
        attrs["paid_stars_amount"] = m.paid_stars_amount
    return attrs or None


def _poll(poll: dict) -> dict:
    """The poll without ``chosen`` (the exporting account's own vote)."""
    answers = poll.get("answers") or ()
    kept = [{k: v for k, v in a.items() if k != "chosen"} for a in answers if type(a) is dict]
    return {**{k: v for k, v in poll.items() if k != "answers"}, "answers": kept}
