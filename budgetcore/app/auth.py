"""Sign-in with OpenID Connect through Streamlit's own st.login / st.user / st.logout, and who acts.

With an [auth] section in .streamlit/secrets.toml (redirect_uri, cookie_secret and
one provider: client_id, client_secret, server_metadata_url at the top or in named
[auth.<name>] sections), a visitor who has not signed in gets the sign-in screen
and nothing else; a signed-in email without a role gets "ask an admin for access".
The emails in [auth] admins = [...] become admins when they first sign in (when no
role is stored for them yet). Without [auth] the app serves one local user, the
operator, who may do everything.

Identity comes from st.user (the identity token's claims, in Streamlit's signed
cookie), never from a request header.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping, Sequence

import streamlit as st
from sqlalchemy import Engine

from budgetcore.app import text
from budgetcore.i18n import t
from budgetcore.store import access, database
from budgetcore.store.access import Actor

PROVIDER_KEYS = ("client_id", "server_metadata_url")


def section() -> Mapping[str, object] | None:
    """The [auth] section of the secrets, or None when sign-in is not configured."""
    if not st.secrets.load_if_toml_exists() or "auth" not in st.secrets:
        return None
    found = st.secrets["auth"]
    return found if isinstance(found, Mapping) and "redirect_uri" in found else None


def enabled() -> bool:
    return section() is not None


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
        if not st.user.is_logged_in:
            _only(lambda: _sign_in(auth, lang), t("Sign in", lang), paths)
        email = str(st.user.get("email") or "").strip().lower()
        with database.transaction(engine) as session:
            if email:
                access.grant_configured_admins(session, configured_admins(auth))
            role = access.role_of(session, email) if email else None
        if role is None:
            _only(lambda: _ask_for_access(email, lang), t("No access yet", lang), paths)
        actor = Actor(email, "page")
        rights = frozenset(a for a in access.ACTIONS if access.allows(role, a))
        st.session_state["_role"] = role
    st.session_state["_actor"] = actor
    st.session_state["_rights"] = rights
    return actor


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


def identity_box(lang: str) -> None:
    """In the sidebar: who is signed in, with which role, and the sign-out button; or, without
    sign-in, that the app serves one local user and on which address it listens."""
    current = actor()
    if enabled():
        role = st.session_state.get("_role") or ""
        st.caption(
            t("Signed in as {email} ({role})", lang, email=text.markdown(current.who), role=t(role, lang))
        )
        if st.button(t("Sign out", lang), key="sign_out", icon=":material/logout:"):
            st.logout()
        return
    address = str(st.get_option("server.address") or "")
    if local_address():
        st.caption(t("Single local user ({user}), no sign-in. The app listens on {address} only: other computers cannot open it.",
                     lang, user=text.markdown(current.who), address=text.markdown(address)))  # fmt: skip
    else:
        st.warning(t("No sign-in is configured and the app listens on {address}: anyone who can reach it can change the data. Configure [auth] (see the README).",
                     lang, address=address or "0.0.0.0"))  # fmt: skip
