"""Who sees what: the filters a monitoring user may choose, narrowed to their perimeter."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import exists, select

from db import read_session
from db.models import Campaign, Circonscription, School
from stages.domain import schools as school_rules
from stages.services import campaigns
from stages.services.auth import CurrentUser
from stages.services.errors import NotFound, ValidationError
from stages.services.monitoring.cache import memo
from stages.services.permissions import allowed_circonscription_ids, require_monitoring

SCHOOL_TYPES = ("maternelle", "élémentaire", "primaire")
NO_CIRCONSCRIPTION = "Sans circonscription"


@dataclass(frozen=True)
class Filters:
    """What the dashboard's filters chose. Empty tuples mean "all"."""

    campaign_id: int | None = None
    circonscription_ids: tuple[int, ...] = ()
    school_types: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()  # "Public" / "Privé" (issue 14)


@dataclass(frozen=True)
class Scope:
    """Filters resolved against the user's rights (``circonscription_ids`` None: the département)."""

    departement_code: str
    campaign_id: int
    circonscription_ids: tuple[int, ...] | None
    school_types: tuple[str, ...]
    sectors: tuple[str, ...] = ()


@dataclass(frozen=True)
class CampaignChoice:
    id: int
    label: str


@dataclass(frozen=True)
class FilterChoices:
    campaigns: list[CampaignChoice]
    default_campaign_id: int
    circonscriptions: list[tuple[int, str]] = field(default_factory=list)
    fixed_circonscription: str | None = None  # an IEN: the only circonscription they see
    school_types: tuple[str, ...] = SCHOOL_TYPES


def filter_choices(user: CurrentUser) -> FilterChoices:
    """The campaigns, circonscriptions and school types a monitoring user may filter on."""
    user = require_monitoring(user)
    current = campaigns.current_campaign(user.departement_code)  # may create it: outside the memo
    allowed = allowed_circonscription_ids(user, None)
    dep = user.departement_code

    def compute(session) -> tuple[list[CampaignChoice], list[tuple[int, str]]]:
        rows = session.scalars(
            select(Campaign).where(Campaign.departement_code == dep).order_by(Campaign.school_year.desc()))
        choices = [CampaignChoice(c.id, f"Campagne {c.school_year}") for c in rows]
        query = (
            select(Circonscription.id, Circonscription.short_name)
            .where(Circonscription.departement_code == dep)
            .where(exists().where(School.circonscription_id == Circonscription.id))
            .order_by(Circonscription.short_name)
        )
        if allowed is not None:
            query = query.where(Circonscription.id.in_(allowed))
        return choices, [(row.id, row.short_name) for row in session.execute(query)]

    key = (dep, None if allowed is None else tuple(sorted(allowed)))
    choices, circs = memo("filter_choices", key, compute)
    fixed = circs[0][1] if allowed is not None and circs else None
    return FilterChoices(list(choices), current.id, list(circs), fixed)


def resolve_scope(user: CurrentUser, filters: Filters | None = None) -> Scope:
    """Check the user may monitor, and narrow the filters to what they may see."""
    user = require_monitoring(user)
    filters = filters or Filters()
    unknown = [t for t in filters.school_types if t not in SCHOOL_TYPES]
    if unknown:
        raise ValidationError(f"Type d'école inconnu : {', '.join(unknown)}.", field="school_types")
    if any(sector not in school_rules.SECTORS for sector in filters.sectors):
        raise ValidationError("Secteur inconnu : choisissez public ou privé.", field="sectors")
    if filters.campaign_id is None:
        campaign_id = campaigns.current_campaign(user.departement_code).id
    else:
        with read_session() as session:
            campaign = session.get(Campaign, filters.campaign_id)
            if campaign is None or campaign.departement_code != user.departement_code:
                raise NotFound("Campagne introuvable.")
            campaign_id = campaign.id
    allowed = allowed_circonscription_ids(user, list(filters.circonscription_ids))
    return Scope(
        departement_code=user.departement_code,
        campaign_id=campaign_id,
        circonscription_ids=tuple(sorted(set(allowed))) if allowed is not None else None,
        school_types=tuple(sorted(set(filters.school_types))),
        sectors=tuple(sorted(set(filters.sectors))),
    )


def school_where(scope: Scope) -> list:
    conditions = [School.departement_code == scope.departement_code]
    if scope.circonscription_ids is not None:
        conditions.append(School.circonscription_id.in_(scope.circonscription_ids))
    if scope.school_types:
        conditions.append(School.school_type.in_(scope.school_types))
    if scope.sectors:
        conditions.append(School.sector.in_(scope.sectors))
    return conditions
