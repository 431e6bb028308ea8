"""Plain text (and @-mentions) out of HTML: Discourse's ``cooked`` posts, HTML-only mails.

Built on the standard library's :class:`html.parser.HTMLParser`, which tolerates the broken
markup real posts and mails contain and decodes entities. Blocks (paragraphs, list items,
quotes, line breaks) become line breaks; scripts, styles and image captions (Discourse's
``lightbox`` ``meta`` boxes with file name and size) are dropped. Discourse marks a
mention as ``<a class="mention" href="/u/name">@name</a>``: those names are collected.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["HtmlText", "html_to_text"]

_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
        "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre", "section",
        "table", "tr", "ul",
    }
)  # fmt: skip
_DROPPED = frozenset({"script", "style", "head", "title", "template"})
_DROPPED_CLASSES = frozenset({"meta", "quote-controls"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class HtmlText(HTMLParser):
    """Feed HTML, then read :attr:`text` and :attr:`mentions`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._dropping: list[str] = []  # open tags whose content is dropped
        self._mention: list[str] | None = None  # text of an open mention link
        self.mentions: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._dropping:
            if tag not in _VOID:
                self._dropping.append(tag)
            return
        classes = set((dict(attrs).get("class") or "").split())
        if tag in _DROPPED or classes & _DROPPED_CLASSES:
            if tag not in _VOID:
                self._dropping.append(tag)
            return
        if tag in _BLOCKS:
            self._parts.append("\n")
        if tag == "a" and "mention" in classes:
            self._mention = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._dropping and tag in _BLOCKS:
            self._parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._dropping:
            if tag in self._dropping:  # close up to the matching tag, forgiving unclosed inner tags
                while self._dropping and self._dropping.pop() != tag:
                    pass
            return
        if tag in _BLOCKS:
            self._parts.append("\n")
        if tag == "a" and self._mention is not None:
            name = "".join(self._mention).strip().lstrip("@")
            if name and name not in self.mentions:
                self.mentions.append(name)
            self._mention = None

    def handle_data(self, data: str) -> None:
        if self._dropping:
            return
        self._parts.append(data)
        if self._mention is not None:
            self._mention.append(data)

    @property
    def text(self) -> str:
        lines = (_SPACES.sub(" ", line).strip() for line in "".join(self._parts).split("\n"))
        return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> tuple[str, list[str]]:
    """The text of an HTML fragment or document, and the names it @-mentions (Discourse markup)."""
    parser = HtmlText()
    parser.feed(html)
    parser.close()
    return parser.text, parser.mentions
