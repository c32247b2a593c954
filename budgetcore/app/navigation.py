"""Between pages and devices: opening a contract and the way back, and a phone's list of cards
instead of a wide table.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from budgetcore import i18n
from budgetcore.app import tables, text
from budgetcore.app.sidebar import View, view_params
from budgetcore.figures.metrics import STATUSES
from budgetcore.i18n import t

PHONE_PX = 640  # narrower than this, a page shows its phone list instead of its wide table
PHONE_ROWS = 20  # cards a phone list shows


def phone_titles() -> None:
    """On a phone a page title such as 'Portefeuilleoverzicht' fits one line (dashboard.py, every run)."""
    st.html(
        f"<style>@media (max-width: {PHONE_PX - 1}px) {{ h1 {{ font-size: 1.7rem !important; }} }}</style>"
    )


def device() -> str | None:
    """The browser's kind, "phone" or "wide", by its User-Agent ("Mobi" marks a mobile browser, as MDN
    advises); None without one (a test's run, an unusual client)."""
    agent = st.context.headers.get("User-Agent")
    if not agent:
        return None
    return "phone" if "Mobi" in agent else "wide"


def wide_or_phone(key: str, wide: Callable[[], None], phone: Callable[[], None]) -> None:
    """Draw the wide table (wide()) for a desktop browser and the phone list (phone()) for a
    phone's; for an unknown one both, of which the browser shows one: the wide table's from
    PHONE_PX on, the phone list's below it, switched by a CSS media query. (Drawing the hidden
    list too cost a desktop's first visit about 0.3 s on the demo: docs/performance.md.)"""
    kind = device()
    if kind is not None:
        (wide if kind == "wide" else phone)()
        return
    st.html(
        f"<style>@media (max-width: {PHONE_PX - 1}px) {{ .st-key-wide_{key} {{ display: none; }} }}"
        f"@media (min-width: {PHONE_PX}px) {{ .st-key-phone_{key} {{ display: none; }} }}</style>"
    )
    with st.container(key=f"wide_{key}"):
        wide()
    with st.container(key=f"phone_{key}"):
        phone()


def phone_list(
    rows: pd.DataFrame,
    v: View,
    key: str,
    why: str = "why",
    action: str | None = None,
    origin: str = "overview",
) -> None:
    """The table's rows as short cards for a phone: the contract (a button that opens it, drawn as
    a button: no link is made from imported text), its customer, status and flag, the recorded
    renewal decision (or "no decision yet" / "overdue for review") where the table has one, the
    suggested action, why, and the next deadline; the first PHONE_ROWS rows."""
    lang = v.lang
    colours = {tables.status_label(s, lang): s for s in STATUSES}
    for n, (_, row) in enumerate(rows.head(PHONE_ROWS).iterrows()):
        number = str(row["contract"])
        with st.container(border=True):
            if st.button(text.markdown(number), key=f"{key}_open_{n}", icon=":material/open_in_new:"):
                open_contract(number, origin)
            head = [tables.status_badge(colours.get(row["status"], ""), lang)]
            if row.get("flag"):
                head.append(f":violet-badge[{text.markdown(row['flag'])}]")
            if action and row.get(action):
                head.append(f"**{text.markdown(row[action])}**")
            lines = [f"**{text.markdown(row['customer'], limit=text.LONG)}**"] if row.get("customer") else []
            lines.append(" ".join(head))
            if row.get("decision"):
                lines.append(t("Decision: {decision}", lang, decision=text.markdown(row["decision"])))
            if row.get(why):
                lines.append(text.markdown(row[why], limit=text.LONG))
            lines.append(t("Next deadline: {date}", lang, date=i18n.date(row["deadline"], lang)))
            st.markdown("  \n".join(lines))
    if len(rows) > PHONE_ROWS:
        st.caption(t("The first {n} of {rows}; a wider screen shows them all.", lang, n=PHONE_ROWS,
                     rows=i18n.number(len(rows), lang, 0)))  # fmt: skip


ORIGINS = {
    "overview": ("app_pages/overview.py", "Overview"),
    "renewals": ("app_pages/renewals.py", "Renewals"),
}


def open_contract(number: str, origin: str = "overview") -> None:
    """Go to the contract page, keeping the sidebar's filters in the URL and, for its back
    link, the page it was opened from (?from=renewals; the overview by default)."""
    params = {**view_params(), "contract": number}
    if origin != "overview":
        params["from"] = origin
    st.switch_page("app_pages/contract.py", query_params=params)


def back_link(language: str) -> None:
    """The contract page's link back to the page it was opened from (?from=), with the filters."""
    path, label = ORIGINS.get(st.query_params.get("from", ""), ORIGINS["overview"])
    st.page_link(path, label=t(label, language), icon=":material/arrow_back:", query_params=view_params())
