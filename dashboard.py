"""The dashboard's entry point: navigation, the shared sidebar and chrome; pages render the rest."""

from __future__ import annotations

import streamlit as st

from budgetcore.app import ui
from budgetcore.i18n import t

ui.page_config()
lang = ui.lang()

# One line per page. The contract page is opened from the others (?contract=...), so it stays out of the menu.
PAGES = [
    st.Page("pages/overview.py", title=t("Overview", lang), icon=":material/dashboard:", default=True),
    st.Page("pages/renewals.py", title=t("Renewals", lang), icon=":material/event:", url_path="renewals"),
    st.Page("pages/contract.py", title=t("Contract", lang), url_path="contract", visibility="hidden"),
    st.Page("pages/import.py", title=t("Import", lang), icon=":material/upload_file:", url_path="import"),
    st.Page("pages/settings.py", title=t("Settings", lang), icon=":material/settings:", url_path="settings"),
]
page = st.navigation(PAGES)


def run() -> None:
    ui.sidebar()
    page.run()


ui.guarded(run, lang)  # an unexpected error: a short message and a reference id, the log the traceback
