"""What needs attention: one ranked list, the same on the overview, in the CLI and in the alert mail.

The reasons (docs/metrics.md "What needs attention"), most urgent first:

1. NOTICE: overdue for review (overdue_for_review, also the renewals table's mark, the
   decision form's warning and the alerts' review mark): the notice deadline is 0 to
   review_days (default 14) days after as_of, the contract is not terminated, not renewed
   by a successor, and has no current decision;
2. ENDED: ended before as_of, not terminated, not auto-renewing, not renewed by a successor,
   and no decision;
3. OVER: running (its term holds as_of) and over budget;
4. AT_RISK: running and at risk;
5. WINDOW: approaching renewal (end date or notice deadline in the renewal window; not
   terminated, not renewed) and no decision;
6. SCOPE: running and out of scope (much of its cost billed on top, or corrective work far
   past its type: frame._scope, docs/metrics.md Scope).

A contract appears once, under its most urgent reason, with its other reasons beside it
(`also`). Within a reason the earliest due date comes first (the next deadline: the notice
deadline until it has passed, then the end date), then the contract number. Column-wise
over the engine's frame (frame.py); the rows quote its figures as printed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from budgetcore import i18n
from budgetcore.figures import frame as engine
from budgetcore.figures.frame import PortfolioFrame
from budgetcore.figures.metrics import AT_RISK, OVER_BUDGET, STATUSES
from budgetcore.i18n import N_

NOTICE, ENDED, OVER, RISK, WINDOW, SCOPE = (
    N_("notice deadline undecided"), N_("ended not renewed"), "over budget", "at risk", N_("renewal window undecided"),
    "out of scope",
)  # fmt: skip
REASONS = (NOTICE, ENDED, OVER, RISK, WINDOW, SCOPE)  # most urgent first
# what each reason is called where they are counted (i18n keys)
LABELS = {
    NOTICE: N_("Notice deadline within {days} days, no decision"),
    ENDED: N_("Ended, not renewed, no decision"),
    OVER: N_("Running over budget"),
    RISK: N_("Running at risk"),
    WINDOW: N_("In the renewal window, no decision"),
    SCOPE: N_("Running out of scope"),
}
# one row's why, in a few words with its date (i18n keys)
TEXTS = {
    NOTICE: N_("notice deadline {date}, in {days} days, no decision"),
    ENDED: N_("ended {date}, {days} days ago, not renewed, no decision"),
    OVER: N_("over budget: {actual} spent of {budget}"),
    RISK: N_("at risk: forecast {forecast} against the budget {budget}"),
    WINDOW: N_("renewal window: {deadline} {date}, in {days} days, no decision"),
    SCOPE: N_("out of scope: {share} of the cost billed on top ({extra})"),
}
COLUMNS = ("rank", "contract_number", "customer", "account_manager", "reason", "due", N_("also"), "why")


@dataclass(frozen=True, eq=False)
class Attention:
    """The contracts that need attention, most urgent first.

    rows: the engine's frame of those contracts in rank order; reason: per row its most
    urgent reason (index into REASONS); held: per row and reason whether it holds (a boolean
    matrix, REASONS in columns); due: per row the date that makes it urgent; review_days:
    the NOTICE reason's days.
    """

    rows: PortfolioFrame
    reason: np.ndarray
    held: np.ndarray
    due: np.ndarray
    review_days: int

    def __len__(self) -> int:
        return len(self.rows)

    def counts(self) -> dict[str, int]:
        """How many contracts each reason ranks (REASONS order, every reason listed)."""
        found = np.bincount(self.reason, minlength=len(REASONS))
        return {r: int(n) for r, n in zip(REASONS, found, strict=True)}

    def label(self, reason: str, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
        return i18n.t(LABELS[reason], lang, days=self.review_days)

    def row(self, i: int, lang: str = i18n.DEFAULT_LANGUAGE, currency: str = "EUR") -> dict[str, object]:
        """Row i (COLUMNS): reason as its English key, due a date, also the other reasons' short
        ('; '), why the reason in a few words with its date."""
        c = self.rows.columns
        reason = REASONS[self.reason[i]]
        others = [REASONS[j] for j in np.flatnonzero(self.held[i]) if j != self.reason[i]]
        return {
            "rank": i + 1,
            "contract_number": str(c["contract_number"][i]),
            "customer": str(c["customer"][i]),
            "account_manager": c["account_manager"][i] or "",
            "reason": reason,
            "due": self.due[i].astype(dt.date),
            "also": "; ".join(i18n.t(r, lang) for r in others),
            "why": self.why(i, lang, currency),
        }

    def why(self, i: int, lang: str = i18n.DEFAULT_LANGUAGE, currency: str = "EUR") -> str:
        """Row i's reason in a few words with its date and figures, in lang."""
        reason = REASONS[self.reason[i]]
        due = self.due[i].astype(dt.date)
        days = abs((due - self.rows.as_of).days)
        values: dict[str, object] = {"date": i18n.date(due, lang), "days": days}
        if reason in (OVER, RISK):
            shown = engine.summary_row(self.rows, i)
            for name, column in (
                ("actual", "actual_total"),
                ("budget", "budget_total"),
                ("forecast", "forecast_total"),
            ):
                amount = shown[column]
                values[name] = "—" if amount is None else i18n.money(amount, lang, currency, cents=False)  # type: ignore[arg-type]
        if reason == SCOPE and not self.rows["share_scope"][i]:  # corrective work past its type
            scope = self.rows.figures([i])[0].scope
            assert scope is not None
            return scope.text(lang, currency)[1]
        if reason == SCOPE:
            shown = engine.summary_row(self.rows, i)
            values["share"] = i18n.percent(shown["extra_share"], lang, 1)  # type: ignore[arg-type]
            values["extra"] = i18n.money(shown["extra_cost"], lang, currency, cents=False)  # type: ignore[arg-type]
        if reason == WINDOW:
            notice = self.rows["notice_deadline"][i] == self.due[i]
            values["deadline"] = i18n.t("notice deadline", lang) if notice else i18n.t("end", lang)
        return i18n.t(TEXTS[reason], lang, **values)

    def listing(self, lang: str = i18n.DEFAULT_LANGUAGE, currency: str = "EUR") -> list[dict[str, object]]:
        """Every row (COLUMNS), in rank order."""
        return [self.row(i, lang, currency) for i in range(len(self))]


def overdue_for_review(days_to_notice, open_, undecided, review_days: int):
    """Overdue for review (docs/metrics.md, "Decisions and alerts"): the notice deadline 0 to
    review_days days after as_of (both included), the contract open (not terminated, not renewed
    by a successor) and undecided (no current renewal decision). Element-wise: numpy columns, one
    value per row, or one contract's int and bools (then a bool)."""
    return open_ & undecided & (0 <= days_to_notice) & (days_to_notice <= review_days)


def reasons(chosen: PortfolioFrame, decided: Sequence[str], review_days: int) -> np.ndarray:
    """Per row of chosen and per reason (REASONS in columns) whether it holds; decided: the
    contract numbers that have a current renewal decision."""
    undecided = ~np.isin(chosen["contract_number"], np.array(list(decided), dtype=object))
    open_ = np.isnat(chosen["terminated_on"]) & ~engine.renewed_mask(chosen)
    notice = overdue_for_review(chosen["days_to_notice"], open_, undecided, review_days)
    ended = engine.awaiting_mask(chosen, decided)
    running = engine.running_mask(chosen)
    over = running & (chosen["status"] == STATUSES.index(OVER_BUDGET))
    risk = running & (chosen["status"] == STATUSES.index(AT_RISK))
    window = chosen["approaching_renewal"] & undecided
    scope = running & chosen["out_of_scope"]
    return np.column_stack([notice, ended, over, risk, window, scope]).reshape(len(chosen), len(REASONS))


def attention(chosen: PortfolioFrame, decided: Sequence[str], review_days: int = 14) -> Attention:
    """The rows of chosen that need attention, ranked: by most urgent reason, then the due date
    (the next deadline), then the contract number."""
    held = reasons(chosen, decided, review_days)
    needed = held.any(axis=1)
    first = np.argmax(held, axis=1)  # the most urgent reason that holds
    due = chosen["next_deadline"]
    rows = np.flatnonzero(needed)
    number = chosen["contract_number"][rows].astype(str)
    ranked = rows[np.lexsort((number, due[rows], first[rows]))]
    return Attention(chosen.take(ranked), first[ranked], held[ranked], due[ranked], review_days)


def rank_of(found: Attention) -> dict[str, int]:
    """Contract number -> its rank (1 = most urgent), for lists that follow the same order."""
    return {str(n): i + 1 for i, n in enumerate(found.rows["contract_number"].tolist())}
