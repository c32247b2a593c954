"""Settings round-trip through the database, validate, and change the statuses."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from budgetcore.exchange import demo
from budgetcore.figures import portfolio, settings
from budgetcore.figures.metrics import Thresholds
from budgetcore.figures.settings import Settings
from budgetcore.store import access, writes
from budgetcore.store.database import data_version, set_meta, transaction
from budgetcore.store.schema import prepared

TODAY = dt.date(2026, 11, 27)


def test_defaults_when_nothing_stored(engine) -> None:
    with transaction(engine) as session:
        assert settings.load(session) == Settings()
        assert settings.thresholds(session) == Thresholds()


def test_save_and_load_round_trip(engine) -> None:
    chosen = Settings(
        at_risk_margin=Decimal("0.25"),
        watch_level=Decimal("0.7"),
        watch_elapsed=Decimal("0.6"),
        renewal_window_days=120,
        target_margin=Decimal("0.2"),
        currency="USD",
        yearly_indexation=Decimal("0.031"),
        largest_raise=Decimal("0.45"),
        scope_share=Decimal("0.25"),
        scope_minimum=Decimal("2500"),
        calls_factor=Decimal("2.5"),
        calls_extra=5,
    )
    with transaction(engine) as session:
        before = data_version(session)
    writes.write(engine, access.operator(), "settings", lambda session: settings.save(session, chosen))
    with transaction(engine) as session:
        assert settings.load(session) == chosen
        assert data_version(session) == before + 1  # cached figures refresh
        assert settings.thresholds(session) == Thresholds(
            Decimal("0.25"), Decimal("0.7"), Decimal("0.6"), 120, Decimal("0.2"),
            yearly_indexation=Decimal("0.031"), largest_raise=Decimal("0.45"), scope_share=Decimal("0.25"),
            scope_minimum=Decimal("2500"), calls_factor=Decimal("2.5"), calls_extra=5,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("at_risk_margin", Decimal("-0.1")),
        ("watch_level", Decimal("0")),
        ("watch_elapsed", Decimal("1.5")),
        ("renewal_window_days", -1),
        ("target_margin", Decimal("1")),
        ("currency", "EURO"),
        ("currency", "XYZ"),
        ("currency", "eur"),
        ("yearly_indexation", Decimal("-0.6")),
        ("yearly_indexation", Decimal("1.01")),
        ("yearly_indexation", Decimal("0.0000001")),  # finer than 4 decimals of a percent
        ("largest_raise", Decimal("-0.01")),
        ("largest_raise", Decimal("11")),
        ("scope_share", Decimal("0")),
        ("scope_share", Decimal("1.01")),
        ("scope_minimum", Decimal("-1")),
        ("scope_minimum", Decimal("10.50")),  # whole amounts
        ("calls_factor", Decimal("0.9")),
        ("calls_factor", Decimal("2.25")),  # one decimal
        ("calls_extra", -1),
    ],
)
def test_out_of_range_values_are_refused(field, value) -> None:
    bad = dataclasses.replace(Settings(), **{field: value})
    assert [f for f, _ in bad.problems()] == [field]


def test_save_refuses_bad_settings(tmp_path) -> None:
    from budgetcore.store.database import make_engine

    engine = prepared(make_engine(f"sqlite:///{tmp_path / 's.db'}"))
    with pytest.raises(ValueError, match="target_margin"), transaction(engine) as session:
        settings.save(session, Settings(target_margin=Decimal("1.2")))


def test_unreadable_stored_values_fall_back_to_defaults(tmp_path) -> None:
    from budgetcore.store.database import make_engine

    engine = prepared(make_engine(f"sqlite:///{tmp_path / 's.db'}"))
    with transaction(engine) as session:
        set_meta(session, "setting.at_risk_margin", "lots")
        set_meta(session, "setting.watch_level", "7")  # out of range
        set_meta(session, "setting.renewal_window_days", "30")
    with transaction(engine) as session:
        assert settings.load(session) == Settings(renewal_window_days=30)


def test_stored_thresholds_change_the_statuses(engine) -> None:
    assert demo.load(engine, contracts=60, today=TODAY).ok
    with transaction(engine) as session:
        before = {
            f.contract_number: f.status
            for f in portfolio.portfolio(session, TODAY, settings.thresholds(session))
        }
        settings.save(session, Settings(at_risk_margin=Decimal("5"), watch_level=Decimal("2")))
    with transaction(engine) as session:
        after = {
            f.contract_number: f.status
            for f in portfolio.portfolio(session, TODAY, settings.thresholds(session))
        }
    assert "at risk" in before.values()
    assert "at risk" not in after.values()  # nothing forecasts 6x its budget
    changed = {n for n in before if before[n] != after[n]}
    assert changed and all(before[n] == "at risk" or after[n] == "on track" for n in changed)
