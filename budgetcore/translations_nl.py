"""The Dutch catalog: English text -> Dutch text, for i18n.t()."""

from __future__ import annotations

NL: dict[str, str] = {
    "Overview": "Overzicht",
    "Renewals": "Verlengingen",
    "Contract": "Contract",
}
