"""The review workflow on the pages: the decision form and history, the renewals list's decision
columns, the last-term comparison, variance per period, roll-ups and recent changes.

Beside the app's other Streamlit glue (caches.py, sidebar.py, reads.py, grids.py,
navigation.py, downloads.py, ui.py; this module the review workflow's widgets), so the pages
stay thin. Every write goes through decisions.record_decision().
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from budgetcore import i18n
from budgetcore.app import caches, downloads, grids, navigation, reads, sidebar, tables, ui
from budgetcore.app import text as plain  # "text" names typed text in this module
from budgetcore.app.tables import Column, Columns
from budgetcore.exchange import formats
from budgetcore.figures import (
    advice,
    attention,
    codes,
    frame,
    pricing,
    rollups,
    settings,
    variance,
)
from budgetcore.figures.frame import PortfolioFrame
from budgetcore.figures.metrics import ContractFigures, Filters, Thresholds
from budgetcore.i18n import N_, t
from budgetcore.review import alerts, decision_rows, term_rows
from budgetcore.store import database, decisions
from budgetcore.store.decisions import Decision

# the suggested action (advice.ACTIONS) -> the decision it most likely becomes
SUGGESTED_DECISION = {
    advice.TERMINATE: N_("terminate"),
    advice.REPRICE: N_("re-price"),
    advice.REVIEW_SCOPE: N_("re-scope"),
    advice.RENEW: N_("renew"),
}
NO_DECISION, OVERDUE = N_("no decision yet"), N_("overdue for review")
DECISION_WIDTH = 115  # px: the renewals table's decision column, "⚠ evaluatie te laat" on two lines


def who(v: sidebar.View | None = None) -> str:
    """The form's default for 'decided by': the signed-in user, the one a reverse proxy names,
    else (v given) the view's actor (the local operating-system user without sign-in); '' when none."""
    try:
        if st.user.is_logged_in:
            return str(st.user.get("email") or st.user.get("name") or "")
    except Exception:  # authentication not configured
        pass
    headers = st.context.headers or {}
    named = headers.get("X-Forwarded-User") or headers.get("X-Remote-User") or ""
    return named or (v.actor.who if v is not None else "")


def current_decisions(numbers: list[str] | None) -> dict[str, Decision]:
    """The current decision of each of these contracts (None: of every contract) that has one
    (read on every run: decisions are not part of the cached figures, so a new one shows at once)."""
    with database.reading(caches.engine()) as session:
        return decisions.current(session, numbers)


def proposed_value_text(f: ContractFigures, lang: str, target_margin: Decimal) -> str:
    """The form's first proposed value: the engine's renewal price (pricing.py) in lang's digits
    without a symbol ('12,500.00', '12.500,00'), which the form's parser reads back exactly; ''
    when the engine has none."""
    price = pricing.for_contract(f, target_margin).suggested_value
    return "" if price is None else i18n.number(price, lang, 2)


def field_key(key: str, number: str, name: str) -> str:
    """The key of one of the decision form's fields (name: action, value, state, start, end, by,
    note) for one contract: a field per contract, so another contract starts afresh."""
    return f"{key}:{number}:{name}"


def decision_form(v: sidebar.View, choices: list[ContractFigures], key: str) -> None:
    """A form that records a renewal decision for one of choices (a selectbox when several).

    The form's fields are keyed by the contract: choosing another contract (or the list
    moving on after a recording) starts them afresh from that contract's suggestion, so
    nothing typed for one contract is recorded on another.
    """
    lang = v.lang
    if not choices or not v.may("decide"):  # a viewer is not offered it (record_decision refuses too)
        return
    by_number = {f.contract_number: f for f in choices}
    if len(choices) > 1:  # outside the form: a change reruns at once and the form follows
        number = st.selectbox(t("Contract", lang), list(by_number), key=f"{key}_contract")
    else:
        number = choices[0].contract_number
    f = by_number[number]
    suggested = SUGGESTED_DECISION.get(advice.suggest(f).action, "renew")
    with st.form(field_key(key, number, "form"), clear_on_submit=False):
        left, middle, right = st.columns(3)
        action = left.selectbox(t("Action", lang), decisions.ACTIONS, index=decisions.ACTIONS.index(suggested),
                                format_func=lambda a: t(a, lang), key=field_key(key, number, "action"))  # fmt: skip
        value = middle.text_input(
            t("Proposed value", lang), value=proposed_value_text(f, lang, sidebar.settings(v).target_margin),
            key=field_key(key, number, "value"), placeholder=t("e.g. 12500", lang),
            help=t("The suggested renewal price to start with; typed as on import: 12.500,50, 12500.50 or 6.250,-", lang),
        )  # fmt: skip
        state = right.selectbox(t("State", lang), decisions.STATES, format_func=lambda s: t(s, lang),
                                key=field_key(key, number, "state"))  # fmt: skip
        left, middle, right = st.columns(3)  # a row of its own: a phone stacks the fields in reading order
        start = left.date_input(
            t("Proposed start", lang),
            value=None,
            key=field_key(key, number, "start"),
            format=sidebar.date_format(lang),
        )
        end = middle.date_input(
            t("Proposed end", lang),
            value=None,
            key=field_key(key, number, "end"),
            format=sidebar.date_format(lang),
        )
        decided_by = right.text_input(t("Decided by", lang), value=who(v), key=field_key(key, number, "by"))
        note = st.text_area(t("Note", lang), key=field_key(key, number, "note"), height=68)
        saved = st.form_submit_button(t("Record the decision", lang), type="primary", key=f"{key}_save")
    if saved:
        try:
            proposed = formats.parse_typed(formats.PROPOSED_VALUE, value)
        except formats.InvalidValueError as exc:
            st.error(f"{t('Proposed value', lang)}: {t(exc.template, lang, **exc.params)}")
            return
        try:
            actor = v.actor.on(f"page:{key}")
            written: list[decisions.Decision] = []
            if not ui.write(lambda session: written.append(decisions.record_decision(
                session, number, action, decided_by=decided_by, note=note, state=state,
                proposed_value=proposed, proposed_start=start, proposed_end=end, actor=actor,
            )), lang, actor, "decide"):  # fmt: skip
                return
            done = written[0]
        except decisions.DecisionError as exc:
            st.error(t(exc.key, lang, **{k: plain.markdown(str(x)) for k, x in exc.values.items()}))
            return
        st.session_state[f"{key}_done"] = (done.contract_number, done.action, done.state)
        downloads.forget_prepared_packs()  # they would show the decision before this one
        st.rerun()
    recorded = st.session_state.pop(f"{key}_done", None)
    if recorded:
        st.success(t("Recorded for {number}: {action} ({state}).", lang, number=plain.markdown(recorded[0]),
                     action=t(recorded[1], lang), state=t(recorded[2], lang)), icon=":material/check:")  # fmt: skip


HISTORY_COLUMNS: Columns = {
    "decided": Column(N_("Decided")),
    "action": Column(N_("Action")),
    "state": Column(N_("State")),
    "value": Column(N_("Proposed value"), "money"),
    "term": Column(N_("Proposed term")),
    "note": Column(N_("Note")),
    "by": Column(N_("Decided by")),
}


def decision_section(v: sidebar.View, f: ContractFigures) -> None:
    """The contract page's renewal decision: the current one, its history, and the form."""
    lang = v.lang
    st.subheader(t("Renewal decision", lang))
    with database.reading(caches.engine()) as session:
        found = decisions.history(session, f.contract_number)
        zone = settings.load(session).time_zone
    if found:
        d = found[0]
        value = i18n.money(d.proposed_value, lang, v.currency) if d.proposed_value is not None else "—"
        st.markdown(
            t("**Current**: {action} · {state} · {value}", lang, action=t(d.action, lang),
              state=t(d.state, lang), value=value)
            + f" · {plain.markdown(d.decided_by)}, {i18n.moment(d.decided_at, lang, zone)}"
        )  # fmt: skip
        rows = [
            {
                "decided": i18n.moment(x.decided_at, lang, zone),
                "action": t(x.action, lang),
                "state": t(x.state, lang),
                "value": None if x.proposed_value is None else float(x.proposed_value),
                "term": decision_rows.term(x, lang),
                "note": x.note,
                "by": x.decided_by,
            }
            for x in found
        ]
        st.caption(t("Decision history, the current first", lang))
        grids.table(
            pd.DataFrame(rows, columns=list(HISTORY_COLUMNS)), HISTORY_COLUMNS, v, key="decision_history"
        )
    else:
        review_days = sidebar.settings(v).review_days
        overdue = attention.overdue_for_review(f.days_to_notice, not _closed(f), True, review_days)
        message = t("No decision yet.", lang)
        if overdue:
            st.warning(message + " " + t("The notice deadline is within {days} days: overdue for review.",
                                         lang, days=review_days), icon=":material/warning:")  # fmt: skip
        else:
            st.info(message)
    with st.expander(t("Record a decision", lang), expanded=not found):
        decision_form(v, [f], key="contract_decision")


def _closed(f: ContractFigures) -> bool:
    """Terminated, or renewed by a successor: nothing to review."""
    return f.inputs.terminated_on is not None or f.inputs.renewed_by is not None


@dataclass(frozen=True)
class EndedOpen:
    """The overview's ended, still open contracts (ended_open) and the first page of their table."""

    rows: PortfolioFrame
    awaiting: frozenset[str]  # those of rows awaiting renewal without a decision
    decided: str  # a fingerprint of the decisions they were found with: part of their cache keys
    key: str

    @property
    def table_key(self) -> str:
        """The key of their table's widgets and order (grids.page_of)."""
        return f"ended_{self.decided}"


def ended_open(v: sidebar.View) -> EndedOpen:
    """The view's contracts (running or not) that ended before as_of and are still open: once per
    data version, view and set of decisions (every session shares them)."""
    decided = sorted(current_decisions(None))  # a few hundred at most: read on every run
    fingerprint = caches.digest(decided)[:12]
    key = f"ended {v.key} {v.as_of} {fingerprint}"

    def build() -> EndedOpen:
        whole = every_term(v)
        rows = whole.take(frame.ended_open(whole, decided))
        awaiting = frozenset(str(n) for n in rows["contract_number"][frame.awaiting_mask(rows, decided)])
        return EndedOpen(rows, awaiting, fingerprint, key)

    return reads.displayed(v, key, build, large=True)


def ended_open_table(v: sidebar.View, found: EndedOpen, shown: np.ndarray) -> tuple[pd.DataFrame, Columns]:
    """The table of found's rows at these positions (a page)."""
    return reads.displayed(
        v,
        f"{found.key} table {v.shown_key} {caches.digest(shown)}",
        lambda: tables.overview(found.rows.figures(shown), v.lang, v.currency, found.awaiting),
    )


def renewal_decisions(
    v: sidebar.View, chosen: PortfolioFrame
) -> tuple[PortfolioFrame, dict[str, Decision], str]:
    """The renewals list narrowed by the 'no decision yet' toggle, the current decisions of its
    contracts, and the key its table's order is cached under (grids.page_of): it names the
    decided contracts a narrowed list leaves out."""
    numbers = [str(n) for n in chosen["contract_number"]]
    found = current_decisions(numbers)
    undecided = st.toggle(t("No decision yet", v.lang), key="renewals_undecided")
    key = N_("renewals")
    if undecided and found:
        keep = ~np.isin(chosen["contract_number"], np.array(list(found), dtype=object))
        chosen = chosen.take(keep)
        key = "renewals_undecided_" + caches.digest(sorted(found))[:12]
    return chosen, found, key


def every_term(v: sidebar.View) -> PortfolioFrame:
    """The view's contracts, running or not: where the ended and still open ones are found."""
    return reads.portfolio_frame(replace(v, filters=replace(v.filters, running_only=False)))[0]


def ended_open_section(v: sidebar.View) -> None:
    """The overview's second group: contracts that ended before as_of and are still open
    (frame.ended_open: over budget, or awaiting renewal without a decision), most pressing first."""
    lang = v.lang
    found = ended_open(v)
    rows = found.rows
    st.subheader(t("Ended, still open ({n})", lang, n=i18n.number(len(rows), lang, 0)))
    if not len(rows):
        st.caption(t("No ended contract is over budget or awaiting renewal.", lang))
        return
    st.caption(
        t("Ended before {date} and not terminated: over budget, or awaiting renewal (no renewal decision "
          "recorded and no automatic renewal). Select a row to open the contract.", lang,
          date=i18n.date(v.as_of, lang))
    )  # fmt: skip
    # a long list is sorted and paged on the server; its order is cached under the decisions too
    shown = grids.page_of(rows, v, key=found.table_key)
    table, columns = ended_open_table(v, found, shown)
    navigation.wide_or_phone(
        "ended",
        lambda: grids.selectable_table(table, columns, v, key="ended_table", max_height=420, wrap=True),
        lambda: navigation.phone_list(table, v, key="phone_ended"),
    )


def with_decisions(
    frame: pd.DataFrame,
    columns: Columns,
    figures: list[ContractFigures],
    found: dict[str, Decision],
    v: sidebar.View,
) -> tuple[pd.DataFrame, Columns]:
    """The renewals table with each contract's decision state after its status (or 'overdue for review')."""
    review_days = sidebar.settings(v).review_days
    texts = []
    for f in figures:
        d = found.get(f.contract_number)
        if d is not None:
            texts.append(f"{t(d.action, v.lang)} · {t(d.state, v.lang)}")
        elif attention.overdue_for_review(f.days_to_notice, not _closed(f), True, review_days):
            texts.append("⚠ " + t(OVERDUE, v.lang))
        else:
            texts.append(t(NO_DECISION, v.lang))
    frame = frame.copy()
    frame.insert(list(frame.columns).index("status") + 1, "decision", texts)
    shown: Columns = {}
    for name, col in columns.items():
        shown[name] = col
        if name == "status":  # what was decided sits before what is suggested
            shown["decision"] = Column(N_("Decision"), width=DECISION_WIDTH)
    return frame, shown


def _shown(value: object, kind: str, lang: str, currency: str) -> str:
    """A (value, kind) cell of review/term_rows as text in lang, percentages to one decimal."""
    return term_rows.cell_text(value, kind, lang, currency, pct_decimals=1)


def cells_table(header: list[str], rows: list[list[tuple[object, str]]], v: sidebar.View, key: str) -> None:
    """A table of (value, kind) cells, each written out in the view's language and currency."""
    frame = pd.DataFrame([[_shown(x, k, v.lang, v.currency) for x, k in row] for row in rows], columns=header)
    st.dataframe(frame, hide_index=True, width="stretch", key=key, placeholder=grids.MISSING)


def variance_section(v: sidebar.View, f: ContractFigures) -> None:
    """Budget against actual per month, quarter or year of the term, past periods closed."""
    lang = v.lang
    grain = st.radio(t("Per", lang), list(variance.GRAINS), index=1, horizontal=True,
                     format_func=lambda g: t(g, lang), key="variance_grain")  # fmt: skip
    periods = reads.variance_of(v, f, grain)
    cells_table(*term_rows.variance_rows(periods, lang), v, key="variance_table")
    note = term_rows.running_note(periods, f.as_of, lang, v.currency)
    if note:
        st.caption(plain.markdown(note))


def last_term_section(v: sidebar.View, f: ContractFigures) -> None:
    """This term against the previous one (previous_contract), and what it says of the renewal price."""
    lang = v.lang
    number, found = reads.last_term_of(v, f, sidebar.settings(v).target_margin)
    if number is None:
        return
    st.subheader(t("This term against the previous one", lang))
    if found is None:
        st.info(
            t("The previous contract {number} is not in the database.", lang, number=plain.markdown(number))
        )
        return
    cells_table(*term_rows.last_term_rows(found, lang), v, key="last_term_table")
    said = term_rows.verdict(found, lang, v.currency)
    if said:
        st.caption(plain.markdown(said))


GROUP_LABELS = {"customer": "Customer", "manager": "Account manager", "type": "Contract type"}
GROUP_FILTERS = {"customer": "f_customer", "manager": "f_manager", "type": "f_type"}  # the sidebar's keys
GROUP_COLUMNS: Columns = {
    "group": Column(N_("Group"), width="medium"),
    "contracts": Column(N_("Contracts"), "number", decimals=0),
    "status": Column(N_("Worst status"), width=tables.STATUS_WIDTH),
    "budget": Column(N_("Budget"), "money"),
    "actual": Column(N_("Actual"), "money"),
    "consumed": Column(N_("Consumed"), "progress", N_("Actual of the budgeted contracts / their budget")),
    "forecast": Column(N_("Forecast"), "money"),
    "margin": Column(N_("Margin"), "money"),
    "extra": Column(
        N_("Billed on top"),
        "money",
        N_("Cost of work billed on top of the contract (meerwerk), not in Actual"),
    ),
    "extra_revenue": Column(N_("Billed revenue"), "money", N_("Revenue of the work billed on top")),
    "out_of_scope": Column(N_("Out of scope"), "number", N_("Contracts flagged out of scope"), decimals=0),
}


def _whole(value: Decimal) -> float:
    return float(value.quantize(Decimal(1), ROUND_HALF_UP))


def group_filter(by: str | None, keys: list[str | None], rows: list[int]) -> tuple[str, list[str]] | None:
    """(sidebar filter key, its new value) for a click on row rows[0] of the group table; None for no
    click or the group of contracts without a manager or type (no filter can choose it)."""
    if by not in GROUP_FILTERS or not rows or keys[rows[0]] is None:
        return None
    return GROUP_FILTERS[by], [str(keys[rows[0]])]


def filter_to_group() -> None:
    """On a click in the group table: narrow the sidebar's filter to that group (a callback, so it runs
    before the sidebar's widgets are drawn again)."""
    by, keys = st.session_state.get("overview_groups", (None, []))
    event = st.session_state.get("overview_groups_table")
    chosen = group_filter(by, keys, list(event.selection.rows) if event is not None else [])
    if chosen is not None:
        st.session_state[chosen[0]] = chosen[1]


def group_section(v: sidebar.View, chosen: PortfolioFrame) -> None:
    """The overview's roll-up: the shown contracts grouped by customer, account manager or contract type;
    a click on a group filters the overview to it."""
    lang = v.lang
    by = st.radio(t("Group by", lang), [None, *GROUP_LABELS], horizontal=True, key="overview_group_by",
                  format_func=lambda g: t(GROUP_LABELS[g], lang) if g else t("none", lang))  # fmt: skip
    if by is None:
        return
    groups = rollups.group(chosen.figures(), by)
    st.session_state["overview_groups"] = (by, [g.key for g in groups])
    rows = [
        {
            "group": (codes.contract_type(g.key, lang) if by == "type" else g.key) or t("(none)", lang),
            "contracts": g.contracts,
            "status": tables.status_label(g.worst_status, lang),
            "budget": _whole(g.budget_total),
            "actual": _whole(g.actual_total),
            "consumed": None if g.consumed is None else float(g.consumed),
            "forecast": _whole(g.forecast_total),
            "margin": None if g.margin is None else _whole(g.margin),  # shown as "—"
            "extra": _whole(g.extra_cost),
            "extra_revenue": _whole(g.extra_revenue),
            "out_of_scope": g.out_of_scope,
        }
        for g in groups
    ]
    st.caption(
        t("Totals per group of the contracts shown. Select a group to filter the overview to it.", lang)
    )
    grids.table(pd.DataFrame(rows, columns=list(GROUP_COLUMNS)), GROUP_COLUMNS, v, colour_status=True,
             key="overview_groups_table", on_select=filter_to_group, selection_mode="single-row")  # fmt: skip


def parse_emails(text: str) -> dict[str, str]:
    """'Name = address' per line -> {name: address}; blank lines skipped; ValueError naming a bad line."""
    found = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, address = line.rpartition("=")
        if not sep or not name.strip() or not address.strip():
            raise ValueError(f"line {n}: write it as 'Name = address'")
        found[name.strip()] = address.strip()
    return found


def alert_settings(v: sidebar.View, stored: settings.Settings) -> None:
    """The Settings page's review workflow part: review days, the alerts' links, sender and managers' addresses."""
    lang = v.lang
    with database.reading(caches.engine()) as session:
        emails = alerts.manager_emails(session)
    with st.form("review_settings_form"):
        st.subheader(t("Review and alerts", lang))
        left, right = st.columns(2)
        review_days = left.number_input(t("Overdue for review when the notice deadline is this close (days)", lang),
                                        min_value=0, max_value=365, step=1, value=stored.review_days,
                                        key="s_review_days")  # fmt: skip
        url = right.text_input(t("Dashboard address for links in alert mails", lang), value=stored.dashboard_url,
                               key="s_dashboard_url")  # fmt: skip
        sender = left.text_input(
            t("Alert mails come from", lang), value=stored.alert_sender, key="s_alert_sender"
        )
        text = right.text_area(t("Account managers' email addresses, one 'Name = address' per line", lang),
                               value="\n".join(f"{k} = {a}" for k, a in sorted(emails.items())),
                               key="s_manager_emails")  # fmt: skip
        zone = left.text_input(t("Time zone of the times shown (decisions)", lang), value=stored.time_zone,
                               key="s_time_zone")  # fmt: skip
        saved = st.form_submit_button(t("Save", lang), key="s_review_save", icon=":material/save:")
    if not saved:
        return
    chosen = replace(
        stored, review_days=int(review_days), dashboard_url=url.strip(), alert_sender=sender.strip(),
        time_zone=zone.strip(),
    )  # fmt: skip
    problems = [
        t(m, lang)
        for f, m in chosen.problems()
        if f in ("review_days", "dashboard_url", "alert_sender", "time_zone")
    ]
    try:
        mapping = parse_emails(text)
        if not problems:  # the signed-in admin, audited as themselves (settings and the addresses)
            actor = v.actor.on("page:settings")

            def save(session: Session) -> None:
                settings.save(session, chosen, actor)
                alerts.set_manager_emails(session, mapping, actor)

            if not ui.write(save, lang, actor, "settings"):
                return
    except ValueError as exc:
        problems.append(str(exc))
    for problem in problems:
        st.error(plain.markdown(problem))  # may quote what was typed
    if not problems:
        st.success(t("Saved.", lang), icon=":material/check:")


CHANGES_SHOWN = 50  # a longer list is the nightly digests' job


@st.cache_resource(show_spinner=False, max_entries=4)
def _week_ago(url: str, version: int, as_of: dt.date, key: str, _thresholds: Thresholds) -> PortfolioFrame:
    """Every contract column-wise a week before the view's as_of (key: the thresholds), read once per data
    version, as ui reads the overview's own portfolio."""
    found = caches.picks(url, version, as_of, _thresholds)
    with database.reading(caches.engine()) as session:
        return frame.load(session, as_of, _thresholds, picks=found)


def week_ago(v: sidebar.View) -> PortfolioFrame:
    """Every contract a week before the view's as_of, what the changes since last week compare with."""
    return _week_ago(v.url, v.version, v.as_of - dt.timedelta(days=7), repr(v.thresholds), v.thresholds)


def changes(v: sidebar.View, chosen: PortfolioFrame) -> list[alerts.Alert]:
    """What changed in the seven days before the view's as_of for the contracts chosen, by kind
    and contract: found once over every contract per data version, thresholds, settings and
    decisions, then narrowed to those chosen (a filter change finds nothing again)."""
    with database.reading(caches.engine()) as session:
        stored = settings.load(session)
        decided = set(decisions.current(session))
    everything, _ = reads.portfolio_frame(replace(v, filters=Filters()))
    key = f"changes {v.thresholds!r} {v.as_of} {stored!r} {caches.digest(sorted(decided))}"
    found = reads.displayed(
        v,
        key,
        lambda: sorted(
            alerts.changes_between(everything, week_ago(v), decided, stored),
            key=lambda a: (alerts.KINDS.index(a.kind), a.contract_number),
        ),
    )
    if len(chosen) == len(everything):
        return found

    def shown() -> list[alerts.Alert]:  # a few alerts kept, not a set of every contract number
        numbers = set(chosen["contract_number"].tolist())
        return [a for a in found if a.contract_number in numbers]

    return reads.displayed(v, f"{key} shown {v.key}", shown)


# the changes since last week by kind, the most urgent kind first, each with its heading (i18n keys)
CHANGE_KINDS = {
    "review": N_("Notice deadline within {days} days, no decision"),
    "ending": N_("Ending within {days} days"),
    "status": N_("Status worsened"),
    "window": N_("Notice deadline entered the renewal window"),
}


def changes_section(v: sidebar.View, chosen: PortfolioFrame) -> None:
    """The overview's "changes since last week", collapsed: what the nightly alerts would report over
    the last seven days (status worsened, deadlines entering the window or the review mark, contracts
    ending) for the contracts shown, grouped by kind with counts, the most urgent kind first."""
    lang = v.lang
    found = changes(v, chosen)
    per = {kind: [a for a in found if a.kind == kind] for kind in CHANGE_KINDS}
    counts = " · ".join(f"{t(CHANGE_KINDS[k], lang, days=sidebar.settings(v).review_days)}: {len(a)}"
                        for k, a in per.items() if a)  # fmt: skip
    title = t("Changes since last week ({n})", lang, n=len(found))
    with st.expander(f"{title}{': ' + counts if counts else ''}", expanded=False):
        if not found:
            st.caption(t("Nothing changed in the last seven days.", lang))
            return
        shown, query = 0, urlencode(sidebar.view_params(), doseq=True)  # the filters, for every link
        for kind, alerts_ in per.items():
            if not alerts_:
                continue
            heading = t(CHANGE_KINDS[kind], lang, days=sidebar.settings(v).review_days)
            lines = [f"**{plain.markdown(heading)} ({len(alerts_)})**"]
            for a in alerts_[: max(0, CHANGES_SHOWN - shown)]:
                link = (
                    "contract?" + (f"{query}&" if query else "") + urlencode({"contract": a.contract_number})
                )
                lines.append(f"- [{plain.markdown(a.contract_number)}]({link}) · {plain.markdown(a.customer)}"
                             f" · {plain.markdown(a.manager or '—')}: {plain.markdown(a.text(lang, v.currency))}")  # fmt: skip
            shown += len(alerts_)
            st.markdown("\n".join(lines))
        if len(found) > CHANGES_SHOWN:
            st.caption(t("… and {n} more", lang, n=len(found) - CHANGES_SHOWN))


ATTENTION_SHOWN = 8  # rows on the overview's first screen; the rest behind "all of them"


def _attention_key(v: sidebar.View) -> tuple[str, list[str]]:
    """The cache key of the view's attention list (data version aside), and the decisions it names."""
    decided = sorted(current_decisions(None))
    return (
        f"attention {v.key} {v.as_of} {sidebar.settings(v).review_days} {caches.digest(decided)[:12]}",
        decided,
    )


def attention_list(v: sidebar.View, keyed: tuple[str, list[str]] | None = None) -> attention.Attention:
    """What needs attention among the view's contracts (running or not: an ended one can need it),
    once per data version, view and set of decisions (keyed: _attention_key(v), when known)."""
    key, decided = keyed or _attention_key(v)
    return reads.displayed(
        v,
        key,
        lambda: attention.attention(every_term(v), decided, sidebar.settings(v).review_days),
        large=True,
    )


def _attention_lines(v: sidebar.View, found: attention.Attention, rows: range, query: str) -> str:
    lang, lines = v.lang, []
    for i in rows:
        r = found.row(i, lang, v.currency)
        number = str(r["contract_number"])
        link = "contract?" + (f"{query}&" if query else "") + urlencode({"contract": number})
        also = f" · *{t('also', lang)}: {plain.markdown(str(r['also']))}*" if r["also"] else ""
        lines.append(f"{r['rank']}. [{plain.markdown(number)}]({link}) · {plain.markdown(str(r['customer']))}: "
                     f"**{plain.markdown(str(r['why']))}**{also}")  # fmt: skip
    return "\n".join(lines)


def attention_section(v: sidebar.View) -> None:
    """The overview's opening: what needs attention, most urgent first (figures/attention.py), a count
    per reason, each row saying why in a few words with its date and linking to its contract.
    The rows' text (up to 500 rows, each with a link that keeps the filters) is made once per data
    version, list, language, currency and filters, and shared by every session."""
    lang = v.lang
    keyed = _attention_key(v)
    found = attention_list(v, keyed)
    st.subheader(t("Needs attention ({n})", lang, n=i18n.number(len(found), lang, 0)), anchor=False)
    if not len(found):
        st.caption(t("Nothing needs attention: no deadline without a decision, nothing over budget or at risk.",
                     lang))  # fmt: skip
        return
    query = urlencode(sidebar.view_params(), doseq=True)  # the filters, for every row's link

    def lines(rows: range) -> str:
        key = f"{keyed[0]} lines {rows.start}-{rows.stop} {lang} {v.currency} {query}"
        return reads.displayed(v, key, lambda: _attention_lines(v, found, rows, query))

    counts = [f"{found.label(r, lang)}: **{n}**" for r, n in found.counts().items() if n]
    st.caption(" · ".join(counts))
    st.markdown(lines(range(min(ATTENTION_SHOWN, len(found)))))
    if len(found) > ATTENTION_SHOWN:
        with st.expander(t("All {n} that need attention", lang, n=len(found)), expanded=False):
            st.markdown(lines(range(ATTENTION_SHOWN, min(len(found), 500))))
            if len(found) > 500:
                st.caption(t("… and {n} more", lang, n=len(found) - 500))
