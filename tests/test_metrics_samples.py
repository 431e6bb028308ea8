"""Metrics over a real export, imported by its importer: the numbers a reader of the file gets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from metrics_fixtures import QUIET, value
from shequn.importer import import_file
from shequn.metrics import context_for
from shequn.store import Store

pytestmark = [QUIET, pytest.mark.samples]


def test_telegram_test_group(samples: Path, tmp_path: Path) -> None:
    """``telegram/roboteam-test-group/result.json``, read with
    ``python -c "import json; [print(m['date'], m['type'], m.get('from'), m.get('action'), m.get('members'))
    for m in json.load(open('result.json'))['messages']]"``:

      2022-03-16 19:23:47 create_group by Александр Март with [Александр Март, User 2]
      2022-03-16 19:24:12 invite_members [RoboTeam Digital]
      2022-03-16 19:24:39 invite_members [Get My ID];  19:24:40 Get My ID posts
      2022-03-23 02:12:10 Get My ID and Александр post; 02:12:27 remove_members [Get My ID];
      Александр posts on until 02:15:37

    Four people joined (the creator, User 2, RoboTeam Digital, Get My ID, whose name the
    importer links to the account that posts), one was removed; both posters posted on the
    last day, 2022-03-23 (times carry no zone: read as the community's UTC).
    """
    with Store(tmp_path / "log.duckdb") as store:
        import_file(store, samples / "telegram" / "roboteam-test-group" / "result.json", community="tg")
        ctx = context_for(store, "tg")
        assert ctx.day == date(2022, 3, 23)
        assert (value(ctx, "joined_total"), value(ctx, "members_now")) == (4, 3)
        assert value(ctx, "survival") == pytest.approx(3 / 4)
        assert value(ctx, "active_today") == 2
        # the file's 8 messages of type "message" (counted with the one-liner above) all fall in the
        # 30 days ending 03-23: 8 / 30
        assert value(ctx, "interactions_per_day") == pytest.approx(8 / 30)
