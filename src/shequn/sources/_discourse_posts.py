"""Discourse posts turned into log events: the post, its likes and reactions, bot and staff flags.

A post's ``id`` is its key (ids are unique across a site, so a re-fetched topic finds the same
events). Replies name their parent by ``reply_to_post_number``; numbers are mapped to ids
within the posts of the same file, and a parent outside the file (another page of a long
topic) is kept in ``attrs`` as ``reply_to_post_number``. The thread is the topic, keyed by
its first post's id (known from the posts or the topic's ``stream``), so the first post is
its own thread's root; where neither shows it, the key is ``topic:<id>``.

``username`` is the member's id (stable on a site, unlike display names); ``name`` is kept
as the display name. Likes and reactions are counted per post without their reactors, so
each becomes one ``anonymous`` reaction with its count. Discourse's own users (``system``,
``discobot``) have negative ids and are flagged as bots; staff (admins, moderators) are
flagged ``staff``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from shequn.errors import SourceFormatError
from shequn.model import Chat, Event, Record
from shequn.sources._base import ReadOptions, local_to_utc_us, utc_us, zone
from shequn.sources._discourse_html import html_to_text
from shequn.sources._discourse_schema import LIKE, Post

__all__ = ["PostReader", "thread_root"]

CARRIER = "discourse"

#: post_type values (Discourse's Post.types): 1 regular, 2 moderator action, 3 small action, 4 whisper.
_MODERATOR_ACTION, _SMALL_ACTION, _WHISPER = 2, 3, 4


def thread_root(posts: list[Post], stream: list[int] | None, topic_id: int | None) -> str | None:
    """The key of a topic's first post, or ``topic:<id>`` when this file does not show it."""
    for post in posts:
        if post.post_number == 1:
            return str(post.id)
    if stream:
        return str(stream[0])
    return f"topic:{topic_id}" if topic_id is not None else None


class PostReader:
    """Reads the posts of one file, declaring each chat and flagging each member once."""

    def __init__(self, path: str, options: ReadOptions) -> None:
        self.path = path
        self.options = options
        self.tz = zone(options.tz)
        self._chats: set[str] = set()
        self._flagged: set[tuple[str, str, str]] = set()  # chat, flag, username
        self._seq = 0

    def records(
        self,
        posts: list[Post],
        label: str,
        *,
        category_id: int | None = None,
        title: str | None = None,
        thread_key: str | None = None,
    ) -> Iterator[Record]:
        """The records of ``posts`` found at ``label`` (``post_stream.posts``) in the file.

        ``category_id``, ``title`` and ``thread_key`` come from the topic around the posts;
        without them (latest posts, a single post) each post's own fields are used.
        """
        numbers = {p.post_number: str(p.id) for p in posts if p.post_number is not None}
        for i, post in enumerate(posts):
            pos = f"{label}[{i}]" if label else "top level"
            chat_id = yield from self._chat(category_id or post.category_id or post.topic_category_id, pos)
            yield from self._post(post, pos, chat_id, numbers, title or post.topic_title, thread_key)

    def _chat(self, category_id: int | None, pos: str) -> Iterator[Chat]:
        """Declares the chat of a post on first sight; returns its id.

        The forum (``--group``) when the import names it, else the post's category.
        """
        name = self.options.chat_name
        if name:
            chat = Chat(carrier=CARRIER, native_id=name, name=name, chat_type="site")
        elif category_id is not None:
            chat = Chat(CARRIER, f"category/{category_id}", f"category {category_id}", "category")
        else:
            raise SourceFormatError(self.path, pos, "the post names no category: pass --group to name the forum")
        if chat.native_id not in self._chats:
            self._chats.add(chat.native_id)
            yield chat
        return chat.native_id

    # -- one post ------------------------------------------------------------------------

    def _post(
        self,
        post: Post,
        pos: str,
        chat_id: str,
        numbers: dict[int | None, str],
        title: str | None,
        thread_key: str | None,
    ) -> Iterator[Event]:
        if post.created_at is None:
            raise SourceFormatError(self.path, f"{pos}.created_at", "expected the time the post was made")
        ts_us, tz_assumed = self._time(post.created_at, f"{pos}.created_at")
        key = str(post.id)
        username = post.username or None
        base = {"chat_id": chat_id, "ts_us": ts_us, "ts_original": post.created_at, "tz_assumed": tz_assumed}
        if username is not None:
            yield from self._flags(post, username, pos, base)
        if post.cooked is not None:
            text, mentions = html_to_text(post.cooked)
        else:
            text, mentions = (post.raw or "").strip(), []
        kind, subkind = "message", "text"
        if post.post_type == _SMALL_ACTION:
            kind, subkind = "service", post.action_code or "small_action"
        elif post.post_type == _MODERATOR_ACTION:
            kind, subkind = "service", "moderator_action"
        attrs: dict = {"post_number": post.post_number} if post.post_number is not None else {}
        if post.topic_id is not None:
            attrs["topic_id"] = post.topic_id
        if post.post_number == 1 and title:
            attrs["title"] = title
        reply_to = None
        if post.reply_to_post_number is not None:
            reply_to = numbers.get(post.reply_to_post_number)
            if reply_to is None:
                attrs["reply_to_post_number"] = post.reply_to_post_number
        if post.post_type == _WHISPER:
            attrs["whisper"] = True
        if post.deleted_at is not None:
            attrs["deleted"] = True
        if post.hidden:
            attrs["hidden"] = True
        if (post.version or 1) > 1 and post.updated_at:
            attrs["edited_ts_us"] = self._time(post.updated_at, f"{pos}.updated_at")[0]
        own_thread = key if post.post_number == 1 else thread_key
        yield Event(
            **base,
            key=key,
            kind=kind,
            subkind=subkind,
            native_id=key,
            actor_id=username,
            actor_name=post.name or username,
            reply_to_key=reply_to,
            thread_key=own_thread or (f"topic:{post.topic_id}" if post.topic_id is not None else None),
            text=text if kind == "message" else text or None,
            mention_ids=mentions or None,
            attrs=attrs or None,
            pos=pos,
            seq=self._next_seq(),
        )
        yield from self._reactions(post, key, username, pos, base)

    def _reactions(self, post: Post, key: str, author: str | None, pos: str, base: dict) -> Iterator[Event]:
        """One anonymous reaction per emoji (reactions plugin) or for the likes, with its count."""
        if post.reactions is not None:
            counted = [(r.id, r.count) for r in post.reactions]
        else:
            counted = [("like", a.count or 0) for a in post.actions_summary if a.id == LIKE]
        for emoji, count in counted:
            if count <= 0:
                continue
            yield Event(
                **base,
                key=f"{key}:reaction:{emoji}",
                kind="reaction",
                subkind="anonymous",
                target_id=author,
                reply_to_key=key,
                attrs={"emoji": emoji, "count": count},
                pos=pos,
                seq=self._next_seq(),
            )

    def _flags(self, post: Post, username: str, pos: str, base: dict) -> Iterator[Event]:
        wanted = []
        if post.user_id is not None and post.user_id < 0:
            wanted.append("bot")
        if post.staff or post.admin or post.moderator:
            wanted.append("staff")
        for flag in wanted:
            seen = (base["chat_id"], flag, username)
            if seen in self._flagged:
                continue
            self._flagged.add(seen)
            yield Event(
                **base,
                key=f"flag:{flag}:{username}",
                kind="flag",
                subkind=flag,
                target_id=username,
                target_name=post.name or username,
                attrs={"value": True},
                pos=pos,
                seq=self._next_seq(),
            )

    def _time(self, text: str, where: str) -> tuple[int, str | None]:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise SourceFormatError(self.path, where, f"expected an ISO 8601 time, got {text!r}") from None
        if moment.tzinfo is None:
            return local_to_utc_us(moment, self.tz), self.options.tz
        return utc_us(moment), None

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq
