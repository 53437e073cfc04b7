"""One rule for the DSDEN's guidance: the director's card, the dashboard's "Offres hors consignes"
and its export list the same offers with the same reasons (SQLite and PostgreSQL).

Regression: an offer whose sector is "Santé" was warned on the card and missing from the
dashboard, which checked three fields only behind an SQL prefilter.
"""

from __future__ import annotations

import csv
import io

from db import write_session
from db.models import Offer, OfferStatus, Period, Role
from stages.domain import offers as rules
from stages.domain.timeutil import utcnow
from stages.services import auth
from stages.services.offers import my_offers
from stages.services.monitoring import cache as monitoring_cache
from stages.services.monitoring import exports as monitoring_exports
from stages.services.monitoring import tables
from tests.factories import make_offer, make_user

# One offer per rule of the guide (field changes applied to a compliant offer), and one compliant.
CASES = {
    "conforme": {},
    "collegiens": {"level_college": True},
    "pas_lyceens": {"level_lycee": False},
    "une_semaine": {"period": Period.WEEK_1},
    "sans_horaires": {"daily_hours": {}},
    "horaire_incomplet": {"daily_hours": {"lundi": ["08:30", ""]}},
    "pas_public": {"is_public": False},
    "autre_employeur": {"public_employer_type": "Ministère des Armées"},
    "secteur_sante": {"sector": "Santé"},
    "lieu_sans_type": {"place_name": "Groupe scolaire Jean Moulin"},
    "reservee_rep": {"reserved_rep": True},
    "plusieurs": {"sector": "Santé", "period": Period.WEEK_2, "reserved_qpv": True},
}


def _world() -> tuple[auth.CurrentUser, auth.CurrentUser]:
    director = auth.load_user(make_user(Role.DIRECTOR))
    coordinator = auth.load_user(make_user(Role.COORDINATOR))
    for title, changes in CASES.items():
        offer_id = make_offer(director.id, title=title)
        with write_session() as session:
            offer = session.get(Offer, offer_id)
            offer.place_name = "École élémentaire Jules Ferry"
            for name, value in changes.items():
                setattr(offer, name, value)
    unpublished = make_offer(director.id, title="depubliee_sante", status=OfferStatus.UNPUBLISHED)
    draft = make_offer(director.id, title="brouillon_sante", status=OfferStatus.DRAFT)
    with write_session() as session:
        for offer_id in (unpublished, draft):
            session.get(Offer, offer_id).sector = "Santé"
    return director, coordinator


def test_card_dashboard_and_export_give_the_same_offers_and_reasons(db_url):
    monitoring_cache.clear_cache()
    director, coordinator = _world()
    now = utcnow()

    card = {o.title: " ; ".join(o.guidance) for o in my_offers.list_offers(director) if o.guidance}
    page = tables.guidance_offers(coordinator, page_size=None, now=now)
    table = dict(zip(page.rows["Intitulé"], page.rows["Problèmes"], strict=True))
    export = monitoring_exports.export_table(coordinator, "guidance", "csv", now=now)
    reader = csv.DictReader(io.StringIO(export.data.decode("utf-8-sig")), delimiter=";")
    exported = {row["Intitulé"]: row["Problèmes"] for row in reader}

    assert card == table == exported
    assert set(card) == (set(CASES) - {"conforme"}) | {"depubliee_sante"}  # drafts are not checked
    assert "Le secteur d'activité n'est pas « Enseignement »." in table["secteur_sante"]
    assert table["plusieurs"].count(" ; ") == 2
    assert all(len(reasons.split(" ; ")) == 1 for title, reasons in table.items() if title != "plusieurs")


def test_the_dashboard_reads_every_field_the_rule_reads():
    assert {"sector", "is_public", "public_employer_type", "place_name", "level_lycee",
            "reserved_lycee_id", "reserved_rep", "reserved_qpv"} <= set(rules.GUIDANCE_FIELDS)
