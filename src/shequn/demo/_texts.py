"""What the demo's members write: pools of Chinese and English texts per group purpose.

Pools are filled once from templates (so a message costs an index, not a string build) and
keep the storyline honest: chatter, answers and greetings contain nothing a question
detector should catch (no ?/？, 吗, 怎么, how, anyone…), every question contains a marker,
and only ads carry contact handles (加V, vx, QQ, phone numbers, short links).
"""

from __future__ import annotations

import random
import string
from typing import Final

__all__ = ["AD_TEMPLATES", "QUESTION_MARKERS", "Texts"]

#: Libraries by kind: a message comparing two names them from the same kind.
_LIB_KINDS: Final = (
    ("pandas", "polars", "DuckDB", "numpy", "ClickHouse", "PostgreSQL"),
    ("FastAPI", "Django", "Flask", "SQLAlchemy", "Pydantic"),
    ("uv", "ruff", "mypy", "pytest", "GitHub Actions"),
    ("Docker", "k8s", "Redis", "Kafka", "Airflow", "Celery"),
    ("asyncio", "tokio", "Rust", "PyTorch", "Jupyter"),
)  # fmt: skip
_VERSIONS: Final = ("3.12", "3.13", "2.0", "1.5", "0.4", "2.2", "1.0")
_THINGS_ZH: Final = ("连接池", "日志", "类型检查", "缓存", "并发", "热重载", "分区", "索引", "重试", "超时")
_THINGS_EN: Final = ("connection pooling", "logging", "type checking", "caching", "concurrency", "hot reload",
                     "partitioning", "indexes", "retries", "timeouts")  # fmt: skip
_TASKS_ZH: Final = ("数据清洗", "写爬虫", "做报表", "部署服务", "写单元测试", "做性能分析", "搭监控", "迁移数据库")
_TASKS_EN: Final = ("data cleaning", "scraping", "reporting", "deploying a service", "unit testing",
                    "profiling", "monitoring", "a database migration")  # fmt: skip
_ERRORS: Final = ("ImportError", "TimeoutError", "OOM", "segfault", "deadlock", "KeyError", "SSL error", "429")
_TOPICS: Final = (
    ("free-threading 的 Python", "free-threaded Python"),
    ("数据库选型", "choosing a database"),
    ("代码评审习惯", "code review habits"),
    ("测试策略", "testing strategy"),
    ("LLM 应用落地", "shipping LLM features"),
    ("远程办公工具链", "remote work tooling"),
    ("可观测性", "observability"),
    ("技术债", "tech debt"),
)  # fmt: skip
_POINTS_ZH: Final = ("先写测试再重构", "每个 PR 控制在 400 行以内", "用 feature flag 灰度上线", "监控先行",
                     "文档和代码放一起", "每周留半天还技术债", "指标要能追溯到原始数据", "别过早优化")  # fmt: skip
_POINTS_EN: Final = ("tests before refactors", "PRs under 400 lines", "feature flags for rollouts",
                     "monitoring first", "docs next to the code", "half a day a week for tech debt",
                     "metrics traceable to raw data", "no premature optimisation")  # fmt: skip
_BOOKS: Final = (
    "《三体》", "《活着》", "《百年孤独》", "《人类简史》", "《原则》", "《被讨厌的勇气》", "《围城》",
    "《平凡的世界》", "《红楼梦》", "《置身事内》", "《长安的荔枝》", "《额尔古纳河右岸》", "《我与地坛》",
    "《明朝那些事儿》", "《撒哈拉的故事》", "《月亮与六便士》",
)  # fmt: skip
_BOOK_QUOTES: Final = (
    ("《活着》", "人是为活着本身而活着"),
    ("《三体》", "弱小和无知不是生存的障碍，傲慢才是"),
    ("《百年孤独》", "生活不是我们活过的日子，而是我们记住的日子"),
    ("《月亮与六便士》", "满地都是六便士，他却抬头看见了月亮"),
    ("《我与地坛》", "死是一件不必急于求成的事"),
    ("《被讨厌的勇气》", "所谓的自由就是被别人讨厌"),
    ("《围城》", "城外的人想冲进去，城里的人想逃出来"),
    ("《平凡的世界》", "生活不能等待别人来安排"),
)  # fmt: skip
_FEELINGS: Final = ("后劲很大，推荐", "比想象中好读", "前半本慢热，后面停不下来", "适合慢慢读", "想再读一遍",
                    "很多地方想划线", "读完心里很平静")  # fmt: skip
_COMPANIES: Final = ("字节跳动", "腾讯", "阿里云", "美团", "Shopee", "Grab", "蚂蚁集团", "小红书", "大疆", "PingCAP")
_ROLES_ZH: Final = ("后端工程师", "数据工程师", "前端工程师", "SRE", "算法工程师", "测试开发", "产品经理")
_ROLES_EN: Final = ("backend engineer", "data engineer", "frontend engineer", "SRE", "ML engineer",
                    "QA engineer", "product manager")  # fmt: skip
_CITIES: Final = ("北京", "上海", "深圳", "杭州", "新加坡", "成都")
_CITIES_EN: Final = ("Beijing", "Shanghai", "Shenzhen", "Hangzhou", "Singapore", "Chengdu")
_VENUES: Final = ("the Hub on Nanshan Rd", "Coworking Loft B2", "the library annex", "Cafe Mokka", "Block 71")
_SPEAKERS: Final = ("Priya", "Kenji", "Marco", "Elena", "Raj", "Sofia")

#: Words and signs a question detector looks for; no non-question pool may contain them.
QUESTION_MARKERS: Final = (
    "?", "？", "吗", "呢", "怎么", "如何", "为什么", "有没有", "请问", "什么", "哪", "谁", "多少", "是否", "能否",
    "how", "what", "why", "anyone", "anybody", "does", "which", "who", "where", "when", "is there", "can ",
    "could", "should",
)  # fmt: skip

_CHAT: Final[dict[tuple[str, str], tuple[str, ...]]] = {
    ("topic", "zh"): (
        "今天把{lib}升级到{ver}了，速度快了不少",
        "{lib}的文档写得真好",
        "刚用{lib}重构了一个老项目，舒服",
        "分享一篇讲{lib}的文章，写得很清楚 {link}",
        "{lib}这个坑我也踩过，记得看 release notes",
        "同意楼上，{lib}确实更适合这种场景",
        "我们组也在用{lib}",
        "{lib}和{lib2}搭配起来很顺手",
        "上线了，没出问题🎉",
        "今天面试被问到{lib}的{thing}",
        "推荐大家读读{lib}的源码",
        "学到了",
        "刚跑完 benchmark，{lib}比{lib2}快一倍",
        "收藏了",
        "哈哈哈哈",
        "+1",
        "确实",
        "有道理",
        "mark 一下",
        "早上好各位",
        "又是加班的一天",
        "周五了，提前祝大家周末愉快",
        "这个思路不错",
        "{lib}的{thing}终于修好了",
        "换成{lib}之后内存省了一半",
        "我一般用{lib}做{task}",
        "昨天踩了{err}的坑，排查了一下午",
    ),
    ("topic", "en"): (
        "Just upgraded {lib} to {ver}, noticeably faster",
        "The {lib} docs are really good",
        "Rewrote an old service with {lib} today, feels great",
        "Good write-up on {lib}: {link}",
        "Been bitten by that {lib} issue too, read the release notes",
        "Agree, {lib} fits this use case better",
        "We use {lib} at work too",
        "{lib} plus {lib2} works really well together",
        "Shipped it 🎉",
        "TIL",
        "Ran the benchmark, {lib} is 2x faster than {lib2}",
        "thanks for sharing",
        "lol",
        "+1",
        "nice",
        "good morning all",
        "Friday already, have a good weekend",
        "The {thing} bug in {lib} is finally fixed",
        "Switching to {lib} halved our memory use",
        "I usually reach for {lib} for {task_en}",
        "Lost an afternoon to a {err} yesterday",
    ),
    ("reading", "zh"): (
        "最近在读{book}，第{n}章写得太好了",
        "{qbook}里那句话印象很深：{quote}",
        "今天读了{m}页",
        "推荐{book}，适合周末读",
        "读完{book}了，后劲好大",
        "早安☀️",
        "晚安🌙",
        "同感",
        "这本我也读过",
        "摘抄一段：{quote}",
        "今天通勤路上读完一章",
        "图书馆借到{book}了",
        "电子书打折，入了{book}",
        "周末去书店逛了逛",
        "{book}的结尾让我想了很久",
        "哈哈哈",
        "谢谢推荐，已加入书单",
        "这周有点忙，只读了几页",
        "被{book}圈粉了",
    ),
    ("recruitment", "zh"): (
        "{company}今年的 HC 好像多了",
        "刚拿到{company}的 offer🎉",
        "面了{company}，流程挺快",
        "谢谢内推，已投递",
        "{city}的机会最近不少",
        "分享一下面经：{company}{role}三轮技术面",
        "祝大家都拿到满意的 offer",
        "+1",
        "已私信",
        "感谢分享",
        "{company}的面试官人很好",
    ),
    ("recruitment", "en"): (
        "Got an offer from {company} 🎉",
        "Thanks for the referral, applied",
        "Interviewed at {company}, quick process",
        "Lots of openings in {city_en} lately",
        "Sharing my {company} {role_en} interview notes, three technical rounds",
        "Good luck everyone",
        "+1",
        "Thanks for sharing",
        "The {company} interviewers were great",
    ),
    ("events", "en"): (
        "See you all at {venue} on Saturday",
        "Great talk tonight, thanks {speaker}",
        "Slides from today: {link}",
        "I'll bring the projector",
        "Count me in",
        "Running 10 min late",
        "Thanks for organising 🙏",
        "Photos from last night are in the album",
        "Loved the lightning talks",
        "Pizza was great",
        "+1",
        "Happy to help with check-in next time",
        "Good morning all",
    ),
}
_QUESTIONS: Final[dict[tuple[str, str], tuple[str, ...]]] = {
    ("topic", "zh"): (
        "请问{lib}怎么配置{thing}？",
        "有没有人用过{lib}做{task}？",
        "{lib}和{lib2}哪个更适合{task}？",
        "{lib}报错 {err} 是什么原因？",
        "大家{task}一般用什么工具？",
        "{lib}升级到{ver}之后{thing}还能用吗",
        "新手求问，{task}应该从哪里开始学？",
        "{lib}的{thing}有推荐的写法吗？",
    ),
    ("topic", "en"): (
        "How do I configure {thing_en} in {lib}?",
        "Anyone used {lib} for {task_en}?",
        "Does {lib} support {thing_en}?",
        "{lib} or {lib2} for {task_en}?",
        "What causes a {err} in {lib}?",
        "Is there a good guide for {task_en}?",
    ),
    ("reading", "zh"): (
        "有没有人读过{book}？",
        "{book}值得读吗",
        "请问{book}哪个译本好？",
        "大家一般怎么做读书笔记？",
        "{book}读不下去怎么办？",
        "有什么适合通勤读的书吗",
    ),
    ("recruitment", "zh"): (
        "请问{company}的{role}岗位还招吗",
        "有没有{city}的{role}机会？",
        "{company}面试一般几轮？",
        "请问内推一般多久有回复？",
    ),
    ("recruitment", "en"): (
        "Anyone hiring a {role_en} in {city_en}?",
        "Does {company} sponsor visas?",
        "How many rounds is the {company} interview?",
        "Is the {role_en} role at {company} still open?",
    ),
    ("events", "en"): (
        "Is there parking at {venue}?",
        "What time does it start on Saturday?",
        "Anyone want to share a taxi from Futian?",
        "Will the talk be recorded?",
        "Does the venue have wifi?",
        "Is {speaker} giving a talk at {venue} this month?",
        "Anyone going to {venue} straight from work?",
        "Who is speaking at {venue} next week?",
    ),
}
_ANSWERS: Final[dict[tuple[str, str], tuple[str, ...]]] = {
    ("topic", "zh"): (
        "可以试试{lib}的{thing}",
        "看官方文档{thing}那一节就行",
        "我之前也遇到过，升级到{ver}就好了",
        "用{lib2}吧，我们线上跑了一年很稳",
        "{err}一般是版本不兼容，降到{ver}试试",
        "把{thing}关掉就可以了",
        "我写过一篇总结，回头发群里",
        "先看日志，八成是{thing}的问题",
    ),
    ("topic", "en"): (
        "Try the {thing_en} option in {lib}",
        "Check the {thing_en} section of the docs",
        "Had the same issue, upgrading to {ver} fixed it",
        "Use {lib2}, it has been stable for us",
        "That {err} usually means a version mismatch",
        "Turn off {thing_en} and it works",
    ),
    ("reading", "zh"): (
        "读过，强烈推荐",
        "值得，前面慢热后面很精彩",
        "我用 flomo 记笔记，很方便",
        "推荐上海译文的版本",
        "先跳着读，读到喜欢的章节再回头",
        "我在地铁上读短篇集，刚好",
        "我也卡过，换成有声书就听完了",
    ),
    ("recruitment", "zh"): (
        "还在招，简历发我邮箱",
        "我们组在招，私信我内推",
        "一般三轮技术面加一轮 HR",
        "一周左右会有回复",
    ),
    ("recruitment", "en"): (
        "Yes, send me your CV",
        "They do, a friend got one last year",
        "Usually four rounds including HR",
        "Still open, happy to refer you",
    ),
    ("events", "en"): (
        "Yes, basement level B2",
        "Doors open at 7pm, talks start 7:30",
        "Happy to share, leaving at 6:30",
        "Yes, recordings go up the week after",
        "Yes, the password is on the door",
    ),
}
_GREETINGS: Final = {
    "zh": ("大家好，我是{given}，做{job}的，请多关照", "新人报到🙋", "大家好～", "感谢拉我进群", "hello 各位，刚进群"),
    "en": ("Hi all, {given} here, working on {job_en}", "Hello everyone 👋", "Thanks for the add", "Hi from {city_en}"),
}
_JOBS_ZH: Final = ("后端", "数据分析", "运维", "前端", "产品", "测试", "算法")
_JOBS_EN: Final = ("backend services", "data pipelines", "infrastructure", "web apps", "ML models")
_JOB_POSTS: Final = {
    "zh": (
        "【内推】{company} · {role}\nbase：{city}\n要求：{years}年以上经验\n简历发邮箱 hr{n}@example.com",
        "{company}{role}招聘\n地点：{city}\n经验：{years}年+\n感兴趣的发简历到 jobs{n}@example.com",
    ),
    "en": (
        "[Hiring] {company} is looking for a {role_en} ({city_en}, {years}+ yrs)\n"
        "Referral available, CV to jobs{n}@example.com",
        "{company} {role_en} opening in {city_en}\n{years}+ years experience\nSend CV to hr{n}@example.com",
    ),
}
_RITUAL: Final = (
    "打卡📖\n本月读完：{book}\n一句话感想：{feeling}",
    "打卡\n在读{book}，进度{pct}%\n{feeling}",
    "📚 打卡\n{qbook}\n摘抄：{quote}",
)

#: Ads: the same few texts posted in several groups with small changes. ``{wx}``, ``{qq}``,
#: ``{phone}`` and ``{link}`` are the poster's own handles.
AD_TEMPLATES: Final = (
    ("zh", "兼职招聘：在家手机操作，日赚300-800，宝妈学生都可以，加V：{wx} 详聊"),
    ("zh", "刷单兼职 日结 日赚500+ 薇信 {wx}，名额有限"),
    ("zh", "出售各类课程资料 vx: {wx} QQ: {qq}"),
    ("zh", "高仿名牌包包 一手货源 联系 {phone} 微信同号"),
    ("en", "DM me for crypto investment, 30% weekly returns guaranteed 👉 {link}"),
    ("en", "Earn $300-800 daily working from home, WhatsApp {phone} or {link}"),
)
_AD_PREFIXES: Final = ("", "🔥", "💰", "✨", "【推荐】")
_AD_SUFFIXES: Final = ("", "!!", " 🔥", "～", " 👇")


def _lib_pair(rng: random.Random) -> tuple[str, str]:
    lib, lib2 = rng.sample(rng.choice(_LIB_KINDS), 2)
    return lib, lib2


#: How to fill each slot; slots that go together (two libraries, a book and its quote) are
#: drawn together under the name of their first slot.
_SLOTS: Final = {
    "lib": lambda rng: dict(zip(("lib", "lib2"), _lib_pair(rng), strict=True)),
    "ver": lambda rng: rng.choice(_VERSIONS),
    "thing": lambda rng: rng.choice(_THINGS_ZH),
    "thing_en": lambda rng: rng.choice(_THINGS_EN),
    "task": lambda rng: rng.choice(_TASKS_ZH),
    "task_en": lambda rng: rng.choice(_TASKS_EN),
    "err": lambda rng: rng.choice(_ERRORS),
    "book": lambda rng: rng.choice(_BOOKS),
    "qbook": lambda rng: dict(zip(("qbook", "quote"), rng.choice(_BOOK_QUOTES), strict=True)),
    "feeling": lambda rng: rng.choice(_FEELINGS),
    "n": lambda rng: rng.randrange(1, 30),
    "m": lambda rng: rng.randrange(10, 120),
    "pct": lambda rng: rng.randrange(10, 100, 10),
    "company": lambda rng: rng.choice(_COMPANIES),
    "role": lambda rng: rng.choice(_ROLES_ZH),
    "role_en": lambda rng: rng.choice(_ROLES_EN),
    "city": lambda rng: rng.choice(_CITIES),
    "city_en": lambda rng: rng.choice(_CITIES_EN),
    "years": lambda rng: rng.randrange(1, 8),
    "venue": lambda rng: rng.choice(_VENUES),
    "speaker": lambda rng: rng.choice(_SPEAKERS),
    "job": lambda rng: rng.choice(_JOBS_ZH),
    "job_en": lambda rng: rng.choice(_JOBS_EN),
    "given": lambda rng: "{given}",  # filled per member when the greeting is used
    "topic": lambda rng: dict(zip(("topic", "topic_en"), rng.choice(_TOPICS), strict=True)),
    "point": lambda rng: rng.choice(_POINTS_ZH),
    "point_en": lambda rng: rng.choice(_POINTS_EN),
}
_PARTNER: Final = {"lib2": "lib", "quote": "qbook", "topic_en": "topic"}
_FIELDS: dict[str, tuple[str, ...]] = {}


def _fill(template: str, rng: random.Random) -> str:
    """One template with its slots filled from the fixed pools (only the slots it uses are drawn)."""
    fields = _FIELDS.get(template)
    if fields is None:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name]
        fields = _FIELDS[template] = tuple(dict.fromkeys(_PARTNER.get(n, n) for n in names))
    slots: dict[str, object] = {}
    for name in fields:
        if name == "link":
            continue
        value = _SLOTS[name](rng)
        if isinstance(value, dict):
            slots.update(value)
        else:
            slots[name] = value
    if "link" in fields:  # a link about the message's library, else to a talk's slides
        lib = slots.get("lib")
        page = str(lib).lower().replace(" ", "-") if lib else "slides"
        slots["link"] = f"https://notes.example.org/{page}-{rng.randrange(10, 99)}"
    return template.format(**slots)


def _pool(templates: tuple[str, ...], rng: random.Random, size: int) -> tuple[str, ...]:
    """``size`` distinct fillings of the templates (fewer if the templates run out), in a fixed order."""
    seen: dict[str, None] = {}
    for _ in range(size * 4):
        seen.setdefault(_fill(rng.choice(templates), rng), None)
        if len(seen) >= size:
            break
    return tuple(seen)


class Texts:
    """Every text pool of the demo, filled once per seed."""

    def __init__(self, rng: random.Random, size: int = 300) -> None:
        self.chat = {key: _pool(t, rng, size) for key, t in _CHAT.items()}
        self.questions = {key: _pool(t, rng, size) for key, t in _QUESTIONS.items()}
        self.answers = {key: _pool(t, rng, size) for key, t in _ANSWERS.items()}
        self.greetings = {lang: _pool(t, rng, 60) for lang, t in _GREETINGS.items()}
        self.jobs = {lang: _pool(t, rng, 120) for lang, t in _JOB_POSTS.items()}
        self.ritual = _pool(_RITUAL, rng, 120)
        topic_zh = ("说说我们的做法：{point}", "{topic}这块我觉得最重要的是{point}", "补充一点，{point}",
                    "我们团队的经验是{point}", "赞同，{point}这条很关键")  # fmt: skip
        topic_en = ("Our take: {point_en}", "For {topic_en} the key thing for us is {point_en}",
                    "Adding to that, {point_en}", "Agree, {point_en} matters most")  # fmt: skip
        self.topic_chat = {"zh": _pool(topic_zh, rng, size), "en": _pool(topic_en, rng, size)}

    @staticmethod
    def topic_of_week(week: int) -> tuple[str, str]:
        """The weekly topic (Chinese, English) for topic evening number ``week``."""
        return _TOPICS[week % len(_TOPICS)]

    @staticmethod
    def ad(template: str, handles: dict[str, str], rng: random.Random) -> str:
        """One post of an ad: the poster's template with a small change each time."""
        text = template.format(**handles)
        if rng.random() < 0.5:
            text = text.replace("：", ":").replace("，", ", ")
        return rng.choice(_AD_PREFIXES) + text + rng.choice(_AD_SUFFIXES)
