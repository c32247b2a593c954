"""Contract: one contract's facts, burn-up, budget per category, work orders, cost lines and data quality."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from budgetcore import i18n
from budgetcore.app import (
    caches,
    charts,
    downloads,
    grids,
    navigation,
    paint,
    reads,
    review_ui,
    sidebar,
    tables,
    text,
    ui,
)
from budgetcore.figures import advice, codes, pricing
from budgetcore.i18n import N_, t
from budgetcore.review import reports
from budgetcore.store import database, lifecycle

view = sidebar.view()
lang = view.lang
number = st.query_params.get("contract", "").strip()
found = reads.detail(view, number) if number else None

if found is None:
    st.title(t("Contract", lang))
    if number:
        shown = text.markdown(number, limit=text.LONG)  # from the URL: shown, never interpreted
        st.warning(t("There is no contract with number {number}.", lang, number=shown))
    else:
        st.info(t("No contract chosen. Pick one on the overview or the renewals page.", lang))
    st.page_link("app_pages/overview.py", label=t("Back to the overview", lang), icon=":material/arrow_back:",
                 query_params=sidebar.view_params())  # fmt: skip
    st.stop()

f, i = found.figures, found.figures.inputs
navigation.back_link(lang)
st.title(text.markdown(i.contract_number), anchor=False)  # imported text, here and below
ui.demo_banner(view)
with database.transaction(caches.engine()) as session:
    archived = lifecycle.archived_on(session, i.contract_number)
if archived:
    st.warning(t("Archived on {date}: out of the overview, the renewals and every portfolio figure; its history stays.",
                 lang, date=i18n.date(archived, lang)), icon=":material/inventory_2:")  # fmt: skip
st.markdown(
    f"**{text.markdown(i.name or '')}**  \n"
    + f"{tables.status_badge(f.status, lang)}"
    + (f" :violet-badge[{t(advice.NO_ACTIVITY, lang)}]" if f.no_activity else "")
    + (f" :orange-badge[{t(advice.OUT_OF_SCOPE, lang)}]" if f.out_of_scope else "")
    + f" · {text.markdown(i.customer)} · "
    + t("as of {date}", lang, date=i18n.date(view.as_of, lang))
)
if i.renewed_by:  # a renewed term: never awaiting renewal, never open (issue 20)
    link = "contract?" + urlencode({**sidebar.view_params(), "contract": i.renewed_by}, doseq=True)
    st.info(t("Renewed by [{number}]({link}).", lang, number=text.markdown(i.renewed_by), link=link),
            icon=":material/autorenew:")  # fmt: skip
if f.why:  # the reasons with the figures they quote; their rules are explained on the overview
    st.caption(t("Why: {reasons}", lang, reasons=text.markdown(advice.why_text(f, lang, view.currency))))

money = lambda v: i18n.money(v, lang, view.currency, cents=False)  # noqa: E731
# two rows of four: every label whole at 1440 px in either language (seven in a row clipped them)
cols = [*st.columns(4, gap="small"), *st.columns(4, gap="small")]
cols[0].metric(t("Budget", lang), money(f.budget_total) or "—")
cols[1].metric(t("Actual to date", lang), money(f.actual_total))
cols[2].metric(t("Forecast at end", lang), money(f.forecast.total) or "—",
               help=ui.forecast_help(f.forecast, lang))  # fmt: skip
cols[3].metric(t("Consumed", lang), i18n.percent(f.consumed, lang) or "—",
               help=t("Elapsed: {elapsed}", lang, elapsed=i18n.percent(f.elapsed, lang)))  # fmt: skip
cols[4].metric(t("Margin to date", lang), money(f.margin) or "—",
               help=t("Value earned to date (contract value x elapsed) - actual to date", lang))  # fmt: skip
cols[5].metric(t("Forecast margin", lang), money(f.forecast_margin) or "—",
               help=t("Contract value - forecast", lang))  # fmt: skip
cols[6].metric(t("Burn index", lang), i18n.number(f.burn_index, lang, 2) or "—",
               help=t("Actual / planned to date; above 1 spends ahead of the calendar", lang))  # fmt: skip
st.caption(tables.extra_text(i.extra_cost, i.extra_revenue, f.extra_share, lang, view.currency))
scope = advice.scope_reason(f)
if scope is not None:
    st.warning(text.markdown(scope.text(lang, view.currency)[1]), icon=":material/call_split:")

facts = {
    N_("Type"): codes.contract_type(i.type, lang) or "—",
    N_("Term"): f"{i18n.date(i.start_date, lang)} – {i18n.date(i.end_date, lang)}",
    N_("Notice deadline"): i18n.date(f.notice_deadline, lang),
    N_("Days to renewal"): tables.days_to_end_text(f.days_to_end, lang),
    N_("Contract value"): money(i.contract_value) or "—",
    N_("Auto-renew"): t("yes", lang) if i.auto_renew else t("no", lang),
    N_("Visits done / planned"): reports.visits_text(i),
    N_("Corrective work orders / expected for its type"): reports.calls_text(f, lang),
    N_("Account manager"): i.account_manager or "—",
}
if i.terminated_on:
    facts[N_("Terminated on")] = i18n.date(i.terminated_on, lang)
price = pricing.for_contract(f, sidebar.settings().target_margin)
change = ("+" if (price.change or 0) > 0 else "") + i18n.percent(price.change, lang)
facts[N_("Suggested renewal price")] = (
    f"{money(price.suggested_value)} ({change})" if price.change is not None else money(price.suggested_value)
) or t(price.note, lang)
facts[N_("Indexation")] = i18n.percent(price.indexation, lang, 1)
grid = st.columns(4)
for n, (label, value) in enumerate(facts.items()):
    grid[n % 4].caption(t(label, lang))
    grid[n % 4].markdown(f"**{text.markdown(value)}**")
downloads.review_pack_downloads(view, i.contract_number)
review_ui.last_term_section(view, f)
review_ui.decision_section(view, f)

left, right = st.columns([3, 2])
with left:
    st.subheader(t("Burn-up", lang))
    paint.after_first_paint(  # plotly's code does not hold back the facts above (app/paint.py)
        "burn_up_chart",
        lambda: st.plotly_chart(charts.burn_up(found.burn_up, f, lang, view.currency), width="stretch",
                                key="burn_up", config=charts.CONFIG),
        lang,
    )  # fmt: skip
with right:
    st.subheader(t("Budget vs actual", lang))
    frame, columns = tables.categories(found.categories, lang)
    grids.table(frame, columns, view, key="categories")
    hours_pct = i18n.percent(f.hours_used, lang)
    st.markdown(
        t("**Hours**: {done} booked of {budget} budgeted", lang, done=i18n.number(i.actual_hours, lang, 1),
          budget=i18n.number(i.budget_hours, lang, 1) if i.budget_hours else "—")
        + (f" ({hours_pct})" if hours_pct else "")
    )  # fmt: skip

tabs = st.tabs([
    t("Work orders ({n})", lang, n=len(found.work_orders)),
    t("Hours by employee", lang),
    t("Materials by article", lang),
    t("Data quality ({n})", lang, n=len(found.findings)),
    t("Budget vs actual per period", lang),
    t("Billed on top ({n})", lang, n=sum(m.work_orders for m in found.extra_months)),
])  # fmt: skip
with tabs[0]:
    grids.table(*tables.work_orders(found.work_orders, lang), view, key="work_orders")
with tabs[1]:
    grids.table(*tables.hours(found.hours, lang), view, key="hours")
with tabs[2]:
    grids.table(*tables.materials(found.materials, lang), view, key="materials")
with tabs[3]:
    for finding in found.findings:
        st.warning(text.markdown(tables.finding_text(finding, lang, view.currency)), icon=":material/report:")
    if not found.findings:
        st.success(t("No data-quality findings for this contract.", lang))
with tabs[4]:
    review_ui.variance_section(view, f)
with tabs[5]:
    st.caption(t("Work orders billed on top of the contract (meerwerk) per month, in the cost window.", lang))
    grids.table(*tables.extra_months(found.extra_months, lang), view, key="extra_months")

if view.may("archive") or view.may("delete"):  # the core refuses the others too (access.require)
    actor = view.actor.on("page:contract")
    with st.expander(t("Archive or delete this contract", lang)):
        verb = lifecycle.restore if archived else lifecycle.archive
        label = t("Restore to the portfolio", lang) if archived else t("Archive", lang)
        if view.may("archive") and st.button(label, key="contract_archive", icon=":material/inventory_2:"):
            if ui.write(lambda session: verb(session, actor, i.contract_number), lang, actor, "archive"):
                caches.forget_results()
                st.rerun()
        if view.may("delete"):
            sure = st.checkbox(t("Yes, delete {number} with all its budget, work order, hour and material lines",
                                 lang, number=text.markdown(i.contract_number)), key="contract_delete_sure")  # fmt: skip
            if st.button(t("Delete for good", lang), key="contract_delete", disabled=not sure, type="primary",
                         icon=":material/delete_forever:"):  # fmt: skip
                if ui.write(
                    lambda s: lifecycle.delete_contract(s, actor, i.contract_number), lang, actor, "delete"
                ):
                    caches.forget_results()
                    st.switch_page("app_pages/overview.py", query_params=sidebar.view_params())
