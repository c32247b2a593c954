"""One page load on the wire, as a browser tab opening a URL does it: a light client for
bench/load.py (many sessions against one server) and tests/test_scale_out.py.

It opens ws://HOST/_stcore/stream with the subprotocol "streamlit" (a new session), sends one
BackMsg rerun_script with the URL's query string and page name, and reads ForwardMsgs until a
script_finished that ends the run, noting errors (an exception element, an error alert, a
page-not-found, a run that does not finish successfully), the metrics drawn, each element's type,
where the menu goes and (keep=True) every byte the server sent. A page that asks to be told
once the browser has drawn it (budgetcore/app/paint.py: the overview's charts come in a rerun
of their fragment) is told as Streamlit's front end tells it, and the visit ends with that
fragment's run.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

import websockets
from streamlit.components.v2.bidi_component.constants import EVENT_DELIM
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Navigation_pb2 import Navigation
from streamlit.runtime.state.session_state import STREAMLIT_INTERNAL_KEY_PREFIX

from budgetcore.app import paint

SUCCESS = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")
FRAGMENT_SUCCESS = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_FRAGMENT_RUN_SUCCESSFULLY")
EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
ERROR_ALERT = 1  # Alert.Format.ERROR (streamlit/proto/Alert.proto)
XSRF_COOKIE = "_streamlit_xsrf"  # the cookie Streamlit's front end also sends as a subprotocol


@dataclass
class Visit:
    action: str
    query: str
    connect_s: float = 0.0
    run_s: float = 0.0  # from sending rerun_script to the script_finished that ends the visit
    bytes: int = 0
    messages: int = 0
    error: str | None = None
    ended: float = 0.0  # perf_counter at the end
    metrics: dict[str, str] = field(default_factory=dict)  # each st.metric's label -> value
    charts: int = 0  # st.plotly_chart elements drawn
    runs: int = 0  # script runs the visit took (2 when the charts came after the first paint)
    elements: list[str] = field(default_factory=list)  # each new element's type (button, metric, ...)
    menus: list[str] = field(default_factory=list)  # each navigation's position: SIDEBAR, TOP or HIDDEN
    received: bytearray | None = None  # every message as sent, when visit(keep=True)


def painted(query: str, page: str, component_id: str, fragment_id: str) -> BackMsg:
    """What Streamlit's front end sends when paint.after_first_paint's component says the page is
    drawn: a rerun of its fragment alone with the component's trigger (its id and event, joined
    as Streamlit's components v2 join them) set."""
    back = BackMsg()
    back.rerun_script.query_string = query
    back.rerun_script.page_name = page
    back.rerun_script.fragment_id = fragment_id
    trigger = back.rerun_script.widget_states.widgets.add()
    trigger.id = f"{STREAMLIT_INTERNAL_KEY_PREFIX}_{component_id}{EVENT_DELIM}events"
    trigger.json_trigger_value = json.dumps([{"event": paint.EVENT, "value": True}])
    return back


async def visit(
    ws_url: str,
    origin: str,
    action: str,
    page: str,
    query: str,
    timeout: float,
    *,
    keep: bool = False,
    cookies: dict[str, str] | None = None,
) -> Visit:
    """Open page?query in a new session and read what the server sends until the visit's last run
    ends. cookies (name -> value, a browser's for the server, e.g. a signed-in user's) are sent as
    a tab sends them: in the Cookie header, and the XSRF cookie's value as the second
    subprotocol (Streamlit reads the sign-in cookie only when the two agree)."""
    result = Visit(
        action, f"/{page}?{query}" if query else f"/{page}", received=bytearray() if keep else None
    )
    began = time.perf_counter()
    deadline = began + timeout
    try:
        async with websockets.connect(
            ws_url,
            subprotocols=["streamlit", *([cookies[XSRF_COOKIE]] if XSRF_COOKIE in (cookies or {}) else [])],
            origin=origin,
            max_size=None,
            compression=None,
            open_timeout=timeout,
            ping_interval=None,
            additional_headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
            if cookies
            else None,
        ) as ws:
            result.connect_s = time.perf_counter() - began
            back = BackMsg()
            back.rerun_script.query_string = query
            back.rerun_script.page_name = page
            context = back.rerun_script.context_info
            context.timezone, context.timezone_offset, context.locale = "Europe/Amsterdam", -60, "en-US"
            context.url = f"{origin}{result.query}"
            await ws.send(back.SerializeToString())
            sent = time.perf_counter()
            message = ForwardMsg()
            after_paint: BackMsg | None = None
            while True:
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise TimeoutError
                data = await asyncio.wait_for(ws.recv(), left)
                result.bytes += len(data)
                result.messages += 1
                if result.received is not None:
                    result.received += data
                message.ParseFromString(data)
                kind = message.WhichOneof("type")
                if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                    element = message.delta.new_element
                    which = element.WhichOneof("type")
                    result.elements.append(which)
                    if which == "exception":
                        result.error = result.error or f"exception: {element.exception.message[:120]}"
                    elif which == "metric":
                        result.metrics[element.metric.label] = element.metric.body
                    elif which == "plotly_chart":
                        result.charts += 1
                    elif which == "bidi_component" and element.bidi_component.component_name == paint.NAME:
                        after_paint = painted(
                            query, page, element.bidi_component.id, message.delta.fragment_id
                        )
                    elif which == "alert" and element.alert.format == ERROR_ALERT:
                        result.error = result.error or f"error alert: {element.alert.body[:120]}"
                elif kind == "navigation":
                    result.menus.append(Navigation.Position.Name(message.navigation.position))
                elif kind == "page_not_found":
                    result.error = result.error or "page not found"
                elif kind == "script_finished":
                    if message.script_finished == EARLY_FOR_RERUN:
                        continue  # the script asked for a rerun (st.rerun, st.switch_page): wait for it
                    result.runs += 1
                    if message.script_finished not in (SUCCESS, FRAGMENT_SUCCESS):
                        name = ForwardMsg.ScriptFinishedStatus.Name(message.script_finished)
                        result.error = result.error or f"script_finished {name}"
                    elif after_paint is not None:  # drawn: the front end asks for the rest
                        await ws.send(after_paint.SerializeToString())
                        after_paint = None
                        continue
                    result.run_s = time.perf_counter() - sent
                    break
    except TimeoutError:
        result.error = "timeout"
    except websockets.ConnectionClosed as exc:
        result.error = f"socket closed ({exc.rcvd.code if exc.rcvd else 'no close frame'})"
    except OSError as exc:
        result.error = f"connection: {exc}"
    result.ended = time.perf_counter()
    if not result.run_s:
        result.run_s = result.ended - began
    return result
