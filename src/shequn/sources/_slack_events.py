"""One Slack message object turned into log events: the message or service line, its reactions, bot flags.

Slack's ``ts`` is the message id within its channel (and an exact UTC epoch time), so it is
the event key; reactions and flags get keys derived from it, so a re-export of the same
channel yields the same keys. Who is actor and target follows :mod:`shequn.model`.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count
from typing import Any

from shequn.errors import SourceFormatError
from shequn.model import Event, Record, Skip
from shequn.sources._slack_directory import Directory
from shequn.sources._slack_schema import Message, ts_to_us
from shequn.sources._slack_text import decode_text

__all__ = ["ChannelReader"]

#: Subtypes that are something a member (or bot) said, rather than a note about the channel.
_SAID = frozenset(
    {
        "thread_broadcast",
        "reply_broadcast",  # the name of thread_broadcast in exports before 2017
        "bot_message",
        "me_message",
        "file_share",
        "file_comment",
        "file_mention",
    }
)
_JOINS = frozenset({"channel_join", "group_join"})
_LEAVES = frozenset({"channel_leave", "group_leave"})
_RENAMES = frozenset({"channel_name", "group_name"})
#: Subtypes whose ``bot_id`` is the bot being installed, not the poster of the line.
_BOT_ADMIN = frozenset({"bot_add", "bot_remove", "bot_enable", "bot_disable"})
#: The field holding the new value, for service lines that change a channel setting.
_SETTING_FIELD = {
    "channel_topic": "topic",
    "group_topic": "topic",
    "channel_purpose": "purpose",
    "group_purpose": "purpose",
}


class ChannelReader:
    """Reads the messages of one conversation, in file order.

    Remembers which bots it has flagged in this conversation (a handful), so each bot gets
    one flag event per chat, at its first appearance.
    """

    def __init__(self, path: str, chat_id: str, directory: Directory, seq: count) -> None:
        self.path = path
        self.chat_id = chat_id
        self.directory = directory
        self._seq = seq
        self._flagged: set[str] = set()

    def records(self, msg: Message, pos: str) -> Iterator[Record]:
        """The records of one message object at ``pos`` (``general/2024-01-02.json: [17]``)."""
        if msg.type is not None and msg.type != "message":
            yield Skip(f"not a message ({msg.type})", pos)
            return
        if msg.hidden and msg.subtype != "tombstone":
            # message_changed / message_deleted notices: the export already shows the result.
            yield Skip(f"hidden {msg.subtype or 'message'}", pos)
            return
        ts_us = ts_to_us(msg.ts)
        if ts_us is None:
            problem = f'expected a Slack ts like "1661628935.330089", got {msg.ts!r}'
            raise SourceFormatError(self.path, f"{pos}.ts", problem)
        subtype = msg.subtype
        base = self._base(msg, ts_us, pos)
        if subtype == "tombstone":
            # A deleted thread parent: kept as a line without author, so its replies still
            # point at an event of the log.
            yield self._event(base, kind="service", subkind="tombstone", thread_key=msg.ts)
            return
        actor_id, actor_name, is_bot = self._author(msg)
        if subtype in _JOINS or subtype in _LEAVES:
            yield from self._membership(msg, base, actor_id, actor_name)
            return
        if is_bot and (actor_id or actor_name):
            yield from self._flag(actor_id, actor_name, ts_us, msg.ts, pos)
        if subtype in _BOT_ADMIN and msg.bot_id:
            yield from self._flag(msg.bot_id, None, ts_us, msg.ts, pos)
        text, mentions = decode_text(msg.text or "", self.directory)
        if actor_id in mentions:
            # Slack writes the poster into its own notices ("<@U1> uploaded a file"); naming
            # oneself is no interaction with anyone.
            mentions.remove(actor_id)
        if subtype is None or subtype in _SAID:
            yield self._message(msg, base, actor_id, actor_name, text, mentions)
        elif subtype in _RENAMES:
            attrs = {"title": msg.name} if isinstance(msg.name, str) else {}
            if isinstance(msg.old_name, str):
                attrs["old_title"] = msg.old_name
            yield self._event(base, kind="rename", actor_id=actor_id, actor_name=actor_name, text=text, attrs=attrs)
        else:
            attrs = {}
            setting = _SETTING_FIELD.get(subtype)
            if setting and isinstance(getattr(msg, setting), str):
                attrs[setting] = getattr(msg, setting)
            yield self._event(
                base,
                kind="service",
                subkind=subtype,
                actor_id=actor_id,
                actor_name=actor_name,
                text=text or None,
                mention_ids=mentions or None,
                attrs=attrs or None,
            )
        yield from self._reactions(msg, ts_us, actor_id, actor_name, pos)

    # -- pieces ------------------------------------------------------------------------

    def _base(self, msg: Message, ts_us: int, pos: str) -> dict[str, Any]:
        return {
            "chat_id": self.chat_id,
            "key": msg.ts,
            "native_id": msg.ts,
            "ts_us": ts_us,
            "ts_original": msg.ts,
            "pos": pos,
        }

    def _event(self, base: dict[str, Any], **fields: Any) -> Event:
        return Event(**base, **fields, seq=next(self._seq))

    def _author(self, msg: Message) -> tuple[str | None, str | None, bool]:
        """Who posted the line, their name, and whether they are a bot."""
        bot_post = msg.subtype == "bot_message" or (bool(msg.bot_id) and msg.subtype not in _BOT_ADMIN)
        bot_name = msg.username or (msg.bot_profile.name if msg.bot_profile else None)
        user = msg.user or (msg.comment.user if msg.comment else None)
        if user:
            uid = self.directory.canonical(user)
            name = self.directory.name_of(uid, msg.user_profile) or (bot_name if bot_post else None)
            return uid, name, bot_post or uid in self.directory.bots
        if msg.bot_id:
            return msg.bot_id, bot_name, True
        return None, bot_name, bot_post

    def _flag(self, uid: str | None, name: str | None, ts_us: int, ts_original: str, pos: str) -> Iterator[Event]:
        """Flag a bot, by id, or by name for a webhook that posts with a ``username`` only."""
        who = uid or f"name:{name}"
        if who in self._flagged:
            return
        self._flagged.add(who)
        yield Event(
            chat_id=self.chat_id,
            key=f"flag:bot:{who}",
            kind="flag",
            subkind="bot",
            ts_us=ts_us,
            ts_original=ts_original,
            target_id=uid,
            target_name=name,
            attrs={"value": True},
            pos=pos,
            seq=next(self._seq),
        )

    def _membership(
        self, msg: Message, base: dict[str, Any], member_id: str | None, member_name: str | None
    ) -> Iterator[Event]:
        if member_id is None:
            raise SourceFormatError(self.path, f"{base['pos']}.user", f"expected the member of this {msg.subtype}")
        if msg.subtype in _LEAVES:
            yield self._event(
                base,
                kind="leave",
                actor_id=member_id,
                actor_name=member_name,
                target_id=member_id,
                target_name=member_name,
            )
            return
        if msg.inviter:
            inviter = self.directory.canonical(msg.inviter)
            yield self._event(
                base,
                kind="join",
                subkind="added",
                actor_id=inviter,
                actor_name=self.directory.name_of(inviter),
                target_id=member_id,
                target_name=member_name,
            )
        else:
            yield self._event(
                base,
                kind="join",
                subkind="link",
                actor_id=member_id,
                actor_name=member_name,
                target_id=member_id,
                target_name=member_name,
            )

    def _message(
        self,
        msg: Message,
        base: dict[str, Any],
        actor_id: str | None,
        actor_name: str | None,
        text: str,
        mentions: list[str],
    ) -> Event:
        if not text and msg.attachments:
            # Integrations (GitHub, CI) post only attachments; their fallback is the readable line.
            parts = [decode_text(a.fallback or a.text or "", self.directory)[0] for a in msg.attachments]
            text = "\n".join(p for p in parts if p)
        files = msg.files if msg.files is not None else ([msg.file] if msg.file is not None else [])
        attrs: dict[str, Any] = {}
        if msg.subtype:
            attrs["subtype"] = msg.subtype
        if files:
            # Only what identifies a file: Slack's URLs carry access tokens.
            attrs["files"] = [
                {k: v for k, v in (("id", f.id), ("name", f.name), ("mimetype", f.mimetype)) if v}
                | ({"deleted": True} if f.mode == "tombstone" else {})
                for f in files
            ]
        if msg.edited is not None and msg.edited.ts and (edited_us := ts_to_us(msg.edited.ts)) is not None:
            attrs["edited_ts_us"] = edited_us
        thread = msg.thread_ts or None
        return self._event(
            base,
            kind="message",
            subkind="media" if files else ("text" if text else "other"),
            actor_id=actor_id,
            actor_name=actor_name,
            text=text or None,
            mention_ids=mentions or None,
            thread_key=thread,
            reply_to_key=thread if thread and thread != msg.ts else None,
            attrs=attrs or None,
        )

    def _reactions(
        self, msg: Message, ts_us: int, author_id: str | None, author_name: str | None, pos: str
    ) -> Iterator[Event]:
        """One event per listed reactor; reactors Slack counted but did not list, as one anonymous event."""
        for j, reaction in enumerate(msg.reactions or ()):
            where = f"{pos}.reactions[{j}]"
            common = {
                "chat_id": self.chat_id,
                "kind": "reaction",
                "ts_us": ts_us,  # Slack does not say when a reaction was added
                "ts_original": msg.ts,
                "target_id": author_id,
                "target_name": author_name,
                "reply_to_key": msg.ts,
                "pos": where,
            }
            listed: list[str] = []
            for raw in reaction.users:
                uid = self.directory.canonical(raw)
                if uid in listed:
                    continue
                listed.append(uid)
                name = self.directory.name_of(uid)
                if uid in self.directory.bots:
                    yield from self._flag(uid, name, ts_us, msg.ts, where)
                yield Event(
                    **common,
                    key=f"reaction:{msg.ts}:{reaction.name}:{uid}",
                    subkind="emoji",
                    actor_id=uid,
                    actor_name=name,
                    attrs={"emoji": reaction.name},
                    seq=next(self._seq),
                )
            unlisted = (reaction.count or 0) - len(listed)
            if unlisted > 0:
                yield Event(
                    **common,
                    key=f"reaction:{msg.ts}:{reaction.name}:anonymous",
                    subkind="anonymous",
                    attrs={"emoji": reaction.name, "count": unlisted},
                    seq=next(self._seq),
                )
