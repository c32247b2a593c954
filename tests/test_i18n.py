"""Language: Babel formats per language, and every user-visible text has its Dutch translation."""

from __future__ import annotations

import ast
import datetime as dt
import re
import string
from decimal import Decimal
from pathlib import Path

import pytest

from budgetcore import i18n
from budgetcore.figures import advice, calibration, codes, contract_detail, metrics, pricing
from budgetcore.i18n import t

NL = i18n.catalogue("nl")  # English -> Dutch, as the .po has it

ROOT = Path(__file__).resolve().parent.parent
NBSP = "\xa0"


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (Decimal("1234.56"), "nl", f"€{NBSP}1.234,56"),
        (Decimal("1234.56"), "en", "€1,234.56"),
        (Decimal("-0.005"), "nl", f"€{NBSP}-0,01"),  # half up, away from zero
        (Decimal("0.125"), "en", "€0.13"),  # Babel alone would give 0.12
        (Decimal("1234567"), "nl", f"€{NBSP}1.234.567,00"),
        (None, "nl", ""),
    ],
)
def test_money(value, lang, expected) -> None:
    assert i18n.money(value, lang) == expected


def test_money_without_cents_and_other_currency() -> None:
    assert i18n.money(Decimal("1234.5"), "nl", cents=False) == f"€{NBSP}1.235"
    assert i18n.money(Decimal("-1234.5"), "en", cents=False) == "-€1,235"
    assert i18n.money(Decimal("10"), "en", "USD") == "US$10.00"


@pytest.mark.parametrize(
    ("func", "value", "lang", "expected"),
    [
        (i18n.number, Decimal("1234.5"), "nl", "1.234,50"),
        (i18n.number, Decimal("1234.5"), "en", "1,234.50"),
        (i18n.number, 3, "nl", "3,00"),
        (i18n.percent, Decimal("0.8734"), "nl", "87%"),
        (i18n.percent, Decimal("0.8734"), "en", "87%"),
        (i18n.percent, Decimal("1.5"), "en", "150%"),
        (i18n.date, dt.date(2026, 3, 31), "nl", "31-03-2026"),
        (i18n.date, dt.date(2026, 3, 31), "en", "31 Mar 2026"),
        (i18n.month, dt.date(2026, 3, 1), "nl", "mrt 2026"),
        (i18n.month, dt.date(2026, 3, 1), "en", "Mar 2026"),
        (i18n.date, None, "nl", ""),
    ],
)
def test_formats_per_language(func, value, lang, expected) -> None:
    assert func(value, lang) == expected


def test_percent_decimals() -> None:
    assert i18n.percent(Decimal("0.12345"), "nl", decimals=1) == "12,3%"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("nl", "nl"),
        ("nl-NL", "nl"),
        ("nl_BE", "nl"),
        ("NL", "nl"),
        ("en-US", "en"),
        ("de-DE", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_language_from_browser_codes(code, expected) -> None:
    assert i18n.language(code) == expected


def test_t_translates_and_fills_placeholders() -> None:
    assert t("Renewals", "nl") == "Verlengingen"
    assert t("As of {date}", "nl", date="31-03-2026") == "Peildatum 31-03-2026"
    assert t("As of {date}", "en", date="31 Mar 2026") == "As of 31 Mar 2026"
    assert t("a text nobody translated", "nl") == "a text nobody translated"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_translations_keep_their_placeholders() -> None:
    wrong = {k: v for k, v in NL.items() if _fields(k) != _fields(v)}
    assert not wrong


def _literal_keys(path: Path) -> set[str]:
    """First-argument string literals of t(...), i18n.t(...) and tables' Column(...) in one file."""
    keys = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        first = node.args[0]
        if name in ("t", "Column") and isinstance(first, ast.Constant) and isinstance(first.value, str):
            keys.add(first.value)
    return keys


SOURCES = sorted(  # not the schema's revisions: their sa.Column("name", ...) are column names, no text
    [ROOT / "dashboard.py", *(ROOT / "app_pages").glob("*.py"),
     *(p for p in (ROOT / "budgetcore").rglob("*.py") if "migrations" not in p.parts)],
)  # fmt: skip


def test_source_scan_finds_the_keys() -> None:
    """The scan itself works: it sees keys used by the review pack."""
    keys = set().union(*(_literal_keys(p) for p in (ROOT / "budgetcore").rglob("report*.py")))
    assert {"Renewal review", "Suggested action", "Work orders", "No contracts in this selection."} <= keys


@pytest.mark.parametrize("path", [p for p in SOURCES if p.exists()], ids=lambda p: p.name)
def test_every_text_in_the_source_has_dutch(path: Path) -> None:
    assert i18n.missing(sorted(_literal_keys(path))) == []


def test_every_domain_word_has_dutch() -> None:
    words = [
        *metrics.STATUSES,
        *metrics.FORECAST_METHODS.values(),
        *metrics.FORECAST_SETTINGS,
        calibration.LOWEST,
        calibration.TOO_FEW,
        *advice.ACTIONS,
        *advice.REASONS.values(),
        *contract_detail.FINDINGS.values(),
        pricing.NO_FORECAST,
        pricing.NO_COST,
        *codes.CONTRACT_TYPES.values(),  # contract types: 'yearly_orders' is shown as 'yearly orders'
        *codes.CATEGORIES.values(),  # budget categories: 'labour' is shown as 'Labour'
        *codes.WORK_ORDER_TYPES.values(),
        *codes.WORK_ORDER_STATUSES.values(),
        *codes.HOUR_TYPES.values(),
    ]
    assert i18n.missing(words) == []


def test_dutch_is_not_english_left_in_place() -> None:
    """Catch a copied key: a Dutch text equal to its English key is allowed only for words
    that are the same in both languages."""
    same = {k for k, v in NL.items() if k == v and re.search(r"[a-z]{4}", k)}
    assert same <= {"Contract", "Status", "Budget", "Accountmanager", "extra", "Marge", "open"}


def test_the_charts_write_numbers_with_the_languages_marks() -> None:
    from budgetcore.app import charts

    assert (charts.separators("nl"), charts.separators("en")) == (",.", ".,")  # Plotly: decimal, then group
    assert (i18n.money_prefix("EUR", "nl"), i18n.money_prefix("GBP", "en")) == ("€\xa0", "£")


def test_september_is_sep_in_every_english_date() -> None:
    # Babel's British English says "Sept"; the charts' axes say "Sep" (issue 14)
    assert i18n.date(dt.date(2026, 9, 3), "en") == "3 Sep 2026"
    assert i18n.month(dt.date(2026, 9, 1), "en") == "Sep 2026"
    assert i18n.month(dt.date(2026, 9, 1), "nl") == "sep 2026"


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
@pytest.mark.parametrize("currency", ["EUR", "USD", "CHF", "JPY"])
@pytest.mark.parametrize("cents", [True, False])
def test_the_fast_money_formatter_writes_what_money_writes(lang: str, currency: str, cents: bool) -> None:
    import random

    shown = i18n.money_formatter(lang, currency, cents)
    rng = random.Random(f"{lang}{currency}{cents}")
    values = [Decimal(rng.randint(-(10**13), 10**13)) / Decimal(10 ** rng.randint(0, 5)) for _ in range(400)]
    values += [Decimal(x) for x in ("0", "-0", "0.005", "-0.005", "0.015", "-2.675", "999999.995", "1E+3")]
    assert [shown(v) for v in values] == [i18n.babel_money(v, lang, currency, cents) for v in values]
    assert shown(None) == "" and i18n.money(values[0], lang, currency, cents) == shown(values[0])


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
@pytest.mark.parametrize("decimals", [0, 1, 2])
def test_percent_writes_what_babel_writes(lang: str, decimals: int) -> None:
    import random

    rng = random.Random(f"{lang}{decimals}")
    values = [Decimal(rng.randint(-(10**9), 10**9)) / Decimal(10 ** rng.randint(0, 8)) for _ in range(400)]
    values += [Decimal(x) for x in ("0", "-0", "0.125", "0.135", "-0.00499", "-0.005", "0.0005", "1E-7", "2")]
    assert [i18n.percent(v, lang, decimals) for v in values] == [
        i18n.babel_percent(v, lang, decimals) for v in values
    ]
    assert (
        i18n.percent(0.8734, lang) == i18n.babel_percent(0.8734, lang, 0) and i18n.percent(None, lang) == ""
    )
