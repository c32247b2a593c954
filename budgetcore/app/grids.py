"""The tables as drawn: st.dataframe with the columns' labels and formats in the view's language
and currency (a Styler for the cells' text), a row that opens its contract, and long tables
sorted and paged on the server.
"""

from __future__ import annotations

import math
import weakref
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import streamlit as st

from budgetcore import i18n
from budgetcore.app import compat, tables
from budgetcore.app.caches import digest
from budgetcore.app.navigation import open_contract
from budgetcore.app.reads import displayed, table_order
from budgetcore.app.sidebar import View
from budgetcore.app.tables import Columns, status_colours
from budgetcore.figures.frame import PortfolioFrame
from budgetcore.i18n import t

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler


def column_config(columns: Columns, lang: str, currency: str, styled: bool = False) -> dict[str, object]:
    """Streamlit column formats for tables.py's column kinds; money headers name the currency's symbol.

    styled: a Styler supplies the money and number cells' text in lang (tables.display_formats);
    without one they follow the browser's locale, which may not be lang.
    """
    cc = st.column_config
    symbol = i18n.currency_symbol(currency, lang)
    date_format = "DD-MM-YYYY" if lang == "nl" else "D MMM YYYY"
    config: dict[str, object] = {}
    for name, col in columns.items():
        label, help_text = t(col.label, lang), (t(col.help, lang) if col.help else None)
        width = col.width
        number_format = None if styled else "localized"  # a format here would override the Styler's text
        if col.kind == "money":  # whole units; the symbol sits in the header
            config[name] = cc.NumberColumn(
                f"{label} ({symbol})", help=help_text, format=number_format, width=width
            )
        elif col.kind == "progress":  # whole percentages; table() scales the fractions by 100
            config[name] = cc.ProgressColumn(
                label, help=help_text, format="%.0f%%", min_value=0, max_value=100, width=110
            )
        elif col.kind == "number":
            config[name] = cc.NumberColumn(label, help=help_text, format=number_format, width=width)
        elif col.kind == "change":  # a fraction: +11 %
            config[name] = cc.NumberColumn(
                label, help=help_text, format=None if styled else "percent", width=width
            )
        elif col.kind == "date":
            config[name] = cc.DateColumn(label, help=help_text, format=date_format, width=width)
        elif col.kind == "check":
            config[name] = cc.CheckboxColumn(label, help=help_text, width=width)
        else:
            config[name] = cc.TextColumn(
                label, help=help_text, width=width, pinned=True if name == "contract" else None
            )
    return config


def table(frame: pd.DataFrame, columns: Columns, v: View, *, colour_status: bool = False, **kwargs: object):
    """st.dataframe with the columns' labels and formats in the view's language and currency,
    index hidden, status coloured; without rows, a line that says so in lang.

    Streamlit writes numbers in the browser's locale, not the chosen language, so a Styler
    gives the money and number cells their text in lang; the cells keep their numbers, and
    sorting by a column sorts by them."""
    lang = v.lang
    if frame.empty:  # Streamlit draws an empty grid with the English word "empty" in it
        st.caption(t("Nothing to show here.", lang))
        return None
    # a Styler renders every cell to HTML and refuses more than styler.render.max_elements
    # (262,144) of them: large portfolios get the plain, still sortable table
    styled = frame.size <= pd.get_option("styler.render.max_elements")
    return st.dataframe(
        styler(frame, columns, lang, colour_status) if styled else _in_percent(frame, columns),
        column_config=column_config(columns, lang, v.currency, styled),
        hide_index=True,
        width="stretch",
        placeholder=MISSING,  # a missing figure, which Streamlit would write as "None"
        **kwargs,
    )


def _in_percent(frame: pd.DataFrame, columns: Columns) -> pd.DataFrame:
    """A copy of frame with its progress columns in whole percentages, as column_config draws them."""
    shown = frame.copy()
    for name, col in columns.items():
        if col.kind == "progress":
            shown[name] = shown[name] * 100
    return shown


# Streamlit marshals a Styler on every run by having pandas translate every cell to its text:
# most of what drawing a table costs. A display frame (displayed()) is drawn again on every run
# and by every session: its Styler is made once, translated once where pandas allows
# (compat.translated_once), and kept as long as the frame lives.
_stylers: dict[tuple[int, str, bool], tuple[weakref.ref[pd.DataFrame], Columns, Styler]] = {}


def styler(frame: pd.DataFrame, columns: Columns, lang: str, colour_status: bool = False) -> Styler:
    """The Styler table() draws frame with: the money and number cells' text in lang
    (tables.display_formats; MISSING for a missing one), progress in whole percentages, and
    with colour_status the status in its colour; made once per frame, lang and colouring.
    Callers must not change frame or the Styler."""
    key = (id(frame), lang, colour_status)
    found = _stylers.get(key)
    if found is not None and found[0]() is frame and found[1] is columns:
        return found[2]
    shown = _in_percent(frame, columns)
    made = shown.style.format(tables.display_formats(columns, lang), na_rep=MISSING)
    if colour_status:
        colours = status_colours(lang)
        made = made.map(lambda s: f"color: {colours.get(s, 'inherit')}", subset=["status"])
    made = compat.translated_once(made)
    _stylers[key] = (weakref.ref(frame), columns, made)
    weakref.finalize(frame, _stylers.pop, key, None)  # a frame's id may be another's once it is gone
    return made


MISSING = "—"
ROW_PX, HEADER_PX = 35, 38  # st.dataframe's row and header heights
WRAPPING_ROW_PX = 66  # st.dataframe wraps text only in rows taller than 4rem (64 px): two lines


def selectable_table(
    frame: pd.DataFrame,
    columns: Columns,
    v: View,
    key: str,
    max_height: int = 420,
    wrap: bool = False,
    origin: str = "overview",
) -> None:
    """A table whose selected row opens that contract (the frame needs a 'contract' column);
    as tall as its rows up to max_height pixels, so a short list leaves no empty grid.
    wrap: rows two lines tall whose text wraps, so long texts fit a narrow column.
    origin: the page the contract's back link returns to (ORIGINS)."""
    row_px = WRAPPING_ROW_PX if wrap else ROW_PX
    nonce = st.session_state.setdefault(f"{key}_nonce", 0)
    event = table(
        frame,
        columns,
        v,
        colour_status=True,
        key=f"{key}_{nonce}",
        on_select="rerun",
        selection_mode="single-row",
        height=min(max_height, HEADER_PX + row_px * len(frame)),
        row_height=row_px,
    )
    rows = event.selection.rows if event is not None else []
    if rows:
        st.session_state[f"{key}_nonce"] = nonce + 1  # come back to a table without a selection
        open_contract(str(frame.iloc[rows[0]]["contract"]), origin)


PAGE_ROWS = 500  # a table longer than this is sorted and paged on the server, with
PAGE_SIZE = 100  # this many rows a page: each row sent is formatted and styled on every run


def _page_size() -> int:
    return min(PAGE_ROWS, PAGE_SIZE)  # never more than a table shown whole


def page_of(
    chosen: PortfolioFrame, v: View, key: str, sorts: dict[str, str] = tables.OVERVIEW_SORTS
) -> np.ndarray:
    """Positions of the rows a table shows: all of them in the table's own order (the first
    of sorts: a frame.order name -> its English label) when they fit one page; else the
    controls to sort every row on the server by any of sorts and to page through them, PAGE_SIZE
    rows a page."""
    if len(chosen) <= PAGE_ROWS:
        return first_rows(chosen, v, key, sorts)
    lang = v.lang
    labels = {name: t(label, lang) for name, label in sorts.items()}
    sort_col, order_col, page_col, info_col = st.columns([2, 1, 1, 2], vertical_alignment="bottom")
    by = sort_col.selectbox(t("Sort by", lang), list(labels), format_func=labels.get, key=f"{key}_sort")
    descending = order_col.toggle(t("Descending", lang), key=f"{key}_desc")
    size = _page_size()
    pages = math.ceil(len(chosen) / size)
    seen = (v.key, v.as_of, v.version, by, descending)
    if st.session_state.get(f"{key}_seen") != seen:  # another selection or order starts on page 1
        st.session_state[f"{key}_seen"] = seen
        st.session_state[f"{key}_page"] = 1
    st.session_state[f"{key}_page"] = min(st.session_state.get(f"{key}_page", 1), pages)
    page = page_col.number_input(t("Page", lang), min_value=1, max_value=pages, step=1, key=f"{key}_page")
    first = (page - 1) * size
    last = min(first + size, len(chosen))
    info_col.caption(
        t(
            "Rows {first}–{last} of {rows}",
            lang,
            first=i18n.number(first + 1, lang, 0),
            last=i18n.number(last, lang, 0),
            rows=i18n.number(len(chosen), lang, 0),
        )
    )
    st.caption(
        t("Sorted over all rows by the choice above; a column header sorts this page only. "
          "Select a row to open the contract.", lang)
    )  # fmt: skip
    return table_order(chosen, v, key, by, descending)[first:last]


def first_rows(
    chosen: PortfolioFrame, v: View, key: str, sorts: dict[str, str] = tables.OVERVIEW_SORTS
) -> np.ndarray:
    """The rows page_of(chosen, v, key, sorts) shows before any choice: all, or page 1, in the
    table's own order (page_of's for a short table; the warm-up's, which has no session)."""
    order = table_order(chosen, v, key, next(iter(sorts)))
    return order if len(order) <= PAGE_ROWS else order[: _page_size()]


def overview_table(v: View, chosen: PortfolioFrame, shown: np.ndarray) -> tuple[pd.DataFrame, Columns]:
    """The overview's table of chosen's rows at these positions (tables.overview), shared."""
    return displayed(
        v,
        f"overview {v.shown_key} {digest(shown)}",
        lambda: tables.overview(chosen.figures(shown), v.lang, v.currency),
    )
