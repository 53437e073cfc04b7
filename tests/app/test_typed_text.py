"""Text a user typed is shown as typed on another user's screen (issue 10, item 5)."""

from __future__ import annotations

from db.models import CandidatureStatus as S, Role
from stages.ui.safe import chart_text, label_text, md_escape
from tests.app.conftest import make_app
from tests.factories import make_candidature, make_offer, make_user

HOSTILE = "**X** ![pixel](http://203.0.113.1/track.png)"


def is_inert(markdown: str) -> bool:
    """No unescaped Markdown construct and no bare link left in a Markdown source."""
    import re

    unescaped = re.sub(r"\\.", "", markdown)
    return not re.search(r"[*_\[\]<>`!]|https?://|www\.|\w@\w", unescaped)


def test_the_refusal_banner_quotes_a_student_name_as_text(sqlite_url):
    director = make_user(Role.DIRECTOR, uai="0711989B", first_name="Hugues", last_name="Traver")
    offer = make_offer(director, max_students=1)
    taken = make_user(Role.STUDENT, first_name="Léa", last_name="Martin")
    hostile = make_user(Role.STUDENT, first_name=HOSTILE, last_name="visit www.evil.fr or eve@evil.fr")
    make_candidature(offer, taken, status=S.ACCEPTED)
    cand = make_candidature(offer, hostile)
    at = make_app(director)
    at.session_state["director_tab"] = "Candidatures"
    at.run()
    at.button(key=f"cand_open_Reçues_{cand}").click().run()
    next(b for b in at.button if b.label == "Accepter").click().run()
    assert not at.exception
    question = at.warning[-1].value  # the confirmation quotes the name too: as text
    assert is_inert(question.replace("Accepter la candidature de ", "").split(" ? ")[0]), question
    next(b for b in at.button if b.label == "Confirmer l'acceptation").click().run()
    assert not at.exception
    banners = [e.value for e in at.error]
    assert banners and "Impossible d'accepter" in banners[0]
    assert is_inert(banners[0].replace("Impossible d'accepter", "")), banners[0]


def test_a_director_name_in_the_menu_is_plain_text(sqlite_url):
    director = make_user(Role.DIRECTOR, uai="0711989B", first_name="**Hugues**", last_name="[x](http://evil.fr)")
    at = make_app(director).run()
    assert not at.exception
    title = at.title[0].value
    assert is_inert(title.replace("Espace de ", "")), title


def test_helpers():
    assert is_inert(md_escape(HOSTILE))
    assert is_inert(md_escape("voir https://evil.fr, www.evil.fr et eve@evil.fr"))
    assert md_escape("Jean-Pierre O'Neil (Mâcon).") == "Jean-Pierre O'Neil (Mâcon)."
    assert label_text("**Hugues** [x](y)") == "Hugues x(y)"
    assert chart_text('<a href="http://evil.fr">Autun</a>') == '&lt;a href="http://evil.fr"&gt;Autun&lt;/a&gt;'
    assert chart_text(3) == 3
