"""The server's start, once per process and before the first visit (dashboard.py's lifespan):
budgetcore's log on the server's console, then the database prepared, each step in the log:
the schema created or upgraded (store.schema.prepare), and the demo loaded into an empty
database unless BUDGETCORE_NO_DEMO=1 (exchange.demo.load_if_empty). The app's engine getter
(caches.engine) then only opens the engine; warm.py fills the caches after this.
"""

from __future__ import annotations

import logging
import os
import time

from budgetcore.store import database, schema

NO_DEMO_ENV = "BUDGETCORE_NO_DEMO"  # "1": never load the demo portfolio into an empty database
log = logging.getLogger(__name__)


def console_log(message_format: str = "%(asctime)s %(message)s") -> None:
    """budgetcore's records, INFO and up, on the server's console as Streamlit writes its own
    (message_format: Streamlit's logger.messageFormat); once per process."""
    top = logging.getLogger("budgetcore")
    if not top.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(message_format))
        top.addHandler(handler)
        top.setLevel(logging.INFO)


def prepare_database(url: str | None = None) -> None:
    """Create or upgrade the schema of the database at url (the configured one by default) and,
    unless BUDGETCORE_NO_DEMO=1, load the demo into it when it is empty; each step logged."""
    began = time.perf_counter()
    engine = database.make_engine(url or database.default_url())
    try:
        steps = schema.prepare(engine)
        if os.environ.get(NO_DEMO_ENV) != "1":
            from budgetcore.exchange import demo  # with the importer: loaded only at the start

            demo.load_if_empty(engine)
    finally:
        engine.dispose()
    log.info("start: database prepared in %.1f s (%s)", time.perf_counter() - began,
             ", ".join(steps) or "schema up to date")  # fmt: skip
