"""The first overview's data read when the server starts, not at the first visit.

`streamlit run dashboard.py` finds dashboard.py's `app` (an st.App) and serves the script
through it; its lifespan runs once per server process, before the first visitor can connect,
prepares the database (app/start.py) and then starts `warm` in a thread. `warm` calls the same cached functions
the overview's first run calls (reads', grids' and review_ui's), for the view a first visit gets
(sidebar.first_view), so that run finds them computed: the engine; the settings and filter choices; the portfolio, running and not; a
week ago (the changes since last week); the table's order; the actuals per month; every
contract's months (for the first filter change); the Stylers of the first tables. It also
imports what the pages import, compiles the Dutch catalogue, and the emoji catalogue that
st.set_page_config's icon needs.
A visitor who arrives while it runs waits for the same computation (the caches compute each
key once), never for a second one.

Nothing here draws anything or knows who visits: with sign-in configured, every visit still
meets auth.gate first. A failure is logged and left to the first visit, which reads for itself.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor

from budgetcore import i18n
from budgetcore.app import compat, grids, reads, review_ui, sidebar

log = logging.getLogger(__name__)  # on the server's console (start.console_log): when the caches are warm


def warm() -> None:
    """Fill the caches the overview's first run reads (see the module's doc)."""
    began = time.perf_counter()
    compat.preload_emoji_catalogue()  # st.set_page_config's emoji icon: a regex of every emoji, 76 ms
    for lang in i18n.LANGUAGES:  # the catalogues compiled here, not at a Dutch visitor's first page (20 ms)
        i18n.translations(lang)
    try:
        v = sidebar.first_view()  # the engine, settings, choices
        with ThreadPoolExecutor(1, thread_name_prefix="warm-week-ago") as beside:
            # a week ago beside today: SQLite and numpy leave the interpreter often enough that the
            # two overlap (175,000 contracts: 0.86 + 0.90 s one after the other, 1.2 s together)
            week = beside.submit(review_ui.week_ago, v)
            chosen, _ = reads.portfolio_frame(v)
            week.result()
        review_ui.changes(v, chosen)
        table, columns = grids.overview_table(v, chosen, grids.first_rows(chosen, v, "overview"))
        grids.styler(table, columns, v.lang, colour_status=True)  # as grids.selectable_table draws it
        ended = review_ui.ended_open(v)
        table, columns = review_ui.ended_open_table(
            v, ended, grids.first_rows(ended.rows, v, ended.table_key)
        )
        grids.styler(table, columns, v.lang, colour_status=True)
        reads.pressure_chart(v, chosen)
        reads.monthly_chart(v, chosen)
        reads.warm_months(v)
    except Exception:  # only a head start: the first visit reads for itself, and says a fault
        log.warning("warming the caches at start failed", exc_info=True)
    else:
        log.info("caches warmed at start in %.1f s", time.perf_counter() - began)
