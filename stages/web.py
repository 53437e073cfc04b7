"""The project's own HTTP routes, served beside Streamlit by ``server.py``.

A Streamlit page cannot set an HttpOnly cookie, so "Se souvenir de moi" goes through here:

- ``POST /app/session`` (form field ``token``): the page that just logged the user in posts a
  one-minute, single-use handoff token; the route opens a remembered login and sets the
  HttpOnly, SameSite=Lax cookie, then redirects to the app.
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
from stages.services import accounts

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


async def _form_token(request: Request) -> str | None:
    body = await request.body()
    if len(body) > MAX_BODY:
        return None
    values = parse_qs(body.decode("utf-8", "replace")).get("token")
    return values[0] if values else None


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
    token = await _form_token(request)
    opened = await run_in_threadpool(accounts.open_remembered_session, token, request.headers.get("user-agent"))
    if opened is None:
        return _handoff_refused(request, 400, "token")
    cookie, expires = opened
    response = JSONResponse({"remembered": True}) if _from_page_script(request) else _back("/")
    # No max_age for a browser-session login: the cookie ends with the browser (and after 30 idle minutes).
    max_age = accounts.REMEMBER_DAYS * 24 * 3600 if expires is not None else None
    response.set_cookie(accounts.COOKIE_NAME, cookie, max_age=max_age, path="/",
                        httponly=True, samesite="lax", secure=_secure())
    return response


async def _logout(request: Request) -> Response:
    if not same_origin(request):
        return PlainTextResponse("Requête refusée : elle ne vient pas de l'application.", status_code=403)
    token = await _form_token(request)
    await run_in_threadpool(accounts.close_session_from_route, token)
    # The cookie is cleared either way: it names a login that the logout already revoked.
    response = _back("/connexion?deconnexion=1")
    response.delete_cookie(accounts.COOKIE_NAME, path="/", httponly=True, samesite="lax", secure=_secure())
    return response


def routes() -> list[Route]:
    return [
        Route("/app/health", _health),
        Route("/app/session", _open_session, methods=["POST"]),
        Route("/app/logout", _logout, methods=["POST"]),
    ]
