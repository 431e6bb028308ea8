"""Slack's message markup (mrkdwn) turned into the text a member saw, and the accounts it mentions.

Slack writes references between angle brackets and escapes only ``&``, ``<`` and ``>``:

- ``<@U123>`` / ``<@U123|ann>`` a member: becomes ``@Ann Lee`` and the id goes to the mentions;
- ``<#C123|general>`` a channel: ``#general``;
- ``<!here>``, ``<!channel>``, ``<!subteam^S1|@devs>``, ``<!date^…|fallback>``: the label or ``@here``;
- ``<https://x|label>`` a link: ``label (https://x)``, or just the address when the label is the address.

A literal ``<`` typed by a member arrives as ``&lt;``, so every real ``<`` opens a reference.
"""

from __future__ import annotations

import re

from shequn.sources._slack_directory import Directory

__all__ = ["decode_text", "unescape"]

_REFERENCE = re.compile(r"<([^<>]*)>")


def unescape(text: str) -> str:
    """Undo Slack's three escapes; ``&amp;`` last, so ``&amp;lt;`` stays the ``&lt;`` typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def decode_text(text: str, directory: Directory) -> tuple[str, list[str]]:
    """The readable text of ``text`` and the ids of the members it mentions, in order, once each."""
    if "<" not in text:
        return unescape(text), []
    mentions: list[str] = []
    pieces: list[str] = []
    last = 0
    for found in _REFERENCE.finditer(text):
        pieces.append(unescape(text[last : found.start()]))
        pieces.append(_reference(found[1], directory, mentions))
        last = found.end()
    pieces.append(unescape(text[last:]))
    return "".join(pieces), mentions


def _reference(body: str, directory: Directory, mentions: list[str]) -> str:
    target, _, label = body.partition("|")
    label = unescape(label)
    if target.startswith("@"):
        uid = directory.canonical(target[1:])
        if uid not in mentions:
            mentions.append(uid)
        return "@" + (label or directory.name_of(uid) or uid)
    if target.startswith("#"):
        cid = target[1:].upper()
        return "#" + (label or directory.channel_names.get(cid) or cid)
    if target.startswith("!"):
        return label or "@" + target[1:]
    url = unescape(target)
    if not label or url == label or url.endswith(":" + label) or url.endswith("//" + label):
        return label or url
    return f"{label} ({url})"
