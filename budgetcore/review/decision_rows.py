"""The review pack's renewal-decision part: the current decision and its history, or a form to fill in.

Both pack forms (report_html, report_xlsx) show what this module gives, as
reports.py's (value, kind) cells; the kind 'blank' is an empty field to write
in at the meeting.
"""

from __future__ import annotations

from budgetcore import i18n
from budgetcore.i18n import t
from budgetcore.review.reports import ContractReview, Value
from budgetcore.store.decisions import Decision

HISTORY_COLUMNS = ("Decided", "Action", "State", "Proposed value", "Proposed term", "Note", "Decided by")
# what the meeting writes down for an undecided contract
FORM_FIELDS = ("Action", "Proposed value", "Proposed term", "State", "Note", "Decided by", "Date")


def term(d: Decision, lang: str) -> str:
    """The proposed term as 'start – end' in lang; '' when neither is given."""
    if d.proposed_start is None and d.proposed_end is None:
        return ""
    return f"{i18n.date(d.proposed_start, lang) or '…'} – {i18n.date(d.proposed_end, lang) or '…'}"


def current(r: ContractReview, lang: str) -> list[tuple[str, Value]]:
    """The current decision as (label, value); empty when the contract has none."""
    if not r.decisions:
        return []
    d = r.decisions[0]
    return [
        (t("Action", lang), (t(d.action, lang), "text")),
        (t("State", lang), (t(d.state, lang), "text")),
        (t("Proposed value", lang), (d.proposed_value, "money")),
        (t("Proposed term", lang), (term(d, lang), "text")),
        (t("Note", lang), (d.note, "text")),
        (t("Decided by", lang), (d.decided_by, "text")),
        (t("Decided", lang), (i18n.moment(d.decided_at, lang, r.time_zone), "text")),
    ]


def history(r: ContractReview, lang: str) -> tuple[list[str], list[list[Value]]]:
    """Every decision, the current first: (header, rows)."""
    header = [t(c, lang) for c in HISTORY_COLUMNS]
    return header, [
        [
            (i18n.moment(d.decided_at, lang, r.time_zone), "text"),
            (t(d.action, lang), "text"),
            (t(d.state, lang), "text"),
            (d.proposed_value, "money"),
            (term(d, lang), "text"),
            (d.note, "longtext"),
            (d.decided_by, "text"),
        ]
        for d in r.decisions
    ]


def to_fill_in(r: ContractReview, lang: str) -> list[tuple[str, Value]]:
    """For an undecided contract: the suggested action and its reason, then empty fields."""
    action, reason = r.suggestion.text(lang, r.currency)
    price = r.price.suggested_value
    rows: list[tuple[str, Value]] = [
        (t("Suggested action", lang), (f"{action}: {reason}", "text")),
    ]
    if price is not None:
        rows.append((t("Suggested value", lang), (price, "money")))
    rows.extend((t(name, lang), ("", "blank")) for name in FORM_FIELDS)
    return rows
