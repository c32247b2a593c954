"""Forecast accuracy: each forecast method replayed on the completed contracts, and what auto uses per type."""

from __future__ import annotations

import streamlit as st

from budgetcore import i18n
from budgetcore.app import charts, downloads, grids, paint, reads, sidebar, tables, ui
from budgetcore.figures import backtest, calibration, codes, metrics
from budgetcore.i18n import N_, t

view = sidebar.view()
lang = view.lang
st.title(t("Forecast accuracy", lang))
ui.demo_banner(view)
found = reads.backtest(view)
minimum = view.thresholds.min_completed
st.caption(
    i18n.plural(
        found.completed,
        "Each forecast method replayed at 25, 50 and 75% of the term of the {n} contract completed before {date}, with only the costs booked up to that day, against its final cost.",
        "Each forecast method replayed at 25, 50 and 75% of the term of the {n} contracts completed before {date}, with only the costs booked up to that day, against their final cost.",
        lang,
        date=i18n.date(view.as_of, lang),
    )
)
setting = view.thresholds.forecast_method
st.markdown(
    t("Forecast method (Settings): **{method}**.", lang, method=t(setting, lang))
    + " "
    + t(
        "auto uses, per contract type, the method with the lowest median error at the checkpoint nearest to a contract's elapsed share, when at least {minimum} completed contracts of the type had a forecast by it; otherwise the chain.",
        lang,
        minimum=minimum,
    )
)
if not found.completed:
    st.info(t("No completed contracts yet: every forecast uses the chain.", lang))
    st.stop()

st.subheader(t("What auto uses", lang))
picks, pick_columns = tables.auto_picks(list(found.picks.values()), minimum, lang)
grids.table(picks, pick_columns, view)

st.subheader(t("Error by checkpoint", lang))
every = [a for a in backtest.ordered(found) if a.type == calibration.ALL_TYPES]
paint.after_first_paint(  # plotly's code does not hold back the tables (app/paint.py)
    "accuracy_chart_painted",
    lambda: st.plotly_chart(
        charts.forecast_errors(every, lang), width="stretch", key="accuracy_chart", config=charts.CONFIG
    ),
    lang,
)
st.caption(t("Every contract type together; a lower line forecast better.", lang))

st.subheader(t("The backtest", lang))
types = [calibration.ALL_TYPES, *sorted({a.type for a in found.rows} - {calibration.ALL_TYPES})]
chosen = st.selectbox(
    t("Contract type", lang),
    types,
    format_func=lambda k: (
        t("All types", lang) if k == calibration.ALL_TYPES else codes.contract_type(k, lang)
    ),
    key="accuracy_type",
)
rows, columns = tables.backtest([a for a in backtest.ordered(found) if a.type == chosen], lang)
grids.table(
    rows, columns, view, height=grids.HEADER_PX + grids.ROW_PX * len(rows) + 2
)  # every row, no scrolling
downloads.csv_download(
    lang, backtest.csv_text(found), f"backtest-{view.as_of.isoformat()}", key="accuracy_csv"
)
with st.expander(t("The methods", lang)):
    for name in backtest.METHOD_ORDER:
        description = (
            metrics.FORECAST_METHODS[name]
            if name in metrics.FORECAST_METHODS
            else {
                metrics.AUTO: N_(
                    "per contract type, the method with the lowest median error on the completed contracts"
                ),
                metrics.CHAIN: N_(
                    "visits, else budget total x burn index, else actual total / elapsed fraction"
                ),
            }[name]
        )
        st.markdown(f"- **{t(name, lang)}**: {t(description, lang)}")
    st.markdown(
        t(
            "The run rate and budget x burn index are the baselines. The median absolute error: half of the contracts were forecast closer than this share of their final cost. Status right: the share of the budgeted contracts whose over budget or not was foreseen as it turned out.",
            lang,
        )
    )
