"""WhatsApp's system lines (joins, leaves, renames…) in English, German, Spanish and Chinese.

A system line has a header but no ``Name:``; its wording follows the exporting phone's
language (WhatsR ``Languages.csv`` lists what several locales say; the patterns here are
written for this project from those and from real exports). Each rule turns one wording
into a :class:`SystemFact`; rules run specific before general (a rename before "added"),
and the file's own language is tried first.

The exporter appears as "You" (English), "Du"/"dich" (German), "你"/"您" (Chinese) or only
in the verb (Spanish "Creaste"): every one of them becomes the name ``You``, so the
exporter is one stable name identity whatever the phone's language.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from shequn.sources._whatsapp_header import MARKS

__all__ = ["LANGUAGES", "QUOTES", "YOU", "SystemFact", "classify_system"]

#: The one name under which the exporting phone's owner appears in system lines.
YOU: Final = "You"
_YOU_WORDS: Final = frozenset({"you", "You", "Du", "du", "dich", "你", "您", "Tú", "tú", "te"})

#: Quotes around group titles, in every language's style.
QUOTES: Final = '"“”„‟«»「」『』'
_PHONE = r"\+[\d ()\-\u00a0\u202f]{5,}?\d"


class SystemFact(NamedTuple):
    """What one system line says happened."""

    kind: str  # join, leave, removal, rename, service, or banner (the encryption notice)
    subkind: str | None
    actor: str | None  # who did it (a name; "You" for the exporter)
    targets: tuple[str, ...]  # whose membership changed, or whom a service line is about
    attrs: dict | None
    language: str


class _Rule(NamedTuple):
    kind: str
    subkind: str | None
    pattern: re.Pattern[str]
    by_you: bool  # the wording itself says the exporter did it (Spanish verb forms, "You're now…")


def _r(kind: str, subkind: str | None, pattern: str, by_you: bool = False) -> _Rule:
    return _Rule(kind, subkind, re.compile(pattern), by_you)


_EN = (
    _r("banner", None, r"Messages and calls are end-to-end encrypted\b.*"),
    _r("banner", None, r"Messages (?:you send )?to this (?:group|chat).*end-to-end encryption.*"),
    _r("join", "created", r"(?P<a>.+?) created (?:the )?group (?P<title>.+)"),
    _r("join", "created", r"(?P<a>.+?) created this group"),
    _r("rename", None, r"(?P<a>.+?) changed the (?:group name|subject) from (?P<old>.+) to (?P<title>.+)"),
    _r("rename", None, r"(?P<a>.+?) changed the (?:group name|subject) to (?P<title>.+)"),
    _r(
        "service", "icon", r"(?P<a>.+?) (?:changed|deleted|removed) (?:this|the) group(?:'s|’s)? (?:icon|photo|picture)"
    ),
    _r("service", "description", r"(?P<a>.+?) (?:changed|deleted|removed) the group description"),
    _r("service", "settings", r"(?P<a>.+?) changed (?:this group's|the group(?:'s)?) settings\b.*"),
    _r("join", "link", r"(?P<a>.+?) joined using (?:this|a|the) (?:group|community)(?:'s|’s)? (?:invite )?link"),
    _r("join", "link", r"(?P<a>.+?) joined(?: (?:via|from|using) .+)?"),
    _r("join", "added", r"(?P<t>.+?) (?:was|were) added"),
    _r("join", "added", r"(?P<a>.+?) added (?P<t>.+)"),
    _r("removal", "admin", r"(?P<a>.+?) removed (?P<t>.+)"),
    _r("leave", None, r"(?P<a>.+?) left(?: the group)?"),
    _r("service", "number_change", rf"(?P<old>{_PHONE}) changed to (?P<new>{_PHONE})"),
    _r("service", "number_change", r"(?P<a>.+?) changed (?:their|his|her) phone number\b.*"),
    _r("service", "security_code", r"Your security code with (?P<w>.+?) changed\b.*"),
    _r("service", "security_code", r"(?P<w>.+?)(?:'s|’s) security code changed\b.*"),
    _r("service", "admin", r"You(?:'re| are) now an admin", by_you=True),
    _r("service", "admin", r"You(?:'re| are) no longer an admin", by_you=True),
    _r(
        "service",
        "disappearing",
        r"(?P<a>.+?) (?:turned (?:on|off) disappearing messages|updated the message timer)\b.*",
    ),
    _r("service", "call", r"(?P<a>.+?) started a (?:video )?call"),
    _r("service", "call", r"Missed (?:group )?(?:voice|video) call\b.*"),
    _r("service", "pin", r"(?P<a>.+?) pinned a message"),
)

_DE = (
    _r("banner", None, r"Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt\b.*"),
    _r("banner", None, r"Nachrichten, die du .*sendest, sind .*Ende-zu-Ende-Verschlüsselung.*"),
    _r("join", "created", r"(?P<a>.+?) has?t die Gruppe (?P<title>.+) erstellt"),
    _r("join", "created", r"(?P<a>.+?) has?t diese Gruppe erstellt"),
    _r("rename", None, r"(?P<a>.+?) has?t den (?:Gruppennamen|Betreff) von (?P<old>.+) zu (?P<title>.+) geändert"),
    _r("rename", None, r"(?P<a>.+?) has?t den (?:Gruppennamen|Betreff) zu (?P<title>.+) geändert"),
    _r("service", "icon", r"(?P<a>.+?) has?t das Gruppenbild (?:geändert|gelöscht|entfernt)"),
    _r("service", "description", r"(?P<a>.+?) has?t die Gruppenbeschreibung (?:geändert|gelöscht|entfernt)"),
    _r("service", "settings", r"(?P<a>.+?) has?t die Gruppeneinstellungen\b.*"),
    _r("join", "link", r"(?P<a>.+?) (?:ist|bist) .*Einladungslink.* beigetreten"),
    _r("join", "link", r"(?P<a>.+?) (?:ist|bist) (?:der Gruppe )?beigetreten"),
    _r("join", "added", r"(?P<t>.+?) (?:wurde|wurden) hinzugefügt"),
    _r("join", "added", r"(?P<a>.+?) has?t (?P<t>.+) hinzugefügt"),
    _r("removal", "admin", r"(?P<a>.+?) has?t (?P<t>.+) entfernt"),
    _r("leave", None, r"(?P<a>.+?) has?t die Gruppe verlassen"),
    _r("service", "number_change", rf"(?P<old>{_PHONE}) hat zu (?P<new>{_PHONE}) gewechselt"),
    _r("service", "number_change", r"(?P<a>.+?) hat eine neue Telefonnummer\b.*"),
    _r("service", "security_code", r"Dein Sicherheitscode für (?P<w>.+?) hat sich geändert\b.*"),
    _r("service", "admin", r"Du bist (?:jetzt|nun) (?:ein(?:\*e)? )?Admin", by_you=True),
    _r("service", "admin", r"Du bist kein(?:\*e)? Admin mehr", by_you=True),
    _r("service", "disappearing", r"(?P<a>.+?) has?t (?:selbstlöschende Nachrichten|die Nachrichtendauer)\b.*"),
    _r("service", "call", r"(?P<a>.+?) hat einen (?:Video)?[Aa]nruf gestartet"),
)

_ES = (
    _r("banner", None, r"Los mensajes y (?:las )?llamadas están cifrados de extremo a extremo\b.*"),
    _r("banner", None, r"Los mensajes (?:que envíes|enviados) a este (?:grupo|chat).*cifrado de extremo a extremo.*"),
    _r("join", "created", r"(?:Tú )?[Cc]reaste (?:el grupo (?P<title>.+)|este grupo)", by_you=True),
    _r("join", "created", r"(?P<a>.+?) creó (?:el grupo (?P<title>.+)|este grupo)"),
    _r(
        "rename",
        None,
        r"(?:Tú )?[Cc]ambiaste el (?:nombre del grupo|asunto) de (?P<old>.+) a (?P<title>.+)",
        by_you=True,
    ),
    _r("rename", None, r"(?P<a>.+?) cambió el (?:nombre del grupo|asunto) de (?P<old>.+) a (?P<title>.+)"),
    _r("rename", None, r"(?:Tú )?[Cc]ambiaste el (?:nombre del grupo|asunto) a (?P<title>.+)", by_you=True),
    _r("rename", None, r"(?P<a>.+?) cambió el (?:nombre del grupo|asunto) a (?P<title>.+)"),
    _r(
        "service",
        "icon",
        r"(?:Tú )?(?:[Cc]ambiaste|[Ee]liminaste) (?:el ícono|el icono|la imagen|la foto) (?:de este|del) grupo",
        by_you=True,
    ),
    _r(
        "service",
        "icon",
        r"(?P<a>.+?) (?:cambió|eliminó) (?:el ícono|el icono|la imagen|la foto) (?:de este|del) grupo",
    ),
    _r("service", "description", r"(?:Tú )?(?:[Cc]ambiaste|[Ee]liminaste) la descripción del grupo", by_you=True),
    _r("service", "description", r"(?P<a>.+?) (?:cambió|eliminó) la descripción del grupo"),
    _r("join", "link", r"(?:Tú )?[Tt]e uniste (?:usando|mediante|con|a través de) (?:el|un) enlace\b.*", by_you=True),
    _r("join", "link", r"(?P<a>.+?) se unió (?:usando|mediante|con|a través de) (?:el|un) enlace\b.*"),
    _r("join", "link", r"(?:Tú )?[Tt]e uniste(?: al grupo)?", by_you=True),
    _r("join", "link", r"(?P<a>.+?) se unió(?: al grupo)?"),
    _r("join", "added", r"(?P<t>.+?) (?:fue|fueron) (?:añadid|agregad)[oa]s?"),
    _r("join", "added", r"(?:Tú )?(?:[Aa]ñadiste|[Aa]gregaste) a (?P<t>.+)", by_you=True),
    _r("join", "added", r"(?P<a>.+?) (?P<t>te) (?:añadió|agregó)"),
    _r("join", "added", r"(?P<a>.+?) (?:añadió|agregó) a (?P<t>.+)"),
    _r("removal", "admin", r"(?:Tú )?[Ee]liminaste a (?P<t>.+)", by_you=True),
    _r("removal", "admin", r"(?P<a>.+?) (?P<t>te) eliminó"),
    _r("removal", "admin", r"(?P<a>.+?) eliminó a (?P<t>.+)"),
    _r("leave", None, r"(?:Tú )?[Ss]aliste(?: del grupo)?", by_you=True),
    _r("leave", None, r"(?P<a>.+?) (?:salió|abandonó)(?: del grupo| el grupo)?"),
    _r("service", "number_change", rf"(?P<old>{_PHONE}) cambió (?:su número )?a (?P<new>{_PHONE})"),
    _r("service", "number_change", r"(?P<a>.+?) cambió su número de teléfono\b.*"),
    _r("service", "security_code", r"Tu código de seguridad con (?P<w>.+?) cambió\b.*"),
    _r("service", "admin", r"Ahora eres (?:un )?admin(?:istrador)?", by_you=True),
    _r("service", "admin", r"Ya no eres (?:un )?admin(?:istrador)?", by_you=True),
)

_ZH = (
    _r("banner", None, r"(?:消息|信息).*端到端加密.*"),
    _r("join", "created", r"(?P<a>.+?)\s*(?:已)?(?:创建|建立)了?(?:群组|群組)\s*(?P<title>.+)"),
    _r("join", "created", r"(?P<a>.+?)\s*(?:已)?(?:创建|建立)了?此(?:群组|群組)"),
    _r(
        "rename",
        None,
        r"(?P<a>.+?)\s*(?:已)?[将把](?:群组名称|群组名|群名称|群组主题|主题)从\s*(?P<old>.+?)\s*(?:更改|修改|改|变更)为\s*(?P<title>.+)",
    ),
    _r(
        "rename",
        None,
        r"(?P<a>.+?)\s*(?:已)?[将把](?:群组名称|群组名|群名称|群组主题|主题)(?:更改|修改|改|变更)为\s*(?P<title>.+)",
    ),
    _r("rename", None, r"(?P<a>.+?)\s*(?:已)?(?:更改|修改)了?(?:群组名称|群组名|群名称)为\s*(?P<title>.+)"),
    _r(
        "service",
        "icon",
        r"(?P<a>.+?)\s*(?:已)?(?:更改|更换|修改|删除|移除)了?(?:此|该)?群组的?(?:头像|图标|图片|照片)",
    ),
    _r("service", "description", r"(?P<a>.+?)\s*(?:已)?(?:更改|修改|删除)了?(?:此|该)?群组的?(?:描述|简介|说明)"),
    _r("join", "link", r"(?P<a>.+?)\s*(?:已)?(?:通过|使用)(?:此|该)?群组的?邀请链接加入了?(?:此|该)?(?:群组)?"),
    _r("join", "link", r"(?P<a>.+?)\s*(?:已)?加入了?(?:此|该)?群组"),
    _r("join", "added", r"(?P<t>.+?)\s*(?:已)?被添加(?:到群组)?"),
    _r("join", "added", r"(?P<a>.+?)\s*(?:已)?添加了\s*(?P<t>.+)"),
    _r("removal", "admin", r"(?P<a>.+?)\s*(?:已)?(?:移除|删除|移出)了\s*(?P<t>.+)"),
    _r("leave", None, r"(?P<a>.+?)\s*(?:已)?(?:退出|离开)了?(?:此|该)?(?:群组|群聊|群)?"),
    _r("service", "number_change", rf"(?P<old>{_PHONE})\s*(?:已)?(?:更换|更改|改)[为成]\s*(?P<new>{_PHONE})"),
    _r(
        "service",
        "number_change",
        r"(?P<a>.+?)\s*(?:已)?(?:将电话号码|将手机号码)?(?:更换|更改)[为成了]?新(?:的)?(?:电话)?号码.*",
    ),
    _r("service", "security_code", r"你与\s*(?P<w>.+?)\s*的安全(?:代码|码)已(?:更改|变更|更新).*"),
    _r("service", "admin", r"你现在是(?:群组)?管理员", by_you=True),
    _r("service", "admin", r"你不再是(?:群组)?管理员", by_you=True),
)

_RULES: Final[dict[str, tuple[_Rule, ...]]] = {"en": _EN, "de": _DE, "es": _ES, "zh": _ZH}
_LIST_SPLIT: Final = {
    "en": re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+"),
    "de": re.compile(r"\s*,\s*|\s+und\s+"),
    "es": re.compile(r"\s*,\s*|\s+[ye]\s+"),
    "zh": re.compile(r"\s*[、，,]\s*|\s+和\s+"),
}
LANGUAGES: Final = tuple(_RULES)


def _name(raw: str) -> str:
    name = raw.strip().strip(MARKS).strip()
    return YOU if name in _YOU_WORDS else name


def _title(raw: str) -> str:
    return raw.strip().strip(MARKS).strip(QUOTES).strip()


def _fact(rule: _Rule, m: re.Match[str], language: str) -> SystemFact:
    groups = m.groupdict()
    actor = _name(groups["a"]) if groups.get("a") else (YOU if rule.by_you else None)
    attrs: dict | None = None
    targets: tuple[str, ...] = ()
    if groups.get("t"):
        targets = tuple(_name(t) for t in _LIST_SPLIT[language].split(groups["t"]) if t.strip())
    elif rule.kind in {"join", "leave"} and actor is not None:
        targets = (actor,)  # a self-join or a leave: the member is also who did it
    if groups.get("w"):
        targets = (_name(groups["w"]),)
    if groups.get("title") is not None:
        attrs = {"title": _title(groups["title"])}
        if groups.get("old") is not None:
            attrs["old_title"] = _title(groups["old"])
    elif groups.get("new"):
        attrs = {"old_number": groups["old"].strip(), "new_number": groups["new"].strip()}
        actor = _name(groups["old"])
    return SystemFact(rule.kind, rule.subkind, actor, targets, attrs, language)


def classify_system(text: str, first: str | None = None) -> SystemFact | None:
    """What a system line's text says, or None when no rule of any language knows it.

    ``first`` is the language to try before the others (the file's, once one line showed
    it). A final full stop is ignored: German and newer iOS wordings end with one.
    """
    line = text[:-1] if text.endswith(".") else text
    order = LANGUAGES if first is None else (first, *(lang for lang in LANGUAGES if lang != first))
    for language in order:
        for rule in _RULES[language]:
            m = rule.pattern.fullmatch(line)
            if m is not None:
                return _fact(rule, m, language)
    return None
