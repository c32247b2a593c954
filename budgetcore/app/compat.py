"""The app's one reach into third-party internals, each optional: the app works without them.

Nothing else in budgetcore touches a private name or an internal module of a library. Each
function here checks what it relies on and, when a library changed under it, does the plain
public thing instead (slower, never wrong); tests/test_compat.py fails naming the library and
its version, so an upgrade says at once which shortcut it took away.

- translated_once: pandas' Styler._compute / _translate, which Streamlit's marshall_styler
  (elements/lib/pandas_styler_utils.py) calls on every drawn Styler. Translating once and
  handing Streamlit the result saves most of what drawing a styled table costs. Fallback: the
  Styler itself, translated by Streamlit at every draw.
- preload_emoji_catalogue: streamlit.emojis, the regex of every emoji st.set_page_config reads
  to check an emoji icon (76 ms at the first visit). Fallback: the first visit imports it.
"""

from __future__ import annotations

import importlib
import logging
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

log = logging.getLogger(__name__)

_CELL_ID = re.compile(r"row(\d+)_col(\d+)")  # a body cell's id in a translated Styler
_TRANSLATION_KEYS = ("body", "table_styles", "cellstyle")  # what marshall_styler reads of a translation


def translated_once(made: Styler) -> Styler:
    """A Styler of made's frame that hands Streamlit made's translation, done now; made itself
    when pandas' Styler no longer translates as this relies on.

    Streamlit calls _compute and then _translate(False, False), and reads the translation's
    table and cell styles and its body cells' ids and display values, written over
    frame.astype(str): a cell whose text is already str(value) is left out."""
    try:
        made._compute()
        done = made._translate(False, False)
        missing = [key for key in _TRANSLATION_KEYS if key not in done]
        if missing:
            raise KeyError(missing)
        plain = made.data.astype(str)
        # each column's texts as a list: indexing the frame cell by cell (iat) took 12 µs a cell
        texts = [plain.iloc[:, j].tolist() for j in range(plain.shape[1])]
        body = []
        for row in done["body"]:
            cells = []
            for cell in row:
                found = _CELL_ID.match(cell.get("id") or "")
                if found and str(cell["display_value"]) != texts[int(found[2])][int(found[1])]:
                    cells.append({"id": cell["id"], "display_value": cell["display_value"]})
            body.append(cells)
    except (AttributeError, KeyError, TypeError, IndexError):
        log.debug("pandas' Styler translates differently: tables are translated at every draw", exc_info=True)
        return made
    kept = {"table_styles": done["table_styles"], "cellstyle": done["cellstyle"], "body": body}
    bare = made.data.style  # without made's format and style per cell, no longer needed
    bare._compute = lambda: bare  # type: ignore[method-assign]
    bare._translate = lambda *args, **kwargs: kept  # type: ignore[method-assign]
    return bare


EMOJI_MODULE = "streamlit.emojis"


def preload_emoji_catalogue() -> bool:
    """Import Streamlit's emoji catalogue ahead of the first st.set_page_config with an emoji
    icon; False (and nothing done) when this Streamlit has no such module."""
    try:
        importlib.import_module(EMOJI_MODULE)
    except ImportError:
        return False
    return True
