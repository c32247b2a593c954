"""What a Dutch reader sees (issue 22, item 8): the audit trail in words, the renewal window
named apart from the renewal period, one percent format per language, plurals."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from apptest import open_app
from sqlalchemy import Engine

from budgetcore import i18n
from budgetcore.exchange import demo
from budgetcore.exchange.formats import COLUMNS
from budgetcore.figures import settings
from budgetcore.figures.settings import Settings
from budgetcore.store import decisions
from budgetcore.store.access import Actor
from budgetcore.store.database import make_engine, transaction
from budgetcore.store.schema import prepared

NL = i18n.catalogue("nl")  # English -> Dutch, as the .po has it

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def trail_url(tmp_path_factory: pytest.TempPathFactory, schema_template: Callable[[Engine], None]) -> str:
    """The demo as the app's first start loads it, a decision from the renewals page, a settings change."""
    url = f"sqlite:///{tmp_path_factory.mktemp('words') / 'trail.db'}"
    engine = make_engine(url)
    schema_template(engine)  # conftest: the schema prepare() makes, without an Alembic run
    engine = prepared(engine)
    assert demo.load_if_empty(engine, contracts=20, today=TODAY, history=False) is not None
    with transaction(engine) as session:
        number = demo_number(session)
        page = Actor("anouk@example.nl", "page:renewals_decision", operator=True)
        decisions.record_decision(session, number, "re-price", decided_by="Anouk", proposed_value=Decimal("12500"),
                                  state="agreed with customer", actor=page)  # fmt: skip
        settings.save(session, Settings(target_margin=Decimal("0.2")), Actor("anouk", "cli", operator=True))
    engine.dispose()
    return url


def demo_number(session) -> str:
    from budgetcore.figures import portfolio

    return portfolio.portfolio(session, TODAY)[0].contract_number


def test_the_dutch_audit_trail_says_what_happened_in_dutch(app_on, trail_url: str) -> None:
    app_on(trail_url)
    at = open_app("app_pages/audit.py", lang="nl")
    table = at.dataframe[0].value
    cells = " | ".join(str(v) for column in table.columns for v in table[column])
    for internal in (
        "{",
        '"',
        "page:",
        "decide",
        "demo-load",
        "the app's first start",
        "target_margin",
        "cli",
    ):
        assert internal not in cells, (internal, cells[:400])
    for words in ("Verlengingsbesluit", "pagina Verlengingen", "Demo geladen", "de eerste start van de app",
                  "Instellingen gewijzigd", "doelmarge", "de opdrachtregel", "prijs herzien", "12500"):  # fmt: skip
        assert words in cells, (words, cells[:600])
    assert re.search(r"contracten \d+", cells)  # the demo's rows, counted in words
    assert at.selectbox(key="audit_action").format_func("decide") == "Verlengingsbesluit"


def test_the_renewal_window_is_not_the_renewal_period_in_dutch() -> None:
    """'verlengingstermijn' is the template's column for the months a renewal runs (renewal_months);
    the days before an end date in which a contract approaches renewal are the 'verlengingsvenster'."""
    period = next(c for c in COLUMNS["contracts"] if c.name == "renewal_months").aliases[0]
    assert period == "verlengingstermijn (maanden)"
    window = {k: v for k, v in NL.items() if "renewal window" in k.lower()}
    assert window
    for english, dutch in window.items():
        assert "verlengingstermijn" not in dutch.lower(), english
        assert "verlengingsvenster" in dutch.lower(), english


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_one_percent_format_per_language(lang: str) -> None:
    """Babel writes '25%' in English and in Dutch; every percentage the app writes says it so."""
    written = i18n.percent(Decimal("0.25"), lang)
    assert written == i18n.percent_formatter(lang)(0.25)
    suffix = written.removeprefix("25")
    for english, dutch in NL.items():
        text = dutch if lang == "nl" else english
        for found in re.findall(r"\d+(\s?)%", text):
            assert found == suffix.removesuffix("%"), (english, text)


@pytest.mark.parametrize(
    ("count", "lang", "expected"),
    [
        (1, "en", "Not drawn: 1 contract without a budget."),
        (2, "en", "Not drawn: 2 contracts without a budget."),
        (1, "nl", "Niet getekend: 1 contract zonder budget."),
        (1200, "nl", "Niet getekend: 1.200 contracten zonder budget."),
    ],
)
def test_a_count_of_one_is_singular(count: int, lang: str, expected: str) -> None:
    one, other = "Not drawn: {n} contract without a budget.", "Not drawn: {n} contracts without a budget."
    assert i18n.plural(count, one, other, lang) == expected


def test_every_counted_text_of_the_pages_has_both_forms_in_dutch() -> None:
    """The pages' i18n.plural calls: both forms are keys of the Dutch catalogue."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    found = []
    for path in [*(root / "app_pages").glob("*.py"), *(root / "budgetcore").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "plural":
                found += [a.value for a in node.args[1:3] if isinstance(a, ast.Constant)]
    assert len(found) >= 8
    assert i18n.missing(found) == []


def test_the_margin_help_counts_one_contract_in_the_singular(app_on, trail_url: str) -> None:
    from budgetcore.figures import portfolio

    engine = prepared(make_engine(trail_url))
    with transaction(engine) as session:
        every = portfolio.portfolio(session, TODAY)
    engine.dispose()
    valued: dict[tuple[str, str, str], int] = {}
    for f in every:
        key = (f.inputs.customer, f.inputs.type, f.status)
        valued[key] = valued.get(key, 0) + bool(f.inputs.contract_value)
    customer, kind, status = next(key for key, n in valued.items() if n == 1)
    app_on(trail_url)
    at = open_app(customer=customer, type=kind, status=status, contracts="all")  # one contract with a value
    margin = at.metric[4].help
    assert "over the 1 contract with a value" in margin, margin
