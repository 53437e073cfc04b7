"""The project's HTTP routes (issue 10): bodies capped before they are read, security headers."""

from __future__ import annotations

from starlette.applications import Starlette

from stages.web import MAX_BODY, SecurityHeaders, routes

from tests.conftest import run_async


def call(app, *, path: str, chunks: list[bytes], headers: dict[str, str]):
    """Drive the ASGI app by hand; returns (status, headers, bytes the app pulled from the client)."""
    pulled = {"bytes": 0, "messages": 0}
    queue = list(chunks)
    result = {}

    async def receive():
        if not queue:
            return {"type": "http.request", "body": b"", "more_body": False}
        chunk = queue.pop(0)
        pulled["bytes"] += len(chunk)
        pulled["messages"] += 1
        return {"type": "http.request", "body": chunk, "more_body": bool(queue)}

    async def send(message):
        if message["type"] == "http.response.start":
            result["status"] = message["status"]
            result["headers"] = {k.decode().lower(): v.decode() for k, v in message["headers"]}

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5000), "server": ("localhost", 8501),
    }
    run_async(app(scope, receive, send))
    return result["status"], result["headers"], pulled["bytes"]


APP = SecurityHeaders(Starlette(routes=routes()))
SAME_ORIGIN = {"host": "localhost:8501", "origin": "http://localhost:8501",
               "content-type": "application/x-www-form-urlencoded"}


def test_a_declared_huge_body_is_refused_without_reading_it():
    status, _headers, pulled = call(APP, path="/app/session", chunks=[b"x" * 65536] * 100,
                                    headers={**SAME_ORIGIN, "content-length": str(300 * 1024 * 1024)})
    assert status == 413 and pulled == 0


def test_a_chunked_body_stops_being_read_at_the_cap():
    # No Content-Length (chunked): the route reads until it passes 4 KB, then refuses.
    status, _headers, pulled = call(APP, path="/app/session", chunks=[b"x" * 1024] * 10_000, headers=SAME_ORIGIN)
    assert status == 413 and pulled <= MAX_BODY + 1024
    status, _headers, pulled = call(APP, path="/app/logout", chunks=[b"x" * 1024] * 10_000, headers=SAME_ORIGIN)
    assert status == 413 and pulled <= MAX_BODY + 1024


def test_every_response_forbids_framing():
    _status, headers, _ = call(APP, path="/app/session", chunks=[b""], headers={"origin": "https://evil.example"})
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
