"""Sign-in that fails closed, for real: `streamlit run dashboard.py` with the suite's local OpenID
Connect provider (tests/oidc_provider.py), driven by headless Chromium.

An [auth] section that cannot sign anyone in serves no data and says why, on the page and in the
start log; only verified addresses sign in (a configured admin's unverified address becomes
nothing); a lookalike of a user's address is refused; a removed configured admin stays removed;
signing out in one tab ends the other tabs at their next action; a deferred pack download checks
the role when it is built; a signed-in admin's save of "Review and alerts" is audited as them.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from pathlib import Path

import oidc_provider
import pytest
from browser_support import LOADED, free_port, shot, streamlit_app
from playwright.sync_api import Page, expect

from budgetcore.exchange import demo
from budgetcore.figures import portfolio
from budgetcore.store import access, writes
from budgetcore.store.database import make_engine, transaction
from budgetcore.store.schema import prepared

TODAY = dt.date(2026, 11, 27)
WAIT = 60_000
ADMIN, VIEWER, EDITOR = "admin@example.com", "kees@example.com", "editor@example.com"
UNVERIFIED_ADMIN = "boss@example.com"  # in [auth] admins, but the provider does not vouch for it
NO_CLAIM = "noclaim@example.com"  # a viewer whose provider sends no email_verified at all
KELVIN = "\u212aees@example.com"  # KELVIN SIGN + "ees": lower-cases to the viewer's address


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


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, oidc_provider.Provider, Path]]:
    """(app URL, database URL, provider, log): the demo (30 contracts), a viewer, an editor and the
    no-claim viewer in the database; the admins only in [auth] admins."""
    folder = tmp_path_factory.mktemp("signin-safety")
    db_url = f"sqlite:///{folder / 'dashboard.db'}"
    engine = prepared(make_engine(db_url))
    assert demo.load(engine, contracts=30, today=TODAY).ok
    op = access.operator()
    with transaction(engine) as session:
        for email, role in ((VIEWER, "viewer"), (EDITOR, "editor"), (NO_CLAIM, "viewer")):
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
            yield base, db_url, provider, log


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(LOADED, timeout=WAIT)


def sign_in(page: Page, base: str, email: str) -> None:
    open_page(page, base + "/")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#email", timeout=WAIT)
    page.eval_on_selector("#email", "e => e.type = 'text'")  # the browser's own check refuses non-ASCII
    page.fill("#email", email)
    page.click("#signin")
    page.wait_for_url(re.compile(re.escape(base) + r"/($|\?)"), timeout=WAIT)
    page.wait_for_selector(LOADED, timeout=WAIT)


def role(db_url: str, email: str) -> str | None:
    engine = make_engine(db_url)
    with transaction(engine) as session:
        found = access.role_of(session, email)
    engine.dispose()
    return found


def first_contract(db_url: str) -> tuple[str, str]:
    engine = make_engine(db_url)
    with transaction(engine) as session:
        first = portfolio.portfolio(session, TODAY)[0].inputs
    engine.dispose()
    return first.contract_number, first.customer


def no_data(page: Page, db_url: str) -> None:
    number, customer = first_contract(db_url)
    text = page.locator("body").inner_text()
    assert number not in text and customer not in text
    for testid in ("stMetric", "stDataFrame", "stVegaLiteChart", "stSidebarNav"):
        assert page.locator(f"[data-testid='{testid}']").count() == 0, testid


def test_the_start_log_says_sign_in_is_on(app) -> None:
    *_, log = app
    assert "sign-in: on (provider default; only verified addresses)" in log.read_text()


def test_an_unverified_address_signs_in_as_nobody_not_even_a_configured_admin(app, page: Page) -> None:
    base, db_url, _, _ = app
    sign_in(page, base, UNVERIFIED_ADMIN)
    expect(page.get_by_text("did not confirm that this email address is yours")).to_be_visible(timeout=WAIT)
    no_data(page, db_url)
    shot(page, "unverified-en-desktop")
    assert role(db_url, UNVERIFIED_ADMIN) is None
    page.context.clear_cookies()
    sign_in(page, base, NO_CLAIM)  # no email_verified claim, and no setting that accepts that
    expect(page.get_by_text("did not confirm that this email address is yours")).to_be_visible(timeout=WAIT)
    no_data(page, db_url)


def test_a_lookalike_of_a_users_address_is_refused(app, page: Page) -> None:
    base, db_url, _, _ = app
    sign_in(page, base, KELVIN)
    expect(page.get_by_text("characters that look like others")).to_be_visible(timeout=WAIT)
    no_data(page, db_url)
    engine = make_engine(db_url)
    with transaction(engine) as session:
        assert not [e for e in access.trail(session) if e.actor in (VIEWER, KELVIN)]
    engine.dispose()


def test_a_removed_configured_admin_stays_removed(app, page: Page) -> None:
    base, db_url, _, _ = app
    sign_in(page, base, ADMIN)
    expect(page.locator("[data-testid='stMetric']").first).to_be_visible(timeout=WAIT)
    assert role(db_url, ADMIN) == "admin"
    engine = make_engine(db_url)
    op = access.operator()
    writes.write(engine, op, "users", lambda s: access.remove_user(s, op, ADMIN))
    page.context.clear_cookies()
    sign_in(page, base, EDITOR)  # any signed-in user's page load
    expect(page.locator("[data-testid='stMetric']").first).to_be_visible(timeout=WAIT)
    assert role(db_url, ADMIN) is None
    with transaction(engine) as session:
        removal = access.trail(session, action="role", actor=op.who)
        assert (removal[0].subject, removal[0].details) == (ADMIN, '{"new": null, "old": "admin"}')
        writes.write(
            engine, op, "users", lambda s: access.set_role(s, op, ADMIN, "admin")
        )  # for the tests after
    engine.dispose()


def test_signing_out_in_one_tab_ends_the_other_tabs(app, page: Page) -> None:
    base, db_url, _, _ = app
    sign_in(page, base, VIEWER)
    other = page.context.new_page()
    other.set_viewport_size({"width": 1440, "height": 900})
    open_page(other, base + "/")
    expect(other.locator("[data-testid='stMetric']").first).to_be_visible(timeout=WAIT)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_selector(LOADED, timeout=WAIT)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=WAIT)
    # the other tab's next action: a menu entry (a rerun over its open connection, no reload)
    other.locator("[data-testid='stSidebarNav'] a").filter(has_text="Renewals").click()
    expect(other.get_by_role("button", name="Sign in")).to_be_visible(timeout=WAIT)
    no_data(other, db_url)
    other.close()


def test_a_deferred_pack_download_checks_the_role_when_it_is_built(app, page: Page, tmp_path: Path) -> None:
    base, db_url, _, log = app
    page.context.clear_cookies()
    sign_in(page, base, EDITOR)
    open_page(page, base + "/renewals")
    page.get_by_role("button", name="Prepare the review packs").click()  # built under a progress status
    button = page.get_by_role("button", name="Review pack (printable HTML)")
    expect(button).to_be_visible(timeout=WAIT)
    with page.expect_download(timeout=WAIT) as first:
        button.click()
    assert "<html" in Path(first.value.path()).read_text().lower()  # while the role holds: the pack
    engine = make_engine(db_url)
    op = access.operator()
    writes.write(engine, op, "users", lambda s: access.remove_user(s, op, EDITOR))
    engine.dispose()
    number, _ = first_contract(db_url)
    downloads: list = []
    page.on("download", lambda download: downloads.append(download))
    refusals = log.read_text().count("RefusedError")
    button.click()
    # the click is answered once the server has run the pack's callable: refused, it logs the
    # refusal (Streamlit's "Error executing deferred callable", our RefusedError) and sends no file
    deadline = time.monotonic() + WAIT / 1000
    while log.read_text().count("RefusedError") == refusals and time.monotonic() < deadline:
        time.sleep(0.2)
    assert log.read_text().count("RefusedError") > refusals, "the role was not checked at the click"
    page.wait_for_timeout(1000)  # a file the server had sent would be downloading by now
    for download in downloads:
        path = None if download.failure() else download.path()
        assert path is None or number not in Path(path).read_text()


def test_a_signed_in_admins_review_settings_save_is_audited_as_them(app, page: Page) -> None:
    base, db_url, _, _ = app
    page.context.clear_cookies()
    sign_in(page, base, ADMIN)
    open_page(page, base + "/settings")
    field = page.get_by_label("Account managers' email addresses, one 'Name = address' per line")
    field.fill("Anna = anna@example.nl")
    page.get_by_role("button", name="Save").last.click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible(timeout=WAIT)
    engine = make_engine(db_url)
    with transaction(engine) as session:
        mine = {(e.action, e.source) for e in access.trail(session, actor=ADMIN)}
        others = [e for e in access.trail(session, action="manager-emails") if e.actor != ADMIN]
    engine.dispose()
    assert ("manager-emails", "page:settings") in mine and not others


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
    for url in ("/", "/import", "/settings", "/users"):
        open_page(page, base + url)
        expect(page.get_by_text("cannot sign anyone in, so this app shows no data")).to_be_visible(
            timeout=WAIT
        )
        assert "[auth] has no redirect_uri and no cookie_secret" in page.locator("body").inner_text()
        no_data(page, db_url)
        assert page.get_by_role("button", name="Sign in").count() == 0
    shot(page, "misconfigured-en-desktop")
    said = log.read_text()
    assert (
        "sign-in: MISCONFIGURED, the app serves no data until it is fixed: [auth] has no redirect_uri" in said
    )
    assert "[auth.microsoft]" in said
