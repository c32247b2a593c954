"""The review workflow on the pages: the decision form and history, the renewals list's decision
columns, the last-term comparison, variance per period, roll-ups and recent changes.

With ui.py the app's Streamlit glue (ui.py owns caching, the sidebar and tables;
this module the review workflow's widgets), so the pages stay thin. Every
write goes through decisions.record_decision().
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import streamlit as st

from budgetcore import i18n
from budgetcore.app import tables, ui
from budgetcore.app import text as plain  # "text" names typed text in this module
from budgetcore.app.tables import Column, Columns
from budgetcore.figures import advice, frame, last_term, rollups, settings, variance
from budgetcore.figures.frame import PortfolioFrame
from budgetcore.figures.metrics import ContractFigures, Filters, Thresholds
from budgetcore.i18n import t
from budgetcore.review import alerts, decision_rows, term_rows
from budgetcore.store import database, decisions
from budgetcore.store.decisions import Decision

# the suggested action (advice.ACTIONS) -> the decision it most likely becomes
SUGGESTED_DECISION = {
    advice.TERMINATE: "terminate",
    advice.REPRICE: "re-price",
    advice.REVIEW_SCOPE: "re-scope",
    advice.RENEW: "renew",
}
NO_DECISION, OVERDUE = "no decision yet", "overdue for review"
DECISION_WIDTH = 115  # px: the renewals table's decision column, "⚠ evaluatie te laat" on two lines


def who() -> str:
    """The signed-in user or the one a reverse proxy names, else ''; the form's default for 'decided by'."""
    try:
        if st.user.is_logged_in:
            return str(st.user.get("email") or st.user.get("name") or "")
    except Exception:  # authentication not configured
        pass
    headers = st.context.headers or {}
    return headers.get("X-Forwarded-User") or headers.get("X-Remote-User") or ""


def current_decisions(numbers: list[str] | None) -> dict[str, Decision]:
    """The current decision of each of these contracts (None: of every contract) that has one
    (read on every run: decisions are not part of the cached figures, so a new one shows at once)."""
    with database.transaction(ui.engine()) as session:
        return decisions.current(session, numbers)


def decision_form(v: ui.View, choices: list[ContractFigures], key: str) -> None:
    """A form that records a renewal decision for one of choices (a selectbox when several)."""
    lang = v.lang
    if not choices or not v.may("decide"):  # a viewer is not offered it (record_decision refuses too)
        return
    by_number = {f.contract_number: f for f in choices}
    with st.form(f"{key}_form", clear_on_submit=False):
        if len(choices) > 1:
            number = st.selectbox(t("Contract", lang), list(by_number), key=f"{key}_contract")
        else:
            number = choices[0].contract_number
        f = by_number[number]
        suggested = SUGGESTED_DECISION.get(advice.suggest(f).action, "renew")
        left, middle, right = st.columns(3)
        action = left.selectbox(t("Action", lang), decisions.ACTIONS, index=decisions.ACTIONS.index(suggested),
                                format_func=lambda a: t(a, lang), key=f"{key}_action")  # fmt: skip
        value = middle.text_input(t("Proposed value", lang), key=f"{key}_value",
                                  placeholder=t("e.g. 12500", lang))  # fmt: skip
        state = right.selectbox(t("State", lang), decisions.STATES, format_func=lambda s: t(s, lang),
                                key=f"{key}_state")  # fmt: skip
        start = left.date_input(
            t("Proposed start", lang), value=None, key=f"{key}_start", format=ui.date_format(lang)
        )
        end = middle.date_input(
            t("Proposed end", lang), value=None, key=f"{key}_end", format=ui.date_format(lang)
        )
        decided_by = right.text_input(t("Decided by", lang), value=who(), key=f"{key}_by")
        note = st.text_area(t("Note", lang), key=f"{key}_note", height=68)
        saved = st.form_submit_button(t("Record the decision", lang), type="primary", key=f"{key}_save")
    if saved:
        try:
            with database.transaction(ui.engine()) as session:
                done = decisions.record_decision(
                    session, number, action, decided_by=decided_by, note=note, state=state,
                    proposed_value=decisions.parse_value(value), proposed_start=start, proposed_end=end,
                    actor=v.actor.on(f"page:{key}"),
                )  # fmt: skip
        except decisions.DecisionError as exc:
            st.error(t(exc.key, lang, **{k: plain.markdown(str(x)) for k, x in exc.values.items()}))
            return
        st.session_state[f"{key}_done"] = (done.contract_number, done.action, done.state)
        st.rerun()
    recorded = st.session_state.pop(f"{key}_done", None)
    if recorded:
        st.success(t("Recorded for {number}: {action} ({state}).", lang, number=plain.markdown(recorded[0]),
                     action=t(recorded[1], lang), state=t(recorded[2], lang)), icon=":material/check:")  # fmt: skip


HISTORY_COLUMNS: Columns = {
    "decided": Column("Decided"),
    "action": Column("Action"),
    "state": Column("State"),
    "value": Column("Proposed value", "money"),
    "term": Column("Proposed term"),
    "note": Column("Note"),
    "by": Column("Decided by"),
}


def decision_section(v: ui.View, f: ContractFigures) -> None:
    """The contract page's renewal decision: the current one, its history, and the form."""
    lang = v.lang
    st.subheader(t("Renewal decision", lang))
    with database.transaction(ui.engine()) as session:
        found = decisions.history(session, f.contract_number)
    if found:
        d = found[0]
        value = i18n.money(d.proposed_value, lang, v.currency) if d.proposed_value is not None else "—"
        st.markdown(
            t("**Current**: {action} · {state} · {value}", lang, action=t(d.action, lang),
              state=t(d.state, lang), value=value)
            + f" · {plain.markdown(d.decided_by)}, {i18n.date(d.decided_at.date(), lang)}"
        )  # fmt: skip
        rows = [
            {
                "decided": f"{i18n.date(x.decided_at.date(), lang)} {x.decided_at:%H:%M}",
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
        ui.table(
            pd.DataFrame(rows, columns=list(HISTORY_COLUMNS)), HISTORY_COLUMNS, v, key="decision_history"
        )
    else:
        review_days = ui.settings().review_days
        overdue = decisions.overdue_for_review(f.days_to_notice, f.inputs.terminated_on is not None, False,
                                               review_days)  # fmt: skip
        message = t("No decision yet.", lang)
        if overdue:
            st.warning(message + " " + t("The notice deadline is within {days} days: overdue for review.",
                                         lang, days=review_days), icon=":material/warning:")  # fmt: skip
        else:
            st.info(message)
    with st.expander(t("Record a decision", lang), expanded=not found):
        decision_form(v, [f], key="contract_decision")


@dataclass(frozen=True)
class EndedOpen:
    """The overview's ended, still open contracts (ended_open) and the first page of their table."""

    rows: PortfolioFrame
    awaiting: frozenset[str]  # those of rows awaiting renewal without a decision
    decided: str  # a fingerprint of the decisions they were found with: part of their cache keys
    key: str

    @property
    def table_key(self) -> str:
        """The key of their table's widgets and order (ui.page_of)."""
        return f"ended_{self.decided}"


def ended_open(v: ui.View) -> EndedOpen:
    """The view's contracts (running or not) that ended before as_of and are still open: once per
    data version, view and set of decisions (every session shares them)."""
    decided = sorted(current_decisions(None))  # a few hundred at most: read on every run
    fingerprint = ui.digest(decided)[:12]
    key = f"ended {v.key} {v.as_of} {fingerprint}"

    def build() -> EndedOpen:
        whole = every_term(v)
        rows = whole.take(frame.ended_open(whole, decided))
        awaiting = frozenset(str(n) for n in rows["contract_number"][frame.awaiting_mask(rows, decided)])
        return EndedOpen(rows, awaiting, fingerprint, key)

    return ui.displayed(v, key, build, large=True)


def ended_open_table(v: ui.View, found: EndedOpen, shown: np.ndarray) -> tuple[pd.DataFrame, Columns]:
    """The table of found's rows at these positions (a page)."""
    return ui.displayed(
        v,
        f"{found.key} table {v.shown_key} {ui.digest(shown)}",
        lambda: tables.overview(found.rows.figures(shown), v.lang, v.currency, found.awaiting),
    )


def renewal_decisions(v: ui.View, chosen: PortfolioFrame) -> tuple[PortfolioFrame, dict[str, Decision], str]:
    """The renewals list narrowed by the 'no decision yet' toggle, the current decisions of its
    contracts, and the key its table's order is cached under (ui.page_of): it names the
    decided contracts a narrowed list leaves out."""
    numbers = [str(n) for n in chosen["contract_number"]]
    found = current_decisions(numbers)
    undecided = st.toggle(t("No decision yet", v.lang), key="renewals_undecided")
    key = "renewals"
    if undecided and found:
        keep = ~np.isin(chosen["contract_number"], np.array(list(found), dtype=object))
        chosen = chosen.take(keep)
        key = "renewals_undecided_" + ui.digest(sorted(found))[:12]
    return chosen, found, key


def every_term(v: ui.View) -> PortfolioFrame:
    """The view's contracts, running or not: where the ended and still open ones are found."""
    return ui.portfolio_frame(replace(v, filters=replace(v.filters, running_only=False)))[0]


def ended_open_section(v: ui.View) -> None:
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
    shown = ui.page_of(rows, v, key=found.table_key)
    table, columns = ended_open_table(v, found, shown)
    ui.wide_or_phone(
        "ended",
        lambda: ui.selectable_table(table, columns, v, key="ended_table", max_height=420, wrap=True),
        lambda: ui.phone_list(table, v, key="phone_ended"),
    )


def with_decisions(
    frame: pd.DataFrame,
    columns: Columns,
    figures: list[ContractFigures],
    found: dict[str, Decision],
    v: ui.View,
) -> tuple[pd.DataFrame, Columns]:
    """The renewals table with each contract's decision state after its status (or 'overdue for review')."""
    review_days = ui.settings().review_days
    texts = []
    for f in figures:
        d = found.get(f.contract_number)
        if d is not None:
            texts.append(f"{t(d.action, v.lang)} · {t(d.state, v.lang)}")
        elif decisions.overdue_for_review(f.days_to_notice, f.inputs.terminated_on is not None, False,
                                          review_days):  # fmt: skip
            texts.append("⚠ " + t(OVERDUE, v.lang))
        else:
            texts.append(t(NO_DECISION, v.lang))
    frame = frame.copy()
    frame.insert(list(frame.columns).index("status") + 1, "decision", texts)
    shown: Columns = {}
    for name, col in columns.items():
        shown[name] = col
        if name == "status":  # what was decided sits before what is suggested
            shown["decision"] = Column("Decision", width=DECISION_WIDTH)
    return frame, shown


def _shown(value: object, kind: str, lang: str, currency: str) -> str:
    """A (value, kind) cell of review/term_rows as text in lang."""
    if value is None or value == "":
        return ""
    if kind == "money":
        return i18n.money(value, lang, currency)  # type: ignore[arg-type]
    if kind == "pct":
        return i18n.percent(value, lang, 1)  # type: ignore[arg-type]
    if kind == "date":
        return i18n.date(value, lang)  # type: ignore[arg-type]
    return str(value)


def cells_table(header: list[str], rows: list[list[tuple[object, str]]], v: ui.View, key: str) -> None:
    """A table of (value, kind) cells, each written out in the view's language and currency."""
    frame = pd.DataFrame([[_shown(x, k, v.lang, v.currency) for x, k in row] for row in rows], columns=header)
    st.dataframe(frame, hide_index=True, width="stretch", key=key, placeholder=ui.MISSING)


def variance_section(v: ui.View, f: ContractFigures) -> None:
    """Budget against actual per month, quarter or year of the term, past periods closed."""
    lang = v.lang
    grain = st.radio(t("Per", lang), list(variance.GRAINS), index=1, horizontal=True,
                     format_func=lambda g: t(g, lang), key="variance_grain")  # fmt: skip
    with database.transaction(ui.engine()) as session:
        periods = variance.variance(session, f, grain)
    cells_table(*term_rows.variance_rows(periods, lang), v, key="variance_table")


def last_term_section(v: ui.View, f: ContractFigures) -> None:
    """This term against the previous one (previous_contract), and what it says of the renewal price."""
    lang = v.lang
    with database.transaction(ui.engine()) as session:
        number = last_term.previous_number(session, f.contract_number)
        found = last_term.compare(session, f, v.thresholds, ui.settings().target_margin) if number else None
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
GROUP_FILTERS = {"customer": "f_customer", "manager": "f_manager", "type": "f_type"}  # ui's sidebar keys
GROUP_COLUMNS: Columns = {
    "group": Column("Group", width="medium"),
    "contracts": Column("Contracts", "number", decimals=0),
    "status": Column("Worst status", width=tables.STATUS_WIDTH),
    "budget": Column("Budget", "money"),
    "actual": Column("Actual", "money"),
    "consumed": Column("Consumed", "progress", "Actual of the budgeted contracts / their budget"),
    "forecast": Column("Forecast", "money"),
    "margin": Column("Margin", "money"),
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


def group_section(v: ui.View, chosen: PortfolioFrame) -> None:
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
            "group": (tables.type_label(g.key, lang) if by == "type" else g.key) or t("(none)", lang),
            "contracts": g.contracts,
            "status": tables.status_label(g.worst_status, lang),
            "budget": _whole(g.budget_total),
            "actual": _whole(g.actual_total),
            "consumed": None if g.consumed is None else float(g.consumed),
            "forecast": _whole(g.forecast_total),
            "margin": _whole(g.margin),
        }
        for g in groups
    ]
    st.caption(
        t("Totals per group of the contracts shown. Select a group to filter the overview to it.", lang)
    )
    ui.table(pd.DataFrame(rows, columns=list(GROUP_COLUMNS)), GROUP_COLUMNS, v, colour_status=True,
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


def alert_settings(v: ui.View, stored: settings.Settings) -> None:
    """The Settings page's review workflow part: review days, the alerts' links, sender and managers' addresses."""
    lang = v.lang
    with database.transaction(ui.engine()) as session:
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
        saved = st.form_submit_button(t("Save", lang), key="s_review_save", icon=":material/save:")
    if not saved:
        return
    chosen = replace(
        stored, review_days=int(review_days), dashboard_url=url.strip(), alert_sender=sender.strip()
    )
    problems = [
        t(m, lang) for f, m in chosen.problems() if f in ("review_days", "dashboard_url", "alert_sender")
    ]
    try:
        mapping = parse_emails(text)
        with database.transaction(ui.engine()) as session:
            if not problems:
                settings.save(session, chosen)
                alerts.set_manager_emails(session, mapping)
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
    found = ui.picks(url, version, as_of, _thresholds)
    with database.transaction(ui.engine()) as session:
        return frame.load(session, as_of, _thresholds, picks=found)


def week_ago(v: ui.View) -> PortfolioFrame:
    """Every contract a week before the view's as_of, what the changes since last week compare with."""
    return _week_ago(v.url, v.version, v.as_of - dt.timedelta(days=7), repr(v.thresholds), v.thresholds)


def changes(v: ui.View, chosen: PortfolioFrame) -> list[alerts.Alert]:
    """What changed in the seven days before the view's as_of for the contracts chosen, by kind
    and contract: found once over every contract per data version, thresholds, settings and
    decisions, then narrowed to those chosen (a filter change finds nothing again)."""
    with database.transaction(ui.engine()) as session:
        stored = settings.load(session)
        decided = set(decisions.current(session))
    everything, _ = ui.portfolio_frame(replace(v, filters=Filters()))
    key = f"changes {v.thresholds!r} {v.as_of} {stored!r} {ui.digest(sorted(decided))}"
    found = ui.displayed(
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

    return ui.displayed(v, f"{key} shown {v.key}", shown)


def changes_section(v: ui.View, chosen: PortfolioFrame) -> None:
    """The overview's "changes since last week": what the nightly alerts would report over the last seven
    days (status worsened, deadlines entering the window or the review mark, contracts ending), for the
    contracts shown."""
    lang = v.lang
    found = changes(v, chosen)
    with st.expander(t("Changes since last week ({n})", lang, n=len(found)), expanded=bool(found)):
        if not found:
            st.caption(t("Nothing changed in the last seven days.", lang))
            return
        lines = []
        for a in found[:CHANGES_SHOWN]:  # changes() sorts them: by kind, then contract
            link = "contract?" + urlencode({**ui.view_params(), "contract": a.contract_number}, doseq=True)
            lines.append(f"- [{plain.markdown(a.contract_number)}]({link}) · {plain.markdown(a.customer)}"
                         f" · {plain.markdown(a.manager or '—')}: {plain.markdown(a.text(lang, v.currency))}")  # fmt: skip
        st.markdown("\n".join(lines))
        if len(found) > CHANGES_SHOWN:
            st.caption(t("… and {n} more", lang, n=len(found) - CHANGES_SHOWN))
