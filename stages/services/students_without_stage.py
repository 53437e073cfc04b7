"""« Élèves sans stage »: for the pilot's students, per lycée and for the département, how many
are registered, have at least one candidature, have an acceptance, have a confirmed stage, and
have no candidature at all, in the chosen campaign. This is the figure the national level says
it cannot get.

Who sees what: the DSDEN (coordinator) and the IEN get the *counts* only (students are minors:
no name leaves the lycée); a lycée belongs to no circonscription, so an IEN sees the lycées
located in the communes of their circonscription's écoles; a lycée head (role ``lycee_head``, added by issue 12) gets the
*list* of their own lycée's students without a confirmed stage (:func:`lycee_students`).

Definitions:
- *registered*: student accounts of the département, activated and not deactivated;
- *with a candidature*: at least one candidature (any status) to an offer of the campaign;
- *accepted*: at least one candidature holding a place now (accepted and within its
  confirmation delay, or confirmed: ``stages.domain.candidatures.holds_place``);
- *confirmed*: at least one confirmed candidature;
- *without a candidature*: registered − with a candidature.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import and_, case, exists, func, select

from db import read_session
from db.models import Campaign, Candidature, CandidatureStatus, Lycee, Offer, Role, School, User
from stages.domain import candidatures as candidature_rules
from stages.domain.timeutil import utcnow
from stages.services import campaigns
from stages.services.auth import CurrentUser
from stages.services.errors import NotFound, PermissionDenied
from stages.services.permissions import allowed_circonscription_ids, require_monitoring, require_role

LYCEE_HEAD = Role.LYCEE_HEAD  # the role issue 12 adds
COLUMNS = ["Lycée", "Commune", "Élèves inscrits", "Avec au moins une candidature", "Acceptés", "Stage confirmé",
           "Sans candidature", "Sans stage confirmé"]
NO_LYCEE = "Lycée non renseigné"


def _campaign_id(departement_code: str, campaign_id: int | None) -> int:
    if campaign_id is None:
        return campaigns.current_campaign(departement_code).id
    with read_session() as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None or campaign.departement_code != departement_code:
            raise NotFound("Campagne introuvable.")
        return campaign.id


def _flags(campaign_id: int, now: dt.datetime):
    """Per student of the query: has a candidature / holds a place / is confirmed (correlated EXISTS)."""

    def has(*conditions):
        return exists().where(Candidature.student_id == User.id, Candidature.offer_id == Offer.id,
                              Offer.campaign_id == campaign_id, *conditions)

    return (
        has(),
        has(candidature_rules.holds_place_clause(Candidature, now)),
        has(Candidature.status == CandidatureStatus.CONFIRMED),
    )


def _registered(departement_code: str):
    return and_(User.role == Role.STUDENT, User.departement_code == departement_code,
                User.activated_at.is_not(None), User.deactivated_at.is_(None))


@dataclass(frozen=True)
class Counts:
    rows: pd.DataFrame  # one row per lycée (COLUMNS), the lycées with the most students without a stage first
    total: dict[str, int]  # the département's line


def per_lycee(user: CurrentUser, campaign_id: int | None = None, now: dt.datetime | None = None) -> Counts:
    """Counts per lycée and for the département (coordinator and IEN: counts, never names)."""
    user = require_monitoring(user)
    now = now or utcnow()
    cid = _campaign_id(user.departement_code, campaign_id)
    applied, placed, confirmed = _flags(cid, now)

    def count_if(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = (
        select(func.coalesce(Lycee.name, NO_LYCEE).label("lycee"), func.coalesce(Lycee.commune, "").label("commune"),
               func.count(User.id).label("registered"), count_if(applied).label("applied"),
               count_if(placed).label("placed"), count_if(confirmed).label("confirmed"))
        .select_from(User).outerjoin(Lycee, Lycee.id == User.lycee_id)
        .where(_registered(user.departement_code))
        .group_by(Lycee.name, Lycee.commune)
    )
    circs = allowed_circonscription_ids(user, None)
    if circs is not None:  # an IEN: the lycées of their circonscription's communes
        query = query.where(Lycee.commune.in_(select(School.commune).where(School.circonscription_id.in_(circs))))
    with read_session() as session:
        rows = session.execute(query).all()
    records = [[r.lycee, r.commune, int(r.registered), int(r.applied), int(r.placed), int(r.confirmed),
                int(r.registered) - int(r.applied), int(r.registered) - int(r.confirmed)] for r in rows]
    frame = pd.DataFrame(records, columns=COLUMNS)
    if not frame.empty:
        frame = frame.sort_values(["Sans stage confirmé", "Lycée"], ascending=[False, True], kind="stable")
        frame = frame.reset_index(drop=True)
    total = {name: int(frame[name].sum()) if not frame.empty else 0 for name in COLUMNS[2:]}
    return Counts(frame, total)


@dataclass(frozen=True)
class StudentRow:
    name: str
    email: str
    situation: str  # « Aucune candidature », « A candidaté, sans stage accepté », « Acceptée, à confirmer »


def lycee_students(user: CurrentUser, campaign_id: int | None = None, now: dt.datetime | None = None
                   ) -> list[StudentRow]:
    """For a lycée head: their lycée's students without a confirmed stage, with where each one stands."""
    user = require_role(user, LYCEE_HEAD)
    if not user.lycee_id:
        raise PermissionDenied("Votre compte n'est rattaché à aucun lycée.")
    now = now or utcnow()
    cid = _campaign_id(user.departement_code, campaign_id)
    applied, placed, confirmed = _flags(cid, now)
    with read_session() as session:
        rows = session.execute(
            select(User.first_name, User.last_name, User.email, applied.label("applied"), placed.label("placed"))
            .where(_registered(user.departement_code), User.lycee_id == user.lycee_id, ~confirmed)
            .order_by(User.last_name, User.first_name, User.id)
        ).all()
    return [
        StudentRow(f"{r.first_name} {r.last_name}".strip(), r.email,
                   "Acceptée, à confirmer" if r.placed else "A candidaté, sans stage accepté" if r.applied
                   else "Aucune candidature")
        for r in rows
    ]
