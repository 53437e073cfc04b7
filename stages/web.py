"""The project's own HTTP routes, served beside Streamlit by ``server.py``.

A Streamlit page cannot set an HttpOnly cookie, so the login cookie goes through here:

- ``POST /app/session`` (form field ``token``): the page that just logged the user in sends a
  one-minute, single-use handoff token (by ``fetch``, header ``X-Stages-Handoff: fetch``: a JSON
  answer; by a plain form: a redirect); the route opens the login (14 days with "Se souvenir de
  moi", else for the browser session) and sets the HttpOnly, SameSite=Lax cookie.
- ``GET /app/health``: JSON, the database and its migrations (no personal data).
- ``POST /app/logout`` (form field ``token``): ends the remembered logins and clears the cookie.

Streamlit's XSRF protection does not cover these routes: each checks that the request comes
from the app itself (Origin, or Referer, and Sec-Fetch-Site) and carries its handoff token,
which is the CSRF token (single-use, 60 seconds, bound to the account).
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from stages.config import get_settings
from stages.domain import security
from stages.services import login_sessions

log = logging.getLogger("stages")
MAX_BODY = 4096


async def _health(request: Request) -> Response:
    from stages.services import health

    report = await run_in_threadpool(health.check, _request_origin(request))
    return JSONResponse(report, status_code=200 if report["status"] == "ok" else 503,
                        headers={"Cache-Control": "no-store"})


def _request_origin(request: Request) -> str:
    """The origin the browser used, as the proxy tells it (X-Forwarded-Proto, Host)."""
    scheme = request.headers.get("x-forwarded-proto", request.url.scheme).split(",")[0].strip()
    host = request.headers.get("x-forwarded-host") or request.headers.get("host") or ""
    return f"{scheme}://{host.split(',')[0].strip()}".lower()


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(request: Request) -> bool:
    """True when the request was sent by a page of this app (not by another site)."""
    if request.headers.get("sec-fetch-site", "same-origin") not in {"same-origin", "none"}:
        return False
    allowed = {_origin_of(get_settings().app_base_url)}
    host = request.headers.get("host")
    if host:
        allowed.add(f"{request.url.scheme}://{host}".lower())
    origin = request.headers.get("origin")
    if origin and origin != "null":
        return origin.lower() in allowed
    referer = request.headers.get("referer")
    return bool(referer) and _origin_of(referer) in allowed


class BodyTooLarge(Exception):
    pass


async def _read_capped(request: Request, cap: int = MAX_BODY) -> bytes:
    """The request body, refused on its Content-Length, then read in chunks that stop at ``cap``
    bytes (a chunked or lying client cannot make the server buffer more)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit() or int(declared) > cap:
            raise BodyTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            raise BodyTooLarge
    return bytes(body)


async def _form_token(request: Request) -> str | None:
    return (await _form_fields(request)).get("token")


async def _form_fields(request: Request) -> dict[str, str]:
    body = await _read_capped(request)
    return {name: values[0] for name, values in parse_qs(body.decode("utf-8", "replace")).items() if values}


def local_path(value: str | None) -> str:
    """The page to return to after a login: an address of this app only ("/..."), else "/".

    Refuses anything that would leave the app (an open redirect): a scheme, a host, "//host",
    a backslash or a control character.
    """
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


def _too_large() -> Response:
    return PlainTextResponse("Requête refusée : trop volumineuse.", status_code=413)


def _secure() -> bool:
    return get_settings().app_base_url.startswith("https://")


def _back(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _from_page_script(request: Request) -> bool:
    """The page's script (fetch) asks for a JSON answer; a plain form post gets redirects."""
    return request.headers.get("x-stages-handoff") == "fetch"


def _handoff_refused(request: Request, status: int, reason: str) -> Response:
    log.warning("handoff refused", extra={"event": "login_cookie_refused", "reason": reason, "status": status})
    if _from_page_script(request):
        return JSONResponse({"remembered": False, "reason": reason}, status_code=status)
    if status == 403:
        return PlainTextResponse("Requête refusée : elle ne vient pas de l'application.", status_code=403)
    return _back("/connexion?memoire=echec")


async def _open_session(request: Request) -> Response:
    if not same_origin(request):
        return _handoff_refused(request, 403, "origin")
    try:
        fields = await _form_fields(request)
    except BodyTooLarge:
        return _too_large()
    opened = await run_in_threadpool(login_sessions.open_remembered_session, fields.get("token"),
                                     request.headers.get("user-agent"))
    if opened is None:
        return _handoff_refused(request, 400, "token")
    cookie, expires = opened
    # A plain form post returns to the page asked for ("next", kept inside the app by local_path).
    response = (JSONResponse({"remembered": True}) if _from_page_script(request)
                else _back(local_path(fields.get("next"))))
    # No max_age for a browser-session login: the cookie ends with the browser (and after its idle limit).
    max_age = security.REMEMBER_DAYS * 24 * 3600 if expires is not None else None
    response.set_cookie(login_sessions.COOKIE_NAME, cookie, max_age=max_age, path="/",
                        httponly=True, samesite="lax", secure=_secure())
    return response


async def _logout(request: Request) -> Response:
    if not same_origin(request):
        return PlainTextResponse("Requête refusée : elle ne vient pas de l'application.", status_code=403)
    try:
        token = await _form_token(request)
    except BodyTooLarge:
        return _too_large()
    await run_in_threadpool(login_sessions.close_session_from_route, token)
    # The cookie is cleared either way: it names a login that the logout already revoked.
    response = _back("/connexion?deconnexion=1")
    response.delete_cookie(login_sessions.COOKIE_NAME, path="/", httponly=True, samesite="lax", secure=_secure())
    return response


def routes() -> list[Route]:
    return [
        Route("/app/health", _health),
        Route("/app/session", _open_session, methods=["POST"]),
        Route("/app/logout", _logout, methods=["POST"]),
    ]


# --------------------------------------------------------------------------- security headers

SECURITY_HEADERS = {
    # No other site may frame the app (clickjacking): both the old header and CSP's directive.
    "x-frame-options": "DENY",
    # What Streamlit allows: its own scripts and styles are inline or eval'd, so script-src and
    # style-src cannot be locked here; the directives below do not get in its way.
    "content-security-policy": "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every HTTP response (pages, assets, routes)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _value in message.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items() if k.encode() not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def middleware() -> list:
    """The security headers on every response, and the page served in French (lang="fr", French
    accessible names: ``stages.french_page``, RGAA)."""
    from starlette.middleware import Middleware

    from stages.french_page import FrenchPage

    return [Middleware(SecurityHeaders), Middleware(FrenchPage)]
