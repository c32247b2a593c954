"""The dashboard in a real browser: `streamlit run dashboard.py` on a temporary database, driven by
headless Debian Chromium through playwright. Fails (never skips) when chromium is missing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import oracle
import pytest
from browser_support import LOADED, streamlit_app
from playwright.sync_api import Page, expect

from budgetcore.figures import portfolio
from budgetcore.store.database import make_engine, transaction
from budgetcore.store.schema import prepared

TODAY = dt.date(2026, 11, 27)
LOAD_BUDGET_S = 10.0  # generous for CI; on the development machine pages load in 1-2 s


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, database URL) of a dashboard on a fresh database (the demo loads on first visit)."""
    db_url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'dashboard.db'}"
    log = tmp_path_factory.mktemp("browser-log") / "streamlit.log"
    with streamlit_app(db_url, log, BUDGETCORE_TODAY=TODAY.isoformat()) as base:
        yield base, db_url


def open_page(page: Page, url: str) -> float:
    """Go to url and wait until the app has finished its run; returns seconds since navigation start."""
    page.goto(url)
    page.wait_for_selector(LOADED, timeout=30_000)
    return page.evaluate("performance.now()") / 1000


def assert_no_exception(page: Page) -> None:
    boxes = page.locator("[data-testid='stException']")
    assert boxes.count() == 0, boxes.first.inner_text()


def first_contract(db_url: str) -> str:
    engine = prepared(make_engine(db_url))
    with transaction(engine) as session:
        return oracle.by_pressure(portfolio.portfolio(session, TODAY))[0].contract_number


def test_three_pages_and_a_click_through(server: tuple[str, str], page: Page) -> None:
    base, db_url = server
    timings = {}

    open_page(page, base + "/?contracts=all")  # all contracts; the first visit loads the demo
    assert_no_exception(page)
    expect(page.get_by_text("Demo data", exact=False).first).to_be_visible()
    expect(page.locator("[data-testid='stDataFrame']")).to_have_count(1)
    expect(page.locator("[data-testid='stPlotlyChart']")).to_have_count(2)
    expect(page.locator("[data-testid='stMetric']").first).to_be_visible()

    # click the first row's selection box: the row opens its contract
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)
    page.wait_for_url("**/contract?*", timeout=20_000)
    page.wait_for_selector(LOADED, timeout=30_000)
    number = first_contract(db_url)
    expect(page.locator("h1").first).to_have_text(number)
    assert f"contract={number}" in page.url
    assert_no_exception(page)

    timings["/"] = open_page(page, base + "/?contracts=all")
    expect(page.locator("[data-testid='stDataFrame']")).to_have_count(1)
    assert_no_exception(page)

    timings["/contract"] = open_page(page, f"{base}/contract?contract={number}")
    assert_no_exception(page)
    expect(page.locator("h1").first).to_have_text(number)
    expect(page.locator("[data-testid='stPlotlyChart']")).to_have_count(1)
    assert page.locator("[data-testid='stDataFrame']").count() >= 2

    timings["/renewals"] = open_page(page, base + "/renewals")
    assert_no_exception(page)
    expect(page.locator("h1").first).to_have_text("Renewals")
    expect(page.locator("[data-testid='stDataFrame']")).to_have_count(1)
    expect(
        page.locator("[data-testid='stDownloadButton']").filter(has_text="Download as CSV")
    ).to_be_visible()

    print("page load (navigation start -> notRunning):", {k: f"{v:.2f} s" for k, v in timings.items()})
    assert max(timings.values()) < LOAD_BUDGET_S, timings


def test_filters_live_in_the_url_and_unknown_contracts_get_a_message(
    server: tuple[str, str], page: Page
) -> None:
    base, _db_url = server
    open_page(page, base + "/?status=over+budget")
    assert_no_exception(page)
    # the first load of a filtered view may still be drawing on a loaded machine: wait for it
    expect(page.locator("[data-testid='stSidebar']").get_by_text("over budget").first).to_be_visible(
        timeout=20_000
    )
    assert "status=over+budget" in page.url or "status=over%20budget" in page.url

    open_page(page, base + "/contract?contract=NO-SUCH-CONTRACT")
    assert_no_exception(page)
    expect(page.get_by_text("There is no contract with number NO-SUCH-CONTRACT")).to_be_visible()
    expect(page.get_by_text("Back to the overview")).to_be_visible()
