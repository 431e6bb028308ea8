"""What a WhatsApp message's text stands for: plain text, a media placeholder, a poll, a
deleted or edited message — in English, German, Spanish and Chinese.

Exports without media replace each file by a placeholder (``<Media omitted>``,
``image omitted``); exports with media name the file (``IMG-….jpg (file attached)``,
``<attached: 0003-PHOTO-….jpg>``). Both become subkind ``media`` (``sticker`` for
stickers) with the kind of media in attrs, so media counts do not depend on how the
export was made. Almost every message is plain text, so the common case is decided by a
few C-level string tests before any pattern runs.
"""

from __future__ import annotations

import re
from typing import Final

from shequn.sources._whatsapp_header import MARKS

__all__ = ["classify_body"]

_EDITED: Final = frozenset(
    {
        "<This message was edited>",
        "<Diese Nachricht wurde bearbeitet.>",
        "<Diese Nachricht wurde bearbeitet>",
        "<Se editó este mensaje.>",
        "<Se editó este mensaje>",
        "<已编辑此消息>",
        "<此消息已编辑>",
        "<消息已编辑>",
    }
)
_DELETED: Final = frozenset(
    {
        "This message was deleted",
        "This message was deleted.",
        "You deleted this message",
        "You deleted this message.",
        "Diese Nachricht wurde gelöscht",
        "Diese Nachricht wurde gelöscht.",
        "Du hast diese Nachricht gelöscht",
        "Du hast diese Nachricht gelöscht.",
        "Se eliminó este mensaje",
        "Se eliminó este mensaje.",
        "Eliminaste este mensaje",
        "Eliminaste este mensaje.",
        "Este mensaje fue eliminado",
        "此消息已删除",
        "此消息已被删除",
        "你删除了此消息",
        "您删除了此消息",
    }
)
_DELETED_PREFIXES: Final = (
    "This message was deleted by ",
    "Diese Nachricht wurde von ",
    "Este mensaje fue eliminado por ",
)
#: Placeholders of exports without media (Android angle brackets; ``null`` is a view-once photo).
_PLACEHOLDERS: Final = {
    "<Media omitted>": "unknown",
    "<Video message omitted>": "video_note",
    "<Video note omitted>": "video_note",
    "<View once voice message omitted>": "voice",
    "<Medien ausgeschlossen>": "unknown",
    "<Medien weggelassen>": "unknown",
    "<Videonachricht weggelassen>": "video_note",
    "<Multimedia omitido>": "unknown",
    "<Archivo omitido>": "unknown",
    "<省略影音内容>": "unknown",
    "<媒体文件已省略>": "unknown",
    "<已省略媒体>": "unknown",
    "null": "view_once",
}
_LIVE_LOCATION: Final = frozenset(
    {
        "live location shared",
        "Live location shared",
        "Live-Standort wird geteilt.",
        "Live-Standort wird geteilt",
        "ubicación en tiempo real compartida",
        "Ubicación en tiempo real compartida",
        "实时位置已共享",
        "已共享实时位置",
    }
)
#: iOS placeholders: ``{what} omitted``; ``what`` -> kind of media.
_OMITTED_WHAT: Final = {
    "image": "image",
    "video": "video",
    "audio": "audio",
    "sticker": "sticker",
    "GIF": "gif",
    "video note": "video_note",
    "video message": "video_note",
    "Contact card": "contact",
    "contact card": "contact",
    "document": "document",
    "Bild": "image",
    "Video": "video",
    "Audio": "audio",
    "Sticker": "sticker",
    "Videonachricht": "video_note",
    "Videonotiz": "video_note",
    "Kontaktkarte": "contact",
    "Dokument": "document",
    "imagen": "image",
    "nota de video": "video_note",
    "tarjeta de contacto": "contact",
    "documento": "document",
    "图片": "image",
    "图像": "image",
    "照片": "image",
    "视频": "video",
    "音频": "audio",
    "语音": "audio",
    "贴图": "sticker",
    "贴纸": "sticker",
    "联系人名片": "contact",
    "名片": "contact",
    "文档": "document",
}
_OMITTED: Final = re.compile(r"(?P<what>.+?)\s?(?:omitted|weggelassen|ausgelassen|omitid[oa]|已忽略|已省略)")
_DOCUMENT: Final = re.compile(r"(?P<file>.+?)(?: • .+)? (?:document|Dokument|documento)|(?P<cjk>.+?)\s?文档")
_ATTACHED: Final = re.compile(r"<(?:attached|Anhang|adjunto|附件)[:：]\s*(?P<file>.+)>")
_FILE_ATTACHED: Final = re.compile(
    r"(?P<file>.+?) \((?:file attached|Datei angehängt|archivo adjunto|文件附件|已附加文件)\)"
)
_LOCATION_URL: Final = re.compile(r"[?&]q=(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)")
_POLL_OPTION: Final = re.compile(
    r"(?:OPTION|OPCIÓN|OPCION|选项)[:：]\s*(?P<text>.*?)\s*[(（](?P<votes>\d+)[^)）]*[)）]\s*"
)

_POLL_PREFIXES: Final = ("POLL:", "UMFRAGE:", "ENCUESTA:", "投票：", "投票:")
_LOCATION_PREFIXES: Final = ("location: ", "Location: ", "Standort: ", "ubicación: ", "Ubicación: ", "位置：", "位置: ")
_ATTACHED_PREFIXES: Final = ("<attached: ", "<Anhang: ", "<adjunto: ", "<附件：", "<附件: ")
_PREFIXES: Final = _POLL_PREFIXES + _LOCATION_PREFIXES + _ATTACHED_PREFIXES
_SUFFIXES: Final = (
    " omitted",
    " weggelassen",
    " ausgelassen",
    " omitido",
    " omitida",
    "已忽略",
    "已省略",
    "(file attached)",
    "(Datei angehängt)",
    "(archivo adjunto)",
    "(文件附件)",
    "(已附加文件)",
    ">",
)
_EXACT: Final = _DELETED | _LIVE_LOCATION | frozenset(_PLACEHOLDERS)
_NO_MARKS: Final = str.maketrans("", "", MARKS)  # iOS puts marks inside placeholders too

Classified = tuple[str, str | None, dict | None]  # subkind, text, attrs


def _file_kind(name: str) -> str:
    """The kind of media a WhatsApp file name stands for (``IMG-…``, ``00000012-PHOTO-…``)."""
    upper = name.upper()
    ext = upper.rsplit(".", 1)[-1] if "." in upper else ""
    if "STICKER" in upper or upper.startswith("STK-") or ext == "WEBP":
        return "sticker"
    if upper.startswith("PTT-") or ext == "OPUS":
        return "voice"
    if "GIF" in upper:
        return "gif"
    if "PHOTO" in upper or upper.startswith("IMG-") or ext in {"JPG", "JPEG", "PNG", "HEIC"}:
        return "image"
    if "VID" in upper or ext in {"MP4", "3GP", "MOV"}:
        return "video"
    if "AUD" in upper or ext in {"MP3", "M4A", "AAC", "OGG", "WAV", "AMR"}:
        return "audio"
    if ext == "VCF":
        return "contact"
    return "document"


def _media(kind: str, caption: str | None, attrs: dict | None, **more: object) -> Classified:
    found = {"media": kind, **more}
    if attrs:
        found.update(attrs)
    return ("sticker" if kind == "sticker" else "media"), caption or None, found


def _poll(body: str, attrs: dict | None) -> Classified:
    head, *lines = body.split("\n")
    question = head.split(":", 1)[1].strip() if ":" in head else head.split("：", 1)[-1].strip()
    options = []
    for line in lines:
        m = _POLL_OPTION.fullmatch(line)
        if m is not None:
            options.append({"text": m["text"], "votes": int(m["votes"])})
        elif not question:
            question = line.strip()
    found = {"question": question, "options": options, **(attrs or {})}
    return "poll", question or None, found


def _omitted(first: str, caption: str | None, attrs: dict | None) -> Classified | None:
    m = _OMITTED.fullmatch(first)
    if m is None:
        return None
    what = m["what"].translate(_NO_MARKS).strip()
    kind = _OMITTED_WHAT.get(what)
    if kind is not None:
        return _media(kind, caption, attrs, omitted=True)
    doc = _DOCUMENT.fullmatch(what)
    if doc is not None:
        return _media("document", caption, attrs, omitted=True, file=(doc["file"] or doc["cjk"]).strip())
    return None


def _special(body: str, first: str, caption: str | None, attrs: dict | None) -> Classified | None:
    """Media, polls, locations and deleted messages; None for text that only looked like one."""
    if body in _DELETED or body.startswith(_DELETED_PREFIXES):
        return "other", None, {"deleted": True, **(attrs or {})}
    if first in _PLACEHOLDERS:
        return _media(_PLACEHOLDERS[first], caption, attrs, omitted=True)
    if body in _LIVE_LOCATION:
        return _media("live_location", None, attrs)
    if first.startswith(_POLL_PREFIXES):
        return _poll(body, attrs)
    if first.startswith(_LOCATION_PREFIXES):
        where = _LOCATION_URL.search(first)
        more = {"lat": float(where[1]), "lon": float(where[2])} if where else {}
        return _media("location", body, attrs, **more)
    m = _ATTACHED.fullmatch(first) or _FILE_ATTACHED.fullmatch(first)
    if m is not None:
        name = m["file"].translate(_NO_MARKS).strip()
        return _media(_file_kind(name), caption, attrs, file=name)
    return _omitted(first, caption, attrs)


def classify_body(body: str) -> Classified:
    """Subkind, the text to keep and attrs for a message's body (marks already trimmed)."""
    attrs: dict | None = None
    if body.endswith(">"):
        cut = body.rfind("<")
        if body[cut:] in _EDITED:
            body = body[:cut].rstrip(MARKS + " ")
            attrs = {"edited": True}
    if not body:
        return "other", None, {"empty": True, **(attrs or {})}
    nl = body.find("\n")
    first = body if nl < 0 else body[:nl]
    if first.endswith(_SUFFIXES) or first.startswith(_PREFIXES) or body in _EXACT or body.startswith(_DELETED_PREFIXES):
        caption = None if nl < 0 else body[nl + 1 :].strip() or None
        found = _special(body, first.strip(MARKS), caption, attrs)
        if found is not None:
            return found
    return "text", body, attrs
