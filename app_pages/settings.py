"""Settings: status thresholds, default renewal window, target margin and currency, stored in the database."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import streamlit as st

from budgetcore import i18n
from budgetcore.app import caches, review_ui, sidebar, ui
from budgetcore.figures import metrics, settings
from budgetcore.figures.settings import Settings
from budgetcore.i18n import N_, t
from budgetcore.store import database

CURRENCIES = ("EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN")
HUNDRED = Decimal(100)
LABELS = {
    "at_risk_margin": N_("At risk when the forecast exceeds the budget by more than (%)"),
    "watch_level": N_("Watch when consumed reaches (%)"),
    "watch_elapsed": N_("... while elapsed is below (%)"),
    "renewal_window_days": N_("Default renewal window (days)"),
    "target_margin": N_("Target margin, as a share of the contract value (%)"),
    "no_activity_elapsed": N_('Flag "no activity" past this share of the term with nothing registered (%)'),
    "currency": N_("Currency"),
    "forecast_method": "Forecast method",
    "min_completed": N_("Completed contracts auto needs per type"),
    "yearly_indexation": N_("Yearly indexation of contracts without their own (%)"),
    "largest_raise": N_('Largest raise before "terminate?" (%)'),
    "scope_share": N_("Out of scope when more of the cost than this is billed on top (%)"),
    "scope_minimum": N_("... and that cost is at least (whole amount)"),
    "calls_factor": N_(
        "Out of scope when corrective work orders reach this many times what the type leads one to expect"
    ),
    "calls_extra": N_("... and at least this many more"),
}

view = sidebar.view()
lang = view.lang
ui.offered(view, "settings")
actor = view.actor.on("page:settings")
st.title(t("Settings", lang))
st.caption(
    t(
        "Stored in the database: every page, the command line and the review packs use them, for every user.",
        lang,
    )
)

with database.transaction(caches.engine()) as session:
    stored = settings.load(session)


def pct(value: Decimal) -> int:
    """A stored fraction as whole percent for the inputs (thresholds need no finer grain)."""
    return int((value * HUNDRED).to_integral_value())


with st.form("settings_form"):
    st.subheader(t("Status thresholds", lang))
    left, right = st.columns(2)
    at_risk = left.number_input(
        t(LABELS["at_risk_margin"], lang),
        min_value=0, max_value=500, step=1, value=pct(stored.at_risk_margin), key="s_at_risk",
    )  # fmt: skip
    watch_level = right.number_input(
        t(LABELS["watch_level"], lang),
        min_value=1, max_value=200, step=1, value=pct(stored.watch_level), key="s_watch_level",
    )  # fmt: skip
    watch_elapsed = right.number_input(
        t(LABELS["watch_elapsed"], lang),
        min_value=1, max_value=100, step=1, value=pct(stored.watch_elapsed), key="s_watch_elapsed",
    )  # fmt: skip
    no_activity = left.number_input(
        t(LABELS["no_activity_elapsed"], lang),
        min_value=0, max_value=100, step=5, value=pct(stored.no_activity_elapsed), key="s_no_activity",
        help=t("A flag next to the status, not a status: no cost, hours or periodic visit registered.", lang),
    )  # fmt: skip
    st.subheader(t("Renewals and pricing", lang))
    left, right = st.columns(2)
    window = left.number_input(
        t(LABELS["renewal_window_days"], lang),
        min_value=0, max_value=3650, step=15, value=stored.renewal_window_days, key="s_window",
    )  # fmt: skip
    target = right.number_input(
        t(LABELS["target_margin"], lang),
        min_value=0, max_value=95, step=1, value=pct(stored.target_margin), key="s_target",
        help=t("Suggested price = the larger of the indexed value and forecast cost x (1 + indexation) / (1 - target margin).", lang),
    )  # fmt: skip
    indexation = left.number_input(
        t(LABELS["yearly_indexation"], lang),
        min_value=-50.0, max_value=100.0, step=0.1, format="%.2f", key="s_indexation",
        value=float(stored.yearly_indexation * HUNDRED),
        help=t("A contract's own indexation (column indexatie (%)) wins over this.", lang),
    )  # fmt: skip
    largest = right.number_input(
        t(LABELS["largest_raise"], lang),
        min_value=0, max_value=1000, step=5, value=pct(stored.largest_raise), key="s_largest_raise",
    )  # fmt: skip
    options = CURRENCIES if stored.currency in CURRENCIES else (stored.currency, *CURRENCIES)
    currency = left.selectbox(
        t(LABELS["currency"], lang),
        options,
        index=options.index(stored.currency),
        key="s_currency",
        help=t(
            "Every page and the review packs show money in this currency; amounts are not converted.", lang
        ),
    )
    st.subheader(t("Scope", lang))
    left, right = st.columns(2)
    scope_share = left.number_input(
        t(LABELS["scope_share"], lang),
        min_value=1, max_value=100, step=5, value=pct(stored.scope_share), key="s_scope_share",
        help=t("Work billed on top (meerwerk) as a share of all cost, covered and billed.", lang),
    )  # fmt: skip
    scope_minimum = right.number_input(
        t(LABELS["scope_minimum"], lang),
        min_value=0, max_value=10**9, step=100, value=int(stored.scope_minimum), key="s_scope_minimum",
    )  # fmt: skip
    calls_factor = left.number_input(
        t(LABELS["calls_factor"], lang),
        min_value=1.0, max_value=100.0, step=0.5, format="%.1f", value=float(stored.calls_factor),
        key="s_calls_factor",
        help=t("Expected to date: the corrective work orders per day of term of the portfolio's contracts of the same type, times the contract's days so far.", lang),
    )  # fmt: skip
    calls_extra = right.number_input(
        t(LABELS["calls_extra"], lang),
        min_value=0, max_value=1000, step=1, value=stored.calls_extra, key="s_calls_extra",
    )  # fmt: skip
    st.subheader(t("Forecast", lang))
    left, right = st.columns(2)
    method = left.selectbox(
        t(LABELS["forecast_method"], lang),
        metrics.FORECAST_SETTINGS,
        index=metrics.FORECAST_SETTINGS.index(stored.forecast_method),
        format_func=lambda m: t(m, lang),
        key="s_forecast",
        help=t("auto: per contract type, the method that forecast the completed contracts best (Forecast accuracy page); chain: visits, else burn index, else run rate.", lang),
    )  # fmt: skip
    min_completed = right.number_input(
        t(LABELS["min_completed"], lang),
        min_value=1, max_value=100_000, step=5, value=stored.min_completed, key="s_min_completed",
    )  # fmt: skip
    saved = st.form_submit_button(t("Save", lang), type="primary", icon=":material/save:")

if saved:
    chosen = replace(  # the fields of the review workflow's form below keep their stored values
        stored,
        at_risk_margin=Decimal(int(at_risk)) / HUNDRED,
        watch_level=Decimal(int(watch_level)) / HUNDRED,
        watch_elapsed=Decimal(int(watch_elapsed)) / HUNDRED,
        renewal_window_days=int(window),
        target_margin=Decimal(int(target)) / HUNDRED,
        no_activity_elapsed=Decimal(int(no_activity)) / HUNDRED,
        currency=currency,
        forecast_method=method,
        min_completed=int(min_completed),
        # the number input's float, read back as the decimal it shows (two places of a percent)
        yearly_indexation=Decimal(f"{indexation:.2f}") / HUNDRED,
        largest_raise=Decimal(int(largest)) / HUNDRED,
        scope_share=Decimal(int(scope_share)) / HUNDRED,
        scope_minimum=Decimal(int(scope_minimum)),
        calls_factor=Decimal(f"{calls_factor:.1f}"),
        calls_extra=int(calls_extra),
    )
    problems = chosen.problems()
    if problems:
        for field, message in problems:
            st.error(f"{t(LABELS[field], lang)}: {t(message, lang)}")
    else:
        if ui.write(lambda session: settings.save(session, chosen, actor), lang, actor, "settings"):
            st.session_state["settings_saved"] = True
            st.rerun()  # every figure on the next run uses the new thresholds

if st.session_state.pop("settings_saved", False):
    st.success(t("Settings saved. Statuses everywhere now use them.", lang), icon=":material/check:")

if st.button(t("Restore the defaults", lang), key="s_defaults", icon=":material/restart_alt:"):
    if ui.write(lambda session: settings.save(session, Settings(), actor), lang, actor, "settings"):
        for key in ("s_at_risk", "s_watch_level", "s_watch_elapsed", "s_no_activity", "s_window", "s_target",
                    "s_currency", "s_forecast", "s_min_completed", "s_indexation", "s_largest_raise"):  # fmt: skip
            st.session_state.pop(key, None)
        st.session_state["settings_saved"] = True
        st.rerun()

review_ui.alert_settings(view, stored)

d = settings.DEFAULTS
st.caption(
    t(
        "Defaults: at risk above {risk} over budget; watch from {level} consumed while under {elapsed} of the term; renewal window {days} days; target margin {target}.",
        lang,
        risk=i18n.percent(d.at_risk_margin, lang),
        level=i18n.percent(d.watch_level, lang),
        elapsed=i18n.percent(d.watch_elapsed, lang),
        days=d.renewal_window_days,
        target=i18n.percent(d.target_margin, lang),
    )
)
