"""The hostile corpus (issue 10): every form field, through its service, on SQLite and PostgreSQL.

Each text is either stored cleaned or refused with a French ``ServiceError``: never another
exception (a traceback, a generic error page), and nothing invalid stored (a control or bidi
character, a value longer than its column, an address ``email-validator`` refuses).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import inspect, select, text

from db import get_engine, read_session
from db.models import Role, User
from stages.domain.emails import is_valid_email
from stages.services import accounts, auth, drafts, password_reset
from stages.services.admin import account_management, campaign_settings
from stages.services.offers import drafting
from stages.services.candidatures import answers, applications, catalogue
from stages.services.errors import ServiceError
from tests.factories import PASSWORD, make_candidature, make_offer, make_user

HOSTILE = [
    "**gras** _it_ # Titre [lien](javascript:alert(1)) ![pixel](http://203.0.113.1/t.png)",
    "<script>alert(1)</script><img src=x onerror=alert(1)><a href='http://evil.fr'>x</a>",
    "=HYPERLINK(\"http://evil.fr\";\"clic\")", "+33 6 00", "-2+3", "@SUM(A1:A9)",
    "nul\x00octet", "photo\u202egpj.exe", "\u2066isolé\u2069 \u200fmarque",
    ":red[rouge] $x^2$ :material/home:", "www.evil.fr https://evil.fr eve@evil.fr",
    "x" * 10_000, "\n\n\n", "   ", "Jean-Pierre O'Neil (Mâcon).",
]
BAD_EMAILS = ["eve@[poison.fr", "eve@poison", "a b@c.fr", "\"eve\"@c.fr", "é@c.fr", "eve@c.fr\r\nBcc: x@y.fr",
              "x" * 300 + "@c.fr", "", "@", "eve@@c.fr"]
FORBIDDEN_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def attempt(call, *args, **kwargs):
    """Run a service call: a ServiceError is a fine answer, any other exception fails the test."""
    try:
        return call(*args, **kwargs)
    except ServiceError as exc:
        assert exc.message and "Traceback" not in exc.message
        return None


def stored_values_are_valid(url: str) -> None:
    engine = get_engine(url)
    inspector = inspect(engine)
    problems = []
    with engine.connect() as conn:
        for table in inspector.get_table_names():
            if table in {"alembic_version", "schools", "lycees", "circonscriptions", "outbox"}:
                continue
            columns = {c["name"]: c for c in inspector.get_columns(table)}
            for row in conn.execute(text(f'SELECT * FROM "{table}"')).mappings():
                for name, value in row.items():
                    if not isinstance(value, str):
                        continue
                    if FORBIDDEN_CHARS.search(value):
                        problems.append((table, name, "control character"))
                    length = getattr(columns[name]["type"], "length", None)
                    if length and len(value) > length:
                        problems.append((table, name, f"{len(value)} > {length}"))
    with read_session() as session:
        problems += [("users", e, "invalid email") for e in session.scalars(select(User.email)) if not is_valid_email(e)]
    assert problems == []


def test_every_form_field_through_its_service(db_url):
    coordinator = auth.load_user(make_user(Role.COORDINATOR, email="coord@ac-dijon.fr"))
    director_id = make_user(Role.DIRECTOR, uai="0711989B", email="ce.0711989b@ac-dijon.fr")
    director = auth.load_user(director_id)
    student = auth.load_user(make_user(Role.STUDENT, email="lea@example.fr"))
    offer_id = make_offer(director_id, max_students=5)
    from stages.services import referential

    lycee = referential.general_lycees()[0].id
    calls = 0
    for value in HOSTILE:
        # Signup (director and student), Mon compte, staff accounts.
        attempt(accounts.signup_director, first_name=value, last_name=value, function=value,
                email="ce.0710020l@ac-dijon.fr", password=PASSWORD, accepted_terms=True)
        attempt(accounts.signup_student, first_name=value, last_name=value, lycee_id=lycee,
                email="eleve.corpus@example.fr", password=PASSWORD, accepted_terms=True)
        attempt(accounts.update_profile, director, first_name=value, last_name=value, function=value)
        attempt(account_management.create_staff_account, coordinator, role=Role.COORDINATOR, email="staff@ac-dijon.fr",
                first_name=value, last_name=value, function=value, password=PASSWORD)
        attempt(accounts.change_password, student, current_password=value, new_password=value)
        attempt(auth.authenticate, "lea@example.fr", value)
        # Offers: every text field of the three steps.
        form = drafting.load_form(director)
        for step in (1, 2, 3):
            data = form.values(step)
            for name, current in data.items():
                if isinstance(current, str) or current is None:
                    attempt(drafting.save_step, director, step, {**data, name: value}, form_key=f"corpus-{step}-{name}")
                    calls += 1
        # Candidatures: motivation, refusal reason; drafts.
        attempt(applications.apply, student, offer_id, value)
        cand = make_candidature(offer_id, make_user(Role.STUDENT))
        attempt(answers.refuse, director, cand, value)
        attempt(drafts.save_text, student, drafts.motivation_key(offer_id), value)
        attempt(drafts.save_text, student, value, value)
        # Ids typed in a URL.
        attempt(drafting.load_form, director, value)
        attempt(catalogue.get_offer, student, value)
        calls += 12
    for email in BAD_EMAILS + HOSTILE:
        attempt(accounts.signup_student, first_name="Ève", last_name="Test", lycee_id=lycee, email=email,
                password=PASSWORD, accepted_terms=True)
        attempt(password_reset.request_password_reset, email)
        attempt(accounts.resend_activation, email)
        attempt(account_management.create_staff_account, coordinator, role=Role.COORDINATOR, email=email,
                first_name="Ève", last_name="Test", password=PASSWORD)
        attempt(auth.create_user, role=Role.STUDENT, email=email, password=PASSWORD)
        attempt(auth.authenticate, email, PASSWORD)
        calls += 6
    assert calls > 300
    stored_values_are_valid(db_url)


def test_admin_and_campaign_fields(db_url):
    coordinator = auth.load_user(make_user(Role.COORDINATOR, email="coord@ac-dijon.fr"))
    form = campaign_settings.campaign_form(coordinator)
    for value in HOSTILE:
        attempt(account_management.list_accounts, coordinator, search=value, school=value)
        attempt(campaign_settings.save_campaign, coordinator, form.school_year,
                {**form.values, "head_office_address": value})
        attempt(campaign_settings.campaign_form, coordinator, value)
    stored_values_are_valid(db_url)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@A1", "\t=1", "=HYPERLINK(\"http://evil.fr\")"])
def test_formula_prefixes_are_neutralised_in_exports(value):
    from stages.services import exports

    assert not str(exports.neutralise(value)).startswith(("=", "+", "-", "@"))
