"""The dashboard in a real browser: `streamlit run dashboard.py` on a temporary database, driven by
headless Debian Chromium through playwright: three pages and a click-through, and the renewal
review from the renewals list to both packs. Fails (never skips) when chromium is
missing."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import oracle
import pytest
import wire
from browser_support import LOADED, shot, streamlit_app
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from streamlit import config

from budgetcore import i18n
from budgetcore.figures import portfolio
from budgetcore.store.database import make_engine, transaction
from budgetcore.store.schema import prepared

TODAY = dt.date(2026, 11, 27)
NUMBER = "CT-2023-00206"  # in the demo's renewals list at TODAY, no decision yet


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, demo_database) -> Iterator[tuple[str, str]]:
    """(base URL, database URL) of a dashboard on the demo as the server's first start loads it into
    an empty database (conftest's demo_database: a copy; tests/test_start.py holds that the start
    loads it)."""
    folder = tmp_path_factory.mktemp("browser")
    demo_database(TODAY, folder / "dashboard.db")
    db_url = f"sqlite:///{folder / 'dashboard.db'}"
    log = folder / "streamlit.log"
    with streamlit_app(db_url, log, BUDGETCORE_TODAY=TODAY.isoformat()) as base:
        assert "start: database prepared" in log.read_text()  # `streamlit run` ran the app's lifespan
        yield base, db_url


@pytest.fixture(scope="module")
def page(desktop) -> Iterator[Page]:
    """One tab for the module's tests, in the module's desktop context (1440 x 1000): each test
    opens its first page with a visit of its own (a new Streamlit session), in a tab whose renderer
    has started and drawn the app already (a new tab costs its renderer about 1.5 s of CPU more).
    The context's cache is cold until the first test's first visit."""
    tab = desktop.new_page()
    yield tab
    tab.close()


def open_page(page: Page, url: str) -> None:
    """Go to url and wait until the app has finished its run (bench/browser.py times it; tests do not)."""
    page.goto(url)
    page.wait_for_selector(LOADED, timeout=30_000)


def follow(page: Page, link, url: str | re.Pattern, title: str) -> None:
    """Click one of the app's own links (the menu, a back link): the page changes in the same
    session, without loading the app's scripts again; wait for url and its run, titled title."""
    link.click()
    page.wait_for_url(url, timeout=20_000)
    page.wait_for_selector(LOADED, timeout=30_000)
    expect(page.locator("h1").first).to_have_text(title)


def menu(page: Page, name: str):
    """The sidebar menu's link to the page called name."""
    return page.locator("[data-testid='stSidebarNavLink']").filter(has_text=name)


def assert_no_exception(page: Page) -> None:
    boxes = page.locator("[data-testid='stException']")
    assert boxes.count() == 0, boxes.first.inner_text()


def first_contract(db_url: str) -> str:
    engine = prepared(make_engine(db_url))
    with transaction(engine) as session:
        return oracle.by_pressure(portfolio.portfolio(session, TODAY))[0].contract_number


# What the page shows at the moment the first of the overview's charts arrives (its element, still
# a placeholder while plotly's code loads): recorded in the page, by a MutationObserver, so nothing
# is timed
AT_THE_CHARTS = """
new MutationObserver((changes, observer) => {
  if (!document.querySelector(".st-key-pressure_map, .st-key-monthly")) return;
  observer.disconnect();
  window.atTheCharts = {
    metrics: document.querySelectorAll("[data-testid='stMetric']").length,
    filters: document.querySelectorAll("[data-testid='stSidebar'] [data-testid='stMultiSelect']").length,
    placeholders: [...document.querySelectorAll("[data-testid^='stSkeleton']")]  // but the charts' own
      .filter(e => !e.closest(".st-key-pressure_map, .st-key-pressure_density, .st-key-monthly")).length,
  };
}).observe(document, {subtree: true, childList: true});
"""


# the size of plotly's code as the browser fetched it over the network (0: from its cache)
PLOTLY_FETCHED = """() => performance.getEntriesByType('resource').filter(e => /plotly/i.test(e.name))
    .map(e => e.transferSize)"""


def test_a_desktop_session_cold_and_warm_three_pages_and_the_key_columns_in_two_languages(
    server: tuple[str, str], page: Page
) -> None:
    """The module's first test, on a desktop (1440 x 1000), one visit after another in its tab:

    1. Issue 22, finding 9: the headline figures and the sidebar's filters were grey placeholders
       until plotly's code (4.7 MB) had been fetched and run; the charts now come once the page is
       drawn, in a rerun of their fragment alone, on a first visit with the browser's cache cold
       (the context's first visit, held below) and warm (a second visit, of all contracts).
    2. Three pages and a click-through: the overview, a contract opened from its table and from its
       pressure map, the renewals; between them through the app's own links, in one session (a
       contract opened by its URL: test_record_a_reprice_decision_and_see_it_everywhere).
    3. Issue 22, item 5: the key columns fit at 1440 px with their headers whole, in English and
       Dutch (assert_key_columns_fit); a desktop gets the table and no phone cards; the Dutch
       Import page draws the uploader's words in Dutch (finding 8).
    """
    from budgetcore.app import tables

    base, db_url = server
    page.add_init_script(AT_THE_CHARTS)  # (it records, and changes nothing the later tests see)
    for visit, path in (("cold", "/"), ("warm", "/?contracts=all")):
        open_page(page, base + path)  # a new session each time, as a tab opening the URL
        bubbles = page.locator(".st-key-pressure_map g.trace.scatter path.point")
        expect(bubbles.first).to_be_attached(timeout=30_000)
        page.wait_for_function(  # both charts drawn by plotly (looked for every 100 ms: the default,
            # every animation frame, keeps the compositor drawing frames while it waits)
            "document.querySelectorAll(\"[data-testid='stPlotlyChart'] .main-svg\").length >= 2",
            polling=100,
        )
        fetched = page.evaluate(PLOTLY_FETCHED)  # the browser's cache: cold, then warm
        assert len(fetched) == 1 and (fetched[0] > 0 if visit == "cold" else fetched[0] == 0), (
            visit,
            fetched,
        )
        drawn = {  # the page once everything is drawn
            "metrics": page.locator("[data-testid='stMetric']").count(),
            "filters": page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").count(),
            "placeholders": 0,
        }
        assert drawn["metrics"] and drawn["filters"]
        assert page.evaluate("window.atTheCharts") == drawn, visit
        assert_no_exception(page)

    # the overview of all contracts (the warm visit)
    expect(page.get_by_text("Demo data", exact=False).first).to_be_visible()
    expect(page.locator("[data-testid='stDataFrame']")).to_have_count(1)
    expect(page.locator("[data-testid='stPlotlyChart']")).to_have_count(2)
    expect(page.locator("[data-testid='stMetric']").first).to_be_visible()
    expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()  # a desktop: the table,
    assert page.locator("[class*='st-key-phone_overview_open_']").count() == 0  # and no hidden cards
    assert_key_columns_fit(page, "/", tables.OVERVIEW_COLUMNS, tables.OVERVIEW_KEY, "en")

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
    expect(page.locator("[data-testid='stPlotlyChart']")).to_have_count(1)
    expect(page.locator("[data-testid='stDataFrame']").nth(1)).to_be_attached()  # waits, unlike count()

    # its back link: the overview again, all contracts still
    back = page.locator("[data-testid='stPageLink-NavLink']").first
    follow(page, back, re.compile(r"/\?(.*&)?contracts=all"), "Portfolio overview")
    expect(page.locator("[data-testid='stDataFrame']")).to_have_count(1)
    assert_no_exception(page)

    # a bubble of the pressure map says its contract on hover, and a click opens it
    bubble = page.locator(".st-key-pressure_map g.trace.scatter path.point").nth(5)
    bubble.scroll_into_view_if_needed()
    bubble.hover(force=True)
    label = page.locator(".st-key-pressure_map g.hoverlayer g.hovertext")
    expect(label).to_be_visible()
    hovered = label.locator("tspan").first.text_content()  # the first line: the contract, in bold
    bubble.click(force=True)
    page.wait_for_url("**/contract?*", timeout=20_000)
    page.wait_for_selector(LOADED, timeout=30_000)
    expect(page.locator("h1").first).to_have_text(hovered)
    assert_no_exception(page)

    follow(page, menu(page, "Renewals"), "**/renewals*", "Renewals")
    assert_no_exception(page)
    expect(page.locator("[data-testid='stDataFrame']")).to_have_count(1)
    expect(
        page.locator("[data-testid='stDownloadButton']").filter(has_text="Download as CSV")
    ).to_be_visible()
    assert_key_columns_fit(page, "/renewals", tables.RENEWAL_COLUMNS, tables.RENEWAL_KEY, "en")

    # in Dutch: the sidebar's language, then the menu
    language = page.locator("[data-testid='stSidebar'] [data-testid='stRadio']")
    language.get_by_text("Nederlands", exact=True).click()
    page.wait_for_url("**lang=nl*", timeout=20_000)
    page.wait_for_selector(LOADED, timeout=30_000)
    expect(page.locator("h1").first).to_have_text(i18n.t("Renewals", "nl"))
    assert_key_columns_fit(page, "/renewals", tables.RENEWAL_COLUMNS, tables.RENEWAL_KEY, "nl")
    overview = menu(page, i18n.t("Overview", "nl"))
    follow(page, overview, re.compile(r"/\?(.*&)?lang=nl"), i18n.t("Portfolio overview", "nl"))
    assert_key_columns_fit(page, "/", tables.OVERVIEW_COLUMNS, tables.OVERVIEW_KEY, "nl")

    # the uploader's own English texts are drawn over in Dutch (issue 22, finding 8): the words a
    # user sees are the ::after contents; the English ones are there at font size 0
    follow(page, menu(page, i18n.t("Import", "nl")), "**/import*", i18n.t("Import", "nl"))
    assert_no_exception(page)
    zone = page.locator("[data-testid='stFileUploaderDropzone']").first
    expect(zone).to_be_visible()
    shown = zone.evaluate(
        """zone => [zone.querySelector("button [data-testid='stMarkdownContainer'] p"),
                    zone.querySelector("[data-testid='stFileUploaderDropzoneInstructions'] span")]
            .map(e => [getComputedStyle(e).fontSize, getComputedStyle(e, '::after').content])"""
    )
    limit = config.get_option("server.maxUploadSize")
    assert shown == [["0px", '"Uploaden"'], ["0px", f'"{limit} MB per bestand • CSV, TXT, TSV, XLSX, XLSM"']]


HEADER_ROOM = 16  # px beside a header's text: the cell's padding on both sides
ROW_MARKERS = 40  # px: the selection boxes' column before the first


def assert_key_columns_fit(page: Page, path: str, columns, key: tuple[str, ...], lang: str) -> None:
    """Issue 22, item 5: on the overview, contract, customer, status, budget, actual, forecast and
    margin; on the renewals, the contract, its status and decision, what to do, why and the
    renewal price come first and fit the table's width at 1440 px, each header's text whole
    (measured in the grid's own font)."""
    from budgetcore.app import grids, review_ui

    assert_no_exception(page)
    grid = page.locator("[data-testid='stDataFrame']").first
    expect(grid).to_be_visible()
    config = grids.column_config(columns, lang, "EUR")
    labels = [config[name]["label"] if name in config else i18n.t("Decision", lang) for name in key]
    expect(grid.locator("th[role=columnheader]").first).to_be_attached()
    deadline = time.monotonic() + 20  # after a change of language the grid draws its new headers
    while True:
        headers = grid.evaluate(
            "e => Array.from(e.querySelectorAll('th[role=columnheader]')).map(h => h.textContent)"
        )
        if headers[: len(key)] == labels or time.monotonic() > deadline:
            break
        page.wait_for_timeout(100)
    assert headers[: len(key)] == labels  # the key columns first, in this order
    visible = grid.evaluate("e => e.querySelector('.dvn-scroller').clientWidth")
    widths = [columns[name].width if name in columns else review_ui.DECISION_WIDTH for name in key]
    assert all(isinstance(w, int) for w in widths)
    assert ROW_MARKERS + sum(widths) <= visible, (path, lang, sum(widths), visible)
    font = page.evaluate("() => getComputedStyle(document.body).fontFamily")
    for label, width in zip(labels, widths, strict=True):
        text_px = page.evaluate(
            "([t, f]) => { const c = document.createElement('canvas').getContext('2d');"
            " c.font = '14px ' + f; return c.measureText(t).width }",
            [label, font],
        )
        assert text_px + HEADER_ROOM <= width, (path, lang, label, text_px, width)


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


def test_a_visit_on_the_wire_gets_the_charts_in_a_second_run_of_their_fragment(
    server: tuple[str, str],
) -> None:
    """The load benchmark's clients (tests/wire.py) answer the page's after-paint request as
    Streamlit's front end does: their overview visit takes both runs and gets both charts."""
    base, _ = server
    ws = base.replace("http://", "ws://") + "/_stcore/stream"
    with ThreadPoolExecutor(1) as pool:  # a thread of its own: playwright's loop runs in this one
        found = pool.submit(asyncio.run, wire.visit(ws, base, "overview", "", "", timeout=60)).result()
    assert found.error is None, found.error
    assert (found.runs, found.charts) == (2, 2)
    assert found.metrics["Contracts"]


PHONE_AGENT = (  # a phone's Chrome: "Mobile" in its User-Agent
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)


def test_a_phone_gets_cards_and_a_desktop_the_table_only(
    server: tuple[str, str], page: Page, desktop
) -> None:
    """A phone's overview: cards, no table; a card opens its contract. The tab is a phone's for
    this test: its User-Agent (as playwright sets a context's) and its viewport. (A desktop's
    overview, the table only: test_a_desktop_session_cold_and_warm_three_pages_and_the_key_columns_in_two_languages.)"""
    base, _ = server
    desktop_agent, size = page.evaluate("navigator.userAgent"), page.viewport_size
    assert "Mobi" not in desktop_agent
    cdp = desktop.new_cdp_session(page)
    try:
        cdp.send("Emulation.setUserAgentOverride", {"userAgent": PHONE_AGENT})
        page.set_viewport_size({"width": 390, "height": 844})
        open_page(page, base + "/")
        first = page.locator(".st-key-phone_overview_open_0 button")
        expect(first).to_be_visible()
        assert page.locator("[data-testid='stDataFrame']").count() == 0
        number = first.locator("[data-testid='stMarkdownContainer']").inner_text()  # the label, not the icon
        first.click()
        page.wait_for_url("**/contract?*", timeout=20_000)
        page.wait_for_selector(LOADED, timeout=30_000)
        expect(page.locator("h1").first).to_have_text(number)
    finally:
        cdp.send("Emulation.setUserAgentOverride", {"userAgent": desktop_agent})
        cdp.detach()
        page.set_viewport_size(size)


def test_record_a_reprice_decision_and_see_it_everywhere(server: tuple[str, str], page: Page) -> None:
    """The renewal review: record a re-price decision from the renewals list, see it there (state,
    the 'no decision yet' filter), in the contract's history and in both pack downloads. Last in the
    module: it writes. BUDGETCORE_SHOTS=/some/folder keeps a screenshot of each step."""
    base, _db_url = server
    page.goto(base + "/renewals")
    loaded(page)
    page.get_by_text("Record a renewal decision").click()
    section = page.locator("[data-testid='stExpander']").filter(has_text="Record a renewal decision")
    form = section.locator("[data-testid='stForm']")
    expect(form).to_be_visible()
    choose(page, section.locator("[data-testid='stSelectbox']").first, NUMBER)  # the form follows it
    # the form's fields are keyed by contract (review_ui.field_key): wait for this contract's own,
    # or a choice made in the previous contract's form is lost when the rerun replaces it
    action = page.locator(f".st-key-renewals_decision-{NUMBER}-action")
    expect(action).to_be_visible()
    loaded(page)
    choose(page, action, "re-price")
    form.get_by_role("textbox", name="Proposed value").fill("58.000,00")
    form.get_by_label("Decided by").fill("Anouk de Jong")
    form.get_by_label("Note").fill("forecast above budget: raise at renewal")
    form.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text(f"Recorded for {NUMBER}: re-price (proposed).")).to_be_visible(timeout=20_000)
    loaded(page)
    grid = cells(page, "re-price · proposed")
    assert "re-price · proposed" in grid and "no decision yet" in grid
    page.locator("h1").first.scroll_into_view_if_needed()
    shot(page, "1-renewals-with-decision", full_page=True)

    page.get_by_text("No decision yet", exact=True).click()  # the toggle
    loaded(page)
    expect(page.locator("[data-testid='stDataFrame']").first).not_to_contain_text(NUMBER, timeout=20_000)
    page.locator("h1").first.scroll_into_view_if_needed()
    shot(page, "2-renewals-no-decision-yet", full_page=True)

    page.goto(f"{base}/contract?contract={NUMBER}")
    loaded(page)
    expect(page.get_by_text("re-price · proposed · €58,000.00", exact=False)).to_be_visible()
    history = page.get_by_text("Decision history, the current first")
    history.scroll_into_view_if_needed()
    shot(page, "3-contract-decision-history", full_page=True)

    with page.expect_download(timeout=30_000) as html_download:
        page.get_by_role("button", name="Review pack (printable HTML)").click()
    pack_html = Path(html_download.value.path()).read_text(encoding="utf-8")
    assert "Renewal decision" in pack_html and "€58,000.00" in pack_html and "Anouk de Jong" in pack_html
    with page.expect_download(timeout=30_000) as xlsx_download:
        page.get_by_role("button", name="Review pack (Excel)").click()
    book = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()))
    values = [c for row in book[NUMBER].iter_rows(values_only=True) for c in row if c is not None]
    assert (
        "Renewal decision" in values
        and "re-price" in values
        and 58000 in values
        and "Decision history" in values
    )
    page.set_content(pack_html)
    page.get_by_text("Renewal decision").first.scroll_into_view_if_needed()
    shot(page, "4-pack-html", full_page=True)
    folder = os.environ.get("BUDGETCORE_SHOTS")
    if folder:
        Path(folder, "pack.xlsx").write_bytes(Path(xlsx_download.value.path()).read_bytes())
