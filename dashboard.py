"""The dashboard's entry point: navigation, the shared sidebar and chrome; pages render the rest."""

from __future__ import annotations

import streamlit as st

from budgetcore.app import auth, ui
from budgetcore.i18n import t

ui.page_config()
lang = ui.lang()
URLS = (
    "renewals",
    "accuracy",
    "contract",
    "import",
    "settings",
    "audit",
    "users",
)  # every page's url_path but the default
# anyone not signed in, or without a role, sees one page on every URL and the run stops
auth.gate(ui.engine(), lang, URLS)
rights = auth.rights()

# One line per page. The contract page is opened from the others (?contract=...), so it stays out of the menu.
PAGES = [
    st.Page("pages/overview.py", title=t("Overview", lang), icon=":material/dashboard:", default=True),
    st.Page("pages/renewals.py", title=t("Renewals", lang), icon=":material/event:", url_path="renewals"),
    st.Page(
        "pages/accuracy.py",
        title=t("Forecast accuracy", lang),
        icon=":material/query_stats:",
        url_path="accuracy",
    ),
    st.Page("pages/contract.py", title=t("Contract", lang), url_path="contract", visibility="hidden"),
]
# a page the actor's role may not use is not offered (and its writes refuse them: access.require)
for right, path, title, icon, url in (
    ("import", "pages/import.py", "Import", ":material/upload_file:", "import"),
    ("settings", "pages/settings.py", "Settings", ":material/settings:", "settings"),
    ("audit", "pages/audit.py", "Audit trail", ":material/history:", "audit"),
    ("users", "pages/admin.py", "Users", ":material/group:", "users"),
):
    if right in rights:
        PAGES.append(st.Page(path, title=t(title, lang), icon=icon, url_path=url))
page = st.navigation(PAGES)


def run() -> None:
    # the filters change nothing on import, settings, audit and users: those pages leave them out
    ui.sidebar(filters=page.url_path not in ("import", "settings", "audit", "users"))
    page.run()


ui.guarded(run, lang)  # an unexpected error: a short message and a reference id, the log the traceback
