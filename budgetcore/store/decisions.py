"""Renewal decisions: what was decided about a contract's renewal, by whom and when; append-only.

Every decision is a new row: nothing is updated or deleted, so a contract's
history is its rows in order and the latest (by decided_at, then id) is the
current one. record_decision() is the one function that writes them, so a
role check ("editor") can be added there once roles exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from budgetcore.i18n import N_
from budgetcore.store import access
from budgetcore.store.access import Actor
from budgetcore.store.models import Base, Contract, Money

ACTIONS = ("renew", "re-price", "re-scope", "terminate")
STATES = ("proposed", "agreed with customer", "sent", "done")
# what a user may type on the command line for a state
STATE_WORDS = {"agreed": "agreed with customer", **{s: s for s in STATES}}
CENT = Decimal("0.01")
MAX_VALUE = Decimal("1e11")  # the exchange format's limit for a contract value (EUR)


class RenewalDecision(Base):
    """One decision about a contract's renewal (docs/metrics.md, "Decisions and alerts"); rows are never changed.

    proposed_value: the proposed contract value for the new term (EUR), or None.
    proposed_start/proposed_end: the proposed new term, both days included, or None.
    decided_at: when it was recorded (naive UTC, to the second).
    """

    __tablename__ = "renewal_decisions"
    __table_args__ = (Index("ix_renewal_decisions_contract", "contract_id", "decided_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    action: Mapped[str] = mapped_column(String(20))
    proposed_value: Mapped[Money | None]
    proposed_start: Mapped[dt.date | None] = mapped_column(Date)
    proposed_end: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(30))
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime)


class DecisionError(ValueError):
    """A decision that cannot be recorded; the message (English, an i18n key with values) says why."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message.format(**values))
        self.key, self.values = message, values


@dataclass(frozen=True)
class Decision:
    """A stored decision as plain data (money Decimal EUR, dates calendar dates)."""

    contract_number: str
    action: str
    proposed_value: Decimal | None
    proposed_start: dt.date | None
    proposed_end: dt.date | None
    note: str
    state: str
    decided_by: str
    decided_at: dt.datetime


def state_of(word: str) -> str:
    """The state a word names ('agreed' is 'agreed with customer'); DecisionError when none."""
    found = STATE_WORDS.get(word.strip().lower())
    if found is None:
        raise DecisionError(N_("unknown state {state!r}: choose one of {choices}"), state=word,
                            choices=", ".join(STATES))  # fmt: skip
    return found


def record_decision(
    session: Session,
    contract_number: str,
    action: str,
    *,
    decided_by: str,
    proposed_value: Decimal | None = None,
    proposed_start: dt.date | None = None,
    proposed_end: dt.date | None = None,
    note: str | None = None,
    state: str = "proposed",
    decided_at: dt.datetime | None = None,
    actor: Actor | None = None,
) -> Decision:
    """Append a decision for a contract (the caller commits); the stored decision.

    The one place decisions are written: the contract page, the renewals page
    and the command line all call it. Raises DecisionError naming the field
    when the contract is unknown or a value is out of range.
    """
    actor = actor or access.operator("cli")
    access.require(session, actor, "decide")  # the one guard every write passes (editor and up)
    contract_id = session.scalar(select(Contract.id).where(Contract.contract_number == contract_number))
    if contract_id is None:
        raise DecisionError(N_("no contract {number!r}"), number=contract_number)
    if action not in ACTIONS:
        raise DecisionError(N_("unknown action {action!r}: choose one of {choices}"), action=action,
                            choices=", ".join(ACTIONS))  # fmt: skip
    state = state_of(state)
    if proposed_value is not None and not Decimal(0) <= proposed_value < MAX_VALUE:
        raise DecisionError(N_("the proposed value must be between 0 and 100,000,000,000"))
    if proposed_start and proposed_end and proposed_end < proposed_start:
        raise DecisionError(N_("the proposed term ends before it starts"))
    if proposed_value is not None:  # a price is agreed in whole cents
        proposed_value = proposed_value.quantize(CENT, rounding=ROUND_HALF_UP)
    who = (decided_by or "").strip()
    if not who:
        raise DecisionError(N_("say who decided"))
    when = (decided_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)).replace(microsecond=0)
    row = RenewalDecision(
        contract_id=contract_id,
        action=action,
        proposed_value=proposed_value,
        proposed_start=proposed_start,
        proposed_end=proposed_end,
        note=(note or "").strip() or None,
        state=state,
        decided_by=who[:100],
        decided_at=when,
    )
    session.add(row)
    session.flush()
    access.record(
        session, actor, "decide", contract_number, decision=action, state=state,
        proposed_value=None if proposed_value is None else str(proposed_value), decided_by=who[:100],
    )  # fmt: skip
    return _decision(contract_number, row)


def _decision(number: str, row: RenewalDecision) -> Decision:
    return Decision(
        contract_number=number,
        action=row.action,
        proposed_value=None if row.proposed_value is None else row.proposed_value.quantize(CENT),
        proposed_start=row.proposed_start,
        proposed_end=row.proposed_end,
        note=row.note or "",
        state=row.state,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
    )


def history(session: Session, contract_number: str) -> list[Decision]:
    """Every decision about one contract, the current (latest) first."""
    return histories(session, [contract_number]).get(contract_number, [])


def histories(session: Session, contract_numbers: Sequence[str]) -> dict[str, list[Decision]]:
    """history() of each of these contracts, read at once, by contract number (a contract
    without decisions left out)."""
    rows = session.execute(
        select(Contract.contract_number, RenewalDecision)
        .join(Contract, RenewalDecision.contract_id == Contract.id)
        .where(Contract.contract_number.in_(list(contract_numbers)))
        .order_by(Contract.contract_number, RenewalDecision.decided_at.desc(), RenewalDecision.id.desc())
    )
    found: dict[str, list[Decision]] = {}
    for number, row in rows:
        found.setdefault(number, []).append(_decision(number, row))
    return found


def current(session: Session, contract_numbers: Iterable[str] | None = None) -> dict[str, Decision]:
    """Each decided contract's current decision, by contract number (all contracts, or those given).

    The latest per contract is picked in SQL (row_number over decided_at, id),
    so this reads one row per decided contract.
    """
    rank = (
        func.row_number()
        .over(
            partition_by=RenewalDecision.contract_id,
            order_by=(RenewalDecision.decided_at.desc(), RenewalDecision.id.desc()),
        )
        .label("rank")
    )
    ranked = select(RenewalDecision.id.label("id"), rank)
    if contract_numbers is not None:
        numbers = list(contract_numbers)
        ranked = ranked.join(Contract, RenewalDecision.contract_id == Contract.id).where(
            Contract.contract_number.in_(numbers)
        )
    latest = ranked.subquery()
    rows = session.execute(
        select(Contract.contract_number, RenewalDecision)
        .join(latest, latest.c.id == RenewalDecision.id)
        .join(Contract, RenewalDecision.contract_id == Contract.id)
        .where(latest.c.rank == 1)
    )
    return {number: _decision(number, row) for number, row in rows}


def listing(session: Session, state: str | None = None) -> list[Decision]:
    """The current decision of every decided contract (only those in state, when given), by contract."""
    found = current(session)
    chosen = state_of(state) if state else None
    return [d for n, d in sorted(found.items()) if chosen is None or d.state == chosen]
