"""Sign-in with OpenID Connect through Streamlit's own st.login / st.user / st.logout, and who acts.

With an [auth] section in .streamlit/secrets.toml (redirect_uri, cookie_secret and
one provider: client_id, client_secret, server_metadata_url at the top or in named
[auth.<name>] sections), a visitor who has not signed in gets the sign-in screen
and nothing else; a signed-in email without a role gets "ask an admin for access".
The emails in [auth] admins = [...] are made admin once each (a later removal
sticks). Without [auth] the app serves one local user, the operator, who may do
everything.

Sign-in fails closed: an [auth] section that cannot sign anyone in (a key missing,
or written under the wrong heading) serves no data at all, and says why on the page
and in the server's log at start (startup_line). Only an address the provider says
it verified (email_verified: true) signs in; a provider that sends no such claim
needs [auth] accept_email_without_verified_claim = true, said explicitly. An address
written with lookalike characters (access.lookalike) is refused.

Identity comes from st.user (the identity token's claims, in Streamlit's signed
cookie), never from a request header.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable, Mapping, Sequence

import streamlit as st
from sqlalchemy import Engine

from budgetcore.app import text
from budgetcore.i18n import N_, t
from budgetcore.store import access, database, writes
from budgetcore.store.access import Actor

PROVIDER_KEYS = ("client_id", "server_metadata_url")
PROVIDER_NEEDS = ("client_id", "client_secret", "server_metadata_url")
SIGN_IN_NEEDS = ("redirect_uri", "cookie_secret")
UNVERIFIED_OK = "accept_email_without_verified_claim"

log = logging.getLogger(__name__)


def section() -> Mapping[str, object] | None:
    """The [auth] section of the secrets (complete or not), or None when there is none at all."""
    if not st.secrets.load_if_toml_exists() or "auth" not in st.secrets:
        return None
    found = st.secrets["auth"]
    return found if isinstance(found, Mapping) else {}


def problem(auth: Mapping[str, object]) -> str | None:
    """Why this [auth] section cannot sign anyone in (English, for the log and a translation
    key's value), or None when it can."""
    missing = [k for k in SIGN_IN_NEEDS if not auth.get(k)]
    if missing:
        nested = [
            f"[auth.{n}]" for n, v in auth.items() if isinstance(v, Mapping) and any(k in v for k in missing)
        ]
        where = f" (found under {', '.join(nested)}: it belongs directly under [auth])" if nested else ""
        return f"[auth] has no {' and no '.join(missing)}{where}"
    for name in providers(auth):
        found = auth if name is None else auth.get(name)
        lacking = [k for k in PROVIDER_NEEDS if not (isinstance(found, Mapping) and found.get(k))]
        if lacking:
            return f"[auth{'' if name is None else '.' + name}] has no {', '.join(lacking)}"
    if UNVERIFIED_OK in auth and not isinstance(auth[UNVERIFIED_OK], bool):
        return f"[auth] {UNVERIFIED_OK} must be true or false"
    return None


def enabled() -> bool:
    """Whether the app asks visitors to sign in (an [auth] section, complete or not: an incomplete
    one serves nobody)."""
    return section() is not None


def startup_line() -> str:
    """What the server's log says at start about sign-in: on (with which providers), off (one local
    user), or misconfigured (and so serving no data), with the reason."""
    auth = section()
    if auth is None:
        return "sign-in: off (no [auth] in .streamlit/secrets.toml): the app serves one local user, who may do everything"
    reason = problem(auth)
    if reason:
        return f"sign-in: MISCONFIGURED, the app serves no data until it is fixed: {reason}"
    names = ", ".join(n or "default" for n in providers(auth))
    extra = "; addresses without an email_verified claim accepted" if auth.get(UNVERIFIED_OK) is True else ""
    return f"sign-in: on (provider {names}; only verified addresses{extra})"


def providers(auth: Mapping[str, object]) -> list[str | None]:
    """The providers to offer: every named [auth.<name>] section, else the unnamed one (None)."""
    named = [
        name
        for name, value in auth.items()
        if isinstance(value, Mapping) and any(k in value for k in PROVIDER_KEYS)
    ]
    return named or [None]


def configured_admins(auth: Mapping[str, object]) -> list[str]:
    found = auth.get("admins") or []
    return [str(e) for e in found] if isinstance(found, (list, tuple)) else [str(found)]


def gate(engine: Engine, lang: str, paths: Sequence[str] = ()) -> Actor:
    """Who this run acts for: the signed-in user with a role, or (without [auth]) the local
    user. Anyone else sees the sign-in screen or the ask-for-access page, and the run stops
    there: no page, no figure and no name of the portfolio is drawn. paths: the app's page
    URLs, which then show that screen too (instead of Streamlit's "page not found")."""
    auth = section()
    if auth is None:
        actor = access.operator("page")
        rights = frozenset(access.ACTIONS)
    else:
        reason = problem(auth)
        if reason is not None:  # fails closed: nothing of the portfolio, and why
            _only(lambda: _misconfigured(reason, lang), t("Sign-in is not set up", lang), paths)
        if not st.user.is_logged_in:
            _only(lambda: _sign_in(auth, lang), t("Sign in", lang), paths)
        raw = str(st.user.get("email") or "")
        refusal = _refusal(auth, raw)
        if refusal is not None:
            _only(lambda: _refused(refusal, lang), t("No access yet", lang), paths)
        email = access.normal_email(raw) if raw.strip() else ""
        signed_in_at = _signed_in_at()
        with database.reading(engine) as session:
            ungranted = access.ungranted_admins(session, configured_admins(auth)) if email else []
            role = access.role_of(session, email) if email else None
            gone = bool(email) and access.signed_out_at(session, email) > signed_in_at
        if gone:  # signed out in another tab of this browser since this tab signed in
            _only(lambda: _sign_in(auth, lang), t("Sign in", lang), paths)
        if ungranted:
            config = Actor("configuration", "config", operator=True)
            writes.write(engine, config, None, lambda s: access.grant_configured_admins(s, ungranted))
            with database.reading(engine) as session:
                role = access.role_of(session, email)
        if role is None:
            _only(lambda: _ask_for_access(email, lang), t("No access yet", lang), paths)
        actor = Actor(email, "page", signed_in_at=signed_in_at)
        rights = frozenset(a for a in access.ACTIONS if access.allows(role, a))
        st.session_state["_role"] = role
    st.session_state["_actor"] = actor
    st.session_state["_rights"] = rights
    return actor


def _signed_in_at() -> float:
    """When this tab's sign-in began: the identity token's iat, else this session's first run."""
    issued = st.user.get("iat")
    if isinstance(issued, int | float) and issued > 0:
        return float(issued)
    return float(st.session_state.setdefault("_signed_in_at", time.time()))


def _refusal(auth: Mapping[str, object], raw: str) -> str | None:
    """Why this identity may not sign in (a translation key), or None."""
    if not raw.strip():
        return None  # no address: "ask for access" says so
    if access.lookalike(raw):
        return N_(
            "This address is written with characters that look like others' (e.g. a Kelvin sign for K), so it cannot sign in. Sign in with the address as your organisation writes it."
        )
    verified = st.user.get("email_verified")
    if verified is True or (verified is None and auth.get(UNVERIFIED_OK) is True):
        return None
    return N_(
        "Your sign-in provider did not confirm that this email address is yours (email_verified), so it cannot sign in. Ask the administrator."
    )


def sign_out(engine: Engine) -> None:
    """Sign out this browser: every tab of it ends at its next action (access.sign_out), then
    Streamlit's own st.logout for this one."""
    who = actor()
    if not who.operator:
        try:  # not data (no figure reads it): the lock and the fault handling, not the data version
            with database.writing(engine) as session:
                access.sign_out(session, who.who, time.time())
                access.record(session, who, "sign-out", who.who)
        except database.ServerFaultError:
            log.warning("sign-out of %s could not be kept for the other tabs", who.who)
    st.logout()


def _only(render: Callable[[], None], title: str, paths: Sequence[str]) -> None:
    """Show this one page at / and every path (st.navigation with nothing else) and stop the run."""
    pages = [st.Page(render, title=title, url_path="signin", default=True)]
    pages += [st.Page(render, title=title, url_path=path) for path in paths]
    st.navigation(pages, position="hidden").run()
    st.stop()


def _sign_in(auth: Mapping[str, object], lang: str) -> None:
    st.title(t("Contract budgets", lang))
    st.write(t("Sign in with your work account to see the portfolio.", lang))
    for name in providers(auth):
        label = (
            t("Sign in", lang) if name is None else t("Sign in with {provider}", lang, provider=name.title())
        )
        if st.button(label, type="primary", key=f"sign_in_{name or 'default'}", icon=":material/login:"):
            st.login(name)


def _misconfigured(reason: str, lang: str) -> None:
    st.title(t("Sign-in is not set up", lang))
    st.error(t("The [auth] section of .streamlit/secrets.toml cannot sign anyone in, so this app shows no data until it is fixed: {reason}",
               lang, reason=text.markdown(reason)))  # fmt: skip


def _refused(reason: str, lang: str) -> None:
    st.title(t("No access yet", lang))
    st.warning(t(reason, lang))
    if st.button(t("Sign out", lang), key="sign_out_refused", icon=":material/logout:"):
        st.logout()


def _ask_for_access(email: str, lang: str) -> None:
    st.title(t("No access yet", lang))
    if email:
        st.info(t("You are signed in as {email}, but no role has been given to this address. Ask an admin for access.",
                  lang, email=text.markdown(email)))  # fmt: skip
    else:
        st.warning(t("Your sign-in did not tell us an email address, so no role can be found. Ask an admin for access.",
                     lang))  # fmt: skip
    if st.button(t("Sign out", lang), key="sign_out_no_access", icon=":material/logout:"):
        st.logout()


def actor() -> Actor:
    """The actor gate() found for this run (the local operator when it has not run: AppTest)."""
    found = st.session_state.get("_actor")
    return found if isinstance(found, Actor) else access.operator("page")


def rights() -> frozenset[str]:
    """The actions (access.ACTIONS) this run's actor may take: what the pages offer."""
    found = st.session_state.get("_rights")
    return found if isinstance(found, frozenset) else frozenset(access.ACTIONS)


def local_address() -> bool:
    """Whether the server listens on a loopback address only (server.address)."""
    address = str(st.get_option("server.address") or "")
    if not address:  # Streamlit's default: every interface
        return False
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def identity_box(lang: str, engine: Engine) -> None:
    """In the sidebar: who is signed in, with which role, and the sign-out button; or, without
    sign-in, that the app serves one local user and on which address it listens."""
    current = actor()
    if enabled():
        role = st.session_state.get("_role") or ""
        st.caption(
            t("Signed in as {email} ({role})", lang, email=text.markdown(current.who), role=t(role, lang))
        )
        if st.button(t("Sign out", lang), key="sign_out", icon=":material/logout:"):
            sign_out(engine)
        return
    address = str(st.get_option("server.address") or "")
    if local_address():
        st.caption(t("Single local user ({user}), no sign-in. The app listens on {address} only: other computers cannot open it.",
                     lang, user=text.markdown(current.who), address=text.markdown(address)))  # fmt: skip
    else:
        st.warning(t("No sign-in is configured and the app listens on {address}: anyone who can reach it can change the data. Configure [auth] (see the README).",
                     lang, address=address or "0.0.0.0"))  # fmt: skip
