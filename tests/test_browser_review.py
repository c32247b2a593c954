"""The renewal review in a real browser: record a re-price decision from the renewals list, see it there
(state, the 'no decision yet' filter), in the contract's history and in both pack downloads.

Set BUDGETCORE_SHOTS=/some/folder to keep screenshots of each step."""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import LOADED, launch, streamlit_app
from openpyxl import load_workbook
from playwright.sync_api import Page, expect, sync_playwright

TODAY = dt.date(2026, 11, 27)
NUMBER = "CT-2023-00206"  # in the demo's renewals list at TODAY, no decision yet


@pytest.fixture
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Page, str]]:
    db_url = f"sqlite:///{tmp_path_factory.mktemp('review') / 'dashboard.db'}"
    log = tmp_path_factory.mktemp("review-log") / "streamlit.log"
    with streamlit_app(db_url, log, BUDGETCORE_TODAY=TODAY.isoformat()) as base, sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 1440, "height": 1100}, accept_downloads=True)
        yield context.new_page(), base
        context.close()
        browser.close()


def shot(page: Page, name: str) -> None:
    folder = os.environ.get("BUDGETCORE_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def loaded(page: Page) -> None:
    page.wait_for_selector(LOADED, timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0


def choose(page: Page, box, option: str) -> None:
    """Pick an option of a Streamlit selectbox: type to narrow its list to the option, then take the
    first one offered with Enter (the list redraws while it narrows, so a click on an option can land
    on a detached element). A list that closed before it showed the option is opened again, up to
    three times; the box then shows the option."""
    field = box.locator("input")
    offered = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):
        field.click()
        field.fill(option)
        try:
            expect(offered).to_be_visible(timeout=5_000)
        except AssertionError:
            field.press("Escape")
            continue
        field.press("Enter")
        break
    expect(field).to_have_value(option)


def cells(page: Page, wanted: str = "") -> str:
    """The renewals grid's text (glide data grid draws on a canvas; its cells are in an aria table,
    filled as the grid draws its rows): polled until it holds wanted, for up to 20 s."""
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    deadline = time.monotonic() + 20
    while True:
        text = grid.locator("table").first.text_content() or ""
        if wanted in text or time.monotonic() > deadline:
            return text
        page.wait_for_timeout(250)


def test_record_a_reprice_decision_and_see_it_everywhere(page: tuple[Page, str]) -> None:
    browser, base = page
    browser.goto(base + "/renewals")
    loaded(browser)
    browser.get_by_text("Record a renewal decision").click()
    form = browser.locator("[data-testid='stForm']")
    expect(form).to_be_visible()
    choose(browser, form.locator("[data-testid='stSelectbox']").first, NUMBER)
    choose(browser, form.locator("[data-testid='stSelectbox']").nth(1), "re-price")
    form.get_by_label("Proposed value").fill("58.000,00")
    form.get_by_label("Decided by").fill("Anouk de Jong")
    form.get_by_label("Note").fill("forecast above budget: raise at renewal")
    form.get_by_role("button", name="Record the decision").click()
    expect(browser.get_by_text(f"Recorded for {NUMBER}: re-price (proposed).")).to_be_visible(timeout=20_000)
    loaded(browser)
    grid = cells(browser, "re-price · proposed")
    assert "re-price · proposed" in grid and "no decision yet" in grid
    browser.locator("h1").first.scroll_into_view_if_needed()
    shot(browser, "1-renewals-with-decision")

    browser.get_by_text("No decision yet", exact=True).click()  # the toggle
    loaded(browser)
    expect(browser.locator("[data-testid='stDataFrame']").first).not_to_contain_text(NUMBER, timeout=20_000)
    browser.locator("h1").first.scroll_into_view_if_needed()
    shot(browser, "2-renewals-no-decision-yet")

    browser.goto(f"{base}/contract?contract={NUMBER}")
    loaded(browser)
    expect(browser.get_by_text("re-price · proposed · €58,000.00", exact=False)).to_be_visible()
    history = browser.get_by_text("Decision history, the current first")
    history.scroll_into_view_if_needed()
    shot(browser, "3-contract-decision-history")

    with browser.expect_download(timeout=30_000) as html_download:
        browser.get_by_role("button", name="Review pack (printable HTML)").click()
    pack_html = Path(html_download.value.path()).read_text(encoding="utf-8")
    assert "Renewal decision" in pack_html and "€58,000.00" in pack_html and "Anouk de Jong" in pack_html
    with browser.expect_download(timeout=30_000) as xlsx_download:
        browser.get_by_role("button", name="Review pack (Excel)").click()
    book = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()))
    values = [c for row in book[NUMBER].iter_rows(values_only=True) for c in row if c is not None]
    assert (
        "Renewal decision" in values
        and "re-price" in values
        and 58000 in values
        and "Decision history" in values
    )
    browser.set_content(pack_html)
    browser.get_by_text("Renewal decision").first.scroll_into_view_if_needed()
    shot(browser, "4-pack-html")
    folder = os.environ.get("BUDGETCORE_SHOTS")
    if folder:
        Path(folder, "pack.xlsx").write_bytes(Path(xlsx_download.value.path()).read_bytes())
