"""Overview: the filtered portfolio at a glance: headline figures, one row per contract, pressure map, months."""

from __future__ import annotations

import streamlit as st

from budgetcore import i18n
from budgetcore.app import charts, downloads, grids, navigation, paint, reads, review_ui, sidebar, tables, ui
from budgetcore.figures import advice, frame
from budgetcore.figures import table as summary_table
from budgetcore.figures.portfolio import Filters
from budgetcore.i18n import N_, t

view = sidebar.view()
lang = view.lang
st.title(t("Portfolio overview", lang))
ui.demo_banner(view)
st.caption(t("Figures as of {date}", lang, date=i18n.date(view.as_of, lang)))

chosen, head = reads.portfolio_frame(view)
if not len(chosen):
    ui.no_contracts(view)
    st.stop()
review_ui.attention_section(view)  # the overview opens with what needs attention (issue 20)

money = {
    N_("Budget total"): head.budget_total,
    N_("Actual to date"): head.actual_total,
    N_("Forecast at end"): head.forecast_total,
    N_("Margin to date"): head.margin,
}
helps = {
    "Forecast at end": t("Sum of each contract's expected actual total at the end of its term", lang),
    "Margin to date": i18n.plural(
        head.with_value,
        "Value earned to date (contract value x elapsed) - actual to date, over the {n} contract with a value",
        "Value earned to date (contract value x elapsed) - actual to date, over the {n} contracts with a value",
        lang,
    ),
}
cols = st.columns([0.8, 1, 1, 1, 1], gap="xsmall")  # room for "175,000" and "US$ 10,5 mln." at 1440 px
cols[0].metric(t("Contracts", lang), i18n.number(head.contracts, lang, 0))
for col, (label, amount) in zip(cols[1:], money.items(), strict=True):
    exact = i18n.money(amount, lang, view.currency, cents=False)
    col.metric(
        t(label, lang),
        tables.money_compact(amount, lang, view.currency),
        help="  \n".join(filter(None, [exact, helps.get(label)])),
    )
st.markdown("  ".join(tables.status_badge(s, lang, f": {n}") for s, n in head.statuses.items() if n))
st.caption(tables.extra_line(head, lang, view.currency))

review_ui.changes_section(view, chosen)
review_ui.group_section(view, chosen)

running = view.filters.running_only
st.subheader(t("Running contracts", lang) if running else t("Contracts", lang))
shown = grids.page_of(chosen, view, key="overview")
if len(shown) == len(chosen):  # a paged table says how it is sorted itself (grids.page_of)
    st.caption(
        t("Most pressing first; click a column header to sort. Select a row to open the contract.", lang)
    )
table, columns = grids.overview_table(view, chosen, shown)
navigation.wide_or_phone(
    "overview",
    lambda: grids.selectable_table(table, columns, view, key="overview_table", max_height=560, wrap=True),
    lambda: navigation.phone_list(table, view, key="phone_overview"),
)
with st.expander(t("What the flag and the reasons mean", lang)):
    st.markdown(advice.why_explanation(lang, view.thresholds.no_activity_elapsed))
    st.markdown(advice.scope_explanation(lang, view.currency, view.thresholds))
if running:
    review_ui.ended_open_section(view)
# the table's own CSV export is off (client.disableDataExport): this one guards imported text
downloads.csv_download(
    lang,
    lambda: summary_table.csv_text(chosen, frame.order(chosen, "pressure")),  # as `summary`; when clicked
    f"contracts-{view.as_of.isoformat()}",
    key="overview_csv",
)


def chart_section() -> None:
    """The pressure map and the actuals per month: drawn once the browser has drawn the rest
    (paint.after_first_paint: plotly's code no longer holds back the headline figures)."""
    left, right = st.columns(2)
    with left:
        st.subheader(t("Pressure map", lang))
        pressure = reads.pressure_chart(view, chosen)
        if pressure.bubbles:
            st.caption(
                t("Contracts above the diagonal spend ahead of the calendar; bubble size is the budget. "
                  "Click a bubble to open the contract.", lang)
            )  # fmt: skip
        else:
            st.caption(
                t("Contracts above the diagonal spend ahead of the calendar; the darker a cell, the more "
                  "contracts it holds.", lang)
            )  # fmt: skip
        if pressure.unplaced:
            st.caption(
                i18n.plural(
                    pressure.unplaced,
                    "Not drawn: {n} contract without a budget.",
                    "Not drawn: {n} contracts without a budget.",
                    lang,
                )
            )
        if pressure.bubbles:  # a click on a bubble opens its contract
            clicked = st.plotly_chart(pressure.figure, width="stretch", key="pressure_map", on_select="rerun",
                                      selection_mode="points", config=charts.CONFIG)  # fmt: skip
            number = charts.clicked_contract(clicked)
            if number:
                navigation.open_contract(number)
        else:
            st.plotly_chart(pressure.figure, width="stretch", key="pressure_density", config=charts.CONFIG)
    with right:
        st.subheader(t("Actuals per month", lang))
        st.caption(t("Labour and material cost inside the contract terms of the contracts shown.", lang))
        st.plotly_chart(
            reads.monthly_chart(view, chosen), width="stretch", key="monthly", config=charts.CONFIG
        )


paint.after_first_paint("overview_charts", chart_section, lang)

if view.filters == Filters():  # the first filter change will want every contract's months
    reads.warm_months(view)
