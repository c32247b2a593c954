"""Audit trail: every import, demo load or removal, settings change, archive, delete and role change."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from budgetcore.app import audit_text, caches, downloads, sidebar, ui
from budgetcore.i18n import t
from budgetcore.store import access, database

view = sidebar.view()
lang = view.lang
ui.offered(view, "audit")
st.title(t("Audit trail", lang))
st.caption(
    t("Who changed what, when (UTC) and from where: a page, the command line or the app's first start.", lang)
)

with database.transaction(caches.engine()) as session:
    actions = access.trail_actions(session)
who_col, action_col, since_col, until_col = st.columns([2, 1, 1, 1])
who = who_col.text_input(t("Who (part of the email or user name)", lang), key="audit_actor")
action = action_col.selectbox(t("Action", lang), [None, *actions],
                              format_func=lambda a: audit_text.action(a, lang) if a else t("All", lang),
                              key="audit_action")  # fmt: skip
since = since_col.date_input(t("From", lang), value=None, key="audit_since", format=sidebar.date_format(lang))
until = until_col.date_input(
    t("Through", lang), value=None, key="audit_until", format=sidebar.date_format(lang)
)
with database.transaction(caches.engine()) as session:
    entries = access.trail(
        session,
        actor=who or None,
        action=action,
        since=since if isinstance(since, dt.date) else None,
        until=until if isinstance(until, dt.date) else None,
    )
if not entries:
    st.info(t("No entries match.", lang))
    st.stop()
labels = {c: t(audit_text.HEADINGS[c], lang) for c in access.AUDIT_COLUMNS}
frame = pd.DataFrame(audit_text.rows(entries, lang), columns=list(access.AUDIT_COLUMNS)).rename(
    columns=labels
)
st.dataframe(frame, hide_index=True, key="audit_table", width="stretch")
downloads.csv_download(
    lang, access.trail_csv(entries), f"audit-{dt.date.today().isoformat()}", key="audit_csv"
)
