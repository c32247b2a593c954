"""A hostile corpus, imported through the real importer and put in URLs, rendered by every page in
headless Chromium: no element is made from it (no link, image, KaTeX, colour or icon), and no
request leaves 127.0.0.1 (the app works offline). One server for the module; the bomb is
uploaded to it too, and its peak memory read."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from browser_support import LOADED, PIDS, streamlit_app
from playwright.sync_api import Page, Request, expect

from budgetcore.app.text import JOINER
from budgetcore.exchange.importing import import_paths
from budgetcore.store.database import make_engine
from budgetcore.store.schema import prepared

TODAY = dt.date(2026, 11, 27)
LINK = "[Your session expired](https://evil.example/login) **URGENT**"
IMAGE = "![x](https://evil.example/p.png)"
MIXED = "$x^2$ :red[alarm] :material/home: :smile: <img src=https://evil.example/i.png> www.evil.example"
SCRIPT = "<a href='javascript:alert(1)'>j</a> [j](javascript:alert(1)) <b>b</b>"
RTL = "\u202egpj.exe"
NUMBERS = ["CT-[a](https://evil.example)", "$1$-:material/bolt:", "CT-\u202e1"]
LONG = "L" * 5000


def _csv(cells: list[list[str]]) -> str:
    return "\n".join(",".join('"' + c.replace('"', '""') + '"' for c in row) for row in cells) + "\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, schema_template) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "contracts.csv").write_text(_csv([
        ["contract_number", "customer", "name", "start_date", "end_date", "account_manager"],
        [NUMBERS[0], LINK, IMAGE, "2026-01-01", "2026-12-31", MIXED[:100]],
        [NUMBERS[1], MIXED, SCRIPT, "2026-01-01", "2027-01-15", RTL],
        [NUMBERS[2], RTL + " " + SCRIPT, MIXED, "2026-01-01", "2026-12-20", LINK],
    ]))  # fmt: skip
    (folder / "budgets.csv").write_text(_csv(
        [["contract_number", "category", "amount"], *([n, "labour", "1000"] for n in NUMBERS)]
    ))  # fmt: skip
    (folder / "work_orders.csv").write_text(_csv(
        [["work_order_number", "contract_number", "date", "description"],
         *([f"W{i}-{IMAGE}"[:50], n, "2026-03-01", SCRIPT] for i, n in enumerate(NUMBERS))]
    ))  # fmt: skip
    (folder / "hours.csv").write_text(_csv(
        [["work_order_number", "date", "hours", "cost_rate", "employee"],
         *([f"W{i}-{IMAGE}"[:50], "2026-03-01", "8", "50", LINK[:100]] for i in range(len(NUMBERS)))]
    ))  # fmt: skip
    url = f"sqlite:///{folder / 'hostile.db'}"
    engine = make_engine(url)
    schema_template(engine)  # the schema prepare() lays, copied
    result = import_paths(prepared(engine), sorted(folder.glob("*.csv")))
    assert result.ok, result.errors
    engine.dispose()
    log = folder / "streamlit.log"
    with streamlit_app(url, log, BUDGETCORE_NO_DEMO="1", BUDGETCORE_TODAY=TODAY.isoformat()) as base:
        yield base


@pytest.fixture(scope="module")
def page(shared_tab: Page) -> Page:
    """The process's shared tab (conftest's shared_tab) for the module's tests: each test opens its
    first page with a visit of its own, in a tab whose renderer has drawn the app already (a new
    tab costs its renderer about 1.5 s of CPU more)."""
    return shared_tab


# What the app's front end does when the history moves to a URL (its popstate handler, as the Back
# button): it reruns the app for that URL's page and query in the same session, without loading the
# app again; the URL reaches the script as a page load's does (the rerun's query string)
MOVE = """url => { history.pushState(null, "", url); dispatchEvent(new PopStateEvent("popstate")) }"""


def as_shown(text: str) -> re.Pattern:
    """text as the page shows it, literally: perhaps with a word joiner after any character
    (app/text.py puts one after each `:` and `@`)."""
    return re.compile("".join(re.escape(c) + JOINER + "?" for c in text))


def visit(page: Page, base: str, path: str, shows, first: bool) -> None:
    """Open base + path: the first by a page load, the next ones by moving the history there (MOVE),
    each until shows (a locator of what that URL's page draws) is visible and the run has ended."""
    if first:
        page.goto(base + path)
    else:
        page.evaluate(MOVE, base + path)
    expect(shows).to_be_visible(timeout=30_000)
    page.wait_for_selector(LOADED, timeout=30_000)


def assert_nothing_made_from_the_corpus(page: Page, base: str) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    for href, html in page.locator("a[href]").evaluate_all(
        "els => els.map(e => [e.getAttribute('href'), e.outerHTML])"
    ):
        # the app's own relative link to a contract page (the attention list, the changes): the
        # imported number is only its url-encoded parameter, on this host
        parts = urlsplit(href)
        own = (
            href.startswith("contract?")
            and not parts.scheme
            and not parts.netloc
            and parts.path == "contract"
        )
        assert own or (
            (href == "" or href.startswith(("#", "/", "?", base)))
            and "evil" not in href
            and "javascript" not in href
        ), (page.url, html[:300])
    for src in page.locator("img[src]").evaluate_all("els => els.map(e => e.getAttribute('src'))"):
        assert src.startswith(("data:", "blob:", "/", base)), src
    assert (
        page.locator(
            ".katex, .stMarkdownColoredText, [aria-label='home icon'], [aria-label='bolt icon']"
        ).count()
        == 0
    )
    assert page.locator("strong", has_text="URGENT").count() == 0
    assert page.locator("b", has_text="b").count() == 0
    assert "😄" not in page.locator("body").inner_text()


def test_no_element_is_made_from_imported_or_url_text_and_nothing_leaves_the_host(
    server: str, page: Page, tmp_path: Path
) -> None:
    base = server
    requests: list[str] = []

    def record(request: Request) -> None:
        requests.append(request.url)

    page.on("request", record)

    heading = page.locator("h1").first
    unknown = page.get_by_text("There is no contract with number", exact=False)
    visits = [  # each URL, and what its page draws once its run has begun
        ("/?as_of=9999-12-31", heading.filter(has_text="Portfolio overview")),  # refused, and the
        # overview's table, chart and sidebar
        ("/renewals?within=365", heading.filter(has_text="Renewals")),
        *((f"/contract?contract={quote(n)}", heading.filter(has_text=as_shown(n))) for n in NUMBERS[:2]),
        # reflected: the "no such contract" warning
        *((f"/contract?contract={quote(n)}", unknown.filter(has_text=as_shown(n))) for n in (LINK, IMAGE)),
    ]
    for n, (path, shows) in enumerate(visits):
        visit(page, base, path, shows, first=n == 0)
        assert_nothing_made_from_the_corpus(page, base)
        if path.startswith("/?"):  # the pressure map's tooltips show the imported names as text
            bubbles = page.locator(".st-key-pressure_map g.trace.scatter path.point")
            expect(bubbles).to_have_count(len(NUMBERS))
            shown = []
            for i in range(len(NUMBERS)):
                bubbles.nth(i).hover(force=True)
                tooltip = page.locator(".st-key-pressure_map g.hoverlayer g.hovertext")
                expect(tooltip).to_be_visible()
                shown.append(tooltip.locator("text").first.text_content() or "")
                assert_nothing_made_from_the_corpus(page, base)
                assert (
                    tooltip.locator("a, image, img, script, foreignObject").count() == 0
                )  # SVG: no link made
                assert tooltip.locator("tspan[style*='font-weight:bold']").count() <= 1  # only the app's own
            assert any(LINK in tip for tip in shown), shown  # the customer, literally
    expect(page.get_by_text("There is no contract with number", exact=False)).to_be_visible()

    # the Import page: a hostile file name, hostile unrecognised headers, 5,000-character cells
    # named as contracts, so the page offers a mapping for each unrecognised header
    upload = tmp_path / f"contracts {IMAGE} {MIXED[:40]}.csv".replace("/", "_")
    upload.write_text(
        _csv([["contract_number", "customer", LINK, MIXED[:60]], [LONG[:50], LONG, SCRIPT, RTL]])
    )
    page.locator("[data-testid='stSidebarNavLink']").filter(has_text="Import").click()  # the menu
    page.wait_for_url("**/import*", timeout=20_000)
    page.wait_for_selector(LOADED, timeout=30_000)
    page.locator("input[type=file]").set_input_files([str(upload)])
    answer = page.get_by_text("Nothing was imported", exact=False).or_(page.get_by_text("Holds"))
    expect(answer.first).to_be_visible(timeout=30_000)  # either or both, once the upload is read
    page.wait_for_selector(LOADED, timeout=30_000)
    expect(page.get_by_text("Column “[Your session expired]", exact=False)).to_be_visible()
    assert_nothing_made_from_the_corpus(page, base)

    page.remove_listener("request", record)
    outside = [u for u in requests if not u.startswith((base, "data:", "blob:"))]
    assert outside == [], outside
    assert any(re.search(r"/_stcore/|/static/", u) for u in requests)  # the recorder saw the app itself


def test_the_bomb_uploaded_to_the_page_is_refused_and_the_server_stays_small(
    server: str, page: Page, bomb: Path
) -> None:
    page.goto(server + "/import")
    page.wait_for_selector(LOADED, timeout=30_000)
    page.locator("input[type=file]").set_input_files([str(bomb)])
    expect(page.get_by_text("Nothing was imported", exact=False)).to_be_visible(timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0  # once: MessageSizeError
    expect(page.locator("td", has_text="sharedStrings.xml unpacks")).not_to_have_count(
        0
    )  # the problems table
    status = Path(f"/proc/{PIDS[server]}/status").read_text()
    peak_mb = int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) / 1024  # type: ignore[index]
    assert peak_mb < 1024, f"the streamlit process peaked at {peak_mb:.0f} MB"
