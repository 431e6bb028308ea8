"""Discourse forums, from the JSON of their REST API — FORMATS.md §10.

Accepted files: a topic (``/t/{id}.json``), a page of its posts (``/t/{id}/posts.json``), a
single post (``/posts/{id}.json``), the latest posts (``/posts.json``). Each answer holds one
topic's page (or a few dozen posts) and is read whole; memory is bounded by a page, not by
the forum. A topic list (``/latest.json``) holds no posts, only titles and poster ids: each
of its topics is a counted skip that says to import the topic itself, rather than a service
event that would count every topic's start twice (its first post is the start).

The chat is the forum when ``--group`` names it (recommended: a topic moved to another
category stays in the same chat), else the topic's category (``category/<id>``): the API's
JSON names neither the site nor the category's name. Posts: see :mod:`._discourse_posts`.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from shequn.errors import SourceFormatError
from shequn.model import Record, Skip
from shequn.sources._base import ReadOptions
from shequn.sources._discourse_posts import PostReader, thread_root
from shequn.sources._discourse_schema import Post, Root, decode

__all__ = ["NAME", "VERSION", "read", "sniff"]

NAME = "discourse"
VERSION = "1.0"

_KEYS = re.compile(rb'"(post_stream|topic_list|latest_posts|post_number|cooked|topic_id)"\s*:')


def sniff(path: Path, head: bytes) -> bool:
    """A JSON object with a ``post_stream``, a ``topic_list``, ``latest_posts``, or a post's own fields."""
    if path.is_file() and zipfile.is_zipfile(path):
        return False
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return False
    keys = {m[1] for m in _KEYS.finditer(head)}
    return (
        bool(keys & {b"post_stream", b"topic_list", b"latest_posts"})
        or {
            b"post_number",
            b"cooked",
            b"topic_id",
        }
        <= keys
    )


def read(path: Path, options: ReadOptions) -> Iterator[Record]:
    """The posts of one API answer, with their likes; topic lists become skips."""
    where = str(path)
    if path.is_dir():
        raise SourceFormatError(where, "top level", "expected a Discourse API JSON file, got a folder")
    data = path.read_bytes()
    if options.progress is not None:
        options.progress(len(data))
    root = decode(data, Root, where)
    posts = PostReader(where, options)
    if root.post_stream is not None:
        stream = root.post_stream
        yield from posts.records(
            stream.posts,
            "post_stream.posts",
            category_id=root.category_id,
            title=root.title,
            thread_key=thread_root(stream.posts, stream.stream, root.id),
        )
    elif root.latest_posts is not None:
        yield from posts.records(root.latest_posts, "latest_posts")
    elif root.post_number is not None and root.cooked is not None:
        yield from posts.records([decode(data, Post, where)], "")
    elif root.topic_list is not None:
        for i in range(len(root.topic_list.topics)):
            yield Skip("topic list entry (import the topic's /t/{id}.json for its posts)", f"topic_list.topics[{i}]")
    else:
        raise SourceFormatError(
            where, "top level", "expected a Discourse topic (post_stream), post, latest_posts or topic_list"
        )
