"""Import: upload exchange files, see what was recognised, fix the mapping, validate, import; the import log."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from budgetcore import i18n
from budgetcore.app import caches, grids, import_view, sidebar, text, ui
from budgetcore.exchange import demo, importing
from budgetcore.exchange.formats import ENTITIES, SourceTable, missing_required
from budgetcore.exchange.workbook import template
from budgetcore.i18n import t
from budgetcore.store import database, import_log

view = sidebar.view()
lang = view.lang
ui.offered(view, "import")
actor = view.actor.on("page:import")
st.title(t("Import", lang))
st.caption(
    t(
        "Load the exports of your field-service system: one CSV or Excel file per entity, or one workbook with a sheet per entity. Nothing is written until every row is valid.",
        lang,
    )
)
done = st.session_state.pop("import_done", None)
st.download_button(
    t("Download the template workbook", lang),
    template(lang),
    file_name=t("import-template", lang) + ".xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    key="import_template",
)
nonce = st.session_state.setdefault("import_nonce", 0)  # a new uploader after each import
ui.uploader_in(lang, "import_uploader")
with st.container(key="import_uploader"):
    uploads = st.file_uploader(
        t("Exchange files (CSV or Excel)", lang),
        type=["csv", "txt", "tsv", "xlsx", "xlsm"],
        accept_multiple_files=True,
        key=f"import_files_{nonce}",
    )
files = [(u.name, u.getvalue()) for u in uploads or []]


def read_tables() -> tuple[list[SourceTable], list[importing.Problem]]:
    """The uploads read afresh (rows are read once), with the choices made on this page applied."""
    tables, unreadable = importing.read_uploads(files)
    import_view.apply_choices(tables, st.session_state, nonce)
    return tables, unreadable


def problems_table(problems: list[importing.Problem]) -> None:
    st.dataframe(
        pd.DataFrame(import_view.problem_rows(problems, lang)), hide_index=True, placeholder=grids.MISSING
    )


def choose_mapping(table: SourceTable) -> None:
    """Which entity a file holds, and which column each unrecognised header fills."""
    with st.expander(
        text.markdown(table.file),
        expanded=table.entity is None or bool(missing_required(table.entity, table.mapping)),
    ):
        options = [None, *ENTITIES]
        st.selectbox(
            t("Holds", lang),
            options,
            index=options.index(table.entity),
            format_func=lambda e: import_view.entity_label(e, lang),
            key=import_view.entity_key(table.file, nonce),
        )
        if table.entity is None:
            return
        labels = import_view.column_labels(table.entity, lang)
        offered, listed = import_view.mapping_offer(table)
        for header in offered:
            st.selectbox(
                t("Column “{header}” holds", lang, header=text.markdown(header, limit=text.LONG)),
                ["", *labels],
                format_func=lambda c: labels.get(c) or t("(ignore)", lang),
                key=import_view.mapping_key(table.file, table.entity, header, nonce),
            )
        if listed:  # one table, not a widget each
            st.caption(t("{n} more unrecognised columns are ignored. To import one, give it the template's header in the file.",
                         lang, n=len(listed)))  # fmt: skip
            shown = listed[: import_view.LISTED]
            st.dataframe(pd.DataFrame({t("Ignored column", lang): shown}), hide_index=True, height=200)


if done:  # the import before this rerun: what it wrote and what is worth knowing about it
    rows_done, findings = done
    st.success(t("Imported {rows} rows. Every page now shows the new data.", lang, rows=rows_done))
    if findings:
        with st.expander(t("Notes ({n})", lang, n=len(findings)), expanded=True):
            problems_table(findings)


if view.demo:  # the demo's rows are marked in the database: remove them, or let an import replace them
    st.info(
        t("The database holds the demo portfolio of fictitious contracts.", lang), icon=":material/science:"
    )
    if st.button(t("Remove the demo portfolio", lang), key="demo_remove", icon=":material/delete:"):
        removed = demo.remove(caches.engine(), actor)
        caches.forget_results()
        st.session_state["import_demo_removed"] = removed.get("contracts", 0)
        st.rerun()
if (gone := st.session_state.pop("import_demo_removed", None)) is not None:
    st.success(i18n.plural(gone, "Removed {n} fictitious contract with all its lines.",
                           "Removed {n} fictitious contracts with all their lines.", lang))  # fmt: skip
replace = view.demo and st.radio(
    t("With the demo portfolio", lang),
    [True, False],
    format_func=lambda r: t("Replace the demo with this import", lang) if r else t("Add to the demo", lang),
    key="import_replace_demo",
    horizontal=True,
)


if files:
    for table in read_tables()[0]:
        choose_mapping(table)
    tables, unreadable = read_tables()  # with the choices just made
    key = (import_view.digest(files, tables, view.version), replace)
    if st.session_state.get("import_checked", (None,))[0] != key:  # validate once per change
        checked_now = importing.import_tables(
            caches.engine(), tables, dry_run=True, actor=actor, replace_demo=replace
        )
        st.session_state["import_checked"] = (key, checked_now)
    checked: importing.ImportResult = st.session_state["import_checked"][1]

    st.subheader(t("What was recognised", lang))
    st.dataframe(pd.DataFrame(import_view.recognition_rows(checked.files, lang)), hide_index=True)
    for line in import_view.recognised_columns(checked.files, lang):
        st.caption(text.markdown(line))
    errors = [*unreadable, *checked.errors]
    if checked.fault:  # the database failed, not the files
        ui.server_fault(checked.fault, lang)
    elif errors:
        st.subheader(t("Errors", lang))
        n = checked.error_count + len(unreadable)
        st.error(t("{n} error(s): fix them in the files and upload again. Nothing was imported.", lang, n=n))
        problems_table(errors)
        st.download_button(
            t("Download the errors (CSV)", lang),
            importing.problems_csv(errors, lang),
            file_name=t("import-errors", lang) + ".csv",
            mime="text/csv",
            key="import_errors_csv",
        )
    if checked.findings:
        with st.expander(t("Notes ({n})", lang, n=len(checked.findings) + checked.unlisted_findings)):
            problems_table(checked.findings)
    rows = sum(checked.counts.values())
    label = t("Import {rows} rows", lang, rows=i18n.number(rows, lang, 0))
    if st.button(label, type="primary", disabled=bool(errors) or rows == 0, key="import_run"):
        bar = st.progress(0.0, text=t("Importing…", lang))
        seen: dict[str, int] = {}

        def progress(file: str, count: int) -> None:
            seen[file] = count
            bar.progress(
                min(1.0, sum(seen.values()) / max(rows, 1)),
                text=t("Importing… {file}", lang, file=text.markdown(file)),
            )

        result = importing.import_tables(
            caches.engine(),
            read_tables()[0],
            source="page",
            actor=actor,
            replace_demo=replace,
            progress=progress,
        )
        if result.written:
            caches.forget_results()  # the data version moved on too; this frees the old results at once
            rows_done = i18n.number(sum(result.counts.values()), lang, 0)
            st.session_state["import_done"] = (rows_done, result.findings)
            st.session_state["import_nonce"] = nonce + 1
            st.rerun()
        if result.fault:
            ui.server_fault(result.fault, lang)
        else:
            n = result.error_count
            st.error(
                t("{n} error(s): fix them in the files and upload again. Nothing was imported.", lang, n=n)
            )
            problems_table(result.errors)

st.subheader(t("Import log", lang))
with database.transaction(caches.engine()) as session:
    log = import_view.log_rows(import_log.recent(session), lang)
if log:
    st.dataframe(pd.DataFrame(log), hide_index=True)
else:
    st.info(t("Nothing imported yet.", lang))
