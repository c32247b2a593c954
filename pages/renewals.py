"""Renewals: contracts whose end date or notice deadline falls in the window, with a suggested action."""

from __future__ import annotations

import streamlit as st

from budgetcore import i18n, review, tables, ui
from budgetcore.i18n import t

view = ui.view()
lang = view.lang
st.title(t("Renewals", lang))
ui.demo_banner(view)

figures, window = ui.renewal_figures(view)
st.caption(
    t(
        "Contracts whose end date or notice deadline falls within {days} days after {date}, soonest deadline first.",
        lang,
        days=window,
        date=i18n.date(view.as_of, lang),
    )
)
if not figures:
    if view.contracts_in_db == 0:
        ui.no_contracts(view)
    else:
        st.info(t("No contracts approach renewal within {days} days.", lang, days=window))
    st.stop()

target_margin = ui.settings().target_margin
frame, columns = tables.renewals(figures, lang, view.currency, target_margin)
counts = frame["action"].value_counts()
cols = st.columns(len(counts) + 1)
cols[0].metric(t("Contracts", lang), len(figures))
for col, (action, n) in zip(cols[1:], counts.items(), strict=True):
    col.metric(str(action), int(n))

ui.selectable_table(frame, columns, view, key="renewals_table", max_height=620, wrap=True)
st.caption(
    t(
        "Renewal price: the contract value that covers the forecast cost at the target margin of {margin} (Settings); change against the current value.",
        lang,
        margin=i18n.percent(target_margin, lang),
    )
)
st.download_button(
    t("Download as CSV", lang),
    tables.renewals_csv(figures, lang, view.currency, target_margin),
    file_name=f"renewals-{view.as_of.isoformat()}.csv",
    mime="text/csv",
    icon=":material/download:",
    key="renewals_csv",
)
ui.review_pack_downloads(view)
with st.expander(t("How the suggested action is chosen", lang)):
    st.markdown(t(review.EXPLANATION, lang))
