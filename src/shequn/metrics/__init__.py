"""Community health metrics, each one an Ibis expression over the log (see ``docs/metrics.md``).

Typical use::

    from shequn.metrics import context_for, front_page
    ctx = context_for(store, "readers")          # as of the last active day
    values = front_page(ctx)                     # {"joined_total": MetricValue(...), ...}

Every metric reads the derived tables (``member_day``, ``spans``, ``member_flags``) that
:func:`refresh_derived` builds after an import; a metric finding them missing or stale
rebuilds them first.
"""

from shequn.metrics.context import MetricContext, context_for
from shequn.metrics.derived import DERIVED_TABLES, ensure_derived, refresh_derived
from shequn.metrics.registry import METRICS, Metric, lookup, register
from shequn.metrics.values import MetricValue, compute, evaluate, front_page

__all__ = [
    "DERIVED_TABLES",
    "METRICS",
    "Metric",
    "MetricContext",
    "MetricValue",
    "compute",
    "context_for",
    "ensure_derived",
    "evaluate",
    "front_page",
    "lookup",
    "refresh_derived",
    "register",
]
