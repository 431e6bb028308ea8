"""The parts of Discourse's REST API answers that the importer reads, as typed structs.

One struct covers every file the importer accepts (FORMATS.md §10): a topic (``/t/{id}.json``,
``post_stream.posts`` with ``stream``), a page of a topic's posts (``/t/{id}/posts.json``),
a single post (``/posts/{id}.json``: the post's fields at the top), the latest posts
(``/posts.json``: ``latest_posts``) and topic lists (``/latest.json``: ``topic_list.topics``).
Typed decoding fails on a wrong shape with the JSON path of the field, which becomes the
place in the error; fields the importer does not use are skipped unparsed.
"""

from __future__ import annotations

import re
from typing import TypeVar

import msgspec

from shequn.errors import SourceFormatError

__all__ = ["LIKE", "Action", "Post", "PostStream", "Reaction", "Root", "TopicEntry", "TopicList", "decode"]

T = TypeVar("T")

#: ``actions_summary`` id of a like; the others (flags, bookmarks) are not reactions.
LIKE = 2


class Action(msgspec.Struct, gc=False):
    id: int
    count: int | None = None


class Reaction(msgspec.Struct, gc=False):
    """One emoji of the discourse-reactions plugin: counted, reactors not listed."""

    id: str
    count: int = 0


class ReplyUser(msgspec.Struct, gc=False):
    username: str | None = None


class Post(msgspec.Struct, gc=False):
    id: int
    post_number: int | None = None
    topic_id: int | None = None
    username: str | None = None
    name: str | None = None
    user_id: int | None = None
    created_at: str | None = None
    updated_at: str | None = None
    cooked: str | None = None
    raw: str | None = None
    reply_to_post_number: int | None = None
    reply_to_user: ReplyUser | None = None
    post_type: int = 1
    action_code: str | None = None
    actions_summary: list[Action] = []
    reactions: list[Reaction] | None = None
    version: int | None = None
    deleted_at: str | None = None
    hidden: bool = False
    staff: bool = False
    admin: bool = False
    moderator: bool = False
    category_id: int | None = None
    topic_category_id: int | None = msgspec.field(default=None, name="_category_id")  # Perceval's copy
    topic_title: str | None = None


class PostStream(msgspec.Struct, gc=False):
    posts: list[Post] = []
    stream: list[int] | None = None  # every post id of the topic, in order


class TopicEntry(msgspec.Struct, gc=False):
    id: int
    title: str | None = None


class TopicList(msgspec.Struct, gc=False):
    topics: list[TopicEntry] = []


class Root(msgspec.Struct, gc=False):
    """Any of the accepted files; which fields are present says which one it is."""

    id: int | None = None
    post_stream: PostStream | None = None
    topic_list: TopicList | None = None
    latest_posts: list[Post] | None = None
    title: str | None = None
    category_id: int | None = None
    post_number: int | None = None  # with ``cooked``: the file is a single post
    cooked: str | None = None


_DECODERS: dict[type, msgspec.json.Decoder] = {}
_AT_PATH = re.compile(r"^(?P<problem>.*?)(?: - at `\$\.?(?P<path>[^`]*)`)?$", re.DOTALL)
_AT_BYTE = re.compile(r"\(byte (\d+)\)")


def decode(data: bytes, kind: type[T], path: str) -> T:
    """``data`` decoded as ``kind``, or a SourceFormatError naming the JSON path or line that broke."""
    decoder = _DECODERS.get(kind)
    if decoder is None:
        decoder = _DECODERS[kind] = msgspec.json.Decoder(kind)
    try:
        return decoder.decode(data)
    except msgspec.ValidationError as exc:
        found = _AT_PATH.match(str(exc))
        assert found is not None  # the pattern matches any string
        problem = found["problem"]
        raise SourceFormatError(path, found["path"] or "top level", problem[:1].lower() + problem[1:]) from None
    except msgspec.DecodeError as exc:
        byte = _AT_BYTE.search(str(exc))
        end = int(byte[1]) if byte else len(data)  # no byte given: the input ended too soon
        line = data.count(b"\n", 0, end) + 1
        raise SourceFormatError(path, f"line {line}", f"not valid JSON ({exc})") from None
