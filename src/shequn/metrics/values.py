"""Run catalog entries and hand back plain Python values, remembering what was computed.

A front page asks for some twenty numbers, each a query. Values of an unchanged log do not
change, so they are kept in memory per backend, keyed by everything they depend on: the
community, the log's last finished import, the settings, ``as_of`` and the groups. A new
import changes the key, so nothing stale is ever served.
"""

from __future__ import annotations

import dataclasses
import math
import weakref
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
import pyarrow as pa

from shequn.metrics.context import MetricContext
from shequn.metrics.derived import last_import_id
from shequn.metrics.registry import METRICS, Metric, lookup

__all__ = ["MetricValue", "compute", "evaluate", "front_page"]

_CACHE_SIZE = 4096
_cache: weakref.WeakKeyDictionary[Any, OrderedDict[tuple, Any]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class MetricValue:
    """One computed metric: its name (parameter filled in), unit, value and day."""

    name: str
    unit: str
    value: Any
    as_of: date
    link: str


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def evaluate(ctx: MetricContext, metric: Metric) -> Any:
    """Run one entry's expression on the context's backend; its value as plain Python."""
    result = ctx.backend.to_pyarrow(metric.function(ctx))
    if metric.arrow and metric.convert is not None and isinstance(result, pa.Table):
        return metric.convert(result)
    plain = _plain(result.as_py()) if isinstance(result, pa.Scalar) else result.to_pylist()
    return metric.convert(plain) if metric.convert is not None else plain


def _key(ctx: MetricContext, import_id: int, what: str) -> tuple:
    params = orjson.dumps(ctx.params, option=orjson.OPT_SORT_KEYS, default=str)
    return (ctx.community_id, import_id, params, ctx.as_of, ctx.group_ids, what)


def _remembered(ctx: MetricContext, import_id: int, what: str, make: Any) -> Any:
    try:
        store = _cache.setdefault(ctx.backend, OrderedDict())
    except TypeError:  # a backend that cannot be weakly referenced is simply not cached
        return make()
    key = _key(ctx, import_id, what)
    if key in store:
        store.move_to_end(key)
        return store[key]
    value = store[key] = make()
    while len(store) > _CACHE_SIZE:
        store.popitem(last=False)
    return value


def compute(ctx: MetricContext, names: Iterable[str] | None = None, *, cached: bool = True) -> dict[str, MetricValue]:
    """The values of the named metrics (default: the front page's), keyed by their names.

    Names are as the catalog spells them, with parameters filled in (``retention_80``); a
    different parameter in the name (``retention_30``) computes that variant.
    """
    wanted = [(m, {}) for m in METRICS.values() if m.front_page] if names is None else [lookup(n) for n in names]
    import_id = last_import_id(ctx.backend) if cached else None
    out: dict[str, MetricValue] = {}
    for metric, overrides in wanted:
        here = ctx if not overrides else dataclasses.replace(ctx, params={**ctx.params, **overrides})
        name = metric.name(here.params)

        def run(metric: Metric = metric, here: MetricContext = here) -> tuple[Any, date]:
            return evaluate(here, metric), here.day

        value, day = run() if import_id is None else _remembered(here, import_id, name, run)
        out[name] = MetricValue(name, metric.unit, value, day, metric.link)
    return out


def front_page(ctx: MetricContext) -> dict[str, MetricValue]:
    """Every front-page metric of the catalog (Health KPIs, cohorts, and what features add)."""
    return compute(ctx)
