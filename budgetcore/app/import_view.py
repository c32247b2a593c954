"""What the Import page shows, as plain rows in the reader's language: files recognised, problems, the log.

Also the page's choices (which entity a file holds, which column a header
fills) as session-state keys, applied to freshly read tables. No streamlit here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from budgetcore.exchange.formats import COLUMNS, SourceTable
from budgetcore.exchange.importing import FileReport, Problem
from budgetcore.exchange.workbook import template_headers
from budgetcore.i18n import N_, t
from budgetcore.store.models import ImportLog

ENTITY_LABELS = {
    "contracts": "Contracts",
    "budgets": N_("Budgets"),
    "work_orders": "Work orders",
    "hours": "Hours",
    "materials": N_("Materials"),
}
SEPARATORS = {";": N_("semicolon"), ",": N_("comma"), "\t": N_("tab"), "|": N_("bar")}
PROBLEM_COLUMNS = ("File", N_("Row"), N_("Column"), N_("Value"), N_("Message"))


def entity_label(entity: str | None, lang: str) -> str:
    return t(ENTITY_LABELS[entity], lang) if entity else t("(not recognised)", lang)


def entity_key(file: str, upload: int = 0) -> str:
    """The key of a file's entity choice; upload counts the page's uploads, so each starts afresh."""
    return f"import_entity|{upload}|{file}"


def mapping_key(file: str, entity: str, header: str, upload: int = 0) -> str:
    return f"import_map|{upload}|{file}|{entity}|{header}"


def apply_choices(tables: Sequence[SourceTable], state: Mapping[str, object], upload: int = 0) -> None:
    """Set each table's entity and column mapping to what the user chose on the page."""
    for table in tables:
        entity = state.get(entity_key(table.file, upload), table.entity)
        if entity is None:
            table.remap(None)
            continue
        overrides = {
            h: str(state[mapping_key(table.file, str(entity), h, upload)])
            for h in table.headers
            if mapping_key(table.file, str(entity), h, upload) in state
        }
        table.remap(str(entity), overrides)


def unmapped_headers(table: SourceTable) -> list[str]:
    """Headers that recognition alone does not map (the user may map them)."""
    if table.entity is None:
        return []
    found = SourceTable(table.file, table.entity, table.headers, iter(()))
    found.remap(table.entity)
    return [h for i, h in enumerate(table.headers) if h and i not in found.mapping]


MAPPING_WIDGETS = 40  # unrecognised headers offered a choice each; the others are listed in one table
LISTED = 1000  # headers that table shows at most (limits.COLUMNS keeps a file below it anyway)


def mapping_offer(table: SourceTable) -> tuple[list[str], list[str]]:
    """(headers offered a mapping choice each, headers only listed as ignored): a file with a few dozen
    unrecognised columns gets a choice for each, a wider one a choice for the first MAPPING_WIDGETS,
    so that a page run never draws thousands of widgets."""
    unknown = unmapped_headers(table)
    return unknown[:MAPPING_WIDGETS], unknown[MAPPING_WIDGETS:]


def column_labels(entity: str, lang: str) -> dict[str, str]:
    """Column name -> the header the template uses in lang."""
    names = [c.name for c in COLUMNS[entity]]
    return dict(zip(names, template_headers(entity, lang), strict=True))


def digest(files: Sequence[tuple[str, bytes]], tables: Sequence[SourceTable], version: int) -> str:
    """Identifies an upload with its choices and the data it is checked against."""
    h = hashlib.sha256(
        repr(
            (version, [(x.file, x.entity, sorted((i, c.name) for i, c in x.mapping.items())) for x in tables])
        ).encode()
    )
    for name, content in files:
        h.update(name.encode() + b"\0" + content)
    return h.hexdigest()


def recognition_rows(reports: Sequence[FileReport], lang: str) -> list[dict[str, object]]:
    return [
        {
            t("File", lang): r.file,
            t("Holds", lang): entity_label(r.entity, lang),
            t("Encoding", lang): r.encoding,
            t("Separator", lang): t(SEPARATORS[r.delimiter], lang) if r.delimiter in SEPARATORS else "—",
            t("Decimals", lang): "1.234,56" if r.decimal_comma else "1,234.56",
            t("Rows", lang): r.rows,
        }
        for r in reports
    ]


def recognised_columns(reports: Sequence[FileReport], lang: str) -> list[str]:
    """Per file, a line that names each header and the column it fills (by the names the template
    uses in lang, not the internal field names), then the ignored headers: shown as text under the
    recognition table, where a long list wraps instead of being cut off at a cell's edge."""
    lines, columns, ignored = [], t("Columns", lang), t("Ignored", lang)
    for r in reports:
        filled = ", ".join(
            f"{h} → {column_labels(r.entity, lang).get(c, c) if r.entity else c}"
            for h, c in r.mapping.items()
        )
        line = f"{r.file}: {columns}: {filled or '—'}"
        if r.ignored_columns:
            line += f"; {ignored}: {', '.join(r.ignored_columns)}"
        lines.append(line)
    return lines


def problem_rows(problems: Sequence[Problem], lang: str) -> list[dict[str, object]]:
    """One row per problem; a row, column or value the problem has not (a whole file's) is '—'."""
    headers = [t(h, lang) for h in PROBLEM_COLUMNS]

    def cell(value: object) -> object:
        return "—" if value is None or value == "" else str(value)

    return [
        dict(
            zip(
                headers, (p.file, cell(p.row), cell(p.column), cell(p.value), p.translated(lang)), strict=True
            )
        )
        for p in problems
    ]


def log_rows(entries: Sequence[ImportLog], lang: str) -> list[dict[str, object]]:
    return [
        {
            t("When (UTC)", lang): e.imported_at.strftime("%Y-%m-%d %H:%M"),
            t("Source", lang): e.source,
            t("By", lang): e.user or "—",
            t("Rows", lang): e.rows,
            t("Files", lang): e.files,
        }
        for e in entries
    ]
