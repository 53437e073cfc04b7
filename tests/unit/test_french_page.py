"""The served page is French (lang, title, names script) whatever the way Streamlit sends it."""

from __future__ import annotations

import gzip

from stages.french_page import FrenchPage, frenchify

from tests.conftest import run_async

HTML = '<!DOCTYPE html>\n<html lang="en">\n<head><title>Streamlit</title></head><body></body></html>'


def test_frenchify_sets_lang_title_and_the_names_script():
    page = frenchify(HTML)
    assert '<html lang="fr">' in page and 'lang="en"' not in page
    assert "<title>Stages de seconde – DSDEN 71</title>" in page
    assert page.count("<script>") == 1 and "Afficher le mot de passe" in page
    assert page.index("<script>") < page.index("</head>")


def _serve(body: bytes, content_type: bytes, encoding: bytes | None = None, method: str = "GET"):
    async def app(scope, receive, send):
        headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
        if encoding:
            headers.append((b"content-encoding", encoding))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        half = len(body) // 2
        await send({"type": "http.response.body", "body": body[:half], "more_body": True})
        await send({"type": "http.response.body", "body": body[half:]})

    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    run_async(FrenchPage(app)({"type": "http", "method": method, "path": "/"}, receive, send))
    headers = dict(sent[0]["headers"])
    return headers, b"".join(m.get("body", b"") for m in sent[1:])


def test_html_is_rewritten_even_gzipped_and_its_length_follows():
    for encoding, body in ((None, HTML.encode()), (b"gzip", gzip.compress(HTML.encode()))):
        headers, out = _serve(body, b"text/html; charset=utf-8", encoding)
        assert b'<html lang="fr">' in out
        assert int(headers[b"content-length"]) == len(out)
        assert b"content-encoding" not in headers


def test_other_responses_pass_untouched():
    script = b"console.log('Show password')"
    headers, out = _serve(script, b"application/javascript")
    assert out == script and headers[b"content-length"] == str(len(script)).encode()
