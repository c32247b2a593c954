"""Every rule of budgetcore.figures.metrics, one table of (input, expected) rows per rule."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from fractions import Fraction

import numpy as np
import oracle
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgetcore.figures import advice, exact, frame, metrics
from budgetcore.figures.metrics import ContractFigures, ContractInputs, Thresholds


def _figures(inputs: ContractInputs, as_of: dt.date, thresholds: Thresholds) -> ContractFigures:
    """One contract's figures by the engine."""
    return frame.from_inputs([inputs], as_of, thresholds).figures()[0]


D = Decimal
d = dt.date


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (d(2026, 1, 1), d(2026, 12, 31), 365),
        (d(2028, 1, 1), d(2028, 12, 31), 366),  # leap year
        (d(2028, 2, 1), d(2028, 2, 29), 29),
        (d(2027, 2, 1), d(2027, 2, 28), 28),
        (d(2026, 5, 4), d(2026, 5, 4), 1),  # one-day term: both ends included
        (d(2026, 3, 1), d(2027, 2, 28), 365),
        (d(2027, 3, 1), d(2028, 2, 29), 366),
    ],
)
def test_term_days(start: dt.date, end: dt.date, expected: int) -> None:
    assert oracle.term_days(start, end) == expected


@pytest.mark.parametrize(
    ("start", "end", "as_of", "done", "elapsed"),
    [
        (d(2026, 1, 1), d(2026, 12, 31), d(2025, 12, 31), 0, D(0)),  # day before start
        (d(2026, 1, 1), d(2026, 12, 31), d(2020, 1, 1), 0, D(0)),  # long before start
        (d(2026, 1, 1), d(2026, 12, 31), d(2026, 1, 1), 1, D(1) / 365),  # first day counts
        (d(2026, 1, 1), d(2026, 12, 31), d(2026, 7, 2), 183, D(183) / 365),
        (d(2026, 1, 1), d(2026, 12, 31), d(2026, 12, 31), 365, D(1)),  # last day
        (d(2026, 1, 1), d(2026, 12, 31), d(2027, 6, 1), 365, D(1)),  # after end: clamped
        # leap year 2028: 31 + 29 = 60 days through the leap day, of 366
        (d(2028, 1, 1), d(2028, 12, 31), d(2028, 2, 29), 60, D(60) / 366),
        (d(2028, 1, 1), d(2028, 12, 31), d(2028, 3, 1), 61, D(61) / 366),
        # a term that starts on the leap day
        (d(2028, 2, 29), d(2029, 2, 28), d(2028, 2, 29), 1, D(1) / 366),
        # one-day term: nothing before, everything on the day and after
        (d(2026, 5, 4), d(2026, 5, 4), d(2026, 5, 3), 0, D(0)),
        (d(2026, 5, 4), d(2026, 5, 4), d(2026, 5, 4), 1, D(1)),
        (d(2026, 5, 4), d(2026, 5, 4), d(2026, 5, 5), 1, D(1)),
    ],
)
def test_days_done_and_elapsed_fraction(
    start: dt.date, end: dt.date, as_of: dt.date, done: int, elapsed: Decimal
) -> None:
    assert oracle.days_done(start, end, as_of) == done
    share = oracle.elapsed_fraction(start, end, as_of)
    assert Decimal(share.numerator) / share.denominator == elapsed


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (d(2026, 6, 15), d(2026, 6, 15)),
        (d(2026, 12, 31), d(2026, 12, 31)),
        (d(2027, 1, 5), d(2026, 12, 31)),
    ],
)
def test_window_end_is_min_of_as_of_and_end(as_of: dt.date, expected: dt.date) -> None:
    assert oracle.window_end(d(2026, 12, 31), as_of) == expected


YEAR_2026 = (D("3650.00"), d(2026, 1, 1), d(2026, 12, 31))  # 10.00 a day
H1 = (D("1810.00"), d(2026, 1, 1), d(2026, 6, 30))  # 181 days, 10.00 a day
H2 = (D("920.00"), d(2026, 7, 1), d(2026, 12, 31))  # 184 days, 5.00 a day
LEAP = (D("366.00"), d(2028, 1, 1), d(2028, 12, 31))  # 1.00 a day


@pytest.mark.parametrize(
    ("lines", "as_of", "expected"),
    [
        ([], d(2026, 6, 15), D(0)),
        # unphased, linear: 166 d x 10 = 1660
        ([YEAR_2026], d(2026, 6, 15), D("1660")),
        ([YEAR_2026], d(2025, 12, 31), D(0)),  # before the first budget day
        ([YEAR_2026], d(2026, 1, 1), D("10")),  # the first day counts
        ([YEAR_2026], d(2026, 12, 31), D("3650")),
        ([YEAR_2026], d(2030, 1, 1), D("3650")),  # after the end: the whole amount
        # phased: H1 is full once it ends; H2 runs at its own rate
        ([H1, H2], d(2026, 6, 15), D("1660")),  # 166 x 10, H2 not started
        ([H1, H2], d(2026, 6, 30), D("1810")),
        ([H1, H2], d(2026, 7, 1), D("1815")),  # 1810 + 1 x 5
        ([H1, H2], d(2026, 8, 9), D("2010")),  # 1810 + 40 x 5
        ([H1, H2], d(2027, 1, 1), D("2730")),
        ([H1, H2, YEAR_2026], d(2026, 6, 15), D("3320")),  # lines add up
        # leap day counts as a day: 31 + 29 = 60 days x 1.00
        ([LEAP], d(2028, 2, 29), D("60")),
        # a one-day budget period
        ([(D("99.99"), d(2026, 5, 4), d(2026, 5, 4))], d(2026, 5, 3), D(0)),
        ([(D("99.99"), d(2026, 5, 4), d(2026, 5, 4))], d(2026, 5, 4), D("99.99")),
        # an amount that does not divide: 100 x 1/3
        (
            [(D("100"), d(2026, 1, 1), d(2026, 1, 3))],
            d(2026, 1, 1),
            D("33.333333"),
        ),  # truncated to millionths per line
    ],
)
def test_planned_to_date(lines: list, as_of: dt.date, expected: Decimal) -> None:
    """The engine's planned to date (frame.planned_to_date) and the rule book's agree with the hand."""
    day = lambda value: (value - dt.date(1970, 1, 1)).days  # noqa: E731
    periods = {
        "period_row": np.zeros(len(lines), dtype=np.int64),
        "period_amount": np.array([int(a.scaleb(6)) for a, _, _ in lines], dtype=np.int64),
        "period_first": np.array([day(s) for _, s, _ in lines], dtype=np.int64),
        "period_last": np.array([day(e) for _, _, e in lines], dtype=np.int64),
    }
    assert Decimal(int(frame.planned_to_date(periods, 1, as_of)[0])).scaleb(-6) == expected
    assert oracle.planned_to_date(lines, as_of) == expected


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (D("800"), D("1000"), D("0.8")),
        (D("1200"), D("1000"), D("1.2")),
        (D("0"), D("1000"), D("0")),
        (D("50"), D("0"), None),  # budget of zero: consumed is undefined
        (D("0"), D("0"), None),
        (D("50"), None, None),  # no budget at all
    ],
)
def test_ratio(numerator: Decimal, denominator: Decimal | None, expected: Decimal | None) -> None:
    assert metrics.ratio(numerator, denominator) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("1.005"), D("1.01")),  # half up, not half even
        (D("1.015"), D("1.02")),
        (D("1.0049999"), D("1.00")),
        (D("-1.005"), D("-1.01")),  # half away from zero
        (D("498.185"), D("498.19")),
        (D("7"), D("7.00")),
        (None, None),
    ],
)
def test_money_rounds_half_up_to_cents(value: Decimal | None, expected: Decimal | None) -> None:
    assert metrics.money(value) == expected
    if expected is not None:
        assert str(metrics.money(value)) == str(expected)  # always two places


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D(166) / 365, "0.4548"),
        (D("0.87345"), "0.8735"),
        (D("0.87344999"), "0.8734"),
        (D(0), "0.0000"),
        (D(1), "1.0000"),
        (None, None),
    ],
)
def test_fraction_to_four_places(value: Decimal | None, expected: str | None) -> None:
    shown = metrics.fraction(value)
    assert (None if shown is None else str(shown)) == expected


@pytest.mark.parametrize(
    ("end", "notice_days", "expected"),
    [
        (d(2026, 12, 31), 0, d(2026, 12, 31)),
        (d(2026, 12, 31), 90, d(2026, 10, 2)),
        (d(2026, 12, 31), 180, d(2026, 7, 4)),
        (d(2028, 3, 31), 31, d(2028, 2, 29)),  # across the leap day
        (d(2027, 3, 31), 31, d(2027, 2, 28)),
        (d(2027, 1, 10), 30, d(2026, 12, 11)),  # into the previous year
    ],
)
def test_notice_deadline(end: dt.date, notice_days: int, expected: dt.date) -> None:
    assert oracle.notice_deadline(end, notice_days) == expected


AS_OF = d(2026, 6, 15)  # + 90 days = 2026-09-13


@pytest.mark.parametrize(
    ("end", "deadline", "terminated_on", "window", "expected"),
    [
        (d(2026, 9, 13), d(2026, 9, 13), None, 90, True),  # end on the window's last day
        (d(2026, 9, 14), d(2026, 9, 14), None, 90, False),  # one day beyond
        (d(2026, 6, 15), d(2026, 6, 15), None, 90, True),  # ends today: first day included
        (d(2026, 6, 14), d(2026, 6, 14), None, 90, False),  # ended yesterday
        # the notice deadline alone brings it in, end far away
        (d(2027, 3, 1), d(2026, 9, 1), None, 90, True),
        (d(2027, 3, 1), d(2026, 9, 14), None, 90, False),
        # notice deadline passed, end inside the window: still approaching
        (d(2026, 7, 1), d(2026, 5, 1), None, 90, True),
        # notice deadline passed, end outside: no
        (d(2026, 12, 31), d(2026, 6, 1), None, 90, False),
        # terminated contracts never approach renewal
        (d(2026, 7, 1), d(2026, 7, 1), d(2026, 5, 1), 90, False),
        (d(2026, 7, 1), d(2026, 7, 1), d(2026, 8, 1), 90, False),
        # the window is a parameter
        (d(2026, 7, 15), d(2026, 7, 15), None, 30, True),  # 06-15 + 30 = 07-15
        (d(2026, 7, 16), d(2026, 7, 16), None, 30, False),
        (d(2026, 6, 15), d(2026, 6, 15), None, 0, True),
    ],
)
def test_approaches_renewal(
    end: dt.date, deadline: dt.date, terminated_on: dt.date | None, window: int, expected: bool
) -> None:
    assert oracle.approaches_renewal(end, deadline, terminated_on, AS_OF, window) is expected


@pytest.mark.parametrize(
    ("end", "deadline", "expected"),
    [
        (d(2026, 12, 31), d(2026, 10, 2), d(2026, 10, 2)),  # notice first
        (d(2026, 12, 31), d(2026, 6, 15), d(2026, 6, 15)),  # deadline today still counts
        (d(2026, 12, 31), d(2026, 6, 14), d(2026, 12, 31)),  # deadline passed: the end
        (d(2026, 8, 1), d(2026, 8, 1), d(2026, 8, 1)),  # no notice period
    ],
)
def test_next_deadline(end: dt.date, deadline: dt.date, expected: dt.date) -> None:
    assert oracle.next_deadline(end, deadline, AS_OF) == expected


def test_forecast_methods_are_documented_in_the_order_they_are_tried() -> None:
    # "remaining budget" is no step of the chain: only a setting or auto picks it
    assert list(metrics.FORECAST_METHODS) == [
        "actual", "not started", "visits", "burn", "run rate", "remaining budget", "none",
    ]  # fmt: skip
    assert metrics.CHOOSABLE == ("visits", "burn", "run rate", "remaining budget")


# a running term with a budget of 1,000, of which 450 planned to date, 300 spent, 2 of 6 visits
RUNNING = dict(as_of=d(2026, 6, 15), actual_total=D(300), budget_total=D(1000), burn=D(300) / D(450),
               planned=D(450), planned_visits=6, visits_done=2)  # fmt: skip


@pytest.mark.parametrize(
    ("choose", "changes", "total", "method"),
    [
        ("chain", {}, D(900), "visits"),
        ("remaining budget", {}, D(850), "remaining budget"),  # 300 + 1,000 - 450
        ("burn", {}, D(300) / D(450) * 1000, "burn"),
        ("run rate", {}, D(300) * 365 / 166, "run rate"),
        ("visits", {}, D(900), "visits"),
        # a picked method that does not apply leaves the chain's
        ("remaining budget", dict(budget_total=None, burn=None), D(900), "visits"),
        ("visits", dict(visits_done=0), D(300) / D(450) * 1000, "burn"),
        # nor does a pick change a term that is over or not started
        ("remaining budget", dict(as_of=d(2027, 1, 1)), D(300), "actual"),
        ("run rate", dict(as_of=d(2025, 12, 1)), D(1000), "not started"),
    ],
)  # fmt: skip
def test_forecast_by_a_picked_method(choose: str, changes: dict, total: Decimal, method: str) -> None:
    got, got_method = oracle.forecast(**TERM, **{**RUNNING, **changes}, choose=choose)
    assert got_method == method
    assert abs(Fraction(got) - Fraction(total)) < Fraction(1, 10**20)


# A year 2026 term (365 days); as_of 2026-06-15 is day 166.
TERM = {"start": d(2026, 1, 1), "end": d(2026, 12, 31)}


@pytest.mark.parametrize(
    ("kwargs", "total", "method"),
    [
        # 1. term over (as_of on or after end): the actual total, whatever else is known
        (dict(as_of=d(2026, 12, 31), actual_total=D(900), budget_total=D(1000), burn=D(2),
              planned_visits=4, visits_done=1), D(900), "actual"),
        (dict(as_of=d(2027, 1, 1), actual_total=D(900), budget_total=None, burn=None,
              planned_visits=None, visits_done=0), D(900), "actual"),
        # 2. not started: the budget total; without budget, no forecast
        (dict(as_of=d(2025, 12, 31), actual_total=D(0), budget_total=D(1000), burn=None,
              planned_visits=4, visits_done=0), D(1000), "not started"),
        (dict(as_of=d(2025, 12, 31), actual_total=D(0), budget_total=None, burn=None,
              planned_visits=4, visits_done=0), None, "none"),
        # 3. visits: 300 over 2 of 6 visits = 150 a visit; 300 + 4 x 150 = 900 (beats burn)
        (dict(as_of=d(2026, 6, 15), actual_total=D(300), budget_total=D(1000), burn=D(2),
              planned_visits=6, visits_done=2), D(900), "visits"),
        # ... also without a budget
        (dict(as_of=d(2026, 6, 15), actual_total=D(300), budget_total=None, burn=None,
              planned_visits=6, visits_done=2), D(900), "visits"),
        # ... not before the first visit, nor once all planned visits are done: burn
        (dict(as_of=d(2026, 6, 15), actual_total=D(300), budget_total=D(1000), burn=D("0.5"),
              planned_visits=6, visits_done=0), D(500), "burn"),
        (dict(as_of=d(2026, 6, 15), actual_total=D(300), budget_total=D(1000), burn=D("0.5"),
              planned_visits=6, visits_done=6), D(500), "burn"),
        (dict(as_of=d(2026, 6, 15), actual_total=D(300), budget_total=D(1000), burn=D("0.5"),
              planned_visits=6, visits_done=7), D(500), "burn"),
        (dict(as_of=d(2026, 6, 15), actual_total=D(300), budget_total=D(1000), burn=D("0.5"),
              planned_visits=0, visits_done=2), D(500), "burn"),
        # 4. burn: budget total x burn index
        (dict(as_of=d(2026, 6, 15), actual_total=D(600), budget_total=D(1000), burn=D("1.25"),
              planned_visits=None, visits_done=3), D(1250), "burn"),
        # 5. run rate when there is no burn index (no budget, or nothing planned yet):
        #    365 / 166 x 166 = 365
        (dict(as_of=d(2026, 6, 15), actual_total=D(166), budget_total=None, burn=None,
              planned_visits=None, visits_done=0), D(365), "run rate"),
        (dict(as_of=d(2026, 6, 15), actual_total=D(166), budget_total=D(0), burn=None,
              planned_visits=None, visits_done=0), D(365), "run rate"),
        # one day in: 10 / (1/365) = 3650
        (dict(as_of=d(2026, 1, 1), actual_total=D(10), budget_total=None, burn=None,
              planned_visits=None, visits_done=0), D(3650), "run rate"),
    ],
)  # fmt: skip
def test_forecast(kwargs: dict, total: Decimal | None, method: str) -> None:
    assert oracle.forecast(**TERM, **kwargs) == (total, method)
    assert method in metrics.FORECAST_METHODS


def test_forecast_one_day_term() -> None:
    one_day = {"start": d(2026, 5, 4), "end": d(2026, 5, 4), "planned_visits": None, "visits_done": 0}
    before = oracle.forecast(as_of=d(2026, 5, 3), actual_total=D(0), budget_total=D(80), burn=None, **one_day)
    on_the_day = oracle.forecast(
        as_of=d(2026, 5, 4), actual_total=D(95), budget_total=D(80), burn=D("1.1875"), **one_day
    )
    assert before == (D(80), "not started")
    assert on_the_day == (D(95), "actual")


DEFAULT = Thresholds()


@pytest.mark.parametrize(
    ("budget", "actual", "forecast", "consumed", "elapsed", "thresholds", "expected"),
    [
        # no budget lines at all, whatever the figures
        (None, D(5000), D(9000), None, D("0.5"), DEFAULT, "no budget"),
        # over budget: actual above budget; equal is not over
        (D(1000), D("1000.01"), D(1100), D("1.00001"), D("0.5"), DEFAULT, "over budget"),
        (D(0), D("0.01"), D(1), None, D("0.5"), DEFAULT, "over budget"),  # budget of zero
        (D(1000), D(1000), D(1000), D(1), D(1), DEFAULT, "on track"),  # at budget, term over
        # at risk: forecast above budget x 1.10; exactly 1.10 is only watch
        (D(1000), D(500), D("1100.01"), D("0.5"), D("0.5"), DEFAULT, "at risk"),
        (D(1000), D(500), D(1100), D("0.5"), D("0.5"), DEFAULT, "watch"),
        # watch by forecast: above budget, not above 1.10
        (D(1000), D(500), D("1000.01"), D("0.5"), D("0.5"), DEFAULT, "watch"),
        (D(1000), D(500), D(1000), D("0.5"), D("0.5"), DEFAULT, "on track"),
        # watch by consumption: consumed >= 0.80 while elapsed < 0.80
        (D(1000), D(800), D(950), D("0.80"), D("0.7999"), DEFAULT, "watch"),
        (D(1000), D(799), D(950), D("0.799"), D("0.5"), DEFAULT, "on track"),
        (D(1000), D(800), D(950), D("0.80"), D("0.80"), DEFAULT, "on track"),  # elapsed at 0.80
        # budget of zero, nothing spent: no ratio, nothing above budget
        (D(0), D(0), D(0), None, D("0.5"), DEFAULT, "on track"),
        # no forecast (not started, no basis): only the other rules apply
        (D(1000), D(0), None, D(0), D(0), DEFAULT, "on track"),
        # user-changed thresholds
        (D(1000), D(500), D(1150), D("0.5"), D("0.5"), Thresholds(at_risk_margin=D("0.20")), "watch"),
        (D(1000), D(500), D(1050), D("0.5"), D("0.5"), Thresholds(at_risk_margin=D("0.04")), "at risk"),
        (D(1000), D(850), D(950), D("0.85"), D("0.5"), Thresholds(watch_level=D("0.90")), "on track"),
        (D(1000), D(600), D(950), D("0.60"), D("0.5"), Thresholds(watch_level=D("0.60")), "watch"),
        (D(1000), D(850), D(950), D("0.85"), D("0.5"), Thresholds(watch_elapsed=D("0.50")), "on track"),
        (D(1000), D(850), D(950), D("0.85"), D("0.9"), Thresholds(watch_elapsed=D("0.95")), "watch"),
    ],
)
def test_status(
    budget: Decimal | None,
    actual: Decimal,
    forecast: Decimal | None,
    consumed: Decimal | None,
    elapsed: Decimal,
    thresholds: Thresholds,
    expected: str,
) -> None:
    assert expected in metrics.STATUSES
    got = oracle.status(
        budget_total=budget,
        actual_total=actual,
        forecast_total=forecast,
        consumed=consumed,
        elapsed=elapsed,
        thresholds=thresholds,
    )
    assert got == expected


def test_default_thresholds() -> None:
    assert Thresholds() == Thresholds(D("0.10"), D("0.80"), D("0.80"), 90)


BASE = ContractInputs(
    contract_number="K-1",
    customer="Klant",
    name=None,
    type="preventive",
    account_manager=None,
    start_date=d(2026, 1, 1),
    end_date=d(2026, 12, 31),
    notice_period_days=90,
    auto_renew=True,
    contract_value=D("8000"),
    planned_visits=None,
    terminated_on=None,
    actual_labour=D("300"),
    actual_material=D("198.185"),
    actual_hours=D("6"),
    visits_done=2,
    budget_lines=2,
    budget_labour=D("3650"),
    budget_material=D("1825"),
    budget_other=D("0"),
    budget_hours=D("70"),
    planned_to_date=D("2490"),  # 166 d x 15.00
)


def test_figures_combines_the_inputs() -> None:
    f = _figures(BASE, d(2026, 6, 15), Thresholds())
    assert f.contract_number == "K-1"
    assert f.budget_total == D(5475)  # 3650 + 1825 + 0
    assert f.actual_total == D("498.185")  # 300 + 198.185
    assert f.elapsed == D(166) / 365
    assert f.consumed == D("498.185") / 5475
    assert f.burn_index == D("498.185") / 2490
    assert f.forecast.method == "burn"
    assert metrics.money(f.forecast.total) == metrics.money(D(5475) * D("498.185") / 2490)
    assert f.summary["forecast_total"] == D("1095.41")  # 5475 x 498.185 / 2490 = 1095.4068...
    # margin to date: the value earned so far (8000 x 166/365 = 3638.356...) - 498.185
    assert metrics.money(f.margin) == D("3140.17")
    assert abs(f.margin - (D(8000) * 166 / 365 - D("498.185"))) < D("1e-20")
    assert f.forecast_margin == D(8000) - f.forecast.total
    assert f.notice_deadline == d(2026, 10, 2)  # 12-31 - 90 d
    assert (f.days_to_end, f.days_to_notice) == (199, 109)
    assert f.status == "on track"
    assert f.approaching_renewal is False  # 10-02 is 109 d away, window 90


@pytest.mark.parametrize(
    ("changes", "as_of", "expected"),
    [
        # no budget lines: budget, consumed and burn undefined; run-rate forecast
        (dict(budget_lines=0, budget_labour=D(0), budget_material=D(0), planned_to_date=D(0)),
         d(2026, 6, 15),
         {"budget_total": None, "consumed": None, "burn_index": None, "status": "no budget",
          "method": "run rate"}),
        # budget lines summing to zero: total 0, ratios undefined, any spend is over budget
        (dict(budget_labour=D(0), budget_material=D(0), planned_to_date=D(0)), d(2026, 6, 15),
         {"budget_total": D(0), "consumed": None, "burn_index": None, "status": "over budget",
          "method": "run rate"}),
        # before the first budget day: burn undefined, the forecast is the budget
        (dict(actual_labour=D(0), actual_material=D(0), planned_to_date=D(0)), d(2025, 12, 1),
         {"budget_total": D(5475), "consumed": D(0), "burn_index": None, "status": "on track",
          "method": "not started"}),
        # planned visits: the visits forecast, 498.185 + 2 x 249.0925 = 996.37
        (dict(planned_visits=4), d(2026, 6, 15),
         {"forecast": D("996.370"), "method": "visits", "status": "on track"}),
        # no contract value: no margin
        (dict(contract_value=None), d(2026, 6, 15), {"margin": None, "forecast_margin": None}),
        # terminated: never approaching renewal, even inside the window
        (dict(terminated_on=d(2026, 5, 1)), d(2026, 9, 1), {"approaching_renewal": False}),
        ({}, d(2026, 9, 1), {"approaching_renewal": True}),  # notice 10-02 within 90 d
        # other budget counts in the total
        (dict(budget_other=D(25)), d(2026, 6, 15), {"budget_total": D(5500)}),
        # over budget, watch by consumption (consumed 4500/5475 = 0.82 at elapsed 0.45)
        (dict(actual_labour=D(6000), actual_material=D(0)), d(2026, 6, 15), {"status": "over budget"}),
        (dict(actual_labour=D(4500), actual_material=D(0), planned_to_date=D(4500)), d(2026, 6, 15),
         {"status": "watch", "method": "burn", "forecast": D(5475)}),
    ],
)  # fmt: skip
def test_figures_edge_cases(changes: dict, as_of: dt.date, expected: dict) -> None:
    f = _figures(dataclasses.replace(BASE, **changes), as_of, Thresholds())
    got = {
        "budget_total": f.budget_total,
        "consumed": f.consumed,
        "burn_index": f.burn_index,
        "status": f.status,
        "method": f.forecast.method,
        "forecast": f.forecast.total,
        "margin": f.margin,
        "forecast_margin": f.forecast_margin,
        "approaching_renewal": f.approaching_renewal,
    }
    assert {k: got[k] for k in expected} == expected


# no activity: BASE runs 2026-01-01..12-31 (365 days); nothing registered past 25 % of it
NOTHING = dict(actual_labour=D(0), actual_material=D(0), actual_hours=D(0), visits_done=0)


@pytest.mark.parametrize(
    ("changes", "as_of", "flag"),
    [
        (NOTHING, d(2026, 4, 2), True),  # day 92 of 365: 25.2 % > 25 %
        (NOTHING, d(2026, 4, 1), False),  # day 91: 24.9 %
        ({**NOTHING, "actual_hours": D("0.5")}, d(2026, 6, 15), False),  # hours registered at cost 0
        ({**NOTHING, "visits_done": 1}, d(2026, 6, 15), False),  # a visit without lines
        ({**NOTHING, "terminated_on": d(2026, 2, 1)}, d(2026, 6, 15), False),  # nothing is due
        ({}, d(2026, 6, 15), False),  # 498.185 spent
        (NOTHING, d(2027, 3, 1), True),  # ended with nothing: still flagged
    ],
)  # fmt: skip
def test_no_activity_flag(changes: dict, as_of: dt.date, flag: bool) -> None:
    f = _figures(dataclasses.replace(BASE, **changes), as_of, Thresholds())
    assert f.no_activity is flag
    assert (advice.NO_ACTIVITY in [w.action for w in f.why]) is flag
    assert f.status == "on track"  # a flag, not a status


def test_no_activity_share_is_a_setting() -> None:
    inputs = dataclasses.replace(BASE, **NOTHING)
    assert _figures(inputs, d(2026, 6, 15), Thresholds(no_activity_elapsed=D("0.5"))).no_activity is False
    f = _figures(inputs, d(2026, 6, 15), Thresholds(no_activity_elapsed=D("0.4")))
    assert f.no_activity is True  # 166 / 365 = 45.5 %
    assert advice.why_text(f, "en") == "no activity: nothing registered at 45% of the term"
    assert advice.why_text(f, "nl") == "geen activiteit: niets geregistreerd bij 45% van de looptijd"


def test_why_names_the_category_over_its_budget() -> None:
    # labour 4,000 on a labour budget of 3,650 by mid-June: over budget? no (4,198 of 5,475),
    # but the forecast (burn 5,475 x 4198.185 / 2490) is far over: at risk, labour over, ahead
    f = _figures(dataclasses.replace(BASE, actual_labour=D(4000)), d(2026, 6, 15), Thresholds())
    assert f.status == "at risk"
    assert [w.action for w in f.why] == [advice.LABOUR_OVER, advice.AHEAD]
    assert advice.why_text(f, "en") == (
        "labour €4,000 over its budget €3,650; spending ahead of the calendar: €4,198 spent, "
        "€2,490 planned to date"
    )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.integers(-(10**12), 10**12), st.integers(-(2**62), 2**62)),
            st.one_of(st.integers(-40_000, 40_000), st.integers(-(2**40), 2**40)),
            st.integers(-(2**31), 2**31),
            st.one_of(st.integers(-5, 40_000), st.integers(1, 2**45)),
        ),
        min_size=1,
        max_size=40,
    ),
    st.integers(0, 6),
)
def test_exact_totals_equal_python_integers_for_any_sizes(rows: list, places: int) -> None:
    """exact.total takes int64 where float bounds allow and Python ints elsewhere: the same total
    as rounding every row with Decimal-free integer arithmetic."""
    x, y, w, z = (np.array(c, dtype=np.int64) for c in zip(*rows, strict=True))
    got = exact.total([(x, y), (w, -3)], (z,), len(rows), places)
    expected = 0
    for a, b, c, d in rows:
        if d > 0:
            num = (a * b + c * -3) * 10**places
            rounded = (2 * abs(num) + d) // (2 * d)
            expected += -rounded if num < 0 else rounded
    assert got == expected
