"""Sign-in for real: `streamlit run dashboard.py` with [auth] pointing at a local OpenID Connect
provider (tests/oidc_provider.py, Authlib's server parts), driven by headless Chromium.

One provider, one app and one browser tab serve every test here but the last (module scope),
in this order, each test after the state the ones before it left: anonymous visitors get the
sign-in screen on every page URL; an unverified address signs in as nobody, not even a
configured admin (before anyone else signs in: a verified sign-in makes the configured admins
admin); a lookalike of a user's address is refused; a viewer sees figures but no Import or
Settings and is refused by the import itself, and signing out in one tab ends the other tabs;
an admin (from the [auth] admins list) changes settings, archives, imports over the demo and
finds each action under their email in the audit trail; a removed configured admin stays
removed; an admin's save of "Review and alerts" is audited as them; a deferred pack download
checks the role when it is built. The last test starts its own app, whose [auth] cannot sign
anyone in: it serves no data and says why.

Each sign-in that a test is about goes through the provider's form. A test that only needs
someone signed in (as_user) reuses the cookies of that user's earlier sign-in here, and pages
are opened by the app's own menu where the test is not about their URL. What the server sends
for each URL is read on the wire (tests/wire.py), as anonymous or with a signed-in tab's cookies,
and a few of them are drawn in Chromium too.
BUDGETCORE_SHOTS=/some/folder keeps screenshots of each role's view.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import oidc_provider
import pytest
import wire
from browser_support import LOADED, free_port, shot, streamlit_app
from playwright.sync_api import Download, Page, expect

from budgetcore.app.text import JOINER
from budgetcore.exchange import demo, importing
from budgetcore.figures import portfolio, settings
from budgetcore.store import access, database, writes
from budgetcore.store.database import make_engine, transaction
from budgetcore.store.models import AuditEntry
from budgetcore.store.schema import prepared

TODAY = dt.date(2026, 11, 27)
WAIT = 60_000  # ms: a loaded machine (load 8 on 2 cores) takes up to half a minute to draw the overview

ADMIN, VIEWER, STRANGER = "admin@example.com", "viewer@example.com", "stranger@example.com"
KEES, EDITOR = "kees@example.com", "editor@example.com"  # a viewer and an editor in the database
UNVERIFIED_ADMIN = "boss@example.com"  # in [auth] admins, but the provider does not vouch for it
NO_CLAIM = "noclaim@example.com"  # a viewer whose provider sends no email_verified at all
KELVIN = "\u212aees@example.com"  # KELVIN SIGN + "ees": lower-cases to Kees's address
PAGE_URLS = (
    "/", "/renewals", "/accuracy", "/contract?contract={number}", "/import", "/settings", "/audit", "/users",
)  # fmt: skip
NO_DATA = ("stMetric", "stDataFrame", "stPlotlyChart", "stVegaLiteChart", "stFileUploader", "stSidebarNav")


def secrets_text(port: int, issuer: str, *, broken: bool = False) -> str:
    provider = (
        f'client_id = "{oidc_provider.CLIENT_ID}"\n'
        f'client_secret = "{oidc_provider.CLIENT_SECRET}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
    )
    if broken:  # redirect_uri and cookie_secret written under the provider's own heading
        return (
            f'[auth]\nadmins = ["{ADMIN}"]\n\n[auth.microsoft]\n'
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "a-long-random-cookie-secret-for-the-tests"\n' + provider
        )
    return (
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-long-random-cookie-secret-for-the-tests"\n'
        + provider
        + f'admins = ["{ADMIN}", "{UNVERIFIED_ADMIN}"]\n'
    )


@dataclass
class App:
    base: str  # the app's URL
    db_url: str
    provider: oidc_provider.Provider
    log: Path  # the server's output
    cookies: dict[str, list] = field(default_factory=dict)  # email -> the cookies of its sign-in here


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """The demo (30 contracts), two viewers, an editor and the no-claim viewer in the database; the
    admins only in [auth] admins; the app signing in at the provider."""
    folder = tmp_path_factory.mktemp("signin")
    db_url = f"sqlite:///{folder / 'dashboard.db'}"
    engine = prepared(make_engine(db_url))
    assert demo.load(engine, contracts=30, today=TODAY).ok
    op = access.operator()
    with transaction(engine) as session:
        for email, role in ((VIEWER, "viewer"), (KEES, "viewer"), (EDITOR, "editor"), (NO_CLAIM, "viewer")):
            access.set_role(session, op, email, role)
    engine.dispose()
    port = free_port()
    with oidc_provider.running(f"http://127.0.0.1:{port}/oauth2callback") as provider:
        provider.claims[UNVERIFIED_ADMIN] = {"email_verified": False}
        provider.claims[NO_CLAIM] = {"email_verified": None}
        secrets = folder / "secrets.toml"
        secrets.write_text(secrets_text(port, provider.issuer))
        log = folder / "streamlit.log"
        with streamlit_app(
            db_url, log, port=port, secrets=secrets, BUDGETCORE_TODAY=TODAY.isoformat()
        ) as base:
            yield App(base, db_url, provider, log)


@pytest.fixture
def page(shared_tab: Page) -> Page:
    """The process's shared tab (conftest's shared_tab: a new tab costs Chromium a renderer's start,
    a new URL in the same tab a fraction of that), signed out (no cookies from an earlier test);
    each test opens its URL."""
    shared_tab.context.clear_cookies()
    return shared_tab


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(LOADED, timeout=WAIT)


def sign_in(page: Page, base: str, email: str, *, start: str | None = "/", drawn: bool = True) -> None:
    """Open start (None: the page shows the sign-in screen already), click the app's sign-in button,
    sign in at the provider's form, land back in the app (drawn: and wait for its run to end;
    else return once the app's URL is back, its sign-in cookie set)."""
    if start is not None:
        open_page(page, base + start)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#email", timeout=WAIT)  # the provider's own page
    page.eval_on_selector("#email", "e => e.type = 'text'")  # the browser's own check refuses non-ASCII
    page.fill("#email", email)
    page.click("#signin")
    landed = re.compile(re.escape(base) + r"/($|\?)")
    page.wait_for_url(landed, timeout=WAIT, wait_until="load" if drawn else "commit")
    if drawn:
        page.wait_for_selector(LOADED, timeout=WAIT)


def as_user(page: Page, app: App, email: str, path: str | None) -> None:
    """page signed in as email, showing path (None: left where the sign-in left it, its cookies
    set): the first time through the provider's form (a real sign-in; its landing on the overview
    is left for path), after that with the cookies that sign-in left (no new round trip)."""
    if email in app.cookies:
        page.context.add_cookies(app.cookies[email])
    else:
        sign_in(page, app.base, email, drawn=False)
        app.cookies[email] = page.context.cookies()
    if path is not None:
        open_page(page, app.base + path)


def go(page: Page, entry: str, heading: str) -> None:
    """Open a page by its entry in the app's menu (a rerun in this session, no reload) and wait for
    its run to end."""
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text=entry).click()
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=WAIT)
    page.wait_for_selector(LOADED, timeout=WAIT)


def menu(page: Page, entries: int) -> list[str]:
    """The sidebar menu's entries, once it has as many (the first run after sign-in may still draw it)."""
    expect(page.locator("[data-testid='stSidebarNav'] a")).to_have_count(entries, timeout=WAIT)
    return [
        s.strip().splitlines()[-1] for s in page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()
    ]


def role(db_url: str, email: str) -> str | None:
    engine = make_engine(db_url)
    with transaction(engine) as session:
        found = access.role_of(session, email)
    engine.dispose()
    return found


def some_contract(db_url: str) -> tuple[str, str]:
    """(number, customer) of a contract of the portfolio: names no anonymous page may show."""
    engine = make_engine(db_url)
    with transaction(engine) as session:
        first = portfolio.portfolio(session, TODAY)[0].inputs
    engine.dispose()
    return first.contract_number, first.customer


def served(base: str, url: str, page: Page | None = None) -> wire.Visit:
    """What the server at base sends a new session (a tab) that opens url, read on the wire
    (tests/wire.py): every element's type and every byte; with the cookies page's context holds
    (page: a tab of a signed-in user's, say), else none."""
    path, _, query = url.lstrip("/").partition("?")
    ws = "ws" + base.removeprefix("http") + "/_stcore/stream"
    cookies = {c["name"]: c["value"] for c in page.context.cookies(base)} if page else None
    with ThreadPoolExecutor(1) as pool:  # this thread's event loop is playwright's
        return pool.submit(
            asyncio.run,
            wire.visit(ws, base, "visit", path, query, timeout=WAIT / 1000, keep=True, cookies=cookies),
        ).result()


def no_data(page: Page, db_url: str, where: str = "") -> None:
    """No name of the portfolio on the page, and none of the elements that show its data."""
    number, customer = some_contract(db_url)
    text = page.locator("body").inner_text()
    assert number not in text and customer not in text, where
    for testid in NO_DATA:
        assert page.locator(f"[data-testid='{testid}']").count() == 0, (where, testid)


def test_the_start_log_says_sign_in_is_on(app: App) -> None:
    assert "sign-in: on (provider default; only verified addresses)" in app.log.read_text()


def test_anonymous_sees_only_the_sign_in_screen_on_every_url(app: App, page: Page) -> None:
    number, customer = some_contract(app.db_url)
    for url in PAGE_URLS:  # everything the server sends a new tab on the URL: the sign-in screen
        sent = served(app.base, url.format(number=number))
        assert sent.error is None, (url, sent.error)  # no page-not-found, exception or error alert
        assert sent.elements == ["heading", "markdown", "button"] and sent.menus == ["HIDDEN"], url
        assert b"Sign in" in sent.received, url
        assert number.encode() not in sent.received and customer.encode() not in sent.received, url
    for url in ("/", f"/contract?contract={number}"):  # and as Chromium draws it
        open_page(page, app.base + url)
        expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=WAIT)
        assert "Page not found" not in page.locator("body").inner_text()
        no_data(page, app.db_url, url)
    shot(page, "anonymous")


def signed_in_as_nobody(page: Page, app: App, email: str, says: str) -> None:
    """Sign in as email through the provider's form; what the app then sends the tab (read on the
    wire with its cookies, as a new tab of theirs gets it): says, and nothing of the portfolio.
    BUDGETCORE_SHOTS: drawn too, for its screenshot."""
    shots = bool(os.environ.get("BUDGETCORE_SHOTS"))
    sign_in(page, app.base, email, drawn=shots)
    sent = served(app.base, "/", page)
    assert sent.error is None and says.encode() in sent.received, (email, sent.error)
    no_data_sent(sent, app.db_url, email)
    if shots:
        shot(page, f"refused-{email.split('@')[0]}")


def no_data_sent(sent: wire.Visit, db_url: str, where: str = "") -> None:
    """No name of the portfolio in what the server sent, and none of the elements that show its
    data (no_data's on the wire: a metric, a table, a chart, an uploader, the menu)."""
    number, customer = some_contract(db_url)
    assert number.encode() not in sent.received and customer.encode() not in sent.received, where
    shown = {"metric", "dataframe", "plotly_chart", "vega_lite_chart", "file_uploader"}
    assert not shown & set(sent.elements) and set(sent.menus) <= {"HIDDEN"}, (
        where,
        sent.elements,
        sent.menus,
    )


def test_an_unverified_address_signs_in_as_nobody_not_even_a_configured_admin(app: App, page: Page) -> None:
    signed_in_as_nobody(page, app, UNVERIFIED_ADMIN, "did not confirm that this email address is yours")
    assert role(app.db_url, UNVERIFIED_ADMIN) is None
    page.context.clear_cookies()
    # no email_verified claim, and no setting that accepts that
    signed_in_as_nobody(page, app, NO_CLAIM, "did not confirm that this email address is yours")


def test_a_lookalike_of_a_users_address_is_refused(app: App, page: Page) -> None:
    signed_in_as_nobody(page, app, KELVIN, "characters that look like others")
    engine = make_engine(app.db_url)
    with transaction(engine) as session:
        assert not [e for e in access.trail(session) if e.actor in (KEES, KELVIN)]
    engine.dispose()


def test_viewer_sees_figures_cannot_import_or_change_settings_and_signing_out_ends_every_tab(
    app: App, page: Page
) -> None:
    base, db_url, provider = app.base, app.db_url, app.provider
    before = len(provider.signed_in)
    sign_in(page, base, VIEWER, drawn=False)  # back at the overview's URL, signed in
    open_page(page, base + "/import")  # not offered: the URL leads to the overview, no uploader
    expect(page.get_by_role("heading", name="Portfolio overview")).to_be_visible(timeout=WAIT)
    assert page.locator("[data-testid='stFileUploader']").count() == 0
    page.keyboard.press("Escape")  # Streamlit's "page not found" notice over the overview
    expect(page.locator("[data-testid='stMetric']").first).to_be_visible(timeout=WAIT)
    # the address is shown through text.markdown: a word joiner after the @ keeps it from becoming a link
    expect(page.get_by_text(f"Signed in as {VIEWER.replace('@', '@' + JOINER)} (viewer)")).to_be_visible(
        timeout=WAIT
    )
    assert menu(page, 3) == ["Overview", "Renewals", "Forecast accuracy"]
    shot(page, "viewer")
    # the page's action itself, run as the viewer: refused by the core, nothing written
    engine = prepared(make_engine(db_url))
    viewer = access.Actor(VIEWER, "page:import")
    result = importing.import_tables(engine, demo.tables(contracts=3, seed=9, today=TODAY), actor=viewer)
    assert not result.ok and not result.written
    assert "viewer@example.com (viewer) may not import" in str(result.errors[0])
    with transaction(engine) as session, pytest.raises(access.RefusedError):  # the Settings page's save
        settings.save(session, settings.Settings(renewal_window_days=30), viewer.on("page:settings"))
    with transaction(engine) as session:
        assert session.query(AuditEntry).filter(AuditEntry.actor == VIEWER).count() == 0
        assert settings.load(session).renewal_window_days == 90
    engine.dispose()
    # signing out in one tab ends the other tabs at their next action
    with page.context.expect_page() as opened:  # a second tab, opened from the first (its process)
        page.evaluate("url => window.open(url)", base + "/renewals")
    other = opened.value
    other.wait_for_selector(LOADED, timeout=WAIT)
    expect(other.locator("[data-testid='stMetric']").first).to_be_visible(timeout=WAIT)
    page.bring_to_front()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_selector(LOADED, timeout=WAIT)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=WAIT)
    # the other tab's next action: a menu entry (a rerun over its open connection, no reload)
    other.locator("[data-testid='stSidebarNav'] a").filter(has_text="Forecast accuracy").click()
    expect(other.get_by_role("button", name="Sign in")).to_be_visible(timeout=WAIT)
    no_data(other, db_url)
    other.close()
    # the sign-in screen again, on every page: what a new tab with this tab's cookies gets (on the wire)
    sent = served(base, "/renewals", page)
    assert sent.error is None and sent.elements == ["heading", "markdown", "button"], sent.error
    assert b"Sign in" in sent.received and "metric" not in sent.elements
    # an email the provider knows but the app gives no role: ask an admin
    sign_in(page, base, STRANGER, start=None)  # from the sign-in screen the signed-out tab shows
    expect(page.get_by_text("Ask an admin for access")).to_be_visible(timeout=WAIT)
    assert page.locator("[data-testid='stMetric']").count() == 0
    shot(page, "no-role")
    assert provider.signed_in[before:] == [VIEWER, STRANGER]


def test_admin_does_everything_and_the_audit_trail_names_them(app: App, page: Page, tmp_path: Path) -> None:
    base, db_url = app.base, app.db_url
    number, _ = some_contract(db_url)
    sign_in(page, base, ADMIN, drawn=False)  # back at the overview's URL, signed in
    app.cookies[ADMIN] = page.context.cookies()  # for the admin's tests after this one (as_user)
    open_page(page, base + "/settings")
    assert menu(page, 7) == [
        "Overview", "Renewals", "Forecast accuracy", "Import", "Settings", "Audit trail", "Users",
    ]  # fmt: skip
    shot(page, "admin")

    page.get_by_label("Default renewal window (days)").fill("120")
    page.get_by_role(
        "button", name="Save"
    ).first.click()  # the thresholds form (the review settings have their own)
    expect(page.get_by_text("Settings saved.")).to_be_visible(timeout=WAIT)

    open_page(page, base + f"/contract?contract={number}")  # not in the menu: opened by its URL
    page.get_by_text("Archive or delete this contract").click()
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_text("Archived on")).to_be_visible(timeout=WAIT)
    page.get_by_text("Archived on").scroll_into_view_if_needed()
    shot(page, "admin-archived")

    real = tmp_path / "real"
    demo.write_csv(real, contracts=6, seed=77, today=TODAY)
    for file in real.iterdir():  # another company's numbers: nothing in common with the demo's
        file.write_text(file.read_text().replace("CT-", "RC-").replace("WB", "RW"))
    go(page, "Import", "Import")
    page.locator("input[type=file]").set_input_files([str(p) for p in sorted(real.iterdir())])
    expect(page.get_by_text("Replace the demo with this import")).to_be_visible(timeout=WAIT)
    page.get_by_role("button", name=re.compile(r"Import [\d,]+ rows")).click()
    expect(page.get_by_text(re.compile(r"Imported [\d,]+ rows"))).to_be_visible(timeout=2 * WAIT)
    for url, heading in (
        ("/renewals", b"Renewals"), ("/import", b"Import"), ("/settings", b"Settings"), ("/", b"Portfolio overview"),
    ):  # fmt: skip  # every word each page sends the admin (a new tab of theirs), read on the wire
        sent = served(base, url, page)
        assert sent.error is None and heading in sent.received, (url, sent.error)
        assert b"demo" not in sent.received.lower(), url
    assert sent.metrics  # the overview's figures, of the imported contracts
    if os.environ.get("BUDGETCORE_SHOTS"):
        go(page, "Overview", "Portfolio overview")
        shot(page, "admin-own-data")

    sent = served(base, "/audit", page)  # the admin's audit trail, as a new tab of theirs gets it
    assert sent.error is None and b"Audit trail" in sent.received and "dataframe" in sent.elements
    if os.environ.get("BUDGETCORE_SHOTS"):  # the trail narrowed to the admin, for its screenshot
        go(page, "Audit trail", "Audit trail")
        page.get_by_label("Who (part of the email or user name)").fill("admin@")
        page.keyboard.press("Enter")
        page.wait_for_timeout(500)  # the rerun starts; LOADED is true again once it has drawn the table
        page.wait_for_selector(LOADED, timeout=WAIT)
        shot(page, "admin-audit")

    engine = prepared(make_engine(db_url))
    with transaction(engine) as session:
        numbers = {f.contract_number for f in portfolio.portfolio(session, TODAY)}
        trail = [(e.action, e.source, e.subject) for e in access.trail(session, actor=ADMIN)]
        configured = access.trail(session, action="role")
        assert not database.is_demo(session)
    engine.dispose()
    assert numbers and all(n.startswith("RC-") for n in numbers)  # only the imported contracts remain
    assert trail == [
        ("import", "page:import", ""),
        ("demo-remove", "page:import", ""),
        ("archive", "page:contract", number),
        ("settings", "page:settings", ""),
    ]
    # the admin's role: granted once, by the configuration
    assert [e.actor for e in configured if e.subject == ADMIN] == ["configuration"]


def test_a_removed_configured_admin_stays_removed(app: App, page: Page) -> None:
    as_user(page, app, ADMIN, None)  # the admin's cookies; their page loads read on the wire
    sent = served(app.base, "/users", page)
    assert sent.error is None and b"Users" in sent.received and "dataframe" in sent.elements
    assert role(app.db_url, ADMIN) == "admin"
    engine = make_engine(app.db_url)
    op = access.operator()
    writes.write(engine, op, "users", lambda s: access.remove_user(s, op, ADMIN))
    sent = served(app.base, "/users", page)  # the removed admin's own next page load: no way back in
    assert sent.error is None and b"Ask an admin for access" in sent.received, sent.error
    assert "dataframe" not in sent.elements
    assert role(app.db_url, ADMIN) is None
    with transaction(engine) as session:
        removal = access.trail(session, action="role", actor=op.who)
        assert (removal[0].subject, removal[0].details) == (ADMIN, '{"new": null, "old": "admin"}')
        writes.write(
            engine, op, "users", lambda s: access.set_role(s, op, ADMIN, "admin")
        )  # for the tests after
    engine.dispose()


def test_a_signed_in_admins_review_settings_save_is_audited_as_them(app: App, page: Page) -> None:
    as_user(page, app, ADMIN, "/settings")
    field = page.get_by_label("Account managers' email addresses, one 'Name = address' per line")
    field.fill("Anna = anna@example.nl")
    page.get_by_role("button", name="Save").last.click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible(timeout=WAIT)
    engine = make_engine(app.db_url)
    with transaction(engine) as session:
        mine = {(e.action, e.source) for e in access.trail(session, actor=ADMIN)}
        others = [e for e in access.trail(session, action="manager-emails") if e.actor != ADMIN]
    engine.dispose()
    assert ("manager-emails", "page:settings") in mine and not others


def test_a_deferred_pack_download_checks_the_role_when_it_is_built(app: App, page: Page) -> None:
    as_user(page, app, EDITOR, "/renewals")
    page.get_by_role("button", name="Prepare the review packs").click()  # built under a progress status
    button = page.get_by_role("button", name="Review pack (printable HTML)")
    expect(button).to_be_visible(timeout=WAIT)
    with page.expect_download(timeout=WAIT) as first:
        button.click()
    assert "<html" in Path(first.value.path()).read_text().lower()  # while the role holds: the pack
    engine = make_engine(app.db_url)
    op = access.operator()
    writes.write(engine, op, "users", lambda s: access.remove_user(s, op, EDITOR))
    engine.dispose()
    number, _ = some_contract(app.db_url)
    downloads: list = []

    def keep(download: Download) -> None:
        downloads.append(download)

    page.on("download", keep)
    refusals = app.log.read_text().count("RefusedError")
    button.click()
    # the click is answered once the server has run the pack's callable: refused, it logs the
    # refusal (Streamlit's "Error executing deferred callable", our RefusedError) and sends no file
    deadline = time.monotonic() + WAIT / 1000
    while app.log.read_text().count("RefusedError") == refusals and time.monotonic() < deadline:
        time.sleep(0.2)
    assert app.log.read_text().count("RefusedError") > refusals, "the role was not checked at the click"
    # the browser's side of it: the request came back refused (the button says so), so no file follows
    expect(page.locator("[data-testid='stDownloadButtonError']")).to_be_visible(timeout=WAIT)
    page.remove_listener("download", keep)  # the tab serves the tests after this one
    for download in downloads:
        path = None if download.failure() else download.path()
        assert path is None or number not in Path(path).read_text()


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """An app whose [auth] has redirect_uri and cookie_secret under [auth.microsoft]."""
    folder = tmp_path_factory.mktemp("signin-broken")
    db_url = f"sqlite:///{folder / 'dashboard.db'}"
    engine = prepared(make_engine(db_url))
    assert demo.load(engine, contracts=10, today=TODAY).ok
    engine.dispose()
    port = free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(secrets_text(port, "http://127.0.0.1:9", broken=True))
    log = folder / "streamlit.log"
    with streamlit_app(db_url, log, port=port, secrets=secrets, BUDGETCORE_TODAY=TODAY.isoformat()) as base:
        yield base, db_url, log


def test_a_configuration_that_cannot_sign_in_serves_no_data_and_says_why(broken, page: Page) -> None:
    base, db_url, log = broken
    number, customer = some_contract(db_url)
    for url in ("/", "/import", "/settings", "/users"):  # everything the server sends a new tab
        sent = served(base, url)
        assert sent.elements == ["heading", "alert"] and sent.menus == ["HIDDEN"], (
            url,
            sent.error,
        )  # no sign-in button
        assert b"cannot sign anyone in, so this app shows no data" in sent.received, url
        assert number.encode() not in sent.received and customer.encode() not in sent.received, url
    open_page(page, base + "/settings")  # and as Chromium draws it
    expect(page.get_by_text("cannot sign anyone in, so this app shows no data")).to_be_visible(timeout=WAIT)
    assert "[auth] has no redirect_uri and no cookie_secret" in page.locator("body").inner_text()
    no_data(page, db_url)
    assert page.get_by_role("button", name="Sign in").count() == 0
    shot(page, "misconfigured-en-desktop")
    said = log.read_text()
    assert (
        "sign-in: MISCONFIGURED, the app serves no data until it is fixed: [auth] has no redirect_uri" in said
    )
    assert "[auth.microsoft]" in said
