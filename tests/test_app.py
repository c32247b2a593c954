"""The Streamlit app under AppTest: every page on the demo and on an empty database, filters, links."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import ClassVar

import oracle
import pandas as pd
import pyarrow as pa
import pytest
from apptest import open_app
from pandas.io.formats.style import Styler
from streamlit.elements.lib.pandas_styler_utils import marshall_styler
from streamlit.proto.ArrowData_pb2 import ArrowData
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from budgetcore import cli, i18n
from budgetcore.app import compat, reads, sidebar, tables
from budgetcore.app.start import NO_DEMO_ENV, prepare_database
from budgetcore.app.text import markdown as escaped
from budgetcore.exchange import demo
from budgetcore.figures import advice, attention, frame, last_term, portfolio, pricing, settings
from budgetcore.figures.metrics import ContractFigures
from budgetcore.review import term_rows
from budgetcore.store import contract_reads, decisions
from budgetcore.store.database import default_url, make_engine, transaction
from budgetcore.store.schema import prepared

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")
TODAY = dt.date(2026, 11, 27)
PAGES = ("app_pages/overview.py", "app_pages/renewals.py", "app_pages/contract.py")


# conftest: the module's one copy of the demo, today fixed, the app's caches warm from test to test;
# a test that writes, patches what the app caches, or counts what a cold start does also asks for
# fresh_app (its own copy of the demo, fresh caches)
pytestmark = pytest.mark.usefixtures("warm_demo")
cold = pytest.mark.usefixtures("fresh_app")


@pytest.fixture
def empty(monkeypatch: pytest.MonkeyPatch, fresh_app: None) -> None:
    """An empty database, prepared as the server's start prepares it with the demo switched off."""
    monkeypatch.setenv(NO_DEMO_ENV, "1")
    prepare_database()


run = open_app  # the app opened on a page with query parameters (tests/apptest.py)


def texts(at: AppTest) -> str:
    """Every message, caption, title and markdown text on the page, joined."""
    parts = [
        e.value
        for kind in ("info", "warning", "caption", "title", "markdown", "success")
        for e in at.get(kind)
    ]
    return "\n".join(str(p) for p in parts)


def param(at: AppTest, name: str) -> list[str]:
    """A query parameter's values as a list (AppTest gives a lone value as a string)."""
    value = at.query_params.get(name, [])
    return [value] if isinstance(value, str) else list(value)


_FIGURES: dict[str, list[ContractFigures]] = {}


def demo_figures() -> list[ContractFigures]:
    """Every contract's figures on TODAY (portfolio.portfolio) in the app's database, read once per
    database: the tests that ask share the module's demo, which none writes into (warm_demo)."""
    url = default_url()
    if url not in _FIGURES:
        engine = prepared(make_engine(url))
        with transaction(engine) as session:
            _FIGURES[url] = portfolio.portfolio(session, TODAY)
        engine.dispose()
    return _FIGURES[url]


def demo_numbers() -> list[str]:
    return [f.contract_number for f in demo_figures()]


def test_overview_on_the_demo_portfolio() -> None:
    at = run(contracts="all")  # every contract, in one table
    assert "Demo data" in texts(at)
    # the app's demo: 300 contracts and 181 completed previous terms (demo.generate(history=True))
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == 481
    assert [m.label for m in at.metric][:5] == [
        "Contracts",
        "Budget total",
        "Actual to date",
        "Forecast at end",
        "Margin to date",
    ]
    assert at.metric[0].value == "481"
    assert len(at.get("plotly_chart")) == 2


@pytest.mark.parametrize("page", PAGES[1:])
def test_other_pages_render_on_the_demo(page: str) -> None:
    number = "CT-2023-00004"
    at = run(page, contract=number)
    assert at.dataframe, "a table"
    assert at.get("plotly_chart") or page.endswith("renewals.py")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_says_no_contracts_yet_on_an_empty_database(empty: None, page: str) -> None:
    at = run(page if page != PAGES[0] else None)
    shown = texts(at)
    if page.endswith("contract.py"):
        assert "No contract chosen" in shown
    else:
        assert "No contracts yet" in shown
    assert "Demo data" not in shown
    assert not at.dataframe


@cold
def test_an_import_shows_at_once(empty: None) -> None:
    at = run()
    assert "No contracts yet" in texts(at)
    demo.load(prepared(make_engine()), contracts=20, today=TODAY)  # bumps the data version
    at.radio(key="f_scope").set_value("all").run()
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == 20


def test_a_status_filter_narrows_the_table_and_the_url() -> None:
    at = run()
    before = at.dataframe[0].value
    at.multiselect(key="f_status").select("over budget").run()
    after = at.dataframe[0].value
    assert 0 < len(after) < len(before)
    assert set(after["status"]) == {"over budget"}
    assert param(at, "status") == ["over budget"]
    assert at.metric[0].value == str(len(after))


def test_query_parameters_reproduce_a_view() -> None:
    at = run(status=["at risk", "watch"], type="preventive")
    frame = at.dataframe[0].value
    assert len(frame) > 0 and set(frame["status"]) <= {"at risk", "watch"}
    assert at.multiselect(key="f_type").value == ["preventive"]
    with transaction(prepared(make_engine())) as session:
        expected = portfolio.portfolio(
            session, TODAY, filters=portfolio.Filters(types=("preventive",), statuses=("at risk", "watch"))
        )
    assert list(frame["contract"]) == [f.contract_number for f in oracle.by_pressure(expected)]


def test_as_of_and_renewal_window_filters() -> None:
    at = run()
    everything = len(at.dataframe[0].value)
    at.number_input(key="f_within").set_value(30).run()
    soon = at.dataframe[0].value
    assert 0 < len(soon) < everything
    assert param(at, "within") == ["30"]
    at.date_input(key="f_as_of").set_value(dt.date(2026, 1, 31)).run()
    assert param(at, "as_of") == ["2026-01-31"]
    assert not at.exception


def test_unknown_query_values_are_ignored() -> None:
    at = run(status="no such status", customer="Nobody", as_of="yesterday", within="soon", contracts="all")
    assert len(at.dataframe[0].value) == 481


def test_the_contract_parameter_opens_that_contract() -> None:
    number = demo_numbers()[42]
    at = run("app_pages/contract.py", contract=number)
    assert at.title[0].value == escaped(number)  # imported text, escaped for markdown
    assert len(at.dataframe) == 6  # categories, work orders, hours, materials, per period, billed on top
    assert len(at.get("plotly_chart")) == 1


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_a_table_without_rows_says_so_in_the_language(lang: str) -> None:
    """Streamlit draws an empty grid with the English word "empty" in it: a contract without work
    orders shows a line in the reader's language instead of its empty tables."""
    idle = next(f for f in demo_figures() if f.inputs.visits_done == 0
                and not f.inputs.actual_labour and not f.inputs.actual_material)  # fmt: skip
    at = run("app_pages/contract.py", contract=idle.contract_number, lang=lang)
    assert all(len(d.value) for d in at.dataframe), "no empty grid"
    said = i18n.t("Nothing to show here.", lang)
    assert [c.value for c in at.caption].count(said) >= 3  # work orders, hours, materials


@pytest.mark.parametrize("number", ["NOPE-1", "=cmd|' /C calc'!A0", " "])
def test_an_unknown_contract_gets_a_message_and_a_way_back(number: str) -> None:
    at = run("app_pages/contract.py", contract=number)
    shown = texts(at)
    assert "There is no contract with number" in shown or "No contract chosen" in shown
    assert at.get("page_link"), "a link back"
    assert not at.dataframe


def test_renewals_list_soonest_first_with_action_and_csv() -> None:
    at = run("app_pages/renewals.py")
    frame = at.dataframe[0].value
    with transaction(prepared(make_engine())) as session:
        expected = portfolio.renewals(session, TODAY)
    assert list(frame["contract"]) == [f.contract_number for f in expected]
    assert list(frame["deadline"]) == sorted(frame["deadline"])
    assert (
        frame["action"].isin(["renew as is", "re-price", "terminate?", "review scope", "set a budget"]).all()
    )
    assert frame["reason"].str.len().min() > 10
    assert at.get("download_button")


def test_renewal_counts_are_every_contract_in_the_window() -> None:
    at = run("app_pages/renewals.py", within="120")
    with transaction(prepared(make_engine())) as session:
        expected = portfolio.renewals(session, TODAY, within_days=120)
    actions = [advice.suggest(f).action for f in expected]
    counted = {m.label: m.value for m in at.metric}
    assert counted == {"Contracts": str(len(expected))} | {a: str(actions.count(a)) for a in set(actions)}


@cold
def test_a_long_renewals_list_is_sorted_and_paged_on_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past grids.PAGE_ROWS rows the renewals page shows one page of the list, in its own order
    (soonest deadline first) or in the one chosen over all rows; the counts stay every row's."""
    monkeypatch.setattr("budgetcore.app.grids.PAGE_ROWS", 20)
    at = run("app_pages/renewals.py", within="200")
    with transaction(prepared(make_engine())) as session:
        expected = portfolio.renewals(session, TODAY, within_days=200)
    assert len(expected) > 40
    numbers = [f.contract_number for f in expected]
    assert list(at.dataframe[0].value["contract"]) == numbers[:20]
    assert at.metric[0].value == str(len(expected))
    assert at.number_input(key="renewals_page").max == -(-len(expected) // 20)
    assert at.selectbox(key="renewals_sort").options == list(tables.RENEWAL_SORTS.values())

    at.number_input(key="renewals_page").set_value(2).run()
    assert list(at.dataframe[0].value["contract"]) == numbers[20:40]
    assert f"Rows 21–40 of {len(expected)}" in [c.value for c in at.caption]

    at.selectbox(key="renewals_sort").select("forecast").run()
    at.toggle(key="renewals_desc").set_value(True).run()
    assert at.number_input(key="renewals_page").value == 1, "another order starts on page 1"
    by_number = sorted(expected, key=lambda f: f.contract_number)
    by_forecast = sorted(
        (f for f in by_number if f.forecast.total is not None), key=lambda f: f.forecast.total, reverse=True
    ) + [f for f in by_number if f.forecast.total is None]
    assert list(at.dataframe[0].value["contract"]) == [f.contract_number for f in by_forecast[:20]]

    # the shown page still has every renewal column, exact: the action and the price
    shown = {f.contract_number: f for f in by_forecast[:20]}
    table = at.dataframe[0].value
    for number, action, deadline in zip(table["contract"], table["action"], table["deadline"], strict=True):
        f = shown[number]
        assert action == advice.suggest(f).action
        assert deadline == f.next_deadline


class _Downloads(MediaFileManager):
    """AppTest's media files, kept within reach: a deferred download is built by clicking it here."""

    made: ClassVar[list[_Downloads]] = []

    def __init__(self, storage: MemoryMediaFileStorage) -> None:
        super().__init__(storage)
        self.storage = storage
        _Downloads.made.append(self)

    def click(self, file_id: str) -> bytes:
        url = self.execute_deferred(file_id)
        return self.storage.get_file(url.rsplit("/", 1)[1]).content


@cold
def test_the_renewals_csv_is_the_whole_list_built_when_clicked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("budgetcore.app.grids.PAGE_ROWS", 20)
    monkeypatch.setattr("streamlit.testing.v1.app_test.MediaFileManager", _Downloads)
    at = run("app_pages/renewals.py", within="200")
    with transaction(prepared(make_engine())) as session:
        expected = portfolio.renewals(session, TODAY, within_days=200)
    assert len(at.dataframe[0].value) == 20 < len(expected)
    (button,) = [b for b in at.get("download_button") if "renewals_csv" in b.proto.id]
    assert button.proto.deferred_file_id and not button.proto.url, "built only when clicked"
    csv_text = _Downloads.made[-1].click(button.proto.deferred_file_id).decode()
    # the same CSV as `renewals --format csv`: one writer (figures/table.renewals_csv)
    printed = io.StringIO()
    args = ["renewals", "--as-of", TODAY.isoformat(), "--within", "200", "--format", "csv"]
    assert cli.main(args, out=printed) == 0
    assert csv_text == printed.getvalue()
    assert len(csv_text.splitlines()) == len(expected) + 1


def test_the_overview_csv_is_what_summary_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("streamlit.testing.v1.app_test.MediaFileManager", _Downloads)
    at = run(None)
    (button,) = [b for b in at.get("download_button") if "overview_csv" in b.proto.id]
    csv_text = _Downloads.made[-1].click(button.proto.deferred_file_id).decode()
    printed = io.StringIO()
    assert cli.main(["summary", "--as-of", TODAY.isoformat(), "--format", "csv"], out=printed) == 0
    # the overview lists the running contracts, most pressing first; summary every contract
    header, *rows = csv_text.splitlines()
    every = printed.getvalue().splitlines()
    assert header == every[0]
    assert rows and set(rows) <= set(every[1:])


def test_renewals_follow_the_sidebar_window() -> None:
    at = run("app_pages/renewals.py", within="30")
    shorter = len(at.dataframe[0].value)
    at.number_input(key="f_within").set_value(180).run()
    assert len(at.dataframe[0].value) > shorter


def test_dutch_by_query_parameter_renders() -> None:
    at = run(lang="nl")
    assert at.dataframe
    dutch = i18n.t("Portfolio overview", "nl")
    assert dutch != "Portfolio overview" and at.title[0].value == dutch


def display_values(element: object) -> pd.DataFrame:
    """The text a table shows in its cells (the Styler's), beside the numbers it sorts by."""
    styler = element.proto.arrow_data.styler  # type: ignore[attr-defined]
    return pa.ipc.open_stream(styler.display_values).read_pandas()


@pytest.mark.parametrize(("lang", "decimal", "group"), [("nl", ",", "."), ("en", ".", ",")])
def test_table_numbers_follow_the_language(lang: str, decimal: str, group: str) -> None:
    number = demo_numbers()[42]
    at = run("app_pages/contract.py", contract=number, lang=lang)
    hours = at.dataframe[2]  # categories, work orders, hours, materials
    assert hours.value["hours"].dtype.kind == "f", "still numbers, so the column sorts by them"
    shown = display_values(hours)
    for value, text in zip(hours.value["hours"], shown["hours"], strict=True):
        assert text == f"{value:,.1f}".replace(",", "_").replace(".", decimal).replace("_", group)
    overview = display_values(run(lang=lang).dataframe[0])
    assert overview["burn"].str.contains(rf"^\d\{decimal}\d\d$").any()
    assert overview["budget"].str.contains(rf"^\d{{1,3}}\{group}\d{{3}}$").any()


@cold
def test_a_table_drawn_again_reuses_its_styler_and_sends_what_a_new_one_sends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[tuple[Styler, Styler]] = []  # (the Styler as table() makes it, the one it draws with)
    translated_once = compat.translated_once

    def translate(styler: Styler) -> Styler:
        made.append((styler, translated_once(styler)))
        return made[-1][1]

    monkeypatch.setattr(compat, "translated_once", translate)
    first = run(lang="nl")
    assert len(made) == len(first.dataframe) == 2  # the running contracts and the ended ones
    again = run(lang="nl")
    assert len(made) == 2, "the second run draws the same display frames with the Styler made once"
    for before, after in zip(first.dataframe, again.dataframe, strict=True):
        assert before.proto.arrow_data.styler == after.proto.arrow_data.styler
    english = run(lang="en")
    assert len(made) == 4, "another language, another Styler"
    assert display_values(english.dataframe[0])["budget"].str.contains(r"^\d{1,3},\d{3}$").any()
    assert display_values(again.dataframe[0])["budget"].str.contains(r"^\d{1,3}\.\d{3}$").any()
    for styler, drawn in made:  # the text and colours Streamlit sends, as without the cache
        assert drawn.data is styler.data, "the same numbers, so a column header sorts by them"
        sent, expected = ArrowData(), ArrowData()
        marshall_styler(sent, drawn, "")
        marshall_styler(expected, styler, "")
        assert sent.styler.display_values == expected.styler.display_values
        assert sent.styler.styles == expected.styler.styles.replace(f"#T_{styler.uuid}", f"#T_{drawn.uuid}")
        assert "color: " in sent.styler.styles  # the status in its colour


def test_renewals_show_the_price_suggestion_at_the_stored_target_margin() -> None:
    at = run("app_pages/renewals.py", lang="nl")
    frame = at.dataframe[0].value
    with transaction(prepared(make_engine())) as session:
        expected = [pricing.for_contract(f, Decimal("0.15")) for f in portfolio.renewals(session, TODAY)]
    assert list(frame["price"]) == [
        p.suggested_value and p.suggested_value.quantize(Decimal(1), ROUND_HALF_UP) for p in expected
    ]
    changes = display_values(at.dataframe[0])["change"]
    # a missing change shows "—", never None (issue 14)
    assert changes.str.fullmatch(r"[+-]?\d+%|—").all() and changes.str.startswith("+").any()
    assert "—" in set(changes) and "None" not in set(changes)
    assert at.dataframe[0].proto.placeholder == "—"  # what the grid writes for a missing value
    table = at.dataframe[0].proto
    assert table.row_height > 64, "rows tall enough that Streamlit wraps the reason"
    config = json.loads(table.columns)
    assert list(config)[:9] == [
        "contract",
        "customer",
        "status",
        "decision",  # the renewal decision recorded so far (review_ui.with_decisions)
        "action",
        "reason",
        "price",
        "change",
        "deadline",  # after the price: the key columns fit at 1440 px (issue 22, item 5)
    ]
    assert config["price"]["label"] == "Verlengingsprijs (€)" and config["status"]["width"] >= 100


@cold
def test_a_long_table_is_sorted_and_paged_on_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past grids.PAGE_ROWS rows the overview sends one page, in the order chosen over all rows."""
    monkeypatch.setattr("budgetcore.app.grids.PAGE_ROWS", 100)
    at = run(type="preventive", contracts="all")
    with transaction(prepared(make_engine())) as session:
        expected = portfolio.portfolio(session, TODAY, filters=portfolio.Filters(types=("preventive",)))
    assert len(expected) > 100
    assert (
        list(at.dataframe[0].value["contract"])
        == [f.contract_number for f in oracle.by_pressure(expected)][:100]
    )
    assert at.number_input(key="overview_page").max == -(-len(expected) // 100)

    at.selectbox(key="overview_sort").select("budget").run()
    at.toggle(key="overview_desc").set_value(True).run()
    at.number_input(key="overview_page").set_value(2).run()
    by_budget = sorted(
        sorted((f for f in expected if f.budget_total is not None), key=lambda f: f.contract_number),
        key=lambda f: f.budget_total,
        reverse=True,
    ) + sorted((f for f in expected if f.budget_total is None), key=lambda f: f.contract_number)
    assert list(at.dataframe[0].value["contract"]) == [f.contract_number for f in by_budget[100:200]]
    assert f"Rows 101–{min(200, len(expected))} of {len(expected)}" in [c.value for c in at.caption]

    # another filter starts again on page 1
    at.multiselect(key="f_status").select("on track").run()
    assert at.number_input(key="overview_page").value == 1


@cold
def test_a_large_pressure_map_draws_cells_not_points(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("budgetcore.app.charts.MAX_POINTS", 10)
    at = run()
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [trace["type"] for trace in figure["data"]] == ["heatmap", "scatter"]  # cells, the diagonal


def test_an_out_of_range_as_of_in_the_link_is_refused_naming_the_range() -> None:
    at = run(as_of="9999-12-31")
    assert "is not used: dates from 1 Jan 1900 to 31 Dec 2199 are." in texts(at)
    for page in ("app_pages/renewals.py", "app_pages/contract.py"):
        at = run(page, as_of="9999-12-31", contract=demo_numbers()[0])  # run() finds no exception
        assert at.session_state["f_as_of"] == TODAY


@cold
def test_an_unexpected_error_shows_a_reference_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:

    def broken(*args: object) -> None:
        raise RuntimeError("SELECT secret FROM schema_x")

    monkeypatch.setattr(reads, "portfolio_frame", broken)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    message = at.error[0].value
    assert "reference" in message and "SELECT" not in message
    reference = message.rsplit(" ", 1)[-1]
    assert any(reference in r.getMessage() and r.exc_info for r in caplog.records)


def test_the_overview_shows_running_contracts_and_the_ended_ones_still_open() -> None:
    """Issue 14: running contracts by default (the choice in the sidebar and the URL), why per
    row, next deadline and end date next to the status; ended contracts still open below."""
    at = run()
    with transaction(prepared(make_engine())) as session:
        everything = frame.load(session, TODAY)
        decided = list(decisions.current(session))
    running = frame.select(everything, portfolio.Filters(running_only=True))
    ended = everything.take(frame.ended_open(everything, decided))
    assert 0 < len(running) < len(everything) and len(ended) > 0
    main, rest = at.dataframe
    shown = main.value
    assert sorted(shown["contract"]) == sorted(running["contract_number"])
    assert at.metric[0].value == str(len(running))
    assert list(json.loads(main.proto.columns))[:9] == [
        "contract", "customer", "status", "budget", "actual", "forecast", "margin", "flag", "why",
    ]  # fmt: skip
    by_number = {f.contract_number: f for f in running.figures()}
    assert all(shown["why"] == [advice.why_short(by_number[n], "en") for n in shown["contract"]])
    assert "labour over budget" in set(shown["why"].str.split(", ").explode())
    assert sorted(rest.value["contract"]) == sorted(ended["contract_number"])
    assert all(d < TODAY for d in rest.value["end"])
    assert any(w.startswith("awaiting renewal") for w in rest.value["why"])
    assert f"Ended, still open ({len(ended)})" in [s.value for s in at.subheader]
    assert "contracts" not in at.query_params and param(at, "as_of") == [TODAY.isoformat()]
    at.radio(key="f_scope").set_value("all").run()
    assert param(at, "contracts") == ["all"] and len(at.dataframe) == 1
    assert len(at.dataframe[0].value) == len(everything)


def test_the_phone_list_opens_each_contract_and_says_its_status_why_and_deadline() -> None:
    at = run(lang="nl")
    first = at.dataframe[0].value.iloc[0]
    assert at.button(key="phone_overview_open_0").label == escaped(first["contract"])
    card = next(m.value for m in at.markdown if "Volgende datum: " in m.value)
    assert first["why"] in card and "budget overschreden" in card
    renewals = run("app_pages/renewals.py")
    number = renewals.dataframe[0].value.iloc[0]["contract"]
    assert any("renewal price" in m.value or "loss-making" in m.value for m in renewals.markdown)
    renewals.button(key="phone_renewals_open_0").click().run()
    assert renewals.title[0].value == escaped(number)
    assert renewals.get("page_link")[0].proto.label == "Renewals"  # back where it came from


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_a_phone_card_names_the_customer_and_the_decision_and_its_button_looks_like_one(lang: str) -> None:
    """Issue 22, item 4: the cards show what the table's key columns show; the contract's button
    is a bordered button with an icon, not a text-looking tertiary one."""
    overview = run(lang=lang)
    first = overview.dataframe[0].value.iloc[0]
    button = overview.button(key="phone_overview_open_0")
    assert button.proto.type != "tertiary" and button.proto.icon
    cards = [
        m.value for m in overview.markdown if i18n.t("Next deadline: {date}", lang).split("{")[0] in m.value
    ]
    assert escaped(first["customer"]) in cards[0]
    renewals = run("app_pages/renewals.py", lang=lang, within="365")
    table = renewals.dataframe[0].value
    cards = [
        m.value for m in renewals.markdown if i18n.t("Next deadline: {date}", lang).split("{")[0] in m.value
    ]
    assert len(cards) == min(len(table), 20)
    decision_label = i18n.t("Decision: {decision}", lang).split("{")[0]
    for (_, row), card in zip(table.iterrows(), cards, strict=False):
        assert escaped(row["customer"]) in card
        assert decision_label + escaped(row["decision"]) in card
    overdue = i18n.t("overdue for review", lang)
    assert any(overdue in card for card in cards) == any(overdue in d for d in table["decision"])


def test_the_contract_page_links_back_where_it_was_opened_from() -> None:
    number = "CT-2024-00021"
    back = run("app_pages/contract.py", contract=number, **{"from": "renewals"}).get("page_link")[0]
    assert back.proto.label == "Renewals" and back.proto.page.endswith("renewals")
    back = run("app_pages/contract.py", contract=number).get("page_link")[0]
    assert back.proto.label == "Overview"


def test_the_contract_lookup_ignores_case_and_says_one_day() -> None:
    at = run("app_pages/contract.py", contract="ct-2024-00021")
    assert at.title[0].value == escaped("CT-2024-00021")
    day_after = dt.date(2026, 12, 1)  # CT-2024-00021 ends on 30 November 2026
    at = run("app_pages/contract.py", contract="CT-2024-00021", as_of=day_after.isoformat())
    assert "**ended 1 day ago**" in [m.value for m in at.markdown]
    at = run("app_pages/contract.py", contract="CT-2024-00021", as_of="2026-12-02", lang="nl")
    assert "**2 dagen geleden afgelopen**" in [m.value for m in at.markdown]


def test_the_filters_leave_the_pages_where_they_change_nothing() -> None:
    at = run()
    customer = at.multiselect(key="f_customer").options[0]
    at.multiselect(key="f_customer").set_value([customer]).run()
    at.switch_page("app_pages/import.py").run()
    assert not [w for w in at.multiselect if w.key == "f_customer"] and not at.date_input
    assert param(at, "customer") == [customer]
    at.switch_page("app_pages/overview.py").run()
    assert at.multiselect(key="f_customer").value == [customer]  # kept for the next page


@cold
def test_past_many_customers_the_filter_finds_them_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """A list of tens of thousands of customers is not sent on every run: a search offers the matches."""
    monkeypatch.setattr("budgetcore.app.sidebar.CUSTOMER_OPTIONS", 5)
    at = run()
    assert at.multiselect(key="f_customer").options == []  # nothing listed before a search
    with transaction(prepared(make_engine())) as session:
        rows = frame.load(session, TODAY)
    names = sorted(set(rows["customer"]))
    word = names[0].split()[-1]
    at.text_input(key="f_customer_find").input(word.upper()).run()  # part of a name, any case
    offered = at.multiselect(key="f_customer").options
    assert offered == [n for n in names if word.casefold() in n.casefold()][:100] and names[0] in offered
    at.multiselect(key="f_customer").set_value([names[0]]).run()
    assert set(at.dataframe[0].value["customer"]) == {names[0]} and param(at, "customer") == [names[0]]
    at.text_input(key="f_customer_find").input("").run()  # the chosen customer stays chosen
    assert at.multiselect(key="f_customer").value == [names[0]]
    assert set(at.dataframe[0].value["customer"]) == {names[0]}


def test_an_empty_filter_result_offers_to_clear_the_filters() -> None:
    with transaction(prepared(make_engine())) as session:
        rows = frame.load(session, TODAY)
    kinds = set(rows["type"])
    customer, kind = next(
        (c, sorted(kinds - set(rows["type"][rows["customer"] == c]))[0])
        for c in sorted(set(rows["customer"]))
        if kinds - set(rows["type"][rows["customer"] == c])
    )  # a customer without contracts of one type
    at = run(customer=customer, type=kind)
    assert "No contracts match the filters in the sidebar." in texts(at)
    at.button(key="clear_filters").click().run()
    assert at.multiselect(key="f_customer").value == [] and at.multiselect(key="f_type").value == []
    assert len(at.dataframe[0].value) > 0 and "customer" not in at.query_params


def test_an_invalid_as_of_in_the_link_is_said_not_dropped() -> None:
    at = run(as_of="2026-02-30")
    assert any("The as-of date 2026\\-02\\-30 in the link is not used" in w.value for w in at.warning)
    assert param(at, "as_of") == [TODAY.isoformat()]  # the figures shown are today's, and say so


@cold
def test_the_attention_rows_are_written_once_per_view_and_link_with_the_filters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The overview's attention rows (up to 500, each a link keeping the filters) are made once per
    data version, list, language, currency and filters, not at every visit (issue 24: 21 % of a busy
    server's time at 175,000 contracts)."""
    written: list[int] = []
    row = attention.Attention.row

    def counted(self: attention.Attention, i: int, lang: str, currency: str) -> dict:
        written.append(i)
        return row(self, i, lang, currency)

    monkeypatch.setattr(attention.Attention, "row", counted)
    first = run(status="over budget")
    lines = [m.value for m in first.markdown if m.value.startswith("1. [")]
    assert written and lines
    assert "status=over+budget" in lines[0] and "&contract=" in lines[0]
    made = len(written)
    again = run(status="over budget")  # another session, the same view: the same text, not made again
    assert len(written) == made
    assert [m.value for m in again.markdown if m.value.startswith("1. [")] == lines
    run(status="over budget", lang="nl")  # another language: written for it
    assert len(written) > made


def test_an_overview_run_reads_the_data_version_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The view's data version keys every cached figure; the sections after the sidebar take the
    settings at the view's version instead of reading it again (a transaction each: issue 24)."""
    run()
    reads_ = []
    data_state = sidebar.data_state  # the name the sidebar reads it by

    def counted() -> tuple[str, int]:
        reads_.append(1)
        return data_state()

    monkeypatch.setattr(sidebar, "data_state", counted)
    at = run()
    assert "Changes since last week" in " ".join(e.label for e in at.expander)
    assert len(reads_) == 1


def test_the_contract_page_sets_the_term_against_the_previous_one() -> None:
    """A renewed contract's page compares this term with the one it renews (last_term.compare at the
    stored target margin), read once per data version and view and drawn again from that."""
    with transaction(prepared(make_engine())) as session:
        stored = settings.load(session)
        previous = contract_reads.previous_numbers(session, demo_numbers())
        number = next(n for n in demo_numbers() if previous.get(n) in set(demo_numbers()))
        f = next(f for f in demo_figures() if f.contract_number == number)
        expected = last_term.compare(session, f, stored.thresholds(), stored.target_margin)
    assert expected is not None
    for _ in range(2):  # the second visit draws the comparison the first one read
        at = run("app_pages/contract.py", contract=number)
        assert "This term against the previous one" in [s.value for s in at.subheader]
        (table,) = [d.value for d in at.dataframe if f"Previous term {previous[number]}" in d.value.columns]
        assert len(table) == len(term_rows.last_term_rows(expected, "en")[1])
        said = term_rows.verdict(expected, "en", stored.currency)
        assert not said or escaped(said) in [c.value for c in at.caption]
