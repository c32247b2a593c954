"""The dashboard's entry point: navigation, the shared sidebar and chrome; pages render the rest.

Streamlit runs this file as its script (__main__) at every visit and rerun: main(). When
`streamlit run dashboard.py` starts, it finds `app` at the end (an st.App serving this same
file, so the command stays as it was) and imports the file once as a module: app's lifespan
then starts reading what the first overview needs, in the background, before anyone visits
(budgetcore/app/warm.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator

import streamlit as st

URLS = (
    "renewals",
    "accuracy",
    "contract",
    "import",
    "settings",
    "audit",
    "users",
)  # every page's url_path but the default


def main() -> None:
    """The script: navigation, sign-in gate, sidebar, the page."""
    # imported here, not at the top: the start imports this file before Streamlit's runtime runs
    from budgetcore.app import auth, caches, navigation, sidebar, ui
    from budgetcore.i18n import t

    ui.page_config()
    lang = sidebar.lang()
    # anyone not signed in, or without a role, sees one page on every URL and the run stops
    auth.gate(caches.engine(), lang, URLS)
    rights = auth.rights()

    # One line per page. The contract page is opened from the others (?contract=...), so it stays out of the menu.
    pages = [
        st.Page(
            "app_pages/overview.py", title=t("Overview", lang), icon=":material/dashboard:", default=True
        ),
        st.Page(
            "app_pages/renewals.py", title=t("Renewals", lang), icon=":material/event:", url_path="renewals"
        ),
        st.Page(
            "app_pages/accuracy.py",
            title=t("Forecast accuracy", lang),
            icon=":material/query_stats:",
            url_path="accuracy",
        ),
        st.Page("app_pages/contract.py", title=t("Contract", lang), url_path="contract", visibility="hidden"),
    ]
    # a page the actor's role may not use is not offered (and its writes refuse them: access.require)
    for right, path, title, icon, url in (
        ("import", "app_pages/import.py", "Import", ":material/upload_file:", "import"),
        ("settings", "app_pages/settings.py", "Settings", ":material/settings:", "settings"),
        ("audit", "app_pages/audit.py", "Audit trail", ":material/history:", "audit"),
        ("users", "app_pages/admin.py", "Users", ":material/group:", "users"),
    ):
        if right in rights:
            pages.append(st.Page(path, title=t(title, lang), icon=icon, url_path=url))
    page = st.navigation(pages)

    def run() -> None:
        # the filters change nothing on import, settings, audit and users: those pages leave them out
        sidebar.draw(filters=page.url_path not in ("import", "settings", "audit", "users"))
        navigation.phone_titles()
        page.run()

    ui.guarded(run, lang)  # an unexpected error: a short message and a reference id, the log the traceback


def _warm() -> None:
    from budgetcore.app import warm  # imports pandas and the app: in the background too

    warm.warm()


@contextlib.asynccontextmanager
async def lifespan(_app: object) -> AsyncIterator[None]:
    """Once per server process, as it starts: budgetcore's log on the console; say whether
    sign-in is on (or why it cannot work); prepare the database (schema, the demo into an empty
    one) before the first visit; then warm the caches in a thread and serve."""
    from budgetcore.app import auth, start

    start.console_log(st.get_option("logger.messageFormat"))
    said = auth.startup_line()
    log = logging.getLogger("budgetcore.app.auth")
    (log.error if "MISCONFIGURED" in said else log.warning)(said)
    try:
        await asyncio.to_thread(start.prepare_database)
    except Exception:  # served all the same: each page then says a server fault with a reference
        logging.getLogger("budgetcore.app.start").exception("start: preparing the database failed")
    threading.Thread(target=_warm, name="warm-caches", daemon=True).start()
    yield


if __name__ == "__main__":  # a visit or rerun
    main()
else:  # `streamlit run dashboard.py` imports the file once as the server starts, and serves app
    app = st.App(__file__, lifespan=lifespan)
