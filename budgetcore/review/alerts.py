"""Alerts: what changed in the portfolio since the last run, one digest per account manager, mailed nightly.

A change is one of (KINDS):

- ``status``: the status worsened (on track -> watch -> at risk -> over budget)
  against the status the last run saw (the first run has nothing to compare
  with and reports no status changes);
- ``window``: the notice deadline entered the renewal window (days to the
  notice deadline now within the window; each deadline is alerted once);
- ``review``: the notice deadline came within review_days (the 14-day mark)
  and the contract has no renewal decision;
- ``ending``: the end date came within review_days.

Each change has a key (e.g. ``review:CT-1:2026-12-01``); alert_log keeps the
keys that were sent, so an alert is sent once. This module finds the changes and
builds the digests; alert_mail.py sends them, each digest recorded on its own once
the mail server accepted it. The overview's "changes since last week" is the same
detection with last week's statuses and dates. Managers' addresses are a mapping
kept in the meta table (manager_emails()).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

import numpy as np
from sqlalchemy.orm import Session

from budgetcore import i18n
from budgetcore.figures import attention, frame, metrics, portfolio, settings
from budgetcore.figures.frame import PortfolioFrame
from budgetcore.figures.metrics import ContractFigures
from budgetcore.figures.settings import Settings
from budgetcore.i18n import N_, t
from budgetcore.store import access, alert_log, decisions
from budgetcore.store.database import get_meta, set_meta

EMAILS_KEY = "setting.manager_emails"
WORSENING = (metrics.ON_TRACK, metrics.WATCH, metrics.AT_RISK, metrics.OVER_BUDGET)
KINDS = ("status", "window", N_("review"), "ending")
MESSAGES = {
    "status": N_(
        "status worsened from {before} to {now}: forecast {forecast} against the budget {budget}, {consumed} consumed"
    ),
    "window": N_("notice deadline {deadline} is within the renewal window ({days} days left)"),
    "review": N_("notice deadline {deadline} in {days} days and no renewal decision yet"),
    "ending": N_("the contract ends on {end} ({days} days left)"),
}
NO_MANAGER = ""


@dataclass(frozen=True)
class Alert:
    """One change of one contract: its kind (KINDS), key, and the figures its sentence quotes."""

    kind: str
    key: str
    contract_number: str
    customer: str
    manager: str
    values: dict[str, object]

    def text(self, lang: str, currency: str) -> str:
        shown = {}
        for name, value in self.values.items():
            if name in ("forecast", "budget"):
                shown[name] = i18n.money(value, lang, currency) if value is not None else "—"  # type: ignore[arg-type]
            elif name == "consumed":
                shown[name] = i18n.percent(value, lang) if value is not None else "—"  # type: ignore[arg-type]
            elif isinstance(value, dt.date):
                shown[name] = i18n.date(value, lang)
            elif name in ("before", "now"):
                shown[name] = t(str(value), lang)
            else:
                shown[name] = str(value)
        return t(MESSAGES[self.kind], lang, **shown)


def _worse(before: str | None, now: str) -> bool:
    if before not in WORSENING or now not in WORSENING:
        return False
    return WORSENING.index(now) > WORSENING.index(before)


def _entered(days_now: int, days_then: int | None, limit: int) -> bool:
    """Within 0..limit days now, and not yet at the earlier date (None: no earlier run)."""
    return 0 <= days_now <= limit and (days_then is None or days_then > limit)


def detect(
    figures: Sequence[ContractFigures],
    before: dict[str, str],
    decided: set[str],
    stored: Settings,
    since: dt.date | None,
) -> list[Alert]:
    """The changes between since (the last run's as-of; None before the first run) and the figures' as-of.

    before: each contract's status at since (contracts missing from it report no status change).
    """
    window, review = stored.renewal_window_days, stored.review_days
    found: list[Alert] = []
    for f in figures:
        i = f.inputs

        def alert(kind: str, key: str, **values: object) -> None:
            found.append(Alert(kind, f"{kind}:{i.contract_number}:{key}", i.contract_number, i.customer,  # noqa: B023
                               i.account_manager or NO_MANAGER, values))  # fmt: skip  # noqa: B023

        if _worse(before.get(i.contract_number), f.status):
            alert("status", f"{before[i.contract_number]}>{f.status}:{f.as_of.isoformat()}",
                  before=before[i.contract_number], now=f.status, forecast=metrics.money(f.forecast.total),
                  budget=metrics.money(f.budget_total), consumed=f.consumed)  # fmt: skip
        if i.terminated_on is not None or i.renewed_by is not None:
            continue  # nothing to renew or review: terminated, or renewed by a successor
        then = None if since is None else (f.notice_deadline - since).days
        if _entered(f.days_to_notice, then, window):
            alert("window", f.notice_deadline.isoformat(), deadline=f.notice_deadline, days=f.days_to_notice)
        overdue = attention.overdue_for_review(
            f.days_to_notice, True, i.contract_number not in decided, review
        )
        if overdue and (then is None or then > review):  # overdue now, not yet at the last run
            alert("review", f.notice_deadline.isoformat(), deadline=f.notice_deadline, days=f.days_to_notice)
        ending_then = None if since is None else (i.end_date - since).days
        if _entered(f.days_to_end, ending_then, review):
            alert("ending", i.end_date.isoformat(), end=i.end_date, days=f.days_to_end)
    return found


def manager_emails(session: Session) -> dict[str, str]:
    """Account manager (as in the contracts) -> email address, from the meta table; {} when unset or unreadable."""
    try:
        found = json.loads(get_meta(session, EMAILS_KEY) or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def set_manager_emails(session: Session, emails: dict[str, str], actor: access.Actor | None = None) -> None:
    """Store the mapping (the caller commits, through store/writes.write); ValueError naming the
    first address that is not one. A change is audited under actor (default: the operator) with
    the managers added, changed and removed."""
    actor = actor or access.operator()
    access.require(session, actor, "settings")
    for name, address in emails.items():
        if address.count("@") != 1 or any(c.isspace() for c in address):
            raise ValueError(f"not an email address for {name}: {address!r}")
    before = manager_emails(session)
    changed = {
        name: {"old": before.get(name), "new": emails.get(name)}
        for name in sorted(set(before) | set(emails))
        if before.get(name) != emails.get(name)
    }
    if changed:
        access.record(session, actor, "manager-emails", "", **changed)
    set_meta(session, EMAILS_KEY, json.dumps(emails, ensure_ascii=False, sort_keys=True))


@dataclass(frozen=True)
class Digest:
    """One account manager's alerts; address '' when the mapping has none for the manager."""

    manager: str
    address: str
    alerts: tuple[Alert, ...]

    def subject(self, as_of: dt.date, lang: str) -> str:
        return t("Contract budgets: {n} change(s) for {manager}, {date}", lang, n=len(self.alerts),
                 manager=self.manager or t("no account manager", lang), date=i18n.date(as_of, lang))  # fmt: skip

    def body(self, as_of: dt.date, stored: Settings, lang: str) -> str:
        lines = [t("What changed in your contracts up to {date}:", lang, date=i18n.date(as_of, lang)), ""]
        base = stored.dashboard_url.rstrip("/")
        for a in self.alerts:  # in the attention list's order (digests())
            lines.append(f"- {a.contract_number} · {a.customer}: {a.text(lang, stored.currency)}")
            lines.append(f"  {base}/contract?contract={quote(a.contract_number)}")
        lines += ["", t("Sent by the contract budgets dashboard's nightly alerts.", lang)]
        return "\n".join(lines) + "\n"


def digests(
    found: Iterable[Alert], emails: dict[str, str], rank: dict[str, int] | None = None
) -> list[Digest]:
    """The alerts grouped per account manager, managers by name; within a digest in the order of
    the attention list (rank: contract number -> its place, attention.rank_of), then the contracts
    that need no attention by number, each contract's alerts in KINDS order."""
    rank = rank or {}
    per: dict[str, list[Alert]] = {}
    last = len(rank) + 1
    ordered = sorted(
        found, key=lambda a: (rank.get(a.contract_number, last), a.contract_number, KINDS.index(a.kind))
    )
    for a in ordered:
        per.setdefault(a.manager, []).append(a)
    return [Digest(m, emails.get(m, ""), tuple(per[m])) for m in sorted(per)]


@dataclass(frozen=True)
class Run:
    """One run's findings: the new alerts (not sent before), grouped, and what to store once sent."""

    as_of: dt.date
    since: dt.date | None
    digests: list[Digest]
    statuses: dict[str, str]


def prepare_run(session: Session, as_of: dt.date) -> Run:
    """What this run would send: the changes since the last completed run not sent before."""
    stored = settings.load(session)
    chosen = frame.load(session, as_of, stored.thresholds())
    figures = chosen.figures()
    before = alert_log.baseline(session)
    decided = list(decisions.current(session))
    rank = attention.rank_of(attention.attention(chosen, decided, stored.review_days))
    # deadlines are matched by key (each sent once), not by date: an alert a run could not send
    # (no address for its manager) is still new the next night
    found = detect(figures, before, set(decided), stored, None)
    sent = alert_log.sent_keys(session, [a.key for a in found])
    new = digests([a for a in found if a.key not in sent], manager_emails(session), rank)
    statuses = {f.contract_number: f.status for f in figures}
    for d in new:
        if not d.address:  # keep the old status, so the change is found again once there is an address
            statuses.update(
                {a.contract_number: before[a.contract_number] for a in d.alerts if a.kind == "status"}
            )
    return Run(as_of, alert_log.last_run(session), new, statuses)


def since_last_week(session: Session, as_of: dt.date) -> list[Alert]:
    """The overview's "changes since last week": the same detection against the statuses and dates of
    as_of - 7 days (nothing stored, nothing sent)."""
    stored = settings.load(session)
    week_ago = as_of - dt.timedelta(days=7)
    before = {
        f.contract_number: f.status for f in portfolio.portfolio(session, week_ago, stored.thresholds())
    }
    figures = portfolio.portfolio(session, as_of, stored.thresholds())
    return detect(figures, before, set(decisions.current(session)), stored, week_ago)


def changes_between(
    now: PortfolioFrame, then: PortfolioFrame, decided: set[str], stored: Settings
) -> list[Alert]:
    """since_last_week() from two column-wise portfolios (now and then, as_of days apart): numpy picks the
    few contracts that can have changed, and detect() decides on their exact figures; the same alerts.

    now may be narrowed (the sidebar's filters); then holds every contract."""
    gap = (now.as_of - then.as_of).days
    window, review = stored.renewal_window_days, stored.review_days
    rank = np.array([WORSENING.index(s) if s in WORSENING else -1 for s in metrics.STATUSES])
    earlier = dict(zip(then["contract_number"].tolist(), then["status"].tolist(), strict=True))
    numbers = now["contract_number"].tolist()
    before_code = np.array([earlier.get(n, -1) for n in numbers], dtype=np.int64)
    rank_then = np.where(before_code >= 0, rank[np.clip(before_code, 0, None)], -1)
    notice, end = now["days_to_notice"], now["days_to_end"]
    open_ = np.isnat(now["terminated_on"]) & ~frame.renewed_mask(now)
    undecided = ~np.isin(now["contract_number"], np.array(list(decided), dtype=object))
    overdue = attention.overdue_for_review(notice, open_, undecided, review) & (notice + gap > review)

    def entered(days: np.ndarray, limit: int) -> np.ndarray:
        return (days >= 0) & (days <= limit) & (days + gap > limit)

    worse = (rank_then >= 0) & (rank[now["status"]] > rank_then)
    positions = np.flatnonzero(worse | entered(notice, window) | overdue | entered(end, review))
    figures = now.figures(positions)
    before = {f.contract_number: metrics.STATUSES[earlier[f.contract_number]]
              for f in figures if f.contract_number in earlier}  # fmt: skip
    return detect(figures, before, decided, stored, then.as_of)
