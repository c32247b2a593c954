"""Import: upload exchange files, see what was recognised, fix the mapping, validate, import; the import log."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from budgetcore import i18n, importing, storage, ui
from budgetcore.exchange import COLUMNS, ENTITIES, SourceTable, missing_required
from budgetcore.i18n import t
from budgetcore.workbook import template, template_headers

ENTITY_LABELS = {
    "contracts": "Contracts",
    "budgets": "Budgets",
    "work_orders": "Work orders",
    "hours": "Hours",
    "materials": "Materials",
}
SEPARATORS = {";": "semicolon", ",": "comma", "\t": "tab", "|": "bar", "": "—"}

view = ui.view()
lang = view.lang
st.title(t("Import", lang))
st.caption(
    t(
        "Load the exports of your field-service system: one CSV or Excel file per entity, or one workbook with a sheet per entity. Nothing is written until every row is valid.",
        lang,
    )
)
if done := st.session_state.pop("import_done", None):
    st.success(t("Imported {rows} rows. Every page now shows the new data.", lang, rows=done))
st.download_button(
    t("Download the template workbook", lang),
    template(lang),
    file_name=t("import-template", lang) + ".xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    key="import_template",
)

nonce = st.session_state.setdefault("import_nonce", 0)
uploads = st.file_uploader(
    t("Exchange files (CSV or Excel)", lang),
    type=["csv", "txt", "tsv", "xlsx", "xlsm"],
    accept_multiple_files=True,
    key=f"import_files_{nonce}",
)
files = [(u.name, u.getvalue()) for u in uploads or []]


def read_tables() -> tuple[list[SourceTable], list[importing.Problem]]:
    """The uploaded files' tables, with the entity and column choices made on this page applied."""
    tables, unreadable = importing.read_uploads(files)
    for table in tables:
        entity = st.session_state.get(f"import_entity|{table.file}", table.entity)
        overrides = {
            h: st.session_state[f"import_map|{table.file}|{entity}|{h}"]
            for h in table.headers
            if f"import_map|{table.file}|{entity}|{h}" in st.session_state
        }
        table.remap(entity, overrides)
    return tables, unreadable


def who() -> str | None:
    """The signed-in user, or the one a reverse proxy names; None when unknown."""
    try:
        if st.user.is_logged_in:
            return str(st.user.get("email") or st.user.get("name") or "") or None
    except Exception:  # authentication not configured
        pass
    headers = st.context.headers or {}
    return headers.get("X-Forwarded-User") or headers.get("X-Remote-User")


def problem_frame(problems: list[importing.Problem]) -> pd.DataFrame:
    return pd.DataFrame(
        [(p.file, p.row, p.column, p.value, p.translated(lang)) for p in problems],
        columns=[t(h, lang) for h in ("File", "Row", "Column", "Value", "Message")],
    )


def choose_mapping(table: SourceTable) -> None:
    """Entity and column selectboxes for one file: the recognised choice preset, the user's kept."""
    with st.expander(
        table.file, expanded=table.entity is None or bool(missing_required(table.entity, table.mapping))
    ):
        options = [None, *ENTITIES]
        st.selectbox(
            t("Holds", lang),
            options,
            index=options.index(table.entity),
            format_func=lambda e: t(ENTITY_LABELS[e], lang) if e else t("(not recognised)", lang),
            key=f"import_entity|{table.file}",
        )
        if table.entity is None:
            return
        labels = dict(
            zip((c.name for c in COLUMNS[table.entity]), template_headers(table.entity, lang), strict=True)
        )
        recognised = SourceTable(table.file, table.entity, table.headers, iter(()))
        recognised.remap(table.entity)  # what was found without the user's help
        for index, header in enumerate(table.headers):
            if header and index not in recognised.mapping:
                st.selectbox(
                    t("Column “{header}” holds", lang, header=header),
                    ["", *labels],
                    format_func=lambda c: labels.get(c) or t("(ignore)", lang),
                    key=f"import_map|{table.file}|{table.entity}|{header}",
                )


if files:
    tables, unreadable = read_tables()
    for table in tables:
        choose_mapping(table)
    tables, unreadable = read_tables()  # the choices just made
    digest = hashlib.sha256(
        repr((view.version, [(x.file, x.entity, sorted((i, c.name) for i, c in x.mapping.items())) for x in tables])).encode()
    )
    for name, content in files:
        digest.update(name.encode() + content)
    if st.session_state.get("import_checked", (None,))[0] != digest.hexdigest():  # validate once per change
        checked = importing.import_tables(ui.engine(), tables, dry_run=True, source="page")
        st.session_state["import_checked"] = (digest.hexdigest(), checked)
    checked: importing.ImportResult = st.session_state["import_checked"][1]

    st.subheader(t("What was recognised", lang))
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("File", lang): r.file,
                    t("Holds", lang): t(ENTITY_LABELS[r.entity], lang) if r.entity else "",
                    t("Encoding", lang): r.encoding,
                    t("Separator", lang): t(SEPARATORS.get(r.delimiter, r.delimiter), lang),
                    t("Decimals", lang): "1.234,56" if r.decimal_comma else "1,234.56",
                    t("Rows", lang): r.rows,
                    t("Columns", lang): ", ".join(f"{h} → {c}" for h, c in r.mapping.items()),
                    t("Ignored", lang): ", ".join(r.ignored_columns),
                }
                for r in checked.files
            ]
        ),
        hide_index=True,
        key="import_recognised",
    )
    errors = [*unreadable, *checked.errors]
    if errors:
        st.subheader(t("Errors", lang))
        st.error(
            t(
                "{n} error(s): fix them in the files and upload again. Nothing was imported.",
                lang,
                n=checked.error_count + len(unreadable),
            )
        )
        st.dataframe(problem_frame(errors), hide_index=True, key="import_errors")
        st.download_button(
            t("Download the errors (CSV)", lang),
            importing.problems_csv(errors, lang),
            file_name=t("import-errors", lang) + ".csv",
            mime="text/csv",
            key="import_errors_csv",
        )
    if checked.findings:
        with st.expander(t("Notes ({n})", lang, n=len(checked.findings) + checked.unlisted_findings)):
            st.dataframe(problem_frame(checked.findings), hide_index=True, key="import_findings")
    rows = sum(checked.counts.values())
    if st.button(
        t("Import {rows} rows", lang, rows=i18n.number(rows, lang, 0)),
        type="primary",
        disabled=bool(errors) or rows == 0,
        key="import_run",
    ):
        bar = st.progress(0.0, text=t("Importing…", lang))
        seen: dict[str, int] = {}

        def progress(file: str, count: int) -> None:
            seen[file] = count
            bar.progress(
                min(1.0, sum(seen.values()) / max(rows, 1)), text=t("Importing… {file}", lang, file=file)
            )

        tables, _ = read_tables()
        result = importing.import_tables(ui.engine(), tables, source="page", user=who(), progress=progress)
        if result.written:
            st.cache_data.clear()
            st.session_state["import_done"] = i18n.number(sum(result.counts.values()), lang, 0)
            st.session_state["import_nonce"] = nonce + 1
            st.rerun()
        st.error(
            t(
                "{n} error(s): fix them in the files and upload again. Nothing was imported.",
                lang,
                n=result.error_count,
            )
        )
        st.dataframe(problem_frame(result.errors), hide_index=True, key="import_failed")

st.subheader(t("Import log", lang))
with storage.transaction(ui.engine()) as session:
    log = importing.recent_imports(session)
if log:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("When (UTC)", lang): e.imported_at.strftime("%Y-%m-%d %H:%M"),
                    t("Source", lang): e.source,
                    t("By", lang): e.user or "—",
                    t("Rows", lang): e.rows,
                    t("Files", lang): e.files,
                }
                for e in log
            ]
        ),
        hide_index=True,
        key="import_log",
    )
else:
    st.info(t("Nothing imported yet.", lang))
