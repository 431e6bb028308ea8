"""The XML that WeChat keeps inside message content: app messages and system messages.

Type 49 ("app") messages carry ``<msg><appmsg>…</appmsg></msg>``; a quoted reply (SubType
57) has ``<refermsg>`` with the quoted message's server id, author wxid, display name and
text. Type 10002 messages carry ``<sysmsg type="…">``: ``revokemsg`` (a recall), ``pat``,
and ``sysmsgtemplate`` (invitations and removals whose template names members *with their
wxids*). The XML is parsed with the standard library; content that is not well-formed XML
yields ``None`` and the caller keeps the row as an ordinary message.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

__all__ = ["AppMsg", "Quote", "SysMsg", "parse_appmsg", "parse_sysmsg"]


@dataclass(frozen=True, slots=True)
class Quote:
    """The message a quoted reply quotes, as ``<refermsg>`` describes it."""

    svrid: str | None
    author_id: str | None
    author_name: str | None
    text: str | None
    msg_type: str | None

    def attrs(self) -> dict[str, str]:
        """The quote as kept in ``attrs.quote``: the fields the XML had."""
        fields = (("author_id", self.author_id), ("author_name", self.author_name), ("text", self.text))
        return {k: v for k, v in (*fields, ("svrid", self.svrid)) if v}


@dataclass(frozen=True, slots=True)
class AppMsg:
    title: str | None
    app_type: str | None
    quote: Quote | None


@dataclass(frozen=True, slots=True)
class SysMsg:
    """A type-10002 system message: its type, readable text, and the members it names."""

    sys_type: str
    text: str
    members: dict[str, str] = field(default_factory=dict)  # display name -> wxid
    actor_id: str | None = None  # pat: who patted
    target_id: str | None = None  # pat: who was patted
    recalled_svrid: str | None = None


def _root(content: str) -> ET.Element | None:
    """The XML element in a content string, skipping any "wxid:" prefix before it."""
    start = content.find("<")
    if start < 0:
        return None
    try:
        return ET.fromstring(content[start:].strip())
    except ET.ParseError:
        return None


def _text(node: ET.Element | None, path: str) -> str | None:
    found = node.find(path) if node is not None else None
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def parse_appmsg(content: str) -> AppMsg | None:
    """Title, app type and quoted message of a type-49 content string."""
    root = _root(content)
    if root is None:
        return None
    appmsg = root if root.tag == "appmsg" else root.find("appmsg")
    if appmsg is None:
        return None
    refer = appmsg.find("refermsg")
    quote = None
    if refer is not None:
        quote = Quote(
            svrid=_text(refer, "svrid"),
            author_id=_text(refer, "chatusr") or _text(refer, "fromusr"),
            author_name=_text(refer, "displayname"),
            text=_text(refer, "content"),
            msg_type=_text(refer, "type"),
        )
    return AppMsg(title=_text(appmsg, "title"), app_type=_text(appmsg, "type"), quote=quote)


_PLACEHOLDER = re.compile(r"\$([A-Za-z0-9_]+)\$")
_PAT_NAME = re.compile(r"\$\{([^}]+)\}")


def _template(root: ET.Element) -> tuple[str, dict[str, str]]:
    """A sysmsgtemplate rendered as text, and the display name -> wxid of the members in it."""
    tmpl = root.find("sysmsgtemplate/content_template")
    if tmpl is None:
        return "", {}
    template = _text(tmpl, "template") or ""
    rendered: dict[str, str] = {}
    members: dict[str, str] = {}
    for link in tmpl.findall("link_list/link"):
        names = []
        for member in link.findall("memberlist/member"):
            nickname, username = _text(member, "nickname"), _text(member, "username")
            if nickname:
                names.append(nickname)
                if username:
                    members[nickname] = username
        separator = _text(link, "separator") or "、"
        rendered[link.get("name", "")] = separator.join(names) if names else (_text(link, "title") or "")
    return _PLACEHOLDER.sub(lambda m: rendered.get(m.group(1), m.group(0)), template), members


def parse_sysmsg(content: str) -> SysMsg | None:
    """A type-10002 content string as a :class:`SysMsg`, or None if it is not a sysmsg."""
    root = _root(content)
    if root is None or root.tag != "sysmsg":
        return None
    sys_type = root.get("type", "")
    if sys_type == "revokemsg":
        return SysMsg(
            sys_type,
            _text(root, "revokemsg/replacemsg") or "",
            recalled_svrid=_text(root, "revokemsg/newmsgid"),
        )
    if sys_type == "pat":
        actor, target = _text(root, "pat/fromusername"), _text(root, "pat/pattedusername")
        template = _text(root, "pat/template") or ""
        return SysMsg(sys_type, _PAT_NAME.sub(r"\1", template), actor_id=actor, target_id=target)
    if sys_type == "sysmsgtemplate":
        text, members = _template(root)
        return SysMsg(sys_type, text, members)
    return SysMsg(sys_type, "".join(root.itertext()).strip())
