"""Permission checks shared by the services."""

from __future__ import annotations

from db.models import Role
from stages.services.auth import CurrentUser
from stages.services.errors import PermissionDenied


def require_role(user: CurrentUser | None, *roles: str) -> CurrentUser:
    if user is None:
        raise PermissionDenied("Vous devez être connecté.")
    if user.role not in roles:
        raise PermissionDenied("Cette page n'est pas accessible avec votre compte.")
    return user


def require_director(user: CurrentUser | None) -> CurrentUser:
    user = require_role(user, Role.DIRECTOR)
    if user.school_id is None:
        raise PermissionDenied("Votre compte n'est rattaché à aucune école.")
    return user


def require_monitoring(user: CurrentUser | None) -> CurrentUser:
    """Coordinators see the département; an IEN sees their circonscription only."""
    user = require_role(user, Role.COORDINATOR, Role.IEN)
    if user.role == Role.IEN and user.circonscription_id is None:
        raise PermissionDenied("Votre compte d'IEN n'est rattaché à aucune circonscription.")
    return user


def allowed_circonscription_ids(user: CurrentUser, requested: list[int] | None) -> list[int] | None:
    """The circonscriptions a monitoring user may see, narrowed to ``requested`` (None: all)."""
    if user.role == Role.IEN:
        return [user.circonscription_id]  # type: ignore[list-item]
    return requested or None
