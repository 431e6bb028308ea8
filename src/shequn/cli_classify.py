"""``shequn classify``: what messages are — questions, replies (and ads, registered by its own module).

:data:`classify_app` is the ``classify`` group; :func:`register` adds it to the ``shequn``
command. Other classifiers add their sub-command to the same group, e.g.::

    from shequn.cli_classify import classify_app
    classify_app.command("ads")(classify_ads)

Errors follow ``shequn.cli``: a :class:`~shequn.errors.ShequnError` prints as one line on
stderr and exits 1.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TextIO

import orjson
import typer

from shequn.cli_common import errors
from shequn.errors import ConfigError, SourceFormatError, StoreError

__all__ = ["classify_app", "classify_questions", "classify_replies", "input_texts", "open_input", "register"]

classify_app = typer.Typer(no_args_is_help=True, help="Classify messages: questions, replies, ads.")
_BATCH = 10_000


def input_texts(path: Path, handle: TextIO) -> Iterator[str]:
    """One message per line; a ``.jsonl`` file (or lines starting with ``{``) holds ``{"text": …}`` objects."""
    as_json = path.suffix.lower() == ".jsonl"
    for number, line in enumerate(handle, 1):
        line = line.rstrip("\r\n")
        if as_json or (number == 1 and line.startswith("{")):
            as_json = True
            if not line.strip():
                continue
            try:
                row = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise SourceFormatError(str(path), f"line {number}", f"not JSON ({exc})") from None
            if not isinstance(row, dict) or not isinstance(row.get("text"), str | None):
                raise SourceFormatError(str(path), f"line {number}", 'expected an object with a "text" string')
            yield row.get("text") or ""
        else:
            yield line


@contextmanager
def open_input(path: Path) -> Iterator[TextIO]:
    if str(path) == "-":
        yield sys.stdin
        return
    try:
        handle = open(path, encoding="utf-8", errors="replace")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    with handle:
        yield handle


@classify_app.command("questions")
def classify_questions(
    input_file: Annotated[
        Path,
        typer.Option("--input", "-i", help='Messages: one per line, or JSON lines with "text" (.jsonl); - for stdin.'),
    ],
    fmt: Annotated[str, typer.Option("--format", "-f", help="Output: text (score, label, message) or jsonl.")] = "text",
    threshold: Annotated[
        float | None, typer.Option("--threshold", help="Label as a question from this score (default: model's).")
    ] = None,
) -> None:
    """Score messages for being questions; print each with its score, label and reasons."""
    from shequn.classify.questions import score_questions

    with errors():
        if fmt not in {"text", "jsonl"}:
            raise ConfigError(f"--format {fmt!r}: use text or jsonl")
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise ConfigError(f"--threshold {threshold}: must be between 0 and 1")
        write = sys.stdout.write
        batch: list[str] = []

        def flush() -> None:
            for text, result in zip(batch, score_questions(batch, threshold=threshold), strict=True):
                if fmt == "jsonl":
                    write(orjson.dumps(result.as_dict(text)).decode() + "\n")
                else:
                    mark = "Q" if result.label else "-"
                    write(f"{result.score:.3f} {mark} {text}\n")
            batch.clear()

        with open_input(input_file) as handle:
            for text in input_texts(input_file, handle):
                batch.append(text)
                if len(batch) >= _BATCH:
                    flush()
            flush()


@classify_app.command("replies")
def classify_replies(
    community: Annotated[
        str | None, typer.Option("--community", "-c", help="Community name (default: every community).")
    ] = None,
    db: Annotated[
        str | None, typer.Option("--db", envvar="SHEQUN_DB", help="Log: a DuckDB file or a postgresql:// URL.")
    ] = None,
) -> None:
    """Rebuild the reply_links table: carriers' reply links, and inferred ones where carriers keep none."""
    from shequn.classify.replies import build_reply_links
    from shequn.store import Store, default_path

    with errors():
        path = db or default_path()
        if "://" not in path and path != ":memory:" and not Path(path).exists():
            raise StoreError(f"{path}: no such log; run 'shequn import' or 'shequn demo' first")
        with Store(path) as store:
            written = build_reply_links(store, community)
        print(f"reply_links: {written:,} links")


def register(app: typer.Typer) -> None:
    """Add the ``classify`` group to the ``shequn`` command."""
    app.add_typer(classify_app, name="classify")
