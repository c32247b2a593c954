"""The pages' downloads: a table as CSV, and the review packs (Excel, printable HTML), each
built when clicked and served only while the actor still has a role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

import streamlit as st

from budgetcore.app import auth
from budgetcore.app.caches import data_state, digest, engine
from budgetcore.app.sidebar import View
from budgetcore.figures import settings as stored_settings
from budgetcore.i18n import t
from budgetcore.store import access, database

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

T = TypeVar("T")


def csv_download(lang: str, data: object, stem: str, key: str) -> None:
    """The page's "Download as CSV" button: data (text, or a function that builds it when
    clicked, after checking that this run's actor still has a role) saved as stem.csv; a click
    does not rerun the page."""
    if callable(data):
        data = checked(data)
    st.download_button(t("Download as CSV", lang), data, file_name=f"{stem}.csv", mime="text/csv",
                       icon=":material/download:", key=key, on_click="ignore")  # fmt: skip


def checked(build: Callable[[], T]) -> Callable[[], T]:
    """build, run in Streamlit's download thread only while this run's actor still has a role
    (access.require_reader, read from the database when the button is clicked)."""
    engine_, reader = engine(), auth.actor()

    def run() -> T:
        with database.reading(engine_) as session:
            access.require_reader(session, reader)
        return build()

    return run


PACKS_PREFIX = "packs_ready:"  # session state: the prepared renewals packs, per view; a decision clears them


def _prepared_packs(v: View, pack: Callable[..., object], stem: str, row: DeltaGenerator) -> None:
    """The renewals list's packs: a button builds both under a status that names each step and
    a bar over the contracts' pages (a list can take many seconds), then two downloads."""
    from budgetcore.review import report_html, report_xlsx  # openpyxl: only on the pages with a pack

    lang = v.lang
    key = PACKS_PREFIX + digest(v.as_of, v.filters, v.lang, data_state())
    ready = st.session_state.get(key)
    if ready is None:
        if not row.button(
            t("Prepare the review packs", lang), key="packs_prepare", icon=":material/description:"
        ):
            return
        with st.status(t("Preparing the review packs…", lang), expanded=True) as status:
            st.write(t("Reading the renewals list…", lang))
            bar = st.progress(0.0)

            def step(done: int, total: int) -> None:
                bar.progress(done / total if total else 1.0,
                             text=t("Contract pages: {done} of {total}", lang, done=done, total=total))  # fmt: skip

            built = pack(progress=step)
            st.write(t("Writing the workbook…", lang))
            workbook = report_xlsx.workbook(built, lang)
            st.write(t("Writing the printable page…", lang))
            page = report_html.html(built, lang)
            status.update(label=t("The review packs are ready.", lang), state="complete", expanded=False)
        for old in [k for k in st.session_state if str(k).startswith(PACKS_PREFIX)]:
            del st.session_state[old]  # one prepared pair per session: the latest view's
        ready = st.session_state[key] = (workbook, page)
    workbook, page = ready

    def gated(data: bytes) -> Callable[[], bytes]:
        """The prepared pack, served only while the role that prepared it holds (checked at the
        click, in Streamlit's download thread: a removed role or a sign-out gets no pack)."""

        def serve() -> bytes:
            with database.reading(engine()) as session:
                access.require_reader(session, v.actor)
            return data

        return serve

    row.download_button(t("Review pack (Excel)", lang), gated(workbook), file_name=f"{stem}.xlsx",
                        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        key="pack_xlsx_renewals", on_click="ignore", icon=":material/table_view:")  # fmt: skip
    row.download_button(t("Review pack (printable HTML)", lang), gated(page), file_name=f"{stem}.html",
                        mime="text/html", key="pack_html_renewals", on_click="ignore", icon=":material/print:")  # fmt: skip


def forget_prepared_packs() -> None:
    """Drop the prepared renewals packs (a decision was recorded: they would show the old one)."""
    for key in [k for k in st.session_state if str(k).startswith(PACKS_PREFIX)]:
        del st.session_state[key]


def review_pack_downloads(v: View, contract_number: str | None = None) -> None:
    """Download buttons for the review pack of one contract, or of the renewals list as
    filtered in the sidebar: an Excel workbook and a printable HTML report. Each is
    built only when its button is clicked (in Streamlit's download thread)."""
    from budgetcore.review import report_html, report_xlsx, reports  # openpyxl: only on the pages with a pack

    engine_, as_of, language = engine(), v.as_of, v.lang
    others = replace(v.filters, renewal_within_days=None)
    within = v.filters.renewal_within_days

    reader = v.actor

    def pack(progress: Callable[[int, int], None] | None = None) -> reports.ReviewPack:
        with database.reading(engine_) as session:
            # built later, in Streamlit's download thread: the role is checked now, not at the page's run
            access.require_reader(session, reader)
            chosen = stored_settings.load(session)
            return reports.collect(
                session, as_of, chosen, contract_number=contract_number, within_days=within, filters=others,
                progress=progress,
            )  # fmt: skip

    stem = f"{t('review', language)}-{contract_number or t('renewals', language)}-{as_of.isoformat()}"
    row = st.container(horizontal=True)
    which = contract_number or "renewals"
    if contract_number is None:  # a list of up to reports.DETAILED pages: built here, step by step
        _prepared_packs(v, pack, stem, row)
        return
    for label, build, suffix, mime, icon in (
        ("Review pack (Excel)", report_xlsx.workbook, "xlsx",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ":material/table_view:"),
        ("Review pack (printable HTML)", report_html.html, "html", "text/html", ":material/print:"),
    ):  # fmt: skip
        row.download_button(
            t(label, language),
            lambda build=build: build(pack(), language),  # built only when clicked
            file_name=f"{stem}.{suffix}",
            mime=mime,
            key=f"pack_{suffix}_{which}",
            on_click="ignore",
            icon=icon,
        )
