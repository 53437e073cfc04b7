"""Issue 14's everyday frictions against SQLite and PostgreSQL (each test failed before its fix)."""

from __future__ import annotations

import io

import pandas as pd

from db.models import Period, Role
from stages.services import auth
from stages.services.candidatures import answers, applications, catalogue, exports
from tests.conftest import mail_text
from tests.factories import make_candidature, make_offer, make_user


def cu(user_id: int) -> auth.CurrentUser:
    return auth.load_user(user_id)


def test_offer_number_period_and_level_in_export_and_mails(db_url, smtp_server):
    director = cu(make_user(Role.DIRECTOR, uai="0711989B", email="ce.0711989b@ac-dijon.fr"))
    offer = make_offer(director.id, period=Period.WEEK_2, title="Professeur des écoles")
    student = cu(make_user(Role.STUDENT, email="ines@example.fr", first_name="Inès"))
    result = applications.apply(student, offer, "Je souhaite observer une classe de CP pendant une semaine.")
    new = smtp_server.wait_for("ce.0711989b@ac-dijon.fr")[0]
    assert f"(offre n° {offer})" in new["Subject"]
    assert f"offre n° {offer}, stage de 1 semaine" in mail_text(new)
    answers.accept(director, result.candidature_id)
    accepted = smtp_server.wait_for("ines@example.fr")[0]
    assert f"offre n° {offer}" in accepted["Subject"] and f"offre n° {offer}, stage de 1 semaine" in mail_text(accepted)
    frame = pd.read_excel(io.BytesIO(exports.export_candidatures(director, "xlsx").data))
    assert frame.loc[0, "N° offre"] == offer
    assert frame.loc[0, "Période"].startswith("stage de 1 semaine")
    assert frame.loc[0, "Niveaux"] == "Lycéens de 2de générale et technologique"
    assert isinstance(frame.loc[0, "Reçue le"], pd.Timestamp)  # a real date in XLSX, not a text
    text = exports.export_candidatures(director, "csv").data.decode("utf-8-sig")
    assert "N° offre" in text.splitlines()[0]


def test_a_candidature_cancelled_twice_cannot_be_sent_a_third_time(db_url):
    import pytest

    from stages.services.errors import ValidationError

    director = cu(make_user(Role.DIRECTOR, uai="0711989B"))
    offer = make_offer(director.id, max_students=2)
    student = cu(make_user(Role.STUDENT))
    motivation = "Je souhaite observer une classe de maternelle."
    first = applications.apply(student, offer, motivation)
    applications.withdraw(student, first.candidature_id)
    assert catalogue.get_offer(student, offer).can_apply_again
    again = applications.apply(student, offer, motivation)
    assert again.created and again.candidature_id == first.candidature_id
    applications.withdraw(student, first.candidature_id)
    assert not catalogue.get_offer(student, offer).can_apply_again
    with pytest.raises(ValidationError, match="déjà annulé deux fois"):
        applications.apply(student, offer, motivation)
