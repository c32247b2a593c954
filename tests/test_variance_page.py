"""Variance per period on the contract page under AppTest, on both engines (issue 22): a week into
a quarter, the running quarter is compared with its planned to date, and the page says so."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from apptest import open_app

from budgetcore import i18n

NUMBER = "K-001"  # budget 3650.00 labour + 1825.00 material over its term 2026-01-01 .. 2026-12-31
BUDGET, TERM_DAYS = Decimal("5475.00"), 365
AS_OF = dt.date(2026, 7, 7)  # a week into the term's third quarter (2026-07-01 .. 2026-09-30)


@pytest.fixture
def portfolio(warm_handcalc: str) -> str:
    """The hand-built portfolio on this engine, the app on it, shared by the module's tests, which
    only read it (conftest.warm_handcalc)."""
    return warm_handcalc


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_running_quarter_is_compared_with_its_planned_to_date(portfolio: str, lang: str) -> None:
    at = open_app("app_pages/contract.py", contract=NUMBER, as_of=AS_OF.isoformat(), lang=lang)
    table = next(d.value for d in at.dataframe if i18n.t("Planned to date", lang) in d.value.columns)
    running = table[table[i18n.t("State", lang)] == i18n.t("running", lang)].iloc[0]
    # an unphased budget: the quarter's budget is 92 of 365 days, a week in 7 of them are due
    quarter, week = BUDGET * 92 / TERM_DAYS, BUDGET * 7 / TERM_DAYS
    assert running[i18n.t("Budget", lang)] == i18n.money(quarter, lang)
    assert running[i18n.t("Planned to date", lang)] == i18n.money(week, lang)
    # no cost yet this quarter (the last work order was 2026-06-20): -100 % of a week, said as such
    assert running[i18n.t("Actual", lang)] == i18n.money(Decimal(0), lang)
    assert running[i18n.t("Variance", lang)] == i18n.t("{amount} under", lang, amount=i18n.money(week, lang))
    said = " ".join(c.value for c in at.caption).replace("\\", "").replace("\u2060", "")  # text.markdown
    assert (
        i18n.t(
            "The running period ({first} – {last}) is compared with its budget planned to date: {planned} of "
            "its {budget} by {as_of} ({days} of {total} days), not with its whole budget.",
            lang,
            first=i18n.date(dt.date(2026, 7, 1), lang),
            last=i18n.date(dt.date(2026, 9, 30), lang),
            planned=i18n.money(week, lang),
            budget=i18n.money(quarter, lang),
            as_of=i18n.date(AS_OF, lang),
            days="7",
            total="92",
        )
        in said
    )
