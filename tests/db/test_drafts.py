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


def test_a_draft_is_cleaned_and_capped_like_its_final_field(db_url):
    """Issue 10: a draft no longer stores NUL, bidi controls or 20,000 characters of a 2,000-character field."""
    from db.models import Role
    from stages.domain.candidatures import MOTIVATION_MAX
    from stages.services import auth as auth_service, drafts as drafts_service
    from tests.factories import make_user

    student = auth_service.load_user(make_user(Role.STUDENT))
    key = drafts_service.motivation_key(12)
    drafts_service.save_text(student, key, "Je\x00 suis\u202e motivée " + "x" * 10_000)
    kept = drafts_service.load_text(student, key)
    assert kept.startswith("Je suis motivée ") and len(kept) == MOTIVATION_MAX
    drafts_service.save_text(student, "k" * 500, "texte")  # an over-long key is cut, never a database error
