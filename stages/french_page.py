"""The page Streamlit serves, made French for assistive technologies (RGAA 3.1.1 / WCAG 3.1.1).

Streamlit's ``index.html`` says ``<html lang="en">`` and its components carry English accessible
names ("Show password", "Help for …", "Skip to main content", "day, …"). ``FrenchPage`` is an ASGI
middleware (``stages.web.middleware()``, given to ``st.App`` by ``server.py``) that rewrites every HTML document the server
answers: ``lang="fr"``, a French ``<title>`` until the app sets its own, and the small script
``static/french_names.js`` inline, which translates those names as the framework draws them.
Everything else (scripts, websockets, the project's routes) passes through untouched.
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

SCRIPT = Path(__file__).with_name("static") / "french_names.js"
TITLE = "Stages de seconde – DSDEN 71"


@cache
def _script() -> str:
    return SCRIPT.read_text(encoding="utf-8")


def frenchify(html: str) -> str:
    """The served document with lang="fr", a French title and the names script."""
    html = re.sub(r'<html\b[^>]*\blang="[^"]*"', lambda m: re.sub(r'lang="[^"]*"', 'lang="fr"', m.group(0)),
                  html, count=1)
    if "<html" in html and 'lang="fr"' not in html:
        html = html.replace("<html", '<html lang="fr"', 1)
    html = re.sub(r"<title>[^<]*</title>", f"<title>{TITLE}</title>", html, count=1)
    return html.replace("</head>", f"<script>{_script()}</script></head>", 1)


class FrenchPage:
    """ASGI middleware: rewrite the HTML documents (Streamlit's index.html) with ``frenchify``."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") not in {"GET", "HEAD"}:
            await self.app(scope, receive, send)
            return
        start: dict | None = None
        chunks: list[bytes] = []

        async def send_wrapper(message):
            nonlocal start
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                if headers.get(b"content-type", b"").startswith(b"text/html") and message["status"] == 200:
                    start = message  # hold it until the body is rewritten
                    return
                await send(message)
                return
            if message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                await _send_rewritten(send, start, b"".join(chunks), scope["method"] == "HEAD")
                return
            await send(message)

        await self.app(scope, receive, send_wrapper)


async def _send_rewritten(send, start: dict, body: bytes, head: bool) -> None:
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in {b"content-length", b"etag"}]
    encoding = dict((k.lower(), v) for k, v in headers).get(b"content-encoding", b"")
    if head:
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    if encoding == b"gzip":
        body = gzip.decompress(body)
        headers = [(k, v) for k, v in headers if k.lower() != b"content-encoding"]
    elif encoding:  # an encoding we do not read: leave the document as it is
        await send(start)
        await send({"type": "http.response.body", "body": body})
        return
    body = frenchify(body.decode("utf-8")).encode("utf-8")
    headers.append((b"content-length", str(len(body)).encode()))
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": body})
