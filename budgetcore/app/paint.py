"""What a page draws once the browser has drawn the rest of it: the overview's Plotly charts.

Streamlit's front end draws each kind of element with code it fetches when that kind first
arrives, behind a grey placeholder (`stSkeleton`), and React reveals the loaded ones together,
throttled while new placeholders keep coming. On a browser's first overview the headline figures
and the sidebar's filters (9 and 19 KB of code) therefore stayed grey until plotly's chunk
(4.7 MB) had been fetched and run, 0.7 s to several seconds after the page said it was loaded
(docs/performance.md, issue 22).

after_first_paint(key, draw, language): in a browser's first run of a session, draw's place holds
a fragment with an empty component instead of draw's elements; once the browser has drawn the
page (no placeholder left, at most MAX_WAIT_MS after the component appears), the component asks
for a rerun of that fragment alone, which draws them. The rest of the page stays as the first
run drew it, a message shown once included (a second run of the whole script would have lost
it). Every later run of the session draws them at once, plotly's chunk being loaded by then.
Where no browser draws (no User-Agent: AppTest, an unusual client), draw runs at once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import streamlit as st

from budgetcore.app import navigation, ui

NAME = "budgetcore.after_first_paint"  # the component's name
PAINTED = "page_painted"  # session state: this session's browser has drawn a page once
EVENT = "painted"  # the component's trigger
MAX_WAIT_MS = 3000  # a placeholder that never goes (an element that failed) does not hold the charts back

# Plain JavaScript run by Streamlit's own front end (st.components.v2): poll every 50 ms until no
# element placeholder is left on the page, then say so once. setTimeout, not requestAnimationFrame:
# a page opened in a background tab still gets its charts.
_JS = f"""export default function (component) {{
  const started = performance.now();
  const check = () => {{
    const waiting = document.querySelector("[data-testid^='stSkeleton']") !== null;
    if (waiting && performance.now() - started < {MAX_WAIT_MS}) {{
      setTimeout(check, 50);
      return;
    }}
    component.setTriggerValue("{EVENT}", true);
  }};
  setTimeout(check, 0);
}}"""


@functools.cache
def _component() -> Callable[..., object]:
    return st.components.v2.component(NAME, js=_JS)


def _painted() -> None:
    st.session_state[PAINTED] = True


def after_first_paint(key: str, draw: Callable[[], None], language: str) -> None:
    """draw() now, or in a fragment once this session's browser has drawn the page (above)."""
    if st.session_state.get(PAINTED) or navigation.device() is None:
        draw()
        return
    _deferred(key, draw, language)


@st.fragment
def _deferred(key: str, draw: Callable[[], None], language: str) -> None:
    if st.session_state.get(PAINTED):  # the rerun the component asked for: this fragment alone
        ui.guarded(draw, language)  # the page's guard is not around a fragment's own run
    else:
        _component()(key=key, on_painted_change=_painted, height=0)
