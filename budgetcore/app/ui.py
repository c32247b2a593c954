"""A page's frame: its config, the guard around its run (a short message, never a traceback),
a write and its faults, and the messages several pages say (no contracts, demo data, forecast).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

import streamlit as st
from sqlalchemy.orm import Session

from budgetcore import i18n
from budgetcore.app import text
from budgetcore.app.caches import engine
from budgetcore.app.sidebar import View, clear_filters
from budgetcore.figures.metrics import AUTO, FORECAST_METHODS, Forecast
from budgetcore.i18n import t
from budgetcore.store import access, database, writes
from budgetcore.store.access import Actor

log = logging.getLogger(__name__)


def page_config() -> None:
    # an emoji icon is drawn in the page (a data: URL); a :material/...: one makes the browser
    # fetch it from fonts.gstatic.com, which an offline machine cannot reach
    st.set_page_config(page_title="Contract budgets", page_icon="📊", layout="wide")


def offered(v: View, action: str) -> None:
    """Stop a page whose action (access.ACTIONS) the actor's role does not allow: the menu does
    not offer it, and a link to it shows this instead of the page."""
    if not v.may(action):
        st.warning(t("Your role does not allow this page. Ask an admin for access.", v.lang))
        st.stop()


def guarded(run: Callable[[], object], language: str) -> None:
    """Run a page; an unexpected error shows a short message with a reference id, never a
    traceback, SQL or schema, and the log gets the traceback under the same id.
    st.stop() and st.rerun() pass through (they are not Exceptions)."""
    try:
        run()
    except Exception:
        reference = uuid.uuid4().hex[:8]
        log.exception("page failed: reference %s", reference)
        st.error(
            t("Something went wrong on the server. Please try again; if it keeps happening, give the "
              "administrator this reference: {reference}", language, reference=reference)
        )  # fmt: skip


def write(change: Callable[[Session], object], language: str, actor: Actor, right: str) -> bool:
    """Run change as one write of actor (store/writes.write: the lock, the role as stored now for
    right, the data version); True when it committed. A fault of the database is said as one
    (nothing changed, try again), a refusal as one, never as a traceback."""
    try:
        writes.write(engine(), actor, right, change)
    except database.ServerFaultError as exc:
        server_fault(str(exc), language)
        return False
    except access.RefusedError:
        st.error(t("Your role does not allow this page. Ask an admin for access.", language))
        return False
    return True


def server_fault(reason: str, language: str) -> None:
    st.error(
        t("Server fault: the database could not save this ({reason}). Nothing was changed. Please try "
          "again later; if it keeps happening, tell the administrator.", language,
          reason=text.markdown(reason, limit=text.LONG))
    )  # fmt: skip


def forecast_help(forecast: Forecast, lang: str) -> str:
    """The forecast's method in words, and why that method (the forecast method setting, auto)."""
    said = t(FORECAST_METHODS[forecast.method], lang)
    if forecast.basis == AUTO:
        return (
            said
            + ". "
            + t(
                "Picked by auto: the method with the lowest median error for this contract type on the completed contracts (Forecast accuracy).",
                lang,
            )
        )
    if forecast.basis:
        return said + ". " + t("The forecast method setting names this method.", lang)
    return said


def demo_banner(v: View) -> None:
    if v.demo:
        st.caption(
            ":material/science: "
            + t(
                "Demo data: a generated portfolio of fictitious contracts, loaded because the database was empty.",
                v.lang,
            )
        )


def no_contracts(v: View) -> None:
    """The message for an empty result: no contracts at all, or none that pass the filters."""
    if v.contracts_in_db == 0:
        st.info(
            t(
                "No contracts yet. Import your contracts, budgets, work orders, hours and materials to begin.",
                v.lang,
            )
        )
    else:
        st.info(t("No contracts match the filters in the sidebar.", v.lang))
        st.button(t("Clear the filters", v.lang), key="clear_filters", on_click=clear_filters,
                  icon=":material/filter_alt_off:")  # fmt: skip


def uploader_in(language: str, key: str) -> None:
    """Streamlit writes its file uploader's own texts (the button, the size limit) in English
    only: in another language, the uploader in the container `key` shows them in that one."""
    if language == i18n.DEFAULT_LANGUAGE:
        return
    upload = t("Upload", language).replace('"', "")
    limit = t("{mb} MB per file", language, mb=st.get_option("server.maxUploadSize")).replace('"', "")
    zone = f".st-key-{key} [data-testid='stFileUploaderDropzone']"
    st.html(
        f"<style>{zone} button [data-testid='stMarkdownContainer'] p {{ font-size: 0; }}"
        f'{zone} button [data-testid="stMarkdownContainer"] p::after {{ content: "{upload}"; font-size: 0.875rem; }}'
        f"{zone} [data-testid='stFileUploaderDropzoneInstructions'] span {{ font-size: 0; }}"
        f'{zone} [data-testid="stFileUploaderDropzoneInstructions"] span::after {{ content: "{limit} • CSV, TXT, '
        f'TSV, XLSX, XLSM"; font-size: 0.875rem; }}</style>'
    )
