"""Renewals: contracts whose end date or notice deadline falls in the window, with a suggested action."""

from __future__ import annotations

import streamlit as st

from budgetcore import i18n
from budgetcore.app import downloads, grids, navigation, reads, review_ui, sidebar, tables, ui
from budgetcore.figures import advice, frame
from budgetcore.figures import table as summary_table
from budgetcore.i18n import t

view = sidebar.view()
lang = view.lang
st.title(t("Renewals", lang))
ui.demo_banner(view)

chosen, actions = reads.renewals_frame(view)
window = sidebar.renewal_window(view)
st.caption(
    t(
        "Contracts whose end date or notice deadline falls within {days} days after {date}, soonest deadline first.",
        lang,
        days=window,
        date=i18n.date(view.as_of, lang),
    )
)
if not len(chosen):
    if view.contracts_in_db == 0:
        ui.no_contracts(view)
    else:
        st.info(t("No contracts approach renewal within {days} days.", lang, days=window))
    st.stop()

counts = sorted(((n, -advice.ACTIONS.index(a), a) for a, n in actions.items() if n), reverse=True)
cols = st.columns(len(counts) + 1)
cols[0].metric(t("Contracts", lang), i18n.number(len(chosen), lang, 0))
for col, (n, _, action) in zip(cols[1:], counts, strict=True):
    col.metric(t(action, lang), i18n.number(n, lang, 0))

target_margin = sidebar.settings().target_margin
chosen, decided, table_key = review_ui.renewal_decisions(view, chosen)
shown = grids.page_of(chosen, view, key=table_key, sorts=tables.RENEWAL_SORTS)
figures = chosen.figures(shown)
table, columns = tables.renewals(figures, lang, view.currency, target_margin)
table, columns = review_ui.with_decisions(table, columns, figures, decided, view)
navigation.wide_or_phone(
    "renewals",
    lambda: grids.selectable_table(
        table, columns, view, key="renewals_table", max_height=620, wrap=True, origin="renewals"
    ),
    lambda: navigation.phone_list(
        table, view, key="phone_renewals", why="reason", action="action", origin="renewals"
    ),
)
with st.expander(t("Record a renewal decision", lang)):
    review_ui.decision_form(view, figures, key="renewals_decision")
st.caption(
    t(
        "Renewal price: the indexed contract value, or more where the forecast cost at the target margin of {margin} (Settings) asks for a raise; never a cut. Change against the current value.",
        lang,
        margin=i18n.percent(target_margin, lang),
    )
)
currency = view.currency
downloads.csv_download(
    lang,
    # every contract in the list, soonest deadline first: built only when clicked
    lambda: summary_table.renewals_csv(
        chosen, frame.order(chosen, "deadline"), {n: d.action for n, d in decided.items()}, lang, currency
    ),
    f"renewals-{view.as_of.isoformat()}",
    key="renewals_csv",
)
downloads.review_pack_downloads(view)
with st.expander(t("How the suggested action is chosen", lang)):
    th = view.thresholds
    st.markdown(
        advice.explanation(lang, yearly_indexation=th.yearly_indexation, largest_raise=th.largest_raise)
    )
