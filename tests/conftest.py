"""Shared fixtures: fresh logs built from code, and the path to the real sample exports."""

from __future__ import annotations

from pathlib import Path

import pytest

from shequn.store import Store

pytest_plugins = ["engines"]  # tests/engines.py: PostgreSQL server, Spark session, the `engine` fixture

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLES = SHARED / "samples"
DATA = Path(__file__).parent / "data"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """An empty log in a temporary DuckDB file."""
    s = Store(tmp_path / "log.duckdb")
    yield s
    s.close()


@pytest.fixture
def samples() -> Path:
    """The real exports in ../shared/samples; skips the test when they are not there."""
    if not SAMPLES.is_dir():
        pytest.skip(f"real sample exports not found at {SAMPLES} (../shared is absent)")
    return SAMPLES
