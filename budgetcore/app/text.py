"""Text is text: every string from a file or a URL passes here before Streamlit or Plotly shows it.

Streamlit reads every title, caption, message and widget label as markdown with
its own additions: links and bare URLs, images, HTML, KaTeX (`$x$`), coloured
text (`:red[...]`), Material icons (`:material/home:`) and emoji shortcodes
(`:smile:`). Backslash escapes stop the markdown and the KaTeX, but not the
icons and the bare URLs, which Streamlit finds in the text after the escapes
are gone; a WORD JOINER (U+2060, invisible and unbreakable) after each `:` and
`@` and inside `www.` breaks those patterns while the text reads the same.
Bidirectional controls (an RTL override makes `gpj.exe` of `exe.jpg`) are
dropped; line breaks become spaces. No streamlit here: the pages call it.
"""

from __future__ import annotations

import html
import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$=^&\"'])")
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BREAK = re.compile(r"[\r\n\t\v\f\u2028\u2029]+")
_WWW = re.compile(r"(?i)(w)(ww)")
JOINER = "\u2060"
LONG = 300  # characters shown of a string that has no business being longer (an error's value)


def clean(text: object, limit: int | None = None) -> str:
    """The string without bidirectional controls and line breaks, cut to limit characters (with '…')."""
    shown = _BREAK.sub(" ", _BIDI.sub("", "" if text is None else str(text)))
    if limit is not None and len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return shown


def markdown(text: object, limit: int | None = None) -> str:
    """text for st.markdown, st.title, st.warning, st.caption and widget labels: shown literally."""
    escaped = _SPECIAL.sub(r"\\\1", clean(text, limit))
    escaped = escaped.replace(":", ":" + JOINER).replace("@", "@" + JOINER)
    return _WWW.sub(r"\1" + JOINER + r"\2", escaped)


def chart(text: object, limit: int | None = LONG) -> str:
    """text for a Plotly label or hover: its pseudo-HTML (<a href>, <b>, <br>) shown as written."""
    return html.escape(clean(text, limit), quote=False)
