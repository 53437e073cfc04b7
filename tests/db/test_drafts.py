"""Drafts keep what a user typed across a reload; sending the candidature discards it."""

from db.models import Role
from stages.services import auth, drafts
from stages.services.candidatures import applications
from tests.factories import make_offer, make_user


def test_save_load_replace_and_discard(db_url):
    student = auth.load_user(make_user(Role.STUDENT))
    other = auth.load_user(make_user(Role.STUDENT))
    assert drafts.load_text(student, "motivation:1") is None
    drafts.save_text(student, "motivation:1", "Bonjour, je suis motivée")
    drafts.save_text(student, "motivation:1", "Bonjour, je suis très motivée 🎒 <b>")
    assert drafts.load_text(student, "motivation:1") == "Bonjour, je suis très motivée 🎒 <b>"
    assert drafts.load_text(other, "motivation:1") is None  # one's draft is nobody else's
    drafts.save_text(student, "motivation:1", "   ")
    assert drafts.load_text(student, "motivation:1") is None


def test_applying_discards_the_motivation_draft(db_url):
    director = make_user(Role.DIRECTOR, uai="0711989B")
    offer_id = make_offer(director, max_students=2)
    student = auth.load_user(make_user(Role.STUDENT))
    key = drafts.motivation_key(offer_id)
    drafts.save_text(student, key, "Je souhaite découvrir le métier de professeur des écoles.")
    applications.apply(student, offer_id, drafts.load_text(student, key))
    assert drafts.load_text(student, key) is None
