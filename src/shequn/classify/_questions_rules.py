"""The question rules, per language: what marks a chat message as asking something.

Each rule is a name, a pattern over the prepared text (folded, links and mentions removed,
IRC address removed; see :mod:`._questions_features`) and a kind:

- ``strong`` — alone enough to call the message a question when nothing speaks against it
  (``?``, ``how do i``, ``anyone know``, ``吗`` at the end of a clause, ``请问``…);
- ``weak`` — a hint the model weighs with the rest (a question word somewhere, ``呢`` or
  ``吧`` at a clause end, which are questions as often as not);
- ``against`` — the message uses a question form without asking (``what a mess``, ``不管
  怎么样``, ``谁都可以``, ``难道``…), or reports someone else's question.

The rules-only decision (:func:`rules_say_question`) is "a strong rule and no rule against";
the trained model (:mod:`._questions_model`) weighs every rule together with the words, and
is what :func:`shequn.classify.questions.score_questions` reports. Rules' names appear in
each score's reasons, so they are part of the public output: rename with care.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["RULES", "Rule", "fired_rules", "rules_say_question"]

# Words that may come before the question proper: "so, how do i…", "hi all, where is…".
_LEAD_EN: Final = (
    r"^(?:(?:so|and|but|or|ok|okay|k|also|btw|hi|hey|hello|yo|well|then|anyway|um+|uh+|hm+|oh|ah|"
    r"guys|all|folks|everyone|everybody|sorry|question|quick question|another question|"
    r"actually|still|now|ubuntu|linux)\b[\s,.:!-]*)*"
)
_WH_EN: Final = (
    r"(?:what|what's|whats|wat|wut|why|how|how's|hows|when|where|where's|wheres|who|who's|whos|whom|whose|which)"
)
_AUX_EN: Final = (
    r"(?:does|did|is|are|was|were|can|could|would|will|should|shall|may|might|have|has|had|am|"
    r"isn't|aren't|wasn't|weren't|don't|doesn't|didn't|can't|cannot|couldn't|won't|wouldn't|shouldn't|"
    r"haven't|hasn't|isnt|arent|dont|doesnt|didnt|cant|wont|wouldnt|couldnt|shouldnt)"
)
_SUBJECT_EN: Final = (
    r"(?:i|you|u|ya|we|they|he|she|it|there|this|that|these|those|anyone|anybody|any|someone|somebody|"
    r"the|my|your|ur|his|her|our|their|a|an|one|ubuntu|linux|people|everyone|everybody|something|"
    r"anything)"
)
# "do it", "have a look" are orders, not questions: after do/have only a person may follow.
_PERSON_EN: Final = (
    r"(?:i|you|u|ya|we|they|he|she|anyone|anybody|any ?one|someone|somebody|people|everyone|y'all|ya'll)"
)
_CLAUSE_END_ZH: Final = r"(?=\s*(?:[?,.!;:~。、…]|$))"

#: (name, language, kind, pattern)
Rule = tuple[str, str, str, str]

RULES: Final[tuple[Rule, ...]] = (
    # -- English -------------------------------------------------------------------
    ("question_mark", "en", "strong", r"\?"),
    ("wh_start", "en", "strong", _LEAD_EN + _WH_EN + r"\b"),
    (
        "aux_start",
        "en",
        "strong",
        _LEAD_EN + r"(?:" + _AUX_EN + r"\s+" + _SUBJECT_EN + r"|(?:do|have|had)\s+" + _PERSON_EN + r")\b",
    ),
    (
        "anyone",
        "en",
        "strong",
        r"\b(?:any ?one|any ?body|some ?one|some ?body)\b(?:\s+\S+){0,3}?\s+(?:know|knows|have|has|got|use|used|"
        r"using|tried|seen|familiar|able|help|helps|here|else|experience|around|awake|online|recommend|"
        r"suggest|tell|explain|point|care|with)\b|^(?:any ?one|any ?body)\b",
    ),
    (
        "any_idea",
        "en",
        "strong",
        r"\bany (?:idea|ideas|clue|clues|suggestion|suggestions|thoughts|tips|advice|help|pointers|hints|"
        r"recommendations|luck|volunteers?|takers)\b",
    ),
    (
        "help_request",
        "en",
        "strong",
        r"\b(?:help me|need (?:some |a little |a bit of |)help|need a hand|help (?:please|pls|plz)|please help|"
        r"pls help|plz help|can i get (?:some )?help|could use (?:some )?help|i'?m looking for|looking for (?:a|an|"
        r"some)\b|i was wondering|i'?m wondering|wondering (?:if|whether|how|what|why|where)|i wonder (?:if|whether|"
        r"how|what|why|where)|(?:want|wanted|like|need) to know|tell me (?:how|what|where|why|which|if|whether)|"
        r"(?:can|could|would|will) (?:some|any) ?(?:one|body)|have a question|got a question)\b|^help\b",
    ),
    ("wh_word", "en", "weak", r"\b" + _WH_EN + r"\b"),
    ("how_about", "en", "weak", r"\b(?:how|what) about\b"),
    ("or_not", "en", "weak", r"\bor (?:not|what)\s*$"),
    ("bot_command", "en", "against", r"^!\w"),
    (
        "exclamation",
        "en",
        "against",
        r"^(?:what an? |how (?:nice|cool|sweet|great|awesome|lovely|sad|funny|cute|weird|odd)\b|who cares\b|"
        r"why not\s*!|guess what\b|you know what\b)",
    ),
    ("reported", "en", "against", r"\b(?:asked|asks) (?:me|him|her|them|us|if|whether|how|what|why|where|when)\b"),
    # -- Chinese -------------------------------------------------------------------
    ("question_mark", "zh", "strong", r"\?"),
    ("ma_end", "zh", "strong", r"吗" + _CLAUSE_END_ZH + r"|(?<![什怎这那多要])么" + _CLAUSE_END_ZH),
    (
        "a_not_a",
        "zh",
        "strong",
        r"是不是|能不能|可不可以|会不会|要不要|对不对|行不行|好不好|有没有|去不去|来不来|在不在|想不想|"
        r"需不需要|用不用|买不买|吃不吃|信不信|懂不懂|累不累|贵不贵|难不难|够不够|算不算|值不值|"
        r"愿不愿意|喜不喜欢|知不知道|认不认识|方不方便|合不合适|靠不靠谱|是否",
    ),
    (
        "wh_zh",
        "zh",
        "strong",
        r"怎么(?!也|都|说呢|可能|这么|那么|会这样|样都)|怎样|如何|为什么|为啥|为毛|咋|(?<![没不])什么(?!都|也)|"
        r"干啥|做啥|聊啥|吃啥|买啥|啥[时意情东事]|啥$|哪(?!怕|有|能|里哪里)|谁(?!都|也|知道呢|让|说不是|还没)|"
        r"(?<![没不])多少(?!都|也|有点|钱都)|多久|多大|多长|多远|多高|多重|多贵|"
        r"几[点号个天岁楼栋时月年次块顿位口种分]|周几|星期几|第几",
    ),
    (
        "request_zh",
        "zh",
        "strong",
        r"请问|求助|求推荐|求大神|求大佬|求一个|求个|求问|求解|跪求|在线等|有人知道|有没有人|谁知道|谁有|"
        r"哪位|有大佬|有大神|大佬[们]?帮|帮忙看|帮我看|帮我[改查找]|帮个忙|请教|想问一下|问一下|问下|麻烦问|"
        r"推荐一下|推荐个|有推荐|求$|求[一]?份",
    ),
    ("ne_end", "zh", "weak", r"呢" + _CLAUSE_END_ZH),
    ("ba_end", "zh", "weak", r"吧" + _CLAUSE_END_ZH),
    ("not_end", "zh", "weak", r"(?<![还也都并我就])(?:不|没|没有)" + _CLAUSE_END_ZH),
    ("either_or", "zh", "weak", r"还是"),
    ("wh_any_zh", "zh", "weak", r"什么|怎么|哪|谁|几|啥|咋"),
    (
        "indifferent",
        "zh",
        "against",
        r"不管|无论|不论|都行|都可以|都一样|都无所谓|随便|哪怕|怪不得|难怪|没什么|没啥|什么都|谁都|哪里都|"
        r"哪儿都|怎么都|怎么也|怎么说呢|多少有点|多少[吃喝]点|好几|过几天|几个朋友|谁知道呢|谁说不是",
    ),
    (
        "rhetorical",
        "zh",
        "against",
        r"难道|岂不是|何必|何苦|凭什么|这还用问|还用说|哪有|哪能|谁让|还能怎样|有什么办法|能怎么办|"
        r"不是废话|天知道|鬼知道|谁还没",
    ),
    ("reported_zh", "zh", "against", r"[他她]问|问我|问他|问她|问了|问过"),
)

#: Substrings without one of which a rule cannot match: checking them first (a fast scan in C)
#: skips most regex searches, which matters at millions of messages. ``None``: always search.
_NEEDLES: Final[dict[tuple[str, str], tuple[str, ...] | None]] = {
    ("question_mark", "en"): ("?",),
    ("wh_start", "en"): None,
    ("aux_start", "en"): None,
    ("anyone", "en"): ("one", "body"),
    ("any_idea", "en"): ("any ",),
    ("help_request", "en"): ("help", "hand", "look", "wonder", "know", "tell", "one", "body", "question"),
    ("wh_word", "en"): ("wh", "how", "wat", "wut"),
    ("how_about", "en"): (" about",),
    ("or_not", "en"): ("or ",),
    ("bot_command", "en"): ("!",),
    ("exclamation", "en"): ("wh", "how", "guess", "you know"),
    ("reported", "en"): ("ask",),
    ("question_mark", "zh"): ("?",),
    ("ma_end", "zh"): ("吗", "么"),
    ("a_not_a", "zh"): ("不", "没", "是否"),
    ("wh_zh", "zh"): tuple("怎如为咋什啥哪谁多几"),
    ("request_zh", "zh"): tuple("请求等有谁哪大帮教问推"),
    ("ne_end", "zh"): ("呢",),
    ("ba_end", "zh"): ("吧",),
    ("not_end", "zh"): ("不", "没"),
    ("either_or", "zh"): ("还是",),
    ("wh_any_zh", "zh"): tuple("什怎哪谁几啥咋"),
    ("indifferent", "zh"): tuple("不无都随哪怪难没什谁怎多好过几"),
    ("rhetorical", "zh"): tuple("难岂何凭这还哪谁有能不天鬼"),
    ("reported_zh", "zh"): ("问",),
}

_COMPILED: Final = {
    lang: tuple(
        (name, kind, re.compile(pattern), _NEEDLES[(name, lang)])
        for name, rule_lang, kind, pattern in RULES
        if rule_lang == lang
    )
    for lang in ("en", "zh")
}
# Chinese needles are mostly single characters: one set of the text's characters answers
# them all at once; the few longer ones are looked for in the text.
_ZH_CHECKS: Final = tuple(
    (
        name,
        kind,
        pattern,
        frozenset(n for n in needles or () if len(n) == 1),
        tuple(n for n in needles or () if len(n) > 1),
        needles is None,
    )
    for name, kind, pattern, needles in _COMPILED["zh"]
)


def fired_rules(lang: str, prepared: str) -> list[tuple[str, str]]:
    """``(name, kind)`` of every rule of ``lang`` that matches the prepared text, in rule order."""
    fired = []
    if lang == "zh":
        chars = set(prepared)
        for name, kind, pattern, singles, longer, always in _ZH_CHECKS:
            needed = always or not singles.isdisjoint(chars) or (longer and any(n in prepared for n in longer))
            if needed and pattern.search(prepared):
                fired.append((name, kind))
        return fired
    for name, kind, pattern, needles in _COMPILED[lang]:
        if needles is not None:
            for needle in needles:
                if needle in prepared:
                    break
            else:
                continue
        if pattern.search(prepared):
            fired.append((name, kind))
    return fired


def rules_say_question(fired: list[tuple[str, str]]) -> bool:
    """The rules-only decision: a strong rule fired and no rule against."""
    strong = against = False
    for _, kind in fired:
        if kind == "strong":
            strong = True
        elif kind == "against":
            against = True
    return strong and not against
