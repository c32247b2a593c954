"""The demo portfolio loads on both engines and shows every status."""

from __future__ import annotations

import datetime as dt

from budgetcore.exchange import demo
from budgetcore.figures import metrics, portfolio
from budgetcore.store.database import transaction

TODAY = dt.date(2026, 11, 27)


def test_demo_loads_and_shows_every_status(engine) -> None:
    result = demo.load(engine, today=TODAY)
    assert result.ok, result.errors[:3]
    with transaction(engine) as session:
        figures = portfolio.portfolio(session, TODAY)
    assert len(figures) == 300
    assert {f.status for f in figures} == set(metrics.STATUSES)
