"""The project's own HTTP routes, served beside Streamlit by ``server.py``."""

from __future__ import annotations

from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def _health(_request):
    return PlainTextResponse("ok")


def routes() -> list[Route]:
    return [Route("/app/health", _health)]
