"""One field of the log's ``attrs`` JSON, read the same way on every engine.

Ibis's typed JSON unwrapping (``.bool``, ``.float``, ``.str``) compiles to SQL that
PostgreSQL rejects and to Python UDFs on Spark, so metrics take a field's JSON text instead,
which every engine gives alike for numbers and booleans, and strip the quotes that DuckDB
and PostgreSQL keep around strings.
"""

from __future__ import annotations

from typing import Any

__all__ = ["json_number", "json_text"]


def json_text(attrs: Any, key: str) -> Any:
    """The top-level field ``key`` of the JSON string column ``attrs`` as text, null if absent.

    ``true``/``false`` for booleans, the number as written, a string without its quotes.
    Meant for short codes (currency, status): a string holding a quote loses it.
    """
    return attrs.cast("json")[key].cast("string").replace('"', "")


def json_number(attrs: Any, key: str) -> Any:
    """The numeric field ``key`` of ``attrs`` as a float, null if absent."""
    return json_text(attrs, key).cast("float64")
