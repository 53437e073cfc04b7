"""Errors a service raises; their message is French and meant for the user."""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal the user can act on. ``field`` names the form field it concerns, if any."""

    def __init__(self, message: str, field: str | None = None, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or ({field: message} if field else {})


class ValidationError(ServiceError):
    """Input that breaks a rule; ``errors`` maps each field to what to change."""


class PermissionDenied(ServiceError):
    def __init__(self, message: str = "Vous n'avez pas accès à cette ressource."):
        super().__init__(message)


class NotFound(ServiceError):
    def __init__(self, message: str = "Élément introuvable."):
        super().__init__(message)
