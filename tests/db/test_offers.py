"""Offers service: drafts saved step by step, resumed, published once, "Mes offres", permissions."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from db import read_session
from db.models import CandidatureStatus, Offer, OfferStatus, Role, StatusChange
from stages.domain import offers as rules
from stages.services import auth
from stages.services.errors import NotFound, PermissionDenied, ValidationError
from stages.services.offers import common as offer_common
from stages.services.offers import drafting, my_offers, publishing
from tests.factories import make_candidature, make_offer, make_user

UAI_A = "0711046B"  # école primaire d'Allériot (Louhans)
UAI_B = "0710433K"  # école primaire d'Azé (Mâcon Nord)
HOURS = {"lundi": ["08:30", "16:30"], "mardi": ["08:30", "16:30"], "jeudi": ["08:30", "16:30"],
         "vendredi": ["08:30", "16:30"]}


def director(uai: str = UAI_A):
    return auth.load_user(make_user(Role.DIRECTOR, uai=uai))


def step3(**over):
    data = {"level_college": False, "level_lycee": True, "period": "two_weeks", "max_students": 2,
            "same_hours": False, "daily_hours": HOURS, "lunch_break": rules.DEFAULT_LUNCH}
    data.update(over)
    return data


def fill_to_step3(user, form_key="k1") -> offer_common.OfferForm:
    form = drafting.load_form(user)
    form = drafting.save_step(user, 1, form.values(1), form_key=form_key)
    return drafting.save_step(user, 2, form.values(2), offer_id=form.id)


def count_offers(**where) -> int:
    with read_session() as s:
        q = select(func.count()).select_from(Offer)
        for k, v in where.items():
            q = q.where(getattr(Offer, k) == v)
        return s.scalar(q)


def test_prefill_follows_the_guide(db_url):
    user = director()
    form = drafting.load_form(user)
    assert form.id is None and form.resume_step == 1
    assert form.title == "Professeur des écoles"
    assert form.description == "Observation de séances d'enseignement"
    assert form.place_name == "Ecole primaire Allériot"
    assert form.place_address == "2 rue du Bourg" and form.place_postal_code == "71380"
    assert form.latitude and form.longitude
    assert form.is_public and form.manual_structure
    assert form.public_employer_type == "Ministère de l'Éducation nationale, de l'Enseignement supérieur et de la Recherche"
    assert form.sector == "Enseignement"
    assert form.employer_name == "Ecole primaire Allériot - Circonscription de Louhans"
    assert form.head_office_address == "DSDEN 71 - Cité Administrative - 24 bd Henri Dunant - 71000 Mâcon"
    assert form.depositor_phone == "0385941481"
    assert form.level_college is False and form.level_lycee is True and form.period == "two_weeks"
    assert form.same_hours is False and form.daily_hours == {}
    assert form.lunch_break == "Pas de possibilité de restauration"
    assert form.period_labels["two_weeks"].startswith("stage de 2 semaines (du ")
    assert count_offers() == 0  # opening the form saves nothing


def test_each_step_is_saved_and_resumed_at_the_step_reached(db_url):
    user = director()
    form = drafting.load_form(user)
    data = form.values(1) | {"description": "Observation de séances d'enseignement et de la direction"}
    saved = drafting.save_step(user, 1, data, form_key="abc")
    assert saved.id and saved.status == "draft" and saved.step_reached == 1
    # A reload (new session): the draft comes back from the database, at step 2, with what was typed.
    resumed = drafting.load_form(user)
    assert resumed.id == saved.id and resumed.resume_step == 2
    assert resumed.description.endswith("de la direction")
    # Step 2 comes prefilled for a draft that has not reached it.
    assert resumed.employer_name.endswith("Circonscription de Louhans")
    saved2 = drafting.save_step(user, 2, resumed.values(2) | {"work_environment": "Classe calme et lumineuse"},
                              offer_id=saved.id)
    assert saved2.step_reached == 2 and drafting.load_form(user).resume_step == 3
    assert drafting.load_form(user).work_environment == "Classe calme et lumineuse"
    assert count_offers() == 1


def test_draft_creation_is_idempotent(db_url):
    user = director()
    data = drafting.load_form(user).values(1)
    first = drafting.save_step(user, 1, data, form_key="same-form")
    again = drafting.save_step(user, 1, data, form_key="same-form")
    other_tab = drafting.save_step(user, 1, data, form_key="another-tab")  # open draft resumed
    assert first.id == again.id == other_tab.id
    assert count_offers() == 1
    with read_session() as s:
        created = [(c.from_status, c.to_status, c.author_id)
                   for c in s.scalars(select(StatusChange).where(StatusChange.entity_type == "offer"))]
    assert created == [(None, "draft", user.id)]


def test_publish_once_and_history(db_url):
    user = director()
    form = fill_to_step3(user)
    result = publishing.publish(user, form.id, step3())
    assert result.newly_published and result.form.status == "published"
    again = publishing.publish(user, form.id, step3())  # double click
    assert not again.newly_published
    assert count_offers() == 1 and count_offers(status="published") == 1
    with read_session() as s:
        changes = [(c.from_status, c.to_status, c.author_id) for c in s.scalars(
            select(StatusChange).where(StatusChange.entity_id == form.id).order_by(StatusChange.id))]
    assert changes == [(None, "draft", user.id), ("draft", "published", user.id)]
    # After publishing, the form starts a new offer.
    assert drafting.load_form(user).id is None


def test_concurrent_publications_publish_one_offer(db_url):
    user = director()
    form = fill_to_step3(user)
    results, errors = [], []

    def click():
        try:
            results.append(publishing.publish(user, form.id, step3()).newly_published)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=click) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results) == [False, False, False, True]
    with read_session() as s:
        published = s.scalar(select(func.count()).select_from(StatusChange)
                             .where(StatusChange.to_status == "published"))
    assert published == 1 and count_offers() == 1


def test_concurrent_first_steps_create_one_draft(db_url):
    user = director()
    data = drafting.load_form(user).values(1)
    ids, errors = [], []

    def save(key):
        try:
            ids.append(drafting.save_step(user, 1, data, form_key=key).id)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(f"tab-{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(ids)) == 1 and count_offers() == 1


@pytest.mark.parametrize(
    ("over", "field", "words"),
    [
        ({"level_college": True}, "level_college", "ne s'adressent qu'aux lycéens (classe de 2nde)"),
        ({"period": "week_1"}, "period", "période de 2 semaines"),
        ({"daily_hours": {}}, "hours", "au moins un jour"),
        ({"daily_hours": {"lundi": ["16:30", "08:30"]}}, "hours_lundi", "doit précéder"),
        ({"daily_hours": {"mardi": ["08:10", "16:30"]}}, "hours_mardi", "quart d'heure"),
        ({"daily_hours": {"lundi": ["08:30", None]}}, "hours_lundi", "heure de fin"),
        ({"max_students": 0}, "max_students", "de 1 à 6000"),
        ({"max_students": 6001}, "max_students", "de 1 à 6000"),
        ({"lunch_break": "Non"}, "lunch_break", "au moins 8"),
        ({"lunch_break": "x" * 251}, "lunch_break", "250 au plus"),
    ],
)
def test_step3_guidance_is_enforced(db_url, over, field, words):
    user = director()
    form = fill_to_step3(user)
    with pytest.raises(ValidationError) as info:
        publishing.publish(user, form.id, step3(**over))
    assert words in info.value.errors[field]
    assert count_offers(status="published") == 0
    assert drafting.load_form(user).id == form.id  # the draft is still there


HOSTILE = ["x" * 10_000, "a\x00b\x07c\x1b" * 3, "<script>alert('x')</script><b>gras</b>", "=cmd|' /C calc'!A0",
           "Activités 🎒📚✏️ avec des élèves 👩‍🏫"]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_stored_as_text_or_refused_clearly(db_url, text):
    user = director()
    data = drafting.load_form(user).values(1)
    for name in ("title", "description", "place_name"):
        payload = data | {name: text}
        try:
            form = drafting.save_step(user, 1, payload, form_key=f"hostile-{name}")
        except ValidationError as exc:
            assert name in exc.errors and "caractère" in exc.errors[name]
            # only a too long text, or one too short once control characters are dropped, is refused
            assert len(text) > 150 or (name == "description" and "\x00" in text)
            continue
        stored = getattr(form, name)
        assert "\x00" not in stored and "\x07" not in stored and "\x1b" not in stored
        if "<script>" in text or text.startswith("="):
            assert stored == text  # kept verbatim, rendered as text by the pages
    step2 = drafting.load_form(user).values(2)
    for name in ("work_environment", "accessibility", "employer_name", "head_office_address"):
        if count_offers() == 0:
            break
        try:
            drafting.save_step(user, 2, step2 | {name: text}, offer_id=drafting.load_form(user).id)
        except ValidationError as exc:
            assert "caractère" in exc.errors[name]


def test_ten_thousand_characters_say_what_to_change(db_url):
    user = director()
    data = drafting.load_form(user).values(1)
    with pytest.raises(ValidationError) as info:
        drafting.save_step(user, 1, data | {"description": "é" * 10_000}, form_key="long")
    assert info.value.errors == {"description": "Description des activités : 10000 caractères, c'est trop "
                                                "(1500 au plus). Raccourcissez le texte."}
    assert count_offers() == 0


def test_step2_limits(db_url):
    user = director()
    form = drafting.save_step(user, 1, drafting.load_form(user).values(1), form_key="s2")
    base = form.values(2)
    cases = {
        "siret": ("1234", "14 chiffres"),
        "employer_name": ("x" * 151, "150 au plus"),
        "head_office_address": ("Mâcon", "au moins 8"),
        "depositor_phone": ("12", "10 chiffres"),
        "work_environment": ("court", "au moins 10"),
        "accessibility": ("y" * 1001, "1000 au plus"),
        "sector": ("Pâtisserie", "dans la liste"),
    }
    for name, (value, words) in cases.items():
        with pytest.raises(ValidationError) as info:
            drafting.save_step(user, 2, base | {name: value}, offer_id=form.id)
        assert words in info.value.errors[name], name
    with pytest.raises(ValidationError) as info:
        drafting.save_step(user, 2, base | {"siret": "73282932000075"}, offer_id=form.id)
    assert "clé de contrôle" in info.value.errors["siret"]
    ok = drafting.save_step(user, 2, base | {"siret": "732 829 320 00074", "is_public": False}, offer_id=form.id)
    assert ok.siret == "73282932000074" and ok.public_employer_type is None  # private: no public employer type
    assert drafting.load_form(user).step_reached == 2


def test_mes_offres_places_and_candidatures(db_url):
    user = director()
    student_ids = [make_user(Role.STUDENT) for _ in range(4)]
    offer_id = make_offer(user.id, max_students=3)
    make_candidature(offer_id, student_ids[0], status=CandidatureStatus.ACCEPTED)
    make_candidature(offer_id, student_ids[3], status=CandidatureStatus.ACCEPTED)
    make_candidature(offer_id, student_ids[1], status=CandidatureStatus.SUBMITTED)
    make_candidature(offer_id, student_ids[2], status=CandidatureStatus.REFUSED)
    draft = drafting.save_step(user, 1, drafting.load_form(user).values(1), form_key="d")
    rows = {r.id: r for r in my_offers.list_offers(user)}
    row = rows[offer_id]
    assert (row.places_offered, row.places_taken, row.places_remaining, row.candidatures) == (3, 2, 1, 4)
    assert row.status_label == "Publiée" and row.period_label.startswith("stage de 2 semaines")
    assert rows[draft.id].status_label == "Brouillon" and rows[draft.id].candidatures == 0
    # A published offer cannot go below the students already accepted.
    with pytest.raises(ValidationError, match="déjà accepté 2"):
        drafting.save_step(user, 3, step3(max_students=1), offer_id=offer_id)


def test_unpublish_republish_delete_duplicate(db_url):
    user = director()
    offer_id = make_offer(user.id)
    assert publishing.unpublish(user, offer_id).status == "unpublished"
    assert publishing.unpublish(user, offer_id).status == "unpublished"  # twice: no error, one change
    assert publishing.republish(user, offer_id).status == "published"
    with pytest.raises(ValidationError, match="Seul un brouillon"):
        my_offers.delete_draft(user, offer_id)
    copy = my_offers.duplicate(user, offer_id)
    assert copy.status == "draft" and copy.resume_step == 3 and copy.id != offer_id
    start = int(drafting.load_form(user, offer_id).school_year.split("-")[0])
    assert copy.school_year == f"{start + 1}-{start + 2}"
    assert copy.period_labels["two_weeks"] != drafting.load_form(user, offer_id).period_labels["two_weeks"]
    assert my_offers.duplicate(user, offer_id).id == copy.id  # double click: one copy
    published = publishing.publish(user, copy.id)
    assert published.newly_published
    draft = drafting.save_step(user, 1, drafting.load_form(user).values(1), form_key="to-delete")
    my_offers.delete_draft(user, draft.id)
    with pytest.raises(NotFound):
        drafting.load_form(user, draft.id)
    with read_session() as s:
        pairs = [(c.from_status, c.to_status) for c in s.scalars(
            select(StatusChange).where(StatusChange.entity_id == offer_id).order_by(StatusChange.id))]
    assert pairs == [("published", "unpublished"), ("unpublished", "published")]


def test_a_director_sees_and_edits_only_their_school(db_url):
    alice, bob = director(UAI_A), director(UAI_B)
    offer_id = make_offer(alice.id)
    draft = drafting.save_step(alice, 1, drafting.load_form(alice).values(1), form_key="alice")
    assert [r.id for r in my_offers.list_offers(bob)] == []
    calls = [
        lambda: drafting.load_form(bob, offer_id),
        lambda: my_offers.get_offer(bob, offer_id),
        lambda: drafting.save_step(bob, 1, drafting.load_form(bob).values(1), offer_id=offer_id),
        lambda: drafting.save_step(bob, 1, drafting.load_form(bob).values(1), form_key="alice"),
        lambda: publishing.publish(bob, draft.id, step3()),
        lambda: publishing.unpublish(bob, offer_id),
        lambda: publishing.republish(bob, offer_id),
        lambda: my_offers.delete_draft(bob, draft.id),
        lambda: my_offers.duplicate(bob, offer_id),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    student = auth.load_user(make_user(Role.STUDENT))
    with pytest.raises(PermissionDenied):
        my_offers.list_offers(student)
    assert drafting.load_form(alice, offer_id).status == "published"
    assert count_offers() == 2


def test_guidance_problems_of_a_saved_offer(db_url):
    user = director()
    offer_id = make_offer(user.id)
    with read_session() as s:
        offer = s.get(Offer, offer_id)
        assert rules.guidance_problems(offer) == []
        offer.level_college = True
        offer.period = "week_2"
        assert len(rules.guidance_problems(offer)) == 2
    assert OfferStatus.DRAFT == "draft"


def test_autosave_keeps_valid_fields_of_a_step_not_validated(db_url):
    user = director()
    form = drafting.save_step(user, 1, drafting.load_form(user).values(1), form_key="auto")
    data = form.values(2) | {"employer_name": "Ecole du Bourg - Circonscription de Louhans", "depositor_phone": "12"}
    assert drafting.autosave(user, form.id, 2, data) == 1
    resumed = drafting.load_form(user)
    assert resumed.step_reached == 1 and resumed.resume_step == 2
    assert resumed.employer_name == "Ecole du Bourg - Circonscription de Louhans"
    assert resumed.depositor_phone == "0385941481"
    hours = {"lundi": ["08:30", "16:30"], "mardi": ["09:00", "08:00"]}
    drafting.autosave(user, form.id, 3, step3(daily_hours=hours, period="week_1"))
    resumed = drafting.load_form(user)
    assert resumed.daily_hours == {} and resumed.period == "two_weeks"  # invalid parts are not kept
    published = make_offer(user.id)
    assert drafting.autosave(user, published, 1, drafting.load_form(user, published).values(1) | {"title": "X"}) == 0
    with pytest.raises(PermissionDenied):
        drafting.autosave(director(UAI_B), form.id, 2, data)
