"""The decision form under AppTest on both engines (issue 22): its fields belong to one contract
and start from that contract's suggestion, and what is typed is read by the importer's parser."""

from __future__ import annotations

from decimal import Decimal

import handcalc
import pytest
from apptest import open_app

from budgetcore.app import review_ui
from budgetcore.exchange import formats
from budgetcore.figures import frame, settings
from budgetcore.store import access, decisions
from budgetcore.store.database import make_engine, transaction

KEY = "renewals_decision"
WINDOW = "365"  # every running handcalc contract ends within a year of AS_OF


@pytest.fixture
def portfolio(handcalc_app: str) -> str:
    """The hand-built portfolio on this engine, the app on it (conftest.handcalc_app)."""
    return handcalc_app


def engine_prices(url: str) -> dict[str, Decimal | None]:
    """Each contract's renewal price as the engine computes it at AS_OF with the stored settings."""
    engine = make_engine(url)
    with transaction(engine) as session:
        stored = settings.load(session)
        found = frame.load(session, handcalc.AS_OF, stored.thresholds()).figures()
    engine.dispose()
    return {f.contract_number: f.price.suggested_value for f in found}


def recorded(url: str, number: str) -> list[tuple[Decimal | None, str]]:
    engine = make_engine(url)
    with transaction(engine) as session:
        found = [(d.proposed_value, d.decided_by) for d in decisions.history(session, number)]
    engine.dispose()
    return found


def field(at, number: str, name: str):
    return at.text_input(key=review_ui.field_key(KEY, number, name))


def test_the_form_follows_its_contract_and_starts_from_the_suggestion(portfolio: str) -> None:
    prices = engine_prices(portfolio)
    at = open_app("app_pages/renewals.py", as_of=handcalc.AS_OF.isoformat(), within=WINDOW)
    at.toggle(key="renewals_undecided").set_value(True).run()
    first = at.selectbox(key=f"{KEY}_contract").value
    assert prices[first] is not None
    # the proposed value starts as the engine's renewal price, in digits the parser reads back
    assert formats.parse_typed(formats.PROPOSED_VALUE, field(at, first, "value").value) == prices[first]
    assert field(at, first, "by").value == access.os_user()  # no sign-in: the local user

    # a refusal is worded as on import, and writes nothing
    field(at, first, "value").input("(100)")
    at.button(key=f"{KEY}_save").click().run()
    assert [e.value for e in at.error] == ["Proposed value: must not be negative"]
    assert recorded(portfolio, first) == []

    field(at, first, "value").input("12.500")  # Dutch thousands, as the importer reads them
    field(at, first, "by").input("Anna")
    at.button(key=f"{KEY}_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert recorded(portfolio, first) == [(Decimal("12500.00"), "Anna")]

    # "No decision yet" is on: the list moves on to the next contract, and so does the form,
    # starting afresh from that contract's suggestion, not from what was typed for the first
    second = at.selectbox(key=f"{KEY}_contract").value
    assert second != first
    assert first not in at.selectbox(key=f"{KEY}_contract").options
    shown = field(at, second, "value").value
    assert shown != "12.500" and formats.parse_typed(formats.PROPOSED_VALUE, shown) == prices[second]
    assert field(at, second, "by").value == access.os_user()
    assert not [w for w in at.text_input if w.key and w.key.startswith(f"{KEY}:{first}:")]

    field(at, second, "value").input("€ 6.250,-")  # whole euros
    at.button(key=f"{KEY}_save").click().run()
    assert not at.error, [e.value for e in at.error]
    assert recorded(portfolio, second) == [(Decimal("6250.00"), access.os_user())]


def test_the_dutch_form_shows_the_suggestion_in_dutch_digits(warm_handcalc: str) -> None:
    """Only reads: the module's one copy of the portfolio on each engine (conftest.warm_handcalc)."""
    prices = engine_prices(warm_handcalc)
    at = open_app("app_pages/renewals.py", as_of=handcalc.AS_OF.isoformat(), within=WINDOW, lang="nl")
    choice = at.selectbox(key=f"{KEY}_contract")
    number = next(n for n in choice.options if (prices[n] or 0) >= 1000)  # so the thousands mark shows
    choice.select(number).run()
    shown = field(at, number, "value").value
    price = prices[number]
    assert "." in shown and shown.endswith("," + f"{price:.2f}"[-2:])  # '12.345,67'
    assert formats.parse_typed(formats.PROPOSED_VALUE, shown) == price


def test_the_renewals_packs_are_prepared_with_progress_shown(portfolio: str) -> None:
    from budgetcore import i18n

    at = open_app("app_pages/renewals.py", as_of=handcalc.AS_OF.isoformat(), within=WINDOW, lang="nl")
    before = len(at.get("download_button"))  # the list's CSV; the packs are built on request
    at.button(key="packs_prepare").click().run()
    assert not at.exception
    [status] = at.status
    assert status.label == i18n.t("The review packs are ready.", "nl") and status.state == "complete"
    steps = [m.value for m in status.markdown]
    assert steps == [i18n.t(s, "nl") for s in ("Reading the renewals list…", "Writing the workbook…",
                                               "Writing the printable page…")]  # fmt: skip
    [bar] = status.get("progress")
    assert bar.value == 100
    assert len(at.get("download_button")) == before + 2
    # a recorded decision drops them: the next packs show it
    number = at.selectbox(key=f"{KEY}_contract").value
    field(at, number, "by").input("Anna")
    at.button(key=f"{KEY}_save").click().run()
    assert len(at.get("download_button")) == before and not at.status
