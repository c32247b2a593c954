"""Sign-in for real: `streamlit run dashboard.py` with [auth] pointing at a local OpenID Connect
provider (tests/oidc_provider.py, Authlib's server parts), driven by headless Chromium.

One provider and one app serve every test here (module scope). Anonymous visitors get the
sign-in screen on every page URL; a viewer sees figures but no Import or Settings and is
refused by the import itself; an admin (from the [auth] admins list) changes settings,
archives, imports over the demo and finds each action under their email in the audit
trail; signing out ends it. BUDGETCORE_SHOTS=/some/folder keeps screenshots of each role's view.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import oidc_provider
import pytest
from browser_support import LOADED, free_port, shot, streamlit_app
from playwright.sync_api import Page, expect

from budgetcore.exchange import demo, importing
from budgetcore.figures import portfolio, settings
from budgetcore.store import access, database
from budgetcore.store.database import make_engine, transaction
from budgetcore.store.models import AuditEntry
from budgetcore.store.schema import prepared

TODAY = dt.date(2026, 11, 27)
WAIT = 60_000  # ms: a loaded machine (load 8 on 2 cores) takes up to half a minute to draw the overview
from budgetcore.app.text import JOINER  # noqa: E402

ADMIN, VIEWER, STRANGER = "admin@example.com", "viewer@example.com", "stranger@example.com"
PAGE_URLS = (
    "/", "/renewals", "/accuracy", "/contract?contract={number}", "/import", "/settings", "/audit", "/users",
)  # fmt: skip


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, oidc_provider.Provider]]:
    """(app URL, database URL, provider): the demo (40 contracts) and one viewer in the database,
    the admin only in [auth] admins, the app signing in at the provider."""
    folder = tmp_path_factory.mktemp("signin")
    db_url = f"sqlite:///{folder / 'dashboard.db'}"
    engine = prepared(make_engine(db_url))
    assert demo.load(engine, contracts=40, today=TODAY).ok
    with transaction(engine) as session:
        access.set_role(session, access.operator(), VIEWER, "viewer")
    engine.dispose()
    port = free_port()
    with oidc_provider.running(f"http://127.0.0.1:{port}/oauth2callback") as provider:
        secrets = folder / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "a-long-random-cookie-secret-for-the-tests"\n'
            f'client_id = "{oidc_provider.CLIENT_ID}"\n'
            f'client_secret = "{oidc_provider.CLIENT_SECRET}"\n'
            f'server_metadata_url = "{provider.issuer}/.well-known/openid-configuration"\n'
            f'admins = ["{ADMIN}"]\n'
        )
        log = folder / "streamlit.log"
        with streamlit_app(
            db_url, log, port=port, secrets=secrets, BUDGETCORE_TODAY=TODAY.isoformat()
        ) as base:
            yield base, db_url, provider


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(LOADED, timeout=WAIT)


def sign_in(page: Page, base: str, email: str) -> None:
    """Click the app's sign-in button, sign in at the provider's form, land back in the app."""
    open_page(page, base + "/")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#email", timeout=WAIT)  # the provider's own page
    page.fill("#email", email)
    page.click("#signin")
    page.wait_for_url(re.compile(re.escape(base) + r"/($|\?)"), timeout=WAIT)
    page.wait_for_selector(LOADED, timeout=WAIT)


def menu(page: Page, entries: int) -> list[str]:
    """The sidebar menu's entries, once it has as many (the first run after sign-in may still draw it)."""
    expect(page.locator("[data-testid='stSidebarNav'] a")).to_have_count(entries, timeout=WAIT)
    return [
        s.strip().splitlines()[-1] for s in page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()
    ]


def some_contract(db_url: str) -> tuple[str, str]:
    """(number, customer) of a contract of the portfolio: names no anonymous page may show."""
    engine = prepared(make_engine(db_url))
    with transaction(engine) as session:
        first = portfolio.portfolio(session, TODAY)[0].inputs
    engine.dispose()
    return first.contract_number, first.customer


def test_anonymous_sees_only_the_sign_in_screen_on_every_url(app, page: Page) -> None:
    base, db_url, _ = app
    number, customer = some_contract(db_url)
    for url in PAGE_URLS:
        open_page(page, base + url.format(number=number))
        expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=WAIT)
        text = page.locator("body").inner_text()
        assert number not in text and customer not in text, url
        assert "Page not found" not in text
        for testid in ("stMetric", "stDataFrame", "stPlotlyChart", "stFileUploader", "stSidebarNav"):
            assert page.locator(f"[data-testid='{testid}']").count() == 0, (url, testid)
    shot(page, "anonymous")


def test_viewer_sees_figures_but_cannot_import_or_change_settings(app, page: Page) -> None:
    base, db_url, provider = app
    sign_in(page, base, VIEWER)
    expect(page.locator("[data-testid='stMetric']").first).to_be_visible(timeout=WAIT)
    # the address is shown through text.markdown: a word joiner after the @ keeps it from becoming a link
    expect(page.get_by_text(f"Signed in as {VIEWER.replace('@', '@' + JOINER)} (viewer)")).to_be_visible(
        timeout=WAIT
    )
    assert menu(page, 3) == ["Overview", "Renewals", "Forecast accuracy"]
    shot(page, "viewer")
    open_page(page, base + "/import")  # not offered: the URL leads to the overview, no uploader
    expect(page.get_by_role("heading", name="Portfolio overview")).to_be_visible(timeout=WAIT)
    assert page.locator("[data-testid='stFileUploader']").count() == 0
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
    # signing out: the sign-in screen again, on every page
    page.keyboard.press("Escape")  # Streamlit's "page not found" notice over the overview
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_selector(LOADED, timeout=WAIT)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=WAIT)
    open_page(page, base + "/renewals")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=WAIT)
    assert page.locator("[data-testid='stMetric']").count() == 0
    # an email the provider knows but the app gives no role: ask an admin
    sign_in(page, base, STRANGER)
    expect(page.get_by_text("Ask an admin for access")).to_be_visible(timeout=WAIT)
    assert page.locator("[data-testid='stMetric']").count() == 0
    shot(page, "no-role")
    assert provider.signed_in == [VIEWER, STRANGER]


def test_admin_does_everything_and_the_audit_trail_names_them(app, page: Page, tmp_path: Path) -> None:
    base, db_url, _ = app
    number, _ = some_contract(db_url)
    sign_in(page, base, ADMIN)
    expect(page.locator("[data-testid='stMetric']").first).to_be_visible(timeout=WAIT)
    assert menu(page, 7) == [
        "Overview", "Renewals", "Forecast accuracy", "Import", "Settings", "Audit trail", "Users",
    ]  # fmt: skip
    shot(page, "admin")

    open_page(page, base + "/settings")
    page.get_by_label("Default renewal window (days)").fill("120")
    page.get_by_role(
        "button", name="Save"
    ).first.click()  # the thresholds form (the review settings have their own)
    expect(page.get_by_text("Settings saved.")).to_be_visible(timeout=WAIT)

    open_page(page, base + f"/contract?contract={number}")
    page.get_by_text("Archive or delete this contract").click()
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_text("Archived on")).to_be_visible(timeout=WAIT)
    page.get_by_text("Archived on").scroll_into_view_if_needed()
    shot(page, "admin-archived")

    real = tmp_path / "real"
    demo.write_csv(real, contracts=6, seed=77, today=TODAY)
    for file in real.iterdir():  # another company's numbers: nothing in common with the demo's
        file.write_text(file.read_text().replace("CT-", "RC-").replace("WB", "RW"))
    open_page(page, base + "/import")
    page.locator("input[type=file]").set_input_files([str(p) for p in sorted(real.iterdir())])
    expect(page.get_by_text("Replace the demo with this import")).to_be_visible(timeout=WAIT)
    page.get_by_role("button", name=re.compile(r"Import [\d,]+ rows")).click()
    expect(page.get_by_text(re.compile(r"Imported [\d,]+ rows"))).to_be_visible(timeout=2 * WAIT)
    for url in ("/renewals", "/import", "/settings", "/"):  # the overview last: its screenshot
        open_page(page, base + url)
        assert "demo" not in page.locator("body").inner_text().lower(), url
    expect(page.locator("[data-testid='stMetric']").first).to_be_visible(timeout=WAIT)
    shot(page, "admin-own-data")

    open_page(page, base + "/audit")
    page.get_by_label("Who (part of the email or user name)").fill("admin@")
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)  # the rerun starts; LOADED is true again once it has drawn the filtered table
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
    assert (configured[0].actor, configured[0].subject) == ("configuration", ADMIN)
