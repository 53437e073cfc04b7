"""The page a login returns to stays inside the app (no open redirect)."""

import pytest

from stages.ui.navigation import requested_path
from stages.web import local_path


@pytest.mark.parametrize("value", ["/deposer-une-offre", "/espace?offre=3", "/"])
def test_app_paths_are_kept(value):
    assert local_path(value) == value


@pytest.mark.parametrize("value", [None, "", "https://evil.example/", "//evil.example", "/\\evil.example",
                                   "javascript:alert(1)", "/a\r\nSet-Cookie: x=1", "espace"])
def test_anything_else_goes_home(value):
    assert local_path(value) == "/"


def test_requested_path_keeps_the_query():
    assert requested_path("deposer-une-offre", {}) == "/deposer-une-offre"
    assert requested_path("espace", {"offre": "3"}) == "/espace?offre=3"
