"""The backtest as the command line and the forecast accuracy page show it: one row per method, type and checkpoint.

calibration.py replays the methods and picks auto's; this module orders its rows
(checkpoint, then every type together before each type, then auto, the chain and
each method) and writes them as a table, CSV or JSON: fractions to 4 places, half
up (0.1235 = 12.35 %), empty (null) where undefined.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import ROUND_HALF_UP, Decimal

from budgetcore.figures.calibration import ALL_TYPES, CANDIDATES, Accuracy, Calibration
from budgetcore.figures.metrics import AUTO

METHOD_ORDER = (AUTO, *CANDIDATES)
COLUMNS = ("checkpoint", "type", "method", "contracts", "median_ape", "bias", "status_right")
PICK_COLUMNS = ("type", "checkpoint", "method", "completed", "median_ape", "reason")
ALL = "all"  # how a row over every type is named


def _places(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.0001"), ROUND_HALF_UP)


def ordered(calibration: Calibration) -> list[Accuracy]:
    """The rows in the order they are shown."""
    return sorted(
        calibration.rows,
        key=lambda a: (a.quarter, a.type != ALL_TYPES, a.type, METHOD_ORDER.index(a.method)),
    )


def rows(calibration: Calibration) -> list[dict[str, object]]:
    """Every row as a dict of COLUMNS: checkpoint in % of the term, fractions to 4 places."""
    return [
        {
            "checkpoint": a.checkpoint,
            "type": a.type or ALL,
            "method": a.method,
            "contracts": a.count,
            "median_ape": _places(a.median_ape),
            "bias": _places(a.bias),
            "status_right": _places(a.status_right),
        }
        for a in ordered(calibration)
    ]


def picks(calibration: Calibration) -> list[dict[str, object]]:
    """What auto uses per contract type and checkpoint, and why (reason in English)."""
    return [
        {
            "type": p.type or "(no type)",
            "checkpoint": 25 * p.quarter,
            "method": p.method,
            "completed": p.completed,
            "median_ape": _places(p.median_ape),
            "reason": p.reason.format(count=p.completed, minimum=calibration.min_completed),
        }
        for p in sorted(calibration.picks.values(), key=lambda p: (p.type, p.quarter))
    ]


def _text(value: object) -> str:
    return "" if value is None else str(value)


def csv_text(calibration: Calibration) -> str:
    """The rows as CSV with a header."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows(calibration):
        writer.writerow([_text(row[c]) for c in COLUMNS])
    return out.getvalue()


def json_text(calibration: Calibration) -> str:
    """as_of, completed contracts, the minimum, the rows and auto's picks as JSON."""

    def plain(row: dict[str, object]) -> dict[str, object]:
        return {k: str(v) if isinstance(v, Decimal) else v for k, v in row.items()}

    return (
        json.dumps(
            {
                "as_of": calibration.as_of.isoformat(),
                "completed": calibration.completed,
                "min_completed": calibration.min_completed,
                "rows": [plain(r) for r in rows(calibration)],
                "auto": [plain(p) for p in picks(calibration)],
            },
            indent=1,
        )
        + "\n"
    )


def table_text(calibration: Calibration) -> str:
    """A heading, the rows as aligned columns (checkpoint as 25%), and auto's picks."""
    lines = [
        f"backtest at {calibration.as_of.isoformat()}: {calibration.completed} completed contract(s); "
        f"auto needs {calibration.min_completed} of a type",
    ]
    table = [list(COLUMNS)] + [
        [f"{r['checkpoint']}%" if c == "checkpoint" else _text(r[c]) for c in COLUMNS]
        for r in rows(calibration)
    ]
    widths = [max(len(r[i]) for r in table) for i in range(len(COLUMNS))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in table]
    lines.append("auto uses:")
    for p in picks(calibration):
        lines.append(f"  {p['type']} at {p['checkpoint']}%: {p['method']} ({p['reason']})")
    if not calibration.picks:
        lines.append("  the chain for every contract: no completed contracts")
    return "\n".join(lines) + "\n"
