"""Write the groups' files, one after another or in worker processes.

Each group's storyline has its own random generator (seeded with the demo's seed and the
group's key), so a group's file does not depend on which process writes it or in what
order: serial and parallel runs write the same bytes. Workers are forked where the platform
can (they inherit the cast; nothing large crosses between processes, and a caller's script
needs no ``if __name__ == "__main__"`` guard); elsewhere they are spawned and rebuild the
cast from the seed, which is deterministic and cheap next to the messages.
"""

from __future__ import annotations

import multiprocessing
import os
import random
from pathlib import Path
from typing import Any

from shequn.demo._people import Cast, plan_demo
from shequn.demo._script import GroupTruth, Storyline
from shequn.demo._telegram_writer import write_telegram
from shequn.demo._texts import Texts
from shequn.demo._whatsapp_writer import write_whatsapp

__all__ = ["auto_workers", "write_groups"]

#: Below this many groups, starting worker processes costs more than it saves.
PARALLEL_FROM_GROUPS = 8

_state: dict[str, Any] = {}


def _init(seed: int, scale: float, cast: Cast | None = None) -> None:
    """Set up a process to write groups: the cast and text pools of this seed and scale."""
    _state["seed"] = seed
    _state["cast"] = cast if cast is not None else plan_demo(random.Random(seed), scale)
    _state["texts"] = Texts(random.Random(f"{seed}:texts"))


def _write_group(job: tuple[int, str]) -> tuple[int, dict[str, int], GroupTruth]:
    """Write group number ``index`` to ``path``; its counts by kind and its planted facts."""
    index, path = job
    cast: Cast = _state["cast"]
    plan = cast.groups[index]
    story = Storyline(plan, cast, _state["texts"], _state["seed"])
    writer = write_telegram if plan.fmt == "telegram" else write_whatsapp
    counts = writer(Path(path), plan, cast.people, story.items())
    counts["questions"] = story.truth.questions
    counts["unanswered"] = len(story.truth.unanswered)
    return index, counts, story.truth


def auto_workers(n_groups: int) -> int:
    """How many processes to use when the caller does not say: one per core, for many groups."""
    if n_groups < PARALLEL_FROM_GROUPS:
        return 1
    return max(1, min(os.cpu_count() or 1, n_groups, 8))


def write_groups(
    cast: Cast, paths: list[Path], seed: int, scale: float, workers: int
) -> list[tuple[dict[str, int], GroupTruth]]:
    """Write every group's file; (counts, truth) per group, in the cast's group order."""
    jobs = [(i, str(path)) for i, path in enumerate(paths)]
    if workers <= 1:
        _init(seed, scale, cast)
        try:
            return [_write_group(job)[1:] for job in jobs]
        finally:
            _state.clear()
    biggest_first = sorted(jobs, key=lambda job: -cast.groups[job[0]].rate * len(cast.groups[job[0]].members))
    results: dict[int, tuple[dict[str, int], GroupTruth]] = {}
    if "fork" in multiprocessing.get_all_start_methods():
        _init(seed, scale, cast)  # inherited by the forked workers
        context, initializer, initargs = multiprocessing.get_context("fork"), None, ()
    else:
        context, initializer, initargs = multiprocessing.get_context("spawn"), _init, (seed, scale)
    try:
        with context.Pool(workers, initializer=initializer, initargs=initargs) as pool:
            for index, counts, truth in pool.imap_unordered(_write_group, biggest_first):
                results[index] = (counts, truth)
    finally:
        _state.clear()
    return [results[i] for i in range(len(jobs))]
