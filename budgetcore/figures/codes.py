"""What the export's codes are called in each language: contract types, cost categories, work-order
types and statuses, hour types. One home for the pages and the review packs; a code not listed
here (a company's own status, say) is shown as the export wrote it."""

from __future__ import annotations

from budgetcore.i18n import N_, t

CONTRACT_TYPES = {
    "preventive": N_("preventive"),
    "corrective": N_("corrective"),
    "yearly_orders": N_("yearly orders"),
}
CATEGORIES = {"labour": N_("Labour"), "material": N_("Material"), "other": N_("Other")}
WORK_ORDER_TYPES = {"periodic": N_("periodic"), "corrective": N_("corrective"), "extra": N_("extra")}
# the statuses exports write in English (the demo writes Dutch ones, shown as written)
WORK_ORDER_STATUSES = {
    "done": N_("done"),
    "open": N_("open"),
    "planned": N_("planned"),
    "in progress": N_("in progress"),
    "cancelled": N_("cancelled"),
}
HOUR_TYPES = {"work": N_("work"), "travel": N_("travel"), "overtime": N_("overtime")}


def _named(names: dict[str, str], code: str | None, lang: str) -> str:
    if not code:
        return ""
    return t(names[code], lang) if code in names else code


def contract_type(code: str | None, lang: str) -> str:
    """A contract type as people write it ('yearly orders'), in lang."""
    return _named(CONTRACT_TYPES, code, lang)


def category(code: str, lang: str) -> str:
    """'Labour', 'Material', 'Other' in lang."""
    return _named(CATEGORIES, code, lang)


def work_order_type(code: str | None, lang: str) -> str:
    return _named(WORK_ORDER_TYPES, code, lang)


def work_order_status(code: str | None, lang: str) -> str:
    return _named(WORK_ORDER_STATUSES, code, lang)


def hour_type(code: str | None, lang: str) -> str:
    return _named(HOUR_TYPES, code, lang)
