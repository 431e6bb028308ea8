"""Income from ``order`` events (``docs/metrics.md#health-kpis-the-operators-front-page``).

An order event carries ``attrs`` ``{"amount": number, "currency": "CNY", "status": …}``.
Each event is a movement of money on its local day: ``paid`` adds its amount, ``refunded``
takes it away (a refund is logged as its own event when it happens, so the paid event
stays as it was; the log is append-only). Other statuses (pending, cancelled) move nothing.
"""

from __future__ import annotations

from typing import Any

import ibis

from shequn.metrics._json import json_number, json_text
from shequn.metrics._localtime import local_day
from shequn.metrics.activity import window_start, within
from shequn.metrics.context import MetricContext

__all__ = ["INCOME_DAYS", "income", "income_by_currency"]

#: The period of the front page's ``income``: the 30 days ending ``D``, like ``mau``.
INCOME_DAYS = 30


def income(ctx: MetricContext, n: int = INCOME_DAYS) -> Any:
    """``income``: paid orders minus refunds in the N days ending ``D``, per currency.

    A table ``(currency, amount)``, one row per currency that moved; empty without orders.
    """
    orders = ctx.events("order")
    orders = orders.mutate(
        day=local_day(orders.ts, ctx.steps),
        amount=json_number(orders.attrs, "amount"),
        currency=json_text(orders.attrs, "currency").upper(),
        status=json_text(orders.attrs, "status").lower(),
    )
    orders = orders.filter(
        within(orders.day, window_start(ctx.day, n), ctx.day)
        & orders.status.isin(["paid", "refunded"])
        & orders.amount.notnull()
        & orders.currency.notnull()
    )
    signed = ibis.ifelse(orders.status == "paid", orders.amount.abs(), -orders.amount.abs())
    orders = orders.mutate(signed=signed)
    return orders.group_by("currency").aggregate(amount=orders.signed.sum()).order_by("currency")


def income_by_currency(rows: list[dict[str, Any]]) -> dict[str, float]:
    """The executed ``income`` table as ``{currency: amount}`` (cents kept, float noise dropped)."""
    return {row["currency"]: round(float(row["amount"]), 2) for row in rows}
