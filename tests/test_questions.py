"""Question detection: the rules per language, the shipped model, the labels, the eval script and the CLI."""

from __future__ import annotations

import importlib.util
import math
import unicodedata
from pathlib import Path

import orjson
import pytest
import typer
from typer.testing import CliRunner

from shequn.classify._questions_features import features, log_odds, prepare
from shequn.classify._questions_model import default_model, load_model
from shequn.classify._text import fold, language, split_address, strip_noise
from shequn.classify.questions import QuestionScore, question_scores, rules_only, score_question, score_questions
from shequn.cli_classify import register
from shequn.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "data" / "labels"


def _rows(name: str) -> list[dict]:
    return [orjson.loads(line) for line in (LABELS / f"questions-{name}.jsonl").read_bytes().splitlines()]


# -- rules ----------------------------------------------------------------------------

ENGLISH = [
    ("how do i restart alsa", True),  # wh-word first, no question mark
    ("anyone know how to restart alsa", True),
    ("does anyone here use firebird", True),  # auxiliary first
    ("can i start gnome using ssh", True),
    ("ikonia: is there a way to list the installed backports?", True),  # address before the question
    ("any ideas", True),
    ("need some help with my wireless card", True),
    ("i was wondering if someone could tell me where syslog is", True),
    ("meeting?", True),
    ("I know how to fix it", False),  # a question word inside a statement
    ("what a mess", False),
    ("do it from windows land", False),  # an order, not "do you…"
    ("did nothing", False),
    ("!paste", False),
    ("see http://example.com/page?id=3", False),  # the ? belongs to the link
    ("he asked me why it broke", False),
    ("thanks, that worked", False),
]

CHINESE = [
    ("请问这周六几点集合", True),
    ("有人知道小区南门的快递柜怎么开吗", True),  # 吗 without ？
    ("你去不去", True),  # A-not-A
    ("明天会不会下雨啊", True),
    ("求推荐一个靠谱的儿科医生", True),
    ("后来呢？", True),
    ("pip 装完还是报错怎么办", True),
    ("我在开会呢", False),  # 呢 of a statement
    ("谁都可以参加，不限年龄", False),
    ("不管怎么样，别借钱炒股", False),
    ("这还用说吗", False),  # rhetorical
    ("他问我“你吃了吗”，我说吃了", False),  # a reported, quoted question
    ("我们走吧，别等了", False),
    ("怪不得最近电梯老坏", False),
    ("收到，谢谢", False),
]


@pytest.mark.parametrize(("text", "expected"), ENGLISH)
def test_english_rules(text: str, expected: bool) -> None:
    assert rules_only(text) is expected
    assert score_question(text).label is expected


@pytest.mark.parametrize(("text", "expected"), CHINESE)
def test_chinese_rules(text: str, expected: bool) -> None:
    assert rules_only(text) is expected
    assert score_question(text).label is expected


def test_full_width_question_mark_is_a_question_mark() -> None:
    assert "rule:question_mark" in score_question("这个插件好用？").reasons
    assert "rule:question_mark" in score_question("ＯＫ？").reasons


def test_text_helpers() -> None:
    assert fold("Ｈｅｌｌｏ？") == "hello?"
    assert strip_noise("看这个 https://a.cn/x?y=1 @小王 [捂脸] 好吗") == "看这个 好吗"
    assert split_address("bob_: did you try it?") == ("bob_", "did you try it?")
    assert split_address("no address here") == (None, "no address here")
    assert language("有人用过 Docker 吗") == "zh"
    assert language("has anyone used Docker") == "en"


# -- scores and reasons ---------------------------------------------------------------


def test_score_shape_and_reasons() -> None:
    result = score_question("anyone know how to restart alsa?")
    assert isinstance(result, QuestionScore)
    assert 0.0 <= result.score <= 1.0
    assert result.label and result.lang == "en"
    assert "rule:question_mark" in result.reasons and "rule:anyone" in result.reasons
    assert result.reasons[-1] == f"model:{result.score:.3f}"
    against = score_question("谁都可以参加")
    assert "against:indifferent" in against.reasons and not against.label


def test_batch_keeps_order_and_handles_empty() -> None:
    texts = ["好的", None, "", "   ", "你吃了没", "好的"]
    scores = score_questions(texts)
    assert [s.label for s in scores] == [False, False, False, False, True, False]
    assert scores[1].score == 0.0 and scores[1].reasons == ("empty",)
    assert scores[0] is scores[5]  # a repeated text is scored once per batch
    assert question_scores(texts) == pytest.approx([s.score for s in scores])


def test_threshold_moves_the_label() -> None:
    text = "maybe the #httpd guys might know it"
    score = score_question(text).score
    assert score_questions([text], threshold=score)[0].label
    assert not score_questions([text], threshold=min(1.0, score + 1e-6))[0].label


# -- the shipped model ----------------------------------------------------------------


def test_model_file_loads_offline_without_pickle() -> None:
    model = default_model()
    assert model.version == "1" and 0.0 < model.threshold < 1.0
    assert set(model.languages) == {"en", "zh"}
    assert model.languages["zh"].weights["R:ma_end"] > 0 > model.languages["zh"].weights["R:indifferent"]
    path = ROOT / "src" / "shequn" / "classify" / "models" / "questions-v1.json"
    assert load_model(path) == model


def test_malformed_model_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "shequn-questions", "version": "1", "threshold": 0.5, "languages": {}}')
    with pytest.raises(ConfigError, match="lacks language"):
        load_model(bad)
    (tmp_path / "other.json").write_text("[1, 2]")
    with pytest.raises(ConfigError, match="not a shequn question model"):
        load_model(tmp_path / "other.json")
    with pytest.raises(ConfigError, match="cannot read"):
        load_model(tmp_path / "missing.json")


def test_fast_scoring_equals_the_named_features() -> None:
    """The fast path sums exactly the weights of the features training named, on every label."""
    model = default_model()
    for name in ("zh-test", "en-test", "zh-train", "en-train"):
        for row in _rows(name):
            prepared = prepare(row["text"])
            reference = model.log_odds(prepared.lang, features(prepared))
            assert math.isclose(log_odds(prepared, model.tables[prepared.lang]), reference, abs_tol=1e-9), row


# -- the labels -----------------------------------------------------------------------


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_labels_are_kept_apart_and_large_enough(lang: str) -> None:
    test, train = _rows(f"{lang}-test"), _rows(f"{lang}-train")
    assert len(test) >= 1000
    assert {r["label"] for r in test + train} == {0, 1}
    assert all(r["lang"] == lang and r["text"] for r in test + train)
    assert not {_key(r["text"]) for r in test} & {_key(r["text"]) for r in train}


def test_label_counts() -> None:
    # Counted with: for f in data/labels/questions-*-test.jsonl; do wc -l < $f; grep -c '"label":1' $f; done
    assert (len(_rows("zh-test")), sum(r["label"] for r in _rows("zh-test"))) == (1107, 336)
    assert (len(_rows("en-test")), sum(r["label"] for r in _rows("en-test"))) == (1060, 271)


# -- the eval script ------------------------------------------------------------------


def _script(name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_eval_script_on_a_subset() -> None:
    evaluate = _script("eval_questions").evaluate
    result = evaluate("zh", limit=60)
    assert result["messages"] == 60
    truth = [r["label"] for r in _rows("zh-test")[:60]]
    assert result["questions"] == sum(truth)
    model = result["model"]
    assert model["tp"] + model["fn"] == sum(truth)
    assert model["f1"] >= 0.8  # the full figures are in docs/quality.md
    assert len(result["errors"]) == model["fp"] + model["fn"]


# -- the CLI --------------------------------------------------------------------------


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command()
    def other() -> None:  # a second command, so that "classify" stays a sub-command
        pass

    return app


def test_cli_jsonl_output_shape(tmp_path: Path) -> None:
    messages = tmp_path / "messages.txt"
    messages.write_text("请问这周六几点集合？\nthanks!\n", encoding="utf-8")
    result = CliRunner().invoke(_app(), ["classify", "questions", "--input", str(messages), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    lines = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [set(line) for line in lines] == [{"text", "score", "label", "reasons"}] * 2
    assert [line["text"] for line in lines] == ["请问这周六几点集合？", "thanks!"]
    assert [line["label"] for line in lines] == [True, False]
    assert "rule:question_mark" in lines[0]["reasons"]


def test_cli_reads_json_lines_and_prints_text(tmp_path: Path) -> None:
    messages = tmp_path / "messages.jsonl"
    messages.write_text('{"id": 1, "text": "你吃了没"}\n{"id": 2, "text": "吃了"}\n', encoding="utf-8")
    result = CliRunner().invoke(_app(), ["classify", "questions", "-i", str(messages)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split(" ", 2)[1:] for line in lines] == [["Q", "你吃了没"], ["-", "吃了"]]


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    messages = tmp_path / "messages.jsonl"
    messages.write_text('{"text": "ok"}\nnot json\n', encoding="utf-8")
    result = CliRunner().invoke(_app(), ["classify", "questions", "-i", str(messages)])
    assert result.exit_code == 1
    assert "line 2" in result.output and "not JSON" in result.output
    result = CliRunner().invoke(_app(), ["classify", "questions", "-i", str(messages), "--format", "csv"])
    assert result.exit_code == 1 and "--format 'csv'" in result.output
