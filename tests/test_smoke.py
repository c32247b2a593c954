"""The demo portfolio loads on both engines and shows every status."""

from __future__ import annotations

import datetime as dt

from budgetcore.figures import metrics, portfolio
from budgetcore.store.database import transaction

TODAY = dt.date(2026, 11, 27)


def test_demo_loads_and_shows_every_status(demo_engine) -> None:
    # conftest.demo_engine: demo.load(engine, today=TODAY) into an empty database, asserting its
    # result ok, once per session and engine (test_portfolio reads the same load)
    engine = demo_engine(today=TODAY)  # read only
    with transaction(engine) as session:
        figures = portfolio.portfolio(session, TODAY)
    assert len(figures) == 300
    assert {f.status for f in figures} == set(metrics.STATUSES)
