"""A browserless Streamlit client: Streamlit's own WebSocket protocol, as the frontend speaks it.

The frontend opens ``/_stcore/stream`` (subprotocol ``streamlit``), then asks for each run
with a ``BackMsg.rerun_script`` carrying a ``ClientState``: the page (``page_script_hash`` or the
URL path in ``page_name``), the query string and the ``WidgetStates`` of the widgets on screen
(a button click is a ``trigger_value`` sent once). The server answers with ``ForwardMsg``s:
``new_session`` at the start of each run, ``delta``s (each element or block, with its widget id),
``navigation`` (the pages and the current one) and ``script_finished``. A run ended by
``st.rerun()`` finishes with ``FINISHED_EARLY_FOR_RERUN`` and the server starts the next one by
itself, so "the page finished" is the first ``script_finished`` of another status.

This module uses only ``websocket-client`` and ``streamlit.proto``; it does not import Locust
(gevent's monkey-patching must stay out of the test process). ``loadtest/locustfile.py`` wraps it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED_EARLY_FOR_RERUN = ForwardMsg.FINISHED_EARLY_FOR_RERUN
GENERIC_ERROR = "Une erreur inattendue est survenue"


class ProtocolError(Exception):
    """The server did not answer as a page should (timeout, closed socket, exception, error page)."""


@dataclass
class Node:
    """One element or block of the last run: its kind (``button``, ``tab_container``...), its proto,
    and for blocks the label of the tab or expander it is, for finding widgets by place."""

    path: tuple[int, ...]
    kind: str
    proto: object
    is_block: bool = False
    fragment_id: str = ""  # the st.fragment it was drawn by ("" outside any)


@dataclass
class Page:
    """What the last complete run drew, flattened in delta order."""

    nodes: list[Node] = field(default_factory=list)
    status: int | None = None

    def elements(self, kind: str) -> list[Node]:
        return [n for n in self.nodes if n.kind == kind and not n.is_block]

    def texts(self) -> list[str]:
        """Every visible text of the page (headings, markdown, text, alerts, captions)."""
        out = []
        for n in self.nodes:
            if n.kind in ("markdown", "text", "heading"):
                out.append(n.proto.body)
            elif n.kind == "alert":
                out.append(n.proto.body)
        return out

    def contains(self, fragment: str) -> bool:
        return any(fragment in t for t in self.texts())

    def widget(self, kind: str, label: str, *, startswith: bool = False):
        """The proto of the first widget of that kind whose label is (or starts with) ``label``."""
        for n in self.elements(kind):
            text = n.proto.label
            if text == label or (startswith and text.startswith(label)):
                return n.proto
        raise ProtocolError(f"pas de widget {kind} « {label} » sur la page "
                            f"({', '.join(repr(n.proto.label) for n in self.elements(kind))})")

    def buttons(self, label: str) -> list:
        return [n.proto for n in self.elements("button") if n.proto.label == label and not n.proto.disabled]

    def blocks(self, kind: str) -> list[Node]:
        return [n for n in self.nodes if n.is_block and n.kind == kind]

    def errors(self) -> list[str]:
        """Exceptions and the app's generic error message (a bug): never expected in a journey."""
        out = [f"exception : {n.proto.message}" for n in self.elements("exception")]
        out += [n.proto.body for n in self.elements("alert") if GENERIC_ERROR in n.proto.body]
        return out


class StreamlitClient:
    """One browser tab: one WebSocket, one Streamlit session, the widget states the page holds."""

    def __init__(self, base_url: str, timeout: float = 60.0):
        parts = urlsplit(base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        self.ws_url = f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"
        self.timeout = timeout
        self.ws: websocket.WebSocket | None = None
        self.page = Page()
        self.pages: dict[str, str] = {}  # url path -> page_script_hash
        self.page_hash = ""
        self.states: dict[str, WidgetState] = {}
        self.session_id = ""
        self.bytes_received = 0

    # ------------------------------------------------------------------ connection
    def connect(self) -> None:
        self.ws = websocket.create_connection(self.ws_url, subprotocols=["streamlit"], timeout=self.timeout,
                                              enable_multithread=False)

    def close(self) -> None:
        if self.ws is not None:
            try:
                self.ws.close(timeout=1)  # the close handshake, without waiting long for a busy server
            except (websocket.WebSocketException, OSError):
                pass
            finally:
                self.ws = None

    # ------------------------------------------------------------------ runs
    def open(self, path: str = "", query: str = "") -> Page:
        """Like typing the URL: a run of the page at ``path`` (``""`` = the default page)."""
        self.states.clear()
        return self._run(page_name=path.strip("/"), page_hash="", query=query)

    def navigate(self, path: str) -> Page:
        """Like a click in the sidebar: the page registered at that URL path."""
        page_hash = self.pages.get(path.strip("/"))
        if page_hash is None:
            raise ProtocolError(f"pas de page « {path} » dans la navigation ({', '.join(self.pages)})")
        self.states.clear()
        return self._run(page_name="", page_hash=page_hash, query="")

    def rerun(self, fragment_id: str = "") -> Page:
        """A run of the current page; of one fragment only when a widget of that fragment changed (as the
        frontend asks it: ``ClientState.fragment_id``)."""
        return self._run(page_name="", page_hash=self.page_hash, query="", fragment_id=fragment_id)

    def _fragment_of(self, widget_id: str) -> str:
        return next((n.fragment_id for n in self.page.nodes
                     if not n.is_block and getattr(n.proto, "id", None) == widget_id), "")

    def _run(self, page_name: str, page_hash: str, query: str, fragment_id: str = "") -> Page:
        if self.ws is None:
            self.connect()
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = query
        state.page_name = page_name
        state.page_script_hash = page_hash
        state.context_info.timezone = "Europe/Paris"
        state.context_info.timezone_offset = -60
        state.context_info.locale = "fr-FR"
        state.context_info.url = self.ws_url.replace("/_stcore/stream", "/" + page_name)
        state.context_info.is_embedded = False
        state.fragment_id = fragment_id
        for widget in self.states.values():
            state.widget_states.widgets.append(widget)
        self.ws.send_binary(msg.SerializeToString())
        # A trigger (button click) is sent once, as the frontend does.
        for key in [k for k, w in self.states.items() if w.WhichOneof("value") == "trigger_value"]:
            del self.states[key]
        return self._receive()

    def _receive(self) -> Page:
        page = Page()
        deadline = time.monotonic() + self.timeout
        while True:
            if time.monotonic() > deadline:
                raise ProtocolError(f"pas de fin de page en {self.timeout:.0f} s")
            try:
                data = self.ws.recv()
            except (websocket.WebSocketException, OSError) as exc:
                self.close()
                raise ProtocolError(f"connexion perdue : {type(exc).__name__} {exc}") from exc
            if not isinstance(data, bytes | bytearray):
                continue
            self.bytes_received += len(data)
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                # Each run (also one that follows st.rerun) starts over; a fragment's run redraws that
                # fragment only, and the rest of the page stays as the last run drew it.
                fragments = set(fwd.metadata.run.fragment_ids)
                page = Page(nodes=[n for n in self.page.nodes if fragments and n.fragment_id not in fragments])
                self.session_id = fwd.new_session.initialize.session_id or self.session_id
                if fwd.new_session.page_script_hash:
                    self.page_hash = fwd.new_session.page_script_hash
            elif kind == "delta":
                self._add_delta(page, fwd)
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages}
                if fwd.navigation.page_script_hash:
                    self.page_hash = fwd.navigation.page_script_hash
            elif kind == "page_not_found":
                raise ProtocolError("page introuvable")
            elif kind == "script_finished":
                if fwd.script_finished == FINISHED_EARLY_FOR_RERUN:
                    continue
                page.status = fwd.script_finished
                if fwd.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
                    page.nodes.sort(key=lambda n: n.path)  # the fragment's elements back in their place
                self.page = page
                if fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise ProtocolError("erreur de compilation du script")
                errors = page.errors()
                if errors:
                    raise ProtocolError(errors[0][:200])
                return page

    @staticmethod
    def _add_delta(page: Page, fwd: ForwardMsg) -> None:
        delta = fwd.delta
        path = tuple(fwd.metadata.delta_path)
        which = delta.WhichOneof("type")
        if which == "new_element":
            element = delta.new_element
            kind = element.WhichOneof("type")
            page.nodes.append(Node(path, kind, getattr(element, kind), fragment_id=delta.fragment_id))
        elif which == "add_block":
            block = delta.add_block
            kind = block.WhichOneof("type")
            page.nodes.append(Node(path, kind or "", getattr(block, kind) if kind else block, is_block=True,
                                   fragment_id=delta.fragment_id))

    # ------------------------------------------------------------------ what a person does
    def set_value(self, widget_id: str, field_name: str, value) -> None:
        state = WidgetState(id=widget_id)
        target = getattr(state, field_name)
        if field_name.endswith("_array_value"):
            target.data.extend(value)
        else:
            setattr(state, field_name, value)
        self.states[widget_id] = state

    def type_text(self, label: str, value: str, kind: str = "text_input") -> None:
        """Fill a text field (sent with the next run, like the frontend on blur or submit)."""
        self.set_value(self.page.widget(kind, label).id, "string_value", value)

    def click(self, label: str, index: int = 0) -> Page:
        """Click the ``index``-th enabled button with that label and wait for the page to finish."""
        buttons = self.page.buttons(label)
        if len(buttons) <= index:
            raise ProtocolError(f"pas de bouton « {label} » actif sur la page")
        self.states[buttons[index].id] = WidgetState(id=buttons[index].id, trigger_value=True)
        return self.rerun(self._fragment_of(buttons[index].id))

    def click_id(self, widget_id: str) -> Page:
        self.states[widget_id] = WidgetState(id=widget_id, trigger_value=True)
        return self.rerun(self._fragment_of(widget_id))

    def choose_tab(self, label: str) -> Page:
        """Open the tab of a stateful ``st.tabs(key=..., on_change="rerun")`` by its label."""
        for i, node in enumerate(self.page.nodes):
            if node.is_block and node.kind == "tab_container" and node.proto.id:
                labels = [n.proto.label for n in self.page.nodes[i + 1:]
                          if n.is_block and n.kind == "tab" and n.path[:-1] == node.path]
                if label in labels:
                    self.set_value(node.proto.id, "string_value", label)
                    return self.rerun(node.fragment_id)
        raise ProtocolError(f"pas d'onglet « {label} » sur la page")

    def select(self, kind: str, label: str, options: list[str]) -> Page:
        """Choose options of a multiselect or segmented control (their labels as shown)."""
        widget = self.page.widget(kind, label)
        self.set_value(widget.id, "string_array_value", options)
        return self.rerun(self._fragment_of(widget.id))

    def set_number(self, label: str, value: float, *, startswith: bool = False) -> Page:
        widget = self.page.widget("number_input", label, startswith=startswith)
        self.set_value(widget.id, "double_value", float(value))
        return self.rerun(self._fragment_of(widget.id))

    def login(self, email: str, password: str) -> Page:
        """The login form of /connexion; returns the page the account lands on."""
        self.open("connexion")
        self.type_text("Adresse électronique", email)
        self.type_text("Mot de passe", password)
        page = self.click("Se connecter")
        if page.elements("text_input") and any(n.proto.label == "Mot de passe" for n in page.elements("text_input")):
            refused = [n.proto.body for n in page.elements("alert")]
            raise ProtocolError(f"connexion refusée pour {email} : {refused[:1]}")
        return page
