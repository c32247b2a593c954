"""A review pack written to a file in the format its name asks for (.xlsx or .html)."""

from __future__ import annotations

from collections.abc import Callable

from budgetcore import i18n
from budgetcore.review import report_html, report_xlsx
from budgetcore.review.reports import ReviewPack


def write(pack: ReviewPack, path: str, lang: str = i18n.DEFAULT_LANGUAGE) -> None:
    """Write the pack to path: .xlsx as a workbook, .html/.htm as the HTML report."""
    builders: dict[str, Callable[[], bytes]] = {
        ".xlsx": lambda: report_xlsx.workbook(pack, lang),
        ".html": lambda: report_html.html(pack, lang).encode("utf-8"),
        ".htm": lambda: report_html.html(pack, lang).encode("utf-8"),
    }
    suffix = path[path.rfind(".") :].lower() if "." in path else ""
    if suffix not in builders:
        raise ValueError(f"unknown report type {suffix or path!r}: use .xlsx or .html")
    with open(path, "wb") as out:
        out.write(builders[suffix]())
