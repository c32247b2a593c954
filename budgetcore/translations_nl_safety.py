"""Dutch for issue 23's words (sign-in that fails closed, the write path, limits, time zones)."""

from __future__ import annotations

NL_SAFETY: dict[str, str] = {
    "Time zone of the times shown (decisions)": "Tijdzone van de getoonde tijden (besluiten)",
    "must be a time zone such as Europe/Amsterdam": "moet een tijdzone zijn, zoals Europe/Amsterdam",
}
