"""Users: who may sign in and with which role (viewer, editor, admin); every change is in the audit trail."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from budgetcore.app import auth, caches, sidebar, ui
from budgetcore.i18n import t
from budgetcore.store import access, database

view = sidebar.view()
lang = view.lang
ui.offered(view, "users")
actor = view.actor.on("page:users")
st.title(t("Users", lang))
st.caption(t("viewer: reads every page and downloads review packs. editor: also imports, archives and records renewal decisions. admin: also settings, deleting and users.", lang))  # fmt: skip
if not auth.enabled():
    st.info(t("Sign-in is not configured: these roles apply once [auth] is set up (see the README).", lang))

if (done := st.session_state.pop("users_done", None)) is not None:
    st.success(done)

with database.transaction(caches.engine()) as session:
    known = [(u.email, u.role, u.added_by) for u in access.users(session)]
if known:
    st.dataframe(
        pd.DataFrame(known, columns=[t("Email", lang), t("Role", lang), t("Added by", lang)]),
        hide_index=True,
        key="users_table",
    )
else:
    st.info(t("No users yet.", lang))


def change(do, *args: str, message: str) -> None:
    """One role change in one transaction; a refusal or a bad address is shown, not raised."""
    try:
        if not ui.write(lambda session: do(session, actor, *args), lang, actor, "users"):
            return
    except ValueError as exc:
        st.error(str(exc))
        return
    st.session_state["users_done"] = message
    st.rerun()


with st.form("users_add", clear_on_submit=True):
    left, right = st.columns([3, 1])
    email = left.text_input(t("Email", lang), key="users_email")
    role = right.selectbox(t("Role", lang), access.ROLES, format_func=lambda r: t(r, lang), key="users_role")
    if st.form_submit_button(t("Add or change", lang), type="primary", icon=":material/person_add:"):
        change(
            access.set_role,
            email,
            role,
            message=t("{email} is now {role}.", lang, email=email, role=t(role, lang)),
        )

if known:
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    gone = left.selectbox(t("Remove a user", lang), [e for e, _, _ in known], key="users_remove_email")
    if right.button(t("Remove", lang), key="users_remove", icon=":material/person_remove:"):
        change(access.remove_user, gone, message=t("{email} has no role any more.", lang, email=gone))
