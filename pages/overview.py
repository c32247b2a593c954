"""Overview: the filtered portfolio at a glance: headline figures, one row per contract, pressure map, months."""

from __future__ import annotations

import streamlit as st

from budgetcore import charts, i18n, summary, tables, ui
from budgetcore.i18n import t

view = ui.view()
lang = view.lang
st.title(t("Portfolio overview", lang))
ui.demo_banner(view)
st.caption(t("Figures as of {date}", lang, date=i18n.date(view.as_of, lang)))

figures = ui.portfolio_figures(view)
if not figures:
    ui.no_contracts(view)
    st.stop()

head = summary.headline(figures)
money = {
    "Budget total": head.budget_total,
    "Actual to date": head.actual_total,
    "Forecast at end": head.forecast_total,
    "Margin to date": head.margin,
}
helps = {
    "Forecast at end": t("Sum of each contract's expected actual total at the end of its term", lang),
    "Margin to date": t(
        "Contract value - actual to date, over the {n} contracts with a value", lang, n=head.with_value
    ),
}
cols = st.columns([0.6, 1, 1, 1, 1], gap="xsmall")  # room for "US$ 10,5 mln." at 1440 px
cols[0].metric(t("Contracts", lang), i18n.number(head.contracts, lang, 0))
for col, (label, amount) in zip(cols[1:], money.items(), strict=True):
    exact = i18n.money(amount, lang, view.currency, cents=False)
    col.metric(
        t(label, lang),
        tables.money_compact(amount, lang, view.currency),
        help="  \n".join(filter(None, [exact, helps.get(label)])),
    )
st.markdown("  ".join(tables.status_badge(s, lang, f": {n}") for s, n in head.statuses.items() if n))

frame, columns = tables.overview(summary.by_pressure(figures), lang)
st.subheader(t("Contracts", lang))
st.caption(t("Most pressing first; click a column header to sort. Select a row to open the contract.", lang))
ui.selectable_table(frame, columns, view, key="overview_table")

left, right = st.columns(2)
with left:
    st.subheader(t("Pressure map", lang))
    st.caption(
        t("Contracts above the diagonal spend ahead of the calendar; bubble size is the budget.", lang)
    )
    st.plotly_chart(charts.pressure_map(figures, lang, view.currency), width="stretch", key="pressure_map",
                    config=i18n.plotly_config(lang))  # fmt: skip
with right:
    st.subheader(t("Actuals per month", lang))
    st.caption(t("Labour and material cost inside the contract terms of the contracts shown.", lang))
    st.plotly_chart(charts.monthly_actuals(ui.monthly(view, figures), lang, view.currency), width="stretch", key="monthly",
                    config=i18n.plotly_config(lang))  # fmt: skip
