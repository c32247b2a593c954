"""User settings kept in the database: status thresholds, renewal window, target margin, currency.

One place for them, so the dashboard, the command line and the exports show the
same statuses. They are stored as text (store/settings_store.py: the Meta key/value
table under keys 'setting.<name>'); a key that is missing or unreadable falls back
to its default.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_name
from sqlalchemy.orm import Session

from budgetcore import i18n
from budgetcore.figures.metrics import FORECAST_SETTINGS, Thresholds
from budgetcore.i18n import N_
from budgetcore.store import access, settings_store

_RULES = Thresholds()  # the defaults are the rules' own


@dataclass(frozen=True)
class Settings:
    """What a user may change.

    at_risk_margin: fraction over budget the forecast may reach before `at risk` (0.10 = 10 %).
    watch_level: consumed fraction that means `watch` while elapsed < watch_elapsed.
    watch_elapsed: elapsed fraction below which watch_level applies.
    renewal_window_days: default "approaching renewal" window, days after as_of.
    target_margin: margin as a share of the contract value (price), 0 <= m < 1;
        0.15 means cost is at most 85 % of the price (see pricing.py).
    no_activity_elapsed: the share of the term (0..1) past which a contract with no cost,
        hours or visit registered gets the "no activity" flag.
    currency: ISO 4217 code used to show money.
    review_days: a contract whose notice deadline is this many days away or fewer and that
        has no renewal decision is overdue for review (also the alerts' second mark).
    dashboard_url: the dashboard's address as its users reach it, for links in alert mails.
    alert_sender: the From address of the alert mails.
    forecast_method: `auto` (per contract type, the method with the lowest median error on the
        completed contracts), `chain` (docs/metrics.md's order) or one method (metrics.CHOOSABLE).
    min_completed: completed contracts of a type that auto needs before it picks a method.
    yearly_indexation: the yearly indexation (fraction; 0.03 = 3 %) of a contract without its own
        indexation_pct (docs/metrics.md "Indexation").
    largest_raise: the raise of the renewal price (fraction) beyond which the advice is "terminate?".
    scope_share, scope_minimum: out of scope when more than this share (fraction) of a contract's
        cost is billed on top, and that cost is at least scope_minimum (money, whole units).
    calls_factor, calls_extra: out of scope when a contract's corrective work orders so far are at
        least calls_factor times what its contract type leads one to expect to date, and at least
        calls_extra more (docs/metrics.md, Scope).
    """

    at_risk_margin: Decimal = _RULES.at_risk_margin
    watch_level: Decimal = _RULES.watch_level
    watch_elapsed: Decimal = _RULES.watch_elapsed
    renewal_window_days: int = _RULES.renewal_window_days
    target_margin: Decimal = _RULES.target_margin
    no_activity_elapsed: Decimal = _RULES.no_activity_elapsed
    currency: str = "EUR"
    review_days: int = 14
    dashboard_url: str = "http://localhost:8501"
    alert_sender: str = "budgets@localhost"
    forecast_method: str = _RULES.forecast_method
    min_completed: int = _RULES.min_completed
    time_zone: str = "Europe/Amsterdam"
    yearly_indexation: Decimal = _RULES.yearly_indexation
    largest_raise: Decimal = _RULES.largest_raise
    scope_share: Decimal = _RULES.scope_share
    scope_minimum: Decimal = _RULES.scope_minimum
    calls_factor: Decimal = _RULES.calls_factor
    calls_extra: int = _RULES.calls_extra

    def thresholds(self) -> Thresholds:
        """The part of the settings that the engine's rules use (frame.derive)."""
        return Thresholds(
            at_risk_margin=self.at_risk_margin,
            watch_level=self.watch_level,
            watch_elapsed=self.watch_elapsed,
            renewal_window_days=self.renewal_window_days,
            target_margin=self.target_margin,
            no_activity_elapsed=self.no_activity_elapsed,
            forecast_method=self.forecast_method,
            min_completed=self.min_completed,
            yearly_indexation=self.yearly_indexation,
            largest_raise=self.largest_raise,
            scope_share=self.scope_share,
            scope_minimum=self.scope_minimum,
            calls_factor=self.calls_factor,
            calls_extra=self.calls_extra,
        )

    def problems(self) -> list[tuple[str, str]]:
        """(field, what is wrong) for every value out of range; empty when all are fine.

        Messages are English text keys for i18n.t().
        """
        found: list[tuple[str, str]] = []
        if not Decimal(0) <= self.at_risk_margin <= Decimal(5):
            found.append(("at_risk_margin", N_("must be between 0% and 500%")))
        if not Decimal(0) < self.watch_level <= Decimal(2):
            found.append(("watch_level", N_("must be above 0% and at most 200%")))
        if not Decimal(0) < self.watch_elapsed <= Decimal(1):
            found.append(("watch_elapsed", N_("must be above 0% and at most 100%")))
        if not 0 <= self.renewal_window_days <= 3650:
            found.append(("renewal_window_days", N_("must be between 0 and 3650 days")))
        if not Decimal(0) <= self.target_margin < Decimal(1):
            found.append(("target_margin", N_("must be at least 0% and below 100%")))
        if not Decimal(0) <= self.no_activity_elapsed <= Decimal(1):
            found.append(("no_activity_elapsed", N_("must be between 0% and 100%")))
        if not 0 <= self.review_days <= 365:
            found.append(("review_days", N_("must be between 0 and 365 days")))
        if not self.dashboard_url.startswith(("http://", "https://")) or any(
            c.isspace() for c in self.dashboard_url
        ):
            found.append(("dashboard_url", N_("must be an address starting with http:// or https://")))
        if self.alert_sender.count("@") != 1 or any(c.isspace() for c in self.alert_sender):
            found.append(("alert_sender", N_("must be an email address")))
        if self.forecast_method not in FORECAST_SETTINGS:
            found.append(("forecast_method", N_("must be auto, chain or a forecast method")))
        if not 1 <= self.min_completed <= 100_000:
            found.append(("min_completed", N_("must be between 1 and 100000 contracts")))
        if (
            not Decimal("-0.5") <= self.yearly_indexation <= Decimal(1)
            or self.yearly_indexation.as_tuple().exponent < -6
        ):  # type: ignore[operator]
            found.append(
                ("yearly_indexation", N_("must be between -50% and 100%, to 4 decimals of a percent"))
            )
        if not Decimal(0) <= self.largest_raise <= Decimal(10):
            found.append(("largest_raise", N_("must be between 0% and 1000%")))
        if not Decimal(0) < self.scope_share <= Decimal(1):
            found.append(("scope_share", "must be above 0% and at most 100%"))
        if (
            not Decimal(0) <= self.scope_minimum <= Decimal(10**9)
            or self.scope_minimum != self.scope_minimum.to_integral_value()
        ):
            found.append(("scope_minimum", N_("must be a whole amount between 0 and 1000000000")))
        if not Decimal(1) <= self.calls_factor <= Decimal(100) or self.calls_factor.as_tuple().exponent < -1:  # type: ignore[operator]
            found.append(("calls_factor", N_("must be between 1 and 100, to one decimal")))
        if not 0 <= self.calls_extra <= 1000:
            found.append(("calls_extra", N_("must be between 0 and 1000 work orders")))
        if not _known_currency(self.currency):
            found.append(("currency", N_("must be a three-letter currency code such as EUR")))
        if not i18n.known_zone(self.time_zone):
            found.append(("time_zone", N_("must be a time zone such as Europe/Amsterdam")))
        return found


DEFAULTS = Settings()
_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}


@functools.lru_cache(maxsize=64)  # Babel reads its locale data on the first call
def _known_currency(code: str) -> bool:
    if len(code) != 3 or not code.isalpha() or not code.isupper():
        return False
    return get_currency_name(code, locale="en") != code


def _parse(name: str, text: str) -> object:
    kind = type(getattr(DEFAULTS, name))
    if kind is Decimal:
        value = Decimal(text)
        if not value.is_finite():
            raise ValueError(text)
        return value
    if kind is int:
        return int(text)
    return text


def load(session: Session) -> Settings:
    """The stored settings; defaults for anything not stored or not readable."""
    values: dict[str, object] = {}
    for name, text in settings_store.stored_texts(session).items():
        if name not in _FIELDS:
            continue
        try:
            values[name] = _parse(name, text)
        except (ValueError, InvalidOperation):
            continue  # a hand-edited bad value must not break every page
    loaded = dataclasses.replace(DEFAULTS, **values)
    if loaded.problems():  # out of range after a manual edit: keep only the good fields
        bad = {field for field, _ in loaded.problems()}
        loaded = dataclasses.replace(DEFAULTS, **{k: v for k, v in values.items() if k not in bad})
    return loaded


def save(session: Session, settings: Settings, actor: access.Actor | None = None) -> None:
    """Store every field (the caller commits). Raises ValueError naming the first bad field,
    access.RefusedError unless actor (default: the operator) may change settings.

    The audit trail records every changed field's old and new value. Run it through
    store/writes.write, which bumps the data version (statuses change with the thresholds).
    """
    actor = actor or access.operator()
    access.require(session, actor, "settings")
    problems = settings.problems()
    if problems:
        field, message = problems[0]
        raise ValueError(f"{field} {message}")
    before = load(session)
    changed = {
        name: {"old": str(getattr(before, name)), "new": str(getattr(settings, name))}
        for name in _FIELDS
        if getattr(before, name) != getattr(settings, name)
    }
    access.record(session, actor, "settings", "", **changed)
    settings_store.store_texts(session, {name: str(getattr(settings, name)) for name in _FIELDS})


def thresholds(session: Session) -> Thresholds:
    """Shortcut: the stored settings' thresholds."""
    return load(session).thresholds()
